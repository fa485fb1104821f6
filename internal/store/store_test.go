package store

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func obs(check, address, file, status string) Observation {
	return Observation{
		Key: Key(check, false, "", file, address, "", ""), CheckID: check, Severity: "medium", Title: "t",
		Status: status, ResourceType: "Microsoft.ApiManagement/service", ResourceName: address, Address: address, File: file,
	}
}

func openTemp(t *testing.T) *SQLite {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestNext(t *testing.T) {
	fail, pass, unknown := &Observation{Status: "fail"}, &Observation{Status: "pass"}, &Observation{Status: "unknown"}
	tests := []struct {
		name   string
		prev   State
		o      *Observation
		blind  bool
		want   State
		change ChangeKind
	}{
		{"a first failure opens the finding", "", fail, false, Open, ChangeNew},
		{"a failure that stays open changes nothing", Open, fail, false, Open, ""},
		{"a pass resolves an open finding", Open, pass, false, Resolved, ChangeResolved},
		{"a pass resolves a reopened finding", Reopened, pass, false, Resolved, ChangeResolved},
		{"a failure after resolution reopens", Resolved, fail, false, Reopened, ChangeReopened},
		{"absence resolves an open finding", Open, nil, false, Resolved, ChangeResolved},
		{"absence in a blind scope keeps it open", Open, nil, true, Open, ""},
		{"an unknown verdict keeps it open", Open, unknown, false, Open, ""},
		{"an unknown verdict opens nothing", "", unknown, false, "", ""},
		{"a pass never seen failing is not stored", "", pass, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, change := Next(tt.prev, tt.o, tt.blind)
			if got != tt.want || change != tt.change {
				t.Errorf("Next(%q) = %q, %q; want %q, %q", tt.prev, got, change, tt.want, tt.change)
			}
		})
	}
}

func TestBlind(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		o      Observation
		want   bool
	}{
		{"an error in the finding's file blinds it", []string{"infra/main.tf"}, Observation{File: "infra/main.tf"}, true},
		{"an error in a sibling file blinds its module", []string{"infra/vars.tf"}, Observation{File: "infra/main.tf"}, true},
		{"an error in another folder does not", []string{"other/main.tf"}, Observation{File: "infra/main.tf"}, false},
		{"an unreadable folder blinds the files below it", []string{"infra"}, Observation{File: "infra/apim/main.tf"}, true},
		{"a failed subscription blinds its resources", []string{"0000-1111"}, Observation{Subscription: "0000-1111"}, true},
		{"an unreadable ARM scope blinds the resources below it", []string{"/subscriptions/0a"}, Observation{ResourceID: "/subscriptions/0A/resourceGroups/rg/providers/Microsoft.ApiManagement/service/x"}, true},
		{"an unreadable ARM scope does not blind a subscription sharing its prefix", []string{"/subscriptions/0a"}, Observation{ResourceID: "/subscriptions/0ab/resourceGroups/rg"}, false},
		{"an error naming nothing blinds everything", []string{AllScopes}, Observation{File: "x.tf"}, true},
		{"no errors blind nothing", nil, Observation{File: "x.tf"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Blind(tt.scopes, tt.o); got != tt.want {
				t.Errorf("Blind(%v, %+v) = %v, want %v", tt.scopes, tt.o, got, tt.want)
			}
		})
	}
}

// record stores a scan at minute m and returns the kinds of its changes, "kind:address" each.
func record(t *testing.T, s Store, m int, status ScanStatus, blind []string, o ...Observation) []string {
	t.Helper()
	start := time.Date(2026, 11, 26, 6, m, 0, 0, time.UTC)
	_, changes, err := s.RecordScan(context.Background(), Scan{Target: "infra", StartedAt: start, Duration: time.Second, Status: status, BlindScopes: blind}, o)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range changes {
		out = append(out, string(c.Kind)+":"+c.Finding.Address)
	}
	return out
}

func TestRecordScanLifecycle(t *testing.T) {
	s := openTemp(t)
	const c = "apimgmt_nomanagedidentity"
	steps := []struct {
		name   string
		status ScanStatus
		blind  []string
		obs    []Observation
		want   string
	}{
		{"a failing service opens a finding", Complete, nil, []Observation{obs(c, "a", "a.tf", "fail"), obs(c, "b", "b.tf", "pass")}, "new:a"},
		{"the same verdicts change nothing", Complete, nil, []Observation{obs(c, "a", "a.tf", "fail"), obs(c, "b", "b.tf", "pass")}, ""},
		{"a failed scan resolves nothing", Failed, []string{AllScopes}, nil, ""},
		{"a partial scan blind to a.tf keeps it open", Partial, []string{"a.tf"}, []Observation{obs(c, "b", "b.tf", "pass")}, ""},
		{"fixing it resolves it", Complete, nil, []Observation{obs(c, "a", "a.tf", "pass"), obs(c, "b", "b.tf", "pass")}, "resolved:a"},
		{"breaking it again reopens it and b fails anew", Complete, nil, []Observation{obs(c, "a", "a.tf", "fail"), obs(c, "b", "b.tf", "fail")}, "new:b reopened:a"},
		{"deleting both resources resolves both", Complete, nil, nil, "resolved:a resolved:b"},
	}
	for i, st := range steps {
		got := strings.Join(sorted(record(t, s, i, st.status, st.blind, st.obs...)), " ")
		if got != st.want {
			t.Fatalf("step %d (%s): changes %q, want %q", i, st.name, got, st.want)
		}
	}
	scans, err := s.Scans(context.Background(), "infra", 0)
	if err != nil || len(scans) != len(steps) {
		t.Fatalf("Scans = %d, %v; want %d", len(scans), err, len(steps))
	}
	// Scans come newest first; step 3 was the partial one.
	if p := scans[len(steps)-1-3]; p.Status != Partial || len(p.BlindScopes) != 1 || p.BlindScopes[0] != "a.tf" {
		t.Errorf("partial scan stored as %+v", p)
	}
	fs, err := s.Findings(context.Background(), FindingFilter{Target: "infra"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.State != Resolved {
			t.Errorf("finding %s is %s, want resolved", f.Address, f.State)
		}
		if f.Address == "a" && f.Reopens != 1 {
			t.Errorf("finding a reopened %d times, want 1", f.Reopens)
		}
	}
	hist, err := s.History(context.Background(), "a.tf#a")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range hist {
		kinds = append(kinds, string(e.Kind))
	}
	if got := strings.Join(kinds, " "); got != "new resolved reopened resolved" {
		t.Errorf("history of a = %q", got)
	}
	days, err := s.Timeline(context.Background(), time.Time{})
	if err != nil || len(days) != 1 || days[0].Opened != 3 || days[0].Resolved != 3 {
		t.Errorf("Timeline = %+v, %v; want one day with 3 opened and 3 resolved", days, err)
	}
}

func TestSuppressionCoversFindingUntilExpiry(t *testing.T) {
	s := openTemp(t)
	now := time.Now()
	_, err := s.Suppress(context.Background(), Suppression{CheckID: "apimgmt_nomanagedidentity", Resource: "legacy-*", Who: "ana@example.com", Why: "retired in Q1", Expires: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	_, changes, err := s.RecordScan(context.Background(), Scan{Target: "t", StartedAt: now, Status: Complete},
		[]Observation{obs("apimgmt_nomanagedidentity", "legacy-apim", "a.tf", "fail"), obs("apimgmt_nomanagedidentity", "apim", "a.tf", "fail")})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		if suppressed := c.Finding.Suppression != nil; suppressed != (c.Finding.Address == "legacy-apim") {
			t.Errorf("%s: suppressed = %v", c.Finding.Address, suppressed)
		}
	}
	if active, _ := s.Suppressions(context.Background(), now.Add(2*time.Hour)); len(active) != 0 {
		t.Errorf("expired suppression still active: %+v", active)
	}
}

// TestKilledWriterLeavesNoHalfScan kills a child process with SIGKILL inside RecordScan's
// transaction, after every row of the scan was written but before commit.
func TestKilledWriterLeavesNoHalfScan(t *testing.T) {
	if file := os.Getenv("LENSIX_STORE_CRASH_CHILD"); file != "" {
		s, err := OpenSQLite(context.Background(), file)
		if err != nil {
			os.Exit(2)
		}
		s.beforeCommit = func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
		s.RecordScan(context.Background(), Scan{Target: "infra", StartedAt: time.Now(), Status: Complete},
			[]Observation{obs("c", "a", "a.tf", "pass"), obs("c", "b", "b.tf", "fail")})
		os.Exit(3) // not reached
	}
	file := filepath.Join(t.TempDir(), "history.db")
	s, err := OpenSQLite(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	if got := record(t, s, 0, Complete, nil, obs("c", "a", "a.tf", "fail")); len(got) != 1 {
		t.Fatalf("first scan changes = %v", got)
	}
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterLeavesNoHalfScan$")
	cmd.Env = append(os.Environ(), "LENSIX_STORE_CRASH_CHILD="+file)
	err = cmd.Run()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed by SIGKILL: %v", err)
	}

	s, err = OpenSQLite(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var check string
	if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	scans, _ := s.Scans(context.Background(), "", 0)
	if len(scans) != 1 {
		t.Fatalf("store holds %d scans after the crash, want only the committed one", len(scans))
	}
	fs, _ := s.Findings(context.Background(), FindingFilter{})
	if len(fs) != 1 || fs[0].Address != "a" || fs[0].State != Open {
		t.Fatalf("findings after the crash = %+v; want only a, still open", fs)
	}
	// The store goes on: the next scan resolves a as if the killed one never happened.
	if got := record(t, s, 1, Complete, nil, obs("c", "a", "a.tf", "pass")); strings.Join(got, " ") != "resolved:a" {
		t.Errorf("scan after the crash changes = %v", got)
	}
}

func TestReadJSONAndDiff(t *testing.T) {
	older := `{"schema":"lensix.scan/v1","version":"1","results":[
		{"check_id":"apimgmt_nomanagedidentity","status":"fail","resource":{"type":"Microsoft.ApiManagement/service","name":"a","address":"azurerm_api_management.a"},"source":{"kind":"terraform","file":"infra/main.tf","line":3}},
		{"check_id":"apimgmt_nomanagedidentity","status":"fail","resource":{"type":"Microsoft.ApiManagement/service","name":"b","address":"azurerm_api_management.b"},"source":{"kind":"terraform","file":"infra/main.tf","line":9}},
		{"check_id":"apimgmt_nomanagedidentity","status":"fail","resource":{"type":"Microsoft.ApiManagement/service","name":"c","address":"c"},"source":{"kind":"bicep","file":"bicep/c.bicep","line":1}}
	],"errors":[]}`
	newer := `{"schema":"lensix.scan/v1","version":"1","results":[
		{"check_id":"apimgmt_nomanagedidentity","status":"pass","resource":{"type":"Microsoft.ApiManagement/service","name":"a","address":"azurerm_api_management.a"},"source":{"kind":"terraform","file":"infra/main.tf","line":3}},
		{"check_id":"apimgmt_nomanagedidentity","status":"fail","resource":{"type":"Microsoft.ApiManagement/service","name":"d","id":"/subscriptions/S/resourceGroups/rg/providers/Microsoft.ApiManagement/service/d"},"source":{"kind":"azure"}}
	],"errors":[{"file":"bicep/c.bicep","line":2,"column":1,"message":"syntax error"}]}`
	o, _, err := ReadJSON("old.json", strings.NewReader(older))
	if err != nil {
		t.Fatal(err)
	}
	n, blind, err := ReadJSON("new.json", strings.NewReader(newer))
	if err != nil {
		t.Fatal(err)
	}
	added, resolved := Diff(o, n, blind)
	if len(added) != 1 || added[0].ResourceName != "d" {
		t.Errorf("added = %+v, want d", added)
	}
	// a passes, b is gone, c's file could not be read: a and b are resolved, c is not.
	var names []string
	for _, r := range resolved {
		names = append(names, r.ResourceName)
	}
	if got := strings.Join(names, " "); got != "a b" {
		t.Errorf("resolved = %q, want \"a b\"", got)
	}
	if _, _, err := ReadJSON("sarif.json", strings.NewReader(`{"version":"2.1.0"}`)); err == nil || !strings.Contains(err.Error(), "sarif.json") {
		t.Errorf("a non-lensix file gave %v; want an error naming it", err)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestPruneKeepsTheLatestScanAndCurrentState(t *testing.T) {
	s := openTemp(t)
	const c = "apimgmt_nomanagedidentity"
	record(t, s, 0, Complete, nil, obs(c, "a", "a.tf", "fail"))
	record(t, s, 1, Complete, nil, obs(c, "a", "a.tf", "pass"))
	record(t, s, 2, Complete, nil, obs(c, "a", "a.tf", "pass"))
	record(t, s, 30, Complete, nil, obs(c, "a", "a.tf", "fail"))
	cutoff := time.Date(2026, 11, 26, 6, 10, 0, 0, time.UTC)
	scans, events, err := s.Prune(context.Background(), cutoff)
	if err != nil || scans != 3 || events != 2 {
		t.Fatalf("Prune = %d scans, %d events, %v; want 3 and 2", scans, events, err)
	}
	left, _ := s.Scans(context.Background(), "", 0)
	if len(left) != 1 || left[0].StartedAt.Before(cutoff) {
		t.Errorf("scans left: %+v", left)
	}
	// The finding's state survives: the next failure is still no new finding.
	fs, _ := s.Findings(context.Background(), FindingFilter{})
	if len(fs) != 1 || fs[0].State != Reopened {
		t.Errorf("findings after pruning: %+v", fs)
	}
	if got := record(t, s, 31, Complete, nil, obs(c, "a", "a.tf", "fail")); len(got) != 0 {
		t.Errorf("a rescan after pruning changed %v", got)
	}
}
