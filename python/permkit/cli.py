"""The ``permkit`` command line: ``permkit --version`` and one subcommand per job."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from permkit import __version__
from permkit._cli import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="permkit",
        description="Fast, exact, reproducible permutation combinatorics.",
    )
    parser.add_argument("--version", action="version", version=f"permkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        status: int = args.run(args)
        return status
    except (ValueError, TypeError, OverflowError, MemoryError) as exc:
        print(f"permkit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
