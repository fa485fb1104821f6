package report

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/lensix/lensix/internal/check"
	"github.com/lensix/lensix/internal/resource"
)

// sarifSchema compiles the official SARIF 2.1.0 schema from testdata, with format assertions on
// (uri, uri-reference, date-time), so a malformed URI fails the test too.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(sarifSchemaURI, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(sarifSchemaURI)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func writeSARIFBytes(t *testing.T, r *Report, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, "sarif", r, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSARIFIsValidAgainstTheOfficialSchema(t *testing.T) {
	sch := sarifSchema(t)
	cases := []struct {
		name   string
		report *Report
		opts   Options
	}{
		{"the fixture with a work directory", fixtureReport(), Options{WorkDir: testWorkDir}},
		{"the fixture without a work directory", fixtureReport(), Options{}},
		{"hostile names and paths", hostileReport(), Options{WorkDir: testWorkDir}},
		{"an empty report", &Report{Version: "dev"}, Options{WorkDir: testWorkDir}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := writeSARIFBytes(t, tc.report, tc.opts)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("output is not JSON: %v", err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Fatalf("output does not conform to SARIF 2.1.0:\n%v", err)
			}
		})
	}
}

func TestTheSchemaRejectsBrokenSARIF(t *testing.T) {
	// Guards the validation above: a schema that accepted anything would prove nothing.
	sch := sarifSchema(t)
	broken := []struct{ name, doc string }{
		{"wrong version", `{"version":"2.0.0","runs":[]}`},
		{"result without message", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a"}]}]}`},
		{"unknown suppression kind", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"suppressions":[{"kind":"inline"}]}]}]}`},
		{"artifact URI that is not a URI reference", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a b\\c.tf"}}}]}]}]}`},
		{"region starting at line 0", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.tf"},"region":{"startLine":0}}}]}]}]}`},
	}
	for _, tc := range broken {
		t.Run(tc.name, func(t *testing.T) {
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if sch.Validate(inst) == nil {
				t.Errorf("schema accepted %s", tc.doc)
			}
		})
	}
}

// sarifDoc is the part of a SARIF log the GitHub checks below read.
type sarifDoc struct {
	Schema string `json:"$schema"`
	Runs   []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID               string         `json:"id"`
					ShortDescription *sarifText     `json:"shortDescription"`
					FullDescription  *sarifText     `json:"fullDescription"`
					Help             *sarifText     `json:"help"`
					Properties       map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds"`
		Invocations        []struct {
			ExecutionSuccessful        bool `json:"executionSuccessful"`
			ToolExecutionNotifications []struct {
				Level string `json:"level"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []struct {
			RuleID    string    `json:"ruleId"`
			Level     string    `json:"level"`
			Message   sarifText `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation *sarifArtifactLoc `json:"artifactLocation"`
					Region           *sarifRegion      `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []sarifLogical `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string  `json:"partialFingerprints"`
			Suppressions        []sarifSuppression `json:"suppressions"`
			Properties          map[string]any     `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func decodeSARIF(t *testing.T, out []byte) sarifDoc {
	t.Helper()
	var doc sarifDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestSARIFMeetsGitHubCodeScanningRules checks what GitHub documents and enforces on upload beyond
// the schema: at most 20 runs; every result has a physical location with a relative or file: URI
// and a region with startLine (GitHub rejects the whole file otherwise); rules carry
// shortDescription, fullDescription and help.text, at most 20 tags, a security-severity score and
// the "security" tag; every result has partial fingerprints.
func TestSARIFMeetsGitHubCodeScanningRules(t *testing.T) {
	doc := decodeSARIF(t, writeSARIFBytes(t, fixtureReport(), Options{WorkDir: testWorkDir}))
	if n := len(doc.Runs); n < 1 || n > 20 {
		t.Fatalf("%d runs; GitHub accepts 1 to 20", n)
	}
	run := doc.Runs[0]
	if len(run.Results) > 25000 {
		t.Errorf("%d results; GitHub rejects more than 25,000 per run", len(run.Results))
	}
	for _, rule := range run.Tool.Driver.Rules {
		if rule.ShortDescription == nil || rule.ShortDescription.Text == "" || rule.FullDescription == nil || rule.FullDescription.Text == "" || rule.Help == nil || rule.Help.Text == "" {
			t.Errorf("rule %s lacks shortDescription, fullDescription or help.text", rule.ID)
		}
		tags, _ := rule.Properties["tags"].([]any)
		if len(tags) > 20 || !containsAny(tags, "security") {
			t.Errorf("rule %s tags %v: want at most 20, including security", rule.ID, tags)
		}
		score, err := strconv.ParseFloat(rule.Properties["security-severity"].(string), 64)
		if err != nil || score <= 0 || score > 10 {
			t.Errorf("rule %s security-severity %v is not a score in (0, 10]", rule.ID, rule.Properties["security-severity"])
		}
	}
	// An unreadable input is an error-level notification, which tells a reader the results may be
	// incomplete (SARIF 2.1.0, appendix I). Code scanning discards an upload whose execution was
	// not successful, so that would drop every other file's results too.
	if inv := run.Invocations; len(inv) != 1 || !inv[0].ExecutionSuccessful || len(inv[0].ToolExecutionNotifications) != 1 ||
		inv[0].ToolExecutionNotifications[0].Level != "error" {
		t.Errorf("invocations %+v: want one successful execution with the input error as an error-level notification", inv)
	}
	if base := run.OriginalURIBaseIDs[srcRoot].URI; base != "file:///work/project/" {
		t.Errorf("%%SRCROOT%% is %q, want file:///work/project/", base)
	}
	for i, res := range run.Results {
		if len(res.Locations) == 0 {
			t.Fatalf("result %d (%s) has no location", i, res.RuleID)
		}
		for _, loc := range res.Locations {
			pl := loc.PhysicalLocation
			if pl == nil || pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == "" {
				t.Fatalf("result %d has a location without physicalLocation.artifactLocation.uri", i)
			}
			u, err := url.Parse(pl.ArtifactLocation.URI)
			if err != nil || (u.IsAbs() && u.Scheme != "file") || strings.HasPrefix(u.Path, "/") && u.Scheme == "" {
				t.Errorf("result %d URI %q is neither relative nor file:", i, pl.ArtifactLocation.URI)
			}
			if pl.Region == nil || pl.Region.StartLine < 1 {
				t.Errorf("result %d has no region.startLine", i)
			}
		}
		if res.PartialFingerprints[fingerprintKey] == "" {
			t.Errorf("result %d has no %s fingerprint", i, fingerprintKey)
		}
	}
}

func containsAny(list []any, want string) bool {
	for _, v := range list {
		if v == want {
			return true
		}
	}
	return false
}

func TestSARIFResults(t *testing.T) {
	doc := decodeSARIF(t, writeSARIFBytes(t, fixtureReport(), Options{WorkDir: testWorkDir}))
	run := doc.Runs[0]
	byStatus := map[string][]int{}
	for i, res := range run.Results {
		status := res.Properties["lensixStatus"].(string)
		byStatus[status] = append(byStatus[status], i)
	}
	if len(byStatus["pass"]) != 0 {
		t.Errorf("passes are in the results: %v", byStatus["pass"])
	}
	if got := len(run.Results); got != 5 {
		t.Errorf("%d results, want 5 (2 fail, 1 unknown, 2 suppressed)", got)
	}
	for _, i := range byStatus["unknown"] {
		if run.Results[i].Level != "note" {
			t.Errorf("unknown result has level %q, want note", run.Results[i].Level)
		}
	}
	kinds := map[string]string{}
	for _, i := range byStatus["suppressed"] {
		res := run.Results[i]
		wantLevel := "warning"
		if strings.Contains(res.Message.Text, "Cannot tell") {
			wantLevel = "note" // it hides an unknown
		}
		if res.Level != wantLevel {
			t.Errorf("suppressed result %q has level %q, want %q", res.Message.Text, res.Level, wantLevel)
		}
		if len(res.Suppressions) != 1 {
			t.Fatalf("suppressed result has %d suppressions", len(res.Suppressions))
		}
		s := res.Suppressions[0]
		kinds[s.Kind] = s.Justification
	}
	if kinds["inSource"] != "retired next quarter" {
		t.Errorf("inline suppression: got %q", kinds["inSource"])
	}
	if kinds["external"] != "edge gateways use certificates (expires 2027-01-31)" {
		t.Errorf("config suppression: got %q", kinds["external"])
	}

	var sawLive, sawFile bool
	for _, res := range run.Results {
		loc := res.Locations[0]
		switch uri := loc.PhysicalLocation.ArtifactLocation.URI; {
		case strings.HasPrefix(uri, liveURIPrefix+"/"):
			sawLive = true
			if loc.PhysicalLocation.ArtifactLocation.URIBaseID != "" {
				t.Errorf("live location %q claims to be below %s", uri, loc.PhysicalLocation.ArtifactLocation.URIBaseID)
			}
			if len(loc.LogicalLocations) != 1 || !strings.HasPrefix(loc.LogicalLocations[0].FullyQualifiedName, "/subscriptions/") {
				t.Errorf("live location lacks the resource ID as logical location: %+v", loc.LogicalLocations)
			}
		case uri == "infra/apim.bicep":
			// An absolute path below the work directory is made relative to %SRCROOT%.
			sawFile = true
			if loc.PhysicalLocation.ArtifactLocation.URIBaseID != srcRoot {
				t.Errorf("%s has uriBaseId %q", uri, loc.PhysicalLocation.ArtifactLocation.URIBaseID)
			}
			if r := loc.PhysicalLocation.Region; r.StartLine != 7 || r.StartColumn != 1 || r.EndLine != 19 {
				t.Errorf("region %+v, want 7:1 to line 19", *r)
			}
		}
	}
	if !sawLive || !sawFile {
		t.Errorf("saw live location %v, relative file location %v; want both", sawLive, sawFile)
	}
}

func TestSARIFFingerprints(t *testing.T) {
	fingerprints := func(r *Report) []string {
		var out []string
		for _, res := range decodeSARIF(t, writeSARIFBytes(t, r, Options{WorkDir: testWorkDir})).Runs[0].Results {
			out = append(out, res.PartialFingerprints[fingerprintKey])
		}
		return out
	}
	base := fingerprints(fixtureReport())

	t.Run("moving every declaration down keeps every fingerprint", func(t *testing.T) {
		moved := fixtureReport()
		for _, f := range moved.Findings {
			rng := &f.Resource.Provenance.Range
			if rng.Filename != "" {
				rng.Start.Line += 17
				rng.End.Line += 17
				rng.Start.Column += 2
			}
		}
		if got := fingerprints(moved); strings.Join(got, ",") != strings.Join(base, ",") {
			t.Errorf("fingerprints changed with line numbers:\nbefore %v\nafter  %v", base, got)
		}
	})
	t.Run("fingerprints differ between results", func(t *testing.T) {
		seen := map[string]bool{}
		for _, fp := range base {
			if seen[fp] {
				t.Errorf("fingerprint %s appears twice", fp)
			}
			seen[fp] = true
		}
	})
	t.Run("renaming the resource changes its fingerprint", func(t *testing.T) {
		renamed := fixtureReport()
		for _, f := range renamed.Findings {
			if f.Resource.Provenance.Address == "azurerm_api_management.this" {
				f.Resource.Provenance.Address = "azurerm_api_management.main"
			}
		}
		got := fingerprints(renamed)
		changed := 0
		for i := range got {
			if got[i] != base[i] {
				changed++
			}
		}
		if changed != 1 {
			t.Errorf("%d fingerprints changed, want exactly 1", changed)
		}
	})
}

func TestSARIFFilesOutsideTheWorkDirectoryKeepAbsoluteURIs(t *testing.T) {
	r := hostileReport()
	r.Findings[0].Resource.Provenance.Range.Filename = "/elsewhere/main.tf"
	loc := decodeSARIF(t, writeSARIFBytes(t, r, Options{WorkDir: testWorkDir})).Runs[0].Results[0].Locations[0]
	if got := loc.PhysicalLocation.ArtifactLocation; got.URI != "file:///elsewhere/main.tf" || got.URIBaseID != "" {
		t.Errorf("artifact location %+v, want file:///elsewhere/main.tf without a base", got)
	}
}

func TestLiveURIEscapesEachSegment(t *testing.T) {
	r := &resource.Resource{Type: "Microsoft.ApiManagement/service", ID: "/subscriptions/s/resourceGroups/my rg/providers/Microsoft.ApiManagement/service/a#b"}
	if got, want := liveURI(r), "azure/subscriptions/s/resourceGroups/my%20rg/providers/Microsoft.ApiManagement/service/a%23b"; got != want {
		t.Errorf("liveURI = %q, want %q", got, want)
	}
}

func TestSARIFLevels(t *testing.T) {
	cases := []struct {
		severity check.Severity
		level    string
		score    string
	}{
		{check.Low, "warning", "2.0"},
		{check.Medium, "warning", "5.5"},
		{check.High, "error", "8.0"},
		{check.Critical, "error", "9.5"},
	}
	for _, tc := range cases {
		if got := sarifLevel(tc.severity); got != tc.level {
			t.Errorf("%s: level %q, want %q", tc.severity, got, tc.level)
		}
		if got := securitySeverity(tc.severity); got != tc.score {
			t.Errorf("%s: security-severity %q, want %q", tc.severity, got, tc.score)
		}
	}
}

// Run from a folder below the repository root, lensix names files relative to that folder; SARIF
// must still name them relative to the root, where code scanning looks for them.
func TestSARIFPathsAreRelativeToTheSourceRootWhereverLensixRan(t *testing.T) {
	report := func(file string) *Report {
		r := tfResource("azurerm_api_management.this", "apim", file, 3, 9)
		return &Report{Checks: []*check.Check{testCheck}, Findings: []check.Finding{{Check: testCheck, Resource: r, Status: check.Fail, Message: "no identity"}}}
	}
	type sarifDoc struct {
		Runs []struct {
			OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
			Results            []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI, URIBaseID string } `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	read := func(out string) (uri, base, fingerprint string) {
		var doc sarifDoc
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		run := doc.Runs[0]
		res := run.Results[0]
		return res.Locations[0].PhysicalLocation.ArtifactLocation.URI, run.OriginalURIBaseIDs["%SRCROOT%"].URI, res.PartialFingerprints["lensix/v1"]
	}
	fromSubfolder := writeString(t, "sarif", report("main.tf"), Options{WorkDir: "/repo/infra", SourceRoot: "/repo"})
	fromRoot := writeString(t, "sarif", report("infra/main.tf"), Options{WorkDir: "/repo", SourceRoot: "/repo"})
	uri1, base1, fp1 := read(fromSubfolder)
	uri2, base2, fp2 := read(fromRoot)
	if uri1 != "infra/main.tf" || base1 != "file:///repo/" {
		t.Errorf("from infra/: uri %q base %q, want infra/main.tf relative to file:///repo/", uri1, base1)
	}
	if uri1 != uri2 || base1 != base2 || fp1 != fp2 {
		t.Errorf("the same finding differs by where lensix ran: %q %q %q vs %q %q %q", uri1, base1, fp1, uri2, base2, fp2)
	}
}
