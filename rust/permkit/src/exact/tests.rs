//! Engine-level tests of the exact module (tally, rows, validation).

use super::*;
use crate::{Error, Never};

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
        design: Design::Samples,
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
        design: Design::IndependentTwo { n1: 5 },
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
        design: Design::Samples,
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
        let walked = tally(&p, &rule, Source::Exact, 4096..12288, Collect::Full, &Never).unwrap();
        assert_eq!(partial.tally, walked.tally);
    }
}

#[test]
fn two_sample_blocks_equal_walking_on_any_range() {
    let scores: Vec<i128> = (0..22).map(|i| (i * 7919 % 23) as i128 - 11).collect();
    let k0: i128 = scores[..9].iter().sum();
    let p = Problem {
        design: Design::IndependentTwo { n1: 9 },
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
fn overflowing_scores_are_refused() {
    let p = Problem {
        design: Design::Samples,
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
        Shape::Samples { n: 3 },
        Shape::Pairings { n: 4 },
        Shape::PairingsMany { n: 3, samples: 3 },
        Shape::SamplesMany { n: 3, samples: 3 },
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
                Shape::SamplesMany { .. } => assert_eq!(src % n, pos % n),
                // A sample's values stay in their sample.
                _ => assert_eq!(src / n, pos / n),
            }
        }
    };
    for shape in [
        Shape::SamplesMany { n, samples: k },
        Shape::PairingsMany { n, samples: k },
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
    assert!(relabel_rows(
        &Shape::SamplesMany { n, samples: k },
        216,
        1,
        None,
        &mut out
    )
    .is_err());
}

/// K of one relabelling computed from its gather row, the slow way.
fn key_from_row(design: &Design, scores: &[i128], row: &[u32]) -> i128 {
    let at = |i: u32| scores[i as usize];
    match design {
        Design::IndependentTwo { n1 } => row[..*n1].iter().map(|&i| at(i)).sum(),
        Design::IndependentMany { sizes, weights } => {
            let mut start = 0;
            let mut k = 0;
            for (&size, &w) in sizes.iter().zip(weights) {
                let s: i128 = row[start..start + size].iter().map(|&i| at(i)).sum();
                k += w * s * s;
                start += size;
            }
            k
        }
        // Paired rows are [sample 0 | sample 1]: a flipped pair takes n + i first.
        Design::Samples => {
            let n = scores.len();
            (0..n)
                .map(|i| {
                    if row[i] as usize == i {
                        scores[i]
                    } else {
                        -scores[i]
                    }
                })
                .sum()
        }
        Design::Pairings { partner } => row
            .iter()
            .zip(scores)
            .map(|(&a, &x)| x * partner[a as usize])
            .sum(),
    }
}

#[test]
fn walker_adapters_keep_the_key_of_every_row_from_any_start() {
    let scores: Vec<i128> = vec![7, -2, 5, 5, 11, 0, 3, -8];
    let cases = [
        (
            Design::IndependentTwo { n1: 3 },
            Shape::Independent { sizes: vec![3, 5] },
        ),
        (
            Design::IndependentMany {
                sizes: vec![2, 3, 3],
                weights: vec![3, -1, 2],
            },
            Shape::Independent {
                sizes: vec![2, 3, 3],
            },
        ),
        (
            Design::IndependentMany {
                sizes: vec![1, 1, 2, 0, 4],
                weights: vec![1, 2, 3, 4, 5],
            },
            Shape::Independent {
                sizes: vec![1, 1, 2, 0, 4],
            },
        ),
        (Design::Samples, Shape::Samples { n: 8 }),
        (
            Design::Pairings {
                partner: vec![4, 1, -3, 9, 2, 2, 6, -5],
            },
            Shape::Pairings { n: 8 },
        ),
    ];
    for (design, shape) in cases {
        let p = Problem {
            design: design.clone(),
            scores: scores.clone(),
        };
        let total = p.count().unwrap();
        assert_eq!(Some(total), shape.count(), "{design:?}");
        let m = shape.row_len();
        let mut rows = vec![0u32; m * total as usize];
        relabel_rows(&shape, 0, total as usize, None, &mut rows).unwrap();
        let expected: Vec<i128> = rows
            .chunks(m)
            .map(|row| key_from_row(&design, &scores, row))
            .collect();
        for start in [0, 1, total / 3, total - 2] {
            let got = tally(
                &p,
                &rule(0, 0),
                Source::Exact,
                start..total,
                Collect::Full,
                &Never,
            )
            .unwrap();
            assert_eq!(
                got.keys,
                expected[start as usize..],
                "{design:?} from {start}"
            );
        }
    }
}
