//! Pairings (orders of the second sample) by adjacent transpositions: Knuth's
//! Algorithm P (plain changes, 7.2.1.2). Each step swaps two neighbours, so
//! sum_i x[i] * y[a[i]] changes by (x[p] - x[p+1]) * (y[a[p+1]] - y[a[p]]).
//! The state (c, o) is the reflected mixed-radix Gray code of the rank, which
//! gives direct unranking.

use crate::{Error, Result};

pub struct PlainChanges<'a> {
    x: &'a [i128],
    y: &'a [i128],
    /// a[i]: index into y paired with x[i].
    a: Vec<usize>,
    /// 1-based like Knuth: c[j] in 0..j, o[j] in {-1, +1}.
    c: Vec<i64>,
    o: Vec<i64>,
    sum: i128,
}

fn factorial(n: usize) -> Option<u64> {
    (1..=n as u64).try_fold(1u64, |acc, k| acc.checked_mul(k))
}

impl<'a> PlainChanges<'a> {
    pub fn at(x: &'a [i128], y: &'a [i128], rank: u64) -> Result<Self> {
        let n = x.len();
        if y.len() != n {
            return Err(Error::LengthMismatch {
                expected: n,
                found: y.len(),
            });
        }
        let total = factorial(n)
            .ok_or_else(|| Error::Overflow(format!("{n}! orders do not fit in 64 bits")))?;
        if rank >= total {
            return Err(Error::InvalidValue(format!(
                "rank {rank} is out of range 0..{total}"
            )));
        }
        let mut c = vec![0i64; n + 1];
        let mut o = vec![1i64; n + 1];
        // Digit j has radix j; digit n varies fastest.
        let mut lower = 1u64; // product of the radices of digits j+1..=n
        for j in (1..=n).rev() {
            let prefix = rank / lower / j as u64; // position in the list of the more significant digits
            let digit = (rank / lower % j as u64) as i64;
            if prefix % 2 == 0 {
                c[j] = digit;
            } else {
                c[j] = j as i64 - 1 - digit;
                o[j] = -1;
            }
            lower *= j as u64;
        }
        // c[j] = how many smaller elements lie right of element j.
        let mut a: Vec<usize> = Vec::with_capacity(n);
        for (j, &cj) in c.iter().enumerate().skip(1) {
            a.insert(j - 1 - cj as usize, j - 1);
        }
        let sum = x.iter().zip(&a).map(|(&xi, &ai)| xi * y[ai]).sum();
        Ok(Self { x, y, a, c, o, sum })
    }

    #[inline]
    pub fn sum(&self) -> i128 {
        self.sum
    }

    pub fn order(&self) -> &[usize] {
        &self.a
    }

    /// Steps P3-P7 (no-op after the last order).
    #[inline]
    pub fn advance(&mut self) {
        let n = self.a.len();
        let mut j = n;
        let mut s = 0usize;
        while j >= 1 {
            let q = self.c[j] + self.o[j];
            if q < 0 {
                self.o[j] = -self.o[j];
                j -= 1;
                continue;
            }
            if q == j as i64 {
                if j == 1 {
                    return;
                }
                s += 1;
                self.o[j] = -self.o[j];
                j -= 1;
                continue;
            }
            let p1 = j - self.c[j] as usize + s - 1;
            let p2 = j - q as usize + s - 1;
            let p = p1.min(p2);
            let (a0, a1) = (self.a[p], self.a[p + 1]);
            self.sum += (self.x[p] - self.x[p + 1]) * (self.y[a1] - self.y[a0]);
            self.a.swap(p, p + 1);
            self.c[j] = q;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_once_by_adjacent_swaps_matching_unrank() {
        for n in 1..=6usize {
            let x: Vec<i128> = (0..n as i128).map(|i| i * i + 1).collect();
            let y: Vec<i128> = (0..n as i128).map(|i| 3 * i - 2).collect();
            let total = factorial(n).unwrap();
            let mut walk = PlainChanges::at(&x, &y, 0).unwrap();
            let mut seen = std::collections::HashSet::new();
            let mut prev: Option<Vec<usize>> = None;
            for r in 0..total {
                let direct = PlainChanges::at(&x, &y, r).unwrap();
                assert_eq!(walk.order(), direct.order(), "n={n} r={r}");
                let expect: i128 = x.iter().zip(walk.order()).map(|(&a, &b)| a * y[b]).sum();
                assert_eq!(walk.sum(), expect);
                if let Some(p) = prev {
                    let diffs = p.iter().zip(walk.order()).filter(|(a, b)| a != b).count();
                    assert_eq!(diffs, 2);
                }
                assert!(seen.insert(walk.order().to_vec()));
                prev = Some(walk.order().to_vec());
                walk.advance();
            }
            assert_eq!(seen.len() as u64, total);
        }
    }
}
