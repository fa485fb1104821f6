package resource

import "testing"

func TestParameterListNamesParametersInASentence(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  string
	}{
		{"one is a parameter", []string{"a"}, "parameter a"},
		{"two are joined by and", []string{"a", "b"}, "parameters a and b"},
		{"more are listed with commas", []string{"a", "b", "c"}, "parameters a, b and c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParameterList(tt.names); got != tt.want {
				t.Errorf("ParameterList(%q) = %q, want %q", tt.names, got, tt.want)
			}
		})
	}
}
