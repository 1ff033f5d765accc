"""Running tallies over rank ranges: locally (Rust threads), or farmed out to a
``concurrent.futures.Executor`` through the picklable module-level task
functions below. Ranges are fixed by the total count alone and merged in
order, so results never depend on workers or executors."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, NoReturn, cast

import numpy as np

from permkit import _native
from permkit.stats._kernel import EXACT_CHUNK, WelchPlan

if TYPE_CHECKING:
    from tqdm.auto import tqdm

#: Relabellings per local native call: progress and Ctrl-C are handled between calls.
LOCAL_PIECE = 1 << 24
#: Ranges per executor job.
EXECUTOR_TASKS = 64


@dataclass
class Counts:
    """Tallies of one test (arrays over the statistic's shape for callables)."""

    total: int = 0
    le: Any = 0
    ge: Any = 0
    dev_ge: Any = 0
    dev_gt: Any = 0
    value_sum: Any = 0.0
    histogram: dict[Any, int] = field(default_factory=dict)
    full: list[Any] = field(default_factory=list)

    def merge(self, other: Counts) -> None:
        self.total += other.total
        self.le = self.le + other.le
        self.ge = self.ge + other.ge
        self.dev_ge = self.dev_ge + other.dev_ge
        self.dev_gt = self.dev_gt + other.dev_gt
        self.value_sum = self.value_sum + other.value_sum
        for k, c in other.histogram.items():
            self.histogram[k] = self.histogram.get(k, 0) + c
        self.full.extend(other.full)


def builtin_task(spec: dict[str, Any], start: int, stop: int) -> Counts:
    """Tally relabellings start..stop of a built-in's plan, a ``KeyPlan`` or a
    ``WelchPlan`` (module level: picklable)."""
    plan = spec["plan"]
    if isinstance(plan, WelchPlan):
        total, ge, le = _native.welch_tally(plan, start, stop, spec["workers"])
        return Counts(total=total, le=le, ge=ge)
    (total, ge, le, dev_ge, dev_gt), extra = _native.exact_tally(
        plan, start, stop, spec["mc_key"], spec["collect"], spec["workers"]
    )
    out = Counts(total=total, le=le, ge=ge, dev_ge=dev_ge, dev_gt=dev_gt)
    if spec["collect"] == "histogram":
        out.histogram = dict(cast("list[tuple[int, int]]", extra))
    elif spec["collect"] == "full":
        out.full = [extra]
    return out


def callable_task(spec: dict[str, Any], start: int, stop: int) -> Counts:
    """Tally relabellings start..stop of a Python statistic, batch by batch (picklable)."""
    statistic = spec["statistic"]
    z = spec["z"]
    observed = spec["observed"]
    gamma = spec["gamma"]
    center = spec.get("center")
    out = Counts()
    position = start
    while position < stop:
        count = min(spec["batch"], stop - position)
        rows = _native.relabel_indices(
            spec["permutation_type"], spec["sizes"], position, count, spec["mc_key"]
        )
        gathered = np.moveaxis(z[..., rows], -2, 0)
        samples = [gathered[..., a:b] for a, b in spec["slices"]]
        values = np.asarray(statistic(*samples, axis=-1))
        expected = (count,) + np.shape(observed)
        if values.shape != expected:
            raise ValueError(
                f"statistic: returned shape {values.shape} for a batch of {count} relabellings; expected {expected} "
                "(one value per relabelling, with the observed statistic's shape)"
            )
        out.total += count
        if center is None:
            out.le = out.le + np.count_nonzero(values <= observed + gamma, axis=0)
            out.ge = out.ge + np.count_nonzero(values >= observed - gamma, axis=0)
            out.value_sum = out.value_sum + np.sum(values, axis=0, dtype=np.float64)
        else:
            dev = np.abs(values - center)
            dev0 = np.abs(observed - center)
            tol = spec["dev_eps"] * dev0
            out.dev_ge = out.dev_ge + np.count_nonzero(dev >= dev0 - tol, axis=0)
            out.dev_gt = out.dev_gt + np.count_nonzero(dev > dev0 + tol, axis=0)
        if spec["collect"] == "full":
            out.full.append(values)
        elif spec["collect"] == "histogram":
            uniques, counts = np.unique(values, return_counts=True)
            for v, c in zip(uniques.tolist(), counts.tolist()):
                out.histogram[v] = out.histogram.get(v, 0) + c
        position += count
    return out


def run(
    task: Callable[[dict[str, Any], int, int], Counts],
    spec: dict[str, Any],
    total: int,
    executor: Executor | None = None,
    bar: tqdm[NoReturn] | None = None,
) -> Counts:
    """task over 0..total: local pieces in order, or executor jobs merged in order."""
    merged = Counts()
    if executor is None:
        piece = spec.get("piece", LOCAL_PIECE)
        for start in range(0, total, piece):
            stop = min(total, start + piece)
            merged.merge(task(spec, start, stop))
            if bar is not None:
                bar.update(stop - start)
        return merged
    # Whole native chunks per job keep the fast block counting aligned.
    size = max(1, -(-total // EXECUTOR_TASKS))
    size = -(-size // EXACT_CHUNK) * EXACT_CHUNK if total > EXACT_CHUNK else size
    ranges = [(s, min(total, s + size)) for s in range(0, total, size)]
    futures = [executor.submit(task, spec, s, e) for s, e in ranges]
    for (s, e), fut in zip(ranges, futures):
        merged.merge(fut.result())
        if bar is not None:
            bar.update(e - s)
    return merged


def progress_bar(enabled: bool, total: int, desc: str) -> tqdm[NoReturn] | None:
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError(
            "progress=True needs tqdm: pip install tqdm (or permkit[progress])"
        ) from None
    return tqdm(total=total, desc=desc, unit="relabellings", unit_scale=True)
