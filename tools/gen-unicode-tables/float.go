package main

import (
	"fmt"
	"math"
	"strings"
)

// floatCases records fmt.Sprintf("%.2f", x): special values, exact binary
// ties (Go rounds them half-to-even), subnormals, huge magnitudes and the
// percentage computations `go tool trace -d=footprint` performs.
func floatCases() string {
	rng := newRand(4)
	var xs []float64
	xs = append(xs, 0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1),
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		0x1p-1022, 1e-300, 0.005, 0.015, 0.025, 0.035, 0.045, 1.005, 2.675, 1.115, -0.005, -0.001,
		0.125, 0.375, 0.625, 0.875, -0.125, 99.995, 99.994999, 100, 1e15, 1e16, 1e21, 1e22, 1e23,
		123456789.125, 9007199254740993, 0.1, 0.2, 0.3, 1.0/3, 2.0/3)
	for k := -80; k <= 80; k++ {
		xs = append(xs, float64(k)/8, float64(k)/200, float64(k)/1000)
	}
	for range 100 {
		xs = append(xs, math.Float64frombits(rng.Uint64()))
	}
	for range 600 {
		xs = append(xs, (rng.Float64()-0.5)*math.Pow(10, float64(rng.IntN(14)-6)))
	}
	for range 600 {
		a, b := rng.IntN(5000), 1+rng.IntN(5000000)
		xs = append(xs, float64(a)/float64(b)*100)
	}

	var out strings.Builder
	out.WriteString(header(`fmt.Sprintf("%.2f", x)`,
		"Lines are `BITS<TAB>FORMATTED` where BITS is math.Float64bits(x) in hex."))
	for _, x := range xs {
		fmt.Fprintf(&out, "%016x\t%.2f\n", math.Float64bits(x), x)
	}
	return out.String()
}
