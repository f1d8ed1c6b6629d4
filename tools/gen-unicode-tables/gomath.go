package main

import (
	"fmt"
	"math"
	"math/rand"
	"strings"

	"golang.org/x/sys/cpu"
)

// mathCases lists math.Exp and math.Log of many inputs as exact bits. On amd64 Go's
// Exp takes a fused multiply-add path when the CPU has AVX and FMA, so the file
// records which path produced it.
func mathCases() string {
	var b strings.Builder
	b.WriteString(header("math.Exp and math.Log", "first line: fma=true|false", "then: exp|log <input bits hex> <result bits hex>"))
	fmt.Fprintf(&b, "fma=%v\n", cpu.X86.HasAVX && cpu.X86.HasFMA)
	r := rand.New(rand.NewSource(7))
	var xs []float64
	for _, x := range []float64{0, 1, 2, 10, 0.2, 3879680, 1e-300, 1e300, 709.78, 709.79, -745, -746, -740, 0.5, math.Ln2, -1, math.Inf(1), math.Inf(-1), math.NaN()} {
		xs = append(xs, x)
	}
	for i := 0; i < 3000; i++ {
		switch i % 3 {
		case 0:
			xs = append(xs, r.Float64()*1400-700)
		case 1:
			xs = append(xs, math.Exp(r.Float64()*60-30))
		default:
			xs = append(xs, float64(r.Int63n(1<<40)))
		}
	}
	for _, x := range xs {
		fmt.Fprintf(&b, "exp %016x %016x\n", math.Float64bits(x), math.Float64bits(math.Exp(x)))
		fmt.Fprintf(&b, "log %016x %016x\n", math.Float64bits(x), math.Float64bits(math.Log(x)))
	}
	// What go tool trace derives from them.
	logDiv := math.Log(math.Pow(10, 1.0/5))
	fmt.Fprintf(&b, "logdiv %016x %016x\n", uint64(0), math.Float64bits(logDiv))
	return b.String()
}
