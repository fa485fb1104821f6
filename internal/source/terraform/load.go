// Package terraform reads Terraform configurations (HCL and JSON syntax, through hashicorp/hcl/v2)
// and `terraform show -json` plans, evaluates them as far as the files allow, and maps the Azure
// resources it knows (see mapping.go) to ARM-shaped resources.
//
// Evaluation follows Terraform: variables (defaults, tfvars, --var-file, --var, TF_VAR_*), locals,
// references, functions, count/for_each, dynamic blocks and modules. A value Terraform would know
// only at plan or apply time is a *resource.Unknown carrying the reason. Choices where Terraform
// gives no answer before apply, or where lensix stops short of it:
//
//   - A root variable's default that was used is an assumption ("var.X") on exactly the resources
//     whose values derive from it (tracked as cty marks). Defaults inside called modules are not:
//     the user cannot set them except through the caller, so they are part of the code.
//   - An unknown count or for_each yields one instance at the plain address (no index), with
//     count.index or each.* unknown and an assumption on "count" or "for_each" saying so.
//     Known counts and for_each collections are capped at 1000 instances (with a warning).
//   - References to another resource resolve to its configured arguments (per instance for
//     count/for_each); computed attributes, nested blocks and data sources are unknown.
//   - --var-file and --var apply in command-line order (Options.Inputs keeps it), later wins.
//   - Override files (override.tf, *_override.tf, .tf.json alike) are merged into resource and
//     locals blocks written in the same syntax; other overrides get a warning and are not merged.
//   - File functions (file, templatefile, fileexists) read only regular files under
//     Options.Root: scanning an untrusted pull request must not leak the runner's files.
//   - A resource whose declaration a syntax error interrupts is skipped, and the syntax error's
//     diagnostic says so: what the parser recovered of it is not a safe basis for a verdict.
//   - A function lensix does not implement yields an unknown naming it, never an error.
//   - azurerm resources get the API version the azurerm provider (v3, v4) uses for the type;
//     azapi_resource bodies are ARM already and every azapi type is mapped. An azapi type whose
//     API version alone is unknown maps with apiVersion unknown; an unknown resource type is a
//     warning, since which checks apply is then unknown.
//   - The known values of variables declared sensitive go to Secrets of every resource of the
//     Load, for outputs to mask. Values derived from a sensitive variable, a sensitive module
//     output or sensitive() carry a cty mark through functions (lower, replace, substr, ...);
//     the strings a resource's arguments take from them go to that resource's Secrets.
package terraform

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// Options are the inputs Terraform itself would take from its command line and environment.
type Options struct {
	// Root confines the file functions: a path outside it is not read. Empty means the deepest
	// directory that holds every dir given to Load.
	Root string
	// Inputs are the --var-file and --var flags in command-line order; a later one wins.
	Inputs  []VarInput
	Environ []string // os.Environ(); read TF_VAR_* from here (do not call os.Getenv yourself)
}

// VarInput is one --var-file FILE (File set) or one --var NAME=VALUE (Assignment set; HCL value
// syntax on the right, like terraform -var).
type VarInput struct {
	File       string
	Assignment string
}

// maxFileSize caps what lensix reads of one file; larger .tf files are generated data, not code.
const maxFileSize = 10 << 20

// maxModuleDepth stops runaway module nesting that a cycle check through symlinks could miss.
const maxModuleDepth = 32

// Load evaluates the Terraform configurations in dirs (each a directory holding .tf/.tf.json files).
// A dir that another dir in the set calls as a local module (module "x" { source = "./..." }) is
// evaluated only through its caller(s), not again as a root. Paths are used as given (slash form)
// in ranges.
func Load(dirs []string, opts Options) ([]*resource.Resource, diag.Diagnostics) {
	ld := newLoader(opts)
	var diags diag.Diagnostics

	seen := map[string]bool{}
	var unique []string
	for _, dir := range dirs {
		dir = slashClean(dir)
		if !seen[dir] {
			seen[dir] = true
			unique = append(unique, dir)
		}
	}
	ld.root = fileRoot(opts.Root, unique)
	diags = append(diags, ld.loadInputs()...)
	calls, callDiags := ld.findCalls(unique)
	diags = append(diags, callDiags...)
	roots := pickRoots(unique, calls)

	results := make([]rootResult, len(roots))
	parallel(len(roots), func(i int) {
		results[i] = ld.evaluateRoot(roots[i])
	})
	var out []*resource.Resource
	var secrets []string
	for _, res := range results {
		out = append(out, res.resources...)
		diags = append(diags, res.diags...)
		secrets = append(secrets, res.secrets...)
	}
	// Every resource carries every sensitive value as given, in case it flows somewhere the
	// marks do not reach (a message quoting a diagnostic, say).
	secrets = sortedUnique(secrets)
	secrets = secrets[:len(secrets):len(secrets)] // shared: an append must copy
	for _, r := range out {
		if len(r.Secrets) == 0 {
			r.Secrets = secrets
			continue
		}
		// The resource's own: strings derived from sensitive values by functions or templates.
		r.Secrets = sortedUnique(append(secrets, r.Secrets...))
	}
	// A called dir that no caller reached (count = 0, say) still gets its syntax checked.
	isRoot := map[string]bool{}
	for _, r := range roots {
		isRoot[r] = true
	}
	for _, dir := range unique {
		if !isRoot[dir] {
			diags = append(diags, ld.diagsOnce(ld.module(dir))...)
		}
	}
	diags = append(diags, ld.lateDiagnostics()...)
	diags.Mask(secrets) // a message may quote a sensitive value (a file() path built of one)
	diags.Sort()
	return out, diags
}

// loader holds what one Load shares between roots: parsed modules and var files.
type loader struct {
	opts Options
	root string // where file functions may read: absolute, symlinks resolved

	mu       sync.Mutex
	modules  map[string]*moduleEntry // by cleaned slash path
	reported map[string]bool         // dirs whose parse diagnostics were handed out
	pending  map[string][]rawFile    // root dirs read by findCalls, waiting to be parsed
	inputs   []input

	remoteMu      sync.Mutex
	remoteUnread  []string // "root: module.x (source)" for modules that need terraform init
	remoteWarning resource.Range
}

type moduleEntry struct {
	once sync.Once
	def  *moduleDef
}

func newLoader(opts Options) *loader {
	return &loader{opts: opts, modules: map[string]*moduleEntry{}, reported: map[string]bool{}, pending: map[string][]rawFile{}}
}

// fileRoot is the folder file functions may read in: root if given, else the deepest directory
// holding every dir; absolute with symlinks resolved, as fileScope compares real paths.
func fileRoot(root string, dirs []string) string {
	if root != "" {
		return realPath(root)
	}
	if len(dirs) == 0 {
		return realPath(".")
	}
	common := realPath(dirs[0])
	for _, dir := range dirs[1:] {
		real := realPath(dir)
		for !within(real, common) {
			parent := filepath.Dir(common)
			if parent == common {
				break
			}
			common = parent
		}
	}
	return common
}

// realPath is p made absolute, with symlinks resolved where it exists.
func realPath(p string) string {
	abs, err := filepath.Abs(filepath.FromSlash(p))
	if err != nil {
		return filepath.FromSlash(p)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return abs
}

// moduleBlock finds a module block in a file; only dirs with one (or a modules.json) are parsed
// before evaluation, so that the others can be parsed, evaluated and released one at a time.
var moduleBlock = regexp.MustCompile(`(?m)^[ \t]*module[ \t]*"|"module"\s*:`)

// findCalls reports, for each dir, the indices of the dirs in the set it calls as modules.
func (ld *loader) findCalls(dirs []string) ([][]int, diag.Diagnostics) {
	mayCall := make([]bool, len(dirs))
	read := make([][]rawFile, len(dirs))
	parallel(len(dirs), func(i int) {
		if _, err := os.Stat(filepath.FromSlash(path.Join(dirs[i], ".terraform/modules/modules.json"))); err == nil {
			mayCall[i] = true
			return
		}
		files := readModuleFiles(dirs[i])
		for _, f := range files {
			if f.diag == nil && bytes.Contains(f.src, []byte("module")) && moduleBlock.Match(f.src) {
				mayCall[i] = true
				return
			}
		}
		read[i] = files
	})
	ld.mu.Lock()
	for i, dir := range dirs {
		if read[i] != nil {
			ld.pending[dir] = read[i]
		}
	}
	ld.mu.Unlock()
	index := map[string]int{}
	for i, dir := range dirs {
		index[dir] = i
	}
	calls := make([][]int, len(dirs))
	var diags diag.Diagnostics
	for i, dir := range dirs {
		if !mayCall[i] {
			continue
		}
		def := ld.module(dir)
		diags = append(diags, ld.diagsOnce(def)...)
		for _, target := range def.calledDirs() {
			if j, ok := index[slashClean(target)]; ok && j != i {
				calls[i] = append(calls[i], j)
			}
		}
	}
	return calls, diags
}

// module returns the parsed module in dir, parsing it on first use and keeping it for the other
// callers.
func (ld *loader) module(dir string) *moduleDef {
	ld.mu.Lock()
	entry, ok := ld.modules[dir]
	if !ok {
		entry = &moduleEntry{}
		ld.modules[dir] = entry
	}
	ld.mu.Unlock()
	entry.once.Do(func() { entry.def = parseModule(dir) })
	return entry.def
}

// cachedModule returns the module in dir if something already parsed it.
func (ld *loader) cachedModule(dir string) *moduleDef {
	ld.mu.Lock()
	entry, ok := ld.modules[dir]
	ld.mu.Unlock()
	if !ok {
		return nil
	}
	entry.once.Do(func() { entry.def = parseModule(dir) })
	return entry.def
}

// takePending hands over (once) the files findCalls read for dir.
func (ld *loader) takePending(dir string) ([]rawFile, bool) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	files, ok := ld.pending[dir]
	delete(ld.pending, dir)
	return files, ok
}

// diagsOnce returns a module's parse diagnostics the first time it is asked for them.
func (ld *loader) diagsOnce(def *moduleDef) diag.Diagnostics {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	if ld.reported[def.dir] {
		return nil
	}
	ld.reported[def.dir] = true
	return def.diags
}

func parseModule(dir string) *moduleDef {
	return parseFiles(dir, readModuleFiles(dir))
}

// rawFile is a configuration file as read, before parsing (dir diagnostics have an empty name).
type rawFile struct {
	name string
	src  []byte
	diag *diag.Diagnostic
}

// readModuleFiles reads the configuration files of a module directory.
func readModuleFiles(dir string) []rawFile {
	names, err := moduleFileNames(dir)
	if err != nil {
		d := readDirDiag(dir, err)
		return []rawFile{{diag: &d}}
	}
	files := make([]rawFile, len(names))
	for i, name := range names {
		files[i].name = path.Join(dir, name)
		files[i].src, files[i].diag = readSource(files[i].name)
	}
	return files
}

func parseFiles(dir string, raw []rawFile) *moduleDef {
	def := newModuleDef(dir)
	files := make([]*parsedFile, len(raw))
	parallel(len(raw), func(i int) { files[i] = parseFile(raw[i]) })
	def.addFiles(files)
	return def
}

// pickRoots picks the dirs to evaluate as root modules: those no other dir in the set calls.
// A dir called only from within a cycle is kept as a root so that it is not lost.
func pickRoots(dirs []string, calls [][]int) []string {
	callers := map[int][]int{}
	for i, targets := range calls {
		for _, j := range targets {
			callers[j] = append(callers[j], i)
		}
	}
	isRoot := make([]bool, len(dirs))
	for i := range dirs {
		isRoot[i] = len(callers[i]) == 0
	}
	for i := range dirs {
		if !isRoot[i] && !reachesRoot(i, callers, isRoot) {
			isRoot[i] = true
		}
	}
	var out []string
	for i, dir := range dirs {
		if isRoot[i] {
			out = append(out, dir)
		}
	}
	return out
}

func reachesRoot(start int, callers map[int][]int, isRoot []bool) bool {
	seen := map[int]bool{start: true}
	queue := []int{start}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, c := range callers[n] {
			if isRoot[c] {
				return true
			}
			if !seen[c] {
				seen[c] = true
				queue = append(queue, c)
			}
		}
	}
	return false
}

// noteRemoteUnread records a remote module that was not downloaded; Load reports them once.
func (ld *loader) noteRemoteUnread(what string, rng resource.Range) {
	ld.remoteMu.Lock()
	defer ld.remoteMu.Unlock()
	if len(ld.remoteUnread) == 0 || rangeLess(rng, ld.remoteWarning) {
		ld.remoteWarning = rng
	}
	ld.remoteUnread = append(ld.remoteUnread, what)
}

func rangeLess(a, b resource.Range) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	return a.Start.Byte < b.Start.Byte
}

func (ld *loader) lateDiagnostics() diag.Diagnostics {
	if len(ld.remoteUnread) == 0 {
		return nil
	}
	sort.Strings(ld.remoteUnread)
	detail := "Run `terraform init` in the root module so that .terraform/modules/modules.json lists the downloaded modules; " +
		"until then their resources are not scanned and their outputs are unknown. Not downloaded: " + strings.Join(ld.remoteUnread, ", ")
	return diag.Diagnostics{{
		Severity: diag.Warning,
		Summary:  fmt.Sprintf("%d remote module call(s) not downloaded", len(ld.remoteUnread)),
		Detail:   detail,
		Range:    ld.remoteWarning,
		// Their resources were seen by no check.
		Unchecked: true,
	}}
}

// parallel runs fn(0..n-1) on at most GOMAXPROCS goroutines.
func parallel(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// moduleFileNames lists the configuration files of a module directory: the normal ones in
// lexical order, then the override files (override.tf, *_override.tf), which Terraform merges
// last, in lexical order.
func moduleFileNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.FromSlash(dir))
	if err != nil {
		return nil, err
	}
	var names, overrides []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || (!strings.HasSuffix(name, ".tf") && !strings.HasSuffix(name, ".tf.json")) {
			continue
		}
		if isOverride(name) {
			overrides = append(overrides, name)
		} else {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	sort.Strings(overrides)
	return append(names, overrides...), nil
}

// isOverride reports whether a configuration file is an override file.
func isOverride(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(path.Base(name), ".json"), ".tf")
	return base == "override" || strings.HasSuffix(base, "_override")
}

func readDirDiag(dir string, err error) diag.Diagnostic {
	d := diag.Diagnostic{
		Severity: diag.Error,
		Summary:  "Cannot read module directory " + dir,
		Detail:   describeFSError(err) + "; check that the path exists and is readable",
		Range:    resource.Range{Filename: dir},
	}
	return d
}

func describeFSError(err error) string {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return err.Error()
}

// parsedFile is one configuration file, parsed (file is nil when it could not be read).
type parsedFile struct {
	name  string
	src   []byte
	file  *hcl.File
	diags diag.Diagnostics
}

func parseFile(raw rawFile) *parsedFile {
	pf := &parsedFile{name: raw.name}
	if raw.diag != nil {
		pf.diags = append(pf.diags, *raw.diag)
		return pf
	}
	pf.src = raw.src
	var hd hcl.Diagnostics
	if strings.HasSuffix(raw.name, ".json") {
		pf.file, hd = hcljson.Parse(raw.src, raw.name)
	} else {
		pf.file, hd = hclsyntax.ParseConfig(raw.src, raw.name, hcl.InitialPos)
	}
	pf.diags = append(pf.diags, fromHCL(hd, "")...)
	return pf
}

// readSource reads a text file for parsing, refusing what is too large, binary or not UTF-8.
func readSource(name string) ([]byte, *diag.Diagnostic) {
	rng := resource.Range{Filename: name}
	f, err := os.Open(filepath.FromSlash(name))
	if err != nil {
		d := diag.Errorf(rng, "Cannot read %s", name)
		d.Detail = describeFSError(err) + "; check that the file exists and is readable"
		return nil, &d
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		d := diag.Errorf(rng, "Cannot read %s", name)
		d.Detail = describeFSError(err)
		return nil, &d
	}
	if len(src) > maxFileSize {
		d := diag.Errorf(rng, "File %s is larger than %d MiB", name, maxFileSize>>20)
		d.Detail = "lensix does not read configuration files this large; skipped"
		return nil, &d
	}
	if d := checkText(name, src); d != nil {
		return nil, d
	}
	return src, nil
}

// checkText rejects binary and non-UTF-8 content, naming the first offending byte's position.
func checkText(name string, src []byte) *diag.Diagnostic {
	bad := bytes.IndexByte(src, 0)
	what := "a NUL byte (binary file?)"
	if !utf8.Valid(src) {
		for i := 0; i < len(src); {
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size <= 1 {
				if bad < 0 || i < bad {
					bad, what = i, "bytes that are not UTF-8"
				}
				break
			}
			i += size
		}
	}
	if bad < 0 {
		return nil
	}
	d := diag.Errorf(resource.Range{Filename: name, Start: posAt(src, bad), End: posAt(src, bad)},
		"File %s contains %s", name, what)
	d.Detail = "Terraform files must be UTF-8 text; the file was skipped"
	return &d
}

// posAt turns a byte offset into a line:column position.
func posAt(src []byte, offset int) resource.Pos {
	if offset > len(src) {
		offset = len(src)
	}
	line := 1 + bytes.Count(src[:offset], []byte("\n"))
	lineStart := bytes.LastIndexByte(src[:offset], '\n') + 1
	return resource.Pos{Line: line, Column: utf8.RuneCount(src[lineStart:offset]) + 1, Byte: offset}
}

// fromHCL converts HCL diagnostics; note, when set, is appended to each detail.
func fromHCL(hd hcl.Diagnostics, note string) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range hd {
		sev := diag.Error
		if d.Severity == hcl.DiagWarning {
			sev = diag.Warning
		}
		detail := d.Detail
		if note != "" {
			detail = strings.TrimSpace(detail + " " + note)
		}
		var rng resource.Range
		if d.Subject != nil {
			rng = toRange(*d.Subject)
		}
		out = append(out, diag.Diagnostic{Severity: sev, Summary: d.Summary, Detail: detail, Range: rng})
	}
	return out
}

func toRange(r hcl.Range) resource.Range {
	return resource.Range{
		Filename: r.Filename,
		Start:    resource.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:      resource.Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
	}
}

// sortedUnique sorts strings and drops duplicates; nil for none.
func sortedUnique(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	sort.Strings(list)
	out := list[:1]
	for _, s := range list[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}

func slashClean(p string) string {
	return path.Clean(filepath.ToSlash(p))
}
