"""Regression tests for the defects of issue 11, one or more per item, each
checked against an independent oracle (math, itertools, numpy, csv)."""

from __future__ import annotations

import itertools
import math
import pickle
import subprocess
import sys

import numpy as np
import pytest

import permkit
from permkit import _native, count

U64 = (1 << 64) - 1


# --- 1. counts at n = 2**64 - 1 (n + 1 wrapped in u64) --------------------------
@pytest.mark.parametrize("n", [U64, U64 - 1, 1 << 63, (1 << 32) + 1, (1 << 32) - 1])
def test_counts_at_the_top_of_u64(n: int) -> None:
    assert count.combinations(n, 1) == n
    assert count.combinations(n, 2) == math.comb(n, 2)
    assert count.combinations(n, n) == 1
    assert count.combinations(n, n - 1) == n
    assert count.permutations(n, 2) == math.perm(n, 2)
    assert count.permutations(n, 0) == 1
    assert count.multiset_permutations([n - 1, 1]) == n


def test_huge_counts_raise_memory_error_stating_the_size() -> None:
    for call in (
        lambda: count.permutations(U64),
        lambda: count.combinations(1 << 62, 1 << 61),
        lambda: count.derangements(1 << 40),
        lambda: count.involutions(1 << 40),
        lambda: count.multiset_permutations([1 << 40, 1 << 40]),
    ):
        with pytest.raises(MemoryError, match="GiB"):
            call()


# --- 3. masked arrays ------------------------------------------------------------
def test_shuffle_keeps_mask_aligned_with_data() -> None:
    data = np.arange(20)
    mask = data % 3 == 0
    x = np.ma.masked_array(data.copy(), mask=mask.copy())
    permkit.shuffle(x, seed=5)
    order = permkit.permutation(20, seed=5)
    assert np.array_equal(x.data, data[order])
    assert np.array_equal(x.mask, mask[order])
    y = permkit.permutation(np.ma.masked_array(data, mask=mask), seed=5)
    assert isinstance(y, np.ma.MaskedArray)
    assert np.array_equal(y.data, data[order]) and np.array_equal(y.mask, mask[order])


def test_shuffle_of_masked_rows_along_axis_1() -> None:
    data = np.arange(12).reshape(3, 4)
    x = np.ma.masked_array(data.copy(), mask=data % 5 == 0)
    permkit.shuffle(x, seed=1, axis=1)
    assert np.array_equal(x.mask, x.data % 5 == 0)


# --- 5 and 17. CSV reading -------------------------------------------------------
def _cli(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "permkit", *args], capture_output=True, text=True, timeout=60
    )


def test_duplicate_csv_header_is_an_error(tmp_path) -> None:
    f = tmp_path / "dup.csv"
    f.write_text("x,x,y\n1,2,3\n4,5,6\n7,8,9\n")
    res = _cli(["test", str(f), "--x", "x", "--y", "y"])
    assert res.returncode == 2
    assert "'x' more than once" in res.stderr


def test_csv_with_bom_reads_like_the_csv_module(tmp_path) -> None:
    f = tmp_path / "bom.csv"
    f.write_bytes("a,b\n1,4\n2,5\n3,6\n".encode("utf-8-sig"))
    res = _cli(["test", str(f), "--x", "a", "--y", "b"])
    assert res.returncode == 0, res.stderr
    assert "a vs b" in res.stdout


def test_csv_numbers_with_underscores_are_not_numbers(tmp_path) -> None:
    f = tmp_path / "under.csv"
    f.write_text("a,b\n1_000,4\n2,5\n3,6\n")
    res = _cli(["test", str(f), "--x", "a", "--y", "b"])
    assert res.returncode == 2
    assert "non-numeric value '1_000'" in res.stderr


# --- 7 and 9. IndexShuffle ----------------------------------------------------------
def test_index_shuffle_keeps_0d_indices_0d() -> None:
    s = permkit.IndexShuffle(10, seed=1)
    got = s[np.array(3)]
    assert got.shape == () and int(got) == s[3]
    back = s.inverse(np.array(s[3]))
    assert back.shape == () and int(back) == 3
    assert s[np.array([3])].shape == (1,)


@pytest.mark.parametrize("size", [2**33, 2**40, 2**58])
def test_index_shuffle_huge_slices_raise_memory_error(size: int) -> None:
    s = permkit.IndexShuffle(U64, seed=1)
    with pytest.raises(MemoryError):
        s[:size]


# --- 8. arrangements with huge n ----------------------------------------------------
def test_arrangements_of_huge_n_are_o_k() -> None:
    n = 1 << 40
    assert permkit.rank_arrangement([0, 1], n) == 0
    assert permkit.rank_arrangement([1, 0], n) == n - 1
    assert permkit.rank_arrangement([n - 1, n - 2], n) == math.perm(n, 2) - 1
    assert permkit.arrangements(n, 2)[0].tolist() == [0, 1]
    assert permkit.unrank_arrangement(5, n, 2).tolist() == [0, 6]
    assert permkit.unrank_arrangement(5, 1 << 62, 2).tolist() == [0, 6]
    assert permkit.unrank_arrangement(math.perm(n, 2) - 1, n, 2).tolist() == [n - 1, n - 2]
    rows = permkit.arrangements(n, 2)[n - 3 : n + 2].to_numpy().tolist()
    assert rows == [[0, n - 2], [0, n - 1], [1, 0], [1, 2], [1, 3]]
    with pytest.raises(ValueError, match="more than once"):
        permkit.rank_arrangement([7, 7], n)


@pytest.mark.parametrize("n,k", [(9, 3), (40, 2), (5000, 3)])
def test_sparse_arrangements_match_itertools(n: int, k: int) -> None:
    # n = 5000 > 4096 and > 4k takes the sparse walker; small n the dense one.
    expected = list(itertools.islice(itertools.permutations(range(n), k), 3000))
    got = permkit.arrangements(n, k)[:3000].to_numpy().tolist()
    assert got == [list(t) for t in expected]
    for r in {0, 1, min(2999, math.perm(n, k) - 1), math.perm(n, k) - 1}:
        row = permkit.unrank_arrangement(r, n, k)
        assert permkit.rank_arrangement(row, n) == r


# --- 10. closed pipe ------------------------------------------------------------------
def test_shuffle_into_closed_pipe_ends_quietly(tmp_path) -> None:
    f = tmp_path / "lines.txt"
    f.write_text("".join(f"{i}\n" for i in range(300_000)))
    for args in ([str(f)], ["-i", "1-10000000"]):
        res = subprocess.run(
            f"{sys.executable} -m permkit shuffle --seed 1 {' '.join(args)} | head -1",
            shell=True,
            capture_output=True,
            text=True,
            timeout=60,
            executable="/bin/bash",
        )
        assert res.stderr == ""
        assert res.stdout.strip().isdigit()


# --- 11. big-int work, lazy enumerations ----------------------------------------------
def test_lazy_enumeration_of_huge_families() -> None:
    e = permkit.permutations(10**8)
    assert "ranks 0..end" in repr(e)
    c = permkit.combinations(1 << 62, 1 << 61)
    assert c[:3].count == 3
    assert c[:1].width == 1 << 61
    small = permkit.combinations(2**40, 2)
    assert small[:2].to_numpy().tolist() == [[0, 1], [0, 2]]
    assert small[5].tolist() == [0, 6]
    assert next(iter(small[:3])).tolist() == [[0, 1], [0, 2], [0, 3]]


def test_rank_and_unrank_combinations_of_huge_n() -> None:
    n = 1 << 40
    assert permkit.rank_combination([0, 1], n) == 0
    assert permkit.unrank_combination(0, n, 2, order="colex").tolist() == [0, 1]
    last = math.comb(n, 2) - 1
    for order in ("lex", "colex", "revolving_door"):
        for r in (0, 1, 12345, last):
            c = permkit.unrank_combination(r, n, 2, order=order)
            assert permkit.rank_combination(c, n, order=order) == r
    assert permkit.rank_combination([5, n - 1], n, order="colex") == math.comb(n - 1, 2) + 5


@pytest.mark.parametrize("n,k", [(30, 4), (70, 35), (200, 7)])
def test_combination_ranks_match_itertools(n: int, k: int) -> None:
    for r, c in enumerate(itertools.islice(itertools.combinations(range(n), k), 500)):
        assert permkit.rank_combination(list(c), n) == r
        assert permkit.unrank_combination(r, n, k).tolist() == list(c)


def test_enumeration_bounds_are_lazy_but_exact() -> None:
    e = permkit.permutations(4)
    assert len(e[:100]) == 24
    assert len(e[20:]) == 4
    assert e[-1].tolist() == [3, 2, 1, 0]
    with pytest.raises(IndexError):
        e[24]
    assert len(permkit.derangements(5)[:1000]) == 44
    assert sum(len(b) for b in permkit.combinations(7, 3, chunk=4)) == 35
    assert len(list(permkit.permutations(4, order="sjt").iter_changes())) == 1


# --- 12. rank dtype by a bound ---------------------------------------------------------
def test_rank_of_long_permutation_needs_no_factorial() -> None:
    p = np.arange(200_000)
    assert permkit.rank(p) == 0
    assert permkit.rank(p[::-1].copy()) == math.factorial(200_000) - 1


@pytest.mark.parametrize("n,k", [(67, 33), (68, 34), (20, 20), (21, 21)])
def test_rank_dtype_switches_exactly_at_2_64(n: int, k: int) -> None:
    big = math.comb(n, k) > U64
    r = permkit.rank_combination(np.arange(k)[None, :], n)
    assert (r.dtype == object) == big
    if n == k:
        r = permkit.rank(np.arange(n)[None, :])
        assert (r.dtype == object) == (math.factorial(n) > U64)


# --- 13. generator state ------------------------------------------------------------------
def test_state_setter_applies_the_constructor_key_rules() -> None:
    g = permkit.Squares64(1)
    st = g.state
    st["state"]["key"] = 0
    with pytest.raises(ValueError, match=r"state\['state'\]\['key'\].*rule"):
        g.state = st
    weak = permkit.Squares64(key=0, allow_weak_key=True)
    weak.state = weak.state
    assert pickle.loads(pickle.dumps(weak)).state == weak.state
    tampered = permkit.Squares32(2)
    saved = tampered.__reduce__()
    bad = dict(saved[2])
    bad["state"] = {**bad["state"], "state": {"key": 0, "counter": 0}}
    with pytest.raises(ValueError):
        saved[0](*saved[1]).__setstate__(bad)


# --- 14. error names ------------------------------------------------------------------
@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: permkit.rank_combination([0, 9], 4), "c"),
        (lambda: permkit.rank_arrangement([0, 9], 4), "a"),
        (lambda: permkit.rank_multiset_permutation([0, 9], [1, 1]), "seq"),
        (lambda: permkit.rank([0, 9]), "p"),
    ],
)
def test_rank_errors_name_their_argument(call, name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name}: "):
        call()


# --- 15. ints beyond 64 bits, bools in lists --------------------------------------------
def test_is_permutation_never_raises_for_ints() -> None:
    assert permkit.is_permutation([2**64, 0]) is False
    assert permkit.is_permutation([-(2**70), 0]) is False
    assert permkit.is_permutation([[2**64, 0], [1, 0]]).tolist() == [False, True]


@pytest.mark.parametrize(
    "call",
    [
        lambda: permkit.inverse([True, 0]),
        lambda: permkit.Permutation.from_cycles([(True, 0)]),
        lambda: permkit.compose([0, 1], [False, 1]),
        lambda: permkit.is_permutation([[1, 0], [True, 0]]),
    ],
)
def test_bools_in_lists_are_refused_like_bool_arrays(call) -> None:
    with pytest.raises(TypeError, match="bool"):
        call()


# --- 18. tampered Enumeration pickles ------------------------------------------------------
def _tampered(e: permkit.Enumeration, **changes) -> permkit.Enumeration:
    # What unpickling does: a bare instance, then __setstate__ with the saved dict.
    obj = permkit.Enumeration.__new__(permkit.Enumeration)
    obj.__setstate__({**e.__getstate__(), **changes})
    return obj


def test_enumeration_pickle_round_trip() -> None:
    for e in (
        permkit.permutations(5)[3:40],
        permkit.combinations(2**40, 3)[:7],
        permkit.multiset_permutations(counts=[2, 1]),
        permkit.permutations("abc", order="heap"),
    ):
        back = pickle.loads(pickle.dumps(e))
        assert back == e
        assert np.array_equal(back.to_numpy(), e.to_numpy())


@pytest.mark.parametrize(
    "changes",
    [
        {"_hi": 10**30},
        {"_lo": -5},
        {"_kind": "permutations/bogus"},
        {"_n": -1},
        {"_n": 2**70},
        {"_dtype": np.dtype(np.uint8), "_n": 300},
        {"_dtype": np.dtype(np.float64)},
        {"_chunk": 0},
        {"_counts": [3, -1]},
        {"_values": np.arange(3)},
    ],
)
def test_tampered_enumeration_pickles_are_refused(changes) -> None:
    with pytest.raises((ValueError, TypeError, OverflowError)):
        _tampered(permkit.permutations(5), **changes)


# --- panics -----------------------------------------------------------------------------
@pytest.mark.parametrize("in_worker", [False, True])
def test_an_injected_panic_becomes_runtime_error(in_worker: bool) -> None:
    with pytest.raises(RuntimeError, match=r"internal error.*boom"):
        _native._panic_for_tests("boom", in_worker)


def test_a_capacity_overflow_panic_becomes_memory_error() -> None:
    with pytest.raises(MemoryError):
        _native._panic_for_tests("capacity overflow", False)


def test_every_binding_runs_inside_the_panic_guard() -> None:
    """Each #[pyfunction] and #[pymethods] function (getters aside) starts with
    ``guard(``, so a new binding without it fails here (convert.rs explains)."""
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parent.parent / "rust" / "permkit-python" / "src"
    unguarded = []
    for path in sorted(src.glob("*.rs")):
        text = path.read_text()
        methods = [m.end() for m in re.finditer(r"#\[pymethods\]\s*impl[^{]*\{", text)]
        for m in re.finditer(r"((?:#\[[^\]]*\]\s*)*)(?:pub )?fn (\w+)[^{]*\{", text):
            attrs, name = m.group(1), m.group(2)
            in_methods = any(start < m.start() for start in methods) and re.match(
                r" {4}(?:pub )?fn", text[text.rfind("\n", 0, m.start()) + 1 :][:12]
            )
            is_binding = "#[pyfunction]" in attrs or (in_methods and "#[getter]" not in attrs)
            body_start = text[m.end() : m.end() + 80].lstrip()
            if is_binding and not body_start.startswith("guard("):
                unguarded.append(f"{path.name}: {name}")
    assert not unguarded, f"bindings not wrapped in convert::guard: {unguarded}"
