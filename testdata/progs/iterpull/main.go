//go:build go1.23

// Command iterpull writes a trace of iter.Pull coroutines (Go 1.23+): a
// generator pulled to exhaustion, one stopped early, and one pulled
// alternately from two goroutines. These produce GoCreateBlocked, GoSwitch
// and GoSwitchDestroy events.
//
// Usage: iterpull OUT.trace
package main

import (
	"fmt"
	"iter"
	"log"
	"os"
	"runtime/trace"
	"sync"
)

func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: iterpull OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	total := 0
	// Pulled to the end.
	next, stop := iter.Pull(count(20))
	for {
		v, ok := next()
		if !ok {
			break
		}
		total += v
	}
	stop()

	// Stopped early.
	next, stop = iter.Pull(count(1000))
	for i := 0; i < 5; i++ {
		v, _ := next()
		total += v
	}
	stop()

	// Created and stopped without ever being pulled.
	_, stop = iter.Pull(count(3))
	stop()

	// Bounced between two goroutines.
	next, stop = iter.Pull(count(20))
	var wg sync.WaitGroup
	turn := [2]chan bool{make(chan bool), make(chan bool)}
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for range turn[g] {
				v, ok := next()
				if !ok {
					close(turn[1-g])
					return
				}
				total += v
				turn[1-g] <- true
			}
		}(g)
	}
	turn[0] <- true
	wg.Wait()
	stop()

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(total)
}
