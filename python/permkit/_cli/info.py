"""``permkit info``: everything about one permutation, from one-line or cycle notation."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from permkit.permutation import Permutation

_CYCLE = re.compile(r"\(([^()]*)\)")


def parse_permutation(words: list[str], n: int | None) -> Permutation:
    """One-line images (``2 0 1`` or ``2,0,1``) or cycles (``(0 2 1)(3 4)``)."""
    text = " ".join(words).strip()
    if not text:
        raise ValueError("PERM: give the images (e.g. 2 0 1) or cycles (e.g. '(0 2)(1 3)')")
    if "(" in text:
        if _CYCLE.sub("", text).strip():
            raise ValueError(f"PERM: cannot read {text!r} as cycles like '(0 2)(1 3)'")
        cycles = [
            [int(tok) for tok in re.split(r"[\s,]+", body.strip()) if tok]
            for body in _CYCLE.findall(text)
        ]
        return Permutation.from_cycles(cycles, n)
    images = [int(tok) for tok in re.split(r"[\s,]+", text) if tok]
    if n is not None and n != len(images):
        raise ValueError(f"-n: {n} does not match the {len(images)} images given")
    return Permutation(images)


def describe(perm: Permutation) -> dict[str, Any]:
    fixed = perm.fixed_points()
    return {
        "n": len(perm),
        "images": perm.tolist(),
        "cycles": [list(c) for c in perm.cycles()],
        "cycle_type": {str(k): v for k, v in perm.cycle_type().items()},
        "sign": perm.sign(),
        "order": perm.order(),
        "inversions": perm.inversions(),
        "fixed_points": len(fixed),
        "derangement": perm.is_derangement(),
        "involution": perm.is_involution(),
        "inverse": (~perm).tolist(),
        "lehmer_code": perm.lehmer_code().tolist(),
    }


def run(args: argparse.Namespace) -> int:
    facts = describe(parse_permutation(args.perm, args.n))
    if args.json:
        json.dump(facts, sys.stdout)
        sys.stdout.write("\n")
        return 0
    cycles = "".join("(" + " ".join(map(str, c)) + ")" for c in facts["cycles"]) or "() identity"
    rows = [
        ("n", facts["n"]),
        ("one-line", " ".join(map(str, facts["images"]))),
        ("cycles", cycles),
        ("cycle type", ", ".join(f"{v}x{k}-cycle" for k, v in facts["cycle_type"].items()) or "-"),
        ("sign", f"{facts['sign']:+d} ({'even' if facts['sign'] > 0 else 'odd'})"),
        ("order", facts["order"]),
        ("inversions", facts["inversions"]),
        ("fixed points", facts["fixed_points"]),
        ("derangement", "yes" if facts["derangement"] else "no"),
        ("involution", "yes" if facts["involution"] else "no"),
        ("inverse", " ".join(map(str, facts["inverse"]))),
        ("Lehmer code", " ".join(map(str, facts["lehmer_code"]))),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "info",
        help="describe one permutation (cycles, sign, order, inversions, ...)",
        description="Describe a permutation given in 0-based one-line notation or as cycles.",
        epilog="examples: permkit info 2 0 1 4 3    permkit info '(0 2 1)(3 4)' -n 6",
    )
    parser.add_argument(
        "perm", nargs="+", metavar="PERM", help="images (2 0 1) or cycles ('(0 2)(1 3)')"
    )
    parser.add_argument(
        "-n",
        type=int,
        default=None,
        help="number of points (cycles notation; default: largest + 1)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)
