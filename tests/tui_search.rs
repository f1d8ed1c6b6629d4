//! `/` search in the explorer and its headless twin `gotrace-tui search`: the matches
//! listed and stepped through (n/N) are those of the search analysis, in time order.

#[path = "common/cli.rs"]
mod cli;

#[path = "common/tui.rs"]
mod tui;

use gotrace_tui::analysis::search::search;
use gotrace_tui::tui::app::App;
use gotrace_tui::tui::format::dur;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn type_search(app: &mut App, text: &str) {
    tui::keys(app, "/");
    for c in text.chars() {
        app.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    app.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    // The search runs on its own thread.
    tui::settle(app);
}

#[test]
fn the_channel_send_is_found_by_its_stack_and_enter_goes_there() {
    let mut app = tui::app("go126/chan.trace");
    let model = app.model().unwrap().clone();
    let (t0, _) = model.time_range();
    tui::screen(&mut app, 120, 30);
    type_search(&mut app, "chansend");
    let s = tui::screen(&mut app, 120, 30);
    assert!(s.contains("1 matches of \"chansend\""), "{s}");
    insta::assert_snapshot!("search_chansend_120x30", s);
    tui::press(&mut app, KeyCode::Enter);
    let s = tui::screen(&mut app, 120, 30);
    let (m, _) = search(&model.procs, |g| model.goroutine_name(g), "chansend", 10);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].goroutine, Some(8));
    assert!(
        s.contains(&format!("cursor {}", dur(m[0].time - t0))),
        "{s}"
    );
    assert!(s.contains("G8 main.main.func1"), "{s}");
    assert!(s.contains("/chansend: 1/1 matches"), "{s}");
}

#[test]
fn n_and_shift_n_step_through_the_matches_in_time_order() {
    let mut app = tui::app("go126/http.trace");
    let model = app.model().unwrap().clone();
    let (t0, _) = model.time_range();
    let (want, total) = search(&model.procs, |g| model.goroutine_name(g), "request", 1000);
    assert!(want.len() >= 5 && total == want.len());
    assert!(want.windows(2).all(|w| w[0].time <= w[1].time));
    tui::screen(&mut app, 120, 30);
    type_search(&mut app, "request");
    tui::press(&mut app, KeyCode::Esc); // close the list; n/N from the cursor
    let mut times = Vec::new();
    for _ in 0..5 {
        tui::keys(&mut app, "n");
        let s = tui::screen(&mut app, 120, 30);
        let line = s.lines().rev().nth(2).unwrap().to_string();
        times.push(line);
    }
    // Distinct match times in order (several matches can share a time on two Ps).
    let mut distinct: Vec<i64> = want.iter().map(|m| m.time).collect();
    distinct.dedup();
    for (line, t) in times.iter().zip(&distinct) {
        assert!(line.contains(&format!("cursor {} ", dur(t - t0))), "{line}");
    }
    tui::keys(&mut app, "N");
    let s = tui::screen(&mut app, 120, 30);
    assert!(
        s.contains(&format!("cursor {} ", dur(distinct[3] - t0))),
        "{s}"
    );
    // Esc clears the search.
    tui::press(&mut app, KeyCode::Esc);
    assert!(!tui::screen(&mut app, 120, 30).contains("Matches"));
}

#[test]
fn the_search_command_prints_the_same_matches() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/traces/go126/http.trace"
    );
    let v = cli::json_of(["search", "--json", path, "request"]);
    let app = tui::app("go126/http.trace");
    let model = app.model().unwrap().clone();
    let (t0, _) = model.time_range();
    let (want, total) = search(&model.procs, |g| model.goroutine_name(g), "request", 1000);
    assert_eq!(v["total"].as_u64(), Some(total as u64));
    let got = v["matches"].as_array().unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g["time_ns"].as_i64(), Some(w.time - t0));
        assert_eq!(g["proc"].as_u64(), Some(w.lane));
        assert_eq!(g["goroutine"].as_i64(), w.goroutine);
    }
}
