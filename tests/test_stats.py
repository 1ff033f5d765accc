"""permkit.stats.permutation_test against published exact values, scipy, and
brute-force enumeration in exact rational arithmetic."""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction

import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from permkit.stats import NullHistogram, permutation_test

# --- reference cases: /work/shared/reference/exact-tests.md ----------------------------------
# Darwin's Zea mays (Fisher 1935): cross - self differences in eighths of an inch.
DARWIN = [49, -67, 8, 16, 6, 23, 28, 41, 14, 29, 56, 24, 75, 60, -48]
# Hollander & Wolfe depression data (R ?wilcox.test).
DEPRESSION_Y1 = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
DEPRESSION_Y2 = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]


def sum_axis(x, axis=-1):
    return np.sum(x, axis=axis)


def mean_diff_axis(x, y, axis=-1):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def pearson_axis(x, y, axis=-1):
    return scipy.stats.pearsonr(x, y, axis=axis).statistic


@pytest.mark.parametrize("statistic", ["sum", "mean", sum_axis])
def test_darwin_zea_mays(statistic):
    # Callables follow scipy's rule (exact only when 2^15 <= n_resamples): force it.
    exact = True if callable(statistic) else None
    res = permutation_test(
        (DARWIN,), statistic, permutation_type="samples", alternative="greater", exact=exact
    )
    assert res.pvalue_fraction == Fraction(863, 32768)
    assert res.pvalue == 0.026336669921875
    assert (res.n_extreme, res.n_total, res.method) == (863, 32768, "exact")
    two = permutation_test((DARWIN,), statistic, permutation_type="samples", exact=exact)
    assert two.pvalue_fraction == Fraction(1726, 32768)
    assert two.pvalue == 0.05267333984375


def test_darwin_ties_count_as_extreme():
    # 28 relabellings tie the observed sum; strict ">" would give 835.
    res = permutation_test(
        (DARWIN,), "sum", permutation_type="samples", alternative="greater", mid_p=True
    )
    assert res.pvalue_fraction == Fraction(863 * 2 - 28, 2 * 32768)
    full = permutation_test((DARWIN,), "sum", permutation_type="samples", null_distribution="full")
    assert np.count_nonzero(full.null_distribution == sum(DARWIN)) == 28


def test_fisher_tea_tasting_as_pairings():
    truth = [1, 1, 1, 1, 0, 0, 0, 0]
    guess = [1, 1, 1, 0, 1, 0, 0, 0]  # table [[3, 1], [1, 3]]
    res = permutation_test(
        (truth, guess), "sum_product", permutation_type="pairings", alternative="greater"
    )
    assert res.pvalue_fraction == Fraction(17, 70)
    assert res.n_total == math.factorial(8)
    perfect = permutation_test(
        (truth, truth), "sum_product", permutation_type="pairings", alternative="greater"
    )
    assert perfect.pvalue_fraction == Fraction(1, 70)


@pytest.mark.parametrize("statistic", ["pearson", "sum_product", pearson_axis])
def test_scipy_docstring_pairings(statistic):
    res = permutation_test(
        ([1, 2, 4, 3], [2, 4, 6, 8]), statistic, permutation_type="pairings", alternative="greater"
    )
    assert res.pvalue_fraction == Fraction(4, 24)


def test_depression_paired():
    res = permutation_test(
        (DEPRESSION_Y1, DEPRESSION_Y2), "mean", permutation_type="samples", alternative="greater"
    )
    assert res.pvalue_fraction == Fraction(7, 512)
    ranks = permutation_test(
        (DEPRESSION_Y1, DEPRESSION_Y2),
        "signed_rank",
        permutation_type="samples",
        alternative="greater",
    )
    assert ranks.pvalue_fraction == Fraction(10, 512)
    assert (
        ranks.statistic
        == scipy.stats.wilcoxon(DEPRESSION_Y1, DEPRESSION_Y2, alternative="greater").statistic
    )


# --- agreement with scipy ------------------------------------------------------------------

SCIPY_STATISTICS = {
    ("independent", "mean_diff"): mean_diff_axis,
    ("independent", "sum"): lambda x, y, axis=-1: np.sum(x, axis=axis),
    ("independent", "t"): lambda x, y, axis=-1: scipy.stats.ttest_ind(x, y, axis=axis).statistic,
    ("independent", "welch_t"): lambda x, y, axis=-1: (
        scipy.stats.ttest_ind(x, y, axis=axis, equal_var=False).statistic
    ),
    ("samples", "mean"): lambda x, y, axis=-1: np.mean(x - y, axis=axis),
    ("samples", "sum"): lambda x, y, axis=-1: np.sum(x - y, axis=axis),
    ("pairings", "pearson"): pearson_axis,
    ("pairings", "sum_product"): lambda x, y, axis=-1: np.sum(x * y, axis=axis),
    ("pairings", "spearman"): lambda x, y, axis=-1: pearson_axis(
        scipy.stats.rankdata(x, axis=axis), scipy.stats.rankdata(y, axis=axis), axis=axis
    ),
}

# Values whose float sums are exact, so scipy's float arithmetic is a reliable oracle.
# (On decimals such as 0.1 scipy can misclassify ties when the observed statistic is
# near 0 and its tolerance vanishes; test_decimal_ties_match_exact_brute_force covers those.)
values = st.one_of(
    st.integers(0, 4),  # many ties
    st.integers(-6, 6).map(lambda v: v / 4),  # binary fractions
)


@st.composite
def cases(draw):
    kind, name = draw(st.sampled_from(sorted(SCIPY_STATISTICS)))
    if kind == "independent":
        n1, n2 = draw(st.integers(2, 6)), draw(st.integers(2, 6))
    elif kind == "samples":
        n1 = n2 = draw(st.integers(2, 9))
    else:
        n1 = n2 = draw(st.integers(2, 5))
    x = draw(st.lists(values, min_size=n1, max_size=n1))
    y = draw(st.lists(values, min_size=n2, max_size=n2))
    if name in ("pearson", "spearman", "t", "welch_t") and (len(set(x)) < 2 or len(set(y)) < 2):
        x[0], x[1], y[0], y[1] = 0, 1, 0, 2  # keep the statistic defined
    alternative = draw(st.sampled_from(["less", "greater", "two-sided"]))
    return kind, name, np.array(x, dtype=float), np.array(y, dtype=float), alternative


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_builtins_match_scipy(case):
    kind, name, x, y, alternative = case
    expected = scipy.stats.permutation_test(
        (x, y),
        SCIPY_STATISTICS[(kind, name)],
        permutation_type=kind,
        alternative=alternative,
        n_resamples=np.inf,
    )
    res = permutation_test((x, y), name, permutation_type=kind, alternative=alternative)
    assert res.method == "exact"
    if name in ("t", "welch_t", "pearson", "spearman") and abs(expected.statistic) < 1e-9:
        # Observed statistic exactly 0: scipy's float rounding noise (~1e-17) exceeds its
        # tolerance (100 eps * |0|), so its tie classification is arbitrary there.
        return
    assert res.pvalue == pytest.approx(expected.pvalue, rel=1e-12, abs=0)
    assert res.statistic == pytest.approx(expected.statistic, rel=1e-9, abs=1e-12)
    # The same statistic as a Python callable, fed batches from Rust.
    via_callable = permutation_test(
        (x, y),
        SCIPY_STATISTICS[(kind, name)],
        permutation_type=kind,
        alternative=alternative,
        n_resamples=np.inf,
        batch=7,
    )
    assert via_callable.pvalue == expected.pvalue


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(-4, 4), min_size=2, max_size=10),
    st.sampled_from(["less", "greater", "two-sided"]),
)
def test_one_sample_sign_flips_match_scipy(d, alternative):
    expected = scipy.stats.permutation_test(
        (np.array(d),),
        lambda x, axis: np.mean(x, axis=axis),
        permutation_type="samples",
        alternative=alternative,
        n_resamples=np.inf,
    )
    res = permutation_test((d,), "mean", permutation_type="samples", alternative=alternative)
    assert res.pvalue == expected.pvalue


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=2, max_size=3), min_size=3, max_size=3))
def test_f_matches_scipy(groups):
    groups = [np.array(g, dtype=float) for g in groups]
    if np.ptp(np.concatenate(groups)) == 0:
        groups[0][0] += 1
    expected = scipy.stats.permutation_test(
        groups,
        lambda *g, axis: scipy.stats.f_oneway(*g, axis=axis).statistic,
        alternative="greater",
        n_resamples=np.inf,
    )
    res = permutation_test(groups, "f", alternative="greater")
    if not np.isfinite(expected.statistic):
        # scipy's tolerance becomes inf - inf = nan there and counts nothing; see
        # test_infinite_f_counts_perfect_separations for the exact answer.
        return
    if expected.statistic < 1e-9:
        # Observed F exactly 0: every F >= 0, so P(F >= 0) = 1 exactly; scipy's float
        # noise exceeds its vanishing tolerance there.
        assert res.pvalue == 1.0
        return
    assert res.pvalue == pytest.approx(expected.pvalue, rel=1e-12)


def test_infinite_f_counts_perfect_separations():
    # Zero within-group variance: F = inf; 18 of the 90 splits into 2+2+2 also give inf.
    res = permutation_test([[0, 0], [0, 0], [1, 1]], "f", alternative="greater")
    assert res.statistic == np.inf
    separated = sum(
        1
        for labels in set(itertools.permutations([0, 0, 1, 1, 2, 2]))
        if all(
            len({v for v, g in zip([0, 0, 0, 0, 1, 1], labels) if g == k}) == 1 for k in range(3)
        )
    )
    assert res.pvalue_fraction == Fraction(separated, 90)


def test_axis_and_broadcasting_match_scipy():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 6, size=(3, 5)).astype(float)
    y = rng.integers(0, 6, size=(3, 4)).astype(float)
    expected = scipy.stats.permutation_test((x, y), mean_diff_axis, axis=1, n_resamples=np.inf)
    for statistic in ("mean_diff", mean_diff_axis):
        res = permutation_test((x, y), statistic, axis=1)
        np.testing.assert_array_equal(res.pvalue, expected.pvalue)
        np.testing.assert_allclose(res.statistic, expected.statistic)
    full = permutation_test((x, y), mean_diff_axis, axis=1, null_distribution="full")
    assert full.null_distribution.shape == expected.null_distribution.shape
    np.testing.assert_allclose(
        np.sort(full.null_distribution, axis=0), np.sort(expected.null_distribution, axis=0)
    )


def test_non_vectorized_callable():
    res = permutation_test(
        ([1, 5, 2], [7, 3, 9]), lambda x, y: np.mean(x) - np.mean(y), vectorized=False
    )
    expected = scipy.stats.permutation_test(
        ([1, 5, 2], [7, 3, 9]), lambda x, y: np.mean(x) - np.mean(y), vectorized=False
    )
    assert res.pvalue == expected.pvalue


# --- brute force in exact arithmetic ------------------------------------------------------------


def brute_two_sample(x, y, stat):
    pooled = list(x) + list(y)
    n1 = len(x)
    observed = stat(pooled[:n1], pooled[n1:])
    null = []
    for group in itertools.combinations(range(len(pooled)), n1):
        rest = [pooled[i] for i in range(len(pooled)) if i not in group]
        null.append(stat([pooled[i] for i in group], rest))
    return observed, null


def exact_mean_diff(a, b):
    return sum(a, Fraction(0)) / len(a) - sum(b, Fraction(0)) / len(b)


def exact_t_squared_signed(a, b):
    """(sign, t^2) of the pooled t statistic in exact arithmetic."""
    n1, n2 = len(a), len(b)
    d = exact_mean_diff(a, b)
    m1, m2 = sum(a, Fraction(0)) / n1, sum(b, Fraction(0)) / n2
    ss = sum((v - m1) ** 2 for v in a) + sum((v - m2) ** 2 for v in b)
    if ss == 0:
        return (1 if d > 0 else -1 if d < 0 else 0, math.inf)
    t2 = d * d / (ss / (n1 + n2 - 2) * Fraction(n1 + n2, n1 * n2))
    return ((d > 0) - (d < 0), t2)


def signed_order(v):
    s, q = v
    return (s, s * q)


decimals = st.integers(-20, 20).map(lambda v: Fraction(v, 10))


@settings(max_examples=60, deadline=None)
@given(st.lists(decimals, min_size=2, max_size=6), st.lists(decimals, min_size=2, max_size=6))
def test_decimal_ties_match_exact_brute_force(x, y):
    # Floats such as 0.1 + 0.2 != 0.3 would misclassify these ties; decimals are exact.
    observed, null = brute_two_sample(x, y, exact_mean_diff)
    res_ge = sum(v >= observed for v in null)
    res_le = sum(v <= observed for v in null)
    res = permutation_test(
        ([float(v) for v in x], [float(v) for v in y]), "mean_diff", alternative="greater"
    )
    assert res.n_extreme == res_ge
    res = permutation_test(
        ([float(v) for v in x], [float(v) for v in y]), "mean_diff", alternative="less"
    )
    assert res.n_extreme == res_le
    center = Fraction(len(x), len(x) + len(y)) * sum(x + y, Fraction(0))
    dev = sum(
        abs(sum(list(g)) - center) >= abs(sum(x) - center)
        for g in itertools.combinations(x + y, len(x))
    )
    res = permutation_test(
        ([float(v) for v in x], [float(v) for v in y]), "mean_diff", two_sided="deviation"
    )
    assert res.n_extreme == dev
    assert res.pvalue_fraction == Fraction(dev, math.comb(len(x) + len(y), len(x)))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=2, max_size=6),
    st.lists(st.integers(0, 3), min_size=2, max_size=6),
)
def test_pooled_t_and_rank_sum_match_brute_force(x, y):
    if len(set(x + y)) < 2:
        return
    observed, null = brute_two_sample(x, y, exact_t_squared_signed)
    ge = sum(signed_order(v) >= signed_order(observed) for v in null)
    res = permutation_test((x, y), "t", alternative="greater")
    assert res.n_extreme == ge
    ranks = scipy.stats.rankdata(x + y)
    observed, null = brute_two_sample(
        list(ranks[: len(x)]), list(ranks[len(x) :]), lambda a, b: sum(a)
    )
    res = permutation_test((x, y), "rank_sum", alternative="less", mid_p=True)
    strict = sum(v < observed for v in null)
    ties = sum(v == observed for v in null)
    assert res.pvalue_fraction == (strict + Fraction(ties, 2)) / len(null)


def exact_welch_signed(a, b):
    """(sign, t^2) of Welch's t in exact arithmetic."""
    n1, n2 = len(a), len(b)
    m1, m2 = sum(a, Fraction(0)) / n1, sum(b, Fraction(0)) / n2
    v = (
        sum((x - m1) ** 2 for x in a) / (n1 - 1) / n1
        + sum((x - m2) ** 2 for x in b) / (n2 - 1) / n2
    )
    d = m1 - m2
    return ((d > 0) - (d < 0), math.inf if v == 0 else d * d / v)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=2, max_size=6),
    st.lists(st.integers(0, 4), min_size=2, max_size=6),
    st.sampled_from(["less", "greater", "two-sided"]),
)
def test_welch_t_is_classified_exactly(x, y, alternative):
    if len(set(x + y)) < 2:
        return
    observed, null = brute_two_sample(x, y, exact_welch_signed)
    eps = Fraction(100, 2**52)
    s, q = observed
    low = (s, q * (1 - eps * s) ** 2) if q != math.inf else observed
    high = (s, q * (1 + eps * s) ** 2) if q != math.inf else observed
    ge = sum(signed_order(v) >= signed_order(low) for v in null)
    le = sum(signed_order(v) <= signed_order(high) for v in null)
    expected = {
        "greater": Fraction(ge, len(null)),
        "less": Fraction(le, len(null)),
        "two-sided": min(Fraction(1), 2 * Fraction(min(ge, le), len(null))),
    }[alternative]
    res = permutation_test((x, y), "welch_t", alternative=alternative)
    assert res.method == "exact"
    assert res.pvalue_fraction == expected


def test_binary_floats_with_drift_are_exact():
    # Values with full 53-bit mantissas: sums are compared exactly, so the
    # observed split ties only itself and its mirror-equal splits.
    x = [0.1 + 0.2, 0.7, 1 / 3]
    y = [0.3, 0.1 + 0.6, 2 / 6, 0.2]
    exact = [Fraction(v) for v in x], [Fraction(v) for v in y]
    observed, null = brute_two_sample(*exact, lambda a, b: sum(a, Fraction(0)))
    eps = Fraction(100, 2**52)
    ge = sum(v >= observed - eps * abs(observed) for v in null)
    assert permutation_test((x, y), "sum", alternative="greater").n_extreme == ge


# --- options ----------------------------------------------------------------------------------


def test_histogram_and_full_null_distributions():
    x, y = [1, 2, 2, 5], [2, 3, 7]
    full = permutation_test((x, y), "mean_diff", null_distribution="full")
    hist = permutation_test((x, y), "mean_diff", null_distribution="histogram")
    ref = scipy.stats.permutation_test((x, y), mean_diff_axis, n_resamples=np.inf)
    np.testing.assert_allclose(np.sort(full.null_distribution), np.sort(ref.null_distribution))
    assert isinstance(hist.null_distribution, NullHistogram)
    assert hist.null_distribution.counts.sum() == 35
    values, counts = np.unique(np.round(ref.null_distribution, 12), return_counts=True)
    np.testing.assert_allclose(hist.null_distribution.values, values)
    np.testing.assert_array_equal(hist.null_distribution.counts, counts)
    lazy = permutation_test((x, y), "mean_diff")
    assert "<computed on access>" in repr(lazy)  # nothing collected while testing
    np.testing.assert_array_equal(lazy.null_distribution, full.null_distribution)
    assert "<computed on access>" not in repr(lazy)


def test_k_sample_f_full_null_matches_scipy():
    groups = [[1, 4, 2], [3, 3], [5, 0, 6]]
    res = permutation_test(groups, "f", alternative="greater", null_distribution="full")
    ref = scipy.stats.permutation_test(
        groups,
        lambda *g, axis: scipy.stats.f_oneway(*g, axis=axis).statistic,
        alternative="greater",
        n_resamples=np.inf,
    )
    assert res.n_total == 560
    np.testing.assert_allclose(np.sort(res.null_distribution), np.sort(ref.null_distribution))
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-12)


def test_monte_carlo_is_reproducible_and_pinned():
    a = permutation_test((DARWIN,), "sum", permutation_type="samples", exact=False, rng=1)
    b = permutation_test((DARWIN,), "sum", permutation_type="samples", exact=False, rng=1)
    assert a.method == "monte carlo" and a.n_total == 9999
    assert (
        a.pvalue_fraction == b.pvalue_fraction == Fraction(534, 10000)
    )  # golden (docs/exact_tests.md)
    assert a.n_extreme == 266  # min(b_less, b_greater); p = 2 * (266 + 1) / (9999 + 1)
    c = permutation_test(
        (DARWIN,), "sum", permutation_type="samples", exact=False, rng=np.random.default_rng(3)
    )
    assert c.method == "monte carlo"


@pytest.mark.parametrize(
    "kind, data, name, stat",
    [
        ("samples", (DARWIN,), "sum", sum_axis),
        ("independent", ([1, 5, 2, 8, 3], [7, 3, 9, 4]), "mean_diff", mean_diff_axis),
        (
            "pairings",
            ([1, 2, 4, 3, 7], [2, 4, 6, 8, 1]),
            "sum_product",
            lambda x, y, axis=-1: np.sum(x * y, axis=axis),
        ),
        (
            "independent",
            ([1, 5, 2], [8, 3, 9, 4], [7, 7, 0]),
            "f",
            lambda *g, axis=-1: scipy.stats.f_oneway(*g, axis=axis).statistic,
        ),
    ],
)
def test_monte_carlo_builtin_and_callable_see_the_same_relabellings(kind, data, name, stat):
    a = permutation_test(data, name, permutation_type=kind, exact=False, rng=42, n_resamples=2000)
    b = permutation_test(
        data, stat, permutation_type=kind, exact=False, rng=42, n_resamples=2000, batch=300
    )
    assert a.pvalue_fraction == b.pvalue_fraction


def test_monte_carlo_is_close_to_exact():
    x, y = np.arange(12) % 5, (np.arange(11) * 3) % 7
    exact = permutation_test((x, y), "mean_diff")
    mc = permutation_test((x, y), "mean_diff", exact=False, rng=7, n_resamples=20000)
    assert abs(mc.pvalue - exact.pvalue) < 0.02


def test_deviation_matches_brute_force_for_paired_and_pairings():
    d = [3, -1, 4, 1, -5, 9, 2]
    signs = itertools.product([1, -1], repeat=len(d))
    null = [sum(s * v for s, v in zip(ss, d)) for ss in signs]
    n = sum(abs(v) >= abs(sum(d)) for v in null)
    res = permutation_test((d,), "sum", permutation_type="samples", two_sided="deviation")
    assert res.pvalue_fraction == Fraction(n, 2 ** len(d))
    x, y = [1, 2, 4, 3, 5], [2, 4, 6, 8, 3]  # observed 73, center 69
    center = Fraction(sum(x) * sum(y), len(x))
    obs = abs(sum(a * b for a, b in zip(x, y)) - center)
    n = sum(
        abs(sum(a * b for a, b in zip(x, p)) - center) >= obs for p in itertools.permutations(y)
    )
    res = permutation_test((x, y), "pearson", permutation_type="pairings", two_sided="deviation")
    assert res.pvalue_fraction == Fraction(n, 120)
    cal = permutation_test(
        (x, y), pearson_axis, permutation_type="pairings", two_sided="deviation", exact=True
    )
    assert cal.pvalue_fraction == Fraction(n, 120)


def test_workers_do_not_change_results():
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 9, 11), rng.integers(0, 9, 10)
    one = permutation_test((x, y), "t", workers=1, null_distribution="histogram")
    two = permutation_test((x, y), "t", workers=2, null_distribution="histogram")
    assert one.pvalue_fraction == two.pvalue_fraction
    np.testing.assert_array_equal(one.null_distribution.counts, two.null_distribution.counts)


def test_rayon_thread_count_does_not_change_results():
    code = (
        "from permkit.stats import permutation_test as t;"
        "r=t(([3,1,4,1,5,9,2,6,5,3,5],[8,9,7,9,3,2,3,8,4,6]),'mean_diff', exact=False, rng=5, n_resamples=3000000);"
        "q=t(([3,1,4,1,5,9,2,6,5,3,5],[8,9,7,9,3,2,3,8,4,6]),'mean_diff');"
        "print(r.pvalue_fraction, q.pvalue_fraction)"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "RAYON_NUM_THREADS": t},
        ).stdout
        for t in ("1", "2")
    }
    assert len(outs) == 1


def test_executor_equals_local():
    x, y = [1, 5, 2, 8, 3, 9, 4], [7, 3, 9, 4, 2, 6]
    with ProcessPoolExecutor(2) as pool:
        for stat in ("mean_diff", mean_diff_axis):
            local = permutation_test((x, y), stat, null_distribution="full")
            remote = permutation_test((x, y), stat, null_distribution="full", executor=pool)
            assert local.pvalue_fraction == remote.pvalue_fraction
            np.testing.assert_array_equal(local.null_distribution, remote.null_distribution)
        mc_local = permutation_test(
            (DARWIN,), "sum", permutation_type="samples", exact=False, rng=9
        )
        mc_remote = permutation_test(
            (DARWIN,), "sum", permutation_type="samples", exact=False, rng=9, executor=pool
        )
        assert mc_local.pvalue_fraction == mc_remote.pvalue_fraction


def test_dask_local_cluster_equals_local():
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(n_workers=2, processes=True) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = permutation_test(
            ([1, 5, 2, 8, 3], [7, 3, 9, 4]), "mean_diff", executor=client.get_executor()
        )
    local = permutation_test(([1, 5, 2, 8, 3], [7, 3, 9, 4]), "mean_diff")
    assert local.pvalue_fraction == remote.pvalue_fraction


def test_progress_needs_tqdm_only_when_requested():
    try:
        import tqdm  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="tqdm"):
            permutation_test(([1, 2], [3, 4]), "sum", progress=True)
    else:
        permutation_test(([1, 2], [3, 4]), "sum", progress=True)
    permutation_test(([1, 2], [3, 4]), "sum")


def test_plot_needs_matplotlib_only_when_requested():
    res = permutation_test(([1, 2, 5], [3, 4]), "sum", null_distribution="histogram")
    try:
        import matplotlib
    except ImportError:
        with pytest.raises(ImportError, match="matplotlib"):
            res.plot()
    else:
        matplotlib.use("Agg")
        assert res.plot() is not None


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, kind, match",
    [
        (([], [1, 2]), "independent", "two or more"),
        (([1], [1, 2]), "independent", "two or more"),
        (([1, 2, 3], [1, 2]), "samples", "equal length"),
        (([1, 2, 3], [1, 2]), "pairings", "equal length"),
        (([1, 2],), "independent", "at least two samples"),
        (([1.0, np.nan], [1, 2]), "independent", "NaN or infinity"),
        (([1.0, np.inf], [1, 2]), "independent", "NaN or infinity"),
    ],
)
def test_bad_data_is_rejected(data, kind, match):
    with pytest.raises(ValueError, match=match):
        permutation_test(data, "sum", permutation_type=kind)


def test_non_numeric_data_is_rejected():
    with pytest.raises(TypeError, match="real numbers"):
        permutation_test((["a", "b"], ["c", "d"]), "sum")
    with pytest.raises(TypeError, match="tuple or list"):
        permutation_test(np.array([[1, 2], [3, 4]]), "sum")


def test_nan_policy():
    x, y = [1.0, np.nan, 3.0, 4.0], [2.0, 5.0, 6.0]
    omit = permutation_test((x, y), "mean_diff", nan_policy="omit")
    assert omit.pvalue == permutation_test(([1.0, 3.0, 4.0], y), "mean_diff").pvalue
    assert np.isnan(permutation_test((x, y), mean_diff_axis, nan_policy="propagate").pvalue)
    res = permutation_test((x, y), "mean_diff", nan_policy="propagate")
    assert np.isnan(res.pvalue) and np.isnan(res.statistic) and res.pvalue_fraction is None
    rows = permutation_test(
        (np.array([[1.0, 2.0, 3.0], [1.0, np.nan, 2.0]]), np.array([[4.0, 5.0], [6.0, 7.0]])),
        "mean_diff",
        axis=1,
        nan_policy="propagate",
    )
    assert rows.pvalue_fraction[0] == Fraction(2, 10) and np.isnan(rows.pvalue[1])


def test_data_too_wide_for_128_bits_falls_back_to_float_path():
    x, y = [1e300, 3e-300, 2.5], [7e299, 1.0, 4e-300]
    res = permutation_test((x, y), "mean_diff")
    ref = scipy.stats.permutation_test((x, y), mean_diff_axis, n_resamples=np.inf)
    assert res.method == "exact" and res.pvalue == ref.pvalue


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="alternative"):
        permutation_test(([1, 2], [3, 4]), "sum", alternative="bigger")
    with pytest.raises(ValueError, match="not a built-in"):
        permutation_test(([1, 2], [3, 4]), "pearson")
    with pytest.raises(ValueError, match="n_resamples"):
        permutation_test(([1, 2], [3, 4]), "sum", n_resamples=0)
    with pytest.raises(ValueError, match="deviation"):
        permutation_test(([1, 2], [3, 4], [5, 6]), "f", two_sided="deviation")
    with pytest.raises(TypeError, match="statistic"):
        permutation_test(([1, 2], [3, 4]), 3)


def test_wrong_statistic_shapes_are_rejected():
    with pytest.raises(ValueError, match="statistic: returned shape"):
        permutation_test(
            ([1, 2, 3], [4, 5]),
            lambda x, y, axis: np.stack([np.mean(x, axis), np.mean(y, axis)], -1),
        )
    with pytest.raises(ValueError, match="statistic: returned shape"):
        permutation_test(([1, 2, 3], [4, 5]), lambda x, y, axis: np.mean(x))


def test_infeasible_exact_requests():
    wide = np.random.default_rng(0).normal(
        size=80
    )  # full-precision floats: no small integer scores
    with pytest.raises(ValueError, match="cannot be enumerated"):
        permutation_test((wide[:40], wide[40:]), "mean_diff", exact=True)
    with pytest.raises(ValueError, match="cannot be enumerated"):
        permutation_test((wide[:70],), "sum", permutation_type="samples", exact=True)
    with pytest.raises(ValueError, match="cannot be enumerated"):
        permutation_test(
            (np.arange(40), np.arange(40)), "mean_diff", exact=True, null_distribution="full"
        )
    with pytest.raises(MemoryError, match="null_distribution='full'"):
        permutation_test(
            (wide[:17], wide[17:34]), "mean_diff", exact=True, null_distribution="full"
        )
    # Small integer scores: exact by the shift algorithm instead.
    assert (
        permutation_test((np.arange(40), np.arange(40)), "mean_diff", exact=True).method == "shift"
    )
    assert permutation_test((wide[:40], wide[40:]), "mean_diff", rng=0).method == "monte carlo"
    assert permutation_test((np.arange(40), np.arange(40) + 0.5), "mean_diff").method == "shift"


def test_relabelling_counts_are_exact_at_any_size():
    from permkit._native import relabellings  # the core's count, for every permutation_type

    assert relabellings("independent", [2, 3, 4]) == 1260
    assert relabellings("independent", [100, 100]) == math.comb(200, 100)  # beyond 128 bits
    assert relabellings("pairings", [6]) == 720 and relabellings("pairings", [6, 6]) == 720**2
    assert relabellings("samples", [70]) == 2**70 == relabellings("samples", [70, 70])
    assert relabellings("samples", [5, 5, 5]) == math.factorial(3) ** 5
    assert relabellings("independent", [0, 1]) == 1 and relabellings("samples", [0]) == 1
    with pytest.raises(ValueError, match="permutation_type: must be"):
        relabellings("paired", [3])


def test_doctests():
    import doctest

    import permkit.datasets
    import permkit.stats

    assert doctest.testmod(permkit.stats, raise_on_error=False).attempted > 0
    assert doctest.testmod(permkit.stats, raise_on_error=False).failed == 0
    assert doctest.testmod(permkit.datasets, raise_on_error=False).failed == 0


# --- shift algorithm (Streitberg-Roehmel) ---------------------------------------------------


@pytest.mark.parametrize(
    "kind, data, name",
    [
        ("independent", ([3, 1, 4, 1, 5, 9, 2, 6], [5, 3, 5, 8, 9, 7, 9]), "rank_sum"),
        ("independent", ([3, 1, 4, 1, 5, 9, 2, 6], [5, 3, 5, 8, 9, 7, 9]), "mean_diff"),
        ("independent", ([3, 1, 4, 1, 5, 9, 2, 6], [5, 3, 5, 8, 9, 7, 9]), "t"),
        ("independent", ([0.5, 1.5, 1.5, 2.0], [1.0, 2.5, 0.5, 3.0, 1.5]), "sum"),
        ("samples", ([3, -1, 4, 0, -5, 9, 2, -6, 5, 3, 0, 5],), "signed_rank"),
        ("samples", ([3, -1, 4, 0, -5, 9, 2, -6, 5, 3, 0, 5],), "mean"),
    ],
)
@pytest.mark.parametrize("alternative", ["less", "greater", "two-sided"])
@pytest.mark.parametrize("two_sided", ["double", "deviation"])
def test_shift_equals_enumeration(monkeypatch, kind, data, name, alternative, two_sided):
    import permkit.stats

    enumerated = permutation_test(
        data,
        name,
        permutation_type=kind,
        alternative=alternative,
        two_sided=two_sided,
        null_distribution="histogram",
    )
    # The limit is read where built-in tests choose their kernel.
    monkeypatch.setattr(permkit.stats, "EXACT_LIMIT", 10)
    shifted = permutation_test(
        data,
        name,
        permutation_type=kind,
        alternative=alternative,
        two_sided=two_sided,
        null_distribution="histogram",
    )
    assert (enumerated.method, shifted.method) == ("exact", "shift")
    assert shifted.pvalue_fraction == enumerated.pvalue_fraction
    assert shifted.n_total == enumerated.n_total
    np.testing.assert_array_equal(
        shifted.null_distribution.counts, enumerated.null_distribution.counts
    )
    np.testing.assert_allclose(
        shifted.null_distribution.values, enumerated.null_distribution.values
    )


def test_shift_rank_sum_100_per_group_with_ties():
    rng = np.random.default_rng(11)
    x, y = rng.integers(0, 12, 100), rng.integers(2, 14, 100)  # heavy ties
    res = permutation_test((x, y), "rank_sum", alternative="less")
    assert res.method == "shift" and res.n_total == math.comb(200, 100)
    # The large-sample normal approximation (with tie correction) is close to the exact value.
    approx = scipy.stats.mannwhitneyu(
        x, y, alternative="less", method="asymptotic", use_continuity=True
    )
    assert res.pvalue == pytest.approx(approx.pvalue, rel=0.05)


def test_shift_matches_scipy_where_scipy_is_exact():
    rng = np.random.default_rng(3)
    order = rng.permutation(60)
    x, y = order[:30] + 0.5, order[30:] + 0.5  # no ties
    for alternative in ("less", "greater", "two-sided"):
        res = permutation_test((x, y), "rank_sum", alternative=alternative)
        ref = scipy.stats.mannwhitneyu(x, y, alternative=alternative, method="exact")
        assert res.method == "shift"
        assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-9)
    d = (rng.permutation(40) + 1) * rng.choice([-1, 1], 40)
    for alternative in ("less", "greater", "two-sided"):
        res = permutation_test(
            (d,), "signed_rank", permutation_type="samples", alternative=alternative
        )
        ref = scipy.stats.wilcoxon(d, alternative=alternative, method="exact")
        assert res.method == "shift"
        assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-9)


# --- bundled data and the command line ---------------------------------------------------------


def test_bundled_darwin_data_reproduce_fisher():
    from permkit import datasets

    zea = datasets.load("darwin_zea_mays")
    assert [round((c - s) * 8) for c, s in zip(zea["crossed"], zea["self"])] == DARWIN
    res = permutation_test(
        (zea["crossed"], zea["self"]), "mean", permutation_type="samples", alternative="greater"
    )
    assert res.pvalue_fraction == Fraction(863, 32768)
    dep = datasets.load("depression")
    assert dep["first"] == DEPRESSION_Y1 and dep["second"] == DEPRESSION_Y2
    with pytest.raises(ValueError, match="unknown data set"):
        datasets.load("iris")


def run_cli(*argv):
    return subprocess.run(
        [sys.executable, "-m", "permkit", "test", *argv], capture_output=True, text=True
    )


def test_cli_prints_exact_p_value_fraction_count_and_method(tmp_path):
    out = run_cli(
        "darwin_zea_mays", "--x", "crossed", "--y", "self", "--paired", "--alternative", "greater"
    )
    assert out.returncode == 0, out.stderr
    assert "863/32768" in out.stdout and "0.02633666992" in out.stdout
    assert "32768" in out.stdout and "method:        exact" in out.stdout
    csv_file = tmp_path / "groups.csv"
    csv_file.write_text("a,b\n1,4\n2,5\n3,\n")
    out = run_cli(
        str(csv_file), "--x", "a", "--y", "b", "--alternative", "less", "--statistic", "sum"
    )
    assert out.returncode == 0, out.stderr
    assert "1/10" in out.stdout and "relabellings: 10" in out.stdout.replace("  ", " ").replace(
        "  ", " "
    )


def test_cli_errors_are_clear(tmp_path):
    out = run_cli("missing.csv", "--x", "a", "--y", "b")
    assert out.returncode == 2 and "cannot read" in out.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,x\n2,5\n")
    out = run_cli(str(bad), "--x", "a", "--y", "b")
    assert out.returncode == 2 and "non-numeric" in out.stderr
    out = run_cli(str(bad), "--x", "a", "--y", "zz")
    assert out.returncode == 2 and "column 'zz'" in out.stderr


# --- Ctrl-C -----------------------------------------------------------------------------------


def test_ctrl_c_stops_a_long_enumeration_promptly():
    import signal
    import time

    code = (
        "import numpy as np; from permkit.stats import permutation_test as t;"
        "x = np.random.default_rng(0).normal(size=40); print('go', flush=True);"
        "t((x[:20], x[20:]), 'mean_diff', exact=True)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "go"
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)  # the full run would take minutes
    assert "KeyboardInterrupt" in err


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(-3, 6), min_size=2, max_size=11),
    st.lists(st.integers(-3, 6), min_size=2, max_size=9),
    st.sampled_from(["mean_diff", "t", "rank_sum"]),
    st.sampled_from(["less", "greater", "two-sided"]),
    st.sampled_from(["double", "deviation"]),
)
@example([0, 0], [1, 1], "t", "two-sided", "deviation")
def test_counting_blocks_shift_and_walking_agree(x, y, name, alternative, two_sided):
    # 15+ observations: counting uses meet-in-the-middle blocks, a histogram walks every
    # relabelling, and the shift algorithm counts by dynamic programming.
    import permkit.stats

    if len(set(x + y)) < 2:
        return
    kwargs = {"alternative": alternative, "two_sided": two_sided}
    try:
        counted = permutation_test((x, y), name, **kwargs)
    except ValueError as exc:
        # t is infinite for relabellings with zero within-group variance: no null mean.
        assert (name, alternative, two_sided) == ("t", "two-sided", "deviation"), exc
        assert "two_sided='double'" in str(exc)
        with pytest.raises(ValueError, match="two_sided"):
            permutation_test((x, y), name, null_distribution="histogram", **kwargs)
        return
    walked = permutation_test((x, y), name, null_distribution="histogram", **kwargs)
    assert counted.pvalue_fraction == walked.pvalue_fraction
    limit = permkit.stats.EXACT_LIMIT
    try:
        permkit.stats.EXACT_LIMIT = 1
        shifted = permutation_test((x, y), name, **kwargs)
    finally:
        permkit.stats.EXACT_LIMIT = limit
    assert shifted.method == "shift" and shifted.pvalue_fraction == counted.pvalue_fraction
