package azure_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/lensix/lensix/internal/armsim"
	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/checks/apimgmt"
	"github.com/lensix/lensix/internal/diag"
	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/azure"
)

// simulate starts armsim and returns scan options that reach it through the real SDK: a
// ClientSecretCredential against its Entra endpoints and Resource Manager at its address.
func simulate(t *testing.T, tenant *armsim.Tenant, faults armsim.Faults) (*armsim.Server, azure.Options) {
	t.Helper()
	srv, err := armsim.Start(tenant, faults)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, simOptions(t, srv, armsim.ClientSecret)
}

func simOptions(t *testing.T, srv *armsim.Server, secret string) azure.Options {
	t.Helper()
	cfg, err := azure.CloudConfig("AzurePublic", srv.URL, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := srv.Credential(secret)
	if err != nil {
		t.Fatal(err)
	}
	return azure.Options{
		Credential:    cred,
		Cloud:         cfg,
		Transport:     srv.Client(),
		ResourceTypes: apimgmt.NoManagedIdentity.ResourceTypes,
		RetryDelay:    20 * time.Millisecond, // backoff only; no test depends on timing
	}
}

// wantVerdict is the verdict a generated service should get, from the identity spelling armsim
// recorded in its tag.
func wantVerdict(t *testing.T, r *resource.Resource) check.Status {
	t.Helper()
	name, _ := r.Get("tags.armsim-identity")
	sp, ok := armsim.SpellingNamed(name.(string))
	if !ok {
		t.Fatalf("%s: unknown spelling %v", r.ID, name)
	}
	if sp.HasIdentity {
		return check.Pass
	}
	return check.Fail
}

func judge(t *testing.T, rs []*resource.Resource) map[check.Status]int {
	t.Helper()
	got := map[check.Status]int{}
	for _, f := range check.Run([]*check.Check{apimgmt.NoManagedIdentity}, rs) {
		if want := wantVerdict(t, f.Resource); f.Status != want {
			t.Errorf("%s (%v): verdict %s, want %s", f.Resource.ID, f.Resource.Body["identity"], f.Status, want)
		}
		got[f.Status]++
	}
	return got
}

func scan(t *testing.T, opts azure.Options) (*azure.Inventory, diag.Diagnostics) {
	t.Helper()
	inv, ds, err := azure.Scan(context.Background(), opts)
	if err != nil {
		t.Fatalf("Scan: %v (diagnostics %v)", err, ds)
	}
	return inv, ds
}

var modes = []struct {
	name            string
	noResourceGraph bool
}{{"through Resource Graph", false}, {"through Resource Manager per subscription", true}}

func TestLiveScanJudgesEveryIdentitySpelling(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 4, Services: 3 * len(armsim.Spellings) * 4, WithoutIdentity: 0.5, Seed: 7})
			_, opts := simulate(t, tenant, armsim.Faults{})
			opts.NoResourceGraph = mode.noResourceGraph
			inv, ds := scan(t, opts)
			if len(ds) != 0 {
				t.Errorf("diagnostics: %v", ds)
			}
			got := judge(t, inv.Resources)
			if got[check.Pass] == 0 || got[check.Fail] == 0 || got[check.Pass]+got[check.Fail] != 3*len(armsim.Spellings)*4 {
				t.Errorf("verdicts %v, want passes and failures for all %d services", got, 3*len(armsim.Spellings)*4)
			}
			spellings := map[any]bool{}
			for _, r := range inv.Resources {
				v, _ := r.Get("tags.armsim-identity")
				spellings[v] = true
				if r.Type != apimgmt.ServiceType || r.Provenance.Source != "azure" || r.Provenance.TenantID != tenant.ID || r.SubscriptionID == "" || r.ResourceGroup == "" {
					t.Fatalf("resource %+v lacks its type, provenance or scope", r)
				}
			}
			if len(spellings) != len(armsim.Spellings) {
				t.Errorf("saw %d identity spellings, want all %d", len(spellings), len(armsim.Spellings))
			}
		})
	}
}

func TestLiveScanPagesThroughLargeResults(t *testing.T) {
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 3, Services: 2500, WithoutIdentity: 0.3, Seed: 3})
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			srv, opts := simulate(t, tenant, armsim.Faults{})
			opts.NoResourceGraph = mode.noResourceGraph
			inv, ds := scan(t, opts)
			if len(inv.Resources) != 2500 || len(ds) != 0 {
				t.Fatalf("read %d resources (%v), want 2500", len(inv.Resources), ds)
			}
			judge(t, inv.Resources)
			st := srv.Stats()
			if !mode.noResourceGraph && st.Graph != 3+1 {
				t.Errorf("Resource Graph requests = %d, want 3 pages of 1,000 rows and 1 coverage query", st.Graph)
			}
			if mode.noResourceGraph && st.APIMList != 3*((2500/3+armsim.PageSize)/armsim.PageSize) {
				t.Errorf("API Management list pages = %d", st.APIMList)
			}
		})
	}
}

func TestLiveScanRidesOutFaults(t *testing.T) {
	faults := []struct {
		name   string
		faults armsim.Faults
		seen   func(armsim.Stats) int64
		graph  bool // the fault concerns Resource Graph only
	}{
		{"a storm of 429s with Retry-After is waited out", armsim.Faults{ThrottleEvery: 2, RetryAfter: 30 * time.Millisecond}, func(s armsim.Stats) int64 { return s.Throttled }, false},
		{"503s are retried", armsim.Faults{ServerErrorEvery: 3}, func(s armsim.Stats) int64 { return s.Failed }, false},
		{"dropped connections are retried", armsim.Faults{DropEvery: 3}, func(s armsim.Stats) int64 { return s.Dropped }, false},
		{"latency on every request only slows the scan", armsim.Faults{Latency: 20 * time.Millisecond}, func(s armsim.Stats) int64 { return 1 }, false},
		{"Resource Graph's quota is honoured", armsim.Faults{GraphQuota: 2, GraphQuotaWindow: 300 * time.Millisecond}, func(s armsim.Stats) int64 { return s.Graph }, true},
	}
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 6, Services: 1100, WithoutIdentity: 0.2, Seed: 11})
	for _, f := range faults {
		for _, mode := range modes {
			if f.graph && mode.noResourceGraph {
				continue
			}
			t.Run(f.name+" "+mode.name, func(t *testing.T) {
				srv, opts := simulate(t, tenant, f.faults)
				opts.NoResourceGraph = mode.noResourceGraph
				inv, ds := scan(t, opts)
				if len(inv.Resources) != 1100 || len(ds) != 0 {
					t.Fatalf("read %d resources, diagnostics %v; want all 1100 and none", len(inv.Resources), ds)
				}
				judge(t, inv.Resources)
				if f.seen(srv.Stats()) == 0 {
					t.Errorf("the fault was never injected: %+v", srv.Stats())
				}
			})
		}
	}
}

func TestLiveScanReportsA403SubscriptionAndCompletesTheRest(t *testing.T) {
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 5, Services: 50, Seed: 5})
	forbidden := tenant.Subscriptions()[2].ID
	for _, mode := range modes {
		for _, named := range []bool{false, true} {
			name := mode.name
			if named {
				name += " with the subscriptions named"
			}
			t.Run(name, func(t *testing.T) {
				_, opts := simulate(t, tenant, armsim.Faults{Forbidden: []string{forbidden}})
				opts.NoResourceGraph = mode.noResourceGraph
				if named {
					for _, s := range tenant.Subscriptions() {
						opts.Subscriptions = append(opts.Subscriptions, s.ID)
					}
				}
				inv, ds := scan(t, opts)
				if len(inv.Resources) != 40 {
					t.Errorf("read %d resources, want the 40 of the four readable subscriptions", len(inv.Resources))
				}
				if len(ds) != 1 || !ds.HasErrors() || !strings.Contains(ds[0].Summary, forbidden) {
					t.Fatalf("diagnostics = %v, want one error naming %s", ds, forbidden)
				}
				if len(inv.Errors) != 1 || inv.Errors[0].SubscriptionID != forbidden {
					t.Errorf("inventory errors = %v", inv.Errors)
				}
				if mode.noResourceGraph && !strings.Contains(ds[0].Summary, "403") {
					t.Errorf("diagnostic %q does not give Resource Manager's reason", ds[0].Summary)
				}
			})
		}
	}
}

func TestLiveScanFallsBackToResourceManagerWhenResourceGraphIsDown(t *testing.T) {
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 3, Services: 30, WithoutIdentity: 0.5, Seed: 6})
	srv, opts := simulate(t, tenant, armsim.Faults{GraphUnavailable: true})
	opts.MaxRetries = 2
	inv, ds := scan(t, opts)
	if len(inv.Resources) != 30 {
		t.Errorf("read %d resources, want all 30 through Resource Manager", len(inv.Resources))
	}
	judge(t, inv.Resources)
	if len(ds) != 1 || ds.HasErrors() || !strings.Contains(ds[0].Summary, "through Resource Manager instead") {
		t.Errorf("diagnostics = %v, want one warning about the fallback", ds)
	}
	if st := srv.Stats(); st.APIMList != 3 {
		t.Errorf("API Management list requests = %d, want one per subscription", st.APIMList)
	}
}

func TestLiveScanLimitsScope(t *testing.T) {
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 4, Services: 48, Seed: 9})
	subs := tenant.Subscriptions()
	tests := []struct {
		name   string
		modify func(*azure.Options)
		want   func(r *resource.Resource) bool
	}{
		{"named subscriptions limit the scan to them", func(o *azure.Options) { o.Subscriptions = []string{subs[1].ID} },
			func(r *resource.Resource) bool { return r.SubscriptionID == subs[1].ID }},
		{"a management group limits the scan to its subscriptions", func(o *azure.Options) { o.ManagementGroups = []string{"mg-even"} },
			func(r *resource.Resource) bool {
				return r.SubscriptionID == subs[0].ID || r.SubscriptionID == subs[2].ID
			}},
		{"a resource group filter limits the scan to that group", func(o *azure.Options) { o.ResourceGroups = []string{"RG-APIM-1"} },
			func(r *resource.Resource) bool { return r.ResourceGroup == "rg-apim-1" }},
		{"a resource group filter works without Resource Graph", func(o *azure.Options) { o.ResourceGroups = []string{"rg-apim-2"}; o.NoResourceGraph = true },
			func(r *resource.Resource) bool { return r.ResourceGroup == "rg-apim-2" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, opts := simulate(t, tenant, armsim.Faults{})
			tt.modify(&opts)
			inv, ds := scan(t, opts)
			if len(ds) != 0 {
				t.Errorf("diagnostics: %v", ds)
			}
			if len(inv.Resources) == 0 {
				t.Fatal("read nothing")
			}
			for _, r := range inv.Resources {
				if !tt.want(r) {
					t.Errorf("%s is out of scope", r.ID)
				}
			}
			want := 0
			for _, s := range subs {
				for _, r := range tenantServices(t, tenant, s.ID) {
					if tt.want(r) && (len(opts.Subscriptions) == 0 || opts.Subscriptions[0] == s.ID) {
						want++
					}
				}
			}
			if len(inv.Resources) != want {
				t.Errorf("read %d resources, want %d", len(inv.Resources), want)
			}
		})
	}
}

// tenantServices reads a subscription's services back as resources, independently of the scanner.
func tenantServices(t *testing.T, tenant *armsim.Tenant, subscriptionID string) []*resource.Resource {
	t.Helper()
	var out []*resource.Resource
	for _, body := range tenant.Resources(subscriptionID) {
		out = append(out, &resource.Resource{ID: body["id"].(string), SubscriptionID: subscriptionID, ResourceGroup: strings.ToLower(strings.Split(body["id"].(string), "/")[4])})
	}
	return out
}

func TestLiveScanReportsNamedSubscriptionsItCannotSee(t *testing.T) {
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 60, Services: 60, Seed: 12})
	const missing = "99999999-0000-4000-8000-000000000000"
	for _, count := range []int{2, 60} { // looked up one by one, and found in the list
		t.Run(fmt.Sprintf("%d named", count), func(t *testing.T) {
			_, opts := simulate(t, tenant, armsim.Faults{})
			for _, s := range tenant.Subscriptions()[:count-1] {
				opts.Subscriptions = append(opts.Subscriptions, s.ID)
			}
			opts.Subscriptions = append(opts.Subscriptions, missing)
			inv, ds := scan(t, opts)
			if len(inv.Resources) != count-1 {
				t.Errorf("read %d resources, want %d", len(inv.Resources), count-1)
			}
			if len(ds) != 1 || !strings.Contains(ds[0].Summary, missing) {
				t.Errorf("diagnostics = %v, want one naming %s", ds, missing)
			}
		})
	}
}

func TestLiveScanSignsInWithAServicePrincipalFromTheEnvironment(t *testing.T) {
	srv, opts := simulate(t, armsim.Generate(armsim.GenerateOptions{Subscriptions: 2, Services: 6, Seed: 1}), armsim.Faults{})
	t.Setenv("AZURE_TENANT_ID", srv.Tenant().ID)
	t.Setenv("AZURE_CLIENT_ID", armsim.ClientID)
	t.Setenv("AZURE_CLIENT_SECRET", armsim.ClientSecret)
	cred, err := azure.NewCredential(azure.Auth{Method: "env"}, azcore.ClientOptions{Cloud: opts.Cloud, Transport: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	opts.Credential = cred
	inv, ds := scan(t, opts)
	if len(inv.Resources) != 6 || len(ds) != 0 {
		t.Errorf("read %d resources, diagnostics %v; want 6 and none", len(inv.Resources), ds)
	}
}

func TestNewCredentialRejectsAnUnknownMethod(t *testing.T) {
	if _, err := azure.NewCredential(azure.Auth{Method: "magic"}, azcore.ClientOptions{}); err == nil || !strings.Contains(err.Error(), "cli, env, managed-identity, workload-identity, device-code") {
		t.Errorf("err = %v, want the list of methods", err)
	}
}

func TestLiveScanWarnsWhenTheIdentitySeesNoSubscription(t *testing.T) {
	_, opts := simulate(t, armsim.NewTenant("empty-tenant"), armsim.Faults{})
	inv, ds := scan(t, opts)
	if len(inv.Resources) != 0 || len(ds) != 1 || ds.HasErrors() || !strings.Contains(ds[0].Summary, "no subscription") {
		t.Errorf("resources %d, diagnostics %v; want none and one warning", len(inv.Resources), ds)
	}
}

func TestLiveScanFailsClearlyWhenSignInFails(t *testing.T) {
	srv, _ := simulate(t, armsim.Generate(armsim.GenerateOptions{Subscriptions: 1, Services: 1}), armsim.Faults{})
	opts := simOptions(t, srv, "wrong-secret")
	_, _, err := azure.Scan(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("err = %v, want the Entra error about the secret", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("the error prints the secret: %v", err)
	}
}

func TestLiveScanFailsWhenSubscriptionsCannotBeListed(t *testing.T) {
	_, opts := simulate(t, armsim.Generate(armsim.GenerateOptions{Subscriptions: 1, Services: 1}), armsim.Faults{ServerErrorEvery: 1})
	opts.MaxRetries = 1
	_, _, err := azure.Scan(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "list subscriptions") || !strings.Contains(err.Error(), "503") {
		t.Fatalf("err = %v, want the 503 of the subscriptions list", err)
	}
}

func TestLiveScanStopsWhenCancelled(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 40, Services: 400, Seed: 2})
			_, opts := simulate(t, tenant, armsim.Faults{Latency: 50 * time.Millisecond})
			opts.NoResourceGraph = mode.noResourceGraph
			opts.Concurrency = 2
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var calls atomic.Int64
			opts.Progress = func(p azure.Progress) {
				if p.Resources > 0 && calls.Add(1) == 1 {
					cancel() // as Ctrl-C would, with inventory requests in flight
				}
			}
			inv, _, err := azure.Scan(ctx, opts)
			if !errors.Is(err, context.Canceled) || inv != nil {
				t.Fatalf("Scan = %v, %v; want context.Canceled and no inventory", inv, err)
			}
		})
	}
}
