//! Relabelled rows: gather indices of relabellings, for statistics the
//! caller computes (callables and the k-sample designs).

use super::model::{Design, Problem};
use super::monte_carlo::ResampleStream;
use super::{blocks, k_sample, paired, pairings, two_sample};
use crate::{Error, Result};

/// Gather indices of relabellings for statistics computed by the caller.
/// Rows have `row_len(design)` entries indexing the concatenated samples.
#[derive(Debug, Clone)]
pub enum Shape {
    /// Groups of these sizes (2 groups use the revolving door, more the label order).
    Independent { sizes: Vec<usize> },
    /// `n` pairs of (sample 0, sample 1): rows are [sample 0 | sample 1] after swaps.
    Samples { n: usize },
    /// `samples` (1 or 2) of length n; the last one is reordered.
    Pairings { n: usize, samples: usize },
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
            Shape::Pairings { n, samples }
            | Shape::PairingsMany { n, samples }
            | Shape::SamplesMany { n, samples } => n * samples,
        }
    }

    fn problem(&self) -> Problem {
        match self {
            Shape::Independent { sizes } if sizes.len() == 2 => Problem {
                design: Design::IndependentTwo { n1: sizes[0] },
                scores: vec![0; sizes.iter().sum()],
            },
            Shape::Independent { sizes } => Problem {
                design: Design::IndependentMany {
                    sizes: sizes.clone(),
                    weights: vec![0; sizes.len()],
                },
                scores: vec![0; sizes.iter().sum()],
            },
            Shape::Samples { n } => Problem {
                design: Design::Samples,
                scores: vec![0; *n],
            },
            Shape::Pairings { n, .. }
            | Shape::PairingsMany { n, .. }
            | Shape::SamplesMany { n, .. } => Problem {
                design: Design::Pairings {
                    partner: vec![0; *n],
                },
                scores: vec![0; *n],
            },
        }
    }

    pub fn count(&self) -> Option<u128> {
        match self {
            Shape::PairingsMany { n, samples } => {
                blocks::checked_power(blocks::factorial(*n)?, *samples)
            }
            Shape::SamplesMany { n, samples } => {
                blocks::checked_power(blocks::factorial(*samples)?, *n)
            }
            _ => self.problem().count(),
        }
    }
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

fn write_pairing(order: &[usize], samples: usize, row: &mut [u32]) {
    let n = order.len();
    let offset = (samples - 1) * n;
    for (i, slot) in row[..offset].iter_mut().enumerate() {
        *slot = i as u32;
    }
    for (i, &a) in order.iter().enumerate() {
        row[offset + i] = (offset + a) as u32;
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
/// order, n, row)` places digit d's permutation.
fn write_mixed_radix_rows<'a>(
    rows: impl Iterator<Item = &'a mut [u32]>,
    start: u128,
    radix: u128,
    digits: usize,
    len: usize,
    n: usize,
    write: fn(usize, &[usize], usize, &mut [u32]),
) {
    let mut order = vec![0usize; len];
    for (r, row) in rows.enumerate() {
        let mut rest = start + r as u128;
        for d in (0..digits).rev() {
            blocks::unrank_lexicographic(rest % radix, &mut order);
            rest /= radix;
            write(d, &order, n, row);
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
    let p = shape.problem();
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
                    let mut w = two_sample::RevolvingDoor::at(&p.scores, sizes[0], start)?;
                    for row in rows {
                        let members = w.members();
                        let mut inside = vec![1usize; m];
                        for &i in members {
                            inside[i] = 0;
                        }
                        write_groups(|i| inside[i], 2, m, row);
                        w.advance();
                    }
                }
                Shape::Independent { sizes } => {
                    let mut w = k_sample::LabelOrders::at(&p.scores, sizes, start)?;
                    for row in rows {
                        let labels = w.labels();
                        write_groups(|i| labels[i], sizes.len(), m, row);
                        w.advance();
                    }
                }
                Shape::Samples { n } => {
                    let start = u64::try_from(start)
                        .map_err(|_| Error::Overflow("rank beyond 64 bits".into()))?;
                    let mut w = paired::SignFlips::at(&p.scores, start)?;
                    for row in rows {
                        let f = w.flipped();
                        write_paired(|i| f >> i & 1 == 1, *n, row);
                        w.advance();
                    }
                }
                Shape::Pairings { samples, .. } => {
                    let start = u64::try_from(start)
                        .map_err(|_| Error::Overflow("rank beyond 64 bits".into()))?;
                    let y = p.scores.clone();
                    let mut w = pairings::PlainChanges::at(&p.scores, &y, start)?;
                    for row in rows {
                        write_pairing(w.order(), *samples, row);
                        w.advance();
                    }
                }
                Shape::PairingsMany { n, samples } => {
                    let radix = blocks::factorial(*n).unwrap_or(u128::MAX);
                    write_mixed_radix_rows(rows, start, radix, *samples, *n, *n, write_reordered);
                }
                Shape::SamplesMany { n, samples } => {
                    let radix = blocks::factorial(*samples).unwrap_or(u128::MAX);
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
                    Shape::Pairings { n, samples } => {
                        let mut order: Vec<usize> = (0..*n).collect();
                        stream.shuffle_prefix(&mut order, n.saturating_sub(1));
                        write_pairing(&order, *samples, row);
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
