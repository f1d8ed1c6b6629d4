//! `gotrace-tui tasks` and `gotrace-tui regions`: user tasks and regions by type, with
//! latency distributions, as text or JSON.

use std::io::Write;

use serde::Serialize;

use crate::analysis::Name;
use crate::analysis::goroutines::{Distribution, Summary, TaskSummary};
use crate::analysis::tasks::{
    RegionType, TaskType, TimeHistogram, region_types, task_regions, task_types,
};
use crate::report::goroutines::go_duration;

/// Parses a Go duration string (`1.5s`, `250ms`, `10us`, `10µs`, `42ns`, `1h2m`) into
/// nanoseconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if s == "0" {
        return Some(0);
    }
    let mut rest = s;
    let mut total = 0f64;
    let mut any = false;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let v: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let (unit, len) = [
            ("ns", 1.0, 2),
            ("us", 1e3, 2),
            ("µs", 1e3, "µs".len()),
            ("ms", 1e6, 2),
            ("s", 1e9, 1),
            ("m", 60e9, 1),
            ("h", 3600e9, 1),
        ]
        .into_iter()
        .find(|(u, _, _)| rest.starts_with(u))
        .map(|(_, m, l)| (m, l))?;
        total += v * unit;
        rest = &rest[len..];
        any = true;
    }
    any.then_some(total as i64)
}

/// Names of the regions of a task.
pub fn task_region_names(summary: &Summary, t: &TaskSummary) -> Vec<Name> {
    task_regions(summary, t)
        .into_iter()
        .map(|(_, r)| r.name)
        .collect()
}

/// Whether a task matches a text (Go's `taskMatches`: its type, region names, log
/// categories and messages).
pub fn task_matches(summary: &Summary, t: &TaskSummary, text: &str) -> bool {
    t.name.contains(text)
        || task_region_names(summary, t)
            .iter()
            .any(|n| n.contains(text))
        || t.logs
            .iter()
            .any(|(_, c, m)| c.contains(text) || m.contains(text))
}

/// Draws a histogram as one line of block characters, one per bucket.
pub fn sparkline(h: &TimeHistogram) -> String {
    const BARS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let Some((rows, _)) = h.rows() else {
        return String::new();
    };
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    rows.iter()
        .map(|&(_, c)| {
            if c == 0 {
                BARS[0]
            } else {
                BARS[(1 + (c * 7) / max) as usize]
            }
        })
        .collect()
}

/// JSON shape of a task type.
#[derive(Debug, Serialize)]
pub struct TaskTypeJson {
    /// Type name.
    pub name: String,
    /// Tasks (complete or not).
    pub count: usize,
    /// Distribution of complete tasks' durations (ns).
    pub duration_ns: Distribution,
    /// The tasks.
    pub tasks: Vec<TaskJson>,
}

/// JSON shape of a task.
#[derive(Debug, Serialize)]
pub struct TaskJson {
    /// ID.
    pub id: u64,
    /// Start relative to the trace start (ns).
    pub start_ns: i64,
    /// Duration (ns).
    pub duration_ns: i64,
    /// Both ends inside the trace.
    pub complete: bool,
    /// Goroutines involved.
    pub goroutines: Vec<i64>,
    /// Log messages: (time relative to trace start, goroutine, category, message).
    pub logs: Vec<(i64, i64, String, String)>,
    /// Region names, in order of appearance.
    pub regions: Vec<String>,
    /// The task it was begun inside, if any.
    pub parent: Option<u64>,
    /// The tasks begun inside it, in order of appearance.
    pub children: Vec<u64>,
}

/// Filters for `tasks`.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Only this type.
    pub typ: Option<String>,
    /// Only tasks at least this long (ns).
    pub min_duration: Option<i64>,
    /// Only tasks whose type, regions or logs contain this text.
    pub text: Option<String>,
}

/// Task `id`, which the summary must hold (an ID from its task types).
fn task(summary: &Summary, id: u64) -> TaskSummary {
    summary
        .tasks
        .get(&id)
        .expect("task types list the summary's tasks")
}

fn filtered_tasks(summary: &Summary, f: &TaskFilter) -> Vec<(TaskType, Vec<TaskSummary>)> {
    task_types(summary)
        .into_iter()
        .filter(|t| f.typ.as_ref().is_none_or(|n| *n == t.name))
        .map(|mut t| {
            t.tasks.retain(|s| {
                f.min_duration.is_none_or(|m| s.duration >= m)
                    && f.text
                        .as_ref()
                        .is_none_or(|x| task_matches(summary, &task(summary, s.id), x))
            });
            let sums = t.tasks.iter().map(|s| task(summary, s.id)).collect();
            (t, sums)
        })
        .filter(|(t, _)| !t.tasks.is_empty() || f.min_duration.is_none() && f.text.is_none())
        .collect()
}

/// Writes the task report.
pub fn write_tasks(
    summary: &Summary,
    f: &TaskFilter,
    json: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let types = filtered_tasks(summary, f);
    if json {
        let v: Vec<TaskTypeJson> = types
            .iter()
            .map(|(t, sums)| TaskTypeJson {
                name: t.name.clone(),
                count: t.count,
                duration_ns: t.distribution().unwrap_or_default(),
                tasks: t
                    .tasks
                    .iter()
                    .zip(sums)
                    .map(|(s, ts)| TaskJson {
                        id: s.id,
                        start_ns: s.start,
                        duration_ns: s.duration,
                        complete: s.complete,
                        goroutines: ts.goroutines.clone(),
                        parent: ts.parent,
                        children: ts.children.clone(),
                        logs: ts
                            .logs
                            .iter()
                            .map(|(e, c, m)| {
                                (
                                    e.time - summary.first_time,
                                    e.goroutine,
                                    c.to_string(),
                                    m.to_string(),
                                )
                            })
                            .collect(),
                        regions: task_region_names(summary, ts)
                            .into_iter()
                            .map(|n| n.to_string())
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::other)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{:<30} {:>6} {:>12} {:>12} {:>12} {:>12}  DISTRIBUTION (complete tasks)",
        "TASK TYPE", "COUNT", "P50", "P90", "P99", "MAX"
    )?;
    for (t, _) in &types {
        let d = t.distribution();
        let show =
            |v: fn(&Distribution) -> i64| d.as_ref().map_or("-".into(), |d| go_duration(v(d)));
        writeln!(
            out,
            "{:<30} {:>6} {:>12} {:>12} {:>12} {:>12}  {}",
            if t.name.is_empty() {
                "(background)"
            } else {
                &t.name
            },
            t.count,
            show(|d| d.p50),
            show(|d| d.p90),
            show(|d| d.p99),
            show(|d| d.max),
            sparkline(&t.histogram)
        )?;
    }
    if f.typ.is_some() || f.min_duration.is_some() || f.text.is_some() {
        for (t, sums) in &types {
            writeln!(out, "\n{}:", t.name)?;
            // Longest first: the slow ones are what one looks for.
            for (s, ts) in t.tasks.iter().zip(sums).rev() {
                writeln!(
                    out,
                    "  task {:>6}  start +{:<14} {:>12}  {}  goroutines {:?}",
                    s.id,
                    go_duration(s.start),
                    go_duration(s.duration),
                    if s.complete {
                        "complete  "
                    } else {
                        "incomplete"
                    },
                    ts.goroutines
                )?;
                for (e, c, m) in &ts.logs {
                    writeln!(
                        out,
                        "      +{:<14} G{:<6} log {c}: {m}",
                        go_duration(e.time - summary.first_time),
                        e.goroutine
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// Writes the region report.
pub fn write_regions(
    summary: &Summary,
    typ: Option<&str>,
    min_duration: Option<i64>,
    json: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut types: Vec<RegionType> = region_types(summary)
        .into_iter()
        .filter(|t| typ.is_none_or(|n| n == t.name))
        .collect();
    for t in &mut types {
        t.regions = t
            .regions
            .iter()
            .filter(|r| min_duration.is_none_or(|m| r.duration >= m))
            .collect();
    }
    if json {
        #[derive(Serialize)]
        struct RegionJson {
            goroutine: i64,
            task: u64,
            start_ns: Option<i64>,
            duration_ns: i64,
            exec_ns: i64,
            sched_wait_ns: i64,
            syscall_ns: i64,
            syscall_block_ns: i64,
            block_ns: i64,
        }
        #[derive(Serialize)]
        struct TypeJson {
            name: String,
            function: String,
            file: String,
            line: u64,
            count: usize,
            duration_ns: Distribution,
            regions: Vec<RegionJson>,
        }
        let v: Vec<TypeJson> = types
            .iter()
            .map(|t| TypeJson {
                name: t.name.clone(),
                function: t.frame.func.clone(),
                file: t.frame.file.clone(),
                line: t.frame.line,
                count: t.regions.len(),
                duration_ns: t.distribution(),
                regions: t
                    .regions
                    .iter()
                    .map(|r| RegionJson {
                        goroutine: r.goroutine,
                        task: r.task,
                        start_ns: r.start.map(|s| s - summary.first_time),
                        duration_ns: r.duration,
                        exec_ns: r.totals.exec,
                        sched_wait_ns: r.totals.sched_wait,
                        syscall_ns: r.totals.syscall,
                        syscall_block_ns: r.totals.syscall_block,
                        block_ns: r.totals.blocked,
                    })
                    .collect(),
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::other)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{:<24} {:>6} {:>12} {:>12} {:>12}  {:<16} WHERE",
        "REGION TYPE", "COUNT", "P50", "P99", "MAX", "DISTRIBUTION"
    )?;
    for t in &types {
        let dist = t.distribution();
        writeln!(
            out,
            "{:<24} {:>6} {:>12} {:>12} {:>12}  {:<16} {} {}:{}",
            if t.name.is_empty() {
                "(inherited)"
            } else {
                &t.name
            },
            t.regions.len(),
            go_duration(dist.p50),
            go_duration(dist.p99),
            go_duration(dist.max),
            sparkline(&t.histogram),
            t.frame.func,
            t.frame.file,
            t.frame.line
        )?;
        if typ.is_some() {
            for r in t.regions.iter() {
                writeln!(
                    out,
                    "    G{:<6} task {:<6} {:>12}  exec {:>12}  sched {:>12}  blocked {:>12}",
                    r.goroutine,
                    r.task,
                    go_duration(r.duration),
                    go_duration(r.totals.exec),
                    go_duration(r.totals.sched_wait),
                    go_duration(r.totals.blocked)
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_duration("1ms"), Some(1_000_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500_000_000));
        assert_eq!(parse_duration("250us"), Some(250_000));
        assert_eq!(parse_duration("250µs"), Some(250_000));
        assert_eq!(parse_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_duration("42ns"), Some(42));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("abc"), None);
        assert_eq!(parse_duration("12"), None);
    }
}

/// One task of the focused view, as `tasks --focus` prints it.
#[derive(Serialize)]
struct FocusTaskJson {
    id: u64,
    lane: String,
    sort_index: usize,
    /// Absent when the task's slice lies outside the window (go tool trace drops it).
    #[serde(skip_serializing_if = "Option::is_none")]
    slice: Option<FocusSliceJson>,
}

#[derive(Serialize)]
struct FocusSliceJson {
    name: String,
    start_ns: i64,
    dur_ns: i64,
    start_g: i64,
    end_g: i64,
    start_stack: Vec<String>,
    end_stack: Vec<String>,
}

#[derive(Serialize)]
struct FocusArrowJson {
    parent: u64,
    child: u64,
    time_ns: i64,
    stack: Vec<String>,
}

#[derive(Serialize)]
struct FocusRegionJson {
    goroutine: i64,
    task: u64,
    name: String,
    start_ns: i64,
    dur_ns: i64,
    start_stack: Vec<String>,
    end_stack: Vec<String>,
}

#[derive(Serialize)]
struct FocusJson {
    task: u64,
    from_ns: i64,
    to_ns: i64,
    tasks: Vec<FocusTaskJson>,
    arrows: Vec<FocusArrowJson>,
    /// The goroutines of the task tree, the one the goroutine view is oriented on first.
    goroutines: Vec<i64>,
    /// The tree's regions in the window, on their goroutines.
    regions: Vec<FocusRegionJson>,
}

/// `tasks --focus ID`: go tool trace's task-focused view of task `id` (its window, the
/// task tree in the viewer's order with each task's begin, end and stacks, and the
/// parent → child arrows), as text or JSON; times are from the trace's first event.
/// `Ok(Err(why))` when the trace has no such view.
pub fn write_task_view(
    source: &crate::trace::Source,
    id: u64,
    json: bool,
    out: &mut impl Write,
) -> Result<Result<(), String>, crate::trace::dump::DumpError> {
    use crate::analysis::goroutines::Summarizer;
    use crate::analysis::task_view::{TaskGoroutineView, TaskView};
    use crate::analysis::timeline::TimelineBuilder;

    let reader = super::open_reader(source)?;
    let mut summarizer = Summarizer::new();
    let mut builder = TimelineBuilder::new().tasks_only();
    let (_, err) = crate::analysis::run_split(reader, &mut [&mut builder], &mut [&mut summarizer]);
    if let Some(e) = err {
        return Err(e.into());
    }
    let summary = summarizer.finish();
    let tl = builder.finish();
    // The goroutine view (taskid=N) has the focused view's window and Tasks section;
    // go tool trace serves it also for a task known only by its logs.
    let gview = TaskGoroutineView::of(&summary, id, &tl);
    let Some(view) = gview
        .as_ref()
        .map(|v| v.tasks.clone())
        .or_else(|| TaskView::of(&summary.tasks, id, &tl))
    else {
        let why = if summary.tasks.contains_key(&id) {
            "has no begin, end or log on a goroutine (go tool trace shows no view of it)"
        } else {
            "is not in the trace"
        };
        return Ok(Err(format!("task {id} {why}")));
    };
    let t0 = tl.start_time;
    let frames = |s: Option<u32>| -> Vec<String> {
        s.map_or_else(Vec::new, |i| {
            tl.stacks[i as usize]
                .iter()
                .map(ToString::to_string)
                .collect()
        })
    };
    let v = FocusJson {
        task: view.task,
        from_ns: view.from - t0,
        to_ns: view.to - t0,
        tasks: view
            .lanes
            .iter()
            .map(|l| FocusTaskJson {
                id: l.id,
                lane: l.name.clone(),
                sort_index: l.sort_index,
                slice: view
                    .slices
                    .iter()
                    .find(|s| s.task == l.id)
                    .map(|s| FocusSliceJson {
                        name: s.name.clone(),
                        start_ns: s.start - t0,
                        dur_ns: s.dur,
                        start_g: s.start_g,
                        end_g: s.end_g,
                        start_stack: frames(s.start_stack),
                        end_stack: frames(s.end_stack),
                    }),
            })
            .collect(),
        arrows: view
            .arrows
            .iter()
            .map(|a| FocusArrowJson {
                parent: a.parent,
                child: a.child,
                time_ns: a.time - t0,
                stack: frames(a.stack),
            })
            .collect(),
        goroutines: gview.as_ref().map_or_else(Vec::new, |v| {
            let mut ids: Vec<i64> = v.goroutines.iter().copied().collect();
            ids.sort_unstable_by_key(|&g| (g != v.focus, g));
            ids
        }),
        regions: gview.as_ref().map_or_else(Vec::new, |v| {
            v.regions
                .iter()
                .map(|r| FocusRegionJson {
                    goroutine: r.goroutine,
                    task: r.task,
                    name: r.name.to_string(),
                    start_ns: r.start - t0,
                    dur_ns: r.dur,
                    start_stack: frames(r.start_stack),
                    end_stack: frames(r.end_stack),
                })
                .collect()
        }),
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::other)?;
        writeln!(out)?;
        return Ok(Ok(()));
    }
    writeln!(
        out,
        "task {}: window {} – {} ({}), {} task(s) in its tree",
        v.task,
        go_duration(v.from_ns),
        go_duration(v.to_ns),
        go_duration(v.to_ns - v.from_ns),
        v.tasks.len()
    )?;
    for t in &v.tasks {
        match &t.slice {
            None => writeln!(out, "  {}  (outside the window)", t.lane)?,
            Some(s) => {
                // Go writes goroutine 0 for a begin or end outside the trace.
                let at = |t: i64, g: i64, outside: &str| match g {
                    0 => outside.to_string(),
                    g => format!("{} on G{g}", go_duration(t)),
                };
                writeln!(
                    out,
                    "  {}  begin {}  end {}  ({})",
                    t.lane,
                    at(s.start_ns, s.start_g, "before the trace"),
                    at(s.start_ns + s.dur_ns, s.end_g, "after the trace"),
                    go_duration(s.dur_ns)
                )?;
                for (what, stack) in [("begin", &s.start_stack), ("end", &s.end_stack)] {
                    if let Some(top) = stack.first() {
                        writeln!(out, "      {what} at {top}")?;
                    }
                }
            }
        }
    }
    for a in &v.arrows {
        writeln!(
            out,
            "  newTask T{} → T{} at {}",
            a.parent,
            a.child,
            go_duration(a.time_ns)
        )?;
    }
    if !v.goroutines.is_empty() {
        let ids: Vec<String> = v.goroutines.iter().map(|g| format!("G{g}")).collect();
        writeln!(out, "goroutines: {}", ids.join(" "))?;
    }
    for r in &v.regions {
        writeln!(
            out,
            "  region {:?} of T{} on G{}  {} – {} ({})",
            r.name,
            r.task,
            r.goroutine,
            go_duration(r.start_ns),
            go_duration(r.start_ns + r.dur_ns),
            go_duration(r.dur_ns)
        )?;
    }
    Ok(Ok(()))
}
