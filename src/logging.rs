//! Logs go to `credwiz.log` in the state folder, never to the screen. Only credwiz's own events
//! at info and above, and warnings from libraries, are kept: the AWS SDK's debug and trace output
//! can include response bodies, and a `CreateAccessKey` response holds a secret.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::Mutex;

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

use crate::journal::state_dir;

/// Starts logging to the state folder; logging is skipped if the file cannot be opened.
pub fn init() {
    let folder = state_dir();
    if std::fs::create_dir_all(&folder).is_err() {
        return;
    }
    let Ok(file) = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(folder.join("credwiz.log"))
    else {
        return;
    };
    let targets = Targets::new()
        .with_default(LevelFilter::WARN)
        .with_target("credwiz", LevelFilter::INFO);
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(Mutex::new(file));
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(targets))
        .try_init();
}
