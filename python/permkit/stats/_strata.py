"""Stratified (blocked) two-sample permutation tests: ``permutation_test(..., strata=)``.

Observations are relabelled within their stratum only (R coin's ``block``).
The key is the pooled group-1 sum of integer scores; its exact law is the
convolution of the per-stratum laws (shift algorithm or walk), computed in
Rust (spec: docs/exact_tests.md, "Stratified designs").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from permkit import _native
from permkit.stats._kernel import Thresholds
from permkit.stats._options import TestOptions
from permkit.stats._pvalues import p_value
from permkit.stats._result import NullHistogram, PermutationTestResult
from permkit.stats._scores import doubled_midranks, integer_scores

#: Built-in statistics with strata=: all are increasing in the pooled group-1 score sum.
STRATA_STATISTICS = ("sum", "mean_diff", "rank_sum", "van_elteren")


def _labels_per_observation(strata: Any, sizes: Sequence[int]) -> np.ndarray:
    """One label per observation, samples concatenated in order."""
    total = sum(sizes)
    if (
        isinstance(strata, (tuple, list))
        and len(strata) == len(sizes)
        and all(np.ndim(s) == 1 and len(s) == n for s, n in zip(strata, sizes))
    ):
        parts = [np.asarray(s) for s in strata]
        labels = np.concatenate(parts) if len({p.dtype.kind for p in parts}) == 1 else None
        if labels is None:
            raise TypeError("strata: labels of all samples must have one type")
    else:
        labels = np.asarray(strata)
        if labels.ndim != 1 or len(labels) != total:
            raise ValueError(
                f"strata: expected one label per observation ({total} labels, samples "
                f"concatenated, or one label array per sample), got shape {labels.shape}"
            )
    if labels.size == 0:
        raise ValueError("strata: empty; give one label per observation")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError("strata: contains NaN labels")
    if labels.dtype.kind == "O" and any(
        v is None or (isinstance(v, float) and math.isnan(v)) for v in labels
    ):
        raise ValueError("strata: contains missing (None or NaN) labels")
    return labels


def _samples(data: Any, axis: Any) -> list[np.ndarray]:
    if isinstance(data, np.ndarray) or not isinstance(data, (tuple, list)):
        raise TypeError("data: expected a tuple or list of samples (array-likes)")
    if len(data) != 2:
        raise ValueError(f"data: strata= supports two samples, got {len(data)}")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis: must be an integer, got {axis!r}")
    out = []
    for i, sample in enumerate(data):
        a = np.asarray(sample)
        if a.dtype.kind == "b":
            a = a.astype(np.int64)
        if a.dtype.kind not in "iuf":
            raise TypeError(
                f"data: sample {i} must be real numbers (int or float), got dtype {a.dtype}"
            )
        if a.ndim != 1 or axis not in (0, -1):
            raise ValueError(
                f"data: strata= needs one-dimensional samples (axis 0), got sample {i} "
                f"with shape {a.shape} and axis={axis}"
            )
        out.append(a)
    return out


def _strata_scores(
    statistic: str, x: np.ndarray, y: np.ndarray, codes: np.ndarray, n_strata: int
) -> tuple[list[tuple[list[int], int]], int, float, Fraction]:
    """Per-stratum (integer scores with group 1 first, group-1 size), observed key, statistic, scale."""
    values = np.concatenate([x, y])
    in_x = np.arange(len(values)) < len(x)
    members = [np.flatnonzero(codes == s) for s in range(n_strata)]
    members = [np.concatenate([m[in_x[m]], m[~in_x[m]]]) for m in members]
    if statistic in ("sum", "mean_diff"):
        (ints,), scale = integer_scores([values])
        per = [[ints[i] for i in m] for m in members]
    else:
        (ints,), _ = integer_scores([values])
        per = [doubled_midranks([ints[i] for i in m]) for m in members]
        scale = Fraction(1, 2)
        if statistic == "van_elteren":
            # Midrank / (n_s + 1) on one common integer scale.
            common = math.lcm(*(len(m) + 1 for m in members))
            per = [[v * (common // (len(m) + 1)) for v in p] for p, m in zip(per, members)]
            scale = Fraction(1, 2 * common)
    strata = [(p, int(in_x[m].sum())) for p, m in zip(per, members)]
    key0 = sum(sum(p[:n1]) for p, n1 in strata)
    mean_diff = float(np.mean(x) - np.mean(y))
    observed = mean_diff if statistic == "mean_diff" else float(key0 * scale)
    return strata, key0, observed, scale


def _key_values(
    statistic: str, keys: np.ndarray, scale: Fraction, total_key: int, n1: int, n2: int
) -> np.ndarray:
    if statistic == "mean_diff":
        return (keys / n1 - (total_key - keys) / n2) * float(scale)
    return keys * float(scale)


def stratified_test(
    data: Any,
    statistic: Any,
    strata: Any,
    options: TestOptions,
    *,
    axis: Any,
    nan_policy: str,
    vectorized: bool | None,
) -> PermutationTestResult:
    """``permutation_test`` with ``strata=``: relabel within strata only.

    Built-in statistics: "sum" (pooled group-1 sum; 0/1 data give the
    Cochran-Mantel-Haenszel test of 2 x 2 x K tables), "mean_diff",
    "rank_sum" (within-stratum midranks: the stratified Wilcoxon test) and
    "van_elteren" (within-stratum midranks / (n_s + 1)).
    """
    permutation_type, alternative, two_sided = (
        options.permutation_type,
        options.alternative,
        options.two_sided,
    )
    null_distribution, exact, batch = options.null_distribution, options.exact, options.batch
    if not isinstance(permutation_type, str) or permutation_type.lower() != "independent":
        raise ValueError(
            f"strata: supported with permutation_type='independent' only, got {permutation_type!r}"
        )
    if not isinstance(statistic, str) or statistic not in STRATA_STATISTICS:
        raise ValueError(f"statistic: with strata=, one of {STRATA_STATISTICS}, got {statistic!r}")
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(
            f"alternative: must be 'two-sided', 'less' or 'greater', got {alternative!r}"
        )
    if two_sided not in ("double", "deviation"):
        raise ValueError(f"two_sided: must be 'double' or 'deviation', got {two_sided!r}")
    if null_distribution not in (None, "histogram"):
        raise ValueError(
            f"null_distribution: with strata=, None or 'histogram', got {null_distribution!r}"
        )
    if exact not in (None, True, False):
        raise ValueError(f"exact: must be None, True or False, got {exact!r}")
    if nan_policy not in ("raise", "propagate", "omit"):
        raise ValueError(f"nan_policy: must be 'raise', 'propagate' or 'omit', got {nan_policy!r}")
    if options.executor is not None:
        raise ValueError("executor: not supported with strata= (the Rust kernel runs it)")
    # Built-in statistics only: there is no callable to batch or vectorize, and the exact
    # law / Monte Carlo run is one Rust call with no progress to report.
    if batch is not None:
        raise ValueError(f"batch: not supported with strata= (built-in statistics), got {batch!r}")
    if vectorized is not None:
        raise ValueError(
            f"vectorized: not supported with strata= (built-in statistics), got {vectorized!r}"
        )
    if options.progress is not False:
        raise ValueError(
            "progress: not supported with strata= (one Rust call, no progress bar), "
            f"got {options.progress!r}"
        )
    x, y = _samples(data, axis)
    labels = _labels_per_observation(strata, [len(x), len(y)])
    bad = ~np.isfinite(np.concatenate([x, y]).astype(np.float64))
    if bad.any():
        if nan_policy == "raise":
            raise ValueError(
                "data: contains NaN or infinity; pass nan_policy='omit' to drop those "
                "observations or 'propagate' to return NaN"
            )
        if nan_policy == "propagate":
            return PermutationTestResult(
                statistic=np.float64(np.nan),
                pvalue=np.float64(np.nan),
                null_distribution=None,
                pvalue_fraction=None,  # as permutation_test's NaN result
                n_extreme=None,
                n_total=0,
                method="none",
                alternative=alternative,
                two_sided=two_sided,
            )
        keep = ~bad
        x, y = x[keep[: len(x)]], y[keep[len(x) :]]
        labels = labels[keep]
    if len(x) < 1 or len(y) < 1:
        raise ValueError("data: each sample needs at least one observation")
    try:
        names, codes = np.unique(labels, return_inverse=True)
    except TypeError:
        raise TypeError("strata: labels must be mutually comparable (one type)") from None
    sizes = np.bincount(codes, minlength=len(names))
    if (sizes < 2).any():
        lonely = names[np.flatnonzero(sizes < 2)[0]].item()
        raise ValueError(
            f"strata: stratum {lonely!r} has a single observation; every stratum needs "
            "two or more (a lone observation cannot be relabelled)"
        )
    groups, key0, observed, scale = _strata_scores(statistic, x, y, codes, len(names))
    total_key = sum(sum(p) for p, _ in groups)
    n1, n2 = len(x), len(y)
    # E[K] = sum_s n1_s * mean_s, exactly.
    expected = sum((Fraction(sum(p) * k, len(p)) for p, k in groups), Fraction(0))
    deviation = options.deviation
    # |scale*K - center| >= at  <=>  |K - E[K]| >= |key0 - E[K]|, in integers.
    scale_dev = math.lcm(*(len(p) for p, _ in groups))
    center = int(expected * scale_dev)
    at = abs(scale_dev * key0 - center)
    rule = Thresholds(key0, key0, (scale_dev, center, at, at) if deviation else None)
    law = None
    if exact is not False:
        try:
            law = _native.strata_distribution(groups)
        except OverflowError as exc:
            if exact is True:
                raise OverflowError(
                    f"strata: no exact law for these scores ({exc}); use exact=None or False"
                ) from None
    if law is not None:
        total, ge, le, dev_ge, dev_gt = _native.law_tally(law, rule)
        method = "shift"
    else:
        if options.n_resamples == math.inf:
            raise ValueError("n_resamples: must be finite for a Monte Carlo test")
        if null_distribution is not None:
            raise ValueError(
                "null_distribution: 'histogram' with strata= needs the exact law (exact=None/True)"
            )
        try:
            total, ge, le, dev_ge, dev_gt = _native.strata_monte_carlo(
                groups, rule, options.rng.key(), int(options.n_resamples), options.workers
            )
        except OverflowError:
            raise OverflowError(
                "data: values too large or too finely spread for exact 128-bit scores; "
                "scale the data"
            ) from None
        method = "monte carlo"
    frac, n_extreme = p_value(
        le,
        ge,
        dev_ge,
        dev_gt,
        total,
        alternative,
        two_sided,
        options.mid_p,
        method == "monte carlo",
    )
    null = None
    if null_distribution == "histogram" and law is not None:
        keys = np.array([float(k) for k, _ in law])
        counts = np.array([c for _, c in law], dtype=np.int64 if total < 2**63 else object)
        null = NullHistogram(_key_values(statistic, keys, scale, total_key, n1, n2), counts)
    return PermutationTestResult(
        statistic=np.float64(observed),
        pvalue=np.float64(float(frac)),
        null_distribution=null,
        pvalue_fraction=frac,
        n_extreme=n_extreme,
        n_total=total,
        method=method,
        alternative=alternative,
        two_sided=two_sided,
    )
