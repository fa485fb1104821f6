package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/lensix/lensix/internal/armsim"
)

func TestScanAzureRejectsBadFlagsBeforeSigningIn(t *testing.T) {
	file := filepath.Join(t.TempDir(), "afile")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		modify func(*ScanAzureOptions)
		want   string
	}{
		{"a subscription that is not a GUID is refused", func(o *ScanAzureOptions) { o.Subscriptions = []string{"not-a-guid"} }, `--subscription "not-a-guid"`},
		{"zero concurrency is refused", func(o *ScanAzureOptions) { o.Concurrency = 0 }, "--concurrency"},
		{"negative concurrency is refused", func(o *ScanAzureOptions) { o.Concurrency = -2 }, "--concurrency"},
		{"a zero request timeout is refused", func(o *ScanAzureOptions) { o.RequestTimeout = 0 }, "--request-timeout"},
		{"a negative request timeout is refused", func(o *ScanAzureOptions) { o.RequestTimeout = -1 }, "--request-timeout"},
		{"a save path under a regular file is refused", func(o *ScanAzureOptions) { o.Save = filepath.Join(file, "x.json") }, "--save"},
		{"a save path into a missing folder is refused", func(o *ScanAzureOptions) { o.Save = filepath.Join(filepath.Dir(file), "missing", "x.json") }, "--save"},
		{"a save path that is a folder is refused", func(o *ScanAzureOptions) { o.Save = filepath.Dir(file) }, "--save"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSim(t, armsim.Generate(armsim.GenerateOptions{Subscriptions: 1, Services: 2, Seed: 1}), armsim.Faults{})
			code, _, stderr := azureScan(t, srv, tt.modify)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, stderr, tt.want)
			}
			if n := srv.Stats().Inventory(); n != 0 {
				t.Errorf("%d inventory requests were made before the flags were checked", n)
			}
		})
	}
}

func TestScanAzureTakesASubscriptionResourceID(t *testing.T) {
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 2, Services: 6, WithoutIdentity: 1, Seed: 3})
	sub := tenant.Subscriptions()[0].ID
	code, out, stderr := azureScan(t, startSim(t, tenant, armsim.Faults{}), func(o *ScanAzureOptions) {
		o.Subscriptions = []string{"/subscriptions/" + strings.ToUpper(sub) + "/"}
	})
	if code != ExitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	got, _ := verdicts(t, out)
	if len(got) == 0 {
		t.Fatal("no results")
	}
	for id := range got {
		if !strings.HasPrefix(id, "/subscriptions/"+strings.ToLower(sub)+"/") {
			t.Errorf("result %s is outside subscription %s", id, sub)
		}
	}
}

func TestScanAzureSaveFailureAfterTheScanKeepsTheReports(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name            string
		withoutIdentity float64
		want            int
	}{
		{"a failed save with no failing result exits 3", 0, ExitPartial},
		{"a failing result outranks a failed save", 1, ExitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			save := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 1, Services: 3, WithoutIdentity: tt.withoutIdentity, Seed: 5})
			code, out, stderr := azureScan(t, startSim(t, tenant, armsim.Faults{}), func(o *ScanAzureOptions) {
				o.Save = save
				// The save path is free when the flags are checked; a folder of the same name,
				// made when the scan signs in, blocks it when the scan is done.
				o.Credential = signInHook{o.Credential, func() { _ = os.Mkdir(save, 0o755) }}
			})
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.want, stderr)
			}
			if got, _ := verdicts(t, out); len(got) != 3 {
				t.Errorf("report has %d results, want 3", len(got))
			}
			if !strings.Contains(stderr, "save snapshot") {
				t.Errorf("stderr %q does not say the snapshot was not saved", stderr)
			}
		})
	}
}

// signInHook runs do whenever the scan asks for a token.
type signInHook struct {
	azcore.TokenCredential
	do func()
}

func (h signInHook) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	h.do()
	return h.TokenCredential.GetToken(ctx, o)
}

func TestDemoChecksItsFlagsBeforeStartingTheEmulator(t *testing.T) {
	file := filepath.Join(t.TempDir(), "afile")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown output format", []string{"demo", "-o", "pdf"}, `unknown format "pdf"`},
		{"a save path under a regular file", []string{"demo", "--save", filepath.Join(file, "x.json")}, "--save"},
		{"no subscriptions", []string{"demo", "--subscriptions", "0"}, "--subscriptions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, stderr, tt.want)
			}
			if strings.Contains(stderr, "armsim") {
				t.Errorf("the emulator was started: %q", stderr)
			}
		})
	}
}

func TestDemoDescribesTheTenantItScans(t *testing.T) {
	tests := []struct {
		name     string
		services string
		want     string
		wantNot  string
	}{
		{"a tenant with no services claims none without an identity", "0", "0 API Management services", "without a managed identity"},
		{"a tenant with services says some lack an identity", "5", "5 API Management services, some without a managed identity", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, "demo", "--subscriptions", "1", "--services", tt.services, "-o", "json")
			if code != ExitOK {
				t.Fatalf("exit %d; stderr %s", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) || tt.wantNot != "" && strings.Contains(stderr, tt.wantNot) {
				t.Errorf("stderr %q; want %q and not %q", stderr, tt.want, tt.wantNot)
			}
		})
	}
}
