package armsim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Resource Graph limits, as documented.
const (
	graphMaxSubscriptions = 1000 // subscriptions per query
	graphDefaultTop       = 100  // rows per page without $top
	graphMaxTop           = 1000 // rows per page at most
)

type graphRequest struct {
	Query            string   `json:"query"`
	Subscriptions    []string `json:"subscriptions"`
	ManagementGroups []string `json:"managementGroups"`
	Options          struct {
		SkipToken    string `json:"$skipToken"`
		Top          *int   `json:"$top"`
		Skip         int    `json:"$skip"`
		ResultFormat string `json:"resultFormat"`
	} `json:"options"`
}

type skipToken struct {
	Offset int    `json:"o"`
	Top    int    `json:"t"`
	Query  string `json:"q"`
	Result string `json:"r"` // the result set the first page computed, kept for the next pages
}

// maxKeptResults bounds the result sets kept for paging clients that never read to the end.
const maxKeptResults = 256

// serveGraph answers POST /providers/Microsoft.ResourceGraph/resources with the rows of the
// tables "resources" and "resourcecontainers" that the query selects, paged by $skipToken.
func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeARMError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Resource Graph queries are POST requests.")
		return
	}
	if f := s.currentFaults(); f.GraphQuota > 0 {
		window := f.GraphQuotaWindow
		if window <= 0 {
			window = 5 * time.Second
		}
		remaining, resets, ok := s.quota.take(f.GraphQuota, window, time.Now())
		w.Header().Set("x-ms-user-quota-remaining", fmt.Sprint(remaining))
		w.Header().Set("x-ms-user-quota-resets-after", timeSpan(resets))
		if !ok {
			s.stats.throttled.Add(1)
			writeThrottled(w, resets)
			return
		}
	}
	var req graphRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeARMError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: "+err.Error())
		return
	}
	q, err := parseQuery(req.Query)
	if err != nil {
		writeGraphQueryError(w, err)
		return
	}
	top := graphDefaultTop
	offset := req.Options.Skip
	var rows []map[string]any
	resultID := ""
	if req.Options.SkipToken != "" {
		tok, ok := decodeSkipToken(req.Options.SkipToken)
		if ok {
			rows, ok = s.keptResult(tok.Result)
		}
		if !ok || tok.Query != req.Query {
			writeGraphError(w, http.StatusBadRequest, "InvalidSkipToken", "The $skipToken is invalid, expired or belongs to another query.")
			return
		}
		offset, top, resultID = tok.Offset, tok.Top, tok.Result
	} else {
		subs, status, code, msg := s.graphScope(req)
		if status != 0 {
			writeGraphError(w, status, code, msg)
			return
		}
		rows = q.run(s.graphTable(q.table, subs))
	}
	if req.Options.Top != nil {
		if *req.Options.Top < 1 || *req.Options.Top > graphMaxTop {
			writeGraphError(w, http.StatusBadRequest, "InvalidTopValue", fmt.Sprintf("The $top value must be between 1 and %d.", graphMaxTop))
			return
		}
		top = *req.Options.Top
	}
	offset = min(max(offset, 0), len(rows))
	end := min(offset+top, len(rows))
	resp := map[string]any{
		"totalRecords":    len(rows),
		"count":           end - offset,
		"data":            rows[offset:end],
		"facets":          []any{},
		"resultTruncated": "false",
	}
	if end < len(rows) {
		if resultID == "" {
			resultID = s.keepResult(rows)
		}
		resp["$skipToken"] = encodeSkipToken(skipToken{Offset: end, Top: top, Query: req.Query, Result: resultID})
	}
	writeJSON(w, http.StatusOK, resp)
}

// keepResult stores a result set for the pages after the first, as Resource Graph serves every
// page of a query from one result.
func (s *Server) keepResult(rows []map[string]any) string {
	id := newID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.results) >= maxKeptResults {
		clear(s.results)
	}
	s.results[id] = rows
	return id
}

func (s *Server) keptResult(id string) ([]map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, ok := s.results[id]
	return rows, ok
}

// graphScope resolves the subscriptions a query covers. Subscriptions the caller may not read are
// left out silently, as Resource Graph does; a scope with none left is an error.
func (s *Server) graphScope(req graphRequest) (subs []*Subscription, status int, code, msg string) {
	var ids []string
	switch {
	case len(req.Subscriptions) > 0:
		if len(req.Subscriptions) > graphMaxSubscriptions {
			return nil, http.StatusBadRequest, "BadRequest", fmt.Sprintf("The number of subscriptions in the request (%d) exceeds the limit of %d; split them into batches.", len(req.Subscriptions), graphMaxSubscriptions)
		}
		ids = req.Subscriptions
	case len(req.ManagementGroups) > 0:
		for _, mg := range req.ManagementGroups {
			members, ok := s.tenant.managementGroup(mg)
			if !ok {
				return nil, http.StatusForbidden, "AuthorizationFailed", fmt.Sprintf("The client does not have authorization to read management group '%s', or it does not exist.", mg)
			}
			ids = append(ids, members...)
		}
	default:
		for _, sub := range s.tenant.Subscriptions() {
			ids = append(ids, sub.ID)
		}
	}
	f := s.currentFaults()
	seen := map[string]bool{}
	for _, id := range ids {
		sub := s.tenant.subscription(id)
		if sub == nil || f.forbids(id) || seen[strings.ToLower(id)] {
			continue
		}
		seen[strings.ToLower(id)] = true
		subs = append(subs, sub)
	}
	if len(subs) == 0 {
		return nil, http.StatusBadRequest, "NoValidSubscriptionsInQueryRequest", "There are no valid subscriptions in the query request."
	}
	return subs, 0, "", ""
}

// graphTable returns a table's rows for subs, in the column shape Resource Graph uses.
func (s *Server) graphTable(table string, subs []*Subscription) []map[string]any {
	var rows []map[string]any
	for _, sub := range subs {
		if table == "resourcecontainers" {
			sj := subscriptionJSON(s.tenant.ID, sub)
			rows = append(rows, map[string]any{
				"id": sj["id"], "name": sub.DisplayName, "type": "microsoft.resources/subscriptions",
				"tenantId": s.tenant.ID, "kind": "", "location": "", "resourceGroup": "", "subscriptionId": sub.ID,
				"managedBy": "", "sku": nil, "plan": nil, "tags": map[string]any{}, "identity": nil, "zones": nil,
				"extendedLocation": nil, "properties": map[string]any{"state": sub.State, "subscriptionPolicies": sj["subscriptionPolicies"]},
			})
			continue
		}
		for _, body := range s.tenant.resourcesOf(sub, "") {
			rows = append(rows, graphRow(s.tenant.ID, sub.ID, body))
		}
	}
	return rows
}

// graphRow is a resource as a row of the resources table: every standard column present (null
// when the resource has no value), type and resource group in lower case, location normalised.
func graphRow(tenantID, subscriptionID string, body map[string]any) map[string]any {
	row := map[string]any{
		"id": body["id"], "name": body["name"], "tenantId": tenantID, "subscriptionId": subscriptionID,
		"kind": "", "managedBy": "", "sku": nil, "plan": nil, "tags": nil, "identity": nil, "zones": nil,
		"extendedLocation": nil, "properties": nil,
	}
	t, _ := body["type"].(string)
	row["type"] = strings.ToLower(t)
	row["resourceGroup"] = strings.ToLower(resourceGroupOf(body))
	loc, _ := body["location"].(string)
	row["location"] = strings.ToLower(strings.ReplaceAll(loc, " ", ""))
	for _, k := range []string{"kind", "managedBy", "sku", "plan", "tags", "identity", "zones", "extendedLocation", "properties"} {
		if v, ok := body[k]; ok {
			row[k] = v
		}
	}
	return row
}

func writeGraphQueryError(w http.ResponseWriter, err error) {
	detail := map[string]any{"code": "ParserFailure", "message": err.Error()}
	if pe, ok := err.(*parseError); ok {
		detail["line"] = 1
		detail["characterPositionInLine"] = pe.pos
		detail["token"] = pe.token
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{
		"code":    "BadRequest",
		"message": "Please provide below info when asking for support: timestamp = " + time.Now().UTC().Format(time.RFC3339) + ", correlationId = " + newID() + ".",
		"details": []any{
			map[string]any{"code": "InvalidQuery", "message": "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying."},
			detail,
		},
	}})
}

func writeGraphError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": "BadRequest", "message": message,
		"details": []any{map[string]any{"code": code, "message": message}},
	}})
}

func encodeSkipToken(t skipToken) string {
	raw, _ := json.Marshal(t)
	return base64.StdEncoding.EncodeToString(raw)
}

func decodeSkipToken(s string) (skipToken, bool) {
	raw, err := base64.StdEncoding.DecodeString(s)
	var t skipToken
	if err != nil || json.Unmarshal(raw, &t) != nil || t.Top < 1 {
		return skipToken{}, false
	}
	return t, true
}

// timeSpan writes a duration as .NET's TimeSpan does (hh:mm:ss[.fffffff]), the format of
// x-ms-user-quota-resets-after.
func timeSpan(d time.Duration) string {
	d = max(d, 0)
	h := int(d / time.Hour)
	m := int(d % time.Hour / time.Minute)
	sec := int(d % time.Minute / time.Second)
	frac := int(d % time.Second / 100)
	if frac == 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%02d:%02d:%02d.%07d", h, m, sec, frac)
}

// sortRows orders rows by a column's text, for `order by`.
func sortRows(rows []map[string]any, column string, desc bool) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := strings.ToLower(fmt.Sprint(rows[i][column])), strings.ToLower(fmt.Sprint(rows[j][column]))
		if desc {
			return a > b
		}
		return a < b
	})
}
