//! The profiles tab (first cut: being built).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::{Ctx, Effect, View};
use crate::tui::action::Action;
use crate::tui::keymap::Context;

/// The profiles tab's state.
#[derive(Debug, Default)]
pub struct ProfilesView {}

impl View for ProfilesView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List, Context::Profiles]
    }

    fn update(&mut self, _action: Action, _ctx: &Ctx<'_>) -> Effect {
        Effect::None
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        buf.set_string(area.x, area.y, "profiles", ctx.theme.dim());
    }
}
