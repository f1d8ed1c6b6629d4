//! The tasks tab: task types with counts and a duration histogram; a type's instances;
//! one instance with its goroutines, regions and logs, and a jump to its time window.

use std::cmp::Reverse;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};

use super::{Ctx, Effect, View};
use crate::analysis::goroutines::{Distribution, TaskSummary};
use crate::analysis::tasks::{TaskSpan, TaskType, task_regions};
use crate::tui::action::Action;
use crate::tui::format::{dur, fit};
use crate::tui::keymap::Context;
use crate::tui::widgets::histogram;
use crate::tui::widgets::table::{self, Column, TableState};

/// How deep the user has drilled.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The task types.
    #[default]
    Types,
    /// The tasks of one type.
    Instances,
    /// One task.
    Instance,
}

/// The tasks tab's state.
#[derive(Debug, Default)]
pub struct TasksView {
    level: Level,
    types: TableState,
    /// Percentiles per type, computed on first use (each sorts the type's durations).
    dists: Vec<Option<Distribution>>,
    /// Row order of the types table (indexes into `Model::task_types`).
    type_order: Vec<usize>,
    instances: TableState,
    items: TableState,
    /// The type drilled into (index into `Model::task_types`).
    ty: usize,
    /// Row order of the instances table (indexes into the type's tasks).
    order: Vec<usize>,
    /// The task shown at [`Level::Instance`].
    task: u64,
    /// The regions and logs of that task, built once when it is opened.
    rows: Vec<Item>,
}

/// The type's name as the tasks page writes it.
pub fn type_name(name: &str) -> &str {
    if name.is_empty() {
        "(background)"
    } else {
        name
    }
}

fn type_columns() -> [Column; 8] {
    [
        Column::flex("task type"),
        Column::num("count", 5),
        Column::num("complete", 8),
        Column::num("incomplete", 10),
        Column::num("p50", 7),
        Column::num("p90", 7),
        Column::num("p99", 7),
        Column::num("max", 7),
    ]
}

fn instance_columns() -> [Column; 7] {
    [
        Column::num("task", 6),
        Column::num("start", 8),
        Column::num("duration", 8),
        Column::text("state", 10),
        Column::num("regions", 7),
        Column::num("logs", 5),
        Column::flex("goroutines"),
    ]
}

fn item_columns() -> [Column; 5] {
    [
        Column::num("time", 8),
        Column::num("G", 6),
        Column::text("kind", 6),
        Column::num("duration", 8),
        Column::flex("region / log"),
    ]
}

/// A row of the instance page: a region or a log message, in time order.
#[derive(Debug)]
struct Item {
    /// Time relative to the trace start.
    time: i64,
    goroutine: i64,
    kind: &'static str,
    duration: Option<i64>,
    text: String,
}

fn items(ctx: &Ctx<'_>, t: &TaskSummary) -> Vec<Item> {
    let s = &ctx.model.summary;
    let mut v: Vec<Item> = task_regions(s, t)
        .into_iter()
        .map(|(g, r)| {
            let start = r.start.map_or(s.first_time, |e| e.time);
            let end = r.end.map_or(s.last_time, |e| e.time);
            Item {
                time: start - s.first_time,
                goroutine: g,
                kind: "region",
                duration: Some(end - start),
                text: if r.name.is_empty() {
                    "(inherited)".into()
                } else {
                    r.name.clone()
                },
            }
        })
        .chain(t.logs.iter().map(|(e, cat, msg)| Item {
            time: e.time - s.first_time,
            goroutine: e.goroutine,
            kind: "log",
            duration: None,
            text: if cat.is_empty() {
                msg.clone()
            } else {
                format!("{cat}: {msg}")
            },
        }))
        .collect();
    // Stable: a region and a log at the same time keep regions first.
    v.sort_by_key(|i| i.time);
    v
}

fn goroutine_list(gs: &[i64]) -> String {
    gs.iter()
        .map(|g| format!("G{g}"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl TasksView {
    fn current_type<'m>(&self, ctx: &Ctx<'m>) -> Option<&'m TaskType> {
        ctx.model.task_types.get(self.ty)
    }

    fn current_task<'m>(&self, ctx: &Ctx<'m>) -> Option<(&'m TaskSpan, &'m TaskSummary)> {
        let ty = self.current_type(ctx)?;
        let span = ty.tasks.iter().find(|s| s.id == self.task)?;
        Some((span, ctx.model.summary.tasks.get(&self.task)?))
    }

    /// The types' percentiles (the model does not change once loaded: computed once).
    fn dists(&mut self, ctx: &Ctx<'_>) -> Vec<Option<Distribution>> {
        let types = &ctx.model.task_types;
        if self.dists.len() != types.len() {
            self.dists = types.iter().map(TaskType::distribution).collect();
        }
        self.dists.clone()
    }

    /// Orders the types (once per sort): by name as the tasks page does, unless the user
    /// sorted by a column.
    fn sort_types(&mut self, ctx: &Ctx<'_>) {
        let types = &ctx.model.task_types;
        if self.type_order.len() == types.len() {
            return;
        }
        let dists = self.dists(ctx);
        let mut order: Vec<usize> = (0..types.len()).collect();
        self.types.sort_rows(&mut order, |r, c| {
            let t = &types[r];
            let d = dists[r].as_ref();
            // Without complete tasks there are no percentiles: they sort below any.
            let pick = |f: fn(&Distribution) -> i64| d.map_or(-1, f);
            let n = match c {
                0 => return (type_name(&t.name).to_string(), 0),
                1 => t.count as i64,
                2 => t.complete() as i64,
                3 => (t.count - t.complete()) as i64,
                4 => pick(|d| d.p50),
                5 => pick(|d| d.p90),
                6 => pick(|d| d.p99),
                _ => pick(|d| d.max),
            };
            (String::new(), n)
        });
        self.type_order = order;
    }

    /// Orders the instances: longest first unless the user sorted by a column.
    fn sort_instances(&mut self, ty: &TaskType, ctx: &Ctx<'_>) {
        let mut order: Vec<usize> = (0..ty.tasks.len()).collect();
        order.sort_by_key(|&i| (Reverse(ty.tasks[i].duration), ty.tasks[i].id));
        let tasks = &ctx.model.summary.tasks;
        self.instances.sort_rows(&mut order, |r, c| {
            let s = &ty.tasks[r];
            let sum = tasks.get(&s.id);
            match c {
                0 => s.id as i64,
                1 => s.start,
                2 => s.duration,
                3 => s.complete as i64,
                4 => sum.map_or(0, |t| t.regions.len() as i64),
                5 => sum.map_or(0, |t| t.logs.len() as i64),
                _ => sum.map_or(0, |t| t.goroutines.len() as i64),
            }
        });
        self.order = order;
    }

    fn render_types(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let types = &ctx.model.task_types;
        if types.is_empty() {
            buf.set_string(
                area.x,
                area.y,
                fit(
                    "no user tasks in this trace (runtime/trace.NewTask)",
                    area.width as usize,
                ),
                ctx.theme.dim(),
            );
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
                let pick = |f: fn(&Distribution) -> i64| {
                    dists[r].as_ref().map_or("-".into(), |d| dur(f(d)))
                };
                match c {
                    0 => type_name(&t.name).to_string(),
                    1 => t.count.to_string(),
                    2 => t.complete().to_string(),
                    3 => (t.count - t.complete()).to_string(),
                    4 => pick(|d| d.p50),
                    5 => pick(|d| d.p90),
                    6 => pick(|d| d.p99),
                    _ => pick(|d| d.max),
                }
            },
        );
        let sel = order[self.types.selected.min(types.len() - 1)];
        let t = &types[sel];
        let title = format!(
            "{}: durations of {} complete of {} tasks",
            type_name(&t.name),
            t.complete(),
            t.count
        );
        histogram::render(
            hist,
            buf,
            ctx.theme,
            &title,
            &t.histogram,
            dists[sel].as_ref(),
        );
    }

    fn render_instances(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let Some(ty) = self.current_type(ctx) else {
            return;
        };
        let head = format!(
            "{} — {} tasks, {} complete   (Enter: open, Esc: back, s: sort)",
            type_name(&ty.name),
            ty.count,
            ty.complete()
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
        let tasks = &ctx.model.summary.tasks;
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
                let s = &ty.tasks[order[r]];
                let sum = tasks.get(&s.id);
                match c {
                    0 => s.id.to_string(),
                    1 => dur(s.start),
                    2 => dur(s.duration),
                    3 => if s.complete { "complete" } else { "incomplete" }.into(),
                    4 => sum.map_or(0, |t| t.regions.len()).to_string(),
                    5 => sum.map_or(0, |t| t.logs.len()).to_string(),
                    _ => sum.map_or(String::new(), |t| goroutine_list(&t.goroutines)),
                }
            },
        );
    }

    fn render_instance(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let Some((span, t)) = self.current_task(ctx) else {
            return;
        };
        let w = area.width as usize;
        let th = ctx.theme;
        let mut head = vec![(
            format!(
                "task {}  {}  {}",
                t.id,
                type_name(&t.name),
                if span.complete {
                    "complete"
                } else {
                    "incomplete"
                }
            ),
            th.header(),
        )];
        let mut when = format!(
            "start +{}  end +{}  duration {}",
            dur(span.start),
            dur(span.start + span.duration),
            dur(span.duration)
        );
        if let Some(p) = t.parent {
            when.push_str(&format!("  parent task {p}"));
        }
        if !t.children.is_empty() {
            when.push_str(&format!("  {} child tasks", t.children.len()));
        }
        head.push((when, Default::default()));
        head.push((
            format!("goroutines: {}", goroutine_list(&t.goroutines)),
            Default::default(),
        ));
        head.push((
            "Enter: show the task's time window in the timeline   Esc: back".into(),
            th.dim(),
        ));
        for (i, (text, style)) in head.iter().enumerate().take(area.height as usize) {
            buf.set_string(area.x, area.y + i as u16, fit(text, w), *style);
        }
        let top = (head.len() as u16).min(area.height);
        let body = Rect {
            y: area.y + top,
            height: area.height - top,
            ..area
        };
        let rows = &self.rows;
        let cols = item_columns();
        table::render(body, buf, th, &cols, rows.len(), &mut self.items, |r, c| {
            let it = &rows[r];
            match c {
                0 => dur(it.time),
                1 => format!("G{}", it.goroutine),
                2 => it.kind.into(),
                3 => it.duration.map_or(String::new(), dur),
                _ => it.text.clone(),
            }
        });
    }
}

impl View for TasksView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List, Context::Table]
    }

    fn update(&mut self, action: Action, ctx: &Ctx<'_>) -> Effect {
        let types = &ctx.model.task_types;
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
                        let i = self.order[self.instances.selected.min(self.order.len() - 1)];
                        self.task = ty.tasks[i].id;
                        self.items = TableState::default();
                        self.rows = ctx
                            .model
                            .summary
                            .tasks
                            .get(&self.task)
                            .map_or_else(Vec::new, |t| items(ctx, t));
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
                    if let Some((span, _)) = self.current_task(ctx) {
                        let from = ctx.model.summary.first_time + span.start;
                        return Effect::ShowTime {
                            from,
                            to: from + span.duration,
                            goroutine: None,
                        };
                    }
                }
                Action::Sort | Action::Left | Action::Right => {}
                a => {
                    self.items.update(a, self.rows.len(), item_columns().len());
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
