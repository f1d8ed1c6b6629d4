// Command stress writes a busier trace (~100-300 KB) than the other
// scenarios, so that each M flushes several batches and the reader has to
// merge many batches per generation: channel pipelines, a loopback TCP
// ping-pong (127.0.0.1 only), mutex contention, sleeps, Gosched and
// allocation churn (GC cycles), all at once. The amount of work is fixed
// (counts, not time) to keep the trace size stable.
//
// Usage: stress OUT.trace
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

var sink atomic.Pointer[[]byte]

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: stress OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	const (
		pipeItems  = 2500
		pingPongs  = 500
		lockRounds = 1000
		sleeps     = 40
	)
	var wg sync.WaitGroup
	spawn := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}

	// Channel pipelines: source -> stage -> sink, a few of them.
	for p := 0; p < 3; p++ {
		a, b := make(chan int), make(chan int, 4)
		spawn(func() {
			for i := 0; i < pipeItems; i++ {
				a <- i
			}
			close(a)
		})
		spawn(func() {
			for v := range a {
				b <- v * 2
			}
			close(b)
		})
		spawn(func() {
			n := 0
			for v := range b {
				n += v
				if n%64 == 0 {
					buf := make([]byte, 1024)
					sink.Store(&buf)
				}
			}
		})
	}

	// Loopback TCP ping-pong.
	spawn(func() {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		io.Copy(c, c) // echo
		c.Close()
	})
	spawn(func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			log.Fatal(err)
		}
		msg := []byte("ping over loopback")
		buf := make([]byte, len(msg))
		for i := 0; i < pingPongs; i++ {
			c.Write(msg)
			if _, err := io.ReadFull(c, buf); err != nil {
				log.Fatal(err)
			}
		}
		c.Close()
	})

	// Mutex contention with allocation under the lock.
	var mu sync.Mutex
	shared := make([][]byte, 0, 256)
	for g := 0; g < 4; g++ {
		spawn(func() {
			for i := 0; i < lockRounds; i++ {
				mu.Lock()
				shared = append(shared, make([]byte, 4096))
				if len(shared) == cap(shared) {
					shared = shared[:0]
				}
				mu.Unlock()
				if i%16 == 0 {
					runtime.Gosched()
				}
			}
		})
	}

	// Sleepers and short-lived goroutines.
	for g := 0; g < 4; g++ {
		spawn(func() {
			for i := 0; i < sleeps; i++ {
				time.Sleep(200 * time.Microsecond)
				done := make(chan struct{})
				go func() { close(done) }()
				<-done
			}
		})
	}

	wg.Wait()
	ln.Close()

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
