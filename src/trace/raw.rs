//! The unordered wire view: every event in file order, batch headers and tables included,
//! exactly as Go's `internal/trace/raw.Reader` sees them. Powers `dump --wire` (Go's
//! `-d=wire`) and the event footprint (`-d=footprint`).

use std::io::Write;

use super::error::{Error, ErrorKind, Result};
use super::gofmt::quote_into;
use super::reader::{HEADER_LEN, read_header};
use super::spec::{self, EventType, Version};
use super::wire::Cursor;

/// One wire event: its type, its arguments (frames appended for stacks) and trailing data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent<'a> {
    /// Event type.
    pub typ: EventType,
    /// Arguments in spec order; for stacks, followed by 4 values per frame.
    pub args: Vec<u64>,
    /// Trailing data (strings, experimental batches).
    pub data: Option<&'a [u8]>,
    /// File offset of the type byte.
    pub offset: u64,
}

impl RawEvent<'_> {
    /// Size of the event in Go's canonical encoding (minimal varints), as
    /// `raw.Event.EncodedSize` computes it.
    pub fn encoded_size(&self) -> usize {
        let varint_len = |v: u64| ((64 - (v | 1).leading_zeros()) as usize).div_ceil(7);
        let mut n = 1 + self.args.iter().map(|&a| varint_len(a)).sum::<usize>();
        if spec::spec(self.typ).has_data {
            let len = self.data.map_or(0, |d| d.len());
            n += varint_len(len as u64) + len;
        }
        n
    }

    /// Appends Go's `raw.Event.String()`: the text format of the event.
    pub fn write_text(&self, out: &mut String) {
        use std::fmt::Write as _;
        let s = spec::spec(self.typ);
        out.push_str(s.name);
        for (name, v) in s.args.iter().zip(&self.args) {
            let _ = write!(out, " {name}={v}");
        }
        if s.is_stack {
            const FIELDS: [&str; 4] = ["pc", "func", "file", "line"];
            for (i, v) in self.args[s.args.len()..].iter().enumerate() {
                out.push_str(if i % 4 == 0 { "\n\t" } else { " " });
                let _ = write!(out, "{}={v}", FIELDS[i % 4]);
            }
        }
        // Go's reader leaves empty data nil, and prints nothing for it.
        if let Some(d) = self.data.filter(|d| !d.is_empty()) {
            out.push_str("\n\tdata=");
            quote_into(out, d);
        }
    }
}

/// Reads wire events in file order (Go's `raw.Reader`).
#[derive(Debug, Clone)]
pub struct RawReader<'a> {
    version: Version,
    cursor: Cursor<'a>,
    failed: bool,
}

impl<'a> RawReader<'a> {
    /// A reader over a whole trace file.
    pub fn new(data: &'a [u8]) -> Result<RawReader<'a>> {
        let version = read_header(data)?;
        Ok(RawReader {
            version,
            cursor: Cursor::new(&data[HEADER_LEN..], HEADER_LEN as u64),
            failed: false,
        })
    }

    /// The format version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// File offset of the next event.
    pub fn offset(&self) -> u64 {
        self.cursor.offset()
    }

    fn read(&mut self) -> Result<Option<RawEvent<'a>>> {
        let offset = self.cursor.offset();
        let Some(typ) = self.cursor.byte() else {
            return Ok(None);
        };
        if typ as usize >= self.version.num_specs() || typ == 0 {
            return Err(Error::new(
                ErrorKind::Malformed,
                offset,
                format!("invalid event type: {typ}"),
            ));
        }
        let s = spec::spec(typ);
        let mut args = Vec::with_capacity(s.args.len());
        for name in s.args {
            args.push(self.cursor.uvarint(name)?);
        }
        if s.is_stack {
            // The frame count is untrusted: read frames one by one, never reserving for it.
            let n = args[1];
            for _ in 0..n {
                for what in ["pc", "func", "file", "line"] {
                    args.push(self.cursor.uvarint(what)?);
                }
            }
        }
        let data = if s.has_data {
            let len = self.cursor.uvarint("data length")?;
            Some(self.cursor.bytes(len, "data")?)
        } else {
            None
        };
        Ok(Some(RawEvent {
            typ,
            args,
            data,
            offset,
        }))
    }
}

impl<'a> Iterator for RawReader<'a> {
    type Item = Result<RawEvent<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let r = self.read().transpose();
        if matches!(r, Some(Err(_))) {
            self.failed = true;
        }
        r
    }
}

/// Writes `go tool trace -d=wire` text. On error, what came before has been written.
pub fn dump_wire(
    data: &[u8],
    out: &mut impl Write,
) -> std::result::Result<(), super::dump::DumpError> {
    let reader = RawReader::new(data)?;
    let mut buf = String::with_capacity(1 << 16);
    for ev in reader {
        let ev = match ev {
            Ok(ev) => ev,
            Err(e) => {
                out.write_all(buf.as_bytes())?;
                return Err(e.into());
            }
        };
        ev.write_text(&mut buf);
        buf.push('\n');
        if buf.len() >= 1 << 16 {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())?;
    Ok(())
}

/// Writes the table of `go tool trace -d=footprint`: bytes and count per event type, in
/// Go's order and layout (every one of the 256 type bytes, largest first).
pub fn write_footprint(
    data: &[u8],
    out: &mut impl Write,
) -> std::result::Result<(), super::dump::DumpError> {
    write_footprint_releasing(data, out, |_| {})
}

/// [`write_footprint`], calling `done(offset)` every few MiB with how far the pass has
/// read, so a mapped file's pages behind it can be released.
pub fn write_footprint_releasing(
    data: &[u8],
    out: &mut impl Write,
    mut done: impl FnMut(u64),
) -> std::result::Result<(), super::dump::DumpError> {
    use super::gofmt::{TabWriter, format_float_2, sort_func};
    use std::fmt::Write as _;
    /// How often `done` hears of the progress: each MiB, as the other passes release
    /// their pages (16 MiB steps kept up to 16 MiB of the file resident, the peak of the
    /// explorer's Info tab).
    const STEP: u64 = 1 << 20;

    #[derive(Clone, Copy)]
    struct Stat {
        typ: usize,
        count: u64,
        bytes: u64,
    }
    let mut reader = RawReader::new(data)?;
    let num_specs = reader.version().num_specs();
    let mut stats: Vec<Stat> = (0..256)
        .map(|typ| Stat {
            typ,
            count: 0,
            bytes: 0,
        })
        .collect();
    let mut events = 0u64;
    let mut reported = 0u64;
    while let Some(ev) = reader.next() {
        let ev = ev?;
        if reader.offset() >= reported + STEP {
            reported = reader.offset();
            done(reported);
        }
        let s = &mut stats[ev.typ as usize];
        s.count += 1;
        s.bytes += ev.encoded_size() as u64;
        events += 1;
    }
    // Go sorts with its unstable pdqsort; the port reproduces its order of ties.
    sort_func(&mut stats, |a, b| b.bytes.cmp(&a.bytes));
    let total = data.len() as f64;
    let mut w = TabWriter::new(3, 8, 2, b' ');
    w.push_str("Event\tBytes\t%\tCount\t%\n");
    w.push_str("-\t-\t-\t-\t-\n");
    for s in &stats {
        let name = if s.typ >= num_specs {
            format!("<unknown ({})>", s.typ)
        } else {
            spec::spec(s.typ as EventType).name.to_string()
        };
        let _ = writeln!(
            w,
            "{name}\t{}\t{}%\t{}\t{}%",
            s.bytes,
            format_float_2(s.bytes as f64 / total * 100.0),
            s.count,
            format_float_2(s.count as f64 / events as f64 * 100.0)
        );
    }
    out.write_all(w.finish().as_bytes())?;
    Ok(())
}
