#!/bin/sh
# Live-scan benchmark: armsim with 20 ms latency serving 1,000 subscriptions and 10,000 API
# Management services, scanned through Resource Graph and through the per-subscription fallback.
# Reports ns/op (wall time of one scan) and inventory-requests/op (HTTP requests to the
# subscriptions, Resource Graph and API Management list APIs).
set -eu
cd "$(dirname "$0")/.."
exec go test ./internal/source/azure -run '^$' -bench LiveScan -benchtime "${BENCHTIME:-3x}" "$@"
