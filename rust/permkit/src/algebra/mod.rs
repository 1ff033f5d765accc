//! The permutation group: validation, composition, inversion, powers, and the
//! invariants of a permutation (sign, inversions, cycles, order, Lehmer code).
//!
//! Array kernels work on a flat buffer of `rows * n` values, one permutation of
//! `0..n` per row, and run rows (or, for one long row, chunks) in parallel.
//! Binary kernels accept an operand with exactly one row as a broadcast row.

mod cycles;
mod group;
mod invariants;
mod lehmer;
mod validate;

pub use cycles::{canonical_cycles, from_cycles};
pub use group::{compose_rows, inverse_rows, power_rows, Operand};
pub use invariants::{cycle_counts_rows, inversions_rows, order_rows, sign_rows};
pub use lehmer::{from_lehmer_rows, lehmer_rows};
pub use validate::{is_permutation_rows, validate_rows};

pub(crate) use cycles::count_cycles;
pub(crate) use group::for_each_row_pair;
pub(crate) use invariants::count_inversions;
