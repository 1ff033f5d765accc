"""The ``permkit`` command line: ``permkit --version`` and one subcommand per job."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence

from permkit import __version__
from permkit._cli import COMMANDS, load


def build_parser(commands: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The parser with the given subcommands (all of them by default)."""
    parser = argparse.ArgumentParser(
        prog="permkit",
        description="Fast, exact, reproducible permutation combinatorics.",
    )
    parser.add_argument("--version", action="version", version=f"permkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in load(COMMANDS if commands is None else commands):
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else list(argv)
    # `permkit CMD ...` builds only CMD's parser (and imports only its module).
    named = args_list[:1] if args_list and args_list[0] in COMMANDS else None
    parser = build_parser(named)
    args = parser.parse_args(args_list)
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
