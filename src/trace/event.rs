//! The public event model, mirroring Go's `trace.Event` API (`event.go`, `resources.go`):
//! a kind, a time, the M/P/G context, and kind-specific views decoded on demand from the
//! raw arguments and the generation's tables.

use std::fmt;
use std::sync::Arc;

use super::spec::{self, EventType, ev, go_status, proc_status};
use super::tables::{ClockSnapshot, ExperimentalBatch, Frame, NO_ID, Tables};

/// Go's internal event type of Sync events (`evSync = ^EventType(0)`).
pub(crate) const EV_SYNC: EventType = 0xff;

/// An event as the batch cursor reads it: type, time (ns) and up to four arguments after
/// the timestamp delta. The ordering writes derived values into spare argument slots, as
/// Go's parser does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BaseEvent {
    pub typ: EventType,
    pub time: i64,
    pub args: [u64; 4],
}

impl BaseEvent {
    /// The index of the first spare argument slot (Go's `extra(version.Go122)`).
    #[inline]
    pub fn extra_index(&self) -> usize {
        spec::spec(self.typ).args.len().saturating_sub(1)
    }

    /// Sets spare argument slot `i`.
    #[inline]
    pub fn set_extra(&mut self, i: usize, v: u64) {
        let idx = self.extra_index() + i;
        if let Some(slot) = self.args.get_mut(idx) {
            *slot = v;
        }
    }

    /// Reads spare argument slot `i`.
    #[inline]
    pub fn extra(&self, i: usize) -> u64 {
        self.args.get(self.extra_index() + i).copied().unwrap_or(0)
    }
}

/// The thread, proc and goroutine an event happened on (−1 for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchedCtx {
    /// Goroutine ID, or −1.
    pub g: i64,
    /// Proc ID, or −1.
    pub p: i64,
    /// Thread ID, or −1.
    pub m: i64,
}

impl SchedCtx {
    /// No thread, proc or goroutine.
    pub const NONE: SchedCtx = SchedCtx {
        g: NO_ID,
        p: NO_ID,
        m: NO_ID,
    };
}

/// What sort of event this is (Go's `EventKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Not a valid event.
    Bad,
    /// A generation boundary.
    Sync,
    /// A metric sample (GOMAXPROCS, heap size, heap goal).
    Metric,
    /// A goroutine label.
    Label,
    /// A CPU profile sample.
    StackSample,
    /// A range begins.
    RangeBegin,
    /// A range was already in progress at the start of the generation.
    RangeActive,
    /// A range ends.
    RangeEnd,
    /// A user task begins.
    TaskBegin,
    /// A user task ends.
    TaskEnd,
    /// A user region begins.
    RegionBegin,
    /// A user region ends.
    RegionEnd,
    /// A user log message.
    Log,
    /// A goroutine or proc changes state.
    StateTransition,
    /// An experimental event.
    Experimental,
}

impl Kind {
    /// The kind of a wire event type (Go's `tracev2Type2Kind`).
    pub fn of(typ: EventType) -> Kind {
        match typ {
            EV_SYNC => Kind::Sync,
            ev::CPU_SAMPLE => Kind::StackSample,
            ev::PROCS_CHANGE | ev::HEAP_ALLOC | ev::HEAP_GOAL => Kind::Metric,
            ev::PROC_START
            | ev::PROC_STOP
            | ev::PROC_STEAL
            | ev::PROC_STATUS
            | ev::GO_CREATE
            | ev::GO_CREATE_SYSCALL
            | ev::GO_START
            | ev::GO_DESTROY
            | ev::GO_DESTROY_SYSCALL
            | ev::GO_STOP
            | ev::GO_BLOCK
            | ev::GO_UNBLOCK
            | ev::GO_SYSCALL_BEGIN
            | ev::GO_SYSCALL_END
            | ev::GO_SYSCALL_END_BLOCKED
            | ev::GO_STATUS
            | ev::GO_SWITCH
            | ev::GO_SWITCH_DESTROY
            | ev::GO_CREATE_BLOCKED
            | ev::GO_STATUS_STACK => Kind::StateTransition,
            ev::STW_BEGIN | ev::GC_BEGIN | ev::GC_SWEEP_BEGIN | ev::GC_MARK_ASSIST_BEGIN => {
                Kind::RangeBegin
            }
            ev::GC_ACTIVE | ev::GC_SWEEP_ACTIVE | ev::GC_MARK_ASSIST_ACTIVE => Kind::RangeActive,
            ev::STW_END | ev::GC_END | ev::GC_SWEEP_END | ev::GC_MARK_ASSIST_END => Kind::RangeEnd,
            ev::GO_LABEL => Kind::Label,
            ev::USER_TASK_BEGIN => Kind::TaskBegin,
            ev::USER_TASK_END => Kind::TaskEnd,
            ev::USER_REGION_BEGIN => Kind::RegionBegin,
            ev::USER_REGION_END => Kind::RegionEnd,
            ev::USER_LOG => Kind::Log,
            ev::SPAN..=ev::GOROUTINE_STACK_FREE => Kind::Experimental,
            _ => Kind::Bad,
        }
    }

    /// Go's name of the kind.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bad => "Bad",
            Kind::Sync => "Sync",
            Kind::Metric => "Metric",
            Kind::Label => "Label",
            Kind::StackSample => "StackSample",
            Kind::RangeBegin => "RangeBegin",
            Kind::RangeActive => "RangeActive",
            Kind::RangeEnd => "RangeEnd",
            Kind::TaskBegin => "TaskBegin",
            Kind::TaskEnd => "TaskEnd",
            Kind::RegionBegin => "RegionBegin",
            Kind::RegionEnd => "RegionEnd",
            Kind::Log => "Log",
            Kind::StateTransition => "StateTransition",
            Kind::Experimental => "Experimental",
        }
    }
}

/// A goroutine's state (Go's `GoState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GoState {
    /// Nothing is known: the goroutine existed before the trace could see it.
    Undetermined,
    /// Does not exist (before creation, after exit).
    NotExist,
    /// Ready to run, waiting for a P.
    Runnable,
    /// Running on a P.
    Running,
    /// Blocked.
    Waiting,
    /// In a system call.
    Syscall,
    /// An invalid value.
    Bad,
}

impl GoState {
    /// From Go's numeric value.
    pub fn from_u64(v: u64) -> GoState {
        match v {
            0 => GoState::Undetermined,
            1 => GoState::NotExist,
            2 => GoState::Runnable,
            3 => GoState::Running,
            4 => GoState::Waiting,
            5 => GoState::Syscall,
            _ => GoState::Bad,
        }
    }

    /// The state a wire goroutine status maps to (Go's `tracev2GoStatus2GoState`).
    pub fn from_wire(status: u64) -> GoState {
        match status {
            go_status::RUNNABLE => GoState::Runnable,
            go_status::RUNNING => GoState::Running,
            go_status::WAITING => GoState::Waiting,
            go_status::SYSCALL => GoState::Syscall,
            _ => GoState::Undetermined,
        }
    }

    /// Whether the goroutine holds a thread (running or in a syscall).
    pub fn executing(self) -> bool {
        matches!(self, GoState::Running | GoState::Syscall)
    }

    /// Go's name of the state.
    pub fn name(self) -> &'static str {
        match self {
            GoState::Undetermined => "Undetermined",
            GoState::NotExist => "NotExist",
            GoState::Runnable => "Runnable",
            GoState::Running => "Running",
            GoState::Waiting => "Waiting",
            GoState::Syscall => "Syscall",
            GoState::Bad => "Bad",
        }
    }
}

/// A proc's state (Go's `ProcState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProcState {
    /// Nothing is known.
    Undetermined,
    /// Does not exist.
    NotExist,
    /// Running (has an M).
    Running,
    /// Idle.
    Idle,
    /// An invalid value.
    Bad,
}

impl ProcState {
    /// From Go's numeric value.
    pub fn from_u64(v: u64) -> ProcState {
        match v {
            0 => ProcState::Undetermined,
            1 => ProcState::NotExist,
            2 => ProcState::Running,
            3 => ProcState::Idle,
            _ => ProcState::Bad,
        }
    }

    /// The state a wire proc status maps to (Go's `tracev2ProcStatus2ProcState`).
    pub fn from_wire(status: u64) -> ProcState {
        match status {
            proc_status::RUNNING | proc_status::SYSCALL => ProcState::Running,
            proc_status::IDLE | proc_status::SYSCALL_ABANDONED => ProcState::Idle,
            _ => ProcState::Undetermined,
        }
    }

    /// Go's name of the state.
    pub fn name(self) -> &'static str {
        match self {
            ProcState::Undetermined => "Undetermined",
            ProcState::NotExist => "NotExist",
            ProcState::Running => "Running",
            ProcState::Idle => "Idle",
            ProcState::Bad => "Bad",
        }
    }
}

/// What a state transition, range or label applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Nothing in particular (global ranges).
    None,
    /// A goroutine.
    Goroutine(i64),
    /// A proc.
    Proc(i64),
    /// A thread.
    Thread(i64),
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resource::None => write!(f, "None"),
            Resource::Goroutine(id) => write!(f, "Goroutine({id})"),
            Resource::Proc(id) => write!(f, "Proc({id})"),
            Resource::Thread(id) => write!(f, "Thread({id})"),
        }
    }
}

/// A stack of an event, resolved through its generation's tables.
#[derive(Debug, Clone, Copy)]
pub struct Stack<'e, 'a> {
    table: &'e Tables<'a>,
    id: u64,
}

impl<'e, 'a> Stack<'e, 'a> {
    /// The stack's ID within its generation.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The frames, innermost first.
    pub fn frames(&self) -> impl ExactSizeIterator<Item = Frame<'a>> + 'e {
        let table = self.table;
        let pcs = if self.id == 0 {
            &[][..]
        } else {
            table.stack_pcs(self.id)
        };
        pcs.iter().map(move |&pc| table.frame(pc))
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.frames().len()
    }

    /// Whether there are no frames.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A metric sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// Go's metric name, e.g. `/sched/gomaxprocs:threads`.
    pub name: &'static str,
    /// The value.
    pub value: u64,
}

/// Names of GOMAXPROCS, heap-allocated and heap-goal metrics.
pub mod metric_names {
    /// GOMAXPROCS.
    pub const GOMAXPROCS: &str = "/sched/gomaxprocs:threads";
    /// Live heap bytes.
    pub const HEAP_ALLOC: &str = "/memory/classes/heap/objects:bytes";
    /// Heap goal bytes.
    pub const HEAP_GOAL: &str = "/gc/heap/goal:bytes";
}

/// A goroutine label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label<'a> {
    /// The label text.
    pub label: &'a [u8],
    /// The labelled goroutine.
    pub resource: Resource,
}

/// The name of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangeName<'a> {
    /// "GC concurrent mark phase".
    GcMark,
    /// "GC incremental sweep".
    GcSweep,
    /// "GC mark assist".
    GcMarkAssist,
    /// "stop-the-world (KIND)".
    StopTheWorld(&'a [u8]),
}

impl RangeName<'_> {
    /// The name as bytes into `out` (Go's `Range.Name`).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            RangeName::GcMark => out.extend_from_slice(b"GC concurrent mark phase"),
            RangeName::GcSweep => out.extend_from_slice(b"GC incremental sweep"),
            RangeName::GcMarkAssist => out.extend_from_slice(b"GC mark assist"),
            RangeName::StopTheWorld(kind) => {
                out.extend_from_slice(b"stop-the-world (");
                out.extend_from_slice(kind);
                out.push(b')');
            }
        }
    }

    /// The name as a string (lossy for invalid UTF-8).
    pub fn to_string_lossy(&self) -> String {
        let mut v = Vec::new();
        self.write_to(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    }
}

/// A range event's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range<'a> {
    /// What kind of range.
    pub name: RangeName<'a>,
    /// What it applies to.
    pub scope: Resource,
}

/// A user task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task<'a> {
    /// Task ID.
    pub id: u64,
    /// Parent task ID, or [`NO_TASK`].
    pub parent: u64,
    /// Task type (the name passed to `trace.NewTask`).
    pub typ: &'a [u8],
}

/// Go's `NoTask`.
pub const NO_TASK: u64 = u64::MAX;

/// A user region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region<'a> {
    /// The task it belongs to (0 for the background task).
    pub task: u64,
    /// Region type (its name).
    pub typ: &'a [u8],
}

/// A user log message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Log<'a> {
    /// The task it belongs to.
    pub task: u64,
    /// Category (key).
    pub category: &'a [u8],
    /// Message.
    pub message: &'a [u8],
}

/// A state transition of a goroutine or proc.
#[derive(Debug, Clone, Copy)]
pub struct StateTransition<'e, 'a> {
    /// The goroutine or proc.
    pub resource: Resource,
    /// Old state (goroutine states are numbered as [`GoState`], procs as [`ProcState`]).
    pub from: u64,
    /// New state.
    pub to: u64,
    /// Why (block or stop reason), empty if none.
    pub reason: &'a [u8],
    /// The stack associated with the resource: where it blocked, or the creation stack.
    pub stack: Option<Stack<'e, 'a>>,
}

impl StateTransition<'_, '_> {
    /// For goroutine transitions: old and new state.
    #[inline]
    pub fn goroutine(&self) -> Option<(GoState, GoState)> {
        match self.resource {
            Resource::Goroutine(_) => {
                Some((GoState::from_u64(self.from), GoState::from_u64(self.to)))
            }
            _ => None,
        }
    }

    /// For proc transitions: old and new state.
    pub fn proc(&self) -> Option<(ProcState, ProcState)> {
        match self.resource {
            Resource::Proc(_) => {
                Some((ProcState::from_u64(self.from), ProcState::from_u64(self.to)))
            }
            _ => None,
        }
    }
}

/// A Sync event's view: generation boundary data.
#[derive(Debug, Clone)]
pub struct Sync<'e, 'a> {
    /// Sequence number of this Sync, from 1.
    pub n: u64,
    /// The generation's clock snapshot (Go 1.25+).
    pub clock_snapshot: Option<ClockSnapshot>,
    /// The generation's experimental batches.
    pub experimental_batches: &'e [ExperimentalBatch<'a>],
}

/// An experimental event's view.
#[derive(Debug, Clone, Copy)]
pub struct Experimental {
    /// Event name.
    pub name: &'static str,
    /// Experiment name.
    pub experiment: &'static str,
    /// Argument names (after the timestamp).
    pub arg_names: &'static [&'static str],
    /// Argument values.
    pub args: [u64; 4],
}

/// One event of the ordered stream.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub(crate) base: BaseEvent,
    pub(crate) ctx: SchedCtx,
    pub(crate) table: Option<Arc<Tables<'a>>>,
    /// The task type of a UserTaskEnd (Go smuggles it through an extra-strings table).
    pub(crate) task_type: &'a [u8],
    /// File offset of the wire event this event came from (of the generation for Sync
    /// events and CPU samples).
    pub(crate) offset: u64,
}

impl<'a> Event<'a> {
    /// The event packed to be handed to another thread, and what it leaves out: its
    /// generation's tables (copying the reference would count it, an atomic operation,
    /// per event) and the task type of a UserTaskEnd.
    pub(crate) fn compact(&self) -> (CompactEvent, Option<&Arc<Tables<'a>>>, &'a [u8]) {
        let c = CompactEvent {
            time: self.base.time,
            args: self.base.args,
            ctx: self.ctx,
            offset: self.offset,
            typ: self.base.typ,
            has_table: self.table.is_some(),
            has_task_type: !self.task_type.is_empty(),
        };
        (c, self.table.as_ref(), self.task_type)
    }
}

/// An [`Event`] in 80 bytes instead of 112, without its tables and task type: tens of
/// millions of them go from the decoding thread to [`crate::analysis::run_split`]'s
/// worker, and every byte written on one core and read on the other costs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CompactEvent {
    time: i64,
    args: [u64; 4],
    ctx: SchedCtx,
    offset: u64,
    typ: EventType,
    has_table: bool,
    has_task_type: bool,
}

impl CompactEvent {
    /// Whether the event had a task type, to be given back.
    pub(crate) fn has_task_type(&self) -> bool {
        self.has_task_type
    }

    /// The event again, with `task_type` and, if it had tables, `table` lent for `f`
    /// and taken back, so that no reference is counted.
    pub(crate) fn with_event<'a, R>(
        &self,
        task_type: &'a [u8],
        table: &mut Option<Arc<Tables<'a>>>,
        f: impl FnOnce(&Event<'a>) -> R,
    ) -> R {
        let mut ev = Event {
            base: BaseEvent {
                typ: self.typ,
                time: self.time,
                args: self.args,
            },
            ctx: self.ctx,
            table: if self.has_table { table.take() } else { None },
            task_type,
            offset: self.offset,
        };
        let r = f(&ev);
        if self.has_table {
            *table = ev.table.take();
        }
        r
    }
}

impl Default for Event<'_> {
    /// An invalid placeholder event (kind Bad), for reusable buffers.
    fn default() -> Self {
        Event {
            base: BaseEvent::default(),
            ctx: SchedCtx::NONE,
            table: None,
            task_type: b"",
            offset: 0,
        }
    }
}

impl<'a> Event<'a> {
    /// The kind.
    pub fn kind(&self) -> Kind {
        Kind::of(self.base.typ)
    }

    /// The wire event type (255 for Sync).
    pub fn wire_type(&self) -> EventType {
        self.base.typ
    }

    /// Time in nanoseconds (the runtime's monotonic clock; strictly increasing).
    pub fn time(&self) -> i64 {
        self.base.time
    }

    /// The goroutine the event happened on, or −1.
    pub fn goroutine(&self) -> i64 {
        self.ctx.g
    }

    /// The proc the event happened on, or −1.
    pub fn proc(&self) -> i64 {
        self.ctx.p
    }

    /// The thread the event happened on, or −1.
    pub fn thread(&self) -> i64 {
        self.ctx.m
    }

    /// The M/P/G context.
    pub fn context(&self) -> SchedCtx {
        self.ctx
    }

    /// File offset of the wire event this event came from (for Sync events and CPU
    /// samples: of their generation's first batch).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The generation tables this event resolves against (none for some Sync events).
    pub fn tables(&self) -> Option<&Tables<'a>> {
        self.table.as_deref()
    }

    /// The generation the event belongs to (0 for Sync events without tables).
    pub fn generation(&self) -> u64 {
        self.table.as_ref().map_or(0, |t| t.generation)
    }

    fn string(&self, id: u64) -> &'a [u8] {
        self.table
            .as_ref()
            .and_then(|t| t.string(id))
            .unwrap_or(b"")
    }

    fn stack_of(&self, id: u64) -> Option<Stack<'_, 'a>> {
        let table = self.table.as_deref()?;
        (id != 0).then_some(Stack { table, id })
    }

    /// The event's own stack (Go's `Event.Stack()`), if it has one.
    pub fn stack(&self) -> Option<Stack<'_, 'a>> {
        match self.base.typ {
            EV_SYNC => None,
            ev::CPU_SAMPLE => self.stack_of(self.base.args[0]),
            t => {
                let s = spec::spec(t);
                let i = *s.stack_ids.first()?;
                self.stack_of(self.base.args[i - 1])
            }
        }
    }

    /// The metric, for Metric events.
    pub fn metric(&self) -> Option<Metric> {
        let name = match self.base.typ {
            ev::PROCS_CHANGE => metric_names::GOMAXPROCS,
            ev::HEAP_ALLOC => metric_names::HEAP_ALLOC,
            ev::HEAP_GOAL => metric_names::HEAP_GOAL,
            _ => return None,
        };
        Some(Metric {
            name,
            value: self.base.args[0],
        })
    }

    /// The label, for Label events.
    pub fn label(&self) -> Option<Label<'a>> {
        (self.base.typ == ev::GO_LABEL).then(|| Label {
            label: self.string(self.base.args[0]),
            resource: Resource::Goroutine(self.ctx.g),
        })
    }

    /// The range, for RangeBegin/Active/End events.
    pub fn range(&self) -> Option<Range<'a>> {
        let a = &self.base.args;
        Some(match self.base.typ {
            ev::STW_BEGIN | ev::STW_END => Range {
                name: RangeName::StopTheWorld(self.string(a[0])),
                scope: Resource::Goroutine(self.ctx.g),
            },
            ev::GC_BEGIN | ev::GC_ACTIVE | ev::GC_END => Range {
                name: RangeName::GcMark,
                scope: Resource::None,
            },
            ev::GC_SWEEP_ACTIVE => Range {
                name: RangeName::GcSweep,
                scope: Resource::Proc(a[0] as i64),
            },
            ev::GC_SWEEP_BEGIN | ev::GC_SWEEP_END => Range {
                name: RangeName::GcSweep,
                scope: Resource::Proc(self.ctx.p),
            },
            ev::GC_MARK_ASSIST_ACTIVE => Range {
                name: RangeName::GcMarkAssist,
                scope: Resource::Goroutine(a[0] as i64),
            },
            ev::GC_MARK_ASSIST_BEGIN | ev::GC_MARK_ASSIST_END => Range {
                name: RangeName::GcMarkAssist,
                scope: Resource::Goroutine(self.ctx.g),
            },
            _ => return None,
        })
    }

    /// Attributes of a RangeEnd: for sweeps, bytes swept and bytes reclaimed.
    pub fn range_attributes(&self) -> Option<[(&'static str, u64); 2]> {
        (self.base.typ == ev::GC_SWEEP_END).then(|| {
            [
                ("bytes swept", self.base.args[0]),
                ("bytes reclaimed", self.base.args[1]),
            ]
        })
    }

    /// The task, for TaskBegin/TaskEnd events.
    pub fn task(&self) -> Option<Task<'a>> {
        let a = &self.base.args;
        match self.base.typ {
            ev::USER_TASK_BEGIN => Some(Task {
                id: a[0],
                parent: a[1],
                typ: self.string(a[2]),
            }),
            ev::USER_TASK_END => Some(Task {
                id: a[0],
                parent: self.base.extra(0),
                typ: self.task_type,
            }),
            _ => None,
        }
    }

    /// The region, for RegionBegin/RegionEnd events.
    pub fn region(&self) -> Option<Region<'a>> {
        matches!(self.base.typ, ev::USER_REGION_BEGIN | ev::USER_REGION_END).then(|| Region {
            task: self.base.args[0],
            typ: self.string(self.base.args[1]),
        })
    }

    /// The log message, for Log events.
    pub fn log(&self) -> Option<Log<'a>> {
        (self.base.typ == ev::USER_LOG).then(|| Log {
            task: self.base.args[0],
            category: self.string(self.base.args[1]),
            message: self.string(self.base.args[2]),
        })
    }

    /// The state transition, for StateTransition events.
    #[inline]
    pub fn state_transition(&self) -> Option<StateTransition<'_, 'a>> {
        let a = &self.base.args;
        let go = |id: i64, from: GoState, to: GoState| StateTransition {
            resource: Resource::Goroutine(id),
            from: from as u64,
            to: to as u64,
            reason: b"",
            stack: None,
        };
        let proc = |id: i64, from: ProcState, to: ProcState| StateTransition {
            resource: Resource::Proc(id),
            from: from as u64,
            to: to as u64,
            reason: b"",
            stack: None,
        };
        let g = self.ctx.g;
        Some(match self.base.typ {
            ev::PROC_START => proc(a[0] as i64, ProcState::Idle, ProcState::Running),
            ev::PROC_STOP => proc(self.ctx.p, ProcState::Running, ProcState::Idle),
            ev::PROC_STEAL => {
                let before = if self.base.extra(0) == proc_status::SYSCALL_ABANDONED {
                    ProcState::Idle
                } else {
                    ProcState::Running
                };
                proc(a[0] as i64, before, ProcState::Idle)
            }
            ev::PROC_STATUS => proc(
                a[0] as i64,
                ProcState::from_u64(self.base.extra(0)),
                ProcState::from_wire(a[1]),
            ),
            ev::GO_CREATE | ev::GO_CREATE_BLOCKED => {
                let to = if self.base.typ == ev::GO_CREATE_BLOCKED {
                    GoState::Waiting
                } else {
                    GoState::Runnable
                };
                let mut s = go(a[0] as i64, GoState::NotExist, to);
                // Go keeps the (possibly empty) creation stack even for ID 0.
                s.stack = self.table.as_deref().map(|table| Stack { table, id: a[1] });
                s
            }
            ev::GO_CREATE_SYSCALL => go(a[0] as i64, GoState::NotExist, GoState::Syscall),
            ev::GO_START => go(a[0] as i64, GoState::Runnable, GoState::Running),
            ev::GO_DESTROY => go(g, GoState::Running, GoState::NotExist),
            ev::GO_DESTROY_SYSCALL => go(g, GoState::Syscall, GoState::NotExist),
            ev::GO_STOP | ev::GO_BLOCK => {
                let to = if self.base.typ == ev::GO_STOP {
                    GoState::Runnable
                } else {
                    GoState::Waiting
                };
                let mut s = go(g, GoState::Running, to);
                s.reason = self.string(a[0]);
                s.stack = self.stack();
                s
            }
            ev::GO_UNBLOCK | ev::GO_SWITCH | ev::GO_SWITCH_DESTROY => {
                go(a[0] as i64, GoState::Waiting, GoState::Runnable)
            }
            ev::GO_SYSCALL_BEGIN => {
                let mut s = go(g, GoState::Running, GoState::Syscall);
                s.stack = self.stack();
                s
            }
            ev::GO_SYSCALL_END => go(g, GoState::Syscall, GoState::Running),
            ev::GO_SYSCALL_END_BLOCKED => go(g, GoState::Syscall, GoState::Runnable),
            ev::GO_STATUS | ev::GO_STATUS_STACK => {
                let packed = a[2];
                let mut s = go(
                    a[0] as i64,
                    GoState::from_u64(packed >> 32),
                    GoState::from_wire(packed & 0xffff_ffff),
                );
                s.stack = self.stack();
                s
            }
            _ => return None,
        })
    }

    /// The Sync view, for Sync events.
    pub fn sync_info(&self) -> Option<Sync<'_, 'a>> {
        (self.base.typ == EV_SYNC).then(|| Sync {
            n: self.base.args[0],
            clock_snapshot: self.table.as_ref().and_then(|t| t.clock_snapshot()),
            experimental_batches: self
                .table
                .as_deref()
                .map_or(&[][..], |t| &t.experimental[..]),
        })
    }

    /// The experimental view, for Experimental events.
    pub fn experimental(&self) -> Option<Experimental> {
        if self.kind() != Kind::Experimental {
            return None;
        }
        let s = spec::spec(self.base.typ);
        Some(Experimental {
            name: s.name,
            experiment: spec::experiment::name(s.experiment).unwrap_or(""),
            arg_names: &s.args[1..],
            args: self.base.args,
        })
    }
}
