//! The timeline's causality panels: a goroutine's own events around the cursor
//! (preceding and following, with stacks), and the chain of causes of a slice walked
//! backwards ("all connected": who unblocked the one who unblocked me, …). Each entry
//! is a place to jump to. Times are exact (Go's duration format): causes are often
//! nanoseconds apart.

use std::sync::mpsc;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use super::Ctx;
use crate::analysis::events::{GoEvent, GoroutineEvents};
use crate::analysis::timeline::Timeline;
use crate::report::goroutines::go_duration as exact;
use crate::tui::action::Action;
use crate::tui::format::fit;
use crate::tui::model::in_background;

/// Where an entry of a panel leads: a lane (P or thread ID) and a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// The lane, if the place is on one (events are placed by time only).
    pub lane: Option<u64>,
    /// The time (absolute ns).
    pub time: i64,
}

/// What a key did in a panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelOutcome {
    /// Stay open.
    Stay,
    /// Close.
    Close,
    /// Close and go there.
    Go(Place),
}

/// A goroutine's events, computed by a pass of their own.
#[derive(Debug)]
pub struct EventsPanel {
    /// The goroutine.
    pub goroutine: i64,
    /// The cursor time when opened: the list starts with the events just before it.
    cursor: i64,
    events: Option<Result<Vec<GoEvent>, String>>,
    pending: Option<mpsc::Receiver<Result<Vec<GoEvent>, String>>>,
    selected: usize,
}

impl EventsPanel {
    /// Starts collecting goroutine `g`'s events (in the background).
    pub fn open(g: i64, cursor: i64, ctx: &Ctx<'_>) -> EventsPanel {
        let rx = in_background(
            ctx.file,
            "goroutine events",
            GoroutineEvents::new(g, i64::MIN, i64::MAX),
            GoroutineEvents::finish,
        );
        EventsPanel {
            goroutine: g,
            cursor,
            events: None,
            pending: Some(rx),
            selected: 0,
        }
    }

    /// Collects the result; `true` when it arrived.
    pub fn tick(&mut self) -> bool {
        let Some(rx) = &self.pending else {
            return false;
        };
        let r = match rx.try_recv() {
            Ok(r) => r,
            Err(mpsc::TryRecvError::Empty) => return false,
            Err(mpsc::TryRecvError::Disconnected) => Err("the events pass ended early".into()),
        };
        // Select the first event at or after the cursor: above it, what preceded.
        if let Ok(evs) = &r {
            self.selected = evs
                .partition_point(|e| e.time < self.cursor)
                .min(evs.len().saturating_sub(1));
        }
        self.events = Some(r);
        self.pending = None;
        true
    }

    /// Whether the pass is still running.
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Handles a key.
    pub fn update(&mut self, action: Action) -> PanelOutcome {
        let n = match &self.events {
            Some(Ok(e)) => e.len(),
            _ => 0,
        };
        match action {
            Action::Back => return PanelOutcome::Close,
            Action::Up | Action::ScrollUp => self.selected = self.selected.saturating_sub(1),
            Action::Down | Action::ScrollDown => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            Action::PageUp => self.selected = self.selected.saturating_sub(10),
            Action::PageDown => self.selected = (self.selected + 10).min(n.saturating_sub(1)),
            Action::Enter => {
                if let Some(Ok(evs)) = &self.events
                    && let Some(e) = evs.get(self.selected)
                {
                    return PanelOutcome::Go(Place {
                        lane: None,
                        time: e.time,
                    });
                }
            }
            _ => {}
        }
        PanelOutcome::Stay
    }

    /// Draws the panel over `area`.
    pub fn render(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let (t0, _) = ctx.model.time_range();
        let popup = popup_area(area);
        Clear.render(popup, buf);
        let title = format!(
            " Events of G{} {} (↑↓, Enter goes, Esc) ",
            self.goroutine,
            ctx.model.goroutine_name(self.goroutine)
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .title(fit(&title, popup.width as usize - 2));
        let inner = block.inner(popup);
        block.render(popup, buf);
        let evs = match &self.events {
            None => {
                buf.set_string(inner.x, inner.y, "collecting its events…", theme.dim());
                return;
            }
            Some(Err(e)) => {
                buf.set_string(inner.x, inner.y, fit(e, inner.width as usize), theme.warn());
                return;
            }
            Some(Ok(e)) => e,
        };
        if evs.is_empty() {
            buf.set_string(inner.x, inner.y, "(no events)", theme.dim());
            return;
        }
        // The list takes the top; the selected event's stack the bottom third.
        let stack_h = (inner.height / 3)
            .max(3)
            .min(inner.height.saturating_sub(3));
        let list_h = inner.height.saturating_sub(stack_h + 1) as usize;
        let first = self
            .selected
            .saturating_sub(list_h / 2)
            .min(evs.len().saturating_sub(list_h));
        let at_cursor = evs.partition_point(|e| e.time < self.cursor);
        let mut lines: Vec<Line> = Vec::new();
        for (i, e) in evs.iter().enumerate().skip(first).take(list_h) {
            let mark = if i == at_cursor { "▶" } else { " " };
            let by = e.by.map_or(String::new(), |b| format!("  (by G{b})"));
            let text = format!("{mark}{:>10}  {}{by}", exact(e.time - t0), e.summary);
            let style = if i == self.selected {
                theme.selected()
            } else {
                Style::default()
            };
            lines.push(Line::styled(fit(&text, inner.width as usize), style));
        }
        Paragraph::new(lines).render(Rect::new(inner.x, inner.y, inner.width, list_h as u16), buf);
        let sy = inner.y + list_h as u16;
        let rule = format!(
            "── {} before the cursor, {} after; stack of the selected ──",
            at_cursor,
            evs.len() - at_cursor
        );
        buf.set_stringn(
            inner.x,
            sy,
            fit(&rule, inner.width as usize),
            inner.width as usize,
            theme.dim(),
        );
        let e = &evs[self.selected.min(evs.len() - 1)];
        let stack: Vec<Line> = if e.stack.is_empty() {
            vec![Line::styled("(no stack)", theme.dim())]
        } else {
            e.stack
                .iter()
                .map(|f| {
                    Line::from(fit(
                        &format!("{} {}:{}", f.func, f.file, f.line),
                        inner.width as usize,
                    ))
                })
                .collect()
        };
        Paragraph::new(stack).render(Rect::new(inner.x, sy + 1, inner.width, stack_h), buf);
    }
}

/// One link of a chain of causes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    /// How many links back from the slice the chain started at.
    pub depth: usize,
    /// The goroutine.
    pub goroutine: i64,
    /// Its slice's lane and start.
    pub place: Place,
    /// What made it run: "unblock (chan receive) by G8 at 4.16ms" (or why the chain
    /// stops here).
    pub cause: String,
}

/// Walks the causes back from goroutine `g`'s slice starting at `start` on `lane`:
/// the incoming flow, the slice of the goroutine that caused it, that slice's incoming
/// flow, and so on — until a cause is not a goroutine, the trace begins, a goroutine
/// repeats, or `max` links.
pub fn cause_chain(
    tl: &Timeline,
    lane: u64,
    g: i64,
    start: i64,
    max: usize,
    t0: i64,
) -> Vec<ChainEntry> {
    let mut out = Vec::new();
    let (mut lane, mut g, mut start) = (lane, g, start);
    let mut seen = rustc_hash::FxHashSet::default();
    for depth in 0..max {
        let place = Place {
            lane: Some(lane),
            time: start,
        };
        let Some(a) = tl.arrow_index.into_run(tl, g, start) else {
            out.push(ChainEntry {
                depth,
                goroutine: g,
                place,
                cause: "running since before the trace (or a start with no recorded cause)".into(),
            });
            break;
        };
        let from = tl.cause_goroutine(a.from_lane, a.from_time);
        let cause = match from {
            Some(c) => format!("{} by G{c} at {}", a.name, exact(a.from_time - t0)),
            None => format!(
                "{} at {} (not by a goroutine)",
                a.name,
                exact(a.from_time - t0)
            ),
        };
        out.push(ChainEntry {
            depth,
            goroutine: g,
            place,
            cause,
        });
        let Some(c) = from else { break };
        if !seen.insert((c, a.from_time)) {
            break;
        }
        let Some((row, i)) = tl.cause_slice(a.from_lane, a.from_time) else {
            break;
        };
        let spans = &tl.lanes[row];
        (lane, g, start) = (a.from_lane, c, spans.starts().get(i));
    }
    out
}

/// The "all connected" panel.
#[derive(Debug)]
pub struct ChainPanel {
    /// The chain, from the slice back.
    pub entries: Vec<ChainEntry>,
    selected: usize,
}

impl ChainPanel {
    /// A panel over `entries`.
    pub fn new(entries: Vec<ChainEntry>) -> ChainPanel {
        ChainPanel {
            entries,
            selected: 0,
        }
    }

    /// Handles a key.
    pub fn update(&mut self, action: Action) -> PanelOutcome {
        match action {
            Action::Back => return PanelOutcome::Close,
            Action::Up | Action::ScrollUp => self.selected = self.selected.saturating_sub(1),
            Action::Down | Action::ScrollDown => {
                self.selected = (self.selected + 1).min(self.entries.len().saturating_sub(1))
            }
            Action::Enter => {
                if let Some(e) = self.entries.get(self.selected) {
                    return PanelOutcome::Go(e.place);
                }
            }
            _ => {}
        }
        PanelOutcome::Stay
    }

    /// Draws the panel over `area`.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        ctx: &Ctx<'_>,
        lane_name: &dyn Fn(u64) -> String,
    ) {
        let theme = ctx.theme;
        let (t0, _) = ctx.model.time_range();
        let popup = popup_area(area);
        Clear.render(popup, buf);
        let lines: Vec<Line> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let text = format!(
                    "{}{}G{} {} on {} at {} ← {}",
                    "  ".repeat(e.depth),
                    if e.depth == 0 { "" } else { "↳ " },
                    e.goroutine,
                    ctx.model.goroutine_name(e.goroutine),
                    e.place.lane.map_or(String::new(), lane_name),
                    exact(e.place.time - t0),
                    e.cause
                );
                let style = if i == self.selected {
                    theme.selected()
                } else {
                    Style::default()
                };
                Line::styled(fit(&text, popup.width as usize - 2), style)
            })
            .collect();
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" All connected: causes walked back (↑↓, Enter goes, Esc) "),
            )
            .render(popup, buf);
    }
}

fn popup_area(area: Rect) -> Rect {
    let w = area.width.saturating_sub(2).min(110);
    let h = area.height.saturating_sub(2);
    Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h)
}
