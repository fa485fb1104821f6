package resource

import "fmt"

// Pos is a position in a source file: 1-based line and column (in characters) and 0-based byte
// offset, as hcl.Pos keeps them.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// Range is the span of a declaration in a file. Filename is slash-separated and relative to the
// directory lensix was run from when the file lies below it.
type Range struct {
	Filename string `json:"file"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// IsZero reports whether r names no place at all.
func (r Range) IsZero() bool { return r.Filename == "" && r.Start == (Pos{}) }

func (r Range) String() string {
	switch {
	case r.Filename == "":
		return ""
	case r.Start.Line == 0:
		return r.Filename
	default:
		return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
	}
}
