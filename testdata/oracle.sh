#!/usr/bin/env bash
# oracle.sh — harvest Go 1.26's own analysis figures for the committed traces.
#
# Usage (from any directory):
#   testdata/oracle.sh                        every committed trace (testdata/traces/go1NN/*.trace)
#   testdata/oracle.sh --only http,mutex      some scenarios only
#   testdata/oracle.sh --versions 125,126     some writer dirs only (go125, go126; "go126" also accepted)
#   testdata/oracle.sh --keep-going           do not stop at the first trace whose harvest fails
#
# For each trace T = testdata/traces/go1NN/<name>.trace it (re)writes the
# directory testdata/traces/go1NN/<name>.oracle/ (nothing else is touched):
#   meta.json          trace name, size and sha256, the go version, server warnings
#   goroutines.json    /goroutines + /goroutine?name=... of each group
#   tasks.json         /usertasks + /usertask?type=... of each type
#   regions.json       /userregions + /userregion?type=...&pc=... of each type
#   mmu/*.json         /mmu?mode=plot&flags=... and /mmu?mode=details&window=...&flags=...
#                      bodies, byte for byte, plus mmu/index.json (file -> query)
#   pprof/<t>.json     (t = net, sync, syscall, sched) samples of `go tool trace -pprof=<t>`
#   pprof/<t>.txt      `go tool pprof -raw` of that profile (re-encoded in canonical order)
#   pprof/<t>.err      only if `go tool trace -pprof=<t>` failed: "exit status N", then stderr
#   pprof-group/<t>/<i>.json.gz   the group page's profile (/io, /block, /syscall, /sched ?name=...&raw=1)
#                      of group i of goroutines.json, as compact JSON (gzip -n -9); pprof-group/index.json
#                      maps i -> group name and the query
#   pprof-region/<t>/<i>.json.gz  /regionio, /regionblock, /regionsyscall, /regionsched ?type=...&pc=<hex>&raw=1
#                      of region type i of regions.json (+ <i>.page.json.gz where the region page's own
#                      link, whose pc=0x... Go ignores, gives another profile); pprof-region/index.json
#   errors.json        only if a page was not served (non-200) or a consistency check failed
#   server.err         only if the server did not come up: "exit status N", then its stderr
# The formats are described in testdata/README.md ("Oracle goldens").
#
# Pages are read from a live `go tool trace -http=127.0.0.1:0 T` (started per
# trace, with TZ=UTC and BROWSER=true, stopped afterwards; loopback only) by
# tools/oracle-scrape (a small Go program, standard library only). The output
# is deterministic: re-running on the same traces rewrites identical files.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# TRACES_DIR points the harvest at another tree laid out like traces/ (fresh traces).
TRACES=${TRACES_DIR:-$HERE/traces}
SCRAPER_SRC=$ROOT/tools/oracle-scrape
PPROF_TYPES=(net sync syscall sched)
SERVER_TIMEOUT=300 # seconds to wait for "Trace viewer is listening on"

only=""
versions=""
keep_going=0
while [ $# -gt 0 ]; do
	case "$1" in
	--only) only=$2; shift ;;
	--only=*) only=${1#--only=} ;;
	--versions) versions=$2; shift ;;
	--versions=*) versions=${1#--versions=} ;;
	--keep-going) keep_going=1 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "oracle.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done
versions=${versions//go/}

ME=oracle.sh
WORK_PREFIX=gotrace-oracle
# shellcheck source=lib-oracle.sh
source "$HERE/lib-oracle.sh"

# And exactly the binary `go tool pprof` runs.
PPROF_BIN=$(go tool -n pprof)
command -v gzip >/dev/null || { echo "oracle.sh: gzip is needed" >&2; exit 1; }
for b in "$TRACE_BIN" "$PPROF_BIN"; do
	[ -x "$b" ] || { echo "oracle.sh: go tool -n did not give an executable: $b" >&2; exit 1; }
done
(cd "$SCRAPER_SRC" && go build -trimpath -o "$WORK/oracle-scrape" .)
SCRAPE=$WORK/oracle-scrape

# oracle_one TRACE: harvests into a scratch dir, then replaces <name>.oracle/.
oracle_one() {
	local trace=$1 dir name rel out final t rc line notes
	dir=$(dirname "$trace")
	name=$(basename "$trace" .trace)
	rel=$(basename "$dir")/$name.trace
	final=$dir/$name.oracle
	out=$WORK/out
	rm -rf "$out"
	mkdir -p "$out/pprof"

	# Blocking profiles: go tool trace -pprof=TYPE, then go tool pprof -raw.
	local pp=""
	for t in "${PPROF_TYPES[@]}"; do
		rc=0
		"$TRACE_BIN" -pprof="$t" "$trace" >"$WORK/p.pb" 2>"$WORK/p.err" || rc=$?
		if [ "$rc" -ne 0 ]; then
			{ echo "exit status $rc"; cat "$WORK/p.err"; } >"$out/pprof/$t.err"
			pp="$pp $t=ERR"
			continue
		fi
		"$SCRAPE" pprof "$WORK/p.pb" "$out/pprof/$t.json" "$WORK/canon.pb"
		"$PPROF_BIN" -raw "$WORK/canon.pb" >"$out/pprof/$t.txt" 2>"$WORK/pprof.err" || {
			echo "oracle.sh: go tool pprof -raw failed for $rel ($t):" >&2
			cat "$WORK/pprof.err" >&2
			return 1
		}
		if grep -q '"empty": true' "$out/pprof/$t.json"; then
			pp="$pp $t=empty"
		else
			pp="$pp $t=$(grep -c '"count"' "$out/pprof/$t.json")"
		fi
	done

	# The web pages.
	if start_server "$trace" "$out"; then
		rc=0
		notes=$("$SCRAPE" scrape -url "$SERVER_URL" -out "$out" -trace "$trace" -rel "$rel" \
			-goversion "$GO_VERSION" -serverlog "$WORK/server.log") || rc=$?
		stop_server
		if [ "$rc" -ne 0 ]; then
			echo "oracle.sh: scraping $rel failed" >&2
			return 1
		fi
		# The per-group / per-region profiles: compact JSON -> .json.gz
		# (-n: no name or mtime, so the bytes are reproducible).
		find "$out" \( -path "$out/pprof-group/*/*.json" -o -path "$out/pprof-region/*/*.json" \) \
			-type f -exec gzip -n -9 {} +
	else
		notes="SERVER FAILED (server.err)"
	fi

	rm -rf "$final"
	mv "$out" "$final"
	line=$(printf '%-22s %s; pprof%s; %s' "$rel" "$notes" "$pp" "$(du -sh "$final" | cut -f1)")
	echo "$line"
	SUMMARY+=("$line")
}

SUMMARY=()
for_each_trace oracle_one

echo
echo "== oracle summary: $n traces, tool: $GO_VERSION"
errs=$(cd "$TRACES" && find . -path '*.oracle/*' \( -name errors.json -o -name server.err -o -name '*.err' \) | sed 's#^\./##' | sort)
if [ -n "$errs" ]; then
	echo "Go errors / failed checks recorded in:"
	while IFS= read -r e; do echo "  $e"; done <<<"$errs"
else
	echo "no page errors recorded"
fi
if [ "${#FAILED[@]}" -gt 0 ]; then
	echo "FAILED: ${FAILED[*]}"
fi
total=$(cd "$TRACES" && find . -path '*.oracle/*' -type f -print0 | du -cb --files0-from=- | tail -n 1 | cut -f1)
echo "all .oracle dirs: $(find "$TRACES" -name '*.oracle' -type d | wc -l) dirs, $total bytes"
[ "${#FAILED[@]}" -eq 0 ]
