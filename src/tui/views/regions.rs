//! The regions tab: region types keyed by name and location, with counts and a duration
//! histogram; a type's regions with go tool trace's per-region breakdown; one region's
//! breakdown, and a jump to it in the timeline.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::drill::{self, Drill, Kind, Level, Step};
use super::{Ctx, Effect, View};
use crate::analysis::goroutines::{Distribution, ExecStats, StackFrame};
use crate::analysis::tasks::{RegionSpan, RegionType, TimeHistogram};
use crate::tui::action::Action;
use crate::tui::format::{dur, pct};
use crate::tui::keymap::Context;
use crate::tui::theme::{StateColor, Theme};
use crate::tui::widgets::bars;
use crate::tui::widgets::table::{self, Column};

/// The regions tab's state.
#[derive(Debug, Default)]
pub struct RegionsView {
    drill: Drill,
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

fn part_columns() -> [Column; 3] {
    [
        Column::text("time in the region", 40),
        Column::num("duration", 9),
        Column::num("share", 7),
    ]
}

/// One instance's figure for instance column `c` (times relative to the trace start).
fn instance_value(r: &RegionSpan, c: usize, first: i64) -> i64 {
    match c {
        0 => r.goroutine,
        1 => r.task as i64,
        2 => r.start.map_or(0, |s| s - first),
        3 => r.duration,
        4 => r.totals.exec,
        5 => r.totals.sched_wait,
        6 => r.totals.syscall + r.totals.syscall_block,
        7 => r.totals.blocked,
        _ => r.totals.unknown,
    }
}

/// The breakdown rows of a region that took any time: label, duration, style in the bar
/// (`None`: not in the bar, because the time overlaps the other rows). Zero rows are left
/// out so that, without colours, the bar's alternating glyphs match the rows in order.
fn parts(ctx: &Ctx<'_>, s: &ExecStats) -> Vec<(String, i64, Option<Style>)> {
    let th = ctx.theme;
    let names = &ctx.model.summary.names;
    // In the timeline's colour for the goroutine state, so the bar reads like it.
    let state = |label: String, d: i64, c: StateColor| (label, d, Some(th.state(c)));
    let mut v = vec![
        state("execution".into(), s.exec, StateColor::Running),
        state("scheduler wait".into(), s.sched_wait, StateColor::Runnable),
        state("syscall".into(), s.syscall, StateColor::Syscall),
        state(
            "syscall, P taken".into(),
            s.syscall_block,
            StateColor::Syscall,
        ),
    ];
    for (k, d) in s.block_by_reason.iter() {
        let label = format!("blocked: {}", names.get(k));
        v.push(state(label, d, StateColor::Blocked));
    }
    v.push(("unknown".into(), s.unknown(), Some(th.dim())));
    for (k, d) in s.range_time.iter() {
        v.push((format!("{} (overlaps)", names.get(k)), d, None));
    }
    v.retain(|p| p.1 != 0);
    v
}

impl Kind for RegionsView {
    type Type = RegionType;
    const NO_TYPES: &'static str = "no user regions in this trace (runtime/trace.WithRegion)";

    fn type_columns() -> Vec<Column> {
        vec![
            Column::flex("region type"),
            Column::flex("where"),
            Column::num("count", 5),
        ]
    }

    /// By name then location, as the regions page orders them.
    fn types<'m>(ctx: &Ctx<'m>) -> &'m [RegionType] {
        &ctx.model.region_types
    }

    fn distribution(t: &RegionType) -> Option<Distribution> {
        Some(t.distribution())
    }

    fn type_cell(t: &RegionType, column: usize) -> String {
        match column {
            0 => type_name(&t.name).to_string(),
            1 => short_location(&t.frame),
            _ => t.regions.len().to_string(),
        }
    }

    fn type_key(t: &RegionType, column: usize) -> (String, i64) {
        match column {
            0 => (type_name(&t.name).to_string(), 0),
            1 => (short_location(&t.frame), 0),
            _ => (String::new(), t.regions.len() as i64),
        }
    }

    fn histogram(t: &RegionType) -> (String, &TimeHistogram) {
        let title = format!(
            "{} at {} {}:{}: durations of {} regions",
            type_name(&t.name),
            t.frame.func,
            t.frame.file,
            t.frame.line,
            t.regions.len()
        );
        (title, &t.histogram)
    }

    fn instance_columns() -> Vec<Column> {
        vec![
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

    /// The analysis's order (longest first).
    fn instances(t: &RegionType) -> Vec<usize> {
        (0..t.regions.len()).collect()
    }

    fn instances_head(t: &RegionType) -> String {
        format!(
            "{} at {} — {} regions",
            type_name(&t.name),
            short_location(&t.frame),
            t.regions.len()
        )
    }

    fn instance_cell(ctx: &Ctx<'_>, t: &RegionType, i: usize, column: usize) -> String {
        let Some(r) = t.regions.get(i) else {
            return String::new();
        };
        match column {
            0 => format!("G{}", r.goroutine),
            1 => r.task.to_string(),
            2 if r.start.is_none() => "before".into(),
            _ => dur(instance_value(&r, column, ctx.model.summary.first_time)),
        }
    }

    fn instance_key(ctx: &Ctx<'_>, t: &RegionType, i: usize, column: usize) -> i64 {
        t.regions.get(i).map_or(0, |r| {
            instance_value(&r, column, ctx.model.summary.first_time)
        })
    }
}

impl RegionsView {
    fn current_type<'m>(&self, ctx: &Ctx<'m>) -> Option<&'m RegionType> {
        ctx.model.region_types.get(self.drill.ty())
    }

    fn current_region(&self, ctx: &Ctx<'_>) -> Option<RegionSpan> {
        self.current_type(ctx)?.regions.get(self.region)
    }

    fn render_instance(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let (Some(ty), Some(r)) = (self.current_type(ctx), self.current_region(ctx)) else {
            return;
        };
        let th: Theme = ctx.theme;
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
        let rows = r
            .stats(&ctx.model.summary)
            .map_or_else(Vec::new, |s| parts(ctx, &s));
        let mut y = drill::heading(area, buf, &head);
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
        let parts = &mut self.drill.detail;
        table::render(body, buf, th, &cols, rows.len(), parts, |i, c| {
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
        match self.drill.update::<Self>(action, ctx) {
            Step::Done => {}
            Step::Opened(i) => self.region = i,
            Step::Enter => {
                if let Some(r) = self.current_region(ctx) {
                    let from = r.start.unwrap_or(ctx.model.summary.first_time);
                    return Effect::ShowTime {
                        from,
                        to: from + r.duration,
                        goroutine: Some(r.goroutine),
                    };
                }
            }
            Step::Detail(a) => {
                let n = self
                    .current_region(ctx)
                    .and_then(|r| r.stats(&ctx.model.summary))
                    .map_or(0, |s| parts(ctx, &s).len());
                self.drill.detail.update(a, n, part_columns().len());
            }
        }
        Effect::None
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        match self.drill.level() {
            Level::Instance => self.render_instance(area, buf, ctx),
            _ => self.drill.render::<Self>(area, buf, ctx),
        }
    }
}
