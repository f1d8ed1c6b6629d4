package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Events of a /jsontrace body in the shape cmd/trace writes
// (ViewerDataTraceConsumer). The frame ids depend on map iteration order in
// Go and are not stable between runs.
var sampleEvents = []string{
	`{"name":"Threads","ph":"C","ts":0,"pid":1,"tid":0,"args":{"Running":1,"InSyscall":0}}`,
	`{"name":"proc start","ph":"I","s":"t","ts":0,"pid":0,"tid":0,"args":{"thread":22167}}`,
	`{"name":"Goroutines","ph":"C","ts":17.472,"pid":1,"tid":0,"args":{"Running":1,"Runnable":0,"GCWaiting":0}}`,
	`{"name":"go","ph":"s","ts":185.856,"pid":0,"tid":0,"id":1,"sf":3}`,
	`{"name":"go","ph":"t","ts":205.056,"pid":0,"tid":1,"id":1}`,
	`{"name":"unblock (network)","ph":"s","ts":300.001,"pid":0,"tid":1000002,"id":2}`,
	`{"name":"unblock (network)","ph":"t","ts":301,"pid":0,"tid":18446744073709551615,"id":2}`,
	`{"name":"Goroutines","ph":"C","ts":184.896,"pid":1,"tid":0,"args":{"Running":1,"Runnable":1,"GCWaiting":0}}`,
	`{"name":"G1 main.main","ph":"X","ts":0,"dur":193.6,"pid":0,"tid":0,"esf":2}`,
	`{"name":"syscall","ph":"X","ts":232.96,"dur":37.568,"pid":0,"tid":1,"sf":4,"args":{"blocked":"no"}}`,
	`{"name":"G9 main.main.func2","ph":"X","ts":193.984,"pid":0,"tid":0,"sf":3,"esf":3}`,
	`{"name":"[cat] <message> & more","ph":"I","s":"t","ts":4151.168,"pid":0,"tid":1,"cat":"user event","sf":2}`,
	`{"name":"process_name","ph":"M","ts":0,"pid":1,"tid":0,"args":{"name":"STATS"}}`,
	`{"name":"process_sort_index","ph":"M","ts":0,"pid":1,"tid":0,"args":{"sort_index":0}}`,
	`{"name":"thread_name","ph":"M","ts":0,"pid":0,"tid":0,"args":{"name":"Proc 0"}}`,
	`{"name":"thread_sort_index","ph":"M","ts":0,"pid":0,"tid":0,"args":{"sort_index":0}}`,
	`{"name":"thread_name","ph":"M","ts":0,"pid":0,"tid":1000002,"args":{"name":"Network"}}`,
	`{"name":"thread_sort_index","ph":"M","ts":0,"pid":0,"tid":1000002,"args":{"sort_index":-5}}`,
}

const sampleFrames = `{"1":{"name":"main.main:45"},"2":{"name":"runtime.chanrecv1:509","parent":1},"3":{"name":"main.main:39"},"4":{"name":"syscall.write:964","parent":3}}`

// jsonBody lays events out exactly as ViewerDataTraceConsumer does.
func jsonBody(events []string, frames string) string {
	var b strings.Builder
	b.WriteString(`{"displayTimeUnit":"ns"` + "\n")
	for i, e := range events {
		if i == 0 {
			b.WriteString(`,"traceEvents": [`)
		} else {
			b.WriteString(",")
		}
		b.WriteString(e + "\n")
	}
	b.WriteString(`], "stackFrames":` + frames + "\n}")
	return b.String()
}

var sampleBody = jsonBody(sampleEvents, sampleFrames)

func mustConvert(t *testing.T, body, query string) (*view, []string) {
	t.Helper()
	v, problems, err := convert([]byte(body), query)
	if err != nil {
		t.Fatal(err)
	}
	return v, problems
}

func TestConvert(t *testing.T) {
	v, problems := mustConvert(t, sampleBody, "view=proc")
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	// Stacks: sorted table, [] first, leaf first.
	want := [][]string{{}, {"main.main:39"}, {"runtime.chanrecv1:509", "main.main:45"}, {"syscall.write:964", "main.main:39"}}
	if got, _ := json.Marshal(v.Stacks); string(got) != mustJSON(want) {
		t.Errorf("stacks = %s, want %s", got, mustJSON(want))
	}
	// Slices sorted by lane, then time; dur absent = 0; stacks renumbered.
	wantSlices := []string{
		`{"dur_ns":193600,"end_stack":2,"lane":"Proc 0","name":"G1 main.main","pid":0,"tid":0,"ts_ns":0}`,
		`{"dur_ns":0,"end_stack":1,"lane":"Proc 0","name":"G9 main.main.func2","pid":0,"stack":1,"tid":0,"ts_ns":193984}`,
		`{"args":{"blocked":"no"},"dur_ns":37568,"lane":"","name":"syscall","pid":0,"stack":3,"tid":1,"ts_ns":232960}`,
	}
	for i, s := range v.Slices {
		if got, _ := marshalCompact(s); string(got) != wantSlices[i] {
			t.Errorf("slice %d = %s\nwant        %s", i, got, wantSlices[i])
		}
	}
	if len(v.Slices) != len(wantSlices) {
		t.Errorf("%d slices, want %d", len(v.Slices), len(wantSlices))
	}
	// Flows: paired by id; u64 lane ids kept exactly; HTML characters not escaped.
	wantFlows := []string{
		`{"from":{"lane":"Proc 0","ph":"s","pid":0,"stack":1,"tid":0,"ts_ns":185856},"id":1,"name":"go","to":{"lane":"","ph":"t","pid":0,"tid":1,"ts_ns":205056}}`,
		`{"from":{"lane":"Network","ph":"s","pid":0,"tid":1000002,"ts_ns":300001},"id":2,"name":"unblock (network)","to":{"lane":"","ph":"t","pid":0,"tid":18446744073709551615,"ts_ns":301000}}`,
	}
	for i, f := range v.Flows {
		if got, _ := marshalCompact(f); string(got) != wantFlows[i] {
			t.Errorf("flow %d = %s\nwant       %s", i, got, wantFlows[i])
		}
	}
	// Counters: grouped, sorted keys, rows in emission order.
	wantCounters := `[{"keys":["GCWaiting","Runnable","Running"],"name":"Goroutines","pid":1,"rows":[[17472,0,0,1],[184896,0,1,1]],"tid":0},{"keys":["InSyscall","Running"],"name":"Threads","pid":1,"rows":[[0,0,1]],"tid":0}]`
	if got, _ := marshalCompact(v.Counters); string(got) != wantCounters {
		t.Errorf("counters = %s\nwant       %s", got, wantCounters)
	}
	wantInstants := `[{"args":{"thread":22167},"lane":"Proc 0","name":"proc start","ph":"I","pid":0,"s":"t","tid":0,"ts_ns":0},{"cat":"user event","lane":"","name":"[cat] <message> & more","ph":"I","pid":0,"s":"t","stack":2,"tid":1,"ts_ns":4151168}]`
	if got, _ := marshalCompact(v.Instants); string(got) != wantInstants {
		t.Errorf("instants = %s\nwant       %s", got, wantInstants)
	}
	wantLanes := `[{"name":"Proc 0","pid":0,"sort_index":0,"tid":0},{"name":"Network","pid":0,"sort_index":-5,"tid":1000002}]`
	if got, _ := marshalCompact(v.Lanes); string(got) != wantLanes {
		t.Errorf("lanes = %s\nwant    %s", got, wantLanes)
	}
	if got, _ := marshalCompact(v.Processes); string(got) != `[{"name":"STATS","pid":1,"sort_index":0}]` {
		t.Errorf("processes = %s", got)
	}
}

func mustJSON(v any) string {
	b, _ := marshalCompact(v)
	return string(b)
}

// The golden does not depend on Go's frame numbering nor on the order of
// the events that Go emits from map iterations.
func TestConvertCanonical(t *testing.T) {
	a, _ := mustConvert(t, sampleBody, "q")
	// Renumber the frames (1<->3, 2<->4) and reverse the event order,
	// except for the counters: Go emits them from its event loop only, in
	// a fixed order, which the golden keeps.
	swap := strings.NewReplacer(`"sf":1`, `"sf":3`, `"sf":3`, `"sf":1`, `"sf":2`, `"sf":4`, `"sf":4`, `"sf":2`,
		`"esf":1`, `"esf":3`, `"esf":3`, `"esf":1`, `"esf":2`, `"esf":4`, `"esf":4`, `"esf":2`)
	var events []string
	for i := len(sampleEvents) - 1; i >= 0; i-- {
		if !strings.Contains(sampleEvents[i], `"ph":"C"`) {
			events = append(events, swap.Replace(sampleEvents[i]))
		}
	}
	for _, e := range sampleEvents {
		if strings.Contains(e, `"ph":"C"`) {
			events = append(events, e)
		}
	}
	frames := `{"3":{"name":"main.main:45"},"4":{"name":"runtime.chanrecv1:509","parent":3},"1":{"name":"main.main:39"},"2":{"name":"syscall.write:964","parent":1}}`
	b, problems := mustConvert(t, jsonBody(events, frames), "q")
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	ea, _ := encodeView(a)
	eb, _ := encodeView(b)
	if !bytes.Equal(ea, eb) {
		t.Errorf("golden depends on frame ids or event order:\n%s\n---\n%s", ea, eb)
	}
}

func TestConvertProblems(t *testing.T) {
	// A frame missing from stackFrames, a time not of the form n/1000, an unknown phase.
	body := `{"displayTimeUnit":"ns","traceEvents":[{"name":"a","ph":"X","ts":1.0005,"dur":1,"pid":0,"tid":0,"sf":7},{"name":"b","ph":"Q","ts":0,"pid":0,"tid":0}],"stackFrames":{}}`
	_, problems := mustConvert(t, body, "q")
	joined := strings.Join(problems, "\n")
	for _, want := range []string{"frame 7 missing", `ts: time "1.0005"`, `unknown phase "Q"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems %q lack %q", joined, want)
		}
	}
	// A field cmd/trace does not write is an error, not silently dropped.
	if _, _, err := convert([]byte(`{"displayTimeUnit":"ns","traceEvents":[{"name":"a","ph":"X","ts":1,"pid":0,"tid":0,"tts":3}],"stackFrames":{}}`), "q"); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestRefCounters(t *testing.T) {
	proc, _ := mustConvert(t, sampleBody, "view=proc")
	g, _ := mustConvert(t, `{"displayTimeUnit":"ns","traceEvents":[{"name":"Goroutines","ph":"C","ts":184.896,"pid":1,"tid":0,"args":{"Running":1,"Runnable":1,"GCWaiting":0}},{"name":"Heap","ph":"C","ts":1,"pid":1,"tid":0,"args":{"Allocated":1,"NextGC":2}}],"stackFrames":{}}`, "goid=1")
	refCounters(g, proc, "proc.json.gz")
	if got := mustJSON(g.CounterRefs); got != `[{"from":1,"name":"Goroutines","pid":1,"source":"proc.json.gz","tid":0,"to":2}]` {
		t.Errorf("counters_ref = %s", got)
	}
	if len(g.Counters) != 1 || g.Counters[0].Name != "Heap" {
		t.Errorf("counters kept = %s", mustJSON(g.Counters))
	}
}

func TestEventsPerGoroutineAndSelect(t *testing.T) {
	ids := []uint64{1, 2, 3, 4}
	events := map[uint64]int{1: 5, 2: 9, 3: 9, 4: 1}
	if got := mustJSON(selectGoroutines(ids, events, 2)); got != `[2,3]` {
		t.Errorf("select 2 = %s", got)
	}
	if got := mustJSON(selectGoroutines(ids, events, 3)); got != `[1,2,3]` {
		t.Errorf("select 3 = %s", got)
	}
	if got := mustJSON(selectGoroutines(ids, events, 10)); got != `[1,2,3,4]` {
		t.Errorf("select 10 = %s", got)
	}
}
