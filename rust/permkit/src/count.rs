//! Exact counts of combinatorial families, as big integers.
//!
//! Products use a balanced product tree so that num-bigint's Karatsuba/Toom
//! multiplication applies; derangements and involutions use their linear
//! recurrences (O(n) big-integer operations by small numbers).

use crate::{Error, Interrupt, Result};
use num_bigint::BigUint;
use num_traits::{One, Zero};

/// How many recurrence steps run between two interrupt polls.
const POLL_EVERY: u64 = 1 << 12;

/// The product `lo * (lo+1) * ... * (hi-1)` (1 for an empty range), by a balanced tree.
pub fn range_product(lo: u64, hi: u64) -> BigUint {
    if hi <= lo {
        return BigUint::one();
    }
    if hi - lo <= 16 {
        let mut acc = BigUint::one();
        let mut word: u64 = 1;
        for x in lo..hi {
            match word.checked_mul(x) {
                Some(w) => word = w,
                None => {
                    acc *= word;
                    word = x;
                }
            }
        }
        return acc * word;
    }
    let mid = lo + (hi - lo) / 2;
    range_product(lo, mid) * range_product(mid, hi)
}

/// `n!`.
pub fn factorial(n: u64) -> BigUint {
    range_product(1, n + 1)
}

/// Ordered selections of `k` out of `n`: `n! / (n-k)!` (0 when `k > n`).
pub fn permutations(n: u64, k: u64) -> BigUint {
    if k > n {
        return BigUint::zero();
    }
    range_product(n - k + 1, n + 1)
}

/// `C(n, k)` (0 when `k > n`).
pub fn combinations(n: u64, k: u64) -> BigUint {
    if k > n {
        return BigUint::zero();
    }
    let k = k.min(n - k);
    range_product(n - k + 1, n + 1) / factorial(k)
}

/// The multinomial `(sum counts)! / prod(counts!)`: distinct orderings of a multiset.
pub fn multiset_permutations(counts: &[u64]) -> Result<BigUint> {
    let mut total: u64 = 0;
    let mut acc = BigUint::one();
    for &c in counts {
        total = total
            .checked_add(c)
            .ok_or_else(|| Error::Overflow("the total of the counts exceeds 2**64-1".into()))?;
        acc *= combinations(total, c);
    }
    Ok(acc)
}

/// Permutations of `n` without fixed points: `D(n) = n*D(n-1) + (-1)^n`.
pub fn derangements(n: u64, interrupt: &dyn Interrupt) -> Result<BigUint> {
    let mut d = BigUint::one(); // D(0)
    for m in 1..=n {
        if m % POLL_EVERY == 0 {
            interrupt.check()?;
        }
        d *= m;
        if m % 2 == 0 {
            d += 1u32;
        } else {
            d -= 1u32;
        }
    }
    Ok(d)
}

/// Permutations that are their own inverse: `I(n) = I(n-1) + (n-1)*I(n-2)`.
pub fn involutions(n: u64, interrupt: &dyn Interrupt) -> Result<BigUint> {
    let (mut prev, mut cur) = (BigUint::one(), BigUint::one()); // I(0), I(1)
    if n == 0 {
        return Ok(prev);
    }
    for m in 2..=n {
        if m % POLL_EVERY == 0 {
            interrupt.check()?;
        }
        let next = &cur + &prev * (m - 1);
        prev = std::mem::replace(&mut cur, next);
    }
    Ok(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Never;

    #[test]
    fn small_values() {
        assert_eq!(factorial(20), BigUint::from(2432902008176640000u64));
        assert_eq!(permutations(10, 3), BigUint::from(720u32));
        assert_eq!(combinations(52, 5), BigUint::from(2598960u32));
        assert_eq!(combinations(3, 5), BigUint::zero());
        assert_eq!(
            multiset_permutations(&[5, 5, 5]).unwrap(),
            BigUint::from(756756u32)
        );
        let d: Vec<u64> = (0..8)
            .map(|n| derangements(n, &Never).unwrap().try_into().unwrap())
            .collect();
        assert_eq!(d, [1, 0, 1, 2, 9, 44, 265, 1854]);
        let i: Vec<u64> = (0..8)
            .map(|n| involutions(n, &Never).unwrap().try_into().unwrap())
            .collect();
        assert_eq!(i, [1, 1, 2, 4, 10, 26, 76, 232]);
    }

    #[test]
    fn product_tree_matches_sequential_product() {
        let mut seq = BigUint::one();
        for x in 1..=300u64 {
            seq *= x;
        }
        assert_eq!(factorial(300), seq);
    }
}
