//! Files credwiz must refuse (PRODUCT.md, "How credwiz treats the two files", rule 2): every
//! command fails with exit 1, names the file, the line and the reason, never panics, and writes
//! nothing. Also: the named `repair --strip-bom`, missing folders and targets that cannot be
//! written even by root.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::sandbox::{ID, Run, SECRET, Sandbox};
use serde_json::{Value, json};

/// Runs credwiz on huge or broken inputs: no panic message on either output, and failures
/// described with each output clipped.
fn run_in(sandbox: &Sandbox, args: &[&str]) -> Run {
    Run::of_clipped(sandbox.cmd(args))
}

impl Sandbox {
    /// Every file under the sandbox (other than `home/`), with its bytes.
    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            let Ok(entries) = fs::read_dir(dir) else {
                return;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.insert(path.clone(), fs::read(&path).unwrap_or_default());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&self.dir.path().join("aws"), &mut out);
        out
    }
}

/// A well-formed credentials file with a couple of profiles.
fn good_credentials() -> String {
    format!(
        "# keys\n[a]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n[b]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n"
    )
}

const GOOD_CONFIG: &str =
    "# settings\n[profile a]\nregion = us-east-1\n[profile b]\noutput = json\n";

#[derive(Clone, Copy, Debug)]
enum Which {
    Config,
    Credentials,
}

/// Puts `bad` in one of the two files (the other is well-formed) and checks that `list`,
/// `show` and `set` (of a config key and of a credentials key) all fail with exit 1, naming
/// the file, `line` and one of `reasons`, and that no file in the folder changed.
fn refuses(bad: &[u8], line: usize, reasons: &[&str]) -> Vec<Run> {
    let mut runs = Vec::new();
    for which in [Which::Config, Which::Credentials] {
        let sandbox = Sandbox::new();
        let (bad_path, good_path, good) = match which {
            Which::Config => (&sandbox.config, &sandbox.credentials, good_credentials()),
            Which::Credentials => (&sandbox.credentials, &sandbox.config, GOOD_CONFIG.into()),
        };
        fs::write(bad_path, bad).unwrap();
        fs::write(good_path, good).unwrap();
        let before = sandbox.snapshot();
        let path = bad_path.display().to_string();
        for args in [
            vec!["list"],
            vec!["list", "-o", "json"],
            vec!["show", "a", "-o", "json"],
            vec!["set", "a", "region=eu-west-1"],
            vec!["set", "a", "aws_access_key_id=AKIAI44QH8DHBEXAMPLE"],
        ] {
            let run = run_in(&sandbox, &args).code(1);
            assert!(
                run.stdout.is_empty(),
                "nothing on stdout ({which:?}): {}",
                run.describe()
            );
            assert!(
                run.stderr.contains(&path),
                "stderr names the file {path} ({which:?}): {}",
                run.describe()
            );
            assert!(
                run.stderr.contains(&format!("{path}:{line}"))
                    || run.stderr.contains(&format!("line {line}")),
                "stderr names line {line} ({which:?}): {}",
                run.describe()
            );
            let lower = run.stderr.to_lowercase();
            assert!(
                reasons.iter().any(|r| lower.contains(&r.to_lowercase())),
                "stderr gives the reason (one of {reasons:?}) ({which:?}): {}",
                run.describe()
            );
            assert!(
                !run.stderr.contains(SECRET),
                "the error must not quote a secret: {}",
                run.describe()
            );
            assert!(
                sandbox.snapshot() == before,
                "no file may change, and no backup or temporary file may appear ({which:?}): {}",
                run.describe()
            );
            runs.push(run);
        }
    }
    runs
}

#[test]
fn a_byte_order_mark_is_refused_with_the_repair_named() {
    let bad = [
        &[0xEF, 0xBB, 0xBF][..],
        b"# saved by Notepad\r\n[profile a]\r\nregion = us-east-1\r\n[a]\r\nx = y\r\n",
    ]
    .concat();
    for run in refuses(&bad, 1, &["byte-order mark", "BOM"]) {
        assert!(
            run.stderr.contains("credwiz repair --strip-bom"),
            "the message names the repair: {}",
            run.describe()
        );
    }
}

#[test]
fn repair_strip_bom_removes_only_the_byte_order_mark() {
    let body = format!(
        "# saved by Notepad\r\n[a]\r\naws_access_key_id = {ID}\r\naws_secret_access_key = {SECRET}\r\n; trailing comment"
    );
    let sandbox = Sandbox::new();
    fs::write(
        &sandbox.credentials,
        [&[0xEF, 0xBB, 0xBF][..], body.as_bytes()].concat(),
    )
    .unwrap();
    fs::write(&sandbox.config, GOOD_CONFIG).unwrap();
    let run = run_in(&sandbox, &["repair", "--strip-bom"]).code(0);
    assert!(!run.stderr.contains(SECRET) && !run.stdout.contains(SECRET));
    assert_eq!(fs::read(&sandbox.credentials).unwrap(), body.as_bytes());
    assert_eq!(fs::read_to_string(&sandbox.config).unwrap(), GOOD_CONFIG);
    let list: Value =
        serde_json::from_str(&run_in(&sandbox, &["list", "-o", "json"]).code(0).stdout)
            .expect("list prints JSON");
    assert_eq!(list[0]["name"], "a");
    assert_eq!(list[0]["kind"], "static");
    // A second repair finds nothing to do and changes nothing.
    run_in(&sandbox, &["repair", "--strip-bom"]).code(0);
    assert_eq!(fs::read(&sandbox.credentials).unwrap(), body.as_bytes());
}

#[test]
fn repair_strip_bom_of_the_config_file() {
    let body = "[profile a]\nregion = us-east-1\n";
    let sandbox = Sandbox::new();
    fs::write(&sandbox.config, format!("\u{feff}{body}")).unwrap();
    run_in(&sandbox, &["repair", "--strip-bom", "--file", "config"]).code(0);
    assert_eq!(fs::read_to_string(&sandbox.config).unwrap(), body);
    assert!(
        !sandbox.credentials.exists(),
        "repair creates no other file"
    );
    let shown: Value = serde_json::from_str(
        &run_in(&sandbox, &["show", "a", "-o", "json"])
            .code(0)
            .stdout,
    )
    .unwrap();
    assert_eq!(shown["settings"], json!({"region": "us-east-1"}));
}

#[test]
fn nul_bytes_are_refused() {
    refuses(
        b"[profile a]\nregion = us-east-1\nnote = a\0b\n",
        3,
        &["NUL"],
    );
}

#[test]
fn invalid_utf8_is_refused() {
    refuses(
        b"[profile a]\n# caf\xc3\xa9 is fine\nnote = caf\xe9\n",
        3,
        &["UTF-8", "UTF8"],
    );
}

#[test]
fn a_property_before_any_section_is_refused() {
    refuses(
        b"# a comment\nregion = us-east-1\n[profile a]\noutput = json\n",
        2,
        &["profile definition", "section"],
    );
}

#[test]
fn an_indented_comment_inside_a_sub_property_block_is_refused() {
    refuses(
        b"[profile a]\ns3 =\n  max_concurrent_requests = 10\n  # tuned for the NAS\n  addressing_style = path\n",
        4,
        &["sub-property"],
    );
}

#[test]
fn a_50_mb_file_is_refused() {
    let mut bad = Vec::with_capacity(50 * 1024 * 1024 + 200);
    let mut n = 0;
    while bad.len() < 50 * 1024 * 1024 {
        bad.extend_from_slice(
            format!("[profile p{n}]\nregion = us-east-1\noutput = json\n").as_bytes(),
        );
        n += 1;
    }
    refuses(&bad, 1, &["bytes", "MiB", "MB", "large", "big"]);
}

#[test]
fn a_1_mb_line_is_refused() {
    let mut bad = b"[profile a]\nregion = us-east-1\naws_session_token = ".to_vec();
    bad.extend(std::iter::repeat_n(b'A', 1024 * 1024));
    bad.extend_from_slice(b"\noutput = json\n");
    refuses(&bad, 3, &["long", "bytes", "KiB"]);
}

#[test]
fn a_missing_folder_lists_nothing_and_set_names_the_folder() {
    let sandbox = Sandbox::new();
    let folder = sandbox.dir.path().join("missing/deeper");
    let sandbox = sandbox.at(folder.join("config"), folder.join("credentials"));
    let run = run_in(&sandbox, &["list", "-o", "json"]).code(0);
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap(),
        json!([])
    );
    run_in(&sandbox, &["list"]).code(0);
    let run = run_in(&sandbox, &["set", "p", "region=eu-west-1"]).code(1);
    assert!(
        run.stderr.contains(&folder.display().to_string()),
        "stderr names the folder: {}",
        run.describe()
    );
    assert!(
        !sandbox.dir.path().join("missing").exists(),
        "nothing is created"
    );
}

#[test]
fn a_folder_that_is_a_regular_file_is_a_clear_failure() {
    // Root ignores permission bits, but nobody can create a file under a regular file.
    let sandbox = Sandbox::new();
    let not_a_folder = sandbox.dir.path().join("aws/not-a-folder");
    fs::write(&not_a_folder, "plain file\n").unwrap();
    let sandbox = sandbox.at(
        not_a_folder.join("config"),
        not_a_folder.join("credentials"),
    );
    let before = sandbox.snapshot();
    for args in [
        vec!["set", "p", "region=eu-west-1"],
        vec!["set", "p", "aws_access_key_id=AKIAI44QH8DHBEXAMPLE"],
    ] {
        let run = run_in(&sandbox, &args).code(1);
        assert!(
            run.stderr.contains(&not_a_folder.display().to_string()),
            "stderr names the path: {}",
            run.describe()
        );
        // Regression: this used to be "<path>: File exists (os error 17)".
        let lower = run.stderr.to_lowercase();
        assert!(
            lower.contains("not a folder") || lower.contains("not a directory"),
            "stderr says the path is not a folder: {}",
            run.describe()
        );
        assert!(sandbox.snapshot() == before, "nothing written");
    }
    let mut cmd = sandbox.cmd(&["add", "p", "--from-env"]);
    cmd.env("AWS_ACCESS_KEY_ID", ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET);
    let run = Run::of_clipped(cmd).code(1);
    assert!(!run.stderr.contains(SECRET));
    assert!(sandbox.snapshot() == before, "nothing written");
}

#[test]
fn a_folder_root_cannot_write_is_a_clear_failure() {
    // procfs refuses new files even to root.
    let sandbox = Sandbox::new().at(
        PathBuf::from("/proc/self/credwiz-test-config"),
        PathBuf::from("/proc/self/credwiz-test-credentials"),
    );
    let run = run_in(&sandbox, &["list", "-o", "json"]).code(0);
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap(),
        json!([])
    );
    for args in [
        vec!["set", "p", "region=eu-west-1"],
        vec!["set", "p", "aws_access_key_id=AKIAI44QH8DHBEXAMPLE"],
    ] {
        let run = run_in(&sandbox, &args).code(1);
        assert!(
            run.stderr.contains("/proc/self"),
            "stderr names the folder: {}",
            run.describe()
        );
        assert!(
            run.stderr.lines().count() <= 3,
            "a short message, not a dump: {}",
            run.describe()
        );
    }
    let mut cmd = sandbox.cmd(&["add", "p", "--from-env"]);
    cmd.env("AWS_ACCESS_KEY_ID", ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET);
    let run = Run::of_clipped(cmd).code(1);
    assert!(run.stderr.contains("/proc/self"), "{}", run.describe());
    assert!(!run.stderr.contains(SECRET));
}

#[test]
fn a_folder_given_as_the_file_is_refused() {
    let sandbox = Sandbox::new();
    let folder = sandbox.dir.path().join("aws/config-dir");
    fs::create_dir(&folder).unwrap();
    let credentials = sandbox.credentials.clone();
    let sandbox = sandbox.at(folder.clone(), credentials);
    for args in [vec!["list"], vec!["set", "p", "region=eu-west-1"]] {
        let run = run_in(&sandbox, &args).code(1);
        assert!(
            run.stderr.contains(&folder.display().to_string()),
            "{}",
            run.describe()
        );
    }
    assert!(folder.is_dir());
    assert_eq!(fs::read_dir(&folder).unwrap().count(), 0);
}

#[test]
fn a_file_the_sdks_accept_with_odd_lines_is_read_not_refused() {
    // The counterpart: unusual but valid input must not be refused.
    let sandbox = Sandbox::new();
    fs::write(
        &sandbox.config,
        "; comment\n[profile a] ; header comment\nregion = us-east-1 # trailing\n\tcontinued # kept\nnote=a#b\n[profile b]\n",
    )
    .unwrap();
    let shown: Value = serde_json::from_str(
        &run_in(&sandbox, &["show", "a", "-o", "json"])
            .code(0)
            .stdout,
    )
    .unwrap();
    assert_eq!(
        shown["settings"],
        json!({"region": "us-east-1\ncontinued # kept", "note": "a#b"})
    );
}
