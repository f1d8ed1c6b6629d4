//! The timeline equals what go tool trace's proc and thread views draw (their
//! `/jsontrace?view=proc` and `view=thread` JSON, stored by testdata/oracle-viewer.sh):
//! every slice on every P (or thread) and on the GC lane, with its name, start, duration
//! and stacks, every flow arrow with both ends and its stack, and the counters, on every
//! committed trace.

use gotrace_tui::analysis::timeline::{Timeline, TimelineBuilder};
use gotrace_tui::trace::Reader;
use serde::Deserialize;

#[path = "common/oracle.rs"]
mod oracle;

use oracle::{read_golden, traces_root_files};

#[derive(Deserialize)]
struct View {
    slices: Vec<SliceG>,
    flows: Vec<FlowG>,
    instants: Vec<InstantG>,
    stacks: Vec<Vec<String>>,
    counters: Vec<CounterG>,
    /// Counters identical to another view's are stored once, by reference.
    #[serde(default)]
    counters_ref: Vec<CounterRef>,
}

#[derive(Deserialize)]
struct CounterRef {
    source: String,
}

#[derive(Deserialize)]
struct CounterG {
    name: String,
    rows: Vec<Vec<i64>>,
}

#[derive(Deserialize)]
struct SliceG {
    name: String,
    pid: u64,
    tid: u64,
    ts_ns: i64,
    #[serde(default)]
    dur_ns: i64,
    stack: Option<usize>,
    end_stack: Option<usize>,
}

#[derive(Deserialize)]
struct InstantG {
    name: String,
    pid: u64,
    tid: u64,
    ts_ns: i64,
    stack: Option<usize>,
}

#[derive(Deserialize)]
struct FlowG {
    name: String,
    from: EndG,
    to: EndG,
}

#[derive(Deserialize)]
struct EndG {
    tid: u64,
    ts_ns: i64,
    stack: Option<usize>,
}

/// A slice as a comparable tuple: lane, name, start and duration (ns from the trace
/// start), start and end stacks as the viewer renders frames ("func:line").
type SliceKey = (u64, String, i64, i64, Vec<String>, Vec<String>);
/// An instant: lane, name, time, stack.
type InstantKey = (u64, String, i64, Vec<String>);
/// A flow: name, from lane and time, to lane and time, stack.
type FlowKey = (String, u64, i64, u64, i64, Vec<String>);

fn frames(t: &Timeline, id: Option<u32>) -> Vec<String> {
    id.map(|i| {
        t.stacks[i as usize]
            .iter()
            .map(|f| format!("{}:{}", f.func, f.line))
            .collect()
    })
    .unwrap_or_default()
}

/// Compares two multisets of items, recording a difference with a few examples of each side.
fn compare<K: Ord + std::fmt::Debug>(
    trace: &std::path::Path,
    what: &str,
    ours: &mut [K],
    want: &mut [K],
    failures: &mut Vec<String>,
) {
    want.sort();
    ours.sort();
    if ours != want {
        let missing: Vec<_> = want.iter().filter(|s| !ours.contains(s)).take(3).collect();
        let extra: Vec<_> = ours.iter().filter(|s| !want.contains(s)).take(3).collect();
        failures.push(format!(
            "{}: {what}: ours {} Go {}; Go only {missing:?}; ours only {extra:?}",
            trace.display(),
            ours.len(),
            want.len()
        ));
    }
}

fn golden_frames(v: &View, id: Option<usize>) -> Vec<String> {
    id.map(|i| v.stacks[i].clone()).unwrap_or_default()
}

#[test]
fn timeline_matches_go_tool_trace_proc_view() {
    check_view("proc.json", TimelineBuilder::new);
}

#[test]
fn timeline_matches_go_tool_trace_thread_view() {
    check_view("thread.json", TimelineBuilder::by_thread);
}

fn check_view(file: &str, builder: fn() -> TimelineBuilder) {
    let mut failures = Vec::new();
    let mut checked = (0, 0, 0);
    for t in traces_root_files("viewer", file) {
        let data = std::fs::read(&t).unwrap();
        let mut b = builder();
        let (_, err) = gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut b]);
        assert!(err.is_none());
        let tl = b.finish();
        let dir = t.with_extension("viewer");
        let mut view: View = serde_json::from_slice(&read_golden(&dir.join(file))).unwrap();
        if view.counters.is_empty()
            && let Some(r) = view.counters_ref.first()
        {
            let source = r.source.trim_end_matches(".gz");
            let other: View = serde_json::from_slice(&read_golden(&dir.join(source))).unwrap();
            view.counters = other.counters;
        }
        let mut want: Vec<SliceKey> = view
            .slices
            .iter()
            .filter(|s| s.pid == 0)
            .map(|s| {
                (
                    s.tid,
                    s.name.clone(),
                    s.ts_ns,
                    s.dur_ns,
                    golden_frames(&view, s.stack),
                    golden_frames(&view, s.end_stack),
                )
            })
            .collect();
        let mut ours: Vec<SliceKey> = tl
            .slices
            .iter()
            .map(|s| {
                (
                    s.lane,
                    s.name.to_string(),
                    s.start - tl.start_time,
                    s.dur,
                    frames(&tl, s.start_stack),
                    frames(&tl, s.end_stack),
                )
            })
            .collect();
        compare(&t, "slices", &mut ours, &mut want, &mut failures);
        let mut want: Vec<FlowKey> = view
            .flows
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    f.from.tid,
                    f.from.ts_ns,
                    f.to.tid,
                    f.to.ts_ns,
                    golden_frames(&view, f.from.stack),
                )
            })
            .collect();
        let mut ours: Vec<FlowKey> = tl
            .arrows
            .iter()
            .map(|a| {
                (
                    a.name.to_string(),
                    a.from_lane,
                    a.from_time - tl.start_time,
                    a.to_lane,
                    a.to_time - tl.start_time,
                    frames(&tl, a.stack),
                )
            })
            .collect();
        compare(&t, "flows", &mut ours, &mut want, &mut failures);
        checked.0 += want.len();
        let mut want: Vec<InstantKey> = view
            .instants
            .iter()
            .filter(|i| i.pid == 0)
            .map(|i| {
                (
                    i.tid,
                    i.name.clone(),
                    i.ts_ns,
                    golden_frames(&view, i.stack),
                )
            })
            .collect();
        let mut ours: Vec<InstantKey> = tl
            .instants
            .iter()
            .map(|i| {
                (
                    i.lane,
                    i.name.to_string(),
                    i.time - tl.start_time,
                    frames(&tl, i.stack),
                )
            })
            .collect();
        checked.2 += want.len();
        compare(&t, "instants", &mut ours, &mut want, &mut failures);
        checked.1 += 1;
        // The Goroutines, Heap and Threads counters, row by row in emission order.
        let rel = |t: i64| t - tl.start_time;
        let ours: Vec<(&str, Vec<Vec<i64>>)> = vec![
            (
                "Goroutines",
                tl.goroutine_counts
                    .iter()
                    .map(|(t, v)| vec![rel(*t), v[0], v[1], v[2]])
                    .collect(),
            ),
            (
                "Heap",
                tl.heap
                    .iter()
                    .map(|(t, v)| vec![rel(*t), v[0] as i64, v[1] as i64])
                    .collect(),
            ),
            (
                "Threads",
                tl.thread_counts
                    .iter()
                    .map(|(t, v)| vec![rel(*t), v[0], v[1]])
                    .collect(),
            ),
        ];
        for (name, rows) in ours {
            let want = view
                .counters
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.rows.clone())
                .unwrap_or_default();
            if rows != want {
                let i = rows.iter().zip(&want).position(|(a, b)| a != b);
                failures.push(format!(
                    "{}: counter {name}: {} rows vs Go {}, first difference at {i:?}: {:?} vs {:?}",
                    t.display(),
                    rows.len(),
                    want.len(),
                    i.map(|i| &rows[i]),
                    i.map(|i| &want[i])
                ));
            }
        }
    }
    // Guards against a vacuous pass: the committed traces hold tens of thousands of arrows
    // and thousands of instants.
    assert!(checked.0 > 1000, "only {} flows checked", checked.0);
    assert!(checked.2 > 1000, "only {} instants checked", checked.2);
    assert!(
        failures.is_empty(),
        "{} differences ({} traces, {} flows, {} instants checked):\n{}",
        failures.len(),
        checked.1,
        checked.0,
        checked.2,
        failures.join("\n")
    );
}
