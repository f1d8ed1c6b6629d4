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

/// A reader over a whole trace that hands each decoded generation's pages back to the
/// kernel, so a pass keeps about one generation of the file resident.
pub fn open_reader(
    source: &crate::trace::Source,
) -> Result<crate::trace::Reader<'_>, crate::trace::Error> {
    open_reader_reporting(source, None)
}

/// Like [`open_reader`], and stores in `progress` how many bytes have been decoded, at
/// each generation's end (a loading gauge reads it from another thread).
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
