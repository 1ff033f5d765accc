"""Seed normalisation shared by every random feature.

A seed is ``None`` (fresh OS entropy), a non-negative int of any size, or a
``numpy.random.SeedSequence``. Everything random in permkit starts from
``SeedSequence(seed)``, whose hashing makes every bit of an int seed matter;
the words it generates feed the versioned key derivations in the Rust core
(docs/rng.md).
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

SeedLike = Union[None, int, np.random.SeedSequence]


def seed_sequence(seed: Any, name: str = "seed") -> np.random.SeedSequence:
    """``seed`` as a SeedSequence; TypeError / ValueError naming ``name`` otherwise."""
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"{name}: expected None, a non-negative int or a numpy.random.SeedSequence, got {type(seed).__name__}"
        )
    seed = int(seed)
    if seed < 0:
        raise ValueError(f"{name}: must be a non-negative integer, got {seed}")
    return np.random.SeedSequence(seed)


def seed_words(seed: Any, count: int, name: str = "seed") -> list[int]:
    """``count`` 64-bit words derived from ``seed`` (SeedSequence.generate_state)."""
    return [int(w) for w in seed_sequence(seed, name).generate_state(count, np.uint64)]
