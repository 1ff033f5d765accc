"""Ctrl-C reaches every long-running family: a subprocess starts the call, gets
SIGINT while it runs, and must end promptly with KeyboardInterrupt.

The wall bound is generous (the machine may be loaded); it proves that the
kernel polls, not how fast it is.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# Seconds allowed between SIGINT and the end of the process.
BOUND = 1.0

# family -> a call that runs for many seconds unless interrupted.
LONG_CALLS = {
    "count.permutations": "count.permutations(10**8)",
    "count.combinations": "count.combinations(10**8, 5 * 10**7)",
    "count.derangements": "count.derangements(10**6)",
    "count.involutions": "count.involutions(10**6)",
    "count.multiset_permutations": "count.multiset_permutations([10**7] * 10)",
    "unrank (big ints)": "permkit.unrank(list(range(0, 10**400, 10**396)) * 100, 1000)",
    "rank_combination (many rows)": (
        "permkit.rank_combination(np.tile(np.arange(0, 2000, 2), (20000, 1)), 2000)"
    ),
    "enumeration blocks": "permkit.combinations(40, 20)[: 5 * 10**7].to_numpy()",
    "lazy enumeration of 10**8!": "permkit.permutations(10**8).count",
}


@pytest.mark.parametrize("family", sorted(LONG_CALLS))
def test_sigint_interrupts_long_calls(family: str) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        import numpy as np
        import permkit
        from permkit import count
        print("ready", flush=True)
        {LONG_CALLS[family]}
        print("finished", flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        assert proc.poll() is None, "the call ended before it could be interrupted"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=BOUND)
        elapsed = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "finished" not in out
    assert "KeyboardInterrupt" in err, err[-2000:]
    assert elapsed < BOUND
