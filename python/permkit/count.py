"""Exact counts of permutation families, as Python ints of any size.

Computed in Rust with big integers: products by balanced product trees,
derangements and involutions by their linear recurrences. Nothing here does
work proportional to the count itself.

>>> from permkit import count
>>> count.permutations(5), count.permutations(5, 2), count.combinations(52, 5)
(120, 20, 2598960)
>>> count.derangements(4), count.involutions(4), count.multiset_permutations([2, 1])
(9, 10, 3)
"""

from __future__ import annotations

from collections.abc import Iterable

from permkit import _native
from permkit._arrays import as_size

__all__ = ["combinations", "derangements", "involutions", "multiset_permutations", "permutations"]


def permutations(n: int, k: int | None = None) -> int:
    """Ordered selections of ``k`` out of ``n`` items, ``n!/(n-k)!`` (``n!`` when ``k`` is None; 0 when ``k > n``).

    >>> permutations(10), permutations(10, 3), permutations(3, 4)
    (3628800, 720, 0)
    """
    n = as_size(n, "n", below=1 << 64)
    return int(_native.count_permutations(n, n if k is None else as_size(k, "k", below=1 << 64)))


def combinations(n: int, k: int) -> int:
    """The binomial coefficient ``C(n, k)`` (0 when ``k > n``).

    >>> combinations(5, 2), combinations(2, 5)
    (10, 0)
    """
    return int(
        _native.count_combinations(as_size(n, "n", below=1 << 64), as_size(k, "k", below=1 << 64))
    )


def multiset_permutations(counts: Iterable[int]) -> int:
    """Distinct orderings of a multiset with ``counts[v]`` copies of value ``v``: the multinomial.

    >>> multiset_permutations([5, 5, 5])
    756756
    """
    return int(
        _native.count_multiset_permutations([as_size(c, "counts", below=1 << 64) for c in counts])
    )


def derangements(n: int) -> int:
    """Permutations of ``n`` items with no fixed point (subfactorial ``!n``).

    >>> [derangements(n) for n in range(7)]
    [1, 0, 1, 2, 9, 44, 265]
    """
    return int(_native.count_derangements(as_size(n, "n", below=1 << 64)))


def involutions(n: int) -> int:
    """Permutations of ``n`` items equal to their own inverse.

    >>> [involutions(n) for n in range(7)]
    [1, 1, 2, 4, 10, 26, 76]
    """
    return int(_native.count_involutions(as_size(n, "n", below=1 << 64)))
