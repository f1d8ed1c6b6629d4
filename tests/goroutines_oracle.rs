//! The goroutine analysis equals Go 1.26's `go tool trace` goroutine pages, to the
//! nanosecond, on every committed trace. The goldens (`<trace>.oracle/goroutines.json`) are
//! scraped from the pages Go serves, by testdata/oracle.sh.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use gotrace_tui::analysis::goroutines::{GoroutineSummary, Summarizer, Summary, groups};
use gotrace_tui::trace::Reader;
use serde::Deserialize;

#[path = "common/oracle.rs"]
mod oracle;

use oracle::{read_golden, traces_with};

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

fn summarize(data: &[u8]) -> Summary {
    let mut s = Summarizer::new();
    let (_, err) = gotrace_tui::analysis::run(Reader::new(data).unwrap(), &mut [&mut s]);
    assert!(err.is_none(), "{err:?}");
    s.finish()
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
    let traces: Vec<(PathBuf, PathBuf)> = traces_with("goroutines.json")
        .into_iter()
        .map(|t| {
            let g = t.with_extension("oracle").join("goroutines.json");
            (t, g)
        })
        .collect();
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
                    let o = oracle::column(&summary, &g.stats, label);
                    if o != v {
                        diffs.push(format!("{label} {o} vs {v}"));
                    }
                }
                for (label, &v) in &gg.ranges_ns {
                    let o = range(&summary, &g, label);
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
