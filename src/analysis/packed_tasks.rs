//! The packed store of task summaries: each task as one variable-length record of
//! LEB128 integers (times as deltas from the one before), instead of a 176-byte struct
//! plus five small vectors: 33.5 MB for the 99,846 tasks of the 200 MB benchmark trace.
//! Records are only read here, decoded into an owned [`TaskSummary`] on demand; the bytes
//! never come from outside the process.

use super::Name;
use super::column::I64Column;
use super::goroutines::{EventRef, RegionKey, TaskSummary};
use super::packed::{Cursor, NameTable, flag, put_i64, put_u64};

const HAS_PARENT: u8 = 1;
const HAS_START: u8 = 2;
const HAS_END: u8 = 4;

/// Every task, sorted by ID, packed.
#[derive(Debug, Default)]
pub struct Tasks {
    /// Task IDs, ascending.
    ids: Vec<u64>,
    /// Where each task's record starts in `bytes`.
    offsets: I64Column,
    bytes: Vec<u8>,
    /// Task types and log categories.
    names: NameTable,
}

/// Packs tasks as they end, so a pass holds few whole [`TaskSummary`]s at a time: a task
/// packed too early (a region or log of it comes after its end) is unpacked again.
#[derive(Debug, Default)]
pub(crate) struct TasksBuilder {
    store: Tasks,
}

impl TasksBuilder {
    /// Packs `t`, returning where its record starts.
    pub(crate) fn pack(&mut self, t: &TaskSummary) -> usize {
        let at = self.store.bytes.len();
        self.store.push(t);
        at
    }

    /// The task packed at `at`.
    pub(crate) fn unpack(&self, at: usize, id: u64) -> TaskSummary {
        self.store.decode_at(at, id)
    }

    /// The store of the tasks `records` lists, as (ID, where its record starts), one
    /// record per ID. Records packed and not listed (tasks unpacked again) are left
    /// unreachable.
    pub(crate) fn finish(mut self, mut records: Vec<(u64, usize)>) -> Tasks {
        records.sort_unstable_by_key(|&(id, _)| id);
        let s = &mut self.store;
        s.ids = records.iter().map(|&(id, _)| id).collect();
        s.offsets = I64Column::from_values(records.iter().map(|&(_, at)| at as i64));
        s.bytes.shrink_to_fit();
        self.store
    }
}

impl Tasks {
    /// The tasks, sorted by ID; each ID must appear once.
    pub fn new(tasks: Vec<TaskSummary>) -> Tasks {
        let mut b = TasksBuilder::default();
        let records = tasks.iter().map(|t| (t.id, b.pack(t))).collect();
        b.finish(records)
    }

    fn push(&mut self, t: &TaskSummary) {
        let name = self.names.id(&t.name);
        let w = &mut self.bytes;
        put_u64(w, name.into());
        w.push(
            flag(t.parent.is_some(), HAS_PARENT)
                | flag(t.start.is_some(), HAS_START)
                | flag(t.end.is_some(), HAS_END),
        );
        if let Some(p) = t.parent {
            put_u64(w, p);
        }
        // Times are written as the difference from the time written before.
        let mut prev = 0i64;
        let mut time = |w: &mut Vec<u8>, t: i64| {
            put_i64(w, t.wrapping_sub(prev));
            prev = t;
        };
        for e in [t.start, t.end].into_iter().flatten() {
            time(w, e.time);
            put_i64(w, e.goroutine);
        }
        put_u64(w, t.children.len() as u64);
        for &c in &t.children {
            put_u64(w, c);
        }
        put_u64(w, t.logs.len() as u64);
        for (e, category, message) in &t.logs {
            time(w, e.time);
            put_i64(w, e.goroutine);
            put_u64(w, self.names.id(category).into());
            put_u64(w, message.len() as u64);
            w.extend_from_slice(message.as_bytes());
        }
        put_u64(w, t.regions.len() as u64);
        for (g, key) in &t.regions {
            put_i64(w, *g);
            w.push(flag(key.start.is_some(), HAS_START) | flag(key.end.is_some(), HAS_END));
            for k in [key.start, key.end].into_iter().flatten() {
                time(w, k);
            }
        }
        put_u64(w, t.goroutines.len() as u64);
        for &g in &t.goroutines {
            put_i64(w, g);
        }
    }

    fn decode(&self, i: usize) -> TaskSummary {
        self.decode_at(self.offsets.get(i) as usize, self.ids[i])
    }

    fn decode_at(&self, at: usize, id: u64) -> TaskSummary {
        let mut r = Cursor::new(&self.bytes, at);
        let name = self.names.get(r.u32());
        let flags = r.byte();
        let parent = (flags & HAS_PARENT != 0).then(|| r.u64());
        let mut prev = 0i64;
        let mut time = |r: &mut Cursor<'_>| {
            prev = prev.wrapping_add(r.i64());
            prev
        };
        let mut event = |r: &mut Cursor<'_>, has: bool| {
            has.then(|| EventRef {
                time: time(r),
                goroutine: r.i64(),
            })
        };
        let start = event(&mut r, flags & HAS_START != 0);
        let end = event(&mut r, flags & HAS_END != 0);
        let n = r.u64() as usize;
        let children = (0..n).map(|_| r.u64()).collect();
        let n = r.u64() as usize;
        let logs = (0..n)
            .map(|_| {
                let e = event(&mut r, true).expect("always read");
                let category = self.names.get(r.u32());
                let len = r.u64() as usize;
                let message = String::from_utf8_lossy(r.bytes(len)).into();
                (e, category, message)
            })
            .collect();
        let n = r.u64() as usize;
        let regions = (0..n)
            .map(|_| {
                let g = r.i64();
                let f = r.byte();
                let start = (f & HAS_START != 0).then(|| time(&mut r));
                let end = (f & HAS_END != 0).then(|| time(&mut r));
                (g, RegionKey { start, end })
            })
            .collect();
        let n = r.u64() as usize;
        let goroutines = (0..n).map(|_| r.i64()).collect();
        TaskSummary {
            id,
            name,
            parent,
            children,
            start,
            end,
            logs,
            regions,
            goroutines,
        }
    }

    /// Every task's ID, type and begin event, by ascending ID: the start of each record
    /// alone, for a pass over all tasks that needs no more.
    pub fn heads(&self) -> impl ExactSizeIterator<Item = (u64, Name, Option<EventRef>)> + '_ {
        (0..self.ids.len()).map(|i| {
            let mut r = Cursor::new(&self.bytes, self.offsets.get(i) as usize);
            let name = self.names.get(r.u32());
            let flags = r.byte();
            if flags & HAS_PARENT != 0 {
                r.u64();
            }
            let start = (flags & HAS_START != 0).then(|| EventRef {
                time: r.i64(),
                goroutine: r.i64(),
            });
            (self.ids[i], name, start)
        })
    }

    /// Task `id`.
    pub fn get(&self, id: &u64) -> Option<TaskSummary> {
        let i = self.ids.binary_search(id).ok()?;
        Some(self.decode(i))
    }

    /// Whether there is a task `id`.
    pub fn contains_key(&self, id: &u64) -> bool {
        self.ids.binary_search(id).is_ok()
    }

    /// Every task, by ascending ID, each decoded as it is reached.
    pub fn values(&self) -> impl ExactSizeIterator<Item = TaskSummary> + '_ {
        (0..self.ids.len()).map(|i| self.decode(i))
    }

    /// How many tasks.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Heap bytes used.
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.ids.as_slice()) + self.offsets.bytes() + self.bytes.len()
    }
}

impl FromIterator<(u64, TaskSummary)> for Tasks {
    fn from_iter<I: IntoIterator<Item = (u64, TaskSummary)>>(iter: I) -> Self {
        Tasks::new(iter.into_iter().map(|(_, t)| t).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        Name::new(s.to_string())
    }

    #[test]
    fn every_task_comes_back_as_it_was_packed() {
        let shared = name("request");
        let tasks = vec![
            TaskSummary {
                id: 9,
                name: shared.clone(),
                parent: Some(u64::MAX),
                children: vec![3, 1 << 40],
                start: Some(EventRef {
                    time: 1_000_000_000_000,
                    goroutine: -1,
                }),
                end: Some(EventRef {
                    time: 999,
                    goroutine: i64::MAX,
                }),
                logs: vec![
                    (
                        EventRef {
                            time: i64::MIN,
                            goroutine: 7,
                        },
                        name("cat"),
                        "héllo, 世界".into(),
                    ),
                    (
                        EventRef {
                            time: 5,
                            goroutine: 8,
                        },
                        name(""),
                        "".into(),
                    ),
                ],
                regions: vec![
                    (
                        4,
                        RegionKey {
                            start: Some(10),
                            end: None,
                        },
                    ),
                    (
                        -3,
                        RegionKey {
                            start: None,
                            end: Some(i64::MAX),
                        },
                    ),
                ],
                goroutines: vec![4, -3, i64::MIN],
            },
            TaskSummary {
                id: 2,
                name: name("request"),
                ..TaskSummary::default()
            },
            TaskSummary {
                id: 0,
                name: shared,
                end: Some(EventRef {
                    time: 0,
                    goroutine: 0,
                }),
                ..TaskSummary::default()
            },
        ];
        let packed = Tasks::new(tasks.clone());
        let mut want = tasks;
        want.sort_by_key(|t| t.id);
        assert_eq!(packed.values().collect::<Vec<_>>(), want);
        let heads: Vec<_> = want
            .iter()
            .map(|t| (t.id, t.name.clone(), t.start))
            .collect();
        assert_eq!(packed.heads().collect::<Vec<_>>(), heads);
        assert_eq!(packed.len(), 3);
        assert_eq!(packed.get(&9).as_ref(), want.last());
        assert!(packed.get(&5).is_none());
        assert!(packed.contains_key(&2) && !packed.contains_key(&3));

        // Packed as they end, one unpacked and packed again: the store lists the last
        // record of each task.
        let mut b = TasksBuilder::default();
        let mut records: Vec<(u64, usize)> = want.iter().map(|t| (t.id, b.pack(t))).collect();
        let (id, at) = records[1];
        let mut again = b.unpack(at, id);
        assert_eq!(&again, &want[1]);
        again.goroutines.push(42);
        records[1].1 = b.pack(&again);
        records.reverse();
        want[1] = again;
        assert_eq!(b.finish(records).values().collect::<Vec<_>>(), want);
    }
}
