//! Text helpers: durations and times in readable units, strings cut by display width.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A duration in the largest unit that keeps it ≥ 1, three significant digits:
/// `950ns`, `12.3µs`, `1.24ms`, `2.50s`.
pub fn dur(ns: i64) -> String {
    let a = ns.unsigned_abs() as f64;
    let sign = if ns < 0 { "-" } else { "" };
    if a < 1e3 {
        return format!("{ns}ns");
    }
    let units = [(1e3, "µs"), (1e6, "ms"), (1e9, "s")];
    let mut k = units
        .iter()
        .rposition(|&(scale, _)| a >= scale)
        .unwrap_or(0);
    loop {
        let (scale, unit) = units[k];
        let v = a / scale;
        let digits = if v >= 99.95 {
            0
        } else if v >= 9.995 {
            1
        } else {
            2
        };
        let text = format!("{v:.digits$}");
        // 999.9µs rounds to "1000µs": say "1.00ms" instead.
        if text.starts_with("1000") && k + 1 < units.len() {
            k += 1;
            continue;
        }
        return format!("{sign}{text}{unit}");
    }
}

/// A share as a percentage with one decimal.
pub fn pct(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "-".into();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

/// `s` cut to at most `width` terminal columns, with `…` when cut. Control characters
/// (user log text can hold anything) are shown as `�` so they cannot move the cursor.
pub fn fit(s: &str, width: usize) -> String {
    let clean = |c: char| if c.is_control() { '\u{FFFD}' } else { c };
    if s.width() <= width && !s.chars().any(char::is_control) {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let total: usize = s.chars().map(|c| clean(c).width().unwrap_or(0)).sum();
    let budget = if total <= width { width } else { width - 1 };
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars().map(clean) {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    if total > width {
        out.push('…');
    }
    out
}

/// `s` padded with spaces or cut to exactly `width` columns, right-aligned if `right`.
pub fn pad(s: &str, width: usize, right: bool) -> String {
    let s = fit(s, width);
    let gap = width.saturating_sub(s.width());
    if right {
        format!("{}{s}", " ".repeat(gap))
    } else {
        format!("{s}{}", " ".repeat(gap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_keep_three_digits() {
        assert_eq!(dur(950), "950ns");
        assert_eq!(dur(12_345), "12.3µs");
        assert_eq!(dur(1_240_000), "1.24ms");
        assert_eq!(dur(2_500_000_000), "2.50s");
        assert_eq!(dur(123_456_789), "123ms");
        assert_eq!(dur(-1500), "-1.50µs");
        assert_eq!(dur(999_999), "1.00ms");
        assert_eq!(dur(9_999), "10.0µs");
        assert_eq!(dur(99_990), "100µs");
        assert_eq!(dur(999_999_999), "1.00s");
    }

    #[test]
    fn fit_cuts_by_display_width() {
        assert_eq!(fit("hello", 5), "hello");
        assert_eq!(fit("hello world", 6), "hello…");
        // Each CJK character is two columns wide.
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(fit("日本語", 6), "日本語");
        assert_eq!(fit("a\x1b[2Jb", 10), "a\u{FFFD}[2Jb");
        assert_eq!(pad("日本", 6, true), "  日本");
        assert_eq!(fit("abc", 0), "");
    }
}
