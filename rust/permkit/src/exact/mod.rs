//! Exact and Monte Carlo permutation tests on integer scores (spec:
//! docs/exact_tests.md).
//!
//! Every built-in statistic is, for fixed group sizes, a monotone function of
//! one integer "key" K computed from integer scores (data scaled to integers):
//! a group-1 sum, a signed sum, a sum of products, or sum_g w_g S_g^2. The
//! walkers below visit every relabelling and update K exactly in O(1) (no
//! floating-point drift), so ties are classified exactly; the caller turns the
//! p-value rule into integer thresholds on K.

pub mod blocks;
pub mod contingency;
pub mod k_sample;
pub mod location;
pub mod maxt;
pub mod monte_carlo;
pub mod paired;
pub mod pairings;
pub mod shift;
pub mod strata;
pub mod two_sample;
pub mod welch;

use crate::{Error, Interrupt, Result};
use monte_carlo::ResampleStream;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// C(n, k), or None when it does not fit in u128.
pub fn binomial(n: u64, k: u64) -> Option<u128> {
    if k > n {
        return Some(0);
    }
    let k = k.min(n - k);
    let mut acc: u128 = 1;
    for i in 0..k {
        // acc * (n - i) / (i + 1) stays integral at every step.
        acc = acc.checked_mul((n - i) as u128)? / (i + 1) as u128;
    }
    Some(acc)
}

/// The number of arrangements of a multiset with these multiplicities.
pub fn multinomial(sizes: &[usize]) -> Option<u128> {
    let mut acc: u128 = 1;
    let mut n = 0u64;
    for &s in sizes {
        n += s as u64;
        acc = acc.checked_mul(binomial(n, s as u64)?)?;
    }
    Some(acc)
}

/// How relabellings are formed, and what K is.
#[derive(Debug, Clone)]
pub enum Design {
    /// Two groups: K = sum of the scores in group 1 (size `n1`).
    TwoSample { n1: usize },
    /// k groups of `sizes`: K = sum_g weights[g] * S_g^2.
    KSample {
        sizes: Vec<usize>,
        weights: Vec<i128>,
    },
    /// Paired differences, each sign flipped or not: K = sum_i ±scores[i].
    SignFlip,
    /// Second sample reordered: K = sum_i scores[i] * partner[a[i]].
    Pairing { partner: Vec<i128> },
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub design: Design,
    pub scores: Vec<i128>,
}

/// Counts of relabellings with K >= ge, K <= le, and (deviation rule)
/// |scale*K - center| >= at_least and > above.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub ge: i128,
    pub le: i128,
    pub deviation: Option<Deviation>,
}

#[derive(Debug, Clone, Copy)]
pub struct Deviation {
    pub scale: i128,
    pub center: i128,
    pub at_least: i128,
    pub above: i128,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: u64,
    pub ge: u64,
    pub le: u64,
    pub dev_ge: u64,
    pub dev_gt: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collect {
    Nothing,
    /// Distinct K with their counts.
    Histogram,
    /// Every K in visiting order.
    Full,
}

#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// Relabellings by rank in the design's enumeration order.
    Exact,
    /// Resamples from Squares streams with this key.
    MonteCarlo { key: u64 },
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub tally: Tally,
    pub histogram: BTreeMap<i128, u64>,
    pub keys: Vec<i128>,
}

const LIMIT: i128 = 1 << 120;

fn abs_sum(v: &[i128]) -> Option<i128> {
    v.iter()
        .try_fold(0i128, |acc, &x| acc.checked_add(x.checked_abs()?))
}

impl Problem {
    /// The number of distinct relabellings the design enumerates.
    pub fn count(&self) -> Option<u128> {
        let n = self.scores.len();
        match &self.design {
            Design::TwoSample { n1 } => binomial(n as u64, *n1 as u64),
            Design::KSample { sizes, .. } => multinomial(sizes),
            Design::SignFlip => 1u128.checked_shl(n as u32).filter(|_| n < 128),
            Design::Pairing { .. } => (1..=n as u128).try_fold(1u128, |a, k| a.checked_mul(k)),
        }
    }

    /// Checks sizes and that no K (nor the deviation transform) can overflow i128.
    pub fn validate(&self, rule: &Rule) -> Result<u128> {
        let n = self.scores.len();
        let too_big = || {
            Error::Overflow("scores too large for exact 128-bit sums; scale the data down".into())
        };
        let bound = abs_sum(&self.scores).ok_or_else(too_big)?;
        let key_bound = match &self.design {
            Design::TwoSample { n1 } => {
                if *n1 > n {
                    return Err(Error::InvalidValue(format!(
                        "group size {n1} exceeds {n} observations"
                    )));
                }
                bound
            }
            Design::SignFlip => bound,
            Design::KSample { sizes, weights } => {
                if sizes.iter().sum::<usize>() != n || weights.len() != sizes.len() {
                    return Err(Error::LengthMismatch {
                        expected: n,
                        found: sizes.iter().sum(),
                    });
                }
                let w = abs_sum(weights).ok_or_else(too_big)?;
                if bound > LIMIT {
                    return Err(too_big());
                }
                bound
                    .checked_mul(bound)
                    .and_then(|b| b.checked_mul(w))
                    .ok_or_else(too_big)?
            }
            Design::Pairing { partner } => {
                if partner.len() != n {
                    return Err(Error::LengthMismatch {
                        expected: n,
                        found: partner.len(),
                    });
                }
                let m = partner
                    .iter()
                    .try_fold(0i128, |a, &x| Some(a.max(x.checked_abs()?)))
                    .ok_or_else(too_big)?;
                // Steps add (x_p - x_q)(y_r - y_s): bound them too.
                bound
                    .checked_mul(m)
                    .and_then(|b| b.checked_mul(4))
                    .ok_or_else(too_big)?
            }
        };
        if key_bound > LIMIT {
            return Err(too_big());
        }
        if let Some(d) = rule.deviation {
            d.scale
                .checked_mul(key_bound)
                .and_then(|x| x.checked_add(d.center.checked_abs()?))
                .filter(|&x| x < i128::MAX / 2)
                .ok_or_else(too_big)?;
        }
        self.count().ok_or_else(|| {
            Error::Overflow("the number of relabellings does not fit in 128 bits".into())
        })
    }
}

trait Walker {
    fn key(&self) -> i128;
    fn advance(&mut self);
}

impl Walker for two_sample::RevolvingDoor<'_> {
    #[inline]
    fn key(&self) -> i128 {
        self.sum()
    }
    #[inline]
    fn advance(&mut self) {
        two_sample::RevolvingDoor::advance(self)
    }
}

impl Walker for paired::SignFlips<'_> {
    #[inline]
    fn key(&self) -> i128 {
        self.sum()
    }
    #[inline]
    fn advance(&mut self) {
        paired::SignFlips::advance(self)
    }
}

impl Walker for pairings::PlainChanges<'_> {
    #[inline]
    fn key(&self) -> i128 {
        self.sum()
    }
    #[inline]
    fn advance(&mut self) {
        pairings::PlainChanges::advance(self)
    }
}

struct WeightedSquares<'a> {
    orders: k_sample::LabelOrders<'a>,
    weights: &'a [i128],
}

impl Walker for WeightedSquares<'_> {
    #[inline]
    fn key(&self) -> i128 {
        self.orders
            .group_sums()
            .iter()
            .zip(self.weights)
            .map(|(&s, &w)| w * s * s)
            .sum()
    }
    #[inline]
    fn advance(&mut self) {
        self.orders.advance()
    }
}

/// Sorted-array counts: how many of `sorted` are >= x, <= x.
fn count_at_least(sorted: &[i128], x: i128) -> u64 {
    (sorted.len() - sorted.partition_point(|&v| v < x)) as u64
}

fn count_at_most(sorted: &[i128], x: i128) -> u64 {
    sorted.partition_point(|&v| v <= x) as u64
}

fn div_floor(a: i128, b: i128) -> i128 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

impl Rule {
    /// Adds the tallies of keys `offset + v` for all v in `sorted` (ascending).
    fn record_shifted(&self, offset: i128, sorted: &[i128], tally: &mut Tally) {
        let n = sorted.len() as u64;
        tally.total += n;
        tally.ge += count_at_least(sorted, self.ge - offset);
        tally.le += count_at_most(sorted, self.le - offset);
        if let Some(d) = &self.deviation {
            // |scale*K - center| >= a  <=>  K >= ceil((center + a) / scale) or K <= floor((center - a) / scale).
            let beyond = |a: i128| -> u64 {
                if a <= 0 {
                    return n;
                }
                let upper = -div_floor(-(d.center + a), d.scale);
                let lower = div_floor(d.center - a, d.scale);
                count_at_least(sorted, upper - offset) + count_at_most(sorted, lower - offset)
            };
            tally.dev_ge += beyond(d.at_least);
            tally.dev_gt += beyond(d.above + 1);
        }
    }

    #[inline]
    fn record(&self, k: i128, tally: &mut Tally) {
        tally.total += 1;
        tally.ge += (k >= self.ge) as u64;
        tally.le += (k <= self.le) as u64;
        if let Some(d) = &self.deviation {
            let dev = (d.scale * k - d.center).abs();
            tally.dev_ge += (dev >= d.at_least) as u64;
            tally.dev_gt += (dev > d.above) as u64;
        }
    }
}

fn record_all<W: Walker>(mut w: W, len: u64, rule: &Rule, collect: Collect, out: &mut Outcome) {
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

/// K of one Monte Carlo resample (a pure function of key and resample index).
fn resample_key(
    p: &Problem,
    stream: &mut ResampleStream,
    order: &mut [usize],
    bits: &mut Vec<u64>,
) -> i128 {
    let v = &p.scores;
    match &p.design {
        Design::TwoSample { n1 } => {
            stream.shuffle_prefix(order, *n1);
            order[..*n1].iter().map(|&i| v[i]).sum()
        }
        Design::KSample { sizes, weights } => {
            let last = sizes.last().copied().unwrap_or(0);
            stream.shuffle_prefix(order, v.len() - last);
            let mut key = 0i128;
            let mut start = 0;
            for (&s, &w) in sizes.iter().zip(weights) {
                let sum: i128 = order[start..start + s].iter().map(|&i| v[i]).sum();
                key += w * sum * sum;
                start += s;
            }
            key
        }
        Design::SignFlip => {
            stream.sign_bits(v.len(), bits);
            v.iter()
                .enumerate()
                .map(|(i, &x)| {
                    if bits[i / 64] >> (i % 64) & 1 == 1 {
                        -x
                    } else {
                        x
                    }
                })
                .sum()
        }
        Design::Pairing { partner } => {
            // As callables see it: the second sample reordered, then the first.
            let n = v.len();
            stream.shuffle_prefix(order, n.saturating_sub(1));
            let mut first: Vec<usize> = (0..n).collect();
            stream.shuffle_prefix(&mut first, n.saturating_sub(1));
            first
                .iter()
                .zip(order.iter())
                .map(|(&i, &a)| v[i] * partner[a])
                .sum()
        }
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
        Design::SignFlip => LowSums::Signed(paired::sorted_low_sums(
            &p.scores,
            LOW_BITS.min(p.scores.len()),
        )),
        Design::TwoSample { .. } if p.scores.len() > LOW_SCORES => {
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
            Design::TwoSample { n1 } => {
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
                                match two_sample::RevolvingDoor::at(&p.scores, *n1, from) {
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
                        two_sample::RevolvingDoor::at(&p.scores, *n1, start)?,
                        len,
                        rule,
                        collect,
                        &mut out,
                    )
                }
            }
            Design::SignFlip => {
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
            Design::Pairing { partner } => {
                let start = u64::try_from(start)
                    .map_err(|_| Error::Overflow("rank beyond 64 bits".into()))?;
                record_all(
                    pairings::PlainChanges::at(&p.scores, partner, start)?,
                    len,
                    rule,
                    collect,
                    &mut out,
                )
            }
            Design::KSample { sizes, weights } => {
                let orders = k_sample::LabelOrders::at(&p.scores, sizes, start)?;
                record_all(
                    WeightedSquares { orders, weights },
                    len,
                    rule,
                    collect,
                    &mut out,
                )
            }
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
    if matches!(p.design, Design::SignFlip)
        && p.scores.len() > 63
        && matches!(source, Source::Exact)
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

/// Gather indices of relabellings for statistics computed by the caller.
/// Rows have `row_len(design)` entries indexing the concatenated samples.
#[derive(Debug, Clone)]
pub enum Shape {
    /// Groups of these sizes (2 groups use the revolving door, more the label order).
    Independent { sizes: Vec<usize> },
    /// `n` pairs of (sample 0, sample 1): rows are [sample 0 | sample 1] after swaps.
    Paired { n: usize },
    /// `samples` (1 or 2) of length n; the last one is reordered.
    Pairings { n: usize, samples: usize },
    /// `samples` of length n, every one reordered independently ((n!)^samples;
    /// lexicographic orders, the last sample's varying fastest).
    AllPairings { n: usize, samples: usize },
    /// `samples` of n blocks: each block's values permuted among the samples
    /// ((k!)^n; lexicographic per block, the last block's varying fastest).
    Blocks { n: usize, samples: usize },
}

impl Shape {
    pub fn row_len(&self) -> usize {
        match self {
            Shape::Independent { sizes } => sizes.iter().sum(),
            Shape::Paired { n } => 2 * n,
            Shape::Pairings { n, samples }
            | Shape::AllPairings { n, samples }
            | Shape::Blocks { n, samples } => n * samples,
        }
    }

    fn problem(&self) -> Problem {
        match self {
            Shape::Independent { sizes } if sizes.len() == 2 => Problem {
                design: Design::TwoSample { n1: sizes[0] },
                scores: vec![0; sizes.iter().sum()],
            },
            Shape::Independent { sizes } => Problem {
                design: Design::KSample {
                    sizes: sizes.clone(),
                    weights: vec![0; sizes.len()],
                },
                scores: vec![0; sizes.iter().sum()],
            },
            Shape::Paired { n } => Problem {
                design: Design::SignFlip,
                scores: vec![0; *n],
            },
            Shape::Pairings { n, .. } | Shape::AllPairings { n, .. } | Shape::Blocks { n, .. } => {
                Problem {
                    design: Design::Pairing {
                        partner: vec![0; *n],
                    },
                    scores: vec![0; *n],
                }
            }
        }
    }

    pub fn count(&self) -> Option<u128> {
        match self {
            Shape::AllPairings { n, samples } => {
                blocks::checked_power(blocks::factorial(*n)?, *samples)
            }
            Shape::Blocks { n, samples } => blocks::checked_power(blocks::factorial(*samples)?, *n),
            _ => self.problem().count(),
        }
    }
}

fn write_groups(
    labels_or_members: impl Fn(usize) -> usize,
    groups: usize,
    n: usize,
    row: &mut [u32],
) {
    let mut k = 0;
    for g in 0..groups {
        for i in 0..n {
            if labels_or_members(i) == g {
                row[k] = i as u32;
                k += 1;
            }
        }
    }
}

fn write_paired(flipped: impl Fn(usize) -> bool, n: usize, row: &mut [u32]) {
    for i in 0..n {
        let f = flipped(i);
        row[i] = if f { (n + i) as u32 } else { i as u32 };
        row[n + i] = if f { i as u32 } else { (n + i) as u32 };
    }
}

fn write_pairing(order: &[usize], samples: usize, row: &mut [u32]) {
    let n = order.len();
    let offset = (samples - 1) * n;
    for (i, slot) in row[..offset].iter_mut().enumerate() {
        *slot = i as u32;
    }
    for (i, &a) in order.iter().enumerate() {
        row[offset + i] = (offset + a) as u32;
    }
}

/// Sample `j` of an [s_0 | s_1 | ...] row (each of length n) reordered by `order`.
fn write_reordered(j: usize, order: &[usize], n: usize, row: &mut [u32]) {
    for (i, &a) in order.iter().enumerate() {
        row[j * n + i] = (j * n + a) as u32;
    }
}

/// Block `i` of an [s_0 | s_1 | ...] row: sample j takes sample order[j]'s value.
fn write_block(i: usize, order: &[usize], n: usize, row: &mut [u32]) {
    for (j, &a) in order.iter().enumerate() {
        row[j * n + i] = (a * n + i) as u32;
    }
}

/// Rows for ranks start.. of a product of `digits` lexicographic permutations of
/// `len` elements each (mixed radix `radix`, the last digit fastest); `write(d,
/// order, n, row)` places digit d's permutation.
fn write_mixed_radix_rows<'a>(
    rows: impl Iterator<Item = &'a mut [u32]>,
    start: u128,
    radix: u128,
    digits: usize,
    len: usize,
    n: usize,
    write: fn(usize, &[usize], usize, &mut [u32]),
) {
    let mut order = vec![0usize; len];
    for (r, row) in rows.enumerate() {
        let mut rest = start + r as u128;
        for d in (0..digits).rev() {
            blocks::unrank_lexicographic(rest % radix, &mut order);
            rest /= radix;
            write(d, &order, n, row);
        }
    }
}

/// Writes `count` rows of gather indices, for relabellings `start..start+count`
/// (ranks, or Monte Carlo resample indices when `mc_key` is given), into `out`.
pub fn relabel_rows(
    shape: &Shape,
    start: u128,
    count: usize,
    mc_key: Option<u64>,
    out: &mut [u32],
) -> Result<()> {
    let m = shape.row_len();
    if m == 0 {
        return Err(Error::InvalidValue("no observations to relabel".into()));
    }
    if out.len() != m * count {
        return Err(Error::LengthMismatch {
            expected: m * count,
            found: out.len(),
        });
    }
    if m > u32::MAX as usize {
        return Err(Error::Overflow("too many observations".into()));
    }
    if count == 0 {
        return Ok(());
    }
    let p = shape.problem();
    let rows = out.chunks_mut(m);
    match mc_key {
        None => {
            let total = shape
                .count()
                .ok_or_else(|| Error::Overflow("too many relabellings".into()))?;
            if start + count as u128 > total {
                return Err(Error::InvalidValue(format!(
                    "ranks up to {} exceed {total} relabellings",
                    start + count as u128
                )));
            }
            match shape {
                Shape::Independent { sizes } if sizes.len() == 2 => {
                    let mut w = two_sample::RevolvingDoor::at(&p.scores, sizes[0], start)?;
                    for row in rows {
                        let members = w.members();
                        let mut inside = vec![1usize; m];
                        for &i in members {
                            inside[i] = 0;
                        }
                        write_groups(|i| inside[i], 2, m, row);
                        w.advance();
                    }
                }
                Shape::Independent { sizes } => {
                    let mut w = k_sample::LabelOrders::at(&p.scores, sizes, start)?;
                    for row in rows {
                        let labels = w.labels();
                        write_groups(|i| labels[i], sizes.len(), m, row);
                        w.advance();
                    }
                }
                Shape::Paired { n } => {
                    let start = u64::try_from(start)
                        .map_err(|_| Error::Overflow("rank beyond 64 bits".into()))?;
                    let mut w = paired::SignFlips::at(&p.scores, start)?;
                    for row in rows {
                        let f = w.flipped();
                        write_paired(|i| f >> i & 1 == 1, *n, row);
                        w.advance();
                    }
                }
                Shape::Pairings { samples, .. } => {
                    let start = u64::try_from(start)
                        .map_err(|_| Error::Overflow("rank beyond 64 bits".into()))?;
                    let y = p.scores.clone();
                    let mut w = pairings::PlainChanges::at(&p.scores, &y, start)?;
                    for row in rows {
                        write_pairing(w.order(), *samples, row);
                        w.advance();
                    }
                }
                Shape::AllPairings { n, samples } => {
                    let radix = blocks::factorial(*n).unwrap_or(u128::MAX);
                    write_mixed_radix_rows(rows, start, radix, *samples, *n, *n, write_reordered);
                }
                Shape::Blocks { n, samples } => {
                    let radix = blocks::factorial(*samples).unwrap_or(u128::MAX);
                    write_mixed_radix_rows(rows, start, radix, *n, *samples, *n, write_block);
                }
            }
        }
        Some(key) => {
            let first = u64::try_from(start)
                .map_err(|_| Error::Overflow("resample index beyond 64 bits".into()))?;
            let mut bits = Vec::new();
            for (r, row) in rows.enumerate() {
                let mut stream = ResampleStream::new(key, first + r as u64);
                match shape {
                    Shape::Independent { sizes } => {
                        let mut order: Vec<usize> = (0..m).collect();
                        stream.shuffle_prefix(&mut order, m - sizes.last().copied().unwrap_or(0));
                        // Group g takes the next sizes[g] drawn positions, ascending within the group.
                        let mut label = vec![0usize; m];
                        let mut s = 0;
                        for (g, &size) in sizes.iter().enumerate() {
                            for &i in &order[s..s + size] {
                                label[i] = g;
                            }
                            s += size;
                        }
                        write_groups(|i| label[i], sizes.len(), m, row);
                    }
                    Shape::Paired { n } => {
                        stream.sign_bits(*n, &mut bits);
                        write_paired(|i| bits[i / 64] >> (i % 64) & 1 == 1, *n, row);
                    }
                    Shape::Pairings { n, samples } => {
                        let mut order: Vec<usize> = (0..*n).collect();
                        stream.shuffle_prefix(&mut order, n.saturating_sub(1));
                        write_pairing(&order, *samples, row);
                    }
                    Shape::AllPairings { n, samples } => {
                        let mut order: Vec<usize> = vec![0; *n];
                        // The last sample first (so built-in pairings see the same stream).
                        let last = samples.saturating_sub(1);
                        for j in std::iter::once(last).chain(0..last) {
                            for (i, o) in order.iter_mut().enumerate() {
                                *o = i;
                            }
                            stream.shuffle_prefix(&mut order, n.saturating_sub(1));
                            write_reordered(j, &order, *n, row);
                        }
                    }
                    Shape::Blocks { n, samples } => {
                        let mut order: Vec<usize> = vec![0; *samples];
                        for i in 0..*n {
                            for (j, o) in order.iter_mut().enumerate() {
                                *o = j;
                            }
                            stream.shuffle_prefix(&mut order, samples.saturating_sub(1));
                            write_block(i, &order, *n, row);
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Never;

    fn rule(ge: i128, le: i128) -> Rule {
        Rule {
            ge,
            le,
            deviation: None,
        }
    }

    #[test]
    fn darwin_zea_mays_sign_flips() {
        // Fisher (1935) via docs reference: greater 863/32768 with ties counted.
        let d = [
            49i128, -67, 8, 16, 6, 23, 28, 41, 14, 29, 56, 24, 75, 60, -48,
        ];
        let k0: i128 = d.iter().sum();
        let p = Problem {
            design: Design::SignFlip,
            scores: d.to_vec(),
        };
        let out = tally(
            &p,
            &rule(k0, k0),
            Source::Exact,
            0..32768,
            Collect::Nothing,
            &Never,
        )
        .unwrap();
        assert_eq!(out.tally.ge, 863);
        assert_eq!(out.tally.total, 32768);
        let strict = tally(
            &p,
            &rule(k0 + 1, k0),
            Source::Exact,
            0..32768,
            Collect::Nothing,
            &Never,
        )
        .unwrap();
        assert_eq!(strict.tally.ge, 835);
    }

    #[test]
    fn chunked_ranges_add_up_and_histograms_agree() {
        let v: Vec<i128> = vec![3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
        let p = Problem {
            design: Design::TwoSample { n1: 5 },
            scores: v,
        };
        let all = tally(
            &p,
            &rule(25, 20),
            Source::Exact,
            0..792,
            Collect::Histogram,
            &Never,
        )
        .unwrap();
        let a = tally(
            &p,
            &rule(25, 20),
            Source::Exact,
            0..300,
            Collect::Nothing,
            &Never,
        )
        .unwrap();
        let b = tally(
            &p,
            &rule(25, 20),
            Source::Exact,
            300..792,
            Collect::Nothing,
            &Never,
        )
        .unwrap();
        assert_eq!(all.tally.ge, a.tally.ge + b.tally.ge);
        assert_eq!(all.tally.le, a.tally.le + b.tally.le);
        assert_eq!(all.histogram.values().sum::<u64>(), 792);
    }

    #[test]
    fn sign_flip_blocks_equal_walking_including_deviation() {
        let scores: Vec<i128> = vec![5, -3, 3, 8, 0, 2, 7, -7, 1, 4, 6, 9, 11, 13, 2, 5];
        let k0: i128 = scores.iter().sum();
        let p = Problem {
            design: Design::SignFlip,
            scores,
        };
        let dev = Deviation {
            scale: 1,
            center: 0,
            at_least: k0.abs(),
            above: k0.abs(),
        };
        for (ge, le) in [(k0, k0), (0, 0), (-3, 40), (i128::MIN / 4, i128::MAX / 4)] {
            let rule = Rule {
                ge,
                le,
                deviation: Some(dev),
            };
            let fast = tally(
                &p,
                &rule,
                Source::Exact,
                0..1 << 16,
                Collect::Nothing,
                &Never,
            )
            .unwrap();
            let slow = tally(
                &p,
                &rule,
                Source::Exact,
                0..1 << 16,
                Collect::Histogram,
                &Never,
            )
            .unwrap();
            assert_eq!(fast.tally, slow.tally);
            let partial = tally(
                &p,
                &rule,
                Source::Exact,
                4096..12288,
                Collect::Nothing,
                &Never,
            )
            .unwrap();
            let walked =
                tally(&p, &rule, Source::Exact, 4096..12288, Collect::Full, &Never).unwrap();
            assert_eq!(partial.tally, walked.tally);
        }
    }

    #[test]
    fn two_sample_blocks_equal_walking_on_any_range() {
        let scores: Vec<i128> = (0..22).map(|i| (i * 7919 % 23) as i128 - 11).collect();
        let k0: i128 = scores[..9].iter().sum();
        let p = Problem {
            design: Design::TwoSample { n1: 9 },
            scores,
        };
        let total = p.count().unwrap();
        let dev = Deviation {
            scale: 22,
            center: 9 * p.scores.iter().sum::<i128>(),
            at_least: 30,
            above: 40,
        };
        let rule = Rule {
            ge: k0,
            le: k0 - 3,
            deviation: Some(dev),
        };
        for range in [0..total, 1000..(total / 3 + 17), (total - 5)..total] {
            let fast = tally(
                &p,
                &rule,
                Source::Exact,
                range.clone(),
                Collect::Nothing,
                &Never,
            )
            .unwrap();
            let slow = tally(&p, &rule, Source::Exact, range, Collect::Full, &Never).unwrap();
            assert_eq!(fast.tally, slow.tally);
        }
    }

    #[test]
    fn binomial_and_multinomial() {
        assert_eq!(binomial(30, 15), Some(155_117_520));
        assert_eq!(multinomial(&[2, 2, 2]), Some(90));
        assert_eq!(binomial(3, 5), Some(0));
    }

    #[test]
    fn overflowing_scores_are_refused() {
        let p = Problem {
            design: Design::SignFlip,
            scores: vec![1 << 119, 1 << 119, 1 << 119],
        };
        assert!(matches!(p.validate(&rule(0, 0)), Err(Error::Overflow(_))));
    }

    #[test]
    fn relabel_rows_are_permutations() {
        for shape in [
            Shape::Independent { sizes: vec![2, 3] },
            Shape::Independent {
                sizes: vec![1, 2, 2],
            },
            Shape::Paired { n: 3 },
            Shape::Pairings { n: 4, samples: 2 },
            Shape::AllPairings { n: 3, samples: 3 },
            Shape::Blocks { n: 3, samples: 3 },
        ] {
            let m = shape.row_len();
            let count = shape.count().unwrap() as usize;
            let mut out = vec![0u32; m * count];
            relabel_rows(&shape, 0, count, None, &mut out).unwrap();
            let mut rows: Vec<Vec<u32>> = out.chunks(m).map(|r| r.to_vec()).collect();
            for r in &rows {
                let mut s = r.clone();
                s.sort();
                assert_eq!(s, (0..m as u32).collect::<Vec<_>>());
            }
            rows.sort();
            rows.dedup();
            assert_eq!(rows.len(), count);
            relabel_rows(&shape, 0, 5, Some(12345), &mut out[..m * 5]).unwrap();
        }
    }

    #[test]
    fn k_sample_rows_keep_blocks_and_samples_apart() {
        let (n, k) = (3usize, 3usize);
        let check = |shape: &Shape, row: &[u32]| {
            for (pos, &src) in row.iter().enumerate() {
                let (src, pos) = (src as usize, pos);
                match shape {
                    // A block's values stay in their block.
                    Shape::Blocks { .. } => assert_eq!(src % n, pos % n),
                    // A sample's values stay in their sample.
                    _ => assert_eq!(src / n, pos / n),
                }
            }
        };
        for shape in [
            Shape::Blocks { n, samples: k },
            Shape::AllPairings { n, samples: k },
        ] {
            let count = shape.count().unwrap() as usize;
            assert_eq!(count, 216);
            let mut out = vec![0u32; 9 * count];
            relabel_rows(&shape, 0, count, None, &mut out).unwrap();
            out.chunks(9).for_each(|r| check(&shape, r));
            assert_eq!(
                &out[..9],
                &(0..9).collect::<Vec<u32>>()[..],
                "rank 0 is the identity"
            );
            // Any range equals the same rows of the whole enumeration.
            let mut part = vec![0u32; 9 * 7];
            relabel_rows(&shape, 100, 7, None, &mut part).unwrap();
            assert_eq!(&part[..], &out[9 * 100..9 * 107]);
            let mut mc = vec![0u32; 9 * 50];
            relabel_rows(&shape, 0, 50, Some(99), &mut mc).unwrap();
            mc.chunks(9).for_each(|r| check(&shape, r));
            let mut again = vec![0u32; 9 * 10];
            relabel_rows(&shape, 40, 10, Some(99), &mut again).unwrap();
            assert_eq!(&again[..], &mc[9 * 40..]);
        }
        let mut out = vec![0u32; 9];
        assert!(relabel_rows(&Shape::Blocks { n, samples: k }, 216, 1, None, &mut out).is_err());
    }
}
