//! The ordered event stream: a port of Go's `reader.go` and `batchcursor.go`. Per-M batch
//! cursors feed a binary min-heap on time; the head is offered to the ordering state
//! machine, and when it cannot happen yet the other threads are tried in time order.
//! Output times are forced to increase strictly, as Go's reader does.

use std::sync::Arc;

use super::error::{Error, ErrorKind, Result};
use super::event::{BaseEvent, EV_SYNC, Event, SchedCtx};
use super::gofmt::sort_func;
use super::order::{Advance, Ordering, Queued};
use super::spec::{self, Version};
use super::tables::{CpuSample, Frequency, Generation, GenerationReader, MBatches, Tables};
use super::wire::uvarint;

/// The 16-byte header: `go 1.NN trace` padded with NULs.
pub const HEADER_LEN: usize = 16;

/// Reads the header (Go's `version.ReadHeader`, which scans `"go 1.%d trace\0\0\0"`).
pub fn read_header(data: &[u8]) -> Result<Version> {
    let bad = || {
        Error::new(
            ErrorKind::BadHeader,
            0,
            "bad file format: not a Go execution trace? (expected a 16-byte header \"go 1.NN trace\")",
        )
    };
    let rest = data.strip_prefix(b"go 1.").ok_or_else(bad)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return Err(bad());
    }
    let minor: u32 = std::str::from_utf8(&rest[..digits])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let after = &rest[digits..];
    if !after.starts_with(b" trace\0\0\0") {
        return Err(bad());
    }
    match Version::from_minor(minor) {
        Some(v) if data.len() >= HEADER_LEN && 5 + digits + 9 == HEADER_LEN => Ok(v),
        Some(_) => Err(bad()),
        None => Err(Error::new(
            ErrorKind::UnsupportedVersion,
            0,
            format!(
                "unknown or unsupported trace version go 1.{minor}: this build reads go 1.22, 1.23 (also written by Go 1.24), 1.25 and 1.26 traces"
            ),
        )),
    }
}

/// A thread's position in its batches: the next event to offer.
#[derive(Debug, Clone)]
struct BatchCursor<'a> {
    m: i64,
    /// The ordering's slot for `m`, once it has been looked up.
    m_slot: Option<usize>,
    /// Index into the generation's per-M batch lists.
    m_idx: usize,
    last_ts: i64,
    /// The next batch to start.
    next_batch: usize,
    /// The unread part of the current batch, and its file offset.
    rest: &'a [u8],
    rest_offset: u64,
    /// Header time and generation of the current batch.
    batch_time: u64,
    batch_gen: u64,
    ev: BaseEvent,
    /// File offset of `ev`, for errors.
    ev_offset: u64,
    /// The byte range of the current batch's body, once its last event has been read.
    finished: Option<(u64, u64)>,
}

impl<'a> BatchCursor<'a> {
    fn new(m: i64, m_idx: usize) -> BatchCursor<'a> {
        BatchCursor {
            m,
            m_slot: None,
            m_idx,
            last_ts: 0,
            next_batch: 0,
            rest: &[],
            rest_offset: 0,
            batch_time: 0,
            batch_gen: 0,
            ev: BaseEvent::default(),
            ev_offset: 0,
            finished: None,
        }
    }

    /// Reads the next event of this thread (Go's `batchCursor.nextEvent`).
    #[inline]
    fn next_event(&mut self, mb: &MBatches<'a>, freq: Frequency) -> Result<bool> {
        // Move past finished (and empty) batches; a new batch restarts the clock.
        while self.rest.is_empty() {
            let Some(b) = mb.batches.get(self.next_batch) else {
                return Ok(false);
            };
            self.next_batch += 1;
            self.rest = b.data;
            self.rest_offset = b.data_offset;
            self.batch_time = b.time;
            self.batch_gen = b.generation;
            self.last_ts = 0;
        }
        if self.last_ts == 0 {
            self.last_ts = freq.mul(self.batch_time);
        }
        let off = self.rest_offset;
        let (n, dt) = read_timed_event(self.rest, &mut self.ev).map_err(|(rel, msg)| {
            Error::new(ErrorKind::Malformed, off + rel as u64, msg).in_generation(self.batch_gen)
        })?;
        self.ev.time = freq.mul(dt).wrapping_add(self.last_ts);
        self.last_ts = self.ev.time;
        self.ev_offset = off;
        self.rest = &self.rest[n..];
        self.rest_offset += n as u64;
        if self.rest.is_empty() {
            // The event read is held by value: nothing borrows the batch any more.
            let start = mb.batches[self.next_batch - 1].data_offset;
            self.finished = Some((start, self.rest_offset));
        }
        Ok(true)
    }
}

/// Decodes one timed event at the start of `b`: its size and timestamp delta. Errors give
/// the offset within `b` and Go's message.
#[inline]
fn read_timed_event(
    b: &[u8],
    e: &mut BaseEvent,
) -> std::result::Result<(usize, u64), (usize, String)> {
    let typ = b[0];
    let nargs = spec::TIMED_ARGS[typ as usize] as usize;
    if nargs == 0 {
        if typ as usize >= spec::NUM_SPECS {
            return Err((0, format!("found invalid event type: {typ}")));
        }
        return Err((0, format!("found event without a timestamp: type={typ}")));
    }
    e.typ = typ;
    let mut n = 1;
    let (ts, nb) =
        uvarint(&b[n..]).map_err(|_| (n, "found invalid uvarint for timestamp".to_string()))?;
    n += nb;
    for i in 0..nargs - 1 {
        let (arg, nb) = uvarint(&b[n..]).map_err(|_| (n, "found invalid uvarint".to_string()))?;
        e.args[i] = arg;
        n += nb;
    }
    Ok((n, ts))
}

/// A frontier entry: the time of a cursor's next event and the cursor's index. The heap
/// moves these small entries, not the cursors.
#[derive(Debug, Clone, Copy)]
struct Head {
    time: i64,
    cursor: u32,
}

fn heap_sift_up(h: &mut [Head], mut i: usize) -> usize {
    while i > 0 && h[(i - 1) / 2].time > h[i].time {
        h.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    i
}

fn heap_sift_down(h: &mut [Head], mut i: usize) -> usize {
    loop {
        let m = min3(h, i, 2 * i + 1, 2 * i + 2);
        if m == i {
            return i;
        }
        h.swap(i, m);
        i = m;
    }
}

fn min3(h: &[Head], i0: usize, i1: usize, i2: usize) -> usize {
    let mut min_idx = i0;
    let mut min_t = i64::MAX;
    if i0 < h.len() {
        min_t = h[i0].time;
    }
    if i1 < h.len() && h[i1].time < min_t {
        min_t = h[i1].time;
        min_idx = i1;
    }
    if i2 < h.len() && h[i2].time < min_t {
        min_idx = i2;
    }
    min_idx
}

fn heap_insert(h: &mut Vec<Head>, e: Head) {
    h.push(e);
    let last = h.len() - 1;
    heap_sift_up(h, last);
}

fn heap_update(h: &mut [Head], i: usize) {
    if heap_sift_up(h, i) != i {
        return;
    }
    heap_sift_down(h, i);
}

fn heap_remove(h: &mut Vec<Head>, mut i: usize) {
    while i > 0 {
        h.swap((i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    let last = h.len() - 1;
    h.swap(0, last);
    h.pop();
    heap_sift_down(h, 0);
}

fn sort_cpu_samples(s: &mut [CpuSample]) {
    sort_func(s, |a, b| a.time.cmp(&b.time));
}

fn same_table(a: &Option<Arc<Tables<'_>>>, b: &Option<Arc<Tables<'_>>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Checks that every string and stack ID of the event resolves in its generation (Go
/// does this on every event it returns, stacks first, in spec order).
#[inline]
fn validate_table_ids(e: &Event<'_>, offset: u64) -> Result<()> {
    if e.base.typ == super::event::EV_SYNC || spec::ID_ARGS[e.base.typ as usize] == 0 {
        return Ok(());
    }
    let Some(t) = e.table.as_deref() else {
        return Ok(());
    };
    let s = spec::spec(e.base.typ);
    let err = |what: &str, id: u64| {
        Err(Error::new(
            ErrorKind::Malformed,
            offset,
            format!("found invalid {what} ID {id} for event {}", s.name),
        )
        .in_generation(t.generation))
    };
    for &i in s.stack_ids {
        let id = e.base.args[i - 1];
        if !t.has_stack(id) {
            return err("stack", id);
        }
    }
    for &i in s.string_ids {
        let id = e.base.args[i - 1];
        if !t.has_string(id) {
            return err("string", id);
        }
    }
    Ok(())
}

/// Called with each generation's byte range once all its events have been read.
pub type ReleaseFn<'a> = Box<dyn FnMut(u64, u64) + 'a>;

/// The ordered event stream of a trace: an iterator of Go's events, exactly as Go's
/// `trace.Reader` returns them. After an error it ends.
pub struct Reader<'a> {
    version: Version,
    gens: GenerationReader<'a>,
    last_ts: i64,
    generation: Option<Generation<'a>>,
    table: Option<Arc<Tables<'a>>>,
    /// One cursor per thread of the current generation.
    cursors: Vec<BatchCursor<'a>>,
    /// Min-heap on time over the cursors that still have events.
    frontier: Vec<Head>,
    cpu_samples: std::vec::IntoIter<CpuSample>,
    next_sample: Option<CpuSample>,
    order: Ordering<'a>,
    syncs: u64,
    read_gen_err: Option<Error>,
    spill_err: Option<Error>,
    spill_err_sync: bool,
    done: bool,
    release: Option<ReleaseFn<'a>>,
    generations_read: u64,
}

impl<'a> Reader<'a> {
    /// A reader over a whole trace file held in `data`.
    pub fn new(data: &'a [u8]) -> Result<Reader<'a>> {
        let version = read_header(data)?;
        Ok(Reader {
            version,
            gens: GenerationReader::new(version, &data[HEADER_LEN..], HEADER_LEN as u64),
            last_ts: 0,
            generation: None,
            table: None,
            cursors: Vec::new(),
            frontier: Vec::new(),
            cpu_samples: Vec::new().into_iter(),
            next_sample: None,
            order: Ordering::new(version),
            syncs: 0,
            read_gen_err: None,
            spill_err: None,
            spill_err_sync: false,
            done: false,
            release: None,
            generations_read: 0,
        })
    }

    /// Calls `f(start, end)` with the byte range of each generation once it has been
    /// consumed, so a mapped file's pages can be released.
    pub fn on_generation_done(mut self, f: ReleaseFn<'a>) -> Reader<'a> {
        self.release = Some(f);
        self
    }

    /// Calls `f(start, end)` with byte ranges the reader is done with for now: the walk
    /// over each generation's batch headers, a mebibyte at a time (a page fault maps in
    /// the pages around it, so the walk maps in most of the generation), then the body
    /// of each batch of events once its last event has been read. The threads' batches
    /// are read side by side, so a pass that releases these ranges keeps only the
    /// batches in progress resident, not the whole generation.
    pub fn on_pages_done(mut self, f: ReleaseFn<'a>) -> Reader<'a> {
        self.gens.on_pages_done(f);
        self
    }

    /// The format version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Generations read so far.
    pub fn generations_read(&self) -> u64 {
        self.generations_read
    }

    /// File offset up to which the input has been read.
    pub fn offset(&self) -> u64 {
        self.gens.offset()
    }

    /// Reads the next event (Go's `ReadEvent`); `Ok(None)` at the end. The event is
    /// borrowed from the reader until the next call: the fastest way through a trace.
    #[inline]
    pub fn next_ref(&mut self) -> Result<Option<&Event<'a>>> {
        if self.done {
            return Ok(None);
        }
        match self.fill() {
            Ok(true) => {}
            Ok(false) => {
                self.done = true;
                return Ok(None);
            }
            Err(err) => {
                self.done = true;
                return Err(err);
            }
        }
        let Some((e, tableless)) = self.order.pop_ref() else {
            self.done = true;
            return Ok(None);
        };
        // Every queued event belongs to the current generation: attach its tables only
        // when they change, not per event.
        if tableless {
            e.table = None;
        } else if !same_table(&e.table, &self.table) {
            e.table.clone_from(&self.table);
        }
        if let Err(err) = validate_table_ids(e, e.offset) {
            self.done = true;
            return Err(err);
        }
        if e.base.time <= self.last_ts {
            e.base.time = self.last_ts.wrapping_add(1);
        }
        self.last_ts = e.base.time;
        Ok(Some(e))
    }

    /// Reads the next event as an owned value (see [`Reader::next_ref`]).
    pub fn read_event(&mut self) -> Result<Option<Event<'a>>> {
        Ok(self.next_ref()?.cloned())
    }

    /// Queues a Sync event: a generation starts, or the trace ends or broke off.
    fn sync_event(&mut self, table: Option<Arc<Tables<'a>>>, time: i64) {
        self.syncs += 1;
        self.order.push(Queued {
            base: BaseEvent {
                typ: EV_SYNC,
                time,
                args: [self.syncs, 0, 0, 0],
            },
            ctx: SchedCtx::NONE,
            task_type: b"",
            tableless: table.is_none(),
            offset: self
                .generation
                .as_ref()
                .map_or(self.gens.offset(), |g| g.range.0),
        });
    }

    fn finish_generation(&mut self) {
        if let Some(g) = self.generation.take()
            && let Some(f) = self.release.as_mut()
        {
            f(g.range.0, g.range.1);
        }
        self.table = None;
    }

    /// Makes sure the ordering queue holds the next event; `false` at the end.
    fn fill(&mut self) -> Result<bool> {
        if self.order.has_pending() {
            return Ok(true);
        }
        if self.frontier.is_empty() && self.next_sample.is_none() {
            self.finish_generation();
            if self.version < Version::Go126 {
                return self.next_gen_with_spill();
            }
            if let Some(err) = self.read_gen_err.take() {
                return Err(err);
            }
            return match self.gens.read_generation(sort_cpu_samples) {
                Ok(Some(g)) => self.install_gen(g).map(|()| true),
                Ok(None) => {
                    self.done = true;
                    self.sync_event(None, self.last_ts);
                    Ok(true)
                }
                Err(err) => {
                    self.read_gen_err = Some(err);
                    self.sync_event(None, self.last_ts);
                    Ok(true)
                }
            };
        }
        // Both are set whenever the frontier or samples are non-empty.
        let Some(generation) = self.generation.as_ref() else {
            return Err(Error::new(
                ErrorKind::Malformed,
                self.gens.offset(),
                "internal error: no generation",
            ));
        };
        if let Some(s) = self.next_sample
            && (self.frontier.is_empty() || s.time < self.frontier[0].time)
        {
            self.next_sample = self.cpu_samples.next();
            let mut base = BaseEvent {
                typ: spec::ev::CPU_SAMPLE,
                time: s.time,
                args: [0; 4],
            };
            base.args[0] = s.stack;
            let ctx = SchedCtx {
                g: s.g,
                p: s.p,
                m: s.m,
            };
            let offset = generation.range.0;
            self.order.push(Queued {
                base,
                ctx,
                task_type: b"",
                tableless: false,
                offset,
            });
            return Ok(true);
        }
        let gen_no = generation.generation;
        if self.frontier.is_empty() {
            return Err(Error::new(
                ErrorKind::Inconsistent,
                self.gens.offset(),
                "broken trace: frontier is empty",
            )
            .in_generation(gen_no));
        }
        if !self.try_advance(0)? {
            // Go sorts the frontier (a sorted array is still a heap) and tries the others
            // in time order.
            sort_func(&mut self.frontier, |a, b| a.time.cmp(&b.time));
            let mut success = false;
            for i in 1..self.frontier.len() {
                if self.try_advance(i)? {
                    success = true;
                    break;
                }
            }
            if !success {
                return Err(self.stuck_error(gen_no));
            }
        }
        match self.order.has_pending() {
            true => Ok(true),
            false => Err(Error::new(
                ErrorKind::Inconsistent,
                self.gens.offset(),
                "internal error: advance successful, but queue is empty",
            )),
        }
    }

    fn stuck_error(&self, generation: u64) -> Error {
        let mut msg = String::from("broken trace: failed to advance: frontier:\n");
        for h in &self.frontier {
            let bc = &self.cursors[h.cursor as usize];
            let s = spec::spec(bc.ev.typ);
            msg.push_str(&format!("M {} [{} time={}", bc.m, s.name, bc.ev.time));
            for (i, arg) in s.args.iter().skip(1).enumerate() {
                msg.push_str(&format!(" {arg}={}", bc.ev.args[i]));
            }
            msg.push_str("]\n");
        }
        let offset = self
            .frontier
            .iter()
            .map(|h| self.cursors[h.cursor as usize].ev_offset)
            .min()
            .unwrap_or_else(|| self.gens.offset());
        Error::new(ErrorKind::Inconsistent, offset, msg).in_generation(generation)
    }

    #[inline]
    fn try_advance(&mut self, i: usize) -> Result<bool> {
        let (Some(generation), Some(table)) = (self.generation.as_ref(), self.table.as_ref())
        else {
            return Ok(false);
        };
        let bc = &mut self.cursors[self.frontier[i].cursor as usize];
        let adv = self.order.advance(
            &mut bc.ev,
            table,
            bc.m,
            &mut bc.m_slot,
            generation.generation,
            bc.ev_offset,
        )?;
        if adv == Advance::NotYet {
            return Ok(false);
        }
        let mb = &generation.ms[bc.m_idx];
        let more = bc.next_event(mb, generation.freq)?;
        if let Some((start, end)) = bc.finished.take() {
            self.gens.release(start, end);
        }
        if more {
            self.frontier[i].time = bc.ev.time;
            heap_update(&mut self.frontier, i);
        } else {
            heap_remove(&mut self.frontier, i);
        }
        Ok(true)
    }

    fn next_gen_with_spill(&mut self) -> Result<bool> {
        if let Some(err) = self.spill_err.take() {
            if self.spill_err_sync {
                return Err(err);
            }
            self.spill_err = Some(err);
            self.spill_err_sync = true;
            self.sync_event(None, self.last_ts);
            return Ok(true);
        }
        if self.generations_read > 0 && !self.gens.has_spill() {
            self.done = true;
            self.sync_event(None, self.last_ts);
            return Ok(true);
        }
        match self.gens.read_generation_with_spill(sort_cpu_samples) {
            Ok((g, err)) => {
                self.spill_err = err;
                self.install_gen(g).map(|()| true)
            }
            Err(err) => {
                self.spill_err = Some(err);
                self.spill_err_sync = true;
                self.sync_event(None, self.last_ts);
                Ok(true)
            }
        }
    }

    fn install_gen(&mut self, g: Generation<'a>) -> Result<()> {
        self.generations_read += 1;
        let freq = g.freq;
        let min_ts = g.min_ts;
        let gen_no = g.generation;
        let mut g = g;
        let table = Arc::new(std::mem::take(&mut g.tables));
        self.cursors.clear();
        let mut samples = std::mem::take(&mut g.cpu_samples).into_iter();
        self.next_sample = samples.next();
        self.cpu_samples = samples;
        for (m_idx, mb) in g.ms.iter().enumerate() {
            let mut bc = BatchCursor::new(mb.m, m_idx);
            let more = bc
                .next_event(mb, freq)
                .map_err(|e| e.in_generation(gen_no))?;
            if let Some((start, end)) = bc.finished.take() {
                self.gens.release(start, end);
            }
            if more {
                let head = Head {
                    time: bc.ev.time,
                    cursor: self.cursors.len() as u32,
                };
                self.cursors.push(bc);
                heap_insert(&mut self.frontier, head);
            }
        }
        self.generation = Some(g);
        self.table = Some(Arc::clone(&table));
        self.sync_event(Some(table), freq.mul(min_ts));
        Ok(())
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Event<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read_event().transpose()
    }
}
