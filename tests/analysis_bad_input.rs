//! The analyses never panic on a damaged trace. Like go tool trace, they analyse what the
//! decoder could read before an error: every consumer (goroutine summaries with their
//! packed store, tasks, regions, the four profiles, the MMU series) runs over each
//! committed trace cut short at spread offsets and with bytes flipped, and every result is
//! read back.

use std::fs;
use std::path::Path;

use gotrace_tui::analysis::Consumer;
use gotrace_tui::analysis::goroutines::{Summarizer, classic, groups};
use gotrace_tui::analysis::mmu::{UtilBuilder, UtilFlags};
use gotrace_tui::analysis::profiles::{ProfileBuilder, ProfileKind};
use gotrace_tui::analysis::tasks::{region_types, task_types};
use gotrace_tui::trace::Reader;

/// Runs every consumer over `data` as the headless reports do, reads every result back,
/// and returns how many goroutines it found and whether decoding stopped at an error.
fn analyse(data: &[u8]) -> (usize, bool) {
    let Ok(reader) = Reader::new(data) else {
        return (0, true);
    };
    let mut summarizer = Summarizer::new();
    let mut profiles = ProfileBuilder::keeping_samples();
    let mut util = UtilBuilder::new(UtilFlags::parse("stw|background|assist|sweep|perProc"));
    let (_, err) = gotrace_tui::analysis::run_split(
        reader,
        &mut [&mut util as &mut dyn Consumer],
        &mut [&mut summarizer, &mut profiles],
    );
    let summary = summarizer.finish();
    let profiles = profiles.finish();
    util.finish();
    // The packed store answers every way it is asked, and agrees with itself.
    let all: Vec<_> = summary.goroutines.values().collect();
    assert_eq!(all.len(), summary.goroutines.len());
    for (g, brief) in all.iter().zip(summary.goroutines.briefs()) {
        assert_eq!((g.id, &g.stats), (brief.id, &brief.stats));
        assert_eq!(summary.goroutines.name(&g.id), Some(g.name.as_str()));
    }
    for group in groups(&summary) {
        let stats: Vec<_> = summary.goroutines.stats_of(&group.goroutines).collect();
        for (id, s) in group.goroutines.iter().zip(stats) {
            let g = summary.goroutines.member(id);
            assert_eq!(s.as_ref(), Some(&g.stats));
            classic(&summary, &g.stats);
        }
    }
    task_types(&summary);
    region_types(&summary);
    for kind in ProfileKind::ALL {
        profiles.records(kind, None);
    }
    (all.len(), err.is_some())
}

/// A deterministic PRNG (xorshift), so the mutants are the same on every run.
fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

#[test]
fn analyses_of_cut_and_damaged_traces_do_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/traces");
    let mut traces = Vec::new();
    for dir in fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "trace") {
                    traces.push(f);
                }
            }
        }
    }
    traces.sort();
    assert!(traces.len() >= 50, "the committed traces: {}", traces.len());
    let (mut cut_errors, mut runs) = (0, 0);
    for path in &traces {
        let data = fs::read(path).unwrap();
        let (goroutines, err) = analyse(&data);
        assert!(!err && goroutines > 0, "{}: whole", path.display());
        let mut x = data.len() as u64 | 1;
        // Cut short at ten spread offsets past the 16-byte header.
        for k in 1..=10 {
            let at = 16 + (data.len() - 16) * k / 11;
            let (_, err) = analyse(&data[..at]);
            cut_errors += usize::from(err);
            runs += 1;
        }
        // Six mutants with a few bytes flipped.
        for _ in 0..6 {
            let mut bad = data.clone();
            for _ in 0..3 {
                let i = 16 + (next(&mut x) as usize) % (bad.len() - 16);
                bad[i] ^= 1 << (next(&mut x) % 8);
            }
            analyse(&bad);
        }
    }
    // The cuts do reach the error paths (a cut can fall between generations).
    assert!(
        cut_errors * 2 > runs,
        "{cut_errors} of {runs} cuts stopped at an error"
    );
}
