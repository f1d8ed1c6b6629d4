//! One-pass consumers of the ordered event stream, producing compact owned results.
//! No UI here: the explorer and the headless reports read these results.

pub mod column;
pub mod events;
pub mod flows;
pub mod gomath;
pub mod goroutines;
pub mod gstates;
pub mod mmu;
pub mod packed;
pub mod packed_tasks;
pub mod profiles;
pub mod search;
pub mod task_view;
pub mod tasks;
pub mod timeline;

use crate::trace::{Error, Event, Reader};

/// A name shared by many slices, arrows, instants, goroutines or regions ("go",
/// "unblock (chan receive)", "G12 main.worker", a region type): a thin pointer, 8 bytes
/// where `Arc<str>` takes 16, as a big trace has millions of them.
pub type Name = std::sync::Arc<String>;

/// The indexes of the `items` that `keep` accepts, sorted by `key` (stably): an order in
/// which [`from_key`] finds the items of any key by binary search.
pub(crate) fn order_by<T, K: Ord>(
    items: &[T],
    keep: impl Fn(&T) -> bool,
    key: impl Fn(&T) -> K,
) -> Vec<u32> {
    let mut order: Vec<u32> = (0..items.len() as u32)
        .filter(|&i| keep(&items[i as usize]))
        .collect();
    order.sort_by_key(|&i| key(&items[i as usize]));
    order
}

/// What [`order_by`] gives for the key `(major, minor)` with every item kept, made for
/// millions of items: a counting sort by `major` (one pass to count, one to place), then
/// each `major` group sorted by `minor`. The groups' items come in item order, which for
/// items made in time order is already nearly sorted by time, so the second step is fast;
/// a comparison sort of the whole would dereference two random items per comparison.
pub(crate) fn order_by_pair<T>(
    items: &[T],
    major: impl Fn(&T) -> i64,
    minor: impl Fn(&T) -> i64,
) -> Vec<u32> {
    order_by_pair_of(
        items.len(),
        |_| true,
        |i| major(&items[i as usize]),
        |i| minor(&items[i as usize]),
    )
}

/// [`order_by_pair`] over the numbers `0..n` that `keep` accepts, with keys given by
/// number: for items that are not in one slice (the spans of several lanes, numbered
/// lane after lane).
pub(crate) fn order_by_pair_of(
    n: usize,
    keep: impl Fn(u32) -> bool,
    major: impl Fn(u32) -> i64,
    minor: impl Fn(u32) -> i64,
) -> Vec<u32> {
    // 64 Ki keys (1 MB) at a time: chunks bound the keys held while a group is sorted.
    order_by_pair_chunked(n, keep, major, minor, 1 << 16)
}

/// [`order_by_pair_of`], sorting groups `chunk` items at a time.
fn order_by_pair_chunked(
    n: usize,
    keep: impl Fn(u32) -> bool,
    major: impl Fn(u32) -> i64,
    minor: impl Fn(u32) -> i64,
    chunk: usize,
) -> Vec<u32> {
    let ids = || (0..n as u32).filter(|&i| keep(i));
    let mut counts: rustc_hash::FxHashMap<i64, u32> = Default::default();
    let mut kept = 0usize;
    for i in ids() {
        *counts.entry(major(i)).or_default() += 1;
        kept += 1;
    }
    let mut keys: Vec<(i64, u32)> = counts.iter().map(|(&k, &n)| (k, n)).collect();
    keys.sort_unstable();
    // Each group's first position, then (as items are placed) its next free one.
    let mut next = counts;
    let mut groups = Vec::with_capacity(keys.len());
    let mut at = 0u32;
    for (k, n) in keys {
        next.insert(k, at);
        groups.push(at as usize..(at + n) as usize);
        at += n;
    }
    let mut order = vec![0u32; kept];
    for i in ids() {
        let slot = next.get_mut(&major(i)).expect("counted above");
        order[*slot as usize] = i;
        *slot += 1;
    }
    // Each group is sorted a chunk at a time with the keys side by side with the numbers
    // (comparisons then read memory in order, where the caller's closure would jump
    // about the items), then the sorted chunks are merged. A group can hold millions:
    // chunks bound the keys held at once.
    let mut keyed: Vec<(i64, u32)> = Vec::new();
    for g in groups {
        for chunk in order[g.clone()].chunks_mut(chunk) {
            keyed.clear();
            keyed.extend(chunk.iter().map(|&i| (minor(i), i)));
            // Ties keep number order, as a stable sort would.
            keyed.sort_unstable();
            for (slot, (_, i)) in chunk.iter_mut().zip(&keyed) {
                *slot = *i;
            }
        }
        if g.len() > chunk {
            // A stable sort finds the sorted chunks and merges them.
            order[g].sort_by_key(|&i| minor(i));
        }
    }
    order
}

/// The items of `order` (as [`order_by`] made it with `key`) from the first whose key is
/// not below `from`, in that order; the caller stops where its range ends.
pub(crate) fn from_key<'a, T, K: Ord>(
    order: &'a [u32],
    items: &'a [T],
    key: impl Fn(&T) -> K,
    from: K,
) -> Ordered<'a, T> {
    let lo = order.partition_point(|&i| key(&items[i as usize]) < from);
    Ordered {
        order: order[lo..].iter(),
        items,
    }
}

/// The items of an order, from [`from_key`].
pub(crate) struct Ordered<'a, T> {
    order: std::slice::Iter<'a, u32>,
    items: &'a [T],
}

impl<'a, T> Iterator for Ordered<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        self.order.next().map(|&i| &self.items[i as usize])
    }
}

/// A consumer of the ordered event stream. Every consumer sees every event, once, in
/// order; none keeps the events themselves.
pub trait Consumer {
    /// Handles one event.
    fn event(&mut self, ev: &Event<'_>);
}

/// Runs `consumers` over every event of `reader`, in one pass. Returns the number of events
/// and the error that stopped decoding, if any: the consumers have seen every event before
/// it, as `go tool trace` analyses everything it could read.
pub fn run(reader: Reader<'_>, consumers: &mut [&mut dyn Consumer]) -> (u64, Option<Error>) {
    each_event(reader, |ev| {
        for c in consumers.iter_mut() {
            c.event(ev);
        }
        true
    })
}

/// Hands every event of `reader` to `f`, in order, until `f` returns false. Returns the
/// number of events handed over and the error that stopped decoding, if any.
fn each_event<'a>(
    mut reader: Reader<'a>,
    mut f: impl FnMut(&Event<'a>) -> bool,
) -> (u64, Option<Error>) {
    let mut n = 0;
    loop {
        match reader.next_ref() {
            Ok(Some(ev)) => {
                n += 1;
                if !f(ev) {
                    return (n, None);
                }
            }
            Ok(None) => return (n, None),
            Err(e) => return (n, Some(e)),
        }
    }
}

/// Events per hand-over in [`run_split`] (80 bytes each): on the 200 MB benchmark trace,
/// 1,024 made the pass 40 % slower (a thread woken per batch); 16,384 was no faster than
/// this and 6 MiB bigger (in 120-byte events), 65,536 26 MiB bigger.
const RUN_SPLIT_BATCH: usize = 8192;

/// [`run`], with the work split over two threads: `here` consume each event as it is
/// decoded, on this thread; `there` consume the same events, in the same order, on a
/// second thread, which receives them in batches. It is still one pass over the trace
/// (every event decoded once, each consumer seeing every event in order), but the
/// consumers' work, most of an analysis, runs beside the decoding instead of after it.
/// Split so that both threads cost about the same: decoding costs about as much as the
/// goroutine summaries plus the profiles. (A third thread, one per heavy consumer, was
/// no faster on two cores.)
pub fn run_split<'a>(
    reader: Reader<'a>,
    here: &mut [&mut dyn Consumer],
    there: &mut [&mut (dyn Consumer + Send)],
) -> (u64, Option<Error>) {
    use std::sync::{Arc, mpsc};
    const BATCH: usize = RUN_SPLIT_BATCH;
    // Batches in the channel: with those being filled, consumed and given back, about
    // 4 MB.
    const QUEUED: usize = 4;
    if there.is_empty() {
        return run(reader, here);
    }
    std::thread::scope(|scope| {
        let (send, batches) = mpsc::sync_channel::<Batch<'a>>(QUEUED);
        let (give_back, returned) = mpsc::channel::<Batch<'a>>();
        let worker = scope.spawn(move || {
            for mut batch in batches {
                let mut table = batch.table.take();
                let mut task_types = batch.task_types.iter();
                for ev in &batch.events {
                    let task_type = match ev.has_task_type() {
                        true => task_types.next().copied().unwrap_or_default(),
                        false => b"",
                    };
                    ev.with_event(task_type, &mut table, |ev| {
                        for c in there.iter_mut() {
                            c.event(ev);
                        }
                    });
                }
                batch.table = table;
                // Back to the decoding thread, which drops the tables reference there
                // and refills the vectors.
                let _ = give_back.send(batch);
            }
        });
        let mut batch = Batch::default();
        let flush = |batch: &mut Batch<'a>| {
            let mut next = returned.try_recv().unwrap_or_default();
            next.events.clear();
            next.task_types.clear();
            next.table = None;
            // Fails only if the worker panicked: joining it reports that.
            send.send(std::mem::replace(batch, next)).is_ok()
        };
        let (n, err) = each_event(reader, |ev| {
            for c in here.iter_mut() {
                c.event(ev);
            }
            let (compact, table, task_type) = ev.compact();
            if let Some(t) = table
                && !batch.table.as_ref().is_some_and(|b| Arc::ptr_eq(b, t))
            {
                // A new generation: its events go in a batch of their own.
                if !batch.events.is_empty() && !flush(&mut batch) {
                    return false;
                }
                batch.table = Some(Arc::clone(t));
            }
            batch.events.push(compact);
            if !task_type.is_empty() {
                batch.task_types.push(task_type);
            }
            batch.events.len() < BATCH || flush(&mut batch)
        });
        if !batch.events.is_empty() {
            let _ = send.send(batch);
        }
        // Ends the worker's loop.
        drop(send);
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
        (n, err)
    })
}

/// Events handed from the decoding thread to [`run_split`]'s worker: the events packed,
/// the task types of those that have one, in order, and the one tables reference they
/// share (a batch ends where the generation changes).
struct Batch<'a> {
    table: Option<std::sync::Arc<crate::trace::tables::Tables<'a>>>,
    events: Vec<crate::trace::event::CompactEvent>,
    task_types: Vec<&'a [u8]>,
}

impl Default for Batch<'_> {
    fn default() -> Self {
        Batch {
            table: None,
            events: Vec::with_capacity(RUN_SPLIT_BATCH),
            task_types: Vec::new(),
        }
    }
}

/// Pushes `x`, growing the vector by one, then by half, rather than doubling from four:
/// for the tens of thousands of small lists (a task's logs and regions, a goroutine's
/// profile records) that mostly hold one or two items, amortized growth would allocate
/// room for four each.
pub(crate) fn push_compact<T>(v: &mut Vec<T>, x: T) {
    if v.len() == v.capacity() {
        v.reserve_exact(1.max(v.len() / 2));
    }
    v.push(x);
}

/// Per-goroutine state for hundreds of thousands of goroutines: the values in one dense
/// vector and an [`IdIndex`] from ID to position, so the big part grows by reallocation
/// (which large allocations do in place) rather than by rehashing a map of large entries,
/// and stays compact. A value inserted again under the same ID replaces the old one.
#[derive(Debug)]
pub(crate) struct ById<T> {
    values: Vec<T>,
    index: IdIndex,
}

impl<T> Default for ById<T> {
    fn default() -> Self {
        ById {
            values: Vec::new(),
            index: IdIndex::default(),
        }
    }
}

impl<T> ById<T> {
    /// Stores `v` under `id`, replacing an earlier value.
    pub(crate) fn insert(&mut self, id: i64, v: T) {
        match self.index.get(id) {
            Some(i) => self.values[i as usize] = v,
            None => {
                self.index.insert(id, self.values.len() as u32);
                self.values.push(v);
            }
        }
    }

    /// The value of `id`.
    pub(crate) fn get(&self, id: &i64) -> Option<&T> {
        self.index.get(*id).map(|i| &self.values[i as usize])
    }

    /// The value of `id`, mutably.
    pub(crate) fn get_mut(&mut self, id: &i64) -> Option<&mut T> {
        self.index.get(*id).map(|i| &mut self.values[i as usize])
    }

    /// Whether `id` has a value.
    pub(crate) fn contains_key(&self, id: &i64) -> bool {
        self.index.get(*id).is_some()
    }

    /// The value of `id`, inserted as the default first if missing.
    pub(crate) fn entry_or_default(&mut self, id: i64) -> &mut T
    where
        T: Default,
    {
        let i = match self.index.get(id) {
            Some(i) => i as usize,
            None => {
                self.index.insert(id, self.values.len() as u32);
                self.values.push(T::default());
                self.values.len() - 1
            }
        };
        &mut self.values[i]
    }

    /// (ID, value) pairs, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, &T)> {
        self.index
            .iter()
            .map(|(id, i)| (id, &self.values[i as usize]))
    }

    /// How many IDs have a value.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// Hands every (ID, value) pair to `f`, by ID.
    pub(crate) fn drain_ascending(self, mut f: impl FnMut(i64, T)) {
        let mut values: Vec<Option<T>> = self.values.into_iter().map(Some).collect();
        for (id, i) in self.index.iter_ascending() {
            if let Some(v) = values[i as usize].take() {
                f(id, v);
            }
        }
    }
}

/// A map from goroutine ID to a position, made for the lookup on every state transition
/// of a big trace. The runtime hands out goroutine IDs nearly consecutively, so IDs up to
/// a bound proportional to the number of entries sit in a plain array indexed by ID: a
/// lookup touches one 4-byte slot of a small, cache-friendly array where a hash map's
/// probe missed the cache (the hash probes were the top of the profile). Other IDs
/// (negative, or far beyond the count: a hostile trace) go to a hash map, so the array
/// never grows beyond a few bytes per entry whatever the IDs say.
#[derive(Debug, Default)]
pub struct IdIndex {
    /// Position + 1 by ID; 0 for none.
    dense: Vec<u32>,
    sparse: rustc_hash::FxHashMap<i64, u32>,
    len: usize,
}

impl IdIndex {
    /// IDs below this always qualify for the array, whatever the count.
    const DENSE_FLOOR: usize = 1 << 16;

    /// The position of `id`.
    pub fn get(&self, id: i64) -> Option<u32> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get(i)) {
            Some(&0) => None,
            Some(&p) => Some(p - 1),
            None if self.sparse.is_empty() => None,
            None => self.sparse.get(&id).copied(),
        }
    }

    /// Records `id` at `pos`, replacing an earlier position. Positions must be below
    /// `u32::MAX`.
    pub fn insert(&mut self, id: i64, pos: u32) {
        if self.get(id).is_none() {
            self.len += 1;
        }
        let bound = Self::DENSE_FLOOR.max(self.len.saturating_mul(4));
        match usize::try_from(id) {
            Ok(i) if i < self.dense.len() => self.dense[i] = pos + 1,
            Ok(i) if i < bound => {
                let new_len = (i + 1).next_power_of_two().clamp(1024, bound);
                self.dense.resize(new_len, 0);
                // Entries the array now covers move into it, so a lookup never has to
                // check both.
                let moved: Vec<(i64, u32)> = self
                    .sparse
                    .iter()
                    .filter(|&(&k, _)| (k as usize) < new_len && k >= 0)
                    .map(|(&k, &v)| (k, v))
                    .collect();
                for (k, v) in moved {
                    self.sparse.remove(&k);
                    self.dense[k as usize] = v + 1;
                }
                self.dense[i] = pos + 1;
            }
            _ => {
                self.sparse.insert(id, pos);
            }
        }
    }

    /// Forgets `id`, returning its position.
    pub fn remove(&mut self, id: i64) -> Option<u32> {
        let at = self.get(id)?;
        match usize::try_from(id).ok().filter(|&i| i < self.dense.len()) {
            Some(i) => self.dense[i] = 0,
            None => {
                self.sparse.remove(&id);
            }
        }
        self.len -= 1;
        Some(at)
    }

    /// How many IDs have a position.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no ID has a position.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// (ID, position) pairs, by ID.
    pub fn iter_ascending(&self) -> impl Iterator<Item = (i64, u32)> + '_ {
        // The map holds the IDs the array does not cover: negative ones, and those past
        // its end.
        let mut sparse: Vec<(i64, u32)> = self.sparse.iter().map(|(&k, &v)| (k, v)).collect();
        sparse.sort_unstable();
        let split = sparse.partition_point(|&(k, _)| k < 0);
        let above = sparse.split_off(split);
        sparse
            .into_iter()
            .chain(
                self.dense
                    .iter()
                    .enumerate()
                    .filter(|&(_, &p)| p != 0)
                    .map(|(i, &p)| (i as i64, p - 1)),
            )
            .chain(above)
    }

    /// (ID, position) pairs, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (i64, u32)> + '_ {
        self.dense
            .iter()
            .enumerate()
            .filter(|&(_, &p)| p != 0)
            .map(|(i, &p)| (i as i64, p - 1))
            .chain(self.sparse.iter().map(|(&k, &v)| (k, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Kind;

    #[test]
    fn order_by_pair_is_a_stable_sort_by_both_keys() {
        // Pseudo-random items with many ties on both keys, including negative ones.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let items: Vec<(i64, i64)> = (0..20_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 97) as i64 - 40, ((x >> 20) % 500) as i64 - 100)
            })
            .collect();
        let want = order_by(&items, |_| true, |&(a, b)| (a, b));
        assert_eq!(order_by_pair(&items, |p| p.0, |p| p.1), want);
        assert!(order_by_pair::<(i64, i64)>(&[], |p| p.0, |p| p.1).is_empty());
        // Numbers left out, and groups sorted in chunks then merged.
        let keep = |i: u32| i % 3 != 1;
        let mut want: Vec<u32> = (0..items.len() as u32).filter(|&i| keep(i)).collect();
        want.sort_by_key(|&i| items[i as usize]);
        for chunk in [1, 7, 64, 1 << 20] {
            let got = order_by_pair_chunked(
                items.len(),
                keep,
                |i| items[i as usize].0,
                |i| items[i as usize].1,
                chunk,
            );
            assert_eq!(got, want, "chunks of {chunk}");
        }
    }

    #[test]
    fn id_index_agrees_with_a_hash_map_on_any_ids() {
        // Consecutive IDs, repeats, negatives, huge ones, and IDs that start sparse and
        // are later covered by the growing array.
        let mut ids: Vec<i64> = vec![-1, i64::MIN, i64::MAX, 1 << 40, 70_000, 300_000];
        ids.extend(1..5_000);
        ids.extend([150_000, 70_000, 3, -1, 1 << 40]);
        ids.extend((5_000..200_000).step_by(7));
        let mut index = IdIndex::default();
        let mut want: std::collections::HashMap<i64, u32> = Default::default();
        for (pos, &id) in ids.iter().enumerate() {
            index.insert(id, pos as u32);
            want.insert(id, pos as u32);
            assert_eq!(index.get(id), Some(pos as u32), "id {id}");
        }
        for id in [-2, 0, 5_001, 1 << 41, 299_999] {
            assert_eq!(index.get(id), want.get(&id).copied(), "id {id}");
        }
        for (&id, &pos) in &want {
            assert_eq!(index.get(id), Some(pos), "id {id}");
        }
        let mut got: Vec<(i64, u32)> = index.iter().collect();
        let mut all: Vec<(i64, u32)> = want.into_iter().collect();
        got.sort_unstable();
        all.sort_unstable();
        assert_eq!(got, all);
        assert_eq!(index.iter_ascending().collect::<Vec<_>>(), all, "by ID");
        // The array stays proportional to the entries, whatever the IDs.
        assert!(index.dense.len() <= (1 << 16).max(4 * all.len()));
        assert_eq!(index.len(), all.len());
        // Removing forgets an ID, in the array or the map, once.
        for &(id, pos) in &all {
            assert_eq!(index.remove(id), Some(pos), "id {id}");
            assert_eq!(index.remove(id), None, "id {id}");
            assert_eq!(index.get(id), None, "id {id}");
        }
        assert!(index.is_empty() && index.iter().next().is_none());
    }

    /// Records every event it sees: kind, time, goroutine, file offset, what needs the
    /// generation's tables (the stack's depth, the transition's reason), and the task
    /// type of a task's end, which travels apart.
    #[derive(Default)]
    struct Recorder(Vec<Seen>);

    /// Kind, time, goroutine, offset, stack depth, reason, task type.
    type Seen = (Kind, i64, i64, u64, usize, Vec<u8>, Vec<u8>);

    impl Consumer for Recorder {
        fn event(&mut self, ev: &Event<'_>) {
            let depth = ev.stack().map_or(0, |s| s.frames().count());
            let reason = ev
                .state_transition()
                .map_or(Vec::new(), |st| st.reason.to_vec());
            let task_type = ev.task().map_or(Vec::new(), |t| t.typ.to_vec());
            self.0.push((
                ev.kind(),
                ev.time(),
                ev.goroutine(),
                ev.offset(),
                depth,
                reason,
                task_type,
            ));
        }
    }

    #[test]
    fn run_split_shows_every_consumer_what_run_shows() {
        let bytes = crate::tui::DEMO_TRACE;
        let mut want = Recorder::default();
        let (n, err) = run(Reader::new(bytes).unwrap(), &mut [&mut want]);
        assert!(err.is_none());
        assert!(n > 20_000, "a trace of several batches: {n}");
        assert!(want.0.iter().any(|r| r.4 > 0) && want.0.iter().any(|r| !r.5.is_empty()));
        let (mut a, mut b, mut c) = (
            Recorder::default(),
            Recorder::default(),
            Recorder::default(),
        );
        let (m, err) = run_split(
            Reader::new(bytes).unwrap(),
            &mut [&mut a as &mut dyn Consumer],
            &mut [&mut b as &mut (dyn Consumer + Send), &mut c],
        );
        assert!(err.is_none());
        assert_eq!(m, n);
        for (side, got) in [("here", &a), ("there", &b), ("there 2", &c)] {
            assert!(got.0 == want.0, "{side} saw other events");
        }
        // Broken off mid-way: the same events before the same error, on both sides.
        let cut = &bytes[..bytes.len() * 2 / 3];
        let mut want = Recorder::default();
        let (n, want_err) = run(Reader::new(cut).unwrap(), &mut [&mut want]);
        assert!(want_err.is_some() && n > 0);
        let (mut a, mut b) = (Recorder::default(), Recorder::default());
        let (m, err) = run_split(
            Reader::new(cut).unwrap(),
            &mut [&mut a as &mut dyn Consumer],
            &mut [&mut b as &mut (dyn Consumer + Send)],
        );
        assert_eq!(m, n);
        assert_eq!(err.map(|e| e.to_string()), want_err.map(|e| e.to_string()));
        assert!(a.0 == want.0 && b.0 == want.0);
        // Task types travel apart from the events: a trace with user tasks.
        let bytes = include_bytes!("../../testdata/traces/go126/http.trace");
        let mut want = Recorder::default();
        run(Reader::new(&bytes[..]).unwrap(), &mut [&mut want]);
        let named = |r: &Recorder| r.0.iter().filter(|r| !r.6.is_empty()).count();
        assert!(named(&want) > 0, "http.trace ends tasks of a named type");
        let mut b = Recorder::default();
        run_split(
            Reader::new(&bytes[..]).unwrap(),
            &mut [],
            &mut [&mut b as &mut (dyn Consumer + Send)],
        );
        assert!(b.0 == want.0, "the worker saw other events");
    }
}
