//! Go's own trace parser corpus (testdata/corpus, made by testdata/corpus.sh) against
//! goldens produced by Go 1.26's `go tool trace`.
//!
//! * `tests/*.test`: the text trace is converted to binary here (tests/common/textformat.rs),
//!   which must equal the binary Go's `raw.Writer` wrote (`bin/*.trace`) and render like
//!   Go's `-d=wire` dump. Then our decoder must meet the expectation: SUCCESS → our
//!   `-d=parsed` text equals Go's byte for byte; FAILURE → we fail with an error matching
//!   the test's regexp, after printing exactly what Go printed.
//! * `fuzz/*`: Go's FuzzReader corpus. We must not panic; where Go failed we must fail
//!   (after printing what Go printed); where Go succeeded our output must equal Go's.

#[path = "common/textformat.rs"]
mod textformat;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use textformat::Expectation;

/// The one call into the library: decode a binary trace held in memory and render Go's
/// `go tool trace -d=parsed` text. Returns what was printed, and the error message if
/// decoding stopped with an error.
fn dump_parsed(data: &[u8]) -> (Vec<u8>, Result<(), String>) {
    let mut out = Vec::new();
    let res = gotrace_tui::trace::dump::dump_parsed(data, &mut out).map_err(|e| e.to_string());
    (out, res)
}

/// [`dump_parsed`], with a panic turned into an `Err("panic: …")` of the outer result.
fn dump_parsed_no_panic(data: &[u8]) -> Result<(Vec<u8>, Result<(), String>), String> {
    catch_unwind(AssertUnwindSafe(|| dump_parsed(data))).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("(non-string payload)");
        format!("panic: {msg}")
    })
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus")
}

fn read_string(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn read_bytes(p: &Path) -> Vec<u8> {
    fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Sorted names (file stems) of `dir/*.ext`.
fn names_with_ext(dir: &Path, ext: &str) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e} (run testdata/corpus.sh)", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no *.{ext} in {}", dir.display());
    v
}

/// The Go fuzz corpus files: everything in fuzz/ that is not a golden.
fn fuzz_names() -> Vec<String> {
    let dir = corpus().join("fuzz");
    let mut v: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (run testdata/corpus.sh)", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            ![".parsed", ".parsed.err", ".parsed.gz"]
                .iter()
                .any(|s| n.ends_with(s))
        })
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no fuzz inputs in {}", dir.display());
    v
}

/// What Go's `go tool trace -d=parsed` did: its stdout, and its stderr (minus the
/// trailing newline) if it exited non-zero.
struct GoResult {
    stdout: Vec<u8>,
    error: Option<String>,
}

fn go_result(base: &Path) -> GoResult {
    let gz = with_suffix(base, "parsed.gz");
    assert!(
        !gz.exists(),
        "{}: gzipped goldens need flate2 in [dev-dependencies] and a reader here",
        gz.display()
    );
    let stdout = read_bytes(&with_suffix(base, "parsed"));
    let err_path = with_suffix(base, "parsed.err");
    let error = err_path.exists().then(|| {
        // stderr, then a line "exit status N".
        let text = read_string(&err_path);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        let (stderr, status) = text.rsplit_once('\n').unwrap_or(("", text));
        assert!(
            status.starts_with("exit status "),
            "{}: {status}",
            err_path.display()
        );
        stderr.to_string()
    });
    GoResult { stdout, error }
}

/// `base` + `.` + `suffix` (corpus names may contain dots, so no `with_extension`).
fn with_suffix(base: &Path, suffix: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

/// A readable description of where two dumps first differ.
fn first_difference(ours: &[u8], go: &[u8]) -> String {
    let ours = String::from_utf8_lossy(ours);
    let go = String::from_utf8_lossy(go);
    let (mut ol, mut gl) = (ours.lines(), go.lines());
    let mut n = 1;
    loop {
        match (ol.next(), gl.next()) {
            (Some(a), Some(b)) if a == b => n += 1,
            (None, None) => {
                return format!(
                    "same lines, different bytes (trailing newline?); ours {} bytes, Go {} bytes",
                    ours.len(),
                    go.len()
                );
            }
            (a, b) => {
                return format!(
                    "line {n}:\n  ours: {}\n  Go:   {}",
                    a.unwrap_or("<end of output>"),
                    b.unwrap_or("<end of output>")
                );
            }
        }
    }
}

fn finish(what: &str, total: usize, failures: Vec<String>) {
    if !failures.is_empty() {
        panic!(
            "{what}: {} of {total} failed:\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }
}

// ---------------------------------------------------------------------------------------
// The test-side converters against what Go wrote. These do not exercise the decoder.

#[test]
fn text_to_binary_matches_go_raw_writer() {
    let names = names_with_ext(&corpus().join("tests"), "test");
    let mut failures = Vec::new();
    for name in &names {
        let text = read_string(&corpus().join(format!("tests/{name}.test")));
        let (_, trace) = textformat::parse_test_file(&text).unwrap();
        let want = read_bytes(&corpus().join(format!("bin/{name}.trace")));
        match textformat::text_to_binary(&trace) {
            Ok(got) if got == want => {}
            Ok(got) => {
                let at = got.iter().zip(&want).take_while(|(a, b)| a == b).count();
                failures.push(format!(
                    "{name}: binary differs at byte {at} (ours {} bytes, Go {} bytes)",
                    got.len(),
                    want.len()
                ));
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    finish("text → binary", names.len(), failures);
}

#[test]
fn text_events_render_like_go_wire_dump() {
    let names = names_with_ext(&corpus().join("tests"), "test");
    let mut failures = Vec::new();
    for name in &names {
        let text = read_string(&corpus().join(format!("tests/{name}.test")));
        let (_, trace) = textformat::parse_test_file(&text).unwrap();
        let parsed = textformat::parse_text(&trace).unwrap();
        let want = read_bytes(&corpus().join(format!("tests/{name}.wire")));
        let got = textformat::wire_dump(&parsed);
        if got.as_bytes() != want {
            failures.push(format!(
                "{name}: {}",
                first_difference(got.as_bytes(), &want)
            ));
        }
    }
    finish("-d=wire rendering", names.len(), failures);
}

#[test]
fn fuzz_corpus_files_decode_like_go() {
    let names = fuzz_names();
    let mut failures = Vec::new();
    for name in &names {
        let text = read_string(&corpus().join(format!("fuzz/{name}")));
        let want = read_bytes(&corpus().join(format!("fuzz-bin/{name}.trace")));
        match textformat::parse_fuzz_file(&text) {
            Ok(v) if v.len() == 1 && v[0] == want => {}
            Ok(v) => failures.push(format!(
                "{name}: decoded {} values, not Go's bytes",
                v.len()
            )),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    finish("fuzz corpus decoding", names.len(), failures);
}

#[test]
fn go_goldens_agree_with_expectations() {
    // Sanity of the goldens themselves: Go's tool met every expectation.
    for name in names_with_ext(&corpus().join("tests"), "test") {
        let text = read_string(&corpus().join(format!("tests/{name}.test")));
        let (exp, _) = textformat::parse_test_file(&text).unwrap();
        let go = go_result(&corpus().join(format!("tests/{name}")));
        match (&exp, &go.error) {
            (Expectation::Success, None) => {}
            (Expectation::Failure(re), Some(msg)) => {
                let re = regex::Regex::new(re).unwrap();
                assert!(
                    re.is_match(msg),
                    "{name}: Go's error {msg:?} does not match {re}"
                );
            }
            _ => panic!("{name}: expected {exp:?}, Go's tool gave {:?}", go.error),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The decoder against Go.

#[test]
fn corpus_tests_decode_like_go() {
    let names = names_with_ext(&corpus().join("tests"), "test");
    let mut failures = Vec::new();
    for name in &names {
        let text = read_string(&corpus().join(format!("tests/{name}.test")));
        let (exp, trace) = textformat::parse_test_file(&text).unwrap();
        let bin = textformat::text_to_binary(&trace).unwrap();
        let go = go_result(&corpus().join(format!("tests/{name}")));
        let (out, res) = match dump_parsed_no_panic(&bin) {
            Ok(r) => r,
            Err(p) => {
                failures.push(format!("{name}: {p}"));
                continue;
            }
        };
        match (&exp, &res) {
            (Expectation::Success, Ok(())) => {}
            (Expectation::Success, Err(e)) => {
                failures.push(format!("{name}: expected success, got error: {e}"));
                continue;
            }
            (Expectation::Failure(re), Err(e)) => {
                let re = regex::Regex::new(re).unwrap();
                if !re.is_match(e) {
                    failures.push(format!("{name}: error {e:?} does not match {re}"));
                    continue;
                }
            }
            (Expectation::Failure(re), Ok(())) => {
                failures.push(format!(
                    "{name}: expected an error matching {re:?}, got none"
                ));
                continue;
            }
        }
        if out != go.stdout {
            failures.push(format!(
                "{name}: -d=parsed output differs from Go's: {}",
                first_difference(&out, &go.stdout)
            ));
        }
    }
    finish("corpus tests", names.len(), failures);
}

#[test]
fn fuzz_inputs_decode_like_go() {
    let names = fuzz_names();
    let mut failures = Vec::new();
    for name in &names {
        let bin = read_bytes(&corpus().join(format!("fuzz-bin/{name}.trace")));
        let go = go_result(&corpus().join(format!("fuzz/{name}")));
        // Old-format (Go 1.11–1.21) inputs are out of this decoder's scope: it must refuse
        // them with an error that names the version found, and print nothing.
        if let Some(minor) = old_format_minor(&bin) {
            match dump_parsed_no_panic(&bin) {
                Ok((out, Err(e))) if out.is_empty() && e.contains(&format!("go 1.{minor}")) => {}
                other => failures.push(format!(
                    "{name}: go 1.{minor} input not refused with a clear error: {other:?}"
                )),
            }
            continue;
        }
        let (out, res) = match dump_parsed_no_panic(&bin) {
            Ok(r) => r,
            Err(p) => {
                failures.push(format!("{name}: {p}"));
                continue;
            }
        };
        match (&go.error, &res) {
            (None, Err(e)) => {
                failures.push(format!("{name}: Go succeeded, we failed: {e}"));
                continue;
            }
            (Some(g), Ok(())) => {
                failures.push(format!("{name}: Go failed ({g}), we succeeded"));
                continue;
            }
            // Matching messages is not required here; say so when they differ.
            (Some(g), Err(e)) if !e.contains(g.as_str()) => {
                eprintln!("note: {name}: Go's error {g:?}, ours {e:?}");
            }
            _ => {}
        }
        if out != go.stdout {
            failures.push(format!(
                "{name}: -d=parsed output differs from Go's: {}",
                first_difference(&out, &go.stdout)
            ));
        }
    }
    finish("fuzz inputs", names.len(), failures);
}

/// The minor version of a pre-generational (v1) header, which this decoder does not read.
fn old_format_minor(bin: &[u8]) -> Option<u32> {
    ["11", "19", "21"]
        .into_iter()
        .find(|m| bin.starts_with(format!("go 1.{m} trace").as_bytes()))
        .and_then(|m| m.parse().ok())
}
