//! Test-side support for Go's trace test inputs (test code only, not part of the library):
//!
//! * the text trace format of Go's `internal/trace/raw` (`TextReader`), converted to the
//!   binary wire format exactly as `raw.Writer` writes it ([`text_to_binary`]);
//! * the wire-dump rendering of `raw.Event.String()`, i.e. `go tool trace -d=wire`
//!   ([`wire_dump`]);
//! * the txtar `.test` files of Go's golden reader tests ([`parse_test_file`]);
//! * Go fuzz corpus files, `go test fuzz v1` ([`parse_fuzz_file`]);
//! * Go's `strconv.Unquote` ([`go_unquote`]).
//!
//! Include it from an integration test with
//! `#[path = "common/textformat.rs"] mod textformat;`.
//!
//! The event table is the library's [`gotrace_tui::trace::spec`], so the names and
//! argument lists are those of the decoder under test.
//!
//! Known deviation: Go's `bufio.Scanner` rejects lines of 64 KiB or more ("token too
//! long"); this reader takes lines of any length.
#![allow(dead_code)]

use gotrace_tui::trace::spec::{self, EventType, Version};

/// A trace format version as the text header names it. Go's `version.Valid` also accepts
/// the v1 versions 1.11, 1.19 and 1.21, which have no event specs (so a text trace of
/// them can hold no events at all); `Gen` is a generational (v2) version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextVersion {
    /// Go 1.22 and later.
    Gen(Version),
    /// Go 1.11, 1.19 or 1.21 (the minor number).
    V1(u32),
}

impl TextVersion {
    /// The minor Go version number.
    pub fn minor(self) -> u32 {
        match self {
            TextVersion::Gen(v) => v.minor(),
            TextVersion::V1(m) => m,
        }
    }

    /// How many entries of the spec table this version knows (0 for v1).
    pub fn num_specs(self) -> usize {
        match self {
            TextVersion::Gen(v) => v.num_specs(),
            TextVersion::V1(_) => 0,
        }
    }

    fn from_minor(minor: u32) -> Option<TextVersion> {
        match minor {
            11 | 19 | 21 => Some(TextVersion::V1(minor)),
            m => Version::from_minor(m).map(TextVersion::Gen),
        }
    }
}

/// One raw event (`raw.Event`): the type byte, the arguments in spec order (for stack
/// events followed by 4 values per frame: pc, func, file, line) and trailing data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    /// Wire event type.
    pub typ: EventType,
    /// Arguments, then frame values for `is_stack` events.
    pub args: Vec<u64>,
    /// Trailing data for `has_data` events, `None` otherwise.
    pub data: Option<Vec<u8>>,
}

/// A parsed text trace: its version and its events, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTrace {
    /// Version from the `Trace Go1.NN` header.
    pub version: TextVersion,
    /// Events in file order.
    pub events: Vec<RawEvent>,
}

const FRAME_FIELDS: [&str; 4] = ["pc", "func", "file", "line"];

/// Lines as `bufio.Scanner` with `ScanLines` yields them: split at `\n`, one trailing
/// `\r` dropped, a final line without newline kept if non-empty.
fn scan_lines(text: &str) -> impl Iterator<Item = &str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut it = if text.is_empty() {
        None
    } else {
        Some(body.split('\n'))
    };
    std::iter::from_fn(move || it.as_mut()?.next()).map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// Go's `unicode.IsSpace`: the Unicode White_Space property, like `char::is_whitespace`.
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// `raw.readToken`: skips leading space; a `#` before the token makes the rest a comment
/// (empty token); the token ends at space or `#`.
fn read_token(s: &str) -> (&str, &str) {
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c == '#' {
            return ("", "");
        }
        if !is_space(c) {
            start = Some(i);
            break;
        }
    }
    let Some(start) = start else {
        return ("", "");
    };
    match s[start..]
        .char_indices()
        .find(|&(_, c)| is_space(c) || c == '#')
    {
        Some((i, _)) => (&s[start..start + i], &s[start + i..]),
        None => (&s[start..], ""),
    }
}

/// Go's `strconv.ParseUint(s, 10, 64)`: ASCII digits only (no sign, no underscores).
fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `raw.readArg`.
fn read_arg(s: &str) -> Result<(&str, u64, &str), String> {
    let (tok, rest) = read_token(s);
    if tok.is_empty() {
        return Err("no argument".into());
    }
    let Some((arg, val)) = tok.split_once('=') else {
        return Err(format!("malformed argument: {}", go_quote(tok)));
    };
    match parse_uint(val) {
        Some(v) => Ok((arg, v, rest)),
        None => Err(format!(
            "failed to parse argument value {} for arg {}",
            go_quote(val),
            go_quote(arg)
        )),
    }
}

/// `raw.readArgs`: exactly `names`, in order, then nothing but space.
fn read_args(mut s: &str, names: &[&str]) -> Result<Vec<u64>, String> {
    let mut args = Vec::with_capacity(names.len());
    for &name in names {
        let (arg, value, rest) = read_arg(s)?;
        if arg != name {
            return Err(format!(
                "expected argument {}, but got {}",
                go_quote(name),
                go_quote(arg)
            ));
        }
        args.push(value);
        s = rest;
    }
    if s.chars().any(|c| !is_space(c)) {
        return Err(format!(
            "encountered unexpected non-space at the end of an event: {}",
            go_quote(s)
        ));
    }
    Ok(args)
}

/// `raw.readData`: `data=<Go-quoted string>`.
fn read_data(line: &str) -> Result<Vec<u8>, String> {
    let Some((dk, dv)) = line.split_once('=') else {
        return Err(format!("malformed data: {}", go_quote(line)));
    };
    if dk.trim_matches(is_space) != "data" {
        return Err(format!("malformed data: {}", go_quote(line)));
    }
    go_unquote(dv.trim_matches(is_space))
        .map_err(|e| format!("failed to parse data: {}: {e}", go_quote(line)))
}

/// Parses the text trace format as Go's `raw.TextReader` does (same acceptance rules,
/// similar error messages).
pub fn parse_text(text: &str) -> Result<TextTrace, String> {
    // nextLine: skips lines whose first token is empty (blank lines, comment lines).
    let mut lines = scan_lines(text).filter(|l| !read_token(l).0.is_empty());

    let line = lines.next().ok_or("EOF")?;
    let (trace, rest) = read_token(line);
    if trace != "Trace" {
        return Err("failed to parse header".into());
    }
    let (gover, rest) = read_token(rest);
    let Some(num) = gover.strip_prefix("Go1.") else {
        return Err("failed to parse header Go version".into());
    };
    let Some(raw) = parse_uint(num) else {
        let why = if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        return Err(format!(
            "failed to parse header Go version: strconv.ParseUint: parsing {}: {why}",
            go_quote(num)
        ));
    };
    // version.Version is a uint32: Go truncates.
    let minor = raw as u32;
    let version = TextVersion::from_minor(minor)
        .ok_or_else(|| format!("unknown or unsupported Go version 1.{minor}"))?;
    if rest.chars().any(|c| !is_space(c)) {
        return Err(format!(
            "encountered unexpected non-space at the end of the header: {}",
            go_quote(rest)
        ));
    }

    let known = version.num_specs();
    let lookup = |name: &str| -> Option<EventType> {
        // tracev2.EventNames: later entries win, as in the Go map.
        (0..known)
            .rev()
            .find(|&t| spec::SPECS[t].name == name)
            .map(|t| t as EventType)
    };

    let mut events = Vec::new();
    while let Some(line) = lines.next() {
        let (ev_str, rest) = read_token(line);
        let typ = lookup(ev_str).ok_or_else(|| format!("unidentified event: {ev_str}"))?;
        let sp = spec::spec(typ);
        let mut args =
            read_args(rest, sp.args).map_err(|e| format!("reading args for {ev_str}: {e}"))?;
        if sp.is_stack {
            let nframes = args[1];
            for _ in 0..nframes {
                let Some(line) = lines.next() else {
                    return Err(format!(
                        "unexpected EOF while reading stack: args={}",
                        go_uint_slice(&args)
                    ));
                };
                args.extend(read_args(line, &FRAME_FIELDS)?);
            }
        }
        let data = if sp.has_data {
            let Some(line) = lines.next() else {
                return Err(format!(
                    "unexpected EOF while reading data for {ev_str}: args={}",
                    go_uint_slice(&args)
                ));
            };
            Some(read_data(line)?)
        } else {
            None
        };
        events.push(RawEvent { typ, args, data });
    }
    Ok(TextTrace { version, events })
}

/// Go's `%v` of a `[]uint64`.
fn go_uint_slice(v: &[u64]) -> String {
    let parts: Vec<String> = v.iter().map(u64::to_string).collect();
    format!("[{}]", parts.join(" "))
}

/// The 16-byte trace header, `go 1.NN trace\0\0\0` (`version.WriteHeader`).
pub fn header(minor: u32) -> Vec<u8> {
    format!("go 1.{minor} trace\x00\x00\x00").into_bytes()
}

/// Appends a minimal unsigned LEB128 varint (`binary.AppendUvarint`).
pub fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Writes one event as `raw.Writer.WriteEvent` does: type byte, every argument (for
/// `ExperimentalBatch` the experiment ID too, which equals the raw byte the runtime
/// writes for IDs below 128) and stack frame value as a minimal uvarint, then for
/// `has_data` events the data length and the data.
pub fn write_event(out: &mut Vec<u8>, ev: &RawEvent) {
    let sp = spec::spec(ev.typ);
    out.push(ev.typ);
    for &a in &ev.args[..sp.args.len()] {
        put_uvarint(out, a);
    }
    if sp.is_stack {
        for &a in &ev.args[sp.args.len()..] {
            put_uvarint(out, a);
        }
    }
    if sp.has_data {
        let data = ev.data.as_deref().unwrap_or_default();
        put_uvarint(out, data.len() as u64);
        out.extend_from_slice(data);
    }
}

/// A parsed text trace in the binary wire format, as `raw.Writer` writes it.
pub fn write_binary(trace: &TextTrace) -> Vec<u8> {
    let mut out = header(trace.version.minor());
    for ev in &trace.events {
        write_event(&mut out, ev);
    }
    out
}

/// Text trace → binary trace (`raw.TextReader` → `raw.Writer`, as Go's
/// `testtrace.ParseFile` does it).
pub fn text_to_binary(text: &str) -> Result<Vec<u8>, String> {
    Ok(write_binary(&parse_text(text)?))
}

/// `raw.Event.String()` for an event as the binary `raw.Reader` would return it: data is
/// printed only when non-empty, because the binary reader yields nil data for length 0
/// (the text reader would yield an empty non-nil slice and print `data=""`).
pub fn raw_event_string(version: Version, ev: &RawEvent) -> String {
    let sp = spec::spec(ev.typ);
    let mut s = version.event_name(ev.typ).to_string();
    for (name, v) in sp.args.iter().zip(&ev.args) {
        s.push_str(&format!(" {name}={v}"));
    }
    if sp.is_stack {
        for (i, v) in ev.args[sp.args.len()..].iter().enumerate() {
            s.push_str(if i % 4 == 0 { "\n\t" } else { " " });
            s.push_str(&format!("{}={v}", FRAME_FIELDS[i % 4]));
        }
    }
    if let Some(d) = ev.data.as_deref().filter(|d| !d.is_empty()) {
        s.push_str("\n\tdata=");
        s.push_str(&go_quote_bytes(d));
    }
    s
}

/// What `go tool trace -d=wire` prints for the binary form of `trace` (one
/// `raw.Event.String()` per line). Panics for v1 versions.
pub fn wire_dump(trace: &TextTrace) -> String {
    let TextVersion::Gen(v) = trace.version else {
        panic!("no wire dump for v1 traces");
    };
    let mut s = String::new();
    for ev in &trace.events {
        s.push_str(&raw_event_string(v, ev));
        s.push('\n');
    }
    s
}

// ---------------------------------------------------------------------------------------
// .test files (txtar) and expectations.

/// The expected result of reading a `.test` trace (`testtrace.Expectation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// Reading must succeed.
    Success,
    /// Reading must fail with an error matching this (Go RE2 syntax) regexp, unanchored.
    Failure(String),
}

/// Splits a txtar archive (`golang.org/x/tools/txtar.Parse`) into its comment and its
/// files `(name, data)`.
pub fn parse_txtar(data: &str) -> (String, Vec<(String, String)>) {
    fn is_marker(data: &str) -> Option<(String, &str)> {
        if !data.starts_with("-- ") {
            return None;
        }
        let (mut line, after) = match data.find('\n') {
            Some(i) => (&data[..i], &data[i + 1..]),
            None => (data, ""),
        };
        if data.contains('\n') {
            line = line.strip_suffix('\r').unwrap_or(line);
        }
        if !(line.ends_with(" --") && line.len() >= 6) {
            return None;
        }
        let name = line[3..line.len() - 3].trim_matches(is_space);
        if name.is_empty() {
            return None;
        }
        Some((name.to_string(), after))
    }
    fn fix_nl(s: &str) -> String {
        if s.is_empty() || s.ends_with('\n') {
            s.to_string()
        } else {
            format!("{s}\n")
        }
    }
    // findFileMarker: (before, Some((name, after))) or (fixNL(data), None).
    fn find_file_marker(data: &str) -> (String, Option<(String, &str)>) {
        let mut i = 0;
        loop {
            if let Some((name, after)) = is_marker(&data[i..]) {
                return (data[..i].to_string(), Some((name, after)));
            }
            match data[i..].find("\n-- ") {
                Some(j) => i += j + 1,
                None => return (fix_nl(data), None),
            }
        }
    }
    let (comment, mut next) = find_file_marker(data);
    let mut files = Vec::new();
    while let Some((name, rest)) = next {
        let (body, n) = find_file_marker(rest);
        files.push((name, body));
        next = n;
    }
    (comment, files)
}

/// `testtrace.ParseExpectation`: the first line is `SUCCESS` or `FAILURE "<quoted regexp>"`.
pub fn parse_expectation(data: &str) -> Result<Expectation, String> {
    let Some(line) = scan_lines(data).next() else {
        return Ok(Expectation::Success);
    };
    let (word, rest) = match line.split_once(' ') {
        Some((w, r)) => (w, Some(r)),
        None => (line, None),
    };
    match word {
        "SUCCESS" => Ok(Expectation::Success),
        "FAILURE" => {
            let Some(quoted) = rest else {
                return Err(format!("bad header line for FAILURE: {}", go_quote(line)));
            };
            let pattern = go_unquote(quoted)
                .map_err(|e| format!("malformed pattern: not correctly quoted: {quoted}: {e}"))?;
            let pattern = String::from_utf8(pattern)
                .map_err(|_| format!("malformed pattern: not UTF-8: {quoted}"))?;
            Ok(Expectation::Failure(pattern))
        }
        _ => Err(format!("bad header line: {}", go_quote(line))),
    }
}

/// Parses a `.test` file (`testtrace.ParseFile`): a txtar archive with exactly the
/// members `expect` and `trace`. Returns the expectation and the trace text (which
/// [`text_to_binary`] converts).
pub fn parse_test_file(text: &str) -> Result<(Expectation, String), String> {
    let (_, files) = parse_txtar(text);
    if files.len() != 2 {
        return Err("malformed test: wrong number of files".into());
    }
    if files[0].0 != "expect" {
        return Err(format!("malformed test: bad filename {}", files[0].0));
    }
    if files[1].0 != "trace" {
        return Err(format!("malformed test: bad filename {}", files[1].0));
    }
    let exp = parse_expectation(&files[0].1)?;
    Ok((exp, files[1].1.clone()))
}

// ---------------------------------------------------------------------------------------
// Go fuzz corpus files.

/// Decodes a Go fuzz corpus file (`go test fuzz v1`, then one Go expression a line), as
/// `internal/fuzz` does, for the `[]byte("...")` values a `func(*testing.T, []byte)` fuzz
/// target stores. Other value types are an error.
pub fn parse_fuzz_file(text: &str) -> Result<Vec<Vec<u8>>, String> {
    if text.is_empty() {
        return Err("cannot unmarshal empty string".into());
    }
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.len() < 2 {
        return Err("must include version and at least one value".into());
    }
    let version = lines[0].strip_suffix('\r').unwrap_or(lines[0]);
    if version != "go test fuzz v1" {
        return Err(format!("unknown encoding version: {version}"));
    }
    let mut vals = Vec::new();
    for line in &lines[1..] {
        // bytes.TrimSpace: ASCII space plus Unicode White_Space.
        let line = line.trim_matches(is_space);
        if line.is_empty() {
            continue;
        }
        vals.push(parse_byte_slice_expr(line).map_err(|e| format!("{e}: {line}"))?);
    }
    Ok(vals)
}

/// `[]byte(<string literal>)` (or `[]uint8(...)`), Go-token whitespace allowed.
fn parse_byte_slice_expr(s: &str) -> Result<Vec<u8>, String> {
    let t = |s: &str| s.trim_start_matches([' ', '\t', '\r', '\n']).to_string();
    let s = t(s);
    let s = s.strip_prefix('[').ok_or("expected []byte(...)")?;
    let s = t(s);
    let s = s.strip_prefix(']').ok_or("expected []byte(...)")?;
    let s = t(s);
    let s = s
        .strip_prefix("byte")
        .or_else(|| s.strip_prefix("uint8"))
        .ok_or("only []byte values are supported")?;
    let s = t(s);
    let s = s.strip_prefix('(').ok_or("expected []byte(...)")?;
    let s = t(s);
    let end = go_string_literal_len(&s).ok_or("expected a string literal")?;
    let (lit, rest) = s.split_at(end);
    let rest = t(rest);
    let rest = rest.strip_prefix(')').ok_or("expected )")?;
    if !t(rest).is_empty() {
        return Err("trailing text".into());
    }
    go_unquote(lit)
}

/// The length of the Go string literal (`"..."` or `` `...` ``) at the start of `s`.
fn go_string_literal_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    match b.first()? {
        b'`' => Some(s[1..].find('`')? + 2),
        b'"' => {
            let mut i = 1;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'"' => return Some(i + 1),
                    b'\n' => return None,
                    _ => i += 1,
                }
            }
            None
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Go string quoting.

/// Go's `strconv.Unquote`, returning bytes (Go strings need not be UTF-8): double-quoted
/// with escapes, back-quoted raw (CRs dropped), or a single-quoted character.
pub fn go_unquote(s: &str) -> Result<Vec<u8>, String> {
    const SYNTAX: &str = "invalid syntax";
    let b = s.as_bytes();
    if b.len() < 2 {
        return Err(SYNTAX.into());
    }
    let quote = b[0];
    match quote {
        b'`' => {
            if b[b.len() - 1] != b'`' || s[1..s.len() - 1].contains('`') {
                return Err(SYNTAX.into());
            }
            Ok(s[1..s.len() - 1].bytes().filter(|&c| c != b'\r').collect())
        }
        b'"' | b'\'' => {
            let mut out = Vec::new();
            let mut rest = &s[1..];
            let mut n = 0;
            while let Some(c) = rest.chars().next() {
                if c as u32 == quote as u32 {
                    break;
                }
                if c == '\n' {
                    return Err(SYNTAX.into());
                }
                if quote == b'\'' && n == 1 {
                    return Err(SYNTAX.into());
                }
                rest = unquote_char(rest, quote, &mut out).ok_or(SYNTAX)?;
                n += 1;
            }
            let rest = rest.strip_prefix(quote as char).ok_or(SYNTAX)?;
            if !rest.is_empty() {
                return Err(SYNTAX.into());
            }
            Ok(out)
        }
        _ => Err(SYNTAX.into()),
    }
}

/// `strconv.UnquoteChar`: decodes one (possibly escaped) character from the front of
/// `s` into `out`; returns the rest.
fn unquote_char<'a>(s: &'a str, quote: u8, out: &mut Vec<u8>) -> Option<&'a str> {
    let c = s.chars().next()?;
    if c != '\\' {
        let mut buf = [0; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        return Some(&s[c.len_utf8()..]);
    }
    let b = s.as_bytes();
    let e = *b.get(1)?;
    let s = &s[2..];
    let simple = |v: u8, out: &mut Vec<u8>| out.push(v);
    match e {
        b'a' => simple(7, out),
        b'b' => simple(8, out),
        b'f' => simple(12, out),
        b'n' => simple(b'\n', out),
        b'r' => simple(b'\r', out),
        b't' => simple(b'\t', out),
        b'v' => simple(11, out),
        b'\\' => simple(b'\\', out),
        b'\'' | b'"' => {
            if e != quote {
                return None;
            }
            simple(e, out)
        }
        b'x' | b'u' | b'U' => {
            let n = match e {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = s.get(..n)?;
            if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            let v = u32::from_str_radix(hex, 16).ok()?;
            if e == b'x' {
                out.push(v as u8);
            } else {
                let ch = char::from_u32(v)?; // rejects surrogates and > U+10FFFF
                let mut buf = [0; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            return Some(&s[n..]);
        }
        b'0'..=b'7' => {
            let oct = s.get(..2)?;
            if !oct.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
                return None;
            }
            let v = u32::from(e - b'0') << 6 | u32::from_str_radix(oct, 8).ok()?;
            if v > 255 {
                return None;
            }
            out.push(v as u8);
            return Some(&s[2..]);
        }
        _ => return None,
    }
    Some(s)
}

/// Go's `strconv.Quote` for a string (used in error messages, `%q`).
pub fn go_quote(s: &str) -> String {
    go_quote_bytes(s.as_bytes())
}

/// Go's `strconv.Quote(string(b))`: printable runes as is, invalid UTF-8 bytes as `\xNN`.
pub fn go_quote_bytes(b: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\x0b' => out.push_str("\\v"),
                c if go_is_print(c) => out.push(c),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push_str(&format!("\\U{:08x}", c as u32)),
            }
        }
        for &x in chunk.invalid() {
            out.push_str(&format!("\\x{x:02x}"));
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `strconv.IsPrint`, exact for ASCII and Latin-1 (what trace
/// data holds in practice): letters, marks, numbers, punctuation, symbols and U+0020.
fn go_is_print(c: char) -> bool {
    match c as u32 {
        0x20..=0x7e => true,
        0x00..=0x1f | 0x7f..=0xa0 | 0xad => false,
        0xa1..=0xff => true,
        _ => {
            !c.is_control()
                && !c.is_whitespace()
                && !matches!(c as u32, 0xfff9..=0xfffb | 0xfeff | 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x206f | 0xe000..=0xf8ff | 0xf0000..)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gotrace_tui::trace::spec::ev;

    #[test]
    fn unquote_like_go() {
        let ok = |s: &str| go_unquote(s).unwrap();
        assert_eq!(ok(r#""""#), b"");
        assert_eq!(
            ok(r#""go 1.22 trace\x00\x00\x00\x01""#),
            b"go 1.22 trace\0\0\0\x01"
        );
        assert_eq!(
            ok(r#""\a\b\f\n\r\t\v\\\"'""#),
            b"\x07\x08\x0c\n\r\t\x0b\\\"'"
        );
        assert_eq!(
            ok(r#""\377\000\u00e9\U0001F600é""#),
            b"\xff\0\xc3\xa9\xf0\x9f\x98\x80\xc3\xa9"
        );
        assert_eq!(ok(r#""\"""#), b"\"");
        assert_eq!(ok("''"), b""); // sic: Go accepts an empty character literal here
        assert_eq!(ok("`a\\n\r`"), b"a\\n");
        assert_eq!(ok(r"'\''"), b"'");
        assert_eq!(ok("'é'"), "é".as_bytes());
        for bad in [
            "",
            "\"",
            "\"abc",
            "abc",
            r#""\'""#,
            r#""\400""#,
            r#""\x4""#,
            r#""\ud800""#,
            r#""\q""#,
            "\"a\"b",
            "'ab'",
            "`a`b`",
        ] {
            assert!(go_unquote(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn quote_like_go() {
        assert_eq!(
            go_quote_bytes(b"go 1.22 trace\0\x01\xff\"\\\n"),
            r#""go 1.22 trace\x00\x01\xff\"\\\n""#
        );
        assert_eq!(go_quote("é\u{7f}"), "\"é\\x7f\"");
    }

    #[test]
    fn uvarint_minimal() {
        let enc = |v| {
            let mut o = Vec::new();
            put_uvarint(&mut o, v);
            o
        };
        assert_eq!(enc(0), [0]);
        assert_eq!(enc(127), [127]);
        assert_eq!(enc(128), [0x80, 1]);
        assert_eq!(
            enc(u64::MAX),
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1]
        );
    }

    #[test]
    fn text_to_binary_small() {
        let text = "Trace Go1.22\n\
                    # a comment\n\
                    \n\
                    EventBatch gen=1 m=18446744073709551615 time=0 size=11\r\n\
                    \tStacks\n\
                    Stack id=1 nframes=1\n\
                    \tpc=300 func=2 file=3 line=4\n\
                    Strings\n\
                    String id=1\n\
                    \tdata=\"a\\x00\"\n";
        let bin = text_to_binary(text).unwrap();
        let mut want = b"go 1.22 trace\0\0\0".to_vec();
        want.extend([
            ev::EVENT_BATCH,
            1,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            0xff,
            1,
            0,
            11,
        ]);
        want.extend([ev::STACKS, ev::STACK, 1, 1, 0xac, 2, 2, 3, 4]);
        want.extend([ev::STRINGS, ev::STRING, 1, 2, b'a', 0]);
        assert_eq!(bin, want);
        let t = parse_text(text).unwrap();
        assert_eq!(
            wire_dump(&t),
            "EventBatch gen=1 m=18446744073709551615 time=0 size=11\nStacks\nStack id=1 nframes=1\n\tpc=300 func=2 file=3 line=4\nStrings\nString id=1\n\tdata=\"a\\x00\"\n"
        );
    }

    #[test]
    fn text_reader_rejects_like_go() {
        let err = |t: &str| parse_text(t).unwrap_err();
        assert_eq!(err(""), "EOF");
        assert_eq!(
            err("Trace Go1.20\n"),
            "unknown or unsupported Go version 1.20"
        );
        assert_eq!(
            err("Trace Go1.22 # c\n"),
            "encountered unexpected non-space at the end of the header: \" # c\""
        );
        assert_eq!(err("Trace Go1.22\nBogus\n"), "unidentified event: Bogus");
        // GoSwitch is a Go 1.23 event.
        assert_eq!(
            err("Trace Go1.22\nGoSwitch dt=1 g=1 g_seq=1\n"),
            "unidentified event: GoSwitch"
        );
        assert_eq!(
            err("Trace Go1.22\nProcStop dt=1 # c\n"),
            "reading args for ProcStop: encountered unexpected non-space at the end of an event: \" # c\""
        );
        assert_eq!(
            err("Trace Go1.22\nProcStop d=1\n"),
            "reading args for ProcStop: expected argument \"dt\", but got \"d\""
        );
        assert_eq!(
            err("Trace Go1.22\nProcStop dt=+1\n"),
            "reading args for ProcStop: failed to parse argument value \"+1\" for arg \"dt\""
        );
        assert_eq!(
            err("Trace Go1.22\nProcStop\n"),
            "reading args for ProcStop: no argument"
        );
        assert_eq!(
            err("Trace Go1.22\nStack id=1 nframes=1\n"),
            "unexpected EOF while reading stack: args=[1 1]"
        );
        assert_eq!(
            err("Trace Go1.22\nString id=1\n"),
            "unexpected EOF while reading data for String: args=[1]"
        );
        assert!(parse_text("Trace Go1.22\nString id=1\nx=\"a\"\n").is_err());
        // Go's version.Version is a uint32.
        assert_eq!(
            text_to_binary("Trace Go1.4294967318\n").unwrap(),
            b"go 1.22 trace\0\0\0"
        );
        // v1 versions are valid in the header but know no events.
        assert_eq!(
            text_to_binary("Trace Go1.21\n").unwrap(),
            b"go 1.21 trace\0\0\0"
        );
        assert_eq!(
            err("Trace Go1.21\nProcStop dt=1\n"),
            "unidentified event: ProcStop"
        );
        // Any whitespace separates tokens.
        assert_eq!(
            text_to_binary("Trace\u{a0}Go1.22\u{3000}\nProcStop\u{2003}dt=5\n").unwrap(),
            [&b"go 1.22 trace\0\0\0"[..], &[ev::PROC_STOP, 5]].concat()
        );
    }

    #[test]
    fn test_file_parsing() {
        let (exp, trace) = parse_test_file(
            "-- expect --\nFAILURE \".*expected a proc but didn't have one.*\"\n-- trace --\nTrace Go1.22\nEventBatch gen=1 m=0 time=0 size=1\nProcStop dt=1",
        )
        .unwrap();
        assert_eq!(
            exp,
            Expectation::Failure(".*expected a proc but didn't have one.*".into())
        );
        assert_eq!(
            trace,
            "Trace Go1.22\nEventBatch gen=1 m=0 time=0 size=1\nProcStop dt=1\n"
        );
        let (exp, _) = parse_test_file("comment\n-- expect --\r\nSUCCESS\n-- trace --\n").unwrap();
        assert_eq!(exp, Expectation::Success);
        assert!(parse_test_file("-- expect --\nSUCCESS\n").is_err());
        assert!(parse_test_file("-- trace --\n-- expect --\nSUCCESS\n").is_err());
        assert!(parse_test_file("-- expect --\nFAILURE\n-- trace --\n").is_err());
        assert!(parse_test_file("-- expect --\nFAILURE x\n-- trace --\n").is_err());
        assert!(parse_test_file("-- expect --\nMAYBE\n-- trace --\n").is_err());
    }

    #[test]
    fn fuzz_file_parsing() {
        assert_eq!(
            parse_fuzz_file("go test fuzz v1\n[]byte(\"go 1.22 trace\\x00\\x00\\x00\\x01ߕ\")\n")
                .unwrap(),
            vec![b"go 1.22 trace\0\0\0\x01\xdf\x95".to_vec()]
        );
        assert_eq!(
            parse_fuzz_file("go test fuzz v1\r\n  []byte ( `a\\b` )  \n\n[]uint8(\"\")").unwrap(),
            vec![b"a\\b".to_vec(), vec![]]
        );
        assert!(parse_fuzz_file("").is_err());
        assert!(parse_fuzz_file("go test fuzz v1").is_err());
        assert!(parse_fuzz_file("go test fuzz v2\n[]byte(\"\")").is_err());
        assert!(parse_fuzz_file("go test fuzz v1\nstring(\"\")").is_err());
        assert!(parse_fuzz_file("go test fuzz v1\n[]byte(\"\") x").is_err());
    }
}
