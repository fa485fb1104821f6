package armsim

import (
	"net/http"
	"strings"
)

// serveEntra answers the Microsoft Entra endpoints azidentity's client-credentials flow uses:
// instance discovery, the tenant's OpenID configuration and the v2.0 token endpoint.
func (s *Server) serveEntra(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	tenant, _, _ := strings.Cut(path, "/")
	authority := s.URL + "/" + tenant
	switch {
	case path == "common/discovery/instance":
		writeJSON(w, http.StatusOK, map[string]any{
			"tenant_discovery_endpoint": s.URL + "/" + s.tenant.ID + "/v2.0/.well-known/openid-configuration",
			"api-version":               "1.1",
			"metadata":                  []any{map[string]any{"preferred_network": hostOf(s.URL), "preferred_cache": hostOf(s.URL), "aliases": []any{hostOf(s.URL)}}},
		})
	case strings.HasSuffix(path, ".well-known/openid-configuration") && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{
			"token_endpoint":                        authority + "/oauth2/v2.0/token",
			"authorization_endpoint":                authority + "/oauth2/v2.0/authorize",
			"device_authorization_endpoint":         authority + "/oauth2/v2.0/devicecode",
			"issuer":                                s.URL + "/" + s.tenant.ID + "/v2.0",
			"jwks_uri":                              authority + "/discovery/v2.0/keys",
			"token_endpoint_auth_methods_supported": []any{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			"response_types_supported":              []any{"code", "id_token", "code id_token", "id_token token"},
			"scopes_supported":                      []any{"openid", "profile", "email", "offline_access"},
			"tenant_region_scope":                   nil,
		})
	case strings.HasSuffix(path, "oauth2/v2.0/token") && r.Method == http.MethodPost:
		s.stats.token.Add(1)
		s.serveToken(w, r, tenant)
	default:
		writeEntraError(w, http.StatusNotFound, "invalid_request", "AADSTS90002: the endpoint does not exist.", 90002)
	}
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, tenant string) {
	if err := r.ParseForm(); err != nil {
		writeEntraError(w, http.StatusBadRequest, "invalid_request", "AADSTS900144: the request body must be a form.", 900144)
		return
	}
	switch {
	case !strings.EqualFold(tenant, s.tenant.ID) && tenant != "organizations":
		writeEntraError(w, http.StatusBadRequest, "invalid_tenant", "AADSTS90002: Tenant '"+tenant+"' not found.", 90002)
	case r.PostForm.Get("grant_type") != "client_credentials":
		writeEntraError(w, http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: armsim supports the client_credentials grant only.", 70003)
	case r.PostForm.Get("client_id") != ClientID:
		writeEntraError(w, http.StatusBadRequest, "unauthorized_client", "AADSTS700016: Application with identifier '"+r.PostForm.Get("client_id")+"' was not found in the directory.", 700016)
	case r.PostForm.Get("client_secret") != ClientSecret:
		writeEntraError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.", 7000215)
	default:
		token := "armsim." + newID()
		s.mu.Lock()
		s.tokens[token] = true
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})
	}
}

func writeEntraError(w http.ResponseWriter, status int, code, description string, number int) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": description, "error_codes": []any{number}, "timestamp": "2026-01-01 00:00:00Z", "trace_id": newID(), "correlation_id": newID()})
}

func hostOf(url string) string { return strings.TrimPrefix(url, "https://") }
