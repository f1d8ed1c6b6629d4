# shellcheck shell=bash
# scenarios.sh — shared by regen.sh and recheck.sh (sourced, not run).
#
# One line per trace-writing program in progs/<name>/:
#   name  min-minor  cgo  GODEBUG  expectations...
# min-minor   the oldest Go 1.x minor that can build/run it (22..26)
# cgo         1 = build with CGO_ENABLED=1, 0 = CGO_ENABLED=0
# GODEBUG     value for the GODEBUG environment variable of the run, or "-"
# expectations  what the written trace must contain:
#   NAME         at least one event or batch of that name in the output of
#                `go tool trace -d=wire` or of progs/tools/batches (e.g. GoSwitch,
#                ExperimentalBatch);
#   parsed:STR   the output of `go tool trace -d=parsed` contains STR;
#   gens>=N      at least N distinct generations (batch headers);
#   firstgen>1   the first batch's generation is greater than 1;
#   mbatches>=N  some M has at least N event batches in one generation.
SCENARIOS=(
	"chan        22 0 -                            GoCreate GoBlock GoUnblock GoDestroy"
	"http        22 0 -                            UserTaskBegin UserTaskEnd UserRegionBegin UserRegionEnd UserLog"
	"mutex       22 0 -                            GCBegin GCMarkAssistBegin GCSweepBegin STWBegin GoSyscallBegin GoSyscallEndBlocked"
	"cpuprof     22 0 -                            CPUSample"
	"iterpull    23 0 -                            GoSwitch GoSwitchDestroy GoCreateBlocked"
	"cgocallback 22 1 -                            GoCreateSyscall GoDestroySyscall"
	"gomaxprocs  22 0 -                            ProcsChange ProcStop"
	"multigen    22 0 traceadvanceperiod=20000000  gens>=3"
	"flightrec   25 0 traceadvanceperiod=10000000  firstgen>1 gens>=2"
	"allocfree   23 0 traceallocfree=1             ExperimentalBatch parsed:Name=HeapObjectAlloc parsed:Name=HeapObjectFree parsed:Name=SpanAlloc parsed:Name=GoroutineStackAlloc"
	"misc        22 0 -                            UserTaskBegin UserRegionBegin UserLog GoSyscallEndBlocked"
	"stress      22 0 -                            GCBegin GCMarkAssistBegin GoSyscallBegin GoCreate mbatches>=2"
)

# Writer toolchains: "<dir suffix> <GOTOOLCHAIN value>". "local" is the
# installed Go (/usr/local/go, must be a go1.26.x). The others are fetched from
# the Go module proxy by the go command (newest patch release it serves).
TOOLCHAINS=(
	"122 go1.22.12"
	"123 go1.23.12"
	"124 go1.24.13"
	"125 go1.25.14"
	"126 local"
)

# scenario_field LINE N  -> the N-th (1-based) whitespace-separated field
scenario_field() { echo "$1" | awk -v n="$2" '{print $n}'; }
# scenario_expect LINE -> the expectations (fields 5..)
scenario_expect() { echo "$1" | awk '{for (i = 5; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "")}'; }

# check_expect WIRE PARSED BATCHES EXPECTATIONS...  (files: the outputs of
# `go tool trace -d=wire`, `go tool trace -d=parsed` and progs/tools/batches)
# -> prints the unmet expectations, one per line (nothing = all met).
check_expect() {
	local wire=$1 parsed=$2 batches=$3
	shift 3
	local e n first
	for e in "$@"; do
		case "$e" in
		gens\>=*)
			n=$(awk '$1 == "EventBatch" || $1 == "ExperimentalBatch" { for (i = 2; i <= NF; i++) if ($i ~ /^gen=/) g[$i] = 1 } END { n = 0; for (k in g) n++; print n }' "$batches")
			[ "$n" -ge "${e#gens>=}" ] || echo "$e (has $n)"
			;;
		firstgen\>1)
			first=$(awk '$1 == "EventBatch" || $1 == "ExperimentalBatch" { for (i = 2; i <= NF; i++) if ($i ~ /^gen=/) { sub(/^gen=/, "", $i); print $i; exit } }' "$batches")
			[ "${first:-0}" -gt 1 ] || echo "$e (first gen=${first:-none})"
			;;
		mbatches\>=*)
			n=$(awk '$1 == "EventBatch" && $3 != "m=18446744073709551615" { c[$2 " " $3]++ } END { n = 0; for (k in c) if (c[k] > n) n = c[k]; print n }' "$batches")
			[ "$n" -ge "${e#mbatches>=}" ] || echo "$e (has $n)"
			;;
		parsed:*)
			grep -qF -e "${e#parsed:}" "$parsed" || echo "$e"
			;;
		*)
			awk -v want="$e" '$1 == want { found = 1; exit } END { exit !found }' "$wire" "$batches" || echo "$e"
			;;
		esac
	done
}
