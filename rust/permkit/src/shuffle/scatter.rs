//! The Rao-Sandelius bucket scatter behind large shuffles.

use super::fisher_yates_words;
use crate::rng::stream::{squares64_strided, HalfWordDraws};
use crate::rng::WordStream;
use crate::{Error, Interrupt, Result};
use rayon::prelude::*;
use std::mem::MaybeUninit;

/// Average bucket size aimed at (part of the spec: B depends on it). A bucket
/// of 8-byte elements stays in L2 while the scatter writes to few streams.
const BUCKET_TARGET: usize = 1 << 16;
/// Fewest input elements per histogram chunk (an implementation detail: the
/// stable scatter gives the same order for any chunking).
const MIN_CHUNK: usize = 1 << 16;
/// At most this many histogram chunks, so histograms stay small next to the data.
const MAX_CHUNKS: usize = 256;
/// Buckets per parallel group in the Fisher-Yates pass; interrupts are polled between groups.
const BUCKET_GROUP: usize = 1 << 10;

/// The bucket count B for `n` elements: the smallest power of two at least
/// ceil(n / 2^16), and at least 2.
pub(super) fn bucket_count(n: usize) -> usize {
    n.div_ceil(BUCKET_TARGET).next_power_of_two().max(2)
}

/// Scatters `source(i)` for i in 0..out.len() into buckets of `out`, then
/// shuffles each bucket and, when `dest` is given, copies it there while it is
/// still in cache. Returns the counters consumed: W + B * (most counters a
/// bucket used). The interrupt is polled only before anything is written.
///
/// # Safety
/// `dest`, when given, points to `out.len()` writable elements that `source`
/// no longer reads once pass 2 is over, and that no one else accesses meanwhile.
// SAFETY (contract): as stated under "# Safety" above.
pub(super) unsafe fn rao_sandelius<T: Copy + Send + Sync>(
    out: &mut [MaybeUninit<T>],
    source: impl Fn(usize) -> T + Sync,
    dest: Option<SharedSlice<T>>,
    key: u64,
    counter: u64,
    intr: &dyn Interrupt,
) -> Result<u64> {
    let n = out.len();
    let buckets = bucket_count(n);
    let bits = buckets.trailing_zeros() as usize;
    let per = 64 / bits;
    let words = n.div_ceil(per);
    let packed = PackedBuckets {
        key,
        counter,
        bits,
        per,
        n,
    };
    let chunk_words = n.div_ceil(MAX_CHUNKS).max(MIN_CHUNK).div_ceil(per);
    let chunks = words.div_ceil(chunk_words);
    let word_range = |c: usize| (c * chunk_words, ((c + 1) * chunk_words).min(words));
    let cells = chunks.checked_mul(buckets).ok_or_else(|| {
        Error::Overflow(format!(
            "a shuffle of {n} elements needs too many histogram cells"
        ))
    })?;
    let mut offsets: Vec<usize> = Vec::new();
    offsets.try_reserve_exact(cells).map_err(|_| {
        Error::Overflow(format!(
            "the histograms of a shuffle of {n} elements cannot be allocated"
        ))
    })?;
    offsets.resize(cells, 0);

    // Pass 1: per-chunk bucket histograms. Nothing is written to `out` yet, so
    // this is where an interrupt leaves the input untouched.
    intr.check()?;
    offsets
        .par_chunks_mut(buckets)
        .enumerate()
        .for_each(|(c, hist)| {
            let (w0, w1) = word_range(c);
            packed.for_each(w0, w1, |_, b| hist[b] += 1);
        });
    intr.check()?;

    // Exclusive prefix sums in (bucket, chunk) order make the scatter stable.
    let mut starts = Vec::with_capacity(buckets + 1);
    let mut total = 0usize;
    for b in 0..buckets {
        starts.push(total);
        for c in 0..chunks {
            let cell = &mut offsets[c * buckets + b];
            let count = *cell;
            *cell = total;
            total += count;
        }
    }
    starts.push(total);

    // Pass 2: stable scatter. Not interruptible: `out` is mid-rewrite.
    let target = SharedSlice(out.as_mut_ptr());
    offsets
        .par_chunks_mut(buckets)
        .enumerate()
        .for_each(|(c, next)| {
            let (w0, w1) = word_range(c);
            packed.for_each(w0, w1, |i, b| {
                let slot = &mut next[b];
                // SAFETY: the prefix sums give every element its own index in 0..n,
                // computed from the same bucket numbers as the histograms.
                unsafe { target.write(*slot, MaybeUninit::new(source(i))) };
                *slot += 1;
            });
        });

    // Pass 3: Fisher-Yates inside each bucket, bucket b on counters
    // counter + W + b + t * B.
    let mut bucket_slices: Vec<(usize, &mut [MaybeUninit<T>])> = Vec::with_capacity(buckets);
    let mut rest = out;
    for b in 0..buckets {
        let (head, tail) = rest.split_at_mut(starts[b + 1] - starts[b]);
        bucket_slices.push((starts[b], head));
        rest = tail;
    }
    let base = counter.wrapping_add(words as u64);
    let mut most = 0u64;
    for (g, group) in bucket_slices.chunks_mut(BUCKET_GROUP).enumerate() {
        if dest.is_none() {
            intr.check()?;
        }
        let used = group
            .par_iter_mut()
            .enumerate()
            .map(|(k, (start, slice))| {
                let b = (g * BUCKET_GROUP + k) as u64;
                pull_into_cache(slice);
                let mut draws = HalfWordDraws::new(
                    key,
                    base.wrapping_add(b),
                    buckets as u64,
                    fisher_yates_words(slice.len()),
                );
                draws.shuffle(slice);
                if let Some(dest) = dest {
                    // SAFETY: buckets cover disjoint ranges of 0..n and were
                    // fully written by the scatter; the caller vouches for dest.
                    unsafe { dest.copy_from(*start, slice) };
                }
                draws.counters_used()
            })
            .max()
            .unwrap_or(0);
        most = most.max(used);
    }
    Ok((words as u64).wrapping_add((buckets as u64).wrapping_mul(most)))
}

/// Reads one byte per cache line of a bucket, front to back, before its
/// Fisher-Yates pass: a sequential sweep the hardware prefetcher streams into
/// L2, where the random swaps then hit, instead of each swap missing to memory.
fn pull_into_cache<T>(slice: &[MaybeUninit<T>]) {
    let start = slice.as_ptr() as *const u8;
    let mut acc = 0u8;
    for offset in (0..std::mem::size_of_val(slice)).step_by(64) {
        // SAFETY: in bounds; the scatter initialised every byte of the bucket.
        acc ^= unsafe { start.add(offset).read() };
    }
    std::hint::black_box(acc);
}

/// Squares64 outputs computed at once for bucket numbers (vectorised).
const WORD_BATCH: usize = 256;

/// Bucket numbers of `bits` bits, `per` to a Squares64 output, top bits first.
struct PackedBuckets {
    key: u64,
    counter: u64,
    bits: usize,
    per: usize,
    n: usize,
}

impl PackedBuckets {
    /// Calls `f(i, bucket of i)` for the elements of output words `w0..w1`, in order.
    #[inline(always)]
    fn for_each(&self, w0: usize, w1: usize, mut f: impl FnMut(usize, usize)) {
        let mut batch = [0u64; WORD_BATCH];
        for start in (w0..w1).step_by(WORD_BATCH) {
            let words = &mut batch[..WORD_BATCH.min(w1 - start)];
            squares64_strided(self.key, self.counter.wrapping_add(start as u64), 1, words);
            for (k, &x) in words.iter().enumerate() {
                let first = (start + k) * self.per;
                for (r, i) in (first..(first + self.per).min(self.n)).enumerate() {
                    f(i, ((x << (self.bits * r)) >> (64 - self.bits)) as usize);
                }
            }
        }
    }
}

/// A raw pointer that parallel tasks write through at provably distinct indices.
#[derive(Clone, Copy)]
pub(super) struct SharedSlice<T>(pub(super) *mut T);
// SAFETY: a SharedSlice is only dereferenced through `read`/`write`, whose callers touch
// in-bounds, pairwise distinct indices from different tasks, so no two threads race on an
// element; `T: Send` lets the values themselves cross threads.
unsafe impl<T: Send> Send for SharedSlice<T> {}
// SAFETY: as for Send: shared references only copy the pointer; every access goes through
// `read`/`write` under the distinct-index contract above.
unsafe impl<T: Send> Sync for SharedSlice<T> {}
// SAFETY (contract of the three methods): `i` / `start..start + src.len()` lie inside
// the slice this pointer was made from, and no other task touches those indices meanwhile.
impl<T> SharedSlice<T> {
    unsafe fn write(self, i: usize, v: T) {
        *self.0.add(i) = v;
    }
    // SAFETY (contract): `start..start + src.len()` is in bounds and touched by no other task.
    unsafe fn copy_from(self, start: usize, src: &[MaybeUninit<T>]) {
        std::ptr::copy_nonoverlapping(src.as_ptr() as *const T, self.0.add(start), src.len());
    }
    // SAFETY (contract): `i` is in bounds, initialised, and not being written by another task.
    pub(super) unsafe fn read(self, i: usize) -> T
    where
        T: Copy,
    {
        *self.0.add(i)
    }
}
