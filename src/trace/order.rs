//! The ordering state machine: a port of Go's `order.go`. For each candidate event it
//! decides whether the event can happen now given what every goroutine, proc and thread
//! is doing, updates that state, and queues the public event(s) it turns into.
//!
//! The state persists across generations; only sequence numbers reset at each one.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::error::{Error, ErrorKind, Result};
use super::event::{BaseEvent, Event, GoState, ProcState, SchedCtx};
use super::spec::{self, EventType, Version, ev, go_status, proc_status};
use super::tables::{NO_ID, Tables};

/// A per-generation sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Seq {
    generation: u64,
    n: u64,
}

impl Seq {
    fn succeeds(self, prev: Seq) -> bool {
        self.generation == prev.generation && self.n == prev.n.wrapping_add(1)
    }
}

/// A range in flight on a goroutine or proc: its begin event type and optional subtype
/// (the STW kind string ID).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RangeType {
    typ: EventType,
    desc: u64,
}

fn range_type(typ: EventType, desc: u64) -> RangeType {
    let start = spec::spec(typ).start_ev;
    RangeType {
        typ: if start != ev::NONE { start } else { typ },
        desc,
    }
}

#[derive(Debug, Clone, Default)]
struct RangeState {
    in_flight: Vec<RangeType>,
}

impl RangeState {
    fn has(&self, r: RangeType) -> bool {
        self.in_flight.contains(&r)
    }

    fn begin(&mut self, r: RangeType) -> Result<(), String> {
        if self.has(r) {
            return Err(format!(
                "discovered event already in-flight for when starting event {}",
                spec::spec(r.typ).name
            ));
        }
        self.in_flight.push(r);
        Ok(())
    }

    fn active(&mut self, r: RangeType, initial_gen: bool) -> Result<(), String> {
        if initial_gen {
            if self.has(r) {
                return Err(format!(
                    "found named active range already in first gen: {}",
                    spec::spec(r.typ).name
                ));
            }
            self.in_flight.push(r);
        } else if !self.has(r) {
            return Err(format!(
                "resource is missing active range: {}",
                spec::spec(r.typ).name
            ));
        }
        Ok(())
    }

    /// Ends the range begun by `typ`'s start event; returns its subtype.
    fn end(&mut self, typ: EventType) -> Result<u64, String> {
        let st = spec::spec(typ).start_ev;
        let Some(idx) = self.in_flight.iter().position(|r| r.typ == st) else {
            return Err(format!(
                "tried to end event {}, but not in-flight",
                spec::spec(st).name
            ));
        };
        Ok(self.in_flight.swap_remove(idx).desc)
    }
}

#[derive(Debug, Clone)]
struct GState {
    status: u64,
    seq: Seq,
}

/// The rarely used part of a goroutine's state, kept out of the hot map so that map stays
/// small: its stack of user regions and its ranges in flight (STW, mark assist).
#[derive(Debug, Clone, Default)]
struct GExtra<'a> {
    regions: Vec<(u64, &'a [u8])>,
    ranges: RangeState,
}

#[derive(Debug, Clone)]
struct PState {
    status: u64,
    seq: Seq,
    ranges: RangeState,
}

#[derive(Debug, Clone, Copy)]
struct MState {
    g: i64,
    p: i64,
}

/// Thread states in slots that never move, so a batch cursor can keep its thread's slot
/// instead of hashing the thread ID for every event.
#[derive(Debug, Default)]
struct MStates {
    index: FxHashMap<i64, usize>,
    ids: Vec<i64>,
    slots: Vec<MState>,
}

impl MStates {
    /// The slot of thread `m`, created (bound to nothing) if new.
    fn slot(&mut self, m: i64) -> usize {
        *self.index.entry(m).or_insert_with(|| {
            self.ids.push(m);
            self.slots.push(MState { g: NO_ID, p: NO_ID });
            self.slots.len() - 1
        })
    }

    fn get_mut(&mut self, m: i64) -> Option<&mut MState> {
        let i = *self.index.get(&m)?;
        self.slots.get_mut(i)
    }

    fn iter(&self) -> impl Iterator<Item = (i64, MState)> + '_ {
        self.ids.iter().copied().zip(self.slots.iter().copied())
    }
}

/// A queued event: everything but the generation's tables, which the reader attaches
/// when it hands the event out (all queued events belong to the current generation).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Queued<'a> {
    pub base: BaseEvent,
    pub ctx: SchedCtx,
    /// The task type of a UserTaskEnd.
    pub task_type: &'a [u8],
    /// Sync events that end the trace or precede an error have no tables.
    pub tableless: bool,
    /// File offset of the wire event.
    pub offset: u64,
}

impl Default for SchedCtx {
    fn default() -> Self {
        SchedCtx::NONE
    }
}

/// The events one advance produces (at most three), in order. Events are written in
/// place and handed out by reference, so each is written once and never copied; a slot
/// keeps its table pointer from one use to the next, so the reader re-points it only
/// when the generation changes.
#[derive(Debug, Default)]
struct EventQueue<'a> {
    buf: [Event<'a>; 4],
    tableless: [bool; 4],
    head: usize,
    len: usize,
}

impl<'a> EventQueue<'a> {
    #[inline]
    fn push(&mut self, q: Queued<'a>) {
        // The reader drains the queue before the next advance, and an advance queues at
        // most three events, so the ring never overflows.
        debug_assert!(self.len < self.buf.len());
        let i = (self.head + self.len) % 4;
        let slot = &mut self.buf[i];
        slot.base = q.base;
        slot.ctx = q.ctx;
        slot.task_type = q.task_type;
        slot.offset = q.offset;
        self.tableless[i] = q.tableless;
        self.len += 1;
    }

    /// Pops the head, which stays in its slot (borrowed) until it is overwritten; also
    /// says whether it is a table-less Sync.
    #[inline]
    fn pop_ref(&mut self) -> Option<(&mut Event<'a>, bool)> {
        if self.len == 0 {
            return None;
        }
        let i = self.head;
        self.head = (self.head + 1) % 4;
        self.len -= 1;
        Some((&mut self.buf[i], self.tableless[i]))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GcState {
    Undetermined,
    NotRunning,
    Running,
}

/// Go's `constraint`: what an event requires of its thread's context.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Constraint {
    MustNotHave,
    MayHave,
    MustHave,
}
use Constraint::*;

#[derive(Debug, Clone, Copy)]
struct Reqs {
    m: Constraint,
    p: Constraint,
    g: Constraint,
}

/// A thread, any proc and goroutine.
const M: Reqs = Reqs {
    m: MustHave,
    p: MayHave,
    g: MayHave,
};
/// A thread and a proc.
const M_P: Reqs = Reqs {
    m: MustHave,
    p: MustHave,
    g: MayHave,
};
/// A thread without a proc.
const M_NO_P: Reqs = Reqs {
    m: MustHave,
    p: MustNotHave,
    g: MayHave,
};
/// A thread and a proc, no goroutine.
const M_P_NO_G: Reqs = Reqs {
    m: MustHave,
    p: MustHave,
    g: MustNotHave,
};
/// A thread and a goroutine.
const M_G: Reqs = Reqs {
    m: MustHave,
    p: MayHave,
    g: MustHave,
};
/// A thread without a goroutine.
const M_NO_G: Reqs = Reqs {
    m: MustHave,
    p: MayHave,
    g: MustNotHave,
};

const USER_GO_REQS: Reqs = Reqs {
    m: MustHave,
    p: MustHave,
    g: MustHave,
};

fn validate_ctx(ctx: SchedCtx, r: Reqs) -> Result<(), String> {
    let check = |c: Constraint, v: i64, what: &str| -> Result<(), String> {
        match c {
            MustHave if v == NO_ID => Err(format!("expected {what} but didn't have one")),
            MustNotHave if v != NO_ID => Err(format!("expected no {} but had one", &what[2..])),
            _ => Ok(()),
        }
    };
    check(r.m, ctx.m, "a thread")?;
    check(r.p, ctx.p, "a proc")?;
    check(r.g, ctx.g, "a goroutine")
}

/// The outcome of offering an event to the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    /// The event happened; its public event(s) are queued.
    Done,
    /// Not yet: it depends on an event of another thread.
    NotYet,
}

/// The ordering state of the whole trace so far.
#[derive(Debug)]
pub struct Ordering<'a> {
    version: Version,
    g_states: FxHashMap<i64, GState>,
    g_extra: FxHashMap<i64, GExtra<'a>>,
    p_states: FxHashMap<i64, PState>,
    m_states: MStates,
    /// The slot of the thread whose event is being offered (none for NoThread).
    cur_slot: Option<usize>,
    /// File offset of the event being offered.
    cur_offset: u64,
    active_tasks: FxHashMap<u64, (&'a [u8], u64)>,
    gc_seq: u64,
    gc_state: GcState,
    initial_gen: u64,
    queue: EventQueue<'a>,
}

/// A handler's verdict: `Ok(true)` if the event happened (the thread's new context is
/// already stored), `Ok(false)` if it must wait, `Err` if the trace is inconsistent.
type Step = Result<bool, String>;

impl<'a> Ordering<'a> {
    /// Empty state for a trace of `version`.
    pub fn new(version: Version) -> Ordering<'a> {
        Ordering {
            version,
            g_states: FxHashMap::default(),
            g_extra: FxHashMap::default(),
            p_states: FxHashMap::default(),
            m_states: MStates::default(),
            cur_slot: None,
            cur_offset: 0,
            active_tasks: FxHashMap::default(),
            gc_seq: 0,
            gc_state: GcState::Undetermined,
            initial_gen: 0,
            queue: EventQueue::default(),
        }
    }

    /// Takes the next queued public event (borrowed until the next push) and whether it
    /// is a Sync without tables.
    #[inline]
    pub fn pop_ref(&mut self) -> Option<(&mut Event<'a>, bool)> {
        self.queue.pop_ref()
    }

    /// Whether events are queued.
    #[inline]
    pub fn has_pending(&self) -> bool {
        self.queue.len > 0
    }

    /// Queues an event that does not come from the state machine (Sync, CPU samples).
    #[inline]
    pub fn push(&mut self, e: Queued<'a>) {
        self.queue.push(e);
    }

    /// Offers `ev`, read from thread `m`'s batches of generation `generation`. The state machine
    /// may rewrite spare arguments of `ev` (Go's "smuggling"). `offset` is the event's
    /// byte offset, for errors.
    pub fn advance(
        &mut self,
        ev: &mut BaseEvent,
        table: &Arc<Tables<'a>>,
        m: i64,
        m_slot: &mut Option<usize>,
        generation: u64,
        offset: u64,
    ) -> Result<Advance> {
        if self.initial_gen == 0 {
            self.initial_gen = generation;
        }
        self.cur_offset = offset;
        let cur = if m == NO_ID {
            self.cur_slot = None;
            SchedCtx::NONE
        } else {
            // Go creates the thread's state on its first event; the cursor remembers where.
            let slot = *m_slot.get_or_insert_with(|| self.m_states.slot(m));
            self.cur_slot = Some(slot);
            let ms = self.m_states.slots[slot];
            SchedCtx {
                m,
                p: ms.p,
                g: ms.g,
            }
        };
        // The three events that make up most of any trace go straight to their handlers;
        // the rest through the full table, kept out of line.
        let step = match ev.typ {
            ev::GO_START => self.go_start(ev, table, generation, cur),
            ev::GO_UNBLOCK => self.go_unblock(ev, table, generation, cur),
            ev::GO_BLOCK => self.go_stop_exec(ev, table, cur),
            _ => self.dispatch(ev, table, m, generation, cur),
        };
        match step {
            Ok(true) => Ok(Advance::Done),
            Ok(false) => Ok(Advance::NotYet),
            Err(msg) => {
                Err(Error::new(ErrorKind::Inconsistent, offset, msg).in_generation(generation))
            }
        }
    }

    /// Records the thread's context after an event happened, and says so.
    #[inline]
    fn happened(&mut self, ctx: SchedCtx) -> Step {
        if let Some(slot) = self.cur_slot {
            let ms = &mut self.m_states.slots[slot];
            ms.g = ctx.g;
            ms.p = ctx.p;
        }
        Ok(true)
    }

    /// Starts tracking goroutine `id` in `status`, with no regions or ranges.
    fn new_g(&mut self, id: i64, status: u64, generation: u64) {
        self.g_states.insert(
            id,
            GState {
                status,
                seq: Seq { generation, n: 0 },
            },
        );
        self.g_extra.remove(&id);
    }

    /// Forgets goroutine `id`.
    fn remove_g(&mut self, id: i64) {
        self.g_states.remove(&id);
        self.g_extra.remove(&id);
    }

    fn name(&self, typ: EventType) -> spec::EventName {
        self.version.event_name(typ)
    }

    #[inline]
    fn emit(&mut self, ctx: SchedCtx, base: BaseEvent) {
        self.queue.push(Queued {
            base,
            ctx,
            task_type: b"",
            tableless: false,
            offset: self.cur_offset,
        });
    }

    #[inline(never)]
    fn dispatch(
        &mut self,
        ev: &mut BaseEvent,
        t: &Arc<Tables<'a>>,
        m: i64,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        match ev.typ {
            ev::PROCS_CHANGE | ev::GO_LABEL | ev::USER_LOG => self.annotation(ev, t, cur),
            ev::PROC_START => self.proc_start(ev, t, generation, cur),
            ev::PROC_STOP => self.proc_stop(ev, t, cur),
            ev::PROC_STEAL => self.proc_steal(ev, t, generation, cur),
            ev::PROC_STATUS => self.proc_status(ev, t, generation, cur),
            ev::GO_CREATE | ev::GO_CREATE_BLOCKED => self.go_create(ev, t, generation, cur),
            ev::GO_CREATE_SYSCALL => self.go_create_syscall(ev, t, generation, cur),
            ev::GO_START => self.go_start(ev, t, generation, cur),
            ev::GO_DESTROY | ev::GO_STOP | ev::GO_BLOCK => self.go_stop_exec(ev, t, cur),
            ev::GO_DESTROY_SYSCALL => self.go_destroy_syscall(ev, t, cur),
            ev::GO_UNBLOCK => self.go_unblock(ev, t, generation, cur),
            ev::GO_SYSCALL_BEGIN => self.go_syscall_begin(ev, t, generation, cur),
            ev::GO_SYSCALL_END => self.go_syscall_end(ev, t, cur),
            ev::GO_SYSCALL_END_BLOCKED => self.go_syscall_end_blocked(ev, t, cur),
            ev::GO_STATUS | ev::GO_STATUS_STACK => self.go_status(ev, t, m, generation, cur),
            ev::STW_BEGIN | ev::GC_MARK_ASSIST_BEGIN => self.go_range_begin(ev, t, cur),
            ev::STW_END | ev::GC_MARK_ASSIST_END => self.go_range_end(ev, t, cur),
            ev::GC_MARK_ASSIST_ACTIVE => self.go_range_active(ev, t, generation, cur),
            ev::GC_ACTIVE => self.gc_active(ev, t, generation, cur),
            ev::GC_BEGIN => self.gc_begin(ev, t, cur),
            ev::GC_END => self.gc_end(ev, t, cur),
            ev::GC_SWEEP_ACTIVE => self.gc_sweep_active(ev, t, generation, cur),
            ev::GC_SWEEP_BEGIN => self.gc_sweep_begin(ev, t, cur),
            ev::GC_SWEEP_END => self.gc_sweep_end(ev, t, cur),
            ev::HEAP_ALLOC | ev::HEAP_GOAL => self.heap_metric(ev, t, cur),
            ev::USER_TASK_BEGIN => self.user_task_begin(ev, t, cur),
            ev::USER_TASK_END => self.user_task_end(ev, t, cur),
            ev::USER_REGION_BEGIN | ev::USER_REGION_END => self.user_region(ev, t, cur),
            ev::GO_SWITCH | ev::GO_SWITCH_DESTROY => self.go_switch(ev, t, generation, cur),
            ev::SPAN..=ev::GOROUTINE_STACK_FREE => self.alloc_free(ev, t, cur),
            typ => Err(format!("bad event type found while ordering: {typ}")),
        }
    }

    fn proc_status(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        let pid = ev.args[0] as i64;
        let status = ev.args[1];
        if status > proc_status::SYSCALL_ABANDONED {
            return Err(format!("invalid status for proc {pid}: {status}"));
        }
        let mut old = ProcState::from_wire(status);
        if let Some(s) = self.p_states.get_mut(&pid) {
            if status == proc_status::SYSCALL_ABANDONED && s.status == proc_status::SYSCALL {
                old = ProcState::Running;
                ev.args[1] = proc_status::SYSCALL;
            } else if status == proc_status::SYSCALL_ABANDONED
                && s.status == proc_status::SYSCALL_ABANDONED
            {
                old = ProcState::Idle;
                ev.args[1] = proc_status::SYSCALL_ABANDONED;
            } else if s.status != status {
                return Err(format!(
                    "inconsistent status for proc {pid}: old {} vs. new {}",
                    proc_status::name(s.status),
                    proc_status::name(status)
                ));
            }
            s.seq = Seq { generation, n: 0 };
        } else {
            self.p_states.insert(
                pid,
                PState {
                    status,
                    seq: Seq { generation, n: 0 },
                    ranges: RangeState::default(),
                },
            );
            old = if generation == self.initial_gen {
                ProcState::Undetermined
            } else {
                ProcState::NotExist
            };
        }
        ev.set_extra(0, old as u64);
        let mut new_ctx = cur;
        if status == proc_status::RUNNING || status == proc_status::SYSCALL {
            new_ctx.p = pid;
        }
        let mut ctx = cur;
        if status == proc_status::SYSCALL_ABANDONED && old == ProcState::Running {
            // The proc is about to be stolen: attribute the event to the M that owns it.
            // Go picks whichever matching M its map iteration ends on; there is only one
            // in a valid trace, so take the smallest ID to stay deterministic.
            let owner = self
                .m_states
                .iter()
                .filter(|(_, ms)| ms.p == pid)
                .min_by_key(|(id, _)| *id);
            let Some((mid, ms)) = owner else {
                return Err(format!(
                    "failed to find sched context for proc {pid} that's about to be stolen"
                ));
            };
            ctx = SchedCtx {
                m: mid,
                p: pid,
                g: ms.g,
            };
        }
        self.emit(ctx, *ev);
        self.happened(new_ctx)
    }

    fn proc_start(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        let pid = ev.args[0] as i64;
        let seq = Seq {
            generation,
            n: ev.args[1],
        };
        match self.p_states.get(&pid) {
            Some(s) if s.status == proc_status::IDLE && seq.succeeds(s.seq) && cur.p == NO_ID => {}
            _ => return Ok(false),
        }
        validate_ctx(cur, M_NO_P)?;
        let s = self.p_states.get_mut(&pid).expect("checked above");
        s.status = proc_status::RUNNING;
        s.seq = seq;
        self.emit(cur, *ev);
        self.happened(SchedCtx { p: pid, ..cur })
    }

    fn proc_stop(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        let name = self.name(ev.typ);
        let Some(s) = self.p_states.get_mut(&cur.p) else {
            return Err(format!(
                "event {name} for proc ({}) that doesn't exist",
                cur.p
            ));
        };
        if s.status != proc_status::RUNNING && s.status != proc_status::SYSCALL {
            return Err(format!(
                "{name} event for proc that's not Running or Syscall"
            ));
        }
        validate_ctx(cur, M_P)?;
        s.status = proc_status::IDLE;
        self.emit(cur, *ev);
        self.happened(SchedCtx { p: NO_ID, ..cur })
    }

    fn proc_steal(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        let pid = ev.args[0] as i64;
        let seq = Seq {
            generation,
            n: ev.args[1],
        };
        match self.p_states.get(&pid) {
            Some(s)
                if (s.status == proc_status::SYSCALL
                    || s.status == proc_status::SYSCALL_ABANDONED)
                    && seq.succeeds(s.seq) => {}
            _ => return Ok(false),
        }
        validate_ctx(cur, M)?;
        let s = self.p_states.get_mut(&pid).expect("checked above");
        let old_status = s.status;
        ev.set_extra(0, old_status);
        s.status = proc_status::IDLE;
        s.seq = seq;
        if old_status == proc_status::SYSCALL_ABANDONED {
            self.emit(cur, *ev);
            return self.happened(cur);
        }
        let mid = ev.args[2] as i64;
        if mid == cur.m {
            if cur.p != pid {
                return Err(format!(
                    "tried to self-steal proc {pid} (thread {mid}), but got proc {} instead",
                    cur.p
                ));
            }
            self.emit(cur, *ev);
            return self.happened(SchedCtx { p: NO_ID, ..cur });
        }
        let Some(ms) = self.m_states.get_mut(mid) else {
            return Err(format!("stole proc from non-existent thread {mid}"));
        };
        if ms.p != pid {
            return Err(format!(
                "tried to steal proc {pid} from thread {mid}, but got proc {} instead",
                ms.p
            ));
        }
        ms.p = NO_ID;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn go_status(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        _m: i64,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        let gid = ev.args[0] as i64;
        let mid = ev.args[1] as i64;
        let status = ev.args[2];
        if status > go_status::WAITING {
            return Err(format!("invalid status for goroutine {gid}: {status}"));
        }
        let mut old = GoState::from_wire(status);
        if let Some(s) = self.g_states.get_mut(&gid) {
            if s.status != status {
                return Err(format!(
                    "inconsistent status for goroutine {gid}: old {} vs. new {}",
                    go_status::name(s.status),
                    go_status::name(status)
                ));
            }
            s.seq = Seq { generation, n: 0 };
        } else if generation == self.initial_gen {
            self.new_g(gid, status, generation);
            old = GoState::Undetermined;
        } else {
            return Err(format!(
                "found goroutine status for new goroutine after the first generation: id={gid} status={}",
                go_status::name(status)
            ));
        }
        ev.args[2] = (old as u64) << 32 | status;
        let mut new_ctx = cur;
        let mut ctx = cur;
        match status {
            go_status::RUNNING => new_ctx.g = gid,
            go_status::SYSCALL => {
                if mid == NO_ID {
                    return Err(format!("found goroutine {gid} in syscall without a thread"));
                }
                if mid == cur.m {
                    if generation != self.initial_gen && cur.g != gid {
                        return Err(format!(
                            "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                            cur.g
                        ));
                    }
                    new_ctx.g = gid;
                } else {
                    match self.m_states.get_mut(mid).copied() {
                        Some(ms) => {
                            if ms.g != gid {
                                return Err(format!(
                                    "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                                    ms.g
                                ));
                            }
                            ctx.g = ms.g;
                        }
                        None => {
                            let slot = self.m_states.slot(mid);
                            self.m_states.slots[slot] = MState { g: gid, p: NO_ID };
                        }
                    }
                    ctx.m = mid;
                }
            }
            _ => {}
        }
        self.emit(ctx, *ev);
        self.happened(new_ctx)
    }

    fn go_create(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        validate_ctx(cur, M_P)?;
        if let Some(s) = self.g_states.get(&cur.g)
            && s.status != go_status::RUNNING
        {
            return Err(format!(
                "{} event for goroutine that's not Running",
                self.name(ev.typ)
            ));
        }
        let newg = ev.args[0] as i64;
        if self.g_states.contains_key(&newg) {
            return Err(format!(
                "tried to create goroutine ({newg}) that already exists"
            ));
        }
        let status = if ev.typ == ev::GO_CREATE_BLOCKED {
            go_status::WAITING
        } else {
            go_status::RUNNABLE
        };
        self.new_g(newg, status, generation);
        self.emit(cur, *ev);
        self.happened(cur)
    }

    /// The current goroutine's state, which must exist and be in `want`.
    fn current_g(
        &mut self,
        typ: EventType,
        g: i64,
        want: u64,
        want_name: &str,
    ) -> Result<&mut GState, String> {
        let name = self.version.event_name(typ);
        let Some(s) = self.g_states.get_mut(&g) else {
            return Err(format!(
                "event {name} for goroutine ({g}) that doesn't exist"
            ));
        };
        if s.status != want {
            return Err(format!("{name} event for goroutine that's not {want_name}"));
        }
        Ok(s)
    }

    #[inline]
    fn go_stop_exec(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        validate_ctx(cur, USER_GO_REQS)?;
        let s = self.current_g(ev.typ, cur.g, go_status::RUNNING, "Running")?;
        match ev.typ {
            ev::GO_DESTROY => {
                self.remove_g(cur.g);
            }
            ev::GO_STOP => s.status = go_status::RUNNABLE,
            _ => s.status = go_status::WAITING,
        }
        self.emit(cur, *ev);
        self.happened(SchedCtx { g: NO_ID, ..cur })
    }

    #[inline]
    fn go_start(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        let gid = ev.args[0] as i64;
        let seq = Seq {
            generation,
            n: ev.args[1],
        };
        match self.g_states.get(&gid) {
            Some(s) if s.status == go_status::RUNNABLE && seq.succeeds(s.seq) => {}
            _ => return Ok(false),
        }
        validate_ctx(cur, M_P_NO_G)?;
        let s = self.g_states.get_mut(&gid).expect("checked above");
        s.status = go_status::RUNNING;
        s.seq = seq;
        self.emit(cur, *ev);
        self.happened(SchedCtx { g: gid, ..cur })
    }

    #[inline]
    fn go_unblock(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        let gid = ev.args[0] as i64;
        let seq = Seq {
            generation,
            n: ev.args[1],
        };
        match self.g_states.get_mut(&gid) {
            Some(s) if s.status == go_status::WAITING && seq.succeeds(s.seq) => {
                s.status = go_status::RUNNABLE;
                s.seq = seq;
            }
            _ => return Ok(false),
        }
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn go_switch(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        validate_ctx(cur, USER_GO_REQS)?;
        self.current_g(ev.typ, cur.g, go_status::RUNNING, "Running")?;
        let next = ev.args[0] as i64;
        let seq = Seq {
            generation,
            n: ev.args[1],
        };
        match self.g_states.get(&next) {
            Some(s) if s.status == go_status::WAITING && seq.succeeds(s.seq) => {}
            _ => return Ok(false),
        }
        self.emit(cur, *ev);
        let synthetic = |typ, args: [u64; 4]| BaseEvent {
            typ,
            time: ev.time,
            args,
        };
        if ev.typ == ev::GO_SWITCH {
            if let Some(s) = self.g_states.get_mut(&cur.g) {
                s.status = go_status::WAITING;
            }
            // A block with no reason and no stack.
            self.emit(cur, synthetic(ev::GO_BLOCK, [0; 4]));
        } else {
            self.remove_g(cur.g);
            self.emit(cur, synthetic(ev::GO_DESTROY, [0; 4]));
        }
        let s = self.g_states.get_mut(&next).expect("checked above");
        s.status = go_status::RUNNING;
        s.seq = seq;
        let start_ctx = SchedCtx { g: NO_ID, ..cur };
        self.emit(
            start_ctx,
            synthetic(ev::GO_START, [next as u64, ev.args[1], 0, 0]),
        );
        self.happened(SchedCtx { g: next, ..cur })
    }

    fn go_syscall_begin(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        validate_ctx(cur, USER_GO_REQS)?;
        let name = self.name(ev.typ);
        let s = self.current_g(ev.typ, cur.g, go_status::RUNNING, "Running")?;
        s.status = go_status::SYSCALL;
        let Some(p) = self.p_states.get_mut(&cur.p) else {
            return Err(format!("uninitialized proc {} found during {name}", cur.p));
        };
        p.status = proc_status::SYSCALL;
        let pseq = Seq {
            generation,
            n: ev.args[0],
        };
        if !pseq.succeeds(p.seq) {
            return Err(format!(
                "failed to advance {name}: can't make sequence: {} (gen={}) -> {} (gen={})",
                p.seq.n, p.seq.generation, pseq.n, pseq.generation
            ));
        }
        p.seq = pseq;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn go_syscall_end(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        validate_ctx(cur, USER_GO_REQS)?;
        let name = self.name(ev.typ);
        let s = self.current_g(ev.typ, cur.g, go_status::SYSCALL, "Running")?;
        s.status = go_status::RUNNING;
        let Some(p) = self.p_states.get_mut(&cur.p) else {
            return Err(format!("uninitialized proc {} found during {name}", cur.p));
        };
        if p.status != proc_status::SYSCALL {
            return Err(format!(
                "expected proc {} in state Syscall, but got {} instead",
                cur.p,
                proc_status::name(p.status)
            ));
        }
        p.status = proc_status::RUNNING;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn go_syscall_end_blocked(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        cur: SchedCtx,
    ) -> Step {
        if cur.p != NO_ID {
            let Some(p) = self.p_states.get(&cur.p) else {
                return Err(format!(
                    "uninitialized proc {} found during {}",
                    cur.p,
                    self.name(ev.typ)
                ));
            };
            if p.status == proc_status::SYSCALL {
                // The P has not been stolen yet: wait for the ProcSteal.
                return Ok(false);
            }
        }
        validate_ctx(cur, M_G)?;
        let s = self.current_g(ev.typ, cur.g, go_status::SYSCALL, "Running")?;
        s.status = go_status::RUNNABLE;
        self.emit(cur, *ev);
        self.happened(SchedCtx { g: NO_ID, ..cur })
    }

    fn go_create_syscall(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        validate_ctx(cur, M_NO_G)?;
        let newg = ev.args[0] as i64;
        if self.g_states.contains_key(&newg) {
            return Err(format!(
                "tried to create goroutine ({newg}) in syscall that already exists"
            ));
        }
        self.new_g(newg, go_status::SYSCALL, generation);
        self.emit(cur, *ev);
        self.happened(SchedCtx { g: newg, ..cur })
    }

    fn go_destroy_syscall(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        cur: SchedCtx,
    ) -> Step {
        validate_ctx(cur, M_G)?;
        let name = self.name(ev.typ);
        self.current_g(ev.typ, cur.g, go_status::SYSCALL, "Syscall")?;
        self.remove_g(cur.g);
        let mut new_ctx = SchedCtx { g: NO_ID, ..cur };
        if cur.p != NO_ID {
            let Some(p) = self.p_states.get_mut(&cur.p) else {
                return Err(format!("found invalid proc {} during {name}", cur.p));
            };
            if p.status != proc_status::SYSCALL {
                return Err(format!(
                    "proc {} in unexpected state {} during {name}",
                    cur.p,
                    proc_status::name(p.status)
                ));
            }
            // The thread is going away with its P: the P is abandoned, as if stolen.
            p.status = proc_status::SYSCALL_ABANDONED;
            new_ctx.p = NO_ID;
            let mut steal = BaseEvent {
                typ: ev::PROC_STEAL,
                time: ev.time,
                args: [cur.p as u64, 0, 0, 0],
            };
            steal.set_extra(0, proc_status::SYSCALL);
            self.emit(cur, steal);
        }
        self.emit(cur, *ev);
        self.happened(new_ctx)
    }

    fn user_task_begin(&mut self, ev: &mut BaseEvent, t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        let id = ev.args[0];
        if self.active_tasks.contains_key(&id) {
            return Err(format!("task ID conflict: {id}"));
        }
        let mut parent = ev.args[1];
        if parent == 0 {
            parent = super::event::NO_TASK;
            ev.args[1] = parent;
        }
        let name_id = ev.args[2];
        let Some(name) = t.string(name_id) else {
            return Err(format!("invalid string ID {name_id} for {} event", ev.typ));
        };
        self.active_tasks.insert(id, (name, parent));
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn user_task_end(&mut self, ev: &mut BaseEvent, __t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        let id = ev.args[0];
        let (name, parent) = self
            .active_tasks
            .remove(&id)
            .unwrap_or((b"", super::event::NO_TASK));
        ev.set_extra(0, parent);
        validate_ctx(cur, USER_GO_REQS)?;
        self.queue.push(Queued {
            base: *ev,
            ctx: cur,
            task_type: name,
            tableless: false,
            offset: self.cur_offset,
        });
        self.happened(cur)
    }

    fn user_region(&mut self, ev: &mut BaseEvent, t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        validate_ctx(cur, USER_GO_REQS)?;
        let task = ev.args[0];
        let name_id = ev.args[1];
        let Some(name) = t.string(name_id) else {
            return Err(format!("invalid string ID {name_id} for {} event", ev.typ));
        };
        let begin = ev.typ == ev::USER_REGION_BEGIN;
        if !self.g_states.contains_key(&cur.g) {
            let which = if begin { "Begin" } else { "End" };
            return Err(format!(
                "encountered EvUserRegion{which} without known state for current goroutine {}",
                cur.g
            ));
        }
        let s = self.g_extra.entry(cur.g).or_default();
        if begin {
            s.regions.push((task, name));
        } else if let Some(&(top_task, top_name)) = s.regions.last() {
            // An end with an empty stack is a region that began before the trace did.
            if top_task != task || top_name != name {
                return Err(format!(
                    "misuse of region in goroutine {}: region end {{{task} {}}} when the inner-most active region start event is {{{top_task} {}}}",
                    cur.g,
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(top_name)
                ));
            }
            s.regions.pop();
        }
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn gc_active(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        let seq = ev.args[0];
        if generation == self.initial_gen {
            if self.gc_state != GcState::Undetermined {
                return Err("GCActive in the first generation isn't first GC event".into());
            }
            self.gc_seq = seq;
            self.gc_state = GcState::Running;
            self.emit(cur, *ev);
            return self.happened(cur);
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        if self.gc_state != GcState::Running {
            return Err("encountered GCActive while GC was not in progress".into());
        }
        self.gc_seq = seq;
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn gc_begin(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        let seq = ev.args[0];
        if self.gc_state == GcState::Undetermined {
            self.gc_seq = seq;
            self.gc_state = GcState::Running;
            self.emit(cur, *ev);
            return self.happened(cur);
        }
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        if self.gc_state == GcState::Running {
            return Err("encountered GCBegin while GC was already in progress".into());
        }
        self.gc_seq = seq;
        self.gc_state = GcState::Running;
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn gc_end(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        let seq = ev.args[0];
        if seq != self.gc_seq.wrapping_add(1) {
            return Ok(false);
        }
        match self.gc_state {
            GcState::NotRunning => {
                return Err("encountered GCEnd when GC was not in progress".into());
            }
            GcState::Undetermined => {
                return Err("encountered GCEnd when GC was in an undetermined state".into());
            }
            GcState::Running => {}
        }
        self.gc_seq = seq;
        self.gc_state = GcState::NotRunning;
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn annotation(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        validate_ctx(cur, USER_GO_REQS)?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn heap_metric(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        validate_ctx(cur, M_P)?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn gc_sweep_begin(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        validate_ctx(cur, M_P)?;
        let Some(p) = self.p_states.get_mut(&cur.p) else {
            return Err(format!(
                "uninitialized proc {} found during GCSweepBegin",
                cur.p
            ));
        };
        p.ranges.begin(range_type(ev.typ, 0))?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn gc_sweep_active(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        let pid = ev.args[0] as i64;
        let initial = generation == self.initial_gen;
        let Some(p) = self.p_states.get_mut(&pid) else {
            return Err(format!("encountered GCSweepActive for unknown proc {pid}"));
        };
        p.ranges.active(range_type(ev.typ, 0), initial)?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn gc_sweep_end(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        validate_ctx(cur, M_P)?;
        let Some(p) = self.p_states.get_mut(&cur.p) else {
            return Err(format!(
                "uninitialized proc {} found during GCSweepEnd",
                cur.p
            ));
        };
        p.ranges.end(ev.typ)?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn go_range_begin(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        validate_ctx(cur, USER_GO_REQS)?;
        let desc = if ev.typ == ev::STW_BEGIN {
            ev.args[0]
        } else {
            0
        };
        if !self.g_states.contains_key(&cur.g) {
            return Err(format!(
                "encountered event of type {} without known state for current goroutine {}",
                ev.typ, cur.g
            ));
        }
        let s = self.g_extra.entry(cur.g).or_default();
        s.ranges.begin(range_type(ev.typ, desc))?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn go_range_active(
        &mut self,
        ev: &mut BaseEvent,
        _t: &Arc<Tables<'a>>,
        generation: u64,
        cur: SchedCtx,
    ) -> Step {
        let gid = ev.args[0] as i64;
        let initial = generation == self.initial_gen;
        let name = self.name(ev.typ);
        if !self.g_states.contains_key(&gid) {
            return Err(format!("uninitialized goroutine {gid} found during {name}"));
        }
        let s = self.g_extra.entry(gid).or_default();
        s.ranges.active(range_type(ev.typ, 0), initial)?;
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn go_range_end(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        validate_ctx(cur, USER_GO_REQS)?;
        if !self.g_states.contains_key(&cur.g) {
            return Err(format!(
                "encountered event of type {} without known state for current goroutine {}",
                ev.typ, cur.g
            ));
        }
        let s = self.g_extra.entry(cur.g).or_default();
        let desc = s.ranges.end(ev.typ)?;
        if ev.typ == ev::STW_END {
            ev.args[0] = desc;
        }
        self.emit(cur, *ev);
        self.happened(cur)
    }

    fn alloc_free(&mut self, ev: &mut BaseEvent, _t: &Arc<Tables<'a>>, cur: SchedCtx) -> Step {
        validate_ctx(cur, M)?;
        self.emit(cur, *ev);
        self.happened(cur)
    }
}
