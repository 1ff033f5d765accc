//! Counter-based random number generators and the bounded draws built on them.
//!
//! Each generator core is a pure function of (key, counter): output `i` of a
//! stream is the core applied at `counter + i`, so any position of any stream
//! can be computed directly, in parallel, without stepping through the others.

pub mod counter;
pub mod keys;
pub mod philox;
pub mod splitmix;
pub mod squares;
pub mod stream;
pub mod words;

pub use philox::philox4x32_10;
pub use squares::{squares32, squares64};
pub use words::WordStream;
