package monitor

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/report"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/scan"
	"github.com/lensix/lensix/internal/source/azure"
	"github.com/lensix/lensix/internal/suppress"
)

// LiveScanner scans subscription and management-group targets through Azure Resource Graph (or
// Resource Manager), judging what it reads with the same checks as `lensix scan azure`.
type LiveScanner struct {
	// Azure holds the credential, cloud, transport and limits; the scope is set per target.
	Azure   azure.Options
	Checks  []*check.Check
	Config  *suppress.Config
	Version string
	// Metrics, when set, counts the Azure API calls and throttled answers.
	Metrics *Metrics
}

// countingTransport counts Azure requests by answer for /metrics.
type countingTransport struct {
	next    policy.Transporter
	metrics *Metrics
}

func (c countingTransport) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(req)
	status := "error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
	}
	c.metrics.azureRequest(req.URL.Path, status)
	return resp, err
}

// Scan implements Scanner. A subscription that cannot be read becomes an error whose range
// names its ARM scope (/subscriptions/ID), so the store leaves that subscription's findings
// as they were instead of resolving them.
func (s LiveScanner) Scan(ctx context.Context, t Target) (*report.Report, error) {
	opts := s.Azure
	opts.Subscriptions, opts.ManagementGroups = t.Subscriptions, t.ManagementGroups
	opts.ResourceTypes = check.ResourceTypes(s.Checks)
	if len(opts.ResourceTypes) == 0 {
		return nil, errors.New("no check is selected, so there is nothing to read")
	}
	if s.Metrics != nil {
		next := opts.Transport
		if next == nil {
			next = &http.Client{Transport: http.DefaultTransport}
		}
		opts.Transport = countingTransport{next: next, metrics: s.Metrics}
	}
	inv, diags, err := azure.Scan(ctx, opts)
	if err != nil {
		return nil, err
	}
	cfg := s.Config
	if cfg == nil {
		cfg = &suppress.Config{}
	}
	return scan.Evaluate(scan.Dedupe(inv.Resources), scopedDiagnostics(inv, diags), scan.Options{Checks: s.Checks, Config: cfg, Now: time.Now(), Version: s.Version}), nil
}

// scopedDiagnostics replaces the live source's scope errors, which name a subscription only in
// their text, with errors whose range is the subscription's ARM scope.
func scopedDiagnostics(inv *azure.Inventory, diags diag.Diagnostics) diag.Diagnostics {
	out := make(diag.Diagnostics, 0, len(diags))
	for _, d := range diags {
		if d.Severity != diag.Error || d.Range.Filename != "" {
			out = append(out, d)
		}
	}
	for _, e := range inv.Errors {
		scope, summary := "", e.Message
		if e.SubscriptionID != "" {
			scope, summary = "/subscriptions/"+e.SubscriptionID, "subscription "+e.SubscriptionID+": "+e.Message
		}
		out = append(out, diag.Diagnostic{Severity: diag.Error, Summary: summary,
			Detail: "its resources are missing from this scan; their findings are left as they were", Range: resource.Range{Filename: scope}})
	}
	return out
}
