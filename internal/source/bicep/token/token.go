// Package token defines the lexical tokens of Bicep and the positions of source text, in the way
// go/token does for Go: a Pos is a cheap integer that a File turns into line and column.
package token

import "strconv"

// Token is the kind of a lexical token. Bicep keywords are contextual (a property may be called
// "resource"), so they are scanned as IDENT and recognised by the parser.
type Token int

const (
	ILLEGAL Token = iota
	EOF
	NEWLINE

	IDENT        // storageAccount
	INT          // 123
	STRING       // 'abc' (complete, no interpolation)
	STRING_LEFT  // 'abc${
	STRING_MID   // }abc${
	STRING_RIGHT // }abc'
	MULTILINE    // '''abc'''

	LBRACE   // {
	RBRACE   // }
	LBRACK   // [
	RBRACK   // ]
	LPAREN   // (
	RPAREN   // )
	COMMA    // ,
	DOT      // .
	COLON    // :
	DCOLON   // ::
	QUESTION // ?
	COALESCE // ??
	ASSIGN   // =
	AT       // @
	ARROW    // =>
	ELLIPSIS // ...
	PIPE     // |
	HAT      // ^ (index from the end)

	EQ    // ==
	NEQ   // !=
	EQI   // =~
	NEQI  // !~
	LT    // <
	LEQ   // <=
	GT    // >
	GEQ   // >=
	ADD   // +
	SUB   // -
	MUL   // *
	QUO   // /
	REM   // %
	NOT   // !
	LAND  // &&
	LOR   // ||
	count // number of tokens
)

var names = [...]string{
	ILLEGAL: "ILLEGAL", EOF: "end of file", NEWLINE: "newline",
	IDENT: "identifier", INT: "integer", STRING: "string", STRING_LEFT: "string", STRING_MID: "string",
	STRING_RIGHT: "string", MULTILINE: "multi-line string",
	LBRACE: "{", RBRACE: "}", LBRACK: "[", RBRACK: "]", LPAREN: "(", RPAREN: ")", COMMA: ",", DOT: ".",
	COLON: ":", DCOLON: "::", QUESTION: "?", COALESCE: "??", ASSIGN: "=", AT: "@", ARROW: "=>",
	ELLIPSIS: "...", PIPE: "|", HAT: "^", EQ: "==", NEQ: "!=", EQI: "=~", NEQI: "!~", LT: "<", LEQ: "<=", GT: ">",
	GEQ: ">=", ADD: "+", SUB: "-", MUL: "*", QUO: "/", REM: "%", NOT: "!", LAND: "&&", LOR: "||",
}

func (t Token) String() string {
	if t >= 0 && t < count && names[t] != "" {
		return names[t]
	}
	return "token(" + strconv.Itoa(int(t)) + ")"
}

// Lowest is the precedence of the ternary operator; binary operators bind tighter.
const (
	LowestPrec = 0
	UnaryPrec  = 8
)

// Precedence returns the binding strength of a binary operator, or LowestPrec if t is not one.
// Bicep's table, loosest first: ?? , ||, &&, equality, relational, additive, multiplicative.
func (t Token) Precedence() int {
	switch t {
	case COALESCE:
		return 1
	case LOR:
		return 2
	case LAND:
		return 3
	case EQ, NEQ, EQI, NEQI:
		return 4
	case LT, LEQ, GT, GEQ:
		return 5
	case ADD, SUB:
		return 6
	case MUL, QUO, REM:
		return 7
	}
	return LowestPrec
}

// IsString reports whether t starts or is a single-quoted string.
func (t Token) IsString() bool { return t == STRING || t == STRING_LEFT }
