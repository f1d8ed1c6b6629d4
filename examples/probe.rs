use gotrace_tui::analysis::timeline::TimelineBuilder;
use gotrace_tui::trace::Source;
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let which = std::env::args().nth(2).unwrap();
    let source = Source::open(std::path::Path::new(&path)).unwrap();
    let reader = gotrace_tui::report::open_reader(&source).unwrap();
    let t = Instant::now();
    match which.as_str() {
        "procs" => {
            let mut b = TimelineBuilder::new().compact();
            gotrace_tui::analysis::run(reader, &mut [&mut b]);
            let tl = b.finish();
            eprintln!(
                "slices {} arrows {} instants {} gc {}",
                tl.slices.len(),
                tl.arrows.len(),
                tl.instants.len(),
                tl.goroutine_counts.len()
            );
        }
        "threads" => {
            let mut b = TimelineBuilder::by_thread().compact();
            gotrace_tui::analysis::run(reader, &mut [&mut b]);
            let _ = b.finish();
        }
        _ => {}
    }
    eprintln!(
        "{which}: {:.2}s rss {:?} KiB",
        t.elapsed().as_secs_f64(),
        gotrace_tui::report::bench::peak_rss_kib()
    );
}
