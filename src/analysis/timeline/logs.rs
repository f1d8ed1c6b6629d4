//! The user logs of a compact timeline (`trace.Log`, `trace.Logf`), packed: what the
//! explorer's search reads of the instants. Their times and lanes are packed columns
//! and their texts one string, where each was an [`super::Instant`] of 56 bytes with
//! its own shared name (the 99,846 logs of the 200 MB benchmark trace, nearly all
//! distinct, took about 13 MB as instants and 10 MB more in the builder's table of
//! shared names).

use super::I64Column;

/// User logs in the order they were written (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Logs {
    times: I64Column,
    lanes: I64Column,
    /// Where each log's text ends in `text`.
    ends: I64Column,
    text: String,
}

/// One user log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Log<'a> {
    /// When (absolute ns).
    pub time: i64,
    /// The lane it was written on (a P, or a thread in the thread view).
    pub lane: u64,
    /// "[category] message", or the message alone, as go tool trace names the instant.
    pub text: &'a str,
}

impl Logs {
    /// Appends a log: its message, under `category` unless that is empty.
    pub fn push(&mut self, lane: u64, time: i64, category: &str, message: &str) {
        if !category.is_empty() {
            self.text.push('[');
            self.text.push_str(category);
            self.text.push_str("] ");
        }
        self.text.push_str(message);
        self.times.push(time);
        // Lanes are P and thread IDs; the cast is one-to-one.
        self.lanes.push(lane as i64);
        self.ends.push(self.text.len() as i64);
    }

    /// Drops spare capacity: the logs will be read from now on.
    pub fn seal(&mut self) {
        self.times.seal();
        self.lanes.seal();
        self.ends.seal();
        self.text.shrink_to_fit();
    }

    /// Number of logs.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Log `i`. Panics if `i` is out of bounds, as indexing a slice does.
    pub fn get(&self, i: usize) -> Log<'_> {
        let start = i.checked_sub(1).map_or(0, |p| self.ends.get(p) as usize);
        Log {
            time: self.times.get(i),
            lane: self.lanes.get(i) as u64,
            text: &self.text[start..self.ends.get(i) as usize],
        }
    }

    /// The logs, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Log<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Heap bytes used (spare capacity aside).
    pub fn bytes(&self) -> usize {
        self.times.bytes() + self.lanes.bytes() + self.ends.bytes() + self.text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_come_back_with_their_texts() {
        let mut logs = Logs::default();
        logs.push(3, 100, "request-id", "42");
        logs.push(0, 90, "", "héllo ✓");
        logs.push(u64::MAX, 110, "c", "");
        logs.seal();
        let got: Vec<Log<'_>> = logs.iter().collect();
        assert_eq!(
            got,
            [
                Log {
                    time: 100,
                    lane: 3,
                    text: "[request-id] 42"
                },
                Log {
                    time: 90,
                    lane: 0,
                    text: "héllo ✓"
                },
                Log {
                    time: 110,
                    lane: u64::MAX,
                    text: "[c] "
                },
            ]
        );
        assert_eq!(logs.len(), 3);
    }
}
