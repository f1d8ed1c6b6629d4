//! The causal-link index answers exactly what a scan of every link would: each
//! goroutine's incoming and outgoing links in time order, the cause of each of its runs,
//! and what it caused during each of its slices, on every committed trace. (That the links
//! themselves are go tool trace's arrows is checked by timeline_oracle.rs.)

use gotrace_tui::analysis::flows::{Cause, Flows, Link};
use gotrace_tui::analysis::timeline::{SliceKind, TimelineBuilder};
use gotrace_tui::trace::Reader;
use std::collections::BTreeMap;

#[path = "common/oracle.rs"]
mod oracle;

#[test]
fn flow_index_matches_a_scan_of_every_link() {
    let (mut links, mut runs) = (0usize, 0usize);
    let mut kinds = [0usize; 4];
    for t in oracle::traces_root_files("viewer", "proc.json") {
        let data = std::fs::read(&t).unwrap();
        let mut b = TimelineBuilder::by_goroutine();
        let mut lean = TimelineBuilder::by_goroutine().links_only();
        let (_, err) =
            gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut b, &mut lean]);
        assert!(err.is_none());
        let tl = b.finish();
        // The lean build the flows command uses has the same links and no slices.
        let lean = lean.finish();
        assert_eq!(lean.arrows, tl.arrows, "{}", t.display());
        assert!(lean.slices.is_empty() && lean.goroutine_counts.is_empty());
        let flows = Flows::from_timeline(&tl);
        assert_eq!(flows.links.len(), tl.arrows.len(), "{}", t.display());
        // The scan: every link filed under its target and its cause, in one pass.
        let mut incoming: BTreeMap<i64, Vec<&Link>> = BTreeMap::new();
        let mut outgoing: BTreeMap<i64, Vec<&Link>> = BTreeMap::new();
        for l in &flows.links {
            incoming.entry(l.target).or_default().push(l);
            if let Cause::Goroutine(g) = l.cause {
                outgoing.entry(g).or_default().push(l);
            }
        }
        for v in incoming.values_mut() {
            v.sort_by_key(|l| l.start_time);
        }
        for v in outgoing.values_mut() {
            v.sort_by_key(|l| l.cause_time);
        }
        let goroutines: std::collections::BTreeSet<i64> =
            incoming.keys().chain(outgoing.keys()).copied().collect();
        let none = Vec::new();
        for &g in &goroutines {
            let got: Vec<&Link> = flows.incoming(g).collect();
            assert_eq!(
                &got,
                incoming.get(&g).unwrap_or(&none),
                "{}: incoming G{g}",
                t.display()
            );
            let got: Vec<&Link> = flows.outgoing(g).collect();
            assert_eq!(
                &got,
                outgoing.get(&g).unwrap_or(&none),
                "{}: outgoing G{g}",
                t.display()
            );
            // Window ends are inclusive: a one-instant window holds what happened then.
            for l in outgoing.get(&g).unwrap_or(&none) {
                let at: Vec<&Link> = flows.caused_during(g, l.cause_time, l.cause_time).collect();
                assert!(at.contains(l), "{}: G{g} at {}", t.display(), l.cause_time);
            }
        }
        for s in &tl.slices {
            let SliceKind::Goroutine(g) = s.kind else {
                continue;
            };
            let (from, to) = (s.start, s.start + s.dur);
            let want = incoming
                .get(&g)
                .unwrap_or(&none)
                .iter()
                .find(|l| l.start_time == from)
                .copied();
            assert_eq!(flows.cause_of_run(g, from), want, "{}", t.display());
            let want: Vec<&Link> = outgoing
                .get(&g)
                .unwrap_or(&none)
                .iter()
                .filter(|l| (from..=to).contains(&l.cause_time))
                .copied()
                .collect();
            let got: Vec<&Link> = flows.caused_during(g, from, to).collect();
            assert_eq!(got, want, "{}: caused by G{g} in its slice", t.display());
            runs += 1;
        }
        for l in &flows.links {
            match l.cause {
                Cause::Goroutine(_) => kinds[0] += 1,
                Cause::Netpoll => {
                    assert!(l.name.contains("network"), "{l:?}");
                    kinds[1] += 1
                }
                Cause::Syscall => {
                    assert_eq!(l.name.as_ref(), "exit blocked syscall");
                    kinds[2] += 1
                }
                Cause::Runtime => {
                    assert!(l.name.starts_with("unblock"), "{l:?}");
                    kinds[3] += 1
                }
            }
        }
        links += flows.links.len();
    }
    // Guards against a vacuous pass: the traces hold links of every kind.
    assert!(
        links > 10_000 && runs > 10_000,
        "{links} links, {runs} runs"
    );
    assert!(
        kinds.iter().all(|&k| k > 0),
        "links by cause kind: {kinds:?}"
    );
}
