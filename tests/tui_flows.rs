//! Walking causality in the explorer: `[` from a slice to the slice of the goroutine
//! that made it run, `]` to the goroutines it created or unblocked (a picker when there
//! are several), Ctrl-o / Ctrl-i through the jumps — on the channel hand-off trace, with
//! the links checked against the flows analysis (itself equal to go tool trace's
//! arrows, see tests/flows.rs).

#[path = "common/tui.rs"]
mod tui;

use gotrace_tui::analysis::flows::{Cause, Link};
use gotrace_tui::trace::Reader;
use gotrace_tui::tui::app::App;
use gotrace_tui::tui::app::Tab;
use gotrace_tui::tui::format::dur;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use tui::flows;

/// An app on the channel trace with the cursor on main's receive: the run of G1 that
/// the channel send unblocked. Returns the app, that link and the sender.
fn at_main_receive() -> (App, Link, i64) {
    let rel = "go126/chan.trace";
    let links = flows(rel);
    let mut app = tui::app(rel);
    tui::screen(&mut app, 120, 30);
    let recv = links
        .incoming(1)
        .find(|l| l.name.contains("chan receive"))
        .expect("main is unblocked by the send")
        .clone();
    let Cause::Goroutine(sender) = recv.cause else {
        panic!("a goroutine sent")
    };
    app.jump_to(recv.start_time, recv.start_time + 1000, Some(1));
    (app, recv, sender)
}

fn ctrl(app: &mut gotrace_tui::tui::app::App, c: char) {
    let ev = KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    if let Some(a) = app.key(&ev) {
        app.update(a);
    }
}

/// The line under the lanes naming the slice under the cursor.
fn selected(screen: &str) -> String {
    screen.lines().rev().nth(1).unwrap().trim_end().to_string()
}

#[test]
fn brackets_follow_the_channel_hand_off_and_history_returns() {
    let (mut app, recv, sender) = at_main_receive();
    let links = flows("go126/chan.trace");
    let model = app.model().unwrap().clone();
    let (t0, _) = model.time_range();
    let (w, h) = (120, 30);
    let s = tui::screen(&mut app, w, h);
    assert!(selected(&s).contains("G1 main.main"), "{s}");
    let at_main = app.location();

    tui::keys(&mut app, "[");
    let s = tui::screen(&mut app, w, h);
    assert!(
        selected(&s).contains(&format!("G{sender} {}", model.goroutine_name(sender))),
        "[ lands on the sender's slice:\n{s}"
    );
    // The cursor is at the send.
    assert!(
        s.contains(&format!(
            "cursor {}",
            gotrace_tui::tui::format::dur(recv.cause_time - t0)
        )),
        "{s}"
    );

    ctrl(&mut app, 'o');
    assert_eq!(
        app.location(),
        at_main,
        "Ctrl-o comes back to main's receive"
    );
    ctrl(&mut app, 'i');
    assert!(selected(&tui::screen(&mut app, w, h)).contains(&format!("G{sender} ")));
    ctrl(&mut app, 'o');

    // main's first slice created the worker goroutines: ] offers them.
    let first = model
        .procs
        .lanes
        .iter()
        .flat_map(|l| (0..l.len()).map(move |i| (l, i)))
        .filter(|(l, i)| l.goroutines().get(*i) == 1)
        .min_by_key(|(l, i)| l.starts().get(*i))
        .map(|(l, i)| (l.starts().get(i), l.ends().get(i)))
        .unwrap();
    let created: Vec<i64> = links
        .caused_during(1, first.0, first.1)
        .map(|l| l.target)
        .collect();
    assert!(
        created.contains(&sender),
        "main created the sender in its first slice"
    );
    app.jump_to(first.0, first.1, Some(1));
    tui::screen(&mut app, w, h);
    tui::keys(&mut app, "]");
    let s = tui::screen(&mut app, w, h);
    assert!(s.contains("Follow which flow?"), "{s}");
    for g in &created {
        assert!(
            s.contains(&format!(" G{g} ")),
            "the picker lists G{g}:\n{s}"
        );
    }
    insta::assert_snapshot!("flows_picker_chan_120x30", s);
    // Choose the sender.
    let pos = created.iter().position(|&g| g == sender).unwrap();
    for _ in 0..pos {
        tui::press(&mut app, KeyCode::Down);
    }
    tui::press(&mut app, KeyCode::Enter);
    let s = tui::screen(&mut app, w, h);
    assert!(selected(&s).contains(&format!("G{sender} ")), "{s}");
    assert_eq!(app.tab, Tab::Timeline);
    ctrl(&mut app, 'o');
    let s = tui::screen(&mut app, w, h);
    assert!(selected(&s).contains("G1 main.main"), "{s}");
}

/// `c` walks the causes back from main's receive: main was unblocked by the sender,
/// whose own run began with its timer; `e` lists the sender's events around the
/// cursor with the selected one's stack; Enter on either goes there.
#[test]
fn causes_and_events_panels_on_the_channel_hand_off() {
    let rel = "go126/chan.trace";
    let (mut app, recv, sender) = at_main_receive();
    let links = flows(rel);
    let model = app.model().unwrap().clone();
    let (t0, _) = model.time_range();
    let (w, h) = (120, 30);
    tui::screen(&mut app, w, h);

    tui::keys(&mut app, "c");
    let s = tui::screen(&mut app, w, h);
    assert!(s.contains("All connected"), "{s}");
    insta::assert_snapshot!("causes_chan_120x30", s);
    // The chain's first two links: main, then the sender, caused as the flows say.
    let lines: Vec<&str> = s.lines().filter(|l| l.contains(" ← ")).collect();
    assert!(
        lines[0].contains("G1 main.main")
            && lines[0].contains(&format!("unblock (chan receive) by G{sender}")),
        "{s}"
    );
    assert!(lines[1].contains(&format!("G{sender} ")), "{s}");
    let sender_run = links
        .incoming(sender)
        .filter(|l| l.start_time <= recv.cause_time)
        .last()
        .unwrap();
    let exact = gotrace_tui::report::goroutines::go_duration;
    assert!(
        lines[1].contains(&format!(
            "at {} ← {}",
            exact(sender_run.start_time - t0),
            sender_run.name
        )),
        "{s}"
    );
    assert!(
        lines[0].contains(&format!("at {} ← ", exact(recv.start_time - t0))),
        "{s}"
    );
    assert!(
        lines[0].contains(&format!("by G{sender} at {}", exact(recv.cause_time - t0))),
        "{s}"
    );
    // Enter on the second link goes to the sender's slice.
    tui::press(&mut app, KeyCode::Down);
    tui::press(&mut app, KeyCode::Enter);
    let s = tui::screen(&mut app, w, h);
    assert!(
        s.contains(&format!("cursor {} ", dur(sender_run.start_time - t0))),
        "{s}"
    );
    ctrl(&mut app, 'o');

    // The sender's events: from its slice at the send.
    tui::keys(&mut app, "[");
    tui::keys(&mut app, "e");
    tui::settle(&mut app);
    let s = tui::screen(&mut app, w, h);
    assert!(s.contains(&format!("Events of G{sender}")), "{s}");
    assert!(s.contains("G1: waiting → runnable"), "{s}");
    insta::assert_snapshot!("events_sender_120x30", s);
    let bytes = std::fs::read(format!(
        "{}/testdata/traces/{rel}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut evs = gotrace_tui::analysis::events::GoroutineEvents::new(sender, i64::MIN, i64::MAX);
    gotrace_tui::analysis::run(Reader::new(&bytes).unwrap(), &mut [&mut evs]);
    let evs = evs.finish();
    let before = evs.iter().filter(|e| e.time < recv.cause_time).count();
    assert!(
        s.contains(&format!(
            "{before} before the cursor, {} after",
            evs.len() - before
        )),
        "{s}"
    );
    // Enter on the selected event (the first at the cursor) keeps the cursor there.
    tui::press(&mut app, KeyCode::Enter);
    let s = tui::screen(&mut app, w, h);
    assert!(
        s.contains(&format!("cursor {} ", dur(evs[before].time - t0))),
        "{s}"
    );
}

/// docs/usage.md's walk-through, step by step: from the first goroutine woken from a
/// sync block to the goroutine that unlocked the mutex, and its Unlock stack.
#[test]
fn the_mutex_walk_through_of_the_usage_guide() {
    let mut app = tui::app("go126/mutex.trace");
    let (w, h) = (120, 40);
    tui::screen(&mut app, w, h);
    tui::keys(&mut app, "/");
    for c in "unblock (sync".chars() {
        app.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    tui::press(&mut app, KeyCode::Enter);
    tui::settle(&mut app);
    tui::press(&mut app, KeyCode::Enter);
    let s = tui::screen(&mut app, w, h);
    assert!(
        selected(&s).contains("G14 main.main.func2") && s.contains("cursor 1.92ms"),
        "{s}"
    );
    tui::press(&mut app, KeyCode::Enter);
    let s = tui::screen(&mut app, w, h);
    assert!(
        s.contains("unblock (sync) by G11 main.main.func2 on P"),
        "{s}"
    );
    assert!(s.contains("at 1.807552ms (waited 112.704µs)"), "{s}");
    tui::press(&mut app, KeyCode::Esc);
    tui::keys(&mut app, "[");
    let s = tui::screen(&mut app, w, h);
    assert!(selected(&s).contains("G11 main.main.func2"), "{s}");
    tui::keys(&mut app, "e");
    tui::settle(&mut app);
    let s = tui::screen(&mut app, w, h);
    assert!(s.contains("G14: waiting → runnable"), "{s}");
    assert!(s.contains("sync.(*Mutex).Unlock sync/mutex.go:65"), "{s}");
    assert!(
        s.contains("main.main.func2 gotrace-tui/testdata/progs/mutex/main.go:81"),
        "{s}"
    );
}

/// docs/usage.md's slow-request investigation, step 3: from the /slow request's region,
/// G1's run after the wait was caused by the transport's read loop.
#[test]
fn the_slow_request_walk_through_of_the_usage_guide() {
    let mut app = tui::app("go126/http.trace");
    let model = app.model().unwrap().clone();
    let (w, h) = (120, 40);
    tui::screen(&mut app, w, h);
    let task3 = model.summary.tasks.get(&3).expect("task 3");
    assert!(task3.logs.iter().any(|(_, _, m)| m.contains("/slow")));
    let g1 = &model.summary.goroutines.member(&1);
    let region = g1
        .regions
        .iter()
        .find(|r| r.task == 3 && *r.name == "client.get")
        .unwrap();
    let (start, end) = (region.start.unwrap().time, region.end.unwrap().time);
    app.jump_to(start, end, Some(1));
    // G1's run that ended the wait: the last one the region holds.
    tui::keys(&mut app, "e");
    tui::settle(&mut app);
    let s = tui::screen(&mut app, w, h);
    assert!(s.contains("waiting (select)"), "{s}");
    tui::press(&mut app, KeyCode::Esc);
    let links = flows("go126/http.trace");
    // The select the client waited in for the response.
    let wake = links
        .incoming(1)
        .filter(|l| l.start_time > start && l.start_time <= end && l.name.contains("select"))
        .last()
        .unwrap();
    // As the guide says: `:g1` twice from the region's start reaches that run.
    app.jump_to(start, end, Some(1));
    for _ in 0..2 {
        tui::keys(&mut app, ":");
        for c in "g1".chars() {
            app.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        app.key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    }
    assert_eq!(app.timeline.cursor(), wake.start_time);
    tui::press(&mut app, KeyCode::Enter);
    let s = tui::screen(&mut app, w, h);
    assert!(
        s.contains("unblock (select) by G12 net/http.(*persistConn).readLoop"),
        "{s}"
    );
    assert!(s.contains("at 3.376896ms"), "{s}");
    // `[` to the read loop, `c`: it was woken by the network poller.
    tui::press(&mut app, KeyCode::Esc);
    tui::keys(&mut app, "[c");
    let s = tui::screen(&mut app, w, h);
    let chain: Vec<&str> = s.lines().filter(|l| l.contains(" ← ")).collect();
    assert!(
        chain[0].contains("G12 net/http.(*persistConn).readLoop"),
        "{s}"
    );
    assert!(
        chain[0].contains("unblock (network)") && chain[0].contains("(not by a goroutin"),
        "{s}"
    );
}
