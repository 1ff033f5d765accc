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
    "__version__",
    # the value type and the group
    "Permutation",
    "compose",
    "inverse",
    "power",
    "sign",
    "inversions",
    "cycle_type",
    "order",
    "is_permutation",
    "lehmer_code",
    "from_lehmer",
    "distance",
    # generators and shuffles
    "Squares64",
    "Squares32",
    "Philox4x32",
    "squares_key_from_seed",
    "permutation",
    "shuffle",
    "permuted",
    "IndexShuffle",
    # counting, ranking, enumeration
    "count",
    "rank",
    "unrank",
    "rank_combination",
    "unrank_combination",
    "rank_arrangement",
    "unrank_arrangement",
    "rank_multiset_permutation",
    "unrank_multiset_permutation",
    "Enumeration",
    "permutations",
    "combinations",
    "arrangements",
    "multiset_permutations",
    "derangements",
    # exact tests
    "stats",
]
