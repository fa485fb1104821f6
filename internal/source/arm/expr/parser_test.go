package expr

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"a function call with string arguments", "[concat('a', 'b')]", "concat('a', 'b')"},
		{"doubled quotes escape a quote", "[format('it''s {0}', 1)]", "format('it''s {0}', 1)"},
		{"property and index access chain", "[parameters('x').a[0]['b'].c]", "parameters('x').a[0]['b'].c"},
		{"negative and decimal numbers", "[add(-1, 2.5)]", "add(-1, 2.5)"},
		{"bare true false and null are literals", "[if(true, false, null)]", "if(true, false, null)"},
		{"a namespaced user function", "[ns.fn(1)]", "ns.fn(1)"},
		{"lambdas are calls", "[map(variables('a'), lambda('x', lambdaVariables('x')))]", "map(variables('a'), lambda('x', lambdaVariables('x')))"},
		{"whitespace is ignored", "[ concat ( 'a' ,\n 'b' ) ]", "concat('a', 'b')"},
		{"no arguments", "[resourceGroup().location]", "resourceGroup().location"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := Format(n); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if n.Pos() < 1 || int(n.End()) > len(tt.src)-1 {
				t.Errorf("span %d..%d is outside the brackets of %q", n.Pos(), n.End(), tt.src)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		col       int
		contains  string
	}{
		{"an unclosed call", "[concat('a', 'b']", 16, "',' or ')' expected"},
		{"an unclosed string", "[concat('a)]", 8, "string not closed"},
		{"a name without a call", "[parameters]", 11, "'(' expected"},
		{"a trailing comma in arguments", "[concat('a',)]", 12, "argument expected"},
		{"an illegal character", "[concat('a') + 1]", 13, "unexpected character"},
		{"an empty expression", "[]", 1, "expression expected"},
		{"junk after the expression", "[concat('a') 'b']", 13, "after the expression"},
		{"a dot without a name", "[a().]", 5, "property name expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("got %v, want *Error", err)
			}
			if int(e.Pos) != tt.col || !strings.Contains(e.Msg, tt.contains) {
				t.Errorf("got %d %q, want %d containing %q", e.Pos, e.Msg, tt.col, tt.contains)
			}
		})
	}
}

func TestIsExpressionAndEscape(t *testing.T) {
	tests := []struct {
		s       string
		isExpr  bool
		literal string
	}{
		{"[concat('a')]", true, ""},
		{"[[not an expression]", false, "[not an expression]"},
		{"plain", false, "plain"},
		{"[x", false, "[x"},
	}
	for _, tt := range tests {
		if got := IsExpression(tt.s); got != tt.isExpr {
			t.Errorf("IsExpression(%q) = %v", tt.s, got)
		}
		if !tt.isExpr {
			if got := LiteralValue(tt.s); got != tt.literal {
				t.Errorf("LiteralValue(%q) = %q, want %q", tt.s, got, tt.literal)
			}
		}
	}
}

func TestDeepNestingIsAnErrorNotACrash(t *testing.T) {
	src := "[" + strings.Repeat("a(", 5000) + strings.Repeat(")", 5000) + "]"
	if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("got %v, want a nesting error", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{"[concat('a', 'b')]", "[parameters('x').a[0]]", "[if(true, 1, -2.5)]", "[ns.f()]", "[a('''')]", "[a(]"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		n, err := Parse(src)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Pos < 0 || int(e.Pos) > len(src) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		again, err := Parse("[" + Format(n) + "]")
		if err != nil {
			t.Fatalf("formatted %q does not parse: %v", Format(n), err)
		}
		if Format(again) != Format(n) {
			t.Fatalf("format is not stable: %q vs %q", Format(again), Format(n))
		}
	})
}
