//! Lanes whose spans are another timeline's: go tool trace's thread view draws the same
//! goroutine runs as its proc view, each on the thread that ran it instead of its P. On
//! the 200 MB benchmark trace, 10,688,648 of the 10,691,433 runs of the thread view are
//! runs of the proc view, start, end, goroutine, stacks and cause alike, in 2,779 streaks
//! of consecutive runs of one P; the others are a syscall the thread view draws past the
//! P's hand-off, and a run without a P. A thread's lane is kept as those streaks (which
//! P, from which run) plus its own copy of the few runs that differ, and the lane of each
//! run's cause (a thread here, a P there; the link's name is the source's), a column
//! that is mostly runs of one value: a fraction of a byte a run where a copy of the
//! spans took 11.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use super::{Cause, I64Column, LaneSpans, Timeline};

/// A column of a [`LaneSpans`] (its starts, ends or goroutines), read by index whichever
/// way the lane keeps its spans.
#[derive(Debug, Clone, Copy)]
pub struct Col<'a> {
    lane: &'a LaneSpans,
    field: Field,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Start,
    End,
    Goroutine,
}

impl<'a> Col<'a> {
    pub(super) fn starts(lane: &'a LaneSpans) -> Col<'a> {
        Col {
            lane,
            field: Field::Start,
        }
    }

    pub(super) fn ends(lane: &'a LaneSpans) -> Col<'a> {
        Col {
            lane,
            field: Field::End,
        }
    }

    pub(super) fn goroutines(lane: &'a LaneSpans) -> Col<'a> {
        Col {
            lane,
            field: Field::Goroutine,
        }
    }

    /// The packed column itself, for a lane that keeps its own spans (ends are read as
    /// start + length, so have none).
    fn own(&self) -> Option<&'a I64Column> {
        let l = self.lane;
        match (&l.shared, self.field) {
            (None, Field::Start) => Some(&l.starts),
            (None, Field::Goroutine) => Some(&l.goroutines),
            _ => None,
        }
    }

    /// Value `i`. Panics if `i` is out of bounds, as indexing a slice does.
    #[inline]
    pub fn get(&self, i: usize) -> i64 {
        match self.field {
            Field::Start => self.lane.start(i),
            Field::End => self.lane.end(i),
            Field::Goroutine => self.lane.goroutine(i),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.lane.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.lane.is_empty()
    }

    /// The last value, if any.
    pub fn last(&self) -> Option<i64> {
        self.len().checked_sub(1).map(|i| self.get(i))
    }

    /// The values, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = i64> + 'a {
        let c = *self;
        (0..c.len()).map(move |i| c.get(i))
    }

    /// The index of the first value for which `pred` is false, the column being
    /// partitioned by it (all true, then all false), as [`slice::partition_point`].
    pub fn partition_point(&self, pred: impl Fn(i64) -> bool) -> usize {
        match (self.own(), &self.lane.shared, self.field) {
            (Some(c), _, _) => c.partition_point(pred),
            (None, Some(s), Field::Start) => s.partition_point(|l, k| pred(l.starts.get(k))),
            (None, Some(s), Field::End) => s.partition_point(|l, k| pred(l.end(k))),
            _ => crate::analysis::column::partition_point(self.len(), |i| pred(self.get(i))),
        }
    }

    /// The first index from `from` on whose value is `v`.
    pub fn position_from(&self, v: i64, from: usize) -> Option<usize> {
        match (self.own(), &self.lane.shared, self.field) {
            (Some(c), _, _) => c.position_from(v, from),
            (None, Some(s), Field::Start | Field::Goroutine) => {
                s.position_from(self.field == Field::Goroutine, v, from)
            }
            _ => (from..self.len()).find(|&i| self.get(i) == v),
        }
    }

    /// The indexes of the values equal to `v`, ascending.
    pub fn positions_of(&self, v: i64) -> impl Iterator<Item = usize> + 'a {
        let c = *self;
        std::iter::successors(c.position_from(v, 0), move |&i| c.position_from(v, i + 1))
    }
}

/// Where spans `first..` of a shared lane are: spans `at..` of the source's row `row`,
/// or of the lane's own spans for [`OWN`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Streak {
    first: usize,
    row: u32,
    at: usize,
    /// Total length of the lane's spans before `first`.
    busy_before: i64,
}

/// [`Streak::row`] of the lane's own spans.
const OWN: u32 = u32::MAX;

/// A lane's spans as streaks of another timeline's (see the module docs).
pub(super) struct SharedSpans {
    source: Arc<Timeline>,
    streaks: Vec<Streak>,
    /// The spans that are not the source's.
    own: LaneSpans,
    /// The lane of each span's cause, as its rank in `cause_lanes`; -1 for none and for
    /// own spans (which keep their causes). A thread's runs are mostly woken from the
    /// same thread, so this column is mostly blocks of one value, which take no room.
    ranks: I64Column,
    /// The cause lanes met.
    cause_lanes: Vec<u64>,
    /// The link in this lane's timeline ([`Timeline::cause_links`]) of a cause on lane
    /// `cause_lanes[r]` whose link in the source is `l`: `links[r * source links + l]`.
    links: Vec<u32>,
    len: usize,
    busy: i64,
    /// The streak found last: reads mostly walk a lane in order, and then find their
    /// streak without a search.
    hint: AtomicU32,
}

impl Clone for SharedSpans {
    fn clone(&self) -> Self {
        SharedSpans {
            source: self.source.clone(),
            streaks: self.streaks.clone(),
            own: self.own.clone(),
            ranks: self.ranks.clone(),
            cause_lanes: self.cause_lanes.clone(),
            links: self.links.clone(),
            len: self.len,
            busy: self.busy,
            hint: AtomicU32::new(self.hint.load(Relaxed)),
        }
    }
}

impl std::fmt::Debug for SharedSpans {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedSpans")
            .field("streaks", &self.streaks)
            .field("own", &self.own)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl PartialEq for SharedSpans {
    fn eq(&self, o: &Self) -> bool {
        Arc::ptr_eq(&self.source, &o.source)
            && self.streaks == o.streaks
            && self.own == o.own
            && self.ranks == o.ranks
            && self.links == o.links
            && self.len == o.len
    }
}

impl Eq for SharedSpans {}

impl SharedSpans {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The rank of cause lane `lane`, met now if not before.
    fn rank_of(&mut self, lane: u64) -> usize {
        if let Some(r) = self.cause_lanes.iter().position(|&l| l == lane) {
            return r;
        }
        self.cause_lanes.push(lane);
        let n = self.source.cause_links.len();
        self.links.resize(self.links.len() + n, u32::MAX);
        self.cause_lanes.len() - 1
    }

    #[inline]
    fn streak_of(&self, i: usize) -> usize {
        let h = self.hint.load(Relaxed) as usize;
        if let Some(s) = self.streaks.get(h)
            && s.first <= i
            && self.streaks.get(h + 1).is_none_or(|n| i < n.first)
        {
            return h;
        }
        let k = self.streaks.partition_point(|s| s.first <= i) - 1;
        self.hint.store(k as u32, Relaxed);
        k
    }

    /// The number of spans for which `pred` holds, the lane being partitioned by it (all
    /// true, then all false); `pred` reads a span `k` of a lane that keeps it: a search
    /// of the streaks by their first span, then of one streak.
    pub(super) fn partition_point(&self, pred: impl Fn(&LaneSpans, usize) -> bool) -> usize {
        let j = self
            .streaks
            .partition_point(|s| pred(self.lanes_of(s), s.at));
        let Some(s) = j.checked_sub(1).map(|j| &self.streaks[j]) else {
            return 0;
        };
        let end = self.streaks.get(j).map_or(self.len, |n| n.first);
        let l = self.lanes_of(s);
        s.first + crate::analysis::column::partition_point(end - s.first, |k| pred(l, s.at + k))
    }

    fn lanes_of(&self, s: &Streak) -> &LaneSpans {
        match s.row {
            OWN => &self.own,
            row => &self.source.lanes[row as usize],
        }
    }

    /// The lane that keeps span `i`, and its index there.
    #[inline]
    pub(super) fn locate(&self, i: usize) -> (&LaneSpans, usize) {
        assert!(i < self.len, "span {i} of {}", self.len);
        let s = &self.streaks[self.streak_of(i)];
        (self.lanes_of(s), s.at + (i - s.first))
    }

    pub(super) fn cause(&self, i: usize) -> Option<Cause> {
        let s = &self.streaks[self.streak_of(i)];
        let k = s.at + (i - s.first);
        let c = self.lanes_of(s).cause(k)?;
        if s.row == OWN {
            return Some(c);
        }
        let rank = usize::try_from(self.ranks.get(i)).ok()?;
        let n = self.source.cause_links.len();
        let link = *self.links.get(rank * n + c.link as usize)?;
        Some(Cause { link, ..c })
    }

    pub(super) fn busy_before_span(&self, i: usize) -> i64 {
        if i >= self.len {
            return self.busy;
        }
        let s = &self.streaks[self.streak_of(i)];
        let l = self.lanes_of(s);
        s.busy_before + l.busy_before_span(s.at + (i - s.first)) - l.busy_before_span(s.at)
    }

    /// The first span from `from` on whose goroutine (or start) is `v`: each streak's
    /// part of its lane searched in turn.
    pub(super) fn position_from(&self, goroutines: bool, v: i64, from: usize) -> Option<usize> {
        if from >= self.len {
            return None;
        }
        for k in self.streak_of(from)..self.streaks.len() {
            let s = &self.streaks[k];
            let end = self.streaks.get(k + 1).map_or(self.len, |n| n.first);
            let lane = self.lanes_of(s);
            let col = if goroutines {
                &lane.goroutines
            } else {
                &lane.starts
            };
            let lo = s.at + (from.max(s.first) - s.first);
            let hi = s.at + (end - s.first);
            if let Some(j) = col.position_in(v, lo, hi) {
                return Some(s.first + (j - s.at));
            }
        }
        None
    }

    /// Heap bytes of the spans and of their causes, as [`LaneSpans`] reports them.
    pub(super) fn footprint(&self) -> (usize, usize) {
        let (spans, causes) = self.own.footprint();
        (
            spans + std::mem::size_of_val(self.streaks.as_slice()),
            causes
                + self.ranks.bytes()
                + std::mem::size_of_val(self.links.as_slice())
                + std::mem::size_of_val(self.cause_lanes.as_slice()),
        )
    }
}

/// Builds a lane's [`SharedSpans`] as its spans arrive, each matched against the source.
#[derive(Debug)]
pub(super) struct SharedBuilder {
    spans: SharedSpans,
    /// Where the next span is likely to be: the source run after the last one matched.
    next: Option<(u32, usize)>,
    last_start: i64,
    sorted: bool,
    /// Searches of every source row that found nothing: a search costs a binary search
    /// per P, so once most runs are not the source's (a trace of syscalls that outlive
    /// their P, on many Ps) only the likely run is tried and the others are kept whole.
    misses: usize,
    /// The last cause lane and its rank: a thread's runs are mostly woken from one.
    last_rank: Option<(u64, usize)>,
}

/// Misses allowed before [`SharedBuilder`] stops searching, if they are over an eighth
/// of the runs.
const MISSES_ALLOWED: usize = 1024;

/// A span as the builder gets it: what must match the source's for it to be shared.
pub(super) struct Run<'n> {
    pub start: i64,
    pub end: i64,
    pub goroutine: i64,
    pub stacks: [u32; 2],
    /// Its cause, and the lane and name of its link.
    pub cause: Cause,
    pub cause_lane: u64,
    pub cause_name: Option<&'n str>,
}

impl SharedBuilder {
    pub(super) fn new(source: Arc<Timeline>) -> SharedBuilder {
        SharedBuilder {
            spans: SharedSpans {
                source,
                streaks: Vec::new(),
                own: LaneSpans::default(),
                ranks: I64Column::new(),
                cause_lanes: Vec::new(),
                links: Vec::new(),
                len: 0,
                busy: 0,
                hint: AtomicU32::new(0),
            },
            next: None,
            last_start: i64::MIN,
            sorted: true,
            misses: 0,
            last_rank: None,
        }
    }

    /// Whether run `k` of the source's row `row` is `r`, its cause's lane aside.
    fn matches(&self, row: u32, k: usize, r: &Run<'_>) -> bool {
        let src = &self.spans.source;
        let l = &src.lanes[row as usize];
        if k >= l.len()
            || l.start(k) != r.start
            || l.end(k) != r.end
            || l.goroutine(k) != r.goroutine
            || l.stacks(k) != r.stacks
        {
            return false;
        }
        match (l.cause(k), r.cause_name) {
            (None, None) => true,
            (Some(c), Some(name)) => {
                c.time == r.cause.time
                    && c.stack == r.cause.stack
                    && src
                        .cause_links
                        .get(c.link as usize)
                        .is_some_and(|(_, n)| n.as_str() == name)
            }
            _ => false,
        }
    }

    /// The source run that is `r`, if any: the one after the last matched, else any
    /// starting when `r` does.
    fn find(&mut self, r: &Run<'_>) -> Option<(u32, usize)> {
        if let Some((row, k)) = self.next
            && self.matches(row, k, r)
        {
            return Some((row, k));
        }
        if self.misses > MISSES_ALLOWED && self.misses * 8 > self.spans.len {
            return None;
        }
        let lanes = &self.spans.source.lanes;
        let found = (0..lanes.len() as u32).find_map(|row| {
            let l = &lanes[row as usize];
            let from = l.starts().partition_point(|s| s < r.start);
            (from..l.len())
                .take_while(|&k| l.start(k) == r.start)
                .find(|&k| self.matches(row, k, r))
                .map(|k| (row, k))
        });
        self.misses += usize::from(found.is_none());
        found
    }

    /// Appends a run.
    pub(super) fn push(&mut self, r: Run<'_>) {
        if r.start < self.last_start {
            self.sorted = false;
        }
        self.last_start = r.start;
        let found = if self.sorted { self.find(&r) } else { None };
        let s = &mut self.spans;
        let i = s.len;
        let continues = |row: u32, at: usize| {
            s.streaks
                .last()
                .is_some_and(|l| l.row == row && l.at + (i - l.first) == at)
        };
        match found {
            Some((row, k)) => {
                if !continues(row, k) {
                    s.streaks.push(Streak {
                        first: i,
                        row,
                        at: k,
                        busy_before: s.busy,
                    });
                }
                let source_link = s.source.lanes[row as usize].cause(k).map(|c| c.link);
                match source_link {
                    Some(l) if r.cause_name.is_some() => {
                        let rank = match self.last_rank {
                            Some((lane, rank)) if lane == r.cause_lane => rank,
                            _ => s.rank_of(r.cause_lane),
                        };
                        self.last_rank = Some((r.cause_lane, rank));
                        let n = s.source.cause_links.len();
                        s.links[rank * n + l as usize] = r.cause.link;
                        s.ranks.push(rank as i64);
                    }
                    _ => s.ranks.push(-1),
                }
                self.next = Some((row, k + 1));
            }
            None => {
                let at = s.own.len();
                if !continues(OWN, at) {
                    s.streaks.push(Streak {
                        first: i,
                        row: OWN,
                        at,
                        busy_before: s.busy,
                    });
                }
                s.own.push(r.start, r.end, r.goroutine, r.stacks, r.cause);
                s.ranks.push(-1);
                self.next = None;
            }
        }
        s.len += 1;
        s.busy += r.end - r.start;
    }

    /// The lane: shared, or a plain one when every run is its own or they came out of
    /// order (spans that overlap, which a lane of one thread never has).
    pub(super) fn finish(self) -> LaneSpans {
        let mut s = self.spans;
        s.own.seal();
        if !self.sorted || s.streaks.iter().all(|k| k.row == OWN) {
            if s.own.len() == s.len {
                return s.own;
            }
            // Out of order: copy every span into a lane of its own, which sorts them.
            let mut plain = LaneSpans::default();
            for i in 0..s.len {
                let (l, k) = s.locate(i);
                let cause = s.cause(i).unwrap_or(Cause::NONE);
                plain.push(l.start(k), l.end(k), l.goroutine(k), l.stacks(k), cause);
            }
            plain.seal();
            return plain;
        }
        s.ranks.seal();
        s.links.shrink_to_fit();
        s.streaks.shrink_to_fit();
        LaneSpans {
            shared: Some(Box::new(s)),
            ..LaneSpans::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::NO_STACK;
    use super::*;

    fn run(start: i64, goroutine: i64) -> Run<'static> {
        Run {
            start,
            end: start + 5,
            goroutine,
            stacks: [NO_STACK; 2],
            cause: Cause::NONE,
            cause_lane: 0,
            cause_name: None,
        }
    }

    /// Runs of the source are shared wherever they come, and a lane stops searching the
    /// source once most of its runs are not there: the runs are the same either way.
    #[test]
    fn runs_are_shared_until_most_are_not_the_sources() {
        let source_runs: Vec<(i64, i64, i64)> = (0..10).map(|i| (i * 10, i * 10 + 5, i)).collect();
        let source = Arc::new(Timeline {
            lanes: vec![LaneSpans::new(source_runs)],
            ..Timeline::default()
        });
        for misses in [10, 3_000] {
            let mut b = SharedBuilder::new(source.clone());
            let mut want = Vec::new();
            // Runs the source does not have (another goroutine), then one it has.
            for k in 0..misses {
                let r = run(-1_000_000 + 10 * k as i64, 99);
                want.push((r.start, r.end, r.goroutine));
                b.push(r);
            }
            for i in [3, 4, 7] {
                let r = run(i * 10, i);
                want.push((r.start, r.end, r.goroutine));
                b.push(r);
            }
            let lane = b.finish();
            let got: Vec<_> = (0..lane.len())
                .map(|i| (lane.start(i), lane.end(i), lane.goroutine(i)))
                .collect();
            assert_eq!(got, want, "{misses} misses");
            assert_eq!(
                lane.shares_runs(),
                misses < MISSES_ALLOWED,
                "{misses} misses"
            );
        }
    }
}
