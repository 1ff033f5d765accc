"""permkit.data.ShardShuffle (docs/shard_shuffle.md) and ShuffleSampler(shards=...)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _shard_shuffle_oracle import R, epoch_key, oracle_blocks, oracle_cells, oracle_order
from permkit.data import ShardShuffle, ShuffleSampler
from permkit.shard_shuffle import layout_fingerprint

MAX_N = 2**64 - 1

LAYOUTS = [
    [1],
    [0, 5, 0],
    [3, 0, 4, 2, 5],
    [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5],
    [1000, 1, 1, 1, 700, 0, 2, 300],
    [(i * 37) % 23 for i in range(120)],
]


def shard_ids(sizes, samples):
    return np.searchsorted(np.cumsum(sizes), np.asarray(samples, dtype=np.int64), side="right")


# --- spec conformance and golden vectors ---------------------------------------------


@pytest.mark.parametrize("sizes", LAYOUTS)
@pytest.mark.parametrize("block_size", [1, 3, 16, 250, 2**18])
def test_matches_the_oracle(sizes, block_size):
    for seed, epoch in [(0, 0), (2024, 5)]:
        order = ShardShuffle(sizes, seed, epoch=epoch, block_size=block_size)
        key = epoch_key(seed, epoch)
        assert order.epoch_key == key
        assert order.to_numpy().tolist() == oracle_order(sizes, key, block_size)
        lengths = [len(b) for b in oracle_blocks(sizes, key, block_size)]
        assert order.block_starts().tolist() == np.concatenate([[0], np.cumsum(lengths)]).tolist()
        cells = oracle_cells(sizes, key, block_size)
        cell_lengths = [sum(sizes[s] for s in c) for c in cells]
        assert (
            order.cell_starts().tolist() == np.concatenate([[0], np.cumsum(cell_lengths)]).tolist()
        )
        assert order.max_block_shards == most_shards(sizes, cells, R)
        assert order.max_window_shards == most_shards(sizes, cells, R + 1)


def most_shards(sizes, cells, width):
    """The most non-empty shards in ``width`` consecutive cells (clipped at both ends)."""
    counts = [sum(sizes[s] > 0 for s in c) for c in cells]
    return max(sum(counts[max(0, end - width) : end]) for end in range(1, len(cells) + width))


def test_golden_vectors():
    # docs/shard_shuffle.md; a change is a new version.
    assert ShardShuffle([3, 0, 4, 2, 5], 0, block_size=4).to_numpy().tolist() == GOLDEN_SMALL
    big = ShardShuffle([4096] * 1000, 2024, epoch=3, block_size=2**14)
    assert big[0:5].tolist() == GOLDEN_4096X1000
    huge = ShardShuffle([2**63, 2**63 - 1], 1, block_size=2**40)
    assert huge[:3].tolist() == GOLDEN_MAX


GOLDEN_SMALL = [5, 1, 3, 13, 12, 7, 2, 6, 10, 4, 9, 0, 8, 11]
GOLDEN_4096X1000 = [1478316, 1475347, 1477116, 1476607, 1475558]
GOLDEN_MAX = [8427694325855351112, 2392997841391952775, 718080398400083899]


# --- properties ------------------------------------------------------------------------

layouts = st.lists(st.integers(0, 40), min_size=1, max_size=25)


@settings(max_examples=150, deadline=None)
@given(layouts, st.integers(1, 120), st.integers(0, 2**64 - 1), st.integers(0, 2**56 - 1))
def test_bijection_and_inverse(sizes, block_size, seed, epoch):
    order = ShardShuffle(sizes, seed, epoch=epoch, block_size=block_size)
    n = sum(sizes)
    assert order.n == n
    values = order[0:n]
    assert sorted(values.tolist()) == list(range(n))
    assert order.inverse(values).tolist() == list(range(n))
    for p in range(0, n, 7):
        assert order[p] == values[p]
        assert order.inverse(int(values[p])) == p


@settings(max_examples=150, deadline=None)
@given(layouts, st.integers(1, 120), st.integers(0, 2**32))
def test_consecutive_positions_read_a_sliding_set_of_shards(sizes, block_size, seed):
    """The cache bound: block t's positions read only shards of cells t-R+1..t, so a
    window of consecutive positions reads only the shards of the cells its blocks gather."""
    order = ShardShuffle(sizes, seed, block_size=block_size)
    starts = order.block_starts().tolist()
    values = order.to_numpy()
    cells = oracle_cells(sizes, order.epoch_key, block_size)
    assert order.num_cells == len(cells) and order.num_blocks == len(cells) + R - 1
    for t in range(order.num_blocks):
        allowed = {s for c in cells[max(0, t - R + 1) : t + 1] for s in c}
        read = set(shard_ids(sizes, values[starts[t] : starts[t + 1]]).tolist())
        assert read <= allowed
        assert len(read) <= order.max_block_shards
        pair = set(
            shard_ids(sizes, values[starts[t] : starts[min(t + 2, len(starts) - 1)]]).tolist()
        )
        assert len(pair) <= order.max_window_shards
    # Every shard's samples lie within R consecutive blocks.
    for v, c in enumerate(cells):
        lo, hi = starts[v], starts[min(v + R, len(starts) - 1)]
        for s in c:
            first = sum(sizes[:s])
            where = order.inverse(np.arange(first, first + sizes[s]))
            assert ((where >= lo) & (where < hi)).all()


def test_window_bound_on_a_realistic_layout():
    rng = np.random.default_rng(3)
    sizes = rng.integers(100, 300, size=2000)
    order = ShardShuffle(sizes, 11, block_size=4096)
    shards = shard_ids(sizes, order.to_numpy())
    bound = order.max_window_shards
    # Cells hold whole shards with midpoints in an E / R-sample cell (E: the block size less
    # the mean shard size); R + 1 cells span < (R + 1) E / R + 300.
    spread = 4096 - int(sizes.sum()) // len(sizes)
    assert bound <= ((R + 1) * spread // R + 300) // 100
    window = int(np.diff(order.block_starts())[R:-R].min())  # away from the thin end blocks
    assert window > 200
    for start in range(order.block_starts()[R], order.block_starts()[-R] - window, 97):
        assert len(np.unique(shards[start : start + window])) <= bound


def test_seed_and_epoch_give_unrelated_orders():
    sizes = [50] * 40
    base = ShardShuffle(sizes, 0, epoch=1, block_size=200).to_numpy()
    other = ShardShuffle(sizes, 1, epoch=0, block_size=200).to_numpy()
    assert not np.array_equal(base, other)  # no seed + epoch
    assert np.array_equal(base, ShardShuffle(sizes, 0, epoch=1, block_size=200).to_numpy())
    assert not np.array_equal(base, ShardShuffle(sizes, 0, epoch=2, block_size=200).to_numpy())
    assert not np.array_equal(base, ShardShuffle(sizes, 0, epoch=1, block_size=2000).to_numpy())


def test_one_cell_is_a_uniform_shuffle():
    """block_size > 17 n: one cell dealt over R blocks; all 5! orderings equally likely."""
    scipy_stats = pytest.importorskip("scipy.stats")
    counts: dict[tuple[int, ...], int] = {}
    for seed in range(12_000):
        key = tuple(ShardShuffle([2, 0, 1, 2], seed, block_size=17 * 5 + 1).to_numpy().tolist())
        counts[key] = counts.get(key, 0) + 1
    assert len(counts) == 120
    assert scipy_stats.chisquare(list(counts.values())).pvalue > 1e-4


def test_cells_are_dealt_uniformly_over_their_blocks():
    """A cell's samples land uniformly over the R blocks it is dealt into (KS test on the
    relative position within that span), and a shard's samples are not kept together."""
    scipy_stats = pytest.importorskip("scipy.stats")
    sizes = [64] * 400
    block_size = R * 256 + 64  # cells of (block_size - 64) / R = 256 samples
    order = ShardShuffle(sizes, 21, block_size=block_size)
    assert order.num_cells == 100
    starts = order.block_starts()
    cells = oracle_cells(sizes, order.epoch_key, block_size)
    assert [len(c) for c in cells] == [4] * 100  # cells of 256 samples
    where = order.inverse(np.arange(order.n)).astype(np.int64)
    relative = []
    for v in range(R, len(cells) - R):
        lo, hi = int(starts[v]), int(starts[v + R])
        samples = np.concatenate([np.arange(64 * s, 64 * s + 64) for s in cells[v]])
        relative.append((where[samples] - lo) / (hi - lo))
    values = np.concatenate(relative)
    assert ((values >= 0) & (values < 1)).all()
    assert scipy_stats.kstest(values, "uniform").pvalue > 1e-4
    # Adjacent samples of one shard are about a third of the R * 256-position span apart.
    gaps = np.abs(np.diff(where.reshape(400, 64), axis=1))
    assert 0.28 < gaps.mean() / (R * 256) < 0.38


def test_same_output_for_every_thread_count():
    code = (
        "import hashlib, numpy as np\n"
        "from permkit.data import ShardShuffle\n"
        "sizes = np.random.default_rng(0).integers(0, 500, size=3000)\n"
        "o = ShardShuffle(sizes, 5, block_size=4000)\n"
        "v = o[0 : o.n]\n"
        "w = o.inverse(v[::-1].copy())\n"
        "print(hashlib.sha256(v.tobytes() + w.tobytes()).hexdigest())\n"
    )
    outs = set()
    for threads in ("1", "2"):
        env = {**os.environ, "RAYON_NUM_THREADS": threads}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outs.add(run.stdout)
    assert len(outs) == 1


# --- access forms -----------------------------------------------------------------------


def test_slices_arrays_and_scalars():
    sizes = [7, 0, 13, 5, 21, 2]
    order = ShardShuffle(sizes, 5, block_size=9)
    full = order.to_numpy().astype(np.uint64)
    n = order.n
    assert len(order) == n == 48
    for sl in [
        slice(None),
        slice(3, 40, 5),
        slice(None, None, -1),
        slice(-5, None),
        slice(40, 3, -7),
    ]:
        got = order[sl]
        assert got.dtype == np.uint64
        assert got.tolist() == full[sl].tolist()
    idx = np.array([[0, -1], [5, -48]], dtype=np.int32)
    got = order[idx]
    assert got.shape == (2, 2) and got.dtype == np.uint64
    assert got.tolist() == [[full[0], full[-1]], [full[5], full[0]]]
    zero_d = order[np.array(4)]
    assert zero_d.shape == () and int(zero_d) == full[4]
    assert order[np.int16(-2)] == full[-2] and isinstance(order[3], int)
    assert order.inverse(np.array(full[9])) == 9
    assert order.index(int(full[9])) == 9
    assert order.inverse([int(full[2]), int(full[3])]).tolist() == [2, 3]
    assert list(order) == full.tolist()
    assert 47 in order and 48 not in order and -1 not in order and 1.0 not in order
    assert order[[]].tolist() == [] and order[5:5].tolist() == []


def test_value_semantics():
    sizes = [3, 9, 0, 4]
    a = ShardShuffle(sizes, 8, epoch=2, block_size=5)
    b = ShardShuffle(np.array(sizes, dtype=np.uint8), 8, epoch=2, block_size=5)
    assert a == b and hash(a) == hash(b)
    assert a != ShardShuffle(sizes, 8, epoch=3, block_size=5)
    assert a != ShardShuffle([3, 9, 4, 0], 8, epoch=2, block_size=5)
    c = pickle.loads(pickle.dumps(a))
    assert (
        c == a and c.seed == 8 and c.epoch == 2 and c.to_numpy().tolist() == a.to_numpy().tolist()
    )
    assert "16 samples" not in repr(a) and "n=16" in repr(a) and "epoch=2" in repr(a)
    assert a.shard_sizes.tolist() == sizes and a.num_shards == 4
    assert a.layout_fingerprint == layout_fingerprint(np.array(sizes, dtype=np.uint64))
    fresh = ShardShuffle(sizes)
    assert isinstance(fresh.seed, int) and fresh == ShardShuffle(sizes, fresh.seed)


def test_empty_and_zero_sized_shards():
    order = ShardShuffle([0, 0, 0], 1)
    assert order.n == 0 and len(order) == 0 and list(order) == []
    assert order.to_numpy().tolist() == [] and order[:].tolist() == []
    with pytest.raises(IndexError, match="index"):
        order[0]
    with pytest.raises(ValueError, match="value"):
        order.inverse(0)
    one = ShardShuffle([0, 1, 0], 1)
    assert one.to_numpy().tolist() == [0]


# --- boundaries ---------------------------------------------------------------------


def test_full_64_bit_range():
    order = ShardShuffle([2**63, 2**63 - 1], 1, block_size=2**40)
    assert order.n == MAX_N
    with pytest.raises(OverflowError, match="len"):
        len(order)
    for p in [0, 1, 2**32, 2**63, MAX_N - 1]:
        assert order.inverse(order[p]) == p
    assert order[-1] == order[MAX_N - 1]
    values = order[np.array([0, MAX_N - 1], dtype=np.uint64)]
    assert order.inverse(values).tolist() == [0, MAX_N - 1]
    assert order[MAX_N - 3 :].shape == (3,)
    with pytest.raises(OverflowError, match="shard_sizes"):
        ShardShuffle([2**63, 2**63], 1)
    with pytest.raises(OverflowError, match="shard_sizes"):
        ShardShuffle([2**64], 1)
    with pytest.raises(MemoryError, match="to_numpy"):
        order.to_numpy()


def test_a_million_shards_in_o_shards_memory():
    sizes = np.full(10**6, 100_000, dtype=np.uint64)  # n = 10^11
    order = ShardShuffle(sizes, 4, block_size=2**20)
    assert order.n == 10**11 and order.num_shards == 10**6
    assert order.nbytes <= 6 * 8 * (10**6 + R)
    positions = np.array([0, 1, 10**11 - 1, 5 * 10**10, 12_345_678_901], dtype=np.int64)
    assert order.inverse(order[positions]).tolist() == positions.tolist()
    # Cells of (2**20 - 10**5) / R < 10**5 samples hold one shard each: a window no longer
    # than a block (10**5 positions) reads at most the shards of R + 1 cells.
    assert order.max_window_shards == R + 1
    first = int(order.block_starts()[10_000])
    shards = order[first : first + 2**17] // 100_000
    assert len(np.unique(shards)) <= order.max_window_shards


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "error", "match"),
    [
        ([], ValueError, "shard_sizes: must hold at least one shard"),
        ([3, -1, 2], ValueError, "shard_sizes: sizes must be non-negative, got -1 at index 1"),
        ([3, 2**70], OverflowError, "shard_sizes: sizes must be at most 2\\*\\*64 - 1"),
        ([3, -(2**70)], ValueError, "shard_sizes: sizes must be non-negative"),
        ([1.0, 2.0], TypeError, "shard_sizes"),
        ([True, False], TypeError, "shard_sizes"),
        (["a"], TypeError, "shard_sizes"),
        ([[1, 2], [3, 4]], ValueError, "shard_sizes: expected a 1-D"),
        (5, ValueError, "shard_sizes: expected a 1-D"),
        (np.array([2**63, 2**63], dtype=np.uint64), OverflowError, "shard_sizes: the sizes sum"),
        ([2**64 - 1, 1], OverflowError, "shard_sizes: the sizes sum"),
    ],
)
def test_bad_shard_sizes(sizes, error, match):
    with pytest.raises(error, match=match):
        ShardShuffle(sizes, 0)


def test_bad_options_and_positions():
    with pytest.raises(ValueError, match="block_size: must be at least 1"):
        ShardShuffle([3], 0, block_size=0)
    with pytest.raises(TypeError, match="block_size"):
        ShardShuffle([3], 0, block_size=2.0)
    with pytest.raises(OverflowError, match="block_size"):
        ShardShuffle([3], 0, block_size=2**64)
    with pytest.raises(ValueError, match=r"epoch: must lie in 0\.\.2\*\*56-1"):
        ShardShuffle([3], 0, epoch=2**56)
    with pytest.raises(ValueError, match="epoch"):
        ShardShuffle([3], 0, epoch=-1)
    with pytest.raises(ValueError, match="seed"):
        ShardShuffle([3], -1)
    order = ShardShuffle([3, 4], 0)
    with pytest.raises(IndexError, match="index: 7 is out of range"):
        order[7]
    with pytest.raises(IndexError, match="index"):
        order[np.array([0, 9])]
    with pytest.raises(TypeError, match="index"):
        order[np.array([0.0])]
    with pytest.raises(TypeError, match="index"):
        order[True]
    with pytest.raises(ValueError, match="value: 7 is not in the order"):
        order.inverse(7)
    with pytest.raises(ValueError, match="value"):
        order.inverse(np.array([-1]))


# --- ShuffleSampler(shards=...) ------------------------------------------------------------

SIZES = [13, 0, 40, 7, 25, 31, 2, 19]  # n = 137


def run_ranks(world, **kw):
    return [list(ShuffleSampler(137, 9, rank=r, world_size=world, **kw)) for r in range(world)]


def interleave(streams):
    out = []
    for step in range(max(len(s) for s in streams)):
        out.extend(s[step] for s in streams if step < len(s))
    return out


def test_sampler_reads_the_shard_order_for_every_world_size():
    for epoch in [0, 4]:
        expected = ShardShuffle(SIZES, 9, epoch=epoch, block_size=32).to_numpy().tolist()
        for world in [1, 3, 8]:
            samplers = [
                ShuffleSampler(137, 9, rank=r, world_size=world, shards=SIZES, shard_block_size=32)
                for r in range(world)
            ]
            for s in samplers:
                s.set_epoch(epoch)
            assert interleave([list(s) for s in samplers]) == expected


def test_sampler_resume_and_elastic_resume():
    kw = {"shards": SIZES, "shard_block_size": 32}
    full = ShardShuffle(SIZES, 9, epoch=2, block_size=32).to_numpy().tolist()
    first = [ShuffleSampler(137, 9, rank=r, world_size=4, **kw) for r in range(4)]
    taken = []
    for s in first:
        s.set_epoch(2)
    iters = [iter(s) for s in first]
    for _ in range(10):
        taken.extend(next(it) for it in iters)
    state = first[0].state_dict()
    assert state["cursor"] == 40 and state["shards"] == layout_fingerprint(np.array(SIZES))
    assert state["shard_block_size"] == 32
    second = [ShuffleSampler(137, 9, rank=r, world_size=3, **kw) for r in range(3)]
    for s in second:
        s.load_state_dict(state)
        s.set_epoch(2)
    rest = interleave([list(s) for s in second])
    assert taken + rest == full


def test_sampler_rejects_mismatched_layouts_and_options():
    state = ShuffleSampler(137, 9, shards=SIZES).state_dict()
    other = ShuffleSampler(137, 9, shards=[*SIZES[:-2], 10, 11])
    with pytest.raises(ValueError, match="shard layout"):
        other.load_state_dict(state)
    with pytest.raises(ValueError, match="shard layout"):
        ShuffleSampler(137, 9).load_state_dict(state)
    with pytest.raises(ValueError, match="shard layout"):
        ShuffleSampler(137, 9, shards=SIZES).load_state_dict(ShuffleSampler(137, 9).state_dict())
    with pytest.raises(ValueError, match="shard_block_size"):
        ShuffleSampler(137, 9, shards=SIZES, shard_block_size=5).load_state_dict(state)
    with pytest.raises(ValueError, match="shards: the shard sizes sum to 137, but n=136"):
        ShuffleSampler(136, 9, shards=SIZES)
    with pytest.raises(ValueError, match="shards: cannot be combined with window"):
        ShuffleSampler(137, 9, shards=SIZES, window=4)
    with pytest.raises(ValueError, match="shards: sizes must be non-negative"):
        ShuffleSampler(137, 9, shards=[138, -1])
    with pytest.raises(ValueError, match="shard_block_size"):
        ShuffleSampler(137, 9, shards=SIZES, shard_block_size=0)
    no_shuffle = ShuffleSampler(137, 9, shards=SIZES, shuffle=False)
    assert list(no_shuffle) == list(range(137))


def test_spec_examples_run():
    import doctest
    from pathlib import Path

    spec = Path(__file__).resolve().parent.parent / "docs" / "shard_shuffle.md"
    result = doctest.testfile(
        str(spec), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0 and result.attempted >= 3
