#!/usr/bin/env bash
# analysis-ratio.sh — issue 3's item 7: every analysis consumer in one pass, against a
# plain ordered decode of the same trace.
#
# Usage (repository root):
#   benches/analysis-ratio.sh [TRACE]        # default benches/out/big.trace
#   RUNS=10 OURS=path/to/gotrace-tui benches/analysis-ratio.sh
#
# Runs `gotrace-tui bench TRACE` and `gotrace-tui bench --analysis TRACE` back to back,
# RUNS times, so that both see the same load on a shared machine, and prints each pair's
# ratio (analysis wall / decode wall), then the min / median / max ratio and the largest
# peak RSS of the analysis runs, next to the file size. The targets: ratio <= 2, peak RSS
# <= 50 % of the file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TRACE=${1:-benches/out/big.trace}
RUNS=${RUNS:-7}
OURS=${OURS:-target/release/gotrace-tui}
if [[ -z ${OURS_BUILT:-} && $OURS == target/release/gotrace-tui ]]; then
	cargo build --release --quiet
fi
if [[ ! -f $TRACE ]]; then
	echo "analysis-ratio.sh: no $TRACE (benches/bench.sh generates benches/out/big.trace)" >&2
	exit 1
fi
cat "$TRACE" >/dev/null # warm the page cache

field() { awk -v k="$1" '$0 ~ "^" k { print $(NF - ($NF == "MiB")) }'; }
ratios=()
rss_max=0
for i in $(seq "$RUNS"); do
	d=$("$OURS" bench "$TRACE" | field seconds)
	out=$("$OURS" bench --analysis "$TRACE")
	a=$(field seconds <<<"$out")
	rss=$(field "peak RSS" <<<"$out")
	r=$(awk -v a="$a" -v d="$d" 'BEGIN { printf "%.2f", a / d }')
	ratios+=("$r")
	rss_max=$(awk -v a="$rss" -v b="$rss_max" 'BEGIN { print (a > b) ? a : b }')
	echo "run $i/$RUNS: decode $d s, analysis $a s, ratio $r, peak RSS $rss MiB"
done
size=$(stat -c %s "$TRACE")
printf '%s\n' "${ratios[@]}" | sort -n | awk -v n="$RUNS" -v rss="$rss_max" -v size="$size" '
	{ r[NR] = $1 }
	END {
		med = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
		printf "ratio min %.2f, median %.2f, max %.2f (target <= 2)\n", r[1], med, r[n]
		printf "peak RSS %.1f MiB = %.0f %% of the %.1f MB file (target <= 50 %%)\n",
			rss, rss * 1048576 / size * 100, size / 1e6
	}'
