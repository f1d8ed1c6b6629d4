//! The event tables of the generational trace format (Go 1.22+), as data.
//!
//! A port of Go's `internal/trace/tracev2` spec table: for every wire event type, its
//! name, its argument names (which fix how many uvarints follow the type byte), which
//! arguments are string or stack IDs, and how the event is framed. One table serves every
//! version; [`Version::max_event`] says where a version's slice of it ends.

use std::fmt;

/// A wire event type byte.
pub type EventType = u8;

/// The wire event types (`tracev2.Ev*`).
#[allow(missing_docs)]
pub mod ev {
    use super::EventType;
    pub const NONE: EventType = 0;
    pub const EVENT_BATCH: EventType = 1;
    pub const STACKS: EventType = 2;
    pub const STACK: EventType = 3;
    pub const STRINGS: EventType = 4;
    pub const STRING: EventType = 5;
    pub const CPU_SAMPLES: EventType = 6;
    pub const CPU_SAMPLE: EventType = 7;
    pub const FREQUENCY: EventType = 8;
    pub const PROCS_CHANGE: EventType = 9;
    pub const PROC_START: EventType = 10;
    pub const PROC_STOP: EventType = 11;
    pub const PROC_STEAL: EventType = 12;
    pub const PROC_STATUS: EventType = 13;
    pub const GO_CREATE: EventType = 14;
    pub const GO_CREATE_SYSCALL: EventType = 15;
    pub const GO_START: EventType = 16;
    pub const GO_DESTROY: EventType = 17;
    pub const GO_DESTROY_SYSCALL: EventType = 18;
    pub const GO_STOP: EventType = 19;
    pub const GO_BLOCK: EventType = 20;
    pub const GO_UNBLOCK: EventType = 21;
    pub const GO_SYSCALL_BEGIN: EventType = 22;
    pub const GO_SYSCALL_END: EventType = 23;
    pub const GO_SYSCALL_END_BLOCKED: EventType = 24;
    pub const GO_STATUS: EventType = 25;
    pub const STW_BEGIN: EventType = 26;
    pub const STW_END: EventType = 27;
    pub const GC_ACTIVE: EventType = 28;
    pub const GC_BEGIN: EventType = 29;
    pub const GC_END: EventType = 30;
    pub const GC_SWEEP_ACTIVE: EventType = 31;
    pub const GC_SWEEP_BEGIN: EventType = 32;
    pub const GC_SWEEP_END: EventType = 33;
    pub const GC_MARK_ASSIST_ACTIVE: EventType = 34;
    pub const GC_MARK_ASSIST_BEGIN: EventType = 35;
    pub const GC_MARK_ASSIST_END: EventType = 36;
    pub const HEAP_ALLOC: EventType = 37;
    pub const HEAP_GOAL: EventType = 38;
    pub const GO_LABEL: EventType = 39;
    pub const USER_TASK_BEGIN: EventType = 40;
    pub const USER_TASK_END: EventType = 41;
    pub const USER_REGION_BEGIN: EventType = 42;
    pub const USER_REGION_END: EventType = 43;
    pub const USER_LOG: EventType = 44;
    pub const GO_SWITCH: EventType = 45;
    pub const GO_SWITCH_DESTROY: EventType = 46;
    pub const GO_CREATE_BLOCKED: EventType = 47;
    pub const GO_STATUS_STACK: EventType = 48;
    pub const EXPERIMENTAL_BATCH: EventType = 49;
    pub const SYNC: EventType = 50;
    pub const CLOCK_SNAPSHOT: EventType = 51;
    pub const END_OF_GENERATION: EventType = 52;
    /// Last non-experimental event type any version may use.
    pub const MAX_EVENT: EventType = 127;
    pub const SPAN: EventType = 128;
    pub const SPAN_ALLOC: EventType = 129;
    pub const SPAN_FREE: EventType = 130;
    pub const HEAP_OBJECT: EventType = 131;
    pub const HEAP_OBJECT_ALLOC: EventType = 132;
    pub const HEAP_OBJECT_FREE: EventType = 133;
    pub const GOROUTINE_STACK: EventType = 134;
    pub const GOROUTINE_STACK_ALLOC: EventType = 135;
    pub const GOROUTINE_STACK_FREE: EventType = 136;
}

/// Experiment IDs of experimental batches and events.
pub mod experiment {
    /// No experiment (ordinary events and batches).
    pub const NONE: u8 = 0;
    /// The heap allocation/free experiment (`GODEBUG=traceallocfree=1`).
    pub const ALLOC_FREE: u8 = 1;

    /// The name Go gives an experiment (`tracev2.Experiments()`), if it knows it.
    pub fn name(id: u8) -> Option<&'static str> {
        match id {
            NONE => Some("None"),
            ALLOC_FREE => Some("AllocFree"),
            _ => None,
        }
    }
}

/// The maximum number of arguments of a timed event, including its timestamp delta.
pub const MAX_TIMED_EVENT_ARGS: usize = 5;
/// The largest batch body the format allows.
pub const MAX_BATCH_SIZE: u64 = 64 << 10;
/// The most frames one stack may have.
pub const MAX_FRAMES_PER_STACK: u64 = 128;
/// The longest string (or other trailing data) the format allows.
pub const MAX_EVENT_TRAILER_DATA_SIZE: u64 = 1 << 10;

/// How one wire event type is encoded and what its arguments mean.
#[derive(Debug, Clone, Copy)]
pub struct EventSpec {
    /// Go's name for the event (`"GoStart"`), empty for unused type bytes.
    pub name: &'static str,
    /// Argument names in wire order; `dt` first for timed events.
    pub args: &'static [&'static str],
    /// Indices into `args` of string IDs.
    pub string_ids: &'static [usize],
    /// Indices into `args` of stack IDs; the first one is the event's own stack.
    pub stack_ids: &'static [usize],
    /// For the end of a range, the event type that begins it.
    pub start_ev: EventType,
    /// Whether the event appears in M batches with a timestamp delta.
    pub is_timed: bool,
    /// Whether a uvarint length and that many raw bytes follow the arguments.
    pub has_data: bool,
    /// Whether `nframes × 4` uvarints (pc, func, file, line) follow the arguments.
    pub is_stack: bool,
    /// The experiment this event belongs to, or [`experiment::NONE`].
    pub experiment: u8,
}

const EMPTY: EventSpec = EventSpec {
    name: "",
    args: &[],
    string_ids: &[],
    stack_ids: &[],
    start_ev: ev::NONE,
    is_timed: false,
    has_data: false,
    is_stack: false,
    experiment: experiment::NONE,
};

const fn timed(name: &'static str, args: &'static [&'static str]) -> EventSpec {
    EventSpec {
        name,
        args,
        is_timed: true,
        ..EMPTY
    }
}

const fn structural(name: &'static str, args: &'static [&'static str]) -> EventSpec {
    EventSpec {
        name,
        args,
        ..EMPTY
    }
}

const fn with_stacks(mut s: EventSpec, stack_ids: &'static [usize]) -> EventSpec {
    s.stack_ids = stack_ids;
    s
}

const fn with_strings(mut s: EventSpec, string_ids: &'static [usize]) -> EventSpec {
    s.string_ids = string_ids;
    s
}

const fn ends(mut s: EventSpec, start_ev: EventType) -> EventSpec {
    s.start_ev = start_ev;
    s
}

const fn alloc_free(name: &'static str, args: &'static [&'static str]) -> EventSpec {
    let mut s = timed(name, args);
    s.experiment = experiment::ALLOC_FREE;
    s
}

/// The whole table, indexed by event type byte; unused bytes hold an empty spec.
pub static SPECS: [EventSpec; 256] = build_specs();

const fn build_specs() -> [EventSpec; 256] {
    let mut t = [EMPTY; 256];
    t[ev::EVENT_BATCH as usize] = structural("EventBatch", &["gen", "m", "time", "size"]);
    t[ev::STACKS as usize] = structural("Stacks", &[]);
    t[ev::STACK as usize] = EventSpec {
        is_stack: true,
        ..structural("Stack", &["id", "nframes"])
    };
    t[ev::STRINGS as usize] = structural("Strings", &[]);
    t[ev::STRING as usize] = EventSpec {
        has_data: true,
        ..structural("String", &["id"])
    };
    t[ev::CPU_SAMPLES as usize] = structural("CPUSamples", &[]);
    t[ev::CPU_SAMPLE as usize] = with_stacks(
        structural("CPUSample", &["time", "m", "p", "g", "stack"]),
        &[4],
    );
    t[ev::FREQUENCY as usize] = structural("Frequency", &["freq"]);
    t[ev::EXPERIMENTAL_BATCH as usize] = EventSpec {
        has_data: true,
        ..structural("ExperimentalBatch", &["exp", "gen", "m", "time"])
    };
    t[ev::SYNC as usize] = structural("Sync", &[]);
    t[ev::END_OF_GENERATION as usize] = structural("EndOfGeneration", &[]);

    t[ev::PROCS_CHANGE as usize] =
        with_stacks(timed("ProcsChange", &["dt", "procs_value", "stack"]), &[2]);
    t[ev::PROC_START as usize] = timed("ProcStart", &["dt", "p", "p_seq"]);
    t[ev::PROC_STOP as usize] = timed("ProcStop", &["dt"]);
    t[ev::PROC_STEAL as usize] = timed("ProcSteal", &["dt", "p", "p_seq", "m"]);
    t[ev::PROC_STATUS as usize] = timed("ProcStatus", &["dt", "p", "pstatus"]);
    t[ev::GO_CREATE as usize] = with_stacks(
        timed("GoCreate", &["dt", "new_g", "new_stack", "stack"]),
        &[3, 2],
    );
    t[ev::GO_CREATE_SYSCALL as usize] = timed("GoCreateSyscall", &["dt", "new_g"]);
    t[ev::GO_START as usize] = timed("GoStart", &["dt", "g", "g_seq"]);
    t[ev::GO_DESTROY as usize] = timed("GoDestroy", &["dt"]);
    t[ev::GO_DESTROY_SYSCALL as usize] = timed("GoDestroySyscall", &["dt"]);
    t[ev::GO_STOP as usize] = with_strings(
        with_stacks(timed("GoStop", &["dt", "reason_string", "stack"]), &[2]),
        &[1],
    );
    t[ev::GO_BLOCK as usize] = with_strings(
        with_stacks(timed("GoBlock", &["dt", "reason_string", "stack"]), &[2]),
        &[1],
    );
    t[ev::GO_UNBLOCK as usize] =
        with_stacks(timed("GoUnblock", &["dt", "g", "g_seq", "stack"]), &[3]);
    t[ev::GO_SYSCALL_BEGIN as usize] =
        with_stacks(timed("GoSyscallBegin", &["dt", "p_seq", "stack"]), &[2]);
    t[ev::GO_SYSCALL_END as usize] = ends(timed("GoSyscallEnd", &["dt"]), ev::GO_SYSCALL_BEGIN);
    t[ev::GO_SYSCALL_END_BLOCKED as usize] =
        ends(timed("GoSyscallEndBlocked", &["dt"]), ev::GO_SYSCALL_BEGIN);
    t[ev::GO_STATUS as usize] = timed("GoStatus", &["dt", "g", "m", "gstatus"]);
    t[ev::STW_BEGIN as usize] = with_strings(
        with_stacks(timed("STWBegin", &["dt", "kind_string", "stack"]), &[2]),
        &[1],
    );
    t[ev::STW_END as usize] = ends(timed("STWEnd", &["dt"]), ev::STW_BEGIN);
    t[ev::GC_ACTIVE as usize] = ends(timed("GCActive", &["dt", "gc_seq"]), ev::GC_BEGIN);
    t[ev::GC_BEGIN as usize] = with_stacks(timed("GCBegin", &["dt", "gc_seq", "stack"]), &[2]);
    t[ev::GC_END as usize] = ends(timed("GCEnd", &["dt", "gc_seq"]), ev::GC_BEGIN);
    t[ev::GC_SWEEP_ACTIVE as usize] =
        ends(timed("GCSweepActive", &["dt", "p"]), ev::GC_SWEEP_BEGIN);
    t[ev::GC_SWEEP_BEGIN as usize] = with_stacks(timed("GCSweepBegin", &["dt", "stack"]), &[1]);
    t[ev::GC_SWEEP_END as usize] = ends(
        timed("GCSweepEnd", &["dt", "swept_value", "reclaimed_value"]),
        ev::GC_SWEEP_BEGIN,
    );
    t[ev::GC_MARK_ASSIST_ACTIVE as usize] = ends(
        timed("GCMarkAssistActive", &["dt", "g"]),
        ev::GC_MARK_ASSIST_BEGIN,
    );
    t[ev::GC_MARK_ASSIST_BEGIN as usize] =
        with_stacks(timed("GCMarkAssistBegin", &["dt", "stack"]), &[1]);
    t[ev::GC_MARK_ASSIST_END as usize] =
        ends(timed("GCMarkAssistEnd", &["dt"]), ev::GC_MARK_ASSIST_BEGIN);
    t[ev::HEAP_ALLOC as usize] = timed("HeapAlloc", &["dt", "heapalloc_value"]);
    t[ev::HEAP_GOAL as usize] = timed("HeapGoal", &["dt", "heapgoal_value"]);
    t[ev::GO_LABEL as usize] = with_strings(timed("GoLabel", &["dt", "label_string"]), &[1]);
    t[ev::USER_TASK_BEGIN as usize] = with_strings(
        with_stacks(
            timed(
                "UserTaskBegin",
                &["dt", "task", "parent_task", "name_string", "stack"],
            ),
            &[4],
        ),
        &[3],
    );
    t[ev::USER_TASK_END as usize] =
        with_stacks(timed("UserTaskEnd", &["dt", "task", "stack"]), &[2]);
    t[ev::USER_REGION_BEGIN as usize] = with_strings(
        with_stacks(
            timed("UserRegionBegin", &["dt", "task", "name_string", "stack"]),
            &[3],
        ),
        &[2],
    );
    t[ev::USER_REGION_END as usize] = ends(
        with_strings(
            with_stacks(
                timed("UserRegionEnd", &["dt", "task", "name_string", "stack"]),
                &[3],
            ),
            &[2],
        ),
        ev::USER_REGION_BEGIN,
    );
    t[ev::USER_LOG as usize] = with_strings(
        with_stacks(
            timed(
                "UserLog",
                &["dt", "task", "key_string", "value_string", "stack"],
            ),
            &[4],
        ),
        &[2, 3],
    );
    t[ev::GO_SWITCH as usize] = timed("GoSwitch", &["dt", "g", "g_seq"]);
    t[ev::GO_SWITCH_DESTROY as usize] = timed("GoSwitchDestroy", &["dt", "g", "g_seq"]);
    t[ev::GO_CREATE_BLOCKED as usize] = with_stacks(
        timed("GoCreateBlocked", &["dt", "new_g", "new_stack", "stack"]),
        &[3, 2],
    );
    t[ev::GO_STATUS_STACK as usize] = with_stacks(
        timed("GoStatusStack", &["dt", "g", "m", "gstatus", "stack"]),
        &[4],
    );
    t[ev::CLOCK_SNAPSHOT as usize] = timed("ClockSnapshot", &["dt", "mono", "sec", "nsec"]);

    t[ev::SPAN as usize] = alloc_free("Span", &["dt", "id", "npages_value", "kindclass"]);
    t[ev::SPAN_ALLOC as usize] =
        alloc_free("SpanAlloc", &["dt", "id", "npages_value", "kindclass"]);
    t[ev::SPAN_FREE as usize] = alloc_free("SpanFree", &["dt", "id"]);
    t[ev::HEAP_OBJECT as usize] = alloc_free("HeapObject", &["dt", "id", "type"]);
    t[ev::HEAP_OBJECT_ALLOC as usize] = alloc_free("HeapObjectAlloc", &["dt", "id", "type"]);
    t[ev::HEAP_OBJECT_FREE as usize] = alloc_free("HeapObjectFree", &["dt", "id"]);
    t[ev::GOROUTINE_STACK as usize] = alloc_free("GoroutineStack", &["dt", "id", "order"]);
    t[ev::GOROUTINE_STACK_ALLOC as usize] =
        alloc_free("GoroutineStackAlloc", &["dt", "id", "order"]);
    t[ev::GOROUTINE_STACK_FREE as usize] = alloc_free("GoroutineStackFree", &["dt", "id"]);
    t
}

/// For each event type, bit `i` set if argument `i` (after the timestamp) is a stack ID
/// (low byte) or a string ID (high byte): what must resolve for the event to be valid,
/// in one load instead of two slice walks.
pub static ID_ARGS: [u16; 256] = build_id_args();

const fn build_id_args() -> [u16; 256] {
    let mut out = [0u16; 256];
    let mut t = 0;
    while t < 256 {
        let s = &SPECS[t];
        let mut i = 0;
        while i < s.stack_ids.len() {
            out[t] |= 1 << (s.stack_ids[i] - 1);
            i += 1;
        }
        let mut i = 0;
        while i < s.string_ids.len() {
            out[t] |= 1 << (8 + s.string_ids[i] - 1);
            i += 1;
        }
        t += 1;
    }
    out
}

/// For each event type, its number of arguments (timestamp delta included) if it is a
/// timed event of Go's full table, else 0.
pub static TIMED_ARGS: [u8; 256] = build_timed_args();

const fn build_timed_args() -> [u8; 256] {
    let mut out = [0u8; 256];
    let mut t = 0;
    while t < NUM_SPECS {
        if SPECS[t].is_timed {
            out[t] = SPECS[t].args.len() as u8;
        }
        t += 1;
    }
    out
}

/// The length of Go's `tracev2.Specs()` slice: every type up to the last experimental one.
pub const NUM_SPECS: usize = ev::GOROUTINE_STACK_FREE as usize + 1;

/// The spec of an event type.
#[inline]
pub fn spec(typ: EventType) -> &'static EventSpec {
    &SPECS[typ as usize]
}

/// A trace format version, read from the 16-byte header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// `go 1.22 trace`.
    Go122,
    /// `go 1.23 trace`, written by Go 1.23 and Go 1.24.
    Go123,
    /// `go 1.25 trace`: sync batches with a clock snapshot.
    Go125,
    /// `go 1.26 trace`: in-band end-of-generation markers.
    Go126,
}

impl Version {
    /// Every version this decoder reads, oldest first.
    pub const ALL: [Version; 4] = [
        Version::Go122,
        Version::Go123,
        Version::Go125,
        Version::Go126,
    ];

    /// The minor Go version number in the header (`22` for `go 1.22 trace`).
    pub fn minor(self) -> u32 {
        match self {
            Version::Go122 => 22,
            Version::Go123 => 23,
            Version::Go125 => 25,
            Version::Go126 => 26,
        }
    }

    /// The version for a header's minor number, if it is a generational format we read.
    pub fn from_minor(minor: u32) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.minor() == minor)
    }

    /// How many entries of [`SPECS`] this version's slice holds (`version.Specs()` in Go):
    /// event types at or past this are unknown to the version.
    pub fn num_specs(self) -> usize {
        match self {
            Version::Go122 => ev::USER_LOG as usize + 1,
            Version::Go123 => ev::EXPERIMENTAL_BATCH as usize + 1,
            Version::Go125 => ev::CLOCK_SNAPSHOT as usize + 1,
            Version::Go126 => NUM_SPECS,
        }
    }

    /// The name of an event type as this version knows it (Go's `Version.EventName`),
    /// formatted only when displayed.
    pub fn event_name(self, typ: EventType) -> EventName {
        EventName { version: self, typ }
    }
}

/// An event type's name as a version knows it: `Invalid(N)` for types outside its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventName {
    version: Version,
    typ: EventType,
}

impl fmt::Display for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = spec(self.typ);
        if (self.typ as usize) < self.version.num_specs() && !s.name.is_empty() {
            f.write_str(s.name)
        } else {
            write!(f, "Invalid({})", self.typ)
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "go 1.{}", self.minor())
    }
}

/// Goroutine status as written on the wire (`tracev2.GoStatus`).
pub mod go_status {
    /// Invalid.
    pub const BAD: u64 = 0;
    /// Runnable.
    pub const RUNNABLE: u64 = 1;
    /// Running.
    pub const RUNNING: u64 = 2;
    /// In a system call.
    pub const SYSCALL: u64 = 3;
    /// Blocked.
    pub const WAITING: u64 = 4;

    /// Go's `GoStatus.String()`.
    pub fn name(s: u64) -> &'static str {
        match s {
            RUNNABLE => "Runnable",
            RUNNING => "Running",
            SYSCALL => "Syscall",
            WAITING => "Waiting",
            _ => "Bad",
        }
    }
}

/// Proc status as written on the wire (`tracev2.ProcStatus`).
pub mod proc_status {
    /// Invalid.
    pub const BAD: u64 = 0;
    /// Running.
    pub const RUNNING: u64 = 1;
    /// Idle.
    pub const IDLE: u64 = 2;
    /// Its M is in a system call.
    pub const SYSCALL: u64 = 3;
    /// Its M was in a system call and the P was taken away (parser-side concept).
    pub const SYSCALL_ABANDONED: u64 = 4;

    /// Go's `ProcStatus.String()`.
    pub fn name(s: u64) -> &'static str {
        match s {
            RUNNING => "Running",
            IDLE => "Idle",
            SYSCALL => "Syscall",
            _ => "Bad",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_events_fit_the_argument_array() {
        for s in SPECS.iter().filter(|s| s.is_timed) {
            assert!(s.args.len() <= MAX_TIMED_EVENT_ARGS, "{}", s.name);
            assert_eq!(s.args[0], "dt", "{}", s.name);
            for &i in s.string_ids.iter().chain(s.stack_ids) {
                assert!(i >= 1 && i < s.args.len(), "{}", s.name);
            }
        }
    }

    #[test]
    fn argument_names_follow_the_typed_pattern() {
        const TYPES: [&str; 10] = [
            "seq", "pstatus", "gstatus", "g", "m", "p", "string", "stack", "value", "task",
        ];
        for s in SPECS.iter() {
            for a in s.args {
                if let Some((_, ty)) = a.split_once('_') {
                    assert!(TYPES.contains(&ty), "{}: {a}", s.name);
                }
            }
        }
    }

    #[test]
    fn version_slices() {
        assert_eq!(
            Version::Go122.event_name(ev::USER_LOG).to_string(),
            "UserLog"
        );
        assert_eq!(
            Version::Go122.event_name(ev::GO_SWITCH).to_string(),
            "Invalid(45)"
        );
        assert_eq!(
            Version::Go125.event_name(ev::CLOCK_SNAPSHOT).to_string(),
            "ClockSnapshot"
        );
        assert_eq!(
            Version::Go125.event_name(ev::END_OF_GENERATION).to_string(),
            "Invalid(52)"
        );
        assert_eq!(Version::Go126.event_name(ev::SPAN).to_string(), "Span");
        assert_eq!(Version::from_minor(24), None);
    }
}
