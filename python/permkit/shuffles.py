"""Uniform shuffles on the Squares64 counter-based stream (spec: docs/shuffle.md).

Every result depends only on the seed and the length: never on the number of
threads, the chunking or the platform. ``shuffle(x, s)`` leaves
``x == x_orig[permutation(len(x), s)]`` (along ``axis``), by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from permkit import _native
from permkit._arrays import as_index, require_memory, smallest_uint_dtype
from permkit._seeding import seed_sequence
from permkit.generators import CounterBitGenerator

__all__ = ["permutation", "permuted", "shuffle"]

# Sizes up to this are shuffled by one Fisher-Yates pass, without a working copy.
_FISHER_YATES_MAX = 1 << 16

_ACCEPTED_SEEDS = (
    "None, a non-negative int, a numpy.random.SeedSequence, a numpy.random.BitGenerator "
    "(permkit's Squares64 / Squares32 / Philox4x32 or any of numpy's) or a "
    "numpy.random.Generator"
)


class _Stream:
    """What a shuffle draws from, and how it reports what it used (docs/shuffle.md).

    Counter-based (``bit_generator is None``): a seed (None, int, SeedSequence)
    gives ``key = key_from_word(SeedSequence(seed).generate_state(1, uint64)[0])``
    and counter 0; a permkit generator lends its stream (``shuffle_stream``).
    Sequential: any other numpy bit generator (or the one of a
    ``numpy.random.Generator``) is drawn from through its ``bitgen_t`` with its
    ``lock`` held; the shuffle is then a Fisher-Yates pass over an index
    permutation.
    """

    def __init__(self, seed: Any) -> None:
        self.key, self.counter = 0, 0
        self.bit_generator: np.random.BitGenerator | None = None
        self._generator: CounterBitGenerator | None = None
        self._lent: AbstractContextManager[tuple[int, int, Callable[[int], None]]] | None = None
        self._consumed: Callable[[int], None] | None = None
        if isinstance(seed, np.random.Generator):
            seed = seed.bit_generator
        if isinstance(seed, CounterBitGenerator):
            self._generator = seed
        elif isinstance(seed, np.random.BitGenerator):
            self.bit_generator = seed
        elif seed is None or isinstance(seed, (int, np.integer, np.random.SeedSequence)):
            word = int(seed_sequence(seed).generate_state(1, np.uint64)[0])
            self.key = _native.squares_key_from_word(word)
        else:
            raise TypeError(f"seed: expected {_ACCEPTED_SEEDS}, got {type(seed).__name__}")

    def __enter__(self) -> _Stream:
        if self._generator is not None:
            self._lent = self._generator.shuffle_stream()
            self.key, self.counter, self._consumed = self._lent.__enter__()
        elif self.bit_generator is not None:
            self.bit_generator.lock.acquire()
        return self

    def consumed(self, count: int) -> None:
        """Records that the shuffle used ``count`` counters from ``self.counter`` on."""
        if self._consumed is not None:
            self._consumed(count)

    def index_rows(self, rows: int, n: int, dtype: Any) -> np.ndarray:
        """``rows`` permutations of ``0..n-1`` as a C-contiguous ``(rows, n)`` array.

        One row is ``permutation(n)``; several rows are ``permuted``'s rows.
        """
        out = np.empty((rows, n), dtype=dtype)
        if out.size == 0:
            return out
        if self.bit_generator is not None:
            _native.permutations_from_bitgen(out, n, self.bit_generator.capsule)
        elif rows == 1:
            self.consumed(_native.permutation_into(out.reshape(n), self.key, self.counter))
        else:
            out[...] = np.arange(n, dtype=dtype)
            used = _native.permuted_last_axis(out, self.key, self.counter)
            assert used is not None, "the native kernel moves unsigned index arrays"
            self.consumed(used)
        return out

    def __exit__(self, *exc: Any) -> None:
        if self._lent is not None:
            self._lent.__exit__(*exc)
        elif self.bit_generator is not None:
            self.bit_generator.lock.release()


def _normalize_axis(axis: Any, ndim: int) -> int:
    index = as_index(axis, "axis")
    if not -ndim <= index < ndim:
        raise np.exceptions.AxisError(
            f"axis: {index} is out of range for an array with {ndim} axes"
        )
    return index % ndim


def _index_permutation(n: int, stream: _Stream) -> np.ndarray:
    return stream.index_rows(1, n, smallest_uint_dtype(n)).reshape(n)


def permutation(x: Any, seed: Any = None, *, dtype: DTypeLike | None = None) -> np.ndarray:
    """A uniformly random permutation of ``0..n-1``, or a shuffled copy of an array.

    With an int ``n``: an array of ``0..n-1`` in random order, of the smallest
    unsigned dtype holding ``n-1`` (``uint8`` up to 256 values, then ``uint16``,
    ``uint32``, ``uint64``) unless ``dtype`` (an integer dtype) is given. With an
    array: a copy shuffled along axis 0, ``x[permutation(len(x), seed)]``.

    ``seed`` is None (fresh entropy), an int, a SeedSequence, a permkit
    generator (which then advances; docs/shuffle.md), or any other
    ``numpy.random.BitGenerator`` or ``numpy.random.Generator``: then a
    Fisher-Yates pass draws ``next_uint64`` words from it sequentially, under its
    ``lock``, and it advances by the words drawn. Same seed, same result on
    every machine and thread count.

    >>> import numpy as np, permkit
    >>> permkit.permutation(5, seed=42).tolist() == permkit.permutation(5, seed=42).tolist()
    True
    >>> sorted(permkit.permutation(5, seed=42).tolist())
    [0, 1, 2, 3, 4]
    >>> permkit.permutation(5, seed=42).dtype
    dtype('uint8')
    >>> permkit.permutation(["a", "b", "c"], seed=1).shape
    (3,)
    >>> g = np.random.PCG64(7)
    >>> p = permkit.permutation(6, g)   # g advanced by 5 words
    >>> p.tolist() == permkit.permutation(6, np.random.Generator(np.random.PCG64(7))).tolist()
    True
    """
    if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
        n = int(x)
        if n < 0:
            raise ValueError(f"n: must be a non-negative integer, got {n}")
        out_dtype = smallest_uint_dtype(n) if dtype is None else np.dtype(dtype)
        if out_dtype.kind not in "iu":
            raise TypeError(f"dtype: expected an integer dtype, got {out_dtype}")
        require_memory(n * out_dtype.itemsize, f"permutation(n={n})")
        if n > 0 and n - 1 > np.iinfo(out_dtype).max:
            raise ValueError(f"dtype: {out_dtype} cannot hold the values 0..{n - 1}")
        with _Stream(seed) as stream:
            return stream.index_rows(1, n, out_dtype.newbyteorder("=")).reshape(n)
    if x is None or isinstance(x, (bool, np.bool_, float, np.floating)):
        raise TypeError(f"x: expected an int n or an array, got {type(x).__name__}")
    if dtype is not None:
        raise TypeError("dtype: only valid when x is an int n")
    # A masked array stays masked, its mask permuted with its data.
    arr = x.copy() if isinstance(x, np.ma.MaskedArray) else np.array(x)
    if arr.ndim == 0:
        raise ValueError("x: expected an int n or an array with at least one axis, got a 0-d array")
    shuffle(arr, seed)
    return arr


def shuffle(x: Any, seed: Any = None, *, axis: int = 0) -> None:
    """Shuffles ``x`` in place along ``axis``: a numpy array of any dtype, or a list.

    The result is ``x_orig[permutation(x.shape[axis], seed)]`` along ``axis``
    (``seed`` as for ``permutation``, numpy bit generators included).
    Arrays of Python objects are shuffled by moving pointers, so reference counts
    stay right. C-contiguous arrays are shuffled natively on every core; other
    writeable arrays (strided views, other axes) are shuffled through an index
    permutation with the same result. Read-only arrays raise ValueError.

    >>> import numpy as np, permkit
    >>> a = np.arange(6.0)
    >>> permkit.shuffle(a, seed=3)
    >>> np.array_equal(a, np.arange(6.0)[permkit.permutation(6, seed=3)])
    True
    >>> words = ["x", "y", "z"]
    >>> permkit.shuffle(words, seed=3)
    >>> sorted(words)
    ['x', 'y', 'z']
    """
    if isinstance(x, list):
        if axis != 0:
            raise np.exceptions.AxisError(f"axis: a list has only axis 0, got {axis}")
        with _Stream(seed) as stream:
            order = _index_permutation(len(x), stream)
        x[:] = [x[i] for i in order.tolist()]
        return
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x: expected a numpy array or a list, got {type(x).__name__}")
    if x.ndim == 0:
        raise ValueError("x: cannot shuffle a 0-d array")
    axis = _normalize_axis(axis, x.ndim)
    if not x.flags.writeable:
        raise ValueError(
            "x: the array is read-only; shuffle a copy (or use permkit.permutation(x))"
        )
    n = x.shape[axis]
    if isinstance(x, np.ma.MaskedArray):
        # The data and the mask take the same order (numpy's Generator.shuffle
        # keeps them aligned too); the mask is unshared first so that no other
        # array sees it move.
        with _Stream(seed) as stream:
            order = _index_permutation(n, stream)
        data = x.data
        data[...] = np.take(data, order, axis=axis)
        if x.mask is not np.ma.nomask:
            x.unshare_mask()
            mask = cast(np.ndarray, x.mask)  # not nomask: a boolean array
            mask[...] = np.take(mask, order, axis=axis)
        return
    stream = _Stream(seed)
    # A numpy bit generator draws sequentially: through an index permutation.
    native = axis == 0 and x.flags.c_contiguous and x.size > 0 and stream.bit_generator is None
    if native:
        require_memory(x.nbytes, "shuffle's working copy")
    with stream:
        if native:
            # numpy's allocator backs large arrays with huge pages: far fewer
            # page faults than a fresh native allocation.
            scratch = np.empty(x.nbytes, dtype=np.uint8) if n > _FISHER_YATES_MAX else None
            used = _native.shuffle_rows(x, stream.key, stream.counter, scratch)
            if used is not None:
                stream.consumed(used)
                return
        order = _index_permutation(n, stream)
    x[...] = np.take(x, order, axis=axis)


def permuted(x: ArrayLike, seed: Any = None, *, axis: int | None = -1) -> np.ndarray:
    """A copy of ``x`` with every slice along ``axis`` shuffled independently.

    Like ``numpy.random.Generator.permuted``. ``axis=None`` shuffles the
    flattened array (the result keeps ``x``'s shape). A single slice is shuffled
    exactly as ``permutation`` would; with several slices, slice ``k`` (in C order
    of the other axes) draws from its own interleaved counters (docs/shuffle.md);
    from a numpy bit generator, the slices take one Fisher-Yates pass each, in
    that order. Counter-based slices are shuffled in parallel.

    >>> import numpy as np, permkit
    >>> out = permkit.permuted(np.arange(12).reshape(3, 4), seed=5)
    >>> out.shape, [sorted(row) for row in out.tolist()]
    ((3, 4), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]])
    """
    arr = np.asarray(x)
    if arr.ndim == 0:
        raise ValueError("x: expected an array with at least one axis, got a 0-d array")
    if axis is None:
        flat = np.array(arr.ravel())
        return permuted(flat, seed, axis=0).reshape(arr.shape)
    axis = _normalize_axis(axis, arr.ndim)
    require_memory(2 * arr.nbytes, "permuted's copy")
    rows = np.array(np.moveaxis(arr, axis, -1), order="C", copy=True)
    n = rows.shape[-1]
    with _Stream(seed) as stream:
        if rows.size:
            used = None
            if stream.bit_generator is None:
                used = _native.permuted_last_axis(rows, stream.key, stream.counter)
            if used is None:
                # Sequential streams, and unit sizes the native kernel does not
                # move: shuffle indices, then gather.
                index = stream.index_rows(rows.size // n, n, smallest_uint_dtype(n))
                index = index.reshape(rows.shape).astype(np.intp)
                rows = np.take_along_axis(rows, index, axis=-1)
            else:
                stream.consumed(used)
    return np.ascontiguousarray(np.moveaxis(rows, -1, axis))
    with _Stream(seed) as stream:
        used = None
        if stream.bit_generator is None:
            used = _native.permuted_last_axis(rows, stream.key, stream.counter)
        if used is None:
            # Sequential streams, and unit sizes the native kernel does not move:
            # shuffle indices, then gather.
            index = stream.index_rows(rows.size // n, n, smallest_uint_dtype(n))
            rows = np.take_along_axis(rows, index.reshape(rows.shape).astype(np.intp), axis=-1)
        else:
            stream.consumed(used)
    return np.ascontiguousarray(np.moveaxis(rows, -1, axis))
