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


table.add("inverse", "n=10^7 int64", median_seconds(lambda: permkit.inverse(p)), "numpy inv[p]=arange(n)", median_seconds(numpy_inverse))
table.add("compose", "n=10^7 int64", median_seconds(lambda: permkit.compose(p, q)), "numpy p[q]", median_seconds(lambda: p[q]))
p32, q32 = p.astype(np.uint32), q.astype(np.uint32)
table.add("compose", "n=10^7 uint32", median_seconds(lambda: permkit.compose(p32, q32)), "numpy p[q]", median_seconds(lambda: p32[q32]))

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
table.add("inverse", "10^6 x 10 int64", median_seconds(lambda: permkit.inverse(bp)), "numpy best (scatter, argsort)", numpy_inv)
table.add(
    "compose", "10^6 x 10 int64", median_seconds(lambda: permkit.compose(bp, bq)),
    "numpy take_along_axis", median_seconds(lambda: np.take_along_axis(bp, bq, axis=1)),
)

m = 10**6
pm = rng.permutation(m)
sp = SympyPerm(pm.tolist())
for name, ours, theirs in [
    ("sign", lambda: permkit.sign(pm), lambda: sp.signature()),
    ("cycle_type", lambda: permkit.cycle_type(pm), lambda: sp.cycle_structure),
    ("order", lambda: permkit.order(pm), lambda: sp.order()),
    ("inversions", lambda: permkit.inversions(pm), lambda: sp.inversions()),
]:
    # sympy caches some results on the object, so time a fresh copy each run.
    fresh = lambda theirs=theirs, name=name: getattr(SympyPerm(pm.tolist()), {
        "sign": "signature", "cycle_type": "cycle_structure", "order": "order", "inversions": "inversions"}[name])
    sympy_time = median_seconds(lambda: (lambda v: v() if callable(v) else v)(fresh()), repeat=1, warmup=0)
    table.add(name, "n=10^6", median_seconds(ours), "sympy.Permutation (incl. construction)", sympy_time)

a, b = rng.permutation(m), rng.permutation(m)
table.add(
    "kendall_tau distance", "n=10^6", median_seconds(lambda: permkit.distance.kendall_tau(a, b)),
    "scipy.stats.kendalltau", median_seconds(lambda: scipy.stats.kendalltau(a, b), repeat=3),
)

print()
print(table.markdown())
