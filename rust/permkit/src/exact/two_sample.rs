//! Two-sample splits counted by meet in the middle over revolving-door order
//! (Knuth 7.2.1.3; the walker is `enumerate::walkers::RevolvingDoor`).
//!
//! Knuth's order is Γ(n,t) = Γ(n-1,t), then Γ(n-1,t-1) reversed with n-1
//! added, so a run of ranks splits into blocks that share their high elements
//! and hold every subset of the low scores once.

use crate::count::combinations_u128;

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
    /// What stays fixed through the recursion.
    struct Walk<'a, F> {
        scores: &'a [i128],
        low: usize,
        range: &'a std::ops::Range<u128>,
        visit: &'a mut F,
    }

    impl<F: FnMut(Block)> Walk<'_, F> {
        /// Γ(n, t) (reversed or not) at rank `offset`, its high elements summing to `high_sum`.
        fn walk(&mut self, n: usize, t: usize, offset: u128, reversed: bool, high_sum: i128) {
            let len = combinations_u128(n as u64, t as u64).unwrap_or(0);
            if len == 0 || offset >= self.range.end || offset + len <= self.range.start {
                return;
            }
            if n <= self.low {
                (self.visit)(Block {
                    start: offset,
                    len,
                    size: t,
                    high_sum,
                });
                return;
            }
            let without = combinations_u128(n as u64 - 1, t as u64).unwrap_or(0);
            let with = len - without;
            let top = self.scores[n - 1];
            if reversed {
                if t > 0 {
                    self.walk(n - 1, t - 1, offset, false, high_sum + top);
                }
                self.walk(n - 1, t, offset + with, true, high_sum);
            } else {
                self.walk(n - 1, t, offset, false, high_sum);
                if t > 0 {
                    self.walk(n - 1, t - 1, offset + without, true, high_sum + top);
                }
            }
        }
    }

    Walk {
        scores,
        low,
        range,
        visit,
    }
    .walk(scores.len(), t, 0, false, 0);
}

#[cfg(test)]
mod tests {
    use super::super::engine::GroupSum;
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn group_sums_follow_every_split_once_with_one_swap_per_step() {
        for n in 0..=9usize {
            for t in 0..=n {
                let scores: Vec<i128> = (0..n as i128).map(|i| 1 << i).collect();
                let total = combinations_u128(n as u64, t as u64).unwrap();
                let mut walk = GroupSum::at(&scores, t, 0).unwrap();
                let mut seen = HashSet::new();
                for r in 0..total {
                    let m = walk.members().to_vec();
                    let direct = GroupSum::at(&scores, t, r).unwrap();
                    assert_eq!(direct.members(), m.as_slice(), "n={n} t={t} r={r}");
                    let sum: i128 = m.iter().map(|&i| scores[i]).sum();
                    assert_eq!(sum, direct.sum());
                    assert_eq!(walk.sum(), sum);
                    assert!(seen.insert(m));
                    if r + 1 < total {
                        let (out, inn) = walk.advance_swap();
                        assert!(walk.members().contains(&inn) && !walk.members().contains(&out));
                    }
                }
                assert_eq!(seen.len() as u128, total);
                assert!(GroupSum::at(&scores, t, total).is_err());
            }
        }
    }

    #[test]
    fn blocks_tile_the_ranks_with_the_right_keys() {
        let scores: Vec<i128> = vec![5, 1, 9, 2, 7, 7, 3, 8, 6];
        let low_sums = low_subset_sums(&scores, 4);
        for t in 0..=scores.len() {
            let total = combinations_u128(scores.len() as u64, t as u64).unwrap();
            let mut next = 0u128;
            let mut blocks = 0;
            for_each_block(&scores, t, 4, &(0..total), &mut |b: Block| {
                assert_eq!(b.start, next);
                next += b.len;
                blocks += 1;
                let mut walk = GroupSum::at(&scores, t, b.start).unwrap();
                let mut keys = Vec::new();
                for i in 0..b.len {
                    keys.push(walk.sum());
                    if i + 1 < b.len {
                        walk.advance_swap();
                    }
                }
                keys.sort_unstable();
                let expect: Vec<i128> = low_sums[b.size].iter().map(|&v| v + b.high_sum).collect();
                assert_eq!(keys, expect, "t={t} block at {}", b.start);
            });
            assert_eq!(next, total);
            assert!(blocks > 0);
        }
    }
}
