//! Every committed trace written by a real Go program (testdata/traces/go1NN/*.trace,
//! Go 1.22–1.26 writers) decodes to exactly what Go 1.26's `go tool trace` prints:
//! `-d=parsed`, `-d=wire` and `-d=footprint`, byte for byte, including whether it fails.
//! The goldens come from testdata/regen.sh, never from this code.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use gotrace_tui::trace::dump::dump_parsed;
use gotrace_tui::trace::raw::{dump_wire, write_footprint};

fn traces() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/traces");
    let mut out = Vec::new();
    for dir in fs::read_dir(&root).expect("testdata/traces") {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "trace") {
                out.push(f);
            }
        }
    }
    out.sort();
    assert!(
        out.len() >= 40,
        "expected the committed traces, found {}",
        out.len()
    );
    out
}

/// A golden: Go's stdout (gzipped or plain) and whether Go exited with an error.
fn golden(trace: &Path, mode: &str) -> (Vec<u8>, bool) {
    let base = trace.with_extension("");
    let name = base.file_name().unwrap().to_str().unwrap();
    let gz = base.with_file_name(format!("{name}.{mode}.gz"));
    let plain = base.with_file_name(format!("{name}.{mode}"));
    let mut out = Vec::new();
    if gz.exists() {
        flate2::read::GzDecoder::new(fs::File::open(&gz).unwrap())
            .read_to_end(&mut out)
            .unwrap();
    } else if plain.exists() {
        out = fs::read(&plain).unwrap();
    } else {
        panic!("no {mode} golden for {}", trace.display());
    }
    let failed = base.with_file_name(format!("{name}.{mode}.err")).exists();
    (out, failed)
}

fn first_difference(ours: &[u8], go: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(ours), String::from_utf8_lossy(go));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  ours: {x}\n  Go:   {y}", i + 1);
        }
    }
    format!(
        "ours has {} lines, Go's {}",
        a.lines().count(),
        b.lines().count()
    )
}

fn check(mode: &str, run: impl Fn(&[u8], &mut Vec<u8>) -> Result<(), String>) {
    let mut failures = Vec::new();
    let all = traces();
    for t in &all {
        let data = fs::read(t).unwrap();
        let (want, go_failed) = golden(t, mode);
        let mut ours = Vec::new();
        let res = run(&data, &mut ours);
        if res.is_err() != go_failed {
            failures.push(format!(
                "{}: Go {} but we {}",
                t.display(),
                if go_failed { "failed" } else { "succeeded" },
                match &res {
                    Ok(()) => "succeeded".to_string(),
                    Err(e) => format!("failed: {e}"),
                }
            ));
        }
        if ours != want {
            failures.push(format!(
                "{}: -d={mode} differs: {}",
                t.display(),
                first_difference(&ours, &want)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} traces differ from Go's -d={mode}:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn parsed_dump_matches_go() {
    check("parsed", |d, out| {
        dump_parsed(d, out).map_err(|e| e.to_string())
    });
}

#[test]
fn wire_dump_matches_go() {
    check("wire", |d, out| {
        dump_wire(d, out).map_err(|e| e.to_string())
    });
}

#[test]
fn footprint_matches_go() {
    check("footprint", |d, out| {
        write_footprint(d, out).map_err(|e| e.to_string())
    });
}
