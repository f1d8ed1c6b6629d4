//! `gotrace-tui bench --explorer`: the explorer's start-up and key-press latency on a
//! trace, measured headlessly (the same App, rendered into an off-screen buffer).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::Action;
use super::app::{App, Tab};
use super::model::{Facts, Model, Progress, TraceFile};
use super::theme::{Palette, Theme};

/// The key presses timed, in order: what a user does first on a big trace.
const SCRIPT: &[Action] = &[
    Action::ZoomIn,
    Action::ZoomIn,
    Action::Right,
    Action::Down,
    Action::NextSlice,
    Action::NextSlice,
    Action::Enter,
    Action::Back,
    Action::ZoomOut,
    Action::ZoomAll,
    Action::ToggleRows,
    Action::PageDown,
    Action::ToggleRows,
    Action::GoTab(Tab::Goroutines),
    // The largest group (by count, the Count column sorted): the slowest to open.
    Action::Right,
    Action::Sort,
    Action::Enter,
    Action::PageDown,
    // Its page sorted by a column of its 394,240 goroutines (on the benchmark trace).
    Action::Right,
    Action::Sort,
    Action::Back,
    Action::GoTab(Tab::Profiles),
    Action::NextKind,
    Action::GoTab(Tab::Tasks),
    Action::GoTab(Tab::Regions),
    Action::GoTab(Tab::Mmu),
    Action::GoTab(Tab::Info),
    Action::GoTab(Tab::Timeline),
    Action::ZoomIn,
    Action::Left,
];

/// Runs the benchmark and prints its figures.
pub fn run(file: TraceFile, out: &mut impl Write) -> std::io::Result<()> {
    let area = Rect::new(0, 0, 160, 48);
    let t = Instant::now();
    // As `tui::run` does: the header, then the first frame; the index after it.
    let version = crate::trace::reader::read_header(file.source.bytes())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let size = file.source.bytes().len() as u64;
    let file = Arc::new(file);
    let facts = Facts::from_header("bench".into(), size, version);
    let mut app = App::new(file.clone(), facts, Theme::new(Palette::Xterm256));
    let mut buf = Buffer::empty(area);
    app.render(area, &mut buf);
    let first = t.elapsed();
    writeln!(
        out,
        "first frame      {:.1} ms (header + loading screen)",
        ms(first)
    )?;
    let t = Instant::now();
    let index = crate::trace::index::Index::build_releasing(&file.source)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    app.facts = Arc::new(Facts::from_index("bench".into(), &index));
    drop(index);
    buf = Buffer::empty(area);
    app.render(area, &mut buf);
    writeln!(
        out,
        "index frame      {:.1} ms (time axis, generations)",
        ms(t.elapsed())
    )?;

    let t = Instant::now();
    let model = Model::build(&file, &Progress::default());
    let load = t.elapsed();
    let model = model.map_err(std::io::Error::other)?;
    writeln!(
        out,
        "analysis         {:.2} s ({} events)",
        load.as_secs_f64(),
        model.events
    )?;
    if let Some(kib) = model.peak_rss_kib {
        writeln!(
            out,
            "peak RSS then    {} MiB (before any on-demand work)",
            kib / 1024
        )?;
    }
    if let Some(kib) = crate::report::bench::rss_kib() {
        writeln!(
            out,
            "RSS then         {} MiB (resident once loaded)",
            kib / 1024
        )?;
    }
    writeln!(out, "timeline MB      {}", footprint(&model.procs))?;
    app.loaded(Ok(model));
    let t = Instant::now();
    buf = Buffer::empty(area);
    app.render(area, &mut buf);
    writeln!(out, "first full frame {:.1} ms", ms(t.elapsed()))?;

    let mut times: Vec<(Duration, Action)> = Vec::new();
    // Resident memory after each key's background work: what each view adds.
    // And the peak so far, which shows the transient cost of building a view.
    let mut rss_after: Vec<String> = Vec::new();
    for &a in SCRIPT {
        reset_peak();
        times.push((frame_after(&mut app, area, |app| app.update(a)), a));
        // Background work a view started (footprint, recomputations) is not a key's
        // latency: wait for it outside the timing, and say how long it took.
        let background = settle(&mut app);
        let mut after = memory();
        if background >= Duration::from_millis(2) {
            after.push_str(&format!("; then {:.0} ms in background", ms(background)));
        }
        rss_after.push(after);
    }
    let mut sorted: Vec<Duration> = times.iter().map(|t| t.0).collect();
    sorted.sort();
    let (worst, action) = times
        .iter()
        .max_by_key(|t| t.0)
        .copied()
        .unwrap_or((Duration::ZERO, Action::Quit));
    writeln!(
        out,
        "key presses      {} timed at 160x48: median {:.2} ms, max {:.2} ms ({action:?})",
        times.len(),
        ms(sorted[sorted.len() / 2]),
        ms(worst)
    )?;
    for ((d, a), rss) in times.iter().zip(&rss_after) {
        writeln!(out, "  {:>8.2} ms  {:<24} {rss}", ms(*d), format!("{a:?}"))?;
    }
    causality(&mut app, area, out)?;
    if let Some(kib) = overall_peak_kib() {
        writeln!(out, "peak RSS         {} MiB", kib / 1024)?;
    }
    // After the peak is read: a second thread timeline here would only inflate it.
    let procs = app.model().map(|m| m.procs.clone()).unwrap_or_default();
    if let Ok(Ok(threads)) = Model::build_threads(&file, &procs).recv() {
        writeln!(out, "thread rows MB   {}", footprint(&threads))?;
    }
    Ok(())
}

/// A timeline's memory by part, in MB.
fn footprint(tl: &crate::analysis::timeline::Timeline) -> String {
    let parts: Vec<String> = tl
        .footprint()
        .into_iter()
        .filter(|&(_, b)| b > 0)
        .map(|(part, b)| format!("{part} {:.0}", b as f64 / 1e6))
        .collect();
    parts.join(", ")
}

/// How long `act` and the frame after it take.
fn frame_after(app: &mut App, area: Rect, act: impl FnOnce(&mut App)) -> Duration {
    let t = Instant::now();
    act(app);
    let mut buf = Buffer::empty(area);
    app.render(area, &mut buf);
    t.elapsed()
}

/// Waits (up to two minutes) for the work the views started in the background, and
/// returns how long that took.
fn settle(app: &mut App) -> Duration {
    let t = Instant::now();
    while app.busy() && t.elapsed() < Duration::from_secs(120) {
        app.tick();
        std::thread::sleep(Duration::from_millis(1));
    }
    let waited = t.elapsed();
    app.tick();
    waited
}

/// Presses `keys` one by one (each with a frame) and prints the slowest and the total.
fn timed(
    out: &mut impl Write,
    area: Rect,
    label: &str,
    app: &mut App,
    keys: &[ratatui::crossterm::event::KeyCode],
) -> std::io::Result<()> {
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
    let mut worst = Duration::ZERO;
    let mut total = Duration::ZERO;
    reset_peak();
    for &k in keys {
        let d = frame_after(app, area, |app| {
            if let Some(a) = app.key(&KeyEvent::new(k, KeyModifiers::NONE)) {
                app.update(a);
            }
        });
        worst = worst.max(d);
        total += d;
    }
    writeln!(
        out,
        "  {label:<44} {} keys, max {:.2} ms, total {:.2} ms; {}",
        keys.len(),
        ms(worst),
        ms(total),
        memory()
    )
}

/// The highest resident memory (KiB) seen before the kernel's high-water mark was last
/// reset by [`reset_peak`].
static PEAK_BEFORE_KIB: AtomicU64 = AtomicU64::new(0);

/// Starts a step's own peak: keeps the high-water mark so far in [`PEAK_BEFORE_KIB`],
/// then resets it to the resident memory now (Linux: `5` to `/proc/self/clear_refs`;
/// where that fails, a step's peak is the peak so far).
fn reset_peak() {
    if let Some(kib) = crate::report::bench::peak_rss_kib() {
        PEAK_BEFORE_KIB.fetch_max(kib, Relaxed);
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident memory of the whole run (KiB), across resets.
fn overall_peak_kib() -> Option<u64> {
    crate::report::bench::peak_rss_kib().map(|kib| kib.max(PEAK_BEFORE_KIB.load(Relaxed)))
}

/// "RSS x MiB, step peak y MiB, peak z MiB" where the OS tells: resident now, the
/// highest since the step began (its background work included), and the run's.
fn memory() -> String {
    use crate::report::bench::{peak_rss_kib, rss_kib};
    match (rss_kib(), peak_rss_kib(), overall_peak_kib()) {
        (Some(now), Some(step), Some(peak)) => format!(
            "RSS {} MiB, step peak {} MiB, peak {} MiB",
            now / 1024,
            step / 1024,
            peak / 1024
        ),
        _ => String::new(),
    }
}

/// Times the causality keys: typing in the jump prompt (candidates ranked at every
/// keystroke), a search, a filter, and following flows back and forth.
fn causality(app: &mut App, area: Rect, out: &mut impl Write) -> std::io::Result<()> {
    use ratatui::crossterm::event::KeyCode;
    writeln!(out, "causality keys (each includes a 160x48 frame):")?;
    let chars = |s: &str| s.chars().map(KeyCode::Char).collect::<Vec<_>>();
    app.update(Action::GoTab(Tab::Timeline));
    let mut jump = vec![KeyCode::Char(':')];
    jump.extend(chars("worker"));
    timed(out, area, "jump prompt: typing \":worker\"", app, &jump)?;
    timed(out, area, "jump: Enter", app, &[KeyCode::Enter])?;
    let mut search = vec![KeyCode::Char('/')];
    search.extend(chars("chan"));
    timed(out, area, "search prompt: typing \"/chan\"", app, &search)?;
    timed(
        out,
        area,
        "search: Enter (starts it in the background)",
        app,
        &[KeyCode::Enter],
    )?;
    let t = Instant::now();
    settle(app);
    frame_after(app, area, |_| {});
    writeln!(
        out,
        "  {:<44} {:.2} ms (keys stay live meanwhile); {}",
        "search: all matches in, list shown",
        ms(t.elapsed()),
        memory()
    )?;
    timed(
        out,
        area,
        "search: open a match, n ×5",
        app,
        &[
            KeyCode::Enter,
            KeyCode::Char('n'),
            KeyCode::Char('n'),
            KeyCode::Char('n'),
            KeyCode::Char('n'),
            KeyCode::Char('n'),
        ],
    )?;
    timed(
        out,
        area,
        "flows: [ ×3 (incoming, its cause, …)",
        app,
        &[KeyCode::Char('['); 3],
    )?;
    timed(out, area, "flows: ] (outgoing)", app, &[KeyCode::Char(']')])?;
    timed(out, area, "flows: Esc", app, &[KeyCode::Esc])?;
    timed(
        out,
        area,
        "all connected: c, Esc",
        app,
        &[KeyCode::Char('c'), KeyCode::Esc],
    )?;
    let mut filter = vec![KeyCode::Char('F')];
    filter.extend(chars("blocked>1ms"));
    filter.push(KeyCode::Enter);
    timed(
        out,
        area,
        "filter: typing \"F blocked>1ms\" + Enter",
        app,
        &filter,
    )?;
    timed(
        out,
        area,
        "filter: the Goroutines tab, Esc (clear)",
        app,
        &[KeyCode::Char('2'), KeyCode::Esc],
    )?;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
