package main

import (
	"fmt"
	"math"
	"strings"
)

// parseGoDuration converts the output of Go's time.Duration.String back into
// integer nanoseconds, exactly (integer arithmetic only, no floats).
//
// Duration.String prints:
//
//	"0s"                     zero
//	"[-]N ns"                |d| < 1µs            e.g. "512ns"
//	"[-]N[.F]µs"             |d| < 1ms            e.g. "1.5µs" (U+00B5; "us"/"μs" also accepted)
//	"[-]N[.F]ms"             |d| < 1s             e.g. "2.000001ms"
//	"[-][Hh][Mm]S[.F]s"      otherwise            e.g. "1h0m0.000000001s", "2m3s", "4.5s"
//
// F has no trailing zeros and at most 9-, 6- or 3-digit precision for s, ms, µs.
// Anything else is an error (this is a strict inverse, not a general parser).
func parseGoDuration(s string) (int64, error) {
	orig := s
	if s == "0s" {
		return 0, nil
	}
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("not a Go Duration.String value: %q (%s)", orig, why)
	}
	var total uint64 // magnitude in ns; may be 1<<63 for math.MinInt64
	add := func(v uint64) bool {
		if total+v < total || total+v > 1<<63 {
			return false
		}
		total += v
		return true
	}
	// number parses "N[.F]" with at most maxFrac fractional digits, returning
	// N*unit + F*unit/10^len(F); ok=false on syntax error or overflow.
	number := func(num string, unit uint64, maxFrac int, fracAllowed bool) (uint64, bool) {
		intPart, frac, hasDot := strings.Cut(num, ".")
		if intPart == "" || (hasDot && (!fracAllowed || frac == "" || len(frac) > maxFrac)) {
			return 0, false
		}
		var n uint64
		for _, c := range []byte(intPart) {
			if c < '0' || c > '9' {
				return 0, false
			}
			if n > (math.MaxUint64-9)/10 {
				return 0, false
			}
			n = n*10 + uint64(c-'0')
		}
		if n != 0 && n > (1<<63)/unit {
			return 0, false
		}
		v := n * unit
		if hasDot {
			scale := unit
			var f uint64
			for _, c := range []byte(frac) {
				if c < '0' || c > '9' {
					return 0, false
				}
				scale /= 10
				f += uint64(c-'0') * scale
			}
			v += f
		}
		return v, true
	}
	switch {
	case strings.HasSuffix(s, "ns"):
		v, ok := number(strings.TrimSuffix(s, "ns"), 1, 0, false)
		if !ok || !add(v) {
			return bad("ns")
		}
	case strings.HasSuffix(s, "µs") || strings.HasSuffix(s, "μs") || strings.HasSuffix(s, "us"):
		var num string
		for _, suf := range []string{"µs", "μs", "us"} {
			if strings.HasSuffix(s, suf) {
				num = strings.TrimSuffix(s, suf)
				break
			}
		}
		v, ok := number(num, 1e3, 3, true)
		if !ok || !add(v) {
			return bad("µs")
		}
	case strings.HasSuffix(s, "ms"):
		v, ok := number(strings.TrimSuffix(s, "ms"), 1e6, 6, true)
		if !ok || !add(v) {
			return bad("ms")
		}
	case strings.HasSuffix(s, "s"):
		rest := strings.TrimSuffix(s, "s")
		if h, r, ok := strings.Cut(rest, "h"); ok {
			v, ok := number(h, 3600e9, 0, false)
			if !ok || !add(v) {
				return bad("h")
			}
			rest = r
		}
		if m, r, ok := strings.Cut(rest, "m"); ok {
			v, ok := number(m, 60e9, 0, false)
			if !ok || !add(v) {
				return bad("m")
			}
			rest = r
		}
		v, ok := number(rest, 1e9, 9, true)
		if !ok || !add(v) {
			return bad("s")
		}
	default:
		return bad("unit")
	}
	if neg {
		if total == 1<<63 {
			return math.MinInt64, nil
		}
		return -int64(total), nil
	}
	if total == 1<<63 {
		return bad("overflow")
	}
	return int64(total), nil
}

// parseSecondsFixed9 converts "%.9f"-formatted seconds (optionally followed by
// "s"), e.g. "0.003405888s" or "12.000000001", into nanoseconds exactly.
// cmd/trace prints time since trace start this way (fmt "%2.9f" of
// Duration.Seconds()); for |d| < ~10^6 s that float64 round-trips to the exact
// nanosecond, so the printed value is exact.
func parseSecondsFixed9(s string) (int64, error) {
	orig := s
	s = strings.TrimSuffix(strings.TrimSpace(s), "s")
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	ip, fp, ok := strings.Cut(s, ".")
	if !ok || len(fp) != 9 || ip == "" {
		return 0, fmt.Errorf("not a %%.9f seconds value: %q", orig)
	}
	var n int64
	for _, c := range []byte(ip + fp) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not a %%.9f seconds value: %q", orig)
		}
		if n > (math.MaxInt64-9)/10 {
			return 0, fmt.Errorf("overflow: %q", orig)
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

// parseElapsed inverts cmd/trace's elapsed() (tasks.go): "%.9f" seconds, where
// for d < 1s the zeros before the first significant fractional digit (and the
// integer "0") are blanked with spaces, e.g. " .  3405888" = 3.405888ms.
func parseElapsed(s string) (int64, error) {
	t := strings.TrimLeft(s, " ")
	if strings.HasPrefix(t, ".") {
		t = "0" + strings.ReplaceAll(t, " ", "0")
	}
	t = strings.TrimRight(t, " ")
	return parseSecondsFixed9(t)
}
