//! permkit: permutation combinatorics in pure Rust.
//!
//! Conventions shared by every module:
//! - Permutations are in 0-based one-line notation: `p[i]` is the image of `i`.
//! - `compose(p, q)[i] == p[q[i]]` (gather by `p`, then by `q`).
//! - Fallible functions return [`Error`]; nothing here panics on bad input.
//! - Long kernels take an [`Interrupt`] and poll it between chunks of work so a
//!   caller (for example the Python bindings) can stop them promptly.
//! - Parallel kernels (rayon) produce results that do not depend on the number
//!   of threads.

pub mod algebra;
pub mod distance;
pub mod error;
pub mod index;
pub mod index_shuffle;
pub mod interrupt;
pub mod random_access;
pub mod rng;

pub use error::{Error, Result};
pub use index::PermIndex;
pub use interrupt::{Interrupt, Never};
pub mod count;
pub mod data_streams;
pub mod enumerate;
pub mod exact;
pub mod rank;
pub mod records;
pub mod shard_shuffle;
pub mod shuffle;
pub mod window_order;
