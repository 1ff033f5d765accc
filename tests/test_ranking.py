"""Ranking and unranking against itertools, more-itertools and sympy (test-only oracles)."""

import itertools
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from more_itertools import (
    combination_index,
    distinct_permutations,
    nth_combination,
    nth_permutation,
    permutation_index,
)
from sympy.combinatorics import Permutation as SympyPermutation

import permkit
from permkit import _native


def _rows(rows, width):
    """Rows as a (count, width) uint8 array, also when width or count is 0."""
    rows = list(rows)
    return np.array(rows, dtype=np.uint8).reshape(len(rows), width)


# ---------------------------------------------------------------- permutations


@pytest.mark.parametrize("n", range(8))
def test_lex_order_is_itertools_order(n):
    expected = _rows(itertools.permutations(range(n)), n)
    ranks = np.arange(math.factorial(n), dtype=np.uint64)
    got = permkit.unrank(ranks, n)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(permkit.rank(expected), ranks)


@pytest.mark.parametrize(
    "order,rank_name,unrank_name",
    [
        ("mr", "rank_nonlex", "unrank_nonlex"),
        ("sjt", "rank_trotterjohnson", "unrank_trotterjohnson"),
    ],
)
@pytest.mark.parametrize("n", range(1, 7))
def test_sympy_orders_exhaustively(order, rank_name, unrank_name, n):
    expected = np.array(
        [getattr(SympyPermutation, unrank_name)(n, r).array_form for r in range(math.factorial(n))]
    )
    got = permkit.unrank(np.arange(math.factorial(n)), n, order=order)
    np.testing.assert_array_equal(got, expected)
    for p in expected[:: max(1, len(expected) // 50)]:
        assert permkit.rank(p, order=order) == getattr(SympyPermutation(list(p)), rank_name)()


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 60), st.data())
def test_sympy_orders_random_big_ranks(n, data):
    r = data.draw(st.integers(0, math.factorial(n) - 1))
    p = SympyPermutation.unrank_nonlex(n, r).array_form
    assert permkit.unrank(r, n, order="mr").tolist() == p
    assert permkit.rank(p, order="mr") == r
    q = SympyPermutation.unrank_trotterjohnson(n, r).array_form
    assert permkit.unrank(r, n, order="sjt").tolist() == q
    assert permkit.rank(q, order="sjt") == SympyPermutation(q).rank_trotterjohnson() == r


def _mr_rank_iterative(p):
    """sympy's rank_nonlex recursion unrolled (sympy itself recurses on n and fails at n >= 1000)."""
    perm, n = [int(v) for v in p], len(p)
    inv = [0] * n
    for i, v in enumerate(perm):
        inv[v] = i
    digits = []
    for m in range(n, 1, -1):
        s, t = perm[m - 1], inv[m - 1]
        perm[m - 1], perm[t] = perm[t], s
        inv[m - 1], inv[s] = inv[s], t
        digits.append((s, m))
    r = 0
    for s, m in reversed(digits):
        r = r * m + s
    return r


def test_mr_does_not_recurse_on_n():
    n = 1500
    rng = np.random.default_rng(5)
    p = rng.permutation(n)
    r = permkit.rank(p, order="mr")
    assert r == _mr_rank_iterative(p)
    np.testing.assert_array_equal(permkit.unrank(r, n, order="mr"), p)


@pytest.mark.parametrize("n", [50, 100, 1000])
def test_big_lex_ranks_match_more_itertools(n):
    rng = np.random.default_rng(n)
    for _ in range(3):
        r = int.from_bytes(rng.bytes(8 * n), "little") % math.factorial(n)
        p = permkit.unrank(r, n)
        assert p.dtype == np.uint16 if n > 256 else np.uint8
        assert tuple(p.tolist()) == nth_permutation(range(n), n, r)
        assert permkit.rank(p) == r == permutation_index(p.tolist(), range(n))


def test_lex_round_trip_at_ten_thousand():
    n = 10_000
    p = np.random.default_rng(0).permutation(n)
    r = permkit.rank(p)
    assert r == permutation_index(p.tolist(), range(n))
    np.testing.assert_array_equal(permkit.unrank(r, n), p)
    assert permkit.rank(np.arange(n)) == 0
    assert permkit.rank(np.arange(n)[::-1]) == math.factorial(n) - 1


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 30), st.sampled_from(["lex", "mr", "sjt"]), st.data())
def test_round_trips(n, order, data):
    rs = data.draw(st.lists(st.integers(0, math.factorial(n) - 1), min_size=1, max_size=5))
    ps = permkit.unrank(rs, n, order=order)
    assert ps.shape == (len(rs), n)
    back = permkit.rank(ps, order=order)
    assert [int(x) for x in back] == rs
    assert back.dtype == (np.uint64 if n <= 20 else object)


def test_broadcasting_and_scalars():
    ranks = np.array([[0, 1, 2], [3, 4, 5]])
    ps = permkit.unrank(ranks, 3)
    assert ps.shape == (2, 3, 3)
    np.testing.assert_array_equal(permkit.rank(ps), ranks)
    assert isinstance(permkit.rank([1, 0, 2]), int)
    assert permkit.unrank(1, 3).shape == (3,)
    assert permkit.unrank(np.uint64(5), 3).tolist() == [2, 1, 0]
    assert permkit.unrank(0, 0).shape == (0,)
    assert permkit.rank(np.zeros((4, 0), dtype=np.int64)).tolist() == [0, 0, 0, 0]
    assert permkit.unrank([1], 3, dtype=np.int64).dtype == np.int64


def test_uint64_boundary_and_big_ranks():
    top = math.factorial(20) - 1
    assert permkit.rank(np.arange(20)[::-1]) == top
    assert permkit.unrank(np.array([top], dtype=np.uint64), 20)[0].tolist() == list(
        range(19, -1, -1)
    )
    big = math.factorial(21) - 1
    out = permkit.rank(np.arange(21)[::-1][None, :])
    assert out.dtype == object and out[0] == big
    ps = permkit.unrank(np.array([big, 0], dtype=object), 21)
    assert ps[0].tolist() == list(range(20, -1, -1)) and ps[1].tolist() == list(range(21))


@pytest.mark.parametrize(
    "n,r", [(3, 6), (0, 1), (20, math.factorial(20)), (25, math.factorial(25)), (21, 1 << 70)]
)
def test_out_of_range_ranks_raise(n, r):
    for order in ("lex", "mr", "sjt"):
        with pytest.raises(ValueError, match=r"r:.*out of range"):
            permkit.unrank(r, n, order=order)
        with pytest.raises(ValueError, match="out of range"):
            permkit.unrank([0, r], n, order=order)


def test_bad_rank_types_raise():
    for bad in (1.0, True, np.float64(2), [1.0, 2.0], np.array([0.0]), [1, "a"], np.array([True])):
        with pytest.raises(TypeError):
            permkit.unrank(bad, 3)
    with pytest.raises(ValueError, match="r: ranks must be >= 0"):
        permkit.unrank(-1, 3)
    with pytest.raises(ValueError, match="r: ranks must be >= 0"):
        permkit.unrank(np.array([1, -1]), 30)
    with pytest.raises(ValueError, match="order"):
        permkit.rank([0, 1], order="heap")


def test_invalid_permutations_raise():
    with pytest.raises(ValueError, match="row 1"):
        permkit.rank([[0, 1, 2], [0, 0, 1]])
    with pytest.raises(ValueError, match="out of range"):
        permkit.rank([0, 3, 1], order="sjt")
    with pytest.raises(ValueError):
        permkit.rank(np.array([[1, 1] + list(range(2, 30))]))
    with pytest.raises(TypeError):
        permkit.rank([0.0, 1.0])


# ---------------------------------------------------------------- combinations


def _revolving_door(n, t):
    """Knuth TAOCP 7.2.1.3 Algorithm R, transcribed step by step (oracle).

    Knuth assumes n > t > 1; stopping when j passes t in R4 as well as R5
    extends it to t = 1 (the order 0, 1, ..., n-1)."""
    c = [None] + list(range(t)) + [n]
    out = []
    while True:
        out.append(tuple(c[1 : t + 1]))
        if t == 0:
            return out
        if t % 2 == 1:
            if c[1] + 1 < c[2]:
                c[1] += 1
                continue
            j, step = 2, "R4"
        else:
            if c[1] > 0:
                c[1] -= 1
                continue
            j, step = 2, "R5"
        while True:
            if step == "R4":
                if j > t:
                    return out
                if c[j] >= j:
                    c[j], c[j - 1] = c[j - 1], j - 2
                    break
                j += 1
                step = "R5"
            if step == "R5":
                if j + 1 < len(c) and c[j] + 1 < c[j + 1]:
                    c[j - 1] = c[j]
                    c[j] += 1
                    break
                j += 1
                if j > t:
                    return out
                step = "R4"


@pytest.mark.parametrize("n", range(9))
def test_combination_orders_exhaustively(n):
    for k in range(n + 1):
        lex = list(itertools.combinations(range(n), k))
        orders = {
            "lex": lex,
            "colex": sorted(lex, key=lambda c: c[::-1]),
            "revolving_door": _revolving_door(n, k),
        }
        assert sorted(orders["revolving_door"]) == lex
        for order, expected in orders.items():
            exp = _rows(expected, k)
            got = permkit.unrank_combination(np.arange(len(expected)), n, k, order=order)
            np.testing.assert_array_equal(got, exp)
            np.testing.assert_array_equal(
                permkit.rank_combination(exp, n, order=order), np.arange(len(expected))
            )


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 120), st.data())
def test_combinations_vs_more_itertools(n, data):
    k = data.draw(st.integers(0, n))
    r = data.draw(st.integers(0, math.comb(n, k) - 1))
    c = permkit.unrank_combination(r, n, k)
    assert tuple(c.tolist()) == nth_combination(range(n), k, r)
    assert permkit.rank_combination(c, n) == combination_index(c.tolist(), range(n)) == r
    for order in ("colex", "revolving_door"):
        assert (
            permkit.rank_combination(
                permkit.unrank_combination(r, n, k, order=order), n, order=order
            )
            == r
        )


def test_combination_errors():
    with pytest.raises(ValueError, match="strictly increasing"):
        permkit.rank_combination([2, 1], 4)
    with pytest.raises(ValueError, match="out of range"):
        permkit.rank_combination([1, 4], 4)
    with pytest.raises(ValueError, match="out of range"):
        permkit.unrank_combination(6, 4, 2)
    with pytest.raises(ValueError, match="out of range"):
        permkit.unrank_combination(0, 3, 5)
    with pytest.raises(ValueError, match="order"):
        permkit.unrank_combination(0, 4, 2, order="gray")


# ---------------------------------------------------------------- arrangements and multisets


@pytest.mark.parametrize("n,k", [(0, 0), (3, 0), (4, 2), (5, 3), (6, 6)])
def test_arrangements_match_itertools(n, k):
    expected = _rows(itertools.permutations(range(n), k), k)
    got = permkit.unrank_arrangement(np.arange(len(expected)), n, k)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(permkit.rank_arrangement(expected, n), np.arange(len(expected)))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 60), st.data())
def test_big_arrangements_vs_more_itertools(n, data):
    k = data.draw(st.integers(0, n))
    r = data.draw(st.integers(0, math.perm(n, k) - 1))
    a = permkit.unrank_arrangement(r, n, k)
    assert tuple(a.tolist()) == nth_permutation(range(n), k, r)
    assert permkit.rank_arrangement(a, n) == r


@pytest.mark.parametrize("counts", [[1], [2, 2], [3, 1, 2], [0, 2, 0, 3], [5, 5, 5]])
def test_multiset_order_is_distinct_permutations(counts):
    seq = [v for v, c in enumerate(counts) for _ in range(c)]
    expected = _rows(distinct_permutations(seq), len(seq))
    got = permkit.unrank_multiset_permutation(np.arange(len(expected)), counts)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(
        permkit.rank_multiset_permutation(expected, counts), np.arange(len(expected))
    )


def _multiset_rank_oracle(seq):
    left = {v: seq.count(v) for v in set(seq)}
    r = 0
    for i, a in enumerate(seq):
        for v in sorted(left):
            if v >= a:
                break
            if left[v]:
                left[v] -= 1
                w = math.factorial(len(seq) - i - 1)
                for c in left.values():
                    w //= math.factorial(c)
                r += w
                left[v] += 1
        left[a] -= 1
    return r


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=70))
def test_multiset_big_ranks(seq):
    counts = np.bincount(seq).tolist()
    r = permkit.rank_multiset_permutation(seq)
    assert r == _multiset_rank_oracle(seq)
    assert permkit.unrank_multiset_permutation(r, counts).tolist() == seq


def test_multiset_errors():
    with pytest.raises(ValueError, match="appears"):
        permkit.rank_multiset_permutation([[0, 1, 1], [0, 0, 1]])
    with pytest.raises(ValueError, match="out of range"):
        permkit.unrank_multiset_permutation(3, [1, 2])
    with pytest.raises(ValueError, match="counts"):
        permkit.unrank_multiset_permutation(0, [1, -1])


# ---------------------------------------------------------------- threads


def test_results_do_not_depend_on_thread_count():
    code = (
        "import numpy as np, permkit, hashlib;"
        "r = np.random.default_rng(3).integers(0, 2**62, 300000, dtype=np.uint64) % np.uint64(479001600);"
        "a = permkit.unrank(r, 12, order='sjt').tobytes() + permkit.permutations(9, order='heap').to_numpy().tobytes();"
        "print(hashlib.sha256(a + permkit.rank(permkit.unrank(r, 12)).tobytes()).hexdigest())"
    )
    outs = []
    for threads in ("1", "2"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        outs.append(
            subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
    assert outs[0] == outs[1]


# ---------------------------------------------------------------- the lex fast kernels


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 20),
    data=st.data(),
    dtype=st.sampled_from([None, np.uint16, np.int32, np.int64, np.uint64]),
)
def test_fast_lex_kernels_match_more_itertools(n, data, dtype):
    # n <= 16 runs the byte-shuffle kernel (where the CPU has SSSE3), 17..20 the
    # scalar one; both must give itertools' order for every output dtype.
    total = math.factorial(n)
    ranks = data.draw(st.lists(st.integers(0, total - 1), min_size=1, max_size=40))
    ranks += [0, total - 1]
    rows = permkit.unrank(np.array(ranks, dtype=np.uint64), n, dtype=dtype)
    expected = [nth_permutation(range(n), n, r) for r in ranks]
    assert rows.tolist() == [list(p) for p in expected]
    assert permkit.rank(rows).tolist() == ranks


def test_unknown_family_or_order_is_refused_by_the_core():
    with pytest.raises(ValueError, match="order"):
        _native.Spec("permutations", "colex", 3, 0, [])
    with pytest.raises(ValueError, match="order"):
        _native.Spec("necklaces", "lex", 3, 0, [])
    mr = _native.Spec("permutations", "mr", 3, 0, [])
    assert mr.width == 3 and mr.count() == 6
    with pytest.raises(ValueError, match="never enumerated"):
        mr.fill(0, 1, np.empty((1, 3), dtype=np.uint8))
    heap = _native.Spec("permutations", "heap", 3, 0, [])
    with pytest.raises(ValueError, match="has no rank"):
        heap.rank_total_u64()
