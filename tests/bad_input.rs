//! Hostile input: what the decoder does with bytes that are not a well-formed trace.
//!
//! * Truncation: every real trace cut at many offsets decodes without panicking, reports an
//!   error that points inside what it was given, and delivers every generation that lies
//!   wholly before the cut exactly as the full decode does.
//! * Mutation: random byte flips, insertions and cuts of small traces never panic
//!   ([`selfcheck::exercise`] runs every entry point).
//! * Crafted inputs: hand-assembled Go 1.26 traces, each broken in one specific way,
//!   fail with the specific error (kind, offset, message), and hostile sizes and IDs never
//!   size an allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gotrace_tui::trace::dump::write_event;
use gotrace_tui::trace::index::Index;
use gotrace_tui::trace::raw::RawReader;
use gotrace_tui::trace::selfcheck::exercise;
use gotrace_tui::trace::spec::Version;
use gotrace_tui::trace::{Error, ErrorKind, Kind, Reader};

// ---------------------------------------------------------------------------------------
// A global allocator that remembers, per thread, the largest single allocation, so a test
// can see whether an untrusted size reached an allocation.

/// [`System`], plus a per-thread record of the largest allocation requested.
struct PeakAlloc;

thread_local! {
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn note_size(size: usize) {
    // `try_with`: the slot may be gone while the thread is being torn down.
    let _ = PEAK.try_with(|p| {
        if size > p.get() {
            p.set(size);
        }
    });
}

// SAFETY: every call forwards to `System` with the caller's arguments; the bookkeeping
// touches only a const-initialised thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_size(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_size(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_size(new_size);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: PeakAlloc = PeakAlloc;

/// Runs `f` and returns the largest single allocation it made on this thread, in bytes.
fn largest_allocation(f: impl FnOnce()) -> usize {
    PEAK.with(|p| p.set(0));
    f();
    PEAK.with(|p| p.get())
}

// ---------------------------------------------------------------------------------------
// Shared helpers.

/// A deterministic PRNG (SplitMix64): no dependency, same mutants on every run.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform-enough in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// A 64-bit FNV-1a hash, to seed the PRNG from a file name.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `(name, bytes)` of every `*.trace` directly in `dir` (relative to the crate), sorted;
/// empty if the directory does not exist.
fn traces_in(dir: &str) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = fs::read_dir(root().join(dir)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "trace"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            let data = fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, data)
        })
        .collect()
}

/// The directories of real traces under testdata/traces (one per Go version), sorted.
fn real_trace_dirs() -> Vec<String> {
    let Ok(entries) = fs::read_dir(root().join("testdata/traces")) else {
        return Vec::new();
    };
    let mut dirs: Vec<String> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| {
            format!(
                "testdata/traces/{}",
                p.file_name().unwrap().to_string_lossy()
            )
        })
        .collect();
    dirs.sort();
    dirs
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| p.downcast_ref::<&str>().copied())
        .unwrap_or("(non-string payload)")
        .to_string()
}

fn report(what: &str, checked: usize, failures: &[String]) {
    if !failures.is_empty() {
        panic!(
            "{what}: {} failure(s) in {checked} checks:\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }
}

/// The length of the 16-byte header.
const HEADER_LEN: usize = 16;

/// Go's uvarint, for walking batch headers on the test side.
fn read_uvarint(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut x = 0u64;
    for i in 0..10 {
        let b = *data.get(*pos)?;
        *pos += 1;
        x |= ((b & 0x7f) as u64) << (7 * i);
        if b < 0x80 {
            return Some(x);
        }
    }
    None
}

/// Where the parts of a batch start: the header's fields, the body, and the end.
struct BatchLayout {
    /// File offsets of the type byte, the experiment byte if any, and each header varint
    /// (generation, M, time, size).
    fields: Vec<usize>,
    /// The body's first byte.
    body: usize,
    /// One past the body's last byte.
    end: usize,
}

/// The layout of the batch whose header starts at `offset`.
fn batch_layout(data: &[u8], offset: u64) -> BatchLayout {
    let mut pos = offset as usize;
    let mut fields = vec![pos];
    let typ = data[pos];
    pos += 1;
    if typ == 49 {
        fields.push(pos); // Experiment byte.
        pos += 1;
    }
    let mut size = 0;
    for _ in 0..4 {
        fields.push(pos);
        size = read_uvarint(data, &mut pos).expect("batch header");
    }
    BatchLayout {
        fields,
        body: pos,
        end: pos + size as usize,
    }
}

// ---------------------------------------------------------------------------------------
// Decoding as the tests observe it.

/// What the ordered reader produced.
struct Decoded {
    /// Rendered events (`write_event`), up to the render limit.
    rendered: Vec<String>,
    /// Number of events, rendered or not.
    count: usize,
    /// Stream positions of the Sync events that carry tables (generation starts).
    generation_syncs: Vec<usize>,
    /// The error that ended decoding, if any.
    error: Option<Error>,
}

/// Decodes `data`, rendering the first `render` events.
fn decode(data: &[u8], render: usize) -> Decoded {
    let mut d = Decoded {
        rendered: Vec::new(),
        count: 0,
        generation_syncs: Vec::new(),
        error: None,
    };
    let reader = match Reader::new(data) {
        Ok(r) => r,
        Err(e) => {
            d.error = Some(e);
            return d;
        }
    };
    let mut buf = Vec::new();
    for ev in reader {
        match ev {
            Ok(ev) => {
                if ev.kind() == Kind::Sync && ev.tables().is_some() {
                    d.generation_syncs.push(d.count);
                }
                if d.count < render {
                    buf.clear();
                    write_event(&mut buf, &ev);
                    d.rendered.push(String::from_utf8_lossy(&buf).into_owned());
                }
                d.count += 1;
            }
            Err(e) => {
                d.error = Some(e);
                break;
            }
        }
    }
    d
}

// ---------------------------------------------------------------------------------------
// a. Truncation.

/// Traces up to this size are cut at every offset.
const ALL_OFFSETS_LIMIT: usize = 4 << 10;
/// Past this size, batch headers are cut only at their first bytes.
const LARGE_TRACE: usize = 64 << 10;
/// Bytes of prefixes to decode per trace for the evenly spread cuts (about).
const SPREAD_BUDGET: usize = 2 << 20;

/// The offsets at which to cut `data`: all of them for small traces. Otherwise the file
/// header; the first, last and next byte of every field of every batch header (only the
/// first ones past [`LARGE_TRACE`]); the body start and end ±2 of every batch; the start
/// and end ±2 of every generation; and offsets spread evenly through the file. A cut
/// anywhere inside a varint or inside a batch body takes the same path as its neighbours
/// (a body is checked against the remaining length before it is parsed), so these are
/// where the distinct cases are.
fn cut_offsets(data: &[u8], index: &Index) -> Vec<usize> {
    let n = data.len();
    if n <= ALL_OFFSETS_LIMIT {
        return (0..n).collect();
    }
    let mut v: Vec<usize> = (0..HEADER_LEN + 3).collect();
    let around = |v: &mut Vec<usize>, at: usize, d: usize| v.extend(at.saturating_sub(d)..=at + d);
    for g in &index.generations {
        around(&mut v, g.start as usize, 2);
        around(&mut v, g.end as usize, 2);
        for b in &g.batches {
            let layout = batch_layout(data, b.offset);
            if n <= LARGE_TRACE {
                for &f in &layout.fields {
                    around(&mut v, f, 1);
                }
                around(&mut v, layout.body, 2);
                around(&mut v, layout.end, 2);
            } else {
                v.extend([layout.fields[0], layout.fields[0] + 1, layout.body]);
            }
        }
    }
    let spread = (SPREAD_BUDGET * 2 / n).clamp(16, 1000);
    v.extend((0..spread).map(|i| i * n / spread));
    v.retain(|&k| k < n);
    v.sort_unstable();
    v.dedup();
    v
}

/// How many events of the full stream a decode of `data[..k]` must reproduce exactly:
/// everything before the Sync that begins the first generation not wholly within `k`
/// bytes (for Go 1.26 a generation ends after its end-of-generation marker; before, where
/// the next one's first batch starts or at the end of the file).
fn delivered_events(full: &Decoded, index: &Index, k: usize) -> usize {
    match first_cut_generation(index, k) {
        Some(j) => full.generation_syncs.get(j).copied().unwrap_or(full.count),
        // Every generation fits: all but the final Sync a clean stream ends with.
        None if full.error.is_none() => full.count.saturating_sub(1),
        None => full.count,
    }
}

/// The index of the first generation not wholly within `k` bytes, if any.
fn first_cut_generation(index: &Index, k: usize) -> Option<usize> {
    index.generations.iter().position(|g| g.end as usize > k)
}

/// Whether the full decode delivered every generation within `k` bytes without error.
fn clean_through(full: &Decoded, index: &Index, k: usize) -> bool {
    match first_cut_generation(index, k) {
        // The next generation began, so the ones before it were read to their end.
        Some(j) => full.generation_syncs.len() > j,
        None => full.error.is_none(),
    }
}

/// Checks one cut; `Err` describes what is wrong.
fn check_cut(data: &[u8], k: usize, full: &Decoded, index: &Index) -> Result<(), String> {
    let prefix = &data[..k];
    let p = delivered_events(full, index, k);
    let got = catch_unwind(AssertUnwindSafe(|| decode(prefix, p)))
        .map_err(|e| format!("Reader panicked: {}", panic_message(&*e)))?;
    if let Some(err) = &got.error {
        if err.offset > k as u64 {
            return Err(format!(
                "error offset {} is past the cut: {err}",
                err.offset
            ));
        }
        let text = err.to_string();
        if !text.contains("byte offset") {
            return Err(format!("error text names no offset: {text}"));
        }
        if let Some(g0) = index.generations.first()
            && k > g0.end as usize
            && err.generation.is_none()
        {
            return Err(format!(
                "error after the first generation (which ends at {}) names no generation: {err:?}",
                g0.end
            ));
        }
    }
    if got.count < p {
        return Err(format!(
            "only {} events before {}, but the {p} events of the generations within the cut \
             must all be delivered",
            got.count,
            got.error
                .as_ref()
                .map_or("the end".to_string(), |e| format!("error: {e}"))
        ));
    }
    if let Some(i) = (0..p).find(|&i| got.rendered[i] != full.rendered[i]) {
        return Err(format!(
            "event {i} differs from the full decode:\n  cut:  {}\n  full: {}",
            got.rendered[i], full.rendered[i]
        ));
    }
    // A cut exactly at a generation boundary is a well-formed (shorter) trace, provided
    // the full trace decodes without error that far.
    let at_boundary = index.generations.iter().any(|g| g.end as usize == k);
    if at_boundary && clean_through(full, index, k) {
        if let Some(err) = &got.error {
            return Err(format!(
                "a cut at a generation boundary must decode cleanly, got: {err}"
            ));
        }
        if got.count != p + 1 {
            return Err(format!(
                "a cut at a generation boundary must give its {p} events and a final Sync, got {} events",
                got.count
            ));
        }
    }
    check_cut_index(data, k, index)
}

/// The header pass over `data[..k]`: no panic, an error inside the prefix, and every
/// generation wholly within the cut indexed as in the full file.
fn check_cut_index(data: &[u8], k: usize, full: &Index) -> Result<(), String> {
    let prefix = &data[..k];
    let idx = catch_unwind(AssertUnwindSafe(|| Index::build(prefix)))
        .map_err(|e| format!("Index::build panicked: {}", panic_message(&*e)))?;
    let idx = match idx {
        Ok(idx) => idx,
        Err(err) if k < HEADER_LEN && err.offset == 0 => return Ok(()),
        Err(err) => return Err(format!("Index::build failed on a full header: {err}")),
    };
    if let Some(err) = &idx.error
        && err.offset > k as u64
    {
        return Err(format!(
            "index error offset {} past the cut: {err}",
            err.offset
        ));
    }
    for (i, g) in full.generations.iter().enumerate() {
        if g.end as usize > k {
            break;
        }
        let Some(h) = idx.generations.get(i) else {
            return Err(format!(
                "index of the prefix lacks generation {} (bytes {}..{})",
                g.number, g.start, g.end
            ));
        };
        let same = h.number == g.number
            && h.start == g.start
            && h.end == g.end
            && h.batches == g.batches
            && h.frequency == g.frequency
            && h.time_range == g.time_range;
        if !same {
            return Err(format!(
                "index of the prefix differs for generation {}:\n  cut:  {h:?}\n  full: {g:?}",
                g.number
            ));
        }
        // Go 1.26 generations end with a marker, which is within the cut. Before, the
        // end is seen at the end of the file or when the next generation's first batch
        // has been read whole.
        let end_seen = full.version >= Version::Go126
            || k == g.end as usize
            || full
                .generations
                .get(i + 1)
                .and_then(|next| next.batches.first())
                .is_some_and(|b| batch_layout(data, b.offset).end <= k);
        if end_seen && !h.complete {
            return Err(format!(
                "generation {} (bytes {}..{}) is within the cut and its end was seen, but the index calls it incomplete",
                g.number, g.start, g.end
            ));
        }
    }
    Ok(())
}

/// Cuts every trace of `traces` at many offsets and checks each cut.
fn truncation_suite(traces: &[(String, Vec<u8>)]) {
    let suite_start = Instant::now();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, data) in traces {
        let start = Instant::now();
        let full = decode(data, usize::MAX);
        let index = Index::build(data).unwrap_or_else(|e| panic!("{name}: {e}"));
        let offsets = cut_offsets(data, &index);
        let mut trace_failures = 0;
        for &k in &offsets {
            checked += 1;
            if let Err(msg) = check_cut(data, k, &full, &index) {
                failures.push(format!("{name} cut at {k} of {}: {msg}", data.len()));
                trace_failures += 1;
                if trace_failures == 5 {
                    failures.push(format!("{name}: (more failures not shown)"));
                    break;
                }
            }
        }
        eprintln!(
            "{name}: {} bytes, {} cuts, {:.2?}",
            data.len(),
            offsets.len(),
            start.elapsed()
        );
    }
    eprintln!(
        "truncation: {checked} cuts in {:.2?}",
        suite_start.elapsed()
    );
    report("truncation", checked, &failures);
}

#[test]
fn truncated_corpus_traces() {
    let traces = traces_in("testdata/corpus/bin");
    assert!(!traces.is_empty(), "no traces in testdata/corpus/bin");
    truncation_suite(&traces);
}

/// Known version directories get a test each (they run in parallel); any other directory
/// is covered by [`truncated_real_traces_other`].
const KNOWN_DIRS: [&str; 5] = ["go122", "go123", "go124", "go125", "go126"];

fn truncated_real_traces(version: &str) {
    let traces = traces_in(&format!("testdata/traces/{version}"));
    if traces.is_empty() {
        eprintln!("note: no testdata/traces/{version}/*.trace; nothing to cut");
    }
    truncation_suite(&traces);
}

#[test]
fn truncated_go122_traces() {
    truncated_real_traces("go122");
}

#[test]
fn truncated_go123_traces() {
    truncated_real_traces("go123");
}

#[test]
fn truncated_go124_traces() {
    truncated_real_traces("go124");
}

#[test]
fn truncated_go125_traces() {
    truncated_real_traces("go125");
}

#[test]
fn truncated_go126_traces() {
    truncated_real_traces("go126");
}

#[test]
fn truncated_real_traces_other() {
    for dir in real_trace_dirs() {
        if !KNOWN_DIRS.iter().any(|d| dir.ends_with(d)) {
            truncation_suite(&traces_in(&dir));
        }
    }
}

// ---------------------------------------------------------------------------------------
// b. Random mutations.

/// Mutants per small trace.
const MUTANTS: usize = 300;
/// Traces up to this size are mutated.
const MUTATE_LIMIT: usize = 8 << 10;

/// A copy of `data` with 1–4 bytes set to random values (mostly after the header), and
/// sometimes a random cut or a few inserted random bytes.
fn mutant(rng: &mut SplitMix64, data: &[u8]) -> Vec<u8> {
    let mut m = data.to_vec();
    for _ in 0..1 + rng.below(4) {
        let lo = if rng.below(16) == 0 || m.len() <= HEADER_LEN {
            0
        } else {
            HEADER_LEN
        };
        if m.len() > lo {
            let at = lo + rng.below(m.len() - lo);
            m[at] = rng.byte();
        }
    }
    match rng.below(8) {
        0 if !m.is_empty() => m.truncate(rng.below(m.len())),
        1 => {
            let at = rng.below(m.len() + 1);
            let bytes: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.byte()).collect();
            m.splice(at..at, bytes);
        }
        _ => {}
    }
    m
}

fn mutation_suite(traces: &[(String, Vec<u8>)]) {
    let suite_start = Instant::now();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, data) in traces.iter().filter(|(_, d)| d.len() <= MUTATE_LIMIT) {
        let start = Instant::now();
        let mut rng = SplitMix64(fnv1a(name));
        for i in 0..MUTANTS {
            let m = mutant(&mut rng, data);
            checked += 1;
            if let Err(p) = catch_unwind(AssertUnwindSafe(|| exercise(&m))) {
                failures.push(format!(
                    "{name} mutant {i} ({} bytes) panicked: {}\n  bytes: {m:02x?}",
                    m.len(),
                    panic_message(&*p)
                ));
            }
        }
        eprintln!(
            "{name}: {MUTANTS} mutants of {} bytes, {:.2?}",
            data.len(),
            start.elapsed()
        );
    }
    eprintln!(
        "mutation: {checked} mutants in {:.2?}",
        suite_start.elapsed()
    );
    report("mutation", checked, &failures);
}

#[test]
fn mutated_corpus_traces() {
    let traces = traces_in("testdata/corpus/bin");
    assert!(!traces.is_empty(), "no traces in testdata/corpus/bin");
    mutation_suite(&traces);
    // The Go fuzz corpus inputs are small seeds too.
    mutation_suite(&traces_in("testdata/corpus/fuzz-bin"));
}

#[test]
fn mutated_real_traces() {
    for dir in real_trace_dirs() {
        mutation_suite(&traces_in(&dir));
    }
}

#[test]
fn mutated_crafted_trace() {
    let t = minimal();
    mutation_suite(&[("crafted minimal go 1.26".to_string(), t.bytes)]);
}

// ---------------------------------------------------------------------------------------
// c. Crafted inputs.

mod wire {
    //! Go 1.26 wire encoding, by hand.
    pub const EVENT_BATCH: u8 = 1;
    pub const STACKS: u8 = 2;
    pub const STACK: u8 = 3;
    pub const STRINGS: u8 = 4;
    pub const STRING: u8 = 5;
    pub const FREQUENCY: u8 = 8;
    pub const PROC_STATUS: u8 = 13;
    pub const GO_BLOCK: u8 = 20;
    pub const GO_STATUS: u8 = 25;
    pub const SYNC: u8 = 50;
    pub const CLOCK_SNAPSHOT: u8 = 51;
    pub const END_OF_GENERATION: u8 = 52;
    /// Go's `NoThread`, as written for batches without an M.
    pub const NO_M: u64 = u64::MAX;
    /// Proc status Running, goroutine status Running.
    pub const PROC_RUNNING: u64 = 1;
    pub const GO_RUNNING: u64 = 2;

    pub fn uvarint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push(v as u8 | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// An event: its type byte and uvarint arguments.
    pub fn ev(typ: u8, args: &[u64]) -> Vec<u8> {
        let mut v = vec![typ];
        for &a in args {
            uvarint(&mut v, a);
        }
        v
    }

    /// A string table entry.
    pub fn string(id: u64, s: &[u8]) -> Vec<u8> {
        let mut v = ev(STRING, &[id, s.len() as u64]);
        v.extend_from_slice(s);
        v
    }

    /// A stack table entry; frames are (pc, func string, file string, line).
    pub fn stack(id: u64, frames: &[[u64; 4]]) -> Vec<u8> {
        let mut v = ev(STACK, &[id, frames.len() as u64]);
        for f in frames {
            for &x in f {
                uvarint(&mut v, x);
            }
        }
        v
    }
}

/// Where one batch sits in an assembled trace.
#[derive(Debug, Clone, Copy)]
struct BatchPos {
    /// The header's first byte.
    start: usize,
    /// The size field.
    size_field: usize,
    /// The body's first byte.
    body: usize,
}

/// A trace under construction, remembering where its batches are.
#[derive(Clone)]
struct Trace {
    bytes: Vec<u8>,
}

impl Trace {
    fn new() -> Trace {
        Trace {
            bytes: b"go 1.26 trace\0\0\0".to_vec(),
        }
    }

    /// Appends a batch whose header claims `size` bytes, followed by `body`.
    fn batch_sized(
        &mut self,
        generation: u64,
        m: u64,
        time: u64,
        size: u64,
        body: &[u8],
    ) -> BatchPos {
        let start = self.bytes.len();
        self.bytes.push(wire::EVENT_BATCH);
        for v in [generation, m, time] {
            wire::uvarint(&mut self.bytes, v);
        }
        let size_field = self.bytes.len();
        wire::uvarint(&mut self.bytes, size);
        let body_at = self.bytes.len();
        self.bytes.extend_from_slice(body);
        BatchPos {
            start,
            size_field,
            body: body_at,
        }
    }

    /// Appends a well-formed batch.
    fn batch(&mut self, generation: u64, m: u64, time: u64, body: &[u8]) -> BatchPos {
        self.batch_sized(generation, m, time, body.len() as u64, body)
    }

    fn end_generation(&mut self) {
        self.bytes.push(wire::END_OF_GENERATION);
    }
}

/// The bodies of the minimal trace's batches, to be varied by the tests.
#[derive(Clone)]
struct Bodies {
    sync: Vec<u8>,
    m: Vec<u8>,
    strings: Vec<u8>,
    stacks: Vec<u8>,
}

/// Frequency: 15.625 MHz, 64 ns per tick.
const FREQ: u64 = 15_625_000;

fn minimal_bodies() -> Bodies {
    use wire::*;
    let mut sync = vec![SYNC];
    sync.extend(ev(FREQUENCY, &[FREQ]));
    sync.extend(ev(CLOCK_SNAPSHOT, &[1, 1_000_000, 1_700_000_000, 5]));
    let mut m = ev(PROC_STATUS, &[1, 0, PROC_RUNNING]);
    m.extend(ev(GO_STATUS, &[1, 1, 1, GO_RUNNING]));
    m.extend(ev(GO_BLOCK, &[1, 1, 1]));
    let mut strings = vec![STRINGS];
    strings.extend(string(1, b"chan receive"));
    strings.extend(string(2, b"main.main"));
    strings.extend(string(3, b"main.go"));
    let mut stacks = vec![STACKS];
    stacks.extend(stack(1, &[[0x1000, 2, 3, 10]]));
    Bodies {
        sync,
        m,
        strings,
        stacks,
    }
}

/// Positions of the minimal trace's batches.
struct Minimal {
    bytes: Vec<u8>,
    sync: BatchPos,
    m: BatchPos,
    strings: BatchPos,
    stacks: BatchPos,
}

/// A one-generation Go 1.26 trace from `b`: sync, M, strings and stacks batches, then the
/// end-of-generation marker.
fn assemble(b: &Bodies) -> Minimal {
    let mut t = Trace::new();
    let sync = t.batch(1, wire::NO_M, 100, &b.sync);
    let m = t.batch(1, 1, 100, &b.m);
    let strings = t.batch(1, wire::NO_M, 100, &b.strings);
    let stacks = t.batch(1, wire::NO_M, 100, &b.stacks);
    t.end_generation();
    Minimal {
        bytes: t.bytes,
        sync,
        m,
        strings,
        stacks,
    }
}

fn minimal() -> Trace {
    Trace {
        bytes: assemble(&minimal_bodies()).bytes,
    }
}

/// Decodes `data` expecting an error; returns the rendered events and the error.
fn decode_err(data: &[u8]) -> (Vec<String>, Error) {
    let d = decode(data, usize::MAX);
    match d.error {
        Some(e) => (d.rendered, e),
        None => panic!(
            "expected an error, decoded {} events:\n{}",
            d.count,
            d.rendered.join("\n")
        ),
    }
}

/// Asserts `err` is of `kind` at `offset` and its message contains every one of `words`.
#[track_caller]
fn assert_error(err: &Error, kind: ErrorKind, offset: usize, words: &[&str]) {
    assert_eq!(err.kind, kind, "kind of {err}");
    assert_eq!(err.offset, offset as u64, "offset of {err}");
    for w in words {
        assert!(err.message.contains(w), "{err:?} does not mention {w:?}");
    }
    assert!(
        err.to_string().contains(&format!("byte offset {offset}")),
        "{err}"
    );
}

/// The other entry points survive `data` too, without a large allocation or a long run.
#[track_caller]
fn assert_survives(data: &[u8]) {
    let start = Instant::now();
    let peak = largest_allocation(|| exercise(data));
    assert!(
        peak < 1 << 20,
        "a {}-byte input made a {peak}-byte allocation",
        data.len()
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "a {}-byte input took {:?}",
        data.len(),
        start.elapsed()
    );
}

#[test]
fn minimal_trace_decodes() {
    let t = assemble(&minimal_bodies());
    let d = decode(&t.bytes, usize::MAX);
    assert!(d.error.is_none(), "{:?}", d.error);
    let text = d.rendered.join("\n");
    assert_eq!(d.count, 5, "{text}");
    assert_eq!(d.generation_syncs, vec![0], "{text}");
    for want in [
        "Sync Time=6400 N=1 Trace=6464 Mono=1000000 Wall=2023-11-14T22:13:20.000000005Z",
        "StateTransition Time=6464 ProcID=0 Undetermined->Running",
        "StateTransition Time=6528 GoID=1 Undetermined->Running",
        "M=1 P=0 G=1 StateTransition Time=6592 GoID=1 Running->Waiting Reason=\"chan receive\"",
        "TransitionStack=\n\tmain.main @ 0x1000\n\t\tmain.go:10",
        "Sync Time=6593 N=2",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    let index = Index::build(&t.bytes).unwrap();
    assert!(index.error.is_none());
    assert_eq!(index.generations.len(), 1);
    let g = &index.generations[0];
    assert_eq!(
        (g.start, g.end, g.complete),
        (16, t.bytes.len() as u64, true)
    );
    assert_eq!(g.batches.len(), 4);
    assert_eq!(g.frequency, Some(FREQ));
    // The builder's bookkeeping, which the other tests' offsets rely on.
    let b = minimal_bodies();
    assert_eq!(t.sync.start, HEADER_LEN);
    assert_eq!(t.m.start, t.sync.body + b.sync.len());
    assert_eq!(t.strings.start, t.m.body + b.m.len());
    assert_eq!(t.stacks.start, t.strings.body + b.strings.len());
    assert_eq!(t.bytes.len(), t.stacks.body + b.stacks.len() + 1);
    assert_eq!(t.m.size_field + 1, t.m.body);
    let batches = &index.generations[0].batches;
    for (info, pos) in batches.iter().zip([t.sync, t.m, t.strings, t.stacks]) {
        assert_eq!(info.offset, pos.start as u64);
    }
    let raw: Vec<_> = RawReader::new(&t.bytes).unwrap().collect();
    assert!(raw.iter().all(|r| r.is_ok()), "{raw:?}");
    assert_survives(&t.bytes);
}

/// The header pass stops with the same error as the reader (for errors in batch headers).
#[track_caller]
fn assert_index_error(data: &[u8], kind: ErrorKind, offset: usize) {
    let index = Index::build(data).expect("the header is fine");
    let err = index.error.expect("the index stops with an error");
    assert_eq!((err.kind, err.offset), (kind, offset as u64), "{err}");
}

#[test]
fn batch_size_past_end_of_file() {
    let b = minimal_bodies();
    let mut t = Trace::new();
    t.batch(1, wire::NO_M, 100, &b.sync);
    let m = t.batch_sized(1, 1, 100, 1000, &b.m);
    let (events, err) = decode_err(&t.bytes);
    let read = format!("read {} but wanted 1000", b.m.len());
    assert_error(&err, ErrorKind::Truncated, m.body, &["batch", &read]);
    assert_eq!(err.generation, Some(1), "{err}");
    assert!(events.iter().all(|e| e.contains(" Sync ")), "{events:?}");
    assert_index_error(&t.bytes, ErrorKind::Truncated, m.body);
    assert_survives(&t.bytes);
}

#[test]
fn batch_size_over_64k() {
    let b = minimal_bodies();
    let mut t = Trace::new();
    t.batch(1, wire::NO_M, 100, &b.sync);
    let mut over = t.clone();
    let m = over.batch_sized(1, 1, 100, 65537, &b.m);
    let (_, err) = decode_err(&over.bytes);
    assert_error(
        &err,
        ErrorKind::Malformed,
        m.size_field,
        &["invalid batch size 65537", "maximum is 65536"],
    );
    assert_index_error(&over.bytes, ErrorKind::Malformed, m.size_field);
    assert_survives(&over.bytes);
    // 64 KiB itself is a legal size: the error is then the missing body.
    let m = t.batch_sized(1, 1, 100, 65536, &b.m);
    let (_, err) = decode_err(&t.bytes);
    assert_error(&err, ErrorKind::Truncated, m.body, &["wanted 65536"]);
}

#[test]
fn eleven_byte_varint_in_batch_header() {
    let b = minimal_bodies();
    let mut t = Trace::new();
    t.batch(1, wire::NO_M, 100, &b.sync);
    let start = t.bytes.len();
    t.bytes.push(wire::EVENT_BATCH);
    t.bytes.extend([0x80; 11]);
    t.bytes.extend([1, 100, 0]);
    let (_, err) = decode_err(&t.bytes);
    assert_error(
        &err,
        ErrorKind::Malformed,
        start + 1,
        &["invalid uvarint", "batch gen", "more than 64 bits"],
    );
    assert_eq!(err.generation, Some(1), "{err}");
    assert_index_error(&t.bytes, ErrorKind::Malformed, start + 1);
    assert_survives(&t.bytes);
}

#[test]
fn ten_byte_varint_over_64_bits_in_batch_header() {
    let b = minimal_bodies();
    let mut t = Trace::new();
    t.batch(1, wire::NO_M, 100, &b.sync);
    let start = t.bytes.len();
    t.bytes.extend([wire::EVENT_BATCH, 1]);
    // Ten bytes, the last one 2: bit 64 set.
    t.bytes
        .extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
    t.bytes.extend([100, 0]);
    let (_, err) = decode_err(&t.bytes);
    assert_error(
        &err,
        ErrorKind::Malformed,
        start + 2,
        &["invalid uvarint", "batch M ID", "more than 64 bits"],
    );
    assert_index_error(&t.bytes, ErrorKind::Malformed, start + 2);
    assert_survives(&t.bytes);
    // With a last byte of 1 it is u64::MAX, which every batch without an M uses: the
    // minimal trace is made of them.
    let mut max = Vec::new();
    wire::uvarint(&mut max, u64::MAX);
    assert_eq!(
        max,
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
}

/// The minimal trace with `entry` appended to its strings batch; returns the trace and
/// the file offset of `entry`.
fn with_extra_string(entry: &[u8]) -> (Minimal, usize) {
    let mut b = minimal_bodies();
    let at = b.strings.len();
    b.strings.extend_from_slice(entry);
    let t = assemble(&b);
    let off = t.strings.body + at;
    (t, off)
}

#[test]
fn string_longer_than_1k() {
    let (t, at) = with_extra_string(&wire::string(4, &[b'x'; 1025]));
    let (_, err) = decode_err(&t.bytes);
    // Type byte, one-byte ID, then the length.
    assert_error(
        &err,
        ErrorKind::Malformed,
        at + 2,
        &["invalid string size 1025", "maximum is 1024"],
    );
    assert_eq!(err.generation, Some(1), "{err}");
    assert_survives(&t.bytes);
    // 1 KiB exactly is allowed.
    let (t, _) = with_extra_string(&wire::string(4, &[b'x'; 1024]));
    let d = decode(&t.bytes, 0);
    assert!(d.error.is_none(), "{:?}", d.error);
    // A length of 2^60 is refused the same way, before anything is sized by it.
    let mut entry = wire::ev(wire::STRING, &[4, 1 << 60]);
    entry.extend_from_slice(b"short");
    let (t, at) = with_extra_string(&entry);
    let (_, err) = decode_err(&t.bytes);
    assert_error(&err, ErrorKind::Malformed, at + 2, &["invalid string size"]);
    assert_survives(&t.bytes);
}

/// The minimal trace whose stack 1 is `entry` (a whole stack table entry) instead.
fn with_stack(entry: &[u8]) -> Minimal {
    let mut b = minimal_bodies();
    b.stacks = vec![wire::STACKS];
    b.stacks.extend_from_slice(entry);
    assemble(&b)
}

#[test]
fn stack_with_more_than_128_frames() {
    let frames: Vec<[u64; 4]> = (0..129).map(|i| [0x1000 + i, 2, 3, 10 + i]).collect();
    let t = with_stack(&wire::stack(1, &frames));
    let (_, err) = decode_err(&t.bytes);
    // Stacks byte, stack byte, one-byte ID, then the frame count.
    let count_at = t.stacks.body + 3;
    assert_error(
        &err,
        ErrorKind::Malformed,
        count_at,
        &["invalid stack size 129", "maximum is 128"],
    );
    assert_survives(&t.bytes);
    // 128 frames are allowed, and all of them resolve.
    let t = with_stack(&wire::stack(1, &frames[..128]));
    let d = decode(&t.bytes, usize::MAX);
    assert!(d.error.is_none(), "{:?}", d.error);
    let text = d.rendered.join("\n");
    assert_eq!(text.matches("main.main @ 0x").count(), 2 * 128, "{text}");
    // A count of 2^60 with no frames behind it is refused at once, never allocated for.
    let t = with_stack(&wire::ev(wire::STACK, &[1, 1 << 60]));
    let start = Instant::now();
    let (_, err) = decode_err(&t.bytes);
    let count_at = t.stacks.body + 3;
    assert_error(
        &err,
        ErrorKind::Malformed,
        count_at,
        &["invalid stack size"],
    );
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_survives(&t.bytes);
}

#[test]
fn unknown_event_type_in_m_batch() {
    for (typ, words) in [
        (200u8, &["found invalid event type: 200"][..]),
        // Below the experimental range, but no timed event has this type.
        (60, &["found event without a timestamp: type=60"][..]),
        // A structural event where a timed one must be.
        (
            wire::FREQUENCY,
            &["found event without a timestamp: type=8"][..],
        ),
    ] {
        let mut b = minimal_bodies();
        let at = b.m.len() - wire::ev(wire::GO_BLOCK, &[1, 1, 1]).len();
        b.m.insert(at, typ);
        let t = assemble(&b);
        let (_, err) = decode_err(&t.bytes);
        assert_error(&err, ErrorKind::Malformed, t.m.body + at, words);
        assert_eq!(err.generation, Some(1), "{err}");
        assert_survives(&t.bytes);
    }
}

/// A Go 1.26 header with another version number, before the minimal trace's batches.
fn with_header(header: &[u8; 16]) -> Vec<u8> {
    let mut v = minimal().bytes;
    v[..16].copy_from_slice(header);
    v
}

#[test]
fn unsupported_versions_are_named() {
    for (header, found) in [
        (b"go 1.99 trace\0\0\0", "go 1.99"),
        (b"go 1.21 trace\0\0\0", "go 1.21"),
        (b"go 1.24 trace\0\0\0", "go 1.24"),
    ] {
        let data = with_header(header);
        let (events, err) = decode_err(&data);
        assert!(events.is_empty());
        let supported = ["1.22", "1.23", "1.25", "1.26"];
        let mut words = vec![found];
        words.extend(supported);
        assert_error(&err, ErrorKind::UnsupportedVersion, 0, &words);
        for e in [
            Index::build(&data).unwrap_err(),
            RawReader::new(&data).unwrap_err(),
        ] {
            assert_error(&e, ErrorKind::UnsupportedVersion, 0, &words);
        }
        assert_survives(&data);
    }
}

#[test]
fn garbage_and_empty_files_are_not_traces() {
    let inputs: [&[u8]; 7] = [
        b"",
        b"g",
        b"go 1.26 trace",
        b"go 1.26 trace!!!",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00 not a trace at all",
        b"{\"traceEvents\": []}",
        &[0u8; 64],
    ];
    for data in inputs {
        let (events, err) = decode_err(data);
        assert!(events.is_empty());
        // It names what a trace starts with.
        assert_error(&err, ErrorKind::BadHeader, 0, &["go 1.NN trace"]);
        assert_eq!(Index::build(data).unwrap_err().kind, ErrorKind::BadHeader);
        assert_eq!(RawReader::new(data).unwrap_err().kind, ErrorKind::BadHeader);
        assert_survives(data);
    }
    // A header and nothing else is an empty trace, not an error.
    let d = decode(b"go 1.26 trace\0\0\0", usize::MAX);
    assert!(d.error.is_none(), "{:?}", d.error);
    assert!(d.rendered.iter().all(|e| e.contains(" Sync ")));
}

#[test]
fn huge_string_id_in_stack_frame() {
    for (frame, what) in [
        ([0x1000, u64::MAX, 3, 10], "func"),
        ([0x1000, 2, u64::MAX, 10], "file"),
    ] {
        let t = with_stack(&wire::stack(1, &[frame]));
        let (_, err) = decode_err(&t.bytes);
        // Checked once the generation's tables are complete; the offset is the
        // generation's start.
        let msg = format!("found invalid {what} string ID 18446744073709551615 for stack 1");
        assert_error(&err, ErrorKind::Malformed, HEADER_LEN, &[&msg]);
        assert_eq!(err.generation, Some(1), "{err}");
        assert_survives(&t.bytes);
    }
}

#[test]
fn event_with_unknown_string_id() {
    let mut b = minimal_bodies();
    let at = b.m.len() - wire::ev(wire::GO_BLOCK, &[1, 1, 1]).len();
    b.m.truncate(at);
    b.m.extend(wire::ev(wire::GO_BLOCK, &[1, u64::MAX, 1]));
    let t = assemble(&b);
    let (events, err) = decode_err(&t.bytes);
    assert_eq!(err.kind, ErrorKind::Malformed, "{err}");
    assert!(
        err.message
            .contains("found invalid string ID 18446744073709551615 for event GoBlock"),
        "{err}"
    );
    // The error names the offending event's own offset.
    let bad = wire::ev(wire::GO_BLOCK, &[1, u64::MAX, 1]);
    let at = t
        .bytes
        .windows(bad.len())
        .position(|w| w == bad.as_slice())
        .expect("the event is in the trace");
    assert_eq!(err.offset, at as u64, "{err}");
    assert_eq!(err.generation, Some(1), "{err}");
    assert_eq!(
        events.len(),
        3,
        "Sync, ProcStatus and GoStatus come first: {events:?}"
    );
    assert_survives(&t.bytes);
}

#[test]
fn huge_ids_decode_without_huge_allocations() {
    use wire::*;
    let big_g = 1u64 << 62;
    let big_p = 1u64 << 40;
    let mut b = minimal_bodies();
    b.m = ev(PROC_STATUS, &[1, big_p, PROC_RUNNING]);
    b.m.extend(ev(GO_STATUS, &[1, big_g, 1, GO_RUNNING]));
    b.m.extend(ev(GO_BLOCK, &[1, u64::MAX, u64::MAX]));
    b.strings = vec![STRINGS];
    b.strings.extend(string(u64::MAX, b"chan receive"));
    b.strings.extend(string(1 << 50, b"main.main"));
    b.strings.extend(string(3, b"main.go"));
    b.stacks = vec![STACKS];
    b.stacks
        .extend(stack(u64::MAX, &[[u64::MAX, 1 << 50, 3, u64::MAX]]));
    let t = assemble(&b);
    let mut d = None;
    let peak = largest_allocation(|| d = Some(decode(&t.bytes, usize::MAX)));
    let d = d.unwrap();
    assert!(d.error.is_none(), "{:?}", d.error);
    let text = d.rendered.join("\n");
    for want in [
        format!("ProcID={big_p} Undetermined->Running"),
        format!("GoID={big_g} Running->Waiting Reason=\"chan receive\""),
        "main.main @ 0xffffffffffffffff".to_string(),
        format!("main.go:{}", u64::MAX),
    ] {
        assert!(text.contains(&want), "missing {want:?} in:\n{text}");
    }
    assert!(
        peak < 1 << 20,
        "a {}-byte trace made a {peak}-byte allocation",
        t.bytes.len()
    );
    assert_survives(&t.bytes);
}

#[test]
fn hostile_sizes_are_never_allocated() {
    let b = minimal_bodies();
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    // A batch claiming 2^60 bytes.
    let mut t = Trace::new();
    t.batch(1, wire::NO_M, 100, &b.sync);
    t.batch_sized(1, 1, 100, 1 << 60, &b.m);
    inputs.push(t.bytes);
    // A stack claiming 2^60 frames, outside any batch (the wire reader reads the file as
    // one stream of events) and inside one.
    let mut v = b"go 1.26 trace\0\0\0".to_vec();
    v.extend(wire::ev(wire::STACK, &[1, 1 << 60]));
    v.extend([0x80; 64]);
    inputs.push(v);
    inputs.push(with_stack(&wire::ev(wire::STACK, &[1, u64::MAX])).bytes);
    // A string claiming 2^60 bytes, outside and inside a batch.
    let mut v = b"go 1.26 trace\0\0\0".to_vec();
    v.extend(wire::ev(wire::STRING, &[1, 1 << 60]));
    inputs.push(v);
    inputs.push(
        with_extra_string(&wire::ev(wire::STRING, &[9, u64::MAX]))
            .0
            .bytes,
    );
    // An experimental batch claiming 2^60 bytes of data.
    let mut v = b"go 1.26 trace\0\0\0".to_vec();
    v.extend(wire::ev(49, &[1, 1, 1, 100, 1 << 60]));
    inputs.push(v);
    // 64 KiB of continuation bytes.
    let mut v = b"go 1.26 trace\0\0\0".to_vec();
    v.extend([0x80; 64 << 10]);
    inputs.push(v);
    for data in &inputs {
        assert_survives(data);
    }
}

/// A two-generation Go 1.26 trace: the minimal generation, then a second one in which
/// goroutine 1 is still blocked.
fn two_generations() -> (Vec<u8>, usize) {
    use wire::*;
    let mut t = Trace {
        bytes: minimal().bytes,
    };
    let second = t.bytes.len();
    let b = minimal_bodies();
    t.batch(2, NO_M, 200, &b.sync);
    let mut m = ev(PROC_STATUS, &[1, 0, PROC_RUNNING]);
    m.extend(ev(GO_STATUS, &[1, 1, NO_M, 4]));
    t.batch(2, 1, 200, &m);
    t.end_generation();
    (t.bytes, second)
}

#[test]
fn two_generation_trace_decodes() {
    let (data, second) = two_generations();
    let d = decode(&data, usize::MAX);
    assert!(d.error.is_none(), "{:?}", d.error);
    assert_eq!(d.generation_syncs, vec![0, 4], "{:#?}", d.rendered);
    let index = Index::build(&data).unwrap();
    assert_eq!(index.generations.len(), 2);
    assert_eq!(index.generations[1].start, second as u64);
}

/// A cut inside the header of the first batch of a later generation: the error must say
/// which generation was being read (the truncation oracle requires it after the first
/// generation). Minimal case of the failures `truncated_go126_traces` reports.
#[test]
fn truncated_batch_header_names_its_generation() {
    let (data, second) = two_generations();
    let mut failures = Vec::new();
    // +1: inside the generation number; +2: the number (2) was read, the M ID is cut.
    for cut in [second + 1, second + 2, second + 5] {
        let (events, err) = decode_err(&data[..cut]);
        assert_eq!(events.len(), 5, "generation 1 and a final Sync: {events:?}");
        assert_eq!(err.kind, ErrorKind::Truncated, "{err}");
        let ok = if cut > second + 1 {
            err.generation == Some(2)
        } else {
            err.generation.is_some()
        };
        if !ok {
            failures.push(format!("cut at {cut}: {err:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The hand-made traces of this file are part of the fuzz corpus, under fixed names, so the
/// fuzzer starts from them and `tests/fuzz_corpus.rs` replays them. With
/// `FUZZ_UPDATE_SEEDS=1` the files are (re)written first; the test then checks that the
/// corpus holds exactly what the builders here produce.
#[test]
fn crafted_traces_are_in_the_fuzz_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/decode");
    let frames: Vec<[u64; 4]> = (0..128).map(|i| [0x1000 + i, 2, 3, 10 + i]).collect();
    let seeds = [
        ("minimal", minimal().bytes),
        ("two-generations", two_generations().0),
        (
            "stack-128-frames",
            with_stack(&wire::stack(1, &frames)).bytes,
        ),
        (
            "string-1k",
            with_extra_string(&wire::string(4, &[b'x'; 1024])).0.bytes,
        ),
    ];
    for (name, bytes) in seeds {
        let path = dir.join(format!("crafted-{name}"));
        if std::env::var_os("FUZZ_UPDATE_SEEDS").is_some() {
            fs::write(&path, &bytes).unwrap();
        }
        let on_disk = fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with FUZZ_UPDATE_SEEDS=1)", path.display()));
        assert_eq!(on_disk, bytes, "{} is stale", path.display());
    }
}
