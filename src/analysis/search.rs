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
    // The arrows that match, per lane, in time order: by where they end (a slice
    // started by an unblock whose reason matches) and by where they begin (a slice that
    // created or unblocked another at a matching stack). Indexes only: the text of a
    // hit is built for the matches kept, not for millions of arrows.
    // An arrow is named by its span: (row, index).
    let mut ending: Vec<Vec<(i64, (u32, u32))>> = vec![Vec::new(); tl.lanes.len()];
    let mut starting: Vec<Vec<(i64, (u32, u32))>> = vec![Vec::new(); tl.lanes.len()];
    let link_named: Vec<bool> = tl.cause_links.iter().map(|(_, n)| has(n)).collect();
    for (row, spans) in tl.lanes.iter().enumerate() {
        for i in 0..spans.len() {
            let Some(c) = spans.cause(i) else { continue };
            let Some(&(from_lane, _)) = tl.cause_links.get(c.link as usize) else {
                continue;
            };
            let arrow = (row as u32, i as u32);
            if link_named[c.link as usize] {
                ending[row].push((spans.starts.get(i), arrow));
            }
            if stack(c.stack).is_some()
                && let Some(r) = tl.row_of(from_lane)
            {
                starting[r].push((c.time, arrow));
            }
        }
    }
    for v in ending.iter_mut().chain(starting.iter_mut()) {
        v.sort_unstable();
    }

    let arrow = |(row, i): (u32, u32)| tl.arrow_into(row as usize, i as usize);
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
        let (ends, starts) = (&ending[row], &starting[row]);
        let (mut pe, mut ps) = (0usize, 0usize);
        for i in 0..spans.len() {
            let (s0, s1) = (spans.starts.get(i), spans.ends.get(i));
            // Both lists and the spans advance together in time.
            while pe < ends.len() && ends[pe].0 < s0 {
                pe += 1;
            }
            while ps < starts.len() && starts[ps].0 < s0 {
                ps += 1;
            }
            let unblock = (pe < ends.len() && ends[pe].0 == s0).then(|| ends[pe].1);
            let cause = (ps < starts.len() && starts[ps].0 <= s1).then(|| starts[ps].1);
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
