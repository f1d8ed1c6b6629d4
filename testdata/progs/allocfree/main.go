//go:build go1.23

// Command allocfree writes a trace with the alloc/free experiment enabled.
// Run it with GODEBUG=traceallocfree=1 (regen.sh does; Go 1.23+): the trace
// then holds ExperimentalBatch batches and experimental events (span, heap
// object and goroutine stack allocs/frees). The work is deliberately tiny,
// because every heap object is traced.
//
// Usage: allocfree OUT.trace
package main

import (
	"fmt"
	"log"
	"os"
	"runtime/debug"
	"runtime/trace"
)

type node struct {
	next *node
	buf  [48]byte
}

var sink *node

//go:noinline
func grow(n int) int { // deep enough to grow the goroutine stack
	var pad [256]byte
	if n == 0 {
		return int(pad[0])
	}
	return grow(n-1) + int(pad[n%256])
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: allocfree OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	var head *node
	for i := 0; i < 200; i++ {
		head = &node{next: head}
	}
	big := make([]byte, 64<<10) // a large-object span
	done := make(chan int)
	go func() { done <- grow(64) }() // goroutine stack alloc, growth, free
	<-done
	sink = head
	// Churn with a tiny GOGC so a few GC cycles run and free objects.
	// (No runtime.GC here: it waits for sweeping in a Gosched loop, which
	// with this experiment on fills the trace with thousands of GoStop events.)
	old := debug.SetGCPercent(1)
	sink = nil // free the list
	big = nil
	var junk *node
	for i := 0; i < 4000; i++ {
		junk = &node{next: junk}
		if i%500 == 0 {
			junk = nil
		}
	}
	debug.SetGCPercent(old)

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	_ = big
}
