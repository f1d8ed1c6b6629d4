// Command oracle-scrape is the Go side of testdata/oracle.sh: it reads the
// analysis pages of a running Go 1.26 `go tool trace -http=127.0.0.1:0` server
// and the profiles of `go tool trace -pprof=TYPE`, and writes them as goldens.
// Standard library only.
//
// Usage:
//
//	oracle-scrape scrape -url http://127.0.0.1:PORT -out DIR -trace T.trace -rel go126/x.trace -goversion "go version ..." [-serverlog LOG]
//	    writes DIR/{meta,goroutines,tasks,regions}.json, DIR/mmu/*.json
//	    (+ DIR/mmu/index.json), the per-group and per-region blocking
//	    profiles DIR/pprof-group/ and DIR/pprof-region/ (pprofpages.go;
//	    checked against DIR/pprof/<t>.json if present) and,
//	    only if some page failed or a consistency check did not hold,
//	    DIR/errors.json.
//	oracle-scrape pprof IN.pb OUT.json OUT-canonical.pb
//	    decodes a profile written by `go tool trace -pprof=TYPE` (gzipped
//	    profile.proto), writes the compact JSON (OUT.json) and the same profile
//	    re-encoded in canonical order (for a deterministic `go tool pprof -raw`).
//
// See testdata/README.md ("Oracle goldens") for the file formats.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"gotrace-tui/tools/scrapefetch"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "scrape":
		err = cmdScrape(os.Args[2:])
	case "pprof":
		err = cmdPprof(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oracle-scrape:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: oracle-scrape scrape -url URL -out DIR -trace FILE -rel NAME -goversion V [-serverlog LOG]\n       oracle-scrape pprof IN.pb OUT.json OUT-canonical.pb")
	os.Exit(2)
}

type metaFile struct {
	Go             string   `json:"go"`
	ServerWarnings []string `json:"server_warnings"` // server log lines other than the usual progress lines, timestamps removed
	Trace          string   `json:"trace"`
	TraceBytes     int64    `json:"trace_bytes"`
	TraceSHA256    string   `json:"trace_sha256"`
}

func cmdScrape(args []string) error {
	fs := flag.NewFlagSet("scrape", flag.ExitOnError)
	base := fs.String("url", "", "server base URL (loopback)")
	out := fs.String("out", "", "output directory")
	tracePath := fs.String("trace", "", "trace file (for meta.json)")
	rel := fs.String("rel", "", "trace name recorded in meta.json")
	goVersion := fs.String("goversion", "", "go version recorded in meta.json")
	serverLog := fs.String("serverlog", "", "server stderr (for meta.json)")
	fs.Parse(args)
	if *base == "" || *out == "" || *tracePath == "" {
		return fmt.Errorf("scrape: -url, -out and -trace are required")
	}
	f, err := newFetcher(*base)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(*tracePath)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	meta := metaFile{Go: *goVersion, Trace: *rel, TraceBytes: int64(len(data)), TraceSHA256: hex.EncodeToString(sum[:]), ServerWarnings: []string{}}
	if *serverLog != "" {
		logData, err := os.ReadFile(*serverLog)
		if err != nil {
			return err
		}
		meta.ServerWarnings = scrapefetch.ServerWarnings(string(logData))
	}
	if err := writeJSON(filepath.Join(*out, "meta.json"), meta); err != nil {
		return err
	}

	var notes []string
	if g, ok := scrapeGoroutines(f); ok {
		if err := writeJSON(filepath.Join(*out, "goroutines.json"), g); err != nil {
			return err
		}
		n := 0
		for _, gr := range g.Groups {
			n += len(gr.Goroutines)
		}
		notes = append(notes, fmt.Sprintf("%d groups/%d goroutines", len(g.Groups), n))
		note, err := scrapeGroupProfiles(f, *out, g)
		if err != nil {
			return err
		}
		notes = append(notes, note)
	}
	if t, ok := scrapeTasks(f); ok {
		if err := writeJSON(filepath.Join(*out, "tasks.json"), t); err != nil {
			return err
		}
		n := 0
		for _, tt := range t.Types {
			n += len(tt.Tasks)
		}
		notes = append(notes, fmt.Sprintf("%d task types/%d tasks", len(t.Types), n))
	}
	if r, ok := scrapeRegions(f); ok {
		if err := writeJSON(filepath.Join(*out, "regions.json"), r); err != nil {
			return err
		}
		n := 0
		for _, rt := range r.Types {
			n += len(rt.Regions)
		}
		notes = append(notes, fmt.Sprintf("%d region types/%d regions", len(r.Types), n))
		note, err := scrapeRegionProfiles(f, *out, r)
		if err != nil {
			return err
		}
		notes = append(notes, note)
	}
	if err := scrapeMMU(f, *out); err != nil {
		return err
	}
	if len(f.Errs) > 0 {
		if err := writeJSON(filepath.Join(*out, "errors.json"), f.Errs); err != nil {
			return err
		}
		notes = append(notes, fmt.Sprintf("%d page errors (errors.json)", len(f.Errs)))
	}
	fmt.Println(strings.Join(notes, ", "))
	return nil
}

func cmdPprof(args []string) error {
	if len(args) != 3 {
		usage()
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	p, err := decodeProfile(data)
	if err != nil {
		return fmt.Errorf("%s: %v", args[0], err)
	}
	rp, err := resolveProfile(p)
	if err != nil {
		return fmt.Errorf("%s: %v", args[0], err)
	}
	sum, err := rp.summary()
	if err != nil {
		return fmt.Errorf("%s: %v", args[0], err)
	}
	canon, err := rp.canonical()
	if err != nil {
		return fmt.Errorf("%s: %v", args[0], err)
	}
	// Round trip: the canonical encoding must decode to the same figures.
	p2, err := decodeProfile(canon)
	if err != nil {
		return fmt.Errorf("canonical profile: %v", err)
	}
	rp2, err := resolveProfile(p2)
	if err != nil {
		return fmt.Errorf("canonical profile: %v", err)
	}
	sum2, err := rp2.summary()
	if err != nil {
		return fmt.Errorf("canonical profile: %v", err)
	}
	if fmt.Sprint(sum) != fmt.Sprint(sum2) {
		return fmt.Errorf("canonical profile does not round-trip")
	}
	if err := writeJSON(args[1], sum); err != nil {
		return err
	}
	return writeFile(args[2], canon)
}
