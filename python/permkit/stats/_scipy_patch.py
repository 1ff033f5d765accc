"""Route scipy.stats' permutation tests through permkit (``patch_scipy``).

scipy's functions that run permutation tests call ``permutation_test`` either
as ``scipy.stats.permutation_test`` or through ``scipy.stats._stats_py``'s
module-level name; both are replaced. ``pearsonr(method=PermutationMethod())``
on real numpy data additionally uses the exact built-in "pearson" statistic
(scipy passes an opaque closure otherwise), with scipy's rule for exact versus
Monte Carlo (exact iff n! <= n_resamples).
"""

from __future__ import annotations

import functools
import math
from types import TracebackType
from typing import Any, Callable, Literal

import numpy as np

#: (module name, attribute) -> scipy's original, while patched.
_ORIGINALS: dict[tuple[str, str], Any] = {}


def _modules() -> dict[str, Any]:
    import scipy.stats
    import scipy.stats._stats_py

    return {"scipy.stats": scipy.stats, "scipy.stats._stats_py": scipy.stats._stats_py}


def _fast_pearsonr(original: Callable[..., Any]) -> Callable[..., Any]:
    from scipy.stats import PermutationMethod

    from permkit.stats import permutation_test

    @functools.wraps(original)
    def pearsonr(
        x: Any,
        y: Any,
        *,
        alternative: Literal["two-sided", "less", "greater"] = "two-sided",
        method: Any = None,
        axis: Any = 0,
    ) -> Any:
        if not isinstance(method, PermutationMethod) or getattr(method, "rvs", None) is not None:
            return original(x, y, alternative=alternative, method=method, axis=axis)
        xa, ya = np.asarray(x), np.asarray(y)
        usable = (
            xa.ndim == 1
            and ya.ndim == 1
            and xa.shape == ya.shape
            and xa.size >= 3
            and xa.dtype.kind in "iuf"
            and ya.dtype.kind in "iuf"
            and xa.dtype != np.float32
            and ya.dtype != np.float32
            and bool(np.all(np.isfinite(xa)) and np.all(np.isfinite(ya)))
            and np.ptp(xa) > 0
            and np.ptp(ya) > 0
        )
        if not usable:  # scipy's path (through the patched permutation_test)
            return original(x, y, alternative=alternative, method=method, axis=axis)
        res = original(x, y, alternative=alternative, axis=axis)
        options = method._asdict()  # type: ignore[attr-defined]  # private, not in scipy-stubs
        n_resamples = options.pop("n_resamples")
        exact = math.factorial(xa.size) <= n_resamples
        ours = permutation_test(
            (xa, ya),
            "pearson",
            permutation_type="pairings",
            alternative=alternative,
            exact=exact,
            n_resamples=n_resamples if not exact else 9999,
            **options,
        )
        from scipy.stats._stats_py import PearsonRResult

        return PearsonRResult(
            statistic=res.statistic,
            pvalue=ours.pvalue,
            n=xa.size,
            alternative=alternative,
            x=xa.astype(np.float64),
            y=ya.astype(np.float64),
            axis=axis,
        )

    return pearsonr


class ScipyPatch:
    """Returned by :func:`patch_scipy`; as a context manager it unpatches on exit."""

    def __enter__(self) -> ScipyPatch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        unpatch_scipy()


def patch_scipy() -> ScipyPatch:
    """Make scipy.stats' permutation tests run on permkit's engine (until :func:`unpatch_scipy`).

    Usable as a function or a context manager. Patched: ``scipy.stats.permutation_test``
    (which ``wilcoxon``, ``mannwhitneyu``, ``bws_test``, ``anderson_ksamp``,
    ``spearmanrho``, ``chatterjeexi``, ``fisher_exact`` and ``chi2_contingency`` call
    with a ``PermutationMethod``), the name ``ttest_ind(method=PermutationMethod())``
    and ``pearsonr`` use, and ``pearsonr`` itself (exact built-in statistic).

    >>> import numpy as np, scipy.stats
    >>> from permkit.stats import patch_scipy
    >>> x, y = [1.0, 2.0, 4.0, 3.0, 5.0], [2.0, 1.0, 5.0, 6.0, 7.0]
    >>> with patch_scipy():
    ...     res = scipy.stats.pearsonr(x, y, method=scipy.stats.PermutationMethod())
    >>> round(float(res.pvalue), 6)
    0.1
    >>> scipy.stats.permutation_test.__module__
    'scipy.stats._resampling'
    """
    from permkit.stats import permutation_test

    modules = _modules()
    for name, module in modules.items():
        if (name, "permutation_test") not in _ORIGINALS:
            _ORIGINALS[(name, "permutation_test")] = module.permutation_test
            module.permutation_test = permutation_test
        if (name, "pearsonr") not in _ORIGINALS:
            _ORIGINALS[(name, "pearsonr")] = module.pearsonr
            module.pearsonr = _fast_pearsonr(module.pearsonr)
    return ScipyPatch()


def unpatch_scipy() -> None:
    """Restore scipy.stats as it was before :func:`patch_scipy` (no-op when not patched).

    >>> import scipy.stats
    >>> from permkit.stats import patch_scipy, unpatch_scipy
    >>> _ = patch_scipy()
    >>> scipy.stats.permutation_test.__module__
    'permkit.stats'
    >>> unpatch_scipy()
    >>> scipy.stats.permutation_test.__module__
    'scipy.stats._resampling'
    """
    modules = _modules()
    for (name, attribute), original in list(_ORIGINALS.items()):
        setattr(modules[name], attribute, original)
        del _ORIGINALS[(name, attribute)]
