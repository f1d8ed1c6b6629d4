//! `gotrace-tui mmu`: minimum mutator utilization curve and worst windows.

use std::io::Write;

use serde::Serialize;

use crate::analysis::mmu::{MUD_QUANTILES, MmuCurve, Plot, UtilBuilder, UtilFlags, plot};
use crate::report::goroutines::go_duration;
use crate::trace::Source;
use crate::trace::dump::DumpError;

/// What to compute.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which time counts as GC.
    pub flags: UtilFlags,
    /// Plot utilization-distribution quantiles too (go tool trace's "mut").
    pub quantiles: bool,
    /// Windows (ns) whose worst instances to list.
    pub windows: Vec<i64>,
    /// JSON output.
    pub json: bool,
}

#[derive(Serialize)]
struct WindowJson {
    window_ns: i64,
    mmu: f64,
    worst: Vec<WorstJson>,
}

#[derive(Serialize)]
struct WorstJson {
    start_ns: i64,
    start_rel_ns: i64,
    utilization: f64,
}

#[derive(Serialize)]
struct Json<'p> {
    x_min_ns: i64,
    x_max_ns: i64,
    quantiles: Option<&'p [f64]>,
    curve: &'p [Vec<f64>],
    windows: Vec<WindowJson>,
}

/// Decodes the trace, builds the MMU curve and prints it.
pub fn run(source: &Source, opts: &Options, out: &mut impl Write) -> Result<(), DumpError> {
    let reader = super::open_reader(source)?;
    let mut b = UtilBuilder::new(opts.flags);
    let mut first = FirstEvent::default();
    let (_, err) = crate::analysis::run(reader, &mut [&mut b, &mut first]);
    if let Some(e) = err {
        return Err(e.into());
    }
    let utils = b.finish();
    if utils.is_empty() {
        writeln!(out, "no GOMAXPROCS event in the trace: nothing to compute")?;
        return Ok(());
    }
    let curve = MmuCurve::new(utils.clone());
    let p: Plot = plot(&utils, &curve, opts.quantiles.then_some(&MUD_QUANTILES[..]));
    let windows: Vec<WindowJson> = opts
        .windows
        .iter()
        .map(|&w| WindowJson {
            window_ns: w,
            mmu: curve.mmu(w),
            worst: curve
                .examples(w, 10)
                .into_iter()
                .map(|u| WorstJson {
                    start_ns: u.time,
                    start_rel_ns: u.time - first.0.unwrap_or(0),
                    utilization: u.mutator_util,
                })
                .collect(),
        })
        .collect();
    if opts.json {
        let j = Json {
            x_min_ns: p.x_min,
            x_max_ns: p.x_max,
            quantiles: p.quantiles.as_deref(),
            curve: &p.curve,
            windows,
        };
        serde_json::to_writer_pretty(&mut *out, &j).map_err(std::io::Error::other)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{:>14}  {:>8}", "WINDOW", "MMU")?;
    // Ten of the 100 points go tool trace plots, first and last included.
    for row in p.curve.iter().step_by(11) {
        let w = row[0] as i64;
        let bar = "█".repeat((row[1] * 40.0).round() as usize);
        writeln!(
            out,
            "{:>14}  {:>7.2}%  {bar}",
            go_duration(w),
            row[1] * 100.0
        )?;
    }
    for w in &windows {
        writeln!(
            out,
            "\nworst {} windows (MMU {:.2}%):",
            go_duration(w.window_ns),
            w.mmu * 100.0
        )?;
        for x in &w.worst {
            writeln!(
                out,
                "  at +{:<16} utilization {:>6.2}%",
                go_duration(x.start_rel_ns),
                x.utilization * 100.0
            )?;
        }
    }
    Ok(())
}

/// Remembers the time of the first event (the trace start, for relative times).
#[derive(Default)]
struct FirstEvent(Option<i64>);

impl crate::analysis::Consumer for FirstEvent {
    fn event(&mut self, ev: &crate::trace::Event<'_>) {
        self.0.get_or_insert(ev.time());
    }
}
