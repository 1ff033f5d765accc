"""The permkit command line: --version and the info subcommand."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import permkit
from permkit.cli import main


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"permkit {permkit.__version__}"


def test_info_one_line_and_cycles_agree(capsys):
    assert main(["info", "2", "0", "1", "4", "3", "5", "--json"]) == 0
    from_images = json.loads(capsys.readouterr().out)
    assert main(["info", "(0 2 1)(3 4)", "-n", "6", "--json"]) == 0
    from_cycles = json.loads(capsys.readouterr().out)
    assert from_images == from_cycles
    assert (
        from_images["order"] == 6 and from_images["sign"] == -1 and from_images["inversions"] == 3
    )
    assert from_images["cycles"] == [[0, 2, 1], [3, 4]] and from_images["fixed_points"] == 1


def test_info_table_output(capsys):
    assert main(["info", "1,0,2"]) == 0
    out = capsys.readouterr().out
    assert "cycles        (0 1)" in out and "sign          -1 (odd)" in out


@pytest.mark.parametrize(
    "argv, words",
    [
        (["info", "0", "0", "1"], "appears more than once"),
        (["info", "(0 1"], "cannot read"),
        (["info", "(0 1)x"], "cannot read"),
        (["info", "0", "1", "-n", "3"], "does not match"),
        (["info", "(0 5)", "-n", "3"], "out of range"),
    ],
)
def test_info_bad_input_exits_2_with_message(capsys, argv, words):
    assert main(argv) == 2
    assert words in capsys.readouterr().err


def test_console_entry_point_runs_as_module():
    out = subprocess.run(
        [sys.executable, "-m", "permkit", "info", "1", "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "involution    yes" in out.stdout
