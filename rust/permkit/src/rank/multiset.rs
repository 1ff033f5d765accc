//! Distinct permutations of a multiset in lex order. With `W` orderings of the
//! remaining `T` items, those starting with a value below `v` number
//! `W * (items below v) / T`: one Fenwick query and two multiply-divides per
//! position.

use super::{Fenwick, RankInt};

/// Rank of `seq` (values `< counts.len()`, using each value exactly
/// `counts[v]` times, which callers check).
pub fn multiset_rank<R: RankInt>(seq: &[usize], counts: &[u64], total: &R) -> R {
    let mut left = counts.to_vec();
    let mut below = Fenwick::from_weights(counts);
    let mut w = total.clone();
    let mut t = seq.len() as u64;
    let mut r = R::from_u64(0);
    for &v in seq {
        r = r.add(&w.mul_div(below.prefix(v), t));
        w = w.mul_div(left[v], t);
        left[v] -= 1;
        below.add(v, -1);
        t -= 1;
    }
    r
}

pub fn multiset_unrank<R: RankInt>(r: &R, counts: &[u64], total: &R, out: &mut [usize]) {
    let mut left = counts.to_vec();
    let mut below = Fenwick::from_weights(counts);
    let mut w = total.clone();
    let mut t = out.len() as u64;
    let mut r = r.clone();
    for o in out.iter_mut() {
        let q = r.floor_mul_div(t, &w);
        let v = below.select(q);
        r = r.sub(&w.mul_div(below.prefix(v), t));
        w = w.mul_div(left[v], t);
        left[v] -= 1;
        below.add(v, -1);
        t -= 1;
        *o = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_next_permutation_order() {
        let counts = [2u64, 1, 3];
        let total = crate::count::multiset_permutations_u64(&counts).unwrap();
        assert_eq!(total, 60);
        let mut seq = vec![0usize, 0, 1, 2, 2, 2];
        for r in 0..total {
            assert_eq!(multiset_rank(&seq, &counts, &total), r);
            let mut out = vec![0; 6];
            multiset_unrank(&r, &counts, &total, &mut out);
            assert_eq!(out, seq);
            // next permutation
            if let Some(i) = (0..5).rev().find(|&i| seq[i] < seq[i + 1]) {
                let j = (i + 1..6).rev().find(|&j| seq[j] > seq[i]).unwrap();
                seq.swap(i, j);
                seq[i + 1..].reverse();
            }
        }
    }
}
