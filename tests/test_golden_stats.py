"""Golden answers of every public stats entry point, generated from the code
before the issue-13 refactor (commit af21ba0): p-values, counts, methods and a
digest of the null distribution for exact and seeded Monte Carlo runs. A change
here is an output change: a bug, not a version bump."""

from __future__ import annotations

import hashlib
from typing import Any, Callable

import numpy as np
import pytest

from permkit.stats import fisher_exact, maxt, patch_scipy, permutation_test, shift_ci

scipy_stats = pytest.importorskip("scipy.stats")

_rng = np.random.default_rng(20261130)
X = np.round(_rng.normal(1.0, 2.0, 6), 1)
Y = np.round(_rng.normal(0.0, 2.0, 5), 1)
Z = np.round(_rng.normal(-0.5, 2.0, 4), 1)
TIES_X = np.array([3, 5, 5, 6, 7, 7, 8])
TIES_Y = np.array([2, 3, 3, 4, 5, 6])
D = np.round(_rng.normal(0.3, 1.0, 10), 1)
BLOCKS = [np.round(_rng.normal(i * 0.4, 1.0, 5), 1) for i in range(3)]
PX = np.round(_rng.normal(0.0, 1.0, 7), 2)
PY = np.round(PX + _rng.normal(0.0, 1.0, 7), 2)
WIDE_X = np.arange(20) % 9
WIDE_Y = (np.arange(20) * 7) % 11
WIDE_D = (np.arange(40) % 13) - 5.0
MATRIX_X = np.round(_rng.normal(0.5, 1.0, (3, 6)), 1)
MATRIX_Y = np.round(_rng.normal(0.0, 1.0, (3, 5)), 1)


def _mean_diff(x: Any, y: Any, axis: int = -1) -> Any:
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def _scalar_mean_diff(x: Any, y: Any) -> Any:
    return np.mean(x) - np.mean(y)


def _mean(d: Any, axis: int = -1) -> Any:
    return np.mean(d, axis=axis)


def _corr(x: Any, y: Any, axis: int = -1) -> Any:
    return np.sum(x * y, axis=axis)


def _digest(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # NullHistogram
        return _digest(np.asarray(value[0])) + "/" + _digest(np.asarray(value[1]))
    array = np.asarray(value)
    if array.dtype == object:
        return hashlib.sha256(repr(array.tolist()).encode()).hexdigest()[:16]
    data = np.ascontiguousarray(array, dtype=np.float64).tobytes()
    return hashlib.sha256(data + repr(array.shape).encode()).hexdigest()[:16]


def _summary(res: Any) -> str:
    totals = np.ravel(np.asarray(res.n_total, dtype=object))
    small = max(int(t) for t in totals) <= 10**5  # a lazily computed null stays cheap
    fields = [
        repr(np.asarray(res.statistic).tolist()),
        repr(np.asarray(res.pvalue).tolist()),
        repr(np.asarray(res.pvalue_fraction, dtype=object).tolist()),
        repr(np.asarray(res.n_extreme, dtype=object).tolist()),
        repr(np.asarray(res.n_total, dtype=object).tolist()),
        res.method,
        _digest(res.null_distribution) if small else "not read",
    ]
    return " | ".join(fields)


def _pt(data: Any, statistic: Any, **kwargs: Any) -> Callable[[], str]:
    return lambda: _summary(permutation_test(data, statistic, **kwargs))


def _smp(data: Any, statistic: Any, **kwargs: Any) -> Callable[[], str]:
    return _pt(data, statistic, permutation_type="samples", **kwargs)


MC = {"exact": False, "n_resamples": 199, "rng": 1234}

CASES: dict[str, Callable[[], str]] = {
    # independent, built-in statistics
    "ind-mean_diff": _pt((X, Y), "mean_diff"),
    "ind-mean_diff-full": _pt((X, Y), "mean_diff", null_distribution="full"),
    "ind-mean_diff-hist": _pt((X, Y), "mean_diff", null_distribution="histogram"),
    "ind-mean_diff-less-midp": _pt((X, Y), "mean_diff", alternative="less", mid_p=True),
    "ind-mean_diff-deviation": _pt((X, Y), "mean_diff", two_sided="deviation"),
    "ind-mean_diff-mc": _pt((X, Y), "mean_diff", **MC),
    "ind-mean_diff-mc-full": _pt((X, Y), "mean_diff", null_distribution="full", **MC),
    "ind-sum-greater": _pt((X, Y), "sum", alternative="greater"),
    "ind-t": _pt((X, Y), "t", null_distribution="histogram"),
    "ind-t-deviation": _pt((X, Y), "t", two_sided="deviation"),
    "ind-t-mc": _pt((X, Y), "t", **MC),
    "ind-welch_t": _pt((X, Y), "welch_t"),
    "ind-welch_t-full": _pt((X, Y), "welch_t", null_distribution="full"),
    "ind-welch_t-mc": _pt((X, Y), "welch_t", **MC),
    "ind-rank_sum-ties": _pt((TIES_X, TIES_Y), "rank_sum", null_distribution="full"),
    "ind-rank_sum-shift": _pt((WIDE_X, WIDE_Y), "rank_sum", null_distribution="histogram"),
    "ind-rank_sum-shift-deviation": _pt((WIDE_X, WIDE_Y), "rank_sum", two_sided="deviation"),
    "ind-rank_sum-wide-mc": _pt((WIDE_X, WIDE_Y), "rank_sum", **MC),
    "ind-f": _pt((X, Y, Z), "f", null_distribution="histogram"),
    "ind-f-full": _pt((X, Y, Z), "f", null_distribution="full"),
    "ind-f-mc": _pt((X, Y, Z), "f", null_distribution="full", **MC),
    "ind-batched": _pt((MATRIX_X, MATRIX_Y), "mean_diff", axis=1, null_distribution="full"),
    "ind-batched-mc": _pt((MATRIX_X.T, MATRIX_Y.T), "t", **MC),
    # independent, callables
    "ind-callable": _pt((X, Y), _mean_diff, null_distribution="full"),
    "ind-callable-scalar": _pt((X, Y), _scalar_mean_diff, alternative="greater"),
    "ind-callable-mc": _pt((X, Y), _mean_diff, null_distribution="full", **MC),
    "ind-callable-k": _pt((X, Y, Z), lambda *s, axis=-1: np.mean(s[0], axis=axis), **MC),
    "ind-callable-batched": _pt((MATRIX_X, MATRIX_Y), _mean_diff, axis=1, n_resamples=99, rng=3),
    "ind-callable-deviation": _pt((X, Y), _mean_diff, two_sided="deviation"),
    # samples, built-in statistics
    "smp-sum": _smp((D,), "sum", null_distribution="full"),
    "smp-mean-two": _smp((X[:5], Y), "mean", null_distribution="histogram"),
    "smp-mean-deviation": _smp((D,), "mean", two_sided="deviation", mid_p=True),
    "smp-signed_rank": _smp((D,), "signed_rank", null_distribution="histogram"),
    "smp-signed_rank-mc": _smp((D,), "signed_rank", null_distribution="full", **MC),
    "smp-sum-shift": _smp((WIDE_D,), "sum", null_distribution="histogram"),
    "smp-friedman": _smp(BLOCKS, "friedman", null_distribution="histogram"),
    "smp-friedman-mc": _smp(BLOCKS, "friedman", **MC),
    "smp-page": _smp(BLOCKS, "page", alternative="greater"),
    "smp-page-full": _smp(BLOCKS, "page", null_distribution="full"),
    # samples, callables
    "smp-callable": _smp((D,), _mean, null_distribution="full"),
    "smp-callable-two-mc": _smp((X[:5], Y), _mean_diff, **MC),
    "smp-callable-blocks": _smp(BLOCKS, lambda *s, axis=-1: np.mean(s[2] - s[0], axis=axis)),
    # pairings
    "pair-pearson": _pt((PX, PY), "pearson", permutation_type="pairings"),
    "pair-pearson-full": _pt(
        (PX, PY), "pearson", permutation_type="pairings", null_distribution="full"
    ),
    "pair-spearman": _pt(
        (PX, PY), "spearman", permutation_type="pairings", null_distribution="histogram"
    ),
    "pair-sum_product-mc": _pt(
        (PX, PY), "sum_product", permutation_type="pairings", null_distribution="full", **MC
    ),
    "pair-callable": _pt(
        (PX, PY), _corr, permutation_type="pairings", null_distribution="full", rng=11
    ),
    "pair-callable-one-mc": _pt(
        (PX,),
        lambda x, axis=-1: np.sum(x * np.arange(7), axis=axis),
        permutation_type="pairings",
        **MC,
    ),
    # strata
    "strata-sum": _pt((X, Y), "sum", strata=[0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]),
    "strata-rank_sum-mc": _pt(
        (TIES_X, TIES_Y), "rank_sum", strata=[0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 0], **MC
    ),
    "strata-mean_diff-deviation": _pt(
        (X, Y), "mean_diff", strata=[0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0], two_sided="deviation"
    ),
}


def _fisher(table: Any, **kwargs: Any) -> Callable[[], str]:
    def run() -> str:
        res = fisher_exact(table, **kwargs)
        return f"{float(res.statistic)!r} | {float(res.pvalue)!r}"

    return run


def _maxt(statistic: str, **kwargs: Any) -> Callable[[], str]:
    def run() -> str:
        data = np.column_stack([np.concatenate([X, Y]), np.concatenate([Y, X])[::-1]])
        res = maxt(data, [0] * 6 + [1] * 5, statistic=statistic, **kwargs)
        fields = [res.statistic, res.pvalue, res.pvalue_raw]
        return " | ".join(
            [repr(np.asarray(f).tolist()) for f in fields] + [str(res.n_total), res.method]
        )

    return run


def _shift(*args: Any, **kwargs: Any) -> Callable[[], str]:
    def run() -> str:
        res = shift_ci(*args, **kwargs)
        return (
            f"{float(res.estimate)!r} | {[float(v) for v in res.confidence_interval]!r} | "
            f"{res.achieved_confidence_level!r} | {res.method}"
        )

    return run


def _patched_pearsonr() -> str:
    with patch_scipy():
        res = scipy_stats.pearsonr(PX, PY, method=scipy_stats.PermutationMethod(n_resamples=9999))
    return f"{float(res.statistic)!r} | {float(res.pvalue)!r}"


def _patched_ttest() -> str:
    method = scipy_stats.PermutationMethod(n_resamples=199, rng=np.random.default_rng(7))
    with patch_scipy():
        res = scipy_stats.ttest_ind(X, Y, method=method)
    return f"{float(res.statistic)!r} | {float(res.pvalue)!r}"


def _patched_permutation_test() -> str:
    with patch_scipy():
        res = scipy_stats.permutation_test((X, Y), _mean_diff, n_resamples=99, rng=5)
    return f"{float(res.statistic)!r} | {float(res.pvalue)!r} | {_digest(res.null_distribution)}"


CASES.update(
    {
        "fisher-2x2": _fisher([[7, 2], [3, 9]]),
        "fisher-2x2-less": _fisher([[7, 2], [3, 9]], alternative="less"),
        "fisher-rxc": _fisher([[3, 1, 4], [1, 5, 2], [2, 2, 6]]),
        "fisher-2x3": _fisher([[8, 1, 0], [2, 4, 5]]),
        "maxt-t-exact": _maxt("t"),
        "maxt-welch-mc": _maxt("welch_t", exact=False, n_resamples=199, rng=99),
        "maxt-mean_diff-greater": _maxt("mean_diff", alternative="greater"),
        "shift_ci-two": _shift(X, Y),
        "shift_ci-ties": _shift(TIES_X, TIES_Y, 0.9),
        "shift_ci-one": _shift(D, alternative="greater"),
        "shift_ci-paired-ties": _shift(TIES_X[:6], TIES_Y, paired=True),
        "scipy-pearsonr": _patched_pearsonr,
        "scipy-ttest_ind": _patched_ttest,
        "scipy-permutation_test": _patched_permutation_test,
    }
)

EXPECTED: dict[str, str] = {
    "fisher-2x2": "10.5 | 0.02997312285237981",
    "fisher-2x2-less": "10.5 | 0.9982819038546592",
    "fisher-2x3": "0.0013396046677780508 | 0.006489640390569217",
    "fisher-rxc": "0.0020436608029927306 | 0.25589985772430784",
    "ind-batched": "[-0.1299999999999999, 0.23666666666666664, 0.29666666666666663] | [0.8528138528138528, 0.7142857142857143, 0.683982683982684] | [Fraction(197, 231), Fraction(5, 7), Fraction(158, 231)] | [197, 165, 158] | [462, 462, 462] | exact | c20466beb6d8b95d",
    "ind-batched-mc": "[-0.22570265842075798, 0.4022600119883557, 0.43124071612898995] | [1.0, 0.78, 0.63] | [Fraction(1, 1), Fraction(39, 50), Fraction(63, 100)] | [100, 77, 62] | [199, 199, 199] | monte carlo | 34648eb599d094c4",
    "ind-callable": "-0.43333333333333346 | 0.6060606060606061 | Fraction(20, 33) | 140 | 462 | exact | 3f06aee1c1ce29a5",
    "ind-callable-batched": "[-0.1299999999999999, 0.23666666666666664, 0.29666666666666663] | [0.84, 0.98, 0.68] | [Fraction(21, 25), Fraction(49, 50), Fraction(17, 25)] | [41, 48, 33] | 99 | monte carlo | 2881f554b73a27a8",
    "ind-callable-deviation": "-0.43333333333333346 | 0.5995670995670995 | Fraction(277, 462) | 277 | 462 | exact | 3f06aee1c1ce29a5",
    "ind-callable-k": "-0.3333333333333334 | 0.91 | Fraction(91, 100) | 90 | 199 | monte carlo | 1f25e1f29856a66c",
    "ind-callable-mc": "-0.43333333333333346 | 0.71 | Fraction(71, 100) | 70 | 199 | monte carlo | 3d14fe195f5e53f9",
    "ind-callable-scalar": "-0.43333333333333346 | 0.7142857142857143 | Fraction(5, 7) | 330 | 462 | exact | 3f06aee1c1ce29a5",
    "ind-f": "0.10753722371219833 | 0.1932385075242218 | Fraction(4687, 24255) | 60931 | 630630 | exact | not read",
    "ind-f-full": "0.10753722371219833 | 0.1932385075242218 | Fraction(4687, 24255) | 60931 | 630630 | exact | not read",
    "ind-f-mc": "0.10753722371219833 | 0.21 | Fraction(21, 100) | 20 | 199 | monte carlo | 794dd16f2df775ad",
    "ind-mean_diff": "-0.43333333333333346 | 0.6060606060606061 | Fraction(20, 33) | 140 | 462 | exact | 57b44e75040509d4",
    "ind-mean_diff-deviation": "-0.43333333333333346 | 0.5995670995670995 | Fraction(277, 462) | 277 | 462 | exact | 57b44e75040509d4",
    "ind-mean_diff-full": "-0.43333333333333346 | 0.6060606060606061 | Fraction(20, 33) | 140 | 462 | exact | 57b44e75040509d4",
    "ind-mean_diff-hist": "-0.43333333333333346 | 0.6060606060606061 | Fraction(20, 33) | 140 | 462 | exact | 6f574346473ebbd3/208d5919ad78770f",
    "ind-mean_diff-less-midp": "-0.43333333333333346 | 0.2943722943722944 | Fraction(68, 231) | Fraction(136, 1) | 462 | exact | 57b44e75040509d4",
    "ind-mean_diff-mc": "-0.43333333333333346 | 0.71 | Fraction(71, 100) | 70 | 199 | monte carlo | 98cdec4009b12b9e",
    "ind-mean_diff-mc-full": "-0.43333333333333346 | 0.71 | Fraction(71, 100) | 70 | 199 | monte carlo | 98cdec4009b12b9e",
    "ind-rank_sum-shift": "366.0 | 0.2372291697435577 | Fraction(1167900628, 4923090315) | 16350608792 | 137846528820 | shift | not read",
    "ind-rank_sum-shift-deviation": "366.0 | 0.2372291697435577 | Fraction(1167900628, 4923090315) | 32701217584 | 137846528820 | shift | not read",
    "ind-rank_sum-ties": "62.5 | 0.06526806526806526 | Fraction(28, 429) | 56 | 1716 | exact | 42c6a03663c714c7",
    "ind-rank_sum-wide-mc": "366.0 | 0.24 | Fraction(6, 25) | 23 | 199 | monte carlo | 7e8d9311aba83a2a",
    "ind-sum-greater": "-2.0000000000000004 | 0.7142857142857143 | Fraction(5, 7) | 330 | 462 | exact | 03b6314d9b6aeb1a",
    "ind-t": "-0.5772237821097447 | 0.6060606060606061 | Fraction(20, 33) | 140 | 462 | exact | 7a0dac2f3127ac99/208d5919ad78770f",
    "ind-t-deviation": "-0.5772237821097447 | 0.5995670995670995 | Fraction(277, 462) | 277 | 462 | exact | 376dd8c818c8f3b3",
    "ind-t-mc": "-0.5772237821097447 | 0.71 | Fraction(71, 100) | 70 | 199 | monte carlo | ad7b582e8fd7af72",
    "ind-welch_t": "-0.587820219895516 | 0.6060606060606061 | Fraction(20, 33) | 140 | 462 | exact | 4add7e662a483174",
    "ind-welch_t-full": "-0.587820219895516 | 0.6060606060606061 | Fraction(20, 33) | 140 | 462 | exact | 4add7e662a483174",
    "ind-welch_t-mc": "-0.587820219895516 | 0.71 | Fraction(71, 100) | 70 | 199 | monte carlo | 1753d10d3c6f1523",
    "maxt-mean_diff-greater": "[-0.43333333333333346, -0.4333333333333334] | [0.9199134199134199, 0.9199134199134199] | [0.7142857142857143, 0.7142857142857143] | 462 | exact",
    "maxt-t-exact": "[-0.5772237821097446, -0.5772237821097446] | [0.8311688311688312, 0.8311688311688312] | [0.5995670995670995, 0.5995670995670995] | 462 | exact",
    "maxt-welch-mc": "[-0.587820219895516, -0.5878202198955159] | [0.79, 0.79] | [0.525, 0.57] | 199 | monte carlo",
    "pair-callable": "2.2137000000000002 | 0.1826 | Fraction(913, 5000) | 912 | 9999 | monte carlo | 42cfb407035963ca",
    "pair-callable-one-mc": "4.5 | 0.52 | Fraction(13, 25) | 51 | 199 | monte carlo | 9c937c452c1f3f0c",
    "pair-pearson": "0.5745865046221657 | 0.18492063492063493 | Fraction(233, 1260) | 466 | 5040 | exact | 5b77c416be1a2ed1",
    "pair-pearson-full": "0.5745865046221657 | 0.18492063492063493 | Fraction(233, 1260) | 466 | 5040 | exact | 5b77c416be1a2ed1",
    "pair-spearman": "0.504524979109513 | 0.2515873015873016 | Fraction(317, 1260) | 634 | 5040 | exact | 15809aa9dc306878/cca98e638af0a9ac",
    "pair-sum_product-mc": "2.2137000000000002 | 0.22 | Fraction(11, 50) | 21 | 199 | monte carlo | 3d6d571b801232d9",
    "scipy-pearsonr": "0.5745865046221657 | 0.18492063492063493",
    "scipy-permutation_test": "-0.43333333333333346 | 0.48 | 353ac23abf93a671",
    "scipy-ttest_ind": "-0.5772237821097447 | 0.65",
    "shift_ci-one": "0.25 | [-0.6, inf] | nan | one-sample (ties: test inversion)",
    "shift_ci-paired-ties": "1.5 | [1.0, 2.0] | nan | paired (ties: test inversion)",
    "shift_ci-ties": "2.0 | [0.0, 4.0] | nan | two-sample (ties: test inversion)",
    "shift_ci-two": "-0.30000000000000004 | [-2.4, 1.5] | nan | two-sample (ties: test inversion)",
    "smp-callable": "0.29 | 0.5234375 | Fraction(67, 128) | 268 | 1024 | exact | aa1d9bdcc696b030",
    "smp-callable-blocks": "1.2600000000000002 | 0.09130658436213991 | Fraction(355, 3888) | 355 | 7776 | exact | f6b9f3dc67bc6687",
    "smp-callable-two-mc": "-0.6000000000000002 | 0.5 | Fraction(1, 2) | 49 | 199 | monte carlo | 65f2a40a9514a805",
    "smp-friedman": "2.8000000000000043 | 0.7345679012345679 | Fraction(119, 162) | 2856 | 7776 | exact | 23255a74b6be628c/14efedf25cb6230a",
    "smp-friedman-mc": "2.8000000000000043 | 0.74 | Fraction(37, 50) | 73 | 199 | monte carlo | 3694c5d6b991a8f4",
    "smp-mean-deviation": "0.29 | 0.509765625 | Fraction(261, 512) | Fraction(522, 1) | 1024 | exact | 9aa5ab79f9fc2ecd",
    "smp-mean-two": "-0.6000000000000001 | 0.5 | Fraction(1, 2) | 8 | 32 | exact | 39cbf4ecd1dce8f9/4fe5d12f8567be82",
    "smp-page": "65.0 | 0.07947530864197531 | Fraction(103, 1296) | 618 | 7776 | exact | 11ec664bcfc91e89",
    "smp-page-full": "65.0 | 0.15895061728395063 | Fraction(103, 648) | 618 | 7776 | exact | 11ec664bcfc91e89",
    "smp-signed_rank": "28.0 | 0.5703125 | Fraction(73, 128) | 292 | 1024 | exact | e0e643ddd1e28232/1e01b8240c4045e0",
    "smp-signed_rank-mc": "28.0 | 0.61 | Fraction(61, 100) | 60 | 199 | monte carlo | ecb0186590c8ba5f",
    "smp-sum": "2.9 | 0.5234375 | Fraction(67, 128) | 268 | 1024 | exact | e85838a5aefab9b1",
    "smp-sum-shift": "34.0 | 0.18356207813485526 | Fraction(6307144979, 34359738368) | 100914319664 | 1099511627776 | shift | not read",
    "strata-mean_diff-deviation": "-0.43333333333333346 | 0.41 | Fraction(41, 100) | 82 | 200 | shift | none",
    "strata-rank_sum-mc": "24.0 | 0.07 | Fraction(7, 100) | 6 | 199 | monte carlo | none",
    "strata-sum": "-2.0 | 0.45 | Fraction(9, 20) | 45 | 200 | shift | none",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str) -> None:
    assert CASES[case]() == EXPECTED[case]
