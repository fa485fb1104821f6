// Package scanner turns Bicep source text into tokens, in the way go/scanner does for Go.
// Newlines are tokens because Bicep ends declarations, properties and array items at them;
// comments and #disable-next-line directives are skipped.
package scanner

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lensix/lensix/internal/source/bicep/token"
)

// ErrorHandler receives each syntax error the scanner finds.
type ErrorHandler func(pos token.Position, msg string)

// Scanner holds the state of scanning one file.
type Scanner struct {
	file *token.File
	src  []byte
	err  ErrorHandler

	ch       rune // current character, -1 at end of file
	offset   int  // byte offset of ch
	rdOffset int  // byte offset after ch

	// templates holds, for each open string interpolation, how many braces are open inside it, so
	// the "}" that closes the interpolation resumes the string.
	templates []template

	ErrorCount int
}

const bom = 0xFEFF

// template is an open interpolation: the braces open inside it, and for a $”'...”' string the
// number of dollar signs that start an interpolation (0 for a single-quoted string).
type template struct {
	braces  int
	dollars int
}

// Init prepares s to scan file; err (may be nil) is called for each error.
func (s *Scanner) Init(file *token.File, err ErrorHandler) {
	s.file, s.src, s.err = file, file.Source(), err
	s.ch, s.offset, s.rdOffset = ' ', 0, 0
	s.templates = s.templates[:0]
	s.ErrorCount = 0
	s.next()
	if s.ch == bom {
		s.next()
	}
}

func (s *Scanner) next() {
	if s.rdOffset >= len(s.src) {
		s.offset = len(s.src)
		s.ch = -1
		return
	}
	s.offset = s.rdOffset
	r, w := rune(s.src[s.rdOffset]), 1
	if r >= utf8.RuneSelf {
		r, w = utf8.DecodeRune(s.src[s.rdOffset:])
	}
	s.rdOffset += w
	s.ch = r
}

func (s *Scanner) peek() byte {
	if s.rdOffset < len(s.src) {
		return s.src[s.rdOffset]
	}
	return 0
}

func (s *Scanner) error(offset int, msg string) {
	if s.err != nil {
		s.err(s.file.Position(s.file.Pos(offset)), msg)
	}
	s.ErrorCount++
}

// Scan returns the next token, its position and its source text (for IDENT, INT and strings, the
// literal as written, quotes and interpolation delimiters included).
func (s *Scanner) Scan() (pos token.Pos, tok token.Token, lit string) {
scanAgain:
	for s.ch == ' ' || s.ch == '\t' || s.ch == '\r' || s.ch == '\v' || s.ch == '\f' {
		s.next()
	}
	start := s.offset
	pos = s.file.Pos(start)
	switch ch := s.ch; {
	case ch == -1:
		return pos, token.EOF, ""
	case isLetter(ch):
		for isLetter(s.ch) || isDigit(s.ch) {
			s.next()
		}
		return pos, token.IDENT, string(s.src[start:s.offset])
	case isDigit(ch):
		for isDigit(s.ch) {
			s.next()
		}
		return pos, token.INT, string(s.src[start:s.offset])
	}
	ch := s.ch
	s.next()
	switch ch {
	case '\n':
		s.closeSingleLineTemplates()
		return pos, token.NEWLINE, "\n"
	case '/':
		switch s.ch {
		case '/':
			for s.ch != '\n' && s.ch != -1 {
				s.next()
			}
			goto scanAgain
		case '*':
			s.next()
			for {
				if s.ch == -1 {
					s.error(start, "the multi-line comment is not terminated; end it with */ (BCP002)")
					break
				}
				if s.ch == '*' && s.peek() == '/' {
					s.next()
					s.next()
					break
				}
				s.next()
			}
			goto scanAgain
		}
		return pos, token.QUO, ""
	case '#':
		if s.atLineStart(start) && s.directive(start) {
			goto scanAgain
		}
		s.error(start, `unrecognised token "#" (BCP001)`)
		return pos, token.ILLEGAL, "#"
	case '\'':
		if s.ch == '\'' && s.peek() == '\'' {
			s.next()
			s.next()
			return pos, token.MULTILINE, s.multiline(start)
		}
		tok = s.stringBody(start, token.STRING, token.STRING_LEFT)
		return pos, tok, string(s.src[start:s.offset])
	case '$':
		dollars := 1
		for s.ch == '$' {
			dollars++
			s.next()
		}
		if s.atTripleQuote() {
			s.next()
			s.next()
			s.next()
			tok = s.multilineBody(start, dollars, token.MULTILINE, token.STRING_LEFT)
			return pos, tok, string(s.src[start:s.offset])
		}
	case '^':
		return pos, token.HAT, ""
	case '{':
		if n := len(s.templates); n > 0 && s.templates[n-1].dollars > 0 {
			s.templates[n-1].braces++
		}
		return pos, token.LBRACE, ""
	case '}':
		if n := len(s.templates); n > 0 {
			if t := s.templates[n-1]; t.braces == 0 {
				s.templates = s.templates[:n-1]
				if t.dollars > 0 {
					tok = s.multilineBody(start, t.dollars, token.STRING_RIGHT, token.STRING_MID)
				} else {
					tok = s.stringBody(start, token.STRING_RIGHT, token.STRING_MID)
				}
				return pos, tok, string(s.src[start:s.offset])
			}
			s.templates[n-1].braces--
		}
		return pos, token.RBRACE, ""
	case '[':
		return pos, token.LBRACK, ""
	case ']':
		return pos, token.RBRACK, ""
	case '(':
		return pos, token.LPAREN, ""
	case ')':
		return pos, token.RPAREN, ""
	case ',':
		return pos, token.COMMA, ""
	case '@':
		return pos, token.AT, ""
	case '+':
		return pos, token.ADD, ""
	case '-':
		return pos, token.SUB, ""
	case '*':
		return pos, token.MUL, ""
	case '%':
		return pos, token.REM, ""
	case '.':
		if s.ch == '.' && s.peek() == '.' {
			s.next()
			s.next()
			return pos, token.ELLIPSIS, ""
		}
		return pos, token.DOT, ""
	case ':':
		if s.ch == ':' {
			s.next()
			return pos, token.DCOLON, ""
		}
		return pos, token.COLON, ""
	case '?':
		if s.ch == '?' {
			s.next()
			return pos, token.COALESCE, ""
		}
		return pos, token.QUESTION, ""
	case '=':
		switch s.ch {
		case '=':
			s.next()
			return pos, token.EQ, ""
		case '~':
			s.next()
			return pos, token.EQI, ""
		case '>':
			s.next()
			return pos, token.ARROW, ""
		}
		return pos, token.ASSIGN, ""
	case '!':
		switch s.ch {
		case '=':
			s.next()
			return pos, token.NEQ, ""
		case '~':
			s.next()
			return pos, token.NEQI, ""
		}
		return pos, token.NOT, ""
	case '<':
		if s.ch == '=' {
			s.next()
			return pos, token.LEQ, ""
		}
		return pos, token.LT, ""
	case '>':
		if s.ch == '=' {
			s.next()
			return pos, token.GEQ, ""
		}
		return pos, token.GT, ""
	case '&':
		if s.ch == '&' {
			s.next()
			return pos, token.LAND, ""
		}
	case '|':
		if s.ch == '|' {
			s.next()
			return pos, token.LOR, ""
		}
		return pos, token.PIPE, ""
	case '"':
		s.error(start, `unrecognised token "\"": strings are written in single quotes in Bicep (BCP103)`)
		for s.ch != '"' && s.ch != '\n' && s.ch != -1 {
			s.next()
		}
		if s.ch == '"' {
			s.next()
		}
		return pos, token.ILLEGAL, string(s.src[start:s.offset])
	}
	s.error(start, fmt.Sprintf("unrecognised token %q (BCP001)", ch))
	return pos, token.ILLEGAL, string(ch)
}

// closeSingleLineTemplates forgets the interpolations of single-quoted strings at a newline: such
// a string cannot go on past the end of its line.
func (s *Scanner) closeSingleLineTemplates() {
	for n := len(s.templates); n > 0 && s.templates[n-1].dollars == 0; n-- {
		s.templates = s.templates[:n-1]
	}
}

// atLineStart reports whether only blanks precede offset on its line.
func (s *Scanner) atLineStart(offset int) bool {
	for i := offset - 1; i >= 0 && s.src[i] != '\n'; i-- {
		if c := s.src[i]; c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// directive skips a #disable-next-line, #disable-diagnostics or #restore-diagnostics directive
// (Bicep linter pragmas, not lensix suppressions); s is just past the "#".
func (s *Scanner) directive(start int) bool {
	rest := s.src[s.offset:]
	var name string
	for _, d := range []string{"disable-next-line", "disable-diagnostics", "restore-diagnostics"} {
		if strings.HasPrefix(string(rest[:min(len(rest), len(d))]), d) {
			name = d
			break
		}
	}
	if name == "" {
		return false
	}
	for range len(name) {
		s.next()
	}
	codes := 0
	for s.ch != '\n' && s.ch != -1 && (s.ch == ' ' || s.ch == '\t' || codes > 0) {
		for s.ch == ' ' || s.ch == '\t' || s.ch == '\r' {
			s.next()
		}
		if s.ch == '\n' || s.ch == -1 || s.ch == '/' {
			break
		}
		codes++
		for s.ch != ' ' && s.ch != '\t' && s.ch != '\r' && s.ch != '\n' && s.ch != -1 {
			s.next()
		}
	}
	if codes == 0 {
		s.error(start, fmt.Sprintf("#%s needs at least one diagnostic code after it (BCP226)", name))
	}
	for s.ch != '\n' && s.ch != -1 {
		s.next()
	}
	return true
}

// stringBody scans the characters of a single-quoted string up to and including the closing
// quote (returning end) or the "${" that opens an interpolation (returning open).
func (s *Scanner) stringBody(start int, end, open token.Token) token.Token {
	for {
		switch s.ch {
		case -1:
			s.error(start, "the string is not terminated; end it with ' (BCP003)")
			return end
		case '\n':
			s.error(start, "the string is not terminated before the end of the line; end it with ' or use a '''multi-line''' string (BCP004)")
			return end
		case '\'':
			s.next()
			return end
		case '\\':
			escapeAt := s.offset
			s.next()
			switch s.ch {
			case '\\', '\'', 'n', 'r', 't', '$':
				s.next()
			case 'u':
				s.next()
				if !s.unicodeEscape() {
					s.error(escapeAt, `the \u{...} escape needs 1 to 6 hexadecimal digits in braces (BCP006)`)
				}
			case -1, '\n':
				s.error(escapeAt, `the string ends with an unfinished escape sequence (BCP005)`)
			default:
				s.error(escapeAt, `unrecognised escape sequence; only \$ \' \\ \n \r \t \u{...} are allowed (BCP006)`)
				s.next()
			}
		case '$':
			s.next()
			if s.ch == '{' {
				s.next()
				s.templates = append(s.templates, template{})
				return open
			}
		default:
			s.next()
		}
	}
}

func (s *Scanner) unicodeEscape() bool {
	if s.ch != '{' {
		return false
	}
	s.next()
	digits := 0
	for isHex(s.ch) {
		digits++
		s.next()
	}
	if s.ch != '}' {
		return false
	}
	s.next()
	return digits >= 1 && digits <= 6
}

// atTripleQuote reports whether the three characters from the current one are quotes.
func (s *Scanner) atTripleQuote() bool {
	return s.ch == '\'' && s.peek() == '\'' && s.offset+2 < len(s.src) && s.src[s.offset+2] == '\''
}

// multilineBody scans an interpolated multi-line string after its opening (or after the "}"
// closing an interpolation) up to the closing quotes (returning end) or the run of dollars and
// "{" that opens an interpolation (returning open).
func (s *Scanner) multilineBody(start, dollars int, end, open token.Token) token.Token {
	run := 0
	for {
		switch {
		case s.ch == -1:
			s.error(s.offset, "the multi-line string is not terminated; end it with ''' (BCP140)")
			return end
		case s.atTripleQuote():
			s.next()
			s.next()
			s.next()
			for s.ch == '\'' {
				s.next()
			}
			return end
		case s.ch == '{' && run >= dollars:
			s.next()
			s.templates = append(s.templates, template{dollars: dollars})
			return open
		case s.ch == '$':
			run++
			s.next()
			continue
		default:
			s.next()
		}
		run = 0
	}
}

// multiline scans a ”'...”' string whose opening quotes are consumed; it returns its raw text.
func (s *Scanner) multiline(start int) string {
	for {
		if s.ch == -1 {
			s.error(s.offset, "the multi-line string is not terminated; end it with ''' (BCP140)")
			return string(s.src[start:s.offset])
		}
		if s.ch == '\'' && s.peek() == '\'' && s.offset+2 < len(s.src) && s.src[s.offset+2] == '\'' {
			s.next()
			s.next()
			s.next()
			// Quotes beyond the closing three belong to the content, as in Bicep.
			for s.ch == '\'' {
				s.next()
			}
			return string(s.src[start:s.offset])
		}
		s.next()
	}
}

func isLetter(ch rune) bool {
	return 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || ch == '_' || ch >= utf8.RuneSelf && unicode.IsLetter(ch)
}

func isDigit(ch rune) bool { return '0' <= ch && ch <= '9' }

func isHex(ch rune) bool { return isDigit(ch) || 'a' <= ch && ch <= 'f' || 'A' <= ch && ch <= 'F' }
