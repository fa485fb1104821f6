// Package ast declares the syntax tree of a Bicep file (.bicep or .bicepparam), with positions,
// in the way go/ast does for Go. Type expressions share the expression nodes where Bicep's
// grammar does (literals, identifiers, property access) and add their own where it does not.
package ast

import "github.com/lensix/lensix/internal/source/bicep/token"

// Node is any node of the tree; End is the position just after it.
type Node interface {
	Pos() token.Pos
	End() token.Pos
}

// Expr is a value or type expression.
type Expr interface {
	Node
	exprNode()
}

// Decl is a top-level statement.
type Decl interface {
	Node
	declNode()
}

// File is one parsed Bicep file.
type File struct {
	File  *token.File
	Decls []Decl
}

// Decorator is "@name(args)" or "@ns.name(args)" before a declaration or property.
type Decorator struct {
	At token.Pos
	X  Expr // a *CallExpr when well formed
}

func (d *Decorator) Pos() token.Pos { return d.At }
func (d *Decorator) End() token.Pos { return d.X.End() }

// ---- expressions ----

type (
	// BadExpr stands where a syntax error left no expression.
	BadExpr struct{ From, To token.Pos }
	// Ident is a name: a symbol, a function, a property or a type.
	Ident struct {
		NamePos token.Pos
		Name    string
	}
	// IntLit is an integer literal; Value is 0 when it does not fit 64 bits (an error is reported).
	IntLit struct {
		ValuePos token.Pos
		Lit      string
		Value    int64
	}
	// BoolLit is true or false.
	BoolLit struct {
		ValuePos token.Pos
		Value    bool
	}
	// NullLit is null.
	NullLit struct{ ValuePos token.Pos }
	// StringLit is a string, interpolated when Exprs is not empty: Parts[0] Exprs[0] Parts[1] ...
	// (len(Parts) == len(Exprs)+1). Parts are decoded text.
	StringLit struct {
		ValuePos  token.Pos
		EndPos    token.Pos
		Parts     []string
		Exprs     []Expr
		Multiline bool
	}
	// ObjectLit is "{ ... }": properties, nested resources and spreads, in order.
	ObjectLit struct {
		Lbrace, Rbrace token.Pos
		Items          []Node // *Property, *ResourceDecl, *SpreadExpr
	}
	// Property is "key: value" in an object, or "key: type" (Optional for "key?:") in an object type.
	// Key is an *Ident, a *StringLit, or nil for the additional-properties entry "*: type".
	Property struct {
		Decorators []*Decorator
		Key        Expr
		Optional   bool
		Colon      token.Pos
		Value      Expr
	}
	// ArrayLit is "[ ... ]"; in a type position it is a tuple type.
	ArrayLit struct {
		Lbrack, Rbrack token.Pos
		Items          []*ArrayItem
	}
	// ArrayItem is one element of an array literal or tuple type.
	ArrayItem struct {
		Decorators []*Decorator
		Value      Expr
	}
	// SpreadExpr is "...x" inside an object or array.
	SpreadExpr struct {
		Ellipsis token.Pos
		X        Expr
	}
	// ParenExpr is "(x)".
	ParenExpr struct {
		Lparen, Rparen token.Pos
		X              Expr
	}
	// UnaryExpr is "!x" or "-x".
	UnaryExpr struct {
		OpPos token.Pos
		Op    token.Token
		X     Expr
	}
	// BinaryExpr is "x op y".
	BinaryExpr struct {
		X     Expr
		OpPos token.Pos
		Op    token.Token
		Y     Expr
	}
	// TernaryExpr is "cond ? then : else".
	TernaryExpr struct {
		Cond, Then, Else Expr
	}
	// SelectorExpr is "x.name" or, when Safe, "x.?name".
	SelectorExpr struct {
		X    Expr
		Sel  *Ident
		Safe bool
	}
	// IndexExpr is "x[i]", "x[?i]" when Safe, "x[^i]" when FromEnd; in a type, "t[*]" has Index
	// nil and Star set.
	IndexExpr struct {
		X              Expr
		Lbrack, Rbrack token.Pos
		Index          Expr
		Safe           bool
		Star           bool
		FromEnd        bool // x[^i]
	}
	// ResourceAccessExpr is "parent::child".
	ResourceAccessExpr struct {
		X    Expr
		Name *Ident
	}
	// NonNullExpr is "x!", asserting x is not null.
	NonNullExpr struct {
		X    Expr
		Bang token.Pos
	}
	// CallExpr is "f(args)" or "ns.f(args)" (Fun is then a *SelectorExpr).
	CallExpr struct {
		Fun            Expr
		Lparen, Rparen token.Pos
		Args           []Expr
	}
	// LambdaExpr is "x => body" or "(x, i) => body".
	LambdaExpr struct {
		Start  token.Pos
		Params []*Ident
		Body   Expr
	}
	// ForExpr is "[for item in range: body]" or "[for (item, index) in range: body]".
	ForExpr struct {
		Lbrack, Rbrack token.Pos
		Item, Index    *Ident
		Range          Expr
		Body           Expr
	}
	// IfExpr is "if (cond) body" for conditional resources and modules.
	IfExpr struct {
		If   token.Pos
		Cond Expr
		Body Expr
	}

	// ---- type-only expressions ----

	// NullableType is "t?".
	NullableType struct {
		X        Expr
		Question token.Pos
	}
	// ArrayType is "t[]".
	ArrayType struct {
		Elem   Expr
		Rbrack token.Pos
	}
	// UnionType is "a | b | c".
	UnionType struct {
		Start   token.Pos
		Members []Expr
	}
	// GenericType is "resource<'type@version'>" or "resourceInput<'type@version'>".
	GenericType struct {
		Name Expr // *Ident or *SelectorExpr (sys.resourceInput)
		Args []Expr
		Gt   token.Pos
	}
	// ResourceTypeRef is the legacy "resource 'type@version'" output type.
	ResourceTypeRef struct {
		Keyword token.Pos
		Type    *StringLit
	}
	// WildcardSelector is "t.*" (the additional-properties type of an object type).
	WildcardSelector struct {
		X    Expr
		Star token.Pos
	}
)

func (x *BadExpr) Pos() token.Pos            { return x.From }
func (x *Ident) Pos() token.Pos              { return x.NamePos }
func (x *IntLit) Pos() token.Pos             { return x.ValuePos }
func (x *BoolLit) Pos() token.Pos            { return x.ValuePos }
func (x *NullLit) Pos() token.Pos            { return x.ValuePos }
func (x *StringLit) Pos() token.Pos          { return x.ValuePos }
func (x *ObjectLit) Pos() token.Pos          { return x.Lbrace }
func (x *Property) Pos() token.Pos           { return firstPos(x.Decorators, x.Key, x.Colon) }
func (x *ArrayLit) Pos() token.Pos           { return x.Lbrack }
func (x *ArrayItem) Pos() token.Pos          { return firstPos(x.Decorators, x.Value, x.Value.Pos()) }
func (x *SpreadExpr) Pos() token.Pos         { return x.Ellipsis }
func (x *ParenExpr) Pos() token.Pos          { return x.Lparen }
func (x *UnaryExpr) Pos() token.Pos          { return x.OpPos }
func (x *BinaryExpr) Pos() token.Pos         { return x.X.Pos() }
func (x *TernaryExpr) Pos() token.Pos        { return x.Cond.Pos() }
func (x *SelectorExpr) Pos() token.Pos       { return x.X.Pos() }
func (x *IndexExpr) Pos() token.Pos          { return x.X.Pos() }
func (x *ResourceAccessExpr) Pos() token.Pos { return x.X.Pos() }
func (x *NonNullExpr) Pos() token.Pos        { return x.X.Pos() }
func (x *CallExpr) Pos() token.Pos           { return x.Fun.Pos() }
func (x *LambdaExpr) Pos() token.Pos         { return x.Start }
func (x *ForExpr) Pos() token.Pos            { return x.Lbrack }
func (x *IfExpr) Pos() token.Pos             { return x.If }
func (x *NullableType) Pos() token.Pos       { return x.X.Pos() }
func (x *ArrayType) Pos() token.Pos          { return x.Elem.Pos() }
func (x *UnionType) Pos() token.Pos          { return x.Start }
func (x *GenericType) Pos() token.Pos        { return x.Name.Pos() }
func (x *ResourceTypeRef) Pos() token.Pos    { return x.Keyword }
func (x *WildcardSelector) Pos() token.Pos   { return x.X.Pos() }

func (x *BadExpr) End() token.Pos { return x.To }
func (x *Ident) End() token.Pos   { return x.NamePos + token.Pos(len(x.Name)) }
func (x *IntLit) End() token.Pos  { return x.ValuePos + token.Pos(len(x.Lit)) }
func (x *BoolLit) End() token.Pos {
	return x.ValuePos + token.Pos(map[bool]int{true: 4, false: 5}[x.Value])
}
func (x *NullLit) End() token.Pos            { return x.ValuePos + 4 }
func (x *StringLit) End() token.Pos          { return x.EndPos }
func (x *ObjectLit) End() token.Pos          { return x.Rbrace + 1 }
func (x *Property) End() token.Pos           { return x.Value.End() }
func (x *ArrayLit) End() token.Pos           { return x.Rbrack + 1 }
func (x *ArrayItem) End() token.Pos          { return x.Value.End() }
func (x *SpreadExpr) End() token.Pos         { return x.X.End() }
func (x *ParenExpr) End() token.Pos          { return x.Rparen + 1 }
func (x *UnaryExpr) End() token.Pos          { return x.X.End() }
func (x *BinaryExpr) End() token.Pos         { return x.Y.End() }
func (x *TernaryExpr) End() token.Pos        { return x.Else.End() }
func (x *SelectorExpr) End() token.Pos       { return x.Sel.End() }
func (x *IndexExpr) End() token.Pos          { return x.Rbrack + 1 }
func (x *ResourceAccessExpr) End() token.Pos { return x.Name.End() }
func (x *NonNullExpr) End() token.Pos        { return x.Bang + 1 }
func (x *CallExpr) End() token.Pos           { return x.Rparen + 1 }
func (x *LambdaExpr) End() token.Pos         { return x.Body.End() }
func (x *ForExpr) End() token.Pos            { return x.Rbrack + 1 }
func (x *IfExpr) End() token.Pos             { return x.Body.End() }
func (x *NullableType) End() token.Pos       { return x.Question + 1 }
func (x *ArrayType) End() token.Pos          { return x.Rbrack + 1 }
func (x *UnionType) End() token.Pos          { return x.Members[len(x.Members)-1].End() }
func (x *GenericType) End() token.Pos        { return x.Gt + 1 }
func (x *ResourceTypeRef) End() token.Pos    { return x.Type.End() }
func (x *WildcardSelector) End() token.Pos   { return x.Star + 1 }

func (*BadExpr) exprNode()            {}
func (*Ident) exprNode()              {}
func (*IntLit) exprNode()             {}
func (*BoolLit) exprNode()            {}
func (*NullLit) exprNode()            {}
func (*StringLit) exprNode()          {}
func (*ObjectLit) exprNode()          {}
func (*ArrayLit) exprNode()           {}
func (*SpreadExpr) exprNode()         {}
func (*ParenExpr) exprNode()          {}
func (*UnaryExpr) exprNode()          {}
func (*BinaryExpr) exprNode()         {}
func (*TernaryExpr) exprNode()        {}
func (*SelectorExpr) exprNode()       {}
func (*IndexExpr) exprNode()          {}
func (*ResourceAccessExpr) exprNode() {}
func (*NonNullExpr) exprNode()        {}
func (*CallExpr) exprNode()           {}
func (*LambdaExpr) exprNode()         {}
func (*ForExpr) exprNode()            {}
func (*IfExpr) exprNode()             {}
func (*NullableType) exprNode()       {}
func (*ArrayType) exprNode()          {}
func (*UnionType) exprNode()          {}
func (*GenericType) exprNode()        {}
func (*ResourceTypeRef) exprNode()    {}
func (*WildcardSelector) exprNode()   {}

// Literal reports whether s has no interpolation, and its text if so.
func (x *StringLit) Literal() (string, bool) {
	if len(x.Exprs) > 0 {
		return "", false
	}
	return x.Parts[0], true
}

func firstPos(decorators []*Decorator, n Node, fallback token.Pos) token.Pos {
	if len(decorators) > 0 {
		return decorators[0].At
	}
	if n != nil {
		return n.Pos()
	}
	return fallback
}
