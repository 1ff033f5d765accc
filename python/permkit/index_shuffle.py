"""Random-access shuffles: a keyed bijection on ``range(n)``, computed, never stored.

Construction, key derivation, the rounds measurement and the limits are
specified in docs/index_shuffle.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from permkit import _native
from permkit._arrays import as_index
from permkit._random_access import TO_NUMPY_MAX_BYTES, RandomAccessOrder
from permkit._seeding import SeedLike, seed_sequence

__all__ = ["DEFAULT_ROUNDS", "MAX_N", "TO_NUMPY_MAX_BYTES", "IndexShuffle", "default_rounds"]

#: Feistel rounds for large domains (n > 128) when ``rounds=None``; smaller
#: domains get more (:func:`default_rounds`, measured in docs/index_shuffle.md).
DEFAULT_ROUNDS: int = _native.INDEX_SHUFFLE_DEFAULT_ROUNDS
MAX_ROUNDS: int = _native.INDEX_SHUFFLE_MAX_ROUNDS
#: The largest supported n (the shuffle works on 64-bit integers).
MAX_N = 2**64 - 1

# Key-derivation domains (docs/index_shuffle.md): top byte of a Squares counter.
DOMAIN_EPOCH: int = _native.DOMAIN_EPOCH
DOMAIN_WINDOW: int = _native.DOMAIN_WINDOW
DOMAIN_BLOCKS: int = _native.DOMAIN_BLOCKS


def check_n(n: Any, name: str = "n") -> int:
    """``n`` as an int in ``0..2**64-1``; TypeError / ValueError / OverflowError otherwise."""
    value = as_index(n, name)
    if value < 0:
        raise ValueError(f"{name}: must be non-negative, got {value}")
    if value > MAX_N:
        raise OverflowError(f"{name}: must be at most 2**64 - 1, got {value}")
    return value


def realise_seed(seed: SeedLike, name: str = "seed") -> tuple[int | np.random.SeedSequence, int]:
    """(the seed to remember, the master key): ``None`` becomes its fresh entropy (an int).

    The master key is ``key_from_word(SeedSequence(seed).generate_state(1, uint64)[0])``.
    """
    ss = seed_sequence(seed, name)
    if seed is None or not isinstance(seed, np.random.SeedSequence):
        remembered: int | np.random.SeedSequence = int(ss.entropy)  # type: ignore[arg-type]
    else:
        remembered = seed
    word = int(ss.generate_state(1, np.uint64)[0])
    return remembered, _native.squares_key_from_word(word)


def derive_key(parent: int, domain: int, value: int) -> int:
    """The child key ``key_from_word(squares64(parent, domain << 56 | value))``, ``value < 2**56``."""
    return _native.index_shuffle_derive_key(parent, domain, value)


def default_rounds(n: int) -> int:
    """Rounds used when ``rounds=None``: 24 for n <= 8, 16 for n <= 128, 10 above.

    >>> from permkit.index_shuffle import default_rounds
    >>> default_rounds(6), default_rounds(100), default_rounds(10**9)
    (24, 16, 10)
    """
    return _native.index_shuffle_default_rounds(check_n(n))


def _check_rounds(rounds: Any) -> int | None:
    """``rounds`` checked; None stays None (the core then uses ``default_rounds(n)``)."""
    if rounds is None:
        return None
    count = as_index(rounds, "rounds")
    if not 1 <= count <= MAX_ROUNDS:
        raise ValueError(f"rounds: must lie in 1..{MAX_ROUNDS}, got {count}")
    return count


def _check_key(key: Any) -> int:
    value = as_index(key, "key")
    if not 0 <= value <= MAX_N:
        raise ValueError(f"key: must lie in 0..2**64-1, got {value}")
    return value


class IndexShuffle(RandomAccessOrder):
    """A keyed pseudo-random permutation of ``range(n)``, for any n in ``0..2**64-1``, in O(1) memory.

    ``s[i]`` is the value at position ``i`` (negative positions count from the end,
    like a sequence); ``s.inverse(j)`` (alias ``s.index(j)``) is the position of value
    ``j``. Integer arrays and slices are evaluated in bulk (uint64 out, on every core).
    The same ``(n, seed, rounds)`` gives the same permutation on every machine and
    version (docs/index_shuffle.md). ``seed=None`` draws fresh entropy and remembers
    it in ``.seed``, so ``repr``, pickling and equality reproduce the permutation.

    >>> import permkit
    >>> s = permkit.IndexShuffle(10, seed=42)
    >>> sorted(s) == list(range(10))
    True
    >>> s.inverse(s[3])
    3
    >>> big = permkit.IndexShuffle(10**18, seed=1)
    >>> big.inverse(big[123456789012345]) == 123456789012345
    True
    >>> permkit.IndexShuffle(5, seed=7) == permkit.IndexShuffle(5, seed=7)
    True
    """

    __slots__ = ("_core", "_seed")
    _core: _native.IndexShuffleCore
    _NOUN = "shuffle"
    _SLICE_HINT = "s[a:b]"

    def __init__(self, n: int, seed: SeedLike = None, *, rounds: int | None = None) -> None:
        n = check_n(n)
        rounds = _check_rounds(rounds)
        self._seed, key = realise_seed(seed)
        self._core = _native.IndexShuffleCore(n, key, rounds)

    @classmethod
    def from_key(cls, n: int, key: int, *, rounds: int | None = None) -> IndexShuffle:
        """The shuffle under a 64-bit key derived elsewhere (``.seed`` is then None).

        The data samplers build each epoch's order from the epoch's key
        (docs/data_loading.md); ``IndexShuffle(n, seed)`` is ``from_key(n, s.key)``.

        >>> import permkit
        >>> s = permkit.IndexShuffle(10, seed=3)
        >>> permkit.IndexShuffle.from_key(10, s.key) == s
        True
        """
        return cls._from_key(n, _check_key(key), rounds, None)

    @classmethod
    def _from_key(cls, n: int, key: int, rounds: int | None, seed: Any) -> IndexShuffle:
        """Unpickling (``__reduce__``): the shuffle of a key, remembering its ``seed``."""
        self = cls.__new__(cls)
        self._seed = seed
        self._core = _native.IndexShuffleCore(check_n(n), key, _check_rounds(rounds))
        return self

    @property
    def n(self) -> int:
        """The size of the permuted range (may exceed ``sys.maxsize``, unlike ``len``)."""
        return self._core.n

    @property
    def seed(self) -> int | np.random.SeedSequence | None:
        """The realised seed: the given int or SeedSequence, or the entropy drawn for ``None``."""
        return self._seed

    @property
    def rounds(self) -> int:
        """The Feistel rounds in use (``default_rounds(n)`` unless given)."""
        return self._core.rounds

    @property
    def key(self) -> int:
        """The 64-bit master key derived from the seed (docs/index_shuffle.md)."""
        return self._core.key

    def __getitem__(self, index: Any) -> Any:
        """``s[i]`` -> int; ``s[array]`` -> uint64 array of the same shape; ``s[a:b:c]`` -> uint64 array."""
        return super().__getitem__(index)

    def inverse(self, value: Any) -> Any:
        """The position of ``value`` (int or integer array; values must lie in ``0..n-1``).

        >>> import permkit
        >>> s = permkit.IndexShuffle(1000, seed=3)
        >>> import numpy as np
        >>> bool((s.inverse(s[np.arange(1000)]) == np.arange(1000)).all())
        True
        """
        return super().inverse(value)

    def to_numpy(self) -> np.ndarray:
        """The whole permutation as an array of the smallest unsigned dtype holding ``0..n-1``.

        Raises MemoryError above ``TO_NUMPY_MAX_BYTES`` (8 GiB): slice or iterate instead.

        >>> import permkit
        >>> a = permkit.IndexShuffle(6, seed=0).to_numpy()
        >>> a.dtype, sorted(a.tolist())
        (dtype('uint8'), [0, 1, 2, 3, 4, 5])
        """
        return super().to_numpy()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IndexShuffle):
            return NotImplemented
        return (self.n, self.key, self.rounds) == (other.n, other.key, other.rounds)

    def __hash__(self) -> int:
        return hash((IndexShuffle, self.n, self.key, self.rounds))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (IndexShuffle._from_key, (self.n, self.key, self.rounds, self._seed))

    def __repr__(self) -> str:
        seed = self._seed
        if isinstance(seed, np.random.SeedSequence):
            seed_text = f"SeedSequence(entropy={seed.entropy!r}, spawn_key={seed.spawn_key!r})"
        else:
            seed_text = repr(seed)
        return f"IndexShuffle(n={self.n}, seed={seed_text}, rounds={self.rounds})"
