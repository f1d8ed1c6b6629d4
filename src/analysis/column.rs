//! A column of `i64` values that sit close to their neighbours (span times, durations,
//! goroutine IDs), kept in 1 to 4 bytes a value instead of 8: values are stored in blocks
//! of [`BLOCK`] as 8-, 16- or 32-bit offsets from a base, the narrowest that pays. A few
//! values far from the others (a long wait among short ones, goroutine 1 among goroutines
//! 400,000) do not widen their block: they are kept whole on the side, as exceptions
//! ("patched frame of reference"), and their slot holds the width's largest value as a
//! mark. A block whose values spread wider than 32 bits keeps them whole. Reading a value
//! is a block lookup, a load and an add (and a binary search among the exceptions when the
//! mark is read), so binary searches and the timeline's per-cell sums stay cheap: the
//! benchmark trace's whole-trace frame takes 3-5 ms where plain vectors took 2.

/// Values per block. Small blocks fit 16-bit offsets more often: on the benchmark trace,
/// 97% of span durations and 90% of goroutine IDs sit in 64-value blocks of 16-bit spread,
/// against 62% and 38% in blocks of 1,024; a block's 16-byte header costs a quarter of a
/// byte a value.
pub const BLOCK: usize = 64;

/// Blocks past this many keep no exceptions (a column of 4 G values), so that an
/// exception's key fits in a `u32`.
const EXCEPTION_BLOCKS: usize = (u32::MAX as usize + 1) / BLOCK;

/// The most exceptions a block keeps: reading one is a binary search, so a block of
/// many takes the next width instead.
const MAX_EXCEPTIONS: usize = BLOCK / 8;

/// What an exception costs, in bytes (its key and value): against the bytes a wider
/// block would take, what decides a block's width.
const EXCEPTION_BYTES: usize = 12;

/// How a block's values are stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Width {
    /// Every value is the base: nothing stored (a run of one value, as the cause lanes
    /// of a thread's runs mostly are).
    W0,
    /// 8-bit offsets from the base, in `low8`: on the benchmark trace, 89% of the blocks
    /// of span goroutines, 55% of span lengths and 50% of cause waits. The offsets of
    /// this width and the two next are below the width's largest value, which marks an
    /// exception.
    W8,
    /// 16-bit offsets from the base, in `low16`.
    #[default]
    W16,
    /// 32-bit offsets, in `low32`.
    W32,
    /// Whole values, in `wide`.
    W64,
}

/// Where one block's values are.
#[derive(Debug, Clone, Copy, Default)]
struct Block {
    /// The smallest value of the block: what its offsets are added to.
    base: i64,
    /// Where the block's values start in the storage of its width.
    at: u32,
    width: Width,
}

/// A packed column of `i64` (see the module docs). Values are appended with
/// [`I64Column::push`] and read by index.
#[derive(Debug, Clone, Default)]
pub struct I64Column {
    /// One header per packed block (the last one may be partial once [`Self::seal`]ed).
    blocks: Vec<Block>,
    low8: Vec<u8>,
    low16: Vec<u16>,
    low32: Vec<u32>,
    wide: Vec<i64>,
    /// The exceptions' keys, ascending: block index × [`BLOCK`] + position in the block
    /// (only blocks below [`EXCEPTION_BLOCKS`] have exceptions, so a key fits 32 bits).
    exception_keys: Vec<u32>,
    /// The exceptions' values, by key.
    exception_values: Vec<i64>,
    /// How many values the blocks hold.
    packed: usize,
    /// The values appended since the last full block, not yet packed.
    pending: Vec<i64>,
}

impl I64Column {
    /// An empty column.
    pub fn new() -> I64Column {
        I64Column::default()
    }

    /// Packs `values`.
    pub fn from_values(values: impl IntoIterator<Item = i64>) -> I64Column {
        let mut c = I64Column::new();
        for v in values {
            c.push(v);
        }
        c.seal();
        c
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.packed + self.pending.len()
    }

    /// Whether the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `v`.
    pub fn push(&mut self, v: i64) {
        if !self.packed.is_multiple_of(BLOCK) {
            // A partial block was packed by `seal`: take it back to append to it.
            self.unpack_last();
        }
        self.pending.push(v);
        if self.pending.len() == BLOCK {
            self.pack_pending();
        }
    }

    /// Packs the values not yet packed and drops spare capacity: the column will be read
    /// from now on (it may still grow).
    pub fn seal(&mut self) {
        if !self.pending.is_empty() {
            self.pack_pending();
        }
        self.pending = Vec::new();
        self.blocks.shrink_to_fit();
        self.low8.shrink_to_fit();
        self.low16.shrink_to_fit();
        self.low32.shrink_to_fit();
        self.wide.shrink_to_fit();
        self.exception_keys.shrink_to_fit();
        self.exception_values.shrink_to_fit();
    }

    /// Value `i`. Panics if `i` is out of bounds, as indexing a slice does.
    #[inline]
    pub fn get(&self, i: usize) -> i64 {
        if i >= self.packed {
            return self.pending[i - self.packed];
        }
        let b = self.blocks[i / BLOCK];
        self.value(b, i)
    }

    /// Value `i`, in block `b`.
    #[inline]
    fn value(&self, b: Block, i: usize) -> i64 {
        let k = b.at as usize + i % BLOCK;
        let offset = match b.width {
            Width::W0 => return b.base,
            Width::W8 => Some(self.low8[k]).filter(|&x| x != u8::MAX).map(i64::from),
            Width::W16 => Some(self.low16[k])
                .filter(|&x| x != u16::MAX)
                .map(i64::from),
            Width::W32 => Some(self.low32[k])
                .filter(|&x| x != u32::MAX)
                .map(i64::from),
            Width::W64 => return self.wide[k],
        };
        match offset {
            Some(x) => b.base + x,
            None => self.exception(i),
        }
    }

    /// The exception at index `i` (its slot holds the mark).
    #[cold]
    fn exception(&self, i: usize) -> i64 {
        let k = self
            .exception_keys
            .binary_search(&(i as u32))
            .expect("a marked slot has an exception");
        self.exception_values[k]
    }

    /// The last value, if any.
    pub fn last(&self) -> Option<i64> {
        self.len().checked_sub(1).map(|i| self.get(i))
    }

    /// The values, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = i64> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The indexes of the values equal to `v`, ascending (a filter over the 11 M spans of
    /// a big trace's lanes runs in a key press): [`I64Column::position_from`] repeated.
    pub fn positions_of(&self, v: i64) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.position_from(v, 0), move |&i| {
            self.position_from(v, i + 1)
        })
    }

    /// The first index from `from` on whose value is `v`: a scan of the offsets block by
    /// block (blocks that cannot hold `v` are skipped), several times faster than reading
    /// each value.
    pub fn position_from(&self, v: i64, from: usize) -> Option<usize> {
        self.position_in(v, from, self.len())
    }

    /// The first index in `from..to` whose value is `v`, as [`I64Column::position_from`].
    pub fn position_in(&self, v: i64, from: usize, to: usize) -> Option<usize> {
        let to = to.min(self.len());
        let mut k = from / BLOCK;
        while k < self.blocks.len() && k * BLOCK < to {
            let b = self.blocks[k];
            let first = k * BLOCK;
            let n = (self.packed - first).min(BLOCK).min(to - first);
            let skip = from.saturating_sub(first);
            if skip >= n {
                k += 1;
                continue;
            }
            let at = b.at as usize;
            let off = v.checked_sub(b.base);
            /// Where `off`, narrowed to the store's width, first is in `store`.
            fn find<T: Copy + PartialEq + TryFrom<i64>>(
                store: &[T],
                off: Option<i64>,
            ) -> Option<usize> {
                let off = T::try_from(off?).ok()?;
                store.iter().position(|&x| x == off)
            }
            let range = at + skip..at + n;
            // An offset as large as the mark is no value of the block's slots.
            let below = |limit: i64| off.filter(|&o| o < limit);
            let hit = match b.width {
                Width::W0 => (off == Some(0)).then_some(0),
                Width::W8 => find(&self.low8[range], below(u8::MAX.into())),
                Width::W16 => find(&self.low16[range], below(u16::MAX.into())),
                Width::W32 => find(&self.low32[range], below(u32::MAX.into())),
                Width::W64 => find(&self.wide[range], Some(v)),
            }
            .map(|j| first + skip + j);
            let exception = self
                .exceptions_in(first + skip, first + n)
                .find(|&(_, x)| x == v);
            let hit = match (hit, exception) {
                (Some(h), Some((e, _))) => Some(h.min(e)),
                (h, e) => h.or(e.map(|(e, _)| e)),
            };
            if hit.is_some() {
                return hit;
            }
            k += 1;
        }
        let skip = from.max(self.packed);
        (skip..to).find(|&i| self.pending[i - self.packed] == v)
    }

    /// The exceptions at indexes `from..to`, as (index, value).
    fn exceptions_in(&self, from: usize, to: usize) -> impl Iterator<Item = (usize, i64)> + '_ {
        let key = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let lo = self.exception_keys.partition_point(|&k| k < key(from));
        let hi = self.exception_keys.partition_point(|&k| k < key(to));
        (lo..hi).map(|k| (self.exception_keys[k] as usize, self.exception_values[k]))
    }

    /// The index of the first value for which `pred` is false, the column being
    /// partitioned by it (all true, then all false), as [`slice::partition_point`].
    pub fn partition_point(&self, pred: impl Fn(i64) -> bool) -> usize {
        partition_point(self.len(), |i| pred(self.get(i)))
    }

    /// Whether the values ascend (ties allowed).
    pub fn is_sorted(&self) -> bool {
        (1..self.len()).all(|i| self.get(i - 1) <= self.get(i))
    }

    /// Heap bytes used by the values (spare capacity aside).
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.blocks.as_slice())
            + std::mem::size_of_val(self.low8.as_slice())
            + std::mem::size_of_val(self.low16.as_slice())
            + std::mem::size_of_val(self.low32.as_slice())
            + std::mem::size_of_val(self.wide.as_slice())
            + std::mem::size_of_val(self.exception_keys.as_slice())
            + std::mem::size_of_val(self.exception_values.as_slice())
            + std::mem::size_of_val(self.pending.as_slice())
    }

    /// Packs `pending` as the next block, at the width that takes the fewest bytes with
    /// its exceptions.
    fn pack_pending(&mut self) {
        let block = self.blocks.len();
        let plan = plan_block(&self.pending, block < EXCEPTION_BLOCKS);
        let (base, width) = (plan.base, plan.width);
        /// Appends each of `values` the plan holds as its offset from the base, narrowed
        /// (it fits: the plan's limit is the width's), the others as `mark`, to `store`;
        /// returns where they start.
        fn offsets<T: TryFrom<i64> + Copy>(
            store: &mut Vec<T>,
            values: &[i64],
            plan: &BlockPlan,
            mark: T,
        ) -> u32 {
            let at = store.len() as u32;
            store.extend(values.iter().map(|&v| match plan.holds(v) {
                true => T::try_from(v - plan.base).unwrap_or(mark),
                false => mark,
            }));
            at
        }
        let values = &self.pending;
        let at = match width {
            Width::W0 => 0,
            Width::W8 => offsets(&mut self.low8, values, &plan, u8::MAX),
            Width::W16 => offsets(&mut self.low16, values, &plan, u16::MAX),
            Width::W32 => offsets(&mut self.low32, values, &plan, u32::MAX),
            Width::W64 => {
                let at = self.wide.len() as u32;
                self.wide.extend_from_slice(values);
                at
            }
        };
        if !matches!(width, Width::W0 | Width::W64) {
            for (j, &v) in values.iter().enumerate() {
                if !plan.holds(v) {
                    self.exception_keys.push((block * BLOCK + j) as u32);
                    self.exception_values.push(v);
                }
            }
        }
        self.blocks.push(Block { base, at, width });
        self.packed += self.pending.len();
        self.pending.clear();
    }

    /// Moves the last (partial) packed block back to `pending`.
    fn unpack_last(&mut self) {
        let Some(b) = self.blocks.pop() else { return };
        let first = self.blocks.len() * BLOCK;
        let n = self.packed - first;
        let values: Vec<i64> = (first..first + n).map(|i| self.value(b, i)).collect();
        let exceptions = self
            .exception_keys
            .partition_point(|&k| (k as usize) < first);
        self.exception_keys.truncate(exceptions);
        self.exception_values.truncate(exceptions);
        let at = b.at as usize;
        match b.width {
            Width::W0 => {}
            Width::W8 => self.low8.truncate(at),
            Width::W16 => self.low16.truncate(at),
            Width::W32 => self.low32.truncate(at),
            Width::W64 => self.wide.truncate(at),
        }
        self.packed = first;
        self.pending = values;
    }
}

/// How a block is to be stored: its width and base. Its values from `base` to `base +
/// limit` go in its slots, the others are exceptions.
struct BlockPlan {
    base: i64,
    width: Width,
    /// The largest offset a slot holds (one below the width's mark).
    limit: i64,
}

impl BlockPlan {
    /// Whether `v` goes in a slot, not among the exceptions.
    fn holds(&self, v: i64) -> bool {
        v.checked_sub(self.base)
            .is_some_and(|d| (0..=self.limit).contains(&d))
    }
}

/// The cheapest way to store `values` (one block): for each width, the base that leaves
/// the fewest values out (a window over the sorted values), costed with the exceptions
/// it makes, if `exceptions` are allowed (at most [`MAX_EXCEPTIONS`]).
fn plan_block(values: &[i64], exceptions: bool) -> BlockPlan {
    let (min, max) = values
        .iter()
        .fold((i64::MAX, i64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    if min >= max {
        // One value (or none): nothing stored.
        return BlockPlan {
            base: min.min(max),
            width: Width::W0,
            limit: 0,
        };
    }
    // Most blocks fit 8 bits whole: nothing to weigh, no sort.
    let limit = i64::from(u8::MAX) - 1;
    if max.checked_sub(min).is_some_and(|d| d <= limit) {
        return BlockPlan {
            base: min,
            width: Width::W8,
            limit,
        };
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let mut best = BlockPlan {
        base: 0,
        width: Width::W64,
        limit: 0,
    };
    let mut best_cost = 8 * n;
    for (width, bytes, mark) in [
        (Width::W32, 4, i64::from(u32::MAX)),
        (Width::W16, 2, i64::from(u16::MAX)),
        (Width::W8, 1, i64::from(u8::MAX)),
    ] {
        let limit = mark - 1;
        // The window of spread `limit` holding the most values, and its first value.
        let (mut most, mut base, mut lo) = (0, min, 0);
        for hi in 0..n {
            while sorted[hi].checked_sub(sorted[lo]).is_none_or(|d| d > limit) {
                lo += 1;
            }
            if hi + 1 - lo > most {
                (most, base) = (hi + 1 - lo, sorted[lo]);
            }
        }
        let out = n - most;
        if out > 0 && !exceptions || out > MAX_EXCEPTIONS {
            continue;
        }
        let cost = bytes * n + EXCEPTION_BYTES * out;
        if cost <= best_cost {
            best_cost = cost;
            best = BlockPlan { base, width, limit };
        }
    }
    best
}

/// The first index in `0..len` for which `pred` is false, `pred` being true on a prefix:
/// a binary search over values read by index.
pub fn partition_point(len: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

impl PartialEq for I64Column {
    fn eq(&self, other: &I64Column) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for I64Column {}

impl FromIterator<i64> for I64Column {
    fn from_iter<T: IntoIterator<Item = i64>>(iter: T) -> I64Column {
        I64Column::from_values(iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so the tests need no crate.
    fn values(n: usize, spread: i64, seed: u64) -> Vec<i64> {
        let mut x = seed | 1;
        let mut t = 1_700_000_000_000_000_000i64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                t += (x % spread as u64) as i64;
                t
            })
            .collect()
    }

    #[test]
    fn reads_back_what_was_pushed_across_blocks_and_after_sealing() {
        let v = values(3 * BLOCK + 17, 5_000, 7);
        let mut c = I64Column::new();
        for (i, &x) in v.iter().enumerate() {
            c.push(x);
            assert_eq!(c.get(i), x);
        }
        assert_eq!(c.iter().collect::<Vec<_>>(), v);
        c.seal();
        assert_eq!(c.iter().collect::<Vec<_>>(), v);
        assert!(c.is_sorted());
        // About 4 bytes a value, not 8.
        assert!(c.bytes() < v.len() * 5, "{} bytes", c.bytes());
    }

    #[test]
    fn values_close_together_take_one_or_two_bytes() {
        // Steps under 4 keep a block's spread under 2^8, steps under 100 under 2^16: a
        // byte or two a value, and the block headers.
        for (step, most) in [(4, 2), (100, 3)] {
            let v = values(10 * BLOCK + 3, step, 5);
            let c: I64Column = v.iter().copied().collect();
            assert_eq!(c.iter().collect::<Vec<_>>(), v);
            assert!(
                c.bytes() < v.len() * most,
                "step {step}: {} bytes",
                c.bytes()
            );
        }
    }

    #[test]
    fn blocks_of_every_width_in_one_column() {
        let mut w = values(5 * BLOCK, 4, 8);
        w[BLOCK + 5] += 1_000;
        w[2 * BLOCK + 5] += 1 << 20;
        w[3 * BLOCK + 5] = i64::MAX;
        let mut c: I64Column = w.iter().copied().collect();
        assert_eq!(c.iter().collect::<Vec<_>>(), w);
        for p in [
            w[0],
            w[BLOCK + 5],
            w[2 * BLOCK + 5],
            i64::MAX,
            w[4 * BLOCK + 63],
        ] {
            let want: Vec<usize> = (0..w.len()).filter(|&i| w[i] == p).collect();
            assert_eq!(c.positions_of(p).collect::<Vec<_>>(), want, "{p}");
        }
        // Grown again after sealing.
        c.push(w[0]);
        w.push(w[0]);
        c.seal();
        assert_eq!(c.iter().collect::<Vec<_>>(), w);
    }

    /// A block of one value stores none: only its header. Reads, searches (for the value,
    /// for another, from inside the block) and growing after a seal still work.
    #[test]
    fn a_block_of_one_value_stores_nothing() {
        let mut w: Vec<i64> = vec![-7; 3 * BLOCK];
        w[BLOCK + 3] = 9;
        w.extend([5, 5, 5]);
        let mut c: I64Column = w.iter().copied().collect();
        assert_eq!(c.iter().collect::<Vec<_>>(), w);
        // Two blocks of one value, one of two (8-bit), three pending values sealed.
        assert!(
            c.bytes() <= 4 * std::mem::size_of::<Block>() + BLOCK,
            "{}",
            c.bytes()
        );
        for (v, from) in [
            (-7, 0),
            (-7, BLOCK + 3),
            (-7, 2 * BLOCK + 10),
            (9, 0),
            (5, 1),
            (4, 0),
        ] {
            let want = (from..w.len()).find(|&i| w[i] == v);
            assert_eq!(c.position_from(v, from), want, "{v} from {from}");
        }
        assert_eq!(c.position_in(-7, BLOCK, BLOCK + 3), Some(BLOCK));
        assert_eq!(c.position_in(9, 0, BLOCK + 3), None);
        c.push(6);
        w.push(6);
        c.seal();
        assert_eq!(c.iter().collect::<Vec<_>>(), w);
    }

    /// A few far values in a block of close ones are kept as exceptions: the block stays
    /// a byte a value. Reads, searches (for an exception, for a value equal to the
    /// mark's offset) and growing after a seal see the values pushed.
    #[test]
    fn far_values_are_exceptions_not_a_wider_block() {
        let mut w = values(4 * BLOCK + 9, 3, 21);
        let base = w[BLOCK];
        w[BLOCK + 2] = base + 1_000_000;
        w[BLOCK + 40] = i64::MIN;
        w[2 * BLOCK + 1] = w[2 * BLOCK] + 255;
        w[4 * BLOCK + 3] = 7;
        let mut c: I64Column = w.iter().copied().collect();
        assert_eq!(c.iter().collect::<Vec<_>>(), w);
        assert!(c.exception_keys.len() >= 2, "{:?}", c.exception_keys);
        assert!(c.bytes() < 2 * w.len(), "{} bytes", c.bytes());
        for p in [w[BLOCK + 2], i64::MIN, w[2 * BLOCK + 1], 7, w[5], w[0] - 1] {
            let want: Vec<usize> = (0..w.len()).filter(|&i| w[i] == p).collect();
            assert_eq!(c.positions_of(p).collect::<Vec<_>>(), want, "{p}");
            for from in [0, BLOCK + 2, BLOCK + 3, 4 * BLOCK] {
                let want = (from..w.len()).find(|&i| w[i] == p);
                assert_eq!(c.position_from(p, from), want, "{p} from {from}");
            }
        }
        // The sealed partial block, exceptions and all, taken back and grown.
        for v in [i64::MAX, 8, 9] {
            c.push(v);
            w.push(v);
        }
        c.seal();
        assert_eq!(c.iter().collect::<Vec<_>>(), w);
        assert_eq!(c, w.iter().copied().collect::<I64Column>());
    }

    /// Each block is stored at the width that takes fewest bytes with its exceptions.
    #[test]
    fn plans_the_cheapest_width() {
        let close: Vec<i64> = (0..BLOCK as i64).collect();
        let plan = plan_block(&close, true);
        assert_eq!((plan.width, plan.base), (Width::W8, 0));
        // Three values 2^20 away: three exceptions cost less than 16-bit slots...
        let mut far = close.clone();
        far[1..4].fill(1 << 20);
        assert_eq!(plan_block(&far, true).width, Width::W8);
        // ...but not without exceptions, nor when a third of the block is far.
        assert_eq!(plan_block(&far, false).width, Width::W32);
        let mut half = close.clone();
        half[..BLOCK / 3].iter_mut().for_each(|v| *v += 1 << 12);
        assert_eq!(plan_block(&half, true).width, Width::W16);
        assert_eq!(plan_block(&[5; BLOCK], true).width, Width::W0);
        let extremes: Vec<i64> = (0..BLOCK).map(|i| [i64::MIN, i64::MAX][i % 2]).collect();
        assert_eq!(plan_block(&extremes, true).width, Width::W64);
        assert_eq!(plan_block(&extremes[..2], false).width, Width::W64);
    }

    #[test]
    fn keeps_blocks_wider_than_32_bits_whole() {
        // Steps of up to 2^30 ns: a block of 1024 spans far more than 2^32.
        let mut v = values(2 * BLOCK + 5, 1 << 30, 3);
        v[BLOCK + 3] = i64::MIN;
        v[BLOCK + 4] = i64::MAX;
        let c: I64Column = v.iter().copied().collect();
        assert_eq!(c.iter().collect::<Vec<_>>(), v);
        assert!(!c.is_sorted());
    }

    #[test]
    fn grows_after_being_sealed() {
        let v = values(2 * BLOCK + 300, 1_000, 11);
        let mut c = I64Column::new();
        for (i, &x) in v.iter().enumerate() {
            c.push(x);
            if i % 333 == 0 {
                c.seal();
            }
        }
        assert_eq!(c.iter().collect::<Vec<_>>(), v);
        assert_eq!(c, v.iter().copied().collect::<I64Column>());
    }

    #[test]
    fn positions_are_those_of_the_equal_values() {
        let mut v = values(3 * BLOCK + 40, 3, 9);
        // A wide block, and values repeated across blocks and in the pending tail.
        v[BLOCK + 1] = i64::MIN;
        let probe = v[10];
        v[2 * BLOCK + 7] = probe;
        v[3 * BLOCK + 39] = probe;
        let mut c = I64Column::new();
        for &x in &v {
            c.push(x);
        }
        for p in [probe, v[BLOCK + BLOCK / 2], i64::MIN, i64::MAX, v[0] - 1] {
            let want: Vec<usize> = (0..v.len()).filter(|&i| v[i] == p).collect();
            assert_eq!(c.positions_of(p).collect::<Vec<_>>(), want, "{p}");
        }
        c.seal();
        let want: Vec<usize> = (0..v.len()).filter(|&i| v[i] == probe).collect();
        assert!(want.len() >= 3);
        assert_eq!(c.positions_of(probe).collect::<Vec<_>>(), want);
    }

    #[test]
    fn position_from_finds_the_next_equal_value() {
        let mut v = values(3 * BLOCK + 20, 3, 13);
        v[BLOCK + 1] = i64::MIN;
        let mut c = I64Column::new();
        for &x in &v {
            c.push(x);
        }
        for sealed in [false, true] {
            if sealed {
                c.seal();
            }
            for p in [
                v[0],
                v[BLOCK + 1],
                v[2 * BLOCK + 7],
                v[3 * BLOCK + 19],
                i64::MAX,
            ] {
                for from in [
                    0,
                    1,
                    BLOCK - 1,
                    BLOCK,
                    BLOCK + 2,
                    3 * BLOCK,
                    3 * BLOCK + 19,
                    v.len(),
                ] {
                    let want = (from..v.len()).find(|&i| v[i] == p);
                    assert_eq!(c.position_from(p, from), want, "{p} from {from}");
                }
            }
        }
    }

    #[test]
    fn partition_point_matches_the_slice_one() {
        let v = values(BLOCK + 100, 50, 5);
        let c: I64Column = v.iter().copied().collect();
        for probe in [
            v[0] - 1,
            v[0],
            v[BLOCK / 2],
            v[BLOCK],
            v[BLOCK + 99],
            v[BLOCK + 99] + 1,
        ] {
            assert_eq!(
                c.partition_point(|x| x <= probe),
                v.partition_point(|&x| x <= probe)
            );
            assert_eq!(
                c.partition_point(|x| x < probe),
                v.partition_point(|&x| x < probe)
            );
        }
        assert_eq!(I64Column::new().partition_point(|_| true), 0);
    }
}
