"""Argument validation shared by the public functions.

The Python layer checks types, shapes and dtypes here and hands contiguous,
native-endian integer arrays to the Rust core, which checks values.
"""

from __future__ import annotations

import math
import operator
import os
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

_INT_KINDS = "iu"


def as_int_array(x: Any, name: str, *, min_ndim: int = 1) -> np.ndarray:
    """``x`` as a C-contiguous, native-endian integer ndarray, without copying when possible.

    Raises TypeError for bool, float, complex, string or object data that is not
    all Python ints, and ValueError for fewer than ``min_ndim`` axes.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"{name}: cannot be read as an integer array ({exc})") from None
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)
        elif arr.dtype.kind == "f" and _all_python_ints(x):
            # numpy turns a list mixing int64 and larger ints into floats.
            arr = np.asarray(x, dtype=object)
        if arr.dtype.kind in _INT_KINDS and _has_bools(x):
            # numpy reads [True, 0] as integers; a bool array is refused, so is this.
            raise TypeError(f"{name}: expected integers, found a bool")
    kind = arr.dtype.kind
    if kind == "O":
        arr = _object_to_int(arr, name)
    elif kind == "b":
        raise TypeError(f"{name}: expected integers, got a bool array")
    elif kind not in _INT_KINDS:
        raise TypeError(
            f"{name}: expected integers, got dtype {arr.dtype} (floats are not accepted, even integral ones)"
        )
    if arr.ndim < min_ndim:
        raise ValueError(
            f"{name}: expected at least {min_ndim} axis (shape (..., n)), got a scalar"
            if min_ndim == 1
            else f"{name}: expected at least {min_ndim} axes, got {arr.ndim}"
        )
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    # Not np.ascontiguousarray: it turns a 0-d array into shape (1,).
    return arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)


def _nested_items(x: Any) -> Iterator[Any]:
    stack = [x]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            yield item


def _has_bools(x: Any) -> bool:
    return isinstance(x, (list, tuple, bool, np.bool_)) and any(
        isinstance(item, (bool, np.bool_)) for item in _nested_items(x)
    )


def _all_python_ints(x: Any) -> bool:
    return all(
        isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_))
        for item in _nested_items(x)
    )


def has_ints_beyond_int64(x: Any) -> bool:
    """Whether a nested list holds ints outside int64, which numpy would turn into floats."""
    return any(
        isinstance(item, int) and not isinstance(item, bool) and not -(1 << 63) <= item < (1 << 63)
        for item in _nested_items(x)
    )


def as_size(x: Any, name: str, *, below: int = 1 << 63) -> int:
    """A non-negative int size below ``below``: TypeError, ValueError or OverflowError otherwise."""
    v = as_index(x, name)
    if v < 0:
        raise ValueError(f"{name}: must be >= 0, got {v}")
    if v >= below:
        limit = f"2**{below.bit_length() - 1}" if below & (below - 1) == 0 else str(below)
        raise OverflowError(f"{name}: must be below {limit}, got {v}")
    return v


def _object_to_int(arr: np.ndarray, name: str) -> np.ndarray:
    flat = arr.ravel()
    for v in flat:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name}: expected integers, found {type(v).__name__} {v!r}")
    try:
        return np.array(flat.tolist(), dtype=np.int64).reshape(arr.shape)
    except OverflowError:
        raise ValueError(f"{name}: values must lie in 0..n-1 and fit in 64 bits") from None


def as_index(x: Any, name: str) -> int:
    """``x`` as a Python int; TypeError for floats, bools and other non-integers."""
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name}: expected an integer, got bool")
    try:
        return operator.index(x)
    except TypeError:
        raise TypeError(f"{name}: expected an integer, got {type(x).__name__}") from None


def common_int_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """The dtype both arrays are cast to for a binary operation (never a float)."""
    dt = np.promote_types(a.dtype, b.dtype)
    return dt if dt.kind in _INT_KINDS else np.dtype(np.int64)


def smallest_uint_dtype(n: int) -> np.dtype:
    """The smallest unsigned dtype holding ``0..n-1``: how permkit stores new permutations."""
    for dt in (np.uint8, np.uint16, np.uint32):
        if n <= np.iinfo(dt).max + 1:
            return np.dtype(dt)
    return np.dtype(np.uint64)


def physical_memory() -> int:
    """This machine's RAM in bytes (2^62 where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 62


def require_memory(nbytes: int, what: str, *, limit: int | None = None, hint: str = "") -> None:
    """Raise MemoryError, before allocating, when ``nbytes`` exceeds ``limit``.

    The one memory guard of the package: ``limit`` defaults to this machine's RAM;
    callers with a documented cap (``TO_NUMPY_MAX_BYTES``) pass it. ``hint`` says
    what to do instead.
    """
    cap = physical_memory() if limit is None else min(limit, physical_memory())
    if nbytes > cap:
        where = "this machine's" if limit is None else "the limit of"
        raise MemoryError(
            f"{what} would need {nbytes / 2**30:.3g} GiB, more than {where} "
            f"{cap / 2**30:.3g} GiB{'; ' + hint if hint else ''}"
        )


def as_rows(p: np.ndarray) -> np.ndarray:
    """A (rows, n) view of a (..., n) array (also when n or rows is 0)."""
    return p.reshape(math.prod(p.shape[:-1]), p.shape[-1])


def broadcast_pair(
    p: Any, q: Any, p_name: str = "p", q_name: str = "q"
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Validated (rows, n) operands of one dtype and the broadcast leading shape.

    Operands whose leading shape is the full broadcast shape, or a single row,
    are passed without copying; other broadcasts are materialised.
    """
    p = as_int_array(p, p_name)
    q = as_int_array(q, q_name)
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(
            f"{q_name}: length {q.shape[-1]} does not match {p_name}'s length {p.shape[-1]}"
        )
    try:
        lead = np.broadcast_shapes(p.shape[:-1], q.shape[:-1])
    except ValueError:
        raise ValueError(
            f"{p_name} and {q_name}: leading shapes {p.shape[:-1]} and {q.shape[:-1]} do not broadcast"
        ) from None
    dtype = common_int_dtype(p, q)
    n = p.shape[-1]

    def rows(a: np.ndarray) -> np.ndarray:
        a = a.astype(dtype, copy=False)
        # A single row is broadcast by the core, unless there are no rows at
        # all: then both operands must have 0 rows.
        if a.shape[:-1] == lead or (math.prod(a.shape[:-1]) == 1 and math.prod(lead) > 0):
            return as_rows(a)
        return as_rows(np.ascontiguousarray(np.broadcast_to(a, lead + (n,))))

    return rows(p), rows(q), lead


def scalar_or_array(values: np.ndarray, lead: tuple[int, ...]) -> Any:
    """Per-row results reshaped to the leading shape; a Python scalar when that shape is ``()``."""
    values = values.reshape(lead)
    return values.item() if values.ndim == 0 else values


def out_dtype(dtype: DTypeLike | None, alphabet: int) -> np.dtype:
    """The dtype of rows holding values ``0..alphabet-1``: ``dtype`` checked, or the smallest unsigned."""
    if dtype is None:
        return smallest_uint_dtype(alphabet)
    dt = np.dtype(dtype)
    if dt.kind not in "iu":
        raise TypeError(f"dtype: expected an integer dtype, got {dt}")
    if alphabet > 0 and alphabet - 1 > np.iinfo(dt).max:
        raise ValueError(f"dtype: {dt} cannot hold values up to {alphabet - 1}")
    return dt


def as_counts(counts: Any) -> list[int]:
    """Multiset multiplicities ``counts`` as a list of ints (1-D, each ``>= 0``)."""
    arr = as_int_array(counts, "counts")
    if arr.ndim != 1:
        raise ValueError(f"counts: expected a 1-D sequence, got shape {arr.shape}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"counts: must be >= 0, got {int(arr.min())}")
    return [int(c) for c in arr]
