package expr

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a syntax error at an offset in the expression string.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("column %d: %s", e.Pos+1, e.Msg) }

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 500

// Parse parses an expression string, brackets included ("[concat('a', 'b')]"). The first syntax
// error ends the parse: an expression is one statement, so there is nothing to recover to.
func Parse(src string) (Node, error) {
	if !IsExpression(src) {
		return nil, &Error{0, "not an expression: it must start with '[' and end with ']'"}
	}
	p := &parser{src: src}
	p.sc.Init(src, 1, len(src)-1)
	p.next()
	n := p.expr(0)
	if p.err == nil && p.tok != EOF {
		p.errorf(p.pos, "unexpected %s after the expression", p.describe())
	}
	if p.err != nil {
		return nil, p.err
	}
	return n, nil
}

type parser struct {
	src string
	sc  Scanner
	tok Token
	pos Pos
	lit string
	err *Error
}

func (p *parser) next() {
	if p.err != nil {
		p.tok = EOF
		return
	}
	p.tok, p.pos, p.lit = p.sc.Scan()
	if p.tok == Illegal {
		p.errorf(p.pos, "%s", p.lit)
	}
}

func (p *parser) errorf(pos Pos, format string, args ...any) {
	if p.err == nil {
		p.err = &Error{pos, fmt.Sprintf(format, args...)}
	}
	p.tok = EOF
}

func (p *parser) describe() string {
	switch p.tok {
	case Ident, Num:
		return fmt.Sprintf("%s %q", p.tok, p.lit)
	case Str:
		return "string '" + p.lit + "'"
	}
	return p.tok.String()
}

func (p *parser) expect(t Token) Pos {
	pos := p.pos
	if p.tok != t {
		p.errorf(p.pos, "%s expected, found %s", t, p.describe())
		return pos
	}
	p.next()
	return pos
}

func (p *parser) expr(depth int) Node {
	if depth > maxDepth {
		p.errorf(p.pos, "expression nested more than %d deep", maxDepth)
		return nil
	}
	x := p.primary(depth)
	for p.err == nil {
		switch p.tok {
		case Dot:
			p.next()
			if p.tok != Ident {
				p.errorf(p.pos, "property name expected after '.', found %s", p.describe())
				return nil
			}
			x = &Member{X: x, Name: p.lit, NamePos: p.pos}
			p.next()
		case Lbrack:
			lb := p.pos
			p.next()
			idx := p.expr(depth + 1)
			rb := p.expect(Rbrack)
			x = &Index{X: x, Index: idx, Lbrack: lb, Rbrack: rb}
		default:
			return x
		}
	}
	return x
}

func (p *parser) primary(depth int) Node {
	switch p.tok {
	case Str:
		n := &String{ValuePos: p.pos, Value: p.lit, EndPos: Pos(p.sc.pos)}
		p.next()
		return n
	case Num:
		n := &Number{ValuePos: p.pos, EndPos: p.pos + Pos(len(p.lit))}
		if i, err := strconv.ParseInt(p.lit, 10, 64); err == nil {
			n.Value = i
		} else if f, err := strconv.ParseFloat(p.lit, 64); err == nil {
			n.Value = f
		} else {
			p.errorf(p.pos, "malformed number %q", p.lit)
		}
		p.next()
		return n
	case Ident:
		namePos, name := p.pos, p.lit
		p.next()
		var qualified []string
		for p.tok == Dot && p.err == nil {
			p.next()
			if p.tok != Ident {
				p.errorf(p.pos, "function name expected after '%s.', found %s", name, p.describe())
				return nil
			}
			qualified = append(qualified, p.lit)
			p.next()
		}
		if p.tok != Lparen {
			if len(qualified) == 0 {
				switch strings.ToLower(name) {
				case "true", "false":
					return &Literal{ValuePos: namePos, EndPos: namePos + Pos(len(name)), Value: strings.EqualFold(name, "true")}
				case "null":
					return &Literal{ValuePos: namePos, EndPos: namePos + Pos(len(name))}
				}
			}
			p.errorf(p.pos, "'(' expected after function name %q, found %s", name, p.describe())
			return nil
		}
		if len(qualified) > 0 {
			name += "." + strings.Join(qualified, ".")
		}
		call := &Call{Name: name, NamePos: namePos, Lparen: p.pos}
		p.next()
		for p.tok != Rparen && p.err == nil {
			call.Args = append(call.Args, p.expr(depth+1))
			if p.tok == Comma {
				p.next()
				if p.tok == Rparen {
					p.errorf(p.pos, "argument expected after ','")
				}
				continue
			}
			if p.tok != Rparen {
				p.errorf(p.pos, "',' or ')' expected in the arguments of %s, found %s", name, p.describe())
			}
		}
		call.Rparen = p.expect(Rparen)
		return call
	case EOF:
		if p.err == nil {
			p.errorf(p.pos, "expression expected, found %s", p.describe())
		}
		return nil
	}
	p.errorf(p.pos, "expression expected, found %s", p.describe())
	return nil
}
