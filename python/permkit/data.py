"""Shuffled, sharded, resumable, elastic index streams for data loaders (docs/data_loading.md).

:class:`ShuffleSampler` yields the sample indices one rank reads in one epoch. The
epoch's global order is an :class:`permkit.IndexShuffle` keyed by (seed, epoch),
computed on the fly (O(1) memory for any n); rank ``r`` of ``W`` takes global
positions ``r, r + W, r + 2W, ...``. When torch is importable the sampler is a
``torch.utils.data.Sampler``; otherwise it is a plain iterable.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from permkit._arrays import as_index
from permkit._seeding import SeedLike
from permkit.index_shuffle import (
    DOMAIN_BLOCKS,
    DOMAIN_EPOCH,
    DOMAIN_WINDOW,
    IndexShuffle,
    check_n,
    derive_key,
    realise_seed,
)
from permkit.shard_shuffle import (
    DEFAULT_BLOCK_SIZE,
    ShardShuffle,
    check_block_size,
    check_shard_sizes,
    layout_fingerprint,
)

try:  # torch stays optional: any failure to import it means "no torch".
    from torch.utils.data import Sampler as _SamplerBase  # type: ignore[import-not-found]

    HAVE_TORCH = True
except Exception:  # pragma: no cover - depends on the environment
    _SamplerBase = object  # type: ignore[assignment,misc]
    HAVE_TORCH = False

__all__ = ["HAVE_TORCH", "STATE_VERSION", "ShardShuffle", "ShuffleSampler"]

#: Version of the state_dict layout.
STATE_VERSION = 1
_MAX_EPOCH = 2**56 - 1
_CHUNK = 1 << 16


class _Identity:
    """The unshuffled order (``shuffle=False``)."""

    def __call__(self, positions: np.ndarray) -> np.ndarray:
        return positions


class _WindowOrder:
    """Block-local order: blocks of ``block`` consecutive indices are put in a shuffled
    order, cut into windows of ``blocks`` consecutive (shuffled) blocks, and the
    samples of each window are shuffled among themselves."""

    def __init__(self, n: int, key: int, block: int, blocks: int) -> None:
        self.n, self.key, self.block, self.blocks = n, key, block, blocks
        self.num_blocks = -(-n // block)
        self.last_len = n - (self.num_blocks - 1) * block
        self.deficit = block - self.last_len
        self.block_order = IndexShuffle._from_key(
            self.num_blocks, derive_key(key, DOMAIN_BLOCKS, 0), None, None
        )
        self.short_slot = self.block_order.inverse(self.num_blocks - 1)
        self.window_len = block * blocks
        self._cache: dict[int, IndexShuffle] = {}

    def _start(self, t: np.ndarray) -> np.ndarray:
        return t * self.window_len - np.where(self.short_slot < t * self.blocks, self.deficit, 0)

    def _size(self, t: int) -> int:
        first = t * self.blocks
        slots = min(self.blocks, self.num_blocks - first)
        short = first <= self.short_slot < first + slots
        return slots * self.block - (self.deficit if short else 0)

    def _window_shuffle(self, t: int) -> IndexShuffle:
        s = self._cache.get(t)
        if s is None:
            if len(self._cache) > 4:
                self._cache.clear()
            s = IndexShuffle._from_key(
                self._size(t), derive_key(self.key, DOMAIN_WINDOW, t), None, None
            )
            self._cache[t] = s
        return s

    def __call__(self, positions: np.ndarray) -> np.ndarray:
        p = positions.astype(np.int64)
        t = p // self.window_len
        t = np.where(p >= self._start(t + 1), t + 1, t)
        offset = p - self._start(t)
        out = np.empty(len(p), dtype=np.uint64)
        bounds = np.flatnonzero(np.diff(t)) + 1
        for lo, hi in zip(np.concatenate([[0], bounds]), np.concatenate([bounds, [len(p)]])):
            win = int(t[lo])
            o = self._window_shuffle(win)[offset[lo:hi]].astype(np.int64)
            first = win * self.blocks
            local_short = self.short_slot - first
            if 0 <= local_short < self.blocks:
                # The short block sits at local slot `local_short`; shift later offsets past it.
                cut = local_short * self.block
                after = o >= cut + self.last_len
                slot = np.where(
                    o < cut,
                    o // self.block,
                    np.where(
                        after,
                        (o - self.last_len - cut) // self.block + local_short + 1,
                        local_short,
                    ),
                )
                within = np.where(
                    o < cut,
                    o % self.block,
                    np.where(after, (o - self.last_len - cut) % self.block, o - cut),
                )
            else:
                slot, within = o // self.block, o % self.block
            blocks = self.block_order[(slot + first).astype(np.uint64)].astype(np.int64)
            out[lo:hi] = (blocks * self.block + within).astype(np.uint64)
        return out


class ShuffleSampler(_SamplerBase):  # type: ignore[misc,valid-type]
    """The sample indices rank ``rank`` of ``world_size`` reads in the current epoch.

    - One global order per (seed, epoch), independent of the world size: rank ``r``
      takes global positions ``r, r + W, ...``. Epoch keys come from the key
      derivation of docs/index_shuffle.md, never from ``seed + epoch``.
    - ``drop_last=False`` never repeats a sample: when ``W`` does not divide ``n`` the
      first ``n % W`` ranks get one more index (an uneven final step).
      ``drop_last=True`` drops the last ``n % W`` global positions of the epoch.
    - ``state_dict()`` / ``load_state_dict()`` save and restore (seed, epoch, global
      cursor); resuming jumps to the cursor in O(1), on any world size.
    - ``window=b`` reads blocks of ``b`` consecutive indices in a shuffled block
      order, shuffling samples within windows of ``window_blocks`` blocks.
    - ``shards=sizes`` makes each epoch's order the :class:`ShardShuffle` of those
      shard sizes (each shard's samples spread over about ``shard_block_size``
      consecutive positions, so consecutive positions read a bounded set of shards).

    >>> from permkit.data import ShuffleSampler
    >>> ranks = [list(ShuffleSampler(10, seed=1, rank=r, world_size=3)) for r in range(3)]
    >>> [len(x) for x in ranks]
    [4, 3, 3]
    >>> sorted(sum(ranks, []))
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    >>> s = ShuffleSampler(10, seed=1); it = iter(s); first = [next(it) for _ in range(4)]
    >>> t = ShuffleSampler(10, seed=1); t.load_state_dict(s.state_dict())
    >>> first + list(t) == list(ShuffleSampler(10, seed=1))
    True
    """

    def __init__(
        self,
        n: int,
        seed: SeedLike = None,
        *,
        rank: int = 0,
        world_size: int = 1,
        drop_last: bool = False,
        shuffle: bool = True,
        window: int | None = None,
        window_blocks: int = 8,
        shards: Any = None,
        shard_block_size: int = DEFAULT_BLOCK_SIZE,
    ) -> None:
        self.n = check_n(n)
        self.seed, self._key = realise_seed(seed)
        self.world_size = as_index(world_size, "world_size")
        if self.world_size < 1:
            raise ValueError(f"world_size: must be at least 1, got {self.world_size}")
        self.rank = as_index(rank, "rank")
        if not 0 <= self.rank < self.world_size:
            raise ValueError(
                f"rank: must lie in 0..{self.world_size - 1} (world_size={self.world_size}), got {self.rank}"
            )
        self.drop_last = _check_bool(drop_last, "drop_last")
        self.shuffle = _check_bool(shuffle, "shuffle")
        if window is not None:
            window = as_index(window, "window")
            if window < 1:
                raise ValueError(f"window: must be a positive block size or None, got {window}")
            if self.n >= 2**63:
                raise ValueError(f"window: window mode supports n < 2**63, got n={self.n}")
        self.window = window
        self.window_blocks = as_index(window_blocks, "window_blocks")
        if self.window_blocks < 1:
            raise ValueError(f"window_blocks: must be at least 1, got {self.window_blocks}")
        self._shards: np.ndarray | None = None
        self._shard_layout: str | None = None
        self.shard_block_size: int | None = None
        self._shard_order: ShardShuffle | None = None
        if shards is not None:
            self._shards, total = check_shard_sizes(shards, "shards")
            if total != self.n:
                raise ValueError(f"shards: the shard sizes sum to {total}, but n={self.n}")
            if window is not None:
                raise ValueError("shards: cannot be combined with window= (choose one)")
            self._shard_layout = layout_fingerprint(self._shards)
            self.shard_block_size = check_block_size(shard_block_size, "shard_block_size")
        self.epoch = 0
        self._cursor = 0
        self._start = 0
        self._yielded = 0
        self._finished = False

    # --- the global order -------------------------------------------------------

    @property
    def total(self) -> int:
        """Global positions in one epoch: ``n``, or ``n - n % world_size`` with ``drop_last``."""
        return self.n - self.n % self.world_size if self.drop_last else self.n

    def epoch_key(self, epoch: int | None = None) -> int:
        """The 64-bit key of an epoch's order: ``derive_key(master, 'E', epoch)``."""
        return derive_key(
            self._key, DOMAIN_EPOCH, self.epoch if epoch is None else _check_epoch(epoch)
        )

    def global_order(self, epoch: int | None = None) -> Any:
        """A function from global positions (uint64 array) to sample indices for an epoch."""
        key = self.epoch_key(epoch)
        if not self.shuffle or self.n == 0:
            return _Identity()
        if self._shards is not None:
            order = self._shard_order
            if order is None or order.epoch_key != key:
                order = ShardShuffle.from_epoch_key(
                    self._shards, key, block_size=self.shard_block_size or DEFAULT_BLOCK_SIZE
                )
                self._shard_order = order
            return order.__getitem__
        if self.window is not None:
            return _WindowOrder(self.n, key, self.window, self.window_blocks)
        shuffle = IndexShuffle._from_key(self.n, key, None, None)
        return shuffle.__getitem__

    # --- iteration -----------------------------------------------------------------

    def set_epoch(self, epoch: int) -> None:
        """Selects the epoch; a different epoch than the current one restarts at position 0."""
        epoch = _check_epoch(epoch)
        if epoch != self.epoch:
            self.epoch = epoch
            self._cursor = self._start = self._yielded = 0
            self._finished = False

    def _next_start(self) -> int:
        return 0 if self._finished or self._cursor >= self.total else self._cursor

    def _stream(self, start: int, offset: int, stride: int) -> Iterator[np.ndarray]:
        order = self.global_order()
        first = start + offset
        total = self.total
        for chunk_start in range(first, total, stride * _CHUNK):
            stop = min(total, chunk_start + stride * _CHUNK)
            positions = (
                np.arange(chunk_start, stop, stride, dtype=np.uint64)
                if stop <= 2**63
                else np.array(range(chunk_start, stop, stride), dtype=np.uint64)
            )
            yield order(positions)

    def __iter__(self) -> Iterator[int]:
        start = self._next_start()
        self._start, self._yielded, self._finished = start, 0, False
        self._cursor = start
        for values in self._stream(start, self.rank, self.world_size):
            for v in values.tolist():
                self._yielded += 1
                yield v
        self._finished = True
        self._cursor = self.total

    def __len__(self) -> int:
        remaining = max(0, -(-(self.total - self._next_start() - self.rank) // self.world_size))
        if remaining > sys.maxsize:
            raise OverflowError(f"len(): {remaining} indices exceed sys.maxsize; iterate instead")
        return remaining

    def iter_worker(
        self, worker_id: int | None = None, num_workers: int | None = None
    ) -> Iterator[int]:
        """This rank's indices that DataLoader worker ``worker_id`` of ``num_workers`` should read.

        For the ``IterableDataset`` pattern: workers of one rank split the rank's stream
        round-robin (worker ``k`` takes every ``num_workers``-th index starting at ``k``),
        so together they read each index of the rank exactly once. With no arguments the
        ids come from ``torch.utils.data.get_worker_info()`` (the whole stream outside a
        worker). Does not move the sampler's cursor (workers run in other processes).
        """
        if worker_id is None and num_workers is None:
            worker_id, num_workers = _torch_worker()
        if worker_id is None or num_workers is None:
            raise ValueError("worker_id and num_workers: give both or neither")
        num_workers = as_index(num_workers, "num_workers")
        worker_id = as_index(worker_id, "worker_id")
        if num_workers < 1 or not 0 <= worker_id < num_workers:
            raise ValueError(
                f"worker_id: must lie in 0..num_workers-1 with num_workers >= 1, got {worker_id} of {num_workers}"
            )
        start = self._next_start()
        offset = self.rank + self.world_size * worker_id
        for values in self._stream(start, offset, self.world_size * num_workers):
            yield from values.tolist()

    # --- checkpoints ------------------------------------------------------------------

    def state_dict(self, consumed: int | None = None) -> dict:
        """(version, n, seed, key, epoch, global cursor, order options) of this sampler.

        The cursor counts global positions consumed by all ranks: the start of the
        current pass plus ``world_size`` times the indices this rank consumed. By default
        that is what this rank's iterator has yielded; pass ``consumed`` (indices this
        rank consumed since the pass began) when a DataLoader prefetches ahead.
        """
        if self._finished:
            cursor = self.total
        else:
            taken = self._yielded if consumed is None else as_index(consumed, "consumed")
            if taken < 0:
                raise ValueError(f"consumed: must be non-negative, got {taken}")
            cursor = min(self.total, self._start + taken * self.world_size)
        seed = self.seed
        if isinstance(seed, np.random.SeedSequence):
            seed = {
                "entropy": seed.entropy,
                "spawn_key": list(seed.spawn_key),
                "pool_size": seed.pool_size,
            }
        return {
            "version": STATE_VERSION,
            "n": self.n,
            "seed": seed,
            "key": self._key,
            "epoch": self.epoch,
            "cursor": cursor,
            "shuffle": self.shuffle,
            "window": self.window,
            "window_blocks": self.window_blocks,
            "world_size": self.world_size,
            "shards": self._shard_layout,
            "shard_block_size": self.shard_block_size,
        }

    def load_state_dict(self, state: Any) -> None:
        """Continues from a saved state, on this sampler's rank and world size (elastic)."""
        if not isinstance(state, dict):
            raise TypeError(f"state_dict: expected a dict, got {type(state).__name__}")
        missing = {
            "version",
            "n",
            "key",
            "epoch",
            "cursor",
            "shuffle",
            "window",
            "window_blocks",
        } - state.keys()
        if missing:
            raise ValueError(
                f"state_dict: missing keys {sorted(missing)} (corrupted or not from a ShuffleSampler)"
            )
        if state["version"] != STATE_VERSION:
            raise ValueError(
                f"state_dict: version {state['version']!r} is not supported (expected {STATE_VERSION})"
            )
        for name in ("n", "key", "epoch", "cursor", "window_blocks"):
            if isinstance(state[name], bool) or not isinstance(state[name], (int, np.integer)):
                raise ValueError(f"state_dict: {name!r} must be an int, got {state[name]!r}")
        if int(state["n"]) != self.n:
            raise ValueError(
                f"state_dict: saved for n={state['n']}, but this sampler has n={self.n}"
            )
        if int(state["key"]) != self._key:
            raise ValueError(
                f"state_dict: saved with seed {state.get('seed')!r}, but this sampler has seed {self.seed!r}"
            )
        options = (bool(state["shuffle"]), state["window"], int(state["window_blocks"]))
        if options != (self.shuffle, self.window, self.window_blocks):
            raise ValueError(
                f"state_dict: saved with (shuffle, window, window_blocks) = {options}, "
                f"this sampler has {(self.shuffle, self.window, self.window_blocks)}"
            )
        layout = (state.get("shards"), state.get("shard_block_size"))
        if layout != (self._shard_layout, self.shard_block_size):
            raise ValueError(
                f"state_dict: saved for shard layout {layout[0]!r} with shard_block_size {layout[1]!r}, "
                f"this sampler has layout {self._shard_layout!r} with shard_block_size {self.shard_block_size!r} "
                "(layouts are fingerprints of the shard sizes; None means no shards)"
            )
        epoch = _check_epoch(int(state["epoch"]), "state_dict: 'epoch'")
        cursor = int(state["cursor"])
        if not 0 <= cursor <= self.n:
            raise ValueError(f"state_dict: 'cursor' {cursor} is out of range 0..{self.n}")
        self.epoch = epoch
        self._cursor = self._start = cursor
        self._yielded = 0
        self._finished = False

    def __repr__(self) -> str:
        return (
            f"ShuffleSampler(n={self.n}, seed={self.seed!r}, rank={self.rank}, world_size={self.world_size}, "
            f"drop_last={self.drop_last}, shuffle={self.shuffle}, window={self.window}, epoch={self.epoch})"
        )


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a bool, got {type(value).__name__}")
    return bool(value)


def _check_epoch(epoch: Any, name: str = "epoch") -> int:
    epoch = as_index(epoch, name)
    if not 0 <= epoch <= _MAX_EPOCH:
        raise ValueError(f"{name}: must lie in 0..2**56-1, got {epoch}")
    return epoch


def _torch_worker() -> tuple[int, int]:
    if HAVE_TORCH:
        from torch.utils.data import get_worker_info  # type: ignore[import-not-found]

        info = get_worker_info()
        if info is not None:
            return info.id, info.num_workers
    return 0, 1
