use super::*;
use crate::rng::squares64;
use crate::Never;

const KEY: u64 = 0xc8e4fd154ce32f6d;

/// The spec written out sequentially: buckets as vectors, then Fisher-Yates.
fn reference_permutation(n: usize, key: u64, counter: u64) -> (Vec<u64>, u64) {
    let mut a: Vec<u64> = (0..n as u64).collect();
    if n <= FISHER_YATES_MAX {
        let mut d = HalfWordDraws::new(key, counter, 1, 0);
        d.shuffle(&mut a);
        return (a, d.counters_used());
    }
    let buckets = bucket_count(n);
    let bits = buckets.trailing_zeros() as usize;
    let per = 64 / bits;
    let words = n.div_ceil(per);
    let mut groups = vec![Vec::new(); buckets];
    for i in 0..n {
        let x = squares64(key, counter.wrapping_add((i / per) as u64));
        let b = (x >> (64 - bits * (i % per + 1))) & (buckets as u64 - 1);
        groups[b as usize].push(i as u64);
    }
    let mut most = 0;
    for (b, g) in groups.iter_mut().enumerate() {
        let mut d = HalfWordDraws::new(
            key,
            counter.wrapping_add((words + b) as u64),
            buckets as u64,
            0,
        );
        d.shuffle(g);
        most = most.max(d.counters_used());
    }
    (groups.concat(), (words + buckets * most as usize) as u64)
}

fn is_permutation(p: &[u64]) -> bool {
    let mut seen = vec![false; p.len()];
    p.iter()
        .all(|&v| (v as usize) < p.len() && !std::mem::replace(&mut seen[v as usize], true))
}

#[test]
fn matches_the_sequential_reference_on_both_paths() {
    for (n, counter) in [
        (0, 0),
        (1, 5),
        (2, 0),
        (10, 3),
        (FISHER_YATES_MAX, 0),
        (FISHER_YATES_MAX + 1, 7),
        (300_001, u64::MAX - 10),
    ] {
        let mut out = vec![0u64; n];
        let used = permutation_into(&mut out, KEY, counter, &Never).unwrap();
        let (want, want_used) = reference_permutation(n, KEY, counter);
        assert!(is_permutation(&out), "n = {n}");
        assert_eq!(out, want, "n = {n}");
        assert_eq!(used, want_used, "n = {n}");
    }
}

#[test]
fn shuffle_equals_gather_by_permutation() {
    for n in [5, FISHER_YATES_MAX, 200_003] {
        let mut perm = vec![0u32; n];
        let used = permutation_into(&mut perm, KEY, 11, &Never).unwrap();
        let original: Vec<[u64; 2]> = (0..n as u64).map(|i| [i * 3 + 1, !i]).collect();
        let mut data = original.clone();
        assert_eq!(shuffle_in_place(&mut data, KEY, 11, &Never).unwrap(), used);
        assert!(data
            .iter()
            .zip(&perm)
            .all(|(d, &p)| *d == original[p as usize]));
        let mut again = original.clone();
        let mut scratch = vec![std::mem::MaybeUninit::uninit(); n];
        assert_eq!(
            shuffle_in_place_with_scratch(&mut again, &mut scratch, KEY, 11, &Never).unwrap(),
            used
        );
        assert_eq!(again, data);
    }
}

#[test]
fn thread_count_does_not_change_the_result() {
    let n = 500_000;
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut out = vec![0u32; n];
            permutation_into(&mut out, KEY, 0, &Never).unwrap();
            let mut rows: Vec<u16> = (0..64 * 300).map(|i| (i % 300) as u16).collect();
            permuted_rows(&mut rows, 300, KEY, 0, &Never).unwrap();
            (out, rows)
        })
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn permuted_rows_use_interleaved_counters() {
    let (m, n) = (5usize, 40usize);
    let mut rows: Vec<u64> = (0..m * n).map(|i| (i % n) as u64).collect();
    let used = permuted_rows(&mut rows, n, KEY, 100, &Never).unwrap();
    for k in 0..m {
        let mut want: Vec<u64> = (0..n as u64).collect();
        let mut d = HalfWordDraws::new(KEY, 100 + k as u64, m as u64, 0);
        d.shuffle(&mut want);
        assert_eq!(&rows[k * n..(k + 1) * n], &want[..]);
    }
    assert_eq!(used, (m * (n - 1).div_ceil(2)) as u64);
    let mut one: Vec<u64> = (0..n as u64).collect();
    permuted_rows(&mut one, n, KEY, 100, &Never).unwrap();
    let mut perm = vec![0u64; n];
    permutation_into(&mut perm, KEY, 100, &Never).unwrap();
    assert_eq!(one, perm);
}

#[test]
fn rejects_what_cannot_hold_the_values() {
    let mut out = vec![0u8; 257];
    assert!(permutation_into(&mut out, KEY, 0, &Never).is_err());
    let mut rows = vec![0u8; 10];
    assert!(permuted_rows(&mut rows, 3, KEY, 0, &Never).is_err());
    assert!(permuted_rows(&mut rows, 0, KEY, 0, &Never).is_err());
}

#[test]
fn interrupt_before_writing_leaves_input_untouched() {
    struct Always;
    impl Interrupt for Always {
        fn interrupted(&self) -> bool {
            true
        }
    }
    let mut data: Vec<u64> = (0..100_000).collect();
    assert_eq!(
        shuffle_in_place(&mut data, KEY, 0, &Always),
        Err(Error::Interrupted)
    );
    assert!(data.iter().enumerate().all(|(i, &v)| v == i as u64));
}

#[test]
fn bucket_count_is_a_power_of_two_near_n_over_64k() {
    assert_eq!(bucket_count(FISHER_YATES_MAX + 1), 2);
    assert_eq!(bucket_count(10_000_000), 256);
    assert_eq!(bucket_count(1 << 24), 256);
    assert_eq!(bucket_count((1 << 24) + 1), 512);
}

#[test]
fn draws_below_follow_the_draw_sequence() {
    let bounds: Vec<u64> = (0..300u64)
        .map(|i| 1 + (i * 7919) % 5000)
        .chain([1 << 32, (1 << 32) + 1, u64::MAX])
        .collect();
    let mut reference = HalfWordDraws::new(KEY, 0, 1, 0);
    let want: Vec<u64> = bounds.iter().map(|&b| reference.below(b)).collect();
    let mut got = vec![0u64; bounds.len()];
    draws_below(KEY, &bounds, &mut got).unwrap();
    assert_eq!(got, want);
    assert!(got.iter().zip(&bounds).all(|(v, b)| v < b));
    let mut one = [0u64; 1];
    assert!(draws_below(KEY, &[0], &mut one).is_err());
    assert!(draws_below(KEY, &[1, 2], &mut one).is_err());
}

#[test]
fn permutations_from_words_are_rows_of_full_passes() {
    use crate::rng::splitmix::SplitMix64;
    // Longer than one poll interval, with rows that straddle it.
    let n = STEPS_PER_POLL + 5;
    let mut out = vec![0u32; 3 * n];
    let mut words = SplitMix64::new(4);
    permutations_from_words(&mut out, n, &mut words, &Never).unwrap();
    let mut reference = SplitMix64::new(4);
    for row in out.chunks(n) {
        let mut want: Vec<u32> = (0..n as u32).collect();
        reference.shuffle(&mut want);
        assert_eq!(row, &want[..]);
    }
    assert_eq!(words.next_word(), reference.next_word());
    let mut bad = vec![0u8; 300];
    assert!(permutations_from_words(&mut bad, 300, &mut words, &Never).is_err());
    assert!(permutations_from_words(&mut out[..7], 2, &mut words, &Never).is_err());
    assert!(permutations_from_words(&mut out[..0], 0, &mut words, &Never).is_ok());
}
