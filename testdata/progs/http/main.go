// Command http writes a trace of an HTTP server and client talking over
// loopback (127.0.0.1 only): user tasks per request on both sides (one child
// task), regions (WithRegion and StartRegion, nested), and user logs,
// including a non-ASCII one.
//
// Usage: http OUT.trace
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/trace"
	"strings"
	"sync"
	"time"
)

func handler(w http.ResponseWriter, r *http.Request) {
	ctx, task := trace.NewTask(r.Context(), "server "+r.URL.Path)
	defer task.End()
	trace.Logf(ctx, "server", "method=%s path=%s", r.Method, r.URL.Path)
	reg := trace.StartRegion(ctx, "handle")
	var body string
	trace.WithRegion(ctx, "compute", func() {
		var sb strings.Builder
		for i := 0; i < 200; i++ {
			fmt.Fprintf(&sb, "%d,", i*i)
		}
		body = sb.String()
	})
	if r.URL.Path == "/slow" {
		trace.WithRegion(ctx, "sleep", func() { time.Sleep(2 * time.Millisecond) })
	}
	trace.Log(ctx, "résumé", "résumé ✓ — naïve café, 日本語")
	reg.End()
	io.WriteString(w, body)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: http OUT.trace")
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
	mux := http.NewServeMux()
	mux.HandleFunc("/", handler)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second}

	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	get := func(ctx context.Context, path string) {
		trace.WithRegion(ctx, "client.get", func() {
			req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
			if err != nil {
				log.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				log.Fatal(err)
			}
			r := trace.StartRegion(ctx, "client.read")
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			r.End()
			trace.Logf(ctx, "client", "%s: %d bytes, status %d", path, n, resp.StatusCode)
		})
	}

	// Sequential requests, one task each.
	for i, path := range []string{"/a", "/slow", "/b"} {
		ctx, task := trace.NewTask(context.Background(), "client request")
		trace.Logf(ctx, "", "request #%d", i)
		get(ctx, path)
		task.End()
	}
	// Concurrent requests under one parent task with child tasks.
	pctx, parent := trace.NewTask(context.Background(), "batch")
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, task := trace.NewTask(pctx, "child request")
			defer task.End()
			get(ctx, fmt.Sprintf("/c%d", i))
		}(i)
	}
	wg.Wait()
	parent.End()

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	srv.Shutdown(ctx)
	cancel()

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
