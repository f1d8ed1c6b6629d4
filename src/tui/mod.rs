//! The terminal app: `gotrace-tui TRACE`. The first frame comes from the index; one
//! background thread decodes the trace into the [`model::Model`] while keys keep working.

pub mod action;
pub mod app;
pub mod bench;
pub mod filter;
pub mod format;
pub mod keymap;
pub mod model;
pub mod prompt;
pub mod theme;
pub mod views;
pub mod widgets;

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use color_eyre::eyre::{Result, bail, eyre};
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind,
};
use ratatui::crossterm::execute;

use app::{App, Loading};
use model::{Facts, Model, Progress, TraceFile};

/// A small trace built into the binary for `--demo` (Go 1.26, a mutex-contention program).
pub const DEMO_TRACE: &[u8] = include_bytes!("../../testdata/traces/go126/mutex.trace");

/// How often the screen refreshes while something computes in the background.
const TICK: Duration = Duration::from_millis(50);

/// Runs the explorer on `file` until the user quits.
pub fn run(file: TraceFile, name: String, mouse: bool) -> Result<()> {
    if !std::io::stdout().is_terminal() {
        bail!(
            "the explorer needs a terminal, and standard output is not one; \
             for text output use a subcommand (gotrace-tui --help lists them)"
        );
    }
    // Only the header is read before the first frame: a bad file fails here, clearly,
    // and a huge one shows at once; the index and the analyses follow in the background.
    let version = crate::trace::reader::read_header(file.source.bytes())
        .map_err(|e| eyre!("{}: {e}", file.path.display()))?;
    let facts = Facts::from_header(name.clone(), file.source.bytes().len() as u64, version);
    let file = Arc::new(file);
    let progress = Arc::new(Progress::default());
    let (tx, rx) = mpsc::channel();
    {
        let (file, progress) = (file.clone(), progress.clone());
        std::thread::Builder::new()
            .name("analysis".into())
            .spawn(move || {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    if let Ok(index) = crate::trace::index::Index::build_releasing(&file.source) {
                        let _ = tx.send(Ok(Loaded::Index(Facts::from_index(name, &index))));
                    }
                    Model::build(&file, &progress)
                }));
                let _ = tx.send(r.map(|m| Loaded::Model(Box::new(m))).map_err(|_| ()));
            })?;
    }
    let mut terminal = ratatui::try_init()?;
    if mouse {
        execute!(std::io::stdout(), EnableMouseCapture)?;
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(std::io::stdout(), DisableMouseCapture);
            prev(info);
        }));
    }
    let theme = theme::Theme::detect();
    let mut app = App::new(file, facts, theme);
    let r = event_loop(&mut terminal, &mut app, &progress, &rx);
    if mouse {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
    }
    ratatui::try_restore()?;
    r
}

/// What the loader thread sends: the index facts, then the model; `Err` if it panicked.
type LoadResult = std::result::Result<Loaded, ()>;

/// A loader message.
enum Loaded {
    /// The index has been read.
    Index(Facts),
    /// The analyses are done (or failed).
    Model(Box<std::result::Result<Model, String>>),
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    progress: &Progress,
    rx: &mpsc::Receiver<LoadResult>,
) -> Result<()> {
    let mut dirty = true;
    loop {
        if let Loading::Running(seen) = app.loading {
            let now = progress.bytes();
            if now != seen {
                app.loading = Loading::Running(now);
                dirty = true;
            }
            match rx.try_recv() {
                Ok(Ok(Loaded::Index(facts))) => {
                    app.facts = Arc::new(facts);
                    dirty = true;
                }
                Ok(Ok(Loaded::Model(result))) => {
                    app.loaded(*result);
                    dirty = true;
                }
                // The panic hook has already restored the terminal and printed why.
                Ok(Err(())) => bail!("the analysis thread panicked"),
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => bail!("the analysis thread ended"),
            }
        }
        let busy = app.busy();
        if busy {
            dirty |= app.tick();
        }
        if dirty {
            terminal.draw(|f| app.render(f.area(), f.buffer_mut()))?;
            dirty = false;
        }
        if app.quit {
            return Ok(());
        }
        // Block while idle: no redraw loop when nothing happens. (Drawing may have
        // started background work, so ask again.)
        if (busy || app.busy()) && !event::poll(TICK)? {
            continue;
        }
        match event::read()? {
            Event::Key(k) if k.kind == KeyEventKind::Press => {
                if let Some(a) = app.key(&k) {
                    app.update(a);
                }
                dirty = true;
            }
            Event::Mouse(m) => {
                if let Some(a) = app.mouse(&m) {
                    app.update(a);
                    dirty = true;
                }
            }
            Event::Resize(..) => dirty = true,
            _ => {}
        }
    }
}
