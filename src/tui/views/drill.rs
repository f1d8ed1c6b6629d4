//! What the Tasks and Regions tabs have in common: a drill-down over three levels (the
//! types, one type's instances, one instance), a types table whose last columns are the
//! duration percentiles over the selected type's histogram, and an instances table under
//! a heading. Each tab describes its rows through [`Kind`] and draws its own instance.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;

use super::Ctx;
use crate::analysis::goroutines::Distribution;
use crate::analysis::tasks::TimeHistogram;
use crate::tui::action::Action;
use crate::tui::format::{dur, fit};
use crate::tui::widgets::histogram;
use crate::tui::widgets::table::{self, Column, TableState};

/// How deep the user has drilled.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The types.
    #[default]
    Types,
    /// The instances of one type.
    Instances,
    /// One instance.
    Instance,
}

/// The types and instances of one tab, as [`Drill`] lists them. Instances are indexes
/// into their type's.
pub trait Kind {
    /// A type: a row of the types table.
    type Type;
    /// Said instead of the types table when the trace has none.
    const NO_TYPES: &'static str;
    /// The types table's own columns; [`percentile_columns`] follow them.
    fn type_columns() -> Vec<Column>;
    /// The model's types, in the order shown until the user sorts them.
    fn types<'m>(ctx: &Ctx<'m>) -> &'m [Self::Type];
    /// A type's duration percentiles, `None` when it has no duration to count.
    fn distribution(t: &Self::Type) -> Option<Distribution>;
    /// A type's cell in one of its own columns.
    fn type_cell(t: &Self::Type, column: usize) -> String;
    /// A type's sort key in one of its own columns: text, else the number.
    fn type_key(t: &Self::Type, column: usize) -> (String, i64);
    /// A type's duration histogram and the title over it.
    fn histogram(t: &Self::Type) -> (String, &TimeHistogram);
    /// The instances table's columns.
    fn instance_columns() -> Vec<Column>;
    /// A type's instances in the order shown until the user sorts them.
    fn instances(t: &Self::Type) -> Vec<usize>;
    /// The line over a type's instances (the keys are added to it).
    fn instances_head(t: &Self::Type) -> String;
    /// Instance `i` of type `t`: its cell in `column`.
    fn instance_cell(ctx: &Ctx<'_>, t: &Self::Type, i: usize, column: usize) -> String;
    /// Instance `i` of type `t`: its sort key in `column`.
    fn instance_key(ctx: &Ctx<'_>, t: &Self::Type, i: usize, column: usize) -> i64;
}

/// What an action left for the tab to do after [`Drill::update`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing: the drill-down handled it.
    Done,
    /// Instance `i` of [`Drill::ty`] was opened: the tab loads what it shows of it.
    Opened(usize),
    /// Enter on the open instance.
    Enter,
    /// Another action on the open instance, for [`Drill::detail`].
    Detail(Action),
}

/// The percentile columns that end every types table.
pub fn percentile_columns() -> [Column; 4] {
    [
        Column::num("p50", 7),
        Column::num("p90", 7),
        Column::num("p99", 7),
        Column::num("max", 7),
    ]
}

/// The figure of percentile column `k` (0: p50 … 3: max).
fn percentile(d: Option<&Distribution>, k: usize) -> Option<i64> {
    d.map(|d| [d.p50, d.p90, d.p99, d.max][k])
}

/// Draws `lines` from the top of `area` as far as they fit; returns the first row below.
pub fn heading(area: Rect, buf: &mut Buffer, lines: &[(String, Style)]) -> u16 {
    let w = area.width as usize;
    for (i, (text, style)) in lines.iter().enumerate().take(area.height as usize) {
        buf.set_string(area.x, area.y + i as u16, fit(text, w), *style);
    }
    area.y + (lines.len() as u16).min(area.height)
}

/// A drill-down's levels, tables and row orders; the open instance is the tab's.
#[derive(Debug, Default)]
pub struct Drill {
    level: Level,
    types: TableState,
    /// Percentiles per type, computed on first use (each sorts the type's durations).
    dists: Vec<Option<Distribution>>,
    /// Row order of the types table; emptied when the user sorts it.
    type_order: Vec<usize>,
    instances: TableState,
    /// The type drilled into.
    ty: usize,
    /// Row order of the instances table.
    order: Vec<usize>,
    /// The open instance's table (its rows are the tab's).
    pub detail: TableState,
}

impl Drill {
    /// The level shown.
    pub fn level(&self) -> Level {
        self.level
    }

    /// The type drilled into (meaningful below [`Level::Types`]).
    pub fn ty(&self) -> usize {
        self.ty
    }

    /// Computes the percentiles once: the model does not change once loaded.
    fn fill_dists<K: Kind>(&mut self, types: &[K::Type]) {
        if self.dists.len() != types.len() {
            self.dists = types.iter().map(K::distribution).collect();
        }
    }

    /// Orders the types (once per sort): the model's order unless the user sorted by a
    /// column.
    fn sort_types<K: Kind>(&mut self, types: &[K::Type]) {
        if self.type_order.len() == types.len() {
            return;
        }
        self.fill_dists::<K>(types);
        let own = K::type_columns().len();
        let dists = &self.dists;
        let mut order: Vec<usize> = (0..types.len()).collect();
        self.types
            .sort_rows(&mut order, |t, c| match c.checked_sub(own) {
                // Without a distribution there are no percentiles: they sort below any.
                Some(k) => (
                    String::new(),
                    percentile(dists[t].as_ref(), k).unwrap_or(-1),
                ),
                None => K::type_key(&types[t], c),
            });
        self.type_order = order;
    }

    /// Orders the instances of `ty`: the tab's order unless the user sorted by a column.
    fn sort_instances<K: Kind>(&mut self, ctx: &Ctx<'_>, ty: &K::Type) {
        let mut order = K::instances(ty);
        self.instances
            .sort_rows_cached(&mut order, |i, c| K::instance_key(ctx, ty, i, c));
        self.order = order;
    }

    /// Handles an action: moves, sorts and the levels; what concerns the open instance
    /// is left to the tab.
    pub fn update<K: Kind>(&mut self, action: Action, ctx: &Ctx<'_>) -> Step {
        let types = K::types(ctx);
        match self.level {
            Level::Types => match action {
                Action::Enter if !types.is_empty() => {
                    self.sort_types::<K>(types);
                    self.ty = self.type_order[self.types.selected.min(types.len() - 1)];
                    self.instances = TableState::default();
                    self.sort_instances::<K>(ctx, &types[self.ty]);
                    self.level = Level::Instances;
                }
                a => {
                    let cols = K::type_columns().len() + percentile_columns().len();
                    if self.types.update(a, types.len(), cols) && a == Action::Sort {
                        self.type_order.clear();
                    }
                }
            },
            Level::Instances => {
                let Some(ty) = types.get(self.ty) else {
                    self.level = Level::Types;
                    return Step::Done;
                };
                match action {
                    Action::Back => self.level = Level::Types,
                    Action::Enter if !self.order.is_empty() => {
                        let i = self.order[self.instances.selected.min(self.order.len() - 1)];
                        self.detail = TableState::default();
                        self.level = Level::Instance;
                        return Step::Opened(i);
                    }
                    a => {
                        let cols = K::instance_columns().len();
                        if self.instances.update(a, self.order.len(), cols) && a == Action::Sort {
                            self.sort_instances::<K>(ctx, ty);
                        }
                    }
                }
            }
            Level::Instance => match action {
                Action::Back => self.level = Level::Instances,
                Action::Enter => return Step::Enter,
                // The instance's table has neither columns to move to nor an order.
                Action::Sort | Action::Left | Action::Right => {}
                a => return Step::Detail(a),
            },
        }
        Step::Done
    }

    /// Draws the types or the instances level (the tab draws [`Level::Instance`]).
    pub fn render<K: Kind>(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        match self.level {
            Level::Types => self.render_types::<K>(area, buf, ctx),
            Level::Instances => self.render_instances::<K>(area, buf, ctx),
            Level::Instance => {}
        }
    }

    fn render_types<K: Kind>(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let types = K::types(ctx);
        if types.is_empty() {
            let msg = fit(K::NO_TYPES, area.width as usize);
            buf.set_string(area.x, area.y, msg, ctx.theme.dim());
            return;
        }
        // The table takes what its rows need, the histogram at least eight rows.
        let rows = types.len() as u16 + 1;
        let [list, _, hist] = Layout::vertical([
            Constraint::Max(rows.max(3)),
            Constraint::Length(1),
            Constraint::Min(6),
        ])
        .areas(area);
        self.fill_dists::<K>(types);
        self.sort_types::<K>(types);
        let mut cols = K::type_columns();
        let own = cols.len();
        cols.extend(percentile_columns());
        let (order, dists) = (&self.type_order, &self.dists);
        let n = types.len();
        table::render(list, buf, ctx.theme, &cols, n, &mut self.types, |r, c| {
            let t = order[r];
            match c.checked_sub(own) {
                Some(k) => percentile(dists[t].as_ref(), k).map_or("-".into(), dur),
                None => K::type_cell(&types[t], c),
            }
        });
        let sel = order[self.types.selected.min(n - 1)];
        let (title, h) = K::histogram(&types[sel]);
        histogram::render(hist, buf, ctx.theme, &title, h, dists[sel].as_ref());
    }

    fn render_instances<K: Kind>(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let Some(ty) = K::types(ctx).get(self.ty) else {
            return;
        };
        let head = format!(
            "{}   (Enter: open, Esc: back, s: sort)",
            K::instances_head(ty)
        );
        let top = heading(area, buf, &[(head, ctx.theme.header())]);
        let body = Rect {
            y: top,
            height: area.bottom() - top,
            ..area
        };
        let order = &self.order;
        let cols = K::instance_columns();
        table::render(
            body,
            buf,
            ctx.theme,
            &cols,
            order.len(),
            &mut self.instances,
            |r, c| K::instance_cell(ctx, ty, order[r], c),
        );
    }
}
