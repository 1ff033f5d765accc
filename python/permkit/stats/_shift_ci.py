"""Hodges-Lehmann estimates and exact Wilcoxon confidence intervals: :func:`shift_ci`."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np

from permkit import _native

__all__ = ["ConfidenceInterval", "ShiftCIResult", "shift_ci"]

#: R's qwilcox / qsignrank fuzz on the probability (10 double epsilons).
_FUZZ = Fraction(10) * Fraction(2) ** -52
#: Largest shift-algorithm table (u64 words), as in the Rust core.
_SHIFT_MAX_WORDS = 1 << 25


class ConfidenceInterval(NamedTuple):
    low: np.float64
    high: np.float64


@dataclass
class ShiftCIResult:
    """The Hodges-Lehmann ``estimate`` and the exact ``confidence_interval``.

    ``achieved_confidence_level`` is the exact coverage of the interval's
    order statistics for continuous data (at least ``confidence_level``
    unless R would warn "requested conf.level not achievable").
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
    does not reject; its order statistics are selected in Rust from exactly
    computed differences without forming all m*n of them. With ties or
    zeros R switches to a normal approximation; permkit keeps this exact,
    distribution-free interval (its coverage is then at least the achieved
    level, conservatively).

    >>> from permkit.stats import shift_ci
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
    if b is not None and not paired:
        m, n = len(a), len(b)
        ranks = list(range(1, m + n + 1))
        # U and mn - U have one law: the smaller sample keeps the table small.
        small = min(m, n)
        words = _native.shift_table_words("two_sample", ranks, small)
        if words is None or words > _SHIFT_MAX_WORDS:
            raise OverflowError(
                f"x, y: samples of {m} and {n} are too large for the exact interval's law"
            )
        shift = small * (small + 1) // 2  # rank sum W = U + k(k+1)/2
        law = [(w - shift, c) for w, c in _native.shift_distribution("two_sample", ranks, small)]
        count = m * n
        xs, ys = np.sort(a).tolist(), np.sort(b).tolist()

        def kth(k: int) -> float:
            return _native.kth_difference(xs, ys, k)

        method = "two-sample"
    else:
        d = a - b if b is not None else a
        n = len(d)
        words = _native.shift_table_words("sign_flip", list(range(1, n + 1)), 0)
        if words is None or words > _SHIFT_MAX_WORDS:
            raise OverflowError(f"x: {n} observations are too large for the exact interval's law")
        count = n * (n + 1) // 2
        # Signed sum K = 2V - count, V the sum of positive ranks.
        law = [
            ((k + count) // 2, c)
            for k, c in _native.shift_distribution("sign_flip", list(range(1, n + 1)), 0)
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
