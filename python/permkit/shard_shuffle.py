"""Shard-aware shuffles: an epoch order of sharded data that reads a bounded number of shards at a time.

The construction, the key derivation, the locality bound and the measured quality are
specified in docs/shard_shuffle.md; the Rust core (``permkit::shard_shuffle``) computes it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from permkit import _native
from permkit._arrays import as_index, as_int_array, has_ints_beyond_int64
from permkit._random_access import TO_NUMPY_MAX_BYTES, RandomAccessOrder
from permkit._seeding import SeedLike
from permkit.index_shuffle import DOMAIN_EPOCH, MAX_N, derive_key, realise_seed

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "TO_NUMPY_MAX_BYTES",
    "ShardShuffle",
    "check_block_size",
    "check_shard_sizes",
    "layout_fingerprint",
]

#: Samples per block when ``block_size`` is not given (MosaicML Streaming's default too).
DEFAULT_BLOCK_SIZE: int = _native.SHARD_DEFAULT_BLOCK_SIZE
_MAX_EPOCH: int = _native.MAX_DERIVE_VALUE


def check_shard_sizes(shard_sizes: Any, name: str = "shard_sizes") -> tuple[np.ndarray, int]:
    """``(sizes, total)``: the sizes as a 1-D uint64 array of at least one shard, and their sum.

    TypeError for non-integers, ValueError for an empty list, other shapes or negative
    sizes, OverflowError for a size or a sum above ``2**64 - 1``; every message names
    ``name``. Zero sizes are allowed (empty shards hold no samples).

    >>> from permkit.shard_shuffle import check_shard_sizes
    >>> sizes, total = check_shard_sizes([3, 0, 4])
    >>> sizes.dtype, total
    (dtype('uint64'), 7)
    """
    if not isinstance(shard_sizes, np.ndarray) and has_ints_beyond_int64(shard_sizes):
        values = np.asarray(shard_sizes, dtype=object).ravel()
        for index, v in enumerate(values):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"{name}: expected integers, found {type(v).__name__} {v!r}")
            if v < 0:
                raise ValueError(f"{name}: sizes must be non-negative, got {v} at index {index}")
            if v > MAX_N:
                raise OverflowError(
                    f"{name}: sizes must be at most 2**64 - 1, got {v} at index {index}"
                )
        arr = np.asarray(shard_sizes, dtype=object).astype(np.uint64)
    else:
        arr = as_int_array(shard_sizes, name, min_ndim=0)
    if arr.ndim != 1 or np.ndim(shard_sizes) != 1:
        raise ValueError(
            f"{name}: expected a 1-D sequence of shard sizes, got shape {np.shape(shard_sizes)}"
        )
    if arr.size == 0:
        raise ValueError(f"{name}: must hold at least one shard, got an empty sequence")
    if arr.dtype.kind == "i":
        negative = np.flatnonzero(arr < 0)
        if negative.size:
            i = int(negative[0])
            raise ValueError(f"{name}: sizes must be non-negative, got {arr[i]} at index {i}")
    sizes = np.ascontiguousarray(arr, dtype=np.uint64)
    # Exact sum without uint64 wrap-around: the 32-bit halves summed separately (each
    # half-sum fits uint64 for fewer than 2**32 shards).
    high = int((sizes >> np.uint64(32)).sum(dtype=np.uint64))
    total = (high << 32) + int((sizes & np.uint64(0xFFFFFFFF)).sum(dtype=np.uint64))
    if total > MAX_N:
        raise OverflowError(f"{name}: the sizes sum to {total}, above 2**64 - 1")
    return sizes, total


def layout_fingerprint(shard_sizes: np.ndarray) -> str:
    """16 hex digits of BLAKE2b (8-byte digest) over the sizes as little-endian uint64.

    >>> from permkit.shard_shuffle import layout_fingerprint
    >>> import numpy as np
    >>> layout_fingerprint(np.array([3, 0, 4], dtype=np.uint64))
    '2a288e14b0fbfa61'
    """
    data = np.ascontiguousarray(shard_sizes, dtype="<u8").tobytes()
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def check_block_size(block_size: Any, name: str = "block_size") -> int:
    """``block_size`` as an int in ``1..2**64-1``; TypeError / ValueError / OverflowError otherwise."""
    value: int = as_index(block_size, name)
    if value < 1:
        raise ValueError(f"{name}: must be at least 1, got {value}")
    if value > MAX_N:
        raise OverflowError(f"{name}: must be at most 2**64 - 1, got {value}")
    return value


def _check_epoch(epoch: Any) -> int:
    value: int = as_index(epoch, "epoch")
    if not 0 <= value <= _MAX_EPOCH:
        raise ValueError(f"epoch: must lie in 0..2**56-1, got {value}")
    return value


class ShardShuffle(RandomAccessOrder):
    """The order of one epoch over sharded data: ``order[i]`` is the sample read at position ``i``.

    Samples are numbered shard by shard (shard 0 holds samples ``0..shard_sizes[0]-1``,
    and so on). The shards are put in a keyed order and grouped into cells of whole
    shards, about ``(block_size - mean shard size) / 16`` samples each; every cell's
    samples are shuffled and dealt over 16 consecutive output blocks, and each block
    shuffles what it gathered. So each shard's samples spread over about ``block_size``
    consecutive positions (its own length included, as in MosaicML's ``py1e``), and a
    reader of consecutive positions uses the shards of 16 consecutive cells at a time
    (``max_block_shards``; a window no longer than a block, at most
    ``max_window_shards``), sliding from cell to cell.

    Random access both ways (``order[i]``, slices, integer arrays; ``inverse``), memory
    three uint64 per shard plus three per cell, whatever the number of samples. The
    epoch's key is ``derive_key(master_key(seed), 'E', epoch)``, the key
    ``ShuffleSampler`` uses, so ``ShuffleSampler(n, seed, shards=sizes)`` reads exactly
    this order in that epoch. Spec and golden vectors: docs/shard_shuffle.md.

    >>> from permkit.data import ShardShuffle
    >>> order = ShardShuffle([3, 0, 4, 2, 5], seed=7, block_size=4)
    >>> order.n, order.num_shards
    (14, 5)
    >>> sorted(order) == list(range(14))
    True
    >>> order.inverse(order[5])
    5
    >>> order[0:4].dtype
    dtype('uint64')
    """

    __slots__ = ("_core", "_epoch", "_fingerprint", "_seed")
    _core: _native.ShardShuffleCore
    _epoch: int | None
    _fingerprint: str
    _seed: int | np.random.SeedSequence | None
    _NOUN = "order"
    _SLICE_HINT = "order[a:b]"

    def __init__(
        self,
        shard_sizes: Any,
        seed: SeedLike = None,
        *,
        epoch: int = 0,
        block_size: int = DEFAULT_BLOCK_SIZE,
    ) -> None:
        sizes, _ = check_shard_sizes(shard_sizes)
        block_size = check_block_size(block_size)
        self._epoch = _check_epoch(epoch)
        self._seed, master = realise_seed(seed)
        key = derive_key(master, DOMAIN_EPOCH, self._epoch)
        self._core = _native.ShardShuffleCore(sizes, key, block_size)
        self._fingerprint = layout_fingerprint(sizes)

    @classmethod
    def from_epoch_key(
        cls, shard_sizes: Any, epoch_key: int, *, block_size: int = DEFAULT_BLOCK_SIZE
    ) -> ShardShuffle:
        """The order under an epoch key derived elsewhere (``ShuffleSampler.epoch_key``).

        ``seed`` and ``epoch`` of the result are ``None``: only the key is known.

        >>> from permkit.data import ShardShuffle, ShuffleSampler
        >>> key = ShuffleSampler(14, seed=7).epoch_key(0)
        >>> ShardShuffle.from_epoch_key([3, 0, 4, 2, 5], key, block_size=4) == ShardShuffle(
        ...     [3, 0, 4, 2, 5], 7, block_size=4)
        True
        """
        sizes, _ = check_shard_sizes(shard_sizes)
        key = as_index(epoch_key, "epoch_key")
        if not 0 <= key <= MAX_N:
            raise ValueError(f"epoch_key: must lie in 0..2**64-1, got {key}")
        self = cls.__new__(cls)
        self._seed = None
        self._epoch = None
        self._core = _native.ShardShuffleCore(sizes, key, check_block_size(block_size))
        self._fingerprint = layout_fingerprint(sizes)
        return self

    # --- description -------------------------------------------------------------

    @property
    def n(self) -> int:
        """The number of samples (the sum of the shard sizes; may exceed ``sys.maxsize``)."""
        return self._core.n

    @property
    def num_shards(self) -> int:
        return self._core.num_shards

    @property
    def shard_sizes(self) -> np.ndarray:
        """A copy of the shard sizes (uint64)."""
        return self._core.shard_sizes()

    @property
    def block_size(self) -> int:
        """The spread of a shard's samples in positions, its own length included: 16 blocks
        of cells of about ``(block_size - mean shard size) / 16`` samples."""
        return self._core.block_size

    @property
    def num_blocks(self) -> int:
        return self._core.num_blocks

    @property
    def num_cells(self) -> int:
        return self._core.num_cells

    @property
    def max_block_shards(self) -> int:
        """The most non-empty shards the positions of one block read."""
        return self._core.max_block_shards

    @property
    def max_window_shards(self) -> int:
        """The most non-empty shards two consecutive blocks read: the cache bound for any
        window of consecutive positions no longer than a block."""
        return self._core.max_window_shards

    @property
    def nbytes(self) -> int:
        """Bytes held by the order's tables (O(number of shards), independent of ``n``)."""
        return self._core.memory_bytes

    @property
    def seed(self) -> int | np.random.SeedSequence | None:
        """The realised seed (``None`` when built by :meth:`from_epoch_key`)."""
        return self._seed

    @property
    def epoch(self) -> int | None:
        return self._epoch

    @property
    def epoch_key(self) -> int:
        """The 64-bit key of this epoch's order (docs/shard_shuffle.md, key derivation)."""
        return self._core.key

    @property
    def layout_fingerprint(self) -> str:
        """:func:`layout_fingerprint` of the shard sizes (saved in sampler state dicts)."""
        return self._fingerprint

    def block_starts(self) -> np.ndarray:
        """The first position of every block, plus ``n`` at the end (uint64).

        >>> from permkit.data import ShardShuffle
        >>> ShardShuffle([4] * 4, seed=1, block_size=32).block_starts().tolist()
        [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
        """
        return self._core.block_starts()

    def cell_starts(self) -> np.ndarray:
        """The first position of every cell in the shard-ordered stream, plus ``n`` (uint64)."""
        return self._core.cell_starts()

    # --- the order -----------------------------------------------------------------

    def __getitem__(self, index: Any) -> Any:
        """``order[i]`` -> int; ``order[array]`` -> uint64 array of the same shape; ``order[a:b:c]`` -> uint64 array."""
        return super().__getitem__(index)

    def inverse(self, value: Any) -> Any:
        """The position of sample ``value`` (int or integer array; values in ``0..n-1``).

        >>> from permkit.data import ShardShuffle
        >>> import numpy as np
        >>> order = ShardShuffle([100, 50, 80], seed=3, block_size=64)
        >>> bool((order.inverse(order[np.arange(230)]) == np.arange(230)).all())
        True
        """
        return super().inverse(value)

    def to_numpy(self) -> np.ndarray:
        """The whole order in the smallest unsigned dtype holding ``0..n-1``.

        Raises MemoryError above ``TO_NUMPY_MAX_BYTES`` (8 GiB): slice or iterate instead.

        >>> from permkit.data import ShardShuffle
        >>> ShardShuffle([2, 2], seed=0, block_size=4).to_numpy().dtype
        dtype('uint8')
        """
        return super().to_numpy()

    # --- value semantics -----------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ShardShuffle):
            return NotImplemented
        return (
            self.epoch_key == other.epoch_key
            and self.block_size == other.block_size
            and np.array_equal(self.shard_sizes, other.shard_sizes)
        )

    def __hash__(self) -> int:
        return hash((ShardShuffle, self.epoch_key, self.block_size, self._fingerprint))

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (self.shard_sizes, self.epoch_key, self.block_size, self._seed, self._epoch),
        )

    def __repr__(self) -> str:
        seed = self._seed
        if isinstance(seed, np.random.SeedSequence):
            seed_text = f"SeedSequence(entropy={seed.entropy!r}, spawn_key={seed.spawn_key!r})"
        else:
            seed_text = repr(seed)
        return (
            f"ShardShuffle(<{self.num_shards} shards, n={self.n}, layout {self._fingerprint}>, "
            f"seed={seed_text}, epoch={self._epoch}, block_size={self.block_size})"
        )


def _rebuild(
    sizes: np.ndarray, epoch_key: int, block_size: int, seed: Any, epoch: int | None
) -> ShardShuffle:
    order = ShardShuffle.from_epoch_key(sizes, epoch_key, block_size=block_size)
    order._seed, order._epoch = seed, epoch
    return order
