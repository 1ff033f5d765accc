//! A shard-aware shuffle: an epoch order of samples stored in shards that reads only
//! a bounded number of shards at a time, computed in O(number of shards) memory with
//! random access in both directions (spec: docs/shard_shuffle.md).
//!
//! Construction, from an epoch key `K`, the shard sizes and the block size `B`:
//! 1. the shards are put in a keyed order (an [`IndexShuffle`] of the shard count
//!    under `derive_key(K, 'S', 0)`) and concatenated: the *virtual stream*;
//! 2. the virtual stream is cut at shard boundaries into *cells* of about `E / R`
//!    samples (`R` = [`OVERLAP`], `E = max(1, B - floor(n / m))`: the block size less
//!    the mean shard size, as MosaicML's `py1e` spreads a sample over its block less its
//!    shard): a shard belongs to the cell of its midpoint;
//! 3. each cell's samples are shuffled (key `derive_key(K, 'C', v)`) and dealt into `R`
//!    consecutive parts; output *block* `t` gathers part `t - v` of cells
//!    `v = t - R + 1 ..= t` and shuffles them (key `derive_key(K, 'K', t)`).
//!
//! So a shard's samples spread over `R` consecutive blocks (about `E` positions), the
//! samples near any position come from the shards of `R` consecutive cells, and a
//! reader of consecutive positions moves from cell to cell smoothly, without the
//! doubling at the edge of disjoint blocks. Memory: three `u64` per shard (shard
//! starts, slot starts and their first samples) plus three per cell.

use crate::index_shuffle::{derive_key, IndexShuffle};
use crate::random_access::{check_value, RandomAccess};
use crate::{Error, Interrupt, Never, Result};

/// The block size used when the caller does not choose (`2^18` samples).
pub const DEFAULT_BLOCK_SIZE: u64 = 1 << 18;
/// `R`: the cells a block mixes, and the blocks a cell is dealt into. 16 rather than 8:
/// a window crossing a block edge reads `R + 1` cells, `(R + 1) / R` of a block's shards.
pub const OVERLAP: u64 = 16;
/// Key-derivation domain of the shard order ('S').
pub const DOMAIN_SHARD_ORDER: u8 = 0x53;
/// Key-derivation domain of the cell shuffles ('C').
pub const DOMAIN_CELL: u8 = 0x43;
/// Key-derivation domain of the block shuffles ('K').
pub const DOMAIN_BLOCK: u8 = 0x4B;

/// Elements mapped together (one lookup of the block and slot structures per element).
/// Runs shorter than this are mapped one value at a time.
const SHORT_RUN: usize = 32;
/// Cached key schedules per worker: a block's cells plus slack.
const CACHE: usize = 2 * OVERLAP as usize + 2;

/// The order of one epoch over sharded samples: `forward(p)` is the sample read at
/// position `p`, `inverse(x)` the position of sample `x` (samples are numbered shard by
/// shard). Built from the shard sizes, an epoch key and the block size.
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
    /// `cell_start[v]`: the first virtual position of cell `v` (`cells + 1` entries).
    cell_start: Vec<u64>,
    /// `cell_slot[v]`: the first slot of cell `v` (`cells + 1` entries, last `m`).
    cell_slot: Vec<u64>,
    /// `block_start[t]`: the first position of block `t` (`cells + R` entries, last `n`).
    block_start: Vec<u64>,
    max_block_shards: u64,
    max_window_shards: u64,
}

/// Which of the consecutive ranges `[bounds[i], bounds[i + 1])` holds `v`; the ranges
/// may be empty, `bounds[0] <= v < bounds[last]`.
#[inline(always)]
fn range_of(bounds: &[u64], v: u64) -> usize {
    bounds[1..].partition_point(|&b| b <= v)
}

/// Key schedules of the last few cells or blocks a worker used.
struct ShuffleCache {
    entries: Vec<(usize, IndexShuffle)>,
}

impl ShuffleCache {
    fn new() -> Self {
        Self {
            entries: Vec::with_capacity(CACHE),
        }
    }

    fn get(
        &mut self,
        id: usize,
        build: impl FnOnce(usize) -> Result<IndexShuffle>,
    ) -> Result<&IndexShuffle> {
        let found = self.entries.iter().position(|e| e.0 == id);
        let index = match found {
            Some(i) => i,
            None => {
                if self.entries.len() == CACHE {
                    self.entries.remove(0);
                }
                self.entries.push((id, build(id)?));
                self.entries.len() - 1
            }
        };
        Ok(&self.entries[index].1)
    }
}

/// One worker's caches of cell and block shuffles: the lane kernel's
/// [`RandomAccess::Scratch`].
pub struct Caches {
    cells: ShuffleCache,
    blocks: ShuffleCache,
}

impl Default for Caches {
    fn default() -> Self {
        Self::new()
    }
}

impl Caches {
    fn new() -> Self {
        Self {
            cells: ShuffleCache::new(),
            blocks: ShuffleCache::new(),
        }
    }
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
        let shard_order = IndexShuffle::with_default_rounds(m as u64, order_key);
        let mut order = vec![0u64; m];
        shard_order.map_range(0, 1, &mut order, interrupt)?;

        let mut slot_start = Vec::with_capacity(m + 1);
        let mut slot_sample = Vec::with_capacity(m);
        let mut cell_start = Vec::new();
        let mut cell_slot = Vec::new();
        let mut cell_shards: Vec<u64> = Vec::new(); // non-empty shards per cell
        let mut position = 0u64;
        let mut last_code = None;
        // The spread E: the block size less the mean shard size (at least 1).
        let spread = block_size.saturating_sub(total / m as u64).max(1);
        let twice_spread = 2 * spread as u128;
        for (j, &s) in order.iter().enumerate() {
            let size = shard_sizes[s as usize];
            let code = OVERLAP as u128 * (2 * position as u128 + size as u128) / twice_spread;
            if last_code != Some(code) {
                cell_start.push(position);
                cell_slot.push(j as u64);
                cell_shards.push(0);
                last_code = Some(code);
            }
            *cell_shards.last_mut().expect("a cell was opened") += (size > 0) as u64;
            slot_start.push(position);
            slot_sample.push(shard_start[s as usize]);
            position += size;
        }
        slot_start.push(position);
        cell_start.push(position);
        cell_slot.push(m as u64);
        // The cell count is only known now: return the growth slack (memory is 3 u64 per cell).
        cell_start.shrink_to_fit();
        cell_slot.shrink_to_fit();

        let cells = cell_shards.len();
        let r = OVERLAP as usize;
        let mut block_start = Vec::with_capacity(cells + r);
        let mut start = 0u64;
        for t in 0..cells + r - 1 {
            block_start.push(start);
            for v in t.saturating_sub(r - 1)..=t.min(cells - 1) {
                start += part_len(&cell_start, v, (t - v) as u64);
            }
        }
        block_start.push(start);
        debug_assert_eq!(start, total);
        // A block reads the shards of its R cells, a window across two blocks of R + 1.
        let window_sum = |width: usize| {
            (0..cells + r)
                .map(|end| {
                    cell_shards[end.saturating_sub(width)..end.min(cells)]
                        .iter()
                        .sum::<u64>()
                })
                .max()
                .unwrap_or(0)
        };
        let max_block_shards = window_sum(r);
        let max_window_shards = window_sum(r + 1);
        Ok(Self {
            n: total,
            key,
            block_size,
            shard_start,
            shard_order,
            slot_start,
            slot_sample,
            cell_start,
            cell_slot,
            block_start,
            max_block_shards,
            max_window_shards,
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
    pub fn num_cells(&self) -> u64 {
        self.cell_start.len() as u64 - 1
    }
    pub fn num_blocks(&self) -> u64 {
        self.block_start.len() as u64 - 1
    }
    /// The most non-empty shards the positions of one block read.
    pub fn max_block_shards(&self) -> u64 {
        self.max_block_shards
    }
    /// The most non-empty shards the positions of two consecutive blocks read: the
    /// bound for any window of consecutive positions no longer than a block.
    pub fn max_window_shards(&self) -> u64 {
        self.max_window_shards
    }
    /// Heap bytes held by the order's tables.
    pub fn memory_bytes(&self) -> u64 {
        8 * (self.shard_start.capacity()
            + self.slot_start.capacity()
            + self.slot_sample.capacity()
            + self.cell_start.capacity()
            + self.cell_slot.capacity()
            + self.block_start.capacity()) as u64
    }
    /// The shard sizes, in shard order.
    pub fn shard_sizes(&self) -> Vec<u64> {
        self.shard_start.windows(2).map(|w| w[1] - w[0]).collect()
    }
    /// The first position of every block, plus `n`.
    pub fn block_starts(&self) -> &[u64] {
        &self.block_start
    }
    /// `(first virtual position, first slot)` of every cell, plus the end markers.
    pub fn cells(&self) -> (&[u64], &[u64]) {
        (&self.cell_start, &self.cell_slot)
    }
    /// The shards in slot order (the shard order of step 1).
    pub fn slot_shards(&self, interrupt: &dyn Interrupt) -> Result<Vec<u64>> {
        let mut out = vec![0u64; self.num_shards() as usize];
        self.shard_order.map_range(0, 1, &mut out, interrupt)?;
        Ok(out)
    }

    fn cell_shuffle(&self, v: usize) -> Result<IndexShuffle> {
        let len = self.cell_start[v + 1] - self.cell_start[v];
        Ok(IndexShuffle::with_default_rounds(
            len,
            derive_key(self.key, DOMAIN_CELL, v as u64)?,
        ))
    }

    fn block_shuffle(&self, t: usize) -> Result<IndexShuffle> {
        let len = self.block_start[t + 1] - self.block_start[t];
        Ok(IndexShuffle::with_default_rounds(
            len,
            derive_key(self.key, DOMAIN_BLOCK, t as u64)?,
        ))
    }

    /// The cells block `t` gathers: `t - R + 1 ..= t`, clipped to the cells that exist.
    fn cells_of_block(&self, t: usize) -> std::ops::RangeInclusive<usize> {
        let cells = self.cell_start.len() - 1;
        t.saturating_sub(OVERLAP as usize - 1)..=t.min(cells - 1)
    }

    /// The sample at virtual position `q` of cell `v`.
    #[inline(always)]
    fn sample_at(&self, v: usize, q: u64) -> u64 {
        let (first, last) = (self.cell_slot[v] as usize, self.cell_slot[v + 1] as usize);
        let j = first + range_of(&self.slot_start[first..=last], q);
        self.slot_sample[j] + (q - self.slot_start[j])
    }

    /// Maps in-range positions (`< n`) to samples, in place.
    fn forward_lanes(&self, values: &mut [u64], caches: &mut Caches) -> Result<()> {
        let len = values.len();
        let blocks: Vec<usize> = values
            .iter()
            .map(|&p| range_of(&self.block_start, p))
            .collect();
        let mut offsets = vec![0u64; len];
        let mut cells = vec![0usize; len];
        let mut group = vec![0u64; len];
        let mut group_out = vec![0u64; len];
        let mut members = vec![0usize; len];
        let mut run = 0;
        while run < len {
            let t = blocks[run];
            let end = run + blocks[run..len].iter().take_while(|&&b| b == t).count();
            let first = self.block_start[t];
            for (o, &p) in offsets[run..end].iter_mut().zip(&values[run..end]) {
                *o = p - first;
            }
            // Step 3 backwards: the block shuffle gives the index in the concatenated
            // parts; find the part's cell and the index in the cell's shuffled order.
            let shuffle = caches.blocks.get(t, |t| self.block_shuffle(t))?;
            apply(shuffle, &offsets[run..end], &mut values[run..end], false)?;
            let window = self.cells_of_block(t);
            for i in run..end {
                let mut y = values[i];
                for v in window.clone() {
                    let part = (t - v) as u64;
                    let size = part_len(&self.cell_start, v, part);
                    if y < size {
                        values[i] = part_start(&self.cell_start, v, part) + y;
                        cells[i] = v;
                        break;
                    }
                    y -= size;
                }
            }
            for v in window {
                let mut count = 0;
                for i in run..end {
                    if cells[i] == v {
                        group[count] = values[i];
                        members[count] = i;
                        count += 1;
                    }
                }
                if count == 0 {
                    continue;
                }
                let shuffle = caches.cells.get(v, |v| self.cell_shuffle(v))?;
                apply(shuffle, &group[..count], &mut group_out[..count], false)?;
                let cell_first = self.cell_start[v];
                for (&i, &w) in members[..count].iter().zip(&group_out[..count]) {
                    values[i] = self.sample_at(v, cell_first + w);
                }
            }
            run = end;
        }
        Ok(())
    }

    /// Maps in-range samples (`< n`) to their positions, in place.
    fn inverse_lanes(&self, values: &mut [u64], caches: &mut Caches) -> Result<()> {
        let len = values.len();
        let shards: Vec<u64> = values
            .iter()
            .map(|&x| range_of(&self.shard_start, x) as u64)
            .collect();
        let mut slots = vec![0u64; len];
        apply(&self.shard_order, &shards, &mut slots, true)?;
        let r = OVERLAP;
        for i in 0..len {
            let (s, j) = (shards[i] as usize, slots[i] as usize);
            let q = self.slot_start[j] + (values[i] - self.shard_start[s]);
            let v = range_of(&self.cell_start, q);
            let u = caches
                .cells
                .get(v, |v| self.cell_shuffle(v))?
                .inverse(q - self.cell_start[v])?;
            // The part holding u: the last part whose start is at most u (parts may be empty).
            let part = (0..r)
                .rev()
                .find(|&i| part_start(&self.cell_start, v, i) <= u)
                .expect("part 0 starts at 0");
            let t = v + part as usize;
            let mut y = u - part_start(&self.cell_start, v, part);
            for earlier in *self.cells_of_block(t).start()..v {
                y += part_len(&self.cell_start, earlier, (t - earlier) as u64);
            }
            let o = caches
                .blocks
                .get(t, |t| self.block_shuffle(t))?
                .inverse(y)?;
            values[i] = self.block_start[t] + o;
        }
        Ok(())
    }

    /// The sample at position `i` (`i < n`).
    pub fn forward(&self, i: u64) -> Result<u64> {
        check_value(i, self.n)?;
        let mut v = [i];
        self.forward_lanes(&mut v, &mut Caches::new())?;
        Ok(v[0])
    }

    /// The position of sample `x` (`x < n`).
    pub fn inverse(&self, x: u64) -> Result<u64> {
        check_value(x, self.n)?;
        let mut v = [x];
        self.inverse_lanes(&mut v, &mut Caches::new())?;
        Ok(v[0])
    }
}

impl RandomAccess for ShardShuffle {
    type Scratch = Caches;

    fn n(&self) -> u64 {
        self.n
    }

    fn map_lanes(
        &self,
        xs: &[u64],
        out: &mut [u64],
        inverse: bool,
        caches: &mut Caches,
    ) -> Result<()> {
        out.copy_from_slice(xs);
        if inverse {
            self.inverse_lanes(out, caches)
        } else {
            self.forward_lanes(out, caches)
        }
    }
}

/// `out[i] = shuffle[xs[i]]` (or the inverse): batched through the lanes for long
/// runs, one value at a time for short ones (random access).
fn apply(shuffle: &IndexShuffle, xs: &[u64], out: &mut [u64], inverse: bool) -> Result<()> {
    if xs.len() >= SHORT_RUN {
        return shuffle.map_values(xs, out, inverse, false, &Never);
    }
    for (o, &x) in out.iter_mut().zip(xs) {
        *o = if inverse {
            shuffle.inverse(x)?
        } else {
            shuffle.forward(x)?
        };
    }
    Ok(())
}

/// The first index of part `i` (`0..=R`) of cell `v`'s shuffled order:
/// `floor(i * L_v / R)` with `L_v` the cell's length.
#[inline(always)]
fn part_start(cell_start: &[u64], v: usize, i: u64) -> u64 {
    let len = (cell_start[v + 1] - cell_start[v]) as u128;
    (i as u128 * len / OVERLAP as u128) as u64
}

#[inline(always)]
fn part_len(cell_start: &[u64], v: usize, i: u64) -> u64 {
    part_start(cell_start, v, i + 1) - part_start(cell_start, v, i)
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
                // Every block's positions read only shards of its cells.
                let starts = s.block_starts();
                for k in 0..s.num_blocks() as usize {
                    let mut touched: Vec<usize> = (starts[k]..starts[k + 1])
                        .map(|p| shard_of(sizes, order[p as usize]))
                        .collect();
                    touched.sort();
                    touched.dedup();
                    assert!(touched.len() as u64 <= s.max_block_shards());
                    let end = starts[(k + 2).min(starts.len() - 1)];
                    let mut pair: Vec<usize> = (starts[k]..end)
                        .map(|p| shard_of(sizes, order[p as usize]))
                        .collect();
                    pair.sort();
                    pair.dedup();
                    assert!(pair.len() as u64 <= s.max_window_shards());
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

    const GOLDEN: [u64; 14] = [10, 8, 4, 12, 1, 11, 6, 13, 0, 5, 7, 9, 2, 3];
}
