//! Rank arithmetic: the operations ranking algorithms need, for `u64` and
//! `BigUint`, and mixed-radix conversion.
//!
//! A mixed-radix number has digits `d[i] < radix[i]`, most significant first:
//! its value is Horner's `((d0 * r1 + d1) * r2 + d2) ...`. Factorial-base
//! (Lehmer) codes are mixed-radix numbers. For `BigUint` both directions are
//! divide and conquer over a balanced split of the digits, so that the big
//! multiplications are between numbers of similar size (Karatsuba/Toom apply)
//! instead of n multiplications of a big number by a small one.

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

pub trait RankInt:
    Clone + Ord + Send + Sync + std::fmt::Debug + std::fmt::Display + 'static
{
    fn from_u64(x: u64) -> Self;
    fn is_zero(&self) -> bool;
    fn is_odd(&self) -> bool;
    fn add(&self, other: &Self) -> Self;
    /// `self - other`; callers guarantee `self >= other`.
    fn sub(&self, other: &Self) -> Self;
    /// `self * a / b`, exact: callers guarantee that the division has no remainder
    /// (or want the floor).
    fn mul_div(&self, a: u64, b: u64) -> Self;
    /// `floor(self * a / by)`, which callers guarantee is below 2^64.
    fn floor_mul_div(&self, a: u64, by: &Self) -> u64;
    /// Digits of `self` in the mixed radix `radices`, or `None` when `self`
    /// is not below the product of the radices.
    fn to_digits(&self, radices: &[u64]) -> Option<Vec<u64>>;
    /// The value of `digits` (each below its radix) in the mixed radix `radices`.
    fn from_digits(digits: &[u64], radices: &[u64]) -> Self;
}

impl RankInt for u64 {
    fn from_u64(x: u64) -> Self {
        x
    }
    fn is_zero(&self) -> bool {
        *self == 0
    }
    fn is_odd(&self) -> bool {
        *self & 1 == 1
    }
    fn add(&self, other: &Self) -> Self {
        self.wrapping_add(*other)
    }
    fn sub(&self, other: &Self) -> Self {
        self.wrapping_sub(*other)
    }
    fn mul_div(&self, a: u64, b: u64) -> Self {
        (*self as u128 * a as u128 / b as u128) as u64
    }
    fn floor_mul_div(&self, a: u64, by: &Self) -> u64 {
        (*self as u128 * a as u128 / *by as u128) as u64
    }
    fn to_digits(&self, radices: &[u64]) -> Option<Vec<u64>> {
        let mut v = *self;
        let mut digits = vec![0; radices.len()];
        for (d, &b) in digits.iter_mut().zip(radices).rev() {
            *d = v % b;
            v /= b;
        }
        (v == 0).then_some(digits)
    }
    fn from_digits(digits: &[u64], radices: &[u64]) -> Self {
        digits
            .iter()
            .zip(radices)
            .fold(0u64, |acc, (&d, &b)| acc.wrapping_mul(b).wrapping_add(d))
    }
}

/// A run of consecutive digits whose radix product fits in a `u64`.
struct Leaf {
    start: usize,
    end: usize,
    product: u64,
}

fn leaves(radices: &[u64]) -> Vec<Leaf> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut product: u64 = 1;
    for (i, &b) in radices.iter().enumerate() {
        match product.checked_mul(b) {
            Some(p) => product = p,
            None => {
                out.push(Leaf {
                    start,
                    end: i,
                    product,
                });
                start = i;
                product = b;
            }
        }
    }
    if start < radices.len() {
        out.push(Leaf {
            start,
            end: radices.len(),
            product,
        });
    }
    out
}

fn leaves_product(leaves: &[Leaf]) -> BigUint {
    match leaves.len() {
        0 => BigUint::one(),
        1 => BigUint::from(leaves[0].product),
        n => leaves_product(&leaves[..n / 2]) * leaves_product(&leaves[n / 2..]),
    }
}

/// (value, radix product) of the digits covered by `leaves`.
fn combine(leaves: &[Leaf], digits: &[u64], radices: &[u64]) -> (BigUint, BigUint) {
    if leaves.len() == 1 {
        let l = &leaves[0];
        let v = u64::from_digits(&digits[l.start..l.end], &radices[l.start..l.end]);
        return (BigUint::from(v), BigUint::from(l.product));
    }
    let mid = leaves.len() / 2;
    let (vl, pl) = combine(&leaves[..mid], digits, radices);
    let (vr, pr) = combine(&leaves[mid..], digits, radices);
    (vl * &pr + vr, pl * pr)
}

fn split(v: BigUint, leaves: &[Leaf], radices: &[u64], digits: &mut [u64]) {
    if leaves.len() == 1 {
        let l = &leaves[0];
        let small = v.to_u64().unwrap_or(0);
        if let Some(d) = small.to_digits(&radices[l.start..l.end]) {
            digits[l.start..l.end].copy_from_slice(&d);
        }
        return;
    }
    let mid = leaves.len() / 2;
    let (q, r) = v.div_rem(&leaves_product(&leaves[mid..]));
    split(q, &leaves[..mid], radices, digits);
    split(r, &leaves[mid..], radices, digits);
}

impl RankInt for BigUint {
    fn from_u64(x: u64) -> Self {
        BigUint::from(x)
    }
    fn is_zero(&self) -> bool {
        Zero::is_zero(self)
    }
    fn is_odd(&self) -> bool {
        self.bit(0)
    }
    fn add(&self, other: &Self) -> Self {
        self + other
    }
    fn sub(&self, other: &Self) -> Self {
        self - other
    }
    fn mul_div(&self, a: u64, b: u64) -> Self {
        self * a / b
    }
    fn floor_mul_div(&self, a: u64, by: &Self) -> u64 {
        (self * a / by).to_u64().unwrap_or(u64::MAX)
    }
    fn to_digits(&self, radices: &[u64]) -> Option<Vec<u64>> {
        let lv = leaves(radices);
        // Only the fewest trailing leaves whose radix product exceeds `self`
        // take part (the digits before them are 0), so the product of all
        // radices (n! for a permutation) is never formed: the work grows with
        // the size of `self`, not of the family.
        let mut product = BigUint::one();
        let mut first = lv.len();
        while product <= *self {
            first = first.checked_sub(1)?;
            product *= lv[first].product;
        }
        let mut digits = vec![0; radices.len()];
        if first < lv.len() {
            split(self.clone(), &lv[first..], radices, &mut digits);
        }
        Some(digits)
    }
    fn from_digits(digits: &[u64], radices: &[u64]) -> Self {
        let lv = leaves(radices);
        if lv.is_empty() {
            return BigUint::zero();
        }
        combine(&lv, digits, radices).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_digits_match_horner() {
        let radices: Vec<u64> = (1..=300).rev().collect();
        let digits: Vec<u64> = radices.iter().map(|&b| (b * 7919 + 13) % b).collect();
        let mut horner = BigUint::zero();
        for (&d, &b) in digits.iter().zip(&radices) {
            horner = horner * b + d;
        }
        assert_eq!(BigUint::from_digits(&digits, &radices), horner);
        assert_eq!(horner.to_digits(&radices).unwrap(), digits);
        let total = crate::count::factorial(300, &crate::Never).unwrap();
        assert!(total.to_digits(&radices).is_none());
        assert_eq!(
            (total - 1u32).to_digits(&radices).unwrap(),
            radices.iter().map(|b| b - 1).collect::<Vec<_>>()
        );
    }

    #[test]
    fn small_values_never_form_the_full_product() {
        // 10^7 radices: forming their product (about 10^7!) would take minutes.
        let radices: Vec<u64> = (1..=10_000_000u64).rev().collect();
        let digits = BigUint::from(5u32).to_digits(&radices).unwrap();
        assert_eq!(digits[digits.len() - 3..], [2, 1, 0]);
        assert!(digits[..digits.len() - 3].iter().all(|&d| d == 0));
    }

    #[test]
    fn u64_digits_range_check() {
        assert_eq!(23u64.to_digits(&[4, 3, 2, 1]), Some(vec![3, 2, 1, 0]));
        assert_eq!(24u64.to_digits(&[4, 3, 2, 1]), None);
    }
}
