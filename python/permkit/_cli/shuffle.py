"""``permkit shuffle``: a reproducible GNU ``shuf`` (docs/index_shuffle.md, "Command line").

Lines are bytes, split at ``\\n`` (``\\0`` with ``-z``); every output line ends with
the delimiter, as with shuf (a last line without one gets one). The order is
``permkit.IndexShuffle(number_of_lines, seed)``: output line ``j`` is input line
``s[j]``. ``-i LO-HI`` never materialises the range, so ``-i 1-1000000000 -n 10``
takes O(1) time and memory; without ``--seed`` it imports nothing but the native
module (the key comes from 64 bits of OS entropy), so it starts in milliseconds.
"""

from __future__ import annotations

import argparse
import mmap
import os
import sys
from typing import TYPE_CHECKING, BinaryIO

from permkit import _native

if TYPE_CHECKING:
    import numpy as np

_CHUNK = 1 << 16


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "shuffle",
        help="write a reproducible random permutation of the input lines (like GNU shuf)",
        description="Write a random permutation of the lines of FILE (standard input when FILE is "
        "missing or -), or of the numbers LO..HI with -i. The same --seed gives the same "
        "output on every machine.",
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="input file (default: standard input)")
    p.add_argument(
        "-i",
        "--input-range",
        metavar="LO-HI",
        help="treat each number LO through HI as an input line",
    )
    p.add_argument("-n", "--head-count", metavar="COUNT", help="output at most COUNT lines")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write the result to FILE instead of standard output"
    )
    p.add_argument(
        "-z", "--zero-terminated", action="store_true", help="line delimiter is NUL, not newline"
    )
    p.add_argument(
        "--seed",
        metavar="SEED",
        help="non-negative integer seed (default: fresh entropy, a different order each run)",
    )
    p.set_defaults(run=run)


def _parse_count(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        count = int(text, 10)
    except ValueError:
        raise ValueError(f"-n: invalid line count {text!r}") from None
    if count < 0:
        raise ValueError(f"-n: invalid line count {text!r} (must be non-negative)")
    return count


def _parse_range(text: str) -> tuple[int, int]:
    lo_text, sep, hi_text = text.partition("-")
    try:
        if not sep or not lo_text.isdigit() or not hi_text.isdigit():
            raise ValueError
        lo, hi = int(lo_text), int(hi_text)
    except ValueError:
        raise ValueError(
            f"-i: invalid input range {text!r} (expected LO-HI with non-negative integers)"
        ) from None
    if hi >= 2**64 or lo > hi + 1:
        raise ValueError(f"-i: invalid input range {text!r} (need LO <= HI + 1 and HI < 2**64)")
    if hi - lo + 1 > 2**64 - 1:
        raise ValueError(
            f"-i: the range {text!r} has 2**64 numbers; at most 2**64 - 1 are supported"
        )
    return lo, hi


def _parse_seed(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        seed = int(text, 10)
    except ValueError:
        raise ValueError(f"--seed: expected a non-negative integer, got {text!r}") from None
    if seed < 0:
        raise ValueError(f"--seed: expected a non-negative integer, got {text!r}")
    return seed


def _key(seed: int | None) -> int:
    """The shuffle's master key: ``IndexShuffle(n, seed).key`` (docs/index_shuffle.md);
    without a seed, ``key_from_word`` of 64 bits of OS entropy (numpy is not needed)."""
    if seed is None:
        return _native.squares_key_from_word(int.from_bytes(os.urandom(8), "little"))
    from permkit.index_shuffle import realise_seed

    return realise_seed(seed)[1]


def _read_input(path: str | None, output: str | None) -> tuple[np.ndarray, object]:
    """The input bytes as a uint8 array (memory-mapped for regular files, unless the
    output overwrites the input) and the object that keeps them alive."""
    import numpy as np

    if path is None or path == "-":
        data = sys.stdin.buffer.read()
        return np.frombuffer(data, dtype=np.uint8), data
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        overwritten = (
            output is not None and os.path.exists(output) and os.path.samefile(path, output)
        )
        if size == 0 or overwritten or not os.path.isfile(path):
            data = f.read()
            return np.frombuffer(data, dtype=np.uint8), data
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    return np.frombuffer(mapped, dtype=np.uint8), mapped


def _write_range(
    out: BinaryIO, lo: int, n: int, count: int, seed: int | None, delim: bytes
) -> None:
    shuffle = _native.IndexShuffleCore(n, _key(seed))
    for start in range(0, count, _CHUNK):
        out.write(_native.range_text(shuffle, lo, start, min(_CHUNK, count - start), delim[0]))


def _write_lines(
    out: BinaryIO, data: np.ndarray, count: int | None, seed: int | None, delim: bytes
) -> None:
    bounds = _native.record_bounds(data, delim[0])
    lines = len(bounds) - 1
    shuffle = _native.IndexShuffleCore(lines, _key(seed))
    total = lines if count is None else min(count, lines)
    for start in range(0, total, _CHUNK):
        out.write(
            _native.gather_records(
                data, bounds, shuffle, start, min(_CHUNK, total - start), delim[0]
            )
        )


def run(args: argparse.Namespace) -> int:
    delim = b"\0" if args.zero_terminated else b"\n"
    count = _parse_count(args.head_count)
    seed = _parse_seed(args.seed)
    try:
        if args.input_range is not None:
            if args.file is not None:
                raise ValueError(f"extra operand {args.file!r}: -i takes no FILE")
            lo, hi = _parse_range(args.input_range)
            n = hi - lo + 1
            total = n if count is None else min(count, n)
            with _open_output(args.output) as out:
                _write_range(out, lo, n, total, seed, delim)
            return 0
        data, keepalive = _read_input(args.file, args.output)
        try:
            with _open_output(args.output) as out:
                _write_lines(out, data, count, seed, delim)
        except BrokenPipeError:
            # Handled here, so that its traceback (whose frames still see the
            # mapped bytes) is gone before the mapping is closed.
            _quiet_closed_stdout()
            return 0
        finally:
            del data
            if isinstance(keepalive, mmap.mmap):
                keepalive.close()
        return 0
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            _quiet_closed_stdout()
            return 0
        name = exc.filename if exc.filename is not None else "output"
        print(f"permkit shuffle: {name}: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _quiet_closed_stdout() -> None:
    """The reader went away (``| head``): end quietly like GNU shuf, without
    the interpreter's own failed flush of standard output at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _open_output:
    """Standard output's binary buffer, or FILE opened only after the input was read (so -o may name the input)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.file: BinaryIO | None = None

    def __enter__(self) -> BinaryIO:
        if self.path is None:
            return sys.stdout.buffer
        self.file = open(self.path, "wb")
        return self.file

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()
        else:
            sys.stdout.buffer.flush()
