//! A counter-based generator used as a sequential stream, with numpy's bit
//! generator conventions: the position (counter, and for Philox the word in
//! the block), the buffered Philox block, numpy's half-word buffer, skips,
//! advances and jumps modulo the period, and the stream a shuffle borrows
//! (specs: docs/rng.md, docs/shuffle.md).

use super::keys::key_from_word;
use super::stream::{
    fill_philox4x32, fill_squares32, fill_squares64, philox_block, philox_key_words,
};
use super::{squares32, squares64};
use crate::{Error, Interrupt, Result};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::ToPrimitive;

/// The three generators.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GeneratorKind {
    Squares64,
    Squares32,
    Philox4x32,
}

impl GeneratorKind {
    pub const ALL: [Self; 3] = [Self::Squares64, Self::Squares32, Self::Philox4x32];

    /// The class name of the generator ("Squares64", "Squares32", "Philox4x32").
    pub fn name(self) -> &'static str {
        match self {
            Self::Squares64 => "Squares64",
            Self::Squares32 => "Squares32",
            Self::Philox4x32 => "Philox4x32",
        }
    }

    /// The kind whose [`GeneratorKind::name`] is `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Bits of the counter: 64 for Squares, 128 for Philox (its block counter).
    pub fn counter_bits(self) -> u32 {
        match self {
            Self::Philox4x32 => 128,
            _ => 64,
        }
    }

    /// Raw outputs per counter value: Philox yields the 4 words of each block.
    fn outputs_per_counter(self) -> u32 {
        match self {
            Self::Philox4x32 => 4,
            _ => 1,
        }
    }

    /// Raw outputs one jump skips: randomgen's Squares jump, 2^64 Philox blocks.
    fn jump_outputs(self) -> u128 {
        match self {
            Self::Philox4x32 => 1 << 66,
            _ => 0x9E37_79B9_7F4A_7C15,
        }
    }
}

/// The exported position and buffers of a [`CounterStream`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CounterState {
    pub key: u64,
    /// Squares: the next counter (< 2^64). Philox: the current block counter.
    pub counter: u128,
    /// Philox only: the next word (0..4) of block `counter`; 0 otherwise.
    pub word: u32,
    /// Squares64 only: numpy's buffered high half for next_uint32.
    pub has_uint32: bool,
    pub uinteger: u32,
}

/// Raw outputs filled between interrupt polls.
const FILL_BLOCK: usize = 1 << 24;

/// One generator's stream position, stepped one output at a time.
#[derive(Clone, Debug)]
pub struct CounterStream {
    kind: GeneratorKind,
    state: CounterState,
    /// Philox only: the block of `state.counter`, valid whenever `state.word != 0`.
    block: [u32; 4],
}

impl CounterStream {
    /// A stream of `kind` at `state` (validated as [`CounterStream::set_state`] does).
    pub fn new(kind: GeneratorKind, state: CounterState) -> Result<Self> {
        let mut stream = Self {
            kind,
            state: CounterState {
                key: state.key,
                counter: 0,
                word: 0,
                has_uint32: false,
                uinteger: 0,
            },
            block: [0; 4],
        };
        stream.set_state(state)?;
        Ok(stream)
    }

    pub fn state(&self) -> CounterState {
        self.state
    }

    /// Moves to `state`: the counter below 2^counter_bits, the word below the
    /// outputs per counter. The half-word buffer is kept for Squares64 only.
    pub fn set_state(&mut self, state: CounterState) -> Result<()> {
        let bits = self.kind.counter_bits();
        let max_word = self.kind.outputs_per_counter() - 1;
        if (bits < 128 && state.counter >> bits != 0) || state.word > max_word {
            return Err(Error::InvalidValue(format!(
                "counter must be in 0..=2**{bits}-1 and word in 0..={max_word}, got {} and {}",
                state.counter, state.word
            )));
        }
        let buffered = state.has_uint32 && self.kind == GeneratorKind::Squares64;
        self.state = CounterState {
            has_uint32: buffered,
            uinteger: if buffered { state.uinteger } else { 0 },
            ..state
        };
        self.refresh_block();
        Ok(())
    }

    fn refresh_block(&mut self) {
        if self.kind == GeneratorKind::Philox4x32 && self.state.word != 0 {
            self.block = philox_block(philox_key_words(self.state.key), self.state.counter);
        }
    }

    /// The next raw output: 64 bits for Squares64, one 32-bit output otherwise.
    #[inline]
    pub fn raw(&mut self) -> u64 {
        let s = &mut self.state;
        match self.kind {
            GeneratorKind::Squares64 => {
                let v = squares64(s.key, s.counter as u64);
                s.counter = (s.counter as u64).wrapping_add(1) as u128;
                v
            }
            GeneratorKind::Squares32 => {
                let v = squares32(s.key, s.counter as u64);
                s.counter = (s.counter as u64).wrapping_add(1) as u128;
                v as u64
            }
            GeneratorKind::Philox4x32 => {
                if s.word == 0 {
                    self.block = philox_block(philox_key_words(s.key), s.counter);
                }
                let v = self.block[s.word as usize];
                s.word += 1;
                if s.word == 4 {
                    s.word = 0;
                    s.counter = s.counter.wrapping_add(1);
                }
                v as u64
            }
        }
    }

    /// numpy's next_uint64: Squares64's output, or two 32-bit outputs, the first high.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        match self.kind {
            GeneratorKind::Squares64 => self.raw(),
            _ => {
                let hi = self.raw();
                (hi << 32) | self.raw()
            }
        }
    }

    /// numpy's next_uint32: one 32-bit output, or for Squares64 the low then
    /// the high half of one output (numpy's PCG64 convention).
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.kind != GeneratorKind::Squares64 {
            return self.raw() as u32;
        }
        if self.state.has_uint32 {
            self.state.has_uint32 = false;
            return self.state.uinteger;
        }
        let v = self.raw();
        self.state.has_uint32 = true;
        self.state.uinteger = (v >> 32) as u32;
        v as u32
    }

    /// numpy's next_double: the top 53 bits of next_u64 over 2^53.
    #[inline]
    pub fn next_double(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Moves past `count` raw outputs.
    pub fn skip(&mut self, count: u64) {
        let s = &mut self.state;
        match self.kind {
            GeneratorKind::Squares64 | GeneratorKind::Squares32 => {
                s.counter = (s.counter as u64).wrapping_add(count) as u128;
            }
            GeneratorKind::Philox4x32 => {
                let total = s.word as u128 + count as u128;
                s.counter = s.counter.wrapping_add(total / 4);
                s.word = (total % 4) as u32;
                self.refresh_block();
            }
        }
    }

    /// Moves `delta` raw outputs ahead (any integer, taken modulo the period of
    /// 2^64 outputs for Squares, 2^130 for Philox). The half-word buffer is kept.
    pub fn advance(&mut self, delta: &BigInt) {
        let per = self.kind.outputs_per_counter();
        let period = BigInt::from(per) << self.kind.counter_bits();
        let position = BigInt::from(self.state.counter) * per + self.state.word;
        let (counter, word) = (position + delta)
            .mod_floor(&period)
            .div_rem(&BigInt::from(per));
        // In range by construction: position < period = per * 2^counter_bits.
        self.state.counter = counter.to_u128().unwrap_or(0);
        self.state.word = word.to_u32().unwrap_or(0);
        self.refresh_block();
    }

    /// Moves `jumps` times the jump size ahead (docs/rng.md).
    pub fn jump(&mut self, jumps: u128) {
        self.advance(&(BigInt::from(jumps) * self.kind.jump_outputs()));
    }

    /// Fills `out[i]` with raw output `i` from the current position (on every
    /// core) and moves past them. Polls `intr` between blocks of 2^24 outputs;
    /// an interrupt leaves the stream after the blocks already written.
    pub fn fill_raw(&mut self, out: &mut [u64], intr: &dyn Interrupt) -> Result<()> {
        for block in out.chunks_mut(FILL_BLOCK) {
            intr.check()?;
            let s = &self.state;
            match self.kind {
                GeneratorKind::Squares64 => fill_squares64(s.key, s.counter as u64, block),
                GeneratorKind::Squares32 => fill_squares32(s.key, s.counter as u64, block),
                GeneratorKind::Philox4x32 => {
                    fill_philox4x32(philox_key_words(s.key), s.counter, s.word, block)
                }
            }
            self.skip(block.len() as u64);
        }
        Ok(())
    }

    /// The (Squares64 key, counter) a shuffle draws from (docs/shuffle.md):
    /// Squares64 lends its own key and counter; the 32-bit generators give
    /// one 64-bit draw `w` and the shuffle uses `key_from_word(w)` from counter 0.
    pub fn shuffle_source(&mut self) -> (u64, u64) {
        match self.kind {
            GeneratorKind::Squares64 => (self.state.key, self.state.counter as u64),
            _ => (key_from_word(self.next_u64()), 0),
        }
    }

    /// Records that a shuffle from [`CounterStream::shuffle_source`] used
    /// `counters` counters: Squares64 moves past them, the others already did.
    pub fn shuffle_consumed(&mut self, counters: u64) {
        if self.kind == GeneratorKind::Squares64 {
            self.skip(counters);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Never;

    fn stream(kind: GeneratorKind, counter: u128, word: u32) -> CounterStream {
        let state = CounterState {
            key: 0x299F_31D0_A409_3822,
            counter,
            word,
            has_uint32: false,
            uinteger: 0,
        };
        CounterStream::new(kind, state).unwrap()
    }

    #[test]
    fn skip_advance_and_fill_agree_with_single_steps() {
        for kind in GeneratorKind::ALL {
            for (counter, word) in [(0u128, 0u32), (u64::MAX as u128 - 1, 0), (5, 3)] {
                let word = word.min(kind.outputs_per_counter() - 1);
                let mut one = stream(kind, counter, word);
                let singles: Vec<u64> = (0..11).map(|_| one.raw()).collect();
                let mut filled = vec![0u64; 11];
                let mut bulk = stream(kind, counter, word);
                bulk.fill_raw(&mut filled, &Never).unwrap();
                assert_eq!(filled, singles, "{kind:?}");
                assert_eq!(bulk.state(), one.state());
                let mut skipped = stream(kind, counter, word);
                skipped.skip(11);
                assert_eq!(skipped.state(), one.state());
                let mut advanced = stream(kind, counter, word);
                advanced.advance(&BigInt::from(11));
                assert_eq!(advanced.state(), one.state());
                assert_eq!(advanced.raw(), one.raw());
            }
        }
    }

    #[test]
    fn advance_wraps_modulo_the_period() {
        let mut s = stream(GeneratorKind::Philox4x32, 0, 0);
        s.advance(&BigInt::from(-1));
        assert_eq!((s.state().counter, s.state().word), (u128::MAX, 3));
        s.advance(&(BigInt::from(1) << 130u32));
        assert_eq!((s.state().counter, s.state().word), (u128::MAX, 3));
        s.jump(1);
        assert_eq!((s.state().counter, s.state().word), ((1 << 64) - 1, 3));
        let mut q = stream(GeneratorKind::Squares32, 3, 0);
        q.advance(&BigInt::from(-4));
        assert_eq!(q.state().counter, u64::MAX as u128);
    }

    #[test]
    fn states_out_of_range_are_refused() {
        let mut s = stream(GeneratorKind::Squares64, 0, 0);
        let bad = CounterState {
            counter: 1 << 64,
            ..s.state()
        };
        assert!(s.set_state(bad).is_err());
        let bad_word = CounterState {
            word: 1,
            ..s.state()
        };
        assert!(s.set_state(bad_word).is_err());
        let mut p = stream(GeneratorKind::Philox4x32, u128::MAX, 3);
        assert!(p
            .set_state(CounterState {
                word: 4,
                ..p.state()
            })
            .is_err());
        assert_eq!(GeneratorKind::from_name("PCG64"), None);
    }

    #[test]
    fn shuffle_sources_follow_the_spec() {
        let mut s = stream(GeneratorKind::Squares64, 9, 0);
        assert_eq!(s.shuffle_source(), (0x299F_31D0_A409_3822, 9));
        s.shuffle_consumed(4);
        assert_eq!(s.state().counter, 13);
        let mut p = stream(GeneratorKind::Philox4x32, 0, 0);
        let mut twin = p.clone();
        let word = (twin.raw() << 32) | twin.raw();
        assert_eq!(p.shuffle_source(), (key_from_word(word), 0));
        p.shuffle_consumed(100);
        assert_eq!(p.state(), twin.state());
    }
}
