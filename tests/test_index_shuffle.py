"""permkit.IndexShuffle: bijection, inverse, spec conformance, uniformity, API and errors."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import permkit
from _index_shuffle_oracle import OracleShuffle, key_from_word, master_key, squares64
from permkit import IndexShuffle
from permkit.index_shuffle import realise_seed

MAX_N = 2**64 - 1


# --- the oracle itself ------------------------------------------------------------


def test_oracle_matches_the_pinned_primitives():
    # squares64: kat/squares.txt of the shared reference (Widynski's C algorithm).
    assert squares64(0xC8E4FD154CE32F6D, 0) == 0x800C823ECC9B9607
    assert squares64(0xC8E4FD154CE32F6D, 0xFFFFFFFFFFFFFFFF) == 0xA3C3EF54C9D27CFF
    # key_from_word v1: golden values pinned in rust/permkit/src/rng/keys.rs.
    assert key_from_word(0) == 0xE71C24BFE7BFC863
    assert key_from_word(0xDEADBEEF) == 0x5D16374C3EF4BC51


# --- spec conformance and golden vectors -------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 64, 65, 1000, 2**32 + 7, 2**63, MAX_N])
def test_matches_the_pure_python_spec(n):
    for seed in (0, 12345, 2**100 + 3):
        s = IndexShuffle(n, seed)
        assert s.key == master_key(seed)
        oracle = OracleShuffle(n, s.key, s.rounds)
        for i in sorted({0, 1 % n, n // 2, n - 1, (n * 7) // 9}):
            assert s[i] == oracle[i]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, MAX_N), st.integers(0, 2**70), st.integers(1, 24), st.data())
def test_property_spec_and_round_trip(n, seed, rounds, data):
    s = IndexShuffle(n, seed, rounds=rounds)
    i = data.draw(st.integers(0, n - 1))
    v = s[i]
    assert 0 <= v < n
    assert v == OracleShuffle(n, s.key, rounds)[i]
    assert s.inverse(v) == i


def test_golden_vectors():
    # Pinned outputs of spec v1 (docs/index_shuffle.md); a change is a new version.
    assert IndexShuffle(10, 0).to_numpy().tolist() == GOLDEN_10_SEED_0
    assert IndexShuffle(10**12, 2024)[0:5].tolist() == GOLDEN_1E12_SEED_2024
    assert IndexShuffle(MAX_N, 1)[:3].tolist() == GOLDEN_MAX_SEED_1


GOLDEN_10_SEED_0 = [4, 3, 1, 8, 0, 7, 6, 2, 9, 5]
GOLDEN_1E12_SEED_2024 = [96810509068, 210055287426, 329015560502, 95366967171, 468357393939]
GOLDEN_MAX_SEED_1 = [4074230317906809908, 14120415161706746683, 11405215702488687623]


# --- bijection ----------------------------------------------------------------------


def test_bijection_for_every_n_up_to_4096():
    for n in range(1, 4097):
        s = IndexShuffle(n, n * 7919)
        perm = s.to_numpy()
        assert perm.dtype == permkit._arrays.smallest_uint_dtype(n)
        counts = np.bincount(perm, minlength=n)
        assert counts.shape == (n,) and (counts == 1).all(), n
        assert (s.inverse(perm) == np.arange(n)).all(), n


def _boundary_sizes():
    sizes = set()
    for k in range(64):
        for n in (2**k - 1, 2**k, 2**k + 1):
            if 1 <= n <= MAX_N:
                sizes.add(n)
    sizes.add(MAX_N)
    return sorted(sizes)


@pytest.mark.parametrize("n", _boundary_sizes())
def test_round_trips_at_power_of_two_boundaries(n):
    s = IndexShuffle(n, 99)
    rng = np.random.default_rng(n % 2**32)
    idx = np.unique(
        np.concatenate(
            [
                np.array([0, n - 1, n // 2, max(n - 2, 0)], dtype=np.uint64),
                rng.integers(0, n, size=256, dtype=np.uint64, endpoint=False)
                if n > 1
                else np.zeros(1, np.uint64),
            ]
        )
    )
    vals = s[idx]
    assert vals.dtype == np.uint64
    assert (vals < np.uint64(n)).all() if n < 2**64 else True
    assert (s.inverse(vals) == idx).all()
    if n <= 2**16:
        assert len(np.unique(s[0:n])) == n
    assert s.inverse(s[n - 1]) == n - 1


def test_every_seed_bit_matters():
    n = 2**40
    base = IndexShuffle(n, 0)[0:16]
    seen = {base.tobytes()}
    for bit in range(0, 256, 3):
        out = IndexShuffle(n, 1 << bit)[0:16]
        assert out.tobytes() not in seen, bit
        seen.add(out.tobytes())
    high = 1 << 255
    assert (IndexShuffle(n, high)[0:16] != IndexShuffle(n, high | (1 << 254))[0:16]).any()
    # Different n with the same seed are unrelated permutations, not restrictions.
    a, b = IndexShuffle(1000, 5), IndexShuffle(1001, 5)
    assert (a[0:1000] != b[0:1000]).sum() > 900


# --- uniformity (a cheaper version of the docs/index_shuffle.md measurement) -------


def _lehmer_ranks(perms):
    ranks = np.zeros(len(perms), dtype=np.int64)
    n = perms.shape[1]
    for i in range(n):
        ranks = ranks * (n - i) + (perms[:, i + 1 :] < perms[:, i : i + 1]).sum(axis=1)
    return ranks


@pytest.mark.parametrize("n", [4, 5, 6])
def test_all_orderings_are_uniform(n):
    seeds = 20_000
    perms = np.stack([IndexShuffle(n, seed).to_numpy().astype(np.int64) for seed in range(seeds)])
    counts = np.bincount(_lehmer_ranks(perms), minlength=math.factorial(n))
    assert stats.chisquare(counts).pvalue > 1e-4


def test_too_few_rounds_are_detected():
    # The test above can fail: 2 rounds are visibly non-uniform.
    perms = np.stack(
        [IndexShuffle(5, seed, rounds=2).to_numpy().astype(np.int64) for seed in range(5000)]
    )
    counts = np.bincount(_lehmer_ranks(perms), minlength=120)
    assert stats.chisquare(counts).pvalue < 1e-6


def test_position_vs_index_is_uniform():
    n, seeds = 100, 4000
    table = np.zeros((n, n), dtype=np.int64)
    for seed in range(seeds):
        table[np.arange(n), IndexShuffle(n, seed).to_numpy()] += 1
    expected = seeds / n
    chi2 = ((table - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, (n - 1) ** 2) > 1e-4


# --- API ------------------------------------------------------------------------------


def test_indexing_slicing_iteration_agree():
    s = IndexShuffle(1000, 17)
    full = [s[i] for i in range(1000)]
    assert list(s) == full
    assert s[:].tolist() == full
    assert s[10:500:7].tolist() == full[10:500:7]
    assert s[::-3].tolist() == full[::-3]
    assert s[990:2000].tolist() == full[990:]
    assert s[5:5].dtype == np.uint64 and len(s[5:5]) == 0
    assert s[-1] == full[-1] and s[-1000] == full[0]
    idx = np.array([[3, -1], [0, 999]], dtype=np.int32)
    got = s[idx]
    assert got.dtype == np.uint64 and got.shape == (2, 2)
    assert got.tolist() == [[full[3], full[-1]], [full[0], full[999]]]
    assert s[[1, 2]].tolist() == full[1:3]
    assert s[np.int64(4)] == full[4]
    assert s.index(full[7]) == 7 and s.inverse(np.array(full[:5], dtype=np.uint16)).tolist() == [
        0,
        1,
        2,
        3,
        4,
    ]
    assert 999 in s and 1000 not in s and -1 not in s and 1.0 not in s
    assert len(s) == 1000 and s.n == 1000


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 70), st.data())
def test_slices_follow_sequence_rules(n, data):
    s = IndexShuffle(n, 11)
    full = [s[i] for i in range(n)]
    sl = data.draw(st.slices(max(n, 1) + 5))
    assert s[sl].tolist() == full[sl]


def test_huge_n_len_and_indexing():
    s = IndexShuffle(MAX_N, 3)
    with pytest.raises(OverflowError, match=r"\.n"):
        len(s)
    assert s.n == MAX_N
    v = s[MAX_N - 1]
    assert s.inverse(v) == MAX_N - 1
    assert s[-1] == v
    assert s[np.array([MAX_N - 1], dtype=np.uint64)][0] == v
    with pytest.raises(MemoryError, match="slice"):
        s.to_numpy()
    with pytest.raises(MemoryError, match="GiB"):
        s[::-1]
    tail = s[-3:]
    assert tail.tolist() == [s[MAX_N - 3], s[MAX_N - 2], s[MAX_N - 1]]
    assert s[MAX_N - 1 : MAX_N - 7 : -2].tolist() == [s[MAX_N - 1], s[MAX_N - 3], s[MAX_N - 5]]
    it = iter(s)
    assert next(it) == s[0]


def test_empty_shuffle():
    s = IndexShuffle(0, 1)
    assert len(s) == 0 and list(s) == [] and s.to_numpy().shape == (0,)
    assert s[0:10].shape == (0,)
    with pytest.raises(IndexError, match="empty"):
        s[0]
    with pytest.raises(ValueError, match="empty"):
        s.inverse(0)
    with pytest.raises(IndexError):
        s[np.array([0])]


def test_seed_forms_and_pickling():
    a = IndexShuffle(10**9, None)
    assert isinstance(a.seed, int)
    assert IndexShuffle(10**9, a.seed) == a
    assert eval(repr(a), {"IndexShuffle": IndexShuffle}) == a
    b = pickle.loads(pickle.dumps(a))
    assert b == a and hash(b) == hash(a) and b.seed == a.seed
    assert (b[0:100] == a[0:100]).all()
    ss = np.random.SeedSequence(5, spawn_key=(1,))
    c = IndexShuffle(50, ss)
    assert c == IndexShuffle(50, np.random.SeedSequence(5, spawn_key=(1,)))
    assert c != IndexShuffle(50, 5)
    assert pickle.loads(pickle.dumps(c)) == c
    assert IndexShuffle(50, 5, rounds=12) != IndexShuffle(50, 5)
    assert IndexShuffle(50, 5, rounds=16) == IndexShuffle(50, 5)  # the default for n=50
    assert IndexShuffle(50, 5) != IndexShuffle(51, 5)
    assert realise_seed(5)[1] == IndexShuffle(1, 5).key


def test_results_do_not_depend_on_thread_count():
    code = (
        "import hashlib, permkit; s = permkit.IndexShuffle(3_000_017, 8); "
        "print(hashlib.sha256(s[0:3_000_017].tobytes() + s.inverse(s[::3]).tobytes()).hexdigest())"
    )
    outs = set()
    for threads in ("1", "2"):
        env = {**__import__("os").environ, "RAYON_NUM_THREADS": threads}
        outs.add(
            subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
    assert len(outs) == 1


# --- bad input --------------------------------------------------------------------------


def test_bad_input():
    with pytest.raises(ValueError, match="n: must be non-negative"):
        IndexShuffle(-1)
    with pytest.raises(OverflowError, match="2\\*\\*64"):
        IndexShuffle(2**64)
    with pytest.raises(TypeError, match="n:"):
        IndexShuffle(10.0)
    with pytest.raises(ValueError, match="seed"):
        IndexShuffle(10, -5)
    with pytest.raises(TypeError, match="seed"):
        IndexShuffle(10, "abc")
    with pytest.raises(ValueError, match="rounds"):
        IndexShuffle(10, 1, rounds=0)
    with pytest.raises(ValueError, match="rounds"):
        IndexShuffle(10, 1, rounds=65)
    s = IndexShuffle(10, 1)
    with pytest.raises(IndexError, match=r"-10\.\.9"):
        s[10]
    with pytest.raises(IndexError, match=r"-10\.\.9"):
        s[-11]
    with pytest.raises(IndexError, match=r"0\.\.=9"):
        s[np.array([1, 10])]
    with pytest.raises(TypeError, match="index"):
        s[1.5]
    with pytest.raises(TypeError, match="index"):
        s[np.array([1.0])]
    with pytest.raises(TypeError, match="index"):
        s[True]
    with pytest.raises(ValueError, match="value"):
        s.inverse(10)
    with pytest.raises(ValueError, match="value"):
        s.inverse(np.array([-1]))
    with pytest.raises(ValueError, match="value"):
        s.index(np.array([3, 11]))


def test_from_key_is_the_shuffle_of_a_key():
    s = IndexShuffle(1000, 5)
    t = IndexShuffle.from_key(1000, s.key)
    assert t == s and t.seed is None and t.rounds == s.rounds
    assert IndexShuffle.from_key(1000, s.key, rounds=3).rounds == 3
    assert IndexShuffle.from_key(1000, s.key, rounds=3) != s
    with pytest.raises(ValueError, match=r"key: must lie in 0..2\*\*64-1"):
        IndexShuffle.from_key(10, 2**64)
    with pytest.raises(TypeError, match="key"):
        IndexShuffle.from_key(10, 1.5)
    with pytest.raises(ValueError, match="rounds"):
        IndexShuffle.from_key(10, 1, rounds=0)


def test_versioned_constants_come_from_the_core_with_their_spec_values():
    # docs/index_shuffle.md and docs/data_loading.md: changing any of these changes outputs.
    from permkit import _native, data, index_shuffle, shard_shuffle

    spec = {
        "DOMAIN_EPOCH": 0x45,
        "DOMAIN_BLOCKS": 0x42,
        "DOMAIN_WINDOW": 0x57,
        "DOMAIN_REPLACEMENT": 0x41,
        "DOMAIN_BUFFER": 0x51,
        "DOMAIN_BUFFER_CHUNK": 0x43,
        "DOMAIN_BUFFER_DRAIN": 0x44,
        "DRAW_CHUNK": 4096,
        "INDEX_SHUFFLE_DEFAULT_ROUNDS": 10,
        "INDEX_SHUFFLE_MAX_ROUNDS": 64,
        "MAX_DERIVE_VALUE": 2**56 - 1,
        "WINDOW_ORDER_MAX_N": 2**63 - 1,
        "SHARD_DEFAULT_BLOCK_SIZE": 2**18,
    }
    assert {name: getattr(_native, name) for name in spec} == spec
    assert (index_shuffle.DEFAULT_ROUNDS, index_shuffle.MAX_ROUNDS) == (10, 64)
    assert (index_shuffle.DOMAIN_EPOCH, index_shuffle.DOMAIN_WINDOW) == (0x45, 0x57)
    assert (data.DOMAIN_REPLACEMENT, data.DOMAIN_BUFFER, data._DRAW_CHUNK) == (0x41, 0x51, 4096)
    assert shard_shuffle.DEFAULT_BLOCK_SIZE == 2**18
    assert not hasattr(_native, "index_shuffle_key")  # one key binding: squares_key_from_word
