#!/usr/bin/env bash
# recheck-analysis.sh — live re-check of the analyses against the installed Go's
# `go tool trace` on FRESH traces.
#
# Usage (from any directory):
#   testdata/recheck-analysis.sh [--all-versions] [--only NAME[,NAME]]
#
# 1. testdata/recheck.sh --go-only --keep writes fresh traces (new runs of the programs
#    of testdata/progs, with the installed Go, or every writer version with
#    --all-versions) into a temp dir laid out like testdata/traces;
# 2. testdata/oracle.sh harvests Go's figures for them (goroutine, task and region pages,
#    MMU plots and worst windows, go tool trace -pprof profiles, group/region profiles),
#    and testdata/oracle-viewer.sh what the trace viewer draws (slices, flow arrows);
# 3. the oracle tests run against that tree (GOTRACE_TRACES_DIR): every goroutine's
#    every column, every profile stack, every task/region figure and every MMU value
#    must equal Go's.
# Exits non-zero if anything differs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$HERE/recheck.sh" --go-only --keep "$@" | tee "$log"
work=$(sed -n 's/^recheck.sh: keeping //p' "$log" | tail -n 1)
if [ -z "$work" ] || [ ! -d "$work/traces" ]; then
	echo "recheck-analysis.sh: could not find the fresh traces (expected a 'keeping DIR' line)" >&2
	exit 1
fi
echo "== harvesting Go's analyses for $work/traces"
TRACES_DIR="$work/traces" "$HERE/oracle.sh"
TRACES_DIR="$work/traces" "$HERE/oracle-viewer.sh"
echo "== comparing"
cd "$REPO"
GOTRACE_TRACES_DIR="$work/traces" cargo test --release \
	--test goroutines_oracle --test profiles_oracle --test tasks_oracle --test mmu_oracle \
	--test timeline_oracle
echo "recheck-analysis.sh: all analyses equal go tool trace's on the fresh traces in $work/traces"
