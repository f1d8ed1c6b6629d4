//! Jump, search, filter and task focus on every committed trace (Go 1.22–1.26): each
//! lands where it says and keeps what the analyses say, whatever the trace holds.

#[path = "common/tui.rs"]
mod tui;

use std::collections::BTreeSet;

use gotrace_tui::analysis::search::search;
use gotrace_tui::tui::app::App;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn prompt(app: &mut App, lead: char, text: &str) {
    tui::keys(app, &lead.to_string());
    app.key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for c in text.chars() {
        app.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    app.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    tui::settle(app);
}

#[test]
fn jump_search_filter_and_tasks_on_every_committed_trace() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/traces");
    let mut traces = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "trace") {
                traces.push(
                    f.strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    traces.sort();
    assert!(traces.len() >= 55, "{}", traces.len());
    for rel in &traces {
        let mut app = tui::app(rel);
        let model = app.model().unwrap().clone();
        tui::screen(&mut app, 100, 30);

        // Jump to P0 and to the main goroutine (G1 exists in every program's trace).
        prompt(&mut app, ':', "p0");
        if model.procs.lane_ids.contains(&0) {
            assert_eq!(
                app.timeline.row_label(&model).as_deref(),
                Some("P0"),
                "{rel}"
            );
        }
        prompt(&mut app, ':', "g1");
        tui::screen(&mut app, 100, 30);
        // When G1 ran, the cursor is now on one of its runs, on the selected row.
        let g1_ran = model
            .procs
            .lanes
            .iter()
            .any(|l| l.goroutines().iter().any(|g| g == 1));
        if g1_ran {
            let label = app.timeline.row_label(&model).unwrap();
            let lane: u64 = label.trim_start_matches('P').parse().unwrap();
            let spans = &model.procs.lanes[model.procs.row_of(lane).unwrap()];
            let i = spans
                .at(app.timeline.cursor())
                .expect("the cursor is on a slice");
            assert_eq!(spans.goroutines().get(i), 1, "{rel}");
        }

        // Search: the matches listed are the analysis' matches.
        prompt(&mut app, '/', "main");
        let (want, total) = search(&model.procs, |g| model.goroutine_name(g), "main", 100_000);
        let s = tui::screen(&mut app, 100, 30);
        if total > 0 {
            assert!(
                s.contains(&format!("{total} matches of \"main\"")),
                "{rel}:\n{s}"
            );
            // Enter goes to the first one.
            tui::press(&mut app, KeyCode::Enter);
            let label = app.timeline.row_label(&model).unwrap();
            assert_eq!(label, format!("P{}", want[0].lane), "{rel}");
        }
        tui::press(&mut app, KeyCode::Esc);

        // Filter: what it keeps is what the summary says.
        prompt(&mut app, 'F', "running>1us");
        let want: BTreeSet<i64> = model
            .summary
            .goroutines
            .values()
            .filter(|g| g.stats.exec > 1_000)
            .map(|g| g.id)
            .collect();
        let got: BTreeSet<i64> = app.filter.as_ref().unwrap().ids.iter().copied().collect();
        assert_eq!(got, want, "{rel}");
        tui::keys(&mut app, "2");
        tui::screen(&mut app, 100, 30);

        // Every task: focused as go tool trace's task view (when it has one), then its
        // tree's goroutines as rows, drawn at two sizes.
        for task in model.summary.tasks.values() {
            let id = &task.id;
            prompt(&mut app, ':', &format!("task {id}"));
            let focused = app.timeline.focused_task().map(|f| f.task);
            let viewable = task.start.is_some() || task.end.is_some();
            assert_eq!(focused, viewable.then_some(*id), "{rel}: task {id}");
            tui::keys(&mut app, "tt");
            tui::settle(&mut app);
            tui::screen(&mut app, 100, 30);
            tui::screen(&mut app, 80, 12);
            tui::press(&mut app, KeyCode::Esc);
            tui::keys(&mut app, "t");
        }
    }
}
