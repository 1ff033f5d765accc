"""Fisher's exact test: scipy's ``fisher_exact`` signature, exact for r x c tables."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from permkit import _native

__all__ = ["SignificanceResult", "fisher_exact"]


class SignificanceResult(NamedTuple):
    """``statistic`` and ``pvalue`` as numpy float64 scalars; unpacks like scipy's result."""

    statistic: np.float64
    pvalue: np.float64


_ALTERNATIVES = ("two-sided", "less", "greater")


def _check_table(table: Any) -> np.ndarray:
    try:
        a = np.asarray(table)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"table: not an array of counts ({exc})") from None
    if a.dtype.kind == "b":
        a = a.astype(np.int64)
    if a.dtype.kind not in "iuf":
        raise ValueError(f"table: counts must be real numbers, got dtype {a.dtype}")
    if a.ndim != 2:
        raise ValueError(f"table: The input `table` must have two dimensions (got ndim={a.ndim}).")
    if a.dtype.kind == "f":
        if np.isnan(a).any():
            raise ValueError("table: contains NaN (counts must be non-negative integers)")
        if np.isinf(a).any() or np.any(a != np.floor(a)):
            raise ValueError("table: counts must be non-negative integers, got non-integer values")
    if np.any(a < 0):
        raise ValueError("table: All values in `table` must be nonnegative.")
    if a.size and a.max() >= 2**62:
        raise OverflowError("table: counts must be below 2**62")
    return a.astype(np.int64)


def _check_method(method: Any) -> None:
    """scipy's rules for ``method``; permkit answers both resampling methods exactly."""
    kind = type(method).__name__
    if kind == "MonteCarloMethod" and getattr(method, "rvs", None) is not None:
        raise ValueError(
            "method: If the `method` argument of `fisher_exact` is an instance of "
            "`MonteCarloMethod`, its `rvs` attribute must be unspecified."
        )
    if kind not in ("PermutationMethod", "MonteCarloMethod"):
        raise ValueError(
            f"method: `{method=}` not recognized; if provided, `method` must be an "
            "instance of `PermutationMethod` or `MonteCarloMethod` (or None: exact)."
        )


def fisher_exact(
    table: Any, alternative: str | None = None, *, method: Any = None
) -> SignificanceResult:
    """Fisher's exact test, a drop-in for ``scipy.stats.fisher_exact``.

    2 x 2 tables (``method=None``): ``statistic`` is the sample odds ratio
    ``a*d / (b*c)`` and ``pvalue`` the hypergeometric p-value for
    ``alternative`` ("two-sided", the default, sums the tables at most as
    probable as the observed one, relative tolerance 1e-7 as in R's
    ``fisher.test``). r x c tables, or any table when ``method`` is given:
    ``statistic`` is the probability of the observed table given its margins
    and ``pvalue`` is the *exact* Fisher-Freeman-Halton p-value, computed by a
    network algorithm in Rust (scipy estimates it by Monte Carlo;
    a scipy ``PermutationMethod`` / ``MonteCarloMethod`` is accepted and
    answered exactly). Zero rows or columns are allowed and play no part.

    >>> from permkit.stats import fisher_exact
    >>> res = fisher_exact([[8, 2], [1, 5]])
    >>> float(res.statistic), round(float(res.pvalue), 6)
    (20.0, 0.034965)
    >>> round(float(fisher_exact([[3, 1, 0], [1, 3, 4]]).pvalue), 6)
    0.2
    """
    c = _check_table(table)
    if c.shape == (2, 2) and method is None:
        alternative = "two-sided" if alternative is None else alternative
        if alternative not in _ALTERNATIVES:
            raise ValueError(
                f"alternative: must be one of {_ALTERNATIVES}, got {alternative!r} "
                "(`alternative` should be one of {'two-sided', 'less', 'greater'})"
            )
        if 0 in c.sum(axis=0) or 0 in c.sum(axis=1):
            # Only one table has these margins; scipy reports an undefined odds ratio.
            return SignificanceResult(np.float64(np.nan), np.float64(1.0))
        a, b, cc, d = (int(v) for v in c.ravel())
        odds = np.float64(a * d) / np.float64(b * cc) if b > 0 and cc > 0 else np.float64(np.inf)
        less, greater, two = _native.fisher_2x2(a, b, cc, d)
        p = {"less": less, "greater": greater, "two-sided": two}[alternative]
        return SignificanceResult(np.float64(odds), np.float64(p))
    if alternative is not None:
        raise ValueError(
            "alternative: `alternative` must be the default (None) unless `table` has "
            "shape `(2, 2)` and `method is None`."
        )
    if method is not None:
        _check_method(method)
    if c.size == 0:
        raise ValueError("table: `table` must have at least one row and one column.")
    if c.shape[0] == 1 or c.shape[1] == 1 or not c.any():
        return SignificanceResult(np.float64(1.0), np.float64(1.0))
    probability, pvalue = _native.fisher_rxc([int(v) for v in c.ravel()], c.shape[1])
    return SignificanceResult(np.float64(probability), np.float64(pvalue))
