//! Bindings of `permkit::count`, `permkit::rank` and `permkit::enumerate`.
//!
//! The Python layer (count.py, ranking.py, enumeration.py) validates argument
//! types and picks the rank representation: `u64` arrays when every rank of
//! the family fits, lists of Python ints (`BigUint`) otherwise.

use crate::convert::{guard, to_pyerr, Signals};
use crate::with_int_array;
use num_bigint::BigUint;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use permkit::enumerate::{FamilyOrder, Spec};
use permkit::rank::rows::Family;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

#[pyfunction]
fn count_permutations(py: Python<'_>, n: u64, k: u64) -> PyResult<BigUint> {
    guard(|| {
        py.allow_threads(|| permkit::count::permutations(n, k, &Signals))
            .map_err(|e| to_pyerr(e, "n"))
    })
}

#[pyfunction]
fn count_combinations(py: Python<'_>, n: u64, k: u64) -> PyResult<BigUint> {
    guard(|| {
        py.allow_threads(|| permkit::count::combinations(n, k, &Signals))
            .map_err(|e| to_pyerr(e, "n"))
    })
}

#[pyfunction]
fn count_multiset_permutations(py: Python<'_>, counts: Vec<u64>) -> PyResult<BigUint> {
    guard(|| {
        py.allow_threads(|| permkit::count::multiset_permutations(&counts, &Signals))
            .map_err(|e| to_pyerr(e, "counts"))
    })
}

#[pyfunction]
fn count_derangements(py: Python<'_>, n: u64) -> PyResult<BigUint> {
    guard(|| {
        py.allow_threads(|| permkit::count::derangements(n, &Signals))
            .map_err(|e| to_pyerr(e, "n"))
    })
}

#[pyfunction]
fn count_involutions(py: Python<'_>, n: u64) -> PyResult<BigUint> {
    guard(|| {
        py.allow_threads(|| permkit::count::involutions(n, &Signals))
            .map_err(|e| to_pyerr(e, "n"))
    })
}

/// A family in one order, built once by Python (`_native.Spec(family, order,
/// n, k, counts)`) and passed to every ranking and enumeration call: the
/// family and order words are parsed here, once, by the core's
/// `FamilyOrder::parse`.
#[pyclass(frozen, name = "Spec", module = "permkit._native")]
pub struct PySpec(Spec);

impl PySpec {
    /// The ranked family (heap order and derangements have no rank).
    fn family(&self) -> PyResult<Family> {
        self.0
            .family()
            .ok_or_else(|| PyValueError::new_err(format!("order: {:?} has no rank", self.0.kind)))
    }
}

#[pymethods]
impl PySpec {
    #[new]
    fn new(family: &str, order: &str, n: usize, k: usize, counts: Vec<u64>) -> PyResult<Self> {
        guard(|| {
            let kind = FamilyOrder::parse(family, order).map_err(|e| to_pyerr(e, "order"))?;
            let spec = Spec::new(kind, n, k, counts).map_err(|e| to_pyerr(e, "counts"))?;
            Ok(PySpec(spec))
        })
    }

    /// The family's size when it fits in 64 bits (so uint64 ranks hold
    /// every rank), else None. Decided by a bounded number of checked
    /// operations, never by computing a big count.
    fn rank_total_u64(&self) -> PyResult<Option<u64>> {
        guard(|| self.family()?.total().map_err(|e| to_pyerr(e, "n")))
    }

    /// rank_rows(rows, big, arg) -> uint64 array, or list of ints when big;
    /// errors name `arg`.
    #[pyo3(signature = (rows, big, arg = "p"))]
    fn rank_rows<'py>(
        &self,
        py: Python<'py>,
        rows: &Bound<'py, PyAny>,
        big: bool,
        arg: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let fam = self.family()?;
            let w = fam.width();
            with_int_array!(rows, arg, |arr: T| {
                let src = arr.readonly();
                let data = src.as_slice()?;
                // Zero-width rows (k == 0) are counted from the shape instead.
                let m = data
                    .len()
                    .checked_div(w)
                    .unwrap_or_else(|| arr.shape().first().copied().unwrap_or(0));
                let err = |e| to_pyerr(e, arg);
                if big {
                    let mut out = vec![BigUint::default(); m];
                    py.allow_threads(|| fam.rank_rows_big(data, &mut out, &Signals))
                        .map_err(err)?;
                    return Ok(out.into_pyobject(py)?.into_any());
                }
                let mut out = vec![0u64; m];
                py.allow_threads(|| fam.rank_rows_u64(data, &mut out, &Signals))
                    .map_err(err)?;
                Ok(PyArray1::from_vec(py, out).into_any())
            })
        })
    }

    /// unrank_rows(ranks, out): ranks is a uint64 array or a list of
    /// non-negative ints; fills out (rows of the family width).
    fn unrank_rows<'py>(
        &self,
        py: Python<'py>,
        ranks: &Bound<'py, PyAny>,
        out: &Bound<'py, PyAny>,
    ) -> PyResult<()> {
        guard(|| {
            let fam = self.family()?;
            let err = |e| to_pyerr(e, "r");
            with_int_array!(out, "out", |arr: T| {
                let mut dst = arr.readwrite();
                let dst = dst.as_slice_mut()?;
                if let Ok(small) = ranks.extract::<PyReadonlyArray1<u64>>() {
                    let rs = small.as_slice()?;
                    py.allow_threads(|| fam.unrank_rows_u64(rs, dst, &Signals))
                        .map_err(err)?;
                } else {
                    let rs = big_ranks(py, ranks)?;
                    py.allow_threads(|| fam.unrank_rows_big(&rs, dst, &Signals))
                        .map_err(err)?;
                }
                Ok(())
            })
        })
    }

    /// fill(start, rows, out): members of ranks start..start+rows into out.
    fn fill<'py>(
        &self,
        py: Python<'py>,
        start: BigUint,
        rows: usize,
        out: &Bound<'py, PyAny>,
    ) -> PyResult<()> {
        guard(|| {
            with_int_array!(out, "out", |arr: T| {
                let mut dst = arr.readwrite();
                let dst = dst.as_slice_mut()?;
                py.allow_threads(|| permkit::enumerate::fill(&self.0, &start, rows, dst, &Signals))
                    .map_err(|e| to_pyerr(e, "start"))
            })
        })
    }

    /// changes(start, steps, out): the change stream of steps start ->
    /// start+1 ... into out (steps x 2).
    fn changes<'py>(
        &self,
        py: Python<'py>,
        start: BigUint,
        steps: usize,
        out: &Bound<'py, PyAny>,
    ) -> PyResult<()> {
        guard(|| {
            with_int_array!(out, "out", |arr: T| {
                let mut dst = arr.readwrite();
                let dst = dst.as_slice_mut()?;
                py.allow_threads(|| {
                    permkit::enumerate::changes(&self.0, &start, steps, dst, &Signals)
                })
                .map_err(|e| to_pyerr(e, "start"))
            })
        })
    }

    /// count() -> int
    fn count(&self, py: Python<'_>) -> PyResult<BigUint> {
        guard(|| {
            py.allow_threads(|| self.0.count(&Signals))
                .map_err(|e| to_pyerr(e, "n"))
        })
    }

    /// count_exceeds(r) -> whether the count is above r, without computing a
    /// count much bigger than r.
    fn count_exceeds(&self, py: Python<'_>, r: BigUint) -> PyResult<bool> {
        guard(|| {
            py.allow_threads(|| self.0.count_exceeds(&r, &Signals))
                .map_err(|e| to_pyerr(e, "n"))
        })
    }

    /// Values per row.
    #[getter]
    fn width(&self) -> PyResult<usize> {
        guard(|| Ok(self.0.width()))
    }
}

/// Python ints to `BigUint`s, answering Ctrl-C between chunks: a million
/// 400-digit ranks take about a second to convert, all with the GIL held.
fn big_ranks(py: Python<'_>, ranks: &Bound<'_, PyAny>) -> PyResult<Vec<BigUint>> {
    const SIGNAL_CHUNK: usize = 4096;
    let mut out = Vec::with_capacity(ranks.len().unwrap_or(0));
    for (i, rank) in ranks.try_iter()?.enumerate() {
        if i % SIGNAL_CHUNK == 0 {
            py.check_signals()?;
        }
        out.push(rank?.extract::<BigUint>()?);
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(count_permutations, m)?)?;
    m.add_function(wrap_pyfunction!(count_combinations, m)?)?;
    m.add_function(wrap_pyfunction!(count_multiset_permutations, m)?)?;
    m.add_function(wrap_pyfunction!(count_derangements, m)?)?;
    m.add_function(wrap_pyfunction!(count_involutions, m)?)?;
    m.add_class::<PySpec>()?;
    Ok(())
}
