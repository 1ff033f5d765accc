//! Composition, inversion and powers.

use super::cycles::walk_cycles;
use super::validate::{check_row, validate_rows};
use crate::Error;
use crate::{PermIndex, Result};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::ToPrimitive;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Elements per parallel task: large enough to amortise scheduling.
const CHUNK: usize = 1 << 16;

/// Rows per parallel task for rows of length `n`.
pub(crate) fn rows_per_task(n: usize) -> usize {
    (CHUNK / n.max(1)).max(1)
}

/// Calls `f(p_row, q_row, out_row)` for every row, in parallel. `p` and `q` hold
/// either as many rows as `out` or exactly one row (broadcast); `out` holds
/// `width` values per row.
pub(crate) fn for_each_row_pair<T: PermIndex, O: Send>(
    p: &[T],
    q: &[T],
    n: usize,
    out: &mut [O],
    width: usize,
    f: impl Fn(&[T], &[T], &mut [O]) + Sync,
) {
    let row = |data: &'_ [T], r: usize| -> std::ops::Range<usize> {
        if data.len() == n {
            0..n
        } else {
            r * n..(r + 1) * n
        }
    };
    let per_task = rows_per_task(n);
    out.par_chunks_mut(width * per_task)
        .enumerate()
        .for_each(|(t, block)| {
            for (k, out_row) in block.chunks_mut(width).enumerate() {
                let r = t * per_task + k;
                f(&p[row(p, r)], &q[row(q, r)], out_row);
            }
        });
}

/// Which operand of a binary operation an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    First,
    Second,
}

/// Writes `out[r][i] = p[r][q[r][i]]` for every row (single-row operands broadcast).
pub fn compose_rows<T: PermIndex>(
    p: &[T],
    q: &[T],
    n: usize,
    out: &mut [T],
) -> std::result::Result<(), (Operand, Error)> {
    if n == 0 {
        return Ok(());
    }
    if out.len() == n {
        // One long row: the gather is bound by memory latency and the checks by
        // bandwidth, so they run side by side. The gather bounds-checks every
        // index itself, so it is safe even while `q` is still unchecked.
        let ((p_ok, q_ok), ()) = rayon::join(
            || rayon::join(|| validate_rows(p, n), || validate_rows(q, n)),
            || {
                for (o, &j) in out.iter_mut().zip(q) {
                    if let Some(&v) = p.get(j.to_usize()) {
                        *o = v;
                    }
                }
            },
        );
        p_ok.map_err(|e| (Operand::First, e))?;
        return q_ok.map_err(|e| (Operand::Second, e));
    }
    // Many rows: check and gather each row in one pass while it is in cache.
    let failed = AtomicBool::new(false);
    for_each_row_pair(p, q, n, out, n, |p_row, q_row, out_row| {
        if check_row(p_row, 0).is_err() || check_row(q_row, 0).is_err() {
            failed.store(true, Ordering::Relaxed);
            return;
        }
        for (o, &j) in out_row.iter_mut().zip(q_row) {
            *o = p_row[j.to_usize()];
        }
    });
    if failed.load(Ordering::Relaxed) {
        validate_rows(p, n).map_err(|e| (Operand::First, e))?;
        validate_rows(q, n).map_err(|e| (Operand::Second, e))?;
    }
    Ok(())
}

/// Writes the inverse of every row of `p` into `out` (`out[r][p[r][i]] = i`).
pub fn inverse_rows<T: PermIndex>(p: &[T], n: usize, out: &mut [T]) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    if p.len() == n {
        // One long row: the scatter is bound by memory latency, the check by
        // bandwidth, so they overlap. The scatter is split by target range:
        // each task owns half of `out`, so no write races even before the
        // check has ruled out duplicates, and every index is bounds-checked.
        let (lower, upper) = out.split_at_mut(n / 2);
        let half = n / 2;
        let (valid, _) = rayon::join(
            || validate_rows(p, n),
            || {
                rayon::join(
                    || {
                        for (i, &v) in p.iter().enumerate() {
                            if let Some(slot) = lower.get_mut(v.to_usize()) {
                                *slot = T::from_usize(i);
                            }
                        }
                    },
                    || {
                        for (i, &v) in p.iter().enumerate() {
                            if let Some(slot) = v
                                .to_usize()
                                .checked_sub(half)
                                .and_then(|k| upper.get_mut(k))
                            {
                                *slot = T::from_usize(i);
                            }
                        }
                    },
                )
            },
        );
        return valid;
    }
    validate_rows(p, n)?;
    let per_task = rows_per_task(n);
    out.par_chunks_mut(n * per_task)
        .zip(p.par_chunks(n * per_task))
        .for_each(|(o, src)| {
            for (orow, prow) in o.chunks_mut(n).zip(src.chunks(n)) {
                for (i, &v) in prow.iter().enumerate() {
                    orow[v.to_usize()] = T::from_usize(i);
                }
            }
        });
    Ok(())
}

/// Writes `p**k` of every row into `out`, for any integer `k` (negative is a
/// power of the inverse): each cycle is rotated by `k` modulo its length.
pub fn power_rows<T: PermIndex>(p: &[T], n: usize, k: &BigInt, out: &mut [T]) -> Result<()> {
    validate_rows(p, n)?;
    if n == 0 {
        return Ok(());
    }
    // `k mod L` for every cycle length L: direct when k fits an i64, otherwise
    // tabulated once so a huge k costs one big-int division per length.
    let small_k = k.to_i64();
    let residues: Vec<usize> = match small_k {
        Some(_) => Vec::new(),
        None => (0..=n)
            .map(|len| {
                if len == 0 {
                    0
                } else {
                    k.mod_floor(&BigInt::from(len)).to_usize().unwrap_or(0)
                }
            })
            .collect(),
    };
    let shift = |len: usize| -> usize {
        match small_k {
            Some(k) => k.rem_euclid(len as i64) as usize,
            None => residues[len],
        }
    };
    let per_task = rows_per_task(n);
    out.par_chunks_mut(n * per_task)
        .zip(p.par_chunks(n * per_task))
        .for_each(|(o, src)| {
            let mut buf = Vec::new();
            for (orow, prow) in o.chunks_mut(n).zip(src.chunks(n)) {
                walk_cycles(prow, &mut buf, |cycle| {
                    let len = cycle.len();
                    let s = shift(len);
                    for (t, &x) in cycle.iter().enumerate() {
                        let target = t + s;
                        orow[x] =
                            T::from_usize(cycle[if target >= len { target - len } else { target }]);
                    }
                });
            }
        });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_and_inverse_small() {
        let p = [1u8, 2, 0];
        let q = [2u8, 1, 0];
        let mut out = [0u8; 3];
        compose_rows(&p, &q, 3, &mut out).unwrap();
        assert_eq!(out, [0, 2, 1]);
        inverse_rows(&p, 3, &mut out).unwrap();
        assert_eq!(out, [2, 0, 1]);
    }

    #[test]
    fn compose_broadcasts_a_single_row() {
        let p = [1u8, 0, 2, 0, 2, 1];
        let q = [2u8, 0, 1];
        let mut out = [0u8; 6];
        compose_rows(&p, &q, 3, &mut out).unwrap();
        assert_eq!(out, [2, 1, 0, 1, 0, 2]);
    }

    #[test]
    fn inverse_of_long_row_round_trips() {
        let n = 200_003usize;
        let p: Vec<u32> = (0..n).map(|i| ((i * 7919) % n) as u32).collect();
        let mut inv = vec![0u32; n];
        inverse_rows(&p, n, &mut inv).unwrap();
        let mut id = vec![0u32; n];
        compose_rows(&p, &inv, n, &mut id).unwrap();
        assert!(id.iter().enumerate().all(|(i, &v)| v as usize == i));
    }

    #[test]
    fn powers_rotate_cycles() {
        let p = [1u8, 2, 0, 4, 3];
        let mut out = [0u8; 5];
        power_rows(&p, 5, &BigInt::from(2), &mut out).unwrap();
        assert_eq!(out, [2, 0, 1, 3, 4]);
        power_rows(&p, 5, &BigInt::from(-1), &mut out).unwrap();
        assert_eq!(out, [2, 0, 1, 4, 3]);
        let huge: BigInt = BigInt::from(6) * BigInt::from(u64::MAX) * BigInt::from(u64::MAX) + 1;
        power_rows(&p, 5, &huge, &mut out).unwrap();
        assert_eq!(out, p);
    }
}
