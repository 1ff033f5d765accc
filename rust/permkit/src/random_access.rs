//! What the random-access orders (`index_shuffle`, `shard_shuffle`) share: argument
//! checks of their batch methods and the parallel, interruptible block runner.

use crate::{Error, Interrupt, PermIndex, Result};
use rayon::prelude::*;

/// The batch interface of a random-access order of `0..n` (`IndexShuffle`, `ShardShuffle`).
pub trait RandomAccess: Sync {
    /// The size of the ordered range.
    fn n(&self) -> u64;

    /// `out[i] = order[xs[i]]` (or the position of `xs[i]` with `inverse`). With
    /// `wrap_negative`, a value `v < 0` stands for `n + v`, like a Python sequence index.
    fn map_values<T: PermIndex>(
        &self,
        xs: &[T],
        out: &mut [u64],
        inverse: bool,
        wrap_negative: bool,
        interrupt: &dyn Interrupt,
    ) -> Result<()>;

    /// `out[j] = order[start + j * step]` for every `j`; every position must lie in `0..n`.
    fn map_range<T: PermIndex>(
        &self,
        start: u64,
        step: i128,
        out: &mut [T],
        interrupt: &dyn Interrupt,
    ) -> Result<()>;
}

/// Batches below this size run on the calling thread.
const PARALLEL_MIN: usize = 1 << 14;
/// Elements between two interrupt checks (each block is spread over the threads).
const INTERRUPT_BLOCK: usize = 1 << 22;

/// `Ok` when `v < n`, else the out-of-range error of a single value.
pub(crate) fn check_value(v: u64, n: u64) -> Result<()> {
    if v < n {
        Ok(())
    } else {
        Err(Error::OutOfRange {
            row: 0,
            index: 0,
            value: v as i128,
            n: n as usize,
        })
    }
}

/// Element `index` of a batch, `raw`, as a value of `0..n`; with `wrap_negative`, a
/// value `v < 0` stands for `n + v`, like a Python sequence index.
pub(crate) fn batch_value<T: PermIndex>(
    index: usize,
    raw: T,
    n: u64,
    wrap_negative: bool,
) -> Result<u64> {
    let raw = raw.to_i128();
    let wrapped = if wrap_negative && raw < 0 {
        raw + n as i128
    } else {
        raw
    };
    if (0..n as i128).contains(&wrapped) {
        Ok(wrapped as u64)
    } else {
        Err(Error::OutOfRange {
            row: 0,
            index,
            value: raw,
            n: n as usize,
        })
    }
}

/// `Ok` when `xs` and `out` have one length.
pub(crate) fn check_lengths<T>(xs: &[T], out: &[u64]) -> Result<()> {
    if xs.len() == out.len() {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            expected: xs.len(),
            found: out.len(),
        })
    }
}

/// `Ok` when the positions `start + j * step`, `j < len`, all lie in `0..n` and the
/// values `0..n` fit `T`.
pub(crate) fn check_range<T: PermIndex>(start: u64, step: i128, len: usize, n: u64) -> Result<()> {
    let len = len as i128;
    if len > 0 {
        let last = start as i128 + (len - 1) * step;
        if last < 0 || last >= n as i128 || start >= n {
            return Err(Error::InvalidValue(format!(
                "the range start {start}, step {step}, length {len} leaves 0..{n}"
            )));
        }
        if T::MAX_LEN < n as u128 {
            return Err(Error::Overflow(format!(
                "values of 0..{n} do not fit the output type"
            )));
        }
    }
    Ok(())
}

/// Runs `work(offset, chunk)` over `out` in parallel chunks of a fixed size (so results
/// never depend on the thread count), checking the interrupt between blocks from the
/// calling thread.
pub(crate) fn run_blocks<T: Send, F>(
    out: &mut [T],
    interrupt: &dyn Interrupt,
    work: F,
) -> Result<()>
where
    F: Fn(usize, &mut [T]) -> Result<()> + Sync,
{
    if out.len() < PARALLEL_MIN {
        return work(0, out);
    }
    for (b, block) in out.chunks_mut(INTERRUPT_BLOCK).enumerate() {
        interrupt.check()?;
        let base = b * INTERRUPT_BLOCK;
        block
            .par_chunks_mut(PARALLEL_MIN)
            .enumerate()
            .map(|(t, chunk)| work(base + t * PARALLEL_MIN, chunk))
            .collect::<Result<Vec<()>>>()?;
    }
    Ok(())
}
