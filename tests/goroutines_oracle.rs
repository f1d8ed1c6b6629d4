//! The goroutine analysis equals Go 1.26's `go tool trace` goroutine pages, to the
//! nanosecond, on every committed trace. The goldens (`<trace>.oracle/goroutines.json`) are
//! scraped from the pages Go serves, by testdata/oracle.sh.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use gotrace_tui::analysis::goroutines::{GoroutineSummary, Summarizer, Summary, groups};
use gotrace_tui::trace::Reader;
use serde::Deserialize;

#[derive(Deserialize)]
struct GoldenFile {
    groups: Vec<GoldenGroup>,
}

#[derive(Deserialize)]
struct GoldenGroup {
    name: String,
    count: usize,
    exec_ns: i64,
    goroutines: Vec<GoldenGoroutine>,
}

#[derive(Deserialize)]
struct GoldenGoroutine {
    id: i64,
    total_ns: i64,
    stats_ns: BTreeMap<String, i64>,
    #[serde(default)]
    ranges_ns: BTreeMap<String, i64>,
}

fn oracle_traces() -> Vec<(PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/traces");
    let mut out = Vec::new();
    for dir in fs::read_dir(root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "trace") {
                let golden = f.with_extension("oracle").join("goroutines.json");
                if golden.exists() || golden.with_extension("json.gz").exists() {
                    out.push((f, golden));
                }
            }
        }
    }
    out.sort();
    out
}

fn summarize(data: &[u8]) -> Summary {
    let mut s = Summarizer::new();
    let (_, err) = gotrace_tui::analysis::run(Reader::new(data).unwrap(), &mut [&mut s]);
    assert!(err.is_none(), "{err:?}");
    s.finish()
}

/// Our value for one of Go's column labels.
fn column(summary: &Summary, g: &GoroutineSummary, label: &str) -> i64 {
    let s = &g.stats;
    match label {
        "Execution time" => s.exec,
        "Sched wait time" => s.sched_wait,
        "Syscall execution time" => s.syscall,
        "Block time (syscall)" => s.syscall_block,
        "Unknown time" => s.unknown(),
        _ => {
            let reason = label
                .strip_prefix("Block time (")
                .and_then(|r| r.strip_suffix(')'))
                .unwrap_or_else(|| panic!("unknown column {label:?}"));
            s.block_by_reason
                .iter()
                .filter(|(k, _)| summary.names.get(*k) == reason)
                .map(|(_, v)| v)
                .sum()
        }
    }
}

fn range(summary: &Summary, g: &GoroutineSummary, label: &str) -> i64 {
    g.stats
        .range_time
        .iter()
        .filter(|(k, _)| summary.names.get(*k) == label)
        .map(|(_, v)| v)
        .sum()
}

#[test]
fn goroutine_analysis_matches_go_tool_trace() {
    let traces = oracle_traces();
    assert!(
        traces.len() >= 40,
        "expected goroutine goldens for the committed traces, found {}",
        traces.len()
    );
    let mut failures = Vec::new();
    for (trace, golden) in &traces {
        let data = fs::read(trace).unwrap();
        let want: GoldenFile = serde_json::from_slice(&read_golden(golden)).unwrap();
        let summary = summarize(&data);
        let ours: BTreeMap<String, (usize, i64)> = groups(&summary)
            .into_iter()
            .map(|g| (g.name, (g.goroutines.len(), g.exec)))
            .collect();
        let theirs: BTreeMap<String, (usize, i64)> = want
            .groups
            .iter()
            .map(|g| (g.name.clone(), (g.count, g.exec_ns)))
            .collect();
        if ours != theirs {
            failures.push(format!(
                "{}: groups differ:\n  ours {ours:?}\n  Go   {theirs:?}",
                trace.display()
            ));
            continue;
        }
        for group in &want.groups {
            for gg in &group.goroutines {
                let Some(g) = summary.goroutines.get(&gg.id) else {
                    failures.push(format!("{}: no goroutine {}", trace.display(), gg.id));
                    continue;
                };
                let mut diffs = Vec::new();
                if g.stats.total != gg.total_ns {
                    diffs.push(format!("Total {} vs {}", g.stats.total, gg.total_ns));
                }
                for (label, &v) in &gg.stats_ns {
                    let o = column(&summary, g, label);
                    if o != v {
                        diffs.push(format!("{label} {o} vs {v}"));
                    }
                }
                for (label, &v) in &gg.ranges_ns {
                    let o = range(&summary, g, label);
                    if o != v {
                        diffs.push(format!("{label} {o} vs {v}"));
                    }
                }
                if !diffs.is_empty() {
                    failures.push(format!(
                        "{}: goroutine {} ({}): ours vs Go: {}",
                        trace.display(),
                        gg.id,
                        group.name,
                        diffs.join(", ")
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences from go tool trace:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Reads a golden JSON file, gzipped (`NAME.gz`) or plain.
fn read_golden(path: &Path) -> Vec<u8> {
    let gz = path.with_file_name(format!(
        "{}.gz",
        path.file_name().unwrap().to_str().unwrap()
    ));
    if gz.exists() {
        let mut out = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(fs::File::open(&gz).unwrap()),
            &mut out,
        )
        .unwrap();
        out
    } else {
        fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}
