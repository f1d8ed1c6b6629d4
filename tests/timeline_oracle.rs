//! The timeline equals what go tool trace's proc, thread and goroutine views draw (their
//! `/jsontrace?view=proc`, `view=thread` and `goid=N` JSON, stored by
//! testdata/oracle-viewer.sh): every slice on every lane, with its name, start, duration
//! and stacks, every flow arrow with both ends and its stack, every instant, and the
//! counters, on every committed trace (and every goroutine page stored for it).

#[path = "common/cli.rs"]
mod cli;
use std::ffi::OsStr;

use gotrace_tui::analysis::goroutines::Summarizer;
use gotrace_tui::analysis::timeline::{Timeline, TimelineBuilder};
use gotrace_tui::trace::Reader;
use serde::Deserialize;
use std::path::Path;

#[path = "common/oracle.rs"]
mod oracle;

use gotrace_tui::analysis::goroutines::Summary;
use gotrace_tui::analysis::task_view::{TaskGoroutineView, TaskView};
use oracle::{goroutine_pages, read_golden, task_goroutine_pages, task_pages, traces_root_files};

#[derive(Deserialize)]
struct View {
    slices: Vec<SliceG>,
    flows: Vec<FlowG>,
    instants: Vec<InstantG>,
    stacks: Vec<Vec<String>>,
    counters: Vec<CounterG>,
    lanes: Vec<LaneG>,
    r#async: Vec<AsyncG>,
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

/// An async slice (a user region in goroutine-oriented views).
#[derive(Deserialize)]
struct AsyncG {
    #[serde(default)]
    cat: String,
    name: String,
    tid: u64,
    ts_ns: Option<i64>,
    end_ns: Option<i64>,
    stack: Option<usize>,
    end_stack: Option<usize>,
    #[serde(default)]
    s: String,
}

#[derive(Deserialize)]
struct LaneG {
    name: String,
    pid: u64,
    tid: u64,
    sort_index: Option<i64>,
}

/// A task slice's arguments.
#[derive(Deserialize, PartialEq, Debug)]
struct TaskArgsG {
    id: u64,
    #[serde(default)]
    start_g: u64,
    #[serde(default)]
    end_g: u64,
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
    #[serde(default)]
    args: Option<serde_json::Value>,
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
    pid: u64,
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

/// The view's flows that start in section `pid` (0: the P, thread or goroutine lanes;
/// 2: the Tasks section).
fn golden_flows(view: &View, pid: u64) -> Vec<FlowKey> {
    view.flows
        .iter()
        .filter(|f| f.from.pid == pid)
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
        .collect()
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
    let mut want = golden_flows(view, 0);
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

/// Compares the Tasks section (pid 2) of a stored task view with ours: lanes and their
/// order, task slices with stacks and arguments, newTask arrows. Returns the slices and
/// arrows checked.
fn check_task_section(
    page: &Path,
    tl: &Timeline,
    ours: &TaskView,
    view: &View,
    failures: &mut Vec<String>,
) -> (usize, usize) {
    let mut want: Vec<(u64, String, Option<i64>)> = view
        .lanes
        .iter()
        .filter(|l| l.pid == 2)
        .map(|l| (l.tid, l.name.clone(), l.sort_index))
        .collect();
    let mut got: Vec<(u64, String, Option<i64>)> = ours
        .lanes
        .iter()
        .map(|l| (l.id, l.name.clone(), Some(l.sort_index as i64)))
        .collect();
    compare(page, "task lanes", &mut got, &mut want, failures);
    type TaskSliceKey = (u64, String, i64, i64, Vec<String>, Vec<String>, String);
    let mut want: Vec<TaskSliceKey> = view
        .slices
        .iter()
        .filter(|s| s.pid == 2)
        .map(|s| {
            let args: TaskArgsG =
                serde_json::from_value(s.args.clone().expect("task slice args")).unwrap();
            (
                s.tid,
                s.name.clone(),
                s.ts_ns,
                s.dur_ns,
                golden_frames(view, s.stack),
                golden_frames(view, s.end_stack),
                format!("{args:?}"),
            )
        })
        .collect();
    let slices = want.len();
    let mut got: Vec<TaskSliceKey> = ours
        .slices
        .iter()
        .map(|s| {
            let args = TaskArgsG {
                id: s.task,
                start_g: s.start_g as u64,
                end_g: s.end_g as u64,
            };
            (
                s.task,
                s.name.clone(),
                s.start - tl.start_time,
                s.dur,
                frames(tl, s.start_stack),
                frames(tl, s.end_stack),
                format!("{args:?}"),
            )
        })
        .collect();
    compare(page, "task slices", &mut got, &mut want, failures);
    let mut want = golden_flows(view, 2);
    let arrows = want.len();
    let mut got: Vec<FlowKey> = ours
        .arrows
        .iter()
        .map(|a| {
            let at = a.time - tl.start_time;
            let name = "newTask".to_string();
            (name, a.parent, at, a.child, at, frames(tl, a.stack))
        })
        .collect();
    compare(page, "task arrows", &mut got, &mut want, failures);
    (slices, arrows)
}

/// The timeline (in `builder`'s layout) and summary of a trace.
fn timeline_and_summary(t: &Path, builder: TimelineBuilder) -> (Timeline, Summary) {
    let data = std::fs::read(t).unwrap();
    let mut b = builder;
    let mut summarizer = Summarizer::new();
    let (_, err) =
        gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut b, &mut summarizer]);
    assert!(err.is_none());
    (b.finish(), summarizer.finish())
}

#[test]
fn task_views_match_go_tool_trace_focustask() {
    let mut failures = Vec::new();
    let mut checked = (0, 0, 0);
    let (mut pages, mut task_slices, mut task_arrows) = (0, 0, 0);
    for t in traces_root_files("viewer", "proc.json") {
        let dir = t.with_extension("viewer");
        let tasks = task_pages(&dir);
        if tasks.is_empty() {
            continue;
        }
        let (tl, summary) = timeline_and_summary(&t, TimelineBuilder::new());
        for (id, file) in tasks {
            let page = dir.join(&file);
            let view = read_view(&dir, &file);
            let Some(ours) = TaskView::of(&summary.tasks, id, &tl) else {
                failures.push(format!("{}: no task view for task {id}", page.display()));
                continue;
            };
            // The proc part: the proc view cut to the task's window.
            let cut = tl.window(ours.from, ours.to);
            check_timeline(&page, &cut, &view, &mut failures, &mut checked);
            let (s, a) = check_task_section(&page, &tl, &ours, &view, &mut failures);
            task_slices += s;
            task_arrows += a;
            pages += 1;
        }
    }
    // Every stored page is checked (a page without our view is a failure); the
    // committed traces hold 77, a live re-check on fresh traces fewer.
    assert!(
        pages > 0 && task_arrows > 0,
        "{pages} task pages, {task_arrows} arrows"
    );
    assert!(
        failures.is_empty(),
        "{} differences ({pages} task pages, {task_slices} task slices, {task_arrows} task arrows):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// go tool trace's goroutine-oriented task view (`taskid=N`): the goroutines of the task
/// tree over its window, the Tasks section, and the tree's regions on their goroutines.
#[test]
fn task_goroutine_views_match_go_tool_trace_taskid() {
    let mut failures = Vec::new();
    let mut checked = (0, 0, 0);
    let (mut pages, mut regions) = (0, 0);
    for t in traces_root_files("viewer", "proc.json") {
        let dir = t.with_extension("viewer");
        let tasks = task_goroutine_pages(&dir);
        if tasks.is_empty() {
            continue;
        }
        let (tl, summary) = timeline_and_summary(&t, TimelineBuilder::by_goroutine());
        for (id, file) in tasks {
            let page = dir.join(&file);
            let view = read_view(&dir, &file);
            let Some(ours) = TaskGoroutineView::of(&summary, id, &tl) else {
                failures.push(format!(
                    "{}: no goroutine view of task {id}",
                    page.display()
                ));
                continue;
            };
            let (from, to) = (ours.tasks.from, ours.tasks.to);
            let cut = tl.goroutines_view(&ours.goroutines, from, to);
            check_timeline(&page, &cut, &view, &mut failures, &mut checked);
            check_task_section(&page, &tl, &ours.tasks, &view, &mut failures);
            // Regions: (goroutine, name, start, duration, stacks, task as the viewer's
            // hexadecimal async scope).
            type RegionKey = (u64, String, i64, i64, Vec<String>, Vec<String>, String);
            let mut want: Vec<RegionKey> = view
                .r#async
                .iter()
                .filter(|a| a.cat == "Region")
                .map(|a| {
                    let (ts, end) = (a.ts_ns.unwrap(), a.end_ns.unwrap());
                    let (stack, end_stack) = (a.stack, a.end_stack);
                    let scope = a.s.clone();
                    let fr = |i| golden_frames(&view, i);
                    (
                        a.tid,
                        a.name.clone(),
                        ts,
                        end - ts,
                        fr(stack),
                        fr(end_stack),
                        scope,
                    )
                })
                .collect();
            regions += want.len();
            let mut got: Vec<RegionKey> = ours
                .regions
                .iter()
                .map(|r| {
                    let start = r.start - tl.start_time;
                    let fr = |i| frames(&tl, i);
                    let scope = format!("{:x}", r.task);
                    let name = r.name.to_string();
                    let g = r.goroutine as u64;
                    (
                        g,
                        name,
                        start,
                        r.dur,
                        fr(r.start_stack),
                        fr(r.end_stack),
                        scope,
                    )
                })
                .collect();
            compare(&page, "regions", &mut got, &mut want, &mut failures);
            pages += 1;
        }
    }
    assert!(
        pages > 0 && regions > 0,
        "{pages} task goroutine pages, {regions} regions"
    );
    assert!(
        failures.is_empty(),
        "{} differences ({pages} pages, {regions} regions):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The output of `tasks --json --focus ID TRACE`.
fn focus_json(trace: &Path, id: u64) -> serde_json::Value {
    let id = id.to_string();
    cli::json_of([
        OsStr::new("tasks"),
        "--json".as_ref(),
        "--focus".as_ref(),
        id.as_ref(),
        trace.as_ref(),
    ])
}

/// `tasks --focus ID --json` prints the same Tasks section as go tool trace's
/// task-focused view (lanes in order, each task's begin, duration, goroutines and stacks,
/// the newTask arrows), for every stored task page; a task without a view is an error.
#[test]
fn tasks_focus_command_prints_go_tool_trace_task_view() {
    // "func file:line" → the viewer's "func:line".
    let viewer_frames = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let f = f.as_str().unwrap();
                let func = f.split(' ').next().unwrap();
                let line = f.rsplit(':').next().unwrap();
                format!("{func}:{line}")
            })
            .collect()
    };
    let mut pages = 0;
    for t in traces_root_files("viewer", "proc.json") {
        let dir = t.with_extension("viewer");
        for (id, file) in task_pages(&dir) {
            let got = focus_json(&t, id);
            let view = read_view(&dir, &file);
            let mut lanes: Vec<&LaneG> = view.lanes.iter().filter(|l| l.pid == 2).collect();
            lanes.sort_by_key(|l| l.sort_index);
            let tasks = got["tasks"].as_array().unwrap();
            let names: Vec<&str> = tasks.iter().map(|t| t["lane"].as_str().unwrap()).collect();
            let want: Vec<&str> = lanes.iter().map(|l| l.name.as_str()).collect();
            assert_eq!(names, want, "{file}");
            for s in view.slices.iter().filter(|s| s.pid == 2) {
                let ours = tasks
                    .iter()
                    .find(|t| t["id"] == s.tid)
                    .and_then(|t| t.get("slice"))
                    .unwrap_or_else(|| panic!("{file}: no slice for task {}", s.tid));
                let args: TaskArgsG = serde_json::from_value(s.args.clone().unwrap()).unwrap();
                assert_eq!(ours["start_ns"], s.ts_ns, "{file}");
                assert_eq!(ours["dur_ns"], s.dur_ns, "{file}");
                assert_eq!(ours["start_g"].as_i64().unwrap() as u64, args.start_g);
                assert_eq!(ours["end_g"].as_i64().unwrap() as u64, args.end_g);
                assert_eq!(
                    viewer_frames(&ours["start_stack"]),
                    golden_frames(&view, s.stack)
                );
                assert_eq!(
                    viewer_frames(&ours["end_stack"]),
                    golden_frames(&view, s.end_stack)
                );
            }
            let arrows = got["arrows"].as_array().unwrap();
            let want = view.flows.iter().filter(|f| f.from.pid == 2).count();
            assert_eq!(arrows.len(), want, "{file}");
            for f in view.flows.iter().filter(|f| f.from.pid == 2) {
                assert!(
                    arrows.iter().any(|a| a["parent"] == f.from.tid
                        && a["child"] == f.to.tid
                        && a["time_ns"] == f.from.ts_ns
                        && viewer_frames(&a["stack"]) == golden_frames(&view, f.from.stack)),
                    "{file}: no arrow T{} → T{}",
                    f.from.tid,
                    f.to.tid
                );
            }
            pages += 1;
        }
    }
    assert!(pages > 0, "no task pages");
    // The goroutine view's regions (taskid=N), by goroutine, name, start and duration.
    let mut regions = 0;
    for t in traces_root_files("viewer", "proc.json") {
        let dir = t.with_extension("viewer");
        for (id, file) in task_goroutine_pages(&dir) {
            let got = focus_json(&t, id);
            let mut ours: Vec<(u64, String, i64, i64)> = got["regions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let n = |k: &str| r[k].as_i64().unwrap();
                    let name = r["name"].as_str().unwrap().to_string();
                    (n("goroutine") as u64, name, n("start_ns"), n("dur_ns"))
                })
                .collect();
            let view = read_view(&dir, &file);
            let mut want: Vec<(u64, String, i64, i64)> = view
                .r#async
                .iter()
                .filter(|a| a.cat == "Region")
                .map(|a| {
                    let ts = a.ts_ns.unwrap();
                    (a.tid, a.name.clone(), ts, a.end_ns.unwrap() - ts)
                })
                .collect();
            ours.sort();
            want.sort();
            assert_eq!(ours, want, "{file}");
            regions += want.len();
        }
    }
    assert!(regions > 0, "no regions");
    // A task not in the trace is an error.
    let t = traces_root_files("viewer", "proc.json")
        .into_iter()
        .find(|t| t.ends_with("go126/misc.trace"))
        .unwrap();
    let out = cli::run([
        OsStr::new("tasks"),
        "--focus".as_ref(),
        "999".as_ref(),
        t.as_ref(),
    ]);
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "gotrace-tui: task 999 is not in the trace"
    );
}
