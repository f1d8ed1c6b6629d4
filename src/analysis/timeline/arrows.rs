//! The flow arrows of a compact timeline found by the lane and time of their cause,
//! without a list of them. An arrow is kept with the span it starts (its cause's lane and
//! time, [`LaneSpans::cause`]), so a row's spans are its arrows in start order; a cause
//! precedes the run it starts by a scheduling delay, so they are nearly in cause-time
//! order too. The index keeps, per row and per block of [`ARROW_BLOCK`] spans, the
//! earliest and the latest cause time: the arrows caused from a time on are those of the
//! blocks whose times reach it, opened in order of their earliest cause and merged by a
//! small heap. About a sixth of a byte a span where a list of the arrows in cause-time
//! order took one and a half (15 MB, and as much again for the thread rows, on the 200 MB
//! benchmark trace).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{Arrow, I64Column, LaneSpans, Timeline};
use crate::analysis::column::partition_point;

/// Spans per block of a row.
const ARROW_BLOCK: usize = 64;

/// The spans of block `b` of a row.
fn block_spans(b: usize, spans: &LaneSpans) -> std::ops::Range<usize> {
    b * ARROW_BLOCK..((b + 1) * ARROW_BLOCK).min(spans.len())
}

/// Positions of a row's block order ([`RowCauses::by_first`]) per entry of
/// [`RowCauses::chunk_last`], and entries of that per entry of
/// [`RowCauses::group_last`]: the two levels that find the blocks a time falls in.
const FAN_OUT: usize = 64;

/// The arrows of a compact timeline, indexed by cause time (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct ArrowIndex {
    rows: Vec<RowCauses>,
}

/// One row's cause times, by block of [`ARROW_BLOCK`] spans.
#[derive(Debug, Clone, Default)]
struct RowCauses {
    /// The earliest cause time of each block (`i64::MAX` for a block without arrows).
    first: I64Column,
    /// The latest cause time of each block (`i64::MIN` for a block without arrows).
    last: I64Column,
    /// The blocks with arrows, by (earliest cause, block): the order they are opened in.
    by_first: I64Column,
    /// The latest cause time of the blocks at each [`FAN_OUT`] positions of `by_first`.
    chunk_last: Vec<i64>,
    /// The latest of each [`FAN_OUT`] entries of `chunk_last`.
    group_last: Vec<i64>,
}

impl RowCauses {
    fn new(tl: &Timeline, spans: &LaneSpans) -> RowCauses {
        let blocks = spans.len().div_ceil(ARROW_BLOCK);
        let mut first = I64Column::new();
        let mut last = I64Column::new();
        let mut with_arrows: Vec<u32> = Vec::new();
        for b in 0..blocks {
            let range = block_spans(b, spans);
            let (lo, hi) = range
                .filter_map(|i| tl.cause_source(spans, i))
                .fold((i64::MAX, i64::MIN), |(lo, hi), (_, t)| {
                    (lo.min(t), hi.max(t))
                });
            first.push(lo);
            last.push(hi);
            if lo <= hi {
                with_arrows.push(b as u32);
            }
        }
        first.seal();
        last.seal();
        with_arrows.sort_by_key(|&b| (first.get(b as usize), b));
        let chunk_last: Vec<i64> = with_arrows
            .chunks(FAN_OUT)
            .map(|c| {
                c.iter()
                    .map(|&b| last.get(b as usize))
                    .max()
                    .unwrap_or(i64::MIN)
            })
            .collect();
        let group_last = chunk_last
            .chunks(FAN_OUT)
            .map(|c| c.iter().copied().max().unwrap_or(i64::MIN))
            .collect();
        RowCauses {
            by_first: with_arrows.iter().map(|&b| i64::from(b)).collect(),
            first,
            last,
            chunk_last,
            group_last,
        }
    }

    fn bytes(&self) -> usize {
        self.first.bytes()
            + self.last.bytes()
            + self.by_first.bytes()
            + std::mem::size_of_val(self.chunk_last.as_slice())
            + std::mem::size_of_val(self.group_last.as_slice())
    }

    /// The block at position `k` of the opening order.
    fn block(&self, k: usize) -> usize {
        self.by_first.get(k) as usize
    }

    /// The positions before `end` in the opening order whose blocks have an arrow caused
    /// at `t` or later: found through the two levels of latest times, so a lookup opens
    /// the blocks around `t` and those of long waits, not every block before it.
    fn reaching(&self, end: usize, t: i64) -> Vec<usize> {
        let mut out = Vec::new();
        let groups = end.div_ceil(FAN_OUT * FAN_OUT);
        for (g, _) in self.group_last[..groups]
            .iter()
            .enumerate()
            .filter(|&(_, &last)| last >= t)
        {
            let chunks = g * FAN_OUT..((g + 1) * FAN_OUT).min(self.chunk_last.len());
            for c in chunks.filter(|&c| self.chunk_last[c] >= t) {
                let positions = c * FAN_OUT..((c + 1) * FAN_OUT).min(end);
                out.extend(positions.filter(|&k| self.last.get(self.block(k)) >= t));
            }
        }
        out
    }
}

/// A walk of one row's arrows caused on a lane, in (cause time, span) order.
struct RowWalk<'t> {
    tl: &'t Timeline,
    causes: &'t RowCauses,
    row: usize,
    lane: u64,
    from: i64,
    /// The latest cause time wanted: blocks whose arrows all come later stay closed.
    until: i64,
    /// The next position of the opening order.
    next: usize,
    /// The arrows of the opened blocks not yet given, as (cause time, span).
    open: BinaryHeap<Reverse<(i64, usize)>>,
}

impl RowWalk<'_> {
    /// Puts the block at position `k` of the opening order among the open arrows.
    fn open_block(&mut self, k: usize) {
        let spans = &self.tl.lanes[self.row];
        let b = self.causes.block(k);
        for i in block_spans(b, spans) {
            if let Some((lane, t)) = self.tl.cause_source(spans, i)
                && lane == self.lane
                && (self.from..=self.until).contains(&t)
            {
                self.open.push(Reverse((t, i)));
            }
        }
    }

    /// The next arrow, as (cause time, span).
    fn next(&mut self) -> Option<(i64, usize)> {
        loop {
            let causes = self.causes;
            let unopened = (self.next < causes.by_first.len())
                .then(|| causes.first.get(causes.block(self.next)))
                .filter(|&first| first <= self.until);
            match (self.open.peek(), unopened) {
                // No unopened block can hold an earlier arrow (nor an equal one with an
                // earlier span: ties open the block first).
                (Some(&Reverse((t, _))), u) if u.is_none_or(|first| t < first) => {
                    return self.open.pop().map(|Reverse(a)| a);
                }
                (_, Some(_)) => {
                    self.open_block(self.next);
                    self.next += 1;
                }
                (_, None) => return None,
            }
        }
    }
}

impl ArrowIndex {
    /// Indexes the arrows of `tl`'s lanes: a pass over their causes.
    pub fn new(tl: &Timeline) -> ArrowIndex {
        ArrowIndex {
            rows: tl.lanes.iter().map(|l| RowCauses::new(tl, l)).collect(),
        }
    }

    /// Heap bytes used.
    pub(super) fn bytes(&self) -> usize {
        self.rows.iter().map(RowCauses::bytes).sum()
    }

    /// The arrows caused on `lane` during `[from, until]`, in time order (ties by row,
    /// then span), as (cause time, row and index of the span each starts): a merge of the
    /// rows' walks that builds no arrow. A row's walk opens its blocks in order of their
    /// earliest cause until one starts past `until`: a row without the lane's arrows
    /// costs a block or two, not a pass over its spans.
    pub fn caused_in<'t>(
        &'t self,
        tl: &'t Timeline,
        lane: u64,
        from: i64,
        until: i64,
    ) -> impl Iterator<Item = (i64, (usize, usize))> + 't {
        let mut walks: Vec<(RowWalk<'t>, Option<(i64, usize)>)> = (0..self.rows.len())
            .map(|row| {
                let causes = &self.rows[row];
                let next = partition_point(causes.by_first.len(), |k| {
                    causes.first.get(causes.block(k)) < from
                });
                let mut walk = RowWalk {
                    tl,
                    causes,
                    row,
                    lane,
                    from,
                    until,
                    next,
                    open: BinaryHeap::new(),
                };
                for k in causes.reaching(next, from) {
                    walk.open_block(k);
                }
                let head = walk.next();
                (walk, head)
            })
            .collect();
        std::iter::from_fn(move || {
            // The earliest next arrow; the lowest row on a tie.
            let k = (0..walks.len())
                .filter(|&k| walks[k].1.is_some())
                .min_by_key(|&k| walks[k].1.map(|(t, _)| t))?;
            let (walk, head) = &mut walks[k];
            let (t, i) = head.take()?;
            *head = walk.next();
            Some((t, (walk.row, i)))
        })
    }

    /// Every arrow caused during `[from, until]`, on any lane, as (cause lane, cause
    /// time, row, span), row by row and not in time order: each block whose cause times
    /// reach the window opened once, for a caller that tests each arrow on its own (the
    /// `interacts` filter over a goroutine of 337,000 runs: one pass, not a walk per lane
    /// or a lookup per run).
    pub fn causes_during<'t>(
        &'t self,
        tl: &'t Timeline,
        from: i64,
        until: i64,
    ) -> impl Iterator<Item = (u64, i64, usize, usize)> + 't {
        self.rows.iter().enumerate().flat_map(move |(row, causes)| {
            let spans = &tl.lanes[row];
            (0..causes.first.len())
                .filter(move |&b| causes.first.get(b) <= until && causes.last.get(b) >= from)
                .flat_map(move |b| block_spans(b, spans))
                .filter_map(move |i| {
                    let (lane, t) = tl.cause_source(spans, i)?;
                    (from..=until).contains(&t).then_some((lane, t, row, i))
                })
        })
    }

    /// The arrows into goroutine `g` that end at or after `t`, in time order: its spans
    /// with a cause, found lane by lane by a scan of the goroutine columns from `t` on
    /// (a goroutine's next run is usually near; all 11 M spans of a 200 MB trace take a
    /// few milliseconds).
    pub fn into_from<'t>(
        &'t self,
        tl: &'t Timeline,
        g: i64,
        t: i64,
    ) -> impl Iterator<Item = Arrow> + 't {
        // Per lane, its next span of `g`.
        let mut next: Vec<Option<usize>> = tl
            .lanes
            .iter()
            .map(|l| {
                let from = l.starts().partition_point(|s| s < t);
                l.goroutines().position_from(g, from)
            })
            .collect();
        std::iter::from_fn(move || {
            loop {
                let (row, i) = next
                    .iter()
                    .enumerate()
                    .filter_map(|(row, at)| at.map(|i| (row, i)))
                    .min_by_key(|&(row, i)| tl.lanes[row].starts().get(i))?;
                next[row] = tl.lanes[row].goroutines().position_from(g, i + 1);
                if let Some(a) = tl.arrow_into(row, i) {
                    return Some(a);
                }
            }
        })
    }

    /// The arrow that started the run of `g` at `start`, if any.
    pub fn into_run(&self, tl: &Timeline, g: i64, start: i64) -> Option<Arrow> {
        tl.lanes.iter().enumerate().find_map(|(row, l)| {
            let from = l.starts().partition_point(|s| s < start);
            (from..l.len())
                .take_while(|&i| l.starts().get(i) == start)
                .find(|&i| l.goroutines().get(i) == g)
                .and_then(|i| tl.arrow_into(row, i))
        })
    }

    /// The arrows caused on `lane`, in time order, as (cause time, row and index of the
    /// span each starts): a walk of the index that builds no arrow.
    pub fn caused_on<'t>(
        &'t self,
        tl: &'t Timeline,
        lane: u64,
    ) -> impl Iterator<Item = (i64, (usize, usize))> + 't {
        self.caused_in(tl, lane, i64::MIN, i64::MAX)
    }

    /// The arrows caused on `lane` during `[from, to]`, in time order.
    pub fn out_of<'t>(
        &'t self,
        tl: &'t Timeline,
        lane: u64,
        from: i64,
        to: i64,
    ) -> impl Iterator<Item = Arrow> + 't {
        self.caused_in(tl, lane, from, to)
            .filter_map(|(_, (row, i))| tl.arrow_into(row, i))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Cause, LaneSpans, NO_STACK, Timeline};
    use std::sync::Arc;

    /// Two rows of spans caused on two lanes, most a little before they start, some
    /// seconds before (long waits), a few after (clock skew), many at the same round
    /// times (ties): enough blocks for both levels of the lookup. Every walk from any time equals the arrows sorted by (cause
    /// time, row, span).
    #[test]
    fn walks_from_any_time_are_the_sorted_arrows() {
        let mut tl = Timeline {
            cause_links: vec![(10, Arc::new("a".into())), (20, Arc::new("b".into()))],
            ..Timeline::default()
        };
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rand = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for row in 0..2 {
            let mut spans = LaneSpans::default();
            let mut t = 1_000_000_000;
            for i in 0..300_000 {
                t += 10 + rand(1_000) as i64;
                let wait = match rand(1_000) {
                    0 => 2_000_000_000 + rand(1 << 30) as i64,
                    1 => -(rand(50) as i64),
                    // Caused at a round millisecond: ties across blocks.
                    2..=20 => t % 1_000_000 + 1_000_000 * rand(3) as i64,
                    _ => rand(5_000) as i64,
                };
                let cause = match rand(10) {
                    0 => Cause::NONE,
                    k => Cause {
                        time: t - wait,
                        stack: NO_STACK,
                        link: (k % 2) as u32,
                    },
                };
                spans.push(t, t + 5, i + row, [NO_STACK; 2], cause);
                t += 5;
            }
            spans.seal();
            tl.lanes.push(spans);
            tl.lane_ids.push(row as u64);
        }
        tl.arrow_index = super::ArrowIndex::new(&tl);
        for lane in [10, 20] {
            let mut all: Vec<(i64, (usize, usize))> = Vec::new();
            for (row, l) in tl.lanes.iter().enumerate() {
                for i in 0..l.len() {
                    if let Some((from, t)) = tl.cause_source(l, i)
                        && from == lane
                    {
                        all.push((t, (row, i)));
                    }
                }
            }
            all.sort_unstable();
            let walked: Vec<_> = tl.arrow_index.caused_on(&tl, lane).collect();
            assert_eq!(walked, all, "lane {lane}");
            for k in [0, 1, 5_000, all.len() / 3, all.len() - 40, all.len() - 1] {
                let from = all[k].0;
                let start = all.partition_point(|a| a.0 < from);
                let got: Vec<_> = tl
                    .arrow_index
                    .caused_in(&tl, lane, from, i64::MAX)
                    .take(300)
                    .collect();
                let want: Vec<_> = all[start..].iter().take(300).copied().collect();
                assert_eq!(got, want, "lane {lane} from {from}");
                let until = all[(k + 200).min(all.len() - 1)].0;
                let mut during: Vec<_> = tl
                    .arrow_index
                    .causes_during(&tl, from, until)
                    .filter(|&(l, ..)| l == lane)
                    .map(|(_, t, row, i)| (t, (row, i)))
                    .collect();
                during.sort_unstable();
                let want: Vec<_> = all[start..]
                    .iter()
                    .take_while(|a| a.0 <= until)
                    .copied()
                    .collect();
                assert_eq!(during, want, "lane {lane} during [{from}, {until}]");
                let got: Vec<_> = tl.arrow_index.caused_in(&tl, lane, from, until).collect();
                assert_eq!(got, want, "lane {lane} in [{from}, {until}]");
            }
        }
    }
}
