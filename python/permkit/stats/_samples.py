"""Samples as scipy broadcasts them (observations along the last axis), the
NaN policy, and non-vectorized statistics made vectorized."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import numpy.typing as npt

from permkit.stats._builtins import Array

#: nan_policy="propagate"'s mask of result positions set to NaN.
BoolArray = npt.NDArray[np.bool_]


def check_axis(axis: Any) -> int:
    """scipy's rule: anything int() accepts whose value is integral."""
    try:
        axis_int = int(axis)
    except TypeError:
        raise TypeError(f"axis: must be an integer, got {axis!r}") from None
    except ValueError:
        raise ValueError(f"axis: must be an integer, got {axis!r}") from None
    if axis != axis_int:
        raise ValueError(f"axis: must be an integer, got {axis!r}")
    return axis_int


def as_samples(data: Any, axis: Any, permutation_type: str) -> list[np.ndarray]:
    """Samples broadcast as scipy does, with the observations along the last axis.

    Samples with fewer dimensions get leading 1s, ``axis`` is taken on that
    common number of dimensions, and all other axes broadcast.
    """
    if isinstance(data, np.ndarray) or not isinstance(data, (tuple, list)):
        raise TypeError("data: expected a tuple or list of samples (array-likes)")
    if len(data) == 0:
        raise ValueError("data: no samples given")
    if permutation_type == "independent" and len(data) < 2:
        raise ValueError("data: permutation_type='independent' needs at least two samples")
    axis = check_axis(axis)
    arrays = []
    for i, sample in enumerate(data):
        try:
            a = np.asarray(sample)
        except (ValueError, TypeError) as exc:
            raise TypeError(f"data: sample {i} is not array-like ({exc})") from None
        if a.dtype.kind == "b":
            a = a.astype(np.int64)
        if a.dtype.kind not in "iuf":
            raise TypeError(
                f"data: sample {i} must be real numbers (int or float), got dtype {a.dtype}"
            )
        arrays.append(a)
    n_dims = max(1, max(a.ndim for a in arrays))
    if not -n_dims <= axis < n_dims:
        raise np.exceptions.AxisError(
            f"axis: {axis} is out of bounds for samples of {n_dims} dimension(s) "
            "(after broadcasting against each other)"
        )
    axis %= n_dims
    padded = [a.reshape((1,) * (n_dims - a.ndim) + a.shape) for a in arrays]
    try:
        lead = np.broadcast_shapes(*[a.shape[:axis] + a.shape[axis + 1 :] for a in padded])
    except ValueError:
        raise ValueError(
            "data: samples do not broadcast against each other (apart from axis)"
        ) from None
    samples = [np.broadcast_to(np.moveaxis(a, axis, -1), lead + a.shape[axis:][:1]) for a in padded]
    lengths = {s.shape[-1] for s in samples}
    if permutation_type in ("samples", "pairings") and len(lengths) > 1:
        raise ValueError(
            f"data: permutation_type={permutation_type!r} needs samples of equal length, "
            f"got {[s.shape[-1] for s in samples]}"
        )
    return samples


def apply_nan_policy(
    samples: list[Array], nan_policy: str, permutation_type: str
) -> tuple[list[Array], BoolArray | None]:
    """(samples, mask of result positions to set to NaN or None)."""
    bad = [~np.isfinite(s) for s in samples]
    if not any(b.any() for b in bad):
        return samples, None
    if nan_policy == "raise":
        raise ValueError(
            "data: contains NaN or infinity; pass nan_policy='omit' to drop those observations "
            "or 'propagate' to return NaN"
        )
    if nan_policy == "propagate":
        mask = np.zeros(samples[0].shape[:-1], dtype=bool)
        for b in bad:
            mask |= b.any(axis=-1)
        cleaned = [np.where(b, 0, s) for s, b in zip(samples, bad)]
        return cleaned, mask
    if samples[0].ndim != 1:
        raise ValueError("nan_policy: 'omit' supports one-dimensional samples only")
    if permutation_type == "independent":
        return [s[~b] for s, b in zip(samples, bad)], None
    keep = ~np.logical_or.reduce(bad)
    return [s[keep] for s in samples], None


def vectorize(statistic: Callable[..., Any]) -> Callable[..., Array]:
    def vectorized(*samples: Array, axis: int = -1) -> Array:
        lead = samples[0].shape[:-1]
        flat = [np.reshape(s, (-1, s.shape[-1])) for s in samples]
        out = [statistic(*[f[i] for f in flat]) for i in range(flat[0].shape[0])]
        return np.reshape(np.asarray(out), lead + np.shape(out[0]) if out else lead)

    return vectorized
