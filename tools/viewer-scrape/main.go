// Command viewer-scrape is the Go side of testdata/oracle-viewer.sh: it reads
// the JSON that the trace viewer of a running Go 1.26
// `go tool trace -http=127.0.0.1:0` server loads (/jsontrace), for the proc
// and thread views and for goroutine views, and writes compact,
// deterministic goldens of what the viewer draws. Standard library only.
//
// Usage:
//
//	viewer-scrape scrape -url http://127.0.0.1:PORT -out DIR -trace T.trace -rel go126/x.trace
//	    -goversion "go version ..." [-goroutines G.json -parsed P.txt -max-goroutines 20]
//	    [-tasks T.json] [-serverlog LOG]
//
// It follows the links of the main page ("/": /trace?view=proc, /trace?view=thread,
// or one link per range for split traces), reads the /jsontrace query each
// /trace page loads, and fetches it; then, for the goroutines listed in
// G.json (the oracle's goroutines.json; at most -max-goroutines of them,
// those with the most events in P.txt, the output of `go tool trace -d=parsed`),
// /trace?goid=N and its /jsontrace query; then, for every task of T.json (the
// oracle's tasks.json) that has a begin or an end event, the task-focused view
// that the task pages link to, /trace?focustask=N, and (for those with a begin,
// an end or a log) the task's goroutine view, /trace?taskid=N. It writes
// DIR/index.json, DIR/<view>.json.gz, DIR/goroutine/<goid>.json.gz,
// DIR/task/<id>.json.gz, DIR/task-goroutines/<id>.json.gz and, only if
// something failed, DIR/errors.json. See testdata/README.md ("Trace viewer goldens").
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"gotrace-tui/tools/scrapefetch"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "scrape" {
		fmt.Fprintln(os.Stderr, "usage: viewer-scrape scrape -url URL -out DIR -trace FILE -rel NAME -goversion V [-goroutines G.json -parsed P.txt -max-goroutines N] [-serverlog LOG]")
		os.Exit(2)
	}
	if err := cmdScrape(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "viewer-scrape:", err)
		os.Exit(1)
	}
}

type indexFile struct {
	Files          []fileEntry    `json:"files"`
	Go             string         `json:"go"`
	GoroutineViews goroutineViews `json:"goroutine_views"`
	ServerWarnings []string       `json:"server_warnings"`
	Trace          string         `json:"trace"`
	TraceSHA256    string         `json:"trace_sha256"`
}

type fileEntry struct {
	Counts   map[string]int `json:"counts"`
	Events   *int           `json:"events,omitempty"` // goroutine views: events of the goroutine in -d=parsed
	File     string         `json:"file"`
	Goid     *uint64        `json:"goid,omitempty"`
	TaskID   *uint64        `json:"task_id,omitempty"`         // focustask views
	TaskGs   *uint64        `json:"task_goroutines,omitempty"` // taskid views
	LinkText string         `json:"link_text,omitempty"`       // proc/thread views: the main page's link text
	Page     string         `json:"page"`                      // the /trace page
	Problems []string       `json:"problems,omitempty"`        // values that could not be recorded exactly (none expected)
	Query    string         `json:"query"`                     // /jsontrace?<query>, exactly as the page loads it
}

type goroutineViews struct {
	Goroutines int      `json:"goroutines"` // goroutines in goroutines.json
	Rule       string   `json:"rule"`
	Selected   []uint64 `json:"selected"`
}

var (
	traceLinkRE = regexp.MustCompile(`<a href="(/trace\?[^"]*)">([^<]*)</a>`)
	jsonURLRE   = regexp.MustCompile(`url = '/jsontrace\?([^']*)';`)
)

func cmdScrape(args []string) error {
	fs := flag.NewFlagSet("scrape", flag.ExitOnError)
	base := fs.String("url", "", "server base URL (loopback)")
	out := fs.String("out", "", "output directory")
	tracePath := fs.String("trace", "", "trace file")
	rel := fs.String("rel", "", "trace name recorded in index.json")
	goVersion := fs.String("goversion", "", "go version recorded in index.json")
	serverLog := fs.String("serverlog", "", "server stderr")
	goroutinesPath := fs.String("goroutines", "", "the oracle's goroutines.json (goroutine ids); empty: no goroutine views")
	parsedPath := fs.String("parsed", "", "`go tool trace -d=parsed` output (events per goroutine)")
	maxG := fs.Int("max-goroutines", 20, "at most this many goroutine views (those with the most events)")
	skipReason := fs.String("skip-reason", "", "with -max-goroutines 0: why there are no goroutine views (index.json)")
	tasksPath := fs.String("tasks", "", "the oracle's tasks.json (task ids); empty: no task views")
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
	idx := indexFile{Go: *goVersion, Trace: *rel, TraceSHA256: hex.EncodeToString(sum[:]), ServerWarnings: []string{}, Files: []fileEntry{}}
	if *serverLog != "" {
		logData, err := os.ReadFile(*serverLog)
		if err != nil {
			return err
		}
		idx.ServerWarnings = scrapefetch.ServerWarnings(string(logData))
	}

	var notes []string
	// The whole-trace views, as linked from the main page.
	var procView *view
	procFile := ""
	if body, ok := f.Get("/"); ok {
		links := traceLinkRE.FindAllStringSubmatch(string(body), -1)
		perView := map[string]int{}
		for _, m := range links {
			perView[viewOf(html.UnescapeString(m[1]))]++
		}
		seen := map[string]int{}
		for _, m := range links {
			page := html.UnescapeString(m[1])
			vt := viewOf(page)
			name := vt
			if perView[vt] > 1 {
				name = fmt.Sprintf("%s.%d", vt, seen[vt])
			}
			seen[vt]++
			file := name + ".json.gz"
			// The thread view's counters are those of the proc view (same
			// rules, same events): stored as references when they match.
			var ref *view
			if vt != "proc" && perView[vt] == 1 && procView != nil {
				ref = procView
			}
			v, e, ok := fetchViewRef(f, page, filepath.Join(*out, file), ref, procFile)
			if !ok {
				continue
			}
			e.File = file
			e.LinkText = strings.Join(strings.Fields(html.UnescapeString(m[2])), " ")
			idx.Files = append(idx.Files, e)
			notes = append(notes, fmt.Sprintf("%s: %d slices/%d flows", name, e.Counts["slices"], e.Counts["flows"]))
			if vt == "proc" && perView[vt] == 1 {
				procView, procFile = v, file
			}
		}
		if len(links) == 0 {
			f.Fail("/", 200, "no /trace links on the main page")
		}
	}

	// Goroutine views.
	if *goroutinesPath != "" {
		ids, err := goroutineIDs(*goroutinesPath)
		if err != nil {
			return err
		}
		events := map[uint64]int{}
		if *parsedPath != "" {
			if events, err = eventsPerGoroutine(*parsedPath); err != nil {
				return err
			}
		}
		sel := selectGoroutines(ids, events, *maxG)
		idx.GoroutineViews = goroutineViews{Goroutines: len(ids), Selected: sel}
		if *maxG <= 0 {
			idx.GoroutineViews.Rule = "none: " + *skipReason
		} else if len(ids) <= *maxG {
			idx.GoroutineViews.Rule = "all goroutines"
		} else {
			idx.GoroutineViews.Rule = fmt.Sprintf("the %d goroutines with the most events in `go tool trace -d=parsed` (events whose G= or GoID= is the goroutine; ties: smaller id)", *maxG)
		}
		for _, id := range sel {
			e, ok := fetchFocused(f, fmt.Sprintf("/trace?goid=%d", id), fmt.Sprintf("goroutine/%d.json.gz", id), *out, procView, procFile)
			if !ok {
				continue
			}
			g := id
			e.Goid = &g
			n := events[id]
			e.Events = &n
			idx.Files = append(idx.Files, e)
		}
		notes = append(notes, fmt.Sprintf("%d/%d goroutine views", len(sel), len(ids)))
	} else {
		idx.GoroutineViews = goroutineViews{Rule: "none (no goroutines.json)", Selected: []uint64{}}
	}

	// Task-focused views: the proc view cut to the task's window, with the
	// task and its descendants as slices and parent -> child arrows.
	if *tasksPath != "" {
		ids, gids, err := viewableTaskIDs(*tasksPath)
		if err != nil {
			return err
		}
		// Then the goroutine-oriented task views ("(goroutine view)"): the task
		// tree's goroutines over its window, with its regions.
		views := []struct {
			ids        []uint64
			query, dir string
			mark       func(e *fileEntry, id *uint64)
		}{
			{ids, "focustask", "task", func(e *fileEntry, id *uint64) { e.TaskID = id }},
			{gids, "taskid", "task-goroutines", func(e *fileEntry, id *uint64) { e.TaskGs = id }},
		}
		for _, v := range views {
			for _, id := range v.ids {
				e, ok := fetchFocused(f, fmt.Sprintf("/trace?%s=%d", v.query, id), fmt.Sprintf("%s/%d.json.gz", v.dir, id), *out, procView, procFile)
				if !ok {
					continue
				}
				t := id
				v.mark(&e, &t)
				idx.Files = append(idx.Files, e)
			}
		}
		notes = append(notes, fmt.Sprintf("%d+%d task views", len(ids), len(gids)))
	}

	if err := writeJSONFile(filepath.Join(*out, "index.json"), idx); err != nil {
		return err
	}
	if len(f.Errs) > 0 {
		if err := writeJSONFile(filepath.Join(*out, "errors.json"), f.Errs); err != nil {
			return err
		}
		notes = append(notes, fmt.Sprintf("%d page errors (errors.json)", len(f.Errs)))
	}
	fmt.Println(strings.Join(notes, ", "))
	return nil
}

func viewOf(page string) string {
	u, err := url.Parse(page)
	if err == nil {
		if v := u.Query().Get("view"); v != "" {
			return v
		}
	}
	return "view"
}

// fetchFocused fetches a view focused on one goroutine or task (page) into
// out/file, its counters stored as references to the proc view's rows.
func fetchFocused(f *fetcher, page, file, out string, procView *view, procFile string) (fileEntry, bool) {
	ref := ""
	if procView != nil {
		ref = procFile
	}
	_, e, ok := fetchViewRef(f, page, filepath.Join(out, file), procView, ref)
	e.File = file
	return e, ok
}

// fetchViewRef loads a /trace page, fetches the /jsontrace query it loads,
// converts and writes it. With proc != nil, counters equal to a run of the
// proc view's rows are written as references.
func fetchViewRef(f *fetcher, page, path string, proc *view, procFile string) (*view, fileEntry, bool) {
	var e fileEntry
	body, ok := f.Get(page)
	if !ok {
		return nil, e, false
	}
	m := jsonURLRE.FindStringSubmatch(string(body))
	if m == nil {
		f.Fail(page, 200, "no /jsontrace url in the page")
		return nil, e, false
	}
	query := m[1]
	jpage := "/jsontrace?" + query
	jbody, ok := f.Get(jpage)
	if !ok {
		return nil, e, false
	}
	if len(jbody) == 0 {
		f.Fail(jpage, 200, "empty body (cmd/trace logs the error and writes nothing)")
		return nil, e, false
	}
	v, problems, err := convert(jbody, query)
	if err != nil {
		f.Fail(jpage, 200, err.Error())
		return nil, e, false
	}
	if proc != nil {
		refCounters(v, proc, procFile)
	}
	enc, err := encodeView(v)
	if err != nil {
		f.Fail(jpage, 200, err.Error())
		return nil, e, false
	}
	if err := writeGzip(path, enc); err != nil {
		f.Fail(jpage, 200, err.Error())
		return nil, e, false
	}
	for _, p := range problems {
		f.Fail(jpage, 200, p)
	}
	e.Page = page
	e.Query = query
	e.Counts = v.counts()
	e.Problems = problems
	return v, e, true
}

// goroutineIDs reads the ids of goroutines.json (oracle.sh's format:
// {"groups":[{"goroutines":[{"id":N,…}],…}]}), sorted.
func goroutineIDs(path string) ([]uint64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var g struct {
		Groups []struct {
			Goroutines []struct {
				ID uint64 `json:"id"`
			} `json:"goroutines"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	seen := map[uint64]bool{}
	var ids []uint64
	for _, gr := range g.Groups {
		for _, x := range gr.Goroutines {
			if !seen[x.ID] {
				seen[x.ID] = true
				ids = append(ids, x.ID)
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// viewableTaskIDs reads the tasks of tasks.json (oracle.sh's format:
// {"types":[{"tasks":[{"id":N,"events":[{"what":…}]}]}]}) and returns, sorted,
// those go tool trace serves a focused view for (a begin or an end event) and
// those it serves a goroutine view for (a begin, a log or an end: it orients
// the view on that event's goroutine). For the others it logs "failed to find
// task" and writes nothing.
func viewableTaskIDs(path string) (focused, goroutine []uint64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var t struct {
		Types []struct {
			Tasks []struct {
				ID     uint64 `json:"id"`
				Events []struct {
					What string `json:"what"`
				} `json:"events"`
			} `json:"tasks"`
		} `json:"types"`
	}
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	focused, goroutine = []uint64{}, []uint64{}
	for _, ty := range t.Types {
		for _, task := range ty.Tasks {
			ends, logs := false, false
			for _, e := range task.Events {
				ends = ends || strings.HasPrefix(e.What, "task \"") || e.What == "task end"
				logs = logs || strings.HasPrefix(e.What, "log ")
			}
			if ends {
				focused = append(focused, task.ID)
			}
			if ends || logs {
				goroutine = append(goroutine, task.ID)
			}
		}
	}
	sort.Slice(focused, func(i, j int) bool { return focused[i] < focused[j] })
	sort.Slice(goroutine, func(i, j int) bool { return goroutine[i] < goroutine[j] })
	return focused, goroutine, nil
}

// eventsPerGoroutine counts, in `go tool trace -d=parsed` output, the events
// whose goroutine (G=N) or whose state-transition resource (GoID=N) is N
// (an event counts once per goroutine).
func eventsPerGoroutine(path string) (map[uint64]int, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	counts := map[uint64]int{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "M=") {
			continue
		}
		fields := strings.Fields(line)
		var ids []uint64
		for i, fld := range fields {
			var v string
			if i == 2 && strings.HasPrefix(fld, "G=") {
				v = fld[2:]
			} else if strings.HasPrefix(fld, "GoID=") {
				v = fld[5:]
			} else {
				continue
			}
			if n, err := strconv.ParseUint(v, 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
		if len(ids) == 2 && ids[0] == ids[1] {
			ids = ids[:1]
		}
		for _, id := range ids {
			counts[id]++
		}
	}
	return counts, sc.Err()
}

// selectGoroutines: all ids if at most max, else the max ids with the most
// events (ties: smaller id); the result is sorted by id.
func selectGoroutines(ids []uint64, events map[uint64]int, max int) []uint64 {
	sel := append([]uint64(nil), ids...)
	if max < 0 {
		max = 0
	}
	if len(sel) > max {
		sort.SliceStable(sel, func(i, j int) bool {
			if events[sel[i]] != events[sel[j]] {
				return events[sel[i]] > events[sel[j]]
			}
			return sel[i] < sel[j]
		})
		sel = sel[:max]
	}
	sort.Slice(sel, func(i, j int) bool { return sel[i] < sel[j] })
	if sel == nil {
		sel = []uint64{}
	}
	return sel
}

func writeJSONFile(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// writeGzip writes data to path without its ".gz" suffix; the script
// compresses it with `gzip -n -9` (deterministic: no name, no mtime).
func writeGzip(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(strings.TrimSuffix(path, ".gz"), data, 0o644)
}
