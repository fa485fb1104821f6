package arm_test

import (
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/source/arm"
)

// secretsOf loads a languageVersion 2.0 template and returns the secrets its one resource carries.
func secretsOf(t *testing.T, opts arm.Options, body string) string {
	t.Helper()
	rs, diags := load(t, opts, "main.json", template(`"languageVersion": "2.0", `+body))
	if diags.HasErrors() || len(rs) != 1 {
		t.Fatalf("resources %d, diags %v", len(rs), diags)
	}
	return strings.Join(rs[0].Secrets, "\n")
}

func TestTypeDefinitionsMakeValuesSecret(t *testing.T) {
	const resources = `"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim", "properties": {}}}`
	tests := []struct {
		name   string
		body   string
		params []string
		want   []string // secrets the resource carries
		not    []string // values that are not secrets
	}{
		{
			name: "a parameter whose $ref names a securestring definition is secure",
			body: `"definitions": {"secretType": {"type": "securestring"}},
				"parameters": {"apiKey": {"$ref": "#/definitions/secretType"}}, ` + resources,
			params: []string{"apiKey=RefSekr1tKey"},
			want:   []string{"RefSekr1tKey"},
		},
		{
			name: "a $ref chain through another definition reaches secureObject",
			body: `"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"type": "secureObject"}},
				"parameters": {"conn": {"$ref": "#/definitions/a"}}, ` + resources,
			params: []string{`conn={"user": "ChainUser1", "n": 5}`},
			want:   []string{"ChainUser1"},
		},
		{
			name: "a securestring property of a referenced object type is a secret and its siblings are not",
			body: `"definitions": {"credsType": {"type": "object", "properties": {"user": {"type": "string"}, "password": {"type": "securestring"}}}},
				"parameters": {"creds": {"$ref": "#/definitions/credsType"}}, ` + resources,
			params: []string{`creds={"user": "PlainUser1", "password": "RefObjSekr1t"}`},
			want:   []string{"RefObjSekr1t"},
			not:    []string{"PlainUser1"},
		},
		{
			name:   "a securestring property declared inline on the parameter is a secret",
			body:   `"parameters": {"inlineCreds": {"type": "object", "properties": {"password": {"type": "securestring"}}}}, ` + resources,
			params: []string{`inlineCreds={"password": "InlineSekr1t"}`},
			want:   []string{"InlineSekr1t"},
		},
		{
			name: "a secure property deep in array items and additionalProperties is a secret",
			body: `"definitions": {"keyType": {"type": "securestring"},
					"hostType": {"type": "object", "properties": {"keys": {"type": "array", "items": {"$ref": "#/definitions/keyType"}}}}},
				"parameters": {"hosts": {"type": "object", "additionalProperties": {"$ref": "#/definitions/hostType"}}}, ` + resources,
			params: []string{`hosts={"h1": {"keys": ["DeepKey1"], "name": "HostName1"}}`},
			want:   []string{"DeepKey1"},
			not:    []string{"HostName1"},
		},
		{
			name: "a $ref into a definition's properties reaches the secure property type",
			body: `"definitions": {"credsType": {"type": "object", "properties": {"password": {"type": "securestring"}}}},
				"parameters": {"pw": {"$ref": "#/definitions/credsType/properties/password"}}, ` + resources,
			params: []string{"pw=PointerSekr1t"},
			want:   []string{"PointerSekr1t"},
		},
		{
			name: "a secure default of a referenced type is a secret",
			body: `"definitions": {"secretType": {"type": "securestring"}},
				"parameters": {"apiKey": {"$ref": "#/definitions/secretType", "defaultValue": "DefaultRefSekr1t"}}, ` + resources,
			want: []string{"DefaultRefSekr1t"},
		},
		{
			name: "definitions that refer to each other in a cycle give no secret and no hang",
			body: `"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
				"parameters": {"x": {"$ref": "#/definitions/a", "defaultValue": "CyclePlain1"}}, ` + resources,
			not: []string{"CyclePlain1"},
		},
		{
			name: "the member a tagged union's discriminator selects declares the secure property",
			body: `"definitions": {"auth": {"type": "object", "discriminator": {"propertyName": "kind", "mapping": {
					"key": {"type": "object", "properties": {"kind": {"type": "string"}, "secret": {"type": "securestring"}}},
					"again": {"$ref": "#/definitions/auth"}}}}},
				"parameters": {"a": {"$ref": "#/definitions/auth"}, "b": {"$ref": "#/definitions/auth"}}, ` + resources,
			params: []string{`a={"kind": "key", "secret": "TaggedSekr1t"}`, `b={"kind": "again", "secret": "UntaggedPlain1"}`},
			want:   []string{"TaggedSekr1t"},
			not:    []string{"UntaggedPlain1", "key"},
		},
		{
			name: "a plain string definition is no secret",
			body: `"definitions": {"nameType": {"type": "string"}},
				"parameters": {"n": {"$ref": "#/definitions/nameType"}}, ` + resources,
			params: []string{"n=PlainRef1"},
			not:    []string{"PlainRef1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := secretsOf(t, arm.Options{Params: tt.params}, tt.body)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("secrets %q lack %q", got, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("secrets %q hold the plain value %q", got, n)
				}
			}
		})
	}
}

func TestNullableThroughTypeDefinitions(t *testing.T) {
	const resource = `"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim",
		"identity": "[if(empty(parameters('mi')), null(), createObject('type', 'SystemAssigned'))]"}}`
	tests := []struct {
		name     string
		body     string
		wantNull bool // identity is null (the parameter deployed as null) rather than unknown
	}{
		{
			name: "a nullable definition makes the parameter that refers to it null when not given",
			body: `"definitions": {"miType": {"type": "object", "properties": {"systemAssigned": {"type": "bool", "nullable": true}}, "nullable": true}},
				"parameters": {"mi": {"$ref": "#/definitions/miType"}}, ` + resource,
			wantNull: true,
		},
		{
			name: "nullable reached through two $ref links applies",
			body: `"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"type": "object", "nullable": true}},
				"parameters": {"mi": {"$ref": "#/definitions/a"}}, ` + resource,
			wantNull: true,
		},
		{
			name: "nullable false beside the $ref overrides the definition",
			body: `"definitions": {"miType": {"type": "object", "nullable": true}},
				"parameters": {"mi": {"$ref": "#/definitions/miType", "nullable": false}}, ` + resource,
		},
		{
			name: "a definition that is not nullable leaves the parameter unknown",
			body: `"definitions": {"miType": {"type": "object"}},
				"parameters": {"mi": {"$ref": "#/definitions/miType"}}, ` + resource,
		},
		{
			name: "a $ref to a missing definition leaves the parameter unknown",
			body: `"parameters": {"mi": {"$ref": "#/definitions/nowhere"}}, ` + resource,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, diags := load(t, arm.Options{}, "main.json", template(`"languageVersion": "2.0", `+tt.body))
			if diags.HasErrors() || len(rs) != 1 {
				t.Fatalf("resources %d, diags %v", len(rs), diags)
			}
			identity, _ := rs[0].Get("identity")
			if tt.wantNull {
				if identity != nil || len(rs[0].Assumptions) != 1 || !strings.Contains(rs[0].Assumptions[0].Message, "nullable") {
					t.Errorf("identity = %#v, assumptions %v", identity, rs[0].Assumptions)
				}
				return
			}
			if identity == nil {
				t.Errorf("identity is null, want unknown; assumptions %v", rs[0].Assumptions)
			}
		})
	}
}

func TestANestedTemplatesOwnDefinitionsMakeItsParameterSecure(t *testing.T) {
	rs, diags := load(t, arm.Options{Params: []string{"key=NestedRefSekr1t"}}, "main.json", template(`"languageVersion": "2.0",
		"parameters": {"key": {"type": "string"}},
		"resources": {"mod": {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "mod",
			"properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
				"parameters": {"apiKey": {"value": "[parameters('key')]"}},
				"template": {`+schema+`, "languageVersion": "2.0",
					"definitions": {"secretType": {"type": "securestring"}},
					"parameters": {"apiKey": {"$ref": "#/definitions/secretType"}},
					"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[format('apim-{0}', parameters('apiKey'))]"}}}}}}`))
	if diags.HasErrors() || len(rs) != 2 {
		t.Fatalf("resources %d, diags %v", len(rs), diags)
	}
	for _, r := range rs {
		if !strings.Contains(strings.Join(r.Secrets, "\n"), "NestedRefSekr1t") {
			t.Errorf("%s: secrets %q lack the value passed to the secure parameter", r.Provenance.Address, r.Secrets)
		}
	}
}
