package resource

import (
	"encoding/json"
	"html"
	"sort"
	"strings"
)

// Redacted replaces every secret in an output.
const Redacted = "<redacted>"

// sensitiveKeyParts are fragments of property names whose values are secrets in Azure resources:
// passwords, keys, tokens, SAS and connection strings.
var sensitiveKeyParts = []string{"password", "secret", "token", "connectionstring", "credential", "certificatedata"}

// IsSensitiveKey reports whether a property called key holds a secret. Names that end in "key"
// or "keys" (primaryKey, subscriptionKeys, instrumentationKey) are secrets; names that merely
// mention a key vault (keyVaultId, keyVault) are references, not secrets.
func IsSensitiveKey(key string) bool {
	k := strings.ToLower(strings.ReplaceAll(key, "_", ""))
	if strings.Contains(k, "keyvault") || strings.HasSuffix(k, "id") || strings.HasSuffix(k, "uri") || strings.HasSuffix(k, "url") {
		return false
	}
	if strings.HasSuffix(k, "key") || strings.HasSuffix(k, "keys") {
		return true
	}
	for _, part := range sensitiveKeyParts {
		if strings.Contains(k, part) {
			return true
		}
	}
	return false
}

// Redact returns a copy of a body with every secret replaced by Redacted: the values of sensitive
// keys, and the value of an API Management named value (properties.value), which is a secret
// whenever it is not a Key Vault reference. Unknown values are kept: they hold no secret.
func Redact(resourceType string, body map[string]any) map[string]any {
	out, _ := redact(body).(map[string]any)
	if strings.EqualFold(resourceType, "Microsoft.ApiManagement/service/namedValues") {
		if props, ok := out["properties"].(map[string]any); ok {
			if _, has := props["value"]; has {
				props["value"] = Redacted
			}
		}
	}
	return out
}

func redact(v any) any {
	switch node := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(node))
		for k, child := range node {
			if _, unknown := child.(*Unknown); !unknown && child != nil && IsSensitiveKey(k) {
				out[k] = Redacted
				continue
			}
			out[k] = redact(child)
		}
		return out
	case []any:
		out := make([]any, len(node))
		for i, child := range node {
			out[i] = redact(child)
		}
		return out
	default:
		return v
	}
}

// minSecretLength is the shortest secret MaskSecrets masks: masking "a" or "no" would garble
// every report while hiding nothing anyone could not guess.
const minSecretLength = 4

// MaskSecrets replaces every occurrence of the secrets in text — as written, and as JSON and
// XML/HTML escape them — with Redacted. Outputs pass through it, so a secret that flowed into a
// name, a message or a command is never printed.
func MaskSecrets(text []byte, secrets []string) []byte {
	var pairs []string
	seen := map[string]bool{}
	add := func(s string) {
		if len(s) >= minSecretLength && !seen[s] {
			seen[s] = true
			pairs = append(pairs, s)
		}
	}
	for _, s := range secrets {
		add(s)
		add(jsonEscaped(s, true))
		add(jsonEscaped(s, false))
		add(html.EscapeString(s))
	}
	if len(pairs) == 0 {
		return text
	}
	// Longest first, so a secret that contains another is masked whole.
	sort.Slice(pairs, func(i, j int) bool { return len(pairs[i]) > len(pairs[j]) })
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p, Redacted)
	}
	return []byte(strings.NewReplacer(args...).Replace(string(text)))
}

// jsonEscaped is s as it stands inside a JSON string, with or without HTML characters escaped.
func jsonEscaped(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(b.String(), "\n"), `"`), `"`)
}
