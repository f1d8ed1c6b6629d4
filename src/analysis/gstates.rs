//! Goroutine state spans, on demand: for a chosen set of goroutines, when each was
//! running, runnable, in a system call or blocked (and why), as a list of spans.
//!
//! The [`super::goroutines::Summarizer`] keeps only sums per goroutine; spans cost memory
//! per transition, so they are computed for the goroutines someone looks at (the goroutine
//! page's state strip, the timeline's goroutine rows), in an extra pass over the trace.
//!
//! The spans follow the Summarizer's accounting exactly, so that they add up to its
//! columns: a goroutine that predates the trace starts at the last `Sync` before it was
//! first seen (its creation time there), one still alive at the end is cut at the last
//! event of the trace, and a re-created goroutine ID keeps only its last incarnation.
//! Where Go's sums are not a sum of states, the spans stay truthful and the difference is
//! documented on [`Lifetime`].

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::Consumer;
use super::profiles::Frame;
use crate::trace::{Event, GoState, Kind, ProcState, Resource};

/// What a goroutine was doing during a [`Span`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Running on a P.
    Running,
    /// Ready to run, waiting for a P.
    Runnable,
    /// In a system call, keeping its P.
    Syscall,
    /// In a system call after its P was taken away (or, for a goroutine first seen in a
    /// system call, without a P).
    SyscallBlocked,
    /// Blocked, with the block reason as the trace gives it ("chan receive", "network",
    /// "sync", "select", …; empty when the trace gives none).
    Waiting(Reason),
}

impl State {
    /// A short name for legends: "running", "runnable", "syscall", "syscall (blocked)",
    /// or the block reason ("blocked" when it has none).
    pub fn name(&self) -> &str {
        match self {
            State::Running => "running",
            State::Runnable => "runnable",
            State::Syscall => "syscall",
            State::SyscallBlocked => "syscall (blocked)",
            State::Waiting(r) if r.text().is_empty() => "blocked",
            State::Waiting(r) => r.text(),
        }
    }
}

/// A block reason: a number for its text, interned for the life of the process. Block
/// reasons are a handful of strings (the runtime's wait reasons; at most the distinct
/// strings of the traces opened) held by millions of spans: as a 4-byte number a
/// [`Span`] takes 24 bytes, not 40, and needs no reference counting, so a big set of
/// them is freed at once (dropping a ping-pong group's rows took 70 ms of a key press).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reason(u32);

/// The interned texts, by number, and back.
#[derive(Default)]
struct Texts {
    by_number: Vec<&'static str>,
    numbers: FxHashMap<&'static str, u32>,
}

fn texts() -> &'static std::sync::RwLock<Texts> {
    static TEXTS: std::sync::OnceLock<std::sync::RwLock<Texts>> = std::sync::OnceLock::new();
    TEXTS.get_or_init(Default::default)
}

impl Reason {
    /// The reason with this text.
    pub fn new(text: &str) -> Reason {
        if let Some(&n) = texts()
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .numbers
            .get(text)
        {
            return Reason(n);
        }
        let mut t = texts().write().unwrap_or_else(|e| e.into_inner());
        if let Some(&n) = t.numbers.get(text) {
            return Reason(n);
        }
        let n = t.by_number.len() as u32;
        let text: &'static str = Box::leak(text.into());
        t.by_number.push(text);
        t.numbers.insert(text, n);
        Reason(n)
    }

    /// Its text.
    pub fn text(self) -> &'static str {
        let t = texts().read().unwrap_or_else(|e| e.into_inner());
        t.by_number.get(self.0 as usize).copied().unwrap_or("")
    }
}

impl std::fmt::Debug for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.text())
    }
}

/// An interval `[start, end)` (absolute trace ns) in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Start, ns.
    pub start: i64,
    /// End, ns (the last event of the trace for a span still open there).
    pub end: i64,
    /// The state.
    pub state: State,
}

impl Span {
    /// Length in ns.
    pub fn duration(&self) -> i64 {
        self.end.wrapping_sub(self.start)
    }
}

/// A goroutine's state spans in time order, in 12 bytes a span where a `Vec<Span>`
/// takes 24: one goroutine's states follow each other without gaps, so a span ends where
/// the next starts and only starts are kept (with the state as a number). A ping-pong
/// goroutine has millions of spans; a group's rows were hundreds of MiB.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spans {
    starts: Vec<i64>,
    /// [`Spans::code`] of each span's state, or [`Spans::GAP`] between two spans that do
    /// not touch (not made by the runtime's transitions, but not assumed away).
    states: Vec<u32>,
    /// The end of the last span.
    end: i64,
}

impl Spans {
    const GAP: u32 = u32::MAX;

    fn code(s: State) -> u32 {
        match s {
            State::Running => 0,
            State::Runnable => 1,
            State::Syscall => 2,
            State::SyscallBlocked => 3,
            State::Waiting(r) => 4 + r.0,
        }
    }

    fn state_of(code: u32) -> Option<State> {
        Some(match code {
            0 => State::Running,
            1 => State::Runnable,
            2 => State::Syscall,
            3 => State::SyscallBlocked,
            Spans::GAP => return None,
            r => State::Waiting(Reason(r - 4)),
        })
    }

    /// Spans from a list in time order that do not overlap.
    pub fn from_spans(spans: impl IntoIterator<Item = Span>) -> Spans {
        let mut s = Spans::default();
        for sp in spans {
            s.push(sp);
        }
        s
    }

    /// Appends `span`, which must start no earlier than the last one ends.
    pub fn push(&mut self, span: Span) {
        if !self.starts.is_empty() && span.start != self.end {
            self.starts.push(self.end);
            self.states.push(Spans::GAP);
        }
        self.starts.push(span.start);
        self.states.push(Spans::code(span.state));
        self.end = span.end;
    }

    /// Number of entries (spans, and gaps between spans that do not touch): the range
    /// of [`Spans::get`]'s index.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are no spans.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Where entry `i` starts.
    pub fn start(&self, i: usize) -> i64 {
        self.starts[i]
    }

    /// Where entry `i` ends.
    pub fn end(&self, i: usize) -> i64 {
        self.starts.get(i + 1).copied().unwrap_or(self.end)
    }

    /// Entry `i`: a span, or `None` for a gap.
    pub fn get(&self, i: usize) -> Option<Span> {
        Some(Span {
            start: self.starts[i],
            end: self.end(i),
            state: Spans::state_of(self.states[i])?,
        })
    }

    /// The spans, in time order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Span> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The first span.
    pub fn first(&self) -> Option<Span> {
        self.iter().next()
    }

    /// The last span.
    pub fn last(&self) -> Option<Span> {
        self.iter().next_back()
    }

    /// The first entry from `from` on that ends after `t`: with entries ending at or
    /// before `t` skipped by galloping (doubling steps, then a binary search), a near
    /// answer is found in a few steps and a far one in logarithmic time.
    pub fn first_ending_after(&self, from: usize, t: i64) -> usize {
        self.gallop(from, |i| self.end(i) <= t)
    }

    /// The first entry from `from` on that starts at or after `t` (galloping).
    pub fn first_starting_from(&self, from: usize, t: i64) -> usize {
        self.gallop(from, |i| self.starts[i] < t)
    }

    fn gallop(&self, from: usize, before: impl Fn(usize) -> bool) -> usize {
        let n = self.len();
        let mut reach = 1;
        while from + reach <= n && before(from + reach - 1) {
            reach *= 2;
        }
        let (lo, hi) = (from + reach / 2, (from + reach).min(n));
        lo + super::column::partition_point(hi.saturating_sub(lo), |k| before(lo + k))
    }
}

/// One goroutine's states over its life in the trace.
///
/// The spans add up to the Summarizer's columns: `Running` spans to `exec`, `Runnable` to
/// `sched_wait`, `Waiting(r)` to `block_by_reason[r]`, `Syscall` plus `SyscallBlocked` to
/// `syscall + syscall_block`. Two quirks of Go's sums (kept by the Summarizer for
/// fidelity) are not quirks of the spans:
/// - a goroutine still in a system call whose P was taken when the trace ends: Go adds the
///   blocked part to the scheduler wait (and the whole call to `syscall`); here it is the
///   last span, `SyscallBlocked`, right after a `Syscall` span;
/// - a goroutine first seen in a system call without a P: Go counts the time before that
///   first sighting as a blocking syscall and the rest as syscall; here it is all
///   `SyscallBlocked`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifetime {
    /// Goroutine ID.
    pub id: i64,
    /// When it was created, or, for a goroutine that predates the trace, the `Sync`
    /// before it was first seen (Go's `CreationTime`).
    pub creation: i64,
    /// Whether the trace shows its creation (else it predates the trace).
    pub created_in_trace: bool,
    /// The goroutine that created it (−1 if none or unknown).
    pub creator: i64,
    /// Where it was created: the stack of the `go` statement, innermost first (empty if
    /// unknown).
    pub creation_stack: Arc<[Frame]>,
    /// Its start: the new goroutine's stack at creation, innermost first (the start
    /// function is the last frame; empty if unknown).
    pub start_stack: Arc<[Frame]>,
    /// When it exited (or blocked forever), if it did inside the trace.
    pub end: Option<i64>,
    /// Its states, in time order, not overlapping.
    pub spans: Spans,
}

impl Lifetime {
    /// Total time in states for which `pick` is true.
    pub fn total(&self, pick: impl Fn(&State) -> bool) -> i64 {
        self.spans
            .iter()
            .filter(|s| pick(&s.state))
            .fold(0i64, |a, s| a.wrapping_add(s.duration()))
    }

    /// The span covering time `t`, if any.
    pub fn span_at(&self, t: i64) -> Option<Span> {
        let i = self.spans.first_ending_after(0, t);
        (i < self.spans.len())
            .then(|| self.spans.get(i))
            .flatten()
            .filter(|s| s.start <= t)
    }

    /// The state at time `t`, if any span covers it.
    pub fn state_at(&self, t: i64) -> Option<State> {
        self.span_at(t).map(|s| s.state)
    }
}

/// A goroutine being followed.
struct Live {
    life: Lifetime,
    /// The open state and since when; `None` after the goroutine ended.
    open: Option<(State, i64)>,
}

impl Live {
    fn new(id: i64, creation: i64, created_in_trace: bool) -> Live {
        Live {
            life: Lifetime {
                id,
                creation,
                created_in_trace,
                creator: -1,
                ..Lifetime::default()
            },
            open: None,
        }
    }

    /// Closes the open state at `t`.
    fn close(&mut self, t: i64) {
        if let Some((state, start)) = self.open.take() {
            self.life.spans.push(Span {
                start,
                end: t,
                state,
            });
        }
    }
}

/// Records the state spans of chosen goroutines from the ordered event stream (a
/// [`Consumer`]); [`GStates::finish`] hands them over.
///
/// ```no_run
/// # fn f(bytes: &[u8]) -> Result<(), gotrace_tui::trace::Error> {
/// use gotrace_tui::analysis::{gstates::GStates, run};
/// let mut states = GStates::of([1, 7]);
/// let (_, err) = run(gotrace_tui::trace::Reader::new(bytes)?, &mut [&mut states]);
/// for life in states.finish().values() {
///     println!("G{}: {} spans", life.id, life.spans.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Default)]
pub struct GStates {
    /// The goroutines to follow; `None` follows every one.
    wanted: Option<FxHashSet<i64>>,
    live: FxHashMap<i64, Live>,
    /// Which goroutine is in a syscall on which P, and back, to see its P taken away.
    syscalling_p: FxHashMap<i64, i64>,
    syscalling_g: FxHashMap<i64, i64>,
    reasons: FxHashMap<Vec<u8>, Reason>,
    /// Stacks shared by the lifetimes: a group's goroutines share a few stacks, and a
    /// copy each was most of the memory of a big group's rows.
    stacks: FxHashMap<Vec<Frame>, Arc<[Frame]>>,
    /// This generation's stacks by ID (IDs are per generation).
    stack_ids: FxHashMap<u64, Arc<[Frame]>>,
    sync_ts: i64,
    last_ts: i64,
}

impl GStates {
    /// Follows the goroutines `ids`.
    pub fn of(ids: impl IntoIterator<Item = i64>) -> GStates {
        GStates {
            wanted: Some(ids.into_iter().collect()),
            ..GStates::default()
        }
    }

    /// Follows every goroutine (memory grows with the number of transitions: for tests
    /// and small traces).
    pub fn all() -> GStates {
        GStates::default()
    }

    fn wants(&self, id: i64) -> bool {
        self.wanted.as_ref().is_none_or(|w| w.contains(&id))
    }

    fn reason(&mut self, r: &[u8]) -> Reason {
        if let Some(&a) = self.reasons.get(r) {
            return a;
        }
        let a = Reason::new(&String::from_utf8_lossy(r));
        self.reasons.insert(r.to_vec(), a);
        a
    }

    /// The lifetimes of the followed goroutines seen in the trace, by ID; states still
    /// open are cut at the last event.
    pub fn finish(self) -> FxHashMap<i64, Lifetime> {
        let last = self.last_ts;
        self.live
            .into_iter()
            .map(|(id, mut g)| {
                g.close(last);
                (id, g.life)
            })
            .collect()
    }

    fn goroutine(&mut self, ev: &Event<'_>, id: i64, old: GoState, new: GoState) {
        let t = ev.time();
        let st = ev.state_transition().expect("a state transition");
        // Syscall bookkeeping for every goroutine, as the Summarizer does, so that a P
        // reused by another goroutine cannot be mistaken for ours.
        if old == GoState::Syscall
            && let Some(p) = self.syscalling_g.remove(&id)
        {
            self.syscalling_p.remove(&p);
        }
        if new == GoState::Syscall {
            self.syscalling_p.insert(ev.proc(), id);
            self.syscalling_g.insert(id, ev.proc());
        }
        if !self.wants(id) {
            return;
        }
        let state = match new {
            GoState::Running => Some(State::Running),
            GoState::Runnable => Some(State::Runnable),
            GoState::Waiting if st.reason != b"forever" => {
                Some(State::Waiting(self.reason(st.reason)))
            }
            GoState::Syscall => Some(State::Syscall),
            _ => None,
        };
        match old {
            GoState::Undetermined => {
                // It predates what the trace shows: it has been in `new` since the last
                // Sync (Go's creation time for it). One without a P in a syscall is in a
                // blocked syscall.
                let mut g = Live::new(id, self.sync_ts, false);
                let first = match new {
                    GoState::Syscall if ev.proc() == -1 => Some(State::SyscallBlocked),
                    GoState::Waiting => Some(State::Waiting(self.reason(st.reason))),
                    _ => state,
                };
                g.open = first.map(|s| (s, self.sync_ts));
                self.live.insert(id, g);
                if new == GoState::Waiting && st.reason == b"forever" || new == GoState::NotExist {
                    let g = self.live.get_mut(&id).expect("just inserted");
                    g.close(t);
                    g.life.end = Some(t);
                }
                return;
            }
            GoState::NotExist => {
                let mut g = Live::new(id, t, true);
                g.life.creator = ev.goroutine();
                g.life.creation_stack = self.shared_stack(ev.stack());
                g.life.start_stack = self.shared_stack(st.stack);
                self.live.insert(id, g);
            }
            _ => {}
        }
        let Some(g) = self.live.get_mut(&id) else {
            return;
        };
        g.close(t);
        match new {
            GoState::Waiting | GoState::NotExist if state.is_none() => g.life.end = Some(t),
            _ => g.open = state.map(|s| (s, t)),
        }
    }

    /// The frames of a stack, innermost first, shared with every other use of it.
    fn shared_stack(&mut self, stack: Option<crate::trace::event::Stack<'_, '_>>) -> Arc<[Frame]> {
        let Some(stack) = stack else {
            return Arc::default();
        };
        if let Some(s) = self.stack_ids.get(&stack.id()) {
            return s.clone();
        }
        let id = stack.id();
        let frames = super::profiles::owned_frames(Some(stack), usize::MAX);
        let shared = self
            .stacks
            .entry(frames)
            .or_insert_with_key(|f| Arc::from(f.as_slice()))
            .clone();
        self.stack_ids.insert(id, shared.clone());
        shared
    }

    /// A P going idle under a goroutine in a syscall: the P was taken away.
    fn proc_idle(&mut self, t: i64, p: i64) {
        let Some(id) = self.syscalling_p.remove(&p) else {
            return;
        };
        if let Some(g) = self.live.get_mut(&id)
            && matches!(g.open, Some((State::Syscall, _)))
        {
            g.close(t);
            g.open = Some((State::SyscallBlocked, t));
        }
    }
}

impl Consumer for GStates {
    fn event(&mut self, ev: &Event<'_>) {
        if self.sync_ts == 0 {
            self.sync_ts = ev.time();
        }
        self.last_ts = ev.time();
        match ev.kind() {
            Kind::Sync => {
                self.sync_ts = ev.time();
                self.stack_ids.clear();
            }
            Kind::StateTransition => {
                let Some(st) = ev.state_transition() else {
                    return;
                };
                match st.resource {
                    Resource::Goroutine(id) => {
                        if let Some((old, new)) = st.goroutine()
                            && old != new
                        {
                            self.goroutine(ev, id, old, new);
                        }
                    }
                    Resource::Proc(p) => {
                        if let Some((old, new)) = st.proc()
                            && old != new
                            && new == ProcState::Idle
                        {
                            self.proc_idle(ev.time(), p);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_at_finds_the_covering_span() {
        let life = Lifetime {
            spans: Spans::from_spans([
                Span {
                    start: 10,
                    end: 20,
                    state: State::Running,
                },
                Span {
                    start: 25,
                    end: 30,
                    state: State::Runnable,
                },
            ]),
            ..Lifetime::default()
        };
        assert_eq!(life.state_at(10), Some(State::Running));
        assert_eq!(life.state_at(19), Some(State::Running));
        // The gap between the two spans is no span.
        assert_eq!(life.state_at(20), None);
        assert_eq!(life.state_at(24), None);
        assert_eq!(life.state_at(27), Some(State::Runnable));
        assert_eq!(life.state_at(30), None);
        assert_eq!(life.state_at(5), None);
        assert_eq!(life.total(|s| *s == State::Running), 10);
        assert_eq!(life.spans.iter().count(), 2);
        assert_eq!(life.spans.last().map(|s| s.end), Some(30));
        let reason = State::Waiting(Reason::new("chan send"));
        let back = Spans::from_spans([Span {
            start: 1,
            end: 2,
            state: reason,
        }]);
        assert_eq!(back.first().map(|s| s.state), Some(reason));
    }

    #[test]
    fn gallops_to_the_spans_of_a_window() {
        let spans = Spans::from_spans((0..100).map(|i| Span {
            start: i * 10,
            end: i * 10 + 10,
            state: State::Running,
        }));
        for from in [0, 3, 50] {
            for t in [0, 5, 10, 499, 500, 995, 2000] {
                let want = (from..spans.len())
                    .find(|&i| spans.end(i) > t)
                    .unwrap_or(spans.len());
                assert_eq!(spans.first_ending_after(from, t), want, "{from} {t}");
                let want = (from..spans.len())
                    .find(|&i| spans.start(i) >= t)
                    .unwrap_or(spans.len());
                assert_eq!(spans.first_starting_from(from, t), want, "{from} {t}");
            }
        }
    }

    #[test]
    fn names_read_well_in_legends() {
        assert_eq!(State::Waiting(Reason::new("")).name(), "blocked");
        assert_eq!(
            State::Waiting(Reason::new("chan receive")).name(),
            "chan receive"
        );
        // One number a text; a span is three words, 12 bytes when stored.
        assert_eq!(Reason::new("select"), Reason::new("select"));
        assert_ne!(Reason::new("select"), Reason::new("sync"));
        assert_eq!(std::mem::size_of::<Span>(), 24);
        assert_eq!(State::SyscallBlocked.name(), "syscall (blocked)");
    }
}
