package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/corpus"
	"github.com/lensix/lensix/internal/resource"
)

// corpusCase is one corpus definition with a resource it judges non-compliant and one it judges
// compliant, written from the Azure REST API's resource shapes (testdata/corpus_cases.json).
type corpusCase struct {
	File   string         `json:"file"`
	Params map[string]any `json:"params"`
	// Effect is the effect in force on the non-compliant resource; Changes is part of what
	// append or modify say they would write.
	Effect  string `json:"effect"`
	Changes string `json:"changes"`
	Bad     map[string]any
	Good    map[string]any
	// BadRelated and GoodRelated are scanned beside Bad and Good, for *IfNotExists.
	BadRelated  []map[string]any `json:"badRelated"`
	GoodRelated []map[string]any `json:"goodRelated"`
	// NotApplicable: the definition judges no ARM resource (data-plane mode, action or manual
	// effect, disabled by default); the text is part of the reason.
	NotApplicable string `json:"notApplicable"`
	// Unknown: both verdicts depend on something lensix does not compute.
	Unknown bool `json:"unknown"`
}

const testSubscription = "00000000-0000-0000-0000-000000000001"

// armResource turns an ARM body into a resource of resource group "rg" (or the body's
// "resourceGroup") in the test subscription, with the ID ARM would give it.
func armResource(body map[string]any) *resource.Resource {
	typ, _ := body["type"].(string)
	name, _ := body["name"].(string)
	r := &resource.Resource{Type: typ, Name: name, Body: body, SubscriptionID: testSubscription, ResourceGroup: "rg"}
	r.Provenance.Range.Filename = "main.json"
	if rg, ok := body["resourceGroup"].(string); ok {
		r.ResourceGroup = rg
		delete(body, "resourceGroup")
	}
	switch {
	case strings.EqualFold(typ, "Microsoft.Resources/subscriptions"):
		r.ResourceGroup, r.SubscriptionID, r.ID = "", name, "/subscriptions/"+name
	case strings.EqualFold(typ, "Microsoft.Resources/subscriptions/resourceGroups"):
		r.ResourceGroup, r.ID = name, "/subscriptions/"+testSubscription+"/resourceGroups/"+name
	case body["scope"] != nil:
		// An extension resource: related to its scope, its own ID unknown here.
	default:
		segments := strings.Split(typ, "/")
		names := strings.Split(name, "/")
		id := "/subscriptions/" + testSubscription + "/resourceGroups/" + r.ResourceGroup + "/providers/" + segments[0]
		for i, t := range segments[1:] {
			if i < len(names) {
				id += "/" + t + "/" + names[i]
			}
		}
		r.ID = id
	}
	return r
}

func TestCorpusDefinitionsJudgeCompliantAndNonCompliantResources(t *testing.T) {
	dir := corpus.Dir(t)
	data, err := os.ReadFile("testdata/corpus_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.File] = true
		t.Run(tc.File, func(t *testing.T) {
			def, err := ParseFile(filepath.Join(dir, tc.File))
			if err != nil {
				t.Fatal(err)
			}
			params, err := def.Bind(tc.Params)
			if err != nil {
				t.Fatal(err)
			}
			evaluate := func(body map[string]any, related []map[string]any) (*Result, *NotApplicable) {
				r := armResource(deepCopy(body).(map[string]any))
				env := &Env{
					Resources:         []*resource.Resource{r},
					Now:               time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC),
					ResourceGroupTags: map[string]map[string]any{"rg": {"env": "prod"}},
					SubscriptionTags:  map[string]any{"env": "prod"},
				}
				for _, b := range related {
					env.Resources = append(env.Resources, armResource(deepCopy(b).(map[string]any)))
				}
				return def.Evaluate(r, params, env)
			}
			bad, na := evaluate(tc.Bad, tc.BadRelated)
			if tc.NotApplicable != "" {
				if na == nil || !strings.Contains(na.Reason, tc.NotApplicable) {
					t.Fatalf("want not applicable (%s), got %v %v", tc.NotApplicable, bad, na)
				}
				return
			}
			if na != nil {
				t.Fatalf("non-compliant case: not applicable: %s", na.Reason)
			}
			wantBad, wantGood := NonCompliant, Compliant
			if tc.Unknown {
				wantBad, wantGood = Undetermined, Undetermined
			}
			if bad.Compliance != wantBad || bad.Effect != tc.Effect || !strings.Contains(bad.Message, tc.Changes) || bad.Err != nil {
				t.Errorf("non-compliant case: got %s %s (%s, err %v), want %s %s with %q", bad.Effect, bad.Compliance, bad.Message, bad.Err, tc.Effect, wantBad, tc.Changes)
			}
			good, na := evaluate(tc.Good, tc.GoodRelated)
			if na != nil {
				t.Fatalf("compliant case: not applicable: %s", na.Reason)
			}
			if good.Compliance != wantGood || good.Err != nil {
				t.Errorf("compliant case: got %s (%s, err %v), want %s", good.Compliance, good.Message, good.Err, wantGood)
			}
		})
	}
	for _, f := range corpusDefinitionFiles(t, dir) {
		if !covered[f] {
			t.Errorf("%s has no compliant and non-compliant case in testdata/corpus_cases.json", f)
		}
	}
}
