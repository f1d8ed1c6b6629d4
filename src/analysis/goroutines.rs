//! Goroutine analysis: a one-pass port of Go 1.26's `internal/trace` Summarizer
//! (`summary.go`), which `go tool trace` uses for its goroutine pages, plus the grouping
//! by start function those pages do.
//!
//! Every duration is Go's: nanoseconds between ordered event times, with Go's quirks kept
//! (a goroutine still blocked in a syscall at the end of the trace has that time added to
//! its scheduler wait, as Go does).

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::column::I64Column;
pub use super::packed::Goroutines;
use super::packed::{GoroutinesBuilder, PackedRegions};
use super::{Consumer, Name};
use crate::trace::event::StateTransition;
use crate::trace::gofmt::sort_func;
use crate::trace::{Event, GoState, Kind, ProcState, Resource};

/// Interned strings (block reasons, range names): small IDs instead of a string per
/// goroutine.
#[derive(Debug, Default, Clone)]
pub struct Names {
    names: Vec<String>,
    index: FxHashMap<Vec<u8>, u32>,
}

impl Names {
    /// The ID of `s`, interned on first use.
    pub fn intern(&mut self, s: &[u8]) -> u32 {
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(String::from_utf8_lossy(s).into_owned());
        self.index.insert(s.to_vec(), id);
        id
    }

    /// The string of an ID.
    pub fn get(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// Names shared by the goroutines that start in a function, or by the regions of a type.
#[derive(Debug, Default)]
struct SharedNames(FxHashMap<Vec<u8>, Name>);

impl SharedNames {
    fn get(&mut self, name: &[u8]) -> Name {
        if let Some(n) = self.0.get(name) {
            return n.clone();
        }
        let n = Name::new(String::from_utf8_lossy(name).into_owned());
        self.0.insert(name.to_vec(), n.clone());
        n
    }
}

/// A small map from an interned name to a duration. Nearly every goroutine of a big trace
/// has no entry at all, and a region a handful, so the entries sit in an exact-size boxed
/// slice (16 bytes when empty, where a vector takes 24 and grows to room for four).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Durations(Option<Box<[(u32, i64)]>>);

impl Durations {
    /// Durations with these entries (none: the empty map).
    pub(crate) fn from_entries(entries: Vec<(u32, i64)>) -> Durations {
        Durations((!entries.is_empty()).then(|| entries.into_boxed_slice()))
    }

    fn entries(&self) -> &[(u32, i64)] {
        self.0.as_deref().unwrap_or_default()
    }

    fn add(&mut self, key: u32, d: i64) {
        if let Some(entries) = self.0.as_deref_mut()
            && let Some((_, v)) = entries.iter_mut().find(|(k, _)| *k == key)
        {
            *v = v.wrapping_add(d);
            return;
        }
        // A new key: rare (a goroutine's first block for a reason), so a copy is cheap.
        let mut grown = Vec::with_capacity(self.entries().len() + 1);
        grown.extend_from_slice(self.entries());
        grown.push((key, d));
        self.0 = Some(grown.into_boxed_slice());
    }

    /// The duration of `key` (0 if absent).
    pub fn get(&self, key: u32) -> i64 {
        self.entries()
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |(_, v)| *v)
    }

    /// Entries, in order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = (u32, i64)> + '_ {
        self.entries().iter().copied()
    }

    /// The sum over every key.
    pub fn sum(&self) -> i64 {
        self.entries()
            .iter()
            .fold(0i64, |a, (_, v)| a.wrapping_add(*v))
    }

    fn sub(&self, other: &Durations) -> Durations {
        Durations(self.0.as_ref().map(|entries| {
            entries
                .iter()
                .map(|&(k, v)| (k, v.wrapping_sub(other.get(k))))
                .collect()
        }))
    }
}

/// Time a goroutine spent in each state (Go's `GoroutineExecStats`), in nanoseconds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExecStats {
    /// Running on a P.
    pub exec: i64,
    /// Runnable, waiting for a P.
    pub sched_wait: i64,
    /// Blocked, by block reason.
    pub block_by_reason: Durations,
    /// In a syscall while keeping its P.
    pub syscall: i64,
    /// In a syscall after its P was taken away.
    pub syscall_block: i64,
    /// From creation (or the start of tracing) to exit (or the end of the trace).
    pub total: i64,
    /// Time inside ranges (GC mark assist, sweep, stop-the-world), by range name; overlaps
    /// the other columns.
    pub range_time: Durations,
}

impl ExecStats {
    /// Go's `UnknownTime`: total time not accounted for by the other columns.
    pub fn unknown(&self) -> i64 {
        let sum = self
            .exec
            .wrapping_add(self.sched_wait)
            .wrapping_add(self.syscall)
            .wrapping_add(self.syscall_block)
            .wrapping_add(self.block_by_reason.sum());
        if sum < self.total {
            self.total - sum
        } else {
            0
        }
    }

    fn sub(&self, v: &ExecStats) -> ExecStats {
        ExecStats {
            exec: self.exec.wrapping_sub(v.exec),
            sched_wait: self.sched_wait.wrapping_sub(v.sched_wait),
            block_by_reason: self.block_by_reason.sub(&v.block_by_reason),
            syscall: self.syscall.wrapping_sub(v.syscall),
            syscall_block: self.syscall_block.wrapping_sub(v.syscall_block),
            total: self.total.wrapping_sub(v.total),
            range_time: self.range_time.sub(&v.range_time),
        }
    }
}

/// Where and when an event happened, kept for region and task summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef {
    /// Time, ns.
    pub time: i64,
    /// Goroutine, or −1.
    pub goroutine: i64,
}

impl EventRef {
    fn of(ev: &Event<'_>) -> EventRef {
        EventRef {
            time: ev.time(),
            goroutine: ev.goroutine(),
        }
    }
}

/// A user region on one goroutine (Go's `UserRegionSummary`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSummary {
    /// The task it belongs to.
    pub task: u64,
    /// Region type (name).
    pub name: Name,
    /// The begin event, if inside the trace.
    pub start: Option<EventRef>,
    /// The end event, if inside the trace.
    pub end: Option<EventRef>,
    /// What the goroutine did while inside the region.
    pub stats: ExecStats,
    /// The outermost frame of the begin event's stack (index into [`Summary::frames`]),
    /// which go tool trace uses, with the name, to group regions.
    pub frame: Option<u32>,
}

/// One goroutine's summary (Go's `GoroutineSummary`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoroutineSummary {
    /// Goroutine ID.
    pub id: i64,
    /// Its start function: the outermost frame of the first stack seen for it (shared
    /// between the goroutines of a group).
    pub name: Name,
    /// PC of that frame.
    pub pc: u64,
    /// First appearance (the generation's start for goroutines that predate it).
    pub creation_time: i64,
    /// First time it ran, 0 if never.
    pub start_time: i64,
    /// When it exited, 0 if it did not.
    pub end_time: i64,
    /// Its regions, by start time.
    pub regions: Vec<RegionSummary>,
    /// Time by state.
    pub stats: ExecStats,
}

/// Go's (unstable) sort of a goroutine's regions by start time, those without a start
/// first, done once on the finished list.
pub(crate) fn sort_regions(regions: &mut [RegionSummary]) {
    sort_func(regions, |a, b| match (a.start, b.start) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => x.time.cmp(&y.time),
    });
}

/// Go's `IsSystemGoroutine`: runtime goroutines other than `runtime.main`.
pub fn is_system_goroutine(entry_fn: &str) -> bool {
    entry_fn.is_empty() || entry_fn != "runtime.main" && entry_fn.starts_with("runtime.")
}

/// A user task (Go's `UserTaskSummary`); tasks refer to each other and to goroutines by ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskSummary {
    /// Task ID.
    pub id: u64,
    /// Task type (shared by the tasks of a type).
    pub name: Name,
    /// Parent task, if known.
    pub parent: Option<u64>,
    /// Child tasks, in order of appearance.
    pub children: Vec<u64>,
    /// Begin event.
    pub start: Option<EventRef>,
    /// End event.
    pub end: Option<EventRef>,
    /// Log events: time, goroutine, category (shared), message.
    pub logs: Vec<(EventRef, Name, Box<str>)>,
    /// Regions, in order of appearance: the goroutine and which of its regions.
    pub regions: Vec<(i64, RegionKey)>,
    /// Goroutines involved.
    pub goroutines: Vec<i64>,
}

pub use super::packed_tasks::Tasks;

/// Identifies a region among its goroutine's regions: by its begin time, or, for a region
/// that began before the trace, by its end time (event times are unique).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionKey {
    /// Begin time, if the region began inside the trace.
    pub start: Option<i64>,
    /// End time, for regions without a begin.
    pub end: Option<i64>,
}

impl TaskSummary {
    /// Whether both ends of the task are in the trace.
    pub fn complete(&self) -> bool {
        self.start.is_some() && self.end.is_some()
    }
}

/// Pending state of a live goroutine (Go's `goroutineSummary`).
#[derive(Debug, Default)]
struct Pending {
    last_start: i64,
    last_runnable: i64,
    last_block: i64,
    last_block_reason: u32,
    last_syscall: i64,
    last_syscall_block: i64,
    last_range: Vec<(u32, i64)>,
    active_regions: Vec<RegionSummary>,
}

impl Pending {
    fn range_start(&self, name: u32) -> i64 {
        self.last_range
            .iter()
            .find(|(k, _)| *k == name)
            .map_or(0, |(_, t)| *t)
    }

    fn set_range_start(&mut self, name: u32, t: i64) {
        match self.last_range.iter_mut().find(|(k, _)| *k == name) {
            Some((_, v)) => *v = t,
            None => self.last_range.push((name, t)),
        }
    }
}

/// A task of the pass: live, or packed (at this offset of the store) once it ended.
enum TaskSlot {
    Live(Box<TaskSummary>),
    Packed(usize),
}

impl Default for TaskSlot {
    fn default() -> Self {
        TaskSlot::Live(Box::default())
    }
}

/// A goroutine of the pass: live, or packed (at this offset of the store) once it exited.
enum Slot {
    Live(Box<G>),
    Packed(usize),
}

/// The live goroutine `id`, unpacked again if it had exited (an event after its exit,
/// which Go applies to its summary all the same).
fn live<'a>(
    gs: &'a mut super::ById<Slot>,
    packed: &mut GoroutinesBuilder,
    id: i64,
) -> Option<&'a mut G> {
    let slot = gs.get_mut(&id)?;
    if let Slot::Packed(at) = *slot {
        let (summary, regions) = packed.get(id, at);
        *slot = Slot::Live(Box::new(G {
            summary,
            regions,
            pending: None,
        }));
    }
    match slot {
        Slot::Live(g) => Some(g),
        Slot::Packed(_) => None,
    }
}

struct G {
    /// The summary; its `regions` are only those closed by [`G::finalize`] at the end
    /// of the trace.
    summary: GoroutineSummary,
    /// Regions that ended before, packed as they ended.
    regions: PackedRegions,
    /// In-flight state; `None` stands for Go's zeroed state after finalizing. Inline:
    /// only live goroutines have a `G`, and a transition then touches one allocation.
    pending: Option<Pending>,
}

impl G {
    /// The in-flight state, recreated (zeroed) if the goroutine was finalized.
    fn p(&mut self) -> &mut Pending {
        self.pending.get_or_insert_with(Pending::default)
    }

    fn new(id: i64, creation_time: i64) -> G {
        G {
            summary: GoroutineSummary {
                id,
                name: Name::default(),
                pc: 0,
                creation_time,
                start_time: 0,
                end_time: 0,
                regions: Vec::new(),
                stats: ExecStats::default(),
            },
            regions: PackedRegions::default(),
            pending: Some(Pending::default()),
        }
    }

    /// Go's `snapshotStat`: the stats as if the goroutine ended at `last`.
    fn snapshot(&self, last: i64) -> ExecStats {
        let mut r = self.summary.stats.clone();
        if r.total == 0 {
            r.total = last.wrapping_sub(self.summary.creation_time);
        }
        let Some(p) = self.pending.as_ref() else {
            return r;
        };
        if p.last_start != 0 {
            r.exec = r.exec.wrapping_add(last.wrapping_sub(p.last_start));
        }
        if p.last_runnable != 0 {
            r.sched_wait = r
                .sched_wait
                .wrapping_add(last.wrapping_sub(p.last_runnable));
        }
        if p.last_block != 0 {
            r.block_by_reason
                .add(p.last_block_reason, last.wrapping_sub(p.last_block));
        }
        if p.last_syscall != 0 {
            r.syscall = r.syscall.wrapping_add(last.wrapping_sub(p.last_syscall));
        }
        // Go adds a pending blocked syscall to the scheduler wait; kept for fidelity.
        if p.last_syscall_block != 0 {
            r.sched_wait = r
                .sched_wait
                .wrapping_add(last.wrapping_sub(p.last_syscall_block));
        }
        for &(name, ts) in &p.last_range {
            r.range_time.add(name, last.wrapping_sub(ts));
        }
        r
    }

    /// Go's `finalize`.
    fn finalize(&mut self, last: i64, trigger: Option<EventRef>) {
        if let Some(t) = trigger {
            self.summary.end_time = t.time;
        }
        let fin = self.snapshot(last);
        self.summary.stats = fin.clone();
        let regions = self
            .pending
            .take()
            .map(|p| p.active_regions)
            .unwrap_or_default();
        if !is_system_goroutine(&self.summary.name) {
            for mut r in regions {
                r.end = trigger;
                r.stats = fin.sub(&r.stats);
                self.summary.regions.push(r);
            }
        }
    }
}

/// The finished analysis: every goroutine and task, and the interned names.
#[derive(Debug, Default)]
pub struct Summary {
    /// Goroutines by ID.
    pub goroutines: Goroutines,
    /// Tasks by ID.
    pub tasks: Tasks,
    /// Block reasons and range names.
    pub names: Names,
    /// Frames referred to by regions.
    pub frames: Vec<StackFrame>,
    /// Time of the first and last event of the trace.
    pub first_time: i64,
    /// Time of the last event.
    pub last_time: i64,
}

/// An owned stack frame.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StackFrame {
    /// Program counter.
    pub pc: u64,
    /// Function.
    pub func: String,
    /// File.
    pub file: String,
    /// Line.
    pub line: u64,
}

/// Builds [`Summary`] from the ordered event stream (Go's `Summarizer`).
#[derive(Default)]
pub struct Summarizer {
    gs: super::ById<Slot>,
    /// Goroutines that have exited, packed.
    packed: GoroutinesBuilder,
    tasks: super::ById<TaskSlot>,
    /// Tasks that have ended, packed.
    packed_tasks: super::packed_tasks::TasksBuilder,
    syscalling_p: FxHashMap<i64, i64>,
    syscalling_g: FxHashMap<i64, i64>,
    ranges_p: FxHashMap<(i64, u32), i64>,
    names: Names,
    reason_cache: FxHashMap<(usize, usize), u32>,
    func_names: SharedNames,
    /// Region types: 151,189 regions of a few types on the benchmark trace.
    region_names: SharedNames,
    /// Task types and log categories: 58,197 tasks of a few types on the benchmark trace.
    task_types: SharedNames,
    log_categories: SharedNames,
    frames: Vec<StackFrame>,
    frame_index: FxHashMap<StackFrame, u32>,
    first_ts: Option<i64>,
    last_ts: i64,
    sync_ts: i64,
}

impl Summarizer {
    /// An empty summarizer.
    pub fn new() -> Summarizer {
        Summarizer::default()
    }

    /// The interned ID of a block reason. Reasons are slices of the generation's string
    /// table, so their address identifies them without comparing bytes.
    fn reason_id(&mut self, reason: &[u8]) -> u32 {
        let key = (reason.as_ptr() as usize, reason.len());
        if let Some(&id) = self.reason_cache.get(&key) {
            return id;
        }
        let id = self.names.intern(reason);
        self.reason_cache.insert(key, id);
        id
    }

    /// The outermost frame of the event's own stack, interned.
    fn top_frame(&mut self, ev: &Event<'_>) -> Option<u32> {
        let f = ev.stack()?.frames().last()?;
        let frame = StackFrame {
            pc: f.pc,
            func: String::from_utf8_lossy(f.func).into_owned(),
            file: String::from_utf8_lossy(f.file).into_owned(),
            line: f.line,
        };
        let next = self.frames.len() as u32;
        let id = *self.frame_index.entry(frame.clone()).or_insert(next);
        if id == next {
            self.frames.push(frame);
        }
        Some(id)
    }

    fn task(&mut self, id: u64) -> &mut TaskSummary {
        // Task IDs are u64; the cast is one-to-one.
        let slot = self.tasks.entry_or_default(id as i64);
        if let TaskSlot::Packed(at) = *slot {
            *slot = TaskSlot::Live(Box::new(self.packed_tasks.unpack(at, id)));
        }
        match slot {
            TaskSlot::Live(t) => {
                t.id = id;
                t
            }
            TaskSlot::Packed(_) => unreachable!("unpacked above"),
        }
    }

    /// Packs task `id`, which has ended: most never change again.
    fn pack_task(&mut self, id: u64) {
        if let Some(slot) = self.tasks.get_mut(&(id as i64))
            && let TaskSlot::Live(t) = slot
        {
            *slot = TaskSlot::Packed(self.packed_tasks.pack(t));
        }
    }

    fn task_add_goroutine(&mut self, id: u64, g: i64) {
        let t = self.task(id);
        if !t.goroutines.contains(&g) {
            super::push_compact(&mut t.goroutines, g);
        }
    }

    fn goroutine_transition(
        &mut self,
        ev: &Event<'_>,
        st: &StateTransition<'_, '_>,
        id: i64,
        old: GoState,
        new: GoState,
    ) {
        let t = ev.time();
        // Only a block keeps its reason; two transitions in three are not blocks.
        let reason = if new == GoState::Waiting {
            self.reason_id(st.reason)
        } else {
            0
        };
        match old {
            GoState::Undetermined => {
                let mut g = G::new(id, self.sync_ts);
                let state_time = t.wrapping_sub(self.sync_ts);
                let s = &mut g.summary.stats;
                match new {
                    GoState::Running => s.exec = s.exec.wrapping_add(state_time),
                    GoState::Waiting => s.block_by_reason.add(reason, state_time),
                    GoState::Runnable => s.sched_wait = s.sched_wait.wrapping_add(state_time),
                    GoState::Syscall if ev.proc() == -1 => {
                        s.syscall_block = s.syscall_block.wrapping_add(state_time)
                    }
                    GoState::Syscall => s.syscall = s.syscall.wrapping_add(state_time),
                    _ => {}
                }
                self.gs.insert(id, Slot::Live(Box::new(g)));
            }
            GoState::NotExist => {
                let mut g = G::new(id, t);
                let inherited = self
                    .gs
                    .get(&ev.goroutine())
                    .and_then(|c| match c {
                        // An exited creator has no open region.
                        Slot::Packed(_) => None,
                        Slot::Live(c) => c.pending.as_ref()?.active_regions.last(),
                    })
                    .map(|r| r.task);
                if let Some(task) = inherited {
                    let frame = self.top_frame(ev);
                    g.p().active_regions.push(RegionSummary {
                        task,
                        name: self.region_names.get(b""),
                        start: Some(EventRef::of(ev)),
                        end: None,
                        stats: ExecStats::default(),
                        frame,
                    });
                }
                self.gs.insert(id, Slot::Live(Box::new(g)));
            }
            _ => {}
        }
        let Some(g) = live(&mut self.gs, &mut self.packed, id) else {
            return;
        };
        {
            let p = g.pending.get_or_insert_with(Pending::default);
            let s = &mut g.summary.stats;
            match old {
                GoState::Running => {
                    s.exec = s.exec.wrapping_add(t.wrapping_sub(p.last_start));
                    p.last_start = 0;
                }
                GoState::Waiting if p.last_block != 0 => {
                    s.block_by_reason
                        .add(p.last_block_reason, t.wrapping_sub(p.last_block));
                    p.last_block = 0;
                }
                GoState::Runnable if p.last_runnable != 0 => {
                    s.sched_wait = s.sched_wait.wrapping_add(t.wrapping_sub(p.last_runnable));
                    p.last_runnable = 0;
                }
                GoState::Syscall if p.last_syscall != 0 => {
                    if p.last_syscall_block != 0 {
                        s.syscall_block = s
                            .syscall_block
                            .wrapping_add(t.wrapping_sub(p.last_syscall_block));
                        s.syscall = s
                            .syscall
                            .wrapping_add(p.last_syscall_block.wrapping_sub(p.last_syscall));
                    } else {
                        s.syscall = s.syscall.wrapping_add(t.wrapping_sub(p.last_syscall));
                    }
                    p.last_syscall = 0;
                    p.last_syscall_block = 0;
                    if let Some(pid) = self.syscalling_g.remove(&id) {
                        self.syscalling_p.remove(&pid);
                    }
                }
                _ => {}
            }
        }
        if g.summary.name.is_empty()
            && let Some(stack) = &st.stack
            && let Some(f) = stack.frames().last()
        {
            g.summary.pc = f.pc;
            g.summary.name = self.func_names.get(f.func);
        }
        match new {
            GoState::Running => {
                g.p().last_start = t;
                if g.summary.start_time == 0 {
                    g.summary.start_time = t;
                }
            }
            GoState::Runnable => g.p().last_runnable = t,
            GoState::Waiting if st.reason != b"forever" => {
                let p = g.p();
                p.last_block = t;
                p.last_block_reason = reason;
            }
            GoState::Waiting | GoState::NotExist => {
                g.finalize(t, Some(EventRef::of(ev)));
                // The regions it closed join the packed ones, so that any ended later
                // (a goroutine that blocks "forever" can still run in an odd trace) come
                // after them, in Go's order.
                for r in std::mem::take(&mut g.summary.regions) {
                    self.packed.push_region(&mut g.regions, &g.summary, &r);
                }
                // Go finalizes every goroutine again at the end of the trace, which for
                // one that exited changes nothing unless its total is 0 (then the end
                // of the trace is its end): pack the others now, to keep their bytes
                // rather than their structs.
                if new == GoState::NotExist && g.summary.stats.total != 0 {
                    let at = self.packed.push(&g.summary, &g.regions);
                    self.gs.insert(id, Slot::Packed(at));
                }
            }
            GoState::Syscall => {
                self.syscalling_p.insert(ev.proc(), id);
                self.syscalling_g.insert(id, ev.proc());
                g.p().last_syscall = t;
            }
            _ => {}
        }
    }

    fn range_event(&mut self, ev: &Event<'_>) {
        let Some(r) = ev.range() else { return };
        let mut name_bytes = Vec::new();
        r.name.write_to(&mut name_bytes);
        let name = self.names.intern(&name_bytes);
        let goid = match (ev.kind(), r.scope) {
            (Kind::RangeBegin | Kind::RangeActive, Resource::Goroutine(g)) => Some(g),
            (Kind::RangeBegin | Kind::RangeActive, Resource::Proc(p)) => {
                let g = ev.goroutine();
                if self.gs.contains_key(&g) {
                    self.ranges_p.insert((p, name), g);
                }
                Some(g)
            }
            (Kind::RangeEnd, Resource::Goroutine(g)) => Some(g),
            (Kind::RangeEnd, Resource::Proc(p)) => match self.ranges_p.remove(&(p, name)) {
                Some(g) if g == ev.goroutine() => Some(g),
                _ => None,
            },
            _ => None,
        };
        let sync_ts = self.sync_ts;
        let Some(g) = goid.and_then(|id| live(&mut self.gs, &mut self.packed, id)) else {
            return;
        };
        let p = g.pending.get_or_insert_with(Pending::default);
        match ev.kind() {
            Kind::RangeActive => {
                let ts = p.range_start(name);
                if ts != 0 {
                    g.summary
                        .stats
                        .range_time
                        .add(name, sync_ts.wrapping_sub(ts));
                }
                p.set_range_start(name, sync_ts);
            }
            Kind::RangeBegin => p.set_range_start(name, ev.time()),
            _ => {
                let ts = p.range_start(name);
                if ts == 0 {
                    return;
                }
                g.summary
                    .stats
                    .range_time
                    .add(name, ev.time().wrapping_sub(ts));
                p.last_range.retain(|(k, _)| *k != name);
            }
        }
    }

    /// Finishes: closes what is still open at the last event (Go's `Finalize`).
    pub fn finish(mut self) -> Summary {
        let last = self.last_ts;
        let mut packed = std::mem::take(&mut self.packed);
        let gs = std::mem::take(&mut self.gs);
        let mut ids = Vec::with_capacity(gs.len());
        let mut offsets = I64Column::new();
        gs.drain_ascending(|id, slot| {
            let at = match slot {
                Slot::Packed(at) => at,
                Slot::Live(mut g) => {
                    g.finalize(last, None);
                    packed.push(&g.summary, &g.regions)
                }
            };
            ids.push(id);
            offsets.push(at as i64);
        });
        Summary {
            goroutines: packed.finish_ascending(ids, offsets),
            tasks: {
                let mut packed = std::mem::take(&mut self.packed_tasks);
                let mut records = Vec::with_capacity(self.tasks.len());
                std::mem::take(&mut self.tasks).drain_ascending(|id, slot| {
                    let at = match slot {
                        TaskSlot::Live(t) => packed.pack(&t),
                        TaskSlot::Packed(at) => at,
                    };
                    // Task IDs are u64; the cast is one-to-one.
                    records.push((id as u64, at));
                });
                packed.finish(records)
            },
            names: self.names,
            frames: self.frames,
            first_time: self.first_ts.unwrap_or(0),
            last_time: self.last_ts,
        }
    }
}

impl Consumer for Summarizer {
    fn event(&mut self, ev: &Event<'_>) {
        if self.sync_ts == 0 {
            self.sync_ts = ev.time();
        }
        self.first_ts.get_or_insert(ev.time());
        self.last_ts = ev.time();
        match ev.kind() {
            Kind::Sync => self.sync_ts = ev.time(),
            Kind::StateTransition => {
                let Some(st) = ev.state_transition() else {
                    return;
                };
                match st.resource {
                    Resource::Goroutine(id) => {
                        let (old, new) = st.goroutine().expect("goroutine transition");
                        if old != new {
                            self.goroutine_transition(ev, &st, id, old, new);
                        }
                    }
                    Resource::Proc(id) => {
                        let (old, new) = st.proc().expect("proc transition");
                        if old != new
                            && new == ProcState::Idle
                            && let Some(goid) = self.syscalling_p.remove(&id)
                            && let Some(g) = live(&mut self.gs, &mut self.packed, goid)
                        {
                            g.p().last_syscall_block = ev.time();
                        }
                    }
                    _ => {}
                }
            }
            Kind::RangeBegin | Kind::RangeActive | Kind::RangeEnd => self.range_event(ev),
            Kind::RegionBegin => {
                let Some(r) = ev.region() else { return };
                let goid = ev.goroutine();
                if !self.gs.contains_key(&goid) {
                    return;
                }
                let frame = self.top_frame(ev);
                let Some(g) = live(&mut self.gs, &mut self.packed, goid) else {
                    return;
                };
                let region = RegionSummary {
                    task: r.task,
                    name: self.region_names.get(r.typ),
                    start: Some(EventRef::of(ev)),
                    end: None,
                    stats: g.snapshot(ev.time()),
                    frame,
                };
                g.p().active_regions.push(region);
                let key = RegionKey {
                    start: Some(ev.time()),
                    end: None,
                };
                super::push_compact(&mut self.task(r.task).regions, (goid, key));
                self.task_add_goroutine(r.task, goid);
            }
            Kind::RegionEnd => {
                let Some(r) = ev.region() else { return };
                let goid = ev.goroutine();
                let Some(g) = live(&mut self.gs, &mut self.packed, goid) else {
                    return;
                };
                let snap = g.snapshot(ev.time());
                let open = g.pending.as_mut().and_then(|p| p.active_regions.pop());
                let fabricated = open.is_none();
                let mut sd = open.unwrap_or_else(|| RegionSummary {
                    task: r.task,
                    name: self.region_names.get(r.typ),
                    start: None,
                    end: None,
                    stats: ExecStats::default(),
                    frame: None,
                });
                sd.stats = snap.sub(&sd.stats);
                sd.end = Some(EventRef::of(ev));
                let task = sd.task;
                self.packed.push_region(&mut g.regions, &g.summary, &sd);
                if fabricated {
                    let key = RegionKey {
                        start: None,
                        end: Some(ev.time()),
                    };
                    super::push_compact(&mut self.task(task).regions, (goid, key));
                    self.task_add_goroutine(task, goid);
                }
            }
            Kind::TaskBegin | Kind::TaskEnd => {
                let Some(t) = ev.task() else { return };
                let goid = ev.goroutine();
                let name = self.task_types.get(t.typ);
                let at = EventRef::of(ev);
                let begin = ev.kind() == Kind::TaskBegin;
                {
                    let task = self.task(t.id);
                    task.name = name;
                    if begin {
                        task.start = Some(at);
                    } else {
                        task.end = Some(at);
                    }
                }
                self.task_add_goroutine(t.id, goid);
                if t.parent != crate::trace::event::NO_TASK && self.task(t.id).parent.is_none() {
                    self.task(t.id).parent = Some(t.parent);
                    super::push_compact(&mut self.task(t.parent).children, t.id);
                }
                if !begin {
                    self.pack_task(t.id);
                }
            }
            Kind::Log => {
                let Some(l) = ev.log() else { return };
                let goid = ev.goroutine();
                self.task_add_goroutine(l.task, goid);
                let entry = (
                    EventRef::of(ev),
                    self.log_categories.get(l.category),
                    String::from_utf8_lossy(l.message).into(),
                );
                super::push_compact(&mut self.task(l.task).logs, entry);
            }
            _ => {}
        }
    }
}

/// Goroutines sharing a start function, as the goroutine analysis page groups them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The start function (empty for goroutines never seen with a stack).
    pub name: String,
    /// Member goroutine IDs, ascending.
    pub goroutines: Vec<i64>,
    /// Total execution time of the members.
    pub exec: i64,
}

/// Groups goroutines by start function, sorted by total execution time, largest first
/// (ties by name, where Go's order is unspecified).
pub fn groups(summary: &Summary) -> Vec<Group> {
    let mut by_name: BTreeMap<Name, Group> = BTreeMap::new();
    for g in summary.goroutines.briefs() {
        let e = by_name.entry(g.name).or_insert_with_key(|name| Group {
            name: name.to_string(),
            goroutines: Vec::new(),
            exec: 0,
        });
        e.goroutines.push(g.id);
        e.exec = e.exec.wrapping_add(g.stats.exec);
    }
    let mut v: Vec<Group> = by_name.into_values().collect();
    v.sort_by(|a, b| b.exec.cmp(&a.exec).then_with(|| a.name.cmp(&b.name)));
    v
}

/// The seven columns of the classic goroutine analysis page, each an exact sum of the
/// columns Go computes today (see docs/analysis.md for the mapping).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Classic {
    /// Running on a P.
    pub execution: i64,
    /// Blocked on the network poller (block reason "network").
    pub network_wait: i64,
    /// Blocked on channels, select, mutexes and condition variables (block reasons
    /// containing "chan", "sync" or "select", as the sync blocking profile selects them).
    pub sync_block: i64,
    /// In a syscall after the P was taken away.
    pub blocking_syscall: i64,
    /// Runnable, waiting for a P.
    pub scheduler_wait: i64,
    /// Inside "GC incremental sweep" ranges.
    pub gc_sweeping: i64,
    /// Inside "GC mark assist" ranges and stop-the-world ranges of the GC.
    pub gc_pause: i64,
}

/// Labels of the classic columns, in page order.
pub const CLASSIC_COLUMNS: [&str; 7] = [
    "Execution",
    "Network wait",
    "Sync block",
    "Blocking syscall",
    "Scheduler wait",
    "GC sweeping",
    "GC pause",
];

impl Classic {
    /// The columns in page order.
    pub fn values(&self) -> [i64; 7] {
        [
            self.execution,
            self.network_wait,
            self.sync_block,
            self.blocking_syscall,
            self.scheduler_wait,
            self.gc_sweeping,
            self.gc_pause,
        ]
    }
}

/// Whether a block reason counts as synchronization (Go's sync profile filter).
pub fn is_sync_reason(reason: &str) -> bool {
    reason.contains("chan") || reason.contains("sync") || reason.contains("select")
}

/// The classic seven-way breakdown of a goroutine.
pub fn classic(summary: &Summary, s: &ExecStats) -> Classic {
    let mut c = Classic {
        execution: s.exec,
        blocking_syscall: s.syscall_block,
        scheduler_wait: s.sched_wait,
        ..Classic::default()
    };
    for (k, v) in s.block_by_reason.iter() {
        let reason = summary.names.get(k);
        if reason == "network" {
            c.network_wait += v;
        } else if is_sync_reason(reason) {
            c.sync_block += v;
        }
    }
    for (k, v) in s.range_time.iter() {
        let name = summary.names.get(k);
        if name == "GC incremental sweep" {
            c.gc_sweeping += v;
        } else if name == "GC mark assist"
            || name.starts_with("stop-the-world") && name.contains("GC")
        {
            c.gc_pause += v;
        }
    }
    c
}

/// The distribution of one column across the goroutines of a group.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Distribution {
    /// Smallest.
    pub min: i64,
    /// Mean (rounded toward zero).
    pub mean: i64,
    /// Median.
    pub p50: i64,
    /// 90th percentile.
    pub p90: i64,
    /// 99th percentile.
    pub p99: i64,
    /// Largest.
    pub max: i64,
}

/// Nearest-rank percentiles of `values` (empty → all zero), which it reorders.
pub fn distribution(values: &mut [i64]) -> Distribution {
    if values.is_empty() {
        return Distribution::default();
    }
    let n = values.len();
    let (mut min, mut max, mut sum) = (i64::MAX, i64::MIN, 0i128);
    for &v in values.iter() {
        min = min.min(v);
        max = max.max(v);
        sum += v as i128;
    }
    let mean = (sum / n as i128) as i64;
    if min == max {
        // A column of one value (often all zeros): nothing to select.
        return Distribution {
            min,
            mean,
            p50: min,
            p90: min,
            p99: min,
            max,
        };
    }
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    let rank = |p: f64| ((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1;
    let (r50, r90, r99) = (rank(50.0), rank(90.0), rank(99.0));
    // Selection, not a sort: a group of 360,000 goroutines has a dozen columns, and each
    // selection leaves the smaller ranks below it for the next.
    let p99 = *values.select_nth_unstable(r99).1;
    let p90 = *values[..=r99].select_nth_unstable(r90).1;
    let p50 = *values[..=r90].select_nth_unstable(r50).1;
    Distribution {
        min,
        mean,
        p50,
        p90,
        p99,
        max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<i64> = (1..=100).rev().collect();
        let d = distribution(&mut v);
        assert_eq!((d.min, d.p50, d.p90, d.p99, d.max), (1, 50, 90, 99, 100));
        assert_eq!(d.mean, 50);
        let d = distribution(&mut [7]);
        assert_eq!((d.min, d.p50, d.p99, d.max, d.mean), (7, 7, 7, 7, 7));
        assert_eq!(distribution(&mut []), Distribution::default());
    }

    #[test]
    fn percentiles_by_selection_equal_those_of_a_sorted_list() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut cases: Vec<Vec<i64>> = (1..300)
            .chain([1_000, 4_097, 20_000])
            .map(|n| {
                (0..n)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        // Many ties, negatives and extremes.
                        match x % 16 {
                            0 => i64::MIN,
                            1 => i64::MAX,
                            _ => (x % 50) as i64 - 10,
                        }
                    })
                    .collect()
            })
            .collect();
        // Columns of one value, as most of a group's are.
        cases.extend([
            vec![0; 5_000],
            vec![-3; 2],
            vec![i64::MAX; 7],
            vec![i64::MIN; 9],
        ]);
        for v in cases {
            let n = v.len();
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let at = |p: f64| sorted[((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1];
            let sum: i128 = v.iter().map(|&a| a as i128).sum();
            let want = Distribution {
                min: sorted[0],
                mean: (sum / n as i128) as i64,
                p50: at(50.0),
                p90: at(90.0),
                p99: at(99.0),
                max: sorted[n - 1],
            };
            assert_eq!(distribution(&mut v.clone()), want, "n {n}");
        }
    }

    #[test]
    fn system_goroutines_are_runtime_ones_except_main() {
        assert!(is_system_goroutine("runtime.bgsweep"));
        assert!(is_system_goroutine(""));
        assert!(!is_system_goroutine("runtime.main"));
        assert!(!is_system_goroutine("main.main"));
    }

    #[test]
    fn sync_reasons_follow_the_sync_profile_filter() {
        for r in [
            "chan send",
            "chan receive",
            "select",
            "sync",
            "sync.(*Cond).Wait",
        ] {
            assert!(is_sync_reason(r), "{r}");
        }
        for r in ["network", "sleep", "GC mark assist wait for work", ""] {
            assert!(!is_sync_reason(r), "{r}");
        }
    }
}
