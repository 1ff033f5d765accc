"""Golden vectors for the exact engine's ordered outputs (issue 13 guard rail).

Pins, from the code as it was before the walkers were unified, (a) the order
of ``null_distribution="full"`` of ``permkit.stats.permutation_test`` for every
design (exact and seeded Monte Carlo, built-in statistics and callables), (b)
the relabelled rows (gather indices) of every shape, exact from rank 0, from a
middle rank and for the last rows, and Monte Carlo, and (c) the tallies of
problems counted by the meet-in-the-middle paths. Each vector is stored as the
sha256 of its bytes plus a few leading values, so a failure shows where the
order moved. A refactor that changes any of these is a bug, not a version bump.

Regenerate (only for a deliberate, documented output change) with
``python tests/test_golden_exact.py`` and paste the printed dictionaries.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from permkit import _native
from permkit.stats import permutation_test
from permkit.stats._kernel import KeyPlan, Thresholds

Array = np.ndarray[Any, Any]


def _digest(values: Array) -> tuple[str, list[Any]]:
    """sha256 of the array bytes, and its first few values for a readable failure."""
    arr = np.ascontiguousarray(values)
    return hashlib.sha256(arr.tobytes()).hexdigest()[:32], arr.ravel()[:6].tolist()


# --- (a) null_distribution="full" of permutation_test ------------------------------------------

X2 = [3.1, -0.4, 2.2, 5.0, 1.7, 0.9]
Y2 = [0.3, 1.1, -2.0, 0.8, 2.2]
Z3 = [1.5, 4.0, 2.5]
K3 = ([1.0, 2.0, 4.0], [3.0, 3.0, 7.0], [0.5, 6.0])
DIFFS = [4.0, -3.0, 1.0, 7.0, -2.0, 5.0, 6.0, -1.0, 2.0, 3.0]
PX = [1.0, 4.0, 2.0, 8.0, 5.0, 7.0]
PY = [2.0, 3.0, 9.0, 1.0, 6.0, 6.5]
BLOCKS3 = ([1.0, 5.0, 2.0, 7.0], [2.0, 4.0, 3.0, 9.0], [3.0, 6.0, 1.0, 8.0])


def _mean_diff(x: Array, y: Array, axis: int = -1) -> Array:
    return np.asarray(np.mean(x, axis=axis) - np.mean(y, axis=axis))


def _spread(*samples: Array, axis: int = -1) -> Array:
    means = [np.mean(s, axis=axis) for s in samples]
    return np.asarray(np.max(means, axis=0) - np.min(means, axis=0))


def _paired_mean(x: Array, y: Array, axis: int = -1) -> Array:
    return np.asarray(np.mean(x - y, axis=axis))


def _one_mean(x: Array, axis: int = -1) -> Array:
    return np.asarray(np.mean(x, axis=axis))


def _weighted(x: Array, axis: int = -1) -> Array:
    return np.asarray(np.sum(x * np.arange(1, x.shape[axis] + 1), axis=axis))


def _product_sum(*samples: Array, axis: int = -1) -> Array:
    return np.asarray(np.sum(np.prod(np.stack(samples), axis=0), axis=axis))


def _first_minus_last(*samples: Array, axis: int = -1) -> Array:
    return np.asarray(np.sum(samples[0], axis=axis) - np.sum(samples[-1], axis=axis))


NULL_CASES: dict[str, tuple[tuple[Any, ...], str | Callable[..., Any], str, bool]] = {
    "independent2-mean_diff": ((X2, Y2), "mean_diff", "independent", True),
    "independent2-rank_sum": ((X2, Y2), "rank_sum", "independent", True),
    "independent2-t": ((X2, Y2), "t", "independent", True),
    "independent3-f": (K3, "f", "independent", True),
    "independent2-callable": ((X2, Y2), _mean_diff, "independent", True),
    "independent3-callable": ((X2[:4], Y2[:3], Z3), _spread, "independent", True),
    "samples1-sum": ((DIFFS,), "sum", "samples", True),
    "samples1-signed_rank": ((DIFFS,), "signed_rank", "samples", True),
    "samples1-callable": ((DIFFS,), _one_mean, "samples", True),
    "samples2-callable": ((PX, PY), _paired_mean, "samples", True),
    "samples3-callable": (BLOCKS3, _first_minus_last, "samples", True),
    "pairings-pearson": ((PX, PY), "pearson", "pairings", True),
    "pairings-sum_product": ((PX, PY), "sum_product", "pairings", True),
    "pairings1-callable": ((PX[:5],), _weighted, "pairings", True),
    "pairings2-callable": ((PX, PY), _product_sum, "pairings", True),
    "pairings3-callable": (
        ([1.0, 2.0, 3.0], [4.0, 0.0, 2.0], [1.0, 1.5, 5.0]),
        _product_sum,
        "pairings",
        True,
    ),
}
for _name, (_data, _stat, _ptype, _) in list(NULL_CASES.items()):
    NULL_CASES[_name + "-mc"] = (_data, _stat, _ptype, False)


def null_full(name: str) -> Array:
    data, statistic, permutation_type, exact = NULL_CASES[name]
    kwargs: dict[str, Any] = (
        {"exact": True} if exact else {"exact": False, "n_resamples": 300, "rng": 20261130}
    )
    res = permutation_test(
        data,
        statistic,
        permutation_type=permutation_type,
        null_distribution="full",
        **kwargs,
    )
    return np.asarray(res.null_distribution, dtype=np.float64)


# --- (b) relabelled rows -----------------------------------------------------------------------

ROW_SHAPES: dict[str, tuple[str, list[int]]] = {
    "independent2": ("independent", [4, 5]),
    "independent2-small-first": ("independent", [2, 7]),
    "independent3": ("independent", [2, 3, 2]),
    "independent4": ("independent", [1, 2, 2, 1]),
    "paired": ("paired", [7]),
    "pairings1": ("pairings", [6]),
    "all_pairings": ("all_pairings", [3, 3, 3]),
    "blocks": ("blocks", [4, 4, 4]),
}


def relabel_rows(kind: str, sizes: list[int], start: int, count: int, mc_key: int | None) -> Array:
    """The gather rows that callables see (one place to adapt if the binding is renamed)."""
    ptype = {"paired": "samples", "all_pairings": "pairings", "blocks": "samples"}.get(kind, kind)
    return np.asarray(_native.relabel_indices(ptype, sizes, start, count, mc_key))


def exact_total(kind: str, sizes: list[int]) -> int:
    n = sizes[0]
    if kind == "independent":
        return math.factorial(sum(sizes)) // math.prod(math.factorial(s) for s in sizes)
    if kind == "paired":
        return int(2**n)
    if kind == "pairings":
        return math.factorial(n)
    if kind == "all_pairings":
        return int(math.factorial(n) ** len(sizes))
    return int(math.factorial(len(sizes)) ** n)


def row_windows(kind: str, sizes: list[int]) -> dict[str, tuple[int, int, int | None]]:
    total = exact_total(kind, sizes)
    head = min(total, 400)
    return {
        "head": (0, head, None),
        "middle": (total // 2 - 7, min(37, total - total // 2 + 7), None),
        "last": (total - min(total, 25), min(total, 25), None),
        "mc0": (0, 40, 0xC0FFEE),
        "mc-late": (1_000_003, 17, 0xC0FFEE),
    }


ROW_CASES = [
    (shape, window)
    for shape, (kind, sizes) in ROW_SHAPES.items()
    for window in row_windows(kind, sizes)
]


def rows_for(shape: str, window: str) -> Array:
    kind, sizes = ROW_SHAPES[shape]
    start, count, key = row_windows(kind, sizes)[window]
    return relabel_rows(kind, sizes, start, count, key)


# --- (c) tallies through the meet-in-the-middle paths ------------------------------------------

TWO_SAMPLE_SCORES = [17, -3, 8, 8, 21, 0, -9, 4, 13, 6, -1, 30, 2, 11, 7, -5, 19, 3, 9, 1]
SIGN_SCORES = [5, 12, 3, 8, 8, 1, 15, 2, 9, 4, 7, 6, 11, 10, 13, 14, 3, 2, 1, 20]

TALLY_CASES: dict[str, dict[str, Any]] = {
    # C(20, 9) = 167960 relabellings: whole blocks by meet in the middle.
    "two_sample-full": {
        "kind": "two_sample",
        "scores": TWO_SAMPLE_SCORES,
        "sizes": [9, 11],
        "ge": 60,
        "le": 40,
        "deviation": (20, 1020, 100, 100),
        "start": 0,
        "stop": 167960,
    },
    # A range cutting blocks: partial blocks are walked.
    "two_sample-cut": {
        "kind": "two_sample",
        "scores": TWO_SAMPLE_SCORES,
        "sizes": [9, 11],
        "ge": 55,
        "le": 55,
        "deviation": None,
        "start": 12345,
        "stop": 150001,
    },
    # 2^20 sign patterns: blocks of 2^12.
    "sign_flip-full": {
        "kind": "sign_flip",
        "scores": SIGN_SCORES,
        "sizes": [],
        "ge": 40,
        "le": -40,
        "deviation": (1, 0, 40, 40),
        "start": 0,
        "stop": 1 << 20,
    },
    "sign_flip-cut": {
        "kind": "sign_flip",
        "scores": SIGN_SCORES,
        "sizes": [],
        "ge": 30,
        "le": -30,
        "deviation": None,
        "start": 4096 * 3 + 5,
        "stop": 4096 * 200 + 17,
    },
}


def exact_tally(case: dict[str, Any]) -> tuple[int, int, int, int, int]:
    """Counting-only exact tally (one place to adapt if the binding is renamed)."""
    ptype = {"two_sample": "independent", "sign_flip": "samples"}[case["kind"]]
    thresholds = Thresholds(case["ge"], case["le"], case["deviation"])
    plan = KeyPlan(ptype, case["scores"], case["sizes"], None, None, thresholds)
    counts, _ = _native.exact_tally(plan, case["start"], case["stop"], None, "none", None)
    return tuple(counts)  # type: ignore[return-value]


# --- expected values (generated from the pre-refactor code) ------------------------------------

EXPECTED_NULL: dict[str, tuple[str, list[Any]]] = {
    "independent2-callable": (
        "86df267d507e3c861f85bd529403486b",
        [
            1.6033333333333335,
            1.0900000000000003,
            0.9066666666666667,
            0.5766666666666669,
            1.86,
            -0.11999999999999988,
        ],
    ),
    "independent2-callable-mc": (
        "77e6895715909028ad00e6d0e809e72b",
        [
            -0.3766666666666667,
            0.5400000000000003,
            0.3933333333333331,
            0.8700000000000001,
            1.6033333333333335,
            0.10000000000000009,
        ],
    ),
    "independent2-mean_diff": (
        "14b2a8314a7336f4ad6d359da349a50a",
        [
            1.6033333333333333,
            1.09,
            0.9066666666666668,
            0.5766666666666668,
            1.8600000000000003,
            -0.11999999999999994,
        ],
    ),
    "independent2-mean_diff-mc": (
        "6a212f2d0d9dd77eff61c152e7815c74",
        [-0.3766666666666666, 0.54, 0.39333333333333337, 0.87, 1.6033333333333333, 0.1],
    ),
    "independent2-rank_sum": (
        "7d5758f33d7505943a2583418e7184b2",
        [43.5, 39.5, 38.0, 36.5, 44.5, 35.5],
    ),
    "independent2-rank_sum-mc": (
        "e6c504ffb5e365bedd5bd72e36bc73b4",
        [33.5, 40.0, 38.0, 37.0, 43.5, 36.5],
    ),
    "independent2-t": (
        "a91f87e9b110cbc66458b190268aa8d4",
        [
            1.5316615913551026,
            0.975161149988394,
            0.7982540980149884,
            0.4973375202089851,
            1.8627893732680707,
            -0.10215791251124083,
        ],
    ),
    "independent2-t-mc": (
        "65f65c1f8092d1d1dba38638064d6575",
        [
            -0.3223209718984539,
            0.46492895335731105,
            0.3367588197973039,
            0.763831920736388,
            1.5316615913551026,
            0.08511651599077627,
        ],
    ),
    "independent3-callable": (
        "603ecaef76a8eff368905907684411f0",
        [
            2.8666666666666663,
            1.5083333333333333,
            1.8083333333333336,
            1.3083333333333333,
            2.5999999999999996,
            1.7083333333333335,
        ],
    ),
    "independent3-callable-mc": (
        "545e4d8c9107c1236dcded80f81ef888",
        [
            2.4083333333333328,
            1.7166666666666668,
            0.8083333333333333,
            1.1666666666666665,
            0.6499999999999997,
            1.0333333333333332,
        ],
    ),
    "independent3-f": (
        "c2e222de1ed549876523b4445ccff159",
        [
            0.4933310533515726,
            7.268415178571422,
            0.36779161205766764,
            0.472995923913044,
            3.0395569620253142,
            0.7756362275449096,
        ],
    ),
    "independent3-f-mc": (
        "d86f946a28a629d550920f138903fefe",
        [
            0.6990131578947368,
            0.7805472263868073,
            0.29097576530612296,
            0.22493773349937685,
            1.2276405451448031,
            1.0349353796445888,
        ],
    ),
    "pairings-pearson": (
        "79e4472d7e9729a3a37bc5af1f095350",
        [
            -0.19607805063736117,
            -0.21984508707825343,
            0.1723110141964689,
            0.5288165608098528,
            0.6951858158960987,
            0.37433082394405315,
        ],
    ),
    "pairings-pearson-mc": (
        "e43376c083e0a96f6e575ba72b77e041",
        [
            -0.017825277330669197,
            -0.16042749597602277,
            -0.06535935021245372,
            -0.23172860529869957,
            0.7902539616596678,
            0.07724286843289986,
        ],
    ),
    "pairings-sum_product": (
        "89ff57587f5d90f932c012cd8cce18e1",
        [115.5, 114.5, 131.0, 146.0, 153.0, 139.5],
    ),
    "pairings-sum_product-mc": (
        "d30ae31542eeb5d80901752feca075aa",
        [123.0, 117.0, 121.0, 114.0, 157.0, 127.0],
    ),
    "pairings1-callable": (
        "811193eec8ffc6bce3b90bb25b0e4cb7",
        [72.0, 75.0, 72.0, 71.0, 67.0, 61.0],
    ),
    "pairings1-callable-mc": (
        "730a2a7a277dbfbf53ebe96cded49ed9",
        [47.0, 75.0, 52.0, 64.0, 71.0, 60.0],
    ),
    "pairings2-callable": (
        "ca4dc876f75d3ec5746cee5b484f8840",
        [115.5, 114.5, 130.5, 119.5, 131.0, 121.0],
    ),
    "pairings2-callable-mc": (
        "d30ae31542eeb5d80901752feca075aa",
        [123.0, 117.0, 121.0, 114.0, 157.0, 127.0],
    ),
    "pairings3-callable": (
        "2fdc66fc0abbd36398c48d4b0fab5213",
        [34.0, 13.0, 36.0, 12.0, 29.0, 26.0],
    ),
    "pairings3-callable-mc": (
        "ffbd6a56261a114900535ec8045ca014",
        [43.0, 20.0, 66.0, 24.0, 28.0, 18.0],
    ),
    "samples1-callable": ("3f59562a48113fca4354b9109bd870fd", [2.2, 1.4, 2.0, 2.8, 2.6, 1.8]),
    "samples1-callable-mc": ("0eb494b5e3ff5ece37bf6e4b99b6100b", [1.0, 0.0, -1.4, -2.6, 1.2, -1.4]),
    "samples1-signed_rank": (
        "173de6cb464f2deb8844321d7e4cebc0",
        [44.5, 37.5, 43.0, 50.0, 48.5, 41.5],
    ),
    "samples1-signed_rank-mc": (
        "1e33e5128c24ec7a08123fd08fc5675f",
        [35.0, 27.0, 17.0, 7.0, 38.5, 17.0],
    ),
    "samples1-sum": ("40336f3c20ac2187abba42bd8783b9d8", [22.0, 14.0, 20.0, 28.0, 26.0, 18.0]),
    "samples1-sum-mc": ("55b109a57f671bf0e13d1db75660c9af", [10.0, 0.0, -14.0, -26.0, 12.0, -14.0]),
    "samples2-callable": (
        "4d6aa765c8340c781de2a17de5e851a4",
        [
            -0.08333333333333333,
            0.25,
            -0.08333333333333333,
            -0.4166666666666667,
            1.9166666666666667,
            2.25,
        ],
    ),
    "samples2-callable-mc": (
        "801d89bce6aa6a22465a7c51f18b7996",
        [
            0.25,
            2.5833333333333335,
            -0.08333333333333333,
            -0.25,
            -0.4166666666666667,
            0.5833333333333334,
        ],
    ),
    "samples3-callable": ("17f74d0346cae4cdca2365348d177981", [-3.0, -4.0, -1.0, 0.0, -3.0, -1.0]),
    "samples3-callable-mc": ("de55b1d9ed956941b72814c0631635ab", [-2.0, -1.0, 3.0, -2.0, 2.0, 3.0]),
}
EXPECTED_ROWS: dict[str, tuple[str, list[Any]]] = {
    "independent2/head": ("fd0c97c2353d8c88c6c59ecb7b974a96", [0, 1, 2, 3, 4, 5]),
    "independent2/middle": ("f2cce21835f1d96fb315e8c61ae8caa8", [3, 4, 5, 7, 0, 1]),
    "independent2/last": ("3ae22be785e005242f63e7fb4f3f682e", [4, 5, 6, 8, 0, 1]),
    "independent2/mc0": ("0f378e00472a1f6a85bf32b4fe9430b5", [0, 5, 7, 8, 1, 2]),
    "independent2/mc-late": ("705271de8f620ef613d39cb0d5639aa0", [1, 2, 5, 7, 0, 3]),
    "independent2-small-first/head": ("35ae0bbff0d2a84da5730a735097b6b7", [0, 1, 2, 3, 4, 5]),
    "independent2-small-first/middle": ("28c9ccc1f5693b810aa377f2f08bb2c9", [3, 5, 0, 1, 2, 4]),
    "independent2-small-first/last": ("28c9ccc1f5693b810aa377f2f08bb2c9", [3, 5, 0, 1, 2, 4]),
    "independent2-small-first/mc0": ("48561377524a3c5e8075eedcddedb80e", [0, 7, 1, 2, 3, 4]),
    "independent2-small-first/mc-late": ("740df93ed01ef4c982d58bcd747fdc04", [1, 5, 0, 2, 3, 4]),
    "independent3/head": ("1a82a4cdbfc3152a14e9a50a4c889fec", [0, 1, 2, 3, 4, 5]),
    "independent3/middle": ("cce9523650d1f721334ae177418f82dc", [2, 5, 0, 1, 4, 3]),
    "independent3/last": ("0f48f578260bfd496bbedead64459b28", [3, 6, 1, 2, 4, 0]),
    "independent3/mc0": ("532ff42f2ca75e8368c4458d38f15b7e", [0, 5, 2, 4, 6, 1]),
    "independent3/mc-late": ("87afa1dfbab681dbb5747280efb96329", [1, 4, 0, 5, 6, 2]),
    "independent4/head": ("02ff90cfb17b1680cf24c3ce2a1d84f9", [0, 1, 2, 3, 4, 5]),
    "independent4/middle": ("f4cc450e7da8e4da288ca9d6afd6df42", [5, 0, 2, 3, 4, 1]),
    "independent4/last": ("493ee17a40033f8307f584046d5fa1e8", [1, 4, 5, 2, 3, 0]),
    "independent4/mc0": ("c09de14d84c4e0b2abe1f2cac257863a", [0, 4, 5, 1, 2, 3]),
    "independent4/mc-late": ("5204ec5f8150eddd4c6f73fe2568d11c", [0, 3, 5, 2, 4, 1]),
    "paired/head": ("fec7795b6eae5a12b6d84f25b70b4221", [0, 1, 2, 3, 4, 5]),
    "paired/middle": ("33a9a9668688b432e22f31f0f9658188", [7, 1, 9, 3, 4, 12]),
    "paired/last": ("99628091750870662e4d03b332ff9385", [0, 1, 9, 3, 11, 5]),
    "paired/mc0": ("bdd7cb0c6abe5a24f8ed98a08b31cf8a", [0, 8, 9, 10, 4, 12]),
    "paired/mc-late": ("1d7e82a79f295e1e4c5a0d36ffea1559", [0, 1, 2, 3, 4, 12]),
    "pairings1/head": ("262d5ff4724f1c731756a5989cf5101f", [0, 1, 2, 3, 4, 5]),
    "pairings1/middle": ("ab14318f5d2108545ecba609af51fdf8", [5, 3, 2, 0, 4, 1]),
    "pairings1/last": ("c8185e48a51ce4a49d0776c0bc485d4e", [4, 1, 0, 2, 3, 5]),
    "pairings1/mc0": ("cb043a1d07cfc323edb2b1c16bc5bdb1", [0, 5, 4, 1, 2, 3]),
    "pairings1/mc-late": ("3b07b64446df4f83272602e6c7dd6f37", [0, 3, 5, 2, 4, 1]),
    "all_pairings/head": ("dc4ab56bd53352d070315c81512a804a", [0, 1, 2, 3, 4, 5]),
    "all_pairings/middle": ("c99e4f763a5ed5786befa4a7ac24f045", [1, 0, 2, 5, 3, 4]),
    "all_pairings/last": ("dc06f778a18d129236ff818eec4a3a07", [2, 1, 0, 3, 5, 4]),
    "all_pairings/mc0": ("b6b7d048bfab847e2d4737288971d68e", [1, 2, 0, 3, 5, 4]),
    "all_pairings/mc-late": ("f25eef18ed40892c17020eb5b41699a5", [2, 0, 1, 3, 5, 4]),
    "blocks/head": ("4bd55da1fda3283db3e60053da8753fd", [0, 1, 2, 3, 4, 5]),
    "blocks/middle": ("921d12239ac8c21e0f182e398ee4c609", [4, 9, 10, 11, 0, 5]),
    "blocks/last": ("6bf886828b4b799dda826b21c3b19260", [8, 9, 2, 11, 4, 5]),
    "blocks/mc0": ("0a1c3018db2a725f28200ba4228ad9d0", [0, 5, 2, 7, 8, 9]),
    "blocks/mc-late": ("b0f2f47995234e56c368c4a482f9ed09", [0, 9, 2, 11, 8, 1]),
}
EXPECTED_TALLIES: dict[str, tuple[int, int, int, int, int]] = {
    "sign_flip-cut": (806924, 230830, 164064, 0, 0),
    "sign_flip-full": (1048576, 187426, 187426, 374852, 349074),
    "two_sample-cut": (137656, 92287, 47663, 0, 0),
    "two_sample-full": (167960, 95447, 24545, 144326, 139136),
}


@pytest.mark.parametrize("name", sorted(NULL_CASES))
def test_null_distribution_full_order_is_pinned(name: str) -> None:
    assert _digest(null_full(name)) == EXPECTED_NULL[name]


@pytest.mark.parametrize(("shape", "window"), ROW_CASES)
def test_relabelled_rows_are_pinned(shape: str, window: str) -> None:
    assert _digest(rows_for(shape, window)) == EXPECTED_ROWS[f"{shape}/{window}"]


@pytest.mark.parametrize("name", sorted(TALLY_CASES))
def test_meet_in_the_middle_tallies_are_pinned(name: str) -> None:
    assert exact_tally(TALLY_CASES[name]) == EXPECTED_TALLIES[name]


def test_cut_ranges_add_up_to_the_whole() -> None:
    # The pinned cut tallies are consistent with walking: split anywhere, same sums.
    case = dict(TALLY_CASES["two_sample-cut"])
    whole = exact_tally(case)
    left = exact_tally({**case, "stop": 99_999})
    right = exact_tally({**case, "start": 99_999})
    assert tuple(a + b for a, b in zip(left, right)) == whole


def test_rows_windows_agree_with_the_head() -> None:
    # A walk started mid-range continues exactly where a walk from rank 0 is.
    kind, sizes = ROW_SHAPES["independent3"]
    head = relabel_rows(kind, sizes, 0, 210, None)
    np.testing.assert_array_equal(relabel_rows(kind, sizes, 97, 50, None), head[97:147])


if __name__ == "__main__":
    print("EXPECTED_NULL = {")
    for name in sorted(NULL_CASES):
        print(f"    {name!r}: {_digest(null_full(name))!r},")
    print("}")
    print("EXPECTED_ROWS = {")
    for shape, window in ROW_CASES:
        print(f"    {shape + '/' + window!r}: {_digest(rows_for(shape, window))!r},")
    print("}")
    print("EXPECTED_TALLIES = {")
    for name in sorted(TALLY_CASES):
        print(f"    {name!r}: {exact_tally(TALLY_CASES[name])!r},")
    print("}")


def _revolving_door_unrank(n: int, t: int, r: int) -> list[int]:
    """Knuth's order Γ(n,t) = Γ(n-1,t), then Γ(n-1,t-1) reversed plus n-1 (oracle)."""
    members = []
    while 0 < t < n:
        without = math.comb(n - 1, t)
        if r >= without:
            members.append(n - 1)
            r = math.comb(n - 1, t - 1) - 1 - (r - without)
            t -= 1
        n -= 1
    if t == n:
        members.extend(range(n))
    return sorted(members)


def _multinomial(counts: list[int]) -> int:
    return math.factorial(sum(counts)) // math.prod(math.factorial(c) for c in counts)


def _multiset_unrank(counts: list[int], r: int) -> list[int]:
    """Lex order of label vectors: the first label is the smallest whose block holds r (oracle)."""
    left, labels = list(counts), []
    for _ in range(sum(counts)):
        for g, c in enumerate(left):
            if c == 0:
                continue
            left[g] -= 1
            below = _multinomial(left)
            if r < below:
                labels.append(g)
                break
            r -= below
            left[g] += 1
    return labels


@pytest.mark.parametrize(
    ("n", "t"), [(9, 4), (64, 30), (67, 33), (68, 34), (70, 35), (90, 45), (65, 63), (64, 1)]
)
def test_two_group_rows_start_anywhere_around_64_bit_counts(n: int, t: int) -> None:
    # Totals on both sides of 2^64: the walker seeks with u64 or big-integer ranks.
    total = math.comb(n, t)
    for r in [0, 1, total // 3, total - 1, (total * 7) // 11]:
        row = relabel_rows("independent", [t, n - t], r, 1, None)[0]
        assert sorted(row[:t].tolist()) == _revolving_door_unrank(n, t, r)


@pytest.mark.parametrize(
    "sizes", [[2, 3, 2], [14, 14, 14], [16, 16, 16], [25, 25, 25], [1, 0, 5, 2]]
)
def test_k_group_rows_start_anywhere_around_64_bit_counts(sizes: list[int]) -> None:
    total = _multinomial(sizes)
    for r in [0, total // 2, total - 1, (total * 5) // 13]:
        row = relabel_rows("independent", sizes, r, 1, None)[0]
        labels = [0] * sum(sizes)
        offsets = np.cumsum([0, *sizes])
        for g in range(len(sizes)):
            for i in row[offsets[g] : offsets[g + 1]]:
                labels[int(i)] = g
        assert labels == _multiset_unrank(sizes, r)
