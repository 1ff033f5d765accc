"""The :class:`Permutation` value type."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any, cast, overload

import numpy as np
from numpy.typing import ArrayLike

from permkit import _native, algebra, ranking
from permkit._arrays import as_index, as_int_array, require_memory, smallest_uint_dtype

__all__ = ["Permutation"]

_REPR_IMAGES = 16
_REPR_CHARS = 72


class Permutation:
    """An immutable, hashable, picklable permutation of ``0..n-1``.

    Stored in one-line notation (``p[i]`` is the image of ``i``) as a read-only
    numpy array of the smallest unsigned dtype holding ``n - 1``;
    ``np.asarray(p)`` returns that array without copying.

    >>> from permkit import Permutation
    >>> p = Permutation([2, 0, 1, 4, 3])
    >>> p.cycles()
    [(0, 2, 1), (3, 4)]
    >>> (p @ ~p) == Permutation.identity(5), p.order(), p.sign()
    (True, 6, -1)
    >>> p ** 2
    Permutation([1, 2, 0, 3, 4])
    >>> p.apply(["a", "b", "c", "d", "e"])
    ['c', 'a', 'b', 'e', 'd']
    """

    __slots__ = ("_hash", "_images")

    def __init__(self, images: ArrayLike) -> None:
        arr = as_int_array(images, "images")
        if arr.ndim != 1:
            raise ValueError(f"images: expected a 1-D sequence, got shape {arr.shape}")
        _native.validate(arr.reshape(1, -1), "images")
        self._set(arr)

    def _set(self, arr: np.ndarray) -> None:
        frozen = arr.astype(smallest_uint_dtype(len(arr)), copy=True)
        frozen.flags.writeable = False
        self._images = frozen
        self._hash: int | None = None

    @classmethod
    def _trusted(cls, arr: np.ndarray) -> Permutation:
        """Wraps an array already known to be a permutation."""
        perm = cls.__new__(cls)
        perm._set(arr)
        return perm

    # --- constructors --------------------------------------------------------
    @classmethod
    def identity(cls, n: int) -> Permutation:
        """The identity permutation of ``0..n-1``.

        >>> from permkit import Permutation
        >>> Permutation.identity(3)
        Permutation([0, 1, 2])
        """
        n = as_index(n, "n")
        if n < 0:
            raise ValueError(f"n: must be >= 0, got {n}")
        dtype = smallest_uint_dtype(n)
        require_memory(n * dtype.itemsize, f"identity(n={n})")
        return cls._trusted(np.arange(n, dtype=dtype))

    @classmethod
    def from_cycles(cls, cycles: Iterable[Iterable[int]], n: int | None = None) -> Permutation:
        """The permutation with the given disjoint cycles; unmentioned points are fixed.

        ``n`` defaults to one more than the largest element mentioned.

        >>> from permkit import Permutation
        >>> Permutation.from_cycles([(0, 2, 1), (3, 4)], n=6)
        Permutation([2, 0, 1, 4, 3, 5])
        """
        cycle_lists = [list(c) for c in cycles]
        elements = as_int_array(list(chain.from_iterable(cycle_lists)), "cycles")
        offsets = np.cumsum([0] + [len(c) for c in cycle_lists]).tolist()
        if n is None:
            n = int(elements.max()) + 1 if elements.size else 0
        n = as_index(n, "n")
        if n < 0:
            raise ValueError(f"n: must be >= 0, got {n}")
        require_memory(n * 16, f"from_cycles(n={n})")
        return cls._trusted(_native.from_cycles(elements.astype(np.int64).tolist(), offsets, n))

    @classmethod
    def from_lehmer(cls, code: ArrayLike) -> Permutation:
        """The permutation with the given Lehmer code (see :func:`permkit.lehmer_code`).

        >>> from permkit import Permutation
        >>> Permutation.from_lehmer([2, 0, 0])
        Permutation([2, 0, 1])
        """
        code = as_int_array(code, "code")
        if code.ndim != 1:
            raise ValueError(f"code: expected a 1-D sequence, got shape {code.shape}")
        return cls._trusted(algebra.from_lehmer(code))

    @classmethod
    def unrank(cls, r: int, n: int, order: str = "lex") -> Permutation:
        """The permutation of rank ``r`` among all of ``0..n-1`` (see :func:`permkit.unrank`).

        >>> from permkit import Permutation
        >>> Permutation.unrank(4, 3), Permutation.unrank(4, 3, order="sjt")
        (Permutation([2, 0, 1]), Permutation([1, 2, 0]))
        """
        images = ranking.unrank(as_index(r, "r"), n, order=order)
        return cls._trusted(np.asarray(images))

    def rank(self, order: str = "lex") -> int:
        """This permutation's rank among all of ``0..n-1`` (see :func:`permkit.rank`).

        >>> from permkit import Permutation
        >>> Permutation([2, 0, 1]).rank(), Permutation([2, 0, 1]).rank(order="mr")
        (4, 1)
        """
        return int(ranking.rank(self._images, order=order))

    # --- container protocol ----------------------------------------------------
    def __len__(self) -> int:
        return len(self._images)

    @property
    def n(self) -> int:
        """The number of points, ``len(self)``."""
        return len(self._images)

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> np.ndarray: ...
    def __getitem__(self, i: int | slice) -> int | np.ndarray:
        if isinstance(i, slice):
            return self._images[i]
        return int(self._images[as_index(i, "index")])

    def __iter__(self) -> Iterator[int]:
        return iter(self._images.tolist())

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if copy:
            return self._images.astype(
                dtype if dtype is not None else self._images.dtype, copy=True
            )
        if dtype is None or np.dtype(dtype) == self._images.dtype:
            return self._images
        return self._images.astype(dtype)

    def tolist(self) -> list[int]:
        """The images as a list of Python ints."""
        images: list[int] = self._images.tolist()
        return images

    # --- value semantics -------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Permutation):
            return NotImplemented
        return len(self) == len(other) and bool(np.array_equal(self._images, other._images))

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((len(self._images), self._images.tobytes()))
        return self._hash

    def __reduce__(self) -> tuple[Any, ...]:
        return (Permutation, (self._images,))

    def __repr__(self) -> str:
        n = len(self)
        if n <= _REPR_IMAGES:
            return f"Permutation({self.tolist()})"
        text = "".join("(" + " ".join(map(str, c)) + ")" for c in self.cycles())
        if len(text) > _REPR_CHARS:
            text = text[:_REPR_CHARS] + "…"
        return f"<Permutation n={n} cycles={text or '()'}>"

    # --- group operations ------------------------------------------------------
    def _check_same_n(self, other: Permutation, name: str) -> None:
        if len(other) != len(self):
            raise ValueError(
                f"{name}: length {len(other)} does not match this permutation's length {len(self)}"
            )

    def __matmul__(self, other: Permutation) -> Permutation:
        """``(p @ q)[i] == p[q[i]]``, as :func:`permkit.compose`."""
        if not isinstance(other, Permutation):
            return NotImplemented
        self._check_same_n(other, "q")
        return Permutation._trusted(
            _native.compose(self._images.reshape(1, -1), other._images.reshape(1, -1))[0]
        )

    def __invert__(self) -> Permutation:
        return Permutation._trusted(algebra.inverse(self._images))

    def __pow__(self, k: int) -> Permutation:
        return Permutation._trusted(algebra.power(self._images, k))

    def conjugate(self, q: Permutation) -> Permutation:
        """``q @ self @ ~q``: this permutation with its points renamed by ``q``.

        If ``self`` maps ``i`` to ``j``, the result maps ``q[i]`` to ``q[j]``, so
        its cycles are those of ``self`` with every element ``x`` replaced by ``q[x]``.

        >>> from permkit import Permutation
        >>> Permutation.from_cycles([(0, 1)], 3).conjugate(Permutation([2, 0, 1])).cycles()
        [(0, 2)]
        """
        if not isinstance(q, Permutation):
            q = Permutation(q)
        self._check_same_n(q, "q")
        return q @ self @ ~q

    # --- invariants ------------------------------------------------------------
    def cycles(self, singletons: bool = False) -> list[tuple[int, ...]]:
        """Canonical cycle form: each cycle starts at its smallest element, cycles
        ordered by that element; fixed points only when ``singletons``.

        >>> from permkit import Permutation
        >>> Permutation([1, 0, 2]).cycles(), Permutation([1, 0, 2]).cycles(singletons=True)
        ([(0, 1)], [(0, 1), (2,)])
        """
        elements, offsets = _native.cycles(self._images.reshape(1, -1), singletons)
        elements = elements.tolist()
        offsets = offsets.tolist()
        return [tuple(elements[a:b]) for a, b in zip(offsets, offsets[1:])]

    def cycle_type(self) -> dict[int, int]:
        """``{cycle length: number of cycles}``, fixed points included, by increasing length.

        >>> from permkit import Permutation
        >>> Permutation([1, 0, 2, 4, 3]).cycle_type()
        {1: 1, 2: 2}
        """
        counts = algebra.cycle_type(self._images)
        return {int(k): int(c) for k, c in enumerate(counts) if c}

    def order(self) -> int:
        """The least ``k >= 1`` with ``self ** k`` the identity (exact Python int)."""
        return cast(int, algebra.order(self._images))  # an int for 1-D input

    def sign(self) -> int:
        """+1 for an even permutation, -1 for an odd one."""
        return cast(int, algebra.sign(self._images))  # an int for 1-D input

    def inversions(self) -> int:
        """The number of pairs ``i < j`` with ``p[i] > p[j]``."""
        return cast(int, algebra.inversions(self._images))  # an int for 1-D input

    def lehmer_code(self) -> np.ndarray:
        """``code[i]`` = number of ``j > i`` with ``p[j] < p[i]``."""
        return algebra.lehmer_code(self._images)

    def fixed_points(self) -> np.ndarray:
        """The points ``i`` with ``p[i] == i``, increasing.

        >>> from permkit import Permutation
        >>> Permutation([0, 2, 1, 3]).fixed_points()
        array([0, 3])
        """
        return np.flatnonzero(self._images == np.arange(len(self), dtype=self._images.dtype))

    def is_derangement(self) -> bool:
        """True when no point is fixed."""
        return not bool(np.any(self._images == np.arange(len(self), dtype=self._images.dtype)))

    def is_involution(self) -> bool:
        """True when ``p @ p`` is the identity."""
        return bool(
            np.array_equal(
                self._images[self._images], np.arange(len(self), dtype=self._images.dtype)
            )
        )

    # --- acting on data ----------------------------------------------------------
    def apply(self, x: Any, axis: int = 0) -> Any:
        """``x`` rearranged by this permutation: ``x[p]`` along ``axis``.

        numpy arrays give arrays (``np.take``); lists, tuples and strings give the
        same type; other sequences give lists.

        >>> import numpy as np
        >>> from permkit import Permutation
        >>> Permutation([2, 0, 1]).apply(np.array([[1, 2], [3, 4], [5, 6]]))
        array([[5, 6],
               [1, 2],
               [3, 4]])
        >>> Permutation([2, 0, 1]).apply("abc")
        'cab'
        """
        n = len(self)
        if isinstance(x, np.ndarray):
            axis = as_index(axis, "axis")
            if not -x.ndim <= axis < x.ndim:
                raise ValueError(f"axis: {axis} is out of range for an array with {x.ndim} axes")
            if x.shape[axis] != n:
                raise ValueError(f"x: has length {x.shape[axis]} along axis {axis}, expected {n}")
            return np.take(x, self._images, axis=axis)
        if not isinstance(x, Sequence):
            raise TypeError(f"x: expected a numpy array or a sequence, got {type(x).__name__}")
        if len(x) != n:
            raise ValueError(f"x: has length {len(x)}, expected {n}")
        items = [x[i] for i in self._images.tolist()]
        if isinstance(x, str):
            return "".join(items)
        if isinstance(x, tuple):
            return tuple(items)
        return items
