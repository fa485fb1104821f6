package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"

	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
)

// Defaults for Options left zero.
const (
	DefaultConcurrency    = 8
	DefaultRequestTimeout = 60 * time.Second
	DefaultMaxRetries     = 6
	DefaultRetryDelay     = time.Second
)

// Options are the inputs of a live scan.
type Options struct {
	// Credential signs requests; build one with NewCredential.
	Credential azcore.TokenCredential
	// Cloud holds the Entra and Resource Manager endpoints (see CloudConfig).
	Cloud cloud.Configuration
	// Transport sends requests; nil is azcore's default HTTP client.
	Transport policy.Transporter

	// Subscriptions to scan; with none and no ManagementGroups, every subscription the identity
	// can see.
	Subscriptions []string
	// ManagementGroups to scan through Resource Graph, instead of subscriptions.
	ManagementGroups []string
	// ResourceGroups limits the scan to these resource groups, when given.
	ResourceGroups []string
	// ResourceTypes are the ARM types to read: those the selected checks judge.
	ResourceTypes []string
	// NoResourceGraph lists resources through Resource Manager, one subscription at a time.
	NoResourceGraph bool

	// Concurrency bounds the requests in flight (default DefaultConcurrency).
	Concurrency int
	// RequestTimeout bounds each try of a request (default DefaultRequestTimeout).
	RequestTimeout time.Duration
	// MaxRetries is how often a throttled, failed or dropped request is tried again.
	MaxRetries int
	// RetryDelay is the first backoff delay, doubled on each retry, when the answer names none.
	RetryDelay time.Duration
	// Progress, when set, is told how far the scan is.
	Progress func(Progress)
}

// Progress is how far a live scan is.
type Progress struct {
	SubscriptionsDone, SubscriptionsTotal int
	Resources                             int
}

// Inventory is what a live scan read.
type Inventory struct {
	TenantID      string
	Subscriptions []Subscription
	Resources     []*resource.Resource
	// Errors are the parts of the scope that could not be read, also returned as diagnostics.
	Errors []ScopeError
}

// Snapshot returns the inventory in the form --save writes.
func (inv *Inventory) Snapshot(cloudName string, now time.Time) *Snapshot {
	s := &Snapshot{CreatedAt: now.UTC(), TenantID: inv.TenantID, Cloud: cloudName, Subscriptions: inv.Subscriptions, Errors: inv.Errors}
	for _, r := range inv.Resources {
		s.Resources = append(s.Resources, r.Body)
	}
	return s
}

// Scan reads the resources of opts.ResourceTypes in scope, through Resource Graph unless told
// otherwise. A subscription that cannot be read is an error diagnostic naming it and the reason,
// and the rest of the scope is still read. The error is for scans that cannot start (sign-in
// fails, the subscriptions cannot be listed) and for cancellation.
func Scan(ctx context.Context, opts Options) (*Inventory, diag.Diagnostics, error) {
	s, err := newScanner(opts)
	if err != nil {
		return nil, nil, err
	}
	audience := opts.Cloud.Services[cloud.ResourceManager].Audience
	if audience == "" {
		audience = cloud.AzurePublic.Services[cloud.ResourceManager].Audience
	}
	// One token up front: a sign-in problem is one clear error, not one per subscription.
	if _, err := opts.Credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{strings.TrimSuffix(audience, "/") + "/.default"}}); err != nil {
		return nil, nil, fmt.Errorf("sign in to Azure: %w", signInError(err))
	}
	subs, err := s.resolveSubscriptions(ctx)
	if err != nil {
		return nil, s.diags, err
	}
	s.inv.Subscriptions = subs
	ids := make([]string, len(subs))
	for i, sub := range subs {
		ids[i] = sub.ID
		if s.inv.TenantID == "" {
			s.inv.TenantID = sub.TenantID
		}
	}
	if len(ids) == 0 && len(opts.Subscriptions) == 0 && len(opts.ManagementGroups) == 0 {
		s.warn("the identity can see no subscription, so nothing was scanned; grant it Reader on the subscriptions or management group to scan")
	}
	s.progress.SubscriptionsTotal = len(ids)
	s.report()
	switch {
	case len(opts.ManagementGroups) > 0:
		s.graphScan(ctx, nil, opts.ManagementGroups)
	case len(ids) == 0:
	case opts.NoResourceGraph:
		s.armScan(ctx, ids)
	default:
		s.graphScan(ctx, ids, nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, s.diags, err
	}
	s.finish()
	return s.inv, s.diags, nil
}

type scanner struct {
	opts     Options
	armOpts  *arm.ClientOptions
	sem      chan struct{}
	mu       sync.Mutex
	inv      *Inventory
	seen     map[string]bool
	diags    diag.Diagnostics
	progress Progress
}

func newScanner(opts Options) (*scanner, error) {
	if opts.Credential == nil {
		return nil, errors.New("azure: no credential")
	}
	if len(opts.ResourceTypes) == 0 {
		return nil, errors.New("azure: no resource types to read (no check selected?)")
	}
	if opts.NoResourceGraph && len(opts.ManagementGroups) > 0 {
		return nil, errors.New("--management-group needs Resource Graph; leave out --no-resource-graph or name subscriptions")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = DefaultRetryDelay
	}
	return &scanner{
		opts:    opts,
		armOpts: clientOptions(opts),
		sem:     make(chan struct{}, opts.Concurrency),
		inv:     &Inventory{},
		seen:    map[string]bool{},
	}, nil
}

// clientOptions configure every SDK client alike: the cloud, the transport, retries on 429, 5xx
// and dropped connections honouring Retry-After, a timeout per try, Resource Graph's quota, and
// no resource provider registration (it needs write access, and scanning must not).
func clientOptions(opts Options) *arm.ClientOptions {
	return &arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud:     opts.Cloud,
			Transport: opts.Transport,
			Retry: policy.RetryOptions{
				MaxRetries:    int32(opts.MaxRetries),
				TryTimeout:    opts.RequestTimeout,
				RetryDelay:    opts.RetryDelay,
				MaxRetryDelay: 2 * time.Minute,
			},
			PerRetryPolicies: []policy.Policy{&quotaPolicy{}},
			Telemetry:        policy.TelemetryOptions{ApplicationID: "lensix"},
		},
		DisableRPRegistration: true,
	}
}

// resolveSubscriptions returns the subscriptions in scope: those named (each read once, so one
// the identity cannot see is reported), or every one the identity can list.
func (s *scanner) resolveSubscriptions(ctx context.Context) ([]Subscription, error) {
	if len(s.opts.ManagementGroups) > 0 {
		return nil, nil
	}
	client, err := armsubscriptions.NewClient(s.opts.Credential, s.armOpts)
	if err != nil {
		return nil, err
	}
	named := dedupeStrings(s.opts.Subscriptions)
	if len(named) == 0 || len(named) > namedLookupLimit {
		var subs []Subscription
		pager := client.NewListPager(nil)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list subscriptions: %s", reason(err))
			}
			for _, sub := range page.Value {
				if sub.State != nil && *sub.State == armsubscriptions.SubscriptionStateDeleted {
					continue
				}
				subs = append(subs, subscriptionOf(*sub))
			}
		}
		if len(named) == 0 {
			return subs, nil
		}
		return s.pick(subs, named), nil
	}
	var wg sync.WaitGroup
	found := make([]*Subscription, len(named))
	for i, id := range named {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.sem <- struct{}{}
			defer func() { <-s.sem }()
			resp, err := client.Get(ctx, id, nil)
			if err != nil {
				if ctx.Err() == nil {
					s.scopeError(id, "cannot read the subscription: "+reason(err)+"; check the ID and that the identity has Reader on it")
				}
				return
			}
			sub := subscriptionOf(resp.Subscription)
			found[i] = &sub
		}()
	}
	wg.Wait()
	var subs []Subscription
	for _, sub := range found {
		if sub != nil {
			subs = append(subs, *sub)
		}
	}
	return subs, ctx.Err()
}

// namedLookupLimit is how many named subscriptions are read one by one; more are found in the
// subscriptions list, which costs a request per 100 visible subscriptions rather than one each.
const namedLookupLimit = 50

// pick returns the named subscriptions found in the list, and reports the others.
func (s *scanner) pick(visible []Subscription, named []string) []Subscription {
	byID := map[string]Subscription{}
	for _, sub := range visible {
		byID[strings.ToLower(sub.ID)] = sub
	}
	var out []Subscription
	for _, id := range named {
		if sub, ok := byID[strings.ToLower(id)]; ok {
			out = append(out, sub)
		} else {
			s.scopeError(id, "the identity cannot see this subscription; check the ID and that the identity has Reader on it")
		}
	}
	return out
}

func subscriptionOf(sub armsubscriptions.Subscription) Subscription {
	out := Subscription{ID: deref(sub.SubscriptionID), DisplayName: deref(sub.DisplayName), TenantID: deref(sub.TenantID)}
	if sub.State != nil {
		out.State = string(*sub.State)
	}
	return out
}

// add records resources read from Resource Manager or Resource Graph, once per ID.
func (s *scanner) add(bodies []map[string]any, tenantID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, body := range bodies {
		r := toResource(body, resource.Provenance{Source: "azure", TenantID: tenantID})
		key := strings.ToLower(r.ID)
		if r.ID == "" || s.seen[key] {
			continue
		}
		s.seen[key] = true
		if r.Provenance.TenantID == "" {
			r.Provenance.TenantID = s.inv.TenantID
		}
		s.inv.Resources = append(s.inv.Resources, r)
		s.progress.Resources++
	}
	s.reportLocked()
}

func (s *scanner) subscriptionsDone(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.progress.SubscriptionsDone += n
	s.reportLocked()
}

func (s *scanner) report() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reportLocked()
}

func (s *scanner) reportLocked() {
	if s.opts.Progress != nil {
		s.opts.Progress(s.progress)
	}
}

// scopeError records a part of the scope that could not be read.
func (s *scanner) scopeError(subscriptionID, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inv.Errors = append(s.inv.Errors, ScopeError{SubscriptionID: subscriptionID, Message: msg})
	summary := msg
	if subscriptionID != "" {
		summary = fmt.Sprintf("subscription %s: %s", subscriptionID, msg)
	}
	s.diags = append(s.diags, diag.Diagnostic{Severity: diag.Error, Summary: summary, Detail: "its resources are missing from the results; the rest of the scan completed"})
}

func (s *scanner) warn(summary string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.diags = append(s.diags, diag.Diagnostic{Severity: diag.Warning, Summary: summary})
}

// finish orders the inventory so the same tenant always gives the same report.
func (s *scanner) finish() {
	sort.Slice(s.inv.Resources, func(i, j int) bool {
		return strings.ToLower(s.inv.Resources[i].ID) < strings.ToLower(s.inv.Resources[j].ID)
	})
	sort.SliceStable(s.inv.Errors, func(i, j int) bool { return s.inv.Errors[i].SubscriptionID < s.inv.Errors[j].SubscriptionID })
}

// reason says in one line why a request failed: the status and Resource Manager's error code and
// message when Azure answered, else the transport's error.
func reason(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		code, msg := re.ErrorCode, ""
		if re.RawResponse != nil {
			if body, err := runtime.Payload(re.RawResponse); err == nil {
				var e struct {
					Error struct{ Code, Message string }
				}
				if json.Unmarshal(body, &e) == nil {
					if e.Error.Code != "" {
						code = e.Error.Code
					}
					msg = e.Error.Message
				}
			}
		}
		out := fmt.Sprintf("%d %s", re.StatusCode, http.StatusText(re.StatusCode))
		if code != "" {
			out += " " + code
		}
		if msg != "" {
			out += ": " + msg
		}
		return out
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer before the request timeout"
	}
	return err.Error()
}

// signInError keeps azidentity's explanation, which already says what to do, on one line.
func signInError(err error) error {
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &af) {
		return errors.New(strings.Join(strings.Fields(af.Error()), " "))
	}
	return err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func dedupeStrings(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range in {
		if k := strings.ToLower(v); !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}
