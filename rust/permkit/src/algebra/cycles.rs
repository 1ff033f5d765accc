//! Cycle decomposition of validated permutations.

use crate::{Error, PermIndex, Result};

/// Calls `visit(cycle)` for every cycle of `row`, in the order of their smallest
/// elements, each cycle starting at its smallest element. `buf` is scratch.
pub(crate) fn walk_cycles<T: PermIndex>(row: &[T], buf: &mut Vec<usize>, mut visit: impl FnMut(&[usize])) {
    let n = row.len();
    let mut seen = vec![false; n];
    for start in 0..n {
        if seen[start] {
            continue;
        }
        buf.clear();
        let mut x = start;
        while !seen[x] {
            seen[x] = true;
            buf.push(x);
            x = row[x].to_usize();
        }
        visit(buf);
    }
}

/// Number of cycles of `row`, fixed points included.
pub(crate) fn count_cycles<T: PermIndex>(row: &[T]) -> usize {
    let n = row.len();
    if n <= 64 {
        let mut seen = 0u64;
        let mut cycles = 0;
        for start in 0..n {
            if seen & (1 << start) != 0 {
                continue;
            }
            cycles += 1;
            let mut x = start;
            while seen & (1 << x) == 0 {
                seen |= 1 << x;
                x = row[x].to_usize();
            }
        }
        return cycles;
    }
    let mut seen = vec![false; n];
    let mut cycles = 0;
    for start in 0..n {
        if seen[start] {
            continue;
        }
        cycles += 1;
        let mut x = start;
        while !seen[x] {
            seen[x] = true;
            x = row[x].to_usize();
        }
    }
    cycles
}

/// The canonical cycle form of one validated permutation: all elements,
/// cycle after cycle, and the offset where each cycle starts (plus a final
/// offset equal to `n`). Fixed points are kept only when `singletons`.
pub fn canonical_cycles<T: PermIndex>(row: &[T], singletons: bool) -> (Vec<u64>, Vec<u64>) {
    let mut elements = Vec::with_capacity(row.len());
    let mut starts = Vec::new();
    let mut buf = Vec::new();
    walk_cycles(row, &mut buf, |cycle| {
        if singletons || cycle.len() > 1 {
            starts.push(elements.len() as u64);
            elements.extend(cycle.iter().map(|&x| x as u64));
        }
    });
    starts.push(elements.len() as u64);
    (elements, starts)
}

/// The permutation of `0..n` whose cycles are the runs of `elements` between
/// consecutive `offsets` (each run maps its i-th element to its (i+1)-th and
/// its last to its first). Elements not mentioned are fixed points.
pub fn from_cycles(elements: &[i64], offsets: &[usize], n: usize) -> Result<Vec<u64>> {
    let mut out: Vec<u64> = (0..n as u64).collect();
    let mut seen = vec![false; n];
    for (c, w) in offsets.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        if a > b || b > elements.len() {
            return Err(Error::InvalidValue(format!("cycle offsets are not increasing at cycle {c}")));
        }
        let cycle = &elements[a..b];
        for (i, &x) in cycle.iter().enumerate() {
            if x < 0 || x as u128 >= n as u128 {
                return Err(Error::OutOfRange { row: c, index: i, value: x as i128, n });
            }
            let xi = x as usize;
            if seen[xi] {
                return Err(Error::Duplicate { row: c, index: i, value: xi as u64 });
            }
            seen[xi] = true;
            out[xi] = cycle[(i + 1) % cycle.len()] as u64;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_and_round_trip() {
        let p = [2u8, 0, 1, 3, 5, 4];
        let (el, st) = canonical_cycles(&p, false);
        assert_eq!(el, vec![0, 2, 1, 4, 5]);
        assert_eq!(st, vec![0, 3, 5]);
        let el: Vec<i64> = el.iter().map(|&x| x as i64).collect();
        let st: Vec<usize> = st.iter().map(|&x| x as usize).collect();
        assert_eq!(from_cycles(&el, &st, 6).unwrap(), vec![2, 0, 1, 3, 5, 4]);
        assert_eq!(count_cycles(&p), 3);
    }

    #[test]
    fn from_cycles_rejects_repeats() {
        assert!(matches!(from_cycles(&[0, 1, 1, 2], &[0, 2, 4], 3), Err(Error::Duplicate { .. })));
        assert!(matches!(from_cycles(&[0, 3], &[0, 2], 3), Err(Error::OutOfRange { .. })));
    }
}
