package main

import (
	"encoding/json"
	"math/rand"
	"testing"
	"time"
)

// roundTrip encodes n ns exactly as cmd/trace does (viewerTime, then
// encoding/json) and checks that usToNs gives n back.
func roundTrip(t *testing.T, n int64) {
	t.Helper()
	b, err := json.Marshal(float64(time.Duration(n)) / float64(time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	got, err := usToNs(string(b))
	if err != nil {
		t.Fatalf("%d ns -> %s: %v", n, b, err)
	}
	if got != n {
		t.Fatalf("%d ns -> %s -> %d ns", n, b, got)
	}
}

func TestUsToNsExhaustiveSmall(t *testing.T) {
	for n := int64(-200_000); n <= 3_000_000; n++ {
		roundTrip(t, n)
	}
}

func TestUsToNsRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 2_000_000; i++ {
		var n int64
		switch i % 4 {
		case 0: // typical trace-relative times: up to ~1 hour
			n = r.Int63n(3600 * 1e9)
		case 1: // absolute Go trace times (ns since boot), as elapsed(0) would give negated
			n = -r.Int63n(1e15)
		case 2: // anything exactly invertible
			n = r.Int63n(maxExactNs/1000*1000-1) * int64(1-2*(i/4%2))
		default: // near powers of two and ten, where float rounding changes
			base := int64(1) << uint(r.Intn(50))
			if r.Intn(2) == 0 {
				base = 1
				for k := r.Intn(15); k > 0; k-- {
					base *= 10
				}
			}
			n = base + r.Int63n(2001) - 1000
		}
		roundTrip(t, n)
	}
}

func TestUsToNsGoFormatting(t *testing.T) {
	// Strings as they appear in real /jsontrace output.
	cases := map[string]int64{
		"0":            0,
		"17.472":       17472,
		"42.24":        42240,
		"0.001":        1,
		"-0.001":       -1,
		"1000":         1000000,
		"123456.789":   123456789,
		"4178625.001":  4178625001,
		"1e-7":         0, // never produced; rejected below
		"3599999999.9": 3599999999900,
	}
	for text, want := range cases {
		got, err := usToNs(text)
		if text == "1e-7" {
			if err == nil {
				t.Errorf("%q: accepted as %d, want an error", text, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("usToNs(%q) = %d, %v; want %d", text, got, err, want)
		}
	}
	// Not of the form n/1000, or not Go's shortest text.
	for _, text := range []string{"0.0005", "17.4720", "1.0", "17472e-3", "nan", "1e300"} {
		if n, err := usToNs(text); err == nil {
			t.Errorf("usToNs(%q) = %d, want an error", text, n)
		}
	}
}
