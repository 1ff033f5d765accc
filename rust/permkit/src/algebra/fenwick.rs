//! A Fenwick (binary indexed) tree of counts over `0..n`: the O(log n) prefix
//! counts behind inversions, Lehmer codes and their inverses.

pub struct Fenwick {
    tree: Vec<u32>,
}

impl Fenwick {
    pub fn new(n: usize) -> Self {
        Self {
            tree: vec![0; n + 1],
        }
    }

    /// Marks value `i` as present.
    #[inline]
    pub fn add(&mut self, i: usize) {
        let mut k = i + 1;
        while k < self.tree.len() {
            self.tree[k] += 1;
            k += k & k.wrapping_neg();
        }
    }

    /// Unmarks value `i` (it must be present).
    #[inline]
    pub fn remove(&mut self, i: usize) {
        let mut k = i + 1;
        while k < self.tree.len() {
            self.tree[k] -= 1;
            k += k & k.wrapping_neg();
        }
    }

    /// How many present values are `< i`.
    #[inline]
    pub fn count_below(&self, i: usize) -> usize {
        let mut k = i;
        let mut total = 0usize;
        while k > 0 {
            total += self.tree[k] as usize;
            k &= k - 1;
        }
        total
    }

    /// A tree with every value of `0..n` present, built in O(n).
    pub fn full(n: usize) -> Self {
        let mut tree = vec![0u32; n + 1];
        for k in 1..=n {
            tree[k] += 1;
            let parent = k + (k & k.wrapping_neg());
            if parent <= n {
                tree[parent] += tree[k];
            }
        }
        Self { tree }
    }

    /// The `rank`-th smallest present value (0-based); the caller guarantees
    /// that more than `rank` values are present.
    pub fn select(&self, mut rank: usize) -> usize {
        let n = self.tree.len() - 1;
        let mut pos = 0usize;
        let mut step = if n == 0 {
            0
        } else {
            1usize << (usize::BITS - 1 - n.leading_zeros())
        };
        while step > 0 {
            let next = pos + step;
            if next <= n && (self.tree[next] as usize) <= rank {
                pos = next;
                rank -= self.tree[next] as usize;
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
    fn select_inverts_count_below() {
        let mut f = Fenwick::full(37);
        for gone in [0usize, 5, 6, 36, 20] {
            f.remove(gone);
        }
        let present: Vec<usize> = (0..37).filter(|i| ![0, 5, 6, 36, 20].contains(i)).collect();
        for (rank, &v) in present.iter().enumerate() {
            assert_eq!(f.select(rank), v);
            assert_eq!(f.count_below(v), rank);
        }
    }
}
