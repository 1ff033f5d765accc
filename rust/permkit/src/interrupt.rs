//! Cooperative cancellation for long kernels.
//!
//! The core crate knows nothing of signals. A caller passes something that
//! answers "should I stop?"; kernels ask it between chunks of work, always from
//! the thread that called them (rayon workers never poll), so a binding may
//! implement it with a check that only works on the calling thread.

pub trait Interrupt: Sync {
    /// True when the computation should stop and return [`crate::Error::Interrupted`].
    fn interrupted(&self) -> bool;

    /// `Err(Interrupted)` when [`Interrupt::interrupted`] is true.
    fn check(&self) -> crate::Result<()> {
        if self.interrupted() {
            Err(crate::Error::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// Never interrupts: for callers that have no way to be interrupted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Never;

impl Interrupt for Never {
    fn interrupted(&self) -> bool {
        false
    }
}
