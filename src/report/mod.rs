//! Headless renderings of decoded traces: the text behind each subcommand.

pub mod bench;
pub mod goroutines;
pub mod pprof;
pub mod stats;
