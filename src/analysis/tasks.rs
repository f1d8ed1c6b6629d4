//! User tasks and regions as go tool trace's task and region pages present them (Go 1.26,
//! `cmd/trace/tasks.go`, `regions.go`): types with counts and a latency histogram, and
//! each instance's span. Built from the goroutine [`Summary`], which collects tasks and
//! regions in the same pass.

use std::collections::BTreeMap;

use super::Name;
use super::column::I64Column;
use super::gomath;
use super::goroutines::{
    Distribution, ExecStats, RegionSummary, StackFrame, Summary, TaskSummary, distribution,
};

/// Go's `traceviewer.TimeHistogram`: five logarithmic buckets per power of ten.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeHistogram {
    /// Samples added.
    pub count: u64,
    /// Samples per bucket, from bucket 0.
    pub buckets: Vec<u64>,
    /// Lowest bucket in use (as Go tracks it).
    pub min_bucket: usize,
    /// Highest bucket in use.
    pub max_bucket: usize,
}

/// Go's `math.Log(math.Pow(10, 1.0/5))`; Go's Pow takes `Exp(y*Log(x))` for a fractional
/// exponent, all with Go's own Exp and Log.
fn log_div() -> f64 {
    gomath::log(gomath::exp(1.0 / 5.0 * gomath::log(10.0)))
}

impl TimeHistogram {
    /// Adds a duration in nanoseconds.
    pub fn add(&mut self, d: i64) {
        let bucket = if d > 0 {
            (gomath::log(d as f64) / log_div()) as usize
        } else {
            0
        };
        if self.buckets.len() <= bucket {
            self.buckets.resize(bucket + 1, 0);
        }
        self.buckets[bucket] += 1;
        // Go's condition, kept as is: while the highest bucket is 0, the lowest follows
        // the latest sample.
        if bucket < self.min_bucket || self.max_bucket == 0 {
            self.min_bucket = bucket;
        }
        if bucket > self.max_bucket {
            self.max_bucket = bucket;
        }
        self.count += 1;
    }

    /// The smallest duration of a bucket, ns.
    pub fn bucket_min(bucket: usize) -> i64 {
        crate::trace::tables::go_f64_to_i64(gomath::exp(bucket as f64 * log_div()))
    }

    /// The rows go tool trace draws: (bucket minimum, count) from the lowest to the
    /// highest bucket, and the upper end of the last one. `None` if empty.
    pub fn rows(&self) -> Option<(Vec<(i64, u64)>, i64)> {
        if self.count == 0 {
            return None;
        }
        let rows = (self.min_bucket..=self.max_bucket)
            .map(|b| {
                (
                    Self::bucket_min(b),
                    self.buckets.get(b).copied().unwrap_or(0),
                )
            })
            .collect();
        Some((rows, Self::bucket_min(self.max_bucket + 1)))
    }

    /// Nearest-rank percentile estimate from the buckets (the bucket's lower bound).
    pub fn percentile(&self, p: f64) -> Option<i64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((p / 100.0 * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (b, &c) in self.buckets.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(Self::bucket_min(b));
            }
        }
        None
    }
}

/// One task as the task page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSpan {
    /// Task ID.
    pub id: u64,
    /// Start, relative to the first event of the trace (ns).
    pub start: i64,
    /// Duration (to the end of the trace for tasks that did not end).
    pub duration: i64,
    /// Whether both begin and end are in the trace.
    pub complete: bool,
}

/// A task type: its tasks and the histogram of the complete ones' durations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskType {
    /// The type name.
    pub name: String,
    /// Tasks of this type, complete or not.
    pub count: usize,
    /// Durations of complete tasks.
    pub histogram: TimeHistogram,
    /// The tasks, shortest first (ties by ID).
    pub tasks: Vec<TaskSpan>,
}

impl TaskType {
    /// How many of the tasks have both ends in the trace.
    pub fn complete(&self) -> usize {
        self.tasks.iter().filter(|s| s.complete).count()
    }

    /// Nearest-rank percentiles of the complete tasks' durations, `None` if there are none
    /// (an incomplete task's duration is a lower bound, so it would bias them).
    pub fn distribution(&self) -> Option<Distribution> {
        let mut d: Vec<i64> = self
            .tasks
            .iter()
            .filter(|s| s.complete)
            .map(|s| s.duration)
            .collect();
        (!d.is_empty()).then(|| distribution(&mut d))
    }
}

fn task_span(summary: &Summary, t: &TaskSummary) -> TaskSpan {
    let start = t.start.map_or(summary.first_time, |e| e.time);
    let end = t.end.map_or(summary.last_time, |e| e.time);
    TaskSpan {
        id: t.id,
        start: start - summary.first_time,
        duration: end - start,
        complete: t.complete(),
    }
}

/// Task types sorted by name, as the tasks page shows them.
pub fn task_types(summary: &Summary) -> Vec<TaskType> {
    let mut by_name: BTreeMap<Name, TaskType> = BTreeMap::new();
    for t in summary.tasks.values() {
        let e = by_name.entry(t.name.clone()).or_insert_with(|| TaskType {
            name: t.name.to_string(),
            count: 0,
            histogram: TimeHistogram::default(),
            tasks: Vec::new(),
        });
        e.count += 1;
        if let (Some(s), Some(end)) = (t.start, t.end) {
            e.histogram.add(end.time - s.time);
        }
        e.tasks.push(task_span(summary, &t));
    }
    let mut v: Vec<TaskType> = by_name.into_values().collect();
    for t in &mut v {
        t.tasks.sort_by_key(|s| (s.duration, s.id));
    }
    v
}

/// One region as a region type's page lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionSpan {
    /// The goroutine it ran on.
    pub goroutine: i64,
    /// Its task.
    pub task: u64,
    /// Begin time (absolute ns), if it began inside the trace.
    pub start: Option<i64>,
    /// Duration (trace start/end standing in for missing ends).
    pub duration: i64,
    /// What the goroutine did inside it, summed by kind ([`RegionSpan::stats`] has the
    /// breakdown by block reason and range).
    pub totals: RegionTotals,
    /// Its position among its goroutine's regions ([`GoroutineSummary::regions`]).
    index: u32,
}

/// The sums of a region's [`ExecStats`], as the regions page lists them: 48 bytes held
/// inline, where a region's full statistics hold two boxed maps (a 200 MB trace has
/// 151,189 regions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegionTotals {
    /// Execution.
    pub exec: i64,
    /// Scheduler wait.
    pub sched_wait: i64,
    /// Syscall.
    pub syscall: i64,
    /// Blocking syscall.
    pub syscall_block: i64,
    /// Blocked, all reasons together.
    pub blocked: i64,
    /// Go's unknown time ([`ExecStats::unknown`]).
    pub unknown: i64,
}

impl RegionTotals {
    fn of(s: &ExecStats) -> RegionTotals {
        RegionTotals {
            exec: s.exec,
            sched_wait: s.sched_wait,
            syscall: s.syscall,
            syscall_block: s.syscall_block,
            blocked: s.block_by_reason.sum(),
            unknown: s.unknown(),
        }
    }
}

impl RegionSpan {
    /// What the goroutine did inside the region, in full (by block reason and range),
    /// read back from the goroutine's summary.
    pub fn stats(&self, summary: &Summary) -> Option<ExecStats> {
        let g = summary.goroutines.get(&self.goroutine)?;
        let r = g.regions.get(self.index as usize)?;
        Some(r.stats.clone())
    }
}

/// A region type: regions grouped by name and by the outermost frame of their begin
/// stack, as go tool trace groups them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionType {
    /// The region name.
    pub name: String,
    /// The grouping frame (zero for regions without a begin stack).
    pub frame: StackFrame,
    /// Histogram of all the regions' durations.
    pub histogram: TimeHistogram,
    /// The regions, longest first (ties by goroutine and start).
    pub regions: RegionSpans,
}

/// A region type's regions, packed: a column per field. As 96-byte structs, the 259,520
/// regions of the 200 MB benchmark trace took 24 MB.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionSpans {
    /// goroutine, task, start (`i64::MIN` for none), duration, the six totals, index.
    columns: [I64Column; 11],
}

impl RegionSpans {
    /// Number of regions.
    pub fn len(&self) -> usize {
        self.columns[0].len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Region `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<RegionSpan> {
        (i < self.len()).then(|| {
            let c = |k: usize| self.columns[k].get(i);
            RegionSpan {
                goroutine: c(0),
                task: c(1) as u64,
                start: Some(c(2)).filter(|&t| t != i64::MIN),
                duration: c(3),
                totals: RegionTotals {
                    exec: c(4),
                    sched_wait: c(5),
                    syscall: c(6),
                    syscall_block: c(7),
                    blocked: c(8),
                    unknown: c(9),
                },
                index: c(10) as u32,
            }
        })
    }

    /// The regions' durations, in order.
    pub fn durations(&self) -> impl ExactSizeIterator<Item = i64> + '_ {
        self.columns[3].iter()
    }

    /// The first (longest) region.
    pub fn first(&self) -> Option<RegionSpan> {
        self.get(0)
    }

    /// The regions, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = RegionSpan> + '_ {
        (0..self.len()).map(|i| self.get(i).expect("in range"))
    }

    fn push(&mut self, r: &RegionSpan) {
        let t = &r.totals;
        let values = [
            r.goroutine,
            r.task as i64,
            r.start.unwrap_or(i64::MIN),
            r.duration,
            t.exec,
            t.sched_wait,
            t.syscall,
            t.syscall_block,
            t.blocked,
            t.unknown,
            i64::from(r.index),
        ];
        for (c, v) in self.columns.iter_mut().zip(values) {
            c.push(v);
        }
    }
}

impl RegionSpans {
    /// The regions longest first (ties by goroutine, then start, then as they were),
    /// sealed: a sort of their positions, read from the columns.
    fn longest_first(self) -> RegionSpans {
        let c = &self.columns;
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        order.sort_by_key(|&i| {
            let i = i as usize;
            (std::cmp::Reverse(c[3].get(i)), c[0].get(i), c[2].get(i))
        });
        let mut sorted = RegionSpans::default();
        for (to, from) in sorted.columns.iter_mut().zip(c) {
            for &i in &order {
                to.push(from.get(i as usize));
            }
            to.seal();
        }
        sorted
    }
}

impl FromIterator<RegionSpan> for RegionSpans {
    fn from_iter<T: IntoIterator<Item = RegionSpan>>(iter: T) -> RegionSpans {
        let mut spans = RegionSpans::default();
        for r in iter {
            spans.push(&r);
        }
        for c in &mut spans.columns {
            c.seal();
        }
        spans
    }
}

impl RegionType {
    /// Nearest-rank percentiles of all the regions' durations.
    pub fn distribution(&self) -> Distribution {
        let mut d: Vec<i64> = self.regions.durations().collect();
        distribution(&mut d)
    }
}

/// The regions of a task, in order of appearance, with the goroutine each ran on.
pub fn task_regions(summary: &Summary, t: &TaskSummary) -> Vec<(i64, RegionSummary)> {
    t.regions
        .iter()
        .filter_map(|(g, key)| {
            let gs = summary.goroutines.get(g)?;
            gs.regions
                .into_iter()
                .find(|r| match key.start {
                    Some(s) => r.start.map(|e| e.time) == Some(s),
                    None => r.start.is_none() && r.end.map(|e| e.time) == key.end,
                })
                .map(|r| (*g, r))
        })
        .collect()
}

fn region_span(summary: &Summary, goroutine: i64, index: usize, r: &RegionSummary) -> RegionSpan {
    let start = r.start.map_or(summary.first_time, |e| e.time);
    let end = r.end.map_or(summary.last_time, |e| e.time);
    RegionSpan {
        goroutine,
        task: r.task,
        start: r.start.map(|e| e.time),
        duration: end - start,
        totals: RegionTotals::of(&r.stats),
        index: index as u32,
    }
}

/// Region types sorted by name then frame PC, as the regions page shows them.
pub fn region_types(summary: &Summary) -> Vec<RegionType> {
    // Each type's regions packed as they come, then reordered: as structs until sorted,
    // the 259,520 regions of the 200 MB benchmark trace took 25 MB for a moment.
    let mut by_key: BTreeMap<(String, u64, StackFrame), RegionType> = BTreeMap::new();
    for g in summary.goroutines.values() {
        for (index, r) in g.regions.iter().enumerate() {
            let frame = r
                .frame
                .map(|f| summary.frames[f as usize].clone())
                .unwrap_or_default();
            let t = by_key
                .entry((r.name.to_string(), frame.pc, frame.clone()))
                .or_insert_with(|| RegionType {
                    name: r.name.to_string(),
                    frame,
                    histogram: TimeHistogram::default(),
                    regions: RegionSpans::default(),
                });
            let span = region_span(summary, g.id, index, r);
            t.histogram.add(span.duration);
            t.regions.push(&span);
        }
    }
    by_key
        .into_values()
        .map(|mut t| {
            t.regions = std::mem::take(&mut t.regions).longest_first();
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_regions_read_back_as_pushed() {
        let spans: Vec<RegionSpan> = (0..300i64)
            .map(|k| RegionSpan {
                goroutine: 1 + k % 7,
                task: if k % 5 == 0 { 0 } else { u64::MAX - k as u64 },
                start: (k % 4 != 0).then_some(1_700_000_000_000 + k * 997),
                duration: 10_000_000 - k * 31,
                totals: RegionTotals {
                    exec: k * 1_000,
                    sched_wait: k % 3,
                    syscall: 0,
                    syscall_block: i64::MAX - k,
                    blocked: k << 33,
                    unknown: 5,
                },
                index: (k * 13) as u32,
            })
            .collect();
        let packed: RegionSpans = spans.iter().copied().collect();
        assert_eq!(packed.len(), spans.len());
        assert_eq!(packed.iter().collect::<Vec<_>>(), spans);
        assert_eq!(packed.first(), spans.first().copied());
        assert_eq!(packed.get(spans.len()), None);
        assert!(packed.durations().eq(spans.iter().map(|r| r.duration)));
        assert!(RegionSpans::default().is_empty());
    }

    #[test]
    fn histogram_buckets_follow_go() {
        let mut h = TimeHistogram::default();
        h.add(300_000);
        h.add(2_600_000);
        let (rows, end) = h.rows().unwrap();
        // Five buckets per decade: 251188 ≤ 300µs < 398107; 2511886 ≤ 2.6ms < 3981071.
        assert_eq!(rows.first(), Some(&(251_188, 1)));
        assert_eq!(rows.last(), Some(&(2_511_886, 1)));
        assert_eq!(rows.len(), 6);
        assert_eq!(end, 3_981_071);
        assert_eq!(h.percentile(50.0), Some(251_188));
        assert_eq!(h.percentile(100.0), Some(2_511_886));
    }
}
