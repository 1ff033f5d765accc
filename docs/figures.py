"""Draws the documentation's figures from data, never pasted: run by docs/conf.py at build time.

- ``benchmark_speedups.png``: every speed-up in the README's benchmark tables, log scale
  (the tables in README.md are the data file; this reads them, so figure and tables agree);
- ``null_distribution.png``: ``result.plot()`` of the exact test in the README (Darwin's
  *Zea mays*, all 2^15 sign flips);
- ``shuffle_uniformity.png``: how often each of the 5! = 120 orderings of ``range(5)`` comes
  out of ``permkit.permuted`` (one seed, 60 000 rows) and of ``IndexShuffle`` (60 000 seeds),
  against the uniform expectation and its 99% band.

Usage: python docs/figures.py [OUTDIR]   (default: docs/_generated_figures)
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import permkit
from permkit import datasets
from permkit.stats import permutation_test

ROOT = Path(__file__).resolve().parent.parent
SPEEDUP_COLUMNS = ("speed-up", "ratio", "ratio (anchor/permkit)")


def readme_speedups(readme: Path) -> list[tuple[str, str, float]]:
    """``(table title, row label, speed-up)`` for every row of the README's benchmark tables."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("\n## Benchmarks", 1)[1].split("\n## ", 1)[0]
    rows: list[tuple[str, str, float]] = []
    title = ""
    header: list[str] | None = None
    for line in section.splitlines():
        if line.startswith("### "):
            title = line[4:].split(" (")[0].strip()
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        column = next((i for i, h in enumerate(header) if h in SPEEDUP_COLUMNS), None)
        if column is None or column >= len(cells) or set(line) <= set("|-: "):
            continue
        match = re.match(r"([\d,.]+)\s*x$", cells[column])
        if match is not None:
            label = " ".join(c for c in cells[: min(2, column)] if c)
            rows.append((title, label, float(match.group(1).replace(",", ""))))
    return rows


def benchmark_figure(out: Path) -> None:
    rows = readme_speedups(ROOT / "README.md")
    titles = list(dict.fromkeys(title for title, _, _ in rows))
    colours = {t: plt.get_cmap("tab10")(i % 10) for i, t in enumerate(titles)}
    fig, ax = plt.subplots(figsize=(9, 0.22 * len(rows) + 1.5))
    y = np.arange(len(rows))[::-1]
    ax.barh(y, [s for _, _, s in rows], color=[colours[t] for t, _, _ in rows])
    ax.set_yticks(y, [label[:60] for _, label, _ in rows], fontsize=7)
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xlabel("speed-up over the anchor (anchor time / permkit time; log scale)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[t]) for t in titles]
    ax.legend(handles, titles, fontsize=7, loc="upper right")
    ax.set_title("permkit against numpy, torch, sympy, scipy, itertools (README tables)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def null_distribution_figure(out: Path) -> None:
    zea = datasets.load("darwin_zea_mays")
    res = permutation_test(
        (zea["crossed"], zea["self"]),
        "mean",
        permutation_type="samples",
        alternative="greater",
        null_distribution="histogram",
    )
    fig, ax = plt.subplots(figsize=(7, 4))
    res.plot(ax=ax)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def shuffle_figure(out: Path, n: int = 5, draws: int = 60_000) -> None:
    orderings = math.factorial(n)
    rows = permkit.permuted(np.tile(np.arange(n), (draws, 1)), seed=2026)
    index_rows = np.stack([permkit.IndexShuffle(n, seed=s).to_numpy() for s in range(draws)])
    expected = draws / orderings
    band = 2.576 * math.sqrt(expected * (1 - 1 / orderings))
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, data, name in (
        (axes[0], rows, f"permkit.permuted: {draws} rows, one seed"),
        (axes[1], index_rows, f"IndexShuffle({n}, seed=s), s < {draws}"),
    ):
        counts = np.bincount(np.asarray(permkit.rank(data), dtype=np.int64), minlength=orderings)
        chi2 = float(((counts - expected) ** 2 / expected).sum())
        ax.plot(np.arange(orderings), counts, ".", color="tab:blue")
        ax.set_ylim(expected - 2.5 * band, expected + 2.5 * band)
        ax.axhline(expected, color="black", linewidth=0.8)
        ax.axhspan(expected - band, expected + band, color="tab:orange", alpha=0.3)
        ax.set_title(f"{name}\nchi-squared = {chi2:.0f} on {orderings - 1} d.f.", fontsize=9)
        ax.set_xlabel(f"lexicographic rank of the ordering of range({n})")
    axes[0].set_ylabel("count (line: expected; band: 99%)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    benchmark_figure(outdir / "benchmark_speedups.png")
    null_distribution_figure(outdir / "null_distribution.png")
    shuffle_figure(outdir / "shuffle_uniformity.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "_generated_figures")
