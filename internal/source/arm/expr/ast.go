// Package expr scans and parses ARM template expressions — the "[...]" strings of a template —
// into a syntax tree whose nodes know their offsets in the string, in the manner of go/parser.
package expr

import (
	"strconv"
	"strings"
)

// Pos is a byte offset in the expression string, counting the opening '[' as 0.
type Pos int

// Node is an expression.
type Node interface {
	Pos() Pos // first byte
	End() Pos // byte just after
}

// String is a string literal ('it”s').
type String struct {
	ValuePos, EndPos Pos
	Value            string
}

// Number is an integer or decimal literal.
type Number struct {
	ValuePos, EndPos Pos
	// Value is int64 when the literal is an integer that fits, else float64.
	Value any
}

// Literal is one of the bare words true, false and null.
type Literal struct {
	ValuePos, EndPos Pos
	Value            any
}

// Call is a function call; Name is qualified with a namespace for user-defined functions
// ("ns.fn").
type Call struct {
	Name           string
	NamePos        Pos
	Lparen, Rparen Pos
	Args           []Node
}

// Member is property access: X.Name.
type Member struct {
	X       Node
	Name    string
	NamePos Pos
}

// Index is element or property access by value: X[Index].
type Index struct {
	X              Node
	Index          Node
	Lbrack, Rbrack Pos
}

func (n *String) Pos() Pos  { return n.ValuePos }
func (n *String) End() Pos  { return n.EndPos }
func (n *Number) Pos() Pos  { return n.ValuePos }
func (n *Number) End() Pos  { return n.EndPos }
func (n *Literal) Pos() Pos { return n.ValuePos }
func (n *Literal) End() Pos { return n.EndPos }
func (n *Call) Pos() Pos    { return n.NamePos }
func (n *Call) End() Pos    { return n.Rparen + 1 }
func (n *Member) Pos() Pos  { return n.X.Pos() }
func (n *Member) End() Pos  { return n.NamePos + Pos(len(n.Name)) }
func (n *Index) Pos() Pos   { return n.X.Pos() }
func (n *Index) End() Pos   { return n.Rbrack + 1 }

// IsExpression reports whether a template string is an expression: it starts with '[' and ends
// with ']', and does not start with the "[[" escape that makes it a literal.
func IsExpression(s string) bool {
	return len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' && s[1] != '['
}

// LiteralValue returns the string value of a template string that is not an expression: the
// "[[" escape loses its first bracket.
func LiteralValue(s string) string {
	if len(s) >= 2 && strings.HasPrefix(s, "[[") && s[len(s)-1] == ']' {
		return s[1:]
	}
	return s
}

// Format prints an expression back as ARM text, without the enclosing brackets.
func Format(n Node) string {
	var b strings.Builder
	format(&b, n)
	return b.String()
}

func format(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case *String:
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(n.Value, "'", "''"))
		b.WriteByte('\'')
	case *Number:
		switch v := n.Value.(type) {
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case float64:
			b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
		}
	case *Literal:
		switch v := n.Value.(type) {
		case bool:
			b.WriteString(strconv.FormatBool(v))
		default:
			b.WriteString("null")
		}
	case *Call:
		b.WriteString(n.Name)
		b.WriteByte('(')
		for i, a := range n.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			format(b, a)
		}
		b.WriteByte(')')
	case *Member:
		format(b, n.X)
		b.WriteByte('.')
		b.WriteString(n.Name)
	case *Index:
		format(b, n.X)
		b.WriteByte('[')
		format(b, n.Index)
		b.WriteByte(']')
	}
}
