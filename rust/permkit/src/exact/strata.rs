//! Stratified (blocked) two-sample designs (spec: docs/exact_tests.md).
//!
//! Observations are relabelled within their stratum only, each stratum keeping
//! its group sizes (R coin's `block`). The key is the pooled group-1 sum of
//! integer scores, K = sum_s K_s, so its exact law is the convolution of the
//! per-stratum laws: each comes from the shift algorithm
//! ([`super::shift::two_sample`]) or, when its table is too large, from the
//! stratum's revolving-door walk ([`super::tally`] with a histogram). The
//! product of the per-stratum walks is never walked element by element.
//!
//! Monte Carlo resample r draws from one [`ResampleStream`] (key, r) and
//! relabels the strata in order, each by a partial Fisher-Yates shuffle of
//! its own positions: a pure function of (key, r), whatever the thread count.

use super::monte_carlo::ResampleStream;
use super::{shift, tally, Collect, Design, Problem, Rule, Source, Tally};
use crate::count::combinations_u128;
use crate::rng::WordStream;
use crate::{Error, Interrupt, Result};
use num_bigint::BigUint;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Largest number of distinct keys the convolution may hold.
pub const MAX_SUPPORT: usize = 1 << 22;
/// Largest stratum walked when its shift table is too large.
pub const MAX_WALK: u128 = 1 << 31;

/// One stratum: its integer scores and how many of them form group 1.
#[derive(Debug, Clone)]
pub struct Stratum {
    pub scores: Vec<i128>,
    pub n1: usize,
}

fn check(strata: &[Stratum]) -> Result<()> {
    if strata.is_empty() {
        return Err(Error::InvalidValue("no strata".into()));
    }
    for (s, st) in strata.iter().enumerate() {
        if st.n1 > st.scores.len() {
            return Err(Error::InvalidValue(format!(
                "stratum {s}: group size {} exceeds its {} observations",
                st.n1,
                st.scores.len()
            )));
        }
        let bound = st
            .scores
            .iter()
            .try_fold(0i128, |a, &x| a.checked_add(x.checked_abs()?))
            .filter(|&b| b < 1 << 100);
        if bound.is_none() {
            return Err(Error::Overflow(format!(
                "stratum {s}: scores too large for exact 128-bit sums"
            )));
        }
    }
    Ok(())
}

/// The number of within-strata relabellings: the product of C(n_s, n1_s).
pub fn count(strata: &[Stratum]) -> Option<u128> {
    strata.iter().try_fold(1u128, |acc, st| {
        acc.checked_mul(combinations_u128(st.scores.len() as u64, st.n1 as u64)?)
    })
}

/// The law of one stratum's group-1 sum: (K_s, count) ascending.
fn stratum_law(st: &Stratum, interrupt: &dyn Interrupt) -> Result<Vec<(i128, BigUint)>> {
    let shift_ok =
        shift::two_sample_words(&st.scores, st.n1).is_some_and(|w| w <= shift::MAX_TABLE_WORDS);
    if shift_ok {
        return shift::two_sample(&st.scores, st.n1, interrupt);
    }
    let total = combinations_u128(st.scores.len() as u64, st.n1 as u64)
        .filter(|&t| t <= MAX_WALK)
        .ok_or_else(|| {
            Error::Overflow(
                "a stratum is too large to walk and too spread for the shift table".into(),
            )
        })?;
    let problem = Problem {
        design: Design::IndependentTwo { n1: st.n1 },
        scores: st.scores.clone(),
    };
    let rule = Rule {
        ge: 0,
        le: 0,
        deviation: None,
    };
    let out = tally(
        &problem,
        &rule,
        Source::Exact,
        0..total,
        Collect::Histogram,
        interrupt,
    )?;
    Ok(out
        .histogram
        .into_iter()
        .map(|(k, c)| (k, BigUint::from(c)))
        .collect())
}

/// The exact law of K = sum_s K_s over every within-strata relabelling: (K, count) ascending.
pub fn distribution(strata: &[Stratum], interrupt: &dyn Interrupt) -> Result<Vec<(i128, BigUint)>> {
    check(strata)?;
    let mut law: BTreeMap<i128, BigUint> = BTreeMap::new();
    law.insert(0, BigUint::from(1u32));
    for st in strata {
        interrupt.check()?;
        let part = stratum_law(st, interrupt)?;
        if law.len().saturating_mul(part.len()) > MAX_SUPPORT.saturating_mul(64) {
            return Err(Error::Overflow(
                "too many distinct sums for the exact convolution".into(),
            ));
        }
        let mut next: BTreeMap<i128, BigUint> = BTreeMap::new();
        for (k, c) in &law {
            for (ks, cs) in &part {
                *next.entry(k + ks).or_default() += c * cs;
            }
        }
        if next.len() > MAX_SUPPORT {
            return Err(Error::Overflow(
                "too many distinct sums for the exact convolution".into(),
            ));
        }
        law = next;
    }
    Ok(law.into_iter().collect())
}

/// The key of Monte Carlo resample `r`.
pub fn resample_key(strata: &[Stratum], key: u64, r: u64, order: &mut Vec<usize>) -> i128 {
    let mut stream = ResampleStream::new(key, r);
    let mut k = 0i128;
    for st in strata {
        order.clear();
        order.extend(0..st.scores.len());
        stream.shuffle_prefix(order, st.n1);
        k += order[..st.n1].iter().map(|&i| st.scores[i]).sum::<i128>();
    }
    k
}

/// Tallies `runs` Monte Carlo resamples (indices 0..runs) against `rule`.
pub fn monte_carlo(
    strata: &[Stratum],
    rule: &Rule,
    key: u64,
    runs: u64,
    interrupt: &dyn Interrupt,
) -> Result<Tally> {
    check(strata)?;
    const CHUNK: u64 = 1 << 12;
    let chunks: Vec<u64> = (0..runs.div_ceil(CHUNK)).collect();
    let wave = rayon::current_num_threads().max(1) * 4;
    let mut total = Tally::default();
    for group in chunks.chunks(wave) {
        interrupt.check()?;
        let parts: Vec<Tally> = group
            .par_iter()
            .map(|&c| {
                let mut t = Tally::default();
                let mut order = Vec::new();
                for r in c * CHUNK..((c + 1) * CHUNK).min(runs) {
                    rule.record(resample_key(strata, key, r, &mut order), &mut t);
                }
                t
            })
            .collect();
        for p in parts {
            total.total += p.total;
            total.ge += p.ge;
            total.le += p.le;
            total.dev_ge += p.dev_ge;
            total.dev_gt += p.dev_gt;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Never;
    use num_traits::ToPrimitive;
    use std::collections::HashMap;

    /// Brute force over the product of the per-stratum subsets.
    fn brute(strata: &[Stratum]) -> Vec<(i128, u64)> {
        let mut law: HashMap<i128, u64> = HashMap::new();
        law.insert(0, 1);
        for st in strata {
            let n = st.scores.len();
            let mut part: HashMap<i128, u64> = HashMap::new();
            for mask in 0u32..1 << n {
                if mask.count_ones() as usize == st.n1 {
                    let s: i128 = (0..n)
                        .filter(|i| mask >> i & 1 == 1)
                        .map(|i| st.scores[i])
                        .sum();
                    *part.entry(s).or_default() += 1;
                }
            }
            let mut next = HashMap::new();
            for (k, c) in &law {
                for (ks, cs) in &part {
                    *next.entry(k + ks).or_default() += c * cs;
                }
            }
            law = next;
        }
        let mut v: Vec<_> = law.into_iter().collect();
        v.sort();
        v
    }

    fn strata() -> Vec<Stratum> {
        vec![
            Stratum {
                scores: vec![1, 0, 1, 1, 0],
                n1: 2,
            },
            Stratum {
                scores: vec![3, 5, 5, -2],
                n1: 3,
            },
            Stratum {
                scores: vec![7, 1, 4, 4, 9, 2],
                n1: 3,
            },
        ]
    }

    #[test]
    fn convolution_matches_brute_force() {
        let s = strata();
        let fast: Vec<(i128, u64)> = distribution(&s, &Never)
            .unwrap()
            .into_iter()
            .map(|(k, c)| (k, c.to_u64().unwrap()))
            .collect();
        assert_eq!(fast, brute(&s));
        assert_eq!(count(&s), Some(10 * 4 * 20));
    }

    #[test]
    fn spread_scores_use_the_walk_and_match_brute_force() {
        // Scores too spread for the shift table: the stratum's law comes from its walk.
        let s = vec![
            Stratum {
                scores: vec![1 << 40, 3, 1 << 41, 7, (1 << 40) + 3, 5],
                n1: 3,
            },
            Stratum {
                scores: vec![11, 1 << 45, 2],
                n1: 1,
            },
        ];
        assert!(shift::two_sample_words(&s[0].scores, 3).unwrap() > shift::MAX_TABLE_WORDS);
        let fast: Vec<(i128, u64)> = distribution(&s, &Never)
            .unwrap()
            .into_iter()
            .map(|(k, c)| (k, c.to_u64().unwrap()))
            .collect();
        assert_eq!(fast, brute(&s));
    }

    #[test]
    fn monte_carlo_is_reproducible_and_respects_strata() {
        let s = strata();
        let mut order = Vec::new();
        // Every resample's key is a possible key.
        let law: HashMap<i128, u64> = brute(&s).into_iter().collect();
        for r in 0..200 {
            assert!(law.contains_key(&resample_key(&s, 99, r, &mut order)));
        }
        let rule = Rule {
            ge: 20,
            le: 15,
            deviation: None,
        };
        let a = monte_carlo(&s, &rule, 5, 10_000, &Never).unwrap();
        let b = monte_carlo(&s, &rule, 5, 10_000, &Never).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.total, 10_000);
    }
}
