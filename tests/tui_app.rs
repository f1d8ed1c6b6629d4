//! The explorer's frame, Timeline and Info tabs, driven headlessly: `App::update`
//! behaviour, the timeline's cells against the analysis, and whole-screen snapshots
//! (80×24 and 160×48) on committed traces.

#[path = "common/tui.rs"]
mod tui;

use gotrace_tui::tui::action::Action;
use gotrace_tui::tui::app::Tab;
use gotrace_tui::tui::widgets::bars::level;
use ratatui::crossterm::event::KeyCode;

#[test]
fn tabs_cycle_and_numbers_jump() {
    let mut app = tui::app("go126/chan.trace");
    assert_eq!(app.tab, Tab::Timeline);
    tui::act(&mut app, &[Action::NextTab, Action::NextTab]);
    assert_eq!(app.tab, Tab::Profiles);
    tui::act(
        &mut app,
        &[Action::PrevTab, Action::PrevTab, Action::PrevTab],
    );
    assert_eq!(app.tab, Tab::Info);
    tui::keys(&mut app, "5");
    assert_eq!(app.tab, Tab::Regions);
    tui::press(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, Tab::Mmu);
    tui::press(&mut app, KeyCode::BackTab);
    assert_eq!(app.tab, Tab::Regions);
}

#[test]
fn help_opens_over_any_tab_and_keys_then_scroll_it() {
    let mut app = tui::app("go126/chan.trace");
    tui::keys(&mut app, "?");
    assert_eq!(app.help, Some(0));
    // While help is open, j scrolls it instead of acting on the tab.
    tui::keys(&mut app, "jj");
    assert_eq!(app.help, Some(2));
    assert_eq!(app.tab, Tab::Timeline);
    tui::press(&mut app, KeyCode::Esc);
    assert_eq!(app.help, None);
    tui::keys(&mut app, "q");
    assert!(app.quit);
}

#[test]
fn keys_work_before_the_analysis_arrives() {
    let mut app = tui::loading_app("go126/stress.trace");
    tui::keys(&mut app, "3");
    assert_eq!(app.tab, Tab::Profiles);
    let screen = tui::screen(&mut app, 80, 24);
    assert!(screen.contains("analysing 0%"), "{screen}");
    insta::assert_snapshot!("loading_80x24", screen);
    tui::keys(&mut app, "q");
    assert!(app.quit);
}

/// Each P row's cells are the busy fraction of the P over the cell's time range, from
/// the analysis' own span index.
#[test]
fn timeline_cells_show_each_ps_busy_fraction() {
    for trace in [
        "go126/chan.trace",
        "go126/stress.trace",
        "go126/mutex.trace",
    ] {
        let mut app = tui::app(trace);
        let (w, h) = (160u16, 48u16);
        let screen = tui::screen(&mut app, w, h);
        let lines: Vec<&str> = screen.lines().collect();
        let model = app.model().unwrap().clone();
        let (t0, t1) = model.time_range();
        let tl = &model.procs;
        let cells = (w - 11) as usize;
        let cell_ns = (t1 - t0) as f64 / cells as f64;
        let cell_of = |t: i64| (((t - t0) as f64 / cell_ns) as usize).min(cells - 1);
        for (row, (id, lane)) in tl.lane_ids.iter().zip(&tl.lanes).enumerate() {
            // Title, tabs, axis, 5 tracks, then the lanes.
            let line: Vec<char> = lines[8 + row].chars().collect();
            let label: String = line[..11].iter().collect();
            assert_eq!(label.trim_end(), format!("P{id}"), "{trace}");
            // When no more slices than cells are in view, slices four or more cells
            // wide carry their goroutine's label instead of levels.
            let mut labelled = vec![false; cells];
            if lane.len() <= cells {
                for s in 0..lane.len() {
                    let (c0, c1) = (
                        cell_of(lane.starts().get(s)),
                        cell_of(lane.ends().get(s).min(t1 - 1)),
                    );
                    if c1 - c0 >= 4 {
                        let text: String = line[11 + c0..11 + c1].iter().collect();
                        let want = format!("G{}", lane.goroutines().get(s));
                        assert!(
                            text.starts_with(&want[..want.len().min(c1 - c0)]),
                            "{trace}: {text:?}"
                        );
                        labelled[c0..=c1].iter_mut().for_each(|l| *l = true);
                    }
                }
            }
            for c in (0..cells).filter(|&c| !labelled[c]) {
                let a = t0 + (c as f64 * cell_ns) as i64;
                let b = (t0 + ((c + 1) as f64 * cell_ns) as i64).max(a + 1);
                let want = level(lane.busy_fraction(a, b));
                let got = line[11 + c];
                // The cursor column (the first) and the selected slice's flow markers
                // are drawn over the cells.
                if (c == 0 && got == '│') || "●◆▶┊".contains(got) {
                    continue;
                }
                assert_eq!(got, want, "{trace} P{id} cell {c}");
            }
        }
    }
}

#[test]
fn zoom_pan_and_slice_stepping_move_the_window_and_cursor() {
    let mut app = tui::app("go126/chan.trace");
    let model = app.model().unwrap().clone();
    let (t0, _) = model.time_range();
    tui::screen(&mut app, 120, 30);
    // The cursor starts at the trace start; `.` puts it on the first slice of P0 that
    // starts after it, Enter opens that slice's details.
    tui::keys(&mut app, ".");
    let lane = &model.procs.lanes[0];
    let i = lane.starts().iter().position(|s| s > t0).unwrap();
    let screen = tui::screen(&mut app, 120, 30);
    let g = lane.goroutines().get(i);
    let wall = gotrace_tui::tui::format::dur(lane.ends().get(i) - lane.starts().get(i));
    let start = gotrace_tui::tui::format::dur(lane.starts().get(i) - t0);
    assert!(
        screen.contains(&format!(
            "P0: G{g} {}  start {start}  wall {wall}",
            model.goroutine_name(g)
        )),
        "{screen}"
    );
    tui::press(&mut app, KeyCode::Enter);
    let details = tui::screen(&mut app, 120, 30);
    // The details are exact (Go's duration format).
    let exact = gotrace_tui::report::goroutines::go_duration;
    assert!(
        details.contains(&format!(
            "Wall duration  {}",
            exact(lane.ends().get(i) - lane.starts().get(i))
        )),
        "{details}"
    );
    tui::press(&mut app, KeyCode::Esc);
    // Zooming in twice halves the window twice.
    let axis = |s: &str| {
        s.lines()
            .nth(2)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let whole = axis(&tui::screen(&mut app, 120, 30));
    tui::keys(&mut app, "0++");
    let zoomed = axis(&tui::screen(&mut app, 120, 30));
    assert_ne!(whole, zoomed);
    tui::keys(&mut app, "--");
    assert_eq!(axis(&tui::screen(&mut app, 120, 30)), whole);
}

#[test]
fn snapshots_timeline() {
    let mut app = tui::app("go126/mutex.trace");
    insta::assert_snapshot!("timeline_mutex_80x24", tui::screen(&mut app, 80, 24));
    insta::assert_snapshot!("timeline_mutex_160x48", tui::screen(&mut app, 160, 48));
    tui::keys(&mut app, "++++j.");
    insta::assert_snapshot!(
        "timeline_mutex_zoomed_160x48",
        tui::screen(&mut app, 160, 48)
    );
    tui::press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(
        "timeline_mutex_details_80x24",
        tui::screen(&mut app, 80, 24)
    );
    tui::press(&mut app, KeyCode::Esc);
    tui::keys(&mut app, "t");
    tui::settle(&mut app);
    insta::assert_snapshot!(
        "timeline_mutex_threads_160x48",
        tui::screen(&mut app, 160, 48)
    );
}

#[test]
fn snapshots_help_and_info() {
    let mut app = tui::app("go126/stress.trace");
    tui::keys(&mut app, "?");
    insta::assert_snapshot!("help_80x24", tui::screen(&mut app, 80, 24));
    tui::keys(&mut app, "?7");
    tui::screen(&mut app, 80, 24);
    tui::settle(&mut app);
    insta::assert_snapshot!("info_stress_80x24", tui::screen(&mut app, 80, 24));
    insta::assert_snapshot!("info_stress_160x48", tui::screen(&mut app, 160, 48));
}

/// Goroutine rows: each cell shows the state the goroutine spent most of the cell in,
/// from go tool trace's states (the gstates pass, itself checked against the goroutine
/// analysis), with a glyph per state family so the strip reads without colour too.
#[test]
fn goroutine_rows_show_each_cells_dominant_state() {
    use gotrace_tui::analysis::gstates::{GStates, State};
    let mut app = tui::app("go126/mutex.trace");
    let (w, h) = (120u16, 40u16);
    tui::screen(&mut app, w, h);
    tui::keys(&mut app, "tt");
    tui::settle(&mut app);
    let screen = tui::screen(&mut app, w, h);
    let model = app.model().unwrap().clone();
    let group = &model.groups[0];
    assert!(
        screen.contains(&format!("group {}", group.name)),
        "{screen}"
    );
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/traces/go126/mutex.trace"
    ))
    .unwrap();
    let mut states = GStates::of(group.goroutines.iter().copied());
    gotrace_tui::analysis::run(
        gotrace_tui::trace::Reader::new(&bytes).unwrap(),
        &mut [&mut states],
    );
    let lives = states.finish();
    let glyph = |s: &State| match s {
        State::Running => '█',
        State::Runnable => '▒',
        State::Syscall | State::SyscallBlocked => '▓',
        State::Waiting(r) if r.text().contains("network") => '░',
        State::Waiting(r) if gotrace_tui::analysis::goroutines::is_sync_reason(r.text()) => '░',
        State::Waiting(_) => '·',
    };
    let (t0, t1) = model.time_range();
    let cells = (w - 11) as usize;
    let cell_ns = (t1 - t0) as f64 / cells as f64;
    let lines: Vec<&str> = screen.lines().collect();
    for (row, g) in group.goroutines.iter().enumerate() {
        let line: Vec<char> = lines[8 + row].chars().collect();
        assert_eq!(
            line[..11].iter().collect::<String>().trim_end(),
            format!("G{g}")
        );
        let spans = &lives[g].spans;
        for c in 1..cells {
            let a = t0 + (c as f64 * cell_ns) as i64;
            let b = (t0 + ((c + 1) as f64 * cell_ns) as i64).max(a + 1);
            let mut best: Option<(State, i64)> = None;
            for s in spans.iter() {
                let d = s.end.min(b) - s.start.max(a);
                if d > 0 && best.is_none_or(|(_, bd)| d > bd) {
                    best = Some((s.state, d));
                }
            }
            let want = best.map_or(' ', |(s, _)| glyph(&s));
            assert_eq!(line[11 + c], want, "G{g} cell {c}");
        }
    }
    insta::assert_snapshot!("timeline_mutex_goroutine_rows_120x40", screen);
    // Enter on a goroutine row opens it on the Goroutines tab.
    tui::press(&mut app, KeyCode::Enter);
    assert_eq!(app.tab, Tab::Goroutines);
}

/// No screen size makes a tab, a popup or a prompt panic: every tab at every size from
/// 1×1 to 48×14, with help, details, the flow picker, the causality panels and the
/// jump prompt open.
#[test]
fn tiny_screens_never_panic() {
    let states: &[&str] = &["", "?", ".", "]", "c", "e", ":g1", "\n"];
    for (trace, tab) in ["go126/chan.trace", "go126/http.trace"]
        .iter()
        .flat_map(|t| (1..=7).map(move |tab| (*t, tab)))
    {
        for state in states {
            let mut app = tui::app(trace);
            tui::screen(&mut app, 120, 30);
            tui::keys(&mut app, &tab.to_string());
            if *state == "\n" {
                // Drill into the first row of a list tab.
                tui::press(&mut app, KeyCode::Enter);
            } else {
                tui::keys(&mut app, state);
            }
            if *state == "." {
                tui::press(&mut app, KeyCode::Enter);
            }
            tui::settle(&mut app);
            for w in (1..=48).step_by(3) {
                for h in 1..=14 {
                    tui::screen(&mut app, w, h);
                }
            }
        }
    }
}

/// From the Goroutines tab, `t` shows the selected group's goroutines as timeline rows;
/// Ctrl-o comes back.
#[test]
fn t_on_a_group_shows_its_goroutine_rows() {
    let mut app = tui::app("go126/stress.trace");
    let model = app.model().unwrap().clone();
    tui::screen(&mut app, 120, 40);
    tui::keys(&mut app, "2j");
    tui::screen(&mut app, 120, 40);
    tui::keys(&mut app, "t");
    tui::settle(&mut app);
    assert_eq!(app.tab, Tab::Timeline);
    let s = tui::screen(&mut app, 120, 40);
    // The second group by execution (the tab's initial order).
    let grp = &model.groups[1];
    assert!(s.contains(&format!("group {}", grp.name)), "{s}");
    assert_eq!(
        app.timeline.row_label(&model),
        Some(format!("G{}", grp.goroutines[0]))
    );
    let ev = ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Char('o'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    );
    if let Some(a) = app.key(&ev) {
        app.update(a);
    }
    assert_eq!(app.tab, Tab::Goroutines);
}

/// The Info tab's GOMAXPROCS facts on the program that sets it to 2, 1, 4, 2 while
/// tracing (it was 2 already, so the runtime stops the world three times): as many
/// changes as Go's own event stream has `stop-the-world (GOMAXPROCS)` ranges, and 4 the
/// largest.
#[test]
fn info_counts_gomaxprocs_changes() {
    let app = tui::app("go126/gomaxprocs.trace");
    let model = app.model().unwrap().clone();
    let facts = gotrace_tui::tui::views::info::Facts::of(&model);
    let mut parsed = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(
            std::fs::File::open(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/testdata/traces/go126/gomaxprocs.parsed.gz"
            ))
            .unwrap(),
        ),
        &mut parsed,
    )
    .unwrap();
    let want = parsed
        .lines()
        .filter(|l| l.contains("RangeBegin") && l.contains("stop-the-world (GOMAXPROCS)"))
        .count();
    assert_eq!(want, 3);
    assert_eq!(facts.gomaxprocs_changes, want);
    assert_eq!(model.procs.max_proc + 1, 4);
}

/// With `--mouse`, a click on the timeline selects the row and puts the cursor on the
/// clicked cell's time.
#[test]
fn a_click_on_the_timeline_selects_row_and_time() {
    use gotrace_tui::tui::action::Action;
    let mut app = tui::app("go126/mutex.trace");
    let model = app.model().unwrap().clone();
    let (t0, t1) = model.time_range();
    let (w, h) = (120u16, 30u16);
    tui::screen(&mut app, w, h);
    // Lanes start under the title, tabs, axis and five tracks; time cells after the
    // 11-column labels.
    app.update(Action::Click {
        column: 11 + 40,
        row: 2 + 1 + 5 + 1,
    });
    assert_eq!(app.timeline.row_label(&model).as_deref(), Some("P1"));
    let cell_ns = (t1 - t0) as f64 / (w - 11) as f64;
    assert_eq!(app.timeline.cursor(), t0 + (40.0 * cell_ns) as i64);
    let s = tui::screen(&mut app, w, h);
    assert!(
        s.contains(&format!(
            "cursor {}",
            gotrace_tui::tui::format::dur((40.0 * cell_ns) as i64)
        )),
        "{s}"
    );
}

/// Zoomed in far from the trace start, the info line still tells the window's ends
/// apart: with three significant digits they would read the same.
#[test]
fn the_info_line_keeps_enough_digits_when_zoomed_in() {
    let mut app = tui::app("go126/http.trace");
    tui::screen(&mut app, 160, 48);
    // The cursor to 3.5 ms (of 4.27 ms): zooming keeps it in view.
    tui::keys(&mut app, ":");
    for c in "3.5ms".chars() {
        tui::press(&mut app, KeyCode::Char(c));
    }
    tui::press(&mut app, KeyCode::Enter);
    let times = |app: &mut gotrace_tui::tui::app::App| {
        let s = tui::screen(app, 160, 48);
        let line = s
            .lines()
            .find(|l| l.starts_with("cursor "))
            .unwrap()
            .to_string();
        let w: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        // "cursor C  window A – B ..."
        assert_eq!(
            (w[0].as_str(), w[2].as_str(), w[4].as_str()),
            ("cursor", "window", "–")
        );
        (w[1].clone(), w[3].clone(), w[5].clone())
    };
    let (_, from, to) = times(&mut app);
    assert_ne!(from, to);
    for _ in 0..14 {
        tui::keys(&mut app, "+");
        let (cursor, from, to) = times(&mut app);
        assert_ne!(from, to, "cursor {cursor}");
        for t in [cursor, from, to] {
            assert!(t.ends_with('s'), "{t}");
        }
    }
}
