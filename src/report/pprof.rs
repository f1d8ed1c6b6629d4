//! `gotrace-tui pprof`: blocking profiles as gzipped pprof protobufs that `go tool pprof`
//! reads (the same layout as `go tool trace -pprof=TYPE`), or as a top-N table.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::analysis::profiles::Record;
use crate::report::goroutines::go_duration;

/// A minimal protobuf writer: just the wire types pprof's `profile.proto` uses.
#[derive(Default)]
struct Proto(Vec<u8>);

impl Proto {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn key(&mut self, field: u32, wire: u8) {
        self.varint((field as u64) << 3 | wire as u64);
    }

    fn uint(&mut self, field: u32, v: u64) {
        if v != 0 {
            self.key(field, 0);
            self.varint(v);
        }
    }

    fn int(&mut self, field: u32, v: i64) {
        self.uint(field, v as u64);
    }

    fn bytes(&mut self, field: u32, b: &[u8]) {
        self.key(field, 2);
        self.varint(b.len() as u64);
        self.0.extend_from_slice(b);
    }

    fn packed(&mut self, field: u32, vs: &[u64]) {
        if vs.is_empty() {
            return;
        }
        let mut inner = Proto::default();
        for &v in vs {
            inner.varint(v);
        }
        self.bytes(field, &inner.0);
    }
}

/// Interns strings into the profile's string table (index 0 is "").
#[derive(Default)]
struct Strings {
    table: Vec<String>,
    index: BTreeMap<String, u64>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        if self.table.is_empty() {
            self.table.push(String::new());
            self.index.insert(String::new(), 0);
        }
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.table.len() as u64;
        self.table.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// Encodes records as a pprof `Profile` message (uncompressed), with Go's sample types
/// (`contentions/count`, `delay/nanoseconds`) and period type (`trace/count`), locations
/// by PC and functions by file+name, numbered in order of first use as Go's
/// `traceviewer.BuildProfile` does.
pub fn encode(records: &[Record]) -> Vec<u8> {
    let mut strings = Strings::default();
    let mut p = Proto::default();
    let value_type = |strings: &mut Strings, t: &str, u: &str| {
        let mut m = Proto::default();
        m.int(1, strings.id(t) as i64);
        m.int(2, strings.id(u) as i64);
        m.0
    };
    let contentions = value_type(&mut strings, "contentions", "count");
    let delay = value_type(&mut strings, "delay", "nanoseconds");
    p.bytes(1, &contentions);
    p.bytes(1, &delay);
    let mut locations: BTreeMap<u64, u64> = BTreeMap::new();
    let mut functions: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut loc_msgs = Vec::new();
    let mut fn_msgs = Vec::new();
    for r in records {
        let mut ids = Vec::with_capacity(r.stack.len());
        for f in &r.stack {
            let next = locations.len() as u64 + 1;
            let loc = *locations.entry(f.pc).or_insert(next);
            if loc == next {
                let fkey = (f.file.clone(), f.func.clone());
                let next_fn = functions.len() as u64 + 1;
                let func = *functions.entry(fkey).or_insert(next_fn);
                if func == next_fn {
                    let mut m = Proto::default();
                    m.uint(1, func);
                    m.int(2, strings.id(&f.func) as i64);
                    m.int(3, strings.id(&f.func) as i64);
                    m.int(4, strings.id(&f.file) as i64);
                    fn_msgs.push(m.0);
                }
                let mut line = Proto::default();
                line.uint(1, func);
                line.int(2, f.line as i64);
                let mut m = Proto::default();
                m.uint(1, loc);
                m.uint(3, f.pc);
                m.bytes(4, &line.0);
                loc_msgs.push(m.0);
            }
            ids.push(loc);
        }
        let mut s = Proto::default();
        s.packed(1, &ids);
        s.packed(2, &[r.total.count, r.total.delay as u64]);
        p.bytes(2, &s.0);
    }
    for m in &loc_msgs {
        p.bytes(4, m);
    }
    for m in &fn_msgs {
        p.bytes(5, m);
    }
    let period_type = value_type(&mut strings, "trace", "count");
    for s in &strings.table {
        p.bytes(6, s.as_bytes());
    }
    p.bytes(11, &period_type);
    p.int(12, 1);
    p.0
}

/// Writes the gzipped profile.
pub fn write_gzipped(records: &[Record], out: &mut impl Write) -> std::io::Result<()> {
    let mut gz = GzEncoder::new(out, Compression::default());
    gz.write_all(&encode(records))?;
    gz.finish()?;
    Ok(())
}

/// Writes the top `n` stacks by total delay, then the top functions by flat and cumulative
/// delay.
pub fn write_top(records: &[Record], n: usize, out: &mut impl Write) -> std::io::Result<()> {
    let total: i64 = records.iter().map(|r| r.total.delay).sum();
    let count: u64 = records.iter().map(|r| r.total.count).sum();
    writeln!(
        out,
        "{count} samples, total delay {} in {} stacks",
        go_duration(total),
        records.len()
    )?;
    let pct = |v: i64| {
        if total > 0 {
            v as f64 / total as f64 * 100.0
        } else {
            0.0
        }
    };
    writeln!(out, "\ntop stacks by total delay:")?;
    for r in records.iter().take(n) {
        writeln!(
            out,
            "{:>14} {:>6.2}% {:>8} samples",
            go_duration(r.total.delay),
            pct(r.total.delay),
            r.total.count
        )?;
        if r.stack.is_empty() {
            writeln!(out, "    (no stack)")?;
        }
        for f in &r.stack {
            writeln!(out, "    {} {}:{}", f.func, f.file, f.line)?;
        }
    }
    let funcs = functions(records);
    writeln!(out, "\ntop functions by cumulative delay:")?;
    writeln!(
        out,
        "{:>14} {:>7} {:>14} {:>7}  FUNCTION",
        "FLAT", "FLAT%", "CUM", "CUM%"
    )?;
    for f in funcs.iter().take(n) {
        writeln!(
            out,
            "{:>14} {:>6.2}% {:>14} {:>6.2}%  {}",
            go_duration(f.flat),
            pct(f.flat),
            go_duration(f.cum),
            pct(f.cum),
            f.func
        )?;
    }
    Ok(())
}

/// One function's share of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FuncDelay<'a> {
    /// Function name.
    pub func: &'a str,
    /// Delay of the stacks whose innermost frame is in the function.
    pub flat: i64,
    /// Delay of the stacks the function appears in (once per stack, recursion or not).
    pub cum: i64,
}

/// Flat and cumulative delay per function, largest cumulative first (then flat, then
/// name): the function table of [`write_top`].
pub fn functions(records: &[Record]) -> Vec<FuncDelay<'_>> {
    let mut flat: BTreeMap<&str, i64> = BTreeMap::new();
    let mut cum: BTreeMap<&str, i64> = BTreeMap::new();
    for r in records {
        if let Some(f) = r.stack.first() {
            *flat.entry(&f.func).or_default() += r.total.delay;
        }
        let mut seen: Vec<&str> = r.stack.iter().map(|f| f.func.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        for f in seen {
            *cum.entry(f).or_default() += r.total.delay;
        }
    }
    let mut funcs: Vec<FuncDelay<'_>> = cum
        .iter()
        .map(|(f, c)| FuncDelay {
            func: f,
            flat: flat.get(f).copied().unwrap_or(0),
            cum: *c,
        })
        .collect();
    funcs.sort_by(|a, b| {
        b.cum
            .cmp(&a.cum)
            .then(b.flat.cmp(&a.flat))
            .then(a.func.cmp(b.func))
    });
    funcs
}

/// Decodes the trace once (goroutine summaries and profiles together) and returns the
/// records of one profile, scoped to a goroutine group if asked.
pub fn compute(
    source: &crate::trace::Source,
    kind: crate::analysis::profiles::ProfileKind,
    group: Option<&str>,
) -> Result<Vec<Record>, crate::trace::dump::DumpError> {
    compute_scoped(source, kind, group, None)
}

/// Which regions a profile is scoped to: a region type, optionally at one start PC (the
/// outermost frame of the region's begin stack, as go tool trace groups regions).
#[derive(Debug, Clone)]
pub struct RegionScope {
    /// Region type (name).
    pub name: String,
    /// Start PC, if only one start location is wanted.
    pub pc: Option<u64>,
}

/// The per-goroutine time intervals of the regions in `scope`, as go tool trace's
/// `pprofMatchingRegions` builds them: sorted, and later regions that overlap an earlier
/// kept one dropped.
pub fn region_intervals(
    summary: &crate::analysis::goroutines::Summary,
    scope: &RegionScope,
) -> rustc_hash::FxHashMap<i64, Vec<(i64, i64)>> {
    let mut out: rustc_hash::FxHashMap<i64, Vec<(i64, i64)>> = Default::default();
    for g in summary.goroutines.values() {
        for r in &g.regions {
            let pc = r.frame.map_or(0, |f| summary.frames[f as usize].pc);
            if *r.name != scope.name || scope.pc.is_some_and(|p| p != pc) {
                continue;
            }
            let start = r.start.map_or(summary.first_time, |e| e.time);
            let end = r.end.map_or(summary.last_time, |e| e.time);
            out.entry(g.id).or_default().push((start, end));
        }
    }
    for iv in out.values_mut() {
        crate::trace::gofmt::sort_func(iv, |a, b| a.cmp(b));
        let mut last = i64::MIN;
        iv.retain(|&(s, e)| {
            if last <= s {
                last = e;
                true
            } else {
                false
            }
        });
    }
    out
}

/// A decoded trace ready to answer profile queries: goroutine summaries and samples.
pub struct Analyzed {
    /// Goroutine summaries (names, regions).
    pub summary: crate::analysis::goroutines::Summary,
    /// The samples of the four profiles.
    pub profiles: crate::analysis::profiles::Profiles,
}

impl Analyzed {
    /// Decodes `source` once; `keep_samples` is needed for region scoping.
    pub fn new(
        source: &crate::trace::Source,
        keep_samples: bool,
    ) -> Result<Analyzed, crate::trace::dump::DumpError> {
        let reader = super::open_reader(source)?;
        let mut summarizer = crate::analysis::goroutines::Summarizer::new();
        let mut profiles = if keep_samples {
            crate::analysis::profiles::ProfileBuilder::keeping_samples()
        } else {
            crate::analysis::profiles::ProfileBuilder::new()
        };
        let (_, err) =
            crate::analysis::run_split(reader, &mut [], &mut [&mut summarizer, &mut profiles]);
        if let Some(e) = err {
            return Err(e.into());
        }
        Ok(Analyzed {
            summary: summarizer.finish(),
            profiles: profiles.finish(),
        })
    }

    /// One profile, whole-program, for a goroutine group, or within regions. As in go
    /// tool trace, an empty group name means every goroutine.
    pub fn records(
        &self,
        kind: crate::analysis::profiles::ProfileKind,
        group: Option<&str>,
        region: Option<&RegionScope>,
    ) -> Result<Vec<Record>, crate::trace::dump::DumpError> {
        if let Some(scope) = region {
            let iv = region_intervals(&self.summary, scope);
            return Ok(self.profiles.records_within(kind, &iv));
        }
        group_records(&self.summary, &self.profiles, kind, group).ok_or_else(|| {
            crate::trace::dump::DumpError::Io(std::io::Error::other(format!(
                "failed to find matching goroutines for name: {}",
                group.unwrap_or_default()
            )))
        })
    }
}

/// One profile for the goroutines of a group (start function `group`), as go tool
/// trace's `-pprof` for a goroutine name scopes it: `None` when no goroutine has that
/// start function; an empty or absent name means every goroutine.
pub fn group_records(
    summary: &crate::analysis::goroutines::Summary,
    profiles: &crate::analysis::profiles::Profiles,
    kind: crate::analysis::profiles::ProfileKind,
    group: Option<&str>,
) -> Option<Vec<Record>> {
    match group.filter(|n| !n.is_empty()) {
        None => Some(profiles.records(kind, None)),
        Some(name) => {
            let members: std::collections::BTreeSet<i64> = summary
                .goroutines
                .values()
                .filter(|g| g.name.as_str() == name)
                .map(|g| g.id)
                .collect();
            if members.is_empty() {
                return None;
            }
            let keep = |g: i64| members.contains(&g);
            Some(profiles.records(kind, Some(&keep)))
        }
    }
}

/// Like [`compute`], optionally scoped to regions instead of goroutine lifetimes.
pub fn compute_scoped(
    source: &crate::trace::Source,
    kind: crate::analysis::profiles::ProfileKind,
    group: Option<&str>,
    region: Option<&RegionScope>,
) -> Result<Vec<Record>, crate::trace::dump::DumpError> {
    Analyzed::new(source, region.is_some())?.records(kind, group, region)
}
