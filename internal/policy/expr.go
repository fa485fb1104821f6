package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// A policy string that starts with "[" and ends with "]" is a template expression, as in ARM
// templates: "[concat('tags[', parameters('tagName'), ']')]". A leading "[[" escapes the bracket.
// This file parses them; functions.go evaluates them. ARM's own, larger function library lives in
// internal/source/arm on another branch; the two should become one package once both are merged.

// exprNode is a parsed template expression.
type exprNode interface{ exprNode() }

type (
	// literal is a string or number constant.
	literal struct{ value any }
	// call is a function call: name(args...).
	call struct {
		name string
		args []exprNode
	}
	// member is x.name, a property access.
	member struct {
		x    exprNode
		name string
	}
	// index is x[i], an array index or property access by an expression.
	index struct {
		x, i exprNode
	}
)

func (literal) exprNode() {}
func (call) exprNode()    {}
func (member) exprNode()  {}
func (index) exprNode()   {}

// isExpression reports whether s is a template expression rather than a literal string.
func isExpression(s string) bool {
	return len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' && !strings.HasPrefix(s, "[[")
}

// unescapeLiteral removes the escaping "[" of a literal that starts with "[[".
func unescapeLiteral(s string) string {
	if strings.HasPrefix(s, "[[") {
		return s[1:]
	}
	return s
}

// parseExpression parses the text between the outer brackets of a template expression.
func parseExpression(src string) (exprNode, error) {
	p := &exprParser{src: src}
	p.next()
	n, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("unexpected %s after the expression", p.tok)
	}
	return n, nil
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokNumber
	tokPunct // ( ) , . [ ]
	tokError
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func (t token) String() string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return fmt.Sprintf("string '%s'", t.text)
	default:
		return fmt.Sprintf("%q", t.text)
	}
}

type exprParser struct {
	src string
	off int
	tok token
}

func (p *exprParser) errorf(format string, args ...any) error {
	return fmt.Errorf("expression %q, column %d: %s", p.src, p.tok.pos+1, fmt.Sprintf(format, args...))
}

// next scans one token.
func (p *exprParser) next() {
	for p.off < len(p.src) && (p.src[p.off] == ' ' || p.src[p.off] == '\t' || p.src[p.off] == '\n' || p.src[p.off] == '\r') {
		p.off++
	}
	start := p.off
	if p.off >= len(p.src) {
		p.tok = token{kind: tokEOF, pos: start}
		return
	}
	c := p.src[p.off]
	switch {
	case c == '\'':
		var b strings.Builder
		p.off++
		for {
			if p.off >= len(p.src) {
				p.tok = token{kind: tokError, text: "unterminated string", pos: start}
				return
			}
			if p.src[p.off] == '\'' {
				if p.off+1 < len(p.src) && p.src[p.off+1] == '\'' {
					b.WriteByte('\'')
					p.off += 2
					continue
				}
				p.off++
				break
			}
			b.WriteByte(p.src[p.off])
			p.off++
		}
		p.tok = token{kind: tokString, text: b.String(), pos: start}
	case c == '-' || (c >= '0' && c <= '9'):
		p.off++
		for p.off < len(p.src) && (p.src[p.off] >= '0' && p.src[p.off] <= '9' || p.src[p.off] == '.') {
			p.off++
		}
		p.tok = token{kind: tokNumber, text: p.src[start:p.off], pos: start}
	case isIdentStart(c):
		for p.off < len(p.src) && isIdentPart(p.src[p.off]) {
			p.off++
		}
		p.tok = token{kind: tokIdent, text: p.src[start:p.off], pos: start}
	case strings.IndexByte("(),.[]", c) >= 0:
		p.off++
		p.tok = token{kind: tokPunct, text: string(c), pos: start}
	default:
		p.off++
		p.tok = token{kind: tokError, text: fmt.Sprintf("unexpected character %q", c), pos: start}
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func (p *exprParser) expect(punct string) error {
	if p.tok.kind != tokPunct || p.tok.text != punct {
		return p.errorf("expected %q, found %s", punct, p.tok)
	}
	p.next()
	return nil
}

func (p *exprParser) parseExpr() (exprNode, error) {
	var n exprNode
	switch p.tok.kind {
	case tokString:
		n = literal{value: p.tok.text}
		p.next()
	case tokNumber:
		f, err := strconv.ParseFloat(p.tok.text, 64)
		if err != nil {
			return nil, p.errorf("bad number %s", p.tok.text)
		}
		n = literal{value: f}
		p.next()
	case tokIdent:
		name := p.tok.text
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		c := call{name: name}
		if !(p.tok.kind == tokPunct && p.tok.text == ")") {
			for {
				arg, err := p.parseExpr()
				if err != nil {
					return nil, err
				}
				c.args = append(c.args, arg)
				if p.tok.kind == tokPunct && p.tok.text == "," {
					p.next()
					continue
				}
				break
			}
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		n = c
	case tokError:
		return nil, p.errorf("%s", p.tok.text)
	default:
		return nil, p.errorf("expected a function call, string or number, found %s", p.tok)
	}
	for p.tok.kind == tokPunct {
		switch p.tok.text {
		case ".":
			p.next()
			if p.tok.kind != tokIdent {
				return nil, p.errorf("expected a property name after '.', found %s", p.tok)
			}
			n = member{x: n, name: p.tok.text}
			p.next()
		case "[":
			p.next()
			i, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			n = index{x: n, i: i}
		default:
			return n, nil
		}
	}
	return n, nil
}

// walkCalls calls visit for every function call in n, outermost first.
func walkCalls(n exprNode, visit func(call) error) error {
	switch n := n.(type) {
	case call:
		if err := visit(n); err != nil {
			return err
		}
		for _, a := range n.args {
			if err := walkCalls(a, visit); err != nil {
				return err
			}
		}
	case member:
		return walkCalls(n.x, visit)
	case index:
		if err := walkCalls(n.x, visit); err != nil {
			return err
		}
		return walkCalls(n.i, visit)
	}
	return nil
}
