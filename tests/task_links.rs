//! Task links (parent → child, go tool trace's "newTask" arrows) equal the parents go
//! tool trace prints in each task's begin event on its task pages ("task \"name\" (D 10,
//! parent 7) begin", stored by testdata/oracle.sh), on every committed trace with tasks.

use gotrace_tui::analysis::flows::TaskLinks;
use gotrace_tui::analysis::goroutines::Summarizer;
use gotrace_tui::trace::Reader;

#[path = "common/oracle.rs"]
mod oracle;

#[test]
fn task_links_equal_go_tool_traces_parents() {
    let re = regex::Regex::new(r#"^task ".*" \(D (\d+), parent (\d+)\) begin$"#).unwrap();
    let mut checked = 0;
    for path in oracle::traces_with("tasks.json") {
        let golden: serde_json::Value = serde_json::from_slice(&oracle::read_golden(
            &path.with_extension("oracle").join("tasks.json"),
        ))
        .unwrap();
        let mut want: Vec<(u64, u64, i64)> = Vec::new();
        for ty in golden["types"].as_array().unwrap() {
            for task in ty["tasks"].as_array().unwrap() {
                for ev in task["events"].as_array().unwrap() {
                    let what = ev["what"].as_str().unwrap();
                    if let Some(c) = re.captures(what) {
                        let (child, parent): (u64, u64) =
                            (c[1].parse().unwrap(), c[2].parse().unwrap());
                        if parent != u64::MAX {
                            want.push((parent, child, ev["when_ns"].as_i64().unwrap()));
                        }
                    }
                }
            }
        }
        let data = std::fs::read(&path).unwrap();
        let mut s = Summarizer::new();
        gotrace_tui::analysis::run(Reader::new(&data).unwrap(), &mut [&mut s]);
        let summary = s.finish();
        let links = TaskLinks::new(&summary);
        let mut got: Vec<(u64, u64, i64)> = links
            .links
            .iter()
            .map(|l| (l.parent, l.child, l.time - summary.first_time))
            .collect();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want, "{}", path.display());
        // Both indexes agree with the list.
        for l in &links.links {
            assert!(links.children(l.parent).any(|x| x == l));
            assert_eq!(links.parent_of(l.child), Some(l));
        }
        checked += want.len();
    }
    assert!(checked > 0, "some committed trace has nested tasks");
}
