//! Block-character drawing: levels, stacked breakdown bars and column histograms.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// The eight levels of a cell, from empty to full.
pub const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The block character for a fraction in 0..=1; anything above zero shows at least `▁`,
/// so a short burst on a long row stays visible.
pub fn level(f: f64) -> char {
    if f.is_nan() || f <= 0.0 {
        return ' ';
    }
    let i = (f.min(1.0) * 8.0).round() as usize;
    LEVELS[i.max(1)]
}

/// Glyphs that tell the segments of a bar apart without colour.
const MONO_FILL: [char; 4] = ['█', '▓', '▒', '░'];

/// Draws a horizontal bar of `width` cells at (x, y), split in proportion to `parts`
/// (value, style). With `mono`, segments alternate glyphs instead of colours.
pub fn breakdown(buf: &mut Buffer, x: u16, y: u16, width: u16, parts: &[(i64, Style)], mono: bool) {
    let total: i64 = parts.iter().map(|p| p.0.max(0)).sum();
    if total <= 0 || width == 0 {
        return;
    }
    // Cumulative rounding so the segments add up to the width exactly.
    let mut acc = 0i64;
    let mut cell = 0u16;
    for (i, &(v, style)) in parts.iter().enumerate() {
        acc += v.max(0);
        let end = ((acc as f64 / total as f64) * width as f64).round() as u16;
        let glyph = if mono {
            MONO_FILL[i % MONO_FILL.len()]
        } else {
            '█'
        };
        while cell < end.min(width) {
            buf[(x + cell, y)].set_char(glyph).set_style(style);
            cell += 1;
        }
    }
}

/// Draws `values` as vertical bars from the bottom of `area`, one column each (values
/// beyond the width are not drawn), scaled to the largest.
pub fn columns(buf: &mut Buffer, area: Rect, values: &[u64], style: Style) {
    let max = values.iter().copied().max().unwrap_or(0);
    if max == 0 || area.height == 0 {
        return;
    }
    let h = area.height as f64;
    for (i, &v) in values.iter().enumerate().take(area.width as usize) {
        // Height in eighths of a cell.
        let mut eighths = ((v as f64 / max as f64) * h * 8.0).round() as u64;
        if v > 0 && eighths == 0 {
            eighths = 1;
        }
        for row in 0..area.height {
            let y = area.y + area.height - 1 - row;
            let here = eighths.saturating_sub(row as u64 * 8).min(8);
            if here > 0 {
                buf[(area.x + i as u16, y)]
                    .set_char(LEVELS[here as usize])
                    .set_style(style);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_cover_the_range() {
        assert_eq!(level(0.0), ' ');
        assert_eq!(level(0.001), '▁');
        assert_eq!(level(0.5), '▄');
        assert_eq!(level(1.0), '█');
        assert_eq!(level(7.0), '█');
    }

    #[test]
    fn breakdown_fills_the_width_in_proportion() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        breakdown(
            &mut buf,
            0,
            0,
            10,
            &[(3, Style::default()), (7, Style::default())],
            true,
        );
        let s: String = (0..10).map(|x| buf[(x, 0)].symbol().to_string()).collect();
        assert_eq!(s, "███▓▓▓▓▓▓▓");
    }

    #[test]
    fn columns_scale_to_the_largest() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 3, 2));
        columns(
            &mut buf,
            Rect::new(0, 0, 3, 2),
            &[4, 1, 0],
            Style::default(),
        );
        let row = |y| {
            (0..3)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        };
        assert_eq!(row(0), "█  ");
        assert_eq!(row(1), "█▄ ");
    }
}
