package armsim

import (
	"fmt"
	"strconv"
	"strings"
)

// The subset of the Kusto Query Language lensix sends to Resource Graph:
//
//	resources | where type =~ 'microsoft.apimanagement/service' and resourceGroup in~ ('a', 'b')
//	          | project id, name, type, identity | order by id asc | take 10
//
// Anything else is a parser failure, answered the way Resource Graph answers one.

type query struct {
	table  string
	stages []stage
}

type stage struct {
	kind    string // where, project, order, take
	conds   []cond
	columns []string
	desc    bool
	n       int
}

type cond struct {
	column string
	op     string // ==, =~, !=, !~, in, in~, !in, !in~
	values []string
}

type parseError struct {
	pos   int
	token string
	msg   string
}

func (e *parseError) Error() string {
	return fmt.Sprintf("%s at position %d near %q", e.msg, e.pos, e.token)
}

type token struct {
	kind string // ident, string, number, punct, eof
	text string
	pos  int
}

func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			var sb strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				sb.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, &parseError{pos: i, token: src[i:], msg: "unterminated string literal"}
			}
			toks = append(toks, token{"string", sb.String(), i})
			i = j + 1
		case isIdentStart(c):
			j := i
			for j < len(src) && (isIdentStart(src[j]) || (src[j] >= '0' && src[j] <= '9') || src[j] == '.') {
				j++
			}
			word := src[i:j]
			if j < len(src) && src[j] == '~' && (strings.EqualFold(word, "in")) {
				word, j = word+"~", j+1
			}
			toks = append(toks, token{"ident", word, i})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			toks = append(toks, token{"number", src[i:j], i})
			i = j
		case strings.HasPrefix(src[i:], "==") || strings.HasPrefix(src[i:], "=~") || strings.HasPrefix(src[i:], "!=") || strings.HasPrefix(src[i:], "!~"):
			toks = append(toks, token{"punct", src[i : i+2], i})
			i += 2
		case c == '!' && i+2 < len(src) && strings.EqualFold(src[i+1:i+3], "in"):
			j := i + 3
			if j < len(src) && src[j] == '~' {
				j++
			}
			toks = append(toks, token{"ident", strings.ToLower(src[i:j]), i})
			i = j
		case strings.ContainsRune("|(),", rune(c)):
			toks = append(toks, token{"punct", string(c), i})
			i++
		default:
			return nil, &parseError{pos: i, token: string(c), msg: "unexpected character"}
		}
	}
	return append(toks, token{"eof", "", len(src)}), nil
}

func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != "eof" {
		p.i++
	}
	return t
}

func (p *parser) fail(msg string) error {
	t := p.peek()
	return &parseError{pos: t.pos, token: t.text, msg: msg}
}

func (p *parser) expect(kind, text string) error {
	t := p.peek()
	if t.kind != kind || (text != "" && !strings.EqualFold(t.text, text)) {
		return p.fail(fmt.Sprintf("expected %s", strings.TrimSpace(kind+" "+text)))
	}
	p.next()
	return nil
}

func parseQuery(src string) (*query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	t := p.next()
	table := strings.ToLower(t.text)
	if t.kind != "ident" || (table != "resources" && table != "resourcecontainers") {
		return nil, &parseError{pos: t.pos, token: t.text, msg: "expected a table: resources or resourcecontainers"}
	}
	q := &query{table: table}
	for p.peek().kind != "eof" {
		if err := p.expect("punct", "|"); err != nil {
			return nil, err
		}
		st, err := p.stage()
		if err != nil {
			return nil, err
		}
		q.stages = append(q.stages, st)
	}
	return q, nil
}

func (p *parser) stage() (stage, error) {
	op := p.next()
	switch strings.ToLower(op.text) {
	case "where":
		st := stage{kind: "where"}
		for {
			c, err := p.cond()
			if err != nil {
				return stage{}, err
			}
			st.conds = append(st.conds, c)
			if !strings.EqualFold(p.peek().text, "and") || p.peek().kind != "ident" {
				return st, nil
			}
			p.next()
		}
	case "project":
		st := stage{kind: "project"}
		for {
			col := p.next()
			if col.kind != "ident" {
				return stage{}, &parseError{pos: col.pos, token: col.text, msg: "expected a column name"}
			}
			st.columns = append(st.columns, col.text)
			if p.peek().text != "," {
				return st, nil
			}
			p.next()
		}
	case "order", "sort":
		if err := p.expect("ident", "by"); err != nil {
			return stage{}, err
		}
		col := p.next()
		if col.kind != "ident" {
			return stage{}, &parseError{pos: col.pos, token: col.text, msg: "expected a column name"}
		}
		st := stage{kind: "order", columns: []string{col.text}, desc: true} // Kusto sorts descending by default
		if dir := strings.ToLower(p.peek().text); dir == "asc" || dir == "desc" {
			st.desc = dir == "desc"
			p.next()
		}
		return st, nil
	case "take", "limit":
		n := p.next()
		v, err := strconv.Atoi(n.text)
		if n.kind != "number" || err != nil {
			return stage{}, &parseError{pos: n.pos, token: n.text, msg: "expected a number"}
		}
		return stage{kind: "take", n: v}, nil
	default:
		return stage{}, &parseError{pos: op.pos, token: op.text, msg: "unsupported operator (armsim knows where, project, order by, take)"}
	}
}

func (p *parser) cond() (cond, error) {
	col := p.next()
	if col.kind != "ident" {
		return cond{}, &parseError{pos: col.pos, token: col.text, msg: "expected a column name"}
	}
	op := p.next()
	c := cond{column: col.text, op: strings.ToLower(op.text)}
	switch c.op {
	case "==", "=~", "!=", "!~":
		v := p.next()
		if v.kind != "string" {
			return cond{}, &parseError{pos: v.pos, token: v.text, msg: "expected a string literal"}
		}
		c.values = []string{v.text}
	case "in", "in~", "!in", "!in~":
		if err := p.expect("punct", "("); err != nil {
			return cond{}, err
		}
		for {
			v := p.next()
			if v.kind != "string" {
				return cond{}, &parseError{pos: v.pos, token: v.text, msg: "expected a string literal"}
			}
			c.values = append(c.values, v.text)
			if p.peek().text != "," {
				break
			}
			p.next()
		}
		if err := p.expect("punct", ")"); err != nil {
			return cond{}, err
		}
	default:
		return cond{}, &parseError{pos: op.pos, token: op.text, msg: "expected a comparison: ==, =~, !=, !~, in, in~"}
	}
	return c, nil
}

// run applies the query's stages to a table's rows.
func (q *query) run(rows []map[string]any) []map[string]any {
	for _, st := range q.stages {
		switch st.kind {
		case "where":
			var kept []map[string]any
			for _, row := range rows {
				if matchAll(row, st.conds) {
					kept = append(kept, row)
				}
			}
			rows = kept
		case "project":
			projected := make([]map[string]any, len(rows))
			for i, row := range rows {
				out := make(map[string]any, len(st.columns))
				for _, c := range st.columns {
					out[c] = column(row, c)
				}
				projected[i] = out
			}
			rows = projected
		case "order":
			sortRows(rows, st.columns[0], st.desc)
		case "take":
			rows = rows[:min(st.n, len(rows))]
		}
	}
	if rows == nil {
		rows = []map[string]any{}
	}
	return rows
}

func matchAll(row map[string]any, conds []cond) bool {
	for _, c := range conds {
		v, _ := column(row, c.column).(string)
		caseless := strings.HasSuffix(c.op, "~")
		negated := strings.HasPrefix(c.op, "!")
		hit := false
		for _, want := range c.values {
			if v == want || (caseless && strings.EqualFold(v, want)) {
				hit = true
				break
			}
		}
		if hit == negated {
			return false
		}
	}
	return true
}

// column reads a column, or a dotted path into a dynamic column (properties.sku).
func column(row map[string]any, name string) any {
	parts := strings.Split(name, ".")
	var v any = row[parts[0]]
	for _, p := range parts[1:] {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}
