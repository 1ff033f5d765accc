//! Permutation orders as mixed-radix digit maps, each O(n log n) or better.
//!
//! - lex: Lehmer code `d[i]` = number of unused values below `p[i]`, radices
//!   `n, n-1, ..., n-k+1` (`k < n` gives k-arrangements in lex order).
//! - mr: Myrvold-Ruskey, exactly sympy's `rank_nonlex` (iterative, no recursion
//!   on n); digits `s_2 .. s_n`, radices `2 .. n`.
//! - sjt: Steinhaus-Johnson-Trotter plain changes, exactly sympy's
//!   `rank_trotterjohnson`; digits `k_2 .. k_n`, radices `2 .. n`.
//! - heap: the counters of the iterative Heap's algorithm; digits
//!   `c[n-1] .. c[1]`, radices `n .. 2` (so `rank = sum c[i] * i!`).

use super::fenwick::{Fenwick, Weight};
use super::RankInt;
use crate::PermIndex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermOrder {
    Lex,
    Mr,
    Sjt,
}

impl PermOrder {
    pub fn radices(self, n: usize) -> Vec<u64> {
        match self {
            PermOrder::Lex => (1..=n as u64).rev().collect(),
            PermOrder::Mr | PermOrder::Sjt => (2..=n as u64).collect(),
        }
    }

    /// Digits of a valid permutation `p`.
    pub fn digits(self, p: &[usize]) -> Vec<u64> {
        match self {
            PermOrder::Lex => lex_digits(p, p.len()),
            PermOrder::Mr => mr_digits(p),
            PermOrder::Sjt => sjt_digits(p),
        }
    }

    /// Writes the permutation with `digits` into `out` (length n).
    pub fn from_digits(self, digits: &[u64], out: &mut [usize]) {
        match self {
            PermOrder::Lex => lex_from_digits(digits, out.len(), out),
            PermOrder::Mr => mr_from_digits(digits, out),
            PermOrder::Sjt => sjt_from_digits(digits, out),
        }
    }
}

/// The Lehmer code of the permutation `p` of `0..p.len()`: `code[i]` is the
/// number of later values below `p[i]`, which is the number of values below
/// `p[i]` not used before position i: the lex digit of position i (radix
/// `n - i`). O(n log n): one right-to-left pass over a tree of seen values.
pub fn lehmer_code<T: PermIndex, D: PermIndex>(p: &[T], code: &mut [D]) {
    fn walk<W: Weight, T: PermIndex, D: PermIndex>(p: &[T], code: &mut [D]) {
        let mut seen = Fenwick::<W>::zeros(p.len());
        for (c, &v) in code.iter_mut().zip(p).rev() {
            let v = v.to_usize();
            *c = D::from_usize(seen.prefix(v).to_usize());
            seen.add(v, 1);
        }
    }
    if p.len() <= u32::MAX as usize {
        walk::<u32, T, D>(p, code);
    } else {
        walk::<u64, T, D>(p, code);
    }
}

/// Writes into `out` the first `out.len()` values of the arrangement of
/// `0..n` whose Lehmer code (lex digits) starts with `code` (`code[i] < n - i`,
/// which callers check). O(n + k log n).
pub fn from_lehmer_code<D: PermIndex, T: PermIndex>(code: &[D], n: usize, out: &mut [T]) {
    fn walk<W: Weight, D: PermIndex, T: PermIndex>(code: &[D], n: usize, out: &mut [T]) {
        let mut unused = Fenwick::<W>::ones(n);
        for (o, &d) in out.iter_mut().zip(code) {
            let v = unused.select(W::from_usize(d.to_usize()));
            unused.add(v, -1);
            *o = T::from_usize(v);
        }
    }
    if n <= u32::MAX as usize {
        walk::<u32, D, T>(code, n, out);
    } else {
        walk::<u64, D, T>(code, n, out);
    }
}

/// Lehmer digits of the `k = a.len()` distinct values `a` drawn from `0..n`.
///
/// O(k log k) time and O(k) memory whatever `n` is: a Fenwick tree over the
/// ranks of the values among themselves counts the earlier, smaller ones.
pub fn lex_digits(a: &[usize], n: usize) -> Vec<u64> {
    let mut digits = vec![0u64; a.len()];
    if a.len() == n {
        lehmer_code(a, &mut digits);
        return digits;
    }
    let mut sorted = a.to_vec();
    sorted.sort_unstable();
    let mut earlier = Fenwick::<u64>::zeros(a.len());
    for (d, &v) in digits.iter_mut().zip(a) {
        let pos = sorted.partition_point(|&x| x < v);
        *d = v as u64 - earlier.prefix(pos);
        earlier.add(pos, 1);
    }
    digits
}

/// The k-arrangement of `0..n` with Lehmer digits `digits` (k = `out.len()`).
///
/// Dense (`n <= 4k`): [`from_lehmer_code`]. Sparse: the digit is shifted past
/// the used values in ascending order, O(k) each, so memory is O(k) and time
/// O(k^2) whatever `n` is.
pub fn lex_from_digits(digits: &[u64], n: usize, out: &mut [usize]) {
    if n <= 4 * out.len() {
        from_lehmer_code(digits, n, out);
        return;
    }
    let mut used: Vec<usize> = Vec::with_capacity(out.len());
    for (o, &d) in out.iter_mut().zip(digits) {
        let mut v = d as usize;
        let mut at = 0;
        while at < used.len() && used[at] <= v {
            v += 1;
            at += 1;
        }
        used.insert(at, v);
        *o = v;
    }
}

/// Writes into `out` the k-arrangement of `0..n` (k = `out.len()`; the
/// permutation of rank `rank` when k = n) with lex rank `rank`, the order of
/// `itertools.permutations(range(n), k)`; false (and `out` untouched) when
/// `rank` is not below n!/(n-k)!. Any n: `R` is `u64` or `BigUint`.
pub fn unrank_lex<R: RankInt>(rank: &R, n: usize, out: &mut [usize]) -> bool {
    let radices: Vec<u64> = (0..out.len()).map(|i| (n - i) as u64).collect();
    match rank.to_digits(&radices) {
        Some(digits) => {
            lex_from_digits(&digits, n, out);
            true
        }
        None => false,
    }
}

pub fn mr_digits(p: &[usize]) -> Vec<u64> {
    let n = p.len();
    let mut perm = p.to_vec();
    let mut inv = vec![0; n];
    for (i, &v) in p.iter().enumerate() {
        inv[v] = i;
    }
    let mut digits = vec![0u64; n.saturating_sub(1)];
    // sympy's _rank1(m) for m = n, n-1, ..., 2 (m = 1 contributes nothing).
    for m in (2..=n).rev() {
        let s = perm[m - 1];
        let t = inv[m - 1];
        perm[m - 1] = perm[t];
        perm[t] = s;
        inv[m - 1] = inv[s];
        inv[s] = t;
        digits[m - 2] = s as u64;
    }
    digits
}

pub fn mr_from_digits(digits: &[u64], out: &mut [usize]) {
    let n = out.len();
    for (i, o) in out.iter_mut().enumerate() {
        *o = i;
    }
    for m in (2..=n).rev() {
        out.swap(m - 1, digits[m - 2] as usize);
    }
}

pub fn sjt_digits(p: &[usize]) -> Vec<u64> {
    let n = p.len();
    let mut pos = vec![0; n];
    for (i, &v) in p.iter().enumerate() {
        pos[v] = i;
    }
    let mut placed = Fenwick::<u64>::zeros(n);
    let mut digits = vec![0u64; n.saturating_sub(1)];
    let mut odd = false;
    for j in 0..n {
        if j > 0 {
            // sympy: k - 1 = number of smaller values left of j; the digit
            // reflects on the parity of the rank so far.
            let smaller_left = placed.prefix(pos[j]);
            let d = if odd {
                smaller_left
            } else {
                j as u64 - smaller_left
            };
            odd = (odd && (j + 1) % 2 == 1) ^ (d % 2 == 1);
            digits[j - 1] = d;
        }
        placed.add(pos[j], 1);
    }
    digits
}

pub fn sjt_from_digits(digits: &[u64], out: &mut [usize]) {
    let n = out.len();
    if n == 0 {
        return;
    }
    // Value j-1 is inserted at slot q[j] among the first j slots (sympy's
    // unrank_trotterjohnson); replaying insertions backwards on a set of free
    // slots gives final positions in O(n log n).
    let mut slot = vec![0u64; n];
    let mut odd = false;
    for j in 2..=n {
        let k = digits[j - 2];
        slot[j - 1] = if odd { k } else { j as u64 - 1 - k };
        odd = (odd && j % 2 == 1) ^ (k % 2 == 1);
    }
    let mut free = Fenwick::<u64>::ones(n);
    for v in (0..n).rev() {
        let at = free.select(slot[v]);
        free.add(at, -1);
        out[at] = v;
    }
}

/// Heap counters `c[1..n]` from digits `c[n-1], ..., c[1]`.
pub fn heap_digits(digits: &[u64], n: usize) -> Vec<usize> {
    let mut c = vec![0usize; n.max(1)];
    for (i, &d) in (1..n).rev().zip(digits) {
        c[i] = d as usize;
    }
    c
}

/// The array of Heap's algorithm after the steps counted by `c`.
///
/// Each round at level i runs the whole algorithm on the first i positions
/// (net effect `full_run_gather(i)`) then one swap at level i. Cost is
/// O(sum c[i] * i) = O(n^3) in the worst case, paid once per block.
pub fn heap_state_from_digits(c: &[usize], out: &mut [usize]) {
    let n = out.len();
    for (i, o) in out.iter_mut().enumerate() {
        *o = i;
    }
    let mut scratch = vec![0usize; n];
    for i in (1..n).rev() {
        for t in 0..c[i] {
            full_run_gather(&mut out[..i], &mut scratch);
            if i % 2 == 0 {
                out.swap(0, i);
            } else {
                out.swap(t, i);
            }
        }
    }
}

/// Applies the net effect of a complete run of Heap's algorithm on `a`
/// (length m): for odd m >= 3 positions 0 and m-1 swap; for even m >= 4 the
/// result is `[a[m-3], a[m-2], a[1], ..., a[m-4], a[m-1], a[0]]`.
fn full_run_gather(a: &mut [usize], scratch: &mut [usize]) {
    let m = a.len();
    match m {
        0 | 1 => {}
        2 => a.swap(0, 1),
        _ if m % 2 == 1 => a.swap(0, m - 1),
        _ => {
            let s = &mut scratch[..m];
            s.copy_from_slice(a);
            a[0] = s[m - 3];
            a[1] = s[m - 2];
            a[2..m - 2].copy_from_slice(&s[1..m - 3]);
            a[m - 2] = s[m - 1];
            a[m - 1] = s[0];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heap_sequence(n: usize) -> Vec<Vec<usize>> {
        let mut a: Vec<usize> = (0..n).collect();
        let mut c = vec![0; n];
        let mut out = vec![a.clone()];
        let mut i = 1;
        while i < n {
            if c[i] < i {
                if i % 2 == 0 {
                    a.swap(0, i)
                } else {
                    a.swap(c[i], i)
                }
                out.push(a.clone());
                c[i] += 1;
                i = 1;
            } else {
                c[i] = 0;
                i += 1;
            }
        }
        out
    }

    #[test]
    fn heap_state_matches_simulation() {
        for n in 0..=7usize {
            let radices: Vec<u64> = (2..=n as u64).rev().collect();
            for (r, expected) in heap_sequence(n).iter().enumerate() {
                let digits = crate::rank::RankInt::to_digits(&(r as u64), &radices).unwrap();
                let mut out = vec![0; n];
                heap_state_from_digits(&heap_digits(&digits, n), &mut out);
                assert_eq!(&out, expected, "n={n} r={r}");
            }
        }
    }

    #[test]
    fn digit_maps_round_trip() {
        for order in [PermOrder::Lex, PermOrder::Mr, PermOrder::Sjt] {
            for n in 0..=6usize {
                let radices = order.radices(n);
                let total: u64 = (1..=n as u64).product();
                let mut seen = std::collections::HashSet::new();
                for r in 0..total {
                    let digits = crate::rank::RankInt::to_digits(&r, &radices).unwrap();
                    let mut p = vec![0; n];
                    order.from_digits(&digits, &mut p);
                    assert_eq!(order.digits(&p), digits, "{order:?} n={n} r={r}");
                    assert!(seen.insert(p));
                }
            }
        }
    }
}
