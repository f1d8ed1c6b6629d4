// Command gomaxprocs writes a trace in which runtime.GOMAXPROCS changes
// 2 -> 1 -> 4 -> 2 while goroutines run (Ps appear and disappear).
//
// Usage: gomaxprocs OUT.trace
package main

import (
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gomaxprocs OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	runtime.GOMAXPROCS(2)
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	var stop atomic.Bool
	var work atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				x := 0
				for j := 0; j < 20000; j++ {
					x += j ^ g
				}
				work.Add(int64(x & 1))
				switch {
				case i%50 == 0:
					time.Sleep(500 * time.Microsecond)
				case i%5 == 0:
					runtime.Gosched()
				}
			}
		}(g)
	}
	for _, n := range []int{2, 1, 4, 2} {
		runtime.GOMAXPROCS(n)
		time.Sleep(10 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(work.Load())
}
