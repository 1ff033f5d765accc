//! The model of an exact test: the design, the scores, the p-value rule as
//! integer thresholds on the key K, and what a run reports.

use super::rows::Shape;
use crate::count::{
    combinations_u128, factorial, factorial_u128, multiset_permutations,
    multiset_permutations_u128, power_u128,
};
use crate::{Error, Interrupt, Result};
use num_bigint::BigUint;
use std::collections::BTreeMap;
use std::str::FromStr;

/// scipy's `permutation_type`, the one vocabulary of the exact tests from the
/// Python API down to [`Design`] and [`Shape`]: "independent" (observations
/// relabelled among groups), "samples" (values permuted within each block of
/// paired observations: sign flips of differences for one or two samples) and
/// "pairings" (samples reordered against each other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermutationType {
    Independent,
    Samples,
    Pairings,
}

impl FromStr for PermutationType {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "independent" => Ok(Self::Independent),
            "samples" => Ok(Self::Samples),
            "pairings" => Ok(Self::Pairings),
            _ => Err(Error::InvalidValue(format!(
                "must be 'independent', 'samples' or 'pairings', got {name:?}"
            ))),
        }
    }
}

impl PermutationType {
    /// The design of a built-in statistic's key. "independent": with `weights`
    /// the key is sum_g weights[g] * S_g^2 over groups of `sizes`, without it
    /// the group-1 sum of two groups; "pairings" needs the `partner` scores.
    pub fn design(
        self,
        sizes: Vec<usize>,
        weights: Option<Vec<i128>>,
        partner: Option<Vec<i128>>,
    ) -> Result<Design> {
        Ok(match (self, weights, partner) {
            (Self::Independent, Some(weights), None) => Design::IndependentMany { sizes, weights },
            (Self::Independent, None, None) if sizes.len() == 2 => {
                Design::IndependentTwo { n1: sizes[0] }
            }
            (Self::Samples, None, None) => Design::Samples,
            (Self::Pairings, None, Some(partner)) => Design::Pairings { partner },
            (kind, ..) => {
                return Err(Error::InvalidValue(format!(
                    "no built-in key design {kind:?} for {} groups with these weights/partner",
                    sizes.len()
                )))
            }
        })
    }

    /// The rows of relabellings for statistics the caller computes, for the
    /// relabelled samples of `sizes`: "samples" of one or two samples flip
    /// pairs, of more permute blocks; "pairings" reorders each sample given.
    pub fn rows(self, sizes: Vec<usize>) -> Shape {
        let n = sizes.first().copied().unwrap_or(0);
        let samples = sizes.len();
        match self {
            Self::Independent => Shape::Independent { sizes },
            Self::Samples if samples <= 2 => Shape::Samples { n },
            Self::Samples => Shape::SamplesMany { n, samples },
            Self::Pairings if samples == 1 => Shape::Pairings { n },
            Self::Pairings => Shape::PairingsMany { n, samples },
        }
    }

    /// The number of relabellings of the relabelled samples of `sizes`, of any
    /// size: the multinomial of the group sizes ("independent"), (max(k, 2)!)^n
    /// for k samples of n blocks ("samples"), (n!)^k for k samples reordered
    /// ("pairings").
    pub fn count(self, sizes: &[usize], interrupt: &dyn Interrupt) -> Result<BigUint> {
        let n = sizes.first().copied().unwrap_or(0);
        let k = sizes.len();
        let power = |base: BigUint, exponent: usize| -> Result<BigUint> {
            let exponent = u32::try_from(exponent)
                .map_err(|_| Error::Overflow(format!("{exponent} factors are too many")))?;
            Ok(base.pow(exponent))
        };
        match self {
            Self::Independent => {
                let counts: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
                multiset_permutations(&counts, interrupt)
            }
            Self::Samples => power(factorial(k.max(2) as u64, interrupt)?, n),
            Self::Pairings => power(factorial(n as u64, interrupt)?, k),
        }
    }
}

/// Largest `null_distribution="full"` a test builds (bytes), and what each value
/// costs while building it (a 16-byte key, then a float64 value).
pub const FULL_NULL_MAX_BYTES: u128 = 8 << 30;
pub const FULL_NULL_VALUE_BYTES: u128 = 16;

/// Largest batch of relabelled rows (u32 gather indices) built at once (bytes).
pub const ROWS_MAX_BYTES: u128 = 4 << 30;

/// Refuses, before allocating, `count` rows of `row_len` gather indices beyond
/// [`ROWS_MAX_BYTES`].
pub fn check_rows(row_len: usize, count: usize) -> Result<()> {
    let bytes = (row_len as u128) * (count as u128) * 4;
    if bytes > ROWS_MAX_BYTES {
        return Err(Error::Memory(format!(
            "{count} relabelled rows of {row_len} indices would need {:.3} GiB, beyond {} GiB; \
             use a smaller batch",
            bytes as f64 / (1u64 << 30) as f64,
            ROWS_MAX_BYTES >> 30
        )));
    }
    Ok(())
}

/// Refuses, before allocating, a full null distribution of `values` values
/// beyond [`FULL_NULL_MAX_BYTES`].
pub fn check_full_null(values: u128) -> Result<()> {
    let bytes = values.saturating_mul(FULL_NULL_VALUE_BYTES);
    if bytes > FULL_NULL_MAX_BYTES {
        return Err(Error::Memory(format!(
            "null_distribution='full' ({values} values) would need {:.3} GiB, beyond {} GiB; \
             use null_distribution='histogram' or None",
            bytes as f64 / (1u64 << 30) as f64,
            FULL_NULL_MAX_BYTES >> 30
        )));
    }
    Ok(())
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

impl FromStr for Collect {
    type Err = Error;

    /// The names of `null_distribution` ("none" for None).
    fn from_str(name: &str) -> Result<Self> {
        match name {
            "none" => Ok(Self::Nothing),
            "histogram" => Ok(Self::Histogram),
            "full" => Ok(Self::Full),
            _ => Err(Error::InvalidValue(format!(
                "must be None, 'full' or 'histogram', got {name:?}"
            ))),
        }
    }
}

/// Counts of a tally over a distribution of keys (any size).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LawTally {
    pub total: BigUint,
    pub ge: BigUint,
    pub le: BigUint,
    pub dev_ge: BigUint,
    pub dev_gt: BigUint,
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
            Design::IndependentTwo { n1 } => combinations_u128(n as u64, *n1 as u64),
            Design::IndependentMany { sizes, .. } => {
                let counts: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
                multiset_permutations_u128(&counts)
            }
            Design::Samples => power_u128(2, n as u64),
            Design::Pairings { .. } => factorial_u128(n as u64),
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

    /// The tallies of a distribution of keys: `law` holds (K, count) pairs.
    pub fn record_law(&self, law: &[(i128, BigUint)]) -> Result<LawTally> {
        let mut out = LawTally::default();
        for (k, count) in law {
            out.total += count;
            if *k >= self.ge {
                out.ge += count;
            }
            if *k <= self.le {
                out.le += count;
            }
            if let Some(d) = &self.deviation {
                let dev = d
                    .scale
                    .checked_mul(*k)
                    .and_then(|x| x.checked_sub(d.center))
                    .and_then(i128::checked_abs)
                    .ok_or_else(|| {
                        Error::Overflow("key too large for the deviation rule".into())
                    })?;
                if dev >= d.at_least {
                    out.dev_ge += count;
                }
                if dev > d.above {
                    out.dev_gt += count;
                }
            }
        }
        Ok(out)
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

#[cfg(test)]
mod model_tests {
    use super::*;
    use crate::Never;

    #[test]
    fn record_law_agrees_with_record_on_every_key() {
        let rule = Rule {
            ge: 3,
            le: -1,
            deviation: Some(Deviation {
                scale: 2,
                center: 1,
                at_least: 5,
                above: 5,
            }),
        };
        let law: Vec<(i128, BigUint)> = (-6..=7)
            .map(|k| (k, BigUint::from((k * k) as u64 + 1)))
            .collect();
        let mut one_by_one = Tally::default();
        for (k, count) in &law {
            for _ in 0..u64::try_from(count).unwrap() {
                rule.record(*k, &mut one_by_one);
            }
        }
        let whole = rule.record_law(&law).unwrap();
        let big = |x: u64| BigUint::from(x);
        assert_eq!(whole.total, big(one_by_one.total));
        assert_eq!(whole.ge, big(one_by_one.ge));
        assert_eq!(whole.le, big(one_by_one.le));
        assert_eq!(whole.dev_ge, big(one_by_one.dev_ge));
        assert_eq!(whole.dev_gt, big(one_by_one.dev_gt));
    }

    #[test]
    fn permutation_type_counts_match_the_designs_and_shapes() {
        let count = |t: PermutationType, sizes: &[usize]| t.count(sizes, &Never).unwrap();
        let independent = PermutationType::Independent;
        let design = independent.design(vec![4, 5], None, None).unwrap();
        let problem = Problem {
            design,
            scores: vec![0; 9],
        };
        assert_eq!(
            count(independent, &[4, 5]),
            BigUint::from(problem.count().unwrap())
        );
        for (t, sizes) in [
            (PermutationType::Independent, vec![2, 3, 2]),
            (PermutationType::Samples, vec![7]),
            (PermutationType::Samples, vec![5, 5]),
            (PermutationType::Samples, vec![4, 4, 4]),
            (PermutationType::Pairings, vec![6]),
            (PermutationType::Pairings, vec![3, 3, 3]),
        ] {
            let shape_count = t.rows(sizes.clone()).count().unwrap();
            assert_eq!(
                count(t, &sizes),
                BigUint::from(shape_count),
                "{t:?} {sizes:?}"
            );
        }
        assert_eq!(
            count(PermutationType::Samples, &[200]),
            BigUint::from(1u8) << 200
        );
    }

    #[test]
    fn names_parse_in_the_vocabulary() {
        assert_eq!(
            "samples".parse::<PermutationType>().unwrap(),
            PermutationType::Samples
        );
        assert!("paired".parse::<PermutationType>().is_err());
        assert_eq!("full".parse::<Collect>().unwrap(), Collect::Full);
        assert!("all".parse::<Collect>().is_err());
        assert!(check_full_null(FULL_NULL_MAX_BYTES / FULL_NULL_VALUE_BYTES).is_ok());
        assert!(check_rows(1 << 10, 1 << 20).is_ok());
        assert!(matches!(
            check_rows((1 << 10) + 1, 1 << 20),
            Err(Error::Memory(_))
        ));
        assert!(matches!(
            check_full_null(FULL_NULL_MAX_BYTES / FULL_NULL_VALUE_BYTES + 1),
            Err(Error::Memory(_))
        ));
    }
}
