//! `gotrace-tui stats`: Go's event footprint table, then a short summary of the trace.

use std::io::Write;

use rustc_hash::FxHashSet;

use crate::trace::dump::DumpError;
use crate::trace::gofmt::rfc3339_nano_utc;
use crate::trace::raw::write_footprint_releasing;
use crate::trace::{Kind, Reader, Resource, Source};

/// Facts about a whole trace, gathered in one ordered pass.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    /// Header version, e.g. `go 1.26`.
    pub version: String,
    /// Events in the ordered stream (Sync events included).
    pub events: u64,
    /// Generations.
    pub generations: u64,
    /// Time of the first and last event, ns.
    pub first_time: i64,
    /// Time of the last event, ns.
    pub last_time: i64,
    /// Distinct threads, procs and goroutines seen.
    pub threads: usize,
    /// Distinct procs.
    pub procs: usize,
    /// Distinct goroutines.
    pub goroutines: usize,
    /// Wall clock of the first clock snapshot (Go 1.25+), RFC 3339.
    pub wall_start: Option<String>,
    /// Why decoding stopped early, if it did.
    pub error: Option<String>,
}

/// Decodes the whole trace once and summarises it.
pub fn summarize(data: &[u8]) -> Result<Summary, DumpError> {
    summarize_reader(Reader::new(data)?)
}

/// Summarises the events of `reader`.
fn summarize_reader(reader: Reader<'_>) -> Result<Summary, DumpError> {
    let mut s = Summary {
        version: reader.version().to_string(),
        ..Summary::default()
    };
    // Goroutines by ID in an array (a hash set of the 414,000 of the 200 MB benchmark
    // trace took 8 MB); threads and Ps are few.
    let (mut ms, mut ps) = (FxHashSet::default(), FxHashSet::default());
    let mut gs = crate::analysis::IdIndex::default();
    for ev in reader {
        let ev = match ev {
            Ok(ev) => ev,
            Err(e) => {
                s.error = Some(e.to_string());
                break;
            }
        };
        if s.events == 0 {
            s.first_time = ev.time();
        }
        s.events += 1;
        s.last_time = ev.time();
        let ctx = ev.context();
        for (set, id) in [(&mut ms, ctx.m), (&mut ps, ctx.p)] {
            if id >= 0 {
                set.insert(id);
            }
        }
        if ctx.g >= 0 {
            gs.insert(ctx.g, 0);
        }
        match ev.kind() {
            Kind::Sync => {
                if let Some(sync) = ev.sync_info()
                    && ev.tables().is_some()
                {
                    s.generations += 1;
                    if s.wall_start.is_none()
                        && let Some(c) = sync.clock_snapshot
                    {
                        s.wall_start = Some(rfc3339_nano_utc(c.wall_sec, c.wall_nsec));
                    }
                }
            }
            Kind::StateTransition => match ev.state_transition().map(|t| t.resource) {
                Some(Resource::Goroutine(g)) if g >= 0 => {
                    gs.insert(g, 0);
                }
                Some(Resource::Proc(p)) if p >= 0 => {
                    ps.insert(p);
                }
                _ => {}
            },
            _ => {}
        }
    }
    s.threads = ms.len();
    s.procs = ps.len();
    s.goroutines = gs.len();
    Ok(s)
}

/// Formats nanoseconds the way Go's `time.Duration` prints (`1.5s`, `250ms`, `42µs`).
pub fn format_duration(ns: i64) -> String {
    let d = ns as f64;
    let (v, unit) = match ns.unsigned_abs() {
        0..1_000 => return format!("{ns}ns"),
        1_000..1_000_000 => (d / 1e3, "µs"),
        1_000_000..1_000_000_000 => (d / 1e6, "ms"),
        _ => (d / 1e9, "s"),
    };
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{unit}")
}

/// Writes the footprint table exactly as `go tool trace -d=footprint`, a blank line, and
/// the summary.
pub fn write_stats(source: &Source, out: &mut impl Write) -> Result<(), DumpError> {
    let data = source.bytes();
    // Both passes give back the pages they have read: the explorer runs this beside
    // everything else it holds.
    let mut behind = source.behind();
    write_footprint_releasing(data, out, |upto| behind.upto(upto as usize))?;
    behind.finish();
    let s = summarize_reader(super::open_reader(source)?)?;
    writeln!(out)?;
    writeln!(out, "Summary")?;
    writeln!(out, "  format         {} trace", s.version)?;
    if let Some(w) = &s.wall_start {
        writeln!(out, "  wall start     {w}")?;
    }
    writeln!(
        out,
        "  duration       {}",
        format_duration(s.last_time - s.first_time)
    )?;
    writeln!(out, "  generations    {}", s.generations)?;
    writeln!(out, "  threads (Ms)   {}", s.threads)?;
    writeln!(out, "  procs (Ps)     {}", s.procs)?;
    writeln!(out, "  goroutines     {}", s.goroutines)?;
    writeln!(out, "  events         {}", s.events)?;
    if let Some(e) = &s.error {
        writeln!(out, "  decoding stopped: {e}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_go() {
        assert_eq!(format_duration(999), "999ns");
        assert_eq!(format_duration(1_500), "1.5µs");
        assert_eq!(format_duration(250_000_000), "250ms");
        assert_eq!(format_duration(1_250_000_000), "1.25s");
    }
}
