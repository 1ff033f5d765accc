//! Two-sample splits in revolving-door order (Knuth 7.2.1.3, Algorithm R).
//!
//! Consecutive combinations differ by one element out and one in, so the
//! group-1 sum changes in O(1) per step. The order is Knuth's
//! Γ(n,t) = Γ(n-1,t), then Γ(n-1,t-1) reversed with n-1 added, which gives
//! direct unranking: a worker starts anywhere and then steps with Algorithm R.

use super::binomial;
use crate::{Error, Result};

/// The t-subsets of 0..n in revolving-door order, with the sum of `scores` over the subset.
pub struct RevolvingDoor<'a> {
    scores: &'a [i128],
    /// 1-based: c[1] < ... < c[t] are the members, c[t+1] = n is a sentinel.
    c: Vec<usize>,
    t: usize,
    sum: i128,
}

/// The subset of rank `rank` (0-based) in revolving-door order, ascending.
pub fn unrank(n: usize, t: usize, rank: u128) -> Result<Vec<usize>> {
    let total =
        binomial(n as u64, t as u64).ok_or_else(|| Error::Overflow("too many splits".into()))?;
    if t > n || rank >= total {
        return Err(Error::InvalidValue(format!(
            "rank {rank} is out of range 0..{total}"
        )));
    }
    let (mut n, mut t, mut r) = (n, t, rank);
    let mut members = Vec::with_capacity(t);
    while t > 0 && t < n {
        let without_last = binomial(n as u64 - 1, t as u64).unwrap_or(u128::MAX);
        if r < without_last {
            n -= 1;
        } else {
            members.push(n - 1);
            let with_last = binomial(n as u64 - 1, t as u64 - 1).unwrap_or(u128::MAX);
            r = with_last - 1 - (r - without_last);
            n -= 1;
            t -= 1;
        }
    }
    if t == n {
        members.extend(0..n);
    }
    members.sort_unstable();
    Ok(members)
}

impl<'a> RevolvingDoor<'a> {
    /// Starts at the subset of rank `rank` of size `t` of 0..scores.len().
    pub fn at(scores: &'a [i128], t: usize, rank: u128) -> Result<Self> {
        let n = scores.len();
        let members = unrank(n, t, rank)?;
        let mut c = Vec::with_capacity(t + 2);
        c.push(0);
        c.extend_from_slice(&members);
        c.push(n);
        let sum = members.iter().map(|&i| scores[i]).sum();
        Ok(Self { scores, c, t, sum })
    }

    /// Sum of the scores of the current subset.
    #[inline]
    pub fn sum(&self) -> i128 {
        self.sum
    }

    /// Members of the current subset, ascending.
    pub fn members(&self) -> &[usize] {
        &self.c[1..=self.t]
    }

    /// Steps to the next subset (no-op after the last one).
    #[inline]
    pub fn advance(&mut self) {
        self.advance_swap();
    }

    /// Steps to the next subset; returns (element removed, element added).
    #[inline]
    pub fn advance_swap(&mut self) -> Option<(usize, usize)> {
        let swap = self.step();
        if let Some((out, inn)) = swap {
            self.sum += self.scores[inn] - self.scores[out];
        }
        swap
    }

    /// Algorithm R, steps R3-R5: returns (element removed, element added).
    #[inline]
    fn step(&mut self) -> Option<(usize, usize)> {
        let t = self.t;
        if t == 0 {
            return None;
        }
        let c = &mut self.c;
        let mut j = 2;
        let mut try_decrease = if t % 2 == 1 {
            if c[1] + 1 < c[2] {
                c[1] += 1;
                return Some((c[1] - 1, c[1]));
            }
            true
        } else {
            if c[1] > 0 {
                c[1] -= 1;
                return Some((c[1] + 1, c[1]));
            }
            false
        };
        while j <= t {
            if try_decrease {
                // Here c[j] == c[j-1] + 1.
                if c[j] >= j {
                    let out = c[j];
                    c[j] = c[j - 1];
                    c[j - 1] = j - 2;
                    return Some((out, j - 2));
                }
                j += 1;
                if j > t {
                    return None;
                }
            }
            // Here c[j-1] == j - 2.
            if c[j] + 1 < c[j + 1] {
                c[j - 1] = c[j];
                c[j] += 1;
                return Some((j - 2, c[j]));
            }
            j += 1;
            try_decrease = true;
        }
        None
    }
}

/// Sums of every subset of `scores[..low]`, grouped by subset size and sorted.
pub fn low_subset_sums(scores: &[i128], low: usize) -> Vec<Vec<i128>> {
    let mut sums = vec![0i128; 1 << low];
    let mut by_size = vec![Vec::new(); low + 1];
    for mask in 0usize..1 << low {
        if mask > 0 {
            sums[mask] = sums[mask & (mask - 1)] + scores[mask.trailing_zeros() as usize];
        }
        by_size[mask.count_ones() as usize].push(sums[mask]);
    }
    for v in &mut by_size {
        v.sort_unstable();
    }
    by_size
}

/// A contiguous run of ranks in revolving-door order whose subsets share their
/// elements >= `low` (summing to `high_sum`) and contain every `size`-subset of
/// 0..low once.
pub struct Block {
    pub start: u128,
    pub len: u128,
    pub size: usize,
    pub high_sum: i128,
}

/// Calls `visit` with the blocks of Γ(n, t) overlapping `range`, in rank order.
/// Γ(n,t) = Γ(n-1,t), then Γ(n-1,t-1) reversed with n-1 added; reversing swaps
/// the two parts, so only the order of the parts depends on a reversal flag.
pub fn for_each_block(
    scores: &[i128],
    t: usize,
    low: usize,
    range: &std::ops::Range<u128>,
    visit: &mut impl FnMut(Block),
) {
    #[allow(clippy::too_many_arguments)]
    fn walk(
        scores: &[i128],
        n: usize,
        t: usize,
        low: usize,
        offset: u128,
        reversed: bool,
        high_sum: i128,
        range: &std::ops::Range<u128>,
        visit: &mut impl FnMut(Block),
    ) {
        let len = binomial(n as u64, t as u64).unwrap_or(0);
        if len == 0 || offset >= range.end || offset + len <= range.start {
            return;
        }
        if n <= low {
            visit(Block {
                start: offset,
                len,
                size: t,
                high_sum,
            });
            return;
        }
        let without = binomial(n as u64 - 1, t as u64).unwrap_or(0);
        let with = len - without;
        let top = scores[n - 1];
        if reversed {
            if t > 0 {
                walk(
                    scores,
                    n - 1,
                    t - 1,
                    low,
                    offset,
                    false,
                    high_sum + top,
                    range,
                    visit,
                );
            }
            walk(
                scores,
                n - 1,
                t,
                low,
                offset + with,
                true,
                high_sum,
                range,
                visit,
            );
        } else {
            walk(scores, n - 1, t, low, offset, false, high_sum, range, visit);
            if t > 0 {
                walk(
                    scores,
                    n - 1,
                    t - 1,
                    low,
                    offset + without,
                    true,
                    high_sum + top,
                    range,
                    visit,
                );
            }
        }
    }
    walk(scores, scores.len(), t, low, 0, false, 0, range, visit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn visits_every_subset_once_with_one_swap_per_step_matching_unrank() {
        for n in 0..=9usize {
            for t in 0..=n {
                let scores: Vec<i128> = (0..n as i128).map(|i| 1 << i).collect();
                let total = binomial(n as u64, t as u64).unwrap();
                let mut walk = RevolvingDoor::at(&scores, t, 0).unwrap();
                let mut seen = HashSet::new();
                let mut prev: Option<Vec<usize>> = None;
                for r in 0..total {
                    let m = walk.members().to_vec();
                    assert_eq!(m, unrank(n, t, r).unwrap(), "n={n} t={t} r={r}");
                    assert_eq!(walk.sum(), m.iter().map(|&i| scores[i]).sum::<i128>());
                    if let Some(p) = prev {
                        let common = p.iter().filter(|x| m.contains(x)).count();
                        assert_eq!(common + 1, t, "one swap per step");
                    }
                    assert!(seen.insert(m.clone()));
                    prev = Some(m);
                    walk.advance();
                }
                assert_eq!(seen.len() as u128, total);
            }
        }
    }

    #[test]
    fn blocks_tile_the_ranks_with_the_right_keys() {
        let scores: Vec<i128> = vec![5, 1, 9, 2, 7, 7, 3, 8, 6];
        let low_sums = low_subset_sums(&scores, 4);
        for t in 0..=scores.len() {
            let total = binomial(scores.len() as u64, t as u64).unwrap();
            let mut next = 0u128;
            let mut blocks = 0;
            for_each_block(&scores, t, 4, &(0..total), &mut |b: Block| {
                assert_eq!(b.start, next);
                next += b.len;
                blocks += 1;
                let mut walk = RevolvingDoor::at(&scores, t, b.start).unwrap();
                let mut keys = Vec::new();
                for _ in 0..b.len {
                    keys.push(walk.sum());
                    walk.advance();
                }
                keys.sort_unstable();
                let expect: Vec<i128> = low_sums[b.size].iter().map(|&v| v + b.high_sum).collect();
                assert_eq!(keys, expect, "t={t} block at {}", b.start);
            });
            assert_eq!(next, total);
            assert!(blocks > 0);
        }
    }

    #[test]
    fn out_of_range_rank_is_an_error() {
        assert!(unrank(5, 2, 10).is_err());
        assert!(unrank(3, 4, 0).is_err());
    }
}
