//! Ranking and unranking: bijections between combinatorial objects and
//! `0..count`.
//!
//! Every algorithm is written once, generic over [`RankInt`], and used with
//! `u64` (when the whole family has at most 2^64 members, so every
//! intermediate value fits) and with `BigUint` (exact, any size). Objects are
//! rows of `usize`; the array kernels in [`rows`] convert numpy element types
//! and run rows in parallel.

mod combination;
mod derangement;
mod fenwick;
mod multiset;
mod perm;
mod radix;
pub mod rows;

pub use combination::{
    colex_rank, colex_unrank, lex_combination_rank, lex_combination_unrank, revolving_door_rank,
    revolving_door_unrank,
};
pub use derangement::derangement_unrank;
pub use multiset::{multiset_rank, multiset_unrank};
pub use perm::{
    from_lehmer_code, heap_digits, heap_state_from_digits, lehmer_code, lex_digits,
    lex_from_digits, mr_digits, mr_from_digits, sjt_digits, sjt_from_digits, unrank_lex, PermOrder,
};
pub use radix::RankInt;
pub use rows::Family;

pub(crate) use fenwick::Fenwick;
