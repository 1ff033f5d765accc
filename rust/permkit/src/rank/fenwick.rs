//! A Fenwick (binary indexed) tree of counts: prefix sums and "find the k-th
//! item" in O(log n), the core of O(n log n) Lehmer codes.

pub struct Fenwick {
    tree: Vec<u64>,
    top: usize,
}

impl Fenwick {
    /// Item `i` has weight `weights[i]`; built in O(n).
    pub fn from_weights(weights: &[u64]) -> Self {
        let n = weights.len();
        let mut tree = vec![0u64; n + 1];
        for i in 1..=n {
            tree[i] += weights[i - 1];
            let parent = i + (i & i.wrapping_neg());
            if parent <= n {
                tree[parent] += tree[i];
            }
        }
        let top = if n == 0 {
            0
        } else {
            1 << (usize::BITS - 1 - n.leading_zeros())
        };
        Fenwick { tree, top }
    }

    /// `n` items of weight 1.
    pub fn ones(n: usize) -> Self {
        Self::from_weights(&vec![1; n])
    }

    /// `n` items of weight 0.
    pub fn zeros(n: usize) -> Self {
        Self::from_weights(&vec![0; n])
    }

    /// Total weight of items `0..i`.
    pub fn prefix(&self, i: usize) -> u64 {
        let mut i = i;
        let mut s = 0;
        while i > 0 {
            s += self.tree[i];
            i &= i - 1;
        }
        s
    }

    pub fn add(&mut self, i: usize, delta: i64) {
        let mut i = i + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].wrapping_add(delta as u64);
            i += i & i.wrapping_neg();
        }
    }

    /// The item holding unit `k` (0-based) of the cumulative weight: the
    /// smallest `i` with `prefix(i + 1) > k`. Callers keep `k` below the total.
    pub fn select(&self, k: u64) -> usize {
        let mut pos = 0;
        let mut rem = k;
        let mut step = self.top;
        while step > 0 {
            let next = pos + step;
            if next < self.tree.len() && self.tree[next] <= rem {
                pos = next;
                rem -= self.tree[next];
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
}
