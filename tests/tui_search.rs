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

/// The search analysis finds exactly what a plain scan of every slice and every arrow
/// finds: the slices whose goroutine's start function, end or start stack, unblock
/// reason (the arrow into the slice) or the stack of an arrow it caused (out of its lane
/// during the slice) contains the text, each with the first reason in that order.
#[test]
fn matches_are_those_of_a_plain_scan_of_slices_and_arrows() {
    use gotrace_tui::analysis::search::Hit;
    use gotrace_tui::analysis::timeline::NO_STACK;
    let mut kinds: std::collections::BTreeSet<&str> = Default::default();
    for rel in ["go126/http.trace", "go126/chan.trace", "go126/mutex.trace"] {
        let app = tui::app(rel);
        let model = app.model().unwrap();
        let tl = &model.procs;
        let arrows: Vec<_> = tl.compact_arrows().collect();
        for pattern in ["chan", "sync", "unblock", "main", "net"] {
            let has = |s: &str| s.to_lowercase().contains(pattern);
            let stack_has = |id: u32| {
                id != NO_STACK
                    && tl.stacks[id as usize]
                        .iter()
                        .any(|f| has(&f.func) || has(&f.file))
            };
            let mut want = Vec::new();
            for (&lane, spans) in tl.lane_ids.iter().zip(&tl.lanes) {
                for i in 0..spans.len() {
                    let (s0, s1, g) = (
                        spans.starts().get(i),
                        spans.ends().get(i),
                        spans.goroutines().get(i),
                    );
                    let [st, en] = spans.stacks(i);
                    let unblock = arrows.iter().any(|a| {
                        a.to_lane == lane && a.to_time == s0 && a.goroutine == g && has(&a.name)
                    });
                    let caused = arrows.iter().any(|a| {
                        a.from_lane == lane
                            && (s0..=s1).contains(&a.from_time)
                            && a.stack.is_some_and(stack_has)
                    });
                    let kind = if has(model.goroutine_name(g)) {
                        "name"
                    } else if stack_has(en) {
                        "end"
                    } else if stack_has(st) {
                        "start"
                    } else if unblock {
                        "unblock"
                    } else if caused {
                        "caused"
                    } else {
                        continue;
                    };
                    want.push((s0, lane, g, kind));
                }
            }
            let (got, total) = search(tl, |g| model.goroutine_name(g), pattern, usize::MAX);
            let mut got: Vec<_> = got
                .iter()
                .filter_map(|m| {
                    let kind = match m.hit {
                        Hit::Name(_) => "name",
                        Hit::EndStack(_) => "end",
                        Hit::StartStack(_) => "start",
                        Hit::Unblock(_) => "unblock",
                        Hit::Caused(_) => "caused",
                        Hit::Log(_) => return None,
                    };
                    Some((m.time, m.lane, m.goroutine?, kind))
                })
                .collect();
            let logs = total - got.len();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{rel}: {pattern}");
            assert_eq!(total, want.len() + logs, "{rel}: {pattern}");
            kinds.extend(want.iter().map(|w| w.3));
        }
    }
    // Each reason was seen, so each part of the scan was compared.
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["caused", "end", "name", "start", "unblock"]
    );
}

/// A search kept to its first `limit` matches lists exactly the first `limit` of the
/// whole search, in the same order and with the same hits, and counts them all: the
/// lanes' matches are merged in time order (ties by lane, a slice before a log at the
/// same instant), whichever lane and however many matches each has.
#[test]
fn a_limited_search_is_the_first_matches_of_the_whole_search() {
    use gotrace_tui::analysis::search::Hit;
    let (mut logs, mut lanes) = (0, std::collections::BTreeSet::new());
    let traces = ["http", "chan", "misc", "stress", "gomaxprocs"];
    for rel in traces.map(|t| format!("go126/{t}.trace")) {
        let rel = rel.as_str();
        let app = tui::app(rel);
        let model = app.model().unwrap();
        let tl = &model.procs;
        for pattern in ["chan", "main", "runtime", "log", "request"] {
            let (all, total) = search(tl, |g| model.goroutine_name(g), pattern, usize::MAX);
            assert_eq!(total, all.len(), "{rel}: {pattern}");
            let keys: Vec<_> = all.iter().map(|m| (m.time, m.lane)).collect();
            assert!(keys.is_sorted(), "{rel}: {pattern}: not in time order");
            logs += all.iter().filter(|m| matches!(m.hit, Hit::Log(_))).count();
            lanes.extend(all.iter().map(|m| (rel.to_string(), m.lane)));
            for limit in [0, 1, 2, 7, all.len() / 3, all.len().saturating_sub(1)] {
                let (first, n) = search(tl, |g| model.goroutine_name(g), pattern, limit);
                assert_eq!(n, total, "{rel}: {pattern} limit {limit}");
                assert_eq!(
                    first,
                    all[..limit.min(all.len())],
                    "{rel}: {pattern} limit {limit}"
                );
            }
        }
    }
    // The merge was exercised: logs among slices, and many lanes.
    assert!(logs > 0);
    assert!(lanes.len() > 2 * traces.len(), "{lanes:?}");
}
