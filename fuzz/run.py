"""Coverage-guided fuzzing of permkit's parsers and big-integer paths with atheris.

    pip install -e .[fuzz]            # atheris (PyPI), Python 3.8-3.11 wheels
    python fuzz/run.py                # every target, 10 000 inputs each
    python fuzz/run.py csv --seconds 600 -- -dict=fuzz/csv.dict   # one target, longer

Targets: ``cycles`` (cycle notation of ``permkit info``), ``csv`` (CSV reading of
``permkit test``), ``state`` (generator state dicts, sampler state dicts and
Enumeration pickles' state), ``rank`` (rank/unrank/count with huge values).
Each input must return or raise a documented exception (ValueError,
TypeError, OverflowError, IndexError, MemoryError, KeyError); anything else
(a panic, an internal RuntimeError, an abort) is a crash that libFuzzer
reports with the input that caused it. Arguments after ``--`` go to libFuzzer.
Only the Python layer is coverage-instrumented (the stable Rust toolchain has
no sanitizer coverage); the Rust code is reached through it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
from typing import Any, Callable

DOCUMENTED = (ValueError, TypeError, OverflowError, IndexError, MemoryError, KeyError)
TARGETS = ("cycles", "csv", "state", "rank")


def _cycles(fdp: Any) -> None:
    import numpy as np

    from permkit._cli.info import parse_permutation

    words = fdp.ConsumeUnicodeNoSurrogates(64).split(" ")
    n = fdp.ConsumeIntInRange(0, 1 << 20) if fdp.ConsumeBool() else None
    perm = parse_permutation(words, n)
    assert sorted(np.asarray(perm).tolist()) == list(range(len(perm)))


def _csv(fdp: Any) -> None:
    from permkit import datasets
    from permkit._cli.test import _column

    text = fdp.ConsumeUnicodeNoSurrogates(256)
    columns = datasets.read_columns(text, "fuzz.csv")
    for name in list(columns)[:2]:
        values = _column(columns, name, "fuzz.csv")
        assert all(isinstance(v, float) for v in values)


def _big_int(fdp: Any) -> int:
    kind = fdp.ConsumeIntInRange(0, 3)
    if kind == 0:
        return fdp.ConsumeIntInRange(0, 64)
    if kind == 1:
        return (1 << fdp.ConsumeIntInRange(0, 70)) + fdp.ConsumeIntInRange(-2, 2)
    if kind == 2:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(1, 40))
    return -fdp.ConsumeIntInRange(0, 1 << 64)


def _value(fdp: Any, depth: int = 0) -> Any:
    choice = fdp.ConsumeIntInRange(0, 6 if depth < 2 else 4)
    if choice == 0:
        return _big_int(fdp)
    if choice == 1:
        return fdp.ConsumeBool()
    if choice == 2:
        return fdp.ConsumeUnicodeNoSurrogates(8)
    if choice == 3:
        return fdp.ConsumeFloat()
    if choice == 4:
        return None
    if choice == 5:
        return [_value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3))]
    keys = ["key", "counter", "word", "state", "bit_generator", "seed", "epoch", "n", "_lo"]
    return {
        fdp.PickValueInList(keys): _value(fdp, depth + 1)
        for _ in range(fdp.ConsumeIntInRange(0, 4))
    }


def _state(fdp: Any) -> None:
    import permkit
    from permkit import data

    which = fdp.ConsumeIntInRange(0, 2)
    if which == 0:
        cls = fdp.PickValueInList([permkit.Squares64, permkit.Squares32, permkit.Philox4x32])
        g = cls(1)
        state = g.state
        state["state"] = (
            _value(fdp)
            if fdp.ConsumeBool()
            else {
                "key": _big_int(fdp),
                "counter": _big_int(fdp),
            }
        )
        g.state = state
        g.random_raw(2)
    elif which == 1:
        s = data.ShuffleSampler(fdp.ConsumeIntInRange(0, 100), seed=1)
        state = s.state_dict()
        for _ in range(fdp.ConsumeIntInRange(1, 3)):
            state[fdp.PickValueInList(sorted(state))] = _value(fdp)
        s.load_state_dict(state)
        list(s)
    else:
        e = permkit.combinations(fdp.ConsumeIntInRange(0, 50), fdp.ConsumeIntInRange(0, 5))
        state = e.__getstate__()
        state[fdp.PickValueInList(sorted(state))] = _value(fdp)
        tampered = permkit.Enumeration.__new__(permkit.Enumeration)
        tampered.__setstate__(state)
        tampered[:3].to_numpy()


def _rank(fdp: Any) -> None:
    import numpy as np

    import permkit
    from permkit import count

    n, k, r = _big_int(fdp), _big_int(fdp) % 6, _big_int(fdp)
    which = fdp.ConsumeIntInRange(0, 5)
    if which == 0:
        row = permkit.unrank_combination(
            r, n, k, order=fdp.PickValueInList(["lex", "colex", "revolving_door"])
        )
        assert permkit.rank_combination(row, n) >= 0
    elif which == 1:
        row = permkit.unrank_arrangement(r, n, k)
        assert permkit.rank_arrangement(row, n) == r
    elif which == 2:
        small_n = n % 40
        row = permkit.unrank(r, small_n, order=fdp.PickValueInList(["lex", "mr", "sjt"]))
        assert permkit.rank(row, order="lex") >= 0
    elif which == 3:
        got = count.combinations(n, k)
        if 0 <= n < 1 << 70:
            import math

            assert got == math.comb(n, k)
    elif which == 4:
        # Rows of up to a million values, or sizes no memory holds (refused):
        # a correct row of 2**32 values takes long without being a bug.
        counts = [
            _big_int(fdp) % (1 << 20) if fdp.ConsumeBool() else _big_int(fdp) << 40
            for _ in range(fdp.ConsumeIntInRange(0, 3))
        ]
        permkit.unrank_multiset_permutation(r, counts)
    else:
        e = permkit.arrangements(n, k)
        start = _big_int(fdp)
        block = e[start : start + 3].to_numpy()
        assert block.shape[0] <= 3 and np.all(block >= 0)


def _instrument_permkit(atheris: Any) -> None:
    """Coverage for permkit's own Python functions only (instrument_imports
    misses modules of an editable install, and instrument_all would also
    instrument numpy and torch)."""
    import inspect

    seen: set[int] = set()

    def visit(obj: Any) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if inspect.isfunction(obj) and obj.__module__.startswith("permkit"):
            atheris.instrument_func(obj)
        elif inspect.isclass(obj) and obj.__module__.startswith("permkit"):
            for member in vars(obj).values():
                visit(getattr(member, "__func__", getattr(member, "fget", member)))

    for name, module in list(sys.modules.items()):
        if name.startswith("permkit") and module is not None:
            for obj in list(vars(module).values()):
                visit(obj)


def run_one(target: str, libfuzzer_args: list[str]) -> None:
    import atheris

    import permkit
    import permkit._cli.info
    import permkit._cli.test
    import permkit.data  # noqa: F401  (instrumented below)

    _instrument_permkit(atheris)

    body: Callable[[Any], None] = {
        "cycles": _cycles,
        "csv": _csv,
        "state": _state,
        "rank": _rank,
    }[target]

    def one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        with contextlib.suppress(*DOCUMENTED):
            body(fdp)

    atheris.Setup([sys.argv[0], *libfuzzer_args], one_input)
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", choices=(*TARGETS, "all"), default="all")
    parser.add_argument("--runs", type=int, default=10_000, help="inputs per target")
    parser.add_argument("--seconds", type=int, default=0, help="time per target (overrides runs)")
    parser.add_argument("libfuzzer", nargs="*", help="extra libFuzzer arguments (after --)")
    args = parser.parse_args()
    budget = [f"-max_total_time={args.seconds}"] if args.seconds else [f"-runs={args.runs}"]
    # A bounded time per input: a hang is a crash too.
    # Crash inputs go to the temporary directory (the path is printed on a crash).
    crashes = os.path.join(tempfile.gettempdir(), "permkit-fuzz-")
    extra = [
        "-timeout=20",
        "-rss_limit_mb=4096",
        f"-artifact_prefix={crashes}",
        *budget,
        *args.libfuzzer,
    ]
    if args.target != "all":
        run_one(args.target, extra)
        return 0
    failed = []
    for target in TARGETS:
        print(f"--- fuzzing {target}", flush=True)
        code = subprocess.call([sys.executable, __file__, target, "--", *extra])
        if code != 0:
            failed.append(target)
    if failed:
        print(f"fuzz targets with crashes: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
