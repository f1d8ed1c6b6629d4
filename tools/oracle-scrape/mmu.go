package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// MMU queries. Flag names are those of internal/trace/traceviewer/mmu.go
// (requestUtilFlags: the flags= value split on "|"; unknown names, like the
// UI's "system" radio button, are ignored; "mut" adds the MUD quantiles
// [0, 0.001, 0.01, 0.05] to the plot). mode=details takes window= as integer
// nanoseconds (strconv.ParseUint) and returns the 10 worst disjoint windows.
var mmuPlotFlags = []string{
	"",
	"stw",
	"background",
	"assist",
	"sweep",
	"perProc",
	"stw|background|assist",       // the web UI's default (it also sends "system", a no-op)
	"stw|background|assist|sweep", // everything
	"perProc|stw|background|assist|sweep",
	"mut", // quantiles with no GC source included
	"stw|background|assist|sweep|mut",
	"perProc|stw|background|assist|sweep|mut",
}

var mmuDetailFlags = []string{
	"stw|background|assist",
	"stw|background|assist|sweep",
	"perProc|stw|background|assist|sweep",
}

var mmuDetailWindows = []struct {
	name string
	ns   int64
}{{"100us", 100000}, {"1ms", 1000000}, {"10ms", 10000000}}

type mmuIndexEntry struct {
	File  string `json:"file"`
	Query string `json:"query"` // exactly what was requested: /mmu?<query>
}

func flagFileName(flags string) string {
	if flags == "" {
		return "none"
	}
	return strings.ReplaceAll(flags, "|", "+")
}

// scrapeMMU stores the JSON bodies byte for byte under dir/mmu/
// plus an index.json mapping each file to its query.
func scrapeMMU(f *fetcher, dir string) error {
	var index []mmuIndexEntry
	fetch := func(file string, q url.Values) error {
		query := q.Encode()
		body, ok := f.Get("/mmu?" + query)
		if !ok {
			return nil
		}
		if !json.Valid(body) {
			f.Fail("/mmu?"+query, 200, "invalid JSON")
			return nil
		}
		if err := writeFile(filepath.Join(dir, "mmu", file), body); err != nil {
			return err
		}
		index = append(index, mmuIndexEntry{File: file, Query: query})
		return nil
	}
	for _, fl := range mmuPlotFlags {
		q := url.Values{"mode": {"plot"}, "flags": {fl}}
		if err := fetch(fmt.Sprintf("plot.%s.json", flagFileName(fl)), q); err != nil {
			return err
		}
	}
	for _, fl := range mmuDetailFlags {
		for _, w := range mmuDetailWindows {
			q := url.Values{"mode": {"details"}, "window": {fmt.Sprint(w.ns)}, "flags": {fl}}
			if err := fetch(fmt.Sprintf("details.%s.%s.json", flagFileName(fl), w.name), q); err != nil {
				return err
			}
		}
	}
	return writeJSON(filepath.Join(dir, "mmu", "index.json"), index)
}
