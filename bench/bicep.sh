#!/bin/sh
# Benchmarks of the Bicep source: parse all baselines, load (parse + evaluate) all valid
# baselines, and load a generated tree of 2,000 Bicep files. Needs ../shared/corpus (or
# LENSIX_CORPUS) for the baseline benchmarks. Usage: bench/bicep.sh [extra go test flags]
set -e
cd "$(dirname "$0")/.."
go test ./internal/source/bicep/ -run '^$' -bench . -benchmem -benchtime 20x -count 3 "$@"
