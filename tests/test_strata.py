"""permutation_test(..., strata=): brute force over within-strata relabellings."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from permkit.stats import fisher_exact, permutation_test

scipy_stats = pytest.importorskip("scipy.stats")


def _stat(name: str, values: np.ndarray, in_x: np.ndarray, codes: np.ndarray) -> float:
    if name == "sum":
        return float(values[in_x].sum())
    if name == "mean_diff":
        return float(values[in_x].mean() - values[~in_x].mean())
    total = 0.0
    for s in np.unique(codes):
        m = codes == s
        ranks = scipy_stats.rankdata(values[m])
        weight = 1.0 if name == "rank_sum" else 1.0 / (m.sum() + 1)
        total += weight * ranks[in_x[m]].sum()
    return total


def brute_force(
    name: str, x: list[float], y: list[float], sx: list[Any], sy: list[Any]
) -> dict[str, float]:
    """p-values over every within-strata relabelling (float statistics, scipy's tie rule)."""
    values = np.array(x + y, dtype=float)
    codes = np.unique(np.array(sx + sy), return_inverse=True)[1]
    in_x0 = np.arange(len(values)) < len(x)
    observed = _stat(name, values, in_x0, codes)
    per_stratum = []
    for s in np.unique(codes):
        idx = np.flatnonzero(codes == s)
        k = int(in_x0[idx].sum())
        per_stratum.append([list(c) for c in itertools.combinations(idx, k)])
    stats = []
    for choice in itertools.product(*per_stratum):
        in_x = np.zeros(len(values), dtype=bool)
        for c in choice:
            in_x[c] = True
        stats.append(_stat(name, values, in_x, codes))
    t = np.array(stats)
    tol = 1e-9 * max(1.0, abs(observed))
    n = len(t)
    less = np.sum(t <= observed + tol) / n
    greater = np.sum(t >= observed - tol) / n
    center = t.mean()
    dev = np.sum(np.abs(t - center) >= abs(observed - center) - tol) / n
    return {
        "less": less,
        "greater": greater,
        "two-sided": min(1.0, 2 * min(less, greater)),
        "deviation": dev,
        "n": n,
        "observed": observed,
    }


@st.composite
def designs(draw: Any) -> tuple[list[float], list[float], list[int], list[int]]:
    k = draw(st.integers(1, 3))
    x: list[float] = []
    y: list[float] = []
    sx: list[int] = []
    sy: list[int] = []
    value = st.integers(0, 6) if draw(st.booleans()) else st.sampled_from([0.5, 1.25, 2.0, 3.1])
    for s in range(k):
        n = draw(st.integers(2, 5))
        n1 = draw(st.integers(0, n))
        x += [draw(value) for _ in range(n1)]
        y += [draw(value) for _ in range(n - n1)]
        sx += [s] * n1
        sy += [s] * (n - n1)
    if len(x) < 2 or len(y) < 2:
        x, y, sx, sy = x + [1, 2], y + [3, 0], sx + [9, 9], sy + [9, 9]
    return x, y, sx, sy


@settings(max_examples=60, deadline=None)
@given(designs(), st.sampled_from(["sum", "mean_diff", "rank_sum", "van_elteren"]))
def test_exact_matches_brute_force(design: Any, name: str) -> None:
    x, y, sx, sy = design
    ref = brute_force(name, x, y, sx, sy)
    for alternative in ("less", "greater", "two-sided"):
        res = permutation_test((x, y), name, strata=(sx, sy), alternative=alternative)
        assert res.method == "shift" and res.n_total == ref["n"]
        assert float(res.pvalue) == pytest.approx(ref[alternative], rel=1e-12)
        assert float(res.statistic) == pytest.approx(ref["observed"], rel=1e-12, abs=1e-12)
    res = permutation_test((x, y), name, strata=sx + sy, two_sided="deviation")
    assert float(res.pvalue) == pytest.approx(ref["deviation"], rel=1e-12)
    assert isinstance(res.pvalue, np.float64) and isinstance(res.pvalue_fraction, Fraction)


def test_spread_decimals_take_the_walk_path() -> None:
    # 7-decimal data make integer scores too spread for the shift table: walked per stratum.
    x = [0.1234567, 2.7182818, 1.4142136, 3.1415927]
    y = [0.5772157, 1.6180340, 2.2360680, 0.6931472, 1.7320508]
    sx, sy = [0, 0, 1, 1], [0, 1, 1, 0, 0]
    for alternative in ("less", "greater", "two-sided"):
        res = permutation_test((x, y), "mean_diff", strata=(sx, sy), alternative=alternative)
        ref = brute_force("mean_diff", x, y, sx, sy)
        assert float(res.pvalue) == pytest.approx(ref[alternative], rel=1e-12)


def test_one_stratum_is_the_unstratified_test() -> None:
    x, y = [3.1, 4.0, 1.2, 5.5, 2.0], [0.3, 2.2, 1.9, 4.0, 0.5, 1.0]
    for name in ("sum", "mean_diff", "rank_sum"):
        for alternative in ("less", "greater", "two-sided"):
            a = permutation_test((x, y), name, strata=[0] * 11, alternative=alternative)
            b = permutation_test((x, y), name, alternative=alternative)
            assert a.pvalue_fraction == b.pvalue_fraction
            assert float(a.statistic) == pytest.approx(float(b.statistic))


def test_binary_outcome_single_stratum_is_fisher() -> None:
    # 0/1 responses: the "sum" test in one stratum is Fisher's one-sided test.
    x, y = [1, 1, 1, 0, 1, 1], [0, 1, 0, 0, 0, 1, 0]
    table = [[sum(x), len(x) - sum(x)], [sum(y), len(y) - sum(y)]]
    for alternative in ("less", "greater"):
        res = permutation_test((x, y), "sum", strata=[0] * 13, alternative=alternative)
        ref = fisher_exact(table, alternative=alternative)
        assert float(res.pvalue) == pytest.approx(float(ref.pvalue), rel=1e-12)


def test_exact_cmh_on_2x2xk_tables() -> None:
    # Exact conditional test of 2 x 2 x K tables: the law of sum_k a_k is the
    # convolution of hypergeometric laws (independent oracle via scipy.stats.hypergeom).
    tables = [[[2, 1], [0, 3]], [[3, 2], [1, 2]], [[1, 0], [1, 2]]]
    x: list[int] = []
    y: list[int] = []
    sx: list[int] = []
    sy: list[int] = []
    for s, ((a, b), (c, d)) in enumerate(tables):
        x += [1] * a + [0] * b
        y += [1] * c + [0] * d
        sx += [s] * (a + b)
        sy += [s] * (c + d)
    res = permutation_test((x, y), "sum", strata=(sx, sy), alternative="greater")
    observed = sum(t[0][0] for t in tables)
    ref = _cmh_greater(tables, observed)
    assert float(res.pvalue) == pytest.approx(ref, rel=1e-9)


def _cmh_greater(tables: list[list[list[int]]], observed: int) -> float:
    law = {0: 1.0}
    for (a, b), (c, d) in tables:
        h = scipy_stats.hypergeom(a + b + c + d, a + c, a + b)
        new: dict[int, float] = {}
        for k1, p1 in law.items():
            for k2 in range(a + b + 1):
                p2 = float(h.pmf(k2))
                if p2 > 0:
                    new[k1 + k2] = new.get(k1 + k2, 0.0) + p1 * p2
        law = new
    return sum(p for k, p in law.items() if k >= observed)


def test_monte_carlo_is_reproducible_and_thread_independent() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=30).round(2), rng.normal(size=30).round(2)
    sx, sy = rng.integers(0, 4, size=30), rng.integers(0, 4, size=30)
    runs = [
        permutation_test(
            (x, y), "mean_diff", strata=(sx, sy), exact=False, rng=42, n_resamples=5000, workers=w
        )
        for w in (1, 2, None)
    ]
    assert len({r.pvalue_fraction for r in runs}) == 1
    assert runs[0].method == "monte carlo" and runs[0].n_total == 5000
    exact = permutation_test((x, y), "mean_diff", strata=(sx, sy))
    se = math.sqrt(float(exact.pvalue) * (1 - float(exact.pvalue)) / 5000)
    assert abs(float(runs[0].pvalue) - float(exact.pvalue)) < 5 * se + 1e-3


def test_monte_carlo_golden_vector() -> None:
    # Pinned stream (docs/exact_tests.md, "Stratified designs"): an output change is breaking.
    x, y = [3, 5, 1, 4, 6, 2, 7], [2, 1, 4, 0, 3, 2]
    sx, sy = ["a", "a", "b", "b", "c", "c", "c"], ["a", "b", "b", "c", "c", "a"]
    res = permutation_test((x, y), "sum", strata=(sx, sy), exact=False, rng=1, n_resamples=20000)
    assert res.pvalue_fraction == Fraction(3458, 20001)


def test_histogram_null_distribution() -> None:
    x, y = [3, 5, 1, 4], [2, 1, 4, 0, 3]
    res = permutation_test(
        (x, y), "mean_diff", strata=[0, 0, 1, 1, 0, 1, 1, 0, 1], null_distribution="histogram"
    )
    assert (
        int(res.null_distribution.counts.sum()) == res.n_total == math.comb(4, 2) * math.comb(5, 2)
    )
    assert float(res.statistic) in set(np.round(res.null_distribution.values, 12))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"strata": [0, 0, 1, 1, 1, 2, 0]}, ValueError, "strata: stratum 2 has a single"),
        ({"strata": []}, ValueError, "strata: "),
        ({"strata": [0, 1, 0]}, ValueError, "strata: expected one label per observation"),
        ({"strata": [0, 0, 1, np.nan, 1, 1, 0]}, ValueError, "strata: contains NaN"),
        ({"strata": [0, 0, 1, None, 1, 1, 0]}, ValueError, "strata: contains missing"),
        ({"strata": [0] * 7, "statistic": "t"}, ValueError, "statistic: with strata="),
        ({"strata": [0] * 7, "statistic": np.mean}, ValueError, "statistic: with strata="),
        ({"strata": [0] * 7, "null_distribution": "full"}, ValueError, "null_distribution: "),
        ({"strata": [0] * 7, "executor": object()}, ValueError, "executor: "),
        ({"strata": [0] * 7, "batch": 10}, ValueError, "batch: not supported with strata="),
        ({"strata": [0] * 7, "vectorized": True}, ValueError, "vectorized: not supported"),
        ({"strata": [0] * 7, "vectorized": False}, ValueError, "vectorized: not supported"),
        ({"strata": [0] * 7, "progress": True}, ValueError, "progress: not supported"),
        ({"strata": [0] * 7, "alternative": "bigger"}, ValueError, "alternative: "),
        ({"strata": [0] * 7, "exact": False, "n_resamples": np.inf}, ValueError, "n_resamples: "),
    ],
)
def test_bad_input(kwargs: dict[str, Any], error: type, match: str) -> None:
    args = {"statistic": "sum", **kwargs}
    statistic = args.pop("statistic")
    with pytest.raises(error, match=match):
        permutation_test(([1, 2, 3], [4, 5, 6, 7]), statistic, **args)


def test_default_batch_vectorized_progress_are_accepted() -> None:
    # The defaults pass through the strata dispatch and give the same answer as omitting them.
    data, labels = ([1, 2, 3], [4, 5, 6, 7]), [0, 0, 1, 1, 1, 0, 1]
    plain = permutation_test(data, "sum", strata=labels)
    res = permutation_test(data, "sum", strata=labels, batch=None, vectorized=None, progress=False)
    assert res.pvalue_fraction == plain.pvalue_fraction and res.n_total == plain.n_total


def test_bad_data_and_design() -> None:
    with pytest.raises(ValueError, match="strata: supported with permutation_type='independent'"):
        permutation_test(([1, 2], [3, 4]), "sum", permutation_type="samples", strata=[0] * 4)
    with pytest.raises(ValueError, match="data: contains NaN"):
        permutation_test(([1, np.nan], [3, 4]), "sum", strata=[0] * 4)
    with pytest.raises(ValueError, match="data: strata= supports two samples"):
        permutation_test(([1, 2], [3, 4], [5, 6]), "sum", strata=[0] * 6)
    with pytest.raises(ValueError, match="data: strata= needs one-dimensional"):
        permutation_test((np.ones((2, 2)), np.ones((2, 2))), "sum", strata=[0] * 4)
    with pytest.raises(OverflowError, match="strata: no exact law"):
        permutation_test(([1e300, 1.0], [3.0, 2e-300]), "sum", strata=[0] * 4, exact=True)
    with pytest.raises(OverflowError, match="data: values too large"):
        permutation_test(([1e300, 1.0], [3.0, 2e-300]), "sum", strata=[0] * 4)
    res = permutation_test(([1, np.nan, 2], [3, 4]), "sum", strata=[0] * 5, nan_policy="omit")
    assert res.n_total == math.comb(4, 2)
    res = permutation_test(([1, np.nan, 2], [3, 4]), "sum", strata=[0] * 5, nan_policy="propagate")
    assert math.isnan(res.pvalue)
