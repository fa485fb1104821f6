package azure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/lensix/lensix/internal/resource"
)

// node is one JSON value with the byte offset where it starts, so a resource read from a saved
// response can point at its line.
type node struct {
	start int
	end   int      // offset just past the value; set for objects and arrays
	value any      // the plain value: nil, bool, int64, float64, string, []any, map[string]any
	elems []*node  // array elements
	keys  []string // object keys, in order
	field map[string]*node
}

// parseJSON decodes src into a node tree. Numbers that are whole become int64, others float64.
func parseJSON(src []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	n, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	}
	return n, nil
}

func parseValue(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	end := int(dec.InputOffset())
	switch t := tok.(type) {
	case json.Delim:
		n := &node{start: end - 1}
		if t == '[' {
			list := []any{}
			for dec.More() {
				child, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, child)
				list = append(list, child.value)
			}
			n.value = list
		} else {
			obj := map[string]any{}
			n.field = map[string]*node{}
			for dec.More() {
				keyTok, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := keyTok.(string)
				child, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := n.field[key]; !dup {
					n.keys = append(n.keys, key)
				}
				n.field[key] = child
				obj[key] = child.value
			}
			n.value = obj
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		n.end = int(dec.InputOffset())
		return n, nil
	case json.Number:
		return &node{start: end - len(t), value: number(t)}, nil
	case string:
		return &node{start: valueStart(end, t), value: t}, nil
	case bool:
		return &node{start: end - len(strconv.FormatBool(t)), value: t}, nil
	default:
		return &node{start: end - len("null"), value: nil}, nil
	}
}

// valueStart guesses where a string token began; exact starts matter only for objects.
func valueStart(end int, s string) int {
	if start := end - len(s) - 2; start >= 0 {
		return start
	}
	return 0
}

func number(n json.Number) any {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i
	}
	f, _ := strconv.ParseFloat(string(n), 64)
	return f
}

// lineIndex turns byte offsets into line and column (in characters), as editors count them.
type lineIndex struct {
	src   []byte
	lines []int // byte offset of each line's start
}

func newLineIndex(src []byte) *lineIndex {
	idx := &lineIndex{src: src, lines: []int{0}}
	for i, b := range src {
		if b == '\n' {
			idx.lines = append(idx.lines, i+1)
		}
	}
	return idx
}

func (idx *lineIndex) pos(offset int) resource.Pos {
	if offset > len(idx.src) {
		offset = len(idx.src)
	}
	line := sort.Search(len(idx.lines), func(i int) bool { return idx.lines[i] > offset }) - 1
	col := utf8.RuneCount(idx.src[idx.lines[line]:offset]) + 1
	return resource.Pos{Line: line + 1, Column: col, Byte: offset}
}

// syntaxOffset finds where a decoding error happened, for a diagnostic that points at it.
func syntaxOffset(err error, size int) (int, string) {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return int(se.Offset), se.Error()
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return size, "unexpected end of JSON"
	}
	return 0, fmt.Sprint(err)
}
