//! The one Fenwick (binary indexed) tree of the crate: prefix sums of item
//! weights and "find the item holding unit k" in O(log n). It is the core of
//! Lehmer codes ([`super::perm`]), inversion counts (`algebra`) and multiset
//! ranks.
//!
//! Weights are `u32` where they are 0/1 marks over at most 2^32 values (half
//! the cache footprint of `u64`, which the inversion counts of long rows
//! feel) and `u64` where they are multiset counts.

/// A weight type of the tree.
pub trait Weight: Copy + Default + Ord + Send + Sync + 'static {
    const ONE: Self;
    fn plus(self, other: Self) -> Self;
    fn minus(self, other: Self) -> Self;
    /// `self + delta`, wrapping (a tree entry is never negative in use).
    fn offset(self, delta: i64) -> Self;
    /// A count as a weight (callers keep it in range).
    fn from_usize(x: usize) -> Self;
    fn to_usize(self) -> usize;
}

macro_rules! impl_weight {
    ($($t:ty),*) => {$(
        impl Weight for $t {
            const ONE: Self = 1;
            #[inline(always)]
            fn plus(self, other: Self) -> Self { self.wrapping_add(other) }
            #[inline(always)]
            fn minus(self, other: Self) -> Self { self.wrapping_sub(other) }
            #[inline(always)]
            fn offset(self, delta: i64) -> Self { self.wrapping_add(delta as $t) }
            #[inline(always)]
            fn from_usize(x: usize) -> Self { x as $t }
            #[inline(always)]
            fn to_usize(self) -> usize { self as usize }
        }
    )*};
}

impl_weight!(u32, u64);

/// The largest power of two `<= n` (0 for 0).
#[inline]
fn top_power(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        1 << (usize::BITS - 1 - n.leading_zeros())
    }
}

pub struct Fenwick<W: Weight = u64> {
    tree: Vec<W>,
    /// The largest power of two `<= n` (0 when empty): where `select` starts.
    top: usize,
}

impl<W: Weight> Fenwick<W> {
    fn from_leaves(mut tree: Vec<W>) -> Self {
        let n = tree.len() - 1;
        for i in 1..=n {
            let parent = i + (i & i.wrapping_neg());
            if parent <= n {
                tree[parent] = tree[parent].plus(tree[i]);
            }
        }
        Fenwick {
            tree,
            top: top_power(n),
        }
    }

    /// Item `i` has weight `weights[i]`; built in O(n).
    pub fn from_weights(weights: &[W]) -> Self {
        let mut tree = Vec::with_capacity(weights.len() + 1);
        tree.push(W::default());
        tree.extend_from_slice(weights);
        Self::from_leaves(tree)
    }

    /// `n` items of weight 1, built in O(n).
    pub fn ones(n: usize) -> Self {
        let mut tree = vec![W::ONE; n + 1];
        tree[0] = W::default();
        Self::from_leaves(tree)
    }

    /// `n` items of weight 0.
    pub fn zeros(n: usize) -> Self {
        Fenwick {
            tree: vec![W::default(); n + 1],
            top: top_power(n),
        }
    }

    /// Total weight of items `0..i`.
    #[inline]
    pub fn prefix(&self, i: usize) -> W {
        let mut i = i;
        let mut s = W::default();
        while i > 0 {
            s = s.plus(self.tree[i]);
            i &= i - 1;
        }
        s
    }

    /// Adds `delta` to the weight of item `i` (weights never go negative).
    #[inline]
    pub fn add(&mut self, i: usize, delta: i64) {
        let mut i = i + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].offset(delta);
            i += i & i.wrapping_neg();
        }
    }

    /// The item holding unit `k` (0-based) of the cumulative weight: the
    /// smallest `i` with `prefix(i + 1) > k`. Callers keep `k` below the total.
    #[inline]
    pub fn select(&self, k: W) -> usize {
        let mut pos = 0;
        let mut rem = k;
        let mut step = self.top;
        while step > 0 {
            let next = pos + step;
            if next < self.tree.len() && self.tree[next] <= rem {
                pos = next;
                rem = rem.minus(self.tree[next]);
            }
            step >>= 1;
        }
        pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_and_prefix_agree_with_a_scan() {
        let w = [2u64, 0, 3, 1, 0, 0, 4];
        let f = Fenwick::from_weights(&w);
        let mut units = vec![];
        for (i, &c) in w.iter().enumerate() {
            units.extend(std::iter::repeat(i).take(c as usize));
        }
        for (k, &item) in units.iter().enumerate() {
            assert_eq!(f.select(k as u64), item);
        }
        for i in 0..=w.len() {
            assert_eq!(f.prefix(i), w[..i].iter().sum::<u64>());
        }
    }

    #[test]
    fn unit_marks_select_inverts_prefix() {
        let gone = [0usize, 5, 6, 36, 20];
        let mut f = Fenwick::<u32>::ones(37);
        for &g in &gone {
            f.add(g, -1);
        }
        let present: Vec<usize> = (0..37).filter(|i| !gone.contains(i)).collect();
        for (rank, &v) in present.iter().enumerate() {
            assert_eq!(f.select(rank as u32), v);
            assert_eq!(f.prefix(v) as usize, rank);
        }
        let mut z = Fenwick::<u32>::zeros(9);
        z.add(4, 1);
        z.add(7, 1);
        assert_eq!((z.prefix(4), z.prefix(5), z.prefix(9)), (0, 1, 2));
        assert_eq!(Fenwick::<u64>::ones(0).select(0), 0);
    }
}
