//! Enumeration into blocks: a block of ranks `[a, a + rows)` unranks `a`
//! once and then runs a constant-amortized successor ([`walkers`]).
//!
//! Large blocks are split into parts that each seek their own start, so parts
//! run in parallel and the output never depends on the thread count.

pub(crate) mod walkers;

use crate::rank::rows::{CombOrder, Family};
use crate::rank::PermOrder;
use crate::{count, Error, Interrupt, PermIndex, Result};
use num_bigint::BigUint;
use num_traits::Zero;
use rayon::prelude::*;
use walkers::*;

/// A combinatorial family in one of its orders: what ranking and
/// enumeration both name with a family word and an order word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyOrder {
    PermLex,
    /// Myrvold-Ruskey: ranked and unranked, never walked.
    PermMr,
    PermHeap,
    PermSjt,
    Arrangement,
    CombLex,
    CombColex,
    CombRevolvingDoor,
    Multiset,
    Derangement,
}

impl FamilyOrder {
    /// The one parser of the Python vocabulary: a family word
    /// (`permutations`, `arrangements`, `combinations`,
    /// `multiset_permutations`, `derangements`) and an order word.
    pub fn parse(family: &str, order: &str) -> Result<Self> {
        use FamilyOrder::*;
        Ok(match (family, order) {
            ("permutations", "lex") => PermLex,
            ("permutations", "mr") => PermMr,
            ("permutations", "heap") => PermHeap,
            ("permutations", "sjt") => PermSjt,
            ("arrangements", "lex") => Arrangement,
            ("combinations", "lex") => CombLex,
            ("combinations", "colex") => CombColex,
            ("combinations", "revolving_door") => CombRevolvingDoor,
            ("multiset_permutations", "lex") => Multiset,
            ("derangements", "lex") => Derangement,
            _ => {
                return Err(Error::InvalidValue(format!(
                    "order {order:?} is not an order of {family:?}"
                )))
            }
        })
    }

    /// Whether a walker enumerates this order ([`fill`]).
    pub fn walkable(self) -> bool {
        self != FamilyOrder::PermMr
    }
}

/// What to enumerate: `n` and `k` (unused ones are ignored), or `counts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub kind: FamilyOrder,
    pub n: usize,
    pub k: usize,
    pub counts: Vec<u64>,
}

/// Values written per interrupt poll.
const SUPER_CHUNK: usize = 1 << 21;
/// Arrangements of more values than this (and more than 4k) walk only their
/// k values: the full-permutation walker would need O(n) memory and time.
const SPARSE_ARRANGEMENT: usize = 1 << 12;
/// Fewest rows worth a part of their own (each part pays one unrank).
const MIN_PART: usize = 1 << 12;

impl Spec {
    /// A spec whose rows fit in memory's index range: `Error::Overflow` when
    /// the counts total more than 2^64 - 1 (or `usize::MAX`) values.
    pub fn new(kind: FamilyOrder, n: usize, k: usize, counts: Vec<u64>) -> Result<Self> {
        let total = counts.iter().try_fold(0u64, |acc, &c| acc.checked_add(c));
        if !matches!(total, Some(t) if usize::try_from(t).is_ok()) {
            return Err(Error::Overflow(
                "the total of the counts exceeds 2**64-1".into(),
            ));
        }
        Ok(Spec { kind, n, k, counts })
    }

    pub fn width(&self) -> usize {
        match self.kind {
            FamilyOrder::PermLex
            | FamilyOrder::PermMr
            | FamilyOrder::PermHeap
            | FamilyOrder::PermSjt
            | FamilyOrder::Derangement => self.n,
            FamilyOrder::Arrangement
            | FamilyOrder::CombLex
            | FamilyOrder::CombColex
            | FamilyOrder::CombRevolvingDoor => self.k,
            FamilyOrder::Multiset => self.counts.iter().sum::<u64>() as usize,
        }
    }

    /// The ranked family, or None for the orders that have no rank here
    /// (heap, derangements).
    pub fn family(&self) -> Option<Family> {
        let (n, k) = (self.n, self.k);
        Some(match self.kind {
            FamilyOrder::PermLex => Family::Permutation {
                n,
                order: PermOrder::Lex,
            },
            FamilyOrder::PermMr => Family::Permutation {
                n,
                order: PermOrder::Mr,
            },
            FamilyOrder::PermSjt => Family::Permutation {
                n,
                order: PermOrder::Sjt,
            },
            FamilyOrder::Arrangement => Family::Arrangement { n, k },
            FamilyOrder::CombLex => Family::Combination {
                n,
                k,
                order: CombOrder::Lex,
            },
            FamilyOrder::CombColex => Family::Combination {
                n,
                k,
                order: CombOrder::Colex,
            },
            FamilyOrder::CombRevolvingDoor => Family::Combination {
                n,
                k,
                order: CombOrder::RevolvingDoor,
            },
            FamilyOrder::Multiset => Family::Multiset {
                counts: self.counts.clone(),
            },
            FamilyOrder::PermHeap | FamilyOrder::Derangement => return None,
        })
    }

    /// The number of members (polls `interrupt`; `Error::Memory` when the
    /// count alone would not fit in memory).
    pub fn count(&self, interrupt: &dyn Interrupt) -> Result<BigUint> {
        match self.kind {
            FamilyOrder::PermHeap => count::factorial(self.n as u64, interrupt),
            FamilyOrder::Derangement => count::derangements(self.n as u64, interrupt),
            _ => self
                .family()
                .map(|f| f.count(interrupt))
                .unwrap_or_else(|| Ok(BigUint::default())),
        }
    }

    /// Whether the count exceeds `r`, without computing a count much larger
    /// than `r` (the early-stopping comparisons of [`count`]).
    pub fn count_exceeds(&self, r: &BigUint, interrupt: &dyn Interrupt) -> Result<bool> {
        let (n, k) = (self.n as u64, self.k as u64);
        Ok(match self.kind {
            FamilyOrder::PermLex
            | FamilyOrder::PermMr
            | FamilyOrder::PermHeap
            | FamilyOrder::PermSjt => count::permutations_exceed(n, n, r),
            FamilyOrder::Arrangement => count::permutations_exceed(n, k, r),
            FamilyOrder::CombLex | FamilyOrder::CombColex | FamilyOrder::CombRevolvingDoor => {
                count::combinations_exceed(n, k, r)
            }
            FamilyOrder::Derangement => count::derangements_exceed(n, r),
            FamilyOrder::Multiset => self.count(interrupt)? > *r,
        })
    }

    /// A walker positioned at `rank` (callers check `rank < count`).
    fn seek(&self, rank: &BigUint, total: &BigUint) -> Box<dyn Walker> {
        let n = self.n;
        match self.kind {
            FamilyOrder::PermHeap => Box::new(Heap::seek(n, rank).unwrap_or(Heap {
                a: (0..n).collect(),
                c: vec![0; n.max(1)],
            })),
            FamilyOrder::PermSjt => Box::new(
                Sjt::seek(n, rank)
                    .unwrap_or_else(|| Sjt::seek(n, &BigUint::default()).expect("rank 0 exists")),
            ),
            FamilyOrder::Derangement => Box::new(Derangements::seek(n, rank)),
            _ => {
                let fam = self.family().expect("family kinds");
                let mut row = vec![0usize; fam.width()];
                fam.unrank_row(rank, total, &mut row);
                match self.kind {
                    FamilyOrder::CombLex => Box::new(CombLex { c: row, n }),
                    FamilyOrder::CombColex => {
                        row.push(n);
                        Box::new(CombColex { c: row })
                    }
                    FamilyOrder::CombRevolvingDoor => Box::new(RevolvingDoor::new(&row, n)),
                    FamilyOrder::Arrangement if n > SPARSE_ARRANGEMENT.max(4 * row.len()) => {
                        Box::new(SparseArrangement { a: row, n })
                    }
                    _ => {
                        let k = row.len();
                        if self.kind == FamilyOrder::Arrangement {
                            let mut used = vec![false; n];
                            for &v in &row {
                                used[v] = true;
                            }
                            row.extend((0..n).filter(|&v| !used[v]));
                        }
                        Box::new(NextPermutation { a: row, k })
                    }
                }
            }
        }
    }
}

/// Checks that ranks `start .. start + rows` exist and returns the count
/// when the walker needs it to seek (lex combinations, multisets), or 0:
/// the other families never compute a count bigger than `start + rows`.
fn check_range(
    spec: &Spec,
    start: &BigUint,
    rows: usize,
    interrupt: &dyn Interrupt,
) -> Result<BigUint> {
    let end = start + BigUint::from(rows);
    let needs_total = matches!(spec.kind, FamilyOrder::CombLex | FamilyOrder::Multiset);
    let total = if needs_total {
        spec.count(interrupt)?
    } else {
        BigUint::zero()
    };
    let ok = if needs_total {
        end <= total
    } else if rows == 0 {
        start.is_zero() || spec.count_exceeds(&(start - 1u32), interrupt)?
    } else {
        spec.count_exceeds(&(&end - 1u32), interrupt)?
    };
    if !ok {
        return Err(Error::InvalidValue(format!(
            "ranks {start}..{end} are out of range: there are fewer members"
        )));
    }
    Ok(total)
}

/// Rows per part for `rows` rows of width `w`.
fn part_rows(rows: usize, w: usize) -> (usize, usize) {
    let per_super = (SUPER_CHUNK / w.max(1)).max(MIN_PART);
    let threads = rayon::current_num_threads().max(1);
    let part = per_super.min(rows.div_ceil(2 * threads)).max(MIN_PART);
    (per_super.div_ceil(part) * part, part)
}

/// Writes the members of ranks `start .. start + rows` into `out` (row-major,
/// `rows * spec.width()` values).
pub fn fill<T: PermIndex>(
    spec: &Spec,
    start: &BigUint,
    rows: usize,
    out: &mut [T],
    interrupt: &dyn Interrupt,
) -> Result<()> {
    if !spec.kind.walkable() {
        return Err(Error::InvalidValue(format!(
            "{:?} order is ranked, never enumerated",
            spec.kind
        )));
    }
    let w = spec.width();
    let total = check_range(spec, start, rows, interrupt)?;
    if w == 0 || rows == 0 {
        return Ok(());
    }
    if out.len() != rows * w {
        return Err(Error::LengthMismatch {
            expected: rows * w,
            found: out.len(),
        });
    }
    let (per_super, part) = part_rows(rows, w);
    for (s, block) in out.chunks_mut(per_super * w).enumerate() {
        interrupt.check()?;
        block
            .par_chunks_mut(part * w)
            .enumerate()
            .for_each(|(p, dst)| {
                let first = start + BigUint::from(s * per_super + p * part);
                let mut walker = spec.seek(&first, &total);
                let (head, tail) = dst.split_at_mut(w);
                for (x, &v) in head.iter_mut().zip(walker.row()) {
                    *x = T::from_usize(v);
                }
                let mut tail_run = TailRun::new(
                    head,
                    (&first % TAIL_ORDERINGS as u32).try_into().unwrap_or(0),
                );
                let mut prev: &[T] = head;
                for o in tail.chunks_mut(w) {
                    match spec.kind {
                        FamilyOrder::PermLex if w >= TAIL => tail_run.step(prev, o),
                        // Algorithm L runs on the output rows themselves.
                        FamilyOrder::PermLex | FamilyOrder::Multiset => {
                            o.copy_from_slice(prev);
                            next_permutation(o, T::to_usize);
                        }
                        FamilyOrder::PermHeap | FamilyOrder::PermSjt => {
                            let (x, y) = walker.advance();
                            o.copy_from_slice(prev);
                            o.swap(x, y);
                        }
                        _ => {
                            walker.advance();
                            for (x, &v) in o.iter_mut().zip(walker.row()) {
                                *x = T::from_usize(v);
                            }
                        }
                    }
                    prev = o;
                }
            });
    }
    Ok(())
}

/// Lex permutations come in runs of 24 rows sharing all but the last 4
/// values, which go through their 24 orderings in a fixed pattern: 23 rows of
/// each run are a prefix copy plus a table gather (no data-dependent branches);
/// Algorithm L only crosses from one run to the next.
const TAIL: usize = 4;
const TAIL_ORDERINGS: usize = 24;
const TAIL_PATTERN: [[usize; TAIL]; TAIL_ORDERINGS] = [
    [0, 1, 2, 3],
    [0, 1, 3, 2],
    [0, 2, 1, 3],
    [0, 2, 3, 1],
    [0, 3, 1, 2],
    [0, 3, 2, 1],
    [1, 0, 2, 3],
    [1, 0, 3, 2],
    [1, 2, 0, 3],
    [1, 2, 3, 0],
    [1, 3, 0, 2],
    [1, 3, 2, 0],
    [2, 0, 1, 3],
    [2, 0, 3, 1],
    [2, 1, 0, 3],
    [2, 1, 3, 0],
    [2, 3, 0, 1],
    [2, 3, 1, 0],
    [3, 0, 1, 2],
    [3, 0, 2, 1],
    [3, 1, 0, 2],
    [3, 1, 2, 0],
    [3, 2, 0, 1],
    [3, 2, 1, 0],
];

struct TailRun<T> {
    /// Position of the current row within its run.
    pos: usize,
    /// The run's last 4 values, ascending.
    base: [T; TAIL],
}

impl<T: PermIndex> TailRun<T> {
    fn new(row: &[T], pos: usize) -> Self {
        let mut base = [row[0]; TAIL];
        if row.len() >= TAIL {
            base.copy_from_slice(&row[row.len() - TAIL..]);
            base.sort_unstable_by_key(|v| v.to_usize());
        }
        TailRun { pos, base }
    }

    fn step(&mut self, prev: &[T], out: &mut [T]) {
        let w = out.len();
        if self.pos + 1 == TAIL_ORDERINGS {
            out.copy_from_slice(prev);
            next_permutation(out, T::to_usize);
            self.pos = 0;
            self.base.copy_from_slice(&out[w - TAIL..]);
        } else {
            self.pos += 1;
            out[..w - TAIL].copy_from_slice(&prev[..w - TAIL]);
            for (o, &k) in out[w - TAIL..].iter_mut().zip(&TAIL_PATTERN[self.pos]) {
                *o = self.base[k];
            }
        }
    }
}

/// Whether [`changes`] is defined for `kind`.
pub fn has_changes(kind: FamilyOrder) -> bool {
    matches!(
        kind,
        FamilyOrder::PermHeap | FamilyOrder::PermSjt | FamilyOrder::CombRevolvingDoor
    )
}

/// Writes the change from rank `start + s` to `start + s + 1` as the pair
/// `out[2s], out[2s+1]`, for `s < steps`: positions swapped (heap, sjt; the
/// smaller first) or (element leaving, element entering) (revolving door).
pub fn changes<T: PermIndex>(
    spec: &Spec,
    start: &BigUint,
    steps: usize,
    out: &mut [T],
    interrupt: &dyn Interrupt,
) -> Result<()> {
    if !has_changes(spec.kind) {
        return Err(Error::InvalidValue(
            "only the heap, sjt and revolving_door orders have a change stream".into(),
        ));
    }
    let total = check_range(spec, start, steps + 1, interrupt)?;
    if out.len() != 2 * steps {
        return Err(Error::LengthMismatch {
            expected: 2 * steps,
            found: out.len(),
        });
    }
    if steps == 0 {
        return Ok(());
    }
    let (per_super, part) = part_rows(steps, 2);
    for (s, block) in out.chunks_mut(per_super * 2).enumerate() {
        interrupt.check()?;
        block
            .par_chunks_mut(part * 2)
            .enumerate()
            .for_each(|(p, dst)| {
                let first = start + BigUint::from(s * per_super + p * part);
                let mut walker = spec.seek(&first, &total);
                for pair in dst.chunks_mut(2) {
                    let (x, y) = walker.advance();
                    pair[0] = T::from_usize(x);
                    pair[1] = T::from_usize(y);
                }
            });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::RankInt;
    use crate::Never;

    fn spec(kind: FamilyOrder, n: usize, k: usize) -> Spec {
        Spec {
            kind,
            n,
            k,
            counts: vec![],
        }
    }

    fn all_rows(s: &Spec) -> Vec<Vec<usize>> {
        let total = s.count(&Never).unwrap();
        let rows: usize = total.clone().try_into().unwrap();
        let w = s.width();
        let mut out = vec![0u32; rows * w];
        fill(s, &BigUint::default(), rows, &mut out, &Never).unwrap();
        if w == 0 {
            return vec![vec![]; rows];
        }
        out.chunks(w)
            .map(|r| r.iter().map(|&x| x as usize).collect())
            .collect()
    }

    #[test]
    fn successors_agree_with_unranking() {
        for n in 0..=6usize {
            for k in 0..=n {
                for kind in [
                    FamilyOrder::Arrangement,
                    FamilyOrder::CombLex,
                    FamilyOrder::CombColex,
                    FamilyOrder::CombRevolvingDoor,
                ] {
                    let s = spec(kind, n, k);
                    let fam = s.family().unwrap();
                    let total = fam.count(&Never).unwrap();
                    for (r, row) in all_rows(&s).iter().enumerate() {
                        let mut expected = vec![0; k];
                        fam.unrank_row(&BigUint::from(r), &total, &mut expected);
                        assert_eq!(row, &expected, "{kind:?} n={n} k={k} r={r}");
                    }
                }
            }
            for kind in [
                FamilyOrder::PermLex,
                FamilyOrder::PermSjt,
                FamilyOrder::PermHeap,
                FamilyOrder::Derangement,
            ] {
                let s = spec(kind, n, 0);
                let rows = all_rows(&s);
                for (r, row) in rows.iter().enumerate() {
                    let rank = BigUint::from(r);
                    let walker = s.seek(&rank, &s.count(&Never).unwrap());
                    assert_eq!(walker.row(), &row[..], "{kind:?} n={n} r={r}");
                }
                if kind == FamilyOrder::PermSjt {
                    for (r, row) in rows.iter().enumerate() {
                        let digits = (r as u64).to_digits(&PermOrder::Sjt.radices(n)).unwrap();
                        let mut p = vec![0; n];
                        PermOrder::Sjt.from_digits(&digits, &mut p);
                        assert_eq!(&p, row);
                    }
                }
                let mut sorted = rows.clone();
                sorted.sort();
                sorted.dedup();
                assert_eq!(sorted.len(), rows.len());
            }
        }
    }

    #[test]
    fn derangement_walk_matches_filtering() {
        for n in 0..=7usize {
            let s = spec(FamilyOrder::Derangement, n, 0);
            let all: Vec<Vec<usize>> = all_rows(&spec(FamilyOrder::PermLex, n, 0))
                .into_iter()
                .filter(|p| p.iter().enumerate().all(|(i, &v)| i != v))
                .collect();
            assert_eq!(all_rows(&s), all, "n={n}");
        }
    }

    #[test]
    fn change_stream_replays_the_rows() {
        for (kind, n, k) in [
            (FamilyOrder::PermHeap, 6, 0),
            (FamilyOrder::PermSjt, 6, 0),
            (FamilyOrder::CombRevolvingDoor, 7, 3),
            (FamilyOrder::CombRevolvingDoor, 8, 4),
        ] {
            let s = spec(kind, n, k);
            let rows = all_rows(&s);
            let mut ch = vec![0u32; 2 * (rows.len() - 1)];
            changes(&s, &BigUint::default(), rows.len() - 1, &mut ch, &Never).unwrap();
            let mut cur = rows[0].clone();
            for (step, pair) in ch.chunks(2).enumerate() {
                let (x, y) = (pair[0] as usize, pair[1] as usize);
                if kind == FamilyOrder::CombRevolvingDoor {
                    cur.retain(|&v| v != x);
                    cur.push(y);
                    cur.sort();
                } else {
                    cur.swap(x, y);
                }
                assert_eq!(cur, rows[step + 1], "{kind:?} step {step}");
            }
        }
    }

    #[test]
    fn parallel_parts_match_one_walk() {
        let s = spec(FamilyOrder::PermHeap, 9, 0);
        let rows = 362880;
        let mut a = vec![0u8; rows * 9];
        fill(&s, &BigUint::default(), rows, &mut a, &Never).unwrap();
        let mut walker = s.seek(&BigUint::default(), &s.count(&Never).unwrap());
        for (r, row) in a.chunks(9).enumerate() {
            assert!(
                row.iter().zip(walker.row()).all(|(&x, &y)| x as usize == y),
                "row {r}"
            );
            walker.advance();
        }
    }
}
