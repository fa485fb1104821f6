package jsonpos

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseValues(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want any
	}{
		{"an integer is an int64", `1`, int64(1)},
		{"a decimal is a float64", `1.5`, 1.5},
		{"an integer too large for int64 is a float64", `12345678901234567890`, 12345678901234567890.0},
		{"escapes are decoded", `"a\"b\\c\n\u00e9"`, "a\"b\\c\né"},
		{"a surrogate pair is one character", `"\ud83d\ude00"`, "😀"},
		{"line comments are skipped", "// lead\n{\"a\": 1 // trail\n}", map[string]any{"a": int64(1)}},
		{"block comments are skipped", `/* x */ [1, /* y */ 2]`, []any{int64(1), int64(2)}},
		{"a trailing comma in an object is accepted", `{"a": true,}`, map[string]any{"a": true}},
		{"a trailing comma in an array is accepted", `[null, false,]`, []any{nil, false}},
		{"a byte order mark is skipped", "\ufeff{}", map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := n.Value(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name       string
		src        string
		line, col  int
		msgContain string
	}{
		{"a missing comma names the property", "{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3, `after property "a"`},
		{"an unclosed object points at its brace", "{\"a\": [1, 2]", 1, 1, "object not closed"},
		{"a bare word asks for quotes", "{\"a\": yes}", 1, 7, "double quotes"},
		{"an unterminated comment is reported", "{} /* ", 1, 4, "comment not terminated"},
		{"text after the document is reported", "{} {}", 1, 4, "after the end"},
		{"an empty file wants a value", "", 1, 1, "end of file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("got %v, want *Error", err)
			}
			pos := NewFile("t.json", []byte(tt.src)).Position(e.Offset)
			if pos.Line != tt.line || pos.Column != tt.col || !strings.Contains(e.Msg, tt.msgContain) {
				t.Errorf("got %d:%d %q, want %d:%d containing %q", pos.Line, pos.Column, e.Msg, tt.line, tt.col, tt.msgContain)
			}
		})
	}
}

func TestSpansAndPositions(t *testing.T) {
	src := "{\n  \"é\": {\n    \"type\": \"x\"\n  }\n}"
	n, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	inner := n.Get("É")
	if inner == nil {
		t.Fatal("Get is not case-insensitive")
	}
	f := NewFile("t.json", []byte(src))
	r := f.Range(inner.Start, inner.End)
	if r.Start.Line != 2 || r.Start.Column != 8 || r.End.Line != 4 || r.End.Column != 4 {
		t.Errorf("object spans %d:%d-%d:%d, want 2:8-4:4 (columns count characters)", r.Start.Line, r.Start.Column, r.End.Line, r.End.Column)
	}
	if dup, _ := Parse([]byte(`{"a": 1, "a": 2}`)); dup.Get("a").Num != int64(2) || dup.Value().(map[string]any)["a"] != int64(2) {
		t.Error("of duplicate members the last does not win")
	}
	typ := inner.Get("type")
	if got := src[typ.Start:typ.End]; got != `"x"` {
		t.Errorf("string span covers %q", got)
	}
}

func TestDeepNestingIsAnErrorNotACrash(t *testing.T) {
	src := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	if _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("got %v, want a nesting error", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{`{}`, `{"a": [1, 2.5, "x", true, null,], /* c */ "b": {"c": "\u00e9"}}`, "// x\n[1]", `"\ud83d`, `{"a":`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := Parse(src)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Offset < 0 || e.Offset > len(src) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		if n.Start < 0 || n.End > len(src) || n.Start > n.End {
			t.Fatalf("bad span %d..%d of %d", n.Start, n.End, len(src))
		}
		_ = n.Value()
	})
}
