package main

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
	"time"
)

func TestParseGoDuration(t *testing.T) {
	check := func(d time.Duration) {
		t.Helper()
		s := d.String()
		got, err := parseGoDuration(s)
		if err != nil {
			t.Fatalf("%d (%q): %v", int64(d), s, err)
		}
		if got != int64(d) {
			t.Fatalf("%q: got %d want %d", s, got, int64(d))
		}
	}
	fixed := []int64{0, 1, 9, 10, 999, 1000, 1001, 1500, 999999, 1000000, 1000001, 1234567,
		999999999, 1e9, 1e9 + 1, 59e9, 60e9, 60e9 + 1, 3599999999999, 3600e9, 3600e9 + 1,
		86400e9 + 1, 100 * 3600e9, math.MaxInt64, math.MinInt64, math.MinInt64 + 1, -1, -1000, -1e9 - 1}
	for _, v := range fixed {
		check(time.Duration(v))
	}
	// Every power of ten and its neighbours, every digit count.
	for p := int64(1); p > 0 && p < math.MaxInt64/10; p *= 10 {
		for _, v := range []int64{p - 1, p, p + 1, 2*p - 1, 5 * p, 9*p + 1} {
			check(time.Duration(v))
			check(time.Duration(-v))
		}
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 2000000; i++ {
		var v int64
		switch i % 4 {
		case 0:
			v = r.Int63n(1e4)
		case 1:
			v = r.Int63n(1e10)
		case 2:
			v = r.Int63n(1e14)
		default:
			v = r.Int63()
		}
		if i%7 == 0 {
			v = -v
		}
		check(time.Duration(v))
	}
	for _, bad := range []string{"", "s", "1", "1.s", ".5s", "1.0000000001s", "1.2345ms0", "1x", "--1s", "1h", "1m", "1.5ns", "1.2345µs", "9223372036854775808ns", "2562047h47m16.854775808s"} {
		if v, err := parseGoDuration(bad); err == nil {
			t.Errorf("%q: expected an error, got %d", bad, v)
		}
	}
	// Agreement with time.ParseDuration on Duration.String values.
	for i := 0; i < 100000; i++ {
		d := time.Duration(r.Int63n(1e13))
		p, err := time.ParseDuration(d.String())
		if err != nil || p != d {
			t.Fatalf("time.ParseDuration disagrees on %q: %v %v", d.String(), p, err)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 1000000; i++ {
		d := time.Duration(r.Int63n(int64(1000 * time.Second)))
		if i%3 == 0 {
			d = time.Duration(r.Int63n(int64(10 * time.Second)))
		}
		// As cmd/trace/tasks.go prints it.
		for _, s := range []string{fmt.Sprintf("%2.9fs", d.Seconds()), fmt.Sprintf("%2.9f", d.Seconds())} {
			got, err := parseSecondsFixed9(s)
			if err != nil || got != int64(d) {
				t.Fatalf("%q: got %d, %v; want %d", s, got, err, int64(d))
			}
		}
		e := elapsedLikeGo(d)
		got, err := parseElapsed(e)
		if err != nil || got != int64(d) {
			t.Fatalf("elapsed %q: got %d, %v; want %d", e, got, err, int64(d))
		}
	}
	for _, d := range []time.Duration{0, 1, 999999999, time.Second, time.Second + 1} {
		e := elapsedLikeGo(d)
		if got, err := parseElapsed(e); err != nil || got != int64(d) {
			t.Fatalf("elapsed %q: got %d, %v; want %d", e, got, err, int64(d))
		}
	}
}

// elapsedLikeGo is a copy of cmd/trace/tasks.go's elapsed.
func elapsedLikeGo(d time.Duration) string {
	b := fmt.Appendf(nil, "%.9f", d.Seconds())
	if d < time.Second {
		dot := -1
		for i, c := range b {
			if c == '.' {
				dot = i
				break
			}
		}
		for i := 0; i < dot; i++ {
			b[i] = ' '
		}
		for i := dot + 1; i < len(b); i++ {
			if b[i] == '0' {
				b[i] = ' '
			} else {
				break
			}
		}
	}
	return string(b)
}
