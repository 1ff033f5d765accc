"""permkit.stats.maxt against a slow numpy Westfall-Young implementation."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from permkit import _native
from permkit._seeding import seed_words
from permkit.stats import maxt, permutation_test

EPS = 100 * np.finfo(np.float64).eps


@np.errstate(divide="ignore", invalid="ignore")
def _statistics(data: np.ndarray, in_x: np.ndarray, name: str) -> np.ndarray:
    x, y = data[in_x], data[~in_x]
    d = x.mean(axis=0) - y.mean(axis=0)
    if name == "mean_diff":
        return d
    n1, n2 = len(x), len(y)
    v1, v2 = x.var(axis=0, ddof=1), y.var(axis=0, ddof=1)
    if name == "welch_t":
        return d / np.sqrt(v1 / n1 + v2 / n2)
    pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
    return d / np.sqrt(pooled * (1 / n1 + 1 / n2))


def slow_westfall_young(
    data: np.ndarray, n1: int, name: str, alternative: str, splits: list[np.ndarray], extra: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(observed, adjusted p, raw p); `splits` are boolean masks of the first sample."""
    n = data.shape[0]

    def side(t: np.ndarray) -> np.ndarray:
        return {"greater": t, "less": -t, "two-sided": np.abs(t)}[alternative]

    observed = _statistics(data, np.arange(n) < n1, name)
    e0 = side(observed)
    with np.errstate(invalid="ignore"):
        threshold = np.where(np.isfinite(e0), e0 - EPS * np.abs(e0), e0)
    raw = np.zeros(data.shape[1])
    adjusted = np.zeros(data.shape[1])
    for mask in splits:
        e = side(_statistics(data, mask, name))
        raw += e >= threshold
        if not np.isnan(e).all():
            adjusted += np.nanmax(e) >= threshold
    return (
        observed,
        (adjusted + extra) / (len(splits) + extra),
        (raw + extra) / (len(splits) + extra),
    )


def _all_splits(n: int, n1: int) -> list[np.ndarray]:
    out = []
    for c in itertools.combinations(range(n), n1):
        m = np.zeros(n, dtype=bool)
        m[list(c)] = True
        out.append(m)
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4),
    st.integers(2, 4),
    st.integers(1, 6),
    st.sampled_from(["t", "welch_t", "mean_diff"]),
    st.sampled_from(["two-sided", "less", "greater"]),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_exact_matches_slow_numpy(
    n1: int, n2: int, m: int, name: str, alternative: str, seed: int, ties: bool
) -> None:
    rng = np.random.default_rng(seed)
    data = (
        rng.integers(0, 4, size=(n1 + n2, m)).astype(float)
        if ties
        else rng.normal(size=(n1 + n2, m))
    )
    data[:, 0] += np.r_[np.ones(n1), np.zeros(n2)]  # keep some variance in column 0
    labels = np.r_[np.zeros(n1), np.ones(n2)]
    res = maxt(data, labels, statistic=name, alternative=alternative, exact=True)
    obs, adj, raw = slow_westfall_young(data, n1, name, alternative, _all_splits(n1 + n2, n1), 0)
    np.testing.assert_allclose(res.statistic, obs, rtol=1e-9, atol=1e-12)
    defined = ~np.isnan(obs)  # constant variables: NaN statistic and p-value
    np.testing.assert_array_equal(res.pvalue[defined], adj[defined])
    np.testing.assert_array_equal(res.pvalue_raw[defined], raw[defined])
    assert np.all(res.pvalue[defined] >= res.pvalue_raw[defined])
    assert np.isnan(res.pvalue[~defined]).all()
    assert res.n_total == math.comb(n1 + n2, n1) and res.method == "exact"


def test_monte_carlo_matches_slow_numpy_on_the_shared_stream() -> None:
    rng = np.random.default_rng(3)
    data = rng.normal(size=(13, 25))
    data[:6, :3] += 1.5
    labels = np.r_[np.zeros(6), np.ones(7)]
    res = maxt(data, labels, n_resamples=999, rng=11)
    key = _native.squares_key_from_word(seed_words(11, 1, "rng")[0])
    rows = _native.relabel_indices("independent", [6, 7], 0, 999, key)
    splits = []
    for row in rows:
        m = np.zeros(13, dtype=bool)
        m[row[:6]] = True
        splits.append(m)
    obs, adj, raw = slow_westfall_young(data, 6, "t", "two-sided", splits, 1)
    np.testing.assert_allclose(res.statistic, obs, rtol=1e-9)
    np.testing.assert_array_equal(res.pvalue, adj)
    np.testing.assert_array_equal(res.pvalue_raw, raw)
    assert res.method == "monte carlo" and res.n_total == 999


def test_raw_pvalues_are_permutation_test_pvalues_on_the_same_stream() -> None:
    rng = np.random.default_rng(8)
    data = rng.normal(size=(30, 4))
    labels = np.r_[np.zeros(15), np.ones(15)]
    for alternative in ("greater", "less"):
        res = maxt(data, labels, alternative=alternative, n_resamples=2000, rng=5)
        for j in range(4):
            ref = permutation_test(
                (data[:15, j], data[15:, j]),
                "t",
                alternative=alternative,
                exact=False,
                n_resamples=2000,
                rng=5,
            )
            assert float(res.pvalue_raw[j]) == pytest.approx(float(ref.pvalue), rel=1e-12)


def test_thread_count_and_label_order_do_not_change_the_output() -> None:
    rng = np.random.default_rng(1)
    data = rng.normal(size=(20, 300))
    labels = np.array(["b", "a"] * 10)
    runs = [maxt(data, labels, n_resamples=3000, rng=2, workers=w) for w in (1, 2, None)]
    for r in runs[1:]:
        np.testing.assert_array_equal(r.pvalue, runs[0].pvalue)
        np.testing.assert_array_equal(r.pvalue_raw, runs[0].pvalue_raw)
    # Observations along axis 1 give the same answer.
    t = maxt(data.T, labels, n_resamples=3000, rng=2, axis=1)
    np.testing.assert_array_equal(t.pvalue, runs[0].pvalue)


def test_golden_vector() -> None:
    # Pinned (docs/exact_tests.md, "Max-T"): an output change is a breaking change.
    data = np.arange(24, dtype=float).reshape(8, 3) % 7
    res = maxt(data, [0, 1] * 4, n_resamples=99, exact=False, rng=2024)
    assert res.pvalue.tolist() == [0.53, 1.0, 0.96]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.ones((4, 2)), [0, 0, 1]), {}, ValueError, "labels: expected one label"),
        ((np.ones((4, 2)), [0, 0, 0, 0]), {}, ValueError, "labels: need exactly two"),
        ((np.ones((4, 2)), [0, 1, 1, 1]), {}, ValueError, "labels: each group needs two"),
        ((np.ones((4, 2)), [0, 1, 2, 1]), {}, ValueError, "labels: need exactly two"),
        ((np.ones((4, 2)), [0, np.nan, 1, 1]), {}, ValueError, "labels: contains NaN"),
        ((np.full((4, 2), np.nan), [0, 0, 1, 1]), {}, ValueError, "data: contains NaN"),
        ((np.ones((4, 2, 2)), [0, 0, 1, 1]), {}, ValueError, "data: must be 2-D"),
        ((np.array([["a"] * 2] * 4), [0, 0, 1, 1]), {}, TypeError, "data: "),
        ((np.ones((4, 2)), [0, 0, 1, 1]), {"statistic": "f"}, ValueError, "statistic: "),
        ((np.ones((4, 2)), np.array([0, "a", 1, None], dtype=object)), {}, TypeError, "labels: "),
        ((np.ones((4, 2)), [0, 0, 1, 1]), {"alternative": "up"}, ValueError, "alternative: "),
        ((np.ones((4, 2)), [0, 0, 1, 1]), {"n_resamples": 0}, ValueError, "n_resamples: "),
        ((np.ones((4, 2)), [0, 0, 1, 1]), {"n_resamples": 1.5}, ValueError, "n_resamples: "),
        ((np.ones((4, 2)), [0, 0, 1, 1]), {"workers": 0}, ValueError, "workers: "),
        ((np.ones((4, 2)), [0, 0, 1, 1]), {"axis": 2}, ValueError, "axis: "),
        ((np.ones((4, 2)), [0, 0, 1, 1]), {"exact": "yes"}, ValueError, "exact: "),
        (
            (np.ones((4, 2)), [0, 0, 1, 1]),
            {"exact": False, "n_resamples": np.inf},
            ValueError,
            "n_resamples: ",
        ),
        ((np.ones((80, 1)), [0, 1] * 40), {"exact": True}, ValueError, "exact: "),
        ((np.ones((4, 2)), [0, 0, 1, 1]), {"rng": "seed"}, (TypeError, ValueError), "rng"),
    ],
)
def test_bad_input(args: tuple[Any, Any], kwargs: dict[str, Any], error: Any, match: str) -> None:
    with pytest.raises(error, match=match):
        maxt(*args, **{"exact": False, **kwargs} if "rng" in kwargs else kwargs)


def test_constant_variables_give_nan() -> None:
    data = np.c_[np.ones(6), np.arange(6.0)]
    res = maxt(data, [0, 0, 0, 1, 1, 1])
    assert math.isnan(res.pvalue[0]) and math.isnan(res.statistic[0])
    assert 0 < res.pvalue[1] <= 1
