package armsim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
)

// Tenant is the directory an emulator serves: subscriptions holding resources, and management
// groups holding subscriptions.
type Tenant struct {
	ID string

	mu               sync.RWMutex
	subscriptions    []*Subscription
	byID             map[string]*Subscription // by lowercase subscription ID
	managementGroups map[string][]string      // by lowercase name: subscription IDs
}

// Subscription is one subscription and its resources in the order they were added.
type Subscription struct {
	ID          string
	DisplayName string
	State       string

	resources []map[string]any
	byID      map[string]int // by lowercase resource ID: index in resources
}

// NewTenant returns an empty tenant.
func NewTenant(id string) *Tenant {
	return &Tenant{ID: id, byID: map[string]*Subscription{}, managementGroups: map[string][]string{}}
}

// AddSubscription adds an enabled subscription, or returns the one with that ID.
func (t *Tenant) AddSubscription(id, displayName string) *Subscription {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.addSubscription(id, displayName)
}

func (t *Tenant) addSubscription(id, displayName string) *Subscription {
	if s, ok := t.byID[strings.ToLower(id)]; ok {
		return s
	}
	s := &Subscription{ID: id, DisplayName: displayName, State: "Enabled", byID: map[string]int{}}
	t.subscriptions = append(t.subscriptions, s)
	t.byID[strings.ToLower(id)] = s
	return s
}

// AddToManagementGroup puts subscriptions under a management group.
func (t *Tenant) AddToManagementGroup(name string, subscriptionIDs ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := strings.ToLower(name)
	t.managementGroups[key] = append(t.managementGroups[key], subscriptionIDs...)
}

// AddResource stores an ARM resource body (with id, name and type) in the subscription its ID
// names, adding the subscription if needed; a resource with the same ID is replaced.
func (t *Tenant) AddResource(body map[string]any) error {
	id, _ := body["id"].(string)
	sub := subscriptionOf(id)
	if sub == "" {
		return fmt.Errorf("armsim: resource ID %q names no subscription", id)
	}
	if _, ok := body["type"].(string); !ok {
		return fmt.Errorf("armsim: resource %q has no type", id)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.addSubscription(sub, "Subscription "+sub)
	key := strings.ToLower(id)
	if i, ok := s.byID[key]; ok {
		s.resources[i] = body
		return nil
	}
	s.byID[key] = len(s.resources)
	s.resources = append(s.resources, body)
	return nil
}

// Subscriptions lists the tenant's subscriptions in the order they were added.
func (t *Tenant) Subscriptions() []*Subscription {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]*Subscription(nil), t.subscriptions...)
}

func (t *Tenant) subscription(id string) *Subscription {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.byID[strings.ToLower(id)]
}

func (t *Tenant) managementGroup(name string) ([]string, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	subs, ok := t.managementGroups[strings.ToLower(name)]
	return subs, ok
}

// resourcesOf returns a subscription's resources of one type (any type when typ is "").
func (t *Tenant) resourcesOf(s *Subscription, typ string) []map[string]any {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []map[string]any
	for _, r := range s.resources {
		if rt, _ := r["type"].(string); typ == "" || strings.EqualFold(rt, typ) {
			out = append(out, r)
		}
	}
	return out
}

func (t *Tenant) resource(s *Subscription, id string) (map[string]any, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	i, ok := s.byID[strings.ToLower(id)]
	if !ok {
		return nil, false
	}
	return s.resources[i], true
}

func (t *Tenant) replace(s *Subscription, body map[string]any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	id, _ := body["id"].(string)
	if i, ok := s.byID[strings.ToLower(id)]; ok {
		s.resources[i] = body
	}
}

// subscriptionOf reads the subscription ID from a resource ID.
func subscriptionOf(id string) string {
	segs := strings.Split(strings.Trim(id, "/"), "/")
	if len(segs) >= 2 && strings.EqualFold(segs[0], "subscriptions") {
		return segs[1]
	}
	return ""
}

// Spelling is one way an API Management service's identity can look in Resource Manager.
type Spelling struct {
	// Name is what generated services carry in their armsim-identity tag.
	Name string
	// HasIdentity says whether the service has a managed identity.
	HasIdentity bool
	// Identity is the identity value; absent when Absent.
	Identity any
	Absent   bool
}

// Spellings are every identity spelling generated tenants use, with and without an identity.
var Spellings = []Spelling{
	{Name: "system", HasIdentity: true, Identity: map[string]any{"type": "SystemAssigned"}},
	{Name: "user", HasIdentity: true, Identity: map[string]any{"type": "UserAssigned"}},
	{Name: "system-user", HasIdentity: true, Identity: map[string]any{"type": "SystemAssigned, UserAssigned"}},
	{Name: "system-user-nospace", HasIdentity: true, Identity: map[string]any{"type": "SystemAssigned,UserAssigned"}},
	{Name: "system-lowercase", HasIdentity: true, Identity: map[string]any{"type": "systemassigned"}},
	{Name: "absent", Absent: true},
	{Name: "null", Identity: nil},
	{Name: "none", Identity: map[string]any{"type": "None"}},
	{Name: "none-lowercase", Identity: map[string]any{"type": "none"}},
	{Name: "empty-object", Identity: map[string]any{}},
	{Name: "empty-type", Identity: map[string]any{"type": ""}},
}

// SpellingNamed returns the spelling with the given name.
func SpellingNamed(name string) (Spelling, bool) {
	for _, s := range Spellings {
		if s.Name == name {
			return s, true
		}
	}
	return Spelling{}, false
}

// GenerateOptions size a generated tenant.
type GenerateOptions struct {
	Subscriptions int
	// Services is the number of API Management services, spread evenly over the subscriptions.
	Services int
	// WithoutIdentity is the fraction of services that have no managed identity (0 to 1).
	WithoutIdentity float64
	// Seed makes a different tenant of the same size; the same seed gives the same tenant.
	Seed uint64
}

// Generate builds a tenant deterministically from opts. Subscriptions with an even index also
// belong to the management group "mg-even"; all belong to the tenant root group, named by the
// tenant ID.
func Generate(opts GenerateOptions) *Tenant {
	rng := rand.New(rand.NewPCG(opts.Seed, 0x1e05))
	t := NewTenant(fmt.Sprintf("%08x-aaaa-4aaa-8aaa-%012x", opts.Seed, opts.Seed))
	var with, without []Spelling
	for _, s := range Spellings {
		if s.HasIdentity {
			with = append(with, s)
		} else {
			without = append(without, s)
		}
	}
	var subIDs []string
	for i := 0; i < opts.Subscriptions; i++ {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", opts.Seed, i+1)
		t.AddSubscription(id, fmt.Sprintf("Subscription %d", i+1))
		subIDs = append(subIDs, id)
		if i%2 == 0 {
			t.AddToManagementGroup("mg-even", id)
		}
	}
	t.AddToManagementGroup(t.ID, subIDs...)
	for i := 0; i < opts.Services && len(subIDs) > 0; i++ {
		var sp Spelling
		if rng.Float64() < opts.WithoutIdentity {
			sp = without[i%len(without)]
		} else {
			sp = with[i%len(with)]
		}
		sub := subIDs[i%len(subIDs)]
		rg := fmt.Sprintf("rg-apim-%d", i%3)
		name := fmt.Sprintf("apim-%05d", i+1)
		_ = t.AddResource(ServiceBody(t.ID, sub, rg, name, sp))
	}
	return t
}

// ServiceBody is an API Management service as Resource Manager returns it (shape of the
// 2024-05-01 ApiManagementServiceGetService example), with the identity spelled sp.
func ServiceBody(tenantID, subscriptionID, resourceGroup, name string, sp Spelling) map[string]any {
	id := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ApiManagement/service/%s", subscriptionID, resourceGroup, name)
	host := strings.ToLower(name) + ".azure-api.net"
	body := map[string]any{
		"id":       id,
		"name":     name,
		"type":     "Microsoft.ApiManagement/service",
		"location": "West Europe",
		"etag":     "AAAAAAAm3YE=",
		"tags":     map[string]any{"armsim-identity": sp.Name},
		"sku":      map[string]any{"name": "Developer", "capacity": int64(1)},
		"properties": map[string]any{
			"publisherEmail":              "apim@contoso.com",
			"publisherName":               "Contoso",
			"notificationSenderEmail":     "apimgmt-noreply@mail.windowsazure.com",
			"provisioningState":           "Succeeded",
			"targetProvisioningState":     "",
			"createdAtUtc":                "2026-01-01T00:00:00.0000000Z",
			"gatewayUrl":                  "https://" + host,
			"gatewayRegionalUrl":          "https://" + strings.ToLower(name) + "-westeurope-01.regional.azure-api.net",
			"portalUrl":                   "https://" + strings.ToLower(name) + ".portal.azure-api.net",
			"developerPortalUrl":          "https://" + strings.ToLower(name) + ".developer.azure-api.net",
			"managementApiUrl":            "https://" + strings.ToLower(name) + ".management.azure-api.net",
			"scmUrl":                      "https://" + strings.ToLower(name) + ".scm.azure-api.net",
			"hostnameConfigurations":      []any{map[string]any{"type": "Proxy", "hostName": host, "negotiateClientCertificate": false, "defaultSslBinding": true, "certificateSource": "BuiltIn"}},
			"publicIPAddresses":           []any{"20.40.1.10"},
			"virtualNetworkType":          "None",
			"disableGateway":              false,
			"natGatewayState":             "Disabled",
			"apiVersionConstraint":        map[string]any{},
			"publicNetworkAccess":         "Enabled",
			"platformVersion":             "stv2",
			"customProperties":            map[string]any{"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "False"},
			"developerPortalStatus":       "Enabled",
			"legacyPortalStatus":          "Disabled",
			"releaseChannel":              "Default",
			"outboundPublicNetworkAccess": "Enabled",
		},
		"systemData": map[string]any{"createdBy": "armsim", "createdByType": "Application", "createdAt": "2026-01-01T00:00:00Z", "lastModifiedBy": "armsim", "lastModifiedByType": "Application", "lastModifiedAt": "2026-01-01T00:00:00Z"},
	}
	if !sp.Absent {
		body["identity"] = identityValue(sp.Identity, tenantID, subscriptionID, resourceGroup)
	}
	return body
}

// identityValue fills an identity spelling with the principal and user-assigned identities Azure
// returns beside the type.
func identityValue(identity any, tenantID, subscriptionID, resourceGroup string) any {
	m, ok := identity.(map[string]any)
	if !ok {
		return identity
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	t, _ := out["type"].(string)
	lower := strings.ToLower(t)
	if strings.Contains(lower, "systemassigned") {
		out["principalId"] = "9f2d6a1e-0000-4000-8000-000000000001"
		out["tenantId"] = tenantID
	}
	if strings.Contains(lower, "userassigned") {
		uami := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ManagedIdentity/userAssignedIdentities/apim-identity", subscriptionID, resourceGroup)
		out["userAssignedIdentities"] = map[string]any{uami: map[string]any{"principalId": "9f2d6a1e-0000-4000-8000-000000000002", "clientId": "9f2d6a1e-0000-4000-8000-000000000003"}}
	}
	return out
}

// sortedKeys returns a map's keys in order, for deterministic output.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Resources returns a copy of the list of a subscription's resources.
func (t *Tenant) Resources(subscriptionID string) []map[string]any {
	s := t.subscription(subscriptionID)
	if s == nil {
		return nil
	}
	return t.resourcesOf(s, "")
}
