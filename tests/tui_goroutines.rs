//! The goroutines tab: whole screens of every level on committed traces (insta
//! snapshots, 80×24 and 160×48, no colour), and the figures on screen checked against the
//! analysis and the headless report's own functions.

#[path = "common/tui.rs"]
mod tui;

use gotrace_tui::analysis::goroutines::{GoroutineSummary, distribution};
use gotrace_tui::analysis::gstates::State;
use gotrace_tui::report::goroutines::{group_classic, group_distributions, row};
use gotrace_tui::tui::app::{App, Tab};
use gotrace_tui::tui::format::dur;
use gotrace_tui::tui::theme::{Palette, StateColor, Theme};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;

const TRACES: [&str; 2] = ["go126/mutex.trace", "go126/http.trace"];

/// A duration as the tab writes it in cells.
fn d(ns: i64) -> String {
    if ns == 0 { "0".into() } else { dur(ns) }
}

fn snap(name: &str, app: &mut App) {
    insta::assert_snapshot!(format!("{name}_80x24"), tui::screen(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x48"), tui::screen(app, 160, 48));
}

fn stem(trace: &str) -> String {
    trace.replace(['/', '.'], "_")
}

/// The group the tests open: the second row (on both traces, several goroutines).
fn open_second_group(app: &mut App) {
    tui::keys(app, "2j");
    tui::press(app, KeyCode::Enter);
}

#[test]
fn every_level_looks_right() {
    for t in TRACES {
        let s = stem(t);
        let mut app = tui::app(t);
        tui::keys(&mut app, "2");
        snap(&format!("{s}_groups"), &mut app);
        open_second_group(&mut app);
        snap(&format!("{s}_group"), &mut app);
        // The second goroutine of the group.
        tui::keys(&mut app, "j");
        tui::press(&mut app, KeyCode::Enter);
        tui::settle(&mut app);
        snap(&format!("{s}_goroutine"), &mut app);
    }
}

#[test]
fn the_goroutine_page_of_one_with_regions() {
    // G17 of the HTTP trace serves requests inside regions.
    let mut app = tui::app("go126/http.trace");
    open(&mut app, 17);
    tui::settle(&mut app);
    snap("go126_http_trace_goroutine_17", &mut app);
}

#[test]
fn sorting_and_the_column_cursor() {
    let mut app = tui::app("go126/mutex.trace");
    tui::keys(&mut app, "2");
    // The cursor to "Sync block" (column 6), sort: largest first.
    tui::keys(&mut app, "llllll");
    tui::keys(&mut app, "s");
    snap("go126_mutex_trace_groups_by_sync_block", &mut app);
    let model = app.model().unwrap().clone();
    let screen = tui::screen(&mut app, 200, 40);
    let mut expected: Vec<(i64, &str)> = model
        .groups
        .iter()
        .map(|g| {
            (
                group_classic(&model.summary, &g.goroutines)[2],
                g.name.as_str(),
            )
        })
        .collect();
    expected.sort_by_key(|e| std::cmp::Reverse(e.0));
    let shown: Vec<&str> = screen
        .lines()
        .skip(3)
        .take(expected.len())
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let firsts: Vec<i64> = shown
        .iter()
        .map(|n| expected.iter().find(|e| e.1 == *n).unwrap().0)
        .collect();
    assert!(firsts.windows(2).all(|w| w[0] >= w[1]), "{shown:?}");
    // Again: smallest first.
    tui::keys(&mut app, "s");
    let screen = tui::screen(&mut app, 200, 40);
    let first = screen
        .lines()
        .nth(3)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert_eq!(
        expected.last().unwrap().0,
        expected.iter().find(|e| e.1 == first).unwrap().0
    );
}

#[test]
fn group_rows_show_the_report_figures() {
    for t in TRACES {
        let mut app = tui::app(t);
        tui::keys(&mut app, "2");
        let model = app.model().unwrap().clone();
        let screen = tui::screen(&mut app, 220, 60);
        let total: i64 = model.groups.iter().map(|g| g.exec).sum();
        for (i, g) in model.groups.iter().enumerate() {
            let line = screen.lines().nth(3 + i).unwrap();
            let toks: Vec<&str> = line.split_whitespace().collect();
            let name = if g.name.is_empty() {
                "(inactive,"
            } else {
                &g.name
            };
            assert_eq!(toks[0], name, "{t}: {line}");
            assert_eq!(toks[1], g.goroutines.len().to_string(), "{t}: {line}");
            let share = format!("{:.1}%", g.exec as f64 * 100.0 / total as f64);
            assert_eq!(toks[2], share, "{t}: {line}");
            let want: Vec<String> = group_classic(&model.summary, &g.goroutines)
                .into_iter()
                .map(d)
                .collect();
            assert_eq!(toks[toks.len() - 7..], want[..], "{t}: {line}");
        }
    }
}

/// The figures of one goroutine in the group table's column order (as the headless
/// report's row gives them): total, execution, sched wait, syscall, syscall block, block
/// per reason of the group, unknown, range per name of the group.
fn expected_cells(
    model: &gotrace_tui::tui::model::Model,
    g: &GoroutineSummary,
    reasons: &[String],
    ranges: &[String],
) -> Vec<i64> {
    let r = row(&model.summary, g);
    let mut v = vec![
        r.total_ns,
        r.exec_ns,
        r.sched_wait_ns,
        r.syscall_ns,
        r.syscall_block_ns,
    ];
    v.extend(
        reasons
            .iter()
            .map(|k| r.block_ns.get(k).copied().unwrap_or(0)),
    );
    v.push(r.unknown_ns);
    v.extend(
        ranges
            .iter()
            .map(|k| r.range_ns.get(k).copied().unwrap_or(0)),
    );
    v
}

#[test]
fn goroutine_rows_and_distributions_show_the_report_figures() {
    for t in TRACES {
        let mut app = tui::app(t);
        open_second_group(&mut app);
        let model = app.model().unwrap().clone();
        let group = &model.groups[1];
        let rows: Vec<_> = group
            .goroutines
            .iter()
            .map(|id| row(&model.summary, &model.summary.goroutines.member(id)))
            .collect();
        let mut reasons: Vec<String> = rows
            .iter()
            .flat_map(|r| r.block_ns.keys().cloned())
            .collect();
        reasons.sort();
        reasons.dedup();
        let mut ranges: Vec<String> = rows
            .iter()
            .flat_map(|r| r.range_ns.keys().cloned())
            .collect();
        ranges.sort();
        ranges.dedup();
        // Wide enough for every column.
        let screen = tui::screen(&mut app, 400, 60);
        let lines: Vec<&str> = screen.lines().collect();
        let n = group.goroutines.len();
        let mut columns: Vec<Vec<i64>> = Vec::new();
        for (i, id) in group.goroutines.iter().enumerate() {
            let g = &model.summary.goroutines.member(id);
            let want = expected_cells(&model, g, &reasons, &ranges);
            let toks: Vec<&str> = lines[4 + i].split_whitespace().collect();
            assert_eq!(toks[0], id.to_string(), "{t}");
            let cells: Vec<&str> = toks[1..2]
                .iter()
                .chain(&toks[toks.len() - (want.len() - 1)..])
                .copied()
                .collect();
            let want_text: Vec<String> = want.iter().map(|&v| d(v)).collect();
            assert_eq!(cells, want_text, "{t} G{id}: {}", lines[4 + i]);
            columns.push(want);
        }
        // The distribution rows: the report's nearest-rank distribution of every column.
        let at = lines
            .iter()
            .position(|l| l.starts_with("distribution over"))
            .unwrap();
        let labels = ["min", "mean", "p50", "p90", "p99", "max"];
        for (k, label) in labels.iter().enumerate() {
            let toks: Vec<&str> = lines[at + 1 + k].split_whitespace().collect();
            assert_eq!(toks[0], *label);
            let want: Vec<String> = (0..columns[0].len())
                .map(|c| {
                    let mut v: Vec<i64> = (0..n).map(|r| columns[r][c]).collect();
                    let x = distribution(&mut v);
                    d([x.min, x.mean, x.p50, x.p90, x.p99, x.max][k])
                })
                .collect();
            assert_eq!(toks[1..], want[..], "{t} {label}");
        }
        // Those of the classic columns are the ones `goroutines --json` writes.
        let json = group_distributions(&model.summary, &group.goroutines);
        let mut exec: Vec<i64> = columns.iter().map(|c| c[1]).collect();
        assert_eq!(distribution(&mut exec), json[0]);
        let mut sched: Vec<i64> = columns.iter().map(|c| c[2]).collect();
        assert_eq!(distribution(&mut sched), json[4]);
    }
}

/// Opens goroutine `g`'s page as another tab would (through `open_goroutine`).
fn open(app: &mut App, g: i64) {
    app.tab = Tab::Goroutines;
    tui::with_ctx(app, |app, ctx| app.goroutines.open_goroutine(g, ctx));
}

#[test]
fn the_goroutine_page_shows_its_states_and_jumps_to_the_timeline() {
    let mut app = tui::app("go126/http.trace");
    open(&mut app, 17);
    assert!(app.busy(), "the states are computed in the background");
    assert!(tui::screen(&mut app, 80, 24).contains("computing…"));
    tui::settle(&mut app);
    assert!(!app.busy());
    let model = app.model().unwrap().clone();
    let g = &model.summary.goroutines.member(&17);
    let screen = tui::screen(&mut app, 160, 48);
    // The legend's totals come from the spans, which add up to the summary's columns.
    assert!(
        screen.contains(&format!("running {}", dur(g.stats.exec))),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("runnable {}", dur(g.stats.sched_wait))),
        "{screen}"
    );
    assert!(screen.contains(&format!(
            "network {}",
            dur(g
                .stats
                .block_by_reason
                .iter()
                .find(|(k, _)| model.summary.names.get(*k) == "network")
                .unwrap()
                .1)
        )));
    // Esc: back to its group, selected; Esc again: the groups.
    tui::press(&mut app, KeyCode::Esc);
    let screen = tui::screen(&mut app, 160, 48);
    assert!(
        screen.lines().nth(2).unwrap().starts_with(&*g.name),
        "{screen}"
    );
    tui::press(&mut app, KeyCode::Enter);
    assert!(tui::screen(&mut app, 160, 48).contains("G17  net/http.(*conn).serve"));
    // Enter on the page: the timeline over the goroutine's life.
    tui::press(&mut app, KeyCode::Enter);
    assert_eq!(app.tab, Tab::Timeline);
    tui::keys(&mut app, "2");
    tui::press(&mut app, KeyCode::Esc);
    tui::press(&mut app, KeyCode::Esc);
    assert!(
        tui::screen(&mut app, 160, 48)
            .lines()
            .nth(2)
            .unwrap()
            .starts_with("Start function")
    );
}

#[test]
fn enter_on_a_goroutine_page_asks_for_its_lifetime_on_the_timeline() {
    use gotrace_tui::tui::action::Action;
    use gotrace_tui::tui::views::{Effect, View};
    let app = tui::app("go126/mutex.trace");
    let model = app.model().unwrap().clone();
    let shared = app.shared().unwrap();
    let ctx = shared.ctx();
    let mut view = gotrace_tui::tui::views::goroutines::GoroutinesView::default();
    view.open_goroutine(9, &ctx);
    let g = &model.summary.goroutines.member(&9);
    assert_eq!(
        view.update(Action::Enter, &ctx),
        Effect::ShowTime {
            from: g.creation_time,
            to: g.end_time,
            goroutine: Some(9)
        }
    );
    // Alive at the end: up to the last event.
    let alive = model
        .summary
        .goroutines
        .values()
        .find(|g| g.end_time == 0)
        .unwrap();
    view.open_goroutine(alive.id, &ctx);
    assert_eq!(
        view.update(Action::Enter, &ctx),
        Effect::ShowTime {
            from: alive.creation_time.max(model.time_range().0),
            to: model.time_range().1,
            goroutine: Some(alive.id)
        }
    );
}

#[test]
fn colours_tell_the_states_apart() {
    for palette in [Palette::Ansi16, Palette::Xterm256] {
        let mut app = tui::app("go126/http.trace");
        app.theme = Theme::new(palette);
        open(&mut app, 17);
        tui::settle(&mut app);
        let mut buf = Buffer::empty(Rect::new(0, 0, 160, 48));
        app.render(buf.area, &mut buf);
        // The strip is the fifth line: every drawn cell a full block in a state's colour.
        let theme = app.theme;
        let colours: Vec<_> = StateColor::ALL.iter().map(|&c| theme.state(c).fg).collect();
        let mut seen = std::collections::BTreeSet::new();
        for x in 0..160 {
            let cell = &buf[(x, 4)];
            if cell.symbol() == " " {
                continue;
            }
            assert_eq!(cell.symbol(), "█");
            let i = colours
                .iter()
                .position(|c| *c == Some(cell.fg))
                .unwrap_or_else(|| panic!("{:?}", cell.fg));
            seen.insert(i);
        }
        assert!(seen.len() >= 4, "{seen:?}");
    }
}

#[test]
fn the_state_strip_follows_the_spans() {
    // Without colour, each state has its own glyph: the running cells of the strip are
    // where the goroutine ran most of the cell's time.
    let mut app = tui::app("go126/mutex.trace");
    open(&mut app, 9);
    tui::settle(&mut app);
    let screen = tui::screen(&mut app, 80, 24);
    let strip: Vec<char> = screen.lines().nth(4).unwrap().chars().collect();
    let data = std::fs::read(&app.file.path).unwrap();
    let mut st = gotrace_tui::analysis::gstates::GStates::of([9]);
    gotrace_tui::analysis::run(
        gotrace_tui::trace::Reader::new(&data).unwrap(),
        &mut [&mut st],
    );
    let life = st.finish().remove(&9).unwrap();
    let g = &app.model().unwrap().summary.goroutines.member(&9);
    let (from, to) = (g.creation_time, g.end_time);
    for (i, &c) in strip.iter().enumerate() {
        let a = from + (to - from) * i as i64 / 80;
        let b = from + (to - from) * (i as i64 + 1) / 80;
        let running: i64 = life
            .spans
            .iter()
            .filter(|s| s.state == State::Running)
            .map(|s| (s.end.min(b) - s.start.max(a)).max(0))
            .sum();
        if running * 2 > b - a {
            assert_eq!(c, '█', "cell {i}");
        }
        if c == '█' {
            assert!(running > 0, "cell {i}");
        }
    }
}

#[test]
fn tiny_screens_do_not_break_any_level() {
    let mut app = tui::app("go126/http.trace");
    let sizes = [(1, 1), (8, 3), (20, 6), (40, 10), (79, 23), (300, 80)];
    let each = |app: &mut App| {
        for (w, h) in sizes {
            tui::screen(app, w, h);
        }
    };
    tui::keys(&mut app, "2");
    each(&mut app);
    tui::keys(&mut app, "lllllllllll");
    each(&mut app);
    tui::press(&mut app, KeyCode::Enter);
    tui::keys(&mut app, "llllllllllllllllll");
    each(&mut app);
    tui::press(&mut app, KeyCode::Enter);
    each(&mut app);
    tui::settle(&mut app);
    each(&mut app);
    tui::keys(&mut app, "3");
    each(&mut app);
}
