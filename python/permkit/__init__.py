"""permkit: fast, exact, reproducible permutation combinatorics.

Permutations are numpy integer arrays in 0-based one-line notation (``p[i]`` is
the image of ``i``), or :class:`Permutation` values wrapping one such array.

Submodules: :mod:`permkit.distance`, :mod:`permkit.count`, :mod:`permkit.stats`,
:mod:`permkit.data` (data-loader samplers, imported on demand) and
:mod:`permkit.datasets`.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# The public names are imported on first use (PEP 562), so ``import permkit`` and the
# command line start fast and load numpy, scipy and the kernels only when a feature
# needs them. The block below shows every name to type checkers and IDEs.
if TYPE_CHECKING:
    from permkit import count, distance, stats
    from permkit._native import __version__
    from permkit.algebra import (
        compose,
        cycle_type,
        from_lehmer,
        inverse,
        inversions,
        is_permutation,
        lehmer_code,
        order,
        power,
        sign,
    )
    from permkit.enumeration import (
        Enumeration,
        arrangements,
        combinations,
        derangements,
        multiset_permutations,
        permutations,
    )
    from permkit.generators import Philox4x32, Squares32, Squares64, squares_key_from_seed
    from permkit.index_shuffle import IndexShuffle
    from permkit.permutation import Permutation
    from permkit.ranking import (
        rank,
        rank_arrangement,
        rank_combination,
        rank_multiset_permutation,
        unrank,
        unrank_arrangement,
        unrank_combination,
        unrank_multiset_permutation,
    )
    from permkit.shuffles import permutation, permuted, shuffle

#: Where each public name lives: a module (for a submodule) or the module defining it.
_LAZY: dict[str, str] = {
    "count": "permkit.count",
    "distance": "permkit.distance",
    "stats": "permkit.stats",
    "__version__": "permkit._native",
    "compose": "permkit.algebra",
    "cycle_type": "permkit.algebra",
    "from_lehmer": "permkit.algebra",
    "inverse": "permkit.algebra",
    "inversions": "permkit.algebra",
    "is_permutation": "permkit.algebra",
    "lehmer_code": "permkit.algebra",
    "order": "permkit.algebra",
    "power": "permkit.algebra",
    "sign": "permkit.algebra",
    "Enumeration": "permkit.enumeration",
    "arrangements": "permkit.enumeration",
    "combinations": "permkit.enumeration",
    "derangements": "permkit.enumeration",
    "multiset_permutations": "permkit.enumeration",
    "permutations": "permkit.enumeration",
    "Philox4x32": "permkit.generators",
    "Squares32": "permkit.generators",
    "Squares64": "permkit.generators",
    "squares_key_from_seed": "permkit.generators",
    "IndexShuffle": "permkit.index_shuffle",
    "Permutation": "permkit.permutation",
    "rank": "permkit.ranking",
    "rank_arrangement": "permkit.ranking",
    "rank_combination": "permkit.ranking",
    "rank_multiset_permutation": "permkit.ranking",
    "unrank": "permkit.ranking",
    "unrank_arrangement": "permkit.ranking",
    "unrank_combination": "permkit.ranking",
    "unrank_multiset_permutation": "permkit.ranking",
    "permutation": "permkit.shuffles",
    "permuted": "permkit.shuffles",
    "shuffle": "permkit.shuffles",
}
_SUBMODULES = frozenset(name for name, module in _LAZY.items() if module == f"permkit.{name}")


def __getattr__(name: str) -> Any:
    """Imports a public name (or any ``permkit.<submodule>``) on first access."""
    module_name = _LAZY.get(name)
    if module_name is None:
        if name.startswith("__"):
            raise AttributeError(f"module 'permkit' has no attribute {name!r}")
        module_name = f"permkit.{name}"
        try:
            value: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            raise AttributeError(f"module 'permkit' has no attribute {name!r}") from None
    elif name in _SUBMODULES:
        value = importlib.import_module(module_name)
    else:
        value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package's module type: importing the submodule ``permkit.permutation`` (home
    of :class:`Permutation`) would bind it as ``permkit.permutation``, hiding the public
    function :func:`permutation`; the function keeps the name, as with eager imports."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "permutation" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "Enumeration",
    "IndexShuffle",
    # the value type and the group
    "Permutation",
    "Philox4x32",
    "Squares32",
    # generators and shuffles
    "Squares64",
    "__version__",
    "arrangements",
    "combinations",
    "compose",
    # counting, ranking, enumeration
    "count",
    "cycle_type",
    "derangements",
    "distance",
    "from_lehmer",
    "inverse",
    "inversions",
    "is_permutation",
    "lehmer_code",
    "multiset_permutations",
    "order",
    "permutation",
    "permutations",
    "permuted",
    "power",
    "rank",
    "rank_arrangement",
    "rank_combination",
    "rank_multiset_permutation",
    "shuffle",
    "sign",
    "squares_key_from_seed",
    # exact tests
    "stats",
    "unrank",
    "unrank_arrangement",
    "unrank_combination",
    "unrank_multiset_permutation",
]
