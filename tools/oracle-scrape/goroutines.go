package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// goroutines.json: the goroutine analysis pages (/goroutines and
// /goroutine?name=...). Keys are sorted (struct fields in key order).
type goroutinesFile struct {
	Groups []goroutineGroup `json:"groups"`
}

type goroutineGroup struct {
	Count        int            `json:"count"`        // "Count" on /goroutines (checked against the group page)
	DisplayName  string         `json:"display_name"` // as shown on /goroutines ("(Inactive, no stack trace sampled)" for "")
	ExecNs       int64          `json:"exec_ns"`      // "Total execution time" on /goroutines
	ExecPercent  string         `json:"exec_percent"` // "Execution Time: X of total program execution time" on the group page, e.g. "32.63%"
	Goroutines   []goroutineRow `json:"goroutines"`
	Name         string         `json:"name"`          // the start function (from the link's name= parameter)
	RangeColumns []string       `json:"range_columns"` // "Special ranges" table columns, page order
	StatColumns  []string       `json:"stat_columns"`  // "Breakdown" table columns after Total, page order

	profLinks map[string]string // profile type (net, sync, ...) -> the group page's "(download)" link (&raw=1); not written
}

type goroutineRow struct {
	ID       int64            `json:"id"`
	RangesNs map[string]int64 `json:"ranges_ns"` // empty if the goroutine is not in the "Special ranges" table
	StatsNs  map[string]int64 `json:"stats_ns"`
	TotalNs  int64            `json:"total_ns"`
}

func scrapeGoroutines(f *fetcher) (*goroutinesFile, bool) {
	const page = "/goroutines"
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
	if len(rows) == 0 || !sameStrings(cellTexts(rows[0]), []string{"Start location", "Count", "Total execution time"}) {
		f.Fail(page, 200, "unexpected header")
		return nil, false
	}
	out := &goroutinesFile{Groups: []goroutineGroup{}}
	for _, row := range rows[1:] {
		cells := row.cells()
		if len(cells) != 3 {
			f.Fail(page, 200, fmt.Sprintf("row with %d cells", len(cells)))
			return nil, false
		}
		a := cells[0].first(byTag("a"))
		if a == nil {
			f.Fail(page, 200, "group without link")
			return nil, false
		}
		href := a.attrs["href"]
		name, ok := queryParam(href, "name")
		if !ok {
			f.Fail(page, 200, "link without name=: "+href)
			return nil, false
		}
		n, err1 := strconv.Atoi(cells[1].trimmed())
		exec, err2 := parseGoDuration(cells[2].trimmed())
		if err1 != nil || err2 != nil {
			f.Fail(page, 200, fmt.Sprintf("bad group row: %v %v", err1, err2))
			return nil, false
		}
		g := goroutineGroup{
			Count:       n,
			DisplayName: cells[0].trimmed(),
			ExecNs:      exec,
			Name:        name,
		}
		if want := cmp.Or(name, "(Inactive, no stack trace sampled)"); g.DisplayName != want {
			f.Fail(page, 200, fmt.Sprintf("check: display name %q, link name %q", g.DisplayName, name))
		}
		if !scrapeGoroutineGroup(f, href, &g) {
			g.Goroutines = nil
		}
		out.Groups = append(out.Groups, g)
	}
	// cmd/trace sorts the groups by execution time (descending) with an
	// unstable sort over a map: ties come in random order. Make them
	// deterministic: ties by name.
	slices.SortStableFunc(out.Groups, func(a, b goroutineGroup) int {
		return cmp.Or(cmp.Compare(b.ExecNs, a.ExecNs), cmp.Compare(a.Name, b.Name))
	})
	return out, true
}

// scrapeGoroutineGroup reads /goroutine?name=... (the link from /goroutines).
func scrapeGoroutineGroup(f *fetcher, href string, g *goroutineGroup) bool {
	body, ok := f.Get(href)
	if !ok {
		return false
	}
	doc := parseHTML(string(body))
	// Summary table.
	summary := doc.first(func(n *node) bool { return n.tag == "table" && n.hasClass("summary") })
	if summary == nil {
		f.Fail(href, 200, "no summary table")
		return false
	}
	var pageName, pageCount string
	haveExec := false
	for _, row := range summary.rows() {
		cells := row.cells()
		if len(cells) < 2 {
			continue
		}
		switch cells[0].trimmed() {
		case "Goroutine start location:":
			pageName = cells[1].trimmed()
		case "Count:":
			pageCount = cells[1].trimmed()
		case "Execution Time:":
			v := cells[1].trimmed()
			pct, ok := strings.CutSuffix(v, "of total program execution time")
			if !ok {
				f.Fail(href, 200, "unexpected execution time text: "+v)
				return false
			}
			g.ExecPercent = strings.TrimSpace(pct)
			haveExec = true
		}
	}
	if !haveExec {
		f.Fail(href, 200, "no execution time row")
		return false
	}
	if pageCount != strconv.Itoa(g.Count) {
		f.Fail(href, 200, fmt.Sprintf("check: group page Count %q, /goroutines says %d", pageCount, g.Count))
	}
	if g.Count > 0 && pageName != g.Name {
		f.Fail(href, 200, fmt.Sprintf("check: group page name %q, want %q", pageName, g.Name))
	}
	g.profLinks = profileLinks(f, href, summary, groupProfileEndpoints)
	details := doc.findAll(func(n *node) bool { return n.tag == "table" && n.hasClass("details") })
	if len(details) != 2 {
		f.Fail(href, 200, fmt.Sprintf("%d details tables, want 2", len(details)))
		return false
	}
	bd, ok := parseBreakdown(f, href, details[0], []string{"Goroutine", "Total", ""})
	if !ok {
		return false
	}
	rg, ok := parseRanges(f, href, details[1], []string{"Goroutine", "Total"})
	if !ok {
		return false
	}
	g.StatColumns, g.RangeColumns = bd.columns, rg.columns
	g.Goroutines = []goroutineRow{}
	byID := map[int64]int{}
	for _, r := range bd.rows {
		id, err := strconv.ParseInt(r.key[0], 10, 64)
		if err != nil {
			f.Fail(href, 200, "bad goroutine id "+r.key[0])
			return false
		}
		if _, dup := byID[id]; dup {
			f.Fail(href, 200, fmt.Sprintf("goroutine %d listed twice", id))
			return false
		}
		byID[id] = len(g.Goroutines)
		g.Goroutines = append(g.Goroutines, goroutineRow{ID: id, TotalNs: r.total, StatsNs: r.values, RangesNs: map[string]int64{}})
	}
	for _, r := range rg.rows {
		id, _ := strconv.ParseInt(r.key[0], 10, 64)
		i, ok := byID[id]
		if !ok {
			f.Fail(href, 200, fmt.Sprintf("goroutine %s in the ranges table only", r.key[0]))
			return false
		}
		if g.Goroutines[i].TotalNs != r.total {
			f.Fail(href, 200, fmt.Sprintf("check: goroutine %d total differs between tables", id))
		}
		g.Goroutines[i].RangesNs = r.values
	}
	if len(g.Goroutines) != g.Count {
		f.Fail(href, 200, fmt.Sprintf("check: %d goroutine rows, Count %d", len(g.Goroutines), g.Count))
	}
	// Default order: TotalTime descending, unstable sort over a map (ties come
	// in random order). Ties by goroutine id.
	slices.SortStableFunc(g.Goroutines, func(a, b goroutineRow) int {
		return cmp.Or(cmp.Compare(b.TotalNs, a.TotalNs), cmp.Compare(a.ID, b.ID))
	})
	return true
}

type statTable struct {
	columns []string
	rows    []statRow
}

type statRow struct {
	key    []string // the cells before Total (goroutine id; for regions also the task)
	total  int64
	values map[string]int64
}

// parseBreakdown reads a "Breakdown" table: lead columns (e.g. Goroutine, Total,
// the bar-graph column), then one column per non-overlapping stat.
func parseBreakdown(f *fetcher, page string, t *node, lead []string) (statTable, bool) {
	return parseStatTable(f, page, t, lead, true)
}

// parseRanges reads a "Special ranges" table: lead columns, then one column per range.
func parseRanges(f *fetcher, page string, t *node, lead []string) (statTable, bool) {
	return parseStatTable(f, page, t, lead, false)
}

func parseStatTable(f *fetcher, page string, t *node, lead []string, hasBar bool) (statTable, bool) {
	var st statTable
	rows := t.rows()
	if len(rows) == 0 {
		f.Fail(page, 200, "empty details table")
		return st, false
	}
	head := cellTexts(rows[0])
	if len(head) < len(lead) || !sameStrings(head[:len(lead)], lead) {
		f.Fail(page, 200, fmt.Sprintf("unexpected details header %q", head))
		return st, false
	}
	st.columns = append([]string{}, head[len(lead):]...)
	totalIdx := slices.Index(lead, "Total")
	for _, row := range rows[1:] {
		cells := row.cells()
		if len(cells) != len(head) {
			f.Fail(page, 200, fmt.Sprintf("row with %d cells, header has %d", len(cells), len(head)))
			return st, false
		}
		var r statRow
		for i := 0; i < totalIdx; i++ {
			r.key = append(r.key, cells[i].trimmed())
		}
		var err error
		if r.total, err = parseGoDuration(cells[totalIdx].trimmed()); err != nil {
			f.Fail(page, 200, err.Error())
			return st, false
		}
		r.values = map[string]int64{}
		for i, col := range st.columns {
			v, err := parseGoDuration(cells[len(lead)+i].trimmed())
			if err != nil {
				f.Fail(page, 200, err.Error())
				return st, false
			}
			if _, dup := r.values[col]; dup {
				f.Fail(page, 200, "duplicate column "+col)
				return st, false
			}
			r.values[col] = v
		}
		st.rows = append(st.rows, r)
	}
	_ = hasBar
	return st, true
}

func cellTexts(row *node) []string {
	var out []string
	for _, c := range row.cells() {
		out = append(out, c.trimmed())
	}
	return out
}

func sameStrings(a, b []string) bool { return slices.Equal(a, b) }
