"""Ranking and unranking: permutations (lex, mr, sjt), combinations (lex,
colex, revolving door), arrangements and multiset permutations (lex).

Every function broadcasts: rows along the last axis give ranks with the
leading shape, and an array of ranks gives one row per rank. Ranks are
``uint64`` when every member of the family has a rank below 2**64 (for
permutations: n <= 20); otherwise they are exact Python ints (lists or
object arrays in, object arrays out). Ranks out of range raise ValueError,
floats and bools raise TypeError. See docs/ranking.md for the orders.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Union, cast

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from permkit import _native
from permkit._arrays import (
    as_counts,
    as_int_array,
    as_size,
    has_ints_beyond_int64,
    out_dtype,
    require_memory,
)

__all__ = [
    "rank",
    "rank_arrangement",
    "rank_combination",
    "rank_multiset_permutation",
    "unrank",
    "unrank_arrangement",
    "unrank_combination",
    "unrank_multiset_permutation",
]

PERMUTATION_ORDERS = ("lex", "mr", "sjt")
COMBINATION_ORDERS = ("lex", "colex", "revolving_door")
_U64_MAX = (1 << 64) - 1

Rank = Union[int, np.ndarray]


def _order(order: str, allowed: tuple[str, ...]) -> str:
    if order not in allowed:
        raise ValueError(f"order: expected one of {', '.join(map(repr, allowed))}, got {order!r}")
    return order


def parse_ranks(
    r: Any, big: bool, name: str = "r"
) -> tuple[tuple[int, ...], np.ndarray | list[int]]:
    """(shape, ranks): ranks as a uint64 array (``big`` False) or a list of ints.

    A scalar gives shape ``()``. Raises TypeError for floats and bools and
    ValueError for negative ranks or (for uint64) ranks above 2**64-1.
    """
    if isinstance(r, (bool, np.bool_)):
        raise TypeError(f"{name}: ranks are integers, got bool")
    if isinstance(r, (int, np.integer)):
        shape: tuple[int, ...] = ()
        values: list[int] = [int(r)]
    else:
        if isinstance(r, (float, np.floating, complex, str, bytes)):
            raise TypeError(f"{name}: ranks are integers, got {type(r).__name__}")
        arr = (
            r
            if isinstance(r, np.ndarray)
            else np.asarray(r, dtype=object if has_ints_beyond_int64(r) else None)
        )
        shape = arr.shape
        if arr.dtype.kind in "iu":
            if arr.size and arr.dtype.kind == "i" and arr.min() < 0:
                raise ValueError(f"{name}: ranks must be >= 0, got {int(arr.min())}")
            if not big:
                return shape, np.ascontiguousarray(arr.reshape(-1), dtype=np.uint64)
            values = [int(v) for v in arr.reshape(-1).tolist()]
        elif arr.dtype.kind == "O" or (arr.size == 0 and arr.dtype.kind == "f"):
            values = []
            for v in arr.reshape(-1):
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                    raise TypeError(f"{name}: ranks are integers, found {type(v).__name__} {v!r}")
                values.append(int(v))
        else:
            raise TypeError(
                f"{name}: ranks are integers, got dtype {arr.dtype} (floats are never accepted)"
            )
    for v in values:
        if v < 0:
            raise ValueError(f"{name}: ranks must be >= 0, got {v}")
    if big:
        return shape, values
    for i, v in enumerate(values):
        if v > _U64_MAX:
            raise ValueError(f"{name}: rank {v} at index {i} is out of range (above 2**64-1)")
    return shape, np.array(values, dtype=np.uint64)


def _spec(
    family: str, order: str, n: int = 0, k: int = 0, counts: Sequence[int] = ()
) -> _native.Spec:
    """The core's typed description of ``family`` in ``order`` (orders already validated)."""
    return _native.Spec(family, order, n, k, list(counts))


def _ranks_are_big(spec: _native.Spec) -> bool:
    """Whether some rank of the family exceeds 2**64-1 (decided by a bound, not by counting)."""
    return spec.rank_total_u64() is None


def _rank_rows(spec: _native.Spec, arr: np.ndarray, name: str) -> Rank:
    width = arr.shape[-1]
    lead = arr.shape[:-1]
    m = math.prod(lead)
    big = _ranks_are_big(spec)
    res = spec.rank_rows(arr.reshape(m, width), big, name)
    if lead == ():
        return int(res[0])
    if big:
        out = np.empty(m, dtype=object)
        out[:] = res
        return out.reshape(lead)
    return cast(np.ndarray, res).reshape(lead)  # not big: the core returns a uint64 array


def _unrank_rows(spec: _native.Spec, r: Any, dtype: np.dtype) -> np.ndarray:
    width = spec.width
    shape, ranks = parse_ranks(r, _ranks_are_big(spec))
    # The result, plus one row of machine words per worker in the core.
    require_memory(len(ranks) * width * dtype.itemsize + width * 8 * 64, "the unranked rows")
    out = np.empty((len(ranks), width), dtype=dtype)
    spec.unrank_rows(ranks, out)
    return out.reshape(shape + (width,))


def rank(p: ArrayLike, order: str = "lex") -> Rank:
    """Rank of each permutation along the last axis of ``p`` in ``order``.

    ``"lex"``: the order of ``itertools.permutations(range(n))``; ``"mr"``:
    Myrvold-Ruskey (sympy's ``rank_nonlex``); ``"sjt"``: plain changes (sympy's
    ``rank_trotterjohnson``). One permutation gives a Python int; ``(..., n)``
    gives an array of shape ``(...)``: ``uint64`` for n <= 20, object (exact
    Python ints) above.

    >>> import permkit
    >>> permkit.rank([2, 0, 1]), permkit.rank([2, 0, 1], order="mr")
    (4, 1)
    >>> permkit.rank([[0, 1, 2], [2, 1, 0]])
    array([0, 5], dtype=uint64)
    """
    _order(order, PERMUTATION_ORDERS)
    arr = as_int_array(p, "p")
    n = arr.shape[-1]
    return _rank_rows(_spec("permutations", order, n), arr, "p")


def unrank(r: Any, n: int, order: str = "lex", *, dtype: DTypeLike | None = None) -> np.ndarray:
    """The permutation of ``0..n-1`` with rank ``r`` in ``order`` (see :func:`rank`).

    ``r`` is an int or an array of ranks (a list or object array of Python
    ints when n > 20); the result has shape ``r.shape + (n,)`` in the smallest
    unsigned dtype holding ``n - 1`` unless ``dtype`` is given. Ranks outside
    ``0..n!-1`` raise ValueError (they are never reduced modulo ``n!``).

    >>> import permkit
    >>> permkit.unrank(4, 3)
    array([2, 0, 1], dtype=uint8)
    >>> permkit.unrank([0, 1], 3, order="sjt")
    array([[0, 1, 2],
           [0, 2, 1]], dtype=uint8)
    """
    _order(order, PERMUTATION_ORDERS)
    n = as_size(n, "n")
    return _unrank_rows(_spec("permutations", order, n), r, out_dtype(dtype, n))


def rank_combination(c: ArrayLike, n: int, order: str = "lex") -> Rank:
    """Rank of each k-combination of ``0..n-1`` (a strictly increasing row) in ``order``.

    ``"lex"``: the order of ``itertools.combinations(range(n), k)``;
    ``"colex"``: ordered by the largest element first; ``"revolving_door"``:
    Knuth's Algorithm R order (TAOCP 7.2.1.3), where neighbours differ by one
    element leaving and one entering.

    >>> import permkit
    >>> permkit.rank_combination([0, 2], 4), permkit.rank_combination([0, 2], 4, order="colex")
    (1, 1)
    """
    _order(order, COMBINATION_ORDERS)
    n = as_size(n, "n")
    arr = as_int_array(c, "c")
    k = arr.shape[-1]
    return _rank_rows(_spec("combinations", order, n, k), arr, "c")


def unrank_combination(
    r: Any, n: int, k: int, order: str = "lex", *, dtype: DTypeLike | None = None
) -> np.ndarray:
    """The k-combination of ``0..n-1`` (ascending) with rank ``r`` in ``order``.

    >>> import permkit
    >>> permkit.unrank_combination([0, 5], 4, 2)
    array([[0, 1],
           [2, 3]], dtype=uint8)
    """
    _order(order, COMBINATION_ORDERS)
    n, k = as_size(n, "n"), as_size(k, "k")
    return _unrank_rows(_spec("combinations", order, n, k), r, out_dtype(dtype, n))


def rank_arrangement(a: ArrayLike, n: int) -> Rank:
    """Lex rank of each k-arrangement (k distinct values of ``0..n-1``, in order):
    the order of ``itertools.permutations(range(n), k)``.

    >>> import permkit
    >>> permkit.rank_arrangement([1, 0], 3)
    2
    """
    n = as_size(n, "n")
    arr = as_int_array(a, "a")
    k = arr.shape[-1]
    if k > n:
        raise ValueError(f"a: rows of length {k} cannot be arrangements of {n} values")
    return _rank_rows(_spec("arrangements", "lex", n, k), arr, "a")


def unrank_arrangement(r: Any, n: int, k: int, *, dtype: DTypeLike | None = None) -> np.ndarray:
    """The k-arrangement of ``0..n-1`` with lex rank ``r``.

    >>> import permkit
    >>> permkit.unrank_arrangement(2, 3, 2)
    array([1, 0], dtype=uint8)
    """
    n, k = as_size(n, "n"), as_size(k, "k")
    return _unrank_rows(_spec("arrangements", "lex", n, k), r, out_dtype(dtype, n))


def rank_multiset_permutation(seq: ArrayLike, counts: Sequence[int] | None = None) -> Rank:
    """Lex rank of each distinct ordering of a multiset of values ``0..s-1``.

    ``counts[v]`` is how often value ``v`` occurs; by default it is read from
    the first row (every row must use the same multiset). Ranks are exact
    Python ints when the number of orderings exceeds 2**64.

    >>> import permkit
    >>> permkit.rank_multiset_permutation([1, 0, 1, 0])
    4
    """
    arr = as_int_array(seq, "seq")
    if counts is None:
        first = arr.reshape(-1, arr.shape[-1])[:1].reshape(-1)
        if first.size and first.min() < 0:
            raise ValueError("seq: values must be >= 0")
        if first.size:
            # counts has max + 1 entries, each later a Python int (about 64 bytes).
            require_memory((int(first.max()) + 1) * 64, "seq: counts up to its largest value")
        seen: Sequence[int] | np.ndarray = np.bincount(first.astype(np.int64)) if first.size else []
    else:
        seen = counts
    cs = as_counts(seen)
    if arr.shape[-1] != sum(cs):
        raise ValueError(f"seq: rows have length {arr.shape[-1]} but the counts total {sum(cs)}")
    return _rank_rows(_spec("multiset_permutations", "lex", counts=cs), arr, "seq")


def unrank_multiset_permutation(
    r: Any, counts: Sequence[int], *, dtype: DTypeLike | None = None
) -> np.ndarray:
    """The ordering with lex rank ``r`` of the multiset holding ``counts[v]`` copies of ``v``.

    >>> import permkit
    >>> permkit.unrank_multiset_permutation(3, [2, 2])
    array([1, 0, 0, 1], dtype=uint8)
    """
    cs = as_counts(counts)
    spec = _spec("multiset_permutations", "lex", counts=cs)
    return _unrank_rows(spec, r, out_dtype(dtype, len(cs)))
