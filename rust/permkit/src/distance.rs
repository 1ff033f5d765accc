//! Distances between permutations, row by row (single-row operands broadcast).
//!
//! With `r = p^-1 q` (so `r[i] = p^-1[q[i]]`):
//! - Kendall tau: pairs `i < j` ordered differently by `p` and `q` (inversions of `q p^-1`);
//! - Cayley: fewest transpositions turning `p` into `q`, `n - cycles(r)`;
//! - Hamming: positions where `p` and `q` differ;
//! - Ulam: fewest moves of one element, `n - LIS(r)`;
//! - Spearman's footrule: `sum |p[i] - q[i]|`.

use crate::algebra::{count_cycles, count_inversions, for_each_row_pair, validate_rows, Operand};
use crate::{Error, PermIndex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    KendallTau,
    Cayley,
    Hamming,
    Ulam,
    Footrule,
}

impl Metric {
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "kendall_tau" => Metric::KendallTau,
            "cayley" => Metric::Cayley,
            "hamming" => Metric::Hamming,
            "ulam" => Metric::Ulam,
            "footrule" => Metric::Footrule,
            _ => return None,
        })
    }
}

/// `out[r]` = the distance between row `r` of `p` and row `r` of `q`.
pub fn distance_rows<T: PermIndex>(
    metric: Metric,
    p: &[T],
    q: &[T],
    n: usize,
    out: &mut [u64],
) -> std::result::Result<(), (Operand, Error)> {
    validate_rows(p, n).map_err(|e| (Operand::First, e))?;
    validate_rows(q, n).map_err(|e| (Operand::Second, e))?;
    if n == 0 {
        out.fill(0);
        return Ok(());
    }
    for_each_row_pair(p, q, n, out, 1, |p_row, q_row, slot| {
        slot[0] = match metric {
            Metric::Hamming => p_row
                .iter()
                .zip(q_row)
                .filter(|(a, b)| a.to_usize() != b.to_usize())
                .count() as u64,
            Metric::Footrule => p_row
                .iter()
                .zip(q_row)
                .map(|(a, b)| a.to_usize().abs_diff(b.to_usize()) as u64)
                .sum(),
            Metric::KendallTau => {
                let mut s = vec![0u32; n];
                for (a, b) in p_row.iter().zip(q_row) {
                    s[a.to_usize()] = b.to_usize() as u32;
                }
                count_inversions(&s)
            }
            Metric::Cayley => (n - count_cycles(&relative(p_row, q_row))) as u64,
            Metric::Ulam => (n - longest_increasing(&relative(p_row, q_row))) as u64,
        }
    });
    Ok(())
}

/// `p^-1 q` as u32 values (lengths beyond u32 cannot be allocated row-wise anyway).
fn relative<T: PermIndex>(p: &[T], q: &[T]) -> Vec<u32> {
    let mut p_inv = vec![0u32; p.len()];
    for (i, &v) in p.iter().enumerate() {
        p_inv[v.to_usize()] = i as u32;
    }
    q.iter().map(|&v| p_inv[v.to_usize()]).collect()
}

/// Length of the longest strictly increasing subsequence (patience sorting).
fn longest_increasing(values: &[u32]) -> usize {
    let mut tails: Vec<u32> = Vec::new();
    for &v in values {
        let at = tails.partition_point(|&t| t < v);
        if at == tails.len() {
            tails.push(v);
        } else {
            tails[at] = v;
        }
    }
    tails.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(metric: Metric, p: &[u8], q: &[u8]) -> u64 {
        let mut out = [0u64];
        distance_rows(metric, p, q, p.len(), &mut out).unwrap();
        out[0]
    }

    #[test]
    fn known_distances() {
        let p = [0u8, 1, 2, 3];
        let q = [3u8, 2, 1, 0];
        assert_eq!(one(Metric::KendallTau, &p, &q), 6);
        assert_eq!(one(Metric::Cayley, &p, &q), 2);
        assert_eq!(one(Metric::Hamming, &p, &q), 4);
        assert_eq!(one(Metric::Ulam, &p, &q), 3);
        assert_eq!(one(Metric::Footrule, &p, &q), 8);
        assert_eq!(one(Metric::Ulam, &[0, 1, 2, 3], &[1, 2, 3, 0]), 1);
    }
}
