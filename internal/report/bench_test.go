package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/lensix/lensix/internal/check"
)

// largeReport repeats the fixture's findings over n resources in n/10 files.
func largeReport(n int) *Report {
	base := fixtureReport()
	r := &Report{Version: base.Version, Checks: base.Checks, Errors: base.Errors, Resources: n}
	for i := 0; i < n; i++ {
		f := base.Findings[i%len(base.Findings)]
		res := *f.Resource
		res.Provenance.Address = fmt.Sprintf("%s_%d", res.Provenance.Address, i)
		if res.Provenance.Range.Filename != "" {
			res.Provenance.Range.Filename = fmt.Sprintf("infra/stack%03d/main.tf", i/10)
		}
		f.Resource = &res
		r.Findings = append(r.Findings, f)
	}
	check.SortFindings(r.Findings)
	return r
}

// BenchmarkWrite measures each format on 10,000 findings:
// go test ./internal/report -run '^$' -bench Write -benchmem
func BenchmarkWrite(b *testing.B) {
	r := largeReport(10000)
	for _, format := range Formats() {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, format, r, Options{WorkDir: testWorkDir}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
