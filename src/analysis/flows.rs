//! Causal links between goroutines, indexed both ways: what made a goroutine run (its
//! incoming links) and which goroutines it created or unblocked (its outgoing links).
//!
//! The links are the flow arrows of go tool trace's goroutine layout
//! ([`TimelineBuilder::by_goroutine`](super::timeline::TimelineBuilder::by_goroutine)),
//! which the timeline oracle checks against Go's `/jsontrace?goid=N` pages: one per
//! goroutine start that had a cause, from the creating or unblocking goroutine (or from
//! the netpoller, or a blocked syscall's return) to where the goroutine next ran.

use super::timeline::Name;

use super::timeline::{NETPOLL_LANE, SYSCALL_LANE, Timeline};
use super::{from_key, order_by, order_by_pair};

/// Where a link comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// A goroutine created or unblocked it.
    Goroutine(i64),
    /// The network poller woke it.
    Netpoll,
    /// It returned from a syscall that had lost its P.
    Syscall,
    /// No goroutine: the runtime unblocked it outside any goroutine (a timer firing on
    /// a P, the scheduler).
    Runtime,
}

/// One causal link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Go's arrow name: "go", "unblock", "unblock (REASON)", "exit blocked syscall".
    pub name: Name,
    /// Where it comes from.
    pub cause: Cause,
    /// When the cause happened (absolute ns).
    pub cause_time: i64,
    /// The goroutine made runnable.
    pub target: i64,
    /// When that goroutine started running (absolute ns).
    pub start_time: i64,
    /// The cause's stack (index into [`Timeline::stacks`]).
    pub stack: Option<u32>,
}

/// Every causal link, with both indexes.
#[derive(Debug, Default)]
pub struct Flows {
    /// The links, in the order Go emits them.
    pub links: Vec<Link>,
    /// Link indexes sorted by (target, start time).
    by_target: Vec<u32>,
    /// Link indexes of goroutine causes, sorted by (cause goroutine, cause time).
    by_cause: Vec<u32>,
}

impl Flows {
    /// The links of a goroutine-layout timeline.
    pub fn from_timeline(tl: &Timeline) -> Flows {
        let links: Vec<Link> = tl
            .arrows
            .iter()
            .map(|a| {
                // Go puts netpoller and syscall causes on pseudo-lanes whose numbers a
                // goroutine ID could also take; the arrow's name says which it is.
                let cause =
                    if a.name.as_ref() == "exit blocked syscall" && a.from_lane == SYSCALL_LANE {
                        Cause::Syscall
                    } else if a.name.contains("network") && a.from_lane == NETPOLL_LANE {
                        Cause::Netpoll
                    } else if a.from_lane as i64 == -1 {
                        // Go keeps these arrows, from lane uint64(NoGoroutine).
                        Cause::Runtime
                    } else {
                        Cause::Goroutine(a.from_lane as i64)
                    };
                Link {
                    name: a.name.clone(),
                    cause,
                    cause_time: a.from_time,
                    target: a.to_lane as i64,
                    start_time: a.to_time,
                    stack: a.stack,
                }
            })
            .collect();
        let by_target = order_by_pair(&links, |l| l.target, |l| l.start_time);
        let by_cause = order_by(
            &links,
            |l| matches!(l.cause, Cause::Goroutine(_)),
            |l| (l.cause, l.cause_time),
        );
        Flows {
            links,
            by_target,
            by_cause,
        }
    }

    /// What made goroutine `g` run, each time it did, in time order.
    pub fn incoming(&self, g: i64) -> impl Iterator<Item = &Link> + '_ {
        from_key(&self.by_target, &self.links, |l| l.target, g).take_while(move |l| l.target == g)
    }

    /// The goroutines `g` created or unblocked, in time order.
    pub fn outgoing(&self, g: i64) -> impl Iterator<Item = &Link> + '_ {
        let key = Cause::Goroutine(g);
        from_key(&self.by_cause, &self.links, |l| l.cause, key).take_while(move |l| l.cause == key)
    }

    /// The link that started the run of `g` beginning at `start` (absolute ns), if any.
    pub fn cause_of_run(&self, g: i64, start: i64) -> Option<&Link> {
        self.incoming(g).find(|l| l.start_time == start)
    }

    /// The links `g` caused during `[from, to]` (absolute ns): what one of its slices
    /// created or unblocked. Two binary searches, however many links `g` has.
    pub fn caused_during(&self, g: i64, from: i64, to: i64) -> impl Iterator<Item = &Link> + '_ {
        let key = |l: &Link| (l.cause, l.cause_time);
        from_key(
            &self.by_cause,
            &self.links,
            key,
            (Cause::Goroutine(g), from),
        )
        .take_while(move |l| key(l) <= (Cause::Goroutine(g), to))
    }
}

/// A task begun inside another: go tool trace's "newTask" arrow from the parent task
/// to the child in its task views, drawn when the child's begin is in the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskLink {
    /// The parent task.
    pub parent: u64,
    /// The child task.
    pub child: u64,
    /// When the child began (absolute ns).
    pub time: i64,
    /// The goroutine that began it.
    pub goroutine: i64,
}

/// Every task link, indexed both ways.
#[derive(Debug, Default)]
pub struct TaskLinks {
    /// The links, by the child's begin time.
    pub links: Vec<TaskLink>,
    /// Link indexes sorted by (parent, time).
    by_parent: Vec<u32>,
}

impl TaskLinks {
    /// The links of a goroutine summary's tasks (Go's rule: a parent, and a begin event
    /// in the trace).
    pub fn new(summary: &crate::analysis::goroutines::Summary) -> TaskLinks {
        let mut links: Vec<TaskLink> = summary
            .tasks
            .values()
            .filter_map(|t| {
                let start = t.start?;
                Some(TaskLink {
                    parent: t.parent?,
                    child: t.id,
                    time: start.time,
                    goroutine: start.goroutine,
                })
            })
            .collect();
        links.sort_by_key(|l| (l.time, l.child));
        let by_parent = order_by(&links, |_| true, |l| (l.parent, l.time));
        TaskLinks { links, by_parent }
    }

    /// The tasks begun inside `parent`, in time order.
    pub fn children(&self, parent: u64) -> impl Iterator<Item = &TaskLink> + '_ {
        from_key(&self.by_parent, &self.links, |l| l.parent, parent)
            .take_while(move |l| l.parent == parent)
    }

    /// The link into `child`, if it was begun inside another task.
    pub fn parent_of(&self, child: u64) -> Option<&TaskLink> {
        self.links.iter().find(|l| l.child == child)
    }
}
