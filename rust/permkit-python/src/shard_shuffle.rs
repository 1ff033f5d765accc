//! Bindings of `permkit::shard_shuffle`.

use crate::convert::{guard, to_pyerr, Signals};
use numpy::{PyArray1, PyReadonlyArray1};
use permkit::shard_shuffle::{ShardShuffle, DEFAULT_BLOCK_SIZE};
use pyo3::prelude::*;

/// The native shard-aware order; `permkit.ShardShuffle` validates and wraps it.
#[pyclass(frozen, module = "permkit._native", name = "ShardShuffleCore")]
pub struct ShardShuffleCore {
    inner: ShardShuffle,
}

crate::random_access_pymethods!(ShardShuffleCore, "the requested order positions", {
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
});

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ShardShuffleCore>()?;
    m.add("SHARD_DEFAULT_BLOCK_SIZE", DEFAULT_BLOCK_SIZE)?;
    Ok(())
}
