#!/usr/bin/env bash
# Regenerates testdata/corpus/: Go's own trace parser test corpus (golang.org/x/exp
# trace/testdata) plus goldens produced by Go 1.26's `go tool trace`.
#
#   testdata/corpus/tests/<name>.test          copied from x/exp trace/testdata/tests
#   testdata/corpus/tests/<name>.parsed[.gz]   stdout of `go tool trace -d=parsed` on the
#                                              binary form (TZ=UTC); a prefix if Go errored
#   testdata/corpus/tests/<name>.parsed.err    stderr of that run + "exit status N" line,
#                                              only when the exit status is non-zero
#   testdata/corpus/tests/<name>.wire          stdout of `go tool trace -d=wire`
#   testdata/corpus/bin/<name>.trace           the binary form, made by x/exp's
#                                              testtrace.ParseFile (raw.TextReader -> raw.Writer)
#   testdata/corpus/fuzz/<name>                copied from x/exp trace/testdata/fuzz/FuzzReader
#   testdata/corpus/fuzz/<name>.parsed[.err]   as for tests, on the decoded fuzz input
#   testdata/corpus/fuzz-bin/<name>.trace      the fuzz input's []byte value, raw
#   testdata/corpus/README.md                  provenance and a per-file summary
#
# Nothing from x/exp except those data files is committed: the oracle
# (tools/corpus-oracle/main.go) is built inside a temporary copy of x/exp's trace/ tree,
# because it imports x/exp's internal packages.
#
# Usage: testdata/corpus.sh        (from any directory; GO=/path/to/go to override)
set -euo pipefail

XEXP_VERSION=v0.0.0-20261113113407-e3970619a1a4
GO_WANT=go1.26
GZIP_ABOVE=$((4 * 1024 * 1024)) # gzip -9n goldens larger than this (none are, today)

GO=${GO:-/usr/local/go/bin/go}
export GOTOOLCHAIN=local TZ=UTC LC_ALL=C
export GOFLAGS=-buildvcs=false

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) # testdata/
root=$(dirname "$here")
out=$here/corpus
oracle_src=$root/tools/corpus-oracle/main.go

gover=$("$GO" env GOVERSION)
case $gover in
"$GO_WANT" | "$GO_WANT".*) ;;
*)
	echo "corpus.sh: need $GO_WANT.x, $GO is $gover" >&2
	exit 1
	;;
esac

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"' EXIT

# The pinned x/exp (from the module cache, or the proxy if absent).
xdir=$(cd "$tmp" && "$GO" mod download -json "golang.org/x/exp@$XEXP_VERSION" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[[ -d $xdir/trace/testdata/tests ]] || {
	echo "corpus.sh: no trace/testdata/tests in $xdir" >&2
	exit 1
}
tools_version=$(sed -n 's/^[[:space:]]*golang.org\/x\/tools \(v[^ ]*\).*$/\1/p' "$xdir/go.mod" | head -n1)
[[ -n $tools_version ]] || {
	echo "corpus.sh: cannot find golang.org/x/tools in $xdir/go.mod" >&2
	exit 1
}

# A temporary module golang.org/x/exp holding x/exp's trace/ tree (no tests, no testdata)
# plus the oracle at trace/cmd/oracle. Its only dependency is x/tools (txtar).
mod=$tmp/xexp
mkdir -p "$mod"
cp -R "$xdir/trace" "$mod/trace"
chmod -R u+w "$mod"
rm -rf "$mod/trace/testdata"
find "$mod/trace" -name '*_test.go' -delete
mkdir -p "$mod/trace/cmd/oracle"
cp "$oracle_src" "$mod/trace/cmd/oracle/main.go"
cat >"$mod/go.mod" <<EOF
module golang.org/x/exp

go 1.26.0

require golang.org/x/tools $tools_version
EOF
cp "$xdir/go.sum" "$mod/go.sum"
(cd "$mod" && "$GO" mod download golang.org/x/tools && "$GO" build -o "$tmp/oracle" ./trace/cmd/oracle)
oracle=$tmp/oracle

# Build go tool trace once up front so its build output cannot mix with a golden.
"$GO" tool -n trace >/dev/null

# run MODE INPUT STDOUT ERRFILE: runs `go tool trace -d=MODE INPUT`; writes stdout to
# STDOUT, and stderr + "exit status N" to ERRFILE if the status is non-zero (else removes
# ERRFILE). Leaves the raw stderr in $tmp/stderr and the status in $rc.
run() {
	local mode=$1 in=$2 stdout=$3 errfile=$4
	rc=0
	"$GO" tool trace -d="$mode" "$in" >"$stdout" 2>"$tmp/stderr" || rc=$?
	if ((rc != 0)); then
		{
			cat "$tmp/stderr"
			echo "exit status $rc"
		} >"$errfile"
	else
		rm -f "$errfile"
		if [[ -s $tmp/stderr ]]; then
			echo "corpus.sh: warning: $in: -d=$mode exited 0 but wrote to stderr:" >&2
			cat "$tmp/stderr" >&2
		fi
	fi
}

# row CELL...: one markdown table row (newlines -> "; ", "|" escaped).
row() {
	local line="|" c
	for c in "$@"; do
		c=${c//$'\n'/; }
		line+=" ${c//|/\\|} |"
	done
	printf '%s\n' "$line"
}

# maybe_gzip FILE: replaces FILE by FILE.gz if it is large.
maybe_gzip() {
	rm -f "$1.gz"
	if (($(wc -c <"$1") > GZIP_ABOVE)); then
		gzip -9n "$1"
	fi
}

rm -rf "${out:?}/tests" "${out:?}/bin" "${out:?}/fuzz" "${out:?}/fuzz-bin"
mkdir -p "$out/tests" "$out/bin" "$out/fuzz" "$out/fuzz-bin"

odd=()
summary=$tmp/summary
: >"$summary"

n_success=0 n_failure=0
for src in "$xdir"/trace/testdata/tests/*.test; do
	name=$(basename "$src" .test)
	cp "$src" "$out/tests/$name.test"
	chmod 644 "$out/tests/$name.test"
	bin=$out/bin/$name.trace
	expect_line=$("$oracle" test2bin "$src" "$bin")
	case $expect_line in
	SUCCESS*) n_success=$((n_success + 1)) ;;
	FAILURE*) n_failure=$((n_failure + 1)) ;;
	esac

	# -d=parsed, twice: the output must be deterministic.
	parsed=$out/tests/$name.parsed
	run parsed "$bin" "$parsed" "$parsed.err"
	parsed_rc=$rc
	"$GO" tool trace -d=parsed "$bin" >"$tmp/parsed2" 2>/dev/null || true
	cmp -s "$parsed" "$tmp/parsed2" || odd+=("$name: -d=parsed output differs between two runs")
	if ((parsed_rc != 0)); then
		cp "$tmp/stderr" "$tmp/errtext"
		parsed_cell="exit $parsed_rc: $(head -n1 "$tmp/stderr")"
	else
		: >"$tmp/errtext"
		parsed_cell=ok
	fi
	gotool_vs_expect=$("$oracle" expect "$src" "$tmp/errtext")
	[[ $gotool_vs_expect == ok ]] || odd+=("$name: go tool trace -d=parsed vs expectation: $gotool_vs_expect")
	xexp_check=$("$oracle" check "$src")
	[[ $xexp_check == ok ]] || odd+=("$name: x/exp reader+validator: ${xexp_check//$'\n'/; }")
	maybe_gzip "$parsed"

	# -d=wire: must be the .test's trace section minus its "Trace Go1.NN" line.
	wire=$out/tests/$name.wire
	run wire "$bin" "$wire" "$wire.err"
	((rc == 0)) || odd+=("$name: -d=wire exited $rc")
	sed -n '/^-- trace --$/,$p' "$src" | sed '1,2d' >"$tmp/text"
	if cmp -s "$wire" "$tmp/text"; then
		wire_vs_text="= text"
	else
		wire_vs_text="differs from text"
		odd+=("$name: -d=wire output differs from the .test trace text (minus header)")
	fi

	row "$name" "$expect_line" "$parsed_cell" "$xexp_check" "$wire_vs_text" >>"$summary"
done

fuzz_summary=$tmp/fuzz_summary
: >"$fuzz_summary"
n_fuzz=0 n_fuzz_err=0
for src in "$xdir"/trace/testdata/fuzz/FuzzReader/*; do
	name=$(basename "$src")
	n_fuzz=$((n_fuzz + 1))
	cp "$src" "$out/fuzz/$name"
	chmod 644 "$out/fuzz/$name"
	bin=$out/fuzz-bin/$name.trace
	"$oracle" fuzz2bin "$src" "$bin"
	parsed=$out/fuzz/$name.parsed
	run parsed "$bin" "$parsed" "$parsed.err"
	if ((rc != 0)); then
		n_fuzz_err=$((n_fuzz_err + 1))
		res="exit $rc: $(head -n1 "$tmp/stderr")"
	else
		res="ok"
	fi
	row "$name" "$(wc -c <"$bin")" "$(wc -l <"$parsed")" "$res" >>"$fuzz_summary"
	maybe_gzip "$parsed"
done

{
	cat <<EOF
# Go trace parser corpus

Generated by \`testdata/corpus.sh\`; do not edit. Inputs are copied from
golang.org/x/exp@$XEXP_VERSION \`trace/testdata/\` (identical to Go's
\`src/internal/trace/testdata/\`). Goldens are the output of \`go tool trace\` from
$gover, run with TZ=UTC.

- \`tests/<name>.test\`: txtar (\`-- expect --\`, \`-- trace --\`) in the text trace format.
- \`bin/<name>.trace\`: its binary form, as x/exp \`testtrace.ParseFile\` writes it
  (\`raw.TextReader\` → \`raw.Writer\`).
- \`tests/<name>.parsed\` (\`.parsed.gz\` if over $GZIP_ABOVE bytes): stdout of
  \`go tool trace -d=parsed bin/<name>.trace\`; when Go fails this is what it printed
  before the error.
- \`tests/<name>.parsed.err\`: only when that command fails: its stderr, then a line
  \`exit status N\`.
- \`tests/<name>.wire\`: stdout of \`go tool trace -d=wire bin/<name>.trace\`.
- \`fuzz/<name>\`: Go fuzz corpus files of FuzzReader (\`go test fuzz v1\` + \`[]byte("…")\`);
  \`fuzz-bin/<name>.trace\`: the decoded bytes; \`fuzz/<name>.parsed\`, \`.parsed.err\`:
  as for tests.

## Tests ($n_success SUCCESS, $n_failure FAILURE)

Columns: expectation; \`go tool trace -d=parsed\` result; x/exp reader + validator
(TestReaderGolden's logic); \`-d=wire\` compared with the trace text minus its header line.

| name | expect | -d=parsed | x/exp check | -d=wire |
|---|---|---|---|---|
EOF
	cat "$summary"
	cat <<EOF

## Fuzz inputs ($n_fuzz, $n_fuzz_err rejected by Go)

| name | bytes | -d=parsed lines | -d=parsed result |
|---|---|---|---|
EOF
	cat "$fuzz_summary"
} >"$out/README.md"

echo "corpus.sh: $n_success SUCCESS + $n_failure FAILURE tests, $n_fuzz fuzz inputs ($n_fuzz_err rejected by Go); $(du -sh "$out" | cut -f1) in $out"
if ((${#odd[@]} > 0)); then
	echo "corpus.sh: things to look at:" >&2
	printf '  %s\n' "${odd[@]}" >&2
fi
