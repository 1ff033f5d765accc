"""The result of :func:`permkit.stats.permutation_test`."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, NamedTuple, Union

import numpy as np


class NullHistogram(NamedTuple):
    """The exact null distribution as distinct values (ascending) with their counts."""

    values: np.ndarray
    counts: np.ndarray


NullDistribution = Union[np.ndarray, NullHistogram, None]


def _as_numpy(value: Any) -> Any:
    """Python floats and ints become numpy scalars (np.float64), as scipy returns them."""
    if type(value) in (float, int):
        return np.float64(value)
    return value


class PermutationTestResult:
    """scipy's fields (statistic, pvalue, null_distribution) plus exact counts.

    ``statistic`` and ``pvalue`` are numpy scalars (np.float64) or arrays, as
    in scipy. ``null_distribution`` is what the test was asked to collect
    (``null_distribution="full"`` or ``"histogram"``); by default nothing is
    collected while testing, and reading the attribute computes the full null
    distribution then (once, under the same memory guard as ``"full"``), so a
    scipy user always finds it. ``pvalue_fraction`` is the p-value as an exact
    fraction; ``n_extreme`` and ``n_total`` are the counts it is made of (see
    docs/exact_tests.md); ``method`` is "exact", "shift" or "monte carlo".
    """

    def __init__(
        self,
        statistic: Any,
        pvalue: Any,
        null_distribution: NullDistribution,
        pvalue_fraction: Fraction | np.ndarray | None,
        n_extreme: Any,
        n_total: Any,
        method: str,
        alternative: str,
        two_sided: str,
    ) -> None:
        self.statistic = _as_numpy(statistic)
        self.pvalue = _as_numpy(pvalue)
        self._null: NullDistribution = null_distribution
        self._null_source: Callable[[], NullDistribution] | None = None
        self.pvalue_fraction = pvalue_fraction
        self.n_extreme = n_extreme
        self.n_total = n_total
        self.method = method
        self.alternative = alternative
        self.two_sided = two_sided

    @property
    def null_distribution(self) -> NullDistribution:
        """The null distribution (computed on first access unless collected while testing)."""
        if self._null is None and self._null_source is not None:
            source, self._null_source = self._null_source, None
            self._null = source()
        return self._null

    @null_distribution.setter
    def null_distribution(self, value: NullDistribution) -> None:
        self._null, self._null_source = value, None

    def compute_null_on_access(self, source: Callable[[], NullDistribution]) -> None:
        """Let ``null_distribution`` be computed by ``source()`` when first read."""
        if self._null is None:
            self._null_source = source

    def __getstate__(self) -> dict[str, Any]:
        # A pending null distribution is not carried along (its source is a closure over
        # the data); a pickled result holds what was collected.
        state = dict(self.__dict__)
        state["_null_source"] = None
        return state

    def __repr__(self) -> str:
        null = "<computed on access>" if self._null_source is not None else repr(self._null)
        return (
            f"PermutationTestResult(statistic={self.statistic!r}, pvalue={self.pvalue!r}, "
            f"null_distribution={null}, pvalue_fraction={self.pvalue_fraction!r}, "
            f"n_extreme={self.n_extreme!r}, n_total={self.n_total!r}, method={self.method!r}, "
            f"alternative={self.alternative!r}, two_sided={self.two_sided!r})"
        )

    def plot(self, ax: Any = None, bins: int = 50) -> Any:
        """Plot the null distribution with the observed statistic marked (needs matplotlib).

        Uses the collected null distribution, or computes the full one (see
        ``null_distribution``). Returns the matplotlib Axes.
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError(
                "plot() needs matplotlib: pip install matplotlib (or permkit[plot])"
            ) from None
        if np.ndim(self.statistic) != 0:
            raise ValueError("plot: only for a scalar statistic")
        null = self.null_distribution
        if null is None:
            raise ValueError("plot: no null distribution (the statistic is NaN)")
        if ax is None:
            _, ax = plt.subplots()
        if isinstance(null, NullHistogram):
            if len(null.values) <= bins:
                ax.bar(null.values, null.counts / null.counts.sum(), width=_bar_width(null.values))
            else:
                ax.hist(null.values, bins=bins, weights=null.counts, density=True)
        else:
            ax.hist(np.asarray(null), bins=bins, density=True)
        ax.axvline(
            float(self.statistic), color="red", label=f"observed = {float(self.statistic):.4g}"
        )
        ax.set_title(
            f"{self.method} null distribution, p = {float(self.pvalue):.4g} ({self.alternative})"
        )
        ax.set_xlabel("statistic")
        ax.legend()
        return ax


def _bar_width(values: np.ndarray) -> float:
    if len(values) < 2:
        return 1.0
    return float(np.min(np.diff(values))) * 0.8
