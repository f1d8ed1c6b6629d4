//! The MMU curves and worst windows equal those go tool trace serves at
//! `/mmu?mode=plot&flags=…` and `/mmu?mode=details&window=…&flags=…` (stored byte for byte
//! by testdata/oracle.sh) on every committed trace, for every flag set stored.

use std::fs;

use gotrace_tui::analysis::mmu::{MUD_QUANTILES, MmuCurve, UtilBuilder, UtilFlags, plot};
use gotrace_tui::trace::Reader;
use serde::Deserialize;

#[path = "common/oracle.rs"]
mod oracle;

use oracle::{read_golden, traces_with};

#[derive(Deserialize)]
struct IndexEntry {
    file: String,
    query: String,
}

#[derive(Deserialize)]
struct PlotG {
    #[serde(rename = "xMin")]
    x_min: i64,
    #[serde(rename = "xMax")]
    x_max: i64,
    curve: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct WindowG {
    #[serde(rename = "Time")]
    time: i64,
    #[serde(rename = "MutatorUtil")]
    mutator_util: f64,
}

fn query_param<'q>(query: &'q str, key: &str) -> Option<&'q str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

#[test]
fn mmu_matches_go_tool_trace() {
    let traces = traces_with("mmu/index.json");
    let mut failures = Vec::new();
    let mut checked = 0;
    for t in &traces {
        let data = fs::read(t).unwrap();
        let dir = t.with_extension("oracle").join("mmu");
        let index: Vec<IndexEntry> =
            serde_json::from_slice(&read_golden(&dir.join("index.json"))).unwrap();
        for e in &index {
            let flags_str = query_param(&e.query, "flags")
                .unwrap_or("")
                .replace("%7C", "|");
            let flags = UtilFlags::parse(&flags_str);
            let mut b = UtilBuilder::new(flags);
            let (_, err) = gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut b]);
            assert!(err.is_none());
            let utils = b.finish();
            let curve = MmuCurve::new(utils.clone());
            let golden = read_golden(&dir.join(&e.file));
            if query_param(&e.query, "mode") == Some("plot") {
                let want: PlotG = serde_json::from_slice(&golden).unwrap();
                let mut_q = flags_str.split('|').any(|f| f == "mut");
                let ours = plot(&utils, &curve, mut_q.then_some(&MUD_QUANTILES[..]));
                if ours.x_min != want.x_min || ours.x_max != want.x_max || ours.curve != want.curve
                {
                    let first = ours
                        .curve
                        .iter()
                        .zip(&want.curve)
                        .find(|(a, b)| a != b)
                        .map(|(a, b)| format!("{a:?} vs {b:?}"));
                    failures.push(format!(
                        "{} {}: xMin {} vs {}, xMax {} vs {}, first differing row {first:?}",
                        t.display(),
                        e.file,
                        ours.x_min,
                        want.x_min,
                        ours.x_max,
                        want.x_max
                    ));
                }
            } else {
                let window: i64 = query_param(&e.query, "window").unwrap().parse().unwrap();
                let want: Vec<WindowG> = serde_json::from_slice(&golden).unwrap_or_default();
                let ours = curve.examples(window, 10);
                let w: Vec<(i64, f64)> = want.iter().map(|w| (w.time, w.mutator_util)).collect();
                let o: Vec<(i64, f64)> = ours.iter().map(|w| (w.time, w.mutator_util)).collect();
                if o != w {
                    failures.push(format!("{} {}: {o:?} vs {w:?}", t.display(), e.file));
                }
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} MMU results differ from go tool trace:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
