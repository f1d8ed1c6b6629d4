//! The profiles tab: the four blocking profiles of go tool trace (network, sync,
//! syscall, scheduler latency), whole-trace or for one goroutine group, as the stacks with
//! the most delay, the functions they run through (flat and cumulative, as `gotrace-tui
//! pprof` prints them), the full stack of the selected one, and an export to pprof.

use std::path::{Path, PathBuf};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::UnicodeWidthStr;

use super::goroutines::{count, d, render_table};
use super::{Ctx, Effect, View};
use crate::analysis::profiles::{ProfileKind, Record};
use crate::report::pprof::{functions, group_records, write_gzipped};
use crate::tui::action::Action;
use crate::tui::format::{dur, fit, pct};
use crate::tui::keymap::Context;
use crate::tui::model::{Model, TraceFile};
use crate::tui::widgets::table::{Column, TableState};

/// What go tool trace calls each profile, for the header.
fn title(kind: ProfileKind) -> &'static str {
    match kind {
        ProfileKind::Net => "network",
        ProfileKind::Sync => "sync",
        ProfileKind::Syscall => "syscall",
        ProfileKind::Sched => "scheduler",
    }
}

/// One profile, computed for the kind and scope showing.
#[derive(Debug)]
struct Computed {
    /// The model it came from (its address), to notice a new one.
    model: usize,
    kind: ProfileKind,
    scope: Option<usize>,
    /// Merged records, most delay first (as `pprof` prints and writes them).
    records: Vec<Record>,
    /// Per function: name, flat, cumulative delay; most cumulative first.
    funcs: Vec<(String, i64, i64)>,
    total_delay: i64,
    total_count: u64,
}

/// The profiles tab's state.
#[derive(Debug, Default)]
pub struct ProfilesView {
    /// Index into [`ProfileKind::ALL`].
    kind: usize,
    /// The goroutine group the profile is scoped to (index into `model.groups`).
    scope: Option<usize>,
    computed: Option<Computed>,
    stacks: TableState,
    funcs: TableState,
}

impl ProfilesView {
    fn kind(&self) -> ProfileKind {
        ProfileKind::ALL[self.kind % ProfileKind::ALL.len()]
    }

    /// Computes the profile showing if it is missing or stale.
    fn ensure(&mut self, model: &Model) {
        let key = model as *const Model as usize;
        if self.computed.as_ref().is_none_or(|c| c.model != key) {
            // A new trace opens on the first profile with samples, in go tool trace's order.
            self.kind = ProfileKind::ALL
                .iter()
                .position(|&k| !model.profiles.records(k, None).is_empty())
                .unwrap_or(0);
        }
        let kind = self.kind();
        if self.scope.is_some_and(|s| s >= model.groups.len()) {
            self.scope = None;
        }
        if self
            .computed
            .as_ref()
            .is_some_and(|c| c.model == key && c.kind == kind && c.scope == self.scope)
        {
            return;
        }
        let group = self.scope.map(|i| model.groups[i].name.as_str());
        // Scoped as `gotrace-tui pprof --group` scopes it; a group always has members.
        let records =
            group_records(&model.summary, &model.profiles, kind, group).unwrap_or_default();
        let funcs = functions(&records)
            .into_iter()
            .map(|f| (f.func.to_string(), f.flat, f.cum))
            .collect();
        self.computed = Some(Computed {
            model: key,
            kind,
            scope: self.scope,
            total_delay: records.iter().map(|r| r.total.delay).sum(),
            total_count: records.iter().map(|r| r.total.count).sum(),
            records,
            funcs,
        });
        // No column cursor: these tables do not sort.
        self.stacks = TableState {
            column: usize::MAX,
            ..TableState::default()
        };
        self.funcs = self.stacks.clone();
    }

    /// Writes the profile showing as a gzipped pprof file; returns the path.
    fn export(&self, model: &Model, file: &TraceFile) -> std::io::Result<PathBuf> {
        let c = self.computed.as_ref().expect("computed before export");
        let scope = self.scope.map(|i| model.groups[i].name.as_str());
        let path = export_path(&file.path, c.kind, scope);
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
        write_gzipped(&c.records, &mut w)?;
        std::io::Write::flush(&mut w)?;
        Ok(path)
    }
}

/// Where `e` writes a profile: next to the trace as `<trace>.<kind>.pb.gz` (with the
/// group's start function when scoped), in the current directory for standard input
/// and the demo trace.
pub fn export_path(trace: &Path, kind: ProfileKind, group: Option<&str>) -> PathBuf {
    let base: PathBuf = match trace.to_str() {
        Some("-") => "stdin".into(),
        Some("demo") => "demo".into(),
        _ => trace.to_path_buf(),
    };
    let mut name = base
        .file_name()
        .map_or_else(|| "trace".into(), |n| n.to_os_string());
    name.push(".");
    name.push(kind.name());
    if let Some(g) = group {
        // A file-name-safe form of the function name.
        let safe: String = g
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .take(80)
            .collect();
        name.push(".");
        name.push(if safe.is_empty() { "inactive" } else { &safe });
    }
    name.push(".pb.gz");
    base.with_file_name(name)
}

/// The stacks table's columns.
fn stack_columns() -> Vec<Column> {
    vec![
        Column::num("Delay", 9),
        Column::num("Share", 6),
        Column::num("Count", 7),
        Column::num("Mean", 9),
        Column::flex("Stack (innermost ← outermost)"),
    ]
}

/// The functions table's columns.
fn func_columns() -> Vec<Column> {
    vec![
        Column::num("Flat", 9),
        Column::num("Flat%", 6),
        Column::num("Cum", 9),
        Column::num("Cum%", 6),
        Column::flex("Function"),
    ]
}

/// A record's row label: its innermost and outermost frames (where it waited, and the
/// goroutine's start), which tell stacks apart better than the innermost two.
fn stack_label(r: &Record) -> String {
    match r.stack.as_slice() {
        [] => "(no stack)".into(),
        [f] => f.func.clone(),
        [f, start] => format!("{} ← {}", f.func, start.func),
        [f, .., start] => format!("{} ← … ← {}", f.func, start.func),
    }
}

impl View for ProfilesView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List, Context::Profiles]
    }

    fn update(&mut self, action: Action, ctx: &Ctx<'_>) -> Effect {
        let model = ctx.model;
        self.ensure(model);
        match action {
            Action::NextKind => self.kind = (self.kind + 1) % ProfileKind::ALL.len(),
            Action::Scope => {
                self.scope = match self.scope {
                    None if !model.groups.is_empty() => Some(0),
                    Some(i) if i + 1 < model.groups.len() => Some(i + 1),
                    _ => None,
                }
            }
            Action::Export => {
                return Effect::Status(match self.export(model, ctx.file) {
                    Ok(p) => {
                        let c = self.computed.as_ref().expect("computed");
                        format!(
                            "wrote {} ({}, total delay {})",
                            p.display(),
                            count(c.records.len(), "stack"),
                            dur(c.total_delay)
                        )
                    }
                    Err(e) => format!("export failed: {e}"),
                });
            }
            a @ (Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::ScrollUp
            | Action::ScrollDown) => {
                let n = self.computed.as_ref().map_or(0, |c| c.records.len());
                self.stacks.update(a, n, 1);
            }
            _ => {}
        }
        self.ensure(model);
        Effect::None
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let model = ctx.model;
        self.ensure(model);
        if area.height == 0 || area.width == 0 {
            return;
        }
        let kind = self.kind();
        // Line 1: the four kinds, the one showing highlighted.
        let mut x = area.x;
        for k in ProfileKind::ALL {
            let label = format!(" {} ", title(k));
            let style = if k == kind {
                theme.selected()
            } else {
                theme.dim()
            };
            if x + label.width() as u16 > area.right() {
                break;
            }
            buf.set_string(x, area.y, &label, style);
            x += label.width() as u16 + 1;
        }
        let Some(c) = &self.computed else { return };
        let scope = match self.scope {
            None => "whole trace".to_string(),
            Some(i) if model.groups[i].name.is_empty() => {
                "inactive goroutines (go tool trace: every goroutine)".into()
            }
            Some(i) => format!("group {}", model.groups[i].name),
        };
        let summary = if c.records.is_empty() {
            format!("{scope}  ·  no samples")
        } else {
            format!(
                "{scope}  ·  {}, total delay {} in {}",
                count(c.total_count as usize, "sample"),
                dur(c.total_delay),
                count(c.records.len(), "stack")
            )
        };
        if area.height > 1 {
            buf.set_string(
                area.x,
                area.y + 1,
                fit(&summary, area.width as usize),
                theme.header(),
            );
        }
        let body = Rect {
            y: area.y + 2,
            height: area.height.saturating_sub(2),
            ..area
        };
        if body.height == 0 {
            return;
        }
        // Wide: stacks and the selected stack on the left, functions on the right.
        // Narrow: the three one under the other.
        let (stacks_area, stack_area, funcs_area) = if body.width >= 120 {
            let lw = body.width * 11 / 20;
            let sh = body.height / 2;
            (
                Rect {
                    width: lw,
                    height: sh,
                    ..body
                },
                Rect::new(body.x, body.y + sh, lw, body.height - sh),
                Rect::new(body.x + lw + 1, body.y, body.width - lw - 1, body.height),
            )
        } else {
            let sh = (body.height * 2 / 5).max(2);
            let fh = body.height.saturating_sub(sh) / 2;
            let kh = body.height.saturating_sub(sh + fh);
            (
                Rect { height: sh, ..body },
                Rect::new(body.x, body.y + sh, body.width, kh),
                Rect::new(body.x, body.y + sh + kh, body.width, fh),
            )
        };
        let records = &c.records;
        let total = c.total_delay;
        render_table(
            stacks_area,
            buf,
            theme,
            &stack_columns(),
            0,
            20,
            records.len(),
            &mut self.stacks,
            |r, col| {
                let rec = &records[r];
                match col {
                    0 => d(rec.total.delay),
                    1 => pct(rec.total.delay, total),
                    2 => rec.total.count.to_string(),
                    3 => d(rec.total.delay / rec.total.count.max(1) as i64),
                    _ => stack_label(rec),
                }
            },
        );
        // The selected stack, every frame.
        if stack_area.height > 0
            && let Some(rec) = records.get(self.stacks.selected)
        {
            let head = format!(
                "stack {} of {}: {} in {}",
                self.stacks.selected + 1,
                records.len(),
                dur(rec.total.delay),
                count(rec.total.count as usize, "sample")
            );
            buf.set_string(
                stack_area.x,
                stack_area.y,
                fit(&head, stack_area.width as usize),
                theme.dim(),
            );
            let rows = stack_area.height.saturating_sub(1) as usize;
            for (i, f) in rec.stack.iter().enumerate().take(rows) {
                let text = if i + 1 == rows && rec.stack.len() > rows {
                    format!("  … {} more frames", rec.stack.len() - i)
                } else {
                    format!("  {} {}:{}", f.func, f.file, f.line)
                };
                buf.set_string(
                    stack_area.x,
                    stack_area.y + 1 + i as u16,
                    fit(&text, stack_area.width as usize),
                    Style::default(),
                );
            }
            if rec.stack.is_empty() && rows > 0 {
                buf.set_string(stack_area.x, stack_area.y + 1, "  (no stack)", theme.dim());
            }
        }
        // Functions: the selected stack's innermost function is highlighted.
        let funcs = &c.funcs;
        let inner = records
            .get(self.stacks.selected)
            .and_then(|r| r.stack.first());
        self.funcs.selected = inner
            .and_then(|f| funcs.iter().position(|(name, _, _)| *name == f.func))
            .unwrap_or(0);
        render_table(
            funcs_area,
            buf,
            theme,
            &func_columns(),
            0,
            20,
            funcs.len(),
            &mut self.funcs,
            |r, col| {
                let (name, flat, cum) = &funcs[r];
                match col {
                    0 => d(*flat),
                    1 => pct(*flat, total),
                    2 => d(*cum),
                    3 => pct(*cum, total),
                    _ => name.clone(),
                }
            },
        );
    }
}
