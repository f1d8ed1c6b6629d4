//! Batches and the per-generation tables: strings, stacks and frames, frequency, clock
//! snapshot, CPU samples, experimental batches. A port of Go's `batch.go`, `base.go` and
//! `generation.go`, except that nothing is copied: strings and batch bodies are borrowed
//! from the file.

use rustc_hash::FxHashMap;

use super::error::{Error, ErrorKind, Result};
use super::spec::{self, Version, ev};
use super::wire::Cursor;

/// Go's `NoThread`, `NoProc` and `NoGoroutine`, as the signed IDs of the public API.
pub const NO_ID: i64 = -1;

/// One batch: its header fields and its body, borrowed from the file.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// The generation the header names.
    pub generation: u64,
    /// The thread that wrote it ([`NO_ID`] for batches written without an M).
    pub m: i64,
    /// The header timestamp, in trace ticks.
    pub time: u64,
    /// The body.
    pub data: &'a [u8],
    /// File offset of the body's first byte.
    pub data_offset: u64,
    /// The experiment byte of an experimental batch, 0 otherwise.
    pub exp: u8,
    /// File offset of the batch header.
    pub offset: u64,
}

impl Batch<'_> {
    fn first_byte(&self) -> Option<u8> {
        if self.exp == spec::experiment::NONE {
            self.data.first().copied()
        } else {
            None
        }
    }

    /// Whether this is Go 1.26's one-byte end-of-generation marker.
    pub fn is_end_of_generation(&self) -> bool {
        self.first_byte() == Some(ev::END_OF_GENERATION)
    }

    fn is_sync(&self, ver: Version) -> bool {
        match self.first_byte() {
            Some(ev::FREQUENCY) => ver < Version::Go125,
            Some(ev::SYNC) => ver >= Version::Go125,
            _ => false,
        }
    }
}

/// Reads the batch at the cursor (Go's `readBatch`). `Ok(None)` at a clean end of data.
pub fn read_batch<'a>(c: &mut Cursor<'a>) -> Result<Option<Batch<'a>>> {
    let offset = c.offset();
    let Some(typ) = c.byte() else { return Ok(None) };
    if typ == ev::END_OF_GENERATION {
        return Ok(Some(Batch {
            generation: 0,
            m: NO_ID,
            time: 0,
            data: END_MARKER,
            data_offset: offset,
            exp: 0,
            offset,
        }));
    }
    if typ != ev::EVENT_BATCH && typ != ev::EXPERIMENTAL_BATCH {
        return Err(Error::new(
            ErrorKind::Malformed,
            offset,
            format!("expected batch event, got event {typ}"),
        ));
    }
    let exp = if typ == ev::EXPERIMENTAL_BATCH {
        c.expect_byte("experiment ID")?
    } else {
        0
    };
    let generation = c.uvarint("batch gen")?;
    // From here on the batch's generation is known: name it in every error.
    let in_gen = |e: Error| e.in_generation(generation);
    let m = c.uvarint("batch M ID").map_err(in_gen)?;
    let time = c.uvarint("batch timestamp").map_err(in_gen)?;
    let size_off = c.offset();
    let size = c.uvarint("batch size").map_err(in_gen)?;
    if size > spec::MAX_BATCH_SIZE {
        return Err(Error::new(
            ErrorKind::Malformed,
            size_off,
            format!(
                "invalid batch size {size}, maximum is {}",
                spec::MAX_BATCH_SIZE
            ),
        )
        .in_generation(generation));
    }
    let data_offset = c.offset();
    let data = c
        .bytes(size, "batch")
        .map_err(|e| e.in_generation(generation))?;
    Ok(Some(Batch {
        generation,
        m: m as i64,
        time,
        data,
        data_offset,
        exp,
        offset,
    }))
}

/// The body of the end-of-generation pseudo-batch.
const END_MARKER: &[u8] = &[ev::END_OF_GENERATION];

/// Go's `frequency`: nanoseconds per tick, and Go's conversion of ticks to nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Frequency(pub f64);

impl Frequency {
    /// Ticks → nanoseconds, truncated toward zero like Go's float→int conversion. Values
    /// Go cannot represent come out as amd64's "integer indefinite", `i64::MIN`.
    #[inline]
    #[allow(clippy::should_implement_trait)]
    pub fn mul(self, t: u64) -> i64 {
        // The usual clock is nanotime/64: an exact 64.0 and integer ticks below 2^53
        // multiply exactly in floating point, so the integer product is the same value.
        if self.0 == 64.0 && t < 1 << 53 {
            return (t << 6) as i64;
        }
        go_f64_to_i64(t as f64 * self.0)
    }
}

/// 2⁶³, the first float past `i64::MAX`.
const TWO_63: f64 = 9_223_372_036_854_775_808.0;

/// Go's `int64(f)` on amd64: out-of-range and NaN give `i64::MIN`.
#[inline]
pub fn go_f64_to_i64(x: f64) -> i64 {
    if (-TWO_63..TWO_63).contains(&x) {
        x as i64
    } else {
        i64::MIN
    }
}

/// A table keyed by a per-generation ID, as Go's `dataTable`: ID 0 always resolves to the
/// default value; duplicates are an error.
#[derive(Debug, Clone)]
pub struct IdTable<T> {
    dense: Vec<Option<T>>,
    /// One bit per dense ID: presence checks (done for every event) stay in cache.
    present: Vec<u64>,
    sparse: FxHashMap<u64, T>,
}

impl<T> Default for IdTable<T> {
    fn default() -> Self {
        IdTable {
            dense: Vec::new(),
            present: Vec::new(),
            sparse: FxHashMap::default(),
        }
    }
}

impl<T: Copy + Default> IdTable<T> {
    /// Whether an ID resolves (0 always does).
    #[inline]
    pub fn contains(&self, id: u64) -> bool {
        if id == 0 {
            return true;
        }
        if let Some(word) = self.present.get((id / 64) as usize) {
            return word >> (id % 64) & 1 == 1;
        }
        self.sparse.contains_key(&id)
    }

    /// Inserts; `false` if the ID is already present.
    fn insert(&mut self, id: u64, v: T) -> bool {
        if self.contains(id) {
            return false;
        }
        self.sparse.insert(id, v);
        true
    }

    /// Moves dense ID ranges into a vector, as Go's `compactify` does, for fast lookup.
    fn compactify(&mut self) {
        if self.sparse.is_empty() || !self.dense.is_empty() {
            return;
        }
        let n = self.sparse.len();
        let max = *self.sparse.keys().max().unwrap_or(&0);
        let min = *self.sparse.keys().min().unwrap_or(&0);
        // Only when the IDs are dense enough that the vector stays proportional to the
        // number of entries (never sized by an untrusted ID alone).
        if max - min > (2 * n) as u64 || min > n as u64 {
            return;
        }
        let mut dense = vec![None; max as usize + 1];
        let mut present = vec![0u64; (max as usize + 1).div_ceil(64)];
        for (id, v) in self.sparse.drain() {
            dense[id as usize] = Some(v);
            present[(id / 64) as usize] |= 1 << (id % 64);
        }
        self.dense = dense;
        self.present = present;
    }

    /// Looks up an ID; 0 is always present with the default value.
    #[inline]
    pub fn get(&self, id: u64) -> Option<T> {
        if id == 0 {
            return Some(T::default());
        }
        if let Some(slot) = self.dense.get(id as usize) {
            return *slot;
        }
        self.sparse.get(&id).copied()
    }

    fn for_each(&self, mut f: impl FnMut(u64, T) -> Result<()>) -> Result<()> {
        for (id, v) in self.dense.iter().enumerate() {
            if let Some(v) = v {
                f(id as u64, *v)?;
            }
        }
        for (&id, &v) in &self.sparse {
            f(id, v)?;
        }
        Ok(())
    }
}

/// A stack: a range of [`Tables::stack_pcs`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StackRef {
    start: u32,
    len: u32,
}

/// What a PC resolves to (string IDs into the generation's string table).
#[derive(Debug, Clone, Copy)]
pub struct FrameRef {
    /// Function name string ID.
    pub func: u64,
    /// File name string ID.
    pub file: u64,
    /// Line number.
    pub line: u64,
}

/// One resolved stack frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Program counter.
    pub pc: u64,
    /// Function name.
    pub func: &'a [u8],
    /// Source file.
    pub file: &'a [u8],
    /// Line number.
    pub line: u64,
}

/// A generation's clock snapshot (Go 1.25+): trace, monotonic and wall clocks at one
/// instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSnapshot {
    /// Trace time in nanoseconds (the same clock as event times).
    pub trace: i64,
    /// Runtime `nanotime()` value.
    pub mono: u64,
    /// Wall clock, seconds since the Unix epoch.
    pub wall_sec: i64,
    /// Wall clock, nanoseconds part.
    pub wall_nsec: i64,
}

/// An experimental batch: opaque data of an experiment, by thread.
#[derive(Debug, Clone, Copy)]
pub struct ExperimentalBatch<'a> {
    /// The experiment ID.
    pub experiment: u8,
    /// The thread that wrote it.
    pub thread: i64,
    /// The data.
    pub data: &'a [u8],
}

/// A CPU profile sample, with its time already converted to nanoseconds.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    /// Sample time, ns.
    pub time: i64,
    /// Thread.
    pub m: i64,
    /// Proc, or [`NO_ID`].
    pub p: i64,
    /// Goroutine, or [`NO_ID`].
    pub g: i64,
    /// Stack ID in the generation's table.
    pub stack: u64,
}

/// The tables of one generation; every event points at the tables of its generation.
#[derive(Debug, Default)]
pub struct Tables<'a> {
    /// Generation number.
    pub generation: u64,
    /// Format version.
    pub version: Option<Version>,
    /// Nanoseconds per tick.
    pub freq: Frequency,
    clock_snapshot_ts: Option<(u64, u64, i64, i64)>,
    strings: IdTable<&'a [u8]>,
    stacks: IdTable<StackRef>,
    stack_pcs: Vec<u64>,
    frames: FxHashMap<u64, FrameRef>,
    /// Experimental batches, in file order.
    pub experimental: Vec<ExperimentalBatch<'a>>,
}

impl<'a> Tables<'a> {
    /// A string by ID (`None` if the ID is unknown in this generation).
    #[inline]
    pub fn string(&self, id: u64) -> Option<&'a [u8]> {
        self.strings.get(id)
    }

    /// Whether a stack ID resolves in this generation.
    #[inline]
    pub fn has_stack(&self, id: u64) -> bool {
        self.stacks.contains(id)
    }

    /// Whether a string ID resolves in this generation.
    #[inline]
    pub fn has_string(&self, id: u64) -> bool {
        self.strings.contains(id)
    }

    /// The PCs of a stack, innermost first.
    pub fn stack_pcs(&self, id: u64) -> &[u64] {
        match self.stacks.get(id) {
            Some(r) => &self.stack_pcs[r.start as usize..(r.start + r.len) as usize],
            None => &[],
        }
    }

    /// Resolves a PC to its frame.
    pub fn frame(&self, pc: u64) -> Frame<'a> {
        match self.frames.get(&pc) {
            Some(f) => Frame {
                pc,
                func: self.string(f.func).unwrap_or(b""),
                file: self.string(f.file).unwrap_or(b""),
                line: f.line,
            },
            // Unreachable for validated tables: every PC of every stack has a frame.
            None => Frame {
                pc: 0,
                func: b"",
                file: b"",
                line: 0,
            },
        }
    }

    /// The generation's clock snapshot (Go 1.25+).
    pub fn clock_snapshot(&self) -> Option<ClockSnapshot> {
        self.clock_snapshot_ts
            .map(|(ts, mono, sec, nsec)| ClockSnapshot {
                trace: self.freq.mul(ts),
                mono,
                wall_sec: sec,
                wall_nsec: nsec,
            })
    }

    /// Number of strings and stacks (for statistics).
    pub fn counts(&self) -> (usize, usize) {
        let count = |d: usize, s: usize| d + s;
        (
            count(
                self.strings.dense.iter().filter(|x| x.is_some()).count(),
                self.strings.sparse.len(),
            ),
            count(
                self.stacks.dense.iter().filter(|x| x.is_some()).count(),
                self.stacks.sparse.len(),
            ),
        )
    }
}

/// The event batches of one M within a generation, in file order.
#[derive(Debug)]
pub struct MBatches<'a> {
    /// The thread.
    pub m: i64,
    /// Its batches.
    pub batches: Vec<Batch<'a>>,
}

/// A generation read from the file: its M batches, CPU samples and tables.
#[derive(Debug)]
pub struct Generation<'a> {
    /// Generation number.
    pub generation: u64,
    /// M event batches, grouped by M in order of first appearance.
    pub ms: Vec<MBatches<'a>>,
    /// CPU samples sorted by time.
    pub cpu_samples: Vec<CpuSample>,
    /// The smallest batch header timestamp of the generation, in ticks.
    pub min_ts: u64,
    /// The tables.
    pub tables: Tables<'a>,
    /// Nanoseconds per tick (a copy of the tables' frequency).
    pub freq: Frequency,
    /// File offset of the first and past the last byte of the generation.
    pub range: (u64, u64),
}

/// Incremental construction of a generation from its batches (Go's `processBatch`).
struct Builder<'a> {
    ver: Version,
    generation: u64,
    ms: Vec<MBatches<'a>>,
    m_index: FxHashMap<i64, usize>,
    cpu_samples: Vec<CpuSample>,
    cpu_sample_ticks: Vec<u64>,
    min_ts: u64,
    tables: Tables<'a>,
    has_freq: bool,
    start: u64,
}

impl<'a> Builder<'a> {
    fn new(ver: Version, start: u64) -> Builder<'a> {
        Builder {
            ver,
            generation: 0,
            ms: Vec::new(),
            m_index: FxHashMap::default(),
            cpu_samples: Vec::new(),
            cpu_sample_ticks: Vec::new(),
            min_ts: 0,
            tables: Tables {
                version: Some(ver),
                ..Tables::default()
            },
            has_freq: false,
            start,
        }
    }

    fn note_time(&mut self, t: u64) {
        if self.min_ts == 0 || t < self.min_ts {
            self.min_ts = t;
        }
    }

    fn process(&mut self, b: Batch<'a>) -> Result<()> {
        if b.exp != spec::experiment::NONE {
            self.tables.experimental.push(ExperimentalBatch {
                experiment: b.exp,
                thread: b.m,
                data: b.data,
            });
            return Ok(());
        }
        match b.data.first().copied() {
            Some(ev::STRINGS) => self.add_strings(&b),
            Some(ev::STACKS) => self.add_stacks(&b),
            Some(ev::CPU_SAMPLES) => self.add_cpu_samples(&b),
            _ if b.is_sync(self.ver) => self.set_sync(&b),
            Some(ev::END_OF_GENERATION) => Err(Error::new(
                ErrorKind::Malformed,
                b.offset,
                "unexpected EndOfGeneration batch",
            )),
            _ => {
                let idx = *self.m_index.entry(b.m).or_insert_with(|| {
                    self.ms.push(MBatches {
                        m: b.m,
                        batches: Vec::new(),
                    });
                    self.ms.len() - 1
                });
                self.ms[idx].batches.push(b);
                Ok(())
            }
        }
    }

    fn add_strings(&mut self, b: &Batch<'a>) -> Result<()> {
        let mut c = Cursor::new(b.data, b.data_offset);
        c.byte(); // The EvStrings byte.
        while !c.is_empty() {
            let off = c.offset();
            let typ = c.expect_byte("string event")?;
            if typ != ev::STRING {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    off,
                    format!("expected string event, got {typ}"),
                ));
            }
            let id = c.uvarint("string ID")?;
            let len_off = c.offset();
            let len = c.uvarint("string length")?;
            if len > spec::MAX_EVENT_TRAILER_DATA_SIZE {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    len_off,
                    format!(
                        "invalid string size {len}, maximum is {}",
                        spec::MAX_EVENT_TRAILER_DATA_SIZE
                    ),
                ));
            }
            let s = c.bytes(len, "string")?;
            if !self.tables.strings.insert(id, s) {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    off,
                    format!("multiple strings with the same ID: id={id}"),
                ));
            }
        }
        Ok(())
    }

    fn add_stacks(&mut self, b: &Batch<'a>) -> Result<()> {
        let mut c = Cursor::new(b.data, b.data_offset);
        c.byte(); // The EvStacks byte.
        while !c.is_empty() {
            let off = c.offset();
            let typ = c.expect_byte("stack event")?;
            if typ != ev::STACK {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    off,
                    format!("expected stack event, got {typ}"),
                ));
            }
            let id = c.uvarint("stack ID")?;
            let n_off = c.offset();
            let n = c.uvarint("stack frame count")?;
            if n > spec::MAX_FRAMES_PER_STACK {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    n_off,
                    format!(
                        "invalid stack size {n}, maximum is {}",
                        spec::MAX_FRAMES_PER_STACK
                    ),
                ));
            }
            let start = self.tables.stack_pcs.len();
            for i in 0..n {
                let what = |f: &str| format!("frame {}'s {f} for stack {id}", i + 1);
                let pc = c.uvarint(&what("PC"))?;
                let func = c.uvarint(&what("funcID"))?;
                let file = c.uvarint(&what("fileID"))?;
                let line = c.uvarint(&what("line"))?;
                self.tables.stack_pcs.push(pc);
                self.tables
                    .frames
                    .entry(pc)
                    .or_insert(FrameRef { func, file, line });
            }
            let r = StackRef {
                start: u32::try_from(start)
                    .map_err(|_| Error::new(ErrorKind::Malformed, off, "stack table too large"))?,
                len: n as u32,
            };
            if !self.tables.stacks.insert(id, r) {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    off,
                    format!("multiple stacks with the same ID: id={id}"),
                ));
            }
        }
        Ok(())
    }

    fn add_cpu_samples(&mut self, b: &Batch<'a>) -> Result<()> {
        let mut c = Cursor::new(b.data, b.data_offset);
        c.byte(); // The EvCPUSamples byte.
        while !c.is_empty() {
            let off = c.offset();
            let typ = c.expect_byte("CPU sample event")?;
            if typ != ev::CPU_SAMPLE {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    off,
                    format!("expected CPU sample event, got {typ}"),
                ));
            }
            let ts = c.uvarint("CPU sample timestamp")?;
            let m = c.uvarint("CPU sample M")?;
            let p = c.uvarint("CPU sample P")?;
            let g = c.uvarint("CPU sample G")?;
            let stack = c.uvarint("CPU sample stack")?;
            self.cpu_sample_ticks.push(ts);
            self.cpu_samples.push(CpuSample {
                time: 0,
                m: m as i64,
                p: p as i64,
                g: if g == 0 { NO_ID } else { g as i64 },
                stack,
            });
        }
        Ok(())
    }

    fn set_sync(&mut self, b: &Batch<'a>) -> Result<()> {
        let mut c = Cursor::new(b.data, b.data_offset);
        if self.ver >= Version::Go125 {
            c.byte(); // The EvSync byte.
        }
        let mut last_ts = b.time;
        while !c.is_empty() {
            let off = c.offset();
            let typ = c.expect_byte("sync event")?;
            match typ {
                ev::FREQUENCY => {
                    if self.has_freq {
                        return Err(Error::new(
                            ErrorKind::Malformed,
                            off,
                            "found multiple frequency events",
                        ));
                    }
                    let f = c.uvarint("frequency")?;
                    self.has_freq = true;
                    self.tables.freq = Frequency(1.0 / (f as f64 / 1e9));
                }
                ev::CLOCK_SNAPSHOT if self.ver >= Version::Go125 => {
                    if self.tables.clock_snapshot_ts.is_some() {
                        return Err(Error::new(
                            ErrorKind::Malformed,
                            off,
                            "found multiple clock snapshot events",
                        ));
                    }
                    let dt = c.uvarint("clock snapshot time")?;
                    last_ts = last_ts.wrapping_add(dt);
                    let mono = c.uvarint("clock snapshot mono")?;
                    let sec = c.uvarint("clock snapshot sec")?;
                    let nsec = c.uvarint("clock snapshot nsec")?;
                    self.tables.clock_snapshot_ts = Some((last_ts, mono, sec as i64, nsec as i64));
                }
                _ => {
                    return Err(Error::new(
                        ErrorKind::Malformed,
                        off,
                        format!("expected frequency or clock snapshot event, got {typ}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks and finishes the generation (the tail of Go's `readGeneration`).
    fn finish(mut self, end: u64, sort: impl Fn(&mut [CpuSample])) -> Result<Generation<'a>> {
        let generation = self.generation;
        let err =
            |msg: &str| Err(Error::new(ErrorKind::Malformed, end, msg).in_generation(generation));
        // Go's zero check: a Frequency of 0 gives an infinite (non-zero) value and passes.
        if !self.has_freq || self.tables.freq.0 == 0.0 {
            return err("no frequency event found");
        }
        if self.ver >= Version::Go125 && self.tables.clock_snapshot_ts.is_none() {
            return err("no clock snapshot event found");
        }
        self.tables.stacks.compactify();
        self.tables.strings.compactify();
        self.validate_stack_strings()
            .map_err(|e| e.in_generation(generation))?;
        let freq = self.tables.freq;
        for (s, &t) in self.cpu_samples.iter_mut().zip(&self.cpu_sample_ticks) {
            s.time = freq.mul(t);
        }
        sort(&mut self.cpu_samples);
        self.tables.generation = generation;
        Ok(Generation {
            generation,
            ms: self.ms,
            cpu_samples: self.cpu_samples,
            min_ts: self.min_ts,
            freq: self.tables.freq,
            tables: self.tables,
            range: (self.start, end),
        })
    }

    fn validate_stack_strings(&self) -> Result<()> {
        let t = &self.tables;
        t.stacks.for_each(|id, r| {
            for &pc in &t.stack_pcs[r.start as usize..(r.start + r.len) as usize] {
                let bad = |msg: String| Err(Error::new(ErrorKind::Malformed, self.start, msg));
                let Some(f) = t.frames.get(&pc) else {
                    return bad(format!("found unknown pc {pc:x} for stack {id}"));
                };
                if !t.strings.contains(f.func) {
                    return bad(format!(
                        "found invalid func string ID {} for stack {id}",
                        f.func
                    ));
                }
                if !t.strings.contains(f.file) {
                    return bad(format!(
                        "found invalid file string ID {} for stack {id}",
                        f.file
                    ));
                }
            }
            Ok(())
        })
    }
}

/// Reads generations one at a time from the bytes after the header, with Go's rules for
/// where a generation ends: the in-band marker for Go 1.26, the first batch of the next
/// generation ("spill") before that.
pub struct GenerationReader<'a> {
    ver: Version,
    cursor: Cursor<'a>,
    spill: Option<Batch<'a>>,
    /// The number of the last generation read whole (0 before the first).
    last_generation: u64,
    /// Told of byte ranges the reading is done with for now ([`Self::on_pages_done`]).
    release: Option<Box<dyn FnMut(u64, u64) + 'a>>,
    /// Where the walk over the current generation's batch headers was last released.
    released_to: u64,
}

/// The result of reading one generation with the pre-1.26 rules: a generation, and an
/// error that stopped reading after it (reported once the generation is consumed).
pub type SpillResult<'a> = (Generation<'a>, Option<Error>);

impl std::fmt::Debug for GenerationReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenerationReader")
            .field("ver", &self.ver)
            .field("offset", &self.cursor.offset())
            .field("spill", &self.spill)
            .field("last_generation", &self.last_generation)
            .field("released_to", &self.released_to)
            .finish_non_exhaustive()
    }
}

impl<'a> GenerationReader<'a> {
    /// Reads generations from `data`, whose first byte is at file offset `base`.
    pub fn new(ver: Version, data: &'a [u8], base: u64) -> GenerationReader<'a> {
        GenerationReader {
            ver,
            cursor: Cursor::new(data, base),
            spill: None,
            last_generation: 0,
            release: None,
            released_to: 0,
        }
    }

    /// Calls `f(start, end)` with byte ranges the reading is done with for now: the walk
    /// over a generation's batch headers, a mebibyte at a time (a page fault maps in the
    /// pages around it, so the walk maps in nearly the whole generation), and the ranges
    /// given to [`Self::release`].
    pub fn on_pages_done(&mut self, f: Box<dyn FnMut(u64, u64) + 'a>) {
        self.release = Some(f);
    }

    /// Passes `start..end` to the [`Self::on_pages_done`] callback, if any.
    pub fn release(&mut self, start: u64, end: u64) {
        if let Some(f) = self.release.as_mut() {
            f(start, end);
        }
    }

    /// The headers have been walked up to `to`; `done` at the generation's end.
    fn walked(&mut self, to: u64, done: bool) {
        const STEP: u64 = 1 << 20;
        if to > self.released_to && (done || to - self.released_to >= STEP) {
            let from = std::mem::replace(&mut self.released_to, to);
            self.release(from, to);
        }
    }

    /// File offset of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.cursor.offset()
    }

    /// Whether the first batch of the next generation has been read already (pre-1.26).
    pub fn has_spill(&self) -> bool {
        self.spill.is_some()
    }

    /// Go 1.26's `readGeneration`: `Ok(None)` at a clean end of the trace.
    pub fn read_generation(
        &mut self,
        sort: impl Fn(&mut [CpuSample]),
    ) -> Result<Option<Generation<'a>>> {
        let start = self.cursor.offset();
        self.released_to = start;
        let mut b = Builder::new(self.ver, start);
        loop {
            let at = self.cursor.offset();
            let batch = match read_batch(&mut self.cursor) {
                Ok(Some(batch)) => {
                    self.walked(self.cursor.offset(), false);
                    batch
                }
                Ok(None) => {
                    if !b.ms.is_empty() {
                        return Err(Error::new(
                            ErrorKind::Truncated,
                            at,
                            "incomplete generation found; trace likely truncated",
                        )
                        .in_generation(b.generation));
                    }
                    return Ok(None);
                }
                // Before a batch of this generation has been read, the error is in the
                // one after the last generation read.
                Err(e) => {
                    let next = match self.last_generation {
                        0 => 0,
                        last => last.wrapping_add(1),
                    };
                    return Err(e.in_generation(b.generation).in_generation(next));
                }
            };
            if b.generation == 0 {
                b.generation = batch.generation;
            }
            if batch.is_end_of_generation() {
                break;
            }
            if batch.generation == 0 {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    at,
                    "invalid generation number 0",
                ));
            }
            if batch.generation != b.generation {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    at,
                    "broken trace: missing end-of-generation event, or generations are interleaved",
                )
                .in_generation(b.generation));
            }
            b.note_time(batch.time);
            b.process(batch)
                .map_err(|e| e.in_generation(batch.generation))?;
        }
        let end = self.cursor.offset();
        self.walked(end, true);
        self.last_generation = b.generation;
        b.finish(end, sort).map(Some)
    }

    /// Go's `readGenerationWithSpill` for traces before Go 1.26. `Err` is fatal; an error
    /// in the second position is deferred until the returned generation is consumed.
    pub fn read_generation_with_spill(
        &mut self,
        sort: impl Fn(&mut [CpuSample]),
    ) -> Result<SpillResult<'a>> {
        let start = self
            .spill
            .map(|s| s.offset)
            .unwrap_or_else(|| self.cursor.offset());
        self.released_to = start;
        let mut b = Builder::new(self.ver, start);
        if let Some(s) = self.spill.take() {
            b.generation = s.generation;
            b.min_ts = s.time;
            b.process(s).map_err(|e| e.in_generation(s.generation))?;
        }
        let mut spill_err = None;
        let end;
        loop {
            let at = self.cursor.offset();
            let batch = match read_batch(&mut self.cursor) {
                Ok(Some(batch)) => {
                    self.walked(at, false);
                    batch
                }
                Ok(None) => {
                    end = at;
                    break;
                }
                Err(e) => {
                    if b.generation != 0 {
                        spill_err = Some(e.in_generation(b.generation));
                        end = at;
                        break;
                    }
                    return Err(e);
                }
            };
            if batch.generation == 0 {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    at,
                    "invalid generation number 0",
                ));
            }
            if b.generation == 0 {
                b.generation = batch.generation;
            }
            if batch.generation == b.generation.wrapping_add(1) {
                self.spill = Some(batch);
                end = at;
                break;
            }
            if batch.generation != b.generation {
                return Err(
                    Error::new(ErrorKind::Malformed, at, "generations out of order")
                        .in_generation(b.generation),
                );
            }
            b.note_time(batch.time);
            b.process(batch)
                .map_err(|e| e.in_generation(batch.generation))?;
        }
        self.walked(end, true);
        // On a finishing error Go reports it and drops the deferred one.
        b.finish(end, sort).map(|g| (g, spill_err))
    }
}
