"""Exact permutation tests: a streaming, drop-in ``scipy.stats.permutation_test``.

Every relabelling is visited in Rust without being materialised (memory O(n));
built-in statistics use exact integer arithmetic, so ties are never
misclassified. Spec: docs/exact_tests.md.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from permkit.stats import _strata
from permkit.stats._builtin_test import builtin_test
from permkit.stats._builtins import BUILTINS, check_builtin
from permkit.stats._callable_test import callable_test
from permkit.stats._fisher import SignificanceResult, fisher_exact
from permkit.stats._maxt import MaxTResult, maxt
from permkit.stats._options import KeySource, TestOptions, check_options, check_rng
from permkit.stats._pvalues import check_full_fits
from permkit.stats._result import NullHistogram, PermutationTestResult
from permkit.stats._samples import apply_nan_policy, as_samples, vectorize
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

#: exact=None enumerates built-in statistics exactly up to this many relabellings
#: (2**31: a few seconds); a test reads it when it is called.
EXACT_LIMIT = 2**31


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
    options = TestOptions(
        permutation_type=permutation_type,
        n_resamples=n_resamples,
        batch=batch,
        alternative=alternative,
        rng=KeySource(check_rng(rng, random_state)),
        exact=exact,
        two_sided=two_sided,
        mid_p=mid_p,
        null_distribution=null_distribution,
        workers=workers,
        executor=executor,
        progress=progress,
        exact_limit=EXACT_LIMIT,
    )
    if strata is not None:  # stratified_test checks these options its own way
        return _strata.stratified_test(
            data,
            statistic,
            strata,
            options,
            axis=axis,
            nan_policy=nan_policy,
            vectorized=vectorized,
        )
    permutation_type, alternative, batch = check_options(
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
    options = replace(
        options, permutation_type=permutation_type, alternative=alternative, batch=batch
    )
    result = _test(data, statistic, vectorized, axis, nan_policy, options)
    if null_distribution is None and result.method != "none":
        # Read on access: rerun collecting every value, same relabellings (same key), same guard.
        rerun_exact = True if result.method in ("exact", "shift") else exact
        if result.method == "monte carlo":
            rerun_exact = False

        def full_null() -> Any:
            if result.method in ("exact", "shift"):  # refuse before enumerating
                totals = np.ravel(np.asarray(result.n_total, dtype=object))
                runs = max((int(t) for t in totals if t is not None), default=0)
                check_full_fits("full", runs, totals.size)
            rerun = replace(
                options,
                exact=rerun_exact,
                two_sided="double",
                null_distribution="full",
                progress=False,
            )
            return _test(data, statistic, vectorized, axis, nan_policy, rerun).null_distribution

        result.compute_null_on_access(full_null)
    return result


def _test(
    data: Sequence[Any],
    statistic: str | Callable[..., Any],
    vectorized: bool | None,
    axis: Any,
    nan_policy: str,
    options: TestOptions,
) -> PermutationTestResult:
    permutation_type = options.permutation_type
    samples = as_samples(data, axis, permutation_type)
    samples, propagate_nan = apply_nan_policy(samples, nan_policy, permutation_type)
    for s in samples:
        if s.shape[-1] < 2:
            raise ValueError(
                "data: each sample must contain two or more observations along axis, "
                f"got {s.shape[-1]}"
            )
    if isinstance(statistic, str):
        check_builtin(statistic, permutation_type, len(samples))
        return builtin_test(samples, statistic, samples[0].shape[:-1], propagate_nan, options)
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
        statistic = vectorize(statistic)
    return callable_test(samples, statistic, options, nan_mask=propagate_nan)
