//! A shard-aware shuffle: an epoch order of samples stored in shards that reads only
//! a bounded number of shards at a time, computed in O(number of shards) memory with
//! random access in both directions (spec: docs/shard_shuffle.md).
//!
//! Construction, from an epoch key `K` and the shard sizes:
//! 1. the shards are put in a keyed order (an [`IndexShuffle`] of the shard count
//!    under `derive_key(K, 'S', 0)`) and concatenated: the *virtual stream*;
//! 2. the virtual stream is cut at shard boundaries into *blocks*: a shard belongs to
//!    block `floor(midpoint / block_size)` of its midpoint in the stream, so a block
//!    holds whole shards and blocks are `block_size` long on average;
//! 3. the positions of block `k` are shuffled among themselves by an
//!    [`IndexShuffle`] of the block's length under `derive_key(K, 'K', k)`.
//!
//! A reader of consecutive positions therefore touches the shards of one block at a
//! time (two while crossing a block boundary). Memory: three `u64` per shard (shard
//! starts, shuffled shard starts and their sample offsets) plus two per block.

use crate::index_shuffle::{default_rounds, derive_key, IndexShuffle};
use crate::{Error, Interrupt, Never, PermIndex, Result};
use rayon::prelude::*;

/// Version of the construction; any change of output is a new version.
pub const SHARD_SHUFFLE_VERSION: u32 = 1;
/// Key-derivation domain of the shard order ('S').
pub const DOMAIN_SHARD_ORDER: u8 = 0x53;
/// Key-derivation domain of the per-block shuffles ('K').
pub const DOMAIN_BLOCK: u8 = 0x4B;

/// Elements mapped together (one lookup of the block and slot structures per element).
const LANES: usize = 1024;
/// Batches below this size run on the calling thread.
const PARALLEL_MIN: usize = 1 << 14;
/// Elements between two interrupt checks (each block is spread over the threads).
const INTERRUPT_BLOCK: usize = 1 << 22;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardShuffle {
    n: u64,
    key: u64,
    block_size: u64,
    /// `shard_start[s]`: the first sample of shard `s` (`m + 1` entries, last `n`).
    shard_start: Vec<u64>,
    /// Slot `j` of the virtual stream holds shard `shard_order[j]`.
    shard_order: IndexShuffle,
    /// `slot_start[j]`: the first virtual position of slot `j` (`m + 1` entries).
    slot_start: Vec<u64>,
    /// `slot_sample[j]`: the first sample of the shard in slot `j`.
    slot_sample: Vec<u64>,
    /// `block_start[k]`: the first virtual position of block `k` (`blocks + 1` entries).
    block_start: Vec<u64>,
    /// `block_slot[k]`: the first slot of block `k` (`blocks + 1` entries, last `m`).
    block_slot: Vec<u64>,
    max_block_shards: u64,
}

/// Which of the consecutive ranges `[bounds[i], bounds[i + 1])` holds `v`; the ranges
/// may be empty, `bounds[0] <= v < bounds[last]`.
#[inline(always)]
fn range_of(bounds: &[u64], v: u64) -> usize {
    bounds[1..].partition_point(|&b| b <= v)
}

impl ShardShuffle {
    /// The order of an epoch under `key` (the epoch key of docs/index_shuffle.md).
    /// Shards may be empty; there must be at least one, and the sizes must sum to at
    /// most `2^64 - 1`.
    pub fn new(
        shard_sizes: &[u64],
        key: u64,
        block_size: u64,
        interrupt: &dyn Interrupt,
    ) -> Result<Self> {
        if shard_sizes.is_empty() {
            return Err(Error::InvalidValue(
                "the shard list is empty (at least one shard is needed)".into(),
            ));
        }
        if block_size == 0 {
            return Err(Error::InvalidValue(
                "the block size 0 is out of range 1..=2^64-1".into(),
            ));
        }
        let m = shard_sizes.len();
        let mut shard_start = Vec::with_capacity(m + 1);
        let mut total = 0u64;
        shard_start.push(0);
        for (s, &size) in shard_sizes.iter().enumerate() {
            total = total.checked_add(size).ok_or_else(|| {
                Error::Overflow(format!(
                    "the shard sizes sum past 2^64-1 (at shard {s} of {m})"
                ))
            })?;
            shard_start.push(total);
        }
        let order_key = derive_key(key, DOMAIN_SHARD_ORDER, 0)?;
        let shard_order = IndexShuffle::new(m as u64, order_key, default_rounds(m as u64))?;
        let mut order = vec![0u64; m];
        shard_order.map_range(0, 1, &mut order, interrupt)?;

        let mut slot_start = Vec::with_capacity(m + 1);
        let mut slot_sample = Vec::with_capacity(m);
        let mut block_start = Vec::new();
        let mut block_slot = Vec::new();
        let mut position = 0u64;
        let mut last_code = None;
        let twice_block = 2 * block_size as u128;
        for (j, &s) in order.iter().enumerate() {
            let size = shard_sizes[s as usize];
            let code = (2 * position as u128 + size as u128) / twice_block;
            if last_code != Some(code) {
                block_start.push(position);
                block_slot.push(j as u64);
                last_code = Some(code);
            }
            slot_start.push(position);
            slot_sample.push(shard_start[s as usize]);
            position += size;
        }
        slot_start.push(position);
        block_start.push(position);
        block_slot.push(m as u64);
        let max_block_shards = block_slot
            .windows(2)
            .map(|w| w[1] - w[0])
            .max()
            .unwrap_or(0);
        Ok(Self {
            n: total,
            key,
            block_size,
            shard_start,
            shard_order,
            slot_start,
            slot_sample,
            block_start,
            block_slot,
            max_block_shards,
        })
    }

    pub fn n(&self) -> u64 {
        self.n
    }
    /// The epoch key the order was built from.
    pub fn key(&self) -> u64 {
        self.key
    }
    pub fn block_size(&self) -> u64 {
        self.block_size
    }
    pub fn num_shards(&self) -> u64 {
        self.shard_order.n()
    }
    pub fn num_blocks(&self) -> u64 {
        self.block_start.len() as u64 - 1
    }
    /// The most shards any block holds: a reader of consecutive positions never has
    /// more than twice this many shards in use.
    pub fn max_block_shards(&self) -> u64 {
        self.max_block_shards
    }
    /// Heap bytes held by the order's tables.
    pub fn memory_bytes(&self) -> u64 {
        8 * (self.shard_start.capacity()
            + self.slot_start.capacity()
            + self.slot_sample.capacity()
            + self.block_start.capacity()
            + self.block_slot.capacity()) as u64
    }
    /// The shard sizes, in shard order.
    pub fn shard_sizes(&self) -> Vec<u64> {
        self.shard_start.windows(2).map(|w| w[1] - w[0]).collect()
    }
    /// `(first virtual position, first slot)` of every block, plus the end marker.
    pub fn blocks(&self) -> (&[u64], &[u64]) {
        (&self.block_start, &self.block_slot)
    }

    /// The within-block shuffle of block `k`.
    fn block_shuffle(&self, k: usize) -> Result<IndexShuffle> {
        let len = self.block_start[k + 1] - self.block_start[k];
        IndexShuffle::new(
            len,
            derive_key(self.key, DOMAIN_BLOCK, k as u64)?,
            default_rounds(len),
        )
    }

    /// The block-shuffle cache of one worker: rebuilt only when the block changes.
    fn cached<'a>(
        &self,
        cache: &'a mut Option<(usize, IndexShuffle)>,
        k: usize,
    ) -> Result<&'a IndexShuffle> {
        if cache.as_ref().map(|c| c.0) != Some(k) {
            *cache = Some((k, self.block_shuffle(k)?));
        }
        Ok(&cache.as_ref().expect("filled just above").1)
    }

    /// Maps in-range positions (`< n`) to samples, in place.
    fn forward_lanes(
        &self,
        values: &mut [u64],
        cache: &mut Option<(usize, IndexShuffle)>,
    ) -> Result<()> {
        let mut blocks = [0usize; LANES];
        for (b, &p) in blocks.iter_mut().zip(values.iter()) {
            *b = range_of(&self.block_start, p);
        }
        let mut offsets = [0u64; LANES];
        let mut run = 0;
        while run < values.len() {
            let k = blocks[run];
            let end = run
                + blocks[run..values.len()]
                    .iter()
                    .take_while(|&&b| b == k)
                    .count();
            let first = self.block_start[k];
            for (o, &p) in offsets[run..end].iter_mut().zip(&values[run..end]) {
                *o = p - first;
            }
            let shuffle = self.cached(cache, k)?;
            shuffle.map_values(
                &offsets[run..end],
                &mut values[run..end],
                false,
                false,
                &Never,
            )?;
            let slots =
                &self.slot_start[self.block_slot[k] as usize..=self.block_slot[k + 1] as usize];
            for v in values[run..end].iter_mut() {
                let q = first + *v;
                let j = self.block_slot[k] as usize + range_of(slots, q);
                *v = self.slot_sample[j] + (q - self.slot_start[j]);
            }
            run = end;
        }
        Ok(())
    }

    /// Maps in-range samples (`< n`) to their positions, in place.
    fn inverse_lanes(
        &self,
        values: &mut [u64],
        cache: &mut Option<(usize, IndexShuffle)>,
    ) -> Result<()> {
        let m = values.len();
        let mut shards = [0u64; LANES];
        let mut slots = [0u64; LANES];
        for (s, &x) in shards.iter_mut().zip(values.iter()) {
            *s = range_of(&self.shard_start, x) as u64;
        }
        self.shard_order
            .map_values(&shards[..m], &mut slots[..m], true, false, &Never)?;
        let mut blocks = [0usize; LANES];
        for i in 0..m {
            let (s, j) = (shards[i] as usize, slots[i] as usize);
            let q = self.slot_start[j] + (values[i] - self.shard_start[s]);
            let k = range_of(&self.block_start, q);
            values[i] = q - self.block_start[k];
            blocks[i] = k;
        }
        let mut offsets = [0u64; LANES];
        offsets[..m].copy_from_slice(values);
        let mut run = 0;
        while run < m {
            let k = blocks[run];
            let end = run + blocks[run..m].iter().take_while(|&&b| b == k).count();
            let shuffle = self.cached(cache, k)?;
            shuffle.map_values(
                &offsets[run..end],
                &mut values[run..end],
                true,
                false,
                &Never,
            )?;
            let first = self.block_start[k];
            for v in values[run..end].iter_mut() {
                *v += first;
            }
            run = end;
        }
        Ok(())
    }

    fn map_lanes(
        &self,
        values: &mut [u64],
        inverse: bool,
        cache: &mut Option<(usize, IndexShuffle)>,
    ) -> Result<()> {
        for chunk in values.chunks_mut(LANES) {
            if inverse {
                self.inverse_lanes(chunk, cache)?;
            } else {
                self.forward_lanes(chunk, cache)?;
            }
        }
        Ok(())
    }

    /// The sample at position `i` (`i < n`).
    pub fn forward(&self, i: u64) -> Result<u64> {
        self.check(i)?;
        let mut v = [i];
        self.map_lanes(&mut v, false, &mut None)?;
        Ok(v[0])
    }

    /// The position of sample `x` (`x < n`).
    pub fn inverse(&self, x: u64) -> Result<u64> {
        self.check(x)?;
        let mut v = [x];
        self.map_lanes(&mut v, true, &mut None)?;
        Ok(v[0])
    }

    fn check(&self, v: u64) -> Result<()> {
        if v < self.n {
            Ok(())
        } else {
            Err(Error::OutOfRange {
                row: 0,
                index: 0,
                value: v as i128,
                n: self.n as usize,
            })
        }
    }

    /// `out[i] = order[xs[i]]` (or the position of sample `xs[i]`). With
    /// `wrap_negative`, a value `v < 0` stands for `n + v`, like a Python sequence index.
    pub fn map_values<T: PermIndex>(
        &self,
        xs: &[T],
        out: &mut [u64],
        inverse: bool,
        wrap_negative: bool,
        interrupt: &dyn Interrupt,
    ) -> Result<()> {
        if xs.len() != out.len() {
            return Err(Error::LengthMismatch {
                expected: xs.len(),
                found: out.len(),
            });
        }
        let n = self.n as i128;
        run_blocks(out, interrupt, |offset, chunk| {
            for (i, slot) in chunk.iter_mut().enumerate() {
                let raw = xs[offset + i].to_i128();
                let v = if wrap_negative && raw < 0 {
                    raw + n
                } else {
                    raw
                };
                if !(0..n).contains(&v) {
                    return Err(Error::OutOfRange {
                        row: 0,
                        index: offset + i,
                        value: raw,
                        n: self.n as usize,
                    });
                }
                *slot = v as u64;
            }
            self.map_lanes(chunk, inverse, &mut None)
        })
    }

    /// `out[j] = order[start + j * step]` for every `j`; every position must lie in `0..n`.
    pub fn map_range<T: PermIndex>(
        &self,
        start: u64,
        step: i128,
        out: &mut [T],
        interrupt: &dyn Interrupt,
    ) -> Result<()> {
        let len = out.len() as i128;
        if len > 0 {
            let last = start as i128 + (len - 1) * step;
            if last < 0 || last >= self.n as i128 || start >= self.n {
                return Err(Error::InvalidValue(format!(
                    "the range start {start}, step {step}, length {len} leaves 0..{}",
                    self.n
                )));
            }
            if T::MAX_LEN < self.n as u128 {
                return Err(Error::Overflow(format!(
                    "values of 0..{} do not fit the output type",
                    self.n
                )));
            }
        }
        run_blocks(out, interrupt, |offset, chunk| {
            let mut cache = None;
            let mut buf = [0u64; LANES];
            for (c, o) in chunk.chunks_mut(LANES).enumerate() {
                let base = (offset + c * LANES) as i128;
                let lanes = &mut buf[..o.len()];
                for (k, slot) in lanes.iter_mut().enumerate() {
                    *slot = (start as i128 + (base + k as i128) * step) as u64;
                }
                self.forward_lanes(lanes, &mut cache)?;
                for (slot, &v) in o.iter_mut().zip(lanes.iter()) {
                    *slot = T::from_usize(v as usize);
                }
            }
            Ok(())
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn whole_order(s: &ShardShuffle) -> Vec<u64> {
        let mut out = vec![0u64; s.n() as usize];
        s.map_range(0, 1, &mut out, &Never).unwrap();
        out
    }

    fn shard_of(sizes: &[u64], x: u64) -> usize {
        let mut acc = 0;
        for (s, &size) in sizes.iter().enumerate() {
            acc += size;
            if x < acc {
                return s;
            }
        }
        unreachable!()
    }

    #[test]
    fn bijection_and_block_locality() {
        let layouts: Vec<Vec<u64>> = vec![
            vec![1],
            vec![0, 5, 0],
            vec![3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5],
            (0..200).map(|i| (i * 37 % 23) as u64).collect(),
            vec![1000, 1, 1, 1, 700, 0, 2, 300],
        ];
        for sizes in &layouts {
            for block_size in [1u64, 2, 7, 64, 1 << 20] {
                let s = ShardShuffle::new(sizes, 0x9bd658aec79fd425, block_size, &Never).unwrap();
                let n: u64 = sizes.iter().sum();
                assert_eq!(s.n(), n);
                let order = whole_order(&s);
                let mut seen = vec![false; n as usize];
                for (p, &x) in order.iter().enumerate() {
                    assert!(x < n && !seen[x as usize], "sizes={sizes:?} b={block_size}");
                    seen[x as usize] = true;
                    assert_eq!(s.forward(p as u64).unwrap(), x);
                    assert_eq!(s.inverse(x).unwrap(), p as u64);
                }
                // Every block's positions read only the block's shards.
                let (starts, _) = s.blocks();
                for k in 0..s.num_blocks() as usize {
                    let mut touched: Vec<usize> = (starts[k]..starts[k + 1])
                        .map(|p| shard_of(sizes, order[p as usize]))
                        .collect();
                    touched.sort();
                    touched.dedup();
                    assert!(touched.len() as u64 <= s.max_block_shards());
                }
            }
        }
    }

    #[test]
    fn batches_match_scalars_and_bad_input_is_an_error() {
        let sizes: Vec<u64> = (0..3000).map(|i| 1 + (i * 7919 % 400) as u64).collect();
        let s = ShardShuffle::new(&sizes, 77, 5000, &Never).unwrap();
        let n = s.n();
        let xs: Vec<i64> = (0..40_000).map(|i| (i * 104_729) % n as i64).collect();
        let mut out = vec![0u64; xs.len()];
        s.map_values(&xs, &mut out, false, false, &Never).unwrap();
        let mut back = vec![0u64; xs.len()];
        s.map_values(&out, &mut back, true, false, &Never).unwrap();
        for (k, &x) in xs.iter().enumerate() {
            assert_eq!(back[k], x as u64);
            if k % 97 == 0 {
                assert_eq!(out[k], s.forward(x as u64).unwrap());
            }
        }
        let mut strided = vec![0u64; 30_000];
        s.map_range(n - 1, -3, &mut strided, &Never).unwrap();
        for (j, &v) in strided.iter().enumerate().step_by(101) {
            assert_eq!(v, s.forward(n - 1 - 3 * j as u64).unwrap());
        }
        assert!(s.forward(n).is_err());
        assert!(ShardShuffle::new(&[], 1, 10, &Never).is_err());
        assert!(ShardShuffle::new(&[1], 1, 0, &Never).is_err());
        assert!(matches!(
            ShardShuffle::new(&[u64::MAX, 1], 1, 10, &Never),
            Err(Error::Overflow(_))
        ));
        let empty = ShardShuffle::new(&[0, 0], 1, 10, &Never).unwrap();
        assert_eq!(empty.n(), 0);
        assert!(empty.forward(0).is_err());
    }

    #[test]
    fn full_u64_range() {
        let sizes = [u64::MAX / 2, 3, u64::MAX / 2 - 2];
        assert_eq!(sizes.iter().sum::<u64>(), u64::MAX);
        let s = ShardShuffle::new(&sizes, 5, 1 << 40, &Never).unwrap();
        for p in [0, 1, u64::MAX / 2, u64::MAX - 2, s.n() - 1] {
            assert_eq!(s.inverse(s.forward(p).unwrap()).unwrap(), p);
        }
    }

    #[test]
    fn version_1_is_pinned() {
        // Golden values (docs/shard_shuffle.md): a change is a new version.
        let s = ShardShuffle::new(&[3, 0, 4, 2, 5], 0xc8e4fd154ce32f6d, 4, &Never).unwrap();
        assert_eq!(whole_order(&s), GOLDEN);
    }

    const GOLDEN: [u64; 14] = [7, 8, 10, 11, 9, 12, 13, 1, 2, 0, 6, 4, 5, 3];
}
