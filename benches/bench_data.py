"""permkit.data against its anchors, side by side: stream shuffle buffers and torch samplers.

Usage: python benches/bench_data.py [--quick]

1. buffer_shuffle over a stream of 10^6 Python ints (buffer 1000 and 10^5) vs
   ``datasets.IterableDataset.shuffle`` (its BufferShuffledExamplesIterable driven
   directly, so no Arrow/feature encoding is timed) and webdataset's ``shuffle`` filter,
   when installed (``pip install permkit[bench]``).
2. RandomSampler / DistributedSampler: construction + the first 1000 indices of an
   epoch at n = 10^8 vs torch's (which materialise randperm(n) every epoch).
3. ShuffleSampler in window mode (blocks of 4096, 16 per window): a whole epoch of
   n = 10^6 vs torch's RandomSampler epoch (the window order is the core's).

Medians of REPEATS runs (permkit and anchor alternate, so both see the same load);
ratio = anchor time / permkit time (higher is better for permkit).
"""

from __future__ import annotations

import functools
import itertools
import random
import sys

from harness import Table, alternating_medians
from permkit.data import DistributedSampler, RandomSampler, ShuffleSampler, buffer_shuffle

QUICK = "--quick" in sys.argv
REPEATS = 3 if QUICK else 5
STREAM = 10**5 if QUICK else 10**6


def consume(it):
    for _ in it:
        pass


def bench_buffers(table: Table) -> None:
    source = list(range(STREAM))
    anchors = {}
    try:
        from datasets.iterable_dataset import BufferShuffledExamplesIterable, ExamplesIterable

        def hf(size):
            def run():
                examples = ExamplesIterable(lambda: ((i, {"x": i}) for i in source), {})
                it = BufferShuffledExamplesIterable(
                    examples, buffer_size=size, generator=__import__("numpy").random.default_rng(0)
                )
                consume(it)

            return run

        anchors["datasets"] = hf
    except Exception as exc:  # pragma: no cover - optional
        print(f"  (datasets not usable: {exc})")
    try:
        from webdataset.filters import _shuffle

        def wds(size):
            return lambda: consume(
                _shuffle(iter(source), bufsize=size, initial=size, rng=random.Random(0))
            )

        anchors["webdataset"] = wds
    except Exception as exc:  # pragma: no cover - optional
        print(f"  (webdataset not usable: {exc})")
    for size in (1000, 10**5):
        ours = functools.partial(lambda k: consume(buffer_shuffle(source, k, seed=0)), size)
        # The same element type on both sides: datasets yields (key, dict) pairs.
        ours_pairs = functools.partial(
            lambda k: consume(buffer_shuffle(((i, {"x": i}) for i in source), k, seed=0)), size
        )
        for name, make in anchors.items():
            mine = ours_pairs if name == "datasets" else ours
            a, b = alternating_medians(mine, make(size), repeat=REPEATS)
            table.add(
                "buffer shuffle of a stream", f"{STREAM:.0e} items, buffer {size}", a, name, b
            )


def bench_samplers(table: Table) -> None:
    try:
        import torch
        from torch.utils.data import DistributedSampler as TorchDistributed
        from torch.utils.data import RandomSampler as TorchRandom
    except Exception:  # pragma: no cover - optional
        print("  (torch not installed: sampler rows skipped)")
        return
    n = 10**7 if QUICK else 10**8
    data = range(n)

    def first(sampler):
        return list(itertools.islice(iter(sampler), 1000))

    g = torch.Generator().manual_seed(0)
    a, b = alternating_medians(
        lambda: first(RandomSampler(data, generator=g)),
        lambda: first(TorchRandom(data, generator=g)),
        repeat=REPEATS,
    )
    table.add("RandomSampler: new epoch + first 1000", f"n={n:.0e}", a, "torch", b)
    a, b = alternating_medians(
        lambda: first(DistributedSampler(data, num_replicas=8, rank=3)),
        lambda: first(TorchDistributed(data, num_replicas=8, rank=3)),
        repeat=REPEATS,
    )
    table.add("DistributedSampler: new epoch + first 1000", f"n={n:.0e}, W=8", a, "torch", b)
    epoch = 10**5 if QUICK else 10**6
    a, b = alternating_medians(
        lambda: consume(ShuffleSampler(epoch, 0, window=4096, window_blocks=16)),
        lambda: consume(TorchRandom(range(epoch), generator=g)),
        repeat=REPEATS,
    )
    table.add("ShuffleSampler window=4096x16: whole epoch", f"n={epoch:.0e}", a, "torch", b)


def main() -> None:
    table = Table("permkit.data vs datasets / webdataset / torch")
    bench_buffers(table)
    bench_samplers(table)
    print()
    print(table.markdown())


if __name__ == "__main__":
    main()
