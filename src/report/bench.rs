//! `gotrace-tui bench`: one full ordered decode, timed, with peak memory.

use std::io::Write;
use std::time::Instant;

use crate::trace::dump::DumpError;
use crate::trace::{Kind, Reader, Source};

/// Decodes every event of `source` in order (nothing printed per event) and writes the
/// event count, time, throughput and peak resident memory. With `release`, the pages of
/// the file are handed back to the kernel as the reader is done with them (each
/// generation's walk over its batch headers, each batch of events, each generation).
pub fn run(source: &Source, release: bool, out: &mut impl Write) -> Result<(), DumpError> {
    let bytes = source.bytes();
    let start = Instant::now();
    let mut reader = Reader::new(bytes)?;
    if release {
        reader = reader
            .on_generation_done(Box::new(|from, to| {
                source.release(from as usize..to as usize)
            }))
            .on_pages_done(Box::new(|from, to| {
                source.release(from as usize..to as usize)
            }));
    }
    let mut events = 0u64;
    let mut by_kind = [0u64; 16];
    let mut result = Ok(());
    loop {
        match reader.next_ref() {
            Ok(Some(ev)) => {
                events += 1;
                by_kind[ev.kind() as usize] += 1;
            }
            Ok(None) => break,
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = bytes.len() as f64 / 1e6;
    writeln!(out, "file bytes      {}", bytes.len())?;
    writeln!(out, "events          {events}")?;
    writeln!(out, "seconds         {secs:.3}")?;
    writeln!(out, "MB/s            {:.1}", mb / secs)?;
    writeln!(out, "Mevents/s       {:.2}", events as f64 / secs / 1e6)?;
    if let Some(kb) = peak_rss_kib() {
        writeln!(out, "peak RSS        {:.1} MiB", kb as f64 / 1024.0)?;
    }
    let kinds = [
        Kind::Sync,
        Kind::Metric,
        Kind::Label,
        Kind::StackSample,
        Kind::RangeBegin,
        Kind::RangeActive,
        Kind::RangeEnd,
        Kind::TaskBegin,
        Kind::TaskEnd,
        Kind::RegionBegin,
        Kind::RegionEnd,
        Kind::Log,
        Kind::StateTransition,
        Kind::Experimental,
    ];
    for k in kinds {
        if by_kind[k as usize] > 0 {
            writeln!(out, "  {:<16}{}", k.name(), by_kind[k as usize])?;
        }
    }
    result.map_err(DumpError::from)
}

/// The process's peak resident set size (`VmHWM`), in KiB, where the OS reports it.
pub fn peak_rss_kib() -> Option<u64> {
    status_kib("VmHWM:")
}

/// Resident memory now (KiB), where the OS tells (Linux).
pub fn rss_kib() -> Option<u64> {
    status_kib("VmRSS:")
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The floor under any ordered decode: walks every generation's batches and decodes every
/// event's varints, with no ordering, no events built. Prints the event count and time.
pub fn run_scan(source: &Source, out: &mut impl Write) -> Result<(), DumpError> {
    use crate::trace::reader::{HEADER_LEN, read_header};
    use crate::trace::spec::TIMED_ARGS;
    use crate::trace::tables::GenerationReader;
    use crate::trace::wire::uvarint;

    let bytes = source.bytes();
    let start = Instant::now();
    let version = read_header(bytes)?;
    let mut gens = GenerationReader::new(version, &bytes[HEADER_LEN..], HEADER_LEN as u64);
    let (mut events, mut checksum) = (0u64, 0u64);
    fn next<'a>(
        gens: &mut GenerationReader<'a>,
        version: crate::trace::spec::Version,
    ) -> crate::trace::Result<Option<crate::trace::tables::Generation<'a>>> {
        if version < crate::trace::spec::Version::Go126 {
            gens.read_generation_with_spill(|_| {})
                .map(|(g, _)| Some(g))
        } else {
            gens.read_generation(|_| {})
        }
    }
    while let Some(g) = next(&mut gens, version)? {
        for b in g.ms.iter().flat_map(|m| &m.batches) {
            let mut d = b.data;
            while let Some(&typ) = d.first() {
                let n = TIMED_ARGS[typ as usize] as usize;
                let mut i = 1;
                for _ in 0..n.max(1) {
                    let Ok((v, k)) = uvarint(&d[i.min(d.len())..]) else {
                        break;
                    };
                    checksum = checksum.wrapping_add(v);
                    i += k;
                }
                d = &d[i.min(d.len())..];
                events += 1;
            }
        }
        if version < crate::trace::spec::Version::Go126 && !gens.has_spill() {
            break;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    writeln!(out, "file bytes      {}", bytes.len())?;
    writeln!(out, "wire events     {events} (checksum {checksum})")?;
    writeln!(out, "seconds         {secs:.3}")?;
    writeln!(
        out,
        "MB/s            {:.1}",
        bytes.len() as f64 / 1e6 / secs
    )?;
    Ok(())
}

/// Runs every analysis consumer (goroutine summaries with tasks and regions, the four
/// blocking profiles, the MMU utilization series) in one pass and reports time and memory.
/// `only` names the consumers to run (goroutines, profiles, mmu); empty runs them all.
pub fn run_analysis(
    source: &Source,
    only: &[String],
    out: &mut impl Write,
) -> Result<(), DumpError> {
    use crate::analysis::goroutines::Summarizer;
    use crate::analysis::mmu::{UtilBuilder, UtilFlags};
    use crate::analysis::profiles::ProfileBuilder;

    let start = Instant::now();
    let reader = super::open_reader(source)?;
    let mut summarizer = Summarizer::new();
    let mut profiles = ProfileBuilder::new();
    let mut util = UtilBuilder::new(UtilFlags::parse("stw|background|assist|sweep"));
    let runs = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    // On a second thread, the goroutine summaries and the profiles cost about as much as
    // the decoding and the MMU on this one (see analysis::run_split).
    let mut here: Vec<&mut dyn crate::analysis::Consumer> = Vec::new();
    let mut there: Vec<&mut (dyn crate::analysis::Consumer + Send)> = Vec::new();
    if runs("goroutines") {
        there.push(&mut summarizer);
    }
    if runs("profiles") {
        there.push(&mut profiles);
    }
    if runs("mmu") {
        here.push(&mut util);
    }
    let (events, err) = crate::analysis::run_split(reader, &mut here, &mut there);
    let summary = summarizer.finish();
    let profiles = profiles.finish();
    let util = util.finish();
    let secs = start.elapsed().as_secs_f64();
    writeln!(out, "file bytes      {}", source.bytes().len())?;
    writeln!(out, "events          {events}")?;
    writeln!(out, "goroutines      {}", summary.goroutines.len())?;
    writeln!(out, "tasks           {}", summary.tasks.len())?;
    writeln!(
        out,
        "sched stacks    {}",
        profiles
            .records(crate::analysis::profiles::ProfileKind::Sched, None)
            .len()
    )?;
    writeln!(
        out,
        "util steps      {}",
        util.iter().map(Vec::len).sum::<usize>()
    )?;
    report_time_and_memory(out, secs, err)
}

/// Builds the proc-view timeline in one pass and reports its size, time and peak memory.
pub fn run_timeline(source: &Source, out: &mut impl Write) -> Result<(), DumpError> {
    use crate::analysis::timeline::TimelineBuilder;

    let start = Instant::now();
    let reader = super::open_reader(source)?;
    let mut builder = TimelineBuilder::new();
    let (events, err) = crate::analysis::run(reader, &mut [&mut builder]);
    let timeline = builder.finish();
    let secs = start.elapsed().as_secs_f64();
    writeln!(out, "file bytes      {}", source.bytes().len())?;
    writeln!(out, "events          {events}")?;
    writeln!(out, "slices          {}", timeline.slices.len())?;
    writeln!(out, "arrows          {}", timeline.arrows.len())?;
    writeln!(out, "instants        {}", timeline.instants.len())?;
    writeln!(out, "stacks          {}", timeline.stacks.len())?;
    report_time_and_memory(out, secs, err)
}

/// The closing lines of an analysis benchmark: its time, the peak memory, and the decode
/// error that cut it short, if any.
fn report_time_and_memory(
    out: &mut impl Write,
    secs: f64,
    err: Option<crate::trace::Error>,
) -> Result<(), DumpError> {
    writeln!(out, "seconds         {secs:.3}")?;
    if let Some(kb) = peak_rss_kib() {
        writeln!(out, "peak RSS        {:.1} MiB", kb as f64 / 1024.0)?;
    }
    match err {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}
