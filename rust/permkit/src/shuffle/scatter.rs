//! The Rao-Sandelius bucket scatter behind large shuffles.

use super::fisher_yates;
use crate::rng::squares64;
use crate::rng::stream::StridedDraws;
use crate::{Error, Interrupt, Result};
use rayon::prelude::*;

/// Average bucket size aimed at: a bucket of 8-byte elements fits in L2.
const BUCKET_TARGET: usize = 1 << 14;
/// Fewest input elements per histogram chunk (an implementation detail: the
/// stable scatter gives the same order for any chunking).
const MIN_CHUNK: usize = 1 << 16;
/// At most this many histogram chunks, so histograms stay small next to the data.
const MAX_CHUNKS: usize = 256;
/// Buckets per parallel group in the Fisher-Yates pass; interrupts are polled between groups.
const BUCKET_GROUP: usize = 1 << 10;

/// The bucket count B for `n` elements: the smallest power of two at least
/// ceil(n / 2^14), and at least 2.
pub fn bucket_count(n: usize) -> usize {
    n.div_ceil(BUCKET_TARGET).next_power_of_two().max(2)
}

/// Scatters `source(i)` for i in 0..out.len() into buckets, then shuffles each
/// bucket; returns the counters consumed: n + B * (most attempts of a bucket).
pub(super) fn rao_sandelius<T: Copy + Send + Sync>(
    out: &mut [T],
    source: impl Fn(usize) -> T + Sync,
    key: u64,
    counter: u64,
    intr: &dyn Interrupt,
) -> Result<u64> {
    let n = out.len();
    let buckets = bucket_count(n);
    let shift = 64 - buckets.trailing_zeros();
    let bucket_of = |i: usize| (squares64(key, counter.wrapping_add(i as u64)) >> shift) as usize;
    let chunk = n.div_ceil(MAX_CHUNKS).max(MIN_CHUNK);
    let chunks = n.div_ceil(chunk);
    let cells = chunks
        .checked_mul(buckets)
        .ok_or_else(|| Error::Overflow(format!("a shuffle of {n} elements needs too many histogram cells")))?;
    let mut offsets: Vec<usize> = Vec::new();
    offsets
        .try_reserve_exact(cells)
        .map_err(|_| Error::Overflow(format!("the histograms of a shuffle of {n} elements cannot be allocated")))?;
    offsets.resize(cells, 0);

    // Pass 1: per-chunk bucket histograms. Nothing is written to `out` yet, so
    // this is where an interrupt leaves the input untouched.
    intr.check()?;
    offsets.par_chunks_mut(buckets).enumerate().for_each(|(c, hist)| {
        for i in c * chunk..((c + 1) * chunk).min(n) {
            hist[bucket_of(i)] += 1;
        }
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
    offsets.par_chunks_mut(buckets).enumerate().for_each(|(c, next)| {
        for i in c * chunk..((c + 1) * chunk).min(n) {
            let slot = &mut next[bucket_of(i)];
            // SAFETY: the prefix sums give every element its own index in 0..n,
            // computed from the same bucket function as the histograms.
            unsafe { target.write(*slot, source(i)) };
            *slot += 1;
        }
    });

    // Pass 3: Fisher-Yates inside each bucket, bucket b on counters
    // counter + n + b + t * B.
    let mut bucket_slices: Vec<&mut [T]> = Vec::with_capacity(buckets);
    let mut rest = out;
    for b in 0..buckets {
        let (head, tail) = rest.split_at_mut(starts[b + 1] - starts[b]);
        bucket_slices.push(head);
        rest = tail;
    }
    let base = counter.wrapping_add(n as u64);
    let mut max_attempts = 0u64;
    for (g, group) in bucket_slices.chunks_mut(BUCKET_GROUP).enumerate() {
        intr.check()?;
        let attempts = group
            .par_iter_mut()
            .enumerate()
            .map(|(k, slice)| {
                let b = (g * BUCKET_GROUP + k) as u64;
                let mut draws = StridedDraws::new(key, base.wrapping_add(b), buckets as u64);
                fisher_yates(slice, &mut draws);
                draws.attempts
            })
            .max()
            .unwrap_or(0);
        max_attempts = max_attempts.max(attempts);
    }
    Ok((n as u64).wrapping_add((buckets as u64).wrapping_mul(max_attempts)))
}

/// A raw pointer that parallel tasks write through at provably distinct indices.
#[derive(Clone, Copy)]
struct SharedSlice<T>(*mut T);
unsafe impl<T: Send> Send for SharedSlice<T> {}
unsafe impl<T: Send> Sync for SharedSlice<T> {}
impl<T> SharedSlice<T> {
    unsafe fn write(self, i: usize, v: T) {
        *self.0.add(i) = v;
    }
}
