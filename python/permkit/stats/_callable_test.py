"""Permutation tests of Python statistics: relabelled rows gathered in batches
(indices from the Rust core), the statistic evaluated on each batch, counts
tallied locally or on an executor."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from permkit import _native
from permkit.stats import _engine
from permkit.stats._builtins import Array
from permkit.stats._options import TestOptions
from permkit.stats._pvalues import check_full_fits, choose_method, p_value
from permkit.stats._result import NullDistribution, NullHistogram, PermutationTestResult
from permkit.stats._samples import BoolArray


def callable_layout(
    samples: list[Array], permutation_type: str
) -> tuple[Array, list[int], list[tuple[int, int]], int]:
    """(z: the samples side by side, the relabelled samples' sizes, each sample's
    slice of z, the number of relabellings)."""
    k = len(samples)
    if permutation_type == "independent":
        sizes = [s.shape[-1] for s in samples]
        bounds = np.cumsum([0] + sizes)
        z = np.concatenate(samples, axis=-1)
        slices = list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))
    else:
        # "samples": one sample is flipped against its negation; "pairings": scipy
        # reorders every sample ((n!)**k: a statistic need not be invariant under
        # reordering all samples alike, e.g. Page's L across rows).
        n = samples[0].shape[-1]
        sizes = [n] * k
        pair = permutation_type == "samples" and k == 1
        z = np.concatenate([samples[0], -samples[0]] if pair else samples, axis=-1)
        slices = [(i * n, (i + 1) * n) for i in range(k)]
    return z, sizes, slices, int(_native.relabellings(permutation_type, sizes))


def callable_test(
    samples: list[Array],
    statistic: Callable[..., Any],
    options: TestOptions,
    nan_mask: BoolArray | None,
    exact_limit: int | None = None,
) -> PermutationTestResult:
    """Test of a vectorized ``statistic``; ``exact_limit``: the enumeration limit of
    exact=None (default: scipy's rule, exact iff the count <= n_resamples)."""
    alternative, two_sided, mid_p = options.alternative, options.two_sided, options.mid_p
    null_distribution, n_resamples = options.null_distribution, options.n_resamples
    exact, executor, batch = options.exact, options.executor, options.batch
    z, sizes, slices, count = callable_layout(samples, options.permutation_type)
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
    method = choose_method(count, exact, exact_limit if exact_limit is not None else n_resamples)
    if method == "monte carlo":
        if n_resamples == math.inf:
            raise ValueError("n_resamples: must be finite for a Monte Carlo test")
        mc_key, runs = options.rng.key(), int(n_resamples)
    else:
        mc_key, runs = None, count
    if null_distribution == "histogram" and observed.ndim:
        raise ValueError("null_distribution: 'histogram' needs a scalar statistic; use 'full'")
    check_full_fits(null_distribution, runs, max(1, int(np.prod(lead))))
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
        "permutation_type": options.permutation_type,
        "sizes": sizes,
        "slices": slices,
        "mc_key": mc_key,
        "batch": batch_size,
        "collect": null_distribution or "none",
        "piece": max(batch_size, min(runs, batch_size * 8)),
    }
    bar = _engine.progress_bar(options.progress, runs, f"{method} statistic")
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
        frac, n_extreme = p_value(
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

            fracs[index], n_extremes[index] = p_value(
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
