"""Measures how uniform IndexShuffle is for each number of rounds (docs/index_shuffle.md).

For every rounds value: a chi-squared test over all n! orderings of range(n) for
n = 3..7 across SEEDS seeds; position-vs-index chi-squared tables (value at
position i, for every i) and the joint law of (s[0], s[1]) for larger n; and the fraction of odd permutations at
n = 16 and 64 (a Feistel network alone only makes even ones there).

Usage: python benches/uniformity_index_shuffle.py [SEEDS] [ROUNDS|auto ...]
(seeds are FIRST_SEED .. FIRST_SEED + SEEDS - 1; FIRST_SEED comes from the
environment, default 0)
"""

from __future__ import annotations

import math
import os
import sys
import time

import numpy as np
from scipy import stats

from permkit.index_shuffle import IndexShuffle, realise_seed


def lehmer_ranks(perms: np.ndarray) -> np.ndarray:
    """Rank of each row (a permutation of 0..n-1) among the n! orderings."""
    rows, n = perms.shape
    ranks = np.zeros(rows, dtype=np.int64)
    for i in range(n):
        smaller_after = (perms[:, i + 1 :] < perms[:, i : i + 1]).sum(axis=1)
        ranks = ranks * (n - i) + smaller_after
    return ranks


def perms_for(keys: list[int], n: int, rounds: int) -> np.ndarray:
    return np.stack(
        [IndexShuffle.from_key(n, k, rounds=rounds).to_numpy().astype(np.int64) for k in keys]
    )


def orderings_p(perms: np.ndarray) -> float:
    n = perms.shape[1]
    counts = np.bincount(lehmer_ranks(perms), minlength=math.factorial(n))
    return float(stats.chisquare(counts).pvalue)


def position_p(perms: np.ndarray) -> float:
    rows, n = perms.shape
    table = np.zeros((n, n), dtype=np.int64)
    np.add.at(table, (np.broadcast_to(np.arange(n), perms.shape), perms), 1)
    expected = rows / n
    chi2 = float(((table - expected) ** 2 / expected).sum())
    return float(stats.chi2.sf(chi2, (n - 1) ** 2))


def pair_p(perms: np.ndarray) -> float:
    """Chi-squared p-value of the joint distribution of (s[0], s[1]) over the n(n-1) pairs."""
    _, n = perms.shape
    cells = perms[:, 0] * n + perms[:, 1]
    counts = np.bincount(cells, minlength=n * n).reshape(n, n)
    observed = counts[~np.eye(n, dtype=bool)]
    return float(stats.chisquare(observed).pvalue)


def odd_fraction(perms: np.ndarray) -> float:
    ranks_parity = np.zeros(len(perms), dtype=np.int64)
    n = perms.shape[1]
    for i in range(n):
        ranks_parity += (perms[:, i + 1 :] < perms[:, i : i + 1]).sum(axis=1)
    return float((ranks_parity % 2).mean())


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds_list = [None if a == "auto" else int(a) for a in sys.argv[2:]] or [
        4,
        6,
        8,
        10,
        12,
        16,
        20,
        24,
        None,
    ]
    first = int(os.environ.get("FIRST_SEED", "0"))
    t0 = time.perf_counter()
    keys = [realise_seed(s)[1] for s in range(first, first + seeds)]
    print(
        f"seeds {first}..{first + seeds - 1}; keys derived in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    order_sizes = [3, 4, 5, 6, 7]
    pos_sizes = [9, 16, 17, 33, 64, 65, 100, 129]
    header = (
        ["rounds"]
        + [f"n={n} orderings" for n in order_sizes]
        + [f"n={n} position / pair" for n in pos_sizes]
        + ["odd fraction n=16", "odd fraction n=64"]
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for rounds in rounds_list:
        row = ["auto (default)" if rounds is None else str(rounds)]
        for n in order_sizes:
            row.append(f"{orderings_p(perms_for(keys, n, rounds)):.3g}")
        parity = {}
        for n in pos_sizes:
            perms = perms_for(keys, n, rounds)
            row.append(f"{position_p(perms):.2g} / {pair_p(perms):.2g}")
            if n in (16, 64):
                parity[n] = odd_fraction(perms)
        row += [f"{parity[16]:.4f}", f"{parity[64]:.4f}"]
        print("| " + " | ".join(row) + " |", flush=True)
    print(f"total {time.perf_counter() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
