"""permkit.stats.fisher_exact: scipy's own tests, brute force over tables, bad input."""

from __future__ import annotations

import importlib
import itertools
import math
import types
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import permkit.stats as pstats
from permkit.stats import fisher_exact

scipy_stats = pytest.importorskip("scipy.stats")

#: Markers scipy's test modules use at import time (registered before importing them).
SCIPY_MARKERS = (
    "slow",
    "xslow",
    "xfail_on_32bit",
    "array_api_backends",
    "skip_xp_backends",
    "xfail_xp_backends",
    "timeout",
    "fail_slow",
    "parallel_threads_limit",
    "thread_unsafe",
    "iterations",
)


def scipy_test_module(config: pytest.Config, name: str = "test_stats") -> Any:
    """One of scipy's installed test modules, importable under --strict-markers."""
    for marker in SCIPY_MARKERS:
        config.addinivalue_line("markers", f"{marker}: used by scipy's own tests")
    return importlib.import_module(f"scipy.stats.tests.{name}")


# --- oracle: every table with the observed margins ---------------------------


def _tables(rows: list[int], cols: list[int]):
    """All non-negative integer tables with these margins (small cases)."""
    if len(rows) == 1:
        yield [list(cols)]
        return
    first = rows[0]

    def fill(j: int, left: int, prefix: list[int]):
        if j == len(cols) - 1:
            if left <= cols[j]:
                yield prefix + [left]
            return
        for v in range(min(left, cols[j]) + 1):
            yield from fill(j + 1, left - v, prefix + [v])

    for row in fill(0, first, []):
        rest = [c - v for c, v in zip(cols, row)]
        for tail in _tables(rows[1:], rest):
            yield [row] + tail


def brute_force_pvalue(table: np.ndarray) -> tuple[float, float]:
    rows = [int(v) for v in table.sum(axis=1)]
    cols = [int(v) for v in table.sum(axis=0)]
    n = sum(rows)

    def logp(t) -> float:
        return (
            sum(math.lgamma(r + 1) for r in rows)
            + sum(math.lgamma(c + 1) for c in cols)
            - math.lgamma(n + 1)
            - sum(math.lgamma(v + 1) for row in t for v in row)
        )

    observed = logp(table.tolist())
    p = sum(
        math.exp(lp)
        for lp in (logp(t) for t in _tables(rows, cols))
        if lp <= observed + math.log1p(1e-7)
    )
    return math.exp(observed), min(p, 1.0)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: (
                st.lists(st.integers(0, 4), min_size=r * c, max_size=r * c)
                .filter(lambda v: sum(v) <= 14)
                .map(lambda v: np.array(v).reshape(r, c))
            )
        )
    )
)
def test_rxc_matches_brute_force(table: np.ndarray) -> None:
    if table.shape == (2, 2):
        res = fisher_exact(table, method=scipy_stats.PermutationMethod())
    else:
        res = fisher_exact(table)
    if not table.any() or (table.sum(axis=1) > 0).sum() < 2 or (table.sum(axis=0) > 0).sum() < 2:
        assert float(res.pvalue) == 1.0
        return
    prob, p = brute_force_pvalue(table)
    assert float(res.pvalue) == pytest.approx(p, rel=1e-9, abs=1e-15)
    assert float(res.statistic) == pytest.approx(prob, rel=1e-9)
    assert isinstance(res.pvalue, np.float64) and isinstance(res.statistic, np.float64)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 60), min_size=4, max_size=4),
    st.sampled_from(["two-sided", "less", "greater"]),
)
def test_2x2_matches_scipy(cells: list[int], alternative: str) -> None:
    table = np.array(cells).reshape(2, 2)
    ours = fisher_exact(table, alternative=alternative)
    ref = scipy_stats.fisher_exact(table, alternative=alternative)
    np.testing.assert_allclose(float(ours.pvalue), float(ref.pvalue), rtol=1e-10, atol=1e-300)
    np.testing.assert_equal(float(ours.statistic), float(ref.statistic))


def test_known_answers_from_r() -> None:
    # R: fisher.test(MP6) (scipy's test_resampling_rxc reference).
    mp6 = [
        [1, 2, 2, 1, 1, 0, 1],
        [2, 0, 0, 2, 3, 0, 0],
        [0, 1, 1, 1, 2, 7, 3],
        [1, 1, 2, 0, 0, 0, 1],
        [0, 1, 1, 1, 1, 0, 0],
    ]
    assert float(fisher_exact(mp6).pvalue) == pytest.approx(0.03928964365533, rel=1e-9)
    # Job satisfaction (Agresti 2002, table 3.9): R gives 0.7827.
    job = [[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]
    assert float(fisher_exact(job).pvalue) == pytest.approx(0.7826849, abs=1e-6)


def test_transpose_and_permutations_do_not_change_the_pvalue() -> None:
    t = np.array([[3, 1, 0, 2], [1, 3, 4, 0], [2, 2, 1, 5]])
    p = float(fisher_exact(t).pvalue)
    assert float(fisher_exact(t.T).pvalue) == pytest.approx(p, rel=1e-12)
    assert float(fisher_exact(t[::-1, [2, 0, 3, 1]]).pvalue) == pytest.approx(p, rel=1e-12)
    # Zero rows/columns play no part.
    padded = np.zeros((4, 5), dtype=int)
    padded[:3, :4] = t
    assert float(fisher_exact(padded).pvalue) == pytest.approx(p, rel=1e-12)


# --- scipy's own TestFisherExact against permkit ----------------------------

#: scipy tests that check something scipy-internal rather than observable behaviour.
_SKIP = {
    "test_resampling_2x2": "asserts bit equality of the table probability with scipy's "
    "gammaln formula (ours agrees to 1e-14 relative); its p-value checks pass in "
    "test_scipy_resampling_2x2_pvalues below",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.function.__name__ != "test_scipy_fisher_exact_suite":
        return
    suite = scipy_test_module(metafunc.config).TestFisherExact
    out = []
    for name in sorted(n for n in dir(suite) if n.startswith("test_")):
        marks = getattr(getattr(suite, name), "pytestmark", [])
        grids = [m.args for m in marks if m.name == "parametrize"]
        if grids:
            ((argname, values),) = grids
            out += [pytest.param(name, {argname: v}, id=f"{name}[{v}]") for v in values]
        else:
            out.append(pytest.param(name, {}, id=name))
    metafunc.parametrize(("name", "kwargs"), out)


@pytest.fixture
def scipy_points_at_permkit(monkeypatch: pytest.MonkeyPatch, pytestconfig: pytest.Config) -> Any:
    module = scipy_test_module(pytestconfig)
    proxy = types.SimpleNamespace(
        **{k: getattr(scipy_stats, k) for k in dir(scipy_stats) if not k.startswith("__")}
    )
    proxy.fisher_exact = fisher_exact
    monkeypatch.setattr(module, "stats", proxy)
    return module.TestFisherExact


def test_scipy_fisher_exact_suite(
    name: str, kwargs: dict[str, Any], scipy_points_at_permkit: Any
) -> None:
    """scipy's TestFisherExact, with its `stats.fisher_exact` pointed at permkit's."""
    if name in _SKIP:
        pytest.skip(_SKIP[name])
    getattr(scipy_points_at_permkit(), name)(**kwargs)


@pytest.mark.parametrize(
    ("module", "suite", "name", "kwargs"),
    [
        (
            "test_hypotests",
            "TestBoschlooExact",
            "test_against_fisher_exact",
            {"alternative": "less"},
        ),
        (
            "test_hypotests",
            "TestBoschlooExact",
            "test_against_fisher_exact",
            {"alternative": "greater"},
        ),
        ("test_contingency", "TestChi2Contingency", "test_exact_permutation", {}),
    ],
)
def test_scipy_tests_using_fisher_exact_as_reference(
    module: str,
    suite: str,
    name: str,
    kwargs: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    pytestconfig: pytest.Config,
) -> None:
    """scipy tests that take fisher_exact as the reference, with permkit's in its place."""
    mod = scipy_test_module(pytestconfig, module)
    proxy = types.SimpleNamespace(
        **{k: getattr(scipy_stats, k) for k in dir(scipy_stats) if not k.startswith("__")}
    )
    proxy.fisher_exact = fisher_exact
    monkeypatch.setattr(mod, "stats", proxy)
    getattr(getattr(mod, suite)(), name)(**kwargs)


def test_scipy_resampling_2x2_pvalues() -> None:
    table = np.asarray([[2, 7], [8, 2]])
    ref = scipy_stats.fisher_exact(table)
    ref_stat = scipy_stats.random_table(table.sum(axis=1), table.sum(axis=0)).pmf(table)
    for method in (scipy_stats.MonteCarloMethod(), scipy_stats.PermutationMethod()):
        res = fisher_exact(table, method=method)
        assert float(res.pvalue) == pytest.approx(float(ref.pvalue), rel=1e-12)
        assert float(res.statistic) == pytest.approx(float(ref_stat), rel=1e-13)


# --- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "kwargs", "error", "match"),
    [
        (np.arange(6), {}, ValueError, "table: .*two dimensions"),
        ([[1, -1], [2, 3]], {}, ValueError, "table: .*nonnegative"),
        ([[1.5, 1], [2, 3]], {}, ValueError, "table: .*non-integer"),
        ([[np.nan, 1], [2, 3]], {}, ValueError, "table: contains NaN"),
        ([[np.inf, 1], [2, 3]], {}, ValueError, "table: .*non-integer"),
        ([["a", "b"], ["c", "d"]], {}, ValueError, "table: "),
        ([[1, 2], [3, 4]], {"alternative": "bigger"}, ValueError, "alternative: "),
        ([[1, 2, 3], [3, 4, 5]], {"alternative": "less"}, ValueError, "alternative: "),
        (np.zeros((0, 2)), {}, ValueError, "at least one row"),
        ([[1, 2], [3, 4]], {"method": "exact"}, ValueError, "method: "),
        ([[2**62, 1], [1, 1]], {}, OverflowError, "table: "),
        ([[2**31, 1, 1], [1, 1, 1]], {}, OverflowError, "table: "),
        ([[2**61, 2**61], [2**61, 2**61]], {}, OverflowError, "table: counts too large"),
    ],
)
def test_bad_input(table: Any, kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        fisher_exact(table, **kwargs)


def test_scipy_rejects_the_same_way() -> None:
    for table, kwargs in [
        (np.arange(6), {}),
        ([[1, -1], [2, 3]], {}),
        ([[1, 2], [3, 4]], {"alternative": "bigger"}),
        ([[1, 2, 3], [3, 4, 5]], {"alternative": "less"}),
        (np.zeros((0, 2)), {}),
        ([[1, 2], [3, 4]], {"method": scipy_stats.BootstrapMethod()}),
    ]:
        with pytest.raises(ValueError):
            scipy_stats.fisher_exact(table, **kwargs)
        with pytest.raises(ValueError):
            fisher_exact(table, **kwargs)


def test_degenerate_tables_match_scipy() -> None:
    for table in ([[0, 0], [5, 10]], [[5, 0], [10, 0]]):
        res = fisher_exact(table)
        assert math.isnan(res.statistic) and res.pvalue == 1.0
    assert fisher_exact([[1, 2, 3]]) == (1.0, 1.0)
    assert fisher_exact(np.zeros((2, 3))) == (1.0, 1.0)
    assert pstats.fisher_exact is fisher_exact
    assert list(itertools.chain(fisher_exact([[1, 2], [3, 4]]))) == list(
        fisher_exact([[1, 2], [3, 4]])
    )
