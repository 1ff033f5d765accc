"""Westfall-Young single-step max-T adjusted p-values: :func:`maxt`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from permkit import _native
from permkit.stats._options import mc_key as monte_carlo_key

__all__ = ["MaxTResult", "maxt"]

_STATISTICS = ("t", "welch_t", "mean_diff")


@dataclass(frozen=True)
class MaxTPlan:
    """One max-T run as the Rust kernel takes it: group 0 is the first ``n1``
    observations; relabellings 0..runs are every split (``mc_key`` None) or
    Monte Carlo resamples of the exact-test engine's stream ``mc_key``."""

    n1: int
    statistic: str
    alternative: str
    mc_key: int | None
    runs: int


@dataclass
class MaxTResult:
    """Per-variable statistics with max-T adjusted and unadjusted (raw) p-values.

    ``pvalue`` controls the family-wise error rate (Westfall and Young 1993,
    single step); ``pvalue_raw`` is each variable's own permutation p-value
    from the same relabellings. ``n_total`` relabellings were used
    (``method`` "exact" or "monte carlo").
    """

    statistic: np.ndarray
    pvalue: np.ndarray
    pvalue_raw: np.ndarray
    n_total: int
    method: str
    alternative: str


def maxt(
    data: Any,
    labels: Any,
    *,
    statistic: str = "t",
    alternative: str = "two-sided",
    n_resamples: int | float = 9999,
    exact: bool | None = None,
    rng: Any = None,
    axis: int = 0,
    workers: int | None = None,
) -> MaxTResult:
    """Westfall-Young max-T test of m variables between two groups.

    ``data`` holds n observations of m variables (observations along
    ``axis``); ``labels`` gives each observation's group, two distinct
    values: the smaller one (in sorted order) is the first sample ``x``, so
    statistics are x minus y. ``statistic``: "t" (pooled Student t),
    "welch_t" or "mean_diff". All m statistics are computed for every
    relabelling in Rust (rayon; output independent of ``workers``); the
    relabellings are those of ``permutation_test`` on (x, y): every split when
    ``exact`` (None: when C(n, n_x) <= ``n_resamples``), otherwise
    ``n_resamples`` Monte Carlo resamples of the exact-test engine's Squares
    stream seeded by ``rng``. Exact p = count / C(n, n_x); Monte Carlo
    p = (count + 1) / (n_resamples + 1). Ties use scipy's tolerance
    (100 float64 epsilons, relative).

    >>> import numpy as np
    >>> from permkit.stats import maxt
    >>> data = np.array([[5.1, 1.0], [6.2, 2.0], [5.8, 1.5], [1.0, 1.2], [1.5, 2.1], [0.9, 1.4]])
    >>> res = maxt(data, [0, 0, 0, 1, 1, 1], statistic="mean_diff")
    >>> res.method, res.n_total, [float(p) for p in res.pvalue]
    ('exact', 20, [0.1, 1.0])
    """
    if statistic not in _STATISTICS:
        raise ValueError(f"statistic: must be one of {_STATISTICS}, got {statistic!r}")
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(
            f"alternative: must be 'two-sided', 'less' or 'greater', got {alternative!r}"
        )
    if exact not in (None, True, False):
        raise ValueError(f"exact: must be None, True or False, got {exact!r}")
    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, float, np.integer, np.floating))
        or not (n_resamples == math.inf or (n_resamples > 0 and n_resamples == int(n_resamples)))
    ):
        raise ValueError(f"n_resamples: must be a positive integer (or inf), got {n_resamples!r}")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers <= 0
    ):
        raise ValueError(f"workers: must be a positive integer or None, got {workers!r}")
    if (
        isinstance(axis, bool)
        or not isinstance(axis, (int, np.integer))
        or axis not in (0, 1, -1, -2)
    ):
        raise ValueError(f"axis: must be 0 or 1 (the observations axis), got {axis!r}")
    a = np.asarray(data)
    if a.dtype.kind not in "iufb":
        raise TypeError(f"data: must be real numbers, got dtype {a.dtype}")
    if a.ndim == 1:
        a = a[:, None] if axis in (0, -2) else a[None, :]
    if a.ndim != 2:
        raise ValueError(f"data: must be 2-D (observations x variables), got shape {a.shape}")
    a = np.moveaxis(a.astype(np.float64), axis, 0)
    if not np.isfinite(a).all():
        raise ValueError("data: contains NaN or infinity")
    lab = np.asarray(labels)
    if lab.ndim != 1 or len(lab) != a.shape[0]:
        raise ValueError(
            f"labels: expected one label per observation ({a.shape[0]}), got shape {lab.shape}"
        )
    if lab.dtype.kind == "f" and np.isnan(lab).any():
        raise ValueError("labels: contains NaN")
    try:
        groups, codes = np.unique(lab, return_inverse=True)
    except TypeError:
        raise TypeError("labels: must be mutually comparable (one type)") from None
    if len(groups) != 2:
        raise ValueError(f"labels: need exactly two distinct groups, got {len(groups)}")
    n1, n2 = int((codes == 0).sum()), int((codes == 1).sum())
    if n1 < 2 or n2 < 2:
        raise ValueError(f"labels: each group needs two or more observations, got {n1} and {n2}")
    if a.shape[1] == 0:
        raise ValueError("data: no variables")
    ordered = np.ascontiguousarray(np.concatenate([a[codes == 0], a[codes == 1]]))
    total = int(_native.relabellings("independent", [n1, n2]))
    if exact is None:
        exact = total <= n_resamples
    if exact:
        if total >= 2**63:
            raise ValueError(
                f"exact: {total} relabellings cannot be enumerated (limit 2**63); use exact=False"
            )
        mc_key, runs = None, total
    else:
        if n_resamples == math.inf:
            raise ValueError("n_resamples: must be finite for a Monte Carlo test")
        mc_key, runs = monte_carlo_key(rng), int(n_resamples)
    observed, raw, adjusted = _native.maxt_counts(
        ordered, MaxTPlan(n1, statistic, alternative, mc_key, runs), workers
    )
    extra = 0 if exact else 1
    denominator = runs + extra
    pvalue = (adjusted + extra) / denominator
    pvalue_raw = (raw + extra) / denominator
    nan = np.isnan(observed)
    pvalue[nan] = np.nan
    pvalue_raw[nan] = np.nan
    return MaxTResult(
        statistic=observed,
        pvalue=pvalue,
        pvalue_raw=pvalue_raw,
        n_total=runs,
        method="exact" if exact else "monte carlo",
        alternative=alternative,
    )
