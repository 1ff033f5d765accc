//! k samples of n blocks (`permutation_type="samples"` with k > 2): within each
//! block the k values are permuted among the samples, the Friedman-type
//! relabelling, (k!)^n relabellings in all. Block-rank statistics (Page's L,
//! Friedman's chi-square) depend only on the per-sample totals R_j, so their
//! exact null distributions come from dynamic programming over the blocks
//! instead of enumeration: each block convolves in the distinct arrangements
//! of its scores (spec: docs/exact_tests.md).

use crate::enumerate::walkers::next_permutation;
use crate::rank::{PermOrder, RankInt};
use crate::{Error, Interrupt, Result};
use num_bigint::BigUint;
use std::collections::HashMap;

/// What the key of a relabelling is, from the per-sample totals R_j.
#[derive(Debug, Clone)]
pub enum BlockKey {
    /// sum_j weights[j] * R_j (Page's L: weights 1..=k).
    Linear(Vec<i128>),
    /// sum_j R_j^2 (Friedman's chi-square increases with it).
    SumOfSquares,
}

/// Most dynamic-programming states kept at once (a rank-sum vector and a count each,
/// about 200 bytes with the map's overhead; two maps live at a time: under 512 MiB).
pub const MAX_STATES: usize = 1 << 20;
/// Most samples for the dynamic programming (k! arrangements per block).
pub const MAX_SAMPLES: usize = 8;

/// The permutation of `0..out.len()` of lexicographic rank `rank` (below
/// `out.len()!`), written into `out` (the lex unrank of `rank::PermOrder`).
pub fn lex_permutation(rank: u128, out: &mut [usize]) {
    let radices = PermOrder::Lex.radices(out.len());
    let digits = match u64::try_from(rank) {
        Ok(r) => r.to_digits(&radices),
        Err(_) => BigUint::from(rank).to_digits(&radices),
    };
    // Callers pass rank < out.len()!, so the digits exist; the zero digits
    // (the identity) only guard against a broken caller.
    let digits = digits.unwrap_or_else(|| vec![0; radices.len()]);
    PermOrder::Lex.from_digits(&digits, out);
}

/// The distinct arrangements of one block's scores over the k samples, with multiplicities.
/// (All k! orders by the lex walker, from the identity.)
fn arrangements(block: &[i128]) -> HashMap<Vec<i128>, u128> {
    let mut order: Vec<usize> = (0..block.len()).collect();
    let mut out: HashMap<Vec<i128>, u128> = HashMap::new();
    loop {
        let arranged: Vec<i128> = order.iter().map(|&j| block[j]).collect();
        *out.entry(arranged).or_insert(0) += 1;
        if next_permutation(&mut order, |v| v).is_none() {
            return out;
        }
    }
}

/// Distributions of partial keys: packed state -> count.
type Counts = HashMap<i128, u128>;

/// Convolves `states` with the per-block `steps` (both packed, adding without carries);
/// None when a count overflows 128 bits or the states exceed MAX_STATES.
fn convolve(
    states: &Counts,
    steps: &Counts,
    work: &mut u64,
    interrupt: &dyn Interrupt,
) -> Result<Option<Counts>> {
    let mut next = Counts::with_capacity(states.len().min(MAX_STATES));
    for (&s, &c) in states {
        for (&v, &m) in steps {
            let Some(add) = c.checked_mul(m) else {
                return Ok(None);
            };
            let slot = next.entry(s + v).or_insert(0);
            let Some(sum) = slot.checked_add(add) else {
                return Ok(None);
            };
            *slot = sum;
        }
        *work += steps.len() as u64;
        if *work % POLL_EVERY < steps.len() as u64 {
            interrupt.check()?;
        }
        if next.len() > MAX_STATES {
            return Ok(None);
        }
    }
    Ok(Some(next))
}

/// Map operations between Ctrl-C polls.
const POLL_EVERY: u64 = 1 << 20;

/// The exact distribution of the key over all (k!)^n within-block relabellings,
/// as (key, count) ascending; `Ok(None)` when it is too large to compute: more
/// than MAX_SAMPLES samples, more than MAX_STATES states, more than `max_work`
/// map operations (2^24 take about half a second), or counts beyond 128 bits.
/// `blocks[i]` holds block i's scores (small nonnegative integers, e.g. doubled
/// midranks) for samples 0..k.
pub fn key_distribution(
    blocks: &[Vec<i128>],
    key: &BlockKey,
    max_work: u64,
    interrupt: &dyn Interrupt,
) -> Result<Option<Vec<(i128, u128)>>> {
    let k = blocks.first().map_or(0, |b| b.len());
    if blocks.iter().any(|b| b.len() != k) {
        return Err(Error::InvalidValue(
            "every block needs one score per sample".into(),
        ));
    }
    if let BlockKey::Linear(w) = key {
        if w.len() != k {
            return Err(Error::LengthMismatch {
                expected: k,
                found: w.len(),
            });
        }
    }
    if blocks.iter().flatten().any(|&x| !(0..1 << 40).contains(&x)) {
        return Err(Error::InvalidValue(
            "block scores must be integers in 0..2**40".into(),
        ));
    }
    if k > MAX_SAMPLES {
        return Ok(None);
    }
    // Friedman: the rank-sum vector packed in base B (every total R_j < B), so that
    // adding packed vectors adds the totals without carries; None if it needs > 126 bits.
    let total: i128 = blocks.iter().flatten().sum();
    let base = total + 1;
    let packing: Option<Vec<i128>> = (0..k)
        .try_fold((Vec::with_capacity(k), 1i128), |(mut acc, p), _| {
            acc.push(p);
            Some((acc, p.checked_mul(base).filter(|&q| q < 1 << 126)?))
        })
        .map(|(acc, _)| acc);
    let step_of = |arranged: &[i128]| -> Option<i128> {
        match key {
            BlockKey::Linear(w) => Some(arranged.iter().zip(w).map(|(&x, &wj)| x * wj).sum()),
            BlockKey::SumOfSquares => packing
                .as_ref()
                .map(|p| arranged.iter().zip(p).map(|(&x, &pj)| x * pj).sum()),
        }
    };
    let mut states: Counts = HashMap::from([(0, 1)]);
    let mut work = 0u64;
    for block in blocks {
        interrupt.check()?;
        let mut steps = Counts::new();
        for (a, c) in arrangements(block) {
            let Some(v) = step_of(&a) else {
                return Ok(None);
            };
            *steps.entry(v).or_insert(0) += c;
        }
        let estimate = (states.len() as u64).saturating_mul(steps.len() as u64);
        if work.saturating_add(estimate) > max_work {
            return Ok(None);
        }
        match convolve(&states, &steps, &mut work, interrupt)? {
            Some(next) => states = next,
            None => return Ok(None),
        }
    }
    let mut by_key: Counts = HashMap::new();
    match (key, &packing) {
        (BlockKey::Linear(_), _) => by_key = states,
        (BlockKey::SumOfSquares, Some(_)) => {
            for (mut packed, c) in states {
                let mut q = 0i128;
                for _ in 0..k {
                    let r = packed % base;
                    packed /= base;
                    q += r * r;
                }
                let slot = by_key.entry(q).or_insert(0);
                let Some(sum) = slot.checked_add(c) else {
                    return Ok(None);
                };
                *slot = sum;
            }
        }
        (BlockKey::SumOfSquares, None) => return Ok(None),
    }
    let mut out: Vec<(i128, u128)> = by_key.into_iter().collect();
    out.sort_unstable();
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::{factorial_u128, power_u128};
    use crate::Never;

    /// Brute force over all (k!)^n relabellings.
    fn brute(blocks: &[Vec<i128>], key: &BlockKey) -> Vec<(i128, u128)> {
        let n = blocks.len();
        let k = blocks[0].len();
        let f = factorial_u128(k as u64).unwrap();
        let total = power_u128(f, n as u64).unwrap();
        let mut order = vec![0usize; k];
        let mut counts: std::collections::BTreeMap<i128, u128> = Default::default();
        for r in 0..total {
            let mut totals = vec![0i128; k];
            let mut rest = r;
            for block in blocks {
                lex_permutation(rest % f, &mut order);
                rest /= f;
                for j in 0..k {
                    totals[j] += block[order[j]];
                }
            }
            let v = match key {
                BlockKey::Linear(w) => totals.iter().zip(w).map(|(a, b)| a * b).sum(),
                BlockKey::SumOfSquares => totals.iter().map(|a| a * a).sum(),
            };
            *counts.entry(v).or_insert(0) += 1;
        }
        counts.into_iter().collect()
    }

    #[test]
    fn dynamic_programming_equals_brute_force_with_ties() {
        let blocks = vec![
            vec![2, 4, 6, 8],
            vec![3, 3, 6, 8],
            vec![2, 5, 5, 8],
            vec![5, 5, 5, 5],
        ];
        for key in [BlockKey::Linear(vec![1, 2, 3, 4]), BlockKey::SumOfSquares] {
            let dp = key_distribution(&blocks, &key, u64::MAX, &Never)
                .unwrap()
                .unwrap();
            assert_eq!(dp, brute(&blocks, &key));
            assert_eq!(dp.iter().map(|&(_, c)| c).sum::<u128>(), 24u128.pow(4));
        }
    }

    #[test]
    fn unranking_is_lexicographic() {
        for k in 0..=6usize {
            let total = factorial_u128(k as u64).unwrap();
            let mut out = vec![0usize; k];
            let mut seen = Vec::new();
            for r in 0..total {
                lex_permutation(r, &mut out);
                seen.push(out.clone());
            }
            let mut sorted = seen.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(seen, sorted);
            assert_eq!(seen.len() as u128, total);
        }
        // Ranks beyond 64 bits (25! > 2^64): the last permutation.
        let mut out = vec![0usize; 25];
        lex_permutation(factorial_u128(25).unwrap() - 1, &mut out);
        assert_eq!(out, (0..25).rev().collect::<Vec<_>>());
    }

    #[test]
    fn work_beyond_the_budget_is_declined() {
        let blocks = vec![vec![2, 4, 6, 8]; 6];
        let key = BlockKey::SumOfSquares;
        assert!(key_distribution(&blocks, &key, 100, &Never)
            .unwrap()
            .is_none());
        assert!(key_distribution(&blocks, &key, u64::MAX, &Never)
            .unwrap()
            .is_some());
        let negative = vec![vec![-1, 2, 3]];
        assert!(key_distribution(&negative, &key, u64::MAX, &Never).is_err());
    }

    #[test]
    fn too_many_samples_is_declined() {
        let blocks = vec![(0..9).collect::<Vec<i128>>()];
        let d = key_distribution(&blocks, &BlockKey::SumOfSquares, u64::MAX, &Never).unwrap();
        assert!(d.is_none());
    }
}
