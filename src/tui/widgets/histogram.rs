//! A duration histogram (go tool trace's `TimeHistogram`) drawn as block-character
//! columns over labelled bucket bounds, under a line of percentiles.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

use super::bars;
use crate::analysis::goroutines::Distribution;
use crate::analysis::tasks::TimeHistogram;
use crate::tui::format::{dur, fit};
use crate::tui::theme::Theme;

/// Widest a bucket gets: wider bars add nothing, and labels fit in eight columns.
const MAX_BUCKET_WIDTH: u16 = 8;

/// Tallest the bars get: on a big terminal taller bars only spread the same picture.
const MAX_BAR_HEIGHT: u16 = 16;

/// The percentiles line: `p50 … p90 … p99 … max …`, or `empty` when there is nothing.
pub fn percentiles(d: Option<&Distribution>, empty: &str) -> String {
    match d {
        Some(d) => format!(
            "p50 {}  p90 {}  p99 {}  max {}",
            dur(d.p50),
            dur(d.p90),
            dur(d.p99),
            dur(d.max)
        ),
        None => empty.to_string(),
    }
}

/// Draws `title` on the first row, the percentiles of `dist` on the second, and the
/// histogram below: one column group per bucket from the lowest used to the highest,
/// with the largest count on the left and bucket lower bounds (and the last upper bound)
/// underneath wherever they fit without overlapping.
pub fn render(
    area: Rect,
    buf: &mut Buffer,
    theme: Theme,
    title: &str,
    h: &TimeHistogram,
    dist: Option<&Distribution>,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let width = area.width as usize;
    buf.set_string(area.x, area.y, fit(title, width), theme.header());
    if area.height < 2 {
        return;
    }
    let line = percentiles(dist, "no complete instance: no percentiles");
    buf.set_string(area.x, area.y + 1, fit(&line, width), theme.dim());
    let Some((rows, end)) = h.rows() else {
        return;
    };
    // Title, percentiles, at least one bar row, the labels.
    if area.height < 4 {
        return;
    }
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let max_label = max.to_string();
    let gutter = max_label.width() as u16 + 1;
    let chart = Rect::new(
        area.x + gutter,
        area.y + 2,
        area.width.saturating_sub(gutter),
        (area.height - 3).min(MAX_BAR_HEIGHT),
    );
    if chart.width == 0 {
        return;
    }
    let n = rows.len() as u16;
    let bw = (chart.width / n.max(1)).clamp(1, MAX_BUCKET_WIDTH);
    // A one-column gap between buckets when there is room, so neighbours stay apart.
    let bar = if bw > 1 { bw - 1 } else { 1 };
    let mut values = Vec::with_capacity((n * bw) as usize);
    for &(_, c) in &rows {
        values.extend(std::iter::repeat_n(c, bar as usize));
        values.extend(std::iter::repeat_n(0, (bw - bar) as usize));
    }
    bars::columns(buf, chart, &values, theme.group(0));
    buf.set_string(area.x, chart.y, &max_label, theme.dim());
    let labels_y = chart.bottom();
    buf.set_string(area.x, labels_y, "0", theme.dim());
    let right = area.right();
    let mut free = chart.x;
    let bounds = rows
        .iter()
        .map(|r| r.0)
        .chain(std::iter::once(end))
        .enumerate();
    for (i, b) in bounds {
        let x = chart.x + i as u16 * bw;
        let label = dur(b);
        let w = label.width() as u16;
        if x < free || x + w > right {
            continue;
        }
        buf.set_string(x, labels_y, &label, theme.dim());
        free = x + w + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::Palette;

    #[test]
    fn buckets_are_drawn_and_labelled() {
        let mut h = TimeHistogram::default();
        for d in [300_000, 300_000, 2_600_000] {
            h.add(d);
        }
        let mut buf = Buffer::empty(Rect::new(0, 0, 60, 6));
        render(buf.area, &mut buf, Theme::new(Palette::Mono), "t", &h, None);
        let row = |y| {
            (0..60)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        };
        // Six buckets of eight columns: the first twice as high as the last.
        assert_eq!(&row(2)[..2], "2 ");
        assert!(row(3).starts_with("  ███████"));
        assert!(row(4).trim_end().ends_with('█'));
        assert!(row(5).starts_with("0 251µs"));
    }
}
