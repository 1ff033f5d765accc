"""Subcommands of the ``permkit`` command line.

Each module defines ``add_parser(subparsers)``, which registers the subcommand
and sets ``run`` (a function of the parsed arguments returning an exit code).
"""

from types import ModuleType

from permkit._cli import info, shuffle, test

COMMANDS: list[ModuleType] = [info, shuffle, test]
