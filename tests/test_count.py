"""permkit.count against brute force (itertools) and independent formulas."""

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from permkit import count


def test_small_counts_match_brute_force():
    for n in range(8):
        perms = list(itertools.permutations(range(n)))
        assert count.permutations(n) == len(perms)
        assert count.derangements(n) == sum(all(p[i] != i for i in range(n)) for p in perms)
        assert count.involutions(n) == sum(all(p[p[i]] == i for i in range(n)) for p in perms)
        for k in range(n + 2):
            assert count.permutations(n, k) == len(list(itertools.permutations(range(n), k)))
            assert count.combinations(n, k) == len(list(itertools.combinations(range(n), k)))


@pytest.mark.parametrize(
    "counts", [[], [0], [3], [1, 1, 1], [2, 1], [2, 2, 1], [0, 3, 2], [3, 1, 2]]
)
def test_multiset_counts_match_brute_force(counts):
    seq = [v for v, c in enumerate(counts) for _ in range(c)]
    assert count.multiset_permutations(counts) == len(set(itertools.permutations(seq)))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 400), st.integers(0, 450))
def test_big_counts_match_math(n, k):
    assert count.permutations(n, k) == math.perm(n, k)
    assert count.combinations(n, k) == math.comb(n, k)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=6))
def test_multinomial_matches_factorials(counts):
    expected = math.factorial(sum(counts))
    for c in counts:
        expected //= math.factorial(c)
    assert count.multiset_permutations(counts) == expected


@pytest.mark.parametrize("n", [0, 1, 2, 20, 21, 100, 1000])
def test_derangements_and_involutions_match_closed_forms(n):
    # Inclusion-exclusion for derangements, sum over matchings for involutions:
    # independent of the recurrences used in Rust.
    d = sum((-1) ** i * math.factorial(n) // math.factorial(i) for i in range(n + 1))
    assert count.derangements(n) == d
    inv = sum(math.comb(n, 2 * j) * math.prod(range(1, 2 * j, 2)) for j in range(n // 2 + 1))
    assert count.involutions(n) == inv


def test_known_values():
    # OEIS A000166 (derangements) and A000085 (involutions).
    assert count.derangements(20) == 895014631192902121
    assert count.involutions(20) == 23758664096
    assert count.permutations(20) == 2432902008176640000


def test_bad_arguments():
    with pytest.raises(ValueError, match="n: must be >= 0"):
        count.permutations(-1)
    with pytest.raises(TypeError, match="n"):
        count.derangements(3.0)
    with pytest.raises(TypeError, match="k"):
        count.combinations(5, True)
    with pytest.raises(ValueError, match="counts"):
        count.multiset_permutations([1, -2])
    with pytest.raises(OverflowError):
        count.involutions(1 << 70)


def _subfactorial(n: int) -> int:
    d = 1  # D(0); D(m) = m D(m-1) + (-1)^m
    for m in range(1, n + 1):
        d = m * d + (-1) ** m
    return d


EXCEED_KINDS = {
    "permutations/lex": lambda n, k: math.factorial(n),
    "permutations/sjt": lambda n, k: math.factorial(n),
    "arrangements/lex": lambda n, k: math.perm(n, k),
    "combinations/revolving_door": lambda n, k: math.comb(n, k),
    "derangements/lex": lambda n, k: _subfactorial(n),
}


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(sorted(EXCEED_KINDS)),
    n=st.integers(0, 40),
    k=st.integers(0, 42),
    delta=st.integers(-2, 2),
)
def test_early_stopping_count_comparison_matches_the_count(
    kind: str, n: int, k: int, delta: int
) -> None:
    # The enumeration checks rank ranges without computing huge counts
    # (count.rs's *_exceed): the answer must equal comparing the exact count.
    from permkit import _native

    exact = EXCEED_KINDS[kind](n, k)
    r = max(0, exact + delta)
    family, order = kind.split("/")
    assert _native.Spec(family, order, n, k, []).count_exceeds(r) == (exact > r)
