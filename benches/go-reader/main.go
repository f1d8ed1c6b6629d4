// Command go-reader is the reference point for gotrace-tui's decoder benchmark: it reads a
// whole trace with Go's own parser (golang.org/x/exp/trace, the exported copy of the
// standard library's internal/trace) in one goroutine and counts events per kind.
//
// Usage: go-reader TRACE
//
// Run it with GOMAXPROCS=1 for a one-core figure (the parser is single-threaded, but the GC
// is not). The timing covers open + header + the whole ReadEvent loop.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/exp/trace"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-reader TRACE")
		os.Exit(2)
	}
	path := os.Args[1]

	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		fail(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fail(err)
	}
	r, err := trace.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fail(err)
	}

	var counts [trace.EventExperimental + 1]uint64
	var other, total uint64
	var last trace.Time
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(fmt.Errorf("after %d events: %w", total, err))
		}
		total++
		last = ev.Time()
		switch k := ev.Kind(); k {
		case trace.EventSync, trace.EventMetric, trace.EventLabel, trace.EventStackSample,
			trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd,
			trace.EventTaskBegin, trace.EventTaskEnd, trace.EventRegionBegin, trace.EventRegionEnd,
			trace.EventLog, trace.EventStateTransition, trace.EventExperimental:
			counts[k]++
		default:
			other++
		}
	}
	elapsed := time.Since(start)

	size := st.Size()
	fmt.Printf("file %s %d bytes\n", path, size)
	for k, n := range counts {
		if n > 0 {
			fmt.Printf("kind %-16s %d\n", trace.EventKind(k), n)
		}
	}
	if other > 0 {
		fmt.Printf("kind %-16s %d\n", "other", other)
	}
	fmt.Printf("last_time %d\n", last)
	fmt.Printf("events %d\n", total)
	fmt.Printf("elapsed %.3f s\n", elapsed.Seconds())
	fmt.Printf("throughput %.1f MB/s %.2f Mevents/s\n",
		float64(size)/1e6/elapsed.Seconds(), float64(total)/1e6/elapsed.Seconds())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go-reader:", err)
	os.Exit(1)
}
