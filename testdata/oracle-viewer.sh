#!/usr/bin/env bash
# oracle-viewer.sh — harvest what Go 1.26's trace viewer draws, for the committed traces.
#
# Usage (from any directory):
#   testdata/oracle-viewer.sh                       every committed trace (testdata/traces/go1NN/*.trace)
#   testdata/oracle-viewer.sh --only http,mutex     some scenarios only
#   testdata/oracle-viewer.sh --versions 125,126    some writer dirs only (go125, go126; "go126" also accepted)
#   testdata/oracle-viewer.sh --keep-going          do not stop at the first trace whose harvest fails
#   testdata/oracle-viewer.sh --max-goroutines N    goroutine views per trace (default 20; 0 = none)
#   testdata/oracle-viewer.sh --no-goroutines LIST  no goroutine views for these scenarios
#                                                   (default: stress, whose 20 views take ~0.6 MB per trace;
#                                                   --no-goroutines '' includes them)
#
# For each trace T = testdata/traces/go1NN/<name>.trace it (re)writes the
# directory testdata/traces/go1NN/<name>.viewer/ (nothing else is touched):
#   index.json               the trace's sha256, the go version, and for every file
#                            the /trace page and the exact /jsontrace query it loads
#   proc.json.gz             /jsontrace?view=proc   (by-proc view, whole trace)
#   thread.json.gz           /jsontrace?view=thread (by-thread view, whole trace)
#                            (a trace split into several ranges gives proc.0.json.gz, proc.1.json.gz, …)
#   goroutine/<goid>.json.gz /jsontrace?goid=<goid>, for the goroutines of
#                            <name>.oracle/goroutines.json (at most --max-goroutines:
#                            those with the most events in `go tool trace -d=parsed`)
#   task/<id>.json.gz        /jsontrace?focustask=<id> (the task pages' "Task N" link), for
#                            the tasks of <name>.oracle/tasks.json that have a begin or end
#   errors.json              only if a page was not served or a value could not be recorded exactly
#   server.err               only if the server did not come up: "exit status N", then its stderr
# Each .json.gz is a compact golden (slices, flows, counters, instants, lanes,
# stack table; times in integer ns), written by `gzip -n -9`. The formats are
# described in testdata/README.md ("Trace viewer goldens").
#
# Pages are read from a live `go tool trace -http=127.0.0.1:0 T` (started per
# trace, with TZ=UTC and BROWSER=true, stopped afterwards; loopback only) by
# tools/viewer-scrape (a small Go program, standard library only). The output
# is deterministic: re-running on the same traces rewrites identical files.
# Goroutine views need <name>.oracle/goroutines.json (testdata/oracle.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
# TRACES_DIR points the harvest at another tree laid out like traces/ (fresh traces).
TRACES=${TRACES_DIR:-$HERE/traces}
SCRAPER_SRC=$ROOT/tools/viewer-scrape
SERVER_TIMEOUT=300 # seconds to wait for "Trace viewer is listening on"

only=""
versions=""
keep_going=0
max_goroutines=20
no_goroutines="stress"
while [ $# -gt 0 ]; do
	case "$1" in
	--only) only=$2; shift ;;
	--only=*) only=${1#--only=} ;;
	--versions) versions=$2; shift ;;
	--versions=*) versions=${1#--versions=} ;;
	--keep-going) keep_going=1 ;;
	--max-goroutines) max_goroutines=$2; shift ;;
	--max-goroutines=*) max_goroutines=${1#--max-goroutines=} ;;
	--no-goroutines) no_goroutines=$2; shift ;;
	--no-goroutines=*) no_goroutines=${1#--no-goroutines=} ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "oracle-viewer.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
	shift
done
versions=${versions//go/}
case "$max_goroutines" in '' | *[!0-9]*) echo "oracle-viewer.sh: --max-goroutines wants a number" >&2; exit 2 ;; esac

ME=oracle-viewer.sh
WORK_PREFIX=gotrace-viewer
# shellcheck source=lib-oracle.sh
source "$HERE/lib-oracle.sh"

(cd "$SCRAPER_SRC" && go build -trimpath -o "$WORK/viewer-scrape" .)
SCRAPE=$WORK/viewer-scrape

# viewer_one TRACE: harvests into a scratch dir, then replaces <name>.viewer/.
viewer_one() {
	local trace=$1 dir name rel out final rc line notes gargs=()
	dir=$(dirname "$trace")
	name=$(basename "$trace" .trace)
	rel=$(basename "$dir")/$name.trace
	final=$dir/$name.viewer
	out=$WORK/out
	rm -rf "$out"
	mkdir -p "$out"

	if [ -f "$dir/$name.oracle/goroutines.json" ]; then
		if [ "$max_goroutines" -eq 0 ]; then
			gargs=(-goroutines "$dir/$name.oracle/goroutines.json" -max-goroutines 0 -skip-reason "oracle-viewer.sh --max-goroutines 0")
		elif [ -n "$no_goroutines" ] && in_list "$name" "$no_goroutines"; then
			gargs=(-goroutines "$dir/$name.oracle/goroutines.json" -max-goroutines 0 -skip-reason "oracle-viewer.sh --no-goroutines $no_goroutines (size)")
		else
			# Events per goroutine, to pick the goroutines when there are too many.
			"$TRACE_BIN" -d=parsed "$trace" >"$WORK/parsed.txt" 2>/dev/null || true
			gargs=(-goroutines "$dir/$name.oracle/goroutines.json" -parsed "$WORK/parsed.txt" -max-goroutines "$max_goroutines")
		fi
	else
		echo "oracle-viewer.sh: $rel: no $name.oracle/goroutines.json (run oracle.sh first): no goroutine views" >&2
	fi

	if [ -f "$dir/$name.oracle/tasks.json" ]; then
		gargs+=(-tasks "$dir/$name.oracle/tasks.json")
	fi

	if start_server "$trace" "$out"; then
		rc=0
		notes=$("$SCRAPE" scrape -url "$SERVER_URL" -out "$out" -trace "$trace" -rel "$rel" \
			-goversion "$GO_VERSION" -serverlog "$WORK/server.log" "${gargs[@]}") || rc=$?
		stop_server
		if [ "$rc" -ne 0 ]; then
			echo "oracle-viewer.sh: scraping $rel failed" >&2
			return 1
		fi
		find "$out" -type f -name '*.json' ! -path "$out/index.json" ! -path "$out/errors.json" -exec gzip -n -9 {} +
	else
		notes="SERVER FAILED (server.err)"
	fi

	rm -rf "$final"
	mv "$out" "$final"
	line=$(printf '%-22s %s; %s' "$rel" "$notes" "$(du -sh "$final" | cut -f1)")
	echo "$line"
}

for_each_trace viewer_one

echo
echo "== viewer summary: $n traces, tool: $GO_VERSION"
errs=$(cd "$TRACES" && find . -path '*.viewer/*' \( -name errors.json -o -name server.err \) | sed 's#^\./##' | sort)
if [ -n "$errs" ]; then
	echo "Go errors / values not recorded exactly, in:"
	while IFS= read -r e; do echo "  $e"; done <<<"$errs"
else
	echo "no page errors recorded"
fi
if [ "${#FAILED[@]}" -gt 0 ]; then
	echo "FAILED: ${FAILED[*]}"
fi
total=$(cd "$TRACES" && find . -path '*.viewer/*' -type f -print0 | du -cb --files0-from=- | tail -n 1 | cut -f1)
echo "all .viewer dirs: $(find "$TRACES" -name '*.viewer' -type d | wc -l) dirs, $(cd "$TRACES" && find . -path '*.viewer/*' -type f | wc -l) files, $total bytes"
[ "${#FAILED[@]}" -eq 0 ]
