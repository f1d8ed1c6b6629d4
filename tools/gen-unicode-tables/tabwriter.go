package main

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
)

// tabwriterCases records text/tabwriter output (flags 0) for the exact
// `go tool trace -d=footprint` table shape and for random ragged tables that
// stress column blocks, empty cells, multi-byte runes, '\v', '\f' and
// unterminated trailing text.
func tabwriterCases() string {
	rng := newRand(5)
	var out strings.Builder
	out.WriteString(header("text/tabwriter output with flags 0",
		"Each case is `case MINWIDTH TABWIDTH PADDING PADCHAR-HEX`, then `in LEN` and LEN raw bytes of input,",
		"a newline, then `out LEN` and LEN raw bytes of output, a newline."))
	emit := func(minwidth, tabwidth, padding int, padchar byte, writes []string) {
		var buf bytes.Buffer
		w := tabwriter.NewWriter(&buf, minwidth, tabwidth, padding, padchar, 0)
		for _, s := range writes {
			if _, err := w.Write([]byte(s)); err != nil {
				panic(err)
			}
		}
		if err := w.Flush(); err != nil {
			panic(err)
		}
		in := strings.Join(writes, "")
		fmt.Fprintf(&out, "case %d %d %d %02x\nin %d\n%s\nout %d\n%s\n", minwidth, tabwidth, padding, padchar, len(in), in, buf.Len(), buf.String())
	}

	// The footprint table: the same Fprintf calls as cmd/trace's
	// debugEventsFootprint, over synthetic statistics.
	names := []string{"EvGoCreate", "EvProcStart", "EvGoStatusStack", "EvStacks", "EvFrequency", "EvEventBatch",
		"EvSTWBegin", "EvUserLog", "EvGCSweepActive", "EvHeapGoal", "EvGoSyscallEndBlocked", "EvGoUnblock"}
	for c := range 6 {
		type stat struct {
			typ          int
			count, bytes int
		}
		stats := make([]stat, 256)
		total, events := 0, 0
		for i := range stats {
			stats[i].typ = i
			if rng.IntN(4) == 0 || i < 3*c {
				stats[i].count = rng.IntN(1 << uint(4*(c%5)+4))
				stats[i].bytes = stats[i].count * (1 + rng.IntN(40))
			}
			total += stats[i].bytes
			events += stats[i].count
		}
		total += rng.IntN(1000)
		if c == 5 {
			// An empty trace: every percentage is 0/0.
			for i := range stats {
				stats[i].count, stats[i].bytes = 0, 0
			}
			total, events = 0, 0
		}
		slices.SortFunc(stats, func(a, b stat) int { return cmp.Compare(b.bytes, a.bytes) })
		var writes []string
		writes = append(writes, fmt.Sprintf("Event\tBytes\t%%\tCount\t%%\n"), fmt.Sprintf("-\t-\t-\t-\t-\n"))
		for _, s := range stats {
			name := fmt.Sprintf("<unknown (%d)>", s.typ)
			if s.typ < len(names)*4 {
				name = names[s.typ%len(names)]
			}
			bytesPct := float64(s.bytes) / float64(total) * 100
			countPct := float64(s.count) / float64(events) * 100
			writes = append(writes, fmt.Sprintf("%s\t%d\t%.2f%%\t%d\t%.2f%%\n", name, s.bytes, bytesPct, s.count, countPct))
		}
		emit(3, 8, 2, ' ', writes)
	}

	// Random ragged tables.
	words := []string{"", "", "a", "bb", "ccc", "dddd", "eeeeeeeee", "é", "日本語", "x y", "0123456789abcdef", "🙂", "-"}
	params := [][4]int{{3, 8, 2, ' '}, {0, 8, 1, ' '}, {0, 4, 0, '.'}, {8, 8, 1, '\t'}, {0, 0, 1, '\t'}, {5, 0, 3, '*'}, {1, 3, 1, '\t'}}
	for c := range 60 {
		p := params[c%len(params)]
		var b strings.Builder
		lines := rng.IntN(14)
		for range lines {
			cells := rng.IntN(6)
			for range cells {
				b.WriteString(words[rng.IntN(len(words))])
				switch rng.IntN(12) {
				case 0:
					b.WriteByte('\v')
				default:
					b.WriteByte('\t')
				}
			}
			b.WriteString(words[rng.IntN(len(words))])
			switch rng.IntN(15) {
			case 0:
				b.WriteByte('\f')
			default:
				b.WriteByte('\n')
			}
		}
		if rng.IntN(3) == 0 {
			b.WriteString("trailing\t" + words[rng.IntN(len(words))])
		}
		// Feed the text in random pieces, as fmt.Fprintf calls would.
		text := b.String()
		var writes []string
		for len(text) > 0 {
			n := min(len(text), 1+rng.IntN(20))
			writes = append(writes, text[:n])
			text = text[n:]
		}
		emit(p[0], p[1], p[2], byte(p[3]), writes)
	}
	return out.String()
}
