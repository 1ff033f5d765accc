//! Lehmer codes of rows: `code[i]` = number of `j > i` with `p[j] < p[i]`.
//! The per-row code is [`crate::rank::lehmer_code`] (the lex digits); this
//! module validates and runs rows in parallel.

use super::group::rows_per_task;
use super::validate::validate_rows;
use crate::rank::{from_lehmer_code, lehmer_code};
use crate::{Error, PermIndex, Result};
use rayon::prelude::*;

/// The Lehmer code of every row of `p`.
pub fn lehmer_rows<T: PermIndex>(p: &[T], n: usize, out: &mut [T]) -> Result<()> {
    validate_rows(p, n)?;
    if n == 0 {
        return Ok(());
    }
    let per_task = rows_per_task(n);
    out.par_chunks_mut(n * per_task)
        .zip(p.par_chunks(n * per_task))
        .for_each(|(o, src)| {
            for (code, row) in o.chunks_mut(n).zip(src.chunks(n)) {
                lehmer_code(row, code);
            }
        });
    Ok(())
}

/// The permutations whose Lehmer codes are the rows of `code`
/// (`code[i]` must lie in `0..n-i`).
pub fn from_lehmer_rows<T: PermIndex>(code: &[T], n: usize, out: &mut [T]) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let bad = code.par_chunks(n).enumerate().find_map_first(|(r, row)| {
        row.iter()
            .enumerate()
            .find_map(|(i, &c)| match c.checked_index(n - i) {
                Some(_) => None,
                None => Some(Error::InvalidValue(format!(
                    "code[{i}] = {} (row {r}) is out of range: code[i] must lie in 0..={}",
                    c.to_i128(),
                    n - 1 - i
                ))),
            })
    });
    if let Some(err) = bad {
        return Err(err);
    }
    let per_task = rows_per_task(n);
    out.par_chunks_mut(n * per_task)
        .zip(code.par_chunks(n * per_task))
        .for_each(|(o, src)| {
            for (perm, row) in o.chunks_mut(n).zip(src.chunks(n)) {
                from_lehmer_code(row, n, perm);
            }
        });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lehmer_round_trip() {
        let p = [3u8, 0, 4, 1, 2];
        let mut code = [0u8; 5];
        lehmer_rows(&p, 5, &mut code).unwrap();
        assert_eq!(code, [3, 0, 2, 0, 0]);
        let mut back = [0u8; 5];
        from_lehmer_rows(&code, 5, &mut back).unwrap();
        assert_eq!(back, p);
        assert!(from_lehmer_rows(&[0u8, 4, 0, 0, 0], 5, &mut back).is_err());
    }
}
