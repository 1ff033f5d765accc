# Type stubs for the Rust extension module permkit._native. The public,
# documented API is the Python layer (permkit/*.py), which validates arguments
# before calling these.
import numpy as np

__version__: str

# --- algebra -------------------------------------------------------------
def inverse(p: np.ndarray) -> np.ndarray: ...

# --- stats (exact permutation tests; public API: permkit.stats) ------------
def exact_tally(
    kind: str,
    scores: list[int],
    sizes: list[int],
    weights: list[int],
    partner: list[int],
    ge: int,
    le: int,
    deviation: tuple[int, int, int, int] | None,
    start: int,
    stop: int,
    mc_key: int | None,
    collect: str,
    workers: int | None,
) -> tuple[tuple[int, int, int, int, int], object]: ...
def relabel_indices(kind: str, sizes: list[int], start: int, count: int, mc_key: int | None) -> np.ndarray: ...
def squares_key(word: int) -> int: ...
def shift_distribution(kind: str, scores: list[int], n1: int) -> list[tuple[int, int]]: ...
def shift_table_words(kind: str, scores: list[int], n1: int) -> int | None: ...
def welch_tally(
    scores: list[int],
    n1: int,
    low: tuple[int, int, int],
    high: tuple[int, int, int],
    start: int,
    stop: int,
    workers: int | None,
) -> tuple[int, int, int]: ...
