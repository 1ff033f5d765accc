//! Bindings of `permkit::shard_shuffle`.

use crate::convert::{guard, to_pyerr, Signals};
use crate::random_access::{self, index_error};
use numpy::{PyArray1, PyReadonlyArray1};
use permkit::shard_shuffle::{ShardShuffle, DEFAULT_BLOCK_SIZE};
use pyo3::prelude::*;

/// The native shard-aware order; `permkit.ShardShuffle` validates and wraps it.
#[pyclass(frozen, module = "permkit._native", name = "ShardShuffleCore")]
pub struct ShardShuffleCore {
    inner: ShardShuffle,
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
        guard(|| random_access::map_array(&self.inner, py, values, inverse, wrap_negative, argname))
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
            random_access::map_range(
                &self.inner,
                py,
                start,
                step,
                count,
                bits,
                "the requested order positions",
            )
        })
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ShardShuffleCore>()?;
    m.add("SHARD_DEFAULT_BLOCK_SIZE", DEFAULT_BLOCK_SIZE)?;
    Ok(())
}
