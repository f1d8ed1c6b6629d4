//! `F` filters the goroutine views: the Goroutines tab lists only the goroutines the
//! filter keeps (counts and sums over them), the timeline's goroutine rows too, the
//! title bar says so, and Esc clears it. What each term keeps is checked against the
//! goroutine analysis and, for `interacts`, against the flow links (equal to go tool
//! trace's arrows).

#[path = "common/tui.rs"]
mod tui;

use gotrace_tui::analysis::flows::Cause;
use gotrace_tui::tui::app::{App, Tab};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeSet;

/// Opens the filter prompt (which starts with the filter in force), clears it with
/// Ctrl-u, types `text` and applies it.
fn filter(app: &mut App, text: &str) {
    tui::keys(app, "F");
    app.key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for c in text.chars() {
        app.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    app.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    // A filter with `interacts` is applied on a thread of its own.
    tui::settle(app);
}

fn kept(app: &App) -> BTreeSet<i64> {
    app.filter
        .as_ref()
        .expect("a filter")
        .ids
        .iter()
        .copied()
        .collect()
}

#[test]
fn time_and_state_terms_keep_what_the_analysis_says() {
    let mut app = tui::app("go126/mutex.trace");
    let model = app.model().unwrap().clone();
    let all = || model.summary.goroutines.values();
    filter(&mut app, "blocked>1ms");
    let want: BTreeSet<i64> = all()
        .filter(|g| g.stats.block_by_reason.sum() > 1_000_000)
        .map(|g| g.id)
        .collect();
    assert!(!want.is_empty() && want.len() < model.summary.goroutines.len());
    assert_eq!(kept(&app), want);

    filter(&mut app, "state:sync running>10us");
    let names = &model.summary.names;
    let want: BTreeSet<i64> = all()
        .filter(|g| {
            g.stats.exec > 10_000
                && g.stats.block_by_reason.iter().any(|(k, d)| {
                    d > 0 && gotrace_tui::analysis::goroutines::is_sync_reason(names.get(k))
                })
        })
        .map(|g| g.id)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(kept(&app), want);

    // The Goroutines tab: the groups with kept members, their counts.
    tui::keys(&mut app, "2");
    let s = tui::screen(&mut app, 160, 48);
    assert!(s.contains("filter state:sync running>10us"), "{s}");
    insta::assert_snapshot!("filter_mutex_groups_160x48", s);
    for grp in &model.groups {
        let n = grp.goroutines.iter().filter(|g| want.contains(g)).count();
        let shown = s.lines().any(|l| l.contains(grp.name.as_str()));
        assert_eq!(shown, n > 0, "{}:\n{s}", grp.name);
    }
    // Esc at the top of the tab clears the filter.
    tui::press(&mut app, KeyCode::Esc);
    assert!(app.filter.is_none());
    assert!(!tui::screen(&mut app, 160, 48).contains("filter state:"));
}

#[test]
fn interacts_keeps_the_goroutines_linked_by_flows() {
    let rel = "go126/chan.trace";
    let mut app = tui::app(rel);
    tui::screen(&mut app, 120, 30);
    // The cursor starts on main's first slice.
    filter(&mut app, "interacts");
    let flows = tui::flows(rel);
    let mut want: BTreeSet<i64> = flows.outgoing(1).map(|l| l.target).collect();
    want.extend(flows.incoming(1).filter_map(|l| match l.cause {
        Cause::Goroutine(c) => Some(c),
        _ => None,
    }));
    want.remove(&1);
    assert_eq!(kept(&app), want);
}

#[test]
fn goroutine_rows_follow_the_filter() {
    let mut app = tui::app("go126/stress.trace");
    let model = app.model().unwrap().clone();
    tui::screen(&mut app, 120, 40);
    // The largest group, shown as rows, then filtered down.
    let grp = &model.groups[0];
    filter(
        &mut app,
        &format!("group:{} running>50us", grp.name.to_lowercase()),
    );
    let want: Vec<i64> = grp
        .goroutines
        .iter()
        .copied()
        .filter(|g| model.summary.goroutines.member(g).stats.exec > 50_000)
        .collect();
    assert!(!want.is_empty());
    tui::keys(&mut app, "tt");
    tui::settle(&mut app);
    let s = tui::screen(&mut app, 120, 40);
    // Row labels fill the first 11 columns ("G65" and spaces); the line under the lanes
    // that names the selection ("G65 runtime.…") does not.
    let shown: Vec<String> = s
        .lines()
        .map(|l| l.chars().take(11).collect::<String>())
        .filter(|label| label.starts_with('G') && !label.trim_end().contains(' '))
        .filter(|label| label[1..].trim_end().parse::<i64>().is_ok())
        .map(|label| label.trim_end().to_string())
        .collect();
    assert!(!shown.is_empty(), "no goroutine rows:\n{s}");
    let expect: Vec<String> = want
        .iter()
        .take(shown.len())
        .map(|g| format!("G{g}"))
        .collect();
    assert_eq!(shown, expect, "{s}");
    assert_eq!(app.tab, Tab::Timeline);
}

#[test]
fn task_terms_keep_the_goroutines_of_the_tasks_they_name() {
    let mut app = tui::app("go122/http.trace");
    let model = app.model().unwrap().clone();
    let tasks: Vec<_> = model.summary.tasks.values().collect();
    let task = tasks
        .iter()
        .find(|t| !t.goroutines.is_empty())
        .expect("http.trace has tasks with goroutines");
    filter(&mut app, &format!("task:{}", task.id));
    let want: BTreeSet<i64> = task.goroutines.iter().copied().collect();
    assert_eq!(kept(&app), want);

    // By type (a name without spaces: terms are split at them): the goroutines of every
    // task of that type.
    let typed = tasks
        .iter()
        .find(|t| !t.goroutines.is_empty() && !t.name.contains(' '))
        .expect("a task type without spaces");
    let name = typed.name.to_lowercase();
    filter(&mut app, &format!("task:{name}"));
    let want: BTreeSet<i64> = tasks
        .iter()
        .filter(|t| t.name.to_lowercase() == name)
        .flat_map(|t| t.goroutines.iter().copied())
        .collect();
    assert_eq!(kept(&app), want);

    // With another term, both must hold.
    filter(&mut app, &format!("task:{name} task:{}", typed.id));
    let want: BTreeSet<i64> = typed.goroutines.iter().copied().collect();
    assert_eq!(kept(&app), want);
    filter(&mut app, &format!("task:{name} task:{}", u64::MAX));
    assert!(kept(&app).is_empty());
}
