package resource

import "strings"

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
