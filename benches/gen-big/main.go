// Command gen-big writes a large Go execution trace with a realistic mix of activity,
// for benchmarking trace decoders (see ../bench.sh and docs/performance.md).
//
// Usage:
//
//	gen-big [flags] OUT            write a trace to OUT (stops at -size-mb, or after -duration)
//	gen-big -scan FILE             print the batch/generation layout of an existing trace
//
// The trace is stopped once it holds at least -size-mb MB (10^6 bytes) AND at least
// -min-gens generations, so the size is reproducible (within a few hundred KB plus the
// final flush) whatever the machine speed. Generations are cut by the runtime every
// ~1 s (GODEBUG=traceadvanceperiod=<ns> changes that); a fast machine that reaches
// -size-mb before -min-gens generations keeps going, and the size grows accordingly.
//
// The workload (all goroutines run until the process exits):
//   - channel ping-pong pairs (unbuffered channels: block/unblock on every message)
//   - mutex and RWMutex contention on a shared map
//   - allocation churn with a ring of live objects (so the GC runs several times a second)
//   - syscalls: writes to /dev/null, small /proc reads, and a blocking pipe read (P handoff)
//   - TCP loopback echo (netpoller blocking)
//   - goroutine churn: short-lived goroutines created in batches
//   - timers: random sleeps, a ticker, time.After in a select
//   - a request dispatcher whose handlers use trace.NewTask, regions (nested) and trace.Log
//   - optionally a CPU profile running (CPU samples in the trace)
//
// Only the standard library is used, and the module says go 1.22, so Go 1.22 – 1.26
// toolchains can all build it and write their own trace format version.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	sizeMB := flag.Float64("size-mb", 200, "stop once the trace holds at least this many MB (10^6 bytes)")
	minGens := flag.Int("min-gens", 3, "... and at least this many generations")
	duration := flag.Duration("duration", 0, "if > 0: stop after this wall time instead (ignores -size-mb and -min-gens)")
	maxDuration := flag.Duration("max-duration", 120*time.Second, "safety limit on the run time")
	seed := flag.Uint64("seed", 1, "random seed of the workload")
	cpuProfile := flag.Bool("cpuprofile", true, "run a CPU profile (to io.Discard) so the trace contains CPU samples")
	scan := flag.Bool("scan", false, "scan the trace file given as argument and print its layout, then exit")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: gen-big [flags] OUT\n       gen-big -scan FILE\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	path := flag.Arg(0)

	if *scan {
		if err := scanFile(path); err != nil {
			fmt.Fprintln(os.Stderr, "gen-big:", err)
			os.Exit(1)
		}
		return
	}
	if err := generate(path, int64(*sizeMB*1e6), uint64(*minGens), *duration, *maxDuration, *seed, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "gen-big:", err)
		os.Exit(1)
	}
	// Workload goroutines are still running; leave without waiting for them.
	os.Exit(0)
}

// ---------------------------------------------------------------------------------------
// Writing the trace

// countingWriter counts the bytes of the trace, scans batch headers as they stream past,
// and closes reached as soon as the stop condition holds. Deciding here, on the goroutine
// that receives the data, wakes the main goroutine with less delay than a polling ticker
// on a saturated machine.
type countingWriter struct {
	w       *bufio.Writer
	n       atomic.Int64
	sc      *streamScanner
	target  int64
	minGens uint64
	reached chan struct{}
	done    bool
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.sc.feed(p[:n])
	total := c.n.Add(int64(n))
	if !c.done && c.target > 0 && total >= c.target && c.sc.maxGen >= c.minGens {
		c.done = true
		close(c.reached)
	}
	return n, err
}

func generate(path string, target int64, minGens uint64, duration, maxDuration time.Duration, seed uint64, cpuProfile bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := &countingWriter{w: bufio.NewWriterSize(f, 1<<20), sc: newStreamScanner(),
		target: target, minGens: minGens, reached: make(chan struct{})}
	if duration > 0 {
		cw.target = 0 // stop on time only
	}

	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)

	if cpuProfile {
		if err := pprof.StartCPUProfile(io.Discard); err != nil {
			return fmt.Errorf("start CPU profile: %w", err)
		}
	}
	start := time.Now()
	if err := trace.Start(cw); err != nil {
		return fmt.Errorf("start trace: %w", err)
	}

	w := startWorkload(seed)

	why := ""
	limit := maxDuration
	if duration > 0 {
		limit = duration
	}
	timer := time.NewTimer(limit)
	select {
	case <-cw.reached:
		why = "size and generations reached"
	case <-timer.C:
		if duration > 0 {
			why = "duration reached"
		} else {
			why = "WARNING: -max-duration reached before the target"
		}
	}
	timer.Stop()
	atStop := cw.n.Load()
	mix := w.snapshot()
	trace.Stop() // returns after all trace data has been written to cw
	elapsed := time.Since(start)
	if cpuProfile {
		pprof.StopCPUProfile()
	}
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)

	if err := cw.w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}

	fmt.Printf("gen-big: wrote %s: %d bytes (%.1f MB) in %.2f s (%s), %.1f MB/s\n",
		path, cw.n.Load(), float64(cw.n.Load())/1e6, elapsed.Seconds(), why,
		float64(cw.n.Load())/1e6/elapsed.Seconds())
	fmt.Printf("gen-big: %.1f MB had reached the file when the stop was decided; %.1f MB came with trace.Stop\n",
		float64(atStop)/1e6, float64(cw.n.Load()-atStop)/1e6)
	fmt.Printf("gen-big: go %s, GOMAXPROCS=%d, GC cycles during the run: %d\n",
		runtime.Version(), runtime.GOMAXPROCS(0), ms1.NumGC-ms0.NumGC)
	fmt.Printf("gen-big: operations until the stop:%s\n", mix)
	cw.sc.report(os.Stdout)
	if cw.sc.err != nil {
		return fmt.Errorf("the written stream did not scan cleanly: %w", cw.sc.err)
	}
	return nil
}

// ---------------------------------------------------------------------------------------
// Workload

// Operation counters, one per part of the workload (printed at the end, to check the mix).
const (
	opPingPong = iota
	opMutex
	opAlloc
	opSyscall
	opPipe
	opTCP
	opChurn
	opSleep
	opTask
	nOps
)

var opNames = [nOps]string{"ping-pong", "mutex", "alloc", "syscall", "pipe-read", "tcp-echo", "goroutines", "sleep", "task"}

type workload struct {
	ops [nOps]atomic.Int64
}

func (w *workload) snapshot() string {
	out := ""
	for i := range w.ops {
		out += fmt.Sprintf(" %s=%d", opNames[i], w.ops[i].Load())
	}
	return out
}

func rng(seed uint64, id uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, id)) }

func startWorkload(seed uint64) *workload {
	w := &workload{}
	id := uint64(0)
	next := func() *rand.Rand { id++; return rng(seed, id) }

	// Mutex / RWMutex contention on a shared map.
	var mu sync.Mutex
	var rw sync.RWMutex
	shared := make(map[int]int, 1024)
	for i := 0; i < 8; i++ {
		r := next()
		go func() {
			for n := 0; ; n++ {
				k := r.IntN(1024)
				mu.Lock()
				shared[k]++
				if r.IntN(8) == 0 {
					spin(200)
				}
				mu.Unlock()
				w.ops[opMutex].Add(1)
				if n%64 == 0 {
					rw.Lock()
					spin(500)
					rw.Unlock()
				}
				if n%128 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	for i := 0; i < 2; i++ {
		go func() {
			for {
				rw.RLock()
				spin(300)
				rw.RUnlock()
			}
		}()
	}

	// Allocation churn: a ring of live objects (bytes and small pointer trees).
	for i := 0; i < 2; i++ {
		r := next()
		go func() {
			ring := make([]any, 32768) // ~50 MB live per goroutine
			for n := 0; ; n++ {
				if r.IntN(4) == 0 {
					ring[n%len(ring)] = makeTree(r, 6)
				} else {
					ring[n%len(ring)] = make([]byte, 64<<r.IntN(8))
				}
				w.ops[opAlloc].Add(1)
				if n%512 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}

	// Syscalls: /dev/null writes, /proc reads.
	if dn, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		for i := 0; i < 2; i++ {
			go func() {
				buf := make([]byte, 128)
				for {
					for j := 0; j < 64; j++ {
						dn.Write(buf)
					}
					w.ops[opSyscall].Add(64)
					time.Sleep(200 * time.Microsecond)
				}
			}()
		}
	}
	go func() {
		for {
			os.ReadFile("/proc/self/statm")
			time.Sleep(time.Millisecond)
		}
	}()
	// Blocking syscall: read(2) on a blocking pipe, fed every ~2 ms (sysmon hands the P off).
	var p [2]int
	if err := syscall.Pipe(p[:]); err == nil {
		go func() {
			buf := make([]byte, 64)
			for {
				if _, err := syscall.Read(p[0], buf); err != nil && !errors.Is(err, syscall.EINTR) {
					return
				}
				w.ops[opPipe].Add(1)
			}
		}()
		go func() {
			msg := []byte("x")
			for {
				time.Sleep(2 * time.Millisecond)
				syscall.Write(p[1], msg)
			}
		}()
	}

	// TCP loopback echo: 4 connections.
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go io.Copy(c, c)
			}
		}()
		for i := 0; i < 4; i++ {
			go func() {
				c, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					return
				}
				buf := make([]byte, 64)
				for n := 0; ; n++ {
					if _, err := c.Write(buf); err != nil {
						return
					}
					if _, err := io.ReadFull(c, buf); err != nil {
						return
					}
					w.ops[opTCP].Add(1)
					if n%256 == 0 {
						time.Sleep(100 * time.Microsecond)
					}
				}
			}()
		}
	}

	// Goroutine churn: batches of 64 short-lived goroutines.
	for i := 0; i < 2; i++ {
		go func() {
			results := make(chan int, 64)
			for {
				var wg sync.WaitGroup
				for j := 0; j < 64; j++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						s := 0
						for k := 0; k < 100+j; k++ {
							s += k * j
						}
						results <- s
					}()
				}
				wg.Wait()
				for j := 0; j < 64; j++ {
					<-results
				}
				w.ops[opChurn].Add(64)
			}
		}()
	}

	// Timers: random sleeps, a ticker, time.After in a select.
	for i := 0; i < 16; i++ {
		r := next()
		go func() {
			for {
				time.Sleep(time.Duration(20+r.IntN(2000)) * time.Microsecond)
				w.ops[opSleep].Add(1)
			}
		}()
	}
	events := make(chan int, 16)
	go func() {
		t := time.NewTicker(500 * time.Microsecond)
		for n := 0; ; n++ {
			<-t.C
			select {
			case events <- n:
			default:
			}
		}
	}()
	go func() {
		for {
			select {
			case <-events:
			case <-time.After(3 * time.Millisecond):
			}
		}
	}()

	// Requests with tasks, regions and logs.
	reqs := make(chan int, 64)
	var dbMu sync.Mutex
	go func() {
		for n := 0; ; {
			for j := 0; j < 32; j++ {
				reqs <- n
				n++
			}
			time.Sleep(time.Millisecond)
		}
	}()
	for i := 0; i < 4; i++ {
		r := next()
		go func() {
			for id := range reqs {
				handle(context.Background(), r, id, &dbMu)
				w.ops[opTask].Add(1)
			}
		}()
	}
	// Channel ping-pong: 16 pairs (started last, see the yield below).
	for i := 0; i < 16; i++ {
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v + 1
			}
		}()
		go func() {
			v := 0
			for {
				ping <- v
				v = <-pong
				if v%1024 == 0 {
					w.ops[opPingPong].Add(1024)
					// A pair hands the P back and forth through runnext and would
					// keep it for a whole 10 ms time slice; yield so that the rest
					// of the workload gets its share.
					runtime.Gosched()
				}
			}
		}()
	}

	return w
}

func handle(ctx context.Context, r *rand.Rand, id int, dbMu *sync.Mutex) {
	ctx, task := trace.NewTask(ctx, "request")
	defer task.End()
	trace.Log(ctx, "request-id", strconv.Itoa(id))
	var body []byte
	trace.WithRegion(ctx, "decode", func() {
		body = make([]byte, 256+r.IntN(4096))
		for i := range body {
			body[i] = byte(i * id)
		}
	})
	reg := trace.StartRegion(ctx, "db")
	dbMu.Lock()
	trace.WithRegion(ctx, "cache", func() { spin(100) })
	if r.IntN(16) == 0 {
		time.Sleep(50 * time.Microsecond)
	}
	dbMu.Unlock()
	reg.End()
	if r.IntN(4) == 0 {
		// A child task on another goroutine.
		done := make(chan struct{})
		go func() {
			cctx, sub := trace.NewTask(ctx, "subrequest")
			trace.WithRegion(cctx, "render", func() { spin(200) })
			trace.Logf(cctx, "render", "bytes=%d", len(body))
			sub.End()
			close(done)
		}()
		<-done
	}
}

type node struct {
	l, r *node
	v    [4]int64
}

func makeTree(r *rand.Rand, depth int) *node {
	if depth == 0 || r.IntN(4) == 0 {
		return nil
	}
	return &node{l: makeTree(r, depth-1), r: makeTree(r, depth-1), v: [4]int64{int64(depth)}}
}

var sink atomic.Int64

func spin(n int) {
	s := 0
	for i := 0; i < n; i++ {
		s += i ^ (s >> 3)
	}
	sink.Add(int64(s & 1))
}

// ---------------------------------------------------------------------------------------
// Batch-header scanner for the v2 wire format (Go 1.22+; see go-trace-format.md §2.2):
//
//	header(16) { 0x01 uv(gen) uv(M) uv(ts) uv(size) body | 0x31 byte(exp) uv... body | 0x34 }*
//
// It is fed the stream incrementally (while the trace is written) or from a file.

const (
	sHeader = iota
	sType
	sExp
	sVarint
	sBody
	sErr
)

type genStats struct {
	batches, bytes int64
	kinds          map[string]int64
}

type streamScanner struct {
	state    int
	header   []byte
	off      int64 // bytes fed so far
	start    int64 // offset of the current batch's type byte
	exp      bool
	fields   [4]uint64 // gen, M, ts, size
	fi       int
	cur      uint64
	shift    uint
	nb       int
	remain   uint64
	first    bool
	gen      uint64
	maxGen   uint64
	minGen   uint64
	batches  int64
	endOfGen int64
	maxBody  uint64
	gens     map[uint64]*genStats
	err      error
}

func newStreamScanner() *streamScanner {
	return &streamScanner{gens: map[uint64]*genStats{}}
}

func (s *streamScanner) fail(format string, args ...any) {
	s.err = fmt.Errorf("offset %d: "+format, append([]any{s.off}, args...)...)
	s.state = sErr
}

func (s *streamScanner) feed(p []byte) {
	for i := 0; i < len(p); {
		switch s.state {
		case sErr:
			return
		case sHeader:
			n := min(16-len(s.header), len(p)-i)
			s.header = append(s.header, p[i:i+n]...)
			i += n
			s.off += int64(n)
			if len(s.header) == 16 {
				if string(s.header[:5]) != "go 1." {
					s.fail("not a Go trace header: %q", s.header)
					return
				}
				s.state = sType
			}
		case sType:
			s.start = s.off
			b := p[i]
			i++
			s.off++
			switch b {
			case 0x01:
				s.exp = false
				s.fi, s.cur, s.shift, s.nb = 0, 0, 0, 0
				s.state = sVarint
			case 0x31:
				s.exp = true
				s.state = sExp
			case 0x34:
				s.endOfGen++
			default:
				s.fail("unexpected batch type byte 0x%02x", b)
				return
			}
		case sExp:
			i++
			s.off++
			s.fi, s.cur, s.shift, s.nb = 0, 0, 0, 0
			s.state = sVarint
		case sVarint:
			b := p[i]
			i++
			s.off++
			s.nb++
			if s.nb > 10 {
				s.fail("uvarint too long")
				return
			}
			s.cur |= uint64(b&0x7f) << s.shift
			s.shift += 7
			if b >= 0x80 {
				continue
			}
			s.fields[s.fi] = s.cur
			s.fi++
			s.cur, s.shift, s.nb = 0, 0, 0
			if s.fi < 4 {
				continue
			}
			s.batchHeader()
		case sBody:
			if s.first {
				s.first = false
				g := s.gens[s.gen]
				g.kinds[classify(s.exp, p[i], s.header)]++
			}
			n := uint64(len(p) - i)
			if n > s.remain {
				n = s.remain
			}
			i += int(n)
			s.off += int64(n)
			s.remain -= n
			if s.remain == 0 {
				s.state = sType
			}
		}
	}
}

func (s *streamScanner) batchHeader() {
	gen, size := s.fields[0], s.fields[3]
	if gen == 0 {
		s.fail("generation 0")
		return
	}
	if s.gen != 0 && gen != s.gen && gen != s.gen+1 {
		s.fail("generation %d after %d", gen, s.gen)
		return
	}
	if size > 64<<10 {
		s.fail("batch size %d > 64 KiB", size)
		return
	}
	if s.minGen == 0 {
		s.minGen = gen
	}
	s.gen = gen
	if gen > s.maxGen {
		s.maxGen = gen
	}
	g := s.gens[gen]
	if g == nil {
		g = &genStats{kinds: map[string]int64{}}
		s.gens[gen] = g
	}
	g.batches++
	g.bytes += (s.off - s.start) + int64(size)
	s.batches++
	if size > s.maxBody {
		s.maxBody = size
	}
	s.remain = size
	if size == 0 {
		g.kinds["empty"]++
		s.state = sType
		return
	}
	s.first = true
	s.state = sBody
}

func classify(exp bool, b byte, header []byte) string {
	if exp {
		return "experimental"
	}
	switch b {
	case 0x02:
		return "stacks"
	case 0x04:
		return "strings"
	case 0x06:
		return "cpu-samples"
	case 0x08, 0x32:
		return "sync"
	}
	return "events"
}

func (s *streamScanner) report(w io.Writer) {
	fmt.Fprintf(w, "scan: header %q, %d bytes, %d batches, generations %d..%d (%d), %d EndOfGeneration markers, largest batch body %d bytes\n",
		trimNUL(s.header), s.off, s.batches, s.minGen, s.maxGen, len(s.gens), s.endOfGen, s.maxBody)
	keys := make([]uint64, 0, len(s.gens))
	for k := range s.gens {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		g := s.gens[k]
		kinds := make([]string, 0, len(g.kinds))
		for kk := range g.kinds {
			kinds = append(kinds, kk)
		}
		sort.Strings(kinds)
		line := ""
		for _, kk := range kinds {
			line += fmt.Sprintf(" %s=%d", kk, g.kinds[kk])
		}
		fmt.Fprintf(w, "scan:   gen %d: %d batches, %.1f MB;%s\n", k, g.batches, float64(g.bytes)/1e6, line)
	}
	if s.err != nil {
		fmt.Fprintf(w, "scan: ERROR %v\n", s.err)
	} else if s.state != sType {
		fmt.Fprintf(w, "scan: WARNING stream ends inside a batch (truncated)\n")
	}
}

func trimNUL(b []byte) string {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return string(b)
}

func scanFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s := newStreamScanner()
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		s.feed(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if s.err != nil {
			break
		}
	}
	s.report(os.Stdout)
	return s.err
}
