"""permkit.data.ShuffleSampler: coverage, sharding, epochs, resume, elastic resume, windows, torch."""

from __future__ import annotations

import functools
import itertools
import operator
import pickle
import subprocess
import sys

import numpy as np
import pytest

from _index_shuffle_oracle import OracleShuffle, derive_key, master_key
from permkit import IndexShuffle
from permkit.data import HAVE_TORCH, ShuffleSampler


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
        shuffle = IndexShuffle._from_key(n, key, None, None)
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
    shuffle = IndexShuffle._from_key(10**18, s.epoch_key(), None, None)
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
