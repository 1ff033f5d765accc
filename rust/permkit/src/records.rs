//! The records of `permkit shuffle` (docs/index_shuffle.md, "Command line"): input bytes
//! split at a delimiter, and the output text of a random-access order read from a
//! position on, every record followed by the delimiter (as GNU shuf writes them).

use crate::random_access::RandomAccess;
use crate::{Error, Interrupt, PermIndex, Result};
use std::io::Write;

/// Record bounds of a byte string: record `i` is `data[b[i] .. b[i + 1] - 1]` (a last
/// record without a terminator gets a virtual one, `b[last] = len + 1`). `u32` bounds
/// (half the memory per line) when every bound fits, else `u64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordBounds {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

impl RecordBounds {
    /// The bounds of the records of `bytes` split at `delim`.
    pub fn scan(bytes: &[u8], delim: u8) -> Self {
        if (bytes.len() as u64) < u32::MAX as u64 {
            Self::Narrow(scan(bytes, delim))
        } else {
            Self::Wide(scan(bytes, delim))
        }
    }
}

fn scan<T: PermIndex>(bytes: &[u8], delim: u8) -> Vec<T> {
    let mut bounds = vec![T::from_usize(0)];
    bounds.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == delim)
            .map(|(i, _)| T::from_usize(i + 1)),
    );
    if bytes.last().is_some_and(|&b| b != delim) {
        bounds.push(T::from_usize(bytes.len() + 1));
    }
    bounds
}

/// The records at positions `start .. start + count` of `order` (a bijection of the
/// records of `bytes`, whose bounds are `bounds`), each followed by `delim`.
pub fn gather_records<T: PermIndex, O: RandomAccess>(
    bytes: &[u8],
    bounds: &[T],
    order: &O,
    start: u64,
    count: usize,
    delim: u8,
    interrupt: &dyn Interrupt,
) -> Result<Vec<u8>> {
    let records = bounds.len().saturating_sub(1) as u64;
    let fits = matches!(start.checked_add(count as u64), Some(end) if end <= records);
    if order.n() != records || !fits {
        return Err(Error::InvalidValue(format!(
            "an order of {} values cannot read positions {start}..{start}+{count} of {records} records",
            order.n()
        )));
    }
    let mut picked = vec![0u64; count];
    order.map_range(start, 1, &mut picked, interrupt)?;
    let mut out = Vec::new();
    for &r in &picked {
        let (a, b) = (
            bounds[r as usize].to_usize(),
            bounds[r as usize + 1].to_usize().saturating_sub(1),
        );
        let record = bytes.get(a..b).ok_or_else(|| {
            Error::InvalidValue(format!("record {r} ({a}..{b}) lies outside the data"))
        })?;
        out.extend_from_slice(record);
        out.push(delim);
    }
    Ok(out)
}

/// The decimal text of `lo + order[j]` for `j` in `start .. start + count`, each followed
/// by `delim` (`permkit shuffle -i LO-HI`; `lo + order[j]` must fit 64 bits).
pub fn range_text<O: RandomAccess>(
    order: &O,
    lo: u64,
    start: u64,
    count: usize,
    delim: u8,
    interrupt: &dyn Interrupt,
) -> Result<Vec<u8>> {
    if lo.checked_add(order.n().saturating_sub(1)).is_none() {
        return Err(Error::Overflow(format!(
            "{lo} + {} leaves the 64-bit range",
            order.n() - 1
        )));
    }
    let mut picked = vec![0u64; count];
    order.map_range(start, 1, &mut picked, interrupt)?;
    let mut out = Vec::with_capacity(count * 21);
    for &v in &picked {
        write!(out, "{}", lo + v).map_err(|e| Error::InvalidValue(e.to_string()))?;
        out.push(delim);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index_shuffle::IndexShuffle;
    use crate::Never;

    #[test]
    fn records_split_gather_and_print() {
        let data = b"a\nbb\n\nccc";
        let RecordBounds::Narrow(bounds) = RecordBounds::scan(data, b'\n') else {
            panic!("small inputs get u32 bounds")
        };
        assert_eq!(bounds, [0, 2, 5, 6, 10]);
        let order = IndexShuffle::new(4, 1, 10).unwrap();
        let all = gather_records(data, &bounds, &order, 0, 4, b'\n', &Never).unwrap();
        let mut lines: Vec<&[u8]> = all.split(|&b| b == b'\n').collect();
        assert_eq!(lines.pop(), Some(&b""[..]));
        let first = order.forward(0).unwrap() as usize;
        assert_eq!(lines[0], [&b"a"[..], b"bb", b"", b"ccc"][first]);
        lines.sort();
        assert_eq!(lines, [&b""[..], b"a", b"bb", b"ccc"]);
        assert!(gather_records(data, &bounds, &order, 3, 2, b'\n', &Never).is_err());
        let text = range_text(&order, 10, 1, 3, b'\0', &Never).unwrap();
        let want: Vec<u8> = (1..4)
            .flat_map(|j| format!("{}\0", 10 + order.forward(j).unwrap()).into_bytes())
            .collect();
        assert_eq!(text, want);
        assert!(range_text(&order, u64::MAX - 2, 0, 1, b'\n', &Never).is_err());
        assert_eq!(
            RecordBounds::scan(b"", b'\n'),
            RecordBounds::Narrow(vec![0])
        );
    }
}
