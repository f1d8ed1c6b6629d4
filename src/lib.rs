//! gotrace-tui: a terminal explorer for Go execution traces.
//!
//! The library is layered as design.md describes: [`trace`] turns bytes into Go's ordered
//! event stream; later layers analyse it and draw it.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod analysis;
pub mod report;
pub mod trace;
pub mod tui;
