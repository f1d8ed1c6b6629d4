//! Text search over a compact timeline: the goroutine slices whose start function,
//! start or end stack (function or file), or unblock reason contains the text, and the
//! user log messages that contain it — in time order.
//!
//! Matching is a case-insensitive substring test. Each distinct stack, goroutine name
//! and arrow name is tested once; the slices are then a scan of integers.

use rustc_hash::{FxHashMap, FxHashSet};

use super::timeline::{NO_STACK, Timeline};

/// What matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hit {
    /// The goroutine's start function.
    Name(String),
    /// A frame of the slice's end stack (where it stopped): function and file:line.
    EndStack(String),
    /// A frame of the slice's start stack (where it resumed).
    StartStack(String),
    /// The reason it had been blocked ("unblock (chan receive)").
    Unblock(String),
    /// The stack of a flow the slice caused: it created or unblocked a goroutine there
    /// ("go G12 at main.main main.go:40", "unblock (chan receive) G1 at runtime.chansend1 …").
    Caused(String),
    /// A user log message ("[category] message").
    Log(String),
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hit::Name(s) => write!(f, "start function {s}"),
            Hit::EndStack(s) => write!(f, "end stack {s}"),
            Hit::StartStack(s) => write!(f, "start stack {s}"),
            Hit::Unblock(s) => write!(f, "{s}"),
            Hit::Caused(s) => write!(f, "caused {s}"),
            Hit::Log(s) => write!(f, "log {s}"),
        }
    }
}

/// One match: a slice (or a log instant) and why it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Start of the slice, or time of the log (absolute ns).
    pub time: i64,
    /// End of the slice (`time` for logs).
    pub end: i64,
    /// The lane (P or thread).
    pub lane: u64,
    /// The goroutine of the slice (`None` for logs).
    pub goroutine: Option<i64>,
    /// What matched.
    pub hit: Hit,
}

/// The matches of `pattern` in `tl`, in time order (ties by lane), at most `limit` of
/// them, and how many there were in all. `name_of(g)` gives a goroutine's start
/// function.
pub fn search<'a>(
    tl: &Timeline,
    name_of: impl Fn(i64) -> &'a str,
    pattern: &str,
    limit: usize,
) -> (Vec<Match>, usize) {
    let needle = pattern.to_lowercase();
    if needle.is_empty() {
        return (Vec::new(), 0);
    }
    let has = |s: &str| s.to_lowercase().contains(&needle);
    // Each stack once: the first matching frame, as "func file:line".
    let stack_hit: Vec<Option<String>> = tl
        .stacks
        .iter()
        .map(|frames| {
            frames
                .iter()
                .find(|f| has(&f.func) || has(&f.file))
                .map(|f| format!("{} {}:{}", f.func, f.file, f.line))
        })
        .collect();
    let stack = |id: u32| -> Option<&String> {
        if id == NO_STACK {
            return None;
        }
        stack_hit.get(id as usize)?.as_ref()
    };
    // Each goroutine once.
    let mut name_hit: FxHashMap<i64, bool> = FxHashMap::default();
    // The arrows that match: by where they end (a slice started by an unblock whose
    // reason matches: the slice's own cause), and by where they begin (a slice that
    // created or unblocked another at a matching stack: the arrow index lists those by
    // lane and time). An arrow is named by the span it starts: (row, index). Nothing is
    // collected per arrow: a common word ("chan") matches millions of them.
    let link_named: Vec<bool> = tl.cause_links.iter().map(|(_, n)| has(n)).collect();
    let arrow = |(row, i): (usize, usize)| tl.arrow_into(row, i);
    let mut out: Vec<Match> = Vec::new();
    let mut total = 0usize;
    let push = |m: Match, out: &mut Vec<Match>, total: &mut usize| {
        *total += 1;
        out.push(m);
    };
    for (row, (&lane, spans)) in tl.lane_ids.iter().zip(&tl.lanes).enumerate() {
        // A lane's spans are in time order: its first `limit` matches are all that can
        // be among the first `limit` overall (the rest are only counted).
        let mut kept = 0usize;
        let mut starts = tl
            .arrow_index
            .caused_on(tl, lane)
            .filter(|&(_, (r, j))| {
                tl.lanes[r]
                    .cause(j)
                    .is_some_and(|c| stack(c.stack).is_some())
            })
            .peekable();
        for i in 0..spans.len() {
            let (s0, s1) = (spans.starts.get(i), spans.ends().get(i));
            // The caused arrows and the spans advance together in time.
            while starts.next_if(|&(t, _)| t < s0).is_some() {}
            let unblock = spans
                .cause(i)
                .is_some_and(|c| link_named[c.link as usize])
                .then_some((row, i));
            let cause = starts.peek().filter(|&&(t, _)| t <= s1).map(|&(_, a)| a);
            let g = spans.goroutines.get(i);
            let [st, en] = spans.stacks(i);
            let named = *name_hit.entry(g).or_insert_with(|| has(name_of(g)));
            // Cheap test first; the text of the hit only for the matches kept.
            if !(named
                || stack(en).is_some()
                || stack(st).is_some()
                || unblock.is_some()
                || cause.is_some())
            {
                continue;
            }
            if kept >= limit {
                total += 1;
                continue;
            }
            let hit = if named {
                Hit::Name(name_of(g).to_string())
            } else if let Some(s) = stack(en) {
                Hit::EndStack(s.clone())
            } else if let Some(s) = stack(st) {
                Hit::StartStack(s.clone())
            } else if let Some(a) = unblock.and_then(arrow) {
                Hit::Unblock(a.name.to_string())
            } else if let Some(a) = cause.and_then(arrow) {
                let at = a.stack.and_then(stack).cloned().unwrap_or_default();
                Hit::Caused(format!("{} G{} at {at}", a.name, a.goroutine))
            } else {
                // Both lists hold arrows of this timeline: not reached.
                continue;
            };
            kept += 1;
            push(
                Match {
                    time: s0,
                    end: s1,
                    lane,
                    goroutine: Some(g),
                    hit,
                },
                &mut out,
                &mut total,
            );
        }
    }
    // User logs are instants on the P they were written on.
    let lanes: FxHashSet<u64> = tl.lane_ids.iter().copied().collect();
    for inst in &tl.instants {
        if lanes.contains(&inst.lane)
            && inst.sched.is_none()
            && inst.name.as_ref() != "CPU profile sample"
            && has(&inst.name)
        {
            push(
                Match {
                    time: inst.time,
                    end: inst.time,
                    lane: inst.lane,
                    goroutine: None,
                    hit: Hit::Log(inst.name.to_string()),
                },
                &mut out,
                &mut total,
            );
        }
    }
    out.sort_by_key(|m| (m.time, m.lane));
    out.truncate(limit);
    (out, total)
}
