"""Built-in statistics: integer-score plans for the Rust kernels, and numpy
versions (used for welch_t, for data too wide for 128-bit sums, and as
documentation of each definition)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Literal, cast

import numpy as np
import numpy.typing as npt

from permkit.stats._kernel import KeyPlan, Thresholds, WelchBound, WelchPlan
from permkit.stats._scores import (
    TIE_EPS,
    Signed,
    as_signed_ratio,
    ceil_fraction,
    doubled_midranks,
    first_at_least,
    floor_fraction,
    integer_scores,
    last_at_most,
    tolerance_band,
)

BUILTINS = {
    "independent": ("mean_diff", "sum", "t", "welch_t", "rank_sum", "f"),
    "samples": ("mean", "sum", "signed_rank", "friedman", "page"),
    "pairings": ("pearson", "spearman", "sum_product"),
}

#: A sample or a statistic's values: any real dtype (ints stay ints until a mean is taken).
Array = npt.NDArray[Any]
#: What a numpy statistic returns: a numpy scalar for 1-D samples, else an array (numpy
#: types its reductions as returning Any, so no narrower type is checkable).
Values = Any


@dataclass
class Plan:
    """One exact test on integer scores: what the Rust kernel needs, and how to read it.

    ``kernel``: "tally" (the exact-test engine on ``key_plan()``), "welch" (Welch t
    classified exactly) or "blocks" (the blocks dynamic programming; ``scores`` are
    the rows)."""

    permutation_type: str
    scores: list[int] | list[list[int]]
    sizes: list[int]
    weights: list[int] | None
    partner: list[int] | None
    key0: int
    ge: int
    le: int
    deviation: tuple[int, int, int, int] | None
    observed: float
    values_of_keys: Callable[[Array], Values]
    kernel: Literal["tally", "welch", "blocks"] = "tally"
    #: integer scores for the shift algorithm (group-1 sum / signed sum), else None
    shift_scores: list[int] | None = None
    #: Welch t thresholds ((sign, num, den) for t - gamma and t + gamma), kernel "welch"
    welch: tuple[WelchBound, WelchBound] | None = None

    def key_plan(self, deviation: bool) -> KeyPlan:
        """The key and p-value rule for the Rust tally (with the deviation rule or not)."""
        return KeyPlan(
            self.permutation_type,
            cast("list[int]", self.scores),
            self.sizes,
            self.weights,
            self.partner,
            Thresholds(self.ge, self.le, self.deviation if deviation else None),
        )

    def welch_plan(self) -> WelchPlan:
        assert self.welch is not None, "welch_plan needs a Welch plan"
        low, high = self.welch
        return WelchPlan(cast("list[int]", self.scores), self.sizes[0], low, high)


def _midranks(a: np.ndarray) -> np.ndarray:
    """Midranks (1-based, ties averaged) along the last axis, vectorized."""
    n = a.shape[-1]
    order = np.argsort(a, axis=-1, kind="stable")
    s = np.take_along_axis(a, order, axis=-1)
    idx = np.broadcast_to(np.arange(n), s.shape)
    starts = np.ones(s.shape, dtype=bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    ends = np.ones(s.shape, dtype=bool)
    ends[..., :-1] = starts[..., 1:]
    first = np.maximum.accumulate(np.where(starts, idx, 0), axis=-1)
    last = np.flip(
        np.minimum.accumulate(np.flip(np.where(ends, idx, n), axis=-1), axis=-1), axis=-1
    )
    ranks = np.empty(s.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, (first + last) / 2 + 1, axis=-1)
    return ranks


def numpy_statistic(name: str, permutation_type: str, k: int) -> Callable[..., Values]:
    """The float64 numpy version of a built-in statistic, vectorized along ``axis``."""

    def mean_diff(x: Array, y: Array, axis: int = -1) -> Values:
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    def total(*samples: Array, axis: int = -1) -> Values:
        if permutation_type == "samples":
            return np.sum(_difference(samples), axis=axis)
        return np.sum(samples[0], axis=axis)

    def mean(*samples: Array, axis: int = -1) -> Values:
        return np.mean(_difference(samples), axis=axis)

    def pooled_t(x: Array, y: Array, axis: int = -1) -> Values:
        n1, n2 = x.shape[axis], y.shape[axis]
        ss = np.var(x, axis=axis) * n1 + np.var(y, axis=axis) * n2
        sp2 = ss / (n1 + n2 - 2)
        return (np.mean(x, axis=axis) - np.mean(y, axis=axis)) / np.sqrt(sp2 * (1 / n1 + 1 / n2))

    def welch_t(x: Array, y: Array, axis: int = -1) -> Values:
        n1, n2 = x.shape[axis], y.shape[axis]
        v = np.var(x, axis=axis, ddof=1) / n1 + np.var(y, axis=axis, ddof=1) / n2
        return (np.mean(x, axis=axis) - np.mean(y, axis=axis)) / np.sqrt(v)

    def rank_sum(x: Array, y: Array, axis: int = -1) -> Values:
        x, y = np.moveaxis(x, axis, -1), np.moveaxis(y, axis, -1)
        ranks = _midranks(np.concatenate([x, y], axis=-1))
        return np.sum(ranks[..., : x.shape[-1]], axis=-1)

    def f_oneway(*samples: Array, axis: int = -1) -> Values:
        moved = [np.moveaxis(s, axis, -1) for s in samples]
        pooled = np.concatenate(moved, axis=-1)
        grand = np.mean(pooled, axis=-1)
        between = sum(s.shape[-1] * (np.mean(s, axis=-1) - grand) ** 2 for s in moved)
        within = sum(np.sum((s - np.mean(s, axis=-1, keepdims=True)) ** 2, axis=-1) for s in moved)
        n, k = pooled.shape[-1], len(moved)
        return (between / (k - 1)) / (within / (n - k))

    def signed_rank(*samples: Array, axis: int = -1) -> Values:
        d = np.moveaxis(_difference(samples), axis, -1)
        # Zeros are dropped (scipy's zero_method='wilcox'): they rank first, so subtract their count.
        zeros = np.sum(d == 0, axis=-1, keepdims=True)
        ranks = _midranks(np.abs(d)) - zeros
        return np.sum(np.where(d > 0, ranks, 0.0), axis=-1)

    def block_rank_sums(samples: Sequence[Array], axis: int) -> Values:
        """Per-sample sums of within-block midranks (blocks: positions along axis)."""
        stacked = np.stack([np.moveaxis(s, axis, -1) for s in samples], axis=-1)
        return np.sum(_midranks(stacked), axis=-2)

    def friedman(*samples: Array, axis: int = -1) -> Values:
        stacked = np.stack([np.moveaxis(s, axis, -1) for s in samples], axis=-1)
        n, k = stacked.shape[-2], stacked.shape[-1]
        ranks = _midranks(stacked)
        sums = np.sum(ranks, axis=-2)
        # Tie correction: sum over blocks of sum over tie groups of t^3 - t, from the ranks.
        ties = np.sum(_tie_cubes(np.sort(stacked, axis=-1)), axis=-1)
        c = 1 - ties / (k * (k * k - 1) * n)
        return (12.0 / (k * n * (k + 1)) * np.sum(sums**2, axis=-1) - 3 * n * (k + 1)) / c

    def page(*samples: Array, axis: int = -1) -> Values:
        sums = block_rank_sums(samples, axis)
        return np.sum(sums * np.arange(1, len(samples) + 1), axis=-1)

    def sum_product(x: Array, y: Array, axis: int = -1) -> Values:
        return np.sum(x * y, axis=axis)

    def pearson(x: Array, y: Array, axis: int = -1) -> Values:
        x, y = np.moveaxis(x, axis, -1), np.moveaxis(y, axis, -1)
        xm = x - np.mean(x, axis=-1, keepdims=True)
        ym = y - np.mean(y, axis=-1, keepdims=True)
        return np.sum(xm * ym, axis=-1) / np.sqrt(
            np.sum(xm * xm, axis=-1) * np.sum(ym * ym, axis=-1)
        )

    def spearman(x: Array, y: Array, axis: int = -1) -> Values:
        x, y = np.moveaxis(x, axis, -1), np.moveaxis(y, axis, -1)
        return pearson(_midranks(x), _midranks(y))

    table: dict[tuple[str, str], Callable[..., Values]] = {
        ("independent", "mean_diff"): mean_diff,
        ("independent", "sum"): total,
        ("independent", "t"): pooled_t,
        ("independent", "welch_t"): welch_t,
        ("independent", "rank_sum"): rank_sum,
        ("independent", "f"): f_oneway,
        ("samples", "mean"): mean,
        ("samples", "sum"): total,
        ("samples", "signed_rank"): signed_rank,
        ("samples", "friedman"): friedman,
        ("samples", "page"): page,
        ("pairings", "pearson"): pearson,
        ("pairings", "spearman"): spearman,
        ("pairings", "sum_product"): sum_product,
    }
    chosen = table[(permutation_type, name)]

    def quiet(*samples: Array, axis: int = -1) -> Values:
        # Zero variances give inf/nan statistics, as in scipy, without warnings.
        with np.errstate(divide="ignore", invalid="ignore"):
            return chosen(*samples, axis=axis)

    return quiet


def _tie_cubes(sorted_rows: Array) -> Values:
    """Per row (last axis sorted): sum over tie groups of t^3 - t."""
    k = sorted_rows.shape[-1]
    starts = np.ones(sorted_rows.shape, dtype=bool)
    starts[..., 1:] = sorted_rows[..., 1:] != sorted_rows[..., :-1]
    group = np.cumsum(starts, axis=-1)
    sizes = np.stack([np.sum(group == g, axis=-1) for g in range(1, k + 1)], axis=-1)
    return np.sum(sizes.astype(np.float64) ** 3 - sizes, axis=-1)


def _difference(samples: Sequence[Array]) -> Array:
    return samples[0] if len(samples) == 1 else samples[0] - samples[1]


def check_builtin(name: str, permutation_type: str, k: int) -> None:
    allowed = BUILTINS[permutation_type]
    if name not in allowed:
        raise ValueError(
            f"statistic: {name!r} is not a built-in for permutation_type={permutation_type!r}; choose one of {allowed} or pass a callable"
        )
    if permutation_type == "independent" and name != "f" and k != 2:
        raise ValueError(
            f"statistic: {name!r} compares exactly 2 samples, got {k}; use 'f' for k > 2 samples"
        )
    if permutation_type == "samples" and name in ("friedman", "page") and k < 3:
        raise ValueError(
            f"statistic: {name!r} compares 3 or more samples (blocks relabelled within), got {k}"
        )
    if permutation_type == "samples" and name not in ("friedman", "page") and k > 2:
        raise ValueError(
            f"statistic: {name!r} takes 1 or 2 samples for permutation_type='samples', got {k}; "
            "use 'friedman' or 'page' for more"
        )
    if permutation_type == "pairings" and k != 2:
        raise ValueError(
            f"statistic: {name!r} needs exactly 2 samples for permutation_type='pairings', got {k}"
        )


def _thresholds(f: Callable[[int], Signed], key0: int, lo: int, hi: int) -> tuple[int, int]:
    low, high = tolerance_band(f(key0))
    return first_at_least(f, low, lo, hi), last_at_most(f, high, lo, hi)


def _deviation(scale: int, center: int, key0: int) -> tuple[int, int, int, int]:
    d0 = abs(scale * key0 - center)
    return (scale, center, ceil_fraction(d0 * (1 - TIE_EPS)), floor_fraction(d0 * (1 + TIE_EPS)))


def plan(name: str, permutation_type: str, samples: list[np.ndarray], deviation: bool) -> Plan:
    """The integer-score plan for a built-in on 1-D samples."""
    if name == "welch_t":
        return _plan_welch(samples)
    if permutation_type == "independent" and name == "f":
        return _plan_f(samples, deviation)
    if permutation_type == "independent":
        return _plan_two_sample(name, samples)
    if permutation_type == "samples" and name in ("friedman", "page"):
        return _plan_blocks(name, samples, deviation)
    if permutation_type == "samples":
        return _plan_paired(name, samples)
    return _plan_pairings(name, samples)


def _plan_two_sample(name: str, samples: Sequence[Array]) -> Plan:
    x, y = samples
    n1, n2 = len(x), len(y)
    n = n1 + n2
    (ix, iy), scale = integer_scores([x, y])
    v = ix + iy
    if name == "rank_sum":
        v = doubled_midranks(v)
        scale = Fraction(1, 2)
    s, q = sum(v), sum(a * a for a in v)
    ordered = sorted(v)
    lo, hi = sum(ordered[:n1]), sum(ordered[n - n1 :])
    key0 = sum(v[:n1])
    stat = numpy_statistic(name, "independent", 2)
    if name in ("sum", "rank_sum"):
        f = lambda k: Signed.of(Fraction(k))  # noqa: E731
        fscale = float(scale)
        values = lambda k: k * fscale  # noqa: E731
    elif name == "mean_diff":
        f = lambda k: Signed.of(Fraction(k, n1) - Fraction(s - k, n2))  # noqa: E731
        fscale = float(scale)
        values = lambda k: (k / n1 - (s - k) / n2) * fscale  # noqa: E731
    else:  # pooled t

        def f(k: int) -> Signed:
            d = Fraction(k, n1) - Fraction(s - k, n2)
            within = q - Fraction(k * k, n1) - Fraction((s - k) ** 2, n2)
            return as_signed_ratio(d, within / (n - 2) * Fraction(n, n1 * n2), square_root=True)

        def values(k: Array) -> Values:
            d = k / n1 - (s - k) / n2
            within = q - k * k / n1 - (s - k) ** 2 / n2
            with np.errstate(divide="ignore", invalid="ignore"):
                return d / np.sqrt(np.maximum(within, 0) / (n - 2) * (n / (n1 * n2)))

    ge, le = _thresholds(f, key0, lo, hi)
    return Plan(
        permutation_type="independent",
        scores=v,
        sizes=[n1, n2],
        weights=None,
        partner=None,
        key0=key0,
        ge=ge,
        le=le,
        # t is not linear in the key: its deviation is taken on t values (see _builtin_slice).
        deviation=None if name == "t" else _deviation(n, n1 * s, key0),
        observed=float(stat(x, y)),
        values_of_keys=values,
        shift_scores=v,
    )


def _plan_welch(samples: Sequence[Array]) -> Plan:
    """Welch t = sign(A) sqrt(A^2 (n1-1)(n2-1) / B) in exact integers (see core exact/welch.rs)."""
    x, y = samples
    (ix, iy), _ = integer_scores([x, y])
    n1, n2 = len(ix), len(iy)
    v = ix + iy
    s, q = sum(v), sum(a * a for a in v)
    s1, q1 = sum(ix), sum(a * a for a in ix)
    a = n2 * s1 - n1 * (s - s1)
    b = (n1 * q1 - s1 * s1) * n2 * n2 * (n2 - 1) + (n2 * (q - q1) - (s - s1) ** 2) * n1 * n1 * (
        n1 - 1
    )
    sign = (a > 0) - (a < 0)
    num = a * a * (n1 - 1) * (n2 - 1)
    if sign == 0 or b == 0:
        low = high = (sign, num, b)
    else:
        one = 2**52  # TIE_EPS = 100 / 2**52: magnitudes scale by (2**52 -+ 100 * sign) / 2**52
        low = (sign, num * (one - 100 * sign) ** 2, b * one * one)
        high = (sign, num * (one + 100 * sign) ** 2, b * one * one)
    stat = numpy_statistic("welch_t", "independent", 2)
    return Plan(
        permutation_type="independent",
        kernel="welch",
        scores=v,
        sizes=[n1, n2],
        weights=None,
        partner=None,
        key0=0,
        ge=0,
        le=0,
        deviation=None,
        observed=float(stat(x, y)),
        values_of_keys=lambda k: k,
        welch=(low, high),
    )


def _plan_f(samples: Sequence[Array], deviation: bool) -> Plan:
    if deviation:
        raise ValueError(
            "two_sided: 'deviation' is not defined for 'f' (F >= 0 is one-sided); use alternative='greater'"
        )
    ints, _ = integer_scores(samples)
    sizes = [len(a) for a in ints]
    v = [a for row in ints for a in row]
    n, k = len(v), len(sizes)
    big_l = math.lcm(*sizes)
    weights = [big_l // m for m in sizes]
    s, q = sum(v), sum(a * a for a in v)
    key0 = sum(w * sum(row) ** 2 for w, row in zip(weights, ints))

    def f(key: int) -> Signed:
        between = (Fraction(key, big_l) - Fraction(s * s, n)) / (k - 1)
        within = (q - Fraction(key, big_l)) / (n - k)
        return as_signed_ratio(between, within, square_root=False)

    def values(key: Array) -> Values:
        with np.errstate(divide="ignore", invalid="ignore"):
            return ((key / big_l - s * s / n) / (k - 1)) / ((q - key / big_l) / (n - k))

    lo, hi = (big_l * s * s) // n, big_l * q
    ge, le = _thresholds(f, key0, lo, hi)
    stat = numpy_statistic("f", "independent", k)
    return Plan(
        permutation_type="independent",
        scores=v,
        sizes=sizes,
        weights=weights,
        partner=None,
        key0=key0,
        ge=ge,
        le=le,
        deviation=None,
        observed=float(stat(*samples)),
        values_of_keys=values,
    )


def _plan_paired(name: str, samples: Sequence[Array]) -> Plan:
    ints, scale = integer_scores(samples)
    d = ints[0] if len(ints) == 1 else [a - b for a, b in zip(ints[0], ints[1])]
    n = len(d)
    offset = 0
    if name == "signed_rank":
        nonzero = [abs(a) for a in d if a != 0]
        ranks = iter(doubled_midranks(nonzero))
        d = [0 if a == 0 else (1 if a > 0 else -1) * next(ranks) for a in d]
        offset = sum(abs(a) for a in d)  # T+ = (K + offset) / 4
    key0 = sum(d)
    bound = sum(abs(a) for a in d)
    f = lambda k: Signed.of(Fraction(k + offset))  # noqa: E731
    fscale = float(scale)
    if name == "sum":
        values = lambda k: k * fscale  # noqa: E731
    elif name == "mean":
        values = lambda k: k * fscale / n  # noqa: E731
    else:
        values = lambda k: (k + offset) / 4  # noqa: E731
    ge, le = _thresholds(f, key0, -bound, bound)
    stat = numpy_statistic(name, "samples", len(samples))
    return Plan(
        permutation_type="samples",
        scores=d,
        sizes=[n],
        weights=None,
        partner=None,
        key0=key0,
        ge=ge,
        le=le,
        deviation=_deviation(1, 0, key0),
        observed=float(stat(*samples)),
        values_of_keys=values,
        shift_scores=d,
    )


def _plan_pairings(name: str, samples: Sequence[Array]) -> Plan:
    x, y = samples
    if len(x) != len(y):
        raise ValueError(
            f"data: permutation_type='pairings' needs samples of equal length, got {len(x)} and {len(y)}"
        )
    (ix,), sx = integer_scores([x])
    (iy,), sy = integer_scores([y])
    if name == "spearman":
        ix, iy = doubled_midranks(ix), doubled_midranks(iy)
    n = len(ix)
    key0 = sum(a * b for a, b in zip(ix, iy))
    lo = sum(a * b for a, b in zip(sorted(ix), sorted(iy, reverse=True)))
    hi = sum(a * b for a, b in zip(sorted(ix), sorted(iy)))
    sum_x, sum_y = sum(ix), sum(iy)
    if name == "sum_product":
        f = lambda k: Signed.of(Fraction(k))  # noqa: E731
        fscale = float(sx * sy)
        values = lambda k: k * fscale  # noqa: E731
    else:
        spread = (n * sum(a * a for a in ix) - sum_x**2) * (n * sum(b * b for b in iy) - sum_y**2)
        if spread == 0:
            raise ValueError(f"data: {name} correlation is undefined for a constant sample")

        def f(k: int) -> Signed:
            return as_signed_ratio(
                Fraction(n * k - sum_x * sum_y), Fraction(spread), square_root=True
            )

        root = math.sqrt(spread)
        values = lambda k: (n * k - sum_x * sum_y) / root  # noqa: E731
    ge, le = _thresholds(f, key0, lo, hi)
    stat = numpy_statistic(name, "pairings", 2)
    return Plan(
        permutation_type="pairings",
        scores=ix,
        sizes=[n],
        weights=None,
        partner=iy,
        key0=key0,
        ge=ge,
        le=le,
        deviation=_deviation(n, sum_x * sum_y, key0),
        observed=float(stat(x, y)),
        values_of_keys=values,
    )


def _plan_blocks(name: str, samples: list[np.ndarray], deviation: bool) -> Plan:
    """Friedman / Page on within-block doubled midranks; the key is sum_j R_j^2 or sum_j j R_j.

    ``scores`` holds the blocks (n rows of k doubled midranks); the exact
    distribution comes from the core's dynamic programming over blocks.
    """
    k, n = len(samples), len(samples[0])
    columns = [np.asarray(s, dtype=np.float64) for s in samples]
    blocks = [doubled_midranks([float(c[i]) for c in columns]) for i in range(n)]
    sums = [sum(b[j] for b in blocks) for j in range(k)]
    bound = sum(sum(b) for b in blocks) * k
    stat = numpy_statistic(name, "samples", k)
    observed = float(stat(*samples))
    weights: list[int] | None
    if name == "page":
        weights = list(range(1, k + 1))
        key0 = sum(w * r for w, r in zip(weights, sums))
        f = lambda key: Signed.of(Fraction(key, 2))  # noqa: E731
        values = lambda key: key / 2  # noqa: E731
        center = sum(sum(b) for b in blocks) * sum(weights)
        dev = _deviation(k, center, key0)
        lo, hi = 0, bound
    else:
        if deviation:
            raise ValueError(
                "two_sided: 'deviation' is not defined for 'friedman' (chi-square >= 0 is "
                "one-sided); use alternative='greater'"
            )
        weights = None
        key0 = sum(r * r for r in sums)
        ties = 0
        for b in blocks:
            for t in (b.count(v) for v in set(b)):
                ties += t**3 - t
        c = 1 - Fraction(ties, k * (k * k - 1) * n)
        if c == 0:
            raise ValueError("data: 'friedman' is undefined when every block is constant")
        scale = Fraction(12, 4 * k * n * (k + 1))
        base = 3 * n * (k + 1)
        f = lambda key: Signed.of((scale * key - base) / c)  # noqa: E731
        fscale, fbase, fc = float(scale), float(base), float(c)
        values = lambda key: (fscale * key - fbase) / fc  # noqa: E731
        dev = None
        lo, hi = 0, bound * bound
    ge, le = _thresholds(f, key0, lo, hi)
    return Plan(
        permutation_type="samples",
        kernel="blocks",
        scores=blocks,
        sizes=[n] * k,
        weights=weights,
        partner=None,
        key0=key0,
        ge=ge,
        le=le,
        deviation=dev,
        observed=observed,
        values_of_keys=values,
    )
