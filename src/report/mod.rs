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
    Ok(
        open_reader_reporting(source, None)?.on_pages_done(Box::new(|from, to| {
            source.release(from as usize..to as usize)
        })),
    )
}

/// A reader that hands each decoded generation's pages back to the kernel (not each
/// batch's: the explorer's loading runs two of these side by side over the same pages,
/// and releasing batches there made each pass fault in again what the other had just
/// released, analysis 6.1-6.3 -> 6.5-7.3 s on the 200 MB benchmark trace, for no lower
/// peak, which is set when the timeline is sealed), and stores in `progress` how many
/// bytes have been decoded, at each generation's end (a loading gauge reads it from
/// another thread).
pub fn open_reader_reporting<'a>(
    source: &'a crate::trace::Source,
    progress: Option<&'a std::sync::atomic::AtomicU64>,
) -> Result<crate::trace::Reader<'a>, crate::trace::Error> {
    Ok(
        crate::trace::Reader::new(source.bytes())?.on_generation_done(Box::new(move |from, to| {
            if let Some(p) = progress {
                p.store(to, std::sync::atomic::Ordering::Relaxed);
            }
            source.release(from as usize..to as usize)
        })),
    )
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
