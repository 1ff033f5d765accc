//! The exact-test engine: adapters that keep K up to date from the change
//! each enumeration walker reports (`enumerate::walkers`, the one
//! implementation of each order; the Gray-code sign flips live in
//! [`paired`]), the meet-in-the-middle shortcuts, and the chunk scheduler.

use super::model::{Collect, Design, Outcome, Problem, Rule, Source};
use super::monte_carlo::{resample_key, ResampleStream};
use super::{paired, two_sample};
use crate::enumerate::walkers::{NextPermutation, RevolvingDoor, Sjt, Walker};
use crate::{Error, Interrupt, Result};
use num_bigint::BigUint;
use rayon::prelude::*;
use std::collections::HashMap;

/// A walk over relabellings that keeps the key K up to date.
trait Keyed {
    fn key(&self) -> i128;
    /// Steps to the next relabelling; never called after the last one.
    fn advance(&mut self);
}

fn out_of_range(rank: u128) -> Error {
    Error::InvalidValue(format!("rank {rank} is out of range"))
}

/// Two samples: K = the sum of the scores in group 1, the subset the
/// revolving door walks; each step swaps one member out and one in.
pub(crate) struct GroupSum<'a> {
    door: RevolvingDoor,
    scores: &'a [i128],
    sum: i128,
}

impl<'a> GroupSum<'a> {
    /// Starts at the group 1 of size `n1` of revolving-door rank `rank`.
    pub(crate) fn at(scores: &'a [i128], n1: usize, rank: u128) -> Result<Self> {
        let door = RevolvingDoor::seek(scores.len(), n1, rank).ok_or_else(|| out_of_range(rank))?;
        let sum = door.row().iter().map(|&i| scores[i]).sum();
        Ok(Self { door, scores, sum })
    }

    /// The sum of the scores in group 1.
    #[inline]
    pub(crate) fn sum(&self) -> i128 {
        self.sum
    }

    /// Group 1, ascending.
    pub(crate) fn members(&self) -> &[usize] {
        self.door.row()
    }

    /// Steps to the next split; returns (element leaving, element entering).
    #[inline]
    pub(crate) fn advance_swap(&mut self) -> (usize, usize) {
        let (out, inn) = self.door.advance();
        self.sum += self.scores[inn] - self.scores[out];
        (out, inn)
    }
}

impl Keyed for GroupSum<'_> {
    #[inline]
    fn key(&self) -> i128 {
        self.sum()
    }
    #[inline]
    fn advance(&mut self) {
        self.advance_swap();
    }
}

impl Keyed for paired::SignFlips<'_> {
    #[inline]
    fn key(&self) -> i128 {
        self.sum()
    }
    #[inline]
    fn advance(&mut self) {
        paired::SignFlips::advance(self)
    }
}

/// Pairings: K = sum_i x[i] * y[a[i]] over the plain-changes order `a`;
/// swapping positions p, q adds (x[p] - x[q]) * (y[a[p]] - y[a[q]]) (after the swap).
struct CrossProducts<'a> {
    order: Sjt,
    x: &'a [i128],
    y: &'a [i128],
    sum: i128,
}

impl<'a> CrossProducts<'a> {
    fn at(x: &'a [i128], y: &'a [i128], rank: u128) -> Result<Self> {
        let order = Sjt::seek(x.len(), &BigUint::from(rank)).ok_or_else(|| out_of_range(rank))?;
        let sum = x.iter().zip(order.row()).map(|(&xi, &ai)| xi * y[ai]).sum();
        Ok(Self { order, x, y, sum })
    }
}

impl Keyed for CrossProducts<'_> {
    #[inline]
    fn key(&self) -> i128 {
        self.sum
    }
    #[inline]
    fn advance(&mut self) {
        let (p, q) = self.order.advance();
        let a = self.order.row();
        self.sum += (self.x[p] - self.x[q]) * (self.y[a[p]] - self.y[a[q]]);
    }
}

/// k samples: K = sum_g weights[g] * S_g^2, with the group sums S_g of the
/// label vector the multiset walker visits in lex order.
struct WeightedSquares<'a> {
    labels: NextPermutation,
    scores: &'a [i128],
    weights: &'a [i128],
    sums: Vec<i128>,
}

impl<'a> WeightedSquares<'a> {
    fn at(scores: &'a [i128], sizes: &[usize], weights: &'a [i128], rank: u128) -> Result<Self> {
        let counts: Vec<u64> = sizes.iter().map(|&s| s as u64).collect();
        let labels =
            NextPermutation::seek_multiset(&counts, rank).ok_or_else(|| out_of_range(rank))?;
        let mut sums = vec![0i128; sizes.len()];
        for (&l, &v) in labels.row().iter().zip(scores) {
            sums[l] += v;
        }
        Ok(Self {
            labels,
            scores,
            weights,
            sums,
        })
    }
}

impl Keyed for WeightedSquares<'_> {
    #[inline]
    fn key(&self) -> i128 {
        self.sums
            .iter()
            .zip(self.weights)
            .map(|(&s, &w)| w * s * s)
            .sum()
    }
    #[inline]
    fn advance(&mut self) {
        let (i, j) = self.labels.advance();
        if j == 0 {
            return; // past the last arrangement: nothing changed
        }
        let l = self.labels.row();
        let n = l.len();
        let s = self.scores;
        // The step swapped positions i < j, then reversed i+1..: position
        // q > i now holds the label position n+i-q held, so that group gains
        // s[q] and loses s[n+i-q]; except that the old l[i] landed at n+i-j
        // (it lost s[i], not s[j]) and the old l[j] at i (it gained s[i], lost s[j]).
        for ((&label, &now), &before) in l[i + 1..]
            .iter()
            .zip(&s[i + 1..])
            .zip(s[i + 1..].iter().rev())
        {
            self.sums[label] += now - before;
        }
        let d = s[i] - s[j];
        self.sums[l[i]] += d;
        self.sums[l[n + i - j]] -= d;
    }
}

fn record_all<W: Keyed>(mut w: W, len: u64, rule: &Rule, collect: Collect, out: &mut Outcome) {
    // Hashing per step, sorting once per chunk: cheaper than a tree insert per step.
    let mut counts: HashMap<i128, u64> = HashMap::new();
    for i in 0..len {
        let k = w.key();
        rule.record(k, &mut out.tally);
        match collect {
            Collect::Nothing => {}
            Collect::Histogram => *counts.entry(k).or_insert(0) += 1,
            Collect::Full => out.keys.push(k),
        }
        if i + 1 < len {
            w.advance();
        }
    }
    for (k, c) in counts {
        *out.histogram.entry(k).or_insert(0) += c;
    }
}

/// Sorted sums of the low scores, shared by all chunks of a counting-only run.
enum LowSums {
    None,
    /// Sign flips: all 2^LOW_BITS signed sums of the first LOW_BITS scores.
    Signed(Vec<i128>),
    /// Two samples: subset sums of the first LOW_SCORES scores by subset size.
    BySize(Vec<Vec<i128>>),
}

fn prepare(p: &Problem, rule: &Rule, source: Source, collect: Collect) -> LowSums {
    let counting = collect == Collect::Nothing && matches!(source, Source::Exact);
    if !counting || !rule.deviation.map_or(true, |d| d.scale > 0) {
        return LowSums::None;
    }
    match p.design {
        Design::Samples => LowSums::Signed(paired::sorted_low_sums(
            &p.scores,
            LOW_BITS.min(p.scores.len()),
        )),
        Design::IndependentTwo { .. } if p.scores.len() > LOW_SCORES => {
            LowSums::BySize(two_sample::low_subset_sums(&p.scores, LOW_SCORES))
        }
        _ => LowSums::None,
    }
}

fn run_chunk(
    p: &Problem,
    rule: &Rule,
    source: Source,
    start: u128,
    len: u64,
    collect: Collect,
    low: &LowSums,
) -> Result<Outcome> {
    let mut out = Outcome::default();
    match source {
        Source::Exact => match &p.design {
            Design::IndependentTwo { n1 } => {
                if let LowSums::BySize(sums) = low {
                    // Whole blocks by meet in the middle, partial blocks by walking.
                    let range = start..start + len as u128;
                    let mut failure = None;
                    two_sample::for_each_block(
                        &p.scores,
                        *n1,
                        LOW_SCORES,
                        &range,
                        &mut |b: two_sample::Block| {
                            let from = b.start.max(range.start);
                            let to = (b.start + b.len).min(range.end);
                            if from == b.start && to == b.start + b.len {
                                rule.record_shifted(b.high_sum, &sums[b.size], &mut out.tally);
                            } else {
                                match GroupSum::at(&p.scores, *n1, from) {
                                    Ok(w) => {
                                        record_all(w, (to - from) as u64, rule, collect, &mut out)
                                    }
                                    Err(e) => failure = Some(e),
                                }
                            }
                        },
                    );
                    if let Some(e) = failure {
                        return Err(e);
                    }
                } else {
                    record_all(
                        GroupSum::at(&p.scores, *n1, start)?,
                        len,
                        rule,
                        collect,
                        &mut out,
                    )
                }
            }
            Design::Samples => {
                let start = u64::try_from(start)
                    .map_err(|_| Error::Overflow("rank beyond 64 bits".into()))?;
                let bits = LOW_BITS.min(p.scores.len());
                let block = 1u64 << bits;
                if let (LowSums::Signed(low), true) = (low, start % block == 0 && len % block == 0)
                {
                    // Counting only: whole blocks by meet in the middle.
                    paired::for_each_block(
                        &p.scores,
                        bits,
                        start / block..(start + len) / block,
                        |high| rule.record_shifted(high, low, &mut out.tally),
                    );
                } else {
                    record_all(
                        paired::SignFlips::at(&p.scores, start)?,
                        len,
                        rule,
                        collect,
                        &mut out,
                    )
                }
            }
            Design::Pairings { partner } => record_all(
                CrossProducts::at(&p.scores, partner, start)?,
                len,
                rule,
                collect,
                &mut out,
            ),
            Design::IndependentMany { sizes, weights } => record_all(
                WeightedSquares::at(&p.scores, sizes, weights, start)?,
                len,
                rule,
                collect,
                &mut out,
            ),
        },
        Source::MonteCarlo { key } => {
            let n = p.scores.len();
            let mut order: Vec<usize> = (0..n).collect();
            let mut bits = Vec::new();
            let first = u64::try_from(start)
                .map_err(|_| Error::Overflow("resample index beyond 64 bits".into()))?;
            for r in first..first + len {
                for (i, o) in order.iter_mut().enumerate() {
                    *o = i;
                }
                let mut stream = ResampleStream::new(key, r);
                let k = resample_key(p, &mut stream, &mut order, &mut bits);
                rule.record(k, &mut out.tally);
                match collect {
                    Collect::Nothing => {}
                    Collect::Histogram => *out.histogram.entry(k).or_insert(0) += 1,
                    Collect::Full => out.keys.push(k),
                }
            }
        }
    }
    Ok(out)
}

/// Sign flips counted by meet in the middle: blocks of 2^LOW_BITS patterns.
const LOW_BITS: usize = 12;
/// Two-sample splits counted by meet in the middle over the first LOW_SCORES scores.
const LOW_SCORES: usize = 14;

/// Relabellings per work unit: fixed, so the split never depends on threads.
pub const CHUNK: u64 = 1 << 20;

/// Tallies relabellings `range` (ranks, or resample indices for Monte Carlo)
/// in parallel on the current rayon pool, polling `interrupt` between waves
/// of chunks from the calling thread. The result does not depend on the
/// number of threads.
pub fn tally(
    p: &Problem,
    rule: &Rule,
    source: Source,
    range: std::ops::Range<u128>,
    collect: Collect,
    interrupt: &dyn Interrupt,
) -> Result<Outcome> {
    let count = p.validate(rule)?;
    if let Source::Exact = source {
        if range.end > count {
            return Err(Error::InvalidValue(format!(
                "rank range end {} exceeds {count} relabellings",
                range.end
            )));
        }
    }
    if matches!(source, Source::MonteCarlo { .. }) && range.end > 1u128 << 63 {
        return Err(Error::InvalidValue("at most 2^63 resamples".into()));
    }
    if matches!(p.design, Design::Samples) && p.scores.len() > 63 && matches!(source, Source::Exact)
    {
        return Err(Error::Overflow(
            "exact sign flips are limited to 63 pairs".into(),
        ));
    }
    let mut out = Outcome::default();
    if range.start >= range.end {
        return Ok(out);
    }
    let chunks: Vec<(u128, u64)> = {
        let mut v = Vec::new();
        let mut s = range.start;
        while s < range.end {
            let len = (range.end - s).min(CHUNK as u128) as u64;
            v.push((s, len));
            s += len as u128;
        }
        v
    };
    let low = prepare(p, rule, source, collect);
    let wave = rayon::current_num_threads().max(1) * 4;
    for group in chunks.chunks(wave) {
        interrupt.check()?;
        let parts: Vec<Result<Outcome>> = group
            .par_iter()
            .map(|&(s, len)| run_chunk(p, rule, source, s, len, collect, &low))
            .collect();
        for part in parts {
            let part = part?;
            let t = &mut out.tally;
            t.total += part.tally.total;
            t.ge += part.tally.ge;
            t.le += part.tally.le;
            t.dev_ge += part.tally.dev_ge;
            t.dev_gt += part.tally.dev_gt;
            for (k, c) in part.histogram {
                *out.histogram.entry(k).or_insert(0) += c;
            }
            out.keys.extend(part.keys);
        }
    }
    interrupt.check()?;
    Ok(out)
}
