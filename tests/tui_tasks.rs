//! The Tasks and Regions tabs: snapshots of every level at 80×24 and 160×48 on committed
//! traces with tasks and regions, and the figures on screen checked against the analysis
//! (recomputed here from the analysis API, never typed in).

#[path = "common/tui.rs"]
mod tui;

use gotrace_tui::analysis::goroutines::Summary;
use gotrace_tui::analysis::task_view::TaskGoroutineView;
use gotrace_tui::analysis::tasks::{RegionType, TaskType, region_types, task_regions, task_types};
use gotrace_tui::tui::action::Action;
use gotrace_tui::tui::app::{App, Tab};
use gotrace_tui::tui::format::{dur, fit};
use gotrace_tui::tui::views::{Effect, View};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use tui::{app, assert_readable, keys, press, screen, with_ctx};

/// Snapshots the screen at both sizes; returns the larger, which the checks read.
fn snap(name: &str, a: &mut App) -> String {
    insta::assert_snapshot!(format!("{name}_80x24"), screen(a, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x48"), screen(a, 160, 48));
    screen(a, 160, 48)
}

/// An app on `testdata/traces/<rel>` showing the tab that `key` selects.
fn on_tab(rel: &str, key: &str) -> App {
    let mut a = app(rel);
    keys(&mut a, key);
    a
}

/// Line `n` of the screen at 80×24, without trailing spaces.
fn line(a: &mut App, n: usize) -> String {
    screen(a, 80, 24)
        .lines()
        .nth(n)
        .unwrap()
        .trim_end()
        .to_string()
}

fn summary(a: &App) -> &Summary {
    &a.model().unwrap().summary
}

/// The first line of `screen` that `pred` accepts, split at spaces.
fn row(screen: &str, pred: impl Fn(&str) -> bool) -> Vec<&str> {
    let line = screen
        .lines()
        .find(|l| pred(l))
        .unwrap_or_else(|| panic!("no such row in\n{screen}"));
    line.split_whitespace().collect()
}

/// `name`, or what the tabs write for a type without one.
fn named<'a>(name: &'a str, unnamed: &'a str) -> &'a str {
    if name.is_empty() { unnamed } else { name }
}

fn task_name(t: &TaskType) -> &str {
    named(&t.name, "(background)")
}

fn region_name(t: &RegionType) -> &str {
    named(&t.name, "(inherited)")
}

/// A task log's text as the instance page shows it.
fn log_text(cat: &str, msg: &str) -> String {
    if cat.is_empty() {
        msg.to_string()
    } else {
        format!("{cat}: {msg}")
    }
}

/// Every type's row shows its count, complete and open tasks and percentiles.
fn check_task_types(s: &str, types: &[TaskType]) {
    for t in types {
        let cells = row(s, |l| l.starts_with(&format!("{} ", task_name(t))));
        let n = cells.len();
        let d = t.distribution();
        let show = |f: fn(&gotrace_tui::analysis::goroutines::Distribution) -> i64| {
            d.as_ref().map_or("-".to_string(), |d| dur(f(d)))
        };
        let complete = t.tasks.iter().filter(|s| s.complete).count();
        assert_eq!(
            cells[n - 7..],
            [
                t.count.to_string(),
                complete.to_string(),
                (t.count - complete).to_string(),
                show(|d| d.p50),
                show(|d| d.p90),
                show(|d| d.p99),
                show(|d| d.max),
            ],
            "{}",
            t.name
        );
    }
}

#[test]
fn tasks_every_level_on_http() {
    let mut a = on_tab("go126/http.trace", "4");
    let types = task_types(summary(&a));
    let s = snap("tasks_http_types", &mut a);
    check_task_types(&s, &types);

    // The histogram under the table is the selected type's: "client request" (third).
    keys(&mut a, "jj");
    let ty = &types[2];
    assert_eq!(ty.name, "client request");
    let s = snap("tasks_http_types_client", &mut a);
    let (buckets, end) = ty.histogram.rows().unwrap();
    let labels = row(&s, |l| l.starts_with("0 "));
    assert_eq!(labels[1], dur(buckets[0].0));
    assert!(labels.contains(&dur(end).as_str()), "{labels:?}");
    let max = buckets.iter().map(|b| b.1).max().unwrap();
    assert!(s.lines().any(|l| l.starts_with(&format!("{max} █"))));

    // Instances: longest first.
    press(&mut a, KeyCode::Enter);
    let s = snap("tasks_http_instances", &mut a);
    let mut spans = ty.tasks.clone();
    spans.sort_by_key(|t| std::cmp::Reverse(t.duration));
    let ids: Vec<String> = s
        .lines()
        .skip(4)
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| c.parse::<u64>().is_ok())
        .map(str::to_string)
        .collect();
    let want: Vec<String> = spans.iter().map(|t| t.id.to_string()).collect();
    assert_eq!(ids, want);
    for t in &spans {
        let cells = row(&s, |l| {
            l.contains("complete") && l.split_whitespace().next() == Some(&t.id.to_string())
        });
        assert_eq!(cells[1..3], [dur(t.start), dur(t.duration)]);
    }

    // Sorting by start (second column), earliest first after two presses.
    keys(&mut a, "lss");
    let s = screen(&mut a, 160, 48);
    let mut by_start = ty.tasks.clone();
    by_start.sort_by_key(|t| t.start);
    // Title, tabs, heading, column titles, then the rows.
    let first: Vec<&str> = s.lines().nth(4).unwrap().split_whitespace().collect();
    assert_eq!(first[0], by_start[0].id.to_string());
    // Back to longest first: the duration column (third), descending.
    keys(&mut a, "ls");

    // One instance: the longest client request, with its regions and logs in time order.
    press(&mut a, KeyCode::Enter);
    let s = snap("tasks_http_instance", &mut a);
    let task = summary(&a).tasks.get(&spans[0].id).expect("task");
    let first_time = summary(&a).first_time;
    for (g, r) in task_regions(summary(&a), &task) {
        let start = r.start.unwrap().time - first_time;
        let d = r.end.unwrap().time - r.start.unwrap().time;
        let cells = row(&s, |l| l.contains(r.name.as_str()) && l.contains("region"));
        assert_eq!(
            cells[..5],
            [
                dur(start),
                format!("G{g}"),
                "region".into(),
                dur(d),
                r.name.to_string()
            ]
        );
    }
    for (e, cat, msg) in &task.logs {
        let text = log_text(cat, msg);
        let mut want = vec![
            dur(e.time - first_time),
            format!("G{}", e.goroutine),
            "log".into(),
        ];
        want.extend(text.split_whitespace().map(str::to_string));
        assert!(
            s.lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == want),
            "{want:?}"
        );
    }

    // Enter shows the task in the timeline, focused (go tool trace's task view).
    let effect = with_ctx(&mut a, |a, ctx| a.tasks.update(Action::Enter, ctx));
    assert_eq!(effect, Effect::ShowTask(spans[0].id));
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.tab, Tab::Timeline);
    let focus = a.timeline.focused_task().expect("a focused task");
    assert_eq!(focus.task, spans[0].id);
    assert_eq!(focus.from, first_time + spans[0].start);
    assert_eq!(focus.to, first_time + spans[0].start + spans[0].duration);

    // Esc goes back one level at a time.
    keys(&mut a, "4");
    press(&mut a, KeyCode::Esc);
    assert_eq!(
        line(&mut a, 2),
        "client request — 3 tasks, 3 complete   (Enter: open, Esc: back, s: sort)"
    );
    press(&mut a, KeyCode::Esc);
    assert!(line(&mut a, 2).starts_with("task type"));
}

#[test]
fn tasks_incomplete_and_user_text_on_misc() {
    let mut a = on_tab("go126/misc.trace", "4");
    let types = task_types(summary(&a));
    check_task_types(&snap("tasks_misc_types", &mut a), &types);
    // The background task: incomplete, with logs without category.
    press(&mut a, KeyCode::Enter);
    snap("tasks_misc_instances", &mut a);
    press(&mut a, KeyCode::Enter);
    snap("tasks_misc_instance", &mut a);
    let s = screen(&mut a, 80, 24);
    let task = summary(&a).tasks.get(&types[0].tasks[0].id).expect("task");
    assert!(!task.logs.is_empty());
    // Log text is cut by display width to what is left of the line after the other columns.
    let header = s.lines().find(|l| l.contains("region / log")).unwrap();
    let col =
        unicode_width::UnicodeWidthStr::width(&header[..header.find("region / log").unwrap()]);
    for (_, cat, msg) in &task.logs {
        let text = log_text(cat, msg);
        assert!(s.contains(&fit(&text, 80 - col)), "{text}");
    }
}

#[test]
fn server_logs_with_wide_characters_fit_80_columns() {
    let mut a = on_tab("go126/http.trace", "4");
    // "server /a": its log holds accents and CJK characters.
    let types = task_types(summary(&a));
    let i = types.iter().position(|t| t.name == "server /a").unwrap();
    for _ in 0..i {
        keys(&mut a, "j");
    }
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Enter);
    snap("tasks_http_instance_unicode", &mut a);
    for line in screen(&mut a, 80, 24).lines() {
        assert_eq!(unicode_width::UnicodeWidthStr::width(line), 80, "{line}");
    }
}

#[test]
fn regions_every_level_on_http() {
    let mut a = on_tab("go126/http.trace", "5");
    let types = region_types(summary(&a));
    let s = snap("regions_http_types", &mut a);
    for t in &types {
        let d = t.distribution();
        let tail = format!(
            "{:>5} {:>7} {:>7} {:>7} {:>7}",
            t.regions.len(),
            dur(d.p50),
            dur(d.p90),
            dur(d.p99),
            dur(d.max)
        );
        let file = t.frame.file.rsplit('/').next().unwrap();
        let loc = format!("{} {file}:{}", t.frame.func, t.frame.line);
        assert!(
            s.lines().any(|l| l.starts_with(region_name(t))
                && l.contains(&loc[..loc.len().min(30)])
                && l.trim_end().ends_with(&tail)),
            "{} {loc} {tail}",
            t.name
        );
    }

    // client.get at main.main: the fourth type.
    keys(&mut a, "jjj");
    let ty = &types[3];
    assert_eq!(
        (ty.name.as_str(), ty.frame.func.as_str()),
        ("client.get", "main.main")
    );
    snap("regions_http_types_client_get", &mut a);
    press(&mut a, KeyCode::Enter);
    let s = snap("regions_http_instances", &mut a);
    let first_time = summary(&a).first_time;
    for r in ty.regions.iter() {
        let st = &r.stats(summary(&a)).expect("its goroutine's region");
        let blocked: i64 = st.block_by_reason.iter().map(|(_, v)| v).sum();
        let want = [
            format!("G{}", r.goroutine),
            r.task.to_string(),
            dur(r.start.unwrap() - first_time),
            dur(r.duration),
            dur(st.exec),
            dur(st.sched_wait),
            dur(st.syscall + st.syscall_block),
            dur(blocked),
            dur(st.unknown()),
        ];
        let cells = row(&s, |l| {
            l.split_whitespace().nth(1) == Some(&r.task.to_string())
        });
        assert_eq!(cells, want);
    }

    // The longest region of the type.
    press(&mut a, KeyCode::Enter);
    let s = snap("regions_http_instance", &mut a);
    let r = &ty.regions.first().expect("a region");
    let names = &summary(&a).names;
    let stats = r.stats(summary(&a)).expect("its goroutine's region");
    for (k, d) in stats.block_by_reason.iter().filter(|(_, d)| *d != 0) {
        let cells = row(&s, |l| {
            l.starts_with(&format!("blocked: {} ", names.get(k)))
        });
        assert_eq!(
            cells[cells.len() - 2..],
            [dur(d), gotrace_tui::tui::format::pct(d, r.duration)]
        );
    }
    let effect = with_ctx(&mut a, |a, ctx| a.regions.update(Action::Enter, ctx));
    let from = r.start.unwrap();
    assert_eq!(
        effect,
        Effect::ShowTime {
            from,
            to: from + r.duration,
            goroutine: Some(r.goroutine)
        }
    );
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Esc);
    assert!(line(&mut a, 2).starts_with("region type"));
}

#[test]
fn regions_on_misc() {
    let mut a = on_tab("go126/misc.trace", "5");
    snap("regions_misc_types", &mut a);
    press(&mut a, KeyCode::Enter);
    snap("regions_misc_instances", &mut a);
    press(&mut a, KeyCode::Enter);
    snap("regions_misc_instance", &mut a);
}

#[test]
fn traces_without_tasks_say_so() {
    let mut a = on_tab("go126/mutex.trace", "4");
    assert!(task_types(summary(&a)).is_empty());
    assert!(screen(&mut a, 80, 24).contains("no user tasks in this trace"));
    press(&mut a, KeyCode::Enter);
    keys(&mut a, "5");
    assert!(screen(&mut a, 80, 24).contains("no user regions in this trace"));
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.tab, Tab::Regions);
}

#[test]
fn types_sort_by_the_column_under_the_cursor() {
    let mut a = on_tab("go126/http.trace", "4");
    // The last column (max), largest first; the histogram follows the selection.
    keys(&mut a, "lllllll");
    keys(&mut a, "s");
    let types = task_types(summary(&a));
    let longest = types
        .iter()
        .max_by_key(|t| t.distribution().map_or(-1, |d| d.max))
        .unwrap();
    let s = screen(&mut a, 80, 24);
    assert!(s.lines().nth(2).unwrap().contains("max▼"), "{s}");
    assert!(
        s.lines().nth(3).unwrap().starts_with(task_name(longest)),
        "{s}"
    );
    assert!(s.contains(&format!("{}: durations of", task_name(longest))));
    press(&mut a, KeyCode::Enter);
    assert!(line(&mut a, 2).starts_with(task_name(longest)));

    keys(&mut a, "5");
    keys(&mut a, "llllll");
    keys(&mut a, "s");
    let types = region_types(summary(&a));
    let longest = types.iter().max_by_key(|t| t.distribution().max).unwrap();
    let s = screen(&mut a, 160, 48);
    let first = s.lines().nth(3).unwrap();
    assert!(first.starts_with(region_name(longest)), "{s}");
    assert!(first.contains(&longest.frame.func), "{s}");
    assert!(first.trim_end().ends_with(&dur(longest.distribution().max)));
}

#[test]
fn every_level_is_readable_in_16_colours() {
    use gotrace_tui::tui::theme::{Palette, Theme};
    let mut a = app("go126/http.trace");
    a.theme = Theme::new(Palette::Ansi16);
    for tab in ["4", "5"] {
        keys(&mut a, tab);
        for _ in 0..3 {
            assert_readable(&mut a, 80, 24);
            press(&mut a, KeyCode::Enter);
        }
    }
}

/// The task-focused timeline (`:task 7`, or Enter on a task): the task's window, its tree
/// as tracks in go tool trace's order (begin, then end), a bar over each task's life and
/// `◆` where the batch task began each child; Esc removes the tracks.
#[test]
fn a_focused_task_shows_its_tree_as_tracks() {
    let mut a = app("go126/http.trace");
    keys(&mut a, ":");
    for c in "task 7".chars() {
        press(&mut a, KeyCode::Char(c));
    }
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.tab, Tab::Timeline);
    let focus = a.timeline.focused_task().expect("task 7 focused").clone();
    let tree = summary(&a).tasks.get(&7).expect("task");
    assert_eq!(focus.lanes.len(), 1 + tree.children.len());
    assert!(focus.lanes.len() > 1, "task 7 has children in http.trace");
    assert_readable(&mut a, 80, 24);
    let s = snap("timeline_task_focus", &mut a);
    // The tracks follow the counters, one per task, in sort order, each with a bar.
    let rows: Vec<&str> = s.lines().collect();
    let first = rows
        .iter()
        .position(|l| l.starts_with(&fit(&focus.lanes[0].name, 10)))
        .unwrap_or_else(|| panic!("no track for {}\n{s}", focus.lanes[0].name));
    for (k, lane) in focus.lanes.iter().enumerate() {
        let r = rows[first + k];
        assert!(r.starts_with(&fit(&lane.name, 10)), "{r}");
        assert!(
            r.contains('▬') || r.contains('◆'),
            "no bar for {}: {r}",
            lane.name
        );
    }
    // The children's begins, on the parent's track.
    let parent = rows[first];
    assert!(parent.contains('◆'), "{parent}");
    // The children begin after the parent: their bars start further right.
    let bar_at = |r: &str| r.chars().skip(11).position(|c| c == '▬' || c == '◆');
    for k in 1..focus.lanes.len() {
        assert!(bar_at(rows[first + k]) >= bar_at(parent), "{s}");
    }

    // `t` `t`: rows of the task tree's goroutines (go tool trace's goroutine view of the
    // task), the goroutine that began it first, its regions underlined.
    keys(&mut a, "tt");
    tui::settle(&mut a);
    let v = TaskGoroutineView::of(summary(&a), 7, &a.model().unwrap().procs).unwrap();
    let mut want: Vec<i64> = v.goroutines.iter().copied().collect();
    want.sort_by_key(|&g| (g != v.focus, g));
    assert_eq!(
        want[0],
        summary(&a)
            .tasks
            .get(&7)
            .expect("task")
            .start
            .unwrap()
            .goroutine
    );
    let mut buf = Buffer::empty(Rect::new(0, 0, 160, 48));
    a.render(buf.area, &mut buf);
    let s = tui::buffer_text(&buf);
    let rows: Vec<&str> = s.lines().collect();
    let first = rows
        .iter()
        .position(|l| l.starts_with(&format!("G{} ", want[0])))
        .unwrap_or_else(|| panic!("no row for G{}\n{s}", want[0]));
    for (k, g) in want.iter().enumerate() {
        assert!(rows[first + k].starts_with(&format!("G{g} ")), "{s}");
    }
    assert!(
        s.contains("task 7's goroutines (regions underlined)"),
        "{s}"
    );
    assert!(
        !v.regions.is_empty(),
        "task 7's tree has regions in http.trace"
    );
    for (k, g) in want.iter().enumerate() {
        let underlined = (11..160)
            .filter(|&x| {
                buf[(x, (first + k) as u16)]
                    .modifier
                    .contains(Modifier::UNDERLINED)
            })
            .count();
        let has_regions = v.regions.iter().any(|r| r.goroutine == *g);
        assert_eq!(
            underlined > 0,
            has_regions,
            "G{g}: {underlined} underlined cells"
        );
    }
    // The cursor inside a region names it (and those around it), innermost first.
    let r = v.regions.iter().find(|r| r.dur > 0).unwrap();
    let k = want.iter().position(|&g| g == r.goroutine).unwrap();
    let t0 = a.model().unwrap().time_range().0;
    let at = r.start + r.dur / 2;
    keys(&mut a, ":");
    for c in format!("{}ns", at - t0).chars() {
        press(&mut a, KeyCode::Char(c));
    }
    press(&mut a, KeyCode::Enter);
    for _ in 0..k {
        press(&mut a, KeyCode::Down);
    }
    let s = screen(&mut a, 160, 48);
    let line = s
        .lines()
        .find(|l| l.starts_with(&format!("G{} ", r.goroutine)) && l.contains("Enter: goroutine"))
        .unwrap_or_else(|| panic!("no info line for G{}\n{s}", r.goroutine));
    let mut around: Vec<_> = v
        .regions
        .iter()
        .filter(|x| x.goroutine == r.goroutine && x.start <= at && at <= x.start + x.dur)
        .collect();
    around.sort_by_key(|x| std::cmp::Reverse(x.start));
    let named: String = around
        .iter()
        .map(|x| format!("  in region {:?} (T{})", x.name, x.task))
        .collect();
    assert!(line.contains(&named), "{line}");

    press(&mut a, KeyCode::Esc);
    assert!(a.timeline.focused_task().is_none());
    let s = screen(&mut a, 160, 48);
    assert!(!s.contains(&fit(&focus.lanes[0].name, 10)), "{s}");
}
