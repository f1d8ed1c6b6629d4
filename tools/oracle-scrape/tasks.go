package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// histogram is a traceviewer.TimeHistogram as ToHTML renders it: one row per
// bucket from MinBucket to MaxBucket (empty buckets included), labelled with
// the bucket's lower bound (Duration.String, exact), then a final row with
// the upper bound of the last bucket.
type histogram struct {
	Buckets []histBucket `json:"buckets"`
	EndNs   int64        `json:"end_ns"`
}

type histBucket struct {
	Count int   `json:"count"`
	MinNs int64 `json:"min_ns"`
}

func parseHistogram(f *fetcher, page string, cell *node) (*histogram, bool) {
	t := cell.first(byTag("table"))
	if t == nil {
		if cell.trimmed() != "" {
			f.Fail(page, 200, "histogram cell without a table")
			return nil, false
		}
		return nil, true // h.Count == 0: ToHTML renders nothing
	}
	h := &histogram{Buckets: []histBucket{}}
	rows := t.rows()
	for i, row := range rows {
		cells := row.cells()
		last := i == len(rows)-1
		if last {
			if len(cells) != 1 {
				f.Fail(page, 200, "histogram: bad final row")
				return nil, false
			}
			v, err := parseGoDuration(cells[0].trimmed())
			if err != nil {
				f.Fail(page, 200, "histogram: "+err.Error())
				return nil, false
			}
			h.EndNs = v
			break
		}
		if len(cells) != 3 {
			f.Fail(page, 200, "histogram: bad row")
			return nil, false
		}
		v, err1 := parseGoDuration(cells[0].trimmed())
		n, err2 := strconv.Atoi(cells[2].trimmed())
		if err1 != nil || err2 != nil {
			f.Fail(page, 200, fmt.Sprintf("histogram: %v %v", err1, err2))
			return nil, false
		}
		h.Buckets = append(h.Buckets, histBucket{Count: n, MinNs: v})
	}
	return h, true
}

// tasks.json: /usertasks and, per task type, the /usertask?type=... page its
// Count link points to.
type tasksFile struct {
	Types []taskType `json:"types"`
}

type taskType struct {
	Count     int        `json:"count"`     // complete + incomplete
	Histogram *histogram `json:"histogram"` // complete tasks only; null if none
	Tasks     []taskRow  `json:"tasks"`
	Type      string     `json:"type"`
}

type taskRow struct {
	Complete   bool        `json:"complete"`
	DurationNs int64       `json:"duration_ns"` // end (or trace end) - start (or trace start)
	Events     []taskEvent `json:"events"`
	ID         uint64      `json:"id"`
	StartNs    int64       `json:"start_ns"` // since the trace start
}

type taskEvent struct {
	ElapsedNs int64  `json:"elapsed_ns"` // since the previous event of the task (the first: since trace start)
	Goroutine int64  `json:"goroutine"`
	WhenNs    int64  `json:"when_ns"` // since the trace start
	What      string `json:"what"`
}

func scrapeTasks(f *fetcher) (*tasksFile, bool) {
	const page = "/usertasks"
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
	if len(rows) == 0 || !sameStrings(cellTexts(rows[0]), []string{"Task type", "Count", "Duration distribution (complete tasks)"}) {
		f.Fail(page, 200, "unexpected header")
		return nil, false
	}
	out := &tasksFile{Types: []taskType{}}
	for _, row := range rows[1:] {
		cells := row.cells()
		if len(cells) != 3 {
			f.Fail(page, 200, "bad row")
			return nil, false
		}
		a := cells[1].first(byTag("a"))
		if a == nil {
			f.Fail(page, 200, "no link")
			return nil, false
		}
		href := a.attrs["href"]
		typ, ok := queryParam(href, "type")
		if !ok {
			f.Fail(page, 200, "link without type=: "+href)
			return nil, false
		}
		if shown := cells[0].textContent(); shown != typ {
			f.Fail(page, 200, fmt.Sprintf("check: shown type %q, link type %q", shown, typ))
		}
		n, err := strconv.Atoi(a.trimmed())
		if err != nil {
			f.Fail(page, 200, "bad count")
			return nil, false
		}
		h, ok := parseHistogram(f, page, cells[2])
		if !ok {
			return nil, false
		}
		tt := taskType{Type: typ, Count: n, Histogram: h}
		tt.Tasks, _ = scrapeTaskType(f, href)
		if tt.Tasks != nil && len(tt.Tasks) != n {
			f.Fail(href, 200, fmt.Sprintf("check: %d tasks listed, Count %d", len(tt.Tasks), n))
		}
		out.Types = append(out.Types, tt)
	}
	return out, true
}

func scrapeTaskType(f *fetcher, href string) ([]taskRow, bool) {
	body, ok := f.Get(href)
	if !ok {
		return nil, false
	}
	doc := parseHTML(string(body))
	table := doc.first(func(n *node) bool { return n.tag == "table" && n.attrs["id"] == "reqs" })
	if table == nil {
		f.Fail(href, 200, "no reqs table")
		return nil, false
	}
	rows := table.rows()
	if len(rows) == 0 || !sameStrings(cellTexts(rows[0]), []string{"When", "Elapsed", "Goroutine", "Events"}) {
		f.Fail(href, 200, "unexpected header")
		return nil, false
	}
	tasks := []taskRow{}
	var cur *taskRow
	for _, row := range rows[1:] {
		cells := row.cells()
		if len(cells) != 4 {
			f.Fail(href, 200, "bad row")
			return nil, false
		}
		if row.hasClass("first") {
			start, err1 := parseSecondsFixed9(cells[0].trimmed())
			dur, err2 := parseGoDuration(cells[1].trimmed())
			if err1 != nil || err2 != nil {
				f.Fail(href, 200, fmt.Sprintf("bad task row: %v %v", err1, err2))
				return nil, false
			}
			var id uint64
			var idOK bool
			for _, a := range cells[3].findAll(byTag("a")) {
				if s, ok := queryParam(a.attrs["href"], "focustask"); ok {
					if v, err := strconv.ParseUint(s, 10, 64); err == nil {
						id, idOK = v, true
					}
					if a.trimmed() != "Task "+s {
						f.Fail(href, 200, "check: task link text "+a.trimmed())
					}
					break
				}
			}
			txt := cells[3].textContent()
			complete := strings.Contains(txt, "(complete)")
			if !idOK || complete == strings.Contains(txt, "(incomplete)") {
				f.Fail(href, 200, "bad task cell: "+strings.Join(strings.Fields(txt), " "))
				return nil, false
			}
			tasks = append(tasks, taskRow{ID: id, StartNs: start, DurationNs: dur, Complete: complete, Events: []taskEvent{}})
			cur = &tasks[len(tasks)-1]
			continue
		}
		if cur == nil {
			f.Fail(href, 200, "event row before any task row")
			return nil, false
		}
		when, err1 := parseSecondsFixed9(cells[0].trimmed())
		el, err2 := parseElapsed(cells[1].textContent())
		g, err3 := strconv.ParseInt(cells[2].trimmed(), 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			f.Fail(href, 200, fmt.Sprintf("bad event row: %v %v %v", err1, err2, err3))
			return nil, false
		}
		cur.Events = append(cur.Events, taskEvent{WhenNs: when, ElapsedNs: el, Goroutine: g, What: cells[3].textContent()})
	}
	// Sorted by duration (ascending), unstable: ties by id.
	slices.SortStableFunc(tasks, func(a, b taskRow) int {
		return cmp.Or(cmp.Compare(a.DurationNs, b.DurationNs), cmp.Compare(a.ID, b.ID))
	})
	return tasks, true
}
