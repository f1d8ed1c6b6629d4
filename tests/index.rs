//! The header pass finds every generation, its byte range and its batches without
//! decoding events, and agrees with the full decode.

use std::fs;
use std::path::Path;

use gotrace_tui::trace::index::{BatchKind, Index};
use gotrace_tui::trace::{Kind, Reader};

fn read(rel: &str) -> Vec<u8> {
    fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// Generation numbers as the ordered decode sees them (one Sync with tables each).
fn decoded_generations(data: &[u8]) -> Vec<u64> {
    Reader::new(data)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.kind() == Kind::Sync && e.tables().is_some())
        .map(|e| e.generation())
        .collect()
}

#[test]
fn index_matches_decoded_generations_on_every_committed_trace() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/traces");
    let mut checked = 0;
    for dir in fs::read_dir(root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in fs::read_dir(dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_none_or(|e| e != "trace") {
                continue;
            }
            let data = fs::read(&f).unwrap();
            let idx = Index::build(&data).unwrap();
            assert!(idx.error.is_none(), "{}: {:?}", f.display(), idx.error);
            let numbers: Vec<u64> = idx.generations.iter().map(|g| g.number).collect();
            assert_eq!(numbers, decoded_generations(&data), "{}", f.display());
            // Generations tile the file after the header, each complete, each with a
            // sync batch and a frequency.
            let mut at = 16;
            for g in &idx.generations {
                assert_eq!(g.start, at, "{}", f.display());
                assert!(g.complete && g.frequency.is_some(), "{}", f.display());
                assert_eq!(
                    g.batches
                        .iter()
                        .filter(|b| b.kind == BatchKind::Sync)
                        .count(),
                    1
                );
                at = g.end;
            }
            assert_eq!(at, data.len() as u64, "{}", f.display());
            checked += 1;
        }
    }
    assert!(checked >= 40);
}

#[test]
fn multigen_and_flight_recorder_layouts() {
    let idx = Index::build(&read("testdata/traces/go126/multigen.trace")).unwrap();
    assert!(idx.generations.len() >= 3, "{}", idx.generations.len());
    let first = idx.generations[0].number;
    for (i, g) in idx.generations.iter().enumerate() {
        assert_eq!(g.number, first + i as u64);
        let (lo, hi) = g.time_range.unwrap();
        assert!(lo <= hi);
    }
    // A flight-recorder snapshot starts at whatever generation was oldest in its ring.
    let fr = Index::build(&read("testdata/traces/go126/flightrec.trace")).unwrap();
    assert!(fr.generations[0].number > 1);
    assert!(!fr.generations[0].threads().is_empty());
}

#[test]
fn truncated_file_keeps_complete_generations_and_reports_the_offset() {
    let data = read("testdata/traces/go126/multigen.trace");
    let full = Index::build(&data).unwrap();
    let cut = (full.generations[1].end + 20) as usize;
    let idx = Index::build(&data[..cut]).unwrap();
    assert_eq!(idx.generations[..2], full.generations[..2]);
    let err = idx.error.expect("a cut batch is an error");
    assert!(err.offset <= cut as u64 && err.offset >= full.generations[1].end);
}
