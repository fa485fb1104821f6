// Package parser builds the syntax tree of a Bicep file, in the way go/parser does for Go: a
// recursive-descent parser over the scanner's tokens that records every syntax error with its
// position, recovers at the next line or declaration, and always returns a (partial) tree.
package parser

import (
	"fmt"
	"strconv"

	"github.com/lensix/lensix/internal/source/bicep/ast"
	"github.com/lensix/lensix/internal/source/bicep/scanner"
	"github.com/lensix/lensix/internal/source/bicep/token"
)

// ParseFile parses the Bicep (or .bicepparam) source src, naming it filename in positions. It
// returns the tree, partial when there are errors, and the errors sorted by position.
func ParseFile(filename string, src []byte) (*ast.File, scanner.ErrorList) {
	file := token.NewFile(filename, src)
	var p parser
	p.init(file)
	f := p.parseFile()
	p.errors.Sort()
	return f, onePerLine(p.errors)
}

// onePerLine keeps the first error of each line, merging the scanner's and the parser's reports
// of the same mistake.
func onePerLine(errs scanner.ErrorList) scanner.ErrorList {
	var out scanner.ErrorList
	for _, e := range errs {
		if n := len(out); n > 0 && out[n-1].Pos.Line == e.Pos.Line {
			continue
		}
		out = append(out, e)
	}
	return out
}

type tokenInfo struct {
	pos token.Pos
	tok token.Token
	lit string
}

type parser struct {
	file   *token.File
	errors scanner.ErrorList
	toks   []tokenInfo
	i      int // index of the current token in toks

	// Current token.
	pos token.Pos
	tok token.Token
	lit string

	// newlineSensitive says, per open bracket, whether newlines separate items there ({ and [)
	// or are insignificant (( and string interpolations).
	newlineSensitive []bool
	lastErrorLine    int
}

func (p *parser) init(file *token.File) {
	p.file = file
	var s scanner.Scanner
	s.Init(file, func(pos token.Position, msg string) { p.errors.Add(pos, msg) })
	p.toks = make([]tokenInfo, 0, file.Size()/2+16) // a generous bound, so the slice is not regrown
	for {
		pos, tok, lit := s.Scan()
		p.toks = append(p.toks, tokenInfo{pos, tok, lit})
		if tok == token.EOF {
			break
		}
	}
	p.newlineSensitive = []bool{true}
	p.i = -1
	p.next()
}

func (p *parser) sensitive() bool { return p.newlineSensitive[len(p.newlineSensitive)-1] }

// next advances to the next token, skipping newlines where they do not matter.
func (p *parser) next() {
	if p.i < len(p.toks)-1 {
		p.i++
	}
	if !p.sensitive() {
		// A declaration keyword at the start of a line ends an unclosed "(" so that one missing
		// parenthesis does not swallow the rest of the file.
		for p.toks[p.i].tok == token.NEWLINE && p.i < len(p.toks)-1 && !p.declarationStartsAfter() {
			p.i++
		}
	}
	t := p.toks[p.i]
	p.pos, p.tok, p.lit = t.pos, t.tok, t.lit
}

// push enters a bracket where newlines matter (sensitive) or not; call it before consuming the
// opening token so that the token after it is read in the new mode.
func (p *parser) push(sensitive bool) { p.newlineSensitive = append(p.newlineSensitive, sensitive) }

// pop leaves a bracket; call it before consuming the closing token.
func (p *parser) pop() {
	if len(p.newlineSensitive) > 1 {
		p.newlineSensitive = p.newlineSensitive[:len(p.newlineSensitive)-1]
	}
}

// peek returns the token n places after the current one, not counting newlines when skipNL.
func (p *parser) peek(n int, skipNL bool) tokenInfo {
	j := p.i
	for n > 0 && j < len(p.toks)-1 {
		j++
		if skipNL && p.toks[j].tok == token.NEWLINE {
			continue
		}
		n--
	}
	return p.toks[j]
}

func (p *parser) skipNewlines() {
	for p.tok == token.NEWLINE {
		p.next()
	}
}

// errorAt records a syntax error; like go/parser, only the first error on a line is kept, so one
// typo yields one error.
func (p *parser) errorAt(pos token.Pos, msg string) {
	position := p.file.Position(pos)
	if position.Line == p.lastErrorLine {
		return
	}
	p.lastErrorLine = position.Line
	p.errors.Add(position, msg)
}

func (p *parser) errorExpected(what, code string) {
	found := p.tok.String()
	switch p.tok {
	case token.IDENT, token.INT:
		found = fmt.Sprintf("%q", p.lit)
	case token.STRING, token.STRING_LEFT, token.MULTILINE:
		found = "a string"
	}
	p.errorAt(p.pos, fmt.Sprintf("expected %s, found %s (%s)", what, found, code))
}

// expect consumes tok or reports that it is missing; it returns the token's position.
func (p *parser) expect(tok token.Token, code string) token.Pos {
	pos := p.pos
	if p.tok != tok {
		p.errorExpected(fmt.Sprintf("%q", tok.String()), code)
		return pos
	}
	p.next()
	return pos
}

func (p *parser) isKeyword(name string) bool { return p.tok == token.IDENT && p.lit == name }

// isTerminator reports whether the current token ends an item: the parser never consumes such a
// token while recovering from an error inside the item.
func (p *parser) isTerminator() bool {
	switch p.tok {
	case token.NEWLINE, token.EOF, token.RBRACE, token.RBRACK, token.RPAREN, token.COMMA:
		return true
	}
	return false
}

// skipTo skips tokens up to (not including) the next newline, or the next comma (if stopAtComma)
// or closing bracket at the current nesting depth, or the end of the file.
func (p *parser) skipTo(stopAtComma bool) {
	depth := 0
	for p.tok != token.EOF {
		switch p.tok {
		case token.LBRACE, token.LBRACK, token.LPAREN, token.STRING_LEFT:
			depth++
		case token.RBRACE, token.RBRACK, token.RPAREN, token.STRING_RIGHT:
			if depth == 0 {
				return
			}
			depth--
		case token.NEWLINE:
			return // Bicep recovers line by line, whatever brackets are open
		case token.COMMA:
			if depth == 0 && stopAtComma {
				return
			}
		}
		p.i++
		t := p.toks[p.i]
		p.pos, p.tok, p.lit = t.pos, t.tok, t.lit
	}
}

// skipLine skips to the end of the line, as Bicep does after a broken declaration header, so the
// lines that follow are read (and reported) as declarations of their own.
func (p *parser) skipLine() {
	for p.tok != token.NEWLINE && p.tok != token.EOF {
		p.i++
		t := p.toks[p.i]
		p.pos, p.tok, p.lit = t.pos, t.tok, t.lit
	}
}

// declarationHere reports whether the current token starts a top-level declaration in column 1
// ("param x", "test t"): an object still open there lacks its "}". Nested resources are left out
// because they may legitimately be written in column 1.
func (p *parser) declarationHere() bool {
	return p.tok == token.IDENT && p.lit != "resource" && declKeywords[p.lit] &&
		p.peek(1, false).tok == token.IDENT && p.file.Position(p.pos).Column == 1
}

// declarationStartsAfter reports whether the current newline is followed by a declaration
// keyword in the first column, where recovery from unbalanced brackets stops.
func (p *parser) declarationStartsAfter() bool {
	if p.i+1 >= len(p.toks) {
		return false
	}
	t := p.toks[p.i+1]
	if t.tok == token.AT {
		return p.file.Position(t.pos).Column == 1
	}
	return t.tok == token.IDENT && declKeywords[t.lit] && p.i+2 < len(p.toks) &&
		startsDeclaration(t.lit, p.toks[p.i+2].tok) && p.file.Position(t.pos).Column == 1
}

// startsDeclaration reports whether keyword followed by next looks like the start of a
// declaration ("param x", "import {", "targetScope ="), not an identifier used in an expression.
func startsDeclaration(keyword string, next token.Token) bool {
	switch next {
	case token.IDENT, token.STRING, token.STRING_LEFT:
		return true
	case token.LBRACE, token.MUL:
		return keyword == "import"
	case token.ASSIGN:
		return keyword == "targetScope"
	}
	return false
}

var declKeywords = map[string]bool{
	"targetScope": true, "metadata": true, "param": true, "var": true, "output": true, "resource": true,
	"module": true, "type": true, "func": true, "import": true, "extension": true, "using": true,
	"assert": true, "test": true, "extends": true, "extensionConfig": true,
}

// ---- declarations ----

func (p *parser) parseFile() *ast.File {
	f := &ast.File{File: p.file}
	for {
		p.skipNewlines()
		if p.tok == token.EOF {
			break
		}
		start := p.i
		decl := p.parseDecl()
		f.Decls = append(f.Decls, decl)
		if p.tok != token.NEWLINE && p.tok != token.EOF && !p.declarationHere() {
			p.errorExpected("a new line", "BCP019")
			p.skipLine()
		}
		if p.i == start {
			p.next() // never loop without progress
		}
	}
	return f
}

func (p *parser) parseDecorators() []*ast.Decorator {
	var list []*ast.Decorator
	for p.tok == token.AT {
		at := p.pos
		p.next()
		var x ast.Expr
		if p.tok != token.IDENT {
			p.errorExpected("a namespace or decorator name", "BCP123")
			x = &ast.BadExpr{From: p.pos, To: p.pos}
			p.skipTo(false)
		} else {
			x = p.parsePostfix(p.parsePrimary())
		}
		list = append(list, &ast.Decorator{At: at, X: x})
		if p.tok != token.NEWLINE && p.tok != token.EOF {
			p.errorExpected("a new line after the decorator", "BCP019")
			p.skipTo(false)
		}
		p.skipNewlines()
	}
	return list
}

func (p *parser) parseDecl() ast.Decl {
	decorators := p.parseDecorators()
	h := ast.Header{Decorators: decorators, Keyword: p.pos}
	var d ast.Decl
	if p.tok == token.IDENT {
		switch p.lit {
		case "targetScope":
			d = p.parseTargetScope(h)
		case "metadata":
			d = p.parseMetadata(h)
		case "param":
			d = p.parseParam(h)
		case "var":
			d = p.parseVar(h)
		case "output":
			d = p.parseOutput(h)
		case "type":
			d = p.parseTypeDecl(h)
		case "func":
			d = p.parseFunc(h)
		case "resource":
			d = p.parseResource(h)
		case "module":
			d = p.parseModule(h)
		case "test":
			d = p.parseTest(h)
		case "import":
			d = p.parseImport(h)
		case "extension":
			d = p.parseExtension(h)
		case "using":
			d = p.parseUsing(h)
		case "extends":
			d = p.parseExtends(h)
		case "extensionConfig":
			d = p.parseExtensionConfig(h)
		case "assert":
			d = p.parseAssert(h)
		}
	}
	if d == nil {
		if len(decorators) > 0 {
			p.errorExpected("a declaration after the decorator", "BCP132")
		} else {
			p.errorExpected("a declaration (metadata, param, var, resource, module, output, type, func, import, extension)", "BCP007")
		}
		p.skipLine()
		h.EndPos = p.pos
		return &ast.BadDecl{Header: h}
	}
	return d
}

// end sets a declaration's end to the end of the last consumed token.
func (p *parser) end(h *ast.Header) {
	if p.i == 0 {
		h.EndPos = p.pos
		return
	}
	j := p.i - 1
	for j > 0 && p.toks[j].tok == token.NEWLINE {
		j--
	}
	t := p.toks[j]
	h.EndPos = t.pos + token.Pos(max(len(t.lit), len(t.tok.String())))
	if t.tok == token.IDENT || t.tok == token.INT || t.tok == token.MULTILINE || t.tok >= token.STRING && t.tok <= token.STRING_RIGHT {
		h.EndPos = t.pos + token.Pos(len(t.lit))
	}
}

func (p *parser) parseIdent(what, code string) *ast.Ident {
	if p.tok != token.IDENT {
		p.errorExpected(what, code)
		return nil
	}
	id := &ast.Ident{NamePos: p.pos, Name: p.lit}
	if len(p.lit) > 255 {
		p.errorAt(p.pos, "the identifier is longer than 255 characters; shorten it (BCP024)")
	}
	p.next()
	return id
}

func (p *parser) parseTargetScope(h ast.Header) ast.Decl {
	p.next()
	d := &ast.TargetScopeDecl{Header: h}
	p.expect(token.ASSIGN, "BCP018")
	d.Value = p.parseExpr()
	p.end(&d.Header)
	return d
}

func (p *parser) parseMetadata(h ast.Header) ast.Decl {
	p.next()
	d := &ast.MetadataDecl{Header: h}
	if d.Name = p.parseIdent("a metadata identifier", "BCP266"); d.Name == nil {
		return p.bad(h)
	}
	p.expect(token.ASSIGN, "BCP018")
	d.Value = p.parseExpr()
	p.end(&d.Header)
	return d
}

// bad skips the rest of a declaration whose header is broken.
func (p *parser) bad(h ast.Header) ast.Decl {
	p.skipLine()
	p.end(&h)
	return &ast.BadDecl{Header: h}
}

func (p *parser) parseParam(h ast.Header) ast.Decl {
	p.next()
	d := &ast.ParamDecl{Header: h}
	if d.Name = p.parseIdent("a parameter identifier", "BCP013"); d.Name == nil {
		return p.bad(h)
	}
	if p.tok != token.ASSIGN { // .bicepparam files assign without a type
		d.Type = p.parseType()
	}
	switch p.tok {
	case token.ASSIGN:
		p.next()
		d.Default = p.parseExpr()
	case token.NEWLINE, token.EOF:
	default:
		p.errorExpected(`"=" or a new line`, "BCP008")
		p.skipTo(false)
	}
	p.end(&d.Header)
	return d
}

func (p *parser) parseVar(h ast.Header) ast.Decl {
	p.next()
	d := &ast.VarDecl{Header: h}
	if d.Name = p.parseIdent("a variable identifier", "BCP015"); d.Name == nil {
		return p.bad(h)
	}
	if p.tok != token.ASSIGN && !p.isTerminator() {
		d.Type = p.parseType()
	}
	p.expect(token.ASSIGN, "BCP018")
	d.Value = p.parseExpr()
	p.end(&d.Header)
	return d
}

func (p *parser) parseOutput(h ast.Header) ast.Decl {
	p.next()
	d := &ast.OutputDecl{Header: h}
	if d.Name = p.parseIdent("an output identifier", "BCP016"); d.Name == nil {
		return p.bad(h)
	}
	d.Type = p.parseType()
	p.expect(token.ASSIGN, "BCP018")
	d.Value = p.parseExpr()
	p.end(&d.Header)
	return d
}

func (p *parser) parseTypeDecl(h ast.Header) ast.Decl {
	p.next()
	d := &ast.TypeDecl{Header: h}
	if d.Name = p.parseIdent("a type identifier", "BCP325"); d.Name == nil {
		return p.bad(h)
	}
	p.expect(token.ASSIGN, "BCP018")
	d.Type = p.parseType()
	p.end(&d.Header)
	return d
}

func (p *parser) parseFunc(h ast.Header) ast.Decl {
	p.next()
	d := &ast.FuncDecl{Header: h}
	if d.Name = p.parseIdent("a function identifier", "BCP015"); d.Name == nil {
		return p.bad(h)
	}
	p.push(false)
	if p.tok != token.LPAREN {
		p.pop()
		p.errorExpected(`"("`, "BCP018")
		return p.bad(h)
	}
	p.next()
	for p.tok != token.RPAREN && p.tok != token.EOF && p.tok != token.NEWLINE {
		start := p.i
		name := p.parseIdent("a parameter name", "BCP013")
		if name != nil {
			d.Params = append(d.Params, &ast.FuncParam{Name: name, Type: p.parseType()})
		}
		if p.tok == token.COMMA {
			p.next()
		} else if p.tok != token.RPAREN {
			p.errorExpected(`"," or ")"`, "BCP018")
			p.skipTo(true)
			if p.i == start {
				p.next()
			}
		}
	}
	p.pop()
	p.expect(token.RPAREN, "BCP018")
	d.Result = p.parseType()
	p.expect(token.ARROW, "BCP018")
	d.Body = p.parseExpr()
	p.end(&d.Header)
	return d
}

// parseBody parses the value of a resource or module: an object, "if (...) {...}" or a loop.
func (p *parser) parseBody() ast.Expr {
	if p.tok == token.NEWLINE && p.peek(1, true).tok == token.IDENT && p.peek(1, true).lit == "if" {
		p.skipNewlines()
	}
	switch {
	case p.isKeyword("if"):
		return p.parseIf()
	case p.tok == token.LBRACE:
		return p.parseObject(false)
	case p.tok == token.LBRACK:
		if p.peek(1, true).tok != token.IDENT || p.peek(1, true).lit != "for" {
			p.errorAt(p.peek(1, true).pos, `expected "for": a resource or module list is written [for item in items: {...}] (BCP012)`)
			pos := p.pos
			p.skipLine()
			return &ast.BadExpr{From: pos, To: p.pos}
		}
		return p.parseFor(true)
	}
	p.errorExpected(`"{", "[" or "if"`, "BCP118")
	pos := p.pos
	p.skipTo(false)
	return &ast.BadExpr{From: pos, To: p.pos}
}

func (p *parser) parseIf() ast.Expr {
	x := &ast.IfExpr{If: p.pos}
	p.next()
	x.Cond = p.parseParenCondition()
	if p.tok != token.LBRACE {
		p.errorExpected(`"{"`, "BCP167")
		x.Body = &ast.BadExpr{From: p.pos, To: p.pos}
		p.skipTo(false)
		return x
	}
	x.Body = p.parseObject(false)
	return x
}

func (p *parser) parseParenCondition() ast.Expr {
	if p.tok != token.LPAREN {
		p.errorExpected(`"("`, "BCP018")
		return &ast.BadExpr{From: p.pos, To: p.pos}
	}
	return p.parsePrimary()
}

func (p *parser) parseResource(h ast.Header) *ast.ResourceDecl {
	p.next()
	d := &ast.ResourceDecl{Header: h}
	d.Name = p.parseIdent("a resource identifier", "BCP017")
	if d.Name == nil || !p.tok.IsString() {
		if d.Name != nil {
			p.errorExpected(`a resource type string such as 'Microsoft.Storage/storageAccounts@2023-01-01'`, "BCP068")
		}
		p.skipLine()
		p.end(&d.Header)
		return d
	}
	d.Type = p.parseString()
	if p.isKeyword("existing") {
		d.Existing = true
		p.next()
	}
	p.expect(token.ASSIGN, "BCP018")
	d.Value = p.parseBody()
	p.end(&d.Header)
	return d
}

func (p *parser) parseModule(h ast.Header) ast.Decl {
	p.next()
	d := &ast.ModuleDecl{Header: h}
	d.Name = p.parseIdent("a module identifier", "BCP096")
	if d.Name == nil || !p.tok.IsString() {
		if d.Name != nil {
			p.errorExpected("a module path string", "BCP097")
		}
		return p.bad(h)
	}
	d.Path = p.parseString()
	p.expect(token.ASSIGN, "BCP018")
	d.Value = p.parseBody()
	p.end(&d.Header)
	return d
}

func (p *parser) parseTest(h ast.Header) ast.Decl {
	p.next()
	d := &ast.TestDecl{Header: h}
	d.Name = p.parseIdent("a test identifier", "BCP346")
	if d.Name == nil || !p.tok.IsString() {
		if d.Name != nil {
			p.errorExpected("a test path string", "BCP347")
		}
		return p.bad(h)
	}
	d.Path = p.parseString()
	p.expect(token.ASSIGN, "BCP018")
	if p.tok != token.LBRACE {
		p.errorExpected(`"{"`, "BCP018")
		return p.bad(h)
	}
	d.Value = p.parseObject(false)
	p.end(&d.Header)
	return d
}

func (p *parser) parseImport(h ast.Header) ast.Decl {
	p.next()
	d := &ast.ImportDecl{Header: h}
	switch {
	case p.tok == token.MUL:
		d.Wildcard = true
		p.next()
		if !p.isKeyword("as") {
			p.errorExpected(`"as"`, "BCP012")
			return p.bad(h)
		}
		p.next()
		if d.Alias = p.parseIdent("an alias", "BCP202"); d.Alias == nil {
			return p.bad(h)
		}
	case p.tok == token.LBRACE:
		p.push(false)
		p.next()
		for p.tok != token.RBRACE && p.tok != token.EOF && !(p.tok == token.NEWLINE && p.declarationStartsAfter()) {
			start := p.i
			sym := &ast.ImportSymbol{}
			if p.tok.IsString() {
				sym.Name = p.parseString()
			} else if id := p.parseIdent("an imported symbol name", "BCP022"); id != nil {
				sym.Name = id
			}
			if p.isKeyword("as") {
				p.next()
				sym.Alias = p.parseIdent("an alias", "BCP202")
			}
			if sym.Name != nil {
				d.Symbols = append(d.Symbols, sym)
			}
			if p.tok == token.COMMA {
				p.next()
			} else if p.tok != token.RBRACE && p.toks[p.i-1].tok != token.NEWLINE {
				p.errorExpected(`"," or "}"`, "BCP018")
				p.skipTo(true)
			}
			if p.i == start {
				p.next() // never loop without progress
			}
		}
		p.pop()
		p.expect(token.RBRACE, "BCP018")
	case p.tok.IsString():
		// Legacy provider import: import 'az@1.0.0' [with {...}] [as name].
		d.Path = p.parseString()
		p.parseWithAs(&d.Config, &d.Alias)
		p.end(&d.Header)
		return d
	default:
		p.errorExpected(`"*", "{" or a string`, "BCP018")
		return p.bad(h)
	}
	if !p.isKeyword("from") {
		p.errorExpected(`"from"`, "BCP012")
		return p.bad(h)
	}
	p.next()
	if !p.tok.IsString() {
		p.errorExpected("a file path string", "BCP097")
		return p.bad(h)
	}
	d.Path = p.parseString()
	p.end(&d.Header)
	return d
}

func (p *parser) parseWithAs(config *ast.Expr, alias **ast.Ident) {
	if p.isKeyword("with") {
		p.next()
		*config = p.parseExpr()
	}
	if p.isKeyword("as") {
		p.next()
		*alias = p.parseIdent("an alias", "BCP202")
	}
}

func (p *parser) parseExtension(h ast.Header) ast.Decl {
	p.next()
	d := &ast.ExtensionDecl{Header: h}
	switch {
	case p.tok.IsString():
		d.Spec = p.parseString()
	case p.tok == token.IDENT:
		d.Spec = p.parseIdent("", "")
	default:
		p.errorExpected("an extension name or reference string", "BCP201")
		return p.bad(h)
	}
	p.parseWithAs(&d.Config, &d.Alias)
	p.end(&d.Header)
	return d
}

func (p *parser) parseUsing(h ast.Header) ast.Decl {
	p.next()
	d := &ast.UsingDecl{Header: h}
	switch {
	case p.tok.IsString():
		d.Path = p.parseString()
	case p.isKeyword("none"):
		p.next()
	default:
		p.errorExpected("a file path string or none", "BCP097")
		return p.bad(h)
	}
	if p.isKeyword("with") {
		p.next()
		d.With = p.parseExpr()
	}
	p.end(&d.Header)
	return d
}

func (p *parser) parseExtends(h ast.Header) ast.Decl {
	p.next()
	if !p.tok.IsString() {
		p.errorExpected("the path of the parameters file to extend", "BCP097")
		return p.bad(h)
	}
	d := &ast.ExtendsDecl{Header: h, Path: p.parseString()}
	p.end(&d.Header)
	return d
}

func (p *parser) parseExtensionConfig(h ast.Header) ast.Decl {
	p.next()
	d := &ast.ExtensionConfigDecl{Header: h}
	if d.Name = p.parseIdent("an extension alias", "BCP202"); d.Name == nil {
		return p.bad(h)
	}
	if !p.isKeyword("with") {
		p.errorExpected(`"with"`, "BCP012")
		return p.bad(h)
	}
	p.next()
	if p.tok != token.LBRACE {
		p.errorExpected(`"{"`, "BCP018")
		return p.bad(h)
	}
	d.Config = p.parseObject(false)
	p.end(&d.Header)
	return d
}

func (p *parser) parseAssert(h ast.Header) ast.Decl {
	p.next()
	d := &ast.AssertDecl{Header: h}
	if d.Name = p.parseIdent("an assert identifier", "BCP015"); d.Name == nil {
		return p.bad(h)
	}
	p.expect(token.ASSIGN, "BCP018")
	d.Value = p.parseExpr()
	p.end(&d.Header)
	return d
}

// ---- expressions ----

func (p *parser) parseExpr() ast.Expr {
	cond := p.parseBinary(1)
	p.continueOnNextLine(token.QUESTION)
	if p.tok != token.QUESTION {
		return cond
	}
	p.next()
	then := p.parseExpr()
	p.continueOnNextLine(token.COLON)
	if p.tok != token.COLON {
		p.errorExpected(`":"`, "BCP018")
		return &ast.TernaryExpr{Cond: cond, Then: then, Else: &ast.BadExpr{From: p.pos, To: p.pos}}
	}
	p.next()
	return &ast.TernaryExpr{Cond: cond, Then: then, Else: p.parseExpr()}
}

// continueOnNextLine skips newlines when the next line starts with tok ("?" or ":" of a ternary
// written over several lines).
func (p *parser) continueOnNextLine(tok token.Token) {
	if p.tok == token.NEWLINE && p.peek(1, true).tok == tok {
		p.skipNewlines()
	}
}

func (p *parser) parseBinary(minPrec int) ast.Expr {
	x := p.parseUnary()
	for {
		prec := p.tok.Precedence()
		if prec < minPrec || prec == token.LowestPrec {
			return x
		}
		op, opPos := p.tok, p.pos
		p.next()
		y := p.parseBinary(prec + 1)
		x = &ast.BinaryExpr{X: x, OpPos: opPos, Op: op, Y: y}
	}
}

func (p *parser) parseUnary() ast.Expr {
	if p.tok == token.NOT || p.tok == token.SUB {
		op, pos := p.tok, p.pos
		p.next()
		// Bicep does not chain unary operators ("!!x", "--1"), reserving "--".
		return &ast.UnaryExpr{OpPos: pos, Op: op, X: p.parsePostfix(p.parsePrimary())}
	}
	return p.parsePostfix(p.parsePrimary())
}

func (p *parser) parsePostfix(x ast.Expr) ast.Expr {
	for {
		switch p.tok {
		case token.DOT:
			p.next()
			safe := false
			if p.tok == token.QUESTION {
				safe = true
				p.next()
			}
			if p.tok != token.IDENT {
				p.errorExpected("a function or property name", "BCP020")
				return x
			}
			sel := &ast.SelectorExpr{X: x, Sel: &ast.Ident{NamePos: p.pos, Name: p.lit}, Safe: safe}
			p.next()
			x = sel
			if p.tok == token.LPAREN {
				x = p.parseCall(x)
			}
		case token.LBRACK:
			ix := &ast.IndexExpr{X: x, Lbrack: p.pos}
			p.push(false)
			p.next()
			if p.tok == token.QUESTION {
				ix.Safe = true
				p.next()
			}
			if p.tok == token.HAT {
				ix.FromEnd = true
				p.next()
			}
			if p.tok == token.RBRACK {
				p.errorAt(p.pos, "an empty indexer is not allowed; put an expression between the brackets (BCP117)")
				ix.Index = &ast.BadExpr{From: p.pos, To: p.pos}
			} else {
				ix.Index = p.parseExpr()
			}
			p.pop()
			ix.Rbrack = p.expect(token.RBRACK, "BCP018")
			x = ix
		case token.DCOLON:
			p.next()
			name := p.parseIdent("a nested resource name", "BCP020")
			if name == nil {
				return x
			}
			x = &ast.ResourceAccessExpr{X: x, Name: name}
		case token.NOT:
			x = &ast.NonNullExpr{X: x, Bang: p.pos}
			p.next()
		default:
			return x
		}
	}
}

func (p *parser) parseCall(fun ast.Expr) ast.Expr {
	call := &ast.CallExpr{Fun: fun, Lparen: p.pos}
	p.push(false)
	p.next()
	for p.tok != token.RPAREN && p.tok != token.EOF && p.tok != token.NEWLINE {
		start := p.i
		call.Args = append(call.Args, p.parseExpr())
		if p.tok == token.COMMA {
			p.next()
			if p.tok == token.RPAREN {
				p.errorExpected("an argument after the comma", "BCP009")
			}
		} else if p.tok != token.RPAREN {
			p.errorExpected(`"," or ")"`, "BCP018")
			p.skipTo(true)
			if p.tok == token.COMMA {
				p.next()
			}
			if p.i == start {
				p.next()
			}
		}
	}
	p.pop()
	call.Rparen = p.expect(token.RPAREN, "BCP018")
	return call
}

func (p *parser) parsePrimary() ast.Expr {
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
		}
		id := &ast.Ident{NamePos: pos, Name: p.lit}
		p.next()
		switch p.tok {
		case token.ARROW:
			return p.parseLambdaBody(pos, []*ast.Ident{id})
		case token.LPAREN:
			return p.parseCall(id)
		}
		return id
	case token.INT:
		lit := &ast.IntLit{ValuePos: pos, Lit: p.lit}
		v, err := strconv.ParseInt(p.lit, 10, 64)
		if err != nil {
			p.errorAt(pos, "the integer does not fit in 64 bits (BCP010)")
		}
		lit.Value = v
		p.next()
		return lit
	case token.STRING, token.STRING_LEFT, token.MULTILINE:
		return p.parseString()
	case token.LBRACE:
		return p.parseObject(false)
	case token.LBRACK:
		return p.parseArray(false)
	case token.LPAREN:
		if p.isLambda() {
			return p.parseLambda()
		}
		paren := &ast.ParenExpr{Lparen: pos}
		p.push(true)
		p.next()
		if p.tok == token.RPAREN {
			p.errorAt(p.pos, "parentheses must contain exactly one expression (BCP243)")
			paren.X = &ast.BadExpr{From: p.pos, To: p.pos}
		} else {
			paren.X = p.parseExpr()
			if p.tok == token.COMMA {
				p.errorAt(p.pos, "parentheses must contain exactly one expression (BCP243)")
				p.skipTo(false)
			}
		}
		p.pop()
		paren.Rparen = p.expect(token.RPAREN, "BCP018")
		return paren
	}
	if p.tok != token.ILLEGAL { // the scanner has reported it
		p.errorExpected("a value: a literal, an array, an object, a parenthesized expression or a function call", "BCP009")
	}
	if !p.isTerminator() {
		p.next()
	}
	return &ast.BadExpr{From: pos, To: p.pos}
}

// isLambda reports whether the "(" at the current token opens a lambda's parameter list: names
// separated by commas (newlines allowed), then ")" and "=>".
func (p *parser) isLambda() bool {
	wantName := true
	for j := p.i + 1; j < len(p.toks); j++ {
		switch t := p.toks[j].tok; {
		case t == token.NEWLINE:
		case t == token.IDENT && wantName:
			wantName = false
		case t == token.COMMA && !wantName:
			wantName = true
		case t == token.RPAREN && (!wantName || p.toks[j-1].tok == token.LPAREN):
			return j+1 < len(p.toks) && p.toks[j+1].tok == token.ARROW
		default:
			return false
		}
	}
	return false
}

func (p *parser) parseLambda() ast.Expr {
	start := p.pos
	var params []*ast.Ident
	p.push(false)
	p.next()
	for p.tok != token.RPAREN && p.tok != token.EOF && p.tok != token.NEWLINE {
		begin := p.i
		if id := p.parseIdent("a lambda parameter name", "BCP015"); id != nil {
			params = append(params, id)
		}
		if p.tok == token.COMMA {
			p.next()
		} else if p.tok != token.RPAREN {
			p.errorExpected(`"," or ")"`, "BCP018")
			p.skipTo(true)
			if p.i == begin {
				p.next()
			}
		}
	}
	p.pop()
	p.expect(token.RPAREN, "BCP018")
	return p.parseLambdaBody(start, params)
}

func (p *parser) parseLambdaBody(start token.Pos, params []*ast.Ident) ast.Expr {
	p.expect(token.ARROW, "BCP018")
	return &ast.LambdaExpr{Start: start, Params: params, Body: p.parseExpr()}
}

// parseString parses a string and its interpolations.
func (p *parser) parseString() *ast.StringLit {
	s := &ast.StringLit{ValuePos: p.pos}
	switch p.tok {
	case token.MULTILINE:
		s.Multiline = true
		s.Parts = []string{scanner.StringSegment(p.tok, p.lit, 0)}
		s.EndPos = p.pos + token.Pos(len(p.lit))
		p.next()
		return s
	case token.STRING:
		s.Parts = []string{scanner.StringSegment(p.tok, p.lit, 0)}
		s.EndPos = p.pos + token.Pos(len(p.lit))
		p.next()
		return s
	}
	dollars := scanner.Dollars(p.lit)
	s.Multiline = dollars > 0
	s.Parts = []string{scanner.StringSegment(p.tok, p.lit, dollars)}
	p.push(dollars > 0) // a single-quoted string ends at the line's end, holes included
	p.next()
	for {
		s.Exprs = append(s.Exprs, p.parseExpr())
		if p.tok == token.STRING_MID || p.tok == token.STRING_RIGHT {
			s.Parts = append(s.Parts, scanner.StringSegment(p.tok, p.lit, dollars))
			s.EndPos = p.pos + token.Pos(len(p.lit))
			if p.tok == token.STRING_RIGHT {
				p.pop()
				p.next()
				return s
			}
			p.next()
			continue
		}
		p.errorAt(p.pos, "unexpected tokens in the interpolated expression; close it with } (BCP064)")
		for p.tok != token.STRING_MID && p.tok != token.STRING_RIGHT && p.tok != token.EOF && p.tok != token.NEWLINE {
			p.i++
			t := p.toks[p.i]
			p.pos, p.tok, p.lit = t.pos, t.tok, t.lit
		}
		if p.tok != token.STRING_MID && p.tok != token.STRING_RIGHT {
			s.Parts = append(s.Parts, "")
			s.EndPos = p.pos
			p.pop()
			if p.tok != token.NEWLINE {
				p.next()
			}
			return s
		}
	}
}

// parseObject parses "{ ... }"; in a type (types) its values are types and keys may be optional.
func (p *parser) parseObject(types bool) *ast.ObjectLit {
	obj := &ast.ObjectLit{Lbrace: p.pos}
	p.push(true)
	p.next()
	for {
		p.skipNewlines()
		if p.tok == token.RBRACE || p.tok == token.EOF || p.declarationHere() {
			break
		}
		start := p.i
		if item := p.parseObjectItem(types); item != nil {
			obj.Items = append(obj.Items, item)
		}
		p.separator(token.RBRACE)
		if p.i == start {
			p.next()
		}
	}
	p.pop()
	obj.Rbrace = p.pos
	p.expect(token.RBRACE, "BCP018")
	return obj
}

// separator consumes what follows an object property or array item: a comma, a newline, or
// nothing before the closing bracket.
func (p *parser) separator(closing token.Token) {
	switch p.tok {
	case token.COMMA:
		p.next()
		if p.tok == token.NEWLINE {
			p.errorAt(p.pos, "unexpected new line after a comma; put the next item on the same line or remove the comma (BCP238)")
		}
	case token.NEWLINE, closing, token.EOF:
	default:
		p.errorExpected("a new line or a comma", "BCP236")
		p.skipTo(true)
		if p.tok == token.COMMA {
			p.next()
		}
	}
}

func (p *parser) parseObjectItem(types bool) ast.Node {
	decorators := p.parseDecorators()
	if p.tok == token.ELLIPSIS {
		pos := p.pos
		p.next()
		return &ast.SpreadExpr{Ellipsis: pos, X: p.parseExpr()}
	}
	if !types && p.isKeyword("resource") && p.peek(1, false).tok == token.IDENT {
		return p.parseResource(ast.Header{Decorators: decorators, Keyword: p.pos})
	}
	if !types && len(decorators) > 0 {
		p.errorAt(decorators[0].At, "expected a nested resource declaration after the decorator (BCP132)")
	}
	prop := &ast.Property{Decorators: decorators}
	switch {
	case p.tok == token.IDENT:
		prop.Key = &ast.Ident{NamePos: p.pos, Name: p.lit}
		p.next()
	case p.tok.IsString() || p.tok == token.MULTILINE:
		prop.Key = p.parseString()
	case types && p.tok == token.MUL:
		p.next() // "*: type" declares the additional properties
	default:
		p.errorExpected("a property name", "BCP022")
		p.skipTo(true)
		return nil
	}
	if types && p.tok == token.QUESTION {
		prop.Optional = true
		p.next()
	}
	prop.Colon = p.pos
	if p.tok != token.COLON {
		p.errorExpected(`":"`, "BCP018")
		p.skipTo(true)
		prop.Value = &ast.BadExpr{From: p.pos, To: p.pos}
		return prop
	}
	p.next()
	if types {
		prop.Value = p.parseType()
	} else {
		prop.Value = p.parseExpr()
	}
	return prop
}

// parseArray parses "[ ... ]", a loop "[for ...]", or in a type a tuple.
func (p *parser) parseArray(types bool) ast.Expr {
	if !types && p.peek(1, true).tok == token.IDENT && p.peek(1, true).lit == "for" {
		return p.parseFor(false)
	}
	arr := &ast.ArrayLit{Lbrack: p.pos}
	p.push(true)
	p.next()
	for {
		p.skipNewlines()
		if p.tok == token.RBRACK || p.tok == token.EOF {
			break
		}
		start := p.i
		item := &ast.ArrayItem{Decorators: p.parseDecorators()}
		switch {
		case p.tok == token.ELLIPSIS:
			pos := p.pos
			p.next()
			item.Value = &ast.SpreadExpr{Ellipsis: pos, X: p.parseExpr()}
		case types:
			item.Value = p.parseType()
		default:
			item.Value = p.parseExpr()
		}
		arr.Items = append(arr.Items, item)
		p.separator(token.RBRACK)
		if p.i == start {
			p.next()
		}
	}
	p.pop()
	arr.Rbrack = p.pos
	p.expect(token.RBRACK, "BCP018")
	return arr
}

// parseFor parses a loop; the body of a resource or module loop (declBody) must be an object or
// an if.
func (p *parser) parseFor(declBody bool) ast.Expr {
	f := &ast.ForExpr{Lbrack: p.pos}
	p.push(true)
	p.next() // [
	p.skipNewlines()
	p.next() // for
	switch p.tok {
	case token.IDENT:
		f.Item = p.parseIdent("", "")
	case token.LPAREN:
		p.next()
		var vars []*ast.Ident
		for p.tok != token.RPAREN && p.tok != token.EOF && p.tok != token.NEWLINE {
			start := p.i
			if id := p.parseIdent("a loop variable name", "BCP162"); id != nil {
				vars = append(vars, id)
			}
			if p.tok == token.COMMA {
				p.next()
			} else if p.tok != token.RPAREN {
				p.skipTo(true)
				if p.i == start {
					p.next()
				}
			}
		}
		p.expect(token.RPAREN, "BCP018")
		if len(vars) != 2 {
			p.errorAt(f.Lbrack, "the loop variable block must have exactly two elements: (item, index) (BCP249)")
		}
		if len(vars) > 0 {
			f.Item = vars[0]
		}
		if len(vars) > 1 {
			f.Index = vars[1]
		}
	default:
		p.errorExpected(`a loop item variable or "("`, "BCP162")
	}
	if !p.isKeyword("in") {
		p.errorExpected(`"in"`, "BCP012")
	} else {
		p.next()
	}
	f.Range = p.parseExpr()
	p.expect(token.COLON, "BCP018")
	switch {
	case p.isKeyword("if"):
		f.Body = p.parseIf()
	case declBody && p.tok != token.LBRACE:
		p.errorExpected(`"{" or "if"`, "BCP167")
		f.Body = &ast.BadExpr{From: p.pos, To: p.pos}
		p.skipTo(false)
	case declBody:
		f.Body = p.parseObject(false)
	default:
		f.Body = p.parseExpr()
	}
	if p.tok == token.NEWLINE && p.peek(1, true).tok == token.RBRACK {
		p.skipNewlines()
	}
	p.pop()
	f.Rbrack = p.pos
	p.expect(token.RBRACK, "BCP018")
	return f
}
