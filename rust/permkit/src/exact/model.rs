//! The model of an exact test: the design, the scores, the p-value rule as
//! integer thresholds on the key K, and what a run reports.

use crate::count::{combinations_u128, factorial_u128, multiset_permutations_u128, power_u128};
use crate::{Error, Result};
use std::collections::BTreeMap;

/// How relabellings are formed, and what K is.
#[derive(Debug, Clone)]
pub enum Design {
    /// Two groups: K = sum of the scores in group 1 (size `n1`).
    TwoSample { n1: usize },
    /// k groups of `sizes`: K = sum_g weights[g] * S_g^2.
    KSample {
        sizes: Vec<usize>,
        weights: Vec<i128>,
    },
    /// Paired differences, each sign flipped or not: K = sum_i ±scores[i].
    SignFlip,
    /// Second sample reordered: K = sum_i scores[i] * partner[a[i]].
    Pairing { partner: Vec<i128> },
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
            Design::TwoSample { n1 } => combinations_u128(n as u64, *n1 as u64),
            Design::KSample { sizes, .. } => {
                let counts: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
                multiset_permutations_u128(&counts)
            }
            Design::SignFlip => power_u128(2, n as u64),
            Design::Pairing { .. } => factorial_u128(n as u64),
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
            Design::TwoSample { n1 } => {
                if *n1 > n {
                    return Err(Error::InvalidValue(format!(
                        "group size {n1} exceeds {n} observations"
                    )));
                }
                bound
            }
            Design::SignFlip => bound,
            Design::KSample { sizes, weights } => {
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
            Design::Pairing { partner } => {
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
