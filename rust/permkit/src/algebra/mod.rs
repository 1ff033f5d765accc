//! The permutation group: validation, composition, inversion, powers, and the
//! invariants of a permutation (sign, inversions, cycles, order).
//!
//! Array kernels work on a flat buffer of `rows * n` values, one permutation of
//! `0..n` per row, and run rows (or, for one long row, chunks) in parallel.

mod validate;
mod group;

pub use group::{compose_rows, inverse_rows};
pub use validate::{is_permutation_rows, validate_rows};
