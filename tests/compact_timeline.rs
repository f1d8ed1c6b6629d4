//! The explorer's compact timeline ([`TimelineBuilder::compact`]) holds the same goroutine
//! spans, stacks, ranges and arrows as the full proc view (itself checked against go tool
//! trace in timeline_oracle.rs) — plus the unblock arrows from P0 Go drops — on every
//! committed trace; its thinned Goroutines counter
//! shows, at each kept row, the last value the full counter had before the next one; its
//! user logs are the full view's log instants.

use std::sync::Arc;

use gotrace_tui::analysis::timeline::{
    Arrow, Frame, NETPOLL_LANE, NO_STACK, SYSCALL_LANE, Slice, SliceKind, Timeline,
    TimelineBuilder, runnable_running,
};
use gotrace_tui::trace::Reader;

#[path = "common/oracle.rs"]
mod oracle;

#[test]
fn compact_timeline_equals_the_full_proc_view() {
    let traces = oracle::traces_with("goroutines.json");
    let mut logs = 0;
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
            assert!(
                g.starts().iter().eq(w.starts().iter()),
                "{name}: P{p} starts"
            );
            assert!(g.ends().iter().eq(w.ends().iter()), "{name}: P{p} ends");
            assert!(
                g.goroutines().iter().eq(w.goroutines().iter()),
                "{name}: P{p} goroutines"
            );
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
                compact_stacks.push((p, l.starts().get(i), l.stacks(i)));
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
                let (s, e) = (l.starts().get(i), l.ends().get(i));
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
            // Exactly: by cause time, then row, then run.
            let mut want: Vec<(i64, (usize, usize))> = Vec::new();
            for (row, l) in compact.lanes.iter().enumerate() {
                for i in 0..l.len() {
                    if let Some((from, t)) = compact.cause_source(l, i)
                        && from == lane
                    {
                        want.push((t, (row, i)));
                    }
                }
            }
            want.sort_unstable();
            assert_eq!(
                walked, want,
                "{name}: the walk of the arrows caused on {lane}"
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

        // Of the instants, the user logs alone, in order: the full view's but for CPU
        // samples, proc starts and stops, and the netpoller's and blocked syscalls' lanes.
        assert!(compact.instants.is_empty(), "{name}: instants");
        let want: Vec<(i64, u64, String)> = full
            .instants
            .iter()
            .filter(|i| {
                i.sched.is_none()
                    && i.name.as_str() != "CPU profile sample"
                    && ![NETPOLL_LANE, SYSCALL_LANE].contains(&i.lane)
            })
            .map(|i| (i.time, i.lane, i.name.to_string()))
            .collect();
        let got: Vec<(i64, u64, String)> = compact
            .logs
            .iter()
            .map(|l| (l.time, l.lane, l.text.to_string()))
            .collect();
        assert_eq!(got, want, "{name}: logs");
        logs += got.len();
    }
    assert!(logs > 100, "only {logs} logs compared");
}

#[test]
fn a_second_view_differs_only_by_what_it_leaves_out() {
    let (mut with_counters, mut with_logs) = (0, 0);
    for path in &oracle::traces_with("goroutines.json") {
        let data = std::fs::read(path).unwrap();
        let mut with = TimelineBuilder::by_thread().compact();
        let mut without = TimelineBuilder::by_thread().compact().second_view();
        gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut with, &mut without]);
        let (with, without) = (with.finish(), without.finish());
        let name = path.display();
        assert!(without.goroutine_counts.is_empty(), "{name}");
        assert!(without.goroutine_track.is_empty(), "{name}");
        assert!(without.heap.is_empty(), "{name}");
        assert!(without.heap_track.is_empty(), "{name}");
        assert!(without.thread_counts.is_empty(), "{name}");
        assert!(without.user_stacks.at(i64::MAX).is_none(), "{name}");
        assert_eq!(without.lane_ids, with.lane_ids, "{name}: lanes");
        // Stacks are numbered in the order they are met, and a second view meets fewer
        // (no task events' stacks, no instants'): spans compare by their frames.
        assert_eq!(runs(&without), runs(&with), "{name}: spans");
        assert_eq!(without.slices, with.slices, "{name}: ranges");
        assert_eq!(without.lane_ranges, with.lane_ranges, "{name}: ranges");
        assert!(without.instants.is_empty(), "{name}: instants");
        assert!(without.logs.is_empty(), "{name}: logs");
        assert!(with.instants.is_empty(), "{name}: compact keeps only logs");
        with_counters +=
            usize::from(!with.goroutine_track.is_empty() && !with.heap_track.is_empty());
        with_logs += usize::from(!with.logs.is_empty());
    }
    assert!(
        with_counters > 10 && with_logs > 3,
        "only {with_counters} traces had counters and {with_logs} logs to drop"
    );
}

/// A goroutine run as the explorer shows it: start, end, goroutine, the frames of its
/// start and end stacks, and its cause (time, frames, lane, name), stacks resolved so that
/// timelines numbering their stacks differently compare.
type Run = (
    i64,
    i64,
    i64,
    [Vec<Frame>; 2],
    Option<(i64, Vec<Frame>, u64, String)>,
);

/// Every lane's runs, read through the lanes' accessors.
fn runs(tl: &Timeline) -> Vec<Vec<Run>> {
    let frames = |s: u32| tl.stacks.get(s as usize).cloned().unwrap_or_default();
    tl.lanes
        .iter()
        .map(|l| {
            (0..l.len())
                .map(|i| {
                    let [a, b] = l.stacks(i);
                    let cause = l.cause(i).map(|c| {
                        let (lane, name) = &tl.cause_links[c.link as usize];
                        (c.time, frames(c.stack), *lane, name.to_string())
                    });
                    (
                        l.start(i),
                        l.end(i),
                        l.goroutine(i),
                        [frames(a), frames(b)],
                        cause,
                    )
                })
                .collect()
        })
        .collect()
}

/// The thread timeline built on the proc timeline's runs (the explorer's thread rows)
/// holds exactly the runs of one built on its own, read through every accessor: the
/// columns, busy times, covering runs, searches by goroutine, and the arrows both ways.
#[test]
fn thread_lanes_sharing_the_proc_runs_equal_their_own() {
    let mut shared_lanes = 0;
    for path in &oracle::traces_with("goroutines.json") {
        let data = std::fs::read(path).unwrap();
        let name = path.display();
        let mut procs = TimelineBuilder::new().compact();
        let mut plain = TimelineBuilder::by_thread().compact().second_view();
        gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut procs, &mut plain]);
        let procs = Arc::new(procs.finish());
        let plain = plain.finish();
        let mut shared = TimelineBuilder::by_thread()
            .compact()
            .second_view()
            .sharing_spans_of(procs.clone());
        gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut shared]);
        let shared = shared.finish();

        assert_eq!(shared.lane_ids, plain.lane_ids, "{name}: lanes");
        assert_eq!(runs(&shared), runs(&plain), "{name}: runs");
        shared_lanes += shared.lanes.iter().filter(|l| l.shares_runs()).count();
        let (t0, t1) = (plain.start_time, plain.end_time + 1);
        for (row, (s, p)) in shared.lanes.iter().zip(&plain.lanes).enumerate() {
            assert!(s.starts().iter().eq(p.starts().iter()), "{name}: row {row}");
            assert!(s.ends().iter().eq(p.ends().iter()), "{name}: row {row}");
            assert!(s.goroutines().iter().eq(p.goroutines().iter()), "{name}");
            // Windows of every size, at odd places.
            for k in 0..64 {
                let w = (t1 - t0) >> (k % 16);
                let a = t0 + (t1 - t0) * k / 67;
                assert_eq!(s.busy(a, a + w), p.busy(a, a + w), "{name}: busy");
                assert_eq!(s.at(a), p.at(a), "{name}: at {a}");
                assert_eq!(s.covering(a), p.covering(a), "{name}: covering {a}");
                let key = |g: i64| (g % 7) as u32;
                assert_eq!(
                    s.dominant_by(a, a + w, 8, key),
                    p.dominant_by(a, a + w, 8, key),
                    "{name}: dominant"
                );
                assert_eq!(
                    s.starts().partition_point(|x| x < a),
                    p.starts().partition_point(|x| x < a),
                    "{name}"
                );
            }
            let mut gs: Vec<i64> = p.goroutines().iter().collect();
            gs.sort_unstable();
            gs.dedup();
            for &g in gs.iter().step_by(gs.len() / 50 + 1) {
                let want: Vec<usize> = p.goroutines().positions_of(g).collect();
                let got: Vec<usize> = s.goroutines().positions_of(g).collect();
                assert_eq!(got, want, "{name}: runs of G{g} on row {row}");
                let &first = want.first().unwrap();
                let out = |tl: &Timeline| {
                    let (a, b) = (tl.lanes[row].start(first), tl.lanes[row].end(first));
                    let lane = tl.lane_ids[row];
                    let frames = |s: Option<u32>| s.map(|s| tl.stacks[s as usize].clone());
                    tl.arrow_index
                        .out_of(tl, lane, a, b)
                        .map(|a| (a.from_lane, a.from_time, a.to_lane, a.name, frames(a.stack)))
                        .collect::<Vec<_>>()
                };
                assert_eq!(out(&shared), out(&plain), "{name}: arrows out of G{g}");
                let into = |tl: &Timeline| {
                    let frames = |s: Option<u32>| s.map(|s| tl.stacks[s as usize].clone());
                    tl.arrow_index
                        .into_from(tl, g, t0)
                        .map(|a| (a.from_lane, a.from_time, a.to_lane, a.name, frames(a.stack)))
                        .collect::<Vec<_>>()
                };
                assert_eq!(into(&shared), into(&plain), "{name}: arrows into G{g}");
            }
        }
    }
    assert!(shared_lanes > 10, "only {shared_lanes} lanes shared runs");
}
