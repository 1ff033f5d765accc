"""``permkit test``: an exact permutation test on two columns of a CSV file."""

from __future__ import annotations

import argparse
import math
from fractions import Fraction
from pathlib import Path
from typing import cast

from permkit import datasets
from permkit.stats import BUILTINS, permutation_test

DESIGNS = {"independent": "independent", "paired": "samples", "pairings": "pairings"}
DEFAULT_STATISTIC = {"independent": "mean_diff", "samples": "mean", "pairings": "pearson"}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "test",
        help="exact permutation test of two CSV columns",
        description="Exact (or Monte Carlo) permutation test of column X against column Y of a CSV file "
        f"with a header row. FILE may also name a bundled data set: {', '.join(datasets.NAMES)}.",
    )
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--x", required=True, metavar="COL", help="first sample's column")
    p.add_argument("--y", required=True, metavar="COL", help="second sample's column")
    p.add_argument(
        "--paired",
        action="store_true",
        help="paired data: sign flips of X - Y (same as --design paired)",
    )
    p.add_argument(
        "--design",
        choices=sorted(DESIGNS),
        help="independent (default), paired or pairings (correlation)",
    )
    every = sorted({name for names in BUILTINS.values() for name in names})
    p.add_argument(
        "--statistic",
        choices=every,
        help="built-in statistic (default: mean_diff / mean / pearson)",
    )
    p.add_argument("--alternative", choices=["two-sided", "less", "greater"], default="two-sided")
    p.add_argument(
        "--two-sided", dest="two_sided", choices=["double", "deviation"], default="double"
    )
    p.add_argument("--mid-p", dest="mid_p", action="store_true")
    p.add_argument(
        "--monte-carlo", dest="monte_carlo", action="store_true", help="force Monte Carlo"
    )
    p.add_argument(
        "--resamples", type=int, default=9999, help="Monte Carlo resamples (default 9999)"
    )
    p.add_argument(
        "--seed", type=int, default=None, help="Monte Carlo seed (default: fresh entropy)"
    )
    p.set_defaults(run=run)


def _column(columns: dict[str, list[float]], name: str, source: str) -> list[float]:
    if name not in columns:
        raise ValueError(
            f"--x/--y: column {name!r} not in {source} (columns: {', '.join(columns)})"
        )
    values = columns[name]
    bad = [v for v in values if isinstance(v, str)]
    if bad:
        raise ValueError(f"column {name!r} of {source}: non-numeric value {bad[0]!r}")
    return values


def run(args: argparse.Namespace) -> int:
    if args.file in datasets.NAMES:
        source, columns = args.file, datasets.load(args.file)
    else:
        path = Path(args.file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"FILE: cannot read {args.file} ({exc.strerror})") from None
        source, columns = args.file, datasets.read_columns(text, args.file)
    design = DESIGNS["paired" if args.paired else (args.design or "independent")]
    x, y = _column(columns, args.x, source), _column(columns, args.y, source)
    if design == "independent":
        x = [v for v in x if not math.isnan(v)]
        y = [v for v in y if not math.isnan(v)]
    else:
        pairs = [(a, b) for a, b in zip(x, y) if not (math.isnan(a) or math.isnan(b))]
        x, y = [a for a, _ in pairs], [b for _, b in pairs]
    statistic = args.statistic or DEFAULT_STATISTIC[design]
    res = permutation_test(
        (x, y),
        statistic,
        permutation_type=design,
        alternative=args.alternative,
        two_sided=args.two_sided,
        mid_p=args.mid_p,
        exact=False if args.monte_carlo else None,
        n_resamples=args.resamples,
        rng=args.seed,
    )
    label = {"independent": "independent samples", "samples": "paired", "pairings": "pairings"}[
        design
    ]
    print(f"data:          {source}: {args.x} vs {args.y} ({label}, n = {len(x)} and {len(y)})")
    print(f"statistic:     {statistic} = {float(res.statistic):.10g}")
    two = f", two-sided '{args.two_sided}'" if args.alternative == "two-sided" else ""
    print(f"alternative:   {args.alternative}{two}{', mid-p' if args.mid_p else ''}")
    frac = cast(Fraction, res.pvalue_fraction)  # two 1-D samples: one p-value
    print(
        f"p-value:       {res.pvalue:.10g} = {frac.numerator}/{frac.denominator}"
        f"{' (exact)' if res.method != 'monte carlo' else ' (Monte Carlo: (b + 1) / (m + 1))'}"
    )
    count = "relabellings" if res.method != "monte carlo" else "resamples"
    print(f"{count + ':':<15}{res.n_total} ({res.n_extreme} as or more extreme)")
    print(f"method:        {res.method}")
    return 0
