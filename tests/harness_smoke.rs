//! Smoke tests for the test harness itself: the moto server from `scripts/test.sh` is up,
//! its admin key works, and it really checks credentials.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Writes a config and a credentials file holding one `default` profile.
fn profile_files(dir: &Path, key_id: &str, secret: &str) -> (PathBuf, PathBuf) {
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    fs::write(&config, format!("[default]\nregion = {}\n", common::REGION)).unwrap();
    fs::write(
        &credentials,
        format!("[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    (config, credentials)
}

fn aws(cli: &Path, moto: &common::Moto, key_id: &str, secret: &str, args: &[&str]) -> Output {
    let dir = common::temp_dir();
    let (config, credentials) = profile_files(dir.path(), key_id, secret);
    common::aws_cli_command(cli, &config, &credentials)
        .args(["--endpoint-url", &moto.endpoint, "--output", "json"])
        .args(args)
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .expect("run the aws CLI")
}

#[test]
fn harness_smoke_admin_key_is_the_admin_user() {
    let (Some(moto), Some(cli)) = (common::moto(), common::aws_cli()) else {
        return;
    };
    let out = aws(
        &cli,
        &moto,
        &moto.admin_access_key_id,
        &moto.admin_secret_access_key,
        &["sts", "get-caller-identity"],
    );
    assert!(
        out.status.success(),
        "get-caller-identity failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let identity: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arn = identity["Arn"].as_str().expect("Arn in the answer");
    assert!(
        arn.ends_with("user/credwiz-test-admin"),
        "unexpected caller: {arn}"
    );
    assert_eq!(identity["Account"], "123456789012");
}

#[test]
fn harness_smoke_bogus_credentials_are_refused() {
    let (Some(moto), Some(cli)) = (common::moto(), common::aws_cli()) else {
        return;
    };
    // An access key id that does not exist.
    let out = aws(
        &cli,
        &moto,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        &["sts", "get-caller-identity"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "an unknown key was accepted");
    assert!(stderr.contains("InvalidClientTokenId"), "stderr: {stderr}");

    // The admin's key id with a wrong secret: signatures are checked.
    let out = aws(
        &cli,
        &moto,
        &moto.admin_access_key_id,
        "not-the-secret",
        &["iam", "list-users"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a wrong secret was accepted");
    assert!(stderr.contains("SignatureDoesNotMatch"), "stderr: {stderr}");
}

#[test]
fn harness_smoke_unique_names_are_valid_iam_user_names() {
    let long = "x".repeat(100);
    let mut seen = std::collections::HashSet::new();
    for prefix in ["credwiz", "with space/and:colon", long.as_str(), ""] {
        for _ in 0..3 {
            let name = common::unique_name(prefix);
            assert!(!name.is_empty() && name.len() <= 64, "bad length: {name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)),
                "bad character in {name}"
            );
            assert!(seen.insert(name.clone()), "duplicate name {name}");
        }
    }
    assert!(common::unique_name("credwiz").starts_with("credwiz-"));
}
