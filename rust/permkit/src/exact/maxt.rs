//! Westfall-Young single-step max-T adjusted p-values (spec: docs/exact_tests.md).
//!
//! m variables share one stream of two-group relabellings: every relabelling
//! is a row of [`super::relabel_rows`] (the revolving-door ranks when exact,
//! the Monte Carlo resamples of the exact-test engine otherwise), so maxt sees
//! exactly the relabellings `permutation_test` sees. For each relabelling all
//! m statistics are computed at once from group sums; the raw count of
//! variable j grows when its own statistic reaches t_j, the adjusted count
//! when the largest of the m statistics does. Counts are integers summed over
//! fixed chunks, so the output does not depend on the number of threads.

use super::{relabel_rows, Shape};
use crate::{Error, Interrupt, Result};
use rayon::prelude::*;
use std::str::FromStr;

/// Two-group statistics of group 0 (the first `n1` observations) against group 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// mean(group 0) - mean(group 1).
    MeanDiff,
    /// Student's t with pooled variance.
    PooledT,
    /// Welch's t.
    WelchT,
}

impl FromStr for Statistic {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "mean_diff" => Ok(Self::MeanDiff),
            "t" => Ok(Self::PooledT),
            "welch_t" => Ok(Self::WelchT),
            _ => Err(Error::InvalidValue(format!(
                "must be 't', 'welch_t' or 'mean_diff', got {name:?}"
            ))),
        }
    }
}

/// Which direction is extreme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Greater,
    Less,
    TwoSided,
}

impl FromStr for Side {
    type Err = Error;

    /// scipy's `alternative` names.
    fn from_str(name: &str) -> Result<Self> {
        match name {
            "greater" => Ok(Self::Greater),
            "less" => Ok(Self::Less),
            "two-sided" => Ok(Self::TwoSided),
            _ => Err(Error::InvalidValue(format!(
                "must be 'two-sided', 'less' or 'greater', got {name:?}"
            ))),
        }
    }
}

/// One max-T run: group 0 is the first `n1` observations; relabellings 0..runs
/// are all C(n, n1) when `mc_key` is None, else Monte Carlo resamples of key `mc_key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub n1: usize,
    pub statistic: Statistic,
    pub side: Side,
    pub mc_key: Option<u64>,
    pub runs: u64,
}

/// Refuses, before allocating, data of n observations x m variables whose
/// centred copy plus the per-chunk sums of every worker exceed 8 GiB.
pub fn check_memory(n: usize, m: usize) -> Result<()> {
    let bytes = (n as u128 + 64) * m as u128 * 8;
    if bytes > 8 << 30 {
        return Err(Error::Memory(format!(
            "max-T on {n} x {m} values would need {:.3} GiB, beyond 8 GiB",
            bytes as f64 / (1u64 << 30) as f64
        )));
    }
    Ok(())
}

/// Observed statistics and the counts of relabellings at least as extreme.
#[derive(Debug, Clone, PartialEq)]
pub struct MaxT {
    pub observed: Vec<f64>,
    /// Relabellings whose statistic j reaches the observed t_j.
    pub raw: Vec<u64>,
    /// Relabellings whose largest statistic reaches the observed t_j.
    pub adjusted: Vec<u64>,
    pub total: u64,
}

/// scipy's relative tie tolerance (100 float64 epsilons).
const TIE_EPS: f64 = 100.0 * f64::EPSILON;
/// A group's sum of squared deviations from its sum and sum of squares; what is
/// left after cancellation below 64 epsilons of the sum of squares is rounding, so
/// a constant group has exactly 0 (its t statistic is then infinite, as numpy's).
#[inline]
fn within(sq: f64, sum: f64, n: f64) -> f64 {
    let ss = sq - sum * sum / n;
    if ss <= 64.0 * f64::EPSILON * sq {
        0.0
    } else {
        ss
    }
}

/// Relabellings per chunk of work.
const CHUNK: u64 = 256;

struct Columns<'a> {
    /// Row-major n x m, each column shifted by its rounded mean.
    data: &'a [f64],
    m: usize,
    n1: usize,
    n2: usize,
    total_sum: Vec<f64>,
    total_sq: Vec<f64>,
    statistic: Statistic,
    side: Side,
}

impl Columns<'_> {
    /// How extreme a statistic is: larger is more extreme.
    #[inline]
    fn extremeness(&self, t: f64) -> f64 {
        match self.side {
            Side::Greater => t,
            Side::Less => -t,
            Side::TwoSided => t.abs(),
        }
    }

    /// Writes the statistics T_j of the relabelling whose group 0 is `members`.
    fn statistics(&self, members: &[u32], sum: &mut [f64], sq: &mut [f64], out: &mut [f64]) {
        sum.fill(0.0);
        sq.fill(0.0);
        for &i in members {
            let row = &self.data[i as usize * self.m..(i as usize + 1) * self.m];
            for ((s, q), &x) in sum.iter_mut().zip(sq.iter_mut()).zip(row) {
                *s += x;
                *q += x * x;
            }
        }
        let (n1, n2) = (self.n1 as f64, self.n2 as f64);
        for j in 0..self.m {
            let (s0, q0) = (sum[j], sq[j]);
            let (s1, q1) = (self.total_sum[j] - s0, self.total_sq[j] - q0);
            let d = s0 / n1 - s1 / n2;
            out[j] = match self.statistic {
                Statistic::MeanDiff => d,
                Statistic::PooledT => {
                    let ss = within(q0, s0, n1) + within(q1, s1, n2);
                    d / (ss / (n1 + n2 - 2.0) * (1.0 / n1 + 1.0 / n2)).sqrt()
                }
                Statistic::WelchT => {
                    let v0 = within(q0, s0, n1) / (n1 - 1.0) / n1;
                    let v1 = within(q1, s1, n2) / (n2 - 1.0) / n2;
                    d / (v0 + v1).sqrt()
                }
            };
        }
    }
}

/// Max-T counts for `data` (row-major, n observations x m variables) as `plan` says.
pub fn maxt(data: &[f64], m: usize, plan: &Plan, interrupt: &dyn Interrupt) -> Result<MaxT> {
    let Plan {
        n1,
        statistic,
        side,
        mc_key,
        runs,
    } = *plan;
    if m == 0 || data.is_empty() || data.len() % m != 0 {
        return Err(Error::InvalidValue(
            "need at least one variable and one observation".into(),
        ));
    }
    let n = data.len() / m;
    if n1 < 2 || n - n1.min(n) < 2 {
        return Err(Error::InvalidValue(format!(
            "each group needs two or more observations, got {n1} and {}",
            n - n1.min(n)
        )));
    }
    let shape = Shape::Independent {
        sizes: vec![n1, n - n1],
    };
    if mc_key.is_none() && shape.count() != Some(runs as u128) {
        return Err(Error::InvalidValue(format!(
            "exact enumeration visits all {:?} relabellings, not {runs}",
            shape.count()
        )));
    }
    let mut centred = data.to_vec();
    for j in 0..m {
        // The rounded mean removes offsets (less cancellation in the sums of
        // squares) and keeps integer data integral, so their sums stay exact.
        let mean = ((0..n).map(|i| data[i * m + j]).sum::<f64>() / n as f64).round();
        for i in 0..n {
            centred[i * m + j] -= mean;
        }
    }
    let mut total_sum = vec![0.0; m];
    let mut total_sq = vec![0.0; m];
    for row in centred.chunks(m) {
        for j in 0..m {
            total_sum[j] += row[j];
            total_sq[j] += row[j] * row[j];
        }
    }
    let cols = Columns {
        data: &centred,
        m,
        n1,
        n2: n - n1,
        total_sum,
        total_sq,
        statistic,
        side,
    };
    let identity: Vec<u32> = (0..n1 as u32).collect();
    let mut observed = vec![0.0; m];
    cols.statistics(
        &identity,
        &mut vec![0.0; m],
        &mut vec![0.0; m],
        &mut observed,
    );
    // Extreme when e >= e_obs - tolerance; NaN never is.
    let threshold: Vec<f64> = observed
        .iter()
        .map(|&t| {
            let e = cols.extremeness(t);
            if e.is_nan() {
                f64::INFINITY
            } else {
                // Infinite statistics (no spread within groups) tie only with themselves.
                if e.is_finite() {
                    e - TIE_EPS * e.abs()
                } else {
                    e
                }
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| threshold[a].total_cmp(&threshold[b]));
    let sorted: Vec<f64> = order.iter().map(|&j| threshold[j]).collect();

    let chunks: Vec<u64> = (0..runs.div_ceil(CHUNK)).collect();
    let wave = rayon::current_num_threads().max(1) * 2;
    let mut raw = vec![0u64; m];
    // reached[p]: relabellings whose maximum reaches exactly the p smallest thresholds.
    let mut reached = vec![0u64; m + 1];
    for group in chunks.chunks(wave) {
        interrupt.check()?;
        let parts: Vec<Result<(Vec<u64>, Vec<u64>)>> = group
            .par_iter()
            .map(|&c| {
                let start = c * CHUNK;
                let count = (runs - start).min(CHUNK) as usize;
                let mut rows = vec![0u32; n * count];
                relabel_rows(&shape, start as u128, count, mc_key, &mut rows)?;
                let mut raw = vec![0u64; m];
                let mut reached = vec![0u64; m + 1];
                let (mut sum, mut sq, mut t) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
                for row in rows.chunks(n) {
                    cols.statistics(&row[..n1], &mut sum, &mut sq, &mut t);
                    let mut most = f64::NEG_INFINITY;
                    for j in 0..m {
                        let e = cols.extremeness(t[j]);
                        raw[j] += (e >= threshold[j]) as u64;
                        most = most.max(e);
                    }
                    reached[sorted.partition_point(|&t| t <= most)] += 1;
                }
                Ok((raw, reached))
            })
            .collect();
        for part in parts {
            let (r, h) = part?;
            raw.iter_mut().zip(r).for_each(|(a, b)| *a += b);
            reached.iter_mut().zip(h).for_each(|(a, b)| *a += b);
        }
    }
    interrupt.check()?;
    // Variable at sorted position q is reached by every maximum reaching more than q thresholds.
    let mut adjusted = vec![0u64; m];
    let mut above = 0u64;
    for q in (0..m).rev() {
        above += reached[q + 1];
        adjusted[order[q]] = above;
    }
    Ok(MaxT {
        observed,
        raw,
        adjusted,
        total: runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Never;

    #[test]
    fn exact_counts_match_a_slow_enumeration() {
        // 3 + 3 observations, 2 variables: 20 relabellings.
        let data = [1.0, 5.0, 2.0, 3.0, 3.5, 1.0, 0.5, 4.0, 7.0, 2.0, 6.0, 0.0];
        let out = maxt(
            &data,
            2,
            &Plan {
                n1: 3,
                statistic: Statistic::MeanDiff,
                side: Side::TwoSided,
                mc_key: None,
                runs: 20,
            },
            &Never,
        )
        .unwrap();
        let col = |j: usize| -> Vec<f64> { (0..6).map(|i| data[i * 2 + j]).collect() };
        let stat = |v: &[f64], g: &[usize]| -> f64 {
            let a: f64 = g.iter().map(|&i| v[i]).sum::<f64>() / 3.0;
            let b: f64 = (0..6).filter(|i| !g.contains(i)).map(|i| v[i]).sum::<f64>() / 3.0;
            (a - b).abs()
        };
        let mut groups = Vec::new();
        for a in 0..6 {
            for b in a + 1..6 {
                for c in b + 1..6 {
                    groups.push(vec![a, b, c]);
                }
            }
        }
        let obs: Vec<f64> = (0..2).map(|j| stat(&col(j), &[0, 1, 2])).collect();
        for (j, &obs_j) in obs.iter().enumerate() {
            let raw = groups
                .iter()
                .filter(|g| stat(&col(j), g) >= obs_j * (1.0 - 1e-12))
                .count() as u64;
            let adj = groups
                .iter()
                .filter(|g| stat(&col(0), g).max(stat(&col(1), g)) >= obs_j * (1.0 - 1e-12))
                .count() as u64;
            assert_eq!(out.raw[j], raw);
            assert_eq!(out.adjusted[j], adj);
            assert!((out.observed[j].abs() - obs_j).abs() < 1e-12);
        }
        assert_eq!(out.total, 20);
    }

    #[test]
    fn monte_carlo_is_reproducible() {
        let data: Vec<f64> = (0..40 * 3).map(|i| ((i * 7919) % 31) as f64).collect();
        let a = maxt(
            &data,
            3,
            &Plan {
                n1: 20,
                statistic: Statistic::PooledT,
                side: Side::Greater,
                mc_key: Some(17),
                runs: 1000,
            },
            &Never,
        )
        .unwrap();
        let b = maxt(
            &data,
            3,
            &Plan {
                n1: 20,
                statistic: Statistic::PooledT,
                side: Side::Greater,
                mc_key: Some(17),
                runs: 1000,
            },
            &Never,
        )
        .unwrap();
        assert_eq!(a, b);
        assert!(a.adjusted.iter().zip(&a.raw).all(|(adj, raw)| adj >= raw));
    }
}
