#!/bin/sh
# Monitor benchmark: 100 targets x 1,000 API Management services, rescanned; CPU per scan and
# store growth (see docs/perf-monitor.md). Usage: bench/monitor.sh [SCANS] (default 1000).
set -eu
cd "$(dirname "$0")/.."
go test ./internal/monitor/ -run '^$' -bench 'Rescan100Targets1000Resources' -benchtime "${1:-1000}x" -count 1
