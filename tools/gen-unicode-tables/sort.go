package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

type sortElem struct{ key, idx int }

// sortCases records the order slices.SortFunc leaves (key, index) pairs in
// when comparing keys only. Go's pdqsort is unstable, so the index order of
// equal keys is exactly what a port must reproduce. Shapes are chosen to
// reach every branch: insertion sort, ninther, reversal, partial insertion
// sort, equal-element partitioning, pattern breaking and the heapsort
// fallback (McIlroy's adversary).
func sortCases() string {
	rng := newRand(2)
	type shape struct {
		name string
		gen  func(n int) []int
	}
	randMod := func(m func(n int) int) func(n int) []int {
		return func(n int) []int {
			k := make([]int, n)
			mod := max(m(n), 1)
			for i := range k {
				k[i] = rng.IntN(mod)
			}
			return k
		}
	}
	shapes := []shape{
		{"random-mod2", randMod(func(int) int { return 2 })},
		{"random-mod5", randMod(func(int) int { return 5 })},
		{"random-modn/4", randMod(func(n int) int { return n/4 + 1 })},
		{"permutation", func(n int) []int { return rng.Perm(n) }},
		{"equal", func(n int) []int { return make([]int, n) }},
		{"ascending-dups", func(n int) []int {
			k := make([]int, n)
			for i := range k {
				k[i] = i / 3
			}
			return k
		}},
		{"descending-dups", func(n int) []int {
			k := make([]int, n)
			for i := range k {
				k[i] = (n - i) / 3
			}
			return k
		}},
		{"descending-strict", func(n int) []int {
			k := make([]int, n)
			for i := range k {
				k[i] = n - i
			}
			return k
		}},
		{"nearly-sorted", func(n int) []int {
			k := make([]int, n)
			for i := range k {
				k[i] = i / 2
			}
			for range 1 + rng.IntN(4) {
				if n > 1 {
					i, j := rng.IntN(n), rng.IntN(n)
					k[i], k[j] = k[j], k[i]
				}
			}
			return k
		}},
		{"sawtooth", func(n int) []int {
			k := make([]int, n)
			m := 2 + rng.IntN(20)
			for i := range k {
				k[i] = i % m
			}
			return k
		}},
		{"organ-pipe", func(n int) []int {
			k := make([]int, n)
			for i := range k {
				k[i] = min(i, n-1-i) / 2
			}
			return k
		}},
		{"sorted-then-random", func(n int) []int {
			k := make([]int, n)
			for i := range k {
				k[i] = i / 4
			}
			for i := n - n/10; i < n; i++ {
				k[i] = rng.IntN(n/4 + 1)
			}
			return k
		}},
		{"descending-plateaus", func(n int) []int {
			// Strictly decreasing around the pivot samples, so pdqsort reverses
			// the range first, but with equal keys elsewhere (whose order the
			// reversal decides) and a few misplaced keys so that sorting
			// continues after the reversal.
			for {
				k := make([]int, n)
				for i := range k {
					k[i] = n - i
					if i > 0 && rng.IntN(8) == 0 {
						k[i] = k[i-1]
					}
				}
				for range 3 + rng.IntN(20) {
					i, j := rng.IntN(n), rng.IntN(n)
					k[i], k[j] = k[j], k[i]
				}
				if n < 50 || pivotSamplesDecreasing(k) {
					return k
				}
			}
		}},
		{"adversary", func(n int) []int { return adversary(n, 1) }},
		{"adversary-dup2", func(n int) []int { return adversary(n, 2) }},
		{"adversary-dup3", func(n int) []int { return adversary(n, 3) }},
	}

	var out strings.Builder
	out.WriteString(header("slices.SortFunc on (key, index) pairs compared by key only",
		"Each case is three lines: `case SHAPE N`, then KEYS and ORDER as N fixed-width 3-digit hex",
		"numbers run together: the input keys, and the original indices in the order SortFunc leaves them."))
	emit := func(name string, keys []int) {
		elems := make([]sortElem, len(keys))
		for i, k := range keys {
			if k < 0 || k > 0xFFF {
				panic("key out of range")
			}
			elems[i] = sortElem{k, i}
		}
		slices.SortFunc(elems, func(a, b sortElem) int { return cmp.Compare(a.key, b.key) })
		fmt.Fprintf(&out, "case %s %d\n", name, len(keys))
		for _, k := range keys {
			fmt.Fprintf(&out, "%03x", k)
		}
		out.WriteByte('\n')
		for _, e := range elems {
			fmt.Fprintf(&out, "%03x", e.idx)
		}
		out.WriteByte('\n')
	}
	// Every small length (the insertion-sort cut-off and just above it).
	for n := 0; n <= 64; n++ {
		emit("random-mod5", shapes[1].gen(n))
		emit("random-modn/4", shapes[2].gen(n))
	}
	sizes := []int{13, 49, 50, 51, 100, 257, 2000}
	for _, s := range shapes {
		for _, n := range sizes {
			emit(s.name, s.gen(n))
		}
	}
	// A few more random lengths with heavy duplication.
	for range 2 {
		n := 65 + rng.IntN(1936)
		emit("random-mod5", shapes[1].gen(n))
	}
	return out.String()
}

// adversary builds McIlroy's "killer adversary" input for slices.SortFunc:
// keys are fixed lazily so every partition is as unbalanced as possible,
// which drives pdqsort through pattern breaking into its heapsort fallback.
// With dup > 1, keys are frozen in groups of dup equal values, so the heapsort
// also meets equal keys.
func adversary(n, dup int) []int {
	gas := n
	val := make([]int, n)
	for i := range val {
		val[i] = gas
	}
	candidate, nsolid := -1, 0
	ptr := make([]int, n)
	for i := range ptr {
		ptr[i] = i
	}
	slices.SortFunc(ptr, func(x, y int) int {
		if val[x] == gas && val[y] == gas {
			if x == candidate {
				val[x] = nsolid / dup
			} else {
				val[y] = nsolid / dup
			}
			nsolid++
		}
		if val[x] == gas {
			candidate = x
		} else if val[y] == gas {
			candidate = y
		}
		return cmp.Compare(val[x], val[y])
	})
	return val
}

// pivotSamplesDecreasing reports whether pdqsort's first Tukey ninther (for
// len(k) >= 50) sees a strictly decreasing sample, i.e. makes all 12 swaps.
func pivotSamplesDecreasing(k []int) bool {
	l := len(k)
	for _, m := range []int{l / 4, l / 4 * 2, l / 4 * 3} {
		if !(k[m-1] > k[m] && k[m] > k[m+1]) {
			return false
		}
	}
	return k[l/4] > k[l/4*2] && k[l/4*2] > k[l/4*3]
}
