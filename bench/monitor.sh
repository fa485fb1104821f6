#!/bin/sh
# Monitor benchmarks (docs/performance.md): 100 targets x 1,000 API Management services
# rescanned, in memory and through armsim; CPU per scan and store growth.
# Usage: bench/monitor.sh [SCANS] (default 1000 in memory; armsim runs SCANS/5).
set -eu
cd "$(dirname "$0")/.."
n=${1:-1000}
go test ./internal/monitor/ -run '^$' -bench 'BenchmarkRescan100Targets1000Resources' -benchtime "${n}x" -count 1
go test ./internal/monitor/ -run '^$' -bench 'BenchmarkRescanArmsim100Targets1000Resources' -benchtime "$((n / 5))x" -count 1
