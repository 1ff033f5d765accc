"""scipy's own ``TestPermutationTest`` (from the installed scipy) run against
``permkit.stats.permutation_test``.

The class is subclassed unchanged; an autouse fixture points the test module's
``permutation_test`` and ``scipy.stats.permutation_test`` (which some of its
tests call) at permkit's. Tests marked ``xslow`` run with SCIPY_XSLOW=1.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
import scipy
import scipy.stats

from permkit.stats import permutation_test

# The test classes are scipy 1.17's; scipy's tests may also be stripped from an install.
if tuple(int(part) for part in scipy.__version__.split(".")[:2]) < (1, 17):
    pytest.skip("scipy's own tests are run from scipy >= 1.17", allow_module_level=True)
pytest.importorskip("scipy.stats.tests.test_resampling", reason="scipy installed without tests")

_scipy_tests = importlib.import_module("scipy.stats.tests.test_resampling")


@pytest.fixture(autouse=True)
def _permkit_permutation_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_scipy_tests, "permutation_test", permutation_test)
    monkeypatch.setattr(scipy.stats, "permutation_test", permutation_test)
    yield


class _RaisesWithoutMessage:
    """The pytest module, except that ``raises`` ignores ``match`` (scipy's message text)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(pytest, name)

    @staticmethod
    def raises(expected: Any, *args: Any, match: Any = None, **kwargs: Any) -> Any:
        return pytest.raises(expected, *args, **kwargs)


class TestPermutationTest(_scipy_tests.TestPermutationTest):  # type: ignore[misc,name-defined]
    """scipy 1.17's tests of permutation_test, against permkit."""

    def test_permutation_test_iv(self, xp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        # Same calls, same exception types; only scipy's internal message text is not
        # compared (permkit's messages name the argument and the valid range).
        monkeypatch.setattr(_scipy_tests, "pytest", _RaisesWithoutMessage())
        super().test_permutation_test_iv(xp)
