"""A slow, independent pure-Python implementation of docs/index_shuffle.md (v1), for tests."""

from __future__ import annotations

import numpy as np

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF


def squares64(key: int, ctr: int) -> int:
    """Widynski's squares64, written from the paper's C reference."""

    def rnd(x: int, add: int) -> int:
        x = (x * x + add) & M64
        return ((x >> 32) | (x << 32)) & M64

    y = (ctr * key) & M64
    z = (y + key) & M64
    x = rnd(y, y)
    x = rnd(x, z)
    x = rnd(x, y)
    t = (x * x + z) & M64
    x = ((t >> 32) | (t << 32)) & M64
    return t ^ (((x * x + y) & M64) >> 32)


class SplitMix64:
    def __init__(self, state: int) -> None:
        self.state = state

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, bound: int) -> int:
        threshold = ((1 << 64) - bound) % bound
        while True:
            m = self.next() * bound
            if m & M64 >= threshold:
                return m >> 64


def _swap_remove(pool: list, i: int) -> int:
    v = pool[i]
    pool[i] = pool[-1]
    pool.pop()
    return v


def key_from_word(word: int) -> int:
    rng = SplitMix64(word)
    pool = list(range(1, 16))
    upper = [_swap_remove(pool, rng.below(len(pool))) for _ in range(8)]
    last = [1, 3, 5, 7, 9, 11, 13, 15][rng.below(8)]
    pool = [d for d in range(1, 16) if d != last]
    ninth_choices = [d for d in pool if d != upper[7]]
    ninth = ninth_choices[rng.below(len(ninth_choices))]
    pool = [d for d in pool if d != ninth]
    middle = [_swap_remove(pool, rng.below(len(pool))) for _ in range(6)]
    key = 0
    for d in upper + [ninth] + middle + [last]:
        key = (key << 4) | d
    return key


def master_key(seed) -> int:
    return key_from_word(int(np.random.SeedSequence(seed).generate_state(1, np.uint64)[0]))


def derive_key(parent: int, domain: int, value: int) -> int:
    return key_from_word(squares64(parent, (domain << 56) | value))


class OracleShuffle:
    def __init__(self, n: int, key: int, rounds: int) -> None:
        self.n = n
        size_key = key_from_word(squares64(key, 0x4E << 56) ^ n)
        self.round_keys = [squares64(size_key, (0x52 << 56) | r) for r in range(rounds)]
        self.parity = squares64(size_key, 0x50 << 56) >> 63
        bits = 0 if n <= 1 else (n - 1).bit_length()
        self.high_bits = bits // 2
        self.low_bits = bits - self.high_bits

    @staticmethod
    def _f(v: int, key: int, bits: int) -> int:
        if bits == 0:
            return 0
        h = ((v ^ (key & M32)) * 0x9E3779B1) & M32
        h ^= h >> 15
        h = ((h + (key >> 32)) * 0x85EBCA77) & M32
        h ^= h >> 13
        h = (h * 0xC2B2AE3D) & M32
        return h >> (32 - bits)

    def _encrypt(self, x: int) -> int:
        hi, lo = x >> self.low_bits, x & ((1 << self.low_bits) - 1)
        for r, k in enumerate(self.round_keys):
            if r % 2 == 0:
                hi ^= self._f(lo, k, self.high_bits)
            else:
                lo ^= self._f(hi, k, self.low_bits)
        if hi == 0 and lo < 2:
            lo ^= self.parity
        return (hi << self.low_bits) | lo

    def __getitem__(self, i: int) -> int:
        if self.n == 1:
            return 0
        y = self._encrypt(i)
        while y >= self.n:
            y = self._encrypt(y)
        return y
