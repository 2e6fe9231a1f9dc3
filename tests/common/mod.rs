//! Harness shared by the integration tests: put `mod common;` at the top of a test file.
//!
//! AWS-backed tests talk to a local moto server that `scripts/test.sh` (or
//! `scripts/moto-server.sh start`) starts and describes through `CREDWIZ_TEST_*` variables.
//! Without them a test skips with a notice, except under CI, where it fails.

// Each integration test crate compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub mod iam;
pub mod pty;
pub mod sandbox;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Endpoint of the moto IAM/STS server and the key of its admin user
/// (`credwiz-test-admin`, with `AdministratorAccess`).
#[derive(Clone)]
pub struct Moto {
    pub endpoint: String,
    pub admin_access_key_id: String,
    pub admin_secret_access_key: String,
}

impl fmt::Debug for Moto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Moto")
            .field("endpoint", &self.endpoint)
            .field("admin_access_key_id", &self.admin_access_key_id)
            .field("admin_secret_access_key", &"<redacted>")
            .finish()
    }
}

/// The region tests use against moto (any region works there).
pub const REGION: &str = "us-east-1";

/// The moto server from `scripts/test.sh`, or `None` (after a skip notice) when it is not
/// configured. Under CI a missing configuration panics: CI must not skip AWS tests.
pub fn moto() -> Option<Moto> {
    Some(Moto {
        endpoint: required_env("CREDWIZ_TEST_MOTO_ENDPOINT")?,
        admin_access_key_id: required_env("CREDWIZ_TEST_ADMIN_ACCESS_KEY_ID")?,
        admin_secret_access_key: required_env("CREDWIZ_TEST_ADMIN_SECRET_ACCESS_KEY")?,
    })
}

/// The AWS CLI (v1, from the project's `.venv`), with the same skip/CI policy as [`moto`].
pub fn aws_cli() -> Option<PathBuf> {
    required_env("CREDWIZ_TEST_AWS_CLI").map(PathBuf::from)
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "FALSE" | "False"))
}

fn required_env(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Some(value),
        _ => {
            if in_ci() {
                panic!("{name} is not set: run scripts/test.sh; CI must not skip AWS tests");
            }
            eprintln!(
                "SKIPPED: {name} is not set; run scripts/test.sh to test against a local moto server"
            );
            None
        }
    }
}

/// A name unique across tests, processes and runs that is valid as an IAM user name
/// (at most 64 characters of `[A-Za-z0-9+=,.@_-]`): `prefix-PID-COUNTER-NANOS`, with the
/// prefix sanitised and shortened as needed.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let suffix = format!("-{}-{}-{}", std::process::id(), n, base36(nanos));
    let prefix: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64 - suffix.len())
        .collect();
    format!("{prefix}{suffix}")
}

fn base36(mut n: u128) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

/// A fresh temporary directory under Cargo's per-target scratch space; it is removed when
/// the returned value is dropped. Use it as a per-test `HOME` with [`credwiz_in_home`].
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("credwiz-test-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("create a temporary directory")
}

/// A directory that lives as long as this test process (it is left in Cargo's target tmp
/// dir at exit, never in the real home).
fn process_dir(cell: &'static OnceLock<tempfile::TempDir>) -> &'static Path {
    cell.get_or_init(temp_dir).path()
}

/// Remove every `AWS_*` variable, and the XDG base directories so that config, data and
/// state paths follow the test `HOME`.
fn scrub_env(cmd: &mut Command) {
    let names: Vec<OsString> = std::env::vars_os()
        .map(|(name, _)| name)
        .filter(|name| {
            let name = name.to_string_lossy();
            name.starts_with("AWS_") || name.starts_with("XDG_")
        })
        .collect();
    for name in names {
        cmd.env_remove(name);
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true");
}

/// The `credwiz` binary with no `AWS_*` variables, `NO_COLOR=1`, IMDS disabled and `HOME`
/// set to a temporary directory shared by this test process. Tests that write profiles
/// should use their own home: [`credwiz_in_home`].
pub fn credwiz() -> Command {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    credwiz_in_home(process_dir(&HOME))
}

/// Like [`credwiz`], with `HOME` set to `home`.
pub fn credwiz_in_home(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_credwiz"));
    scrub_env(&mut cmd);
    cmd.env("NO_COLOR", "1").env("HOME", home);
    cmd
}

/// The AWS CLI at `cli` reading only the given config and credentials files: no `AWS_*`
/// variables from the environment, IMDS disabled, `HOME` a temporary directory. Pass
/// `--endpoint-url` (and the region, unless the config has one) yourself.
pub fn aws_cli_command(cli: &Path, config: &Path, credentials: &Path) -> Command {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    let mut cmd = Command::new(cli);
    scrub_env(&mut cmd);
    cmd.env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", credentials)
        .env("AWS_PAGER", "")
        .env("HOME", process_dir(&HOME));
    cmd
}
