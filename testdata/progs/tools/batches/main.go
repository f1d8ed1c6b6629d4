// Command batches is not a scenario: it is a helper for regen.sh and
// recheck.sh. It walks the batch headers of a Go 1.22+ execution trace
// (skipping each batch body by its size) and prints one line per batch:
//
//	EventBatch gen=G m=M time=T size=S
//	ExperimentalBatch exp=E gen=G m=M time=T size=S
//	EndOfGeneration
//
// It does not decode events, so it works where `go tool trace -d=wire` stops
// early (for example on experimental events it does not know).
//
// Usage: batches TRACE
package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("batches: ")
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: batches TRACE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()

	var hdr [16]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		log.Fatalf("reading header: %v", err)
	}
	h := strings.TrimRight(string(hdr[:]), "\x00")
	if !strings.HasPrefix(h, "go 1.") || !strings.HasSuffix(h, " trace") {
		log.Fatalf("not a trace header: %q", hdr[:])
	}
	fmt.Fprintf(w, "Header %q\n", h)
	uv := func(what string) uint64 {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			w.Flush()
			log.Fatalf("reading %s: %v", what, err)
		}
		return v
	}
	for {
		b, err := r.ReadByte()
		if err == io.EOF {
			return
		} else if err != nil {
			log.Fatal(err)
		}
		switch b {
		case 0x01, 0x31:
			exp := -1
			if b == 0x31 {
				e, err := r.ReadByte()
				if err != nil {
					log.Fatalf("reading experiment: %v", err)
				}
				exp = int(e)
			}
			gen, m, ts, size := uv("gen"), uv("m"), uv("time"), uv("size")
			if exp >= 0 {
				fmt.Fprintf(w, "ExperimentalBatch exp=%d gen=%d m=%d time=%d size=%d\n", exp, gen, m, ts, size)
			} else {
				fmt.Fprintf(w, "EventBatch gen=%d m=%d time=%d size=%d\n", gen, m, ts, size)
			}
			if size > 1<<16 {
				w.Flush()
				log.Fatalf("batch size %d too large", size)
			}
			if _, err := r.Discard(int(size)); err != nil {
				w.Flush()
				log.Fatalf("batch body: %v", err)
			}
		case 0x34:
			fmt.Fprintln(w, "EndOfGeneration")
		default:
			w.Flush()
			log.Fatalf("unexpected byte 0x%02x at a batch boundary", b)
		}
	}
}
