//! credwiz and the real AWS CLI on the same files (PRODUCT.md, "Real parts: Files"): what
//! credwiz writes, `aws configure get` reads; what `aws configure set` writes, credwiz reads;
//! and hand-written content around the edits survives byte for byte.
//!
//! Needs the AWS CLI from `CREDWIZ_TEST_AWS_CLI` (see `common::aws_cli`); without it each
//! test prints a skip notice and passes, except under CI.

mod common;

use std::fs;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::sandbox::{ID, ID2, SECRET, SECRET2, SESSION_ID, TOKEN, expect_success};
use serde_json::{Value, json};

/// The CLI sandbox, plus the AWS CLI to run on the same files.
struct Sandbox {
    files: common::sandbox::Sandbox,
    cli: PathBuf,
}

impl Deref for Sandbox {
    type Target = common::sandbox::Sandbox;

    fn deref(&self) -> &Self::Target {
        &self.files
    }
}

impl Sandbox {
    /// A sandbox, or `None` (after the skip notice) when the AWS CLI is not configured.
    fn new() -> Option<Sandbox> {
        let cli = common::aws_cli()?;
        Some(Sandbox {
            files: common::sandbox::Sandbox::new(),
            cli,
        })
    }

    fn with_files(config: &str, credentials: &str) -> Option<Sandbox> {
        let cli = common::aws_cli()?;
        Some(Sandbox {
            files: common::sandbox::Sandbox::with_files(config, credentials),
            cli,
        })
    }

    fn credwiz(&self, args: &[&str]) -> Command {
        self.files.cmd(args)
    }

    fn aws(&self, args: &[&str]) -> Command {
        let mut cmd = common::aws_cli_command(&self.cli, &self.config, &self.credentials);
        cmd.args(args);
        cmd
    }

    /// `aws configure get KEY [--profile P]`: the value, or `None` when it is not set.
    fn aws_get(&self, key: &str, profile: Option<&str>) -> Option<String> {
        let mut args = vec!["configure", "get", key];
        if let Some(profile) = profile {
            args.extend(["--profile", profile]);
        }
        let output = self.aws(&args).output().expect("run the AWS CLI");
        let stdout = String::from_utf8_lossy(&output.stdout);
        match output.status.code() {
            Some(0) => Some(stdout.trim_end_matches(['\r', '\n']).to_string()),
            Some(1) if stdout.trim().is_empty() => None,
            _ => panic!(
                "aws {args:?} failed ({:?}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ),
        }
    }

    /// The profiles the AWS CLI sees: `aws configure list-profiles` (AWS CLI v2), or on v1,
    /// which lacks that command, botocore's `Session.available_profiles`, which is exactly
    /// what v2's command prints. Sorted and deduplicated.
    fn aws_profiles(&self) -> Vec<String> {
        let output = self
            .aws(&["configure", "list-profiles"])
            .output()
            .expect("run the AWS CLI");
        let text = if output.status.success() {
            String::from_utf8(output.stdout).unwrap()
        } else {
            let mut cmd =
                common::aws_cli_command(&python_of(&self.cli), &self.config, &self.credentials);
            cmd.args([
                "-c",
                "import botocore.session\nfor p in botocore.session.Session().available_profiles: print(p)",
            ]);
            ok(cmd)
        };
        let mut profiles: Vec<String> = text.lines().map(|l| l.trim().to_string()).collect();
        profiles.sort();
        profiles.dedup();
        profiles
    }

    fn aws_ok(&self, args: &[&str]) -> String {
        ok(self.aws(args))
    }

    fn credwiz_ok(&self, args: &[&str]) -> String {
        ok(self.credwiz(args))
    }

    fn show(&self, name: &str) -> Value {
        serde_json::from_str(&self.credwiz_ok(&["show", name, "-o", "json", "--reveal"]))
            .expect("show prints JSON")
    }

    fn text(&self, path: &Path) -> String {
        fs::read_to_string(path).unwrap()
    }
}

/// The Python interpreter that runs the AWS CLI v1 script at `cli` (from its `#!` line).
fn python_of(cli: &Path) -> PathBuf {
    let script = fs::read(cli).expect("read the AWS CLI script");
    let first = String::from_utf8_lossy(script.split(|b| *b == b'\n').next().unwrap_or_default())
        .into_owned();
    let interpreter = first
        .strip_prefix("#!")
        .map(str::trim)
        .unwrap_or_else(|| panic!("{} is not a script: cannot find its Python", cli.display()));
    match interpreter
        .split_whitespace()
        .collect::<Vec<_>>()
        .as_slice()
    {
        [env, program, ..] if env.ends_with("/env") => PathBuf::from(program),
        [program, ..] => PathBuf::from(program),
        [] => panic!("{} has an empty #! line", cli.display()),
    }
}

fn ok(mut cmd: Command) -> String {
    let output = cmd.output().expect("run the command");
    expect_success(&format!("{cmd:?}"), output)
}

#[test]
fn what_credwiz_writes_aws_configure_get_reads() {
    let Some(sandbox) = Sandbox::new() else {
        return;
    };
    sandbox.credwiz_ok(&["set", "p", "region=eu-west-1"]);
    let mut add = sandbox.credwiz(&["add", "p", "--from-env", "--force"]);
    add.env("AWS_ACCESS_KEY_ID", ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET);
    ok(add);
    let mut add = sandbox.credwiz(&[
        "add",
        "q",
        "--from-env",
        "--region",
        "ap-northeast-1",
        "--output",
        "text",
    ]);
    add.env("AWS_ACCESS_KEY_ID", SESSION_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET2)
        .env("AWS_SESSION_TOKEN", TOKEN);
    ok(add);
    sandbox.credwiz_ok(&["set", "default", "region=us-west-2", "cli_pager="]);

    let get = |key: &str, profile: &str| sandbox.aws_get(key, Some(profile));
    assert_eq!(get("region", "p").as_deref(), Some("eu-west-1"));
    assert_eq!(get("aws_access_key_id", "p").as_deref(), Some(ID));
    assert_eq!(get("aws_secret_access_key", "p").as_deref(), Some(SECRET));
    assert_eq!(get("aws_session_token", "p"), None);
    assert_eq!(get("region", "q").as_deref(), Some("ap-northeast-1"));
    assert_eq!(get("output", "q").as_deref(), Some("text"));
    assert_eq!(get("aws_access_key_id", "q").as_deref(), Some(SESSION_ID));
    assert_eq!(get("aws_session_token", "q").as_deref(), Some(TOKEN));
    assert_eq!(
        sandbox.aws_get("region", None).as_deref(),
        Some("us-west-2")
    );

    // A rename and an unset are seen the same way.
    sandbox.credwiz_ok(&["rename", "q", "renamed"]);
    sandbox.credwiz_ok(&["unset", "renamed", "output"]);
    assert_eq!(get("region", "renamed").as_deref(), Some("ap-northeast-1"));
    assert_eq!(
        get("aws_secret_access_key", "renamed").as_deref(),
        Some(SECRET2)
    );
    assert_eq!(get("output", "renamed"), None);
    assert_eq!(sandbox.aws_profiles(), ["default", "p", "renamed"]);
}

const HAND_CONFIG_HEAD: &str = "\
# Company AWS config: do not remove this header
# (edited by hand and by tools)

[default]
region = us-east-1
output = json

";

const HAND_CONFIG_P: &str = "\
[profile p]
# p is the deploy profile
region = us-west-2
output = text

";

const HAND_CONFIG_TAIL: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer

[services local-s3]
s3 =
  endpoint_url = http://127.0.0.1:9000

; with-services points at the block above
[profile with-services]
services = local-s3
region = eu-west-1
";

fn hand_credentials_head() -> String {
    format!(
        "# keys: rotate quarterly\n[default]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n\n"
    )
}

fn hand_credentials_q() -> String {
    format!(
        "; q is the CI user\n[q]\naws_access_key_id = {ID2}\naws_secret_access_key = old-secret-to-replace-0000000000000000\n"
    )
}

#[test]
fn what_aws_configure_set_writes_credwiz_reads_and_hand_written_content_survives() {
    let config = format!("{HAND_CONFIG_HEAD}{HAND_CONFIG_P}{HAND_CONFIG_TAIL}");
    let credentials = format!("{}{}", hand_credentials_head(), hand_credentials_q());
    let Some(sandbox) = Sandbox::with_files(&config, &credentials) else {
        return;
    };
    sandbox.aws_ok(&["configure", "set", "region", "ap-south-1", "--profile", "p"]);
    sandbox.aws_ok(&[
        "configure",
        "set",
        "aws_secret_access_key",
        SECRET2,
        "--profile",
        "q",
    ]);

    let p = sandbox.show("p");
    assert_eq!(p["settings"]["region"], "ap-south-1");
    assert_eq!(p["settings"]["output"], "text");
    let q = sandbox.show("q");
    assert_eq!(q["settings"]["aws_secret_access_key"], SECRET2);
    assert_eq!(q["settings"]["aws_access_key_id"], ID2);
    assert_eq!(q["kind"], "static");
    let list: Value = serde_json::from_str(&sandbox.credwiz_ok(&["list", "-o", "json"])).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default", "p", "q", "sso-dev", "with-services"]);
    let sso = sandbox.show("sso-dev");
    assert_eq!(sso["kind"], "sso");

    // The AWS CLI edited its lines; now credwiz edits others. Every other byte stays.
    let after_aws_config = sandbox.text(&sandbox.config);
    let after_aws_credentials = sandbox.text(&sandbox.credentials);
    for untouched in [HAND_CONFIG_HEAD, HAND_CONFIG_TAIL] {
        assert!(
            after_aws_config.contains(untouched),
            "the AWS CLI kept {untouched:?}:\n{after_aws_config}"
        );
    }
    sandbox.credwiz_ok(&["set", "with-services", "output=yaml"]);
    sandbox.credwiz_ok(&["set", "q", &format!("aws_session_token={TOKEN}")]);
    sandbox.credwiz_ok(&["set", "p", "cli_pager="]);

    let config_now = sandbox.text(&sandbox.config);
    let expected_config = after_aws_config
        .replacen(
            "[profile with-services]\nservices = local-s3\nregion = eu-west-1\n",
            "[profile with-services]\nservices = local-s3\nregion = eu-west-1\noutput = yaml\n",
            1,
        )
        .replacen("output = text\n", "output = text\ncli_pager = \n", 1);
    assert_eq!(config_now, expected_config);
    assert!(config_now.starts_with(HAND_CONFIG_HEAD));
    let credentials_now = sandbox.text(&sandbox.credentials);
    assert_eq!(
        credentials_now,
        format!("{after_aws_credentials}aws_session_token = {TOKEN}\n"),
        "the token goes after q's last key; nothing else changes"
    );
    assert!(credentials_now.starts_with(&hand_credentials_head()));

    // And the AWS CLI reads credwiz's edits.
    assert_eq!(
        sandbox.aws_get("output", Some("with-services")).as_deref(),
        Some("yaml")
    );
    assert_eq!(
        sandbox.aws_get("aws_session_token", Some("q")).as_deref(),
        Some(TOKEN)
    );
    assert_eq!(
        sandbox.aws_get("region", Some("p")).as_deref(),
        Some("ap-south-1")
    );
    assert_eq!(
        sandbox.aws_get("sso_session", Some("sso-dev")).as_deref(),
        Some("corp")
    );
}

#[test]
fn profiles_the_aws_cli_creates_from_nothing_are_read_by_credwiz() {
    let Some(sandbox) = Sandbox::new() else {
        return;
    };
    sandbox.aws_ok(&[
        "configure",
        "set",
        "aws_access_key_id",
        ID,
        "--profile",
        "n",
    ]);
    sandbox.aws_ok(&[
        "configure",
        "set",
        "aws_secret_access_key",
        SECRET,
        "--profile",
        "n",
    ]);
    sandbox.aws_ok(&["configure", "set", "region", "eu-west-3", "--profile", "n"]);
    sandbox.aws_ok(&[
        "configure",
        "set",
        "s3.addressing_style",
        "path",
        "--profile",
        "n",
    ]);
    let n = sandbox.show("n");
    assert_eq!(n["kind"], "static");
    assert_eq!(
        n["settings"],
        json!({
            "aws_access_key_id": ID,
            "aws_secret_access_key": SECRET,
            "region": "eu-west-3",
            "s3": {"addressing_style": "path"},
        })
    );
    let list: Value = serde_json::from_str(&sandbox.credwiz_ok(&["list", "-o", "json"])).unwrap();
    assert_eq!(list[0]["files"], json!(["config", "credentials"]));
}

#[test]
fn a_crlf_file_with_comments_edited_by_credwiz_is_still_read_by_the_aws_cli() {
    let config = "# Windows-edited config\r\n\r\n[default]\r\n; the default\r\nregion = us-east-1\r\n\r\n# team profiles\r\n[profile alpha]\r\nregion = eu-west-1\r\noutput = json\r\n\r\n[profile beta] # second\r\nregion = eu-central-1\r\n";
    let credentials = format!(
        "; keys\r\n[default]\r\naws_access_key_id = {ID}\r\naws_secret_access_key = {SECRET}\r\n\r\n[alpha]\r\naws_access_key_id = {ID2}\r\naws_secret_access_key = {SECRET2}"
    );
    let Some(sandbox) = Sandbox::with_files(config, &credentials) else {
        return;
    };
    sandbox.credwiz_ok(&["set", "alpha", "region=ap-southeast-2"]);
    sandbox.credwiz_ok(&["set", "gamma", "region=sa-east-1", "output=text"]);
    let mut add = sandbox.credwiz(&["add", "delta", "--from-env"]);
    add.env("AWS_ACCESS_KEY_ID", SESSION_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET2);
    ok(add);
    sandbox.credwiz_ok(&["rename", "beta", "beta2"]);

    let config_now = sandbox.text(&sandbox.config);
    let credentials_now = sandbox.text(&sandbox.credentials);
    for (name, text) in [("config", &config_now), ("credentials", &credentials_now)] {
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "every line of {name} still ends in CRLF:\n{text:?}"
        );
    }
    assert_eq!(
        config_now,
        "# Windows-edited config\r\n\r\n[default]\r\n; the default\r\nregion = us-east-1\r\n\r\n# team profiles\r\n[profile alpha]\r\nregion = ap-southeast-2\r\noutput = json\r\n\r\n[profile beta2] # second\r\nregion = eu-central-1\r\n[profile gamma]\r\nregion = sa-east-1\r\noutput = text\r\n"
    );
    assert_eq!(
        credentials_now,
        format!(
            "; keys\r\n[default]\r\naws_access_key_id = {ID}\r\naws_secret_access_key = {SECRET}\r\n\r\n[alpha]\r\naws_access_key_id = {ID2}\r\naws_secret_access_key = {SECRET2}\r\n[delta]\r\naws_access_key_id = {SESSION_ID}\r\naws_secret_access_key = {SECRET2}\r\n"
        )
    );

    assert_eq!(
        sandbox.aws_profiles(),
        ["alpha", "beta2", "default", "delta", "gamma"]
    );
    assert_eq!(
        sandbox.aws_get("region", Some("alpha")).as_deref(),
        Some("ap-southeast-2")
    );
    assert_eq!(
        sandbox.aws_get("region", Some("beta2")).as_deref(),
        Some("eu-central-1")
    );
    assert_eq!(
        sandbox.aws_get("output", Some("gamma")).as_deref(),
        Some("text")
    );
    assert_eq!(
        sandbox
            .aws_get("aws_access_key_id", Some("delta"))
            .as_deref(),
        Some(SESSION_ID)
    );
    assert_eq!(
        sandbox.aws_get("region", None).as_deref(),
        Some("us-east-1")
    );
}
