# lib-oracle.sh — shared setup of oracle.sh and oracle-viewer.sh (sourced, not run).
# The sourcing script sets ME (its name, for messages) and WORK_PREFIX (temp dir name).
# Provides: in_list, the Go 1.26 check, TZ/GOTOOLCHAIN, a WORK dir removed on exit,
# stop_server (kills SERVER_PID), start_server, for_each_trace, and TRACE_BIN (the
# binary `go tool trace` runs).

in_list() { # in_list ITEM "a,b,c" (empty list = everything)
	[ -z "$2" ] && return 0
	case ",$2," in *",$1,"*) return 0 ;; esac
	return 1
}

export GOTOOLCHAIN=local
export TZ=UTC
GO_VERSION=$(go version)
case "$GO_VERSION" in
*" go1.26"*) ;;
*) echo "$ME: the installed go must be Go 1.26.x, got: $GO_VERSION" >&2; exit 1 ;;
esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/$WORK_PREFIX.XXXXXX")
SERVER_PID=""
stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=""
	fi
}
cleanup() {
	stop_server
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Exactly the binary `go tool trace` runs (`go tool -n` builds it into the build cache
# if needed and prints the path).
TRACE_BIN=$(go tool -n trace)
[ -x "$TRACE_BIN" ] || { echo "$ME: go tool -n did not give an executable: $TRACE_BIN" >&2; exit 1; }

# start_server TRACE OUT: starts `go tool trace -http` on TRACE, sets SERVER_PID and
# SERVER_URL. On failure writes OUT/server.err and returns 1. Uses SERVER_TIMEOUT (s).
start_server() {
	local trace=$1 out=$2 i rc
	: >"$WORK/server.log"
	BROWSER=true "$TRACE_BIN" -http=127.0.0.1:0 "$trace" >/dev/null 2>"$WORK/server.log" &
	SERVER_PID=$!
	SERVER_URL=""
	for ((i = 0; i < SERVER_TIMEOUT * 10; i++)); do
		SERVER_URL=$(sed -n 's/.*Trace viewer is listening on \(http:\/\/127\.0\.0\.1:[0-9][0-9]*\).*/\1/p' "$WORK/server.log" | head -n 1)
		[ -n "$SERVER_URL" ] && return 0
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			rc=0
			wait "$SERVER_PID" || rc=$?
			SERVER_PID=""
			{ echo "exit status $rc"; sed -E 's#^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:]{8} ##' "$WORK/server.log"; } >"$out/server.err"
			return 1
		fi
		sleep 0.1
	done
	stop_server
	{ echo "timeout: no \"Trace viewer is listening on\" line after ${SERVER_TIMEOUT}s"; sed -E 's#^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9:]{8} ##' "$WORK/server.log"; } >"$out/server.err"
	return 1
}

# for_each_trace ONE: runs ONE TRACE on every trace under $TRACES that --versions and
# --only select (versions, only), counting them in n and the failures in FAILED; stops
# at the first failure unless keep_going=1.
for_each_trace() {
	local one=$1 vdir v trace name
	FAILED=()
	n=0
	for vdir in "$TRACES"/go1*/; do
		v=$(basename "$vdir")
		in_list "${v#go}" "$versions" || continue
		for trace in "$vdir"*.trace; do
			[ -e "$trace" ] || continue
			name=$(basename "$trace" .trace)
			in_list "$name" "$only" || continue
			n=$((n + 1))
			if ! "$one" "$trace"; then
				FAILED+=("$v/$name")
				stop_server
				[ "$keep_going" = 1 ] || { echo "$ME: stopping (use --keep-going to continue)" >&2; exit 1; }
			fi
		done
	done
}
