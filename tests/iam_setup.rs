//! `credwiz setup` end to end against moto with IAM permissions enforced: every preset, a source
//! without IAM rights, reuse, a missing policy, an unreachable endpoint, rollback and resume after
//! an interrupted run, `--dry-run`, and secrets kept out of output and journals. The runner's
//! rollback is also driven in-process.

mod common;

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::Moto;
use credwiz::aws::{
    AwsClients, AwsError, CredentialSource, Endpoints, NewAccessKey, ProfileFilePaths, connect,
};
use credwiz::flows::setup::{
    Account, Action, ActionOutput, Effect, Existing, Msg, Preview, RequestId, Setup, Step,
};
use credwiz::journal::Journal;
use credwiz::profiles::store;
use credwiz::runner::{Backoff, Runner, SETUP_JOURNAL};
use credwiz::secret::Secret;

/// A guard against a hung process, not a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(300);

const CONFIG_TEXT: &str =
    "# kept byte for byte\n[default]\nregion = us-east-1\n\n[profile unrelated]\noutput = text\n";

fn managed(name: &str) -> String {
    format!("arn:aws:iam::aws:policy/{name}")
}

fn endpoints(endpoint: &str) -> Endpoints {
    Endpoints::resolve(Some(endpoint), |_| None)
}

fn pasted(access_key_id: &str, secret: &str) -> CredentialSource {
    CredentialSource::Pasted {
        access_key_id: access_key_id.to_string(),
        secret_access_key: Secret::new(secret),
        session_token: None,
    }
}

fn write_private(path: &Path, text: &str) {
    fs::write(path, text).expect("write a test file");
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).expect("chmod 600");
}

fn profile_section(name: &str, key_id: &str, secret: &str) -> String {
    format!("[{name}]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
}

/// What one `credwiz` run printed.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    fn shown(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    #[track_caller]
    fn assert_code(&self, code: i32) {
        assert_eq!(self.code, Some(code), "{}", self.shown());
    }

    #[track_caller]
    fn assert_stdout_has(&self, needle: &str) {
        assert!(self.stdout.contains(needle), "{}", self.shown());
    }

    #[track_caller]
    fn assert_stderr_has(&self, needle: &str) {
        assert!(self.stderr.contains(needle), "{}", self.shown());
    }
}

/// Runs `command` to completion, killing it (by its id) if it hangs.
fn run(mut command: Command) -> Ran {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start credwiz");
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = String::new();
        let mut err = String::new();
        let _ = stdout.read_to_string(&mut out);
        let _ = stderr.read_to_string(&mut err);
        let _ = sender.send((out, err));
    });
    let (stdout, stderr) = match receiver.recv_timeout(HANG_GUARD) {
        Ok(output) => output,
        Err(_) => {
            // SAFETY: `pid` is the child this function started and has not reaped yet.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            let _ = child.wait();
            panic!("credwiz (pid {pid}) hung for more than {HANG_GUARD:?}");
        }
    };
    let status = child.wait().expect("wait for credwiz");
    Ran {
        code: status.code(),
        stdout,
        stderr,
    }
}

/// A home with its own AWS files (the admin key as profile `admin`) and its own state folder.
struct Sandbox {
    home: tempfile::TempDir,
    endpoint: String,
    config: PathBuf,
    credentials: PathBuf,
    state: PathBuf,
}

impl Sandbox {
    fn new(moto: &Moto) -> Sandbox {
        Sandbox::with_admin(
            &moto.endpoint,
            &moto.admin_access_key_id,
            &moto.admin_secret_access_key,
        )
    }

    fn with_admin(endpoint: &str, key_id: &str, secret: &str) -> Sandbox {
        let home = common::temp_dir();
        let aws = home.path().join(".aws");
        fs::create_dir(&aws).expect("create .aws");
        let config = aws.join("config");
        let credentials = aws.join("credentials");
        write_private(&config, CONFIG_TEXT);
        write_private(
            &credentials,
            &format!("# test keys\n{}", profile_section("admin", key_id, secret)),
        );
        let state = home.path().join("state");
        Sandbox {
            endpoint: endpoint.to_string(),
            config,
            credentials,
            state,
            home,
        }
    }

    /// The admin key lives in the config file, and the credentials file is to go in a folder
    /// whose parent does not exist: reading it gives nothing, writing it fails. A run therefore
    /// stops at `CreateKeyAndWriteProfile`, after the user and its policies were created.
    fn with_unwritable_credentials(moto: &Moto) -> Sandbox {
        let home = common::temp_dir();
        let config = home.path().join("config");
        write_private(
            &config,
            &format!(
                "{CONFIG_TEXT}\n{}",
                profile_section(
                    "profile admin",
                    &moto.admin_access_key_id,
                    &moto.admin_secret_access_key
                )
            ),
        );
        let credentials = home.path().join("missing").join("aws").join("credentials");
        let state = home.path().join("state");
        Sandbox {
            endpoint: moto.endpoint.clone(),
            config,
            credentials,
            state,
            home,
        }
    }

    fn files(&self) -> ProfileFilePaths {
        ProfileFilePaths {
            config: self.config.clone(),
            credentials: self.credentials.clone(),
        }
    }

    fn command_at(&self, endpoint: &str, args: &[&str]) -> Command {
        let mut command = common::credwiz_in_home(self.home.path());
        command
            .env("CREDWIZ_STATE_DIR", &self.state)
            .arg("--config-file")
            .arg(&self.config)
            .arg("--credentials-file")
            .arg(&self.credentials)
            .arg("--endpoint-url")
            .arg(endpoint)
            .args(args);
        command
    }

    fn credwiz(&self, args: &[&str]) -> Ran {
        run(self.command_at(&self.endpoint, args))
    }

    fn setup(&self, args: &[&str]) -> Ran {
        let mut all = vec!["setup"];
        all.extend_from_slice(args);
        self.credwiz(&all)
    }

    /// Adds a profile to the credentials file (for a second source identity).
    fn add_profile(&self, name: &str, key_id: &str, secret: &str) {
        let mut text = fs::read_to_string(&self.credentials).expect("read credentials");
        text.push_str(&profile_section(name, key_id, secret));
        write_private(&self.credentials, &text);
    }

    /// Every file beside the AWS files, with its bytes: a write or a backup shows up here.
    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        for path in [&self.config, &self.credentials] {
            let Some(folder) = path.parent() else {
                continue;
            };
            let Ok(entries) = fs::read_dir(folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_file() && !files.iter().any(|(p, _)| p == &path) {
                    files.push((path.clone(), fs::read(&path).expect("read")));
                }
            }
        }
        files.sort();
        files
    }

    fn setting(&self, profile: &str, key: &str) -> Option<String> {
        let loaded = store::load_both(&self.files()).expect("the files load");
        loaded
            .reading()
            .get(profile)
            .and_then(|p| p.get(key))
            .map(str::to_string)
    }

    fn secret_of(&self, profile: &str) -> String {
        self.setting(profile, "aws_secret_access_key")
            .unwrap_or_else(|| panic!("profile {profile} holds no secret"))
    }

    fn unfinished_journal(&self) -> Option<Journal<Action>> {
        Journal::<Action>::latest_unfinished(&self.state, SETUP_JOURNAL)
    }

    fn journal_files(&self) -> Vec<PathBuf> {
        fs::read_dir(self.state.join("journal"))
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }

    /// The profile, as the SDK reads it from these files, acts as `user` with STS.
    async fn assert_profile_acts_as(&self, profile: &str, user: &str) {
        let clients = connect(
            &CredentialSource::Profile(profile.to_string()),
            &endpoints(&self.endpoint),
            &self.files(),
            None,
        )
        .await
        .expect("connect with the written profile");
        let identity = clients
            .caller_identity()
            .await
            .expect("the written profile works with STS");
        assert_eq!(identity.user_name(), Some(user), "{}", identity.arn);
    }

    /// The secret in `profile` is in no output and no file of the state folder.
    fn assert_secret_kept_out(&self, profile: &str, runs: &[&Ran]) {
        let secret = self.secret_of(profile);
        assert!(secret.len() >= 16, "a real secret was written");
        for ran in runs {
            assert!(
                !ran.all().contains(&secret),
                "the new secret was printed:\n{}",
                ran.shown()
            );
        }
        let journals = self.journal_files();
        assert!(!journals.is_empty(), "the run kept a journal");
        for path in files_under(&self.state) {
            let bytes = fs::read(&path).expect("read a state file");
            assert!(
                !String::from_utf8_lossy(&bytes).contains(&secret),
                "{} holds the new secret",
                path.display()
            );
        }
    }
}

fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(folder) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

async fn admin(moto: &Moto) -> AwsClients {
    common::iam::admin(moto, "iam-setup").await
}

async fn user_exists(admin: &AwsClients, user: &str) -> bool {
    admin.get_user(user).await.expect("GetUser").is_some()
}

async fn user_policies(admin: &AwsClients, user: &str) -> Vec<String> {
    let mut names: Vec<String> = admin
        .list_attached_user_policies(user)
        .await
        .expect("ListAttachedUserPolicies")
        .into_iter()
        .map(|p| p.name)
        .collect();
    names.sort();
    names
}

async fn group_policies(admin: &AwsClients, group: &str) -> Vec<String> {
    let output = admin
        .iam
        .list_attached_group_policies()
        .group_name(group)
        .send()
        .await
        .expect("ListAttachedGroupPolicies");
    let mut names: Vec<String> = output
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name().map(str::to_string))
        .collect();
    names.sort();
    names
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    names.sort();
    names
}

// ---- Every preset, end to end ----------------------------------------------------------------

/// `--preset PRESET --source-profile SOURCE --user-name USER --profile PROFILE`, then `extra`.
fn preset_args<'a>(
    preset: &'a str,
    source: &'a str,
    user: &'a str,
    profile: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "--preset",
        preset,
        "--source-profile",
        source,
        "--user-name",
        user,
        "--profile",
        profile,
    ];
    args.extend_from_slice(extra);
    args
}

/// A new user with no policies whose key `sandbox` holds as the profile `weak`.
async fn weak_source(admin: &AwsClients, sandbox: &Sandbox, prefix: &str) -> NewAccessKey {
    let weak_user = common::unique_name(prefix);
    admin
        .create_user(&weak_user)
        .await
        .expect("create the weak user");
    let weak_key = admin
        .create_access_key(&weak_user)
        .await
        .expect("a key for the weak user");
    sandbox.add_profile(
        "weak",
        &weak_key.access_key_id,
        weak_key.secret_access_key.expose(),
    );
    weak_key
}

/// Runs `--preset ID --yes` and checks the user, the policies, the profile and the secret.
async fn preset_end_to_end(preset: &str, policies: &[&str], with_group: bool) -> (Sandbox, Ran) {
    let moto = common::moto().expect("checked by the caller");
    let admin = admin(&moto).await;
    let sandbox = Sandbox::new(&moto);
    let user = common::unique_name(&format!("setup-{preset}"));
    let profile = format!("p-{user}");
    let group = common::unique_name(&format!("setup-{preset}-group"));
    let mut args = preset_args(preset, "admin", &user, &profile, &["--yes"]);
    if with_group {
        args.extend(["--group", &group]);
    }
    let ran = sandbox.setup(&args);
    ran.assert_code(0);
    ran.assert_stderr_has(&format!("export AWS_PROFILE={profile}"));

    let found = admin
        .get_user(&user)
        .await
        .expect("GetUser")
        .expect("the user was created");
    assert_eq!(found.name, user);
    if with_group {
        let found = admin
            .get_group(&group)
            .await
            .expect("GetGroup")
            .expect("the group was created");
        assert_eq!(found.members, vec![user.clone()]);
        assert_eq!(group_policies(&admin, &group).await, sorted(policies));
        assert!(
            user_policies(&admin, &user).await.is_empty(),
            "policies go to the group"
        );
    } else {
        assert_eq!(user_policies(&admin, &user).await, sorted(policies));
    }
    let keys = admin.list_access_keys(&user).await.expect("ListAccessKeys");
    assert_eq!(keys.len(), 1);
    assert_eq!(
        sandbox.setting(&profile, "aws_access_key_id"),
        Some(keys[0].access_key_id.clone())
    );
    sandbox.assert_profile_acts_as(&profile, &user).await;
    sandbox.assert_secret_kept_out(&profile, &[&ran]);
    assert!(
        sandbox.unfinished_journal().is_none(),
        "a finished run leaves no unfinished journal"
    );
    assert!(
        fs::read_to_string(&sandbox.config)
            .unwrap()
            .starts_with(CONFIG_TEXT),
        "the config file's existing lines are kept"
    );
    (sandbox, ran)
}

#[tokio::test]
async fn the_aimodelshare_preset_end_to_end() {
    if common::moto().is_none() {
        return;
    }
    let (_, ran) = preset_end_to_end("aimodelshare", &["AdministratorAccess"], false).await;
    ran.assert_stderr_has("AdministratorAccess grants full control");
    ran.assert_stdout_has("aws iam attach-user-policy");
}

#[tokio::test]
async fn the_pharmer_preset_end_to_end() {
    if common::moto().is_none() {
        return;
    }
    let (_, ran) = preset_end_to_end(
        "pharmer",
        &[
            "AmazonEC2FullAccess",
            "AmazonRoute53FullAccess",
            "IAMFullAccess",
            "AmazonVPCFullAccess",
        ],
        true,
    )
    .await;
    ran.assert_stdout_has("aws iam create-group");
    ran.assert_stdout_has("aws iam attach-group-policy");
}

#[tokio::test]
async fn the_mturk_preset_end_to_end_skips_its_missing_optional_policy() {
    if common::moto().is_none() {
        return;
    }
    let (sandbox, ran) =
        preset_end_to_end("mturk", &["AmazonMechanicalTurkFullAccess"], false).await;
    ran.assert_stderr_has("AmazonMechanicalTurkCrowdFullAccess is not available");
    let profile = ran
        .stderr
        .split("export AWS_PROFILE=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the profile name")
        .to_string();
    assert_eq!(
        sandbox.setting(&profile, "region").as_deref(),
        Some("us-east-1")
    );
    assert_eq!(sandbox.setting(&profile, "output").as_deref(), Some("json"));
}

#[tokio::test]
async fn the_s3_readonly_preset_end_to_end() {
    if common::moto().is_none() {
        return;
    }
    preset_end_to_end("s3-readonly", &["AmazonS3ReadOnlyAccess"], false).await;
}

// ---- Refusals that create nothing ------------------------------------------------------------

#[tokio::test]
async fn a_source_without_iam_rights_is_access_denied_and_creates_nothing() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let sandbox = Sandbox::new(&moto);
    let weak_key = weak_source(&admin, &sandbox, "setup-weak-source").await;
    let before = sandbox.snapshot();
    let user = common::unique_name("setup-by-weak");

    let ran = sandbox.setup(&preset_args(
        "s3-readonly",
        "weak",
        &user,
        &user,
        &["--yes"],
    ));
    ran.assert_code(1);
    ran.assert_stderr_has("not authorized");
    let names_an_iam_action = ran
        .stderr
        .split("iam:")
        .skip(1)
        .any(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_uppercase()));
    assert!(names_an_iam_action, "no iam: action named\n{}", ran.shown());
    assert!(!ran.all().contains(weak_key.secret_access_key.expose()));
    assert!(!user_exists(&admin, &user).await, "nothing may be created");
    assert_eq!(sandbox.snapshot(), before, "the files are byte-identical");
    assert!(sandbox.unfinished_journal().is_none());
}

/// PRODUCT.md: "Every AWS error shows its code, what it means here, and the way out".
#[tokio::test]
async fn an_access_denied_failure_shows_its_error_code() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let sandbox = Sandbox::new(&moto);
    weak_source(&admin, &sandbox, "setup-weak-code").await;
    let user = common::unique_name("setup-by-weak-code");
    let ran = sandbox.setup(&preset_args(
        "s3-readonly",
        "weak",
        &user,
        &user,
        &["--yes"],
    ));
    ran.assert_code(1);
    ran.assert_stderr_has("AccessDenied");
}

#[tokio::test]
async fn an_unknown_policy_is_refused_before_anything_is_created() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let sandbox = Sandbox::new(&moto);
    let before = sandbox.snapshot();
    let user = common::unique_name("setup-no-policy");
    let ran = sandbox.setup(&[
        "--source-profile",
        "admin",
        "--user-name",
        &user,
        "--policy",
        "NoSuchPolicyXyz",
        "--profile",
        &user,
        "--yes",
    ]);
    ran.assert_code(1);
    ran.assert_stderr_has("NoSuchPolicyXyz");
    ran.assert_stderr_has("nothing has been created");
    assert!(!user_exists(&admin, &user).await);
    assert_eq!(sandbox.snapshot(), before);
    assert!(sandbox.journal_files().is_empty(), "no run was started");
}

#[test]
fn an_unreachable_endpoint_is_a_clear_error() {
    // No server is needed: nothing listens on port 1.
    let sandbox = Sandbox::with_admin(
        "http://127.0.0.1:1",
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    );
    let before = sandbox.snapshot();
    let ran = sandbox.setup(&preset_args(
        "s3-readonly",
        "admin",
        "nobody",
        "nobody",
        &["--yes"],
    ));
    ran.assert_code(1);
    ran.assert_stderr_has("could not reach http://127.0.0.1:1");
    assert_eq!(
        ran.stderr.matches("credwiz: error:").count(),
        1,
        "one error, not a cascade\n{}",
        ran.shown()
    );
    assert_eq!(sandbox.snapshot(), before);
}

#[tokio::test]
async fn a_dry_run_prints_the_plan_and_changes_nothing() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let sandbox = Sandbox::new(&moto);
    let before = sandbox.snapshot();
    let user = common::unique_name("setup-dry-run");
    let profile = format!("p-{user}");
    let ran = sandbox.setup(&preset_args(
        "s3-readonly",
        "admin",
        &user,
        &profile,
        &["--dry-run"],
    ));
    ran.assert_code(0);
    for command in [
        format!("aws iam create-user --user-name {user}"),
        format!(
            "aws iam attach-user-policy --user-name {user} --policy-arn {}",
            managed("AmazonS3ReadOnlyAccess")
        ),
        format!("aws iam create-access-key --user-name {user}"),
        format!("aws sts get-caller-identity --profile {profile}"),
    ] {
        assert!(ran.stdout.contains(&command), "{command}\n{}", ran.shown());
    }
    ran.assert_stdout_has(&format!("+[{profile}]"));
    ran.assert_stderr_has("nothing was changed");
    assert!(!user_exists(&admin, &user).await);
    assert_eq!(sandbox.snapshot(), before);
    assert!(sandbox.journal_files().is_empty());
}

#[tokio::test]
async fn a_policy_given_twice_is_attached_once() {
    let Some(moto) = common::moto() else { return };
    let sandbox = Sandbox::new(&moto);
    let user = common::unique_name("setup-twice");
    let ran = sandbox.setup(&[
        "--source-profile",
        "admin",
        "--user-name",
        &user,
        "--policy",
        "AmazonS3ReadOnlyAccess",
        "--policy",
        "AmazonS3ReadOnlyAccess",
        "--dry-run",
    ]);
    ran.assert_code(0);
    let attach = format!(
        "aws iam attach-user-policy --user-name {user} --policy-arn {}",
        managed("AmazonS3ReadOnlyAccess")
    );
    assert_eq!(ran.stdout.matches(&attach).count(), 1, "{}", ran.shown());
}

#[tokio::test]
async fn without_yes_a_script_is_told_to_pass_it() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let sandbox = Sandbox::new(&moto);
    let user = common::unique_name("setup-no-yes");
    let ran = sandbox.setup(&preset_args("s3-readonly", "admin", &user, &user, &[]));
    ran.assert_code(2);
    ran.assert_stderr_has("--yes");
    assert!(!user_exists(&admin, &user).await);
}

// ---- Reuse -----------------------------------------------------------------------------------

#[tokio::test]
async fn an_existing_user_is_reused() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let sandbox = Sandbox::new(&moto);
    let user = common::unique_name("setup-reuse");
    let first_profile = format!("first-{user}");
    let second_profile = format!("second-{user}");
    let args = |profile| preset_args("s3-readonly", "admin", &user, profile, &["--yes"]);
    let first = sandbox.setup(&args(&first_profile));
    first.assert_code(0);
    let second = sandbox.setup(&args(&second_profile));
    second.assert_code(0);
    second.assert_stderr_has(&format!("user {user} exists; it will be reused"));
    assert!(
        !second.stdout.contains("aws iam create-user"),
        "the plan must not create it again\n{}",
        second.shown()
    );
    let keys = admin.list_access_keys(&user).await.expect("ListAccessKeys");
    assert_eq!(keys.len(), 2, "one key per run");
    assert_eq!(
        user_policies(&admin, &user).await,
        sorted(&["AmazonS3ReadOnlyAccess"])
    );
    sandbox.assert_profile_acts_as(&first_profile, &user).await;
    sandbox.assert_profile_acts_as(&second_profile, &user).await;
    sandbox.assert_secret_kept_out(&first_profile, &[&first, &second]);
    sandbox.assert_secret_kept_out(&second_profile, &[&first, &second]);
}

#[tokio::test]
async fn an_existing_profile_is_replaced_only_with_force() {
    let Some(moto) = common::moto() else { return };
    let sandbox = Sandbox::new(&moto);
    let user = common::unique_name("setup-replace");
    sandbox.add_profile(
        &user,
        "AKIAOLDOLDOLDOLDOLD1",
        "old-secret-old-secret-old-secret-0000",
    );
    let before = sandbox.snapshot();
    let args = preset_args("s3-readonly", "admin", &user, &user, &["--yes"]);
    let refused = sandbox.setup(&args);
    refused.assert_code(2);
    refused.assert_stderr_has("--force");
    assert_eq!(sandbox.snapshot(), before);
    assert!(!user_exists(&admin(&moto).await, &user).await);

    let mut forced = args.to_vec();
    forced.push("--force");
    let ran = sandbox.setup(&forced);
    ran.assert_code(0);
    sandbox.assert_profile_acts_as(&user, &user).await;
    assert_ne!(
        sandbox.setting(&user, "aws_access_key_id").as_deref(),
        Some("AKIAOLDOLDOLDOLDOLD1")
    );
}

// ---- Interrupted runs: rollback and resume ---------------------------------------------------

/// Starts a run that stops when the profile cannot be written.
fn interrupted_run(sandbox: &Sandbox, extra: &[&str]) -> Ran {
    let mut args = vec!["--source-profile", "admin", "--yes"];
    args.extend_from_slice(extra);
    let ran = sandbox.setup(&args);
    ran.assert_code(1);
    ran.assert_stderr_has("could not write the profile");
    ran.assert_stderr_has("the new key was deleted again");
    ran.assert_stderr_has("--resume");
    ran.assert_stderr_has("--rollback");
    ran
}

#[tokio::test]
async fn rollback_after_an_interrupted_run_leaves_the_account_as_it_was() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let sandbox = Sandbox::with_unwritable_credentials(&moto);
    let user = common::unique_name("setup-rollback");
    let group = common::unique_name("setup-rollback-group");
    let config_before = fs::read(&sandbox.config).unwrap();
    interrupted_run(
        &sandbox,
        &[
            "--preset",
            "pharmer",
            "--user-name",
            &user,
            "--group",
            &group,
            "--profile",
            &user,
        ],
    );
    // The run got as far as the key: user, group, membership and policies exist; no key.
    assert!(user_exists(&admin, &user).await);
    assert_eq!(group_policies(&admin, &group).await.len(), 4);
    assert!(
        admin.list_access_keys(&user).await.unwrap().is_empty(),
        "a key nobody holds was left behind"
    );
    let journal = sandbox.unfinished_journal().expect("an unfinished journal");
    assert_eq!(journal.source_profile.as_deref(), Some("admin"));
    assert_eq!(journal.completed.len(), 7, "{:?}", journal.completed);

    let ran = sandbox.setup(&["--rollback", "--source-profile", "admin"]);
    ran.assert_code(0);
    ran.assert_stderr_has(&format!("Delete user {user}"));
    assert!(!user_exists(&admin, &user).await, "the user is gone");
    assert_eq!(
        admin.get_group(&group).await.expect("GetGroup"),
        None,
        "the group is gone"
    );
    assert!(
        sandbox.unfinished_journal().is_none(),
        "the journal is closed"
    );
    assert_eq!(fs::read(&sandbox.config).unwrap(), config_before);
    assert!(!sandbox.credentials.exists());

    // Nothing is left to roll back.
    let again = sandbox.setup(&["--rollback", "--source-profile", "admin"]);
    again.assert_code(1);
    again.assert_stderr_has("no unfinished setup run");
}

#[tokio::test]
async fn resume_finishes_a_run_once_the_cause_is_fixed() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let sandbox = Sandbox::with_unwritable_credentials(&moto);
    let user = common::unique_name("setup-resume");
    let failed = interrupted_run(
        &sandbox,
        &[
            "--preset",
            "s3-readonly",
            "--user-name",
            &user,
            "--profile",
            &user,
        ],
    );
    assert!(user_exists(&admin, &user).await);

    // Fix the cause: the credentials file's folder can now be created.
    fs::create_dir(sandbox.home.path().join("missing")).expect("create the folder");
    let ran = sandbox.setup(&["--resume"]);
    ran.assert_code(0);
    ran.assert_stderr_has("✓ Verified with STS");
    assert_eq!(
        user_policies(&admin, &user).await,
        sorted(&["AmazonS3ReadOnlyAccess"])
    );
    let keys = admin.list_access_keys(&user).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        sandbox.setting(&user, "aws_access_key_id"),
        Some(keys[0].access_key_id.clone())
    );
    sandbox.assert_profile_acts_as(&user, &user).await;
    sandbox.assert_secret_kept_out(&user, &[&failed, &ran]);
    assert!(sandbox.unfinished_journal().is_none());
}

#[tokio::test]
async fn resume_without_an_unfinished_run_says_so() {
    let Some(moto) = common::moto() else { return };
    let sandbox = Sandbox::new(&moto);
    let ran = sandbox.setup(&["--resume", "--source-profile", "admin"]);
    ran.assert_code(1);
    ran.assert_stderr_has("no unfinished setup run");
}

// ---- The runner, in process ------------------------------------------------------------------

struct InProcess {
    _home: tempfile::TempDir,
    paths: ProfileFilePaths,
    state: PathBuf,
    runner: Runner,
}

async fn in_process(moto: &Moto) -> InProcess {
    let home = common::temp_dir();
    let paths = ProfileFilePaths {
        config: home.path().join("config"),
        credentials: home.path().join("credentials"),
    };
    write_private(&paths.credentials, "# nothing yet\n");
    let state = home.path().join("state");
    let runner = Runner::new(
        paths.clone(),
        endpoints(&moto.endpoint),
        state.clone(),
        Backoff::default(),
    );
    runner
        .connect(&pasted(
            &moto.admin_access_key_id,
            &moto.admin_secret_access_key,
        ))
        .await
        .expect("the runner connects as the admin");
    InProcess {
        _home: home,
        paths,
        state,
        runner,
    }
}

impl InProcess {
    /// Journals `plan` and performs each action in turn; returns what each produced.
    async fn perform_plan(&self, plan: &[Action]) -> Vec<ActionOutput> {
        assert!(matches!(
            self.runner
                .perform(Effect::BeginJournal {
                    request: RequestId(0),
                    plan: plan.to_vec()
                })
                .await,
            Some(Msg::JournalStarted(_, Ok(())))
        ));
        let mut outputs = Vec::new();
        for (n, action) in plan.iter().enumerate() {
            let request = RequestId(n as u64 + 1);
            match self
                .runner
                .perform(Effect::Perform {
                    request,
                    action: action.clone(),
                })
                .await
            {
                Some(Msg::Performed(answered, Ok(output))) => {
                    assert_eq!(answered, request);
                    outputs.push(output);
                }
                Some(Msg::Performed(_, Err(error))) => panic!("{action:?} failed: {error}"),
                other => panic!("unexpected answer {other:?}"),
            }
        }
        outputs
    }

    /// Rolls `journal` back, every step of it successfully.
    async fn rollback_cleanly(
        &self,
        journal: &mut Journal<Action>,
    ) -> Vec<(String, Result<(), AwsError>)> {
        let results = self.runner.rollback(journal).await;
        for (label, result) in &results {
            assert!(result.is_ok(), "{label}: {result:?}");
        }
        results
    }

    fn journal(&self) -> Journal<Action> {
        Journal::<Action>::latest_unfinished(&self.state, SETUP_JOURNAL)
            .expect("an unfinished journal")
    }

    fn profile_setting(&self, profile: &str, key: &str) -> Option<String> {
        store::load_both(&self.paths)
            .unwrap()
            .reading()
            .get(profile)
            .and_then(|p| p.get(key))
            .map(str::to_string)
    }
}

/// Creates a key for `user` and writes it as the profile named `user`.
fn key_and_profile(user: &str) -> Action {
    Action::CreateKeyAndWriteProfile {
        user: user.to_string(),
        profile: user.to_string(),
        region: None,
        output: None,
    }
}

#[tokio::test]
async fn the_runner_rolls_back_a_run_that_wrote_its_key() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let run = in_process(&moto).await;
    let user = common::unique_name("runner-rollback");
    let plan = vec![
        Action::CreateUser { user: user.clone() },
        Action::AttachUserPolicy {
            user: user.clone(),
            arn: managed("AmazonS3ReadOnlyAccess"),
        },
        Action::CreateKeyAndWriteProfile {
            user: user.clone(),
            profile: user.clone(),
            region: Some("eu-west-1".to_string()),
            output: None,
        },
    ];
    let outputs = run.perform_plan(&plan).await;
    let ActionOutput::KeyWritten(key) = &outputs[2] else {
        panic!("expected the key, got {outputs:?}");
    };
    assert_eq!(
        run.profile_setting(&user, "aws_access_key_id"),
        Some(key.access_key_id.clone())
    );
    assert_eq!(
        run.profile_setting(&user, "region").as_deref(),
        Some("eu-west-1")
    );

    // Interrupted before verification: the journal holds the three steps and the key id only.
    let mut journal = run.journal();
    assert_eq!(journal.done_actions(), plan);
    assert_eq!(
        journal.completed[2].created_key_id.as_deref(),
        Some(key.access_key_id.as_str())
    );
    assert!(!journal.completed[2].profile_existed);
    let text = fs::read_to_string(&journal.path).unwrap();
    assert!(!text.contains(key.secret_access_key.expose()));

    let results = run.rollback_cleanly(&mut journal).await;
    let labels: Vec<&str> = results.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
    assert!(labels[0].contains(&key.access_key_id), "{labels:?}");
    assert!(labels[2].contains("Delete user"), "{labels:?}");
    assert!(!user_exists(&admin, &user).await);
    assert_eq!(run.profile_setting(&user, "aws_access_key_id"), None);
    assert!(
        Journal::<Action>::latest_unfinished(&run.state, SETUP_JOURNAL).is_none(),
        "a complete rollback closes the journal"
    );
}

#[tokio::test]
async fn the_runner_rolls_back_a_partial_run() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let run = in_process(&moto).await;
    let user = common::unique_name("runner-partial");
    let group = common::unique_name("runner-partial-group");
    let plan = vec![
        Action::CreateGroup {
            group: group.clone(),
        },
        Action::CreateUser { user: user.clone() },
        Action::AddUserToGroup {
            user: user.clone(),
            group: group.clone(),
        },
        Action::AttachGroupPolicy {
            group: group.clone(),
            arn: managed("AmazonS3ReadOnlyAccess"),
        },
        key_and_profile(&user),
    ];
    // Journal the whole plan, but perform only the first four steps.
    assert!(matches!(
        run.runner
            .perform(Effect::BeginJournal {
                request: RequestId(0),
                plan: plan.clone()
            })
            .await,
        Some(Msg::JournalStarted(_, Ok(())))
    ));
    for (n, action) in plan[..4].iter().enumerate() {
        let answer = run
            .runner
            .perform(Effect::Perform {
                request: RequestId(n as u64),
                action: action.clone(),
            })
            .await;
        assert!(
            matches!(answer, Some(Msg::Performed(_, Ok(ActionOutput::Completed)))),
            "{action:?}: {answer:?}"
        );
    }
    let mut journal = run.journal();
    assert_eq!(journal.done_actions(), plan[..4].to_vec());
    let results = run.rollback_cleanly(&mut journal).await;
    assert_eq!(results.len(), 4);
    assert!(!user_exists(&admin, &user).await);
    assert_eq!(admin.get_group(&group).await.unwrap(), None);
    assert_eq!(
        fs::read_to_string(&run.paths.credentials).unwrap(),
        "# nothing yet\n",
        "no file was touched"
    );
}

#[tokio::test]
async fn rollback_of_a_reused_user_detaches_only_what_the_run_attached() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let run = in_process(&moto).await;
    // The user existed before the run, with no policies.
    let user = common::unique_name("runner-reused");
    admin.create_user(&user).await.unwrap();
    let plan = vec![
        Action::AttachUserPolicy {
            user: user.clone(),
            arn: managed("AmazonS3ReadOnlyAccess"),
        },
        key_and_profile(&user),
    ];
    run.perform_plan(&plan).await;
    let mut journal = run.journal();
    run.rollback_cleanly(&mut journal).await;
    assert!(user_exists(&admin, &user).await, "a reused user is kept");
    assert!(admin.list_access_keys(&user).await.unwrap().is_empty());
    assert_eq!(run.profile_setting(&user, "aws_access_key_id"), None);
    assert_eq!(
        user_policies(&admin, &user).await,
        Vec::<String>::new(),
        "the run attached AmazonS3ReadOnlyAccess to a user that had no policies; \
         after `Rolled back: the account is as it was` it must be gone"
    );
}

/// The wizard at review for `s3-readonly` with `user`, its read-only steps answered without I/O
/// (they are covered by `setup_flow.rs` and the CLI tests above).
fn reviewed(user: &str) -> Setup {
    let mut setup = Setup::new(credwiz::presets::built_in());
    setup.update(Msg::PickPreset(Some("s3-readonly".to_string())));
    setup.update(Msg::EditUserName(user.to_string()));
    setup.update(Msg::EditProfile(user.to_string()));
    setup.update(Msg::PickSource(CredentialSource::Profile(
        "admin".to_string(),
    )));
    let answer = |setup: &mut Setup, effects: Vec<Effect>| -> Vec<Effect> {
        let Some(effect) = effects.into_iter().next() else {
            return Vec::new();
        };
        let msg = match effect {
            Effect::Identify { request, .. } => Msg::Identified(
                request,
                Ok(Account {
                    identity: credwiz::aws::CallerIdentity {
                        account: "123456789012".to_string(),
                        arn: "arn:aws:iam::123456789012:user/credwiz-test-admin".to_string(),
                        user_id: "AIDAADMIN".to_string(),
                    },
                    aliases: Vec::new(),
                }),
            ),
            Effect::LookUpUser { request, .. } => Msg::UserLookedUp(
                request,
                Ok(Existing {
                    user: false,
                    group: false,
                }),
            ),
            Effect::LoadPolicyCatalog { request } => Msg::CatalogLoaded(request, Ok(Vec::new())),
            Effect::CheckPolicies { request, arns } => Msg::PoliciesChecked(
                request,
                Ok(arns.into_iter().map(|arn| (arn, true)).collect()),
            ),
            Effect::PreviewFiles { request, .. } => Msg::Previewed(
                request,
                Ok(Preview {
                    diff: String::new(),
                    profile_exists: false,
                }),
            ),
            other => panic!("unexpected {other:?} before review"),
        };
        setup.update(msg)
    };
    for _ in 0..12 {
        if setup.step == Step::Review {
            return setup;
        }
        let effects = setup.update(Msg::Next);
        let more = answer(&mut setup, effects);
        answer(&mut setup, more);
    }
    panic!("the wizard did not reach review: {:?}", setup.step);
}

/// The CLI's run loop (perform each batch with `perform_all`, feed the answers back), stopped
/// once the key is written, before verification.
async fn run_until_the_key_is_written(setup: &mut Setup, runner: &Runner) {
    let mut effects = setup.update(Msg::Next);
    assert!(matches!(effects.first(), Some(Effect::BeginJournal { .. })));
    while !effects.is_empty() {
        let messages = runner.perform_all(effects).await;
        effects = messages
            .into_iter()
            .flat_map(|msg| setup.update(msg))
            .filter(|effect| {
                !matches!(
                    effect,
                    Effect::Perform {
                        action: Action::VerifyKey { .. },
                        ..
                    }
                )
            })
            .collect();
    }
    assert!(setup.problem.is_none(), "{:?}", setup.problem);
    assert!(setup.created_key.is_some(), "{:?}", setup.run);
}

/// The first wave starts only once the journal exists (`BeginJournal` answers `JournalStarted`),
/// so even steps that finish fast are journalled; otherwise `--resume` would repeat them and
/// `--rollback` leave them behind. Each attempt below is one real run.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_step_of_a_run_is_journalled_even_the_first_wave() {
    const ATTEMPTS: usize = 40;
    let Some(moto) = common::moto() else { return };
    let mut unjournalled = Vec::new();
    for _ in 0..ATTEMPTS {
        let run = in_process(&moto).await;
        let user = common::unique_name("runner-journal-race");
        let mut setup = reviewed(&user);
        let plan = setup.plan();
        run_until_the_key_is_written(&mut setup, &run.runner).await;
        let journal = run.journal();
        assert_eq!(journal.plan, plan);
        let done = journal.done_actions();
        let missing: Vec<&Action> = plan.iter().filter(|a| !done.contains(a)).collect();
        if !missing.is_empty() {
            unjournalled.push(format!("{user}: {missing:?}"));
        }
    }
    assert!(
        unjournalled.is_empty(),
        "steps performed but not journalled in {} of {ATTEMPTS} runs:\n{}",
        unjournalled.len(),
        unjournalled.join("\n")
    );
}

/// After a run's key is verified, the journal records `VerifyKey`; the journal must still load,
/// or `--resume` and `--rollback` skip it (and may pick up an older run instead).
#[test]
fn a_journal_that_recorded_the_verification_loads_again() {
    let folder = common::temp_dir();
    let verify = Action::VerifyKey {
        user: "u".to_string(),
        profile: "p".to_string(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_string(),
    };
    let mut journal = Journal::create(
        folder.path(),
        SETUP_JOURNAL,
        Some("admin".to_string()),
        vec![Action::CreateUser {
            user: "u".to_string(),
        }],
    )
    .expect("create a journal");
    journal
        .record(credwiz::journal::Completed {
            action: verify.clone(),
            created_key_id: None,
            profile_existed: false,
            already_present: false,
        })
        .expect("record the verification");
    let loaded = Journal::<Action>::load(&journal.path);
    let text = fs::read_to_string(&journal.path).unwrap();
    let loaded = loaded.unwrap_or_else(|e| panic!("the journal does not load: {e}\n{text}"));
    assert_eq!(loaded.done_actions(), vec![verify]);
    assert!(
        Journal::<Action>::latest_unfinished(folder.path(), SETUP_JOURNAL).is_some(),
        "the unfinished run is found"
    );
}

/// A run that replaced the keys of an existing profile (`--force`) cannot bring the old secret
/// back (journals never hold secrets), so rollback keeps the new key and says so, rather than
/// leaving the profile holding a deleted key.
#[tokio::test]
async fn rollback_keeps_the_new_key_of_a_profile_whose_keys_the_run_replaced() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let run = in_process(&moto).await;
    let user = common::unique_name("runner-replaced");
    admin.create_user(&user).await.unwrap();
    let old = admin.create_access_key(&user).await.unwrap();
    write_private(
        &run.paths.credentials,
        &profile_section(&user, &old.access_key_id, old.secret_access_key.expose()),
    );
    let plan = vec![key_and_profile(&user)];
    let outputs = run.perform_plan(&plan).await;
    let ActionOutput::KeyWritten(new) = &outputs[0] else {
        panic!("{outputs:?}")
    };
    assert_eq!(
        run.profile_setting(&user, "aws_access_key_id"),
        Some(new.access_key_id.clone())
    );
    let mut journal = run.journal();
    assert!(journal.completed[0].profile_existed);
    let results = run.runner.rollback(&mut journal).await;
    let [(label, Err(error))] = results.as_slice() else {
        panic!("expected one refused step, got {results:?}");
    };
    assert!(label.contains(&new.access_key_id), "{label}");
    assert!(error.message.contains("cannot be restored"), "{error}");
    let keys: Vec<String> = admin
        .list_access_keys(&user)
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.access_key_id)
        .collect();
    assert!(keys.contains(&new.access_key_id), "the new key is kept");
    assert_eq!(
        run.profile_setting(&user, "aws_access_key_id"),
        Some(new.access_key_id.clone()),
        "the profile keeps a working key"
    );
}
