package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// regions.json: /userregions and, per (type, start frame), the
// /userregion?type=...&pc=... page its Count link points to.
type regionsFile struct {
	Types []regionType `json:"types"`
}

type regionType struct {
	Count        int         `json:"count"` // all regions of the group (Histogram.Count)
	File         string      `json:"file"`
	Func         string      `json:"func"`
	Histogram    *histogram  `json:"histogram"`
	Line         int         `json:"line"`
	PC           string      `json:"pc"` // "0x..." as shown
	RangeColumns []string    `json:"range_columns"`
	Regions      []regionRow `json:"regions"`
	StatColumns  []string    `json:"stat_columns"`
	Type         string      `json:"type"`

	profLinks map[string]string // profile type (net, sync, ...) -> the region page's "(download)" link (&raw=1); not written
}

type regionRow struct {
	Goroutine int64            `json:"goroutine"`
	RangesNs  map[string]int64 `json:"ranges_ns"`
	StatsNs   map[string]int64 `json:"stats_ns"`
	Task      uint64           `json:"task"` // 0 when the page shows no task
	TotalNs   int64            `json:"total_ns"`
}

func scrapeRegions(f *fetcher) (*regionsFile, bool) {
	const page = "/userregions"
	body, ok := f.Get(page)
	if !ok {
		return nil, false
	}
	doc := parseHTML(string(body))
	table := doc.first(byTag("table"))
	if table == nil {
		f.Fail(page, 200, "no table")
		return nil, false
	}
	rows := table.rows()
	if len(rows) == 0 || !sameStrings(cellTexts(rows[0]), []string{"Region type", "Count", "Duration distribution (complete tasks)"}) {
		f.Fail(page, 200, "unexpected header")
		return nil, false
	}
	out := &regionsFile{Types: []regionType{}}
	for _, row := range rows[1:] {
		cells := row.cells()
		if len(cells) != 3 {
			f.Fail(page, 200, "bad row")
			return nil, false
		}
		var rt regionType
		// <pre>"type"<br>func @ 0xPC<br>file:line</pre>
		pre := cells[0].first(byTag("pre"))
		if pre == nil {
			f.Fail(page, 200, "no <pre>")
			return nil, false
		}
		var parts []string
		var sb strings.Builder
		for _, c := range pre.children {
			if c.tag == "br" {
				parts = append(parts, sb.String())
				sb.Reset()
				continue
			}
			sb.WriteString(c.textContent())
		}
		parts = append(parts, sb.String())
		if len(parts) != 3 {
			f.Fail(page, 200, fmt.Sprintf("region cell with %d lines", len(parts)))
			return nil, false
		}
		shownType, err := strconv.Unquote(parts[0])
		if err != nil {
			f.Fail(page, 200, "bad quoted type "+parts[0])
			return nil, false
		}
		i := strings.LastIndex(parts[1], " @ 0x")
		j := strings.LastIndex(parts[2], ":")
		if i < 0 || j < 0 {
			f.Fail(page, 200, "bad frame lines")
			return nil, false
		}
		rt.Func, rt.PC = parts[1][:i], parts[1][i+3:]
		rt.File = parts[2][:j]
		if rt.Line, err = strconv.Atoi(parts[2][j+1:]); err != nil {
			f.Fail(page, 200, "bad line "+parts[2])
			return nil, false
		}
		a := cells[1].first(byTag("a"))
		if a == nil {
			f.Fail(page, 200, "no link")
			return nil, false
		}
		href := a.attrs["href"]
		typ, ok1 := queryParam(href, "type")
		pc, ok2 := queryParam(href, "pc")
		if !ok1 || !ok2 {
			f.Fail(page, 200, "bad link "+href)
			return nil, false
		}
		rt.Type = typ
		if typ != shownType || "0x"+pc != rt.PC {
			f.Fail(page, 200, fmt.Sprintf("check: shown %q @ %s, link %q @ %s", shownType, rt.PC, typ, pc))
		}
		if rt.Count, err = strconv.Atoi(a.trimmed()); err != nil {
			f.Fail(page, 200, "bad count")
			return nil, false
		}
		if rt.Histogram, ok = parseHistogram(f, page, cells[2]); !ok {
			return nil, false
		}
		if !scrapeRegionType(f, href, &rt) {
			rt.Regions = nil
		} else if len(rt.Regions) != rt.Count {
			f.Fail(href, 200, fmt.Sprintf("check: %d regions listed, Count %d", len(rt.Regions), rt.Count))
		}
		out.Types = append(out.Types, rt)
	}
	return out, true
}

func scrapeRegionType(f *fetcher, href string, rt *regionType) bool {
	body, ok := f.Get(href)
	if !ok {
		return false
	}
	doc := parseHTML(string(body))
	if summary := doc.first(func(n *node) bool { return n.tag == "table" && n.hasClass("summary") }); summary != nil {
		rt.profLinks = profileLinks(f, href, summary, regionProfileEndpoints)
	} else {
		f.Fail(href, 200, "no summary table (profile links)")
	}
	details := doc.findAll(func(n *node) bool { return n.tag == "table" && n.hasClass("details") })
	if len(details) != 2 {
		f.Fail(href, 200, fmt.Sprintf("%d details tables, want 2", len(details)))
		return false
	}
	bd, ok := parseBreakdown(f, href, details[0], []string{"Goroutine", "Task", "Total", ""})
	if !ok {
		return false
	}
	rg, ok := parseRanges(f, href, details[1], []string{"Goroutine", "Task", "Total"})
	if !ok {
		return false
	}
	rt.StatColumns, rt.RangeColumns = bd.columns, rg.columns
	rt.Regions = []regionRow{}
	for _, r := range bd.rows {
		g, err1 := strconv.ParseInt(r.key[0], 10, 64)
		var task uint64
		var err2 error
		if r.key[1] != "" {
			task, err2 = strconv.ParseUint(r.key[1], 10, 64)
		}
		if err1 != nil || err2 != nil {
			f.Fail(href, 200, fmt.Sprintf("bad goroutine/task %q", r.key))
			return false
		}
		rt.Regions = append(rt.Regions, regionRow{Goroutine: g, Task: task, TotalNs: r.total, StatsNs: r.values, RangesNs: map[string]int64{}})
	}
	// The ranges table lists the same regions, in the same order, minus those
	// without range time. Match it as a subsequence on (goroutine, task, total).
	k := 0
	for _, r := range rg.rows {
		for k < len(bd.rows) && !(slices.Equal(bd.rows[k].key, r.key) && bd.rows[k].total == r.total) {
			k++
		}
		if k == len(bd.rows) {
			f.Fail(href, 200, fmt.Sprintf("ranges row %q not in the breakdown", r.key))
			return false
		}
		rt.Regions[k].RangesNs = r.values
		for m := k + 1; m < len(bd.rows); m++ {
			if slices.Equal(bd.rows[m].key, r.key) && bd.rows[m].total == r.total && !maps.Equal(bd.rows[m].values, bd.rows[k].values) {
				f.Fail(href, 200, fmt.Sprintf("check: ranges row %q matches several breakdown rows", r.key))
				break
			}
		}
		k++
	}
	// Default order: TotalTime descending, unstable (ties come in random
	// order): ties by goroutine, task, then the figures.
	slices.SortStableFunc(rt.Regions, func(a, b regionRow) int {
		return cmp.Or(cmp.Compare(b.TotalNs, a.TotalNs), cmp.Compare(a.Goroutine, b.Goroutine),
			cmp.Compare(a.Task, b.Task), compareMaps(a.StatsNs, b.StatsNs), compareMaps(a.RangesNs, b.RangesNs))
	})
	return true
}

func compareMaps(a, b map[string]int64) int {
	ka, kb := slices.Sorted(maps.Keys(a)), slices.Sorted(maps.Keys(b))
	if c := slices.Compare(ka, kb); c != 0 {
		return c
	}
	for _, k := range ka {
		if c := cmp.Compare(a[k], b[k]); c != 0 {
			return c
		}
	}
	return 0
}
