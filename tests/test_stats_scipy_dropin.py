"""permutation_test as a scipy drop-in (issue 9): scipy's broadcasting, legacy
``random_state``, numpy scalar results, scipy's input validation, k-sample
"samples" / "pairings" designs, Friedman / Page built-ins, the lazily computed
null distribution, and ``patch_scipy``. scipy and brute force are the oracles."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permkit.stats import patch_scipy, permutation_test, unpatch_scipy


def as_any(value: Any) -> Any:
    """A value of a type outside the annotations (scipy accepts it, or must reject it)."""
    return value


def null_of(res: Any) -> np.ndarray:
    return np.asarray(res.null_distribution)


def mean_diff(x: Any, y: Any, axis: int = -1) -> Any:
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def mean_of_three(x: Any, y: Any, z: Any, axis: int = -1) -> Any:
    return np.mean(x, axis=axis) - 2 * np.mean(y, axis=axis) + np.mean(z, axis=axis)


# --- axis on the broadcast samples -------------------------------------------------------------


def test_issue_example_axis_with_different_ndim() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(3, 3)), rng.normal(size=(2, 4, 3))
    ref = scipy.stats.permutation_test((x, y), mean_diff, axis=1, n_resamples=np.inf)
    res = permutation_test((x, y), mean_diff, axis=1, n_resamples=np.inf)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=1e-14)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=1e-14)


@st.composite
def broadcastable_samples(draw: Any) -> tuple[tuple[np.ndarray, ...], int]:
    n_dims = draw(st.integers(1, 3))
    lead = draw(st.lists(st.integers(1, 3), min_size=n_dims, max_size=n_dims))
    axis = draw(st.integers(-n_dims, n_dims - 1))
    k = draw(st.integers(2, 3))
    samples = []
    for _ in range(k):
        ndim = draw(st.integers(1, n_dims)) if axis < 0 else n_dims
        ndim = max(ndim, -axis if axis < 0 else 1)
        shape = list(lead[n_dims - ndim :])
        shape = [1 if draw(st.booleans()) else s for s in shape]
        shape[axis] = draw(st.integers(2, 3))
        seed = draw(st.integers(0, 2**32 - 1))
        values = np.random.default_rng(seed).integers(0, 5, size=shape).astype(float)
        samples.append(values)
    return tuple(samples), axis


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broadcastable_samples())
def test_axis_broadcasting_matches_scipy(case: tuple[tuple[np.ndarray, ...], int]) -> None:
    samples, axis = case
    statistic = mean_diff if len(samples) == 2 else mean_of_three
    ref = scipy.stats.permutation_test(samples, statistic, axis=axis, n_resamples=np.inf)
    res = permutation_test(samples, statistic, axis=axis, n_resamples=np.inf)
    assert np.shape(res.pvalue) == np.shape(ref.pvalue)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=1e-12)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=1e-12)
    np.testing.assert_allclose(
        np.sort(null_of(res), axis=0), np.sort(ref.null_distribution, axis=0)
    )


# --- validation and result types ----------------------------------------------------------------


def test_axis_validation_like_scipy() -> None:
    data = ([1, 2, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="axis"):
        permutation_test(data, "sum", axis=as_any(1.5))
    with pytest.raises(ValueError, match="axis"):
        permutation_test(data, "sum", axis=as_any("first"))
    with pytest.raises(TypeError, match="axis"):
        permutation_test(data, "sum", axis=as_any(None))
    with pytest.raises(np.exceptions.AxisError, match="axis"):
        permutation_test(data, "sum", axis=1)
    assert (
        permutation_test(data, "sum", axis=as_any(0.0)).pvalue == 1.0
    )  # scipy accepts integral floats


def test_options_accepted_as_scipy_accepts_them() -> None:
    data = ([1.0, 2.0, 5.0], [3.0, 4.0])
    ref = permutation_test(data, mean_diff, alternative="greater", batch=3)
    res = permutation_test(data, mean_diff, alternative="Greater", batch=as_any(3.0))
    assert res.pvalue == ref.pvalue
    with pytest.raises(ValueError, match="batch"):
        permutation_test(data, mean_diff, batch=as_any(2.5))


def test_invalid_rng_is_rejected_even_for_exact_tests() -> None:
    data = ([1, 2, 3], [4, 5])  # 10 relabellings: exact
    with pytest.raises(TypeError, match="rng"):
        permutation_test(data, mean_diff, rng="herring")
    with pytest.raises(TypeError, match="rng"):
        permutation_test(data, "mean_diff", rng="herring")
    with pytest.raises(ValueError, match="rng"):
        permutation_test(data, "mean_diff", rng=-1)
    with pytest.raises(ValueError, match="random_state"):
        permutation_test(data, "mean_diff", random_state="herring")
    with pytest.raises(TypeError, match="not both"):
        permutation_test(data, "mean_diff", rng=1, random_state=1)


def test_random_state_is_the_legacy_name_of_rng() -> None:
    x, y = np.arange(12.0), np.arange(12.0)[::-1] * 0.7
    kw: dict[str, Any] = {"exact": False, "n_resamples": 500}
    assert (
        permutation_test((x, y), mean_diff, random_state=7, **kw).pvalue
        == permutation_test((x, y), mean_diff, rng=7, **kw).pvalue
    )
    a = permutation_test((x, y), "mean_diff", random_state=np.random.RandomState(3), **kw)
    b = permutation_test((x, y), "mean_diff", random_state=np.random.RandomState(3), **kw)
    assert a.pvalue == b.pvalue
    g = permutation_test((x, y), "mean_diff", random_state=np.random.default_rng(3), **kw)
    h = permutation_test((x, y), "mean_diff", rng=np.random.default_rng(3), **kw)
    assert g.pvalue == h.pvalue
    assert permutation_test((x, y), "mean_diff", random_state=np.random, **kw).n_total == 500


@pytest.mark.parametrize("statistic", ["mean_diff", mean_diff])
def test_scalar_results_are_numpy_scalars(statistic: Any) -> None:
    res = permutation_test(([1.0, 2.0, 5.0], [3.0, 4.0]), statistic)
    assert type(res.pvalue) is np.float64 and res.pvalue.ndim == 0
    assert isinstance(res.statistic, np.floating) and res.statistic.ndim == 0


# --- lazily computed null distribution ------------------------------------------------------


def test_null_distribution_is_computed_on_access_with_the_same_relabellings() -> None:
    x, y = np.arange(15.0) % 4, np.arange(14.0) % 5
    res = permutation_test(
        (x, y), mean_diff, exact=False, n_resamples=300, rng=np.random.default_rng(5)
    )
    full = permutation_test(
        (x, y),
        mean_diff,
        exact=False,
        n_resamples=300,
        rng=np.random.default_rng(5),
        null_distribution="full",
    )
    np.testing.assert_array_equal(res.null_distribution, full.null_distribution)
    assert res.pvalue == full.pvalue
    built_in = permutation_test(
        (x, y), "mean_diff", exact=False, n_resamples=300, rng=np.random.default_rng(5)
    )
    np.testing.assert_allclose(null_of(built_in), null_of(full), rtol=1e-12)


def test_results_pickle_without_the_pending_null_distribution() -> None:
    import pickle

    res = permutation_test(([1.0, 2.0, 5.0], [3.0, 4.0]), "mean_diff")
    back = pickle.loads(pickle.dumps(res))
    assert back.pvalue == res.pvalue and back.pvalue_fraction == res.pvalue_fraction
    assert back.null_distribution is None and len(res.null_distribution) == 10
    again = pickle.loads(pickle.dumps(res))  # once computed, it is carried
    np.testing.assert_array_equal(again.null_distribution, res.null_distribution)


def test_null_distribution_on_access_keeps_the_memory_guard() -> None:
    x, y = np.arange(100), np.arange(100) + 3  # shift algorithm: C(200, 100) relabellings
    res = permutation_test((x, y), "rank_sum")
    assert res.method == "shift"
    with pytest.raises(MemoryError, match="null_distribution"):
        _ = res.null_distribution


# --- k-sample "samples" and "pairings" ------------------------------------------------------------


def page_statistic(*samples: Any, axis: int = -1) -> Any:
    stacked = np.stack([np.moveaxis(s, axis, -1) for s in samples], axis=-1)
    ranks = scipy.stats.rankdata(stacked, axis=-1)
    return np.sum(np.sum(ranks, axis=-2) * np.arange(1, len(samples) + 1), axis=-1)


def test_k_sample_samples_callable_matches_scipy() -> None:
    data = ([1.0, 5.0, 2.0, 8.0], [3.0, 3.0, 9.0, 1.0], [7.0, 2.0, 4.0, 4.0])  # (3!)^4 = 1296
    kw: dict[str, Any] = {"permutation_type": "samples", "n_resamples": np.inf}
    ref = scipy.stats.permutation_test(data, mean_of_three, **kw)
    res = permutation_test(data, mean_of_three, **kw)
    assert res.n_total == 6**4 and res.method == "exact"
    assert res.pvalue == ref.pvalue
    np.testing.assert_allclose(np.sort(null_of(res)), np.sort(ref.null_distribution))


def test_k_sample_pairings_callable_matches_scipy() -> None:
    data = ([1.0, 5.0, 2.0], [3.0, 0.0, 9.0], [7.0, 2.0, 4.0])  # (3!)^3 = 216
    kw: dict[str, Any] = {"permutation_type": "pairings", "n_resamples": np.inf}
    for statistic in (page_statistic, lambda x, y, z, axis: np.sum(x * y * z, axis=axis)):
        ref = scipy.stats.permutation_test(data, statistic, **kw)
        res = permutation_test(data, statistic, **kw)
        assert res.n_total == 216 and res.pvalue == ref.pvalue
        np.testing.assert_allclose(np.sort(null_of(res)), np.sort(ref.null_distribution))


def test_two_sample_pairings_callable_reorders_both_samples_like_scipy() -> None:
    x, y = [1.0, 2.0, 4.0], [3.0, 1.0, 2.0]

    def first_pair(x: Any, y: Any, axis: int = -1) -> Any:  # not invariant: sees the order
        return np.take(x, 0, axis=axis) * 10 + np.take(y, 0, axis=axis)

    ref = scipy.stats.permutation_test((x, y), first_pair, permutation_type="pairings")
    res = permutation_test((x, y), first_pair, permutation_type="pairings")
    assert res.n_total == 36 and res.pvalue == ref.pvalue
    np.testing.assert_allclose(np.sort(null_of(res)), np.sort(ref.null_distribution))


def brute_force_blocks(samples: list[list[float]], statistic: Any) -> list[float]:
    """Every within-block relabelling, in exact enumeration by itertools."""
    k, n = len(samples), len(samples[0])
    blocks = [[samples[j][i] for j in range(k)] for i in range(n)]
    values = []
    for orders in itertools.product(itertools.permutations(range(k)), repeat=n):
        relabelled = [np.array([blocks[i][orders[i][j]] for i in range(n)]) for j in range(k)]
        values.append(float(statistic(*relabelled)))
    return values


def friedman_statistic(*samples: Any, axis: int = -1) -> Any:
    return scipy.stats.friedmanchisquare(*samples, axis=axis).statistic


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("ties", [False, True])
def test_friedman_and_page_match_brute_force(seed: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    k, n = 3, 4
    data = rng.integers(0, 3, size=(k, n)).astype(float) if ties else rng.normal(size=(k, n))
    samples = [list(row) for row in data]
    for name, statistic in (("friedman", friedman_statistic), ("page", page_statistic)):
        null = np.array(brute_force_blocks(samples, statistic))
        observed = float(statistic(*data))
        res = permutation_test(tuple(data), name, permutation_type="samples", alternative="greater")
        assert res.method == "exact" and res.n_total == 6**n
        np.testing.assert_allclose(res.statistic, observed, rtol=1e-12)
        expected = Fraction(int(np.sum(null >= observed - 1e-9 * abs(observed))), len(null))
        assert res.pvalue_fraction == expected
        two = permutation_test(tuple(data), name, permutation_type="samples")
        less = Fraction(int(np.sum(null <= observed + 1e-9 * abs(observed))), len(null))
        assert two.pvalue_fraction == min(Fraction(1), 2 * min(expected, less))


@pytest.mark.parametrize("seed", range(5))
def test_page_matches_scipy_page_trend_test_exact(seed: int) -> None:
    data = np.random.default_rng(seed).normal(size=(4, 6))  # 4 conditions, 6 blocks, no ties
    ref = scipy.stats.page_trend_test(data.T, method="exact")
    res = permutation_test(tuple(data), "page", permutation_type="samples", alternative="greater")
    assert res.statistic == ref.statistic
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=1e-12)


def test_friedman_and_page_with_axis_and_monte_carlo() -> None:
    data = np.random.default_rng(1).normal(size=(4, 2, 5))  # 4 samples, 2 rows, 5 blocks
    res = permutation_test(tuple(data), "page", permutation_type="samples", axis=-1)
    for row in range(2):
        one = permutation_test(tuple(data[:, row]), "page", permutation_type="samples")
        assert res.pvalue[row] == one.pvalue
    mc = permutation_test(
        tuple(data[:, 0]),
        "friedman",
        permutation_type="samples",
        exact=False,
        rng=1,
        n_resamples=2000,
    )
    same = permutation_test(
        tuple(data[:, 0]),
        friedman_statistic,
        permutation_type="samples",
        exact=False,
        rng=1,
        n_resamples=2000,
    )
    assert mc.method == "monte carlo" and mc.pvalue_fraction == same.pvalue_fraction


def test_k_sample_built_ins_refuse_wrong_sample_counts() -> None:
    with pytest.raises(ValueError, match="3 or more"):
        permutation_test(([1, 2], [3, 4]), "friedman", permutation_type="samples")
    with pytest.raises(ValueError, match="'friedman' or 'page'"):
        permutation_test(([1, 2], [3, 4], [5, 6]), "sum", permutation_type="samples")
    with pytest.raises(ValueError, match="equal length"):
        permutation_test(([1, 2], [3, 4], [5, 6, 7]), "page", permutation_type="samples")
    with pytest.raises(ValueError, match="deviation"):
        permutation_test(
            ([1, 2], [3, 4], [5, 6]), "friedman", permutation_type="samples", two_sided="deviation"
        )


def test_k_sample_monte_carlo_streams_golden() -> None:
    """Pinned values of the version-1 streams for blocks and all-pairings (docs/exact_tests.md)."""
    data = ([1.0, 5.0, 2.0, 8.0, 3.0], [3.0, 3.0, 9.0, 1.0, 0.0], [7.0, 2.0, 4.0, 4.0, 6.0])
    blocks = permutation_test(
        data, mean_of_three, permutation_type="samples", exact=False, rng=1, n_resamples=1000
    )
    pairings = permutation_test(
        data, page_statistic, permutation_type="pairings", exact=False, rng=1, n_resamples=1000
    )
    assert (blocks.n_extreme, pairings.n_extreme) == GOLDEN_K_SAMPLE


GOLDEN_K_SAMPLE = (356, 332)


# --- issue 11: deviation of t, NaN propagation --------------------------------------------------


def pooled_t(x: Any, y: Any, axis: int = -1) -> Any:
    return scipy.stats.ttest_ind(x, y, axis=axis).statistic


def test_t_deviation_follows_the_definition() -> None:
    res = permutation_test(([3, 0, 7], [7, 1]), "t", two_sided="deviation")
    assert res.pvalue_fraction == 1
    rng = np.random.default_rng(11)
    for _ in range(30):
        x, y = (
            rng.integers(0, 9, size=rng.integers(2, 5)),
            rng.integers(0, 9, size=rng.integers(2, 5)),
        )
        if np.ptp(np.concatenate([x, y])) == 0:
            continue
        pooled = np.concatenate([x, y]).astype(float)
        null = []
        for group in itertools.combinations(range(len(pooled)), len(x)):
            mask = np.zeros(len(pooled), bool)
            mask[list(group)] = True
            with np.errstate(divide="ignore", invalid="ignore"):
                null.append(pooled_t(pooled[mask], pooled[~mask]))
        null_a = np.array(null)
        if not np.all(np.isfinite(null_a)):
            continue
        t = pooled_t(x.astype(float), y.astype(float))
        center = np.mean(null_a)
        dev0 = abs(t - center)
        expected = Fraction(int(np.sum(np.abs(null_a - center) >= dev0 * (1 - 1e-12))), len(null_a))
        got = permutation_test((x, y), "t", two_sided="deviation")
        assert got.pvalue_fraction == expected, (x, y)
        same = permutation_test((x, y), pooled_t, two_sided="deviation")
        assert same.pvalue_fraction == expected


def test_nan_propagate_with_a_callable_derives_nothing() -> None:
    res = permutation_test(([1.0, np.nan, 3.0], [2.0, 5.0]), mean_diff, nan_policy="propagate")
    assert np.isnan(res.pvalue) and np.isnan(res.statistic)
    assert res.pvalue_fraction is None and res.n_extreme is None and res.null_distribution is None
    rows = permutation_test(
        (np.array([[1.0, 2.0, 3.0], [1.0, np.nan, 2.0]]), np.array([[4.0, 5.0], [6.0, 7.0]])),
        mean_diff,
        axis=1,
        nan_policy="propagate",
    )
    fractions = np.asarray(rows.pvalue_fraction)
    assert fractions[0] == Fraction(2, 10) and fractions[1] is None
    assert rows.n_extreme[1] is None and np.isnan(rows.pvalue[1]) and np.isnan(rows.statistic[1])
    assert np.all(np.isnan(null_of(rows)[:, 1]))
    assert not np.any(np.isnan(null_of(rows)[:, 0]))


# --- patch_scipy ------------------------------------------------------------------------------------


def test_patch_scipy_as_function_and_context_manager() -> None:
    original = scipy.stats.permutation_test
    x = [1.0, 2.0, 4.0, 3.0, 5.0, 9.0, 2.5]
    y = [2.0, 1.0, 5.0, 6.0, 7.0, 8.0, 1.0]
    ref = scipy.stats.pearsonr(x, y, method=scipy.stats.PermutationMethod())  # exact: 7! <= 9999
    try:
        patch_scipy()
        assert scipy.stats.permutation_test is permutation_test
        res = scipy.stats.pearsonr(x, y, method=scipy.stats.PermutationMethod())
        np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=1e-12)
        assert res.statistic == ref.statistic and type(res.pvalue) is np.float64
        patch_scipy()  # idempotent
    finally:
        unpatch_scipy()
    assert scipy.stats.permutation_test is original
    unpatch_scipy()  # no-op
    with patch_scipy():
        assert scipy.stats.permutation_test is permutation_test
        w = scipy.stats.wilcoxon(x, y, method=scipy.stats.PermutationMethod())
        m = scipy.stats.mannwhitneyu(x, y, method=scipy.stats.PermutationMethod())
    assert scipy.stats.permutation_test is original
    assert w.pvalue == scipy.stats.wilcoxon(x, y, method=scipy.stats.PermutationMethod()).pvalue
    assert m.pvalue == scipy.stats.mannwhitneyu(x, y, method=scipy.stats.PermutationMethod()).pvalue


def test_permutation_method_random_state_passes_through_the_patch() -> None:
    x = np.arange(10.0)
    y = np.array([3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0, 5.5, 3.5])
    with patch_scipy():
        a = scipy.stats.pearsonr(
            x, y, method=scipy.stats.PermutationMethod(n_resamples=999, random_state=4)
        )
        b = scipy.stats.pearsonr(
            x, y, method=scipy.stats.PermutationMethod(n_resamples=999, random_state=4)
        )
        c = scipy.stats.pearsonr(x, y, method=scipy.stats.PermutationMethod(n_resamples=np.inf))
    assert a.pvalue == b.pvalue
    exact = permutation_test((x, y), "pearson", permutation_type="pairings")
    assert c.pvalue == exact.pvalue and math.isfinite(float(a.pvalue))
