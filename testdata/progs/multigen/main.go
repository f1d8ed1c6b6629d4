// Command multigen writes a trace that spans several generations. Run it with
// GODEBUG=traceadvanceperiod=20000000 (20 ms; regen.sh does) so ~120 ms of
// light work covers at least 3 generations. A goroutine stays blocked, a task
// and a region stay open, and a ticker runs across the generation boundaries.
//
// Usage: multigen OUT.trace
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
		fmt.Fprintln(os.Stderr, "usage: multigen OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	ctx, task := trace.NewTask(context.Background(), "whole run")
	region := trace.StartRegion(ctx, "across generations")

	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // blocked for (almost) the whole trace
		defer wg.Done()
		<-release
		trace.Log(ctx, "blocked", "released")
	}()

	ticks := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		n := 0
		for v := range ticks {
			n += v
		}
		trace.Logf(ctx, "sum", "%d", n)
	}()

	t := time.NewTicker(4 * time.Millisecond)
	deadline := time.Now().Add(120 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		<-t.C
		ticks <- i
		if i%5 == 0 {
			trace.Logf(ctx, "tick", "%d", i)
		}
	}
	t.Stop()
	close(ticks)
	close(release)
	wg.Wait()
	region.End()
	task.End()

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
