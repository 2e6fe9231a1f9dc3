//! Rotation against moto with IAM permissions enforced: the `credwiz rotate` command, and the
//! rotation runner driven directly, with faults injected at each step through its seam.

mod common;

use std::fs;
use std::process::Output;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Moto;
use common::iam::Sandbox;
use credwiz::aws::{
    AccessKeyStatus, AwsClients, AwsError, Endpoints, NewAccessKey, clients_with_static_key,
};
use credwiz::flows::rotate::{Action, Msg, OldKey, Options, Outcome, Rotation, Step};
use credwiz::journal::Journal;
use credwiz::profiles::store::load_both;
use credwiz::runner::{Backoff, Call, ROTATE_JOURNAL, RotationRunner, Runner};
use credwiz::secret::Secret;

/// What a user needs to rotate its own keys.
const SELF_KEYS: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:DeleteAccessKey",
    "iam:ListAccessKeys",
    "iam:GetAccessKeyLastUsed",
];

/// The admin's clients, and a new user allowed [`SELF_KEYS`] whose key a new sandbox holds
/// (see [`Sandbox::holding`]).
async fn rotatable(moto: &Moto, prefix: &str) -> (AwsClients, NewAccessKey, Sandbox) {
    let admin = admin(moto).await;
    let old = common::iam::user_allowed(&admin, prefix, SELF_KEYS).await;
    let sandbox = Sandbox::holding(&old);
    (admin, old, sandbox)
}

/// [`SELF_KEYS`] but `action`.
fn self_keys_without(action: &str) -> Vec<&'static str> {
    SELF_KEYS.iter().copied().filter(|a| *a != action).collect()
}

async fn admin(moto: &Moto) -> AwsClients {
    common::iam::admin(moto, "iam-rotate").await
}

async fn keys_of(admin: &AwsClients, user: &str) -> Vec<(String, AccessKeyStatus)> {
    let mut keys: Vec<(String, AccessKeyStatus)> = admin
        .list_access_keys(user)
        .await
        .expect("list keys")
        .into_iter()
        .map(|k| (k.access_key_id, k.status))
        .collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys
}

/// A home with the two files in `aws/` and a state folder, all temporary.
impl Sandbox {
    /// `work` and `work-copy` hold `key`, between comments and an unrelated profile.
    fn holding(key: &NewAccessKey) -> Sandbox {
        let sandbox = Sandbox::with_files_in("aws");
        fs::create_dir(sandbox.dir.path().join("aws")).unwrap();
        let (id, secret) = (&key.access_key_id, key.secret_access_key.expose());
        sandbox.write_credentials(&format!(
            "# team keys\n[work]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n\n[other]\naws_access_key_id = AKIAUNRELATEDEXAMPLE\naws_secret_access_key = unrelatedsecretunrelatedsecretunrelated1\n\n[work-copy]\r\naws_secret_access_key={secret}\r\naws_access_key_id={id}\r\n"
        ));
        fs::write(
            sandbox.config(),
            "[profile work]\nregion = us-east-1\noutput = json\n",
        )
        .unwrap();
        sandbox
    }

    fn write_credentials(&self, text: &str) {
        fs::write(self.credentials(), text).unwrap();
    }

    fn append_credentials(&self, text: &str) {
        let mut all = fs::read_to_string(self.credentials()).unwrap();
        all.push_str(text);
        self.write_credentials(&all);
    }

    /// The key id and secret `profile` holds now.
    fn key_of(&self, profile: &str) -> (String, String) {
        let loaded = load_both(&self.paths()).unwrap();
        let set = loaded.reading();
        let p = set.get(profile).expect("profile exists");
        (
            p.get("aws_access_key_id").unwrap().to_string(),
            p.get("aws_secret_access_key").unwrap().to_string(),
        )
    }

    fn runner(&self, moto: &Moto) -> RotationRunner {
        RotationRunner::new(Runner::new(
            self.paths(),
            Endpoints::resolve(Some(&moto.endpoint), |_| None),
            self.state(),
            quick_backoff(),
        ))
    }

    fn unfinished_journal(&self) -> Option<Journal<Action>> {
        Journal::latest_unfinished(&self.state(), ROTATE_JOURNAL)
    }

    /// Every file in the state folder, as text, for secret scans.
    fn state_text(&self) -> String {
        let mut text = String::new();
        let mut folders = vec![self.state()];
        while let Some(folder) = folders.pop() {
            for entry in fs::read_dir(&folder).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    text.push_str(&fs::read_to_string(&path).unwrap_or_default());
                }
            }
        }
        text
    }
}

fn quick_backoff() -> Backoff {
    Backoff {
        timeout: Duration::from_secs(2),
        first_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Only `aws_access_key_id` and `aws_secret_access_key` lines changed, line endings included.
fn assert_only_key_lines_differ(before: &str, after: &str) {
    let before: Vec<&str> = before.split_inclusive('\n').collect();
    let after: Vec<&str> = after.split_inclusive('\n').collect();
    assert_eq!(before.len(), after.len(), "same number of lines");
    for (old, new) in before.iter().zip(&after) {
        if old == new {
            continue;
        }
        let key = |line: &str| {
            line.split('=')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        assert_eq!(key(old), key(new), "{old:?} became {new:?}");
        assert!(
            ["aws_access_key_id", "aws_secret_access_key"].contains(&key(old).as_str()),
            "{old:?} changed"
        );
        assert_eq!(
            old.ends_with("\r\n"),
            new.ends_with("\r\n"),
            "line ending kept"
        );
    }
}

/// The new key works, as the same user.
async fn assert_works_as(admin: &AwsClients, id: &str, secret: &str, user: &str) {
    let clients = clients_with_static_key(admin, id, &Secret::new(secret));
    let identity = clients.caller_identity().await.expect("the new key works");
    assert_eq!(identity.user_name(), Some(user), "{}", identity.arn);
}

#[tokio::test]
async fn both_profiles_get_a_new_key_that_works_and_the_old_key_ends_inactive() {
    let Some(moto) = common::moto() else { return };
    let (admin, old, sandbox) = rotatable(&moto, "rotate-basic").await;
    let before = fs::read_to_string(sandbox.credentials()).unwrap();
    let config_before = fs::read(sandbox.config()).unwrap();

    let output = sandbox.cli(&moto, &["rotate", "work", "--yes"]);
    assert!(output.status.success(), "{}", stderr(&output));

    let (new_id, new_secret) = sandbox.key_of("work");
    assert_ne!(new_id, old.access_key_id);
    assert_eq!(
        sandbox.key_of("work-copy"),
        (new_id.clone(), new_secret.clone())
    );
    let after = fs::read_to_string(sandbox.credentials()).unwrap();
    assert_only_key_lines_differ(&before, &after);
    assert_eq!(fs::read(sandbox.config()).unwrap(), config_before);
    assert_works_as(&admin, &new_id, &new_secret, &old.user_name).await;
    let mut expected = vec![
        (old.access_key_id.clone(), AccessKeyStatus::Inactive),
        (new_id.clone(), AccessKeyStatus::Active),
    ];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(keys_of(&admin, &old.user_name).await, expected);

    let shown = printed(&output);
    assert!(
        shown.contains(&new_id) && shown.contains("inactive"),
        "{shown}"
    );
    for secret in [old.secret_access_key.expose(), new_secret.as_str()] {
        assert!(!shown.contains(secret), "a secret was printed");
        assert!(
            !sandbox.state_text().contains(secret),
            "a secret is in the state folder"
        );
    }
    assert!(sandbox.unfinished_journal().is_none());
    let cache = credwiz::key_health::HealthCache::load(&sandbox.state());
    let now = time::OffsetDateTime::now_utc();
    assert_eq!(cache.key_age_days("work-copy", &new_id, now), Some(0));
}

#[tokio::test]
async fn the_old_key_is_deleted_or_kept_as_asked() {
    let Some(moto) = common::moto() else { return };
    let (admin, old, sandbox) = rotatable(&moto, "rotate-delete").await;
    let output = sandbox.cli(&moto, &["rotate", "work", "--yes", "--old-key", "delete"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (new_id, _) = sandbox.key_of("work");
    assert_eq!(
        keys_of(&admin, &old.user_name).await,
        [(new_id, AccessKeyStatus::Active)]
    );

    let old = common::iam::user_allowed(&admin, "rotate-keep", SELF_KEYS).await;
    let sandbox = Sandbox::holding(&old);
    let output = sandbox.cli(&moto, &["rotate", "work", "--yes", "--old-key", "keep"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        keys_of(&admin, &old.user_name)
            .await
            .iter()
            .all(|(_, status)| *status == AccessKeyStatus::Active)
    );
    assert!(stderr(&output).contains("still active"));
}

#[tokio::test]
async fn a_second_rotation_with_two_keys_follows_the_rules() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let first = common::iam::user_allowed(&admin, "rotate-two", SELF_KEYS).await;
    let sandbox = Sandbox::holding(&first);

    // Kept active: the second rotation must not delete it without --delete-other-key.
    let output = sandbox.cli(&moto, &["rotate", "work", "--yes", "--old-key", "keep"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let keys_before = keys_of(&admin, &first.user_name).await;
    let files_before = fs::read(sandbox.credentials()).unwrap();
    let output = sandbox.cli(&moto, &["rotate", "work", "--yes"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("--delete-other-key"), "{message}");
    assert!(message.contains(&first.access_key_id) && message.contains("Active"));
    assert_eq!(keys_of(&admin, &first.user_name).await, keys_before);
    assert_eq!(fs::read(sandbox.credentials()).unwrap(), files_before);

    // The flag decides.
    let output = sandbox.cli(&moto, &["rotate", "work", "--yes", "--delete-other-key"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let keys = keys_of(&admin, &first.user_name).await;
    assert_eq!(keys.len(), 2);
    assert!(!keys.iter().any(|(id, _)| id == &first.access_key_id));
    let (current, _) = sandbox.key_of("work");
    let inactive = keys
        .iter()
        .find(|(id, _)| id != &current)
        .map(|(id, _)| id.clone())
        .unwrap();

    // Inactive but held by a local profile: stop, and name the profile.
    sandbox.append_credentials(&format!(
        "\n[stale]\naws_access_key_id = {inactive}\naws_secret_access_key = whatever-it-was\n"
    ));
    let output = sandbox.cli(&moto, &["rotate", "work", "--yes"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("profile stale holds it"),
        "{}",
        stderr(&output)
    );

    // Inactive and held by nobody: deleted on its own.
    let text = fs::read_to_string(sandbox.credentials()).unwrap();
    sandbox.write_credentials(&text[..text.find("\n[stale]").unwrap()]);
    let output = sandbox.cli(&moto, &["rotate", "work", "--yes"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("✓ Delete the other key {inactive}")));
    assert!(
        !keys_of(&admin, &first.user_name)
            .await
            .iter()
            .any(|(id, _)| id == &inactive)
    );
}

#[tokio::test]
async fn a_key_without_create_rights_fails_cleanly_with_nothing_changed() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let limited = self_keys_without("iam:CreateAccessKey");
    let old = common::iam::user_allowed(&admin, "rotate-nocreate", &limited).await;
    let sandbox = Sandbox::holding(&old);
    let before = fs::read(sandbox.credentials()).unwrap();
    let output = sandbox.cli(&moto, &["rotate", "work", "--yes"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("iam:CreateAccessKey"), "{message}");
    assert!(message.contains("Nothing was changed"), "{message}");
    assert!(!message.contains(old.secret_access_key.expose()));
    assert_eq!(fs::read(sandbox.credentials()).unwrap(), before);
    assert_eq!(
        keys_of(&admin, &old.user_name).await,
        [(old.access_key_id.clone(), AccessKeyStatus::Active)]
    );
    assert!(sandbox.unfinished_journal().is_none());
}

#[tokio::test]
async fn all_older_than_touches_only_old_keys_and_carries_on_past_failures() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let first = common::iam::user_allowed(&admin, "rotate-all-a", SELF_KEYS).await;
    let second = common::iam::user_allowed(&admin, "rotate-all-b", SELF_KEYS).await;
    let sandbox = Sandbox::holding(&first);
    sandbox.append_credentials(&format!(
        "\n[second]\naws_access_key_id = {}\naws_secret_access_key = {}\n[temporary]\naws_access_key_id = ASIATEMPORARYEXAMPLE\naws_secret_access_key = x\naws_session_token = y\n",
        second.access_key_id,
        second.secret_access_key.expose()
    ));
    let before = fs::read(sandbox.credentials()).unwrap();

    // Nothing is ten years old. The unrelated profile's dead key fails to inspect; the rest skip.
    let output = sandbox.cli(
        &moto,
        &["rotate", "--all", "--older-than", "3650d", "--yes"],
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains("[1/3]") && message.contains("[3/3]"),
        "{message}"
    );
    assert!(
        message.contains("0 rotated, 2 skipped, 1 failed"),
        "{message}"
    );
    assert!(
        message.contains("other:"),
        "the failure is reported: {message}"
    );
    assert_eq!(fs::read(sandbox.credentials()).unwrap(), before);
    assert_eq!(keys_of(&admin, &first.user_name).await.len(), 1);
    assert_eq!(keys_of(&admin, &second.user_name).await.len(), 1);

    // Every key is at least zero days old: both users' keys are rotated, once each.
    let output = sandbox.cli(&moto, &["rotate", "--all", "--older-than", "0d", "--yes"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains("2 rotated, 0 skipped, 1 failed"),
        "{message}"
    );
    assert!(message.contains("work (also work-copy)"), "{message}");
    let (work, _) = sandbox.key_of("work");
    assert_eq!(sandbox.key_of("work-copy").0, work);
    assert_ne!(work, first.access_key_id);
    assert_ne!(sandbox.key_of("second").0, second.access_key_id);
    assert_eq!(sandbox.key_of("temporary").0, "ASIATEMPORARYEXAMPLE");
    for secret in [
        first.secret_access_key.expose(),
        second.secret_access_key.expose(),
    ] {
        assert!(!printed(&output).contains(secret));
    }
}

#[test]
fn without_a_terminal_yes_is_required() {
    let sandbox = Sandbox::with_files_in("aws");
    let mut cmd = common::credwiz_in_home(sandbox.dir.path());
    let output = cmd
        .env("CREDWIZ_STATE_DIR", sandbox.state())
        .args(["rotate", "work"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--yes"));
    let output = common::credwiz_in_home(sandbox.dir.path())
        .args(["rotate", "--yes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "a name, --all or --resume");
    let output = common::credwiz_in_home(sandbox.dir.path())
        .args(["rotate", "--all", "--yes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--older-than"));
}

/// One `Next`, with every effect it leads to settled (never cancelled).
async fn advance(runner: &RotationRunner, rotation: &mut Rotation) {
    let never = AtomicBool::new(false);
    let effects = rotation.update(Msg::Next);
    runner.settle(rotation, effects, &never, |_| {}).await;
}

/// Drives a rotation through the review to its end, acting like `--yes`.
async fn drive(runner: &RotationRunner, rotation: &mut Rotation) {
    advance(runner, rotation).await;
    if rotation.step == Step::Review && rotation.problem.is_none() {
        advance(runner, rotation).await;
    }
}

/// Resumes the newest unfinished rotation with a fresh runner, as `credwiz rotate --resume` does.
async fn resume(sandbox: &Sandbox, moto: &Moto) -> Rotation {
    let journal = sandbox
        .unfinished_journal()
        .expect("an unfinished rotation");
    let runner = sandbox.runner(moto);
    let mut options = Options::new("");
    options.source_profile = journal.source_profile.clone();
    let mut rotation = Rotation::new(options);
    let (plan, completed) = (journal.plan.clone(), journal.completed.clone());
    runner.adopt_journal(journal);
    let effects = rotation.resume(plan, completed);
    let never = AtomicBool::new(false);
    runner.settle(&mut rotation, effects, &never, |_| {}).await;
    if rotation.step == Step::Review {
        advance(&runner, &mut rotation).await;
    }
    rotation
}

#[test]
fn effects_can_run_on_spawned_tasks() {
    fn spawnable<T: std::future::Future + Send + 'static>(_: T) {}
    let sandbox = Sandbox::with_files_in("aws");
    let runner = RotationRunner::new(Runner::new(
        sandbox.paths(),
        Endpoints::default(),
        sandbox.state(),
        quick_backoff(),
    ));
    let mut rotation = Rotation::new(Options::new("work"));
    let effect = rotation.update(Msg::Next).remove(0);
    spawnable(async move { runner.perform(effect).await });
}

#[tokio::test]
async fn calls_per_rotation_are_counted_and_minimal() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let cases: [(OldKey, &[Call]); 3] = [
        (
            OldKey::Deactivate,
            &[
                Call::Identify,
                Call::ListKeys,
                Call::LastUsed,
                Call::CreateKey,
                Call::Verify,
                Call::DeactivateKey,
            ],
        ),
        (
            OldKey::Delete,
            &[
                Call::Identify,
                Call::ListKeys,
                Call::LastUsed,
                Call::CreateKey,
                Call::Verify,
                Call::DeleteKey,
            ],
        ),
        (
            OldKey::Keep,
            &[
                Call::Identify,
                Call::ListKeys,
                Call::LastUsed,
                Call::CreateKey,
                Call::Verify,
            ],
        ),
    ];
    for (old_key, expected) in cases {
        let old = common::iam::user_allowed(&admin, "rotate-count", SELF_KEYS).await;
        let sandbox = Sandbox::holding(&old);
        let runner = sandbox.runner(&moto);
        let mut options = Options::new("work");
        options.old_key = old_key;
        let mut rotation = Rotation::new(options);
        drive(&runner, &mut rotation).await;
        assert_eq!(
            rotation.outcome,
            Some(Outcome::Rotated),
            "{:?}",
            rotation.problem
        );
        assert_eq!(runner.calls(), expected, "{old_key:?}");

        if old_key == OldKey::Deactivate {
            // A second rotation: two keys, the other Inactive and unheld, so it goes first.
            let runner = sandbox.runner(&moto);
            let mut rotation = Rotation::new(Options::new("work"));
            drive(&runner, &mut rotation).await;
            assert_eq!(rotation.outcome, Some(Outcome::Rotated));
            let mut calls = runner.calls();
            calls[2..4].sort();
            assert_eq!(
                calls,
                [
                    Call::Identify,
                    Call::ListKeys,
                    Call::LastUsed,
                    Call::LastUsed,
                    Call::DeleteKey,
                    Call::CreateKey,
                    Call::Verify,
                    Call::DeactivateKey,
                ]
            );
        }
    }
}

#[tokio::test]
async fn a_source_profile_finds_the_user_from_the_key() {
    let Some(moto) = common::moto() else { return };
    let (_admin, old, sandbox) = rotatable(&moto, "rotate-source").await;
    sandbox.append_credentials(&format!(
        "\n[admin]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        moto.admin_access_key_id, moto.admin_secret_access_key
    ));
    let runner = sandbox.runner(&moto);
    let mut options = Options::new("work");
    options.source_profile = Some("admin".into());
    let mut rotation = Rotation::new(options);
    drive(&runner, &mut rotation).await;
    assert_eq!(
        rotation.outcome,
        Some(Outcome::Rotated),
        "{:?}",
        rotation.problem
    );
    assert_eq!(rotation.user.as_deref(), Some(old.user_name.as_str()));
    assert_eq!(
        runner.calls(),
        [
            Call::Identify,
            Call::LastUsed,
            Call::ListKeys,
            Call::CreateKey,
            Call::Verify,
            Call::DeactivateKey,
        ]
    );
    let journal_source = fs::read_dir(sandbox.state().join("journal"))
        .unwrap()
        .flatten()
        .map(|e| fs::read_to_string(e.path()).unwrap())
        .any(|text| text.contains("\"source_profile\": \"admin\""));
    assert!(journal_source);
}

/// A seam that fails `call` (the first `times` times, or always).
fn failing(call: Call, times: usize) -> (credwiz::runner::Seam, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let seam: credwiz::runner::Seam = Arc::new(move |c: Call| {
        if c == call && seen.fetch_add(1, Ordering::SeqCst) < times {
            let error = match c {
                Call::Verify => AwsError::from_code(
                    "sts:GetCallerIdentity",
                    Some("InvalidClientTokenId"),
                    "The security token included in the request is invalid.",
                ),
                _ => AwsError::unreachable("injected", "http://127.0.0.1:1", "injected fault"),
            };
            return Err(error);
        }
        Ok(())
    });
    (seam, count)
}

struct Consistency<'a> {
    admin: &'a AwsClients,
    user: &'a str,
    old: &'a NewAccessKey,
}

impl<'a> Consistency<'a> {
    /// Checks on `old`'s user, made as `admin`.
    fn of(admin: &'a AwsClients, old: &'a NewAccessKey) -> Self {
        Consistency {
            admin,
            user: &old.user_name,
            old,
        }
    }

    /// The files hold the old key, which still works, and no other key exists.
    async fn old_key_in_place(&self, sandbox: &Sandbox) {
        for profile in ["work", "work-copy"] {
            assert_eq!(
                sandbox.key_of(profile),
                (
                    self.old.access_key_id.clone(),
                    self.old.secret_access_key.expose().to_string()
                ),
                "{profile}"
            );
        }
        assert_eq!(
            keys_of(self.admin, self.user).await,
            [(self.old.access_key_id.clone(), AccessKeyStatus::Active)]
        );
        assert_works_as(
            self.admin,
            &self.old.access_key_id,
            self.old.secret_access_key.expose(),
            self.user,
        )
        .await;
    }

    /// The files hold a new key that works as the user; the old key has `status`.
    async fn new_key_in_place(&self, sandbox: &Sandbox, status: AccessKeyStatus) {
        let (id, secret) = sandbox.key_of("work");
        assert_ne!(id, self.old.access_key_id);
        assert_eq!(sandbox.key_of("work-copy").0, id);
        assert_works_as(self.admin, &id, &secret, self.user).await;
        let keys = keys_of(self.admin, self.user).await;
        assert!(keys.contains(&(id, AccessKeyStatus::Active)), "{keys:?}");
        assert!(
            keys.contains(&(self.old.access_key_id.clone(), status)),
            "{keys:?}"
        );
        assert_eq!(keys.len(), 2);
    }
}

#[tokio::test]
async fn faults_at_each_step_leave_files_and_account_consistent() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let steps = [
        Call::Identify,
        Call::ListKeys,
        Call::LastUsed,
        Call::CreateKey,
        Call::WriteProfiles,
        Call::Verify,
        Call::DeactivateKey,
    ];
    for step in steps {
        let old = common::iam::user_allowed(&admin, "rotate-fault", SELF_KEYS).await;
        let sandbox = Sandbox::holding(&old);
        let before = fs::read(sandbox.credentials()).unwrap();
        let (seam, _) = failing(step, usize::MAX);
        let runner = sandbox.runner(&moto).with_seam(seam);
        let mut rotation = Rotation::new(Options::new("work"));
        drive(&runner, &mut rotation).await;
        let check = Consistency::of(&admin, &old);
        match step {
            Call::Verify => {
                assert_eq!(rotation.outcome, Some(Outcome::RolledBack), "{step:?}");
                assert!(
                    rotation
                        .problem
                        .as_ref()
                        .unwrap()
                        .message
                        .contains("did not verify")
                );
                check.old_key_in_place(&sandbox).await;
                assert_eq!(fs::read(sandbox.credentials()).unwrap(), before);
                assert!(sandbox.unfinished_journal().is_none());
            }
            Call::DeactivateKey => {
                assert!(rotation.problem.is_some());
                check
                    .new_key_in_place(&sandbox, AccessKeyStatus::Active)
                    .await;
                // `--resume` finishes the job.
                let resumed = resume(&sandbox, &moto).await;
                assert_eq!(
                    resumed.outcome,
                    Some(Outcome::Rotated),
                    "{:?}",
                    resumed.problem
                );
                check
                    .new_key_in_place(&sandbox, AccessKeyStatus::Inactive)
                    .await;
                assert!(sandbox.unfinished_journal().is_none());
            }
            _ => {
                let problem = rotation.problem.clone().expect("a problem");
                assert!(
                    problem.message.contains("injected"),
                    "{step:?}: {problem:?}"
                );
                check.old_key_in_place(&sandbox).await;
                assert_eq!(fs::read(sandbox.credentials()).unwrap(), before, "{step:?}");
                assert!(sandbox.unfinished_journal().is_none(), "{step:?}");
                if step == Call::WriteProfiles {
                    assert!(problem.message.contains("deleted again"), "{problem:?}");
                }
            }
        }
    }
}

#[tokio::test]
async fn denied_last_use_degrades_to_unknown() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let without = self_keys_without("iam:GetAccessKeyLastUsed");
    let old = common::iam::user_allowed(&admin, "rotate-nolastuse", &without).await;
    let sandbox = Sandbox::holding(&old);
    let runner = sandbox.runner(&moto);
    let mut rotation = Rotation::new(Options::new("work"));
    advance(&runner, &mut rotation).await;
    assert_eq!(rotation.step, Step::Review, "{:?}", rotation.problem);
    assert_eq!(rotation.old_key().unwrap().last_used, None);
}

#[tokio::test]
async fn propagation_delays_are_retried_until_the_key_verifies() {
    let Some(moto) = common::moto() else { return };
    let (_admin, _old, sandbox) = rotatable(&moto, "rotate-propagate").await;
    let (seam, attempts) = failing(Call::Verify, 2);
    let runner = sandbox.runner(&moto).with_seam(seam);
    let mut rotation = Rotation::new(Options::new("work"));
    drive(&runner, &mut rotation).await;
    assert_eq!(
        rotation.outcome,
        Some(Outcome::Rotated),
        "{:?}",
        rotation.problem
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert_eq!(
        runner
            .calls()
            .iter()
            .filter(|c| **c == Call::Verify)
            .count(),
        1,
        "injected failures are not calls"
    );
}

#[tokio::test]
async fn a_rollback_that_cannot_delete_the_new_key_is_finished_by_resume() {
    let Some(moto) = common::moto() else { return };
    let (admin, old, sandbox) = rotatable(&moto, "rotate-rollback").await;
    let seam: credwiz::runner::Seam = Arc::new(|call| match call {
        Call::Verify => Err(AwsError::from_code(
            "sts:GetCallerIdentity",
            Some("InvalidClientTokenId"),
            "invalid",
        )),
        Call::DeleteKey => Err(AwsError::unreachable("iam:DeleteAccessKey", "x", "down")),
        _ => Ok(()),
    });
    let runner = sandbox.runner(&moto).with_seam(seam);
    let mut rotation = Rotation::new(Options::new("work"));
    drive(&runner, &mut rotation).await;
    assert!(
        rotation
            .problem
            .as_ref()
            .unwrap()
            .way_out
            .contains("--resume")
    );
    assert_eq!(
        sandbox.key_of("work").0,
        old.access_key_id,
        "the old key is back"
    );
    assert_eq!(
        keys_of(&admin, &old.user_name).await.len(),
        2,
        "the new key remains"
    );

    let output = sandbox.cli(&moto, &["rotate", "--resume", "--yes"]);
    assert!(output.status.success(), "{}", stderr(&output));
    Consistency::of(&admin, &old)
        .old_key_in_place(&sandbox)
        .await;
    assert!(sandbox.unfinished_journal().is_none());
}

/// Starts rotating `work` in `sandbox` and crashes after `steps` performed steps; returns the
/// runner that was interrupted.
async fn crashed_rotation(sandbox: &Sandbox, moto: &Moto, steps: usize) -> RotationRunner {
    let runner = sandbox.runner(moto);
    let mut rotation = Rotation::new(Options::new("work"));
    crash_after(&runner, &mut rotation, steps).await;
    runner
}

/// Runs the rotation's effects but stops, as a crash would, after `steps` performed steps.
async fn crash_after(runner: &RotationRunner, rotation: &mut Rotation, steps: usize) {
    advance(runner, rotation).await;
    let mut queue = rotation.update(Msg::Next);
    let mut performed = 0;
    while let Some(effect) = queue.first().cloned() {
        queue.remove(0);
        let is_step = matches!(effect, credwiz::flows::rotate::Effect::Perform { .. });
        if is_step && performed == steps {
            return;
        }
        performed += usize::from(is_step);
        if let Some(msg) = runner.perform(effect).await {
            queue.extend(rotation.update(msg));
        }
    }
}

#[tokio::test]
async fn a_crash_after_any_step_is_finished_by_resume() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    // Steps: delete the other key, create and write, verify, deactivate; a crash comes before
    // the first, or after any of the first three.
    for steps in 0..=3 {
        let old = common::iam::user_allowed(&admin, "rotate-crash", SELF_KEYS).await;
        let spare = admin.create_access_key(&old.user_name).await.unwrap();
        admin
            .update_access_key_status(
                &old.user_name,
                &spare.access_key_id,
                &AccessKeyStatus::Inactive,
            )
            .await
            .unwrap();
        let sandbox = Sandbox::holding(&old);
        let runner = crashed_rotation(&sandbox, &moto, steps).await;
        drop(runner);
        let held = sandbox.key_of("work").0;
        assert_eq!(held, sandbox.key_of("work-copy").0, "after {steps} steps");

        let resumed = resume(&sandbox, &moto).await;
        assert_eq!(
            resumed.outcome,
            Some(Outcome::Rotated),
            "{steps}: {:?}",
            resumed.problem
        );
        Consistency::of(&admin, &old)
            .new_key_in_place(&sandbox, AccessKeyStatus::Inactive)
            .await;
        assert!(sandbox.unfinished_journal().is_none());
    }
}

#[tokio::test]
async fn a_key_written_but_not_journalled_is_found_by_resume() {
    let Some(moto) = common::moto() else { return };
    let (admin, old, sandbox) = rotatable(&moto, "rotate-unjournalled").await;
    let _runner = crashed_rotation(&sandbox, &moto, 1).await;
    // The crash came after the write, before the journal recorded it.
    let journal = sandbox.unfinished_journal().unwrap();
    let mut json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&journal.path).unwrap()).unwrap();
    json["completed"] = serde_json::json!([]);
    fs::write(&journal.path, json.to_string()).unwrap();

    let resumed = resume(&sandbox, &moto).await;
    assert_eq!(
        resumed.outcome,
        Some(Outcome::Rotated),
        "{:?}",
        resumed.problem
    );
    Consistency::of(&admin, &old)
        .new_key_in_place(&sandbox, AccessKeyStatus::Inactive)
        .await;
}

#[tokio::test]
async fn a_written_key_that_never_verifies_on_resume_is_rolled_back_from_the_backup() {
    let Some(moto) = common::moto() else { return };
    let (admin, old, sandbox) = rotatable(&moto, "rotate-backup").await;
    let runner = crashed_rotation(&sandbox, &moto, 1).await;
    drop(runner);
    // The new key is unusable (deleted behind credwiz's back); the old secret survives only in
    // the credentials file's backup.
    let (new_id, _) = sandbox.key_of("work");
    admin
        .delete_access_key(&old.user_name, &new_id)
        .await
        .unwrap();

    let resumed = resume(&sandbox, &moto).await;
    assert_eq!(
        resumed.outcome,
        Some(Outcome::RolledBack),
        "{:?}",
        resumed.problem
    );
    Consistency::of(&admin, &old)
        .old_key_in_place(&sandbox)
        .await;
}

#[tokio::test]
async fn an_interrupted_cli_run_is_finished_by_rotate_resume() {
    let Some(moto) = common::moto() else { return };
    let (admin, old, sandbox) = rotatable(&moto, "rotate-cli-resume").await;
    let runner = crashed_rotation(&sandbox, &moto, 2).await;
    drop(runner);

    // A fresh rotation of the same profile is refused until the interrupted one is finished.
    let output = sandbox.cli(&moto, &["rotate", "work-copy", "--yes"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--resume"), "{}", stderr(&output));

    let output = sandbox.cli(&moto, &["rotate", "--resume", "--yes"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("✓ Deactivate the old key"));
    let (_, secret) = sandbox.key_of("work");
    assert!(!printed(&output).contains(&secret));
    Consistency::of(&admin, &old)
        .new_key_in_place(&sandbox, AccessKeyStatus::Inactive)
        .await;
    let output = sandbox.cli(&moto, &["rotate", "--resume", "--yes"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no unfinished rotation"));
}

#[tokio::test]
async fn progress_is_observed_step_by_step() {
    let Some(moto) = common::moto() else { return };
    let (_admin, _old, sandbox) = rotatable(&moto, "rotate-progress").await;
    let runner = sandbox.runner(&moto);
    let mut rotation = Rotation::new(Options::new("work"));
    advance(&runner, &mut rotation).await;
    let never = AtomicBool::new(false);
    let seen = Mutex::new(Vec::new());
    let effects = rotation.update(Msg::Next);
    runner
        .settle(&mut rotation, effects, &never, |r| {
            let done = r
                .run
                .iter()
                .filter(|i| i.status == credwiz::flows::setup::Status::Done)
                .count();
            seen.lock().unwrap().push(done);
        })
        .await;
    assert_eq!(*seen.lock().unwrap(), [1, 2, 3]);
}
