//! Command-line interface definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A terminal explorer for Go execution traces.
///
/// `gotrace-tui TRACE` opens the explorer (`-` reads the trace from standard input);
/// `gotrace-tui --demo` opens it on a small trace built into the binary. The
/// subcommands print the same analyses as text, JSON or CSV.
#[derive(Debug, Parser)]
#[command(name = "gotrace-tui", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A headless report instead of the explorer.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The trace to explore (written by runtime/trace, `go test -trace` or
    /// /debug/pprof/trace); `-` reads standard input.
    pub trace: Option<PathBuf>,
    /// Open the explorer on a small trace built into the binary.
    #[arg(long, conflicts_with = "trace")]
    pub demo: bool,
    /// Capture the mouse: the wheel scrolls, a click on the tab bar switches tabs (the
    /// terminal's own text selection then needs Shift).
    #[arg(long)]
    pub mouse: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the trace's events as text, exactly as Go 1.26's `go tool trace -d=parsed`
    /// prints them (run Go with TZ=UTC to compare wall-clock times).
    Dump(DumpArgs),
    /// Print the event footprint table of `go tool trace -d=footprint`, then a summary:
    /// Go version, duration, generations, threads/procs/goroutines seen, events.
    Stats(TraceArg),
    /// Decode every event of the trace in order without printing, and report the time
    /// taken, the throughput and the peak memory (the decoder benchmark).
    Bench(BenchArgs),
    /// Goroutine analysis, as go tool trace's goroutine pages compute it: goroutines
    /// grouped by start function, with execution, scheduler wait, syscall, block (by
    /// reason) and unknown time per goroutine.
    Goroutines(GoroutinesArgs),
    /// Blocking profiles as go tool trace -pprof=TYPE builds them: time blocked on the
    /// network (net), on synchronization (sync), in syscalls (syscall) or waiting for a P
    /// (sched), by stack. Writes a gzipped pprof file with -o, else prints the top stacks
    /// and functions.
    Pprof(PprofArgs),
    /// User tasks by type (trace.NewTask): counts and latency distribution, with
    /// --type/--min-duration/--log the matching tasks with their logs and goroutines.
    Tasks(TasksArgs),
    /// User regions by type and start location (trace.WithRegion/StartRegion): counts,
    /// latency distribution; with --type every region and what its goroutine did inside.
    Regions(RegionsArgs),
    /// Minimum mutator utilization, as go tool trace's MMU page computes it: the curve
    /// (worst fraction of the program available to your code, for every window size)
    /// and the worst windows of the sizes given with --window.
    Mmu(MmuArgs),
    /// A goroutine's causal links, as go tool trace draws them as flow arrows: what made
    /// it run each time (created or unblocked by which goroutine, and why; the network
    /// poller; a blocked syscall returning) and which goroutines it created or unblocked,
    /// in time order with the causes' stacks.
    Flows(FlowsArgs),
    /// The goroutine slices (on Ps) and user logs matching a text, in time order: by the
    /// goroutine's start function, a function or file of the slice's end or start
    /// stack, the reason it was unblocked, or the log message (case-insensitive).
    Search(SearchArgs),
    /// One goroutine's events in time order, with stacks: its state changes (who
    /// created or unblocked it, where it blocked) and what it did (created or unblocked
    /// others, logs, regions, tasks); --go prints them as go tool trace -d=parsed does.
    Events(EventsArgs),
}

/// Arguments of `events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// The goroutine.
    #[arg(long)]
    pub goroutine: i64,
    /// From this time since the trace start (a Go duration: 1.5ms, 250us).
    #[arg(long)]
    pub from: Option<String>,
    /// Up to this time since the trace start.
    #[arg(long)]
    pub to: Option<String>,
    /// Print each event as Go's Event.String() (go tool trace -d=parsed).
    #[arg(long, conflicts_with = "json")]
    pub go: bool,
    /// Print JSON (times in ns from the trace start).
    #[arg(long)]
    pub json: bool,
    /// The trace file (`-` reads standard input).
    pub trace: PathBuf,
}

/// Arguments of `search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Print at most this many matches (the total is always counted).
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    /// Print JSON (times in ns from the trace start).
    #[arg(long)]
    pub json: bool,
    /// The trace file (`-` reads standard input).
    pub trace: PathBuf,
    /// The text to look for.
    pub pattern: String,
}

/// Arguments of `flows`.
#[derive(Debug, Args)]
pub struct FlowsArgs {
    /// The goroutine.
    #[arg(long)]
    pub goroutine: i64,
    /// Print JSON (times in ns from the trace start).
    #[arg(long)]
    pub json: bool,
    /// The trace file (`-` reads standard input).
    pub trace: PathBuf,
}

/// Arguments of `mmu`.
#[derive(Debug, Args)]
pub struct MmuArgs {
    /// What counts as GC, `|`- or comma-separated: stw, background, assist, sweep,
    /// perProc (one curve per P), mut (also plot utilization quantiles).
    #[arg(long, default_value = "stw|background|assist")]
    pub flags: String,
    /// List the 10 worst windows of this size (a Go duration; repeatable).
    #[arg(long)]
    pub window: Vec<String>,
    /// Print JSON: the 100-point curve go tool trace plots, and the windows.
    #[arg(long)]
    pub json: bool,
    /// The trace file (`-` reads standard input).
    pub trace: PathBuf,
}

/// Arguments of `tasks`.
#[derive(Debug, Args)]
pub struct TasksArgs {
    /// Only tasks of this type.
    #[arg(long = "type")]
    pub typ: Option<String>,
    /// Only tasks at least this long (a Go duration: 1ms, 250us, 1.5s).
    #[arg(long)]
    pub min_duration: Option<String>,
    /// Only tasks whose type, regions, log categories or messages contain this text.
    #[arg(long)]
    pub log: Option<String>,
    /// Print go tool trace's views of this task instead (its "Task N" link,
    /// `/trace?focustask=N`, and "(goroutine view)", `/trace?taskid=N`): the task's
    /// window, its tree in the viewer's order, each task's begin and end (time,
    /// goroutine, stacks), the parent → child arrows, the tree's goroutines and its
    /// regions.
    #[arg(long, value_name = "ID", conflicts_with_all = ["typ", "min_duration", "log"])]
    pub focus: Option<u64>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// The trace file (`-` reads standard input).
    pub trace: PathBuf,
}

/// Arguments of `regions`.
#[derive(Debug, Args)]
pub struct RegionsArgs {
    /// Only regions of this type.
    #[arg(long = "type")]
    pub typ: Option<String>,
    /// Only regions at least this long (a Go duration).
    #[arg(long)]
    pub min_duration: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// The trace file (`-` reads standard input).
    pub trace: PathBuf,
}

/// Arguments of `pprof`.
#[derive(Debug, Args)]
pub struct PprofArgs {
    /// Which profile: net, sync, syscall or sched.
    #[arg(long = "type", value_parser = ["net", "sync", "syscall", "sched"])]
    pub kind: String,
    /// Only goroutines of this group (start function).
    #[arg(long, conflicts_with = "region")]
    pub group: Option<String>,
    /// Only time inside regions of this type (trace.WithRegion / StartRegion).
    #[arg(long)]
    pub region: Option<String>,
    /// With --region: only regions started at this PC (hex, as `gotrace-tui regions`
    /// groups them).
    #[arg(long, requires = "region")]
    pub region_pc: Option<String>,
    /// Write the profile here (gzipped protobuf, for go tool pprof).
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// How many stacks and functions the table shows.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// The trace file (`-` reads standard input).
    pub trace: PathBuf,
}

/// Arguments of `goroutines`.
#[derive(Debug, Args)]
pub struct GoroutinesArgs {
    /// Only the goroutines of this group (start function).
    #[arg(long)]
    pub group: Option<String>,
    /// Only this goroutine, with its regions.
    #[arg(long)]
    pub goroutine: Option<i64>,
    /// Sort goroutines by this column: total, exec, sched, syscall, syscall-block,
    /// block, unknown, id.
    #[arg(long, default_value = "total")]
    pub sort: String,
    /// Print JSON (durations in integer nanoseconds).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV, one row per goroutine.
    #[arg(long)]
    pub csv: bool,
    /// The trace file (`-` reads standard input).
    pub trace: PathBuf,
}

/// A trace file argument.
#[derive(Debug, Args)]
pub struct TraceArg {
    /// The trace file (`-` reads standard input).
    pub trace: PathBuf,
}

/// Arguments of `dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Print the raw wire events in file order instead (Go's `-d=wire`).
    #[arg(long)]
    pub wire: bool,
    /// The trace file (`-` reads standard input).
    pub trace: PathBuf,
}

/// Arguments of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Keep the pages of decoded generations mapped (by default they are released as
    /// decoding moves on, so memory stays proportional to one generation).
    #[arg(long)]
    pub keep_pages: bool,
    /// Instead, only walk the batches and decode every event's varints, unordered: the
    /// floor under any ordered decode.
    #[arg(long, conflicts_with_all = ["analysis", "timeline"])]
    pub scan: bool,
    /// Instead, run every analysis (goroutines, tasks, regions, profiles, MMU) in one
    /// pass and report its time and peak memory.
    #[arg(long, conflicts_with = "timeline")]
    pub analysis: bool,
    /// With --analysis, run only these consumers (comma-separated: goroutines, profiles,
    /// mmu), to see what each one costs.
    #[arg(long, value_delimiter = ',', requires = "analysis", value_parser = ["goroutines", "profiles", "mmu"])]
    pub only: Vec<String>,
    /// Instead, build go tool trace's proc-view timeline (slices, arrows, instants,
    /// counters) and report its size, time and peak memory.
    #[arg(long, conflicts_with = "explorer")]
    pub timeline: bool,
    /// Instead, time the explorer: first frame, analysis, and a script of key presses
    /// rendered at 160×48; report the latencies and the peak memory.
    #[arg(long)]
    pub explorer: bool,
    /// The trace file.
    pub trace: PathBuf,
}
