//! Decoding errors: what went wrong, at which byte offset, in which generation.

use std::fmt;

/// What kind of problem stopped decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file does not start with a Go trace header.
    BadHeader,
    /// The header names a format version this decoder does not read.
    UnsupportedVersion,
    /// The file ends in the middle of something.
    Truncated,
    /// A structure is malformed: a bad varint, an oversized field, an unknown event type,
    /// a duplicate or dangling ID.
    Malformed,
    /// The events contradict each other (the ordering state machine rejected them).
    Inconsistent,
    /// Reading the input failed.
    Io,
}

/// A decoding error. Carries the byte offset in the file where the offending item starts,
/// and the generation being decoded, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The broad category.
    pub kind: ErrorKind,
    /// What was expected and what was found, worded like Go's reader where Go has an
    /// equivalent error (tests match Go's expected-failure patterns against it).
    pub message: String,
    /// Byte offset in the file.
    pub offset: u64,
    /// The generation number being decoded, when known.
    pub generation: Option<u64>,
}

impl Error {
    /// An error of `kind` at `offset`.
    pub fn new(kind: ErrorKind, offset: u64, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            offset,
            generation: None,
        }
    }

    /// The same error, attributed to generation `generation` unless it already names one.
    pub fn in_generation(mut self, generation: u64) -> Error {
        if self.generation.is_none() && generation != 0 {
            self.generation = Some(generation);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte offset {}", self.message, self.offset)?;
        if let Some(g) = self.generation {
            write!(f, ", generation {g}")?;
        }
        write!(f, ")")
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;
