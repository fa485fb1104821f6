package expr

import (
	"fmt"
	"strconv"
	"strings"
)

// Token is the kind of a lexical token.
type Token int

// Tokens of the expression language.
const (
	EOF Token = iota
	Illegal
	Ident
	Str
	Num
	Lparen
	Rparen
	Lbrack
	Rbrack
	Comma
	Dot
)

var tokenNames = [...]string{EOF: "end of expression", Illegal: "illegal character", Ident: "name", Str: "string",
	Num: "number", Lparen: "'('", Rparen: "')'", Lbrack: "'['", Rbrack: "']'", Comma: "','", Dot: "'.'"}

func (t Token) String() string { return tokenNames[t] }

// Scanner splits the text between an expression's outer brackets into tokens.
type Scanner struct {
	src string
	pos int
	end int
}

// Init prepares s to scan src[from:to].
func (s *Scanner) Init(src string, from, to int) {
	s.src, s.pos, s.end = src, from, to
}

// Scan returns the next token, its offset and its literal text (for Str, the decoded value).
// A scan error is returned as Illegal with the message as the literal.
func (s *Scanner) Scan() (tok Token, pos Pos, lit string) {
	for s.pos < s.end && isSpace(s.src[s.pos]) {
		s.pos++
	}
	pos = Pos(s.pos)
	if s.pos >= s.end {
		return EOF, pos, ""
	}
	c := s.src[s.pos]
	switch {
	case isLetter(c):
		start := s.pos
		for s.pos < s.end && (isLetter(s.src[s.pos]) || isDigit(s.src[s.pos])) {
			s.pos++
		}
		return Ident, pos, s.src[start:s.pos]
	case isDigit(c) || (c == '-' && s.pos+1 < s.end && isDigit(s.src[s.pos+1])):
		start := s.pos
		s.pos++
		for s.pos < s.end && isDigit(s.src[s.pos]) {
			s.pos++
		}
		if s.pos+1 < s.end && s.src[s.pos] == '.' && isDigit(s.src[s.pos+1]) {
			s.pos++
			for s.pos < s.end && isDigit(s.src[s.pos]) {
				s.pos++
			}
		}
		return Num, pos, s.src[start:s.pos]
	case c == '\'':
		var b strings.Builder
		s.pos++
		for {
			i := strings.IndexByte(s.src[s.pos:s.end], '\'')
			if i < 0 {
				s.pos = s.end
				return Illegal, pos, "string not closed: add '"
			}
			b.WriteString(s.src[s.pos : s.pos+i])
			s.pos += i + 1
			if s.pos < s.end && s.src[s.pos] == '\'' {
				b.WriteByte('\'')
				s.pos++
				continue
			}
			return Str, pos, b.String()
		}
	}
	s.pos++
	switch c {
	case '(':
		return Lparen, pos, "("
	case ')':
		return Rparen, pos, ")"
	case '[':
		return Lbrack, pos, "["
	case ']':
		return Rbrack, pos, "]"
	case ',':
		return Comma, pos, ","
	case '.':
		return Dot, pos, "."
	}
	return Illegal, pos, fmt.Sprintf("unexpected character %s", strconv.QuoteRune(rune(c)))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$'
}
