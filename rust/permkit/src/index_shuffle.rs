//! A keyed bijection on `0..n` for every `n` in `0..2^64`, computed, never stored
//! (spec: docs/index_shuffle.md).
//!
//! Construction: an alternating Feistel network over the smallest domain `2^k >= n`
//! (`k` bits split into a high half of `k / 2` bits and a low half of `k - k / 2`
//! bits; even rounds xor a keyed function of the low half into the high half, odd
//! rounds the reverse), then one keyed transposition of `0` and `1` (a Feistel
//! network with both halves of at least 2 bits only makes even permutations), and
//! cycle walking: re-encrypt until the value falls inside `0..n`.
//!
//! Batches are evaluated in lockstep, round by round over a chunk of lanes stored
//! as two `u32` arrays, so the compiler vectorizes every round; lanes that fell
//! outside `0..n` are compacted and re-encrypted until none is left.

use crate::random_access::{check_value, RandomAccess, LANES};
use crate::rng::keys::key_from_word;
use crate::rng::squares64;
use crate::{Error, Result};

/// Rounds used for large domains (`k >= 8`) when the caller does not choose.
pub const DEFAULT_ROUNDS: u32 = 10;
/// The largest number of rounds accepted.
pub const MAX_ROUNDS: u32 = 64;

/// The rounds used when the caller does not choose, by domain width `k`: Feistel
/// networks with 1- and 2-bit halves mix slowly, so small domains get more
/// rounds (the measurement is in docs/index_shuffle.md).
pub fn default_rounds(n: u64) -> u32 {
    match domain_bits(n) {
        0..=3 => 24,
        4..=7 => 16,
        _ => DEFAULT_ROUNDS,
    }
}

/// `k`, the width of the smallest domain `2^k >= n` (0 for `n <= 1`).
fn domain_bits(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

/// Counter domains of the key schedule: the top byte of a Squares counter.
const DOMAIN_SIZE: u64 = 0x4E << 56; // 'N': the key of one domain size n
const DOMAIN_ROUND: u64 = 0x52 << 56; // 'R': round keys
const DOMAIN_PARITY: u64 = 0x50 << 56; // 'P': the final transposition bit
/// The largest `value` a child key accepts in [`derive_key`] (the counter's low 56 bits).
pub const MAX_DERIVE_VALUE: u64 = (1 << 56) - 1;

/// A child key: `key_from_word(squares64(parent, domain << 56 | value))`, `value < 2^56`.
/// The data sampler's domains ('E' epochs, 'B' block order, 'W' windows) are listed
/// in docs/index_shuffle.md.
pub fn derive_key(parent: u64, domain: u8, value: u64) -> Result<u64> {
    if value > MAX_DERIVE_VALUE {
        return Err(Error::InvalidValue(format!(
            "value {value} is out of range 0..=2^56-1"
        )));
    }
    Ok(key_from_word(squares64(
        parent,
        ((domain as u64) << 56) | value,
    )))
}

/// Lanes encrypted together; sized so the three lane arrays stay in L1.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexShuffle {
    n: u64,
    key: u64,
    rounds: u32,
    high_bits: u32,
    low_bits: u32,
    round_keys: Vec<u64>,
    parity: u32,
}

#[inline(always)]
fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The keyed round function: a 32-bit murmur-style mix of `v` under a 64-bit
/// round key, reduced to its top `32 - shift` bits (`shift` in `0..=31`).
#[inline(always)]
fn round_function(v: u32, key: u64, shift: u32) -> u32 {
    let mut h = (v ^ key as u32).wrapping_mul(0x9E37_79B1);
    h ^= h >> 15;
    h = h.wrapping_add((key >> 32) as u32).wrapping_mul(0x85EB_CA77);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE3D);
    h >> shift
}

impl IndexShuffle {
    /// The shuffle of `0..n` under `key` (any 64-bit value; seeds become keys by
    /// the derivation in docs/index_shuffle.md) with `rounds` Feistel rounds.
    pub fn new(n: u64, key: u64, rounds: u32) -> Result<Self> {
        if rounds == 0 || rounds > MAX_ROUNDS {
            return Err(Error::InvalidValue(format!(
                "{rounds} rounds is out of range 1..={MAX_ROUNDS}"
            )));
        }
        Ok(Self::build(n, key, rounds))
    }

    /// The shuffle of `0..n` under `key` with [`default_rounds`]`(n)` rounds.
    pub fn with_default_rounds(n: u64, key: u64) -> Self {
        Self::build(n, key, default_rounds(n))
    }

    fn build(n: u64, key: u64, rounds: u32) -> Self {
        let bits = domain_bits(n);
        let high_bits = bits / 2;
        let low_bits = bits - high_bits;
        let size_key = key_from_word(squares64(key, DOMAIN_SIZE) ^ n);
        let round_keys = (0..rounds as u64)
            .map(|r| squares64(size_key, DOMAIN_ROUND | r))
            .collect();
        let parity = (squares64(size_key, DOMAIN_PARITY) >> 63) as u32;
        Self {
            n,
            key,
            rounds,
            high_bits,
            low_bits,
            round_keys,
            parity,
        }
    }

    pub fn n(&self) -> u64 {
        self.n
    }
    pub fn key(&self) -> u64 {
        self.key
    }
    pub fn rounds(&self) -> u32 {
        self.rounds
    }

    #[inline(always)]
    fn split(&self, x: u64) -> (u32, u32) {
        (
            (x >> self.low_bits) as u32,
            (x & mask(self.low_bits)) as u32,
        )
    }

    #[inline(always)]
    fn join(&self, hi: u32, lo: u32) -> u64 {
        ((hi as u64) << self.low_bits) | lo as u64
    }

    /// Swaps 0 and 1 of the domain when the key's parity bit is set (an involution).
    #[inline(always)]
    fn transpose(&self, hi: u32, lo: u32) -> u32 {
        lo ^ (((hi == 0) & (lo < 2)) as u32 & self.parity)
    }

    /// One round over all lanes. A half of 0 bits (only when `k = 1`) receives nothing.
    #[inline(always)]
    fn round_lanes(&self, r: usize, key: u64, hi: &mut [u32], lo: &mut [u32]) {
        if r % 2 == 0 {
            if self.high_bits > 0 {
                let shift = 32 - self.high_bits;
                for (h, &l) in hi.iter_mut().zip(lo.iter()) {
                    *h ^= round_function(l, key, shift);
                }
            }
        } else {
            let shift = 32 - self.low_bits;
            for (&h, l) in hi.iter().zip(lo.iter_mut()) {
                *l ^= round_function(h, key, shift);
            }
        }
    }

    #[inline(always)]
    fn encrypt_lanes(&self, hi: &mut [u32], lo: &mut [u32]) {
        for (r, &k) in self.round_keys.iter().enumerate() {
            self.round_lanes(r, k, hi, lo);
        }
        for (&h, l) in hi.iter().zip(lo.iter_mut()) {
            *l = self.transpose(h, *l);
        }
    }

    #[inline(always)]
    fn decrypt_lanes(&self, hi: &mut [u32], lo: &mut [u32]) {
        for (&h, l) in hi.iter().zip(lo.iter_mut()) {
            *l = self.transpose(h, *l);
        }
        for (r, &k) in self.round_keys.iter().enumerate().rev() {
            self.round_lanes(r, k, hi, lo);
        }
    }

    /// Applies the permutation (or its inverse) to in-range values `xs` (len <= LANES),
    /// writing `out[i]`: cycle-walks every lane in lockstep with compaction.
    #[inline(always)]
    fn walk_lanes(&self, xs: &[u64], out: &mut [u64], inverse: bool) {
        let m = xs.len();
        if self.n <= 1 {
            out[..m].fill(0);
            return;
        }
        let mut hi = [0u32; LANES];
        let mut lo = [0u32; LANES];
        let mut pos = [0u16; LANES];
        for (i, &x) in xs.iter().enumerate() {
            let (h, l) = self.split(x);
            hi[i] = h;
            lo[i] = l;
            pos[i] = i as u16;
        }
        let mut live = m;
        while live > 0 {
            if inverse {
                self.decrypt_lanes(&mut hi[..live], &mut lo[..live]);
            } else {
                self.encrypt_lanes(&mut hi[..live], &mut lo[..live]);
            }
            // Every lane writes its value; a lane still outside 0..n is kept and
            // overwrites its slot again on a later pass.
            let mut kept = 0;
            for i in 0..live {
                let y = self.join(hi[i], lo[i]);
                out[pos[i] as usize] = y;
                hi[kept] = hi[i];
                lo[kept] = lo[i];
                pos[kept] = pos[i];
                kept += (y >= self.n) as usize;
            }
            live = kept;
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    // SAFETY (contract): callers must have checked that the CPU supports AVX2; the body
    // is the safe `walk_lanes`, compiled with AVX2 enabled.
    unsafe fn walk_lanes_avx2(&self, xs: &[u64], out: &mut [u64], inverse: bool) {
        self.walk_lanes(xs, out, inverse)
    }

    /// `out[i]` = the image (or with `inverse` the position) of `xs[i]`, which must lie
    /// in `0..n` (checked by the callers). Dispatches to the widest vector unit the CPU
    /// has; every path computes the same integers.
    pub(crate) fn walk(&self, xs: &[u64], out: &mut [u64], inverse: bool) {
        for (x, o) in xs.chunks(LANES).zip(out.chunks_mut(LANES)) {
            #[cfg(target_arch = "x86_64")]
            {
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2 (checked just above).
                    unsafe { self.walk_lanes_avx2(x, o, inverse) };
                    continue;
                }
            }
            self.walk_lanes(x, o, inverse);
        }
    }

    /// The image of one index (`i < n`).
    pub fn forward(&self, i: u64) -> Result<u64> {
        check_value(i, self.n)?;
        Ok(self.walk_one(i, false))
    }

    /// The index whose image is `j` (`j < n`).
    pub fn inverse(&self, j: u64) -> Result<u64> {
        check_value(j, self.n)?;
        Ok(self.walk_one(j, true))
    }

    /// One value through the same rounds as [`Self::walk_lanes`], without its
    /// lane buffers (the single-value path of random access).
    fn walk_one(&self, x: u64, inverse: bool) -> u64 {
        if self.n <= 1 {
            return 0;
        }
        let (mut hi, mut lo) = self.split(x);
        loop {
            let (h, l) = (std::slice::from_mut(&mut hi), std::slice::from_mut(&mut lo));
            if inverse {
                self.decrypt_lanes(h, l);
            } else {
                self.encrypt_lanes(h, l);
            }
            let y = self.join(hi, lo);
            if y < self.n {
                return y;
            }
        }
    }
}

impl RandomAccess for IndexShuffle {
    type Scratch = ();

    fn n(&self) -> u64 {
        self.n
    }

    fn map_lanes(&self, xs: &[u64], out: &mut [u64], inverse: bool, _: &mut ()) -> Result<()> {
        self.walk(xs, out, inverse);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Never;

    fn all_images(s: &IndexShuffle) -> Vec<u64> {
        let mut out = vec![0u64; s.n() as usize];
        s.map_range(0, 1, &mut out, &Never).unwrap();
        out
    }

    #[test]
    fn bijection_for_every_small_n() {
        for n in 1..=600u64 {
            for key in [1u64, 0xc8e4fd154ce32f6d] {
                let s = IndexShuffle::new(n, key, DEFAULT_ROUNDS).unwrap();
                let img = all_images(&s);
                let mut seen = vec![false; n as usize];
                for (i, &v) in img.iter().enumerate() {
                    assert!(v < n && !seen[v as usize], "n={n} key={key:#x}");
                    seen[v as usize] = true;
                    assert_eq!(s.forward(i as u64).unwrap(), v);
                    assert_eq!(s.inverse(v).unwrap(), i as u64);
                }
            }
        }
    }

    #[test]
    fn round_trips_at_every_power_of_two_boundary() {
        for k in 0..64u32 {
            for n in [(1u64 << k).wrapping_sub(1), 1u64 << k, (1u64 << k) + 1] {
                if n == 0 {
                    continue;
                }
                let s = IndexShuffle::new(n, 0x9bd658aec79fd425, DEFAULT_ROUNDS).unwrap();
                for i in [0, 1, n / 3, n / 2, n - 2, n - 1] {
                    let i = i.min(n - 1);
                    let v = s.forward(i).unwrap();
                    assert!(v < n);
                    assert_eq!(s.inverse(v).unwrap(), i, "n={n} i={i}");
                }
            }
        }
        let s = IndexShuffle::new(u64::MAX, 3, DEFAULT_ROUNDS).unwrap();
        assert_eq!(domain_bits(u64::MAX), 64);
        for i in [0, 1, u64::MAX - 1, 1 << 63] {
            assert_eq!(s.inverse(s.forward(i).unwrap()).unwrap(), i);
        }
    }

    #[test]
    fn batch_matches_scalar_and_rejects_out_of_range() {
        assert_eq!(
            [
                default_rounds(8),
                default_rounds(9),
                default_rounds(128),
                default_rounds(129)
            ],
            [24, 16, 16, 10]
        );
        let s = IndexShuffle::new(100_003, 77, DEFAULT_ROUNDS).unwrap();
        let xs: Vec<i64> = (0..50_000).map(|i| (i * 7) % 100_003).collect();
        let mut out = vec![0u64; xs.len()];
        s.map_values(&xs, &mut out, false, false, &Never).unwrap();
        for (k, &x) in xs.iter().enumerate().step_by(97) {
            assert_eq!(out[k], s.forward(x as u64).unwrap());
        }
        let bad = [1i64, -1];
        let mut out2 = [0u64; 2];
        assert!(s.map_values(&bad, &mut out2, false, false, &Never).is_err());
        s.map_values(&bad, &mut out2, false, true, &Never).unwrap();
        assert_eq!(out2[1], s.forward(100_002).unwrap());
        assert!(s.forward(100_003).is_err());
        assert!(IndexShuffle::new(10, 1, 0).is_err());
        assert!(IndexShuffle::new(10, 1, MAX_ROUNDS + 1).is_err());
        assert!(derive_key(1, 0x45, 1 << 56).is_err());
        assert_eq!(
            crate::rng::keys::broken_key_rule(derive_key(1, 0x45, (1 << 56) - 1).unwrap()),
            None
        );
    }

    #[test]
    fn version_1_is_pinned() {
        // Golden values (docs/index_shuffle.md): a change is a new version.
        let s = IndexShuffle::new(10, 0xc8e4fd154ce32f6d, 8).unwrap();
        let got = all_images(&s);
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<u64>>());
        assert_eq!(got, GOLDEN_10);
    }

    const GOLDEN_10: [u64; 10] = [2, 8, 6, 1, 5, 9, 7, 3, 0, 4];
}
