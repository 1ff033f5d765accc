"""Every example in the docstrings, the README and docs/*.md runs and shows what it claims.

Markdown convention (documented in docs/contributing.md):

- fenced ```` ```python ```` blocks are executed, each file's blocks in order and sharing
  one namespace, like a notebook;
- a block whose lines start with ``>>>`` is checked as a doctest (its other lines are the
  expected output);
- a block preceded by the line ``<!-- no-run -->`` is not executed (for examples that need
  a GPU, a cluster or huge memory);
- ```` ```sh ```` and other blocks are not executed.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest

import permkit

ROOT = Path(__file__).resolve().parent.parent
DOCTEST_FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
NO_RUN_MARKER = "<!-- no-run -->"

PUBLIC_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(permkit.__path__, prefix="permkit.")
    if not info.name.startswith("permkit._native") and info.name != "permkit.__main__"
)
MARKDOWN_FILES = sorted(
    path.relative_to(ROOT).as_posix()
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    if path.is_file()
)

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """The ``(first line number, source)`` of each runnable ```python block of a Markdown text."""
    blocks: list[tuple[int, str]] = []
    lines = text.splitlines()
    previous = ""  # the last non-blank line before the current one
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            line = lines[i]
            body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
            i += 1
        start = i - len(body) + 1  # 1-based number of the block's first line
        if opening["info"] == "python" and previous != NO_RUN_MARKER:
            blocks.append((start, "\n".join(body) + "\n"))
        previous = fence
        i += 1
    return blocks


def run_block(source: str, namespace: dict[str, Any], where: str) -> None:
    """Run one block in ``namespace``: as a doctest if it has ``>>>`` lines, else as a script."""
    if any(line.lstrip().startswith(">>>") for line in source.splitlines()):
        test = doctest.DocTestParser().get_doctest(source, namespace, where, where, 0)
        runner = doctest.DocTestRunner(optionflags=DOCTEST_FLAGS)
        runner.run(test, clear_globs=False)
        namespace.update(test.globs)  # DocTest ran on a copy; later blocks see its names
        assert runner.failures == 0, f"{runner.failures} doctest example(s) failed in {where}"
    else:
        exec(compile(source, where, "exec"), namespace)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=DOCTEST_FLAGS)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


@pytest.mark.parametrize("relpath", MARKDOWN_FILES)
def test_markdown_examples(relpath: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for line, source in python_blocks((ROOT / relpath).read_text(encoding="utf-8")):
        run_block(source, namespace, f"{relpath}:{line}")


def test_markdown_convention() -> None:
    """The block finder runs ```python blocks, skips marked ones and leaves ```sh alone."""
    text = "\n".join(
        [
            "```python",
            "x = 1",
            "```",
            "<!-- no-run -->",
            "",
            "```python",
            "raise SystemExit",
            "```",
            "```sh",
            "rm -rf /",
            "```",
            "````python",
            ">>> x + 1",
            "2",
            "````",
        ]
    )
    blocks = python_blocks(text)
    assert [source for _, source in blocks] == ["x = 1\n", ">>> x + 1\n2\n"]
    assert [line for line, _ in blocks] == [2, 13]
    namespace: dict[str, Any] = {}
    for line, source in blocks:
        run_block(source, namespace, f"convention:{line}")
    run_block(">>> y = x + 1\n", namespace, "convention:assign")
    run_block("assert y == 2\n", namespace, "convention:shared")
    with pytest.raises(AssertionError, match="1 doctest example"):
        run_block(">>> x + 1\n3\n", namespace, "convention:wrong")
