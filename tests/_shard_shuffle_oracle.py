"""A slow, independent pure-Python implementation of docs/shard_shuffle.md (v1), for tests.

Builds the whole order as a list, straight from the spec's three steps.
"""

from __future__ import annotations

from _index_shuffle_oracle import OracleShuffle, derive_key, master_key

DOMAIN_EPOCH = 0x45  # 'E'
DOMAIN_SHARD_ORDER = 0x53  # 'S'
DOMAIN_BLOCK = 0x4B  # 'K'


def default_rounds(n: int) -> int:
    k = 0 if n <= 1 else (n - 1).bit_length()
    return 24 if k <= 3 else 16 if k <= 7 else 10


def epoch_key(seed, epoch: int) -> int:
    return derive_key(master_key(seed), DOMAIN_EPOCH, epoch)


def oracle_blocks(sizes: list[int], key: int, block_size: int) -> list[list[int]]:
    """The blocks as lists of shard ids, in stream order."""
    m = len(sizes)
    order = OracleShuffle(m, derive_key(key, DOMAIN_SHARD_ORDER, 0), default_rounds(m))
    blocks: list[list[int]] = []
    position = 0
    last_code = None
    for j in range(m):
        shard = order[j]
        code = (2 * position + sizes[shard]) // (2 * block_size)
        if code != last_code:
            blocks.append([])
            last_code = code
        blocks[-1].append(shard)
        position += sizes[shard]
    return blocks


def oracle_order(sizes: list[int], key: int, block_size: int) -> list[int]:
    """The epoch order: ``result[p]`` is the sample at position ``p``."""
    starts = [sum(sizes[:s]) for s in range(len(sizes))]
    result: list[int] = []
    for k, shards in enumerate(oracle_blocks(sizes, key, block_size)):
        stream = [starts[s] + i for s in shards for i in range(sizes[s])]
        inner = OracleShuffle(
            len(stream), derive_key(key, DOMAIN_BLOCK, k), default_rounds(len(stream))
        )
        result.extend(stream[inner[o]] for o in range(len(stream)))
    return result
