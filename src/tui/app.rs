//! The app: which tab is showing, the loaded model, the help popup; `update(Action)`
//! and the frame around the views (title bar, tabs, footer).

use std::sync::Arc;

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph, Widget};

use super::action::Action;
use super::filter::{self, GoroutineFilter};
use super::format::{dur, fit};
use super::keymap::{self, Context};
use super::model::{Facts, Model, SharedFile};
use super::prompt::{self, Prompt, PromptKind, Target};
use super::theme::Theme;
use super::views::{self, Ctx, Effect, Shared, View};

/// The tabs, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Ps (threads, goroutines) over time.
    Timeline,
    /// Goroutine analysis.
    Goroutines,
    /// Blocking profiles.
    Profiles,
    /// User tasks.
    Tasks,
    /// User regions.
    Regions,
    /// Minimum mutator utilization.
    Mmu,
    /// Trace facts.
    Info,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 7] = [
        Tab::Timeline,
        Tab::Goroutines,
        Tab::Profiles,
        Tab::Tasks,
        Tab::Regions,
        Tab::Mmu,
        Tab::Info,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Timeline => "Timeline",
            Tab::Goroutines => "Goroutines",
            Tab::Profiles => "Profiles",
            Tab::Tasks => "Tasks",
            Tab::Regions => "Regions",
            Tab::Mmu => "MMU",
            Tab::Info => "Info",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|&t| t == self).unwrap_or(0)
    }
}

/// Loading state of the background analysis.
#[derive(Debug)]
pub enum Loading {
    /// Still decoding: bytes read so far.
    Running(u64),
    /// Done.
    Done(Arc<Model>),
    /// Failed before producing anything.
    Failed(String),
}

/// A place to come back to with the navigation history.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// The tab.
    pub tab: Tab,
    /// The timeline's window, cursor and row.
    pub timeline: views::timeline::Spot,
    /// The goroutine opened on the Goroutines tab by a jump, if any.
    pub goroutine: Option<i64>,
}

/// The whole app state.
pub struct App {
    /// Places left by jumps (`Ctrl-o` returns), most recent last.
    pub back: Vec<Location>,
    /// Places returned from (`Ctrl-i` goes again).
    pub forward: Vec<Location>,
    /// The goroutine the last jump opened.
    opened_goroutine: Option<i64>,
    /// The `:` prompt, while it is open.
    pub prompt: Option<Prompt>,
    /// The goroutine filter in force.
    pub filter: Option<Arc<GoroutineFilter>>,
    /// A filter being applied on a thread of its own (one with `interacts`: it visits
    /// the arrows of the selected goroutine's whole life, 0.25 s for a goroutine of
    /// 337,000 runs on the 200 MB benchmark trace).
    filtering: Option<std::sync::mpsc::Receiver<Result<GoroutineFilter, String>>>,
    /// The trace.
    pub file: SharedFile,
    /// What the index said.
    pub facts: Arc<Facts>,
    /// The analyses, once loaded.
    pub loading: Loading,
    /// The tab showing.
    pub tab: Tab,
    /// Whether the help popup is open, and its scroll offset.
    pub help: Option<u16>,
    /// Set when the user quits.
    pub quit: bool,
    /// A one-line message for the footer, until the next key.
    pub status: Option<String>,
    /// Colours.
    pub theme: Theme,
    /// Timeline tab.
    pub timeline: views::timeline::TimelineView,
    /// Goroutines tab.
    pub goroutines: views::goroutines::GoroutinesView,
    /// Profiles tab.
    pub profiles: views::profiles::ProfilesView,
    /// Tasks tab.
    pub tasks: views::tasks::TasksView,
    /// Regions tab.
    pub regions: views::regions::RegionsView,
    /// MMU tab.
    pub mmu: views::mmu::MmuView,
    /// Info tab.
    pub info: views::info::InfoView,
}

impl App {
    /// A new app on a trace whose index has been read; the model arrives later through
    /// [`App::loaded`].
    pub fn new(file: SharedFile, facts: Facts, theme: Theme) -> App {
        App {
            back: Vec::new(),
            forward: Vec::new(),
            opened_goroutine: None,
            prompt: None,
            filter: None,
            filtering: None,
            file,
            facts: Arc::new(facts),
            loading: Loading::Running(0),
            tab: Tab::Timeline,
            help: None,
            quit: false,
            status: None,
            theme,
            timeline: Default::default(),
            goroutines: Default::default(),
            profiles: Default::default(),
            tasks: Default::default(),
            regions: Default::default(),
            mmu: Default::default(),
            info: Default::default(),
        }
    }

    /// Installs the finished analysis.
    pub fn loaded(&mut self, result: Result<Model, String>) {
        self.loading = match result {
            Ok(m) => Loading::Done(Arc::new(m)),
            Err(e) => Loading::Failed(e),
        };
    }

    /// The loaded model, if any.
    pub fn model(&self) -> Option<&Arc<Model>> {
        match &self.loading {
            Loading::Done(m) => Some(m),
            _ => None,
        }
    }

    fn view_mut(&mut self, tab: Tab) -> &mut dyn View {
        match tab {
            Tab::Timeline => &mut self.timeline,
            Tab::Goroutines => &mut self.goroutines,
            Tab::Profiles => &mut self.profiles,
            Tab::Tasks => &mut self.tasks,
            Tab::Regions => &mut self.regions,
            Tab::Mmu => &mut self.mmu,
            Tab::Info => &mut self.info,
        }
    }

    /// The key contexts active now.
    pub fn contexts(&mut self) -> Vec<Context> {
        let mut c = vec![Context::Global];
        if self.help.is_some() {
            c.push(Context::List);
        } else if self.model().is_some() {
            c.extend_from_slice(self.view_mut(self.tab).contexts());
        }
        c
    }

    /// Maps a key press to an action through the key table. While the jump prompt is
    /// open, keys edit it instead (and `None` is returned).
    pub fn key(&mut self, ev: &KeyEvent) -> Option<Action> {
        if self.prompt.is_some() {
            self.prompt_key(ev);
            return None;
        }
        keymap::dispatch(ev, &self.contexts())
    }

    /// Edits the prompt: characters, Backspace, Ctrl-u, ↑↓ through the candidates,
    /// Enter jumps, Esc cancels.
    fn prompt_key(&mut self, ev: &KeyEvent) {
        let Some(model) = self.model().cloned() else {
            self.prompt = None;
            return;
        };
        let Some(p) = self.prompt.as_mut() else {
            return;
        };
        // Editing keys come from the key table (so the help lists them); the rest type.
        let action = keymap::dispatch(ev, &[Context::Prompt]);
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let mut edited = true;
        match (action, ev.code) {
            (Some(Action::Back), _) => {
                self.prompt = None;
                return;
            }
            (Some(Action::Enter), _) if p.kind == PromptKind::Filter => {
                let text = std::mem::take(&mut p.text);
                self.prompt = None;
                let selected = match self.tab {
                    Tab::Goroutines => self.goroutines.current_goroutine(),
                    _ => self.timeline.selected_goroutine(&model),
                };
                if filter::slow(&text) {
                    let (tx, rx) = std::sync::mpsc::channel();
                    let (m, t) = (model.clone(), text.clone());
                    let spawned =
                        std::thread::Builder::new()
                            .name("filter".into())
                            .spawn(move || {
                                let _ = tx.send(filter::apply(&t, &m, selected));
                            });
                    if spawned.is_ok() {
                        self.filtering = Some(rx);
                        self.status = Some("filtering…".into());
                        return;
                    }
                }
                let r = filter::apply(&text, &model, selected);
                self.filter_applied(r);
                return;
            }
            (Some(Action::Enter), _) if p.kind == PromptKind::Search => {
                let text = std::mem::take(&mut p.text);
                self.prompt = None;
                let shared = self.shared_with(model.clone());
                let ctx = shared.ctx();
                self.tab = Tab::Timeline;
                self.timeline.search(&text, &ctx);
                return;
            }
            (Some(Action::Enter), _) => {
                let target = p.candidates.get(p.selected).map(|c| c.target);
                self.prompt = None;
                match target {
                    Some(t) => self.go(t, &model),
                    None => self.status = Some("nothing matches".into()),
                }
                return;
            }
            (Some(Action::Up), _) => {
                p.selected = p.selected.saturating_sub(1);
                edited = false;
            }
            (Some(Action::Down), _) => {
                p.selected = (p.selected + 1).min(p.candidates.len().saturating_sub(1));
                edited = false;
            }
            (Some(Action::DeleteChar), _) => {
                p.text.pop();
            }
            (Some(Action::ClearLine), _) => p.text.clear(),
            (_, KeyCode::Char(c)) if !ctrl => p.text.push(c),
            _ => edited = false,
        }
        if edited && p.kind == PromptKind::Jump {
            p.candidates = prompt::candidates(&p.text, &model, self.timeline.cursor());
            p.selected = 0;
        }
    }

    /// Goes to a prompt target, as a jump.
    fn go(&mut self, target: Target, model: &Arc<Model>) {
        let shared = self.shared_with(model.clone());
        let ctx = shared.ctx();
        let before = self.location();
        match target {
            Target::Goroutine(g) => {
                // Its first run after the cursor, else its first run.
                let after = self.timeline.cursor();
                // One scan of the slices: the earliest run after the cursor and the
                // earliest run at all.
                let (mut next, mut first) = (None, None);
                for l in &model.procs.lanes {
                    for i in l.goroutines().positions_of(g) {
                        let run = (l.starts().get(i), l.ends().get(i));
                        let earliest =
                            |best: Option<(i64, i64)>| Some(best.map_or(run, |b| b.min(run)));
                        first = earliest(first);
                        if run.0 > after {
                            next = earliest(next);
                        }
                    }
                }
                let pick = next.or(first);
                match pick {
                    Some((s, e)) => self.apply(
                        Effect::ShowTime {
                            from: s,
                            to: e,
                            goroutine: Some(g),
                        },
                        &ctx,
                    ),
                    None => self.apply(Effect::ShowGoroutine(g), &ctx),
                }
            }
            Target::Proc(p) => {
                self.tab = Tab::Timeline;
                self.timeline.select_proc(p, &ctx);
            }
            Target::Thread(m) => {
                self.tab = Tab::Timeline;
                if let Err(e) = self.timeline.select_thread(m, &ctx) {
                    self.status = Some(e);
                }
            }
            Target::Time(t) => {
                self.tab = Tab::Timeline;
                self.timeline.go_to(t, &ctx);
            }
            Target::Window(from, to, goroutine) => self.apply(
                Effect::ShowTime {
                    from,
                    to,
                    goroutine,
                },
                &ctx,
            ),
            Target::Group(g) => {
                self.tab = Tab::Timeline;
                self.timeline.show_group(g, &ctx);
            }
            Target::Task(id) => self.apply(Effect::ShowTask(id), &ctx),
        }
        self.record(before);
    }

    /// Maps a mouse event to an action: the wheel scrolls, a click on the tab bar
    /// switches tabs.
    pub fn mouse(&self, ev: &MouseEvent) -> Option<Action> {
        match ev.kind {
            MouseEventKind::ScrollUp => Some(Action::ScrollUp),
            MouseEventKind::ScrollDown => Some(Action::ScrollDown),
            MouseEventKind::Down(_) if ev.row == 1 => {
                let mut x = 0u16;
                for (i, t) in Tab::ALL.iter().enumerate() {
                    let w = tab_label(i, *t).chars().count() as u16;
                    if ev.column >= x && ev.column < x + w {
                        return Some(Action::GoTab(*t));
                    }
                    x += w;
                }
                None
            }
            MouseEventKind::Down(_) => Some(Action::Click {
                column: ev.column,
                row: ev.row,
            }),
            _ => None,
        }
    }

    /// Applies an action.
    pub fn update(&mut self, action: Action) {
        self.status = None;
        if let Some(off) = self.help.as_mut() {
            match action {
                Action::Help | Action::Back => self.help = None,
                Action::Quit => self.quit = true,
                Action::Up | Action::ScrollUp => *off = off.saturating_sub(1),
                Action::Down | Action::ScrollDown => *off = off.saturating_add(1),
                Action::PageUp => *off = off.saturating_sub(10),
                Action::PageDown => *off = off.saturating_add(10),
                Action::Top => *off = 0,
                _ => {}
            }
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = Some(0),
            Action::NextTab => self.tab = Tab::ALL[(self.tab.index() + 1) % Tab::ALL.len()],
            Action::PrevTab => {
                self.tab = Tab::ALL[(self.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()]
            }
            Action::GoTab(t) => self.tab = t,
            Action::Jump if self.model().is_some() => self.prompt = Some(Prompt::default()),
            Action::Filter if self.model().is_some() => {
                self.prompt = Some(Prompt {
                    kind: PromptKind::Filter,
                    text: self
                        .filter
                        .as_ref()
                        .map_or(String::new(), |f| f.text.clone()),
                    ..Prompt::default()
                })
            }
            Action::Search if self.model().is_some() => {
                self.prompt = Some(Prompt {
                    kind: PromptKind::Search,
                    ..Prompt::default()
                })
            }
            Action::HistoryBack => self.travel(true),
            Action::HistoryForward => self.travel(false),
            other => {
                let Some(model) = self.model().cloned() else {
                    return;
                };
                let shared = self.shared_with(model.clone());
                let ctx = shared.ctx();
                let tab = self.tab;
                let before = self.location();
                let effect = self.view_mut(tab).update(other, &ctx);
                if effect == Effect::Unused && other == Action::Back && self.filter.is_some() {
                    self.set_filter(None);
                    self.status = Some("filter cleared".into());
                    return;
                }
                let jump = matches!(
                    effect,
                    Effect::Jumped
                        | Effect::ShowTime { .. }
                        | Effect::ShowGoroutine(_)
                        | Effect::ShowTask(_)
                        | Effect::ShowGroupRows(_)
                );
                self.apply(effect, &ctx);
                if jump {
                    self.record(before);
                }
            }
        }
    }

    fn apply(&mut self, effect: Effect, ctx: &Ctx<'_>) {
        match effect {
            Effect::None => {}
            Effect::ShowTime {
                from,
                to,
                goroutine,
            } => {
                self.tab = Tab::Timeline;
                self.timeline.show(from, to, goroutine, ctx);
            }
            Effect::ShowGoroutine(g) => {
                self.tab = Tab::Goroutines;
                self.opened_goroutine = Some(g);
                self.goroutines.open_goroutine(g, ctx);
            }
            Effect::ShowGroupRows(g) => {
                self.tab = Tab::Timeline;
                self.timeline.show_group(g, ctx);
            }
            Effect::ShowTask(id) => {
                self.tab = Tab::Timeline;
                if let Err(e) = self.timeline.show_task(id, ctx) {
                    self.status = Some(e);
                }
            }
            Effect::Status(s) => self.status = Some(s),
            Effect::Jumped => {}
            Effect::Unused => {}
        }
    }

    /// Shows `[from, to]` in the timeline with the cursor on `goroutine` there, as a
    /// jump (recorded in the history).
    pub fn jump_to(&mut self, from: i64, to: i64, goroutine: Option<i64>) {
        let Some(model) = self.model().cloned() else {
            return;
        };
        let shared = self.shared_with(model.clone());
        let ctx = shared.ctx();
        let before = self.location();
        self.apply(
            Effect::ShowTime {
                from,
                to,
                goroutine,
            },
            &ctx,
        );
        self.record(before);
    }

    /// Records `before` in the history if a jump left it.
    fn record(&mut self, before: Location) {
        if self.location() != before {
            self.back.push(before);
            self.forward.clear();
        }
    }

    /// The owned parts of a view context, once the model is loaded.
    pub fn shared(&self) -> Option<Shared> {
        Some(self.shared_with(self.model()?.clone()))
    }

    /// The owned parts of a view context, around `model`.
    fn shared_with(&self, model: Arc<Model>) -> Shared {
        Shared {
            model,
            facts: self.facts.clone(),
            theme: self.theme,
            file: self.file.clone(),
            filter: self.filter.clone(),
        }
    }

    /// Puts a filter just applied in force, or says why it could not be.
    fn filter_applied(&mut self, r: Result<GoroutineFilter, String>) {
        match r {
            Ok(f) => {
                let n = f.ids.len();
                self.set_filter(Some(f));
                self.status = Some(format!("filter: {n} goroutines kept (Esc clears)"));
            }
            Err(e) => self.status = Some(e),
        }
    }

    /// Sets (or clears) the goroutine filter and lets the views showing goroutines
    /// follow it.
    pub fn set_filter(&mut self, filter: Option<GoroutineFilter>) {
        self.filter = filter.map(Arc::new);
        if let Some(model) = self.model().cloned() {
            let shared = self.shared_with(model);
            self.timeline.filter_changed(&shared.ctx());
        }
    }

    /// Where the user is now, for the navigation history.
    pub fn location(&self) -> Location {
        Location {
            tab: self.tab,
            timeline: self.timeline.spot(),
            goroutine: self.opened_goroutine,
        }
    }

    /// Goes back (or forward) in the navigation history.
    fn travel(&mut self, back: bool) {
        let here = self.location();
        let (from, to) = if back {
            (&mut self.back, &mut self.forward)
        } else {
            (&mut self.forward, &mut self.back)
        };
        let Some(loc) = from.pop() else {
            self.status = Some(if back {
                "no earlier place in the history".into()
            } else {
                "no later place in the history".into()
            });
            return;
        };
        to.push(here);
        self.tab = loc.tab;
        self.timeline.restore(&loc.timeline);
        if let (Some(g), Some(model)) = (loc.goroutine, self.model().cloned())
            && loc.goroutine != self.opened_goroutine
        {
            let shared = self.shared_with(model.clone());
            let ctx = shared.ctx();
            self.goroutines.open_goroutine(g, &ctx);
        }
        self.opened_goroutine = loc.goroutine;
    }

    /// Collects background results of the views; `true` when a redraw is needed.
    pub fn tick(&mut self) -> bool {
        let Some(model) = self.model().cloned() else {
            return false;
        };
        let mut changed = false;
        if let Some(rx) = &self.filtering {
            let r = match rx.try_recv() {
                Ok(r) => Some(r),
                Err(std::sync::mpsc::TryRecvError::Empty) => None,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    Some(Err("the filter failed".into()))
                }
            };
            if let Some(r) = r {
                self.filtering = None;
                self.filter_applied(r);
                changed = true;
            }
        }
        let shared = self.shared_with(model.clone());
        let ctx = shared.ctx();
        for t in Tab::ALL {
            changed |= self.view_mut(t).tick(&ctx);
        }
        changed
    }

    /// Whether anything is computing in the background (the loop then polls).
    pub fn busy(&mut self) -> bool {
        if matches!(self.loading, Loading::Running(_)) || self.filtering.is_some() {
            return true;
        }
        Tab::ALL.iter().any(|&t| self.view_mut(t).busy())
    }

    /// Draws the whole screen.
    pub fn render(&mut self, area: Rect, buf: &mut Buffer) {
        // Below this the frame has no room for its bars: say so instead.
        if area.height < 6 || area.width < 24 {
            for (i, line) in ["gotrace-tui:", "terminal too small", "(q quits)"]
                .iter()
                .enumerate()
            {
                if (i as u16) < area.height {
                    buf.set_stringn(
                        area.x,
                        area.y + i as u16,
                        line,
                        area.width as usize,
                        Style::default(),
                    );
                }
            }
            return;
        }
        let [title, tabs, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_title(title, buf);
        self.render_tabs(tabs, buf);
        match self.model().cloned() {
            Some(model) => {
                let shared = self.shared_with(model.clone());
                let ctx = shared.ctx();
                let tab = self.tab;
                self.view_mut(tab).render(body, buf, &ctx);
            }
            None => self.render_loading(body, buf),
        }
        self.render_footer(footer, buf);
        if let Some(off) = self.help {
            self.render_help(area, buf, off);
        }
    }

    fn render_title(&self, area: Rect, buf: &mut Buffer) {
        let f = &self.facts;
        let mut parts = vec![
            "gotrace-tui".to_string(),
            f.name.clone(),
            f.version.to_string(),
        ];
        if let Some((a, b)) = f.time_range {
            parts.push(dur(b - a));
        }
        if let Some(m) = self.model() {
            // Every P appears in each generation's status events: the highest ID + 1 is
            // the largest GOMAXPROCS the trace saw.
            parts.push(format!("GOMAXPROCS {}", m.procs.max_proc + 1));
            parts.push(format!("{} goroutines", m.summary.goroutines.len()));
        }
        if let Some(f) = &self.filter {
            parts.push(format!("filter {} ({} goroutines)", f.text, f.ids.len()));
        }
        match &self.loading {
            Loading::Running(n) => parts.push(format!(
                "loading {}%",
                (*n as f64 * 100.0 / f.size.max(1) as f64) as u32
            )),
            Loading::Failed(_) => parts.push("load failed".into()),
            Loading::Done(m) if m.error.is_some() => parts.push("partial: decode error".into()),
            Loading::Done(_) => {}
        }
        let text = fit(&parts.join("  │  "), area.width as usize);
        buf.set_style(area, self.theme.title());
        buf.set_string(area.x, area.y, text, self.theme.title());
    }

    fn render_tabs(&self, area: Rect, buf: &mut Buffer) {
        let mut x = area.x;
        for (i, t) in Tab::ALL.iter().enumerate() {
            let label = tab_label(i, *t);
            let style = if *t == self.tab {
                self.theme.selected()
            } else {
                self.theme.dim()
            };
            let w = label.chars().count() as u16;
            if x + w > area.right() {
                break;
            }
            buf.set_string(x, area.y, &label, style);
            x += w;
        }
    }

    fn render_footer(&mut self, area: Rect, buf: &mut Buffer) {
        if let Some(p) = &self.prompt {
            let lead = match p.kind {
                PromptKind::Jump => ":",
                PromptKind::Search => "/",
                PromptKind::Filter => "filter: ",
            };
            let text = format!("{lead}{}▏", p.text);
            buf.set_stringn(
                area.x,
                area.y,
                fit(&text, area.width as usize),
                area.width as usize,
                self.theme.header(),
            );
            // The candidates, above the footer, best first.
            let n = p.candidates.len() as u16;
            if n > 0 && area.y > n + 2 {
                let w = area.width.min(90);
                let popup = Rect::new(area.x, area.y - n - 2, w, n + 2);
                Clear.render(popup, buf);
                let lines: Vec<Line> = p
                    .candidates
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let style = if i == p.selected {
                            self.theme.selected()
                        } else {
                            Style::default()
                        };
                        Line::styled(fit(&c.label, w as usize - 2), style)
                    })
                    .collect();
                Paragraph::new(lines)
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .title(" Jump (↑↓, Enter, Esc) "),
                    )
                    .render(popup, buf);
            }
            return;
        }
        if let Some(s) = &self.status {
            buf.set_stringn(area.x, area.y, s, area.width as usize, self.theme.warn());
            return;
        }
        let contexts = self.contexts();
        let mut spans = Vec::new();
        for (key, text) in keymap::footer(&contexts) {
            spans.push(Span::styled(key, self.theme.header()));
            spans.push(Span::raw(format!(" {text}  ")));
        }
        Line::from(spans).render(area, buf);
    }

    fn render_loading(&self, area: Rect, buf: &mut Buffer) {
        let f = &self.facts;
        let [info, gauge, density, _] = Layout::vertical([
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Length(3),
            Constraint::Min(0),
        ])
        .areas(area);
        let mut lines = vec![
            Line::from(format!(
                "{}: {} bytes, {}, {} generations",
                f.name, f.size, f.version, f.generations
            )),
            Line::from(match f.time_range {
                Some((a, b)) => format!("duration {} (from the batch headers)", dur(b - a)),
                None => "no readable batch".into(),
            }),
        ];
        if let Some(e) = &f.index_error {
            lines.push(Line::styled(format!("index: {e}"), self.theme.warn()));
        }
        if let Loading::Failed(e) = &self.loading {
            lines.push(Line::styled(format!("error: {e}"), self.theme.warn()));
        }
        Paragraph::new(lines).render(info, buf);
        if let Loading::Running(n) = self.loading {
            let ratio = (n as f64 / f.size.max(1) as f64).clamp(0.0, 1.0);
            Gauge::default()
                .ratio(ratio)
                .label(format!("analysing {:.0}%", ratio * 100.0))
                .gauge_style(self.theme.header())
                .render(gauge, buf);
        }
        // Event bytes per generation over time: where the trace is dense.
        if let Some((t0, t1)) = f.time_range
            && density.width > 0
            && t1 > t0
        {
            let w = density.width as usize;
            let mut cells = vec![0f64; w];
            for &(a, b, bytes) in &f.generation_spans {
                let ca = ((a - t0) as f64 / (t1 - t0) as f64 * w as f64) as usize;
                let cb = (((b - t0) as f64 / (t1 - t0) as f64 * w as f64) as usize).max(ca + 1);
                let per = bytes as f64 / (cb - ca) as f64;
                for c in cells.iter_mut().take(cb.min(w)).skip(ca.min(w)) {
                    *c += per;
                }
            }
            let max = cells.iter().cloned().fold(0.0, f64::max);
            buf.set_string(density.x, density.y, "event density", self.theme.dim());
            for (i, c) in cells.iter().enumerate() {
                let ch = super::widgets::bars::level(if max > 0.0 { c / max } else { 0.0 });
                buf[(density.x + i as u16, density.y + 1)].set_char(ch);
            }
            let end = dur(t1 - t0);
            buf.set_string(density.x, density.y + 2, "0", self.theme.dim());
            let ex = density.right().saturating_sub(end.chars().count() as u16);
            buf.set_string(ex, density.y + 2, end, self.theme.dim());
        }
    }

    fn render_help(&self, area: Rect, buf: &mut Buffer, offset: u16) {
        let w = area.width.min(100);
        let h = area.height.saturating_sub(2);
        let popup = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
        Clear.render(popup, buf);
        let mut lines = Vec::new();
        for (ctx, entries) in keymap::help() {
            lines.push(Line::styled(ctx.title(), self.theme.header()));
            for (keys, text) in entries {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("  {keys:<18}"),
                        Style::default().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(text),
                ]));
            }
        }
        let max = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .scroll((offset.min(max), 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Keys (? or Esc closes, ↑↓ scroll) "),
            )
            .render(popup, buf);
    }
}

fn tab_label(i: usize, t: Tab) -> String {
    format!(" {} {} ", i + 1, t.title())
}
