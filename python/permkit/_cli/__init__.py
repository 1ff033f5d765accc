"""Subcommands of the ``permkit`` command line.

Each module defines ``add_parser(subparsers)``, which registers the subcommand
and sets ``run`` (a function of the parsed arguments returning an exit code).
A module is imported only when its command runs (or for the overall help), so a
command starts without loading what the others need.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from types import ModuleType

#: Command name -> the module that implements it.
COMMANDS: dict[str, str] = {
    "info": "permkit._cli.info",
    "shuffle": "permkit._cli.shuffle",
    "test": "permkit._cli.test",
}


def load(names: Iterable[str]) -> list[ModuleType]:
    """The modules of the named commands (names from :data:`COMMANDS`)."""
    return [importlib.import_module(COMMANDS[name]) for name in names]
