"""permkit: fast, exact, reproducible permutation combinatorics.

Permutations are numpy integer arrays in 0-based one-line notation (``p[i]`` is
the image of ``i``), or :class:`Permutation` values wrapping one such array.
"""

from permkit._native import __version__
from permkit.algebra import inverse
from permkit import stats

__all__ = ["__version__", "inverse", "stats"]
