"""ShardShuffle against MosaicML Streaming's shard-aware shuffles, side by side.

Usage: python benches/bench_shards.py [--quick]

Needs ``mosaicml-streaming`` (``pip install '.[bench]'``); without it only permkit's
rows are printed. Same shard sizes for everyone: shards of 2 000..6 000 samples (mean
4 000, MDS-like), the sizes summing to exactly n; block size 2**18 (Streaming's default,
and ours) for every algorithm; one canonical node; seed 7, epoch 3.

1. Time and peak memory per epoch at n = 10^7 and 10^8, each run in a fresh subprocess:
   Streaming's ``get_shuffle(algo, ...)`` for py1s, py1br, py1e (it materialises the
   epoch as an int64 array), and permkit's ``ShardShuffle``: building the random-access
   order, and materialising the whole epoch (``order[0:n]``, not needed in practice).
   Memory is the growth of peak RSS over the process's baseline after imports and shard
   sizes (getrusage), and for permkit also the bytes of the order's tables.
   Also permkit's ``order[positions]`` for 10^6 random positions (build excluded).
2. Quality at n = 10^7 on the full epoch order of each algorithm (one reader reading
   the global order front to back):
   - cache pressure: distinct shards in a window of w consecutive positions (mean and
     max over 4 000 windows at random offsets), and the live shards: at a position, the
     shards whose first read is at or before it and last read after it (mean, max) —
     the shards a cache must hold to read each shard's samples from one download;
   - distance from uniform: Pearson correlation of a sample's position with its shard
     id; and for originally adjacent samples (``i``, ``i + 1`` of one shard) the
     distance between their positions (quantiles; a uniform shuffle has median
     0.29 n), and the fraction closer than 64 positions (batch-mates).
   A second permkit row uses the block size at which permkit's median adjacent-sample
   distance equals py1e's (the block size scaled by the ratio of the two medians): the
   cache pressure at equal mixing.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import warnings

import numpy as np

QUICK = "--quick" in sys.argv
SEED, EPOCH, BLOCK = 7, 3, 1 << 18
ALGOS = ("py1s", "py1br", "py1e")
WINDOWS = (256, 4096, 65536, BLOCK)

try:
    from streaming.base.shuffle import get_shuffle

    HAVE_STREAMING = True
except Exception:
    HAVE_STREAMING = False


def shard_sizes(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    sizes = rng.integers(2000, 6001, size=n // 4000 + 10, dtype=np.int64)
    cut = int(np.searchsorted(np.cumsum(sizes), n))
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= int(sizes.sum()) - n
    assert sizes.sum() == n and sizes.min() > 0
    return sizes


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(algo: str, n: int) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    import permkit.data

    sizes = shard_sizes(n)
    base = peak_rss()
    held = None
    start = time.perf_counter()
    if algo == "permkit-build":
        order = permkit.data.ShardShuffle(sizes, SEED, epoch=EPOCH, block_size=BLOCK)
        held = order.nbytes
    elif algo == "permkit-random":
        order = permkit.data.ShardShuffle(sizes, SEED, epoch=EPOCH, block_size=BLOCK)
        positions = np.random.default_rng(0).integers(0, n, size=10**6)
        start = time.perf_counter()
        values = order[positions]
        assert order.inverse(values[:1000]).tolist() == positions[:1000].tolist()
        held = order.nbytes
    elif algo == "permkit-epoch":
        order = permkit.data.ShardShuffle(sizes, SEED, epoch=EPOCH, block_size=BLOCK)
        out = order[0:n]
        assert len(out) == n
    else:
        warnings.filterwarnings("ignore")
        ids = get_shuffle(algo, sizes, 1, SEED, EPOCH, BLOCK)
        assert len(ids) == n
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss": max(0, peak_rss() - base), "held": held}))


def measure(algo: str, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", algo, str(n)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def mib(b: float) -> str:
    return f"{b / 2**20:.1f} MiB"


def bench_cost() -> None:
    print("\n### Time and peak memory per epoch (fresh subprocess each)\n")
    print("| n | algorithm | time | peak RSS growth | held by the order |")
    print("|---|---|---|---|---|")
    sizes = (10**7,) if QUICK else (10**7, 10**8)
    for n in sizes:
        rows = ["permkit-build", "permkit-random", "permkit-epoch"]
        rows += list(ALGOS) if HAVE_STREAMING else []
        for algo in rows:
            r = measure(algo, n)
            name = {
                "permkit-build": "permkit ShardShuffle (build; random access)",
                "permkit-random": "permkit ShardShuffle (10^6 random positions)",
                "permkit-epoch": "permkit ShardShuffle (build + order[0:n])",
            }.get(algo, f"streaming {algo}")
            held = mib(r["held"]) if r["held"] is not None else "the int64 array (8 B/sample)"
            if algo == "permkit-epoch":
                held = "the uint64 array (8 B/sample)"
            print(
                f"| {n:.0e} | {name} | {r['seconds'] * 1e3:.1f} ms | {mib(r['rss'])} | {held} |",
                flush=True,
            )


def quality_row(name: str, order: np.ndarray, starts: np.ndarray) -> tuple[str, float]:
    n = len(order)
    shard = np.searchsorted(starts, order, side="right") - 1
    rng = np.random.default_rng(1)
    cells = [name]
    for w in WINDOWS:
        offsets = rng.integers(0, n - w, size=4000 if w <= 65536 else 400)
        counts = np.array([len(np.unique(shard[o : o + w])) for o in offsets])
        cells.append(f"{counts.mean():.1f} / {counts.max()}")
    num_shards = len(starts) - 1
    first = np.full(num_shards, n, dtype=np.int64)
    last = np.zeros(num_shards, dtype=np.int64)
    positions = np.arange(n, dtype=np.int64)
    np.minimum.at(first, shard, positions)
    np.maximum.at(last, shard, positions)
    events = np.zeros(n + 1, dtype=np.int64)
    np.add.at(events, first, 1)
    np.add.at(events, last + 1, -1)
    live = np.cumsum(events)[:n]
    cells.append(f"{live.mean():.1f} / {live.max()}")
    cells.append(f"{np.corrcoef(positions, shard)[0, 1]:+.4f}")
    where = np.empty(n, dtype=np.int64)
    where[order] = positions
    sample_shard = np.searchsorted(starts, positions, side="right") - 1
    adjacent = sample_shard[:-1] == sample_shard[1:]
    gaps = np.abs(where[1:] - where[:-1])[adjacent]
    q10, q50, q90 = np.quantile(gaps, [0.1, 0.5, 0.9])
    cells.append(f"{q10:.0f} / {q50:.0f} / {q90:.0f}")
    cells.append(f"{(gaps < 64).mean():.5f}")
    return "| " + " | ".join(cells) + " |", float(q50)


def bench_quality() -> None:
    import permkit.data

    n = 10**6 if QUICK else 10**7
    sizes = shard_sizes(n)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    print(f"\n### Quality at n = {n:.0e} ({len(sizes)} shards, block size {BLOCK}; one reader)\n")
    header = (
        ["algorithm"]
        + [f"distinct shards per {w} (mean / max)" for w in WINDOWS]
        + [
            "live shards (mean / max)",
            "corr(position, shard)",
            "adjacent-sample distance q10 / q50 / q90",
            "adjacent pairs < 64 apart",
        ]
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    order = permkit.data.ShardShuffle(sizes, SEED, epoch=EPOCH, block_size=BLOCK)[0:n]
    row, ours_median = quality_row("permkit ShardShuffle", order.astype(np.int64), starts)
    print(row, flush=True)
    if HAVE_STREAMING:
        warnings.filterwarnings("ignore")
        for algo in ALGOS:
            ids = get_shuffle(algo, sizes, 1, SEED, EPOCH, BLOCK)
            row, median = quality_row(f"streaming {algo}", ids, starts)
            print(row, flush=True)
            if algo == "py1e":
                # The same mixing as py1e (equal median adjacent-sample distance): the
                # block size scaled by the ratio of the medians.
                matched = round(BLOCK * median / ours_median)
                order = permkit.data.ShardShuffle(sizes, SEED, epoch=EPOCH, block_size=matched)
                row, _ = quality_row(
                    f"permkit ShardShuffle, block_size {matched} (py1e's median distance)",
                    order[0:n].astype(np.int64),
                    starts,
                )
                print(row, flush=True)
    uniform = np.random.default_rng(2).permutation(n)
    print(quality_row("uniform (numpy permutation)", uniform, starts)[0], flush=True)


def main() -> None:
    if "--child" in sys.argv:
        i = sys.argv.index("--child")
        child(sys.argv[i + 1], int(sys.argv[i + 2]))
        return
    if not HAVE_STREAMING:
        print("mosaicml-streaming is not installed: permkit rows only (pip install '.[bench]')")
    print(f"load: {os.getloadavg()}")
    bench_cost()
    bench_quality()


if __name__ == "__main__":
    main()
