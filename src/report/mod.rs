//! Headless renderings of decoded traces: the text behind each subcommand.

pub mod bench;
pub mod goroutines;
pub mod pprof;
pub mod stats;
pub mod tasks;

/// Decodes a whole trace into the goroutine summary (with its tasks and regions).
pub fn summarize(
    data: &[u8],
) -> Result<crate::analysis::goroutines::Summary, crate::trace::dump::DumpError> {
    let reader = crate::trace::Reader::new(data)?;
    let mut s = crate::analysis::goroutines::Summarizer::new();
    let (_, err) = crate::analysis::run(reader, &mut [&mut s]);
    match err {
        Some(e) => Err(e.into()),
        None => Ok(s.finish()),
    }
}
