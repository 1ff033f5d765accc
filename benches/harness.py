"""Timing helpers shared by the bench scripts: medians of repeated runs, side by side.

Benchmarks are run by hand (`python benches/bench_<topic>.py`), never by the tests.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median_seconds(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def alternating_medians(
    ours: Callable[[], object], anchor: Callable[[], object], repeat: int = 7, warmup: int = 1
) -> tuple[float, float]:
    """Medians of ``ours`` and ``anchor`` run alternately, so load spikes hit both alike."""
    for _ in range(warmup):
        ours()
        anchor()
    a, b = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        ours()
        a.append(time.perf_counter() - start)
        start = time.perf_counter()
        anchor()
        b.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def fmt_seconds(t: float | None) -> str:
    if t is None:
        return "n/a"
    if t < 1e-3:
        return f"{t * 1e6:.1f} µs"
    if t < 1:
        return f"{t * 1e3:.1f} ms"
    return f"{t:.2f} s"


class Table:
    """Rows of (operation, size, permkit time, anchor name, anchor time) printed as Markdown."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, str, float, str, float | None, str]] = []

    def add(
        self,
        operation: str,
        size: str,
        ours: float,
        anchor: str,
        theirs: float | None,
        note: str = "",
    ) -> None:
        self.rows.append((operation, size, ours, anchor, theirs, note))
        ratio = f"{theirs / ours:.1f}x" if theirs else "n/a"
        print(
            f"  {operation} [{size}]: permkit {fmt_seconds(ours)}, {anchor} {fmt_seconds(theirs)} -> {ratio}",
            flush=True,
        )

    def markdown(self) -> str:
        lines = [
            f"**{self.title}**",
            "",
            "| operation | size | permkit | anchor | anchor time | speed-up |",
            "|---|---|---|---|---|---|",
        ]
        for operation, size, ours, anchor, theirs, note in self.rows:
            ratio = f"{theirs / ours:.1f}x" if theirs else "n/a"
            anchor_text = f"{anchor} ({note})" if note else anchor
            lines.append(
                f"| {operation} | {size} | {fmt_seconds(ours)} | {anchor_text} | {fmt_seconds(theirs)} | {ratio} |"
            )
        return "\n".join(lines)
