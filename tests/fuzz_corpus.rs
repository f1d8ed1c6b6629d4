//! The fuzz target's corpus (`fuzz/corpus/decode/`) as a regression test: every input
//! the fuzzer keeps, and every seed, goes through [`selfcheck::exercise`] on each
//! `cargo test`, without needing cargo-fuzz or a nightly toolchain.

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use gotrace_tui::trace::selfcheck;

#[test]
fn fuzz_corpus_inputs_do_not_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/decode");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no inputs in {}", dir.display());
    let mut failures = Vec::new();
    for path in &paths {
        let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| selfcheck::exercise(&data))) {
            let msg = p
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| p.downcast_ref::<&str>().copied())
                .unwrap_or("(non-string payload)");
            let name = path.file_name().unwrap().to_string_lossy();
            failures.push(format!("{name} ({} bytes): {msg}", data.len()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fuzz corpus inputs panicked (reproduce with \
         `cargo fuzz run decode -s none fuzz/corpus/decode/NAME`):\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
