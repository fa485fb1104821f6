package arm

import (
	"errors"
	"fmt"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/source/arm/jsonpos"
)

// Budget is what one scan may evaluate: resource instances, the values their bodies hold, and
// the values walked to size function results. Templates multiply cheaply (copy loops around
// nested deployments, one large variable repeated in every instance), so each is bounded and
// the scan stops expanding, with one error, where a limit is met. The zero value is a full
// budget.
type Budget struct {
	instances int // in the scan
	// template counts the instances of the root template being evaluated, which stops expanding
	// alone when it passes MaxInstances (templateStopped).
	template        int
	templateStopped bool
	// scanLimit replaces MaxScanInstances when set (tests).
	scanLimit  int
	bodyValues int
	bodyBytes  int
	walked     int
	stopped    bool
}

// MaxInstances bounds the resource instances one root template (with what it deploys and
// links) evaluates. Copy loops around nested deployments multiply (800 × 800 is 640,000 instances
// from 900 bytes) and each instance costs about 20 KB by the time it is in a JSON report with a
// finding; 25,000 is 31 templates at Resource Manager's limit of 800 resources.
const MaxInstances = 25000

// MaxScanInstances bounds the resource instances of a whole scan: a repository of many templates
// holds far more plain resources than one template may multiply into (30,000 resources in 300
// templates cost 141 MB), but not without end.
const MaxScanInstances = 250000

// NewTemplate starts counting the instances of another root template: each may have
// MaxInstances of its own, within the scan's MaxScanInstances.
func (b *Budget) NewTemplate() { b.template, b.templateStopped = 0, false }

const (
	// A resource body holding a large variable costs little to evaluate (the value is shared)
	// but its full size to report: the scan's bodies hold at most 4M values (170 per instance
	// at the instance limit) and 256 MB of strings, counted as often as they are reachable.
	maxBodyValues = 1 << 22
	maxBodyBytes  = 256 << 20
	// One function result holds at most 1M values or 64 MB; variables that double a value in
	// each step would otherwise grow without bound.
	maxValueNodes = 1 << 20
	maxValueBytes = 64 << 20
	// Sizing the results walks them; a loop that wraps a large value again and again walks
	// it each time, so the scan walks at most 256M values (seconds) in all.
	maxWalked = 1 << 28
)

var (
	// errTooLarge is a result beyond lensix's limits: the expression itself may well be valid.
	errTooLarge = fmt.Errorf("the result is larger than lensix's evaluation limit of %d values or %d MB", maxValueNodes, maxValueBytes>>20)
	// errWalked is met when the scan has walked maxWalked values; errStopped after that.
	errWalked  = errors.New("the scan's function results are too large in all")
	errStopped = errors.New("lensix stopped evaluating the scan")
)

// stop ends the scan's expansion at offset of f, reporting why once.
func (l *loader) stop(f *jsonpos.File, offset int, reason string) {
	if l.budget.stopped {
		return
	}
	l.budget.stopped = true
	l.report(f, offset, diag.Error, "lensix stopped expanding resources here: "+reason,
		"this resource and every resource after it, in this template and the templates after it, were not evaluated, so no check has a result for them; "+
			"those before it were. Scan the repository in parts, or look for copy loops around nested deployments, "+
			"templates linked many times, or a large value repeated in every instance")
}

// countInstance takes one resource instance, declared at offset of f, from the template's and
// the scan's budgets.
func (l *loader) countInstance(f *jsonpos.File, offset int) bool {
	b := l.budget
	if b.stopped || b.templateStopped {
		return false
	}
	b.instances++
	b.template++
	if b.template > MaxInstances {
		b.templateStopped = true
		l.report(f, offset, diag.Error, fmt.Sprintf("lensix stopped expanding this template's resources here: it reached the limit of %d resource instances per template", MaxInstances),
			"this resource and every later one of the template were not evaluated, so no check has a result for them; those before it were, and other templates are. "+
				"Resource Manager allows 800 resources per template: look for copy loops around nested deployments or templates linked many times")
		return false
	}
	limit := MaxScanInstances
	if b.scanLimit > 0 {
		limit = b.scanLimit
	}
	if b.instances > limit {
		l.stop(f, offset, fmt.Sprintf("the scan reached its limit of %d resource instances", limit))
		return false
	}
	return true
}

// countBody takes the values of an instance's body, declared at offset of f, from the scan's
// budget.
func (l *loader) countBody(f *jsonpos.File, offset int, body map[string]any) bool {
	if l.budget.stopped {
		return false
	}
	b := sizeBudget{nodes: maxBodyValues - l.budget.bodyValues, bytes: maxBodyBytes - l.budget.bodyBytes}
	fits := b.fits(body)
	l.budget.bodyValues, l.budget.bodyBytes = maxBodyValues-b.nodes, maxBodyBytes-b.bytes
	if !fits {
		l.stop(f, offset, fmt.Sprintf("the resources of the scan hold more than %d values or %d MB", maxBodyValues, maxBodyBytes>>20))
	}
	return fits
}

// sized checks a value against the limit on one result, counting the walk against the scan's.
func (l *loader) sized(v any) error {
	if l.budget.stopped {
		return errStopped
	}
	b := sizeBudget{nodes: maxValueNodes, bytes: maxValueBytes}
	fits := b.fits(v)
	l.budget.walked += maxValueNodes - b.nodes
	switch {
	case !fits:
		return errTooLarge
	case l.budget.walked > maxWalked:
		return errWalked
	}
	return nil
}

type sizeBudget struct{ nodes, bytes int }

// fits walks v (shared parts as often as they are reachable) until the budget runs out.
func (b *sizeBudget) fits(v any) bool {
	b.nodes--
	if b.nodes < 0 {
		return false
	}
	switch x := v.(type) {
	case string:
		b.bytes -= len(x)
		return b.bytes >= 0
	case []any:
		for _, e := range x {
			if !b.fits(e) {
				return false
			}
		}
	case map[string]any:
		for k, e := range x {
			b.bytes -= len(k)
			if b.bytes < 0 || !b.fits(e) {
				return false
			}
		}
	}
	return true
}
