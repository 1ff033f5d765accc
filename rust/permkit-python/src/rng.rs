//! Bindings of `permkit::rng`: the native state behind the Python bit
//! generators, with the C `bitgen_t` interface numpy.random.Generator calls.
//!
//! The state lives in a heap slot whose address never changes while the
//! Python object lives, because numpy copies the `bitgen_t` (and with it the
//! state pointer) out of the capsule. Callers serialise access with the
//! bit generator's `lock`, as numpy does for its own bit generators.

use crate::convert::{guard, Signals};
use numpy::{PyArrayDyn, PyArrayMethods};
use permkit::rng::keys::{broken_key_rule, key_from_word};
use permkit::rng::stream::{
    fill_philox4x32, fill_squares32, fill_squares64, philox_block, philox_key_words,
};
use permkit::rng::{squares32, squares64};
use permkit::Interrupt;
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;
use std::ffi::c_void;

/// numpy's `bitgen_t` (numpy/random/bitgen.h), field for field.
#[repr(C)]
struct BitGenT {
    state: *mut c_void,
    next_uint64: unsafe extern "C" fn(*mut c_void) -> u64,
    next_uint32: unsafe extern "C" fn(*mut c_void) -> u32,
    next_double: unsafe extern "C" fn(*mut c_void) -> f64,
    next_raw: unsafe extern "C" fn(*mut c_void) -> u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Squares64,
    Squares32,
    Philox4x32,
}

impl Kind {
    fn parse(name: &str) -> PyResult<Self> {
        match name {
            "Squares64" => Ok(Kind::Squares64),
            "Squares32" => Ok(Kind::Squares32),
            "Philox4x32" => Ok(Kind::Philox4x32),
            _ => Err(PyValueError::new_err(format!(
                "kind: unknown generator {name:?}"
            ))),
        }
    }
}

/// Stream position and the buffers numpy's conventions need.
struct State {
    kind: Kind,
    key: u64,
    /// Squares: the next counter (mod 2^64). Philox: the current block counter.
    counter: u128,
    /// Philox only: the next word (0..4) of block `counter`.
    word: u32,
    /// Philox only: the block of `counter`, valid whenever `word != 0`.
    block: [u32; 4],
    /// Squares64 only: numpy's half-word buffer for next_uint32.
    has_uint32: bool,
    uinteger: u32,
}

impl State {
    /// The next raw output: 64 bits for Squares64, one 32-bit output otherwise.
    fn raw(&mut self) -> u64 {
        match self.kind {
            Kind::Squares64 => {
                let v = squares64(self.key, self.counter as u64);
                self.counter = (self.counter as u64).wrapping_add(1) as u128;
                v
            }
            Kind::Squares32 => {
                let v = squares32(self.key, self.counter as u64);
                self.counter = (self.counter as u64).wrapping_add(1) as u128;
                v as u64
            }
            Kind::Philox4x32 => {
                if self.word == 0 {
                    self.block = philox_block(philox_key_words(self.key), self.counter);
                }
                let v = self.block[self.word as usize];
                self.word += 1;
                if self.word == 4 {
                    self.word = 0;
                    self.counter = self.counter.wrapping_add(1);
                }
                v as u64
            }
        }
    }

    /// 64 bits: Squares64's output, or two 32-bit outputs, the first one high.
    fn next_u64(&mut self) -> u64 {
        match self.kind {
            Kind::Squares64 => self.raw(),
            _ => {
                let hi = self.raw();
                (hi << 32) | self.raw()
            }
        }
    }

    /// 32 bits: one 32-bit output, or for Squares64 the low then the high
    /// half of one output (numpy's PCG64 convention).
    fn next_u32(&mut self) -> u32 {
        match self.kind {
            Kind::Squares64 => {
                if self.has_uint32 {
                    self.has_uint32 = false;
                    return self.uinteger;
                }
                let v = self.raw();
                self.has_uint32 = true;
                self.uinteger = (v >> 32) as u32;
                v as u32
            }
            _ => self.raw() as u32,
        }
    }

    /// Moves past `count` raw outputs.
    fn skip(&mut self, count: u64) {
        match self.kind {
            Kind::Squares64 | Kind::Squares32 => {
                self.counter = (self.counter as u64).wrapping_add(count) as u128;
            }
            Kind::Philox4x32 => {
                let total = self.word as u128 + count as u128;
                self.counter = self.counter.wrapping_add(total / 4);
                self.word = (total % 4) as u32;
                self.refresh_block();
            }
        }
    }

    fn refresh_block(&mut self) {
        if self.kind == Kind::Philox4x32 && self.word != 0 {
            self.block = philox_block(philox_key_words(self.key), self.counter);
        }
    }

    /// `out[i]` = raw output i from the current position (parallel).
    fn fill(&self, out: &mut [u64]) {
        match self.kind {
            Kind::Squares64 => fill_squares64(self.key, self.counter as u64, out),
            Kind::Squares32 => fill_squares32(self.key, self.counter as u64, out),
            Kind::Philox4x32 => {
                fill_philox4x32(philox_key_words(self.key), self.counter, self.word, out)
            }
        }
    }
}

unsafe extern "C" fn next_uint64(st: *mut c_void) -> u64 {
    (*(st as *mut State)).next_u64()
}
unsafe extern "C" fn next_uint32(st: *mut c_void) -> u32 {
    (*(st as *mut State)).next_u32()
}
unsafe extern "C" fn next_double(st: *mut c_void) -> f64 {
    ((*(st as *mut State)).next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}
unsafe extern "C" fn next_raw(st: *mut c_void) -> u64 {
    (*(st as *mut State)).raw()
}

struct Slot {
    bitgen: BitGenT,
    state: State,
}

/// Outputs per GIL-free fill between Ctrl-C checks.
const FILL_BLOCK: usize = 1 << 24;

/// The native state of one permkit bit generator (wrapped by the Python classes).
#[pyclass(frozen, module = "permkit._native")]
pub struct CounterCore {
    slot: *mut Slot,
}

// SAFETY: `slot` is the only pointer to a `Box<Slot>` this object owns and frees
// in `drop`; the slot holds plain integers, function pointers and a pointer into
// itself, nothing tied to a thread, so the owner may move to another thread.
unsafe impl Send for CounterCore {}
// SAFETY: `state()`'s `&mut State` lives for one method call; calls that keep the GIL
// cannot overlap, and those without it (`fill_raw`, numpy through the capsule) run under
// the Python generator's `lock`, which python/permkit/generators.py takes on every such call.
unsafe impl Sync for CounterCore {}

impl Drop for CounterCore {
    fn drop(&mut self) {
        // SAFETY: `slot` came from Box::into_raw in `new` and is freed once.
        drop(unsafe { Box::from_raw(self.slot) });
    }
}

impl CounterCore {
    #[allow(clippy::mut_from_ref)]
    fn state(&self) -> &mut State {
        // SAFETY: see the type's Send/Sync note; the Box is alive while self is.
        unsafe { &mut (*self.slot).state }
    }
}

#[pymethods]
impl CounterCore {
    #[new]
    #[pyo3(signature = (kind, key, counter, word=0))]
    fn new(kind: &str, key: u64, counter: u128, word: u32) -> PyResult<Self> {
        guard(|| {
            let kind = Kind::parse(kind)?;
            let state = State {
                kind,
                key,
                counter: 0,
                word: 0,
                block: [0; 4],
                has_uint32: false,
                uinteger: 0,
            };
            let slot = Box::into_raw(Box::new(Slot {
                bitgen: BitGenT {
                    state: std::ptr::null_mut(),
                    next_uint64,
                    next_uint32,
                    next_double,
                    next_raw,
                },
                state,
            }));
            // SAFETY: `slot` is a fresh, valid allocation; the state pointer targets
            // a field of the same allocation, which never moves.
            unsafe { (*slot).bitgen.state = &mut (*slot).state as *mut State as *mut c_void };
            let core = CounterCore { slot };
            core.set_state(key, counter, word, false, 0)?;
            Ok(core)
        })
    }

    /// A PyCapsule named "BitGenerator" holding the `bitgen_t`, as numpy expects.
    fn capsule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            // SAFETY: the pointer stays valid while this object lives; the capsule
            // owns nothing (no destructor), like numpy's own bit generators' capsules.
            unsafe {
                let bitgen = &mut (*self.slot).bitgen as *mut BitGenT as *mut c_void;
                let ptr = pyo3::ffi::PyCapsule_New(bitgen, c"BitGenerator".as_ptr(), None);
                Bound::from_owned_ptr_or_err(py, ptr)
            }
        })
    }

    /// (key, counter, word, has_uint32, uinteger)
    fn get_state(&self) -> PyResult<(u64, u128, u32, bool, u32)> {
        guard(|| {
            Ok({
                let s = self.state();
                (s.key, s.counter, s.word, s.has_uint32, s.uinteger)
            })
        })
    }

    fn set_state(
        &self,
        key: u64,
        counter: u128,
        word: u32,
        has_uint32: bool,
        uinteger: u32,
    ) -> PyResult<()> {
        guard(|| {
            let s = self.state();
            let (max_counter, max_word) = match s.kind {
                Kind::Philox4x32 => (u128::MAX, 3),
                _ => (u64::MAX as u128, 0),
            };
            if counter > max_counter || word > max_word {
                return Err(PyValueError::new_err(format!(
                    "state: counter must be in 0..={max_counter} and word in 0..={max_word}"
                )));
            }
            s.key = key;
            s.counter = counter;
            s.word = word;
            s.has_uint32 = has_uint32 && s.kind == Kind::Squares64;
            s.uinteger = if s.has_uint32 { uinteger } else { 0 };
            s.refresh_block();
            Ok(())
        })
    }

    /// The next raw output (one 32-bit output for the 32-bit generators).
    fn next_raw(&self) -> PyResult<u64> {
        guard(|| Ok(self.state().raw()))
    }

    /// The next 64-bit value as numpy's next_uint64 gives it.
    fn next_uint64(&self) -> PyResult<u64> {
        guard(|| Ok(self.state().next_u64()))
    }

    /// Fills a C-contiguous uint64 array with raw outputs and advances past them.
    fn fill_raw(&self, py: Python<'_>, out: &Bound<'_, PyArrayDyn<u64>>) -> PyResult<()> {
        guard(|| {
            let mut guard = out.try_readwrite()?;
            let slice = guard.as_slice_mut()?;
            for block in slice.chunks_mut(FILL_BLOCK) {
                if Signals.interrupted() {
                    return Err(PyKeyboardInterrupt::new_err("interrupted"));
                }
                let state = self.state();
                py.allow_threads(|| state.fill(block));
                state.skip(block.len() as u64);
            }
            Ok(())
        })
    }

    /// Advances past `count` raw outputs without producing them.
    fn skip_raw(&self, count: u64) -> PyResult<()> {
        guard(|| {
            {
                self.state().skip(count)
            }
            Ok(())
        })
    }
}

/// key_from_word(word) -> int: derivation v1 of a valid Squares key (docs/rng.md).
#[pyfunction]
fn squares_key_from_word(word: u64) -> PyResult<u64> {
    guard(|| Ok(key_from_word(word)))
}

/// The first Squares key rule (1..=5) `key` breaks, or None.
#[pyfunction]
fn squares_broken_key_rule(key: u64) -> PyResult<Option<u8>> {
    guard(|| Ok(broken_key_rule(key)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CounterCore>()?;
    m.add_function(wrap_pyfunction!(squares_key_from_word, m)?)?;
    m.add_function(wrap_pyfunction!(squares_broken_key_rule, m)?)?;
    Ok(())
}
