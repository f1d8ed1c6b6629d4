//! Running the gotrace-tui binary from tests.

use std::ffi::OsStr;
use std::process::{Command, Output};

/// Runs `gotrace-tui` with `args` and returns what it did, whatever its exit status.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_gotrace-tui"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `gotrace-tui` with `args`, asserts that it succeeded (showing its stderr if
/// not), and returns its standard output.
#[allow(dead_code)]
pub fn stdout_of<I, S>(args: I) -> Vec<u8>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = run(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// [`stdout_of`], parsed as JSON.
#[allow(dead_code)]
pub fn json_of<I, S>(args: I) -> serde_json::Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    serde_json::from_slice(&stdout_of(args)).unwrap()
}
