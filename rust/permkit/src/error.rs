//! The one error type of the core crate.
//!
//! Variants carry positions and values but never argument names: the caller
//! (a binding, a CLI) knows which argument it passed and adds the name.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A value outside `0..n` (negatives included) at `index` of row `row`.
    OutOfRange {
        row: usize,
        index: usize,
        value: i128,
        n: usize,
    },
    /// `value` appears twice in row `row`; `index` is its second occurrence.
    Duplicate {
        row: usize,
        index: usize,
        value: u64,
    },
    /// Two arguments disagree on the permutation length.
    LengthMismatch { expected: usize, found: usize },
    /// A scalar argument outside its valid range; the message names the range.
    InvalidValue(String),
    /// A result or workspace that cannot be represented or allocated.
    Overflow(String),
    /// A result too large to hold in memory, refused before allocating.
    Memory(String),
    /// The caller's [`crate::Interrupt`] asked the kernel to stop.
    Interrupted,
}

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::OutOfRange { row, index, value, n } => {
                if *n == 0 {
                    write!(f, "value {value} at index {index} (row {row}) is out of range: a permutation of length 0 has no values")
                } else {
                    write!(f, "value {value} at index {index} (row {row}) is out of range 0..={}", n - 1)
                }
            }
            Error::Duplicate { row, index, value } => write!(
                f,
                "value {value} appears more than once (again at index {index}, row {row}): not a permutation"
            ),
            Error::LengthMismatch { expected, found } => {
                write!(f, "length {found} does not match the permutation length {expected}")
            }
            Error::InvalidValue(msg) | Error::Overflow(msg) | Error::Memory(msg) => {
                f.write_str(msg)
            }
            Error::Interrupted => f.write_str("interrupted"),
        }
    }
}

impl std::error::Error for Error {}
