"""Permutation algebra and distances against pure-Python and sympy oracles."""

from __future__ import annotations

import math
import pickle
from functools import reduce
from itertools import combinations, permutations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.combinatorics import Permutation as SympyPerm

import permkit
from permkit import Permutation, distance

INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


# --- pure-Python oracles -------------------------------------------------------
def py_compose(p, q):
    return [p[i] for i in q]


def py_inverse(p):
    inv = [0] * len(p)
    for i, v in enumerate(p):
        inv[v] = i
    return inv


def py_power(p, k):
    result = list(range(len(p)))
    base = p if k >= 0 else py_inverse(p)
    for _ in range(abs(k)):
        result = py_compose(result, base)
    return result


def py_cycles(p):
    seen, out = set(), []
    for s in range(len(p)):
        if s not in seen:
            cyc, x = [], s
            while x not in seen:
                seen.add(x)
                cyc.append(x)
                x = p[x]
            out.append(tuple(cyc))
    return out


def py_inversions(p):
    return sum(1 for i, j in combinations(range(len(p)), 2) if p[i] > p[j])


def py_order(p):
    return reduce(lambda a, b: a * b // math.gcd(a, b), (len(c) for c in py_cycles(p)), 1)


def py_lis(seq):
    best = [1] * len(seq)
    for j in range(len(seq)):
        for i in range(j):
            if seq[i] < seq[j]:
                best[j] = max(best[j], best[i] + 1)
    return max(best, default=0)


def py_distances(p, q):
    n = len(p)
    r = py_compose(py_inverse(p), q)
    return {
        "kendall_tau": sum(
            1 for i, j in combinations(range(n), 2) if (p[i] - p[j]) * (q[i] - q[j]) < 0
        ),
        "cayley": n - len(py_cycles(r)),
        "hamming": sum(a != b for a, b in zip(p, q)),
        "ulam": n - py_lis(r),
        "footrule": sum(abs(a - b) for a, b in zip(p, q)),
    }


perms = st.integers(0, 24).flatmap(lambda n: st.permutations(range(n)))
perm_pairs = st.integers(0, 24).flatmap(
    lambda n: st.tuples(st.permutations(range(n)), st.permutations(range(n)))
)
perm_triples = st.integers(0, 12).flatmap(lambda n: st.tuples(*[st.permutations(range(n))] * 3))


def batch(n, rows, seed):
    rng = np.random.default_rng(seed)
    return np.array([rng.permutation(n) for _ in range(rows)]).reshape(rows, n)


# --- agreement with oracles ----------------------------------------------------------
@given(perm_pairs)
def test_compose_inverse_power_match_oracle(pq):
    p, q = map(list, pq)
    assert permkit.compose(p, q).tolist() == py_compose(p, q)
    assert permkit.inverse(p).tolist() == py_inverse(p)
    for k in (-3, -1, 0, 1, 2, 5):
        assert permkit.power(p, k).tolist() == py_power(p, k)


@given(perms)
def test_invariants_match_oracle(p):
    p = list(p)
    n = len(p)
    assert permkit.inversions(p) == py_inversions(p)
    assert permkit.sign(p) == (-1) ** py_inversions(p)
    assert permkit.order(p) == py_order(p)
    counts = [0] * (n + 1)
    for c in py_cycles(p):
        counts[len(c)] += 1
    assert permkit.cycle_type(p).tolist() == counts
    code = [sum(1 for j in range(i + 1, n) if p[j] < p[i]) for i in range(n)]
    assert permkit.lehmer_code(p).tolist() == code
    assert permkit.from_lehmer(code).tolist() == p


@given(perms)
def test_invariants_match_sympy(p):
    p = list(p)
    if not p:
        return
    sp = SympyPerm(p)
    assert permkit.sign(p) == sp.signature()
    assert permkit.inversions(p) == sp.inversions()
    assert permkit.order(p) == sp.order()
    assert Permutation(p).cycle_type() == dict(sorted(sp.cycle_structure.items()))
    assert Permutation(p).cycles() == [tuple(c) for c in sp.cyclic_form]


@given(perm_pairs)
def test_compose_matches_sympy_convention(pq):
    p, q = map(list, pq)
    if not p:
        return
    # sympy's p*q applies p first, so our compose(p, q) (q first) is sympy's q*p.
    assert permkit.compose(p, q).tolist() == (SympyPerm(q) * SympyPerm(p)).array_form


@given(perm_pairs)
def test_distances_match_oracle(pq):
    p, q = map(list, pq)
    want = py_distances(p, q)
    for name, value in want.items():
        assert getattr(distance, name)(p, q) == value, name


# --- group laws ---------------------------------------------------------------------
@given(perm_triples)
def test_associativity(pqr):
    p, q, r = pqr
    assert np.array_equal(
        permkit.compose(permkit.compose(p, q), r), permkit.compose(p, permkit.compose(q, r))
    )


@given(perms, st.integers(-50, 50), st.integers(-50, 50))
def test_power_laws(p, a, b):
    lhs = permkit.compose(permkit.power(p, a), permkit.power(p, b))
    assert np.array_equal(lhs, permkit.power(p, a + b))
    assert np.array_equal(permkit.power(permkit.power(p, a), b), permkit.power(p, a * b))


@given(perm_pairs)
def test_sign_is_a_homomorphism_and_inverse_inverts(pq):
    p, q = pq
    assert permkit.sign(permkit.compose(p, q)) == permkit.sign(p) * permkit.sign(q)
    ident = list(range(len(p)))
    assert permkit.compose(p, permkit.inverse(p)).tolist() == ident
    assert permkit.compose(permkit.inverse(p), p).tolist() == ident


@settings(max_examples=50)
@given(st.integers(1, 8).flatmap(lambda n: st.permutations(range(n))))
def test_order_is_least_power_giving_identity(p):
    ident = list(range(len(p)))
    k = next(k for k in range(1, 10**4) if permkit.power(p, k).tolist() == ident)
    assert permkit.order(p) == k


def test_huge_powers_and_orders_are_exact():
    # Cycles of the first primes up to 97: the order is their product (> 2**64).
    primes = [q for q in range(2, 100) if all(q % d for d in range(2, q))]
    cycles, start = [], 0
    for q in primes:
        cycles.append(tuple(range(start, start + q)))
        start += q
    p = Permutation.from_cycles(cycles)
    order = math.prod(primes)
    assert order > 2**64
    assert p.order() == order
    assert p**order == Permutation.identity(len(p))
    assert p ** (order + 1) == p
    assert p ** (-(order * 10**30) - 1) == ~p
    stacked = permkit.order(np.stack([np.asarray(p), np.arange(len(p))]))
    assert stacked.dtype == object and stacked.tolist() == [order, 1]


# --- broadcasting, batches, dtypes ------------------------------------------------------
def test_batched_and_broadcast_results_equal_row_by_row():
    p = batch(7, 60, 1).reshape(3, 20, 7)
    q = batch(7, 20, 2)
    got = permkit.compose(p, q)
    assert got.shape == (3, 20, 7)
    for i in range(3):
        for j in range(20):
            assert got[i, j].tolist() == py_compose(p[i, j].tolist(), q[j].tolist())
    single = permkit.compose(p, q[0])
    assert np.array_equal(single, p[..., q[0]])
    outer = permkit.compose(p[:, None, 0], q[None, :3])
    assert outer.shape == (3, 3, 7)
    assert outer[2, 1].tolist() == py_compose(p[2, 0].tolist(), q[1].tolist())
    kt = distance.kendall_tau(p, q)
    assert kt.shape == (3, 20) and kt.dtype == np.int64
    assert kt[1, 4] == py_distances(p[1, 4].tolist(), q[4].tolist())["kendall_tau"]
    assert permkit.sign(p).shape == (3, 20)
    assert permkit.inversions(p).shape == (3, 20)
    assert permkit.cycle_type(p).shape == (3, 20, 8)
    assert permkit.order(p).dtype == np.int64
    assert np.array_equal(permkit.inverse(p), np.argsort(p, axis=-1))


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_every_integer_dtype_is_accepted_and_kept(dtype):
    p = np.array([3, 0, 2, 1], dtype=dtype)
    assert permkit.inverse(p).dtype == dtype
    assert permkit.power(p, 3).dtype == dtype
    assert permkit.compose(p, p).dtype == dtype
    assert permkit.inverse(p).tolist() == [1, 3, 2, 0]
    assert permkit.inversions(p) == 4


def test_mixed_dtypes_promote_and_big_endian_works():
    p = np.array([1, 2, 0], dtype=np.uint8)
    q = np.array([2, 1, 0], dtype=">i8")
    out = permkit.compose(p, q)
    assert out.dtype == np.int64 and out.tolist() == [0, 2, 1]


def test_long_rows_agree_with_numpy():
    rng = np.random.default_rng(5)
    n = 300_001
    p, q = rng.permutation(n), rng.permutation(n)
    assert np.array_equal(permkit.compose(p, q), p[q])
    inv = np.empty_like(p)
    inv[p] = np.arange(n)
    assert np.array_equal(permkit.inverse(p), inv)
    assert np.array_equal(permkit.power(p, 3), p[p[p]])
    assert permkit.sign(p) == permkit.sign(permkit.inverse(p))
    assert distance.hamming(p, q) == int(np.sum(p != q))
    assert distance.footrule(p, q) == int(np.abs(p - q).sum())
    assert distance.kendall_tau(p, p) == 0


def test_empty_and_single_point_permutations():
    assert permkit.inverse([]).tolist() == []
    assert permkit.sign([]) == 1 and permkit.order([]) == 1 and permkit.inversions([]) == 0
    assert permkit.is_permutation([]) is True
    assert permkit.compose(np.zeros((3, 0), dtype=int), []).shape == (3, 0)
    assert Permutation([0]).order() == 1 and len(Permutation.identity(0)) == 0


# --- bad input -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad, exc, words",
    [
        ([0, 0, 1], ValueError, "appears more than once"),
        ([0, 3, 1], ValueError, "out of range 0..=2"),
        ([0, -1, 1], ValueError, "-1"),
        ([0.0, 1.0], TypeError, "floats"),
        (np.array([True, False]), TypeError, "bool"),
        (np.array([0, "x"], dtype=object), TypeError, "str"),
        (np.array([1.5, 0], dtype=object), TypeError, "float"),
        (5, ValueError, "axis"),
        ([[0, 1], [1, 1]], ValueError, "row 1"),
        ([0, 2**70], ValueError, "64 bits"),
        ([0, 2**63], ValueError, "64 bits"),
        ("abc", TypeError, "dtype"),
    ],
)
def test_bad_permutations_are_rejected_with_named_argument(bad, exc, words):
    for fn in (
        permkit.inverse,
        permkit.sign,
        permkit.inversions,
        permkit.order,
        permkit.cycle_type,
        permkit.lehmer_code,
    ):
        with pytest.raises(exc, match=words) as info:
            fn(bad)
        assert str(info.value).startswith("p:")
    with pytest.raises(exc):
        Permutation(bad)


def test_binary_operations_name_the_bad_argument():
    with pytest.raises(ValueError, match=r"^q:.*more than once"):
        permkit.compose([0, 1, 2], [1, 1, 0])
    with pytest.raises(ValueError, match=r"^p:.*out of range"):
        permkit.compose([0, 1, 5], [1, 2, 0])
    with pytest.raises(ValueError, match=r"^q: length 2 does not match"):
        distance.cayley([0, 1, 2], [1, 0])
    with pytest.raises(ValueError, match="do not broadcast"):
        permkit.compose(
            np.zeros((2, 3), dtype=int) + [0, 1, 2], np.zeros((3, 3), dtype=int) + [0, 1, 2]
        )
    with pytest.raises(ValueError, match="does not match this permutation's length"):
        Permutation([0, 1]) @ Permutation([0, 1, 2])


def test_scalar_arguments_are_checked():
    with pytest.raises(TypeError, match="k: expected an integer"):
        permkit.power([1, 0], 1.0)
    with pytest.raises(TypeError, match="k: expected an integer, got bool"):
        permkit.power([1, 0], True)
    with pytest.raises(ValueError, match=r"code\[1\] = 3 .*0..=1"):
        permkit.from_lehmer([0, 3, 0])
    with pytest.raises(ValueError, match="n: must be >= 0"):
        Permutation.identity(-1)
    with pytest.raises(MemoryError, match="GiB"):
        Permutation.identity(10**15)
    with pytest.raises(
        ValueError, match="cycles: element 1 appears in cycle 0 and again in cycle 1"
    ):
        Permutation.from_cycles([(0, 1), (1, 2)])
    with pytest.raises(ValueError, match=r"cycles: element 7 of cycle 0 is out of range 0..=2"):
        Permutation.from_cycles([(0, 7)], n=3)
    with pytest.raises(ValueError, match="cycles: element -1"):
        Permutation.from_cycles([(0, -1)], n=3)


@given(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=12))
def test_is_permutation_never_raises_for_integers(values):
    expected = sorted(values) == list(range(len(values)))
    assert permkit.is_permutation(np.array(values, dtype=np.int64)) is expected


# --- the Permutation value type ----------------------------------------------------------
@given(perms)
def test_permutation_value_semantics(p):
    perm = Permutation(p)
    assert list(perm) == list(p) and len(perm) == len(p)
    assert perm == Permutation(np.array(p, dtype=np.int64)) and hash(perm) == hash(
        Permutation(list(p))
    )
    assert pickle.loads(pickle.dumps(perm)) == perm
    assert Permutation.from_cycles(perm.cycles(), len(p)) == perm
    assert Permutation.from_cycles(perm.cycles(singletons=True)) == perm if p else True
    assert Permutation.from_lehmer(perm.lehmer_code()) == perm
    assert (perm @ ~perm) == Permutation.identity(len(p))
    ident = list(range(len(p)))
    assert perm.fixed_points().tolist() == [i for i in ident if p[i] == i]
    assert perm.is_derangement() == all(p[i] != i for i in ident)
    assert perm.is_involution() == (py_compose(p, p) == ident)
    assert perm.apply(list(range(100, 100 + len(p)))) == [100 + v for v in p]


@given(perm_pairs)
def test_conjugate_relabels_cycles(pq):
    p, q = Permutation(pq[0]), Permutation(pq[1])
    c = p.conjugate(q)
    assert c == q @ p @ ~q
    relabelled = sorted(tuple(q[x] for x in cyc) for cyc in p.cycles())
    assert sorted(sorted(cyc) for cyc in c.cycles()) == sorted(sorted(cyc) for cyc in relabelled)


def test_permutation_is_immutable_and_exposes_its_array_without_copy():
    perm = Permutation([2, 0, 1])
    arr = np.asarray(perm)
    assert arr is np.asarray(perm) and arr.dtype == np.uint8
    with pytest.raises(ValueError):
        arr[0] = 1
    source = np.array([1, 0])
    perm2 = Permutation(source)
    source[0] = 0
    assert perm2.tolist() == [1, 0]
    assert np.asarray(perm, dtype=np.int64).dtype == np.int64


def test_permutation_repr_and_apply_along_axis():
    assert repr(Permutation([1, 0])) == "Permutation([1, 0])"
    big = Permutation.from_cycles([(0, 5, 9)], n=1000)
    assert repr(big) == "<Permutation n=1000 cycles=(0 5 9)>"
    assert repr(Permutation.identity(100)) == "<Permutation n=100 cycles=()>"
    x = np.arange(12).reshape(3, 4)
    assert np.array_equal(Permutation([3, 2, 1, 0]).apply(x, axis=1), x[:, ::-1])
    assert Permutation([1, 0]).apply((5, 6)) == (6, 5)
    with pytest.raises(ValueError, match="x: has length 3 along axis 0, expected 4"):
        Permutation([3, 2, 1, 0]).apply(x)
    with pytest.raises(ValueError, match="axis: 2 is out of range"):
        Permutation([2, 1, 0]).apply(x, axis=2)
    with pytest.raises(TypeError, match="x: expected a numpy array or a sequence"):
        Permutation([1, 0]).apply({1, 2})


def test_all_permutations_of_four_have_consistent_invariants():
    for p in permutations(range(4)):
        perm = Permutation(p)
        assert perm.sign() == (-1) ** perm.inversions()
        assert perm ** perm.order() == Permutation.identity(4)


@given(perms, st.sampled_from(["lex", "mr", "sjt"]))
def test_permutation_rank_methods_wrap_the_ranking_functions(p, order):
    perm = Permutation(p)
    r = perm.rank(order=order)
    assert r == int(permkit.rank(np.asarray(p, dtype=np.int64), order=order))
    assert Permutation.unrank(r, len(p), order=order) == perm
