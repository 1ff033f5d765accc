//! The data sampler's window order (spec: docs/data_loading.md, "Window mode"): a keyed
//! bijection of `0..n` that reads blocks of `block` consecutive indices in a shuffled
//! block order, cut into windows of `blocks` consecutive (shuffled) blocks, and shuffles
//! the samples of each window among themselves.
//!
//! With `num_blocks = ceil(n / block)`, the last block holds `n - (num_blocks - 1) * block`
//! indices (it is short when `block` does not divide `n`). The block order is
//! `IndexShuffle(num_blocks)` under `derive_key(epoch_key, 'B', 0)`; slot `s` of it holds
//! block `block_order[s]`. Window `t` holds slots `t * blocks ..` (at most `blocks` of
//! them) and is shuffled by `IndexShuffle(window size)` under `derive_key(epoch_key, 'W',
//! t)`: position `p` of window `t` is its offset `o = window_t[p - start(t)]`, read in the
//! window's slots laid end to end (the short block, if the window holds it, takes only
//! its length).
//!
//! A block size above `n` is the same order as `block = n` (one block), and more blocks
//! per window than blocks is the same as `blocks = num_blocks` (one window): both are
//! clamped, which keeps every product inside 64 bits.

use crate::data_streams::{DOMAIN_BLOCKS, DOMAIN_WINDOW};
use crate::index_shuffle::{derive_key, IndexShuffle, MAX_DERIVE_VALUE};
use crate::random_access::{check_value, RandomAccess, LANES};
use crate::{Error, Result};

/// The largest `n` window mode supports.
pub const MAX_N: u64 = (1 << 63) - 1;

/// Lanes mapped together (the block order and the window shuffles walk them in bulk).

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowOrder {
    n: u64,
    key: u64,
    /// Indices per block (clamped to `n`).
    block: u64,
    /// Blocks per window (clamped to `num_blocks`).
    blocks: u64,
    num_blocks: u64,
    /// The length of the last block, `1..=block` (0 when `n = 0`).
    last_len: u64,
    /// `block - last_len`: how much shorter the last block is.
    deficit: u64,
    window_len: u64,
    /// The slot of the block order that holds the last (possibly short) block.
    short_slot: u64,
    block_order: IndexShuffle,
}

/// `(block, blocks, num_blocks)` after clamping (see the module documentation).
fn clamped_shape(n: u64, block: u64, blocks: u64) -> (u64, u64, u64) {
    let block = block.min(n.max(1));
    let num_blocks = n.div_ceil(block);
    (block, blocks.min(num_blocks.max(1)), num_blocks)
}

impl WindowOrder {
    /// `Ok` when `WindowOrder::new(n, _, block, blocks)` accepts the shape: `n <= MAX_N`,
    /// `block >= 1`, `blocks >= 1`, and at most `2^56` windows (window numbers are key
    /// derivation values).
    pub fn check(n: u64, block: u64, blocks: u64) -> Result<()> {
        if n > MAX_N {
            return Err(Error::InvalidValue(format!(
                "window mode supports n < 2**63, got n={n}"
            )));
        }
        if block == 0 || blocks == 0 {
            return Err(Error::InvalidValue(format!(
                "the block size ({block}) and blocks per window ({blocks}) must be at least 1"
            )));
        }
        let (block, blocks, num_blocks) = clamped_shape(n, block, blocks);
        let windows = num_blocks.div_ceil(blocks);
        if windows > MAX_DERIVE_VALUE + 1 {
            return Err(Error::InvalidValue(format!(
                "n={n} in blocks of {block}, {blocks} per window, makes {windows} windows; \
                 at most 2**56 are supported (choose larger blocks or more blocks per window)"
            )));
        }
        Ok(())
    }

    /// The window order of `0..n` under an epoch key, `block` indices per block and
    /// `blocks` blocks per window (checked by [`Self::check`]).
    pub fn new(n: u64, key: u64, block: u64, blocks: u64) -> Result<Self> {
        Self::check(n, block, blocks)?;
        let (block, blocks, num_blocks) = clamped_shape(n, block, blocks);
        let block_order =
            IndexShuffle::with_default_rounds(num_blocks, derive_key(key, DOMAIN_BLOCKS, 0)?);
        let (last_len, short_slot) = if n == 0 {
            (0, 0)
        } else {
            (
                n - (num_blocks - 1) * block,
                block_order.inverse(num_blocks - 1)?,
            )
        };
        Ok(Self {
            n,
            key,
            block,
            blocks,
            num_blocks,
            last_len,
            deficit: if n == 0 { 0 } else { block - last_len },
            window_len: block * blocks,
            short_slot,
            block_order,
        })
    }

    pub fn n(&self) -> u64 {
        self.n
    }
    pub fn key(&self) -> u64 {
        self.key
    }

    /// The first position of window `t` (`n` or more for `t` past the last window): the
    /// windows before it, less the short block's deficit once it lies before them.
    fn start(&self, t: u64) -> u128 {
        let before = t as u128 * self.blocks as u128;
        let deficit = if (self.short_slot as u128) < before {
            self.deficit
        } else {
            0
        };
        t as u128 * self.window_len as u128 - deficit as u128
    }

    /// Whether window `t` holds the short block, and then its slot inside the window.
    fn local_short(&self, t: u64) -> Option<u64> {
        let first = t * self.blocks;
        (first..first + self.blocks)
            .contains(&self.short_slot)
            .then(|| self.short_slot - first)
    }

    /// The number of positions in window `t`.
    fn size(&self, t: u64) -> u64 {
        let first = t * self.blocks;
        let slots = self.blocks.min(self.num_blocks - first);
        let short = (first..first + slots).contains(&self.short_slot);
        slots * self.block - if short { self.deficit } else { 0 }
    }

    fn window(&self, t: u64) -> Result<IndexShuffle> {
        Ok(IndexShuffle::with_default_rounds(
            self.size(t),
            derive_key(self.key, DOMAIN_WINDOW, t)?,
        ))
    }

    /// `(t, offset)`: the window of position `p < n` and `p`'s offset in it.
    fn locate(&self, p: u64) -> (u64, u64) {
        let mut t = p / self.window_len;
        if p as u128 >= self.start(t + 1) {
            t += 1;
        }
        (t, (p as u128 - self.start(t)) as u64)
    }

    /// `(slot of the block order, index within the block)` of offset `o` of window `t`.
    fn slot_of(&self, t: u64, o: u64) -> (u64, u64) {
        let first = t * self.blocks;
        let (slot, within) = match self.local_short(t) {
            Some(local) => {
                let cut = local * self.block;
                if o < cut {
                    (o / self.block, o % self.block)
                } else if o >= cut + self.last_len {
                    let rest = o - self.last_len - cut;
                    (rest / self.block + local + 1, rest % self.block)
                } else {
                    (local, o - cut)
                }
            }
            None => (o / self.block, o % self.block),
        };
        (first + slot, within)
    }

    /// `(window, offset in it)` of the index within block-order slot `slot`: the inverse
    /// of [`Self::slot_of`].
    fn offset_of(&self, slot: u64, within: u64) -> (u64, u64) {
        let t = slot / self.blocks;
        let local = slot - t * self.blocks;
        let o = match self.local_short(t) {
            Some(short) if local > short => {
                short * self.block + self.last_len + (local - short - 1) * self.block + within
            }
            _ => local * self.block + within,
        };
        (t, o)
    }

    /// The index at position `p` (`p < n`).
    pub fn forward(&self, p: u64) -> Result<u64> {
        check_value(p, self.n)?;
        let mut out = [0u64];
        self.forward_lanes(&[p], &mut out)?;
        Ok(out[0])
    }

    /// The position of index `v` (`v < n`).
    pub fn inverse(&self, v: u64) -> Result<u64> {
        check_value(v, self.n)?;
        let mut out = [0u64];
        self.inverse_lanes(&[v], &mut out)?;
        Ok(out[0])
    }

    /// Runs `walk(window t, values, out)` over each run of equal windows `ts`.
    fn by_window(&self, ts: &[u64], xs: &[u64], out: &mut [u64], inverse: bool) -> Result<()> {
        let mut i = 0;
        while i < ts.len() {
            let t = ts[i];
            let end = i + ts[i..].iter().take_while(|&&u| u == t).count();
            self.window(t)?.walk(&xs[i..end], &mut out[i..end], inverse);
            i = end;
        }
        Ok(())
    }

    /// `out[k]` = the index at position `ps[k]` (in range, `len <= LANES`).
    fn forward_lanes(&self, ps: &[u64], out: &mut [u64]) -> Result<()> {
        let m = ps.len();
        let mut ts = [0u64; LANES];
        let mut offsets = [0u64; LANES];
        let mut shuffled = [0u64; LANES];
        let mut withins = [0u64; LANES];
        for (k, &p) in ps.iter().enumerate() {
            (ts[k], offsets[k]) = self.locate(p);
        }
        self.by_window(&ts[..m], &offsets[..m], &mut shuffled[..m], false)?;
        let slots = &mut offsets;
        for k in 0..m {
            (slots[k], withins[k]) = self.slot_of(ts[k], shuffled[k]);
        }
        self.block_order
            .walk(&slots[..m], &mut shuffled[..m], false);
        for k in 0..m {
            out[k] = shuffled[k] * self.block + withins[k];
        }
        Ok(())
    }

    /// `out[k]` = the position of index `vs[k]` (in range, `len <= LANES`).
    fn inverse_lanes(&self, vs: &[u64], out: &mut [u64]) -> Result<()> {
        let m = vs.len();
        let mut blocks = [0u64; LANES];
        let mut withins = [0u64; LANES];
        let mut slots = [0u64; LANES];
        let mut ts = [0u64; LANES];
        for (k, &v) in vs.iter().enumerate() {
            (blocks[k], withins[k]) = (v / self.block, v % self.block);
        }
        self.block_order.walk(&blocks[..m], &mut slots[..m], true);
        let offsets = &mut blocks;
        for k in 0..m {
            (ts[k], offsets[k]) = self.offset_of(slots[k], withins[k]);
        }
        let positions = &mut slots;
        self.by_window(&ts[..m], &offsets[..m], &mut positions[..m], true)?;
        for k in 0..m {
            out[k] = (self.start(ts[k]) + positions[k] as u128) as u64;
        }
        Ok(())
    }
}

impl RandomAccess for WindowOrder {
    type Scratch = ();

    fn n(&self) -> u64 {
        self.n
    }

    fn map_lanes(&self, xs: &[u64], out: &mut [u64], inverse: bool, _: &mut ()) -> Result<()> {
        if inverse {
            self.inverse_lanes(xs, out)
        } else {
            self.forward_lanes(xs, out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Never;

    fn whole(order: &WindowOrder) -> Vec<u64> {
        let mut out = vec![0u64; order.n() as usize];
        order.map_range(0, 1, &mut out, &Never).unwrap();
        out
    }

    #[test]
    fn bijection_with_inverse_for_small_shapes() {
        for n in 0..=70u64 {
            for block in [1u64, 2, 3, 7, 16, 100] {
                for blocks in [1u64, 2, 5, 64] {
                    let order = WindowOrder::new(n, 0x9bd658aec79fd425 ^ n, block, blocks).unwrap();
                    let img = whole(&order);
                    let mut sorted = img.clone();
                    sorted.sort_unstable();
                    assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "n={n} {block}x{blocks}");
                    let mut back = vec![0u64; img.len()];
                    order
                        .map_values(&img, &mut back, true, false, &Never)
                        .unwrap();
                    assert_eq!(back, (0..n).collect::<Vec<_>>(), "n={n} {block}x{blocks}");
                    for (p, &v) in img.iter().enumerate().step_by(7) {
                        assert_eq!(order.forward(p as u64).unwrap(), v);
                        assert_eq!(order.inverse(v).unwrap(), p as u64);
                    }
                }
            }
        }
    }

    #[test]
    fn windows_read_at_most_their_blocks() {
        let (n, block, blocks) = (1000u64, 10u64, 4u64);
        let img = whole(&WindowOrder::new(n, 7, block, blocks).unwrap());
        for window in img.chunks((block * blocks) as usize) {
            let mut touched: Vec<u64> = window.iter().map(|v| v / block).collect();
            touched.sort_unstable();
            touched.dedup();
            assert_eq!(touched.len() as u64, blocks);
        }
    }

    #[test]
    fn shapes_are_checked_and_clamping_changes_nothing() {
        assert!(WindowOrder::check(MAX_N, 1 << 20, 1 << 10).is_ok());
        assert!(WindowOrder::check(MAX_N + 1, 10, 1).is_err());
        assert!(WindowOrder::check(10, 0, 1).is_err());
        assert!(WindowOrder::check(10, 1, 0).is_err());
        assert!(WindowOrder::check(MAX_N, 7, 3).is_err()); // more than 2**56 windows
        let one_block = whole(&WindowOrder::new(50, 3, 50, 1).unwrap());
        assert_eq!(
            one_block,
            whole(&WindowOrder::new(50, 3, u64::MAX, u64::MAX).unwrap())
        );
        let order = WindowOrder::new(MAX_N, 5, u64::MAX / 2, u64::MAX).unwrap();
        for p in [0, 1, MAX_N / 2, MAX_N - 1] {
            assert_eq!(order.inverse(order.forward(p).unwrap()).unwrap(), p);
        }
    }
}
