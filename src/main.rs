//! The `gotrace-tui` command: parses the command line and dispatches to a headless report.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr};

use gotrace_tui::report;
use gotrace_tui::trace::Source;
use gotrace_tui::trace::dump::DumpError;

mod cli;

/// The allocator: jemalloc, built to hand freed pages back at once
/// (`JEMALLOC_SYS_WITH_MALLOC_CONF` in `.cargo/config.toml`). With glibc's malloc,
/// the analyses' growing vectors left 105 MB of freed but resident holes in its arenas
/// on the 200 MB benchmark trace (its dynamic mmap threshold had risen to 32 MB, so
/// big vectors grew by copying inside the arenas): 437 MiB resident once loaded and a
/// 776 MiB peak over the key script, against 348 MiB and 621 MiB with jemalloc so
/// configured, at the same speed (docs/performance.md).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Opens the explorer on a trace file, standard input or the demo trace.
fn explore(trace: Option<std::path::PathBuf>, demo: bool, mouse: bool) -> Result<()> {
    use gotrace_tui::tui::model::TraceFile;
    let (file, name) = match (trace, demo) {
        (_, true) => (
            TraceFile {
                source: Source::Owned(gotrace_tui::tui::DEMO_TRACE.to_vec()),
                path: "demo".into(),
            },
            "demo (mutex.trace)".to_string(),
        ),
        (Some(path), false) => {
            let source = open(&path)?;
            let name = if path.as_os_str() == "-" {
                "stdin".to_string()
            } else {
                path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            };
            (TraceFile { source, path }, name)
        }
        (None, false) => color_eyre::eyre::bail!(
            "no trace given: run `gotrace-tui TRACE` (or `gotrace-tui --demo` to try the              explorer on a bundled trace; `gotrace-tui --help` lists the subcommands)"
        ),
    };
    gotrace_tui::tui::run(file, name, mouse)
}

use cli::{Cli, Command};

fn main() -> Result<ExitCode> {
    color_eyre::install()?;
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        return explore(cli.trace, cli.demo, cli.mouse).map(|()| ExitCode::SUCCESS);
    };
    match command {
        Command::Dump(args) => {
            let source = open(&args.trace)?;
            let mut out = BufWriter::new(io::stdout().lock());
            let r = if args.wire {
                gotrace_tui::trace::raw::dump_wire(source.bytes(), &mut out)
            } else {
                gotrace_tui::trace::dump::dump_parsed(source.bytes(), &mut out)
            };
            finish(out, r)
        }
        Command::Stats(args) => {
            let source = open(&args.trace)?;
            let mut out = BufWriter::new(io::stdout().lock());
            let r = report::stats::write_stats(&source, &mut out);
            finish(out, r)
        }
        Command::Goroutines(args) => {
            let source = open(&args.trace)?;
            let mut out = BufWriter::new(io::stdout().lock());
            let opts = report::goroutines::Options {
                group: args.group,
                goroutine: args.goroutine,
                sort: args.sort,
                format: if args.json {
                    report::goroutines::Format::Json
                } else if args.csv {
                    report::goroutines::Format::Csv
                } else {
                    report::goroutines::Format::Text
                },
            };
            let r = report::goroutines::run(&source, &opts, &mut out);
            finish(out, r)
        }
        Command::Pprof(args) => {
            let source = open(&args.trace)?;
            let kind = gotrace_tui::analysis::profiles::ProfileKind::from_name(&args.kind)
                .expect("clap checked the name");
            let region = match &args.region {
                None => None,
                Some(name) => {
                    let pc = match &args.region_pc {
                        None => None,
                        Some(s) => Some(
                            u64::from_str_radix(s.trim_start_matches("0x"), 16)
                                .wrap_err_with(|| format!("invalid --region-pc {s:?}"))?,
                        ),
                    };
                    Some(report::pprof::RegionScope {
                        name: name.clone(),
                        pc,
                    })
                }
            };
            let records = match report::pprof::compute_scoped(
                &source,
                kind,
                args.group.as_deref(),
                region.as_ref(),
            ) {
                Ok(r) => r,
                Err(e) => return finish(io::sink(), Err(e)),
            };
            match &args.output {
                Some(path) => {
                    let file = std::fs::File::create(path)
                        .wrap_err_with(|| format!("cannot create {}", path.display()))?;
                    let mut w = BufWriter::new(file);
                    report::pprof::write_gzipped(&records, &mut w)?;
                    w.flush()?;
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    let mut out = BufWriter::new(io::stdout().lock());
                    let r = report::pprof::write_top(&records, args.top, &mut out);
                    finish(out, r.map_err(DumpError::from))
                }
            }
        }
        Command::Tasks(args) if args.focus.is_some() => {
            let source = open(&args.trace)?;
            let id = args.focus.unwrap_or_default();
            let mut out = BufWriter::new(io::stdout().lock());
            match report::tasks::write_task_view(&source, id, args.json, &mut out) {
                Ok(Err(why)) => {
                    eprintln!("gotrace-tui: {why}");
                    Ok(ExitCode::FAILURE)
                }
                r => finish(out, r.map(|_| ())),
            }
        }
        Command::Tasks(args) => {
            let source = open(&args.trace)?;
            let filter = report::tasks::TaskFilter {
                typ: args.typ,
                min_duration: parse_min_duration(args.min_duration.as_deref())?,
                text: args.log,
            };
            let summary = match report::summarize(&source) {
                Ok(s) => s,
                Err(e) => return finish(io::sink(), Err(e)),
            };
            let mut out = BufWriter::new(io::stdout().lock());
            let r = report::tasks::write_tasks(&summary, &filter, args.json, &mut out);
            finish(out, r.map_err(DumpError::from))
        }
        Command::Regions(args) => {
            let source = open(&args.trace)?;
            let min = parse_min_duration(args.min_duration.as_deref())?;
            let summary = match report::summarize(&source) {
                Ok(s) => s,
                Err(e) => return finish(io::sink(), Err(e)),
            };
            let mut out = BufWriter::new(io::stdout().lock());
            let r = report::tasks::write_regions(
                &summary,
                args.typ.as_deref(),
                min,
                args.json,
                &mut out,
            );
            finish(out, r.map_err(DumpError::from))
        }
        Command::Mmu(args) => {
            let source = open(&args.trace)?;
            let flags_str = args.flags.replace(',', "|");
            let windows = args
                .window
                .iter()
                .map(|w| parse_min_duration(Some(w)).map(|d| d.unwrap_or(0)))
                .collect::<Result<Vec<i64>>>()?;
            let opts = report::mmu::Options {
                flags: gotrace_tui::analysis::mmu::UtilFlags::parse(&flags_str),
                quantiles: flags_str.split('|').any(|f| f == "mut"),
                windows,
                json: args.json,
            };
            let mut out = BufWriter::new(io::stdout().lock());
            let r = report::mmu::run(&source, &opts, &mut out);
            finish(out, r)
        }
        Command::Flows(args) => {
            let source = open(&args.trace)?;
            let mut out = BufWriter::new(io::stdout().lock());
            let r = report::flows::run(&source, args.goroutine, args.json, &mut out);
            finish(out, r)
        }
        Command::Events(args) => {
            let source = open(&args.trace)?;
            let from = parse_min_duration(args.from.as_deref())?;
            let to = parse_min_duration(args.to.as_deref())?;
            let format = if args.go {
                report::events::Format::Go
            } else if args.json {
                report::events::Format::Json
            } else {
                report::events::Format::Text
            };
            let mut out = BufWriter::new(io::stdout().lock());
            let r = report::events::run(&source, args.goroutine, from, to, format, &mut out);
            finish(out, r)
        }
        Command::Search(args) => {
            let source = open(&args.trace)?;
            let mut out = BufWriter::new(io::stdout().lock());
            let r = report::search::run(&source, &args.pattern, args.limit, args.json, &mut out);
            finish(out, r)
        }
        Command::Bench(args) if args.explorer => {
            let source = open(&args.trace)?;
            let file = gotrace_tui::tui::model::TraceFile {
                source,
                path: args.trace.clone(),
            };
            // Line by line: the figures come as the benchmark goes.
            let mut out = io::LineWriter::new(io::stdout().lock());
            let r = gotrace_tui::tui::bench::run(file, &mut out).map_err(DumpError::Io);
            finish(out, r)
        }
        Command::Bench(args) => {
            let source = open(&args.trace)?;
            let mut out = BufWriter::new(io::stdout().lock());
            let r = if args.scan {
                report::bench::run_scan(&source, &mut out)
            } else if args.analysis {
                report::bench::run_analysis(&source, &args.only, &mut out)
            } else if args.timeline {
                report::bench::run_timeline(&source, &mut out)
            } else {
                report::bench::run(&source, !args.keep_pages, &mut out)
            };
            finish(out, r)
        }
    }
}

fn parse_min_duration(s: Option<&str>) -> Result<Option<i64>> {
    s.map(|s| {
        report::tasks::parse_duration(s).ok_or_else(|| {
            color_eyre::eyre::eyre!("invalid duration {s:?}: expected e.g. 250us, 1ms, 1.5s")
        })
    })
    .transpose()
}

fn open(path: &std::path::Path) -> Result<Source> {
    Source::open(path).wrap_err_with(|| format!("cannot open {}", path.display()))
}

/// Flushes the output, and turns a decoding error into Go's behaviour: the message on
/// stderr and exit status 1, after everything decoded before it was printed.
fn finish(mut out: impl Write, r: Result<(), DumpError>) -> Result<ExitCode> {
    let flushed = out.flush();
    match r {
        Ok(()) => match flushed {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(ExitCode::SUCCESS),
        },
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(DumpError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(DumpError::Io(e)) => Err(e.into()),
        Err(DumpError::Trace(e)) => {
            eprintln!("gotrace-tui: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
