package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// timeCases records time.Unix(sec, nsec).UTC().Format(time.RFC3339Nano),
// including nanosecond normalisation, years outside 0000..9999 and the
// int64 wrap-around Go's calendar arithmetic performs at the extremes.
func timeCases() string {
	rng := newRand(3)
	type tc struct{ sec, nsec int64 }
	var cases []tc
	add := func(sec, nsec int64) { cases = append(cases, tc{sec, nsec}) }

	for _, ns := range []int64{0, 1, 10, 1000, 120000000, 100000000, 123000000, 123456000, 123456789, 999999999,
		1e9, 1e9 + 1, -1, -999999999, -1e9, -1e9 - 1, 5e9 + 7, -5e9 - 7, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		add(0, ns)
		add(-1, ns)
		add(1700000000, ns)
	}
	// Calendar landmarks: year 1, year 0, negative years, 9999/10000 and leap days.
	for _, d := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(-9999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1900, 2, 28, 12, 0, 0, 0, time.UTC),
		time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC),
		time.Date(2000, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 1, 2, 3, 0, time.UTC),
		time.Date(2100, 2, 28, 0, 0, 0, 0, time.UTC),
		time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2400, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2038, 1, 19, 3, 14, 7, 0, time.UTC),
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1599, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		for _, delta := range []int64{-1, 0, 1} {
			add(d.Unix()+delta, 0)
			add(d.Unix()+delta, 500000000)
		}
	}
	// Extremes, where Go's conversions to absolute time wrap around.
	for _, s := range []int64{math.MinInt64, math.MinInt64 + 1, math.MaxInt64, math.MaxInt64 - 1,
		math.MinInt64 / 2, math.MaxInt64 / 2, -9223372028715323201, -9223372028715323200,
		9223372036854775807 - 62135596800, -(9223372036854775807 - 62135596800),
		1 << 40, -(1 << 40), 1 << 50, -(1 << 50), 1 << 62, -(1 << 62)} {
		for _, ns := range []int64{0, 999999999, -1, 1e9, math.MaxInt64, math.MinInt64} {
			add(s, ns)
		}
	}
	// Random instants: plausible trace wall clocks, wide calendar spans and the
	// whole int64 range, with in-range and out-of-range nanoseconds.
	for range 100 {
		add(1500000000+rng.Int64N(1e9), rng.Int64N(1e9))
	}
	for range 100 {
		add(rng.Int64N(1e12)-5e11, rng.Int64N(4e9)-2e9)
	}
	for range 100 {
		add(int64(rng.Uint64()), int64(rng.Uint64()))
	}

	var out strings.Builder
	out.WriteString(header("time.Unix(sec, nsec).UTC().Format(time.RFC3339Nano)",
		"Lines are `SEC NSEC<TAB>FORMATTED` with SEC and NSEC in decimal."))
	for _, c := range cases {
		fmt.Fprintf(&out, "%d %d\t%s\n", c.sec, c.nsec, time.Unix(c.sec, c.nsec).UTC().Format(time.RFC3339Nano))
	}
	return out.String()
}
