//! The `:` jump prompt: what the typed text can mean — a goroutine (`g123`), a P (`p3`),
//! a thread (`m5`), a time (`1.25s`, `350ms`, `+20us` from the cursor), a task
//! (`task 42`) — and, for any other text, goroutine groups, tasks and regions whose
//! names fuzzy-match it, best first.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::format::dur;
use super::model::Model;
use crate::analysis::Name;

/// Where a candidate leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A goroutine: its first slice at or after the cursor.
    Goroutine(i64),
    /// A P's row.
    Proc(u64),
    /// A thread's row.
    Thread(u64),
    /// An absolute time (ns).
    Time(i64),
    /// A time window, with the goroutine to select in it.
    Window(i64, i64, Option<i64>),
    /// A goroutine group's rows (index into `Model::groups`).
    Group(u32),
    /// A task: its window, with its tree as tracks (go tool trace's task-focused view).
    Task(u64),
}

/// One line of the candidate list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// What the list shows.
    pub label: String,
    /// Where Enter goes.
    pub target: Target,
}

/// What the prompt is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PromptKind {
    /// `:` — jump somewhere.
    #[default]
    Jump,
    /// `/` — search the timeline.
    Search,
    /// `F` — filter goroutines.
    Filter,
}

/// The prompt being typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompt {
    /// Jump or search.
    pub kind: PromptKind,
    /// The text so far.
    pub text: String,
    /// Candidates for it, best first.
    pub candidates: Vec<Candidate>,
    /// The highlighted candidate.
    pub selected: usize,
}

/// Candidates shown at most.
pub const MAX_CANDIDATES: usize = 10;

/// The candidates for `text`, given the model and the cursor time (for `+20us`).
pub fn candidates(text: &str, model: &Model, cursor: i64) -> Vec<Candidate> {
    let text = text.trim();
    let mut out = Vec::new();
    if text.is_empty() {
        return out;
    }
    let (t0, t1) = model.time_range();
    let lower = text.to_ascii_lowercase();
    let number = |prefix: &str| -> Option<u64> { lower.strip_prefix(prefix)?.trim().parse().ok() };
    if let Some(g) = number("g") {
        let g = g as i64;
        match model.summary.goroutines.get(&g) {
            Some(s) => out.push(Candidate {
                label: format!("goroutine G{g} {}", s.name),
                target: Target::Goroutine(g),
            }),
            None => out.push(Candidate {
                label: format!("no goroutine G{g} in this trace"),
                target: Target::Time(cursor),
            }),
        }
    }
    if let Some(p) = number("p")
        && model.procs.lane_ids.contains(&p)
    {
        out.push(Candidate {
            label: format!("processor P{p}"),
            target: Target::Proc(p),
        });
    }
    if let Some(m) = number("m") {
        out.push(Candidate {
            label: format!("thread M{m} (thread rows)"),
            target: Target::Thread(m),
        });
    }
    if let Some(id) = number("task")
        && let Some(task) = model.summary.tasks.get(&id)
    {
        let start = task.start.map_or(t0, |e| e.time);
        let end = task.end.map_or(t1, |e| e.time);
        out.push(Candidate {
            label: format!("task {id} {} ({})", task.name, dur(end - start)),
            target: Target::Task(id),
        });
    }
    if let Some(t) = parse_time(text, cursor - t0) {
        let t = (t0 + t).clamp(t0, t1);
        out.push(Candidate {
            label: format!("time {}", dur(t - t0)),
            target: Target::Time(t),
        });
    }
    // Free text: fuzzy over names.
    let matcher = SkimMatcherV2::default();
    let mut scored: Vec<(i64, Candidate)> = Vec::new();
    for (i, g) in model.groups.iter().enumerate() {
        if let Some(score) = matcher.fuzzy_match(&g.name, text) {
            scored.push((
                score,
                Candidate {
                    label: format!("group {} ({} goroutines)", g.name, g.goroutines.len()),
                    target: Target::Group(i as u32),
                },
            ));
        }
    }
    // A task's score is its type's, and candidates of one score keep their order, so at
    // most MAX_CANDIDATES tasks of a type can be listed: the others are not made (a big
    // trace has 100,000 tasks of a few types).
    let mut by_type: rustc_hash::FxHashMap<Name, (Option<i64>, usize)> = Default::default();
    for (id, name, start) in model.summary.tasks.heads() {
        let (score, listed) = by_type
            .entry(name.clone())
            .or_insert_with(|| (matcher.fuzzy_match(&name, text), 0));
        if let Some(score) = *score
            && *listed < MAX_CANDIDATES
        {
            *listed += 1;
            let start = start.map_or(t0, |e| e.time);
            scored.push((
                score,
                Candidate {
                    label: format!("task {id} {name} at {}", dur(start - t0)),
                    target: Target::Task(id),
                },
            ));
        }
    }
    for rt in &model.region_types {
        // The longest region of the type (they come longest first).
        if let Some(score) = matcher.fuzzy_match(&rt.name, text)
            && let Some(r) = rt.regions.first()
        {
            let start = r.start.unwrap_or(t0);
            scored.push((
                score,
                Candidate {
                    label: format!(
                        "region {} (longest: G{} {} at {})",
                        rt.name,
                        r.goroutine,
                        dur(r.duration),
                        dur(start - t0)
                    ),
                    target: Target::Window(start, start + r.duration, Some(r.goroutine)),
                },
            ));
        }
    }
    // Best score first; ties keep the order above (groups by execution time).
    scored.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    out.extend(scored.into_iter().map(|(_, c)| c));
    out.truncate(MAX_CANDIDATES);
    out
}

/// A time typed in the prompt, relative to the trace start: `1.25s`, `350ms`, `20us`,
/// or `+20us` / `-1ms` from `cursor` (also relative to the start).
pub fn parse_time(text: &str, cursor: i64) -> Option<i64> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => (0, text),
    };
    // A bare number is not a time: `p3` or `42` mean something else.
    if !rest.ends_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let d = crate::report::tasks::parse_duration(rest)?;
    Some(match sign {
        0 => d,
        s => cursor + s * d,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_absolute_and_relative() {
        assert_eq!(parse_time("1.25s", 0), Some(1_250_000_000));
        assert_eq!(parse_time("350ms", 0), Some(350_000_000));
        assert_eq!(parse_time("+20us", 1_000), Some(21_000));
        assert_eq!(parse_time("-1µs", 5_000), Some(4_000));
        assert_eq!(parse_time("42", 0), None);
        assert_eq!(parse_time("main", 0), None);
    }
}
