//! The MMU tab: the minimum mutator utilization curve over a log-scale window axis, a
//! window cursor with that window's MMU and worst windows (go tool trace's `/mmu` page and
//! its details), and flags choosing what counts as GC. The model holds the utilization
//! for the default flags only; other flags take a decoding pass in a background thread,
//! and every curve is kept per flags value.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Widget};
use unicode_width::UnicodeWidthStr;

use super::{Ctx, Effect, View};
use crate::analysis::mmu::{MmuCurve, MutatorUtil, Plot, UtilBuilder, UtilFlags, UtilWindow, plot};
use crate::tui::action::Action;
use crate::tui::format::{dur, fit};
use crate::tui::keymap::Context;
use crate::tui::model::{DEFAULT_MMU_FLAGS, TraceFile};
use crate::tui::widgets::table::{self, Column, TableState};

/// How many worst windows to list (as go tool trace's details do).
pub const WORST: usize = 10;

/// The window the cursor starts on, if the curve reaches it: GC pauses matter at about a
/// frame or a request, so a millisecond is where one looks first.
const START_WINDOW: i64 = 1_000_000;

/// The curve for one flags value.
#[derive(Debug)]
pub struct Curve {
    /// The MMU curve, for the value and worst windows at any window.
    pub curve: MmuCurve,
    /// The points go tool trace plots (log-spaced windows), which the cursor steps along.
    pub plot: Plot,
}

/// The curve for `utils`, or why there is none.
pub fn compute(utils: Vec<Vec<MutatorUtil>>) -> Result<Curve, String> {
    if utils.iter().all(Vec::is_empty) {
        return Err("no GOMAXPROCS event in the trace: nothing to compute".into());
    }
    let curve = MmuCurve::new(utils.clone());
    let plot = plot(&utils, &curve, None);
    Ok(Curve { curve, plot })
}

/// Decodes the trace again for the utilization under `flags`. Like the model, keeps what
/// came before a decoding error.
fn decode(file: &TraceFile, flags: UtilFlags) -> Result<Vec<Vec<MutatorUtil>>, String> {
    // The pass hands each decoded batch's pages back, as the others do: a whole-file
    // decode would otherwise leave the file resident.
    let reader = crate::report::open_reader(&file.source).map_err(|e| e.to_string())?;
    let mut b = UtilBuilder::new(flags);
    let _ = crate::analysis::run(reader, &mut [&mut b]);
    Ok(b.finish())
}

/// The toggles, in the order the flags line shows them: flag, key, name.
const TOGGLES: [(UtilFlags, char, &str); 5] = [
    (UtilFlags::STW, 'S', "stw"),
    (UtilFlags::BACKGROUND, 'b', "background"),
    (UtilFlags::ASSIST, 'A', "assist"),
    (UtilFlags::SWEEP, 'W', "sweep"),
    (UtilFlags::PER_PROC, 'P', "per-P"),
];

/// The flags line: which kinds of time count as GC, with their keys.
pub fn flags_line(flags: UtilFlags) -> String {
    TOGGLES
        .iter()
        .map(|&(f, key, name)| {
            let on = if flags.0 & f.0 != 0 { 'x' } else { ' ' };
            format!("[{on}]{name}({key})")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A power of ten of nanoseconds as an axis label: `1ns`, `10µs`, `1s`.
fn decade_label(k: i32) -> String {
    let units = ["ns", "µs", "ms", "s"];
    let u = (k / 3).clamp(0, 3);
    let rest = k - u * 3;
    format!("{}{}", 10i64.pow(rest.max(0) as u32), units[u as usize])
}

/// The MMU tab's state.
#[derive(Debug)]
pub struct MmuView {
    flags: UtilFlags,
    curves: HashMap<u8, Result<Arc<Curve>, String>>,
    pending: Vec<(u8, Receiver<Result<Curve, String>>)>,
    /// The window under the cursor (ns); `None` until a curve is there to place it on.
    window: Option<i64>,
    worst: TableState,
    /// Worst windows of the last (flags, window) asked.
    examples: Option<(u8, i64, Vec<UtilWindow>)>,
}

impl Default for MmuView {
    fn default() -> MmuView {
        MmuView {
            flags: DEFAULT_MMU_FLAGS,
            curves: HashMap::new(),
            pending: Vec::new(),
            window: None,
            worst: TableState::default(),
            examples: None,
        }
    }
}

/// The plotted windows, smallest first (Go plots them from `x_min` to `x_max`, which
/// runs downwards when the trace is shorter than `x_min`), without repeats.
fn windows(p: &Plot) -> Vec<i64> {
    let mut v: Vec<i64> = p.curve.iter().map(|r| r[0] as i64).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Index of the window of `ws` nearest to `w` on the log axis.
fn nearest(ws: &[i64], w: i64) -> usize {
    let lw = (w.max(1) as f64).ln();
    let dist = |x: i64| ((x.max(1) as f64).ln() - lw).abs();
    ws.iter()
        .enumerate()
        .min_by(|a, b| dist(*a.1).total_cmp(&dist(*b.1)))
        .map_or(0, |(i, _)| i)
}

impl MmuView {
    /// The flags shown.
    pub fn flags(&self) -> UtilFlags {
        self.flags
    }

    /// The window under the cursor, ns.
    pub fn window(&self) -> Option<i64> {
        self.window
    }

    fn curve(&self) -> Option<&Result<Arc<Curve>, String>> {
        self.curves.get(&self.flags.0)
    }

    /// Starts computing the curve for the current flags unless it is there or on its way.
    fn ensure(&mut self, ctx: &Ctx<'_>) {
        let f = self.flags;
        if self.curves.contains_key(&f.0) || self.pending.iter().any(|(k, _)| *k == f.0) {
            return;
        }
        let (tx, rx) = mpsc::channel();
        // The default flags' utilization is in the model; only the curve is left to build.
        let utils = (f == DEFAULT_MMU_FLAGS).then(|| ctx.model.mmu_utils.clone());
        let file = ctx.file.clone();
        let spawned = std::thread::Builder::new()
            .name("mmu".into())
            .spawn(move || {
                let r = match utils {
                    Some(u) => compute(u),
                    None => decode(&file, f).and_then(compute),
                };
                let _ = tx.send(r);
            });
        match spawned {
            Ok(_) => self.pending.push((f.0, rx)),
            Err(e) => {
                self.curves
                    .insert(f.0, Err(format!("cannot start a thread: {e}")));
            }
        }
    }

    /// Puts the cursor on the plotted window nearest to where it was (or to 1ms at first).
    fn place_cursor(&mut self) {
        if let Some(Ok(c)) = self.curve() {
            let ws = windows(&c.plot);
            let i = nearest(&ws, self.window.unwrap_or(START_WINDOW));
            self.window = ws.get(i).copied();
        }
    }

    fn step(&mut self, by: isize) {
        let Some(Ok(c)) = self.curve() else {
            return;
        };
        let Some(w) = self.window else {
            return;
        };
        let ws = windows(&c.plot);
        let i = (nearest(&ws, w) as isize + by).clamp(0, ws.len() as isize - 1) as usize;
        self.window = ws.get(i).copied();
        self.worst = TableState::default();
    }

    /// The worst windows at the cursor, computed once per (flags, window).
    fn worst_windows(&mut self) -> &[UtilWindow] {
        let (Some(Ok(c)), Some(w)) = (self.curves.get(&self.flags.0), self.window) else {
            return &[];
        };
        let key = (self.flags.0, w);
        if self.examples.as_ref().map(|e| (e.0, e.1)) != Some(key) {
            self.examples = Some((key.0, key.1, c.curve.examples(w, WORST)));
        }
        self.examples.as_ref().map_or(&[], |e| &e.2)
    }

    fn render_chart(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>, c: &Curve) {
        // A gutter for the utilization labels, a row for the window labels.
        const GUTTER: u16 = 4;
        if area.width <= GUTTER + 2 || area.height < 3 {
            return;
        }
        let th = ctx.theme;
        let graph = Rect::new(
            area.x + GUTTER,
            area.y,
            area.width - GUTTER,
            area.height - 1,
        );
        for y in graph.top()..graph.bottom() {
            buf.set_string(area.x + GUTTER - 1, y, "│", th.dim());
        }
        buf.set_string(area.x, graph.top(), "1.0", th.dim());
        buf.set_string(area.x, graph.top() + graph.height / 2, "0.5", th.dim());
        buf.set_string(area.x, graph.bottom() - 1, "  0", th.dim());
        // The plotted windows' own range: go tool trace's x_min can exceed the trace's
        // length (x_max), in which case the windows run downwards.
        let logs = c.plot.curve.iter().map(|r| r[0].max(1.0).log10());
        let lo = logs.clone().fold(f64::INFINITY, f64::min);
        let hi = logs.fold(f64::NEG_INFINITY, f64::max).max(lo + 1e-9);
        let points: Vec<(f64, f64)> = c
            .plot
            .curve
            .iter()
            .map(|r| (r[0].max(1.0).log10(), r[1]))
            .collect();
        let mut sets = vec![
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(th.group(0))
                .data(&points),
        ];
        let cursor;
        if let Some(w) = self.window {
            let x = (w.max(1) as f64).log10();
            cursor = [(x, 0.0), (x, 1.0)];
            sets.push(
                Dataset::default()
                    .marker(Marker::Braille)
                    .graph_type(GraphType::Line)
                    .style(th.warn())
                    .data(&cursor),
            );
        }
        Chart::new(sets)
            .x_axis(Axis::default().bounds([lo, hi]))
            .y_axis(Axis::default().bounds([0.0, 1.0]))
            .render(graph, buf);
        // Decade labels at their exact columns; every third decade when every one would
        // crowd (labels are up to five cells). Less than two decades: the ends instead.
        let span = hi - lo;
        let col = |x: f64| graph.x + ((x - lo) / span * (graph.width - 1) as f64).round() as u16;
        let step = if graph.width as f64 / span >= 7.0 {
            1
        } else {
            3
        };
        let mut labels: Vec<(u16, String)> = ((lo.ceil() as i32)..=(hi.floor() as i32))
            .filter(|k| k.rem_euclid(step) == 0)
            .map(|k| (col(k as f64), decade_label(k)))
            .collect();
        if labels.len() < 2 {
            labels = vec![
                (graph.x, dur(10f64.powf(lo).round() as i64)),
                (graph.right() - 1, dur(10f64.powf(hi).round() as i64)),
            ];
        }
        let y = area.bottom() - 1;
        let mut free = area.x;
        for (c, label) in labels {
            let w = label.width() as u16;
            let x = c
                .saturating_sub(w / 2)
                .clamp(graph.x, graph.right().saturating_sub(w));
            if x < free {
                continue;
            }
            buf.set_string(x, y, &label, th.dim());
            free = x + w + 1;
        }
    }
}

impl View for MmuView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Mmu, Context::List]
    }

    fn update(&mut self, action: Action, ctx: &Ctx<'_>) -> Effect {
        let toggle = match action {
            Action::ToggleStw => Some(UtilFlags::STW),
            Action::ToggleBackground => Some(UtilFlags::BACKGROUND),
            Action::ToggleAssist => Some(UtilFlags::ASSIST),
            Action::ToggleSweep => Some(UtilFlags::SWEEP),
            Action::TogglePerProc => Some(UtilFlags::PER_PROC),
            _ => None,
        };
        if let Some(f) = toggle {
            self.flags = UtilFlags(self.flags.0 ^ f.0);
            self.worst = TableState::default();
            self.ensure(ctx);
            self.place_cursor();
            return Effect::None;
        }
        match action {
            Action::Left => self.step(-1),
            Action::Right => self.step(1),
            Action::Enter => {
                let sel = self.worst.selected;
                let w = self.window;
                if let (Some(u), Some(w)) = (self.worst_windows().get(sel).copied(), w) {
                    return Effect::ShowTime {
                        from: u.time,
                        to: u.time + w,
                        goroutine: None,
                    };
                }
            }
            a => {
                let n = self.worst_windows().len();
                self.worst.update(a, n, 4);
            }
        }
        Effect::None
    }

    fn tick(&mut self, ctx: &Ctx<'_>) -> bool {
        self.ensure(ctx);
        let mut changed = false;
        let mut i = 0;
        while i < self.pending.len() {
            match self.pending[i].1.try_recv() {
                Ok(r) => {
                    let (k, _) = self.pending.swap_remove(i);
                    self.curves.insert(k, r.map(Arc::new));
                    changed = true;
                }
                Err(TryRecvError::Empty) => i += 1,
                Err(TryRecvError::Disconnected) => {
                    let (k, _) = self.pending.swap_remove(i);
                    self.curves
                        .insert(k, Err("the MMU computation failed".into()));
                    changed = true;
                }
            }
        }
        if changed {
            self.place_cursor();
        }
        changed
    }

    fn busy(&self) -> bool {
        // A curve not yet started counts: the app then ticks, and the tick starts it.
        !self.pending.is_empty() || !self.curves.contains_key(&self.flags.0)
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        if area.height == 0 {
            return;
        }
        let th = ctx.theme;
        let w = area.width as usize;
        let mut head = format!("GC: {}", flags_line(self.flags));
        if self.pending.iter().any(|(k, _)| *k == self.flags.0) {
            head.push_str("  computing…");
        }
        buf.set_string(area.x, area.y, fit(&head, w), th.header());
        let body = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
        let c = match self.curve() {
            None => {
                buf.set_string(body.x, body.y, fit("computing…", w), th.dim());
                return;
            }
            Some(Err(e)) => {
                buf.set_string(body.x, body.y, fit(e, w), th.warn());
                return;
            }
            Some(Ok(c)) => c.clone(),
        };
        if self.window.is_none() {
            self.place_cursor();
        }
        // The chart takes a little more than half; the rest is the cursor's window.
        let chart_h = (body.height.saturating_sub(2) * 11 / 20)
            .max(5)
            .min(body.height);
        let chart = Rect {
            height: chart_h,
            ..body
        };
        self.render_chart(chart, buf, ctx, &c);
        let mut y = chart.bottom();
        let Some(win) = self.window else {
            return;
        };
        if y < body.bottom() {
            let line = format!(
                "window {}: MMU {:.2}%   worst windows (←→ window size, Enter: show in the timeline)",
                dur(win),
                c.curve.mmu(win) * 100.0
            );
            buf.set_string(body.x, y, fit(&line, w), th.header());
            y += 1;
        }
        if y >= body.bottom() {
            return;
        }
        let first = ctx.model.summary.first_time;
        let worst = self.worst_windows().to_vec();
        let cols = [
            Column::num("#", 3),
            Column::num("start", 9),
            Column::num("end", 9),
            Column::num("utilization", 11),
        ];
        let rest = Rect {
            y,
            height: body.bottom() - y,
            ..body
        };
        table::render(
            rest,
            buf,
            th,
            &cols,
            worst.len(),
            &mut self.worst,
            |r, col| {
                let u = &worst[r];
                match col {
                    0 => (r + 1).to_string(),
                    1 => format!("+{}", dur(u.time - first)),
                    2 => format!("+{}", dur(u.time + win - first)),
                    _ => format!("{:.2}%", u.mutator_util * 100.0),
                }
            },
        );
    }
}
