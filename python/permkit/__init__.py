"""permkit: fast, exact, reproducible permutation combinatorics.

Permutations are numpy integer arrays in 0-based one-line notation (``p[i]`` is
the image of ``i``), or :class:`Permutation` values wrapping one such array.
"""

from permkit._native import __version__
from permkit.algebra import inverse
from permkit.generators import Philox4x32, Squares32, Squares64, squares_key_from_seed
from permkit.shuffles import permutation, permuted, shuffle

__all__ = ["__version__", "inverse"]
__all__ += ["Squares64", "Squares32", "Philox4x32", "squares_key_from_seed", "permutation", "shuffle", "permuted"]
