//! One-pass consumers of the ordered event stream, producing compact owned results.
//! No UI here: the explorer and the headless reports read these results.

pub mod events;
pub mod flows;
pub mod gomath;
pub mod goroutines;
pub mod gstates;
pub mod mmu;
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
    let mut counts: rustc_hash::FxHashMap<i64, u32> = Default::default();
    for x in items {
        *counts.entry(major(x)).or_default() += 1;
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
    let mut order = vec![0u32; items.len()];
    for (i, x) in items.iter().enumerate() {
        let slot = next.get_mut(&major(x)).expect("counted above");
        order[*slot as usize] = i as u32;
        *slot += 1;
    }
    for g in groups {
        order[g].sort_by_key(|&i| minor(&items[i as usize]));
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
pub fn run(mut reader: Reader<'_>, consumers: &mut [&mut dyn Consumer]) -> (u64, Option<Error>) {
    let mut n = 0;
    loop {
        match reader.next_ref() {
            Ok(Some(ev)) => {
                n += 1;
                for c in consumers.iter_mut() {
                    c.event(ev);
                }
            }
            Ok(None) => return (n, None),
            Err(e) => return (n, Some(e)),
        }
    }
}

/// Per-goroutine state for hundreds of thousands of goroutines: the values in one dense
/// vector and a map from ID to position, so the big part grows by reallocation (which
/// large allocations do in place) rather than by rehashing a map of large entries, and
/// stays compact. A value inserted again under the same ID replaces the old one.
#[derive(Debug)]
pub(crate) struct ById<T> {
    values: Vec<T>,
    index: rustc_hash::FxHashMap<i64, u32>,
}

impl<T> Default for ById<T> {
    fn default() -> Self {
        ById {
            values: Vec::new(),
            index: Default::default(),
        }
    }
}

impl<T> ById<T> {
    /// Stores `v` under `id`, replacing an earlier value.
    pub(crate) fn insert(&mut self, id: i64, v: T) {
        match self.index.get(&id) {
            Some(&i) => self.values[i as usize] = v,
            None => {
                self.index.insert(id, self.values.len() as u32);
                self.values.push(v);
            }
        }
    }

    /// The value of `id`.
    pub(crate) fn get(&self, id: &i64) -> Option<&T> {
        self.index.get(id).map(|&i| &self.values[i as usize])
    }

    /// The value of `id`, mutably.
    pub(crate) fn get_mut(&mut self, id: &i64) -> Option<&mut T> {
        self.index.get(id).map(|&i| &mut self.values[i as usize])
    }

    /// Whether `id` has a value.
    pub(crate) fn contains_key(&self, id: &i64) -> bool {
        self.index.contains_key(id)
    }

    /// The value of `id`, inserted as the default first if missing.
    pub(crate) fn entry_or_default(&mut self, id: i64) -> &mut T
    where
        T: Default,
    {
        let next = self.values.len() as u32;
        let i = *self.index.entry(id).or_insert(next) as usize;
        if i == self.values.len() {
            self.values.push(T::default());
        }
        &mut self.values[i]
    }

    /// (ID, value) pairs, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, &T)> {
        self.index
            .iter()
            .map(|(&id, &i)| (id, &self.values[i as usize]))
    }

    /// The values, in insertion order; the index is dropped.
    pub(crate) fn into_values(self) -> Vec<T> {
        self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
