//! credwiz: a terminal wizard and manager for AWS access-key profiles.
//!
//! The library holds every piece; `main.rs` only parses the command line and picks a surface.

pub mod aws;
pub mod cli;
pub mod flows;
pub mod journal;
pub mod key_health;
pub mod logging;
pub mod presets;
pub mod profiles;
pub mod runner;
pub mod secret;
pub mod tui;
