//! The timeline go tool trace draws in its per-P, per-thread and per-goroutine views: a
//! port of `cmd/trace`'s generators (`procgen.go`, `threadgen.go`, `goroutinegen.go`,
//! `gstate.go`, the range generators of `gen.go`) and of the trace viewer emitter's
//! filters. It yields the execution slices of goroutines on Ps, threads or their own
//! lanes (with their start and end stacks), the ranges drawn on those lanes (syscalls,
//! mark assists, stop-the-world, sweeps), the GC lane, the flow arrows that link a
//! goroutine's start to its cause ("go", "unblock (reason)", "exit blocked syscall"), the
//! instants, and the Goroutines, Heap and Threads counters.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::Consumer;
use super::column::I64Column;
use super::packed::{Cursor, put_i64};

mod arrows;
mod logs;
mod shared;

pub use arrows::ArrowIndex;
pub use logs::{Log, Logs};

use crate::trace::event::{Range, Stack};
use crate::trace::{Event, GoState, Kind, ProcState, Resource};
pub use shared::Col;

/// Lane of the GC ranges (`traceviewer.GCP`).
pub const GC_LANE: u64 = 1_000_004;
/// Lane of network unblocks (`traceviewer.NetpollP`).
pub const NETPOLL_LANE: u64 = 1_000_002;
/// Lane of syscall exits (`traceviewer.SyscallP`).
pub const SYSCALL_LANE: u64 = 1_000_003;

/// A stack frame, rendered as the trace viewer lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Function.
    pub func: String,
    /// File.
    pub file: String,
    /// Line.
    pub line: u64,
}

impl Frame {
    /// The frames of `stack`, owned, innermost first (none without a stack).
    pub fn of_stack(stack: Option<Stack<'_, '_>>) -> Vec<Frame> {
        stack.map_or_else(Vec::new, |s| {
            s.frames()
                .map(|f| Frame {
                    func: String::from_utf8_lossy(f.func).into_owned(),
                    file: String::from_utf8_lossy(f.file).into_owned(),
                    line: f.line,
                })
                .collect()
        })
    }
}

/// `func file:line`, as the headless reports print a frame.
impl std::fmt::Display for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}:{}", self.func, self.file, self.line)
    }
}

/// What a slice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SliceKind {
    /// A goroutine executing.
    Goroutine(i64),
    /// A range (syscall, GC work) on the lane.
    Range,
}

/// A drawn slice: on a lane (a P, or [`GC_LANE`]), from `start` for `dur` ns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    /// The lane.
    pub lane: u64,
    /// What go tool trace names it ("G12 main.worker", "syscall", "GC mark assist", …);
    /// shared by the slices of a goroutine.
    pub name: Name,
    /// Goroutine or range.
    pub kind: SliceKind,
    /// Start (absolute ns).
    pub start: i64,
    /// Duration (ns).
    pub dur: i64,
    /// Stack at the start (index into [`Timeline::stacks`]); for goroutine slices, where
    /// it last stopped.
    pub start_stack: Option<u32>,
    /// Stack at the end: where it stopped or blocked.
    pub end_stack: Option<u32>,
    /// For syscall slices: whether the syscall blocked (lost its P).
    pub blocked: Option<bool>,
}

pub use super::Name;

/// A flow arrow: the cause of a goroutine starting to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrow {
    /// "go", "unblock", "unblock (REASON)", "exit blocked syscall" (shared).
    pub name: Name,
    /// Lane and time of the cause.
    pub from_lane: u64,
    /// Time of the cause.
    pub from_time: i64,
    /// Lane where the goroutine started.
    pub to_lane: u64,
    /// When it started.
    pub to_time: i64,
    /// The cause's stack.
    pub stack: Option<u32>,
    /// The goroutine that started.
    pub goroutine: i64,
}

/// A point event on a lane: "proc start", "proc stop", "CPU profile sample", a user
/// log ("[category] message"), a network unblock or the exit of a blocked syscall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instant {
    /// The lane (a P or thread, [`NETPOLL_LANE`] or [`SYSCALL_LANE`]).
    pub lane: u64,
    /// What go tool trace names it (shared).
    pub name: Name,
    /// When (absolute ns).
    pub time: i64,
    /// Its stack.
    pub stack: Option<u32>,
    /// For "proc start" and "proc stop": the P and the thread (Go's `SchedCtxArg`).
    pub sched: Option<(u64, u64)>,
}

/// The timeline of a trace.
#[derive(Debug, Default)]
pub struct Timeline {
    /// Slices, in the order Go emits them.
    pub slices: Vec<Slice>,
    /// Flow arrows, in the order Go emits them. Empty in compact mode, where each arrow
    /// is kept with the span it starts ([`LaneSpans::cause`]; all of them:
    /// [`Timeline::compact_arrows`]).
    pub arrows: Vec<Arrow>,
    /// Instant events, in the order Go emits them. Empty in compact mode, which keeps
    /// only the user logs, in [`Timeline::logs`].
    pub instants: Vec<Instant>,
    /// In compact mode, the user logs, packed (the explorer's search reads them).
    pub logs: Logs,
    /// Distinct stacks, innermost frame first.
    pub stacks: Vec<Vec<Frame>>,
    /// Go's "Goroutines" counter: (time, GC waiting, runnable, running) at each change.
    /// Empty in compact mode, which keeps [`Timeline::goroutine_track`] instead.
    pub goroutine_counts: Vec<(i64, [i64; 3])>,
    /// In compact mode, the Goroutines counter as the explorer draws it (runnable +
    /// running), at most one row per microsecond: 8 bytes a row, where the full counter
    /// takes 32 and has millions of rows on big traces.
    pub goroutine_track: Track,
    /// Go's "Heap" counter: (time, allocated, goal minus allocated) at each change.
    /// Empty in compact mode, which keeps [`Timeline::heap_track`] instead.
    pub heap: Vec<(i64, [u64; 2])>,
    /// In compact mode, the Heap counter as the explorer draws it: the bytes allocated,
    /// a row where they change (the goal counts only towards the track's scale,
    /// [`Timeline::counter_peaks`]).
    pub heap_track: Track,
    /// Go's "Threads" counter: (time, in syscall, running) at each change.
    pub thread_counts: Vec<(i64, [i64; 2])>,
    /// Highest P seen.
    pub max_proc: i64,
    /// In the thread view, the threads seen (its lanes), ascending.
    pub threads: Vec<i64>,
    /// In the goroutine layout, (unblocker, unblocked) for every unblock done by a
    /// goroutine, in trace order.
    pub unblock_edges: Vec<(i64, i64)>,
    /// In compact mode ([`TimelineBuilder::compact`]), the goroutine slices of each lane
    /// that ran goroutines (P or thread), instead of [`Timeline::slices`].
    pub lanes: Vec<LaneSpans>,
    /// The lane (P or thread ID) of each of [`Timeline::lanes`], ascending.
    pub lane_ids: Vec<u64>,
    /// In compact mode, the ranges drawn inside goroutine slices on the Ps (syscalls,
    /// sweeping, mark assists: a million on a 200 MB trace) as (start, end) per lane,
    /// sorted by lane: what a slice's self time subtracts
    /// ([`Timeline::time_in_ranges`]). The stop-the-world ranges, and those of the GC
    /// lane, stay in [`Timeline::slices`].
    pub lane_ranges: Vec<(u64, LaneRanges)>,
    /// In compact mode, the arrows indexed both ways.
    pub arrow_index: ArrowIndex,
    /// In compact mode, the lane and name of each kind of cause ([`Cause::link`]): few
    /// distinct pairs, so a span's cause names them by number.
    pub cause_links: Vec<(u64, Name)>,
    /// In compact mode, the largest value of each counter over the trace (the full
    /// scale of a drawn track): heap allocated + headroom (the goal), runnable + running
    /// goroutines, threads.
    pub counter_peaks: [u64; 3],
    /// The stacks of the task and region begin and end events, by event time
    /// (ascending), for the task views ([`super::task_view`]).
    pub user_stacks: UserStacks,
    /// First and last event times.
    pub start_time: i64,
    /// Last event time.
    pub end_time: i64,
}

#[derive(Debug, Clone, Copy, Default)]
struct ActiveRange {
    time: i64,
    stack: Option<u32>,
}

#[derive(Debug, Clone)]
struct CompletedRange {
    name: String,
    start: i64,
    end: i64,
    start_stack: Option<u32>,
    end_stack: Option<u32>,
    blocked: Option<bool>,
}

#[derive(Debug, Clone, Default)]
struct StartCause {
    time: i64,
    name: Option<Name>,
    lane: u64,
    stack: Option<u32>,
}

/// Go's `gState[ProcID]`.
#[derive(Debug, Clone, Default)]
struct GState {
    id: i64,
    base_name: String,
    named: bool,
    label: String,
    executing: Option<i64>,
    last_stop_stack: Option<u32>,
    active_ranges: Vec<(String, ActiveRange)>,
    completed: Vec<CompletedRange>,
    start_running: i64,
    syscall: Option<(i64, Option<u32>)>,
    /// Why it blocked: the name of the arrow its unblock draws, and whether it waits
    /// on the network (its unblock then comes from the netpoller).
    start_block: Option<(Name, bool)>,
    start_cause: StartCause,
    /// In compact mode, the cause of the current run: kept until the run's span is
    /// stored, which carries it.
    run_cause: Option<StartCause>,
    /// `name()`, kept until the name or label changes.
    cached_name: Option<Name>,
}

/// What a dead goroutine passes on to a goroutine that reuses its ID.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tombstone {
    /// Its start function, when its name has one.
    func: Option<Name>,
    label: Box<str>,
    last_stop_stack: Option<u32>,
}

/// The [`Tombstone`]s of dead goroutines, 12 bytes each in an array found by ID
/// ([`super::IdIndex`]): a server makes hundreds of thousands of goroutines and nearly all
/// leave a name, and a hash map of whole tombstones took 21 MB on the 200 MB benchmark
/// trace, in both timelines' builds.
#[derive(Debug, Default)]
struct Graveyard {
    index: super::IdIndex,
    /// (function + 1 or 0, label + 1 or 0, last stop stack or [`NO_STACK`]).
    graves: Vec<[u32; 3]>,
    funcs: Vec<Name>,
    func_ids: FxHashMap<usize, u32>,
    labels: Vec<Box<str>>,
}

impl Graveyard {
    fn bury(&mut self, id: i64, t: Tombstone) {
        let func = t.func.map_or(0, |f| {
            let funcs = &mut self.funcs;
            *self
                .func_ids
                .entry(Arc::as_ptr(&f) as usize)
                .or_insert_with(|| {
                    funcs.push(f.clone());
                    funcs.len() as u32
                })
        });
        let label = if t.label.is_empty() {
            0
        } else {
            self.labels.push(t.label);
            self.labels.len() as u32
        };
        let grave = [func, label, t.last_stop_stack.unwrap_or(NO_STACK)];
        self.index.insert(id, self.graves.len() as u32);
        self.graves.push(grave);
    }

    /// The tombstone of `id`, taken out (a goroutine is revived once per death).
    fn revive(&mut self, id: i64) -> Option<Tombstone> {
        let at = self.index.remove(id)?;
        let [func, label, stack] = self.graves[at as usize];
        let label = match label {
            0 => Box::default(),
            l => std::mem::take(&mut self.labels[l as usize - 1]),
        };
        Some(Tombstone {
            func: func.checked_sub(1).map(|f| self.funcs[f as usize].clone()),
            label,
            last_stop_stack: (stack != NO_STACK).then_some(stack),
        })
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

impl GState {
    /// Whether nothing of the goroutine is left to draw but its name, label and last
    /// stack: what a [`Tombstone`] keeps.
    fn spent(&self) -> bool {
        self.executing.is_none()
            && self.syscall.is_none()
            && self.completed.is_empty()
            && self.active_ranges.is_empty()
            && self.start_block.is_none()
            && self.start_cause.name.is_none()
            && self.run_cause.is_none()
    }

    fn new(id: i64) -> GState {
        GState {
            id,
            base_name: format!("G{id}"),
            ..GState::default()
        }
    }

    fn name(&mut self) -> Name {
        self.cached_name
            .get_or_insert_with(|| {
                if self.label.is_empty() {
                    Arc::new(self.base_name.clone())
                } else {
                    Arc::from(format!("{} ({})", self.base_name, self.label))
                }
            })
            .clone()
    }

    fn range(&mut self, name: &str) -> Option<&mut ActiveRange> {
        self.active_ranges
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r)
    }

    fn set_range(&mut self, name: &str, r: ActiveRange) {
        match self.range(name) {
            Some(x) => *x = r,
            None => self.active_ranges.push((name.to_string(), r)),
        }
    }
}

/// Builds the [`Timeline`] in one pass (Go's proc generator).
#[derive(Debug, Default)]
pub struct TimelineBuilder {
    out: Timeline,
    gs: FxHashMap<i64, GState>,
    /// What dead goroutines leave behind, in a fraction of a [`GState`]'s memory.
    dead: Graveyard,
    in_syscall: FxHashMap<i64, i64>,
    stack_ids: FxHashMap<Vec<Frame>, u32>,
    global_ranges: Vec<(String, ActiveRange)>,
    proc_ranges: Vec<((String, i64), ActiveRange)>,
    seen_sync: u32,
    started: bool,
    /// This generation's stack IDs, resolved (cleared at each generation).
    stack_cache: FxHashMap<u64, Option<u32>>,
    /// Arrow and instant names, shared.
    shared_names: FxHashMap<String, Name>,
    /// Unblock arrow names by block reason.
    unblock_names: FxHashMap<Box<[u8]>, (Name, bool)>,
    /// Goroutines per viewer state (dead, runnable, running, waiting, waiting for GC).
    gstates: [i64; 5],
    heap_stats: [u64; 2],
    prev_heap: [u64; 2],
    /// In compact mode, the top of the Heap counter so far (its rows are not kept).
    heap_peak: u64,
    threads_running: i64,
    /// What the lanes are.
    layout: Layout,
    /// Keep no slices and no Goroutines counter (the two big series): enough for the
    /// causal links, at a fraction of the memory.
    links_only: bool,
    /// Only the trace's ends and the task events' stacks ([`TimelineBuilder::tasks_only`]).
    tasks_only: bool,
    /// A second view of the trace ([`TimelineBuilder::second_view`]).
    second: bool,
    /// Goroutine layout: (unblocker, unblocked) for every unblock by a goroutine.
    unblock_edges: Vec<(i64, i64)>,
    /// Threads seen, for the thread view's lanes.
    threads: std::collections::BTreeSet<i64>,
    /// Compact mode: goroutine slices go to per-lane span arrays, not to `out.slices`;
    /// lanes are found through a map because their IDs come from the trace.
    compact: Option<CompactLanes>,
    /// Compact mode: where each lane's ranges are in `out.lane_ranges` while building.
    lane_range_index: FxHashMap<u64, usize>,
    /// Compact mode: the last row of the Goroutines track, not yet stored, as rows
    /// closer than [`COMPACT_COUNTER_STEP`] to it replace its value.
    goroutine_row: Option<(i64, i64)>,
    /// Compact mode: the number of each (lane, name) of a cause in
    /// [`Timeline::cause_links`], by the name's address (names are shared).
    cause_link_ids: FxHashMap<(u64, usize), u32>,
    /// Compact mode: the timeline whose spans this one's lanes repeat, kept once
    /// ([`TimelineBuilder::sharing_spans_of`]).
    share: Option<Arc<Timeline>>,
}

/// The Goroutines counter's runnable + running goroutines (a row's value as drawn).
pub fn runnable_running(v: [i64; 3]) -> u64 {
    (v[1] + v[2]).max(0) as u64
}

/// The Threads counter's threads, in syscalls and running (a row's value as drawn).
pub fn threads(v: [i64; 2]) -> u64 {
    (v[0] + v[1]).max(0) as u64
}

/// Compact mode's lanes while building: where each lane ID's spans are, and the spans.
type CompactLanes = (FxHashMap<u64, usize>, Vec<(u64, LaneBuild)>);

/// A compact lane while building: its own spans, or mostly another timeline's. There is
/// one per P or thread, so the variants' sizes do not matter.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
enum LaneBuild {
    Plain(LaneSpans),
    Shared(shared::SharedBuilder),
}

/// "No stack" in [`LaneSpans::stacks`].
pub const NO_STACK: u32 = u32::MAX;

/// Goroutine-counter rows closer than this to the previous row replace it in compact
/// mode: the counter then has at most one row per microsecond instead of one per
/// goroutine state change, which a terminal cell never resolves anyway.
const COMPACT_COUNTER_STEP: i64 = 1_000;

/// What a timeline's lanes are: go tool trace's three layouts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Layout {
    /// One lane per P (`view=proc`).
    #[default]
    Proc,
    /// One lane per OS thread (`view=thread`).
    Thread,
    /// One lane per goroutine (`goid=N`).
    Goroutine,
}

/// The trace viewer's goroutine state (Go's `viewerGState`): dead, runnable, running,
/// waiting, waiting for GC.
fn viewer_state(s: GoState, in_mark_assist: bool) -> usize {
    match s {
        GoState::Runnable => 1,
        GoState::Running | GoState::Syscall => 2,
        GoState::Waiting if in_mark_assist => 4,
        GoState::Waiting => 3,
        _ => 0,
    }
}

impl TimelineBuilder {
    /// An empty builder.
    pub fn new() -> TimelineBuilder {
        TimelineBuilder::default()
    }

    /// A builder for go tool trace's thread view (`view=thread`): goroutines on the
    /// OS threads that ran them, syscalls staying on their thread after the P is gone,
    /// no P-scoped ranges.
    pub fn by_thread() -> TimelineBuilder {
        TimelineBuilder {
            layout: Layout::Thread,
            ..TimelineBuilder::default()
        }
    }

    /// A builder for go tool trace's goroutine view (`goid=N`): one lane per goroutine,
    /// arrows from the goroutine that caused a start. [`Timeline::goroutine_view`] then
    /// cuts out what the page for one goroutine shows.
    pub fn by_goroutine() -> TimelineBuilder {
        TimelineBuilder {
            layout: Layout::Goroutine,
            ..TimelineBuilder::default()
        }
    }

    /// Keeps no slices and no Goroutines counter (the two big series), only the arrows,
    /// instants and small counters [`Flows`](super::flows::Flows) and similar readers need.
    pub fn links_only(mut self) -> TimelineBuilder {
        self.links_only = true;
        self
    }

    /// For a second view of a trace beside its proc timeline (the explorer's thread
    /// rows): keeps none of what would repeat the proc timeline's or is read from it only
    /// (the Goroutines, Heap and Threads counters, the stacks of the task and region
    /// events, the instants: proc starts and stops, logs, CPU samples).
    pub fn second_view(mut self) -> TimelineBuilder {
        self.second = true;
        self
    }

    /// Keeps only what the task-focused view needs besides the summary: the trace's ends
    /// and the stacks of task and region events ([`Timeline::user_stacks`],
    /// [`Timeline::stacks`]).
    pub fn tasks_only(mut self) -> TimelineBuilder {
        self.tasks_only = true;
        self
    }

    /// Compact mode, for the explorer: goroutine slices are kept only as per-lane
    /// [`LaneSpans`] ([`Timeline::lanes`]), a fraction of the memory of [`Slice`]s; ranges,
    /// arrows and counters stay (the Goroutines counter thinned to one row per
    /// microsecond); of the instants, only the user logs, packed ([`Timeline::logs`]). In
    /// the proc layout it also keeps the arrows of unblocks done on P0, which go tool
    /// trace drops (its zero-value check): causality is followed everywhere.
    pub fn compact(mut self) -> TimelineBuilder {
        self.compact = Some(Default::default());
        self
    }

    /// In compact mode, keeps the goroutine runs that are also `source`'s (same start,
    /// end, goroutine, stacks and cause, but for the cause's lane) as references to them:
    /// the explorer's thread rows repeat its proc rows' runs, each on the thread that
    /// ran it, and this keeps them once (see `timeline/shared.rs`). Stacks are numbered
    /// as in `source`.
    pub fn sharing_spans_of(mut self, source: Arc<Timeline>) -> TimelineBuilder {
        self.out.stacks = source.stacks.clone();
        self.stack_ids = (0u32..)
            .zip(&source.stacks)
            .map(|(i, frames)| (frames.clone(), i))
            .collect();
        self.share = Some(source);
        self
    }

    /// The arrow name of an unblock after blocking for `reason` ("unblock (REASON)", or
    /// "unblock" without one), and whether the reason is network I/O; cached by the
    /// reason's bytes, as every block would otherwise format a string.
    fn unblock_name(&mut self, reason: &[u8]) -> (Name, bool) {
        if let Some(v) = self.unblock_names.get(reason) {
            return v.clone();
        }
        let text = String::from_utf8_lossy(reason);
        let v = if text.is_empty() {
            (self.shared_name("unblock"), false)
        } else {
            (
                self.shared_name(&format!("unblock ({text})")),
                text.contains("network"),
            )
        };
        self.unblock_names.insert(reason.into(), v.clone());
        v
    }

    fn shared_name(&mut self, name: &str) -> Name {
        if let Some(n) = self.shared_names.get(name) {
            return n.clone();
        }
        let n: Name = Arc::new(name.to_string());
        self.shared_names.insert(name.to_string(), n.clone());
        n
    }

    fn stack(&mut self, s: Option<Stack<'_, '_>>) -> Option<u32> {
        let s = s?;
        if let Some(&id) = self.stack_cache.get(&s.id()) {
            return id;
        }
        let id = self.intern_stack(s);
        self.stack_cache.insert(s.id(), id);
        id
    }

    fn intern_stack(&mut self, s: Stack<'_, '_>) -> Option<u32> {
        let frames = Frame::of_stack(Some(s));
        if frames.is_empty() {
            return None;
        }
        let next = self.out.stacks.len() as u32;
        let id = *self.stack_ids.entry(frames.clone()).or_insert(next);
        if id == next {
            self.out.stacks.push(frames);
        }
        Some(id)
    }

    /// Whether instants are kept: not in a second view, nor in compact mode (which
    /// keeps the logs apart).
    fn keeps_instants(&self) -> bool {
        !self.second && self.compact.is_none()
    }

    fn instant(&mut self, lane: u64, name: &str, time: i64, stack: Option<u32>) {
        if !self.keeps_instants() {
            return;
        }
        let name = self.shared_name(name);
        self.out.instants.push(Instant {
            lane,
            name,
            time,
            stack,
            sched: None,
        });
    }

    /// CPU samples and user logs go on the lane of the P (or thread) they happened on;
    /// Go drops them when there is none.
    fn point_event(&mut self, ev: &Event<'_>) {
        let lane = match self.layout {
            Layout::Proc => ev.proc(),
            Layout::Thread => ev.thread(),
            Layout::Goroutine => ev.goroutine(),
        };
        if lane == -1 {
            return;
        }
        if !self.keeps_instants() {
            // Stacks are numbered as they are met: the compact timeline's table stays
            // the full view's, a second view's the first's.
            self.stack(ev.stack());
            if self.second {
                return;
            }
            if let Some(log) = ev.log() {
                let lossy = String::from_utf8_lossy;
                self.out.logs.push(
                    lane as u64,
                    ev.time(),
                    &lossy(log.category),
                    &lossy(log.message),
                );
            }
            return;
        }
        let name = match ev.kind() {
            Kind::StackSample => "CPU profile sample".to_string(),
            _ => {
                let Some(log) = ev.log() else { return };
                let msg = String::from_utf8_lossy(log.message);
                if log.category.is_empty() {
                    msg.into_owned()
                } else {
                    format!("[{}] {msg}", String::from_utf8_lossy(log.category))
                }
            }
        };
        let stack = self.stack(ev.stack());
        self.instant(lane as u64, &name, ev.time(), stack);
    }

    fn slice(&mut self, s: Slice) {
        self.slice_caused(s, None);
    }

    /// Stores a slice; in compact mode a goroutine's slice goes to its lane's spans,
    /// with the cause of the run it draws.
    fn slice_caused(&mut self, s: Slice, cause: Option<StartCause>) {
        if self.links_only {
            return;
        }
        let cause = match cause {
            // Only compact mode keeps a run's cause.
            Some(StartCause {
                time,
                name: Some(name),
                lane,
                stack,
            }) => Cause {
                time,
                stack: stack.unwrap_or(NO_STACK),
                link: self.cause_link(lane, name),
            },
            _ => Cause::NONE,
        };
        let mut s = s;
        if s.kind == SliceKind::Range {
            // One shared name for all the ranges of a kind: there are millions of
            // ranges and a handful of names.
            s.name = self.shared_name(&s.name);
        }
        match (&mut self.compact, s.kind) {
            (Some(_), SliceKind::Range)
                if s.lane < GC_LANE.min(NETPOLL_LANE).min(SYSCALL_LANE)
                    && !s.name.starts_with("stop-the-world") =>
            {
                let ranges = &mut self.out.lane_ranges;
                let i = *self.lane_range_index.entry(s.lane).or_insert_with(|| {
                    ranges.push((s.lane, LaneRanges::default()));
                    ranges.len() - 1
                });
                ranges[i].1.push(s.start, s.start + s.dur);
            }
            (Some((index, lanes)), SliceKind::Goroutine(g)) => {
                let share = &self.share;
                let i = *index.entry(s.lane).or_insert_with(|| {
                    let lane = match share {
                        Some(source) => {
                            LaneBuild::Shared(shared::SharedBuilder::new(source.clone()))
                        }
                        None => LaneBuild::Plain(LaneSpans::default()),
                    };
                    lanes.push((s.lane, lane));
                    lanes.len() - 1
                });
                let stack = |x: Option<u32>| x.unwrap_or(NO_STACK);
                let stacks = [stack(s.start_stack), stack(s.end_stack)];
                let (start, end) = (s.start, s.start + s.dur);
                match &mut lanes[i].1 {
                    LaneBuild::Plain(l) => l.push(start, end, g, stacks, cause),
                    LaneBuild::Shared(b) => {
                        let link = self.out.cause_links.get(cause.link as usize);
                        b.push(shared::Run {
                            start,
                            end,
                            goroutine: g,
                            stacks,
                            cause,
                            cause_lane: link.map_or(0, |l| l.0),
                            cause_name: link.map(|l| l.1.as_str()),
                        });
                    }
                }
            }
            _ => self.out.slices.push(s),
        }
    }

    /// The number of a cause's lane and name in [`Timeline::cause_links`].
    fn cause_link(&mut self, lane: u64, name: Name) -> u32 {
        let links = &mut self.out.cause_links;
        *self
            .cause_link_ids
            .entry((lane, Arc::as_ptr(&name) as usize))
            .or_insert_with(|| {
                links.push((lane, name));
                (links.len() - 1) as u32
            })
    }

    /// Go's `gState.stop`: emits the goroutine's slice and its completed ranges.
    fn stop(&mut self, g: i64, ts: i64, stack: Option<u32>) {
        let Some(gs) = self.gs.get_mut(&g) else {
            return;
        };
        let Some(lane) = gs.executing else { return };
        let lane = lane as u64;
        let mut out = vec![Slice {
            lane,
            name: gs.name(),
            kind: SliceKind::Goroutine(gs.id),
            start: gs.start_running,
            dur: ts - gs.start_running,
            start_stack: gs.last_stop_stack,
            end_stack: stack,
            blocked: None,
        }];
        for cr in gs.completed.drain(..) {
            out.push(Slice {
                lane,
                name: cr.name.into(),
                kind: SliceKind::Range,
                start: cr.start,
                dur: cr.end - cr.start,
                start_stack: cr.start_stack,
                end_stack: cr.end_stack,
                blocked: cr.blocked,
            });
        }
        for (name, r) in &mut gs.active_ranges {
            out.push(Slice {
                lane,
                name: Arc::new(name.clone()),
                kind: SliceKind::Range,
                start: r.time,
                dur: ts - r.time,
                start_stack: r.stack,
                end_stack: None,
                blocked: None,
            });
            *r = ActiveRange::default();
        }
        gs.start_running = 0;
        gs.last_stop_stack = stack;
        gs.executing = None;
        let mut cause = gs.run_cause.take();
        for s in out {
            // The first is the goroutine's slice: the run the cause started.
            self.slice_caused(s, cause.take());
        }
    }

    fn syscall_end(&mut self, g: i64, ts: i64, blocked: bool) {
        let Some(gs) = self.gs.get_mut(&g) else {
            return;
        };
        if let Some((start, stack)) = gs.syscall.take() {
            gs.completed.push(CompletedRange {
                name: "syscall".into(),
                start,
                end: ts,
                start_stack: stack,
                end_stack: None,
                blocked: Some(blocked),
            });
        }
    }

    fn goroutine_transition(&mut self, ev: &Event<'_>) {
        let Some(st) = ev.state_transition() else {
            return;
        };
        let Resource::Goroutine(id) = st.resource else {
            return;
        };
        let Some((from, to)) = st.goroutine() else {
            return;
        };
        let ts = ev.time();
        // The lane the goroutine's slices go on (its P, its M, or its own), and the lane
        // of the event's causes (the P, M or goroutine that created or unblocked it).
        let layout = self.layout;
        let per_p = layout == Layout::Proc;
        let (proc, cause_lane) = match layout {
            Layout::Proc => (ev.proc(), ev.proc()),
            Layout::Thread => (ev.thread(), ev.thread()),
            Layout::Goroutine => (id, ev.goroutine()),
        };
        if layout == Layout::Thread && proc != -1 {
            self.threads.insert(proc);
        }
        if !self.gs.contains_key(&id) {
            let gs = self.revive(id);
            self.gs.insert(id, gs);
        }
        let gs = self.gs.get_mut(&id).expect("inserted above");
        if !gs.named
            && let Some(stack) = &st.stack
            && let Some(f) = stack.frames().last()
        {
            gs.base_name = format!("{} {}", gs.base_name, String::from_utf8_lossy(f.func));
            gs.named = true;
            gs.cached_name = None;
        }
        if from == to {
            return;
        }
        let ev_stack = self.stack(ev.stack());
        // The thread and goroutine views count a syscall as executing; the proc view
        // ends the slice when the goroutine leaves Running.
        let stops = if per_p {
            from == GoState::Running
        } else {
            from.executing()
        };
        let starts = if per_p {
            to == GoState::Running
        } else {
            to.executing()
        };
        if stops && !to.executing() {
            if to == GoState::Waiting {
                let block = self.unblock_name(st.reason);
                if let Some(gs) = self.gs.get_mut(&id) {
                    gs.start_block = Some(block);
                }
            }
            self.stop(id, ts, ev_stack);
        }
        if !from.executing() && starts {
            let start = if from == GoState::Undetermined {
                self.out.start_time
            } else {
                ts
            };
            let compact = self.compact.is_some();
            let gs = self.gs.get_mut(&id).expect("inserted above");
            for (_, r) in &mut gs.active_ranges {
                *r = ActiveRange {
                    time: start,
                    stack: None,
                };
            }
            if let Some(name) = gs.start_cause.name.take() {
                let c = std::mem::take(&mut gs.start_cause);
                if compact {
                    // The run's span, stored when it ends, keeps the arrow: its end is
                    // the span's start, on the span's lane, for the span's goroutine.
                    gs.run_cause = Some(StartCause {
                        name: Some(name),
                        ..c
                    });
                } else {
                    self.out.arrows.push(Arrow {
                        name,
                        from_lane: c.lane,
                        from_time: c.time,
                        to_lane: proc as u64,
                        to_time: start,
                        stack: c.stack,
                        goroutine: id,
                    });
                }
            }
            gs.executing = Some(proc);
            gs.start_running = start;
        }
        if from == GoState::Waiting {
            if layout == Layout::Goroutine && ev.goroutine() != -1 {
                self.unblock_edges.push((ev.goroutine(), id));
            }
            let block = self
                .gs
                .get_mut(&id)
                .expect("inserted above")
                .start_block
                .take();
            let (name, network) = match block {
                Some(b) => b,
                None => (self.shared_name("unblock"), false),
            };
            // Network unblocks come from the netpoller, which has no P; a thread is
            // still a meaningful source.
            let lane = if network && layout != Layout::Thread {
                NETPOLL_LANE
            } else {
                cause_lane as u64
            };
            if network {
                let name = name.clone();
                self.instant(lane, &name, ts, ev_stack);
            }
            // Go keeps the cause only when its resource is not the zero value (`by !=
            // zero` in gState.unblock): in the proc view an unblock on P0 draws no arrow.
            // The explorer's compact timeline keeps those: it follows every cause.
            let keep_p0 = self.compact.is_some() && layout == Layout::Proc;
            let gs = self.gs.get_mut(&id).expect("inserted above");
            if lane != 0 || keep_p0 {
                gs.start_cause = StartCause {
                    time: ts,
                    name: Some(name),
                    lane,
                    stack: ev_stack,
                };
            }
        }
        if from == GoState::NotExist && to == GoState::Runnable && cause_lane != -1 {
            let name = self.shared_name("go");
            let gs = self.gs.get_mut(&id).expect("inserted above");
            gs.start_cause = StartCause {
                time: ts,
                name: Some(name),
                lane: cause_lane as u64,
                stack: ev_stack,
            };
        }
        if layout == Layout::Thread && from == GoState::Syscall {
            self.syscall_end(id, ts, to != GoState::Running);
        }
        if layout == Layout::Goroutine && from == GoState::Syscall {
            self.syscall_end(id, ts, to != GoState::Running);
        }
        if layout != Layout::Thread && from == GoState::Syscall && to != GoState::Running {
            let name = self.shared_name("exit blocked syscall");
            self.instant(SYSCALL_LANE, "exit blocked syscall", ts, ev_stack);
            let gs = self.gs.get_mut(&id).expect("inserted above");
            gs.start_cause = StartCause {
                time: ts,
                name: Some(name),
                lane: SYSCALL_LANE,
                stack: ev_stack,
            };
        }
        if to == GoState::Syscall && (!per_p || proc != -1) {
            let start = if from == GoState::Undetermined {
                self.out.start_time
            } else {
                ts
            };
            let gs = self.gs.get_mut(&id).expect("inserted above");
            gs.syscall = Some((start, ev_stack));
            if gs.executing.is_none() {
                gs.executing = Some(proc);
                gs.start_running = start;
            }
            if per_p {
                self.in_syscall.insert(proc, id);
            }
        }
        if per_p && from == GoState::Syscall && self.in_syscall.contains_key(&proc) {
            self.syscall_end(id, ts, false);
            self.in_syscall.remove(&proc);
        }
        let in_assist = self
            .gs
            .get(&id)
            .is_some_and(|g| g.active_ranges.iter().any(|(n, _)| n == "GC mark assist"));
        // One count down, one up: they changed unless both are the same count (an
        // array comparison here was a memcmp call for every transition).
        let (was, is) = (viewer_state(from, in_assist), viewer_state(to, in_assist));
        self.gstates[was] -= 1;
        self.gstates[is] += 1;
        if was != is && !self.links_only && !self.second {
            let g = self.gstates;
            let row = [g[4], g[1], g[2]];
            if self.compact.is_none() {
                self.out.goroutine_counts.push((ts, row));
            } else {
                let value = runnable_running(row) as i64;
                match &mut self.goroutine_row {
                    Some((t, v)) if ts - *t < COMPACT_COUNTER_STEP => *v = value,
                    pending => {
                        if let Some((t, v)) = pending.replace((ts, value)) {
                            self.out.goroutine_track.push(t, v);
                        }
                    }
                }
            }
        }
        if to == GoState::NotExist && self.gs.get(&id).is_some_and(GState::spent) {
            self.bury(id);
        }
    }

    /// Keeps only what a dead goroutine with nothing left to draw passes on, should its
    /// ID come back (cgo callbacks reuse theirs): its name, label and last stack. A
    /// server makes millions of goroutines; their full states were most of the
    /// builder's memory.
    fn bury(&mut self, id: i64) {
        let Some(gs) = self.gs.remove(&id) else {
            return;
        };
        let func = match gs.base_name.split_once(' ') {
            Some((_, f)) if gs.named => Some(self.shared_name(f)),
            _ => None,
        };
        let t = Tombstone {
            func,
            label: gs.label.into_boxed_str(),
            last_stop_stack: gs.last_stop_stack,
        };
        if t != Tombstone::default() {
            self.dead.bury(id, t);
        }
    }

    /// A new state for goroutine `id`, with what it left if it lived before.
    fn revive(&mut self, id: i64) -> GState {
        let mut gs = GState::new(id);
        if let Some(t) = self.dead.revive(id) {
            if let Some(f) = t.func {
                gs.base_name = format!("G{id} {f}");
                gs.named = true;
            }
            gs.label = t.label.into_string();
            gs.last_stop_stack = t.last_stop_stack;
        }
        gs
    }

    fn count_threads(&mut self, ts: i64, delta: i64) {
        self.threads_running += delta;
        if delta != 0 && !self.second {
            self.out.thread_counts.push((ts, [0, self.threads_running]));
        }
    }

    fn heap_metric(&mut self, ev: &Event<'_>) {
        let Some(m) = ev.metric() else { return };
        match m.name {
            crate::trace::event::metric_names::HEAP_ALLOC => self.heap_stats[0] = m.value,
            // Go zeroes goals above 1 PiB (golang/go#63864).
            crate::trace::event::metric_names::HEAP_GOAL => {
                self.heap_stats[1] = if m.value > 1 << 50 { 0 } else { m.value }
            }
            _ => return,
        }
        if self.heap_stats == self.prev_heap {
            return;
        }
        let [alloc, goal] = self.heap_stats;
        if self.second {
            // A second timeline of the trace (thread rows): the first has the counter.
        } else if self.compact.is_none() {
            self.out
                .heap
                .push((ev.time(), [alloc, goal.saturating_sub(alloc)]));
        } else {
            // Go's row stacks the goal's excess over the allocated bytes: its top is
            // the larger of the two.
            self.heap_peak = self.heap_peak.max(alloc.max(goal));
            if self.out.heap_track.is_empty() || alloc != self.prev_heap[0] {
                self.out.heap_track.push(ev.time(), alloc as i64);
            }
        }
        self.prev_heap = self.heap_stats;
    }

    fn proc_transition(&mut self, ev: &Event<'_>) {
        let Some(st) = ev.state_transition() else {
            return;
        };
        let Resource::Proc(proc) = st.resource else {
            return;
        };
        if self.layout == Layout::Goroutine {
            // Go's goroutine view derives everything from goroutine transitions.
            return;
        }
        if self.layout == Layout::Thread && ev.thread() != -1 {
            self.threads.insert(ev.thread());
        }
        self.out.max_proc = self.out.max_proc.max(proc);
        let Some((from, to)) = st.proc() else { return };
        if from == to {
            return;
        }
        let lane = if self.layout == Layout::Thread {
            ev.thread()
        } else {
            proc
        } as u64;
        let stack = self.stack(ev.stack());
        if to == ProcState::Running {
            let start = if from == ProcState::Undetermined {
                self.out.start_time
            } else {
                ev.time()
            };
            self.count_threads(start, 1);
            self.instant(lane, "proc start", start, stack);
        }
        if from == ProcState::Running {
            self.count_threads(ev.time(), -1);
            self.instant(lane, "proc stop", ev.time(), stack);
        }
        if self.keeps_instants() && (from == ProcState::Running || to == ProcState::Running) {
            let last = self.out.instants.last_mut().expect("pushed above");
            last.sched = Some((proc as u64, ev.thread() as u64));
        }
        if from == ProcState::Running
            && self.layout == Layout::Proc
            && let Some(g) = self.in_syscall.remove(&proc)
        {
            self.syscall_end(g, ev.time(), true);
            self.stop(g, ev.time(), stack);
        }
    }

    fn goroutine_range(&mut self, ev: &Event<'_>, r: &Range<'_>) {
        let Resource::Goroutine(g) = r.scope else {
            return;
        };
        let mut name = Vec::new();
        r.name.write_to(&mut name);
        let name = String::from_utf8_lossy(&name).into_owned();
        let stack = self.stack(ev.stack());
        let Some(gs) = self.gs.get_mut(&g) else {
            return;
        };
        match ev.kind() {
            Kind::RangeBegin => {
                let time = if gs.executing.is_some() { ev.time() } else { 0 };
                gs.set_range(&name, ActiveRange { time, stack });
            }
            Kind::RangeActive => {
                let time = if gs.executing.is_some() {
                    gs.start_running
                } else {
                    0
                };
                gs.set_range(&name, ActiveRange { time, stack: None });
            }
            _ => {
                if gs.executing.is_some() {
                    let r = gs.range(&name).copied().unwrap_or_default();
                    gs.completed.push(CompletedRange {
                        name: name.clone(),
                        start: r.time,
                        end: ev.time(),
                        start_stack: r.stack,
                        end_stack: stack,
                        blocked: None,
                    });
                }
                gs.active_ranges.retain(|(n, _)| *n != name);
            }
        }
    }

    /// A global or P-scoped range's slice, from its start to `end`.
    fn range_slice(
        &mut self,
        lane: u64,
        name: String,
        ar: ActiveRange,
        end: i64,
        end_stack: Option<u32>,
    ) {
        self.slice(Slice {
            lane,
            name: name.into(),
            kind: SliceKind::Range,
            start: ar.time,
            dur: end - ar.time,
            start_stack: ar.stack,
            end_stack,
            blocked: None,
        });
    }

    fn global_or_proc_range(&mut self, ev: &Event<'_>, r: &Range<'_>) {
        let mut name = Vec::new();
        r.name.write_to(&mut name);
        let name = String::from_utf8_lossy(&name).into_owned();
        let stack = self.stack(ev.stack());
        let key_lane = match r.scope {
            Resource::Proc(p) => Some(p),
            _ => None,
        };
        let start_time = self.out.start_time;
        let seen = self.seen_sync;
        let begin = |time| ActiveRange { time, stack };
        match (ev.kind(), key_lane) {
            // The thread and goroutine views draw no P-scoped ranges (Go's ProcRange
            // handlers there do nothing).
            (_, Some(_)) if self.layout != Layout::Proc => {}
            (Kind::RangeBegin, None) => set(&mut self.global_ranges, name, begin(ev.time())),
            (Kind::RangeActive, None) if seen < 2 => {
                set(&mut self.global_ranges, name, begin(start_time))
            }
            (Kind::RangeBegin, Some(p)) => set(&mut self.proc_ranges, (name, p), begin(ev.time())),
            (Kind::RangeActive, Some(p)) if seen < 2 => {
                set(&mut self.proc_ranges, (name, p), begin(start_time))
            }
            (Kind::RangeEnd, None) => {
                let ar = take(&mut self.global_ranges, &name).unwrap_or_default();
                if name.contains("GC") {
                    self.range_slice(GC_LANE, name, ar, ev.time(), stack);
                }
            }
            (Kind::RangeEnd, Some(p)) => {
                let ar = take(&mut self.proc_ranges, &(name.clone(), p)).unwrap_or_default();
                self.range_slice(p as u64, name, ar, ev.time(), stack);
            }
            _ => {}
        }
    }

    /// Finishes: what is still running or in flight ends at the last event.
    pub fn finish(mut self) -> Timeline {
        let end = self.out.end_time;
        for ((name, p), ar) in std::mem::take(&mut self.proc_ranges) {
            self.range_slice(p as u64, name, ar, end, None);
        }
        for (name, ar) in std::mem::take(&mut self.global_ranges) {
            if name.contains("GC") {
                self.range_slice(GC_LANE, name, ar, end, None);
            }
        }
        let mut ids: Vec<i64> = self.gs.keys().copied().collect();
        ids.sort_unstable();
        for g in ids {
            if self.gs[&g].executing.is_some() {
                self.syscall_end(g, end, false);
                self.stop(g, end, None);
            }
        }
        self.out.threads = std::mem::take(&mut self.threads).into_iter().collect();
        self.out.unblock_edges = std::mem::take(&mut self.unblock_edges);
        // The goroutines' states are done with: handing them back before the lanes are
        // sealed and indexed lowers the build's peak (by 25 MiB for the thread rows of
        // the 200 MB benchmark trace, whose dead goroutines leave 414,000 tombstones).
        self.gs = FxHashMap::default();
        self.dead = Graveyard::default();
        self.stack_ids = FxHashMap::default();
        self.stack_cache = FxHashMap::default();
        self.cause_link_ids = FxHashMap::default();
        self.lane_range_index = FxHashMap::default();
        self.out.user_stacks.seal();
        self.out.logs.seal();
        if let Some((_, mut lanes)) = self.compact.take() {
            lanes.sort_unstable_by_key(|l| l.0);
            self.out.lane_ids = lanes.iter().map(|l| l.0).collect();
            self.out.lane_ranges.sort_unstable_by_key(|l| l.0);
            for (_, r) in &mut self.out.lane_ranges {
                r.seal();
            }
            if let Some((t, v)) = self.goroutine_row.take() {
                self.out.goroutine_track.push(t, v);
            }
            self.out.goroutine_track.seal();
            self.out.heap_track.seal();
            let o = &self.out;
            self.out.counter_peaks = [
                self.heap_peak,
                o.goroutine_track.max().unwrap_or(0) as u64,
                o.thread_counts
                    .iter()
                    .map(|r| threads(r.1))
                    .max()
                    .unwrap_or(0),
            ];
            self.out.lanes = lanes
                .into_iter()
                .map(|(_, l)| match l {
                    LaneBuild::Plain(mut l) => {
                        l.seal();
                        l
                    }
                    LaneBuild::Shared(b) => b.finish(),
                })
                .collect();
            self.out.arrow_index = ArrowIndex::new(&self.out);
        }
        self.out
    }
}

fn rows_within<T: Clone>(rows: &[(i64, T)], from: i64, to: i64) -> Vec<(i64, T)> {
    rows.iter()
        .filter(|(t, _)| from <= *t && *t <= to)
        .cloned()
        .collect()
}

fn set<K: PartialEq>(v: &mut Vec<(K, ActiveRange)>, k: K, r: ActiveRange) {
    match v.iter_mut().find(|(x, _)| *x == k) {
        Some((_, x)) => *x = r,
        None => v.push((k, r)),
    }
}

fn take<K: PartialEq>(v: &mut Vec<(K, ActiveRange)>, k: &K) -> Option<ActiveRange> {
    let i = v.iter().position(|(x, _)| x == k)?;
    Some(v.remove(i).1)
}

impl Consumer for TimelineBuilder {
    fn event(&mut self, ev: &Event<'_>) {
        if !self.started {
            self.started = true;
            self.out.start_time = ev.time();
        }
        self.out.end_time = ev.time();
        if self.tasks_only
            && !matches!(
                ev.kind(),
                Kind::Sync | Kind::TaskBegin | Kind::TaskEnd | Kind::RegionBegin | Kind::RegionEnd
            )
        {
            return;
        }
        match ev.kind() {
            Kind::Sync => {
                self.seen_sync += 1;
                self.stack_cache.clear();
            }
            Kind::RangeBegin | Kind::RangeActive | Kind::RangeEnd => {
                if let Some(r) = ev.range() {
                    match r.scope {
                        Resource::Goroutine(_) => self.goroutine_range(ev, &r),
                        _ => self.global_or_proc_range(ev, &r),
                    }
                }
            }
            Kind::Metric => self.heap_metric(ev),
            Kind::StackSample | Kind::Log => self.point_event(ev),
            Kind::TaskBegin | Kind::TaskEnd | Kind::RegionBegin | Kind::RegionEnd
                if !self.second =>
            {
                let stack = self.stack(ev.stack());
                self.out.user_stacks.push(ev.time(), stack);
            }
            Kind::Label => {
                if let Some(l) = ev.label()
                    && let Resource::Goroutine(g) = l.resource
                    && let Some(gs) = self.gs.get_mut(&g)
                {
                    gs.label = String::from_utf8_lossy(l.label).into_owned();
                    gs.cached_name = None;
                }
            }
            Kind::StateTransition => match ev.state_transition().map(|s| s.resource) {
                Some(Resource::Proc(_)) => self.proc_transition(ev),
                Some(Resource::Goroutine(_)) => self.goroutine_transition(ev),
                _ => {}
            },
            _ => {}
        }
    }
}

/// In compact mode, a flow arrow kept with the span it starts (the span gives the
/// arrow's end: lane, time and goroutine). 16 bytes, where an [`Arrow`] and its two
/// index entries took 64: there are about as many arrows as spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cause {
    /// When the cause happened.
    pub time: i64,
    /// Its stack, or [`NO_STACK`].
    pub stack: u32,
    /// Its lane and the arrow's name: an index into [`Timeline::cause_links`].
    pub link: u32,
}

impl Cause {
    /// No recorded cause.
    pub const NONE: Cause = Cause {
        time: 0,
        stack: NO_STACK,
        link: u32::MAX,
    };
}

/// A span's start and end stacks (indexes into [`Timeline::stacks`], or [`NO_STACK`]),
/// and the stack and link of its cause ([`Cause`]; [`Cause::NONE`]'s when it has none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Detail {
    stacks: [u32; 2],
    cause_stack: u32,
    cause_link: u32,
}

/// Ranges of one lane as (start, end) pairs sorted by start, packed: starts and lengths
/// (a syscall or a sweep is short: most lengths take a byte or two, where ends took as
/// much as starts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaneRanges {
    starts: I64Column,
    lengths: I64Column,
}

impl LaneRanges {
    /// Appends a range; [`LaneRanges::seal`] must follow the last one.
    pub fn push(&mut self, start: i64, end: i64) {
        self.starts.push(start);
        self.lengths.push(end.wrapping_sub(start));
    }

    /// Sorts the ranges by start (a goroutine's ranges arrive when it stops, nearly in
    /// order) and drops spare capacity.
    pub fn seal(&mut self) {
        if !self.starts.is_sorted() {
            let mut v: Vec<(i64, i64)> = self.ranges().collect();
            v.sort_unstable();
            self.starts = v.iter().map(|r| r.0).collect();
            self.lengths = v.iter().map(|r| r.1.wrapping_sub(r.0)).collect();
        }
        self.starts.seal();
        self.lengths.seal();
    }

    /// Number of ranges.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The end of range `i`.
    fn end(&self, i: usize) -> i64 {
        self.starts.get(i).wrapping_add(self.lengths.get(i))
    }

    /// The (start, end) of each range, by start.
    pub fn ranges(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        (0..self.len()).map(|i| (self.starts.get(i), self.end(i)))
    }

    /// The total length of the ranges that lie within `[from, to]`.
    pub fn time_within(&self, from: i64, to: i64) -> i64 {
        let lo = self.starts.partition_point(|s| s < from);
        let hi = self.starts.partition_point(|s| s <= to);
        (lo..hi)
            .map(|i| (self.starts.get(i), self.end(i)))
            .filter(|&(_, e)| e <= to)
            .map(|(s, e)| e - s)
            .sum()
    }

    /// Heap bytes used.
    pub fn bytes(&self) -> usize {
        self.starts.bytes() + self.lengths.bytes()
    }
}

/// A counter as a drawn track: (time, value) rows in time order, packed as blocks of
/// [`TRACK_BLOCK`] rows, each a first row in the block index and the others as LEB128
/// differences from the row before (times at least a microsecond apart, values that move
/// by a few): about 3 bytes a row, where packed columns of times and values took 5.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Track {
    /// Each block's first row.
    firsts: Vec<(i64, i64)>,
    /// Where each block's other rows start in `deltas`.
    at: Vec<u32>,
    deltas: Vec<u8>,
    len: usize,
    last: (i64, i64),
}

/// Rows per block of a [`Track`].
const TRACK_BLOCK: usize = 64;

impl Track {
    /// Appends a row, later than the last.
    pub fn push(&mut self, time: i64, value: i64) {
        if self.len.is_multiple_of(TRACK_BLOCK) {
            self.firsts.push((time, value));
            self.at.push(self.deltas.len() as u32);
        } else {
            let (t, v) = self.last;
            put_i64(&mut self.deltas, time.wrapping_sub(t));
            put_i64(&mut self.deltas, value.wrapping_sub(v));
        }
        self.last = (time, value);
        self.len += 1;
    }

    /// Drops spare capacity once the rows are all in.
    pub fn seal(&mut self) {
        self.firsts.shrink_to_fit();
        self.at.shrink_to_fit();
        self.deltas.shrink_to_fit();
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The rows of block `b`, in time order.
    fn block(&self, b: usize) -> impl Iterator<Item = (i64, i64)> + '_ {
        let n = (self.len - b * TRACK_BLOCK).min(TRACK_BLOCK);
        let mut r = Cursor::new(&self.deltas, self.at[b] as usize);
        let mut row = self.firsts[b];
        (0..n).map(move |k| {
            if k > 0 {
                row = (row.0.wrapping_add(r.i64()), row.1.wrapping_add(r.i64()));
            }
            row
        })
    }

    /// The rows, in time order.
    pub fn rows(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        (0..self.firsts.len()).flat_map(|b| self.block(b))
    }

    /// The value of the last row before `t`: the counter's value just before `t`.
    pub fn value_before(&self, t: i64) -> Option<i64> {
        let b = self.firsts.partition_point(|r| r.0 < t).checked_sub(1)?;
        self.block(b).take_while(|r| r.0 < t).last().map(|r| r.1)
    }

    /// The largest value.
    pub fn max(&self) -> Option<i64> {
        self.rows().map(|r| r.1).max()
    }

    /// Heap bytes used.
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.firsts.as_slice())
            + std::mem::size_of_val(self.at.as_slice())
            + self.deltas.len()
    }
}

/// The stacks of the task and region begin and end events by event time, packed: a
/// 200 MB trace has 720,000 of them, 16 bytes each as (time, stack) pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserStacks {
    /// Event times, ascending.
    times: I64Column,
    /// Each event's stack, or -1 for none.
    stacks: I64Column,
}

impl UserStacks {
    /// Appends the stack of an event at `time`, no earlier than the last.
    pub fn push(&mut self, time: i64, stack: Option<u32>) {
        self.times.push(time);
        self.stacks.push(stack.map_or(-1, i64::from));
    }

    /// Drops spare capacity once the events are all in.
    pub fn seal(&mut self) {
        self.times.seal();
        self.stacks.seal();
    }

    /// The stack of the event at `t` (task and region event times are unique), if
    /// there is one and it has a stack.
    pub fn at(&self, t: i64) -> Option<u32> {
        let i = self.times.partition_point(|x| x < t);
        if i == self.times.len() || self.times.get(i) != t {
            return None;
        }
        u32::try_from(self.stacks.get(i)).ok()
    }

    /// Heap bytes used.
    pub fn bytes(&self) -> usize {
        self.times.bytes() + self.stacks.bytes()
    }
}

/// The detail number of each span: 1 byte while a lane has at most 256 distinct details
/// (as the benchmark trace's do: 159 to 207 a lane), 2 up to 65,536, 4 after.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DetailIds {
    Tiny(Vec<u8>),
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Default for DetailIds {
    fn default() -> Self {
        DetailIds::Tiny(Vec::new())
    }
}

impl DetailIds {
    fn push(&mut self, id: u32) {
        match self {
            DetailIds::Tiny(v) => match u8::try_from(id) {
                Ok(x) => v.push(x),
                Err(_) => {
                    *self = DetailIds::Narrow(v.iter().map(|&x| u16::from(x)).collect());
                    self.push(id);
                }
            },
            DetailIds::Narrow(v) => match u16::try_from(id) {
                Ok(x) => v.push(x),
                Err(_) => {
                    *self = DetailIds::Wide(v.iter().map(|&x| u32::from(x)).collect());
                    self.push(id);
                }
            },
            DetailIds::Wide(v) => v.push(id),
        }
    }

    fn get(&self, i: usize) -> Option<u32> {
        match self {
            DetailIds::Tiny(v) => v.get(i).map(|&x| u32::from(x)),
            DetailIds::Narrow(v) => v.get(i).map(|&x| u32::from(x)),
            DetailIds::Wide(v) => v.get(i).copied(),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            DetailIds::Tiny(v) => v.is_empty(),
            DetailIds::Narrow(v) => v.is_empty(),
            DetailIds::Wide(v) => v.is_empty(),
        }
    }

    /// The ids in the order `order` gives (positions into these).
    fn reordered(&self, order: &[u32]) -> DetailIds {
        fn pick<T: Copy>(v: &[T], order: &[u32]) -> Vec<T> {
            order.iter().map(|&i| v[i as usize]).collect()
        }
        match self {
            DetailIds::Tiny(v) => DetailIds::Tiny(pick(v, order)),
            DetailIds::Narrow(v) => DetailIds::Narrow(pick(v, order)),
            DetailIds::Wide(v) => DetailIds::Wide(pick(v, order)),
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            DetailIds::Tiny(v) => v.shrink_to_fit(),
            DetailIds::Narrow(v) => v.shrink_to_fit(),
            DetailIds::Wide(v) => v.shrink_to_fit(),
        }
    }

    fn bytes(&self) -> usize {
        match self {
            DetailIds::Tiny(v) => std::mem::size_of_val(v.as_slice()),
            DetailIds::Narrow(v) => std::mem::size_of_val(v.as_slice()),
            DetailIds::Wide(v) => std::mem::size_of_val(v.as_slice()),
        }
    }
}

/// Spans per prefix sum in [`LaneSpans`].
const BUSY_STRIDE: usize = 32;

/// The execution spans of one lane (a P), as parallel columns sorted by start, with a
/// prefix sum of busy time: how busy the lane was over any time range is two binary
/// searches and a subtraction, whatever the zoom. Times and goroutines are
/// [`I64Column`]s: 2 to 4 bytes a value, where the spans of a 200 MB trace are 11 M.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LaneSpans {
    /// Span starts (ns), ascending ([`LaneSpans::starts`] reads them).
    starts: I64Column,
    /// Span lengths (ns): most fit 16-bit offsets where ends need 32 ([`LaneSpans::ends`]
    /// reads the ends).
    durations: I64Column,
    /// The goroutine of each span ([`LaneSpans::goroutines`] reads them).
    goroutines: I64Column,
    /// What each span has besides its times and goroutine, as an index into `details`;
    /// empty when built without stacks and causes ([`LaneSpans::stacks`] and
    /// [`LaneSpans::cause`] read them). A goroutine stops and resumes at a few places and
    /// is woken from a few, so these repeat: 1 byte a span (2 past 256 distinct details, 4
    /// past 65,536), not 16.
    detail: DetailIds,
    /// The distinct details.
    details: Vec<Detail>,
    /// While spans are pushed: the index of each detail in `details`.
    detail_ids: FxHashMap<Detail, u32>,
    /// How long before each span's start the flow arrow into it began
    /// ([`LaneSpans::cause`]: what made its goroutine run): a scheduling delay, small,
    /// where the cause's time would need 32 bits. Zero for a span without a recorded
    /// cause.
    cause_waits: I64Column,
    /// `busy_before[k]`: total length of spans `0..k * BUSY_STRIDE` (and, last, of all
    /// spans). A prefix sum every 32 spans, packed, not every span: 8 bytes a span were
    /// 98 MB on a 200 MB trace (every 16 spans unpacked, 5.3 MB; now 1.4), and the spans
    /// in between are summed in a few steps.
    busy_before: I64Column,
    /// For a lane whose spans are, but for a few, another timeline's (a thread's spans
    /// are those of the Ps it ran): where they are. The columns above are then empty.
    shared: Option<Box<shared::SharedSpans>>,
}

impl LaneSpans {
    /// Builds the index from (start, end, goroutine) spans that do not overlap.
    pub fn new(spans: Vec<(i64, i64, i64)>) -> LaneSpans {
        let mut l = LaneSpans::default();
        for (s, e, g) in spans {
            l.starts.push(s);
            l.durations.push(e - s);
            l.goroutines.push(g);
        }
        l.seal();
        l
    }

    /// Appends a span with its start and end stacks and its cause; [`LaneSpans::seal`]
    /// must follow the last one. Appending in place keeps one copy of the spans, not two.
    pub fn push(&mut self, start: i64, end: i64, goroutine: i64, stacks: [u32; 2], cause: Cause) {
        self.starts.push(start);
        self.durations.push(end - start);
        self.goroutines.push(goroutine);
        let details = &mut self.details;
        let detail = Detail {
            stacks,
            cause_stack: cause.stack,
            cause_link: cause.link,
        };
        let id = *self.detail_ids.entry(detail).or_insert_with(|| {
            details.push(detail);
            (details.len() - 1) as u32
        });
        self.detail.push(id);
        let none = cause.link == Cause::NONE.link;
        self.cause_waits.push(if none {
            0
        } else {
            start.wrapping_sub(cause.time)
        });
    }

    fn detail(&self, i: usize) -> Option<Detail> {
        self.details.get(self.detail.get(i)? as usize).copied()
    }

    /// The start and end stacks of span `i` (indexes into [`Timeline::stacks`], or
    /// [`NO_STACK`], as are both when the spans were built without stacks).
    pub fn stacks(&self, i: usize) -> [u32; 2] {
        let (l, k) = self.keeper(i);
        l.detail(k).map_or([NO_STACK, NO_STACK], |d| d.stacks)
    }

    /// The cause of span `i`, if one was recorded.
    pub fn cause(&self, i: usize) -> Option<Cause> {
        if let Some(s) = &self.shared {
            return s.cause(i);
        }
        let d = self.detail(i)?;
        (d.cause_link != Cause::NONE.link).then(|| Cause {
            time: self.starts.get(i).wrapping_sub(self.cause_waits.get(i)),
            stack: d.cause_stack,
            link: d.cause_link,
        })
    }

    /// Sorts the spans by start (they arrive in end order, which for spans that do not
    /// overlap is the same) and computes the busy-time prefix sums.
    pub fn seal(&mut self) {
        if !self.starts.is_sorted() {
            let mut order: Vec<u32> = (0..self.starts.len() as u32).collect();
            order.sort_by_key(|&i| (self.starts.get(i as usize), self.ends().get(i as usize)));
            let pick = |c: &I64Column| order.iter().map(|&i| c.get(i as usize)).collect();
            self.starts = pick(&self.starts);
            self.durations = pick(&self.durations);
            self.goroutines = pick(&self.goroutines);
            if !self.detail.is_empty() {
                self.detail = self.detail.reordered(&order);
                self.cause_waits = pick(&self.cause_waits);
            }
        }
        self.busy_before = I64Column::new();
        let mut sum = 0;
        for i in 0..self.starts.len() {
            if i % BUSY_STRIDE == 0 {
                self.busy_before.push(sum);
            }
            sum += self.durations.get(i);
        }
        self.busy_before.push(sum);
        self.busy_before.seal();
        self.starts.seal();
        self.durations.seal();
        self.goroutines.seal();
        self.detail.shrink_to_fit();
        self.details.shrink_to_fit();
        self.detail_ids = FxHashMap::default();
        self.cause_waits.seal();
    }

    /// Heap bytes of the spans (times, goroutines, details, prefix sums) and of their
    /// causes (the waits: their stacks and links are among the spans' details), spare
    /// capacity aside.
    fn footprint(&self) -> (usize, usize) {
        fn bytes<T>(v: &[T]) -> usize {
            std::mem::size_of_val(v)
        }
        if let Some(s) = &self.shared {
            return s.footprint();
        }
        (
            self.starts.bytes()
                + self.durations.bytes()
                + self.goroutines.bytes()
                + self.detail.bytes()
                + bytes(&self.details)
                + self.busy_before.bytes(),
            self.cause_waits.bytes(),
        )
    }

    /// The span starts (ns), ascending.
    pub fn starts(&self) -> Col<'_> {
        Col::starts(self)
    }

    /// The span ends (ns), read as start + length; ascending, as spans on a lane do not
    /// overlap.
    pub fn ends(&self) -> Col<'_> {
        Col::ends(self)
    }

    /// The goroutine of each span.
    pub fn goroutines(&self) -> Col<'_> {
        Col::goroutines(self)
    }

    /// The lane that keeps span `i` in its own columns, and its index there: this one,
    /// or for a shared lane the source's lane or its own spans.
    #[inline]
    fn keeper(&self, i: usize) -> (&LaneSpans, usize) {
        match &self.shared {
            None => (self, i),
            Some(s) => s.locate(i),
        }
    }

    /// Start of span `i` (ns). Panics if `i` is out of bounds, as indexing a slice does.
    #[inline]
    pub fn start(&self, i: usize) -> i64 {
        let (l, k) = self.keeper(i);
        l.starts.get(k)
    }

    /// End of span `i` (ns).
    #[inline]
    pub fn end(&self, i: usize) -> i64 {
        let (l, k) = self.keeper(i);
        l.starts.get(k) + l.durations.get(k)
    }

    /// Goroutine of span `i`.
    #[inline]
    pub fn goroutine(&self, i: usize) -> i64 {
        let (l, k) = self.keeper(i);
        l.goroutines.get(k)
    }

    /// Number of spans.
    pub fn len(&self) -> usize {
        match &self.shared {
            None => self.starts.len(),
            Some(s) => s.len(),
        }
    }

    /// Whether the lane never ran a goroutine.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the lane's runs are, but for a few, another timeline's, kept there
    /// ([`TimelineBuilder::sharing_spans_of`]).
    pub fn shares_runs(&self) -> bool {
        self.shared.is_some()
    }

    /// The key (say, a goroutine's group) whose goroutines ran longest within `[t0, t1)`,
    /// looking at no more than about `limit` spans: a zoomed-out cell covers many, and
    /// an evenly spaced sample of them names the same winner for a colour.
    pub fn dominant_by(
        &self,
        t0: i64,
        t1: i64,
        limit: usize,
        key: impl Fn(i64) -> u32,
    ) -> Option<u32> {
        let lo = self.ends().partition_point(|e| e <= t0);
        let hi = self.starts().partition_point(|s| s < t1);
        let step = (hi.saturating_sub(lo) / limit.max(1)).max(1);
        let mut acc: Vec<(u32, i64)> = Vec::new();
        for i in (lo..hi).step_by(step) {
            let d = self.end(i).min(t1) - self.start(i).max(t0);
            let k = key(self.goroutine(i));
            match acc.iter_mut().find(|(x, _)| *x == k) {
                Some((_, t)) => *t += d,
                None => acc.push((k, d)),
            }
        }
        acc.into_iter().max_by_key(|&(_, d)| d).map(|(k, _)| k)
    }

    /// Busy time within `[t0, t1)`, ns.
    pub fn busy(&self, t0: i64, t1: i64) -> i64 {
        if t1 <= t0 || self.is_empty() {
            return 0;
        }
        // Spans wholly before t1 are 0..hi; those that end after t0 are lo..
        let lo = self.ends().partition_point(|e| e <= t0);
        let hi = self.starts().partition_point(|s| s < t1);
        if lo >= hi {
            return 0;
        }
        let mut total = self.busy_before_span(hi) - self.busy_before_span(lo);
        // Clip the first and last span to the window.
        total -= (t0 - self.start(lo)).max(0);
        total -= (self.end(hi - 1) - t1).max(0);
        total
    }

    /// Total length of spans `0..i`.
    fn busy_before_span(&self, i: usize) -> i64 {
        if let Some(s) = &self.shared {
            return s.busy_before_span(i);
        }
        if i == self.starts.len() {
            return self.busy_before.last().unwrap_or(0);
        }
        let k = i / BUSY_STRIDE;
        let from = k * BUSY_STRIDE;
        self.busy_before.get(k) + (from..i).map(|j| self.durations.get(j)).sum::<i64>()
    }

    /// Fraction of `[t0, t1)` the lane was busy, 0..1.
    pub fn busy_fraction(&self, t0: i64, t1: i64) -> f64 {
        if t1 <= t0 {
            return 0.0;
        }
        self.busy(t0, t1) as f64 / (t1 - t0) as f64
    }

    /// The span that caused something at `t`: the one covering `t`, or the one that
    /// ended exactly at `t` (a goroutine that unblocks another, then blocks).
    pub fn covering(&self, t: i64) -> Option<usize> {
        self.at(t).or_else(|| {
            let i = self.ends().partition_point(|e| e < t);
            (i < self.len() && self.end(i) == t && self.start(i) <= t).then_some(i)
        })
    }

    /// The span covering `t`, if any: its index.
    pub fn at(&self, t: i64) -> Option<usize> {
        let i = self.starts().partition_point(|s| s <= t).checked_sub(1)?;
        (t < self.end(i)).then_some(i)
    }
}

impl Timeline {
    /// Heap bytes used, by part (spans, causes, arrows with their index, ranges,
    /// instants, counters), from the lengths of the vectors (the spare capacity of a big
    /// vector is never touched, so never resident): what the explorer's benchmark
    /// reports so memory work can be aimed. Strings and shared names are left out (few
    /// and small).
    pub fn footprint(&self) -> Vec<(&'static str, usize)> {
        fn bytes<T>(v: &[T]) -> usize {
            std::mem::size_of_val(v)
        }
        let lanes = |f: fn((usize, usize)) -> usize| {
            self.lanes.iter().map(|l| f(l.footprint())).sum::<usize>()
        };
        vec![
            ("spans", lanes(|(spans, _)| spans)),
            ("causes", lanes(|(_, causes)| causes)),
            ("arrows", bytes(&self.arrows) + self.arrow_index.bytes()),
            (
                "ranges",
                bytes(&self.slices)
                    + self
                        .lane_ranges
                        .iter()
                        .map(|(_, r)| r.bytes())
                        .sum::<usize>(),
            ),
            ("instants", bytes(&self.instants) + self.logs.bytes()),
            (
                "stacks",
                self.stacks
                    .iter()
                    .map(|frames| {
                        std::mem::size_of_val(frames)
                            + bytes(frames)
                            + frames
                                .iter()
                                .map(|f| f.func.capacity() + f.file.capacity())
                                .sum::<usize>()
                    })
                    .sum(),
            ),
            (
                "goroutine counter",
                bytes(&self.goroutine_counts) + self.goroutine_track.bytes(),
            ),
            ("heap counter", bytes(&self.heap) + self.heap_track.bytes()),
            ("thread counter", bytes(&self.thread_counts)),
            ("user stacks", self.user_stacks.bytes()),
        ]
    }

    /// In compact mode, the arrow into span `i` of row `row`, if it has one.
    pub fn arrow_into(&self, row: usize, i: usize) -> Option<Arrow> {
        let spans = self.lanes.get(row)?;
        let c = spans.cause(i)?;
        let (from_lane, name) = self.cause_links.get(c.link as usize)?;
        Some(Arrow {
            name: name.clone(),
            from_lane: *from_lane,
            from_time: c.time,
            to_lane: self.lane_ids[row],
            to_time: spans.starts().get(i),
            stack: (c.stack != NO_STACK).then_some(c.stack),
            goroutine: spans.goroutines().get(i),
        })
    }

    /// In compact mode, the lane and time of the cause of span `i` of `spans` (one of
    /// [`Timeline::lanes`]), if it has one.
    pub fn cause_source(&self, spans: &LaneSpans, i: usize) -> Option<(u64, i64)> {
        let c = spans.cause(i)?;
        Some((self.cause_links.get(c.link as usize)?.0, c.time))
    }

    /// In compact mode, every arrow, lane after lane, each lane's in time order.
    pub fn compact_arrows(&self) -> impl Iterator<Item = Arrow> + '_ {
        self.lanes
            .iter()
            .enumerate()
            .flat_map(move |(row, l)| (0..l.len()).filter_map(move |i| self.arrow_into(row, i)))
    }

    /// The total length of the ranges drawn on `lane` that lie within `[from, to]`: what
    /// go tool trace subtracts from a slice's wall duration for its self time.
    pub fn time_in_ranges(&self, lane: u64, from: i64, to: i64) -> i64 {
        let packed = self
            .lane_ranges
            .binary_search_by_key(&lane, |l| l.0)
            .map_or(0, |i| self.lane_ranges[i].1.time_within(from, to));
        let kept: i64 = self
            .slices
            .iter()
            .filter(|r| {
                r.lane == lane
                    && r.kind == SliceKind::Range
                    && r.start >= from
                    && r.start + r.dur <= to
            })
            .map(|r| r.dur)
            .sum();
        packed + kept
    }

    /// In compact mode, the row (index into [`Timeline::lanes`]) of lane `id`.
    pub fn row_of(&self, id: u64) -> Option<usize> {
        self.lane_ids.binary_search(&id).ok()
    }

    /// In compact mode, the slice that caused something on lane `id` at `t` (see
    /// [`LaneSpans::covering`]): its row and index.
    pub fn cause_slice(&self, id: u64, t: i64) -> Option<(usize, usize)> {
        let row = self.row_of(id)?;
        Some((row, self.lanes[row].covering(t)?))
    }

    /// In compact mode, the goroutine that caused something on lane `id` at `t`.
    pub fn cause_goroutine(&self, id: u64, t: i64) -> Option<i64> {
        let (row, i) = self.cause_slice(id, t)?;
        Some(self.lanes[row].goroutines().get(i))
    }

    /// The goroutines go tool trace shows with `goid` (Go's `RelatedGoroutinesV2`): it,
    /// the goroutines that unblocked it, and the ones that unblocked those. Needs the
    /// goroutine layout ([`TimelineBuilder::by_goroutine`]).
    pub fn related_goroutines(&self, goid: i64) -> FxHashSet<i64> {
        let mut set: FxHashSet<i64> = [goid].into_iter().collect();
        for _ in 0..2 {
            let mut next = set.clone();
            for &(operator, operand) in &self.unblock_edges {
                if set.contains(&operand) {
                    next.insert(operator);
                }
            }
            set = next;
        }
        set
    }

    /// What go tool trace's page for goroutine `goid` draws, from a goroutine-layout
    /// timeline: the lanes of its related goroutines, over `[from, to]` (absolute ns; Go
    /// uses the goroutine's first start and its end, or the trace's ends). Slices that
    /// start or end in the window, instants and counter rows in it, arrows with both
    /// ends in it and on shown lanes: the trace viewer emitter's filters.
    pub fn goroutine_view(&self, goid: i64, from: i64, to: i64) -> Timeline {
        let lanes = self.related_goroutines(goid);
        self.cut(|lane| lanes.contains(&(lane as i64)), from, to)
    }

    /// What go tool trace's goroutine-oriented view of a set of goroutines draws, from a
    /// goroutine-layout timeline: their lanes over `[from, to]` (the task view `taskid=N`
    /// shows the goroutines of the task's tree over the task's window).
    pub fn goroutines_view(&self, goroutines: &FxHashSet<i64>, from: i64, to: i64) -> Timeline {
        self.cut(|lane| goroutines.contains(&(lane as i64)), from, to)
    }

    /// What go tool trace's viewer shows of this timeline between `from` and `to`
    /// (absolute ns, both included), as its `Emitter` cuts a view to a window: slices
    /// that start or end inside, arrows with both ends inside, instants and counter rows
    /// inside. The task-focused view is the proc view cut to the task's window.
    pub fn window(&self, from: i64, to: i64) -> Timeline {
        self.cut(|_| true, from, to)
    }

    /// The slices, arrows and instants on lanes `shown`, cut to `from..=to`.
    fn cut(&self, shown: impl Fn(u64) -> bool, from: i64, to: i64) -> Timeline {
        let within = |t: i64| from <= t && t <= to;
        Timeline {
            slices: self
                .slices
                .iter()
                .filter(|s| shown(s.lane) && (within(s.start) || within(s.start + s.dur)))
                .cloned()
                .collect(),
            arrows: self
                .arrows
                .iter()
                .filter(|a| {
                    shown(a.from_lane)
                        && shown(a.to_lane)
                        && within(a.from_time)
                        && within(a.to_time)
                })
                .cloned()
                .collect(),
            instants: self
                .instants
                .iter()
                .filter(|i| shown(i.lane) && within(i.time))
                .cloned()
                .collect(),
            logs: Logs::default(),
            stacks: self.stacks.clone(),
            goroutine_counts: rows_within(&self.goroutine_counts, from, to),
            goroutine_track: Track::default(),
            lane_ranges: Vec::new(),
            heap: rows_within(&self.heap, from, to),
            heap_track: Track::default(),
            thread_counts: rows_within(&self.thread_counts, from, to),
            max_proc: self.max_proc,
            threads: Vec::new(),
            unblock_edges: Vec::new(),
            lanes: Vec::new(),
            lane_ids: Vec::new(),
            arrow_index: ArrowIndex::default(),
            cause_links: Vec::new(),
            counter_peaks: [0; 3],
            user_stacks: self.user_stacks.clone(),
            start_time: self.start_time,
            end_time: self.end_time,
        }
    }

    /// The goroutine execution spans of each P that ran goroutines, indexed for
    /// busy-time queries, by P ID (ascending). P IDs come from the trace, so they key a
    /// map, never size a vector.
    pub fn proc_lanes(&self) -> Vec<(u64, LaneSpans)> {
        let mut per: std::collections::BTreeMap<u64, Vec<(i64, i64, i64)>> = Default::default();
        for s in &self.slices {
            if let SliceKind::Goroutine(g) = s.kind
                && s.lane <= self.max_proc.max(0) as u64
            {
                per.entry(s.lane)
                    .or_default()
                    .push((s.start, s.start + s.dur, g));
            }
        }
        per.into_iter()
            .map(|(p, v)| (p, LaneSpans::new(v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A track gives back its rows and the value before any time, across blocks, with
    /// times far apart and values that jump both ways.
    #[test]
    fn a_track_reads_back_its_rows() {
        let rows: Vec<(i64, i64)> = (0..300i64)
            .map(|i| {
                (
                    i * 1_000 + (i % 7) * 123_456_789,
                    (i * 37 % 11) - 5 + (i / 100) * 1_000_000,
                )
            })
            .scan(i64::MIN, |t, (d, v)| {
                *t = if *t == i64::MIN {
                    d
                } else {
                    *t + 1_000 + d % 5_000_000
                };
                Some((*t, v))
            })
            .collect();
        let mut track = Track::default();
        for &(t, v) in &rows {
            track.push(t, v);
        }
        track.seal();
        assert_eq!(track.len(), rows.len());
        assert_eq!(track.rows().collect::<Vec<_>>(), rows);
        assert_eq!(track.max(), rows.iter().map(|r| r.1).max());
        assert_eq!(track.value_before(rows[0].0), None);
        for (k, &(t, v)) in rows.iter().enumerate() {
            assert_eq!(track.value_before(t + 1), Some(v), "row {k}");
            if k > 0 {
                assert_eq!(track.value_before(t), Some(rows[k - 1].1), "row {k}");
            }
        }
        assert!(track.bytes() < rows.len() * 6, "{} bytes", track.bytes());
    }

    #[test]
    fn spans_keep_their_stacks_and_causes_past_256_and_65536_distinct_details() {
        let mut l = LaneSpans::default();
        let n = 70_000u32;
        for k in 0..n {
            let cause = if k % 3 == 0 {
                Cause::NONE
            } else {
                Cause {
                    time: i64::from(k) * 10 - 1,
                    stack: k / 2,
                    link: k % 5,
                }
            };
            l.push(
                i64::from(k) * 10,
                i64::from(k) * 10 + 5,
                1,
                [k, k + 1],
                cause,
            );
        }
        l.seal();
        assert!(matches!(l.detail, DetailIds::Wide(_)));
        for k in [0, 1, 255, 256, 257, 65_535, 65_536, 65_537, n - 1] {
            let i = k as usize;
            assert_eq!(l.stacks(i), [k, k + 1]);
            let want = (k % 3 != 0).then(|| Cause {
                time: i64::from(k) * 10 - 1,
                stack: k / 2,
                link: k % 5,
            });
            assert_eq!(l.cause(i), want);
        }
        // Few distinct details stay at 1 byte a span, some at 2.
        for (distinct, tiny) in [(7, true), (256, true), (257, false), (300, false)] {
            let mut few = LaneSpans::default();
            for k in 0..n {
                few.push(
                    i64::from(k) * 10,
                    i64::from(k) * 10 + 5,
                    1,
                    [k % distinct, 0],
                    Cause::NONE,
                );
            }
            few.seal();
            if tiny {
                assert!(matches!(few.detail, DetailIds::Tiny(_)), "{distinct}");
            } else {
                assert!(matches!(few.detail, DetailIds::Narrow(_)), "{distinct}");
            }
            for k in [0, 255, 256, 299, 69_999] {
                assert_eq!(few.stacks(k as usize), [k % distinct, 0], "{distinct}: {k}");
            }
        }
    }

    #[test]
    fn a_goroutine_id_that_comes_back_keeps_its_name_label_and_last_stack() {
        let mut b = TimelineBuilder::new();
        let mut gs = GState::new(7);
        gs.base_name = "G7 main.f x".into();
        gs.named = true;
        gs.label = "request".into();
        gs.last_stop_stack = Some(3);
        assert!(gs.spent());
        b.gs.insert(7, gs);
        b.bury(7);
        assert!(b.gs.is_empty());
        let back = b.revive(7);
        assert_eq!(
            (
                &*back.base_name,
                back.named,
                &*back.label,
                back.last_stop_stack
            ),
            ("G7 main.f x", true, "request", Some(3))
        );
        assert!(b.dead.is_empty(), "revived once");
        // A goroutine that leaves nothing leaves no tombstone.
        b.gs.insert(8, GState::new(8));
        b.bury(8);
        assert!(b.dead.is_empty());
        assert_eq!(b.revive(8).base_name, "G8");
        // One still executing is not spent.
        let mut running = GState::new(9);
        running.executing = Some(0);
        assert!(!running.spent());
    }

    #[test]
    fn busy_time_is_exact_for_any_window() {
        let l = LaneSpans::new(vec![(10, 20, 1), (30, 35, 2), (50, 100, 3)]);
        // Brute force over every window on a small grid.
        let covered = |t: i64| {
            [(10, 20), (30, 35), (50, 100)]
                .iter()
                .any(|&(s, e)| s <= t && t < e)
        };
        for t0 in 0..110 {
            for t1 in t0..110 {
                let want = (t0..t1).filter(|&t| covered(t)).count() as i64;
                assert_eq!(l.busy(t0, t1), want, "[{t0}, {t1})");
            }
        }
        assert_eq!(l.busy_fraction(0, 100), 0.65);
        assert_eq!(l.at(15), Some(0));
        assert_eq!(l.at(20), None);
        assert_eq!(l.at(99), Some(2));
        assert_eq!(LaneSpans::new(vec![]).busy(0, 10), 0);
    }

    #[test]
    fn busy_time_is_exact_across_many_prefix_sum_strides() {
        // 100 spans of varied lengths and gaps: windows start and end inside and between
        // the strides of the sampled prefix sums.
        let mut spans = Vec::new();
        let mut t = 3;
        for i in 0..100i64 {
            let (len, gap) = (1 + i * 7 % 11, i * 5 % 4);
            spans.push((t, t + len, i));
            t += len + gap;
        }
        let end = t + 5;
        let l = LaneSpans::new(spans.clone());
        let covered = |t: i64| spans.iter().any(|&(s, e, _)| s <= t && t < e);
        let prefix: Vec<i64> = (0..=end)
            .scan(0, |n, t| {
                let before = *n;
                *n += covered(t) as i64;
                Some(before)
            })
            .collect();
        for t0 in 0..end {
            for t1 in (t0..=end).step_by(3) {
                assert_eq!(
                    l.busy(t0, t1),
                    prefix[t1 as usize] - prefix[t0 as usize],
                    "[{t0}, {t1})"
                );
            }
        }
    }
}
