//! go tool trace's task-focused view (`/trace?focustask=N`, the "Task N" link of its task
//! pages; Go 1.26 `cmd/trace/jsontrace.go` `setTask` and `gen.go` `emitTask`): the proc view
//! cut to the task's window, plus a "Tasks" section with one lane per task of the task's
//! tree (the task, then its descendants), each task as a slice over its lifetime, and a
//! "newTask" arrow from each parent to a child at the child's begin.
//!
//! Its goroutine-oriented twin (`/trace?taskid=N`, the "(goroutine view)" link) shows the
//! goroutines of the tree instead of the Ps over the same window, with the same Tasks
//! section, and the tree's regions drawn on their goroutines ([`TaskGoroutineView`]).

use rustc_hash::FxHashSet;

use super::goroutines::{Summary, TaskSummary, Tasks};
use super::timeline::Timeline;

/// One lane of the Tasks section: go tool trace names it `T<id> <type>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskLane {
    /// Task ID (the lane's ID).
    pub id: u64,
    /// `T<id> <type>`.
    pub name: String,
    /// Where it sits in the section, 0 first: order of begin, then of end.
    pub sort_index: usize,
}

/// A task's lifetime, drawn on its lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSlice {
    /// Task ID (its lane).
    pub task: u64,
    /// Task type.
    pub name: String,
    /// Begin (absolute ns); the trace's first event time for a task that began before it.
    pub start: i64,
    /// Duration, ns, up to its end or to the trace's last event time.
    pub dur: i64,
    /// The begin event's stack ([`Timeline::stacks`] index).
    pub start_stack: Option<u32>,
    /// The end event's stack.
    pub end_stack: Option<u32>,
    /// The goroutine that began it (0 if the begin is outside the trace).
    pub start_g: i64,
    /// The goroutine that ended it (0 if the end is outside the trace).
    pub end_g: i64,
}

/// A "newTask" arrow, from the parent's lane to the child's, at the child's begin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskArrow {
    /// The parent task.
    pub parent: u64,
    /// The child task.
    pub child: u64,
    /// The child's begin (absolute ns).
    pub time: i64,
    /// The begin event's stack.
    pub stack: Option<u32>,
}

/// What the task-focused view draws beyond the proc view: its window and the Tasks
/// section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskView {
    /// The focused task.
    pub task: u64,
    /// Window start (absolute ns): the task's begin, or the trace's start.
    pub from: i64,
    /// Window end: the task's end, or the trace's end.
    pub to: i64,
    /// Lanes of the task's tree, in `sort_index` order.
    pub lanes: Vec<TaskLane>,
    /// Task slices that start or end inside the window, in lane order.
    pub slices: Vec<TaskSlice>,
    /// Parent → child arrows inside the window, in lane order.
    pub arrows: Vec<TaskArrow>,
}

impl TaskView {
    /// The view of task `id`, or `None` when go tool trace has none to show: an unknown
    /// task, or one with neither a begin nor an end in the trace. `timeline` gives the
    /// trace's ends and the task events' stacks (any layout).
    pub fn of(tasks: &Tasks, id: u64, timeline: &Timeline) -> Option<Self> {
        let task = tasks.get(&id)?;
        if task.start.is_none() && task.end.is_none() {
            return None;
        }
        Some(Self::build(tasks, &task, timeline))
    }

    /// Go's `setTask` and `emitTask` for `task`, whatever events it has.
    fn build(tasks: &Tasks, task: &TaskSummary, timeline: &Timeline) -> Self {
        let id = task.id;
        let (first, last) = (timeline.start_time, timeline.end_time);
        let begin = |t: &TaskSummary| t.start.map_or(first, |e| e.time);
        let end = |t: &TaskSummary| t.end.map_or(last, |e| e.time);
        let from = begin(task);
        let to = end(task);
        let within = |t: i64| from <= t && t <= to;

        let mut tree = Vec::new();
        descendants(tasks, task, &mut tree);
        // Go's comparator, kept as is: begins compared unless both are missing, then ends.
        tree.sort_by(|a, b| {
            if a.start.is_none() && b.start.is_none() {
                end(a).cmp(&end(b))
            } else {
                begin(a).cmp(&begin(b))
            }
        });
        let stack_at = |t: i64| user_stack(timeline, t);
        let mut view = TaskView {
            task: id,
            from,
            to,
            lanes: Vec::with_capacity(tree.len()),
            slices: Vec::new(),
            arrows: Vec::new(),
        };
        for (sort_index, t) in tree.into_iter().enumerate() {
            view.lanes.push(TaskLane {
                id: t.id,
                name: format!("T{} {}", t.id, t.name),
                sort_index,
            });
            let (start, stop) = (begin(&t), end(&t));
            let start_stack = t.start.and_then(|e| stack_at(e.time));
            if within(start) || within(stop) {
                view.slices.push(TaskSlice {
                    task: t.id,
                    name: t.name.to_string(),
                    start,
                    dur: stop - start,
                    start_stack,
                    end_stack: t.end.and_then(|e| stack_at(e.time)),
                    start_g: t.start.map_or(0, |e| e.goroutine),
                    end_g: t.end.map_or(0, |e| e.goroutine),
                });
            }
            if let (Some(parent), Some(s)) = (t.parent, t.start)
                && within(s.time)
            {
                view.arrows.push(TaskArrow {
                    parent,
                    child: t.id,
                    time: s.time,
                    stack: start_stack,
                });
            }
        }
        view
    }
}

/// The stack of the task or region event at `t` (event times are unique).
fn user_stack(timeline: &Timeline, t: i64) -> Option<u32> {
    timeline.user_stacks.at(t)
}

/// A user region drawn on its goroutine's lane (go tool trace's `emitRegion`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSlice {
    /// The goroutine (its end's, else its begin's).
    pub goroutine: i64,
    /// The region's task.
    pub task: u64,
    /// Region type.
    pub name: super::Name,
    /// Begin (absolute ns), the trace's first event time if before the trace.
    pub start: i64,
    /// Duration, ns, to its end or the trace's last event time.
    pub dur: i64,
    /// The begin event's stack.
    pub start_stack: Option<u32>,
    /// The end event's stack.
    pub end_stack: Option<u32>,
}

/// go tool trace's goroutine-oriented task view (`/trace?taskid=N`): the goroutines that
/// took part in the task's tree, over the task's window, with the tree's regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskGoroutineView {
    /// The window and the Tasks section, as in the task-focused view.
    pub tasks: TaskView,
    /// The goroutine the view is oriented on (drawn first): the one that began the task,
    /// else the one of its first log, else the one that ended it.
    pub focus: i64,
    /// The goroutines shown: those of every task in the tree.
    pub goroutines: FxHashSet<i64>,
    /// The tree's named regions on shown goroutines that start or end in the window.
    pub regions: Vec<RegionSlice>,
}

impl TaskGoroutineView {
    /// The view of task `id`, or `None` when go tool trace has none: an unknown task, or
    /// one without a begin, a log or an end on a goroutine to orient the view on.
    pub fn of(summary: &Summary, id: u64, timeline: &Timeline) -> Option<Self> {
        let task = summary.tasks.get(&id)?;
        let first_log = task.logs.iter().map(|(e, _, _)| e).min_by_key(|e| e.time);
        let first = task.start.or(match (first_log, task.end) {
            (Some(l), Some(e)) if e.time < l.time => Some(e),
            (Some(l), _) => Some(*l),
            (None, e) => e,
        })?;
        if first.goroutine < 0 {
            return None;
        }
        let tasks = TaskView::build(&summary.tasks, &task, timeline);
        let tree: Vec<TaskSummary> = tasks
            .lanes
            .iter()
            .filter_map(|l| summary.tasks.get(&l.id))
            .collect();
        let goroutines: FxHashSet<i64> = tree
            .iter()
            .flat_map(|t| t.goroutines.iter().copied())
            .collect();
        let within = |t: i64| tasks.from <= t && t <= tasks.to;
        let (t0, t1) = (timeline.start_time, timeline.end_time);
        let mut regions = Vec::new();
        for t in &tree {
            for (_, r) in super::tasks::task_regions(summary, t) {
                let Some(g) = r.end.or(r.start).map(|e| e.goroutine).filter(|&g| g >= 0) else {
                    continue;
                };
                if r.name.is_empty() || !goroutines.contains(&g) {
                    continue;
                }
                let start = r.start.map_or(t0, |e| e.time);
                let end = r.end.map_or(t1, |e| e.time);
                if within(start) || within(end) {
                    regions.push(RegionSlice {
                        goroutine: g,
                        task: r.task,
                        name: r.name.clone(),
                        start,
                        dur: end - start,
                        start_stack: r.start.and_then(|e| user_stack(timeline, e.time)),
                        end_stack: r.end.and_then(|e| user_stack(timeline, e.time)),
                    });
                }
            }
        }
        Some(TaskGoroutineView {
            tasks,
            focus: first.goroutine,
            goroutines,
            regions,
        })
    }
}

/// Go's `UserTaskSummary.Descendents`: the task, then each child's descendants in the
/// order the children appeared. Iterative and visiting each task once, as the tree comes
/// from the trace: a task naming itself or a descendant as its parent must not loop.
fn descendants(tasks: &Tasks, root: &TaskSummary, out: &mut Vec<TaskSummary>) {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut stack = vec![root.clone()];
    while let Some(t) = stack.pop() {
        if !seen.insert(t.id) {
            continue;
        }
        stack.extend(t.children.iter().rev().filter_map(|c| tasks.get(c)));
        out.push(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::goroutines::EventRef;

    fn task(id: u64, parent: Option<u64>, children: &[u64], start: i64) -> TaskSummary {
        TaskSummary {
            id,
            name: format!("t{id}").into(),
            parent,
            children: children.to_vec(),
            start: Some(EventRef {
                time: start,
                goroutine: 1,
            }),
            ..TaskSummary::default()
        }
    }

    #[test]
    fn a_task_that_is_its_own_ancestor_is_shown_once() {
        let tasks: Tasks = [
            (1, task(1, Some(2), &[2], 10)),
            (2, task(2, Some(1), &[1, 2], 20)),
        ]
        .into_iter()
        .collect();
        let timeline = Timeline {
            start_time: 0,
            end_time: 100,
            ..Timeline::default()
        };
        let view = TaskView::of(&tasks, 1, &timeline).unwrap();
        let lanes: Vec<&str> = view.lanes.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(lanes, ["T1 t1", "T2 t2"]);
        // Both tasks run to the trace's end; the window is task 1's: [10, 100].
        assert_eq!((view.from, view.to), (10, 100));
        assert_eq!(view.slices.len(), 2);
        assert_eq!(view.arrows.len(), 2);
    }

    #[test]
    fn no_view_without_a_begin_or_an_end() {
        let mut t = task(3, None, &[], 0);
        t.start = None;
        let tasks: Tasks = [(3, t)].into_iter().collect();
        assert!(TaskView::of(&tasks, 3, &Timeline::default()).is_none());
        assert!(TaskView::of(&tasks, 4, &Timeline::default()).is_none());
    }
}
