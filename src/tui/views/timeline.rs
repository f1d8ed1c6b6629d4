//! The timeline tab (first cut: being built).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{Ctx, Effect, View};
use crate::tui::action::Action;
use crate::tui::keymap::Context;

/// The timeline tab's state.
#[derive(Debug, Default)]
pub struct TimelineView {}

impl View for TimelineView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::Timeline]
    }

    fn update(&mut self, _action: Action, _ctx: &Ctx<'_>) -> Effect {
        Effect::None
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        buf.set_string(area.x, area.y, "timeline", ctx.theme.dim());
    }
}

impl TimelineView {
    /// Shows `[from, to]` with the cursor on `goroutine` if given.
    pub fn show(&mut self, _from: i64, _to: i64, _goroutine: Option<i64>, _ctx: &Ctx<'_>) {}
}
