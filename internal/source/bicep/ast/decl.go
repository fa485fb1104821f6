package ast

import "github.com/lensix/lensix/internal/source/bicep/token"

// Header is what every declaration starts with: decorators, the keyword and its position, and
// where the declaration ends (just after its last token).
type Header struct {
	Decorators []*Decorator
	Keyword    token.Pos
	EndPos     token.Pos
}

// Pos is the start of the declaration: its first decorator, or its keyword.
func (h *Header) Pos() token.Pos {
	if len(h.Decorators) > 0 {
		return h.Decorators[0].At
	}
	return h.Keyword
}

// End is just after the declaration's last token.
func (h *Header) End() token.Pos { return h.EndPos }

type (
	// BadDecl stands where a syntax error left no declaration.
	BadDecl struct{ Header }
	// TargetScopeDecl is "targetScope = 'subscription'".
	TargetScopeDecl struct {
		Header
		Value Expr
	}
	// MetadataDecl is "metadata name = value".
	MetadataDecl struct {
		Header
		Name  *Ident
		Value Expr
	}
	// ParamDecl is "param name type [= default]" in a .bicep file, or "param name = value" in a
	// .bicepparam file (Type is then nil).
	ParamDecl struct {
		Header
		Name    *Ident
		Type    Expr
		Default Expr
	}
	// VarDecl is "var name [type] = value".
	VarDecl struct {
		Header
		Name  *Ident
		Type  Expr
		Value Expr
	}
	// OutputDecl is "output name type = value".
	OutputDecl struct {
		Header
		Name  *Ident
		Type  Expr
		Value Expr
	}
	// TypeDecl is "type name = type".
	TypeDecl struct {
		Header
		Name *Ident
		Type Expr
	}
	// FuncDecl is "func name(param type, ...) resultType => body".
	FuncDecl struct {
		Header
		Name   *Ident
		Params []*FuncParam
		Result Expr
		Body   Expr
	}
	// ResourceDecl is "resource name 'type@version' [existing] = body", where body is an object,
	// an IfExpr or a ForExpr. It also appears nested in another resource's body.
	ResourceDecl struct {
		Header
		Name     *Ident
		Type     *StringLit
		Existing bool
		Value    Expr
	}
	// ModuleDecl is "module name 'path' = body".
	ModuleDecl struct {
		Header
		Name  *Ident
		Path  *StringLit
		Value Expr
	}
	// TestDecl is "test name 'path' = { ... }".
	TestDecl struct {
		Header
		Name  *Ident
		Path  *StringLit
		Value Expr
	}
	// ImportDecl is "import * as ns from 'path'", "import {a, b as c} from 'path'", or the legacy
	// "import 'provider@version' [with {...}] [as name]" (Path is then the provider).
	ImportDecl struct {
		Header
		Wildcard bool
		Alias    *Ident // "* as alias" or legacy "as alias"
		Symbols  []*ImportSymbol
		Path     *StringLit
		Config   Expr
	}
	// ExtensionDecl is "extension spec [with {...}] [as alias]".
	ExtensionDecl struct {
		Header
		Spec   Expr // *Ident or *StringLit
		Config Expr
		Alias  *Ident
	}
	// UsingDecl is "using 'main.bicep'" (or "using none") in a .bicepparam file.
	UsingDecl struct {
		Header
		Path *StringLit // nil for "using none"
		With Expr
	}
	// ExtensionConfigDecl is "extensionConfig name with {...}" in a .bicepparam file.
	ExtensionConfigDecl struct {
		Header
		Name   *Ident
		Config Expr
	}
	// ExtendsDecl is "extends 'base.bicepparam'" in a .bicepparam file.
	ExtendsDecl struct {
		Header
		Path *StringLit
	}
	// AssertDecl is "assert name = condition".
	AssertDecl struct {
		Header
		Name  *Ident
		Value Expr
	}
)

// FuncParam is one typed parameter of a user-defined function.
type FuncParam struct {
	Name *Ident
	Type Expr
}

// ImportSymbol is "name" or "name as alias" (or "'quoted' as alias") in an import list.
type ImportSymbol struct {
	Name  Expr // *Ident or *StringLit
	Alias *Ident
}

func (*BadDecl) declNode()             {}
func (*TargetScopeDecl) declNode()     {}
func (*MetadataDecl) declNode()        {}
func (*ParamDecl) declNode()           {}
func (*VarDecl) declNode()             {}
func (*OutputDecl) declNode()          {}
func (*TypeDecl) declNode()            {}
func (*FuncDecl) declNode()            {}
func (*ResourceDecl) declNode()        {}
func (*ModuleDecl) declNode()          {}
func (*TestDecl) declNode()            {}
func (*ImportDecl) declNode()          {}
func (*ExtensionDecl) declNode()       {}
func (*UsingDecl) declNode()           {}
func (*AssertDecl) declNode()          {}
func (*ExtendsDecl) declNode()         {}
func (*ExtensionConfigDecl) declNode() {}
