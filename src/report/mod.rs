//! Headless renderings of decoded traces: the text behind each subcommand.

pub mod bench;
pub mod events;
pub mod flows;
pub mod goroutines;
pub mod mmu;
pub mod pprof;
pub mod search;
pub mod stats;
pub mod tasks;

/// A reader over a whole trace that hands the file's pages back to the kernel as it is
/// done with them (the walk over a generation's batch headers, each batch of events, each
/// generation): a pass keeps only the batches in progress resident, 7 MiB of the 200 MB
/// benchmark trace where a whole generation, 28-34 MiB, stayed before.
pub fn open_reader(
    source: &crate::trace::Source,
) -> Result<crate::trace::Reader<'_>, crate::trace::Error> {
    Ok(crate::trace::Reader::new(source.bytes())?
        .on_generation_done(Box::new(|from, to| {
            source.release(from as usize..to as usize)
        }))
        .on_pages_done(Box::new(|from, to| {
            source.release(from as usize..to as usize)
        })))
}

/// Pages of the file that two passes running side by side over it (the explorer's
/// loading) hand back to the kernel once both are done with them: a range goes back when
/// the second pass reports it. Releasing each pass's ranges as it finished them made the
/// other fault them in again (analysis 6.1-6.3 -> 6.5-7.3 s on the 200 MB benchmark
/// trace); releasing only whole generations kept 31-41 MiB of the file resident at the
/// loading's peak. When one pass runs far ahead (its walk over a generation's batch
/// headers maps most of the generation), ranges past [`JointRelease::WAITING`] bytes go
/// back at once, and again when the other pass is done with them.
pub struct JointRelease<'a> {
    source: &'a crate::trace::Source,
    state: std::sync::Mutex<Waiting>,
}

/// The ranges one pass is done with and the other not yet.
#[derive(Default)]
struct Waiting {
    /// Kept for the other pass.
    kept: rustc_hash::FxHashSet<(u64, u64)>,
    /// Their bytes.
    bytes: u64,
    /// Released already, over [`JointRelease::WAITING`].
    released: rustc_hash::FxHashSet<(u64, u64)>,
}

impl<'a> JointRelease<'a> {
    /// Nothing reported yet.
    pub fn new(source: &'a crate::trace::Source) -> JointRelease<'a> {
        JointRelease {
            source,
            state: Default::default(),
        }
    }

    /// The most bytes kept resident for the pass behind.
    pub const WAITING: u64 = 8 << 20;

    fn done(&self, from: u64, to: u64) {
        let range = (from, to);
        let len = to.saturating_sub(from);
        let mut w = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if w.kept.remove(&range) {
            w.bytes -= len;
        } else if !w.released.remove(&range) {
            if w.bytes + len <= Self::WAITING {
                w.kept.insert(range);
                w.bytes += len;
                return;
            }
            w.released.insert(range);
        }
        drop(w);
        self.source.release(from as usize..to as usize);
    }
}

/// One of two readers over the whole trace that run side by side and hand the file's
/// pages back through `joint` (both report the same ranges: the walks over batch headers,
/// each batch of events, each generation), storing in
/// `progress` how many bytes have been decoded at each generation's end (a loading gauge
/// reads it from another thread).
pub fn open_reader_joint<'a>(
    source: &'a crate::trace::Source,
    progress: Option<&'a std::sync::atomic::AtomicU64>,
    joint: &'a JointRelease<'a>,
) -> Result<crate::trace::Reader<'a>, crate::trace::Error> {
    Ok(crate::trace::Reader::new(source.bytes())?
        .on_generation_done(Box::new(move |from, to| {
            if let Some(p) = progress {
                p.store(to, std::sync::atomic::Ordering::Relaxed);
            }
            joint.done(from, to)
        }))
        .on_pages_done(Box::new(move |from, to| joint.done(from, to))))
}

/// Decodes a whole trace into the goroutine summary (with its tasks and regions).
pub fn summarize(
    source: &crate::trace::Source,
) -> Result<crate::analysis::goroutines::Summary, crate::trace::dump::DumpError> {
    let reader = open_reader(source)?;
    let mut s = crate::analysis::goroutines::Summarizer::new();
    let (_, err) = crate::analysis::run_split(reader, &mut [], &mut [&mut s]);
    match err {
        Some(e) => Err(e.into()),
        None => Ok(s.finish()),
    }
}
