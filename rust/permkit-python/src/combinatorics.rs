//! Bindings of `permkit::count`, `permkit::rank` and `permkit::enumerate`.
//!
//! The Python layer (count.py, ranking.py, enumeration.py) validates argument
//! types and picks the rank representation: `u64` arrays when every rank of
//! the family fits, lists of Python ints (`BigUint`) otherwise.

use crate::convert::{guard, to_pyerr, Signals};
use crate::with_int_array;
use num_bigint::BigUint;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use permkit::enumerate::{Kind, Spec};
use permkit::rank::rows::{fast, rank_rows, unrank_rows, CombOrder, Family};
use permkit::rank::PermOrder;
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

/// rank_total_u64(kind, order, n, k, counts) -> the family's size when it
/// fits in 64 bits (so uint64 ranks hold every rank), else None. Decided by
/// a bounded number of checked operations, never by computing a big count.
#[pyfunction]
fn rank_total_u64(
    kind: &str,
    order: &str,
    n: usize,
    k: usize,
    counts: Vec<u64>,
) -> PyResult<Option<u64>> {
    guard(|| {
        family(kind, order, n, k, counts)?
            .total()
            .map_err(|e| to_pyerr(e, "n"))
    })
}

fn family(kind: &str, order: &str, n: usize, k: usize, counts: Vec<u64>) -> PyResult<Family> {
    let bad = || PyValueError::new_err(format!("order: unknown order {order:?} for {kind}"));
    Ok(match kind {
        "permutation" => Family::Permutation {
            n,
            order: match order {
                "lex" => PermOrder::Lex,
                "mr" => PermOrder::Mr,
                "sjt" => PermOrder::Sjt,
                _ => return Err(bad()),
            },
        },
        "arrangement" => Family::Arrangement { n, k },
        "combination" => Family::Combination {
            n,
            k,
            order: match order {
                "lex" => CombOrder::Lex,
                "colex" => CombOrder::Colex,
                "revolving_door" => CombOrder::RevolvingDoor,
                _ => return Err(bad()),
            },
        },
        "multiset" => Family::Multiset { counts },
        _ => return Err(PyValueError::new_err(format!("unknown family {kind:?}"))),
    })
}

/// rank_rows(kind, order, n, k, counts, rows, big, arg) -> uint64 array, or
/// list of ints when big; errors name `arg`.
#[pyfunction]
#[pyo3(signature = (kind, order, n, k, counts, rows, big, arg = "p"))]
#[allow(clippy::too_many_arguments)]
fn rank_rows_native<'py>(
    py: Python<'py>,
    kind: &str,
    order: &str,
    n: usize,
    k: usize,
    counts: Vec<u64>,
    rows: &Bound<'py, PyAny>,
    big: bool,
    arg: &str,
) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let fam = family(kind, order, n, k, counts)?;
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
                // A permutation's rank needs no total (only its digits): n! is
                // never computed for it, only for the families whose rank uses it.
                let total = match fam {
                    Family::Permutation { .. } => BigUint::default(),
                    _ => py.allow_threads(|| fam.count(&Signals)).map_err(err)?,
                };
                let mut out = vec![BigUint::default(); m];
                py.allow_threads(|| rank_rows(&fam, data, &total, &mut out, &Signals))
                    .map_err(err)?;
                return Ok(out.into_pyobject(py)?.into_any());
            }
            let total: u64 = fam
                .total()
                .map_err(err)?
                .ok_or_else(|| PyValueError::new_err("ranks do not fit in 64 bits"))?;
            let mut out = vec![0u64; m];
            py.allow_threads(|| match fam {
                Family::Permutation {
                    n,
                    order: PermOrder::Lex,
                } if (1..=fast::MAX_N).contains(&n) => fast::rank_lex(n, data, &mut out, &Signals),
                _ => rank_rows(&fam, data, &total, &mut out, &Signals),
            })
            .map_err(err)?;
            Ok(PyArray1::from_vec(py, out).into_any())
        })
    })
}

/// unrank_rows(kind, order, n, k, counts, ranks, out): ranks is a uint64
/// array or a list of non-negative ints; fills out (rows of the family width).
#[pyfunction]
#[pyo3(signature = (kind, order, n, k, counts, ranks, out))]
#[allow(clippy::too_many_arguments)]
fn unrank_rows_native<'py>(
    py: Python<'py>,
    kind: &str,
    order: &str,
    n: usize,
    k: usize,
    counts: Vec<u64>,
    ranks: &Bound<'py, PyAny>,
    out: &Bound<'py, PyAny>,
) -> PyResult<()> {
    guard(|| {
        let fam = family(kind, order, n, k, counts)?;
        let err = |e| to_pyerr(e, "r");
        with_int_array!(out, "out", |arr: T| {
            let mut dst = arr.readwrite();
            let dst = dst.as_slice_mut()?;
            if let Ok(small) = ranks.extract::<PyReadonlyArray1<u64>>() {
                let rs = small.as_slice()?;
                let total: u64 = fam.total().map_err(err)?.unwrap_or(u64::MAX);
                py.allow_threads(|| match fam {
                    Family::Permutation {
                        n,
                        order: PermOrder::Lex,
                    } if (1..=fast::MAX_N).contains(&n) => fast::unrank_lex(n, rs, dst, &Signals),
                    _ => unrank_rows(&fam, rs, &total, dst, &Signals),
                })
                .map_err(err)?;
            } else {
                let rs = big_ranks(py, ranks)?;
                py.allow_threads(|| {
                    let total = fam.count(&Signals)?;
                    unrank_rows(&fam, &rs, &total, dst, &Signals)
                })
                .map_err(err)?;
            }
            Ok(())
        })
    })
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

fn spec(kind: &str, n: usize, k: usize, counts: Vec<u64>) -> PyResult<Spec> {
    let kind = match kind {
        "permutations/lex" => Kind::PermLex,
        "permutations/heap" => Kind::PermHeap,
        "permutations/sjt" => Kind::PermSjt,
        "arrangements/lex" => Kind::Arrangement,
        "combinations/lex" => Kind::CombLex,
        "combinations/colex" => Kind::CombColex,
        "combinations/revolving_door" => Kind::CombRevolvingDoor,
        "multiset_permutations/lex" => Kind::Multiset,
        "derangements/lex" => Kind::Derangement,
        _ => {
            return Err(PyValueError::new_err(format!(
                "unknown enumeration {kind:?}"
            )))
        }
    };
    Ok(Spec { kind, n, k, counts })
}

/// enumerate_fill(kind, n, k, counts, start, rows, out): members of ranks
/// start..start+rows into out.
#[pyfunction]
#[pyo3(signature = (kind, n, k, counts, start, rows, out))]
#[allow(clippy::too_many_arguments)]
fn enumerate_fill<'py>(
    py: Python<'py>,
    kind: &str,
    n: usize,
    k: usize,
    counts: Vec<u64>,
    start: BigUint,
    rows: usize,
    out: &Bound<'py, PyAny>,
) -> PyResult<()> {
    guard(|| {
        let s = spec(kind, n, k, counts)?;
        with_int_array!(out, "out", |arr: T| {
            let mut dst = arr.readwrite();
            let dst = dst.as_slice_mut()?;
            py.allow_threads(|| permkit::enumerate::fill(&s, &start, rows, dst, &Signals))
                .map_err(|e| to_pyerr(e, "start"))
        })
    })
}

/// enumerate_changes(kind, n, k, counts, start, steps, out): the change
/// stream of steps start -> start+1 ... into out (steps x 2).
#[pyfunction]
#[pyo3(signature = (kind, n, k, counts, start, steps, out))]
#[allow(clippy::too_many_arguments)]
fn enumerate_changes<'py>(
    py: Python<'py>,
    kind: &str,
    n: usize,
    k: usize,
    counts: Vec<u64>,
    start: BigUint,
    steps: usize,
    out: &Bound<'py, PyAny>,
) -> PyResult<()> {
    guard(|| {
        let s = spec(kind, n, k, counts)?;
        with_int_array!(out, "out", |arr: T| {
            let mut dst = arr.readwrite();
            let dst = dst.as_slice_mut()?;
            py.allow_threads(|| permkit::enumerate::changes(&s, &start, steps, dst, &Signals))
                .map_err(|e| to_pyerr(e, "start"))
        })
    })
}

/// enumeration_count(kind, n, k, counts) -> int
#[pyfunction]
fn enumeration_count(
    py: Python<'_>,
    kind: &str,
    n: usize,
    k: usize,
    counts: Vec<u64>,
) -> PyResult<BigUint> {
    guard(|| {
        let s = spec(kind, n, k, counts)?;
        py.allow_threads(|| s.count(&Signals))
            .map_err(|e| to_pyerr(e, "n"))
    })
}

/// enumeration_count_exceeds(kind, n, k, counts, r) -> whether the count is
/// above r, without computing a count much bigger than r.
#[pyfunction]
fn enumeration_count_exceeds(
    py: Python<'_>,
    kind: &str,
    n: usize,
    k: usize,
    counts: Vec<u64>,
    r: BigUint,
) -> PyResult<bool> {
    guard(|| {
        let s = spec(kind, n, k, counts)?;
        py.allow_threads(|| s.count_exceeds(&r, &Signals))
            .map_err(|e| to_pyerr(e, "n"))
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(count_permutations, m)?)?;
    m.add_function(wrap_pyfunction!(count_combinations, m)?)?;
    m.add_function(wrap_pyfunction!(count_multiset_permutations, m)?)?;
    m.add_function(wrap_pyfunction!(count_derangements, m)?)?;
    m.add_function(wrap_pyfunction!(count_involutions, m)?)?;
    m.add_function(wrap_pyfunction!(rank_rows_native, m)?)?;
    m.add_function(wrap_pyfunction!(unrank_rows_native, m)?)?;
    m.add_function(wrap_pyfunction!(enumerate_fill, m)?)?;
    m.add_function(wrap_pyfunction!(enumerate_changes, m)?)?;
    m.add_function(wrap_pyfunction!(enumeration_count, m)?)?;
    m.add_function(wrap_pyfunction!(enumeration_count_exceeds, m)?)?;
    m.add_function(wrap_pyfunction!(rank_total_u64, m)?)?;
    Ok(())
}
