//! Welch's t, which is not monotone in one sum, classified exactly: the walk
//! keeps the exact integer group-1 sum S1 and sum of squares Q1; t is
//! evaluated in f64 from exact integer parts (relative error below 1e-14) and
//! recomputed exactly in big integers whenever it lies within 1e-9 of a
//! threshold, so every relabelling is classified as exact arithmetic would.
//!
//! With A = n2 S1 - n1 S2 and X_g = n_g Q_g - S_g^2 (exact integers):
//! t = sign(A) * sqrt(A^2 (n1-1)(n2-1) / B), B = X1 n2^2 (n2-1) + X2 n1^2 (n1-1).

use super::engine::GroupSum;
use super::Tally;
use crate::{Error, Interrupt, Result};
use num_bigint::BigInt;
use rayon::prelude::*;
use std::cmp::Ordering;

/// sign * sqrt(num / den) with num, den >= 0 (den = 0: infinite unless num = 0).
#[derive(Debug, Clone)]
pub struct SignedRoot {
    pub sign: i8,
    pub num: BigInt,
    pub den: BigInt,
}

impl SignedRoot {
    fn approx(&self) -> f64 {
        let (n, d) = (big_to_f64(&self.num), big_to_f64(&self.den));
        self.sign as f64 * (n / d).sqrt()
    }

    fn cmp(&self, other: &SignedRoot) -> Ordering {
        match self.sign.cmp(&other.sign) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
        // Compare num1/den1 with num2/den2 (den 0 = infinity).
        let magnitude = match (self.den == BigInt::from(0), other.den == BigInt::from(0)) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => (&self.num * &other.den).cmp(&(&other.num * &self.den)),
        };
        if self.sign < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

/// i128 -> f64 through i64 when it fits (the i128 conversion is a slow library call).
#[inline]
fn to_f64(x: i128) -> f64 {
    match i64::try_from(x) {
        Ok(v) => v as f64,
        Err(_) => x as f64,
    }
}

fn big_to_f64(x: &BigInt) -> f64 {
    use num_traits::ToPrimitive;
    x.to_f64().unwrap_or(f64::INFINITY)
}

struct Parts {
    n1: i128,
    n2: i128,
    total: i128,
    total_sq: i128,
    /// n2^2 (n2-1), n1^2 (n1-1), (n1-1)(n2-1) as f64, converted once.
    weight1: f64,
    weight2: f64,
    dof: f64,
}

impl Parts {
    fn new(n1: usize, n2: usize, total: i128, total_sq: i128) -> Self {
        let (a, b) = (n1 as f64, n2 as f64);
        Parts {
            n1: n1 as i128,
            n2: n2 as i128,
            total,
            total_sq,
            weight1: b * b * (b - 1.0),
            weight2: a * a * (a - 1.0),
            dof: (a - 1.0) * (b - 1.0),
        }
    }

    fn exact(&self, s1: i128, q1: i128) -> SignedRoot {
        let (n1, n2) = (self.n1, self.n2);
        let s2 = self.total - s1;
        let q2 = self.total_sq - q1;
        let a = BigInt::from(n2 * s1 - n1 * s2);
        let x1 = BigInt::from(n1) * q1 - BigInt::from(s1) * s1;
        let x2 = BigInt::from(n2) * q2 - BigInt::from(s2) * s2;
        let b = x1 * (n2 * n2 * (n2 - 1)) + x2 * (n1 * n1 * (n1 - 1));
        let sign = match a.sign() {
            num_bigint::Sign::Minus => -1,
            num_bigint::Sign::NoSign => 0,
            num_bigint::Sign::Plus => 1,
        };
        SignedRoot {
            sign,
            num: &a * &a * ((n1 - 1) * (n2 - 1)),
            den: b,
        }
    }

    #[inline]
    fn approx(&self, s1: i128, q1: i128) -> f64 {
        let (n1, n2) = (self.n1, self.n2);
        let s2 = self.total - s1;
        let q2 = self.total_sq - q1;
        let a = to_f64(n2 * s1 - n1 * s2);
        let x1 = to_f64(n1 * q1 - s1 * s1);
        let x2 = to_f64(n2 * q2 - s2 * s2);
        let b = x1 * self.weight1 + x2 * self.weight2;
        a * (self.dof / b).sqrt()
    }
}

/// Counts of Welch t >= low and <= high over ranks `range` of the revolving door.
pub fn tally(
    scores: &[i128],
    n1: usize,
    low: &SignedRoot,
    high: &SignedRoot,
    range: std::ops::Range<u128>,
    interrupt: &dyn Interrupt,
) -> Result<Tally> {
    let n = scores.len();
    if n1 < 2 || n1 > n || n - n1 < 2 {
        return Err(Error::InvalidValue(
            "Welch t needs two or more observations per group".into(),
        ));
    }
    let too_big =
        || Error::Overflow("scores too large for exact Welch t; scale the data down".into());
    let sum_abs = scores
        .iter()
        .try_fold(0i128, |a, &v| a.checked_add(v.checked_abs()?))
        .ok_or_else(too_big)?;
    let total_sq = scores
        .iter()
        .try_fold(0i128, |a, &v| a.checked_add(v.checked_mul(v)?))
        .ok_or_else(too_big)?;
    // n * Q, S^2 and n^3 must stay below 2^126.
    let n128 = n as i128;
    sum_abs
        .checked_mul(sum_abs)
        .filter(|&x| x < 1 << 124)
        .ok_or_else(too_big)?;
    total_sq
        .checked_mul(n128)
        .filter(|&x| x < 1 << 124)
        .ok_or_else(too_big)?;
    let squares: Vec<i128> = scores.iter().map(|&v| v * v).collect();
    let parts = Parts::new(n1, n - n1, scores.iter().sum(), total_sq);
    let (low_f, high_f) = (low.approx(), high.approx());
    let close = |t: f64, thr: f64| {
        !t.is_finite()
            || !thr.is_finite()
            || (t - thr).abs() <= 1e-9 * thr.abs().max(t.abs()).max(1e-300)
    };
    let count_chunk = |pos: u128, len: u128| -> Result<Tally> {
        let mut out = Tally::default();
        let mut door = GroupSum::at(scores, n1, pos)?;
        let mut q1: i128 = door.members().iter().map(|&i| squares[i]).sum();
        for step in 0..len {
            let s1 = door.sum();
            let t = parts.approx(s1, q1);
            let (ge, le) = if close(t, low_f) || close(t, high_f) {
                let exact = parts.exact(s1, q1);
                (
                    exact.cmp(low) != Ordering::Less,
                    exact.cmp(high) != Ordering::Greater,
                )
            } else {
                (t >= low_f, t <= high_f)
            };
            out.total += 1;
            out.ge += ge as u64;
            out.le += le as u64;
            if step + 1 < len {
                let (o, i) = door.advance_swap();
                q1 += squares[i] - squares[o];
            }
        }
        Ok(out)
    };
    let chunks: Vec<(u128, u128)> = {
        let mut v = Vec::new();
        let mut pos = range.start;
        while pos < range.end {
            let len = (range.end - pos).min(super::CHUNK as u128);
            v.push((pos, len));
            pos += len;
        }
        v
    };
    let mut out = Tally::default();
    let wave = rayon::current_num_threads().max(1) * 4;
    for group in chunks.chunks(wave) {
        interrupt.check()?;
        let parts: Vec<Result<Tally>> = group
            .par_iter()
            .map(|&(pos, len)| count_chunk(pos, len))
            .collect();
        for part in parts {
            let part = part?;
            out.total += part.total;
            out.ge += part.ge;
            out.le += part.le;
        }
    }
    interrupt.check()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Never;

    #[test]
    fn filtered_counts_equal_exact_counts_with_ties() {
        let scores: Vec<i128> = vec![3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
        let n1 = 5;
        let parts = Parts::new(
            5,
            7,
            scores.iter().sum(),
            scores.iter().map(|v| v * v).sum(),
        );
        let observed = {
            let s1: i128 = scores[..n1].iter().sum();
            let q1: i128 = scores[..n1].iter().map(|v| v * v).sum();
            parts.exact(s1, q1)
        };
        let got = tally(&scores, n1, &observed, &observed, 0..792, &Never).unwrap();
        let mut door = GroupSum::at(&scores, n1, 0).unwrap();
        let (mut ge, mut le) = (0, 0);
        for step in 0..792 {
            let m = door.members().to_vec();
            let s1: i128 = m.iter().map(|&i| scores[i]).sum();
            let q1: i128 = m.iter().map(|&i| scores[i] * scores[i]).sum();
            let e = parts.exact(s1, q1);
            ge += (e.cmp(&observed) != Ordering::Less) as u64;
            le += (e.cmp(&observed) != Ordering::Greater) as u64;
            if step + 1 < 792 {
                door.advance_swap();
            }
        }
        assert_eq!((got.ge, got.le, got.total), (ge, le, 792));
        assert!(ge > 1 && le > 1);
    }
}
