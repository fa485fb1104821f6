package armsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PageSize is how many items a Resource Manager list page holds before its nextLink.
const PageSize = 100

const apimType = "Microsoft.ApiManagement/service"

// serveARM answers the Resource Manager reads and writes lensix makes: the subscriptions list,
// and API Management services listed by subscription or resource group, read and updated.
func (s *Server) serveARM(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) == 0 || !strings.EqualFold(segs[0], "subscriptions") {
		writeARMError(w, http.StatusNotFound, "InvalidResourceType", "The resource type could not be found in the namespace.")
		return
	}
	if len(segs) == 1 && r.Method == http.MethodGet {
		if s.inject(w, r, "") {
			return
		}
		s.stats.subscriptions.Add(1)
		s.listSubscriptions(w, r)
		return
	}
	subID := segs[1]
	if s.inject(w, r, subID) {
		return
	}
	sub := s.tenant.subscription(subID)
	if sub == nil {
		writeARMError(w, http.StatusNotFound, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", subID))
		return
	}
	rest := segs[2:]
	var rg string
	if len(rest) >= 2 && strings.EqualFold(rest[0], "resourceGroups") {
		rg, rest = rest[1], rest[2:]
	}
	switch {
	case len(segs) == 2 && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, subscriptionJSON(s.tenant.ID, sub))
	case len(rest) == 3 && isAPIMPath(rest) && r.Method == http.MethodGet:
		s.stats.apimList.Add(1)
		var items []any
		for _, body := range s.tenant.resourcesOf(sub, apimType) {
			if rg == "" || strings.EqualFold(resourceGroupOf(body), rg) {
				items = append(items, body)
			}
		}
		writePage(w, r, items)
	case len(rest) == 4 && isAPIMPath(rest) && rg != "":
		s.serveService(w, r, sub, rg, rest[3])
	default:
		writeARMError(w, http.StatusNotFound, "InvalidResourceType", "The resource type could not be found in the namespace.")
	}
}

func isAPIMPath(rest []string) bool {
	return strings.EqualFold(rest[0], "providers") && strings.EqualFold(rest[1], "Microsoft.ApiManagement") && strings.EqualFold(rest[2], "service")
}

func (s *Server) serveService(w http.ResponseWriter, r *http.Request, sub *Subscription, rg, name string) {
	id := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ApiManagement/service/%s", sub.ID, rg, name)
	body, ok := s.tenant.resource(sub, id)
	if !ok {
		writeARMError(w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The Resource 'Microsoft.ApiManagement/service/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", name, rg))
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.stats.apimGet.Add(1)
		writeJSON(w, http.StatusOK, body)
	case http.MethodPatch:
		s.stats.apimUpdate.Add(1)
		var patch map[string]any
		if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
			writeARMError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: "+err.Error())
			return
		}
		updated := mergePatch(body, patch)
		s.tenant.replace(sub, updated)
		writeJSON(w, http.StatusOK, updated)
	default:
		writeARMError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested method is not allowed.")
	}
}

// mergePatch applies a PATCH body the way API Management's update does: objects merge, other
// values replace, and the ID, name and type stay.
func mergePatch(base, patch map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for _, k := range sortedKeys(patch) {
		switch strings.ToLower(k) {
		case "id", "name", "type":
			continue
		}
		if pm, ok := patch[k].(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = mergePatch(bm, pm)
				continue
			}
		}
		out[k] = patch[k]
	}
	return out
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	var items []any
	for _, sub := range s.tenant.Subscriptions() {
		items = append(items, subscriptionJSON(s.tenant.ID, sub))
	}
	writePage(w, r, items)
}

// subscriptionJSON is a subscription as the subscriptions API (2022-12-01) returns it.
func subscriptionJSON(tenantID string, sub *Subscription) map[string]any {
	return map[string]any{
		"id":                  "/subscriptions/" + sub.ID,
		"authorizationSource": "RoleBased",
		"managedByTenants":    []any{},
		"subscriptionId":      sub.ID,
		"tenantId":            tenantID,
		"displayName":         sub.DisplayName,
		"state":               sub.State,
		"subscriptionPolicies": map[string]any{
			"locationPlacementId": "Public_2014-09-01",
			"quotaId":             "PayAsYouGo_2014-09-01",
			"spendingLimit":       "Off",
		},
	}
}

// writePage answers a list with one page of items and a nextLink to the rest.
func writePage(w http.ResponseWriter, r *http.Request, items []any) {
	start, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	if start < 0 || start > len(items) {
		start = len(items)
	}
	end := min(start+PageSize, len(items))
	page := map[string]any{"value": append([]any{}, items[start:end]...)}
	if end < len(items) {
		next := *r.URL
		q := next.Query()
		q.Set("$skiptoken", strconv.Itoa(end))
		next.RawQuery = q.Encode()
		page["nextLink"] = "https://" + r.Host + (&url.URL{Path: next.Path, RawQuery: next.RawQuery}).String()
	}
	writeJSON(w, http.StatusOK, page)
}

func resourceGroupOf(body map[string]any) string {
	id, _ := body["id"].(string)
	segs := strings.Split(strings.Trim(id, "/"), "/")
	if len(segs) >= 4 && strings.EqualFold(segs[2], "resourceGroups") {
		return segs[3]
	}
	return ""
}
