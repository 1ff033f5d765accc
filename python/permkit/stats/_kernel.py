"""The typed objects the exact-test kernels take, passed whole to the Rust
bindings (which read their attributes) and picklable for executors; and the
kernels' limits, defined in the Rust core and exported as ``_native``
attributes."""

from __future__ import annotations

from dataclasses import dataclass

from permkit import _native

#: Largest shift-algorithm table (u64 words).
SHIFT_MAX_WORDS: int = _native.SHIFT_MAX_WORDS
#: The core's tally chunk: executor ranges are multiples of it when large.
EXACT_CHUNK: int = _native.EXACT_CHUNK
#: Largest null_distribution="full" (bytes), and the bytes each value costs while building.
FULL_NULL_MAX_BYTES: int = _native.FULL_NULL_MAX_BYTES
FULL_NULL_VALUE_BYTES: int = _native.FULL_NULL_VALUE_BYTES


@dataclass(frozen=True)
class Thresholds:
    """The p-value rule on the integer key K: counts of K >= ``ge``, K <= ``le``,
    and with ``deviation`` = (scale, center, at_least, above) of
    |scale*K - center| >= at_least and > above."""

    ge: int
    le: int
    deviation: tuple[int, int, int, int] | None = None


@dataclass(frozen=True)
class KeyPlan:
    """A built-in statistic's key on integer scores (core ``PermutationType::design``):
    "independent" with ``weights`` sums weights[g] * S_g^2 over groups of ``sizes``,
    without them the group-1 sum of two groups; "samples" the signed sum;
    "pairings" sum_i scores[i] * partner[a[i]]."""

    permutation_type: str
    scores: list[int]
    sizes: list[int]
    weights: list[int] | None
    partner: list[int] | None
    rule: Thresholds


#: (sign, numerator, denominator) of a Welch t threshold: sign * sqrt(num / den).
WelchBound = tuple[int, int, int]


@dataclass(frozen=True)
class WelchPlan:
    """Welch t of two groups (the first ``n1`` scores) against exact thresholds."""

    scores: list[int]
    n1: int
    low: WelchBound
    high: WelchBound
