#!/usr/bin/env bash
# recheck.sh — live differential check of gotrace-tui against Go's own tool on
# FRESH traces.
#
# Usage (from any directory):
#   testdata/recheck.sh [options]
#     --all-versions      also write traces with the older writer toolchains
#                         (Go 1.22..1.25 via GOTOOLCHAIN, see scenarios.sh);
#                         default: only the installed Go (1.26)
#     --committed         do not write fresh traces: check the committed
#                         testdata/traces/go1NN/*.trace (against fresh Go output;
#                         a NOTE is printed if a committed golden differs from it)
#     --only NAME[,NAME]  restrict to these scenarios
#     --bin PATH          use this gotrace-tui binary (default: build it with
#                         `cargo build --release` and use target/release/gotrace-tui)
#     --go-only           only write the traces and Go's outputs (and check the
#                         scenarios' intended events); do not run gotrace-tui
#     --keep              keep the temp dir with every trace and output
#
# For each trace T (written in a temp dir by a new run of testdata/progs/<name>,
# with the same GODEBUG settings as regen.sh), with TZ=UTC:
#   go tool trace -d=parsed T     vs  gotrace-tui dump T
#       stdout byte for byte; ours exits non-zero iff Go's did
#   go tool trace -d=wire T       vs  gotrace-tui dump --wire T
#       stdout byte for byte; ours exits non-zero iff Go's did
#   go tool trace -d=footprint T  vs  gotrace-tui stats T
#       the first N lines of ours (N = lines of Go's output) equal Go's output,
#       and line N+1 (if any) is blank (stats prints the footprint table, a
#       blank line, then a summary); ours exits non-zero iff Go's did
# Prints PASS/FAIL per trace (and a diff excerpt for failures); exits 1 if any
# trace fails. Missing intended events (a flaky run) are reported as NOTE only.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PROGS=$HERE/progs
# shellcheck source=scenarios.sh
source "$HERE/scenarios.sh"

all_versions=0
committed=0
only=""
bin=""
go_only=0
keep=0
while [ $# -gt 0 ]; do
	case "$1" in
	--all-versions) all_versions=1 ;;
	--committed) committed=1 ;;
	--only) only=$2; shift ;;
	--only=*) only=${1#--only=} ;;
	--bin) bin=$2; shift ;;
	--bin=*) bin=${1#--bin=} ;;
	--go-only) go_only=1 ;;
	--keep) keep=1 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "recheck.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done

in_list() { # in_list ITEM "a,b,c" (empty list = everything)
	[ -z "$2" ] && return 0
	case ",$2," in *",$1,"*) return 0 ;; esac
	return 1
}

go126() { GOTOOLCHAIN=local go "$@"; }
GO_VERSION=$(go126 version)
case "$GO_VERSION" in
*" go1.26"*) ;;
*) echo "recheck.sh: note: the installed go is not Go 1.26.x: $GO_VERSION" >&2 ;;
esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gotrace-recheck.XXXXXX")
if [ "$keep" -eq 1 ]; then
	echo "recheck.sh: keeping $WORK"
else
	trap 'rm -rf "$WORK"' EXIT
fi

# Our binary.
if [ "$go_only" -eq 0 ]; then
	if [ -z "$bin" ]; then
		echo "== cargo build --release"
		(cd "$REPO" && cargo build --release)
		bin=$REPO/target/release/gotrace-tui
	fi
	if [ ! -x "$bin" ]; then
		echo "recheck.sh: no gotrace-tui binary at $bin" >&2
		exit 1
	fi
	bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
fi

BATCHES=$WORK/bin/batches
mkdir -p "$WORK/bin"
(cd "$PROGS" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -o "$BATCHES" ./tools/batches)

pass=0
fail=0
failed=()

# excerpt GOFILE OURFILE: the first lines of a unified diff.
excerpt() {
	diff -u --label go --label gotrace-tui "$1" "$2" | head -n 20 | sed 's/^/      /' || true
}

# nz RC -> "0" or "non-zero"
nz() { if [ "$1" -eq 0 ]; then echo 0; else echo "non-zero($1)"; fi; }

# check_trace LABEL TRACE EXPECTATIONS...
check_trace() {
	local label=$1 t=$2 d mode rc grc problems=() missing n
	shift 2
	d=$WORK/out/$label
	mkdir -p "$d"
	for mode in parsed wire footprint; do
		grc=0
		TZ=UTC go126 tool trace -d=$mode "$t" >"$d/go.$mode" 2>"$d/go.$mode.stderr" || grc=$?
		echo "$grc" >"$d/go.$mode.rc"
	done
	"$BATCHES" "$t" >"$d/batches" 2>/dev/null || true
	# shellcheck disable=SC2068
	missing=$(check_expect "$d/go.wire" "$d/go.parsed" "$d/batches" $@ | tr '\n' ' ')
	[ -n "$missing" ] && echo "NOTE $label lacks its intended events: $missing"
	if [ "$committed" -eq 1 ]; then # do the committed goldens still match this Go?
		local base=${t%.trace} g
		for mode in parsed wire footprint; do
			if [ "$mode" = footprint ]; then g=$base.footprint; else g=$base.$mode.gz; fi
			[ -e "$g" ] || { echo "NOTE $label: no committed golden $(basename "$g")"; continue; }
			if [ "$mode" = footprint ]; then cat "$g"; else gzip -dc "$g"; fi | cmp -s - "$d/go.$mode" ||
				echo "NOTE $label: committed $(basename "$g") differs from this Go's -d=$mode output"
		done
	fi

	if [ "$go_only" -eq 1 ]; then
		printf 'GO   %-22s parsed=%s wire=%s footprint=%s (%d bytes)\n' "$label" \
			"$(cat "$d/go.parsed.rc")" "$(cat "$d/go.wire.rc")" "$(cat "$d/go.footprint.rc")" "$(stat -c %s "$t")"
		return 0
	fi

	# dump vs -d=parsed
	rc=0
	TZ=UTC timeout 600 "$bin" dump "$t" >"$d/ours.parsed" 2>"$d/ours.parsed.stderr" || rc=$?
	grc=$(cat "$d/go.parsed.rc")
	if ! cmp -s "$d/go.parsed" "$d/ours.parsed"; then
		problems+=("dump stdout differs from -d=parsed:" "$(excerpt "$d/go.parsed" "$d/ours.parsed")")
	fi
	if { [ "$rc" -eq 0 ] && [ "$grc" -ne 0 ]; } || { [ "$rc" -ne 0 ] && [ "$grc" -eq 0 ]; }; then
		problems+=("dump exit $(nz "$rc"), go -d=parsed exit $(nz "$grc"); our stderr: $(head -c 300 "$d/ours.parsed.stderr")")
	fi

	# dump --wire vs -d=wire
	rc=0
	TZ=UTC timeout 600 "$bin" dump --wire "$t" >"$d/ours.wire" 2>"$d/ours.wire.stderr" || rc=$?
	grc=$(cat "$d/go.wire.rc")
	if ! cmp -s "$d/go.wire" "$d/ours.wire"; then
		problems+=("dump --wire stdout differs from -d=wire:" "$(excerpt "$d/go.wire" "$d/ours.wire")")
	fi
	if { [ "$rc" -eq 0 ] && [ "$grc" -ne 0 ]; } || { [ "$rc" -ne 0 ] && [ "$grc" -eq 0 ]; }; then
		problems+=("dump --wire exit $(nz "$rc"), go -d=wire exit $(nz "$grc"); our stderr: $(head -c 300 "$d/ours.wire.stderr")")
	fi

	# stats vs -d=footprint
	rc=0
	TZ=UTC timeout 600 "$bin" stats "$t" >"$d/ours.stats" 2>"$d/ours.stats.stderr" || rc=$?
	grc=$(cat "$d/go.footprint.rc")
	n=$(wc -l <"$d/go.footprint")
	head -n "$n" "$d/ours.stats" >"$d/ours.footprint"
	if ! cmp -s "$d/go.footprint" "$d/ours.footprint"; then
		problems+=("stats: first $n lines differ from -d=footprint:" "$(excerpt "$d/go.footprint" "$d/ours.footprint")")
	elif [ "$(wc -l <"$d/ours.stats")" -gt "$n" ] && [ -n "$(sed -n "$((n + 1))p" "$d/ours.stats")" ]; then
		problems+=("stats: line $((n + 1)) (after the footprint table) is not blank")
	fi
	if { [ "$rc" -eq 0 ] && [ "$grc" -ne 0 ]; } || { [ "$rc" -ne 0 ] && [ "$grc" -eq 0 ]; }; then
		problems+=("stats exit $(nz "$rc"), go -d=footprint exit $(nz "$grc"); our stderr: $(head -c 300 "$d/ours.stats.stderr")")
	fi

	if [ ${#problems[@]} -eq 0 ]; then
		printf 'PASS %s\n' "$label"
		pass=$((pass + 1))
	else
		printf 'FAIL %s (%s)\n' "$label" "$t"
		printf '    %s\n' "${problems[@]}"
		fail=$((fail + 1))
		failed+=("$label")
	fi
}

if [ "$committed" -eq 1 ]; then
	for entry in "${TOOLCHAINS[@]}"; do
		ver=${entry%% *}
		for line in "${SCENARIOS[@]}"; do
			name=$(scenario_field "$line" 1)
			in_list "$name" "$only" || continue
			t=$HERE/traces/go$ver/$name.trace
			[ -e "$t" ] || continue
			# shellcheck disable=SC2046
			check_trace "go$ver/$name" "$t" $(scenario_expect "$line")
		done
	done
else
	for entry in "${TOOLCHAINS[@]}"; do
		ver=${entry%% *}
		tc=${entry#* }
		[ "$all_versions" -eq 1 ] || [ "$tc" = local ] || continue
		gv=$(cd "$PROGS" && GOTOOLCHAIN=$tc go version)
		echo "== writer: $gv"
		for line in "${SCENARIOS[@]}"; do
			name=$(scenario_field "$line" 1)
			in_list "$name" "$only" || continue
			minv=$(scenario_field "$line" 2)
			cgo=$(scenario_field "$line" 3)
			godebug=$(scenario_field "$line" 4)
			[ "$godebug" = "-" ] && godebug=""
			if [ "${ver#1}" -lt "$minv" ]; then
				echo "SKIP go$ver/$name (needs Go 1.$minv+)"
				continue
			fi
			exe=$WORK/bin/go$ver/$name
			t=$WORK/traces/go$ver/$name.trace
			mkdir -p "$(dirname "$exe")" "$(dirname "$t")"
			(cd "$PROGS" && GOTOOLCHAIN=$tc CGO_ENABLED=$cgo GOFLAGS=-buildvcs=false go build -trimpath -o "$exe" "./$name")
			(cd "$WORK" && env GODEBUG="$godebug" timeout 120 "$exe" "$t" >/dev/null)
			# shellcheck disable=SC2046
			check_trace "go$ver/$name" "$t" $(scenario_expect "$line")
		done
	done
fi

echo "== golden tool: $GO_VERSION"
if [ "$go_only" -eq 1 ]; then
	echo "recheck.sh: --go-only: gotrace-tui not run"
	exit 0
fi
echo "$pass passed, $fail failed"
if [ "$fail" -gt 0 ]; then
	printf 'failed: %s\n' "${failed[*]}"
	[ "$keep" -eq 1 ] || echo "(rerun with --keep to keep the outputs)"
	exit 1
fi
