package scan

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/suppress"
)

// MaxFileSize is the largest input file lensix reads; larger files are reported, not read.
const MaxFileSize = 64 << 20

// skippedDirs are folders that hold no configuration of the user's own.
var skippedDirs = map[string]bool{".git": true, ".terraform": true, "node_modules": true, ".svn": true, ".hg": true}

// inputs are the files found below the scanned paths, grouped by how they are read.
type inputs struct {
	terraformDirs []string // folders holding .tf or .tf.json files
	jsonFiles     []string // .json and .jsonc files, classified by content
	bicepFiles    []string // .bicep and .bicepparam files
	// namedTerraform are .tf and .tf.json files named on the command line whose folder was not
	// also scanned as a whole: only their resources are reported (see keepNamedFiles).
	namedTerraform map[string]bool
	// namedJSON are the .json and .jsonc files named on the command line.
	namedJSON map[string]bool
}

// discover walks paths and groups the files it finds. Paths in the result are relative to the
// working directory when they lie below it, and slash-separated, as reports print them.
func discover(paths []string, cfg *suppress.Config) (inputs, diag.Diagnostics) {
	w := walker{cfg: cfg, visited: map[string]bool{}, tfDirs: map[string]bool{}, walkedTFDirs: map[string]bool{}, namedTF: map[string]bool{}}
	if wd, err := os.Getwd(); err == nil {
		w.workDir = wd
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			w.diags = append(w.diags, fileError(w.display(p), "cannot read %s: %v; check the path and its permissions", p, unwrapPathError(err)))
			continue
		}
		if info.IsDir() {
			w.walkDir(p)
		} else {
			w.addFile(p, true)
		}
	}
	w.in.terraformDirs = sortedKeys(w.tfDirs)
	for f := range w.namedTF {
		if !w.walkedTFDirs[path.Dir(f)] {
			if w.in.namedTerraform == nil {
				w.in.namedTerraform = map[string]bool{}
			}
			w.in.namedTerraform[f] = true
		}
	}
	sort.Strings(w.in.jsonFiles)
	sort.Strings(w.in.bicepFiles)
	return w.in, w.diags
}

type walker struct {
	cfg     *suppress.Config
	workDir string
	visited map[string]bool // real paths of folders already walked, to break symlink loops
	tfDirs  map[string]bool
	// walkedTFDirs are Terraform folders found by walking; namedTF are .tf files named alone.
	walkedTFDirs map[string]bool
	namedTF      map[string]bool
	in           inputs
	diags        diag.Diagnostics
}

func (w *walker) walkDir(dir string) {
	shown := w.display(dir)
	if w.cfg.Excluded(shown) {
		return
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		w.diags = append(w.diags, fileError(shown, "cannot resolve folder: %v; a symbolic link may point nowhere or loop", unwrapPathError(err)))
		return
	}
	if abs, err := filepath.Abs(real); err == nil {
		real = abs
	}
	if w.visited[real] {
		w.diags = append(w.diags, diag.Diagnostic{Severity: diag.Warning, Summary: "folder already scanned through another path (symbolic link loop or duplicate path); skipped", Range: resource.Range{Filename: shown}})
		return
	}
	w.visited[real] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.diags = append(w.diags, fileError(shown, "cannot read folder: %v; check its permissions", unwrapPathError(err)))
		return
	}
	for _, e := range entries {
		child := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			info, err := os.Stat(child)
			if err != nil {
				w.diags = append(w.diags, fileError(w.display(child), "broken symbolic link: %v", unwrapPathError(err)))
				continue
			}
			isDir = info.IsDir()
		}
		switch {
		case isDir && (skippedDirs[e.Name()] || strings.HasPrefix(e.Name(), ".")):
		case isDir:
			w.walkDir(child)
		default:
			w.addFile(child, false)
		}
	}
}

// addFile files one path under its kind; named says the user named it on the command line.
func (w *walker) addFile(p string, named bool) {
	shown := w.display(p)
	if w.cfg.Excluded(shown) {
		return
	}
	name := strings.ToLower(filepath.Base(p))
	switch {
	case strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json"):
		dir := w.display(filepath.Dir(p))
		w.tfDirs[dir] = true
		if named {
			w.namedTF[path.Clean(shown)] = true
		} else {
			w.walkedTFDirs[path.Clean(dir)] = true
		}
	case strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".jsonc"):
		w.in.jsonFiles = append(w.in.jsonFiles, shown)
		if named {
			if w.in.namedJSON == nil {
				w.in.namedJSON = map[string]bool{}
			}
			w.in.namedJSON[shown] = true
		}
	case strings.HasSuffix(name, ".bicep") || strings.HasSuffix(name, ".bicepparam"):
		w.in.bicepFiles = append(w.in.bicepFiles, shown)
	case named:
		w.diags = append(w.diags, fileError(shown, "%s", unreadableNamedFile(p, name)))
	}
}

// unreadableNamedFile says why a file the user named is not read, and what to do instead.
func unreadableNamedFile(p, name string) string {
	const reads = "lensix reads Terraform (.tf, .tf.json, plan JSON), Bicep (.bicep, .bicepparam) and ARM template (.json, .jsonc) files, and folders of them"
	switch {
	case strings.HasSuffix(name, ".tfvars"):
		return fmt.Sprintf("not a format lensix scans: this is a Terraform variables file; pass it with --var-file %s and scan the module's folder (%s)", p, reads)
	case strings.HasSuffix(name, ".tfplan") || isZip(p):
		return fmt.Sprintf("not a format lensix scans: this looks like a binary Terraform plan; run terraform show -json %s > plan.json and scan plan.json (%s)", p, reads)
	}
	return "not a format lensix scans: " + reads
}

// isZip says whether the file starts like a zip archive, as binary Terraform plans do.
func isZip(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	_, err = io.ReadFull(f, magic)
	return err == nil && string(magic) == "PK\x03\x04"
}

// display gives the path reports print: relative to the working directory when below it.
func (w *walker) display(p string) string {
	if w.workDir != "" {
		if abs, err := filepath.Abs(p); err == nil {
			if rel, err := filepath.Rel(w.workDir, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return filepath.ToSlash(rel)
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(p))
}

// readInput reads a file the way every source wants it: whole, at most MaxFileSize, and text.
func readInput(p string) ([]byte, *diag.Diagnostic) {
	f, err := os.Open(filepath.FromSlash(p))
	if err != nil {
		d := fileError(p, "cannot read file: %v; check its permissions", unwrapPathError(err))
		return nil, &d
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	switch {
	case err != nil:
		d := fileError(p, "cannot read file: %v", err)
		return nil, &d
	case len(src) > MaxFileSize:
		d := fileError(p, "file is larger than %d MiB; split it or exclude it with exclude-paths in .lensix.yaml", MaxFileSize>>20)
		return nil, &d
	case bytes.IndexByte(src, 0) >= 0:
		d := fileError(p, "file is binary (it contains NUL bytes); exclude it with exclude-paths in .lensix.yaml")
		return nil, &d
	case !utf8.Valid(src):
		d := fileError(p, "file is not valid UTF-8; save it as UTF-8")
		return nil, &d
	}
	return src, nil
}

func fileError(file, format string, args ...any) diag.Diagnostic {
	return diag.Diagnostic{Severity: diag.Error, Summary: fmt.Sprintf(format, args...), Range: resource.Range{Filename: file}}
}

// unwrapPathError drops the path an *fs.PathError repeats, since messages already name the file.
func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// scanRoot is the folder the user asked lensix to scan: the path given (a file's folder), or the
// deepest folder holding all of them. File-reading functions in the input may not leave it, so
// scanning an untrusted pull request cannot copy the runner's files into a report.
func scanRoot(paths []string) string {
	var root string
	for i, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return ""
		}
		if info, err := os.Stat(abs); err == nil && !info.IsDir() {
			abs = filepath.Dir(abs)
		}
		if i == 0 {
			root = abs
			continue
		}
		for !within(abs, root) {
			root = filepath.Dir(root)
		}
	}
	return root
}

func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
