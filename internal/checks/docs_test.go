package checks_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/check"
	_ "github.com/lensix/lensix/internal/checks"
)

var update = flag.Bool("update", false, "rewrite docs/checks from the checks' metadata")

const docsDir = "../../docs/checks"

// The documentation of each check is generated from its metadata; this test fails when the two
// drift apart. Regenerate with: go test ./internal/checks -run Docs -update
func TestDocsMatchMetadata(t *testing.T) {
	for _, c := range check.All() {
		file := filepath.Join(docsDir, c.ID+".md")
		want := c.Markdown()
		if *update {
			if err := os.MkdirAll(docsDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (generate it: go test ./internal/checks -run Docs -update)", err)
		}
		if string(got) != want {
			t.Errorf("%s is out of date with the check's metadata; regenerate: go test ./internal/checks -run Docs -update", file)
		}
	}
}

func TestEveryDocumentedCheckExists(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(docsDir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".md")
		if _, ok := check.Lookup(id); !ok {
			t.Errorf("%s documents a check that does not exist", f)
		}
	}
}

func TestCheckMetadataIsComplete(t *testing.T) {
	for _, c := range check.All() {
		if c.ID != strings.ToLower(c.ID) || !strings.Contains(c.ID, "_") {
			t.Errorf("%s: IDs are <service>_<issue> in lower case", c.ID)
		}
		r := c.Remediation
		for name, text := range map[string]string{"title": c.Title, "description": c.Description, "rationale": c.Rationale,
			"remediation summary": r.Summary, "az CLI": r.CLI, "Terraform": r.Terraform, "Bicep": r.Bicep, "ARM": r.ARM} {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %s is empty", c.ID, name)
			}
		}
		if len(c.References) == 0 {
			t.Errorf("%s: no references", c.ID)
		}
	}
}
