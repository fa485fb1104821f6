package armsim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

func startTest(t *testing.T, tenant *Tenant, f Faults) *Server {
	t.Helper()
	s, err := Start(tenant, f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// getToken gets a token from the emulator through azidentity, as lensix does.
func getToken(t *testing.T, s *Server) string {
	t.Helper()
	cred, err := s.Credential(ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err != nil {
		t.Fatalf("azidentity could not get a token from armsim: %v", err)
	}
	return tok.Token
}

func post(t *testing.T, s *Server, tok string, body map[string]any) (int, map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestAzidentityGetsATokenAndARMRejectsRequestsWithout(t *testing.T) {
	s := startTest(t, Generate(GenerateOptions{Subscriptions: 1, Services: 1}), Faults{})
	if tok := getToken(t, s); !strings.HasPrefix(tok, "armsim.") {
		t.Errorf("token = %q", tok)
	}
	resp, err := s.Client().Get(s.URL + "/subscriptions?api-version=2022-12-01")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status without a token = %d, want 401", resp.StatusCode)
	}
}

func TestGraphPagesWithSkipToken(t *testing.T) {
	s := startTest(t, Generate(GenerateOptions{Subscriptions: 3, Services: 2500, Seed: 1}), Faults{})
	tok := getToken(t, s)
	q := map[string]any{"query": "resources | where type =~ 'Microsoft.ApiManagement/service' | project id, name, type, identity", "options": map[string]any{"$top": 1000}}
	seen := map[string]bool{}
	pages := 0
	for {
		status, out := post(t, s, tok, q)
		if status != http.StatusOK {
			t.Fatalf("status %d: %v", status, out)
		}
		pages++
		for _, row := range out["data"].([]any) {
			m := row.(map[string]any)
			if m["type"] != "microsoft.apimanagement/service" || len(m) != 4 {
				t.Fatalf("row = %v, want four projected columns and a lower-case type", m)
			}
			seen[m["id"].(string)] = true
		}
		next, ok := out["$skipToken"].(string)
		if !ok {
			break
		}
		q["options"] = map[string]any{"$top": 1000, "$skipToken": next}
	}
	if pages != 3 || len(seen) != 2500 {
		t.Errorf("read %d distinct rows in %d pages, want 2500 in 3", len(seen), pages)
	}
}

func TestGraphLeavesForbiddenSubscriptionsOut(t *testing.T) {
	tenant := Generate(GenerateOptions{Subscriptions: 2, Services: 10})
	forbidden := tenant.Subscriptions()[0].ID
	s := startTest(t, tenant, Faults{Forbidden: []string{forbidden}})
	tok := getToken(t, s)
	_, out := post(t, s, tok, map[string]any{"query": "resources | where type =~ 'microsoft.apimanagement/service' | project subscriptionId"})
	for _, row := range out["data"].([]any) {
		if row.(map[string]any)["subscriptionId"] == forbidden {
			t.Fatalf("a row of the forbidden subscription was returned")
		}
	}
	if out["totalRecords"].(float64) != 5 {
		t.Errorf("totalRecords = %v, want the 5 services of the readable subscription", out["totalRecords"])
	}
	status, out := post(t, s, tok, map[string]any{"query": "resources", "subscriptions": []string{forbidden}})
	if status != http.StatusBadRequest || !strings.Contains(toJSON(out), "NoValidSubscriptionsInQueryRequest") {
		t.Errorf("only a forbidden subscription: %d %v", status, out)
	}
}

func TestGraphRejectsQueriesItCannotRun(t *testing.T) {
	s := startTest(t, Generate(GenerateOptions{Subscriptions: 1}), Faults{})
	tok := getToken(t, s)
	for _, q := range []string{"resources | summarize count()", "nothing", "resources | where type =~ 'unterminated"} {
		status, out := post(t, s, tok, map[string]any{"query": q})
		if status != http.StatusBadRequest || !strings.Contains(toJSON(out), "InvalidQuery") {
			t.Errorf("%q: %d %v", q, status, out)
		}
	}
}

func TestQueryLanguage(t *testing.T) {
	rows := []map[string]any{
		{"id": "/a", "type": "microsoft.apimanagement/service", "resourceGroup": "rg1", "properties": map[string]any{"sku": "x"}},
		{"id": "/b", "type": "microsoft.keyvault/vaults", "resourceGroup": "rg1"},
		{"id": "/c", "type": "microsoft.apimanagement/service", "resourceGroup": "rg2"},
	}
	tests := []struct {
		name, query string
		want        []string
	}{
		{"type =~ compares without case", "resources | where type =~ 'Microsoft.ApiManagement/service'", []string{"/a", "/c"}},
		{"type == compares with case", "resources | where type == 'Microsoft.ApiManagement/service'", nil},
		{"in~ matches any listed value", "resources | where type in~ ('Microsoft.KeyVault/vaults', 'x/y')", []string{"/b"}},
		{"and joins conditions", "resources | where type =~ 'microsoft.apimanagement/service' and resourceGroup in~ ('RG2')", []string{"/c"}},
		{"!in~ excludes values", "resources | where resourceGroup !in~ ('rg1')", []string{"/c"}},
		{"dotted columns read into dynamic values", "resources | where properties.sku == 'x'", []string{"/a"}},
		{"order by id desc reverses", "resources | order by id desc", []string{"/c", "/b", "/a"}},
		{"take limits rows", "resources | order by id asc | take 1", []string{"/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := parseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range q.run(append([]map[string]any(nil), rows...)) {
				got = append(got, r["id"].(string))
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPatchMergesIdentity(t *testing.T) {
	tenant := Generate(GenerateOptions{Subscriptions: 1, Services: 1, WithoutIdentity: 1})
	s := startTest(t, tenant, Faults{})
	tok := getToken(t, s)
	sub := tenant.Subscriptions()[0]
	id := tenant.resourcesOf(sub, apimType)[0]["id"].(string)
	req, _ := http.NewRequest(http.MethodPatch, s.URL+id+"?api-version=2024-05-01", strings.NewReader(`{"identity": {"type": "SystemAssigned"}}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	body, _ := tenant.resource(sub, id)
	if resp.StatusCode != http.StatusOK || body["identity"].(map[string]any)["type"] != "SystemAssigned" || body["properties"] == nil {
		t.Errorf("after PATCH: %d %v", resp.StatusCode, body["identity"])
	}
}

func toJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func FuzzParseQuery(f *testing.F) {
	f.Add("resources | where type =~ 'microsoft.apimanagement/service' and resourceGroup in~ ('a', 'b') | project id, name | order by id asc | take 5")
	f.Add("resourcecontainers | where type == \"x\" | where name !in ('a')")
	f.Add("resources | where properties.sku !~ 'it\\'s'")
	f.Fuzz(func(t *testing.T, src string) {
		q, err := parseQuery(src)
		if err == nil {
			q.run([]map[string]any{{"id": "/a", "type": "t", "properties": map[string]any{"sku": "x"}}})
		}
	})
}

func TestGenerateIsDeterministic(t *testing.T) {
	dump := func(seed uint64) string {
		tenant := Generate(GenerateOptions{Subscriptions: 3, Services: 40, WithoutIdentity: 0.3, Seed: seed})
		var b strings.Builder
		for _, s := range tenant.Subscriptions() {
			b.WriteString(toJSON(tenant.Resources(s.ID)))
		}
		return b.String()
	}
	if first, again := dump(1), dump(1); first != again {
		t.Error("the same seed gave two tenants")
	}
	if dump(1) == dump(2) {
		t.Error("two seeds gave the same tenant")
	}
	tenant := Generate(GenerateOptions{Subscriptions: 2, Services: 200, WithoutIdentity: 0.25, Seed: 3})
	without := 0
	for _, s := range tenant.Subscriptions() {
		for _, body := range tenant.Resources(s.ID) {
			sp, _ := SpellingNamed(body["tags"].(map[string]any)["armsim-identity"].(string))
			if !sp.HasIdentity {
				without++
			}
		}
	}
	if without < 25 || without > 75 {
		t.Errorf("%d of 200 services lack an identity, want about a quarter", without)
	}
}
