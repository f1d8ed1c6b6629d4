//! Shared by the oracle tests: where the traces and their Go-produced goldens are, and how
//! to read a golden.

#![allow(dead_code)]

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The traces to check: the committed ones, or those under `GOTRACE_TRACES_DIR` (a tree
/// laid out like testdata/traces, e.g. fresh traces from testdata/recheck-analysis.sh).
pub fn traces_root() -> PathBuf {
    std::env::var_os("GOTRACE_TRACES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/traces"))
}

/// Every `go1NN/NAME.trace` whose `NAME.<dir>/` holds `file` (plain or gzipped), sorted,
/// with the same minimum-count guard as [`traces_with`].
pub fn traces_root_files(dir: &str, file: &str) -> Vec<PathBuf> {
    collect(
        |t| t.with_extension(dir).join(file),
        &format!("{dir}/{file}"),
    )
}

/// Every `go1NN/NAME.trace` whose oracle directory holds `golden` (plain or gzipped),
/// sorted. Asserts there are all the committed ones (or at least one in another tree),
/// so a missing oracle cannot make a test pass vacuously.
pub fn traces_with(golden: &str) -> Vec<PathBuf> {
    collect(|t| t.with_extension("oracle").join(golden), golden)
}

fn collect(golden_of: impl Fn(&Path) -> PathBuf, golden: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in fs::read_dir(traces_root()).expect("traces directory") {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let g = golden_of(&f);
            if f.extension().is_some_and(|e| e == "trace") && (g.exists() || gz(&g).exists()) {
                out.push(f);
            }
        }
    }
    out.sort();
    let min = if std::env::var_os("GOTRACE_TRACES_DIR").is_some() {
        1
    } else {
        40
    };
    assert!(
        out.len() >= min,
        "expected {golden} goldens for at least {min} traces, found {}",
        out.len()
    );
    out
}

fn gz(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.gz", path.display()))
}

/// Reads a golden file, gzipped (`NAME.gz`) or plain.
pub fn read_golden(path: &Path) -> Vec<u8> {
    let gz = gz(path);
    if gz.exists() {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(fs::File::open(&gz).unwrap())
            .read_to_end(&mut out)
            .unwrap();
        return out;
    }
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Our value for one of go tool trace's goroutine-page column labels ("Execution time",
/// "Block time (chan receive)", …).
pub fn column(
    summary: &gotrace_tui::analysis::goroutines::Summary,
    s: &gotrace_tui::analysis::goroutines::ExecStats,
    label: &str,
) -> i64 {
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

/// The goroutine pages stored in a trace's `.viewer/` directory: (goroutine, file relative
/// to the directory, without `.gz`), in index order.
pub fn goroutine_pages(viewer_dir: &Path) -> Vec<(i64, String)> {
    pages_by(viewer_dir, |e| e.goid)
}

/// The task-focused views stored in a viewer dir (`/jsontrace?focustask=N`): (task id,
/// file name without `.gz`).
#[allow(dead_code)]
pub fn task_pages(viewer_dir: &Path) -> Vec<(u64, String)> {
    pages_by(viewer_dir, |e| e.task_id)
}

/// The goroutine-oriented task views stored in a viewer dir (`/jsontrace?taskid=N`):
/// (task id, file name without `.gz`).
#[allow(dead_code)]
pub fn task_goroutine_pages(viewer_dir: &Path) -> Vec<(u64, String)> {
    pages_by(viewer_dir, |e| e.task_goroutines)
}

#[derive(serde::Deserialize)]
struct IndexEntry {
    file: String,
    goid: Option<i64>,
    task_id: Option<u64>,
    task_goroutines: Option<u64>,
}

/// The files of a viewer dir's index.json that `key` picks, with their key.
fn pages_by<K>(viewer_dir: &Path, key: impl Fn(&IndexEntry) -> Option<K>) -> Vec<(K, String)> {
    #[derive(serde::Deserialize)]
    struct Index {
        files: Vec<IndexEntry>,
    }
    let index: Index =
        serde_json::from_slice(&read_golden(&viewer_dir.join("index.json"))).unwrap();
    index
        .files
        .iter()
        .filter_map(|e| Some((key(e)?, e.file.trim_end_matches(".gz").to_string())))
        .collect()
}
