//! The goroutines tab, three levels deep: goroutine groups by start function (the classic
//! seven columns with a breakdown bar), the goroutines of one group (every column of go
//! tool trace's group page, with their distribution), and one goroutine (its columns, its
//! states over time, where it was created, its regions).
//!
//! Tables build only their visible rows and sort vectors of row indexes, so a group of
//! 100 000 goroutines stays instant. The state strip needs a pass over the trace
//! ([`crate::analysis::gstates`]): it runs in a background thread, once per goroutine.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use rustc_hash::FxHashMap;
use unicode_width::UnicodeWidthStr;

use super::{Ctx, Effect, View};
use crate::analysis::column::I64Column;
use crate::analysis::goroutines::{
    CLASSIC_COLUMNS, Distribution, GoroutineSummary, Summary, distribution,
};
use crate::analysis::gstates::{GStates, Lifetime, State};
#[cfg(test)]
use crate::analysis::gstates::{Span, Spans};
use crate::analysis::profiles::Frame;
use crate::tui::action::Action;
use crate::tui::format::{dur, fit, pct};
use crate::tui::keymap::Context;
use crate::tui::model::{Model, SharedFile};
use crate::tui::theme::{StateColor, Theme};
use crate::tui::widgets::bars;
use crate::tui::widgets::table::{self, Column, TableState};

/// A sort key of a table cell: numbers and text in one ordered type.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SortKey<'a> {
    /// A number (durations in ns, counts, IDs).
    Num(i64),
    /// Text (names).
    Text(&'a str),
}

/// Where a shown column of a table landed: (column index, x, width).
pub(crate) type Placed = Vec<(usize, u16, u16)>;

/// Draws a table whose columns may not all fit: the first `frozen` columns always show,
/// then as many of the others as fit, starting far enough right that the column under
/// the cursor shows. A flexible column (width 0) takes what is left, at least `min_flex`.
/// `cell` is asked with real column indexes. Returns where each shown column landed, so
/// that callers can draw over cells (bars, colours) and align more rows under them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn render_table(
    area: Rect,
    buf: &mut Buffer,
    theme: Theme,
    columns: &[Column],
    frozen: usize,
    min_flex: u16,
    len: usize,
    state: &mut TableState,
    cell: impl Fn(usize, usize) -> String,
) -> Placed {
    let placed = fit_columns(columns, frozen, state.column, area.width, min_flex);
    let shown: Vec<Column> = placed
        .iter()
        .map(|&(i, _, w)| Column {
            title: columns[i].title.clone(),
            width: w,
            right: columns[i].right,
        })
        .collect();
    let position = |c: usize| placed.iter().position(|&(i, _, _)| i == c);
    // The table widget numbers the columns it is given; translate the cursor and the sort.
    let mut local = TableState {
        column: position(state.column).unwrap_or(usize::MAX),
        sort: state
            .sort
            .and_then(|(c, asc)| position(c).map(|p| (p, asc))),
        ..state.clone()
    };
    table::render(area, buf, theme, &shown, len, &mut local, |r, c| {
        cell(r, placed[c].0)
    });
    state.selected = local.selected;
    state.offset = local.offset;
    state.page = local.page;
    placed
        .into_iter()
        .map(|(i, x, w)| (i, area.x + x, w))
        .collect()
}

/// Chooses the shown columns and their widths (see [`render_table`]); x is relative.
fn fit_columns(
    columns: &[Column],
    frozen: usize,
    cursor: usize,
    width: u16,
    min_flex: u16,
) -> Placed {
    let w = |c: &Column| if c.width == 0 { min_flex } else { c.width };
    let frozen = frozen.min(columns.len());
    let frozen_w: u16 = columns[..frozen].iter().map(|c| w(c) + 1).sum();
    let room = width.saturating_sub(frozen_w);
    let span = |a: usize, b: usize| -> u16 { columns[a..b].iter().map(|c| w(c) + 1).sum() };
    // The first scrolling column: as far left as possible with the cursor still shown.
    let mut first = frozen;
    if cursor >= frozen && cursor < columns.len() {
        while first < cursor && span(first, cursor + 1) > room + 1 {
            first += 1;
        }
    }
    let mut last = first;
    while last < columns.len() && span(first, last + 1) <= room + 1 {
        last += 1;
    }
    let mut ids: Vec<usize> = (0..frozen).chain(first..last).collect();
    if ids.is_empty() && !columns.is_empty() {
        ids.push(0);
    }
    let used: u16 = ids.iter().map(|&i| w(&columns[i]) + 1).sum::<u16>();
    let spare = (width + 1).saturating_sub(used);
    let mut x = 0u16;
    let mut out = Vec::with_capacity(ids.len());
    let mut flex_given = false;
    for i in ids {
        let mut cw = w(&columns[i]);
        if columns[i].width == 0 && !flex_given {
            cw += spare;
            flex_given = true;
        }
        out.push((i, x, cw));
        x += cw + 1;
    }
    out
}

/// A duration for a table cell: nothing spent reads as a plain `0`.
pub(crate) fn d(ns: i64) -> String {
    if ns == 0 { "0".into() } else { dur(ns) }
}

/// `n thing` or `n things`.
pub(crate) fn count(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// The width of a number column titled `title`: room for the title and the sort arrow,
/// and for a duration (`123.4ms`, `-1.50µs`).
fn sized(title: &str) -> u16 {
    (title.width() as u16 + 1).max(10)
}

/// Glyphs of goroutine states without colour (with colour every state is a full block).
fn state_glyph(c: StateColor) -> char {
    match c {
        StateColor::Running => '█',
        StateColor::Runnable => '▒',
        StateColor::Syscall => '▓',
        StateColor::Network => '≈',
        StateColor::Sync => '░',
        StateColor::Blocked => '─',
    }
}

/// Styles of the seven classic columns, in page order.
fn classic_styles(theme: Theme) -> [Style; 7] {
    [
        theme.state(StateColor::Running),
        theme.state(StateColor::Network),
        theme.state(StateColor::Sync),
        theme.state(StateColor::Syscall),
        theme.state(StateColor::Runnable),
        theme.gc(),
        theme.stw(),
    ]
}

/// Draws a breakdown bar of the non-zero `parts` (so that neighbouring segments always
/// differ, even without colour), and returns the parts drawn, for [`swatch`].
fn bar(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    width: u16,
    parts: &[(i64, Style)],
    theme: Theme,
) -> Vec<(i64, Style)> {
    let nonzero: Vec<(i64, Style)> = parts.iter().copied().filter(|p| p.0 > 0).collect();
    bars::breakdown(buf, x, y, width, &nonzero, !theme.has_color());
    nonzero
}

/// Draws at (x, y) the one-cell look of segment `i` of a bar drawn from `parts`: the
/// bar widget itself draws it, so the legend cannot disagree with the bar.
fn swatch(buf: &mut Buffer, x: u16, y: u16, parts: &[(i64, Style)], i: usize, theme: Theme) {
    let only: Vec<(i64, Style)> = parts
        .iter()
        .enumerate()
        .map(|(j, &(_, s))| (i64::from(j == i), s))
        .collect();
    bars::breakdown(buf, x, y, 1, &only, !theme.has_color());
}

/// Draws a legend item's swatch at (x, y).
type Swatch<'a> = Box<dyn Fn(&mut Buffer, u16, u16) + 'a>;

/// A legend item: its swatch and its text.
type LegendItem<'a> = (Swatch<'a>, String);

/// Flows legend items (`swatch`, text) over the lines of `area`; returns the lines used.
fn legend(buf: &mut Buffer, area: Rect, items: &[LegendItem<'_>]) -> u16 {
    let (mut x, mut y) = (area.x, area.y);
    for (draw, text) in items {
        let w = 2 + text.width() as u16 + 2;
        if x > area.x && x + w > area.right() {
            x = area.x;
            y += 1;
        }
        if y >= area.bottom() {
            break;
        }
        draw(buf, x, y);
        let room = area.right().saturating_sub(x + 2) as usize;
        buf.set_string(x + 2, y, fit(text, room), Style::default());
        x += w;
    }
    if items.is_empty() { 0 } else { y - area.y + 1 }
}

/// Per-model figures of the groups table, computed once (per filter).
#[derive(Debug)]
struct Groups {
    /// The model they belong to (its address), to notice a new one.
    model: usize,
    /// The filter they follow (its address; 0 for none), to notice a change.
    filter: usize,
    /// The classic columns of each group (as `model.groups`).
    classic: Vec<[i64; 7]>,
    /// The members shown of each group (all, or those the filter keeps).
    sizes: Vec<usize>,
    /// Execution time of all goroutines.
    total_exec: i64,
    /// Display order of the groups.
    order: Vec<usize>,
}

/// The columns of the groups table.
const GROUP_COLS: usize = 4 + 7;

fn group_columns() -> Vec<Column> {
    let mut v = vec![
        Column::flex("Start function"),
        Column::num("Count", 6),
        Column::num("Share", 6),
        Column::text("Breakdown", 16),
    ];
    v.extend(CLASSIC_COLUMNS.iter().map(|c| Column::num(c, sized(c))));
    debug_assert_eq!(v.len(), GROUP_COLS);
    v
}

/// A column of the goroutines-of-a-group table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GCol {
    Id,
    Total,
    Bar,
    Exec,
    SchedWait,
    Syscall,
    SyscallBlock,
    /// Block time of one reason (an interned name of the summary).
    Block(u32),
    Unknown,
    /// Time in a range (overlaps the others).
    Range(u32),
}

/// One group's goroutines: values per goroutine and column, sorted through `order`.
#[derive(Debug)]
struct GroupPage {
    group: usize,
    /// The columns, the goroutine IDs first (as [`FIXED_GCOLS`], then the block reasons
    /// and ranges the group's goroutines have).
    cols: Vec<GCol>,
    columns: Vec<Column>,
    /// The values of each column (as `cols`), one per goroutine, by ascending ID.
    values: Vec<I64Column>,
    order: Vec<usize>,
    /// Distribution of each column over the group (`None` for the ID and the bar).
    dist: Vec<Option<Distribution>>,
    table: TableState,
}

impl GroupPage {
    /// The sum of column `col` over the page's goroutines.
    fn column_sum(&self, col: GCol) -> i64 {
        match self.cols.iter().position(|c| *c == col) {
            Some(c) => self.values[c].iter().sum(),
            None => 0,
        }
    }

    /// The page of group `group`, whose goroutines are `ids` (ascending).
    fn build(summary: &Summary, ids: &[i64], group: usize) -> GroupPage {
        GroupPage::build_on(summary, ids, group, parallelism(ids.len()))
    }

    /// [`GroupPage::build`] on `threads` threads.
    fn build_on(summary: &Summary, ids: &[i64], group: usize, threads: usize) -> GroupPage {
        let n = ids.len();
        // A group can hold 424,000 goroutines: their decoding is shared out over the
        // cores, each thread packing its rows' columns; the parts are then joined. The
        // columns are packed (`I64Column`): as plain vectors the largest group's page took
        // 27 MiB, the explorer's peak on the 200 MB benchmark trace.
        let chunk = n.div_ceil(threads.max(1)).max(1);
        let decode = |first: usize| decode_rows(summary, &ids[first..n.min(first + chunk)], first);
        let firsts: Vec<usize> = (0..n).step_by(chunk).collect();
        let parts: Vec<DecodedRows> = if firsts.len() <= 1 {
            firsts.into_iter().map(decode).collect()
        } else {
            std::thread::scope(|s| {
                let workers: Vec<_> = firsts
                    .into_iter()
                    .map(|first| s.spawn(move || decode(first)))
                    .collect();
                workers
                    .into_iter()
                    .map(|w| w.join().expect("decoding a group's goroutines"))
                    .collect()
            })
        };
        let mut by_col: Vec<(GCol, I64Column)> = FIXED_GCOLS
            .into_iter()
            .enumerate()
            .map(|(k, c)| {
                let joined = parts.iter().flat_map(|(cols, _)| cols[k].iter());
                (c, I64Column::from_values(joined))
            })
            .collect();
        // The few block reasons and ranges each goroutine has, in row order.
        let sparse: Vec<(usize, GCol, i64)> =
            parts.into_iter().flat_map(|(_, sparse)| sparse).collect();
        let mut reasons: Vec<u32> = Vec::new();
        let mut ranges: Vec<u32> = Vec::new();
        for &(_, c, _) in &sparse {
            match c {
                GCol::Block(k) if !reasons.contains(&k) => reasons.push(k),
                GCol::Range(k) if !ranges.contains(&k) => ranges.push(k),
                _ => {}
            }
        }
        reasons.sort_by(|a, b| summary.names.get(*a).cmp(summary.names.get(*b)));
        ranges.sort_by(|a, b| summary.names.get(*a).cmp(summary.names.get(*b)));
        let sparse_column = |c: GCol| {
            let mut col = I64Column::new();
            for &(row, _, d) in sparse.iter().filter(|x| x.1 == c) {
                while col.len() < row {
                    col.push(0);
                }
                // A goroutine has each reason and range once.
                col.push(d);
            }
            while col.len() < n {
                col.push(0);
            }
            col.seal();
            (c, col)
        };
        // The block reasons go before Unknown (the last fixed column), the ranges after.
        let unknown = by_col.pop().expect("the fixed columns");
        by_col.extend(reasons.iter().map(|&r| sparse_column(GCol::Block(r))));
        by_col.push(unknown);
        by_col.extend(ranges.iter().map(|&r| sparse_column(GCol::Range(r))));
        let (cols, values): (Vec<GCol>, Vec<I64Column>) = by_col.into_iter().unzip();
        let columns = cols.iter().map(|c| gcol_column(summary, *c)).collect();
        let dist = distributions(&cols, &values, threads);
        GroupPage {
            group,
            order: (0..n).collect(),
            cols,
            columns,
            values,
            dist,
            table: TableState::default(),
        }
    }

    fn sort(&mut self) {
        let values = &self.values;
        self.table
            .sort_rows_i64(&mut self.order, |r, c| values[c].get(r));
    }

    /// The goroutine of row `r` (the ID column is the first).
    fn id(&self, r: usize) -> i64 {
        self.values[0].get(r)
    }

    /// The goroutine of the selected row.
    fn selected(&self) -> Option<i64> {
        self.order.get(self.table.selected).map(|&r| self.id(r))
    }
}

/// The columns every goroutine has, in the group page's order (the block reasons and
/// ranges a group's goroutines have go around `Unknown`, the last).
const FIXED_GCOLS: [GCol; 8] = [
    GCol::Id,
    GCol::Total,
    GCol::Bar,
    GCol::Exec,
    GCol::SchedWait,
    GCol::Syscall,
    GCol::SyscallBlock,
    GCol::Unknown,
];

/// How many threads share work over `n` items: one below 50,000, where starting threads
/// costs more than it saves.
fn parallelism(n: usize) -> usize {
    if n < 50_000 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |p| p.get().min(8))
}

/// Some rows of a group page: their fixed columns, and their block reasons and ranges as
/// (row, column, value).
type DecodedRows = (Vec<I64Column>, Vec<(usize, GCol, i64)>);

/// Decodes goroutines `ids` (ascending, the rows from `first_row` on) in one pass: their
/// fixed columns (as [`FIXED_GCOLS`]), and the few block reasons and ranges each has, as
/// (row, column, value).
fn decode_rows(summary: &Summary, ids: &[i64], first_row: usize) -> DecodedRows {
    let mut cols: Vec<I64Column> = FIXED_GCOLS.iter().map(|_| I64Column::new()).collect();
    let mut sparse = Vec::new();
    for (row, (id, s)) in ids.iter().zip(summary.goroutines.stats_of(ids)).enumerate() {
        let s = s.expect("group member");
        for (c, col) in FIXED_GCOLS.iter().zip(cols.iter_mut()) {
            col.push(gcol_value(*id, &s, *c));
        }
        let row = first_row + row;
        sparse.extend(
            s.block_by_reason
                .iter()
                .map(|(k, d)| (row, GCol::Block(k), d)),
        );
        sparse.extend(s.range_time.iter().map(|(k, d)| (row, GCol::Range(k), d)));
    }
    (cols, sparse)
}

/// The distribution of each column over the group (`None` for the ID and the bar), the
/// columns shared out over `threads` threads.
fn distributions(cols: &[GCol], values: &[I64Column], threads: usize) -> Vec<Option<Distribution>> {
    let wanted: Vec<usize> = (0..cols.len())
        .filter(|&k| !matches!(cols[k], GCol::Id | GCol::Bar))
        .collect();
    // Column wanted[i] goes to thread i % threads, which unpacks each of its columns
    // into one reused copy for the selection to reorder; the results are put back in
    // column order.
    let threads = threads.clamp(1, wanted.len().max(1));
    let share = |t: usize| {
        let mut unpacked = Vec::new();
        wanted
            .iter()
            .skip(t)
            .step_by(threads)
            .map(|&k| {
                unpacked.clear();
                unpacked.extend(values[k].iter());
                (k, distribution(&mut unpacked))
            })
            .collect::<Vec<_>>()
    };
    let mut dist = vec![None; cols.len()];
    let shares: Vec<Vec<(usize, Distribution)>> = if threads == 1 {
        vec![share(0)]
    } else {
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads).map(|t| s.spawn(move || share(t))).collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("a group's distributions"))
                .collect()
        })
    };
    for (k, d) in shares.into_iter().flatten() {
        dist[k] = Some(d);
    }
    dist
}

/// A group's name as its page's title shows it.
fn group_title(name: &str) -> &str {
    if name.is_empty() {
        "(inactive, no stack trace sampled)"
    } else {
        name
    }
}

fn gcol_column(summary: &Summary, c: GCol) -> Column {
    let named = |s: String| Column::num(&s, sized(&s).min(19));
    match c {
        GCol::Id => Column::num("Goroutine", 9),
        GCol::Total => Column::num("Total", sized("Total")),
        GCol::Bar => Column::text("Breakdown", 16),
        GCol::Exec => Column::num("Execution", sized("Execution")),
        GCol::SchedWait => Column::num("Sched wait", sized("Sched wait")),
        GCol::Syscall => Column::num("Syscall", sized("Syscall")),
        GCol::SyscallBlock => Column::num("Syscall block", sized("Syscall block")),
        GCol::Block(r) => {
            let r = summary.names.get(r);
            named(format!("Block ({})", if r.is_empty() { "none" } else { r }))
        }
        GCol::Unknown => Column::num("Unknown", sized("Unknown")),
        GCol::Range(r) => named(summary.names.get(r).to_string()),
    }
}

/// The non-overlapping parts of a goroutine's time, as its breakdown bar shows them (the
/// columns of the group page before the ranges, which overlap them).
fn gparts(summary: &Summary, g: &GoroutineSummary, theme: Theme) -> Vec<(i64, Style)> {
    let s = &g.stats;
    let mut v = vec![
        (s.exec, theme.state(StateColor::Running)),
        (s.sched_wait, theme.state(StateColor::Runnable)),
        (s.syscall, theme.state(StateColor::Syscall)),
        (s.syscall_block, theme.state(StateColor::Syscall)),
    ];
    for (k, d) in s.block_by_reason.iter() {
        v.push((d, theme.state(StateColor::of_reason(summary.names.get(k)))));
    }
    v.push((s.unknown(), theme.dim()));
    v
}

fn gcol_value(id: i64, s: &crate::analysis::goroutines::ExecStats, c: GCol) -> i64 {
    match c {
        GCol::Id => id,
        GCol::Total => s.total,
        // Sorting by the bar sorts by the share of execution, in millionths.
        GCol::Bar => {
            let all = s.exec
                + s.sched_wait
                + s.syscall
                + s.syscall_block
                + s.unknown()
                + s.block_by_reason.iter().map(|(_, v)| v).sum::<i64>();
            if all > 0 {
                (s.exec as i128 * 1_000_000 / all as i128) as i64
            } else {
                0
            }
        }
        GCol::Exec => s.exec,
        GCol::SchedWait => s.sched_wait,
        GCol::Syscall => s.syscall,
        GCol::SyscallBlock => s.syscall_block,
        GCol::Block(r) => s.block_by_reason.get(r),
        GCol::Unknown => s.unknown(),
        GCol::Range(r) => s.range_time.get(r),
    }
}

/// What the state strip waits for, or shows.
type StatesResult = Result<Option<Arc<Lifetime>>, String>;

/// One goroutine's page.
#[derive(Debug)]
struct GoroutinePage {
    id: i64,
    regions: TableState,
    order: Vec<usize>,
}

/// Groups of at least this many goroutines are decoded in the background: a group of
/// 400,000 takes longer than a key press may (its page fills 30 MB of fresh memory).
const BACKGROUND_FROM: usize = 50_000;

/// A group's page being built in the background.
#[derive(Debug)]
struct PendingGroup {
    group: usize,
    members: usize,
    /// The goroutine whose row is selected once the page is in.
    select: Option<i64>,
    rx: Receiver<GroupPage>,
}

/// The goroutines tab's state.
#[derive(Debug, Default)]
pub struct GoroutinesView {
    groups: Option<Groups>,
    table: TableState,
    group: Option<GroupPage>,
    /// The group page on its way, shown as such until it is in.
    pending: Option<PendingGroup>,
    goroutine: Option<GoroutinePage>,
    /// State spans computed so far, by goroutine.
    states: FxHashMap<i64, StatesResult>,
    /// Background computations in flight.
    jobs: Vec<(i64, Receiver<StatesResult>)>,
}

impl GoroutinesView {
    /// Opens one goroutine's page (from another tab): its group's table is opened
    /// underneath with the goroutine selected, so that `Esc` leads there.
    pub fn open_goroutine(&mut self, g: i64, ctx: &Ctx<'_>) {
        self.ensure(ctx);
        let Some(gi) = ctx.model.group_of.get(g) else {
            return;
        };
        let gi = gi as usize;
        if let Some(groups) = &self.groups
            && let Some(pos) = groups.order.iter().position(|&i| i == gi)
        {
            self.table.selected = pos;
        }
        if let Some(pending) = self.pending.as_mut().filter(|p| p.group == gi) {
            pending.select = Some(g);
        } else if let Some(page) = self.group.take().filter(|p| p.group == gi) {
            self.show_group(page, Some(g));
        } else {
            self.open_group(ctx, gi, Some(g), BACKGROUND_FROM);
        }
        self.open_page(g, ctx);
    }

    /// Opens group `gi`'s page with goroutine `select`'s row selected: at once for a
    /// group smaller than `background_from`, else built on a thread of its own while
    /// the keys keep working.
    fn open_group(
        &mut self,
        ctx: &Ctx<'_>,
        gi: usize,
        select: Option<i64>,
        background_from: usize,
    ) {
        fn members<'a>(
            model: &'a Model,
            filter: Option<&'a crate::tui::filter::GoroutineFilter>,
            gi: usize,
        ) -> &'a [i64] {
            match filter {
                Some(f) => &f.members[gi],
                None => &model.groups[gi].goroutines,
            }
        }
        self.group = None;
        self.pending = None;
        let ids = members(ctx.model, ctx.filter.map(|f| &**f), gi);
        let n = ids.len();
        if n >= background_from {
            let (tx, rx) = std::sync::mpsc::channel();
            let model = Arc::clone(ctx.model);
            let filter = ctx.filter.cloned();
            let spawned = std::thread::Builder::new()
                .name("group page".into())
                .spawn(move || {
                    let ids = members(&model, filter.as_deref(), gi);
                    // The receiver is gone if the user went back meanwhile.
                    let _ = tx.send(GroupPage::build(&model.summary, ids, gi));
                });
            if spawned.is_ok() {
                self.pending = Some(PendingGroup {
                    group: gi,
                    members: n,
                    select,
                    rx,
                });
                return;
            }
            // No thread to be had: build it here, slower but whole.
        }
        let page = GroupPage::build(&ctx.model.summary, ids, gi);
        self.show_group(page, select);
    }

    /// Shows a group's page, with goroutine `select`'s row selected.
    fn show_group(&mut self, mut page: GroupPage, select: Option<i64>) {
        if let Some(g) = select
            && let Some(pos) = page.order.iter().position(|&r| page.id(r) == g)
        {
            page.table.selected = pos;
        }
        self.group = Some(page);
    }

    /// The goroutine whose page is open, else the one selected in a group's table.
    pub fn current_goroutine(&self) -> Option<i64> {
        self.goroutine
            .as_ref()
            .map(|p| p.id)
            .or_else(|| self.group.as_ref()?.selected())
    }

    fn open_page(&mut self, g: i64, ctx: &Ctx<'_>) {
        let n = ctx
            .model
            .summary
            .goroutines
            .get(&g)
            .map_or(0, |s| s.regions.len());
        self.goroutine = Some(GoroutinePage {
            id: g,
            regions: TableState::default(),
            order: (0..n).collect(),
        });
        self.request_states(g, ctx.file);
    }

    /// Starts computing the state spans of `g` in the background, unless known or under way.
    fn request_states(&mut self, g: i64, file: &SharedFile) {
        if self.states.contains_key(&g) || self.jobs.iter().any(|(id, _)| *id == g) {
            return;
        }
        let rx =
            crate::tui::model::in_background(file, "gstates", GStates::of([g]), move |states| {
                states.finish().remove(&g).map(Arc::new)
            });
        self.jobs.push((g, rx));
    }

    /// Computes the per-model figures if they are missing or stale.
    fn ensure(&mut self, ctx: &Ctx<'_>) {
        let key = std::sync::Arc::as_ptr(ctx.model) as usize;
        let fkey = ctx.filter.map_or(0, |f| Arc::as_ptr(f) as usize);
        if self
            .groups
            .as_ref()
            .is_some_and(|g| g.model == key && g.filter == fkey)
        {
            return;
        }
        // A filter keeps some members: their sums, and only the groups with members.
        let (classic, order, sizes) = match ctx.filter {
            Some(f) => (
                f.group_classic.clone(),
                (0..f.members.len())
                    .filter(|&i| !f.members[i].is_empty())
                    .collect(),
                f.members.iter().map(Vec::len).collect(),
            ),
            None => (
                ctx.model.group_classic.clone(),
                (0..ctx.model.groups.len()).collect(),
                ctx.model
                    .groups
                    .iter()
                    .map(|g| g.goroutines.len())
                    .collect(),
            ),
        };
        self.groups = Some(Groups {
            model: key,
            filter: fkey,
            total_exec: ctx.model.groups.iter().map(|g| g.exec).sum(),
            order,
            classic,
            sizes,
        });
        self.table = TableState::default();
        self.group = None;
        self.pending = None;
        self.goroutine = None;
    }

    fn sort_groups(&mut self, model: &Model) {
        let Some(groups) = &mut self.groups else {
            return;
        };
        let (classic, sizes) = (&groups.classic, &groups.sizes);
        self.table.sort_rows(&mut groups.order, |r, c| {
            group_key(model, classic, sizes, r, c)
        });
    }
}

/// The sort key of group `r` in column `c` of the groups table.
fn group_key<'a>(
    model: &'a Model,
    classic: &[[i64; 7]],
    sizes: &[usize],
    r: usize,
    c: usize,
) -> SortKey<'a> {
    let g = &model.groups[r];
    match c {
        0 => SortKey::Text(&g.name),
        1 => SortKey::Num(sizes[r] as i64),
        2 => SortKey::Num(classic[r][0]),
        // The bar: by the share of execution in the group's time.
        3 => {
            let sum: i64 = classic[r].iter().sum();
            SortKey::Num(if sum > 0 {
                (classic[r][0] as i128 * 1_000_000 / sum as i128) as i64
            } else {
                0
            })
        }
        c => SortKey::Num(classic[r][c - 4]),
    }
}

impl View for GoroutinesView {
    fn contexts(&self) -> &'static [Context] {
        &[Context::List, Context::Table]
    }

    fn update(&mut self, action: Action, ctx: &Ctx<'_>) -> Effect {
        self.ensure(ctx);
        let model = ctx.model;
        if let Some(page) = &mut self.goroutine {
            match action {
                Action::Back => self.goroutine = None,
                Action::Enter => {
                    let (t0, t1) = model.time_range();
                    let Some(g) = model.summary.goroutines.get(&page.id) else {
                        return Effect::None;
                    };
                    let from = g.creation_time.max(t0);
                    let to = if g.end_time != 0 { g.end_time } else { t1 };
                    return Effect::ShowTime {
                        from,
                        to,
                        goroutine: Some(page.id),
                    };
                }
                a => {
                    if page.regions.update(a, page.order.len(), REGION_COLS)
                        && a == Action::Sort
                        && let Some(g) = model.summary.goroutines.get(&page.id)
                    {
                        let t0 = model.time_range().0;
                        page.regions
                            .sort_rows(&mut page.order, |r, c| region_key(&g, t0, r, c));
                    }
                }
            }
            return Effect::None;
        }
        if let Some(pending) = &self.pending {
            // Until the page is in, only going back (or elsewhere) means anything.
            match action {
                Action::Back => self.pending = None,
                Action::ShowGroupRows => return Effect::ShowGroupRows(pending.group as u32),
                _ => {}
            }
            return Effect::None;
        }
        if let Some(page) = &mut self.group {
            match action {
                Action::Back => self.group = None,
                Action::ShowGroupRows => return Effect::ShowGroupRows(page.group as u32),
                Action::Enter => {
                    if let Some(g) = page.selected() {
                        self.open_page(g, ctx);
                    }
                }
                a => {
                    if page.table.update(a, page.order.len(), page.cols.len()) && a == Action::Sort
                    {
                        page.sort();
                    }
                }
            }
            return Effect::None;
        }
        let n = self.groups.as_ref().map_or(0, |g| g.order.len());
        match action {
            // Nothing to go back to: the app may use Esc (to clear the filter).
            Action::Back => return Effect::Unused,
            Action::ShowGroupRows => {
                if let Some(&gi) = self
                    .groups
                    .as_ref()
                    .and_then(|g| g.order.get(self.table.selected))
                {
                    return Effect::ShowGroupRows(gi as u32);
                }
            }
            Action::Enter => {
                if let Some(&gi) = self
                    .groups
                    .as_ref()
                    .and_then(|g| g.order.get(self.table.selected))
                {
                    self.open_group(ctx, gi, None, BACKGROUND_FROM);
                }
            }
            a => {
                if self.table.update(a, n, GROUP_COLS) && a == Action::Sort {
                    self.sort_groups(model);
                }
            }
        }
        Effect::None
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        self.ensure(ctx);
        if area.height == 0 || area.width == 0 {
            return;
        }
        if self.goroutine.is_some() {
            self.render_goroutine(area, buf, ctx);
        } else if self.group.is_some() {
            self.render_group(area, buf, ctx);
        } else if self.pending.is_some() {
            self.render_pending(area, buf, ctx);
        } else {
            self.render_groups(area, buf, ctx);
        }
    }

    fn tick(&mut self, _ctx: &Ctx<'_>) -> bool {
        let mut changed = false;
        if let Some(pending) = &self.pending {
            match pending.rx.try_recv() {
                Ok(page) => {
                    let select = pending.select;
                    self.pending = None;
                    self.show_group(page, select);
                    changed = true;
                }
                Err(TryRecvError::Empty) => {}
                // The builder died (a bug): back to the groups, rather than wait forever.
                Err(TryRecvError::Disconnected) => {
                    self.pending = None;
                    changed = true;
                }
            }
        }
        let states = &mut self.states;
        self.jobs.retain(|(g, rx)| match rx.try_recv() {
            Ok(r) => {
                states.insert(*g, r);
                changed = true;
                false
            }
            Err(TryRecvError::Empty) => true,
            Err(TryRecvError::Disconnected) => {
                states.insert(*g, Err("the state computation stopped".into()));
                changed = true;
                false
            }
        });
        changed
    }

    fn busy(&self) -> bool {
        !self.jobs.is_empty() || self.pending.is_some()
    }
}

/// Columns of the regions table on a goroutine's page.
const REGION_COLS: usize = 7;

fn region_columns() -> Vec<Column> {
    vec![
        Column::num("Task", 6),
        Column::num("Start", 9),
        Column::num("Duration", 9),
        Column::num("Execution", sized("Execution")),
        Column::num("Sched wait", sized("Sched wait")),
        Column::num("Blocked", 10),
        Column::flex("Region"),
    ]
}

fn region_key<'a>(g: &'a GoroutineSummary, t0: i64, r: usize, c: usize) -> SortKey<'a> {
    let reg = &g.regions[r];
    match c {
        0 => SortKey::Num(reg.task as i64),
        1 => SortKey::Num(reg.start.map_or(i64::MIN, |e| e.time - t0)),
        2 => SortKey::Num(reg.stats.total),
        3 => SortKey::Num(reg.stats.exec),
        4 => SortKey::Num(reg.stats.sched_wait),
        5 => SortKey::Num(reg.stats.block_by_reason.iter().map(|(_, v)| v).sum()),
        _ => SortKey::Text(&reg.name),
    }
}

/// A header line: `text` in the header style, cut to the width.
fn heading(buf: &mut Buffer, area: Rect, y: u16, text: &str, style: Style) {
    if y < area.bottom() {
        buf.set_string(area.x, y, fit(text, area.width as usize), style);
    }
}

impl GoroutinesView {
    fn render_groups(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let model = ctx.model;
        let Some(groups) = &self.groups else { return };
        // The selected group's details below the table: its name and every column.
        let detail_h = if area.height >= 12 { 3 } else { 0 };
        let table_area = Rect {
            height: area.height - detail_h,
            ..area
        };
        let columns = group_columns();
        let styles = classic_styles(theme);
        let placed = render_table(
            table_area,
            buf,
            theme,
            &columns,
            1,
            24,
            groups.order.len(),
            &mut self.table,
            |r, c| {
                let gi = groups.order[r];
                let g = &model.groups[gi];
                match c {
                    0 if g.name.is_empty() => "(inactive, no stack trace sampled)".into(),
                    0 => g.name.clone(),
                    1 => groups.sizes[gi].to_string(),
                    2 => pct(groups.classic[gi][0], groups.total_exec),
                    3 => String::new(),
                    c => d(groups.classic[gi][c - 4]),
                }
            },
        );
        // Colour the names by group and draw the bars over their empty cells.
        let visible = (table_area.height as usize).saturating_sub(1);
        for r in 0..visible.min(groups.order.len().saturating_sub(self.table.offset)) {
            let row = self.table.offset + r;
            let gi = groups.order[row];
            let y = table_area.y + 1 + r as u16;
            for &(c, x, w) in &placed {
                if c == 0 && row != self.table.selected && theme.has_color() {
                    buf.set_style(Rect::new(x, y, w, 1), theme.group(gi as u32));
                }
                if c == 3 {
                    let parts: Vec<(i64, Style)> =
                        groups.classic[gi].iter().copied().zip(styles).collect();
                    bar(buf, x, y, w, &parts, theme);
                }
            }
        }
        if detail_h == 0 {
            return;
        }
        let Some(&gi) = groups.order.get(self.table.selected) else {
            return;
        };
        let g = &model.groups[gi];
        let y = table_area.bottom();
        let name = if g.name.is_empty() {
            "(inactive, no stack trace sampled)"
        } else {
            &g.name
        };
        let line = format!(
            "{name}  —  {}, {} of all execution",
            count(groups.sizes[gi], "goroutine"),
            pct(groups.classic[gi][0], groups.total_exec)
        );
        heading(buf, area, y, &line, theme.header());
        let parts: Vec<(i64, Style)> = groups.classic[gi].iter().copied().zip(styles).collect();
        let drawn: Vec<(i64, Style)> = parts.iter().copied().filter(|p| p.0 > 0).collect();
        let items: Vec<LegendItem<'_>> = CLASSIC_COLUMNS
            .iter()
            .zip(parts.iter())
            .filter(|(_, p)| p.0 > 0)
            .enumerate()
            .map(|(j, (name, p))| {
                let drawn = drawn.clone();
                let f: Swatch<'_> =
                    Box::new(move |buf: &mut Buffer, x, y| swatch(buf, x, y, &drawn, j, theme));
                (f, format!("{name} {}", dur(p.0)))
            })
            .collect();
        if items.is_empty() {
            heading(buf, area, y + 1, "no time recorded", theme.dim());
        } else {
            legend(buf, Rect::new(area.x, y + 1, area.width, 2), &items);
        }
    }

    /// A group's page on its way: its name and size, and that it is being decoded.
    fn render_pending(&self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let Some(pending) = &self.pending else { return };
        let name = group_title(&ctx.model.groups[pending.group].name);
        heading(
            buf,
            area,
            area.y,
            &format!("{name}  —  {}", count(pending.members, "goroutine")),
            ctx.theme.header(),
        );
        if area.height > 2 {
            buf.set_stringn(
                area.x + 1,
                area.y + 2,
                "decoding the goroutines' columns…",
                area.width.saturating_sub(1) as usize,
                ctx.theme.dim(),
            );
        }
    }

    fn render_group(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let model = ctx.model;
        let summary = &model.summary;
        let Some(page) = &mut self.group else { return };
        let name = group_title(&model.groups[page.group].name);
        heading(
            buf,
            area,
            area.y,
            &format!(
                "{name}  —  {}, execution {}",
                count(page.order.len(), "goroutine"),
                dur(page.column_sum(GCol::Exec))
            ),
            theme.header(),
        );
        // The distribution rows go under the table when there is room for both.
        let dist_h: u16 = if area.height >= 14 { 7 } else { 0 };
        let table_area = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1 + dist_h),
            ..area
        };
        let (values, order, cols) = (&page.values, &page.order, &page.cols);
        let placed = render_table(
            table_area,
            buf,
            theme,
            &page.columns,
            1,
            9,
            order.len(),
            &mut page.table,
            |r, c| {
                let row = order[r];
                let v = values[c].get(row);
                match cols[c] {
                    GCol::Id => v.to_string(),
                    GCol::Bar => String::new(),
                    _ => d(v),
                }
            },
        );
        let bar_col = page.cols.iter().position(|c| *c == GCol::Bar);
        let visible = (table_area.height as usize).saturating_sub(1);
        for r in 0..visible.min(order.len().saturating_sub(page.table.offset)) {
            let row = order[page.table.offset + r];
            let y = table_area.y + 1 + r as u16;
            if let Some(&(_, x, w)) = placed.iter().find(|p| Some(p.0) == bar_col)
                && let Some(gs) = summary.goroutines.brief(&values[0].get(row))
            {
                bar(buf, x, y, w, &gparts(summary, &gs, theme), theme);
            }
        }
        if dist_h == 0 {
            return;
        }
        let y0 = table_area.bottom();
        heading(
            buf,
            area,
            y0,
            &format!("distribution over the {} goroutines", order.len()),
            theme.dim(),
        );
        let labels = ["min", "mean", "p50", "p90", "p99", "max"];
        for (i, label) in labels.iter().enumerate() {
            let y = y0 + 1 + i as u16;
            if y >= area.bottom() {
                break;
            }
            for &(c, x, w) in &placed {
                let text = match (&page.dist[c], page.cols[c]) {
                    (_, GCol::Id) => label.to_string(),
                    (Some(x), _) => d([x.min, x.mean, x.p50, x.p90, x.p99, x.max][i]),
                    (None, _) => String::new(),
                };
                let style = if c == 0 {
                    theme.dim()
                } else {
                    Style::default()
                };
                buf.set_stringn(
                    x,
                    y,
                    crate::tui::format::pad(&text, w as usize, page.columns[c].right),
                    w as usize,
                    style,
                );
            }
        }
    }

    fn render_goroutine(&mut self, area: Rect, buf: &mut Buffer, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let model = ctx.model;
        let summary = &model.summary;
        let Some(page) = &mut self.goroutine else {
            return;
        };
        let Some(g) = summary.goroutines.get(&page.id) else {
            heading(
                buf,
                area,
                area.y,
                &format!("no goroutine {}", page.id),
                theme.warn(),
            );
            return;
        };
        let (t0, t1) = model.time_range();
        let rel = |t: i64| dur(t - t0);
        let mut y = area.y;
        let name = if g.name.is_empty() {
            "(no start function known)"
        } else {
            &g.name
        };
        heading(buf, area, y, &format!("G{}  {name}", g.id), theme.header());
        y += 1;
        // Times, relative to the first event of the trace.
        let states = self.states.get(&g.id);
        let life = match states {
            Some(Ok(Some(l))) => Some(l.clone()),
            _ => None,
        };
        let created = match &life {
            Some(l) if l.created_in_trace && l.creator >= 0 => {
                format!("created {} by G{}", rel(g.creation_time), l.creator)
            }
            Some(l) if !l.created_in_trace => {
                format!("existed at {} (before the trace)", rel(g.creation_time))
            }
            _ => format!("created {}", rel(g.creation_time)),
        };
        let started = if g.start_time != 0 {
            format!("started {}", rel(g.start_time))
        } else {
            "never ran".into()
        };
        let ended = if g.end_time != 0 {
            format!("ended {}", rel(g.end_time))
        } else {
            "alive at the end".into()
        };
        heading(
            buf,
            area,
            y,
            &format!(
                "{created}  ·  {started}  ·  {ended}  ·  total {}",
                dur(g.stats.total)
            ),
            Style::default(),
        );
        y += 1;
        // The state strip over the goroutine's life.
        let from = g.creation_time.max(t0);
        let to = if g.end_time != 0 { g.end_time } else { t1 };
        if y < area.bottom() {
            match states {
                None => heading(buf, area, y, "states: computing…", theme.dim()),
                Some(Err(e)) => heading(buf, area, y, &format!("states: {e}"), theme.warn()),
                Some(Ok(None)) => heading(buf, area, y, "states: none recorded", theme.dim()),
                Some(Ok(Some(l))) => {
                    strip(buf, Rect::new(area.x, y, area.width, 1), l, from, to, theme);
                }
            }
            y += 1;
        }
        if y < area.bottom() {
            let (a, b) = (rel(from), rel(to));
            buf.set_string(area.x, y, &a, theme.dim());
            let bx = area.right().saturating_sub(b.width() as u16);
            if bx > area.x + a.width() as u16 + 1 {
                buf.set_string(bx, y, &b, theme.dim());
            }
            y += 1;
        }
        if let Some(l) = &life
            && y < area.bottom()
        {
            y += legend(
                buf,
                Rect::new(area.x, y, area.width, 3.min(area.bottom() - y)),
                &state_legend(l, theme),
            );
        }
        // Every column of the goroutine page, two to four a line.
        let mut cells: Vec<(String, String)> = vec![
            ("Execution".into(), d(g.stats.exec)),
            ("Sched wait".into(), d(g.stats.sched_wait)),
            ("Syscall".into(), d(g.stats.syscall)),
            ("Syscall block".into(), d(g.stats.syscall_block)),
        ];
        for (k, v) in g.stats.block_by_reason.iter() {
            let r = summary.names.get(k);
            cells.push((
                format!("Block ({})", if r.is_empty() { "none" } else { r }),
                d(v),
            ));
        }
        cells.push(("Unknown".into(), d(g.stats.unknown())));
        for (k, v) in g.stats.range_time.iter() {
            cells.push((summary.names.get(k).to_string(), d(v)));
        }
        let cell_w: u16 = 38;
        let per_line = (area.width / cell_w).max(1) as usize;
        for chunk in cells.chunks(per_line) {
            if y >= area.bottom() {
                break;
            }
            let mut x = area.x;
            for (k, v) in chunk {
                let label = fit(k, cell_w as usize - 12);
                buf.set_string(x, y, &label, theme.dim());
                let vx = x + cell_w - 3 - v.width() as u16;
                buf.set_string(vx, y, v, Style::default());
                x += cell_w;
            }
            y += 1;
        }
        // Where it starts (its start function's entry), then where it was created (the
        // `go` statement), as far as room allows.
        let regions_min: u16 = if g.regions.is_empty() { 1 } else { 4 };
        if let Some(l) = &life
            && let Some(f) = l.start_stack.first()
            && y + regions_min < area.bottom()
        {
            let text = format!("starts in {} {}:{}", f.func, f.file, f.line);
            heading(buf, area, y, &text, Style::default());
            y += 1;
        }
        if let Some(l) = &life
            && !l.creation_stack.is_empty()
        {
            let room = area.bottom().saturating_sub(y + regions_min + 1);
            if room >= 1 {
                heading(buf, area, y, "created at:", theme.dim());
                y += 1;
                y += frames(
                    buf,
                    Rect::new(area.x, y, area.width, room),
                    &l.creation_stack,
                );
            }
        }
        if y >= area.bottom() {
            return;
        }
        let rest = Rect::new(area.x, y, area.width, area.bottom() - y);
        if g.regions.is_empty() {
            heading(buf, area, rest.y, "no regions", theme.dim());
            return;
        }
        let order = &page.order;
        render_table(
            rest,
            buf,
            theme,
            &region_columns(),
            0,
            16,
            order.len(),
            &mut page.regions,
            |r, c| {
                let reg = &g.regions[order[r]];
                match c {
                    0 => reg.task.to_string(),
                    1 => reg.start.map_or("-".into(), |e| rel(e.time)),
                    2 => d(reg.stats.total),
                    3 => d(reg.stats.exec),
                    4 => d(reg.stats.sched_wait),
                    5 => d(reg.stats.block_by_reason.iter().map(|(_, v)| v).sum()),
                    _ if reg.name.is_empty() => "(task inherited)".into(),
                    _ => reg.name.to_string(),
                }
            },
        );
    }
}

/// Stack frames, innermost first, one a line (`func file:line`); returns the lines used.
fn frames(buf: &mut Buffer, area: Rect, stack: &[Frame]) -> u16 {
    let mut n = 0;
    for (i, f) in stack.iter().enumerate() {
        if n >= area.height {
            break;
        }
        let y = area.y + n;
        let more = stack.len() - i - 1;
        let text = if n + 1 == area.height && more > 0 {
            format!("  … {} more frames", more + 1)
        } else {
            format!("  {} {}:{}", f.func, f.file, f.line)
        };
        buf.set_string(area.x, y, fit(&text, area.width as usize), Style::default());
        n += 1;
    }
    n
}

/// The legend of a state strip: each state's glyph, name and total time.
fn state_legend(l: &Lifetime, theme: Theme) -> Vec<LegendItem<'_>> {
    let mut seen: Vec<State> = Vec::new();
    for s in l.spans.iter() {
        if !seen.contains(&s.state) {
            seen.push(s.state);
        }
    }
    seen.sort_by_key(|s| match s {
        State::Running => (0, ""),
        State::Runnable => (1, ""),
        State::Syscall => (2, ""),
        State::SyscallBlocked => (3, ""),
        State::Waiting(r) => (4, r.text()),
    });
    seen.into_iter()
        .map(|s| {
            let c = StateColor::of_state(&s);
            let f: Swatch<'_> = Box::new(move |buf: &mut Buffer, x, y| {
                let glyph = if theme.has_color() {
                    '█'
                } else {
                    state_glyph(c)
                };
                buf[(x, y)].set_char(glyph).set_style(theme.state(c));
            });
            (f, format!("{} {}", s.name(), dur(l.total(|x| *x == s))))
        })
        .collect()
}

/// Draws a goroutine's states over `[from, to]` in one row: each cell shows the state
/// that took most of its time (running, then the others, breaks ties).
fn strip(buf: &mut Buffer, area: Rect, l: &Lifetime, from: i64, to: i64, theme: Theme) {
    let w = area.width as i64;
    if w == 0 || to <= from {
        return;
    }
    let span_len = to - from;
    let mut i = 0;
    for cell in 0..w {
        let a = from + (span_len as i128 * cell as i128 / w as i128) as i64;
        let b = from + (span_len as i128 * (cell + 1) as i128 / w as i128) as i64;
        // Time per colour family in [a, b).
        let mut acc = [0i64; 6];
        while i < l.spans.len() && l.spans.end(i) <= a {
            i += 1;
        }
        let mut j = i;
        while j < l.spans.len() && l.spans.start(j) < b.max(a + 1) {
            if let Some(s) = l.spans.get(j) {
                let overlap = s.end.min(b.max(a + 1)) - s.start.max(a);
                if overlap > 0 {
                    acc[color_index(StateColor::of_state(&s.state))] += overlap;
                }
            }
            j += 1;
        }
        let best = (0..6)
            .max_by_key(|&k| (acc[k], std::cmp::Reverse(k)))
            .filter(|&k| acc[k] > 0);
        let x = area.x + cell as u16;
        match best {
            Some(k) => {
                let c = COLORS[k];
                let glyph = if theme.has_color() {
                    '█'
                } else {
                    state_glyph(c)
                };
                buf[(x, area.y)].set_char(glyph).set_style(theme.state(c));
            }
            None => {
                buf[(x, area.y)].set_char(' ');
            }
        }
    }
}

/// The colour families, in a fixed order (ties in a strip cell go to the earlier one).
const COLORS: [StateColor; 6] = StateColor::ALL;

fn color_index(c: StateColor) -> usize {
    COLORS
        .iter()
        .position(|&x| x == c)
        .unwrap_or(COLORS.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<Column> {
        let mut v = vec![Column::flex("name")];
        v.extend((0..8).map(|i| Column::num(&format!("c{i}"), 10)));
        v
    }

    fn width_of(p: &Placed) -> u16 {
        p.last().map_or(0, |&(_, x, w)| x + w)
    }

    #[test]
    fn everything_fits_on_a_wide_screen_and_the_flexible_column_takes_the_rest() {
        let p = fit_columns(&cols(), 1, 0, 200, 20);
        assert_eq!(p.len(), 9);
        assert_eq!(width_of(&p), 200);
        assert_eq!(p[0], (0, 0, 200 - 8 * 11));
    }

    #[test]
    fn a_narrow_screen_scrolls_the_columns_to_the_cursor() {
        for cursor in 0..9 {
            let p = fit_columns(&cols(), 1, cursor, 80, 20);
            assert_eq!(p[0].0, 0, "the frozen column stays");
            assert!(
                p.iter().any(|c| c.0 == cursor),
                "cursor {cursor} shown: {p:?}"
            );
            assert!(width_of(&p) <= 80);
            // Columns stay in order and do not overlap.
            for w in p.windows(2) {
                assert!(w[0].0 < w[1].0 && w[0].1 + w[0].2 < w[1].1);
            }
        }
        // Near the left, the window starts right after the frozen column.
        assert_eq!(fit_columns(&cols(), 1, 2, 80, 20)[1].0, 1);
    }

    #[test]
    fn the_strip_shows_the_state_that_took_most_of_each_cell() {
        let life = Lifetime {
            spans: Spans::from_spans([
                Span {
                    start: 0,
                    end: 30,
                    state: State::Running,
                },
                Span {
                    start: 30,
                    end: 40,
                    state: State::Runnable,
                },
                Span {
                    start: 40,
                    end: 100,
                    state: State::Waiting(crate::analysis::gstates::Reason::new("chan receive")),
                },
            ]),
            ..Lifetime::default()
        };
        let theme = Theme::new(crate::tui::theme::Palette::Mono);
        let area = Rect::new(0, 0, 10, 1);
        let mut buf = Buffer::empty(area);
        strip(&mut buf, area, &life, 0, 100, theme);
        let s: String = (0..10).map(|x| buf[(x, 0)].symbol().to_string()).collect();
        assert_eq!(s, "███▒░░░░░░");
        // [25, 50): runnable and blocked 10 each, running 5: a tie goes to the state
        // listed first (runnable).
        let area = Rect::new(0, 0, 4, 1);
        let mut buf = Buffer::empty(area);
        strip(&mut buf, area, &life, 0, 100, theme);
        let s: String = (0..4).map(|x| buf[(x, 0)].symbol().to_string()).collect();
        assert_eq!(s, "█▒░░");
    }

    /// What the app lends its views, on committed trace `name` (of Go 1.26).
    fn shared(name: &str) -> super::super::Shared {
        use crate::tui::model::{Facts, Progress, TraceFile};
        let path = format!(
            "{}/testdata/traces/go126/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).expect("a committed trace");
        let version = crate::trace::reader::read_header(&bytes).expect("its header");
        let facts = Facts::from_header(name.into(), bytes.len() as u64, version);
        let file = Arc::new(TraceFile {
            source: crate::trace::Source::Owned(bytes),
            path: path.into(),
        });
        let model = Model::build(&file, &Progress::default()).expect("the analyses");
        super::super::Shared {
            model: Arc::new(model),
            facts: Arc::new(facts),
            theme: Theme::new(crate::tui::theme::Palette::Xterm256),
            file,
            filter: None,
        }
    }

    /// The group with the most goroutines.
    fn largest_group(model: &Model) -> usize {
        (0..model.groups.len())
            .max_by_key(|&g| model.groups[g].goroutines.len())
            .expect("groups")
    }

    fn screen(view: &mut GoroutinesView, ctx: &Ctx<'_>) -> String {
        let area = Rect::new(0, 0, 120, 30);
        let mut buf = Buffer::empty(area);
        view.render(area, &mut buf, ctx);
        (0..area.height)
            .map(|y| {
                let line: String = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
                line.trim_end().to_string() + "\n"
            })
            .collect()
    }

    #[test]
    fn a_group_page_is_the_same_decoded_on_one_thread_or_several() {
        for trace in ["stress.trace", "http.trace", "mutex.trace"] {
            let shared = shared(trace);
            let model = &shared.model;
            for gi in 0..model.groups.len() {
                let ids = &model.groups[gi].goroutines;
                let one = GroupPage::build_on(&model.summary, ids, gi, 1);
                for threads in [2, 3, 7] {
                    let several = GroupPage::build_on(&model.summary, ids, gi, threads);
                    assert_eq!(
                        format!("{several:?}"),
                        format!("{one:?}"),
                        "{trace}, group {gi}, {threads} threads"
                    );
                }
            }
        }
    }

    #[test]
    fn a_large_group_page_comes_from_the_background_as_it_would_at_once() {
        let shared = shared("stress.trace");
        let ctx = shared.ctx();
        let gi = largest_group(ctx.model);
        let last = *ctx.model.groups[gi].goroutines.last().expect("members");
        let mut at_once = GoroutinesView::default();
        at_once.ensure(&ctx);
        at_once.open_group(&ctx, gi, Some(last), usize::MAX);
        assert!(at_once.group.is_some() && !at_once.busy());

        let mut later = GoroutinesView::default();
        later.ensure(&ctx);
        later.open_group(&ctx, gi, Some(last), 0);
        assert!(
            later.group.is_none() && later.busy(),
            "built in the background"
        );
        let waiting = screen(&mut later, &ctx);
        let members = ctx.model.groups[gi].goroutines.len();
        assert!(
            waiting.contains(&count(members, "goroutine"))
                && waiting.contains("decoding the goroutines"),
            "{waiting}"
        );
        // Keys other than Esc wait for the page.
        assert_eq!(later.update(Action::Down, &ctx), Effect::None);
        let t = std::time::Instant::now();
        while later.busy() && t.elapsed() < std::time::Duration::from_secs(60) {
            later.tick(&ctx);
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert!(!later.busy());
        // The same page, with the same row (the goroutine asked for) selected.
        assert_eq!(format!("{:?}", later.group), format!("{:?}", at_once.group));
        assert_eq!(later.current_goroutine(), Some(last));
        assert_eq!(screen(&mut later, &ctx), screen(&mut at_once, &ctx));
    }

    #[test]
    fn esc_while_a_group_page_decodes_goes_back_to_the_groups() {
        let shared = shared("stress.trace");
        let ctx = shared.ctx();
        let mut view = GoroutinesView::default();
        let groups = screen(&mut view, &ctx);
        view.open_group(&ctx, largest_group(ctx.model), None, 0);
        assert!(view.busy());
        assert_eq!(view.update(Action::Back, &ctx), Effect::None);
        assert!(!view.busy() && view.group.is_none());
        assert_eq!(screen(&mut view, &ctx), groups);
        // The page that arrives later is not shown.
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(!view.tick(&ctx));
        assert_eq!(screen(&mut view, &ctx), groups);
    }

    #[test]
    fn sort_keys_order_numbers_and_text() {
        assert!(SortKey::Num(1) < SortKey::Num(2));
        assert!(SortKey::Text("a") < SortKey::Text("b"));
    }
}
