//! Uniform shuffles driven by the Squares64 counter-based stream (spec:
//! docs/shuffle.md). Every result depends only on (key, counter, n): never on
//! the thread count or on how the work is chunked.
//!
//! Draws are the [`WordStream`] bounded draw on half-words of Squares64
//! outputs ([`HalfWordDraws`]); Fisher-Yates is [`WordStream::shuffle`].
//! - `n <= FISHER_YATES_MAX`: Durstenfeld's Fisher-Yates (i = n-1 down to 1,
//!   swap a[i] with a[j], j uniform in 0..=i) on the counters `counter`,
//!   `counter + 1`, ... .
//! - larger `n`: Rao-Sandelius. With B = 2^k buckets and `per = 64 / k`
//!   bucket numbers packed per output, element i goes to bucket number
//!   `i % per` (from the top) of `squares64(key, counter + i / per)`; a stable
//!   scatter groups the buckets in order; bucket b is Fisher-Yates-shuffled on
//!   counters `counter + W + b + t * B` (W = ceil(n / per) counters used for
//!   bucket numbers). Buckets are cache-sized; both phases run in parallel.

mod scatter;

use crate::rng::stream::HalfWordDraws;
use crate::rng::WordStream;
use crate::{Error, Interrupt, PermIndex, Result};
use rayon::prelude::*;
use std::mem::MaybeUninit;

#[cfg(test)]
use scatter::bucket_count;

/// Sizes up to this are shuffled by one sequential Fisher-Yates pass.
pub const FISHER_YATES_MAX: usize = 1 << 16;

/// Rows per parallel group in `permuted_rows`; the interrupt is polled between groups.
const ROW_GROUP: usize = 1 << 12;

/// Counters a Fisher-Yates pass over `n` elements needs without rejections.
#[inline]
fn fisher_yates_words(n: usize) -> u64 {
    (n.saturating_sub(1) as u64).div_ceil(2)
}

/// Writes a uniformly random permutation of `0..out.len()` into `out`.
/// Returns the number of counters consumed (the stream advances by it).
pub fn permutation_into<T: PermIndex>(
    out: &mut [T],
    key: u64,
    counter: u64,
    intr: &dyn Interrupt,
) -> Result<u64> {
    let n = out.len();
    if n as u128 > T::MAX_LEN {
        return Err(Error::InvalidValue(format!(
            "a permutation of length {n} does not fit this integer type (at most {} values)",
            T::MAX_LEN
        )));
    }
    if n <= FISHER_YATES_MAX {
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = T::from_usize(i);
        }
        let mut draws = HalfWordDraws::new(key, counter, 1, fisher_yates_words(n));
        draws.shuffle(out);
        return Ok(draws.counters_used());
    }
    // SAFETY: T and MaybeUninit<T> share a layout; no `dest`, so nothing else is touched.
    let slots = unsafe { &mut *(out as *mut [T] as *mut [MaybeUninit<T>]) };
    // SAFETY: rao_sandelius's contract concerns only `dest`, and there is none.
    unsafe { scatter::rao_sandelius(slots, |i| T::from_usize(i), None, key, counter, intr) }
}

/// Uniform draws `out[i]` in `0..bounds[i]`, in order, from the draw
/// sequence `D(0, 1)` of `key` (docs/shuffle.md): word `t` is a half of
/// `squares64(key, t / 2)`, high half first. Streaming samplers draw their
/// buffer slots and with-replacement indices in bulk with it.
pub fn draws_below(key: u64, bounds: &[u64], out: &mut [u64]) -> Result<()> {
    if bounds.len() != out.len() {
        return Err(Error::LengthMismatch {
            expected: bounds.len(),
            found: out.len(),
        });
    }
    if let Some(i) = bounds.iter().position(|&b| b == 0) {
        return Err(Error::InvalidValue(format!(
            "bound at index {i} is 0 (bounds must be at least 1)"
        )));
    }
    let mut draws = HalfWordDraws::new(key, 0, 1, (out.len() as u64).div_ceil(2));
    for (slot, &bound) in out.iter_mut().zip(bounds) {
        *slot = draws.below(bound);
    }
    Ok(())
}

/// Shuffles `data` in place; the result equals `data[permutation(n)]` for the
/// permutation `permutation_into` gives with the same key and counter.
/// Returns the number of counters consumed. An interrupt is honoured only
/// before `data` is modified, so `data` never holds duplicates or losses.
pub fn shuffle_in_place<T: Copy + Send + Sync>(
    data: &mut [T],
    key: u64,
    counter: u64,
    intr: &dyn Interrupt,
) -> Result<u64> {
    let n = data.len();
    if n <= FISHER_YATES_MAX {
        let mut draws = HalfWordDraws::new(key, counter, 1, fisher_yates_words(n));
        draws.shuffle(data);
        return Ok(draws.counters_used());
    }
    let mut scratch = uninit_vec::<T>(n)?;
    shuffle_in_place_with_scratch(data, &mut scratch, key, counter, intr)
}

/// `shuffle_in_place` with a caller-provided scratch buffer of `data.len()`
/// elements (for example memory the caller's allocator backs with huge pages).
pub fn shuffle_in_place_with_scratch<T: Copy + Send + Sync>(
    data: &mut [T],
    scratch: &mut [MaybeUninit<T>],
    key: u64,
    counter: u64,
    intr: &dyn Interrupt,
) -> Result<u64> {
    let n = data.len();
    if scratch.len() != n {
        return Err(Error::LengthMismatch {
            expected: n,
            found: scratch.len(),
        });
    }
    if n <= FISHER_YATES_MAX {
        return shuffle_in_place(data, key, counter, intr);
    }
    let data_ptr = scatter::SharedSlice(data.as_mut_ptr());
    // SAFETY: rao_sandelius calls `source` only with `i < scratch.len() == n == data.len()`,
    // and only during pass 2, before any bucket is copied back into `data` (see below).
    let source = |i: usize| unsafe { data_ptr.read(i) };
    // SAFETY: the scatter reads `data` (pass 2) before any bucket is copied
    // back into it (pass 3), and `data` is exclusively borrowed here.
    unsafe { scatter::rao_sandelius(scratch, source, Some(data_ptr), key, counter, intr) }
}

/// Shuffles each row of `n` elements independently. One row (or `n <= 1`) is
/// exactly `shuffle_in_place`; with `m > 1` rows, row k is Fisher-Yates-shuffled
/// on counters `counter + k + t * m`; the stream advances by `m` times the
/// most counters a row used. Returns the counters consumed.
pub fn permuted_rows<T: Copy + Send + Sync>(
    data: &mut [T],
    n: usize,
    key: u64,
    counter: u64,
    intr: &dyn Interrupt,
) -> Result<u64> {
    if n == 0 || data.len() % n != 0 {
        return Err(Error::LengthMismatch {
            expected: n,
            found: data.len(),
        });
    }
    let m = data.len() / n;
    if m == 1 {
        return shuffle_in_place(data, key, counter, intr);
    }
    let mut most = 0u64;
    for (g, group) in data.chunks_mut(n * ROW_GROUP).enumerate() {
        intr.check()?;
        let first_row = (g * ROW_GROUP) as u64;
        let used = group
            .par_chunks_mut(n)
            .enumerate()
            .map(|(r, row)| {
                let k = first_row + r as u64;
                let mut draws = HalfWordDraws::new(
                    key,
                    counter.wrapping_add(k),
                    m as u64,
                    fisher_yates_words(n),
                );
                draws.shuffle(row);
                draws.counters_used()
            })
            .max()
            .unwrap_or(0);
        most = most.max(used);
    }
    Ok((m as u64).wrapping_mul(most))
}

/// Fisher-Yates steps between interrupt polls on a sequential word stream.
const STEPS_PER_POLL: usize = 1 << 16;

/// Fills each row of `n` elements of `out` with a uniformly random permutation
/// of `0..n`, rows in order, each by one full Fisher-Yates pass
/// ([`WordStream::shuffle`]) on the next words of `words`: the stream of a
/// sequential generator such as a numpy bit generator (docs/shuffle.md,
/// "Any numpy BitGenerator"). Polls `intr` every 65536 steps; an interrupted
/// fill leaves `out` unspecified and `words` advanced by the words drawn.
pub fn permutations_from_words<T: PermIndex, W: WordStream>(
    out: &mut [T],
    n: usize,
    words: &mut W,
    intr: &dyn Interrupt,
) -> Result<()> {
    if out.is_empty() {
        return Ok(());
    }
    if n == 0 || out.len() % n != 0 {
        return Err(Error::LengthMismatch {
            expected: n,
            found: out.len(),
        });
    }
    if n as u128 > T::MAX_LEN {
        return Err(Error::InvalidValue(format!(
            "a permutation of length {n} does not fit this integer type (at most {} values)",
            T::MAX_LEN
        )));
    }
    let mut since_poll = 0usize;
    for row in out.chunks_mut(n) {
        for (i, slot) in row.iter_mut().enumerate() {
            *slot = T::from_usize(i);
        }
        let mut hi = n;
        while hi > 1 {
            let lo = hi.saturating_sub(STEPS_PER_POLL - since_poll).max(1);
            words.fisher_yates_steps(row, lo, hi);
            since_poll += hi - lo;
            if since_poll >= STEPS_PER_POLL {
                intr.check()?;
                since_poll = 0;
            }
            hi = lo;
        }
    }
    Ok(())
}

/// An uninitialised buffer of `n` elements, or `Overflow` when it cannot be allocated.
fn uninit_vec<T>(n: usize) -> Result<Vec<MaybeUninit<T>>> {
    let mut buffer: Vec<MaybeUninit<T>> = Vec::new();
    buffer.try_reserve_exact(n).map_err(|_| {
        Error::Overflow(format!(
            "a working buffer of {n} elements ({} bytes) cannot be allocated",
            n as u128 * std::mem::size_of::<T>() as u128
        ))
    })?;
    // SAFETY: MaybeUninit needs no initialisation.
    unsafe { buffer.set_len(n) };
    Ok(buffer)
}

#[cfg(test)]
mod tests;
