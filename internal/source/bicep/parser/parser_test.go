package parser_test

import (
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/source/bicep/ast"
	"github.com/lensix/lensix/internal/source/bicep/parser"
	"github.com/lensix/lensix/internal/source/bicep/token"
)

func parse(t *testing.T, src string) *ast.File {
	t.Helper()
	f, errs := parser.ParseFile("main.bicep", []byte(src))
	for _, e := range errs {
		t.Errorf("unexpected error: %v", e)
	}
	return f
}

func TestParseDeclarations(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, f *ast.File)
	}{
		{
			name: "a resource with decorators, nested child and parent reference keeps its parts",
			src: `@description('apim')
resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'apim-${suffix}'
  identity: {
    type: 'SystemAssigned'
  }
  resource portal 'portalsettings' = {
    name: 'signin'
  }
}`,
			check: func(t *testing.T, f *ast.File) {
				r := f.Decls[0].(*ast.ResourceDecl)
				if r.Name.Name != "apim" || len(r.Decorators) != 1 || r.Existing {
					t.Fatalf("resource header = %+v", r)
				}
				if typ, _ := r.Type.Literal(); typ != "Microsoft.ApiManagement/service@2023-05-01-preview" {
					t.Errorf("type = %q", typ)
				}
				body := r.Value.(*ast.ObjectLit)
				if len(body.Items) != 3 {
					t.Fatalf("body has %d items, want 3", len(body.Items))
				}
				name := body.Items[0].(*ast.Property).Value.(*ast.StringLit)
				if len(name.Exprs) != 1 || name.Parts[0] != "apim-" {
					t.Errorf("name interpolation = %+v", name)
				}
				if child := body.Items[2].(*ast.ResourceDecl); child.Name.Name != "portal" {
					t.Errorf("nested resource = %s", child.Name.Name)
				}
			},
		},
		{
			name: "an existing resource, a conditional module and a loop are told apart",
			src: `resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: 'kv'
}
module m './m.bicep' = if (deploy) {
  name: 'm'
}
resource many 'Microsoft.Storage/storageAccounts@2023-01-01' = [for (n, i) in names: if (i > 0) {
  name: n
}]`,
			check: func(t *testing.T, f *ast.File) {
				if !f.Decls[0].(*ast.ResourceDecl).Existing {
					t.Error("existing keyword not recorded")
				}
				if _, ok := f.Decls[1].(*ast.ModuleDecl).Value.(*ast.IfExpr); !ok {
					t.Error("module body is not an if")
				}
				loop := f.Decls[2].(*ast.ResourceDecl).Value.(*ast.ForExpr)
				if loop.Item.Name != "n" || loop.Index.Name != "i" {
					t.Errorf("loop variables = %v, %v", loop.Item, loop.Index)
				}
				if _, ok := loop.Body.(*ast.IfExpr); !ok {
					t.Error("loop body is not a filter")
				}
			},
		},
		{
			name: "operators bind as Bicep's precedence table says",
			src:  `var x = a ?? b || c && d == e + f * g ? 1 : 2`,
			check: func(t *testing.T, f *ast.File) {
				tern := f.Decls[0].(*ast.VarDecl).Value.(*ast.TernaryExpr)
				coalesce := tern.Cond.(*ast.BinaryExpr)
				if coalesce.Op != token.COALESCE {
					t.Fatalf("loosest operator = %v, want ??", coalesce.Op)
				}
				or := coalesce.Y.(*ast.BinaryExpr)
				and := or.Y.(*ast.BinaryExpr)
				eq := and.Y.(*ast.BinaryExpr)
				add := eq.Y.(*ast.BinaryExpr)
				if or.Op != token.LOR || and.Op != token.LAND || eq.Op != token.EQ || add.Op != token.ADD || add.Y.(*ast.BinaryExpr).Op != token.MUL {
					t.Errorf("operators nest wrongly: %v %v %v %v", or.Op, and.Op, eq.Op, add.Op)
				}
			},
		},
		{
			name: "safe access, non-null assertion, index from the end and resource access parse as postfix",
			src:  `var x = a.?b[?0]!.c[^1]::child.d`,
			check: func(t *testing.T, f *ast.File) {
				sel := f.Decls[0].(*ast.VarDecl).Value.(*ast.SelectorExpr)
				access := sel.X.(*ast.ResourceAccessExpr)
				idx := access.X.(*ast.IndexExpr)
				if !idx.FromEnd {
					t.Error("[^1] not recorded as from the end")
				}
				nonNull := idx.X.(*ast.SelectorExpr).X.(*ast.NonNullExpr)
				if !nonNull.X.(*ast.IndexExpr).Safe || !nonNull.X.(*ast.IndexExpr).X.(*ast.SelectorExpr).Safe {
					t.Error("safe access not recorded")
				}
			},
		},
		{
			name: "lambdas, user-defined functions and typed variables parse",
			src: `func double(x int) int => x * 2
var y = map(xs, (x, i) => x + i)
var z string = 'a'`,
			check: func(t *testing.T, f *ast.File) {
				fn := f.Decls[0].(*ast.FuncDecl)
				if len(fn.Params) != 1 || fn.Params[0].Name.Name != "x" {
					t.Errorf("func params = %+v", fn.Params)
				}
				call := f.Decls[1].(*ast.VarDecl).Value.(*ast.CallExpr)
				if l := call.Args[1].(*ast.LambdaExpr); len(l.Params) != 2 {
					t.Errorf("lambda params = %d", len(l.Params))
				}
				if f.Decls[2].(*ast.VarDecl).Type.(*ast.Ident).Name != "string" {
					t.Error("typed variable lost its type")
				}
			},
		},
		{
			name: "user-defined types with unions, nullables and object properties parse",
			src: `@sealed()
type t = {
  @minLength(1)
  name: string
  kind: 'a' | 'b'
  tags: object?
  *: string
}
param p t[]?`,
			check: func(t *testing.T, f *ast.File) {
				obj := f.Decls[0].(*ast.TypeDecl).Type.(*ast.ObjectLit)
				if len(obj.Items) != 4 {
					t.Fatalf("type has %d properties", len(obj.Items))
				}
				if _, ok := obj.Items[1].(*ast.Property).Value.(*ast.UnionType); !ok {
					t.Error("kind is not a union")
				}
				if _, ok := f.Decls[1].(*ast.ParamDecl).Type.(*ast.NullableType); !ok {
					t.Error("param type is not nullable")
				}
			},
		},
		{
			name: "imports, extensions and multi-line strings parse",
			src:  "import {a, b as c} from 'mod.bicep'\nimport * as ns from 'mod.bicep'\nextension kubernetes with {\n  namespace: 'x'\n} as k8s\nvar s = '''\nline ${not} interpolated\n'''",
			check: func(t *testing.T, f *ast.File) {
				if imp := f.Decls[0].(*ast.ImportDecl); len(imp.Symbols) != 2 || imp.Symbols[1].Alias.Name != "c" {
					t.Errorf("import symbols = %+v", imp.Symbols)
				}
				if !f.Decls[1].(*ast.ImportDecl).Wildcard {
					t.Error("wildcard import not recorded")
				}
				if ext := f.Decls[2].(*ast.ExtensionDecl); ext.Alias.Name != "k8s" {
					t.Errorf("extension alias = %v", ext.Alias)
				}
				if s := f.Decls[3].(*ast.VarDecl).Value.(*ast.StringLit); s.Parts[0] != "line ${not} interpolated\n" {
					t.Errorf("multi-line string = %q", s.Parts[0])
				}
			},
		},
		{
			name: "call arguments in column 1 named like keywords are not declarations",
			src:  "var x = concat(\nparam,\ntype\n)",
			check: func(t *testing.T, f *ast.File) {
				if call := f.Decls[0].(*ast.VarDecl).Value.(*ast.CallExpr); len(call.Args) != 2 {
					t.Errorf("call has %d arguments, want 2", len(call.Args))
				}
			},
		},
		{
			name: "a .bicepparam file with using and parameter assignments parses",
			src:  "using './main.bicep'\nparam name = 'x'\nparam count = 3",
			check: func(t *testing.T, f *ast.File) {
				if u := f.Decls[0].(*ast.UsingDecl); u.Path.Parts[0] != "./main.bicep" {
					t.Errorf("using path = %v", u.Path.Parts)
				}
				if p := f.Decls[1].(*ast.ParamDecl); p.Type != nil || p.Default == nil {
					t.Errorf("param assignment = %+v", p)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, parse(t, tt.src))
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		wantLines []int
		wantMsg   string
	}{
		{
			name:      "a misspelt keyword yields one error and the next declaration still parses",
			src:       "parm x string\nparam y string",
			wantLines: []int{1},
			wantMsg:   "BCP007",
		},
		{
			name:      "a missing colon in a property is reported on its line and the object goes on",
			src:       "var o = {\n  a: 1\n  b 2\n  c: 3\n}\nvar z = 1",
			wantLines: []int{3},
			wantMsg:   "BCP018",
		},
		{
			name:      "an unterminated string is reported and the next line is read",
			src:       "var s = 'abc\nvar t = 'ok'",
			wantLines: []int{1},
			wantMsg:   "BCP004",
		},
		{
			name:      "a double-quoted string is named as such",
			src:       `var s = "abc"`,
			wantLines: []int{1},
			wantMsg:   "single quotes",
		},
		{
			name:      "a resource without a type string is reported",
			src:       "resource r = {\n}\nvar z = 1",
			wantLines: []int{1, 2},
			wantMsg:   "BCP068",
		},
		{
			name:      "an unclosed object ends at the next top-level declaration",
			src:       "var o = {\n  a: 1\nparam p string\n",
			wantLines: []int{3},
			wantMsg:   "BCP018",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := parser.ParseFile("main.bicep", []byte(tt.src))
			var lines []int
			for _, e := range errs {
				lines = append(lines, e.Pos.Line)
			}
			if len(lines) != len(tt.wantLines) {
				t.Fatalf("errors on lines %v, want %v: %v", lines, tt.wantLines, errs)
			}
			for i := range lines {
				if lines[i] != tt.wantLines[i] {
					t.Errorf("errors on lines %v, want %v", lines, tt.wantLines)
				}
			}
			if !strings.Contains(errs[0].Error(), tt.wantMsg) || !strings.HasPrefix(errs[0].Error(), "main.bicep:") {
				t.Errorf("first error %q does not name the file or mention %q", errs[0], tt.wantMsg)
			}
		})
	}
}

func TestPositionsAreLineAndCharacterColumns(t *testing.T) {
	src := "\ufeffvar emoji = '💪'\nresource r 'T@v' = {\n}"
	f := parse(t, src)
	r := f.Decls[1].(*ast.ResourceDecl)
	start, end := f.File.Position(r.Pos()), f.File.Position(r.End())
	if start.Line != 2 || start.Column != 1 || end.Line != 3 || end.Column != 2 {
		t.Errorf("resource spans %v to %v, want 2:1 to 3:2", start, end)
	}
	emoji := f.Decls[0].(*ast.VarDecl).Value
	if p := f.File.Position(emoji.End()); p.Column != 17 {
		t.Errorf("string ends at column %d, want 17 (characters, not bytes)", p.Column)
	}
}
