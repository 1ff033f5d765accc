//! Bindings of `permkit::algebra` and `permkit::distance`.
//!
//! The Python layer passes C-contiguous 2-D integer arrays of shape (rows, n);
//! binary functions receive operands of one dtype, each with `rows` rows or one.

use crate::convert::{guard, to_pyerr};
use crate::with_int_array;
use num_bigint::{BigInt, BigUint};
use numpy::{
    Element, IntoPyArray, PyArray1, PyArray2, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods,
};
use permkit::distance::{distance_rows, Metric};
use permkit::PermIndex;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// (rows, n) of a 2-D array.
fn rows_n<T: Element>(arr: &Bound<'_, PyArrayDyn<T>>, arg: &str) -> PyResult<(usize, usize)> {
    match *arr.shape() {
        [rows, n] => Ok((rows, n)),
        _ => Err(PyValueError::new_err(format!(
            "{arg}: expected a 2-D array (rows, n)"
        ))),
    }
}

/// Runs a kernel that writes one row of `width` values per input row, GIL released.
fn map_rows<'py, T, O>(
    arr: &Bound<'py, PyArrayDyn<T>>,
    arg: &str,
    width: impl FnOnce(usize) -> usize,
    kernel: impl FnOnce(&[T], usize, &mut [O]) -> permkit::Result<()> + Send,
) -> PyResult<Bound<'py, PyArray2<O>>>
where
    T: Element + PermIndex,
    O: Element + Send,
{
    let py = arr.py();
    let (rows, n) = rows_n(arr, arg)?;
    let src = arr.readonly();
    let src = src.as_slice()?;
    // SAFETY: `new` leaves the elements uninitialised and nothing reads them
    // before `kernel` returns: on `Ok` it has written every one of the
    // `rows * width(n)` outputs, and on an error `?` drops the array unread.
    let out = unsafe { PyArray2::<O>::new(py, [rows, width(n)], false) };
    {
        let mut dst = out.readwrite();
        let dst = dst.as_slice_mut()?;
        py.allow_threads(|| kernel(src, n, dst))
            .map_err(|e| to_pyerr(e, arg))?;
    }
    Ok(out)
}

/// Same dtype array as `p` for a binary operand `q`.
fn same_dtype<'py, T: Element>(q: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    q.downcast::<PyArrayDyn<T>>().cloned().map_err(|_| {
        PyTypeError::new_err("q: must have the same dtype as p (the Python layer casts both)")
    })
}

/// Raises ValueError (naming `arg`) at the first row that is not a permutation.
#[pyfunction]
fn validate(p: &Bound<'_, PyAny>, arg: &str) -> PyResult<()> {
    guard(|| {
        let py = p.py();
        with_int_array!(p, arg, |pa: T| {
            let (_, n) = rows_n(pa, arg)?;
            let src = pa.readonly();
            let src = src.as_slice()?;
            py.allow_threads(|| permkit::algebra::validate_rows(src, n))
                .map_err(|e| to_pyerr(e, arg))
        })
    })
}

#[pyfunction]
fn inverse<'py>(p: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        with_int_array!(p, "p", |arr: T| {
            Ok(map_rows::<T, T>(arr, "p", |n| n, permkit::algebra::inverse_rows)?.into_any())
        })
    })
}

#[pyfunction]
fn compose<'py>(p: &Bound<'py, PyAny>, q: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let py = p.py();
        with_int_array!(p, "p", |pa: T| {
            let qa = same_dtype::<T>(q)?;
            let (p_rows, n) = rows_n(pa, "p")?;
            let (q_rows, _) = rows_n(&qa, "q")?;
            let rows = p_rows.max(q_rows);
            let (ps, qs) = (pa.readonly(), qa.readonly());
            let (ps, qs) = (ps.as_slice()?, qs.as_slice()?);
            // SAFETY: `new` leaves the elements uninitialised and nothing reads
            // them before `compose_rows` returns: on `Ok` it has written all
            // `rows * n` of them, and on an error `?` drops the array unread.
            let out = unsafe { PyArray2::<T>::new(py, [rows, n], false) };
            {
                let mut dst = out.readwrite();
                let dst = dst.as_slice_mut()?;
                py.allow_threads(|| permkit::algebra::compose_rows(ps, qs, n, dst))
                    .map_err(|(operand, e)| {
                        to_pyerr(
                            e,
                            if operand == permkit::algebra::Operand::First {
                                "p"
                            } else {
                                "q"
                            },
                        )
                    })?;
            }
            Ok(out.into_any())
        })
    })
}

#[pyfunction]
fn power<'py>(p: &Bound<'py, PyAny>, k: BigInt) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        with_int_array!(p, "p", |arr: T| {
            Ok(map_rows::<T, T>(
                arr,
                "p",
                |n| n,
                |src, n, dst| permkit::algebra::power_rows(src, n, &k, dst),
            )?
            .into_any())
        })
    })
}

#[pyfunction]
fn sign<'py>(p: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        with_int_array!(p, "p", |arr: T| {
            Ok(map_rows::<T, i8>(arr, "p", |_| 1, permkit::algebra::sign_rows)?.into_any())
        })
    })
}

#[pyfunction]
fn inversions<'py>(p: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        with_int_array!(p, "p", |arr: T| {
            Ok(map_rows::<T, u64>(arr, "p", |_| 1, permkit::algebra::inversions_rows)?.into_any())
        })
    })
}

#[pyfunction]
fn cycle_counts<'py>(p: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        with_int_array!(p, "p", |arr: T| {
            Ok(
                map_rows::<T, u64>(arr, "p", |n| n + 1, permkit::algebra::cycle_counts_rows)?
                    .into_any(),
            )
        })
    })
}

/// The order of each row, as Python ints (exact, any size).
#[pyfunction]
fn order(p: &Bound<'_, PyAny>) -> PyResult<Vec<BigUint>> {
    guard(|| {
        let py = p.py();
        with_int_array!(p, "p", |arr: T| {
            let (rows, n) = rows_n(arr, "p")?;
            let src = arr.readonly();
            let src = src.as_slice()?;
            if n == 0 {
                return Ok(vec![BigUint::from(1u32); rows]);
            }
            py.allow_threads(|| permkit::algebra::order_rows(src, n))
                .map_err(|e| to_pyerr(e, "p"))
        })
    })
}

#[pyfunction]
fn is_permutation<'py>(p: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        with_int_array!(p, "p", |arr: T| {
            Ok(map_rows::<T, bool>(
                arr,
                "p",
                |_| 1,
                |src, n, dst| {
                    permkit::algebra::is_permutation_rows(src, n, dst);
                    Ok(())
                },
            )?
            .into_any())
        })
    })
}

#[pyfunction]
fn lehmer_code<'py>(p: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        with_int_array!(p, "p", |arr: T| {
            Ok(map_rows::<T, T>(arr, "p", |n| n, permkit::algebra::lehmer_rows)?.into_any())
        })
    })
}

#[pyfunction]
fn from_lehmer<'py>(code: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        with_int_array!(code, "code", |arr: T| {
            Ok(
                map_rows::<T, T>(arr, "code", |n| n, permkit::algebra::from_lehmer_rows)?
                    .into_any(),
            )
        })
    })
}

/// The (elements, offsets) arrays that describe the cycles of a permutation.
type CycleArrays<'py> = (Bound<'py, PyArray1<u64>>, Bound<'py, PyArray1<u64>>);

/// (elements, offsets) of the canonical cycles of one permutation (a 1-row array).
#[pyfunction]
fn cycles<'py>(p: &Bound<'py, PyAny>, singletons: bool) -> PyResult<CycleArrays<'py>> {
    guard(|| {
        let py = p.py();
        with_int_array!(p, "p", |arr: T| {
            let (_, n) = rows_n(arr, "p")?;
            let src = arr.readonly();
            let src = src.as_slice()?;
            let (elements, offsets) = py
                .allow_threads(|| {
                    permkit::algebra::validate_rows(src, n)?;
                    Ok(permkit::algebra::canonical_cycles(src, singletons))
                })
                .map_err(|e| to_pyerr(e, "p"))?;
            Ok((elements.into_pyarray(py), offsets.into_pyarray(py)))
        })
    })
}

#[pyfunction]
fn from_cycles<'py>(
    py: Python<'py>,
    elements: Vec<i64>,
    offsets: Vec<usize>,
    n: usize,
) -> PyResult<Bound<'py, PyArray1<u64>>> {
    guard(|| {
        let perm = py
            .allow_threads(|| permkit::algebra::from_cycles(&elements, &offsets, n))
            .map_err(|e| to_pyerr(e, "cycles"))?;
        Ok(perm.into_pyarray(py))
    })
}

#[pyfunction]
fn distance<'py>(
    metric: &str,
    p: &Bound<'py, PyAny>,
    q: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let py = p.py();
        let metric = Metric::from_name(metric)
            .ok_or_else(|| PyValueError::new_err(format!("unknown metric {metric:?}")))?;
        with_int_array!(p, "p", |pa: T| {
            let qa = same_dtype::<T>(q)?;
            let (p_rows, n) = rows_n(pa, "p")?;
            let (q_rows, _) = rows_n(&qa, "q")?;
            let (ps, qs) = (pa.readonly(), qa.readonly());
            let (ps, qs) = (ps.as_slice()?, qs.as_slice()?);
            let mut out = vec![0u64; p_rows.max(q_rows)];
            py.allow_threads(|| distance_rows(metric, ps, qs, n, &mut out))
                .map_err(|(operand, e)| {
                    to_pyerr(
                        e,
                        if operand == permkit::algebra::Operand::First {
                            "p"
                        } else {
                            "q"
                        },
                    )
                })?;
            Ok(out.into_pyarray(py).into_any())
        })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(inverse, m)?)?;
    m.add_function(wrap_pyfunction!(compose, m)?)?;
    m.add_function(wrap_pyfunction!(power, m)?)?;
    m.add_function(wrap_pyfunction!(sign, m)?)?;
    m.add_function(wrap_pyfunction!(inversions, m)?)?;
    m.add_function(wrap_pyfunction!(cycle_counts, m)?)?;
    m.add_function(wrap_pyfunction!(order, m)?)?;
    m.add_function(wrap_pyfunction!(is_permutation, m)?)?;
    m.add_function(wrap_pyfunction!(lehmer_code, m)?)?;
    m.add_function(wrap_pyfunction!(from_lehmer, m)?)?;
    m.add_function(wrap_pyfunction!(cycles, m)?)?;
    m.add_function(wrap_pyfunction!(from_cycles, m)?)?;
    m.add_function(wrap_pyfunction!(distance, m)?)?;
    Ok(())
}
