//! `gotrace-tui flows`: a goroutine's causal links — what made it run each time (created
//! by, unblocked by, woken by the netpoller or a blocked syscall's return) and which
//! goroutines it created or unblocked — in time order, with the causes' stacks.

use std::io::Write;

use serde::Serialize;

use crate::analysis::flows::{Cause, Flows, Link};
use crate::analysis::goroutines::Summarizer;
use crate::analysis::timeline::{Timeline, TimelineBuilder};
use crate::report::goroutines::go_duration;
use crate::trace::Source;
use crate::trace::dump::DumpError;

#[derive(Serialize)]
struct LinkJson<'a> {
    name: &'a str,
    /// "goroutine", "netpoll", "syscall" or "runtime".
    cause: &'static str,
    cause_goroutine: Option<i64>,
    /// Nanoseconds from the trace start.
    cause_time_ns: i64,
    target: i64,
    start_time_ns: i64,
    stack: Vec<FrameJson<'a>>,
}

#[derive(Serialize)]
struct FrameJson<'a> {
    func: &'a str,
    file: &'a str,
    line: u64,
}

#[derive(Serialize)]
struct Report<'a> {
    goroutine: i64,
    name: &'a str,
    incoming: Vec<LinkJson<'a>>,
    outgoing: Vec<LinkJson<'a>>,
}

/// Writes goroutine `g`'s incoming and outgoing links, as text or JSON. A goroutine the
/// trace does not mention gets a one-line answer saying so, not an error: traces are
/// often cut short.
pub fn run(source: &Source, g: i64, json: bool, out: &mut impl Write) -> Result<(), DumpError> {
    let reader = super::open_reader(source)?;
    let mut builder = TimelineBuilder::by_goroutine().links_only();
    let mut summarizer = Summarizer::new();
    let (_, err) = crate::analysis::run_split(reader, &mut [&mut summarizer], &mut [&mut builder]);
    if let Some(e) = err {
        return Err(e.into());
    }
    let tl = builder.finish();
    let summary = summarizer.finish();
    let flows = Flows::from_timeline(&tl);
    let name_of = |id: i64| -> String {
        match summary.goroutines.get(&id) {
            Some(s) if !s.name.is_empty() => format!("G{id} {}", s.name),
            _ => format!("G{id}"),
        }
    };
    let incoming: Vec<&Link> = flows.incoming(g).collect();
    let outgoing: Vec<&Link> = flows.outgoing(g).collect();
    if json {
        let name = summary.goroutines.name(&g).unwrap_or("");
        let report = Report {
            goroutine: g,
            name,
            incoming: incoming.iter().map(|l| to_json(&tl, l)).collect(),
            outgoing: outgoing.iter().map(|l| to_json(&tl, l)).collect(),
        };
        serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    if summary.goroutines.get(&g).is_none() && incoming.is_empty() && outgoing.is_empty() {
        writeln!(out, "G{g} does not appear in this trace")?;
        return Ok(());
    }
    let rel = |t: i64| go_duration(t - tl.start_time);
    writeln!(out, "{}", name_of(g))?;
    writeln!(out, "\nincoming — what made it run ({}):", incoming.len())?;
    for l in &incoming {
        let from = match l.cause {
            Cause::Goroutine(c) => name_of(c),
            Cause::Netpoll => "the network poller".to_string(),
            Cause::Syscall => "its blocked syscall returning".to_string(),
            Cause::Runtime => "the runtime (no goroutine)".to_string(),
        };
        writeln!(
            out,
            "  ran at {:>12}  {:<28} by {from} at {} (waited {})",
            rel(l.start_time),
            l.name,
            rel(l.cause_time),
            go_duration(l.start_time - l.cause_time)
        )?;
        write_stack(out, &tl, l.stack)?;
    }
    writeln!(
        out,
        "\noutgoing — goroutines it created or unblocked ({}):",
        outgoing.len()
    )?;
    for l in &outgoing {
        writeln!(
            out,
            "  at {:>12}  {:<28} → {}, which ran at {}",
            rel(l.cause_time),
            l.name,
            name_of(l.target),
            rel(l.start_time)
        )?;
        write_stack(out, &tl, l.stack)?;
    }
    Ok(())
}

fn write_stack(out: &mut impl Write, tl: &Timeline, stack: Option<u32>) -> std::io::Result<()> {
    for f in stack
        .map(|s| tl.stacks[s as usize].as_slice())
        .unwrap_or(&[])
    {
        writeln!(out, "        {f}")?;
    }
    Ok(())
}

fn to_json<'a>(tl: &'a Timeline, l: &'a Link) -> LinkJson<'a> {
    let (cause, cause_goroutine) = match l.cause {
        Cause::Goroutine(g) => ("goroutine", Some(g)),
        Cause::Netpoll => ("netpoll", None),
        Cause::Syscall => ("syscall", None),
        Cause::Runtime => ("runtime", None),
    };
    LinkJson {
        name: &l.name,
        cause,
        cause_goroutine,
        cause_time_ns: l.cause_time - tl.start_time,
        target: l.target,
        start_time_ns: l.start_time - tl.start_time,
        stack: l
            .stack
            .map(|s| tl.stacks[s as usize].as_slice())
            .unwrap_or(&[])
            .iter()
            .map(|f| FrameJson {
                func: &f.func,
                file: &f.file,
                line: f.line,
            })
            .collect(),
    }
}
