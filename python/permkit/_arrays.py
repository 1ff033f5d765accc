"""Argument validation shared by the public functions.

The Python layer checks types, shapes and dtypes here and hands contiguous,
native-endian integer arrays to the Rust core, which checks values.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

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
    kind = arr.dtype.kind
    if kind == "O":
        arr = _object_to_int(arr, name)
    elif kind == "b":
        raise TypeError(f"{name}: expected integers, got a bool array")
    elif kind not in _INT_KINDS:
        raise TypeError(f"{name}: expected integers, got dtype {arr.dtype} (floats are not accepted, even integral ones)")
    if arr.ndim < min_ndim:
        raise ValueError(f"{name}: expected at least {min_ndim} axis (shape (..., n)), got a scalar" if min_ndim == 1
                         else f"{name}: expected at least {min_ndim} axes, got {arr.ndim}")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return np.ascontiguousarray(arr)


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
