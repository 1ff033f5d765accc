"""The public API's inferred types are what its annotations and stubs promise (mypy --strict)."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_API = ROOT / "tests" / "typing" / "public_api.py"


def run_mypy(target: Path, cache_dir: Path) -> tuple[str, int]:
    stdout, stderr, status = mypy_api.run(
        [
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(cache_dir),
            "--no-error-summary",
            "--follow-imports=silent",  # the package's own errors are the lint step's business
            str(target),
        ]
    )
    return stdout + stderr, status


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy_cache")


def test_public_api_types(cache_dir: Path) -> None:
    output, status = run_mypy(PUBLIC_API, cache_dir)
    assert status == 0, output


def test_a_wrong_promise_fails(tmp_path: Path, cache_dir: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "from typing_extensions import assert_type\n"
        "import permkit\n"
        "assert_type(permkit.count.permutations(5), str)\n"
    )
    output, status = run_mypy(wrong, cache_dir)
    assert status == 1
    assert "assert_type" in output or "Expression is of type" in output
