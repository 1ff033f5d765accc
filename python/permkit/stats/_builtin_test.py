"""Permutation tests of built-in statistics: each slice's integer-score plan
runs on the Rust kernel that fits it (shift algorithm, blocks dynamic
programming, the exact-test engine, or Welch's exact classification), or on
the float path of the numpy definition."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any, cast

import numpy as np

from permkit import _native
from permkit.stats import _engine
from permkit.stats._builtins import Array, Plan, numpy_statistic, plan
from permkit.stats._callable_test import callable_test
from permkit.stats._kernel import SHIFT_MAX_WORDS, Thresholds
from permkit.stats._options import TestOptions
from permkit.stats._pvalues import check_full_fits, choose_method, combine, p_value
from permkit.stats._result import NullDistribution, NullHistogram, PermutationTestResult
from permkit.stats._samples import BoolArray

#: Map operations the blocks dynamic programming (friedman, page) may spend for exact=None
#: (1 << 24: under a second), and for exact=True; beyond them Monte Carlo / enumeration is used.
BLOCKS_WORK = 1 << 24
BLOCKS_FORCED_WORK = 1 << 30


def builtin_test(
    samples: list[Array],
    name: str,
    lead: tuple[int, ...],
    nan_mask: BoolArray | None,
    options: TestOptions,
) -> PermutationTestResult:
    """Test of the built-in statistic ``name`` on every slice along the lead axes."""
    slices = list(np.ndindex(lead)) if lead else [()]
    results: list[PermutationTestResult | None] = []
    for index in slices:
        if nan_mask is not None and nan_mask[index]:
            results.append(None)
            continue
        results.append(builtin_slice([s[index] for s in samples], name, options))
    return combine(results, lead, options.alternative, options.two_sided, options.null_distribution)


def builtin_slice(samples: list[Array], name: str, options: TestOptions) -> PermutationTestResult:
    """Test of the built-in statistic ``name`` on 1-D samples."""
    permutation_type, exact = options.permutation_type, options.exact
    null_distribution, deviation = options.null_distribution, options.deviation
    p = plan(name, permutation_type, samples, deviation)

    def float_path(exact_request: bool | None, show_progress: bool) -> PermutationTestResult:
        floats = replace(options, exact=exact_request, progress=show_progress)
        return callable_test(
            samples,
            numpy_statistic(name, permutation_type, len(samples)),
            floats,
            nan_mask=None,
            exact_limit=options.exact_limit,
        )

    if p.kernel == "blocks":
        distribution = None
        if exact is not False and null_distribution != "full":
            budget = BLOCKS_FORCED_WORK if exact else BLOCKS_WORK
            blocks = cast("list[list[int]]", p.scores)  # a blocks plan's scores are its rows
            distribution = _native.block_key_distribution(blocks, p.weights, budget)
        if distribution is None:  # Monte Carlo, "full", or beyond the dynamic programming
            return float_path(exact, options.progress)
        return distribution_slice(p, distribution, "exact", options)
    total = int(_native.relabellings(p.permutation_type, p.sizes))
    if total > options.exact_limit and exact is not False and null_distribution != "full":
        law = shift_law(p)
        if law is not None:
            return distribution_slice(p, law, "shift", options)
    method = choose_method(total, exact, options.exact_limit)
    if p.kernel == "welch" and (method != "exact" or null_distribution is not None or deviation):
        # Exact Welch classification covers exact counting; the rest uses scipy's float rule.
        return float_path(exact, options.progress)
    if method == "monte carlo":
        if options.n_resamples == math.inf:
            raise ValueError("n_resamples: must be finite for a Monte Carlo test")
        mc_key, runs = options.rng.key(), int(options.n_resamples)
    else:
        mc_key, runs = None, total
    check_full_fits(null_distribution, runs, 1)
    # A statistic not linear in the key (t) takes its deviation on values, from the key's histogram.
    values_deviation = deviation and p.deviation is None
    spec: dict[str, Any] = {
        "plan": p.welch_plan() if p.kernel == "welch" else p.key_plan(deviation),
        "mc_key": mc_key,
        "collect": null_distribution or ("histogram" if values_deviation else "none"),
        "workers": 1 if options.executor is not None else options.workers,
    }
    bar = _engine.progress_bar(options.progress, runs, f"{method} {name}")
    try:
        try:
            counts = _engine.run(_engine.builtin_task, spec, runs, options.executor, bar)
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
        counts.dev_ge, counts.dev_gt = deviation_on_values(p, sorted(histogram.items()))
    frac, n_extreme = p_value(
        counts.le,
        counts.ge,
        counts.dev_ge,
        counts.dev_gt,
        counts.total,
        options.alternative,
        options.two_sided,
        options.mid_p,
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
        p.observed,
        float(frac),
        null,
        frac,
        n_extreme,
        counts.total,
        method,
        options.alternative,
        options.two_sided,
    )


def shift_law(p: Plan) -> list[tuple[int, int]] | None:
    """The exact distribution of the key by the shift algorithm, or None when the
    plan has no shift scores or its table would exceed SHIFT_MAX_WORDS."""
    if p.shift_scores is None:
        return None
    words = _native.shift_table_words(p.permutation_type, p.shift_scores, p.sizes[0])
    if words is None or words > SHIFT_MAX_WORDS:
        return None
    return _native.shift_distribution(p.permutation_type, p.shift_scores, p.sizes[0])


def distribution_slice(
    p: Plan, dist: Sequence[tuple[int, int]], method: str, options: TestOptions
) -> PermutationTestResult:
    """Exact p-value from the exact distribution of the key: (key, count) ascending."""
    deviation = options.deviation
    linear_deviation = p.deviation if deviation else None
    n, ge, le, dev_ge, dev_gt = _native.law_tally(
        list(dist), Thresholds(p.ge, p.le, linear_deviation)
    )
    if deviation and p.deviation is None:
        dev_ge, dev_gt = deviation_on_values(p, dist)
    frac, n_extreme = p_value(
        le, ge, dev_ge, dev_gt, n, options.alternative, options.two_sided, options.mid_p, False
    )
    null: NullDistribution = None
    if options.null_distribution == "histogram":
        keys = np.array([float(k) for k, _ in dist])
        counts = np.array([c for _, c in dist], dtype=np.int64 if n < 2**63 else object)
        null = NullHistogram(np.asarray(p.values_of_keys(keys), dtype=np.float64), counts)
    return PermutationTestResult(
        p.observed,
        float(frac),
        null,
        frac,
        n_extreme,
        n,
        method,
        options.alternative,
        options.two_sided,
    )


def deviation_on_values(p: Plan, dist: Sequence[tuple[Any, int]]) -> tuple[int, int]:
    """#{|T - ET| >= |t - ET|} and #{... >}, on statistic values T (for statistics,
    like t, that are not linear in the key), with the callables' tolerance."""
    keys = np.array([float(k) for k, _ in dist])
    counts = [c for _, c in dist]
    values = np.asarray(p.values_of_keys(keys), dtype=np.float64)
    total = sum(counts)
    if not np.isfinite(values).all():
        # inf - inf: the null mean, and so every deviation from it, is undefined.
        raise ValueError(
            "two_sided: 'deviation' needs a finite statistic for every relabelling, but "
            "the statistic is infinite for some (a group with zero variance); "
            "use two_sided='double'"
        )
    center = float(sum(Fraction(float(v)) * c for v, c in zip(values, counts)) / total)
    dev0 = abs(p.observed - center)
    tol = 100 * np.finfo(np.float64).eps * dev0
    dev = np.abs(values - center)
    dev_ge = sum(c for d, c in zip(dev, counts) if d >= dev0 - tol)
    dev_gt = sum(c for d, c in zip(dev, counts) if d > dev0 + tol)
    return dev_ge, dev_gt
