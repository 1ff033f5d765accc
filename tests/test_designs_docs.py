"""The examples of docs/exact_tests.md's "Designs beyond scipy" sections run as shown."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "exact_tests.md"
MARKER = "## Designs beyond scipy"


def test_designs_examples_run() -> None:
    text = DOC.read_text(encoding="utf-8")
    if MARKER not in text:
        pytest.fail(f"{DOC.name} lost its {MARKER!r} section")
    section = text[text.index(MARKER) :]
    parser = doctest.DocTestParser()
    test = parser.get_doctest(section, {}, "exact_tests.md designs", str(DOC), 0)
    assert len(test.examples) >= 8
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, f"{runner.failures} example(s) failed"
