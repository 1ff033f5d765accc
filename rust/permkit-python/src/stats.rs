//! Bindings of `permkit::exact`: exact / Monte Carlo tallies of built-in
//! statistics and gather-index batches for Python statistics. Plans arrive as
//! typed Python objects (frozen dataclasses of `permkit.stats._kernel`) whose
//! attributes are extracted here; names are parsed by the core's `FromStr`.

use crate::convert::{guard, to_pyerr, Signals};
use crate::pools::in_pool;
use num_bigint::{BigInt, BigUint};
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use permkit::exact::blocks::{key_distribution, BlockKey};
use permkit::exact::welch::SignedRoot;
use permkit::exact::{
    check_full_null, check_rows, relabel_rows, shift, tally, Collect, Deviation, Outcome,
    PermutationType, Problem, Rule, Source,
};
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use std::str::FromStr;

/// `value` parsed by the core's `FromStr`, errors naming `arg`.
pub(crate) fn parse<T: FromStr<Err = permkit::Error>>(value: &str, arg: &str) -> PyResult<T> {
    value.parse().map_err(|e| to_pyerr(e, arg))
}

/// A typed plan read from the attributes of a Python object. pyo3 reports a
/// field it cannot convert as a TypeError caused by the conversion's error; a
/// value too wide for the core's integers raises that OverflowError itself
/// (callers fall back to float arithmetic on it).
pub(crate) fn extract_plan<'py, T: FromPyObject<'py>>(obj: &Bound<'py, PyAny>) -> PyResult<T> {
    obj.extract().map_err(|err| {
        let py = obj.py();
        let mut innermost = err.clone_ref(py);
        while let Some(cause) = innermost.cause(py) {
            innermost = cause;
        }
        if innermost.is_instance_of::<PyOverflowError>(py) {
            innermost
        } else {
            err
        }
    })
}

/// `permkit.stats._kernel.Thresholds`: the p-value rule on the key.
#[derive(FromPyObject)]
pub(crate) struct Thresholds {
    ge: i128,
    le: i128,
    deviation: Option<(i128, i128, i128, i128)>,
}

impl From<Thresholds> for Rule {
    fn from(t: Thresholds) -> Rule {
        Rule {
            ge: t.ge,
            le: t.le,
            deviation: t
                .deviation
                .map(|(scale, center, at_least, above)| Deviation {
                    scale,
                    center,
                    at_least,
                    above,
                }),
        }
    }
}

/// `permkit.stats._kernel.KeyPlan`: a built-in statistic's key on integer scores.
#[derive(FromPyObject)]
struct KeyPlan {
    permutation_type: String,
    scores: Vec<i128>,
    sizes: Vec<usize>,
    weights: Option<Vec<i128>>,
    partner: Option<Vec<i128>>,
    rule: Thresholds,
}

/// The (total, ge, le, dev_ge, dev_gt) counts of a tally.
type TallyCounts = (u64, u64, u64, u64, u64);

/// exact_tally(plan, start, stop, mc_key, collect, workers)
/// -> ((total, ge, le, dev_ge, dev_gt), histogram | keys | None)
#[pyfunction]
#[pyo3(signature = (plan, start, stop, mc_key, collect, workers))]
fn exact_tally(
    py: Python<'_>,
    plan: &Bound<'_, PyAny>,
    start: u128,
    stop: u128,
    mc_key: Option<u64>,
    collect: &str,
    workers: Option<usize>,
) -> PyResult<(TallyCounts, PyObject)> {
    guard(|| {
        let plan: KeyPlan = extract_plan(plan)?;
        let permutation_type: PermutationType = parse(&plan.permutation_type, "permutation_type")?;
        let problem = Problem {
            design: permutation_type
                .design(plan.sizes, plan.weights, plan.partner)
                .map_err(|e| to_pyerr(e, "plan"))?,
            scores: plan.scores,
        };
        let rule = Rule::from(plan.rule);
        let collect: Collect = parse(collect, "null_distribution")?;
        if collect == Collect::Full {
            check_full_null(stop.saturating_sub(start))
                .map_err(|e| to_pyerr(e, "null_distribution"))?;
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

/// A count of any size from Python: the u64 conversion is direct, the
/// big-integer one (abi3) goes through Python calls, so it comes second.
#[derive(FromPyObject)]
enum Count {
    Word(u64),
    Big(BigUint),
}

impl From<Count> for BigUint {
    fn from(count: Count) -> BigUint {
        match count {
            Count::Word(w) => BigUint::from(w),
            Count::Big(b) => b,
        }
    }
}

/// A count of any size as a Python int, directly when it fits in a u64.
fn count_to_py(py: Python<'_>, count: BigUint) -> PyResult<PyObject> {
    Ok(match u64::try_from(&count) {
        Ok(word) => word.into_pyobject(py)?.into_any().unbind(),
        Err(_) => count.into_pyobject(py)?.into_any().unbind(),
    })
}

/// law_tally(law, rule) -> (total, ge, le, dev_ge, dev_gt) of a distribution [(K, count)].
#[pyfunction]
fn law_tally(
    py: Python<'_>,
    law: Vec<(i128, Count)>,
    rule: &Bound<'_, PyAny>,
) -> PyResult<(PyObject, PyObject, PyObject, PyObject, PyObject)> {
    guard(|| {
        let law: Vec<(i128, BigUint)> = law.into_iter().map(|(k, c)| (k, c.into())).collect();
        let t = Rule::from(extract_plan::<Thresholds>(rule)?)
            .record_law(&law)
            .map_err(|e| to_pyerr(e, "data"))?;
        Ok((
            count_to_py(py, t.total)?,
            count_to_py(py, t.ge)?,
            count_to_py(py, t.le)?,
            count_to_py(py, t.dev_ge)?,
            count_to_py(py, t.dev_gt)?,
        ))
    })
}

/// relabellings(permutation_type, sizes) -> the number of relabellings (any size).
#[pyfunction]
fn relabellings(py: Python<'_>, permutation_type: &str, sizes: Vec<usize>) -> PyResult<PyObject> {
    guard(|| {
        let permutation_type: PermutationType = parse(permutation_type, "permutation_type")?;
        let count = permutation_type
            .count(&sizes, &Signals)
            .map_err(|e| to_pyerr(e, "data"))?;
        count_to_py(py, count)
    })
}

/// relabel_indices(permutation_type, sizes, start, count, mc_key)
/// -> uint32 array (count, m) of gather indices.
#[pyfunction]
#[pyo3(signature = (permutation_type, sizes, start, count, mc_key))]
fn relabel_indices<'py>(
    py: Python<'py>,
    permutation_type: &str,
    sizes: Vec<usize>,
    start: u128,
    count: usize,
    mc_key: Option<u64>,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    guard(|| {
        let permutation_type: PermutationType = parse(permutation_type, "permutation_type")?;
        let shape = permutation_type.rows(sizes);
        let m = shape.row_len();
        check_rows(m, count).map_err(|e| to_pyerr(e, "batch"))?;
        let mut buf = vec![0u32; m * count];
        py.allow_threads(|| relabel_rows(&shape, start, count, mc_key, &mut buf))
            .map_err(|e| to_pyerr(e, "batch"))?;
        let arr = PyArray1::from_vec(py, buf);
        arr.reshape([count, m])
    })
}

/// `permkit.stats._kernel.WelchPlan`: Welch t on integer scores against thresholds
/// given as (sign, num, den) = sign * sqrt(num / den).
#[derive(FromPyObject)]
struct WelchPlan {
    scores: Vec<i128>,
    n1: usize,
    low: (i8, BigInt, BigInt),
    high: (i8, BigInt, BigInt),
}

fn signed_root((sign, num, den): (i8, BigInt, BigInt)) -> SignedRoot {
    SignedRoot { sign, num, den }
}

/// welch_tally(plan, start, stop, workers) -> (total, ge, le), classified exactly.
#[pyfunction]
#[pyo3(signature = (plan, start, stop, workers))]
fn welch_tally(
    py: Python<'_>,
    plan: &Bound<'_, PyAny>,
    start: u128,
    stop: u128,
    workers: Option<usize>,
) -> PyResult<(u64, u64, u64)> {
    guard(|| {
        use permkit::exact::welch::tally as welch;
        let plan: WelchPlan = extract_plan(plan)?;
        let (low, high) = (signed_root(plan.low), signed_root(plan.high));
        let scores = plan.scores;
        let t = py
            .allow_threads(|| {
                in_pool(workers, || {
                    welch(&scores, plan.n1, &low, &high, start..stop, &Signals)
                })
            })?
            .map_err(|e| to_pyerr(e, "data"))?;
        Ok((t.total, t.ge, t.le))
    })
}

/// shift_distribution(permutation_type, scores, n1) -> [(K, count)]: exact distribution
/// of the key by the shift algorithm ("independent": group-1 sum; "samples": signed sum).
#[pyfunction]
fn shift_distribution(
    py: Python<'_>,
    permutation_type: &str,
    scores: Vec<i128>,
    n1: usize,
) -> PyResult<Vec<(i128, BigUint)>> {
    guard(|| {
        let permutation_type: PermutationType = parse(permutation_type, "permutation_type")?;
        let run = || match permutation_type {
            PermutationType::Independent => shift::two_sample(&scores, n1, &Signals),
            PermutationType::Samples => shift::sign_flip(&scores, &Signals),
            PermutationType::Pairings => Err(permkit::Error::InvalidValue(
                "no shift algorithm for 'pairings'".into(),
            )),
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

/// shift_table_words(permutation_type, scores, n1) -> u64 words of the shift table
/// (None: too many, or no shift algorithm).
#[pyfunction]
fn shift_table_words(
    permutation_type: &str,
    scores: Vec<i128>,
    n1: usize,
) -> PyResult<Option<u128>> {
    guard(|| {
        let permutation_type: PermutationType = parse(permutation_type, "permutation_type")?;
        Ok(match permutation_type {
            PermutationType::Independent => shift::two_sample_words(&scores, n1),
            PermutationType::Samples => shift::sign_flip_words(&scores),
            PermutationType::Pairings => None,
        })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(exact_tally, m)?)?;
    m.add_function(wrap_pyfunction!(law_tally, m)?)?;
    m.add_function(wrap_pyfunction!(relabellings, m)?)?;
    m.add_function(wrap_pyfunction!(relabel_indices, m)?)?;
    m.add_function(wrap_pyfunction!(shift_distribution, m)?)?;
    m.add_function(wrap_pyfunction!(welch_tally, m)?)?;
    m.add_function(wrap_pyfunction!(shift_table_words, m)?)?;
    m.add_function(wrap_pyfunction!(block_key_distribution, m)?)?;
    m.add("SHIFT_MAX_WORDS", shift::MAX_TABLE_WORDS)?;
    m.add("EXACT_CHUNK", permkit::exact::CHUNK)?;
    m.add("FULL_NULL_MAX_BYTES", permkit::exact::FULL_NULL_MAX_BYTES)?;
    m.add(
        "FULL_NULL_VALUE_BYTES",
        permkit::exact::FULL_NULL_VALUE_BYTES,
    )?;
    Ok(())
}
