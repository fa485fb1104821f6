package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/apimanagement/armapimanagement/v3"
)

// armListable are the types the Resource Manager path can list, one subscription at a time.
var armListable = map[string]bool{"microsoft.apimanagement/service": true}

// armScan lists resources through Resource Manager, subscription by subscription, at most
// Concurrency at once. Each resource's body is the JSON Resource Manager returned, unchanged.
func (s *scanner) armScan(ctx context.Context, subs []string) {
	listable := false
	for _, t := range s.opts.ResourceTypes {
		if armListable[strings.ToLower(t)] {
			listable = true
		} else {
			s.warn(fmt.Sprintf("without Resource Graph lensix cannot list resources of type %s; they were not read", t))
		}
	}
	if !listable {
		s.subscriptionsDone(len(subs))
		return
	}
	var wg sync.WaitGroup
	for _, sub := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.sem <- struct{}{}
			defer func() { <-s.sem }()
			if ctx.Err() != nil {
				return
			}
			if err := s.listServices(ctx, sub); err != nil && ctx.Err() == nil {
				s.scopeError(sub, "cannot list API Management services: "+reason(err))
			}
			s.subscriptionsDone(1)
		}()
	}
	wg.Wait()
}

// listServices reads one subscription's API Management services, in the resource groups asked
// for, keeping the raw response bodies rather than the SDK's typed models.
func (s *scanner) listServices(ctx context.Context, subscriptionID string) error {
	client, err := armapimanagement.NewServiceClient(subscriptionID, s.opts.Credential, s.armOpts)
	if err != nil {
		return err
	}
	var pagers []func(ctx context.Context) (bool, error)
	if len(s.opts.ResourceGroups) == 0 {
		p := client.NewListPager(nil)
		pagers = append(pagers, func(ctx context.Context) (bool, error) {
			if !p.More() {
				return false, nil
			}
			_, err := p.NextPage(ctx)
			return true, err
		})
	}
	for _, rg := range s.opts.ResourceGroups {
		p := client.NewListByResourceGroupPager(rg, nil)
		pagers = append(pagers, func(ctx context.Context) (bool, error) {
			if !p.More() {
				return false, nil
			}
			_, err := p.NextPage(ctx)
			if isResourceGroupNotFound(err) {
				return false, nil // the group is simply not in this subscription
			}
			return true, err
		})
	}
	for _, next := range pagers {
		for {
			var raw *http.Response
			more, err := next(policy.WithCaptureResponse(ctx, &raw))
			if err != nil {
				return err
			}
			if !more {
				break
			}
			if raw == nil {
				return errors.New("no response captured")
			}
			body, err := runtime.Payload(raw)
			if err != nil {
				return err
			}
			var page struct {
				Value []map[string]any `json:"value"`
			}
			if err := json.Unmarshal(body, &page); err != nil {
				return fmt.Errorf("read list response: %w", err)
			}
			s.add(page.Value, "")
		}
	}
	return nil
}

func isResourceGroupNotFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound && strings.EqualFold(re.ErrorCode, "ResourceGroupNotFound")
}
