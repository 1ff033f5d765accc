"""permkit.Squares64 / Squares32 / Philox4x32: known answers, the randomgen
oracle, numpy integration, state handling and the seed -> key derivation."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import randomgen
from hypothesis import given, settings
from hypothesis import strategies as st

import permkit
from permkit import _native

M64 = (1 << 64) - 1
AUTHOR_KEY = 0xC8E4FD154CE32F6D

# Squares known answers: /work/shared/reference/kat/squares.txt (Widynski,
# arXiv:2004.06278, reference algorithm; agrees with randomgen.Squares).
# (key, counter, squares32, squares64)
SQUARES_KAT = [
    (0xC8E4FD154CE32F6D, 0x0, 0x800C823E, 0x800C823ECC9B9607),
    (0xC8E4FD154CE32F6D, 0x1, 0x5F4F366D, 0x5F4F366DB727A9F6),
    (0xC8E4FD154CE32F6D, 0x2, 0xEEE77E31, 0xEEE77E310B90ADD2),
    (0xC8E4FD154CE32F6D, 0x3, 0xF9A1DCF6, 0xF9A1DCF6FF2160D7),
    (0xC8E4FD154CE32F6D, 0x3E7, 0x19443D4A, 0x19443D4AE26E2235),
    (0xC8E4FD154CE32F6D, 0xFFFFFFFF, 0xBD8764C5, 0xBD8764C5420D954E),
    (0xC8E4FD154CE32F6D, 0x100000000, 0xED6DAE2C, 0xED6DAE2C73B96BAE),
    (0xC8E4FD154CE32F6D, 0x8000000000000000, 0x4489A2D9, 0x4489A2D90D894A11),
    (0xC8E4FD154CE32F6D, 0xFFFFFFFFFFFFFFFF, 0xA3C3EF54, 0xA3C3EF54C9D27CFF),
    (0x3BC8BCA4D301945B, 0x0, 0x5167EA8B, 0x5167EA8B7923D95B),
    (0x3BC8BCA4D301945B, 0x1, 0x0E03102B, 0x0E03102BE2DB8C20),
    (0x3BC8BCA4D301945B, 0x3E7, 0x6FED4684, 0x6FED4684DBBA7A54),
    (0x3BC8BCA4D301945B, 0xFFFFFFFFFFFFFFFF, 0xBCF68F9B, 0xBCF68F9BC82E357F),
    (0x32D1638D0D582ACF, 0x0, 0x84EF8BB4, 0x84EF8BB44B2A9590),
    (0x32D1638D0D582ACF, 0x100000000, 0xA0CE0C8B, 0xA0CE0C8BBF7BD0A1),
    (0x32D1638D0D582ACF, 0x8000000000000000, 0xD602B97E, 0xD602B97EA4FAB525),
]

# Random123 known answers (kat/random123.txt, from Random123's tests/kat_vectors):
# counter words (word 0 first), key words, output words.
PHILOX_KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


def _philox(counter_words, key_words, counter_offset=0):
    counter = sum(w << (32 * i) for i, w in enumerate(counter_words)) + counter_offset
    key = key_words[0] | (key_words[1] << 32)
    return permkit.Philox4x32(key=key, counter=counter % (1 << 128))


# --- known answers and the oracle ------------------------------------------------
@pytest.mark.parametrize("key,ctr,want32,want64", SQUARES_KAT)
def test_squares_known_answers(key, ctr, want32, want64):
    # Two of the reference keys break the key rules: the vectors need the opt-in.
    assert permkit.Squares64(key=key, counter=ctr, allow_weak_key=True).random_raw() == want64
    assert permkit.Squares32(key=key, counter=ctr, allow_weak_key=True).random_raw() == want32
    assert permkit.Squares64(key=key, counter=ctr, allow_weak_key=True).random_raw(1)[0] == want64


@pytest.mark.parametrize("ctr,key,want", PHILOX_KAT)
def test_philox_known_answers(ctr, key, want):
    g = _philox(ctr, key)
    assert tuple(int(v) for v in g.random_raw(4)) == want
    g = _philox(ctr, key)
    assert tuple(g.random_raw() for _ in range(4)) == want


@pytest.mark.parametrize("key", [AUTHOR_KEY, 0x3BC8BCA4D301945B, permkit.squares_key_from_seed(5)])
@pytest.mark.parametrize("counter", [0, 12345, M64 - 1000])
def test_squares64_stream_equals_randomgen(key, counter):
    # randomgen.Squares does not pre-increment: its counter= is output 0's counter.
    want = randomgen.Squares(key=key, counter=counter, variant=64).random_raw(40_000)
    g = permkit.Squares64(key=key, counter=counter, allow_weak_key=True)
    assert np.array_equal(g.random_raw(30_000), want[:30_000])
    assert np.array_equal(g.random_raw(10_000), want[30_000:])


def test_squares32_stream_equals_randomgen_unpacked():
    # randomgen's variant=32 packs two outputs per word, first output in the low half.
    packed = randomgen.Squares(key=AUTHOR_KEY, counter=7, variant=32).random_raw(5000)
    ours = permkit.Squares32(key=AUTHOR_KEY, counter=7).random_raw(10_000)
    assert np.array_equal(ours[0::2], packed & 0xFFFFFFFF)
    assert np.array_equal(ours[1::2], packed >> np.uint64(32))


def test_philox_stream_crosses_blocks_and_the_counter_wrap():
    g = permkit.Philox4x32(key=0x299F31D0A4093822, counter=(1 << 128) - 2)
    first = g.random_raw(13)
    # Block by block with a fresh generator per block.
    blocks = [
        permkit.Philox4x32(key=0x299F31D0A4093822, counter=c % (1 << 128)).random_raw(4)
        for c in ((1 << 128) - 2, (1 << 128) - 1, 0, 1)
    ]
    assert np.array_equal(first, np.concatenate(blocks)[:13])
    assert g.state["state"] == {"key": 0x299F31D0A4093822, "counter": 1, "word": 1}


# --- numpy integration -----------------------------------------------------------
@pytest.mark.parametrize("cls", [permkit.Squares64, permkit.Squares32, permkit.Philox4x32])
def test_numpy_generator_uses_our_stream(cls):
    rng = np.random.Generator(cls(7))
    assert np.array_equal(rng.bit_generator.random_raw(1000), cls(7).random_raw(1000))
    assert isinstance(rng.bit_generator, np.random.BitGenerator)
    x = rng.integers(0, 10, 10_000)
    assert x.min() == 0 and x.max() == 9 and abs(x.mean() - 4.5) < 0.15
    u = rng.random(10_000)
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02
    assert np.isfinite(rng.standard_normal(100)).all()
    assert sorted(rng.permutation(10).tolist()) == list(range(10))
    assert isinstance(np.random.default_rng(cls(7)).bit_generator, cls)


def test_next_double_and_64bit_conventions():
    raw = permkit.Squares64(3).random_raw(4)
    assert np.array_equal(
        np.random.Generator(permkit.Squares64(3)).random(4), (raw >> np.uint64(11)) * 2.0**-53
    )
    # 32-bit generators: a 64-bit draw is first output << 32 | second output.
    for cls in (permkit.Squares32, permkit.Philox4x32):
        out = [int(v) for v in cls(3).random_raw(8)]
        words = [(out[2 * i] << 32) | out[2 * i + 1] for i in range(4)]
        assert np.random.Generator(cls(3)).random(4).tolist() == [
            (w >> 11) * 2.0**-53 for w in words
        ]
        full = np.random.Generator(cls(3)).integers(
            0, 2**64, size=4, dtype=np.uint64, endpoint=False
        )
        assert full.tolist() == words
    # Squares64's next_uint32: low half, then high half of one output (numpy's PCG64 convention).
    halves = np.random.Generator(permkit.Squares64(3)).integers(0, 2**32, size=4, dtype=np.uint32)
    assert halves.tolist() == [
        int(raw[0]) & 0xFFFFFFFF,
        int(raw[0]) >> 32,
        int(raw[1]) & 0xFFFFFFFF,
        int(raw[1]) >> 32,
    ]


@pytest.mark.parametrize("cls", [permkit.Squares64, permkit.Squares32, permkit.Philox4x32])
def test_pickling_round_trips(cls):
    g = cls(11)
    g.random_raw(5)
    twin = pickle.loads(pickle.dumps(g))
    assert twin.state == g.state and repr(twin) == repr(g)
    assert np.array_equal(twin.random_raw(100), g.random_raw(100))
    rng = np.random.Generator(cls(12))
    rng.random(3)
    rng2 = pickle.loads(pickle.dumps(rng))
    assert np.array_equal(rng2.random(50), rng.random(50))
    keyed = cls(key=AUTHOR_KEY, counter=9)
    assert pickle.loads(pickle.dumps(keyed)).state == keyed.state


# Raw outputs one jump skips (docs/rng.md).
JUMP = {"Squares64": 0x9E3779B97F4A7C15, "Squares32": 0x9E3779B97F4A7C15, "Philox4x32": 1 << 66}


@pytest.mark.parametrize("cls", [permkit.Squares64, permkit.Squares32, permkit.Philox4x32])
def test_advance_state_jumped_spawn(cls):
    g, h = cls(21), cls(21)
    skipped = g.random_raw(1003)
    assert g.state != h.state
    h.advance(1003)
    assert h.state == g.state
    g.random_raw(10, output=False)
    h.advance(10)
    assert np.array_equal(g.random_raw(7), h.random_raw(7))
    assert g.random_raw((2, 3)).shape == (2, 3)

    saved = g.state
    a = g.random_raw(20)
    g.state = saved
    assert np.array_equal(g.random_raw(20), a)

    j = g.jumped()
    assert j is not g and j.state != g.state
    expected = cls(21)
    expected.state = g.state
    expected.advance(JUMP[cls.__name__])
    assert j.state == expected.state

    kids = cls(21).spawn(3)
    again = cls(21).spawn(3)
    assert [k.state for k in kids] == [k.state for k in again]
    assert len({k.state["state"]["key"] for k in kids}) == 3
    with pytest.raises(TypeError, match="explicit key"):
        cls(key=AUTHOR_KEY).spawn(1)
    assert cls.__name__ in repr(g) and skipped.dtype == np.uint64


def test_advance_wraps_around_the_period():
    g = permkit.Squares64(key=AUTHOR_KEY, counter=M64)
    g.advance(2)
    assert g.state["state"]["counter"] == 1
    g.advance(-2)
    assert g.state["state"]["counter"] == M64
    p = permkit.Philox4x32(key=1, counter=(1 << 128) - 1)
    p.advance(5)
    assert p.state["state"] == {
        "key": 1,
        "counter": 0,
        "word": 1,
    }  # (2**128 - 1) * 4 + 5 = 1 mod 2**130


def test_lock_is_taken():
    g = permkit.Squares64(1)
    assert g.lock.acquire(blocking=False)
    g.lock.release()


# --- seeds and keys --------------------------------------------------------------
def _splitmix_key_from_word(word: int) -> int:
    """Derivation v1 (docs/rng.md) transcribed independently: SplitMix64 + Lemire."""
    state = word

    def next_u64():
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(bound):
        threshold = ((1 << 64) - bound) % bound
        while True:
            m = next_u64() * bound
            if m & M64 >= threshold:
                return m >> 64

    def take(pool):
        i = below(len(pool))
        pool[i], pool[-1] = pool[-1], pool[i]  # swap_remove
        return pool.pop()

    pool = list(range(1, 16))
    upper = [take(pool) for _ in range(8)]
    last = [1, 3, 5, 7, 9, 11, 13, 15][below(8)]
    pool = [d for d in range(1, 16) if d != last]
    ninth_choices = [d for d in pool if d != upper[7]]
    ninth = ninth_choices[below(len(ninth_choices))]
    pool.remove(ninth)
    middle = [take(pool) for _ in range(6)]
    key = 0
    for d in upper + [ninth] + middle + [last]:
        key = (key << 4) | d
    return key


def _rule_broken(key: int):
    digits = [(key >> (60 - 4 * i)) & 0xF for i in range(16)]
    if len(set(digits[:8])) < 8:
        return 1
    if len(set(digits[8:])) < 8:
        return 2
    if digits[8] == digits[7]:
        return 3
    if 0 in digits:
        return 4
    if key % 2 == 0:
        return 5
    return None


def test_seed_to_key_follows_the_spec_and_rules():
    keys = set()
    seeds = list(range(3000)) + [2**64 - 1, 2**64, 2**200 + 12345, np.random.SeedSequence(5)]
    for seed in seeds:
        g = permkit.Squares64(seed)
        seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        word = int(seq.generate_state(1, np.uint64)[0])
        key = g.state["state"]["key"]
        assert key == _splitmix_key_from_word(word) == _native.squares_key_from_word(word)
        assert _rule_broken(key) is None
        assert permkit.Squares32(seed).state["state"]["key"] == key
        assert permkit.Philox4x32(seed).state["state"]["key"] == word
        keys.add(key)
    assert len(keys) == len(seeds) - 1  # SeedSequence(5) repeats seed 5
    # Golden: derivation v1 must never change (docs/rng.md).
    assert _native.squares_key_from_word(0) == 0xE71C24BFE7BFC863
    assert permkit.Squares64(0).state["state"]["key"] == _splitmix_key_from_word(
        int(np.random.SeedSequence(0).generate_state(1, np.uint64)[0])
    )


def test_every_bit_of_a_big_seed_matters():
    base = (1 << 255) | 0x1234567
    keys = {permkit.squares_key_from_seed(base)}
    for bit in range(256):
        keys.add(permkit.squares_key_from_seed(base ^ (1 << bit)))
    assert len(keys) == 257


@pytest.mark.parametrize(
    "key,rule",
    [
        (0xC8E4FD1C4CE32F6D, 1),
        (0xC8E4FD154CE34F6D, 2),
        (0xC8E4FD155CE32F6D, 3),
        (0xC8E4FD054CE32F6D, 4),
        (0xC8E4FD154CE32F6A, 5),
    ],
)
def test_weak_keys_need_an_explicit_opt_in(key, rule):
    assert _rule_broken(key) == rule
    for cls in (permkit.Squares64, permkit.Squares32):
        with pytest.raises(ValueError, match=f"key: .*rule {rule}"):
            cls(key=key)
        assert cls(key=key, allow_weak_key=True).state["state"]["key"] == key
    assert permkit.Philox4x32(key=key).state["state"]["key"] == key  # Philox has no key rules


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"seed": "1"}, TypeError, "seed"),
        ({"key": -1}, ValueError, "key"),
        ({"key": 1 << 64}, ValueError, "key"),
        ({"key": 1.0}, TypeError, "key"),
        ({"seed": 1, "key": AUTHOR_KEY}, ValueError, "seed and key"),
        ({"key": AUTHOR_KEY, "counter": -1}, ValueError, "counter"),
        ({"key": AUTHOR_KEY, "counter": 1 << 64}, ValueError, "counter"),
    ],
)
def test_bad_seeds_keys_counters(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        permkit.Squares64(**kwargs)


def test_bad_state():
    g = permkit.Squares64(1)
    with pytest.raises(ValueError, match="state"):
        g.state = {"bit_generator": "PCG64", "state": {}}
    with pytest.raises(ValueError, match="state"):
        g.state = {"bit_generator": "Squares64", "state": {"key": 1}}
    with pytest.raises(ValueError, match="counter"):
        g.state = {"bit_generator": "Squares64", "state": {"key": AUTHOR_KEY, "counter": -5}}
    assert (
        permkit.Philox4x32(key=1, counter=(1 << 128) - 1).state["state"]["counter"]
        == (1 << 128) - 1
    )


# --- properties ------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["Squares64", "Squares32", "Philox4x32"]),
    st.integers(0, 2**64 - 1),
    st.integers(0, 300),
    st.integers(1, 300),
)
def test_any_block_equals_single_steps_and_advance(name, counter, skip, size):
    cls = getattr(permkit, name)
    key = AUTHOR_KEY
    counter = counter if name != "Philox4x32" else counter << 64
    block = cls(key=key, counter=counter)
    block.advance(skip)
    stepped = cls(key=key, counter=counter)
    stepped.random_raw(skip, output=False)
    assert block.state == stepped.state
    values = block.random_raw(size)
    assert values.tolist() == [stepped.random_raw() for _ in range(size)]
    assert block.state == stepped.state


def test_bad_sizes_and_deltas():
    g = permkit.Squares64(1)
    with pytest.raises(ValueError, match="size"):
        g.random_raw(-1)
    with pytest.raises(TypeError, match="size"):
        g.random_raw(2.5)
    with pytest.raises(TypeError, match="delta"):
        g.advance(1.5)
    with pytest.raises(ValueError, match="jumps"):
        g.jumped(-1)
    assert g.random_raw(0).shape == (0,) and g.random_raw([2, 2]).shape == (2, 2)
    p = permkit.Philox4x32(key=1)
    p.random_raw((2**33, 2**33), output=False)  # 2**66 outputs: exactly 2**64 blocks
    assert p.state["state"] == {"key": 1, "counter": 2**64, "word": 0}


# --- golden vectors of numpy's conventions and the position arithmetic ---------------
# Generated from the code before issue 13's refactor (the state machine moved into the
# core): a change is an output change.
GOLDEN_CONVENTIONS = {
    "Squares64": {
        "random": [0.529910633158773, 0.5214043679174193, 0.17592468213430212],
        "int1000": [373, 419, 722, 901, 232],
        "u32": [3271100471, 2034903105, 4193732150],
        "u64": [15221615170259321924, 14604964875649996097],
        "state": {
            "bit_generator": "Squares64",
            "state": {"key": 4596660664586282655, "counter": 9},
            "has_uint32": 0,
            "uinteger": 4193732150,
        },
        "advance": (
            [7741819775463593164, 16633430552551849694, 14049269545874692395],
            {"key": 4596660664586282655, "counter": 6},
        ),
        "advance_neg": {"key": 4596660664586282655, "counter": 18446744073709551609},
        "jumped": (
            [5665283193748789706, 14604534313813575290],
            {"key": 4596660664586282655, "counter": 15755400384260043841},
        ),
        "skip": {"key": 4596660664586282655, "counter": 5},
    },
    "Squares32": {
        "random": [0.5299106332290462, 0.17592468215610946, 0.9017000770572602],
        "int1000": [976, 825, 791, 193, 73],
        "u32": [4144456865, 3947048577, 891032766],
        "u64": [6788159709022232735, 8191765130082008269],
        "state": {
            "bit_generator": "Squares32",
            "state": {"key": 4596660664586282655, "counter": 18},
        },
        "advance": (
            [1802532881, 3872772341, 3271100471],
            {"key": 4596660664586282655, "counter": 6},
        ),
        "advance_neg": {"key": 4596660664586282655, "counter": 18446744073709551609},
        "jumped": (
            [1319051532, 3400383124],
            {"key": 4596660664586282655, "counter": 15755400384260043841},
        ),
        "skip": {"key": 4596660664586282655, "counter": 5},
    },
    "Philox4x32": {
        "random": [0.7916633162432403, 0.1803852958440375, 0.6088585605452763],
        "int1000": [222, 896, 809, 818, 139],
        "u32": [1885856929, 4150358765, 3267165705],
        "u64": [11192291798869304624, 17644514175190224703],
        "state": {
            "bit_generator": "Philox4x32",
            "state": {"key": 12631478326263854183, "counter": 4, "word": 2},
        },
        "advance": (
            [2294125015, 3555370009, 1251312342],
            {"key": 12631478326263854183, "counter": 295147905179352825857, "word": 2},
        ),
        "advance_neg": {
            "key": 12631478326263854183,
            "counter": 340282366920938463463374607431768211454,
            "word": 1,
        },
        "jumped": (
            [1895881436, 72460918],
            {"key": 12631478326263854183, "counter": 55340232221128654848, "word": 2},
        ),
        "skip": {"key": 12631478326263854183, "counter": 1, "word": 1},
    },
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CONVENTIONS))
def test_golden_conventions_and_positions(name):
    cls, want = getattr(permkit, name), GOLDEN_CONVENTIONS[name]
    g = np.random.Generator(cls(5))
    assert g.random(3).tolist() == want["random"]
    assert g.integers(0, 1000, 5).tolist() == want["int1000"]
    assert g.integers(0, 2**32, 3, dtype=np.uint32).tolist() == want["u32"]
    assert g.integers(0, 2**64, 2, dtype=np.uint64).tolist() == want["u64"]
    assert g.bit_generator.state == want["state"]
    b = cls(5)
    b.advance(2**70 + 3)
    assert (b.random_raw(3).tolist(), b.state["state"]) == want["advance"]
    b = cls(5)
    b.advance(-7)
    assert b.state["state"] == want["advance_neg"]
    j = cls(5).jumped(3)
    assert (j.random_raw(2).tolist(), j.state["state"]) == want["jumped"]
    b = cls(5)
    b.random_raw(5, output=False)
    assert b.state["state"] == want["skip"]
