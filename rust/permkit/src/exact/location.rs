//! Order statistics of pairwise differences and Walsh averages, for the
//! Hodges-Lehmann estimate and the exact Wilcoxon confidence interval
//! (spec: docs/exact_tests.md). Nothing of size m * n is materialised: the
//! k-th smallest value is found by bisection over the ordered bit patterns of
//! f64, counting the values at most a candidate in O(m + n) with two pointers.
//! Every count uses the same floating-point expression as the value it
//! describes, so the answer is exactly one of the values (x_i - y_j, or
//! (d_i + d_j) / 2), computed as IEEE arithmetic computes it.

use crate::{Error, Result};

/// f64 -> u64 preserving order (finite values and infinities).
fn ordered(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

fn unordered(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// The smallest value v among the candidates with count(v) >= k.
fn select(k: u64, lo: f64, hi: f64, count: impl Fn(f64) -> u64) -> f64 {
    let (mut a, mut b) = (ordered(lo), ordered(hi));
    // Invariant: count(unordered(b)) >= k; the answer is in [a, b].
    while a < b {
        let mid = a + (b - a) / 2;
        if count(unordered(mid)) >= k {
            b = mid;
        } else {
            a = mid + 1;
        }
    }
    unordered(b)
}

fn check_sorted(v: &[f64], what: &str) -> Result<()> {
    if v.iter().any(|x| !x.is_finite()) || v.windows(2).any(|w| w[0] > w[1]) {
        return Err(Error::InvalidValue(format!(
            "{what} must be finite and sorted ascending"
        )));
    }
    Ok(())
}

/// The k-th smallest (1-based) of the m * n differences x_i - y_j (x, y sorted ascending).
pub fn kth_difference(x: &[f64], y: &[f64], k: u64) -> Result<f64> {
    check_sorted(x, "x")?;
    check_sorted(y, "y")?;
    let total = x.len() as u64 * y.len() as u64;
    if k == 0 || k > total {
        return Err(Error::InvalidValue(format!(
            "k={k} is out of range 1..={total}"
        )));
    }
    // #{(i, j): x_i - y_j <= t}: for each i a suffix of j, moving right as i grows.
    let count = |t: f64| -> u64 {
        let mut j = 0usize;
        let mut c = 0u64;
        for &xi in x {
            while j < y.len() && xi - y[j] > t {
                j += 1;
            }
            c += (y.len() - j) as u64;
        }
        c
    };
    let lo = x[0] - y[y.len() - 1];
    let hi = x[x.len() - 1] - y[0];
    Ok(select(k, lo, hi, count))
}

/// The k-th smallest (1-based) of the n (n + 1) / 2 Walsh averages (d_i + d_j) / 2, i <= j (d sorted).
pub fn kth_walsh(d: &[f64], k: u64) -> Result<f64> {
    check_sorted(d, "d")?;
    let n = d.len() as u64;
    let total = n * (n + 1) / 2;
    if k == 0 || k > total {
        return Err(Error::InvalidValue(format!(
            "k={k} is out of range 1..={total}"
        )));
    }
    // #{i <= j: (d_i + d_j) / 2 <= t}: for each i the j in i..hi(i), hi falling as i grows.
    let count = |t: f64| -> u64 {
        let mut hi = d.len();
        let mut c = 0u64;
        for i in 0..d.len() {
            while hi > i && (d[i] + d[hi - 1]) / 2.0 > t {
                hi -= 1;
            }
            if hi <= i {
                break;
            }
            c += (hi - i) as u64;
        }
        c
    };
    Ok(select(k, d[0], d[d.len() - 1], count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_sorting_all_values() {
        let x = [-1.5, 0.0, 0.25, 2.0, 2.0, 7.5];
        let y = [-3.0, 0.25, 1.0, 1.0];
        let mut all: Vec<f64> = x
            .iter()
            .flat_map(|a| y.iter().map(move |b| a - b))
            .collect();
        all.sort_by(f64::total_cmp);
        for k in 1..=all.len() as u64 {
            assert_eq!(kth_difference(&x, &y, k).unwrap(), all[k as usize - 1]);
        }
        let mut w = Vec::new();
        for i in 0..x.len() {
            for j in i..x.len() {
                w.push((x[i] + x[j]) / 2.0);
            }
        }
        w.sort_by(f64::total_cmp);
        for k in 1..=w.len() as u64 {
            assert_eq!(kth_walsh(&x, k).unwrap(), w[k as usize - 1]);
        }
        assert!(kth_walsh(&x, 0).is_err());
        assert!(kth_difference(&[1.0, 0.0], &y, 1).is_err());
    }
}
