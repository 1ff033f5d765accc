//! The model of an exact test: the design, the scores, the p-value rule as
//! integer thresholds on the key K, and what a run reports.

use crate::{Error, Result};
use std::collections::BTreeMap;

/// C(n, k), or None when it does not fit in u128.
pub fn binomial(n: u64, k: u64) -> Option<u128> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    let mut acc: u128 = 1;
    for i in 0..k {
        // acc * (n - i) / (i + 1) stays integral at every step.
        acc = acc.checked_mul((n - i) as u128)? / (i + 1) as u128;
    }
    Some(acc)
}

/// The number of arrangements of a multiset with these multiplicities.
pub fn multinomial(sizes: &[usize]) -> Option<u128> {
    let mut acc: u128 = 1;
    let mut n = 0u64;
    for &s in sizes {
        n += s as u64;
        acc = acc.checked_mul(binomial(n, s as u64)?)?;
    }
    Some(acc)
}

/// How relabellings are formed, and what K is. Variants are named in scipy's
/// `permutation_type` vocabulary (independent / samples / pairings), split by
/// how many groups or samples the key needs.
#[derive(Debug, Clone)]
pub enum Design {
    /// "independent", two groups: K = sum of the scores in group 1 (size `n1`).
    IndependentTwo { n1: usize },
    /// "independent", k groups of `sizes`: K = sum_g weights[g] * S_g^2.
    IndependentMany {
        sizes: Vec<usize>,
        weights: Vec<i128>,
    },
    /// "samples" (one sample, or the differences of two): each sign flipped or
    /// not, K = sum_i ±scores[i].
    Samples,
    /// "pairings": the second sample reordered, K = sum_i scores[i] * partner[a[i]].
    Pairings { partner: Vec<i128> },
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub design: Design,
    pub scores: Vec<i128>,
}

/// Counts of relabellings with K >= ge, K <= le, and (deviation rule)
/// |scale*K - center| >= at_least and > above.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub ge: i128,
    pub le: i128,
    pub deviation: Option<Deviation>,
}

#[derive(Debug, Clone, Copy)]
pub struct Deviation {
    pub scale: i128,
    pub center: i128,
    pub at_least: i128,
    pub above: i128,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: u64,
    pub ge: u64,
    pub le: u64,
    pub dev_ge: u64,
    pub dev_gt: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collect {
    Nothing,
    /// Distinct K with their counts.
    Histogram,
    /// Every K in visiting order.
    Full,
}

#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// Relabellings by rank in the design's enumeration order.
    Exact,
    /// Resamples from Squares streams with this key.
    MonteCarlo { key: u64 },
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub tally: Tally,
    pub histogram: BTreeMap<i128, u64>,
    pub keys: Vec<i128>,
}

const LIMIT: i128 = 1 << 120;

fn abs_sum(v: &[i128]) -> Option<i128> {
    v.iter()
        .try_fold(0i128, |acc, &x| acc.checked_add(x.checked_abs()?))
}

impl Problem {
    /// The number of distinct relabellings the design enumerates.
    pub fn count(&self) -> Option<u128> {
        let n = self.scores.len();
        match &self.design {
            Design::IndependentTwo { n1 } => binomial(n as u64, *n1 as u64),
            Design::IndependentMany { sizes, .. } => multinomial(sizes),
            Design::Samples => 1u128.checked_shl(n as u32).filter(|_| n < 128),
            Design::Pairings { .. } => (1..=n as u128).try_fold(1u128, |a, k| a.checked_mul(k)),
        }
    }

    /// Checks sizes and that no K (nor the deviation transform) can overflow i128.
    pub fn validate(&self, rule: &Rule) -> Result<u128> {
        let n = self.scores.len();
        let too_big = || {
            Error::Overflow("scores too large for exact 128-bit sums; scale the data down".into())
        };
        let bound = abs_sum(&self.scores).ok_or_else(too_big)?;
        let key_bound = match &self.design {
            Design::IndependentTwo { n1 } => {
                if *n1 > n {
                    return Err(Error::InvalidValue(format!(
                        "group size {n1} exceeds {n} observations"
                    )));
                }
                bound
            }
            Design::Samples => bound,
            Design::IndependentMany { sizes, weights } => {
                if sizes.iter().sum::<usize>() != n || weights.len() != sizes.len() {
                    return Err(Error::LengthMismatch {
                        expected: n,
                        found: sizes.iter().sum(),
                    });
                }
                let w = abs_sum(weights).ok_or_else(too_big)?;
                if bound > LIMIT {
                    return Err(too_big());
                }
                bound
                    .checked_mul(bound)
                    .and_then(|b| b.checked_mul(w))
                    .ok_or_else(too_big)?
            }
            Design::Pairings { partner } => {
                if partner.len() != n {
                    return Err(Error::LengthMismatch {
                        expected: n,
                        found: partner.len(),
                    });
                }
                let m = partner
                    .iter()
                    .try_fold(0i128, |a, &x| Some(a.max(x.checked_abs()?)))
                    .ok_or_else(too_big)?;
                // Steps add (x_p - x_q)(y_r - y_s): bound them too.
                bound
                    .checked_mul(m)
                    .and_then(|b| b.checked_mul(4))
                    .ok_or_else(too_big)?
            }
        };
        if key_bound > LIMIT {
            return Err(too_big());
        }
        if let Some(d) = rule.deviation {
            d.scale
                .checked_mul(key_bound)
                .and_then(|x| x.checked_add(d.center.checked_abs()?))
                .filter(|&x| x < i128::MAX / 2)
                .ok_or_else(too_big)?;
        }
        self.count().ok_or_else(|| {
            Error::Overflow("the number of relabellings does not fit in 128 bits".into())
        })
    }
}

/// Sorted-array counts: how many of `sorted` are >= x, <= x.
fn count_at_least(sorted: &[i128], x: i128) -> u64 {
    (sorted.len() - sorted.partition_point(|&v| v < x)) as u64
}

fn count_at_most(sorted: &[i128], x: i128) -> u64 {
    sorted.partition_point(|&v| v <= x) as u64
}

fn div_floor(a: i128, b: i128) -> i128 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

impl Rule {
    /// Adds the tallies of keys `offset + v` for all v in `sorted` (ascending).
    pub(crate) fn record_shifted(&self, offset: i128, sorted: &[i128], tally: &mut Tally) {
        let n = sorted.len() as u64;
        tally.total += n;
        tally.ge += count_at_least(sorted, self.ge - offset);
        tally.le += count_at_most(sorted, self.le - offset);
        if let Some(d) = &self.deviation {
            // |scale*K - center| >= a  <=>  K >= ceil((center + a) / scale) or K <= floor((center - a) / scale).
            let beyond = |a: i128| -> u64 {
                if a <= 0 {
                    return n;
                }
                let upper = -div_floor(-(d.center + a), d.scale);
                let lower = div_floor(d.center - a, d.scale);
                count_at_least(sorted, upper - offset) + count_at_most(sorted, lower - offset)
            };
            tally.dev_ge += beyond(d.at_least);
            tally.dev_gt += beyond(d.above + 1);
        }
    }

    #[inline]
    pub(crate) fn record(&self, k: i128, tally: &mut Tally) {
        tally.total += 1;
        tally.ge += (k >= self.ge) as u64;
        tally.le += (k <= self.le) as u64;
        if let Some(d) = &self.deviation {
            let dev = (d.scale * k - d.center).abs();
            tally.dev_ge += (dev >= d.at_least) as u64;
            tally.dev_gt += (dev > d.above) as u64;
        }
    }
}
