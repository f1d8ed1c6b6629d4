//! The MMU curves and worst windows equal those go tool trace serves at
//! `/mmu?mode=plot&flags=…` and `/mmu?mode=details&window=…&flags=…` (stored byte for byte
//! by testdata/oracle.sh) on every committed trace, for every flag set stored.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use gotrace_tui::analysis::mmu::{MUD_QUANTILES, MmuCurve, UtilBuilder, UtilFlags, plot};
use gotrace_tui::trace::Reader;
use serde::Deserialize;

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

fn read(path: &Path) -> Vec<u8> {
    let gz = PathBuf::from(format!("{}.gz", path.display()));
    if gz.exists() {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(fs::File::open(gz).unwrap())
            .read_to_end(&mut out)
            .unwrap();
        return out;
    }
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn query_param<'q>(query: &'q str, key: &str) -> Option<&'q str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

#[test]
fn mmu_matches_go_tool_trace() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/traces");
    let mut traces = Vec::new();
    for dir in fs::read_dir(root).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "trace")
                    && f.with_extension("oracle").join("mmu/index.json").exists()
                {
                    traces.push(f);
                }
            }
        }
    }
    traces.sort();
    assert!(
        traces.len() >= 40,
        "expected MMU goldens, found {}",
        traces.len()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for t in &traces {
        let data = fs::read(t).unwrap();
        let dir = t.with_extension("oracle").join("mmu");
        let index: Vec<IndexEntry> =
            serde_json::from_slice(&fs::read(dir.join("index.json")).unwrap()).unwrap();
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
            let golden = read(&dir.join(&e.file));
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
