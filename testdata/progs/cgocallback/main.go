// Command cgocallback writes a trace where threads created in C (pthread)
// call back into Go, so the trace holds GoCreateSyscall / GoDestroySyscall
// (a goroutine appearing on, and leaving, a thread the runtime did not
// create). Needs cgo (CGO_ENABLED=1 and a C compiler).
//
// Usage: cgocallback OUT.trace
package main

/*
#include <pthread.h>

void goCallback(int);
void goCallback2(void);

static void *thr(void *arg) {
	goCallback((int)(long)arg);
	return 0;
}

static void spawnAndJoin(int i) {
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	pthread_create(&th, &attr, thr, (void*)(long)i);
	pthread_join(th, 0);
}

static void callBack2(void) {
	goCallback2();
}
*/
import "C"

import (
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/trace"
	"sync/atomic"
	"time"
)

var calls atomic.Int64

//export goCallback
func goCallback(i C.int) {
	calls.Add(1)
	if i%2 == 0 {
		C.callBack2() // Go -> C -> Go again, on the C thread
	}
}

//export goCallback2
func goCallback2() {
	calls.Add(1)
	runtime.Gosched()
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cgocallback OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	const n = 6
	done := make(chan bool)
	for i := 0; i < n; i++ {
		go func(i int) {
			C.spawnAndJoin(C.int(i))
			done <- true
		}(i)
	}
	for i := 0; i < n; i++ {
		<-done
	}
	// Let sysmon take Ps back from Ms (a runtime.GC here, as in Go's own
	// cgo-callback test program, can spin in a Gosched loop waiting for
	// sweepers and bloat the trace with GoStop/GoStart pairs).
	time.Sleep(2 * time.Millisecond)

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(calls.Load())
}
