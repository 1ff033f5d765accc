//! Sign flips of paired differences in binary-reflected Gray-code order.
//!
//! Relabelling `r` flips the signs where bit i of gray(r) = r ^ (r >> 1) is
//! set; step r -> r+1 flips exactly bit trailing_zeros(r+1), an O(1) update of
//! the signed sum. Starting anywhere is direct: no state beyond the rank.

use crate::{Error, Result};

pub struct SignFlips<'a> {
    scores: &'a [i128],
    rank: u64,
    flipped: u64,
    sum: i128,
}

impl<'a> SignFlips<'a> {
    pub fn at(scores: &'a [i128], rank: u64) -> Result<Self> {
        let n = scores.len();
        if n > 63 || (rank >> n) != 0 {
            return Err(Error::InvalidValue(format!(
                "rank {rank} is out of range for {n} pairs (at most 63 pairs)"
            )));
        }
        let flipped = rank ^ (rank >> 1);
        let sum = scores
            .iter()
            .enumerate()
            .map(|(i, &v)| if flipped >> i & 1 == 1 { -v } else { v })
            .sum();
        Ok(Self {
            scores,
            rank,
            flipped,
            sum,
        })
    }

    /// Sum of the scores with the current signs.
    #[inline]
    pub fn sum(&self) -> i128 {
        self.sum
    }

    /// Bit i set: pair i is swapped (its difference negated).
    pub fn flipped(&self) -> u64 {
        self.flipped
    }

    #[inline]
    pub fn advance(&mut self) {
        self.rank += 1;
        let bit = self.rank.trailing_zeros() as usize;
        if let Some(&v) = self.scores.get(bit) {
            self.flipped ^= 1 << bit;
            self.sum += if self.flipped >> bit & 1 == 1 {
                -2 * v
            } else {
                2 * v
            };
        }
    }
}

/// The signed sums of all 2^bits sign patterns of `scores[..bits]`, ascending.
pub fn sorted_low_sums(scores: &[i128], bits: usize) -> Vec<i128> {
    let mut sums = vec![0i128; 1 << bits];
    for (i, &v) in scores[..bits].iter().enumerate() {
        let half = 1usize << i;
        for j in 0..half {
            sums[half + j] = sums[j] - v;
            sums[j] += v;
        }
    }
    sums.sort_unstable();
    sums
}

/// Calls `visit(high_sum)` for each block of ranks h * 2^bits .. (h+1) * 2^bits,
/// h in `blocks`: every sign pattern of the low `bits` scores occurs once in a
/// block and the high scores carry the signs of gray(h), so a block's keys are
/// high_sum + each of `sorted_low_sums`.
pub fn for_each_block(
    scores: &[i128],
    bits: usize,
    blocks: std::ops::Range<u64>,
    mut visit: impl FnMut(i128),
) {
    let high = &scores[bits..];
    let Ok(mut walk) = SignFlips::at(high, blocks.start) else {
        return;
    };
    for h in blocks.clone() {
        visit(walk.sum());
        if h + 1 < blocks.end {
            walk.advance();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sign_pattern_once_and_sums_match() {
        let scores = [3i128, -5, 7, 11, 0];
        let mut walk = SignFlips::at(&scores, 0).unwrap();
        let mut seen = std::collections::HashSet::new();
        for r in 0..32u64 {
            let direct = SignFlips::at(&scores, r).unwrap();
            assert_eq!(walk.flipped(), direct.flipped());
            assert_eq!(walk.sum(), direct.sum());
            assert!(seen.insert(walk.flipped()));
            walk.advance();
        }
        assert!(SignFlips::at(&scores, 32).is_err());
    }
}
