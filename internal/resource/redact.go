package resource

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// Redacted replaces every secret in an output.
const Redacted = "<redacted>"

// sensitiveKeyParts are fragments of property names whose values are secrets in Azure resources:
// passwords, keys, tokens, SAS and connection strings, and VM extensions' protected settings.
// A VM's customData is a cloud-init script that routinely carries credentials.
var sensitiveKeyParts = []string{"password", "secret", "token", "connectionstring", "credential", "certificatedata", "protectedsettings", "securevalue", "customdata"}

// IsSensitiveKey reports whether a property called key holds a secret. Names that end in "key"
// or "keys" (primaryKey, subscriptionKeys, instrumentationKey) are secrets; names that merely
// mention a key vault (keyVaultId, keyVault) are references, not secrets, and names that end in
// "name" or "version" (a Key Vault reference's secretName, secretVersion) name a secret. Names that end in url
// or uri are not secrets by name alone: Redact judges them by their value (see
// HasCredentialQuery).
func IsSensitiveKey(key string) bool {
	k := strings.ToLower(strings.ReplaceAll(key, "_", ""))
	if strings.Contains(k, "keyvault") || strings.HasSuffix(k, "id") || strings.HasSuffix(k, "name") || strings.HasSuffix(k, "version") || isLocationKey(k) {
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

func isLocationKey(lowerKey string) bool {
	return strings.HasSuffix(lowerKey, "uri") || strings.HasSuffix(lowerKey, "url") || strings.HasSuffix(lowerKey, "uris") || strings.HasSuffix(lowerKey, "urls")
}

// credentialQuery matches a credential in a URL query, a connection string or a command line: a
// SAS signature, a Functions key, an API key, a password or a token, after ?, &, ; or -- (a
// command's --password=...), with = or & written plain or URL-encoded (sig%3D..., %26sig%3D...).
// An encoded value runs to the next encoded & or ; (%26, %3B).
var credentialQuery = regexp.MustCompile(`(?i)(^|[?&;]|--|%3F|%26|%3B)(sig|code|key|password|pwd|token|access_token|secret|client_secret|api[-_]?key|subscription-key|accountkey|sharedaccesskey)(=|%3D)((?:[^&;#\s"'<>%]|%(?:2[0-57-9a-f]|3[0-9ac-f]|[014-9a-f][0-9a-f]))+)`)

// HasCredentialQuery reports whether s carries a credential in a query or connection string
// ("...&sig=...", "?code=...", ";AccountKey=...").
func HasCredentialQuery(s string) bool { return mayHoldCredential(s) && credentialQuery.MatchString(s) }

// mayHoldCredential is a cheap test that s could match credentialQuery, which needs "=" or its
// escape "%3D": most strings of a template have neither, and the pattern backtracks.
func mayHoldCredential(s string) bool {
	return strings.IndexByte(s, '=') >= 0 || strings.Contains(s, "%3D") || strings.Contains(s, "%3d")
}

// secretValueTypes are resource types whose properties.value is a secret: an API Management
// named value (unless it is a Key Vault reference, which has no value) and a Key Vault secret.
var secretValueTypes = []string{"Microsoft.ApiManagement/service/namedValues", "Microsoft.KeyVault/vaults/secrets"}

// settingsLists are lists of name/value pairs whose every value may be a secret: app settings
// and connection strings of App Service and Functions.
var settingsLists = map[string]bool{"appsettings": true, "connectionstrings": true}

// Redact returns a copy of a body with every secret replaced by Redacted: the values of sensitive
// keys; the properties.value of a named value or Key Vault secret; the values of app settings and
// connection strings, and of name/value pairs whose name is sensitive; a url or uri property
// whose value carries a credential query; and, in any other string, the credential of a query
// (sig=, code=, ...). Unknown values are kept: they hold no secret. The input is not changed.
func Redact(resourceType string, body map[string]any) map[string]any {
	r := &redactor{}
	return r.body(resourceType, body)
}

// SecretsOf lists the secret strings Redact replaces in a body, sorted, so outputs can mask them
// wherever else they flowed (a name, a message). Values that cannot be secrets are left out:
// strings of letters alone (enum values such as "Enabled"), which no Azure password or key is.
func SecretsOf(resourceType string, body map[string]any) []string {
	r := &redactor{}
	r.body(resourceType, body)
	slices.Sort(r.secrets)
	return slices.Compact(r.secrets)
}

// redactor copies a body with its secrets replaced and remembers what it replaced.
type redactor struct {
	secrets []string
}

func (r *redactor) body(resourceType string, body map[string]any) map[string]any {
	walked, _ := r.walk("", body)
	out, _ := walked.(map[string]any)
	original, _ := body["properties"].(map[string]any)
	if original == nil {
		return out
	}
	// props is made writable (a copy, in a copy of out) on the first change below: the walk
	// shares what it did not change with body.
	var props map[string]any
	set := func(k string, v any) {
		if props == nil {
			out = maps.Clone(out)
			props = maps.Clone(out["properties"].(map[string]any))
			out["properties"] = props
		}
		props[k] = v
	}
	for _, t := range secretValueTypes {
		if strings.EqualFold(resourceType, t) && redactable(original["value"]) {
			r.record(original["value"])
			set("value", Redacted)
		}
	}
	if settings := webConfigSettings(resourceType, body["name"]); settings != "" {
		for k, v := range original {
			if !redactable(v) {
				continue
			}
			if settings == "connectionstrings" || IsSensitiveKey(k) {
				r.record(v)
			}
			if entry, ok := v.(map[string]any); ok && settings == "connectionstrings" {
				walked, _ := r.walk(k, entry)
				copied := maps.Clone(walked.(map[string]any))
				if redactable(entry["value"]) {
					copied["value"] = Redacted
				}
				set(k, copied)
				continue
			}
			set(k, Redacted)
		}
	}
	return out
}

// webConfigSettings names the settings a Microsoft.Web/sites/config resource holds
// ("appsettings", "connectionstrings"), or "" for any other resource.
func webConfigSettings(resourceType string, name any) string {
	if !strings.EqualFold(resourceType, "Microsoft.Web/sites/config") && !strings.EqualFold(resourceType, "Microsoft.Web/sites/slots/config") {
		return ""
	}
	n, _ := name.(string)
	last := strings.ToLower(n[strings.LastIndex(n, "/")+1:])
	if settingsLists[last] {
		return last
	}
	return ""
}

// redactable reports whether v may hold a secret: unknown and null values hold none.
func redactable(v any) bool {
	if _, unknown := v.(*Unknown); unknown {
		return false
	}
	return v != nil
}

// sensitive reports whether the value of key is a secret.
func sensitive(key string, v any) bool {
	if _, flag := v.(bool); flag || !redactable(v) {
		return false // a bool under a secret's name is a setting (a named value's "secret": true)
	}
	if k := strings.ToLower(key); isLocationKey(k) && !strings.Contains(k, "keyvault") {
		return anyString(v, HasCredentialQuery)
	}
	return IsSensitiveKey(key)
}

// walk returns v, found under key, with its secrets replaced, and whether anything was: it
// copies only the maps and arrays that change, and shares the rest with v (most bodies hold no
// secret, and SecretsOf walks every body of a scan).
func (r *redactor) walk(key string, v any) (any, bool) {
	switch node := v.(type) {
	case map[string]any:
		var out map[string]any // made on the first change
		for k, child := range node {
			nv, changed := any(Redacted), true
			if sensitive(k, child) {
				r.record(child)
			} else {
				nv, changed = r.walk(k, child)
			}
			if changed {
				if out == nil {
					out = maps.Clone(node)
				}
				out[k] = nv
			}
		}
		if out == nil {
			return node, false
		}
		return out, true
	case []any:
		var out []any // made on the first change
		for i, child := range node {
			nv, changed := r.walk(key, child)
			if pair, ok := child.(map[string]any); ok {
				if p, redacted := r.redactPair(key, pair, nv.(map[string]any)); redacted {
					nv, changed = p, true
				}
			}
			if changed {
				if out == nil {
					out = slices.Clone(node)
				}
				out[i] = nv
			}
		}
		if out == nil {
			return node, false
		}
		return out, true
	case string:
		masked := r.maskQuery(node)
		return masked, masked != node
	default:
		return v, false
	}
}

// redactPair returns walked, the walked copy of a {name, value} pair (an app setting, an
// environment variable), with its value redacted when its name is sensitive or it belongs to a
// list of settings, and whether it was.
func (r *redactor) redactPair(listKey string, pair, walked map[string]any) (map[string]any, bool) {
	name, ok := pair["name"].(string)
	value, has := pair["value"]
	if !ok || !has || !redactable(value) {
		return walked, false
	}
	sensitiveName := IsSensitiveKey(name)
	if !sensitiveName && !settingsLists[strings.ToLower(listKey)] {
		return walked, false
	}
	if sensitiveName || strings.EqualFold(listKey, "connectionStrings") {
		r.record(value)
	}
	out := maps.Clone(walked)
	out["value"] = Redacted
	return out, true
}

// MaskCredentials replaces the credentials of URL queries and connection strings in s (a SAS
// token's sig=, a password=) with Redacted, for messages that quote a URL.
func MaskCredentials(s string) string {
	if !mayHoldCredential(s) {
		return s
	}
	return credentialQuery.ReplaceAllString(s, "${1}${2}${3}"+Redacted)
}

// maskQuery replaces the credentials of queries and connection strings in s.
func (r *redactor) maskQuery(s string) string {
	if !mayHoldCredential(s) {
		return s
	}
	matches := credentialQuery.FindAllStringSubmatch(s, -1)
	if matches == nil {
		return s
	}
	for _, m := range matches {
		r.record(m[4])
	}
	return credentialQuery.ReplaceAllString(s, "${1}${2}${3}"+Redacted)
}

// record remembers the string leaves of a replaced value that may be secrets.
func (r *redactor) record(v any) {
	switch node := v.(type) {
	case string:
		if node != Redacted && strings.ContainsFunc(node, func(c rune) bool { return !unicode.IsLetter(c) }) {
			r.secrets = append(r.secrets, node)
		}
		// The credential of a redacted URL may also flow on its own.
		if !mayHoldCredential(node) {
			break
		}
		for _, m := range credentialQuery.FindAllStringSubmatch(node, -1) {
			r.record(m[4])
		}
	case []any:
		for _, child := range node {
			r.record(child)
		}
	case map[string]any:
		for _, child := range node {
			r.record(child)
		}
	}
}

// anyString reports whether some string leaf of v satisfies f.
func anyString(v any, f func(string) bool) bool {
	switch node := v.(type) {
	case string:
		return f(node)
	case []any:
		for _, child := range node {
			if anyString(child, f) {
				return true
			}
		}
	case map[string]any:
		for _, child := range node {
			if anyString(child, f) {
				return true
			}
		}
	}
	return false
}

// minSecretLength is the shortest secret MaskSecrets masks: masking "a" or "no" would garble
// every report while hiding nothing anyone could not guess.
const minSecretLength = 4

// MaskSecrets replaces every occurrence of the secrets in text — as written, Go-quoted (%q), as
// JSON and XML/HTML escape them, and base64-encoded — with Redacted, ignoring case: a lower- or
// upper-cased secret is the same secret (ARM's toLower, Bicep's toUpper). Outputs pass through
// it, so a secret that flowed into a name, a message or a command is never printed. Other
// transformations (replace, substring, hashes) are secrets of their own: the ARM and Bicep
// evaluators track them with a Taint, Terraform with cty marks.
func MaskSecrets(text []byte, secrets []string) []byte {
	return MaskSecretsAs(text, secrets, Redacted)
}

// MaskSecretsAs is MaskSecrets with a mask the output's syntax allows where Redacted's angle
// brackets would break it (an XML attribute).
func MaskSecretsAs(text []byte, secrets []string, mask string) []byte {
	re := secretsPattern(secrets)
	if re == nil {
		return text
	}
	return re.ReplaceAllLiteral(text, []byte(mask))
}

// MaskString is MaskSecrets for a string.
func MaskString(text string, secrets []string) string {
	if len(secrets) == 0 {
		return text
	}
	return string(MaskSecrets([]byte(text), secrets))
}

// secretsPattern matches every form of the secrets MaskSecrets masks, or is nil if none is long
// enough to mask.
func secretsPattern(secrets []string) *regexp.Regexp {
	key := strings.Join(secrets, "\x00")
	if re, ok := patterns.Load(key); ok {
		return re.(*regexp.Regexp)
	}
	re := compileSecrets(secrets)
	if patternCount.Add(1) <= maxCachedPatterns {
		patterns.Store(key, re)
	}
	return re
}

// patterns caches the compiled pattern of each set of secrets: the resources of one input share
// their set, and the engine masks every finding's message with it.
var (
	patterns     sync.Map // strings.Join(secrets, "\x00") → *regexp.Regexp
	patternCount atomic.Int64
)

// maxCachedPatterns bounds the cache: a long-running monitor scans many inputs.
const maxCachedPatterns = 256

func compileSecrets(secrets []string) *regexp.Regexp {
	var forms []string
	seen := map[string]bool{}
	add := func(s string) {
		if len(s) >= minSecretLength && !seen[s] {
			seen[s] = true
			forms = append(forms, s)
		}
	}
	for _, s := range secrets {
		for _, f := range secretForms(s) {
			add(f)
		}
	}
	if len(forms) == 0 {
		return nil
	}
	// Longest first: alternatives match leftmost-first, so a secret that contains another is
	// masked whole.
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	for i, f := range forms {
		forms[i] = regexp.QuoteMeta(f)
	}
	return regexp.MustCompile("(?i)" + strings.Join(forms, "|"))
}

// secretForms are the ways a secret may be written in an output: as it is, Go-quoted, and
// base64-encoded, each also as JSON and XML/HTML escape it.
func secretForms(s string) []string {
	var forms []string
	goQuoted := strings.TrimSuffix(strings.TrimPrefix(strconv.Quote(s), `"`), `"`)
	for _, f := range []string{s, goQuoted, base64.StdEncoding.EncodeToString([]byte(s))} {
		for _, form := range []string{f, jsonEscaped(f, true), jsonEscaped(f, false), html.EscapeString(f)} {
			if !slices.Contains(forms, form) {
				forms = append(forms, form)
			}
		}
	}
	return forms
}

// jsonEscaped is s as it stands inside a JSON string, with or without HTML characters escaped.
func jsonEscaped(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(b.String(), "\n"), `"`), `"`)
}
