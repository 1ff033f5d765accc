//! Block generation of whole output streams, and the half-word draw stream
//! shuffles use.
//!
//! Output `i` of a stream depends only on (key, counter + i), so a block is
//! filled in fixed-size chunks on every core and the result is the same for
//! any thread count.

use super::words::WordStream;
use super::{philox4x32_10, squares32, squares64};
use rayon::prelude::*;

/// Outputs per parallel task: large enough to amortise scheduling, small
/// enough to balance two cores on a block of a few hundred thousand words.
const FILL_CHUNK: usize = 1 << 14;

/// Writes `f(i)` to `out[i]` for every `i`, in parallel chunks.
fn par_fill(out: &mut [u64], f: impl Fn(u64) -> u64 + Sync) {
    let wide = simd::has_avx512();
    out.par_chunks_mut(FILL_CHUNK)
        .enumerate()
        .for_each(|(c, chunk)| {
            let base = (c * FILL_CHUNK) as u64;
            if wide {
                // SAFETY: the CPU supports the features the wide version is compiled for.
                unsafe { simd::fill_avx512(chunk, base, &f) }
            } else {
                fill_scalar(chunk, base, &f)
            }
        });
}

#[inline(always)]
fn fill_scalar(chunk: &mut [u64], base: u64, f: &impl Fn(u64) -> u64) {
    for (i, slot) in chunk.iter_mut().enumerate() {
        *slot = f(base + i as u64);
    }
}

/// The same loops compiled for AVX-512, where 64-bit multiplies vectorise
/// (8 counters per instruction). Chosen at run time; results are identical.
/// Compiled only where build.rs found Rust >= 1.89 (`cfg(permkit_avx512)`).
#[allow(clippy::incompatible_msrv)]
mod simd {
    #[cfg(all(target_arch = "x86_64", permkit_avx512))]
    pub fn has_avx512() -> bool {
        std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512dq")
    }

    #[cfg(not(all(target_arch = "x86_64", permkit_avx512)))]
    pub fn has_avx512() -> bool {
        false
    }

    // SAFETY (contract): callers must have checked `has_avx512()`; the body is safe code.
    #[cfg(all(target_arch = "x86_64", permkit_avx512))]
    #[target_feature(enable = "avx512f,avx512dq")]
    pub unsafe fn fill_avx512(chunk: &mut [u64], base: u64, f: &impl Fn(u64) -> u64) {
        super::fill_scalar(chunk, base, f)
    }

    // SAFETY (contract): none beyond the AVX-512 variant's; this fallback is safe code.
    #[cfg(not(all(target_arch = "x86_64", permkit_avx512)))]
    pub unsafe fn fill_avx512(chunk: &mut [u64], base: u64, f: &impl Fn(u64) -> u64) {
        super::fill_scalar(chunk, base, f)
    }

    /// `out[i] = squares64(key, first + i)` (or squares32 widened when `!WIDE`),
    /// eight counters per instruction, 64-byte aligned runs written with
    /// streaming stores.
    // SAFETY (contract): callers must have checked `has_avx512()`.
    #[cfg(all(target_arch = "x86_64", permkit_avx512))]
    #[target_feature(enable = "avx512f,avx512dq")]
    pub unsafe fn squares_streaming<const WIDE: bool>(key: u64, first: u64, out: &mut [u64]) {
        use super::{squares32, squares64};
        use std::arch::x86_64::*;
        let scalar = |i: usize| {
            let ctr = first.wrapping_add(i as u64);
            if WIDE {
                squares64(key, ctr)
            } else {
                squares32(key, ctr) as u64
            }
        };
        let len = out.len();
        let ptr = out.as_mut_ptr();
        let head = (ptr.align_offset(64)).min(len);
        for (i, slot) in out[..head].iter_mut().enumerate() {
            *slot = scalar(i);
        }
        let k = _mm512_set1_epi64(key as i64);
        let lanes = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
        let sq = |x: __m512i| _mm512_mullo_epi64(x, x);
        let mut i = head;
        while i + 8 <= len {
            let ctr = _mm512_add_epi64(
                _mm512_set1_epi64(first.wrapping_add(i as u64) as i64),
                lanes,
            );
            let y = _mm512_mullo_epi64(ctr, k);
            let z = _mm512_add_epi64(y, k);
            let mut x = _mm512_ror_epi64::<32>(_mm512_add_epi64(sq(y), y));
            x = _mm512_ror_epi64::<32>(_mm512_add_epi64(sq(x), z));
            x = _mm512_ror_epi64::<32>(_mm512_add_epi64(sq(x), y));
            let t = _mm512_add_epi64(sq(x), z);
            let v = if WIDE {
                let x = _mm512_ror_epi64::<32>(t);
                _mm512_xor_si512(t, _mm512_srli_epi64::<32>(_mm512_add_epi64(sq(x), y)))
            } else {
                _mm512_srli_epi64::<32>(t)
            };
            // SAFETY: ptr + i is 64-byte aligned (head) and 8 elements remain.
            _mm512_stream_si512(ptr.add(i) as *mut __m512i, v);
            i += 8;
        }
        for (j, slot) in out[i..].iter_mut().enumerate() {
            *slot = scalar(i + j);
        }
        // Streaming stores are weakly ordered: fence before others read the block.
        _mm_sfence();
    }

    // SAFETY (contract): none beyond the AVX-512 variant's; this fallback is safe code.
    #[cfg(not(all(target_arch = "x86_64", permkit_avx512)))]
    pub unsafe fn squares_streaming<const WIDE: bool>(key: u64, first: u64, out: &mut [u64]) {
        use super::{squares32, squares64};
        for (i, slot) in out.iter_mut().enumerate() {
            let ctr = first.wrapping_add(i as u64);
            *slot = if WIDE {
                squares64(key, ctr)
            } else {
                squares32(key, ctr) as u64
            };
        }
    }
}

/// Blocks at least this long are written with streaming (non-temporal) stores
/// where available: they would only evict the cache on their way to memory.
const STREAMING_MIN: usize = 1 << 17;

/// `out[i] = squares64(key, counter + i)` (mod 2^64 counters).
pub fn fill_squares64(key: u64, counter: u64, out: &mut [u64]) {
    fill_squares::<true>(key, counter, out)
}

/// `out[i] = squares32(key, counter + i)`, one 32-bit output per element.
pub fn fill_squares32(key: u64, counter: u64, out: &mut [u64]) {
    fill_squares::<false>(key, counter, out)
}

fn fill_squares<const WIDE: bool>(key: u64, counter: u64, out: &mut [u64]) {
    let f = |i: u64| {
        let ctr = counter.wrapping_add(i);
        if WIDE {
            squares64(key, ctr)
        } else {
            squares32(key, ctr) as u64
        }
    };
    if out.len() >= STREAMING_MIN && simd::has_avx512() {
        out.par_chunks_mut(FILL_CHUNK)
            .enumerate()
            .for_each(|(c, chunk)| {
                let first = counter.wrapping_add((c * FILL_CHUNK) as u64);
                // SAFETY: the CPU supports AVX-512 F and DQ (checked above).
                unsafe { simd::squares_streaming::<WIDE>(key, first, chunk) }
            });
    } else {
        par_fill(out, f);
    }
}

/// `out[k] = squares64(key, first + k * stride)`, sequentially on this thread
/// (vectorised where the CPU allows).
pub fn squares64_strided(key: u64, first: u64, stride: u64, out: &mut [u64]) {
    let f = |k: u64| squares64(key, first.wrapping_add(k.wrapping_mul(stride)));
    if simd::has_avx512() {
        // SAFETY: the CPU supports the features the wide version is compiled for.
        unsafe { simd::fill_avx512(out, 0, &f) }
    } else {
        fill_scalar(out, 0, &f)
    }
}

/// The Philox4x32-10 key words of a 64-bit key: word 0 is the low half.
pub fn philox_key_words(key: u64) -> [u32; 2] {
    [key as u32, (key >> 32) as u32]
}

/// The 128-bit block of `counter` (counter word 0 = least significant 32 bits).
#[inline(always)]
pub fn philox_block(key: [u32; 2], counter: u128) -> [u32; 4] {
    let c = [
        counter as u32,
        (counter >> 32) as u32,
        (counter >> 64) as u32,
        (counter >> 96) as u32,
    ];
    philox4x32_10(c, key)
}

/// Philox4x32 as a stream of 32-bit outputs: block `b` yields its words 0..4
/// in order, then block `b + 1`. Fills `out[i]` with the output `i` places
/// after word `word` (0..4) of block `counter`, one output per element.
pub fn fill_philox4x32(key: [u32; 2], counter: u128, word: u32, out: &mut [u64]) {
    out.par_chunks_mut(FILL_CHUNK)
        .enumerate()
        .for_each(|(c, chunk)| {
            let first = word as u128 + (c * FILL_CHUNK) as u128;
            let mut block_index = counter.wrapping_add(first / 4);
            let mut w = (first % 4) as usize;
            let mut block = philox_block(key, block_index);
            for slot in chunk.iter_mut() {
                if w == 4 {
                    block_index = block_index.wrapping_add(1);
                    block = philox_block(key, block_index);
                    w = 0;
                }
                *slot = block[w] as u64;
                w += 1;
            }
        });
}

/// Squares64 outputs a [`HalfWordDraws`] computes at once (vectorised).
const DRAW_BATCH: usize = 64;

/// Unbiased draws from a stream of 32-bit words cut from Squares64 outputs:
/// word `t` is the high (t even) or low (t odd) half of
/// `squares64(key, first + (t / 2) * stride)`. A bound up to 2^32 takes one
/// word per attempt; a larger bound takes two (high word first) as one 64-bit
/// word. Rejected attempts consume their words too.
#[derive(Debug, Clone)]
pub struct HalfWordDraws {
    key: u64,
    first: u64,
    stride: u64,
    /// Counters the caller expects to need: batches never compute far beyond.
    expected: u64,
    /// The current batch as 32-bit words in stream order (high half first).
    halves: [u32; 2 * DRAW_BATCH],
    /// Next unread and one-past-last word of `halves`.
    pos: usize,
    end: usize,
    /// Stream word index of `halves[0]`, and the counter index after the batch.
    batch_word: u64,
    next_index: u64,
}

impl HalfWordDraws {
    /// Draws on counters `first + t * stride`; `expected` (a hint, e.g.
    /// ceil((n - 1) / 2) for a Fisher-Yates pass over n elements) bounds the
    /// work done ahead of need. The hint never changes the values drawn.
    pub fn new(key: u64, first: u64, stride: u64, expected: u64) -> Self {
        Self {
            key,
            first,
            stride,
            expected,
            halves: [0; 2 * DRAW_BATCH],
            pos: 0,
            end: 0,
            batch_word: 0,
            next_index: 0,
        }
    }

    #[inline(never)]
    fn refill(&mut self) {
        let index = self.next_index;
        let len = self
            .expected
            .saturating_sub(index)
            .clamp(1, DRAW_BATCH as u64) as usize;
        let mut outputs = [0u64; DRAW_BATCH];
        let first = self.first.wrapping_add(index.wrapping_mul(self.stride));
        squares64_strided(self.key, first, self.stride, &mut outputs[..len]);
        for (pair, &x) in self.halves.chunks_exact_mut(2).zip(&outputs[..len]) {
            pair[0] = (x >> 32) as u32;
            pair[1] = x as u32;
        }
        self.batch_word = 2 * index;
        self.next_index = index + len as u64;
        self.pos = 0;
        self.end = 2 * len;
    }

    /// Counters touched so far: the stream advances by this many (times the stride).
    pub fn counters_used(&self) -> u64 {
        (self.batch_word + self.pos as u64).div_ceil(2)
    }
}

impl WordStream for HalfWordDraws {
    const WORD_BITS: u32 = 32;

    #[inline(always)]
    fn next_word(&mut self) -> u64 {
        if self.pos == self.end {
            self.refill();
        }
        let w = self.halves[self.pos];
        self.pos += 1;
        w as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::words::lemire;

    const KEY: u64 = 0xc8e4fd154ce32f6d;

    #[test]
    fn fills_match_the_pure_functions_across_chunks() {
        let n = 3 * FILL_CHUNK + 17;
        let start = u64::MAX - 5; // wraps mod 2^64 inside the block
        let mut out = vec![0u64; n];
        fill_squares64(KEY, start, &mut out);
        assert!(out
            .iter()
            .enumerate()
            .all(|(i, &v)| v == squares64(KEY, start.wrapping_add(i as u64))));
        fill_squares32(KEY, start, &mut out);
        assert!(out
            .iter()
            .enumerate()
            .all(|(i, &v)| v == squares32(KEY, start.wrapping_add(i as u64)) as u64));
    }

    #[test]
    fn streaming_fills_match_the_pure_functions() {
        // Long enough for the streaming path, odd offsets for unaligned heads/tails.
        let n = STREAMING_MIN + 2 * FILL_CHUNK + 13;
        let mut buffer = vec![0u64; n + 3];
        for offset in [0usize, 1, 3] {
            let out = &mut buffer[offset..offset + n];
            fill_squares64(KEY, 77, out);
            assert!(out
                .iter()
                .enumerate()
                .all(|(i, &v)| v == squares64(KEY, 77 + i as u64)));
            fill_squares32(KEY, u64::MAX, out);
            assert!(out
                .iter()
                .enumerate()
                .all(|(i, &v)| v == squares32(KEY, u64::MAX.wrapping_add(i as u64)) as u64));
        }
    }

    #[test]
    fn philox_stream_walks_blocks_word_by_word() {
        let key = philox_key_words(0x0123_4567_89ab_cdef);
        for word in 0..4u32 {
            let counter = u128::MAX - 2;
            let mut out = vec![0u64; 2 * FILL_CHUNK + 9];
            fill_philox4x32(key, counter, word, &mut out);
            for (i, &v) in out.iter().enumerate() {
                let pos = word as u128 + i as u128;
                let block = philox_block(key, counter.wrapping_add(pos / 4));
                assert_eq!(v, block[(pos % 4) as usize] as u64, "word {word} i {i}");
            }
        }
    }

    #[test]
    fn philox_block_uses_word0_as_low_counter_bits() {
        // Random123 KAT: counter words (243f6a88, 85a308d3, 13198a2e, 03707344).
        let counter = 0x03707344_13198a2e_85a308d3_243f6a88u128;
        assert_eq!(
            philox_block([0xa4093822, 0x299f31d0], counter),
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
        );
    }

    #[test]
    fn strided_batches_match_the_pure_function() {
        let mut out = vec![0u64; 1000];
        squares64_strided(KEY, u64::MAX - 3, 5, &mut out);
        for (k, &v) in out.iter().enumerate() {
            assert_eq!(v, squares64(KEY, (u64::MAX - 3).wrapping_add(5 * k as u64)));
        }
        // The hint changes only how far ahead batches reach, never the draws.
        let draws = |hint: u64| {
            let mut d = HalfWordDraws::new(KEY, 3, 11, hint);
            (0..500).map(|i| d.below(1 + i * 97)).collect::<Vec<_>>()
        };
        assert_eq!(draws(0), draws(250));
        assert_eq!(draws(0), draws(10_000));
    }

    #[test]
    fn half_word_draws_are_pinned() {
        // Golden (docs/shuffle.md, draw sequence): one- and two-word draws.
        let mut d = HalfWordDraws::new(KEY, 5, 3, 0);
        let bounds = [1, 2, 1000, 1 << 32, (1 << 32) + 1, u64::MAX, 7];
        let got: Vec<u64> = bounds.iter().map(|&b| d.below(b)).collect();
        assert_eq!(
            got,
            [0, 0, 332, 1075510748, 2862450403, 7097451242426747856, 6]
        );
        assert_eq!(d.counters_used(), 5);
    }

    #[test]
    fn half_word_draws_cut_outputs_high_half_first() {
        let mut d = HalfWordDraws::new(KEY, 10, 7, 1);
        let w0 = squares64(KEY, 10);
        let w1 = squares64(KEY, 17);
        let bound = 1000u64;
        let expect = |w: u32| lemire::<32>(w as u64, bound).unwrap();
        assert_eq!(d.below(bound), expect((w0 >> 32) as u32));
        assert_eq!(d.below(bound), expect(w0 as u32));
        assert_eq!(d.below(bound), expect((w1 >> 32) as u32));
        assert_eq!(d.counters_used(), 2);
        let big = (1u64 << 40) + 3;
        assert_eq!(
            d.below(big),
            lemire::<64>(((w1 as u32 as u64) << 32) | (squares64(KEY, 24) >> 32), big).unwrap()
        );
        assert_eq!(d.counters_used(), 3);
    }
}
