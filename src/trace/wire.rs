//! Primitive wire decoding: uvarints with Go's exact acceptance rules, and a byte cursor
//! that knows its absolute file offset so every error can name it.

use super::error::{Error, ErrorKind, Result};

/// The longest uvarint Go accepts (`binary.MaxVarintLen64`).
pub const MAX_VARINT_LEN: usize = 10;

/// Why a uvarint could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarintError {
    /// The buffer ended before the last byte of the varint.
    Short,
    /// More than 64 bits (Go's `binary.Uvarint` overflow rule).
    Overflow,
}

/// Decodes a uvarint like Go's `binary.Uvarint`: non-minimal encodings are accepted, a
/// tenth byte above 1 or an eleventh byte is an overflow.
#[inline(always)]
pub fn uvarint(buf: &[u8]) -> Result<(u64, usize), VarintError> {
    // Fast paths: one or two bytes, the common case for deltas and small IDs.
    if let Some(&b) = buf.first()
        && b < 0x80
    {
        return Ok((b as u64, 1));
    }
    if let [b0, b1, ..] = *buf
        && b1 < 0x80
    {
        return Ok(((b0 & 0x7f) as u64 | (b1 as u64) << 7, 2));
    }
    uvarint_slow(buf)
}

#[inline(never)]
fn uvarint_slow(buf: &[u8]) -> Result<(u64, usize), VarintError> {
    let mut x = 0u64;
    let mut s = 0u32;
    for (i, &b) in buf.iter().enumerate() {
        if i == MAX_VARINT_LEN {
            return Err(VarintError::Overflow);
        }
        if b < 0x80 {
            if i == MAX_VARINT_LEN - 1 && b > 1 {
                return Err(VarintError::Overflow);
            }
            return Ok((x | (b as u64) << s, i + 1));
        }
        x |= ((b & 0x7f) as u64) << s;
        s += 7;
    }
    Err(VarintError::Short)
}

/// A cursor over a slice of the file that remembers where the slice starts in the file.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    base: u64,
}

impl<'a> Cursor<'a> {
    /// A cursor over `data`, whose first byte is at file offset `base`.
    pub fn new(data: &'a [u8], base: u64) -> Cursor<'a> {
        Cursor { data, pos: 0, base }
    }

    /// The absolute file offset of the next byte.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Bytes not yet consumed.
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// Whether everything was consumed.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The next byte, or `None` at the end.
    pub fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// The next byte; running out is an error naming `what` was expected.
    pub fn expect_byte(&mut self, what: &str) -> Result<u8> {
        let off = self.offset();
        self.byte().ok_or_else(|| {
            Error::new(
                ErrorKind::Truncated,
                off,
                format!("unexpected end of data: expected {what}"),
            )
        })
    }

    /// The next uvarint; `what` names it in the error.
    pub fn uvarint(&mut self, what: &str) -> Result<u64> {
        let off = self.offset();
        match uvarint(&self.data[self.pos..]) {
            Ok((v, n)) => {
                self.pos += n;
                Ok(v)
            }
            Err(VarintError::Short) => Err(Error::new(
                ErrorKind::Truncated,
                off,
                format!("unexpected end of data reading {what}: expected a uvarint"),
            )),
            Err(VarintError::Overflow) => Err(Error::new(
                ErrorKind::Malformed,
                off,
                format!("invalid uvarint for {what}: more than 64 bits"),
            )),
        }
    }

    /// The next `n` bytes, borrowed. `n` comes from the input, so it is checked against
    /// what is left before anything is sliced.
    pub fn bytes(&mut self, n: u64, what: &str) -> Result<&'a [u8]> {
        let off = self.offset();
        if n > self.remaining() as u64 {
            return Err(Error::new(
                ErrorKind::Truncated,
                off,
                format!(
                    "failed to read full {what}: read {} but wanted {n}",
                    self.remaining()
                ),
            ));
        }
        let s = &self.data[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Ok(s)
    }

    /// The unread rest of the slice.
    pub fn rest(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_follow_go_rules() {
        assert_eq!(uvarint(&[0x05]), Ok((5, 1)));
        assert_eq!(uvarint(&[0x85, 0x00]), Ok((5, 2)));
        assert_eq!(uvarint(&[0x80; 3]), Err(VarintError::Short));
        assert_eq!(uvarint(&[]), Err(VarintError::Short));
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(uvarint(&max), Ok((u64::MAX, 10)));
        let over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(uvarint(&over), Err(VarintError::Overflow));
        assert_eq!(uvarint(&[0x80; 11]), Err(VarintError::Overflow));
        // The runtime's padded 10-byte batch length.
        let padded = [0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        assert_eq!(uvarint(&padded), Ok((5, 10)));
    }

    #[test]
    fn cursor_errors_name_offsets() {
        let mut c = Cursor::new(&[0x01, 0x80], 100);
        assert_eq!(c.uvarint("x").unwrap(), 1);
        let e = c.uvarint("gen").unwrap_err();
        assert_eq!(e.offset, 101);
        assert_eq!(e.kind, ErrorKind::Truncated);
        let mut c = Cursor::new(&[1, 2, 3], 0);
        assert!(c.bytes(u64::MAX, "string").is_err());
        assert_eq!(c.bytes(2, "s").unwrap(), &[1, 2]);
    }
}
