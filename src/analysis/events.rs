//! One goroutine's own events over a time window, in trace order: its state changes
//! (whoever caused them), and the events it emitted itself (goroutines it created or
//! unblocked, logs, regions, tasks, ranges, CPU samples…), each with a short description, its stack, and Go's own text
//! of the event (`Event.String()`, as `go tool trace -d=parsed` prints it).

use super::Consumer;
use super::timeline::Frame;
use crate::trace::dump::write_event;
use crate::trace::{Event, GoState, Kind, Resource};

/// One event of the goroutine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoEvent {
    /// When (absolute ns).
    pub time: i64,
    /// A one-line description: "running → waiting (chan receive)", "log [cat] msg", …
    pub summary: String,
    /// The goroutine that emitted the event, when another one (the unblocker, the
    /// creator).
    pub by: Option<i64>,
    /// The event's stack (for state changes, the goroutine's own stack at the change
    /// where the trace has one), innermost first.
    pub stack: Vec<Frame>,
    /// Go's `Event.String()`, stack lines included.
    pub go_text: String,
}

/// Collects the events of goroutine `g` within `[from, to]`.
#[derive(Debug)]
pub struct GoroutineEvents {
    g: i64,
    from: i64,
    to: i64,
    events: Vec<GoEvent>,
}

impl GoroutineEvents {
    /// Collects for goroutine `g` within `[from, to]` (absolute ns).
    pub fn new(g: i64, from: i64, to: i64) -> GoroutineEvents {
        GoroutineEvents {
            g,
            from,
            to,
            events: Vec::new(),
        }
    }

    /// The events, in trace order.
    pub fn finish(self) -> Vec<GoEvent> {
        self.events
    }
}

fn state_name(s: GoState) -> &'static str {
    match s {
        GoState::NotExist => "not exist",
        GoState::Runnable => "runnable",
        GoState::Running => "running",
        GoState::Waiting => "waiting",
        GoState::Syscall => "syscall",
        _ => "undetermined",
    }
}

impl Consumer for GoroutineEvents {
    fn event(&mut self, ev: &Event<'_>) {
        let t = ev.time();
        if t < self.from || t > self.to {
            return;
        }
        let kind = ev.kind();
        let st = ev.state_transition();
        let other = match &st {
            Some(s) => match s.resource {
                Resource::Goroutine(id) if id == self.g => None,
                // What it did to another goroutine: created or unblocked it.
                Resource::Goroutine(id) if ev.goroutine() == self.g => Some(id),
                _ => return,
            },
            None if ev.goroutine() == self.g => None,
            None => return,
        };
        let summary = match (&st, kind) {
            (Some(s), _) => {
                let (from, to) = s.goroutine().expect("a goroutine transition");
                let mut text = match other {
                    Some(id) => format!("G{id}: {} → {}", state_name(from), state_name(to)),
                    None => format!("{} → {}", state_name(from), state_name(to)),
                };
                if !s.reason.is_empty() {
                    text.push_str(&format!(" ({})", String::from_utf8_lossy(s.reason)));
                }
                text
            }
            (None, Kind::Log) => match ev.log() {
                Some(l) if l.category.is_empty() => {
                    format!("log {}", String::from_utf8_lossy(l.message))
                }
                Some(l) => format!(
                    "log [{}] {}",
                    String::from_utf8_lossy(l.category),
                    String::from_utf8_lossy(l.message)
                ),
                None => "log".into(),
            },
            (None, Kind::RangeBegin | Kind::RangeActive | Kind::RangeEnd) => {
                let mut name = Vec::new();
                if let Some(r) = ev.range() {
                    r.name.write_to(&mut name);
                }
                let what = match kind {
                    Kind::RangeBegin => "begin",
                    Kind::RangeActive => "active",
                    _ => "end",
                };
                format!("{what} {}", String::from_utf8_lossy(&name))
            }
            (None, Kind::RegionBegin | Kind::RegionEnd) => {
                let name = ev.region().map_or(String::new(), |r| {
                    String::from_utf8_lossy(r.typ).into_owned()
                });
                let what = if kind == Kind::RegionBegin {
                    "begin"
                } else {
                    "end"
                };
                format!("region {what} {name}")
            }
            (None, Kind::TaskBegin | Kind::TaskEnd) => {
                let (id, name) = ev.task().map_or((0, String::new()), |t| {
                    (t.id, String::from_utf8_lossy(t.typ).into_owned())
                });
                let what = if kind == Kind::TaskBegin {
                    "begin"
                } else {
                    "end"
                };
                format!("task {what} {id} {name}")
            }
            (None, Kind::StackSample) => "CPU profile sample".into(),
            (None, Kind::Metric) => match ev.metric() {
                Some(m) => format!("metric {} = {}", m.name, m.value),
                None => "metric".into(),
            },
            (None, k) => k.name().to_string(),
        };
        let by = (ev.goroutine() != self.g && ev.goroutine() != -1).then(|| ev.goroutine());
        // A transition's own stack is the goroutine's (where it blocked; where it was
        // created); the event's stack is the emitter's (where it created or unblocked
        // another).
        let stack = match &st {
            Some(s) if other.is_none() && s.stack.is_some() => Frame::of_stack(s.stack),
            _ if by.is_none() => Frame::of_stack(ev.stack()),
            _ => Vec::new(),
        };
        let mut go_text = Vec::new();
        write_event(&mut go_text, ev);
        self.events.push(GoEvent {
            time: t,
            summary,
            by,
            stack,
            go_text: String::from_utf8_lossy(&go_text).into_owned(),
        });
    }
}
