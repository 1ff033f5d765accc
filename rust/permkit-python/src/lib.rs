//! PyO3 bindings: the `permkit._native` extension module.
//!
//! Each submodule converts arguments, releases the GIL around the core kernel,
//! and maps core errors to Python exceptions naming the argument. Validation of
//! Python-level types (dtype kinds, ndim, broadcasting) happens in the typed
//! Python layer before these functions are called.

use pyo3::prelude::*;

mod algebra;
mod combinatorics;
mod convert;
mod designs;
mod index_shuffle;
mod pools;
mod random_access;
mod rng;
mod shard_shuffle;
mod shuffle;
mod stats;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    algebra::register(m)?;
    index_shuffle::register(m)?;
    stats::register(m)?;
    rng::register(m)?;
    shuffle::register(m)?;
    combinatorics::register(m)?;
    shard_shuffle::register(m)?;
    designs::register(m)?;
    m.add_function(wrap_pyfunction!(convert::_panic_for_tests, m)?)?;
    Ok(())
}
