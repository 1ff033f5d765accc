//! Checking that rows are permutations of `0..n`.

use crate::{Error, PermIndex, Result};
use rayon::prelude::*;

/// First problem in one row, scanning left to right.
pub(crate) fn check_row<T: PermIndex>(row: &[T], row_index: usize) -> Result<()> {
    let n = row.len();
    if n <= 64 {
        let mut seen = 0u64;
        for (i, &v) in row.iter().enumerate() {
            let x = v.checked_index(n).ok_or(Error::OutOfRange {
                row: row_index,
                index: i,
                value: v.to_i128(),
                n,
            })?;
            if seen & (1 << x) != 0 {
                return Err(Error::Duplicate {
                    row: row_index,
                    index: i,
                    value: x as u64,
                });
            }
            seen |= 1 << x;
        }
        return Ok(());
    }
    let mut seen = vec![0u64; n.div_ceil(64)];
    for (i, &v) in row.iter().enumerate() {
        let x = v.checked_index(n).ok_or(Error::OutOfRange {
            row: row_index,
            index: i,
            value: v.to_i128(),
            n,
        })?;
        let (word, bit) = (x / 64, 1u64 << (x % 64));
        if seen[word] & bit != 0 {
            return Err(Error::Duplicate {
                row: row_index,
                index: i,
                value: x as u64,
            });
        }
        seen[word] |= bit;
    }
    Ok(())
}

/// Ok when each of the `data.len() / n` rows is a permutation of `0..n`;
/// otherwise the first problem in row-major order.
pub fn validate_rows<T: PermIndex>(data: &[T], n: usize) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    if data.len() % n != 0 {
        return Err(Error::LengthMismatch {
            expected: n,
            found: data.len() % n,
        });
    }
    // One long row is checked on one thread: the check streams the row once
    // through a cache-resident bitset and is memory-bound, so splitting it
    // would only multiply the memory traffic.
    match data
        .par_chunks(n)
        .enumerate()
        .find_map_first(|(r, row)| check_row(row, r).err())
    {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// Whether each row is a permutation of `0..n`; never fails.
pub fn is_permutation_rows<T: PermIndex>(data: &[T], n: usize, out: &mut [bool]) {
    if n == 0 {
        out.fill(true);
        return;
    }
    data.par_chunks(n)
        .zip(out.par_iter_mut())
        .for_each(|(row, slot)| *slot = check_row(row, 0).is_ok());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_permutations_and_reports_first_problem() {
        assert!(validate_rows(&[2u8, 0, 1, 0, 1, 2], 3).is_ok());
        assert_eq!(
            validate_rows(&[2i64, 0, 1, 0, 0, 5], 3),
            Err(Error::Duplicate {
                row: 1,
                index: 1,
                value: 0
            })
        );
        assert_eq!(
            validate_rows(&[-1i32, 0, 1], 3),
            Err(Error::OutOfRange {
                row: 0,
                index: 0,
                value: -1,
                n: 3
            })
        );
    }

    #[test]
    fn long_rows_report_the_first_duplicate() {
        let n = (1 << 16) * 3 + 7;
        let mut row: Vec<u32> = (0..n as u32).rev().collect();
        assert!(validate_rows(&row, n).is_ok());
        row[n - 1] = row[0];
        assert_eq!(
            validate_rows(&row, n),
            Err(Error::Duplicate {
                row: 0,
                index: n - 1,
                value: (n - 1) as u64
            })
        );
        let mut out = [true];
        is_permutation_rows(&row, n, &mut out);
        assert!(!out[0]);
    }
}
