#!/usr/bin/env bash
# regen.sh — rebuild the committed Go execution traces and their goldens.
#
# Usage (from any directory):
#   testdata/regen.sh                  write every trace with every writer toolchain,
#                                      then regenerate all goldens
#   testdata/regen.sh --goldens-only   only regenerate the goldens of the committed traces
#   testdata/regen.sh --check          only check that the committed traces hold their
#                                      scenario's intended events (writes nothing)
#   options (both modes):
#     --only NAME[,NAME...]            restrict to these scenarios (see scenarios.sh)
#     --versions 122,126               restrict to these writer dirs (go122 ... go126)
#
# Traces:  testdata/traces/go1NN/<name>.trace, written by running
#          testdata/progs/<name> (built with -trimpath) with Go 1.NN; the
#          toolchain list and per-scenario settings are in testdata/scenarios.sh.
#          Go 1.26 is the installed go (GOTOOLCHAIN=local); older ones are fetched
#          by the go command from the module proxy (GOTOOLCHAIN=go1.NN.P).
#          A run whose trace lacks the scenario's expected events (see
#          scenarios.sh), or is over 400 KB, is retried (5 runs at most; the best
#          is kept); if the kept trace still lacks them a WARNING is printed (not
#          fatal).
# Goldens: always made by the installed Go 1.26 `go tool trace`, with TZ=UTC:
#          <name>.parsed.gz     stdout of -d=parsed, gzip -n -9
#          <name>.wire.gz       stdout of -d=wire,   gzip -n -9
#          <name>.footprint     stdout of -d=footprint
#          <name>.<mode>.err    only when that mode exits non-zero: a first line
#                               "exit status N", then its stderr
# Also writes testdata/traces/versions.txt (exact `go version` of each writer
# and of the golden tool).
# At the end prints all sizes; fails if any trace is over 2 MB or
# testdata/traces as a whole (file bytes) is over 20 MB.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROGS=$HERE/progs
TRACES=$HERE/traces
# shellcheck source=scenarios.sh
source "$HERE/scenarios.sh"

MAX_TRACE=$((2 * 1024 * 1024))
MAX_TOTAL=$((20 * 1024 * 1024))
SOFT_MAX=$((400 * 1024)) # a run writing more than this is retried (see write_one)

goldens_only=0
check_only=0
only=""
versions=""
while [ $# -gt 0 ]; do
	case "$1" in
	--goldens-only) goldens_only=1 ;;
	--check) check_only=1 ;;
	--only) only=$2; shift ;;
	--only=*) only=${1#--only=} ;;
	--versions) versions=$2; shift ;;
	--versions=*) versions=${1#--versions=} ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "regen.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done

in_list() { # in_list ITEM "a,b,c" (empty list = everything)
	[ -z "$2" ] && return 0
	case ",$2," in *",$1,"*) return 0 ;; esac
	return 1
}

# The golden tool: the installed Go, which must be 1.26.x.
go126() { GOTOOLCHAIN=local go "$@"; }
GOLDEN_GO_VERSION=$(go126 version)
case "$GOLDEN_GO_VERSION" in
*" go1.26"*) ;;
*) echo "regen.sh: the installed go must be Go 1.26.x for the goldens, got: $GOLDEN_GO_VERSION" >&2; exit 1 ;;
esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gotrace-regen.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# golden_one TRACE: writes the goldens next to TRACE.
golden_one() {
	local t=$1 base=${1%.trace} mode rc
	for mode in parsed wire footprint; do
		rc=0
		TZ=UTC go126 tool trace -d=$mode "$t" >"$WORK/out" 2>"$WORK/err" || rc=$?
		case $mode in
		footprint) cp "$WORK/out" "$base.footprint" ;;
		*) gzip -n -9 <"$WORK/out" >"$base.$mode.gz" ;;
		esac
		if [ "$rc" -ne 0 ]; then
			{ echo "exit status $rc"; cat "$WORK/err"; } >"$base.$mode.err"
			echo "  note: go tool trace -d=$mode $(basename "$t") exited $rc" >&2
		else
			rm -f "$base.$mode.err"
		fi
	done
}

regen_goldens() {
	local dir t name n=0
	for dir in "$TRACES"/go1*; do
		[ -d "$dir" ] || continue
		in_list "${dir##*/go}" "$versions" || continue
		for t in "$dir"/*.trace; do
			[ -e "$t" ] || continue
			name=$(basename "$t" .trace)
			in_list "$name" "$only" || continue
			golden_one "$t"
			n=$((n + 1))
		done
	done
	echo "goldens: regenerated for $n traces with $GOLDEN_GO_VERSION"
}

warnings=()

# write_one VER GOTOOLCHAIN SCENARIO-LINE
write_one() {
	local ver=$1 tc=$2 line=$3 name minv cgo godebug exp out bin attempt missing best_missing=""
	name=$(scenario_field "$line" 1)
	minv=$(scenario_field "$line" 2)
	cgo=$(scenario_field "$line" 3)
	godebug=$(scenario_field "$line" 4)
	[ "$godebug" = "-" ] && godebug=""
	exp=$(scenario_expect "$line")
	out=$TRACES/go$ver/$name.trace
	rm -f "$TRACES/go$ver/$name".*
	if [ "${ver#1}" -lt "$minv" ]; then
		echo "  go$ver/$name: skipped (needs Go 1.$minv+)"
		return 0
	fi
	bin=$WORK/bin/go$ver/$name
	mkdir -p "$(dirname "$bin")"
	(cd "$PROGS" && GOTOOLCHAIN=$tc CGO_ENABLED=$cgo GOFLAGS=-buildvcs=false go build -trimpath -o "$bin" "./$name")
	# Up to 5 runs: take the first whose trace has the expected events and is
	# at most SOFT_MAX bytes; otherwise the best run (expected events first,
	# then smallest).
	local cand=$WORK/attempt.trace best_score="" score size
	for attempt in 1 2 3 4 5; do
		(cd "$WORK" && env GODEBUG="$godebug" timeout 120 "$bin" "$cand" >/dev/null)
		TZ=UTC go126 tool trace -d=wire "$cand" >"$WORK/wire" 2>/dev/null || true
		TZ=UTC go126 tool trace -d=parsed "$cand" >"$WORK/parsed" 2>/dev/null || true
		"$BATCHES" "$cand" >"$WORK/batches" 2>/dev/null || true
		# shellcheck disable=SC2086
		missing=$(check_expect "$WORK/wire" "$WORK/parsed" "$WORK/batches" $exp | tr '\n' ' ')
		size=$(stat -c %s "$cand")
		# score: 0/1 for missing events, then the size (smaller is better)
		score=$(printf '%d%012d' "$([ -z "$missing" ] && echo 0 || echo 1)" "$size")
		if [ -z "$best_score" ] || [[ "$score" < "$best_score" ]]; then
			best_score=$score
			cp "$cand" "$out"
			best_missing=$missing
		fi
		if [ -z "$missing" ] && [ "$size" -le "$SOFT_MAX" ]; then
			break
		fi
		echo "  go$ver/$name: run $attempt: ${missing:+lacks: $missing }$size bytes" >&2
	done
	rm -f "$cand"
	if [ -n "$best_missing" ]; then
		warnings+=("go$ver/$name lacks: $best_missing")
	fi
	printf '  go%s/%-12s %8d bytes%s\n' "$ver" "$name" "$(stat -c %s "$out")" "${godebug:+  (GODEBUG=$godebug)}"
}

BATCHES=$WORK/bin/batches
build_batches() {
	mkdir -p "$WORK/bin"
	(cd "$PROGS" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -o "$BATCHES" ./tools/batches)
}

# check_committed: report, per committed trace, whether it holds its
# scenario's intended events. Returns non-zero if any does not (or is missing).
check_committed() {
	local entry ver line name minv exp t missing bad=0
	build_batches
	for entry in "${TOOLCHAINS[@]}"; do
		ver=${entry%% *}
		in_list "$ver" "$versions" || continue
		for line in "${SCENARIOS[@]}"; do
			name=$(scenario_field "$line" 1)
			minv=$(scenario_field "$line" 2)
			in_list "$name" "$only" || continue
			[ "${ver#1}" -lt "$minv" ] && continue
			t=$TRACES/go$ver/$name.trace
			if [ ! -e "$t" ]; then
				printf 'MISSING  go%s/%s\n' "$ver" "$name"
				bad=1
				continue
			fi
			exp=$(scenario_expect "$line")
			TZ=UTC go126 tool trace -d=wire "$t" >"$WORK/wire" 2>/dev/null || true
			TZ=UTC go126 tool trace -d=parsed "$t" >"$WORK/parsed" 2>/dev/null || true
			"$BATCHES" "$t" >"$WORK/batches" 2>/dev/null || true
			# shellcheck disable=SC2086
			missing=$(check_expect "$WORK/wire" "$WORK/parsed" "$WORK/batches" $exp | tr '\n' ' ')
			if [ -z "$missing" ]; then
				printf 'OK       go%s/%-12s %s\n' "$ver" "$name" "$exp"
			else
				printf 'LACKS    go%s/%-12s %s\n' "$ver" "$name" "$missing"
				bad=1
			fi
		done
	done
	return $bad
}

regen_traces() {
	local entry ver tc line gv
	build_batches
	mkdir -p "$TRACES"
	local vfile=$TRACES/versions.txt
	for entry in "${TOOLCHAINS[@]}"; do
		ver=${entry%% *}
		tc=${entry#* }
		in_list "$ver" "$versions" || continue
		gv=$(cd "$PROGS" && GOTOOLCHAIN=$tc go version)
		case "$gv" in
		*" go1.${ver#1}"*) ;;
		*) echo "regen.sh: GOTOOLCHAIN=$tc gives '$gv', expected Go 1.${ver#1}" >&2; exit 1 ;;
		esac
		echo "== go$ver: $gv"
		mkdir -p "$TRACES/go$ver"
		for line in "${SCENARIOS[@]}"; do
			in_list "$(scenario_field "$line" 1)" "$only" || continue
			write_one "$ver" "$tc" "$line"
		done
		# Record the writer version (keep the other lines).
		touch "$vfile"
		grep -v "^go$ver " "$vfile" >"$WORK/v" || true
		echo "go$ver $gv" >>"$WORK/v"
		sort "$WORK/v" >"$vfile"
	done
}

record_golden_version() {
	local vfile=$TRACES/versions.txt
	touch "$vfile"
	grep -v "^goldens " "$vfile" >"$WORK/v" || true
	echo "goldens $GOLDEN_GO_VERSION" >>"$WORK/v"
	sort "$WORK/v" >"$vfile"
}

report_sizes() {
	local t s fail=0 total
	echo "== sizes"
	for t in "$TRACES"/go1*/*.trace; do
		[ -e "$t" ] || continue
		s=$(stat -c %s "$t")
		printf '%9d  %s\n' "$s" "${t#"$HERE"/}"
		if [ "$s" -gt "$MAX_TRACE" ]; then
			echo "regen.sh: ${t#"$HERE"/} is over 2 MB ($s bytes)" >&2
			fail=1
		fi
	done
	# File contents only: directories of the many small golden files are not payload.
	total=$(find "$TRACES" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
	echo "total testdata/traces (traces + goldens, file bytes): $total bytes"
	du -sb "$TRACES"/go1* | sed "s|$HERE/||"
	if [ "$total" -gt "$MAX_TOTAL" ]; then
		echo "regen.sh: testdata/traces is over 20 MB ($total bytes)" >&2
		fail=1
	fi
	return $fail
}

if [ "$check_only" -eq 1 ]; then
	check_committed
	exit
fi
if [ "$goldens_only" -eq 0 ]; then
	regen_traces
fi
regen_goldens
record_golden_version
if [ ${#warnings[@]} -gt 0 ]; then
	echo "== WARNING: traces without their intended events:"
	printf '  %s\n' "${warnings[@]}"
fi
report_sizes
