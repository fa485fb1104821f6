package scan

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/suppress"
)

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDiscoverGroupsFilesByFormat(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, "infra/main.tf", []byte(`resource "x" "y" {}`))
	write(t, "infra/vars.tf.json", []byte(`{}`))
	write(t, "infra/modules/apim/main.tf", []byte(``))
	write(t, "infra/.terraform/modules/remote/main.tf", []byte(``))
	write(t, "arm/azuredeploy.json", []byte(`{}`))
	write(t, "bicep/main.bicep", []byte(``))
	write(t, "legacy/old.tf", []byte(``))
	write(t, "README.md", []byte(`# hi`))

	cfg := &suppress.Config{ExcludePaths: []string{"legacy"}}
	in, diags := discover([]string{"."}, cfg)
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	if got, want := strings.Join(in.terraformDirs, ","), "infra,infra/modules/apim"; got != want {
		t.Errorf("terraform dirs = %s, want %s", got, want)
	}
	if got, want := strings.Join(in.jsonFiles, ","), "arm/azuredeploy.json"; got != want {
		t.Errorf("json files = %s, want %s", got, want)
	}
	if got, want := strings.Join(in.bicepFiles, ","), "bicep/main.bicep"; got != want {
		t.Errorf("bicep files = %s, want %s", got, want)
	}
}

func TestDiscoverReportsBadInputAndGoesOn(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, "ok/main.tf", []byte(``))
	if err := os.Symlink("..", "ok/loop"); err != nil {
		t.Skip("symbolic links not supported here")
	}
	if err := os.Symlink("missing", "ok/dangling.tf"); err != nil {
		t.Fatal(err)
	}
	in, diags := discover([]string{"ok", "nope"}, &suppress.Config{})
	if got := strings.Join(in.terraformDirs, ","); got != "ok" {
		t.Errorf("terraform dirs = %q, want ok", got)
	}
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"nope: cannot read nope", "ok/dangling.tf: broken symbolic link", "scanned through another path"} {
		if !strings.Contains(all, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, all)
		}
	}
}

func TestReadInputRejectsWhatNoSourceCanRead(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, "bin.json", []byte{'{', 0, '}'})
	write(t, "latin1.json", []byte{'{', '"', 0xe9, '"', '}'})
	write(t, "fine.json", []byte(`{"a": "é"}`))
	tests := []struct{ file, want string }{
		{"bin.json", "binary"},
		{"latin1.json", "not valid UTF-8"},
		{"missing.json", "cannot read file"},
	}
	for _, tt := range tests {
		_, d := readInput(tt.file)
		if d == nil || !strings.Contains(d.Error(), tt.want) || d.Range.Filename != tt.file {
			t.Errorf("readInput(%s) = %v, want an error about %q naming the file", tt.file, d, tt.want)
		}
	}
	if src, d := readInput("fine.json"); d != nil || len(src) == 0 {
		t.Errorf("readInput(fine.json) = %q, %v", src, d)
	}
}

func TestNamedFilesLensixCannotReadAreErrorsThatSayWhatToDo(t *testing.T) {
	t.Chdir(t.TempDir())
	write(t, "prod.tfvars", []byte(`location = "westeurope"`))
	write(t, "plan.out", []byte("PK\x03\x04\x14\x00binary plan"))
	write(t, "notes.txt", []byte("hello"))
	write(t, "infra/notes.txt", []byte("found by walking, not named"))
	tests := []struct {
		name, path string
		want       []string
	}{
		{"a named variables file points at --var-file", "prod.tfvars", []string{"--var-file prod.tfvars", ".tf, .tf.json"}},
		{"a named binary plan says how to make plan JSON", "plan.out", []string{"run terraform show -json plan.out > plan.json"}},
		{"any other named file says what lensix reads", "notes.txt", []string{"lensix reads Terraform", ".bicep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := discover([]string{tt.path}, &suppress.Config{})
			if len(diags) != 1 || !diags.HasErrors() || diags[0].Range.Filename != tt.path {
				t.Fatalf("diagnostics = %v; want one error naming %s", diags, tt.path)
			}
			for _, want := range tt.want {
				if !strings.Contains(diags[0].Summary, want) {
					t.Errorf("%q lacks %q", diags[0].Summary, want)
				}
			}
		})
	}
	if _, diags := discover([]string{"infra"}, &suppress.Config{}); len(diags) != 0 {
		t.Errorf("a file found by walking a folder is not an error: %v", diags)
	}
}

func TestResourcesOfANamedTerraformFileExcludeItsSiblings(t *testing.T) {
	t.Chdir(t.TempDir())
	write(t, "infra/main.tf", []byte("resource \"azurerm_api_management\" \"a\" {\n  name = var.name\n}\n"))
	write(t, "infra/other.tf", []byte("variable \"name\" { default = \"from-sibling\" }\nresource \"azurerm_api_management\" \"b\" { name = \"b\" }\n"))
	tests := []struct {
		name  string
		paths []string
		want  string // addresses
	}{
		{"a named file reports only its own resources, with sibling variables resolved", []string{"infra/main.tf"}, "azurerm_api_management.a=from-sibling"},
		{"the folder reports every file's resources", []string{"infra"}, "azurerm_api_management.a=from-sibling azurerm_api_management.b=b"},
		{"a named file beside its folder reports the whole folder", []string{"infra/main.tf", "infra"}, "azurerm_api_management.a=from-sibling azurerm_api_management.b=b"},
		{"two named files report both", []string{"infra/other.tf", "infra/main.tf"}, "azurerm_api_management.a=from-sibling azurerm_api_management.b=b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resources, diags := Resources(t.Context(), Options{Paths: tt.paths, Config: &suppress.Config{}})
			if diags.HasErrors() {
				t.Fatalf("diagnostics: %v", diags)
			}
			var got []string
			for _, r := range resources {
				got = append(got, r.Provenance.Address+"="+r.Name)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != tt.want {
				t.Errorf("resources = %v, want %s", got, tt.want)
			}
		})
	}
}

func TestScanRootIsTheFolderTheUserNamed(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, "infra/prod/main.tf", nil)
	write(t, "infra/dev/main.tf", nil)
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	tests := []struct {
		name  string
		paths []string
		want  string
	}{
		{"a folder is its own root", []string{"infra/prod"}, abs("infra/prod")},
		{"a file's root is its folder", []string{"infra/prod/main.tf"}, abs("infra/prod")},
		{"several paths share their deepest common folder", []string{"infra/prod", "infra/dev/main.tf"}, abs("infra")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scanRoot(tt.paths); got != tt.want {
				t.Errorf("scanRoot(%v) = %s, want %s", tt.paths, got, tt.want)
			}
		})
	}
}
