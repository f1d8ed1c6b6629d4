//! The `F` goroutine filter: which goroutines the Goroutines tab and the timeline's
//! goroutine rows show. A filter is a list of terms, all of which must hold:
//!
//! | term | keeps goroutines |
//! |---|---|
//! | `word` | whose start function fuzzy-matches `word` |
//! | `group:TEXT` | of a group whose name contains `TEXT` |
//! | `state:running\|runnable\|syscall\|blocked\|REASON` | that spent time in that state (a block reason, e.g. `state:chan`, matches reasons containing it) |
//! | `running>1ms`, `runnable>100us`, `blocked>5ms`, `syscall>1ms` | with more than that much time in the state (also `<`) |
//! | `window:1ms-5ms` | alive at some time in the window (times from the trace start) |
//! | `task:ID` or `task:NAME` | involved in the task (or tasks of that type) |
//! | `region:NAME` | with a region whose name contains `NAME` |
//! | `interacts` | linked by a flow with the selected goroutine (created or unblocked it, or were created or unblocked by it) |

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use rustc_hash::{FxHashMap, FxHashSet};

use super::model::Model;
use crate::analysis::goroutines::{GoroutineSummary, is_sync_reason};
use crate::analysis::timeline::Timeline;

/// A filter in force: the text typed and what it keeps.
#[derive(Debug, Clone)]
pub struct GoroutineFilter {
    /// The filter as typed.
    pub text: String,
    /// The goroutines kept.
    pub ids: FxHashSet<i64>,
    /// Per group (as `Model::groups`), its members kept, ascending.
    pub members: Vec<Vec<i64>>,
    /// Per group, the classic columns summed over the members kept.
    pub group_classic: Vec<[i64; 7]>,
}

impl GoroutineFilter {
    /// Whether goroutine `g` is kept.
    pub fn keeps(&self, g: i64) -> bool {
        self.ids.contains(&g)
    }
}

/// One term.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    Fuzzy(String),
    Group(String),
    State(String),
    Time { state: String, more: bool, ns: i64 },
    Window(i64, i64),
    Task(String),
    Region(String),
    Interacts,
}

fn parse(text: &str) -> Result<Vec<Term>, String> {
    let dur = |s: &str| {
        crate::report::tasks::parse_duration(s)
            .ok_or_else(|| format!("{s:?} is not a duration (e.g. 250us, 1.5ms)"))
    };
    let mut terms = Vec::new();
    for word in text.split_whitespace() {
        let lower = word.to_lowercase();
        let term = if let Some(v) = lower.strip_prefix("group:") {
            Term::Group(v.to_string())
        } else if let Some(v) = lower.strip_prefix("state:") {
            Term::State(v.to_string())
        } else if let Some(v) = lower.strip_prefix("window:") {
            let (a, b) = v
                .split_once('-')
                .ok_or_else(|| format!("{word:?}: a window is FROM-TO, e.g. window:1ms-5ms"))?;
            Term::Window(dur(a)?, dur(b)?)
        } else if let Some(v) = lower.strip_prefix("task:") {
            Term::Task(v.to_string())
        } else if let Some(v) = lower.strip_prefix("region:") {
            Term::Region(v.to_string())
        } else if lower == "interacts" {
            Term::Interacts
        } else if let Some((state, more, v)) = ["running", "runnable", "blocked", "syscall"]
            .iter()
            .find_map(|s| {
                let rest = lower.strip_prefix(s)?;
                rest.strip_prefix('>')
                    .map(|v| (s, true, v))
                    .or_else(|| rest.strip_prefix('<').map(|v| (s, false, v)))
            })
        {
            Term::Time {
                state: state.to_string(),
                more,
                ns: dur(v)?,
            }
        } else {
            Term::Fuzzy(word.to_string())
        };
        terms.push(term);
    }
    Ok(terms)
}

/// Time `g` spent in `state` ("running", "runnable", "syscall", "blocked").
fn time_in(g: &GoroutineSummary, state: &str) -> i64 {
    let s = &g.stats;
    match state {
        "running" => s.exec,
        "runnable" => s.sched_wait,
        "syscall" => s.syscall + s.syscall_block,
        _ => s.block_by_reason.sum(),
    }
}

/// The goroutines linked with `g` by a flow: those that created or unblocked it, and
/// those it created or unblocked (from the P timeline's arrows).
pub fn interacting(tl: &Timeline, g: i64) -> FxHashSet<i64> {
    linked(tl, g, WALK_RATIO)
}

/// [`interacting`] tests every arrow caused during `g`'s lifetime in one pass when the
/// runs in that window number under this many per run of `g`, and looks each of its runs
/// up otherwise: a goroutine of 337,000 runs over the whole 200 MB benchmark trace took
/// 3.8 s run by run, one of a few runs far apart would pass over the whole trace for
/// nothing.
const WALK_RATIO: usize = 1024;

/// [`interacting`], choosing between the pass and the lookups by `walk_ratio`.
fn linked(tl: &Timeline, g: i64, walk_ratio: usize) -> FxHashSet<i64> {
    let mut out = FxHashSet::default();
    // `g`'s runs, by lane: (start, end), in order.
    let mut runs: Vec<(u64, Vec<(i64, i64)>)> = Vec::new();
    for (&lane, spans) in tl.lane_ids.iter().zip(&tl.lanes) {
        let mine: Vec<(i64, i64)> = spans
            .goroutines()
            .positions_of(g)
            .map(|i| (spans.starts().get(i), spans.ends().get(i)))
            .collect();
        if !mine.is_empty() {
            runs.push((lane, mine));
        }
    }
    let n: usize = runs.iter().map(|(_, r)| r.len()).sum();
    let from = runs.iter().map(|(_, r)| r[0].0).min();
    let to = runs.iter().filter_map(|(_, r)| r.last()).map(|r| r.1).max();
    if let (Some(from), Some(to)) = (from, to) {
        let window: usize = tl
            .lanes
            .iter()
            .map(|l| {
                let starts = l.starts();
                starts.partition_point(|s| s <= to) - starts.partition_point(|s| s < from)
            })
            .sum();
        if window / n < walk_ratio {
            // Each lane's run under test, kept from one arrow to the next: a row's causes
            // come nearly in time order.
            let mut at = vec![0usize; runs.len()];
            for (lane, t, row, i) in tl.arrow_index.causes_during(tl, from, to) {
                let Some(k) = runs.iter().position(|(l, _)| *l == lane) else {
                    continue;
                };
                let r = &runs[k].1;
                let mut j = at[k];
                if r[j].0 > t {
                    j = r.partition_point(|&(s, _)| s <= t).saturating_sub(1);
                }
                while r.get(j + 1).is_some_and(|&(s, _)| s <= t) {
                    j += 1;
                }
                at[k] = j;
                if (r[j].0..=r[j].1).contains(&t) {
                    out.insert(tl.lanes[row].goroutines().get(i));
                }
            }
        } else {
            for (lane, r) in &runs {
                for &(s, e) in r {
                    out.extend(tl.arrow_index.out_of(tl, *lane, s, e).map(|a| a.goroutine));
                }
            }
        }
    }
    for a in tl.arrow_index.into_from(tl, g, i64::MIN) {
        if let Some(c) = tl.cause_goroutine(a.from_lane, a.from_time) {
            out.insert(c);
        }
    }
    out.remove(&g);
    out
}

/// Whether applying `text` may take long enough to be done off the key (its
/// `interacts` term); a filter that does not parse is quick to refuse.
pub fn slow(text: &str) -> bool {
    parse(text).is_ok_and(|terms| terms.contains(&Term::Interacts))
}

/// Applies `text` to the model; `selected` is the goroutine `interacts` refers to.
pub fn apply(text: &str, model: &Model, selected: Option<i64>) -> Result<GoroutineFilter, String> {
    let terms = parse(text)?;
    if terms.is_empty() {
        return Err("an empty filter: type terms, or Esc".into());
    }
    let (t0, t1) = model.time_range();
    let matcher = SkimMatcherV2::default();
    let linked = if terms.contains(&Term::Interacts) {
        let g = selected
            .ok_or("interacts: select a goroutine first (a slice, a goroutine row or page)")?;
        Some(interacting(&model.procs, g))
    } else {
        None
    };
    let summary = &model.summary;
    let names = &summary.names;
    // The goroutines of the tasks each `task:` term names, found once: a big trace has
    // 100,000 tasks and 400,000 goroutines.
    let mut task_goroutines: FxHashMap<&str, FxHashSet<i64>> = FxHashMap::default();
    for t in &terms {
        if let Term::Task(v) = t {
            let set = summary
                .tasks
                .values()
                .filter(|task| task.id.to_string() == *v || task.name.to_lowercase() == *v)
                .flat_map(|task| task.goroutines)
                .collect();
            task_goroutines.insert(v, set);
        }
    }
    let keep = |g: &GoroutineSummary| {
        terms.iter().all(|t| match t {
            Term::Fuzzy(w) => matcher.fuzzy_match(&g.name, w).is_some(),
            Term::Group(v) => g.name.to_lowercase().contains(v),
            Term::State(v) => match v.as_str() {
                "running" | "runnable" | "syscall" | "blocked" => time_in(g, v) > 0,
                "sync" => g
                    .stats
                    .block_by_reason
                    .iter()
                    .any(|(k, d)| d > 0 && is_sync_reason(names.get(k))),
                reason => g
                    .stats
                    .block_by_reason
                    .iter()
                    .any(|(k, d)| d > 0 && names.get(k).to_lowercase().contains(reason)),
            },
            Term::Time { state, more, ns } => {
                let d = time_in(g, state);
                if *more { d > *ns } else { d < *ns }
            }
            Term::Window(a, b) => {
                let end = if g.end_time != 0 { g.end_time } else { t1 };
                g.creation_time <= t0 + b && end >= t0 + a
            }
            Term::Task(v) => task_goroutines
                .get(v.as_str())
                .is_some_and(|set| set.contains(&g.id)),
            Term::Region(v) => g.regions.iter().any(|r| r.name.to_lowercase().contains(v)),
            Term::Interacts => linked.as_ref().is_some_and(|l| l.contains(&g.id)),
        })
    };
    // Regions are decoded only when a term reads them: a goroutine can hold thousands.
    let all: Box<dyn Iterator<Item = GoroutineSummary>> =
        if terms.iter().any(|t| matches!(t, Term::Region(_))) {
            Box::new(summary.goroutines.values())
        } else {
            Box::new(summary.goroutines.briefs())
        };
    let ids: FxHashSet<i64> = all.filter(|g| keep(g)).map(|g| g.id).collect();
    let members: Vec<Vec<i64>> = model
        .groups
        .iter()
        .map(|grp| {
            grp.goroutines
                .iter()
                .copied()
                .filter(|g| ids.contains(g))
                .collect()
        })
        .collect();
    let group_classic = members
        .iter()
        .map(|m: &Vec<i64>| crate::report::goroutines::group_classic(summary, m))
        .collect();
    Ok(GoroutineFilter {
        text: text.to_string(),
        ids,
        members,
        group_classic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_parse() {
        assert_eq!(
            parse("worker blocked>1ms state:chan window:1ms-2ms interacts").unwrap(),
            vec![
                Term::Fuzzy("worker".into()),
                Term::Time {
                    state: "blocked".into(),
                    more: true,
                    ns: 1_000_000
                },
                Term::State("chan".into()),
                Term::Window(1_000_000, 2_000_000),
                Term::Interacts,
            ]
        );
        assert!(parse("window:1ms").is_err());
        assert!(parse("running>lots").is_err());
    }

    /// The goroutines linked with any goroutine are the same whether its arrows are found
    /// in one pass over its lifetime or run by run.
    #[test]
    fn linked_goroutines_are_the_same_walked_or_looked_up() {
        use crate::analysis::timeline::TimelineBuilder;
        let mut compared = 0;
        for t in ["chan", "http", "stress", "gomaxprocs"] {
            let path = format!(
                "{}/testdata/traces/go126/{t}.trace",
                env!("CARGO_MANIFEST_DIR")
            );
            let data = std::fs::read(&path).unwrap();
            let mut b = TimelineBuilder::new().compact();
            crate::analysis::run(crate::trace::Reader::new(&data).unwrap(), &mut [&mut b]);
            let tl = b.finish();
            let mut gs: Vec<i64> = Vec::new();
            for l in &tl.lanes {
                gs.extend(l.goroutines().iter());
            }
            gs.sort_unstable();
            gs.dedup();
            for &g in &gs {
                let walked = linked(&tl, g, usize::MAX);
                assert_eq!(walked, linked(&tl, g, 0), "{t}: G{g}");
                compared += usize::from(!walked.is_empty());
            }
        }
        assert!(compared > 100, "only {compared} goroutines had links");
    }
}
