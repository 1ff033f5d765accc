//! Bindings of `permkit::shuffle`. The Python layer picks the key and counter
//! (docs/shuffle.md), checks flags, and falls back to gathering by an index
//! permutation when an array cannot be moved natively (returns None here).

use crate::convert::{guard, to_pyerr, Signals};
use crate::rng::BitgenWords;
use crate::with_int_array;
use numpy::npyffi::flags::{NPY_ARRAY_ALIGNED, NPY_ARRAY_WRITEABLE};
use numpy::{PyArray1, PyReadonlyArray1};
use numpy::{PyArrayDescrMethods, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use permkit::shuffle::{
    draws_below as core_draws_below, permutation_into as core_permutation_into,
    permutations_from_words, permuted_rows as core_permuted_rows, shuffle_in_place_with_scratch,
};
use permkit::{Interrupt, Never};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::mem::MaybeUninit;

/// permutation_into(out, key, counter) -> counters consumed. `out` is a 1-D
/// C-contiguous integer array whose length is n.
#[pyfunction]
fn permutation_into(
    py: Python<'_>,
    out: &Bound<'_, PyAny>,
    key: u64,
    counter: u64,
) -> PyResult<u64> {
    guard(|| {
        with_int_array!(out, "out", |arr: _T| {
            let mut guard = arr.try_readwrite()?;
            let slice = guard.as_slice_mut()?;
            py.allow_threads(|| core_permutation_into(slice, key, counter, &Signals))
                .map_err(|e| to_pyerr(e, "n"))
        })
    })
}

/// permutations_from_bitgen(out, n, capsule): fills each row of `n` elements of
/// the C-contiguous integer array `out` with a permutation of 0..n drawn from
/// the numpy bit generator whose `capsule` is given (docs/shuffle.md). The
/// caller keeps the bit generator alive and holds its `lock`.
#[pyfunction]
fn permutations_from_bitgen(
    py: Python<'_>,
    out: &Bound<'_, PyAny>,
    n: usize,
    capsule: &Bound<'_, PyAny>,
) -> PyResult<()> {
    guard(|| {
        // SAFETY: the Python caller (shuffles.py) holds the bit generator, whose
        // capsule this is, for the whole call, and holds its `lock`.
        let mut words = unsafe { BitgenWords::from_capsule(capsule, "seed")? };
        with_int_array!(out, "out", |arr: _T| {
            let mut array = arr.try_readwrite()?;
            let slice = array.as_slice_mut()?;
            py.allow_threads(|| permutations_from_words(slice, n, &mut words, &Signals))
                .map_err(|e| to_pyerr(e, "n"))
        })
    })
}

#[derive(Clone, Copy)]
/// How `rows * n` elements of `elem_bytes` bytes each at `data` are moved.
enum Kernel {
    /// Shuffle the `rows` leading-axis rows (each `n` elements) as units.
    Rows,
    /// Shuffle each row of `n` elements independently.
    WithinRows,
}

/// Runs the kernel on `arr` when its layout allows it: C-contiguous, aligned,
/// writeable, and a unit size of 1, 2, 4, 8 or 16 bytes. Otherwise `None`.
fn run_native(
    py: Python<'_>,
    arr: &Bound<'_, PyUntypedArray>,
    kernel: Kernel,
    scratch: Option<&Bound<'_, PyUntypedArray>>,
    key: u64,
    counter: u64,
) -> PyResult<Option<u64>> {
    let shape = arr.shape();
    let Some((&first, _)) = shape.split_first() else {
        return Err(PyValueError::new_err(
            "x: expected an array with at least one axis",
        ));
    };
    let total: usize = shape.iter().product();
    // SAFETY: `arr` is a live numpy array (the `Bound` holds a reference and the
    // GIL is held), so `as_array_ptr` points to a valid `PyArrayObject`.
    let flags = unsafe { (*arr.as_array_ptr()).flags };
    let behaved = flags & NPY_ARRAY_ALIGNED != 0 && flags & NPY_ARRAY_WRITEABLE != 0;
    if !behaved || !arr.is_c_contiguous() {
        return Ok(None);
    }
    if total == 0 {
        return Ok(Some(0));
    }
    let itemsize = arr.dtype().itemsize();
    let (units, unit_bytes, n) = match kernel {
        Kernel::Rows => (first, itemsize * (total / first), first),
        Kernel::WithinRows => (total, itemsize, *shape.last().unwrap_or(&1)),
    };
    // SAFETY: as for `flags` above: a valid `PyArrayObject`, read under the GIL.
    let data = unsafe { (*arr.as_array_ptr()).data } as usize;
    // Arrays holding Python objects keep the GIL: only pointers move, but no
    // other thread may observe the array mid-shuffle.
    let holds_objects = arr.dtype().has_object();
    macro_rules! go {
        ($T:ty) => {{
            if data % std::mem::align_of::<$T>() != 0 {
                return Ok(None);
            }
            // SAFETY: the array is C-contiguous, aligned for $T, writeable and
            // holds exactly `units` units of size_of::<$T>() bytes.
            let slice = unsafe { std::slice::from_raw_parts_mut(data as *mut $T, units) };
            // A caller's scratch: C-contiguous, writeable, exactly as many
            // bytes, aligned for $T; otherwise the core allocates its own.
            let scratch_ptr = scratch.and_then(|s| {
                // SAFETY: `s` is a live numpy array (a `Bound` under the GIL),
                // so `as_array_ptr` points to a valid `PyArrayObject`.
                let flags = unsafe { (*s.as_array_ptr()).flags };
                // SAFETY: the same valid `PyArrayObject` as for `flags`.
                let ptr = unsafe { (*s.as_array_ptr()).data } as usize;
                let bytes = s.len() * s.dtype().itemsize();
                let usable = s.is_c_contiguous()
                    && flags & NPY_ARRAY_WRITEABLE != 0
                    && bytes == units * std::mem::size_of::<$T>()
                    && ptr % std::mem::align_of::<$T>() == 0
                    && (ptr + bytes <= data || data + bytes <= ptr);
                usable.then_some(ptr)
            });
            let work = |slice: &mut [$T], intr: &dyn Interrupt| match (kernel, scratch_ptr) {
                (Kernel::Rows, Some(ptr)) => {
                    // SAFETY: checked above: disjoint from the data, writeable,
                    // aligned and sized for `units` elements.
                    let scratch = unsafe {
                        std::slice::from_raw_parts_mut(ptr as *mut MaybeUninit<$T>, units)
                    };
                    shuffle_in_place_with_scratch(slice, scratch, key, counter, intr)
                }
                (Kernel::Rows, None) => core_permuted_rows(slice, units, key, counter, intr),
                (Kernel::WithinRows, _) => core_permuted_rows(slice, n, key, counter, intr),
            };
            let result = if holds_objects {
                work(slice, &Never)
            } else {
                py.allow_threads(|| work(slice, &Signals))
            };
            result.map(Some).map_err(|e| to_pyerr(e, "x"))
        }};
    }
    match unit_bytes {
        1 => go!(u8),
        2 => go!(u16),
        4 => go!(u32),
        8 => go!(u64),
        16 => go!([u64; 2]),
        _ => Ok(None),
    }
}

/// shuffle_rows(x, key, counter, scratch=None) -> counters consumed, or None
/// when `x` needs the Python fallback. Shuffles the rows along axis 0 in place;
/// `scratch` (an array of x.nbytes bytes) is used as the working buffer.
#[pyfunction]
#[pyo3(signature = (x, key, counter, scratch=None))]
fn shuffle_rows(
    py: Python<'_>,
    x: &Bound<'_, PyUntypedArray>,
    key: u64,
    counter: u64,
    scratch: Option<&Bound<'_, PyUntypedArray>>,
) -> PyResult<Option<u64>> {
    guard(|| run_native(py, x, Kernel::Rows, scratch, key, counter))
}

/// permuted_last_axis(x, key, counter) -> counters consumed, or None when `x`
/// needs the Python fallback. Shuffles every row along the last axis in place.
#[pyfunction]
fn permuted_last_axis(
    py: Python<'_>,
    x: &Bound<'_, PyUntypedArray>,
    key: u64,
    counter: u64,
) -> PyResult<Option<u64>> {
    guard(|| run_native(py, x, Kernel::WithinRows, None, key, counter))
}

/// draws_below(key, bounds) -> uint64 draws: draw `i` is uniform in
/// `0..bounds[i]`, from the draw sequence D(0, 1) of `key`.
#[pyfunction]
fn draws_below<'py>(
    py: Python<'py>,
    key: u64,
    bounds: PyReadonlyArray1<'py, u64>,
) -> PyResult<Bound<'py, PyArray1<u64>>> {
    guard(|| {
        let bounds = bounds.as_slice()?;
        // One output word per bound: the same size as the input already in memory.
        let mut out = vec![0u64; bounds.len()];
        py.allow_threads(|| core_draws_below(key, bounds, &mut out))
            .map_err(|e| to_pyerr(e, "bounds"))?;
        Ok(PyArray1::from_vec(py, out))
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(draws_below, m)?)?;
    m.add_function(wrap_pyfunction!(permutation_into, m)?)?;
    m.add_function(wrap_pyfunction!(shuffle_rows, m)?)?;
    m.add_function(wrap_pyfunction!(permuted_last_axis, m)?)?;
    m.add_function(wrap_pyfunction!(permutations_from_bitgen, m)?)?;
    Ok(())
}
