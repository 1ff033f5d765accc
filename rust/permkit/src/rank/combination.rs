//! k-combinations of `0..n` (ascending rows) in lex, colex and revolving-door
//! order. Each rank or unrank walks a binomial coefficient `C(m, j)` through
//! neighbouring values by exact multiply-divide steps, and jumps (recomputes
//! it, or binary-searches `m`) when the next value is far: at most
//! O(k^2 log n) operations with small factors per combination, never O(n), no
//! table.

use super::RankInt;

/// `C(m, j)` kept up to date while `m` and `j` move by one.
struct Binom<R> {
    m: u64,
    j: u64,
    v: R,
}

impl<R: RankInt> Binom<R> {
    fn new(m: u64, j: u64) -> Self {
        let mut v = R::from_u64(if j > m { 0 } else { 1 });
        if j <= m {
            // Via the smaller of j and m-j: every partial product is at most
            // C(m, j), so u64 ranks never overflow on the way.
            let s = j.min(m - j);
            for i in 0..s {
                v = v.mul_div(m - i, i + 1);
            }
        }
        Binom { m, j, v }
    }

    fn inc_m(&mut self) {
        let (m, j) = (self.m + 1, self.j);
        self.v = if m < j {
            R::from_u64(0)
        } else if m == j {
            R::from_u64(1)
        } else {
            self.v.mul_div(m, m - j)
        };
        self.m = m;
    }

    /// Needs `m >= 1`.
    fn dec_m(&mut self) {
        let (m, j) = (self.m, self.j);
        self.v = if m > j {
            self.v.mul_div(m - j, m)
        } else {
            R::from_u64(0)
        };
        self.m = m - 1;
    }

    fn inc_j(&mut self) {
        let (m, j) = (self.m, self.j);
        self.v = if m > j {
            self.v.mul_div(m - j, j + 1)
        } else {
            R::from_u64(0)
        };
        self.j = j + 1;
    }

    /// Needs `j >= 1`.
    fn dec_j(&mut self) {
        let (m, j) = (self.m, self.j);
        self.v = if m >= j {
            self.v.mul_div(j, m - j + 1)
        } else if m + 1 == j {
            R::from_u64(1)
        } else {
            R::from_u64(0)
        };
        self.j = j - 1;
    }

    /// Moves `m` up to `x`: by steps when `x` is near, else by recomputing
    /// `C(x, j)` (O(j) steps), so the cost never depends on `x - m` alone.
    fn raise_m_to(&mut self, x: u64) {
        if x - self.m > self.j + 1 {
            *self = Binom::new(x, self.j);
        }
        while self.m < x {
            self.inc_m();
        }
    }

    /// Moves `m` down to the largest value with `C(m, j) <= r`: a few steps
    /// down, then a binary search over `m` (each probe O(j)) when the target
    /// is far, so huge `n` costs O(j log n), not O(n).
    fn descend_to(&mut self, r: &R) {
        for _ in 0..=self.j + 1 {
            if self.v <= *r {
                return;
            }
            self.dec_m();
        }
        if self.v <= *r || self.j == 0 {
            while self.v > *r {
                self.dec_m();
            }
            return;
        }
        // C(j-1, j) = 0 <= r and C(m, j) > r: the answer lies in [lo, hi).
        let (mut lo, mut hi) = (self.j - 1, self.m);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if Binom::<R>::new(mid, self.j).v <= *r {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        *self = Binom::new(lo, self.j);
    }
}

/// `sum_j C(c[j], j+1)` for ascending `c`.
pub fn colex_rank<R: RankInt>(c: &[u64]) -> R {
    let mut w = Binom::<R>::new(0, 1);
    let mut acc = R::from_u64(0);
    for &x in c {
        w.raise_m_to(x);
        acc = acc.add(&w.v);
        if (w.j as usize) < c.len() {
            w.inc_j();
        }
    }
    acc
}

/// The ascending k-combination of `0..n` with colex rank `r < C(n, k)`.
pub fn colex_unrank<R: RankInt>(r: &R, n: u64, out: &mut [u64]) {
    let k = out.len() as u64;
    if k == 0 {
        return;
    }
    let mut r = r.clone();
    let mut w = Binom::<R>::new(n - 1, k);
    for j in (0..out.len()).rev() {
        w.descend_to(&r);
        out[j] = w.m;
        r = r.sub(&w.v);
        if j > 0 {
            w.dec_j();
            w.dec_m();
        }
    }
}

/// Lex (itertools) rank: `C(n,k) - 1 - colex(n-1-c reversed)`.
pub fn lex_combination_rank<R: RankInt>(c: &[u64], n: u64, total: &R) -> R {
    let dual: Vec<u64> = c.iter().rev().map(|&x| n - 1 - x).collect();
    total.sub(&R::from_u64(1)).sub(&colex_rank::<R>(&dual))
}

pub fn lex_combination_unrank<R: RankInt>(r: &R, n: u64, total: &R, out: &mut [u64]) {
    let dual_rank = total.sub(&R::from_u64(1)).sub(r);
    colex_unrank(&dual_rank, n, out);
    out.reverse();
    for x in out.iter_mut() {
        *x = n - 1 - *x;
    }
}

/// Knuth's revolving-door rank (TAOCP 7.2.1.3): with `c_1 < ... < c_t`,
/// `sum_j (-1)^(t-j) (C(c_j + 1, j) - 1)`.
pub fn revolving_door_rank<R: RankInt>(c: &[u64]) -> R {
    let t = c.len();
    let mut w = Binom::<R>::new(0, 1);
    let (mut plus, mut minus) = (R::from_u64(0), R::from_u64(0));
    for (i, &x) in c.iter().enumerate() {
        w.raise_m_to(x + 1);
        let term = w.v.sub(&R::from_u64(1));
        if (t - 1 - i) % 2 == 0 {
            plus = plus.add(&term);
        } else {
            minus = minus.add(&term);
        }
        if i + 1 < t {
            w.inc_j();
        }
    }
    plus.sub(&minus)
}

/// Inverse of [`revolving_door_rank`]: `c_t` is the largest m with
/// `C(m, t) <= r`, then `r <- C(c_t + 1, t) - 1 - r` for the remaining t-1.
pub fn revolving_door_unrank<R: RankInt>(r: &R, n: u64, out: &mut [u64]) {
    let t = out.len() as u64;
    if t == 0 {
        return;
    }
    let mut r = r.clone();
    let mut w = Binom::<R>::new(n - 1, t);
    for j in (0..out.len()).rev() {
        w.descend_to(&r);
        let m = w.m;
        out[j] = m;
        let jj = j as u64 + 1;
        let next = if m + 1 == jj {
            R::from_u64(1)
        } else {
            w.v.mul_div(m + 1, m + 1 - jj)
        };
        r = next.sub(&R::from_u64(1)).sub(&r);
        if j > 0 {
            w.dec_j();
            w.dec_m();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;

    fn lex_combinations(n: u64, k: usize) -> Vec<Vec<u64>> {
        let mut out = vec![];
        let mut c: Vec<u64> = (0..k as u64).collect();
        if k as u64 > n {
            return out;
        }
        loop {
            out.push(c.clone());
            let Some(i) = (0..k).rev().find(|&i| c[i] < n - k as u64 + i as u64) else {
                return out;
            };
            c[i] += 1;
            for j in i + 1..k {
                c[j] = c[j - 1] + 1;
            }
        }
    }

    #[test]
    fn lex_and_colex_round_trip() {
        for n in 0..=8u64 {
            for k in 0..=n as usize {
                let all = lex_combinations(n, k);
                let total = all.len() as u64;
                let mut colex_seen = vec![false; all.len()];
                for (r, c) in all.iter().enumerate() {
                    assert_eq!(lex_combination_rank::<u64>(c, n, &total), r as u64);
                    let mut out = vec![0; k];
                    lex_combination_unrank::<u64>(&(r as u64), n, &total, &mut out);
                    assert_eq!(&out, c);
                    let cr = colex_rank::<u64>(c);
                    colex_seen[cr as usize] = true;
                    colex_unrank::<u64>(&cr, n, &mut out);
                    assert_eq!(&out, c);
                    let rd = revolving_door_rank::<BigUint>(c);
                    revolving_door_unrank::<BigUint>(&rd, n, &mut out);
                    assert_eq!(&out, c);
                }
                assert!(colex_seen.iter().all(|&s| s));
                // u64 ranks whose binomials pass C(n/2) on the way.
                let (n, k) = (69u64, 68usize);
                let c: Vec<u64> = (1..69).collect();
                let r = revolving_door_rank::<u64>(&c);
                let mut out = vec![0; k];
                revolving_door_unrank::<u64>(&r, n, &mut out);
                assert_eq!(out, c);
            }
        }
    }

    #[test]
    fn huge_n_costs_nothing_like_n() {
        // C(2^40, 2) ranks: walking m one step at a time would take 2^40 steps.
        let n = 1u64 << 40;
        let total = BigUint::from(n) * BigUint::from(n - 1) / 2u32;
        for c in [[0u64, 1], [5, n - 1], [n - 2, n - 1]] {
            let r = colex_rank::<BigUint>(&c);
            let mut out = [0u64; 2];
            colex_unrank(&r, n, &mut out);
            assert_eq!(out, c);
            let r = lex_combination_rank::<BigUint>(&c, n, &total);
            lex_combination_unrank(&r, n, &total, &mut out);
            assert_eq!(out, c);
            let r = revolving_door_rank::<BigUint>(&c);
            revolving_door_unrank(&r, n, &mut out);
            assert_eq!(out, c);
        }
        let expected = BigUint::from(n - 1) * BigUint::from(n - 2) / 2u32 + BigUint::from(5u32);
        assert_eq!(colex_rank::<BigUint>(&[5, n - 1]), expected);
    }
}
