//! Shared plumbing: error mapping, Ctrl-C polling, integer-dtype dispatch.

use pyo3::exceptions::{
    PyKeyboardInterrupt, PyMemoryError, PyOverflowError, PyRuntimeError, PyValueError,
};
use pyo3::prelude::*;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A core error as a Python exception whose message starts with the argument name.
pub fn to_pyerr(err: permkit::Error, arg: &str) -> PyErr {
    use permkit::Error::*;
    match err {
        Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
        Overflow(_) => PyOverflowError::new_err(format!("{arg}: {err}")),
        Memory(_) => PyMemoryError::new_err(format!("{arg}: {err}")),
        _ => PyValueError::new_err(format!("{arg}: {err}")),
    }
}

/// Runs the body of a binding so that no Rust panic reaches Python as a
/// `PanicException` (a `BaseException` that `except Exception` misses): a
/// panic becomes `MemoryError` when it is a capacity overflow, otherwise
/// `RuntimeError` naming it as an internal error. Every `#[pyfunction]` and
/// `#[pymethods]` function wraps its body: `fn f(..) -> PyResult<T> {
/// guard(|| { .. }) }` (tests/test_panics.py checks the sources).
///
/// A failed allocation aborts instead of panicking, so bindings must still
/// check sizes before allocating ([`memory_error`]).
pub fn guard<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| Err(panic_to_pyerr(payload)))
}

fn panic_to_pyerr(payload: Box<dyn Any + Send>) -> PyErr {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    if msg.contains("capacity overflow") {
        PyMemoryError::new_err(format!("a buffer size overflowed ({msg})"))
    } else {
        PyRuntimeError::new_err(format!(
            "permkit internal error (a bug, please report it): {msg}"
        ))
    }
}

/// Test-only: panics with `message` inside a guarded binding, from a rayon
/// worker when `in_worker`, so the tests can prove the guard holds.
#[pyfunction]
pub fn _panic_for_tests(py: Python<'_>, message: String, in_worker: bool) -> PyResult<()> {
    guard(|| {
        py.allow_threads(|| {
            if in_worker {
                rayon::join(|| panic!("{message}"), || ());
            }
            panic!("{message}")
        })
    })
}

/// A new uninitialised array made by `numpy.empty`, so that a failed
/// allocation raises `MemoryError` (numpy's own) instead of the panic that
/// `PyArray::new` turns it into. For outputs whose size the caller chose
/// (slices, index arrays), not sizes bounded by an input already in memory.
pub fn empty_array<'py, T: numpy::Element>(
    py: Python<'py>,
    shape: &[usize],
) -> PyResult<Bound<'py, numpy::PyArrayDyn<T>>> {
    let dtype = numpy::dtype::<T>(py);
    let numpy = py.import("numpy")?;
    let out = numpy.getattr("empty")?.call1((shape.to_vec(), dtype))?;
    Ok(out.downcast_into::<numpy::PyArrayDyn<T>>()?)
}

/// A `MemoryError` that says how much was asked for, raised before allocating.
pub fn memory_error(what: &str, bytes: u128) -> PyErr {
    PyMemoryError::new_err(format!(
        "{what} would need {:.3} GiB of memory; refusing to allocate it",
        bytes as f64 / (1u64 << 30) as f64
    ))
}

/// Ctrl-C for core kernels: polls Python's signal handlers. Core kernels poll
/// only from the thread that called them, which is the thread that released
/// the GIL, so the check runs where Python delivers signals.
pub struct Signals;

impl permkit::Interrupt for Signals {
    fn interrupted(&self) -> bool {
        Python::with_gil(|py| py.check_signals().is_err())
    }
}

/// Runs `$body` with `$arr` downcast to the `PyArrayDyn` of its integer dtype and
/// `$T` naming the element type. Other dtypes raise `TypeError` (the Python
/// layer normally converts them before calling).
#[macro_export]
macro_rules! with_int_array {
    ($obj:expr, $arg:expr, |$arr:ident : $T:ident| $body:block) => {{
        use numpy::PyArrayDyn;
        let obj = $obj;
        if let Ok($arr) = obj.downcast::<PyArrayDyn<i64>>() {
            #[allow(dead_code)]
            type $T = i64;
            $body
        } else if let Ok($arr) = obj.downcast::<PyArrayDyn<u8>>() {
            #[allow(dead_code)]
            type $T = u8;
            $body
        } else if let Ok($arr) = obj.downcast::<PyArrayDyn<u16>>() {
            #[allow(dead_code)]
            type $T = u16;
            $body
        } else if let Ok($arr) = obj.downcast::<PyArrayDyn<u32>>() {
            #[allow(dead_code)]
            type $T = u32;
            $body
        } else if let Ok($arr) = obj.downcast::<PyArrayDyn<u64>>() {
            #[allow(dead_code)]
            type $T = u64;
            $body
        } else if let Ok($arr) = obj.downcast::<PyArrayDyn<i32>>() {
            #[allow(dead_code)]
            type $T = i32;
            $body
        } else if let Ok($arr) = obj.downcast::<PyArrayDyn<i16>>() {
            #[allow(dead_code)]
            type $T = i16;
            $body
        } else if let Ok($arr) = obj.downcast::<PyArrayDyn<i8>>() {
            #[allow(dead_code)]
            type $T = i8;
            $body
        } else {
            Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "{}: expected a native-endian integer numpy array",
                $arg
            )))
        }
    }};
}
