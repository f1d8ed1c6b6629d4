//! The explorer's compact timeline ([`TimelineBuilder::compact`]) holds the same goroutine
//! spans, stacks, ranges and arrows as the full proc view (itself checked against go tool
//! trace in timeline_oracle.rs) — plus the unblock arrows from P0 Go drops — on every
//! committed trace; its thinned Goroutines counter
//! shows, at each kept row, the last value the full counter had before the next one.

use gotrace_tui::analysis::timeline::{
    Arrow, NO_STACK, Slice, SliceKind, TimelineBuilder, runnable_running,
};
use gotrace_tui::trace::Reader;

#[path = "common/oracle.rs"]
mod oracle;

#[test]
fn compact_timeline_equals_the_full_proc_view() {
    let traces = oracle::traces_with("goroutines.json");
    for path in &traces {
        let data = std::fs::read(path).unwrap();
        let mut full = TimelineBuilder::new();
        let mut compact = TimelineBuilder::new().compact();
        gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut full, &mut compact]);
        let (full, compact) = (full.finish(), compact.finish());
        let name = path.display();

        let want = full.proc_lanes();
        let busy: Vec<u64> = want.iter().map(|(p, _)| *p).collect();
        assert_eq!(compact.lane_ids, busy, "{name}: lanes");
        let want: Vec<_> = want.into_iter().map(|(_, l)| l).collect();
        let got = &compact.lanes;
        for (p, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g.starts, w.starts, "{name}: P{p} starts");
            assert!(g.ends().iter().eq(w.ends().iter()), "{name}: P{p} ends");
            assert_eq!(g.goroutines, w.goroutines, "{name}: P{p} goroutines");
            let t1 = g.ends().last().unwrap_or(0) + 1;
            assert_eq!(g.busy(0, t1), w.busy(0, t1), "{name}: P{p} busy");
        }
        // Stacks: each compact span carries the stacks of the full slice.
        let mut full_stacks: Vec<(u64, i64, [u32; 2])> = full
            .slices
            .iter()
            .filter(|s| matches!(s.kind, SliceKind::Goroutine(_)) && s.lane < 1_000_000)
            .map(|s| {
                let st = |x: Option<u32>| x.unwrap_or(NO_STACK);
                (s.lane, s.start, [st(s.start_stack), st(s.end_stack)])
            })
            .collect();
        full_stacks.sort_unstable();
        let mut compact_stacks: Vec<(u64, i64, [u32; 2])> = Vec::new();
        for (&p, l) in compact.lane_ids.iter().zip(&compact.lanes) {
            for i in 0..l.len() {
                compact_stacks.push((p, l.starts.get(i), l.stacks(i)));
            }
        }
        compact_stacks.sort_unstable();
        assert_eq!(compact_stacks, full_stacks, "{name}: stacks");
        assert_eq!(compact.stacks, full.stacks, "{name}: stack table");

        // Ranges: those inside goroutine slices on the Ps are kept as (start, end) per
        // lane, the rest whole.
        let packed = |s: &Slice| s.lane < 1_000_000 && !s.name.starts_with("stop-the-world");
        let ranges: Vec<_> = full
            .slices
            .iter()
            .filter(|s| s.kind == SliceKind::Range)
            .collect();
        let kept: Vec<_> = ranges.iter().copied().filter(|s| !packed(s)).collect();
        let compact_ranges: Vec<_> = compact.slices.iter().collect();
        assert_eq!(compact_ranges, kept, "{name}: ranges");
        let mut want: Vec<(u64, i64, i64)> = ranges
            .iter()
            .filter(|s| packed(s))
            .map(|s| (s.lane, s.start, s.start + s.dur))
            .collect();
        want.sort_unstable();
        let got: Vec<(u64, i64, i64)> = compact
            .lane_ranges
            .iter()
            .flat_map(|(lane, r)| r.ranges().map(move |(s, e)| (*lane, s, e)))
            .collect();
        assert_eq!(got, want, "{name}: ranges inside slices");
        // Self time subtracts the same ranges from both timelines' slices.
        for (&p, l) in compact.lane_ids.iter().zip(&compact.lanes) {
            for i in (0..l.len()).step_by(7) {
                let (s, e) = (l.starts.get(i), l.ends().get(i));
                let inside: i64 = ranges
                    .iter()
                    .filter(|r| r.lane == p && r.start >= s && r.start + r.dur <= e)
                    .map(|r| r.dur)
                    .sum();
                assert_eq!(
                    compact.time_in_ranges(p, s, e),
                    inside,
                    "{name}: P{p} at {s}"
                );
            }
        }
        // The compact timeline keeps each arrow with the span it starts, and adds the
        // arrows go tool trace drops for unblocks on P0 (and only those): without them,
        // the rest are Go's.
        assert!(compact.arrows.is_empty(), "{name}: arrows kept twice");
        let go_drops = |a: &Arrow| a.from_lane == 0 && a.name.starts_with("unblock");
        let in_order = |mut v: Vec<Arrow>| {
            v.sort_by_key(|a| (a.to_time, a.goroutine, a.to_lane, a.from_time, a.from_lane));
            v
        };
        let kept = in_order(compact.compact_arrows().filter(|a| !go_drops(a)).collect());
        assert_eq!(kept, in_order(full.arrows.clone()), "{name}: arrows");
        // The index finds each arrow from both ends.
        for a in compact.compact_arrows() {
            let idx = &compact.arrow_index;
            assert_eq!(
                idx.into_run(&compact, a.goroutine, a.to_time).as_ref(),
                Some(&a),
                "{name}: arrow into G{} at {}",
                a.goroutine,
                a.to_time
            );
            assert!(
                idx.out_of(&compact, a.from_lane, a.from_time, a.from_time)
                    .any(|b| b == a),
                "{name}: arrow from {} at {}",
                a.from_lane,
                a.from_time
            );
        }
        // Per cause lane, the index walks exactly that lane's arrows, in time order; and
        // a window of it holds exactly the arrows caused within the window.
        let mut by_lane: std::collections::BTreeMap<u64, Vec<Arrow>> = Default::default();
        for a in compact.compact_arrows() {
            by_lane.entry(a.from_lane).or_default().push(a);
        }
        let key = |a: &Arrow| (a.from_time, a.to_lane, a.to_time, a.goroutine);
        for (&lane, arrows) in &mut by_lane {
            arrows.sort_by_key(key);
            let walked: Vec<(i64, (usize, usize))> =
                compact.arrow_index.caused_on(&compact, lane).collect();
            assert!(
                walked.windows(2).all(|w| w[0].0 <= w[1].0),
                "{name}: arrows caused on {lane} out of time order"
            );
            let mut got: Vec<Arrow> = walked
                .iter()
                .map(|&(_, (row, i))| compact.arrow_into(row, i).unwrap())
                .collect();
            got.sort_by_key(key);
            assert_eq!(&got, arrows, "{name}: arrows caused on {lane}");
            let (from, to) = (
                arrows[arrows.len() / 3].from_time,
                arrows[arrows.len() / 2].from_time,
            );
            let mut window: Vec<Arrow> = compact
                .arrow_index
                .out_of(&compact, lane, from, to)
                .collect();
            window.sort_by_key(key);
            let want: Vec<Arrow> = arrows
                .iter()
                .filter(|a| from <= a.from_time && a.from_time <= to)
                .cloned()
                .collect();
            assert_eq!(
                window, want,
                "{name}: arrows caused on {lane} in [{from}, {to}]"
            );
        }
        // The arrows into a goroutine from any time on, in time order.
        let mut into: std::collections::BTreeMap<i64, Vec<Arrow>> = Default::default();
        for a in compact.compact_arrows() {
            into.entry(a.goroutine).or_default().push(a);
        }
        for (g, arrows) in into.iter_mut().take(60) {
            arrows.sort_by_key(|a| a.to_time);
            let times = arrows.iter().flat_map(|a| [a.to_time, a.to_time + 1]);
            for t in std::iter::once(i64::MIN).chain(times.take(40)) {
                let got: Vec<Arrow> = compact.arrow_index.into_from(&compact, *g, t).collect();
                let want: Vec<Arrow> = arrows.iter().filter(|a| a.to_time >= t).cloned().collect();
                assert_eq!(got, want, "{name}: arrows into G{g} from {t}");
            }
        }
        // The Heap track: the full counter's rows where the allocated bytes change, with
        // those bytes; its scale, the highest top of a full row.
        assert!(compact.heap.is_empty(), "{name}");
        let mut want: Vec<(i64, i64)> = Vec::new();
        for &(t, [alloc, _]) in &full.heap {
            if want.last().is_none_or(|&(_, v)| v != alloc as i64) {
                want.push((t, alloc as i64));
            }
        }
        assert_eq!(
            compact.heap_track.rows().collect::<Vec<_>>(),
            want,
            "{name}: heap"
        );
        let top = full.heap.iter().map(|r| r.1[0] + r.1[1]).max().unwrap_or(0);
        assert_eq!(compact.counter_peaks[0], top, "{name}: heap scale");
        assert_eq!(compact.thread_counts, full.thread_counts, "{name}: threads");

        // The Goroutines track: rows at times of the full counter's rows, at least 1 µs
        // apart, each with the drawn value (runnable + running) of the last full row
        // before the next track row.
        assert!(compact.goroutine_counts.is_empty(), "{name}");
        let rows: Vec<(i64, i64)> = compact.goroutine_track.rows().collect();
        assert!(rows.len() <= full.goroutine_counts.len());
        assert_eq!(rows.is_empty(), full.goroutine_counts.is_empty(), "{name}");
        for (i, &(t, v)) in rows.iter().enumerate() {
            assert!(
                full.goroutine_counts.iter().any(|(ft, _)| *ft == t),
                "{name}: row at {t}"
            );
            let next = rows.get(i + 1).map_or(i64::MAX, |r| r.0);
            let last = full
                .goroutine_counts
                .iter()
                .rev()
                .find(|(ft, _)| *ft < next)
                .unwrap();
            assert_eq!(
                v as u64,
                runnable_running(last.1),
                "{name}: counter row at {t}"
            );
            if i > 0 {
                assert!(t - rows[i - 1].0 >= 1_000, "{name}: rows closer than 1 µs");
            }
        }
    }
}

#[test]
fn a_thread_timeline_without_counters_differs_only_by_them() {
    let mut with_counters = 0;
    for path in &oracle::traces_with("goroutines.json") {
        let data = std::fs::read(path).unwrap();
        let mut with = TimelineBuilder::by_thread().compact();
        let mut without = TimelineBuilder::by_thread().compact().without_counters();
        gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut with, &mut without]);
        let (with, without) = (with.finish(), without.finish());
        let name = path.display();
        assert!(without.goroutine_counts.is_empty(), "{name}");
        assert!(without.goroutine_track.is_empty(), "{name}");
        assert!(without.heap.is_empty(), "{name}");
        assert!(without.heap_track.is_empty(), "{name}");
        assert!(without.thread_counts.is_empty(), "{name}");
        assert_eq!(without.lane_ids, with.lane_ids, "{name}: lanes");
        assert_eq!(without.lanes, with.lanes, "{name}: spans");
        assert_eq!(without.slices, with.slices, "{name}: ranges");
        assert_eq!(without.lane_ranges, with.lane_ranges, "{name}: ranges");
        assert_eq!(without.instants, with.instants, "{name}: instants");
        with_counters +=
            usize::from(!with.goroutine_track.is_empty() && !with.heap_track.is_empty());
    }
    assert!(
        with_counters > 10,
        "only {with_counters} traces had counters to drop"
    );
}
