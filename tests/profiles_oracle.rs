//! The blocking profiles equal Go 1.26's `go tool trace -pprof=TYPE` (read back with
//! `go tool pprof -raw` into `<trace>.oracle/pprof/TYPE.json` by testdata/oracle.sh): the
//! same stacks with the same sample counts and delays, on every committed trace.

use std::fs;

use gotrace_tui::analysis::profiles::ProfileKind;
use gotrace_tui::report::pprof::compute;
use gotrace_tui::trace::Source;
use serde::Deserialize;

#[path = "common/oracle.rs"]
mod oracle;

use oracle::{read_golden, traces_with};

#[derive(Deserialize)]
struct Golden {
    samples: Vec<Sample>,
    total_count: u64,
    total_delay_ns: i64,
}

#[derive(Deserialize, PartialEq, Eq, PartialOrd, Ord, Debug, Clone)]
struct Sample {
    count: u64,
    delay_ns: i64,
    stack: Vec<String>,
}

#[test]
fn profiles_match_go_tool_trace_pprof() {
    let all = traces_with("pprof/sched.json");
    let mut failures = Vec::new();
    let mut checked = 0;
    for t in &all {
        let data = fs::read(t).unwrap();
        for kind in ProfileKind::ALL {
            let path = t
                .with_extension("oracle")
                .join(format!("pprof/{}.json", kind.name()));
            let golden: Golden = serde_json::from_slice(&read_golden(&path)).unwrap();
            let mut want = golden.samples.clone();
            want.sort();
            let records = compute(&Source::Owned(data.clone()), kind, None).unwrap();
            let mut ours: Vec<Sample> = records
                .iter()
                .map(|r| Sample {
                    count: r.total.count,
                    delay_ns: r.total.delay,
                    stack: r
                        .stack
                        .iter()
                        .map(|f| format!("{} {}:{}", f.func, f.file, f.line))
                        .collect(),
                })
                .collect();
            ours.sort();
            let (count, delay) = ours
                .iter()
                .fold((0, 0), |(c, d), s| (c + s.count, d + s.delay_ns));
            if ours != want || count != golden.total_count || delay != golden.total_delay_ns {
                let missing: Vec<_> = want.iter().filter(|s| !ours.contains(s)).take(2).collect();
                let extra: Vec<_> = ours.iter().filter(|s| !want.contains(s)).take(2).collect();
                failures.push(format!(
                    "{} {}: ours {count} samples/{delay} ns vs Go {}/{}; Go only: {missing:?}; ours only: {extra:?}",
                    t.display(),
                    kind.name(),
                    golden.total_count,
                    golden.total_delay_ns
                ));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} profiles differ from go tool trace:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[derive(Deserialize)]
struct GroupEntry {
    index: usize,
    name: String,
}

#[derive(Deserialize)]
struct RegionEntry {
    index: usize,
    #[serde(rename = "type")]
    name: String,
    pc: String,
}

fn samples(records: &[gotrace_tui::analysis::profiles::Record]) -> Vec<Sample> {
    let mut v: Vec<Sample> = records
        .iter()
        .map(|r| Sample {
            count: r.total.count,
            delay_ns: r.total.delay,
            stack: r
                .stack
                .iter()
                .map(|f| format!("{} {}:{}", f.func, f.file, f.line))
                .collect(),
        })
        .collect();
    v.sort();
    v
}

/// go tool trace's per-group (`/io?name=…`, `/block`, `/syscall`, `/sched`) and per-region
/// (`/regionio?type=…&pc=…` …) profiles: every group and every region type of every
/// committed trace, every stack's count and delay.
#[test]
fn group_and_region_profiles_match_go_tool_trace() {
    use gotrace_tui::report::pprof::{Analyzed, RegionScope};
    let mut failures = Vec::new();
    let mut checked = 0;
    for t in traces_with("pprof-group/index.json") {
        let analyzed = Analyzed::new(&Source::Owned(std::fs::read(&t).unwrap()), true).unwrap();
        let dir = t.with_extension("oracle");
        let groups: Vec<GroupEntry> =
            serde_json::from_slice(&read_golden(&dir.join("pprof-group/index.json"))).unwrap();
        let regions: Vec<RegionEntry> =
            serde_json::from_slice(&read_golden(&dir.join("pprof-region/index.json"))).unwrap();
        for kind in ProfileKind::ALL {
            let mut check = |what: String, file: std::path::PathBuf, ours: Vec<Sample>| {
                let golden: Golden = serde_json::from_slice(&read_golden(&file)).unwrap();
                let mut want = golden.samples;
                want.sort();
                if ours != want {
                    failures.push(format!("{} {} {what}: differs", t.display(), kind.name()));
                }
                checked += 1;
            };
            for g in &groups {
                let ours = samples(&analyzed.records(kind, Some(&g.name), None).unwrap());
                let file = dir.join(format!("pprof-group/{}/{}.json", kind.name(), g.index));
                check(format!("group {:?}", g.name), file, ours);
            }
            for r in &regions {
                let scope = RegionScope {
                    name: r.name.clone(),
                    pc: Some(u64::from_str_radix(r.pc.trim_start_matches("0x"), 16).unwrap()),
                };
                let ours = samples(&analyzed.records(kind, None, Some(&scope)).unwrap());
                let file = dir.join(format!("pprof-region/{}/{}.json", kind.name(), r.index));
                check(format!("region {:?} at {}", r.name, r.pc), file, ours);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} scoped profiles differ from go tool trace:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
