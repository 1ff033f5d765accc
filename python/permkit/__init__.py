"""permkit: fast, exact, reproducible permutation combinatorics.

Permutations are numpy integer arrays in 0-based one-line notation (``p[i]`` is
the image of ``i``), or :class:`Permutation` values wrapping one such array.
"""

from permkit import distance, stats
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
from permkit.generators import Philox4x32, Squares32, Squares64, squares_key_from_seed
from permkit.index_shuffle import IndexShuffle
from permkit.permutation import Permutation
from permkit.shuffles import permutation, permuted, shuffle

__all__ = [
    "__version__",
    "IndexShuffle",
    "Permutation",
    "Philox4x32",
    "Squares32",
    "Squares64",
    "compose",
    "cycle_type",
    "distance",
    "from_lehmer",
    "inverse",
    "inversions",
    "is_permutation",
    "lehmer_code",
    "permutation",
    "permuted",
    "shuffle",
    "squares_key_from_seed",
    "order",
    "power",
    "sign",
    "stats",
]
