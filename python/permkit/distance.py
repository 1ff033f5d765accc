"""Distances between permutations, broadcasting over leading axes.

Each function takes two integer arrays of shape ``(..., n)`` (permutations of
``0..n-1``) and returns a Python int for 1-D inputs, or an int64 array of the
broadcast leading shape. All run in O(n log n) or better per pair.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from permkit import _native
from permkit._arrays import broadcast_pair, scalar_or_array

__all__ = ["cayley", "footrule", "hamming", "kendall_tau", "ulam"]


def _distance(metric: str, p: ArrayLike, q: ArrayLike) -> int | np.ndarray:
    p2, q2, lead = broadcast_pair(p, q)
    distances: int | np.ndarray = scalar_or_array(
        _native.distance(metric, p2, q2).astype(np.int64), lead
    )
    return distances


def kendall_tau(p: ArrayLike, q: ArrayLike) -> int | np.ndarray:
    """Number of discordant pairs: ``i < j`` ordered one way by ``p`` and the other by ``q``.

    Equals the number of adjacent transpositions turning one into the other.

    >>> from permkit import distance
    >>> distance.kendall_tau([0, 1, 2, 3], [3, 2, 1, 0])
    6
    """
    return _distance("kendall_tau", p, q)


def cayley(p: ArrayLike, q: ArrayLike) -> int | np.ndarray:
    """Fewest transpositions (any two positions) turning ``p`` into ``q``: n minus the cycles of ``p^-1 q``.

    >>> from permkit import distance
    >>> distance.cayley([0, 1, 2, 3], [3, 2, 1, 0])
    2
    """
    return _distance("cayley", p, q)


def hamming(p: ArrayLike, q: ArrayLike) -> int | np.ndarray:
    """Number of positions where ``p`` and ``q`` differ.

    >>> from permkit import distance
    >>> distance.hamming([0, 1, 2, 3], [0, 2, 1, 3])
    2
    """
    return _distance("hamming", p, q)


def ulam(p: ArrayLike, q: ArrayLike) -> int | np.ndarray:
    """Fewest moves of a single element turning ``p`` into ``q``: n minus the longest increasing subsequence of ``p^-1 q``.

    >>> from permkit import distance
    >>> distance.ulam([0, 1, 2, 3], [1, 2, 3, 0])
    1
    """
    return _distance("ulam", p, q)


def footrule(p: ArrayLike, q: ArrayLike) -> int | np.ndarray:
    """Spearman's footrule: ``sum(|p[i] - q[i]|)``.

    >>> from permkit import distance
    >>> distance.footrule([0, 1, 2, 3], [3, 2, 1, 0])
    8
    """
    return _distance("footrule", p, q)
