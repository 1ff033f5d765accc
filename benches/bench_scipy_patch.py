"""scipy.stats under permkit.stats.patch_scipy() vs plain scipy, and exact k-sample
"samples" tests (Friedman, Page) that scipy cannot enumerate, side by side in one process.

    python benches/bench_scipy_patch.py

1. ``scipy.stats.pearsonr(x, y, method=PermutationMethod(n_resamples=np.inf))`` for
   n = 10 (10! = 3,628,800 pairings, exact): plain scipy vs the same call patched.
2. k = 4 samples of n = 8 blocks, Friedman chi-square and Page's L, exact over the
   24**8 = 1.1e11 within-block relabellings. scipy's permutation_test (exact) is timed
   on n = 3 blocks (24**3 = 13,824 relabellings) and extrapolated by the count, since its
   cost is linear in the count.
"""

from __future__ import annotations

import functools
import math
import os
import time
from typing import Any, Callable

import numpy as np
import scipy.stats

from harness import fmt_seconds, median_seconds
from permkit.stats import patch_scipy, permutation_test


def once(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def bench_pearsonr() -> None:
    rng = np.random.default_rng(2026)
    x, y = rng.normal(size=10), rng.normal(size=10)
    method = scipy.stats.PermutationMethod(n_resamples=np.inf)
    scipy_time, ref = once(lambda: scipy.stats.pearsonr(x, y, method=method))
    with patch_scipy():
        ours_time = median_seconds(lambda: scipy.stats.pearsonr(x, y, method=method), repeat=5)
        res = scipy.stats.pearsonr(x, y, method=method)
    print(
        "## pearsonr(x, y, method=PermutationMethod(n_resamples=inf)), n = 10 (exact, 10! pairings)"
    )
    print()
    print("| | time | p-value |")
    print("|---|---|---|")
    print(f"| scipy 1.17 | {fmt_seconds(scipy_time)} | {float(ref.pvalue):.10f} |")
    print(f"| scipy under patch_scipy() | {fmt_seconds(ours_time)} | {float(res.pvalue):.10f} |")
    print()
    print(
        f"speed-up: {scipy_time / ours_time:.0f}x; |p difference| = {abs(ref.pvalue - res.pvalue):.1e}"
    )
    print()


def friedman(*samples: Any, axis: int = -1) -> Any:
    return scipy.stats.friedmanchisquare(*samples, axis=axis).statistic


def bench_blocks() -> None:
    rng = np.random.default_rng(2026)
    k, n, n_small = 4, 8, 3
    data = tuple(rng.normal(size=(k, n)) + np.arange(k)[:, None] * 0.3)
    small = tuple(d[:n_small] for d in data)
    count, small_count = math.factorial(k) ** n, math.factorial(k) ** n_small
    scipy_small, _ = once(
        lambda: scipy.stats.permutation_test(
            small, friedman, permutation_type="samples", n_resamples=np.inf, alternative="greater"
        )
    )
    print(f"## k = {k} samples of n = {n} blocks, exact ({count:.3g} within-block relabellings)")
    print()
    print("| statistic | permkit (exact) | p-value | scipy permutation_test, extrapolated |")
    print("|---|---|---|---|")
    for name in ("friedman", "page"):
        test = functools.partial(
            permutation_test, data, name, permutation_type="samples", alternative="greater"
        )
        t = median_seconds(test, repeat=5)
        res = permutation_test(data, name, permutation_type="samples", alternative="greater")
        assert res.method == "exact" and res.n_total == count
        estimate = scipy_small * count / small_count
        print(
            f"| {name} | {fmt_seconds(t)} | {float(res.pvalue):.6f} | "
            f"{estimate / 86400:.1f} days ({fmt_seconds(scipy_small)} for {small_count} relabellings) |"
        )
    print()


if __name__ == "__main__":
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print()
    bench_pearsonr()
    bench_blocks()
