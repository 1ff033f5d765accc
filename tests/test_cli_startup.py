"""Start-up cost: ``import permkit`` is lazy (PEP 562) and ``permkit shuffle -i`` needs no numpy."""

from __future__ import annotations

import subprocess
import sys

import pytest

import permkit


def run_python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_import_permkit_loads_nothing_heavy():
    assert run_python("import sys, permkit; print(sorted(m for m in ('numpy', 'scipy', 'permkit._native', 'permkit.stats') if m in sys.modules))") == "[]"  # fmt: skip


def test_shuffle_range_without_seed_imports_no_numpy():
    code = (
        "import sys; from permkit.cli import main; "
        "status = main(['shuffle', '-i', '1-1000000000', '-n', '10']); "
        "print(status, 'numpy' in sys.modules, 'permkit._cli.test' in sys.modules)"
    )
    assert run_python(code).splitlines()[-1] == "0 False False"


def test_unseeded_range_is_a_sample_of_the_range():
    out = subprocess.run(
        [sys.executable, "-m", "permkit", "shuffle", "-i", "5-9"], capture_output=True, check=True
    ).stdout.split()
    assert sorted(int(v) for v in out) == [5, 6, 7, 8, 9]


def test_every_public_name_resolves_lazily():
    code = "import permkit; print(*(type(getattr(permkit, n)).__name__ for n in permkit.__all__))"
    assert run_python(code).split() == [type(getattr(permkit, n)).__name__ for n in permkit.__all__]
    assert set(permkit.__all__) <= set(dir(permkit))


def test_lazy_package_keeps_eager_semantics():
    # Importing the submodule permkit.permutation must not hide the function permutation.
    code = (
        "import permkit.permutation, permkit; from permkit import Permutation; "
        "print(callable(permkit.permutation), permkit.Permutation is Permutation, "
        "permkit.data.__name__)"
    )
    assert run_python(code) == "True True permkit.data"
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        permkit.no_such_name  # noqa: B018
    from permkit import IndexShuffle, __version__

    assert IndexShuffle is permkit.IndexShuffle and __version__ == permkit._native.__version__
