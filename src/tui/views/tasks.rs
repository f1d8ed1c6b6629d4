//! The tasks tab: task types with counts and a duration histogram; a type's instances;
//! one instance with its goroutines, regions and logs, and a jump to its time window.

use std::cmp::Reverse;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::drill::{self, Drill, Kind, Level, Step};
use super::{Ctx, Effect, View};
use crate::analysis::goroutines::{Distribution, TaskSummary};
use crate::analysis::tasks::{TaskSpan, TaskType, TimeHistogram, task_regions};
use crate::tui::action::Action;
use crate::tui::format::dur;
use crate::tui::keymap::Context;
use crate::tui::widgets::table::{self, Column};

/// The tasks tab's state.
#[derive(Debug, Default)]
pub struct TasksView {
    drill: Drill,
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
                    r.name.to_string()
                },
            }
        })
        .chain(t.logs.iter().map(|(e, cat, msg)| Item {
            time: e.time - s.first_time,
            goroutine: e.goroutine,
            kind: "log",
            duration: None,
            text: if cat.is_empty() {
                msg.to_string()
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

impl Kind for TasksView {
    type Type = TaskType;
    const NO_TYPES: &'static str = "no user tasks in this trace (runtime/trace.NewTask)";

    fn type_columns() -> Vec<Column> {
        vec![
            Column::flex("task type"),
            Column::num("count", 5),
            Column::num("complete", 8),
            Column::num("incomplete", 10),
        ]
    }

    /// By name, as the tasks page orders them.
    fn types<'m>(ctx: &Ctx<'m>) -> &'m [TaskType] {
        &ctx.model.task_types
    }

    fn distribution(t: &TaskType) -> Option<Distribution> {
        t.distribution()
    }

    fn type_cell(t: &TaskType, column: usize) -> String {
        match column {
            0 => type_name(&t.name).to_string(),
            1 => t.count.to_string(),
            2 => t.complete().to_string(),
            _ => (t.count - t.complete()).to_string(),
        }
    }

    fn type_key(t: &TaskType, column: usize) -> (String, i64) {
        let n = match column {
            0 => return (type_name(&t.name).to_string(), 0),
            1 => t.count,
            2 => t.complete(),
            _ => t.count - t.complete(),
        };
        (String::new(), n as i64)
    }

    fn histogram(t: &TaskType) -> (String, &TimeHistogram) {
        let title = format!(
            "{}: durations of {} complete of {} tasks",
            type_name(&t.name),
            t.complete(),
            t.count
        );
        (title, &t.histogram)
    }

    fn instance_columns() -> Vec<Column> {
        vec![
            Column::num("task", 6),
            Column::num("start", 8),
            Column::num("duration", 8),
            Column::text("state", 10),
            Column::num("regions", 7),
            Column::num("logs", 5),
            Column::flex("goroutines"),
        ]
    }

    /// Longest first (ties by ID).
    fn instances(t: &TaskType) -> Vec<usize> {
        let tasks = &t.tasks;
        let mut order: Vec<usize> = (0..tasks.len()).collect();
        order.sort_by_key(|&i| (Reverse(tasks[i].duration), tasks[i].id));
        order
    }

    fn instances_head(t: &TaskType) -> String {
        format!(
            "{} — {} tasks, {} complete",
            type_name(&t.name),
            t.count,
            t.complete()
        )
    }

    fn instance_cell(ctx: &Ctx<'_>, t: &TaskType, i: usize, column: usize) -> String {
        let s = &t.tasks[i];
        let sum = ctx.model.summary.tasks.get(&s.id);
        match column {
            0 => s.id.to_string(),
            1 => dur(s.start),
            2 => dur(s.duration),
            3 => if s.complete { "complete" } else { "incomplete" }.into(),
            4 => sum.map_or(0, |t| t.regions.len()).to_string(),
            5 => sum.map_or(0, |t| t.logs.len()).to_string(),
            _ => sum.map_or(String::new(), |t| goroutine_list(&t.goroutines)),
        }
    }

    fn instance_key(ctx: &Ctx<'_>, t: &TaskType, i: usize, column: usize) -> i64 {
        let s = &t.tasks[i];
        let sum = ctx.model.summary.tasks.get(&s.id);
        match column {
            0 => s.id as i64,
            1 => s.start,
            2 => s.duration,
            3 => s.complete as i64,
            4 => sum.map_or(0, |t| t.regions.len() as i64),
            5 => sum.map_or(0, |t| t.logs.len() as i64),
            _ => sum.map_or(0, |t| t.goroutines.len() as i64),
        }
    }
}

impl TasksView {
    fn current_task<'m>(&self, ctx: &Ctx<'m>) -> Option<(&'m TaskSpan, TaskSummary)> {
        let ty = ctx.model.task_types.get(self.drill.ty())?;
        let span = ty.tasks.iter().find(|s| s.id == self.task)?;
        Some((span, ctx.model.summary.tasks.get(&self.task)?))
    }

    fn render_instance(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let Some((span, t)) = self.current_task(ctx) else {
            return;
        };
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
            "Enter: the task's window in the timeline, its tree as tracks   Esc: back".into(),
            th.dim(),
        ));
        let top = drill::heading(area, buf, &head);
        let body = Rect {
            y: top,
            height: area.bottom() - top,
            ..area
        };
        let rows = &self.rows;
        let cols = item_columns();
        table::render(
            body,
            buf,
            th,
            &cols,
            rows.len(),
            &mut self.drill.detail,
            |r, c| {
                let it = &rows[r];
                match c {
                    0 => dur(it.time),
                    1 => format!("G{}", it.goroutine),
                    2 => it.kind.into(),
                    3 => it.duration.map_or(String::new(), dur),
                    _ => it.text.clone(),
                }
            },
        );
    }
}

impl View for TasksView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List, Context::Table]
    }

    fn update(&mut self, action: Action, ctx: &Ctx<'_>) -> Effect {
        match self.drill.update::<Self>(action, ctx) {
            Step::Done => {}
            Step::Opened(i) => {
                self.task = ctx.model.task_types[self.drill.ty()].tasks[i].id;
                self.rows = ctx
                    .model
                    .summary
                    .tasks
                    .get(&self.task)
                    .map_or_else(Vec::new, |t| items(ctx, &t));
            }
            Step::Enter => {
                if self.current_task(ctx).is_some() {
                    return Effect::ShowTask(self.task);
                }
            }
            Step::Detail(a) => {
                self.drill
                    .detail
                    .update(a, self.rows.len(), item_columns().len());
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
