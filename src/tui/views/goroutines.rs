//! The goroutines tab (first cut: being built).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{Ctx, Effect, View};
use crate::tui::action::Action;
use crate::tui::keymap::Context;

/// The goroutines tab's state.
#[derive(Debug, Default)]
pub struct GoroutinesView {}

impl View for GoroutinesView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List, Context::Table]
    }

    fn update(&mut self, _action: Action, _ctx: &Ctx<'_>) -> Effect {
        Effect::None
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        buf.set_string(area.x, area.y, "goroutines", ctx.theme.dim());
    }
}

impl GoroutinesView {
    /// Opens one goroutine's page.
    pub fn open_goroutine(&mut self, _g: i64, _ctx: &Ctx<'_>) {}
}
