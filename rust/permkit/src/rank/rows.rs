//! Array kernels: rank or unrank many rows at once, in parallel.
//!
//! Rows are independent, so results never depend on the number of threads;
//! errors report the first bad row in row order. Long calls poll the
//! interrupt between super-chunks, from the calling thread.

use super::combination::*;
use super::multiset::{multiset_rank, multiset_unrank};
use super::perm::{lex_digits, unrank_lex, PermOrder};
use super::RankInt;
use crate::{count, Error, Interrupt, PermIndex, Result};
use num_bigint::BigUint;
use rayon::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CombOrder {
    Lex,
    Colex,
    RevolvingDoor,
}

/// A family of objects with a rank order; rows are its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Family {
    Permutation {
        n: usize,
        order: PermOrder,
    },
    Arrangement {
        n: usize,
        k: usize,
    },
    Combination {
        n: usize,
        k: usize,
        order: CombOrder,
    },
    Multiset {
        counts: Vec<u64>,
    },
}

/// Values handled per interrupt poll (rows x width).
const SUPER_CHUNK: usize = 1 << 20;
/// Rows per parallel task.
const TASK_ROWS: usize = 1 << 10;

impl Family {
    pub fn width(&self) -> usize {
        match self {
            Family::Permutation { n, .. } => *n,
            Family::Arrangement { k, .. } | Family::Combination { k, .. } => *k,
            Family::Multiset { counts } => counts.iter().sum::<u64>() as usize,
        }
    }

    /// Number of distinct values a row may hold.
    fn alphabet(&self) -> usize {
        match self {
            Family::Permutation { n, .. }
            | Family::Arrangement { n, .. }
            | Family::Combination { n, .. } => *n,
            Family::Multiset { counts } => counts.len(),
        }
    }

    /// The number of members (polls `interrupt`; `Error::Memory` when the
    /// count alone would not fit in memory).
    pub fn count(&self, interrupt: &dyn Interrupt) -> Result<BigUint> {
        match self {
            Family::Permutation { n, .. } => count::factorial(*n as u64, interrupt),
            Family::Arrangement { n, k } => count::permutations(*n as u64, *k as u64, interrupt),
            Family::Combination { n, k, .. } => {
                count::combinations(*n as u64, *k as u64, interrupt)
            }
            Family::Multiset { counts } => count::multiset_permutations(counts, interrupt),
        }
    }

    /// Why `row` (values already below the alphabet size) is not a member.
    fn check(&self, row: &[usize]) -> std::result::Result<(), String> {
        match self {
            Family::Arrangement { .. } => {
                // O(k) memory: the alphabet may be far larger than the row.
                let mut seen = std::collections::HashSet::with_capacity(row.len());
                for (i, &v) in row.iter().enumerate() {
                    if !seen.insert(v) {
                        return Err(format!(
                            "value {v} appears more than once (again at index {i})"
                        ));
                    }
                }
            }
            Family::Permutation { .. } => {
                let mut seen = vec![false; self.alphabet()];
                for (i, &v) in row.iter().enumerate() {
                    if std::mem::replace(&mut seen[v], true) {
                        return Err(format!(
                            "value {v} appears more than once (again at index {i})"
                        ));
                    }
                }
            }
            Family::Combination { .. } => {
                if let Some(i) = (1..row.len()).find(|&i| row[i] <= row[i - 1]) {
                    return Err(format!("a combination must be strictly increasing, but index {i} holds {} after {}", row[i], row[i - 1]));
                }
            }
            Family::Multiset { counts } => {
                let mut seen = vec![0u64; counts.len()];
                for &v in row {
                    seen[v] += 1;
                }
                if let Some(v) = (0..counts.len()).find(|&v| seen[v] != counts[v]) {
                    return Err(format!(
                        "value {v} appears {} times; the multiset has it {} times",
                        seen[v], counts[v]
                    ));
                }
            }
        }
        Ok(())
    }

    fn rank_row<R: RankInt>(&self, row: &[usize], total: &R) -> R {
        match self {
            Family::Permutation { n, order } => {
                R::from_digits(&order.digits(row), &order.radices(*n))
            }
            Family::Arrangement { n, k } => {
                let radices: Vec<u64> = (0..*k).map(|i| (n - i) as u64).collect();
                R::from_digits(&lex_digits(row, *n), &radices)
            }
            Family::Combination { n, order, .. } => {
                let c: Vec<u64> = row.iter().map(|&v| v as u64).collect();
                match order {
                    CombOrder::Lex => lex_combination_rank(&c, *n as u64, total),
                    CombOrder::Colex => colex_rank(&c),
                    CombOrder::RevolvingDoor => revolving_door_rank(&c),
                }
            }
            Family::Multiset { counts } => multiset_rank(row, counts, total),
        }
    }

    /// Writes the member of rank `r < total` into `out`.
    pub fn unrank_row<R: RankInt>(&self, r: &R, total: &R, out: &mut [usize]) {
        match self {
            Family::Permutation {
                n,
                order: PermOrder::Lex,
            }
            | Family::Arrangement { n, .. } => {
                unrank_lex(r, *n, out);
            }
            Family::Permutation { n, order } => {
                if let Some(d) = r.to_digits(&order.radices(*n)) {
                    order.from_digits(&d, out);
                }
            }
            Family::Combination { n, order, .. } => {
                let mut c = vec![0u64; out.len()];
                match order {
                    CombOrder::Lex => lex_combination_unrank(r, *n as u64, total, &mut c),
                    CombOrder::Colex => colex_unrank(r, *n as u64, &mut c),
                    CombOrder::RevolvingDoor => revolving_door_unrank(r, *n as u64, &mut c),
                }
                for (o, x) in out.iter_mut().zip(c) {
                    *o = x as usize;
                }
            }
            Family::Multiset { counts } => multiset_unrank(r, counts, total, out),
        }
    }

    /// The number of members when it fits in a `u64` (so every rank does),
    /// decided by a bounded number of checked operations, never by
    /// computing a big count.
    pub fn total(&self) -> Result<Option<u64>> {
        Ok(match self {
            Family::Permutation { n, .. } => count::permutations_u64(*n as u64, *n as u64),
            Family::Arrangement { n, k } => count::permutations_u64(*n as u64, *k as u64),
            Family::Combination { n, k, .. } => count::combinations_u64(*n as u64, *k as u64),
            Family::Multiset { counts } => count::multiset_permutations_u64(counts),
        })
    }
}

impl Family {
    /// Ranks each row of `data` into `u64` ranks: the fast kernel for lex
    /// permutations of `1..=20` values, the general one otherwise. Errors
    /// when some rank of the family needs more than 64 bits.
    pub fn rank_rows_u64<T: PermIndex>(
        &self,
        data: &[T],
        out: &mut [u64],
        interrupt: &dyn Interrupt,
    ) -> Result<()> {
        let total = self.total()?.ok_or_else(|| {
            Error::InvalidValue("ranks do not fit in 64 bits: use exact ranks".into())
        })?;
        match *self {
            Family::Permutation {
                n,
                order: PermOrder::Lex,
            } if (1..=fast::MAX_N).contains(&n) => fast::rank_lex(n, data, out, interrupt),
            _ => rank_rows(self, data, &total, out, interrupt),
        }
    }

    /// Ranks each row of `data` into exact ranks. A permutation's rank needs
    /// no total (only its digits): n! is computed only for the families
    /// whose rank uses it.
    pub fn rank_rows_big<T: PermIndex>(
        &self,
        data: &[T],
        out: &mut [BigUint],
        interrupt: &dyn Interrupt,
    ) -> Result<()> {
        let total = match self {
            Family::Permutation { .. } => BigUint::default(),
            _ => self.count(interrupt)?,
        };
        rank_rows(self, data, &total, out, interrupt)
    }

    /// Writes the member of each `u64` rank as a row of `out`: the fast
    /// kernel for lex permutations of `1..=20` values, the general one
    /// otherwise.
    pub fn unrank_rows_u64<T: PermIndex>(
        &self,
        ranks: &[u64],
        out: &mut [T],
        interrupt: &dyn Interrupt,
    ) -> Result<()> {
        // A family too big for u64 ranks has every u64 as a rank.
        let total = self.total()?.unwrap_or(u64::MAX);
        match *self {
            Family::Permutation {
                n,
                order: PermOrder::Lex,
            } if (1..=fast::MAX_N).contains(&n) => fast::unrank_lex(n, ranks, out, interrupt),
            _ => unrank_rows(self, ranks, &total, out, interrupt),
        }
    }

    /// Writes the member of each exact rank as a row of `out`.
    pub fn unrank_rows_big<T: PermIndex>(
        &self,
        ranks: &[BigUint],
        out: &mut [T],
        interrupt: &dyn Interrupt,
    ) -> Result<()> {
        let total = self.count(interrupt)?;
        unrank_rows(self, ranks, &total, out, interrupt)
    }
}

fn rows_per_super(width: usize) -> usize {
    (SUPER_CHUNK / width.max(1)).max(1)
}

/// Ranks each row of `data` (rows of `fam.width()` values) into `out`.
fn rank_rows<T: PermIndex, R: RankInt>(
    fam: &Family,
    data: &[T],
    total: &R,
    out: &mut [R],
    interrupt: &dyn Interrupt,
) -> Result<()> {
    let w = fam.width();
    let alphabet = fam.alphabet();
    if w == 0 {
        out.fill(R::from_u64(0));
        return Ok(());
    }
    let per_super = rows_per_super(w);
    for (s, (block, out_block)) in data
        .chunks(per_super * w)
        .zip(out.chunks_mut(per_super))
        .enumerate()
    {
        interrupt.check()?;
        let err = block
            .par_chunks(TASK_ROWS * w)
            .zip(out_block.par_chunks_mut(TASK_ROWS))
            .enumerate()
            .find_map_first(|(t, (rows, outs))| {
                let mut row = vec![0usize; w];
                for (k, (src, o)) in rows.chunks(w).zip(outs.iter_mut()).enumerate() {
                    let r = s * per_super + t * TASK_ROWS + k;
                    for (i, (dst, &v)) in row.iter_mut().zip(src).enumerate() {
                        match v.checked_index(alphabet) {
                            Some(x) => *dst = x,
                            None => return Some(value_error(r, i, v.to_i128(), alphabet)),
                        }
                    }
                    if let Err(msg) = fam.check(&row) {
                        return Some(Error::InvalidValue(format!("row {r}: {msg}")));
                    }
                    *o = fam.rank_row(&row, total);
                }
                None
            });
        if let Some(e) = err {
            return Err(e);
        }
    }
    Ok(())
}

fn value_error(row: usize, index: usize, value: i128, alphabet: usize) -> Error {
    Error::OutOfRange {
        row,
        index,
        value,
        n: alphabet,
    }
}

/// Error for the first rank not below `total`, if any.
fn check_ranks<R: RankInt>(ranks: &[R], total: &R) -> Result<()> {
    // Valid ranks, the common case, cost one branch-free (vectorised) pass
    // per task; the first bad position is searched for only on failure.
    let any_bad = ranks
        .par_chunks(TASK_ROWS << 4)
        .map(|chunk| chunk.iter().fold(false, |bad, r| bad | (r >= total)))
        .reduce(|| false, |a, b| a | b);
    if !any_bad {
        return Ok(());
    }
    match ranks.iter().position(|r| r >= total) {
        Some(i) => Err(Error::InvalidValue(format!(
            "rank {} at index {i} is out of range: valid ranks are 0..={}",
            ranks[i],
            if total.is_zero() {
                "(none: the family is empty)".to_string()
            } else {
                total.sub(&R::from_u64(1)).to_string()
            }
        ))),
        None => Ok(()),
    }
}

/// Writes the member of each rank as a row of `out`.
fn unrank_rows<T: PermIndex, R: RankInt>(
    fam: &Family,
    ranks: &[R],
    total: &R,
    out: &mut [T],
    interrupt: &dyn Interrupt,
) -> Result<()> {
    check_ranks(ranks, total)?;
    let w = fam.width();
    if w == 0 {
        return Ok(());
    }
    let per_super = rows_per_super(w);
    for (block, out_block) in ranks.chunks(per_super).zip(out.chunks_mut(per_super * w)) {
        interrupt.check()?;
        block
            .par_chunks(TASK_ROWS)
            .zip(out_block.par_chunks_mut(TASK_ROWS * w))
            .for_each(|(rs, outs)| {
                let mut row = vec![0usize; w];
                for (r, o) in rs.iter().zip(outs.chunks_mut(w)) {
                    fam.unrank_row(r, total, &mut row);
                    for (dst, &x) in o.iter_mut().zip(&row) {
                        *dst = T::from_usize(x);
                    }
                }
            });
    }
    Ok(())
}

/// Lex ranks of permutations with n <= 20 in `u64`: the hot path, with the
/// length a compile-time constant so digit divisions become multiplications.
mod fast {
    use super::*;

    pub const MAX_N: usize = 20;

    /// The last `LOW` positions are unranked by table lookup.
    const LOW: usize = 8;
    const LOW_PRODUCT: u64 = 40320; // 8!: its permutations' nibbles fill a u32

    /// Entry x: the lex x-th permutation of 0..LOW, as nibbles (position 0 lowest).
    #[inline]
    fn low_perms() -> &'static [u32; LOW_PRODUCT as usize] {
        static TABLE: std::sync::OnceLock<Box<[u32; LOW_PRODUCT as usize]>> =
            std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            let mut t = Box::new([0u32; LOW_PRODUCT as usize]);
            let mut p = [0u8, 1, 2, 3, 4, 5, 6, 7];
            for slot in t.iter_mut() {
                *slot = p
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| (v as u32) << (4 * i))
                    .sum();
                // next permutation (Algorithm L)
                if let Some(i) = (0..LOW - 1).rev().find(|&i| p[i] < p[i + 1]) {
                    let j = (i + 1..LOW).rev().find(|&j| p[j] > p[i]).unwrap_or(i + 1);
                    p.swap(i, j);
                    p[i + 1..].reverse();
                }
            }
            t
        })
    }

    fn rank_one<const N: usize, T: PermIndex>(row: &[T]) -> Option<u64> {
        // Branch-free: validity (all values below N and distinct, i.e. every
        // bit of `used` set) is checked once at the end.
        let mut used: u32 = 0;
        let mut out_of_range = false;
        // Two Horner chains (head and last LOW positions) run side by side.
        let (mut hi, mut lo): (u64, u64) = (0, 0);
        for (i, &v) in row[..N].iter().enumerate() {
            let x = v.to_usize();
            out_of_range |= x >= N;
            let bit = 1u32 << (x & 31);
            let d =
                ((x & 31) as u32).wrapping_sub((used & bit.wrapping_sub(1)).count_ones()) as u64;
            used |= bit;
            if i + LOW < N {
                hi = hi.wrapping_mul((N - i) as u64).wrapping_add(d);
            } else {
                lo = lo.wrapping_mul((N - i) as u64).wrapping_add(d);
            }
        }
        if out_of_range || used != ((1u64 << N) - 1) as u32 {
            return None;
        }
        Some(if N > LOW { hi * LOW_PRODUCT + lo } else { lo })
    }

    fn unrank_one<const N: usize, T: PermIndex>(mut r: u64, out: &mut [T]) {
        let mut d = [0u8; N];
        // Digit N-1-j has radix j+1: unrolled so each divisor is a literal
        // and the division compiles to a multiplication.
        macro_rules! digit {
            ($($j:literal)*) => {$(
                if $j < N {
                    d[N - 1 - $j] = (r % ($j + 1)) as u8;
                    r /= $j + 1;
                }
            )*};
        }
        if N < LOW {
            // Digit N-1 has radix 1: always 0, as `d` starts.
            digit!(1 2 3 4 5 6);
            // Unused values as nibbles of one word: select and delete in O(1).
            let mut list: u64 = 0xFEDC_BA98_7654_3210;
            for (o, &di) in out[..N].iter_mut().zip(&d) {
                let s = 4 * di as u32;
                *o = T::from_usize(((list >> s) & 0xF) as usize);
                list = (list & ((1u64 << s) - 1)) | ((list >> s >> 4) << s);
            }
            return;
        }
        // The last LOW positions are a permutation of the LOW values left
        // after the head: one table lookup instead of LOW serial steps.
        let tail = low_perms()[(r % LOW_PRODUCT) as usize];
        r /= LOW_PRODUCT;
        digit!(8 9 10 11 12 13 14 15 16 17 18 19);
        let head = N - LOW;
        if N <= 16 {
            let mut list: u64 = 0xFEDC_BA98_7654_3210;
            for (o, &di) in out[..head].iter_mut().zip(&d) {
                let s = 4 * di as u32;
                *o = T::from_usize(((list >> s) & 0xF) as usize);
                list = (list & ((1u64 << s) - 1)) | ((list >> s >> 4) << s);
            }
            for (i, o) in out[head..N].iter_mut().enumerate() {
                let slot = (tail >> (4 * i)) & 0xF;
                *o = T::from_usize(((list >> (4 * slot)) & 0xF) as usize);
            }
        } else {
            let mut rem = [0u8; MAX_N];
            for (i, x) in rem.iter_mut().enumerate() {
                *x = i as u8;
            }
            let mut len = N;
            for (o, &di) in out[..head].iter_mut().zip(&d) {
                let j = di as usize;
                *o = T::from_usize(rem[j] as usize);
                rem.copy_within(j + 1..len, j);
                len -= 1;
            }
            for (i, o) in out[head..N].iter_mut().enumerate() {
                *o = T::from_usize(rem[((tail >> (4 * i)) & 0xF) as usize] as usize);
            }
        }
    }

    fn rank_all<const N: usize, T: PermIndex>(data: &[T], out: &mut [u64]) -> bool {
        data.par_chunks(TASK_ROWS * N)
            .zip(out.par_chunks_mut(TASK_ROWS))
            .all(|(rows, outs)| {
                for (row, o) in rows.chunks_exact(N).zip(outs.iter_mut()) {
                    match rank_one::<N, T>(row) {
                        Some(r) => *o = r,
                        None => return false,
                    }
                }
                true
            })
    }

    fn unrank_all<const N: usize, T: PermIndex>(ranks: &[u64], out: &mut [T]) {
        #[cfg(target_arch = "x86_64")]
        if N <= shuffle::MAX_N && std::is_x86_feature_detected!("ssse3") {
            ranks
                .par_chunks(TASK_ROWS)
                .zip(out.par_chunks_mut(TASK_ROWS * N))
                // SAFETY: the CPU supports SSSE3, the one feature the function is compiled for.
                .for_each(|(rs, outs)| unsafe { shuffle::unrank_block::<N, T>(rs, outs) });
            return;
        }
        unrank_all_scalar::<N, T>(ranks, out);
    }

    fn unrank_all_scalar<const N: usize, T: PermIndex>(ranks: &[u64], out: &mut [T]) {
        ranks
            .par_chunks(TASK_ROWS)
            .zip(out.par_chunks_mut(TASK_ROWS * N))
            .for_each(|(rs, outs)| {
                for (&r, o) in rs.iter().zip(outs.chunks_exact_mut(N)) {
                    unrank_one::<N, T>(r, o);
                }
            });
    }

    /// Lex unranking of permutations of at most 16 values with byte shuffles
    /// (SSSE3 `pshufb`): the unused values sit in order in the lanes of one
    /// vector, and choosing the d-th of them for position i is one shuffle
    /// that moves lane i + d to lane i (the lanes between move up one). The
    /// last `LOW` positions are one more shuffle, read from the table of
    /// their orderings. Same digits, same output as [`unrank_one`].
    #[cfg(target_arch = "x86_64")]
    mod shuffle {
        use super::{low_perms, LOW, LOW_PRODUCT};
        use crate::PermIndex;
        use std::arch::x86_64::*;

        /// Lanes of a vector.
        pub const MAX_N: usize = 16;

        /// Entry `16 * i + d` (two little-endian words): the byte shuffle moving
        /// lane i + d to lane i and lanes i .. i + d - 1 up one lane.
        static MOVE_TO_FRONT: [[u64; 2]; MAX_N * MAX_N] = move_to_front();

        const fn move_to_front() -> [[u64; 2]; MAX_N * MAX_N] {
            let mut table = [[0u64; 2]; MAX_N * MAX_N];
            let mut i = 0;
            while i < MAX_N {
                let mut d = 0;
                while i + d < MAX_N {
                    let mut lane = 0;
                    while lane < MAX_N {
                        let from = if lane == i {
                            i + d
                        } else if lane > i && lane <= i + d {
                            lane - 1
                        } else {
                            lane
                        };
                        table[i * MAX_N + d][lane / 8] |= (from as u64) << (8 * (lane % 8));
                        lane += 1;
                    }
                    d += 1;
                }
                i += 1;
            }
            table
        }

        /// Bytes 0, 1, ..., 15.
        const IDENTITY: u128 = 0x0F0E_0D0C_0B0A_0908_0706_0504_0302_0100;

        // Inlined across crates too: the kernels are instantiated in the bindings.
        #[inline]
        #[target_feature(enable = "sse2")]
        // SAFETY (contract): callers must run on a CPU with SSE2.
        unsafe fn vector(x: u128) -> __m128i {
            _mm_set_epi64x((x >> 64) as i64, x as i64)
        }

        /// Writes the lex permutation of rank `ranks[j] < N!` as row j of `out`.
        #[target_feature(enable = "ssse3")]
        // SAFETY (contract): callers must have checked that the CPU supports
        // SSSE3; the body only uses SSE2/SSSE3 register operations (no raw
        // memory access).
        pub unsafe fn unrank_block<const N: usize, T: PermIndex>(ranks: &[u64], out: &mut [T]) {
            let table = low_perms();
            let head = N.saturating_sub(LOW);
            let keep_head = IDENTITY & ((1u128 << (8 * head)) - 1);
            for (&r, row) in ranks.iter().zip(out.chunks_exact_mut(N)) {
                // Digit N-1-j has radix j+1; ranks below 16! leave a head
                // below 16!/8! < 2^32, so the head digits are u32 divisions.
                let mut d = [0u32; N];
                let (mut rest, tail) = if N < LOW {
                    (r as u32, None)
                } else {
                    let t = table[(r % LOW_PRODUCT) as usize] as u64;
                    ((r / LOW_PRODUCT) as u32, Some(t))
                };
                macro_rules! digit {
                    ($($j:literal)*) => {$(
                        if (N < LOW || $j >= LOW) && $j < N {
                            d[N - 1 - $j] = rest % ($j + 1);
                            rest /= $j + 1;
                        }
                    )*};
                }
                digit!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
                let steps = if N < LOW { N } else { head };
                let mut v = vector(IDENTITY);
                for (i, &di) in d[..steps].iter().enumerate() {
                    let [lo, hi] = MOVE_TO_FRONT[i * MAX_N + di as usize];
                    v = _mm_shuffle_epi8(v, vector(lo as u128 | (hi as u128) << 64));
                }
                if let Some(t) = tail {
                    // The table's 8 nibbles (slots among the 8 values left, in
                    // order in lanes head..) spread to bytes, offset by head.
                    let x = (t | (t << 16)) & 0x0000_FFFF_0000_FFFF;
                    let x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
                    let x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
                    let x = x + 0x0101_0101_0101_0101 * head as u64;
                    v = _mm_shuffle_epi8(v, vector(keep_head | (x as u128) << (8 * head)));
                }
                let lo = _mm_cvtsi128_si64(v) as u64 as u128;
                let hi = _mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)) as u64 as u128;
                let bytes = (lo | hi << 64).to_le_bytes();
                for (o, &b) in row.iter_mut().zip(&bytes) {
                    *o = T::from_usize(b as usize);
                }
            }
        }
    }

    macro_rules! by_len {
        ($n:expr, $f:ident, $($arg:expr),*) => {
            match $n {
                1 => $f::<1, T>($($arg),*), 2 => $f::<2, T>($($arg),*), 3 => $f::<3, T>($($arg),*),
                4 => $f::<4, T>($($arg),*), 5 => $f::<5, T>($($arg),*), 6 => $f::<6, T>($($arg),*),
                7 => $f::<7, T>($($arg),*), 8 => $f::<8, T>($($arg),*), 9 => $f::<9, T>($($arg),*),
                10 => $f::<10, T>($($arg),*), 11 => $f::<11, T>($($arg),*), 12 => $f::<12, T>($($arg),*),
                13 => $f::<13, T>($($arg),*), 14 => $f::<14, T>($($arg),*), 15 => $f::<15, T>($($arg),*),
                16 => $f::<16, T>($($arg),*), 17 => $f::<17, T>($($arg),*), 18 => $f::<18, T>($($arg),*),
                19 => $f::<19, T>($($arg),*), _ => $f::<20, T>($($arg),*),
            }
        };
    }

    /// Lex ranks of permutations of length `1 <= n <= 20`; on invalid input
    /// falls back to the general kernel, which names the first bad row.
    pub fn rank_lex<T: PermIndex>(
        n: usize,
        data: &[T],
        out: &mut [u64],
        interrupt: &dyn Interrupt,
    ) -> Result<()> {
        let per_super = rows_per_super(n);
        for (block, out_block) in data.chunks(per_super * n).zip(out.chunks_mut(per_super)) {
            interrupt.check()?;
            if !by_len!(n, rank_all, block, out_block) {
                let fam = Family::Permutation {
                    n,
                    order: PermOrder::Lex,
                };
                let total: u64 = (1..=n as u64).product();
                return rank_rows(&fam, data, &total, out, interrupt);
            }
        }
        Ok(())
    }

    pub fn unrank_lex<T: PermIndex>(
        n: usize,
        ranks: &[u64],
        out: &mut [T],
        interrupt: &dyn Interrupt,
    ) -> Result<()> {
        let total: u64 = (1..=n as u64).product();
        check_ranks(ranks, &total)?;
        let per_super = rows_per_super(n);
        for (block, out_block) in ranks.chunks(per_super).zip(out.chunks_mut(per_super * n)) {
            interrupt.check()?;
            by_len!(n, unrank_all, block, out_block);
        }
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn shuffle_and_scalar_kernels_agree() {
            type T = u16;
            for n in 1..=MAX_N {
                let total: u64 = (1..=n as u64).product();
                let ranks: Vec<u64> = (0..3000u64)
                    .map(|i| (i.wrapping_mul(0x9E3779B97F4A7C15) >> 3) % total)
                    .chain([0, total - 1])
                    .collect();
                let mut a: Vec<T> = vec![0; ranks.len() * n];
                let mut b: Vec<T> = vec![0; ranks.len() * n];
                by_len!(n, unrank_all, &ranks, &mut a);
                by_len!(n, unrank_all_scalar, &ranks, &mut b);
                assert_eq!(a, b, "n={n}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Never;

    #[test]
    fn fast_lex_matches_general_kernel() {
        for n in 1..=20usize {
            let fam = Family::Permutation {
                n,
                order: PermOrder::Lex,
            };
            let total: u64 = fam.total().unwrap().unwrap();
            let ranks: Vec<u64> = (0..200u64)
                .map(|i| (i.wrapping_mul(0x9E3779B97F4A7C15) >> 3) % total)
                .collect();
            let mut a = vec![0u8; ranks.len() * n];
            let mut b = vec![0u8; ranks.len() * n];
            fast::unrank_lex(n, &ranks, &mut a, &Never).unwrap();
            unrank_rows(&fam, &ranks, &total, &mut b, &Never).unwrap();
            assert_eq!(a, b);
            let mut back = vec![0u64; ranks.len()];
            fast::rank_lex(n, &a, &mut back, &Never).unwrap();
            assert_eq!(back, ranks);
        }
    }

    #[test]
    fn errors_name_the_first_bad_row() {
        let fam = Family::Permutation {
            n: 3,
            order: PermOrder::Mr,
        };
        let mut out = [0u64; 3];
        let err =
            rank_rows(&fam, &[0u8, 1, 2, 0, 0, 2, 5, 1, 0], &6, &mut out, &Never).unwrap_err();
        assert!(err.to_string().contains("row 1"), "{err}");
        let mut rows = [0u8; 6];
        assert!(unrank_rows(&fam, &[5u64, 6], &6, &mut rows, &Never).is_err());
    }
}

#[cfg(test)]
mod timing {
    use super::*;
    use crate::Never;

    #[test]
    #[ignore]
    fn time_fast_unrank() {
        let ranks: Vec<u64> = (0..1_000_000u64)
            .map(|i| (i.wrapping_mul(0x9E3779B97F4A7C15) >> 8) % 479001600)
            .collect();
        let mut out = vec![0u8; ranks.len() * 12];
        let (mut bu, mut br) = (f64::MAX, f64::MAX);
        for _ in 0..25 {
            let t = std::time::Instant::now();
            fast::unrank_lex(12, &ranks, &mut out, &Never).unwrap();
            bu = bu.min(t.elapsed().as_secs_f64());
            let t = std::time::Instant::now();
            let mut back = vec![0u64; ranks.len()];
            fast::rank_lex(12, &out, &mut back, &Never).unwrap();
            br = br.min(t.elapsed().as_secs_f64());
        }
        eprintln!("min unrank {:.1} ms, rank {:.1} ms", bu * 1e3, br * 1e3);
    }
}
