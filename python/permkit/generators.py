"""Counter-based bit generators for ``numpy.random.Generator`` (spec: docs/rng.md).

``Squares64``, ``Squares32`` and ``Philox4x32`` compute output ``i`` of a stream
directly from ``(key, counter + i)``, so blocks are generated on every core and
any position is reachable at once. They subclass ``numpy.random.BitGenerator``
and hand numpy a ``bitgen_t`` capsule, so ``numpy.random.Generator(Squares64(7))``
and ``numpy.random.default_rng(Squares64(7))`` work like numpy's own.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
from numpy.random.bit_generator import SeedlessSeedSequence

from permkit import _native
from permkit._arrays import as_index
from permkit._seeding import seed_sequence

__all__ = ["Philox4x32", "Squares32", "Squares64", "squares_key_from_seed"]

_U64 = 1 << 64
# Human-readable statements of the five Squares key rules (squares-keys.md).
_KEY_RULES = {
    1: "the upper 8 hex digits must all differ",
    2: "the lower 8 hex digits must all differ",
    3: "the 9th hex digit must differ from the 8th",
    4: "no hex digit may be 0",
    5: "the key must be odd",
}


def _int_in_range(value: Any, name: str, bound: int) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected an integer, got bool")
    try:
        index: int = operator.index(value)
    except TypeError:
        raise TypeError(f"{name}: expected an integer, got {type(value).__name__}") from None
    if not 0 <= index < bound:
        raise ValueError(f"{name}: must be in 0..2**{bound.bit_length() - 1}-1, got {index}")
    return index


def squares_key_from_seed(seed: Any = None) -> int:
    """The Squares key of ``seed``: ``key_from_word(SeedSequence(seed).generate_state(1, uint64)[0])``.

    Derivation v1 (docs/rng.md); the key always satisfies the five key rules.

    >>> hex(squares_key_from_seed(0)) == hex(Squares64(0).state["state"]["key"])
    True
    """
    word = int(seed_sequence(seed).generate_state(1, np.uint64)[0])
    return _native.squares_key_from_word(word)


class CounterBitGenerator(np.random.BitGenerator):
    """Package-internal base class of the three generators: the native stream
    (which owns the position arithmetic, docs/rng.md), the capsule, and numpy's
    bit generator protocol. ``permkit.shuffles`` recognises generators by it.
    """

    _kind: str = ""
    # Which optional entries the numpy-style state dict carries.
    _state_has_word: bool = False
    _state_has_buffer: bool = False

    def __init__(
        self,
        seed: Any = None,
        *,
        key: int | None = None,
        counter: int = 0,
        allow_weak_key: bool = False,
    ) -> None:
        if key is not None and seed is not None:
            raise ValueError("seed and key: give one of them, not both")
        if key is None:
            seq = seed_sequence(seed)
            super().__init__(seq)
            key_value = self._key_from_sequence(seq)
        else:
            # numpy accepts a SeedlessSeedSequence (it is what numpy's own bit generators
            # use for explicit states), but its stub does not list it.
            super().__init__(SeedlessSeedSequence())  # type: ignore[arg-type]
            key_value = self._checked_key(key, allow_weak_key)
        # The state setter and unpickling apply the same key rules as here.
        self._allow_weak_key = bool(allow_weak_key)
        counter_value = _int_in_range(counter, "counter", self._counter_limit())
        self._core = _native.CounterCore(self._kind, key_value, counter_value)
        self._capsule = self._core.capsule()

    @classmethod
    def _counter_limit(cls) -> int:
        return 1 << _native.GENERATOR_COUNTER_BITS[cls._kind]

    # --- how each generator turns seeds into keys ------------------------
    @classmethod
    def _key_from_sequence(cls, seq: Any) -> int:
        return _native.squares_key_from_word(int(seq.generate_state(1, np.uint64)[0]))

    @classmethod
    def _checked_key(cls, key: Any, allow_weak_key: bool, name: str = "key") -> int:
        checked = _int_in_range(key, name, _U64)
        rule = _native.squares_broken_key_rule(checked)
        if rule is not None and not allow_weak_key:
            raise ValueError(
                f"{name}: {checked:#018x} breaks Squares key rule {rule} ({_KEY_RULES[rule]}); "
                "pass allow_weak_key=True to use it anyway"
            )
        return checked

    # --- numpy's protocol ---------------------------------------------------
    @property
    def capsule(self) -> Any:
        """PyCapsule "BitGenerator" holding the C ``bitgen_t`` numpy calls."""
        return self._capsule

    @property
    def ctypes(self) -> Any:
        raise AttributeError(
            f"{type(self).__name__} exposes its bitgen_t through `capsule` only, not ctypes"
        )

    @property
    def cffi(self) -> Any:
        raise AttributeError(
            f"{type(self).__name__} exposes its bitgen_t through `capsule` only, not cffi"
        )

    # numpy's stub overloads random_raw on Literal values of `output`; one signature here
    # behaves the same at run time.
    def random_raw(  # type: ignore[override]
        self, size: int | tuple[int, ...] | None = None, output: bool = True
    ) -> Any:
        """Raw outputs as numpy's ``BitGenerator.random_raw``: an int, or a uint64 array.

        The 32-bit generators give one 32-bit output per element. The block is
        filled on every core directly into the returned array.
        """
        if size is None:
            with self.lock:
                value = self._core.next_raw()
            return value if output else None
        try:
            shape = (
                (as_index(size, "size"),)
                if not isinstance(size, (tuple, list))
                else tuple(as_index(d, "size") for d in size)
            )
        except TypeError:
            raise TypeError(
                f"size: expected None, an int or a tuple of ints, got {size!r}"
            ) from None
        if any(d < 0 for d in shape):
            raise ValueError(f"size: dimensions must be non-negative, got {size!r}")
        count = int(np.prod(shape, dtype=object)) if shape else 1
        if not output:
            with self.lock:
                self._core.advance(count)
            return None
        out = np.empty(shape, dtype=np.uint64)
        with self.lock:
            self._core.fill_raw(out)
        return out

    def advance(self, delta: int) -> CounterBitGenerator:
        """Moves the stream ``delta`` raw outputs ahead (mod the period) and returns self.

        Like numpy's ``advance``, the half-word buffer of ``next_uint32`` is kept.
        """
        delta = as_index(delta, "delta")
        with self.lock:
            self._core.advance(delta)
        return self

    def jumped(self, jumps: int = 1) -> CounterBitGenerator:
        """A copy of this generator advanced by ``jumps`` times the jump size (docs/rng.md)."""
        jumps = _int_in_range(jumps, "jumps", _U64 << 64)
        twin = self.__class__.__new__(self.__class__)
        twin.__setstate__(self.__getstate__())
        twin._core.jump(jumps)
        return twin

    def spawn(self, n_children: int) -> list[CounterBitGenerator]:
        """``n_children`` independent generators from ``seed_seq.spawn`` (as numpy does)."""
        if not isinstance(self.seed_seq, np.random.SeedSequence):
            raise TypeError(
                f"{type(self).__name__}: a generator built from an explicit key has no SeedSequence to spawn from"
            )
        return [type(self)(child) for child in self.seed_seq.spawn(n_children)]

    @property
    def state(self) -> dict[str, Any]:
        """The full state as a dict (numpy style); assign such a dict to restore it."""
        with self.lock:
            key, counter, word, has_uint32, uinteger = self._core.get_state()
        inner: dict[str, int] = {"key": key, "counter": counter}
        if self._state_has_word:
            inner["word"] = word
        result: dict[str, Any] = {"bit_generator": self._kind, "state": inner}
        if self._state_has_buffer:
            result.update(has_uint32=int(has_uint32), uinteger=uinteger)
        return result

    @state.setter
    def state(self, value: Mapping[str, Any]) -> None:
        if not isinstance(value, dict) or value.get("bit_generator") != self._kind:
            raise ValueError(f"state: expected a dict with bit_generator={self._kind!r}")
        try:
            inner = value["state"]
            key = self._checked_key(
                inner["key"], getattr(self, "_allow_weak_key", False), "state['state']['key']"
            )
            counter = _int_in_range(
                inner["counter"], "state['state']['counter']", self._counter_limit()
            )
            word = _int_in_range(inner.get("word", 0), "state['state']['word']", 4)
            has_uint32 = bool(value.get("has_uint32", 0))
            uinteger = _int_in_range(value.get("uinteger", 0), "state['uinteger']", 1 << 32)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"state: malformed state dict ({exc})") from None
        with self.lock:
            self._core.set_state(key, counter, word, has_uint32, uinteger)

    # --- pickling and display ---------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "seed_seq": self.seed_seq,
            "allow_weak_key": getattr(self, "_allow_weak_key", False),
        }

    def __setstate__(self, saved: dict[str, Any]) -> None:
        if not isinstance(saved, dict) or not isinstance(saved.get("state"), dict):
            raise ValueError(f"{self._kind} pickle: expected a dict with a 'state' dict")
        seq = saved.get("seed_seq")
        np.random.BitGenerator.__init__(self, seq)
        self._allow_weak_key = bool(saved.get("allow_weak_key", False))
        inner = saved["state"].get("state")
        if not isinstance(inner, dict):
            raise ValueError(f"{self._kind} pickle: malformed state")
        key = self._checked_key(inner.get("key"), self._allow_weak_key)
        self._core = _native.CounterCore(self._kind, key, 0)
        self._capsule = self._core.capsule()
        self.state = saved["state"]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self),), self.__getstate__())

    def __repr__(self) -> str:
        with self.lock:
            key, counter, word, _, _ = self._core.get_state()
        where = f"counter={counter:#x}" + (f", word={word}" if self._state_has_word else "")
        return f"{self._kind}(key={key:#018x}, {where})"

    @contextmanager
    def shuffle_stream(self) -> Iterator[tuple[int, int, Callable[[int], None]]]:
        """Package-internal (``permkit.shuffles``): the stream a shuffle draws from.

        Holds ``self.lock`` throughout and yields ``(key, counter, consumed)``:
        the Squares64 key and counter to draw from (docs/shuffle.md: Squares64
        lends its own; the 32-bit generators give one 64-bit draw ``w`` and the
        shuffle uses ``key_from_word(w)`` from counter 0) and a function that
        records how many counters the shuffle used.

        >>> import permkit
        >>> g = permkit.Squares64(key=0xc8e4fd154ce32f6d, counter=7)
        >>> with g.shuffle_stream() as (key, counter, consumed):
        ...     consumed(3)
        >>> hex(key), counter, g.state["state"]["counter"]
        ('0xc8e4fd154ce32f6d', 7, 10)
        """
        with self.lock:
            key, counter = self._core.shuffle_source()
            yield key, counter, self._core.shuffle_consumed


def _restore(cls: type[CounterBitGenerator]) -> Any:
    """Pickle helper: an uninitialised instance that ``__setstate__`` fills in."""
    return cls.__new__(cls)


class Squares64(CounterBitGenerator):
    """Widynski's Squares generator with 64-bit outputs: output i is ``squares64(key, counter + i)``.

    ``seed`` (None, an int of any size, or a SeedSequence) gives the key through
    derivation v1 (docs/rng.md); ``key=`` / ``counter=`` set the stream exactly.
    Explicit keys must satisfy the five Squares key rules unless
    ``allow_weak_key=True``. ``jumped()`` moves 0x9E3779B97F4A7C15 outputs ahead,
    as randomgen's Squares does.

    >>> import numpy as np, permkit
    >>> g = permkit.Squares64(key=0xc8e4fd154ce32f6d, counter=0)
    >>> hex(g.random_raw())
    '0x800c823ecc9b9607'
    >>> rng = np.random.Generator(permkit.Squares64(7))
    >>> 0.0 <= rng.random() < 1.0
    True
    """

    _kind = "Squares64"
    _state_has_buffer = True


class Squares32(CounterBitGenerator):
    """Squares with 32-bit outputs: output i is ``squares32(key, counter + i)``.

    numpy's 32-bit convention (as MT19937): ``random_raw`` gives one output per
    uint64 element, and a 64-bit draw is ``first << 32 | second``.

    >>> import permkit
    >>> g = permkit.Squares32(key=0xc8e4fd154ce32f6d)
    >>> [hex(v) for v in g.random_raw(2)]
    ['0x800c823e', '0x5f4f366d']
    """

    _kind = "Squares32"


class Philox4x32(CounterBitGenerator):
    """Philox4x32-10 (Random123) as a stream of 32-bit outputs.

    Block ``c`` (the 128-bit counter, word 0 least significant) yields its four
    words in order; the stream starts at block ``counter`` with no
    pre-increment. The 64-bit key gives key words (low half, high half). Unlike
    ``numpy.random.Philox`` (Philox4x64-10, pre-incremented counter), output 0
    is word 0 of block ``counter`` itself. ``jumped()`` moves 2**64 blocks ahead.

    >>> import permkit
    >>> g = permkit.Philox4x32(key=0, counter=0)
    >>> [hex(v) for v in g.random_raw(4)]
    ['0x6627e8d5', '0xe169c58d', '0xbc57ac4c', '0x9b00dbd8']
    """

    _kind = "Philox4x32"
    _state_has_word = True

    @classmethod
    def _key_from_sequence(cls, seq: Any) -> int:
        return int(seq.generate_state(1, np.uint64)[0])

    @classmethod
    def _checked_key(cls, key: Any, allow_weak_key: bool, name: str = "key") -> int:
        return _int_in_range(key, name, _U64)
