//! Relabelled rows: gather indices of relabellings, for statistics the
//! caller computes (callables and the k-sample designs).

use super::monte_carlo::ResampleStream;
use super::{blocks, paired};
use crate::count::{factorial_u128, multiset_permutations_u128, power_u128};
use crate::enumerate::walkers::{next_permutation, NextPermutation, RevolvingDoor, Sjt, Walker};
use crate::rng::WordStream;
use crate::{Error, Result};
use num_bigint::BigUint;

/// Gather indices of relabellings for statistics computed by the caller.
/// Rows have `row_len(design)` entries indexing the concatenated samples.
#[derive(Debug, Clone)]
pub enum Shape {
    /// Groups of these sizes (2 groups use the revolving door, more the label order).
    Independent { sizes: Vec<usize> },
    /// `n` pairs of (sample 0, sample 1): rows are [sample 0 | sample 1] after swaps.
    Samples { n: usize },
    /// One sample of length n, reordered (plain-changes order).
    Pairings { n: usize },
    /// `samples` of length n, every one reordered independently ((n!)^samples;
    /// lexicographic orders, the last sample's varying fastest).
    PairingsMany { n: usize, samples: usize },
    /// `samples` of n blocks: each block's values permuted among the samples
    /// ((k!)^n; lexicographic per block, the last block's varying fastest).
    SamplesMany { n: usize, samples: usize },
}

impl Shape {
    pub fn row_len(&self) -> usize {
        match self {
            Shape::Independent { sizes } => sizes.iter().sum(),
            Shape::Samples { n } => 2 * n,
            Shape::Pairings { n } => *n,
            Shape::PairingsMany { n, samples } | Shape::SamplesMany { n, samples } => n * samples,
        }
    }

    /// The number of relabellings, or None when it does not fit in u128.
    pub fn count(&self) -> Option<u128> {
        match self {
            Shape::Independent { sizes } => {
                let counts: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
                multiset_permutations_u128(&counts)
            }
            Shape::Samples { n } => power_u128(2, *n as u64),
            Shape::Pairings { n, .. } => factorial_u128(*n as u64),
            Shape::PairingsMany { n, samples } => {
                power_u128(factorial_u128(*n as u64)?, *samples as u64)
            }
            Shape::SamplesMany { n, samples } => {
                power_u128(factorial_u128(*samples as u64)?, *n as u64)
            }
        }
    }
}

fn out_of_range(rank: u128) -> Error {
    Error::InvalidValue(format!("rank {rank} is out of range"))
}

fn write_groups(
    labels_or_members: impl Fn(usize) -> usize,
    groups: usize,
    n: usize,
    row: &mut [u32],
) {
    let mut k = 0;
    for g in 0..groups {
        for i in 0..n {
            if labels_or_members(i) == g {
                row[k] = i as u32;
                k += 1;
            }
        }
    }
}

fn write_paired(flipped: impl Fn(usize) -> bool, n: usize, row: &mut [u32]) {
    for i in 0..n {
        let f = flipped(i);
        row[i] = if f { (n + i) as u32 } else { i as u32 };
        row[n + i] = if f { i as u32 } else { (n + i) as u32 };
    }
}

fn write_pairing(order: &[usize], row: &mut [u32]) {
    for (slot, &a) in row.iter_mut().zip(order) {
        *slot = a as u32;
    }
}

/// Sample `j` of an [s_0 | s_1 | ...] row (each of length n) reordered by `order`.
fn write_reordered(j: usize, order: &[usize], n: usize, row: &mut [u32]) {
    for (i, &a) in order.iter().enumerate() {
        row[j * n + i] = (j * n + a) as u32;
    }
}

/// Block `i` of an [s_0 | s_1 | ...] row: sample j takes sample order[j]'s value.
fn write_block(i: usize, order: &[usize], n: usize, row: &mut [u32]) {
    for (j, &a) in order.iter().enumerate() {
        row[j * n + i] = (a * n + i) as u32;
    }
}

/// Rows for ranks start.. of a product of `digits` lexicographic permutations of
/// `len` elements each (mixed radix `radix`, the last digit fastest); `write(d,
/// order, n, row)` places digit d's permutation. The start is unranked once;
/// then the digits run as an odometer of lex walkers: the last permutation
/// steps by Algorithm L, and one that was the last wraps to the identity and
/// carries into the digit before it.
fn write_mixed_radix_rows<'a>(
    rows: impl Iterator<Item = &'a mut [u32]>,
    start: u128,
    radix: u128,
    digits: usize,
    len: usize,
    n: usize,
    write: fn(usize, &[usize], usize, &mut [u32]),
) {
    let mut orders = vec![vec![0usize; len]; digits];
    let mut rest = start;
    for order in orders.iter_mut().rev() {
        blocks::lex_permutation(rest % radix, order);
        rest /= radix;
    }
    for row in rows {
        for (d, order) in orders.iter().enumerate() {
            write(d, order, n, row);
        }
        for order in orders.iter_mut().rev() {
            if next_permutation(order, |v| v).is_some() {
                break;
            }
            order.reverse(); // the last (descending) wraps to the identity
        }
    }
}

/// Writes `count` rows of gather indices, for relabellings `start..start+count`
/// (ranks, or Monte Carlo resample indices when `mc_key` is given), into `out`.
pub fn relabel_rows(
    shape: &Shape,
    start: u128,
    count: usize,
    mc_key: Option<u64>,
    out: &mut [u32],
) -> Result<()> {
    let m = shape.row_len();
    if m == 0 {
        return Err(Error::InvalidValue("no observations to relabel".into()));
    }
    if out.len() != m * count {
        return Err(Error::LengthMismatch {
            expected: m * count,
            found: out.len(),
        });
    }
    if m > u32::MAX as usize {
        return Err(Error::Overflow("too many observations".into()));
    }
    if count == 0 {
        return Ok(());
    }
    let rows = out.chunks_mut(m);
    match mc_key {
        None => {
            let total = shape
                .count()
                .ok_or_else(|| Error::Overflow("too many relabellings".into()))?;
            if start + count as u128 > total {
                return Err(Error::InvalidValue(format!(
                    "ranks up to {} exceed {total} relabellings",
                    start + count as u128
                )));
            }
            match shape {
                Shape::Independent { sizes } if sizes.len() == 2 => {
                    let mut w = RevolvingDoor::seek(m, sizes[0], start)
                        .ok_or_else(|| out_of_range(start))?;
                    // Group labels kept up to date from each step's (leaving, entering).
                    let mut label = vec![1usize; m];
                    for &i in w.row() {
                        label[i] = 0;
                    }
                    let mut rows = rows.peekable();
                    while let Some(row) = rows.next() {
                        write_groups(|i| label[i], 2, m, row);
                        if rows.peek().is_some() {
                            let (out, inn) = w.advance();
                            label[out] = 1;
                            label[inn] = 0;
                        }
                    }
                }
                Shape::Independent { sizes } => {
                    let counts: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
                    let mut w = NextPermutation::seek_multiset(&counts, start)
                        .ok_or_else(|| out_of_range(start))?;
                    for row in rows {
                        let labels = w.row();
                        write_groups(|i| labels[i], sizes.len(), m, row);
                        w.advance();
                    }
                }
                Shape::Samples { n } => {
                    let start = u64::try_from(start)
                        .map_err(|_| Error::Overflow("rank beyond 64 bits".into()))?;
                    let zeros = vec![0i128; *n];
                    let mut w = paired::SignFlips::at(&zeros, start)?;
                    for row in rows {
                        let f = w.flipped();
                        write_paired(|i| f >> i & 1 == 1, *n, row);
                        w.advance();
                    }
                }
                Shape::Pairings { n } => {
                    let mut w =
                        Sjt::seek(*n, &BigUint::from(start)).ok_or_else(|| out_of_range(start))?;
                    for row in rows {
                        write_pairing(w.row(), row);
                        w.advance();
                    }
                }
                Shape::PairingsMany { n, samples } => {
                    let radix = factorial_u128(*n as u64).unwrap_or(u128::MAX);
                    write_mixed_radix_rows(rows, start, radix, *samples, *n, *n, write_reordered);
                }
                Shape::SamplesMany { n, samples } => {
                    let radix = factorial_u128(*samples as u64).unwrap_or(u128::MAX);
                    write_mixed_radix_rows(rows, start, radix, *n, *samples, *n, write_block);
                }
            }
        }
        Some(key) => {
            let first = u64::try_from(start)
                .map_err(|_| Error::Overflow("resample index beyond 64 bits".into()))?;
            let mut bits = Vec::new();
            for (r, row) in rows.enumerate() {
                let mut stream = ResampleStream::new(key, first + r as u64);
                match shape {
                    Shape::Independent { sizes } => {
                        let mut order: Vec<usize> = (0..m).collect();
                        stream.shuffle_prefix(&mut order, m - sizes.last().copied().unwrap_or(0));
                        // Group g takes the next sizes[g] drawn positions, ascending within the group.
                        let mut label = vec![0usize; m];
                        let mut s = 0;
                        for (g, &size) in sizes.iter().enumerate() {
                            for &i in &order[s..s + size] {
                                label[i] = g;
                            }
                            s += size;
                        }
                        write_groups(|i| label[i], sizes.len(), m, row);
                    }
                    Shape::Samples { n } => {
                        stream.sign_bits(*n, &mut bits);
                        write_paired(|i| bits[i / 64] >> (i % 64) & 1 == 1, *n, row);
                    }
                    Shape::Pairings { n } => {
                        let mut order: Vec<usize> = (0..*n).collect();
                        stream.shuffle_prefix(&mut order, n.saturating_sub(1));
                        write_pairing(&order, row);
                    }
                    Shape::PairingsMany { n, samples } => {
                        let mut order: Vec<usize> = vec![0; *n];
                        // The last sample first (so built-in pairings see the same stream).
                        let last = samples.saturating_sub(1);
                        for j in std::iter::once(last).chain(0..last) {
                            for (i, o) in order.iter_mut().enumerate() {
                                *o = i;
                            }
                            stream.shuffle_prefix(&mut order, n.saturating_sub(1));
                            write_reordered(j, &order, *n, row);
                        }
                    }
                    Shape::SamplesMany { n, samples } => {
                        let mut order: Vec<usize> = vec![0; *samples];
                        for i in 0..*n {
                            for (j, o) in order.iter_mut().enumerate() {
                                *o = j;
                            }
                            stream.shuffle_prefix(&mut order, samples.saturating_sub(1));
                            write_block(i, &order, *n, row);
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
