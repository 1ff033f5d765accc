"""Permutation algebra against numpy and sympy (issue: foundation).

Run: python benches/bench_algebra.py
"""

from __future__ import annotations

import numpy as np
import scipy.stats
from sympy.combinatorics import Permutation as SympyPerm

import permkit
from harness import Table, median_seconds

rng = np.random.default_rng(0)
table = Table("Permutation algebra (medians; speed-up = anchor time / permkit time)")

n = 10**7
p, q = rng.permutation(n), rng.permutation(n)
arange = np.arange(n)


def numpy_inverse() -> np.ndarray:
    inv = np.empty_like(p)
    inv[p] = arange
    return inv


table.add(
    "inverse",
    "n=10^7 int64",
    median_seconds(lambda: permkit.inverse(p)),
    "numpy inv[p]=arange(n)",
    median_seconds(numpy_inverse),
)
table.add(
    "compose",
    "n=10^7 int64",
    median_seconds(lambda: permkit.compose(p, q)),
    "numpy p[q]",
    median_seconds(lambda: p[q]),
)
p32, q32 = p.astype(np.uint32), q.astype(np.uint32)
table.add(
    "compose",
    "n=10^7 uint32",
    median_seconds(lambda: permkit.compose(p32, q32)),
    "numpy p[q]",
    median_seconds(lambda: p32[q32]),
)

rows = 10**6
bp = np.argsort(rng.random((rows, 10)), axis=1)
bq = np.argsort(rng.random((rows, 10)), axis=1)
row_ids = np.arange(rows)[:, None]
ten = np.arange(10)


def numpy_batch_inverse() -> np.ndarray:
    inv = np.empty_like(bp)
    inv[row_ids, bp] = ten
    return inv


numpy_inv = min(median_seconds(numpy_batch_inverse), median_seconds(lambda: np.argsort(bp, axis=1)))
table.add(
    "inverse",
    "10^6 x 10 int64",
    median_seconds(lambda: permkit.inverse(bp)),
    "numpy best (scatter, argsort)",
    numpy_inv,
)
table.add(
    "compose",
    "10^6 x 10 int64",
    median_seconds(lambda: permkit.compose(bp, bq)),
    "numpy take_along_axis",
    median_seconds(lambda: np.take_along_axis(bp, bq, axis=1)),
)

m = 10**6
pm = rng.permutation(m)
images = pm.tolist()


def sympy_fresh(attribute: str):
    """sympy caches some results on the object, so each run builds a fresh one."""
    value = getattr(SympyPerm(images), attribute)
    return value() if callable(value) else value


for name, ours, attribute in [
    ("sign", permkit.sign, "signature"),
    ("cycle_type", permkit.cycle_type, "cycle_structure"),
    ("order", permkit.order, "order"),
    ("inversions", permkit.inversions, "inversions"),
]:
    sympy_time = median_seconds(
        lambda attribute=attribute: sympy_fresh(attribute), repeat=1, warmup=0
    )
    table.add(
        name,
        "n=10^6",
        median_seconds(lambda ours=ours: ours(pm)),
        "sympy.Permutation (incl. construction)",
        sympy_time,
    )

a, b = rng.permutation(m), rng.permutation(m)
table.add(
    "kendall_tau distance",
    "n=10^6",
    median_seconds(lambda: permkit.distance.kendall_tau(a, b)),
    "scipy.stats.kendalltau",
    median_seconds(lambda: scipy.stats.kendalltau(a, b), repeat=3),
)

print()
print(table.markdown())
