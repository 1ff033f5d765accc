"""Exact permutation tests: a streaming, drop-in ``scipy.stats.permutation_test``.

Every relabelling is visited in Rust without being materialised (memory O(n));
built-in statistics use exact integer arithmetic, so ties are never
misclassified. Spec: docs/exact_tests.md.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from concurrent.futures import Executor
from fractions import Fraction
from typing import Any, Callable, cast

import numpy as np
import numpy.typing as npt

from permkit import _native
from permkit._arrays import require_memory
from permkit._seeding import seed_words
from permkit.stats import _engine, _strata
from permkit.stats._builtins import (
    BUILTINS,
    Array,
    Plan,
    check_builtin,
    numpy_statistic,
    plan,
)
from permkit.stats._fisher import SignificanceResult, fisher_exact
from permkit.stats._maxt import MaxTResult, maxt
from permkit.stats._result import NullDistribution, NullHistogram, PermutationTestResult
from permkit.stats._scipy_patch import ScipyPatch, patch_scipy, unpatch_scipy
from permkit.stats._shift_ci import ConfidenceInterval, ShiftCIResult, shift_ci

__all__ = [
    "BUILTINS",
    "EXACT_LIMIT",
    "ConfidenceInterval",
    "MaxTResult",
    "NullHistogram",
    "PermutationTestResult",
    "ScipyPatch",
    "ShiftCIResult",
    "SignificanceResult",
    "fisher_exact",
    "maxt",
    "patch_scipy",
    "permutation_test",
    "shift_ci",
    "unpatch_scipy",
]

#: exact=None enumerates built-in statistics exactly up to this many relabellings (2**31: a few seconds).
EXACT_LIMIT = 2**31
#: Largest shift-algorithm table (u64 words, 256 MiB), as in the Rust core.
SHIFT_MAX_WORDS = 1 << 25
#: Map operations the blocks dynamic programming (friedman, page) may spend for exact=None
#: (1 << 24: under a second), and for exact=True; beyond them Monte Carlo / enumeration is used.
BLOCKS_WORK = 1 << 24
BLOCKS_FORCED_WORK = 1 << 30
#: Exact enumeration works on 63-bit ranks.
_RANK_LIMIT = 2**63

#: nan_policy="propagate"'s mask of result positions set to NaN.
BoolArray = npt.NDArray[np.bool_]


def permutation_test(
    data: Sequence[Any],
    statistic: str | Callable[..., Any],
    *,
    permutation_type: str = "independent",
    vectorized: bool | None = None,
    n_resamples: int | float = 9999,
    batch: int | None = None,
    alternative: str = "two-sided",
    axis: int = 0,
    rng: Any = None,
    exact: bool | None = None,
    two_sided: str = "double",
    mid_p: bool = False,
    null_distribution: str | None = None,
    workers: int | None = None,
    executor: Any = None,
    progress: bool = False,
    nan_policy: str = "raise",
    random_state: Any = None,
    strata: Any = None,
) -> PermutationTestResult:
    """Permutation test of ``statistic`` on ``data``, like ``scipy.stats.permutation_test``.

    Same arguments and, by default, the same p-values as scipy (ties within
    scipy's tolerance count as "as extreme", two-sided = 2 * min(one-sided)
    clipped to 1, Monte Carlo p = (b + 1) / (m + 1)). ``statistic`` is a
    callable (``statistic(*samples, axis=-1)``) or a built-in name computed
    exactly in Rust: "independent": "mean_diff", "sum", "t", "welch_t",
    "rank_sum", "f" (k samples); "samples": "mean", "sum", "signed_rank",
    "friedman", "page" (k >= 3 samples of n blocks, relabelled within blocks);
    "pairings": "pearson", "spearman", "sum_product".

    Like scipy, ``axis`` applies to the samples broadcast against each other
    (fewer dimensions get leading 1s), "samples" and "pairings" take any number
    of samples (each block's values permuted among the samples; each sample
    reordered), scalar results are numpy scalars, ``random_state`` is the
    legacy name of ``rng``, and ``res.null_distribution`` is computed on
    first access when it was not collected.

    ``exact``: None enumerates when the count is at most EXACT_LIMIT
    for built-ins (2**31), or at most ``n_resamples`` for callables (scipy's rule);
    True forces enumeration; False forces Monte Carlo with permkit's Squares
    streams (``rng``: int, SeedSequence, or a numpy Generator to draw a seed
    from). ``two_sided``: "double" (scipy) or "deviation"
    (``P(|T - ET| >= |t - ET|)``). ``null_distribution``: None, "full" (every
    value, in enumeration order) or "histogram" (distinct values with counts).
    ``workers``: Rust threads for built-ins; ``executor``: a
    concurrent.futures.Executor to farm rank ranges out to.

    Darwin's Zea mays data, paired sign-flip test (Fisher 1935):

    >>> from permkit.stats import permutation_test
    >>> d = [49, -67, 8, 16, 6, 23, 28, 41, 14, 29, 56, 24, 75, 60, -48]
    >>> res = permutation_test((d,), "sum", permutation_type="samples", alternative="greater")
    >>> res.pvalue_fraction, res.n_extreme, res.n_total, res.method
    (Fraction(863, 32768), 863, 32768, 'exact')

    ``strata``: one label per observation; relabels within strata only
    (see :func:`permkit.stats._strata.stratified_test` and docs/exact_tests.md).
    """
    if strata is not None:
        return _strata.stratified_test(
            data,
            statistic,
            strata,
            permutation_type=permutation_type,
            n_resamples=n_resamples,
            alternative=alternative,
            axis=axis,
            rng=_check_rng(rng, random_state),
            exact=exact,
            two_sided=two_sided,
            mid_p=mid_p,
            null_distribution=null_distribution,
            workers=workers,
            executor=executor,
            nan_policy=nan_policy,
            batch=batch,
            vectorized=vectorized,
            progress=progress,
        )
    permutation_type, alternative, batch = _check_options(
        permutation_type,
        alternative,
        two_sided,
        null_distribution,
        nan_policy,
        exact,
        n_resamples,
        batch,
        workers,
        vectorized,
    )
    key_source = _KeySource(_check_rng(rng, random_state))
    result = _test(
        data,
        statistic,
        permutation_type,
        vectorized,
        n_resamples=n_resamples,
        batch=batch,
        alternative=alternative,
        axis=axis,
        rng=key_source,
        exact=exact,
        two_sided=two_sided,
        mid_p=mid_p,
        null_distribution=null_distribution,
        workers=workers,
        executor=executor,
        progress=progress,
        nan_policy=nan_policy,
    )
    if null_distribution is None and result.method != "none":
        # Read on access: rerun collecting every value, same relabellings (same key), same guard.
        rerun_exact = True if result.method in ("exact", "shift") else exact
        if result.method == "monte carlo":
            rerun_exact = False

        def full_null() -> Any:
            if result.method in ("exact", "shift"):  # refuse before enumerating
                totals = np.ravel(np.asarray(result.n_total, dtype=object))
                runs = max((int(t) for t in totals if t is not None), default=0)
                _check_full_fits("full", runs, totals.size)
            return _test(
                data,
                statistic,
                permutation_type,
                vectorized,
                n_resamples=n_resamples,
                batch=batch,
                alternative=alternative,
                axis=axis,
                rng=key_source,
                exact=rerun_exact,
                two_sided="double",
                mid_p=mid_p,
                null_distribution="full",
                workers=workers,
                executor=executor,
                progress=False,
                nan_policy=nan_policy,
            ).null_distribution

        result.compute_null_on_access(full_null)
    return result


def _test(
    data: Sequence[Any],
    statistic: str | Callable[..., Any],
    permutation_type: str,
    vectorized: bool | None,
    *,
    n_resamples: int | float,
    batch: int | None,
    alternative: str,
    axis: Any,
    rng: _KeySource,
    exact: bool | None,
    two_sided: str,
    mid_p: bool,
    null_distribution: str | None,
    workers: int | None,
    executor: Any,
    progress: bool,
    nan_policy: str,
) -> PermutationTestResult:
    samples = _as_samples(data, axis, permutation_type)
    samples, propagate_nan = _apply_nan_policy(samples, nan_policy, permutation_type)
    for s in samples:
        if s.shape[-1] < 2:
            raise ValueError(
                "data: each sample must contain two or more observations along axis, "
                f"got {s.shape[-1]}"
            )
    lead = samples[0].shape[:-1]
    if isinstance(statistic, str):
        check_builtin(statistic, permutation_type, len(samples))
        return _builtin_test(
            samples,
            statistic,
            permutation_type,
            lead,
            propagate_nan,
            n_resamples=n_resamples,
            batch=batch,
            alternative=alternative,
            rng=rng,
            exact=exact,
            two_sided=two_sided,
            mid_p=mid_p,
            null_distribution=null_distribution,
            workers=workers,
            executor=executor,
            progress=progress,
        )
    if not callable(statistic):
        raise TypeError(
            f"statistic: expected a callable or a built-in name, got {type(statistic).__name__}"
        )
    if vectorized is None:
        try:
            vectorized = "axis" in inspect.signature(statistic).parameters
        except (TypeError, ValueError):
            vectorized = False
    if not vectorized:
        statistic = _vectorize(statistic)
    return _callable_test(
        samples,
        statistic,
        permutation_type,
        n_resamples=n_resamples,
        batch=batch,
        alternative=alternative,
        rng=rng,
        exact=exact,
        two_sided=two_sided,
        mid_p=mid_p,
        null_distribution=null_distribution,
        executor=executor,
        progress=progress,
        nan_mask=propagate_nan,
    )


# --- argument checks ------------------------------------------------------


def _check_options(
    permutation_type: str,
    alternative: str,
    two_sided: str,
    null_distribution: str | None,
    nan_policy: str,
    exact: bool | None,
    n_resamples: int | float,
    batch: int | None,
    workers: int | None,
    vectorized: bool | None,
) -> tuple[str, str, int | None]:
    types = ("independent", "samples", "pairings")
    if not isinstance(permutation_type, str) or permutation_type.lower() not in types:
        raise ValueError(f"permutation_type: must be one of {types}, got {permutation_type!r}")
    # Like scipy: case-insensitive names, integral floats for counts.
    if isinstance(alternative, str):
        alternative = alternative.lower()
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(
            f"alternative: must be 'two-sided', 'less' or 'greater', got {alternative!r}"
        )
    if two_sided not in ("double", "deviation"):
        raise ValueError(f"two_sided: must be 'double' or 'deviation', got {two_sided!r}")
    if null_distribution not in (None, "full", "histogram"):
        raise ValueError(
            f"null_distribution: must be None, 'full' or 'histogram', got {null_distribution!r}"
        )
    if nan_policy not in ("raise", "propagate", "omit"):
        raise ValueError(f"nan_policy: must be 'raise', 'propagate' or 'omit', got {nan_policy!r}")
    if exact not in (None, True, False):
        raise ValueError(f"exact: must be None, True or False, got {exact!r}")
    if vectorized not in (None, True, False):
        raise ValueError(f"vectorized: must be None, True or False, got {vectorized!r}")
    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, float, np.integer, np.floating))
        or not (n_resamples == math.inf or (n_resamples > 0 and n_resamples == int(n_resamples)))
    ):
        raise ValueError(f"n_resamples: must be a positive integer (or inf), got {n_resamples!r}")
    if isinstance(batch, (float, np.floating)) and math.isfinite(batch) and batch == int(batch):
        batch = int(batch)
    for name, value in (("batch", batch), ("workers", workers)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0
        ):
            raise ValueError(f"{name}: must be a positive integer or None, got {value!r}")
    return permutation_type.lower(), alternative, batch


def _check_axis(axis: Any) -> int:
    """scipy's rule: anything int() accepts whose value is integral."""
    try:
        axis_int = int(axis)
    except TypeError:
        raise TypeError(f"axis: must be an integer, got {axis!r}") from None
    except ValueError:
        raise ValueError(f"axis: must be an integer, got {axis!r}") from None
    if axis != axis_int:
        raise ValueError(f"axis: must be an integer, got {axis!r}")
    return axis_int


def _as_samples(data: Any, axis: Any, permutation_type: str) -> list[np.ndarray]:
    """Samples broadcast as scipy does, with the observations along the last axis.

    Samples with fewer dimensions get leading 1s, ``axis`` is taken on that
    common number of dimensions, and all other axes broadcast.
    """
    if isinstance(data, np.ndarray) or not isinstance(data, (tuple, list)):
        raise TypeError("data: expected a tuple or list of samples (array-likes)")
    if len(data) == 0:
        raise ValueError("data: no samples given")
    if permutation_type == "independent" and len(data) < 2:
        raise ValueError("data: permutation_type='independent' needs at least two samples")
    axis = _check_axis(axis)
    arrays = []
    for i, sample in enumerate(data):
        try:
            a = np.asarray(sample)
        except (ValueError, TypeError) as exc:
            raise TypeError(f"data: sample {i} is not array-like ({exc})") from None
        if a.dtype.kind == "b":
            a = a.astype(np.int64)
        if a.dtype.kind not in "iuf":
            raise TypeError(
                f"data: sample {i} must be real numbers (int or float), got dtype {a.dtype}"
            )
        arrays.append(a)
    n_dims = max(1, max(a.ndim for a in arrays))
    if not -n_dims <= axis < n_dims:
        raise np.exceptions.AxisError(
            f"axis: {axis} is out of bounds for samples of {n_dims} dimension(s) "
            "(after broadcasting against each other)"
        )
    axis %= n_dims
    padded = [a.reshape((1,) * (n_dims - a.ndim) + a.shape) for a in arrays]
    try:
        lead = np.broadcast_shapes(*[a.shape[:axis] + a.shape[axis + 1 :] for a in padded])
    except ValueError:
        raise ValueError(
            "data: samples do not broadcast against each other (apart from axis)"
        ) from None
    samples = [np.broadcast_to(np.moveaxis(a, axis, -1), lead + a.shape[axis:][:1]) for a in padded]
    lengths = {s.shape[-1] for s in samples}
    if permutation_type in ("samples", "pairings") and len(lengths) > 1:
        raise ValueError(
            f"data: permutation_type={permutation_type!r} needs samples of equal length, "
            f"got {[s.shape[-1] for s in samples]}"
        )
    return samples


def _apply_nan_policy(
    samples: list[Array], nan_policy: str, permutation_type: str
) -> tuple[list[Array], BoolArray | None]:
    """(samples, mask of result positions to set to NaN or None)."""
    bad = [~np.isfinite(s) for s in samples]
    if not any(b.any() for b in bad):
        return samples, None
    if nan_policy == "raise":
        raise ValueError(
            "data: contains NaN or infinity; pass nan_policy='omit' to drop those observations "
            "or 'propagate' to return NaN"
        )
    if nan_policy == "propagate":
        mask = np.zeros(samples[0].shape[:-1], dtype=bool)
        for b in bad:
            mask |= b.any(axis=-1)
        cleaned = [np.where(b, 0, s) for s, b in zip(samples, bad)]
        return cleaned, mask
    if samples[0].ndim != 1:
        raise ValueError("nan_policy: 'omit' supports one-dimensional samples only")
    if permutation_type == "independent":
        return [s[~b] for s, b in zip(samples, bad)], None
    keep = ~np.logical_or.reduce(bad)
    return [s[keep] for s in samples], None


def _vectorize(statistic: Callable[..., Any]) -> Callable[..., Array]:
    def vectorized(*samples: Array, axis: int = -1) -> Array:
        lead = samples[0].shape[:-1]
        flat = [np.reshape(s, (-1, s.shape[-1])) for s in samples]
        out = [statistic(*[f[i] for f in flat]) for i in range(flat[0].shape[0])]
        return np.reshape(np.asarray(out), lead + np.shape(out[0]) if out else lead)

    return vectorized


def _check_rng(rng: Any, random_state: Any) -> Any:
    """The seed source, validated as scipy does (even when the test turns out exact)."""
    if random_state is not None:
        if rng is not None:
            raise TypeError("rng: pass either rng or random_state (its legacy name), not both")
        if random_state is np.random:
            return None
        if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
            return random_state
        if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
            if random_state < 0:
                raise ValueError(
                    f"random_state: must be a non-negative integer, got {random_state}"
                )
            return int(random_state)
        raise ValueError(
            "random_state: expected None, a non-negative int, a numpy Generator or RandomState, "
            f"got {random_state!r}"
        )
    if rng is None or isinstance(rng, (np.random.Generator, np.random.SeedSequence)):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng: must be a non-negative integer, got {rng}")
        return int(rng)
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"rng: expected what numpy.random.default_rng accepts, got {rng!r} ({exc})"
        ) from None


class _KeySource:
    """The Monte Carlo key from ``rng``, drawn at most once, so that a rerun
    (the lazily computed null distribution) sees the same resamples."""

    def __init__(self, rng: Any) -> None:
        self._rng = rng
        self._key: int | None = None

    def key(self) -> int:
        if self._key is None:
            self._key = _mc_key(self._rng)
        return self._key


def _mc_key(rng: Any) -> int:
    if isinstance(rng, np.random.Generator):
        word = int(rng.integers(0, 2**64, dtype=np.uint64))
    elif isinstance(rng, np.random.RandomState):
        word = int(rng.randint(0, 2**63, dtype=np.int64))
    else:
        word = seed_words(rng, 1, "rng")[0]
    return _native.squares_key_from_word(word)


# --- p-values from counts ------------------------------------------------


def _pvalue(
    counts_le: int,
    counts_ge: int,
    dev_ge: int,
    dev_gt: int,
    total: int,
    alternative: str,
    two_sided: str,
    mid_p: bool,
    monte_carlo: bool,
) -> tuple[Fraction, Fraction | int]:
    """(p as Fraction, n_extreme) from exact counts of one test."""
    adjust = 1 if monte_carlo else 0
    tie_credit = Fraction(1, 2) if mid_p else 1
    ties = counts_le + counts_ge - total

    def one_sided(count: int) -> tuple[Fraction, Fraction | int]:
        c = count - Fraction(ties, 2) if mid_p else count
        return Fraction(c) + adjust * tie_credit, c

    if alternative == "less":
        p, n = one_sided(counts_le)
        return p / (total + adjust), n
    if alternative == "greater":
        p, n = one_sided(counts_ge)
        return p / (total + adjust), n
    if two_sided == "deviation":
        c = dev_gt + Fraction(dev_ge - dev_gt, 2) if mid_p else dev_ge
        return (Fraction(c) + adjust * tie_credit) / (total + adjust), c
    (pl, nl), (pg, ng) = one_sided(counts_le), one_sided(counts_ge)
    return min(Fraction(1), 2 * min(pl, pg) / (total + adjust)), min(nl, ng)


# --- built-in statistics ------------------------------------------------

_SHAPE_OF_PLAN = {
    "welch": "independent",
    "two_sample": "independent",
    "k_sample": "independent",
    "sign_flip": "paired",
    "pairing": "pairings",
}


def _count(kind: str, sizes: Sequence[int]) -> int:
    """Exact number of relabellings the design enumerates (any size)."""
    if kind == "independent":
        total, seen = 1, 0
        for size in sizes:
            seen += size
            total *= math.comb(seen, size)
        return total
    if kind == "paired":
        sign_flips: int = 2 ** sizes[0]
        return sign_flips
    return math.factorial(sizes[0])


def _builtin_test(
    samples: list[Array],
    name: str,
    permutation_type: str,
    lead: tuple[int, ...],
    nan_mask: BoolArray | None,
    *,
    n_resamples: int | float,
    batch: int | None,
    alternative: str,
    rng: _KeySource,
    exact: bool | None,
    two_sided: str,
    mid_p: bool,
    null_distribution: str | None,
    workers: int | None,
    executor: Executor | None,
    progress: bool,
) -> PermutationTestResult:
    deviation = two_sided == "deviation" and alternative == "two-sided"
    slices = list(np.ndindex(lead)) if lead else [()]
    results: list[PermutationTestResult | None] = []
    for index in slices:
        one = [s[index] for s in samples]
        if nan_mask is not None and nan_mask[index]:
            results.append(None)
            continue
        results.append(
            _builtin_slice(
                one,
                name,
                permutation_type,
                deviation,
                n_resamples=n_resamples,
                batch=batch,
                alternative=alternative,
                rng=rng,
                exact=exact,
                two_sided=two_sided,
                mid_p=mid_p,
                null_distribution=null_distribution,
                workers=workers,
                executor=executor,
                progress=progress,
            )
        )
    return _combine(results, lead, alternative, two_sided, null_distribution)


def _builtin_slice(
    samples: list[Array],
    name: str,
    permutation_type: str,
    deviation: bool,
    *,
    n_resamples: int | float,
    batch: int | None,
    alternative: str,
    rng: _KeySource,
    exact: bool | None,
    two_sided: str,
    mid_p: bool,
    null_distribution: str | None,
    workers: int | None,
    executor: Executor | None,
    progress: bool,
) -> PermutationTestResult:
    p = plan(name, permutation_type, samples, deviation)

    def float_path(exact_request: bool | None, show_progress: bool) -> PermutationTestResult:
        return _callable_test(
            samples,
            numpy_statistic(name, permutation_type, len(samples)),
            permutation_type,
            n_resamples=n_resamples,
            batch=batch,
            alternative=alternative,
            rng=rng,
            exact=exact_request,
            two_sided=two_sided,
            mid_p=mid_p,
            null_distribution=null_distribution,
            executor=executor,
            progress=show_progress,
            nan_mask=None,
            exact_limit=EXACT_LIMIT,
        )

    if p.kind == "blocks":
        distribution = None
        if exact is not False and null_distribution != "full":
            budget = BLOCKS_FORCED_WORK if exact else BLOCKS_WORK
            blocks = cast("list[list[int]]", p.scores)  # a blocks plan's scores are its rows
            distribution = _native.block_key_distribution(blocks, p.weights, budget)
        if distribution is None:  # Monte Carlo, "full", or beyond the dynamic programming
            return float_path(exact, progress)
        return _distribution_slice(
            p, distribution, "exact", alternative, two_sided, mid_p, null_distribution, deviation
        )
    total = _count(_SHAPE_OF_PLAN[p.kind], p.sizes)
    if (
        total > EXACT_LIMIT
        and exact is not False
        and null_distribution != "full"
        and _shift_feasible(p)
    ):
        assert p.shift_scores is not None, "_shift_feasible needs shift scores"
        dist = _native.shift_distribution(p.kind, p.shift_scores, p.sizes[0])
        assert sum(c for _, c in dist) == total, "shift distribution must cover every relabelling"
        return _distribution_slice(
            p, dist, "shift", alternative, two_sided, mid_p, null_distribution, deviation
        )
    method = _choose_method(total, exact, EXACT_LIMIT)
    if p.kind == "welch" and (method != "exact" or null_distribution is not None or deviation):
        # Exact Welch classification covers exact counting; the rest uses scipy's float rule.
        return float_path(exact, progress)
    if method == "monte carlo":
        if n_resamples == math.inf:
            raise ValueError("n_resamples: must be finite for a Monte Carlo test")
        mc_key, runs = rng.key(), int(n_resamples)
    else:
        mc_key, runs = None, total
    _check_full_fits(null_distribution, runs, 1)
    # A statistic not linear in the key (t) takes its deviation on values, from the key's histogram.
    values_deviation = deviation and p.deviation is None
    spec: dict[str, Any] = {
        "kind": p.kind,
        "scores": p.scores,
        "sizes": p.sizes,
        "weights": p.weights,
        "partner": p.partner,
        "ge": p.ge,
        "le": p.le,
        "deviation": p.deviation if deviation else None,
        "mc_key": mc_key,
        "collect": null_distribution or ("histogram" if values_deviation else "none"),
        "workers": 1 if executor is not None else workers,
        "welch": p.welch,
    }
    bar = _engine.progress_bar(progress, runs, f"{method} {name}")
    try:
        try:
            counts = _engine.run(_engine.builtin_task, spec, runs, executor, bar)
        except OverflowError:  # scores too wide for 128-bit sums
            return float_path(method == "exact", False)
    finally:
        if bar is not None:
            bar.close()
    if values_deviation:
        if null_distribution == "full":
            keys, key_counts = np.unique(np.concatenate(counts.full), return_counts=True)
            histogram = dict(zip(keys.tolist(), key_counts.tolist()))
        else:
            histogram = counts.histogram
        counts.dev_ge, counts.dev_gt = _deviation_on_values(p, sorted(histogram.items()))
    frac, n_extreme = _pvalue(
        counts.le,
        counts.ge,
        counts.dev_ge,
        counts.dev_gt,
        counts.total,
        alternative,
        two_sided,
        mid_p,
        method == "monte carlo",
    )
    null: NullDistribution = None
    if null_distribution == "histogram":
        keys = np.array(sorted(counts.histogram), dtype=object)
        values = p.values_of_keys(keys.astype(np.float64)) if len(keys) else np.array([])
        null = NullHistogram(
            np.asarray(values, dtype=np.float64),
            np.array([counts.histogram[k] for k in keys], dtype=np.int64),
        )
    elif null_distribution == "full":
        null = np.asarray(p.values_of_keys(np.concatenate(counts.full)), dtype=np.float64)
    return PermutationTestResult(
        p.observed, float(frac), null, frac, n_extreme, counts.total, method, alternative, two_sided
    )


def _shift_feasible(p: Plan) -> bool:
    if p.shift_scores is None:
        return False
    words = _native.shift_table_words(p.kind, p.shift_scores, p.sizes[0])
    return words is not None and words <= SHIFT_MAX_WORDS


def _distribution_slice(
    p: Plan,
    dist: Sequence[tuple[int, int]],
    method: str,
    alternative: str,
    two_sided: str,
    mid_p: bool,
    null_distribution: str | None,
    deviation: bool,
) -> PermutationTestResult:
    """Exact p-value from the exact distribution of the key: (key, count) ascending."""
    le = sum(c for k, c in dist if k <= p.le)
    ge = sum(c for k, c in dist if k >= p.ge)
    dev_ge = dev_gt = 0
    if deviation and p.deviation is not None:
        scale, center, at_least, above = p.deviation
        dev_ge = sum(c for k, c in dist if abs(scale * k - center) >= at_least)
        dev_gt = sum(c for k, c in dist if abs(scale * k - center) > above)
    elif deviation:
        dev_ge, dev_gt = _deviation_on_values(p, dist)
    n = sum(c for _, c in dist)
    frac, n_extreme = _pvalue(le, ge, dev_ge, dev_gt, n, alternative, two_sided, mid_p, False)
    null: NullDistribution = None
    if null_distribution == "histogram":
        keys = np.array([float(k) for k, _ in dist])
        counts = np.array([c for _, c in dist], dtype=np.int64 if n < 2**63 else object)
        null = NullHistogram(np.asarray(p.values_of_keys(keys), dtype=np.float64), counts)
    return PermutationTestResult(
        p.observed, float(frac), null, frac, n_extreme, n, method, alternative, two_sided
    )


def _deviation_on_values(p: Plan, dist: Sequence[tuple[Any, int]]) -> tuple[int, int]:
    """#{|T - ET| >= |t - ET|} and #{... >}, on statistic values T (for statistics,
    like t, that are not linear in the key), with the callables' tolerance."""
    keys = np.array([float(k) for k, _ in dist])
    counts = [c for _, c in dist]
    values = np.asarray(p.values_of_keys(keys), dtype=np.float64)
    total = sum(counts)
    center = float(sum(Fraction(float(v)) * c for v, c in zip(values, counts)) / total)
    dev0 = abs(p.observed - center)
    tol = 100 * np.finfo(np.float64).eps * dev0
    dev = np.abs(values - center)
    dev_ge = sum(c for d, c in zip(dev, counts) if d >= dev0 - tol)
    dev_gt = sum(c for d, c in zip(dev, counts) if d > dev0 + tol)
    return dev_ge, dev_gt


#: Largest null_distribution="full" permkit will build (bytes).
_FULL_LIMIT = 8 << 30


def _check_full_fits(null_distribution: str | None, runs: int, values_per_run: int) -> None:
    if null_distribution == "full":
        require_memory(
            runs * values_per_run * 16,
            f"null_distribution='full' ({runs * values_per_run} values while building)",
            limit=_FULL_LIMIT,
            hint="use null_distribution='histogram' or None",
        )


def _choose_method(total: int, exact: bool | None, limit: int | float) -> str:
    if exact is False:
        return "monte carlo"
    if exact is True:
        if total >= _RANK_LIMIT:
            raise ValueError(
                f"exact: {total} relabellings cannot be enumerated (limit 2**63); "
                "use exact=None or exact=False (Monte Carlo)"
            )
        return "exact"
    return "exact" if total <= limit else "monte carlo"


def _combine(
    results: list[PermutationTestResult | None],
    lead: tuple[int, ...],
    alternative: str,
    two_sided: str,
    null_distribution: str | None,
) -> PermutationTestResult:
    if not lead:
        if results[0] is None:  # nan_policy="propagate" on data with NaN
            return PermutationTestResult(
                math.nan, math.nan, None, None, None, 0, "none", alternative, two_sided
            )
        return results[0]
    shape = lead
    stat = np.full(shape, np.nan)
    pval = np.full(shape, np.nan)
    frac = np.empty(shape, dtype=object)
    n_ext = np.empty(shape, dtype=object)
    n_tot = np.empty(shape, dtype=object)
    methods: set[str] = set()
    nulls: list[NullDistribution] = []
    for index, r in zip(np.ndindex(shape), results):
        if r is None:
            continue
        stat[index], pval[index], frac[index] = r.statistic, r.pvalue, r.pvalue_fraction
        n_ext[index], n_tot[index] = r.n_extreme, r.n_total
        methods.add(r.method)
        nulls.append(r.null_distribution)
    null: NullDistribution = None
    full = cast("list[Array]", nulls)  # with null_distribution="full", every null is an array
    if (
        null_distribution == "full"
        and full
        and all(len(x) == len(full[0]) for x in full)
        and len(full) == len(results)
    ):
        null = np.stack(full, axis=-1).reshape((len(full[0]),) + shape)
    elif null_distribution is not None:
        null = np.empty(shape, dtype=object)
        for index, r in zip(np.ndindex(shape), results):
            null[index] = None if r is None else r.null_distribution
    return PermutationTestResult(
        stat,
        pval,
        null,
        frac,
        n_ext,
        n_tot,
        "/".join(sorted(methods)) or "none",
        alternative,
        two_sided,
    )


# --- callable statistics --------------------------------------------------


def _callable_layout(
    samples: list[Array], permutation_type: str
) -> tuple[Array, str, list[int], list[tuple[int, int]], int, int]:
    """(z, shape kind, sizes, sample slices, scipy's count, our count)."""
    k = len(samples)
    if permutation_type == "independent":
        sizes = [s.shape[-1] for s in samples]
        bounds = np.cumsum([0] + sizes)
        z = np.concatenate(samples, axis=-1)
        scipy_count = _count("independent", sizes)
        return z, "independent", sizes, list(zip(bounds[:-1], bounds[1:])), scipy_count, scipy_count
    n = samples[0].shape[-1]
    if permutation_type == "samples" and k > 2:
        count = math.factorial(k) ** n
        return (
            np.concatenate(samples, axis=-1),
            "blocks",
            [n] * k,
            [(i * n, (i + 1) * n) for i in range(k)],
            count,
            count,
        )
    if permutation_type == "samples":
        second = -samples[0] if k == 1 else samples[1]
        z = np.concatenate([samples[0], second], axis=-1)
        slices = [(0, n)] if k == 1 else [(0, n), (n, 2 * n)]
        count = 2**n
        return z, "paired", [n], slices, count, count
    # scipy reorders every sample: (n!)**k relabellings (a statistic need not be
    # invariant under reordering all samples alike, e.g. Page's L across rows).
    z = np.concatenate(samples, axis=-1)
    slices = [(i * n, (i + 1) * n) for i in range(k)]
    count = math.factorial(n) ** k
    return z, "pairings" if k == 1 else "all_pairings", [n] * k, slices, count, count


def _callable_test(
    samples: list[Array],
    statistic: Callable[..., Any],
    permutation_type: str,
    *,
    n_resamples: int | float,
    batch: int | None,
    alternative: str,
    rng: _KeySource,
    exact: bool | None,
    two_sided: str,
    mid_p: bool,
    null_distribution: str | None,
    executor: Executor | None,
    progress: bool,
    nan_mask: BoolArray | None,
    exact_limit: int | None = None,
) -> PermutationTestResult:
    z, shape_kind, sizes, slices, scipy_count, ours = _callable_layout(samples, permutation_type)
    observed = np.asarray(statistic(*samples, axis=-1))
    lead = samples[0].shape[:-1]
    if observed.shape != lead:
        raise ValueError(
            f"statistic: returned shape {observed.shape} for the observed data; expected {lead} "
            "(one value per slice along the other axes)"
        )
    if nan_mask is not None and observed.ndim == 0 and bool(nan_mask):
        # nan_policy="propagate": nothing is derived from a NaN result.
        return PermutationTestResult(
            math.nan, math.nan, None, None, None, 0, "none", alternative, two_sided
        )
    if exact is None and exact_limit is None:
        method = "exact" if scipy_count <= n_resamples else "monte carlo"
    else:
        method = _choose_method(
            ours, exact, exact_limit if exact_limit is not None else n_resamples
        )
    if method == "monte carlo":
        if n_resamples == math.inf:
            raise ValueError("n_resamples: must be finite for a Monte Carlo test")
        mc_key, runs = rng.key(), int(n_resamples)
    else:
        mc_key, runs = None, ours
    if null_distribution == "histogram" and observed.ndim:
        raise ValueError("null_distribution: 'histogram' needs a scalar statistic; use 'full'")
    _check_full_fits(null_distribution, runs, max(1, int(np.prod(lead))))
    eps = 100 * np.finfo(observed.dtype).eps if observed.dtype.kind == "f" else 0
    gamma = np.abs(eps * observed)
    m = z.shape[-1]
    per_row = max(1, m * max(1, int(np.prod(lead))))
    batch_size = int(batch) if batch is not None else max(1, min(runs, (1 << 22) // per_row))
    spec: dict[str, Any] = {
        "statistic": statistic,
        "z": z,
        "observed": observed,
        "gamma": gamma,
        "shape_kind": shape_kind,
        "sizes": sizes,
        "slices": slices,
        "mc_key": mc_key,
        "batch": batch_size,
        "collect": null_distribution or "none",
        "piece": max(batch_size, min(runs, batch_size * 8)),
    }
    bar = _engine.progress_bar(progress, runs, f"{method} statistic")
    try:
        counts = _engine.run(_engine.callable_task, spec, runs, executor, bar)
        if two_sided == "deviation" and alternative == "two-sided":
            spec.update(center=counts.value_sum / counts.total, dev_eps=eps, collect="none")
            dev = _engine.run(_engine.callable_task, spec, runs, executor, None)
            counts.dev_ge, counts.dev_gt = dev.dev_ge, dev.dev_gt
    finally:
        if bar is not None:
            bar.close()
    monte_carlo = method == "monte carlo"
    frac: Fraction | Array
    n_extreme: Fraction | int | Array
    pvalue: float | Array
    if observed.ndim == 0:
        frac, n_extreme = _pvalue(
            int(counts.le),
            int(counts.ge),
            int(counts.dev_ge),
            int(counts.dev_gt),
            counts.total,
            alternative,
            two_sided,
            mid_p,
            monte_carlo,
        )
        pvalue = float(frac)
        stat_out = observed[()]
    else:
        fracs = np.empty(lead, dtype=object)
        n_extremes = np.empty(lead, dtype=object)
        for index in np.ndindex(lead):

            def at(a: Any, index: tuple[int, ...] = index) -> int:
                return int(np.asarray(a)[index]) if np.ndim(a) else int(a)

            fracs[index], n_extremes[index] = _pvalue(
                at(counts.le),
                at(counts.ge),
                at(counts.dev_ge),
                at(counts.dev_gt),
                counts.total,
                alternative,
                two_sided,
                mid_p,
                monte_carlo,
            )
        stat_out = observed
        if nan_mask is not None:
            fracs[nan_mask] = None
            n_extremes[nan_mask] = None
            stat_out = np.where(nan_mask, np.nan, observed)
        pvalue = np.where(nan_mask, np.nan, fracs) if nan_mask is not None else fracs
        pvalue = pvalue.astype(np.float64)
        frac, n_extreme = fracs, n_extremes
    null: NullDistribution = None
    if null_distribution == "full":
        null = np.concatenate(counts.full, axis=0)
        if nan_mask is not None:
            null = np.where(nan_mask, np.nan, null)
    elif null_distribution == "histogram":
        keys = sorted(counts.histogram)
        null = NullHistogram(
            np.asarray(keys, dtype=np.float64), np.asarray([counts.histogram[k] for k in keys])
        )
    return PermutationTestResult(
        stat_out, pvalue, null, frac, n_extreme, counts.total, method, alternative, two_sided
    )
