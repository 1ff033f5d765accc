//! Bindings of `permkit::exact`: exact / Monte Carlo tallies of built-in
//! statistics and gather-index batches for Python statistics.

use crate::convert::{guard, memory_error, to_pyerr, Signals};
use num_bigint::{BigInt, BigUint};
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use permkit::exact::blocks::{key_distribution, BlockKey};
use permkit::exact::{
    relabel_rows, tally, Collect, Design, Deviation, Outcome, Problem, Rule, Shape, Source,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn design(
    kind: &str,
    sizes: Vec<usize>,
    weights: Vec<i128>,
    partner: Vec<i128>,
) -> PyResult<Design> {
    Ok(match kind {
        "two_sample" => Design::IndependentTwo {
            n1: sizes.first().copied().unwrap_or(0),
        },
        "k_sample" => Design::IndependentMany { sizes, weights },
        "sign_flip" => Design::Samples,
        "pairing" => Design::Pairings { partner },
        _ => return Err(PyValueError::new_err(format!("design: unknown {kind:?}"))),
    })
}

pub(crate) fn in_pool<T: Send>(
    workers: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    match workers {
        None => Ok(f()),
        Some(0) => Err(PyValueError::new_err(
            "workers: must be a positive integer or None",
        )),
        Some(w) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(w)
                .build()
                .map_err(|e| {
                    PyValueError::new_err(format!("workers: cannot start {w} threads ({e})"))
                })?;
            Ok(pool.install(f))
        }
    }
}

/// The (total, ge, le, dev_ge, dev_gt) counts of a tally.
type TallyCounts = (u64, u64, u64, u64, u64);

/// tally(...) -> ((total, ge, le, dev_ge, dev_gt), histogram | keys | None)
#[pyfunction]
#[pyo3(signature = (kind, scores, sizes, weights, partner, ge, le, deviation, start, stop, mc_key, collect, workers))]
#[allow(clippy::too_many_arguments)]
fn exact_tally<'py>(
    py: Python<'py>,
    kind: &str,
    scores: Vec<i128>,
    sizes: Vec<usize>,
    weights: Vec<i128>,
    partner: Vec<i128>,
    ge: i128,
    le: i128,
    deviation: Option<(i128, i128, i128, i128)>,
    start: u128,
    stop: u128,
    mc_key: Option<u64>,
    collect: &str,
    workers: Option<usize>,
) -> PyResult<(TallyCounts, PyObject)> {
    guard(|| {
        let problem = Problem {
            design: design(kind, sizes, weights, partner)?,
            scores,
        };
        let rule = Rule {
            ge,
            le,
            deviation: deviation.map(|(scale, center, at_least, above)| Deviation {
                scale,
                center,
                at_least,
                above,
            }),
        };
        let collect = match collect {
            "none" => Collect::Nothing,
            "histogram" => Collect::Histogram,
            "full" => Collect::Full,
            _ => {
                return Err(PyValueError::new_err(
                    "null_distribution: expected None, 'full' or 'histogram'",
                ))
            }
        };
        if collect == Collect::Full {
            let bytes = stop.saturating_sub(start).saturating_mul(16);
            if bytes > 8 << 30 {
                return Err(memory_error("null_distribution='full'", bytes));
            }
        }
        let source = match mc_key {
            Some(key) => Source::MonteCarlo { key },
            None => Source::Exact,
        };
        let out: Outcome = py
            .allow_threads(|| {
                in_pool(workers, || {
                    tally(&problem, &rule, source, start..stop, collect, &Signals)
                })
            })?
            .map_err(|e| to_pyerr(e, "data"))?;
        let t = out.tally;
        let extra: PyObject = match collect {
            Collect::Nothing => py.None(),
            Collect::Histogram => {
                let pairs: Vec<(i128, u64)> = out.histogram.into_iter().collect();
                pairs.into_pyobject(py)?.into_any().unbind()
            }
            Collect::Full => {
                let keys: Vec<f64> = out.keys.iter().map(|&k| k as f64).collect();
                PyArray1::from_vec(py, keys).into_any().unbind()
            }
        };
        Ok(((t.total, t.ge, t.le, t.dev_ge, t.dev_gt), extra))
    })
}

/// relabel_rows(kind, sizes, start, count, mc_key) -> uint32 array (count, m) of gather indices.
#[pyfunction]
#[pyo3(signature = (kind, sizes, start, count, mc_key))]
fn relabel_indices<'py>(
    py: Python<'py>,
    kind: &str,
    sizes: Vec<usize>,
    start: u128,
    count: usize,
    mc_key: Option<u64>,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    guard(|| {
        let shape = match kind {
            "independent" => Shape::Independent { sizes },
            "paired" => Shape::Samples {
                n: sizes.first().copied().unwrap_or(0),
            },
            "pairings" => Shape::Pairings {
                n: sizes.first().copied().unwrap_or(0),
                samples: sizes.len().clamp(1, 2),
            },
            "all_pairings" => Shape::PairingsMany {
                n: sizes.first().copied().unwrap_or(0),
                samples: sizes.len(),
            },
            "blocks" => Shape::SamplesMany {
                n: sizes.first().copied().unwrap_or(0),
                samples: sizes.len(),
            },
            _ => return Err(PyValueError::new_err(format!("kind: unknown {kind:?}"))),
        };
        let m = shape.row_len();
        let bytes = (m as u128) * (count as u128) * 4;
        if bytes > 4 << 30 {
            return Err(memory_error("batch", bytes));
        }
        let mut buf = vec![0u32; m * count];
        py.allow_threads(|| relabel_rows(&shape, start, count, mc_key, &mut buf))
            .map_err(|e| to_pyerr(e, "batch"))?;
        let arr = PyArray1::from_vec(py, buf);
        arr.reshape([count, m])
    })
}

/// welch_tally(scores, n1, low, high, start, stop, workers) -> (total, ge, le): Welch t
/// against thresholds given as (sign, num, den) = sign * sqrt(num / den), classified exactly.
#[pyfunction]
#[pyo3(signature = (scores, n1, low, high, start, stop, workers))]
#[allow(clippy::too_many_arguments)]
fn welch_tally(
    py: Python<'_>,
    scores: Vec<i128>,
    n1: usize,
    low: (i8, BigInt, BigInt),
    high: (i8, BigInt, BigInt),
    start: u128,
    stop: u128,
    workers: Option<usize>,
) -> PyResult<(u64, u64, u64)> {
    guard(|| {
        use permkit::exact::welch::{tally as welch, SignedRoot};
        let low = SignedRoot {
            sign: low.0,
            num: low.1,
            den: low.2,
        };
        let high = SignedRoot {
            sign: high.0,
            num: high.1,
            den: high.2,
        };
        let t = py
            .allow_threads(|| {
                in_pool(workers, || {
                    welch(&scores, n1, &low, &high, start..stop, &Signals)
                })
            })?
            .map_err(|e| to_pyerr(e, "data"))?;
        Ok((t.total, t.ge, t.le))
    })
}

/// shift_distribution(kind, scores, n1) -> [(K, count)]: exact distribution of the
/// key by the shift algorithm ("two_sample": group-1 sum; "sign_flip": signed sum).
#[pyfunction]
fn shift_distribution(
    py: Python<'_>,
    kind: &str,
    scores: Vec<i128>,
    n1: usize,
) -> PyResult<Vec<(i128, BigUint)>> {
    guard(|| {
        let run = || match kind {
            "two_sample" => permkit::exact::shift::two_sample(&scores, n1, &Signals),
            "sign_flip" => permkit::exact::shift::sign_flip(&scores, &Signals),
            _ => Err(permkit::Error::InvalidValue(format!(
                "unknown design {kind:?}"
            ))),
        };
        py.allow_threads(run).map_err(|e| to_pyerr(e, "data"))
    })
}

/// block_key_distribution(blocks, weights, max_work) -> [(K, count)] or None: exact
/// distribution of K = sum_j weights[j] R_j (weights given) or sum_j R_j^2 (weights None)
/// over the within-block relabellings of `blocks` (n rows of k scores); None when too large.
#[pyfunction]
#[pyo3(signature = (blocks, weights, max_work))]
fn block_key_distribution(
    py: Python<'_>,
    blocks: Vec<Vec<i128>>,
    weights: Option<Vec<i128>>,
    max_work: u64,
) -> PyResult<Option<Vec<(i128, u128)>>> {
    guard(|| {
        let key = match weights {
            Some(w) => BlockKey::Linear(w),
            None => BlockKey::SumOfSquares,
        };
        py.allow_threads(|| key_distribution(&blocks, &key, max_work, &Signals))
            .map_err(|e| to_pyerr(e, "data"))
    })
}

/// shift_table_words(kind, scores, n1) -> u64 words of the shift table (None: too many).
#[pyfunction]
fn shift_table_words(kind: &str, scores: Vec<i128>, n1: usize) -> PyResult<Option<u128>> {
    guard(|| {
        Ok({
            match kind {
                "two_sample" => permkit::exact::shift::two_sample_words(&scores, n1),
                "sign_flip" => permkit::exact::shift::sign_flip_words(&scores),
                _ => None,
            }
        })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(exact_tally, m)?)?;
    m.add_function(wrap_pyfunction!(relabel_indices, m)?)?;
    m.add_function(wrap_pyfunction!(shift_distribution, m)?)?;
    m.add_function(wrap_pyfunction!(welch_tally, m)?)?;
    m.add_function(wrap_pyfunction!(shift_table_words, m)?)?;
    m.add_function(wrap_pyfunction!(block_key_distribution, m)?)?;
    Ok(())
}
