//! Bindings of `permkit::shard_shuffle`.

use crate::convert::{empty_array, guard, memory_error, to_pyerr, Signals};
use crate::with_int_array;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use permkit::shard_shuffle::ShardShuffle;
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;

/// The native shard-aware order; `permkit.ShardShuffle` validates and wraps it.
#[pyclass(frozen, module = "permkit._native", name = "ShardShuffleCore")]
pub struct ShardShuffleCore {
    inner: ShardShuffle,
}

fn index_error(err: permkit::Error, arg: &str, n: u64) -> PyErr {
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

#[pymethods]
impl ShardShuffleCore {
    #[new]
    fn new(
        py: Python<'_>,
        shard_sizes: PyReadonlyArray1<'_, u64>,
        key: u64,
        block_size: u64,
    ) -> PyResult<Self> {
        guard(|| {
            let sizes = shard_sizes.as_slice()?;
            py.allow_threads(|| ShardShuffle::new(sizes, key, block_size, &Signals))
                .map(|inner| Self { inner })
                .map_err(|e| to_pyerr(e, "shard_sizes"))
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
    fn block_size(&self) -> u64 {
        self.inner.block_size()
    }
    #[getter]
    fn num_shards(&self) -> u64 {
        self.inner.num_shards()
    }
    #[getter]
    fn num_blocks(&self) -> u64 {
        self.inner.num_blocks()
    }
    #[getter]
    fn max_block_shards(&self) -> u64 {
        self.inner.max_block_shards()
    }
    #[getter]
    fn memory_bytes(&self) -> u64 {
        self.inner.memory_bytes()
    }

    fn shard_sizes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<u64>>> {
        guard(|| Ok(PyArray1::from_vec(py, self.inner.shard_sizes())))
    }

    #[getter]
    fn num_cells(&self) -> u64 {
        self.inner.num_cells()
    }
    #[getter]
    fn max_window_shards(&self) -> u64 {
        self.inner.max_window_shards()
    }

    /// The first position of every block, plus `n` (uint64).
    fn block_starts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<u64>>> {
        guard(|| Ok(PyArray1::from_slice(py, self.inner.block_starts())))
    }

    /// The first virtual position of every cell, plus `n` (uint64).
    fn cell_starts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<u64>>> {
        guard(|| Ok(PyArray1::from_slice(py, self.inner.cells().0)))
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
            with_int_array!(values, argname, |arr: T| {
                let src: numpy::PyReadonlyArrayDyn<'py, T> = arr.readonly();
                let out = empty_array::<u64>(py, arr.shape())?;
                {
                    let mut dst = out.readwrite();
                    let src = src.as_slice()?;
                    let dst = dst.as_slice_mut()?;
                    let inner = &self.inner;
                    py.allow_threads(|| {
                        inner.map_values(src, dst, inverse, wrap_negative, &Signals)
                    })
                    .map_err(|e| index_error(e, argname, inner.n()))?;
                }
                Ok(out.into_any())
            })
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
        guard(|| {
            let bytes = count as u128 * (bits as u128 / 8);
            if bytes > (isize::MAX as u128) / 2 {
                return Err(memory_error("the requested order positions", bytes));
            }
            macro_rules! run {
                ($t:ty) => {{
                    let out = empty_array::<$t>(py, &[count])?;
                    {
                        let mut dst = out.readwrite();
                        let dst = dst.as_slice_mut()?;
                        let inner = &self.inner;
                        py.allow_threads(|| inner.map_range(start, step, dst, &Signals))
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
        })
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ShardShuffleCore>()?;
    Ok(())
}
