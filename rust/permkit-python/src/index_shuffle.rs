//! Bindings of `permkit::index_shuffle` and the record gathering of `permkit shuffle`.

use crate::convert::{guard, to_pyerr, Signals};
use crate::random_access;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use permkit::index_shuffle::{derive_key, IndexShuffle};
use permkit::random_access::RandomAccess;
use permkit::rng::keys::key_from_word;
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// The native keyed bijection; `permkit.IndexShuffle` validates and wraps it.
#[pyclass(frozen, module = "permkit._native", name = "IndexShuffleCore")]
pub struct IndexShuffleCore {
    inner: IndexShuffle,
}

fn index_error(err: permkit::Error, arg: &str, n: u64) -> PyErr {
    match err {
        permkit::Error::OutOfRange { index, value, .. } => {
            let range = if n == 0 {
                "an empty shuffle has no positions".to_string()
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

#[pymethods]
impl IndexShuffleCore {
    #[new]
    fn new(n: u64, key: u64, rounds: u32) -> PyResult<Self> {
        guard(|| {
            IndexShuffle::new(n, key, rounds)
                .map(|inner| Self { inner })
                .map_err(|e| to_pyerr(e, "rounds"))
        })
    }

    #[getter]
    fn n(&self) -> u64 {
        self.inner.n()
    }
    #[getter]
    fn key(&self) -> u64 {
        self.inner.key()
    }
    #[getter]
    fn rounds(&self) -> u32 {
        self.inner.rounds()
    }
    #[getter]
    fn domain_bits(&self) -> u32 {
        self.inner.domain_bits()
    }

    fn forward(&self, i: u64) -> PyResult<u64> {
        guard(|| {
            self.inner
                .forward(i)
                .map_err(|e| index_error(e, "index", self.inner.n()))
        })
    }

    fn inverse(&self, j: u64) -> PyResult<u64> {
        guard(|| {
            self.inner
                .inverse(j)
                .map_err(|e| index_error(e, "value", self.inner.n()))
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
        guard(|| {
            random_access::map_array(
                &self.inner,
                py,
                values,
                inverse,
                wrap_negative,
                argname,
                index_error,
            )
        })
    }

    /// `s[start + j * step]` for `j` in `0..count`, in an unsigned array of `bits` bits.
    fn map_range<'py>(
        &self,
        py: Python<'py>,
        start: u64,
        step: i128,
        count: usize,
        bits: u32,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            random_access::map_range(
                &self.inner,
                py,
                start,
                step,
                count,
                bits,
                "the requested shuffle positions",
            )
        })
    }
}

/// A Squares key from a 64-bit seed word (rng::keys::key_from_word, v1).
#[pyfunction]
fn index_shuffle_key(word: u64) -> PyResult<u64> {
    guard(|| Ok(key_from_word(word)))
}

/// The rounds `IndexShuffle` uses for `n` when the caller does not choose.
#[pyfunction]
fn index_shuffle_default_rounds(n: u64) -> PyResult<u32> {
    guard(|| Ok(permkit::index_shuffle::default_rounds(n)))
}

/// A child key `key_from_word(squares64(parent, domain << 56 | value))`.
#[pyfunction]
fn index_shuffle_derive_key(parent: u64, domain: u8, value: u64) -> PyResult<u64> {
    guard(|| derive_key(parent, domain, value).map_err(|e| to_pyerr(e, "value")))
}

/// Record bounds of `data` split at `delim`: record `i` is `data[b[i] : b[i+1] - 1]`.
/// A last record without a terminator gets a virtual one (`b[-1] = len(data) + 1`).
/// The bounds are `uint32` when they fit (half the memory per line), else `uint64`.
#[pyfunction]
fn record_bounds<'py>(
    py: Python<'py>,
    data: PyReadonlyArray1<'py, u8>,
    delim: u8,
) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let bytes = data.as_slice()?;
        if (bytes.len() as u64) < u32::MAX as u64 {
            let bounds = py.allow_threads(|| scan_bounds(bytes, delim, |v| v as u32));
            Ok(PyArray1::from_vec(py, bounds).into_any())
        } else {
            let bounds = py.allow_threads(|| scan_bounds(bytes, delim, |v| v));
            Ok(PyArray1::from_vec(py, bounds).into_any())
        }
    })
}

fn scan_bounds<T>(bytes: &[u8], delim: u8, cast: impl Fn(u64) -> T) -> Vec<T> {
    let mut bounds = vec![cast(0)];
    for (i, &b) in bytes.iter().enumerate() {
        if b == delim {
            bounds.push(cast(i as u64 + 1));
        }
    }
    if bytes.last().is_some_and(|&b| b != delim) {
        bounds.push(cast(bytes.len() as u64 + 1));
    }
    bounds
}

/// The records at shuffled positions `start..start + count`, each followed by `delim`.
#[pyfunction]
fn gather_records<'py>(
    py: Python<'py>,
    data: PyReadonlyArray1<'py, u8>,
    bounds: &Bound<'py, PyAny>,
    shuffle: &IndexShuffleCore,
    start: u64,
    count: usize,
    delim: u8,
) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| {
        let bytes = data.as_slice()?;
        if let Ok(b) = bounds.downcast::<PyArray1<u32>>() {
            let b = b.readonly();
            gather(py, bytes, b.as_slice()?, shuffle, start, count, delim)
        } else if let Ok(b) = bounds.downcast::<PyArray1<u64>>() {
            let b = b.readonly();
            gather(py, bytes, b.as_slice()?, shuffle, start, count, delim)
        } else {
            Err(PyValueError::new_err(
                "bounds: expected a uint32 or uint64 array from record_bounds",
            ))
        }
    })
}

fn gather<'py, T: permkit::PermIndex>(
    py: Python<'py>,
    bytes: &[u8],
    bounds: &[T],
    shuffle: &IndexShuffleCore,
    start: u64,
    count: usize,
    delim: u8,
) -> PyResult<Bound<'py, PyBytes>> {
    let records = bounds.len().saturating_sub(1) as u64;
    if shuffle.inner.n() != records
        || start
            .checked_add(count as u64)
            .map_or(true, |end| end > records)
    {
        return Err(PyValueError::new_err(
            "gather_records: shuffle size and bounds disagree",
        ));
    }
    let mut order = vec![0u64; count];
    let inner = &shuffle.inner;
    py.allow_threads(|| inner.map_range(start, 1, &mut order, &Signals))
        .map_err(|e| to_pyerr(e, "range"))?;
    let mut out = Vec::new();
    for &r in &order {
        let (a, b) = (
            bounds[r as usize].to_usize(),
            bounds[r as usize + 1].to_usize().saturating_sub(1),
        );
        let record = bytes
            .get(a..b)
            .ok_or_else(|| PyValueError::new_err("gather_records: bounds outside the data"))?;
        out.extend_from_slice(record);
        out.push(delim);
    }
    Ok(PyBytes::new(py, &out))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<IndexShuffleCore>()?;
    m.add_function(wrap_pyfunction!(index_shuffle_key, m)?)?;
    m.add_function(wrap_pyfunction!(index_shuffle_derive_key, m)?)?;
    m.add_function(wrap_pyfunction!(index_shuffle_default_rounds, m)?)?;
    m.add_function(wrap_pyfunction!(record_bounds, m)?)?;
    m.add_function(wrap_pyfunction!(gather_records, m)?)?;
    Ok(())
}
