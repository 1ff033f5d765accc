"""Lazy enumerations of permutations, combinations, arrangements, multiset
permutations and derangements, as 2-D numpy blocks.

Each function returns an :class:`Enumeration`: a sized, sliceable, picklable
description of a range of ranks. Iterating yields blocks of at most
``chunk`` rows; ``to_numpy()`` materialises the range. A block for ranks
``[a, b)`` unranks ``a`` in Rust and then runs a constant-amortized successor
(Algorithm L, Heap's algorithm, plain changes, Algorithm R ...), with the GIL
released; big blocks are split across threads, each part seeking its own
start, so results never depend on the thread count.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from permkit import _native
from permkit._arrays import (
    as_counts,
    as_index,
    as_size,
    out_dtype,
    require_memory,
    smallest_uint_dtype,
)

__all__ = [
    "Enumeration",
    "arrangements",
    "combinations",
    "derangements",
    "multiset_permutations",
    "permutations",
]

DEFAULT_CHUNK = 1 << 16
# Seeking a block start costs O(n^3) for heap order and O(n^2) big-integer
# operations for derangements: beyond this n a single block would take minutes.
MAX_SEEK_N = 1000
# (family, order) of each enumeration, by the "family/order" name its pickles use.
_KINDS = {
    f"{family}/{order}": (family, order)
    for family, order in (
        ("permutations", "lex"),
        ("permutations", "heap"),
        ("permutations", "sjt"),
        ("arrangements", "lex"),
        ("combinations", "lex"),
        ("combinations", "colex"),
        ("combinations", "revolving_door"),
        ("multiset_permutations", "lex"),
        ("derangements", "lex"),
    )
}
_CHANGE_ORDERS = (
    ("permutations", "heap"),
    ("permutations", "sjt"),
    ("combinations", "revolving_door"),
)
_SEEK_LIMITED = (("permutations", "heap"), ("derangements", "lex"))
# The fields of a pickle (the typed core spec is rebuilt from them).
_STATE = (
    "_chunk",
    "_counts",
    "_dtype",
    "_hi",
    "_k",
    "_kind",
    "_lo",
    "_n",
    "_total",
    "_values",
    "_width",
)


def _check_alloc(what: str, rows: int, width: int, itemsize: int) -> None:
    require_memory(
        rows * max(width, 1) * itemsize,
        f"{what} ({rows} rows x {width} values)",
        hint="slice the enumeration or iterate over blocks",
    )


class Enumeration:
    """A range of ranks ``[start, stop)`` of one combinatorial family in one order.

    ``len()`` is the number of rows (``.count`` also for ranges past
    ``sys.maxsize``); ``e[a:b]`` is the sub-range of ranks ``start+a ..
    start+b``; ``e[i]`` is one row. Iteration yields 2-D blocks of at most
    ``chunk`` rows. Enumerations pickle, so ranges can be shipped to workers.
    """

    __slots__ = (
        "_chunk",
        "_counts",
        "_dtype",
        "_family",
        "_hi",
        "_k",
        "_lo",
        "_n",
        "_order",
        "_spec",
        "_total",
        "_values",
        "_width",
    )

    def __init__(
        self,
        family: str,
        order: str,
        n: int,
        k: int,
        counts: Sequence[int],
        *,
        start: Any = 0,
        stop: Any = None,
        chunk: Any = DEFAULT_CHUNK,
        dtype: np.dtype,
        values: np.ndarray | None = None,
    ) -> None:
        self._family, self._order = family, order
        self._n, self._k, self._counts = n, k, tuple(counts)
        self._spec = _native.Spec(family, order, n, k, list(self._counts))
        # The count is computed only when asked (len(), negative indices,
        # reaching the end): building permutations(10**8) must not compute 10**8!.
        self._total: int | None = None
        self._width = self._spec.width
        self._lo = self._resolve(start, "start")
        self._hi = None if stop is None else max(self._lo, self._resolve(stop, "stop"))
        chunk = as_index(chunk, "chunk")
        if chunk < 1:
            raise ValueError(f"chunk: must be >= 1, got {chunk}")
        self._chunk = chunk
        self._dtype = dtype
        self._values = values

    def _count_all(self) -> int:
        """The size of the whole family (computed once, polling Ctrl-C)."""
        if self._total is None:
            self._total = int(self._spec.count())
        return self._total

    def _exceeds(self, r: int) -> bool:
        """Whether the family has more than ``r`` members, without counting far past ``r``."""
        if self._total is not None:
            return self._total > r
        return bool(self._spec.count_exceeds(r))

    def _resolve(self, bound: Any, name: str) -> int:
        """A rank bound clipped to ``0..total`` (negative: counted from the end)."""
        i = as_index(bound, name)
        if i < 0:
            return max(i + self._count_all(), 0)
        return i if i == 0 or self._exceeds(i - 1) else self._count_all()

    @property
    def _end(self) -> int:
        return self._count_all() if self._hi is None else self._hi

    def _rows_from(self, a: int, want: int) -> int:
        """``min(want, end - a)`` (at least 0), without counting the family when it is larger."""
        if self._hi is not None:
            return max(0, min(want, self._hi - a))
        if want > 0 and self._exceeds(a + want - 1):
            return want
        return max(0, min(want, self._count_all() - a))

    @property
    def count(self) -> int:
        """Number of rows in this range (an exact int, even past ``sys.maxsize``)."""
        return self._end - self._lo

    @property
    def start(self) -> int:
        """Rank of the first row."""
        return self._lo

    @property
    def stop(self) -> int:
        """One past the rank of the last row."""
        return self._end

    @property
    def width(self) -> int:
        """Values per row."""
        return self._width

    @property
    def order(self) -> str:
        """The order word (``"lex"``, ``"heap"``, ...)."""
        return self._order

    def __len__(self) -> int:
        if self.count > sys.maxsize:
            raise OverflowError(f"{self.count} rows do not fit in len(); use .count")
        return self.count

    def __repr__(self) -> str:
        family, order = self._family, self._order
        args = ", ".join(
            f"{a}={v}"
            for a, v in (("n", self._n), ("k", self._k), ("counts", list(self._counts)))
            if (a != "counts" or family.startswith("multiset"))
            and (a != "k" or family in ("combinations", "arrangements"))
            and (a != "n" or not family.startswith("multiset"))
        )
        total = "?" if self._total is None else self._total
        stop = "end" if self._hi is None else self._hi
        return f"<{family}({args}, order={order!r}) ranks {self._lo}..{stop} of {total}>"

    def _sub(self, lo: int, hi: int | None) -> Enumeration:
        e = object.__new__(Enumeration)
        for s in self.__slots__:
            object.__setattr__(e, s, getattr(self, s))
        e._lo, e._hi = lo, None if hi is None else max(lo, hi)
        return e

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, slice):
            if key.step not in (None, 1):
                raise ValueError("step: enumerations slice by contiguous rank ranges only (step 1)")
            a = 0 if key.start is None else self._clip(key.start)
            if key.stop is None:
                return self._sub(self._lo + a, self._hi)
            return self._sub(self._lo + a, self._lo + self._clip(key.stop))
        i = as_index(key, "index")
        j = i + self.count if i < 0 else i
        if j < 0 or self._rows_from(self._lo + j, 1) == 0:
            raise IndexError(f"index {i} is out of range for {self.count} rows")
        return self._block(self._lo + j, 1)[0]

    def _clip(self, bound: Any) -> int:
        i = as_index(bound, "slice bound")
        if i < 0:
            return max(i + self.count, 0)
        return self._rows_from(self._lo, i)

    def _block(self, a: int, rows: int) -> np.ndarray:
        _check_alloc("a block", rows, self._width, self._dtype.itemsize)
        # Each walker in the core holds a row (or more) of machine words.
        _check_alloc("the walkers", 64, self._width, 16)
        out = np.empty((rows, self._width), dtype=self._dtype)
        self._spec.fill(a, rows, out)
        return out if self._values is None else self._values[out]

    def __iter__(self) -> Iterator[np.ndarray]:
        a = self._lo
        while rows := self._rows_from(a, self._chunk):
            yield self._block(a, rows)
            a += rows

    def to_numpy(self) -> np.ndarray:
        """All rows of the range as one ``(count, width)`` array.

        Raises MemoryError, before allocating, when the array would not fit in memory.
        """
        itemsize = (self._values.dtype if self._values is not None else self._dtype).itemsize
        _check_alloc("to_numpy()", self.count, self._width, max(itemsize, self._dtype.itemsize))
        return self._block(self._lo, self.count)

    def _check_changes(self) -> None:
        if (self._family, self._order) not in _CHANGE_ORDERS:
            raise ValueError(
                f"changes: the {self._family} order {self._order} has no change stream; "
                "use order='heap' or 'sjt' (permutations) or 'revolving_door' (combinations)"
            )

    def _changes(self, a: int, steps: int) -> np.ndarray:
        out = np.empty((steps, 2), dtype=smallest_uint_dtype(self._n))
        self._spec.changes(a, steps, out)
        return out

    def changes(self) -> np.ndarray:
        """The change stream of the range: row ``s`` turns row ``s`` into row ``s + 1``.

        Shape ``(count - 1, 2)``. For ``"heap"`` and ``"sjt"`` the pair is the two
        positions swapped (smaller first; adjacent for sjt); for
        ``"revolving_door"`` it is (element leaving, element entering).
        """
        self._check_changes()
        steps = max(self.count - 1, 0)
        _check_alloc("changes()", steps, 2, smallest_uint_dtype(self._n).itemsize)
        return self._changes(self._lo, steps)

    def iter_changes(self) -> Iterator[np.ndarray]:
        """:meth:`changes` in blocks of at most ``chunk`` steps."""
        self._check_changes()
        a = self._lo
        while (steps := self._rows_from(a, self._chunk + 1) - 1) > 0:
            yield self._changes(a, steps)
            a += steps

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Enumeration):
            return NotImplemented
        same_values = (self._values is None and other._values is None) or (
            self._values is not None
            and other._values is not None
            and np.array_equal(self._values, other._values)
        )
        same_stop = self._hi == other._hi or (
            (self._hi is None or other._hi is None) and self._end == other._end
        )
        return (
            same_values
            and same_stop
            and all(
                getattr(self, s) == getattr(other, s)
                for s in self.__slots__
                if s not in ("_values", "_total", "_hi", "_spec")
            )
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        kind = f"{self._family}/{self._order}"
        return {s: kind if s == "_kind" else getattr(self, s) for s in _STATE}

    def __setstate__(self, state: Any) -> None:
        # A pickle is untrusted input: rebuild through the constructor, which
        # validates every field, and refuse anything it would have clipped.
        if not isinstance(state, dict) or not set(_STATE) <= set(state):
            raise ValueError(
                f"Enumeration pickle: expected a dict with the fields {', '.join(_STATE)}"
            )
        kind = state["_kind"]
        if not isinstance(kind, str) or kind not in _KINDS:
            raise ValueError(f"Enumeration pickle: unknown kind {kind!r}")
        family, order = _KINDS[kind]
        n, k = as_size(state["_n"], "n"), as_size(state["_k"], "k")
        if not isinstance(state["_counts"], (tuple, list)):
            raise TypeError("Enumeration pickle: counts must be a tuple of ints")
        counts = [as_size(c, "counts", below=1 << 64) for c in state["_counts"]]
        if (family, order) in _SEEK_LIMITED and n > MAX_SEEK_N:
            raise ValueError(f"Enumeration pickle: n={n} is above {MAX_SEEK_N} for {kind}")
        alphabet = len(counts) if family == "multiset_permutations" else n
        values = state["_values"]
        if values is not None and (
            not isinstance(values, np.ndarray) or values.shape != (alphabet,)
        ):
            raise ValueError(f"Enumeration pickle: values must be None or {alphabet} items")
        if not isinstance(state["_dtype"], np.dtype):
            raise TypeError("Enumeration pickle: dtype must be a numpy dtype")
        lo, hi = state["_lo"], state["_hi"]
        fresh = Enumeration(
            family,
            order,
            n,
            k,
            counts,
            start=lo,
            stop=hi,
            chunk=state["_chunk"],
            dtype=out_dtype(state["_dtype"], alphabet),
            values=values,
        )
        if fresh._lo != lo or (hi is not None and fresh._hi != hi) or lo < 0:
            raise ValueError(f"Enumeration pickle: ranks {lo}..{hi} are out of range")
        for s in self.__slots__:
            object.__setattr__(self, s, getattr(fresh, s))


def permutations(
    n_or_seq: int | ArrayLike,
    *,
    order: str = "lex",
    start: int = 0,
    stop: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    dtype: DTypeLike | None = None,
) -> Enumeration:
    """All permutations of ``0..n-1`` (or of the items of a sequence) in ``order``.

    ``"lex"``: the order of ``itertools.permutations``; ``"heap"``: Heap's
    algorithm (each step swaps two positions); ``"sjt"``: plain changes (each
    step swaps two adjacent positions; the same order as :func:`permkit.unrank`
    with ``order="sjt"``). ``start``/``stop`` select ranks. With a sequence,
    rows hold its items (``np.asarray(seq)[perm]``), compared by position, not value.

    >>> import permkit
    >>> permkit.permutations(3).to_numpy()[:3]
    array([[0, 1, 2],
           [0, 2, 1],
           [1, 0, 2]], dtype=uint8)
    >>> permkit.permutations("abc", order="heap").to_numpy()[1]
    array(['b', 'a', 'c'], dtype='<U1')
    >>> permkit.permutations(3, order="sjt").changes()[:3].tolist()
    [[1, 2], [0, 1], [1, 2]]
    """
    if order not in ("lex", "heap", "sjt"):
        raise ValueError(f"order: expected 'lex', 'heap' or 'sjt', got {order!r}")
    values = None
    if isinstance(n_or_seq, (int, np.integer)) and not isinstance(n_or_seq, (bool, np.bool_)):
        n = as_size(n_or_seq, "n")
    else:
        if isinstance(n_or_seq, str):
            n_or_seq = list(n_or_seq)
        values = np.asarray(n_or_seq)
        if values.ndim != 1:
            raise ValueError(
                f"n_or_seq: expected an int or a 1-D sequence, got shape {values.shape}"
            )
        if dtype is not None:
            raise ValueError("dtype: not allowed with a sequence (rows hold the sequence's items)")
        n = values.shape[0]
    if order == "heap" and n > MAX_SEEK_N:
        raise ValueError(
            f"n: heap order supports n <= {MAX_SEEK_N} (got {n}); use order='lex' or 'sjt'"
        )
    return Enumeration(
        "permutations",
        order,
        n,
        0,
        (),
        start=start,
        stop=stop,
        chunk=chunk,
        dtype=out_dtype(dtype, n),
        values=values,
    )


def combinations(
    n: int,
    k: int,
    *,
    order: str = "lex",
    start: int = 0,
    stop: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    dtype: DTypeLike | None = None,
) -> Enumeration:
    """All k-combinations of ``0..n-1`` (ascending rows) in ``"lex"`` (itertools),
    ``"colex"`` or ``"revolving_door"`` (Knuth's Algorithm R) order.

    >>> import permkit
    >>> permkit.combinations(4, 2).to_numpy().tolist()
    [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
    >>> permkit.combinations(4, 2, order="revolving_door").changes().tolist()
    [[0, 2], [1, 0], [0, 3], [2, 1], [1, 0]]
    """
    if order not in ("lex", "colex", "revolving_door"):
        raise ValueError(f"order: expected 'lex', 'colex' or 'revolving_door', got {order!r}")
    n, k = as_size(n, "n"), as_size(k, "k")
    return Enumeration(
        "combinations",
        order,
        n,
        k,
        (),
        start=start,
        stop=stop,
        chunk=chunk,
        dtype=out_dtype(dtype, n),
    )


def arrangements(
    n: int,
    k: int,
    *,
    start: int = 0,
    stop: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    dtype: DTypeLike | None = None,
) -> Enumeration:
    """All k-arrangements (k distinct values of ``0..n-1`` in order) in lex order,
    the order of ``itertools.permutations(range(n), k)``.

    >>> import permkit
    >>> permkit.arrangements(3, 2).to_numpy().tolist()
    [[0, 1], [0, 2], [1, 0], [1, 2], [2, 0], [2, 1]]
    """
    n, k = as_size(n, "n"), as_size(k, "k")
    return Enumeration(
        "arrangements",
        "lex",
        n,
        k,
        (),
        start=start,
        stop=stop,
        chunk=chunk,
        dtype=out_dtype(dtype, n),
    )


def multiset_permutations(
    seq: ArrayLike | None = None,
    *,
    counts: Sequence[int] | None = None,
    start: int = 0,
    stop: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    dtype: DTypeLike | None = None,
) -> Enumeration:
    """The distinct orderings of a multiset, in lex order.

    Give either ``seq`` (rows hold its items; equal items are interchangeable,
    the order is that of the sorted distinct items) or ``counts=`` (``counts[v]``
    copies of value ``v``; rows hold ``0..len(counts)-1``).

    >>> import permkit
    >>> permkit.multiset_permutations([1, 0, 1]).to_numpy().tolist()
    [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    >>> len(permkit.multiset_permutations(counts=[5, 5, 5]))
    756756
    """
    if (seq is None) == (counts is None):
        raise ValueError("multiset_permutations: give exactly one of seq or counts=")
    values = None
    if seq is not None:
        if isinstance(seq, str):
            seq = list(seq)
        arr = np.asarray(seq)
        if arr.ndim != 1:
            raise ValueError(f"seq: expected a 1-D sequence, got shape {arr.shape}")
        values, cs = np.unique(arr, return_counts=True)
        if dtype is not None:
            raise ValueError("dtype: not allowed with seq (rows hold the sequence's items)")
        if values.dtype.kind in "iu" and np.array_equal(values, np.arange(values.size)):
            # Items 0..s-1 are their own indices: keep the smallest-dtype convention.
            values = values.astype(smallest_uint_dtype(values.size))
        counts_list = [int(c) for c in cs]
    else:
        counts_list = as_counts(counts)
    s = len(counts_list)
    return Enumeration(
        "multiset_permutations",
        "lex",
        0,
        0,
        counts_list,
        start=start,
        stop=stop,
        chunk=chunk,
        dtype=out_dtype(dtype, s),
        values=values,
    )


def derangements(
    n: int,
    *,
    start: int = 0,
    stop: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    dtype: DTypeLike | None = None,
) -> Enumeration:
    """All permutations of ``0..n-1`` without fixed points, in lex order, generated
    directly (a successor that skips impossible suffixes), not by filtering ``n!``.

    >>> import permkit
    >>> permkit.derangements(3).to_numpy().tolist()
    [[1, 2, 0], [2, 0, 1]]
    """
    n = as_size(n, "n")
    if n > MAX_SEEK_N:
        raise ValueError(f"n: derangements supports n <= {MAX_SEEK_N}, got {n}")
    return Enumeration(
        "derangements",
        "lex",
        n,
        0,
        (),
        start=start,
        stop=stop,
        chunk=chunk,
        dtype=out_dtype(dtype, n),
    )
