package token

import (
	"fmt"
	"sort"
	"unicode/utf8"
)

// Pos is a byte offset into a File plus one; the zero Pos (NoPos) means "no position".
type Pos int

// NoPos is the zero value of Pos: no position.
const NoPos Pos = 0

// IsValid reports whether p is a real position.
func (p Pos) IsValid() bool { return p != NoPos }

// Position is a printable source position. Line and Column are 1-based; Column counts characters
// (runes), as editors and SARIF do; Offset is the 0-based byte offset.
type Position struct {
	Filename string
	Offset   int
	Line     int
	Column   int
}

// IsValid reports whether the position names a line.
func (p Position) IsValid() bool { return p.Line > 0 }

func (p Position) String() string {
	s := p.Filename
	if p.IsValid() {
		if s != "" {
			s += ":"
		}
		s += fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	if s == "" {
		s = "-"
	}
	return s
}

// File maps the positions of one source file to lines and columns.
type File struct {
	name  string
	src   []byte
	lines []int // byte offset of the first character of each line
}

// NewFile records the line starts of src under name.
func NewFile(name string, src []byte) *File {
	f := &File{name: name, src: src, lines: []int{0}}
	for i, b := range src {
		if b == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// Name is the file name as given to NewFile.
func (f *File) Name() string { return f.name }

// Source is the file's text.
func (f *File) Source() []byte { return f.src }

// Size is the length of the file in bytes.
func (f *File) Size() int { return len(f.src) }

// Pos returns the Pos of a byte offset.
func (f *File) Pos(offset int) Pos { return Pos(offset + 1) }

// Offset returns the byte offset of p.
func (f *File) Offset(p Pos) int { return int(p) - 1 }

// Position resolves p to filename, line and column.
func (f *File) Position(p Pos) Position {
	if !p.IsValid() {
		return Position{Filename: f.name}
	}
	offset := int(p) - 1
	if offset > len(f.src) {
		offset = len(f.src)
	}
	line := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > offset }) - 1
	start := f.lines[line]
	return Position{
		Filename: f.name,
		Offset:   offset,
		Line:     line + 1,
		Column:   utf8.RuneCount(f.src[start:offset]) + 1,
	}
}
