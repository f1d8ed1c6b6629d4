//! One-pass consumers of the ordered event stream, producing compact owned results.
//! No UI here: the explorer and the headless reports read these results.

pub mod events;
pub mod flows;
pub mod gomath;
pub mod goroutines;
pub mod gstates;
pub mod mmu;
pub mod profiles;
pub mod search;
pub mod tasks;
pub mod timeline;

use crate::trace::{Error, Event, Reader};

/// A consumer of the ordered event stream. Every consumer sees every event, once, in
/// order; none keeps the events themselves.
pub trait Consumer {
    /// Handles one event.
    fn event(&mut self, ev: &Event<'_>);
}

/// Runs `consumers` over every event of `reader`, in one pass. Returns the number of events
/// and the error that stopped decoding, if any: the consumers have seen every event before
/// it, as `go tool trace` analyses everything it could read.
pub fn run(mut reader: Reader<'_>, consumers: &mut [&mut dyn Consumer]) -> (u64, Option<Error>) {
    let mut n = 0;
    loop {
        match reader.next_ref() {
            Ok(Some(ev)) => {
                n += 1;
                for c in consumers.iter_mut() {
                    c.event(ev);
                }
            }
            Ok(None) => return (n, None),
            Err(e) => return (n, Some(e)),
        }
    }
}
