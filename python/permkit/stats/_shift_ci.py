"""Hodges-Lehmann estimates and exact Wilcoxon confidence intervals: :func:`shift_ci`."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from permkit import _native
from permkit.stats._kernel import SHIFT_MAX_WORDS
from permkit.stats._scores import doubled_midranks, integer_scores

__all__ = ["ConfidenceInterval", "ShiftCIResult", "shift_ci"]

#: R's qwilcox / qsignrank fuzz on the probability (10 double epsilons).
_FUZZ = Fraction(10) * Fraction(2) ** -52
#: Most pairwise differences / Walsh averages the tied-data inversion sorts in memory.
_MAX_CANDIDATES = 1 << 22


class ConfidenceInterval(NamedTuple):
    low: np.float64
    high: np.float64


@dataclass
class ShiftCIResult:
    """The Hodges-Lehmann ``estimate`` and the exact ``confidence_interval``.

    ``achieved_confidence_level`` is the exact coverage of the interval's
    order statistics for continuous data (at least ``confidence_level``
    unless R would warn "requested conf.level not achievable"); NaN for
    data with ties, whose interval comes from test inversion.
    """

    estimate: np.float64
    confidence_interval: ConfidenceInterval
    confidence_level: float
    achieved_confidence_level: float
    method: str


def _quantile(law: list[tuple[int, int]], total: int, p: float) -> int:
    """R's q-function on an integer law: smallest q with P(S <= q) >= p (with R's fuzz)."""
    x = Fraction(p)
    lower = x <= Fraction(1, 2)
    x = x - _FUZZ if lower else 1 - x + _FUZZ
    # cumulative / total >= x  <=>  cumulative * x.denominator >= x.numerator * total
    need = x.numerator * total
    cumulative = 0
    for q, c in law:
        cumulative += c
        if lower and cumulative * x.denominator >= need:
            return q
        if not lower and cumulative * x.denominator > need:
            return law[-1][0] - q
    return law[-1][0] if lower else 0


def _cdf(law: list[tuple[int, int]], total: int, q: int) -> Fraction:
    return Fraction(sum(c for k, c in law if k <= q), total)


def _as_sample(v: Any, name: str) -> np.ndarray:
    a = np.asarray(v)
    if a.dtype.kind == "b":
        a = a.astype(np.int64)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name}: must be real numbers, got dtype {a.dtype}")
    if a.ndim != 1:
        raise ValueError(f"{name}: must be one-dimensional, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name}: needs at least one observation")
    a = a.astype(np.float64)
    if not np.isfinite(a).all():
        raise ValueError(f"{name}: contains NaN or infinity")
    return a


def _tails(law: list[tuple[int, int]], key: int) -> tuple[Fraction, Fraction]:
    """Exact P(K >= key) and P(K <= key) under a law of (key, count) pairs."""
    total = sum(c for _, c in law)
    ge = sum(c for k, c in law if k >= key)
    le = sum(c for k, c in law if k <= key)
    return Fraction(ge, total), Fraction(le, total)


def _rank_sum_tails(xs: list[int], ys: list[int]) -> tuple[Fraction, Fraction]:
    """Exact tails of x's midrank sum over every relabelling of the pooled sample.

    Scores are doubled midranks (integers), so the existing shift algorithm
    gives the conditional law with ties exactly; the smaller group keeps the
    table small (its sum determines the other's).
    """
    scores = doubled_midranks(xs + ys)
    m = len(xs)
    key = sum(scores[:m])
    if m <= len(ys):
        return _tails(_native.shift_distribution("independent", scores, m), key)
    whole = sum(scores)
    law = _native.shift_distribution("independent", scores, len(ys))
    return _tails([(whole - k, c) for k, c in law], key)


def _signed_rank_tails(d: list[int]) -> tuple[Fraction, Fraction]:
    """Exact tails of the signed-rank sum, Pratt's zeros: zeros are ranked, then score 0.

    Pratt's convention (not Wilcoxon's dropping of zeros) keeps the p-value at
    a shift equal to some d_i between its values on either side, so the
    one-sided p-values are monotone in the shift; between candidates there are
    no zeros and the two conventions agree.
    """
    ranks = doubled_midranks([abs(v) for v in d])
    scores = [((v > 0) - (v < 0)) * r for v, r in zip(d, ranks)]
    return _tails(_native.shift_distribution("samples", scores, 0), sum(scores))


def _invert(
    tails: Callable[[int], tuple[Fraction, Fraction]],
    candidates: list[int],
    tail: Fraction,
    alternative: str,
) -> tuple[int | None, int | None, bool]:
    """Infimum and supremum of the shifts whose exact one-sided tests do not reject.

    ``candidates`` are the sorted distinct even integers where the p-values can
    change; the searched points are the candidates and one point inside each
    gap (2K + 1 points, the outer two beyond the extremes). Along them
    P(K >= k(delta)) does not decrease and P(K <= k(delta)) does not increase,
    so each bound is a binary search. A shift is kept when its p-value is at
    least ``tail`` (R's convention and fuzz). Returns (low, high, clamped):
    None for an unbounded side of a one-sided interval; clamped when every
    shift beyond the extreme candidate is kept (bound set to that candidate).
    """
    top = 2 * len(candidates)
    cache: dict[int, tuple[Fraction, Fraction]] = {}

    def at(j: int) -> tuple[Fraction, Fraction]:
        if j not in cache:
            if j == 0:
                t = candidates[0] - 2
            elif j == top:
                t = candidates[-1] + 2
            elif j % 2:
                t = candidates[j // 2]
            else:
                t = (candidates[j // 2 - 1] + candidates[j // 2]) // 2
            cache[j] = tails(t)
        return cache[j]

    keep = tail - _FUZZ
    low = high = None
    clamped = False
    if alternative != "less":
        lo, hi = 0, top  # at the top point the statistic is smallest: P(K >= k) = 1
        while lo < hi:
            mid = (lo + hi) // 2
            if at(mid)[0] >= keep:
                hi = mid
            else:
                lo = mid + 1
        clamped |= lo == 0
        low = candidates[0] if lo == 0 else candidates[(lo - 1) // 2]
    if alternative != "greater":
        lo, hi = 0, top  # at point 0 the statistic is largest: P(K <= k) = 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if at(mid)[1] >= keep:
                lo = mid
            else:
                hi = mid - 1
        clamped |= lo == top
        high = candidates[-1] if lo == top else candidates[lo // 2]
    return low, high, clamped


def _check_table(permutation_type: str, size: int, group: int, names: str) -> None:
    """OverflowError unless the shift table fits for every pattern of doubled midranks.

    Doubled midranks of n values lie in [2, 2n] and sum to n(n + 1); the
    table grows with the spread (two samples) or the sum (sign flips) over
    their common divisor, so the worst case is that range, or that sum, with
    divisor 1.
    """
    if permutation_type == "independent":
        worst = [2, 3] + [2 * size] * (size - 2)
    else:
        worst = [1] + [2] * (size - 2) + [size * (size + 1) - 2 * size + 3] if size > 1 else [2]
    words = _native.shift_table_words(permutation_type, worst, group)
    if words is None or words > SHIFT_MAX_WORDS:
        raise OverflowError(
            f"{names}: {size} observations are too large for the exact interval's law"
        )


def _tied_interval(
    a: np.ndarray, b: np.ndarray | None, two_sample: bool, tail: float, alternative: str
) -> tuple[float, float, bool] | None:
    """Exact interval by test inversion with midranks, or None when the data have no ties.

    Data are scaled to exact integers (as permutation_test does), doubled
    (two samples) or quadrupled (one sample) so that every candidate shift
    and every midpoint between two candidates is an integer. Limits are
    checked before the candidates are formed.
    """
    tails: Callable[[int], tuple[Fraction, Fraction]]
    if two_sample:
        assert b is not None
        (ix, iy), scale = integer_scores([a, b])
        if len(set(ix + iy)) == len(ix) + len(iy):
            return None
        count = len(ix) * len(iy)
        if count > _MAX_CANDIDATES:
            raise OverflowError(
                f"x, y: {count} pairwise differences with ties exceed {_MAX_CANDIDATES}"
            )
        _check_table("independent", len(ix) + len(iy), min(len(ix), len(iy)), "x, y")
        factor = 2
        candidates = sorted({2 * (u - v) for u in ix for v in iy})
        xs2, ys2 = [2 * u for u in ix], [2 * v for v in iy]

        def tails(t: int) -> tuple[Fraction, Fraction]:
            return _rank_sum_tails([u - t for u in xs2], ys2)

    else:
        ints, scale = integer_scores([a] if b is None else [a, b])
        d = ints[0] if b is None else [u - v for u, v in zip(ints[0], ints[1])]
        if 0 not in d and len({abs(v) for v in d}) == len(d):
            return None
        count = len(d) * (len(d) + 1) // 2
        if count > _MAX_CANDIDATES:
            raise OverflowError(f"x: {count} Walsh averages with ties exceed {_MAX_CANDIDATES}")
        _check_table("samples", len(d), 0, "x")
        factor = 4
        candidates = sorted({2 * (u + v) for i, u in enumerate(d) for v in d[i:]})
        d4 = [4 * v for v in d]

        def tails(t: int) -> tuple[Fraction, Fraction]:
            return _signed_rank_tails([v - t for v in d4])

    low, high, clamped = _invert(tails, candidates, Fraction(tail), alternative)

    def value(c: int | None, unbounded: float) -> float:
        return unbounded if c is None else float(Fraction(c, factor) * scale)

    return value(low, -math.inf), value(high, math.inf), clamped


def _tied_result(
    a: np.ndarray,
    b: np.ndarray | None,
    paired: bool,
    interval: tuple[float, float, bool],
    confidence_level: float,
) -> ShiftCIResult:
    low, high, clamped = interval
    if b is not None and not paired:
        xs, ys = np.sort(a).tolist(), np.sort(b).tolist()
        count = len(xs) * len(ys)
        middle = (
            _native.kth_difference(xs, ys, (count + 1) // 2)
            + _native.kth_difference(xs, ys, count // 2 + 1)
        ) / 2
        method = "two-sample"
    else:
        ds = np.sort(a - b if b is not None else a).tolist()
        count = len(ds) * (len(ds) + 1) // 2
        middle = (
            _native.kth_walsh(ds, (count + 1) // 2) + _native.kth_walsh(ds, count // 2 + 1)
        ) / 2
        method = "paired" if paired else "one-sample"
    if clamped:
        warnings.warn(
            f"confidence_level: {confidence_level} is not achievable with these data; "
            "the interval is cut at the extreme difference",
            RuntimeWarning,
            stacklevel=3,
        )
    return ShiftCIResult(
        estimate=np.float64(middle),
        confidence_interval=ConfidenceInterval(np.float64(low), np.float64(high)),
        confidence_level=confidence_level,
        achieved_confidence_level=math.nan,
        method=method + " (ties: test inversion)",
    )


def shift_ci(
    x: Any,
    y: Any = None,
    confidence_level: float = 0.95,
    *,
    paired: bool = False,
    alternative: str = "two-sided",
) -> ShiftCIResult:
    """Hodges-Lehmann estimate and exact confidence interval by inverting the Wilcoxon test.

    Two samples (``y`` given, ``paired=False``): the shift of x against y,
    estimated by the median of the m*n differences x_i - y_j; the interval
    is [D_(k), D_(mn+1-k)] with k from the exact Mann-Whitney law (R's
    ``wilcox.test(x, y, conf.int=TRUE, exact=TRUE)``). One sample (``y``
    None) or ``paired=True`` (d = x - y): the pseudo-median, i.e. the
    median of the Walsh averages (d_i + d_j) / 2, i <= j, with k from the
    exact signed-rank law. One-sided alternatives give a half-infinite
    interval, as R does. The interval is the set of shifts the exact test
    does not reject; without ties its order statistics are selected in Rust
    from exactly computed differences without forming all m*n of them, and
    ``achieved_confidence_level`` is its exact coverage.

    With ties (in the pooled sample; among ``|d|``, or zeros, for one sample),
    where R switches to a normal approximation, the interval comes from test
    inversion: the closure of the set of shifts delta whose exact tests of
    "shift = delta" on midranks (rank sum of x - delta vs y; signed ranks of
    d - delta, zeros ranked then scored 0: Pratt's convention) keep the null at
    alpha / 2 each side (alpha one-sided), each p-value exact from the
    conditional permutation law (shift algorithm on doubled midranks).
    ``method`` then ends in "(ties: test inversion)" and
    ``achieved_confidence_level`` is NaN (the conditional law depends on the
    shift). See docs/exact_tests.md for the closure and boundary rules.

    >>> from permkit.stats import shift_ci
    >>> res = shift_ci([3, 5, 5, 6, 7, 7, 8], [2, 3, 3, 4, 5, 6])  # ties
    >>> float(res.estimate), [float(v) for v in res.confidence_interval], res.method
    (2.0, [0.0, 4.0], 'two-sample (ties: test inversion)')
    >>> res = shift_ci([0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46],
    ...                [1.15, 0.88, 0.9, 0.74, 1.21])
    >>> round(float(res.estimate), 3), [round(float(v), 2) for v in res.confidence_interval]
    (0.305, [-0.15, 0.76])
    """
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(
            f"alternative: must be 'two-sided', 'less' or 'greater', got {alternative!r}"
        )
    if (
        isinstance(confidence_level, bool)
        or not isinstance(confidence_level, (int, float, np.integer, np.floating))
        or not 0 < confidence_level < 1
    ):
        raise ValueError(f"confidence_level: must be a number in (0, 1), got {confidence_level!r}")
    if paired not in (True, False):
        raise ValueError(f"paired: must be True or False, got {paired!r}")
    a = _as_sample(x, "x")
    if paired and y is None:
        raise ValueError("y: paired=True needs a second sample")
    b = None if y is None else _as_sample(y, "y")
    if paired and b is not None and len(a) != len(b):
        raise ValueError(f"y: paired samples need equal lengths, got {len(a)} and {len(b)}")
    alpha = 1 - float(confidence_level)
    tail = alpha / 2 if alternative == "two-sided" else alpha
    tied = _tied_interval(a, b, b is not None and not paired, tail, alternative)
    if tied is not None:
        return _tied_result(a, b, paired, tied, float(confidence_level))
    if b is not None and not paired:
        m, n = len(a), len(b)
        ranks = list(range(1, m + n + 1))
        # U and mn - U have one law: the smaller sample keeps the table small.
        small = min(m, n)
        words = _native.shift_table_words("independent", ranks, small)
        if words is None or words > SHIFT_MAX_WORDS:
            raise OverflowError(
                f"x, y: samples of {m} and {n} are too large for the exact interval's law"
            )
        shift = small * (small + 1) // 2  # rank sum W = U + k(k+1)/2
        law = [(w - shift, c) for w, c in _native.shift_distribution("independent", ranks, small)]
        count = m * n
        xs, ys = np.sort(a).tolist(), np.sort(b).tolist()

        def kth(k: int) -> float:
            return _native.kth_difference(xs, ys, k)

        method = "two-sample"
    else:
        d = a - b if b is not None else a
        n = len(d)
        words = _native.shift_table_words("samples", list(range(1, n + 1)), 0)
        if words is None or words > SHIFT_MAX_WORDS:
            raise OverflowError(f"x: {n} observations are too large for the exact interval's law")
        count = n * (n + 1) // 2
        # Signed sum K = 2V - count, V the sum of positive ranks.
        law = [
            ((k + count) // 2, c)
            for k, c in _native.shift_distribution("samples", list(range(1, n + 1)), 0)
        ]
        ds = np.sort(d).tolist()

        def kth(k: int) -> float:
            return _native.kth_walsh(ds, k)

        method = "paired" if paired else "one-sample"
    total = sum(c for _, c in law)
    qu = max(_quantile(law, total, tail), 1)
    ql = count - qu
    achieved = _cdf(law, total, qu - 1) * (2 if alternative == "two-sided" else 1)
    low = kth(qu) if alternative != "less" else -math.inf
    high = kth(ql + 1) if alternative != "greater" else math.inf
    if float(achieved) - alpha > alpha / 2:
        warnings.warn(
            f"confidence_level: {confidence_level} is not achievable with these sample sizes; "
            f"the interval's exact level is {1 - float(achieved):.4g}",
            RuntimeWarning,
            stacklevel=2,
        )
    middle = (kth((count + 1) // 2) + kth(count // 2 + 1)) / 2
    return ShiftCIResult(
        estimate=np.float64(middle),
        confidence_interval=ConfidenceInterval(np.float64(low), np.float64(high)),
        confidence_level=float(confidence_level),
        achieved_confidence_level=1 - float(achieved),
        method=method,
    )
