#!/usr/bin/env bash
# Adds the seed inputs to fuzz/corpus/decode/, each named by the SHA-1 of its content as
# libFuzzer names what it finds: the Go fuzz corpus inputs, the Go parser corpus traces
# under 20 KB, real traces under 4 KB, prefixes of a few of them cut mid-batch, and the
# hand-made traces of tests/bad_input.rs (as crafted-*). Safe to re-run: identical inputs get identical
# names.
set -euo pipefail
cd "$(dirname "$0")/.."

out=fuzz/corpus/decode
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

add() {
    local h
    h=$(sha1sum "$1" | cut -d' ' -f1)
    cp "$1" "$out/$h"
}

size() { stat -c %s "$1"; }

for f in testdata/corpus/fuzz-bin/*.trace; do add "$f"; done
for f in testdata/corpus/bin/*.trace; do
    if [ "$(size "$f")" -le 20480 ]; then add "$f"; fi
done
for f in testdata/traces/*/*.trace; do
    if [ -f "$f" ] && [ "$(size "$f")" -le 4096 ]; then add "$f"; fi
done

# Prefixes of multi-generation and small real traces, cut at 1/4, 1/2, 3/4 and all but
# the last byte.
for f in testdata/corpus/bin/go122-confuse-seq-across-generations.trace \
    testdata/corpus/bin/go122-task-across-generations.trace \
    testdata/corpus/bin/go123-sync.trace \
    testdata/corpus/bin/go125-sync.trace \
    testdata/corpus/bin/go122-annotations.trace \
    testdata/traces/go122/chan.trace \
    testdata/traces/go126/chan.trace; do
    [ -f "$f" ] || continue
    n=$(size "$f")
    for k in $((n / 4)) $((n / 2)) $((3 * n / 4)) $((n - 1)); do
        head -c "$k" "$f" >"$tmp/prefix"
        add "$tmp/prefix"
    done
done

# The hand-made traces of tests/bad_input.rs, under fixed names (crafted-*), rewritten
# from their builders; the test then checks the corpus matches them.
FUZZ_UPDATE_SEEDS=1 cargo test -q --test bad_input crafted_traces_are_in_the_fuzz_corpus >/dev/null

echo "$(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1) in $out"
