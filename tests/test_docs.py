"""Every docstring example in the public modules runs and shows what it claims."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import permkit

PUBLIC_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(permkit.__path__, prefix="permkit.")
    if not info.name.startswith("permkit._native") and info.name != "permkit.__main__"
)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
