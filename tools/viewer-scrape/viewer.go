package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// rawData is the body of /jsontrace, as written by
// traceviewer.ViewerDataTraceConsumer: {"displayTimeUnit":"ns","traceEvents":[…],"stackFrames":{…}}.
// Unknown fields are an error: every field Go writes is accounted for.
type rawData struct {
	DisplayTimeUnit string              `json:"displayTimeUnit"`
	Events          []rawEvent          `json:"traceEvents"`
	Frames          map[string]rawFrame `json:"stackFrames"`
}

// rawEvent mirrors internal/trace/traceviewer/format.Event. ts and dur are
// kept as the JSON text, for the exact µs -> ns inversion.
type rawEvent struct {
	Name      string          `json:"name"`
	Phase     string          `json:"ph"`
	Scope     string          `json:"s"`
	Time      json.Number     `json:"ts"`
	Dur       json.Number     `json:"dur"`
	PID       uint64          `json:"pid"`
	TID       uint64          `json:"tid"`
	ID        uint64          `json:"id"`
	BindPoint string          `json:"bp"`
	Stack     int             `json:"sf"`
	EndStack  int             `json:"esf"`
	Arg       json.RawMessage `json:"args"`
	Cname     string          `json:"cname"`
	Category  string          `json:"cat"`
}

type rawFrame struct {
	Name   string `json:"name"`
	Parent int    `json:"parent"`
}

// The golden. Struct fields are declared in key order, so that
// encoding/json writes sorted keys.

type lane struct {
	Name      string `json:"name"`
	PID       uint64 `json:"pid"`
	SortIndex *int   `json:"sort_index"`
	TID       uint64 `json:"tid"`
}

type process struct {
	Name      string `json:"name"`
	PID       uint64 `json:"pid"`
	SortIndex *int   `json:"sort_index"`
}

type slice struct {
	Args     json.RawMessage `json:"args,omitempty"`
	Cname    string          `json:"cname,omitempty"`
	DurNs    int64           `json:"dur_ns"`
	EndStack int             `json:"end_stack,omitempty"`
	Lane     string          `json:"lane"`
	Name     string          `json:"name"`
	PID      uint64          `json:"pid"`
	Stack    int             `json:"stack,omitempty"`
	TID      uint64          `json:"tid"`
	TsNs     int64           `json:"ts_ns"`
}

type instant struct {
	Args  json.RawMessage `json:"args,omitempty"`
	Cat   string          `json:"cat,omitempty"`
	Cname string          `json:"cname,omitempty"`
	Lane  string          `json:"lane"`
	Name  string          `json:"name"`
	Ph    string          `json:"ph"`
	PID   uint64          `json:"pid"`
	Scope string          `json:"s,omitempty"`
	Stack int             `json:"stack,omitempty"`
	TID   uint64          `json:"tid"`
	TsNs  int64           `json:"ts_ns"`
}

type flowEnd struct {
	BindPoint string `json:"bp,omitempty"`
	Lane      string `json:"lane"`
	Ph        string `json:"ph"`
	PID       uint64 `json:"pid"`
	Stack     int    `json:"stack,omitempty"`
	TID       uint64 `json:"tid"`
	TsNs      int64  `json:"ts_ns"`
}

type flow struct {
	Cat  string   `json:"cat,omitempty"`
	From *flowEnd `json:"from"`
	ID   uint64   `json:"id"`
	Name string   `json:"name"`
	To   *flowEnd `json:"to"`
}

type counter struct {
	Keys []string `json:"keys"`
	Name string   `json:"name"`
	PID  uint64   `json:"pid"`
	// Rows: [ts_ns, value of keys[0], value of keys[1], …], in Go's emission order.
	Rows [][]json.RawMessage `json:"rows"`
	TID  uint64              `json:"tid"`
}

// counterRef says that rows [From, To) of the counter Name (pid, tid) of
// Source are exactly this view's rows of that counter (used by goroutine
// views, whose counters are a window of the proc view's).
type counterRef struct {
	From   int    `json:"from"`
	Name   string `json:"name"`
	PID    uint64 `json:"pid"`
	Source string `json:"source"`
	TID    uint64 `json:"tid"`
	To     int    `json:"to"`
}

type async struct {
	Args      json.RawMessage `json:"args,omitempty"`
	BeginArgs json.RawMessage `json:"begin_args,omitempty"`
	Cat       string          `json:"cat,omitempty"`
	Cname     string          `json:"cname,omitempty"`
	EndNs     *int64          `json:"end_ns"`
	EndStack  int             `json:"end_stack,omitempty"`
	ID        uint64          `json:"id"`
	Lane      string          `json:"lane"`
	Name      string          `json:"name"`
	PID       uint64          `json:"pid"`
	Scope     string          `json:"s,omitempty"`
	Stack     int             `json:"stack,omitempty"`
	TID       uint64          `json:"tid"`
	TsNs      *int64          `json:"ts_ns"`
}

type view struct {
	Async           []async      `json:"async"`
	Counters        []counter    `json:"counters"`
	CounterRefs     []counterRef `json:"counters_ref,omitempty"`
	DisplayTimeUnit string       `json:"display_time_unit"`
	Flows           []flow       `json:"flows"`
	Instants        []instant    `json:"instants"`
	Lanes           []lane       `json:"lanes"`
	Processes       []process    `json:"processes"`
	Query           string       `json:"query"`
	Slices          []slice      `json:"slices"`
	Stacks          [][]string   `json:"stacks"`
}

// counts summarises a view for index.json.
func (v *view) counts() map[string]int {
	refRows := 0
	for _, r := range v.CounterRefs {
		refRows += r.To - r.From
	}
	rows := 0
	for _, c := range v.Counters {
		rows += len(c.Rows)
	}
	return map[string]int{
		"async":        len(v.Async),
		"counter_rows": rows + refRows,
		"flows":        len(v.Flows),
		"instants":     len(v.Instants),
		"lanes":        len(v.Lanes),
		"slices":       len(v.Slices),
		"stacks":       len(v.Stacks) - 1,
	}
}

// converter turns one /jsontrace body into a view.
type converter struct {
	frames   map[string]rawFrame
	stackKey map[int]string // viewer frame id -> key of the resolved stack
	stacks   map[string][]string
	refs     []*int // every stack reference, rewritten to table indexes at the end
	refKeys  []string
	errs     []string
}

// resolve turns a viewer stack frame id ("sf"/"esf") into the stack the
// viewer shows: the frame names ("func:line", as cmd/trace names them),
// leaf first, following "parent" to the root. It records the reference
// so that it can be renumbered into the golden's stack table.
func (c *converter) resolve(id int, dst *int) {
	*dst = 0
	if id == 0 {
		return
	}
	key, ok := c.stackKey[id]
	if !ok {
		var frames []string
		seen := map[int]bool{}
		for cur := id; cur != 0; {
			if seen[cur] {
				c.errs = append(c.errs, fmt.Sprintf("stack frame %d: parent cycle", id))
				break
			}
			seen[cur] = true
			f, ok := c.frames[strconv.Itoa(cur)]
			if !ok {
				c.errs = append(c.errs, fmt.Sprintf("stack frame %d: frame %d missing from stackFrames", id, cur))
				frames = append(frames, fmt.Sprintf("<missing frame %d>", cur))
				break
			}
			frames = append(frames, f.Name)
			cur = f.Parent
		}
		b, _ := json.Marshal(frames)
		key = string(b)
		c.stackKey[id] = key
		c.stacks[key] = frames
	}
	c.refs = append(c.refs, dst)
	c.refKeys = append(c.refKeys, key)
}

// finishStacks builds the sorted stack table (index 0 is the empty stack,
// meaning "no sf/esf") and rewrites every reference to an index into it.
func (c *converter) finishStacks() [][]string {
	keys := make([]string, 0, len(c.stacks))
	for k := range c.stacks {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	index := make(map[string]int, len(keys))
	table := [][]string{{}}
	for i, k := range keys {
		index[k] = i + 1
		table = append(table, c.stacks[k])
	}
	for i, p := range c.refs {
		*p = index[c.refKeys[i]]
	}
	return table
}

func (c *converter) ns(ev *rawEvent, field string, text json.Number) int64 {
	if text == "" {
		return 0 // "dur" is omitempty: absent means 0
	}
	n, err := usToNs(string(text))
	if err != nil {
		c.errs = append(c.errs, fmt.Sprintf("%s %q %s: %v", ev.Phase, ev.Name, field, err))
	}
	return n
}

// canonArgs re-encodes "args" with sorted keys and numbers kept verbatim.
func canonArgs(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return marshalCompact(v)
}

func marshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// unexpected reports fields that Go does not set for this phase (so that
// nothing in the JSON goes unrecorded).
func (c *converter) unexpected(ev *rawEvent, allowed string) {
	check := func(name string, set bool) {
		if set && !strings.Contains(" "+allowed+" ", " "+name+" ") {
			c.errs = append(c.errs, fmt.Sprintf("%s event %q has an unexpected %q field", ev.Phase, ev.Name, name))
		}
	}
	check("s", ev.Scope != "")
	check("dur", ev.Dur != "")
	check("id", ev.ID != 0)
	check("bp", ev.BindPoint != "")
	check("sf", ev.Stack != 0)
	check("esf", ev.EndStack != 0)
	check("args", len(ev.Arg) != 0)
	check("cname", ev.Cname != "")
	check("cat", ev.Category != "")
}

// convert parses a /jsontrace body into a view. Problems (fields that
// cannot be represented exactly) are returned as strings; the view is
// still complete otherwise.
func convert(body []byte, query string) (*view, []string, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	var data rawData
	if err := d.Decode(&data); err != nil {
		return nil, nil, fmt.Errorf("decoding /jsontrace?%s: %v", query, err)
	}
	if d.More() {
		return nil, nil, fmt.Errorf("decoding /jsontrace?%s: trailing data", query)
	}
	c := &converter{frames: data.Frames, stackKey: map[int]string{}, stacks: map[string][]string{}}
	if c.frames == nil {
		c.frames = map[string]rawFrame{}
	}
	v := &view{Query: query, DisplayTimeUnit: data.DisplayTimeUnit}

	// Metadata first: lane and process names.
	type key struct{ pid, tid uint64 }
	lanes := map[key]*lane{}
	procs := map[uint64]*process{}
	for i := range data.Events {
		ev := &data.Events[i]
		if ev.Phase != "M" {
			continue
		}
		c.unexpected(ev, "args")
		var arg struct {
			Name      *string `json:"name"`
			SortIndex *int    `json:"sort_index"`
		}
		if err := json.Unmarshal(ev.Arg, &arg); err != nil {
			c.errs = append(c.errs, fmt.Sprintf("M event %q: args: %v", ev.Name, err))
			continue
		}
		if ev.Time != "0" {
			c.errs = append(c.errs, fmt.Sprintf("M event %q has ts %s", ev.Name, ev.Time))
		}
		switch ev.Name {
		case "thread_name", "thread_sort_index":
			l := lanes[key{ev.PID, ev.TID}]
			if l == nil {
				l = &lane{PID: ev.PID, TID: ev.TID}
				lanes[key{ev.PID, ev.TID}] = l
			}
			if ev.Name == "thread_name" && arg.Name != nil {
				l.Name = *arg.Name
			} else if ev.Name == "thread_sort_index" && arg.SortIndex != nil {
				l.SortIndex = arg.SortIndex
			} else {
				c.errs = append(c.errs, fmt.Sprintf("M event %q: unexpected args %s", ev.Name, ev.Arg))
			}
		case "process_name", "process_sort_index":
			if ev.TID != 0 {
				c.errs = append(c.errs, fmt.Sprintf("M event %q has tid %d", ev.Name, ev.TID))
			}
			p := procs[ev.PID]
			if p == nil {
				p = &process{PID: ev.PID}
				procs[ev.PID] = p
			}
			if ev.Name == "process_name" && arg.Name != nil {
				p.Name = *arg.Name
			} else if ev.Name == "process_sort_index" && arg.SortIndex != nil {
				p.SortIndex = arg.SortIndex
			} else {
				c.errs = append(c.errs, fmt.Sprintf("M event %q: unexpected args %s", ev.Name, ev.Arg))
			}
		default:
			c.errs = append(c.errs, fmt.Sprintf("unknown M event %q", ev.Name))
		}
	}
	laneName := func(pid, tid uint64) string {
		if l := lanes[key{pid, tid}]; l != nil {
			return l.Name
		}
		return ""
	}

	flows := map[uint64]*flow{}
	var flowOrder []uint64
	asyncs := map[string]*async{}
	var asyncOrder []string
	counters := map[string]*counter{}
	var counterOrder []string

	for i := range data.Events {
		ev := &data.Events[i]
		args, err := canonArgs(ev.Arg)
		if err != nil {
			c.errs = append(c.errs, fmt.Sprintf("%s event %q: args: %v", ev.Phase, ev.Name, err))
		}
		switch ev.Phase {
		case "M":
		case "X":
			c.unexpected(ev, "dur sf esf args cname cat")
			s := slice{
				Args: args, Cname: ev.Cname, Lane: laneName(ev.PID, ev.TID), Name: ev.Name,
				PID: ev.PID, TID: ev.TID,
				TsNs: c.ns(ev, "ts", ev.Time), DurNs: c.ns(ev, "dur", ev.Dur),
			}
			if ev.Category != "" {
				c.errs = append(c.errs, fmt.Sprintf("X event %q has cat %q (not recorded)", ev.Name, ev.Category))
			}
			v.Slices = append(v.Slices, s)
		case "I", "i":
			c.unexpected(ev, "s sf args cname cat")
			v.Instants = append(v.Instants, instant{
				Args: args, Cat: ev.Category, Cname: ev.Cname, Lane: laneName(ev.PID, ev.TID),
				Name: ev.Name, Ph: ev.Phase, PID: ev.PID, Scope: ev.Scope, TID: ev.TID,
				TsNs: c.ns(ev, "ts", ev.Time),
			})
		case "s", "t", "f":
			c.unexpected(ev, "id sf cat bp")
			f := flows[ev.ID]
			if f == nil {
				f = &flow{ID: ev.ID, Name: ev.Name, Cat: ev.Category}
				flows[ev.ID] = f
				flowOrder = append(flowOrder, ev.ID)
			} else if f.Name != ev.Name || f.Cat != ev.Category {
				c.errs = append(c.errs, fmt.Sprintf("flow %d: name/cat %q/%q vs %q/%q", ev.ID, ev.Name, ev.Category, f.Name, f.Cat))
			}
			end := &flowEnd{BindPoint: ev.BindPoint, Lane: laneName(ev.PID, ev.TID), Ph: ev.Phase, PID: ev.PID, TID: ev.TID, TsNs: c.ns(ev, "ts", ev.Time)}
			if ev.Phase == "s" {
				if f.From != nil {
					c.errs = append(c.errs, fmt.Sprintf("flow %d: two \"s\" events", ev.ID))
				}
				f.From = end
			} else {
				if f.To != nil {
					c.errs = append(c.errs, fmt.Sprintf("flow %d: two \"t\"/\"f\" events", ev.ID))
				}
				f.To = end
			}
			c.resolve(ev.Stack, &end.Stack)
		case "C":
			c.unexpected(ev, "args cname cat")
			ck := fmt.Sprintf("%d\x00%d\x00%s", ev.PID, ev.TID, ev.Name)
			ctr := counters[ck]
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(args, &obj); err != nil {
				c.errs = append(c.errs, fmt.Sprintf("C event %q: args: %v", ev.Name, err))
				continue
			}
			if ctr == nil {
				ctr = &counter{Name: ev.Name, PID: ev.PID, TID: ev.TID}
				for k := range obj {
					ctr.Keys = append(ctr.Keys, k)
				}
				sort.Strings(ctr.Keys)
				counters[ck] = ctr
				counterOrder = append(counterOrder, ck)
			}
			if len(obj) != len(ctr.Keys) {
				c.errs = append(c.errs, fmt.Sprintf("C event %q: keys change: %s", ev.Name, args))
			}
			row := []json.RawMessage{json.RawMessage(strconv.FormatInt(c.ns(ev, "ts", ev.Time), 10))}
			for _, k := range ctr.Keys {
				val, ok := obj[k]
				if !ok {
					c.errs = append(c.errs, fmt.Sprintf("C event %q: key %q missing", ev.Name, k))
					val = json.RawMessage("null")
				}
				row = append(row, val)
			}
			ctr.Rows = append(ctr.Rows, row)
			if ev.Cname != "" || ev.Category != "" {
				c.errs = append(c.errs, fmt.Sprintf("C event %q: cname/cat not recorded", ev.Name))
			}
		case "b", "e":
			c.unexpected(ev, "id s sf args cname cat")
			ak := fmt.Sprintf("%d\x00%s\x00%s", ev.ID, ev.Category, ev.Scope)
			a := asyncs[ak]
			if a == nil {
				a = &async{ID: ev.ID, Cat: ev.Category, Scope: ev.Scope, Name: ev.Name, Cname: ev.Cname,
					PID: ev.PID, TID: ev.TID, Lane: laneName(ev.PID, ev.TID)}
				asyncs[ak] = a
				asyncOrder = append(asyncOrder, ak)
			} else if a.Name != ev.Name || a.PID != ev.PID || a.TID != ev.TID || a.Cname != ev.Cname {
				c.errs = append(c.errs, fmt.Sprintf("async %d: b/e differ in name, lane or cname", ev.ID))
			}
			t := c.ns(ev, "ts", ev.Time)
			if ev.Phase == "b" {
				if a.TsNs != nil {
					c.errs = append(c.errs, fmt.Sprintf("async %d: two \"b\" events", ev.ID))
				}
				a.TsNs = &t
				a.BeginArgs = args
				c.resolve(ev.Stack, &a.Stack)
			} else {
				if a.EndNs != nil {
					c.errs = append(c.errs, fmt.Sprintf("async %d: two \"e\" events", ev.ID))
				}
				a.EndNs = &t
				a.Args = args
				c.resolve(ev.Stack, &a.EndStack)
			}
		default:
			c.errs = append(c.errs, fmt.Sprintf("event %q with unknown phase %q not recorded", ev.Name, ev.Phase))
		}
	}
	// Stack references of slices and instants (done after the appends, as
	// the slices' backing arrays move while they grow).
	xi, ii := 0, 0
	for i := range data.Events {
		ev := &data.Events[i]
		switch ev.Phase {
		case "X":
			c.resolve(ev.Stack, &v.Slices[xi].Stack)
			c.resolve(ev.EndStack, &v.Slices[xi].EndStack)
			xi++
		case "I", "i":
			c.resolve(ev.Stack, &v.Instants[ii].Stack)
			ii++
		}
	}
	v.Stacks = c.finishStacks()

	for _, l := range lanes {
		v.Lanes = append(v.Lanes, *l)
	}
	sort.Slice(v.Lanes, func(i, j int) bool {
		a, b := v.Lanes[i], v.Lanes[j]
		if a.PID != b.PID {
			return a.PID < b.PID
		}
		return a.TID < b.TID
	})
	for _, p := range procs {
		v.Processes = append(v.Processes, *p)
	}
	sort.Slice(v.Processes, func(i, j int) bool { return v.Processes[i].PID < v.Processes[j].PID })

	for _, id := range flowOrder {
		v.Flows = append(v.Flows, *flows[id])
	}
	sort.SliceStable(v.Flows, func(i, j int) bool { return v.Flows[i].ID < v.Flows[j].ID })
	for _, k := range asyncOrder {
		v.Async = append(v.Async, *asyncs[k])
	}
	sort.SliceStable(v.Async, func(i, j int) bool { return v.Async[i].ID < v.Async[j].ID })
	for _, k := range counterOrder {
		v.Counters = append(v.Counters, *counters[k])
	}
	sort.SliceStable(v.Counters, func(i, j int) bool {
		a, b := v.Counters[i], v.Counters[j]
		if a.PID != b.PID {
			return a.PID < b.PID
		}
		if a.TID != b.TID {
			return a.TID < b.TID
		}
		return a.Name < b.Name
	})

	// Slices and instants: Go emits some of them while iterating over maps
	// (the goroutines still running at the end of the trace, the active
	// ranges), so their order varies between runs. Sort them canonically.
	sortByEncoding(v.Slices, func(a, b *slice) int {
		return cmpChain(cmpU(a.PID, b.PID), cmpU(a.TID, b.TID), cmpI(a.TsNs, b.TsNs), cmpI(a.DurNs, b.DurNs), strings.Compare(a.Name, b.Name))
	})
	sortByEncoding(v.Instants, func(a, b *instant) int {
		return cmpChain(cmpU(a.PID, b.PID), cmpU(a.TID, b.TID), cmpI(a.TsNs, b.TsNs), strings.Compare(a.Name, b.Name))
	})
	if v.Slices == nil {
		v.Slices = []slice{}
	}
	if v.Instants == nil {
		v.Instants = []instant{}
	}
	if v.Flows == nil {
		v.Flows = []flow{}
	}
	if v.Counters == nil {
		v.Counters = []counter{}
	}
	if v.Async == nil {
		v.Async = []async{}
	}
	if v.Lanes == nil {
		v.Lanes = []lane{}
	}
	if v.Processes == nil {
		v.Processes = []process{}
	}
	return v, c.errs, nil
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpI(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpChain(cs ...int) int {
	for _, c := range cs {
		if c != 0 {
			return c
		}
	}
	return 0
}

// sortByEncoding sorts by cmp, then by the JSON encoding (a total order).
func sortByEncoding[T any](xs []T, cmp func(a, b *T) int) {
	enc := make([]string, len(xs))
	for i := range xs {
		b, _ := marshalCompact(&xs[i])
		enc[i] = string(b)
	}
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool {
		if c := cmp(&xs[idx[i]], &xs[idx[j]]); c != 0 {
			return c < 0
		}
		return enc[idx[i]] < enc[idx[j]]
	})
	out := make([]T, len(xs))
	for i, k := range idx {
		out[i] = xs[k]
	}
	copy(xs, out)
}

// refCounters replaces the counters of a goroutine view that are exactly a
// contiguous run of rows of the same counter in the proc view by
// references (counters_ref). Counters that do not match stay in full.
func refCounters(v *view, proc *view, source string) {
	var keep []counter
	for _, c := range v.Counters {
		var pc *counter
		for i := range proc.Counters {
			p := &proc.Counters[i]
			if p.Name == c.Name && p.PID == c.PID && p.TID == c.TID && strings.Join(p.Keys, ",") == strings.Join(c.Keys, ",") {
				pc = p
			}
		}
		from := -1
		if pc != nil {
			for s := 0; s+len(c.Rows) <= len(pc.Rows); s++ {
				if rowsEqual(pc.Rows[s:s+len(c.Rows)], c.Rows) {
					from = s
					break
				}
			}
		}
		if from < 0 || len(c.Rows) == 0 {
			keep = append(keep, c)
			continue
		}
		v.CounterRefs = append(v.CounterRefs, counterRef{From: from, To: from + len(c.Rows), Name: c.Name, PID: c.PID, TID: c.TID, Source: source})
	}
	if keep == nil {
		keep = []counter{}
	}
	v.Counters = keep
}

func rowsEqual(a, b [][]json.RawMessage) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if !bytes.Equal(a[i][j], b[i][j]) {
				return false
			}
		}
	}
	return true
}

// encodeView writes the golden: top-level keys sorted, one array element
// per line, no HTML escaping.
func encodeView(v *view) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("{")
	fields := []struct {
		key  string
		val  any
		omit bool
	}{
		{"async", v.Async, false},
		{"counters", v.Counters, false},
		{"counters_ref", v.CounterRefs, v.CounterRefs == nil},
		{"display_time_unit", v.DisplayTimeUnit, false},
		{"flows", v.Flows, false},
		{"instants", v.Instants, false},
		{"lanes", v.Lanes, false},
		{"processes", v.Processes, false},
		{"query", v.Query, false},
		{"slices", v.Slices, false},
		{"stacks", v.Stacks, false},
	}
	first := true
	for _, f := range fields {
		if f.omit {
			continue
		}
		if !first {
			buf.WriteString(",")
		}
		first = false
		buf.WriteString("\n" + strconv.Quote(f.key) + ":")
		if err := writeValue(&buf, f.val); err != nil {
			return nil, err
		}
	}
	buf.WriteString("\n}\n")
	return buf.Bytes(), nil
}

func writeValue(buf *bytes.Buffer, val any) error {
	b, err := marshalCompact(val)
	if err != nil {
		return err
	}
	// Arrays: one element per line.
	var elems []json.RawMessage
	if len(b) > 0 && b[0] == '[' && json.Unmarshal(b, &elems) == nil && len(elems) > 0 {
		buf.WriteString("[")
		for i, e := range elems {
			if i > 0 {
				buf.WriteString(",")
			}
			buf.WriteString("\n")
			buf.Write(e)
		}
		buf.WriteString("\n]")
		return nil
	}
	buf.Write(b)
	return nil
}
