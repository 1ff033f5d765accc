//! Exact counts of combinatorial families, as big integers.
//!
//! Products use a balanced product tree so that num-bigint's Karatsuba/Toom
//! multiplication applies; derangements and involutions use their linear
//! recurrences (O(n) big-integer operations by small numbers).

use crate::{Error, Interrupt, Result};
use num_bigint::BigUint;
use num_traits::{One, Zero};

/// Largest count computed, in bits (2 GiB): a bigger result, or the product
/// it is computed from, could exhaust memory, and a failed allocation aborts
/// the process instead of returning an error. Checked before any work.
pub const MAX_BITS: f64 = (1u64 << 34) as f64;

/// How many recurrence steps run between two interrupt polls (fewer when the
/// numbers are big: see [`Poll`]).
const POLL_EVERY: u64 = 1 << 12;
/// Ranges at least this long poll the interrupt before multiplying halves.
const POLL_RANGE: u64 = 1 << 10;

/// `log2(n!)` by Stirling's series (exact enough to size a result: the error
/// is far below one bit for n >= 16, which are summed exactly).
pub fn log2_factorial(n: u64) -> f64 {
    if n < 16 {
        return (2..=n).map(|x| (x as f64).log2()).sum();
    }
    let x = n as f64;
    (x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x))
        / std::f64::consts::LN_2
}

/// `log2(n (n-1) ... (n-k+1))`, the falling factorial of `k <= n` factors
/// (written with `n - (k - 1)`: `n - k + 1` would wrap at `n = 2^64 - 1, k = 0`).
fn log2_falling(n: u64, k: u64) -> f64 {
    if k == 0 {
        0.0
    } else if k <= 64 {
        (n - (k - 1)..=n).map(|x| (x as f64).log2()).sum()
    } else {
        log2_factorial(n) - log2_factorial(n - k)
    }
}

/// `n (n-1) ... (n-k+1)` for `k <= n` (1 when `k == 0`).
fn falling(n: u64, k: u64, interrupt: &dyn Interrupt) -> Result<BigUint> {
    if k == 0 {
        return Ok(BigUint::one());
    }
    product(n - (k - 1), n, interrupt)
}

/// `Err(Memory)` when a value of about `bits` bits may not be computed.
pub fn check_bits(bits: f64, what: &dyn Fn() -> String) -> Result<()> {
    if bits > MAX_BITS {
        return Err(Error::Memory(format!(
            "{} has about {:.4e} bits ({:.3} GiB): refusing to compute it (the limit is {} GiB)",
            what(),
            bits,
            bits / 8.0 / (1u64 << 30) as f64,
            (MAX_BITS as u64 / 8) >> 30
        )));
    }
    Ok(())
}

/// Polls the interrupt after a given amount of big-integer work (in limbs
/// touched), so recurrences on huge numbers stay responsive.
struct Poll<'a> {
    interrupt: &'a dyn Interrupt,
    work: u64,
}

impl Poll<'_> {
    fn add(&mut self, step: u64, value: &BigUint) -> Result<()> {
        self.work += 1 + value.bits() / 64;
        if step % POLL_EVERY == 0 || self.work > 1 << 22 {
            self.work = 0;
            self.interrupt.check()?;
        }
        Ok(())
    }
}

/// The product `lo * (lo+1) * ... * hi` (1 for an empty range), by a balanced
/// tree, polling the interrupt between multiplications of long ranges (one
/// multiplication of two huge halves is not interruptible).
pub fn product(lo: u64, hi: u64, interrupt: &dyn Interrupt) -> Result<BigUint> {
    if hi < lo {
        return Ok(BigUint::one());
    }
    if hi - lo < 16 {
        let mut acc = BigUint::one();
        let mut word: u64 = 1;
        for x in lo..=hi {
            match word.checked_mul(x) {
                Some(w) => word = w,
                None => {
                    acc *= word;
                    word = x;
                }
            }
        }
        return Ok(acc * word);
    }
    let mid = lo + (hi - lo) / 2;
    let left = product(lo, mid, interrupt)?;
    let right = product(mid + 1, hi, interrupt)?;
    if hi - lo >= POLL_RANGE {
        interrupt.check()?;
    }
    Ok(left * right)
}

/// `n!`.
pub fn factorial(n: u64, interrupt: &dyn Interrupt) -> Result<BigUint> {
    check_bits(log2_factorial(n), &|| format!("{n}!"))?;
    product(1, n, interrupt)
}

/// Ordered selections of `k` out of `n`: `n! / (n-k)!` (0 when `k > n`).
pub fn permutations(n: u64, k: u64, interrupt: &dyn Interrupt) -> Result<BigUint> {
    if k > n {
        return Ok(BigUint::zero());
    }
    check_bits(log2_falling(n, k), &|| format!("P({n}, {k})"))?;
    falling(n, k, interrupt)
}

/// `C(n, k)` (0 when `k > n`).
pub fn combinations(n: u64, k: u64, interrupt: &dyn Interrupt) -> Result<BigUint> {
    if k > n {
        return Ok(BigUint::zero());
    }
    let k = k.min(n - k);
    // The numerator is the biggest number held on the way.
    check_bits(log2_falling(n, k), &|| format!("C({n}, {k})"))?;
    let numerator = falling(n, k, interrupt)?;
    Ok(numerator / factorial(k, interrupt)?)
}

/// The multinomial `(sum counts)! / prod(counts!)`: distinct orderings of a multiset.
pub fn multiset_permutations(counts: &[u64], interrupt: &dyn Interrupt) -> Result<BigUint> {
    let mut total: u64 = 0;
    let mut acc = BigUint::one();
    for &c in counts {
        total = total
            .checked_add(c)
            .ok_or_else(|| Error::Overflow("the total of the counts exceeds 2**64-1".into()))?;
        let smaller = c.min(total - c);
        let bits = acc.bits() as f64 + log2_falling(total, smaller);
        check_bits(bits, &|| "the multinomial of the counts".to_string())?;
        acc *= combinations(total, c, interrupt)?;
    }
    Ok(acc)
}

/// `n!/(n-k)!` when it fits in a `u64` (at most 64 multiplications).
pub fn permutations_u64(n: u64, k: u64) -> Option<u64> {
    if k > n {
        return Some(0);
    }
    (0..k).try_fold(1u64, |acc, i| acc.checked_mul(n - i))
}

/// `C(n, k)` when it fits in a `u64` (`C(n, i)` grows with `i <= n/2`, so the
/// loop stops after about 64 steps when it does not fit).
pub fn combinations_u64(n: u64, k: u64) -> Option<u64> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    let mut v: u128 = 1;
    for i in 0..k {
        v = v * (n - i) as u128 / (i + 1) as u128;
        if v > u64::MAX as u128 {
            return None;
        }
    }
    Some(v as u64)
}

/// The multinomial of `counts` when it fits in a `u64`.
pub fn multiset_permutations_u64(counts: &[u64]) -> Option<u64> {
    let mut total: u64 = 0;
    let mut acc: u64 = 1;
    for &c in counts {
        total = total.checked_add(c)?;
        acc = acc.checked_mul(combinations_u64(total, c)?)?;
    }
    Some(acc)
}

/// Whether `n!/(n-k)!` exceeds `r` (`n!` with `k = n`; false when `k > n`),
/// without computing a product much larger than `r`: the factors are
/// multiplied in, and the loop stops once the partial product passes `r`.
pub fn permutations_exceed(n: u64, k: u64, r: &BigUint) -> bool {
    if k > n {
        return false;
    }
    let mut acc = BigUint::one();
    for i in 0..k {
        if acc > *r {
            break;
        }
        acc *= n - i;
    }
    acc > *r
}

/// Whether `C(n, k)` exceeds `r` (false when `k > n`), stopping early the
/// same way: `C(n, i)` grows with `i` up to `min(k, n - k)`.
pub fn combinations_exceed(n: u64, k: u64, r: &BigUint) -> bool {
    if k > n {
        return false;
    }
    let mut acc = BigUint::one();
    for i in 0..k.min(n - k) {
        if acc > *r {
            break;
        }
        acc = acc * (n - i) / (i + 1);
    }
    acc > *r
}

/// Whether `D(n)` exceeds `r`, stopping early: from `D(2) = 1` on,
/// `D(m) = m D(m-1) + (-1)^m` grows.
pub fn derangements_exceed(n: u64, r: &BigUint) -> bool {
    let mut acc = BigUint::one(); // D(0)
    if n >= 1 {
        acc = BigUint::zero();
        for m in 2..=n {
            if acc > *r {
                break;
            }
            acc *= m;
            if m % 2 == 0 {
                acc += 1u32;
            } else {
                acc -= 1u32;
            }
        }
    }
    acc > *r
}

/// `C(n, k)` when it fits in a `u128` (0 when `k > n`): the exact tests' counts.
/// `None` also when an intermediate `C(n, i) * (n - i)` passes `u128` (only
/// for results above 2^120, which the exact engine refuses anyway).
pub fn combinations_u128(n: u64, k: u64) -> Option<u128> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    let mut acc: u128 = 1;
    for i in 0..k {
        // acc * (n - i) / (i + 1) stays integral at every step.
        acc = acc.checked_mul((n - i) as u128)? / (i + 1) as u128;
    }
    Some(acc)
}

/// The multinomial of `counts` when it fits in a `u128` (same caveat as
/// [`combinations_u128`]).
pub fn multiset_permutations_u128(counts: &[u64]) -> Option<u128> {
    let mut acc: u128 = 1;
    let mut total = 0u64;
    for &c in counts {
        total = total.checked_add(c)?;
        acc = acc.checked_mul(combinations_u128(total, c)?)?;
    }
    Some(acc)
}

/// `n!` when it fits in a `u128`.
pub fn factorial_u128(n: u64) -> Option<u128> {
    (1..=n as u128).try_fold(1u128, |acc, k| acc.checked_mul(k))
}

/// `base^exp` when it fits in a `u128`.
pub fn power_u128(base: u128, exp: u64) -> Option<u128> {
    (0..exp).try_fold(1u128, |acc, _| acc.checked_mul(base))
}

/// Permutations of `n` without fixed points: `D(n) = n*D(n-1) + (-1)^n`.
pub fn derangements(n: u64, interrupt: &dyn Interrupt) -> Result<BigUint> {
    check_bits(log2_factorial(n), &|| format!("D({n})"))?;
    let mut poll = Poll { interrupt, work: 0 };
    let mut d = BigUint::one(); // D(0)
    for m in 1..=n {
        poll.add(m, &d)?;
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
    // I(n) < sqrt(n!) * e^sqrt(n): half the bits of n! bound it well enough.
    check_bits(log2_factorial(n) / 2.0 + (n as f64).sqrt() * 1.5, &|| {
        format!("I({n})")
    })?;
    let mut poll = Poll { interrupt, work: 0 };
    let (mut prev, mut cur) = (BigUint::one(), BigUint::one()); // I(0), I(1)
    if n == 0 {
        return Ok(prev);
    }
    for m in 2..=n {
        poll.add(m, &cur)?;
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
        assert_eq!(
            factorial(20, &Never).unwrap(),
            BigUint::from(2432902008176640000u64)
        );
        assert_eq!(permutations(10, 3, &Never).unwrap(), BigUint::from(720u32));
        assert_eq!(
            combinations(52, 5, &Never).unwrap(),
            BigUint::from(2598960u32)
        );
        assert_eq!(combinations(3, 5, &Never).unwrap(), BigUint::zero());
        assert_eq!(
            multiset_permutations(&[5, 5, 5], &Never).unwrap(),
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
    fn fixed_width_counts_match_the_big_integer_ones() {
        for n in 0..=40u64 {
            for k in 0..=n + 1 {
                let big = combinations(n, k, &Never).unwrap();
                assert_eq!(combinations_u128(n, k).map(BigUint::from), Some(big));
            }
            if n <= 34 {
                let f = factorial(n, &Never).unwrap();
                assert_eq!(factorial_u128(n).map(BigUint::from), Some(f));
            }
        }
        assert_eq!(
            factorial_u128(34),
            Some(295232799039604140847618609643520000000)
        );
        assert_eq!(factorial_u128(35), None);
        assert_eq!(combinations_u128(30, 15), Some(155_117_520));
        assert_eq!(multiset_permutations_u128(&[2, 2, 2]), Some(90));
        assert_eq!(multiset_permutations_u128(&[7, 7, 7]), Some(399_072_960));
        assert_eq!(multiset_permutations_u128(&[]), Some(1));
        assert_eq!(power_u128(2, 127), Some(1 << 127));
        assert_eq!(power_u128(2, 128), None);
        assert_eq!(power_u128(0, 0), Some(1));
        assert_eq!(power_u128(720, 13), Some(720u128.pow(13)));
        assert_eq!(power_u128(720, 14), None);
        assert_eq!(combinations_u128(u64::MAX, 1), Some(u64::MAX as u128));
        assert_eq!(combinations_u128(u64::MAX, 3), None);
        assert_eq!(multiset_permutations_u128(&[u64::MAX, 1]), None);
    }

    #[test]
    fn early_stopping_comparisons_agree_with_the_counts() {
        for n in 0..=12u64 {
            let d = derangements(n, &Never).unwrap();
            for k in 0..=n + 1 {
                let p = permutations(n, k, &Never).unwrap();
                let c = combinations(n, k, &Never).unwrap();
                for r in [0u64, 1, 2, 5, 100, 5039, 5040, 5041, 1 << 40] {
                    let r = BigUint::from(r);
                    assert_eq!(permutations_exceed(n, k, &r), p > r, "P({n},{k}) > {r}");
                    assert_eq!(combinations_exceed(n, k, &r), c > r, "C({n},{k}) > {r}");
                    assert_eq!(derangements_exceed(n, &r), d > r, "D({n}) > {r}");
                }
            }
        }
        // Huge arguments stop after a few factors.
        let r = BigUint::from(u64::MAX);
        assert!(permutations_exceed(u64::MAX, u64::MAX, &r));
        assert!(combinations_exceed(1 << 40, 1 << 39, &r));
        assert!(derangements_exceed(1 << 40, &r));
    }

    #[test]
    fn product_tree_matches_sequential_product() {
        let mut seq = BigUint::one();
        for x in 1..=300u64 {
            seq *= x;
        }
        assert_eq!(factorial(300, &Never).unwrap(), seq);
    }

    #[test]
    fn largest_arguments_do_not_wrap() {
        let max = u64::MAX;
        assert_eq!(combinations(max, max, &Never).unwrap(), BigUint::one());
        assert_eq!(combinations(max, 0, &Never).unwrap(), BigUint::one());
        assert_eq!(permutations(max, 0, &Never).unwrap(), BigUint::one());
        assert_eq!(
            combinations(max, max - 1, &Never).unwrap(),
            BigUint::from(max)
        );
        assert_eq!(combinations(max, 1, &Never).unwrap(), BigUint::from(max));
        assert_eq!(
            combinations(max, 2, &Never).unwrap(),
            BigUint::from(max) * BigUint::from(max - 1) / 2u32
        );
        assert_eq!(
            permutations(max, 2, &Never).unwrap(),
            BigUint::from(max) * BigUint::from(max - 1)
        );
        assert_eq!(
            multiset_permutations(&[max - 1, 1], &Never).unwrap(),
            BigUint::from(max)
        );
        assert_eq!(combinations_u64(max, 1), Some(max));
        assert_eq!(combinations_u64(max, 2), None);
        assert_eq!(permutations_u64(max, 1), Some(max));
        assert_eq!(permutations_u64(max, 0), Some(1));
        assert_eq!(permutations_u64(max, 2), None);
        assert_eq!(multiset_permutations_u64(&[max - 1, 1]), Some(max));
        assert_eq!(combinations_u64(68, 34), None);
        assert_eq!(combinations_u64(67, 33), Some(14226520737620288370));
    }

    #[test]
    fn results_too_large_for_memory_are_refused_before_any_work() {
        for err in [
            permutations(u64::MAX, u64::MAX, &Never).unwrap_err(),
            combinations(1 << 62, 1 << 61, &Never).unwrap_err(),
            factorial(u64::MAX, &Never).unwrap_err(),
            derangements(1 << 40, &Never).unwrap_err(),
            involutions(1 << 40, &Never).unwrap_err(),
            multiset_permutations(&[1 << 40, 1 << 40], &Never).unwrap_err(),
        ] {
            assert!(matches!(err, Error::Memory(_)), "{err}");
            assert!(err.to_string().contains("GiB"), "{err}");
        }
    }

    #[test]
    fn stirling_sizes_match_exact_sizes() {
        for n in [16u64, 100, 1000, 5000] {
            let exact = factorial(n, &Never).unwrap().bits() as f64;
            assert!((log2_factorial(n) - exact).abs() < 1.0, "{n}");
        }
    }
}
