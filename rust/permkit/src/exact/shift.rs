//! Exact null distributions of integer-score statistics by dynamic programming
//! (the shift algorithm of Streitberg and Roehmel, 1986): counts of subsets by
//! size and score sum, in fixed-width multi-limb integers, so that rank tests
//! with ties and integer data are exact far beyond enumeration (e.g. 100 + 100).
//!
//! Scores are normalised to a_i = (v_i - min) / g (two samples) or |v_i| / g
//! (sign flips), g the gcd, which keeps the table small for ranks and midranks.

use crate::{Error, Interrupt, Result};
use num_bigint::BigUint;
use num_integer::Integer;

/// Most u64 words a table may use (256 MiB).
pub const MAX_TABLE_WORDS: u128 = 1 << 25;

fn gcd_all(values: impl Iterator<Item = i128>) -> i128 {
    values.fold(0i128, |g, v| g.gcd(&v.abs()))
}

fn limbs_for_bits(bits: u32) -> usize {
    bits as usize / 64 + 1
}

fn add_into(dst: &mut [u64], src: &[u64]) {
    let mut carry = 0u64;
    for (d, &s) in dst.iter_mut().zip(src) {
        let (x, c1) = d.overflowing_add(s);
        let (y, c2) = x.overflowing_add(carry);
        *d = y;
        carry = (c1 as u64) + (c2 as u64);
    }
}

fn to_biguint(limbs: &[u64]) -> BigUint {
    let digits: Vec<u32> = limbs
        .iter()
        .flat_map(|&w| [w as u32, (w >> 32) as u32])
        .collect();
    BigUint::new(digits)
}

fn small(values: &[i128], what: &str) -> Result<Vec<u64>> {
    values
        .iter()
        .map(|&v| {
            u64::try_from(v)
                .map_err(|_| Error::Overflow(format!("{what}: normalised score {v} is too large")))
        })
        .collect()
}

/// Table size in words for the two-sample DP, or None when it overflows.
pub fn two_sample_words(scores: &[i128], n1: usize) -> Option<u128> {
    let (a, _, _) = normalise_two_sample(scores);
    let max = *a.iter().max().unwrap_or(&0) as u128;
    let cols = (n1 as u128).checked_mul(max)? + 1;
    let bits = (scores.len() as u32).max(1);
    Some((n1 as u128 + 1) * cols * limbs_for_bits(bits) as u128)
}

fn normalise_two_sample(scores: &[i128]) -> (Vec<i128>, i128, i128) {
    let min = scores.iter().copied().min().unwrap_or(0);
    let g = gcd_all(scores.iter().map(|&v| v - min)).max(1);
    (scores.iter().map(|&v| (v - min) / g).collect(), min, g)
}

/// The distribution of the group-1 sum K over all C(n, n1) splits: (K, count) ascending.
pub fn two_sample(
    scores: &[i128],
    n1: usize,
    interrupt: &dyn Interrupt,
) -> Result<Vec<(i128, BigUint)>> {
    let n = scores.len();
    if n1 > n {
        return Err(Error::InvalidValue(format!(
            "group size {n1} exceeds {n} observations"
        )));
    }
    let words = two_sample_words(scores, n1)
        .filter(|&w| w <= MAX_TABLE_WORDS)
        .ok_or_else(|| {
            Error::Overflow("scores too spread out for the shift algorithm table".into())
        })?;
    let (a, min, g) = normalise_two_sample(scores);
    let a = small(&a, "shift")?;
    let limbs = limbs_for_bits(n.max(1) as u32); // C(n, n1) < 2^n
    let max = a.iter().copied().max().unwrap_or(0) as usize;
    let cols = n1 * max + 1;
    let mut table = vec![0u64; words as usize];
    table[0] = 1; // one empty subset with sum 0
    let row = cols * limbs;
    for (i, &ai) in a.iter().enumerate() {
        interrupt.check()?;
        let ai = ai as usize;
        for j in (1..=n1.min(i + 1)).rev() {
            let (lower, upper) = table.split_at_mut(j * row);
            let prev = &lower[(j - 1) * row..];
            let cur = &mut upper[..row];
            let top = ((j - 1) * max).min(cols - 1 - ai.min(cols - 1));
            for s in 0..=top {
                let src = &prev[s * limbs..(s + 1) * limbs];
                if src.iter().all(|&w| w == 0) {
                    continue;
                }
                let d = (s + ai) * limbs;
                add_into(&mut cur[d..d + limbs], src);
            }
        }
    }
    interrupt.check()?;
    let last = &table[n1 * row..(n1 + 1) * row];
    Ok((0..cols)
        .filter_map(|s| {
            let c = &last[s * limbs..(s + 1) * limbs];
            (c.iter().any(|&w| w != 0)).then(|| (n1 as i128 * min + g * s as i128, to_biguint(c)))
        })
        .collect())
}

/// Table size in words for the sign-flip DP.
pub fn sign_flip_words(scores: &[i128]) -> Option<u128> {
    let g = gcd_all(scores.iter().copied()).max(1);
    let total: u128 = scores.iter().map(|v| v.unsigned_abs() / g as u128).sum();
    Some((total + 1) * limbs_for_bits((scores.len() as u32).max(1)) as u128)
}

/// The distribution of K = sum_i ±scores[i] over all 2^n sign vectors: (K, count) ascending.
pub fn sign_flip(scores: &[i128], interrupt: &dyn Interrupt) -> Result<Vec<(i128, BigUint)>> {
    let words = sign_flip_words(scores)
        .filter(|&w| w <= MAX_TABLE_WORDS)
        .ok_or_else(|| {
            Error::Overflow("scores too spread out for the shift algorithm table".into())
        })?;
    let g = gcd_all(scores.iter().copied()).max(1);
    let a: Vec<i128> = scores.iter().map(|&v| v.abs() / g).collect();
    let a = small(&a, "shift")?;
    let limbs = limbs_for_bits((scores.len() as u32).max(1));
    let total: usize = a.iter().map(|&x| x as usize).sum();
    let mut table = vec![0u64; words as usize];
    table[0] = 1;
    let mut reach = 0usize;
    let mut scratch = vec![0u64; limbs];
    for &ai in &a {
        interrupt.check()?;
        let ai = ai as usize;
        // Descending so each subset uses item i at most once.
        for s in (0..=reach).rev() {
            scratch.copy_from_slice(&table[s * limbs..(s + 1) * limbs]);
            if scratch.iter().all(|&w| w == 0) {
                continue;
            }
            let d = (s + ai) * limbs;
            add_into(&mut table[d..d + limbs], &scratch);
        }
        reach += ai;
    }
    interrupt.check()?;
    // s = sum over the positive set P of a_i: K = g * (2 s - total).
    Ok((0..=total)
        .filter_map(|s| {
            let c = &table[s * limbs..(s + 1) * limbs];
            c.iter()
                .any(|&w| w != 0)
                .then(|| (g * (2 * s as i128 - total as i128), to_biguint(c)))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::{tally, Collect, Design, Problem, Rule, Source};
    use crate::Never;
    use num_traits::ToPrimitive;

    fn histogram(p: &Problem) -> Vec<(i128, u64)> {
        let total = p.count().unwrap();
        let rule = Rule {
            ge: 0,
            le: 0,
            deviation: None,
        };
        let out = tally(
            p,
            &rule,
            Source::Exact,
            0..total,
            Collect::Histogram,
            &Never,
        )
        .unwrap();
        out.histogram.into_iter().collect()
    }

    #[test]
    fn two_sample_matches_enumeration_with_ties() {
        let scores: Vec<i128> = vec![4, 6, 6, 10, 2, 8, 8, 8, 12, 4, 14];
        for n1 in 0..=scores.len() {
            let dp = two_sample(&scores, n1, &Never).unwrap();
            let dp: Vec<(i128, u64)> = dp
                .into_iter()
                .map(|(k, c)| (k, c.to_u64().unwrap()))
                .collect();
            let p = Problem {
                design: Design::IndependentTwo { n1 },
                scores: scores.clone(),
            };
            assert_eq!(dp, histogram(&p), "n1={n1}");
        }
    }

    #[test]
    fn sign_flip_matches_enumeration_with_zeros_and_ties() {
        let scores: Vec<i128> = vec![3, -6, 0, 9, 9, -3, 12, 0, 6];
        let dp: Vec<(i128, u64)> = sign_flip(&scores, &Never)
            .unwrap()
            .into_iter()
            .map(|(k, c)| (k, c.to_u64().unwrap()))
            .collect();
        let p = Problem {
            design: Design::Samples,
            scores,
        };
        assert_eq!(dp, histogram(&p));
    }

    #[test]
    fn large_counts_are_exact() {
        // 100 + 100 distinct ranks: the counts add up to C(200, 100).
        let scores: Vec<i128> = (1..=200).collect();
        let dp = two_sample(&scores, 100, &Never).unwrap();
        let total: BigUint = dp.iter().map(|(_, c)| c.clone()).sum();
        let mut expected = BigUint::from(1u32);
        for i in 0..100u32 {
            expected = expected * (200 - i) / (i + 1);
        }
        assert_eq!(total, expected);
    }
}
