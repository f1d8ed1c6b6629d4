//! The state spans of every goroutine add up to the Summarizer's columns (which equal go
//! tool trace's goroutine pages, see goroutines_oracle.rs), on every committed trace:
//! running time to the execution time, runnable to the scheduler wait, blocked per reason
//! to the block time of that reason, in a syscall to syscall plus blocking syscall.

use std::collections::BTreeMap;

use gotrace_tui::analysis::goroutines::Summarizer;
use gotrace_tui::analysis::gstates::{GStates, Lifetime, Span, State};
use gotrace_tui::trace::Reader;

#[path = "common/oracle.rs"]
mod oracle;

/// The blocked-syscall time Go adds to the scheduler wait: a goroutine still in a syscall
/// whose P was taken away when the trace ends (its last span is `SyscallBlocked` right
/// after the `Syscall` part of the same call). Go counts that time in `syscall` too (the
/// whole call, as if the P had not been taken), so the syscall sum needs no correction.
fn pending_blocked_syscall(life: &Lifetime) -> i64 {
    let spans: Vec<Span> = life.spans.iter().collect();
    match (life.end, spans.as_slice()) {
        (None, [.., a, b])
            if a.state == State::Syscall
                && b.state == State::SyscallBlocked
                && a.end == b.start =>
        {
            b.duration()
        }
        _ => 0,
    }
}

#[test]
fn spans_add_up_to_the_summarizer_columns_on_every_trace() {
    let traces = oracle::traces_with("goroutines.json");
    let mut checked = 0usize;
    for path in &traces {
        let data = std::fs::read(path).unwrap();
        let mut summarizer = Summarizer::new();
        let mut states = GStates::all();
        let (_, err) = gotrace_tui::analysis::run(
            Reader::new(&data).unwrap(),
            &mut [&mut summarizer, &mut states],
        );
        assert!(err.is_none(), "{}: {err:?}", path.display());
        let summary = summarizer.finish();
        let lives = states.finish();
        assert_eq!(lives.len(), summary.goroutines.len(), "{}", path.display());
        for g in summary.goroutines.values() {
            let at = format!("{} G{}", path.display(), g.id);
            let life = lives.get(&g.id).unwrap_or_else(|| panic!("{at}: no spans"));
            let s = &g.stats;
            assert_eq!(life.creation, g.creation_time, "{at}: creation");
            let end = if g.end_time == 0 {
                None
            } else {
                Some(g.end_time)
            };
            assert_eq!(life.end, end, "{at}: end");
            let spans: Vec<Span> = life.spans.iter().collect();
            for w in spans.windows(2) {
                // Each state lasts until the next: no overlap, and no gap either.
                assert_eq!(w[0].end, w[1].start, "{at}: spans that do not touch {w:?}");
            }
            assert_eq!(life.total(|s| *s == State::Running), s.exec, "{at}: exec");
            assert_eq!(
                life.total(|s| *s == State::Runnable) + pending_blocked_syscall(life),
                s.sched_wait,
                "{at}: sched wait"
            );
            assert_eq!(
                life.total(|s| matches!(s, State::Syscall | State::SyscallBlocked)),
                s.syscall + s.syscall_block,
                "{at}: syscall"
            );
            let mut blocked: BTreeMap<&str, i64> = BTreeMap::new();
            for sp in life.spans.iter() {
                if let State::Waiting(r) = &sp.state {
                    *blocked.entry(r.text()).or_default() += sp.duration();
                }
            }
            let mut expected: BTreeMap<&str, i64> = BTreeMap::new();
            for (k, v) in s.block_by_reason.iter() {
                *expected.entry(summary.names.get(k)).or_default() += v;
            }
            // Go lists a reason it saw with zero time; spans have nothing to show for it.
            expected.retain(|_, v| *v != 0);
            blocked.retain(|_, v| *v != 0);
            assert_eq!(blocked, expected, "{at}: block by reason");
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} goroutines checked");
}

#[test]
fn a_chosen_set_gets_the_same_spans_as_everyone() {
    let path = oracle::traces_root().join("go126/mutex.trace");
    let data = std::fs::read(path).unwrap();
    let mut all = GStates::all();
    gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut all]);
    let all = all.finish();
    let mut ids: Vec<i64> = all.keys().copied().collect();
    ids.sort_unstable();
    let pick: Vec<i64> = ids.iter().copied().step_by(3).collect();
    let mut some = GStates::of(pick.iter().copied());
    gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut some]);
    let some = some.finish();
    assert_eq!(some.len(), pick.len());
    for id in pick {
        assert_eq!(some[&id], all[&id], "G{id}");
    }
}

#[test]
fn created_goroutines_know_their_creator_and_start_function() {
    let path = oracle::traces_root().join("go126/mutex.trace");
    let data = std::fs::read(path).unwrap();
    let mut summarizer = Summarizer::new();
    let mut all = GStates::all();
    gotrace_tui::analysis::run(
        Reader::new(&data).unwrap(),
        &mut [&mut summarizer, &mut all],
    );
    let summary = summarizer.finish();
    let all = all.finish();
    let mut created = 0;
    for life in all.values().filter(|l| l.created_in_trace) {
        created += 1;
        let g = &summary.goroutines.member(&life.id);
        assert!(
            summary.goroutines.get(&life.creator).is_some(),
            "G{}",
            life.id
        );
        if let Some(f) = life.start_stack.last() {
            assert_eq!(f.func, *g.name, "G{}", life.id);
        }
    }
    assert!(created > 0);
}
