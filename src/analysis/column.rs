//! A column of `i64` values that sit close to their neighbours (span times, durations,
//! goroutine IDs), kept in 1 to 4 bytes a value instead of 8: values are stored in blocks
//! of [`BLOCK`] as 8-, 16- or 32-bit offsets from the block's smallest value, the narrowest
//! that holds the block's spread. A block whose values spread wider than 32 bits keeps them
//! whole. Reading a value is a block lookup, a load and an add, so binary searches and the
//! timeline's per-cell sums stay cheap: the benchmark trace's whole-trace frame takes 3-5 ms
//! where plain vectors took 2.

/// Values per block. Small blocks fit 16-bit offsets more often: on the benchmark trace,
/// 97% of span durations and 90% of goroutine IDs sit in 64-value blocks of 16-bit spread,
/// against 62% and 38% in blocks of 1,024; a block's 16-byte header costs a quarter of a
/// byte a value.
pub const BLOCK: usize = 64;

/// How a block's values are stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Width {
    /// Every value is the base: nothing stored (a run of one value, as the cause lanes
    /// of a thread's runs mostly are).
    W0,
    /// 8-bit offsets from the base, in `low8`: on the benchmark trace, 89% of the blocks
    /// of span goroutines, 55% of span lengths and 50% of cause waits.
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
    }

    /// Value `i`. Panics if `i` is out of bounds, as indexing a slice does.
    #[inline]
    pub fn get(&self, i: usize) -> i64 {
        if i >= self.packed {
            return self.pending[i - self.packed];
        }
        let b = self.blocks[i / BLOCK];
        self.value(b, i % BLOCK)
    }

    #[inline]
    fn value(&self, b: Block, j: usize) -> i64 {
        let k = b.at as usize + j;
        match b.width {
            Width::W0 => b.base,
            Width::W8 => b.base + i64::from(self.low8[k]),
            Width::W16 => b.base + i64::from(self.low16[k]),
            Width::W32 => b.base + i64::from(self.low32[k]),
            Width::W64 => self.wide[k],
        }
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
            let hit = match b.width {
                Width::W0 => (off == Some(0)).then_some(0),
                Width::W8 => find(&self.low8[range], off),
                Width::W16 => find(&self.low16[range], off),
                Width::W32 => find(&self.low32[range], off),
                Width::W64 => find(&self.wide[range], Some(v)),
            };
            if let Some(j) = hit {
                return Some(first + skip + j);
            }
            k += 1;
        }
        let skip = from.max(self.packed);
        (skip..to).find(|&i| self.pending[i - self.packed] == v)
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
            + std::mem::size_of_val(self.pending.as_slice())
    }

    fn pack_pending(&mut self) {
        let (min, max) = self
            .pending
            .iter()
            .fold((i64::MAX, i64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        let spread = max.checked_sub(min);
        let fits = |limit: u32| spread.is_some_and(|d| d <= i64::from(limit));
        let width = if fits(0) {
            Width::W0
        } else if fits(u8::MAX.into()) {
            Width::W8
        } else if fits(u16::MAX.into()) {
            Width::W16
        } else if fits(u32::MAX) {
            Width::W32
        } else {
            Width::W64
        };
        let base = if width == Width::W64 { 0 } else { min };
        /// Appends `values` less `base`, narrowed, to `store`; returns where they start.
        fn offsets<T>(store: &mut Vec<T>, values: &[i64], base: i64, narrow: fn(i64) -> T) -> u32 {
            let at = store.len() as u32;
            store.extend(values.iter().map(|&v| narrow(v - base)));
            at
        }
        let values = &self.pending;
        let at = match width {
            Width::W0 => 0,
            Width::W8 => offsets(&mut self.low8, values, base, |d| d as u8),
            Width::W16 => offsets(&mut self.low16, values, base, |d| d as u16),
            Width::W32 => offsets(&mut self.low32, values, base, |d| d as u32),
            Width::W64 => offsets(&mut self.wide, values, base, |v| v),
        };
        let block = Block { base, at, width };
        self.blocks.push(block);
        self.packed += self.pending.len();
        self.pending.clear();
    }

    /// Moves the last (partial) packed block back to `pending`.
    fn unpack_last(&mut self) {
        let Some(b) = self.blocks.pop() else { return };
        let first = self.blocks.len() * BLOCK;
        let n = self.packed - first;
        let values: Vec<i64> = (0..n).map(|j| self.value(b, j)).collect();
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
