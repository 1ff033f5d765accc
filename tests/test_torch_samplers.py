"""permkit.data.DistributedSampler / RandomSampler against torch's, and torchdata resume.

"Drop-in" is checked by running torch's own observable checks (re-created from
pytorch's test/test_dataloader.py, whose file the wheel does not ship) against both
torch's class and ours, and by comparing lengths and duplication patterns directly.
"""

from __future__ import annotations

import collections
import math
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402
from torch.utils.data import DistributedSampler as TorchDistributedSampler  # noqa: E402
from torch.utils.data import RandomSampler as TorchRandomSampler  # noqa: E402

from permkit.data import DistributedSampler, RandomSampler, ShuffleSampler  # noqa: E402

DISTRIBUTED = [TorchDistributedSampler, DistributedSampler]
RANDOM = [TorchRandomSampler, RandomSampler]


def dataset100():
    return TensorDataset(torch.randn(100, 2, 3, 5), torch.randperm(100))


# --- DistributedSampler: sizes, padding and duplication pattern equal torch's ----------


def _rank_lists(cls, n, world, **kw):
    out = []
    for r in range(world):
        s = cls(range(n), num_replicas=world, rank=r, **kw)
        s.set_epoch(2)
        out.append(list(s))
    return out


def _pattern(lists, n):
    """How many of the n samples are seen 0, 1, 2, ... times in total (the duplication pattern)."""
    counts = collections.Counter(v for lst in lists for v in lst)
    return collections.Counter(counts.get(i, 0) for i in range(n)), [len(x) for x in lists]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 7, 10, 16, 33, 100])
@pytest.mark.parametrize("world", [1, 2, 3, 4, 7, 16])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sizes_and_duplication_pattern_equal_torchs(n, world, drop_last):
    ours = _rank_lists(DistributedSampler, n, world, drop_last=drop_last, seed=3)
    theirs = _rank_lists(TorchDistributedSampler, n, world, drop_last=drop_last, seed=3)
    if n:
        assert _pattern(ours, n) == _pattern(theirs, n)
    assert [len(x) for x in ours] == [len(x) for x in theirs]
    for r in range(world):
        a = DistributedSampler(range(n), num_replicas=world, rank=r, drop_last=drop_last)
        b = TorchDistributedSampler(range(n), num_replicas=world, rank=r, drop_last=drop_last)
        assert (len(a), a.num_samples, a.total_size) == (len(b), b.num_samples, b.total_size)
    # shuffle=False: the very same indices as torch, rank by rank.
    plain = {"drop_last": drop_last, "shuffle": False}
    if n:
        assert _rank_lists(DistributedSampler, n, world, **plain) == _rank_lists(
            TorchDistributedSampler, n, world, **plain
        )
    # The padded positions wrap around to the start of the (world-size independent) order.
    if n and not drop_last:
        order = list(
            ShuffleSampler(n, 3, shuffle=True).global_order(2)(np.arange(n, dtype=np.uint64))
        )
        merged = [lst[i] for i in range(len(ours[0])) for lst in ours]
        assert merged == [order[p % n] for p in range(len(merged))]


@pytest.mark.parametrize("cls", DISTRIBUTED)
def test_set_epoch_changes_the_order_and_is_deterministic(cls):
    data = list(range(50))
    s = cls(data, num_replicas=2, rank=1, seed=5)
    a = list(s)
    assert list(cls(data, num_replicas=2, rank=1, seed=5)) == a
    s.set_epoch(1)
    b = list(s)
    assert a != b and sorted(a) != list(range(25))
    assert list(cls(data, num_replicas=2, rank=1, seed=6)) != a
    assert s.epoch == 1 and s.seed == 5 and s.shuffle and not s.drop_last
    assert s.num_replicas == 2 and s.rank == 1 and s.dataset is data


@pytest.mark.parametrize("cls", DISTRIBUTED)
def test_torch_invalid_rank(cls):
    # pytorch test_dataloader.py: test_distributed_sampler_invalid_rank
    dataset = torch.IntTensor(range(10))
    with pytest.raises(ValueError, match="Invalid rank"):
        cls(dataset, 3, 3)
    with pytest.raises(ValueError, match="Invalid rank"):
        cls(dataset, 3, -1)


@pytest.mark.parametrize("cls", DISTRIBUTED)
def test_torch_duplicating_data_with_drop_last(cls):
    # pytorch test_dataloader.py: test_duplicating_data_with_drop_last
    num_processes, num_batches = 4, 9
    data_set = torch.IntTensor(range(num_batches))
    scanned = torch.IntTensor([])
    for i in range(num_processes):
        s = cls(data_set, num_processes, i)
        loader = DataLoader(
            data_set, batch_size=int(num_batches / num_processes), drop_last=True, sampler=s
        )
        for data in loader:
            scanned = torch.cat((scanned, data), 0)
    assert scanned.size() == scanned.unique().size()


@pytest.mark.parametrize("cls", DISTRIBUTED)
def test_needs_torch_distributed_when_world_is_not_given(cls):
    import torch.distributed as dist

    assert not dist.is_initialized()
    with pytest.raises(ValueError):  # torch: "Default process group has not been initialized"
        cls(range(10))
    with pytest.raises(ValueError):
        cls(range(10), num_replicas=2)
    with pytest.raises(ValueError, match="process group"):
        DistributedSampler(range(10), rank=0)


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="num_replicas"):
        DistributedSampler(range(10), num_replicas=0, rank=0)
    with pytest.raises(TypeError, match="dataset"):
        DistributedSampler(iter(range(10)), num_replicas=1, rank=0)
    with pytest.raises(TypeError, match="drop_last"):
        DistributedSampler(range(10), 1, 0, drop_last=1)
    with pytest.raises(TypeError, match="even"):
        DistributedSampler(range(10), 1, 0, even=None)


def test_even_false_never_repeats_but_is_uneven():
    lists = _rank_lists(DistributedSampler, 10, 3, even=False)
    assert sorted(v for lst in lists for v in lst) == list(range(10)) and [
        len(x) for x in lists
    ] == [4, 3, 3]


DDP_SCRIPT = textwrap.dedent(
    """
    import os, sys, torch, torch.distributed as dist
    from permkit.data import DistributedSampler

    def run(rank, world, path, out):
        dist.init_process_group("gloo", init_method="file://" + path, rank=rank, world_size=world)
        s = DistributedSampler(range(11), seed=4)  # world size and rank from torch.distributed
        s.set_epoch(1)
        got = torch.tensor(list(s))
        parts = [torch.zeros_like(got) for _ in range(world)]
        dist.all_gather(parts, got)  # would fail on unequal lengths
        if rank == 0:
            with open(out, "w") as f:
                f.write(repr([(s.num_replicas, len(s))] + [p.tolist() for p in parts]))
        for n, drop in ((1, False), (11, True), (0, False)):  # torch's padding test sizes
            t = DistributedSampler(range(n), drop_last=drop)
            sizes = [torch.zeros(1, dtype=torch.int64) for _ in range(world)]
            dist.all_gather(sizes, torch.tensor([len(list(t))]))
            assert {int(x) for x in sizes} == {t.num_samples}, (n, drop, sizes)
        try:
            DistributedSampler(range(11), rank=world)
        except ValueError as e:
            assert "from torch.distributed" in str(e), e
        else:
            raise AssertionError("no error")
        dist.destroy_process_group()

    if __name__ == "__main__":
        torch.multiprocessing.spawn(run, args=(2, sys.argv[1], sys.argv[2]), nprocs=2)
    """
)


def test_ddp_reads_world_size_and_rank_from_torch_distributed(tmp_path):
    script = tmp_path / "ddp.py"
    script.write_text(DDP_SCRIPT)
    out = tmp_path / "out.txt"
    subprocess.run(
        [sys.executable, str(script), str(tmp_path / "store"), str(out)],
        check=True,
        timeout=240,
    )
    (world, length), *parts = eval(out.read_text())
    assert world == 2 and length == 6 and [len(p) for p in parts] == [6, 6]
    expect = [DistributedSampler(range(11), 2, r, seed=4) for r in range(2)]
    for s in expect:
        s.set_epoch(1)
    assert parts == [list(s) for s in expect]


# --- RandomSampler: torch's own checks, run against both -------------------------------


@pytest.mark.parametrize("cls", RANDOM)
def test_torch_random_sampler(cls):
    # pytorch test_dataloader.py: test_random_sampler
    dataset = dataset100()

    def sample_stat(sampler):
        counts = collections.Counter(sampler)
        repeated = sum(val > 1 for val in counts.values())
        return repeated, min(counts), max(counts), sum(counts.values())

    n = len(dataset) + 1
    repeated, lo, hi, total = sample_stat(cls(dataset, replacement=True, num_samples=n))
    assert repeated > 0 and lo >= 0 and hi < len(dataset) and total == n
    assert sample_stat(cls(dataset)) == (0, 0, len(dataset) - 1, len(dataset))
    n = len(dataset) * 2
    assert sample_stat(cls(dataset, num_samples=n)) == (len(dataset), 0, len(dataset) - 1, n)
    n = len(dataset) - 1
    repeated, lo, hi, total = sample_stat(cls(dataset, num_samples=n))
    assert repeated == 0 and lo >= 0 and hi < len(dataset) and total == n
    n = len(dataset) + 1
    assert sample_stat(cls(dataset, num_samples=n)) == (1, 0, len(dataset) - 1, n)
    with pytest.raises(
        TypeError, match="replacement should be a boolean value, but got replacement=0"
    ):
        cls(dataset, replacement=0)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        cls(dataset, num_samples=0)


@pytest.mark.parametrize("cls", RANDOM)
@pytest.mark.parametrize("replacement", [True, False])
def test_torch_random_sampler_len(cls, replacement):
    # pytorch test_dataloader.py: test_random_sampler_len_with(out)_replacement
    dataset = dataset100()
    num_samples = len(dataset) + 5
    sampler = cls(dataset, replacement=replacement, num_samples=num_samples)
    assert len(sampler) == num_samples == sum(1 for _ in sampler)
    assert len(DataLoader(dataset, batch_size=1, sampler=sampler)) == num_samples
    assert len(DataLoader(dataset, batch_size=6, sampler=sampler)) == math.ceil(num_samples / 6)


@pytest.mark.parametrize("cls", RANDOM)
def test_torch_sampler_reproducibility(cls):
    # pytorch test_dataloader.py: test_sampler_reproducibility (the RandomSampler part)
    dataset = dataset100()
    for fn in (
        lambda: cls(
            dataset, num_samples=5, replacement=True, generator=torch.Generator().manual_seed(42)
        ),
        lambda: cls(dataset, replacement=False, generator=torch.Generator().manual_seed(42)),
    ):
        assert list(fn()) == list(fn())
    for sampler in (cls(dataset, num_samples=5, replacement=True), cls(dataset, replacement=False)):
        torch.manual_seed(0)
        l1 = list(sampler) + list(sampler)
        torch.manual_seed(0)
        l2 = list(sampler) + list(sampler)
        assert l1 == l2
        assert l1[: len(sampler)] != l1[len(sampler) :]  # each iteration draws a fresh seed
        its = (iter(sampler), iter(sampler))
        ls = ([], [])
        for idx in range(len(sampler)):
            for i in range(2):
                if idx == 0:
                    torch.manual_seed(0)
                ls[i].append(next(its[i]))
        assert ls[0] == ls[1]


@pytest.mark.parametrize("cls", RANDOM)
def test_generator_advances_like_torchs(cls):
    g = torch.Generator().manual_seed(7)
    s = cls(range(40), generator=g)
    a, b = list(s), list(s)
    assert a != b and sorted(a) == sorted(b) == list(range(40))
    # Ours draws exactly one int64 from the generator per iteration.
    if cls is RandomSampler:
        g2 = torch.Generator().manual_seed(7)
        seed = int(torch.empty((), dtype=torch.int64).random_(generator=g2).item())
        order = ShuffleSampler(40, seed).global_order(0)
        assert a == order(np.arange(40, dtype=np.uint64)).tolist()


def test_random_sampler_spec_with_replacement_and_across_epochs():
    from _index_shuffle_oracle import derive_key, master_key
    from permkit import _native

    s = RandomSampler(range(10), replacement=True, num_samples=5000)
    s.load_state_dict({**s.state_dict(), "seed": 11, "position": 0})
    got = list(s)
    key0 = derive_key(master_key(11), 0x41, 0)
    key1 = derive_key(master_key(11), 0x41, 1)
    bounds = np.full(4096, 10, dtype=np.uint64)
    expect = np.concatenate([_native.draws_below(key0, bounds), _native.draws_below(key1, bounds)])
    assert got == expect[:5000].tolist()
    assert set(got) == set(range(10))
    # without replacement: whole epochs of ShuffleSampler(n, seed) orders, then a prefix.
    s = RandomSampler(range(7), num_samples=17)
    s.load_state_dict({**s.state_dict(), "seed": 11, "position": 0})
    orders = ShuffleSampler(7, 11)
    expect = [orders.global_order(e)(np.arange(7, dtype=np.uint64)).tolist() for e in range(3)]
    assert list(s) == (expect[0] + expect[1] + expect[2])[:17]


def _pinned(sampler, seed):
    sampler.load_state_dict({**sampler.state_dict(), "seed": seed, "position": 0})
    return list(sampler)


def test_random_sampler_golden_vectors():
    # Pinned in docs/data_loading.md: iteration seed 11.
    assert _pinned(RandomSampler(range(10), True, 12), 11) == [7, 9, 4, 1, 6, 9, 6, 9, 8, 0, 3, 3]
    assert _pinned(RandomSampler(range(2**40), True, 4), 11) == [
        800779103997,
        494827515685,
        761590934270,
        766067785470,
    ]
    assert _pinned(RandomSampler(range(10), num_samples=12), 11) == [
        9, 0, 1, 3, 7, 2, 4, 5, 6, 8, 6, 5,
    ]  # fmt: skip


def test_random_sampler_with_replacement_is_uniform():
    counts = np.bincount(_pinned(RandomSampler(range(7), True, 70_000), 3), minlength=7)
    # 10_000 expected per value, sd ~ 93: 6 sd is a failure, not noise.
    assert np.abs(counts - 10_000).max() < 560


def test_random_sampler_bad_input_and_resume_errors():
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])  # as torch
    with pytest.raises(ValueError, match="empty"):
        RandomSampler([], num_samples=3)
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(3), num_samples=-1)
    with pytest.raises(TypeError, match="generator"):
        RandomSampler(range(3), generator=np.random.default_rng(0))
    s = RandomSampler(range(10))
    it = iter(s)
    next(it)
    state = pickle.loads(pickle.dumps(s.state_dict()))
    with pytest.raises(ValueError, match="n=10"):
        RandomSampler(range(11)).load_state_dict(state)
    with pytest.raises(ValueError, match="replacement"):
        RandomSampler(range(10), replacement=True).load_state_dict(state)
    with pytest.raises(ValueError, match="newer"):
        RandomSampler(range(10)).load_state_dict({**state, "version": 2})
    with pytest.raises(ValueError, match="position"):
        RandomSampler(range(10)).load_state_dict({**state, "position": 11})
    with pytest.raises(TypeError, match="dict"):
        RandomSampler(range(10)).load_state_dict(None)


@pytest.mark.parametrize("replacement", [False, True])
def test_random_sampler_resumes_mid_iteration(replacement):
    s = RandomSampler(range(30), replacement=replacement, num_samples=70)
    it = iter(s)
    head = [next(it) for _ in range(33)]
    state = s.state_dict()
    rest = list(it)
    t = RandomSampler(range(30), replacement=replacement, num_samples=70)
    t.load_state_dict(state)
    assert head + list(t) == head + rest
    finished = s.state_dict()
    assert finished["position"] == 70
    u = RandomSampler(range(30), replacement=replacement, num_samples=70)
    u.load_state_dict(finished)
    assert list(u) == []  # the saved iteration was complete
    assert len(list(u)) == 70  # the next one is fresh


# --- torchdata StatefulDataLoader: stop after k batches, restore, same epoch ----------------


def _make_sampler(kind):
    if kind == "distributed":
        s = DistributedSampler(range(53), num_replicas=3, rank=1, seed=8)
        s.set_epoch(4)
        return s
    if kind == "distributed-drop":
        return DistributedSampler(range(53), num_replicas=3, rank=2, seed=8, drop_last=True)
    if kind == "shuffle":
        return ShuffleSampler(53, 8, rank=0, world_size=2, window=4, window_blocks=3)
    if kind == "random":
        return RandomSampler(range(53), generator=torch.Generator().manual_seed(3), num_samples=80)
    return RandomSampler(range(53), replacement=True, generator=torch.Generator().manual_seed(3))


@pytest.mark.parametrize(
    "kind", ["distributed", "distributed-drop", "shuffle", "random", "random-repl"]
)
@pytest.mark.parametrize("num_workers", [0, 2])
def test_stateful_dataloader_mid_epoch_resume(kind, num_workers):
    tdl = pytest.importorskip("torchdata.stateful_dataloader")
    data = list(range(53))
    kw = {"batch_size": 4, "num_workers": num_workers}
    full = [b.tolist() for b in tdl.StatefulDataLoader(data, sampler=_make_sampler(kind), **kw)]
    for k in (0, 3, len(full) - 1):
        loader = tdl.StatefulDataLoader(data, sampler=_make_sampler(kind), **kw)
        it = iter(loader)
        head = [next(it).tolist() for _ in range(k)]
        state = pickle.loads(pickle.dumps(loader.state_dict()))
        del it, loader
        fresh = tdl.StatefulDataLoader(data, sampler=_make_sampler(kind), **kw)
        fresh.load_state_dict(state)
        rest = [b.tolist() for b in fresh]
        assert head + rest == full, (k, kind)
