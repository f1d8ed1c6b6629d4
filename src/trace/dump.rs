//! Go-compatible text renderings of a trace: the ordered stream as
//! `go tool trace -d=parsed` prints it (Go's `Event.String()`).

use std::io::{self, Write};

use super::error::Error;
use super::event::{Event, GoState, Kind, ProcState, Resource, Stack};
use super::gofmt::{quote_into, rfc3339_nano_utc};
use super::reader::Reader;

/// Why a dump stopped early.
#[derive(Debug)]
pub enum DumpError {
    /// The trace could not be decoded any further; everything before was written.
    Trace(Error),
    /// Writing the output failed.
    Io(io::Error),
}

impl std::fmt::Display for DumpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DumpError::Trace(e) => e.fmt(f),
            DumpError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DumpError {}

impl From<io::Error> for DumpError {
    fn from(e: io::Error) -> Self {
        DumpError::Io(e)
    }
}

impl From<Error> for DumpError {
    fn from(e: Error) -> Self {
        DumpError::Trace(e)
    }
}

/// Writes every event of `reader` as `go tool trace -d=parsed` does, one `String()` per
/// line. On a decoding error, the events before it have been written.
pub fn dump_reader(reader: Reader<'_>, out: &mut impl Write) -> Result<(), DumpError> {
    let mut buf = Vec::with_capacity(1 << 16);
    for ev in reader {
        let ev = match ev {
            Ok(ev) => ev,
            Err(e) => {
                out.write_all(&buf)?;
                return Err(e.into());
            }
        };
        write_event(&mut buf, &ev);
        buf.push(b'\n');
        if buf.len() >= 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    Ok(())
}

/// Decodes `data` (a whole trace file) and writes Go's `-d=parsed` text.
pub fn dump_parsed(data: &[u8], out: &mut impl Write) -> Result<(), DumpError> {
    dump_reader(Reader::new(data)?, out)
}

fn write_stack(out: &mut Vec<u8>, prefix: &str, stack: &Stack<'_, '_>) {
    for f in stack.frames() {
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(f.func);
        let _ = writeln!(out, " @ {:#x}", f.pc);
        out.extend_from_slice(prefix.as_bytes());
        out.push(b'\t');
        out.extend_from_slice(f.file);
        let _ = writeln!(out, ":{}", f.line);
    }
}

fn quoted(out: &mut Vec<u8>, s: &[u8]) {
    let mut q = String::new();
    quote_into(&mut q, s);
    out.extend_from_slice(q.as_bytes());
}

/// Appends Go's `Event.String()` of `ev` (without the trailing newline `Println` adds).
pub fn write_event(out: &mut Vec<u8>, ev: &Event<'_>) {
    let kind = ev.kind();
    let _ = write!(
        out,
        "M={} P={} G={} {} Time={}",
        ev.thread(),
        ev.proc(),
        ev.goroutine(),
        kind.name(),
        ev.time()
    );
    match kind {
        Kind::Metric => {
            if let Some(m) = ev.metric() {
                out.extend_from_slice(b" Name=");
                quoted(out, m.name.as_bytes());
                let _ = write!(out, " Value=Value{{Uint64({})}}", m.value);
            }
        }
        Kind::Label => {
            if let Some(l) = ev.label() {
                out.extend_from_slice(b" Label=");
                quoted(out, l.label);
                let _ = write!(out, " Resource={}", l.resource);
            }
        }
        Kind::RangeBegin | Kind::RangeActive | Kind::RangeEnd => {
            if let Some(r) = ev.range() {
                let mut name = Vec::new();
                r.name.write_to(&mut name);
                out.extend_from_slice(b" Name=");
                quoted(out, &name);
                let _ = write!(out, " Scope={}", r.scope);
                if kind == Kind::RangeEnd {
                    out.extend_from_slice(b" Attributes=[");
                    if let Some(attrs) = ev.range_attributes() {
                        for (i, (name, v)) in attrs.iter().enumerate() {
                            if i != 0 {
                                out.push(b' ');
                            }
                            quoted(out, name.as_bytes());
                            let _ = write!(out, "=Value{{Uint64({v})}}");
                        }
                    }
                    out.push(b']');
                }
            }
        }
        Kind::TaskBegin | Kind::TaskEnd => {
            if let Some(t) = ev.task() {
                let _ = write!(out, " ID={} Parent={} Type=", t.id, t.parent);
                quoted(out, t.typ);
            }
        }
        Kind::RegionBegin | Kind::RegionEnd => {
            if let Some(r) = ev.region() {
                let _ = write!(out, " Task={} Type=", r.task);
                quoted(out, r.typ);
            }
        }
        Kind::Log => {
            if let Some(l) = ev.log() {
                let _ = write!(out, " Task={} Category=", l.task);
                quoted(out, l.category);
                out.extend_from_slice(b" Message=");
                quoted(out, l.message);
            }
        }
        Kind::StateTransition => {
            if let Some(s) = ev.state_transition() {
                match s.resource {
                    Resource::Goroutine(id) => {
                        let (from, to) = (GoState::from_u64(s.from), GoState::from_u64(s.to));
                        let _ = write!(out, " GoID={id} {}->{}", from.name(), to.name());
                    }
                    Resource::Proc(id) => {
                        let (from, to) = (ProcState::from_u64(s.from), ProcState::from_u64(s.to));
                        let _ = write!(out, " ProcID={id} {}->{}", from.name(), to.name());
                    }
                    _ => {}
                }
                out.extend_from_slice(b" Reason=");
                quoted(out, s.reason);
                if let Some(stack) = &s.stack {
                    out.extend_from_slice(b"\nTransitionStack=\n");
                    write_stack(out, "\t", stack);
                }
            }
        }
        Kind::Experimental => {
            if let Some(x) = ev.experimental() {
                let _ = write!(out, " Name={} Args=[", x.name);
                for (i, name) in x.arg_names.iter().enumerate() {
                    if i != 0 {
                        out.extend_from_slice(b", ");
                    }
                    let _ = write!(out, "{name}=");
                    if name.ends_with("string") {
                        if let Some(s) = ev.tables().and_then(|t| t.string(x.args[i])) {
                            out.extend_from_slice(s);
                        }
                    } else {
                        let _ = write!(out, "Value{{Uint64({})}}", x.args[i]);
                    }
                }
                out.push(b']');
            }
        }
        Kind::Sync => {
            if let Some(s) = ev.sync_info() {
                let _ = write!(out, " N={}", s.n);
                if let Some(c) = s.clock_snapshot {
                    let _ = write!(
                        out,
                        " Trace={} Mono={} Wall={}",
                        c.trace,
                        c.mono,
                        rfc3339_nano_utc(c.wall_sec, c.wall_nsec)
                    );
                }
            }
        }
        Kind::Bad | Kind::StackSample => {}
    }
    if let Some(stack) = ev.stack() {
        out.extend_from_slice(b"\nStack=\n");
        write_stack(out, "\t", &stack);
    }
}
