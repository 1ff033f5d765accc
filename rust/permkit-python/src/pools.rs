//! Rayon pools for the bindings that take `workers`: one pool per thread
//! count, built on first use and kept (building a pool starts threads).
//! A forked child (a `ProcessPoolExecutor` worker) inherits the map but not
//! the threads, so pools are kept per process id.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Default)]
struct Pools {
    pid: u32,
    by_workers: HashMap<usize, Arc<ThreadPool>>,
}

fn pool(workers: usize) -> PyResult<Arc<ThreadPool>> {
    static POOLS: OnceLock<Mutex<Pools>> = OnceLock::new();
    let mut guard = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    if guard.pid != pid {
        // Inherited from the parent through fork: their threads do not exist here, so
        // they are neither used nor dropped (dropping would signal threads that are gone).
        std::mem::forget(std::mem::take(&mut guard.by_workers));
        guard.pid = pid;
    }
    let pools = &mut guard.by_workers;
    if let Some(pool) = pools.get(&workers) {
        return Ok(Arc::clone(pool));
    }
    let pool = ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|e| {
            PyValueError::new_err(format!("workers: cannot start {workers} threads ({e})"))
        })?;
    let pool = Arc::new(pool);
    pools.insert(workers, Arc::clone(&pool));
    Ok(pool)
}

/// Runs `f` on `workers` threads (None: rayon's global pool).
pub fn in_pool<T: Send>(workers: Option<usize>, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    match workers {
        None => Ok(f()),
        Some(0) => Err(PyValueError::new_err(
            "workers: must be a positive integer or None",
        )),
        Some(w) => Ok(pool(w)?.install(f)),
    }
}
