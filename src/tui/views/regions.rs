//! The regions tab: region types keyed by name and location, with counts and a duration
//! histogram; a type's regions with go tool trace's per-region breakdown; one region's
//! breakdown, and a jump to it in the timeline.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;

use super::{Ctx, Effect, View};
use crate::analysis::goroutines::{Distribution, ExecStats, StackFrame};
use crate::analysis::tasks::{RegionSpan, RegionType};
use crate::tui::action::Action;
use crate::tui::format::{dur, fit, pct};
use crate::tui::keymap::Context;
use crate::tui::theme::{StateColor, Theme};
use crate::tui::widgets::table::{self, Column, TableState};
use crate::tui::widgets::{bars, histogram};

/// How deep the user has drilled.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The region types.
    #[default]
    Types,
    /// The regions of one type.
    Instances,
    /// One region.
    Instance,
}

/// The regions tab's state.
#[derive(Debug, Default)]
pub struct RegionsView {
    level: Level,
    types: TableState,
    /// Percentiles per type, computed on first use (each sorts the type's durations).
    dists: Vec<Distribution>,
    /// Row order of the types table (indexes into `Model::region_types`).
    type_order: Vec<usize>,
    instances: TableState,
    parts: TableState,
    /// The type drilled into (index into `Model::region_types`).
    ty: usize,
    /// Row order of the instances table (indexes into the type's regions).
    order: Vec<usize>,
    /// The region shown at [`Level::Instance`] (index into the type's regions).
    region: usize,
}

/// The region type's name as the regions page writes it.
pub fn type_name(name: &str) -> &str {
    if name.is_empty() { "(inherited)" } else { name }
}

/// Where a region type begins: function and file name (without its directories) and line.
pub fn short_location(f: &StackFrame) -> String {
    if f.func.is_empty() && f.file.is_empty() {
        return "(no stack)".into();
    }
    let file = f.file.rsplit('/').next().unwrap_or(&f.file);
    format!("{} {file}:{}", f.func, f.line)
}

fn type_columns() -> [Column; 7] {
    [
        Column::flex("region type"),
        Column::flex("where"),
        Column::num("count", 5),
        Column::num("p50", 7),
        Column::num("p90", 7),
        Column::num("p99", 7),
        Column::num("max", 7),
    ]
}

fn instance_columns() -> [Column; 9] {
    [
        Column::num("G", 6),
        Column::num("task", 5),
        Column::num("start", 7),
        Column::num("total", 7),
        Column::num("exec", 7),
        Column::num("sched", 7),
        Column::num("syscall", 7),
        Column::num("blocked", 7),
        Column::num("unknown", 7),
    ]
}

fn part_columns() -> [Column; 3] {
    [
        Column::text("time in the region", 40),
        Column::num("duration", 9),
        Column::num("share", 7),
    ]
}

/// Time blocked, all reasons together (the regions page's sum).
fn blocked(s: &ExecStats) -> i64 {
    s.block_by_reason.iter().map(|(_, v)| v).sum()
}

/// One instance's figure for instance column `c` (times relative to the trace start).
fn instance_value(r: &RegionSpan, c: usize, first: i64) -> i64 {
    match c {
        0 => r.goroutine,
        1 => r.task as i64,
        2 => r.start.map_or(0, |s| s - first),
        3 => r.duration,
        4 => r.stats.exec,
        5 => r.stats.sched_wait,
        6 => r.stats.syscall + r.stats.syscall_block,
        7 => blocked(&r.stats),
        _ => r.stats.unknown(),
    }
}

/// The breakdown rows of a region that took any time: label, duration, style in the bar
/// (`None`: not in the bar, because the time overlaps the other rows). Zero rows are left
/// out so that, without colours, the bar's alternating glyphs match the rows in order.
fn parts(ctx: &Ctx<'_>, s: &ExecStats) -> Vec<(String, i64, Option<Style>)> {
    let th = ctx.theme;
    let names = &ctx.model.summary.names;
    let mut v = vec![
        (
            "execution".to_string(),
            s.exec,
            Some(th.state(StateColor::Running)),
        ),
        (
            "scheduler wait".into(),
            s.sched_wait,
            Some(th.state(StateColor::Runnable)),
        ),
        (
            "syscall".into(),
            s.syscall,
            Some(th.state(StateColor::Syscall)),
        ),
        (
            "syscall, P taken".into(),
            s.syscall_block,
            Some(th.state(StateColor::Syscall)),
        ),
    ];
    for (k, d) in s.block_by_reason.iter() {
        v.push((
            format!("blocked: {}", names.get(k)),
            d,
            Some(th.state(StateColor::Blocked)),
        ));
    }
    v.push(("unknown".into(), s.unknown(), Some(th.dim())));
    for (k, d) in s.range_time.iter() {
        v.push((format!("{} (overlaps)", names.get(k)), d, None));
    }
    v.retain(|p| p.1 != 0);
    v
}

impl RegionsView {
    fn current_type<'m>(&self, ctx: &Ctx<'m>) -> Option<&'m RegionType> {
        ctx.model.region_types.get(self.ty)
    }

    fn current_region<'m>(&self, ctx: &Ctx<'m>) -> Option<&'m RegionSpan> {
        self.current_type(ctx)?.regions.get(self.region)
    }

    /// The types' percentiles (the model does not change once loaded: computed once).
    fn dists(&mut self, ctx: &Ctx<'_>) -> Vec<Distribution> {
        let types = &ctx.model.region_types;
        if self.dists.len() != types.len() {
            self.dists = types.iter().map(RegionType::distribution).collect();
        }
        self.dists.clone()
    }

    /// Orders the types (once per sort): by name then location as the regions page does,
    /// unless the user sorted by a column.
    fn sort_types(&mut self, ctx: &Ctx<'_>) {
        let types = &ctx.model.region_types;
        if self.type_order.len() == types.len() {
            return;
        }
        let dists = self.dists(ctx);
        let mut order: Vec<usize> = (0..types.len()).collect();
        self.types.sort_rows(&mut order, |r, c| {
            let t = &types[r];
            let d = &dists[r];
            let n = match c {
                0 => return (type_name(&t.name).to_string(), 0),
                1 => return (short_location(&t.frame), 0),
                2 => t.regions.len() as i64,
                3 => d.p50,
                4 => d.p90,
                5 => d.p99,
                _ => d.max,
            };
            (String::new(), n)
        });
        self.type_order = order;
    }

    /// Orders the instances: the analysis's order (longest first) unless sorted by a column.
    fn sort_instances(&mut self, ty: &RegionType, ctx: &Ctx<'_>) {
        let mut order: Vec<usize> = (0..ty.regions.len()).collect();
        let first = ctx.model.summary.first_time;
        self.instances
            .sort_rows(&mut order, |r, c| instance_value(&ty.regions[r], c, first));
        self.order = order;
    }

    fn render_types(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let types = &ctx.model.region_types;
        if types.is_empty() {
            let msg = "no user regions in this trace (runtime/trace.WithRegion)";
            buf.set_string(
                area.x,
                area.y,
                fit(msg, area.width as usize),
                ctx.theme.dim(),
            );
            return;
        }
        let rows = types.len() as u16 + 1;
        let [list, _, hist] = Layout::vertical([
            Constraint::Max(rows.max(3)),
            Constraint::Length(1),
            Constraint::Min(6),
        ])
        .areas(area);
        let dists = self.dists(ctx);
        self.sort_types(ctx);
        let order = &self.type_order;
        let cols = type_columns();
        table::render(
            list,
            buf,
            ctx.theme,
            &cols,
            types.len(),
            &mut self.types,
            |r, c| {
                let r = order[r];
                let t = &types[r];
                let d = &dists[r];
                match c {
                    0 => type_name(&t.name).to_string(),
                    1 => short_location(&t.frame),
                    2 => t.regions.len().to_string(),
                    3 => dur(d.p50),
                    4 => dur(d.p90),
                    5 => dur(d.p99),
                    _ => dur(d.max),
                }
            },
        );
        let sel = order[self.types.selected.min(types.len() - 1)];
        let t = &types[sel];
        let title = format!(
            "{} at {} {}:{}: durations of {} regions",
            type_name(&t.name),
            t.frame.func,
            t.frame.file,
            t.frame.line,
            t.regions.len()
        );
        histogram::render(
            hist,
            buf,
            ctx.theme,
            &title,
            &t.histogram,
            Some(&dists[sel]),
        );
    }

    fn render_instances(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let Some(ty) = self.current_type(ctx) else {
            return;
        };
        let head = format!(
            "{} at {} — {} regions   (Enter: open, Esc: back, s: sort)",
            type_name(&ty.name),
            short_location(&ty.frame),
            ty.regions.len()
        );
        buf.set_string(
            area.x,
            area.y,
            fit(&head, area.width as usize),
            ctx.theme.header(),
        );
        let body = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        let first = ctx.model.summary.first_time;
        let order = &self.order;
        let cols = instance_columns();
        table::render(
            body,
            buf,
            ctx.theme,
            &cols,
            order.len(),
            &mut self.instances,
            |r, c| {
                let reg = &ty.regions[order[r]];
                match c {
                    0 => format!("G{}", reg.goroutine),
                    1 => reg.task.to_string(),
                    2 if reg.start.is_none() => "before".into(),
                    _ => dur(instance_value(reg, c, first)),
                }
            },
        );
    }

    fn render_instance(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let (Some(ty), Some(r)) = (self.current_type(ctx), self.current_region(ctx)) else {
            return;
        };
        let th: Theme = ctx.theme;
        let w = area.width as usize;
        let first = ctx.model.summary.first_time;
        let start = r.start.unwrap_or(first) - first;
        let head = [
            (
                format!(
                    "region {}  G{} {}  task {}",
                    type_name(&ty.name),
                    r.goroutine,
                    ctx.model.goroutine_name(r.goroutine),
                    r.task
                ),
                th.header(),
            ),
            (
                format!("at {} {}:{}", ty.frame.func, ty.frame.file, ty.frame.line),
                Style::default(),
            ),
            (
                format!(
                    "start +{}{}  end +{}  duration {}",
                    dur(start),
                    if r.start.is_none() {
                        " (began before the trace)"
                    } else {
                        ""
                    },
                    dur(start + r.duration),
                    dur(r.duration)
                ),
                Style::default(),
            ),
            (
                "Enter: show the region in the timeline   Esc: back".into(),
                th.dim(),
            ),
        ];
        for (i, (text, style)) in head.iter().enumerate().take(area.height as usize) {
            buf.set_string(area.x, area.y + i as u16, fit(text, w), *style);
        }
        let rows = parts(ctx, &r.stats);
        let mut y = area.y + (head.len() as u16).min(area.height);
        if y < area.bottom() {
            let segs: Vec<(i64, Style)> = rows
                .iter()
                .filter_map(|(_, d, s)| s.map(|s| (*d, s)))
                .collect();
            bars::breakdown(buf, area.x, y, area.width, &segs, !th.has_color());
            y += 1;
        }
        let body = Rect {
            y,
            height: area.bottom() - y,
            ..area
        };
        let total = r.duration;
        let cols = part_columns();
        table::render(body, buf, th, &cols, rows.len(), &mut self.parts, |i, c| {
            let (label, d, _) = &rows[i];
            match c {
                0 => label.clone(),
                1 => dur(*d),
                _ => pct(*d, total),
            }
        });
    }
}

impl View for RegionsView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List, Context::Table]
    }

    fn update(&mut self, action: Action, ctx: &Ctx<'_>) -> Effect {
        let types = &ctx.model.region_types;
        match self.level {
            Level::Types => match action {
                Action::Enter if !types.is_empty() => {
                    self.sort_types(ctx);
                    self.ty = self.type_order[self.types.selected.min(types.len() - 1)];
                    self.instances = TableState::default();
                    self.sort_instances(&types[self.ty], ctx);
                    self.level = Level::Instances;
                }
                a => {
                    if self.types.update(a, types.len(), type_columns().len()) && a == Action::Sort
                    {
                        self.type_order.clear();
                    }
                }
            },
            Level::Instances => {
                let Some(ty) = self.current_type(ctx) else {
                    self.level = Level::Types;
                    return Effect::None;
                };
                match action {
                    Action::Back => self.level = Level::Types,
                    Action::Enter if !self.order.is_empty() => {
                        self.region = self.order[self.instances.selected.min(self.order.len() - 1)];
                        self.parts = TableState::default();
                        self.level = Level::Instance;
                    }
                    a => {
                        if self
                            .instances
                            .update(a, self.order.len(), instance_columns().len())
                            && a == Action::Sort
                        {
                            self.sort_instances(ty, ctx);
                        }
                    }
                }
            }
            Level::Instance => match action {
                Action::Back => self.level = Level::Instances,
                Action::Enter => {
                    if let Some(r) = self.current_region(ctx) {
                        let from = r.start.unwrap_or(ctx.model.summary.first_time);
                        return Effect::ShowTime {
                            from,
                            to: from + r.duration,
                            goroutine: Some(r.goroutine),
                        };
                    }
                }
                Action::Sort | Action::Left | Action::Right => {}
                a => {
                    let n = self
                        .current_region(ctx)
                        .map_or(0, |r| parts(ctx, &r.stats).len());
                    self.parts.update(a, n, part_columns().len());
                }
            },
        }
        Effect::None
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        match self.level {
            Level::Types => self.render_types(area, buf, ctx),
            Level::Instances => self.render_instances(area, buf, ctx),
            Level::Instance => self.render_instance(area, buf, ctx),
        }
    }
}
