"""permkit's generators and shuffles next to numpy (and torch when installed).

Run: python benches/bench_rng.py [--size N] [--repeats R]

Each operation and its anchor run alternately in one process; the table shows
medians. The last column is np.copyto of the output's bytes into a
preallocated array: the memory-bandwidth floor for producing that output.
"""

from __future__ import annotations

import argparse
import os
from typing import Callable

import numpy as np

import permkit
from harness import alternating_medians, median_seconds


def copy_floor(nbytes: int, repeats: int) -> float:
    src = np.ones(nbytes, dtype=np.uint8)
    dst = np.empty_like(src)
    return median_seconds(lambda: np.copyto(dst, src), repeats)


def torch_randperm() -> Callable[[int], object] | None:
    try:
        import torch
    except ImportError:
        return None
    return lambda n: torch.randperm(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10**7)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    n, r = args.size, args.repeats
    rows = []

    t_ours, t_np = alternating_medians(
        lambda: permkit.permutation(n), lambda: np.random.default_rng().permutation(n), r
    )
    perm_bytes = n * permkit.permutation(1 if n == 0 else n, seed=0).dtype.itemsize
    rows.append(
        (
            "permutation(n)",
            "numpy default_rng().permutation",
            t_ours,
            t_np,
            copy_floor(perm_bytes, r),
        )
    )
    randperm = torch_randperm()
    if randperm is not None:
        import torch

        t_ours, t_torch = alternating_medians(
            lambda: permkit.permutation(n), lambda: randperm(n), r
        )
        rows.append(
            (
                "permutation(n)",
                f"torch {torch.__version__} randperm",
                t_ours,
                t_torch,
                copy_floor(perm_bytes, r),
            )
        )

    x = np.random.default_rng(1).random(n)
    y = x.copy()
    gen = np.random.default_rng(2)
    t_ours, t_np = alternating_medians(lambda: permkit.shuffle(x), lambda: gen.shuffle(y), r)
    rows.append(
        ("shuffle(float64[n])", "numpy Generator.shuffle", t_ours, t_np, copy_floor(x.nbytes, r))
    )

    # Any numpy bit generator: one sequential Fisher-Yates pass on its next_uint64 words.
    t_ours, t_np = alternating_medians(
        lambda: permkit.permutation(n, np.random.PCG64(4)),
        lambda: np.random.Generator(np.random.PCG64(4)).permutation(n),
        r,
    )
    rows.append(
        (
            "permutation(n, numpy PCG64)",
            "numpy Generator(PCG64).permutation",
            t_ours,
            t_np,
            copy_floor(perm_bytes, r),
        )
    )

    sq, pcg = permkit.Squares64(3), np.random.PCG64(3)
    t_ours, t_np = alternating_medians(lambda: sq.random_raw(n), lambda: pcg.random_raw(n), r)
    rows.append(
        ("Squares64.random_raw(n)", "numpy PCG64().random_raw", t_ours, t_np, copy_floor(8 * n, r))
    )

    ph, nphil = permkit.Philox4x32(3), np.random.Philox(3)
    t_ours, t_np = alternating_medians(lambda: ph.random_raw(n), lambda: nphil.random_raw(n), r)
    rows.append(
        (
            "Philox4x32.random_raw(n)",
            "numpy Philox().random_raw",
            t_ours,
            t_np,
            copy_floor(8 * n, r),
        )
    )

    print(
        f"n = {n:,}; {os.cpu_count()} logical CPUs; load average {os.getloadavg()[0]:.1f}; medians of {r}"
    )
    if randperm is None:
        print("torch is not installed: torch.randperm skipped")
    header = ("operation", "anchor", "permkit ms", "anchor ms", "speed-up", "copyto ms")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for op, anchor, ours, theirs, floor in rows:
        print(
            f"| {op} | {anchor} | {ours * 1e3:.1f} | {theirs * 1e3:.1f} | {theirs / ours:.1f}x | {floor * 1e3:.1f} |"
        )


if __name__ == "__main__":
    main()
