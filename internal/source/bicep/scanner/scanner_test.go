package scanner_test

import (
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/source/bicep/scanner"
	"github.com/lensix/lensix/internal/source/bicep/token"
)

type scanned struct {
	tok token.Token
	lit string
}

func scanAll(src string) ([]scanned, []string) {
	var s scanner.Scanner
	var errs []string
	s.Init(token.NewFile("t.bicep", []byte(src)), func(pos token.Position, msg string) {
		errs = append(errs, pos.String()+": "+msg)
	})
	var out []scanned
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return out, errs
		}
		out = append(out, scanned{tok, lit})
	}
}

func TestScan(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []scanned
	}{
		{"comments and directives are skipped but newlines are kept", "a // c\n#disable-next-line BCP081\n/* x\ny */b", []scanned{
			{token.IDENT, "a"}, {token.NEWLINE, "\n"}, {token.NEWLINE, "\n"}, {token.IDENT, "b"}}},
		{"an interpolated string splits into pieces around its holes", "'a${b}c${d}e'", []scanned{
			{token.STRING_LEFT, "'a${"}, {token.IDENT, "b"}, {token.STRING_MID, "}c${"}, {token.IDENT, "d"}, {token.STRING_RIGHT, "}e'"}}},
		{"a string inside a hole is its own string", "'${'x'}'", []scanned{
			{token.STRING_LEFT, "'${"}, {token.STRING, "'x'"}, {token.STRING_RIGHT, "}'"}}},
		{"an interpolated multi-line string needs its count of dollars", "$$'''a${b}$${c}'''", []scanned{
			{token.STRING_LEFT, "$$'''a${b}$${"}, {token.IDENT, "c"}, {token.STRING_RIGHT, "}'''"}}},
		{"operators of two or three characters are single tokens", "a ?? b =~ c != d => ... :: .?", []scanned{
			{token.IDENT, "a"}, {token.COALESCE, ""}, {token.IDENT, "b"}, {token.EQI, ""}, {token.IDENT, "c"}, {token.NEQ, ""},
			{token.IDENT, "d"}, {token.ARROW, ""}, {token.ELLIPSIS, ""}, {token.DCOLON, ""}, {token.DOT, ""}, {token.QUESTION, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := scanAll(tt.src)
			if len(errs) > 0 {
				t.Errorf("errors: %v", errs)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("token %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestScanErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"an unterminated comment is reported", "/* open", "t.bicep:1:1: the multi-line comment is not terminated"},
		{"a bad escape is reported where it is", `'a\qb'`, `t.bicep:1:3: unrecognised escape sequence`},
		{"a directive without codes is reported", "#disable-next-line\nvar x = 1", "BCP226"},
		{"a directive after code is an unknown token", "var x = 1 #disable-next-line foo", "BCP001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := scanAll(tt.src)
			if len(errs) == 0 || !strings.Contains(errs[0], tt.want) {
				t.Errorf("errors %v, want one containing %q", errs, tt.want)
			}
		})
	}
}

func TestStringSegmentDecodesEscapes(t *testing.T) {
	tests := []struct {
		name    string
		tok     token.Token
		lit     string
		dollars int
		want    string
	}{
		{"escapes in a complete string are decoded", token.STRING, `'it\'s\n\u{1F600}\$'`, 0, "it's\n😀$"},
		{"a left piece loses its quote and hole opener", token.STRING_LEFT, `'pre${`, 0, "pre"},
		{"a multi-line string drops its first newline and keeps backslashes", token.MULTILINE, "'''\nC:\\dir\n'''", 0, "C:\\dir\n"},
		{"a middle piece of a $$ string loses its dollars", token.STRING_MID, "}mid$${", 2, "mid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scanner.StringSegment(tt.tok, tt.lit, tt.dollars); got != tt.want {
				t.Errorf("StringSegment(%q) = %q, want %q", tt.lit, got, tt.want)
			}
		})
	}
}
