//! `gotrace-tui events`: one goroutine's events over a time window, with stacks — its
//! state changes and what it did (created or unblocked others, logged, entered
//! regions) — as short lines, or, with `--go`, exactly as `go tool trace -d=parsed`
//! prints them.

use std::io::Write;

use serde::Serialize;

use crate::analysis::events::GoroutineEvents;
use crate::analysis::goroutines::Summarizer;
use crate::report::goroutines::go_duration;
use crate::trace::Source;
use crate::trace::dump::DumpError;

#[derive(Serialize)]
struct EventJson<'a> {
    /// Nanoseconds from the trace start.
    time_ns: i64,
    summary: &'a str,
    by: Option<i64>,
    stack: Vec<String>,
    go: &'a str,
}

/// What to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Short lines with stacks.
    Text,
    /// Go's `Event.String()` of each event.
    Go,
    /// JSON.
    Json,
}

/// Prints goroutine `g`'s events within `[from, to]` (ns from the trace start; `None`:
/// the trace's ends).
pub fn run(
    source: &Source,
    g: i64,
    from: Option<i64>,
    to: Option<i64>,
    format: Format,
    out: &mut impl Write,
) -> Result<(), DumpError> {
    // The window is relative to the first event, which only the pass knows: collect
    // everything for the goroutine and cut afterwards.
    let reader = super::open_reader(source)?;
    let mut events = GoroutineEvents::new(g, i64::MIN, i64::MAX);
    let mut summarizer = Summarizer::new();
    let (_, err) = crate::analysis::run_split(reader, &mut [&mut events], &mut [&mut summarizer]);
    if let Some(e) = err {
        return Err(e.into());
    }
    let summary = summarizer.finish();
    let t0 = summary.first_time;
    let (lo, hi) = (
        from.map_or(i64::MIN, |f| t0 + f),
        to.map_or(i64::MAX, |t| t0 + t),
    );
    let events: Vec<_> = events
        .finish()
        .into_iter()
        .filter(|e| lo <= e.time && e.time <= hi)
        .collect();
    match format {
        Format::Go => {
            for e in &events {
                writeln!(out, "{}", e.go_text)?;
            }
        }
        Format::Json => {
            let rows: Vec<EventJson> = events
                .iter()
                .map(|e| EventJson {
                    time_ns: e.time - t0,
                    summary: &e.summary,
                    by: e.by,
                    stack: e.stack.iter().map(ToString::to_string).collect(),
                    go: &e.go_text,
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
        Format::Text => {
            let name = summary.goroutines.name(&g).unwrap_or("");
            writeln!(out, "G{g} {name}: {} events", events.len())?;
            for e in &events {
                let by = e.by.map_or(String::new(), |b| format!("  (by G{b})"));
                writeln!(out, "{:>14}  {}{by}", go_duration(e.time - t0), e.summary)?;
                for f in &e.stack {
                    writeln!(out, "                    {f}")?;
                }
            }
        }
    }
    Ok(())
}
