//! What the explorer shows, computed from the trace: the facts the index gives at once,
//! and the analyses one background pass produces.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::analysis::IdIndex;
use crate::analysis::goroutines::{Group, Summarizer, Summary, groups};
use crate::analysis::mmu::{MutatorUtil, UtilBuilder, UtilFlags};
use crate::analysis::profiles::{ProfileBuilder, Profiles};
use crate::analysis::tasks::{RegionType, TaskType, region_types, task_types};
use crate::analysis::timeline::{Timeline, TimelineBuilder};
use crate::trace::Source;
use crate::trace::index::Index;
use crate::trace::spec::Version;

/// The trace being explored: its bytes and where they came from.
#[derive(Debug)]
pub struct TraceFile {
    /// The bytes.
    pub source: Source,
    /// The path given on the command line (`-` for stdin, `demo` for the embedded one).
    pub path: PathBuf,
}

/// What the header pass tells before any event is decoded: enough for the first frame.
#[derive(Debug, Clone)]
pub struct Facts {
    /// File name as shown in the title bar.
    pub name: String,
    /// File size in bytes.
    pub size: u64,
    /// Trace format version.
    pub version: Version,
    /// Number of generations.
    pub generations: usize,
    /// First and last batch timestamps (ns), if any batch was readable.
    pub time_range: Option<(i64, i64)>,
    /// Event bytes and time range per generation (a density track for the first frame).
    pub generation_spans: Vec<(i64, i64, u64)>,
    /// What stopped the header pass early, if anything.
    pub index_error: Option<String>,
}

impl Facts {
    /// What the header alone tells (the first frame, before the index is read).
    pub fn from_header(name: String, size: u64, version: Version) -> Facts {
        Facts {
            name,
            size,
            version,
            generations: 0,
            time_range: None,
            generation_spans: Vec::new(),
            index_error: None,
        }
    }

    /// Reads the facts from the trace's index.
    pub fn from_index(name: String, index: &Index) -> Facts {
        let spans: Vec<(i64, i64, u64)> = index
            .generations
            .iter()
            .filter_map(|g| g.time_range.map(|(a, b)| (a, b, g.event_bytes())))
            .collect();
        let time_range = spans
            .iter()
            .map(|&(a, b, _)| (a, b))
            .reduce(|x, y| (x.0.min(y.0), x.1.max(y.1)));
        Facts {
            name,
            size: index.file_len,
            version: index.version,
            generations: index.generations.len(),
            time_range,
            generation_spans: spans,
            index_error: index.error.as_ref().map(|e| e.to_string()),
        }
    }
}

/// How far the loading passes have read, in bytes.
#[derive(Debug, Default)]
pub struct Progress([AtomicU64; 2]);

impl Progress {
    /// Bytes read by the pass that is furthest behind.
    pub fn bytes(&self) -> u64 {
        self.0
            .iter()
            .map(|p| p.load(Ordering::Relaxed))
            .min()
            .unwrap_or(0)
    }
}

/// The analyses behind every tab, from one pass over the trace.
#[derive(Debug)]
pub struct Model {
    /// Goroutine summaries, tasks and regions.
    pub summary: Summary,
    /// Goroutine groups by start function, most execution first.
    pub groups: Vec<Group>,
    /// Group index of each goroutine: an array by ID (2 MB on the 200 MB benchmark
    /// trace, where a hash map of its 414,000 goroutines took 9 MB).
    pub group_of: IdIndex,
    /// Each group's seven classic columns (execution, network wait, sync block,
    /// blocking syscall, scheduler wait, GC sweeping, GC pause), summed over its
    /// goroutines: computed here, in the background, as it visits every goroutine.
    pub group_classic: Vec<[i64; 7]>,
    /// Blocking profiles.
    pub profiles: Profiles,
    /// Task types.
    pub task_types: Vec<TaskType>,
    /// Region types.
    pub region_types: Vec<RegionType>,
    /// Mutator utilization with [`DEFAULT_MMU_FLAGS`].
    pub mmu_utils: Vec<Vec<MutatorUtil>>,
    /// The proc timeline, compact.
    pub procs: Arc<Timeline>,
    /// Events decoded.
    pub events: u64,
    /// The error that ended decoding early, if any (what came before it is shown).
    pub error: Option<String>,
    /// Peak resident memory after the pass (KiB), where the OS tells.
    pub peak_rss_kib: Option<u64>,
}

/// go tool trace's default MMU flags (its MMU page's checked boxes, and `gotrace-tui
/// mmu`'s default): stop-the-world, background workers and mark assists count as GC,
/// sweeping does not; one series for the whole program.
pub const DEFAULT_MMU_FLAGS: UtilFlags = UtilFlags(1 | 2 | 4);

impl Model {
    /// Decodes the trace into every analysis and reports progress (bytes read by the
    /// slower of two passes) through `progress`. The timeline is built by a second pass
    /// on another thread, as the two halves take about as long and machines have cores.
    pub fn build(file: &TraceFile, progress: &Progress) -> Result<Model, String> {
        let source = &file.source;
        let joint = crate::report::JointRelease::new(source);
        let reader = |part| {
            crate::report::open_reader_joint(source, Some(part), &joint).map_err(|e| e.to_string())
        };
        // The two passes end at about the same time, each at its largest. Finishing the
        // analyses shrinks them (the summaries are packed: 66 -> 32 MiB on the 200 MB
        // benchmark trace), finishing the timeline takes memory for a moment (its arrow
        // index): the timeline waits for the analyses to finish first, or to fail.
        let (analyses_done, analyses_finished) = std::sync::mpsc::channel::<()>();
        let (analyses, procs) = std::thread::scope(|s| {
            let timeline = s.spawn(move || -> Result<Timeline, String> {
                let mut procs = TimelineBuilder::new().compact();
                crate::analysis::run(reader(&progress.0[1])?, &mut [&mut procs]);
                // Ends when the analyses are finished, or have stopped.
                let _ = analyses_finished.recv();
                Ok(procs.finish())
            });
            let analyses = (|| -> Result<_, String> {
                let mut summarizer = Summarizer::new();
                let mut profiles = ProfileBuilder::new();
                let mut mmu = UtilBuilder::new(DEFAULT_MMU_FLAGS);
                let (events, err) = crate::analysis::run(
                    reader(&progress.0[0])?,
                    &mut [&mut summarizer, &mut profiles, &mut mmu],
                );
                let finished = (
                    summarizer.finish(),
                    profiles.finish(),
                    mmu.finish(),
                    events,
                    err,
                );
                drop(analyses_done);
                Ok(finished)
            })();
            let procs = timeline
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (analyses, procs)
        });
        let (summary, profiles, mmu_utils, events, err) = analyses?;
        let procs = procs?;
        for p in &progress.0 {
            p.store(source.bytes().len() as u64, Ordering::Relaxed);
        }
        let groups = groups(&summary);
        let mut group_of = IdIndex::default();
        for (i, g) in groups.iter().enumerate() {
            for &id in &g.goroutines {
                group_of.insert(id, i as u32);
            }
        }
        let group_classic = groups
            .iter()
            .map(|g| crate::report::goroutines::group_classic(&summary, &g.goroutines))
            .collect();
        let task_types = task_types(&summary);
        let region_types = region_types(&summary);
        Ok(Model {
            groups,
            group_of,
            group_classic,
            profiles,
            task_types,
            region_types,
            mmu_utils,
            procs: Arc::new(procs),
            summary,
            events,
            error: err.map(|e| e.to_string()),
            peak_rss_kib: crate::report::bench::peak_rss_kib(),
        })
    }

    /// Builds the thread timeline (one lane per OS thread) on a thread of its own: a
    /// pass of its own, run when the user first asks for thread rows. Its goroutine runs
    /// are the proc timeline's, `procs`, on other lanes, and stay there: the thread
    /// lanes refer to them.
    pub fn build_threads(
        file: &SharedFile,
        procs: &Arc<Timeline>,
    ) -> std::sync::mpsc::Receiver<Result<Timeline, String>> {
        in_background(
            file,
            "thread timeline",
            TimelineBuilder::by_thread()
                .compact()
                .second_view()
                .sharing_spans_of(procs.clone()),
            |b| b.finish(),
        )
    }

    /// The start function of goroutine `g` ("" if unknown).
    pub fn goroutine_name(&self, g: i64) -> &str {
        self.summary.goroutines.name(&g).unwrap_or("")
    }

    /// First and last event times.
    pub fn time_range(&self) -> (i64, i64) {
        (self.summary.first_time, self.summary.last_time)
    }
}

/// Shared handle on the trace file, for views that decode again on demand.
pub type SharedFile = Arc<TraceFile>;

/// Runs `consumer` over the whole trace on a thread of its own (named `name`), then
/// `finish` turns it into the result that arrives on the returned channel: what the
/// views compute on demand (thread rows, goroutine states, a goroutine's events) without
/// stopping the keys. A decoding error after the start keeps what was read before it,
/// as the analyses do.
pub fn in_background<C, R>(
    file: &SharedFile,
    name: &str,
    mut consumer: C,
    finish: impl FnOnce(C) -> R + Send + 'static,
) -> std::sync::mpsc::Receiver<Result<R, String>>
where
    C: crate::analysis::Consumer + Send + 'static,
    R: Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    let file = file.clone();
    let spawned = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let source = &file.source;
            let r = crate::report::open_reader(source)
                .map_err(|e| e.to_string())
                .map(|reader| {
                    crate::analysis::run(reader, &mut [&mut consumer]);
                    finish(consumer)
                });
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        // The receiver then reports the failure instead of waiting forever.
        let (tx, rx) = std::sync::mpsc::channel();
        let _ = tx.send(Err(format!("cannot start a thread: {e}")));
        return rx;
    }
    rx
}
