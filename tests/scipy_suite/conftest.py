"""The installed scipy's own conftest (fixtures such as ``xp``, its markers and
its SCIPY_XSLOW rule), for running scipy's test modules against permkit.

Two global side effects of importing scipy's conftest are undone so that the
rest of permkit's suite is unaffected: it loads a hypothesis profile, and its
``pytest_configure`` switches multiprocessing to the forkserver start method.
"""

from __future__ import annotations

import multiprocessing

import hypothesis
import pytest

_profile = hypothesis.settings.get_current_profile_name()
from scipy import conftest as _scipy_conftest  # noqa: E402
from scipy.conftest import *  # noqa: E402, F403  (scipy's fixtures: xp, devices, ...)

hypothesis.settings.load_profile(_profile)


def pytest_configure(config: pytest.Config) -> None:
    start_method = multiprocessing.get_start_method(allow_none=True)
    _scipy_conftest.pytest_configure(config)  # registers scipy's markers
    multiprocessing.set_start_method(start_method, force=True)


def pytest_runtest_setup(item: pytest.Item) -> None:
    _scipy_conftest.pytest_runtest_setup(item)  # xslow: runs only with SCIPY_XSLOW=1
