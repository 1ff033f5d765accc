"""shift_ci with ties: test inversion with midranks against a brute-force oracle."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from permkit.stats import shift_ci
from permkit.stats._shift_ci import _FUZZ, _invert, _rank_sum_tails, _signed_rank_tails

#: Quarter-integer data: every difference, Walsh average and midpoint lies on the 1/16 grid.
quarters = st.integers(-8, 8).map(lambda k: k / 4)
STEP = Fraction(1, 16)


def _midrank(v: Fraction, pool: list[Fraction]) -> Fraction:
    return sum(w < v for w in pool) + Fraction(sum(w == v for w in pool) + 1, 2)


def _rank_sum_pvalues(x: list[Fraction], y: list[Fraction]) -> tuple[Fraction, Fraction]:
    """P(W >= w), P(W <= w) by enumerating every relabelling of the pooled sample."""
    pool = x + y
    ranks = [_midrank(v, pool) for v in pool]
    observed = sum(ranks[: len(x)])
    sums = [sum(ranks[i] for i in c) for c in itertools.combinations(range(len(pool)), len(x))]
    return (
        Fraction(sum(s >= observed for s in sums), len(sums)),
        Fraction(sum(s <= observed for s in sums), len(sums)),
    )


def _signed_rank_pvalues(d: list[Fraction]) -> tuple[Fraction, Fraction]:
    """Pratt's convention: midranks of |d| over all, zeros then dropped; every sign flip."""
    pool = [abs(v) for v in d]
    ranks = [_midrank(abs(v), pool) for v in d if v != 0]
    nonzero = [v for v in d if v != 0]
    observed = sum(r for r, v in zip(ranks, nonzero) if v > 0)
    sums = [
        sum(r for r, s in zip(ranks, signs) if s)
        for signs in itertools.product((0, 1), repeat=len(ranks))
    ]
    return (
        Fraction(sum(s >= observed for s in sums), len(sums)),
        Fraction(sum(s <= observed for s in sums), len(sums)),
    )


def oracle(
    pvalues: Callable[[Fraction], tuple[Fraction, Fraction]],
    candidates: list[Fraction],
    level: float,
    alternative: str,
) -> tuple[float, float]:
    """Invert the brute-force tests over a fine grid of shifts: closure of the kept shifts.

    Each one-sided test keeps a half-line of the grid (checked: the p-values are
    monotone); the interval is [inf of one, sup of the other], closed at the
    candidate that bounds the open gap where a half-line starts. If the two
    half-lines do not meet (levels near 0 with ties), both bounds are the
    shift where the verdicts switch; a half-line reaching past every candidate
    is cut at the extreme candidate (R's rule for unachievable levels).
    """
    alpha = 1 - level
    keep = Fraction(alpha / 2 if alternative == "two-sided" else alpha) - _FUZZ
    lo, hi = min(candidates) - 1, max(candidates) + 1
    grid = [lo + k * STEP for k in range(int((hi - lo) / STEP) + 1)]
    p = [pvalues(delta) for delta in grid]
    upper_kept = [i for i, (p_ge, _) in enumerate(p) if p_ge >= keep]
    lower_kept = [i for i, (_, p_le) in enumerate(p) if p_le >= keep]
    assert upper_kept == list(range(upper_kept[0], len(grid)))
    assert lower_kept == list(range(lower_kept[-1] + 1))
    first, last = grid[upper_kept[0]], grid[lower_kept[-1]]
    low = max((c for c in candidates if c <= first), default=min(candidates))
    high = min((c for c in candidates if c >= last), default=max(candidates))
    return (
        -math.inf if alternative == "less" else float(low),
        math.inf if alternative == "greater" else float(high),
    )


levels = st.sampled_from([0.01, 0.5, 0.8, 0.9, 0.95, 0.999])
alternatives = st.sampled_from(["two-sided", "less", "greater"])


@pytest.mark.filterwarnings("ignore:confidence_level:RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(
    st.lists(quarters, min_size=1, max_size=5),
    st.lists(quarters, min_size=1, max_size=4),
    levels,
    alternatives,
)
def test_two_sample_inversion_matches_brute_force(
    x: list[float], y: list[float], level: float, alternative: str
) -> None:
    fx, fy = [Fraction(v) for v in x], [Fraction(v) for v in y]
    candidates = [u - v for u in fx for v in fy]
    expected = oracle(
        lambda t: _rank_sum_pvalues([u - t for u in fx], fy), candidates, level, alternative
    )
    res = shift_ci(x, y, level, alternative=alternative)
    assert (float(res.confidence_interval.low), float(res.confidence_interval.high)) == expected
    assert float(res.estimate) == float(np.median(np.subtract.outer(x, y)))


@pytest.mark.filterwarnings("ignore:confidence_level:RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(quarters, quarters), min_size=1, max_size=7),
    levels,
    alternatives,
)
# With Wilcoxon's dropping of zeros, P(W <= w) at the shift 0 (a zero) falls below both
# neighbouring gaps here, so the kept set has a hole; Pratt's zeros keep it monotone.
@example(
    [(0.0, 0.0), (0.0, -0.25), (0.0, 0.5), (0.0, -0.75), (0.0, 1.0), (0.0, 1.0), (0.0, 1.0)],
    0.8,
    "two-sided",
)
def test_paired_inversion_matches_brute_force(
    pairs: list[tuple[float, float]], level: float, alternative: str
) -> None:
    x, y = [p[0] for p in pairs], [p[1] for p in pairs]
    d = [Fraction(u) - Fraction(v) for u, v in pairs]
    candidates = [(u + v) / 2 for i, u in enumerate(d) for v in d[i:]]
    expected = oracle(
        lambda t: _signed_rank_pvalues([v - t for v in d]), candidates, level, alternative
    )
    res = shift_ci(x, y, level, paired=True, alternative=alternative)
    assert (float(res.confidence_interval.low), float(res.confidence_interval.high)) == expected
    one = shift_ci([float(v) for v in d], None, level, alternative=alternative)
    assert (float(one.confidence_interval.low), float(one.confidence_interval.high)) == expected


@settings(max_examples=40, deadline=None)
@given(
    st.lists(quarters, min_size=1, max_size=6),
    st.lists(quarters, min_size=1, max_size=5),
    st.lists(quarters, min_size=1, max_size=8),
)
def test_engine_tails_match_enumeration(x: list[float], y: list[float], d: list[float]) -> None:
    ix, iy, idd = ([int(4 * v) for v in s] for s in (x, y, d))
    assert _rank_sum_tails(ix, iy) == _rank_sum_pvalues(
        [Fraction(v) for v in ix], [Fraction(v) for v in iy]
    )
    assert _signed_rank_tails(idd) == _signed_rank_pvalues([Fraction(v) for v in idd])


@pytest.mark.filterwarnings("ignore:confidence_level:RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-50, 50), min_size=1, max_size=7, unique=True),
    st.lists(st.integers(-50, 50), min_size=1, max_size=6, unique=True),
    st.lists(st.integers(1, 60), min_size=1, max_size=9, unique=True),
    st.lists(st.booleans(), min_size=9, max_size=9),
    levels,
    alternatives,
)
def test_inversion_agrees_with_order_statistics_without_ties(
    x: list[int],
    y: list[int],
    magnitudes: list[int],
    signs: list[bool],
    level: float,
    alternative: str,
) -> None:
    # Tie-free data take the order-statistic path; the inversion must give the same interval.
    halves = [v + 0.5 for v in y]  # no ties in the pooled sample
    fast = shift_ci(x, halves, level, alternative=alternative)
    ix, iy = [2 * v for v in x], [2 * v + 1 for v in y]
    candidates = sorted({2 * (u - v) for u in ix for v in iy})
    low, high, _ = _invert(
        lambda t: _rank_sum_tails([2 * u - t for u in ix], [2 * v for v in iy]),
        candidates,
        Fraction((1 - level) / 2 if alternative == "two-sided" else 1 - level),
        alternative,
    )
    assert fast.method == "two-sample"
    assert float(fast.confidence_interval.low) == (-math.inf if low is None else low / 4)
    assert float(fast.confidence_interval.high) == (math.inf if high is None else high / 4)
    d = [m if s else -m for m, s in zip(magnitudes, signs)]
    fast = shift_ci(d, None, level, alternative=alternative)
    candidates = sorted({2 * (u + v) for i, u in enumerate(d) for v in d[i:]})
    low, high, _ = _invert(
        lambda t: _signed_rank_tails([4 * v - t for v in d]),
        candidates,
        Fraction((1 - level) / 2 if alternative == "two-sided" else 1 - level),
        alternative,
    )
    assert fast.method == "one-sample"
    assert float(fast.confidence_interval.low) == (-math.inf if low is None else low / 4)
    assert float(fast.confidence_interval.high) == (math.inf if high is None else high / 4)


def test_boundaries() -> None:
    # n = 1 against a tie: every shift but 0 gives p = 1/2; 0 is kept, as is everything.
    with pytest.warns(RuntimeWarning, match="confidence_level: "):
        res = shift_ci([1.0], [1.0])
    assert tuple(res.confidence_interval) == (0.0, 0.0)
    assert math.isnan(res.achieved_confidence_level)
    # All tied: the only difference is 0.
    with pytest.warns(RuntimeWarning, match="confidence_level: "):
        res = shift_ci([2.0] * 4, [2.0] * 3)
    assert tuple(res.confidence_interval) == (0.0, 0.0)
    # All zeros: 2^-n <= alpha/2 rejects every nonzero shift.
    res = shift_ci([0.0] * 8)
    assert tuple(res.confidence_interval) == (0.0, 0.0)
    assert res.estimate == 0.0 and res.method == "one-sample (ties: test inversion)"
    # Confidence level near 0: a one-point set at the estimate; near 1: the extremes.
    x, y = [1, 2, 2, 3, 5, 5], [0, 1, 1, 2]
    res = shift_ci(x, y, 1e-9)
    assert res.confidence_interval.low == res.confidence_interval.high == res.estimate
    with pytest.warns(RuntimeWarning, match="confidence_level: "):
        res = shift_ci(x, y, 1 - 1e-9)
    assert tuple(res.confidence_interval) == (-1.0, 5.0)


def test_ties_known_answer() -> None:
    # Worked by hand, x = [1, 2, 2, 3], y = [1, 1, 2], 80% (alpha/2 = 0.1), midrank sum W of x:
    # shift 0: midranks 2, 5, 5, 7 -> W = 19, P(W >= 19) = 10/35 (kept); shift -1/2 gives
    # P(W >= w) = 2/35 (rejected), so low = 0. Shift 1: W = 14.5, P(W <= 14.5) = 17/35 (kept);
    # shift 3/2: W = 12, P(W <= 12) = 3/35 (rejected), so high = 1.
    res = shift_ci([1, 2, 2, 3], [1, 1, 2], 0.8)
    assert tuple(res.confidence_interval) == (0.0, 1.0)
    assert res.method == "two-sample (ties: test inversion)"


def test_tied_limits_raise_before_forming_candidates() -> None:
    cycle = [float(v % 7) for v in range(2100)]
    with pytest.raises(OverflowError, match="x, y: 4410000 pairwise differences"):
        shift_ci(cycle, cycle)
    with pytest.raises(OverflowError, match="x: 4206450 Walsh averages"):
        shift_ci([float(v % 9) for v in range(2900)])
    # Within the candidate limit but beyond the shift table for any midrank pattern.
    with pytest.raises(OverflowError, match="x, y: 280 observations are too large"):
        shift_ci([0.0, 0.0] + [float(v) for v in range(138)], [float(v) for v in range(140)])
    with pytest.raises(OverflowError, match="x: 1500 observations are too large"):
        shift_ci([float(v % 9) for v in range(1500)])


def test_decimal_ties_and_rounded_bounds() -> None:
    # Decimal data are exact decimals (permutation_test's rule); bounds are the exact
    # decimal differences, correctly rounded, i.e. the integer-data interval / 10
    # (IEEE subtraction would give 1.7 - 0.3 = 1.4 but 2.4 - 1.1 = 1.2999999999999998).
    x, y = [0.3, 1.7, 2.4, 0.9, 1.1], [0.3, 0.7, 1.1, 0.2]
    res = shift_ci(x, y, 0.8)
    ints = shift_ci([3, 17, 24, 9, 11], [3, 7, 11, 2], 0.8)
    assert res.method == ints.method == "two-sample (ties: test inversion)"
    assert tuple(res.confidence_interval) == tuple(v / 10 for v in ints.confidence_interval)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=2, max_size=18),
    st.lists(st.integers(0, 6), min_size=2, max_size=15),
    st.lists(st.integers(-4, 6), min_size=2, max_size=30),
)
def test_pvalues_monotone_over_every_point_beyond_enumeration_sizes(
    x: list[int], y: list[int], d: list[int]
) -> None:
    # The binary search needs P(W >= w) rising and P(W <= w) falling along the candidates
    # and the gaps between them; checked exhaustively with the engine at larger sizes.
    def points(candidates: list[int]) -> list[int]:
        gaps = [(u + v) // 2 for u, v in zip(candidates, candidates[1:])]
        inner = [p for pair in zip(candidates, gaps) for p in pair] + [candidates[-1]]
        return [candidates[0] - 2, *inner, candidates[-1] + 2]

    two = points(sorted({2 * (u - v) for u in x for v in y}))
    one = points(sorted({2 * (u + v) for i, u in enumerate(d) for v in d[i:]}))
    for p in (
        [_rank_sum_tails([2 * u - t for u in x], [2 * v for v in y]) for t in two],
        [_signed_rank_tails([4 * v - t for v in d]) for t in one],
    ):
        assert all(a[0] <= b[0] and a[1] >= b[1] for a, b in zip(p, p[1:]))
