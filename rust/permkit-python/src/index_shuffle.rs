//! Bindings of `permkit::index_shuffle`, the sampler's `permkit::window_order`, the
//! data-stream constants, and the records of `permkit shuffle` (`permkit::records`).

use crate::convert::{guard, to_pyerr, Signals};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use permkit::data_streams;
use permkit::index_shuffle::{self, derive_key, IndexShuffle};
use permkit::records::{self, RecordBounds};
use permkit::window_order::{self, WindowOrder};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// The native keyed bijection; `permkit.IndexShuffle` validates and wraps it.
#[pyclass(frozen, module = "permkit._native", name = "IndexShuffleCore")]
pub struct IndexShuffleCore {
    inner: IndexShuffle,
}

crate::random_access_pymethods!(IndexShuffleCore, "the requested shuffle positions", {
    /// `rounds=None` takes `default_rounds(n)`.
    #[new]
    #[pyo3(signature = (n, key, rounds=None))]
    fn new(n: u64, key: u64, rounds: Option<u32>) -> PyResult<Self> {
        guard(|| match rounds {
            None => Ok(Self {
                inner: IndexShuffle::with_default_rounds(n, key),
            }),
            Some(rounds) => IndexShuffle::new(n, key, rounds)
                .map(|inner| Self { inner })
                .map_err(|e| to_pyerr(e, "rounds")),
        })
    }

    #[getter]
    fn rounds(&self) -> u32 {
        self.inner.rounds()
    }
});

/// The rounds `IndexShuffle` uses for `n` when the caller does not choose.
#[pyfunction]
fn index_shuffle_default_rounds(n: u64) -> PyResult<u32> {
    guard(|| Ok(index_shuffle::default_rounds(n)))
}

/// A child key `key_from_word(squares64(parent, domain << 56 | value))`.
#[pyfunction]
fn index_shuffle_derive_key(parent: u64, domain: u8, value: u64) -> PyResult<u64> {
    guard(|| derive_key(parent, domain, value).map_err(|e| to_pyerr(e, "value")))
}

/// The data sampler's window order (`permkit.data` wraps it as a random-access order).
#[pyclass(frozen, module = "permkit._native", name = "WindowOrderCore")]
pub struct WindowOrderCore {
    inner: WindowOrder,
}

crate::random_access_pymethods!(WindowOrderCore, "the requested window-order positions", {
    #[new]
    fn new(n: u64, key: u64, block: u64, blocks: u64) -> PyResult<Self> {
        guard(|| {
            WindowOrder::new(n, key, block, blocks)
                .map(|inner| Self { inner })
                .map_err(|e| to_pyerr(e, "window"))
        })
    }
});

/// ValueError naming `window` unless `WindowOrderCore(n, _, block, blocks)` accepts the shape.
#[pyfunction]
fn window_order_check(n: u64, block: u64, blocks: u64) -> PyResult<()> {
    guard(|| WindowOrder::check(n, block, blocks).map_err(|e| to_pyerr(e, "window")))
}

/// Record bounds of `data` split at `delim` (`permkit::records::RecordBounds`): record
/// `i` is `data[b[i] : b[i+1] - 1]`; a uint32 array when the bounds fit, else uint64.
#[pyfunction]
fn record_bounds<'py>(
    py: Python<'py>,
    data: PyReadonlyArray1<'py, u8>,
    delim: u8,
) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let bytes = data.as_slice()?;
        Ok(
            match py.allow_threads(|| RecordBounds::scan(bytes, delim)) {
                RecordBounds::Narrow(b) => PyArray1::from_vec(py, b).into_any(),
                RecordBounds::Wide(b) => PyArray1::from_vec(py, b).into_any(),
            },
        )
    })
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
        let order = &shuffle.inner;
        let text = if let Ok(b) = bounds.downcast::<PyArray1<u32>>() {
            let b = b.readonly();
            let b = b.as_slice()?;
            py.allow_threads(|| {
                records::gather_records(bytes, b, order, start, count, delim, &Signals)
            })
        } else if let Ok(b) = bounds.downcast::<PyArray1<u64>>() {
            let b = b.readonly();
            let b = b.as_slice()?;
            py.allow_threads(|| {
                records::gather_records(bytes, b, order, start, count, delim, &Signals)
            })
        } else {
            return Err(PyValueError::new_err(
                "bounds: expected a uint32 or uint64 array from record_bounds",
            ));
        };
        Ok(PyBytes::new(
            py,
            &text.map_err(|e| to_pyerr(e, "gather_records"))?,
        ))
    })
}

/// The text of `lo + shuffle[j]` for `j` in `start..start + count`, each followed by `delim`.
#[pyfunction]
fn range_text<'py>(
    py: Python<'py>,
    shuffle: &IndexShuffleCore,
    lo: u64,
    start: u64,
    count: usize,
    delim: u8,
) -> PyResult<Bound<'py, PyBytes>> {
    guard(|| {
        let order = &shuffle.inner;
        let text = py
            .allow_threads(|| records::range_text(order, lo, start, count, delim, &Signals))
            .map_err(|e| to_pyerr(e, "range"))?;
        Ok(PyBytes::new(py, &text))
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<IndexShuffleCore>()?;
    m.add_class::<WindowOrderCore>()?;
    m.add_function(wrap_pyfunction!(index_shuffle_derive_key, m)?)?;
    m.add_function(wrap_pyfunction!(index_shuffle_default_rounds, m)?)?;
    m.add_function(wrap_pyfunction!(window_order_check, m)?)?;
    m.add_function(wrap_pyfunction!(record_bounds, m)?)?;
    m.add_function(wrap_pyfunction!(gather_records, m)?)?;
    m.add_function(wrap_pyfunction!(range_text, m)?)?;
    m.add(
        "INDEX_SHUFFLE_DEFAULT_ROUNDS",
        index_shuffle::DEFAULT_ROUNDS,
    )?;
    m.add("INDEX_SHUFFLE_MAX_ROUNDS", index_shuffle::MAX_ROUNDS)?;
    m.add("MAX_DERIVE_VALUE", index_shuffle::MAX_DERIVE_VALUE)?;
    m.add("WINDOW_ORDER_MAX_N", window_order::MAX_N)?;
    m.add("DOMAIN_EPOCH", data_streams::DOMAIN_EPOCH)?;
    m.add("DOMAIN_BLOCKS", data_streams::DOMAIN_BLOCKS)?;
    m.add("DOMAIN_WINDOW", data_streams::DOMAIN_WINDOW)?;
    m.add("DOMAIN_REPLACEMENT", data_streams::DOMAIN_REPLACEMENT)?;
    m.add("DOMAIN_BUFFER", data_streams::DOMAIN_BUFFER)?;
    m.add("DOMAIN_BUFFER_CHUNK", data_streams::DOMAIN_BUFFER_CHUNK)?;
    m.add("DOMAIN_BUFFER_DRAIN", data_streams::DOMAIN_BUFFER_DRAIN)?;
    m.add("DRAW_CHUNK", data_streams::DRAW_CHUNK)?;
    Ok(())
}
