package funcs

import (
	"math"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/resource"
)

func TestFormatWritesNumbersAsDotNet(t *testing.T) {
	tests := []struct {
		name   string
		layout string
		arg    any
		want   string
	}{
		{"N2 groups thousands and writes two decimals", "{0:N2}", 1234.5, "1,234.50"},
		{"N2 of a large fraction keeps every group", "{0:N2}", 8175133.5, "8,175,133.50"},
		{"N0 of an integer groups thousands", "{0:N0}", int64(8175133), "8,175,133"},
		{"N without precision writes two decimals of an integer", "{0:N}", int64(1234), "1,234.00"},
		{"n1 of a negative number keeps the sign before the groups", "{0:n1}", -1234567.89, "-1,234,567.9"},
		{"N0 rounds up into a new group", "{0:N0}", 999.7, "1,000"},
		{"N0 of a small number has no separator", "{0:N0}", int64(999), "999"},
		{"N2 of the smallest int64 groups every digit", "{0:N0}", int64(-9223372036854775808), "-9,223,372,036,854,775,808"},
		{"F without precision writes two decimals", "{0:F}", int64(255), "255.00"},
		{"F3 pads decimals with zeros", "{0:F3}", 1.5, "1.500"},
		{"F0 of a fraction below one half is zero", "{0:F0}", 0.4, "0"},
		{"F1 rounds a fraction that is no tie", "{0:F1}", 0.26, "0.3"},
		{"F does not group thousands", "{0:F0}", int64(1234567), "1234567"},
		{"D3 pads with zeros", "{0:D3}", int64(7), "007"},
		{"D6 pads a negative number after the sign", "{0:D6}", int64(-1234), "-001234"},
		{"D without precision writes the integer", "{0:d}", int64(42), "42"},
		{"X writes upper-case hexadecimal", "{0:X}", int64(255), "FF"},
		{"x4 writes lower-case hexadecimal padded to four digits", "{0:x4}", int64(255), "00ff"},
		{"E writes six decimals and a three-digit exponent", "{0:E}", 1052.0329112756, "1.052033E+003"},
		{"e2 of zero writes a zero exponent", "{0:e2}", int64(0), "0.00e+000"},
		{"E2 of a negative integer rounds half away from zero", "{0:E2}", int64(-12345), "-1.23E+004"},
		{"E0 of an integer tie rounds away from zero", "{0:E0}", int64(25), "3E+001"},
		{"E1 of a small number has a negative exponent", "{0:E1}", 0.00123, "1.2E-003"},
		{"P multiplies by a hundred and writes a spaced percent sign", "{0:P}", 0.1234, "12.34 %"},
		{"P1 of a negative fraction", "{0:P1}", -0.5, "-50.0 %"},
		{"P0 of an integer groups thousands", "{0:P0}", int64(12), "1,200 %"},
		{"G of an integer writes it", "{0:G}", int64(42), "42"},
		{"a number specifier on a string is ignored as .NET ignores it", "{0:N2}", "abc", "abc"},
		{"a number specifier on a boolean is ignored", "{0:X}", true, "True"},
		{"a positive alignment pads on the left", "{0,5}|", "a", "    a|"},
		{"a negative alignment pads on the right", "{0,-5}|", "a", "a    |"},
		{"alignment and a specifier combine", "[{0, 8:N1}]", int64(1234), "[ 1,234.0]"},
		{"an alignment shorter than the value does not cut it", "{0,2}", "abcd", "abcd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Call(fakeContext{}, "format", arr(tt.layout, tt.arg))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("format(%q, %v) = %#v, want %q", tt.layout, tt.arg, got, tt.want)
			}
		})
	}
}

func TestFormatLeavesWhatItCannotBeSureOfUnknown(t *testing.T) {
	tests := []struct {
		name   string
		layout string
		arg    any
		reason string
	}{
		{"currency depends on the culture's symbol", "{0:C2}", int64(1), `"C2"`},
		{"round-trip depends on the .NET version", "{0:R}", 1.5, `"R"`},
		{"a custom numeric format is not evaluated", "{0:0.00}", 1.5, `"0.00" is a custom numeric format`},
		{"a custom format with letters is not evaluated", "{0:#,##0 USD}", int64(5), "custom numeric format"},
		{"general with a precision is not evaluated", "{0:G3}", int64(12345), `"G3"`},
		{"hexadecimal of a negative number depends on the integer's width", "{0:X}", int64(-1), `"X"`},
		{"a precision over 99 is accepted by some .NET versions only", "{0:D100}", int64(1), "over 99"},
		{"a double whose 15 digits round otherwise than its exact value", "{0:F2}", 1.005, ".NET Framework"},
		{"a double that is an exact tie", "{0:F0}", 2.5, "tie"},
		{"a negative double that rounds to zero", "{0:F2}", -0.001, "-0"},
		{"infinity is not evaluated", "{0:N2}", math.Inf(1), `"N2"`},
		{"not-a-number is not evaluated", "{0:E}", math.NaN(), `"E"`},
		{"an unknown letter fails in .NET", "{0:Z}", int64(1), `"Z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Call(fakeContext{}, "format", arr(tt.layout, tt.arg))
			if err != nil {
				t.Fatal(err)
			}
			u, ok := got.(*resource.Unknown)
			if !ok {
				t.Fatalf("format(%q, %v) = %#v, want an unknown value", tt.layout, tt.arg, got)
			}
			if !strings.Contains(u.Reason, tt.reason) {
				t.Errorf("reason %q does not contain %q", u.Reason, tt.reason)
			}
		})
	}
}

// FuzzFormat feeds format strings and numbers to format(): it may fail, never panic, and a
// number it writes with a standard specifier is not longer than the precision and the value need.
func FuzzFormat(f *testing.F) {
	f.Add("{0:N2}|{0,-5}", int64(1234), 1234.5)
	f.Add("{0:E99}{1:P}", int64(-9223372036854775808), -0.0)
	f.Add("{1:F0}{0:X16}", int64(255), 2.5)
	f.Fuzz(func(t *testing.T, layout string, n int64, x float64) {
		for _, arg := range []any{n, x} {
			v, err := Call(fakeContext{}, "format", arr(layout, arg, x))
			if s, ok := v.(string); err == nil && ok && len(s) > len(layout)*(maxPad+maxPrecision+800) {
				t.Fatalf("format(%q, %v) wrote %d bytes", layout, arg, len(s))
			}
		}
	})
}
