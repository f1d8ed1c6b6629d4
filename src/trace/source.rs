//! Where trace bytes come from: a memory-mapped file, or bytes owned in memory (stdin,
//! tests). The only `unsafe` code of the crate lives here.
#![allow(unsafe_code)]

use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;

use memmap2::{Mmap, UncheckedAdvice};

/// The bytes of a trace file.
#[derive(Debug)]
pub enum Source {
    /// A read-only mapping of a file.
    Mapped(Mmap),
    /// Bytes held in memory.
    Owned(Vec<u8>),
}

impl Source {
    /// Maps the file at `path`; `-` reads standard input into memory instead.
    pub fn open(path: &Path) -> io::Result<Source> {
        if path.as_os_str() == "-" {
            let mut buf = Vec::new();
            io::stdin().lock().read_to_end(&mut buf)?;
            return Ok(Source::Owned(buf));
        }
        let file = File::open(path)?;
        if file.metadata()?.len() == 0 {
            // Mapping an empty file fails on some systems; an empty buffer reads the same.
            return Ok(Source::Owned(Vec::new()));
        }
        // SAFETY: the mapping is read-only. If another process truncates or rewrites the
        // file while we read it, we may see changed bytes or get SIGBUS — the accepted
        // trade-off of every mmap-based reader; trace files are written once and then read.
        let map = unsafe { Mmap::map(&file)? };
        // Decoding walks the file front to back; read-ahead helps and costs nothing.
        let _ = map.advise(memmap2::Advice::Sequential);
        Ok(Source::Mapped(map))
    }

    /// The whole trace.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Source::Mapped(m) => m,
            Source::Owned(v) => v,
        }
    }

    /// Tells the kernel the pages of `range` are no longer needed, so a pass over a huge
    /// file keeps only the generation being decoded resident. Data borrowed from the range
    /// stays valid: the pages are read back from the file if touched again. Does nothing
    /// for owned bytes.
    pub fn release(&self, range: Range<usize>) {
        let Source::Mapped(map) = self else { return };
        const PAGE: usize = 4096;
        let start = range.start.div_ceil(PAGE) * PAGE;
        let end = (range.end.min(map.len()) / PAGE) * PAGE;
        if start >= end {
            return;
        }
        // SAFETY: MADV_DONTNEED on a read-only, file-backed private mapping only drops
        // clean page-cache references; the contents are unchanged when faulted back in, so
        // outstanding borrows of the mapping still see the same bytes.
        let _ =
            unsafe { map.unchecked_advise_range(UncheckedAdvice::DontNeed, start, end - start) };
    }

    /// Hands back the pages a front-to-back walk over the file has passed, a MiB at a
    /// time: [`Behind::upto`] after each step, [`Behind::finish`] at the end.
    pub fn behind(&self) -> Behind<'_> {
        Behind {
            source: self,
            released: 0,
        }
    }
}

/// Releases a walk's pages behind it ([`Source::behind`]).
pub struct Behind<'a> {
    source: &'a Source,
    released: usize,
}

impl Behind<'_> {
    /// The walk has read the file up to `at`.
    pub fn upto(&mut self, at: usize) {
        const STEP: usize = 1 << 20;
        if at >= self.released + STEP {
            self.source.release(self.released..at);
            self.released = at;
        }
    }

    /// The walk is over: the rest of the file goes back too.
    pub fn finish(self) {
        self.source
            .release(self.released..self.source.bytes().len());
    }
}
