//! Text search over a compact timeline: the goroutine slices whose start function,
//! start or end stack (function or file), or unblock reason contains the text, and the
//! user log messages that contain it — in time order.
//!
//! Matching is a case-insensitive substring test. Each distinct stack, goroutine name
//! and arrow name is tested once; the slices are then a scan of integers.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::timeline::{NO_STACK, Timeline};

/// What matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hit {
    /// The goroutine's start function.
    Name(Arc<str>),
    /// A frame of the slice's end stack (where it stopped): function and file:line.
    EndStack(Arc<str>),
    /// A frame of the slice's start stack (where it resumed).
    StartStack(Arc<str>),
    /// The reason it had been blocked ("unblock (chan receive)").
    Unblock(Arc<str>),
    /// The stack of a flow the slice caused: it created or unblocked a goroutine there
    /// ("go G12 at main.main main.go:40", "unblock (chan receive) G1 at runtime.chansend1 …").
    Caused(Arc<str>),
    /// A user log message ("[category] message").
    Log(Arc<str>),
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
    let mut tests = Tests {
        tl,
        // Each stack once: the first matching frame, as "func file:line".
        stack_hit: tl
            .stacks
            .iter()
            .map(|frames| {
                frames
                    .iter()
                    .find(|f| has(&f.func) || has(&f.file))
                    .map(|f| Arc::from(format!("{} {}:{}", f.func, f.file, f.line)))
            })
            .collect(),
        link_named: tl.cause_links.iter().map(|(_, n)| has(n)).collect(),
        link_text: vec![None; tl.cause_links.len()],
        recent_names: vec![(i64::MIN, false); RECENT_NAMES],
        name_hit: FxHashMap::default(),
        name_text: FxHashMap::default(),
        name_of,
        has: &has,
    };
    // Each lane's matching spans come in time order; merging the lanes by time keeps
    // only the first `limit` matches in memory (a common word names millions).
    let matching: Vec<bool> = tests.stack_hit.iter().map(Option::is_some).collect();
    let mut lanes: Vec<LaneScan<'_>> = (0..tl.lanes.len())
        .map(|row| LaneScan::new(tl, row, &matching))
        .collect();
    // User logs are on the P they were written on.
    let lane_set: FxHashSet<u64> = tl.lane_ids.iter().copied().collect();
    let mut logs: Vec<usize> = (0..tl.logs.len())
        .filter(|&k| {
            let log = tl.logs.get(k);
            lane_set.contains(&log.lane) && has(log.text)
        })
        .collect();
    logs.sort_by_key(|&k| (tl.logs.get(k).time, tl.logs.get(k).lane));
    // The heads of the streams, earliest first: (time, lane, a log after a slice at
    // the same instant, stream). Stream `lanes.len()` is the logs.
    let log_stream = lanes.len();
    let log_head = |k: usize| {
        let log = tl.logs.get(k);
        Reverse((log.time, log.lane, true, log_stream))
    };
    let mut heads = BinaryHeap::new();
    for (s, scan) in lanes.iter_mut().enumerate() {
        if let Some(c) = scan.next(&mut tests) {
            heads.push(Reverse((c.s0, scan.lane, false, s)));
        }
    }
    let mut next_log = 0;
    if let Some(&k) = logs.first() {
        heads.push(log_head(k));
    }
    let mut out: Vec<Match> = Vec::new();
    while out.len() < limit
        && let Some(Reverse((_, _, _, s))) = heads.pop()
    {
        if s == log_stream {
            let log = tl.logs.get(logs[next_log]);
            out.push(Match {
                time: log.time,
                end: log.time,
                lane: log.lane,
                goroutine: None,
                hit: Hit::Log(Arc::from(log.text)),
            });
            next_log += 1;
            if let Some(&k) = logs.get(next_log) {
                heads.push(log_head(k));
            }
            continue;
        }
        let scan = &mut lanes[s];
        let c = scan.current.take().expect("a head has its candidate");
        out.push(tests.matched(scan.row, &c));
        if let Some(c) = scan.next(&mut tests) {
            heads.push(Reverse((c.s0, scan.lane, false, s)));
        }
    }
    // Past the limit the rest is only counted: each stream left has its head.
    let mut total = out.len();
    for Reverse((_, _, _, s)) in heads.drain() {
        total += 1;
        if s == log_stream {
            total += logs.len() - next_log - 1;
        } else {
            while lanes[s].next(&mut tests).is_some() {
                total += 1;
            }
        }
    }
    (out, total)
}

/// Goroutines whose name test is kept at a time ([`Tests::recent_names`]).
const RECENT_NAMES: usize = 1 << 16;

/// What the text is tested on, each distinct thing once.
struct Tests<'t, 'a, N, H> {
    tl: &'t Timeline,
    /// Per stack, its first matching frame.
    stack_hit: Vec<Option<Arc<str>>>,
    /// Per (lane, name) pair of causes, whether the name matches.
    link_named: Vec<bool>,
    /// The text of a matching cause name, made once.
    link_text: Vec<Option<Arc<str>>>,
    /// Whether the start function of a goroutine seen lately matches, by goroutine ID
    /// modulo the length: a goroutine's slices come close together in time. (A map over
    /// every goroutine took 9 MB on the 200 MB benchmark trace, 414,000 of them.)
    recent_names: Vec<(i64, bool)>,
    /// Per start function (by the address and length of its text: goroutines share
    /// their group's), whether it matches.
    name_hit: FxHashMap<(usize, usize), bool>,
    /// The text of a matching start function, made once.
    name_text: FxHashMap<&'a str, Arc<str>>,
    name_of: N,
    has: &'t H,
}

/// A slice that matched the cheap tests; its hit text is made only if it is kept.
struct Candidate {
    s0: i64,
    s1: i64,
    i: usize,
    goroutine: i64,
    named: bool,
    stacks: [u32; 2],
    unblock: bool,
    /// The arrow the slice caused at a matching stack, as (row, span).
    caused: Option<(usize, usize)>,
}

impl<'t, 'a, N: Fn(i64) -> &'a str, H: Fn(&str) -> bool> Tests<'t, 'a, N, H> {
    /// Whether the start function of goroutine `g` matches.
    fn named(&mut self, g: i64) -> bool {
        let slot = &mut self.recent_names[g.rem_euclid(RECENT_NAMES as i64) as usize];
        if slot.0 != g {
            let name = (self.name_of)(g);
            let has = self.has;
            let hit = *self
                .name_hit
                .entry((name.as_ptr() as usize, name.len()))
                .or_insert_with(|| has(name));
            *slot = (g, hit);
        }
        slot.1
    }

    fn stack(&self, id: u32) -> Option<&Arc<str>> {
        if id == NO_STACK {
            return None;
        }
        self.stack_hit.get(id as usize)?.as_ref()
    }

    /// The match of a candidate on `row`, with the text of its first reason.
    fn matched(&mut self, row: usize, c: &Candidate) -> Match {
        let tl = self.tl;
        let [st, en] = c.stacks;
        let hit = if c.named {
            let name = (self.name_of)(c.goroutine);
            Hit::Name(
                self.name_text
                    .entry(name)
                    .or_insert_with(|| Arc::from(name))
                    .clone(),
            )
        } else if let Some(s) = self.stack(en) {
            Hit::EndStack(s.clone())
        } else if let Some(s) = self.stack(st) {
            Hit::StartStack(s.clone())
        } else if let Some(link) = c.unblock.then(|| tl.lanes[row].cause(c.i)).flatten() {
            let link = link.link as usize;
            let text = self.link_text[link]
                .get_or_insert_with(|| Arc::from(tl.cause_links[link].1.as_str()));
            Hit::Unblock(text.clone())
        } else {
            let a = c.caused.and_then(|(r, j)| tl.arrow_into(r, j));
            let a = a.expect("a candidate has a reason");
            let at = a.stack.and_then(|s| self.stack(s)).map_or("", |s| &**s);
            Hit::Caused(Arc::from(format!("{} G{} at {at}", a.name, a.goroutine)))
        };
        Match {
            time: c.s0,
            end: c.s1,
            lane: tl.lane_ids[row],
            goroutine: Some(c.goroutine),
            hit,
        }
    }
}

/// Arrows caused on a lane: (time, the span they start as (row, index)).
type CausedArrows<'t> = Box<dyn Iterator<Item = (i64, (usize, usize))> + 't>;

/// One lane's spans, scanned in time order for candidates.
struct LaneScan<'t> {
    row: usize,
    lane: u64,
    i: usize,
    /// The arrows caused on the lane at a matching stack, in time order.
    caused: std::iter::Peekable<CausedArrows<'t>>,
    /// The candidate at the head of the merge.
    current: Option<Candidate>,
}

impl<'t> LaneScan<'t> {
    /// The scan of row `row`; `matching` says which stacks match.
    fn new(tl: &'t Timeline, row: usize, matching: &'t [bool]) -> LaneScan<'t> {
        let lane = tl.lane_ids[row];
        let caused: CausedArrows<'t> = Box::new(tl.arrow_index.caused_on(tl, lane).filter(
            move |&(_, (r, j))| {
                tl.lanes[r]
                    .cause(j)
                    .is_some_and(|c| matching.get(c.stack as usize) == Some(&true))
            },
        ));
        LaneScan {
            row,
            lane,
            i: 0,
            caused: caused.peekable(),
            current: None,
        }
    }

    /// The lane's next candidate (also kept as `current`).
    fn next<'a, N: Fn(i64) -> &'a str, H: Fn(&str) -> bool>(
        &mut self,
        t: &mut Tests<'t, 'a, N, H>,
    ) -> Option<&Candidate> {
        let spans = &t.tl.lanes[self.row];
        while self.i < spans.len() {
            let i = self.i;
            self.i += 1;
            let (s0, s1) = (spans.starts().get(i), spans.ends().get(i));
            // The caused arrows and the spans advance together in time.
            while self.caused.next_if(|&(at, _)| at < s0).is_some() {}
            let unblock = spans
                .cause(i)
                .is_some_and(|c| t.link_named[c.link as usize]);
            let caused = self
                .caused
                .peek()
                .filter(|&&(at, _)| at <= s1)
                .map(|&(_, a)| a);
            let g = spans.goroutines().get(i);
            let stacks = spans.stacks(i);
            let named = t.named(g);
            if named
                || t.stack(stacks[0]).is_some()
                || t.stack(stacks[1]).is_some()
                || unblock
                || caused.is_some()
            {
                self.current = Some(Candidate {
                    s0,
                    s1,
                    i,
                    goroutine: g,
                    named,
                    stacks,
                    unblock,
                    caused,
                });
                return self.current.as_ref();
            }
        }
        None
    }
}
