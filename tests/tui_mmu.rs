//! The MMU tab: snapshots at 80×24 and 160×48, the figures checked against the analysis
//! (recomputed here with the analysis API), the window cursor, the jump to a worst
//! window, and flag toggles recomputed in the background.

#[path = "common/tui.rs"]
mod tui;

use gotrace_tui::analysis::mmu::{MmuCurve, MutatorUtil, UtilBuilder, UtilFlags, plot};
use gotrace_tui::tui::action::Action;
use gotrace_tui::tui::app::{App, Tab};
use gotrace_tui::tui::format::dur;
use gotrace_tui::tui::model::DEFAULT_MMU_FLAGS;
use gotrace_tui::tui::views::mmu::{WORST, flags_line};
use gotrace_tui::tui::views::{Effect, View};
use ratatui::crossterm::event::KeyCode;
use tui::{app, assert_readable, keys, press, screen, settle, with_ctx};

fn snap(name: &str, a: &mut App) {
    insta::assert_snapshot!(format!("{name}_80x24"), screen(a, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x48"), screen(a, 160, 48));
}

/// The utilization under `flags`, from a pass of its own over the trace.
fn utils(rel: &str, flags: UtilFlags) -> Vec<Vec<MutatorUtil>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/traces")
        .join(rel);
    let bytes = std::fs::read(path).unwrap();
    let reader = gotrace_tui::trace::Reader::new(&bytes).unwrap();
    let mut b = UtilBuilder::new(flags);
    let (_, err) = gotrace_tui::analysis::run(reader, &mut [&mut b]);
    assert!(err.is_none());
    b.finish()
}

/// Checks the flags line, the cursor's MMU and the worst windows on screen against
/// `curve`.
fn check(a: &mut App, flags: UtilFlags, curve: &MmuCurve) {
    let s = screen(a, 160, 48);
    let w = a.mmu.window().expect("a window under the cursor");
    assert_eq!(a.mmu.flags(), flags);
    assert_eq!(
        s.lines().nth(2).unwrap().trim_end(),
        format!("GC: {}", flags_line(flags))
    );
    let want = format!("window {}: MMU {:.2}%", dur(w), curve.mmu(w) * 100.0);
    assert!(s.lines().any(|l| l.starts_with(&want)), "{want}\n{s}");
    let first = a.model().unwrap().summary.first_time;
    let worst = curve.examples(w, WORST);
    assert!(!worst.is_empty());
    for (i, u) in worst.iter().enumerate() {
        let cells = [
            (i + 1).to_string(),
            format!("+{}", dur(u.time - first)),
            format!("+{}", dur(u.time + w - first)),
            format!("{:.2}%", u.mutator_util * 100.0),
        ];
        assert!(
            s.lines()
                .any(|l| l.split_whitespace().eq(cells.iter().map(String::as_str))),
            "{cells:?}\n{s}"
        );
    }
}

/// [`check`] against the curve of a pass of its own over `rel` under `flags`.
fn check_anew(a: &mut App, rel: &str, flags: UtilFlags) {
    check(a, flags, &MmuCurve::new(utils(rel, flags)));
}

/// An app on `rel` showing the MMU tab, its curve computed.
fn mmu_tab(rel: &str) -> App {
    let mut a = app(rel);
    keys(&mut a, "6");
    settle(&mut a);
    a
}

#[test]
fn curve_cursor_and_worst_windows_on_allocfree() {
    let rel = "go126/allocfree.trace";
    let mut a = app(rel);
    keys(&mut a, "6");
    // The curve is built in the background; until then the tab says so.
    assert!(screen(&mut a, 80, 24).contains("computing…"));
    settle(&mut a);
    snap("mmu_allocfree", &mut a);
    let u = utils(rel, DEFAULT_MMU_FLAGS);
    // The model's utilization is the analysis's.
    assert_eq!(a.model().unwrap().mmu_utils, u);
    let curve = MmuCurve::new(u.clone());
    check(&mut a, DEFAULT_MMU_FLAGS, &curve);

    // The cursor steps along the plotted windows, and back.
    let p = plot(&u, &curve, None);
    let samples: Vec<i64> = p.curve.iter().map(|r| r[0] as i64).collect();
    let w0 = a.mmu.window().unwrap();
    let i0 = samples.iter().position(|&s| s == w0).unwrap();
    keys(&mut a, "hh");
    assert_eq!(a.mmu.window(), Some(samples[i0 - 2]));
    snap("mmu_allocfree_smaller_window", &mut a);
    check(&mut a, DEFAULT_MMU_FLAGS, &curve);
    press(&mut a, KeyCode::Right);
    keys(&mut a, "l");
    assert_eq!(a.mmu.window(), Some(w0));

    // Enter on the worst window shows it in the timeline.
    let worst = curve.examples(w0, WORST);
    assert_eq!(
        with_ctx(&mut a, |a, ctx| a.mmu.update(Action::Enter, ctx)),
        Effect::ShowTime {
            from: worst[0].time,
            to: worst[0].time + w0,
            goroutine: None
        }
    );
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.tab, Tab::Timeline);
}

#[test]
fn flag_toggles_recompute_in_the_background_and_are_cached() {
    let rel = "go126/allocfree.trace";
    let mut a = mmu_tab(rel);
    // Background mark workers no longer count as GC.
    keys(&mut a, "b");
    let flags = UtilFlags(DEFAULT_MMU_FLAGS.0 & !UtilFlags::BACKGROUND.0);
    assert!(a.busy());
    assert!(screen(&mut a, 80, 24).contains("computing…"));
    settle(&mut a);
    assert!(!a.busy());
    snap("mmu_allocfree_no_background", &mut a);
    check_anew(&mut a, rel, flags);

    // Back to the default: cached, nothing to wait for.
    keys(&mut a, "b");
    assert!(!a.busy());
    check_anew(&mut a, rel, DEFAULT_MMU_FLAGS);

    // One series per P.
    keys(&mut a, "P");
    settle(&mut a);
    let flags = UtilFlags(DEFAULT_MMU_FLAGS.0 | UtilFlags::PER_PROC.0);
    snap("mmu_allocfree_per_p", &mut a);
    check_anew(&mut a, rel, flags);
}

#[test]
fn a_trace_without_gc_pressure() {
    let rel = "go126/http.trace";
    let mut a = mmu_tab(rel);
    snap("mmu_http", &mut a);
    check_anew(&mut a, rel, DEFAULT_MMU_FLAGS);
}

#[test]
fn readable_in_16_colours() {
    use gotrace_tui::tui::theme::{Palette, Theme};
    let mut a = app("go126/allocfree.trace");
    a.theme = Theme::new(Palette::Ansi16);
    keys(&mut a, "6");
    settle(&mut a);
    assert_readable(&mut a, 80, 24);
}
