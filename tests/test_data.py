"""permkit.data.ShuffleSampler: coverage, sharding, epochs, resume, elastic resume, windows, torch."""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _index_shuffle_oracle import OracleShuffle, derive_key, master_key
from permkit import IndexShuffle
from permkit.data import HAVE_TORCH, ShuffleSampler, _WindowOrder


def global_sequence(n, seed, world_size, epoch=0, **kw):
    """Interleaves every rank's stream back into global-position order."""
    streams = []
    for r in range(world_size):
        s = ShuffleSampler(n, seed, rank=r, world_size=world_size, **kw)
        s.set_epoch(epoch)
        streams.append(list(s))
    out = []
    for step in itertools.zip_longest(*streams):
        out.extend(v for v in step if v is not None)
    return out, streams


@pytest.mark.parametrize("n", [0, 1, 2, 7, 10, 97, 256, 1000])
@pytest.mark.parametrize("world_size", [1, 2, 3, 8, 13])
def test_every_index_once_per_epoch_across_ranks(n, world_size):
    for kw in ({}, {"shuffle": False}, {"window": 5, "window_blocks": 3}):
        seq, streams = global_sequence(n, 4, world_size, epoch=2, **kw)
        assert sorted(seq) == list(range(n))
        lens = [len(s) for s in streams]
        assert max(lens) - min(lens) <= 1 and lens == sorted(lens, reverse=True)
        for r in range(world_size):
            assert len(ShuffleSampler(n, 4, rank=r, world_size=world_size, **kw)) == lens[r]
        # The global order does not depend on the world size.
        assert seq == global_sequence(n, 4, 1, epoch=2, **kw)[0]
        if kw.get("shuffle") is False:
            assert seq == list(range(n))


@pytest.mark.parametrize("n,world_size", [(10, 3), (100, 8), (7, 7), (5, 8)])
def test_drop_last_drops_the_tail_evenly(n, world_size):
    streams = [
        list(ShuffleSampler(n, 1, rank=r, world_size=world_size, drop_last=True))
        for r in range(world_size)
    ]
    assert {len(s) for s in streams} == {n // world_size}
    everything = functools.reduce(operator.iadd, streams, [])
    assert len(set(everything)) == len(everything) == n - n % world_size
    full = list(ShuffleSampler(n, 1))
    assert sorted(everything) == sorted(full[: n - n % world_size])


def test_spec_of_epoch_keys_and_golden_values():
    seed, n = 2024, 1000
    s = ShuffleSampler(n, seed)
    for epoch in (0, 1, 5):
        s.set_epoch(epoch)
        key = derive_key(master_key(seed), 0x45, epoch)
        shuffle = IndexShuffle.from_key(n, key)
        oracle = OracleShuffle(n, key, shuffle.rounds)
        got = list(s)
        assert got[:20] == [oracle[i] for i in range(20)]
    s.set_epoch(0)
    assert list(s)[:8] == GOLDEN_SEED_2024_EPOCH_0
    # Epochs are not seed + epoch: (seed, 1) and (seed + 1, 0) differ.
    a = ShuffleSampler(n, 7)
    a.set_epoch(1)
    assert list(a) != list(ShuffleSampler(n, 8))
    assert list(a) != list(ShuffleSampler(n, 7))


GOLDEN_SEED_2024_EPOCH_0 = [610, 431, 347, 9, 444, 711, 621, 768]


@pytest.mark.parametrize("kw", [{}, {"window": 16, "window_blocks": 4}, {"shuffle": False}])
def test_resume_continues_the_exact_sequence(kw):
    n, ws = 1003, 4
    for rank in range(ws):
        ref = list(ShuffleSampler(n, 9, rank=rank, world_size=ws, **kw))
        for stop in (0, 1, 37, len(ref)):
            s = ShuffleSampler(n, 9, rank=rank, world_size=ws, **kw)
            s.set_epoch(0)
            it = iter(s)
            head = [next(it) for _ in range(stop)]
            state = pickle.loads(pickle.dumps(s.state_dict()))
            t = ShuffleSampler(n, 9, rank=rank, world_size=ws, **kw)
            t.load_state_dict(state)
            t.set_epoch(state["epoch"])  # the usual training loop; same epoch keeps the cursor
            assert len(t) == len(ref) - stop or stop == len(ref)
            rest = list(t)
            assert head + rest == ref or (stop == len(ref) and rest == ref)


@pytest.mark.parametrize(
    "old_ws,new_ws,steps", [(4, 3, 10), (2, 5, 7), (3, 1, 33), (1, 8, 0), (8, 2, 125)]
)
def test_elastic_resume_sees_every_sample_once(old_ws, new_ws, steps):
    n, seed = 1001, 3
    old = [ShuffleSampler(n, seed, rank=r, world_size=old_ws) for r in range(old_ws)]
    for s in old:
        s.set_epoch(6)
    iters = [iter(s) for s in old]
    seen = []
    for _ in range(steps):
        for it in iters:
            v = next(it, None)
            if v is not None:
                seen.append(v)
    state = old[0].state_dict()
    assert state["cursor"] == min(n, steps * old_ws)
    rest = []
    for r in range(new_ws):
        s = ShuffleSampler(n, seed, rank=r, world_size=new_ws)
        s.load_state_dict(state)
        assert s.epoch == 6
        rest.extend(s)
    assert sorted(seen + rest) == list(range(n))
    # ... and in the same global order as an uninterrupted epoch.
    merged, _ = global_sequence(n, seed, new_ws, epoch=6)
    assert sorted(rest) == sorted(merged[state["cursor"] :])


def test_iteration_restarts_after_a_finished_epoch_and_set_epoch_resets():
    s = ShuffleSampler(50, 1)
    first = list(s)
    assert s.state_dict()["cursor"] == 50
    assert list(s) == first  # a new pass of the same epoch replays it, like torch samplers
    s.set_epoch(1)
    assert list(s) != first and sorted(s) == list(range(50))
    it = iter(s)
    next(it)
    next(it)
    assert s.state_dict()["cursor"] == 2 and s.state_dict(consumed=1)["cursor"] == 1


def test_state_dict_validation():
    s = ShuffleSampler(100, 5, world_size=2)
    good = s.state_dict()
    t = ShuffleSampler(100, 5)
    t.load_state_dict(good)  # a different world size is fine (elastic)
    with pytest.raises(ValueError, match="n=100"):
        ShuffleSampler(101, 5).load_state_dict(good)
    with pytest.raises(ValueError, match="seed"):
        ShuffleSampler(100, 6).load_state_dict(good)
    with pytest.raises(ValueError, match="window"):
        ShuffleSampler(100, 5, window=10).load_state_dict(good)
    with pytest.raises(TypeError, match="dict"):
        t.load_state_dict([1, 2])
    for broken in (
        {k: v for k, v in good.items() if k != "cursor"},
        {**good, "cursor": 101},
        {**good, "cursor": -1},
        {**good, "cursor": "3"},
        {**good, "epoch": -1},
        {**good, "version": 99},
        {**good, "key": 1.5},
        {**good, "epoch": True},
    ):
        with pytest.raises(ValueError, match="state_dict"):
            t.load_state_dict(broken)
    ss = ShuffleSampler(10, np.random.SeedSequence(3, spawn_key=(2,)))
    ShuffleSampler(10, np.random.SeedSequence(3, spawn_key=(2,))).load_state_dict(ss.state_dict())


def test_sampler_pickles_with_its_position():
    s = ShuffleSampler(100, 3, rank=1, world_size=2, window=7)
    s.set_epoch(4)
    t = pickle.loads(pickle.dumps(s))
    assert list(t) == list(s) and t.epoch == 4


def test_none_seed_is_remembered():
    s = ShuffleSampler(100, None)
    assert isinstance(s.seed, int)
    t = ShuffleSampler(100, s.seed)
    t.load_state_dict(s.state_dict())
    assert list(t) == list(s)


def test_window_mode_reads_locally():
    n, block, blocks = 1000, 10, 4
    s = ShuffleSampler(n, 2, window=block, window_blocks=blocks)
    seq = list(s)
    assert sorted(seq) == list(range(n))
    window = block * blocks
    for t in range(0, n, window):
        assert len({v // block for v in seq[t : t + window]}) <= blocks
    # Both block order and within-window order are shuffled.
    assert seq[:window] != sorted(seq[:window])
    assert [v // block for v in seq[::block]] != sorted(v // block for v in seq[::block])
    # A short last block (n % block != 0) lands in some window and everything is still covered.
    for n2 in (1003, 7, 41):
        assert sorted(ShuffleSampler(n2, 5, window=10, window_blocks=3)) == list(range(n2))


def test_worker_split_has_no_duplicates():
    n = 997
    for ws, workers in ((1, 3), (2, 2), (3, 4)):
        for r in range(ws):
            s = ShuffleSampler(n, 1, rank=r, world_size=ws)
            parts = [list(s.iter_worker(k, workers)) for k in range(workers)]
            joined = functools.reduce(operator.iadd, parts, [])
            assert len(joined) == len(set(joined)) and set(joined) == set(s)
    s = ShuffleSampler(n, 1)
    assert list(s.iter_worker()) == list(s)  # outside a DataLoader worker: the whole stream
    with pytest.raises(ValueError, match="worker_id"):
        list(s.iter_worker(3, 3))


def test_bad_arguments():
    with pytest.raises(ValueError, match="world_size"):
        ShuffleSampler(10, 1, world_size=0)
    with pytest.raises(ValueError, match="rank"):
        ShuffleSampler(10, 1, rank=2, world_size=2)
    with pytest.raises(ValueError, match="rank"):
        ShuffleSampler(10, 1, rank=-1)
    with pytest.raises(ValueError, match="n:"):
        ShuffleSampler(-1, 1)
    with pytest.raises(OverflowError, match="n:"):
        ShuffleSampler(2**64, 1)
    with pytest.raises(ValueError, match="window"):
        ShuffleSampler(10, 1, window=0)
    with pytest.raises(TypeError, match="drop_last"):
        ShuffleSampler(10, 1, drop_last=1)
    with pytest.raises(ValueError, match="epoch"):
        ShuffleSampler(10, 1).set_epoch(-1)
    with pytest.raises(ValueError, match="window"):
        ShuffleSampler(2**63, 1, window=10)


def test_huge_n_is_o1():
    s = ShuffleSampler(10**18, 1, rank=3, world_size=1024)
    s.load_state_dict({**s.state_dict(), "cursor": 10**17})
    it = iter(s)
    head = [next(it) for _ in range(5)]
    shuffle = IndexShuffle.from_key(10**18, s.epoch_key())
    assert head == [shuffle[10**17 + 3 + 1024 * j] for j in range(5)]
    with pytest.raises(OverflowError):
        len(ShuffleSampler(2**64 - 1, 1))


def test_works_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from permkit.data import ShuffleSampler, HAVE_TORCH\n"
        "assert not HAVE_TORCH and ShuffleSampler.__mro__[1] is object\n"
        "print(sorted(ShuffleSampler(5, 1)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[0, 1, 2, 3, 4]"


def test_torch_drop_ins_and_buffer_shuffle_work_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from permkit.data import DistributedSampler, RandomSampler, buffer_shuffle\n"
        "try:\n"
        "    DistributedSampler(range(5))\n"
        "except RuntimeError as e:\n"
        "    assert 'num_replicas and rank' in str(e), e\n"
        "print([len(DistributedSampler(range(5), 2, r)) for r in range(2)],"
        " sorted(RandomSampler(range(5))), sorted(buffer_shuffle(range(5), 2, 1)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[3, 3] [0, 1, 2, 3, 4] [0, 1, 2, 3, 4]"


# --- torch integration (skipped when torch is absent) ---------------------------------

needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="torch is not installed")


@needs_torch
def test_torch_sampler_and_dataloader():
    from torch.utils.data import DataLoader, Sampler

    s = ShuffleSampler(103, 8, rank=1, world_size=3)
    assert isinstance(s, Sampler)
    data = list(range(103))
    batches = list(DataLoader(data, batch_size=8, sampler=s))
    assert [int(v) for b in batches for v in b] == list(s)
    loader = DataLoader(data, batch_size=5, sampler=ShuffleSampler(103, 8), num_workers=2)
    assert sorted(int(v) for b in loader for v in b) == data


class _Stream:
    def __init__(self, sampler):
        self.sampler = sampler

    def __iter__(self):
        return iter(self.sampler.iter_worker())


@needs_torch
def test_torch_iterable_dataset_workers_do_not_duplicate():
    from torch.utils.data import DataLoader, IterableDataset

    class Stream(_Stream, IterableDataset):
        pass

    sampler = ShuffleSampler(211, 4, rank=0, world_size=2)
    loader = DataLoader(Stream(sampler), batch_size=4, num_workers=2)
    got = [int(v) for b in loader for v in b]
    assert len(got) == len(set(got)) and set(got) == set(sampler)


@needs_torch
def test_torch_dataloader_resume_mid_epoch():
    from torch.utils.data import DataLoader

    data = list(range(90))
    full = [
        int(v)
        for b in DataLoader(data, batch_size=4, sampler=ShuffleSampler(90, 12, world_size=2))
        for v in b
    ]
    sampler = ShuffleSampler(90, 12, world_size=2)
    loader = iter(DataLoader(data, batch_size=4, sampler=sampler, num_workers=2))
    head = [int(v) for _ in range(3) for v in next(loader)]
    state = sampler.state_dict(consumed=len(head))  # workers prefetch; count what was consumed
    resumed = ShuffleSampler(90, 12, world_size=2)
    resumed.load_state_dict(state)
    rest = [int(v) for b in DataLoader(data, batch_size=4, sampler=resumed) for v in b]
    assert head + rest == full


# --- issue 11: elastic resumes keep the epoch exact (no repeat, no loss) --------------


def _run_pass(n, seed, world_size, state, steps=None, **kw):
    """Every rank of one pass, in lockstep for ``steps`` steps (None: to the end).

    Returns (indices yielded per rank, rank 0's state dict afterwards).
    """
    samplers = [
        ShuffleSampler(n, seed, rank=r, world_size=world_size, **kw) for r in range(world_size)
    ]
    for s in samplers:
        s.set_epoch(3)
        if state is not None:
            s.load_state_dict(state)
            s.set_epoch(3)
    lengths = [len(s) for s in samplers]
    iters = [iter(s) for s in samplers]
    got = [[] for _ in samplers]
    step = 0
    while steps is None or step < steps:
        values = [next(it, None) for it in iters]
        if all(v is None for v in values):
            break
        for r, v in enumerate(values):
            if v is not None:
                got[r].append(v)
        step += 1
    if steps is None:
        assert [len(g) for g in got] == lengths
    return got, samplers[0].state_dict()


def test_issue11_drop_last_cursor_past_the_new_total_does_not_replay():
    # 9 samples, 3 ranks, drop_last: each rank takes 2 (cursor 6); resume on 5 ranks.
    got, state = _run_pass(9, 0, 3, None, steps=2, drop_last=True)
    assert state["cursor"] == 6
    rest, end = _run_pass(9, 0, 5, state, drop_last=True)
    seen = [v for part in (*got, *rest) for v in part]
    assert rest == [[]] * 5  # 3 positions left, fewer than 5 ranks: drop_last drops them
    assert len(seen) == len(set(seen)) == 6
    assert end["cursor"] == 9  # complete: loading it again yields nothing
    again, _ = _run_pass(9, 0, 2, end, drop_last=True)
    assert again == [[], []]


@pytest.mark.parametrize("drop_last,even", [(False, False), (True, False), (False, True)])
def test_hypothesis_elastic_trials_never_repeat_or_lose(drop_last, even):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(
        n=st.integers(0, 60),
        plan=st.lists(st.tuples(st.integers(1, 9), st.integers(0, 12)), min_size=1, max_size=4),
        last_world=st.integers(1, 9),
        seed=st.integers(0, 2**64),
    )
    def trial(n, plan, last_world, seed):
        kw = {"drop_last": drop_last, "even": even}
        state, seen, order = (
            None,
            [],
            list(
                ShuffleSampler(n, seed, **{**kw, "even": False}).global_order(3)(
                    np.arange(n, dtype=np.uint64)
                )
            ),
        )
        for world, steps in [*plan, (last_world, None)]:
            start = 0 if state is None else state["cursor"]
            got, state = _run_pass(n, seed, world, state, steps, **kw)
            if drop_last or even:  # DDP safety: every rank makes the same number of steps
                assert len({len(g) for g in got}) == 1
            # In lockstep the ranks read consecutive global positions from the cursor.
            merged = [g[i] for i in range(max(map(len, got), default=0)) for g in got if i < len(g)]
            expect = [order[p % n] for p in range(start, start + len(merged))] if n else []
            assert merged == expect
            seen += merged
        assert state["cursor"] == n  # the epoch is complete
        if even:
            # Padding repeats only the start of the order, and less than one step's worth.
            assert set(seen) == set(range(n))
            assert len(seen) - n < max(w for w, _ in [*plan, (last_world, 0)])
        else:
            assert len(seen) == len(set(seen))  # never repeated
            lost = n - len(seen)
            assert (
                lost == 0 if not drop_last else lost < max(w for w, _ in [*plan, (last_world, 0)])
            )
            assert seen == order[: len(seen)]  # what is dropped is only the tail

    trial()


def test_issue11_load_state_dict_names_the_field_that_differs():
    good = ShuffleSampler(100, 1).state_dict()
    s = ShuffleSampler(100, 1)
    with pytest.raises(ValueError, match="'key'") as info:
        s.load_state_dict({**good, "key": good["key"] ^ 1})
    assert "seed 1, but this sampler has seed 1" not in str(info.value)
    with pytest.raises(ValueError, match="saved with seed 2, but this sampler has seed 1"):
        s.load_state_dict(ShuffleSampler(100, 2).state_dict())
    with pytest.raises(
        ValueError, match="saved with shuffle=False, but this sampler has shuffle=True"
    ):
        s.load_state_dict(ShuffleSampler(100, 1, shuffle=False).state_dict())
    with pytest.raises(ValueError, match="window_blocks=3, but this sampler has window_blocks=8"):
        s.load_state_dict({**good, "window_blocks": 3})
    with pytest.raises(ValueError, match="n=99 \\(dataset size\\)"):
        s.load_state_dict(ShuffleSampler(99, 1).state_dict())
    with pytest.raises(ValueError, match="version 2 is newer"):
        s.load_state_dict({**good, "version": 2})
    with pytest.raises(ValueError, match="not supported"):
        s.load_state_dict({**good, "version": "1"})


def test_even_pads_like_torch_and_len_follows_resume():
    streams = [list(ShuffleSampler(10, 2, rank=r, world_size=4, even=True)) for r in range(4)]
    assert [len(x) for x in streams] == [3, 3, 3, 3]
    full = list(ShuffleSampler(10, 2))
    merged = [x[i] for i in range(3) for x in streams]
    assert merged == full + full[:2]
    s = ShuffleSampler(10, 2, rank=1, world_size=4, even=True)
    s.load_state_dict({**s.state_dict(), "cursor": 4})
    assert len(s) == 2 == len(list(s))  # positions 5 and 9 + wrap: (4..11) on 4 ranks


# --- window order: known answers (generated before the order moved to Rust) -------------------


def _digest(values):
    return hashlib.sha256(np.asarray(values, dtype=np.uint64).tobytes()).hexdigest()[:16]


WINDOW_GOLDEN_SMALL = {
    # (n, window, window_blocks, seed, epoch): the whole epoch's order.
    (1, 1, 1, 0, 0): [0],
    (10, 3, 2, 1, 0): [0, 1, 2, 9, 4, 6, 8, 7, 3, 5],
    (13, 4, 2, 8, 5): [9, 8, 0, 11, 2, 3, 10, 1, 7, 5, 4, 12, 6],
    (37, 5, 3, 2, 1): [
        15, 18, 9, 26, 7, 27, 19, 29, 16, 6, 25, 17, 28, 8, 5, 34, 32, 31, 30,
        21, 35, 20, 22, 23, 36, 24, 33, 3, 10, 0, 4, 12, 11, 2, 14, 13, 1,
    ],
    (50, 50, 1, 5, 0): [
        3, 16, 29, 41, 18, 36, 42, 1, 44, 32, 14, 2, 25, 23, 26, 15, 8, 9, 34, 46, 0, 11, 17, 40,
        30, 4, 20, 24, 21, 49, 33, 35, 22, 31, 13, 28, 10, 45, 7, 5, 47, 12, 6, 27, 48, 37, 19,
        38, 39, 43,
    ],
    (50, 64, 2, 6, 1): [
        32, 43, 48, 30, 1, 17, 0, 42, 25, 37, 14, 38, 16, 28, 44, 24, 36, 34, 26, 12, 40, 45, 15,
        27, 7, 41, 21, 29, 3, 4, 19, 10, 33, 47, 13, 2, 46, 11, 31, 22, 23, 18, 8, 39, 49, 5, 9,
        35, 6, 20,
    ],
    (64, 8, 8, 4, 0): [
        31, 16, 9, 1, 6, 33, 62, 58, 28, 50, 53, 23, 61, 11, 3, 32, 38, 40, 10, 34, 46, 19, 0, 15,
        29, 54, 57, 35, 51, 39, 48, 45, 25, 20, 18, 44, 24, 27, 63, 30, 43, 21, 8, 41, 55, 13, 12,
        14, 59, 36, 52, 49, 2, 60, 5, 42, 4, 22, 37, 17, 47, 7, 26, 56,
    ],
    (97, 1, 8, 7, 0): [
        66, 15, 27, 3, 83, 24, 82, 42, 50, 62, 67, 26, 22, 90, 70, 95, 44, 16, 87, 49, 36, 51, 96,
        58, 1, 29, 80, 32, 65, 38, 47, 6, 11, 78, 79, 91, 9, 14, 30, 85, 63, 8, 17, 59, 40, 45,
        43, 61, 76, 0, 88, 81, 2, 31, 69, 20, 4, 64, 53, 12, 77, 7, 57, 52, 23, 35, 10, 48, 37,
        71, 74, 56, 72, 86, 39, 54, 94, 75, 5, 28, 55, 34, 60, 46, 68, 19, 92, 89, 25, 73, 13, 21,
        41, 33, 18, 84, 93,
    ],
    (100, 7, 4, 3, 2): [
        47, 56, 11, 58, 48, 13, 44, 7, 10, 9, 46, 57, 3, 62, 1, 5, 45, 60, 4, 6, 42, 8, 0, 43, 2,
        12, 59, 61, 69, 97, 91, 65, 25, 93, 26, 67, 23, 27, 63, 21, 64, 98, 99, 22, 68, 92, 24,
        96, 66, 94, 95, 32, 85, 88, 83, 53, 84, 80, 50, 33, 82, 54, 49, 34, 81, 55, 87, 79, 89,
        78, 28, 51, 30, 77, 31, 86, 90, 52, 29, 20, 39, 16, 36, 73, 18, 40, 37, 15, 76, 38, 35,
        19, 75, 72, 17, 70, 41, 74, 14, 71,
    ],
}  # fmt: skip

WINDOW_GOLDEN_DIGEST = {
    # (n, window, window_blocks, seed, epoch): (first six, sha256 prefix of the uint64 order).
    (1000, 16, 8, 2024, 0): ([334, 306, 566, 301, 417, 561], "3c86397c1b5d8270"),
    (1003, 10, 1, 5, 3): ([543, 545, 549, 542, 544, 541], "84716607297d4292"),
    (4099, 32, 3, 11, 1): ([1514, 1506, 1620, 2846, 1601, 2830], "4fade3889e0b800d"),
    (65537, 256, 5, 13, 7): ([49132, 44134, 53824, 48913, 36935, 49030], "b3a17bca6f390167"),
    (100003, 1000, 8, 12, 0): ([89385, 75464, 30065, 13149, 75687, 31592], "8103b58cf7edc6e6"),
}

WINDOW_GOLDEN_RANKS = {
    # (n, window, window_blocks, seed, world_size, option), epoch 1: per rank (len, first five, digest).
    (101, 6, 3, 9, 3, None): [
        (34, [55, 56, 63, 58, 82], "a1d5796056ecd6c2"),
        (34, [57, 59, 64, 54, 79], "9404baace0f574f7"),
        (33, [83, 81, 62, 78, 65], "5fab1ffdf8a8cdd8"),
    ],
    (101, 6, 3, 9, 4, "even"): [
        (26, [55, 59, 62, 82, 61], "5830f67928e99da8"),
        (26, [57, 81, 58, 79, 60], "8e861f0d3141b88c"),
        (26, [83, 63, 54, 65, 24], "2d700722d4b9a40f"),
        (26, [56, 64, 78, 80, 18], "56f66460b9b18d3f"),
    ],
    (101, 6, 3, 9, 4, "drop_last"): [
        (25, [55, 59, 62, 82, 61], "31322ef25d08998d"),
        (25, [57, 81, 58, 79, 60], "c194a11294aa1707"),
        (25, [83, 63, 54, 65, 24], "6cc81bddd8071b4b"),
        (25, [56, 64, 78, 80, 18], "4d8af2a32e1fc959"),
    ],
    (1000, 16, 4, 3, 8, "even"): [
        (125, [554, 862, 853, 850, 551], "9d4a40c4f7125737"),
        (125, [695, 548, 691, 913, 849], "1a82879b4c99de5b"),
        (125, [699, 925, 857, 916, 918], "9089f37ad483dc17"),
        (125, [859, 692, 556, 920, 696], "d09358c0926c7860"),
        (125, [915, 922, 694, 924, 555], "2eb3292a6663f4f4"),
        (125, [851, 702, 700, 860, 854], "73a3c5a9445fc802"),
        (125, [688, 544, 917, 923, 914], "1e2ffe5420f968e7"),
        (125, [557, 546, 689, 856, 698], "c2af56b1e771fd45"),
    ],
}

WINDOW_GOLDEN_HUGE = {
    # (n, window, window_blocks, seed): the order at positions 0, 1, 2, n // 2, n - 3, n - 2, n - 1.
    (10**12, 1000, 8, 1): [
        76460409231, 706241703533, 782007037935, 231996948632,
        199036324362, 234454335711, 135950148920,
    ],
    (2**40 + 3, 4096, 16, 2): [
        533530850589, 952684265280, 717512997621, 988878471501,
        994724258168, 994724258847, 994724259402,
    ],
    (2**62 + 5, 64, 3, 3): [
        3096598602101397934, 3096598602101397909, 223658320879882460, 4253687113703219242,
        1076697169086427103, 1076697169086427131, 2701230954366981132,
    ],
    (2**63 - 1, 2**20, 2**10, 4): [
        3193174027678298746, 5198129471654393173, 5776132821025628600, 3756101437868483162,
        4319152299332003649, 13328082085095127, 8401262966381523376,
    ],
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(WINDOW_GOLDEN_SMALL))
def test_window_order_golden_small(case):
    n, window, blocks, seed, epoch = case
    s = ShuffleSampler(n, seed, window=window, window_blocks=blocks)
    s.set_epoch(epoch)
    assert list(s) == WINDOW_GOLDEN_SMALL[case]


@pytest.mark.parametrize("case", sorted(WINDOW_GOLDEN_DIGEST))
def test_window_order_golden_digest(case):
    n, window, blocks, seed, epoch = case
    s = ShuffleSampler(n, seed, window=window, window_blocks=blocks)
    s.set_epoch(epoch)
    got = list(s)
    head, digest = WINDOW_GOLDEN_DIGEST[case]
    assert (got[:6], _digest(got)) == (head, digest)
    assert sorted(got) == list(range(n))


@pytest.mark.parametrize("case", sorted(WINDOW_GOLDEN_RANKS, key=str))
def test_window_order_golden_ranks(case):
    n, window, blocks, seed, world_size, option = case
    kw = {option: True} if option else {}
    for rank, (length, head, digest) in enumerate(WINDOW_GOLDEN_RANKS[case]):
        s = ShuffleSampler(
            n, seed, rank=rank, world_size=world_size, window=window, window_blocks=blocks, **kw
        )
        s.set_epoch(1)
        got = list(s)
        assert (len(got), got[:5], _digest(got)) == (length, head, digest)


@pytest.mark.parametrize("case", sorted(WINDOW_GOLDEN_HUGE))
def test_window_order_golden_huge(case):
    n, window, blocks, seed = case
    order = ShuffleSampler(n, seed, window=window, window_blocks=blocks).global_order()
    positions = np.array([0, 1, 2, n // 2, n - 3, n - 2, n - 1], dtype=np.uint64)
    assert order(positions).tolist() == WINDOW_GOLDEN_HUGE[case]


# --- window order: the spec as an independent oracle, inverse, limits ------------------------


def _oracle_rounds(n):
    return 24 if n <= 8 else 16 if n <= 128 else 10


def window_order_oracle(n, key, block, blocks):
    """docs/data_loading.md, "Window mode", element by element in pure Python: blocks in
    the shuffled block order, `blocks` of them per window, each window's indices (its
    blocks laid end to end in slot order) read through the window's shuffle."""
    num_blocks = -(-n // block)
    order = OracleShuffle(num_blocks, derive_key(key, 0x42, 0), _oracle_rounds(num_blocks))
    slots = [order[s] for s in range(num_blocks)]
    out = []
    for t, first in enumerate(range(0, num_blocks, blocks)):
        members = [
            i
            for b in slots[first : first + blocks]
            for i in range(b * block, min(n, (b + 1) * block))
        ]
        inner = OracleShuffle(len(members), derive_key(key, 0x57, t), _oracle_rounds(len(members)))
        out.extend(members[inner[j]] for j in range(len(members)))
    return out


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 300),
    block=st.integers(1, 40),
    blocks=st.integers(1, 12),
    seed=st.integers(0, 2**64),
    epoch=st.integers(0, 3),
)
def test_window_order_matches_the_spec_oracle_and_inverts(n, block, blocks, seed, epoch):
    s = ShuffleSampler(n, seed, window=block, window_blocks=blocks)
    s.set_epoch(epoch)
    got = list(s)
    assert got == window_order_oracle(n, s.epoch_key(), block, blocks)
    order = _WindowOrder(n, s.epoch_key(), block, blocks)
    assert order.inverse(np.array(got, dtype=np.uint64)).tolist() == list(range(n))
    assert [order.inverse(v) for v in got[:5]] == list(range(min(5, n)))
    assert order[-1] == got[-1] and order[1:4].tolist() == got[1:4]


def test_window_order_limits():
    # Blocks or windows larger than the data are one block / one window (no overflow).
    one = list(ShuffleSampler(50, 3, window=50, window_blocks=1))
    assert list(ShuffleSampler(50, 3, window=2**64 - 1, window_blocks=2**64 - 1)) == one
    with pytest.raises(OverflowError, match="window: must be at most 2\\*\\*64 - 1"):
        ShuffleSampler(50, 3, window=2**64)
    with pytest.raises(OverflowError, match="window_blocks"):
        ShuffleSampler(50, 3, window=5, window_blocks=2**64)
    # Window numbers are key-derivation values: more than 2**56 windows is refused up front.
    with pytest.raises(ValueError, match=r"window: .*2\*\*56"):
        ShuffleSampler(2**63 - 1, 1, window=7, window_blocks=3)
    with pytest.raises(ValueError, match="window: window mode supports n < 2\\*\\*63"):
        ShuffleSampler(2**63, 1, window=10)
    order = _WindowOrder(10, 1, 3, 2)
    with pytest.raises(IndexError, match="index"):
        order[10]
    with pytest.raises(ValueError, match="value"):
        order.inverse(10)
