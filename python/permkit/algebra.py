"""The permutation group on numpy arrays, broadcasting over leading axes."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from permkit import _native
from permkit._arrays import as_int_array


def inverse(p: ArrayLike) -> np.ndarray:
    """The inverse of each permutation along the last axis.

    The result has ``p``'s dtype and satisfies ``compose(p, inverse(p)) == identity``.

    >>> import permkit
    >>> permkit.inverse([2, 0, 1])
    array([1, 2, 0])
    """
    return _native.inverse(as_int_array(p, "p"))
