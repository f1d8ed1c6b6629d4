//! Runs every decoding entry point over arbitrary bytes: the body of the fuzz target
//! (`fuzz/fuzz_targets/decode.rs`) and of the fuzz-corpus test (`tests/fuzz_corpus.rs`).
//!
//! [`exercise`] builds the [`Index`], drives the ordered [`Reader`] to its end (rendering
//! every event as `go tool trace -d=parsed` does and calling every accessor of [`Event`]),
//! drives the [`RawReader`] to its end (rendering every wire event), and writes the
//! footprint table and the wire dump into [`io::sink`]. Results are discarded: what
//! matters is that nothing panics, loops forever or allocates without bound, whatever the
//! input.
//!
//! A few cheap invariants of the decoder's own contract are checked along the way (see
//! [`exercise`]); breaking one panics with a message that names it, so a fuzzer reports
//! it like any other crash.

use std::io;

use super::dump::write_event;
use super::error::Error;
use super::event::{Event, Stack};
use super::index::Index;
use super::raw::{RawReader, dump_wire, write_footprint};
use super::reader::Reader;

/// Decodes `data` with every entry point and discards the results.
///
/// Never panics on any input, unless the decoder breaks one of these invariants:
///
/// * every [`Error`] names a byte offset within the input, and its text says "byte offset";
/// * the [`Index`] lists generations in file order, each within the file;
/// * the [`Reader`] and the [`RawReader`] yield nothing after an error;
/// * the generation and batch ranges the [`Reader`] releases lie within the file.
pub fn exercise(data: &[u8]) {
    exercise_index(data);
    exercise_reader(data);
    exercise_raw(data);
    // The writers: their errors are decoding errors already seen above.
    let _ = write_footprint(data, &mut io::sink());
    let _ = dump_wire(data, &mut io::sink());
}

/// Checks that `err` names an offset within an input of `len` bytes.
fn check_error(err: &Error, len: usize, what: &str) {
    assert!(
        err.offset <= len as u64,
        "{what}: error offset {} past the end of a {len}-byte input: {err}",
        err.offset
    );
    assert!(
        err.to_string().contains("byte offset"),
        "{what}: error text does not name its offset: {err}"
    );
}

/// Builds the header index and checks its generations lie within the file, in order.
fn exercise_index(data: &[u8]) {
    let index = match Index::build(data) {
        Ok(index) => index,
        Err(err) => return check_error(&err, data.len(), "Index::build"),
    };
    if let Some(err) = &index.error {
        check_error(err, data.len(), "Index::build");
    }
    let mut prev_end = 0;
    for g in &index.generations {
        assert!(
            prev_end <= g.start && g.start <= g.end && g.end <= data.len() as u64,
            "Index::build: generation {} spans {}..{} (previous ended at {prev_end}, file has {} bytes)",
            g.number,
            g.start,
            g.end,
            data.len()
        );
        prev_end = g.end;
        let _ = (g.threads(), g.event_bytes(), g.time_range, g.frequency);
    }
    let _ = index.batch_count();
}

/// Drives the ordered reader to its end, rendering and inspecting every event.
fn exercise_reader(data: &[u8]) {
    let len = data.len() as u64;
    let reader = match Reader::new(data) {
        Ok(reader) => reader,
        Err(err) => return check_error(&err, data.len(), "Reader::new"),
    };
    let mut reader = reader
        .on_generation_done(Box::new(move |start, end| {
            assert!(
                start <= end && end <= len,
                "Reader: released generation range {start}..{end} of a {len}-byte input"
            );
        }))
        .on_pages_done(Box::new(move |start, end| {
            assert!(
                start < end && end <= len,
                "Reader: released batch range {start}..{end} of a {len}-byte input"
            );
        }));
    let _ = reader.version();
    let mut scratch = Vec::with_capacity(1 << 12);
    // The lending fast path; the `Iterator` is a cloning wrapper around it.
    loop {
        match reader.next_ref() {
            Ok(Some(ev)) => {
                scratch.clear();
                write_event(&mut scratch, ev);
                inspect(ev);
            }
            Ok(None) => break,
            Err(err) => {
                check_error(&err, data.len(), "Reader");
                assert!(
                    matches!(reader.next_ref(), Ok(None)),
                    "Reader: an event or error after an error"
                );
                break;
            }
        }
    }
    let _ = (reader.generations_read(), reader.offset());
}

/// Walks the frames of a stack, resolving every field.
fn walk_stack(stack: &Stack<'_, '_>) {
    let _ = (stack.id(), stack.len(), stack.is_empty());
    for f in stack.frames() {
        let _ = (f.pc, f.func.len(), f.file.len(), f.line);
    }
}

/// Calls every accessor of an event, including the views of other kinds (which must
/// answer `None` or something harmless, not panic).
fn inspect(ev: &Event<'_>) {
    let _ = (
        ev.kind().name(),
        ev.wire_type(),
        ev.time(),
        ev.goroutine(),
        ev.proc(),
        ev.thread(),
        ev.context(),
        ev.generation(),
    );
    if let Some(t) = ev.tables() {
        let _ = (t.clock_snapshot(), t.counts(), t.experimental.len());
    }
    if let Some(stack) = ev.stack() {
        walk_stack(&stack);
    }
    if let Some(s) = ev.state_transition() {
        let _ = (s.resource.to_string(), s.from, s.to, s.reason.len());
        let _ = (s.goroutine().map(|(a, b)| (a.name(), b.name())), s.proc());
        if let Some(stack) = &s.stack {
            walk_stack(stack);
        }
    }
    if let Some(r) = ev.range() {
        let _ = (r.name.to_string_lossy(), r.scope.to_string());
    }
    let _ = ev.range_attributes();
    let _ = ev.task();
    let _ = ev.region();
    let _ = ev.log();
    if let Some(l) = ev.label() {
        let _ = l.resource.to_string();
    }
    let _ = ev.metric();
    if let Some(s) = ev.sync_info() {
        let _ = (s.n, s.clock_snapshot);
        for b in s.experimental_batches {
            let _ = (b.experiment, b.thread, b.data.len());
        }
    }
    if let Some(x) = ev.experimental() {
        let _ = (x.name, x.experiment, x.args);
        for (i, name) in x.arg_names.iter().enumerate() {
            if name.ends_with("string") {
                let _ = x
                    .args
                    .get(i)
                    .and_then(|&id| ev.tables().and_then(|t| t.string(id)));
            }
        }
    }
}

/// Drives the wire reader to its end, rendering every event.
fn exercise_raw(data: &[u8]) {
    let mut reader = match RawReader::new(data) {
        Ok(reader) => reader,
        Err(err) => return check_error(&err, data.len(), "RawReader::new"),
    };
    let _ = reader.version();
    let mut text = String::with_capacity(1 << 12);
    let mut prev = 0;
    loop {
        match reader.next() {
            Some(Ok(ev)) => {
                assert!(
                    prev <= ev.offset && ev.offset < data.len() as u64,
                    "RawReader: event at offset {} (previous at {prev}, file has {} bytes)",
                    ev.offset,
                    data.len()
                );
                prev = ev.offset;
                text.clear();
                ev.write_text(&mut text);
                let _ = ev.encoded_size();
            }
            Some(Err(err)) => {
                check_error(&err, data.len(), "RawReader");
                assert!(
                    reader.next().is_none(),
                    "RawReader: an event after an error"
                );
                break;
            }
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_inputs_do_not_panic() {
        exercise(b"");
        exercise(b"go 1.26 trace\0\0\0");
        exercise(b"go 1.26 trace\0\0\0\x01");
        exercise(b"go 1.22 trace\0\0\0\x01\x01\x01\x01\x00");
        exercise(b"not a trace at all");
    }
}
