package bicep_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/lensix/lensix/internal/resource"
	"github.com/lensix/lensix/internal/source/arm"
	"github.com/lensix/lensix/internal/source/bicep"
)

// The Bicep form of each case and the template the compiler emits for it (languageVersion 2.0,
// user-defined types as definitions) must give the same verdict and the same secrets.
func TestUserDefinedTypesReadAlikeInBicepAndCompiledTemplate(t *testing.T) {
	const armHead = `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "languageVersion": "2.0", "contentVersion": "1.0.0.0", `
	tests := []struct {
		name         string
		bicep        map[string]string // main.bicep and the files it imports
		json         string            // main.json as the compiler emits it
		params       []string
		secrets      []string // values every resource must carry as secrets
		plain        []string // values that must not be secrets
		nullIdentity bool     // identity is null: the nullable parameter deployed as null
	}{
		{
			name: "a parameter of a @secure() string type is secure",
			bicep: map[string]string{"main.bicep": `@secure()
type secretType = string
param apiKey secretType
param plain string
resource svc 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim-${apiKey}-${plain}'
  identity: { type: 'SystemAssigned' }
}
`},
			json: armHead + `"definitions": {"secretType": {"type": "securestring"}},
				"parameters": {"apiKey": {"$ref": "#/definitions/secretType"}, "plain": {"type": "string"}},
				"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[format('apim-{0}-{1}', parameters('apiKey'), parameters('plain'))]", "identity": {"type": "SystemAssigned"}}}}`,
			params:  []string{"apiKey=TypeSekr1tKey", "plain=PlainName1"},
			secrets: []string{"TypeSekr1tKey"},
			plain:   []string{"PlainName1"},
		},
		{
			name: "a @secure() property of an object type is a secret and its siblings are not",
			bicep: map[string]string{"main.bicep": `type credsType = {
  user: string
  @secure()
  password: string
}
param creds credsType
resource svc 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim'
  tags: { p: creds.password, u: creds.user }
}
`},
			json: armHead + `"definitions": {"credsType": {"type": "object", "properties": {"user": {"type": "string"}, "password": {"type": "securestring"}}}},
				"parameters": {"creds": {"$ref": "#/definitions/credsType"}},
				"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim", "tags": {"p": "[parameters('creds').password]", "u": "[parameters('creds').user]"}}}}`,
			params:  []string{`creds={"user": "PlainUser2", "password": "PropSekr1t2"}`},
			secrets: []string{"PropSekr1t2"},
			plain:   []string{"PlainUser2"},
		},
		{
			name: "a @secure() property of an object type written on the parameter is a secret",
			bicep: map[string]string{"main.bicep": `param inlineCreds {
  @secure()
  password: string
}
resource svc 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim'
  tags: { ip: inlineCreds.password }
}
`},
			json: armHead + `"parameters": {"inlineCreds": {"type": "object", "properties": {"password": {"type": "securestring"}}}},
				"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim", "tags": {"ip": "[parameters('inlineCreds').password]"}}}}`,
			params:  []string{`inlineCreds={"password": "InlineSekr1t5"}`},
			secrets: []string{"InlineSekr1t5"},
		},
		{
			name: "a secure type inside an array of objects marks each element's property",
			bicep: map[string]string{"main.bicep": `@secure()
type keyType = string
type hostType = {
  name: string
  key: keyType
}
param hosts hostType[]
resource svc 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim'
  properties: { hosts: hosts }
}
`},
			json: armHead + `"definitions": {"keyType": {"type": "securestring"}, "hostType": {"type": "object", "properties": {"name": {"type": "string"}, "key": {"$ref": "#/definitions/keyType"}}}},
				"parameters": {"hosts": {"type": "array", "items": {"$ref": "#/definitions/hostType"}}},
				"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim", "properties": {"hosts": "[parameters('hosts')]"}}}}`,
			params:  []string{`hosts=[{"name": "HostName3", "key": "HostKey3a"}, {"name": "h", "key": "HostKey3b"}]`},
			secrets: []string{"HostKey3a", "HostKey3b"},
			plain:   []string{"HostName3"},
		},
		{
			name: "an imported @secure() type makes the parameter secure",
			bicep: map[string]string{
				"types.bicep": "@export()\n@secure()\ntype secretType = string\n",
				"main.bicep": `import { secretType } from 'types.bicep'
param apiKey secretType
resource svc 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim-${apiKey}'
}
`},
			json: armHead + `"definitions": {"secretType": {"type": "securestring", "metadata": {"__bicep_imported_from!": {"sourceTemplate": "types.bicep"}}}},
				"parameters": {"apiKey": {"$ref": "#/definitions/secretType"}},
				"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "[format('apim-{0}', parameters('apiKey'))]"}}}`,
			params:  []string{"apiKey=ImportedSekr1t4"},
			secrets: []string{"ImportedSekr1t4"},
		},
		{
			name: "a parameter of a nullable type without a value deploys as null (the AVM managedIdentities shape)",
			bicep: map[string]string{"main.bicep": `type managedIdentitiesType = {
  systemAssigned: bool?
}?
param managedIdentities managedIdentitiesType
resource svc 'Microsoft.ApiManagement/service@2022-08-01' = {
  name: 'apim'
  identity: empty(managedIdentities) ? null : { type: 'SystemAssigned' }
}
`},
			json: armHead + `"definitions": {"managedIdentitiesType": {"type": "object", "properties": {"systemAssigned": {"type": "bool", "nullable": true}}, "nullable": true}},
				"parameters": {"managedIdentities": {"$ref": "#/definitions/managedIdentitiesType"}},
				"resources": {"svc": {"type": "Microsoft.ApiManagement/service", "apiVersion": "2022-08-01", "name": "apim", "identity": "[if(empty(parameters('managedIdentities')), null(), createObject('type', 'SystemAssigned'))]"}}}`,
			nullIdentity: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"main.json": tt.json}
			for k, v := range tt.bicep {
				files[k] = v
			}
			dir := writeFiles(t, files)
			fromBicep, bdiags := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{Params: tt.params})
			fromARM, adiags := arm.Load([]string{dir + "/main.json"}, arm.Options{Params: tt.params})
			if len(fromBicep) != 1 || len(fromARM) != 1 || bdiags.HasErrors() || adiags.HasErrors() {
				t.Fatalf("Bicep: %d resources, %v; ARM: %d resources, %v", len(fromBicep), bdiags, len(fromARM), adiags)
			}
			for form, r := range map[string]*resource.Resource{"Bicep": fromBicep[0], "ARM": fromARM[0]} {
				for _, s := range tt.secrets {
					if !slices.Contains(r.Secrets, s) {
						t.Errorf("%s: secrets %q lack %q", form, r.Secrets, s)
					}
				}
				for _, p := range tt.plain {
					if slices.Contains(r.Secrets, p) {
						t.Errorf("%s: secrets %q hold the plain value %q", form, r.Secrets, p)
					}
				}
				identity, ok := r.Get("identity")
				if tt.nullIdentity && (!ok || identity != nil) {
					t.Errorf("%s: identity = %#v, want null", form, identity)
				}
			}
			bi, _ := json.Marshal(fromBicep[0].Body["identity"])
			ai, _ := json.Marshal(fromARM[0].Body["identity"])
			if string(bi) != string(ai) {
				t.Errorf("identity from Bicep %s, from ARM %s", bi, ai)
			}
		})
	}
}

func TestTypesThatNameEachOtherEnd(t *testing.T) {
	// 40 aliases, each a union naming the next twice: followed naively, 2^40 paths.
	src := ""
	for i := 0; i < 40; i++ {
		src += fmt.Sprintf("type t%d = t%d | t%d\n", i, i+1, i+1)
	}
	src += "@secure()\ntype t40 = string\ntype loop = loop | loop\nparam p t0\nparam q loop\nresource s 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: 'apim'\n  properties: { p: p, q: q }\n}\n"
	dir := writeFiles(t, map[string]string{"main.bicep": src})
	rs, _ := bicep.Load([]string{dir + "/main.bicep"}, bicep.Options{Params: []string{"p=ChainedSekr1t", "q=LoopPlain1"}})
	if len(rs) != 1 {
		t.Fatalf("resources %d", len(rs))
	}
	// The chain is deeper than lensix follows types, so the secret is not required; ending is.
	if slices.Contains(rs[0].Secrets, "LoopPlain1") {
		t.Errorf("secrets %q hold the value of a type that is no secure type", rs[0].Secrets)
	}
}
