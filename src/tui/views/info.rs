//! The Info tab: facts about the trace — format, wall-clock start, duration,
//! generations, Ps and GOMAXPROCS changes, goroutines, events, GCs and stop-the-world
//! time — and the event footprint of `go tool trace -d=footprint`.

use std::sync::mpsc;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use super::{Ctx, Effect, View};
use crate::analysis::timeline::{GC_LANE, SliceKind};
use crate::tui::action::Action;
use crate::tui::format::dur;
use crate::tui::keymap::Context;
use crate::tui::model::Model;

/// The Info tab's state.
#[derive(Debug, Default)]
pub struct InfoView {
    /// Scroll offset.
    scroll: u16,
    /// Lines that fit at the last draw.
    page: u16,
    /// The `stats` report (footprint and summary), computed in the background.
    stats: Option<Result<String, String>>,
    pending: Option<mpsc::Receiver<Result<String, String>>>,
    /// The counts, computed on the first draw (they scan every range slice).
    facts: Option<Facts>,
}

/// Counts and totals the Info tab shows, from the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Garbage collections (GC lane ranges "GC concurrent mark phase"/"GC" etc.).
    pub gcs: usize,
    /// Stop-the-world pauses: count, total wall time (merged across Ps) and longest.
    pub stw: (usize, i64, i64),
    /// Stop-the-world pauses whose reason is a GOMAXPROCS change.
    pub gomaxprocs_changes: usize,
    /// Ps that ran goroutines.
    pub procs: usize,
}

impl Facts {
    /// Computes the facts.
    pub fn of(model: &Model) -> Facts {
        let slices = &model.procs.slices;
        let gcs = slices
            .iter()
            .filter(|s| s.lane == GC_LANE && s.name.starts_with("GC"))
            .count();
        // A stop-the-world is drawn once per P it stopped: count distinct (start, reason).
        let mut stw: Vec<(i64, i64, &str)> = slices
            .iter()
            .filter(|s| s.kind == SliceKind::Range && s.name.starts_with("stop-the-world"))
            .map(|s| (s.start, s.start + s.dur, s.name.as_str()))
            .collect();
        stw.sort_unstable();
        stw.dedup_by(|a, b| a.0 == b.0 && a.2 == b.2);
        let longest = stw.iter().map(|s| s.1 - s.0).max().unwrap_or(0);
        let mut total = 0;
        let mut reach = i64::MIN;
        for &(s, e, _) in &stw {
            total += (e - s.max(reach)).max(0);
            reach = reach.max(e);
        }
        Facts {
            gcs,
            stw: (stw.len(), total, longest),
            gomaxprocs_changes: stw.iter().filter(|s| s.2.contains("GOMAXPROCS")).count(),
            procs: model.procs.lane_ids.len(),
        }
    }
}

impl View for InfoView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List]
    }

    fn update(&mut self, action: Action, _ctx: &Ctx<'_>) -> Effect {
        match action {
            Action::Up | Action::ScrollUp => self.scroll = self.scroll.saturating_sub(1),
            Action::Down | Action::ScrollDown => self.scroll = self.scroll.saturating_add(1),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(self.page),
            Action::PageDown => self.scroll = self.scroll.saturating_add(self.page),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll = u16::MAX,
            _ => {}
        }
        Effect::None
    }

    fn tick(&mut self, _ctx: &Ctx<'_>) -> bool {
        let Some(rx) = &self.pending else {
            return false;
        };
        match rx.try_recv() {
            Ok(r) => {
                self.stats = Some(r);
                self.pending = None;
                true
            }
            Err(mpsc::TryRecvError::Empty) => false,
            Err(mpsc::TryRecvError::Disconnected) => {
                self.stats = Some(Err("the footprint pass ended early".into()));
                self.pending = None;
                true
            }
        }
    }

    fn busy(&self) -> bool {
        self.pending.is_some()
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        if self.stats.is_none() && self.pending.is_none() {
            // The footprint is a second pass over the bytes: start it when first shown.
            let (tx, rx) = mpsc::channel();
            let file = ctx.file.clone();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                let r = crate::report::stats::write_stats(&file.source, &mut out)
                    .map(|()| String::from_utf8_lossy(&out).into_owned())
                    .map_err(|e| e.to_string());
                let _ = tx.send(r);
            });
            self.pending = Some(rx);
        }
        let m = ctx.model;
        let f = ctx.facts;
        let facts = self.facts.get_or_insert_with(|| Facts::of(m)).clone();
        let head = ctx.theme.header();
        let (t0, t1) = m.time_range();
        let mut lines = vec![
            Line::styled("Trace", head),
            Line::from(format!("  file           {} ({} bytes)", f.name, f.size)),
            Line::from(format!("  format         {} trace", f.version)),
            Line::from(format!("  duration       {}", dur(t1 - t0))),
            Line::from(format!("  generations    {}", f.generations)),
            Line::from(format!("  events         {}", m.events)),
            Line::from(format!("  goroutines     {}", m.summary.goroutines.len())),
            Line::from(format!("  groups         {}", m.groups.len())),
            Line::from(format!(
                "  GOMAXPROCS     {} (the largest the trace saw)",
                m.procs.max_proc + 1
            )),
            Line::from(format!("  Ps that ran goroutines {}", facts.procs)),
            Line::from(format!("  GOMAXPROCS changes {}", facts.gomaxprocs_changes)),
            Line::from(format!("  tasks          {}", m.summary.tasks.len())),
            Line::styled("Garbage collector", head),
            Line::from(format!("  GC cycles      {}", facts.gcs)),
            Line::from(format!(
                "  stop-the-world {} pauses, {} in all, longest {}",
                facts.stw.0,
                dur(facts.stw.1),
                dur(facts.stw.2)
            )),
        ];
        if let Some(kib) = m.peak_rss_kib {
            lines.push(Line::styled("This process", head));
            lines.push(Line::from(format!("  peak RSS       {} MiB", kib / 1024)));
        }
        if let Some(e) = &m.error {
            lines.push(Line::styled(
                format!("Decoding stopped early: {e}"),
                ctx.theme.warn(),
            ));
        }
        lines.push(Line::styled(
            "Event footprint and summary (gotrace-tui stats)",
            head,
        ));
        match &self.stats {
            None => lines.push(Line::styled("  computing…", ctx.theme.dim())),
            Some(Err(e)) => lines.push(Line::styled(format!("  {e}"), ctx.theme.warn())),
            Some(Ok(text)) => lines.extend(text.lines().map(|l| Line::from(format!("  {l}")))),
        }
        self.page = area.height;
        let max = (lines.len() as u16).saturating_sub(area.height);
        self.scroll = self.scroll.min(max);
        Paragraph::new(lines)
            .scroll((self.scroll, 0))
            .render(area, buf);
    }
}
