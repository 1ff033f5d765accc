"""Small example data sets shipped with permkit (package data, read with the csv module).

- ``darwin_zea_mays``: Darwin's Zea mays plants (Fisher, *The Design of Experiments*,
  1935): heights in inches of 15 pairs of crossed and self-fertilised plants grown in
  the same pot. Columns ``pot``, ``crossed``, ``self``.
- ``depression``: Hamilton depression scale factor IV of 9 patients at the first and
  second visit after starting a tranquilizer (Hollander & Wolfe, 1973; R's
  ``?wilcox.test``). Columns ``patient``, ``first``, ``second``.

>>> from permkit import datasets
>>> zea = datasets.load("darwin_zea_mays")
>>> [round((c - s) * 8) for c, s in zip(zea["crossed"], zea["self"])][:5]
[49, -67, 8, 16, 6]
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Traversable

__all__ = ["NAMES", "load", "path"]

NAMES = ("darwin_zea_mays", "depression")


def path(name: str) -> Traversable:
    """The bundled CSV file of data set ``name`` (an importlib.resources Traversable)."""
    if name not in NAMES:
        raise ValueError(f"name: unknown data set {name!r}; choose one of {NAMES}")
    return resources.files(__name__).joinpath(f"{name}.csv")


def load(name: str) -> dict[str, list[float]]:
    """Data set ``name`` as a dict of columns (floats), in file order."""
    return read_columns(path(name).read_text(encoding="utf-8"), name)


def read_columns(text: str, source: str) -> dict[str, list[float]]:
    """Numeric columns of CSV text with a header row; empty cells become NaN."""
    # A UTF-8 byte order mark is not part of the first column's name (as with
    # the csv module on an "utf-8-sig" file, or pandas).
    try:
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    except csv.Error as exc:
        raise ValueError(f"{source}: not a valid CSV file ({exc})") from None
    if not rows:
        raise ValueError(f"{source}: empty CSV file")
    header = [h.strip() for h in rows[0]]
    seen: set[str] = set()
    for h in header:
        if h in seen:
            raise ValueError(f"{source}: the header names column {h!r} more than once")
        seen.add(h)
    columns: dict[str, list[float]] = {h: [] for h in header}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ValueError(
                f"{source}: line {line} has {len(row)} fields, the header has {len(header)}"
            )
        for h, cell in zip(header, row):
            cell = cell.strip()
            try:
                # float() also reads Python literals such as "1_000"; a CSV reader does not.
                if "_" in cell:
                    raise ValueError(cell)
                columns[h].append(float(cell) if cell else float("nan"))
            except ValueError:
                columns[h].append(cell)  # type: ignore[arg-type]  # non-numeric: reported when used
    return columns
