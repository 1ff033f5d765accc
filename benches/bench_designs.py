"""Designs beyond scipy: fisher_exact r x c, maxt, strata=, shift_ci.

Anchors: scipy's Monte Carlo r x c Fisher test (the only r x c it has), a
numpy Westfall-Young on a slice of the relabellings (time extrapolated by
count, said so), and numpy's sort of all m*n differences for shift_ci.

    python benches/bench_designs.py
"""

from __future__ import annotations

import resource
import time

import numpy as np
from scipy import stats as sstats

from harness import Table, alternating_medians, median_seconds
from permkit.stats import fisher_exact, maxt, permutation_test, shift_ci


def bench_fisher(table: Table) -> None:
    rng = np.random.default_rng(1)
    cases = {
        "2 x 6, n = 60": np.array([[3, 5, 7, 4, 6, 5], [6, 5, 3, 6, 5, 5]]),
        "3 x 4, n = 40": np.array([[3, 5, 2, 4], [1, 4, 6, 2], [5, 2, 3, 3]]),
        "5 x 7, n = 43 (R's MP6)": np.array(
            [
                [1, 2, 2, 1, 1, 0, 1],
                [2, 0, 0, 2, 3, 0, 0],
                [0, 1, 1, 1, 2, 7, 3],
                [1, 1, 2, 0, 0, 0, 1],
                [0, 1, 1, 1, 1, 0, 0],
            ]
        ),
        "4 x 4, n = 100": rng.multinomial(100, [1 / 16] * 16).reshape(4, 4),
    }
    for name, t in cases.items():
        ours, theirs = alternating_medians(
            lambda t=t: fisher_exact(t),
            lambda t=t: sstats.fisher_exact(t, method=sstats.MonteCarloMethod(rng=0)),
            repeat=3,
        )
        p = float(fisher_exact(t).pvalue)
        table.add(
            "fisher_exact (exact)",
            name,
            ours,
            "scipy Monte Carlo 9999",
            theirs,
            f"exact p = {p:.6g}",
        )


def _numpy_maxt(data: np.ndarray, n1: int, splits: np.ndarray) -> np.ndarray:
    def t(mask: np.ndarray) -> np.ndarray:
        x, y = data[mask], data[~mask]
        sp = ((len(x) - 1) * x.var(0, ddof=1) + (len(y) - 1) * y.var(0, ddof=1)) / (
            len(x) + len(y) - 2
        )
        return (x.mean(0) - y.mean(0)) / np.sqrt(sp * (1 / len(x) + 1 / len(y)))

    observed = np.abs(t(np.arange(len(data)) < n1))
    most = np.array([np.abs(t(m)).max() for m in splits])
    return (np.sum(most[:, None] >= observed, axis=0) + 1) / (len(splits) + 1)


def bench_maxt(table: Table) -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(size=(40, 10_000))
    labels = [0] * 20 + [1] * 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ours = median_seconds(lambda: maxt(data, labels, n_resamples=10_000, rng=1), repeat=1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    splits = np.array([rng.permutation(40) < 20 for _ in range(200)])
    start = time.perf_counter()
    _numpy_maxt(data, 20, splits)
    theirs = (time.perf_counter() - start) * 10_000 / 200
    table.add(
        "maxt (t, 2-sided)",
        "m = 10,000, 20 + 20, 10^4 relabellings",
        ours,
        "numpy loop (200 timed, x50)",
        theirs,
        f"peak RSS {peak / 1024:.0f} MiB ({before / 1024:.0f} MiB before the call; data 3.2 MB)",
    )


def bench_strata(table: Table) -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=40).round(1), rng.normal(size=40).round(1) + 0.3
    sx, sy = np.repeat(np.arange(4), 10), np.repeat(np.arange(4), 10)
    ours = median_seconds(
        lambda: permutation_test((x, y), "van_elteren", strata=(sx, sy)), repeat=3
    )
    res = permutation_test((x, y), "van_elteren", strata=(sx, sy))
    table.add(
        "strata= van Elteren (exact)",
        f"4 strata of 10 + 10 ({float(res.n_total):.2g} relabellings)",
        ours,
        "scipy",
        None,
        "scipy has no stratified design",
    )


def bench_shift_ci(table: Table) -> None:
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=100) + 0.5, rng.normal(size=100)
    ours, theirs = alternating_medians(
        lambda: shift_ci(x, y), lambda: np.sort(np.subtract.outer(x, y).ravel()), repeat=5
    )
    table.add(
        "shift_ci (two-sample)",
        "100 + 100",
        ours,
        "numpy sort of all mn diffs",
        theirs,
        "anchor forms the differences only: no exact law, no quantile",
    )


def main() -> None:
    table = Table("Designs beyond scipy")
    bench_maxt(table)  # first, so its peak RSS is its own (plus the imports)
    bench_fisher(table)
    bench_strata(table)
    bench_shift_ci(table)
    print()
    print(table.markdown())


if __name__ == "__main__":
    main()
