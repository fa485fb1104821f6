// Package jsonpos reads JSON the way Azure Resource Manager accepts it — with // and /* */
// comments and trailing commas — into a tree of nodes that keep their byte span, so every value
// can be reported at its file:line:col. It is the first of the ARM source's three stages (reader,
// expression parser, evaluator), in the manner of go/scanner.
package jsonpos

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/lensix/lensix/internal/resource"
)

// Kind is the JSON type of a node.
type Kind uint8

// Kinds of node.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{Null: "null", Bool: "bool", Number: "number", String: "string", Array: "array", Object: "object"}

func (k Kind) String() string { return kindNames[k] }

// Node is one JSON value and the byte span [Start, End) it occupies in its file.
type Node struct {
	Kind       Kind
	Start, End int
	// Bool holds a Bool node's value.
	Bool bool
	// Num holds a Number node's value: int64 when the literal is an integer that fits, else float64.
	Num any
	// Str holds a String node's decoded value.
	Str string
	// Escaped reports that a String node's literal held escapes, so offsets in Str do not map
	// one to one onto the file.
	Escaped bool
	Elems   []*Node
	Fields  []Field
}

// Field is one member of an object.
type Field struct {
	Key      string
	KeyStart int
	Value    *Node
}

// Get returns the value of the member named key, compared without regard to letter case as ARM
// compares property names (an exact match wins), or nil. Of duplicate members the last wins, as
// in Value.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Object {
		return nil
	}
	var exact, folded *Node
	for i := range n.Fields {
		f := &n.Fields[i]
		if f.Key == key {
			exact = f.Value
		} else if strings.EqualFold(f.Key, key) {
			folded = f.Value
		}
	}
	if exact != nil {
		return exact
	}
	return folded
}

// Value converts the node to the JSON-shaped Go value the resource model uses: nil, bool, int64,
// float64, string, []any or map[string]any.
func (n *Node) Value() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case Bool:
		return n.Bool
	case Number:
		return n.Num
	case String:
		return n.Str
	case Array:
		out := make([]any, len(n.Elems))
		for i, e := range n.Elems {
			out[i] = e.Value()
		}
		return out
	case Object:
		out := make(map[string]any, len(n.Fields))
		for _, f := range n.Fields {
			out[f.Key] = f.Value.Value()
		}
		return out
	}
	return nil
}

// File maps byte offsets of one source to lines and columns, as go/token.File does.
type File struct {
	Name  string
	src   []byte
	lines []int // offset of the first byte of each line
}

// NewFile indexes src for position lookups.
func NewFile(name string, src []byte) *File {
	lines := make([]int, 1, bytes.Count(src, []byte("\n"))+1)
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		lines = append(lines, i)
	}
	return &File{Name: name, src: src, lines: lines}
}

// Source returns the file's content.
func (f *File) Source() []byte { return f.src }

// Position converts a byte offset to a 1-based line and a 1-based column counted in characters.
func (f *File) Position(offset int) resource.Pos {
	if offset < 0 {
		offset = 0
	}
	if offset > len(f.src) {
		offset = len(f.src)
	}
	line := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > offset }) - 1
	start := f.lines[line]
	return resource.Pos{Line: line + 1, Column: utf8.RuneCount(f.src[start:offset]) + 1, Byte: offset}
}

// Range gives the span [start, end) as a resource.Range named after the file.
func (f *File) Range(start, end int) resource.Range {
	return resource.Range{Filename: f.Name, Start: f.Position(start), End: f.Position(end)}
}

// Error is a syntax error at a byte offset.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 1000

// Parse reads one JSON document. On a syntax error it returns the error and no tree: JSON has
// no statement boundary to recover at, and a half-read template would evaluate to wrong results.
func Parse(src []byte) (*Node, error) {
	p := &parser{src: src}
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		p.pos = 3
	}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.err != nil {
		return nil, p.err
	}
	if p.pos < len(src) {
		return nil, &Error{p.pos, fmt.Sprintf("unexpected %s after the end of the document", p.describe())}
	}
	return n, nil
}

type parser struct {
	src  []byte
	pos  int
	err  *Error
	slab []Node // nodes are carved from slabs: one allocation for many small values
}

func (p *parser) node(kind Kind, start int) *Node {
	if len(p.slab) == 0 {
		p.slab = make([]Node, 256)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	n.Kind, n.Start = kind, start
	return n
}

func (p *parser) fail(offset int, format string, args ...any) *Error {
	return &Error{offset, fmt.Sprintf(format, args...)}
}

func (p *parser) describe() string {
	if p.pos >= len(p.src) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	return strconv.QuoteRune(r)
}

// skipSpace skips whitespace and comments; an unterminated block comment sets p.err.
func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.pos++
		case c == '/' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '/':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		case c == '/' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '*':
			end := bytes.Index(p.src[p.pos+2:], []byte("*/"))
			if end < 0 {
				p.err = p.fail(p.pos, "comment not terminated: add */")
				p.pos = len(p.src)
				return
			}
			p.pos += 2 + end + 2
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*Node, error) {
	p.skipSpace()
	if p.err != nil {
		return nil, p.err
	}
	if depth > maxDepth {
		return nil, p.fail(p.pos, "values nested more than %d deep", maxDepth)
	}
	if p.pos >= len(p.src) {
		return nil, p.fail(p.pos, "unexpected end of file: a value was expected")
	}
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, escaped, err := p.str()
		if err != nil {
			return nil, err
		}
		n := p.node(String, start)
		n.End, n.Str, n.Escaped = p.pos, s, escaped
		return n, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case isIdentByte(c):
		for p.pos < len(p.src) && isIdentByte(p.src[p.pos]) {
			p.pos++
		}
		switch word := string(p.src[start:p.pos]); word {
		case "true", "false":
			n := p.node(Bool, start)
			n.End, n.Bool = p.pos, word == "true"
			return n, nil
		case "null":
			n := p.node(Null, start)
			n.End = p.pos
			return n, nil
		default:
			return nil, p.fail(start, "unexpected word %q: strings must be in double quotes", word)
		}
	default:
		return nil, p.fail(start, "unexpected %s: a value was expected", p.describe())
	}
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= '0' && c <= '9'
}

func (p *parser) object(depth int) (*Node, error) {
	n := p.node(Object, p.pos)
	p.pos++
	for {
		p.skipSpace()
		if p.err != nil {
			return nil, p.err
		}
		if p.pos >= len(p.src) {
			return nil, p.fail(n.Start, "object not closed: add }")
		}
		if p.src[p.pos] == '}' {
			p.pos++
			n.End = p.pos
			return n, nil
		}
		if p.src[p.pos] != '"' {
			return nil, p.fail(p.pos, "unexpected %s: a property name in double quotes was expected", p.describe())
		}
		keyStart := p.pos
		key, _, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.err != nil {
			return nil, p.err
		}
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.fail(p.pos, "unexpected %s: ':' was expected after property name %q", p.describe(), key)
		}
		p.pos++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.Fields = append(n.Fields, Field{Key: key, KeyStart: keyStart, Value: v})
		p.skipSpace()
		if p.err != nil {
			return nil, p.err
		}
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == '}' {
			continue
		}
		if p.pos >= len(p.src) {
			return nil, p.fail(n.Start, "object not closed: add }")
		}
		return nil, p.fail(p.pos, "unexpected %s: ',' or '}' was expected after property %q", p.describe(), key)
	}
}

func (p *parser) array(depth int) (*Node, error) {
	n := p.node(Array, p.pos)
	p.pos++
	for {
		p.skipSpace()
		if p.err != nil {
			return nil, p.err
		}
		if p.pos >= len(p.src) {
			return nil, p.fail(n.Start, "array not closed: add ]")
		}
		if p.src[p.pos] == ']' {
			p.pos++
			n.End = p.pos
			return n, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.Elems = append(n.Elems, v)
		p.skipSpace()
		if p.err != nil {
			return nil, p.err
		}
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			continue
		}
		if p.pos >= len(p.src) {
			return nil, p.fail(n.Start, "array not closed: add ]")
		}
		return nil, p.fail(p.pos, "unexpected %s: ',' or ']' was expected in array", p.describe())
	}
}

func (p *parser) number() (*Node, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	digits := p.pos
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == digits {
		return nil, p.fail(start, "malformed number: digits were expected after '-'")
	}
	integer := true
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		integer = false
		p.pos++
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		integer = false
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
	}
	text := string(p.src[start:p.pos])
	n := p.node(Number, start)
	n.End = p.pos
	if integer {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			n.Num = i
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return nil, p.fail(start, "malformed number %q", text)
	}
	n.Num = f
	return n, nil
}

// str reads a double-quoted string at p.pos. Raw control characters are accepted, as the
// Newtonsoft reader ARM uses accepts them.
func (p *parser) str() (string, bool, error) {
	start := p.pos
	p.pos++
	var b []byte
	plainFrom := p.pos
	escaped := false
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '"':
			if !escaped {
				s := string(p.src[plainFrom:p.pos])
				p.pos++
				return s, false, nil
			}
			b = append(b, p.src[plainFrom:p.pos]...)
			p.pos++
			return string(b), true, nil
		case '\\':
			escaped = true
			b = append(b, p.src[plainFrom:p.pos]...)
			if p.pos+1 >= len(p.src) {
				return "", false, p.fail(start, "string not closed: add \"")
			}
			esc := p.src[p.pos+1]
			p.pos += 2
			switch esc {
			case '"', '\\', '/', '\'':
				b = append(b, esc)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", false, p.fail(p.pos-2, `malformed \u escape: four hex digits were expected`)
				}
				if utf16.IsSurrogate(r) && p.pos+1 < len(p.src) && p.src[p.pos] == '\\' && p.src[p.pos+1] == 'u' {
					save := p.pos
					p.pos += 2
					if r2, ok := p.hex4(); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
						r = utf16.DecodeRune(r, r2)
					} else {
						p.pos = save
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", false, p.fail(p.pos-2, "unknown escape \\%c in string", esc)
			}
			plainFrom = p.pos
		default:
			p.pos++
		}
	}
	return "", false, p.fail(start, "string not closed: add \"")
}

func (p *parser) hex4() (rune, bool) {
	if p.pos+4 > len(p.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.src[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(v), true
}
