// Command chan writes the classic channel hand-off trace: main starts two
// goroutines, one sends a string on an unbuffered channel that main receives,
// the other does a little work; a sync.WaitGroup joins both.
//
// Usage: chan OUT.trace
package main

import (
	"fmt"
	"log"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: chan OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	ch := make(chan string)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		time.Sleep(time.Millisecond) // make main block in the receive first
		ch <- "hello"
	}()
	sum := 0
	go func() {
		defer wg.Done()
		for i := 0; i < 100000; i++ {
			sum += i * i
		}
	}()
	msg := <-ch
	wg.Wait()
	_ = msg

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(msg, sum)
}
