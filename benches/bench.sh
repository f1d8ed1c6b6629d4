#!/usr/bin/env bash
# Decoder benchmark: gotrace-tui versus Go's own trace reader on the SAME big trace file.
#
#   benches/bench.sh            # from anywhere; writes only under benches/out/ (gitignored)
#
# What it does:
#   1. cargo build --release (the gotrace-tui binary);
#   2. builds the Go helpers benches/gen-big and benches/go-reader into benches/out/bin/;
#   3. writes benches/out/big.trace with gen-big if it does not exist yet (~200 MB, >= 3 generations);
#   4. reads the file once (cat > /dev/null) so that every run is warm-cache;
#   5. runs, alternately, RUNS times each (under /usr/bin/time -v):
#        (a) target/release/gotrace-tui bench benches/out/big.trace
#            = our full ordered decode of every event, nothing printed per event
#              (it prints the event count and the elapsed time);
#        (b) GOMAXPROCS=1 benches/out/bin/go-reader benches/out/big.trace
#            = golang.org/x/exp/trace NewReader + ReadEvent loop with a Kind() switch, one goroutine;
#   6. prints the best wall time, MB/s (10^6 bytes / s), events/s, the max peak RSS, the ratios,
#      the machine and the exact commands, as Markdown ready for docs/performance.md.
#
# `go tool trace` is not measured: -d=parsed on 200 MB is dominated by text formatting, and
# opening the web UI is not scriptable.
#
# Environment overrides:
#   TRACE=path     benchmark this file instead of benches/out/big.trace (nothing is generated)
#   SIZE_MB=200    size given to gen-big when big.trace is missing
#   RUNS=3         runs per reader
#   OURS=path      use this gotrace-tui binary as is (skips cargo build)
#
# Requirements: cargo, go >= 1.26 (go-reader's golang.org/x/exp needs it; gen-big alone builds
# with go >= 1.22), GNU time at /usr/bin/time (Debian/Ubuntu: `apt-get install -y time`; the
# script does that itself when it runs as root with apt-get available), awk.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=benches/out
BIN=$OUT/bin
TRACE=${TRACE:-$OUT/big.trace}
SIZE_MB=${SIZE_MB:-200}
RUNS=${RUNS:-3}
mkdir -p "$BIN"

log() { printf '==> %s\n' "$*" >&2; }

# GNU time (the bash keyword `time` has no peak RSS).
if [[ ! -x /usr/bin/time ]]; then
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
		log "installing GNU time (apt-get install -y time)"
		apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
	else
		echo "bench.sh: /usr/bin/time (GNU time) is missing; install it (e.g. apt-get install -y time)" >&2
		exit 1
	fi
fi

if [[ -n ${OURS:-} ]]; then
	log "using OURS=$OURS (no cargo build)"
else
	log "cargo build --release"
	cargo build --release --quiet
	OURS=target/release/gotrace-tui
fi

log "building the Go helpers into $BIN"
go build -C benches/gen-big -o "$ROOT/$BIN/gen-big" .
go build -C benches/go-reader -o "$ROOT/$BIN/go-reader" .

if [[ ! -s $TRACE ]]; then
	if [[ $TRACE != "$OUT/big.trace" ]]; then
		echo "bench.sh: TRACE=$TRACE does not exist" >&2
		exit 1
	fi
	log "generating $TRACE (gen-big -size-mb $SIZE_MB -min-gens 3)"
	"$BIN/gen-big" -size-mb "$SIZE_MB" -min-gens 3 "$TRACE.tmp"
	mv "$TRACE.tmp" "$TRACE"
fi
SIZE=$(stat -c %s "$TRACE")
LAYOUT=$("$BIN/gen-big" -scan "$TRACE" | sed -n 1p)

log "warm-up read of $TRACE ($SIZE bytes)"
cat "$TRACE" >/dev/null

# run NAME CMD... : one measured run; appends "wall_s rss_kb cpu_pct cpu_s" to $OUT/NAME.runs and
# keeps the program's stdout in $OUT/NAME.stdout.
run() {
	local name=$1
	shift
	local tv=$OUT/$name.time
	if ! /usr/bin/time -v -o "$tv" "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr"; then
		echo "bench.sh: FAILED: $*" >&2
		sed 's/^/    /' "$OUT/$name.stderr" | tail -5 >&2
		return 1
	fi
	awk -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
		/Maximum resident set size/ { rss = $2 }
		/Percent of CPU/ { cpu = $2; sub(/%/, "", cpu) }
		/User time \(seconds\)|System time \(seconds\)/ { t += $2 }
		END { printf "%.2f %d %s %.2f\n", wall, rss, cpu, t }' "$tv" >>"$OUT/$name.runs"
}

rm -f "$OUT/ours.runs" "$OUT/go.runs"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
OURS_OK=1
for i in $(seq "$RUNS"); do
	log "run $i/$RUNS: gotrace-tui bench"
	if [[ $OURS_OK -eq 1 ]]; then
		run ours "$OURS" bench "$TRACE" || OURS_OK=0
	fi
	log "run $i/$RUNS: go-reader (GOMAXPROCS=1)"
	run go env GOMAXPROCS=1 "$BIN/go-reader" "$TRACE"
done

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# best wall, max RSS (KB), CPU% of the best-wall run, least CPU time (user+sys s)
summary() {
	sort -n "$OUT/$1.runs" | awk 'NR == 1 { w = $1; c = $3; t = $4 } $2 > r { r = $2 } $4 < t { t = $4 } END { print w, r, c, t }'
}
read -r GO_WALL GO_RSS GO_CPU GO_CPUS < <(summary go)
GO_EVENTS=$(awk '$1 == "events" { print $2 }' "$OUT/go.stdout")

# Our event count: the largest integer on the first line of `bench` output that mentions "event".
OURS_EVENTS=""
if [[ $OURS_OK -eq 1 ]]; then
	read -r OURS_WALL OURS_RSS OURS_CPU OURS_CPUS < <(summary ours)
	OURS_EVENTS=$(grep -i -m1 'event' "$OUT/ours.stdout" | tr -d ',_' | grep -oE '[0-9]+' | sort -n | tail -1 || true)
	if [[ -z $OURS_EVENTS ]]; then
		log "WARNING: no event count in the output of '$OURS bench' (does the subcommand exist yet?)"
	fi
fi

mbps() { awk -v s="$SIZE" -v w="$1" 'BEGIN { printf "%.1f", s / 1e6 / w }'; }
meps() { awk -v e="$1" -v w="$2" 'BEGIN { if (e == "") print "?"; else printf "%.2f", e / 1e6 / w }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }'; }

GO_MBPS=$(mbps "$GO_WALL")
echo
echo "## Results ($(date -u +%Y-%m-%d), warm page cache, best of $RUNS runs)"
echo
echo "Trace: \`$TRACE\`, $SIZE bytes ($(awk -v s="$SIZE" 'BEGIN { printf "%.1f", s / 1e6 }') MB), $GO_EVENTS events (Go reader count)."
echo "Layout: ${LAYOUT#scan: }"
echo
echo "| Reader | Wall (s) | MB/s | M events/s | Peak RSS (MB) | CPU % | CPU time (s) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
if [[ $OURS_OK -eq 1 ]]; then
	OURS_MBPS=$(mbps "$OURS_WALL")
	echo "| gotrace-tui \`bench\` | $OURS_WALL | $OURS_MBPS | $(meps "$OURS_EVENTS" "$OURS_WALL") | $(mb "$OURS_RSS") | $OURS_CPU | $OURS_CPUS |"
else
	echo "| gotrace-tui \`bench\` | failed | | | | | |"
fi
echo "| Go \`x/exp/trace\`, GOMAXPROCS=1 | $GO_WALL | $GO_MBPS | $(meps "$GO_EVENTS" "$GO_WALL") | $(mb "$GO_RSS") | $GO_CPU | $GO_CPUS |"
echo
if [[ $OURS_OK -eq 1 ]]; then
	awk -v a="$GO_WALL" -v b="$OURS_WALL" -v ra="$OURS_RSS" -v rb="$GO_RSS" 'BEGIN {
		printf "Throughput ratio (gotrace-tui / Go): **%.2f×**. Peak RSS ratio (gotrace-tui / Go): **%.2f×**.\n", a / b, ra / rb }'
	if [[ -n $OURS_EVENTS && $OURS_EVENTS != "$GO_EVENTS" ]]; then
		echo
		echo "**WARNING**: event counts differ: gotrace-tui $OURS_EVENTS, Go $GO_EVENTS."
	fi
	echo
fi
echo "Wall = best run; Peak RSS = max over the runs (MB = 10^6 bytes); CPU % = of the best run (100 = one core);"
echo "CPU time = least user+sys over the runs. Load average before / after: $LOAD_BEFORE / $LOAD_AFTER"
echo "(a CPU % well under 100 for a single-threaded reader means the machine was busy: rerun)."
echo
echo "Per-run wall s, peak RSS KB, CPU %, CPU s:"
echo
[[ $OURS_OK -eq 1 ]] && echo "- gotrace-tui: $(tr '\n' ';' <"$OUT/ours.runs" | sed 's/;$//; s/;/; /g')"
echo "- Go reader:   $(tr '\n' ';' <"$OUT/go.runs" | sed 's/;$//; s/;/; /g')"
echo
echo "Machine: $(nproc) CPUs ($(lscpu | sed -n '1,/^Model name:/s/^Model name:[[:space:]]*//p')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r);"
echo "$(go version | cut -d' ' -f3-4), $(rustc --version | cut -d' ' -f1-2), golang.org/x/exp $(awk '/golang.org\/x\/exp v/ { for (i = 1; i <= NF; i++) if ($i ~ /^v[0-9]/) { print $i; exit } }' benches/go-reader/go.mod)."
echo
echo "Commands (repository root):"
echo
echo '```sh'
echo "cargo build --release"
echo "go build -C benches/gen-big -o \$PWD/$BIN/gen-big . && go build -C benches/go-reader -o \$PWD/$BIN/go-reader ."
echo "$BIN/gen-big -size-mb $SIZE_MB -min-gens 3 $OUT/big.trace   # only if missing"
echo "cat $TRACE > /dev/null                                        # warm the page cache"
echo "/usr/bin/time -v $OURS bench $TRACE"
echo "GOMAXPROCS=1 /usr/bin/time -v $BIN/go-reader $TRACE"
echo '```'
if [[ $OURS_OK -eq 1 ]]; then
	echo
	echo "gotrace-tui \`bench\` output (last run):"
	echo
	sed 's/^/    /' "$OUT/ours.stdout"
fi
[[ $OURS_OK -eq 1 ]] || exit 1
