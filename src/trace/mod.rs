//! Bytes → ordered events: a port of Go's `internal/trace` reader. No analysis, no UI.
//!
//! [`Source`] holds the bytes, [`index::Index`] walks batch headers, and [`Reader`] yields
//! Go's ordered event stream; [`dump`] and [`raw`] print it as Go's tools do.

pub mod dump;
pub mod error;
pub mod event;
pub mod gofmt;
pub mod index;
pub(crate) mod order;
pub mod raw;
pub mod reader;
pub mod selfcheck;
pub mod source;
pub mod spec;
pub mod tables;
pub mod wire;

pub use error::{Error, ErrorKind, Result};
pub use event::{Event, GoState, Kind, ProcState, Resource};
pub use reader::Reader;
pub use source::Source;
