//! Bindings of `permkit::algebra`.

use crate::convert::{rows_and_len, to_pyerr};
use crate::with_int_array;
use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// inverse(p) -> ndarray: the inverse of each permutation along the last axis.
#[pyfunction]
fn inverse<'py>(py: Python<'py>, p: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    with_int_array!(p, "p", |arr: T| {
        let (_, n) = rows_and_len(arr.shape(), "p")?;
        let src = arr.readonly();
        let out = unsafe { PyArrayDyn::<T>::new(py, arr.shape(), false) };
        {
            let mut dst = out.readwrite();
            let src = src.as_slice()?;
            let dst = dst.as_slice_mut()?;
            py.allow_threads(|| permkit::algebra::inverse_rows(src, n, dst)).map_err(|e| to_pyerr(e, "p"))?;
        }
        Ok(out.into_any())
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(inverse, m)?)?;
    Ok(())
}
