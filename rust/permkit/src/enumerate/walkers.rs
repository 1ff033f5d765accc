//! Successor kernels: each walker holds one member and steps to the next in
//! O(1) amortized time, reporting the change it made.
//!
//! These are the only implementations of their orders: the enumeration
//! ([`super::fill`]) writes their rows, and the exact tests
//! (`exact::engine`, `exact::rows`) start them at any rank and update the
//! statistic's key from the reported change (revolving door: two-sample
//! splits; plain changes: pairings; multiset lex order: k-sample labels).

use crate::rank::{
    derangement_unrank, heap_digits, heap_state_from_digits, multiset_unrank,
    revolving_door_unrank, sjt_from_digits, RankInt,
};
use num_bigint::BigUint;

pub trait Walker: Send {
    /// The current member.
    fn row(&self) -> &[usize];
    /// Steps to the next member; returns the change: positions swapped
    /// (heap, sjt), element leaving and entering (revolving door), or the
    /// Algorithm L step `(i, j)` (whole permutations and multisets); `(0, 0)`
    /// after the last member and for kinds without a change stream.
    fn advance(&mut self) -> (usize, usize);
}

/// Algorithm L: steps `a` to the next permutation in lex order of `key`
/// (repeated values allowed, so multisets too). Returns `(i, j)`: `a[i]` and
/// `a[j]` (`i < j`) were swapped, then `a[i+1..]` reversed; `None`, with `a`
/// unchanged, after the last permutation.
pub fn next_permutation<T: Copy>(a: &mut [T], key: impl Fn(T) -> usize) -> Option<(usize, usize)> {
    let n = a.len();
    let i = (0..n.saturating_sub(1))
        .rev()
        .find(|&i| key(a[i]) < key(a[i + 1]))?;
    let mut j = n - 1;
    while key(a[j]) <= key(a[i]) {
        j -= 1;
    }
    a.swap(i, j);
    a[i + 1..].reverse();
    Some((i, j))
}

/// Algorithm L (next permutation) on `a`, whose first `k` entries are the
/// member; the rest stay ascending. Handles repeated values (multisets).
pub struct NextPermutation {
    pub a: Vec<usize>,
    pub k: usize,
}

impl NextPermutation {
    /// The arrangement of the multiset with `counts[v]` copies of value `v`
    /// of lex rank `rank`, or `None` when `rank` is not below their number.
    pub fn seek_multiset(counts: &[u64], rank: u128) -> Option<Self> {
        let total = crate::count::multiset_permutations_u128(counts)?;
        if rank >= total {
            return None;
        }
        let mut a = vec![0; counts.iter().sum::<u64>() as usize];
        // u64 arithmetic when every rank fits (the common case), else big integers.
        match u64::try_from(total) {
            Ok(total) => multiset_unrank(&(rank as u64), counts, &total, &mut a),
            Err(_) => multiset_unrank(&BigUint::from(rank), counts, &BigUint::from(total), &mut a),
        }
        let k = a.len();
        Some(NextPermutation { a, k })
    }
}

impl Walker for NextPermutation {
    fn row(&self) -> &[usize] {
        &self.a[..self.k]
    }
    /// For whole permutations (`k == a.len()`) the change is `(i, j)` of
    /// [`next_permutation`], and `(0, 0)` after the last one; arrangements
    /// report `(0, 0)`.
    fn advance(&mut self) -> (usize, usize) {
        let whole = self.k == self.a.len();
        if !whole {
            // Arrangements: making the unused tail descending turns the
            // next full permutation into the next k-prefix.
            self.a[self.k..].reverse();
        }
        match next_permutation(&mut self.a, |v| v) {
            Some(change) if whole => change,
            _ => (0, 0),
        }
    }
}

/// Lex k-arrangements of `0..n` when `n` is far larger than `k`: holds only
/// the `k` values (O(k) memory), and each step costs O(k^2) at most,
/// independent of `n` (Algorithm L over the full `0..n` would cost O(n)).
pub struct SparseArrangement {
    pub a: Vec<usize>,
    pub n: usize,
}

impl Walker for SparseArrangement {
    fn row(&self) -> &[usize] {
        &self.a
    }
    fn advance(&mut self) -> (usize, usize) {
        let (a, n) = (&mut self.a, self.n);
        // The rightmost position that can take a larger value unused before it.
        for i in (0..a.len()).rev() {
            let mut c = a[i] + 1;
            while c < n && a[..i].contains(&c) {
                c += 1;
            }
            if c < n {
                a[i] = c;
                // The rest: the smallest values still unused, ascending.
                let mut v = 0;
                for j in i + 1..a.len() {
                    while a[..j].contains(&v) {
                        v += 1;
                    }
                    a[j] = v;
                    v += 1;
                }
                break;
            }
        }
        (0, 0)
    }
}

/// Heap's algorithm, iterative form: counters `c[i] <= i`.
pub struct Heap {
    pub a: Vec<usize>,
    pub c: Vec<usize>,
}

impl Heap {
    pub fn seek(n: usize, rank: &BigUint) -> Option<Self> {
        let radices: Vec<u64> = (2..=n as u64).rev().collect();
        let c = heap_digits(&rank.to_digits(&radices)?, n);
        let mut a = vec![0; n];
        heap_state_from_digits(&c, &mut a);
        Some(Heap { a, c })
    }
}

impl Walker for Heap {
    fn row(&self) -> &[usize] {
        &self.a
    }
    fn advance(&mut self) -> (usize, usize) {
        let mut i = 1;
        while i < self.a.len() {
            if self.c[i] < i {
                let x = if i % 2 == 0 { 0 } else { self.c[i] };
                self.a.swap(x, i);
                self.c[i] += 1;
                return (x, i);
            }
            self.c[i] = 0;
            i += 1;
        }
        (0, 0)
    }
}

/// Plain changes, Knuth's Algorithm P (TAOCP 7.2.1.2), 1-based `c`, `o`.
pub struct Sjt {
    pub a: Vec<usize>,
    c: Vec<i64>,
    o: Vec<i64>,
}

impl Sjt {
    pub fn seek(n: usize, rank: &BigUint) -> Option<Self> {
        let radices: Vec<u64> = (2..=n as u64).collect();
        let digits = rank.to_digits(&radices)?;
        let mut a = vec![0; n];
        sjt_from_digits(&digits, &mut a);
        let mut c = vec![0i64; n + 1];
        let mut o = vec![1i64; n + 1];
        let mut odd = false;
        for j in 2..=n {
            let k = digits[j - 2] as i64;
            // Element j moves left while the higher digits' value is even.
            if odd {
                c[j] = j as i64 - 1 - k;
                o[j] = -1;
            } else {
                c[j] = k;
            }
            odd = (odd && j % 2 == 1) ^ (k % 2 == 1);
        }
        Some(Sjt { a, c, o })
    }
}

impl Walker for Sjt {
    #[inline]
    fn row(&self) -> &[usize] {
        &self.a
    }
    /// Returns the adjacent positions swapped, `(p, p + 1)`.
    #[inline]
    fn advance(&mut self) -> (usize, usize) {
        let mut j = self.a.len();
        let mut s = 0usize;
        while j >= 1 {
            let q = self.c[j] + self.o[j];
            if q < 0 {
                self.o[j] = -self.o[j];
            } else if q == j as i64 {
                s += 1;
                self.o[j] = -self.o[j];
            } else {
                // Element j moves one place: positions j-c-1+s and j-q-1+s swap.
                let p = j + s - 1 - self.c[j].max(q) as usize;
                self.a.swap(p, p + 1);
                self.c[j] = q;
                return (p, p + 1);
            }
            j -= 1;
        }
        (0, 0)
    }
}

/// Lex combinations (itertools order).
pub struct CombLex {
    pub c: Vec<usize>,
    pub n: usize,
}

impl Walker for CombLex {
    fn row(&self) -> &[usize] {
        &self.c
    }
    fn advance(&mut self) -> (usize, usize) {
        let k = self.c.len();
        if let Some(i) = (0..k).rev().find(|&i| self.c[i] < self.n - k + i) {
            self.c[i] += 1;
            for j in i + 1..k {
                self.c[j] = self.c[j - 1] + 1;
            }
        }
        (0, 0)
    }
}

/// Colex combinations; `c[k] == n` is a sentinel.
pub struct CombColex {
    pub c: Vec<usize>,
}

impl Walker for CombColex {
    fn row(&self) -> &[usize] {
        &self.c[..self.c.len() - 1]
    }
    fn advance(&mut self) -> (usize, usize) {
        let k = self.c.len() - 1;
        if let Some(j) = (0..k).find(|&j| self.c[j] + 1 < self.c[j + 1]) {
            self.c[j] += 1;
            for (i, x) in self.c[..j].iter_mut().enumerate() {
                *x = i;
            }
        }
        (0, 0)
    }
}

/// Knuth's Algorithm R (TAOCP 7.2.1.3), 1-based `c[1..=t]`, `c[t+1] = n`.
pub struct RevolvingDoor {
    pub c: Vec<usize>,
}

impl RevolvingDoor {
    pub fn new(ascending: &[usize], n: usize) -> Self {
        let mut c = vec![0];
        c.extend_from_slice(ascending);
        c.push(n);
        c.push(0); // read only by the step after the last combination
        RevolvingDoor { c }
    }

    /// The `t`-subset of `0..n` of revolving-door rank `rank`, or `None`
    /// when `rank` is not below `C(n, t)`.
    pub fn seek(n: usize, t: usize, rank: u128) -> Option<Self> {
        let total = crate::count::combinations_u128(n as u64, t as u64)?;
        if rank >= total {
            return None;
        }
        let mut c = vec![0u64; t];
        // u64 arithmetic when every rank fits (the common case), else big integers.
        match u64::try_from(total) {
            Ok(_) => revolving_door_unrank(&(rank as u64), n as u64, &mut c),
            Err(_) => revolving_door_unrank(&BigUint::from(rank), n as u64, &mut c),
        }
        let members: Vec<usize> = c.iter().map(|&x| x as usize).collect();
        Some(RevolvingDoor::new(&members, n))
    }
}

impl Walker for RevolvingDoor {
    fn row(&self) -> &[usize] {
        &self.c[1..self.c.len() - 2]
    }
    /// Returns (element leaving, element entering); `(0, 0)` after the last
    /// subset, and for `t == 0`.
    fn advance(&mut self) -> (usize, usize) {
        let c = &mut self.c;
        let t = c.len() - 3;
        if t == 0 {
            return (0, 0);
        }
        let mut j = 2;
        let mut decrease = t % 2 == 1;
        if t % 2 == 1 {
            if c[1] + 1 < c[2] {
                c[1] += 1;
                return (c[1] - 1, c[1]);
            }
        } else if c[1] > 0 {
            c[1] -= 1;
            return (c[1] + 1, c[1]);
        }
        while j <= t + 1 {
            if decrease {
                if c[j] >= j {
                    let out = c[j];
                    c[j] = c[j - 1];
                    c[j - 1] = j - 2;
                    return (out, j - 2);
                }
                j += 1;
                decrease = false;
            } else {
                if c[j] + 1 < c[j + 1] {
                    c[j - 1] = c[j];
                    c[j] += 1;
                    return (j - 2, c[j]);
                }
                j += 1;
                if j > t {
                    break;
                }
                decrease = true;
            }
        }
        (0, 0)
    }
}

/// Derangements in lex order: the next derangement changes the shortest
/// suffix that can still be completed without fixed points.
pub struct Derangements {
    pub a: Vec<usize>,
    /// Ascending values of the suffix being rebuilt (reused, never reallocated).
    suffix: Vec<usize>,
}

impl Derangements {
    pub fn seek(n: usize, rank: &BigUint) -> Self {
        let mut a = vec![0; n];
        derangement_unrank(rank, &mut a);
        Derangements {
            a,
            suffix: Vec::with_capacity(n),
        }
    }
}

impl Walker for Derangements {
    fn row(&self) -> &[usize] {
        &self.a
    }
    fn advance(&mut self) -> (usize, usize) {
        let n = self.a.len();
        if n < 2 {
            return (0, 0);
        }
        let suffix = &mut self.suffix;
        suffix.clear();
        suffix.push(self.a[n - 1]);
        for i in (0..n - 1).rev() {
            let cur = self.a[i];
            let at = suffix.partition_point(|&v| v < cur);
            suffix.insert(at, cur);
            // Candidates for position i: larger suffix values, ascending.
            for idx in at + 1..suffix.len() {
                let v = suffix[idx];
                if v == i {
                    continue;
                }
                // Left over after v: one value for the last position, which
                // must not be n-1.
                if suffix.len() == 2 && suffix[1 - idx] == n - 1 {
                    continue;
                }
                suffix.remove(idx);
                self.a[i] = v;
                fill_smallest(&mut self.a[i + 1..], i + 1, suffix, n);
                return (0, 0);
            }
        }
        (0, 0)
    }
}

/// Writes the lex-smallest fixed-point-free assignment of the ascending
/// `values` to positions `first..n`; one exists (callers checked).
fn fill_smallest(out: &mut [usize], first: usize, values: &mut Vec<usize>, n: usize) {
    for (p, o) in (first..).zip(out.iter_mut()) {
        let pick = (0..values.len())
            .find(|&idx| {
                let v = values[idx];
                v != p && !(values.len() == 2 && values[1 - idx] == n - 1)
            })
            .unwrap_or(0);
        *o = values.remove(pick);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiset_walk_matches_seek_and_replays_its_changes() {
        for counts in [
            vec![2u64, 1, 3],
            vec![1, 1, 1, 1],
            vec![4],
            vec![0, 2, 2],
            vec![],
        ] {
            let total = crate::count::multiset_permutations_u128(&counts).unwrap();
            let mut walk = NextPermutation::seek_multiset(&counts, 0).unwrap();
            for r in 0..total {
                let direct = NextPermutation::seek_multiset(&counts, r).unwrap();
                assert_eq!(walk.row(), direct.row(), "{counts:?} r={r}");
                let mut replay = walk.row().to_vec();
                let (i, j) = walk.advance();
                if r + 1 < total {
                    assert!(i < j);
                    replay.swap(i, j);
                    replay[i + 1..].reverse();
                    assert!(replay.as_slice() > direct.row());
                    assert_eq!(replay, walk.row());
                } else {
                    assert_eq!((i, j), (0, 0), "no change after the last");
                    assert_eq!(walk.row(), direct.row());
                }
            }
            assert!(NextPermutation::seek_multiset(&counts, total).is_none());
        }
    }

    #[test]
    fn revolving_door_seek_matches_the_walk() {
        for n in 0..=8usize {
            for t in 0..=n {
                let total = crate::count::combinations_u128(n as u64, t as u64).unwrap();
                let mut walk = RevolvingDoor::seek(n, t, 0).unwrap();
                for r in 0..total {
                    let direct = RevolvingDoor::seek(n, t, r).unwrap();
                    assert_eq!(walk.row(), direct.row(), "n={n} t={t} r={r}");
                    let before = walk.row().to_vec();
                    let (out, inn) = walk.advance();
                    if r + 1 < total {
                        assert!(before.contains(&out) && !before.contains(&inn));
                        assert!(walk.row().contains(&inn) && !walk.row().contains(&out));
                    }
                }
                assert!(RevolvingDoor::seek(n, t, total).is_none());
            }
        }
    }

    #[test]
    fn next_permutation_stops_after_the_last() {
        let mut a = [3u8, 2, 2, 1];
        assert_eq!(next_permutation(&mut a, |v| v as usize), None);
        assert_eq!(a, [3, 2, 2, 1]);
        let mut b = [1u8, 2, 2, 3];
        assert_eq!(next_permutation(&mut b, |v| v as usize), Some((2, 3)));
        assert_eq!(b, [1, 2, 3, 2]);
        let mut empty: [u8; 0] = [];
        assert_eq!(next_permutation(&mut empty, |v| v as usize), None);
    }
}
