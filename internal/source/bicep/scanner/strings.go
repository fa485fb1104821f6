package scanner

import (
	"strconv"
	"strings"

	"github.com/lensix/lensix/internal/source/bicep/token"
)

// StringSegment returns the decoded text of one string token: the characters between its
// delimiters (quote, "${" or "}") with escapes resolved. dollars is 0 for a single-quoted string
// and, for an interpolated $”'...”' string, the number of dollar signs that open an
// interpolation. Multi-line text is verbatim, without the newline that may follow the opening
// quotes.
func StringSegment(tok token.Token, lit string, dollars int) string {
	if tok == token.MULTILINE || dollars > 0 {
		body := lit
		if tok == token.MULTILINE || tok == token.STRING_LEFT {
			body = strings.TrimLeft(body, "$")
			body = strings.TrimPrefix(body, "'''")
			if strings.HasPrefix(body, "\r\n") {
				body = body[2:]
			} else if strings.HasPrefix(body, "\n") {
				body = body[1:]
			}
		} else {
			body = strings.TrimPrefix(body, "}")
		}
		if tok == token.STRING_LEFT || tok == token.STRING_MID {
			return strings.TrimSuffix(body, strings.Repeat("$", dollars)+"{")
		}
		return strings.TrimSuffix(body, "'''")
	}
	if len(lit) > 0 {
		lit = lit[1:] // ' or }
	}
	switch {
	case (tok == token.STRING_LEFT || tok == token.STRING_MID) && strings.HasSuffix(lit, "${"):
		lit = lit[:len(lit)-2]
	case (tok == token.STRING || tok == token.STRING_RIGHT) && strings.HasSuffix(lit, "'") && !strings.HasSuffix(lit, `\'`):
		lit = lit[:len(lit)-1]
	case (tok == token.STRING || tok == token.STRING_RIGHT) && strings.HasSuffix(lit, `\\'`):
		lit = lit[:len(lit)-1]
	}
	return unescape(lit)
}

// Dollars returns the interpolation marker length of a string's first token: the number of
// leading dollar signs of a $”'...”' string, or 0.
func Dollars(lit string) int { return len(lit) - len(strings.TrimLeft(lit, "$")) }

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if end := strings.IndexByte(s[i:], '}'); i+1 < len(s) && s[i+1] == '{' && end > 1 {
				if code, err := strconv.ParseUint(s[i+2:i+end], 16, 32); err == nil {
					b.WriteRune(rune(code))
					i += end
					continue
				}
			}
			b.WriteString(`\u`)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
