package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/armsim"
	"github.com/lensix/lensix/internal/source/azure"
)

// azureScan runs `lensix scan azure` against armsim with the given scan flags' values.
func azureScan(t *testing.T, srv *armsim.Server, modify func(*ScanAzureOptions)) (int, string, string) {
	t.Helper()
	cred, err := srv.Credential(armsim.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	opts := &ScanAzureOptions{
		Scan:        &ScanOptions{IO: Test(&out, &errOut), Version: "test", Now: time.Now, FailOn: "low", Unknown: "warn", Outputs: []string{"json"}},
		Cloud:       "AzurePublic",
		ARMEndpoint: srv.URL, AuthorityHost: srv.URL,
		Credential: cred, Transport: srv.Client(),
		Concurrency: azure.DefaultConcurrency, RequestTimeout: azure.DefaultRequestTimeout,
	}
	if modify != nil {
		modify(opts)
	}
	code := ExitOK
	if err := scanAzureRun(context.Background(), opts); err != nil {
		code = ExitPartial
		if exit, ok := err.(*ExitError); ok {
			code = exit.Code
			if exit.Err != nil {
				errOut.WriteString(exit.Err.Error())
			}
		}
	}
	return code, out.String(), errOut.String()
}

func startSim(t *testing.T, tenant *armsim.Tenant, f armsim.Faults) *armsim.Server {
	t.Helper()
	srv, err := armsim.Start(tenant, f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

type scanDoc struct {
	Results []struct {
		Status   string `json:"status"`
		Resource struct {
			ID string `json:"id"`
		} `json:"resource"`
	} `json:"results"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

func verdicts(t *testing.T, out string) (map[string]string, scanDoc) {
	t.Helper()
	var doc scanDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, r := range doc.Results {
		got[strings.ToLower(r.Resource.ID)] = r.Status
	}
	return got, doc
}

func TestScanAzureExitCodes(t *testing.T) {
	tests := []struct {
		name            string
		withoutIdentity float64
		forbidden       bool
		want            int
	}{
		{"a tenant where every service has an identity exits 0", 0, false, ExitOK},
		{"a service without an identity exits 1", 1, false, ExitFindings},
		{"an unreadable subscription and no failure exits 3", 0, true, ExitPartial},
		{"a failure outranks an unreadable subscription", 1, true, ExitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 3, Services: 9, WithoutIdentity: tt.withoutIdentity, Seed: 4})
			var f armsim.Faults
			if tt.forbidden {
				f.Forbidden = []string{tenant.Subscriptions()[1].ID}
			}
			code, out, stderr := azureScan(t, startSim(t, tenant, f), nil)
			if code != tt.want {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.want, stderr)
			}
			_, doc := verdicts(t, out)
			if tt.forbidden && (len(doc.Errors) != 1 || !strings.Contains(doc.Errors[0].Message, f.Forbidden[0])) {
				t.Errorf("report errors = %+v, want one naming %s", doc.Errors, f.Forbidden[0])
			}
			if tt.forbidden && !strings.Contains(stderr, "partial") {
				t.Errorf("stderr %q does not say the scan is partial", stderr)
			}
		})
	}
}

func TestScanAzureSaveThenScanTheSnapshotGivesTheSameVerdicts(t *testing.T) {
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 3, Services: 30, WithoutIdentity: 0.5, Seed: 8})
	forbidden := tenant.Subscriptions()[2].ID
	snap := filepath.Join(t.TempDir(), "inventory.json")
	code, out, stderr := azureScan(t, startSim(t, tenant, armsim.Faults{Forbidden: []string{forbidden}}), func(o *ScanAzureOptions) { o.Save = snap })
	if code != ExitFindings {
		t.Fatalf("live scan exit %d; stderr %s", code, stderr)
	}
	live, _ := verdicts(t, out)

	code, out, stderr = run(t, "scan", snap, "--format", "json")
	if code != ExitFindings {
		t.Fatalf("snapshot scan exit %d; stderr %s", code, stderr)
	}
	offline, doc := verdicts(t, out)
	if len(live) != 20 || len(offline) != len(live) {
		t.Fatalf("live %d results, offline %d; want 20 each", len(live), len(offline))
	}
	for id, status := range live {
		if offline[id] != status {
			t.Errorf("%s: live %s, snapshot %s", id, status, offline[id])
		}
	}
	if len(doc.Errors) != 1 || !strings.Contains(doc.Errors[0].Message, forbidden) {
		t.Errorf("the snapshot scan does not carry the unreadable subscription: %+v", doc.Errors)
	}
}

func TestScanAzureFlags(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		check func(*ScanAzureOptions) bool
	}{
		{"subscriptions repeat", []string{"--subscription", "a", "--subscription", "b"}, func(o *ScanAzureOptions) bool {
			return strings.Join(o.Subscriptions, ",") == "a,b"
		}},
		{"auth, tenant and cloud are read", []string{"--auth", "cli", "--tenant", "t", "--cloud", "AzureChina", "--no-resource-graph"}, func(o *ScanAzureOptions) bool {
			return o.Auth == "cli" && o.Tenant == "t" && o.Cloud == "AzureChina" && o.NoResourceGraph
		}},
		{"the defaults are the public cloud and the default credential chain", nil, func(o *ScanAzureOptions) bool {
			return o.Auth == "" && o.Cloud == "AzurePublic" && o.Concurrency == azure.DefaultConcurrency
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *ScanAzureOptions
			cmd := NewCmdScanAzure(&ScanOptions{}, func(o *ScanAzureOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got == nil || !tt.check(got) {
				t.Errorf("options = %+v", got)
			}
		})
	}
}

func TestScanAzureUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown cloud", []string{"scan", "azure", "--cloud", "Mars"}, `unknown --cloud "Mars"`},
		{"an unknown sign-in method", []string{"scan", "azure", "--auth", "magic"}, `unknown --auth "magic"`},
		{"an endpoint that is not https", []string{"scan", "azure", "--arm-endpoint", "http://127.0.0.1:1"}, "must be an https:// URL"},
		{"management groups without Resource Graph", []string{"scan", "azure", "--management-group", "mg", "--no-resource-graph"}, "needs Resource Graph"},
		{"an argument after azure", []string{"scan", "azure", "extra"}, "unknown command"},
		{"the scan's --format is shared and checked", []string{"scan", "azure", "-o", "pdf"}, `unknown format "pdf"`},
		{"a Terraform --var means nothing to a live scan", []string{"scan", "azure", "--var", "a=b"}, "--var gives"},
		{"a --var-file means nothing to a live scan", []string{"scan", "azure", "--var-file", "x.tfvars"}, "--var-file gives"},
		{"a template --param means nothing to a live scan", []string{"scan", "azure", "--param", "a=1"}, "--param gives"},
		{"a --parameters file means nothing to a live scan", []string{"scan", "azure", "--parameters", "p.json"}, "--parameters gives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, stderr, tt.want)
			}
		})
	}
}

func TestDemoScansTheSampleTenant(t *testing.T) {
	code, out, stderr := run(t, "demo", "--services", "20", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	got, doc := verdicts(t, out)
	statuses := map[string]int{}
	for _, s := range got {
		statuses[s]++
	}
	if len(got) != 20 || statuses["pass"] == 0 || statuses["fail"] == 0 || len(doc.Errors) != 0 {
		t.Errorf("demo results %v, errors %v; want 20 services, some passing and some failing", statuses, doc.Errors)
	}
	if !strings.Contains(stderr, "127.0.0.1") || !strings.Contains(stderr, "lensix scan azure") {
		t.Errorf("stderr does not say what the demo did: %s", stderr)
	}
}

func TestScanAzureDrawsProgressOnlyOnATerminal(t *testing.T) {
	for _, tty := range []bool{true, false} {
		name := "stderr is not a terminal: no progress"
		if tty {
			name = "stderr is a terminal: a progress line"
		}
		t.Run(name, func(t *testing.T) {
			tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 2, Services: 4, Seed: 1})
			_, _, stderr := azureScan(t, startSim(t, tenant, armsim.Faults{}), func(o *ScanAzureOptions) { o.Scan.IO.errTTY = tty })
			drawn := strings.Contains(stderr, "\r") && strings.Contains(stderr, "2/2 subscriptions, 4 resources")
			if drawn != tty {
				t.Errorf("progress drawn = %v, want %v; stderr %q", drawn, tty, stderr)
			}
		})
	}
}

func TestScanAzureRunsPoliciesOnWhatItReads(t *testing.T) {
	dir := t.TempDir()
	typed := filepath.Join(dir, "apim-identity.json")
	untyped := filepath.Join(dir, "any-tag.json")
	writeFile(t, typed, `{"name": "apim-identity", "properties": {"displayName": "APIM has an identity", "mode": "All",
  "policyRule": {"if": {"allOf": [{"field": "type", "equals": "Microsoft.ApiManagement/service"}, {"field": "identity.type", "exists": "false"}]}, "then": {"effect": "audit"}}}}`)
	writeFile(t, untyped, `{"name": "any-tag", "properties": {"displayName": "Anything tagged", "mode": "All",
  "policyRule": {"if": {"field": "tags.owner", "exists": "false"}, "then": {"effect": "audit"}}}}`)
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 2, Services: 8, WithoutIdentity: 0.5, Seed: 5})
	_, out, stderr := azureScan(t, startSim(t, tenant, armsim.Faults{}), func(o *ScanAzureOptions) {
		o.Scan.SkipChecks = []string{"apimgmt_nomanagedidentity"}
		o.Scan.Policies = []string{typed, untyped}
	})
	var doc struct {
		Results []struct {
			CheckID string `json:"check_id"`
		} `json:"results"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v (stderr %s)", err, stderr)
	}
	byCheck := map[string]int{}
	for _, r := range doc.Results {
		byCheck[r.CheckID]++
	}
	if byCheck["apim-identity"] != 8 {
		t.Errorf("results by check = %v, want the typed policy judging all 8 services read for it", byCheck)
	}
	warned := false
	for _, e := range doc.Errors {
		warned = warned || strings.Contains(e.Message, "policy any-tag names no resource type")
	}
	if !warned {
		t.Errorf("errors = %+v, want a warning that any-tag names no type", doc.Errors)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
