//! The `:` jump prompt: goroutines, Ps, threads, times (absolute and relative to the
//! cursor), tasks and fuzzy names, each landing where it says, recorded in the history.

#[path = "common/tui.rs"]
mod tui;

use gotrace_tui::tui::app::{App, Tab};
use gotrace_tui::tui::format::dur;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Opens the prompt, types `text` and returns the screen with the candidates.
fn type_jump(app: &mut App, text: &str) -> String {
    tui::keys(app, ":");
    for c in text.chars() {
        app.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    tui::screen(app, 120, 30)
}

fn enter(app: &mut App) {
    app.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
}

fn selected(screen: &str) -> String {
    screen.lines().rev().nth(1).unwrap().trim_end().to_string()
}

#[test]
fn goroutine_proc_and_time_jumps() {
    let mut app = tui::app("go126/chan.trace");
    let model = app.model().unwrap().clone();
    let (t0, _) = model.time_range();
    tui::screen(&mut app, 120, 30);

    let s = type_jump(&mut app, "g8");
    assert!(s.contains("goroutine G8 main.main.func1"), "{s}");
    insta::assert_snapshot!("jump_g8_120x30", s);
    enter(&mut app);
    let s = tui::screen(&mut app, 120, 30);
    assert!(
        selected(&s).starts_with("P") && selected(&s).contains("G8 main.main.func1"),
        "{s}"
    );
    assert_eq!(app.back.len(), 1, "the jump is in the history");

    type_jump(&mut app, "p1");
    enter(&mut app);
    assert_eq!(app.timeline.row_label(&model).as_deref(), Some("P1"));
    type_jump(&mut app, "p0");
    enter(&mut app);
    assert_eq!(app.timeline.row_label(&model).as_deref(), Some("P0"));

    type_jump(&mut app, "2ms");
    enter(&mut app);
    let s = tui::screen(&mut app, 120, 30);
    assert!(s.contains(&format!("cursor {}", dur(2_000_000))), "{s}");
    type_jump(&mut app, "+20us");
    enter(&mut app);
    let s = tui::screen(&mut app, 120, 30);
    assert!(s.contains(&format!("cursor {}", dur(2_020_000))), "{s}");
    type_jump(&mut app, "-1ms");
    enter(&mut app);
    assert!(tui::screen(&mut app, 120, 30).contains(&format!("cursor {}", dur(1_020_000))));
    let _ = t0;

    // Esc closes without jumping; Ctrl-o walks back through the jumps.
    let before = app.location();
    type_jump(&mut app, "g1");
    app.key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert!(app.prompt.is_none());
    assert_eq!(app.location(), before);
}

#[test]
fn fuzzy_names_rank_groups_and_open_their_goroutine_rows() {
    let mut app = tui::app("go126/chan.trace");
    tui::screen(&mut app, 120, 30);
    let s = type_jump(&mut app, "mainfunc2");
    let first = s.lines().find(|l| l.contains("group ")).unwrap_or("");
    assert!(first.contains("group main.main.func2"), "{s}");
    enter(&mut app);
    tui::settle(&mut app);
    let s = tui::screen(&mut app, 120, 30);
    assert_eq!(app.tab, Tab::Timeline);
    assert!(s.contains("group main.main.func2"), "{s}");
}

#[test]
fn tasks_by_id_and_by_name() {
    let mut app = tui::app("go126/http.trace");
    let model = app.model().unwrap().clone();
    let (t0, _) = model.time_range();
    tui::screen(&mut app, 120, 30);
    let task = model
        .summary
        .tasks
        .values()
        .find(|t| t.start.is_some() && t.end.is_some())
        .expect("http.trace has complete tasks");
    let id = task.id;
    let s = type_jump(&mut app, &format!("task {id}"));
    assert!(s.contains(&format!("task {id} {}", task.name)), "{s}");
    enter(&mut app);
    let s = tui::screen(&mut app, 120, 30);
    assert!(
        s.contains(&format!("cursor {}", dur(task.start.unwrap().time - t0))),
        "{s}"
    );
    assert_eq!(app.timeline.focused_task().map(|f| f.task), Some(id));
    let s = type_jump(&mut app, &task.name[..task.name.len().min(6)]);
    assert!(s.contains(&format!(" {}", task.name)), "{s}");
}
