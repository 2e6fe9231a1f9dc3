//! The rotation state machine (`credwiz::flows::rotate`) without I/O: every branch, fed with
//! messages and fake results, asserting on the state and the effects.

use credwiz::aws::{AccessKeyStatus, AwsError, CallerIdentity, KeyLastUsed};
use credwiz::flows::rotate::{
    Acting, Action, ActionOutput, Effect, KeyFacts, KeyList, LocalProfile, Msg, OldKey, Options,
    Outcome, Rotation, Step,
};
use credwiz::flows::setup::{RequestId, Status};
use credwiz::journal::Completed;
use credwiz::profiles::{FileKind, Kind};
use time::{Duration, OffsetDateTime};

const OLD: &str = "AKIAOLDOLDOLDOLDOLD1";
const NEW: &str = "AKIANEWNEWNEWNEWNEW2";
const OTHER: &str = "AKIAOTHEROTHEROTHER3";
const ADMIN: &str = "AKIAADMINADMINADMIN4";

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap()
}

fn profile(name: &str, key: Option<&str>, kind: Kind, file: FileKind) -> LocalProfile {
    LocalProfile {
        name: name.to_string(),
        kind,
        access_key_id: key.map(str::to_string),
        key_file: key.map(|_| file),
    }
}

/// `work` and `work-copy` hold the old key; `admin` holds its own key.
fn profiles() -> Vec<LocalProfile> {
    vec![
        profile("admin", Some(ADMIN), Kind::Static, FileKind::Credentials),
        profile("work", Some(OLD), Kind::Static, FileKind::Credentials),
        profile("work-copy", Some(OLD), Kind::Static, FileKind::Credentials),
    ]
}

fn with(mut list: Vec<LocalProfile>, extra: LocalProfile) -> Vec<LocalProfile> {
    list.push(extra);
    list
}

fn identity(arn: &str) -> CallerIdentity {
    CallerIdentity {
        account: "123456789012".to_string(),
        arn: arn.to_string(),
        user_id: "AIDAEXAMPLE".to_string(),
    }
}

fn alice() -> CallerIdentity {
    identity("arn:aws:iam::123456789012:user/alice")
}

fn key(id: &str, status: AccessKeyStatus, days_old: i64) -> KeyFacts {
    KeyFacts {
        access_key_id: id.to_string(),
        status,
        created: Some(now() - Duration::days(days_old)),
        last_used: Some(KeyLastUsed {
            user_name: Some("alice".to_string()),
            last_used: None,
            service_name: None,
            region: None,
        }),
    }
}

fn keys(keys: Vec<KeyFacts>) -> KeyList {
    KeyList {
        user: "alice".to_string(),
        keys,
        now: now(),
    }
}

/// The old key (active, 120 days) and the user's other key, with `status`, `days_old` days old.
fn old_and_other(status: AccessKeyStatus, days_old: i64) -> KeyList {
    keys(vec![
        key(OLD, AccessKeyStatus::Active, 120),
        key(OTHER, status, days_old),
    ])
}

fn one_key() -> KeyList {
    keys(vec![key(OLD, AccessKeyStatus::Active, 120)])
}

fn error(code: &str, message: &str, operation: &'static str) -> AwsError {
    AwsError::from_code(operation, Some(code), message)
}

fn request_of(effect: &Effect) -> RequestId {
    match effect {
        Effect::ReadProfiles { request, .. }
        | Effect::Identify { request, .. }
        | Effect::ListKeys { request, .. }
        | Effect::Perform { request, .. } => *request,
        other => panic!("{other:?} answers nothing"),
    }
}

/// The one effect that awaits an answer.
fn single(effects: &[Effect]) -> &Effect {
    let answerable: Vec<&Effect> = effects
        .iter()
        .filter(|e| !matches!(e, Effect::BeginJournal { .. } | Effect::FinishJournal))
        .collect();
    assert_eq!(answerable.len(), 1, "{effects:?}");
    answerable[0]
}

fn performing(effects: &[Effect]) -> (RequestId, Action, Option<Acting>) {
    match single(effects) {
        Effect::Perform {
            request,
            action,
            acting,
        } => (*request, action.clone(), acting.clone()),
        other => panic!("expected a step, got {other:?}"),
    }
}

/// Walks a rotation of `work` through the inspection with the given answers.
fn inspect(options: Options, local: Vec<LocalProfile>, list: KeyList) -> Rotation {
    let mut rotation = Rotation::new(options);
    let effects = rotation.update(Msg::Next);
    let read = request_of(single(&effects));
    let effects = rotation.update(Msg::ProfilesRead(read, Ok(local)));
    assert!(rotation.problem.is_none(), "{:?}", rotation.problem);
    let who = request_of(single(&effects));
    let identified = if rotation.options.source_profile.is_some() {
        identity("arn:aws:iam::123456789012:user/admin")
    } else {
        alice()
    };
    let effects = rotation.update(Msg::Identified(who, Ok(identified)));
    let listing = request_of(single(&effects));
    let effects = rotation.update(Msg::KeysListed(listing, Ok(list)));
    assert!(effects.is_empty());
    rotation
}

/// A new rotation with `options` that has read `local` from the files, and what it asks next.
fn profiles_read(options: Options, local: Vec<LocalProfile>) -> (Rotation, Vec<Effect>) {
    let mut rotation = Rotation::new(options);
    let effects = rotation.update(Msg::Next);
    let effects = rotation.update(Msg::ProfilesRead(request_of(&effects[0]), Ok(local)));
    (rotation, effects)
}

fn work() -> Options {
    Options::new("work")
}

/// Rotating `work` while acting as `source` (`--source-profile`).
fn work_with_source(source: &str) -> Options {
    let mut options = work();
    options.source_profile = Some(source.into());
    options
}

/// Answers each step with `answer` until the machine asks for nothing more.
fn run_to_end(
    rotation: &mut Rotation,
    mut effects: Vec<Effect>,
    mut answer: impl FnMut(&Action) -> Result<ActionOutput, AwsError>,
) -> Vec<Effect> {
    let mut seen = effects.clone();
    while let Some(Effect::Perform {
        request, action, ..
    }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Perform { .. }))
        .cloned()
    {
        effects = rotation.update(Msg::Performed(request, answer(&action)));
        seen.extend(effects.clone());
    }
    seen
}

fn succeed(action: &Action) -> Result<ActionOutput, AwsError> {
    Ok(match action {
        Action::CreateKey { profiles, .. } => ActionOutput::KeyCreated {
            key_id: NEW.to_string(),
            profiles: profiles.clone(),
        },
        Action::VerifyKey { .. } => ActionOutput::Verified {
            arn: "arn:aws:iam::123456789012:user/alice".to_string(),
        },
        _ => ActionOutput::Completed,
    })
}

fn actions(effects: &[Effect]) -> Vec<Action> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Perform { action, .. } => Some(action.clone()),
            _ => None,
        })
        .collect()
}

fn finishes(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::FinishJournal))
}

#[test]
fn a_single_key_is_replaced_verified_and_the_old_one_deactivated() {
    let mut rotation = Rotation::new(work());
    let effects = rotation.update(Msg::Next);
    assert!(matches!(
        single(&effects),
        Effect::ReadProfiles { profile, source_profile: None, .. } if profile == "work"
    ));
    let effects = rotation.update(Msg::ProfilesRead(request_of(&effects[0]), Ok(profiles())));
    assert!(matches!(
        single(&effects),
        Effect::Identify { acting: Acting::Key(k), .. } if k == OLD
    ));
    let effects = rotation.update(Msg::Identified(request_of(&effects[0]), Ok(alice())));
    assert!(matches!(
        single(&effects),
        Effect::ListKeys { acting: Acting::Key(k), user: Some(u), key_id, .. }
            if k == OLD && u == "alice" && key_id == OLD
    ));
    rotation.update(Msg::KeysListed(request_of(&effects[0]), Ok(one_key())));
    assert_eq!(rotation.step, Step::Review);
    assert_eq!(rotation.holders_of(OLD), ["work", "work-copy"]);
    assert_eq!(rotation.age_days(rotation.old_key().unwrap()), Some(120));
    assert!(rotation.other_key().is_none());
    let plan = rotation.plan();
    assert_eq!(
        plan,
        [
            Action::CreateKey {
                user: "alice".into(),
                profile: "work".into(),
                old_key_id: OLD.into(),
                profiles: vec!["work".into(), "work-copy".into()],
            },
            Action::DeactivateOldKey {
                user: "alice".into(),
                key_id: OLD.into()
            },
        ]
    );

    let effects = rotation.update(Msg::Next);
    assert!(matches!(
        &effects[0],
        Effect::BeginJournal { source_profile: None, plan: p } if *p == plan
    ));
    let (create, action, acting) = performing(&effects);
    assert!(matches!(action, Action::CreateKey { .. }));
    assert_eq!(acting, Some(Acting::Key(OLD.into())));
    assert!(rotation.is_safe_to_stop());

    let effects = rotation.update(Msg::Performed(create, succeed(&action)));
    assert!(
        !rotation.is_safe_to_stop(),
        "an unverified key is in the files"
    );
    assert_eq!(rotation.written, ["work", "work-copy"]);
    let (verify, action, acting) = performing(&effects);
    assert_eq!(
        action,
        Action::VerifyKey {
            user: "alice".into(),
            key_id: NEW.into()
        }
    );
    assert_eq!(acting, Some(Acting::Key(NEW.into())));

    let effects = rotation.update(Msg::Performed(verify, succeed(&action)));
    let (deactivate, action, acting) = performing(&effects);
    assert!(matches!(action, Action::DeactivateOldKey { ref key_id, .. } if key_id == OLD));
    assert_eq!(
        acting,
        Some(Acting::Key(NEW.into())),
        "made with the new key"
    );

    let effects = rotation.update(Msg::Performed(deactivate, succeed(&action)));
    assert_eq!(effects, [Effect::FinishJournal]);
    assert_eq!(rotation.step, Step::Done);
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
    assert_eq!(rotation.new_key_id.as_deref(), Some(NEW));
    assert!(rotation.run.iter().all(|i| i.status == Status::Done));
}

#[test]
fn the_old_key_is_deleted_or_kept_as_asked() {
    let mut options = work();
    options.old_key = OldKey::Delete;
    let rotation = inspect(options, profiles(), one_key());
    assert!(matches!(
        rotation.plan().last(),
        Some(Action::DeleteOldKey { key_id, .. }) if key_id == OLD
    ));

    let mut options = work();
    options.old_key = OldKey::Keep;
    let mut rotation = inspect(options, profiles(), one_key());
    assert_eq!(rotation.plan().len(), 1);
    let effects = rotation.update(Msg::Next);
    let seen = run_to_end(&mut rotation, effects, succeed);
    assert_eq!(actions(&seen).len(), 2, "create and verify only");
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
}

#[test]
fn a_source_profile_acts_until_the_new_key_takes_over() {
    let options = work_with_source("admin");
    let (mut rotation, effects) = profiles_read(options, profiles());
    assert!(matches!(
        single(&effects),
        Effect::Identify { acting: Acting::Profile(p), .. } if p == "admin"
    ));
    let effects = rotation.update(Msg::Identified(
        request_of(&effects[0]),
        Ok(identity("arn:aws:iam::123456789012:user/admin")),
    ));
    assert!(
        matches!(single(&effects), Effect::ListKeys { user: None, key_id, .. } if key_id == OLD),
        "the user is found from the key"
    );
    rotation.update(Msg::KeysListed(request_of(&effects[0]), Ok(one_key())));
    assert_eq!(rotation.user.as_deref(), Some("alice"));
    let effects = rotation.update(Msg::Next);
    assert!(matches!(
        &effects[0],
        Effect::BeginJournal { source_profile: Some(s), .. } if s == "admin"
    ));
    let seen = run_to_end(&mut rotation, effects, succeed);
    let acting: Vec<Option<Acting>> = seen
        .iter()
        .filter_map(|e| match e {
            Effect::Perform { acting, .. } => Some(acting.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        acting,
        [
            Some(Acting::Profile("admin".into())),
            Some(Acting::Key(NEW.into())),
            Some(Acting::Key(NEW.into())),
        ],
        "create as admin; verify and deactivate with the new key"
    );
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
}

#[test]
fn a_source_profile_holding_the_rotated_key_is_the_key_itself() {
    let options = work_with_source("work-copy");
    let (rotation, effects) = profiles_read(options, profiles());
    assert!(matches!(
        single(&effects),
        Effect::Identify { acting: Acting::Key(k), .. } if k == OLD
    ));
    assert_eq!(rotation.options.source_profile, None);
}

#[test]
fn a_key_that_never_verifies_is_rolled_back() {
    let mut rotation = inspect(work(), profiles(), one_key());
    let effects = rotation.update(Msg::Next);
    let (create, action, _) = performing(&effects);
    let effects = rotation.update(Msg::Performed(create, succeed(&action)));
    let (verify, _, _) = performing(&effects);
    let timeout = error(
        "InvalidClientTokenId",
        "The security token included in the request is invalid",
        "sts:GetCallerIdentity",
    );
    let effects = rotation.update(Msg::Performed(verify, Err(timeout)));
    let problem = rotation.problem.clone().expect("a problem");
    assert!(problem.message.contains("did not verify"), "{problem:?}");
    assert!(problem.way_out.contains("--verify-timeout"));
    let (restore, action, acting) = performing(&effects);
    assert_eq!(
        action,
        Action::RestoreOldKey {
            old_key_id: OLD.into(),
            new_key_id: NEW.into(),
            profiles: vec!["work".into(), "work-copy".into()],
        }
    );
    assert_eq!(acting, None, "a file step");
    assert!(
        !rotation
            .run
            .iter()
            .any(|i| matches!(i.action, Action::DeactivateOldKey { .. })),
        "the old key is left alone"
    );
    let effects = rotation.update(Msg::Performed(restore, Ok(ActionOutput::Completed)));
    assert!(rotation.is_safe_to_stop());
    let (delete, action, acting) = performing(&effects);
    assert!(matches!(action, Action::DeleteNewKey { ref key_id, .. } if key_id == NEW));
    assert_eq!(
        acting,
        Some(Acting::Key(OLD.into())),
        "the old key takes it out"
    );
    let effects = rotation.update(Msg::Performed(delete, Ok(ActionOutput::Completed)));
    assert!(finishes(&effects));
    assert_eq!(rotation.outcome, Some(Outcome::RolledBack));
    assert_eq!(rotation.step, Step::Done);
}

#[test]
fn a_failed_rollback_keeps_the_journal_for_resume() {
    let mut rotation = inspect(work(), profiles(), one_key());
    let effects = rotation.update(Msg::Next);
    let mut verify_failed = false;
    let seen = run_to_end(&mut rotation, effects, |action| match action {
        Action::VerifyKey { .. } => {
            verify_failed = true;
            Err(error(
                "InvalidClientTokenId",
                "invalid",
                "sts:GetCallerIdentity",
            ))
        }
        Action::DeleteNewKey { .. } => Err(AwsError::unreachable(
            "iam:DeleteAccessKey",
            "http://127.0.0.1:1",
            "Connection refused",
        )),
        other => succeed(other),
    });
    assert!(verify_failed);
    assert!(!finishes(&seen));
    let problem = rotation.problem.clone().unwrap();
    assert!(problem.way_out.contains("--resume"), "{problem:?}");
    assert!(problem.way_out.contains(NEW));
    assert_ne!(rotation.step, Step::Done);
}

#[test]
fn an_inactive_other_key_that_no_profile_holds_is_deleted_first() {
    let list = old_and_other(AccessKeyStatus::Inactive, 300);
    let mut rotation = inspect(work(), profiles(), list);
    assert_eq!(rotation.step, Step::Review);
    assert_eq!(rotation.delete_other, Some(true));
    let effects = rotation.update(Msg::Next);
    let (_, action, acting) = performing(&effects);
    assert_eq!(
        action,
        Action::DeleteOtherKey {
            user: "alice".into(),
            key_id: OTHER.into()
        }
    );
    assert_eq!(acting, Some(Acting::Key(OLD.into())));
    let seen = run_to_end(&mut rotation, effects, succeed);
    assert_eq!(actions(&seen).len(), 4);
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
}

#[test]
fn an_active_other_key_stops_a_non_interactive_run_and_names_the_flag() {
    let list = old_and_other(AccessKeyStatus::Active, 10);
    let mut rotation = inspect(work(), profiles(), list);
    assert_eq!(rotation.step, Step::OtherKey);
    let problem = rotation.problem.clone().expect("stopped");
    assert!(problem.message.contains(OTHER), "{problem:?}");
    assert!(problem.message.contains("Active"));
    assert!(problem.way_out.contains("--delete-other-key"));
    assert!(problem.way_out.contains("nothing has been changed"));
    assert!(rotation.update(Msg::Next).is_empty(), "still stopped");
    assert!(rotation.run.is_empty());
}

#[test]
fn an_inactive_other_key_held_by_a_profile_stops_and_names_the_profile() {
    let list = old_and_other(AccessKeyStatus::Inactive, 10);
    let local = with(
        profiles(),
        profile("ci", Some(OTHER), Kind::Static, FileKind::Credentials),
    );
    let rotation = inspect(work(), local, list);
    let problem = rotation.problem.clone().expect("stopped");
    assert!(
        problem.message.contains("profile ci holds it"),
        "{problem:?}"
    );
    assert_eq!(rotation.step, Step::OtherKey);
}

#[test]
fn delete_other_key_deletes_it_whoever_holds_it() {
    let list = old_and_other(AccessKeyStatus::Active, 10);
    let local = with(
        profiles(),
        profile("ci", Some(OTHER), Kind::Static, FileKind::Credentials),
    );
    let mut options = work();
    options.delete_other_key = true;
    let rotation = inspect(options, local, list);
    assert_eq!(rotation.step, Step::Review);
    assert!(
        matches!(rotation.plan()[0], Action::DeleteOtherKey { ref key_id, .. } if key_id == OTHER)
    );
}

#[test]
fn interactively_a_person_answers_the_two_key_question() {
    let list = old_and_other(AccessKeyStatus::Active, 10);
    let mut options = work();
    options.interactive = true;
    let mut rotation = inspect(options, profiles(), list);
    assert_eq!(rotation.step, Step::OtherKey);
    assert!(rotation.problem.is_none(), "a question, not a failure");
    rotation.update(Msg::DeleteOtherKey(false));
    assert!(rotation.problem.is_some());
    assert_eq!(rotation.step, Step::OtherKey);
    rotation.update(Msg::DeleteOtherKey(true));
    assert!(rotation.problem.is_none());
    assert_eq!(rotation.step, Step::Review);
    assert!(matches!(rotation.plan()[0], Action::DeleteOtherKey { .. }));
    // Back from the review returns to the question, forgetting the answer.
    rotation.update(Msg::Back);
    assert_eq!(rotation.step, Step::OtherKey);
    assert_eq!(rotation.delete_other, None);
}

#[test]
fn the_other_key_is_never_deleted_while_credwiz_acts_with_it() {
    let list = old_and_other(AccessKeyStatus::Active, 10);
    let local = with(
        profiles(),
        profile("ops", Some(OTHER), Kind::Static, FileKind::Credentials),
    );
    let mut options = work_with_source("ops");
    options.delete_other_key = true;
    let rotation = inspect(options, local, list);
    assert_eq!(rotation.step, Step::OtherKey);
    let problem = rotation.problem.clone().unwrap();
    assert!(problem.message.contains("acts with"), "{problem:?}");
}

#[test]
fn profiles_that_cannot_be_rotated_are_refused_before_any_call() {
    let cases = [
        (profile("work", None, Kind::Sso, FileKind::Config), "sso"),
        (
            profile(
                "work",
                Some("ASIATEMP"),
                Kind::Session,
                FileKind::Credentials,
            ),
            "session token",
        ),
        (
            profile("work", Some(OLD), Kind::Static, FileKind::Config),
            "config file",
        ),
    ];
    for (local, expected) in cases {
        let (rotation, effects) = profiles_read(work(), vec![local]);
        assert!(effects.is_empty());
        let problem = rotation.problem.clone().unwrap();
        assert!(problem.message.contains(expected), "{problem:?}");
    }
    let (rotation, _) = profiles_read(Options::new("nope"), profiles());
    assert!(rotation.problem.unwrap().message.contains("not found"));

    let options = work_with_source("ghost");
    let (rotation, _) = profiles_read(options, profiles());
    assert!(rotation.problem.unwrap().message.contains("source profile"));

    let mut rotation = Rotation::new(work());
    let effects = rotation.update(Msg::Next);
    rotation.update(Msg::ProfilesRead(
        request_of(&effects[0]),
        Err("/x/credentials:3: a property before any section".into()),
    ));
    assert!(
        rotation
            .problem
            .unwrap()
            .message
            .contains("/x/credentials:3")
    );
}

#[test]
fn identities_that_are_not_iam_users_are_refused() {
    for (arn, expected) in [
        ("arn:aws:iam::123456789012:root", "root user"),
        (
            "arn:aws:sts::123456789012:assumed-role/admin/session",
            "not to an IAM user",
        ),
    ] {
        let (mut rotation, effects) = profiles_read(work(), profiles());
        let effects = rotation.update(Msg::Identified(request_of(&effects[0]), Ok(identity(arn))));
        assert!(effects.is_empty());
        let problem = rotation.problem.clone().unwrap();
        assert!(problem.message.contains(expected), "{problem:?}");
    }
}

#[test]
fn inspection_errors_say_what_to_do() {
    // A dead key cannot authorise its own rotation.
    let (mut rotation, effects) = profiles_read(work(), profiles());
    rotation.update(Msg::Identified(
        request_of(&effects[0]),
        Err(error(
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
            "sts:GetCallerIdentity",
        )),
    ));
    let problem = rotation.problem.clone().unwrap();
    assert!(problem.message.starts_with("sts:GetCallerIdentity"));
    assert!(problem.way_out.contains("--source-profile"), "{problem:?}");

    // Missing permissions are named.
    let (mut rotation, effects) = profiles_read(work(), profiles());
    let effects = rotation.update(Msg::Identified(request_of(&effects[0]), Ok(alice())));
    rotation.update(Msg::KeysListed(
        request_of(&effects[0]),
        Err(error(
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:ListAccessKeys on resource: user alice",
            "iam:ListAccessKeys",
        )),
    ));
    let problem = rotation.problem.clone().unwrap();
    assert!(
        problem.way_out.contains("iam:ListAccessKeys"),
        "{problem:?}"
    );

    // An unreachable endpoint says so.
    let (mut rotation, effects) = profiles_read(work(), profiles());
    rotation.update(Msg::Identified(
        request_of(&effects[0]),
        Err(AwsError::unreachable(
            "sts:GetCallerIdentity",
            "http://127.0.0.1:9",
            "Connection refused",
        )),
    ));
    assert!(
        rotation
            .problem
            .unwrap()
            .way_out
            .contains("could not reach")
    );

    // A key the user does not own.
    let (mut rotation, effects) = profiles_read(work(), profiles());
    let effects = rotation.update(Msg::Identified(request_of(&effects[0]), Ok(alice())));
    rotation.update(Msg::KeysListed(
        request_of(&effects[0]),
        Ok(keys(vec![key(OTHER, AccessKeyStatus::Active, 1)])),
    ));
    assert!(rotation.problem.unwrap().message.contains("not one of"));
}

#[test]
fn create_failures_change_nothing_and_close_the_journal() {
    for (code, message, expected) in [
        (
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateAccessKey on resource: user alice",
            "iam:CreateAccessKey",
        ),
        (
            "LimitExceeded",
            "Cannot exceed quota for AccessKeysPerUser: 2",
            "at most two access keys",
        ),
    ] {
        let mut rotation = inspect(work(), profiles(), one_key());
        let effects = rotation.update(Msg::Next);
        let (create, _, _) = performing(&effects);
        let effects = rotation.update(Msg::Performed(
            create,
            Err(error(code, message, "iam:CreateAccessKey")),
        ));
        assert_eq!(effects, [Effect::FinishJournal], "nothing to resume");
        let problem = rotation.problem.clone().unwrap();
        assert!(problem.way_out.contains(expected), "{problem:?}");
        assert!(problem.way_out.contains("Nothing was changed"));
        assert!(rotation.new_key_id.is_none());
    }
}

#[test]
fn a_retry_after_a_closed_journal_opens_a_new_one() {
    let mut rotation = inspect(work(), profiles(), one_key());
    let effects = rotation.update(Msg::Next);
    let (create, _, _) = performing(&effects);
    rotation.update(Msg::Performed(
        create,
        Err(AwsError::unreachable(
            "iam:CreateAccessKey",
            "http://127.0.0.1:9",
            "Connection refused",
        )),
    ));
    let effects = rotation.update(Msg::Next);
    assert!(matches!(&effects[0], Effect::BeginJournal { plan, .. } if plan.len() == 2));
    let (_, action, _) = performing(&effects);
    assert!(matches!(action, Action::CreateKey { .. }));
    run_to_end(&mut rotation, effects, succeed);
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
}

#[test]
fn an_old_key_that_cannot_be_deactivated_leaves_the_new_key_and_a_retry() {
    let mut rotation = inspect(work(), profiles(), one_key());
    let effects = rotation.update(Msg::Next);
    let mut failures = 0;
    let seen = run_to_end(&mut rotation, effects, |action| match action {
        Action::DeactivateOldKey { .. } if failures == 0 => {
            failures += 1;
            Err(error(
                "AccessDenied",
                "not authorized to perform: iam:UpdateAccessKey",
                "iam:UpdateAccessKey",
            ))
        }
        other => succeed(other),
    });
    assert!(!finishes(&seen), "the journal stays for --resume");
    let problem = rotation.problem.clone().unwrap();
    assert!(problem.way_out.contains("verified"), "{problem:?}");
    assert!(problem.way_out.contains("--resume"));
    assert!(rotation.is_safe_to_stop());
    let effects = rotation.update(Msg::Next);
    let (_, action, acting) = performing(&effects);
    assert!(matches!(action, Action::DeactivateOldKey { .. }));
    assert_eq!(acting, Some(Acting::Key(NEW.into())));
    let seen = run_to_end(&mut rotation, effects, succeed);
    assert!(finishes(&seen));
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
}

#[test]
fn stale_results_and_back_during_inspection() {
    let mut rotation = Rotation::new(work());
    let effects = rotation.update(Msg::Next);
    let read = request_of(&effects[0]);
    assert!(
        rotation.update(Msg::Next).is_empty(),
        "one request at a time"
    );
    rotation.update(Msg::Back);
    assert!(!rotation.is_waiting());
    assert!(
        rotation
            .update(Msg::ProfilesRead(read, Ok(profiles())))
            .is_empty()
    );
    assert!(rotation.local.is_empty(), "the stale answer was dropped");

    // A new source forgets what was found with the old one.
    let effects = rotation.update(Msg::Next);
    let effects = rotation.update(Msg::ProfilesRead(request_of(&effects[0]), Ok(profiles())));
    let who = request_of(&effects[0]);
    rotation.update(Msg::PickSource(Some("admin".into())));
    assert!(
        rotation
            .update(Msg::Identified(who, Ok(alice())))
            .is_empty()
    );
    assert!(rotation.identity.is_none());
    let effects = rotation.update(Msg::Next);
    assert!(matches!(
        single(&effects),
        Effect::ReadProfiles { source_profile: Some(s), .. } if s == "admin"
    ));

    // Back from the review and Next again: no new calls.
    let mut rotation = inspect(work(), profiles(), one_key());
    rotation.update(Msg::Back);
    assert_eq!(rotation.step, Step::Inspect);
    assert!(rotation.update(Msg::Next).is_empty());
    assert_eq!(rotation.step, Step::Review);
}

#[test]
fn back_during_the_run_is_refused_and_stale_steps_are_ignored() {
    let mut rotation = inspect(work(), profiles(), one_key());
    let effects = rotation.update(Msg::Next);
    let (create, action, _) = performing(&effects);
    rotation.update(Msg::Back);
    assert_eq!(rotation.step, Step::Run);
    assert!(
        rotation
            .problem
            .take()
            .unwrap()
            .way_out
            .contains("--resume")
    );
    assert!(
        rotation
            .update(Msg::Performed(RequestId(999), succeed(&action)))
            .is_empty()
    );
    let effects = rotation.update(Msg::Performed(create, succeed(&action)));
    assert!(matches!(performing(&effects).1, Action::VerifyKey { .. }));
}

#[test]
fn ctrl_c_before_the_run_changes_nothing() {
    let mut rotation = Rotation::new(work());
    let effects = rotation.update(Msg::Next);
    assert!(rotation.update(Msg::Interrupt).is_empty());
    assert_eq!(rotation.outcome, Some(Outcome::Interrupted));
    assert_eq!(rotation.step, Step::Done);
    assert!(
        rotation
            .update(Msg::ProfilesRead(request_of(&effects[0]), Ok(profiles())))
            .is_empty()
    );
    let mut rotation = inspect(work(), profiles(), one_key());
    assert!(rotation.update(Msg::Interrupt).is_empty());
    assert_eq!(rotation.outcome, Some(Outcome::Interrupted));
    assert!(!rotation.has_started_run());
}

#[test]
fn ctrl_c_after_the_write_waits_for_verification_then_stops() {
    let mut rotation = inspect(work(), profiles(), one_key());
    let effects = rotation.update(Msg::Next);
    let (create, action, _) = performing(&effects);
    assert!(
        rotation.update(Msg::Interrupt).is_empty(),
        "the step in flight finishes"
    );
    let effects = rotation.update(Msg::Performed(create, succeed(&action)));
    let (verify, action, _) = performing(&effects);
    assert!(matches!(action, Action::VerifyKey { .. }), "not safe yet");
    let effects = rotation.update(Msg::Performed(verify, succeed(&action)));
    assert!(effects.is_empty(), "stops without closing the journal");
    assert_eq!(rotation.outcome, Some(Outcome::Interrupted));
    assert!(rotation.is_safe_to_stop());
    assert!(rotation.run.iter().any(
        |i| matches!(i.action, Action::DeactivateOldKey { .. }) && i.status == Status::Pending
    ));
}

#[test]
fn ctrl_c_during_a_failed_verification_stops_once_the_old_key_is_back() {
    let mut rotation = inspect(work(), profiles(), one_key());
    let effects = rotation.update(Msg::Next);
    let (create, action, _) = performing(&effects);
    let effects = rotation.update(Msg::Performed(create, succeed(&action)));
    let (verify, _, _) = performing(&effects);
    rotation.update(Msg::Interrupt);
    let effects = rotation.update(Msg::Performed(
        verify,
        Err(error(
            "InvalidClientTokenId",
            "invalid",
            "sts:GetCallerIdentity",
        )),
    ));
    let (restore, action, _) = performing(&effects);
    assert!(matches!(action, Action::RestoreOldKey { .. }));
    let effects = rotation.update(Msg::Performed(restore, Ok(ActionOutput::Completed)));
    assert!(effects.is_empty());
    assert_eq!(rotation.outcome, Some(Outcome::Interrupted));
}

#[test]
fn ctrl_c_after_deleting_the_other_key_stops_before_creating() {
    let list = old_and_other(AccessKeyStatus::Inactive, 300);
    let mut rotation = inspect(work(), profiles(), list);
    let effects = rotation.update(Msg::Next);
    let (delete, action, _) = performing(&effects);
    rotation.update(Msg::Interrupt);
    let effects = rotation.update(Msg::Performed(delete, succeed(&action)));
    assert!(effects.is_empty());
    assert_eq!(rotation.outcome, Some(Outcome::Interrupted));
    assert!(rotation.new_key_id.is_none());
}

#[test]
fn older_than_skips_young_keys_and_keys_of_unknown_age() {
    let mut options = work();
    options.older_than = Some(Duration::days(90));
    let rotation = inspect(
        options.clone(),
        profiles(),
        keys(vec![key(OLD, AccessKeyStatus::Active, 30)]),
    );
    assert_eq!(
        rotation.outcome,
        Some(Outcome::Skipped { age_days: Some(30) })
    );
    assert_eq!(rotation.step, Step::Done);

    let rotation = inspect(options.clone(), profiles(), one_key());
    assert_eq!(rotation.step, Step::Review, "120 days is older than 90");

    let mut unknown = key(OLD, AccessKeyStatus::Active, 0);
    unknown.created = None;
    let rotation = inspect(options, profiles(), keys(vec![unknown]));
    assert_eq!(rotation.outcome, Some(Outcome::Skipped { age_days: None }));

    let mut options = work();
    options.older_than = Some(Duration::ZERO);
    let rotation = inspect(
        options,
        profiles(),
        keys(vec![key(OLD, AccessKeyStatus::Active, 0)]),
    );
    assert_eq!(rotation.step, Step::Review, "0d rotates any key");
}

fn plan() -> Vec<Action> {
    vec![
        Action::CreateKey {
            user: "alice".into(),
            profile: "work".into(),
            old_key_id: OLD.into(),
            profiles: vec!["work".into(), "work-copy".into()],
        },
        Action::DeleteOldKey {
            user: "alice".into(),
            key_id: OLD.into(),
        },
    ]
}

/// Verifying alice's new key.
fn verify_new_key() -> Action {
    Action::VerifyKey {
        user: "alice".into(),
        key_id: NEW.into(),
    }
}

fn done(action: Action, created: Option<&str>) -> Completed<Action> {
    Completed {
        action,
        created_key_id: created.map(str::to_string),
        profile_existed: true,
        already_present: false,
    }
}

/// The files after the new key was written to both profiles.
fn rotated_files() -> Vec<LocalProfile> {
    vec![
        profile("admin", Some(ADMIN), Kind::Static, FileKind::Credentials),
        profile("work", Some(NEW), Kind::Static, FileKind::Credentials),
        profile("work-copy", Some(NEW), Kind::Static, FileKind::Credentials),
    ]
}

fn resumed(completed: Vec<Completed<Action>>, files: Vec<LocalProfile>) -> (Rotation, Vec<Effect>) {
    let mut rotation = Rotation::new(Options::new(""));
    let effects = rotation.resume(plan(), completed);
    assert!(matches!(
        single(&effects),
        Effect::ReadProfiles { profile, .. } if profile == "work"
    ));
    assert_eq!(rotation.options.old_key, OldKey::Delete, "from the plan");
    let effects = rotation.update(Msg::ProfilesRead(request_of(&effects[0]), Ok(files)));
    (rotation, effects)
}

#[test]
fn resume_verifies_a_written_key_then_handles_the_old_one() {
    let create = plan()[0].clone();
    let (mut rotation, effects) = resumed(vec![done(create, Some(NEW))], rotated_files());
    let (_, action, acting) = performing(&effects);
    assert_eq!(
        action,
        Action::VerifyKey {
            user: "alice".into(),
            key_id: NEW.into()
        }
    );
    assert_eq!(acting, Some(Acting::Key(NEW.into())));
    let seen = run_to_end(&mut rotation, effects, succeed);
    assert!(matches!(actions(&seen)[1], Action::DeleteOldKey { .. }));
    assert!(finishes(&seen));
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
    assert_eq!(rotation.written, ["work", "work-copy"]);
}

#[test]
fn resume_finds_a_key_written_but_not_journalled() {
    let (_, effects) = resumed(Vec::new(), rotated_files());
    assert!(matches!(
        performing(&effects).1,
        Action::VerifyKey { key_id, .. } if key_id == NEW
    ));
}

#[test]
fn resume_completes_a_write_that_reached_only_some_profiles() {
    let files = vec![
        profile("work", Some(NEW), Kind::Static, FileKind::Credentials),
        profile("work-copy", Some(OLD), Kind::Static, FileKind::Credentials),
    ];
    let create = plan()[0].clone();
    let (mut rotation, effects) = resumed(vec![done(create, Some(NEW))], files);
    let (_, action, acting) = performing(&effects);
    assert_eq!(
        action,
        Action::WriteNewKey {
            new_key_id: NEW.into(),
            old_key_id: OLD.into(),
            profiles: vec!["work-copy".into()],
        }
    );
    assert_eq!(acting, None);
    assert!(!rotation.is_safe_to_stop());
    run_to_end(&mut rotation, effects, succeed);
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
}

#[test]
fn resume_after_verification_only_handles_the_old_key() {
    let create = plan()[0].clone();
    let verify = verify_new_key();
    let (mut rotation, effects) = resumed(
        vec![done(create, Some(NEW)), done(verify, None)],
        rotated_files(),
    );
    assert!(rotation.is_safe_to_stop());
    let (_, action, acting) = performing(&effects);
    assert!(matches!(action, Action::DeleteOldKey { .. }));
    assert_eq!(acting, Some(Acting::Key(NEW.into())));
    run_to_end(&mut rotation, effects, succeed);
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
}

#[test]
fn resume_of_a_finished_run_just_closes_the_journal() {
    let create = plan()[0].clone();
    let verify = verify_new_key();
    let delete = plan()[1].clone();
    let (rotation, effects) = resumed(
        vec![
            done(create, Some(NEW)),
            done(verify, None),
            done(delete, None),
        ],
        rotated_files(),
    );
    assert_eq!(effects, [Effect::FinishJournal]);
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
}

#[test]
fn resume_after_a_restore_deletes_the_new_key() {
    let create = plan()[0].clone();
    let restore = Action::RestoreOldKey {
        old_key_id: OLD.into(),
        new_key_id: NEW.into(),
        profiles: vec!["work".into(), "work-copy".into()],
    };
    let (mut rotation, effects) = resumed(
        vec![done(create, Some(NEW)), done(restore, None)],
        profiles(),
    );
    let (_, action, acting) = performing(&effects);
    assert!(matches!(action, Action::DeleteNewKey { ref key_id, .. } if key_id == NEW));
    assert_eq!(acting, Some(Acting::Key(OLD.into())));
    run_to_end(&mut rotation, effects, succeed);
    assert_eq!(rotation.outcome, Some(Outcome::RolledBack));
}

#[test]
fn resume_rolls_back_a_written_key_that_never_verifies() {
    let (mut rotation, effects) = resumed(Vec::new(), rotated_files());
    let seen = run_to_end(&mut rotation, effects, |action| match action {
        Action::VerifyKey { .. } => Err(error(
            "InvalidClientTokenId",
            "invalid",
            "sts:GetCallerIdentity",
        )),
        other => succeed(other),
    });
    let steps = actions(&seen);
    assert!(matches!(steps[1], Action::RestoreOldKey { .. }));
    assert!(matches!(steps[2], Action::DeleteNewKey { .. }));
    assert_eq!(rotation.outcome, Some(Outcome::RolledBack));
}

#[test]
fn resume_with_nothing_written_starts_over_under_a_new_journal() {
    let (mut rotation, effects) = resumed(Vec::new(), profiles());
    assert_eq!(effects[0], Effect::FinishJournal);
    assert!(matches!(
        single(&effects),
        Effect::Identify { acting: Acting::Key(k), .. } if k == OLD
    ));
    let effects = rotation.update(Msg::Identified(request_of(&effects[1]), Ok(alice())));
    // The key a crashed run created but never saved shows up as the other key; the rules apply.
    let lost = keys(vec![
        key(OLD, AccessKeyStatus::Active, 120),
        key(NEW, AccessKeyStatus::Active, 0),
    ]);
    rotation.update(Msg::KeysListed(request_of(&effects[0]), Ok(lost)));
    assert_eq!(rotation.step, Step::OtherKey);
    assert!(
        rotation
            .problem
            .unwrap()
            .way_out
            .contains("--delete-other-key")
    );
}

#[test]
fn ctrl_c_while_resume_reads_the_files_keeps_the_journal() {
    let mut rotation = Rotation::new(Options::new(""));
    rotation.resume(plan(), Vec::new());
    assert!(rotation.update(Msg::Interrupt).is_empty());
    assert_eq!(rotation.outcome, Some(Outcome::Interrupted));
}

#[test]
fn a_journal_without_a_key_creation_cannot_be_resumed() {
    let mut rotation = Rotation::new(Options::new("work"));
    let effects = rotation.resume(Vec::new(), Vec::new());
    let effects = rotation.update(Msg::ProfilesRead(request_of(&effects[0]), Ok(profiles())));
    assert_eq!(effects, [Effect::FinishJournal]);
    assert!(rotation.problem.is_some());
}

#[test]
fn journal_records_round_trip_without_field_clashes() {
    for action in [
        plan()[0].clone(),
        verify_new_key(),
        Action::WriteNewKey {
            new_key_id: NEW.into(),
            old_key_id: OLD.into(),
            profiles: vec!["w".into()],
        },
    ] {
        let record = done(action, Some(NEW));
        let json = serde_json::to_string(&record).unwrap();
        let back: Completed<Action> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, record, "{json}");
    }
}

#[test]
fn labels_name_keys_and_profiles_never_secrets() {
    assert_eq!(
        plan()[0].label(),
        "Create a new key for alice and write it to profiles work, work-copy"
    );
    assert_eq!(
        Action::DeactivateOldKey {
            user: "alice".into(),
            key_id: OLD.into()
        }
        .label(),
        format!("Deactivate the old key {OLD}")
    );
}
