package bicep

import (
	"fmt"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/bicep/ast"
	"github.com/lensix/lensix/internal/source/bicep/token"
)

// A value declared across a syntax error is not trusted: the parser recovered, but what it read
// may not be what was written (an object cut off at the end of the file reads as empty). The
// rule: a property whose span holds a syntax error is unknown, unless its value is an object,
// whose properties are judged one by one; an object with a syntax error outside all its items
// (cut off, or garbled between items) is unknown as a whole. The body of a resource cannot be
// unknown as a whole, so there the envelope properties it does not declare become unknown.

// syntaxErrorIn returns the first syntax error of the file within [from, to).
func (f *sourceFile) syntaxErrorIn(from, to token.Pos) (token.Position, bool) {
	if len(f.syntaxErrors) == 0 {
		return token.Position{}, false
	}
	start, end := f.tok.Offset(from), f.tok.Offset(to)
	for _, e := range f.syntaxErrors {
		if e.Offset >= start && e.Offset < end {
			return e, true
		}
	}
	return token.Position{}, false
}

// looseSyntaxError returns a syntax error inside obj that lies in none of its items.
func (f *sourceFile) looseSyntaxError(obj *ast.ObjectLit) (token.Position, bool) {
	at, ok := f.syntaxErrorIn(obj.Pos(), obj.End())
	if !ok {
		return at, false
	}
	start, end := f.tok.Offset(obj.Pos()), f.tok.Offset(obj.End())
	for _, e := range f.syntaxErrors {
		if e.Offset < start || e.Offset >= end {
			continue
		}
		inItem := false
		for _, item := range obj.Items {
			if e.Offset >= f.tok.Offset(item.Pos()) && e.Offset < f.tok.Offset(item.End()) {
				inItem = true
				break
			}
		}
		if !inItem {
			return e, true
		}
	}
	return token.Position{}, false
}

// unreadable is the value of x, which a syntax error at at kept the parser from reading whole.
func (d *deployment) unreadable(at token.Position, x ast.Node) *resource.Unknown {
	return &resource.Unknown{
		Reason: fmt.Sprintf("the declaration has a syntax error at %s:%d:%d", d.file.path, at.Line, at.Column),
		Expr:   d.file.text(x),
	}
}

// propertyValue evaluates a property's value, unknown when a syntax error lies in it (objects
// are judged property by property, by object).
func (d *deployment) propertyValue(prop *ast.Property, e *env, st *state) any {
	if _, isObject := prop.Value.(*ast.ObjectLit); !isObject {
		if at, ok := d.file.syntaxErrorIn(prop.Pos(), prop.End()); ok {
			return d.unreadable(at, prop.Value)
		}
	}
	return d.eval(prop.Value, e, st)
}

// envelope are the top-level properties of an ARM resource besides type, apiVersion and name.
var envelope = []string{"location", "tags", "sku", "kind", "identity", "properties", "plan", "zones", "extendedLocation", "managedBy"}

// markUnreadBody sets the envelope properties a resource body with a loose syntax error does not
// declare to unknown: the part the parser could not read may have declared them.
func (d *deployment) markUnreadBody(obj *ast.ObjectLit, body map[string]any) {
	at, ok := d.file.looseSyntaxError(obj)
	if !ok {
		return
	}
	for _, key := range envelope {
		if _, declared := resource.Lookup(body, key); !declared {
			body[key] = &resource.Unknown{Reason: fmt.Sprintf("the declaration has a syntax error at %s:%d:%d; the part lensix could not read may set %s", d.file.path, at.Line, at.Column, key)}
		}
	}
}
