//! Pure state machines for the interactive flows: messages in, effects out, no I/O.

pub mod rotate;
pub mod setup;
