package bicep

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// errTooLarge is returned by readBounded for a file over maxFileSize bytes.
var errTooLarge = fmt.Errorf("the file is larger than %d MiB, the most lensix reads", maxFileSize>>20)

// readBounded reads a regular file of at most maxFileSize bytes. Devices, pipes and directories
// are refused before they are opened: /dev/zero has size 0 and never ends, a FIFO blocks.
func readBounded(name string) ([]byte, error) {
	native := filepath.FromSlash(name)
	info, err := os.Stat(native)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file; lensix reads only regular files", name, fileKind(info.Mode()))
	}
	f, err := os.Open(native)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, errTooLarge
	}
	return data, nil
}

// fileKind names what a path that is not a regular file is.
func fileKind(mode os.FileMode) string {
	switch {
	case mode.IsDir():
		return "a folder"
	case mode&os.ModeDevice != 0:
		return "a device"
	case mode&os.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&os.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// textProblem says why src cannot be read as Bicep text, at which byte; "" when it can.
func textProblem(src []byte) (int, string, string) {
	if bytes.HasPrefix(src, []byte{0xff, 0xfe}) || bytes.HasPrefix(src, []byte{0xfe, 0xff}) {
		return 0, "The file is UTF-16, not UTF-8", "Bicep files are UTF-8 text; save it as UTF-8 (lensix skipped it)"
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return i, "The file is binary, not Bicep text",
			"it contains a NUL byte; lensix skipped it — scan only Bicep source files"
	}
	if !utf8.Valid(src) {
		for i := 0; i < len(src); {
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size <= 1 {
				return i, "The file is not valid UTF-8",
					"Bicep files are UTF-8 text; save it as UTF-8 (lensix skipped it)"
			}
			i += size
		}
	}
	return -1, "", ""
}

// posAt turns a byte offset of src into a line:column position.
func posAt(src []byte, offset int) resource.Pos {
	line, col := 1, 1
	for _, b := range src[:offset] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return resource.Pos{Line: line, Column: col, Byte: offset}
}

// scanRoot is the folder load functions may read under: the root the user scanned, else the
// deepest folder that holds every file given (absolute, symbolic links resolved).
func scanRoot(root string, files []string) string {
	if root == "" {
		for i, name := range files {
			dir := filepath.Dir(filepath.FromSlash(name))
			if abs, err := filepath.Abs(dir); err == nil {
				dir = abs
			}
			if i == 0 {
				root = dir
				continue
			}
			for !within(root, dir) {
				parent := filepath.Dir(root)
				if parent == root {
					break
				}
				root = parent
			}
		}
	}
	if root == "" {
		root = "."
	}
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	return root
}

// within reports whether the absolute path p is dir or below it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// errOutsideRoot is returned for a file a load function names outside the scanned folder.
var errOutsideRoot = errors.New("outside the scanned folder")

// readUnderRoot reads a file that a template loads into its values, refusing one that is (or
// links to something) outside the scanned folder, whose content would otherwise end up in reports.
func (l *loader) readUnderRoot(name string) ([]byte, error) {
	abs, err := filepath.Abs(filepath.FromSlash(name))
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if !within(l.root, abs) {
		return nil, errOutsideRoot
	}
	return readBounded(name)
}

// resolve names a file referenced from f by a path, as Bicep does: relative to f's folder, or
// absolute as written.
func (f *sourceFile) resolve(rel string) string {
	if path.IsAbs(rel) || filepath.IsAbs(filepath.FromSlash(rel)) {
		return path.Clean(filepath.ToSlash(rel))
	}
	return path.Join(path.Dir(f.path), rel)
}

// readError reports a file that cannot be read as a Bicep or parameters file.
func (l *loader) readError(name, summary string, err error) {
	l.report(resource.Range{Filename: name}, diag.Error, summary, err.Error())
}

// absolute is a slash path made absolute, to compare paths spelt from different folders.
func absolute(name string) string {
	if abs, err := filepath.Abs(filepath.FromSlash(name)); err == nil {
		return filepath.ToSlash(abs)
	}
	return path.Clean(name)
}
