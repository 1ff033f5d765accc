"""Enumeration objects against itertools, more-itertools and sympy (test-only oracles)."""

import itertools
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from more_itertools import distinct_permutations
from sympy.combinatorics import Permutation as SympyPermutation

import permkit
from test_ranking import _revolving_door, _rows


def _heap_oracle(n):
    """Iterative Heap's algorithm (Sedgewick 1977 form) in pure Python."""
    a, c, out, i = list(range(n)), [0] * n, [list(range(n))], 1
    while i < n:
        if c[i] < i:
            j = 0 if i % 2 == 0 else c[i]
            a[j], a[i] = a[i], a[j]
            out.append(list(a))
            c[i] += 1
            i = 1
        else:
            c[i] = 0
            i += 1
    return out


def _oracle(name, n, k=None):
    if name == "permutations/lex":
        return list(itertools.permutations(range(n)))
    if name == "permutations/heap":
        return _heap_oracle(n)
    if name == "permutations/sjt":
        return [
            SympyPermutation.unrank_trotterjohnson(n, r).array_form
            for r in range(math.factorial(n))
        ]
    if name == "combinations/lex":
        return list(itertools.combinations(range(n), k))
    if name == "combinations/colex":
        return sorted(itertools.combinations(range(n), k), key=lambda c: c[::-1])
    if name == "combinations/revolving_door":
        return _revolving_door(n, k)
    if name == "arrangements/lex":
        return list(itertools.permutations(range(n), k))
    if name == "derangements/lex":
        return [p for p in itertools.permutations(range(n)) if all(p[i] != i for i in range(n))]
    raise AssertionError(name)


def _make(name, n, k=None, **kw):
    family, order = name.split("/")
    if family == "permutations":
        return permkit.permutations(n, order=order, **kw)
    if family == "combinations":
        return permkit.combinations(n, k, order=order, **kw)
    if family == "arrangements":
        return permkit.arrangements(n, k, **kw)
    return permkit.derangements(n, **kw)


CASES = (
    [("permutations/lex", n, None) for n in range(7)]
    + [("permutations/heap", n, None) for n in range(7)]
    + [("permutations/sjt", n, None) for n in range(1, 7)]
    + [("derangements/lex", n, None) for n in range(8)]
    + [
        (f"combinations/{o}", n, k)
        for o in ("lex", "colex", "revolving_door")
        for n in range(7)
        for k in range(n + 1)
    ]
    + [("arrangements/lex", n, k) for n in range(6) for k in range(n + 1)]
)


@pytest.mark.parametrize("name,n,k", CASES)
def test_orders_match_oracles(name, n, k):
    expected = _oracle(name, n, k)
    e = _make(name, n, k)
    width = n if k is None else k
    assert len(e) == e.count == len(expected)
    full = e.to_numpy()
    assert full.dtype == np.uint8
    np.testing.assert_array_equal(full, _rows(expected, width))


def test_big_blocks_split_across_threads_agree_with_small_chunks():
    for order in ("lex", "heap", "sjt"):
        e = permkit.permutations(9, order=order, chunk=7919)
        blocks = list(e)
        assert all(1 <= len(b) <= 7919 for b in blocks)
        full = e.to_numpy()
        np.testing.assert_array_equal(np.concatenate(blocks), full)
        assert len(np.unique(full, axis=0)) == math.factorial(9)
    np.testing.assert_array_equal(permkit.permutations(8, order="heap").to_numpy(), _heap_oracle(8))
    d = permkit.derangements(9).to_numpy()
    assert len(d) == permkit.count.derangements(9)
    assert not (d == np.arange(9)).any(axis=1).any()
    assert (np.diff(permkit.rank(d).astype(np.int64)) > 0).all()


def test_multiset_permutations_match_distinct_permutations():
    seq = [0] * 3 + [1] * 2 + [2] * 3
    expected = np.array(list(distinct_permutations(seq)), dtype=np.uint8)
    np.testing.assert_array_equal(permkit.multiset_permutations(seq).to_numpy(), expected)
    np.testing.assert_array_equal(
        permkit.multiset_permutations(counts=[3, 2, 3]).to_numpy(), expected
    )
    words = permkit.multiset_permutations("abca").to_numpy()
    assert ["".join(w) for w in words] == ["".join(p) for p in distinct_permutations("aabc")]
    assert len(permkit.multiset_permutations(counts=[5, 5, 5])) == 756756


def test_sequences_and_dtypes():
    got = permkit.permutations("abc").to_numpy()
    assert got.tolist() == [list(p) for p in itertools.permutations("abc")]
    vals = permkit.permutations([10.5, 20.5, 30.5], order="sjt").to_numpy()
    assert vals.dtype == np.float64 and vals[1].tolist() == [10.5, 30.5, 20.5]
    assert permkit.permutations(3, dtype=np.int64).to_numpy().dtype == np.int64
    assert permkit.combinations(300, 1).to_numpy().dtype == np.uint16
    with pytest.raises(ValueError, match="dtype"):
        permkit.permutations(300, dtype=np.uint8)
    with pytest.raises(TypeError, match="dtype"):
        permkit.permutations(3, dtype=np.float32)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(
        [
            "permutations/lex",
            "permutations/heap",
            "permutations/sjt",
            "combinations/revolving_door",
            "combinations/colex",
            "derangements/lex",
        ]
    ),
    st.data(),
)
def test_slices_are_rank_ranges(name, data):
    n, k = (7, None) if name.startswith(("permutations", "derangements")) else (9, 4)
    e = _make(name, n, k, chunk=data.draw(st.integers(1, 500)))
    full = e.to_numpy()
    a = data.draw(st.integers(-len(e) - 2, len(e) + 2))
    b = data.draw(st.integers(-len(e) - 2, len(e) + 2))
    sub = e[a:b]
    np.testing.assert_array_equal(sub.to_numpy(), full[a:b])
    blocks = list(sub)
    if blocks:
        np.testing.assert_array_equal(np.concatenate(blocks), full[a:b])
    again = pickle.loads(pickle.dumps(sub))
    assert again == sub
    np.testing.assert_array_equal(again.to_numpy(), sub.to_numpy())
    i = data.draw(st.integers(-len(e), len(e) - 1))
    np.testing.assert_array_equal(e[i], full[i])
    inner = e[3:][2:5]
    np.testing.assert_array_equal(inner.to_numpy(), full[5:8])


@pytest.mark.parametrize(
    "name,n,k",
    [
        ("permutations/heap", 7, None),
        ("permutations/sjt", 7, None),
        ("combinations/revolving_door", 10, 4),
        ("combinations/revolving_door", 9, 5),
    ],
)
def test_change_streams_replay_the_rows(name, n, k):
    e = _make(name, n, k, chunk=333)
    full = e.to_numpy()
    ch = e.changes()
    assert ch.shape == (len(e) - 1, 2)
    np.testing.assert_array_equal(np.concatenate(list(e.iter_changes())), ch)
    cur = full[0].copy()
    for s, (x, y) in enumerate(ch):
        if name.startswith("permutations"):
            if name.endswith("sjt"):
                assert y == x + 1
            cur[[x, y]] = cur[[y, x]]
        else:
            assert x in cur and y not in cur
            cur = np.sort(np.where(cur == x, y, cur))
        np.testing.assert_array_equal(cur, full[s + 1])
    np.testing.assert_array_equal(e[100:200].changes(), ch[100:199])


def test_huge_enumerations():
    e = permkit.permutations(25)
    assert e.count == math.factorial(25)
    with pytest.raises(OverflowError):
        len(e)
    with pytest.raises(MemoryError, match="GiB"):
        e.to_numpy()
    with pytest.raises(MemoryError, match="GiB"):
        permkit.permutations(14).to_numpy()
    with pytest.raises(MemoryError):
        permkit.permutations(25, order="heap").changes()
    tail = e[-3:].to_numpy()
    np.testing.assert_array_equal(
        tail, permkit.unrank([math.factorial(25) - 3 + i for i in range(3)], 25)
    )
    mid = permkit.permutations(30, order="sjt", start=10**30, stop=10**30 + 50).to_numpy()
    np.testing.assert_array_equal(
        mid, permkit.unrank(list(range(10**30, 10**30 + 50)), 30, order="sjt")
    )
    heap = permkit.permutations(30, order="heap", start=10**30, stop=10**30 + 40)
    rows, ch = heap.to_numpy(), heap.changes()
    for s, (x, y) in enumerate(ch):
        nxt = rows[s].copy()
        nxt[[x, y]] = nxt[[y, x]]
        np.testing.assert_array_equal(nxt, rows[s + 1])
    big_comb = permkit.combinations(200, 100, start=10**50, stop=10**50 + 20).to_numpy()
    np.testing.assert_array_equal(
        big_comb, permkit.unrank_combination(list(range(10**50, 10**50 + 20)), 200, 100)
    )


def test_empty_families_and_errors():
    assert len(permkit.combinations(3, 5)) == 0
    assert permkit.combinations(3, 5).to_numpy().shape == (0, 5)
    assert permkit.derangements(1).to_numpy().shape == (0, 1)
    assert permkit.permutations(0).to_numpy().shape == (1, 0)
    with pytest.raises(ValueError, match="order"):
        permkit.permutations(3, order="colex")
    with pytest.raises(ValueError, match="step"):
        permkit.permutations(3)[::2]
    with pytest.raises(IndexError):
        permkit.permutations(3)[6]
    with pytest.raises(ValueError, match="change stream"):
        permkit.permutations(3).changes()
    with pytest.raises(ValueError, match="chunk"):
        permkit.permutations(3, chunk=0)
    with pytest.raises(TypeError):
        permkit.permutations(3, start=1.5)
    with pytest.raises(ValueError, match="exactly one"):
        permkit.multiset_permutations([1, 2], counts=[1, 1])
    with pytest.raises(ValueError, match="n: heap order supports n <= 1000"):
        permkit.permutations(1001, order="heap")
    with pytest.raises(ValueError, match="n: derangements supports n <= 1000"):
        permkit.derangements(5000)
    assert "permutations(n=4, order='heap')" in repr(permkit.permutations(4, order="heap"))


@pytest.mark.parametrize("items", [[2**63, 2**63], [2**64 - 1, 1]])
def test_multisets_of_more_than_2_64_items_are_refused_up_front(items):
    counts = np.array(items, dtype=np.uint64)
    # Rows that long could never be indexed, counted or allocated.
    with pytest.raises(OverflowError, match="counts: the total of the counts exceeds 2\\*\\*64-1"):
        permkit.multiset_permutations(counts=counts)
    with pytest.raises(OverflowError, match="counts"):
        permkit.unrank_multiset_permutation(0, counts)
    largest = np.array([2**63, 2**63 - 1], dtype=np.uint64)
    assert permkit.multiset_permutations(counts=largest).width == 2**64 - 1
