"""Exact permutation tests: permkit.stats vs scipy.stats.permutation_test.

Each measurement runs in a fresh subprocess so its peak RSS is its own; times
are medians of repeats (scipy: fewer repeats, it is slow). Where scipy would
take minutes, it runs on a smaller size and its time is extrapolated by the
count of relabellings (scipy's cost is linear in the count); the table says so.

    python benches/bench_stats.py            # full table
    python benches/bench_stats.py --quick    # skip 18+18 and the full scipy 12+12
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time

CASES = {
    # name: (design, sizes)
    "independent 10+10": ("independent", (10, 10)),
    "independent 12+12": ("independent", (12, 12)),
    "independent 15+15": ("independent", (15, 15)),
    "independent 18+18": ("independent", (18, 18)),
    "paired n=20": ("samples", (20,)),
    "paired n=30": ("samples", (30,)),
}


def count(design, sizes):
    return math.comb(sum(sizes), sizes[0]) if design == "independent" else 2 ** sizes[0]


def data(design, sizes):
    import numpy as np

    rng = np.random.default_rng(2026)
    if design == "independent":
        return tuple(np.round(rng.normal(size=n) * 10 + 50, 2) for n in sizes)
    return (np.round(rng.normal(size=sizes[0]) + 0.3, 2),)


def measure(impl, case, repeats):
    """Child process: time `repeats` runs, print JSON with times, p-value and peak RSS."""
    import resource

    import numpy as np

    design, sizes = CASES[case]
    samples = data(design, sizes)
    method = None
    if impl in ("permkit", "permkit-default", "permkit-histogram"):
        import permkit.stats
        from permkit.stats import permutation_test

        if impl == "permkit":
            # Measure enumeration itself: never hand over to the shift algorithm.
            permkit.stats.EXACT_LIMIT = 2**63
        name = "mean_diff" if design == "independent" else "mean"

        collect = "histogram" if impl == "permkit-histogram" else None

        def run():
            nonlocal method
            res = permutation_test(
                samples, name, permutation_type=design, exact=True, null_distribution=collect
            )
            method = res.method
            return res.pvalue
    else:
        from scipy.stats import permutation_test

        if design == "independent":

            def stat(x, y, axis=-1):
                return np.mean(x, axis=axis) - np.mean(y, axis=axis)
        else:

            def stat(x, axis=-1):
                return np.mean(x, axis=axis)

        def run():
            return permutation_test(
                samples, stat, permutation_type=design, n_resamples=np.inf
            ).pvalue

    times, p = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        p = run()
        times.append(time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux reports KiB)
    print(
        json.dumps(
            {
                "time": statistics.median(times),
                "pvalue": float(p),
                "rss": rss,
                "method": method or "scipy",
            }
        )
    )


def child(impl, case, repeats):
    out = subprocess.run(
        [sys.executable, __file__, "--child", impl, case, str(repeats)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("IMPL", "CASE", "REPEATS"))
    args = parser.parse_args()
    if args.child:
        impl, case, repeats = args.child
        measure(impl, case, int(repeats))
        return

    scipy_small = child("scipy", "independent 10+10", 1)
    per_split = scipy_small["time"] / count(*CASES["independent 10+10"])
    rows = []
    plan = [
        ("independent 12+12", 5, "full" if not args.quick else "extrapolated"),
        ("independent 15+15", 3, "extrapolated"),
        ("independent 18+18", 1, "extrapolated"),
        ("paired n=20", 5, "full"),
        ("paired n=30", 3, "extrapolated"),
    ]
    for case, repeats, scipy_mode in plan:
        if args.quick and case == "independent 18+18":
            continue
        ours = child("permkit", case, repeats)
        n = count(*CASES[case])
        if scipy_mode == "full":
            theirs = child("scipy", case, 1)
            scipy_time, scipy_note, scipy_rss = theirs["time"], "measured", f"{theirs['rss']:.0f}"
            assert abs(theirs["pvalue"] - ours["pvalue"]) < 1e-12, (case, theirs, ours)
        else:
            rate = per_split if case.startswith("independent") else None
            if rate is None:
                paired = child("scipy", "paired n=20", 1)
                rate = paired["time"] / 2**20
            scipy_time, scipy_note, scipy_rss = rate * n, "extrapolated by count", "n/a"
        rows.append(
            (
                f"{case}, {ours['method']} enumeration",
                n,
                ours["time"],
                ours["rss"],
                scipy_time,
                scipy_note,
                scipy_rss,
            )
        )
        if case in ("independent 12+12", "paired n=20"):
            # Asking for the null distribution walks every relabelling (no block counting).
            walked = child("permkit-histogram", case, repeats)
            assert abs(walked["pvalue"] - ours["pvalue"]) < 1e-12
            rows.append(
                (
                    f"{case}, walking every relabelling (null_distribution='histogram')",
                    n,
                    walked["time"],
                    walked["rss"],
                    scipy_time,
                    scipy_note,
                    scipy_rss,
                )
            )
        if case == "independent 18+18":
            default = child("permkit-default", case, 3)
            assert abs(default["pvalue"] - ours["pvalue"]) < 1e-12
            rows.append(
                (
                    f"{case}, default ({default['method']} algorithm)",
                    n,
                    default["time"],
                    default["rss"],
                    scipy_time,
                    scipy_note,
                    scipy_rss,
                )
            )

    print(
        f"scipy reference: independent 10+10 ({count(*CASES['independent 10+10'])} splits) "
        f"{scipy_small['time']:.2f} s, peak RSS {scipy_small['rss']:.0f} MiB"
    )
    print()
    print(
        "| operation | relabellings | permkit time | permkit peak RSS | scipy time | scipy peak RSS | ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    for case, n, t, rss, st, note, srss in rows:
        print(
            f"| {case} | {n:,} | {t * 1000:.2f} ms | {rss:.0f} MiB | {st:.1f} s ({note}) | {srss} MiB | "
            f"{st / t:,.0f}x |"
        )


if __name__ == "__main__":
    main()
