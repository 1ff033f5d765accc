"""From counts to results: p-values (scipy's rules, exact fractions), the choice
of exact versus Monte Carlo, the full-null memory guard, and the combination of
per-slice results into arrays."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import cast

import numpy as np

from permkit._arrays import require_memory
from permkit.stats._builtins import Array
from permkit.stats._kernel import FULL_NULL_MAX_BYTES, FULL_NULL_VALUE_BYTES
from permkit.stats._result import NullDistribution, PermutationTestResult

#: Exact enumeration works on 63-bit ranks.
RANK_LIMIT = 2**63


def p_value(
    counts_le: int,
    counts_ge: int,
    dev_ge: int,
    dev_gt: int,
    total: int,
    alternative: str,
    two_sided: str,
    mid_p: bool,
    monte_carlo: bool,
) -> tuple[Fraction, Fraction | int]:
    """(p as Fraction, n_extreme) from exact counts of one test."""
    adjust = 1 if monte_carlo else 0
    tie_credit = Fraction(1, 2) if mid_p else 1
    ties = counts_le + counts_ge - total

    def one_sided(count: int) -> tuple[Fraction, Fraction | int]:
        c = count - Fraction(ties, 2) if mid_p else count
        return Fraction(c) + adjust * tie_credit, c

    if alternative == "less":
        p, n = one_sided(counts_le)
        return p / (total + adjust), n
    if alternative == "greater":
        p, n = one_sided(counts_ge)
        return p / (total + adjust), n
    if two_sided == "deviation":
        c = dev_gt + Fraction(dev_ge - dev_gt, 2) if mid_p else dev_ge
        return (Fraction(c) + adjust * tie_credit) / (total + adjust), c
    (pl, nl), (pg, ng) = one_sided(counts_le), one_sided(counts_ge)
    return min(Fraction(1), 2 * min(pl, pg) / (total + adjust)), min(nl, ng)


def check_full_fits(null_distribution: str | None, runs: int, values_per_run: int) -> None:
    if null_distribution == "full":
        require_memory(
            runs * values_per_run * FULL_NULL_VALUE_BYTES,
            f"null_distribution='full' ({runs * values_per_run} values while building)",
            limit=FULL_NULL_MAX_BYTES,
            hint="use null_distribution='histogram' or None",
        )


def choose_method(total: int, exact: bool | None, limit: int | float) -> str:
    if exact is False:
        return "monte carlo"
    if exact is True:
        if total >= RANK_LIMIT:
            raise ValueError(
                f"exact: {total} relabellings cannot be enumerated (limit 2**63); "
                "use exact=None or exact=False (Monte Carlo)"
            )
        return "exact"
    return "exact" if total <= limit else "monte carlo"


def combine(
    results: list[PermutationTestResult | None],
    lead: tuple[int, ...],
    alternative: str,
    two_sided: str,
    null_distribution: str | None,
) -> PermutationTestResult:
    if not lead:
        if results[0] is None:  # nan_policy="propagate" on data with NaN
            return PermutationTestResult(
                math.nan, math.nan, None, None, None, 0, "none", alternative, two_sided
            )
        return results[0]
    shape = lead
    stat = np.full(shape, np.nan)
    pval = np.full(shape, np.nan)
    frac = np.empty(shape, dtype=object)
    n_ext = np.empty(shape, dtype=object)
    n_tot = np.empty(shape, dtype=object)
    methods: set[str] = set()
    nulls: list[NullDistribution] = []
    for index, r in zip(np.ndindex(shape), results):
        if r is None:
            continue
        stat[index], pval[index], frac[index] = r.statistic, r.pvalue, r.pvalue_fraction
        n_ext[index], n_tot[index] = r.n_extreme, r.n_total
        methods.add(r.method)
        nulls.append(r.null_distribution)
    null: NullDistribution = None
    full = cast("list[Array]", nulls)  # with null_distribution="full", every null is an array
    if (
        null_distribution == "full"
        and full
        and all(len(x) == len(full[0]) for x in full)
        and len(full) == len(results)
    ):
        null = np.stack(full, axis=-1).reshape((len(full[0]),) + shape)
    elif null_distribution is not None:
        null = np.empty(shape, dtype=object)
        for index, r in zip(np.ndindex(shape), results):
            null[index] = None if r is None else r.null_distribution
    return PermutationTestResult(
        stat,
        pval,
        null,
        frac,
        n_ext,
        n_tot,
        "/".join(sorted(methods)) or "none",
        alternative,
        two_sided,
    )
