package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func writeString(t *testing.T, format string, r *Report, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, r, opts); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.String()
}

func TestEveryFormatIsDeterministic(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format+" gives the same bytes whatever the order of findings", func(t *testing.T) {
			opts := Options{WorkDir: testWorkDir}
			want := writeString(t, format, fixtureReport(), opts)
			reversed := fixtureReport()
			for i, j := 0, len(reversed.Findings)-1; i < j; i, j = i+1, j-1 {
				reversed.Findings[i], reversed.Findings[j] = reversed.Findings[j], reversed.Findings[i]
			}
			reversed.Checks[0], reversed.Checks[1] = reversed.Checks[1], reversed.Checks[0]
			for run := 0; run < 5; run++ {
				if got := writeString(t, format, reversed, opts); got != want {
					t.Fatalf("run %d differs:\n%s", run, firstDifference(want, got))
				}
			}
		})
	}
}

func TestFormatsAreTheDocumentedOnes(t *testing.T) {
	if got := strings.Join(Formats(), ","); got != "json,junit,markdown,sarif,table" {
		t.Errorf("Formats() = %s", got)
	}
	if err := Write(&bytes.Buffer{}, "html", fixtureReport(), Options{}); err == nil || !strings.Contains(err.Error(), "json, junit") && !strings.Contains(err.Error(), "[json junit markdown sarif table]") {
		t.Errorf("an unknown format should be an error naming the known ones, got %v", err)
	}
}

// jsonOut mirrors the documented contract (docs/json-output.md) field by field, so a renamed or
// dropped field fails here.
type jsonOut struct {
	Schema  string `json:"schema"`
	Version string `json:"version"`
	Results []struct {
		CheckID  string `json:"check_id"`
		Status   string `json:"status"`
		Severity string `json:"severity"`
		Title    string `json:"title"`
		Message  string `json:"message"`
		Resource struct {
			Type          string `json:"type"`
			Name          string `json:"name"`
			Address       string `json:"address"`
			ID            string `json:"id"`
			ResourceGroup string `json:"resource_group"`
			Subscription  string `json:"subscription"`
			Tenant        string `json:"tenant"`
		} `json:"resource"`
		Source struct {
			Kind    string `json:"kind"`
			File    string `json:"file"`
			Line    int    `json:"line"`
			Column  int    `json:"column"`
			EndLine int    `json:"end_line"`
		} `json:"source"`
		Evidence    map[string]string `json:"evidence"`
		Assumptions []string          `json:"assumptions"`
		Unknowns    []struct {
			Path, Reason, Expression string
		} `json:"unknowns"`
		Suppression *struct {
			Kind, Reason, Expires, Hides string
		} `json:"suppression"`
		Notes       []string `json:"notes"`
		Remediation *struct {
			Summary, CLI, Terraform, Bicep, ARM string
		} `json:"remediation"`
	} `json:"results"`
	Errors []struct {
		Severity string `json:"severity"`
		File     string `json:"file"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
		Message  string `json:"message"`
		Detail   string `json:"detail"`
	} `json:"errors"`
	Summary Summary `json:"summary"`
}

func TestJSONContract(t *testing.T) {
	var out jsonOut
	raw := writeString(t, "json", fixtureReport(), Options{WorkDir: testWorkDir})
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatal(err)
	}
	if out.Schema != "lensix.scan/v1" || out.Version != "0.1.0-test" {
		t.Errorf("schema %q version %q", out.Schema, out.Version)
	}
	if len(out.Results) != 6 {
		t.Fatalf("%d results, want one per (check, resource): 6, passes included", len(out.Results))
	}
	byAddress := map[string]int{}
	for i, r := range out.Results {
		byAddress[r.Resource.Address+r.Resource.ID] = i
	}
	get := func(key string) int {
		i, ok := byAddress[key]
		if !ok {
			t.Fatalf("no result for %s", key)
		}
		return i
	}

	t.Run("terraform failure carries its file, span, assumption and rendered remediation", func(t *testing.T) {
		r := out.Results[get("azurerm_api_management.this")]
		if r.Status != "fail" || r.Severity != "medium" || r.CheckID != "apimgmt_nomanagedidentity" {
			t.Errorf("status %s severity %s check %s", r.Status, r.Severity, r.CheckID)
		}
		if s := r.Source; s.Kind != "terraform" || s.File != "infra/main.tf" || s.Line != 12 || s.Column != 1 || s.EndLine != 30 {
			t.Errorf("source %+v", s)
		}
		if len(r.Assumptions) != 1 || r.Assumptions[0] != "var.sku: default value used" {
			t.Errorf("assumptions %q", r.Assumptions)
		}
		if r.Remediation == nil || !strings.Contains(r.Remediation.CLI, "--name apim-prod --resource-group rg-prod") {
			t.Errorf("remediation not rendered for this resource: %+v", r.Remediation)
		}
		if r.Evidence["identity"] != "(absent)" {
			t.Errorf("evidence %v", r.Evidence)
		}
	})
	t.Run("a pass has no remediation", func(t *testing.T) {
		r := out.Results[get("azurerm_api_management.ok")]
		if r.Status != "pass" || r.Remediation != nil {
			t.Errorf("status %s remediation %+v", r.Status, r.Remediation)
		}
	})
	t.Run("an unknown names the unresolved value and why", func(t *testing.T) {
		r := out.Results[get("apim")]
		if len(r.Unknowns) != 1 || r.Unknowns[0].Path != "identity.type" || r.Unknowns[0].Reason != "parameter identityType has no value" || r.Unknowns[0].Expression != "identityType" {
			t.Errorf("unknowns %+v", r.Unknowns)
		}
		if r.Source.File != "infra/apim.bicep" {
			t.Errorf("absolute path below the work directory should be relative, got %q", r.Source.File)
		}
	})
	t.Run("suppressions say who, why, until when and what they hide", func(t *testing.T) {
		inline := out.Results[get("azurerm_api_management.legacy")]
		if s := inline.Suppression; inline.Status != "suppressed" || s == nil || s.Kind != "inline" || s.Reason != "retired next quarter" || s.Hides != "fail" {
			t.Errorf("inline suppression %+v", s)
		}
		config := out.Results[get(`module.edge.azurerm_api_management.this["west"]`)]
		if s := config.Suppression; s == nil || s.Kind != "config" || s.Expires != "2027-01-31" || s.Hides != "unknown" {
			t.Errorf("config suppression %+v", s)
		}
		if len(config.Unknowns) != 1 || config.Unknowns[0].Reason != "known only after apply" {
			t.Errorf("a suppressed unknown keeps its reason: %+v", config.Unknowns)
		}
	})
	t.Run("a live resource has its ID and subscription and no file", func(t *testing.T) {
		r := out.Results[get("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-live/providers/Microsoft.ApiManagement/service/apim-live")]
		if r.Resource.Subscription != "00000000-0000-0000-0000-000000000001" || r.Resource.Tenant == "" || r.Source.Kind != "azure" || r.Source.File != "" || r.Source.Line != 0 {
			t.Errorf("resource %+v source %+v", r.Resource, r.Source)
		}
		if len(r.Notes) != 1 {
			t.Errorf("notes %q", r.Notes)
		}
	})
	t.Run("input errors keep file, line and column", func(t *testing.T) {
		if len(out.Errors) != 1 {
			t.Fatalf("%d errors", len(out.Errors))
		}
		e := out.Errors[0]
		if e.File != "infra/broken.tf" || e.Line != 3 || e.Column != 7 || e.Severity != "error" || e.Message == "" || e.Detail == "" {
			t.Errorf("error %+v", e)
		}
	})
	t.Run("summary counts statuses", func(t *testing.T) {
		want := Summary{Resources: 6, Pass: 1, Fail: 2, Unknown: 1, Suppressed: 2, Errors: 1, Warnings: 0}
		if out.Summary != want {
			t.Errorf("summary %+v, want %+v", out.Summary, want)
		}
	})
}

func TestJSONOfAnEmptyReportHasEmptyArraysNotNull(t *testing.T) {
	raw := writeString(t, "json", &Report{Version: "dev"}, Options{})
	for _, want := range []string{`"results": []`, `"errors": []`} {
		if !strings.Contains(raw, want) {
			t.Errorf("missing %s in\n%s", want, raw)
		}
	}
}

func TestSecretsCitedAsEvidenceAreRedactedInEveryFormat(t *testing.T) {
	const secret = "s3cr3t-Primary-Key-Value"
	r := hostileReport()
	r.Findings[0].Resource.Name = "apim"
	r.Findings[0].Message = "API Management service has no managed identity"
	r.Findings[0].Evidence = map[string]string{
		"properties.hostnameConfigurations.0.certificatePassword": secret,
		"properties.subscriptionKey":                              secret,
		"identity.type":                                           "None",
	}
	for _, format := range Formats() {
		out := writeString(t, format, r, Options{})
		if strings.Contains(out, secret) {
			t.Errorf("%s output contains the secret", format)
		}
	}
	evidence := evidenceOf(r.Findings[0])
	if evidence["identity.type"] != "None" || evidence["properties.subscriptionKey"] != "<redacted>" {
		t.Errorf("evidence %v: want identity.type kept and the key redacted", evidence)
	}
}
