//! The Timeline tab: one row per P (or per thread) in block characters, with the GC,
//! stop-the-world, heap, goroutine and thread tracks above; a cursor, zoom and pan, and
//! the details of the slice under the cursor.

use std::sync::{Arc, mpsc};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::panels::{ChainPanel, EventsPanel, PanelOutcome, cause_chain};
use super::{Ctx, Effect, View};
use crate::analysis::gstates::{GStates, Lifetime, State};
use crate::analysis::search::{Match, search};
use crate::analysis::task_view::{RegionSlice, TaskGoroutineView, TaskView};
use crate::analysis::timeline::{GC_LANE, LaneSpans, NO_STACK, SliceKind, Timeline};
use crate::report::goroutines::go_duration as exact;
use crate::tui::action::Action;
use crate::tui::format::{dur, fit, pad};
use crate::tui::keymap::Context;
use crate::tui::model::{Model, in_background};
use crate::tui::theme::StateColor;
use crate::tui::widgets::bars::level;

/// Width of the row labels on the left.
const LABEL: u16 = 11;
/// Spans sampled per cell when colouring a zoomed-out cell by its dominant group (or a
/// goroutine row's cell by its longest state).
const SAMPLE: usize = 32;

/// What the rows are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Rows {
    /// One row per P.
    #[default]
    Procs,
    /// One row per OS thread.
    Threads,
    /// One row per goroutine of a group, coloured by state.
    Goroutines,
}

/// Whose goroutines the goroutine rows show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowSource {
    /// A group's (index into `Model::groups`).
    Group(u32),
    /// The focused task tree's (go tool trace's goroutine view of a task).
    Task(u64),
}

/// The goroutine rows: the goroutines of one group, or of the focused task's tree, and
/// their state spans, computed by a pass of their own.
#[derive(Debug)]
struct GoroutineRows {
    source: RowSource,
    /// Its goroutines, ascending (a task's: the one it is oriented on first).
    ids: Vec<i64>,
    /// For a task: the tree's regions, drawn underlined on their goroutines' rows.
    regions: Vec<RegionSlice>,
    /// Their lifetimes, in `ids` order, once computed.
    lives: Option<Result<Vec<Lifetime>, String>>,
    pending: Option<mpsc::Receiver<Result<Vec<Lifetime>, String>>>,
}

impl GoroutineRows {
    /// The rows of a group's goroutines (those the filter keeps, when one is in force).
    fn start(group: u32, ctx: &Ctx<'_>) -> GoroutineRows {
        let ids = match ctx.filter {
            Some(f) => f.members[group as usize].clone(),
            None => ctx.model.groups[group as usize].goroutines.clone(),
        };
        Self::of(RowSource::Group(group), ids, Vec::new(), ctx)
    }

    /// The rows of the goroutines of task `id`'s tree, with its regions; `None` when go
    /// tool trace has no goroutine view of the task.
    fn of_task(id: u64, ctx: &Ctx<'_>) -> Option<GoroutineRows> {
        let v = TaskGoroutineView::of(&ctx.model.summary, id, &ctx.model.procs)?;
        let mut ids: Vec<i64> = v.goroutines.iter().copied().collect();
        ids.sort_unstable_by_key(|&g| (g != v.focus, g));
        Some(Self::of(RowSource::Task(id), ids, v.regions, ctx))
    }

    fn of(
        source: RowSource,
        ids: Vec<i64>,
        regions: Vec<RegionSlice>,
        ctx: &Ctx<'_>,
    ) -> GoroutineRows {
        let wanted = ids.clone();
        let rx = in_background(
            ctx.file,
            "goroutine rows",
            GStates::of(ids.iter().copied()),
            move |states| {
                let mut lives = states.finish();
                wanted
                    .iter()
                    .map(|g| lives.remove(g).unwrap_or_default())
                    .collect()
            },
        );
        GoroutineRows {
            source,
            ids,
            regions,
            lives: None,
            pending: Some(rx),
        }
    }

    /// What the rows are, for the info line.
    fn title(&self, model: &Model) -> String {
        match self.source {
            RowSource::Group(g) => format!("group {}", model.groups[g as usize].name),
            RowSource::Task(t) => format!("task {t}'s goroutines (regions underlined)"),
        }
    }

    fn life(&self, row: usize) -> Option<&Lifetime> {
        self.lives.as_ref()?.as_ref().ok()?.get(row)
    }
}

/// How a goroutine state is drawn on goroutine rows: its colour family, and a glyph
/// per family so that states differ without colour too.
fn state_look(s: &State) -> (char, StateColor) {
    let family = StateColor::of_state(s);
    let glyph = match family {
        StateColor::Running => '█',
        StateColor::Runnable => '▒',
        StateColor::Syscall => '▓',
        StateColor::Network | StateColor::Sync => '░',
        StateColor::Blocked => '·',
    };
    (glyph, family)
}

/// Where the timeline is looking: its window, cursor, selected row and row kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spot {
    from: i64,
    to: i64,
    cursor: i64,
    row: usize,
    rows: Rows,
}

/// One outgoing flow offered by the picker: the goroutine started, where and when.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FlowChoice {
    name: crate::analysis::timeline::Name,
    goroutine: i64,
    from_time: i64,
    to_lane: u64,
    to_time: i64,
}

/// A causality panel over the timeline.
#[derive(Debug)]
enum Panel {
    Events(EventsPanel),
    Chain(ChainPanel),
}

/// A search's results.
#[derive(Debug)]
struct Found {
    pattern: String,
    /// The first matches, in time order.
    matches: Vec<Match>,
    /// How many there are in all.
    total: usize,
    /// The match the cursor was last put on.
    current: Option<usize>,
    /// The list popup, open after a search, and its selection.
    list: Option<usize>,
}

/// What a search thread sends back: the first matches and how many there are.
type SearchResult = (Vec<Match>, usize);

/// Matches kept by a search (all are counted).
const SEARCH_LIMIT: usize = 100_000;

/// The Timeline tab's state.
#[derive(Debug, Default)]
pub struct TimelineView {
    /// The last search's matches.
    found: Option<Found>,
    /// A search in flight: its text and where its results arrive.
    searching: Option<(String, mpsc::Receiver<SearchResult>)>,
    /// A message for the line under the lanes (a search that found nothing).
    notice: Option<String>,
    /// The events or causes panel, when open.
    panel: Option<Panel>,
    /// The outgoing-flow picker, when `]` found several: the choices and the selection.
    picker: Option<(Vec<FlowChoice>, usize)>,
    /// Visible window, absolute ns (`from == to` until the first draw: the whole trace).
    from: i64,
    to: i64,
    /// Cursor time, absolute ns.
    cursor: i64,
    /// Selected row (index into the lanes).
    row: usize,
    /// First lane row shown.
    top: usize,
    /// Ps or threads.
    rows: Rows,
    /// Whether the details popup is open.
    details: bool,
    /// Cells of the last draw (time columns) and lane rows that fit.
    cells: u16,
    /// Where the last draw put the first time column and the first lane row (screen
    /// coordinates), for mouse clicks.
    origin: (u16, u16),
    page: usize,
    /// The GC and stop-the-world tracks, built on first use.
    tracks: Option<Tracks>,
    /// The thread timeline, built by a pass of its own the first time thread rows are
    /// asked for.
    threads: Option<Result<Arc<Timeline>, String>>,
    /// The goroutine rows, when shown (or last shown).
    grows: Option<GoroutineRows>,
    pending_threads: Option<mpsc::Receiver<Result<Timeline, String>>>,
    /// The focused task (go tool trace's task-focused view): its tree, drawn as tracks
    /// above the lanes until Esc.
    focus: Option<TaskView>,
}

/// At most this many task tracks above the lanes; a larger tree shows its first tasks
/// and a count of the rest.
const MAX_TASK_ROWS: usize = 6;

/// Indexed ranges for the tracks above the lanes.
#[derive(Debug)]
struct Tracks {
    gc: LaneSpans,
    stw: LaneSpans,
}

impl Tracks {
    fn new(tl: &Timeline) -> Tracks {
        let merged = |pred: &dyn Fn(&crate::analysis::timeline::Slice) -> bool| {
            let mut v: Vec<(i64, i64)> = tl
                .slices
                .iter()
                .filter(|s| pred(s))
                .map(|s| (s.start, s.start + s.dur))
                .collect();
            v.sort_unstable();
            // Ranges overlap (a stop-the-world is drawn on every P): merge them so busy
            // time is wall time.
            let mut out: Vec<(i64, i64, i64)> = Vec::new();
            for (s, e) in v {
                match out.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => out.push((s, e, 0)),
                }
            }
            LaneSpans::new(out)
        };
        Tracks {
            gc: merged(&|s| s.lane == GC_LANE && !s.name.starts_with("stop-the-world")),
            stw: merged(&|s| s.kind == SliceKind::Range && s.name.starts_with("stop-the-world")),
        }
    }
}

impl TimelineView {
    /// The timeline of the rows shown; an empty one while the thread rows compute.
    fn timeline(&self, model: &Model) -> Arc<Timeline> {
        match self.rows {
            Rows::Procs | Rows::Goroutines => model.procs.clone(),
            Rows::Threads => match &self.threads {
                Some(Ok(t)) => t.clone(),
                _ => Arc::default(),
            },
        }
    }

    fn lane_name(&self, id: u64) -> String {
        match (id, self.rows) {
            (crate::analysis::timeline::NETPOLL_LANE, _) => "the network poller".into(),
            (crate::analysis::timeline::SYSCALL_LANE, _) => "a blocked syscall".into(),
            // Go's uint64(-1): no P (or thread), the runtime itself.
            (u64::MAX, _) => "the runtime (no P)".into(),
            (_, Rows::Procs) => format!("P{id}"),
            (_, Rows::Threads) => format!("M{id}"),
            (_, Rows::Goroutines) => format!("G{id}"),
        }
    }

    fn ensure_window(&mut self, model: &Model) {
        if self.from >= self.to {
            let (a, b) = model.time_range();
            self.from = a;
            self.to = b.max(a + 1);
            self.cursor = a;
        }
    }

    /// Nanoseconds per cell.
    fn cell_ns(&self) -> f64 {
        (self.to - self.from) as f64 / self.cells.max(1) as f64
    }

    fn cell_of(&self, t: i64) -> Option<u16> {
        if t < self.from || t >= self.to {
            return None;
        }
        Some((((t - self.from) as f64 / self.cell_ns()) as u16).min(self.cells.saturating_sub(1)))
    }

    /// Sets the window to `[from, to]`, clamped to the trace and at least 1 µs wide.
    fn set_window(&mut self, from: i64, to: i64, model: &Model) {
        let (a, b) = model.time_range();
        let width = (to - from).clamp(1_000.min(b - a).max(1), (b - a).max(1));
        let from = from.clamp(a, (b - width).max(a));
        self.from = from;
        self.to = from + width;
        self.cursor = self.cursor.clamp(self.from, self.to - 1);
    }

    fn zoom(&mut self, factor: f64, model: &Model) {
        let width = ((self.to - self.from) as f64 * factor).round() as i64;
        // Keep the cursor at the same place on screen.
        let frac = (self.cursor - self.from) as f64 / (self.to - self.from).max(1) as f64;
        let from = self.cursor - (width as f64 * frac) as i64;
        self.set_window(from, from + width, model);
    }

    fn pan(&mut self, cells: f64, model: &Model) {
        let d = (self.cell_ns() * cells).round() as i64;
        let width = self.to - self.from;
        let old = self.from;
        self.set_window(self.from + d, self.from + d + width, model);
        self.cursor = (self.cursor + (self.from - old)).clamp(self.from, self.to - 1);
    }

    /// The selected lane's spans.
    fn lane<'t>(&self, tl: &'t Timeline) -> Option<(u64, &'t LaneSpans)> {
        if self.rows == Rows::Goroutines {
            return None;
        }
        Some((*tl.lane_ids.get(self.row)?, tl.lanes.get(self.row)?))
    }

    /// The span under the cursor on the selected row (or the nearest within a cell).
    fn selected_span(&self, model: &Model) -> Option<usize> {
        let tl = self.timeline(model);
        let (_, lane) = self.lane(&tl)?;
        if let Some(i) = lane.at(self.cursor) {
            return Some(i);
        }
        let slack = self.cell_ns().ceil() as i64;
        let i = lane.starts().partition_point(|s| s <= self.cursor + slack);
        (i > 0 && lane.ends().get(i - 1) + slack > self.cursor).then(|| i - 1)
    }

    /// Moves the cursor to the span `i` of the selected lane, panning to show it.
    fn go_to_span(&mut self, i: usize, model: &Model) {
        let tl = self.timeline(model);
        let Some((_, lane)) = self.lane(&tl) else {
            return;
        };
        let s = lane.starts().get(i);
        self.go_to_time(s, model);
    }

    /// Searches the P timeline for `text` (on a thread of its own); the list of
    /// matches opens when they are in.
    pub fn search(&mut self, text: &str, ctx: &Ctx<'_>) {
        self.ensure_window(ctx.model);
        // A whole-trace search of a big trace takes a while: it runs on its own
        // thread and the keys keep working.
        let (tx, rx) = mpsc::channel();
        let (model, pattern) = (ctx.model.clone(), text.to_string());
        std::thread::spawn(move || {
            let r = search(
                &model.procs,
                |g| model.goroutine_name(g),
                &pattern,
                SEARCH_LIMIT,
            );
            let _ = tx.send(r);
        });
        self.searching = Some((text.to_string(), rx));
    }

    /// Installs the results of the search in flight, if they have arrived.
    fn search_done(&mut self) -> bool {
        let Some((pattern, rx)) = &self.searching else {
            return false;
        };
        let (matches, total) = match rx.try_recv() {
            Ok(r) => r,
            Err(mpsc::TryRecvError::Empty) => return false,
            Err(mpsc::TryRecvError::Disconnected) => (Vec::new(), 0),
        };
        let pattern = pattern.clone();
        self.searching = None;
        if matches.is_empty() {
            self.found = None;
            self.notice = Some(format!("no slice or log matches {pattern:?}"));
            return true;
        }
        self.rows = Rows::Procs;
        self.details = false;
        self.found = Some(Found {
            pattern,
            matches,
            total,
            current: None,
            list: Some(0),
        });
        true
    }

    /// Puts the cursor on match `i`.
    fn go_to_match(&mut self, i: usize, model: &Model) {
        let Some(f) = &mut self.found else { return };
        let Some(m) = f.matches.get(i) else { return };
        f.current = Some(i);
        let (lane, t) = (m.lane, m.time);
        if let Some(row) = model.procs.row_of(lane) {
            self.row = row;
        }
        self.go_to_time(t, model);
    }

    /// `n` / `N`: the next (previous) match after (before) the cursor.
    fn step_match(&mut self, forward: bool, model: &Model) -> Effect {
        let Some(f) = &self.found else {
            return Effect::Status("no search: / searches".into());
        };
        let c = self.cursor;
        let i = if forward {
            // Past the current one when the cursor is on it.
            let start = f
                .current
                .filter(|&i| f.matches[i].time == c)
                .map_or(0, |i| i + 1);
            (start..f.matches.len())
                .find(|&i| f.matches[i].time > c || Some(i) > f.current && f.matches[i].time == c)
        } else {
            let end = f
                .current
                .filter(|&i| f.matches[i].time == c)
                .unwrap_or(f.matches.len());
            (0..end)
                .rev()
                .find(|&i| f.matches[i].time < c || f.matches[i].time == c && Some(i) < f.current)
        };
        match i {
            Some(i) => {
                self.go_to_match(i, model);
                Effect::Jumped
            }
            None => Effect::Status(format!(
                "no {} match of {:?}",
                if forward { "later" } else { "earlier" },
                f.pattern
            )),
        }
    }

    /// Rebuilds a group's goroutine rows after the filter changed.
    pub fn filter_changed(&mut self, ctx: &Ctx<'_>) {
        if let Some(rows) = &self.grows
            && let RowSource::Group(group) = rows.source
        {
            self.set_rows(Some(GoroutineRows::start(group, ctx)));
            self.row = 0;
            self.top = 0;
        }
    }

    /// Replaces the goroutine rows. The old rows' states can be hundreds of MiB (a
    /// ping-pong group has millions of spans): handing the memory back takes tens of
    /// milliseconds, so it happens on a thread of its own, not in a key press.
    fn set_rows(&mut self, rows: Option<GoroutineRows>) {
        let old = std::mem::replace(&mut self.grows, rows);
        if let Some(old) = old.filter(|o| o.lives.is_some()) {
            let dropped = std::thread::Builder::new()
                .name("drop rows".into())
                .spawn(move || drop(old));
            // If no thread can be made, the rows are dropped here, with the closure.
            drop(dropped);
        }
    }

    /// Moves the cursor to `t` (absolute ns), keeping the zoom.
    pub fn go_to(&mut self, t: i64, ctx: &Ctx<'_>) {
        self.ensure_window(ctx.model);
        self.details = false;
        self.go_to_time(t, ctx.model);
    }

    /// Selects the row of P `p` (switching to P rows); `false` if no P has that ID.
    pub fn select_proc(&mut self, p: u64, ctx: &Ctx<'_>) -> bool {
        self.ensure_window(ctx.model);
        let Some(row) = ctx.model.procs.row_of(p) else {
            return false;
        };
        self.rows = Rows::Procs;
        self.row = row;
        self.details = false;
        true
    }

    /// Selects the row of thread `m` (switching to thread rows, which are built on
    /// first use); `Err` says why it cannot yet.
    pub fn select_thread(&mut self, m: u64, ctx: &Ctx<'_>) -> Result<(), String> {
        self.ensure_window(ctx.model);
        match &self.threads {
            Some(Ok(tl)) => {
                let row = tl
                    .lane_ids
                    .iter()
                    .position(|&l| l == m)
                    .ok_or_else(|| format!("no thread M{m} ran goroutines"))?;
                self.rows = Rows::Threads;
                self.row = row;
                self.details = false;
                Ok(())
            }
            Some(Err(e)) => Err(e.clone()),
            None => {
                if self.pending_threads.is_none() {
                    self.pending_threads = Some(Model::build_threads(ctx.file, &ctx.model.procs));
                }
                Err("building the thread timeline: jump again in a moment".into())
            }
        }
    }

    /// Shows the goroutines of group `group` as rows.
    pub fn show_group(&mut self, group: u32, ctx: &Ctx<'_>) {
        self.ensure_window(ctx.model);
        if self
            .grows
            .as_ref()
            .is_none_or(|r| r.source != RowSource::Group(group))
        {
            self.set_rows(Some(GoroutineRows::start(group, ctx)));
        }
        self.rows = Rows::Goroutines;
        self.row = 0;
        self.top = 0;
        self.details = false;
    }

    /// The label of the selected row ("P3", "M12", "G42").
    pub fn row_label(&self, model: &Model) -> Option<String> {
        match self.rows {
            Rows::Goroutines => self
                .grows
                .as_ref()
                .and_then(|r| r.ids.get(self.row))
                .map(|g| format!("G{g}")),
            _ => {
                let tl = self.timeline(model);
                tl.lane_ids.get(self.row).map(|&id| self.lane_name(id))
            }
        }
    }

    /// The cursor time (absolute ns).
    pub fn cursor(&self) -> i64 {
        self.cursor
    }

    /// Where the view is looking, for the navigation history.
    pub fn spot(&self) -> Spot {
        Spot {
            from: self.from,
            to: self.to,
            cursor: self.cursor,
            row: self.row,
            rows: self.rows,
        }
    }

    /// Returns to a place saved by [`TimelineView::spot`].
    pub fn restore(&mut self, spot: &Spot) {
        self.from = spot.from;
        self.to = spot.to;
        self.cursor = spot.cursor;
        self.row = spot.row;
        // Thread or goroutine rows are rebuilt on demand; history keeps to Ps otherwise.
        let unavailable = match spot.rows {
            Rows::Threads => !matches!(self.threads, Some(Ok(_))),
            Rows::Goroutines => self.grows.is_none(),
            Rows::Procs => false,
        };
        self.rows = if unavailable { Rows::Procs } else { spot.rows };
        self.details = false;
        self.picker = None;
    }

    /// Puts the cursor on lane `lane` at `t`, moving the window so that `also` (the
    /// other end of a flow) is in view too: panning if the current zoom fits both, else
    /// zooming out to fit them.
    fn land(&mut self, lane: u64, t: i64, also: i64, model: &Model) -> bool {
        let tl = self.timeline(model);
        let Some(row) = tl.row_of(lane) else {
            return false;
        };
        self.row = row;
        let (lo, hi) = (t.min(also), t.max(also));
        let width = self.to - self.from;
        if lo < self.from || hi >= self.to {
            if hi - lo < width * 8 / 10 {
                let mid = lo + (hi - lo) / 2;
                self.set_window(mid - width / 2, mid - width / 2 + width, model);
            } else {
                let margin = ((hi - lo) / 10).max(1_000);
                self.set_window(lo - margin, hi + margin, model);
            }
        }
        self.cursor = t.clamp(self.from, self.to - 1);
        self.details = false;
        true
    }

    /// `[`: from the selected slice to the slice of the goroutine that caused it.
    fn follow_in(&mut self, model: &Model) -> Effect {
        let tl = self.timeline(model);
        let (Some(i), Some((_, lane))) = (self.selected_span(model), self.lane(&tl)) else {
            return Effect::Status("no slice under the cursor".into());
        };
        let (g, start) = (lane.goroutines().get(i), lane.starts().get(i));
        let Some(a) = tl.arrow_index.into_run(&tl, g, start) else {
            return Effect::Status(format!(
                "G{g} has no incoming flow here (it was already running)"
            ));
        };
        let (name, from_lane, from_time) = (a.name.clone(), a.from_lane, a.from_time);
        if self.land(from_lane, from_time, start, model) {
            Effect::Jumped
        } else {
            Effect::Status(format!(
                "{name}: caused by {} — no goroutine to go to",
                self.lane_name(from_lane)
            ))
        }
    }

    /// The goroutine of the selected slice (or goroutine row).
    pub fn selected_goroutine(&self, model: &Model) -> Option<i64> {
        if self.rows == Rows::Goroutines {
            return self.grows.as_ref()?.ids.get(self.row).copied();
        }
        let tl = self.timeline(model);
        let i = self.selected_span(model)?;
        Some(self.lane(&tl)?.1.goroutine(i))
    }

    /// `e`: the selected goroutine's events around the cursor.
    fn open_events(&mut self, ctx: &Ctx<'_>) -> Effect {
        let Some(g) = self.selected_goroutine(ctx.model) else {
            return Effect::Status("no goroutine under the cursor".into());
        };
        self.details = false;
        self.panel = Some(Panel::Events(EventsPanel::open(g, self.cursor, ctx)));
        Effect::None
    }

    /// `c`: the chain of causes of the selected slice.
    fn open_chain(&mut self, model: &Model) -> Effect {
        let tl = self.timeline(model);
        let (Some(i), Some((id, lane))) = (self.selected_span(model), self.lane(&tl)) else {
            return Effect::Status("no slice under the cursor".into());
        };
        let (t0, _) = model.time_range();
        let chain = cause_chain(
            &tl,
            id,
            lane.goroutines().get(i),
            lane.starts().get(i),
            64,
            t0,
        );
        self.details = false;
        self.panel = Some(Panel::Chain(ChainPanel::new(chain)));
        Effect::None
    }

    /// `]`: to the goroutine the selected slice created or unblocked (a picker when it
    /// did so for several).
    fn follow_out(&mut self, model: &Model) -> Effect {
        let tl = self.timeline(model);
        let (Some(i), Some((id, lane))) = (self.selected_span(model), self.lane(&tl)) else {
            return Effect::Status("no slice under the cursor".into());
        };
        let choices: Vec<FlowChoice> = tl
            .arrow_index
            .out_of(&tl, id, lane.starts().get(i), lane.ends().get(i))
            .map(|a| FlowChoice {
                name: a.name.clone(),
                goroutine: a.goroutine,
                from_time: a.from_time,
                to_lane: a.to_lane,
                to_time: a.to_time,
            })
            .collect();
        match choices.len() {
            0 => Effect::Status(format!(
                "G{} created or unblocked no goroutine in this slice",
                lane.goroutines().get(i)
            )),
            1 => self.take_flow(&choices[0], model),
            _ => {
                self.picker = Some((choices, 0));
                Effect::None
            }
        }
    }

    fn take_flow(&mut self, c: &FlowChoice, model: &Model) -> Effect {
        if self.land(c.to_lane, c.to_time, c.from_time, model) {
            Effect::Jumped
        } else {
            Effect::Status(format!("G{} ran on no lane shown", c.goroutine))
        }
    }

    /// Rows in the current mode.
    fn row_count(&self, tl: &Timeline) -> usize {
        match self.rows {
            Rows::Goroutines => self.grows.as_ref().map_or(0, |r| r.ids.len()),
            _ => tl.lanes.len(),
        }
    }

    /// Moves the cursor to `t`, panning (same zoom) if it is off screen.
    fn go_to_time(&mut self, t: i64, model: &Model) {
        if t < self.from || t >= self.to {
            let width = self.to - self.from;
            self.set_window(t - width / 4, t - width / 4 + width, model);
        }
        self.cursor = t.clamp(self.from, self.to - 1);
    }

    /// Actions that mean something else on goroutine rows: stepping goes from state
    /// change to state change, Enter opens the goroutine, `f` fits its life.
    fn goroutine_rows_action(&mut self, action: Action, model: &Model) -> Option<Effect> {
        let rows = self.grows.as_ref()?;
        let id = *rows.ids.get(self.row)?;
        let life = rows.life(self.row);
        match action {
            Action::Enter => Some(Effect::ShowGoroutine(id)),
            Action::NextSlice | Action::PrevSlice => {
                let spans = &life?.spans;
                let t = if action == Action::NextSlice {
                    spans.iter().map(|s| s.start).find(|&t| t > self.cursor)
                } else {
                    spans
                        .iter()
                        .rev()
                        .map(|s| s.start)
                        .find(|&t| t < self.cursor)
                };
                if let Some(t) = t {
                    self.go_to_time(t, model);
                }
                Some(Effect::None)
            }
            Action::ZoomFit => {
                let life = life?;
                let (a, b) = (
                    life.spans.first().map_or(life.creation, |s| s.start),
                    life.spans.last().map_or(model.time_range().1, |s| s.end),
                );
                let margin = ((b - a) / 20).max(100);
                self.set_window(a - margin, b + margin, model);
                self.cursor = a.clamp(self.from, self.to - 1);
                Some(Effect::None)
            }
            _ => None,
        }
    }

    /// Shows task `id` as go tool trace's task-focused view does: the timeline over the
    /// task's window, with the task and its descendants as tracks (their lifetimes, and
    /// `◆` where a task began a child), on the row of the P that ran the goroutine that
    /// began it, the cursor at the begin.
    pub fn show_task(&mut self, id: u64, ctx: &Ctx<'_>) -> Result<(), String> {
        let model = ctx.model;
        let Some(view) = TaskView::of(&model.summary.tasks, id, &model.procs) else {
            return Err(format!(
                "task {id} has neither a begin nor an end in this trace: it has no window"
            ));
        };
        let starter = model
            .summary
            .tasks
            .get(&id)
            .and_then(|t| t.start)
            .map(|e| e.goroutine)
            .filter(|&g| g >= 0);
        // The proc view, as go tool trace's: the row of the P that ran the task's first
        // goroutine, the cursor at the begin.
        self.rows = Rows::Procs;
        self.show(view.from, view.to, starter, ctx);
        self.cursor = view.from.clamp(self.from, self.to - 1);
        self.focus = Some(view);
        Ok(())
    }

    /// The focused task, if any.
    pub fn focused_task(&self) -> Option<&TaskView> {
        self.focus.as_ref()
    }

    /// Shows `[from, to]`, with the cursor on `goroutine`'s first slice in it.
    pub fn show(&mut self, from: i64, to: i64, goroutine: Option<i64>, ctx: &Ctx<'_>) {
        let model = ctx.model;
        self.ensure_window(model);
        self.details = false;
        let margin = ((to - from) / 10).max(500);
        self.set_window(from - margin, to + margin, model);
        self.cursor = from.clamp(self.from, self.to - 1);
        let Some(g) = goroutine else { return };
        // The lane where it first ran in the window.
        let tl = self.timeline(model);
        let mut best: Option<(i64, usize)> = None;
        for (row, lane) in tl.lanes.iter().enumerate() {
            let lo = lane.ends().partition_point(|e| e <= from);
            let hi = lane.starts().partition_point(|s| s <= to);
            if let Some(i) = (lo..hi).find(|&i| lane.goroutines().get(i) == g)
                && best.is_none_or(|(t, _)| lane.starts().get(i) < t)
            {
                best = Some((lane.starts().get(i), row));
            }
        }
        if let Some((t, row)) = best {
            self.row = row;
            self.cursor = t.clamp(self.from, self.to - 1);
        }
    }
}

impl View for TimelineView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Timeline]
    }

    fn update(&mut self, action: Action, ctx: &Ctx<'_>) -> Effect {
        let model = ctx.model;
        self.ensure_window(model);
        self.notice = None;
        let tl = self.timeline(model);
        let lanes = self.row_count(&tl);
        if let Some(panel) = &mut self.panel {
            let outcome = match panel {
                Panel::Events(p) => p.update(action),
                Panel::Chain(p) => p.update(action),
            };
            return match outcome {
                PanelOutcome::Stay => Effect::None,
                PanelOutcome::Close => {
                    self.panel = None;
                    Effect::None
                }
                PanelOutcome::Go(place) => {
                    self.panel = None;
                    match place.lane {
                        Some(lane) => {
                            self.land(lane, place.time, place.time, model);
                        }
                        None => self.go_to_time(place.time, model),
                    }
                    Effect::Jumped
                }
            };
        }
        if let Some(f) = &mut self.found
            && let Some(sel) = &mut f.list
        {
            let last = f.matches.len() - 1;
            match action {
                Action::Up | Action::ScrollUp => *sel = sel.saturating_sub(1),
                Action::Down | Action::ScrollDown => *sel = (*sel + 1).min(last),
                Action::PageUp => *sel = sel.saturating_sub(10),
                Action::PageDown => *sel = (*sel + 10).min(last),
                Action::Enter => {
                    let i = *sel;
                    f.list = None;
                    self.go_to_match(i, model);
                    return Effect::Jumped;
                }
                Action::Back => f.list = None,
                _ => {}
            }
            return Effect::None;
        }
        if let Some((choices, sel)) = &mut self.picker {
            match action {
                Action::Up | Action::ScrollUp => *sel = sel.saturating_sub(1),
                Action::Down | Action::ScrollDown => *sel = (*sel + 1).min(choices.len() - 1),
                Action::Enter | Action::FollowOut => {
                    let c = choices[*sel].clone();
                    self.picker = None;
                    return self.take_flow(&c, model);
                }
                Action::Back => self.picker = None,
                _ => {}
            }
            return Effect::None;
        }
        if self.rows == Rows::Goroutines
            && let Some(effect) = self.goroutine_rows_action(action, model)
        {
            return effect;
        }
        match action {
            Action::FollowIn => return self.follow_in(model),
            Action::Click { column, row } => {
                let (x0, y0) = self.origin;
                if row >= y0 && ((row - y0) as usize) < self.page {
                    let r = self.top + (row - y0) as usize;
                    if r < lanes {
                        self.row = r;
                    }
                }
                if column >= x0 && column < x0 + self.cells {
                    self.cursor = self.from + ((column - x0) as f64 * self.cell_ns()) as i64;
                    self.details = false;
                }
            }
            Action::ShowEvents => return self.open_events(ctx),
            Action::ShowChain => return self.open_chain(model),
            Action::FollowOut => return self.follow_out(model),
            Action::Back if self.details => self.details = false,
            Action::Back if self.found.is_some() => self.found = None,
            Action::Back if self.focus.is_some() => self.focus = None,
            Action::Back => return Effect::Unused,
            Action::NextMatch | Action::PrevMatch => {
                return self.step_match(action == Action::NextMatch, model);
            }
            Action::Enter => self.details = self.selected_span(model).is_some(),
            Action::Up | Action::ScrollUp => self.row = self.row.saturating_sub(1),
            Action::Down | Action::ScrollDown => {
                self.row = (self.row + 1).min(lanes.saturating_sub(1))
            }
            Action::PageUp => self.row = self.row.saturating_sub(self.page.max(1)),
            Action::PageDown => {
                self.row = (self.row + self.page.max(1)).min(lanes.saturating_sub(1))
            }
            Action::Left => self.pan(-(self.cells as f64) / 8.0, model),
            Action::Right => self.pan(self.cells as f64 / 8.0, model),
            Action::ZoomIn => self.zoom(0.5, model),
            Action::ZoomOut => self.zoom(2.0, model),
            Action::ZoomAll => {
                let (a, b) = model.time_range();
                self.set_window(a, b, model);
            }
            Action::ZoomFit => {
                if let (Some(i), Some((_, lane))) = (self.selected_span(model), self.lane(&tl)) {
                    let (s, e) = (lane.starts().get(i), lane.ends().get(i));
                    let margin = ((e - s) / 10).max(100);
                    self.set_window(s - margin, e + margin, model);
                    self.cursor = s;
                }
            }
            Action::NextSlice => {
                if let Some((_, lane)) = self.lane(&tl) {
                    let i = lane.starts().partition_point(|s| s <= self.cursor);
                    if i < lane.len() {
                        self.go_to_span(i, model);
                    }
                }
            }
            Action::PrevSlice => {
                if let Some((_, lane)) = self.lane(&tl) {
                    let i = lane.starts().partition_point(|s| s < self.cursor);
                    if i > 0 {
                        self.go_to_span(i - 1, model);
                    }
                }
            }
            Action::ToggleRows => {
                // Goroutine rows show the group of the goroutine under the cursor (the
                // group with the most execution if there is none).
                let group = self
                    .selected_span(model)
                    .and_then(|i| self.lane(&tl).map(|(_, l)| l.goroutines().get(i)))
                    .and_then(|g| model.group_of.get(g))
                    .unwrap_or(0);
                self.rows = match self.rows {
                    Rows::Procs => Rows::Threads,
                    Rows::Threads if !model.groups.is_empty() => Rows::Goroutines,
                    Rows::Threads | Rows::Goroutines => Rows::Procs,
                };
                // With a task focused, its tree's goroutines (go tool trace's goroutine
                // view of the task).
                let task = self.focus.as_ref().map(|f| f.task);
                let source = task.map_or(RowSource::Group(group), RowSource::Task);
                if self.rows == Rows::Goroutines
                    && self.grows.as_ref().is_none_or(|r| r.source != source)
                {
                    self.set_rows(match source {
                        RowSource::Task(t) => GoroutineRows::of_task(t, ctx),
                        RowSource::Group(g) => Some(GoroutineRows::start(g, ctx)),
                    });
                    if self.grows.is_none() {
                        self.rows = Rows::Procs;
                    }
                }
                if self.rows == Rows::Threads
                    && self.threads.is_none()
                    && self.pending_threads.is_none()
                {
                    self.pending_threads = Some(Model::build_threads(ctx.file, &ctx.model.procs));
                }
                self.row = 0;
                self.top = 0;
                self.details = false;
            }
            _ => {}
        }
        Effect::None
    }

    fn tick(&mut self, _ctx: &Ctx<'_>) -> bool {
        let mut changed = self.search_done();
        if let Some(Panel::Events(p)) = &mut self.panel {
            changed |= p.tick();
        }
        if let Some(rows) = &mut self.grows
            && let Some(rx) = &rows.pending
        {
            match rx.try_recv() {
                Ok(r) => rows.lives = Some(r),
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    rows.lives = Some(Err("the goroutine state pass ended early".into()))
                }
            }
            if rows.lives.is_some() {
                rows.pending = None;
                changed = true;
            }
        }
        let Some(rx) = &self.pending_threads else {
            return changed;
        };
        match rx.try_recv() {
            Ok(r) => self.threads = Some(r.map(Arc::new)),
            Err(mpsc::TryRecvError::Empty) => return changed,
            Err(mpsc::TryRecvError::Disconnected) => {
                self.threads = Some(Err("the thread timeline pass ended early".into()))
            }
        }
        self.pending_threads = None;
        true
    }

    fn busy(&self) -> bool {
        self.searching.is_some()
            || matches!(&self.panel, Some(Panel::Events(p)) if p.busy())
            || self.pending_threads.is_some()
            || self.grows.as_ref().is_some_and(|r| r.pending.is_some())
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let model = ctx.model;
        let theme = ctx.theme;
        self.ensure_window(model);
        // The axis, five tracks (six with search matches), a lane and the two info
        // lines must fit.
        let needed = 1 + 5 + u16::from(self.found.is_some()) + 1 + 2;
        if area.height < needed || area.width <= LABEL + 4 {
            let msg = format!("the timeline needs {needed} rows and {} columns", LABEL + 5);
            if area.height > 0 {
                buf.set_stringn(area.x, area.y, msg, area.width as usize, theme.dim());
            }
            return;
        }
        self.cells = area.width - LABEL;
        let x0 = area.x + LABEL;
        let tl = self.timeline(model);
        let (t_start, _) = model.time_range();
        if self.tracks.is_none() {
            self.tracks = Some(Tracks::new(&model.procs));
        }
        let cell_ns = self.cell_ns();
        let cell = |i: u16| {
            let a = self.from + (i as f64 * cell_ns) as i64;
            let b = self.from + ((i + 1) as f64 * cell_ns) as i64;
            (a, b.max(a + 1))
        };
        let mut y = area.y;

        // Time axis: ticks at a round step, labels relative to the trace start.
        let step = nice_step(cell_ns * 14.0);
        let rel0 = self.from - t_start;
        let mut t = (rel0 as f64 / step).ceil() * step;
        buf.set_string(
            area.x,
            y,
            pad(&dur(self.to - self.from), LABEL as usize - 1, false),
            theme.dim(),
        );
        while ((t - rel0 as f64) / cell_ns) < self.cells as f64 {
            let c = ((t - rel0 as f64) / cell_ns) as u16;
            let label = format!("│{}", axis_label(t as i64, step));
            if c + label.chars().count() as u16 <= self.cells {
                buf.set_string(x0 + c, y, label, theme.dim());
            }
            t += step;
        }
        y += 1;

        // Tracks.
        let tracks = self.tracks.as_ref().expect("built above");
        let draw_ranges =
            |buf: &mut Buffer, y: u16, name: &str, spans: &LaneSpans, style: Style| {
                buf.set_string(area.x, y, pad(name, LABEL as usize - 1, false), theme.dim());
                for i in 0..self.cells {
                    let (a, b) = cell(i);
                    let f = spans.busy_fraction(a, b);
                    if f > 0.0 {
                        buf[(x0 + i, y)].set_char(level(f)).set_style(style);
                    }
                }
            };
        draw_ranges(buf, y, "GC", &tracks.gc, theme.gc());
        y += 1;
        draw_ranges(buf, y, "STW", &tracks.stw, theme.stw());
        y += 1;
        // Counters: the value at each cell's end, scaled to the maximum over the trace
        // (found once, when the timeline was built: the goroutine counter has millions
        // of rows on big traces). They are the program's, whatever the rows: the P
        // timeline's (the thread timeline keeps none).
        let counters = &model.procs;
        let [heap_max, g_max, m_max] = counters.counter_peaks;
        let mut counter = |label: &str, draw: &dyn Fn(&mut Buffer, u16)| {
            draw(buf, y);
            buf.set_string(area.x, y, label, theme.dim());
            y += 1;
        };
        let cells = self.cells;
        fn before<T: Copy>(rows: &[(i64, T)], t: i64) -> Option<T> {
            let k = rows.partition_point(|r| r.0 < t);
            Some(rows[k.checked_sub(1)?].1)
        }
        counter("Heap", &|buf, y| {
            let track = &counters.heap_track;
            let at = |t| track.value_before(t).map(|v| v.max(0) as u64);
            draw_counter(buf, x0, y, cells, &cell, &at, heap_max, theme.group(0))
        });
        counter("Goroutines", &|buf, y| {
            let track = &counters.goroutine_track;
            let at = |t| track.value_before(t).map(|v| v.max(0) as u64);
            draw_counter(buf, x0, y, cells, &cell, &at, g_max, theme.group(1))
        });
        counter("Threads", &|buf, y| {
            let rows = &counters.thread_counts;
            let at = |t| before(rows, t).map(threads);
            draw_counter(buf, x0, y, cells, &cell, &at, m_max, theme.group(2))
        });
        if let Some(found) = &self.found {
            // Where the search matches are: how many start in each cell.
            buf.set_string(area.x, y, "Matches", theme.warn());
            let starts: Vec<usize> = (0..=self.cells)
                .map(|i| {
                    let t = if i == self.cells { self.to } else { cell(i).0 };
                    found.matches.partition_point(|m| m.time < t)
                })
                .collect();
            let max = starts.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
            for i in 0..self.cells as usize {
                let n = starts[i + 1] - starts[i];
                if n > 0 {
                    buf[(x0 + i as u16, y)]
                        .set_char(level(n as f64 / max as f64))
                        .set_style(theme.warn());
                }
            }
            y += 1;
        }

        // Lanes.
        let info_h: u16 = 2;
        if let Some(focus) = &self.focus {
            // Task tracks, as room allows with one lane row left.
            let room = area.bottom().saturating_sub(y + info_h + 1) as usize;
            y += self.draw_task_tracks(buf, focus, area.x, y, room.min(MAX_TASK_ROWS), &cell, ctx);
        }
        let lanes_h = (area.bottom().saturating_sub(y + info_h)) as usize;
        self.page = lanes_h;
        let n = self.row_count(&tl);
        self.row = self.row.min(n.saturating_sub(1));
        if self.row < self.top {
            self.top = self.row;
        } else if lanes_h > 0 && self.row >= self.top + lanes_h {
            self.top = self.row + 1 - lanes_h;
        }
        let group_of = |g: i64| model.group_of.get(g).unwrap_or(u32::MAX);
        let shown = lanes_h.min(n.saturating_sub(self.top));
        self.origin = (x0, y);
        if self.rows == Rows::Goroutines {
            self.draw_goroutine_rows(buf, area.x, x0, y, shown, &cell, ctx);
            y += shown as u16;
        }
        for r in 0..if self.rows == Rows::Goroutines {
            0
        } else {
            shown
        } {
            let idx = self.top + r;
            let lane = &tl.lanes[idx];
            let label_style = if idx == self.row {
                theme.selected()
            } else {
                theme.dim()
            };
            buf.set_string(
                area.x,
                y,
                pad(&self.lane_name(tl.lane_ids[idx]), LABEL as usize - 1, false),
                label_style,
            );
            self.draw_lane(buf, x0, y, lane, &cell, &group_of, ctx);
            y += 1;
        }
        let lanes_y = y - shown as u16;
        self.draw_flows(buf, x0, lanes_y, shown, model, ctx);
        // Cursor column.
        if let Some(c) = self.cell_of(self.cursor) {
            for yy in area.y + 1..y {
                let cell = &mut buf[(x0 + c, yy)];
                if cell.symbol() == " " {
                    cell.set_char('│').set_style(theme.dim());
                } else {
                    cell.set_style(Style::default().add_modifier(Modifier::REVERSED));
                }
            }
        }

        // The slice under the cursor.
        let y = area.bottom() - info_h;
        let status = match (&self.rows, &self.threads, &self.grows) {
            (Rows::Threads, None, _) => "  building the thread timeline…".to_string(),
            (Rows::Threads, Some(Err(e)), _) => format!("  thread timeline: {e}"),
            (Rows::Goroutines, _, Some(r)) => match &r.lives {
                None => "  computing goroutine states…".to_string(),
                Some(Err(e)) => format!("  goroutine states: {e}"),
                Some(Ok(_)) => format!(
                    "  {}  █ running ▒ runnable ▓ syscall ░ blocked (net/sync) · other",
                    r.title(ctx.model)
                ),
            },
            _ => String::new(),
        };
        let status = match (&self.searching, &self.notice) {
            (Some((p, _)), _) => format!("{status}  searching for {p:?}…"),
            (None, Some(n)) => format!("{status}  {n}"),
            _ => status,
        };
        let focused = self
            .focus
            .as_ref()
            .and_then(|f| Some((f, ctx.model.summary.tasks.get(&f.task)?)));
        let status = match focused {
            Some((f, t)) => format!(
                "{status}  task {} {} ({}, {} in its tree; Esc: unfocus)",
                f.task,
                t.name,
                dur(f.to - f.from),
                f.lanes.len()
            ),
            None => status,
        };
        let status = match &self.found {
            Some(f) => format!(
                "{status}  /{}: {}{} matches (n/N)",
                f.pattern,
                f.current.map_or(String::new(), |i| format!("{}/", i + 1)),
                f.total
            ),
            None => status,
        };
        // Three significant digits, unless that makes both ends of a narrow window far
        // from the start read the same: then as many decimals as a cell needs. (The
        // cursor keeps three; the axis and the details give it exactly.)
        let mut ends = [self.from, self.to].map(|t| dur(t - t_start));
        if ends[0] == ends[1] {
            let step = nice_step(self.cell_ns());
            ends = [self.from, self.to].map(|t| axis_label(t - t_start, step));
        }
        let [from_at, to_at] = ends;
        let line1 = format!(
            "cursor {}  window {from_at} – {to_at}  {} {}{status}",
            dur(self.cursor - t_start),
            n,
            match self.rows {
                Rows::Procs => "Ps",
                Rows::Threads => "threads",
                Rows::Goroutines => "goroutines",
            }
        );
        buf.set_stringn(
            area.x,
            y,
            fit(&line1, area.width as usize),
            area.width as usize,
            theme.dim(),
        );
        if let Some(rows) = self
            .grows
            .as_ref()
            .filter(|_| self.rows == Rows::Goroutines)
            && let Some(&g) = rows.ids.get(self.row)
        {
            let state = rows
                .life(self.row)
                .and_then(|l| l.span_at(self.cursor))
                .map_or("-".to_string(), |s| {
                    format!(
                        "{} for {} (from {})",
                        s.state.name(),
                        dur(s.end - s.start),
                        dur(s.start - t_start)
                    )
                });
            // On a task's goroutine rows: the regions of the task tree the cursor is in
            // on this goroutine, innermost (latest begun) first.
            let mut inside: Vec<&RegionSlice> = rows
                .regions
                .iter()
                .filter(|r| r.goroutine == g && r.start <= self.cursor)
                .filter(|r| self.cursor <= r.start + r.dur)
                .collect();
            inside.sort_by_key(|r| std::cmp::Reverse(r.start));
            let regions: String = inside
                .iter()
                .map(|r| format!("  in region {:?} (T{})", r.name, r.task))
                .collect();
            let text = format!(
                "G{g} {}: {state}{regions}   Enter: goroutine",
                model.goroutine_name(g)
            );
            buf.set_stringn(
                area.x,
                y + 1,
                fit(&text, area.width as usize),
                area.width as usize,
                Style::default(),
            );
        } else if let (Some(i), Some((id, lane))) = (self.selected_span(model), self.lane(&tl)) {
            let g = lane.goroutines().get(i);
            let text = format!(
                "{}: G{g} {}  start {}  wall {}   Enter: details",
                self.lane_name(id),
                model.goroutine_name(g),
                dur(lane.starts().get(i) - t_start),
                dur(lane.ends().get(i) - lane.starts().get(i)),
            );
            buf.set_stringn(
                area.x,
                y + 1,
                fit(&text, area.width as usize),
                area.width as usize,
                Style::default(),
            );
        }
        if self.details {
            self.render_details(area, buf, ctx);
        }
        match &self.panel {
            Some(Panel::Events(p)) => p.render(area, buf, ctx),
            Some(Panel::Chain(p)) => p.render(area, buf, ctx, &|l| self.lane_name(l)),
            None => {}
        }
        if let Some(f) = &self.found
            && let Some(sel) = f.list
        {
            let w = area.width.saturating_sub(2).min(120);
            let h = area
                .height
                .saturating_sub(2)
                .min(f.matches.len() as u16 + 2);
            let rows = h.saturating_sub(2) as usize;
            let first = sel.saturating_sub(rows.saturating_sub(1));
            let lines: Vec<Line> = f
                .matches
                .iter()
                .enumerate()
                .skip(first)
                .take(rows)
                .map(|(i, m)| {
                    let who = m.goroutine.map_or(String::new(), |g| {
                        format!("G{g} {}", model.goroutine_name(g))
                    });
                    let text = format!(
                        "{:>9}  P{:<3} {who:<32} {}",
                        dur(m.time - t_start),
                        m.lane,
                        m.hit
                    );
                    let style = if i == sel {
                        theme.selected()
                    } else {
                        Style::default()
                    };
                    Line::styled(fit(&text, w as usize - 2), style)
                })
                .collect();
            let title = if f.total > f.matches.len() {
                format!(
                    " {} matches of {:?} (first {}) — Enter goes, n/N step, Esc ",
                    f.total,
                    f.pattern,
                    f.matches.len()
                )
            } else {
                format!(
                    " {} matches of {:?} — Enter goes, n/N step, Esc ",
                    f.total, f.pattern
                )
            };
            let popup = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
            Clear.render(popup, buf);
            Paragraph::new(lines)
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(fit(&title, w as usize - 2)),
                )
                .render(popup, buf);
        }
        if let Some((choices, sel)) = &self.picker {
            let lines: Vec<Line> = choices
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let text = format!(
                        "{} G{} {}  at {}, ran at {}",
                        c.name,
                        c.goroutine,
                        model.goroutine_name(c.goroutine),
                        dur(c.from_time - t_start),
                        dur(c.to_time - t_start)
                    );
                    let style = if i == *sel {
                        theme.selected()
                    } else {
                        Style::default()
                    };
                    Line::styled(text, style)
                })
                .collect();
            let w = area.width.saturating_sub(4).min(90);
            let h = (choices.len() as u16 + 2).min(area.height.saturating_sub(2));
            let popup = Rect::new(area.x + (area.width - w) / 2, area.y + 2, w, h);
            let scroll = (*sel as u16).saturating_sub(h.saturating_sub(3));
            Clear.render(popup, buf);
            Paragraph::new(lines)
                .scroll((scroll, 0))
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(" Follow which flow? (Enter, Esc) "),
                )
                .render(popup, buf);
        }
    }
}

impl TimelineView {
    /// Marks the flows of the selected slice: `▶` where its incoming flow left, `●`
    /// where it and each goroutine it started began running, `◆` where it started them,
    /// and a dotted line between the rows where the cells are free.
    fn draw_flows(
        &self,
        buf: &mut Buffer,
        x0: u16,
        lanes_y: u16,
        shown: usize,
        model: &Model,
        ctx: &Ctx<'_>,
    ) {
        let tl = self.timeline(model);
        let (Some(i), Some((id, lane))) = (self.selected_span(model), self.lane(&tl)) else {
            return;
        };
        let style = ctx.theme.warn();
        let row_y = |lane: u64| {
            let r = tl.row_of(lane)?;
            (r >= self.top && r < self.top + shown).then(|| lanes_y + (r - self.top) as u16)
        };
        let mut mark = |lane: u64, t: i64, glyph: char| {
            if let (Some(y), Some(c)) = (row_y(lane), self.cell_of(t)) {
                buf[(x0 + c, y)].set_char(glyph).set_style(style);
                Some((y, c))
            } else {
                None
            }
        };
        let (g, s, e) = (
            lane.goroutines().get(i),
            lane.starts().get(i),
            lane.ends().get(i),
        );
        let mut links: Vec<((u16, u16), (u16, u16))> = Vec::new();
        if let Some(a) = tl.arrow_index.into_run(&tl, g, s) {
            let from = mark(a.from_lane, a.from_time, '▶');
            let to = mark(id, s, '●');
            if let (Some(f), Some(t)) = (from, to) {
                links.push((f, t));
            }
        }
        for a in tl.arrow_index.out_of(&tl, id, s, e).take(64) {
            let from = mark(id, a.from_time, '◆');
            let to = mark(a.to_lane, a.to_time, '●');
            if let (Some(f), Some(t)) = (from, to) {
                links.push((f, t));
            }
        }
        // A vertical dotted line at the source column, between the two rows.
        for ((fy, fc), (ty, _)) in links {
            let (lo, hi) = (fy.min(ty), fy.max(ty));
            for y in lo + 1..hi {
                let cell = &mut buf[(x0 + fc, y)];
                if cell.symbol() == " " {
                    cell.set_char('┊').set_style(style);
                }
            }
        }
    }

    /// Draws up to `rows` task tracks from `y`; returns the rows used. Each task's
    /// lifetime is a bar; `◆` marks where it began a child.
    #[allow(clippy::too_many_arguments)]
    fn draw_task_tracks(
        &self,
        buf: &mut Buffer,
        focus: &TaskView,
        x: u16,
        y: u16,
        rows: usize,
        cell: &dyn Fn(u16) -> (i64, i64),
        ctx: &Ctx<'_>,
    ) -> u16 {
        let theme = ctx.theme;
        let x0 = x + LABEL;
        let n = focus.lanes.len();
        let shown = if n > rows { rows.saturating_sub(1) } else { n };
        for (k, lane) in focus.lanes.iter().take(shown).enumerate() {
            let y = y + k as u16;
            let style = theme.group(lane.sort_index as u32);
            buf.set_string(x, y, fit(&lane.name, LABEL as usize - 1), style);
            for s in focus.slices.iter().filter(|s| s.task == lane.id) {
                let end = s.start + s.dur;
                for i in 0..self.cells {
                    let (a, b) = cell(i);
                    if a <= end && b > s.start {
                        buf[(x0 + i, y)].set_char('▬').set_style(style);
                    }
                }
            }
            for a in focus.arrows.iter().filter(|a| a.parent == lane.id) {
                if let Some(c) = self.cell_of(a.time) {
                    buf[(x0 + c, y)].set_char('◆').set_style(style);
                }
            }
        }
        if shown < n {
            let y = y + shown as u16;
            let more = format!("+{} tasks", n - shown);
            buf.set_stringn(x, y, more, LABEL as usize - 1, theme.dim());
        }
        (shown + usize::from(shown < n)) as u16
    }

    /// Goroutine rows: each cell shows the state the goroutine spent most of the cell in.
    #[allow(clippy::too_many_arguments)]
    fn draw_goroutine_rows(
        &self,
        buf: &mut Buffer,
        x_label: u16,
        x0: u16,
        y0: u16,
        shown: usize,
        cell: &dyn Fn(u16) -> (i64, i64),
        ctx: &Ctx<'_>,
    ) {
        let theme = ctx.theme;
        let Some(rows) = &self.grows else { return };
        for r in 0..shown {
            let idx = self.top + r;
            let y = y0 + r as u16;
            let style = if idx == self.row {
                theme.selected()
            } else {
                theme.dim()
            };
            buf.set_string(
                x_label,
                y,
                pad(&format!("G{}", rows.ids[idx]), LABEL as usize - 1, false),
                style,
            );
            let Some(life) = rows.life(idx) else { continue };
            let spans = &life.spans;
            let mut k = spans.first_ending_after(0, self.from);
            for c in 0..self.cells {
                let (a, b) = cell(c);
                // The spans that reach into [a, b) are k..hi. A zoomed-out cell of a
                // ping-pong goroutine covers thousands: both ends are found by galloping
                // (a zoomed-in cell holds a span or two), and the state with the most
                // time in the cell is picked from at most about SAMPLE of them. Walking
                // them all made a frame of such rows take tens of milliseconds.
                k = spans.first_ending_after(k, a);
                let hi = spans.first_starting_from(k, b);
                let step = ((hi - k) / SAMPLE).max(1);
                let mut best: Option<(State, i64)> = None;
                for sp in (k..hi).step_by(step).filter_map(|i| spans.get(i)) {
                    let d = sp.end.min(b) - sp.start.max(a);
                    if d > 0 && best.is_none_or(|(_, bd)| d > bd) {
                        best = Some((sp.state, d));
                    }
                }
                if let Some((st, _)) = best {
                    let (glyph, color) = state_look(&st);
                    buf[(x0 + c, y)]
                        .set_char(glyph)
                        .set_style(theme.state(color));
                }
            }
            let g = rows.ids[idx];
            for r in rows.regions.iter().filter(|r| r.goroutine == g) {
                let end = r.start + r.dur;
                for c in 0..self.cells {
                    let (a, b) = cell(c);
                    if a <= end && b > r.start {
                        let cell = &mut buf[(x0 + c, y)];
                        cell.modifier.insert(Modifier::UNDERLINED);
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn draw_lane(
        &self,
        buf: &mut Buffer,
        x0: u16,
        y: u16,
        lane: &LaneSpans,
        cell: &dyn Fn(u16) -> (i64, i64),
        group_of: &dyn Fn(i64) -> u32,
        ctx: &Ctx<'_>,
    ) {
        let theme = ctx.theme;
        for i in 0..self.cells {
            let (a, b) = cell(i);
            let f = lane.busy_fraction(a, b);
            if f <= 0.0 {
                continue;
            }
            let style = lane
                .dominant_by(a, b, SAMPLE, group_of)
                .map_or(Style::default(), |grp| theme.group(grp));
            buf[(x0 + i, y)].set_char(level(f)).set_style(style);
        }
        // Zoomed in: slices wide enough for a label carry "G123 name".
        let lo = lane.ends().partition_point(|e| e <= self.from);
        let hi = lane.starts().partition_point(|s| s < self.to);
        if hi - lo > self.cells as usize {
            return;
        }
        for s in lo..hi {
            let c0 = self
                .cell_of(lane.starts().get(s).max(self.from))
                .unwrap_or(0);
            let c1 = self
                .cell_of(lane.ends().get(s).min(self.to - 1))
                .unwrap_or(0);
            let width = (c1 - c0) as usize;
            if width < 4 {
                continue;
            }
            let g = lane.goroutines().get(s);
            let grp = ctx.model.group_of.get(g).unwrap_or(0);
            let label = fit(
                &format!("G{g} {}", short_name(ctx.model.goroutine_name(g))),
                width,
            );
            let style = if theme.has_color() {
                Style::default()
                    .bg(theme.group(grp).fg.unwrap_or_default())
                    .fg(ratatui::style::Color::Black)
            } else {
                Style::default().add_modifier(Modifier::REVERSED)
            };
            for c in c0..c1 {
                buf[(x0 + c, y)].set_char(' ').set_style(style);
            }
            buf.set_stringn(x0 + c0, y, label, width, style);
            buf[(x0 + c1, y)].set_char('▏');
        }
    }

    fn render_details(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let model = ctx.model;
        let tl = self.timeline(model);
        let (Some(i), Some((id, lane))) = (self.selected_span(model), self.lane(&tl)) else {
            return;
        };
        let (t0, _) = model.time_range();
        let g = lane.goroutines().get(i);
        let (s, e) = (lane.starts().get(i), lane.ends().get(i));
        // Self time: the slice minus the ranges drawn inside it on the same lane.
        let nested = tl.time_in_ranges(id, s, e);
        let head = ctx.theme.header();
        let mut lines = vec![
            Line::from(format!("Title          G{g} {}", model.goroutine_name(g))),
            Line::from(format!("Start          {}", exact(s - t0))),
            Line::from(format!("Wall duration  {}", exact(e - s))),
            Line::from(format!("Self time      {}", exact(e - s - nested))),
            Line::from(format!("On             {}", self.lane_name(id))),
        ];
        let who = |lane: u64, t: i64| match tl.cause_goroutine(lane, t) {
            Some(c) => format!(
                "G{c} {} on {}",
                model.goroutine_name(c),
                self.lane_name(lane)
            ),
            None => self.lane_name(lane),
        };
        lines.push(Line::styled("Incoming flow  ([ follows it)", head));
        match tl.arrow_index.into_run(&tl, g, s) {
            Some(a) => lines.push(Line::from(format!(
                "  {} by {} at {} (waited {})",
                a.name,
                who(a.from_lane, a.from_time),
                exact(a.from_time - t0),
                exact(a.to_time - a.from_time),
            ))),
            None => lines.push(Line::from(
                "  (none: resumed without a cause, e.g. after a preemption or a syscall, or running when the trace began)",
            )),
        }
        // Why it stopped, told by what ended the wait: the next flow into the goroutine.
        if let Some(next) = tl.arrow_index.into_from(&tl, g, e).next() {
            lines.push(Line::styled("Next run", head));
            lines.push(Line::from(format!(
                "  after {}: {} by {} at {}, ran at {}",
                exact(next.to_time - e),
                next.name,
                who(next.from_lane, next.from_time),
                exact(next.from_time - t0),
                exact(next.to_time - t0)
            )));
        }
        let outgoing: Vec<_> = tl.arrow_index.out_of(&tl, id, s, e).collect();
        lines.push(Line::styled(
            format!("Outgoing flows ({})  (] follows)", outgoing.len()),
            head,
        ));
        for a in outgoing.iter().take(8) {
            lines.push(Line::from(format!(
                "  {} G{} {} at {}",
                a.name,
                a.goroutine,
                model.goroutine_name(a.goroutine),
                exact(a.from_time - t0)
            )));
        }
        if outgoing.len() > 8 {
            lines.push(Line::from(format!("  … {} more", outgoing.len() - 8)));
        }
        let stack = |title: &str, idx: u32, lines: &mut Vec<Line<'static>>| {
            lines.push(Line::styled(title.to_string(), head));
            match tl.stacks.get(idx as usize).filter(|_| idx != NO_STACK) {
                Some(frames) => {
                    for f in frames {
                        lines.push(Line::from(format!("  {} {}:{}", f.func, f.file, f.line)));
                    }
                }
                None => lines.push(Line::from("  (none)")),
            }
        };
        let [st, en] = lane.stacks(i);
        stack("End stack trace (why it stopped)", en, &mut lines);
        stack("Start stack trace (where it resumed)", st, &mut lines);
        let w = area.width.saturating_sub(4).min(100);
        let h = area.height.saturating_sub(2);
        let popup = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
        Clear.render(popup, buf);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Slice (Esc closes) "),
            )
            .render(popup, buf);
    }
}

/// `pkg/path.Func` → `path.Func`: the part after the last `/`, as labels have no room.
fn short_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// A tick label: `t` (ns since the trace start) in the unit of the tick `step`, with
/// the decimals that tell neighbouring ticks apart (a 2 µs window 4 ms into the trace
/// reads 4.1652ms, 4.1654ms, … rather than 4.17ms four times).
fn axis_label(t: i64, step: f64) -> String {
    if t == 0 {
        return "0".into();
    }
    // The unit of the time itself, as the rest of the screen writes times.
    let a = (t.unsigned_abs() as f64).max(step);
    let (scale, unit) = if a >= 1e9 {
        (1e9, "s")
    } else if a >= 1e6 {
        (1e6, "ms")
    } else if a >= 1e3 {
        (1e3, "µs")
    } else {
        (1.0, "ns")
    };
    let v = t as f64 / scale;
    let s = step / scale;
    // Steps are 1, 2 or 5 × 10ⁿ of the unit: n < 0 needs -n decimals.
    let decimals = if s >= 1.0 {
        0
    } else {
        (-s.log10()).ceil() as usize
    };
    format!("{v:.decimals$}{unit}")
}

/// The smallest 1, 2 or 5 × 10ⁿ ns at least `min`.
fn nice_step(min: f64) -> f64 {
    let mut p = 1.0;
    loop {
        for m in [1.0, 2.0, 5.0] {
            if m * p >= min {
                return m * p;
            }
        }
        p *= 10.0;
    }
}

use crate::analysis::timeline::threads;

/// Draws a counter track: per cell, the value just before the cell's end, as a level of `max`.
#[allow(clippy::too_many_arguments)]
fn draw_counter(
    buf: &mut Buffer,
    x0: u16,
    y: u16,
    cells: u16,
    cell: &dyn Fn(u16) -> (i64, i64),
    value_before: &dyn Fn(i64) -> Option<u64>,
    max: u64,
    style: Style,
) {
    if max == 0 {
        return;
    }
    for i in 0..cells {
        let (_, b) = cell(i);
        let Some(v) = value_before(b) else { continue };
        if v > 0 {
            buf[(x0 + i, y)]
                .set_char(level(v as f64 / max as f64))
                .set_style(style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels_tell_ticks_apart() {
        assert_eq!(axis_label(4_165_200, 200.0), "4.1652ms");
        assert_eq!(axis_label(4_166_000, 2_000.0), "4.166ms");
        assert_eq!(axis_label(4_000_000, 500_000.0), "4.0ms");
        assert_eq!(axis_label(300, 100.0), "300ns");
        assert_eq!(axis_label(2_500, 500.0), "2.5µs");
        assert_eq!(axis_label(5_000_000, 5_000_000.0), "5ms");
        assert_eq!(axis_label(1_500_000_000, 500_000_000.0), "1.5s");
        assert_eq!(axis_label(0, 1e6), "0");
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1234.0), 2000.0);
        assert_eq!(nice_step(6e6), 1e7);
    }

    #[test]
    fn labels_drop_the_package_path() {
        assert_eq!(short_name("net/http.(*conn).serve"), "http.(*conn).serve");
        assert_eq!(short_name("main.main"), "main.main");
    }
}
