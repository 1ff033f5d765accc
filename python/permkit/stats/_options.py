"""The options of one permutation test, checked once (scipy's rules) and passed
whole, and the Monte Carlo key drawn from ``rng``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from permkit import _native
from permkit._seeding import seed_words

PERMUTATION_TYPES = ("independent", "samples", "pairings")


class KeySource:
    """The Monte Carlo key from ``rng``, drawn at most once, so that a rerun
    (the lazily computed null distribution) sees the same resamples."""

    def __init__(self, rng: Any) -> None:
        self._rng = rng
        self._key: int | None = None

    def key(self) -> int:
        if self._key is None:
            self._key = mc_key(self._rng)
        return self._key


@dataclass(frozen=True)
class TestOptions:
    """How to run a test (everything but the data, the statistic and its layout)."""

    permutation_type: str
    n_resamples: int | float
    batch: int | None
    alternative: str
    rng: KeySource
    exact: bool | None
    two_sided: str
    mid_p: bool
    null_distribution: str | None
    workers: int | None
    executor: Any
    progress: bool
    #: exact=None enumerates built-in statistics up to this many relabellings
    #: (``permkit.stats.EXACT_LIMIT`` when the test was called).
    exact_limit: int

    @property
    def deviation(self) -> bool:
        """Whether the two-sided p-value is the deviation rule."""
        return self.two_sided == "deviation" and self.alternative == "two-sided"


def check_options(
    permutation_type: str,
    alternative: str,
    two_sided: str,
    null_distribution: str | None,
    nan_policy: str,
    exact: bool | None,
    n_resamples: int | float,
    batch: int | None,
    workers: int | None,
    vectorized: bool | None,
) -> tuple[str, str, int | None]:
    """(permutation_type, alternative, batch) normalised as scipy does; raises on bad values."""
    if not isinstance(permutation_type, str) or permutation_type.lower() not in PERMUTATION_TYPES:
        raise ValueError(
            f"permutation_type: must be one of {PERMUTATION_TYPES}, got {permutation_type!r}"
        )
    # Like scipy: case-insensitive names, integral floats for counts.
    if isinstance(alternative, str):
        alternative = alternative.lower()
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(
            f"alternative: must be 'two-sided', 'less' or 'greater', got {alternative!r}"
        )
    if two_sided not in ("double", "deviation"):
        raise ValueError(f"two_sided: must be 'double' or 'deviation', got {two_sided!r}")
    if null_distribution not in (None, "full", "histogram"):
        raise ValueError(
            f"null_distribution: must be None, 'full' or 'histogram', got {null_distribution!r}"
        )
    if nan_policy not in ("raise", "propagate", "omit"):
        raise ValueError(f"nan_policy: must be 'raise', 'propagate' or 'omit', got {nan_policy!r}")
    if exact not in (None, True, False):
        raise ValueError(f"exact: must be None, True or False, got {exact!r}")
    if vectorized not in (None, True, False):
        raise ValueError(f"vectorized: must be None, True or False, got {vectorized!r}")
    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, float, np.integer, np.floating))
        or not (n_resamples == math.inf or (n_resamples > 0 and n_resamples == int(n_resamples)))
    ):
        raise ValueError(f"n_resamples: must be a positive integer (or inf), got {n_resamples!r}")
    if isinstance(batch, (float, np.floating)) and math.isfinite(batch) and batch == int(batch):
        batch = int(batch)
    for name, value in (("batch", batch), ("workers", workers)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0
        ):
            raise ValueError(f"{name}: must be a positive integer or None, got {value!r}")
    return permutation_type.lower(), alternative, batch


def check_rng(rng: Any, random_state: Any) -> Any:
    """The seed source, validated as scipy does (even when the test turns out exact)."""
    if random_state is not None:
        if rng is not None:
            raise TypeError("rng: pass either rng or random_state (its legacy name), not both")
        if random_state is np.random:
            return None
        if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
            return random_state
        if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
            if random_state < 0:
                raise ValueError(
                    f"random_state: must be a non-negative integer, got {random_state}"
                )
            return int(random_state)
        raise ValueError(
            "random_state: expected None, a non-negative int, a numpy Generator or RandomState, "
            f"got {random_state!r}"
        )
    if rng is None or isinstance(rng, (np.random.Generator, np.random.SeedSequence)):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng: must be a non-negative integer, got {rng}")
        return int(rng)
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"rng: expected what numpy.random.default_rng accepts, got {rng!r} ({exc})"
        ) from None


def mc_key(rng: Any) -> int:
    """The Monte Carlo key of the exact-test engine's Squares streams, from ``rng``."""
    if isinstance(rng, np.random.Generator):
        word = int(rng.integers(0, 2**64, dtype=np.uint64))
    elif isinstance(rng, np.random.RandomState):
        word = int(rng.randint(0, 2**63, dtype=np.int64))
    else:
        word = seed_words(rng, 1, "rng")[0]
    return _native.squares_key_from_word(word)
