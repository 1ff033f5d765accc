//! Bindings of `permkit::rng`: the native state behind the Python bit
//! generators (a core `CounterStream`), with the C `bitgen_t` interface
//! numpy.random.Generator calls, and the adapter that lets the core draw from
//! any numpy bit generator through its `bitgen_t`.
//!
//! The stream lives in a heap slot whose address never changes while the
//! Python object lives, because numpy copies the `bitgen_t` (and with it the
//! state pointer) out of the capsule.

use crate::convert::{guard, to_pyerr, Signals};
use num_bigint::BigInt;
use numpy::{PyArrayDyn, PyArrayMethods};
use permkit::rng::counter::{CounterState, CounterStream, GeneratorKind};
use permkit::rng::keys::{broken_key_rule, key_from_word};
use permkit::rng::WordStream;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::c_void;

/// numpy's `bitgen_t` (numpy/random/bitgen.h), field for field.
#[repr(C)]
pub struct BitGenT {
    state: *mut c_void,
    next_uint64: unsafe extern "C" fn(*mut c_void) -> u64,
    next_uint32: unsafe extern "C" fn(*mut c_void) -> u32,
    next_double: unsafe extern "C" fn(*mut c_void) -> f64,
    next_raw: unsafe extern "C" fn(*mut c_void) -> u64,
}

// SAFETY (contract of the four callbacks): `st` is the `state` pointer of a `bitgen_t`
// made by `CounterCore::new`, so it points to the live `CounterStream` of that core's
// slot; numpy's bit generator protocol has the caller hold the Python generator's `lock`,
// which generators.py also holds around every `CounterCore` call that touches the stream,
// so no other reference to the stream exists during the call.
unsafe extern "C" fn next_uint64(st: *mut c_void) -> u64 {
    (*(st as *mut CounterStream)).next_u64()
}
// SAFETY (contract): as for `next_uint64`.
unsafe extern "C" fn next_uint32(st: *mut c_void) -> u32 {
    (*(st as *mut CounterStream)).next_u32()
}
// SAFETY (contract): as for `next_uint64`.
unsafe extern "C" fn next_double(st: *mut c_void) -> f64 {
    (*(st as *mut CounterStream)).next_double()
}
// SAFETY (contract): as for `next_uint64`.
unsafe extern "C" fn next_raw(st: *mut c_void) -> u64 {
    (*(st as *mut CounterStream)).raw()
}

struct Slot {
    bitgen: BitGenT,
    stream: CounterStream,
}

/// The native state of one permkit bit generator (wrapped by the Python classes).
/// Methods that touch the stream take `&mut self`, so PyO3's borrow flag refuses
/// overlapping calls from Python instead of aliasing the stream.
#[pyclass(module = "permkit._native")]
pub struct CounterCore {
    slot: *mut Slot,
}

// SAFETY: `slot` is the only pointer to a `Box<Slot>` this object owns and frees
// in `drop`; the slot holds plain integers, function pointers and a pointer into
// itself, nothing tied to a thread, so the owner may move to another thread.
unsafe impl Send for CounterCore {}
// SAFETY: `&self` methods only read the slot's address (`capsule`); everything that
// reads or writes the stream takes `&mut self`, which PyO3 grants to one caller at a time.
unsafe impl Sync for CounterCore {}

impl Drop for CounterCore {
    fn drop(&mut self) {
        // SAFETY: `slot` came from Box::into_raw in `new` and is freed once.
        drop(unsafe { Box::from_raw(self.slot) });
    }
}

impl CounterCore {
    fn stream(&mut self) -> &mut CounterStream {
        // SAFETY: the Box is alive while self is; `&mut self` excludes every other Rust
        // reference, and numpy's callbacks run only under the generator's lock, which the
        // Python callers of these methods hold too (see the callbacks' contract).
        unsafe { &mut (*self.slot).stream }
    }
}

fn parse_kind(kind: &str) -> PyResult<GeneratorKind> {
    GeneratorKind::from_name(kind)
        .ok_or_else(|| PyValueError::new_err(format!("kind: unknown generator {kind:?}")))
}

#[pymethods]
impl CounterCore {
    #[new]
    #[pyo3(signature = (kind, key, counter, word=0))]
    fn new(kind: &str, key: u64, counter: u128, word: u32) -> PyResult<Self> {
        guard(|| {
            let state = CounterState {
                key,
                counter,
                word,
                has_uint32: false,
                uinteger: 0,
            };
            let stream =
                CounterStream::new(parse_kind(kind)?, state).map_err(|e| to_pyerr(e, "state"))?;
            let slot = Box::into_raw(Box::new(Slot {
                bitgen: BitGenT {
                    state: std::ptr::null_mut(),
                    next_uint64,
                    next_uint32,
                    next_double,
                    next_raw,
                },
                stream,
            }));
            // SAFETY: `slot` is a fresh, valid allocation; the state pointer targets
            // a field of the same allocation, which never moves.
            unsafe {
                (*slot).bitgen.state = &mut (*slot).stream as *mut CounterStream as *mut c_void
            };
            Ok(CounterCore { slot })
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
    fn get_state(&mut self) -> PyResult<(u64, u128, u32, bool, u32)> {
        guard(|| {
            let s = self.stream().state();
            Ok((s.key, s.counter, s.word, s.has_uint32, s.uinteger))
        })
    }

    fn set_state(
        &mut self,
        key: u64,
        counter: u128,
        word: u32,
        has_uint32: bool,
        uinteger: u32,
    ) -> PyResult<()> {
        guard(|| {
            let state = CounterState {
                key,
                counter,
                word,
                has_uint32,
                uinteger,
            };
            self.stream()
                .set_state(state)
                .map_err(|e| to_pyerr(e, "state"))
        })
    }

    /// The next raw output (one 32-bit output for the 32-bit generators).
    fn next_raw(&mut self) -> PyResult<u64> {
        guard(|| Ok(self.stream().raw()))
    }

    /// Fills a C-contiguous uint64 array with raw outputs and advances past them.
    fn fill_raw(&mut self, py: Python<'_>, out: &Bound<'_, PyArrayDyn<u64>>) -> PyResult<()> {
        guard(|| {
            let mut array = out.try_readwrite()?;
            let slice = array.as_slice_mut()?;
            let stream = self.stream();
            py.allow_threads(|| stream.fill_raw(slice, &Signals))
                .map_err(|e| to_pyerr(e, "size"))
        })
    }

    /// Moves `delta` raw outputs ahead (any int, modulo the period).
    fn advance(&mut self, delta: BigInt) -> PyResult<()> {
        guard(|| {
            self.stream().advance(&delta);
            Ok(())
        })
    }

    /// Moves `jumps` jump sizes ahead (docs/rng.md).
    fn jump(&mut self, jumps: u128) -> PyResult<()> {
        guard(|| {
            self.stream().jump(jumps);
            Ok(())
        })
    }

    /// (key, counter) a shuffle draws from (docs/shuffle.md).
    fn shuffle_source(&mut self) -> PyResult<(u64, u64)> {
        guard(|| Ok(self.stream().shuffle_source()))
    }

    /// Records the counters a shuffle from `shuffle_source` consumed.
    fn shuffle_consumed(&mut self, counters: u64) -> PyResult<()> {
        guard(|| {
            self.stream().shuffle_consumed(counters);
            Ok(())
        })
    }
}

/// The words of any numpy bit generator, read through its `bitgen_t`'s
/// `next_uint64`: the core's draws and Fisher–Yates run on them unchanged.
pub struct BitgenWords {
    bitgen: *const BitGenT,
}

// SAFETY: the `bitgen_t` and its state belong to a numpy bit generator that the Python
// caller keeps alive and whose `lock` it holds for the whole draw, so only this one
// thread touches them; numpy's own functions call them with the GIL released too.
unsafe impl Send for BitgenWords {}

impl BitgenWords {
    /// The `bitgen_t` inside `capsule` (a bit generator's `capsule`, named
    /// "BitGenerator"), or TypeError naming `arg`.
    ///
    /// # Safety
    /// The bit generator owning the capsule outlives the returned value, and
    /// the caller holds its `lock` while drawing.
    // SAFETY (contract): as stated under "# Safety" above.
    pub unsafe fn from_capsule(capsule: &Bound<'_, PyAny>, arg: &str) -> PyResult<Self> {
        let capsule = capsule.downcast::<PyCapsule>().map_err(|_| {
            PyTypeError::new_err(format!("{arg}: expected a numpy bit generator's capsule"))
        })?;
        let named = capsule
            .name()?
            .is_some_and(|n| n.to_bytes() == b"BitGenerator");
        if !named {
            return Err(PyTypeError::new_err(format!(
                "{arg}: expected a PyCapsule named \"BitGenerator\""
            )));
        }
        Ok(Self {
            bitgen: capsule.pointer() as *const BitGenT,
        })
    }
}

impl WordStream for BitgenWords {
    const WORD_BITS: u32 = 64;

    #[inline]
    fn next_word(&mut self) -> u64 {
        // SAFETY: `from_capsule`'s contract: a live `bitgen_t` whose lock the caller holds.
        unsafe { ((*self.bitgen).next_uint64)((*self.bitgen).state) }
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
    let counter_bits = pyo3::types::PyDict::new(m.py());
    for kind in GeneratorKind::ALL {
        counter_bits.set_item(kind.name(), kind.counter_bits())?;
    }
    m.add("GENERATOR_COUNTER_BITS", counter_bits)?;
    m.add_function(wrap_pyfunction!(squares_key_from_word, m)?)?;
    m.add_function(wrap_pyfunction!(squares_broken_key_rule, m)?)?;
    Ok(())
}
