//! Cycle decomposition of validated permutations.

use crate::{Error, PermIndex, Result};

/// Calls `visit(cycle)` for every cycle of `row`, in the order of their smallest
/// elements, each cycle starting at its smallest element. `buf` is scratch.
pub(crate) fn walk_cycles<T: PermIndex>(
    row: &[T],
    buf: &mut Vec<usize>,
    mut visit: impl FnMut(&[usize]),
) {
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

/// Below this length one walker suffices; above it the permutation no longer
/// fits in the fast caches and interleaved walkers hide the memory latency.
const INTERLEAVE_MIN: usize = 1 << 12;
/// Walkers advanced in lockstep: enough independent loads in flight.
const WALKERS: usize = 48;

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
    let mut cycles = 0;
    for_each_cycle_length(row, |_| cycles += 1);
    cycles
}

/// Calls `visit(length)` once per cycle of `row`, in no particular order.
///
/// Following a cycle is a chain of dependent loads, so for long rows several
/// walkers follow different stretches ("trails") at once. A walker stops on
/// reaching an element already visited, which is always the first element of
/// a trail on the same cycle (its predecessor is the walker's own position);
/// union-find over trails then joins the stretches of each cycle. Visits are
/// kept in a bitset and trail starts in an increasing list, both small enough
/// to stay in cache, so each step costs one load from the permutation.
pub(crate) fn for_each_cycle_length<T: PermIndex>(row: &[T], mut visit: impl FnMut(usize)) {
    let n = row.len();
    if n < INTERLEAVE_MIN || n >= u32::MAX as usize {
        let mut buf = Vec::new();
        walk_cycles(row, &mut buf, |cycle| visit(cycle.len()));
        return;
    }
    let mut seen = vec![0u64; n.div_ceil(64)];
    let is_seen = |seen: &[u64], x: usize| seen[x / 64] & (1 << (x % 64)) != 0;
    let mut starts: Vec<u32> = Vec::new();
    let mut parent: Vec<u32> = Vec::new();
    let mut length: Vec<u32> = Vec::new();
    let mut next_start = 0usize;
    // (trail, current element) of each active walker.
    let mut walkers: Vec<(u32, usize)> = Vec::with_capacity(WALKERS);

    let start_walker = |seen: &mut [u64],
                        starts: &mut Vec<u32>,
                        parent: &mut Vec<u32>,
                        length: &mut Vec<u32>,
                        next_start: &mut usize| {
        let mut x = *next_start;
        while x < n {
            let word = seen[x / 64] | ((1u64 << (x % 64)) - 1);
            if word == u64::MAX {
                x = (x / 64 + 1) * 64;
            } else {
                x = (x / 64) * 64 + word.trailing_ones() as usize;
                break;
            }
        }
        if x >= n {
            *next_start = n;
            return None;
        }
        *next_start = x + 1;
        let trail = parent.len() as u32;
        parent.push(trail);
        length.push(1);
        starts.push(x as u32);
        seen[x / 64] |= 1 << (x % 64);
        Some((trail, x))
    };
    for _ in 0..WALKERS {
        match start_walker(
            &mut seen,
            &mut starts,
            &mut parent,
            &mut length,
            &mut next_start,
        ) {
            Some(w) => walkers.push(w),
            None => break,
        }
    }
    fn root(parent: &mut [u32], mut t: u32) -> u32 {
        while parent[t as usize] != t {
            let up = parent[parent[t as usize] as usize];
            parent[t as usize] = up;
            t = up;
        }
        t
    }
    while !walkers.is_empty() {
        let mut w = 0;
        while w < walkers.len() {
            let (trail, x) = walkers[w];
            let y = row[x].to_usize();
            if !is_seen(&seen, y) {
                seen[y / 64] |= 1 << (y % 64);
                length[trail as usize] += 1;
                walkers[w].1 = y;
                w += 1;
                continue;
            }
            // `y` starts a trail: usually this walker's own, else look it up.
            let owner = if starts[trail as usize] as usize == y {
                trail
            } else {
                starts
                    .binary_search(&(y as u32))
                    .map_or(trail, |t| t as u32)
            };
            let (a, b) = (root(&mut parent, trail), root(&mut parent, owner));
            if a != b {
                parent[a as usize] = b;
                length[b as usize] += length[a as usize];
            }
            match start_walker(
                &mut seen,
                &mut starts,
                &mut parent,
                &mut length,
                &mut next_start,
            ) {
                Some(fresh) => {
                    walkers[w] = fresh;
                    w += 1;
                }
                None => {
                    walkers.swap_remove(w);
                }
            }
        }
    }
    for t in 0..parent.len() {
        if parent[t] == t as u32 {
            visit(length[t] as usize);
        }
    }
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
    // The cycle each element was first seen in, to name both in the error.
    let mut cycle_of: Vec<usize> = vec![usize::MAX; n];
    for (c, w) in offsets.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        if a > b || b > elements.len() {
            return Err(Error::InvalidValue(format!(
                "cycle offsets are not increasing at cycle {c}"
            )));
        }
        let cycle = &elements[a..b];
        for (i, &x) in cycle.iter().enumerate() {
            if x < 0 || x as u128 >= n as u128 {
                return Err(Error::InvalidValue(format!(
                    "element {x} of cycle {c} is out of range 0..={}",
                    n as i128 - 1
                )));
            }
            let xi = x as usize;
            if cycle_of[xi] != usize::MAX {
                return Err(Error::InvalidValue(format!(
                    "element {x} appears in cycle {} and again in cycle {c}: cycles must be disjoint",
                    cycle_of[xi]
                )));
            }
            cycle_of[xi] = c;
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
    fn interleaved_walkers_find_every_cycle() {
        // Cycles of lengths 1..=m laid out over shuffled positions.
        let m = 150usize;
        let n = m * (m + 1) / 2;
        let positions: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
        let mut row = vec![0u32; n];
        let mut at = 0;
        for len in 1..=m {
            let cyc = &positions[at..at + len];
            for k in 0..len {
                row[cyc[k]] = cyc[(k + 1) % len] as u32;
            }
            at += len;
        }
        let mut lengths = Vec::new();
        for_each_cycle_length(&row, |len| lengths.push(len));
        lengths.sort();
        assert_eq!(lengths, (1..=m).collect::<Vec<_>>());
        assert_eq!(count_cycles(&row), m);
    }

    #[test]
    fn from_cycles_rejects_repeats() {
        assert!(matches!(
            from_cycles(&[0, 1, 1, 2], &[0, 2, 4], 3),
            Err(Error::InvalidValue(_))
        ));
        assert!(matches!(
            from_cycles(&[0, 3], &[0, 2], 3),
            Err(Error::InvalidValue(_))
        ));
    }
}
