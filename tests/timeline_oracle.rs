//! The timeline equals what go tool trace's proc, thread and goroutine views draw (their
//! `/jsontrace?view=proc`, `view=thread` and `goid=N` JSON, stored by
//! testdata/oracle-viewer.sh): every slice on every lane, with its name, start, duration
//! and stacks, every flow arrow with both ends and its stack, every instant, and the
//! counters, on every committed trace (and every goroutine page stored for it).

use gotrace_tui::analysis::goroutines::Summarizer;
use gotrace_tui::analysis::timeline::{Timeline, TimelineBuilder};
use gotrace_tui::trace::Reader;
use serde::Deserialize;
use std::path::Path;

#[path = "common/oracle.rs"]
mod oracle;

use oracle::{goroutine_pages, read_golden, traces_root_files};

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

/// Rows `from..to` of counter `name` in view file `source`.
#[derive(Deserialize)]
struct CounterRef {
    source: String,
    name: String,
    from: usize,
    to: usize,
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
    #[serde(default)]
    args: Option<SchedArgsG>,
    pid: u64,
    tid: u64,
    ts_ns: i64,
    stack: Option<usize>,
}

/// An instant's arguments; Go omits a zero P.
#[derive(Deserialize)]
struct SchedArgsG {
    #[serde(default)]
    proc: u64,
    thread: Option<u64>,
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
/// An instant: lane, name, time, stack, (P, thread) arguments.
type InstantKey = (u64, String, i64, Vec<String>, Option<(u64, u64)>);
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
        let view = read_view(&t.with_extension("viewer"), file);
        check_timeline(&t, &tl, &view, &mut failures, &mut checked);
        checked.1 += 1;
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

/// A stored view, with its counters resolved (those identical to a run of another view's
/// rows are stored as references).
fn read_view(dir: &Path, file: &str) -> View {
    let mut view: View = serde_json::from_slice(&read_golden(&dir.join(file))).unwrap();
    for r in std::mem::take(&mut view.counters_ref) {
        let other: View =
            serde_json::from_slice(&read_golden(&dir.join(r.source.trim_end_matches(".gz"))))
                .unwrap();
        let source = other.counters.iter().find(|c| c.name == r.name).unwrap();
        view.counters.push(CounterG {
            name: r.name,
            rows: source.rows[r.from..r.to].to_vec(),
        });
    }
    view
}

/// Compares a timeline with a stored view: slices, flows, instants and counters.
fn check_timeline(
    t: &Path,
    tl: &Timeline,
    view: &View,
    failures: &mut Vec<String>,
    checked: &mut (usize, usize, usize),
) {
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
                golden_frames(view, s.stack),
                golden_frames(view, s.end_stack),
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
                frames(tl, s.start_stack),
                frames(tl, s.end_stack),
            )
        })
        .collect();
    compare(t, "slices", &mut ours, &mut want, failures);
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
                golden_frames(view, f.from.stack),
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
                frames(tl, a.stack),
            )
        })
        .collect();
    compare(t, "flows", &mut ours, &mut want, failures);
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
                golden_frames(view, i.stack),
                i.args.as_ref().and_then(|a| Some((a.proc, a.thread?))),
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
                frames(tl, i.stack),
                i.sched,
            )
        })
        .collect();
    checked.2 += want.len();
    compare(t, "instants", &mut ours, &mut want, failures);
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

#[test]
fn timeline_matches_go_tool_trace_goroutine_views() {
    let mut failures = Vec::new();
    let mut checked = (0, 0, 0);
    let mut pages = 0;
    for t in traces_root_files("viewer", "proc.json") {
        let data = std::fs::read(&t).unwrap();
        let mut b = TimelineBuilder::by_goroutine();
        let mut summarizer = Summarizer::new();
        let (_, err) =
            gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut b, &mut summarizer]);
        assert!(err.is_none());
        let tl = b.finish();
        let summary = summarizer.finish();
        let dir = t.with_extension("viewer");
        for (goid, file) in goroutine_pages(&dir) {
            // Go's window: the goroutine's first start and its end, else the trace's ends.
            let g = summary.goroutines.get(&goid).expect("goroutine in summary");
            let from = if g.start_time != 0 {
                g.start_time
            } else {
                tl.start_time
            };
            let to = if g.end_time != 0 {
                g.end_time
            } else {
                tl.end_time
            };
            let view = read_view(&dir, &file);
            let ours = tl.goroutine_view(goid, from, to);
            let page = dir.join(&file);
            check_timeline(&page, &ours, &view, &mut failures, &mut checked);
            pages += 1;
        }
        checked.1 += 1;
    }
    assert!(pages > 100, "only {pages} goroutine pages checked");
    assert!(checked.0 > 1000, "only {} flows checked", checked.0);
    assert!(
        failures.is_empty(),
        "{} differences ({} traces, {pages} goroutine pages, {} flows, {} instants checked):\n{}",
        failures.len(),
        checked.1,
        checked.0,
        checked.2,
        failures.join("\n")
    );
}
