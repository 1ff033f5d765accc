"""IndexShuffle, ShuffleSampler and `permkit shuffle` against their anchors, side by side.

Usage: python benches/bench_index_shuffle.py [--quick]

1. Evaluating 10^7 shuffled indices into a numpy array vs numpy's
   default_rng().permutation(10**7) and torch.randperm (when importable).
2. Sampler construction + first 1000 indices for n = 10^8 and 10^9: time and the
   memory held while iterating (RSS growth over the post-import baseline, in a fresh
   subprocess) vs torch RandomSampler /
   DistributedSampler (when importable; they materialise the permutation, so the
   largest sizes are extrapolated linearly from the measured ones) or numpy.
3. `permkit shuffle` vs GNU shuf on a 10^7-line file (3 runs) and for the exact
   command `permkit shuffle -i 1-1000000000 -n 10` (no seed; 21 runs, through
   `python -m permkit` and the installed `permkit` console script): wall time and peak
   RSS (/usr/bin/time -v when present, else getrusage). Target for the latter: < 60 ms.

Medians of REPEATS runs (permkit and anchor alternate, so both see the same load); ratio = anchor time / permkit time (higher is better for permkit).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from harness import alternating_medians

QUICK = "--quick" in sys.argv
REPEATS = 3 if QUICK else 7

try:
    import torch  # noqa: F401

    HAVE_TORCH = True
except Exception:
    HAVE_TORCH = False


def row(op, size, ours, anchor_name, anchor, extra=""):
    ratio = anchor / ours if ours > 0 else float("inf")
    print(
        f"| {op} | {size} | {ours * 1e3:.1f} ms | {anchor_name} {anchor * 1e3:.1f} ms | {ratio:.2f}x | {extra} |",
        flush=True,
    )


def bench_throughput():
    import permkit

    n = 10**7
    s = permkit.IndexShuffle(n, 1)
    rng = np.random.default_rng(1)
    positions = rng.integers(0, n, size=n, dtype=np.int64)
    big = permkit.IndexShuffle(2**64 - 1, 1)
    permutation = lambda: rng.permutation(n)  # noqa: E731
    cases = [
        ("IndexShuffle s[0:n] (uint64)", lambda: s[0:n]),
        ("IndexShuffle.to_numpy() (uint32)", s.to_numpy),
        ("IndexShuffle s[int64 array]", lambda: s[positions]),
        ("IndexShuffle.inverse(array)", lambda: s.inverse(positions)),
        ("IndexShuffle n=2^64-1, 1e7 values", lambda: big[0:n]),
    ]
    for label, fn in cases:
        ours, anchor = alternating_medians(fn, permutation, repeat=REPEATS, warmup=0)
        row(label, "1e7", ours, "numpy permutation", anchor)
    if HAVE_TORCH:
        import torch

        ours, anchor = alternating_medians(
            lambda: s[0:n], lambda: torch.randperm(n), repeat=REPEATS, warmup=0
        )
        row("IndexShuffle s[0:n] (uint64)", "1e7", ours, "torch.randperm", anchor)


# --- samplers: one fresh process per case, RSS growth measured inside --------------

SAMPLER_CASE = r"""
import json, resource, sys, time
kind, n = sys.argv[1], int(sys.argv[2])
import numpy as np
if kind.startswith("torch"):
    import torch
    from torch.utils.data import RandomSampler, DistributedSampler
import permkit.data
def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (resource.getpagesize() // 1024)
base = rss_kib()
t = time.perf_counter()
if kind == "permkit":
    s = permkit.data.ShuffleSampler(n, 1, rank=1, world_size=8)
    it = iter(s)
elif kind == "numpy":
    it = iter(np.random.default_rng(1).permutation(n))
elif kind == "torch-random":
    it = iter(RandomSampler(range(n), generator=torch.Generator().manual_seed(1)))
elif kind == "torch-distributed":
    class Sized:
        def __len__(self): return n
    it = iter(DistributedSampler(Sized(), num_replicas=8, rank=1, seed=1))
first = [next(it) for _ in range(1000)]
elapsed = time.perf_counter() - t
# Memory still held while the epoch is being read (the iterator keeps its permutation).
print(json.dumps({"seconds": elapsed, "mib": max(0, rss_kib() - base) / 1024}))
"""


def sampler_case(kind, n):
    out = subprocess.run(
        [sys.executable, "-c", SAMPLER_CASE, kind, str(n)], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout)


def bench_samplers():
    anchors = (
        [("torch-random", 10**8), ("torch-distributed", 10**7)]
        if HAVE_TORCH
        else [("numpy", 10**8)]
    )
    measured = {}
    for kind, n in anchors:
        runs = [sampler_case(kind, n) for _ in range(3 if not QUICK else 1)]
        measured[kind] = (
            n,
            statistics.median(r["seconds"] for r in runs),
            statistics.median(r["mib"] for r in runs),
        )
    for n in (10**8, 10**9):
        runs = [sampler_case("permkit", n) for _ in range(3 if not QUICK else 1)]
        ours_t, ours_m = (
            statistics.median(r["seconds"] for r in runs),
            statistics.median(r["mib"] for r in runs),
        )
        for kind, (an, at, am) in measured.items():
            scale = n / an
            label = kind + (
                "" if scale == 1 else f" (measured at n={an:.0e}, x{scale:.0f} extrapolated)"
            )
            row(
                "ShuffleSampler build + first 1000 (rank 1 of 8)",
                f"{n:.0e}",
                ours_t,
                label,
                at * scale,
                f"memory: permkit {ours_m:.1f} MiB vs {am * scale:.0f} MiB",
            )


# --- CLI vs GNU shuf -------------------------------------------------------------------


def run_measured(cmd, stdout_path):
    """(wall seconds, peak RSS MiB) of a command."""
    time_bin = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
    with open(stdout_path, "wb") as out:
        if time_bin:
            t = time.perf_counter()
            res = subprocess.run(
                [time_bin, "-v", *cmd], stdout=out, stderr=subprocess.PIPE, text=True
            )
            wall = time.perf_counter() - t
            rss = next(
                int(line.split(":")[1])
                for line in res.stderr.splitlines()
                if "Maximum resident" in line
            )
            return wall, rss / 1024
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t = time.perf_counter()
        subprocess.run(cmd, stdout=out, check=True)
        wall = time.perf_counter() - t
        return wall, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def bench_cli():
    shuf = shutil.which("shuf")
    if shuf is None:
        print("| permkit shuffle | - | - | GNU shuf not installed | - | |")
        return
    lines = 10**6 if QUICK else 10**7
    ours_cmd = [sys.executable, "-m", "permkit", "shuffle"]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lines.txt")
        with open(path, "wb") as f:
            block = 10**6
            for start in range(0, lines, block):
                f.write(
                    b"".join(
                        b"sample-%09d,some,payload\n" % i
                        for i in range(start, min(lines, start + block))
                    )
                )
        sink = os.path.join(tmp, "out")
        cases = [
            (
                f"CLI shuffle FILE ({lines:.0e} lines, {os.path.getsize(path) >> 20} MiB)",
                ours_cmd + [path, "--seed", "1"],
                [shuf, path],
                3,
            ),
        ]
        start_up = ["-i", "1-1000000000", "-n", "10"]
        runs = 5 if QUICK else 21
        cases.append(
            ("CLI -i 1-1000000000 -n 10 (python -m)", ours_cmd + start_up, [shuf, *start_up], runs)
        )
        script = shutil.which("permkit", path=os.path.dirname(sys.executable))
        if script is not None:
            cases.append(
                (
                    "CLI -i 1-1000000000 -n 10 (script)",
                    [script, "shuffle", *start_up],
                    [shuf, *start_up],
                    runs,
                )
            )
        for label, ours_args, shuf_args, repeats in cases:
            ours, theirs = [], []
            for _ in range(repeats):  # alternate, so both see the same machine load
                ours.append(run_measured(ours_args, sink))
                theirs.append(run_measured(shuf_args, sink))
            ot, om = statistics.median(t for t, _ in ours), statistics.median(m for _, m in ours)
            tt, tm = (
                statistics.median(t for t, _ in theirs),
                statistics.median(m for _, m in theirs),
            )
            row(
                label,
                f"median of {repeats}",
                ot,
                "GNU shuf",
                tt,
                f"peak RSS: permkit {om:.0f} MiB vs shuf {tm:.0f} MiB",
            )
        baseline = [
            run_measured([sys.executable, "-c", "import numpy, permkit"], sink) for _ in range(3)
        ]
        print(
            f"(python + numpy + permkit start-up alone: {statistics.median(t for t, _ in baseline) * 1e3:.0f} ms, "
            f"{statistics.median(m for _, m in baseline):.0f} MiB peak RSS)"
        )


def main():
    print(f"torch available: {HAVE_TORCH}; cores: {os.cpu_count()}; repeats: {REPEATS}")
    print("| operation | size | permkit | anchor | ratio (anchor/permkit) | notes |")
    print("|---|---|---|---|---|---|")
    bench_throughput()
    bench_samplers()
    bench_cli()


if __name__ == "__main__":
    main()
