package arm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
)

// TestTheScanLimitStopsTheTemplatesAfterIt: templates each within their own limit still stop,
// with one error, where the scan's limit is met (here 25 instead of MaxScanInstances).
func TestTheScanLimitStopsTheTemplatesAfterIt(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i := range 3 {
		var rs []string
		for j := range 10 {
			rs = append(rs, fmt.Sprintf(`{"type": "A.B/c", "apiVersion": "1", "name": "t%d-%d"}`, i, j))
		}
		name := filepath.Join(dir, fmt.Sprintf("t%d.json", i))
		src := `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
"resources": [` + strings.Join(rs, ",\n") + `]}`
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.ToSlash(name))
	}
	rs, diags := Load(files, Options{Budget: &Budget{scanLimit: 25}})
	if len(rs) != 25 || len(diags) != 1 || diags[0].Severity != diag.Error ||
		!strings.HasSuffix(diags[0].Range.Filename, "t2.json") || !strings.Contains(diags[0].Summary, "the scan reached its limit of 25 resource instances") {
		t.Errorf("%d resources, diagnostics %v; want 25 and one error in t2.json", len(rs), diags)
	}
}
