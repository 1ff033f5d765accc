//! Fisher's exact test on contingency tables (spec: docs/exact_tests.md).
//!
//! 2 x 2: the hypergeometric law of the top-left cell, with probabilities
//! taken relative to the mode through exact ratio recurrences (no
//! log-factorials of large margins, so no cancellation for huge tables).
//!
//! r x c (Fisher-Freeman-Halton): a network algorithm in the spirit of Mehta
//! and Patel (1983). Columns are filled one at a time; a node is the multiset
//! of remaining row sums (rows are exchangeable in what is left to do), so
//! tables that agree on it share their completions. Each node knows the
//! largest and smallest log weight of its completions and the total mass of
//! all of them (closed form); a partial table whose every completion is (or
//! none is) at most as probable as the observed one is settled at once, and
//! partial tables with equal past weight are pooled. Tables are never listed
//! one by one.

use crate::{Error, Interrupt, Result};
use std::collections::HashMap;

/// Relative tolerance for "as probable as the observed table" (R's fisher.test).
pub const RELATIVE_TOLERANCE: f64 = 1e-7;

/// Most network nodes the r x c algorithm may build before giving up.
pub const MAX_NODES: usize = 1 << 22;
/// Largest total count of an r x c table (its log-factorial table is 32 MiB).
pub const MAX_TOTAL: u64 = 1 << 22;
/// Most network edges (column fillings) the r x c algorithm may build.
pub const MAX_EDGES: usize = 1 << 25;

/// Most values of the top-left cell the 2 x 2 test visits around the mode.
pub const MAX_2X2_STEPS: u64 = 1 << 24;
/// Relative log-probability below which a cell value's mass underflows to 0.
const NEGLIGIBLE: f64 = -800.0;

/// One-sided and two-sided p-values of a 2 x 2 table [[a, b], [c, d]]:
/// (less, greater, two-sided), "less" meaning small top-left cells are extreme.
///
/// Cell values are visited outwards from the mode until their mass underflows
/// (the law is unimodal), so huge tables cost O(sqrt(n)), not O(n).
pub fn fisher_2x2(a: u64, b: u64, c: u64, d: u64) -> Result<(f64, f64, f64)> {
    let too_big = || Error::Overflow("counts too large for the exact 2 x 2 test".into());
    let row1 = a.checked_add(b).ok_or_else(too_big)?;
    let row2 = c.checked_add(d).ok_or_else(too_big)?;
    let col1 = a.checked_add(c).ok_or_else(too_big)?;
    row1.checked_add(row2).ok_or_else(too_big)?;
    // Support of the top-left cell x.
    let lo = col1.saturating_sub(row2);
    let hi = col1.min(row1);
    let mode = (((col1 + 1) as f64 * (row1 + 1) as f64) / (row1 as f64 + row2 as f64 + 2.0)) as u64;
    let mode = mode.clamp(lo, hi);
    // log P(x+1)/P(x) = log((row1 - x)(col1 - x) / ((x + 1)(row2 - col1 + x + 1))).
    let up = |x: u64| -> f64 {
        let num = (row1 - x) as f64 * (col1 - x) as f64;
        let den = (x + 1) as f64 * (row2 + x + 1 - col1) as f64;
        (num / den).ln()
    };
    // Visits (x, log P(x)/P(mode)) outwards from the mode, down then up, until negligible.
    let walk = |visit: &mut dyn FnMut(u64, f64)| -> Result<()> {
        let (mut x, mut r, mut steps) = (mode, 0.0f64, 0u64);
        visit(x, r);
        while x > lo && r > NEGLIGIBLE {
            r -= up(x - 1);
            x -= 1;
            visit(x, r);
            steps += 1;
            if steps > MAX_2X2_STEPS {
                return Err(too_big());
            }
        }
        let (mut x, mut r) = (mode, 0.0f64);
        while x < hi && r > NEGLIGIBLE {
            r += up(x);
            x += 1;
            visit(x, r);
            steps += 1;
            if steps > MAX_2X2_STEPS {
                return Err(too_big());
            }
        }
        Ok(())
    };
    let (mut total, mut observed, mut first, mut last) = (0.0f64, None, mode, mode);
    walk(&mut |x, r| {
        total += r.exp();
        first = first.min(x);
        last = last.max(x);
        if x == a {
            observed = Some(r);
        }
    })?;
    let Some(observed) = observed else {
        // The observed cell is so far out that its tail mass underflows.
        return Ok(if a < first {
            (0.0, 1.0, 0.0)
        } else {
            (1.0, 0.0, 0.0)
        });
    };
    let bound = observed + RELATIVE_TOLERANCE.ln_1p();
    let (mut less, mut greater, mut two) = (0.0f64, 0.0f64, 0.0f64);
    walk(&mut |x, r| {
        let w = r.exp();
        if x <= a {
            less += w;
        }
        if x >= a {
            greater += w;
        }
        if r <= bound {
            two += w;
        }
    })?;
    Ok((
        (less / total).min(1.0),
        (greater / total).min(1.0),
        (two / total).min(1.0),
    ))
}

/// ln(k!) for k = 0..=n.
fn log_factorials(n: usize) -> Vec<f64> {
    let mut out = vec![0.0f64; n + 1];
    for k in 1..=n {
        out[k] = out[k - 1] + (k as f64).ln();
    }
    out
}

/// The result of the r x c test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RxC {
    /// Probability of the observed table given its margins.
    pub probability: f64,
    /// Total probability of the tables at most as probable (relative tolerance 1e-7).
    pub pvalue: f64,
    /// Network nodes built (for diagnostics and benches).
    pub nodes: usize,
}

struct Node {
    /// Remaining row sums, ascending.
    rows: Vec<u32>,
    /// (child node, log weight of the column filling) for every filling of the next column.
    edges: Vec<(usize, f64)>,
    /// Largest and smallest log weight of a completion; ln of the total completion mass.
    max_future: f64,
    min_future: f64,
    log_mass: f64,
}

/// Calls `visit(filling)` for every column filling n_i <= rows[i] with sum `total`.
fn for_each_filling(rows: &[u32], total: u32, visit: &mut impl FnMut(&[u32])) {
    fn go(
        rows: &[u32],
        i: usize,
        left: u32,
        room_after: &[u32],
        cur: &mut Vec<u32>,
        visit: &mut impl FnMut(&[u32]),
    ) {
        if i == rows.len() {
            if left == 0 {
                visit(cur);
            }
            return;
        }
        // Rows after i must be able to take what this row does not.
        let low = left.saturating_sub(room_after[i]);
        for v in low..=rows[i].min(left) {
            cur.push(v);
            go(rows, i + 1, left - v, room_after, cur, visit);
            cur.pop();
        }
    }
    let mut room_after = vec![0u32; rows.len()];
    for i in (0..rows.len().saturating_sub(1)).rev() {
        room_after[i] = room_after[i + 1] + rows[i + 1];
    }
    go(rows, 0, total, &room_after, &mut Vec::new(), visit);
}

/// Fisher-Freeman-Halton exact test of an r x c table of counts (row-major, `cols` wide).
pub fn fisher_rxc(counts: &[u64], cols: usize, interrupt: &dyn Interrupt) -> Result<RxC> {
    if cols == 0 || counts.is_empty() || counts.len() % cols != 0 {
        return Err(Error::InvalidValue(
            "table must have at least one row and one column".into(),
        ));
    }
    let nrows = counts.len() / cols;
    let total = counts
        .iter()
        .try_fold(0u64, |acc, &v| acc.checked_add(v))
        .filter(|&t| t <= MAX_TOTAL)
        .ok_or_else(|| {
            Error::Overflow(format!(
                "total count above {MAX_TOTAL} is too large for the exact r x c algorithm"
            ))
        })?;
    let row_sums: Vec<u64> = counts.chunks(cols).map(|r| r.iter().sum()).collect();
    let col_sums: Vec<u64> = (0..cols)
        .map(|j| (0..nrows).map(|i| counts[i * cols + j]).sum())
        .collect();
    // The smaller dimension indexes the node keys; zero margins play no part.
    let (mut rows, mut columns, observed): (Vec<u32>, Vec<u32>, Vec<Vec<u64>>) = if nrows <= cols {
        (
            row_sums.iter().map(|&s| s as u32).collect(),
            col_sums.iter().map(|&s| s as u32).collect(),
            counts.chunks(cols).map(|r| r.to_vec()).collect(),
        )
    } else {
        (
            col_sums.iter().map(|&s| s as u32).collect(),
            row_sums.iter().map(|&s| s as u32).collect(),
            (0..cols)
                .map(|j| (0..nrows).map(|i| counts[i * cols + j]).collect())
                .collect(),
        )
    };
    rows.retain(|&r| r > 0);
    columns.retain(|&c| c > 0);
    columns.sort_unstable_by(|a, b| b.cmp(a));
    let lf = log_factorials(total as usize);
    let log_constant = rows.iter().map(|&r| lf[r as usize]).sum::<f64>()
        + columns.iter().map(|&c| lf[c as usize]).sum::<f64>()
        - lf[total as usize];
    let observed_log_weight: f64 = -observed
        .iter()
        .flatten()
        .map(|&v| lf[v as usize])
        .sum::<f64>();
    let probability = (observed_log_weight + log_constant).exp().min(1.0);
    if rows.len() <= 1 || columns.len() <= 1 {
        return Ok(RxC {
            probability,
            pvalue: 1.0,
            nodes: 0,
        });
    }
    let threshold = observed_log_weight + RELATIVE_TOLERANCE.ln_1p();

    // Build the network stage by stage (stage j: columns j.. are still to fill).
    rows.sort_unstable();
    let mut nodes: Vec<Node> = Vec::new();
    let mut stages: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<Vec<u32>, usize> = HashMap::new();
    nodes.push(Node {
        rows: rows.clone(),
        edges: Vec::new(),
        max_future: 0.0,
        min_future: 0.0,
        log_mass: 0.0,
    });
    stages.push(vec![0]);
    let mut edge_count = 0usize;
    for (j, &column) in columns.iter().enumerate() {
        interrupt.check()?;
        index.clear();
        let mut next = Vec::new();
        for (visited, &id) in stages[j].iter().enumerate() {
            if visited % 4096 == 4095 {
                interrupt.check()?;
            }
            let parent_rows = nodes[id].rows.clone();
            let mut edges = Vec::new();
            let mut failure = None;
            for_each_filling(&parent_rows, column, &mut |fill: &[u32]| {
                if failure.is_some() {
                    return;
                }
                if edge_count >= MAX_EDGES {
                    failure = Some(Error::Overflow(format!(
                        "more than {MAX_EDGES} network edges; too large for the exact test"
                    )));
                    return;
                }
                let weight: f64 = -fill.iter().map(|&v| lf[v as usize]).sum::<f64>();
                let mut child: Vec<u32> =
                    parent_rows.iter().zip(fill).map(|(&r, &v)| r - v).collect();
                child.sort_unstable();
                let child_id = match index.get(&child) {
                    Some(&c) => c,
                    None => {
                        if nodes.len() >= MAX_NODES {
                            failure = Some(Error::Overflow(format!(
                                "more than {MAX_NODES} network nodes; too large for the exact test"
                            )));
                            return;
                        }
                        let c = nodes.len();
                        nodes.push(Node {
                            rows: child.clone(),
                            edges: Vec::new(),
                            max_future: 0.0,
                            min_future: 0.0,
                            log_mass: 0.0,
                        });
                        index.insert(child, c);
                        next.push(c);
                        c
                    }
                };
                edges.push((child_id, weight));
                edge_count += 1;
            });
            if let Some(e) = failure {
                return Err(e);
            }
            nodes[id].edges = edges;
        }
        stages.push(next);
    }

    // Backward: completion bounds and masses (the last stage is the empty table).
    let mut column_log_factorials = vec![0.0f64; columns.len() + 1];
    for j in (0..columns.len()).rev() {
        column_log_factorials[j] = column_log_factorials[j + 1] + lf[columns[j] as usize];
    }
    for j in (0..columns.len()).rev() {
        for &id in &stages[j] {
            let (mut hi, mut lo) = (f64::NEG_INFINITY, f64::INFINITY);
            for &(child, w) in &nodes[id].edges {
                hi = hi.max(w + nodes[child].max_future);
                lo = lo.min(w + nodes[child].min_future);
            }
            let node = &nodes[id];
            let remaining: u32 = node.rows.iter().sum();
            let log_mass = lf[remaining as usize]
                - node.rows.iter().map(|&r| lf[r as usize]).sum::<f64>()
                - column_log_factorials[j];
            let node = &mut nodes[id];
            node.max_future = hi;
            node.min_future = lo;
            node.log_mass = log_mass;
        }
    }

    // Forward: pooled past weights per node; settle whole subtrees when possible.
    let mut pvalue = 0.0f64;
    let mut pasts: HashMap<usize, Vec<(f64, f64)>> = HashMap::new();
    pasts.insert(0, vec![(0.0, 1.0)]);
    for stage in &stages[..columns.len()] {
        interrupt.check()?;
        let mut next: HashMap<usize, Vec<(f64, f64)>> = HashMap::new();
        for &id in stage {
            let Some(mut list) = pasts.remove(&id) else {
                continue;
            };
            let node = &nodes[id];
            for (w, paths) in pool(&mut list) {
                if w + node.max_future <= threshold {
                    pvalue += paths * (w + node.log_mass + log_constant).exp();
                } else if w + node.min_future <= threshold {
                    for &(child, cw) in &node.edges {
                        next.entry(child).or_default().push((w + cw, paths));
                    }
                }
            }
        }
        pasts = next;
    }
    // Whatever reaches the end is a complete table at most as probable as the observed one.
    for list in pasts.values_mut() {
        for (w, paths) in pool(list) {
            if w <= threshold {
                pvalue += paths * (w + log_constant).exp();
            }
        }
    }
    Ok(RxC {
        probability,
        pvalue: pvalue.min(1.0),
        nodes: nodes.len(),
    })
}

/// Merges past weights equal up to rounding (partial tables with the same probability).
fn pool(list: &mut [(f64, f64)]) -> Vec<(f64, f64)> {
    list.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(list.len());
    for &(w, paths) in list.iter() {
        match out.last_mut() {
            Some(last) if (w - last.0).abs() <= 1e-12 * (1.0 + w.abs()) => last.1 += paths,
            _ => out.push((w, paths)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Never;

    /// Brute force: every table with the margins of `counts` (small cases only).
    fn brute(counts: &[u64], cols: usize) -> f64 {
        let rows = counts.len() / cols;
        let rs: Vec<u64> = counts.chunks(cols).map(|r| r.iter().sum()).collect();
        let cs: Vec<u64> = (0..cols)
            .map(|j| (0..rows).map(|i| counts[i * cols + j]).sum())
            .collect();
        let n: u64 = rs.iter().sum();
        let lf = log_factorials(n as usize);
        let logw = |t: &[u64]| -t.iter().map(|&v| lf[v as usize]).sum::<f64>();
        let c = rs.iter().map(|&r| lf[r as usize]).sum::<f64>()
            + cs.iter().map(|&x| lf[x as usize]).sum::<f64>()
            - lf[n as usize];
        let obs = logw(counts);
        let mut p = 0.0;
        let mut cell = vec![0u64; counts.len()];
        fn rec(
            k: usize,
            cell: &mut Vec<u64>,
            rs: &[u64],
            cs: &[u64],
            cols: usize,
            f: &mut impl FnMut(&[u64]),
        ) {
            let rows = rs.len();
            if k == cell.len() {
                f(cell);
                return;
            }
            let (i, j) = (k / cols, k % cols);
            let used_r: u64 = (0..j).map(|jj| cell[i * cols + jj]).sum();
            let used_c: u64 = (0..i).map(|ii| cell[ii * cols + j]).sum();
            let (lo, hi) = if j == cols - 1 || i == rows - 1 {
                let need = if j == cols - 1 {
                    rs[i] - used_r
                } else {
                    cs[j] - used_c
                };
                (need, need)
            } else {
                (0, (rs[i] - used_r).min(cs[j] - used_c))
            };
            if i == rows - 1 && j == cols - 1 && rs[i] - used_r != cs[j] - used_c {
                return;
            }
            for v in lo..=hi {
                if v > rs[i] - used_r || v > cs[j] - used_c {
                    continue;
                }
                cell[k] = v;
                rec(k + 1, cell, rs, cs, cols, f);
            }
        }
        rec(0, &mut cell, &rs, &cs, cols, &mut |t: &[u64]| {
            let w = logw(t);
            if w <= obs + RELATIVE_TOLERANCE.ln_1p() {
                p += (w + c).exp();
            }
        });
        p
    }

    #[test]
    fn rxc_matches_brute_force() {
        let cases: Vec<(Vec<u64>, usize)> = vec![
            (vec![3, 1, 0, 2, 4, 1], 3),
            (vec![1, 2, 3, 4, 0, 2, 1, 1, 2], 3),
            (vec![2, 0, 1, 1, 3, 0, 0, 2], 2),
            (vec![5, 0, 0, 0, 5, 0, 0, 0, 5], 3),
            (vec![1, 1, 1, 1, 1, 1, 1, 1], 4),
            (vec![2, 7, 8, 2], 2),
        ];
        for (t, cols) in cases {
            let fast = fisher_rxc(&t, cols, &Never).unwrap().pvalue;
            let slow = brute(&t, cols);
            assert!(
                (fast - slow).abs() <= 1e-12 * slow.max(1e-300),
                "{t:?}: {fast} vs {slow}"
            );
        }
    }

    #[test]
    fn two_by_two_known_answers() {
        // R: fisher.test(matrix(c(2, 8, 7, 2), 2))$p.value = 0.02301413756522114.
        let (_, _, p) = fisher_2x2(2, 7, 8, 2).unwrap();
        assert!((p - 0.023_014_137_565_221_14).abs() < 1e-13);
        // Far tails underflow to 0 without visiting the whole support.
        let (l, _, two) = fisher_2x2(0, 1 << 36, 1 << 36, 0).unwrap();
        assert_eq!((l, two), (0.0, 0.0));
        assert!(fisher_2x2(u64::MAX, 1, 0, 0).is_err());
        let (l, g, _) = fisher_2x2(1, 1, 2, 1).unwrap();
        assert!((l - 0.7).abs() < 1e-14 && (g - 0.9).abs() < 1e-14);
        let r = fisher_rxc(&[2, 7, 8, 2], 2, &Never).unwrap().pvalue;
        assert!((r - p).abs() < 1e-13);
    }

    #[test]
    fn degenerate_tables_have_pvalue_one() {
        assert_eq!(fisher_rxc(&[1, 2, 3], 3, &Never).unwrap().pvalue, 1.0);
        assert_eq!(fisher_rxc(&[0, 0, 0, 4], 2, &Never).unwrap().pvalue, 1.0);
        assert!(fisher_rxc(&[], 0, &Never).is_err());
        assert!(fisher_rxc(&[u64::MAX, 1, 1, 1, 1, 1], 3, &Never).is_err());
        assert!(fisher_rxc(&[MAX_TOTAL, 1, 1, 1, 1, 1], 3, &Never).is_err());
    }
}
