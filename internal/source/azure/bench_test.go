package azure_test

import (
	"context"
	"testing"
	"time"

	"github.com/lensix/lensix/internal/armsim"
	"github.com/lensix/lensix/internal/source/azure"
)

// BenchmarkLiveScan scans a tenant of 1,000 subscriptions and 10,000 API Management services
// served by armsim with 20 ms of latency on every request, through Resource Graph and through the
// per-subscription fallback. It reports the wall time per scan and the requests to inventory
// APIs (subscriptions list, Resource Graph, API Management lists) per scan.
//
//	go test ./internal/source/azure -run '^$' -bench LiveScan -benchtime 3x
func BenchmarkLiveScan(b *testing.B) {
	tenant := armsim.Generate(armsim.GenerateOptions{Subscriptions: 1000, Services: 10000, WithoutIdentity: 0.3, Seed: 1})
	for _, mode := range modes {
		b.Run(mode.name, func(b *testing.B) {
			srv, err := armsim.Start(tenant, armsim.Faults{Latency: 20 * time.Millisecond})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			t := &testing.T{}
			opts := simOptions(t, srv, armsim.ClientSecret)
			opts.NoResourceGraph = mode.noResourceGraph
			before := srv.Stats().Inventory()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				inv, ds, err := azure.Scan(context.Background(), opts)
				if err != nil || len(ds) != 0 || len(inv.Resources) != 10000 {
					b.Fatalf("scan: %v, %v, %d resources", err, ds, len(inv.Resources))
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(srv.Stats().Inventory()-before)/float64(b.N), "inventory-requests/op")
		})
	}
}
