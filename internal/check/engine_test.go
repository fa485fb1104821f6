package check

import (
	"testing"

	"github.com/lensix/lensix/internal/resource"
)

func TestFindingsShowOnlyTheAssumptionsTheirEvidenceRestsOn(t *testing.T) {
	identityCheck := &Check{
		Metadata: Metadata{ID: "svc_identity", ResourceTypes: []string{"Microsoft.Test/things"}},
		Evaluate: func(r *resource.Resource) Result {
			return Result{Status: Fail, Message: "no identity", Evidence: map[string]string{"identity.type": "None"}}
		},
	}
	r := &resource.Resource{Type: "Microsoft.Test/things"}
	r.Assume("var.identity_type", "default used", "identity")
	r.Assume("var.location", "default used", "location")
	r.Assume("parameters('everything')", "default used") // the source could not tell what it affects
	r.Assume("var.name", "default used", "name", "identity.userAssignedIdentities")

	findings := Run([]*Check{identityCheck}, []*resource.Resource{r})
	if len(findings) != 1 {
		t.Fatalf("got %d findings, want 1", len(findings))
	}
	var got []string
	for _, a := range findings[0].Assumptions {
		got = append(got, a.Path)
	}
	want := []string{"var.identity_type", "parameters('everything')"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("assumptions shown = %v, want %v", got, want)
	}
}

func TestRunSkipsResourcesOfOtherTypes(t *testing.T) {
	c := &Check{Metadata: Metadata{ID: "a_b", ResourceTypes: []string{"Microsoft.Test/things"}},
		Evaluate: func(*resource.Resource) Result { return Result{Status: Pass} }}
	findings := Run([]*Check{c}, []*resource.Resource{{Type: "microsoft.test/THINGS"}, {Type: "Microsoft.Test/other"}})
	if len(findings) != 1 {
		t.Errorf("got %d findings, want 1 (types compare without case; other types are skipped)", len(findings))
	}
}

func TestRunMasksTheResourcesSecretsInMessagesAndEvidence(t *testing.T) {
	tests := []struct {
		name    string
		message string
		value   string
	}{
		{"a secret quoted in the message and the evidence is masked", `identity.type "S3cret-42" is invalid`, "S3cret-42"},
		{"a secret with quotes and backslashes quoted Go-style is masked", `identity.type "pa\"ss\\w<o>rd&1" is invalid`, `pa"ss\w<o>rd&1`},
		{"an upper-cased secret is masked", `identity.type "S3CRET-42" is invalid`, "S3CRET-42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Check{Metadata: Metadata{ID: "a_b", ResourceTypes: []string{"Microsoft.Test/things"}},
				Evaluate: func(*resource.Resource) Result {
					return Result{Status: Fail, Message: tt.message, Evidence: map[string]string{"identity.type": tt.value}}
				}}
			r := &resource.Resource{Type: "Microsoft.Test/things", Secrets: []string{"S3cret-42", `pa"ss\w<o>rd&1`}}
			f := Run([]*Check{c}, []*resource.Resource{r})[0]
			if f.Message != `identity.type "`+resource.Redacted+`" is invalid` || f.Evidence["identity.type"] != resource.Redacted {
				t.Errorf("message %q, evidence %q: want the secret masked", f.Message, f.Evidence["identity.type"])
			}
		})
	}
}
