"""Hostile-input fuzzing of every public function (issue 11, "close the class").

Each public callable has one entry in ``REGISTRY``: a hypothesis strategy that
draws a call ``(args, kwargs)`` with hostile arguments (integer dtypes at their
limits, sizes near 2**32 / 2**63 / 2**64, 0-d / empty / strided / masked /
read-only arrays, bools, floats, huge Python ints, negatives, malformed state
dicts and pickles) and, optionally, an oracle that checks a result.

Every call must either return (checked by the oracle when there is one) or
raise one of ``DOCUMENTED`` (docs/conventions.md, "Exception contract"); never
a ``PanicException``, never an internal ``RuntimeError``, never take longer
than ``BOUND`` seconds. A separate test replays every entry in a subprocess,
so that an abort (a failed allocation, a double panic) fails the test instead
of killing the run.

ADDING A PUBLIC NAME: ``test_registry_covers_the_public_api`` fails until the
name has an entry. Add one line to ``REGISTRY``::

    "permkit.stats.fisher_exact": Case(calls(table_2x2), check=optional_oracle),

where the first argument is a strategy of ``(args, kwargs)`` built with
``calls(strategy_for_arg_1, ..., kw=strategy)`` from the strategies below
(``hostile_int``, ``size_arg``, ``int_array``, ``perm_array``, ``seed_arg``,
``junk`` ...), and ``check(result, *args, **kwargs)`` asserts the result
against an independent oracle (or is omitted when the strategy only probes
errors). Mark ``risky=True`` for calls that allocate from their arguments:
those run in the subprocess only.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import permkit
from permkit import stats

# The exception kinds the public API documents (docs/conventions.md).
DOCUMENTED: tuple[type[BaseException], ...] = (
    ValueError,
    TypeError,
    OverflowError,
    IndexError,
    MemoryError,
    KeyError,
)
# Seconds one call may take (generous: the machine may be loaded).
BOUND = 20.0
# Examples per entry; raise it for a longer hunt (PERMKIT_FUZZ_EXAMPLES=1000).
EXAMPLES = int(os.environ.get("PERMKIT_FUZZ_EXAMPLES", "20"))

# --- strategies --------------------------------------------------------------------

BOUNDARY = [
    0,
    1,
    2,
    3,
    7,
    255,
    256,
    2**16 - 1,
    2**16,
    2**31 - 1,
    2**31,
    2**32 - 1,
    2**32,
    2**32 + 1,
    2**53 + 1,
    2**62,
    2**63 - 1,
    2**63,
    2**64 - 1,
    2**64,
    2**100,
]
INT_DTYPES = [
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
    np.dtype(">i4"),
    np.dtype(">u8"),
]

hostile_int = st.one_of(
    st.sampled_from(BOUNDARY),
    st.sampled_from(BOUNDARY).map(lambda v: -v),
    st.integers(-5, 40),
)
# Not an int at all: each must give TypeError (or ValueError) where an int is due.
junk = st.sampled_from(
    [True, False, np.bool_(True), 1.0, 2.5, float("nan"), float("inf"), None, "3", b"3", 1j, [3]]
)
# Sizes of things that get allocated: small, or far beyond any memory (must be
# refused up front), never in between where a correct call would take minutes.
size_arg = st.one_of(
    st.integers(-3, 60),
    st.sampled_from([2**40, 2**62, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 2**100, -(2**63)]),
    st.sampled_from(INT_DTYPES[:8]).flatmap(
        lambda dt: st.integers(0, min(60, np.iinfo(dt).max)).map(dt)
    ),
    junk,
)
# Counts whose values are computed exactly: any boundary value (big ones are refused).
count_arg = st.one_of(hostile_int, junk)
seed_arg = st.one_of(
    st.none(),
    hostile_int,
    junk,
    st.builds(np.random.SeedSequence, st.integers(0, 2**128)),
)
# What a shuffle draws from: seeds, and any numpy bit generator or Generator.
shuffle_seed_arg = st.one_of(
    seed_arg,
    st.builds(np.random.PCG64, st.integers(0, 2**64)),
    st.builds(lambda s: np.random.Generator(np.random.MT19937(s)), st.integers(0, 2**32 - 1)),
    st.builds(permkit.Philox4x32, st.integers(0, 2**64)),
)


@st.composite
def int_array(draw: Any, max_n: int = 8, perm: bool = False) -> Any:
    """An integer array (or list) in a hostile layout, dtype or shape."""
    dtype = np.dtype(draw(st.sampled_from(INT_DTYPES)))
    info = np.iinfo(dtype)
    shape = draw(st.sampled_from([(), (0,), (1,), (4,), (max_n,), (3, 4), (2, 0), (0, 3)]))
    size = math.prod(shape)
    if perm and len(shape) >= 1 and shape[-1] > 0:
        n = shape[-1]
        rows = [draw(st.permutations(range(n))) for _ in range(size // n)]
        values = np.array(rows, dtype=np.int64).reshape(shape)
    else:
        element = st.one_of(
            st.integers(-2, max_n + 2),
            st.sampled_from([int(info.min), int(info.max), int(info.max) - 1, 0]),
        )
        values = np.array(
            [draw(element) for _ in range(size)], dtype=object if size else np.int64
        ).reshape(shape)
    values = np.clip(values, int(info.min), int(info.max)) if size else values
    arr = np.asarray(values).astype(dtype)
    layout = draw(
        st.sampled_from(["plain", "strided", "readonly", "masked", "fortran", "list", "bools"])
    )
    if layout == "strided" and arr.ndim >= 1:
        wide = np.repeat(arr, 2, axis=-1)
        arr = wide[..., ::2]
    elif layout == "readonly":
        arr.flags.writeable = False
    elif layout == "masked":
        arr = np.ma.masked_array(arr, mask=np.zeros(arr.shape, dtype=bool))
    elif layout == "fortran":
        arr = np.asfortranarray(arr)
    elif layout == "list":
        return arr.tolist()
    elif layout == "bools" and arr.ndim >= 1 and arr.size:
        as_list = arr.tolist()
        flat = as_list if arr.ndim == 1 else as_list[0]
        flat[0] = True
        return as_list
    return arr


other_arrays = st.sampled_from(
    [
        np.zeros(3, dtype=bool),
        np.arange(3.0),
        np.array([0, 1, 2], dtype=object),
        np.array([2**64, 0], dtype=object),
        np.array(["a", "b"]),
        [0, 2**64],
        [[0, 1], [0]],
        [],
        np.array(3),
        "012",
    ]
)
any_array = st.one_of(int_array(), int_array(perm=True), other_arrays)
perm_array = int_array(perm=True)
orders_perm = st.sampled_from(["lex", "mr", "sjt", "heap", "bogus", 3])
orders_comb = st.sampled_from(["lex", "colex", "revolving_door", "bogus", None])


def calls(*args: Any, **kwargs: Any) -> Any:
    """A strategy of ``(args, kwargs)`` from one strategy per argument."""
    return st.tuples(st.tuples(*args), st.fixed_dictionaries(kwargs))


def maybe(strategy: Any) -> Any:
    return st.one_of(st.none(), strategy)


# --- oracles ----------------------------------------------------------------------


def _rows(p: Any) -> np.ndarray:
    return np.asarray(np.ma.getdata(p) if np.ma.isMaskedArray(p) else p, dtype=np.int64)


def check_inverse(res: Any, p: Any) -> None:
    if _rows(p).size == 0:
        return
    rows = _rows(p).reshape(-1, _rows(p).shape[-1])
    got = np.asarray(res).reshape(rows.shape)
    for row, inv in zip(rows, got):
        assert np.array_equal(row[inv.astype(np.int64)], np.arange(row.size))


def check_compose(res: Any, p: Any, q: Any) -> None:
    a, b = np.broadcast_arrays(_rows(p), _rows(q))
    expect = np.take_along_axis(a, b, axis=-1)
    assert np.array_equal(np.asarray(res, dtype=np.int64), expect)


def check_is_permutation(res: Any, p: Any) -> None:
    if isinstance(p, (list, np.ndarray)) and np.asarray(p, dtype=object).size == 0:
        return
    rows = np.asarray(p, dtype=object)
    rows = rows.reshape(-1, rows.shape[-1])
    expect = [sorted(int(v) for v in r) == list(range(len(r))) for r in rows]
    assert np.asarray(res).reshape(-1).tolist() == expect


def check_sign(res: Any, p: Any) -> None:
    if _rows(p).size == 0:
        return
    rows = _rows(p).reshape(-1, _rows(p).shape[-1])
    expect = [
        (-1) ** sum(1 for i in range(len(r)) for j in range(i + 1, len(r)) if r[i] > r[j])
        for r in rows
    ]
    assert np.asarray(res).reshape(-1).tolist() == expect


def check_count(fn: Callable[..., int]) -> Callable[..., None]:
    def check(res: int, *args: Any) -> None:
        if all(isinstance(a, int) and a <= 300 for a in args if not isinstance(a, list)):
            assert res == fn(*args)

    return check


def check_multinomial(res: int, counts: Any) -> None:
    counts = [int(c) for c in counts]
    if sum(counts) <= 300:
        expect = math.factorial(sum(counts))
        for c in counts:
            expect //= math.factorial(c)
        assert res == expect


def check_permutation(res: Any, x: Any, *rest: Any, **kw: Any) -> None:
    if isinstance(x, (int, np.integer)):
        assert sorted(np.asarray(res).tolist()) == list(range(int(x)))


def check_index_shuffle(res: Any, *args: Any, **kw: Any) -> None:
    assert sorted(res) == list(range(len(res)))


# --- class and multi-step probes ----------------------------------------------------


def index_shuffle_probe(n: Any, seed: Any, index: Any) -> list:
    s = permkit.IndexShuffle(n, seed)
    with contextlib.suppress(*DOCUMENTED):
        s[index]
    with contextlib.suppress(*DOCUMENTED):
        s.inverse(index)
    with contextlib.suppress(*DOCUMENTED):
        permkit.IndexShuffle.from_key(n, index)
    return list(s) if s.n <= 64 else [0]


def permutation_probe(p: Any, other: Any) -> Any:
    a = permkit.Permutation(p)
    b = permkit.Permutation(other)
    (a @ b).cycles()
    return (~a).order()


def enumeration_probe(factory: Any, a: Any, b: Any, state_key: Any, state_value: Any) -> Any:
    e = factory()
    e[a:b]
    with contextlib.suppress(*DOCUMENTED):
        e[a]
    bad = e.__getstate__()
    bad[state_key] = state_value
    tampered = permkit.Enumeration.__new__(permkit.Enumeration)
    try:
        tampered.__setstate__(bad)
    except DOCUMENTED:
        return None
    assert tampered[:2].count <= 2
    return tampered[:2].to_numpy()


enumeration_factories = st.sampled_from(
    [
        lambda: permkit.permutations(5),
        lambda: permkit.permutations(10**5),
        lambda: permkit.combinations(2**40, 3),
        lambda: permkit.arrangements(2**40, 2),
        lambda: permkit.derangements(6),
        lambda: permkit.multiset_permutations(counts=[2, 3]),
    ]
)
enumeration_field = st.sampled_from(
    ["_kind", "_n", "_k", "_counts", "_lo", "_hi", "_chunk", "_dtype", "_values", "_total"]
)
enumeration_value = st.one_of(
    hostile_int, junk, st.sampled_from([np.dtype(np.uint8), "permutations/heap", (1, -1)])
)


def generator_probe(cls: Any, seed: Any, key: Any, state: Any) -> Any:
    g = cls(seed)
    with contextlib.suppress(*DOCUMENTED):
        cls(key=key)
    with contextlib.suppress(*DOCUMENTED):
        g.state = state
    blob = pickle.dumps(g)
    return pickle.loads(blob).random_raw(2)


state_dicts = st.one_of(
    junk,
    st.fixed_dictionaries(
        {
            "bit_generator": st.sampled_from(["Squares64", "Squares32", "Philox4x32", "PCG64"]),
            "state": st.one_of(
                junk,
                st.fixed_dictionaries(
                    {"key": st.one_of(hostile_int, junk), "counter": st.one_of(hostile_int, junk)}
                ),
            ),
        }
    ),
)


def shuffle_probe(x: Any, seed: Any, axis: Any) -> Any:
    permkit.shuffle(x, seed, axis=axis)
    return x


def permutation_test_probe(x: Any, y: Any, statistic: Any, kind: Any) -> Any:
    return stats.permutation_test((x, y), statistic, permutation_type=kind)


small_samples = st.one_of(
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), max_size=6),
    int_array(max_n=5),
    junk,
)


def sampler_probe(n: Any, seed: Any, rank: Any, world: Any, state: Any) -> Any:
    from permkit import data

    s = data.ShuffleSampler(n, seed=seed, rank=rank, world_size=world)
    with contextlib.suppress(*DOCUMENTED):
        s.load_state_dict(state)
    return list(itertools.islice(s, 5))


def load_dataset_probe(name: Any) -> Any:
    from permkit import datasets

    return datasets.load(name)


def path_probe(name: Any) -> Any:
    from permkit import datasets

    return datasets.path(name)


class Sized:
    """A dataset stand-in whose ``len()`` is any (hostile) value."""

    def __init__(self, length: Any) -> None:
        self.length = length

    def __len__(self) -> Any:
        return self.length

    def __repr__(self) -> str:
        return f"Sized({self.length!r})"


sized = st.one_of(
    st.builds(Sized, st.one_of(st.integers(-2, 40), hostile_int, junk)), junk, any_array
)
sampler_state = st.one_of(
    junk, st.dictionaries(st.text(max_size=8), st.one_of(hostile_int, junk), max_size=3)
)


def distributed_sampler_probe(
    dataset: Any, replicas: Any, rank: Any, seed: Any, shards: Any, state: Any, **kw: Any
) -> Any:
    from permkit import data

    s = data.DistributedSampler(dataset, replicas, rank, seed=seed, shards=shards, **kw)
    with contextlib.suppress(*DOCUMENTED):
        s.load_state_dict(state)
    head = list(itertools.islice(s, 5))
    assert len(head) == min(5, len(s))
    return head


def random_sampler_probe(source: Any, replacement: Any, num_samples: Any, state: Any) -> Any:
    from permkit import data

    s = data.RandomSampler(source, replacement, num_samples)
    with contextlib.suppress(*DOCUMENTED):
        s.load_state_dict(state)
    head = list(itertools.islice(s, 5))
    assert all(0 <= v < len(source) for v in head)
    return head


def shard_shuffle_probe(sizes: Any, seed: Any, index: Any, **kw: Any) -> Any:
    from permkit import data

    order = data.ShardShuffle(sizes, seed, **kw)
    with contextlib.suppress(*DOCUMENTED):
        order[index]
    with contextlib.suppress(*DOCUMENTED):
        order.inverse(index)
    if order.n <= 64:
        assert sorted(np.asarray(order[:]).tolist()) == list(range(order.n))
    return order.n


def buffer_shuffle_probe(name: str) -> Callable[..., Any]:
    """Runs ``permkit.data.<name>`` to the end: a shuffle of the items."""

    def probe(items: Any, buffer_size: Any, seed: Any, **kw: Any) -> Any:
        from permkit import data

        out = list(getattr(data, name)(items, buffer_size, seed, **kw))
        assert sorted(out) == sorted(items)
        return out

    return probe


def check_fisher_2x2_only(res: Any, table: Any, alternative: Any = None, **kw: Any) -> None:
    """A 2 x 2 table of counts with the default method: scipy's exact answer."""
    import scipy.stats

    if kw.get("method") is not None or np.asarray(table, dtype=object).shape != (2, 2):
        return
    if sum(int(v) for row in np.asarray(table).tolist() for v in row) > 10**4:
        return  # scipy's own answer would take long
    expect = scipy.stats.fisher_exact(table, alternative or "two-sided")
    assert type(res.statistic) is np.float64 and type(res.pvalue) is np.float64
    np.testing.assert_allclose(
        [res.statistic, res.pvalue], [expect.statistic, expect.pvalue], rtol=1e-9, equal_nan=True
    )


def check_shift_ci(res: Any, x: Any, y: Any = None, *rest: Any, **kw: Any) -> None:
    """Two independent finite samples: the estimate is the median of all x_i - y_j."""
    if kw.get("paired") or y is None:
        return
    diffs = np.subtract.outer(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    if diffs.size and np.isfinite(diffs).all():
        np.testing.assert_allclose(res.estimate, np.median(diffs), rtol=1e-9, atol=1e-12)


def patch_scipy_probe(x: Any, y: Any) -> Any:
    """Patch, run scipy's test on hostile samples, always unpatch; scipy is then restored."""
    import scipy.stats

    original = scipy.stats.permutation_test
    try:
        with stats.patch_scipy():
            assert scipy.stats.permutation_test is not original
            with contextlib.suppress(*DOCUMENTED):
                scipy.stats.permutation_test(
                    (x, y), lambda a, b: np.mean(a) - np.mean(b), n_resamples=99
                )
    finally:
        stats.unpatch_scipy()
    assert scipy.stats.permutation_test is original


def unpatch_scipy_probe(patched: bool) -> None:
    import scipy.stats

    original = scipy.stats.permutation_test
    if patched:
        stats.patch_scipy()
    stats.unpatch_scipy()
    stats.unpatch_scipy()  # a second call is a no-op
    assert scipy.stats.permutation_test is original


small_tables = st.lists(
    st.lists(
        st.one_of(st.integers(0, 30), st.sampled_from([0, 1, 2**31, 2**62 - 1, 2**62])),
        min_size=2,
        max_size=2,
    ),
    min_size=2,
    max_size=2,
)
hostile_tables = st.one_of(
    any_array,
    st.lists(
        st.lists(st.one_of(hostile_int, junk), min_size=1, max_size=3), min_size=1, max_size=3
    ),
    st.lists(st.lists(st.floats(width=32), min_size=2, max_size=2), min_size=2, max_size=2),
    junk,
)
METHODS = [
    scipy.stats.PermutationMethod(),
    scipy.stats.MonteCarloMethod(),
    scipy.stats.MonteCarloMethod(rvs=np.random.default_rng(0).random),
]
alternatives = st.one_of(st.sampled_from(["two-sided", "less", "greater", "bogus"]), junk)


finite_sample = st.lists(st.floats(-1e6, 1e6, width=32), min_size=1, max_size=7)


@st.composite
def maxt_data(draw: Any) -> Any:
    """Valid maxt arguments: n observations of m finite variables and two-group labels."""
    n = draw(st.integers(4, 9))
    m = draw(st.integers(1, 3))
    value = st.floats(-1e6, 1e6, width=32)
    data = np.array(draw(st.lists(st.lists(value, min_size=m, max_size=m), min_size=n, max_size=n)))
    first = draw(st.integers(2, n - 2))
    labels = draw(st.permutations([0] * first + [1] * (n - first)))
    return data, labels


# --- the registry ------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """How to fuzz one public callable: ``strategy`` draws ``(args, kwargs)``;
    ``call`` (default: the public callable itself) is what runs them."""

    strategy: Any
    check: Callable[..., None] | None = None
    risky: bool = False
    call: Callable[..., Any] | None = None


A = any_array
REGISTRY: dict[str, Case] = {
    # algebra
    "permkit.compose": Case(calls(A, A), check_compose),
    "permkit.inverse": Case(calls(A), check_inverse),
    "permkit.is_permutation": Case(calls(st.one_of(A, int_array(max_n=3))), check_is_permutation),
    "permkit.sign": Case(calls(A), check_sign),
    "permkit.inversions": Case(calls(A)),
    "permkit.order": Case(calls(A)),
    "permkit.cycle_type": Case(calls(A)),
    "permkit.power": Case(calls(A, st.one_of(hostile_int, junk))),
    "permkit.lehmer_code": Case(calls(A)),
    "permkit.from_lehmer": Case(calls(A)),
    "permkit.Permutation": Case(calls(A, A), call=permutation_probe),
    # distances
    "permkit.distance.cayley": Case(calls(A, A)),
    "permkit.distance.footrule": Case(calls(A, A)),
    "permkit.distance.hamming": Case(calls(A, A)),
    "permkit.distance.kendall_tau": Case(calls(A, A)),
    "permkit.distance.ulam": Case(calls(A, A)),
    # counting
    "permkit.count.permutations": Case(
        calls(count_arg, maybe(st.integers(0, 40))), check_count(math.perm)
    ),
    "permkit.count.combinations": Case(
        calls(count_arg, st.one_of(st.integers(0, 40), count_arg)), check_count(math.comb)
    ),
    "permkit.count.multiset_permutations": Case(
        calls(st.lists(st.one_of(count_arg, st.integers(0, 30)), max_size=4)), check_multinomial
    ),
    "permkit.count.derangements": Case(calls(st.one_of(st.integers(-3, 300), size_arg))),
    "permkit.count.involutions": Case(calls(st.one_of(st.integers(-3, 300), size_arg))),
    # ranking
    "permkit.rank": Case(calls(A, order=orders_perm)),
    "permkit.unrank": Case(
        calls(st.one_of(hostile_int, A), size_arg, order=orders_perm), risky=True
    ),
    "permkit.rank_combination": Case(calls(A, count_arg, order=orders_comb)),
    "permkit.unrank_combination": Case(
        calls(st.one_of(hostile_int, A), count_arg, size_arg, order=orders_comb), risky=True
    ),
    "permkit.rank_arrangement": Case(calls(A, count_arg)),
    "permkit.unrank_arrangement": Case(
        calls(st.one_of(hostile_int, A), count_arg, size_arg), risky=True
    ),
    "permkit.rank_multiset_permutation": Case(
        calls(A, maybe(st.lists(st.one_of(count_arg, st.integers(0, 4)), max_size=4)))
    ),
    "permkit.unrank_multiset_permutation": Case(
        calls(st.one_of(hostile_int, A), st.lists(st.one_of(size_arg), max_size=4)), risky=True
    ),
    # enumeration
    "permkit.permutations": Case(calls(size_arg, start=hostile_int, order=orders_perm), risky=True),
    "permkit.combinations": Case(calls(count_arg, count_arg, stop=maybe(hostile_int)), risky=True),
    "permkit.arrangements": Case(calls(count_arg, count_arg, chunk=size_arg), risky=True),
    "permkit.derangements": Case(calls(size_arg, start=hostile_int), risky=True),
    "permkit.multiset_permutations": Case(
        calls(maybe(A), counts=maybe(st.lists(count_arg, max_size=3)))
    ),
    "permkit.Enumeration": Case(
        calls(
            enumeration_factories,
            hostile_int,
            maybe(hostile_int),
            enumeration_field,
            enumeration_value,
        ),
        call=enumeration_probe,
        risky=True,
    ),
    # random streams and shuffles
    "permkit.Squares64": Case(
        calls(st.just(permkit.Squares64), seed_arg, st.one_of(hostile_int, junk), state_dicts),
        call=generator_probe,
    ),
    "permkit.Squares32": Case(
        calls(st.just(permkit.Squares32), seed_arg, st.one_of(hostile_int, junk), state_dicts),
        call=generator_probe,
    ),
    "permkit.Philox4x32": Case(
        calls(st.just(permkit.Philox4x32), seed_arg, st.one_of(hostile_int, junk), state_dicts),
        call=generator_probe,
    ),
    "permkit.squares_key_from_seed": Case(calls(seed_arg)),
    "permkit.permutation": Case(calls(st.one_of(size_arg, A), shuffle_seed_arg), check_permutation),
    "permkit.permuted": Case(calls(A, shuffle_seed_arg, axis=maybe(hostile_int))),
    "permkit.shuffle": Case(
        calls(A, shuffle_seed_arg, st.one_of(hostile_int, junk)), call=shuffle_probe
    ),
    "permkit.IndexShuffle": Case(
        calls(count_arg, seed_arg, st.one_of(hostile_int, A)),
        check_index_shuffle,
        call=index_shuffle_probe,
    ),
    # exact tests
    "permkit.stats.permutation_test": Case(
        calls(
            small_samples,
            small_samples,
            st.sampled_from(["mean_diff", "t", "pearson", "bogus", None]),
            st.sampled_from(["independent", "samples", "pairings", "bogus"]),
        ),
        call=permutation_test_probe,
    ),
    "permkit.stats.fisher_exact": Case(
        st.one_of(
            calls(small_tables, alternatives),
            calls(hostile_tables, alternatives, method=st.one_of(junk, st.sampled_from(METHODS))),
        ),
        check_fisher_2x2_only,
        risky=True,
    ),
    "permkit.stats.maxt": Case(
        st.one_of(
            maxt_data().flatmap(
                lambda dl: calls(
                    st.just(dl[0]),
                    st.just(dl[1]),
                    statistic=st.sampled_from(["t", "welch_t", "mean_diff"]),
                    alternative=st.sampled_from(["two-sided", "less", "greater"]),
                    n_resamples=st.sampled_from([9, 99, 1e3]),
                    exact=st.one_of(st.none(), st.booleans()),
                    rng=seed_arg,
                )
            ),
            calls(
                st.one_of(
                    small_samples,
                    st.lists(st.lists(st.floats(width=32), min_size=2, max_size=2), max_size=6),
                    int_array(max_n=6),
                ),
                st.one_of(A, st.lists(st.sampled_from([0, 1, 2, "a"]), max_size=6), junk),
                statistic=st.sampled_from(["t", "welch_t", "mean_diff", "bogus", None]),
                alternative=alternatives,
                n_resamples=st.one_of(
                    size_arg, st.sampled_from([99, 1e3, float("inf"), float("nan")])
                ),
                exact=st.one_of(st.none(), st.booleans(), junk),
                rng=seed_arg,
                axis=st.one_of(hostile_int, junk),
            ),
        ),
        risky=True,
    ),
    "permkit.stats.shift_ci": Case(
        st.one_of(
            calls(
                finite_sample,
                maybe(finite_sample),
                st.floats(0.5, 0.99),
                paired=st.booleans(),
                alternative=st.sampled_from(["two-sided", "less", "greater"]),
            ),
            calls(
                small_samples,
                maybe(small_samples),
                st.one_of(st.floats(-1, 2), junk),
                paired=st.one_of(st.booleans(), junk),
                alternative=alternatives,
            ),
        ),
        check_shift_ci,
        risky=True,
    ),
    "permkit.stats.patch_scipy": Case(calls(small_samples, small_samples), call=patch_scipy_probe),
    "permkit.stats.unpatch_scipy": Case(calls(st.booleans()), call=unpatch_scipy_probe),
    "permkit.stats.ScipyPatch": Case(
        calls(), call=lambda: stats.ScipyPatch().__exit__(None, None, None)
    ),
    "permkit.stats.SignificanceResult": Case(calls(junk, junk)),
    "permkit.stats.ConfidenceInterval": Case(calls(junk, junk)),
    "permkit.stats.MaxTResult": Case(calls(*[junk] * 6)),
    "permkit.stats.ShiftCIResult": Case(calls(*[junk] * 5)),
    "permkit.stats.NullHistogram": Case(calls(junk), call=lambda x: stats.NullHistogram(x)),
    "permkit.stats.PermutationTestResult": Case(
        calls(junk), call=lambda x: stats.PermutationTestResult(x)
    ),
    # data loading
    "permkit.data.ShuffleSampler": Case(
        calls(
            count_arg,
            seed_arg,
            st.one_of(hostile_int, junk),
            st.one_of(hostile_int, junk),
            st.one_of(junk, st.dictionaries(st.text(max_size=8), st.one_of(hostile_int, junk))),
        ),
        call=sampler_probe,
    ),
    "permkit.data.DistributedSampler": Case(
        st.one_of(
            st.integers(1, 4).flatmap(
                lambda world: calls(
                    st.builds(Sized, st.integers(0, 40)),
                    st.just(world),
                    st.integers(0, world - 1),
                    st.integers(0, 2**64 - 1),
                    maybe(st.lists(st.integers(0, 9), min_size=1, max_size=4)),
                    sampler_state,
                    shuffle=st.booleans(),
                    drop_last=st.booleans(),
                    even=st.booleans(),
                )
            ),
            calls(
                sized,
                maybe(st.one_of(hostile_int, junk)),
                maybe(st.one_of(hostile_int, junk)),
                seed_arg,
                maybe(st.one_of(st.lists(size_arg, max_size=4), int_array(max_n=4))),
                sampler_state,
                shuffle=st.one_of(st.booleans(), junk),
                drop_last=st.one_of(st.booleans(), junk),
                even=st.one_of(st.booleans(), junk),
                shard_block_size=size_arg,
            ),
        ),
        call=distributed_sampler_probe,
        risky=True,
    ),
    "permkit.data.RandomSampler": Case(
        calls(sized, st.one_of(st.booleans(), junk), maybe(size_arg), sampler_state),
        call=random_sampler_probe,
        risky=True,
    ),
    "permkit.data.ShardShuffle": Case(
        calls(
            st.one_of(st.lists(size_arg, max_size=5), int_array(max_n=5), junk),
            seed_arg,
            st.one_of(hostile_int, A, junk),
            epoch=st.one_of(hostile_int, junk),
            block_size=size_arg,
        ),
        call=shard_shuffle_probe,
        risky=True,
    ),
    "permkit.data.BufferShuffle": Case(
        calls(
            st.lists(st.integers(-5, 5), max_size=12),
            size_arg,
            seed_arg,
            epoch=st.one_of(hostile_int, junk),
        ),
        call=buffer_shuffle_probe("BufferShuffle"),
    ),
    "permkit.data.buffer_shuffle": Case(
        calls(
            st.lists(st.integers(-5, 5), max_size=12),
            size_arg,
            seed_arg,
            epoch=st.one_of(hostile_int, junk),
        ),
        call=buffer_shuffle_probe("buffer_shuffle"),
    ),
    "permkit.datasets.load": Case(
        calls(st.one_of(junk, st.sampled_from(["darwin_zea_mays", "nope", "../x"]))),
        call=load_dataset_probe,
    ),
    "permkit.datasets.path": Case(
        calls(st.one_of(junk, st.sampled_from(["darwin_zea_mays", "nope", "../x"]))),
        call=path_probe,
    ),
}


# --- the public API ----------------------------------------------------------------

PUBLIC_MODULES = ["permkit", "permkit.count", "permkit.distance", "permkit.stats"]
OPTIONAL_MODULES = ["permkit.data", "permkit.datasets"]


def public_callables() -> set[str]:
    """Every callable named in the ``__all__`` of the public namespaces."""
    import importlib
    import types

    names = set()
    for modname in PUBLIC_MODULES + OPTIONAL_MODULES:
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if isinstance(obj, types.ModuleType) or not callable(obj):
                continue
            names.add(f"{modname}.{name}")
    return names


def resolve(qualname: str) -> Any:
    import importlib

    modname, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(modname), name)


def run_case(qualname: str, case: Case, call_args: tuple) -> Any:
    """One call: returns the result, or None after a documented exception."""
    args, kwargs = call_args
    target = case.call or resolve(qualname)
    fired = []

    def on_alarm(signum: int, frame: Any) -> None:
        fired.append(True)
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, BOUND)
    try:
        start = time.monotonic()
        try:
            result = target(*args, **kwargs)
        except DOCUMENTED:
            return None
        except BaseException as exc:
            if fired:
                raise AssertionError(
                    f"{qualname}{args!r:.300} {kwargs!r:.200} ran past {BOUND} s"
                ) from None
            raise AssertionError(
                f"{qualname}{args!r:.300} {kwargs!r:.200} raised an undocumented "
                f"{type(exc).__module__}.{type(exc).__name__}: {exc}"
            ) from exc
        assert time.monotonic() - start < BOUND
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if case.check is not None:
        case.check(result, *args, **kwargs)
    return result


# --- the tests -------------------------------------------------------------------------


def test_registry_covers_the_public_api() -> None:
    public = public_callables()
    missing = sorted(public - set(REGISTRY))
    stale = sorted(set(REGISTRY) - public)
    assert not missing, (
        f"public callables without fuzzing strategies: {missing}; add one entry each to "
        "REGISTRY in tests/test_fuzz_public.py (see its docstring)"
    )
    assert not stale, f"REGISTRY names that are no longer public: {stale}"


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def fuzz_entry(qualname: str, examples: int) -> None:
    """Runs ``examples`` hostile calls of one registry entry."""
    case = REGISTRY[qualname]

    @settings(FUZZ_SETTINGS, max_examples=examples)
    @given(case.strategy)
    def run(call_args: tuple) -> None:
        run_case(qualname, case, call_args)

    run()


@pytest.mark.parametrize("qualname", sorted(n for n, c in REGISTRY.items() if not c.risky))
def test_hostile_calls_return_or_raise_documented(qualname: str) -> None:
    fuzz_entry(qualname, EXAMPLES)


@pytest.mark.parametrize("qualname", sorted(n for n, c in REGISTRY.items() if c.risky))
def test_hostile_calls_never_abort(qualname: str) -> None:
    """Risky entries (calls that allocate from their arguments) in a child
    process: an abort or a crash shows as a negative exit status instead of
    ending the test run."""
    code = (
        "import sys\n"
        f"sys.path.insert(0, {os.path.dirname(__file__)!r})\n"
        "import test_fuzz_public\n"
        f"test_fuzz_public.fuzz_entry({qualname!r}, {EXAMPLES})\n"
        "print('ok')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=20 * BOUND
    )
    assert proc.returncode == 0 and proc.stdout.strip().endswith("ok"), (
        f"exit status {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    )
