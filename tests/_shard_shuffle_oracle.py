"""A slow, independent pure-Python implementation of docs/shard_shuffle.md (v1), for tests.

Builds the whole order as a list, straight from the spec's steps.
"""

from __future__ import annotations

from _index_shuffle_oracle import OracleShuffle, derive_key, master_key

DOMAIN_EPOCH = 0x45  # 'E'
DOMAIN_SHARD_ORDER = 0x53  # 'S'
DOMAIN_CELL = 0x43  # 'C'
DOMAIN_BLOCK = 0x4B  # 'K'
R = 16


def default_rounds(n: int) -> int:
    k = 0 if n <= 1 else (n - 1).bit_length()
    return 24 if k <= 3 else 16 if k <= 7 else 10


def epoch_key(seed, epoch: int) -> int:
    return derive_key(master_key(seed), DOMAIN_EPOCH, epoch)


def oracle_cells(sizes: list[int], key: int, block_size: int) -> list[list[int]]:
    """The cells as lists of shard ids, in stream order."""
    m = len(sizes)
    order = OracleShuffle(m, derive_key(key, DOMAIN_SHARD_ORDER, 0), default_rounds(m))
    cells: list[list[int]] = []
    spread = max(1, block_size - sum(sizes) // m)
    position = 0
    last_code = None
    for j in range(m):
        shard = order[j]
        code = R * (2 * position + sizes[shard]) // (2 * spread)
        if code != last_code:
            cells.append([])
            last_code = code
        cells[-1].append(shard)
        position += sizes[shard]
    return cells


def oracle_blocks(sizes: list[int], key: int, block_size: int) -> list[list[int]]:
    """Block ``t`` as the list of samples it reads (before its own shuffle)."""
    starts = [sum(sizes[:s]) for s in range(len(sizes))]
    parts: list[list[list[int]]] = []
    for v, shards in enumerate(oracle_cells(sizes, key, block_size)):
        stream = [starts[s] + i for s in shards for i in range(sizes[s])]
        length = len(stream)
        cell = OracleShuffle(length, derive_key(key, DOMAIN_CELL, v), default_rounds(length))
        dealt = [stream[cell[u]] for u in range(length)]
        parts.append([dealt[i * length // R : (i + 1) * length // R] for i in range(R)])
    blocks = []
    for t in range(len(parts) + R - 1):
        blocks.append(
            [
                x
                for v in range(max(0, t - R + 1), min(t, len(parts) - 1) + 1)
                for x in parts[v][t - v]
            ]
        )
    return blocks


def oracle_order(sizes: list[int], key: int, block_size: int) -> list[int]:
    """The epoch order: ``result[p]`` is the sample at position ``p``."""
    result: list[int] = []
    for t, gathered in enumerate(oracle_blocks(sizes, key, block_size)):
        inner = OracleShuffle(
            len(gathered), derive_key(key, DOMAIN_BLOCK, t), default_rounds(len(gathered))
        )
        result.extend(gathered[inner[o]] for o in range(len(gathered)))
    return result
