# lib-oracle.sh — shared setup of oracle.sh and oracle-viewer.sh (sourced, not run).
# The sourcing script sets ME (its name, for messages) and WORK_PREFIX (temp dir name).
# Provides: in_list, the Go 1.26 check, TZ/GOTOOLCHAIN, a WORK dir removed on exit,
# stop_server (kills SERVER_PID), and TRACE_BIN (the binary `go tool trace` runs).

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
