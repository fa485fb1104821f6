package terraform_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/source/terraform"
)

const goodAPIM = "resource \"azurerm_api_management\" \"good\" {\n  name = \"apim-good\"\n}\n"

// writeFiles creates files (path relative to root → content) and returns root in slash form.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.ToSlash(root)
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		setup   func(t *testing.T, root string)
		dirs    []string // relative to root; "good" is always added
		opts    func(root string) terraform.Options
		message string
		file    string // relative to root; "" to skip the position check
		line    int
	}{
		{
			name:    "malformed HCL names file, line and column",
			files:   map[string]string{"bad/main.tf": "variable \"x\" {}\n\nresource \"azurerm_api_management\" \"broken\" {\n  name = \n}\n"},
			dirs:    []string{"bad"},
			message: "Invalid expression", file: "bad/main.tf", line: 4,
		},
		{
			name:    "malformed JSON syntax names file and line",
			files:   map[string]string{"bad/main.tf.json": "{\n  \"resource\": {\n    \"azurerm_api_management\": [}\n}\n"},
			dirs:    []string{"bad"},
			message: "Missing JSON value", file: "bad/main.tf.json", line: 3,
		},
		{
			name:    "a binary file is refused",
			files:   map[string]string{"bad/main.tf": "resource \"x\" \"y\" {}\n\x00\x01\x02"},
			dirs:    []string{"bad"},
			message: "NUL byte", file: "bad/main.tf", line: 2,
		},
		{
			name:    "a file that is not UTF-8 is refused at the bad byte",
			files:   map[string]string{"bad/main.tf": "# comment\n# caf\xe9\n"},
			dirs:    []string{"bad"},
			message: "not UTF-8", file: "bad/main.tf", line: 2,
		},
		{
			name: "a file over the size cap is refused",
			setup: func(t *testing.T, root string) {
				if err := os.MkdirAll(filepath.Join(root, "big"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(mustCreate(t, filepath.Join(root, "big", "main.tf")), 11<<20); err != nil {
					t.Fatal(err)
				}
			},
			dirs:    []string{"big"},
			message: "larger than 10 MiB", file: "big/main.tf",
		},
		{
			name:    "a missing directory is reported",
			dirs:    []string{"missing"},
			message: "Cannot read module directory", file: "missing",
		},
		{
			name: "a dangling symlinked file is reported",
			setup: func(t *testing.T, root string) {
				mustMkdir(t, filepath.Join(root, "dangling"))
				mustSymlink(t, "nowhere.tf", filepath.Join(root, "dangling", "main.tf"))
			},
			dirs:    []string{"dangling"},
			message: "Cannot read", file: "dangling/main.tf",
		},
		{
			name:  "a module source through a symlink loop is reported",
			files: map[string]string{"caller/main.tf": "module \"loop\" {\n  source = \"./loop\"\n}\n"},
			setup: func(t *testing.T, root string) {
				mustSymlink(t, "loop", filepath.Join(root, "caller", "loop"))
			},
			dirs:    []string{"caller"},
			message: "Cannot read module", file: "caller/main.tf", line: 2,
		},
		{
			name:  "a module calling its own dir through a symlink is a cycle",
			files: map[string]string{"self/main.tf": "module \"again\" {\n  source = \"./up\"\n}\n"},
			setup: func(t *testing.T, root string) {
				mustSymlink(t, ".", filepath.Join(root, "self", "up"))
			},
			dirs:    []string{"self"},
			message: "Module cycle", file: "self/main.tf", line: 2,
		},
		{
			name: "a missing --var-file is reported",
			opts: func(root string) terraform.Options {
				return terraform.Options{Inputs: []terraform.VarInput{{File: root + "/absent.tfvars"}}}
			},
			message: "Cannot read", file: "absent.tfvars",
		},
		{
			name: "a --var without a name is reported",
			opts: func(string) terraform.Options {
				return terraform.Options{Inputs: []terraform.VarInput{{Assignment: "no-equals-sign"}}}
			},
			message: "Invalid --var",
		},
		{
			name:    "a module source that is not a literal is reported",
			files:   map[string]string{"bad/main.tf": "module \"m\" {\n  source = var.where\n}\n"},
			dirs:    []string{"bad"},
			message: "Module source must be a literal string", file: "bad/main.tf", line: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"good/main.tf": goodAPIM}
			for k, v := range tc.files {
				files[k] = v
			}
			root := writeFiles(t, files)
			if tc.setup != nil {
				tc.setup(t, root)
			}
			dirs := []string{root + "/good"}
			for _, d := range tc.dirs {
				dirs = append(dirs, root+"/"+d)
			}
			var opts terraform.Options
			if tc.opts != nil {
				opts = tc.opts(root)
			}
			resources, diags := terraform.Load(dirs, opts)
			var good bool
			for _, r := range resources {
				good = good || r.Provenance.Address == "azurerm_api_management.good"
			}
			if !good {
				t.Errorf("the good module was not scanned; resources: %d", len(resources))
			}
			d, ok := findDiag(diags, tc.message)
			if !ok {
				t.Fatalf("no diagnostic containing %q in %v", tc.message, diags)
			}
			if d.Severity != diag.Error {
				t.Errorf("severity %v, want error", d.Severity)
			}
			if tc.file != "" && d.Range.Filename != root+"/"+tc.file {
				t.Errorf("diagnostic at %q, want %q", d.Range.Filename, root+"/"+tc.file)
			}
			if tc.line != 0 && (d.Range.Start.Line != tc.line || d.Range.Start.Column == 0) {
				t.Errorf("diagnostic at %d:%d, want line %d", d.Range.Start.Line, d.Range.Start.Column, tc.line)
			}
		})
	}
}

func findDiag(diags diag.Diagnostics, message string) (diag.Diagnostic, bool) {
	for _, d := range diags {
		if strings.Contains(d.Summary+" "+d.Detail, message) {
			return d, true
		}
	}
	return diag.Diagnostic{}, false
}

func mustCreate(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return name
}

func mustMkdir(t *testing.T, name string) {
	t.Helper()
	if err := os.MkdirAll(name, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
}

func TestModuleCallWarnings(t *testing.T) {
	root := writeFiles(t, map[string]string{
		"root/main.tf": "module \"m\" {\n  source = \"../mod\"\n  nope   = 1\n}\nmodule \"empty\" {\n  source = \"../empty\"\n}\n",
		"mod/main.tf":  goodAPIM,
		"empty/README": "no terraform here",
	})
	resources, diags := terraform.Load([]string{root + "/root"}, terraform.Options{})
	if len(resources) != 1 || resources[0].Provenance.Address != "module.m.azurerm_api_management.good" {
		t.Errorf("resources = %v", resources)
	}
	cases := []struct{ name, message string }{
		{"an argument the module does not declare is reported", `has no variable "nope"`},
		{"a module dir without configuration files is reported", "has no configuration files"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := findDiag(diags, tc.message)
			if !ok || d.Severity != diag.Warning || d.Range.Filename != root+"/root/main.tf" {
				t.Errorf("no warning %q in root/main.tf: %v", tc.message, diags)
			}
		})
	}
}

func TestSyntaxErrorInsideAResource(t *testing.T) {
	cases := []struct {
		name, src, skipped, kept string
	}{
		{"a block cut off by the end of the file is skipped, not judged", "resource \"azurerm_api_management\" \"x\" {\n  name = \"a\"\n", "azurerm_api_management.x", ""},
		{"a resource with a malformed argument is skipped, its neighbour kept", goodAPIM + "resource \"azurerm_api_management\" \"broken\" {\n  name = \n}\n", "azurerm_api_management.broken", "azurerm_api_management.good"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := writeFiles(t, map[string]string{"main.tf": tc.src})
			byAddr, diags := load(t, terraform.Options{}, root)
			if _, ok := byAddr[tc.skipped]; ok {
				t.Errorf("%s was mapped despite the syntax error inside it", tc.skipped)
			}
			if tc.kept != "" {
				mustGet(t, byAddr, tc.kept)
			}
			d, ok := findDiag(diags, "lensix skipped "+tc.skipped)
			if !ok || d.Severity != diag.Error {
				t.Errorf("diagnostics = %v, want the syntax error to say %s was skipped", diags, tc.skipped)
			}
		})
	}
}

func TestTooManyIdentityBlocks(t *testing.T) {
	src := "resource \"azurerm_api_management\" \"x\" {\n  name = \"x\"\n  identity { type = \"None\" }\n  identity { type = \"SystemAssigned\" }\n}\n"
	root := writeFiles(t, map[string]string{"main.tf": src})
	_, diags := load(t, terraform.Options{}, root)
	d, ok := findDiag(diags, "Too many identity blocks")
	if !ok || d.Severity != diag.Error || d.Range.Start.Line != 4 {
		t.Errorf("diagnostics = %v, want an error at the second identity block (line 4)", diags)
	}
}
