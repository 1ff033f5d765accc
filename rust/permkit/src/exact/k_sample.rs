//! k-sample splits as multiset permutations of group labels in lexicographic
//! order (next-permutation: amortised O(1) changed positions per step), with
//! the group sums S_g kept up to date. Unranking by multinomial counting.

use super::multinomial;
use crate::{Error, Result};

pub struct LabelOrders<'a> {
    scores: &'a [i128],
    labels: Vec<usize>,
    sums: Vec<i128>,
}

/// The label vector of rank `rank` among all arrangements with `sizes[g]` copies of label g.
pub fn unrank(sizes: &[usize], rank: u128) -> Result<Vec<usize>> {
    let total = multinomial(sizes).ok_or_else(|| Error::Overflow("too many splits".into()))?;
    if rank >= total {
        return Err(Error::InvalidValue(format!(
            "rank {rank} is out of range 0..{total}"
        )));
    }
    let mut left = sizes.to_vec();
    let n: usize = sizes.iter().sum();
    let mut labels = Vec::with_capacity(n);
    let mut r = rank;
    for _ in 0..n {
        for g in 0..left.len() {
            if left[g] == 0 {
                continue;
            }
            left[g] -= 1;
            let below = multinomial(&left).unwrap_or(u128::MAX);
            if r < below {
                labels.push(g);
                break;
            }
            r -= below;
            left[g] += 1;
        }
    }
    Ok(labels)
}

impl<'a> LabelOrders<'a> {
    pub fn at(scores: &'a [i128], sizes: &[usize], rank: u128) -> Result<Self> {
        let n: usize = sizes.iter().sum();
        if n != scores.len() {
            return Err(Error::LengthMismatch {
                expected: scores.len(),
                found: n,
            });
        }
        let labels = unrank(sizes, rank)?;
        let mut sums = vec![0i128; sizes.len()];
        for (&l, &v) in labels.iter().zip(scores) {
            sums[l] += v;
        }
        Ok(Self {
            scores,
            labels,
            sums,
        })
    }

    pub fn group_sums(&self) -> &[i128] {
        &self.sums
    }

    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Next arrangement in lexicographic order (no-op after the last one).
    #[inline]
    pub fn advance(&mut self) {
        let l = &mut self.labels;
        let n = l.len();
        let Some(i) = (0..n.saturating_sub(1)).rev().find(|&i| l[i] < l[i + 1]) else {
            return;
        };
        let Some(j) = (i + 1..n).rev().find(|&j| l[j] > l[i]) else {
            return;
        };
        for (&label, &score) in l[i..].iter().zip(&self.scores[i..]) {
            self.sums[label] -= score;
        }
        l.swap(i, j);
        l[i + 1..].reverse();
        for (&label, &score) in l[i..].iter().zip(&self.scores[i..]) {
            self.sums[label] += score;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicographic_walk_matches_unrank_and_sums() {
        let sizes = [2usize, 1, 3];
        let scores = [5i128, -1, 7, 2, 9, 4];
        let total = multinomial(&sizes).unwrap();
        assert_eq!(total, 60);
        let mut walk = LabelOrders::at(&scores, &sizes, 0).unwrap();
        let mut prev: Option<Vec<usize>> = None;
        for r in 0..total {
            assert_eq!(walk.labels(), unrank(&sizes, r).unwrap().as_slice());
            let mut sums = [0i128; 3];
            for (&l, &v) in walk.labels().iter().zip(&scores) {
                sums[l] += v;
            }
            assert_eq!(walk.group_sums(), &sums);
            if let Some(p) = prev {
                assert!(p < walk.labels().to_vec());
            }
            prev = Some(walk.labels().to_vec());
            walk.advance();
        }
    }
}
