package funcs

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// format implements .NET composite formatting as format() does: {index[,alignment][:specifier]},
// {{ and }}. Numbers take the standard numeric specifiers C# formats with the invariant culture;
// a specifier lensix does not evaluate makes the result unknown rather than plausibly wrong.
func format(_ Context, a []any) (any, error) {
	f, err := asString("the format string", a[0])
	if err != nil {
		return nil, err
	}
	args := a[1:]
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '{' && i+1 < len(f) && f[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(f) && f[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(f[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("format string %q has an unclosed '{'", f)
			}
			item := f[i+1 : i+end]
			indexText, specifier, _ := strings.Cut(item, ":")
			indexText, alignText, aligned := strings.Cut(indexText, ",")
			n, err := strconv.Atoi(strings.TrimSpace(indexText))
			if err != nil || n < 0 || n >= len(args) {
				return nil, fmt.Errorf("format item {%s} has no matching argument (%d given)", item, len(args))
			}
			align := 0
			if aligned {
				if align, err = strconv.Atoi(strings.TrimSpace(alignText)); err != nil {
					return nil, fmt.Errorf("format item {%s}: the alignment %q is not an integer", item, alignText)
				}
				if align > maxPad || align < -maxPad {
					return nil, fmt.Errorf("format item {%s}: the alignment is over %d", item, maxPad)
				}
			}
			v, err := formatItem(args[n], specifier)
			if err != nil {
				return nil, fmt.Errorf("format item {%s}: %w", item, err)
			}
			s, ok := v.(string)
			if !ok {
				return v, nil
			}
			if pad := abs(align) - len([]rune(s)); pad > 0 && align > 0 {
				b.WriteString(strings.Repeat(" ", pad))
				b.WriteString(s)
			} else {
				b.WriteString(s)
				b.WriteString(strings.Repeat(" ", max(pad, 0)))
			}
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// maxPrecision is the largest precision .NET Framework accepts; later .NET accepts more, so a
// template that uses more works on one runtime only.
const maxPrecision = 99

// formatItem formats one argument with a standard numeric format specifier: a string or a
// *resource.Unknown naming the specifier lensix does not evaluate.
func formatItem(v any, specifier string) (any, error) {
	n, isInt := AsInt(v)
	f, isFloat := v.(float64)
	if specifier == "" || (!isInt && !isFloat) {
		// .NET ignores the specifier of a value that is no number (strings, booleans).
		return ToString(v)
	}
	letter := specifier[0]
	digits := specifier[1:]
	precision := -1
	if digits != "" {
		p, err := strconv.Atoi(digits)
		if err != nil || p < 0 || !isLetter(letter) {
			return unknown("format specifier %q is a custom numeric format, which lensix does not evaluate", specifier), nil
		}
		if p > maxPrecision {
			return unknown("format specifier %q has a precision over %d, which only some .NET versions accept", specifier, maxPrecision), nil
		}
		precision = p
	} else if !isLetter(letter) {
		return unknown("format specifier %q is a custom numeric format, which lensix does not evaluate", specifier), nil
	}
	upper := letter >= 'A' && letter <= 'Z'
	switch letter | 0x20 {
	case 'd':
		if !isInt {
			return nil, runtimeErr("format specifier %q applies to integers only, not %v", specifier, f)
		}
		s := strconv.FormatInt(n, 10)
		neg := n < 0
		s = strings.TrimPrefix(s, "-")
		if len(s) < precision {
			s = strings.Repeat("0", precision-len(s)) + s
		}
		if neg {
			s = "-" + s
		}
		return s, nil
	case 'x':
		if !isInt {
			return nil, runtimeErr("format specifier %q applies to integers only, not %v", specifier, f)
		}
		if n < 0 {
			// The digits of a negative number depend on the integer's width in .NET (Int32 or Int64).
			return unknown("format specifier %q of the negative number %d is not evaluated", specifier, n), nil
		}
		s := strconv.FormatInt(n, 16)
		if upper {
			s = strings.ToUpper(s)
		}
		if len(s) < precision {
			s = strings.Repeat("0", precision-len(s)) + s
		}
		return s, nil
	case 'g':
		if precision > 0 {
			return unknown("format specifier %q (general with a precision) is not evaluated", specifier), nil
		}
		return ToString(v)
	case 'n', 'f', 'p', 'e':
	default:
		// C (currency) depends on the culture's symbol, R and B on the .NET version; any other
		// letter fails in .NET.
		return unknown("format specifier %q is not evaluated", specifier), nil
	}
	render := func(d decimalNumber) string {
		switch letter | 0x20 {
		case 'n':
			return d.fixed(defaultTo(precision, 2), true)
		case 'f':
			return d.fixed(defaultTo(precision, 2), false)
		case 'p':
			d.point += 2
			return d.fixed(defaultTo(precision, 2), true) + " %"
		}
		return d.exponential(defaultTo(precision, 6), upper)
	}
	if isInt {
		return render(intDecimal(n)), nil
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return unknown("format specifier %q of %v is not evaluated", specifier, f), nil
	}
	// .NET Framework rounds a double's 15 significant digits; .NET Core 3.0 and later round its
	// exact value, and a tie goes up or to even depending on the specifier and version. Only a
	// result all of them agree on is certain.
	exact := floatDecimal(f, -1)
	away, fifteen := render(exact), render(floatDecimal(f, 15))
	exact.halfEven = true
	even := render(exact)
	if math.Signbit(f) && !strings.HasPrefix(away, "-") {
		return unknown("format specifier %q of %v rounds to zero, which .NET writes as -0 and .NET Framework as 0", specifier, f), nil
	}
	if away != even {
		return unknown("format specifier %q of %v is a tie that .NET versions round to %q or %q", specifier, f, away, even), nil
	}
	if away != fifteen {
		return unknown("format specifier %q of %v rounds otherwise on .NET Framework (15 digits) than on .NET (the exact value)", specifier, f), nil
	}
	return away, nil
}

func isLetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

func defaultTo(precision, def int) int {
	if precision < 0 {
		return def
	}
	return precision
}

// decimalNumber is a number in decimal: its magnitude is 0.digits × 10^point, and digits has
// no leading or trailing zeros ("" for zero).
type decimalNumber struct {
	neg    bool
	digits string
	point  int
	// halfEven rounds a tie to the even digit; otherwise away from zero, as .NET does for integers.
	halfEven bool
}

func intDecimal(n int64) decimalNumber {
	if n == 0 {
		return decimalNumber{}
	}
	s := strconv.FormatInt(n, 10)
	d := decimalNumber{neg: n < 0, digits: strings.TrimPrefix(s, "-")}
	d.point = len(d.digits)
	d.digits = strings.TrimRight(d.digits, "0")
	return d
}

// floatDecimal returns f with sig significant digits, or exactly when sig is -1.
func floatDecimal(f float64, sig int) decimalNumber {
	if f == 0 {
		return decimalNumber{neg: math.Signbit(f)}
	}
	// A float64's exact decimal value never has more than 767 significant digits.
	prec := 767
	if sig > 0 {
		prec = sig - 1
	}
	mantissa, exponent, _ := strings.Cut(strconv.FormatFloat(math.Abs(f), 'e', prec, 64), "e")
	e, _ := strconv.Atoi(exponent)
	return decimalNumber{
		neg:    f < 0,
		digits: strings.TrimRight(strings.Replace(mantissa, ".", "", 1), "0"),
		point:  e + 1,
	}
}

// round keeps the first n significant digits.
func (d decimalNumber) round(n int) decimalNumber {
	if n >= len(d.digits) {
		return d
	}
	if n < 0 {
		return decimalNumber{neg: d.neg}
	}
	kept := []byte(d.digits[:n])
	tie := d.digits[n] == '5' && len(d.digits) == n+1
	lastOdd := n > 0 && (kept[n-1]-'0')%2 == 1
	if d.digits[n] > '5' || (d.digits[n] == '5' && (!tie || !d.halfEven || lastOdd)) {
		i := n - 1
		for ; i >= 0 && kept[i] == '9'; i-- {
			kept[i] = '0'
		}
		if i < 0 {
			kept = append([]byte{'1'}, kept...)
			d.point++
		} else {
			kept[i]++
		}
	}
	d.digits = strings.TrimRight(string(kept), "0")
	return d
}

// digit returns the digit i places after the decimal point (negative i: before it).
func (d decimalNumber) digit(i int) byte {
	if k := d.point + i; k >= 0 && k < len(d.digits) {
		return d.digits[k]
	}
	return '0'
}

// fixed writes d with precision decimals, and with thousands separators when grouped.
func (d decimalNumber) fixed(precision int, grouped bool) string {
	d = d.round(d.point + precision)
	if d.digits == "" {
		d.point = 0
	}
	var b strings.Builder
	if d.neg && d.digits != "" {
		b.WriteByte('-')
	}
	if d.point <= 0 || d.digits == "" {
		b.WriteByte('0')
	}
	for i := -max(d.point, 0); i < 0; i++ {
		if grouped && i > -d.point && (-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(d.digit(i))
	}
	if precision > 0 {
		b.WriteByte('.')
		for i := range precision {
			b.WriteByte(d.digit(i))
		}
	}
	return b.String()
}

// exponential writes d as d.dddE+ddd with precision decimals, as .NET's E specifier does.
func (d decimalNumber) exponential(precision int, upper bool) string {
	d = d.round(precision + 1)
	var b strings.Builder
	if d.neg && d.digits != "" {
		b.WriteByte('-')
	}
	exponent := 0
	if d.digits != "" {
		exponent = d.point - 1
	}
	b.WriteByte(d.digit(-d.point))
	if precision > 0 {
		b.WriteByte('.')
		for i := 1; i <= precision; i++ {
			b.WriteByte(d.digit(i - d.point))
		}
	}
	if upper {
		b.WriteByte('E')
	} else {
		b.WriteByte('e')
	}
	fmt.Fprintf(&b, "%+04d", exponent)
	return b.String()
}
