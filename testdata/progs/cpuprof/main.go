// Command cpuprof writes a trace while a CPU profile is running
// (pprof.StartCPUProfile to io.Discard), with ~250 ms of CPU-bound work in two
// goroutines, so the trace holds CPU samples.
//
// Usage: cpuprof OUT.trace
package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

//go:noinline
func spin(d time.Duration) uint64 {
	var x uint64 = 1
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 10000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	return x
}

//go:noinline
func spinOuter(d time.Duration) uint64 { return spin(d) }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cpuprof OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	var wg sync.WaitGroup
	var r [2]uint64
	for i := range r {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i == 0 {
				r[i] = spin(250 * time.Millisecond)
			} else {
				r[i] = spinOuter(200 * time.Millisecond)
			}
		}(i)
	}
	wg.Wait()

	trace.Stop()
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(r[0] ^ r[1])
}
