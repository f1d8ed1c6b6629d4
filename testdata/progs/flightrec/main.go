//go:build go1.25

// Command flightrec writes a flight-recorder snapshot (runtime/trace
// FlightRecorder, Go 1.25+), not a trace.Start trace. Run it with
// GODEBUG=traceadvanceperiod=10000000 (10 ms; regen.sh does): the recorder
// runs ~150 ms of work, so several generations pass and the snapshot's first
// generation is not 1.
//
// Usage: flightrec OUT.trace
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: flightrec OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{
		MinAge:   30 * time.Millisecond,
		MaxBytes: 256 << 10,
	})
	if err := fr.Start(); err != nil {
		log.Fatal(err)
	}

	ctx, task := trace.NewTask(context.Background(), "recorded")
	ch := make(chan int)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 40; i++ {
			time.Sleep(3 * time.Millisecond)
			ch <- i
		}
		close(ch)
	}()
	go func() {
		defer wg.Done()
		for v := range ch {
			trace.WithRegion(ctx, "consume", func() {
				if v%8 == 0 {
					trace.Logf(ctx, "consume", "v=%d", v)
				}
			})
		}
	}()
	wg.Wait()
	task.End()

	if _, err := fr.WriteTo(f); err != nil {
		log.Fatal(err)
	}
	fr.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
