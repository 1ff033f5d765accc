//! The one word-stream trait: every random consumer in the crate (shuffles,
//! Monte Carlo resamples, key derivation, data-loader draws, numpy bit
//! generators) draws through it, so there is one bounded draw and one
//! Fisher–Yates (specs: docs/shuffle.md, docs/exact_tests.md, docs/rng.md).

/// A stream of uniform words of `WORD_BITS` bits (32 or 64).
pub trait WordStream {
    /// Bits per word: 64, or 32 for streams of half-words.
    const WORD_BITS: u32;

    /// The next word: uniform in `0..2^WORD_BITS`.
    fn next_word(&mut self) -> u64;

    /// A uniform draw in `0..bound` (`bound >= 1`): Lemire's multiply-shift on
    /// one word, or, for a bound above 2^32 on a 32-bit stream, on two words
    /// joined as one 64-bit word (first word high). A rejected attempt consumes
    /// its words and draws again.
    #[inline(always)]
    fn below(&mut self, bound: u64) -> u64 {
        debug_assert!(bound >= 1);
        if Self::WORD_BITS == 32 {
            if bound <= 1 << 32 {
                loop {
                    if let Some(v) = lemire::<32>(self.next_word(), bound) {
                        return v;
                    }
                }
            }
            loop {
                let high = self.next_word();
                if let Some(v) = lemire::<64>((high << 32) | self.next_word(), bound) {
                    return v;
                }
            }
        }
        loop {
            if let Some(v) = lemire::<64>(self.next_word(), bound) {
                return v;
            }
        }
    }

    /// Durstenfeld's Fisher–Yates steps `i = hi - 1` down to `lo` (`lo >= 1`):
    /// swap `a[i]` with `a[below(i + 1)]`. Steps `a.len() - 1 ..= 1` together
    /// are a full shuffle; callers that poll for interrupts run them in ranges.
    #[inline(always)]
    fn fisher_yates_steps<T>(&mut self, a: &mut [T], lo: usize, hi: usize) {
        for i in (lo.max(1)..hi).rev() {
            let j = self.below(i as u64 + 1) as usize;
            a.swap(i, j);
        }
    }

    /// A full Durstenfeld Fisher–Yates shuffle of `a`.
    #[inline(always)]
    fn shuffle<T>(&mut self, a: &mut [T]) {
        self.fisher_yates_steps(a, 1, a.len())
    }

    /// The prefix form (versioned by the Monte Carlo spec): for `i = 0` up to
    /// `min(prefix, n - 1) - 1`, swap `a[i]` with `a[i + below(n - i)]`, so that
    /// positions `0..prefix` become a uniform draw without replacement from
    /// all of `a` (`prefix = n - 1` shuffles fully).
    #[inline]
    fn shuffle_prefix<T>(&mut self, a: &mut [T], prefix: usize) {
        let n = a.len();
        for i in 0..prefix.min(n.saturating_sub(1)) {
            let j = i + self.below((n - i) as u64) as usize;
            a.swap(i, j);
        }
    }
}

/// Lemire's multiply-shift draw in `0..bound` from one uniform `BITS`-bit
/// `word` (`BITS` is 32 or 64; `bound <= 2^BITS`), or `None` when the word
/// falls in the rejected zone (the low product word is below
/// `2^BITS mod bound`). Exactly uniform; rejection probability < bound / 2^BITS.
#[inline(always)]
pub(crate) fn lemire<const BITS: u32>(word: u64, bound: u64) -> Option<u64> {
    if BITS == 32 {
        let m = word * bound;
        let low = m & 0xFFFF_FFFF;
        if low < bound && low < ((1u64 << 32) - bound) % bound {
            return None;
        }
        Some(m >> 32)
    } else {
        let m = word as u128 * bound as u128;
        let low = m as u64;
        if low < bound && low < bound.wrapping_neg() % bound {
            return None;
        }
        Some((m >> 64) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::splitmix::SplitMix64;

    #[test]
    fn lemire_rejects_exactly_the_biased_zone() {
        // The accepted words of each value form runs of equal length
        // floor(2^64 / bound): a word is rejected iff its low product word is
        // below 2^64 mod bound.
        let mut sm = SplitMix64::new(3);
        for bound in [1u64, 2, 3, 7, 1000, (1 << 63) + 1, u64::MAX] {
            let zone = bound.wrapping_neg() % bound;
            for _ in 0..2000 {
                let w = sm.next_word();
                let m = w as u128 * bound as u128;
                let want = if (m as u64) < zone {
                    None
                } else {
                    Some((m >> 64) as u64)
                };
                assert_eq!(lemire::<64>(w, bound), want);
            }
        }
        assert_eq!(lemire::<64>(0, 3), None);
        assert_eq!(lemire::<64>(u64::MAX, 3), Some(2));
        assert_eq!(lemire::<64>(0, 1), Some(0));
    }

    #[test]
    fn lemire32_rejects_exactly_the_biased_zone() {
        for bound in [1u64, 3, 1000, (1 << 31) + 1, 1 << 32] {
            let zone = ((1u64 << 32) - bound) % bound;
            for w in (0..=u32::MAX as u64).step_by(65_521) {
                let m = w * bound;
                let want = if (m & 0xFFFF_FFFF) < zone {
                    None
                } else {
                    Some(m >> 32)
                };
                assert_eq!(lemire::<32>(w, bound), want);
            }
        }
        assert_eq!(lemire::<32>(0, 3), None);
        assert_eq!(
            lemire::<32>(u32::MAX as u64, 1 << 32),
            Some(u32::MAX as u64)
        );
    }

    /// A stream that replays fixed words.
    struct Replay<const BITS: u32>(std::vec::IntoIter<u64>);
    impl<const BITS: u32> WordStream for Replay<BITS> {
        const WORD_BITS: u32 = BITS;
        fn next_word(&mut self) -> u64 {
            self.0.next().expect("enough words")
        }
    }

    #[test]
    fn draws_take_the_documented_words() {
        // 64-bit stream: one word per attempt, a rejected word is skipped.
        let mut s = Replay::<64>(vec![0, u64::MAX].into_iter());
        assert_eq!(s.below(3), 2);
        // 32-bit stream: one word for bound <= 2^32, two (high first) above.
        let mut s = Replay::<32>(vec![0x8000_0000, 0x1, 0x2].into_iter());
        assert_eq!(s.below(2), 1);
        let big = (1u64 << 40) + 3;
        assert_eq!(s.below(big), lemire::<64>((1 << 32) | 2, big).unwrap());
    }

    #[test]
    fn fisher_yates_forms_match_their_definitions() {
        let words: Vec<u64> = {
            let mut sm = SplitMix64::new(11);
            (0..64).map(|_| sm.next_word()).collect()
        };
        let mut a: Vec<u32> = (0..10).collect();
        Replay::<64>(words.clone().into_iter()).shuffle(&mut a);
        let mut want: Vec<u32> = (0..10).collect();
        let mut replay = Replay::<64>(words.clone().into_iter());
        for i in (1..10).rev() {
            let j = replay.below(i as u64 + 1) as usize;
            want.swap(i, j);
        }
        assert_eq!(a, want);
        // Steps in ranges equal one full pass.
        let mut b: Vec<u32> = (0..10).collect();
        let mut replay = Replay::<64>(words.clone().into_iter());
        replay.fisher_yates_steps(&mut b, 6, 10);
        replay.fisher_yates_steps(&mut b, 1, 6);
        assert_eq!(b, want);
        let mut c: Vec<u32> = (0..10).collect();
        let mut replay = Replay::<64>(words.into_iter());
        replay.shuffle_prefix(&mut c, 3);
        assert!(c[3..].iter().all(|v| !c[..3].contains(v)));
    }
}
