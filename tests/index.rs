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

/// Every committed trace file (`testdata/traces/*/*.trace`).
fn committed_traces() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/traces");
    let mut traces = Vec::new();
    for dir in fs::read_dir(root).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in fs::read_dir(dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "trace") {
                    traces.push(f);
                }
            }
        }
    }
    traces.sort();
    traces
}

#[test]
fn index_matches_decoded_generations_on_every_committed_trace() {
    let mut checked = 0;
    for f in committed_traces() {
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

/// The reader reports the byte ranges it is done with (a pass then keeps only the
/// batches in progress resident): the walk over each generation's batch headers, in
/// order, covering the generation, then every non-empty event batch of every committed
/// trace once its last event is read, as its body's byte range.
#[test]
fn the_reader_releases_each_generation_walk_and_event_batch_once_read() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let mut checked = 0;
    for f in committed_traces() {
        let data = fs::read(&f).unwrap();
        let released = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&released);
        let reader = Reader::new(&data)
            .unwrap()
            .on_pages_done(Box::new(move |s, e| sink.borrow_mut().push((s, e))));
        let events = reader.inspect(|e| assert!(e.is_ok(), "{e:?}")).count();
        assert!(events > 0);
        let idx = Index::build(&data).unwrap();
        // The bodies of the event batches: each ends where the next header starts
        // or its generation ends; its length is the header's.
        let mut bodies: Vec<(u64, u64)> = Vec::new();
        for g in &idx.generations {
            let mut headers: Vec<u64> = g.batches.iter().map(|b| b.offset).collect();
            headers.push(g.end);
            headers.sort_unstable();
            for b in g
                .batches
                .iter()
                .filter(|b| b.kind == BatchKind::Events && b.len > 0)
            {
                let next = headers[headers.partition_point(|&h| h <= b.offset)];
                bodies.push((next.min(g.end) - u64::from(b.len), next.min(g.end)));
            }
        }
        let mut got = released.borrow().clone();
        let (mut batches, walks): (Vec<_>, Vec<_>) =
            got.drain(..).partition(|r| bodies.binary_search(r).is_ok());
        batches.sort_unstable();
        bodies.sort_unstable();
        assert_eq!(batches, bodies, "{}", f.display());
        // Each walk lies within one generation, and the walks, in order and joined
        // where one starts as the last ends, cover the generations exactly.
        let join = |ranges: &mut dyn Iterator<Item = (u64, u64)>| {
            let mut joined: Vec<(u64, u64)> = Vec::new();
            for (s, e) in ranges {
                match joined.last_mut() {
                    Some(last) if last.1 == s => last.1 = e,
                    _ => joined.push((s, e)),
                }
            }
            joined
        };
        for &(s, e) in &walks {
            assert!(
                idx.generations
                    .iter()
                    .any(|g| g.start <= s && s < e && e <= g.end),
                "{}: walk {s}..{e} is not inside one generation",
                f.display()
            );
        }
        let gens = join(&mut idx.generations.iter().map(|g| (g.start, g.end)));
        assert_eq!(join(&mut walks.iter().copied()), gens, "{}", f.display());
        checked += 1;
    }
    assert!(checked >= 40, "{checked} traces");
}
