package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"
)

// Resource Graph's documented limits.
const (
	graphBatchSize = 1000 // subscriptions per query
	graphPageSize  = 1000 // rows per page
)

// graphColumns are the columns lensix reads: the ARM envelope and properties, as the resources
// table holds them.
const graphColumns = "id, name, type, tenantId, kind, location, resourceGroup, subscriptionId, managedBy, sku, plan, tags, identity, zones, extendedLocation, properties"

// GraphQuery is the Resource Graph query for resources of types, in resourceGroups when given.
func GraphQuery(types, resourceGroups []string) string {
	var b strings.Builder
	b.WriteString("resources\n| where type in~ (" + kqlList(types) + ")")
	if len(resourceGroups) > 0 {
		b.WriteString("\n| where resourceGroup in~ (" + kqlList(resourceGroups) + ")")
	}
	b.WriteString("\n| project " + graphColumns)
	return b.String()
}

// coverageQuery lists the subscriptions Resource Graph can read, since it leaves out those it
// cannot without saying so.
const coverageQuery = "resourcecontainers\n| where type =~ 'microsoft.resources/subscriptions'\n| project subscriptionId"

func kqlList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(strings.ToLower(v)) + "'"
	}
	return strings.Join(quoted, ", ")
}

// graphScan reads the inventory through Resource Graph: one query for every type, over batches
// of at most 1,000 subscriptions (or the management groups), each paged by $skipToken. A batch
// Resource Graph cannot answer is read through Resource Manager instead.
func (s *scanner) graphScan(ctx context.Context, subs, managementGroups []string) {
	client, err := armresourcegraph.NewClient(s.opts.Credential, s.armOpts)
	if err != nil {
		s.scopeError("", "cannot create the Resource Graph client: "+err.Error())
		return
	}
	query := GraphQuery(s.opts.ResourceTypes, s.opts.ResourceGroups)
	if managementGroups != nil {
		if err := s.graphPages(ctx, client, query, nil, managementGroups); err != nil && ctx.Err() == nil {
			s.scopeError("", fmt.Sprintf("Resource Graph could not read management group(s) %s: %s", strings.Join(managementGroups, ", "), reason(err)))
		}
		return
	}
	var wg sync.WaitGroup
	for start := 0; start < len(subs); start += graphBatchSize {
		batch := subs[start:min(start+graphBatchSize, len(subs))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.sem <- struct{}{}
			defer func() { <-s.sem }()
			s.graphBatch(ctx, client, query, batch)
		}()
	}
	wg.Wait()
}

func (s *scanner) graphBatch(ctx context.Context, client *armresourcegraph.Client, query string, batch []string) {
	var covered map[string]bool
	var coverageErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		covered, coverageErr = s.coverage(ctx, client, batch)
	}()
	err := s.graphPages(ctx, client, query, batch, nil)
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	switch {
	case err != nil && isNoValidSubscriptions(err):
		for _, sub := range batch {
			s.scopeError(sub, "Resource Graph cannot read this subscription (the identity has no read access to it)")
		}
	case err != nil:
		s.warn(fmt.Sprintf("Resource Graph failed for %d subscription(s) (%s); reading them through Resource Manager instead", len(batch), reason(err)))
		s.armScan(ctx, batch)
		return
	case coverageErr != nil:
		s.warn("could not ask Resource Graph which subscriptions it can read (" + reason(coverageErr) + "); subscriptions it cannot read would be missing without an error")
	default:
		for _, sub := range batch {
			if !covered[strings.ToLower(sub)] {
				s.scopeError(sub, "Resource Graph returned nothing for this subscription: the identity cannot read it (no Reader role, or a deny assignment)")
			}
		}
	}
	s.subscriptionsDone(len(batch))
}

// graphPages runs query over one scope and adds every page's rows.
func (s *scanner) graphPages(ctx context.Context, client *armresourcegraph.Client, query string, subs, managementGroups []string) error {
	req := armresourcegraph.QueryRequest{
		Query:            &query,
		Subscriptions:    ptrs(subs),
		ManagementGroups: ptrs(managementGroups),
		Options: &armresourcegraph.QueryRequestOptions{
			ResultFormat: ptr(armresourcegraph.ResultFormatObjectArray),
			Top:          ptr(int32(graphPageSize)),
		},
	}
	for {
		resp, err := client.Resources(ctx, req, nil)
		if err != nil {
			return err
		}
		rows, _ := resp.Data.([]any)
		bodies := make([]map[string]any, 0, len(rows))
		for _, row := range rows {
			if m, ok := row.(map[string]any); ok {
				bodies = append(bodies, m)
			}
		}
		s.add(bodies, "")
		if resp.SkipToken == nil || *resp.SkipToken == "" {
			return nil
		}
		req.Options.SkipToken = resp.SkipToken
	}
}

// coverage returns the subscriptions of batch that Resource Graph can read, by lowercase ID.
func (s *scanner) coverage(ctx context.Context, client *armresourcegraph.Client, batch []string) (map[string]bool, error) {
	q := coverageQuery
	req := armresourcegraph.QueryRequest{
		Query:         &q,
		Subscriptions: ptrs(batch),
		Options:       &armresourcegraph.QueryRequestOptions{ResultFormat: ptr(armresourcegraph.ResultFormatObjectArray), Top: ptr(int32(graphPageSize))},
	}
	covered := map[string]bool{}
	for {
		resp, err := client.Resources(ctx, req, nil)
		if err != nil {
			if isNoValidSubscriptions(err) {
				return covered, nil
			}
			return nil, err
		}
		rows, _ := resp.Data.([]any)
		for _, row := range rows {
			m, _ := row.(map[string]any)
			if id, ok := m["subscriptionId"].(string); ok {
				covered[strings.ToLower(id)] = true
			}
		}
		if resp.SkipToken == nil || *resp.SkipToken == "" {
			return covered, nil
		}
		req.Options.SkipToken = resp.SkipToken
	}
}

// isNoValidSubscriptions recognises Resource Graph's answer when it can read none of the
// subscriptions asked about.
func isNoValidSubscriptions(err error) bool {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	if re.StatusCode == http.StatusForbidden {
		return true
	}
	return re.StatusCode == http.StatusBadRequest && strings.Contains(reason(err)+re.Error(), "NoValidSubscriptions")
}

func ptr[T any](v T) *T { return &v }

func ptrs(values []string) []*string {
	if values == nil {
		return nil
	}
	out := make([]*string, len(values))
	for i := range values {
		out[i] = &values[i]
	}
	return out
}
