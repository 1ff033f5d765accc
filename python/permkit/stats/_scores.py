"""Exact integer scores: data scaled to integers, midranks, and exact statistic values.

Every built-in statistic is, for fixed group sizes, a monotone function of an
integer key K of integer scores. Values that involve a square root are kept
as a sign and an exact rational square, so comparisons are exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

#: scipy's relative tie tolerance for floating-point statistics: 100 * float64 eps.
TIE_EPS = Fraction(100, 2**52)
_MAX_DECIMALS = 15


def integer_scores(values: Sequence[np.ndarray]) -> tuple[list[list[int]], Fraction]:
    """Scale all arrays by one common factor to exact integers: (ints per array, scale).

    Integer data keep scale 1; floats that are the nearest doubles of decimals
    with at most 15 digits use 10**-d (so 0.1 + 0.2 ties 0.3, as decimals
    intend); other floats use their exact binary value (scale 2**e).
    """
    arrays = [np.asarray(v) for v in values]
    if all(a.dtype.kind in "iub" for a in arrays):
        return [[int(x) for x in a.tolist()] for a in arrays], Fraction(1)
    flat = np.concatenate([a.astype(np.float64).ravel() for a in arrays])
    for d in range(_MAX_DECIMALS + 1):
        with np.errstate(over="ignore", invalid="ignore"):  # huge values simply fail the test
            scaled = np.round(flat * 10.0**d)
        if np.all(np.abs(scaled) < 2.0**53) and np.array_equal(scaled / 10.0**d, flat):
            ints = [
                [int(x) for x in np.round(a.astype(np.float64) * 10.0**d).tolist()] for a in arrays
            ]
            return ints, Fraction(1, 10**d)
    fractions = [[Fraction(float(x)) for x in a.astype(np.float64).tolist()] for a in arrays]
    denominator = max((f.denominator for row in fractions for f in row), default=1)
    return [[int(f * denominator) for f in row] for row in fractions], Fraction(1, denominator)


def doubled_midranks(values: Sequence[float]) -> list[int]:
    """2 * midrank of each value (1-based ranks; ties share the mean rank)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = i + j + 2  # (i+1 + j+1) = 2 * mean rank
        i = j + 1
    return out


class Signed:
    """sign * sqrt(square): an exact real used to compare statistic values."""

    __slots__ = ("sign", "square")

    def __init__(self, sign: int, square: Fraction | float) -> None:
        self.sign = sign
        self.square = square  # Fraction, or math.inf for an infinite value

    @classmethod
    def of(cls, value: Fraction) -> Signed:
        return cls((value > 0) - (value < 0), value * value)

    def _key(self) -> tuple[int, Fraction | float]:
        return (self.sign, self.sign * self.square)

    def __ge__(self, other: Signed) -> bool:
        return self._key() >= other._key()

    def __le__(self, other: Signed) -> bool:
        return self._key() <= other._key()

    def scaled(self, factor: Fraction) -> Signed:
        """self * factor for factor > 0."""
        if self.square == math.inf:
            return self
        return Signed(self.sign, self.square * factor * factor)


def tolerance_band(observed: Signed) -> tuple[Signed, Signed]:
    """(t - gamma, t + gamma) with gamma = TIE_EPS * |t|, as exact values."""
    if observed.sign == 0 or observed.square == math.inf:
        return observed, observed
    down = 1 - TIE_EPS * observed.sign
    up = 1 + TIE_EPS * observed.sign
    return observed.scaled(down), observed.scaled(up)


def first_at_least(f: Callable[[int], Signed], threshold: Signed, lo: int, hi: int) -> int:
    """Smallest K in [lo, hi] with f(K) >= threshold (f nondecreasing), or hi + 1."""
    if not f(hi) >= threshold:
        return hi + 1
    while lo < hi:
        mid = (lo + hi) // 2
        if f(mid) >= threshold:
            hi = mid
        else:
            lo = mid + 1
    return lo


def last_at_most(f: Callable[[int], Signed], threshold: Signed, lo: int, hi: int) -> int:
    """Largest K in [lo, hi] with f(K) <= threshold (f nondecreasing), or lo - 1."""
    if not f(lo) <= threshold:
        return lo - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if f(mid) <= threshold:
            lo = mid
        else:
            hi = mid - 1
    return lo


def ceil_fraction(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


def floor_fraction(x: Fraction) -> int:
    return x.numerator // x.denominator


def as_signed_ratio(numerator: Fraction, denominator: Fraction, *, square_root: bool) -> Signed:
    """numerator / sqrt(denominator) (square_root) or numerator / denominator, exactly."""
    if denominator == 0:
        if numerator == 0:
            return Signed(0, Fraction(0))
        return Signed(1 if numerator > 0 else -1, math.inf)
    if square_root:
        return Signed((numerator > 0) - (numerator < 0), numerator * numerator / denominator)
    return Signed.of(numerator / denominator)


def optional_int(x: int | None) -> int | None:
    return None if x is None else int(x)
