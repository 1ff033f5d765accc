"""permkit.stats.shift_ci: brute force of R's exact algorithm, test inversion via scipy."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from permkit.stats import shift_ci

scipy_stats = pytest.importorskip("scipy.stats")


def _r_quantile(values: list[int], p: float) -> int:
    """R's qwilcox/qsignrank on a list of equally likely statistic values."""
    counts = np.bincount(values)
    total = len(values)
    eps = 10 * np.finfo(float).eps
    cumulative = 0.0
    if p <= 0.5:
        for q, c in enumerate(counts):
            cumulative += c / total
            if cumulative >= p - eps:
                return q
    top = len(counts) - 1
    for q, c in enumerate(counts):
        cumulative += c / total
        if cumulative > 1 - p + eps:
            return top - q
    return 0


def brute_force(
    x: list[float], y: list[float] | None, paired: bool, level: float, alternative: str
) -> tuple[float, float, float]:
    a = np.asarray(x, dtype=float)
    if y is not None and not paired:
        b = np.asarray(y, dtype=float)
        m, n = len(a), len(b)
        diffs = np.sort(np.subtract.outer(a, b).ravel())
        # Mann-Whitney U over every split of the ranks 1..m+n.
        values = [sum(c) - m * (m + 1) // 2 for c in itertools.combinations(range(1, m + n + 1), m)]
    else:
        d = a - np.asarray(y, dtype=float) if y is not None else a
        n = len(d)
        diffs = np.sort(np.array([(d[i] + d[j]) / 2 for i in range(n) for j in range(i, n)]))
        values = [
            sum(r for r, s in zip(range(1, n + 1), signs) if s)
            for signs in itertools.product((0, 1), repeat=n)
        ]
    alpha = 1 - level
    count = len(diffs)
    qu = max(_r_quantile(values, alpha / 2 if alternative == "two-sided" else alpha), 1)
    low = diffs[qu - 1] if alternative != "less" else -math.inf
    high = diffs[count - qu] if alternative != "greater" else math.inf
    return float(np.median(diffs)), float(low), float(high)


values = st.one_of(
    st.integers(-5, 5).map(float), st.floats(-10, 10, allow_nan=False).map(lambda v: round(v, 2))
)


@pytest.mark.filterwarnings("ignore:confidence_level:RuntimeWarning")
@settings(max_examples=80, deadline=None)
@given(
    st.lists(values, min_size=1, max_size=7),
    st.lists(values, min_size=1, max_size=6),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    st.sampled_from(["two-sided", "less", "greater"]),
)
def test_two_sample_matches_brute_force(
    x: list[float], y: list[float], level: float, alternative: str
) -> None:
    # R's order-statistic rule is exact without ties (with ties: tests/test_shift_ci_ties.py).
    assume(len(set(x + y)) == len(x + y))
    res = shift_ci(x, y, level, alternative=alternative)
    est, low, high = brute_force(x, y, False, level, alternative)
    assert float(res.estimate) == pytest.approx(est, rel=1e-15, abs=1e-15)
    assert (float(res.confidence_interval.low), float(res.confidence_interval.high)) == (low, high)
    assert isinstance(res.estimate, np.float64)


@pytest.mark.filterwarnings("ignore:confidence_level:RuntimeWarning")
@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(values, values), min_size=1, max_size=9),
    st.sampled_from([0.8, 0.9, 0.95]),
    st.sampled_from(["two-sided", "less", "greater"]),
)
def test_paired_and_one_sample_match_brute_force(
    pairs: list[tuple[float, float]], level: float, alternative: str
) -> None:
    x, y = [p[0] for p in pairs], [p[1] for p in pairs]
    # Without zeros or ties among |d| (as decimals), R's order-statistic rule is exact.
    d = {abs(round(u - v, 2)) for u, v in pairs}
    if 0 not in d and len(d) == len(pairs):
        res = shift_ci(x, y, level, paired=True, alternative=alternative)
        est, low, high = brute_force(x, y, True, level, alternative)
        assert float(res.estimate) == pytest.approx(est, rel=1e-15, abs=1e-15)
        assert (float(res.confidence_interval.low), float(res.confidence_interval.high)) == (
            low,
            high,
        )
    assume(0 not in x and len({abs(v) for v in x}) == len(x))
    one = shift_ci(x, None, level, alternative=alternative)
    est, low, high = brute_force(x, None, False, level, alternative)
    assert (float(one.confidence_interval.low), float(one.confidence_interval.high)) == (low, high)


def test_r_known_answer_paired() -> None:
    # R ?wilcox.test (Hollander & Wolfe depression data):
    # wilcox.test(x, y, paired = TRUE, alternative = "greater", conf.int = TRUE)
    # -> 95 percent confidence interval 0.175 Inf; (pseudo)median 0.46.
    x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    res = shift_ci(x, y, paired=True, alternative="greater")
    assert float(res.estimate) == pytest.approx(0.46)
    assert float(res.confidence_interval.low) == pytest.approx(0.175)
    assert res.confidence_interval.high == math.inf


def test_interval_inverts_scipys_exact_mann_whitney_test() -> None:
    # Shifts just outside the interval are rejected by scipy's exact test, just inside are not.
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=8) + 1, rng.normal(size=7)
    res = shift_ci(x, y, 0.9)
    diffs = np.sort(np.subtract.outer(x, y).ravel())
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    i, j = int(np.searchsorted(diffs, low)), int(np.searchsorted(diffs, high))

    def p(shift: float, alternative: str) -> float:
        return float(
            scipy_stats.mannwhitneyu(x - shift, y, alternative=alternative, method="exact").pvalue
        )

    assert p((diffs[i - 1] + diffs[i]) / 2, "greater") <= 0.05
    assert p((diffs[i] + diffs[i + 1]) / 2, "greater") > 0.05
    assert p((diffs[j] + diffs[j + 1]) / 2, "less") <= 0.05
    assert p((diffs[j - 1] + diffs[j]) / 2, "less") > 0.05
    assert res.achieved_confidence_level >= 0.9


def test_large_samples_do_not_form_all_differences() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=3000) + 0.5, rng.normal(size=3000)
    with pytest.raises(OverflowError, match="x, y: "):
        shift_ci(x, y)
    res = shift_ci(x[:120], y[:100])
    assert res.confidence_interval.low < res.estimate < res.confidence_interval.high


def test_unachievable_level_warns() -> None:
    with pytest.warns(RuntimeWarning, match="confidence_level: "):
        res = shift_ci([1.0, 2.0], [0.5, 3.0], 0.99)
    assert res.achieved_confidence_level < 0.99


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([], [1.0]), {}, ValueError, "x: needs at least one"),
        (([1.0, np.nan], [1.0]), {}, ValueError, "x: contains NaN"),
        (([1.0], [np.inf]), {}, ValueError, "y: contains NaN"),
        (([1.0], [1.0]), {"confidence_level": 1.0}, ValueError, "confidence_level: "),
        (([1.0], [1.0]), {"confidence_level": 0}, ValueError, "confidence_level: "),
        (([1.0], [1.0]), {"confidence_level": "high"}, ValueError, "confidence_level: "),
        (([1.0], [1.0]), {"alternative": "up"}, ValueError, "alternative: "),
        (([1.0, 2.0], [1.0]), {"paired": True}, ValueError, "y: paired samples"),
        (([1.0, 2.0],), {"paired": True}, ValueError, "y: paired=True"),
        (([[1.0, 2.0]], [1.0]), {}, ValueError, "x: must be one-dimensional"),
        ((["a"], [1.0]), {}, TypeError, "x: must be real"),
    ],
)
def test_bad_input(args: tuple[Any, ...], kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        shift_ci(*args, **kwargs)
