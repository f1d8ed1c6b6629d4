//! End to end: the real binary in a real terminal (tmux), driven by keys — switch tabs,
//! zoom, drill into a group, open help, quit — with the screen read back, and the
//! terminal checked to be restored (main screen, cooked mode) after quitting, after a
//! bad file, and without a terminal at all.
//!
//! Needs tmux (`.ci/run` installs it). `GOTRACE_TUI_BIN` selects the binary (CI points
//! it at the release build); by default the one cargo built for the tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn binary() -> PathBuf {
    std::env::var_os("GOTRACE_TUI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_gotrace-tui")))
}

fn trace(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/traces")
        .join(rel)
}

/// A tmux server of its own (a private socket) with one session running a command.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, cmd: &str, w: u16, h: u16) -> Tmux {
        let socket = format!("gotrace-e2e-{name}-{}", std::process::id());
        let t = Tmux { socket };
        let ok = t
            .cmd(&[
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .arg(cmd)
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .status()
            .expect("tmux must be installed to run the end-to-end tests (.ci/run installs it)");
        assert!(ok.success(), "tmux new-session failed");
        t
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-L").arg(&self.socket).args(args);
        c
    }

    fn send(&self, keys: &[&str]) {
        for k in keys {
            let ok = self.cmd(&["send-keys", "-t", "e2e", k]).status().unwrap();
            assert!(ok.success());
            // One key at a time, as a person types: each gets its own frame.
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "e2e"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The whole pane, scrollback included (long error reports scroll the start away).
    fn history(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-J", "-S", "-", "-t", "e2e"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn query(&self, format: &str) -> String {
        let out = self
            .cmd(&["display-message", "-p", "-t", "e2e", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits up to 15 s for the screen to satisfy `pred`; returns the screen.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let t = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if t.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}

/// After the app, the shell prints its exit status and the terminal's mode.
fn wrapped(app: &str) -> String {
    format!("{app}; echo EXIT=$?; stty -a | grep -o -- '-\\?icanon' | head -1; sleep 30")
}

#[test]
fn a_session_switches_tabs_zooms_drills_in_opens_help_and_quits_cleanly() {
    let bin = binary();
    let cmd = wrapped(&format!(
        "{} {}",
        bin.display(),
        trace("go126/mutex.trace").display()
    ));
    let t = Tmux::start("session", &cmd, 100, 30);
    let s = t.wait_for("the analysis", |s| {
        s.contains("goroutines") && s.contains("P0")
    });
    assert!(s.contains("1 Timeline"), "{s}");
    assert_eq!(
        t.query("#{alternate_on}"),
        "1",
        "the app runs on the alternate screen"
    );

    // Zoom in twice: the window on the axis shrinks.
    let axis = |s: &str| {
        s.lines()
            .nth(2)
            .unwrap_or("")
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    };
    let before = axis(&s);
    t.send(&["+", "+"]);
    let s = t.wait_for("the zoom", |s| axis(s) != before);
    assert!(s.contains("cursor"), "{s}");

    // Goroutines tab, drill into the first group.
    t.send(&["2"]);
    let s = t.wait_for("the Goroutines tab", |s| {
        s.contains("Execution") || s.contains("Exec")
    });
    t.send(&["Enter"]);
    t.wait_for("the group's goroutines", |x| x != s);

    // Help, generated from the key table.
    t.send(&["?"]);
    let s = t.wait_for("the help popup", |s| s.contains("Keys"));
    assert!(s.contains("Timeline tab") && s.contains("quit"), "{s}");
    t.send(&["Escape"]);
    t.wait_for("help closed", |s| !s.contains("Keys ("));

    t.send(&["q"]);
    let s = t.wait_for("the exit", |s| s.contains("EXIT="));
    assert!(s.contains("EXIT=0"), "{s}");
    // Back on the main screen, in cooked mode (`icanon`, not `-icanon`).
    assert_eq!(t.query("#{alternate_on}"), "0");
    let mode = t.wait_for("stty", |s| s.lines().any(|l| l.trim().ends_with("icanon")));
    assert!(mode.lines().any(|l| l.trim() == "icanon"), "{mode}");
}

#[test]
fn a_bad_file_is_a_clear_error_before_the_screen_changes() {
    let dir = std::env::temp_dir().join(format!("gotrace-e2e-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.trace");
    std::fs::write(&bad, b"go 1.99 trace\x00\x00\x00garbage").unwrap();
    let cmd = wrapped(&format!("{} {}", binary().display(), bad.display()));
    let t = Tmux::start("bad", &cmd, 100, 30);
    t.wait_for("the exit", |s| s.contains("EXIT="));
    // With RUST_BACKTRACE set, a backtrace follows the message: read the scrollback.
    let s = t.history();
    assert!(s.contains("EXIT=1"), "{s}");
    assert!(s.contains("bad.trace") && s.contains("offset"), "{s}");
    assert_eq!(t.query("#{alternate_on}"), "0");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_a_terminal_the_explorer_says_so() {
    let out = Command::new(binary())
        .arg(trace("go126/chan.trace"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
}

#[test]
fn a_trace_on_standard_input_opens_and_keys_still_come_from_the_terminal() {
    let cmd = wrapped(&format!(
        "cat {} | {} -",
        trace("go126/chan.trace").display(),
        binary().display()
    ));
    let t = Tmux::start("stdin", &cmd, 100, 30);
    let s = t.wait_for("the analysis", |s| {
        s.contains("goroutines") && s.contains("P0")
    });
    assert!(s.contains("stdin"), "{s}");
    t.send(&["7"]);
    t.wait_for("the Info tab", |s| s.contains("GC cycles"));
    t.send(&["q"]);
    let s = t.wait_for("the exit", |s| s.contains("EXIT="));
    assert!(s.contains("EXIT=0"), "{s}");
}

/// The causality walk of the channel example, typed into the real binary: from main's
/// receive, `[` lands on the sender's slice; Ctrl-o comes back; from main's first
/// slice, `]` offers the goroutines it created and reaches the sender.
#[test]
fn brackets_walk_the_channel_hand_off_in_a_real_terminal() {
    let cmd = wrapped(&format!(
        "{} {}",
        binary().display(),
        trace("go126/chan.trace").display()
    ));
    let t = Tmux::start("flows", &cmd, 120, 30);
    t.wait_for("the analysis", |s| {
        s.contains("goroutines") && s.contains("P0")
    });
    // Which slice the cursor is on: the line above the footer.
    let selected = |s: &str| s.lines().rev().nth(1).unwrap_or("").to_string();
    // :g1 — main's next run after the cursor: the one the channel send caused.
    t.send(&[":", "g", "1", "Enter"]);
    let s = t.wait_for("main's receive", |s| selected(s).contains("G1 main.main"));
    let at_receive = selected(&s);
    t.send(&["["]);
    t.wait_for("the sender", |s| selected(s).contains("G8 main.main.func1"));
    t.send(&["C-o"]);
    let s = t.wait_for("back at main", |s| selected(s).contains("G1 main.main"));
    assert_eq!(selected(&s), at_receive);
    // Back once more: the cursor at the trace start, on main's first slice.
    t.send(&["C-o"]);
    t.wait_for("main's first slice", |s| {
        s.contains("cursor 0ns") && selected(s).contains("G1 main.main")
    });
    t.send(&["]"]);
    let s = t.wait_for("the picker", |s| s.contains("Follow which flow?"));
    assert!(
        s.contains("go G8 main.main.func1") && s.contains("go G9 main.main.func2"),
        "{s}"
    );
    let pos = s
        .lines()
        .filter(|l| l.contains("go G"))
        .position(|l| l.contains("G8 main.main.func1"))
        .unwrap();
    for _ in 0..pos {
        t.send(&["Down"]);
    }
    t.send(&["Enter"]);
    t.wait_for("the created sender", |s| {
        selected(s).contains("G8 main.main.func1")
    });
    t.send(&["q"]);
    let s = t.wait_for("the exit", |s| s.contains("EXIT="));
    assert!(s.contains("EXIT=0"), "{s}");
}

/// Search and filter typed into the real binary: `/` lists the matches and Enter goes to
/// one; `F` filters the Goroutines tab and shows it in the title; Esc clears it.
#[test]
fn search_and_filter_in_a_real_terminal() {
    let cmd = wrapped(&format!(
        "{} {}",
        binary().display(),
        trace("go126/mutex.trace").display()
    ));
    let t = Tmux::start("search", &cmd, 120, 30);
    t.wait_for("the analysis", |s| {
        s.contains("goroutines") && s.contains("P0")
    });
    let selected = |s: &str| s.lines().rev().nth(1).unwrap_or("").to_string();
    t.send(&["/"]);
    // tmux sends a literal string with -l.
    let ok = t
        .cmd(&["send-keys", "-t", "e2e", "-l", "unblock (sync"])
        .status()
        .unwrap();
    assert!(ok.success());
    t.send(&["Enter"]);
    t.wait_for("the matches", |s| {
        s.contains("matches of \"unblock (sync\"")
    });
    t.send(&["Enter"]);
    t.wait_for("the first match", |s| {
        selected(s).contains("G14 main.main.func2")
    });
    t.send(&["F"]);
    let ok = t
        .cmd(&["send-keys", "-t", "e2e", "-l", "state:sync"])
        .status()
        .unwrap();
    assert!(ok.success());
    t.send(&["Enter", "2"]);
    let s = t.wait_for("the filtered tab", |s| s.contains("filter state:sync"));
    assert!(s.contains("main.main.func2"), "{s}");
    t.send(&["Escape"]);
    t.wait_for("the filter cleared", |s| !s.contains("filter state:sync"));
    t.send(&["q"]);
    let s = t.wait_for("the exit", |s| s.contains("EXIT="));
    assert!(s.contains("EXIT=0"), "{s}");
}

#[test]
fn a_task_focused_in_a_real_terminal() {
    let cmd = wrapped(&format!(
        "{} {}",
        binary().display(),
        trace("go126/http.trace").display()
    ));
    let t = Tmux::start("task", &cmd, 120, 30);
    t.wait_for("the analysis", |s| {
        s.contains("goroutines") && s.contains("P0")
    });
    t.send(&[":"]);
    let ok = t
        .cmd(&["send-keys", "-t", "e2e", "-l", "task 7"])
        .status()
        .unwrap();
    assert!(ok.success());
    t.send(&["Enter"]);
    // The tree as tracks above the Ps, the task named in the info line.
    let s = t.wait_for("the task tracks", |s| s.contains("task 7 batch ("));
    assert!(
        s.lines()
            .any(|l| l.starts_with("T7 batch") && l.contains('◆')),
        "{s}"
    );
    assert!(s.lines().any(|l| l.starts_with("T8 child")), "{s}");
    // Its goroutines as rows, the one that began it (G1) first.
    t.send(&["t", "t"]);
    let s = t.wait_for("the task's goroutine rows", |s| {
        s.contains("task 7's goroutines") && s.lines().any(|l| l.starts_with("G1 "))
    });
    assert!(s.lines().any(|l| l.starts_with("G33 ")), "{s}");
    t.send(&["Escape", "q"]);
    let s = t.wait_for("the exit", |s| s.contains("EXIT="));
    assert!(s.contains("EXIT=0"), "{s}");
}
