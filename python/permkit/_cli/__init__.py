"""Subcommands of the ``permkit`` command line.

Each module defines ``add_parser(subparsers)``, which registers the subcommand
and sets ``run`` (a function of the parsed arguments returning an exit code).
"""

COMMANDS: list = []

from permkit._cli import test as _test  # noqa: E402

COMMANDS.append(_test)
