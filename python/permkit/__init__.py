"""permkit: fast, exact, reproducible permutation combinatorics.

Permutations are numpy integer arrays in 0-based one-line notation (``p[i]`` is
the image of ``i``), or :class:`Permutation` values wrapping one such array.

Submodules: :mod:`permkit.distance`, :mod:`permkit.count`, :mod:`permkit.stats`,
:mod:`permkit.data` (data-loader samplers, imported on demand) and
:mod:`permkit.datasets`.
"""

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
