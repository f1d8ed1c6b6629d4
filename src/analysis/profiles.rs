//! Blocking profiles: network, sync, syscall and scheduler latency, keyed by stack, as Go
//! 1.26's `go tool trace -pprof=TYPE` builds them (`cmd/trace/pprof.go`, with the fix of
//! golang/go#74850).
//!
//! Go runs these over the whole event list once the goroutine summaries are final: a
//! sample counts the overlap of its interval with the goroutine's `[StartTime, EndTime]`.
//! In one pass we get the same numbers from one observation: a sample that ends after the
//! goroutine first ran lies wholly inside that window, and one that ends before it lies
//! wholly outside — unless the goroutine never runs at all, when Go's window starts at 0
//! and takes the whole sample. So samples before a goroutine's first run are kept, and
//! dropped when it first runs. Go keeps only the last incarnation of a reused goroutine ID
//! (cgo callbacks), so after a re-creation the earlier samples count only if the new
//! incarnation never runs: they are kept, and dropped when it first runs.

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;

use super::Consumer;
use crate::trace::{Event, GoState, Kind, Resource};

/// The four profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProfileKind {
    /// Time blocked on the network (block reason "network").
    Net,
    /// Time blocked on channels, select, mutexes and condition variables.
    Sync,
    /// Time in system calls.
    Syscall,
    /// Time runnable, waiting for a P (scheduler latency).
    Sched,
}

impl ProfileKind {
    /// Every kind, in `go tool trace -pprof` order.
    pub const ALL: [ProfileKind; 4] = [
        ProfileKind::Net,
        ProfileKind::Sync,
        ProfileKind::Syscall,
        ProfileKind::Sched,
    ];

    /// The name `go tool trace -pprof=` takes.
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Net => "net",
            ProfileKind::Sync => "sync",
            ProfileKind::Syscall => "syscall",
            ProfileKind::Sched => "sched",
        }
    }

    /// The kind for a `-pprof=` name.
    pub fn from_name(s: &str) -> Option<ProfileKind> {
        ProfileKind::ALL.into_iter().find(|k| k.name() == s)
    }

    fn state(self) -> GoState {
        match self {
            ProfileKind::Net | ProfileKind::Sync => GoState::Waiting,
            ProfileKind::Syscall => GoState::Syscall,
            ProfileKind::Sched => GoState::Runnable,
        }
    }

    fn tracks(self, reason: &[u8]) -> bool {
        let has = |needle: &[u8]| reason.windows(needle.len()).any(|w| w == needle);
        match self {
            ProfileKind::Net => reason == b"network",
            ProfileKind::Sync => has(b"chan") || has(b"sync") || has(b"select"),
            ProfileKind::Syscall | ProfileKind::Sched => true,
        }
    }
}

/// A stack frame, owned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Program counter.
    pub pc: u64,
    /// Function.
    pub func: String,
    /// File.
    pub file: String,
    /// Line.
    pub line: u64,
}

/// Go keys profile records by the first 128 PCs of a stack.
const MAX_STACK: usize = 128;

/// Count and total delay of the samples of one stack (and one goroutine).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delay {
    /// Samples.
    pub count: u64,
    /// Total delay, ns.
    pub delay: i64,
}

/// A profile record: a stack and its samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Frames, innermost first (empty for samples whose event had no stack).
    pub stack: Vec<Frame>,
    /// Samples and delay.
    pub total: Delay,
}

/// Samples of one goroutine for one profile and one stack key, aggregated.
#[derive(Debug, Clone, Copy)]
struct Agg {
    kind: ProfileKind,
    key: u32,
    delay: Delay,
    /// The latest sample's end time and frames: Go reports, for stacks that share a key,
    /// the frames of the stack it saw last.
    last_end: i64,
    frames: u32,
}

/// One goroutine's samples.
#[derive(Debug, Default)]
struct GSamples {
    /// Whether the current incarnation of this goroutine ID has run.
    ran: bool,
    /// The samples Go counts as things stand. Once the current incarnation has run, those
    /// since it first ran (the earlier ones are outside Go's window and were dropped).
    /// Until then, the samples of earlier incarnations of a reused ID and those before
    /// the first run: Go counts them only if this incarnation never runs.
    samples: Vec<Agg>,
}

fn add_to(v: &mut Vec<Agg>, a: Agg) {
    match v.iter_mut().find(|x| x.kind == a.kind && x.key == a.key) {
        Some(x) => {
            x.delay.count += a.delay.count;
            x.delay.delay += a.delay.delay;
            if a.last_end >= x.last_end {
                x.last_end = a.last_end;
                x.frames = a.frames;
            }
        }
        // Most goroutines keep one or two records.
        None => super::push_compact(v, a),
    }
}

/// A sample in progress: start time, record key, frames.
type Open = (i64, u32, u32);

/// One sample as it happened, kept when profiles are to be scoped to time intervals
/// (regions) afterwards.
#[derive(Debug, Clone, Copy)]
struct RawSample {
    kind: ProfileKind,
    g: i64,
    start: i64,
    end: i64,
    key: u32,
    frames: u32,
}

/// The samples of all four profiles, by goroutine, so that they can be scoped to a
/// goroutine group afterwards.
#[derive(Debug, Default)]
pub struct Profiles {
    frames: Vec<Vec<Frame>>,
    /// Each goroutine's aggregated samples, by goroutine: one flat vector, where the
    /// builder's per-goroutine vectors cost an allocation each (a 200 MB trace has
    /// 441,200 goroutines).
    samples: Vec<(i64, Agg)>,
    raw: Option<Vec<RawSample>>,
}

impl Profiles {
    /// The records of one profile, for goroutines accepted by `keep` (all if `None`),
    /// merged by stack, largest delay first (ties by stack).
    pub fn records(&self, kind: ProfileKind, keep: Option<&dyn Fn(i64) -> bool>) -> Vec<Record> {
        let mut merged: FxHashMap<u32, Agg> = FxHashMap::default();
        for (g, a) in &self.samples {
            if a.kind != kind || keep.is_some_and(|k| !k(*g)) {
                continue;
            }
            {
                match merged.get_mut(&a.key) {
                    Some(m) => {
                        m.delay.count += a.delay.count;
                        m.delay.delay += a.delay.delay;
                        if a.last_end > m.last_end {
                            m.last_end = a.last_end;
                            m.frames = a.frames;
                        }
                    }
                    None => {
                        merged.insert(a.key, *a);
                    }
                }
            }
        }
        self.finish_records(merged)
    }
}

impl Profiles {
    /// The records of one profile with each sample counted only for its overlap with
    /// its goroutine's `intervals` (sorted, disjoint), as go tool trace scopes profiles to
    /// regions. Needs a builder made with [`ProfileBuilder::keeping_samples`].
    pub fn records_within(
        &self,
        kind: ProfileKind,
        intervals: &FxHashMap<i64, Vec<(i64, i64)>>,
    ) -> Vec<Record> {
        let mut merged: FxHashMap<u32, Agg> = FxHashMap::default();
        for s in self.raw.iter().flatten().filter(|s| s.kind == kind) {
            let Some(iv) = intervals.get(&s.g) else {
                continue;
            };
            let mut overlap = 0i64;
            for &(a, b) in iv {
                // Go's interval.overlap: touching intervals overlap by zero.
                if b < s.start || s.end < a {
                    continue;
                }
                overlap += b.min(s.end) - a.max(s.start);
            }
            if overlap <= 0 {
                continue;
            }
            let a = Agg {
                kind,
                key: s.key,
                delay: Delay {
                    count: 1,
                    delay: overlap,
                },
                last_end: s.end,
                frames: s.frames,
            };
            match merged.get_mut(&s.key) {
                Some(m) => {
                    m.delay.count += 1;
                    m.delay.delay += overlap;
                    if a.last_end >= m.last_end {
                        m.last_end = a.last_end;
                        m.frames = a.frames;
                    }
                }
                None => {
                    merged.insert(s.key, a);
                }
            }
        }
        self.finish_records(merged)
    }
}

impl Profiles {
    /// Turns merged samples into records, largest delay first (ties by count, then stack).
    fn finish_records(&self, merged: FxHashMap<u32, Agg>) -> Vec<Record> {
        let mut out: Vec<Record> = merged
            .into_values()
            .map(|a| Record {
                stack: self.frames[a.frames as usize].clone(),
                total: a.delay,
            })
            .collect();
        out.sort_by(|a, b| {
            b.total
                .delay
                .cmp(&a.total.delay)
                .then_with(|| b.total.count.cmp(&a.total.count))
                .then_with(|| frame_key(&a.stack).cmp(&frame_key(&b.stack)))
        });
        out
    }
}

fn frame_key(s: &[Frame]) -> Vec<(u64, &str)> {
    s.iter().map(|f| (f.pc, f.func.as_str())).collect()
}

/// The first `max` frames of `stack`, owned, innermost first (none without a stack).
pub fn owned_frames(stack: Option<crate::trace::event::Stack<'_, '_>>, max: usize) -> Vec<Frame> {
    stack.map_or_else(Vec::new, |s| {
        s.frames()
            .take(max)
            .map(|f| Frame {
                pc: f.pc,
                func: String::from_utf8_lossy(f.func).into_owned(),
                file: String::from_utf8_lossy(f.file).into_owned(),
                line: f.line,
            })
            .collect()
    })
}

/// Builds [`Profiles`] in one pass over the ordered events.
#[derive(Default)]
pub struct ProfileBuilder {
    out: Profiles,
    /// Each goroutine's samples so far ([`Profiles::samples`] once finished).
    per_g: super::ById<GSamples>,
    /// Go's record key: the first 128 PCs, zero-padded (so trailing zero PCs vanish).
    keys: FxHashMap<Vec<u64>, u32>,
    /// Distinct frame lists.
    frame_ids: FxHashMap<Vec<Frame>, u32>,
    /// This generation's stack IDs, resolved to (key, frames): an index into
    /// `gen_stacks`. Stack IDs count up from 1 in each generation, so this is an array
    /// lookup where a hash probe was, for each of the tens of millions of samples begun.
    gen_cache: super::IdIndex,
    gen_stacks: Vec<(u32, u32)>,
    /// Goroutine → per profile kind, (start time, key, frames) of the sample in progress.
    tracking: FxHashMap<i64, [Option<Open>; 4]>,
}

impl ProfileBuilder {
    /// An empty builder.
    pub fn new() -> ProfileBuilder {
        ProfileBuilder::default()
    }

    /// An empty builder that also keeps every sample, for scoping to regions (costs
    /// memory proportional to the number of samples).
    pub fn keeping_samples() -> ProfileBuilder {
        let mut b = ProfileBuilder::default();
        b.out.raw = Some(Vec::new());
        b
    }

    fn stack_of(&mut self, ev: &Event<'_>) -> (u32, u32) {
        // Stack IDs past i64::MAX turn negative, which the index keeps apart.
        let id = ev.stack().map_or(0, |s| s.id()) as i64;
        if let Some(i) = self.gen_cache.get(id) {
            return self.gen_stacks[i as usize];
        }
        let frames = owned_frames(ev.stack(), MAX_STACK);
        let mut pcs: Vec<u64> = frames.iter().map(|f| f.pc).collect();
        while pcs.last() == Some(&0) {
            pcs.pop();
        }
        let next_key = self.keys.len() as u32;
        let key = *self.keys.entry(pcs).or_insert(next_key);
        let next_frames = self.out.frames.len() as u32;
        let fid = *self.frame_ids.entry(frames.clone()).or_insert(next_frames);
        if fid == next_frames {
            self.out.frames.push(frames);
        }
        self.gen_cache.insert(id, self.gen_stacks.len() as u32);
        self.gen_stacks.push((key, fid));
        (key, fid)
    }

    /// Goroutine `id`'s samples in progress, `open`, after its transition `ev` to `new`
    /// (blocked for `reason`): those of other states end, one of the new state begins.
    fn advance(
        &mut self,
        open: &mut [Option<Open>; 4],
        ev: &Event<'_>,
        id: i64,
        new: GoState,
        reason: &[u8],
    ) {
        for kind in ProfileKind::ALL {
            let k = kind as usize;
            match open[k] {
                None => {
                    if new == kind.state() && kind.tracks(reason) {
                        let (key, frames) = self.stack_of(ev);
                        open[k] = Some((ev.time(), key, frames));
                    }
                }
                Some(_) if new == kind.state() => {}
                Some((start, key, frames)) => {
                    open[k] = None;
                    self.sample(kind, id, start, ev.time(), key, frames);
                }
            }
        }
    }

    /// Records the sample of `kind` that goroutine `g` ended at `end`.
    fn sample(&mut self, kind: ProfileKind, g: i64, start: i64, end: i64, key: u32, frames: u32) {
        if let Some(raw) = self.out.raw.as_mut() {
            raw.push(RawSample {
                kind,
                g,
                start,
                end,
                key,
                frames,
            });
        }
        let ns = end.wrapping_sub(start);
        if ns <= 0 {
            return;
        }
        let a = Agg {
            kind,
            key,
            delay: Delay {
                count: 1,
                delay: ns,
            },
            last_end: end,
            frames,
        };
        add_to(&mut self.per_g.entry_or_default(g).samples, a);
    }

    /// Finishes.
    pub fn finish(mut self) -> Profiles {
        let n = self.per_g.iter().map(|(_, gs)| gs.samples.len()).sum();
        let mut samples = Vec::with_capacity(n);
        for (g, gs) in self.per_g.iter() {
            samples.extend(gs.samples.iter().map(|&a| (g, a)));
        }
        self.out.samples = samples;
        self.out
    }
}

impl Consumer for ProfileBuilder {
    fn event(&mut self, ev: &Event<'_>) {
        match ev.kind() {
            Kind::Sync => {
                self.gen_cache = super::IdIndex::default();
                self.gen_stacks.clear();
            }
            Kind::StateTransition => {
                let Some(st) = ev.state_transition() else {
                    return;
                };
                let Resource::Goroutine(id) = st.resource else {
                    return;
                };
                let Some((old, new)) = st.goroutine() else {
                    return;
                };
                if old == GoState::NotExist && new != GoState::NotExist {
                    // A (re)created goroutine: Go keeps only the last incarnation's
                    // summary, so earlier samples count only if this one never runs.
                    self.per_g.entry_or_default(id).ran = false;
                }
                // One probe per transition for the samples in progress of every kind (a
                // map per kind cost four probes, a removal and a reinsertion two: the top
                // of this consumer's profile). The map is set aside meanwhile, so that the
                // entry can stay open while the samples are recorded.
                let mut tracking = std::mem::take(&mut self.tracking);
                match tracking.entry(id) {
                    Entry::Occupied(mut e) => {
                        self.advance(e.get_mut(), ev, id, new, st.reason);
                        if e.get().iter().all(Option::is_none) {
                            e.remove();
                        }
                    }
                    Entry::Vacant(e) => {
                        let mut open = [None; 4];
                        self.advance(&mut open, ev, id, new, st.reason);
                        if open.iter().any(Option::is_some) {
                            e.insert(open);
                        }
                    }
                }
                self.tracking = tracking;
                if new == GoState::Running {
                    let gs = self.per_g.entry_or_default(id);
                    if !gs.ran {
                        // It runs: what this ID waited for before is outside Go's window.
                        gs.ran = true;
                        gs.samples = Vec::new();
                    }
                }
            }
            _ => {}
        }
    }
}
