package diag

import "testing"

func TestEditDistance(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"equal strings are 0 apart", "sku", "sku", 0},
		{"a dropped letter is 1", "apimgmt_nomanagedidentiy", "apimgmt_nomanagedidentity", 1},
		{"a swapped pair is 2", "tiers", "teirs", 2},
		{"from nothing it is the length", "", "abc", 3},
		{"letters count as runes, not bytes", "größe", "grösse", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EditDistance(tt.a, tt.b); got != tt.want {
				t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
