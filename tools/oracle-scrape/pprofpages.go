package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// The per-group and per-region blocking profiles of the web UI
// (cmd/trace/main.go, pprof.go), fetched as pprof protobufs (&raw=1):
//
//	/io, /block, /syscall, /sched ?name=<group name>
//	    pprofByGoroutine: the goroutines with that start function, each over
//	    [StartTime (first time it ran, 0 if never), EndTime or trace end].
//	    name="" (the "(Inactive, no stack trace sampled)" group) selects
//	    EVERY goroutine: the same as `go tool trace -pprof=TYPE`.
//	/regionio, /regionblock, /regionsyscall, /regionsched ?type=<t>&pc=<hex>
//	    pprofByRegion with newRegionFilter (cmd/trace/regions.go): type= is
//	    matched exactly (also ""), pc= is parsed with strconv.ParseUint(s, 16, 64),
//	    so it must be bare hex: the region page's own links say pc=0x..., which
//	    does not parse, so the pc condition is silently dropped there and the
//	    profile covers every region of that type, whatever its frame.
//
// Files (profiles as compact one-line JSON, shaped like pprof/<t>.json;
// oracle.sh then compresses each <i>[.page].json with gzip -n -9 into .json.gz):
//
//	pprof-group/index.json          [{"index":i,"name":…,"query":…}] (goroutines.json order)
//	pprof-group/<t>/<i>.json        t = net, sync, syscall, sched
//	pprof-region/index.json         [{"index":i,"type":…,"pc":…,"func":…,"file":…,"line":…,"query":…,"page_query":…,"page_differs":[…]}]
//	pprof-region/<t>/<i>.json       filter type+pc (one row of /userregions)
//	pprof-region/<t>/<i>.page.json  the region page's own link, only if its profile differs

var pprofTypes = []string{"net", "sync", "syscall", "sched"}

var groupProfileEndpoints = map[string]string{"net": "/io", "sync": "/block", "syscall": "/syscall", "sched": "/sched"}

var regionProfileEndpoints = map[string]string{"net": "/regionio", "sync": "/regionblock", "syscall": "/regionsyscall", "sched": "/regionsched"}

// profileLinks collects the "(download)" links (…&raw=1) of a group or region
// page's summary table: profile type -> href.
func profileLinks(f *fetcher, page string, table *node, endpoints map[string]string) map[string]string {
	links := map[string]string{}
	for _, a := range table.findAll(byTag("a")) {
		href := a.attrs["href"]
		path, _, _ := strings.Cut(href, "?")
		if _, ok := queryParam(href, "raw"); !ok {
			continue
		}
		for _, t := range pprofTypes {
			if path != endpoints[t] {
				continue
			}
			if old, dup := links[t]; dup && old != href {
				f.Fail(page, 200, fmt.Sprintf("two %s download links: %q, %q", path, old, href))
			}
			links[t] = href
		}
	}
	for _, t := range pprofTypes {
		if _, ok := links[t]; !ok {
			f.Fail(page, 200, "no "+endpoints[t]+" download link")
		}
	}
	return links
}

// fetchProfile fetches a &raw=1 profile and summarizes it like pprof/<t>.json.
func fetchProfile(f *fetcher, href string) (*pprofFile, bool) {
	body, ok := f.Get(href)
	if !ok {
		return nil, false
	}
	p, err := decodeProfile(body)
	if err != nil {
		f.Fail(href, 200, "decoding profile: "+err.Error())
		return nil, false
	}
	rp, err := resolveProfile(p)
	if err != nil {
		f.Fail(href, 200, "resolving profile: "+err.Error())
		return nil, false
	}
	sum, err := rp.summary()
	if err != nil {
		f.Fail(href, 200, err.Error())
		return nil, false
	}
	return sum, true
}

type groupProfIndexEntry struct {
	Index int    `json:"index"`
	Name  string `json:"name"`  // exact group name (goroutines.json)
	Query string `json:"query"` // exactly what was requested: /io?<query>, /block?<query>, /syscall?<query>, /sched?<query>
}

type regionProfIndexEntry struct {
	File        string   `json:"file"`
	Func        string   `json:"func"`
	Index       int      `json:"index"`
	Line        int      `json:"line"`
	PageDiffers []string `json:"page_differs"` // types t with a <t>/<index>.page.json(.gz)
	PageQuery   string   `json:"page_query"`   // the region page's own link: /regionio?<page_query>, …
	PC          string   `json:"pc"`           // "0x…" as in regions.json
	Query       string   `json:"query"`        // exactly what was requested: /regionio?<query>, /regionblock?<query>, …
	Type        string   `json:"type"`
}

// scrapeGroupProfiles writes pprof-group/ for the groups of goroutines.json
// (in its order) and checks them against pprof/<t>.json when present.
func scrapeGroupProfiles(f *fetcher, out string, g *goroutinesFile) (string, error) {
	index := []groupProfIndexEntry{}
	profs := map[string][]*pprofFile{} // t -> per group (nil if not served)
	for i, grp := range g.Groups {
		// The group page's own links: /io?name=<escaped>&raw=1 etc. They
		// all carry the same query; fall back to our own encoding if the
		// page had none.
		query := ""
		for _, t := range pprofTypes {
			href, ok := grp.profLinks[t]
			if !ok {
				continue
			}
			_, q, _ := strings.Cut(href, "?")
			if query == "" {
				query = q
			} else if q != query {
				f.Fail(href, 200, fmt.Sprintf("check: group %q profile links differ in their query (%q, %q)", grp.Name, query, q))
			}
		}
		if query == "" {
			query = "name=" + url.QueryEscape(grp.Name) + "&raw=1"
		}
		if name, ok := queryParam("/?"+query, "name"); !ok || name != grp.Name {
			f.Fail("/io?"+query, 200, fmt.Sprintf("check: query names %q, group is %q", name, grp.Name))
		}
		index = append(index, groupProfIndexEntry{Index: i, Name: grp.Name, Query: query})
		for _, t := range pprofTypes {
			p, ok := fetchProfile(f, groupProfileEndpoints[t]+"?"+query)
			profs[t] = append(profs[t], p)
			if !ok {
				continue
			}
			if err := writeCompactJSON(filepath.Join(out, "pprof-group", t, strconv.Itoa(i)+".json"), p); err != nil {
				return "", err
			}
		}
	}
	if err := writeJSON(filepath.Join(out, "pprof-group", "index.json"), index); err != nil {
		return "", err
	}

	// Checks against `go tool trace -pprof=<t>` (pprof/<t>.json, written
	// before the scrape). Every goroutine has one name, and its interval is
	// the same in both, so the named groups add up to at most the whole
	// profile, exactly the whole one if there is no "" group; the "" group's
	// profile is the whole profile.
	for _, t := range pprofTypes {
		whole, err := readPprofJSON(filepath.Join(out, "pprof", t+".json"))
		if err != nil || whole == nil {
			continue // -pprof failed (pprof/<t>.err)
		}
		var sumCount, sumDelay int64
		haveAll, hasEmptyName := true, false
		for i, grp := range g.Groups {
			p := profs[t][i]
			if p == nil {
				haveAll = false
				continue
			}
			if grp.Name == "" {
				hasEmptyName = true
				if !equalJSON(p, whole) {
					f.Fail(groupProfileEndpoints[t]+"?"+index[i].Query, 200, fmt.Sprintf("check: the \"\" group's %s profile differs from pprof/%s.json", t, t))
				}
				continue
			}
			sumCount += p.TotalCount
			sumDelay += p.TotalDelayNs
		}
		if !haveAll {
			continue
		}
		if sumCount > whole.TotalCount || sumDelay > whole.TotalDelayNs ||
			(!hasEmptyName && (sumCount != whole.TotalCount || sumDelay != whole.TotalDelayNs)) {
			f.Fail(groupProfileEndpoints[t], 200, fmt.Sprintf("check: %s group profiles add up to %d/%d ns, pprof/%s.json has %d/%d ns (\"\" group: %v)",
				t, sumCount, sumDelay, t, whole.TotalCount, whole.TotalDelayNs, hasEmptyName))
		}
	}
	return fmt.Sprintf("pprof-group %d×%d", len(g.Groups), len(pprofTypes)), nil
}

var hexDigits = regexp.MustCompile(`^[0-9a-f]+$`)

// scrapeRegionProfiles writes pprof-region/ for the region types of
// regions.json (in its order).
func scrapeRegionProfiles(f *fetcher, out string, r *regionsFile) (string, error) {
	index := []regionProfIndexEntry{}
	typeCount := map[string]int{}
	for _, rt := range r.Types {
		typeCount[rt.Type]++
	}
	nPage := 0
	for i, rt := range r.Types {
		pc, ok := strings.CutPrefix(rt.PC, "0x")
		if !ok || !hexDigits.MatchString(pc) {
			f.Fail("/userregions", 200, fmt.Sprintf("check: region type %q: pc %q is not 0x + lower-case hex", rt.Type, rt.PC))
			continue
		}
		// newRegionFilter: type= exactly (present, so "" matches ""), pc=
		// bare hex (strconv.ParseUint(pc, 16, 64)).
		query := "type=" + url.QueryEscape(rt.Type) + "&pc=" + pc + "&raw=1"
		e := regionProfIndexEntry{File: rt.File, Func: rt.Func, Index: i, Line: rt.Line, PC: rt.PC, Query: query, Type: rt.Type, PageDiffers: []string{}}
		for _, t := range pprofTypes {
			if href, ok := rt.profLinks[t]; ok {
				_, q, _ := strings.Cut(href, "?")
				if e.PageQuery == "" {
					e.PageQuery = q
				} else if q != e.PageQuery {
					f.Fail(href, 200, fmt.Sprintf("check: region %q profile links differ in their query (%q, %q)", rt.Type, e.PageQuery, q))
				}
			}
		}
		for _, t := range pprofTypes {
			p, ok := fetchProfile(f, regionProfileEndpoints[t]+"?"+query)
			if !ok {
				continue
			}
			if err := writeCompactJSON(filepath.Join(out, "pprof-region", t, strconv.Itoa(i)+".json"), p); err != nil {
				return "", err
			}
			href, ok := rt.profLinks[t]
			if !ok {
				continue
			}
			pp, ok := fetchProfile(f, href)
			if !ok || equalJSON(p, pp) {
				continue
			}
			if typeCount[rt.Type] == 1 {
				f.Fail(href, 200, fmt.Sprintf("check: region type %q has one frame, but its page's %s link gives another profile than %s", rt.Type, t, query))
			}
			e.PageDiffers = append(e.PageDiffers, t)
			nPage++
			if err := writeCompactJSON(filepath.Join(out, "pprof-region", t, strconv.Itoa(i)+".page.json"), pp); err != nil {
				return "", err
			}
		}
		index = append(index, e)
	}
	if err := writeJSON(filepath.Join(out, "pprof-region", "index.json"), index); err != nil {
		return "", err
	}
	return fmt.Sprintf("pprof-region %d×%d+%d page", len(r.Types), len(pprofTypes), nPage), nil
}

func readPprofJSON(path string) (*pprofFile, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p pprofFile
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &p, nil
}

func compactJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func equalJSON(a, b any) bool {
	x, err1 := compactJSON(a)
	y, err2 := compactJSON(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// writeCompactJSON writes v as compact JSON (one line, no HTML escaping).
func writeCompactJSON(path string, v any) error {
	b, err := compactJSON(v)
	if err != nil {
		return err
	}
	return writeFile(path, b)
}
