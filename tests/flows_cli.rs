//! `gotrace-tui flows --goroutine G --json` lists every arrow go tool trace draws into or
//! out of G on G's own page (`/jsontrace?goid=G`, stored by testdata/oracle-viewer.sh):
//! same name, same times, same stack. (Go's page shows only the links inside G's lifetime
//! and among its related goroutines; ours lists them all, so Go's must be a subset.)

#[path = "common/cli.rs"]
mod cli;
use std::ffi::OsStr;

use serde::Deserialize;

#[path = "common/oracle.rs"]
mod oracle;

#[derive(Deserialize)]
struct Page {
    flows: Vec<Flow>,
    stacks: Vec<Vec<String>>,
}

#[derive(Deserialize)]
struct Flow {
    name: String,
    from: End,
    to: End,
}

#[derive(Deserialize)]
struct End {
    tid: u64,
    ts_ns: i64,
    stack: Option<usize>,
}

#[derive(Deserialize)]
struct Report {
    incoming: Vec<LinkJson>,
    outgoing: Vec<LinkJson>,
}

#[derive(Deserialize)]
struct LinkJson {
    name: String,
    cause_goroutine: Option<i64>,
    cause_time_ns: i64,
    target: i64,
    start_time_ns: i64,
    stack: Vec<FrameJson>,
}

#[derive(Deserialize)]
struct FrameJson {
    func: String,
    line: u64,
}

/// (name, from goroutine, cause time, to goroutine, start time, stack as "func:line").
type Key = (String, i64, i64, i64, i64, Vec<String>);

#[test]
fn flows_command_lists_every_arrow_of_go_tool_traces_goroutine_pages() {
    let mut checked = 0;
    for t in oracle::traces_root_files("viewer", "proc.json") {
        // The newest writer's traces keep this test quick; the library behind it is
        // checked on every trace by timeline_oracle.rs and flows.rs.
        if !t.to_string_lossy().contains("go126") {
            continue;
        }
        let dir = t.with_extension("viewer");
        for (g, file) in oracle::goroutine_pages(&dir).into_iter().take(4) {
            let page: Page = serde_json::from_slice(&oracle::read_golden(&dir.join(file))).unwrap();
            let id = g.to_string();
            let out = cli::stdout_of([
                OsStr::new("flows"),
                "--json".as_ref(),
                "--goroutine".as_ref(),
                id.as_ref(),
                t.as_ref(),
            ]);
            let report: Report = serde_json::from_slice(&out).unwrap();
            let ours = |links: &[LinkJson]| -> Vec<Key> {
                links
                    .iter()
                    .map(|l| {
                        (
                            l.name.clone(),
                            l.cause_goroutine.unwrap_or(-1),
                            l.cause_time_ns,
                            l.target,
                            l.start_time_ns,
                            l.stack
                                .iter()
                                .map(|f| format!("{}:{}", f.func, f.line))
                                .collect(),
                        )
                    })
                    .collect()
            };
            let (incoming, outgoing) = (ours(&report.incoming), ours(&report.outgoing));
            for f in &page.flows {
                let key: Key = (
                    f.name.clone(),
                    f.from.tid as i64,
                    f.from.ts_ns,
                    f.to.tid as i64,
                    f.to.ts_ns,
                    f.from
                        .stack
                        .map(|s| page.stacks[s].clone())
                        .unwrap_or_default(),
                );
                let sides = [
                    (f.to.tid as i64 == g, &incoming, "incoming"),
                    (f.from.tid as i64 == g, &outgoing, "outgoing"),
                ];
                for (applies, ours, what) in sides {
                    if applies {
                        assert!(
                            ours.contains(&key),
                            "{}: G{g} lacks {what} {key:?}",
                            t.display()
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} arrows checked");
}
