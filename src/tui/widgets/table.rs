//! A scrolling table that builds only its visible rows, with a column cursor and
//! sorting by the column under it: the goroutine, task, region and profile lists.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use crate::tui::action::Action;
use crate::tui::format::pad;
use crate::tui::theme::Theme;

/// A column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Header text.
    pub title: String,
    /// Width in cells; 0 = take what the fixed columns leave (at least 12).
    pub width: u16,
    /// Right-aligned (numbers).
    pub right: bool,
}

impl Column {
    /// A left-aligned column taking the remaining width.
    pub fn flex(title: &str) -> Column {
        Column {
            title: title.into(),
            width: 0,
            right: false,
        }
    }

    /// A right-aligned column of fixed width.
    pub fn num(title: &str, width: u16) -> Column {
        Column {
            title: title.into(),
            width,
            right: true,
        }
    }

    /// A left-aligned column of fixed width.
    pub fn text(title: &str, width: u16) -> Column {
        Column {
            title: title.into(),
            width,
            right: false,
        }
    }
}

/// Selection, scroll position, column cursor and sort order of a table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableState {
    /// Selected row (index into the view's row order).
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    /// Column under the cursor.
    pub column: usize,
    /// Sort column and whether ascending; `None` keeps the view's natural order.
    pub sort: Option<(usize, bool)>,
    /// Rows shown at the last draw (a page).
    pub page: usize,
}

impl TableState {
    /// Applies a movement or sort action for a table of `len` rows and `cols` columns;
    /// returns whether the action was one of the table's. After [`Action::Sort`] the
    /// caller re-sorts its rows by [`TableState::sort`].
    pub fn update(&mut self, action: Action, len: usize, cols: usize) -> bool {
        let last = len.saturating_sub(1);
        let page = self.page.max(1);
        match action {
            Action::Up | Action::ScrollUp => self.selected = self.selected.saturating_sub(1),
            Action::Down | Action::ScrollDown => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = last,
            Action::Left => self.column = self.column.saturating_sub(1),
            Action::Right => self.column = (self.column + 1).min(cols.saturating_sub(1)),
            Action::Sort => {
                self.sort = match self.sort {
                    // Numbers are most useful largest first; a second press reverses.
                    Some((c, asc)) if c == self.column => Some((c, !asc)),
                    _ => Some((self.column, self.column == 0)),
                };
                self.selected = 0;
            }
            _ => return false,
        }
        true
    }

    /// Sorts `order` (row indexes) by the sort column, with `key(row, column)`.
    pub fn sort_rows<K: Ord>(&self, order: &mut [usize], key: impl Fn(usize, usize) -> K) {
        if let Some((c, asc)) = self.sort {
            order.sort_by(|&a, &b| {
                let o = key(a, c).cmp(&key(b, c));
                if asc { o } else { o.reverse() }
            });
        }
    }

    /// As [`TableState::sort_rows`], reading each row's key once: for keys that cost a
    /// decoding (a packed row), where a comparison sort would read each twenty times.
    pub fn sort_rows_cached<K: Ord>(&self, order: &mut [usize], key: impl Fn(usize, usize) -> K) {
        match self.sort {
            Some((c, true)) => order.sort_by_cached_key(|&r| key(r, c)),
            Some((c, false)) => order.sort_by_cached_key(|&r| std::cmp::Reverse(key(r, c))),
            None => {}
        }
    }

    /// As [`TableState::sort_rows_cached`] for `i64` keys, holding 8 bytes a row while it
    /// sorts, not 16: each row's key (less the smallest, or from the largest when
    /// descending) and its position in `order` packed in one `u64`, when they fit (keys
    /// spread under 2^(64 - bits of a position), as times and counts do); otherwise as
    /// [`TableState::sort_rows_cached`]. The largest goroutine group's page (394,240
    /// rows) held 6 MiB more for its sort with 16.
    pub fn sort_rows_i64(&self, order: &mut [usize], key: impl Fn(usize, usize) -> i64) {
        let Some((c, ascending)) = self.sort else {
            return;
        };
        let bits = u64::BITS - (order.len().max(1) as u64 - 1).leading_zeros();
        let (lo, hi) = order.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &r| {
            let k = key(r, c);
            (lo.min(k), hi.max(k))
        });
        let spread = i128::from(hi) - i128::from(lo);
        if bits >= u64::BITS || spread >= 1i128 << (u64::BITS - bits) {
            return self.sort_rows_cached(order, key);
        }
        let mut packed: Vec<u64> = order
            .iter()
            .enumerate()
            .map(|(at, &r)| {
                let k = i128::from(key(r, c));
                let d = if ascending {
                    k - i128::from(lo)
                } else {
                    i128::from(hi) - k
                };
                // In range: `d` is at most `spread`, checked above.
                ((d as u64) << bits) | at as u64
            })
            .collect();
        // Equal keys sort by their position: the sort is stable.
        packed.sort_unstable();
        let mask = (1u64 << bits) - 1;
        for p in &mut packed {
            *p = order[(*p & mask) as usize] as u64;
        }
        for (o, p) in order.iter_mut().zip(packed) {
            *o = p as usize;
        }
    }
}

/// Draws the table: a header and the visible rows, asking `cell(row, column)` only for
/// those. `row_style(row)` colours a whole row (the selection is drawn over it).
pub fn render(
    area: Rect,
    buf: &mut Buffer,
    theme: Theme,
    columns: &[Column],
    len: usize,
    state: &mut TableState,
    cell: impl Fn(usize, usize) -> String,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let widths = widths(columns, area.width);
    // Header.
    let mut x = area.x;
    for (i, (c, &w)) in columns.iter().zip(&widths).enumerate() {
        let mut title = c.title.clone();
        if let Some((s, asc)) = state.sort
            && s == i
        {
            title.push(if asc { '▲' } else { '▼' });
        }
        let mut style = theme.header();
        if i == state.column {
            style = style.add_modifier(Modifier::UNDERLINED);
        }
        buf.set_stringn(
            x,
            area.y,
            pad(&title, w as usize, c.right),
            w as usize,
            style,
        );
        x += w + 1;
    }
    let body = area.height.saturating_sub(1) as usize;
    state.page = body;
    state.selected = state.selected.min(len.saturating_sub(1));
    if state.selected < state.offset {
        state.offset = state.selected;
    } else if state.selected >= state.offset + body && body > 0 {
        state.offset = state.selected + 1 - body;
    }
    state.offset = state.offset.min(len.saturating_sub(body));
    for r in 0..body.min(len.saturating_sub(state.offset)) {
        let row = state.offset + r;
        let y = area.y + 1 + r as u16;
        let style = if row == state.selected {
            theme.selected()
        } else {
            Style::default()
        };
        if row == state.selected {
            buf.set_style(Rect::new(area.x, y, area.width, 1), style);
        }
        let mut x = area.x;
        for (i, (c, &w)) in columns.iter().zip(&widths).enumerate() {
            let text = cell(row, i);
            buf.set_stringn(x, y, pad(&text, w as usize, c.right), w as usize, style);
            x += w + 1;
        }
    }
    if len == 0 && body > 0 {
        buf.set_string(area.x, area.y + 1, "(none)", theme.dim());
    }
}

/// Column widths for `total` cells: fixed ones as asked (shrunk from the right when
/// they do not fit), flexible ones share the rest.
fn widths(columns: &[Column], total: u16) -> Vec<u16> {
    let gaps = columns.len().saturating_sub(1) as u16;
    let fixed: u16 = columns.iter().map(|c| c.width).sum();
    let flex = columns.iter().filter(|c| c.width == 0).count() as u16;
    let room = total.saturating_sub(fixed + gaps);
    let each = room.checked_div(flex).map_or(0, |w| w.max(12));
    let mut out: Vec<u16> = columns
        .iter()
        .map(|c| if c.width == 0 { each } else { c.width })
        .collect();
    // Too narrow: drop columns from the right until it fits.
    let mut used: u16 = out.iter().sum::<u16>() + gaps;
    for w in out.iter_mut().rev() {
        if used <= total {
            break;
        }
        let cut = (*w).min(used - total);
        *w -= cut;
        used -= cut;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_scrolls_the_window() {
        let mut s = TableState {
            page: 5,
            ..Default::default()
        };
        for _ in 0..7 {
            s.update(Action::Down, 10, 3);
        }
        assert_eq!(s.selected, 7);
        s.update(Action::PageDown, 10, 3);
        assert_eq!(s.selected, 9);
        s.update(Action::Top, 10, 3);
        assert_eq!(s.selected, 0);
        s.update(Action::Up, 10, 3);
        assert_eq!(s.selected, 0);
        assert!(!s.update(Action::Enter, 10, 3));
    }

    #[test]
    fn a_cached_sort_orders_rows_as_the_plain_one_ties_included() {
        let vals = [5, 9, 1, 5, 9, 0, 5];
        for sort in [None, Some((0, true)), Some((0, false))] {
            let s = TableState {
                sort,
                ..Default::default()
            };
            let (mut plain, mut cached): (Vec<usize>, Vec<usize>) =
                ((0..7).collect(), (0..7).collect());
            s.sort_rows(&mut plain, |r, _| vals[r]);
            s.sort_rows_cached(&mut cached, |r, _| vals[r]);
            assert_eq!(cached, plain, "{sort:?}");
        }
    }

    /// The packed sort orders rows as the plain (stable) one, ties, negative keys and
    /// an earlier order included, and falls back when keys spread too wide to pack.
    #[test]
    fn a_packed_sort_orders_rows_as_the_plain_one() {
        let cases: [Vec<i64>; 4] = [
            vec![5, 9, 1, 5, 9, 0, 5],
            (0..1000).map(|i| (i * 7919) % 13 - 6).collect(),
            vec![i64::MIN, 3, i64::MAX, 3, 0],
            vec![],
        ];
        for vals in &cases {
            for sort in [None, Some((0, true)), Some((0, false))] {
                let s = TableState {
                    sort,
                    ..Default::default()
                };
                // From an earlier order, which equal keys keep.
                let start: Vec<usize> = (0..vals.len()).rev().collect();
                let (mut plain, mut packed) = (start.clone(), start);
                s.sort_rows(&mut plain, |r, _| vals[r]);
                s.sort_rows_i64(&mut packed, |r, _| vals[r]);
                assert_eq!(packed, plain, "{sort:?} {}", vals.len());
            }
        }
    }

    #[test]
    fn sort_toggles_direction_and_orders_rows() {
        let mut s = TableState::default();
        s.update(Action::Right, 3, 3);
        s.update(Action::Sort, 3, 3);
        assert_eq!(s.sort, Some((1, false)));
        let vals = [5, 9, 1];
        let mut order = vec![0, 1, 2];
        s.sort_rows(&mut order, |r, _| vals[r]);
        assert_eq!(order, [1, 0, 2]);
        s.update(Action::Sort, 3, 3);
        s.sort_rows(&mut order, |r, _| vals[r]);
        assert_eq!(order, [2, 0, 1]);
    }

    #[test]
    fn only_visible_rows_are_built_and_the_selection_is_drawn() {
        let cols = [Column::flex("name"), Column::num("n", 4)];
        let mut s = TableState {
            selected: 50,
            ..Default::default()
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 4));
        let asked = std::cell::RefCell::new(Vec::new());
        render(
            buf.area,
            &mut buf,
            Theme::new(crate::tui::theme::Palette::Mono),
            &cols,
            100,
            &mut s,
            |r, c| {
                asked.borrow_mut().push(r);
                format!("{r}/{c}")
            },
        );
        let rows: std::collections::BTreeSet<usize> = asked.into_inner().into_iter().collect();
        assert_eq!(rows.into_iter().collect::<Vec<_>>(), [48, 49, 50]);
        let line = |y| {
            (0..20)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        };
        assert_eq!(line(3), "50/0            50/1");
    }
}
