//! `gotrace-tui search`: the slices and user logs whose goroutine name, stacks, unblock
//! reason or message contain a text, in time order — the explorer's `/` search, as text.

use std::io::Write;

use serde::Serialize;

use crate::analysis::goroutines::Summarizer;
use crate::analysis::search::{Hit, search};
use crate::analysis::timeline::TimelineBuilder;
use crate::report::goroutines::go_duration;
use crate::trace::Source;
use crate::trace::dump::DumpError;

#[derive(Serialize)]
struct MatchJson {
    /// Nanoseconds from the trace start.
    time_ns: i64,
    end_ns: i64,
    proc: u64,
    goroutine: Option<i64>,
    /// "name", "end_stack", "start_stack", "unblock", "caused" or "log".
    field: &'static str,
    text: String,
}

/// Prints the first `limit` matches of `pattern`, and how many there are.
pub fn run(
    source: &Source,
    pattern: &str,
    limit: usize,
    json: bool,
    out: &mut impl Write,
) -> Result<(), DumpError> {
    let reader = super::open_reader(source)?;
    let mut timeline = TimelineBuilder::new().compact();
    let mut summarizer = Summarizer::new();
    let (_, err) = crate::analysis::run_split(reader, &mut [&mut summarizer], &mut [&mut timeline]);
    if let Some(e) = err {
        return Err(e.into());
    }
    let tl = timeline.finish();
    let summary = summarizer.finish();
    let name_of = |g: i64| summary.goroutines.name(&g).unwrap_or("");
    let (matches, total) = search(&tl, name_of, pattern, limit);
    let t0 = summary.first_time;
    if json {
        let rows: Vec<MatchJson> = matches
            .iter()
            .map(|m| {
                let (field, text) = match &m.hit {
                    Hit::Name(s) => ("name", s.to_string()),
                    Hit::EndStack(s) => ("end_stack", s.to_string()),
                    Hit::StartStack(s) => ("start_stack", s.to_string()),
                    Hit::Unblock(s) => ("unblock", s.to_string()),
                    Hit::Caused(s) => ("caused", s.to_string()),
                    Hit::Log(s) => ("log", s.to_string()),
                };
                MatchJson {
                    time_ns: m.time - t0,
                    end_ns: m.end - t0,
                    proc: m.lane,
                    goroutine: m.goroutine,
                    field,
                    text,
                }
            })
            .collect();
        serde_json::to_writer_pretty(
            &mut *out,
            &serde_json::json!({
                "pattern": pattern,
                "total": total,
                "matches": rows,
            }),
        )
        .map_err(std::io::Error::other)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "{total} matches of {pattern:?}{}",
        if total > matches.len() {
            format!(" (the first {} shown; --limit shows more)", matches.len())
        } else {
            String::new()
        }
    )?;
    for m in &matches {
        let who = match m.goroutine {
            Some(g) => format!("G{g} {}", name_of(g)),
            None => String::new(),
        };
        writeln!(
            out,
            "{:>14}  P{:<3} {:<40} {}",
            go_duration(m.time - t0),
            m.lane,
            who,
            m.hit
        )?;
    }
    Ok(())
}
