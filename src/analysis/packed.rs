//! The packed store of goroutine summaries: every finished goroutine (with its regions)
//! as one variable-length record of LEB128 integers, instead of a 144-byte struct plus its
//! regions' 150 bytes apiece: 15.7 MB for the benchmark trace's 376,660 goroutines and
//! 151,189 regions, 42 bytes a goroutine. Most columns of most goroutines are zero or
//! small, and times are stored relative to the goroutine's creation.
//!
//! Records are only ever read by [`Goroutines`], which decodes one into an owned
//! [`GoroutineSummary`] on demand; the bytes never come from outside the process.

use rustc_hash::FxHashMap;

use super::Name;
use super::column::I64Column;
use super::goroutines::{
    Durations, EventRef, ExecStats, GoroutineSummary, RegionSummary, sort_regions,
};

/// Names (start functions, region types) by index, for records to refer to.
#[derive(Debug, Default)]
pub(super) struct NameTable {
    names: Vec<Name>,
    /// Index by the name's address: names are shared, so this is one probe per record.
    by_ptr: FxHashMap<usize, u32>,
    /// Index by content, for a name first seen under another allocation.
    by_text: FxHashMap<Name, u32>,
}

impl NameTable {
    pub(super) fn id(&mut self, name: &Name) -> u32 {
        // The empty name is made afresh for every goroutine seen without a stack, so it
        // must not be remembered by address.
        if name.is_empty() {
            return 0;
        }
        let ptr = std::sync::Arc::as_ptr(name) as usize;
        if let Some(&id) = self.by_ptr.get(&ptr) {
            return id;
        }
        let id = match self.by_text.get(name) {
            Some(&id) => id,
            None => {
                let id = self.names.len() as u32 + 1;
                self.names.push(name.clone());
                self.by_text.insert(name.clone(), id);
                id
            }
        };
        // Keeping the name in `names` keeps the address valid for the map's lifetime.
        if std::sync::Arc::ptr_eq(&self.names[id as usize - 1], name) {
            self.by_ptr.insert(ptr, id);
        }
        id
    }

    fn text(&self, id: u32) -> &str {
        match id {
            0 => "",
            _ => &self.names[id as usize - 1],
        }
    }

    pub(super) fn get(&self, id: u32) -> Name {
        match id {
            0 => Name::default(),
            _ => self.names[id as usize - 1].clone(),
        }
    }
}

/// Every goroutine's summary, packed, sorted by ID once [`GoroutinesBuilder::finish`]ed.
#[derive(Debug, Default)]
pub struct Goroutines {
    /// Goroutine IDs, ascending.
    ids: Vec<i64>,
    /// Where each goroutine's record starts in `bytes`.
    offsets: I64Column,
    bytes: Chunks,
    names: NameTable,
    /// Creation times are stored relative to this (the first record's).
    base: i64,
}

impl Goroutines {
    /// The summary of goroutine `id`.
    pub fn get(&self, id: &i64) -> Option<GoroutineSummary> {
        let i = self.ids.binary_search(id).ok()?;
        Some(self.decode(i))
    }

    /// The summary of goroutine `id`, which must be one of this store's (an ID from its
    /// groups or [`Goroutines::ids`]).
    ///
    /// # Panics
    /// If there is no goroutine `id`.
    pub fn member(&self, id: &i64) -> GoroutineSummary {
        self.get(id).expect("no goroutine with that ID")
    }

    /// Goroutine `id` without its regions (`regions` left empty), for the many lookups
    /// that read only its own columns: a goroutine can hold thousands of regions.
    pub fn brief(&self, id: &i64) -> Option<GoroutineSummary> {
        let i = self.ids.binary_search(id).ok()?;
        Some(self.decode_brief(i))
    }

    /// Every goroutine by ascending ID, without its regions (see [`Goroutines::brief`]).
    pub fn briefs(&self) -> impl ExactSizeIterator<Item = GoroutineSummary> + '_ {
        (0..self.ids.len()).map(|i| self.decode_brief(i))
    }

    /// The time by state of each of the goroutines `ids`, in the order given, `None` for
    /// an ID not in the store: the least a lookup decodes. Made for a group's members,
    /// which are ascending: each is found by galloping on from the one before.
    pub fn stats_of<'a>(&'a self, ids: &'a [i64]) -> impl Iterator<Item = Option<ExecStats>> + 'a {
        let mut from = 0;
        ids.iter().map(move |&id| {
            let i = self.find_from(from, id)?;
            from = i + 1;
            let mut r = self.bytes.cursor(self.offsets.get(i) as usize);
            r.header(self.base);
            Some(r.stats())
        })
    }

    /// The position of `id`, searched from `from` onwards when it lies there.
    fn find_from(&self, from: usize, id: i64) -> Option<usize> {
        let ids = &self.ids;
        if ids.get(from).is_none_or(|&first| first > id) {
            return ids.binary_search(&id).ok();
        }
        // ids[lo] <= id, and id < ids[hi] or hi is past the end.
        let (mut lo, mut step) = (from, 1);
        let mut hi = from + 1;
        while hi < ids.len() && ids[hi] <= id {
            lo = hi;
            step *= 2;
            hi = from + step;
        }
        let hi = hi.min(ids.len());
        ids[lo..hi].binary_search(&id).ok().map(|k| lo + k)
    }

    /// The start function of goroutine `id`, without decoding the rest of its record.
    pub fn name(&self, id: &i64) -> Option<&str> {
        let i = self.ids.binary_search(id).ok()?;
        let mut r = self.bytes.cursor(self.offsets.get(i) as usize);
        Some(self.names.text(r.u32()))
    }

    /// All summaries, by ascending ID, each decoded as it is reached.
    pub fn values(&self) -> impl ExactSizeIterator<Item = GoroutineSummary> + '_ {
        (0..self.ids.len()).map(|i| self.decode(i))
    }

    /// Every goroutine ID, ascending.
    pub fn ids(&self) -> &[i64] {
        &self.ids
    }

    /// How many goroutines.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn decode_brief(&self, i: usize) -> GoroutineSummary {
        let at = self.offsets.get(i) as usize;
        decode(
            self.bytes.cursor(at),
            &self.names,
            self.base,
            self.ids[i],
            false,
        )
    }

    fn decode(&self, i: usize) -> GoroutineSummary {
        let at = self.offsets.get(i) as usize;
        let mut g = decode(
            self.bytes.cursor(at),
            &self.names,
            self.base,
            self.ids[i],
            true,
        );
        // Records keep regions in the order they ended, as the pass needs them if a
        // goroutine is unpacked; the finished summary has them in Go's order.
        sort_regions(&mut g.regions);
        g
    }
}

/// Decodes goroutine `id`'s record at `r`, with its regions if `regions`.
fn decode(
    mut r: Cursor<'_>,
    names: &NameTable,
    base: i64,
    id: i64,
    regions: bool,
) -> GoroutineSummary {
    let h = r.header(base);
    let stats = r.stats();
    let regions = if regions && h.flags & HAS_REGIONS != 0 {
        let n = r.u64() as usize;
        (0..n)
            .map(|_| decode_region(&mut r, names, id, h.creation_time))
            .collect()
    } else {
        Vec::new()
    };
    GoroutineSummary {
        id,
        name: names.get(h.name),
        pc: h.pc,
        creation_time: h.creation_time,
        start_time: h.start_time,
        end_time: h.end_time,
        regions,
        stats,
    }
}

fn decode_region(r: &mut Cursor<'_>, names: &NameTable, id: i64, base: i64) -> RegionSummary {
    let task = r.u64();
    let name = names.get(r.u32());
    let flags = r.byte();
    let event = |r: &mut Cursor<'_>| EventRef {
        time: base.wrapping_add(r.i64()),
        goroutine: id.wrapping_add(r.i64()),
    };
    let start = (flags & HAS_START != 0).then(|| event(r));
    let end = (flags & HAS_END != 0).then(|| event(r));
    let frame = (flags & HAS_FRAME != 0).then(|| r.u32());
    RegionSummary {
        task,
        name,
        start,
        end,
        stats: r.stats(),
        frame,
    }
}

// Record flags: which optional fields follow.
const HAS_START: u8 = 1;
const HAS_END: u8 = 2;
const HAS_REGIONS: u8 = 4;
const HAS_FRAME: u8 = 8;
// Stats flags.
const HAS_SYSCALL: u8 = 1;
const HAS_SYSCALL_BLOCK: u8 = 2;
const HAS_BLOCK: u8 = 4;
const HAS_RANGE: u8 = 8;

/// Records in chunks of [`CHUNK`] bytes (a record longer than that in a chunk of its
/// own), so that the store never grows by copying itself: a 24 MB store of one vector
/// held 14 MiB more for a moment as it grew, the top of the 200 MB benchmark trace's
/// loading. A record's address is its chunk's number times [`CHUNK`] plus where it
/// starts in the chunk.
#[derive(Debug, Default)]
struct Chunks {
    chunks: Vec<Vec<u8>>,
}

/// Bytes per chunk of [`Chunks`].
const CHUNK: usize = 1 << 20;

impl Chunks {
    /// Appends `record`, returning its address.
    fn push(&mut self, record: &[u8]) -> usize {
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.len() + record.len() <= c.capacity());
        if !fits {
            self.chunks
                .push(Vec::with_capacity(CHUNK.max(record.len())));
        }
        let k = self.chunks.len() - 1;
        let chunk = &mut self.chunks[k];
        let at = k * CHUNK + chunk.len();
        chunk.extend_from_slice(record);
        at
    }

    /// A reader of the record at `at`.
    fn cursor(&self, at: usize) -> Cursor<'_> {
        Cursor::new(&self.chunks[at / CHUNK], at % CHUNK)
    }

    /// Drops the last chunk's spare capacity.
    fn shrink_to_fit(&mut self) {
        if let Some(c) = self.chunks.last_mut() {
            c.shrink_to_fit();
        }
        self.chunks.shrink_to_fit();
    }
}

/// Writes goroutine records in any order (a goroutine when it exits, the rest at the
/// end); the caller keeps where each goroutine's record starts.
#[derive(Debug, Default)]
pub(crate) struct GoroutinesBuilder {
    bytes: Chunks,
    /// The record being written.
    record: Vec<u8>,
    names: NameTable,
    base: Option<i64>,
}

impl GoroutinesBuilder {
    /// Packs region `r` of goroutine `g` (whose ID and creation time the record is
    /// relative to) onto `out`, as soon as the region ends: a long-lived goroutine can
    /// end thousands.
    pub(crate) fn push_region(
        &mut self,
        out: &mut PackedRegions,
        g: &GoroutineSummary,
        r: &RegionSummary,
    ) {
        let name = self.names.id(&r.name);
        let w = &mut out.bytes;
        put_u64(w, r.task);
        put_u64(w, name as u64);
        w.push(
            flag(r.start.is_some(), HAS_START)
                | flag(r.end.is_some(), HAS_END)
                | flag(r.frame.is_some(), HAS_FRAME),
        );
        for e in [r.start, r.end].into_iter().flatten() {
            put_i64(w, e.time.wrapping_sub(g.creation_time));
            put_i64(w, e.goroutine.wrapping_sub(g.id));
        }
        if let Some(f) = r.frame {
            put_u64(w, f as u64);
        }
        put_stats(w, &r.stats);
        out.count += 1;
    }

    /// Packs `g`, whose regions are `regions` followed by `g.regions`, returning where
    /// its record starts.
    pub(crate) fn push(&mut self, g: &GoroutineSummary, regions: &PackedRegions) -> usize {
        let name = self.names.id(&g.name);
        let base = *self.base.get_or_insert(g.creation_time);
        let mut record = std::mem::take(&mut self.record);
        record.clear();
        let w = &mut record;
        put_u64(w, name as u64);
        put_u64(w, g.pc);
        put_i64(w, g.creation_time.wrapping_sub(base));
        let has_regions = regions.count != 0 || !g.regions.is_empty();
        let flags = flag(g.start_time != 0, HAS_START)
            | flag(g.end_time != 0, HAS_END)
            | flag(has_regions, HAS_REGIONS);
        w.push(flags);
        if g.start_time != 0 {
            put_i64(w, g.start_time.wrapping_sub(g.creation_time));
        }
        if g.end_time != 0 {
            put_i64(w, g.end_time.wrapping_sub(g.creation_time));
        }
        put_stats(w, &g.stats);
        let mut tail = PackedRegions::default();
        for r in &g.regions {
            self.push_region(&mut tail, g, r);
        }
        let n = regions.count + tail.count;
        if n != 0 {
            put_u64(&mut record, n as u64);
            record.extend_from_slice(&regions.bytes);
            record.extend_from_slice(&tail.bytes);
        }
        let at = self.bytes.push(&record);
        // A goroutine of many regions makes a long record: its buffer is not kept.
        if record.capacity() <= CHUNK {
            self.record = record;
        }
        at
    }

    /// Unpacks goroutine `id`'s record written at `at`: its summary without regions,
    /// and the regions, still packed.
    pub(crate) fn get(&mut self, id: i64, at: usize) -> (GoroutineSummary, PackedRegions) {
        let mut g = decode(
            self.bytes.cursor(at),
            &self.names,
            self.base.unwrap_or(0),
            id,
            true,
        );
        let mut regions = PackedRegions::default();
        for r in std::mem::take(&mut g.regions) {
            self.push_region(&mut regions, &g, &r);
        }
        (g, regions)
    }

    /// The store of the goroutines `records` lists, as (ID, where its record starts),
    /// one record per ID. Records written and not listed (a goroutine whose ID was
    /// reused, or that was unpacked and packed again) are left unreachable.
    #[cfg(test)]
    pub(crate) fn finish(self, mut records: Vec<(i64, usize)>) -> Goroutines {
        records.sort_unstable_by_key(|&(id, _)| id);
        let offsets = I64Column::from_values(records.iter().map(|&(_, at)| at as i64));
        // Collected afresh: reusing `records`' buffer in place would keep twice the
        // memory the IDs need.
        let ids = records.iter().map(|&(id, _)| id).collect();
        drop(records);
        self.finish_ascending(ids, offsets)
    }

    /// The store of the goroutines `ids` (ascending, one record each) whose records
    /// start at `offsets`: [`Self::finish`] without a list of pairs to sort, for a caller
    /// that meets the goroutines in order (the summaries' finish: 6.6 MB of pairs for
    /// the 414,344 goroutines of the 200 MB benchmark trace, at the top of the loading).
    pub(crate) fn finish_ascending(mut self, ids: Vec<i64>, mut offsets: I64Column) -> Goroutines {
        debug_assert!(ids.is_sorted());
        offsets.seal();
        self.bytes.shrink_to_fit();
        Goroutines {
            ids,
            offsets,
            bytes: self.bytes,
            names: self.names,
            base: self.base.unwrap_or(0),
        }
    }
}

/// Regions of one goroutine, packed as they end.
#[derive(Debug, Default)]
pub(crate) struct PackedRegions {
    count: usize,
    bytes: Vec<u8>,
}

pub(super) fn flag(set: bool, bit: u8) -> u8 {
    if set { bit } else { 0 }
}

pub(super) fn put_u64(w: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        w.push(v as u8 | 0x80);
        v >>= 7;
    }
    w.push(v as u8);
}

/// Zigzag, so that small negative values (a region's goroutine before this one's ID) stay
/// small.
pub(super) fn put_i64(w: &mut Vec<u8>, v: i64) {
    put_u64(w, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_durations(w: &mut Vec<u8>, d: &Durations) {
    put_u64(w, d.iter().count() as u64);
    for (k, v) in d.iter() {
        put_u64(w, k as u64);
        put_i64(w, v);
    }
}

fn put_stats(w: &mut Vec<u8>, s: &ExecStats) {
    let has_block = s.block_by_reason.iter().next().is_some();
    let has_range = s.range_time.iter().next().is_some();
    w.push(
        flag(s.syscall != 0, HAS_SYSCALL)
            | flag(s.syscall_block != 0, HAS_SYSCALL_BLOCK)
            | flag(has_block, HAS_BLOCK)
            | flag(has_range, HAS_RANGE),
    );
    put_i64(w, s.exec);
    put_i64(w, s.sched_wait);
    put_i64(w, s.total);
    if s.syscall != 0 {
        put_i64(w, s.syscall);
    }
    if s.syscall_block != 0 {
        put_i64(w, s.syscall_block);
    }
    if has_block {
        put_durations(w, &s.block_by_reason);
    }
    if has_range {
        put_durations(w, &s.range_time);
    }
}

/// What a goroutine's record starts with: its name's index, PC, times and flags.
struct Header {
    name: u32,
    pc: u64,
    creation_time: i64,
    flags: u8,
    start_time: i64,
    end_time: i64,
}

/// Reads a record; the bytes are this module's own, so they are well formed.
pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(bytes: &'a [u8], at: usize) -> Self {
        Cursor { bytes, at }
    }

    pub(super) fn byte(&mut self) -> u8 {
        let b = self.bytes[self.at];
        self.at += 1;
        b
    }

    pub(super) fn u64(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
            shift += 7;
        }
    }

    pub(super) fn u32(&mut self) -> u32 {
        self.u64() as u32
    }

    pub(super) fn i64(&mut self) -> i64 {
        let v = self.u64();
        (v >> 1) as i64 ^ -((v & 1) as i64)
    }

    /// The next `n` bytes.
    pub(super) fn bytes(&mut self, n: usize) -> &'a [u8] {
        let b = &self.bytes[self.at..self.at + n];
        self.at += n;
        b
    }

    /// A goroutine record's header; creation times are relative to `base`.
    fn header(&mut self, base: i64) -> Header {
        let name = self.u32();
        let pc = self.u64();
        let creation_time = base.wrapping_add(self.i64());
        let flags = self.byte();
        let mut since_creation = |bit: u8| match flags & bit {
            0 => 0,
            _ => creation_time.wrapping_add(self.i64()),
        };
        let start_time = since_creation(HAS_START);
        let end_time = since_creation(HAS_END);
        Header {
            name,
            pc,
            creation_time,
            flags,
            start_time,
            end_time,
        }
    }

    fn durations(&mut self) -> Durations {
        let n = self.u64() as usize;
        Durations::from_entries((0..n).map(|_| (self.u32(), self.i64())).collect())
    }

    fn stats(&mut self) -> ExecStats {
        let flags = self.byte();
        let exec = self.i64();
        let sched_wait = self.i64();
        let total = self.i64();
        let mut opt = |bit: u8| if flags & bit != 0 { self.i64() } else { 0 };
        let syscall = opt(HAS_SYSCALL);
        let syscall_block = opt(HAS_SYSCALL_BLOCK);
        let block_by_reason = if flags & HAS_BLOCK != 0 {
            self.durations()
        } else {
            Durations::default()
        };
        let range_time = if flags & HAS_RANGE != 0 {
            self.durations()
        } else {
            Durations::default()
        };
        ExecStats {
            exec,
            sched_wait,
            block_by_reason,
            syscall,
            syscall_block,
            total,
            range_time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic PRNG (xorshift), so the cases are the same on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// Mostly zeros and small values, sometimes the extremes.
        fn value(&mut self) -> i64 {
            match self.next() % 8 {
                0 | 1 => 0,
                2 => i64::MIN,
                3 => i64::MAX,
                4 => -((self.next() % 1000) as i64),
                _ => (self.next() % 5_000_000_000) as i64,
            }
        }

        fn durations(&mut self) -> Durations {
            let n = self.next() % 4;
            Durations::from_entries((0..n).map(|k| (k as u32 * 7, self.value())).collect())
        }

        fn stats(&mut self) -> ExecStats {
            ExecStats {
                exec: self.value(),
                sched_wait: self.value(),
                block_by_reason: self.durations(),
                syscall: self.value(),
                syscall_block: self.value(),
                total: self.value(),
                range_time: self.durations(),
            }
        }

        fn event(&mut self) -> Option<EventRef> {
            (!self.next().is_multiple_of(3)).then(|| EventRef {
                time: self.value(),
                goroutine: self.value(),
            })
        }
    }

    /// Goroutines with every field varied: extreme and zero values, shared and unshared
    /// names (equal text in separate allocations, and the empty name), regions with and
    /// without ends and frames.
    fn goroutines(n: usize) -> Vec<GoroutineSummary> {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let shared = [
            Name::new("main.worker".into()),
            Name::new("net/http.serve".into()),
        ];
        let name = |rng: &mut Rng| match rng.next() % 4 {
            0 => Name::default(),
            1 => Name::new("main.worker".into()),
            k => shared[k as usize - 2].clone(),
        };
        (0..n)
            .map(|i| {
                let regions = (0..rng.next() % 4)
                    .map(|_| RegionSummary {
                        task: rng.next() % 3,
                        name: name(&mut rng),
                        start: rng.event(),
                        end: rng.event(),
                        stats: rng.stats(),
                        frame: rng
                            .next()
                            .is_multiple_of(2)
                            .then(|| (rng.next() % 100) as u32),
                    })
                    .collect();
                GoroutineSummary {
                    id: match i {
                        0 => i64::MIN,
                        1 => -1,
                        2 => i64::MAX,
                        _ => (i * 3) as i64,
                    },
                    name: name(&mut rng),
                    pc: rng.next() >> (rng.next() % 64),
                    creation_time: rng.value(),
                    start_time: rng.value(),
                    end_time: rng.value(),
                    regions,
                    stats: rng.stats(),
                }
            })
            .collect()
    }

    #[test]
    fn every_summary_comes_back_as_it_was_packed() {
        let mut want = goroutines(20_000);
        // Records over several chunks, and one longer than a chunk.
        let long = want.iter().position(|g| !g.regions.is_empty()).unwrap();
        want[long].regions = vec![want[long].regions[0].clone(); 40_000];
        let mut b = GoroutinesBuilder::default();
        let mut records = Vec::new();
        // Half with their regions packed as they ended, half with them in the summary.
        for (i, g) in want.iter().enumerate().rev() {
            let at = if i.is_multiple_of(2) {
                b.push(g, &PackedRegions::default())
            } else {
                let mut early = PackedRegions::default();
                for r in &g.regions {
                    b.push_region(&mut early, g, r);
                }
                let mut g = g.clone();
                g.regions.clear();
                b.push(&g, &early)
            };
            records.push((g.id, at));
        }
        let chunks = &b.bytes.chunks;
        assert!(chunks.len() > 3, "{} chunks", chunks.len());
        assert!(chunks.iter().any(|c| c.len() > CHUNK));
        let store = b.finish(records);
        want.sort_by_key(|g| g.id);
        for g in &mut want {
            sort_regions(&mut g.regions);
        }
        assert_eq!(store.len(), want.len());
        assert_eq!(store.ids(), want.iter().map(|g| g.id).collect::<Vec<_>>());
        assert_eq!(store.values().collect::<Vec<_>>(), want);
        for g in &want {
            assert_eq!(store.get(&g.id).as_ref(), Some(g));
            assert_eq!(store.name(&g.id), Some(g.name.as_str()));
            let brief = GoroutineSummary {
                regions: Vec::new(),
                ..g.clone()
            };
            assert_eq!(store.brief(&g.id), Some(brief));
        }
        assert!(store.briefs().zip(&want).all(|(b, g)| b.stats == g.stats));
        // Lookups of members in order, out of order, and of absent IDs.
        let mut ids: Vec<i64> = want.iter().map(|g| g.id).step_by(3).collect();
        ids.extend([5, 1, i64::MIN, 4, i64::MAX, 3, 3]);
        for (id, got) in ids.iter().zip(store.stats_of(&ids)) {
            assert_eq!(got, store.brief(id).map(|g| g.stats), "id {id}");
        }
        assert_eq!(store.get(&1), None);
    }

    #[test]
    fn an_unpacked_goroutine_packs_again_to_the_same_summary() {
        let mut b = GoroutinesBuilder::default();
        let gs = goroutines(300);
        let first: Vec<usize> = gs
            .iter()
            .map(|g| b.push(g, &PackedRegions::default()))
            .collect();
        // Unpack each (as an event after its exit does), add a region, pack it again.
        let mut records = Vec::new();
        let mut want = Vec::new();
        for (g, &at) in gs.iter().zip(&first) {
            let (mut back, mut regions) = b.get(g.id, at);
            assert!(back.regions.is_empty());
            let extra = RegionSummary {
                task: 9,
                name: Name::new("late".into()),
                start: None,
                end: Some(EventRef {
                    time: 5,
                    goroutine: g.id,
                }),
                stats: ExecStats::default(),
                frame: None,
            };
            b.push_region(&mut regions, &back, &extra);
            back.regions.clear();
            records.push((g.id, b.push(&back, &regions)));
            let mut w = g.clone();
            w.regions.push(extra);
            sort_regions(&mut w.regions);
            want.push(w);
        }
        let store = b.finish(records);
        want.sort_by_key(|g| g.id);
        assert_eq!(store.values().collect::<Vec<_>>(), want);
    }
}
