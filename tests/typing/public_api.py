"""Checked by mypy --strict in tests/test_typing.py, never run: each ``assert_type`` pins the
type a user's type checker infers for a main public function, so a stub or annotation that
drifts (to ``Any``, or to a wrong type) fails the test."""

from __future__ import annotations

import numpy as np
from typing_extensions import assert_type

import permkit
from permkit import IndexShuffle, Permutation, count, distance

p = [2, 0, 1, 4, 3]

# the group on arrays
assert_type(permkit.compose(p, p), np.ndarray)
assert_type(permkit.inverse(p), np.ndarray)
assert_type(permkit.power(p, 10**100), np.ndarray)
assert_type(permkit.sign(p), "int | np.ndarray")
assert_type(permkit.order(p), "int | np.ndarray")
assert_type(permkit.is_permutation(p), "bool | np.ndarray")
assert_type(distance.kendall_tau(p, p), "int | np.ndarray")

# the value type
P = Permutation.from_cycles([(0, 2, 1), (3, 4)])
assert_type(P, Permutation)
assert_type(Permutation.identity(5), Permutation)
assert_type(P.cycles(), "list[tuple[int, ...]]")
assert_type(P.cycle_type(), "dict[int, int]")
assert_type(P.order(), int)
assert_type(P.sign(), int)
assert_type(P.rank(), int)
assert_type(P.tolist(), "list[int]")

# counting is exact
assert_type(count.permutations(52), int)
assert_type(count.derangements(100), int)

# shuffles
assert_type(permkit.permutation(10, seed=1), np.ndarray)
assert_type(permkit.permuted(np.arange(5), seed=1), np.ndarray)
assert_type(permkit.shuffle(np.arange(5), seed=1), None)
s = IndexShuffle(10**12, seed=2024)
assert_type(s.n, int)
assert_type(s.to_numpy(), np.ndarray)

# generators plug into numpy
rng = np.random.Generator(permkit.Squares64(2026))
assert_type(rng, np.random.Generator)
assert_type(permkit.squares_key_from_seed(1), int)
