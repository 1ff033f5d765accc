"""The sequence protocol shared by the random-access orders (IndexShuffle, ShardShuffle).

One implementation of indexing, slicing, inversion, membership, iteration and
``to_numpy`` over a native core exposing ``n``, ``forward``, ``inverse``,
``map_array`` and ``map_range``; the subclasses name themselves in error messages.
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from permkit._arrays import as_index, as_int_array, require_memory, smallest_uint_dtype

#: ``to_numpy()`` refuses arrays larger than this (slice instead).
TO_NUMPY_MAX_BYTES = 2**33
_ITER_CHUNK = 1 << 16


class RandomAccessCore(Protocol):
    """What a native random-access order offers (``_native.IndexShuffleCore`` and co.)."""

    @property
    def n(self) -> int: ...

    def forward(self, i: int) -> int: ...

    def inverse(self, j: int) -> int: ...

    def map_array(self, values: Any, inverse: bool, wrap_negative: bool, argname: str) -> Any: ...

    def map_range(self, start: int, step: int, count: int, bits: int) -> Any: ...


class RandomAccessOrder:
    """A bijection of ``range(n)`` read as a sequence; subclasses set ``_core``.

    ``_NOUN`` names the object in error messages ("shuffle", "order") and
    ``_SLICE_HINT`` shows how to slice it (``s[a:b]``).
    """

    __slots__ = ()
    _core: RandomAccessCore
    _NOUN = "order"
    _SLICE_HINT = "order[a:b]"

    def __len__(self) -> int:
        n = self._core.n
        if n > sys.maxsize:
            raise OverflowError(f"len(): n = {n} exceeds sys.maxsize; use the .n attribute")
        return n

    def _position(self, index: Any) -> int:
        n = self._core.n
        i = as_index(index, "index")
        p = i + n if i < 0 else i
        if not 0 <= p < n:
            raise IndexError(
                f"index: {i} is out of range for {_article(self._NOUN)} {self._NOUN} of n={n} (valid: -{n}..{n - 1})"
                if n
                else f"index: an empty {self._NOUN} (n=0) has no positions"
            )
        return p

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._core.n)
            # len(range(...)) overflows above sys.maxsize; n may reach 2**64 - 1.
            count = max(0, (stop - start + step - (1 if step > 0 else -1)) // step)
            if count == 0:
                return np.empty(0, dtype=np.uint64)
            require_memory(count * 8, f"index: a slice of {count} positions")
            return self._core.map_range(start, step, count, 64)
        if isinstance(index, (int, np.integer)) and not isinstance(index, (bool, np.bool_)):
            return self._core.forward(self._position(index))
        arr = as_int_array(index, "index", min_ndim=0)
        require_memory(arr.size * 8, "index: the uint64 result")
        return self._core.map_array(arr, False, True, "index")

    def inverse(self, value: Any) -> Any:
        n = self._core.n
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            v = operator.index(value)
            if not 0 <= v < n:
                raise ValueError(
                    f"value: {v} is not in the {self._NOUN} (values are 0..{n - 1})"
                    if n
                    else f"value: an empty {self._NOUN} (n=0) has no values"
                )
            return self._core.inverse(v)
        arr = as_int_array(value, "value", min_ndim=0)
        require_memory(arr.size * 8, "value: the uint64 result")
        try:
            return self._core.map_array(arr, True, False, "value")
        except IndexError as exc:
            raise ValueError(str(exc)) from None

    def index(self, value: Any) -> Any:
        """Alias of :meth:`inverse` (like ``list.index``: ValueError when absent)."""
        return self.inverse(value)

    def __contains__(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            return False
        return 0 <= int(value) < self._core.n

    def __iter__(self) -> Iterator[int]:
        n = self._core.n
        for start in range(0, n, _ITER_CHUNK):
            yield from self._core.map_range(start, 1, min(_ITER_CHUNK, n - start), 64).tolist()

    def to_numpy(self) -> np.ndarray:
        n = self._core.n
        dtype = smallest_uint_dtype(n)
        require_memory(
            n * dtype.itemsize,
            f"to_numpy(): n = {n}",
            limit=TO_NUMPY_MAX_BYTES,
            hint=f"slice the {self._NOUN} ({self._SLICE_HINT}) or iterate instead",
        )
        if n == 0:
            return np.empty(0, dtype=dtype)
        result: np.ndarray = self._core.map_range(0, 1, n, dtype.itemsize * 8)
        return result


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeiou" else "a"
