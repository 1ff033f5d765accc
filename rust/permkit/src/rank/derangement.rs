//! Unranking derangements in lex order, by counting completions.
//!
//! After a prefix, the free positions P and the unused values R have equal
//! size m; the completions avoiding fixed points number
//! `f(m, j) = sum_i (-1)^i C(j, i) (m - i)!` where `j = |P ∩ R|`.

use super::RankInt;

fn completions<R: RankInt>(m: u64, j: u64) -> R {
    let mut term = R::from_u64(1);
    for x in 2..=m {
        term = term.mul_div(x, 1);
    }
    let (mut plus, mut minus) = (R::from_u64(0), R::from_u64(0));
    for i in 0..=j {
        if i % 2 == 0 {
            plus = plus.add(&term);
        } else {
            minus = minus.add(&term);
        }
        if i < j {
            // C(j, i+1) (m-i-1)! from C(j, i) (m-i)!, exact at each step.
            term = term.mul_div(j - i, i + 1).mul_div(1, m - i);
        }
    }
    plus.sub(&minus)
}

/// The derangement of `0..n` with lex rank `r` (callers check `r < D(n)`).
pub fn derangement_unrank<R: RankInt>(r: &R, out: &mut [usize]) {
    let n = out.len();
    let mut unused = vec![true; n];
    let mut r = r.clone();
    // Values still unused that are also free positions (positions > i are free).
    let mut overlap = n as u64;
    for i in 0..n {
        let m = (n - i - 1) as u64;
        // Position i leaves P; if value i is unused it stops counting too.
        let base = overlap - if unused[i] { 1 } else { 0 };
        // Choosing value v also removes v from the overlap when v > i.
        let f_keep: R = completions(m, base);
        let f_drop: R = if base > 0 {
            completions(m, base - 1)
        } else {
            R::from_u64(0)
        };
        for (v, is_unused) in unused.iter_mut().enumerate() {
            if !*is_unused || v == i {
                continue;
            }
            let f = if v > i { &f_drop } else { &f_keep };
            if r < *f {
                *is_unused = false;
                out[i] = v;
                overlap = if v > i { base - 1 } else { base };
                break;
            }
            r = r.sub(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrank_lists_derangements_in_lex_order() {
        for n in 0..=6usize {
            let mut expected = vec![];
            let mut p: Vec<usize> = (0..n).collect();
            loop {
                if p.iter().enumerate().all(|(i, &v)| i != v) {
                    expected.push(p.clone());
                }
                let Some(i) = (0..n.saturating_sub(1)).rev().find(|&i| p[i] < p[i + 1]) else {
                    break;
                };
                let j = (i + 1..n).rev().find(|&j| p[j] > p[i]).unwrap();
                p.swap(i, j);
                p[i + 1..].reverse();
            }
            for (r, d) in expected.iter().enumerate() {
                let mut out = vec![0; n];
                derangement_unrank(&(r as u64), &mut out);
                assert_eq!(&out, d, "n={n} r={r}");
            }
        }
    }
}
