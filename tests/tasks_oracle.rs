//! Tasks and regions equal Go 1.26's `go tool trace` task and region pages (scraped into
//! `<trace>.oracle/{tasks,regions}.json` by testdata/oracle.sh) on every committed trace:
//! types, counts, latency histograms, and every task's and region's figures.

use std::collections::BTreeMap;
use std::fs;

use gotrace_tui::analysis::goroutines::{Summarizer, Summary};
use gotrace_tui::analysis::tasks::{TimeHistogram, region_types, task_types};
use gotrace_tui::trace::Reader;
use serde::Deserialize;

#[path = "common/oracle.rs"]
mod oracle;

use oracle::{read_golden, traces_with};

#[derive(Deserialize)]
struct Histogram {
    buckets: Vec<Bucket>,
    end_ns: i64,
}

#[derive(Deserialize)]
struct Bucket {
    count: u64,
    min_ns: i64,
}

#[derive(Deserialize)]
struct Tasks {
    types: Vec<TaskTypeG>,
}

#[derive(Deserialize)]
struct TaskTypeG {
    #[serde(rename = "type")]
    name: String,
    count: usize,
    histogram: Option<Histogram>,
    tasks: Vec<TaskG>,
}

#[derive(Deserialize)]
struct TaskG {
    id: u64,
    start_ns: i64,
    duration_ns: i64,
    complete: bool,
}

#[derive(Deserialize)]
struct Regions {
    types: Vec<RegionTypeG>,
}

#[derive(Deserialize)]
struct RegionTypeG {
    #[serde(rename = "type")]
    name: String,
    func: String,
    file: String,
    line: u64,
    pc: String,
    count: usize,
    histogram: Option<Histogram>,
    regions: Vec<RegionG>,
}

#[derive(Deserialize)]
struct RegionG {
    goroutine: i64,
    task: u64,
    total_ns: i64,
    stats_ns: BTreeMap<String, i64>,
}

fn summarize(data: &[u8]) -> Summary {
    let mut s = Summarizer::new();
    let (_, err) = gotrace_tui::analysis::run(Reader::new(data).unwrap(), &mut [&mut s]);
    assert!(err.is_none(), "{err:?}");
    s.finish()
}

fn histogram_rows(h: &TimeHistogram) -> Option<(Vec<(i64, u64)>, i64)> {
    h.rows()
}

fn golden_rows(h: &Option<Histogram>) -> Option<(Vec<(i64, u64)>, i64)> {
    h.as_ref().map(|h| {
        (
            h.buckets.iter().map(|b| (b.min_ns, b.count)).collect(),
            h.end_ns,
        )
    })
}

#[test]
fn tasks_and_regions_match_go_tool_trace() {
    let all = traces_with("tasks.json");
    let mut failures = Vec::new();
    for t in &all {
        let summary = summarize(&fs::read(t).unwrap());
        let oracle = t.with_extension("oracle");
        let want: Tasks = serde_json::from_slice(&read_golden(&oracle.join("tasks.json"))).unwrap();
        let ours = task_types(&summary);
        let names = |v: Vec<&str>| v.join("|");
        if names(ours.iter().map(|x| x.name.as_str()).collect())
            != names(want.types.iter().map(|x| x.name.as_str()).collect())
        {
            failures.push(format!("{}: task types differ", t.display()));
            continue;
        }
        for (o, w) in ours.iter().zip(&want.types) {
            let mut ot: Vec<_> = o
                .tasks
                .iter()
                .map(|x| (x.id, x.start, x.duration, x.complete))
                .collect();
            let mut wt: Vec<_> = w
                .tasks
                .iter()
                .map(|x| (x.id, x.start_ns, x.duration_ns, x.complete))
                .collect();
            ot.sort();
            wt.sort();
            if o.count != w.count
                || histogram_rows(&o.histogram) != golden_rows(&w.histogram)
                || ot != wt
            {
                failures.push(format!(
                    "{}: task type {:?}: ours count {} hist {:?} tasks {ot:?}; Go count {} hist {:?} tasks {wt:?}",
                    t.display(),
                    o.name,
                    o.count,
                    histogram_rows(&o.histogram),
                    w.count,
                    golden_rows(&w.histogram)
                ));
            }
        }
        let want: Regions =
            serde_json::from_slice(&read_golden(&oracle.join("regions.json"))).unwrap();
        let ours = region_types(&summary);
        let key = |name: &str, func: &str, file: &str, line: u64, pc: u64| {
            format!("{name}|{func}|{file}|{line}|{pc:#x}")
        };
        let ok: BTreeMap<String, _> = ours
            .iter()
            .map(|r| {
                (
                    key(
                        &r.name,
                        &r.frame.func,
                        &r.frame.file,
                        r.frame.line,
                        r.frame.pc,
                    ),
                    r,
                )
            })
            .collect();
        for w in &want.types {
            let pc = u64::from_str_radix(w.pc.trim_start_matches("0x"), 16).unwrap_or(0);
            let k = key(&w.name, &w.func, &w.file, w.line, pc);
            let Some(o) = ok.get(&k) else {
                failures.push(format!("{}: region type {k} missing", t.display()));
                continue;
            };
            // Every column Go shows, for every region.
            let labels: Vec<&String> = w.regions.iter().flat_map(|r| r.stats_ns.keys()).collect();
            let mut orows: Vec<(i64, u64, i64, Vec<i64>)> = o
                .regions
                .iter()
                .map(|r| {
                    let st = r.stats(&summary).expect("its goroutine's region");
                    // The sums the regions page lists are those of the full statistics.
                    let t = &r.totals;
                    assert_eq!(
                        [
                            t.exec,
                            t.sched_wait,
                            t.syscall,
                            t.syscall_block,
                            t.blocked,
                            t.unknown
                        ],
                        [
                            st.exec,
                            st.sched_wait,
                            st.syscall,
                            st.syscall_block,
                            st.block_by_reason.sum(),
                            st.unknown()
                        ]
                    );
                    let cols = labels
                        .iter()
                        .map(|l| oracle::column(&summary, &st, l))
                        .collect();
                    (r.goroutine, r.task, st.total, cols)
                })
                .collect();
            let mut wrows: Vec<(i64, u64, i64, Vec<i64>)> = w
                .regions
                .iter()
                .map(|r| {
                    let cols = labels
                        .iter()
                        .map(|l| r.stats_ns.get(*l).copied().unwrap_or(0))
                        .collect();
                    (r.goroutine, r.task, r.total_ns, cols)
                })
                .collect();
            orows.sort();
            wrows.sort();
            if o.regions.len() != w.count
                || histogram_rows(&o.histogram) != golden_rows(&w.histogram)
                || orows != wrows
            {
                failures.push(format!(
                    "{}: region type {k}: ours {} regions hist {:?} rows {orows:?}; Go {} hist {:?} rows {wrows:?}",
                    t.display(),
                    o.regions.len(),
                    histogram_rows(&o.histogram),
                    w.count,
                    golden_rows(&w.histogram)
                ));
            }
        }
        if ok.len() != want.types.len() {
            failures.push(format!(
                "{}: {} region types, Go {}",
                t.display(),
                ok.len(),
                want.types.len()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
