"""permkit: fast, exact, reproducible permutation combinatorics.

Permutations are numpy integer arrays in 0-based one-line notation (``p[i]`` is
the image of ``i``), or :class:`Permutation` values wrapping one such array.
"""

from permkit._native import __version__
from permkit.algebra import inverse

__all__ = ["__version__", "inverse"]

from permkit import count
from permkit.enumeration import Enumeration, arrangements, combinations, derangements, multiset_permutations, permutations
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

__all__ += [
    "count", "Enumeration", "permutations", "combinations", "arrangements", "multiset_permutations", "derangements",
    "rank", "unrank", "rank_combination", "unrank_combination", "rank_arrangement", "unrank_arrangement",
    "rank_multiset_permutation", "unrank_multiset_permutation",
]
