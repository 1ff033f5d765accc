//! The methods every random-access order binds (`IndexShuffleCore`, `ShardShuffleCore`,
//! `WindowOrderCore`): one conversion of arguments and results, forwarding to
//! `permkit::random_access::RandomAccess`, and [`random_access_pymethods!`], which writes
//! them once for every such class.

use crate::convert::{empty_array, memory_error, to_pyerr, Signals};
use crate::with_int_array;
use numpy::{PyArrayMethods, PyUntypedArrayMethods};
use permkit::random_access::RandomAccess;
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;

/// The IndexError of a position or value out of range of an order of `n` (`arg` names it).
pub fn index_error(err: permkit::Error, arg: &str, n: u64) -> PyErr {
    match err {
        permkit::Error::OutOfRange { index, value, .. } => {
            let range = if n == 0 {
                "an empty order has no positions".to_string()
            } else {
                format!("valid range 0..={}", n - 1)
            };
            PyIndexError::new_err(format!(
                "{arg}: value {value} at position {index} is out of range ({range})"
            ))
        }
        other => to_pyerr(other, arg),
    }
}

/// Maps every element of an integer array (any shape) to a uint64 array; a value
/// out of range becomes [`index_error`] naming `argname`.
pub fn map_array<'py, C: RandomAccess>(
    order: &C,
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    inverse: bool,
    wrap_negative: bool,
    argname: &str,
) -> PyResult<Bound<'py, PyAny>> {
    with_int_array!(values, argname, |arr: T| {
        let src: numpy::PyReadonlyArrayDyn<'py, T> = arr.readonly();
        let out = empty_array::<u64>(py, arr.shape())?;
        {
            let mut dst = out.readwrite();
            let src = src.as_slice()?;
            let dst = dst.as_slice_mut()?;
            py.allow_threads(|| order.map_values(src, dst, inverse, wrap_negative, &Signals))
                .map_err(|e| index_error(e, argname, order.n()))?;
        }
        Ok(out.into_any())
    })
}

/// `order[start + j * step]` for `j` in `0..count`, in an unsigned array of `bits`
/// bits; `what` names the positions in the MemoryError.
pub fn map_range<'py, C: RandomAccess>(
    order: &C,
    py: Python<'py>,
    start: u64,
    step: i128,
    count: usize,
    bits: u32,
    what: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let bytes = count as u128 * (bits as u128 / 8);
    if bytes > (isize::MAX as u128) / 2 {
        return Err(memory_error(what, bytes));
    }
    macro_rules! run {
        ($t:ty) => {{
            let out = empty_array::<$t>(py, &[count])?;
            {
                let mut dst = out.readwrite();
                let dst = dst.as_slice_mut()?;
                py.allow_threads(|| order.map_range(start, step, dst, &Signals))
                    .map_err(|e| to_pyerr(e, "range"))?;
            }
            Ok(out.into_any())
        }};
    }
    match bits {
        8 => run!(u8),
        16 => run!(u16),
        32 => run!(u32),
        64 => run!(u64),
        _ => Err(PyValueError::new_err(format!(
            "bits: expected 8, 16, 32 or 64, got {bits}"
        ))),
    }
}

/// `#[pymethods]` of a random-access order class `$class` (a struct whose `inner` field
/// implements `RandomAccess`): `n`, `key`, `forward`, `inverse`, `map_array`, `map_range`
/// (`$positions` names the positions in a MemoryError), followed by the class's own items.
/// One macro, because PyO3 allows one `#[pymethods]` block per class.
#[macro_export]
macro_rules! random_access_pymethods {
    ($class:ty, $positions:literal, { $($own:tt)* }) => {
        #[pymethods]
        impl $class {
            $($own)*

            #[getter]
            fn n(&self) -> u64 {
                self.inner.n()
            }
            #[getter]
            fn key(&self) -> u64 {
                self.inner.key()
            }

            fn forward(&self, i: u64) -> PyResult<u64> {
                $crate::convert::guard(|| {
                    self.inner
                        .forward(i)
                        .map_err(|e| $crate::random_access::index_error(e, "index", self.inner.n()))
                })
            }

            fn inverse(&self, j: u64) -> PyResult<u64> {
                $crate::convert::guard(|| {
                    self.inner
                        .inverse(j)
                        .map_err(|e| $crate::random_access::index_error(e, "value", self.inner.n()))
                })
            }

            /// Maps every element of an integer array (any shape) to a uint64 array.
            #[pyo3(signature = (values, inverse, wrap_negative, argname))]
            fn map_array<'py>(
                &self,
                py: Python<'py>,
                values: &Bound<'py, PyAny>,
                inverse: bool,
                wrap_negative: bool,
                argname: &str,
            ) -> PyResult<Bound<'py, PyAny>> {
                $crate::convert::guard(|| {
                    $crate::random_access::map_array(
                        &self.inner,
                        py,
                        values,
                        inverse,
                        wrap_negative,
                        argname,
                    )
                })
            }

            /// `order[start + j * step]` for `j` in `0..count`, in an unsigned array of `bits` bits.
            fn map_range<'py>(
                &self,
                py: Python<'py>,
                start: u64,
                step: i128,
                count: usize,
                bits: u32,
            ) -> PyResult<Bound<'py, PyAny>> {
                $crate::convert::guard(|| {
                    $crate::random_access::map_range(
                        &self.inner,
                        py,
                        start,
                        step,
                        count,
                        bits,
                        $positions,
                    )
                })
            }
        }
    };
}
