//! `gotrace-tui events --go` prints a goroutine's events exactly as `go tool trace
//! -d=parsed` prints them (the committed goldens, written by Go 1.26): the events that
//! change the goroutine's state, and the events it emitted itself (including the
//! goroutines it created or unblocked), nothing else, in trace order.

#[path = "common/cli.rs"]
mod cli;
use std::ffi::OsStr;

use std::io::Read;
use std::path::Path;

fn golden_blocks(trace: &Path) -> Vec<String> {
    let gz = trace.with_extension("parsed.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(gz).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut blocks: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("M=") {
            blocks.push(line.to_string());
        } else if let Some(b) = blocks.last_mut() {
            b.push('\n');
            b.push_str(line);
        }
    }
    blocks.iter().map(|b| b.trim_end().to_string()).collect()
}

/// Whether Go's event (its first line) belongs to goroutine `g`'s event list.
fn belongs(first: &str, g: i64) -> bool {
    let emitted = first.contains(&format!(" G={g} "));
    if first.contains(" StateTransition ") {
        if first.contains(&format!(" GoID={g} ")) {
            return true;
        }
        // Another goroutine's change that g caused; P and thread changes are not g's.
        return emitted && first.contains(" GoID=");
    }
    emitted
}

#[test]
fn events_equal_go_tool_traces_own_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/traces/go126");
    let mut checked = 0;
    for (name, goroutines) in [
        ("chan", &[1i64, 8, 9][..]),
        ("mutex", &[1, 14, 18]),
        ("http", &[1, 17]),
    ] {
        let trace = root.join(format!("{name}.trace"));
        let golden = golden_blocks(&trace);
        for &g in goroutines {
            let id = g.to_string();
            let out = cli::stdout_of([
                OsStr::new("events"),
                "--go".as_ref(),
                "--goroutine".as_ref(),
                id.as_ref(),
                trace.as_ref(),
            ]);
            let ours = String::from_utf8(out).unwrap();
            let want: Vec<&String> = golden
                .iter()
                .filter(|b| belongs(b.lines().next().unwrap(), g))
                .collect();
            assert!(!want.is_empty(), "{name} G{g} has events");
            let want_text: String = want.iter().map(|b| format!("{b}\n")).collect();
            let ours_norm: String = ours
                .split("\nM=")
                .enumerate()
                .map(|(i, b)| {
                    let b = if i == 0 {
                        b.to_string()
                    } else {
                        format!("M={b}")
                    };
                    format!("{}\n", b.trim_end())
                })
                .collect();
            assert_eq!(ours_norm, want_text, "{name} G{g}");
            checked += want.len();
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn the_window_keeps_events_within_it() {
    let trace = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/traces/go126/chan.trace");
    let run = |args: &[&str]| {
        let mut all: Vec<&OsStr> = ["events", "--json", "--goroutine", "8"]
            .map(OsStr::new)
            .to_vec();
        all.extend(args.iter().map(OsStr::new));
        all.push(trace.as_os_str());
        cli::json_of(all)
    };
    let all = run(&[]);
    let all = all.as_array().unwrap();
    let times: Vec<i64> = all.iter().map(|e| e["time_ns"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let part = run(&["--from", "1ms", "--to", "10ms"]);
    let want: Vec<&serde_json::Value> = all
        .iter()
        .filter(|e| (1_000_000..=10_000_000).contains(&e["time_ns"].as_i64().unwrap()))
        .collect();
    assert_eq!(part.as_array().unwrap().iter().collect::<Vec<_>>(), want);
    assert!(!want.is_empty() && want.len() < all.len());
}
