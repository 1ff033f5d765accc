"""The permutation group on numpy arrays.

Every function takes integer arrays of shape ``(..., n)`` whose last axis is a
permutation of ``0..n-1`` in one-line notation, and broadcasts over the leading
axes like a numpy gufunc. Permutation-valued results keep the input's integer
dtype (the promoted dtype of both inputs for :func:`compose`); scalar results
for a 1-D input are Python ints (or bool), and arrays of shape ``(...)`` for
stacked inputs. Values are validated in Rust: duplicates, values outside
``0..n-1`` and negative values raise ``ValueError`` naming the argument; bool,
float and non-integer object arrays raise ``TypeError``.
"""

from __future__ import annotations

from typing import Union

import numpy as np
from numpy.typing import ArrayLike

from permkit import _native
from permkit._arrays import (
    as_index,
    as_int_array,
    as_rows,
    broadcast_pair,
    has_ints_beyond_int64,
    scalar_or_array,
)

__all__ = [
    "compose",
    "cycle_type",
    "from_lehmer",
    "inverse",
    "inversions",
    "is_permutation",
    "lehmer_code",
    "order",
    "power",
    "sign",
]

IntOrArray = Union[int, np.ndarray]


def compose(p: ArrayLike, q: ArrayLike) -> np.ndarray:
    """The composition ``p ∘ q``: ``compose(p, q)[..., i] == p[..., q[..., i]]``.

    This is numpy's ``p[q]``: gathering an array by ``p`` and then by ``q``
    equals gathering it by ``compose(p, q)``. Leading axes broadcast.

    >>> import permkit
    >>> permkit.compose([1, 2, 0], [2, 1, 0])
    array([0, 2, 1])
    >>> x = ["a", "b", "c"]
    >>> [[x[i] for i in [1, 2, 0]][j] for j in [2, 1, 0]] == [x[i] for i in permkit.compose([1, 2, 0], [2, 1, 0])]
    True
    """
    p2, q2, lead = broadcast_pair(p, q)
    return _native.compose(p2, q2).reshape(lead + (p2.shape[-1],))


def inverse(p: ArrayLike) -> np.ndarray:
    """The inverse of each permutation: ``compose(p, inverse(p))`` is the identity.

    >>> import permkit
    >>> permkit.inverse([2, 0, 1])
    array([1, 2, 0])
    """
    p = as_int_array(p, "p")
    return _native.inverse(as_rows(p)).reshape(p.shape)


def power(p: ArrayLike, k: int) -> np.ndarray:
    """``p`` composed with itself ``k`` times, for any int ``k`` (negative: powers of the inverse).

    Computed in O(n) by rotating each cycle, so ``k`` may be astronomically large.

    >>> import permkit
    >>> permkit.power([1, 2, 0], 2)
    array([2, 0, 1])
    >>> permkit.power([1, 2, 0], -1)
    array([2, 0, 1])
    >>> permkit.power([1, 2, 0], 10**100)
    array([1, 2, 0])
    """
    p = as_int_array(p, "p")
    k = as_index(k, "k")
    return _native.power(as_rows(p), k).reshape(p.shape)


def sign(p: ArrayLike) -> IntOrArray:
    """The sign of each permutation: +1 if even, -1 if odd (int8 for stacked input).

    >>> import permkit
    >>> permkit.sign([1, 0, 2])
    -1
    >>> permkit.sign([[0, 1, 2], [1, 2, 0]])
    array([1, 1], dtype=int8)
    """
    p = as_int_array(p, "p")
    signs: IntOrArray = scalar_or_array(_native.sign(as_rows(p)), p.shape[:-1])
    return signs


def inversions(p: ArrayLike) -> IntOrArray:
    """The number of pairs ``i < j`` with ``p[i] > p[j]`` (O(n log n); int64 for stacked input).

    >>> import permkit
    >>> permkit.inversions([2, 0, 1])
    2
    """
    p = as_int_array(p, "p")
    counts = _native.inversions(as_rows(p)).astype(np.int64)
    result: IntOrArray = scalar_or_array(counts, p.shape[:-1])
    return result


def cycle_type(p: ArrayLike) -> np.ndarray:
    """Cycle counts by length: ``cycle_type(p)[..., k]`` is the number of ``k``-cycles.

    The result has shape ``(..., n + 1)`` (index 0 is always 0) and dtype int64;
    ``sum(k * c[k]) == n``. :meth:`Permutation.cycle_type` gives the same as a dict.

    >>> import permkit
    >>> permkit.cycle_type([1, 0, 2, 4, 3])
    array([0, 1, 2, 0, 0, 0])
    """
    p = as_int_array(p, "p")
    n = p.shape[-1]
    return _native.cycle_counts(as_rows(p)).astype(np.int64).reshape(p.shape[:-1] + (n + 1,))


def order(p: ArrayLike) -> IntOrArray:
    """The order of each permutation: the least ``k >= 1`` with ``p**k`` the identity.

    Exact: a Python int for 1-D input (of any size), an int64 array for stacked
    input when every order fits, else an object array of Python ints.

    >>> import permkit
    >>> permkit.order([1, 2, 0, 4, 3])
    6
    """
    p = as_int_array(p, "p")
    orders = _native.order(as_rows(p))
    lead = p.shape[:-1]
    if not lead:
        return orders[0]
    if all(o < 2**63 for o in orders):
        return np.array(orders, dtype=np.int64).reshape(lead)
    out = np.empty(len(orders), dtype=object)
    out[:] = orders
    return out.reshape(lead)


def is_permutation(p: ArrayLike) -> bool | np.ndarray:
    """Whether each row is a permutation of ``0..n-1``; never raises for integer input.

    >>> import permkit
    >>> permkit.is_permutation([2, 0, 1]), permkit.is_permutation([2, 2, 1]), permkit.is_permutation([0, 5])
    (True, False, False)
    """
    if not isinstance(p, np.ndarray) and has_ints_beyond_int64(p):
        p = np.asarray(p, dtype=object)
    if isinstance(p, np.ndarray) and p.dtype == object:
        # An int beyond 64 bits is no permutation value: stand in -1 (also never
        # one) so that its row reads False instead of raising.
        p = _beyond_int64_as_minus_one(p)
    p = as_int_array(p, "p")
    verdicts: bool | np.ndarray = scalar_or_array(_native.is_permutation(as_rows(p)), p.shape[:-1])
    return verdicts


_beyond_int64_as_minus_one = np.frompyfunc(
    lambda v: (
        -1
        if isinstance(v, int) and not isinstance(v, bool) and not -(1 << 63) <= v < (1 << 63)
        else v
    ),
    1,
    1,
)


def lehmer_code(p: ArrayLike) -> np.ndarray:
    """The Lehmer code: ``code[i]`` = number of ``j > i`` with ``p[j] < p[i]`` (O(n log n)).

    >>> import permkit
    >>> permkit.lehmer_code([3, 0, 4, 1, 2])
    array([3, 0, 2, 0, 0])
    """
    p = as_int_array(p, "p")
    return _native.lehmer_code(as_rows(p)).reshape(p.shape)


def from_lehmer(code: ArrayLike) -> np.ndarray:
    """The permutation with the given Lehmer code (``code[i]`` in ``0..n-1-i``).

    >>> import permkit
    >>> permkit.from_lehmer([3, 0, 2, 0, 0])
    array([3, 0, 4, 1, 2])
    """
    code = as_int_array(code, "code")
    return _native.from_lehmer(as_rows(code)).reshape(code.shape)
