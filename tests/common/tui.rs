//! Drives the explorer headlessly for tests: an [`App`] on a committed trace with its
//! model loaded, keys sent as actions, the screen rendered to text.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use gotrace_tui::trace::Source;
use gotrace_tui::tui::action::Action;
use gotrace_tui::tui::app::App;
use gotrace_tui::tui::model::{Facts, Model, Progress, TraceFile};
use gotrace_tui::tui::theme::{Palette, Theme};
use gotrace_tui::tui::views::Ctx;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

/// An app on `testdata/traces/<rel>` (e.g. `go126/mutex.trace`), analysis finished,
/// without colours (snapshots hold the text).
pub fn app(rel: &str) -> App {
    let mut app = loading_app(rel);
    let model = Model::build(&app.file, &Progress::default());
    app.loaded(model.map(|mut m| {
        // Memory figures vary from run to run.
        m.peak_rss_kib = None;
        m
    }));
    app
}

/// Renders the app at `w`×`h` and returns the screen as lines of text.
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    app.render(buf.area, &mut buf);
    buffer_text(&buf)
}

/// A buffer's symbols as text, one line per row, trailing spaces kept (wide characters
/// take their cell and the next).
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// Sends a key as the key table maps it (ignored when unbound here).
pub fn press(app: &mut App, code: KeyCode) {
    let ev = KeyEvent::new(code, KeyModifiers::NONE);
    if let Some(a) = app.key(&ev) {
        app.update(a);
    }
}

/// Sends each character of `keys` as a key press.
pub fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Applies actions directly.
pub fn act(app: &mut App, actions: &[Action]) {
    for &a in actions {
        app.update(a);
    }
}

/// Waits (up to 20 s) for the views' background work to finish.
pub fn settle(app: &mut App) {
    let t = std::time::Instant::now();
    while app.busy() && t.elapsed().as_secs() < 20 {
        app.tick();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    app.tick();
}

/// An app on `testdata/traces/<rel>` whose analysis has not arrived: the first frame.
pub fn loading_app(rel: &str) -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/traces")
        .join(rel);
    let bytes = std::fs::read(&path).unwrap();
    let index = gotrace_tui::trace::index::Index::build(&bytes).unwrap();
    let facts = Facts::from_index(rel.to_string(), &index);
    let file = Arc::new(TraceFile {
        source: Source::Owned(bytes),
        path,
    });
    App::new(file, facts, Theme::new(Palette::Mono))
}

/// Runs `f` with a view context on the app's model, to ask a view directly for what it
/// would tell the app (its [`gotrace_tui::tui::views::Effect`]).
pub fn with_ctx<R>(app: &mut App, f: impl FnOnce(&mut App, &Ctx<'_>) -> R) -> R {
    let shared = app.shared().expect("a loaded model");
    f(app, &shared.ctx())
}

/// Checks that every visible character of the app's screen at `w`×`h` has a foreground
/// different from its background (what a palette must keep on every tab).
pub fn assert_readable(app: &mut App, w: u16, h: u16) {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    app.render(buf.area, &mut buf);
    for c in buf.content() {
        if !c.symbol().trim().is_empty() && c.fg != ratatui::style::Color::Reset {
            assert_ne!(c.fg, c.bg, "{:?} unreadable", c.symbol());
        }
    }
}

/// The causal links of `testdata/traces/<rel>` (go tool trace's flow arrows, as
/// tests/flows.rs checks them).
pub fn flows(rel: &str) -> gotrace_tui::analysis::flows::Flows {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/traces")
            .join(rel),
    )
    .unwrap();
    let mut b = gotrace_tui::analysis::timeline::TimelineBuilder::by_goroutine().links_only();
    gotrace_tui::analysis::run(
        gotrace_tui::trace::Reader::new(&bytes).unwrap(),
        &mut [&mut b],
    );
    gotrace_tui::analysis::flows::Flows::from_timeline(&b.finish())
}
