//! A temporary folder for CLI tests: `home/` (the `HOME` credwiz runs with) and `aws/` with
//! the two files, plus [`Run`], a finished command with its exit code and outputs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Example keys (AWS's documentation examples), never valid anywhere.
pub const ID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const ID2: &str = "AKIAI44QH8DHBEXAMPLE";
pub const SECRET2: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
pub const SESSION_ID: &str = "ASIAIOSFODNN7EXAMPLE";
pub const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKENvalue0123456789abcdefSESSIONTOKEN";

/// A temporary folder with a home directory and the two files under `aws/` (not created).
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub credentials: PathBuf,
}

impl Sandbox {
    /// Creates `home/` and `aws/`; the files themselves do not exist yet.
    pub fn new() -> Sandbox {
        let dir = super::temp_dir();
        fs::create_dir(dir.path().join("home")).unwrap();
        fs::create_dir(dir.path().join("aws")).unwrap();
        Sandbox {
            config: dir.path().join("aws/config"),
            credentials: dir.path().join("aws/credentials"),
            dir,
        }
    }

    /// A sandbox with both files written.
    pub fn with_files(config: &str, credentials: &str) -> Sandbox {
        let sandbox = Sandbox::new();
        fs::write(&sandbox.config, config).unwrap();
        fs::write(&sandbox.credentials, credentials).unwrap();
        sandbox
    }

    /// The same folder, with the files elsewhere.
    pub fn at(self, config: PathBuf, credentials: PathBuf) -> Sandbox {
        Sandbox {
            config,
            credentials,
            ..self
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// `credwiz --config-file CONFIG --credentials-file CREDENTIALS ARGS` in this home.
    pub fn cmd_for(&self, config: &Path, credentials: &Path, args: &[&str]) -> Command {
        let mut cmd = super::credwiz_in_home(&self.home());
        cmd.arg("--config-file")
            .arg(config)
            .arg("--credentials-file")
            .arg(credentials)
            .args(args);
        cmd
    }

    /// `credwiz --config-file ... --credentials-file ... ARGS` with this sandbox's files.
    pub fn cmd(&self, args: &[&str]) -> Command {
        self.cmd_for(&self.config, &self.credentials, args)
    }

    /// [`Sandbox::cmd`], run to completion.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(self.cmd(args))
    }
}

/// Asserts that `output` (of the command described by `what`) succeeded without a panic
/// message on stderr, and returns its stdout.
pub fn expect_success(what: &str, output: Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !stderr.contains("panicked"),
        "{what} failed ({:?}):\n{stderr}",
        output.status
    );
    String::from_utf8(output.stdout).expect("UTF-8 stdout")
}

/// A finished run: exit code and both outputs as text.
pub struct Run {
    pub what: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Whether [`Run::describe`] shortens each part (for runs on huge inputs).
    clip: bool,
}

impl Run {
    /// Runs `cmd`, asserting that no panic message appears on stderr.
    pub fn of(cmd: Command) -> Run {
        Run::capture(cmd, false)
    }

    /// Like [`Run::of`], asserting also that stdout holds no panic message, and describing
    /// the run with each part clipped so that huge inputs do not flood the test log.
    pub fn of_clipped(cmd: Command) -> Run {
        Run::capture(cmd, true)
    }

    fn capture(mut cmd: Command, clip: bool) -> Run {
        let what = format!("{cmd:?}");
        let Output {
            status,
            stdout,
            stderr,
        } = cmd.output().expect("run credwiz");
        let run = Run {
            what,
            code: status.code(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            clip,
        };
        let panicked = run.stderr.contains("panicked") || (clip && run.stdout.contains("panicked"));
        assert!(!panicked, "credwiz panicked: {}", run.describe());
        run
    }

    pub fn describe(&self) -> String {
        let clip = |s: &str| -> String {
            if self.clip {
                s.chars().take(2000).collect()
            } else {
                s.to_string()
            }
        };
        format!(
            "{}\nexit: {:?}\nstdout:\n{}\nstderr:\n{}",
            clip(&self.what),
            self.code,
            clip(&self.stdout),
            clip(&self.stderr)
        )
    }

    pub fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.code,
            Some(expected),
            "expected exit {expected}: {}",
            self.describe()
        );
        self
    }

    pub fn success(self) -> Run {
        self.code(0)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.describe()))
    }

    pub fn stderr_has(self, needle: &str) -> Run {
        assert!(
            self.stderr.contains(needle),
            "stderr should mention {needle:?}: {}",
            self.describe()
        );
        self
    }

    /// Neither output contains any of `secrets`.
    pub fn hides(self, secrets: &[&str]) -> Run {
        for secret in secrets {
            assert!(
                !self.stdout.contains(secret) && !self.stderr.contains(secret),
                "a secret leaked into the output: {}",
                self.describe()
            );
        }
        self
    }
}
