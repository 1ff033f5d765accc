"""`permkit shuffle` against GNU shuf semantics (/usr/bin/shuf as the oracle where present)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from permkit import IndexShuffle
from permkit.cli import main

SHUF = shutil.which("shuf")
needs_shuf = pytest.mark.skipif(SHUF is None, reason="GNU shuf is not installed")


class _Stream:
    def __init__(self, data: bytes = b"") -> None:
        self.buffer = io.BytesIO(data)

    def write(self, text: str) -> None:
        self.buffer.write(text.encode())

    def flush(self) -> None:
        pass


def permkit_shuffle(*args, stdin=b""):
    """Runs `permkit shuffle ARGS` in this process (the entry point itself is tested below)."""
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = _Stream(stdin), _Stream(), _Stream()
    try:
        code = main(["shuffle", *args])
    except SystemExit as exc:
        code = exc.code
    finally:
        streams = sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = saved
    return subprocess.CompletedProcess(
        args, code, streams[0].buffer.getvalue(), streams[1].buffer.getvalue()
    )


def test_entry_point():
    run = subprocess.run(
        [sys.executable, "-m", "permkit", "shuffle", "-i", "1-5", "--seed", "1"],
        capture_output=True,
    )
    assert run.returncode == 0 and run.stdout == permkit_shuffle("-i", "1-5", "--seed", "1").stdout
    assert sorted(run.stdout.split()) == [b"1", b"2", b"3", b"4", b"5"]


def records(data: bytes, delim: bytes = b"\n"):
    if not data:
        return []
    parts = data.split(delim)
    return parts[:-1] if data.endswith(delim) else parts


INPUTS = [
    b"a\nb\nc\nd\n",
    b"a\nb\nc\nd",  # no final newline: shuf adds one
    b"\n\n\nx\n\n",  # empty lines are lines
    b"",
    b"one line",
    b"dup\ndup\nother\r\ncrlf\r\n",
    bytes(range(256)) * 3 + b"\n\xff\xfe\n",  # not UTF-8
    b"".join(b"line %d\n" % i for i in range(5000)),
]


@needs_shuf
@pytest.mark.parametrize("data", INPUTS)
def test_same_multiset_as_gnu_shuf(tmp_path, data):
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    ours = permkit_shuffle(str(path), "--seed", "5")
    theirs = subprocess.run([SHUF, str(path)], capture_output=True)
    assert ours.returncode == theirs.returncode == 0
    assert Counter(records(ours.stdout)) == Counter(records(theirs.stdout))
    assert len(ours.stdout) == len(theirs.stdout)
    assert ours.stdout.endswith(b"\n") or ours.stdout == b""
    # The order is IndexShuffle(number of lines, seed).
    lines = records(data)
    s = IndexShuffle(len(lines), 5)
    assert records(ours.stdout) == [lines[s[j]] for j in range(len(lines))]
    # stdin and "-" read the same input.
    assert permkit_shuffle("--seed", "5", stdin=data).stdout == ours.stdout
    assert permkit_shuffle("-", "--seed", "5", stdin=data).stdout == ours.stdout


@needs_shuf
@pytest.mark.parametrize("count", ["0", "1", "3", "100"])
def test_head_count_like_shuf(tmp_path, count):
    path = tmp_path / "in.txt"
    data = b"".join(b"%d\n" % i for i in range(50))
    path.write_bytes(data)
    ours = records(permkit_shuffle(str(path), "-n", count, "--seed", "1").stdout)
    theirs = records(subprocess.run([SHUF, "-n", count, str(path)], capture_output=True).stdout)
    assert len(ours) == len(theirs) == min(int(count), 50)
    assert len(set(ours)) == len(ours) and set(ours) <= set(records(data))
    full = records(permkit_shuffle(str(path), "--seed", "1").stdout)
    assert ours == full[: len(ours)]  # -n COUNT is a prefix of the full order


@needs_shuf
@pytest.mark.parametrize(
    "rng,count", [("1-10", None), ("5-5", None), ("5-4", None), ("0-99", "7"), ("10-20", "0")]
)
def test_input_range_like_shuf(rng, count):
    extra = ["-n", count] if count else []
    ours = permkit_shuffle("-i", rng, *extra, "--seed", "2")
    theirs = subprocess.run([SHUF, "-i", rng, *extra], capture_output=True)
    assert ours.returncode == theirs.returncode == 0
    if count is None:
        assert Counter(ours.stdout.split()) == Counter(theirs.stdout.split())
    else:
        assert len(ours.stdout.split()) == len(theirs.stdout.split())
    lo, hi = map(int, rng.split("-"))
    s = IndexShuffle(hi - lo + 1, 2)
    assert [int(v) for v in ours.stdout.split()] == [
        lo + s[j] for j in range(len(ours.stdout.split()))
    ]


@needs_shuf
def test_zero_terminated_like_shuf(tmp_path):
    data = b"a\nb\0c\0\0d"
    path = tmp_path / "z"
    path.write_bytes(data)
    ours = permkit_shuffle("-z", str(path), "--seed", "3").stdout
    theirs = subprocess.run([SHUF, "-z", str(path)], capture_output=True).stdout
    assert Counter(records(ours, b"\0")) == Counter(records(theirs, b"\0"))
    assert ours.endswith(b"\0") and len(ours) == len(theirs)
    numbers = permkit_shuffle("-z", "-i", "1-3", "--seed", "3").stdout
    assert sorted(numbers.split(b"\0")[:-1]) == [b"1", b"2", b"3"] and numbers.endswith(b"\0")


def test_huge_range_is_instant_and_reproducible():
    out = permkit_shuffle("-i", "1-1000000000000000000", "-n", "10", "--seed", "9")
    values = [int(v) for v in out.stdout.split()]
    assert len(values) == 10 == len(set(values)) and all(1 <= v <= 10**18 for v in values)
    assert (
        permkit_shuffle("-i", "1-1000000000000000000", "-n", "10", "--seed", "9").stdout
        == out.stdout
    )
    assert (
        permkit_shuffle("-i", "1-1000000000000000000", "-n", "10", "--seed", "10").stdout
        != out.stdout
    )
    top = permkit_shuffle("-i", f"{2**64 - 5}-{2**64 - 1}", "--seed", "1").stdout.split()
    assert sorted(int(v) for v in top) == list(range(2**64 - 5, 2**64))


def test_output_file_and_in_place(tmp_path):
    path = tmp_path / "in.txt"
    data = b"".join(b"%d\n" % i for i in range(1000))
    path.write_bytes(data)
    out = tmp_path / "out.txt"
    assert permkit_shuffle(str(path), "-o", str(out), "--seed", "4").returncode == 0
    expected = permkit_shuffle(str(path), "--seed", "4").stdout
    assert out.read_bytes() == expected
    assert permkit_shuffle(str(path), "-o", str(path), "--seed", "4").returncode == 0
    assert path.read_bytes() == expected  # like shuf, -o may overwrite the input


def test_unseeded_runs_differ():
    a = permkit_shuffle("-i", "1-1000000").stdout
    b = permkit_shuffle("-i", "1-1000000", "-n", "20").stdout
    assert a.split()[:20] != b.split()


@pytest.mark.parametrize(
    "args,message",
    [
        (["-n", "-1", "-i", "1-3"], b"-n"),
        (["-n", "x", "-i", "1-3"], b"-n"),
        (["-i", "5-3"], b"-i"),
        (["-i", "a-b"], b"-i"),
        (["-i", "0-18446744073709551615"], b"2**64"),
        (["-i", "1-3", "file"], b"extra operand"),
        (["--seed", "-4", "-i", "1-3"], b"--seed"),
    ],
)
def test_errors(args, message):
    res = permkit_shuffle(*args)
    assert res.returncode == 2 and message in res.stderr and b"Traceback" not in res.stderr


def test_missing_file():
    res = permkit_shuffle(os.path.join("/nonexistent", "file"))
    assert res.returncode == 1 and b"No such file" in res.stderr


@pytest.mark.parametrize(
    "args,stdin,expected",
    [
        # Known answers (generated before the CLI path moved): a change is a new version.
        (
            ["-i", "1-1000000000", "-n", "10", "--seed", "7"],
            b"",
            b"49717638\n279920480\n701657393\n455711135\n301551968\n"
            b"810898376\n477555684\n529606295\n789022502\n239515216\n",
        ),
        (["-i", "0-9", "--seed", "0"], b"", b"4\n3\n1\n8\n0\n7\n6\n2\n9\n5\n"),
        (
            ["-i", "5-20", "-n", "6", "--seed", "123", "-z"],
            b"",
            b"11\x008\x005\x0019\x0014\x0020\x00",
        ),
        (["--seed", "3"], b"a\nbb\nccc\ndddd\ne\nf\ng", b"a\nbb\nf\ng\ndddd\nccc\ne\n"),
        (["-z", "--seed", "2", "-n", "3"], b"x\0y\0z\0w", b"y\0x\0w\0"),
        (
            ["-i", "18446744073709551610-18446744073709551615", "--seed", "1"],
            b"",
            b"18446744073709551611\n18446744073709551610\n18446744073709551614\n"
            b"18446744073709551613\n18446744073709551612\n18446744073709551615\n",
        ),
    ],
)
def test_known_answers(args, stdin, expected):
    assert permkit_shuffle(*args, stdin=stdin).stdout == expected
