package arm_test

import (
	"reflect"
	"testing"

	"github.com/lensix/lensix/internal/source/arm"
)

func TestFirstCombination(t *testing.T) {
	tests := []struct {
		name    string
		choices [][]any
		accept  func([]any) bool
		want    []any
	}{
		{"the first accepted combination is returned, the last slot turning fastest",
			[][]any{{false, true}, {"dev", "prod"}},
			func(v []any) bool { return v[0] == true && v[1] == "dev" }, []any{true, "dev"}},
		{"no accepted combination gives nil", [][]any{{1, 2}}, func([]any) bool { return false }, nil},
		{"a slot without choices gives nil", [][]any{{true}, {}}, func([]any) bool { return true }, nil},
		{"a search beyond the bound stops", [][]any{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
			func(v []any) bool { return v[0] == 9 && v[1] == 9 }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := arm.FirstCombination(tt.choices, tt.accept); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
