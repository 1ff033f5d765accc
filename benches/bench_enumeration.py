"""Ranking, unranking and enumeration: permkit vs itertools / more-itertools / sympy.

Runs both sides in one process, repeats each, and prints a markdown table of
medians and ratios (anchor time / permkit time). Where the anchor is a
per-item Python loop that would take minutes, it is timed on a subsample and
extrapolated linearly; the note column says so.

    python benches/bench_enumeration.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
from itertools import chain, combinations, permutations

import numpy as np
from more_itertools import distinct_permutations, nth_permutation, permutation_index

import permkit
from harness import alternating_medians, median_seconds

SYMPY_TIMEOUT = 60


def sympy_time(call: str, n: int, timeout: float) -> float | None:
    """Seconds sympy takes for ``call`` on a random permutation of ``n``, or None past ``timeout``."""
    code = (
        "import time, numpy as np, permkit\n"
        "from sympy.combinatorics import Permutation as SympyPermutation\n"
        f"p = np.random.default_rng({n}).permutation({n}); plist = p.tolist(); r = permkit.rank(p)\n"
        f"t = time.perf_counter(); {call}; print(time.perf_counter() - t)\n"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return float(out.stdout)


def fmt(t: float) -> str:
    return f"{t * 1e3:.2f} ms" if t < 10 else f"{t:.1f} s"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    rp = 3 if args.quick else 7
    ra = 1 if args.quick else 3
    rows = []

    def add(op, size, pk, anchor_name, an, note=""):
        rows.append((op, size, fmt(pk), anchor_name, fmt(an), f"{an / pk:.0f}x", note))

    # 1. all permutations of 10 into a (3628800, 10) array
    n = 10
    pk = median_seconds(lambda: permkit.permutations(n).to_numpy(), rp)
    an = median_seconds(
        lambda: np.fromiter(
            chain.from_iterable(permutations(range(n))), dtype=np.uint8, count=math.factorial(n) * n
        ).reshape(-1, n),
        ra,
    )
    add(
        "all permutations, lex",
        "n=10 (3628800 x 10)",
        pk,
        "np.fromiter(itertools.permutations)",
        an,
    )
    pk_heap = median_seconds(lambda: permkit.permutations(n, order="heap").to_numpy(), rp)
    add("all permutations, heap", "n=10", pk_heap, "np.fromiter(itertools.permutations)", an)

    # 2./3. unrank and rank 10^6 random ranks, n = 12, lex
    n, m, sub = 12, 10**6, 20_000
    ranks = np.random.default_rng(0).integers(0, math.factorial(n), m, dtype=np.uint64)
    perms = permkit.unrank(ranks, n)
    small = [int(r) for r in ranks[:sub]]
    # Alternating runs: a load spike slows both sides alike, so the ratio holds.
    pk, an = alternating_medians(
        lambda: permkit.unrank(ranks, n),
        lambda: [nth_permutation(range(n), n, r) for r in small],
        rp,
    )
    an *= m / sub
    add(
        "unrank lex",
        "10^6 ranks, n=12",
        pk,
        "more_itertools.nth_permutation per rank",
        an,
        f"anchor timed on {sub} ranks, x{m // sub}",
    )
    small_p = [p.tolist() for p in perms[:sub]]
    pool = range(n)
    pk, an = alternating_medians(
        lambda: permkit.rank(perms), lambda: [permutation_index(p, pool) for p in small_p], rp
    )
    an *= m / sub
    add(
        "rank lex",
        "10^6 perms, n=12",
        pk,
        "more_itertools.permutation_index per perm",
        an,
        f"anchor timed on {sub} perms, x{m // sub}",
    )

    # 4. multiset permutations of [0]*5 + [1]*5 + [2]*5
    seq = [0] * 5 + [1] * 5 + [2] * 5
    pk = median_seconds(lambda: permkit.multiset_permutations(seq).to_numpy(), rp)
    an = median_seconds(
        lambda: np.fromiter(
            chain.from_iterable(distinct_permutations(seq)), dtype=np.uint8, count=756756 * 15
        ).reshape(-1, 15),
        ra,
    )
    add(
        "multiset permutations", "5+5+5 (756756 x 15)", pk, "np.fromiter(distinct_permutations)", an
    )

    # extra: combinations and derangements
    pk = median_seconds(lambda: permkit.combinations(30, 8).to_numpy(), rp)
    an = median_seconds(
        lambda: np.fromiter(
            chain.from_iterable(combinations(range(30), 8)),
            dtype=np.uint8,
            count=math.comb(30, 8) * 8,
        ).reshape(-1, 8),
        ra,
    )
    add(
        "all combinations, lex",
        "30 choose 8 (5852925 x 8)",
        pk,
        "np.fromiter(itertools.combinations)",
        an,
    )
    pk = median_seconds(lambda: permkit.derangements(10).to_numpy(), rp)
    an = median_seconds(
        lambda: np.fromiter(
            chain.from_iterable(
                p for p in permutations(range(10)) if all(p[i] != i for i in range(10))
            ),
            dtype=np.uint8,
        ).reshape(-1, 10),
        ra,
    )
    add(
        "all derangements",
        "n=10 (1334961 x 10)",
        pk,
        "np.fromiter(filtered itertools.permutations)",
        an,
    )

    # 5. lex rank / unrank of one big permutation
    for n in (1000, 10_000):
        rng = np.random.default_rng(n)
        p = rng.permutation(n)
        r = permkit.rank(p)
        plist = p.tolist()
        reps = rp if n == 1000 else 3
        pk_u = median_seconds(lambda r=r, n=n: permkit.unrank(r, n), reps)
        pk_r = median_seconds(lambda p=p: permkit.rank(p), reps)
        an = median_seconds(lambda n=n, r=r: nth_permutation(range(n), n, r), ra)
        add("unrank lex, one rank", f"n={n}", pk_u, "more_itertools.nth_permutation", an)
        an = median_seconds(lambda plist=plist, n=n: permutation_index(plist, range(n)), ra)
        add("rank lex, one perm", f"n={n}", pk_r, "more_itertools.permutation_index", an)
        for op, pk_t, call in (
            ("unrank lex, one rank", pk_u, f"SympyPermutation.unrank_lex({n}, r)"),
            ("rank lex, one perm", pk_r, "SympyPermutation(plist).rank()"),
        ):
            an = sympy_time(call, n, SYMPY_TIMEOUT)
            name = "sympy " + ("Permutation.unrank_lex" if "unrank" in op else "Permutation.rank")
            if an is None:
                rows.append(
                    (
                        op,
                        f"n={n}",
                        fmt(pk_t),
                        name,
                        f"> {SYMPY_TIMEOUT} s",
                        f"> {SYMPY_TIMEOUT / pk_t:.0f}x",
                        f"sympy stopped after {SYMPY_TIMEOUT} s",
                    )
                )
            else:
                add(op, f"n={n}", pk_t, name, an, "one run, in a subprocess")

    print(
        f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, permkit {permkit.__version__}\n"
    )
    print("| operation | size | permkit | anchor | anchor time | ratio | note |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
