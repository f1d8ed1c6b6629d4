// Command mutex writes a trace of goroutines contending on a sync.Mutex while
// doing syscalls (file writes to a temp file, getpid, a blocking read on a
// raw pipe), sleeping, and allocating enough to run the GC concurrently
// (mark assists, sweeping, stop-the-world). It deliberately does not call
// runtime.GC(): while tracing, that often spins for many milliseconds in a
// Gosched loop waiting for concurrent sweepers (see runtime.GC in mgc.go),
// adding tens of thousands of GoStop/GoStart pairs and making the trace size
// vary tenfold from run to run.
//
// Usage: mutex OUT.trace
package main

import (
	"fmt"
	"log"
	"os"
	"runtime/debug"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

var sink [][]byte

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mutex OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	tmp, err := os.CreateTemp("", "gotrace-mutex-*")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(tmp.Name())
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil { // blocking fds: the read is a real blocking syscall
		log.Fatal(err)
	}
	debug.SetGCPercent(20) // GC often

	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	// A goroutine blocked in read(2) on the pipe for a while.
	piped := make(chan int)
	go func() {
		var b [8]byte
		n, err := syscall.Read(p[0], b[:])
		if err != nil {
			log.Fatal(err)
		}
		piped <- n
	}()

	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			local := make([][]byte, 0, 64)
			for i := 0; i < 60; i++ {
				mu.Lock()
				counter++
				if i%4 == 0 {
					fmt.Fprintf(tmp, "g%d i%d\n", g, i) // write(2) under the lock
				}
				for j := 0; j < 20; j++ { // allocation churn while holding the lock
					local = append(local, make([]byte, 2048))
				}
				if len(local) > 400 {
					local = local[:0]
				}
				mu.Unlock()
				_ = os.Getpid()
				if i%10 == 0 {
					time.Sleep(200 * time.Microsecond)
				}
			}
			mu.Lock()
			sink = append(sink, local[:4]...)
			mu.Unlock()
		}(g)
	}
	wg.Wait()
	if _, err := syscall.Write(p[1], []byte("wake")); err != nil {
		log.Fatal(err)
	}
	<-piped

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(counter)
}
