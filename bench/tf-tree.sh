#!/usr/bin/env bash
# Times a Terraform scan of the shared synthetic tree: 5,000 .tf files in 100 module dirs
# (gen_tf_tree.py), and reports wall time and peak RSS from /usr/bin/time -v.
#
#   bench/tf-tree.sh [MODULES FILES]
#
# It times `lensix scan` when cmd/lensix builds and has a scan command; until then it times the
# loader alone through BenchmarkLoadTree (one Load per run). If trivy or tfsec are on PATH (or
# TRIVY / TFSEC name them), it times `trivy config` and `tfsec` on the same tree for comparison.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
modules=${1:-100}
files=${2:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

gen="$root/../shared/bench/gen_tf_tree.py"
[ -f "$gen" ] || { echo "missing $gen (the shared bench generator)" >&2; exit 1; }
python3 "$gen" "$work/tree" "$modules" "$files"

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -v "$@" >"$work/out.txt" 2>"$work/time.txt" || true
  local wall rss cpu_u cpu_s
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
  cpu_u=$(sed -n 's/.*User time (seconds): //p' "$work/time.txt")
  cpu_s=$(sed -n 's/.*System time (seconds): //p' "$work/time.txt")
  printf '%-28s wall %-9s user %-6ss sys %-6ss peak RSS %s MiB\n' "$name" "$wall" "$cpu_u" "$cpu_s" "$((rss / 1024))"
}

cd "$root"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if go build -o "$work/lensix" ./cmd/lensix 2>/dev/null && "$work/lensix" scan --help >/dev/null 2>&1; then
  measure "lensix scan" "$work/lensix" scan "$work/tree"
else
  go test -c -o "$work/terraform.test" ./internal/source/terraform
  # -benchtime 1x times one Load of the tree generated above.
  LENSIX_TF_TREE="$work/tree" measure "terraform.Load (1 run)" "$work/terraform.test" -test.run '^$' -test.bench BenchmarkLoadTree -test.benchtime 1x
  grep Benchmark "$work/out.txt" || true
fi

trivy=${TRIVY:-$(command -v trivy || true)}
tfsec=${TFSEC:-$(command -v tfsec || true)}
if [ -n "$trivy" ]; then
  measure "trivy config" "$trivy" config --quiet --skip-check-update --cache-dir "$work/trivy-cache" "$work/tree"
fi
if [ -n "$tfsec" ]; then
  measure "tfsec" "$tfsec" --no-colour --soft-fail "$work/tree"
fi
