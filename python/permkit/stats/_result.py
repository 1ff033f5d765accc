"""The result of :func:`permkit.stats.permutation_test`."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np


class NullHistogram(NamedTuple):
    """The exact null distribution as distinct values (ascending) with their counts."""

    values: np.ndarray
    counts: np.ndarray


@dataclass
class PermutationTestResult:
    """scipy's fields (statistic, pvalue, null_distribution) plus exact counts.

    ``pvalue_fraction`` is the p-value as an exact fraction; ``n_extreme`` and
    ``n_total`` are the counts it is made of (see docs/exact_tests.md);
    ``method`` is "exact", "shift" or "monte carlo".
    """

    statistic: float | np.ndarray
    pvalue: float | np.ndarray
    null_distribution: np.ndarray | NullHistogram | None
    pvalue_fraction: Fraction | np.ndarray
    n_extreme: Any
    n_total: Any
    method: str
    alternative: str
    two_sided: str

    def plot(self, ax: Any = None, bins: int = 50) -> Any:
        """Plot the null distribution with the observed statistic marked (needs matplotlib).

        Needs a null distribution: run the test with ``null_distribution="full"``
        or ``"histogram"``. Returns the matplotlib Axes.
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError(
                "plot() needs matplotlib: pip install matplotlib (or permkit[plot])"
            ) from None
        if self.null_distribution is None:
            raise ValueError(
                "plot: no null distribution; rerun with null_distribution='full' or 'histogram'"
            )
        if np.ndim(self.statistic) != 0:
            raise ValueError("plot: only for a scalar statistic")
        if ax is None:
            _, ax = plt.subplots()
        null = self.null_distribution
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
