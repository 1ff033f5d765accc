//! Exact and Monte Carlo permutation tests on integer scores (spec:
//! docs/exact_tests.md).
//!
//! Every built-in statistic is, for fixed group sizes, a monotone function of
//! one integer "key" K computed from integer scores (data scaled to integers):
//! a group-1 sum, a signed sum, a sum of products, or sum_g w_g S_g^2. The
//! walkers below visit every relabelling and update K exactly in O(1) (no
//! floating-point drift), so ties are classified exactly; the caller turns the
//! p-value rule into integer thresholds on K.

pub mod blocks;
pub mod contingency;
pub mod engine;
pub mod location;
pub mod maxt;
pub mod model;
pub mod monte_carlo;
pub mod paired;
pub mod rows;
pub mod shift;
pub mod strata;
pub mod two_sample;
pub mod welch;

pub use engine::{tally, CHUNK};
pub use model::{
    check_full_null, check_rows, Collect, Design, Deviation, LawTally, Outcome, PermutationType,
    Problem, Rule, Source, Tally, FULL_NULL_MAX_BYTES, FULL_NULL_VALUE_BYTES,
};
pub use rows::{relabel_rows, Shape};

#[cfg(test)]
mod tests;
