"""Known-answer vectors for ranking, algebra and enumeration (issue 13 guard rail).

Every ordered output of permkit.ranking, permkit.algebra, permkit.distance and
permkit.enumeration is pinned here, generated from the code before the kernel
refactor: a refactor that changes any rank, row, block or change stream fails.
Each case hashes (SHA-256) the exact bytes of many outputs; a few short
vectors are also spelled out so a failure is readable.

Regenerate the digests only for a deliberate, versioned change of order:
``python tests/test_rank_algebra_golden.py`` prints the current table.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import permkit
from permkit import distance


def _feed(h: Any, v: Any) -> None:
    if isinstance(v, np.ndarray) and v.dtype != object:
        h.update(f"{v.dtype.str}{v.shape}".encode())
        h.update(np.ascontiguousarray(v).tobytes())
    elif isinstance(v, np.ndarray):
        h.update(f"O{v.shape}".encode())
        for x in v.reshape(-1):
            _feed(h, x)
    elif isinstance(v, (list, tuple)):
        h.update(f"{type(v).__name__}{len(v)}".encode())
        for x in v:
            _feed(h, x)
    elif isinstance(v, dict):
        _feed(h, sorted(v.items()))
    elif isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        x = int(v)
        h.update(
            f"{type(v).__name__}:".encode()
            + x.to_bytes(x.bit_length() // 8 + 1, "little", signed=True)
        )
    else:
        h.update(repr(v).encode())


def _digest(values: list[Any]) -> str:
    h = hashlib.sha256()
    _feed(h, values)
    return h.hexdigest()[:32]


def _perms(n: int, m: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([rng.permutation(n) for _ in range(m)], dtype=np.int64).reshape(m, n)


def _u64_ranks(total: int, m: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, total, m, dtype=np.uint64, endpoint=False)


def _big_ranks(total: int, m: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    bits = total.bit_length() + 8
    return [int.from_bytes(rng.bytes(bits // 8 + 1), "little") % total for _ in range(m)] + [
        0,
        total - 1,
    ]


def _ranking_cases() -> list[Any]:
    out: list[Any] = []
    for order in ("lex", "mr", "sjt"):
        for n in (0, 1, 2, 3, 5, 8, 9, 12, 13, 16, 17, 20):
            total = math.factorial(n)
            ranks = _u64_ranks(total, 300, n) if total > 1 else np.zeros(3, np.uint64)
            ranks = np.concatenate([ranks, np.array([0, total - 1], dtype=np.uint64)])
            rows = permkit.unrank(ranks, n, order=order)
            out += [rows, permkit.rank(rows, order=order)]
            out.append(permkit.rank(_perms(n, 50, 100 + n), order=order))
        for n in (21, 25, 64, 200):
            total = math.factorial(n)
            ranks = _big_ranks(total, 40, n)
            rows = permkit.unrank(ranks, n, order=order)
            out += [rows, permkit.rank(rows, order=order)]
    for order in ("lex", "colex", "revolving_door"):
        for n, k in ((0, 0), (5, 0), (5, 5), (7, 3), (20, 10), (40, 7), (64, 32), (200, 90)):
            total = math.comb(n, k)
            ranks: Any = (
                _big_ranks(total, 40, n + k)
                if total > 1 << 64
                else np.concatenate(
                    [_u64_ranks(total, 200, n + k), np.array([0, total - 1], np.uint64)]
                )
            )
            rows = permkit.unrank_combination(ranks, n, k, order=order)
            out += [rows, permkit.rank_combination(rows, n, order=order)]
    for n, k in ((6, 0), (6, 3), (12, 12), (30, 5), (10_000, 3), (40, 20)):
        total = math.perm(n, k)
        ranks = (
            _big_ranks(total, 40, n + k)
            if total > 1 << 64
            else np.concatenate(
                [_u64_ranks(total, 200, n + k), np.array([0, total - 1], np.uint64)]
            )
        )
        rows = permkit.unrank_arrangement(ranks, n, k)
        out += [rows, permkit.rank_arrangement(rows, n)]
    for counts in ([2, 2], [3, 0, 2, 1], [5, 5, 5], [1] * 12, [7, 9, 11, 13]):
        total = math.factorial(sum(counts)) // math.prod(math.factorial(c) for c in counts)
        ranks = (
            _big_ranks(total, 40, len(counts))
            if total > 1 << 64
            else np.concatenate(
                [_u64_ranks(total, 200, len(counts)), np.array([0, total - 1], np.uint64)]
            )
        )
        rows = permkit.unrank_multiset_permutation(ranks, counts)
        out += [rows, permkit.rank_multiset_permutation(rows, counts)]
    return out


def _algebra_cases() -> list[Any]:
    out: list[Any] = []
    for n, m in ((1, 3), (2, 4), (7, 200), (31, 100), (300, 20), (5000, 2)):
        p, q = _perms(n, m, n), _perms(n, m, n + 1)
        for dtype in (np.uint8, np.int32, np.uint64):
            if n > np.iinfo(dtype).max + 1:
                continue
            pd = p.astype(dtype)
            out += [
                permkit.inversions(pd),
                permkit.lehmer_code(pd),
                permkit.from_lehmer(permkit.lehmer_code(pd)),
            ]
        out += [
            permkit.compose(p, q),
            permkit.compose(p, q[:1]),
            permkit.inverse(p),
            permkit.power(p, 5),
            permkit.power(p, -3),
            permkit.sign(p),
            permkit.cycle_type(p),
            permkit.order(p),
            permkit.is_permutation(p),
        ]
        for metric in ("kendall_tau", "cayley", "hamming", "ulam", "footrule"):
            out.append(getattr(distance, metric)(p, q))
        for row in p[:3]:
            perm = permkit.Permutation(row)
            out += [perm.cycles(), perm.cycles(singletons=True), perm.cycle_type()]
            out += [perm.rank(), perm.rank("mr"), perm.rank("sjt")]
    return out


def _enumeration_cases() -> list[Any]:
    out: list[Any] = []
    enums: list[tuple[Callable[..., permkit.Enumeration], tuple[Any, ...], dict[str, Any]]] = [
        (permkit.permutations, (n,), {"order": o})
        for n in (0, 1, 4, 7, 12)
        for o in ("lex", "heap", "sjt")
    ]
    enums += [
        (permkit.combinations, (n, k), {"order": o})
        for n, k in ((0, 0), (6, 3), (30, 8), (64, 2))
        for o in ("lex", "colex", "revolving_door")
    ]
    enums += [(permkit.arrangements, (n, k), {}) for n, k in ((5, 2), (9, 9), (20_000, 2))]
    enums += [
        (permkit.multiset_permutations, (), {"counts": c}) for c in ([2, 1, 2], [5, 5, 5], [0, 3])
    ]
    enums += [(permkit.derangements, (n,), {}) for n in (0, 2, 5, 9)]
    for fn, args, kw in enums:
        e = fn(*args, **kw)
        count = e.count
        starts = sorted({0, count // 3, max(count - 50, 0), count * 7 // 11})
        for a in starts:
            block = e[a : a + 5000]
            out.append(block.to_numpy())
            out.append([b.shape for b in fn(*args, **kw, start=a, stop=a + 300, chunk=97)])
            if kw.get("order") in ("heap", "sjt", "revolving_door"):
                out.append(block.changes())
        out.append(repr(e))
    return out


CASES: dict[str, Callable[[], list[Any]]] = {
    "ranking": _ranking_cases,
    "algebra": _algebra_cases,
    "enumeration": _enumeration_cases,
}

GOLDEN = {
    "ranking": "588b719969b1419af3dafc9a5bb1960e",
    "algebra": "6ee4e384eb2ff29399c7073ced4d07fa",
    "enumeration": "25a6a95ea884b376fffde6953fdbf714",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_match_the_pinned_digests(name: str) -> None:
    assert _digest(CASES[name]()) == GOLDEN[name]


def test_readable_known_answers() -> None:
    assert permkit.unrank(479001599, 12).tolist() == list(range(11, -1, -1))
    assert permkit.unrank(123456789, 12).tolist() == [3, 1, 0, 4, 11, 6, 9, 7, 10, 5, 8, 2]
    assert permkit.rank([3, 1, 0, 4, 11, 6, 9, 7, 10, 5, 8, 2]) == 123456789
    assert permkit.rank([3, 1, 9, 6, 8, 7, 4, 5, 0, 2, 10, 11]) == 126109008
    assert permkit.unrank(10**15, 20, order="mr").tolist() == [
        16, 14, 3, 13, 18, 7, 2, 12, 5, 1, 17, 15, 11, 4, 10, 19, 9, 6, 8, 0
    ]  # fmt: skip
    assert permkit.unrank(10**15, 20, order="sjt").tolist() == [
        11, 12, 0, 9, 14, 13, 17, 1, 16, 2, 18, 8, 3, 10, 6, 4, 5, 7, 15, 19
    ]  # fmt: skip
    assert permkit.unrank(10**30, 30).tolist() == [
        0, 4, 9, 25, 18, 15, 17, 22, 7, 12, 6, 11, 8, 24, 29,
        19, 26, 28, 1, 3, 5, 27, 13, 14, 23, 10, 20, 21, 2, 16,
    ]  # fmt: skip
    assert permkit.unrank_combination(1000, 20, 6, order="revolving_door").tolist() == [
        3, 4, 7, 8, 11, 12
    ]  # fmt: skip
    assert permkit.lehmer_code([4, 0, 3, 1, 2]).tolist() == [4, 0, 2, 0, 0]
    assert permkit.inversions([4, 0, 3, 1, 2]) == 6
    assert permkit.permutations(5, order="heap")[100:104].to_numpy().tolist() == [
        [4, 1, 3, 2, 0], [1, 4, 3, 2, 0], [2, 4, 3, 1, 0], [4, 2, 3, 1, 0]
    ]  # fmt: skip
    assert permkit.permutations(5, order="sjt")[100:104].changes().tolist() == [
        [3, 4], [2, 3], [1, 2]
    ]  # fmt: skip


if __name__ == "__main__":
    for name, fn in CASES.items():
        print(f'    "{name}": "{_digest(fn())}",')
