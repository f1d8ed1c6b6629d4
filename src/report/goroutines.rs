//! `gotrace-tui goroutines`: the goroutine analysis as text, JSON or CSV.

use std::io::Write;

use serde::Serialize;

use std::collections::BTreeMap;

use crate::analysis::goroutines::{
    CLASSIC_COLUMNS, Distribution, ExecStats, GoroutineSummary, Group, Summary, classic,
    distribution, groups,
};

/// One goroutine in the JSON report; durations in integer nanoseconds.
#[derive(Debug, Serialize)]
pub struct GoroutineRow {
    /// Goroutine ID.
    pub id: i64,
    /// Start function.
    pub name: String,
    /// Creation time (ns, trace clock).
    pub creation_ns: i64,
    /// First start, 0 if never.
    pub start_ns: i64,
    /// Exit, 0 if it did not exit.
    pub end_ns: i64,
    /// Total time.
    pub total_ns: i64,
    /// Execution time.
    pub exec_ns: i64,
    /// Scheduler wait.
    pub sched_wait_ns: i64,
    /// Syscall execution time.
    pub syscall_ns: i64,
    /// Blocking syscall time.
    pub syscall_block_ns: i64,
    /// Block time by reason.
    pub block_ns: std::collections::BTreeMap<String, i64>,
    /// Time not accounted for.
    pub unknown_ns: i64,
    /// Overlapping range times.
    pub range_ns: std::collections::BTreeMap<String, i64>,
}

/// One group in the JSON report.
#[derive(Debug, Serialize)]
pub struct GroupRow {
    /// Start function.
    pub name: String,
    /// Goroutines in the group.
    pub count: usize,
    /// Total execution time of the group.
    pub exec_ns: i64,
    /// The classic seven columns, summed over the group.
    pub classic_ns: BTreeMap<&'static str, i64>,
    /// Per classic column, its distribution across the group's goroutines.
    pub distribution_ns: BTreeMap<&'static str, Distribution>,
    /// The members.
    pub goroutines: Vec<GoroutineRow>,
}

/// The JSON document.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Groups, largest execution time first.
    pub groups: Vec<GroupRow>,
}

/// The row of one goroutine.
pub fn row(summary: &Summary, g: &GoroutineSummary) -> GoroutineRow {
    let s: &ExecStats = &g.stats;
    GoroutineRow {
        id: g.id,
        name: g.name.to_string(),
        creation_ns: g.creation_time,
        start_ns: g.start_time,
        end_ns: g.end_time,
        total_ns: s.total,
        exec_ns: s.exec,
        sched_wait_ns: s.sched_wait,
        syscall_ns: s.syscall,
        syscall_block_ns: s.syscall_block,
        block_ns: s
            .block_by_reason
            .iter()
            .map(|(k, v)| (summary.names.get(k).to_string(), v))
            .collect(),
        unknown_ns: s.unknown(),
        range_ns: s
            .range_time
            .iter()
            .map(|(k, v)| (summary.names.get(k).to_string(), v))
            .collect(),
    }
}

/// The classic columns summed over goroutines `ids`.
pub fn group_classic(summary: &Summary, ids: &[i64]) -> [i64; 7] {
    let mut sum = [0i64; 7];
    for s in summary.goroutines.stats_of(ids) {
        let c = classic(summary, &s.expect("group member")).values();
        for (s, v) in sum.iter_mut().zip(c) {
            *s += v;
        }
    }
    sum
}

/// Per classic column, the distribution across goroutines `ids`.
pub fn group_distributions(summary: &Summary, ids: &[i64]) -> [Distribution; 7] {
    let per: Vec<[i64; 7]> = summary
        .goroutines
        .stats_of(ids)
        .map(|s| classic(summary, &s.expect("group member")).values())
        .collect();
    std::array::from_fn(|col| {
        let mut v: Vec<i64> = per.iter().map(|c| c[col]).collect();
        distribution(&mut v)
    })
}

/// The whole report (optionally one group only).
pub fn report(summary: &Summary, only_group: Option<&str>) -> Report {
    let groups = groups(summary)
        .into_iter()
        .filter(|g| only_group.is_none_or(|n| n == g.name))
        .map(|g: Group| GroupRow {
            count: g.goroutines.len(),
            exec_ns: g.exec,
            classic_ns: group_classic(summary, &g.goroutines)
                .into_iter()
                .zip(CLASSIC_COLUMNS)
                .map(|(v, k)| (k, v))
                .collect(),
            distribution_ns: group_distributions(summary, &g.goroutines)
                .into_iter()
                .zip(CLASSIC_COLUMNS)
                .map(|(v, k)| (k, v))
                .collect(),
            goroutines: g
                .goroutines
                .iter()
                .map(|id| {
                    row(
                        summary,
                        &summary.goroutines.brief(id).expect("group member"),
                    )
                })
                .collect(),
            name: g.name,
        })
        .collect();
    Report { groups }
}

/// Formats nanoseconds like Go's `time.Duration.String()` (exact, e.g. `1.234567ms`).
pub fn go_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let neg = ns < 0;
    let u = ns.unsigned_abs();
    let (int, frac, digits, unit) = if u < 1_000 {
        return format!("{}{u}ns", if neg { "-" } else { "" });
    } else if u < 1_000_000 {
        (u / 1_000, u % 1_000, 3, "µs")
    } else if u < 1_000_000_000 {
        (u / 1_000_000, u % 1_000_000, 6, "ms")
    } else {
        // Go prints hours and minutes for long durations.
        let secs = u / 1_000_000_000;
        let frac = u % 1_000_000_000;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        let mut out = String::from(if neg { "-" } else { "" });
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&s.to_string());
        if frac > 0 {
            let f = format!("{frac:09}");
            out.push('.');
            out.push_str(f.trim_end_matches('0'));
        }
        out.push('s');
        return out;
    };
    let mut out = format!("{}{int}", if neg { "-" } else { "" });
    if frac > 0 {
        let f = format!("{frac:0digits$}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    out.push_str(unit);
    out
}

/// Writes the groups as an aligned text table.
pub fn write_groups_text(summary: &Summary, out: &mut impl Write) -> std::io::Result<()> {
    let gs = groups(summary);
    let total: i64 = gs.iter().map(|g| g.exec).sum();
    write!(out, "{:>7} {:>7}", "COUNT", "SHARE")?;
    for c in CLASSIC_COLUMNS {
        write!(out, " {:>14}", c.to_uppercase())?;
    }
    writeln!(out, "  START FUNCTION")?;
    for g in &gs {
        let share = if total > 0 {
            format!("{:.2}%", g.exec as f64 / total as f64 * 100.0)
        } else {
            String::new()
        };
        let name = if g.name.is_empty() {
            "(inactive, no stack trace sampled)"
        } else {
            &g.name
        };
        write!(out, "{:>7} {:>7}", g.goroutines.len(), share)?;
        for v in group_classic(summary, &g.goroutines) {
            write!(out, " {:>14}", go_duration(v))?;
        }
        writeln!(out, "  {name}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(999), "999ns");
        assert_eq!(go_duration(1_000), "1µs");
        assert_eq!(go_duration(1_234_567), "1.234567ms");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(61_000_000_000), "1m1s");
        assert_eq!(go_duration(3_723_000_000_001), "1h2m3.000000001s");
        assert_eq!(go_duration(-1_500), "-1.5µs");
    }
}

/// Output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned text.
    Text,
    /// JSON.
    Json,
    /// CSV.
    Csv,
}

/// What to print.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only this group.
    pub group: Option<String>,
    /// Only this goroutine.
    pub goroutine: Option<i64>,
    /// Sort key for goroutine rows.
    pub sort: String,
    /// Output format.
    pub format: Format,
}

fn sort_key(r: &GoroutineRow, key: &str) -> i64 {
    match key {
        "exec" => r.exec_ns,
        "sched" => r.sched_wait_ns,
        "syscall" => r.syscall_ns,
        "syscall-block" => r.syscall_block_ns,
        "block" => r.block_ns.values().sum(),
        "unknown" => r.unknown_ns,
        "id" => -r.id,
        _ => r.total_ns,
    }
}

fn write_rows_text(rows: &[GoroutineRow], out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>9} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}  BLOCKED ON",
        "GOROUTINE",
        "TOTAL",
        "EXECUTION",
        "SCHED WAIT",
        "SYSCALL",
        "SYSCALL BLOCK",
        "BLOCKED",
        "UNKNOWN"
    )?;
    for r in rows {
        let blocked: i64 = r.block_ns.values().sum();
        let reasons: Vec<String> = r
            .block_ns
            .iter()
            .filter(|(_, v)| **v != 0)
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    if k.is_empty() { "(none)" } else { k },
                    go_duration(*v)
                )
            })
            .collect();
        writeln!(
            out,
            "{:>9} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}  {}",
            r.id,
            go_duration(r.total_ns),
            go_duration(r.exec_ns),
            go_duration(r.sched_wait_ns),
            go_duration(r.syscall_ns),
            go_duration(r.syscall_block_ns),
            go_duration(blocked),
            go_duration(r.unknown_ns),
            reasons.join(" ")
        )?;
    }
    Ok(())
}

fn write_csv(rows: &[(String, GoroutineRow)], out: &mut impl Write) -> std::io::Result<()> {
    let mut reasons: Vec<&str> = rows
        .iter()
        .flat_map(|(_, r)| r.block_ns.keys().map(|k| k.as_str()))
        .collect();
    reasons.sort_unstable();
    reasons.dedup();
    let mut ranges: Vec<&str> = rows
        .iter()
        .flat_map(|(_, r)| r.range_ns.keys().map(|k| k.as_str()))
        .collect();
    ranges.sort_unstable();
    ranges.dedup();
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut header = vec![
        "group".to_string(),
        "id".into(),
        "total_ns".into(),
        "exec_ns".into(),
        "sched_wait_ns".into(),
        "syscall_ns".into(),
        "syscall_block_ns".into(),
        "unknown_ns".into(),
    ];
    header.extend(reasons.iter().map(|r| quote(&format!("block_ns ({r})"))));
    header.extend(ranges.iter().map(|r| quote(&format!("range_ns ({r})"))));
    writeln!(out, "{}", header.join(","))?;
    for (group, r) in rows {
        let mut cells = vec![
            quote(group),
            r.id.to_string(),
            r.total_ns.to_string(),
            r.exec_ns.to_string(),
            r.sched_wait_ns.to_string(),
            r.syscall_ns.to_string(),
            r.syscall_block_ns.to_string(),
            r.unknown_ns.to_string(),
        ];
        cells.extend(
            reasons
                .iter()
                .map(|k| r.block_ns.get(*k).copied().unwrap_or(0).to_string()),
        );
        cells.extend(
            ranges
                .iter()
                .map(|k| r.range_ns.get(*k).copied().unwrap_or(0).to_string()),
        );
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}

/// Decodes the trace, analyses its goroutines and prints the report.
pub fn run(
    source: &crate::trace::Source,
    opts: &Options,
    out: &mut impl Write,
) -> Result<(), crate::trace::dump::DumpError> {
    let reader = super::open_reader(source)?;
    let mut summarizer = crate::analysis::goroutines::Summarizer::new();
    let (_, err) = crate::analysis::run_split(reader, &mut [], &mut [&mut summarizer]);
    let summary = summarizer.finish();
    if opts.format == Format::Text && opts.group.is_none() && opts.goroutine.is_none() {
        // The groups table needs no per-goroutine rows.
        write_groups_text(&summary, out)?;
        return match err {
            Some(e) => Err(e.into()),
            None => Ok(()),
        };
    }
    let mut rep = report(&summary, opts.group.as_deref());
    if let Some(id) = opts.goroutine {
        for g in &mut rep.groups {
            g.goroutines.retain(|r| r.id == id);
        }
        rep.groups.retain(|g| !g.goroutines.is_empty());
    }
    for g in &mut rep.groups {
        g.goroutines
            .sort_by_key(|r| std::cmp::Reverse(sort_key(r, &opts.sort)));
    }
    match opts.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &rep).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let rows: Vec<(String, GoroutineRow)> = rep
                .groups
                .into_iter()
                .flat_map(|g| {
                    let name = g.name;
                    g.goroutines.into_iter().map(move |r| (name.clone(), r))
                })
                .collect();
            write_csv(&rows, out)?;
        }
        Format::Text => {
            for g in &rep.groups {
                writeln!(
                    out,
                    "{} — {} goroutines, execution {}",
                    if g.name.is_empty() {
                        "(inactive)"
                    } else {
                        &g.name
                    },
                    g.count,
                    go_duration(g.exec_ns)
                )?;
                write_rows_text(&g.goroutines, out)?;
            }
            if let Some(id) = opts.goroutine
                && let Some(g) = summary.goroutines.get(&id)
            {
                writeln!(out, "\nregions of goroutine {id}:")?;
                for r in &g.regions {
                    writeln!(
                        out,
                        "  task {:>4}  {:<30} start {:>16} end {:>16}  exec {}",
                        r.task,
                        r.name,
                        r.start.map_or("-".to_string(), |s| s.time.to_string()),
                        r.end.map_or("-".to_string(), |s| s.time.to_string()),
                        go_duration(r.stats.exec)
                    )?;
                }
            }
        }
    }
    match err {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}
