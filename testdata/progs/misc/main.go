// Command misc writes a trace covering odds and ends of the format:
//   - goroutines that exist before trace.Start in various states (blocked on a
//     channel, sleeping, blocked in a read(2) syscall, running/runnable);
//   - blocking in select, sync.Cond (Wait/Signal/Broadcast), a full buffered
//     channel, network I/O wait on a loopback TCP connection, time.AfterFunc,
//     runtime.Gosched, runtime.LockOSThread, runtime.Goexit;
//   - user annotations without a task, nested regions, a log from a very deep
//     stack (stack truncation), a task and a region left open at trace end;
//   - goroutines still blocked at trace end (channel, select{}, sleep).
//
// Usage: misc OUT.trace
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

var never = make(chan int)

//go:noinline
func deep(ctx context.Context, n int) int {
	if n == 0 {
		trace.Log(ctx, "deep", "bottom of a 200-frame stack")
		return 0
	}
	return deep(ctx, n-1) + 1
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: misc OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}

	// --- goroutines created before tracing starts ---
	preWake := make(chan struct{})
	preDone := make(chan struct{}, 8)
	go func() { <-preWake; preDone <- struct{}{} }()                         // waiting on a channel
	go func() { time.Sleep(15 * time.Millisecond); preDone <- struct{}{} }() // sleeping
	go func() { <-never }()                                                  // blocked forever
	go func() { select {} }()                                                // blocked forever, no cases
	go func() { time.Sleep(time.Hour) }()                                    // sleeping past trace end
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		log.Fatal(err)
	}
	go func() { // in a blocking syscall when tracing starts
		var b [1]byte
		syscall.Read(p[0], b[:])
		preDone <- struct{}{}
	}()
	time.Sleep(5 * time.Millisecond)
	for i := 0; i < 3; i++ { // more busy goroutines than Ps: some are runnable at start
		go func() {
			end := time.Now().Add(2 * time.Millisecond)
			for time.Now().Before(end) {
			}
			preDone <- struct{}{}
		}()
	}

	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	// Annotations without a task, nested regions.
	bg := context.Background()
	trace.Log(bg, "", "log without task or category")
	outer := trace.StartRegion(bg, "outer")
	trace.WithRegion(bg, "inner", func() {
		trace.WithRegion(bg, "innermost", func() { runtime.Gosched() })
	})
	outer.End()
	deep(bg, 200)

	// select blocking on two channels; woken by the second.
	a, b := make(chan int), make(chan int)
	selDone := make(chan int)
	go func() {
		select {
		case v := <-a:
			selDone <- v
		case v := <-b:
			selDone <- v
		}
	}()
	time.Sleep(time.Millisecond)
	b <- 2
	<-selDone

	// sync.Cond.
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	ready := 0
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			for ready == 0 {
				cond.Wait()
			}
			mu.Unlock()
		}()
	}
	time.Sleep(time.Millisecond)
	mu.Lock()
	ready = 1
	cond.Signal()
	mu.Unlock()
	time.Sleep(500 * time.Microsecond)
	mu.Lock()
	cond.Broadcast()
	mu.Unlock()
	wg.Wait()

	// Sender blocked on a full buffered channel.
	full := make(chan int, 1)
	full <- 0
	go func() { full <- 1 }()
	time.Sleep(time.Millisecond)
	<-full
	<-full

	// Network wait over loopback TCP.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	netDone := make(chan int)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		buf, _ := io.ReadAll(c) // waits in the netpoller
		c.Close()
		netDone <- len(buf)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	c.Write([]byte("ping over loopback"))
	c.Close()
	<-netDone
	ln.Close()

	// Timer callback goroutine.
	fired := make(chan struct{})
	time.AfterFunc(time.Millisecond, func() { close(fired) })
	<-fired

	// Locked OS thread, and Goexit.
	lockDone := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		time.Sleep(300 * time.Microsecond)
		runtime.UnlockOSThread()
		close(lockDone)
	}()
	<-lockDone
	exitDone := make(chan struct{})
	go func() {
		defer close(exitDone)
		runtime.Goexit()
	}()
	<-exitDone

	// Wake the pre-existing goroutines.
	close(preWake)
	syscall.Write(p[1], []byte{1})
	for i := 0; i < 6; i++ {
		<-preDone
	}

	// A task and a region left open, and goroutines still blocked, at trace end.
	ctx, _ := trace.NewTask(bg, "never ended")
	trace.StartRegion(ctx, "never ended region")
	go func() { <-never }()
	runtime.Gosched()

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
