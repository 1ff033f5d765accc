"""Shuffled, sharded, resumable, elastic index streams for data loaders (docs/data_loading.md).

:class:`ShuffleSampler` yields the sample indices one rank reads in one epoch. The
epoch's global order is an :class:`permkit.IndexShuffle` keyed by (seed, epoch),
computed on the fly (O(1) memory for any n); rank ``r`` of ``W`` takes global
positions ``r, r + W, r + 2W, ...``. When torch is importable the sampler is a
``torch.utils.data.Sampler``; otherwise it is a plain iterable.

:class:`DistributedSampler` and :class:`RandomSampler` are torch's samplers (same
arguments, lengths, padding, errors) over that order: migrating is one import.
:func:`buffer_shuffle` shuffles streams that cannot be indexed through a buffer.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

import numpy as np

from permkit import _native
from permkit._arrays import as_index
from permkit._random_access import RandomAccessOrder
from permkit._seeding import SeedLike
from permkit.index_shuffle import (
    DOMAIN_EPOCH,
    MAX_N,
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

__all__ = [
    "HAVE_TORCH",
    "STATE_VERSION",
    "BufferShuffle",
    "DistributedSampler",
    "RandomSampler",
    "ShardShuffle",
    "ShuffleSampler",
    "buffer_shuffle",
]

#: Version of the state_dict layout.
STATE_VERSION = 1
_MAX_EPOCH: int = _native.MAX_DERIVE_VALUE
_CHUNK = 1 << 16


class _Identity:
    """The unshuffled order (``shuffle=False``)."""

    def __call__(self, positions: np.ndarray) -> np.ndarray:
        return positions


class _WindowOrder(RandomAccessOrder):
    """Block-local order (``window=``): blocks of ``block`` consecutive indices are put in
    a shuffled order, cut into windows of ``blocks`` consecutive (shuffled) blocks, and
    the samples of each window are shuffled among themselves. Computed by the core
    (``rust/permkit/src/window_order.rs``; spec: docs/data_loading.md)."""

    __slots__ = ("_core",)
    _core: _native.WindowOrderCore
    _SLICE_HINT = "order[a:b]"

    def __init__(self, n: int, key: int, block: int, blocks: int) -> None:
        self._core = _native.WindowOrderCore(n, key, block, blocks)


class ShuffleSampler(_SamplerBase):  # type: ignore[misc,valid-type,type-arg]
    """The sample indices rank ``rank`` of ``world_size`` reads in the current epoch.

    - One global order per (seed, epoch), independent of the world size: rank ``r``
      takes global positions ``r, r + W, ...``. Epoch keys come from the key
      derivation of docs/index_shuffle.md, never from ``seed + epoch``.
    - ``drop_last=False`` never repeats a sample: when ``W`` does not divide ``n`` the
      first ``n % W`` ranks get one more index (an uneven final step; under DDP use
      ``even=True`` or ``drop_last=True``). ``even=True`` pads instead, as torch's
      ``DistributedSampler`` does: every rank gets ``ceil(n / W)`` indices, positions
      past ``n`` wrapping around to the start of the order.
      ``drop_last=True`` drops the last ``n % W`` global positions of the epoch.
    - ``state_dict()`` / ``load_state_dict()`` save and restore (seed, epoch, global
      cursor); resuming jumps to the cursor in O(1), on any world size, and never
      repeats or loses a sample of the epoch (padding aside).
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
        even: bool = False,
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
        self.even = _check_bool(even, "even")
        if window is not None:
            window = as_index(window, "window")
            if window < 1:
                raise ValueError(f"window: must be a positive block size or None, got {window}")
            if window > MAX_N:
                raise OverflowError(f"window: must be at most 2**64 - 1, got {window}")
        self.window = window
        self.window_blocks = as_index(window_blocks, "window_blocks")
        if self.window_blocks < 1:
            raise ValueError(f"window_blocks: must be at least 1, got {self.window_blocks}")
        if self.window_blocks > MAX_N:
            raise OverflowError(
                f"window_blocks: must be at most 2**64 - 1, got {self.window_blocks}"
            )
        if window is not None:
            _native.window_order_check(self.n, window, self.window_blocks)
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
        """Global positions in one epoch: ``n``; ``n - n % W`` with ``drop_last``; ``W * ceil(n / W)`` with ``even``."""
        return self._pass_end(0)

    def _pass_end(self, start: int) -> int:
        """One past the last global position of a pass that starts at ``start``.

        The positions left, ``n - start``, are shared by the ranks of *this* world
        size: cut to a multiple of it (``drop_last``), padded up to one (``even``), or
        taken as they are. Computing this from the pass's start is what keeps elastic
        resumes exact: a cursor saved under another world size is never past the end.
        """
        rest = max(0, self.n - start)
        if self.drop_last:
            rest -= rest % self.world_size
        elif self.even:
            rest += -rest % self.world_size
        return start + rest

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
            return _WindowOrder(self.n, key, self.window, self.window_blocks).__getitem__
        return IndexShuffle.from_key(self.n, key).__getitem__

    # --- iteration -----------------------------------------------------------------

    def set_epoch(self, epoch: int) -> None:
        """Selects the epoch; a different epoch than the current one restarts at position 0."""
        epoch = _check_epoch(epoch)
        if epoch != self.epoch:
            self.epoch = epoch
            self._cursor = self._start = self._yielded = 0
            self._finished = False

    def _next_start(self) -> int:
        return 0 if self._finished else self._cursor

    def _stream(self, start: int, offset: int, stride: int) -> Iterator[np.ndarray]:
        order = self.global_order()
        n = self.n
        end = self._pass_end(start)
        for chunk_start in range(start + offset, end, stride * _CHUNK):
            stop = min(end, chunk_start + stride * _CHUNK)
            if stop <= 2**63:
                positions = np.arange(chunk_start, stop, stride, dtype=np.uint64)
                if stop > n:  # even=True padding: wrap around to the start of the order
                    positions %= np.uint64(n)
            else:
                positions = np.array([p % n for p in range(chunk_start, stop, stride)], np.uint64)
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
        self._cursor = self.n

    def __len__(self) -> int:
        start = self._next_start()
        remaining = max(0, -(-(self._pass_end(start) - start - self.rank) // self.world_size))
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

    def state_dict(self, consumed: int | None = None) -> dict[str, Any]:
        """(version, n, seed, key, epoch, global cursor, order options) of this sampler.

        The cursor counts global positions consumed by all ranks: the start of the
        current pass plus ``world_size`` times the indices this rank consumed. By default
        that is what this rank's iterator has yielded; pass ``consumed`` (indices this
        rank consumed since the pass began) when a DataLoader prefetches ahead. A pass
        consumed to its end saves ``cursor == n``: the epoch is complete (what
        ``drop_last`` dropped included), and a resume on any world size yields nothing
        more of it.
        """
        if self._finished:
            cursor = self.n
        else:
            taken = self._yielded if consumed is None else as_index(consumed, "consumed")
            if taken < 0:
                raise ValueError(f"consumed: must be non-negative, got {taken}")
            cursor = self._start + taken * self.world_size
            if cursor >= self._pass_end(self._start):
                cursor = self.n
        return {
            "version": STATE_VERSION,
            "n": self.n,
            "seed": _seed_state(self.seed),
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
        _check_version(state["version"])
        for name in ("n", "key", "epoch", "cursor", "window_blocks"):
            if isinstance(state[name], bool) or not isinstance(state[name], (int, np.integer)):
                raise ValueError(f"state_dict: {name!r} must be an int, got {state[name]!r}")
        if int(state["n"]) != self.n:
            raise ValueError(
                f"state_dict: saved for n={state['n']} (dataset size), but this sampler has n={self.n}"
            )
        _check_key(state, self.seed, self._key)
        for name in ("shuffle", "window", "window_blocks"):
            if state[name] != getattr(self, name):
                raise ValueError(
                    f"state_dict: saved with {name}={state[name]!r}, but this sampler has {name}={getattr(self, name)!r}"
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
            f"drop_last={self.drop_last}, shuffle={self.shuffle}, window={self.window}, even={self.even}, epoch={self.epoch})"
        )


def _seed_state(seed: int | np.random.SeedSequence) -> Any:
    """The seed as a state dict stores it: an int, or a SeedSequence's fields."""
    if isinstance(seed, np.random.SeedSequence):
        return {
            "entropy": seed.entropy,
            "spawn_key": list(seed.spawn_key),
            "pool_size": seed.pool_size,
        }
    return seed


def _check_version(version: Any) -> None:
    if isinstance(version, (int, np.integer)) and not isinstance(version, bool):
        if version > STATE_VERSION:
            raise ValueError(
                f"state_dict: version {version} is newer than this permkit reads ({STATE_VERSION}); "
                "load it with the permkit version that saved it"
            )
        if version == STATE_VERSION:
            return
    raise ValueError(f"state_dict: version {version!r} is not supported (expected {STATE_VERSION})")


def _check_key(
    state: dict[str, Any], seed: int | np.random.SeedSequence, key: int, what: str = "sampler"
) -> None:
    """ValueError naming the field that differs: the seed, or (same seed) the key."""
    saved_seed, own_seed = state.get("seed"), _seed_state(seed)
    if "seed" in state and saved_seed != own_seed:
        raise ValueError(
            f"state_dict: saved with seed {saved_seed!r}, but this {what} has seed {own_seed!r}"
        )
    if int(state["key"]) != key:
        raise ValueError(
            f"state_dict: 'key' {int(state['key']):#x} does not belong to seed {own_seed!r} "
            f"(its key is {key:#x}): the state dict was altered or made by another key derivation"
        )


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a bool, got {type(value).__name__}")
    return bool(value)


def _check_epoch(epoch: Any, name: str = "epoch") -> int:
    value = as_index(epoch, name)
    if not 0 <= value <= _MAX_EPOCH:
        raise ValueError(f"{name}: must lie in 0..2**56-1, got {value}")
    return value


def _torch_worker() -> tuple[int, int]:
    if HAVE_TORCH:
        from torch.utils.data import get_worker_info  # type: ignore[import-not-found]

        info = get_worker_info()
        if info is not None:
            return info.id, info.num_workers
    return 0, 1


# --- torch drop-ins: thin adapters over ShuffleSampler's positions and epoch keys ---------


class DistributedSampler(ShuffleSampler):
    """``torch.utils.data.distributed.DistributedSampler`` with a computed order.

    Same signature, defaults, attributes (``dataset``, ``num_replicas``, ``rank``,
    ``epoch``, ``shuffle``, ``seed``, ``drop_last``, ``num_samples``, ``total_size``),
    errors, ``set_epoch`` and lengths as torch's; every rank gets ``num_samples``
    indices: ``ceil(n / W)`` (the order padded by wrapping around to its start, as torch
    does) or ``n // W`` with ``drop_last=True``. Only the order differs: the epoch's
    order is :class:`ShuffleSampler`'s (computed in O(1) memory, keyed by (seed, epoch),
    independent of ``W``), so it also has ``state_dict`` / ``load_state_dict`` with
    exact and elastic mid-epoch resume (torchdata's ``StatefulDataLoader`` uses them).

    ``num_replicas`` and ``rank`` default to ``torch.distributed``'s world size and rank.
    ``even=False`` (with ``drop_last=False``) never repeats a sample, but then the first
    ``n % W`` ranks make one step more: DDP collectives hang unless the loop runs under
    ``torch.distributed.algorithms.join.Join``. ``shards=`` / ``shard_block_size=`` make
    the epoch's order shard-aware, as for :class:`ShuffleSampler`.

    >>> from permkit.data import DistributedSampler
    >>> ranks = [DistributedSampler(range(10), num_replicas=3, rank=r, seed=1) for r in range(3)]
    >>> [len(s) for s in ranks], ranks[0].total_size
    ([4, 4, 4], 12)
    >>> seen = sorted(i for s in ranks for i in s)
    >>> len(seen), set(seen) == set(range(10))
    (12, True)
    >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
    [1, 3, 0]
    """

    def __init__(
        self,
        dataset: Any,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: SeedLike = 0,
        drop_last: bool = False,
        *,
        even: bool = True,
        shards: Any = None,
        shard_block_size: int = DEFAULT_BLOCK_SIZE,
    ) -> None:
        num_replicas, rank = _replicas_and_rank(num_replicas, rank)
        super().__init__(
            _dataset_len(dataset, "dataset"),
            seed,
            rank=rank,
            world_size=num_replicas,
            drop_last=drop_last,
            shuffle=shuffle,
            even=even,
            shards=shards,
            shard_block_size=shard_block_size,
        )
        self.dataset = dataset

    @property
    def num_replicas(self) -> int:
        """The world size (torch's name for ``world_size``)."""
        return self.world_size

    @property
    def num_samples(self) -> int:
        """Indices this rank reads in a whole epoch (``len`` of a fresh epoch)."""
        return max(0, -(-(self.total - self.rank) // self.world_size))

    @property
    def total_size(self) -> int:
        """Global positions in an epoch: ``num_samples * num_replicas`` when ranks are even."""
        return self.total

    def __repr__(self) -> str:
        return (
            f"DistributedSampler(n={self.n}, num_replicas={self.world_size}, rank={self.rank}, "
            f"shuffle={self.shuffle}, seed={self.seed!r}, drop_last={self.drop_last}, "
            f"even={self.even}, epoch={self.epoch})"
        )


def _dataset_len(dataset: Any, name: str) -> int:
    try:
        size = len(dataset)
    except TypeError:
        raise TypeError(
            f"{name}: expected a sized dataset (len() works), got {type(dataset).__name__}"
        ) from None
    return check_n(size, f"len({name})")


def _replicas_and_rank(num_replicas: Any, rank: Any) -> tuple[int, int]:
    """``num_replicas`` and ``rank``, read from torch.distributed when not given (as torch does)."""
    source = ""
    if num_replicas is None or rank is None:
        missing = " and ".join(
            name for name, v in (("num_replicas", num_replicas), ("rank", rank)) if v is None
        )
        if not HAVE_TORCH:
            raise RuntimeError(
                f"{missing}: not given, and torch is not installed to read them from "
                "torch.distributed; pass num_replicas and rank"
            )
        import torch.distributed as dist  # type: ignore[import-not-found]

        if not dist.is_available():
            raise RuntimeError(
                f"{missing}: not given, and this torch build has no distributed package "
                "(Requires distributed package to be available); pass num_replicas and rank"
            )
        if not dist.is_initialized():
            raise ValueError(
                f"{missing}: not given, and the default process group has not been initialized; "
                "call torch.distributed.init_process_group() first, or pass num_replicas and rank"
            )
        if num_replicas is None:
            num_replicas = dist.get_world_size()
            source = " from torch.distributed"
        if rank is None:
            rank = dist.get_rank()
    num_replicas = as_index(num_replicas, "num_replicas")
    rank = as_index(rank, "rank")
    if num_replicas < 1:
        raise ValueError(f"num_replicas: must be at least 1, got {num_replicas}")
    if not 0 <= rank < num_replicas:
        raise ValueError(
            f"rank: Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}] "
            f"(num_replicas={num_replicas}{source})"
        )
    return num_replicas, rank


#: Draws per with-replacement chunk: sample ``p`` of :class:`RandomSampler` is draw
#: ``p % _DRAW_CHUNK`` under the chunk key ``derive_key(master, 'A', p // _DRAW_CHUNK)``.
_DRAW_CHUNK: int = _native.DRAW_CHUNK
DOMAIN_REPLACEMENT: int = _native.DOMAIN_REPLACEMENT


class RandomSampler(_SamplerBase):  # type: ignore[misc,valid-type,type-arg]
    """``torch.utils.data.RandomSampler`` in O(1) memory (torch materialises ``randperm(n)``).

    Same signature, defaults, errors and lengths. Each iteration draws a fresh 63-bit
    seed from ``generator`` (a ``torch.Generator``; torch's default generator when
    None, so ``torch.manual_seed`` makes runs repeat, as with torch). Without
    replacement the samples are the orders of :class:`ShuffleSampler` under that
    seed for epochs 0, 1, ...: ``num_samples > n`` concatenates whole shuffles and a
    prefix of the next, as torch does. With ``replacement=True`` sample ``p`` is an
    unbiased draw in ``0..n-1`` (docs/data_loading.md). ``state_dict`` /
    ``load_state_dict`` (the iteration's seed and position) resume mid-iteration.

    >>> from permkit.data import RandomSampler
    >>> s = RandomSampler(range(6))
    >>> sorted(s), len(s)
    ([0, 1, 2, 3, 4, 5], 6)
    >>> sorted(RandomSampler(range(3), num_samples=6))  # two whole shuffles
    [0, 0, 1, 1, 2, 2]
    """

    def __init__(
        self,
        data_source: Any,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Any = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        if (
            isinstance(self.num_samples, bool)
            or not isinstance(self.num_samples, int)
            or self.num_samples <= 0
        ):
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={self.num_samples}"
            )
        self.n = _dataset_len(data_source, "data_source")
        if self.n == 0:
            raise ValueError(
                f"data_source: is empty, so {self.num_samples} samples cannot be drawn from it"
            )
        if generator is not None and not _is_torch_generator(generator):
            raise TypeError(
                f"generator: expected None or a torch.Generator, got {type(generator).__name__}"
            )
        self._pending: tuple[int, int] | None = None  # (seed, position) set by load_state_dict
        self._seed: int | None = None
        self._yielded = 0
        self._finished = False

    @property
    def num_samples(self) -> int:
        """``len(data_source)`` unless given (as torch)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __len__(self) -> int:
        return self.num_samples

    def _draw_seed(self) -> int:
        if HAVE_TORCH:
            import torch  # type: ignore[import-not-found]

            return int(torch.empty((), dtype=torch.int64).random_(generator=self.generator).item())
        return realise_seed(None)[0]  # type: ignore[return-value]

    def __iter__(self) -> Iterator[int]:
        if self._pending is not None:
            seed, start = self._pending
            self._pending = None
        else:
            seed, start = self._draw_seed(), 0
        self._seed, self._yielded, self._finished = seed, start, False
        total = self.num_samples
        for values in self._values(seed, start, total):
            for v in values.tolist():
                self._yielded += 1
                yield v
        self._finished = True

    def _values(self, seed: int, start: int, stop: int) -> Iterator[np.ndarray]:
        """The samples at positions ``start..stop-1`` of the iteration with ``seed``, in chunks."""
        n = self.n
        if self.replacement:
            master = realise_seed(seed)[1]
            bounds = np.full(_DRAW_CHUNK, n, dtype=np.uint64)
            for chunk in range(start // _DRAW_CHUNK, -(-stop // _DRAW_CHUNK)):
                lo = chunk * _DRAW_CHUNK
                draws = _native.draws_below(derive_key(master, DOMAIN_REPLACEMENT, chunk), bounds)
                yield draws[max(start, lo) - lo : min(stop, lo + _DRAW_CHUNK) - lo]
            return
        orders = ShuffleSampler(n, seed)
        for epoch in range(start // n, -(-stop // n)):
            order = orders.global_order(epoch)
            lo = max(start, epoch * n) - epoch * n
            hi = min(stop, (epoch + 1) * n) - epoch * n
            for first in range(lo, hi, _CHUNK):
                yield order(np.arange(first, min(hi, first + _CHUNK), dtype=np.uint64))

    def state_dict(self) -> dict[str, Any]:
        """(version, n, num_samples, replacement, the iteration's seed, position yielded).

        Before the first iteration ``seed`` is None (a resume then starts a fresh
        iteration); after a finished iteration ``position == num_samples``.
        """
        seed: int | None
        if self._pending is not None:
            seed, position = self._pending
        else:
            seed = self._seed
            position = self.num_samples if self._finished else self._yielded
        return {
            "version": STATE_VERSION,
            "n": self.n,
            "num_samples": self.num_samples,
            "replacement": self.replacement,
            "seed": seed,
            "position": position,
        }

    def load_state_dict(self, state: Any) -> None:
        """The next iteration continues the saved one: same seed, from the saved position."""
        if not isinstance(state, dict):
            raise TypeError(f"state_dict: expected a dict, got {type(state).__name__}")
        missing = {"version", "n", "num_samples", "replacement", "seed", "position"} - state.keys()
        if missing:
            raise ValueError(
                f"state_dict: missing keys {sorted(missing)} (corrupted or not from a RandomSampler)"
            )
        _check_version(state["version"])
        for name in ("n", "num_samples", "replacement"):
            if state[name] != getattr(self, name):
                raise ValueError(
                    f"state_dict: saved with {name}={state[name]!r}, but this sampler has {name}={getattr(self, name)!r}"
                )
        seed, position = state["seed"], state["position"]
        if isinstance(position, bool) or not isinstance(position, (int, np.integer)):
            raise ValueError(f"state_dict: 'position' must be an int, got {position!r}")
        if not 0 <= position <= self.num_samples:
            raise ValueError(
                f"state_dict: 'position' {position} is out of range 0..{self.num_samples}"
            )
        if seed is None:
            self._pending = None
            return
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"state_dict: 'seed' must be a non-negative int, got {seed!r}")
        self._pending = (int(seed), int(position))

    def __repr__(self) -> str:
        return (
            f"RandomSampler(n={self.n}, replacement={self.replacement}, "
            f"num_samples={self.num_samples}, generator={self.generator!r})"
        )


def _is_torch_generator(value: Any) -> bool:
    if not HAVE_TORCH:
        return False
    import torch  # type: ignore[import-not-found]

    return isinstance(value, torch.Generator)


# --- shuffle buffers for streams ------------------------------------------------------------

DOMAIN_BUFFER: int = _native.DOMAIN_BUFFER
DOMAIN_BUFFER_CHUNK: int = _native.DOMAIN_BUFFER_CHUNK
DOMAIN_BUFFER_DRAIN: int = _native.DOMAIN_BUFFER_DRAIN
_T = TypeVar("_T")


class BufferShuffle(Generic[_T]):
    """The iterator :func:`buffer_shuffle` returns (spec: docs/data_loading.md)."""

    def __init__(
        self, iterable: Iterable[_T], buffer_size: int, seed: SeedLike = None, *, epoch: int = 0
    ) -> None:
        self.buffer_size = as_index(buffer_size, "buffer_size")
        if self.buffer_size < 1:
            raise ValueError(f"buffer_size: must be at least 1, got {self.buffer_size}")
        self.seed, master = realise_seed(seed)
        self.epoch = _check_epoch(epoch)
        self._key = derive_key(master, DOMAIN_BUFFER, self.epoch)
        self._source = iterable
        self._buffer: list[_T] = []
        self._consumed = 0  # elements read from the source; emitted = consumed - len(buffer)
        self._drain_size: int | None = None  # buffer length when the source ended
        self._replay: dict[str, int] | None = None  # a resume without the buffer: what to replay
        self._run: Iterator[_T] | None = None

    @property
    def emitted(self) -> int:
        """Elements yielded so far."""
        return self._consumed - len(self._buffer)

    def __iter__(self) -> BufferShuffle[_T]:
        return self

    def __next__(self) -> _T:
        if self._run is None:
            self._run = self._generate()
            if self._replay is not None:
                self._fast_forward(self._run, self._replay)
        return next(self._run)

    def _fast_forward(self, run: Iterator[_T], saved: dict[str, int]) -> None:
        for _ in range(saved["emitted"]):
            if next(run, _END) is _END:
                break
        if (self._consumed, self.emitted) != (saved["consumed"], saved["emitted"]):
            raise ValueError(
                f"state_dict: replaying the source gave consumed={self._consumed}, emitted={self.emitted}, "
                f"but the state has consumed={saved['consumed']}, emitted={saved['emitted']}: "
                "pass the same stream from its start (or save the state with include_buffer=True)"
            )

    def _generate(self) -> Iterator[_T]:
        buf, size = self._buffer, self.buffer_size
        source = iter(self._source)
        if self._drain_size is None:
            for x in itertools.islice(source, size - len(buf)):
                buf.append(x)
                self._consumed += 1
            if len(buf) == size:
                bounds = np.full(_DRAW_CHUNK, size, dtype=np.uint64)
                chunk, offset = divmod(self._consumed - size, _DRAW_CHUNK)
                while True:
                    key = derive_key(self._key, DOMAIN_BUFFER_CHUNK, chunk)
                    draws = _native.draws_below(key, bounds)[offset:].tolist()
                    for j, x in zip(draws, source):
                        out = buf[j]
                        buf[j] = x
                        self._consumed += 1
                        yield out
                    if self._consumed - size < (chunk + 1) * _DRAW_CHUNK:
                        break  # the source ended inside this chunk
                    chunk, offset = chunk + 1, 0
            self._drain_size = len(buf)
        m = self._drain_size
        for chunk in range((m - len(buf)) // _DRAW_CHUNK, -(-m // _DRAW_CHUNK)):
            lo = chunk * _DRAW_CHUNK
            bounds = np.arange(m - lo, max(0, m - lo - _DRAW_CHUNK), -1, dtype=np.uint64)
            key = derive_key(self._key, DOMAIN_BUFFER_DRAIN, chunk)
            for j in _native.draws_below(key, bounds)[m - len(buf) - lo :].tolist():
                out = buf[j]
                buf[j] = buf[-1]
                buf.pop()
                yield out

    def state_dict(self, include_buffer: bool = False) -> dict[str, Any]:
        """(version, seed, key, buffer_size, epoch, consumed, emitted, drain_size[, buffer]).

        ``consumed`` counts elements read from the source, ``emitted`` elements yielded.
        With ``include_buffer=True`` the buffer's elements are included (a list of up to
        ``buffer_size`` elements): a resume then reads the source from position
        ``consumed`` on. Without it the state is a few ints, and a resume replays the
        source from its start (reading ``consumed`` elements, yielding none of the
        first ``emitted``).
        """
        state: dict[str, Any] = {
            "version": STATE_VERSION,
            "seed": _seed_state(self.seed),
            "key": self._key,
            "buffer_size": self.buffer_size,
            "epoch": self.epoch,
            "consumed": self._consumed,
            "emitted": self.emitted,
            "drain_size": self._drain_size,
        }
        if include_buffer:
            state["buffer"] = list(self._buffer)
        return state

    def load_state_dict(self, state: Any) -> None:
        """Continues a saved shuffle; call before iterating (the iterable is the source to read).

        With a saved buffer, the iterable must continue the source at ``consumed``;
        without one, it must be the same source from its start.
        """
        if self._run is not None or self._consumed:
            raise ValueError("load_state_dict: call it before iterating")
        if not isinstance(state, dict):
            raise TypeError(f"state_dict: expected a dict, got {type(state).__name__}")
        missing = {
            "version",
            "key",
            "buffer_size",
            "epoch",
            "consumed",
            "emitted",
            "drain_size",
        } - state.keys()
        if missing:
            raise ValueError(
                f"state_dict: missing keys {sorted(missing)} (corrupted or not from a buffer_shuffle)"
            )
        _check_version(state["version"])
        for name in ("buffer_size", "epoch"):
            if state[name] != getattr(self, name):
                raise ValueError(
                    f"state_dict: saved with {name}={state[name]!r}, but this shuffle has {name}={getattr(self, name)!r}"
                )
        for name in ("key", "consumed", "emitted"):
            if isinstance(state[name], bool) or not isinstance(state[name], (int, np.integer)):
                raise ValueError(f"state_dict: {name!r} must be an int, got {state[name]!r}")
        _check_key(state, self.seed, self._key, "shuffle")
        consumed, emitted, drain = (
            int(state["consumed"]),
            int(state["emitted"]),
            state["drain_size"],
        )
        held = consumed - emitted
        steady = drain is None and held == min(consumed, self.buffer_size)
        draining = (
            isinstance(drain, (int, np.integer))
            and not isinstance(drain, bool)
            and 0 <= held <= drain == min(consumed, self.buffer_size)
        )
        if not 0 <= emitted <= consumed or not (steady or draining):
            raise ValueError(
                f"state_dict: consumed={consumed}, emitted={emitted}, drain_size={drain!r} "
                f"cannot occur with buffer_size={self.buffer_size}"
            )
        if "buffer" not in state:
            self._replay = {"consumed": consumed, "emitted": emitted}
            return
        buffer = state["buffer"]
        if not isinstance(buffer, list) or len(buffer) != held:
            raise ValueError(
                f"state_dict: 'buffer' must be a list of consumed - emitted = {held} elements, "
                f"got {type(buffer).__name__} of length {len(buffer) if isinstance(buffer, list) else '?'}"
            )
        self._buffer[:] = buffer
        self._consumed = consumed
        self._drain_size = None if drain is None else int(drain)

    def __repr__(self) -> str:
        return (
            f"BufferShuffle(buffer_size={self.buffer_size}, seed={self.seed!r}, epoch={self.epoch}, "
            f"emitted={self.emitted})"
        )


_END: Any = object()


def buffer_shuffle(
    iterable: Iterable[_T], buffer_size: int, seed: SeedLike = None, *, epoch: int = 0
) -> BufferShuffle[_T]:
    """A stream shuffled through a buffer of ``buffer_size`` elements (streaming datasets).

    As ``datasets.IterableDataset.shuffle`` / webdataset's ``shuffle``: the buffer fills
    with the first ``buffer_size`` elements; then each new element replaces a uniformly
    drawn buffer slot, whose element is yielded; at the end the buffer is emptied in a
    uniformly random order. Reproducible by ``(seed, epoch)`` (spec and golden vectors:
    docs/data_loading.md); slot draws come in bulk from the Squares64 draw sequence.
    The returned iterator has ``state_dict(include_buffer=False)`` / ``load_state_dict``
    for exact resume. An element moves at most ``buffer_size`` places earlier, so a
    larger buffer mixes better.

    >>> from permkit.data import buffer_shuffle
    >>> out = list(buffer_shuffle(range(10), 4, seed=1))
    >>> sorted(out) == list(range(10)), out == list(buffer_shuffle(range(10), 4, seed=1))
    (True, True)
    """
    return BufferShuffle(iterable, buffer_size, seed, epoch=epoch)
