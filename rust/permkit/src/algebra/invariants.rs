//! Invariants of each row: sign, inversion count, cycle type, order.

use super::cycles::{count_cycles, for_each_cycle_length};
use super::group::rows_per_task;
use super::validate::validate_rows;
use crate::rank::Fenwick;
use crate::{PermIndex, Result};
use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{One, ToPrimitive};
use rayon::prelude::*;

/// Applies `f` to every row in parallel, one output per row.
fn map_rows<T: PermIndex, O: Send>(p: &[T], n: usize, out: &mut [O], f: impl Fn(&[T]) -> O + Sync) {
    let per_task = rows_per_task(n);
    out.par_chunks_mut(per_task)
        .zip(p.par_chunks(n * per_task))
        .for_each(|(o, src)| {
            for (slot, row) in o.iter_mut().zip(src.chunks(n)) {
                *slot = f(row);
            }
        });
}

/// `out[r]` = +1 or -1, the sign of row `r`.
pub fn sign_rows<T: PermIndex>(p: &[T], n: usize, out: &mut [i8]) -> Result<()> {
    validate_rows(p, n)?;
    if n == 0 {
        out.fill(1);
        return Ok(());
    }
    map_rows(p, n, out, |row| {
        if (n - count_cycles(row)) % 2 == 0 {
            1
        } else {
            -1
        }
    });
    Ok(())
}

/// Number of pairs `i < j` with `row[i] > row[j]` (O(n log n)).
pub(crate) fn count_inversions<T: PermIndex>(row: &[T]) -> u64 {
    let n = row.len();
    if n <= 64 {
        let mut seen = 0u64;
        let mut total = 0u64;
        for &v in row.iter().rev() {
            let v = v.to_usize();
            total += (seen & ((1u64 << v) - 1)).count_ones() as u64;
            seen |= 1 << v;
        }
        return total;
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU supports the instruction the function is compiled for.
        return unsafe { count_inversions_popcnt(row) };
    }
    count_inversions_blocked(row)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
// SAFETY (contract): callers must have checked that the CPU supports POPCNT; the body
// is the safe blocked count, compiled with POPCNT enabled.
unsafe fn count_inversions_popcnt<T: PermIndex>(row: &[T]) -> u64 {
    count_inversions_blocked(row)
}

#[inline(always)]
fn count_inversions_blocked<T: PermIndex>(row: &[T]) -> u64 {
    let n = row.len();
    // Two levels so that everything stays in cache: a Fenwick tree counts the
    // values seen per block of 1024 values, and a bitset per block counts
    // within the block by popcount.
    const BLOCK_BITS: usize = 10;
    const WORDS: usize = (1 << BLOCK_BITS) / 64;
    let mut blocks = Fenwick::<u32>::zeros(n.div_ceil(1 << BLOCK_BITS));
    let mut bits = vec![0u64; n.div_ceil(64)];
    let mut total = 0u64;
    for &v in row.iter().rev() {
        let v = v.to_usize();
        let block = v >> BLOCK_BITS;
        let word = v / 64;
        let first = block * WORDS;
        let within: u32 = bits[first..word]
            .iter()
            .map(|w| w.count_ones())
            .sum::<u32>()
            + (bits[word] & ((1u64 << (v % 64)) - 1)).count_ones();
        total += (blocks.prefix(block) + within) as u64;
        bits[word] |= 1 << (v % 64);
        blocks.add(block, 1);
    }
    total
}

/// `out[r]` = number of inversions of row `r`.
pub fn inversions_rows<T: PermIndex>(p: &[T], n: usize, out: &mut [u64]) -> Result<()> {
    validate_rows(p, n)?;
    if n == 0 {
        out.fill(0);
        return Ok(());
    }
    map_rows(p, n, out, count_inversions);
    Ok(())
}

/// `out[r * (n + 1) + k]` = number of cycles of length `k` in row `r`.
pub fn cycle_counts_rows<T: PermIndex>(p: &[T], n: usize, out: &mut [u64]) -> Result<()> {
    validate_rows(p, n)?;
    out.fill(0);
    if n == 0 {
        return Ok(());
    }
    let per_task = rows_per_task(n);
    out.par_chunks_mut((n + 1) * per_task)
        .zip(p.par_chunks(n * per_task))
        .for_each(|(o, src)| {
            for (counts, row) in o.chunks_mut(n + 1).zip(src.chunks(n)) {
                for_each_cycle_length(row, |len| counts[len] += 1);
            }
        });
    Ok(())
}

/// The order of each row: the least common multiple of its cycle lengths.
pub fn order_rows<T: PermIndex>(p: &[T], n: usize) -> Result<Vec<BigUint>> {
    validate_rows(p, n)?;
    if n == 0 {
        return Ok(Vec::new());
    }
    Ok(p.par_chunks(n)
        .map(|row| {
            let mut present = vec![false; n + 1];
            for_each_cycle_length(row, |len| present[len] = true);
            let mut order = BigUint::one();
            for (len, _) in present.iter().enumerate().filter(|(_, &here)| here) {
                let len = len as u64;
                let rem = (&order % len).to_u64().unwrap_or(0);
                order *= len / rem.gcd(&len);
            }
            order
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invariants_of_a_small_permutation() {
        // (0 1 2)(3 4)(5): sign +1 * -1 = -1, order 6.
        let p = [1u8, 2, 0, 4, 3, 5];
        let mut sign = [0i8];
        sign_rows(&p, 6, &mut sign).unwrap();
        assert_eq!(sign, [-1]);
        let mut inv = [0u64];
        inversions_rows(&p, 6, &mut inv).unwrap();
        assert_eq!(inv, [3]);
        let mut counts = [0u64; 7];
        cycle_counts_rows(&p, 6, &mut counts).unwrap();
        assert_eq!(counts, [0, 1, 1, 1, 0, 0, 0]);
        assert_eq!(order_rows(&p, 6).unwrap(), vec![BigUint::from(6u32)]);
    }

    #[test]
    fn long_rows_agree_with_quadratic_count() {
        let n = 300usize;
        let p: Vec<u16> = (0..n).map(|i| ((i * 37 + 11) % n) as u16).collect();
        let brute = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .filter(|&(i, j)| p[i] > p[j])
            .count();
        assert_eq!(count_inversions(&p), brute as u64);
    }
}
