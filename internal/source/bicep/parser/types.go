package parser

import (
	"github.com/lensix/lensix/internal/source/bicep/ast"
	"github.com/lensix/lensix/internal/source/bicep/token"
)

// parseType parses a type expression: a union of postfix types ("'a' | 'b'", "string[]?",
// "foo.bar[*]", "{ name: string }", "[int, string]", "resourceInput<'T@v'>.properties").
func (p *parser) parseType() ast.Expr {
	start := p.pos
	leadingPipe := false
	if p.tok == token.PIPE {
		leadingPipe = true
		p.next()
	}
	first := p.parseTypePostfix()
	if !leadingPipe && !p.unionContinues() {
		return first
	}
	u := &ast.UnionType{Start: start, Members: []ast.Expr{first}}
	for p.unionContinues() {
		p.skipNewlines()
		p.next() // |
		u.Members = append(u.Members, p.parseTypePostfix())
	}
	return u
}

// unionContinues reports whether a "|" follows, possibly at the start of the next line.
func (p *parser) unionContinues() bool {
	return p.tok == token.PIPE || p.tok == token.NEWLINE && p.peek(1, true).tok == token.PIPE
}

func (p *parser) parseTypePostfix() ast.Expr {
	x := p.parseTypePrimary()
	for {
		switch p.tok {
		case token.LBRACK:
			lbrack := p.pos
			p.push(false)
			p.next()
			switch p.tok {
			case token.RBRACK:
				p.pop()
				x = &ast.ArrayType{Elem: x, Rbrack: p.pos}
				p.next()
				continue
			case token.MUL:
				p.next()
				p.pop()
				x = &ast.IndexExpr{X: x, Lbrack: lbrack, Star: true, Rbrack: p.pos}
			default:
				idx := p.parseExpr()
				p.pop()
				x = &ast.IndexExpr{X: x, Lbrack: lbrack, Index: idx, Rbrack: p.pos}
			}
			p.expect(token.RBRACK, "BCP018")
		case token.QUESTION:
			x = &ast.NullableType{X: x, Question: p.pos}
			p.next()
		case token.DOT:
			p.next()
			if p.tok == token.MUL {
				x = &ast.WildcardSelector{X: x, Star: p.pos}
				p.next()
				continue
			}
			if p.tok != token.IDENT {
				p.errorExpected("a property name", "BCP020")
				return x
			}
			x = &ast.SelectorExpr{X: x, Sel: &ast.Ident{NamePos: p.pos, Name: p.lit}}
			p.next()
			if p.tok == token.LT {
				x = p.parseGeneric(x)
			}
		case token.NOT:
			x = &ast.NonNullExpr{X: x, Bang: p.pos}
			p.next()
		default:
			return x
		}
	}
}

func (p *parser) parseTypePrimary() ast.Expr {
	pos := p.pos
	switch p.tok {
	case token.IDENT:
		switch p.lit {
		case "true", "false":
			value := p.lit == "true"
			p.next()
			return &ast.BoolLit{ValuePos: pos, Value: value}
		case "null":
			p.next()
			return &ast.NullLit{ValuePos: pos}
		case "resource":
			if next := p.peek(1, false).tok; next.IsString() {
				p.next()
				return &ast.ResourceTypeRef{Keyword: pos, Type: p.parseString()}
			}
		}
		id := &ast.Ident{NamePos: pos, Name: p.lit}
		p.next()
		if p.tok == token.LT {
			return p.parseGeneric(id)
		}
		return id
	case token.INT, token.STRING, token.STRING_LEFT, token.MULTILINE:
		return p.parsePrimary()
	case token.SUB, token.NOT:
		op := p.tok
		p.next()
		return &ast.UnaryExpr{OpPos: pos, Op: op, X: p.parseTypePrimary()}
	case token.LBRACE:
		return p.parseObject(true)
	case token.LBRACK:
		return p.parseArray(true)
	case token.LPAREN:
		paren := &ast.ParenExpr{Lparen: pos}
		p.push(false)
		p.next()
		paren.X = p.parseType()
		p.pop()
		paren.Rparen = p.expect(token.RPAREN, "BCP018")
		return paren
	}
	p.errorExpected("a type (string, int, bool, object, array, a literal, or a declared type)", "BCP279")
	if !p.isTerminator() && p.tok != token.ASSIGN {
		p.next()
	}
	return &ast.BadExpr{From: pos, To: p.pos}
}

func (p *parser) parseGeneric(name ast.Expr) ast.Expr {
	g := &ast.GenericType{Name: name}
	p.push(false)
	p.next() // <
	for p.tok != token.GT && p.tok != token.EOF && p.tok != token.RPAREN {
		start := p.i
		g.Args = append(g.Args, p.parseTypePostfix())
		if p.tok == token.COMMA {
			p.next()
		} else if p.tok != token.GT {
			p.errorExpected(`">"`, "BCP018")
			p.skipTo(true)
			if p.i == start {
				p.next()
			}
		}
	}
	p.pop()
	g.Gt = p.expect(token.GT, "BCP018")
	return g
}
