package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// The trace viewer JSON carries times as float microseconds. cmd/trace
// computes them from integer nanoseconds (time.Duration, relative to the
// first event of the trace) with
//
//	func viewerTime(t time.Duration) float64 { return float64(t) / float64(time.Microsecond) }
//
// (internal/trace/traceviewer/emitter.go), and encoding/json writes the
// float64 in its shortest round-trip form ('f' format for 1e-6 <= |x| < 1e21).
//
// usToNs inverts this exactly: it parses the JSON number text to the very
// float64 Go encoded (the shortest form round-trips), then finds the integer
// n with float64(n)/1000 == f. For |n| < 2^52 ns (≈ 4.5e15 ns, 52
// days) the map n -> float64(n)/1000 is injective (the spacing of the
// quotients, 0.001, is larger than their ulp), so n is unique. As a check,
// json.Marshal(float64(n)/1000) must give back the exact input text.

// maxExactNs bounds the times we accept: beyond it n is not unique.
const maxExactNs = 1 << 52

func viewerTime(ns int64) float64 { return float64(ns) / 1e3 }

// usToNs converts the JSON text of a viewer time back to nanoseconds.
func usToNs(text string) (int64, error) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, fmt.Errorf("bad time %q: %v", text, err)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= maxExactNs/1e3 {
		return 0, fmt.Errorf("time %q out of the exactly invertible range", text)
	}
	n0 := int64(math.Round(f * 1e3))
	found := false
	var n int64
	for c := n0 - 2; c <= n0+2; c++ {
		if viewerTime(c) == f {
			if found {
				return 0, fmt.Errorf("time %q: two nanosecond values %d and %d", text, n, c)
			}
			n, found = c, true
		}
	}
	if !found {
		return 0, fmt.Errorf("time %q is not float64(n)/1000 for any integer n", text)
	}
	back, err := json.Marshal(viewerTime(n))
	if err != nil || string(back) != text {
		return 0, fmt.Errorf("time %q: %d ns encodes as %q, not the input", text, n, back)
	}
	return n, nil
}
