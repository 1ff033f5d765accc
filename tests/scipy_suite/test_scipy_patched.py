"""scipy's own tests of the scipy.stats functions that run permutation tests, run
with ``permkit.stats.patch_scipy()`` in effect (installed scipy's test classes,
subclassed unchanged)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
import scipy
import scipy.stats

from permkit.stats import patch_scipy


def _scipy_tests(name: str) -> Any:
    return importlib.import_module(f"scipy.stats.tests.{name}")


# The test classes are scipy 1.17's; scipy's tests may also be stripped from an install.
if tuple(int(part) for part in scipy.__version__.split(".")[:2]) < (1, 17):
    pytest.skip("scipy's own tests are run from scipy >= 1.17", allow_module_level=True)
pytest.importorskip("scipy.stats.tests.test_resampling", reason="scipy installed without tests")

_correlation = _scipy_tests("test_correlation")
_morestats = _scipy_tests("test_morestats")
_hypotests = _scipy_tests("test_hypotests")
_stats = _scipy_tests("test_stats")
_contingency = _scipy_tests("test_contingency")


#: Tests whose tolerance is tuned to scipy's own Monte Carlo stream (permkit's stream is
#: different by design): the measured deviation of permkit's Monte Carlo p-value from the
#: reference, in Monte Carlo standard errors (sqrt(p(1-p)/n_resamples); two-sided
#: p = 2 min(one-sided), SE 2 sqrt(q(1-q)/n) with q = p/2), largest over the slices.
MONTE_CARLO_TOLERANCE = {
    "TestChatterjeeXi::test_permutation_asymptotic[True]": 1.34,
    "TestAndersonKSamp::test_example2a": 1.00,  # xslow
    "TestPearsonr::test_resampling_pvalue[permutation-less]": 1.01,
    "TestPearsonr::test_resampling_pvalue[permutation-greater]": 0.97,
    "TestPearsonr::test_resampling_pvalue[permutation-two-sided]": 1.01,
    "Test_ttest_ind_permutations::test_permutation_method[shape1-greater]": 0.82,
    "Test_ttest_ind_permutations::test_permutation_method[shape1-two-sided]": 0.82,
}


@pytest.fixture(autouse=True)
def _patched(request: pytest.FixtureRequest) -> Iterator[None]:
    name = f"{request.node.cls.__name__}::{request.node.name}"
    if name in MONTE_CARLO_TOLERANCE:
        pytest.skip(
            "tolerance tuned to scipy's Monte Carlo stream; permkit's p-value is "
            f"{MONTE_CARLO_TOLERANCE[name]} standard errors from the reference"
        )
    with patch_scipy():
        assert scipy.stats.permutation_test.__module__ == "permkit.stats"
        yield
    assert scipy.stats.permutation_test.__module__ == "scipy.stats._resampling"


class TestSpearmanRho(_correlation.TestSpearmanRho):  # type: ignore[misc,name-defined]
    pass


class TestChatterjeeXi(_correlation.TestChatterjeeXi):  # type: ignore[misc,name-defined]
    pass


class TestWilcoxon(_morestats.TestWilcoxon):  # type: ignore[misc,name-defined]
    pass


class TestAndersonKSamp(_morestats.TestAndersonKSamp):  # type: ignore[misc,name-defined]
    pass


class TestBWSTest(_hypotests.TestBWSTest):  # type: ignore[misc,name-defined]
    pass


class TestMannWhitneyU(_hypotests.TestMannWhitneyU):  # type: ignore[misc,name-defined]
    pass


class TestPearsonr(_stats.TestPearsonr):  # type: ignore[misc,name-defined]
    pass


class Test_ttest_ind_permutations(_stats.Test_ttest_ind_permutations):  # type: ignore[misc,name-defined]
    pass


class TestFisherExact(_stats.TestFisherExact):  # type: ignore[misc,name-defined]
    pass


class TestChi2Contingency(_contingency.TestChi2Contingency):  # type: ignore[misc,name-defined]
    pass
