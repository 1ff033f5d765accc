//! Integer element types a permutation may be stored in.
//!
//! Kernels are generic over [`PermIndex`] so that numpy arrays of any integer
//! dtype are used in place, without conversion copies.

pub trait PermIndex: Copy + Send + Sync + 'static {
    /// The largest length `n` whose values `0..n` this type can hold.
    const MAX_LEN: u128;
    /// The value as `i128`, which every supported type fits (negatives included).
    fn to_i128(self) -> i128;
    /// The value as an index when it is in `0..n`; `None` otherwise.
    #[inline]
    fn checked_index(self, n: usize) -> Option<usize> {
        let v = self.to_i128();
        if v >= 0 && v < n as i128 {
            Some(v as usize)
        } else {
            None
        }
    }
    /// The value as an index; callers guarantee it was validated.
    fn to_usize(self) -> usize;
    /// Builds a value from an index; callers guarantee `i < MAX_LEN`.
    fn from_usize(i: usize) -> Self;
}

macro_rules! impl_perm_index {
    ($($t:ty),*) => {$(
        impl PermIndex for $t {
            const MAX_LEN: u128 = <$t>::MAX as u128 + 1;
            #[inline(always)]
            fn to_i128(self) -> i128 { self as i128 }
            #[inline(always)]
            fn to_usize(self) -> usize { self as usize }
            #[inline(always)]
            fn from_usize(i: usize) -> Self { i as $t }
        }
    )*};
}

impl_perm_index!(u8, u16, u32, u64, usize, i8, i16, i32, i64);
