//! What the random-access orders (`index_shuffle`, `shard_shuffle`, `window_order`)
//! share: their batch methods, with the argument checks and the parallel,
//! interruptible block runner.

use crate::{Error, Interrupt, PermIndex, Result};
use rayon::prelude::*;

/// Values per lane batch: what one call of [`RandomAccess::map_lanes`] receives at most.
pub const LANES: usize = 1024;

/// The batch interface of a random-access order of `0..n` (`IndexShuffle`,
/// `ShardShuffle`, `WindowOrder`): an order supplies its lane kernel, and the batch
/// methods (argument checks, parallel interruptible blocks, lanes) are written once here.
pub trait RandomAccess: Sync {
    /// The lane kernel's working state on one thread (caches), fresh for each block.
    type Scratch: Default;

    /// The size of the ordered range.
    fn n(&self) -> u64;

    /// `out[i] = order[xs[i]]` (or the position of `xs[i]` with `inverse`) for at
    /// most [`LANES`] values, all in `0..n`.
    fn map_lanes(
        &self,
        xs: &[u64],
        out: &mut [u64],
        inverse: bool,
        scratch: &mut Self::Scratch,
    ) -> Result<()>;

    /// `out[i] = order[xs[i]]` (or the position of `xs[i]` with `inverse`). With
    /// `wrap_negative`, a value `v < 0` stands for `n + v`, like a Python sequence index.
    fn map_values<T: PermIndex>(
        &self,
        xs: &[T],
        out: &mut [u64],
        inverse: bool,
        wrap_negative: bool,
        interrupt: &dyn Interrupt,
    ) -> Result<()> {
        check_lengths(xs, out)?;
        let n = self.n();
        run_blocks(out, interrupt, |offset, chunk| {
            let mut scratch = Self::Scratch::default();
            let mut buf = [0u64; LANES];
            for (c, o) in chunk.chunks_mut(LANES).enumerate() {
                let base = offset + c * LANES;
                let lanes = &mut buf[..o.len()];
                for (k, slot) in lanes.iter_mut().enumerate() {
                    *slot = batch_value(base + k, xs[base + k], n, wrap_negative)?;
                }
                self.map_lanes(lanes, o, inverse, &mut scratch)?;
            }
            Ok(())
        })
    }

    /// `out[j] = order[start + j * step]` for every `j`; every position must lie in `0..n`.
    fn map_range<T: PermIndex>(
        &self,
        start: u64,
        step: i128,
        out: &mut [T],
        interrupt: &dyn Interrupt,
    ) -> Result<()> {
        check_range::<T>(start, step, out.len(), self.n())?;
        run_blocks(out, interrupt, |offset, chunk| {
            let mut scratch = Self::Scratch::default();
            let mut src = [0u64; LANES];
            let mut dst = [0u64; LANES];
            for (c, o) in chunk.chunks_mut(LANES).enumerate() {
                let base = (offset + c * LANES) as i128;
                let m = o.len();
                for (k, slot) in src[..m].iter_mut().enumerate() {
                    *slot = (start as i128 + (base + k as i128) * step) as u64;
                }
                self.map_lanes(&src[..m], &mut dst[..m], false, &mut scratch)?;
                for (slot, &v) in o.iter_mut().zip(&dst[..m]) {
                    *slot = T::from_usize(v as usize);
                }
            }
            Ok(())
        })
    }
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
fn batch_value<T: PermIndex>(index: usize, raw: T, n: u64, wrap_negative: bool) -> Result<u64> {
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
fn check_lengths<T>(xs: &[T], out: &[u64]) -> Result<()> {
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
fn check_range<T: PermIndex>(start: u64, step: i128, len: usize, n: u64) -> Result<()> {
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
fn run_blocks<T: Send, F>(out: &mut [T], interrupt: &dyn Interrupt, work: F) -> Result<()>
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
