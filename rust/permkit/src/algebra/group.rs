//! Composition and inversion.

use super::validate::validate_rows;
use crate::{PermIndex, Result};
use rayon::prelude::*;

/// Work below this many elements runs on the calling thread.
const PARALLEL_MIN: usize = 1 << 15;
/// Elements per parallel task when one row is split across threads.
const CHUNK: usize = 1 << 16;

/// Writes `out[r][i] = p[r][q[r][i]]` for every row. `p` and `q` hold either
/// `rows` rows or exactly one row, which is then used for every row.
pub fn compose_rows<T: PermIndex>(p: &[T], q: &[T], n: usize, out: &mut [T]) -> Result<()> {
    validate_rows(p, n)?;
    validate_rows(q, n)?;
    if n == 0 {
        return Ok(());
    }
    let p_rows = p.len() / n;
    let q_rows = q.len() / n;
    let gather = |out_row: &mut [T], p_row: &[T], q_row: &[T]| {
        for (o, &j) in out_row.iter_mut().zip(q_row) {
            *o = p_row[j.to_usize()];
        }
    };
    if out.len() / n == 1 && n >= PARALLEL_MIN {
        out.par_chunks_mut(CHUNK)
            .zip(q.par_chunks(CHUNK))
            .for_each(|(o, qc)| gather(o, p, qc));
        return Ok(());
    }
    let rows_per_task = (CHUNK / n).max(1);
    out.par_chunks_mut(n * rows_per_task).enumerate().for_each(|(t, block)| {
        for (k, out_row) in block.chunks_mut(n).enumerate() {
            let r = t * rows_per_task + k;
            let p_row = if p_rows == 1 { p } else { &p[r * n..(r + 1) * n] };
            let q_row = if q_rows == 1 { q } else { &q[r * n..(r + 1) * n] };
            gather(out_row, p_row, q_row);
        }
    });
    Ok(())
}

/// Writes the inverse of every row of `p` into `out` (`out[r][p[r][i]] = i`).
pub fn inverse_rows<T: PermIndex>(p: &[T], n: usize, out: &mut [T]) -> Result<()> {
    validate_rows(p, n)?;
    if n == 0 {
        return Ok(());
    }
    if p.len() == n && n >= PARALLEL_MIN {
        // Rows are permutations, so every target index is written exactly once.
        let target = SharedSlice(out.as_mut_ptr());
        p.par_chunks(CHUNK).enumerate().for_each(|(c, chunk)| {
            let base = c * CHUNK;
            for (i, &v) in chunk.iter().enumerate() {
                // SAFETY: `v` is a validated, distinct index in 0..n.
                unsafe { target.write(v.to_usize(), T::from_usize(base + i)) };
            }
        });
        return Ok(());
    }
    let rows_per_task = (CHUNK / n).max(1);
    out.par_chunks_mut(n * rows_per_task)
        .zip(p.par_chunks(n * rows_per_task))
        .for_each(|(o, src)| {
            for (orow, prow) in o.chunks_mut(n).zip(src.chunks(n)) {
                for (i, &v) in prow.iter().enumerate() {
                    orow[v.to_usize()] = T::from_usize(i);
                }
            }
        });
    Ok(())
}

/// A raw pointer that parallel tasks write through at provably distinct indices.
#[derive(Clone, Copy)]
struct SharedSlice<T>(*mut T);
unsafe impl<T: Send> Send for SharedSlice<T> {}
unsafe impl<T: Send> Sync for SharedSlice<T> {}
impl<T> SharedSlice<T> {
    unsafe fn write(self, i: usize, v: T) {
        *self.0.add(i) = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_and_inverse_small() {
        let p = [1u8, 2, 0];
        let q = [2u8, 1, 0];
        let mut out = [0u8; 3];
        compose_rows(&p, &q, 3, &mut out).unwrap();
        assert_eq!(out, [0, 2, 1]);
        inverse_rows(&p, 3, &mut out).unwrap();
        assert_eq!(out, [2, 0, 1]);
    }

    #[test]
    fn inverse_of_long_row_round_trips() {
        let n = 200_003usize;
        let p: Vec<u32> = (0..n).map(|i| ((i * 7919) % n) as u32).collect();
        let mut inv = vec![0u32; n];
        inverse_rows(&p, n, &mut inv).unwrap();
        let mut id = vec![0u32; n];
        compose_rows(&p, &inv, n, &mut id).unwrap();
        assert!(id.iter().enumerate().all(|(i, &v)| v as usize == i));
    }
}
