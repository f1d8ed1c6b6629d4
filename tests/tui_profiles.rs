//! The profiles tab: whole screens of each profile on committed traces (insta snapshots,
//! 80×24 and 160×48, no colour), the figures on screen checked against what `gotrace-tui
//! pprof` computes, and the export against the pprof writer.

#[path = "common/tui.rs"]
mod tui;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use gotrace_tui::analysis::profiles::ProfileKind;
use gotrace_tui::report::pprof::{compute, encode, functions};
use gotrace_tui::trace::Source;
use gotrace_tui::tui::app::App;
use gotrace_tui::tui::format::{dur, pct};
use gotrace_tui::tui::model::{Facts, Model, Progress, TraceFile};
use gotrace_tui::tui::theme::{Palette, Theme};
use gotrace_tui::tui::views::profiles::export_path;

/// A duration as the tab writes it in cells.
fn d(ns: i64) -> String {
    if ns == 0 { "0".into() } else { dur(ns) }
}

fn snap(name: &str, app: &mut App) {
    insta::assert_snapshot!(format!("{name}_80x24"), tui::screen(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x48"), tui::screen(app, 160, 48));
}

fn source(rel: &str) -> Source {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/traces")
        .join(rel);
    Source::Owned(std::fs::read(path).unwrap())
}

#[test]
fn each_profile_looks_right() {
    for (t, stem) in [("go126/mutex.trace", "mutex"), ("go126/http.trace", "http")] {
        let mut app = tui::app(t);
        tui::keys(&mut app, "3");
        // The tab opens on the first profile with samples; `p` goes round all four.
        for (i, kind) in kinds_in_order(t).into_iter().enumerate() {
            let kind = kind.name();
            snap(&format!("go126_{stem}_{i}_{kind}"), &mut app);
            tui::keys(&mut app, "p");
        }
    }
}

/// The kind the tab opens on and the next ones as `p` cycles.
fn kinds_in_order(rel: &str) -> Vec<ProfileKind> {
    let first = ProfileKind::ALL
        .iter()
        .position(|k| !compute(&source(rel), *k, None).unwrap().is_empty())
        .unwrap_or(0);
    (0..4).map(|i| ProfileKind::ALL[(first + i) % 4]).collect()
}

#[test]
fn stacks_and_functions_show_what_pprof_computes() {
    for t in ["go126/mutex.trace", "go126/http.trace"] {
        let mut app = tui::app(t);
        tui::keys(&mut app, "3");
        let model = app.model().unwrap().clone();
        let kinds = kinds_in_order(t);
        // Whole trace, then every group.
        for scope in std::iter::once(None).chain(model.groups.iter().map(|g| Some(g.name.clone())))
        {
            for (i, &kind) in kinds.iter().enumerate() {
                let recs = compute(&source(t), kind, scope.as_deref()).unwrap();
                let screen = tui::screen(&mut app, 160, 200);
                let lines: Vec<&str> = screen.lines().collect();
                let total: i64 = recs.iter().map(|r| r.total.delay).sum();
                let samples: u64 = recs.iter().map(|r| r.total.count).sum();
                if recs.is_empty() {
                    assert!(
                        lines[3].contains("no samples"),
                        "{t} {kind:?} {scope:?}: {}",
                        lines[3]
                    );
                } else {
                    let want = format!(
                        "{} sample{}, total delay {} in {} stack",
                        samples,
                        if samples == 1 { "" } else { "s" },
                        dur(total),
                        recs.len()
                    );
                    assert!(
                        lines[3].contains(&want),
                        "{t} {kind:?} {scope:?}: {}",
                        lines[3]
                    );
                }
                for (r, rec) in recs.iter().enumerate().take(90) {
                    let toks: Vec<&str> = lines[5 + r].split_whitespace().collect();
                    let mean = d(rec.total.delay / rec.total.count.max(1) as i64);
                    assert_eq!(
                        toks[..4],
                        [
                            d(rec.total.delay),
                            pct(rec.total.delay, total),
                            rec.total.count.to_string(),
                            mean
                        ],
                        "{t} {kind:?} {scope:?} stack {r}"
                    );
                    assert!(
                        lines[5 + r].contains(
                            &rec.stack
                                .first()
                                .map_or("(no stack)".into(), |f| f.func.clone())
                        )
                    );
                }
                for (r, f) in functions(&recs).iter().enumerate().take(90) {
                    // The functions table is the right 9/20 (after a gap).
                    let right: String = lines[5 + r].chars().skip(160 * 11 / 20 + 1).collect();
                    let toks: Vec<&str> = right.split_whitespace().collect();
                    assert_eq!(
                        toks[..4],
                        [d(f.flat), pct(f.flat, total), d(f.cum), pct(f.cum, total)],
                        "{t} {kind:?} {scope:?} function {r}"
                    );
                    // Long names are cut to the column.
                    let name = right[right.find(toks[4]).unwrap()..].trim_end();
                    assert!(
                        f.func.starts_with(name.trim_end_matches('…')),
                        "{name} {}",
                        f.func
                    );
                }
                if i < 3 {
                    tui::keys(&mut app, "p");
                }
            }
            tui::keys(&mut app, "pc");
        }
        // After the last group: the whole trace again.
        assert!(
            tui::screen(&mut app, 160, 48)
                .lines()
                .nth(3)
                .unwrap()
                .starts_with("whole trace")
        );
    }
}

#[test]
fn the_selected_stack_shows_every_frame() {
    let mut app = tui::app("go126/http.trace");
    tui::keys(&mut app, "3");
    let kind = kinds_in_order("go126/http.trace")[0];
    let recs = compute(&source("go126/http.trace"), kind, None).unwrap();
    // The deepest stack.
    let (i, rec) = recs
        .iter()
        .enumerate()
        .max_by_key(|(_, r)| r.stack.len())
        .unwrap();
    for _ in 0..i {
        tui::keys(&mut app, "j");
    }
    let screen = tui::screen(&mut app, 160, 48);
    for f in &rec.stack {
        assert!(
            screen.contains(&format!("  {} {}:{}", f.func, f.file, f.line)),
            "{screen}"
        );
    }
    snap("go126_http_deepest_stack", &mut app);
}

#[test]
fn scoped_to_a_group() {
    let mut app = tui::app("go126/http.trace");
    // The second group, net/http.(*conn).serve, waits on the network.
    tui::keys(&mut app, "3cc");
    assert_eq!(
        app.model().unwrap().groups[1].name,
        "net/http.(*conn).serve"
    );
    assert!(tui::screen(&mut app, 80, 24).contains("group net/http.(*conn).serve  ·  "));
    snap("go126_http_scoped_to_conn_serve", &mut app);
}

#[test]
fn export_writes_the_pprof_file_next_to_the_trace() {
    let rel = "go126/mutex.trace";
    let dir = std::env::temp_dir().join(format!("gotrace-tui-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mutex.trace");
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/traces")
            .join(rel),
    )
    .unwrap();
    std::fs::write(&path, &bytes).unwrap();
    let index = gotrace_tui::trace::index::Index::build(&bytes).unwrap();
    let facts = Facts::from_index(rel.to_string(), &index);
    let file = Arc::new(TraceFile {
        source: Source::Owned(bytes),
        path: path.clone(),
    });
    let model = Model::build(&file, &Progress::default());
    let mut app = App::new(file, facts, Theme::new(Palette::Mono));
    app.loaded(model);
    let kind = kinds_in_order(rel)[0];
    tui::keys(&mut app, "3e");
    let out = dir.join(format!("mutex.trace.{}.pb.gz", kind.name()));
    let status = app.status.clone().unwrap();
    assert!(
        status.starts_with(&format!("wrote {}", out.display())),
        "{status}"
    );
    let mut got = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&out).unwrap())
        .read_to_end(&mut got)
        .unwrap();
    assert_eq!(got, encode(&compute(&source(rel), kind, None).unwrap()));
    // Scoped to the first group: its name is in the file name.
    tui::keys(&mut app, "ce");
    let group = app.model().unwrap().groups[0].name.clone();
    let out = export_path(&path, kind, Some(&group));
    let mut got = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&out).unwrap())
        .read_to_end(&mut got)
        .unwrap();
    assert_eq!(
        got,
        encode(&compute(&source(rel), kind, Some(&group)).unwrap())
    );
    // The status shows until the next key.
    assert!(
        tui::screen(&mut app, 80, 24)
            .lines()
            .last()
            .unwrap()
            .starts_with("wrote ")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn export_paths() {
    let k = ProfileKind::Sync;
    assert_eq!(
        export_path(Path::new("/t/a.trace"), k, None),
        Path::new("/t/a.trace.sync.pb.gz")
    );
    assert_eq!(
        export_path(Path::new("-"), k, None),
        Path::new("stdin.sync.pb.gz")
    );
    assert_eq!(
        export_path(Path::new("demo"), k, None),
        Path::new("demo.sync.pb.gz")
    );
    assert_eq!(
        export_path(
            Path::new("x.trace"),
            ProfileKind::Net,
            Some("net/http.(*conn).serve")
        ),
        Path::new("x.trace.net.net_http.__conn_.serve.pb.gz")
    );
}
