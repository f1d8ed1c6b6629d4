//! The header pass: walks batch headers only (skipping bodies) to find every generation,
//! its byte range, its time range and the batches of each thread. On a 200 MB trace this
//! touches a few thousand headers, so it answers "what is in this file" before a single
//! event is decoded.

use super::error::{Error, Result};
use super::reader::{HEADER_LEN, read_header};
use super::source::Source;
use super::spec::{Version, ev};
use super::tables::{Batch, Frequency, NO_ID, read_batch};
use super::wire::Cursor;

/// What a batch holds, from its first body byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    /// Timed events of one thread.
    Events,
    /// String table section.
    Strings,
    /// Stack table section.
    Stacks,
    /// CPU samples.
    CpuSamples,
    /// The generation's sync batch (frequency, clock snapshot).
    Sync,
    /// Experimental data.
    Experimental,
}

/// One batch of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchInfo {
    /// What it holds.
    pub kind: BatchKind,
    /// The thread that wrote it, or −1.
    pub m: i64,
    /// Header timestamp in ticks.
    pub ticks: u64,
    /// File offset of the batch header.
    pub offset: u64,
    /// Body length in bytes.
    pub len: u32,
}

/// One generation of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationInfo {
    /// Generation number.
    pub number: u64,
    /// File offsets of the first byte and one past the last byte.
    pub start: u64,
    /// One past the last byte (after the end-of-generation marker for Go 1.26).
    pub end: u64,
    /// Every batch, in file order.
    pub batches: Vec<BatchInfo>,
    /// Ticks per second, from the sync batch, if it was readable.
    pub frequency: Option<u64>,
    /// Smallest and largest batch header timestamp, in nanoseconds (Go's conversion).
    pub time_range: Option<(i64, i64)>,
    /// Whether the generation's end was seen (marker, next generation, or end of file).
    pub complete: bool,
}

impl GenerationInfo {
    /// Distinct threads with event batches, in order of first appearance.
    pub fn threads(&self) -> Vec<i64> {
        let mut ms: Vec<i64> = Vec::new();
        for b in self.batches.iter().filter(|b| b.kind == BatchKind::Events) {
            if !ms.contains(&b.m) {
                ms.push(b.m);
            }
        }
        ms
    }

    /// Bytes of event batches per thread (a density measure for a first frame).
    pub fn event_bytes(&self) -> u64 {
        self.batches
            .iter()
            .filter(|b| b.kind == BatchKind::Events)
            .map(|b| b.len as u64)
            .sum()
    }
}

/// The index of a whole trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    /// Format version.
    pub version: Version,
    /// File size.
    pub file_len: u64,
    /// Generations in file order.
    pub generations: Vec<GenerationInfo>,
    /// The error that stopped the header pass, if any; generations before it are intact.
    pub error: Option<Error>,
}

fn kind_of(b: &Batch<'_>, version: Version) -> BatchKind {
    if b.exp != 0 {
        return BatchKind::Experimental;
    }
    match b.data.first().copied() {
        Some(ev::STRINGS) => BatchKind::Strings,
        Some(ev::STACKS) => BatchKind::Stacks,
        Some(ev::CPU_SAMPLES) => BatchKind::CpuSamples,
        Some(ev::FREQUENCY) if version < Version::Go125 => BatchKind::Sync,
        Some(ev::SYNC) if version >= Version::Go125 => BatchKind::Sync,
        _ => BatchKind::Events,
    }
}

/// Reads the frequency from a sync batch body.
fn frequency_of(data: &[u8], version: Version) -> Option<u64> {
    let mut c = Cursor::new(data, 0);
    if version >= Version::Go125 {
        c.byte()?;
    }
    while let Some(t) = c.byte() {
        match t {
            ev::FREQUENCY => return c.uvarint("frequency").ok(),
            ev::CLOCK_SNAPSHOT => {
                for _ in 0..4 {
                    c.uvarint("clock").ok()?;
                }
            }
            _ => return None,
        }
    }
    None
}

impl Index {
    /// Builds the index of a whole trace file. Only a bad header is an error; a problem
    /// later ends the pass and is kept in [`Index::error`].
    pub fn build(data: &[u8]) -> Result<Index> {
        Self::build_reporting(data, |_| {})
    }

    /// Builds the index of a mapped trace file, handing its pages back to the kernel a
    /// MiB at a time behind the walk: the walk over the batch headers faults in the pages
    /// around each (most of the file), which would otherwise stay resident until the
    /// loading passes release them (14 MiB of the loading peak on the 200 MB benchmark
    /// trace).
    pub fn build_releasing(source: &Source) -> Result<Index> {
        let mut behind = source.behind();
        let index = Self::build_reporting(source.bytes(), |at| behind.upto(at));
        behind.finish();
        index
    }

    /// [`Index::build`], telling `read` the offset up to which the file was read after
    /// each batch.
    fn build_reporting(data: &[u8], mut read: impl FnMut(usize)) -> Result<Index> {
        let version = read_header(data)?;
        let mut c = Cursor::new(&data[HEADER_LEN..], HEADER_LEN as u64);
        let mut gens: Vec<GenerationInfo> = Vec::new();
        let mut error = None;
        loop {
            let at = c.offset();
            let b = match read_batch(&mut c) {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            };
            if b.is_end_of_generation() {
                if let Some(g) = gens.last_mut().filter(|g| !g.complete) {
                    g.end = c.offset();
                    g.complete = true;
                }
                continue;
            }
            let open = gens
                .last()
                .is_some_and(|g| !g.complete && g.number == b.generation);
            if !open {
                if let Some(g) = gens.last_mut() {
                    g.complete = true;
                }
                gens.push(GenerationInfo {
                    number: b.generation,
                    start: at,
                    end: at,
                    batches: Vec::new(),
                    frequency: None,
                    time_range: None,
                    complete: false,
                });
            }
            let kind = kind_of(&b, version);
            let g = gens.last_mut().expect("pushed above");
            if kind == BatchKind::Sync && g.frequency.is_none() {
                g.frequency = frequency_of(b.data, version);
            }
            g.batches.push(BatchInfo {
                kind,
                m: if kind == BatchKind::Events {
                    b.m
                } else {
                    NO_ID
                },
                ticks: b.time,
                offset: at,
                len: b.data.len() as u32,
            });
            g.end = c.offset();
            read(c.offset() as usize);
        }
        // Before Go 1.26 a clean end of file completes the last generation.
        if error.is_none()
            && version < Version::Go126
            && let Some(g) = gens.last_mut()
        {
            g.complete = true;
        }
        for g in &mut gens {
            if let Some(f) = g.frequency.filter(|&f| f > 0) {
                let freq = Frequency(1.0 / (f as f64 / 1e9));
                let lo = g.batches.iter().map(|b| b.ticks).min();
                let hi = g.batches.iter().map(|b| b.ticks).max();
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    g.time_range = Some((freq.mul(lo), freq.mul(hi)));
                }
            }
        }
        Ok(Index {
            version,
            file_len: data.len() as u64,
            generations: gens,
            error,
        })
    }

    /// Total number of batches.
    pub fn batch_count(&self) -> usize {
        self.generations.iter().map(|g| g.batches.len()).sum()
    }
}
