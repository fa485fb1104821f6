package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/lensix/lensix/internal/check"
)

// ExportOptions tune the exported definitions.
type ExportOptions struct {
	// Effect is the default of each definition's effect parameter and the value the generated
	// assignment sets: Audit (default), Deny or Disabled.
	Effect string
	// Version is written into metadata.version and the definition's version ("1.0.0" when empty).
	Version string
	// InitiativeName names the policy set ("lensix" when empty).
	InitiativeName string
}

// ExportEffects are the effects an exported check may take.
var ExportEffects = []string{"Audit", "Deny", "Disabled"}

// categories maps a check ID's service prefix to Azure Policy's category names.
var categories = map[string]string{"apimgmt": "API Management"}

// Exported is a check turned into Azure Policy: one definition per check and an initiative
// holding them all.
type Exported struct {
	Definitions []ExportedDefinition `json:"policyDefinitions"`
	Initiative  ExportedDefinition   `json:"policySetDefinition"`
	effect      string
}

// ExportedDefinition is a definition document in the shape Azure's REST API takes.
type ExportedDefinition struct {
	Name       string               `json:"name"`
	Type       string               `json:"type"`
	Properties DefinitionProperties `json:"properties"`
}

// DefinitionProperties are the properties of a policy definition or, with PolicyDefinitions, of
// a policy set definition, in the order Azure's built-ins write them.
type DefinitionProperties struct {
	DisplayName string         `json:"displayName"`
	PolicyType  string         `json:"policyType"`
	Mode        string         `json:"mode,omitempty"`
	Description string         `json:"description"`
	Version     string         `json:"version"`
	Metadata    map[string]any `json:"metadata"`
	Parameters  map[string]any `json:"parameters"`
	// PolicyRule is the check's PolicyRule, byte for byte up to white space.
	PolicyRule        json.RawMessage `json:"policyRule,omitempty"`
	PolicyDefinitions []any           `json:"policyDefinitions,omitempty"`
}

// asMap is the properties as a JSON object, for the Bicep and Terraform writers.
func (p DefinitionProperties) asMap() map[string]any {
	data, _ := json.Marshal(p) // plain data: cannot fail
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return m
}

// Export turns checks that carry a PolicyRule into custom policy definitions plus an initiative.
// A check without a PolicyRule is an error naming it.
func Export(checks []*check.Check, opts ExportOptions) (*Exported, error) {
	effect, err := canonicalExportEffect(opts.Effect)
	if err != nil {
		return nil, err
	}
	version := opts.Version
	if version == "" {
		version = "1.0.0"
	}
	setName := opts.InitiativeName
	if setName == "" {
		setName = "lensix"
	}
	out := &Exported{effect: effect, Definitions: []ExportedDefinition{}}
	var refs []any
	for _, c := range checks {
		if len(c.PolicyRule) == 0 {
			return nil, fmt.Errorf("check %s has no Azure Policy rule to export", c.ID)
		}
		if !json.Valid(c.PolicyRule) {
			return nil, fmt.Errorf("check %s: its PolicyRule is not valid JSON", c.ID)
		}
		category := categories[strings.SplitN(c.ID, "_", 2)[0]]
		if category == "" && len(c.ResourceTypes) > 0 {
			category = strings.SplitN(c.ResourceTypes[0], "/", 2)[0]
		}
		out.Definitions = append(out.Definitions, ExportedDefinition{
			Name: c.ID,
			Type: "Microsoft.Authorization/policyDefinitions",
			Properties: DefinitionProperties{
				DisplayName: c.Title,
				PolicyType:  "Custom",
				// All, not Indexed: lensix's checks judge every resource of their types.
				Mode:        "All",
				Description: c.Description,
				Version:     version,
				Metadata: map[string]any{
					"category":      category,
					"version":       version,
					"source":        "lensix",
					"lensixCheckId": c.ID,
					"severity":      c.Severity.String(),
				},
				Parameters: map[string]any{"effect": effectParameter(effect)},
				PolicyRule: c.PolicyRule,
			},
		})
		refs = append(refs, map[string]any{
			"policyDefinitionReferenceId": c.ID,
			"policyDefinitionId":          "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/policyDefinitions/" + c.ID,
			"parameters":                  map[string]any{"effect": map[string]any{"value": "[parameters('effect')]"}},
		})
	}
	out.Initiative = ExportedDefinition{
		Name: setName,
		Type: "Microsoft.Authorization/policySetDefinitions",
		Properties: DefinitionProperties{
			DisplayName:       "lensix checks",
			PolicyType:        "Custom",
			Description:       "Every lensix check exported as an Azure Policy definition, so Azure audits (or denies) what lensix finds in code.",
			Version:           version,
			Metadata:          map[string]any{"category": "lensix", "version": version, "source": "lensix"},
			Parameters:        map[string]any{"effect": effectParameter(effect)},
			PolicyDefinitions: refs,
		},
	}
	return out, nil
}

func canonicalExportEffect(effect string) (string, error) {
	if effect == "" {
		return "Audit", nil
	}
	for _, e := range ExportEffects {
		if strings.EqualFold(e, effect) {
			return e, nil
		}
	}
	return "", fmt.Errorf("effect %q cannot be exported (want Audit, Deny or Disabled)", effect)
}

func effectParameter(defaultEffect string) map[string]any {
	allowed := make([]any, len(ExportEffects))
	for i, e := range ExportEffects {
		allowed[i] = e
	}
	return map[string]any{
		"type": "String",
		"metadata": map[string]any{
			"displayName": "Effect",
			"description": "Audit reports non-compliant resources; Deny blocks their deployment; Disabled turns the policy off.",
		},
		"allowedValues": allowed,
		"defaultValue":  defaultEffect,
	}
}

// JSON writes the definitions and the initiative as one JSON document.
func (e *Exported) JSON() ([]byte, error) {
	return marshalIndent(e)
}

// DefinitionJSON writes one definition as Azure takes it (`az policy definition create --rules`
// takes its policyRule; the REST API takes the whole document).
func (d ExportedDefinition) JSON() ([]byte, error) { return marshalIndent(d) }

func marshalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Bicep writes a subscription-scope Bicep file that creates the definitions and the initiative
// and assigns the initiative with the chosen effect.
func (e *Exported) Bicep() []byte {
	var b bytes.Buffer
	b.WriteString("// Generated by `lensix policy export --format bicep`.\n")
	b.WriteString("// Deploy: az deployment sub create --location <location> --template-file lensix-policy.bicep\n")
	b.WriteString("targetScope = 'subscription'\n\n")
	b.WriteString("@description('Audit reports non-compliant resources; Deny blocks their deployment; Disabled turns the policies off.')\n")
	b.WriteString("@allowed([\n  'Audit'\n  'Deny'\n  'Disabled'\n])\n")
	fmt.Fprintf(&b, "param effect string = %s\n\n", bicepString(e.effect))
	for _, d := range e.Definitions {
		fmt.Fprintf(&b, "resource %s 'Microsoft.Authorization/policyDefinitions@2023-04-01' = {\n", bicepIdent(d.Name))
		fmt.Fprintf(&b, "  name: %s\n  properties: ", bicepString(d.Name))
		writeBicep(&b, d.Properties.asMap(), 1)
		b.WriteString("\n}\n\n")
	}
	set := e.Initiative
	props := set.Properties.asMap()
	delete(props, "policyDefinitions")
	fmt.Fprintf(&b, "resource initiative 'Microsoft.Authorization/policySetDefinitions@2023-04-01' = {\n  name: %s\n  properties: {\n", bicepString(set.Name))
	keys := sortedKeys(props)
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s: ", k)
		writeBicep(&b, props[k], 2)
		b.WriteString("\n")
	}
	b.WriteString("    policyDefinitions: [\n")
	for _, d := range e.Definitions {
		fmt.Fprintf(&b, "      {\n        policyDefinitionReferenceId: %s\n        policyDefinitionId: %s.id\n", bicepString(d.Name), bicepIdent(d.Name))
		b.WriteString("        parameters: {\n          effect: {\n            value: '[parameters(\\'effect\\')]'\n          }\n        }\n      }\n")
	}
	b.WriteString("    ]\n  }\n}\n\n")
	fmt.Fprintf(&b, "resource assignment 'Microsoft.Authorization/policyAssignments@2024-04-01' = {\n  name: %s\n  properties: {\n", bicepString(set.Name))
	b.WriteString("    displayName: 'lensix checks'\n    policyDefinitionId: initiative.id\n")
	b.WriteString("    parameters: {\n      effect: {\n        value: effect\n      }\n    }\n  }\n}\n")
	return b.Bytes()
}

// writeBicep writes a JSON value as a Bicep literal. Bicep escapes strings that start with "[" when
// it compiles to ARM, so policy expressions reach Azure Policy unevaluated.
func writeBicep(b *bytes.Buffer, v any, depth int) {
	indent := strings.Repeat("  ", depth)
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for _, k := range sortedKeys(x) {
			fmt.Fprintf(b, "%s  %s: ", indent, bicepKey(k))
			writeBicep(b, x[k], depth+1)
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for _, e := range x {
			b.WriteString(indent + "  ")
			writeBicep(b, e, depth+1)
			b.WriteString("\n")
		}
		b.WriteString(indent + "]")
	case string:
		b.WriteString(bicepString(x))
	case nil:
		b.WriteString("null")
	default:
		if f, ok := number(v); ok {
			b.WriteString(formatNumber(f))
			return
		}
		fmt.Fprint(b, x)
	}
}

func bicepString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`, "${", `\${`)
	return "'" + r.Replace(s) + "'"
}

// bicepKeywords are quoted when they are object keys ("if" in every policyRule).
var bicepKeywords = map[string]bool{"if": true, "for": true, "in": true, "true": true, "false": true, "null": true}

func bicepKey(k string) string {
	if bicepKeywords[k] {
		return bicepString(k)
	}
	for i, c := range k {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (i > 0 && c >= '0' && c <= '9')) {
			return bicepString(k)
		}
	}
	return k
}

// bicepIdent turns a check ID into a Bicep symbolic name.
func bicepIdent(name string) string {
	var b strings.Builder
	for i, c := range name {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (i > 0 && c >= '0' && c <= '9') {
			b.WriteRune(c)
		} else {
			b.WriteRune('_')
		}
	}
	return "def_" + b.String()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Terraform writes azurerm resources that create the definitions and the initiative and assign
// it to the current subscription.
func (e *Exported) Terraform() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Generated by `lensix policy export --format terraform`.\n\n")
	b.WriteString("variable \"lensix_policy_effect\" {\n  description = \"Audit reports non-compliant resources; Deny blocks their deployment; Disabled turns the policies off.\"\n  type        = string\n")
	fmt.Fprintf(&b, "  default     = %s\n", strconv.Quote(e.effect))
	b.WriteString("  validation {\n    condition     = contains([\"Audit\", \"Deny\", \"Disabled\"], var.lensix_policy_effect)\n    error_message = \"The effect must be Audit, Deny or Disabled.\"\n  }\n}\n\n")
	for _, d := range e.Definitions {
		p := d.Properties.asMap()
		fmt.Fprintf(&b, "resource \"azurerm_policy_definition\" %s {\n", strconv.Quote(d.Name))
		fmt.Fprintf(&b, "  name         = %s\n", strconv.Quote(d.Name))
		b.WriteString("  policy_type  = \"Custom\"\n")
		fmt.Fprintf(&b, "  mode         = %s\n", strconv.Quote(p["mode"].(string)))
		fmt.Fprintf(&b, "  display_name = %s\n", hclString(p["displayName"].(string)))
		fmt.Fprintf(&b, "  description  = %s\n\n", hclString(p["description"].(string)))
		for _, attr := range []struct{ name, key string }{{"metadata", "metadata"}, {"parameters", "parameters"}, {"policy_rule", "policyRule"}} {
			if err := writeHeredoc(&b, attr.name, p[attr.key]); err != nil {
				return nil, err
			}
		}
		b.WriteString("}\n\n")
	}
	set := e.Initiative.Properties.asMap()
	fmt.Fprintf(&b, "resource \"azurerm_policy_set_definition\" %s {\n", strconv.Quote(e.Initiative.Name))
	fmt.Fprintf(&b, "  name         = %s\n  policy_type  = \"Custom\"\n", strconv.Quote(e.Initiative.Name))
	fmt.Fprintf(&b, "  display_name = %s\n  description  = %s\n\n", hclString(set["displayName"].(string)), hclString(set["description"].(string)))
	for _, attr := range []struct{ name, key string }{{"metadata", "metadata"}, {"parameters", "parameters"}} {
		if err := writeHeredoc(&b, attr.name, set[attr.key]); err != nil {
			return nil, err
		}
	}
	for _, d := range e.Definitions {
		fmt.Fprintf(&b, "  policy_definition_reference {\n    policy_definition_id = azurerm_policy_definition.%s.id\n    reference_id         = %s\n", d.Name, strconv.Quote(d.Name))
		b.WriteString("    parameter_values     = jsonencode({ effect = { value = \"[parameters('effect')]\" } })\n  }\n\n")
	}
	b.WriteString("}\n\ndata \"azurerm_subscription\" \"current\" {}\n\n")
	fmt.Fprintf(&b, "resource \"azurerm_subscription_policy_assignment\" %s {\n", strconv.Quote(e.Initiative.Name))
	fmt.Fprintf(&b, "  name                 = %s\n", strconv.Quote(e.Initiative.Name))
	b.WriteString("  display_name         = \"lensix checks\"\n  subscription_id      = data.azurerm_subscription.current.id\n")
	fmt.Fprintf(&b, "  policy_definition_id = azurerm_policy_set_definition.%s.id\n", e.Initiative.Name)
	b.WriteString("  parameters           = jsonencode({ effect = { value = var.lensix_policy_effect } })\n}\n")
	return b.Bytes(), nil
}

// writeHeredoc writes attr = <<JSON ... JSON with template sequences escaped, so Terraform passes
// the JSON through untouched.
func writeHeredoc(b *bytes.Buffer, attr string, v any) error {
	data, err := marshalIndent(v)
	if err != nil {
		return err
	}
	text := strings.NewReplacer("${", "$${", "%{", "%%{").Replace(strings.TrimRight(string(data), "\n"))
	marker := strings.ToUpper(attr)
	fmt.Fprintf(b, "  %s = <<%s\n%s\n%s\n\n", attr, marker, text, marker)
	return nil
}

// hclString quotes s for HCL, escaping template sequences.
func hclString(s string) string {
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(strconv.Quote(s))
}
