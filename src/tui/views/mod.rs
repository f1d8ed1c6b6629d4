//! One module per tab. Each view keeps its own state, answers [`Action`]s and draws
//! itself from the [`Model`]; none decodes the trace on the UI thread.

mod drill;
pub mod goroutines;
pub mod info;
pub mod mmu;
pub mod panels;
pub mod profiles;
pub mod regions;
pub mod tasks;
pub mod timeline;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::Action;
use super::filter::GoroutineFilter;
use super::keymap::Context;
use super::model::{Facts, Model, SharedFile};
use super::theme::Theme;

/// What a view draws from.
pub struct Ctx<'a> {
    /// The loaded analyses (shared, so that background work can hold them).
    pub model: &'a std::sync::Arc<Model>,
    /// The index facts.
    pub facts: &'a Facts,
    /// Colours.
    pub theme: Theme,
    /// The trace, for views that compute more on demand (in a background thread).
    pub file: &'a SharedFile,
    /// The goroutine filter in force (`F`), if any.
    pub filter: Option<&'a std::sync::Arc<GoroutineFilter>>,
}

/// What a [`Ctx`] lends, owned (clones of `Arc`s): the app keeps one while it lends
/// the context to a view and changes itself.
pub struct Shared {
    /// The loaded analyses.
    pub model: std::sync::Arc<Model>,
    /// The index facts.
    pub facts: std::sync::Arc<Facts>,
    /// Colours.
    pub theme: Theme,
    /// The trace.
    pub file: SharedFile,
    /// The goroutine filter in force.
    pub filter: Option<std::sync::Arc<GoroutineFilter>>,
}

impl Shared {
    /// The context to hand to views.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            model: &self.model,
            facts: &self.facts,
            theme: self.theme,
            file: &self.file,
            filter: self.filter.as_ref(),
        }
    }
}

/// What a view asks of the app after an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Nothing more.
    None,
    /// Show the timeline over `[from, to]` (absolute ns), with the cursor on
    /// `goroutine`'s row or slice if given.
    ShowTime {
        /// Window start.
        from: i64,
        /// Window end.
        to: i64,
        /// The goroutine to put the cursor on.
        goroutine: Option<i64>,
    },
    /// Show a task's window in the timeline, with the task's tree as tracks.
    ShowTask(u64),
    /// Open the Goroutines tab on one goroutine.
    ShowGoroutine(i64),
    /// Show a goroutine group's goroutines as timeline rows (index into `Model::groups`).
    ShowGroupRows(u32),
    /// A message for the status line.
    Status(String),
    /// The view jumped somewhere new (a flow followed): the app records where it was in
    /// the navigation history.
    Jumped,
    /// The view had nothing to do with the action (Esc with nothing open): the app may
    /// use it (Esc then clears the filter).
    Unused,
}

/// A tab's view.
pub trait View {
    /// The key contexts active in this view (besides [`Context::Global`]).
    fn contexts(&self) -> &'static [Context];
    /// Handles an action; `Action::Back` returns `false` when there was nothing to close,
    /// through [`Effect`]s the view asks the app for more.
    fn update(&mut self, action: Action, ctx: &Ctx<'_>) -> Effect;
    /// Draws the view.
    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>);
    /// Collects results of background work; `true` when something changed.
    fn tick(&mut self, _ctx: &Ctx<'_>) -> bool {
        false
    }
    /// Whether background work is pending (the app then polls instead of blocking).
    fn busy(&self) -> bool {
        false
    }
}
