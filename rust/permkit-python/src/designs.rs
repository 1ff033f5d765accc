//! Bindings of the designs beyond scipy: Fisher's exact test on contingency
//! tables, stratified two-sample laws, Westfall-Young max-T, and the order
//! statistics behind Hodges-Lehmann intervals (`permkit::exact::{contingency,
//! strata, maxt, location}`).

use crate::convert::{guard, to_pyerr, Signals};
use crate::pools::in_pool;
use crate::stats::{extract_plan, parse, Thresholds};
use num_bigint::BigUint;
use numpy::{PyArray1, PyReadonlyArray2};
use permkit::exact::strata::Stratum;
use permkit::exact::{contingency, location, maxt, strata, Rule};
use pyo3::prelude::*;

/// fisher_2x2(a, b, c, d) -> (less, greater, two_sided) p-values of [[a, b], [c, d]].
#[pyfunction]
fn fisher_2x2(py: Python<'_>, a: u64, b: u64, c: u64, d: u64) -> PyResult<(f64, f64, f64)> {
    guard(|| {
        py.allow_threads(|| contingency::fisher_2x2(a, b, c, d))
            .map_err(|e| to_pyerr(e, "table"))
    })
}

/// fisher_rxc(counts, cols) -> (probability of the table, exact p-value).
#[pyfunction]
fn fisher_rxc(py: Python<'_>, counts: Vec<u64>, cols: usize) -> PyResult<(f64, f64)> {
    guard(|| {
        let out = py
            .allow_threads(|| contingency::fisher_rxc(&counts, cols, &Signals))
            .map_err(|e| to_pyerr(e, "table"))?;
        Ok((out.probability, out.pvalue))
    })
}

fn strata_of(strata: Vec<(Vec<i128>, usize)>) -> Vec<Stratum> {
    strata
        .into_iter()
        .map(|(scores, n1)| Stratum { scores, n1 })
        .collect()
}

/// strata_distribution([(scores, n1), ...]) -> [(K, count)]: exact law of the pooled group-1 sum.
#[pyfunction]
fn strata_distribution(
    py: Python<'_>,
    strata: Vec<(Vec<i128>, usize)>,
) -> PyResult<Vec<(i128, BigUint)>> {
    guard(|| {
        let strata = strata_of(strata);
        py.allow_threads(|| strata::distribution(&strata, &Signals))
            .map_err(|e| to_pyerr(e, "strata"))
    })
}

/// strata_monte_carlo(strata, rule, mc_key, runs, workers) -> (total, ge, le, dev_ge, dev_gt).
#[pyfunction]
#[pyo3(signature = (strata, rule, mc_key, runs, workers))]
fn strata_monte_carlo(
    py: Python<'_>,
    strata: Vec<(Vec<i128>, usize)>,
    rule: &Bound<'_, PyAny>,
    mc_key: u64,
    runs: u64,
    workers: Option<usize>,
) -> PyResult<(u64, u64, u64, u64, u64)> {
    guard(|| {
        let strata = strata_of(strata);
        let rule = Rule::from(extract_plan::<Thresholds>(rule)?);
        let t = py
            .allow_threads(|| {
                in_pool(workers, || {
                    strata::monte_carlo(&strata, &rule, mc_key, runs, &Signals)
                })
            })?
            .map_err(|e| to_pyerr(e, "strata"))?;
        Ok((t.total, t.ge, t.le, t.dev_ge, t.dev_gt))
    })
}

/// The (observed statistics, raw counts, adjusted counts) of a max-T run.
type MaxtArrays<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
);

/// `permkit.stats._maxt.MaxTPlan`: one max-T run.
#[derive(FromPyObject)]
struct MaxTPlan {
    n1: usize,
    statistic: String,
    alternative: String,
    mc_key: Option<u64>,
    runs: u64,
}

/// maxt_counts(data, plan, workers) -> (observed, raw counts, adjusted counts) as numpy arrays.
#[pyfunction]
#[pyo3(signature = (data, plan, workers))]
fn maxt_counts<'py>(
    py: Python<'py>,
    data: PyReadonlyArray2<'py, f64>,
    plan: &Bound<'py, PyAny>,
    workers: Option<usize>,
) -> PyResult<MaxtArrays<'py>> {
    guard(|| {
        let plan: MaxTPlan = extract_plan(plan)?;
        let plan = maxt::Plan {
            n1: plan.n1,
            statistic: parse(&plan.statistic, "statistic")?,
            side: parse(&plan.alternative, "alternative")?,
            mc_key: plan.mc_key,
            runs: plan.runs,
        };
        let view = data.as_array();
        let (n, m) = view.dim();
        maxt::check_memory(n, m).map_err(|e| to_pyerr(e, "data"))?;
        let values: Vec<f64> = view.iter().copied().collect();
        let out = py
            .allow_threads(|| in_pool(workers, || maxt::maxt(&values, m, &plan, &Signals)))?
            .map_err(|e| to_pyerr(e, "data"))?;
        Ok((
            PyArray1::from_vec(py, out.observed),
            PyArray1::from_vec(py, out.raw),
            PyArray1::from_vec(py, out.adjusted),
        ))
    })
}

/// kth_difference(x, y, k) -> the k-th smallest x_i - y_j (x, y sorted ascending, k 1-based).
#[pyfunction]
fn kth_difference(x: Vec<f64>, y: Vec<f64>, k: u64) -> PyResult<f64> {
    guard(|| location::kth_difference(&x, &y, k).map_err(|e| to_pyerr(e, "k")))
}

/// kth_walsh(d, k) -> the k-th smallest Walsh average (d sorted ascending, k 1-based).
#[pyfunction]
fn kth_walsh(d: Vec<f64>, k: u64) -> PyResult<f64> {
    guard(|| location::kth_walsh(&d, k).map_err(|e| to_pyerr(e, "k")))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fisher_2x2, m)?)?;
    m.add_function(wrap_pyfunction!(fisher_rxc, m)?)?;
    m.add_function(wrap_pyfunction!(strata_distribution, m)?)?;
    m.add_function(wrap_pyfunction!(strata_monte_carlo, m)?)?;
    m.add_function(wrap_pyfunction!(maxt_counts, m)?)?;
    m.add_function(wrap_pyfunction!(kth_difference, m)?)?;
    m.add_function(wrap_pyfunction!(kth_walsh, m)?)?;
    Ok(())
}
