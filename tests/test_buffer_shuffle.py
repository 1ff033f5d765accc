"""permkit.data.buffer_shuffle: the spec (pure-Python transcription), golden vectors, resume."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _index_shuffle_oracle import derive_key, master_key, squares64
from permkit import _native
from permkit.data import BufferShuffle, buffer_shuffle


class Draws:
    """The draw sequence D(0, 1) of docs/shuffle.md, one Lemire draw at a time."""

    def __init__(self, key):
        self.key, self.t = key, 0

    def word(self):
        x = squares64(self.key, self.t // 2)
        w = x >> 32 if self.t % 2 == 0 else x & 0xFFFFFFFF
        self.t += 1
        return w

    def below(self, bound):
        bits = 32 if bound <= 2**32 else 64
        while True:
            x = self.word() if bits == 32 else (self.word() << 32) | self.word()
            m = x * bound
            if m % 2**bits >= (2**bits - bound) % bound:
                return m >> bits


def oracle(items, size, seed, epoch=0):
    """docs/data_loading.md, buffer_shuffle spec, written out one element at a time."""
    kq = derive_key(master_key(seed), 0x51, epoch)
    buf, out, s, draws = [], [], 0, None
    for x in items:
        if len(buf) < size:
            buf.append(x)
            continue
        if s % 4096 == 0:
            draws = Draws(derive_key(kq, 0x43, s // 4096))
        j = draws.below(size)
        s += 1
        out.append(buf[j])
        buf[j] = x
    m = len(buf)
    for i in range(m):
        if i % 4096 == 0:
            drain = Draws(derive_key(kq, 0x44, i // 4096))
        j = drain.below(m - i)
        out.append(buf[j])
        buf[j] = buf[-1]
        buf.pop()
    return out


@pytest.mark.parametrize(
    "n,size,seed,epoch",
    [(0, 3, 1, 0), (1, 1, 1, 0), (5, 8, 2, 0), (100, 7, 3, 1), (9000, 13, 4, 0)],
)
def test_follows_the_spec(n, size, seed, epoch):
    assert list(buffer_shuffle(range(n), size, seed, epoch=epoch)) == oracle(
        range(n), size, seed, epoch
    )


def test_draws_below_matches_the_draw_sequence():
    bounds = np.array([1, 2, 3, 1000, 2**32, 2**32 + 1, 2**64 - 1, 5] * 50, dtype=np.uint64)
    d = Draws(0xC8E4FD154CE32F6D)
    assert _native.draws_below(0xC8E4FD154CE32F6D, bounds).tolist() == [
        d.below(int(b)) for b in bounds
    ]
    with pytest.raises(ValueError, match="bound"):
        _native.draws_below(1, np.array([3, 0], dtype=np.uint64))


# Pinned in docs/data_loading.md (buffer_shuffle spec): the first 12 outputs of range(n).
GOLDEN = {
    (20, 5, 0): [1, 3, 6, 0, 8, 9, 10, 2, 12, 5, 4, 11],
    (20, 5, 2026): [0, 4, 3, 6, 8, 1, 5, 10, 12, 13, 7, 14],
    (1000, 64, 7): [19, 40, 51, 29, 38, 10, 69, 68, 62, 36, 39, 50],
}


@pytest.mark.parametrize("n,size,seed", sorted(GOLDEN))
def test_golden_vectors(n, size, seed):
    assert list(buffer_shuffle(range(n), size, seed))[:12] == GOLDEN[(n, size, seed)]


def test_is_a_permutation_and_moves_at_most_buffer_size_earlier():
    out = list(buffer_shuffle(range(5000), 100, 9))
    assert sorted(out) == list(range(5000))
    assert max(x - pos for pos, x in enumerate(out)) == 99  # at most buffer_size - 1 earlier
    assert out != list(range(5000))
    assert list(buffer_shuffle(range(5000), 100, 9, epoch=1)) != out
    assert list(buffer_shuffle(range(5000), 100, 10)) != out
    assert list(buffer_shuffle(range(5000), 1, 9)) == list(range(5000))  # a 1-slot buffer


def test_positions_are_uniform_for_a_stream_shorter_than_the_buffer():
    counts = np.zeros((4, 4), int)
    for seed in range(2000):
        for pos, x in enumerate(buffer_shuffle(range(4), 10, seed)):
            counts[x, pos] += 1
    assert counts.min() > 400 and counts.max() < 600


@settings(max_examples=120, deadline=None)
@given(
    n=st.integers(0, 300),
    size=st.integers(1, 40),
    seed=st.integers(0, 2**70),
    cut=st.integers(0, 400),
    keep=st.booleans(),
)
def test_resume_anywhere_equals_an_uninterrupted_run(n, size, seed, cut, keep):
    full = list(buffer_shuffle(range(n), size, seed))
    s = buffer_shuffle(iter(range(n)), size, seed)
    head = list(itertools.islice(s, cut))
    state = pickle.loads(pickle.dumps(s.state_dict(include_buffer=keep)))
    assert state["emitted"] == len(head) and ("buffer" in state) == keep
    t = buffer_shuffle(range(state["consumed"], n) if keep else range(n), size, seed)
    t.load_state_dict(state)
    assert head + list(t) == full


def test_state_holds_the_buffer_only_when_asked():
    s = buffer_shuffle(range(100), 10, 1)
    next(s)
    assert set(s.state_dict()) == {
        "version",
        "seed",
        "key",
        "buffer_size",
        "epoch",
        "consumed",
        "emitted",
        "drain_size",
    }
    assert len(s.state_dict(include_buffer=True)["buffer"]) == 10


def test_bad_input_and_mismatched_states():
    with pytest.raises(ValueError, match="buffer_size"):
        buffer_shuffle(range(3), 0, 1)
    with pytest.raises(TypeError, match="buffer_size"):
        buffer_shuffle(range(3), 2.5, 1)
    with pytest.raises(ValueError, match="seed"):
        buffer_shuffle(range(3), 2, -1)
    with pytest.raises(ValueError, match="epoch"):
        buffer_shuffle(range(3), 2, 1, epoch=-1)
    s = buffer_shuffle(range(50), 10, 1)
    next(s)
    state = s.state_dict()
    with pytest.raises(ValueError, match="before iterating"):
        s.load_state_dict(state)
    with pytest.raises(ValueError, match=r"seed 1, but this \w+ has seed 2"):
        buffer_shuffle(range(50), 10, 2).load_state_dict(state)
    with pytest.raises(ValueError, match="buffer_size=10"):
        buffer_shuffle(range(50), 11, 1).load_state_dict(state)
    with pytest.raises(ValueError, match="epoch"):
        buffer_shuffle(range(50), 10, 1, epoch=1).load_state_dict(state)
    with pytest.raises(ValueError, match="newer"):
        buffer_shuffle(range(50), 10, 1).load_state_dict({**state, "version": 9})
    with pytest.raises(ValueError, match="'key'"):
        buffer_shuffle(range(50), 10, 1).load_state_dict({**state, "key": state["key"] ^ 2})
    with pytest.raises(ValueError, match="cannot occur"):
        buffer_shuffle(range(50), 10, 1).load_state_dict({**state, "emitted": 5})
    with pytest.raises(ValueError, match="buffer"):
        buffer_shuffle(range(50), 10, 1).load_state_dict({**state, "buffer": [1, 2]})
    with pytest.raises(TypeError, match="dict"):
        buffer_shuffle(range(50), 10, 1).load_state_dict("x")
    t = buffer_shuffle(range(5), 10, 1)  # not the stream that was saved: replay notices
    t.load_state_dict(state)
    with pytest.raises(ValueError, match="same stream"):
        next(t)
    assert isinstance(s, BufferShuffle) and "buffer_size=10" in repr(s)


@pytest.mark.parametrize("cut", [600, 701, 4796, 4797, 5000, 9000])
@pytest.mark.parametrize("keep", [False, True])
def test_resume_inside_a_long_drain(cut, keep):
    # 8300 slots, 9000 elements: 700 steady outputs, then a drain of three draw chunks.
    full = list(buffer_shuffle(range(9000), 8300, 5))
    s = buffer_shuffle(range(9000), 8300, 5)
    head = list(itertools.islice(s, cut))
    state = s.state_dict(include_buffer=keep)
    t = buffer_shuffle(range(state["consumed"], 9000) if keep else range(9000), 8300, 5)
    t.load_state_dict(state)
    assert head + list(t) == full
