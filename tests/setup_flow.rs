//! The setup wizard's state machine, walked message by message with no I/O: every step, Back,
//! stale results, validation, each AWS error class, the run's waves, retry and resume.

use credwiz::aws::{AwsError, AwsErrorKind, CallerIdentity, CredentialSource, ManagedPolicy};
use credwiz::flows::setup::{
    Account, Action, ActionOutput, CreatedKey, Effect, Existing, Field, Msg, Preview, RequestId,
    Setup, Status, Step,
};
use credwiz::secret::Secret;

const ADMIN_ARN: &str = "arn:aws:iam::123456789012:user/admin";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";

fn managed(name: &str) -> String {
    format!("arn:aws:iam::aws:policy/{name}")
}

fn wizard() -> Setup {
    Setup::new(credwiz::presets::built_in())
}

fn source() -> CredentialSource {
    CredentialSource::Profile("admin".to_string())
}

fn account() -> Account {
    Account {
        identity: CallerIdentity {
            account: "123456789012".to_string(),
            arn: ADMIN_ARN.to_string(),
            user_id: "AIDAEXAMPLEADMIN".to_string(),
        },
        aliases: vec!["example-corp".to_string()],
    }
}

const NOTHING_EXISTS: Existing = Existing {
    user: false,
    group: false,
};

fn error(kind: AwsErrorKind, code: &str, operation: &'static str, message: &str) -> AwsError {
    AwsError {
        kind,
        code: Some(code.to_string()),
        message: message.to_string(),
        operation,
    }
}

fn created_key() -> CreatedKey {
    CreatedKey {
        access_key_id: KEY_ID.to_string(),
        secret_access_key: Secret::new(SECRET),
    }
}

fn preview(profile_exists: bool) -> Preview {
    Preview {
        diff: "+[pharmer]\n+aws_access_key_id = <new access key id>\n".to_string(),
        profile_exists,
    }
}

fn catalog() -> Vec<ManagedPolicy> {
    ["AdministratorAccess", "AmazonS3ReadOnlyAccess"]
        .into_iter()
        .map(|name| ManagedPolicy {
            name: name.to_string(),
            arn: managed(name),
            description: None,
            default_version_id: Some("v1".to_string()),
        })
        .collect()
}

// ---- Picking effects apart -------------------------------------------------------------------

fn identify(effects: &[Effect]) -> RequestId {
    match effects {
        [Effect::Identify { request, .. }] => *request,
        other => panic!("expected one Identify, got {other:?}"),
    }
}

fn look_up(effects: &[Effect]) -> (RequestId, String, Option<String>) {
    match effects {
        [
            Effect::LookUpUser {
                request,
                user,
                group,
            },
        ] => (*request, user.clone(), group.clone()),
        other => panic!("expected one LookUpUser, got {other:?}"),
    }
}

fn load_catalog(effects: &[Effect]) -> RequestId {
    match effects {
        [Effect::LoadPolicyCatalog { request }] => *request,
        other => panic!("expected one LoadPolicyCatalog, got {other:?}"),
    }
}

fn check_policies(effects: &[Effect]) -> (RequestId, Vec<String>) {
    match effects {
        [Effect::CheckPolicies { request, arns }] => (*request, arns.clone()),
        other => panic!("expected one CheckPolicies, got {other:?}"),
    }
}

fn preview_files(effects: &[Effect]) -> (RequestId, String, Option<String>, Option<String>) {
    match effects {
        [
            Effect::PreviewFiles {
                request,
                profile,
                region,
                output,
            },
        ] => (*request, profile.clone(), region.clone(), output.clone()),
        other => panic!("expected one PreviewFiles, got {other:?}"),
    }
}

/// Every effect must be a `Perform`; returns them in order.
fn performs(effects: &[Effect]) -> Vec<(RequestId, Action)> {
    effects
        .iter()
        .map(|effect| match effect {
            Effect::Perform { request, action } => (*request, action.clone()),
            other => panic!("expected only Perform effects, got {other:?}"),
        })
        .collect()
}

fn actions(performed: &[(RequestId, Action)]) -> Vec<Action> {
    performed.iter().map(|(_, action)| action.clone()).collect()
}

fn request_for(performed: &[(RequestId, Action)], wanted: &Action) -> RequestId {
    performed
        .iter()
        .find(|(_, action)| action == wanted)
        .map(|(request, _)| *request)
        .unwrap_or_else(|| panic!("{wanted:?} was not started: {performed:?}"))
}

fn field_error(setup: &Setup) -> (Field, String) {
    let error = setup
        .field_error
        .as_ref()
        .unwrap_or_else(|| panic!("expected a field error at {:?}", setup.step));
    (error.field, error.message.clone())
}

/// The answers as text, to show that Back kept them all.
fn answers_of(setup: &Setup) -> String {
    format!("{:?}", setup.answers)
}

// ---- Reaching each step ----------------------------------------------------------------------

fn at_account(preset: Option<&str>) -> Setup {
    let mut setup = wizard();
    setup.update(Msg::PickPreset(preset.map(str::to_string)));
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(setup.step, Step::Account);
    setup
}

fn at_user(preset: Option<&str>) -> Setup {
    let mut setup = at_account(preset);
    setup.update(Msg::PickSource(source()));
    let request = identify(&setup.update(Msg::Next));
    assert!(
        setup
            .update(Msg::Identified(request, Ok(account())))
            .is_empty()
    );
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(setup.step, Step::User);
    setup
}

/// At the policies step with the catalog request still open; returns its id.
fn at_policies_loading(preset: Option<&str>) -> (Setup, RequestId) {
    let mut setup = at_user(preset);
    let (request, _, _) = look_up(&setup.update(Msg::Next));
    let effects = setup.update(Msg::UserLookedUp(request, Ok(NOTHING_EXISTS)));
    assert_eq!(setup.step, Step::Policies);
    let catalog_request = load_catalog(&effects);
    (setup, catalog_request)
}

fn at_policies(preset: Option<&str>) -> Setup {
    let (mut setup, request) = at_policies_loading(preset);
    assert!(
        setup
            .update(Msg::CatalogLoaded(request, Ok(catalog())))
            .is_empty()
    );
    assert_eq!(setup.catalog, Some(catalog()));
    setup
}

fn all_exist(arns: &[String]) -> Vec<(String, bool)> {
    arns.iter().map(|arn| (arn.clone(), true)).collect()
}

fn at_profile(preset: Option<&str>) -> Setup {
    let mut setup = at_policies(preset);
    let (request, arns) = check_policies(&setup.update(Msg::Next));
    setup.update(Msg::PoliciesChecked(request, Ok(all_exist(&arns))));
    assert_eq!(setup.step, Step::Profile);
    setup
}

fn at_review(preset: Option<&str>) -> Setup {
    let mut setup = at_profile(preset);
    let (request, _, _, _) = preview_files(&setup.update(Msg::Next));
    setup.update(Msg::Previewed(request, Ok(preview(false))));
    assert_eq!(setup.step, Step::Review);
    setup
}

/// A custom run (no preset): one user, one policy, no group.
fn custom_at_user() -> Setup {
    let mut setup = at_user(None);
    setup.update(Msg::EditUserName("alice".to_string()));
    setup
}

/// Starts the run from review; returns the performs of the first wave.
fn start_run(setup: &mut Setup) -> Vec<(RequestId, Action)> {
    let effects = setup.update(Msg::Next);
    assert_eq!(setup.step, Step::Run);
    let [Effect::BeginJournal { request, .. }] = effects.as_slice() else {
        panic!("expected only BeginJournal, got {effects:?}");
    };
    performs(&setup.update(Msg::JournalStarted(*request, Ok(()))))
}

fn pharmer_plan() -> Vec<Action> {
    let group = || "pharmer".to_string();
    let user = || "pharmer".to_string();
    let mut plan = vec![
        Action::CreateGroup { group: group() },
        Action::CreateUser { user: user() },
        Action::AddUserToGroup {
            user: user(),
            group: group(),
        },
    ];
    for name in [
        "AmazonEC2FullAccess",
        "AmazonRoute53FullAccess",
        "IAMFullAccess",
        "AmazonVPCFullAccess",
    ] {
        plan.push(Action::AttachGroupPolicy {
            group: group(),
            arn: managed(name),
        });
    }
    plan.push(Action::CreateKeyAndWriteProfile {
        user: user(),
        profile: "pharmer".to_string(),
        region: None,
        output: None,
    });
    plan
}

fn verify_action(user: &str, profile: &str) -> Action {
    Action::VerifyKey {
        user: user.to_string(),
        profile: profile.to_string(),
        access_key_id: KEY_ID.to_string(),
    }
}

// ---- The happy path --------------------------------------------------------------------------

#[test]
fn every_step_in_order_to_done() {
    let mut setup = wizard();
    assert_eq!(setup.step, Step::Preset);
    setup.update(Msg::PickPreset(Some("pharmer".to_string())));
    assert_eq!(setup.answers.user_name, "pharmer");
    assert_eq!(setup.answers.group.as_deref(), Some("pharmer"));
    assert_eq!(setup.answers.profile, "pharmer");
    assert_eq!(setup.answers.policies.len(), 4);

    // Preset → Account.
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(setup.step, Step::Account);

    // Account: Identify with the chosen source; Next waits for it, then moves on.
    setup.update(Msg::PickSource(source()));
    let effects = setup.update(Msg::Next);
    let identify_request = match effects.as_slice() {
        [
            Effect::Identify {
                request,
                source: CredentialSource::Profile(name),
            },
        ] if name == "admin" => *request,
        other => panic!("expected Identify with profile admin, got {other:?}"),
    };
    assert_eq!(setup.waiting, Some(identify_request));
    assert!(setup.update(Msg::Next).is_empty(), "Next while identifying");
    assert_eq!(setup.step, Step::Account);
    setup.update(Msg::Identified(identify_request, Ok(account())));
    assert_eq!(setup.account, Some(account()));
    assert_eq!(setup.step, Step::Account, "the account is shown first");
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(setup.step, Step::User);

    // User: LookUpUser for the user and the group; nothing exists, so on to policies.
    let (request, user, group) = look_up(&setup.update(Msg::Next));
    assert_eq!(user, "pharmer");
    assert_eq!(group.as_deref(), Some("pharmer"));
    let effects = setup.update(Msg::UserLookedUp(request, Ok(NOTHING_EXISTS)));
    assert_eq!(setup.step, Step::Policies);
    assert_eq!(setup.existing, Some(NOTHING_EXISTS));

    // Policies: the catalog once, then CheckPolicies on Next.
    let catalog_request = load_catalog(&effects);
    setup.update(Msg::CatalogLoaded(catalog_request, Ok(catalog())));
    let (request, arns) = check_policies(&setup.update(Msg::Next));
    assert_eq!(
        arns,
        [
            "AmazonEC2FullAccess",
            "AmazonRoute53FullAccess",
            "IAMFullAccess",
            "AmazonVPCFullAccess"
        ]
        .map(managed)
    );
    assert_eq!(setup.step, Step::Policies);
    setup.update(Msg::PoliciesChecked(request, Ok(all_exist(&arns))));
    assert_eq!(setup.step, Step::Profile);
    assert!(setup.unavailable.is_empty());

    // Profile: PreviewFiles; a preview that needs no answer moves on to Review.
    let (request, profile, region, output) = preview_files(&setup.update(Msg::Next));
    assert_eq!((profile.as_str(), region, output), ("pharmer", None, None));
    setup.update(Msg::Previewed(request, Ok(preview(false))));
    assert_eq!(setup.preview, Some(preview(false)));
    assert_eq!(setup.step, Step::Review);
    assert_eq!(setup.plan(), pharmer_plan());
    assert!(!setup.has_started_run());

    // Run: the journal first and alone; once it exists, group and user together.
    let effects = setup.update(Msg::Next);
    assert_eq!(setup.step, Step::Run);
    let request = match effects.as_slice() {
        [Effect::BeginJournal { request, plan }] => {
            assert_eq!(plan, &pharmer_plan());
            *request
        }
        other => panic!("expected only BeginJournal, got {other:?}"),
    };
    let wave = performs(&setup.update(Msg::JournalStarted(request, Ok(()))));
    assert_eq!(actions(&wave), pharmer_plan()[..2].to_vec());
    assert!(setup.has_started_run());

    // The second wave waits for both.
    assert!(
        setup
            .update(Msg::Performed(wave[1].0, Ok(ActionOutput::Completed)))
            .is_empty()
    );
    let effects = setup.update(Msg::Performed(wave[0].0, Ok(ActionOutput::Completed)));
    let wave = performs(&effects);
    assert_eq!(
        actions(&wave),
        pharmer_plan()[2..7].to_vec(),
        "membership and every attachment in one wave"
    );

    // The key waits for all five.
    for (request, _) in wave.iter().skip(1).rev() {
        assert!(
            setup
                .update(Msg::Performed(*request, Ok(ActionOutput::Completed)))
                .is_empty()
        );
    }
    let effects = setup.update(Msg::Performed(wave[0].0, Ok(ActionOutput::Completed)));
    let wave = performs(&effects);
    assert_eq!(actions(&wave), vec![pharmer_plan()[7].clone()]);

    // The key is written; then it is verified.
    let effects = setup.update(Msg::Performed(
        wave[0].0,
        Ok(ActionOutput::KeyWritten(created_key())),
    ));
    let wave = performs(&effects);
    assert_eq!(actions(&wave), vec![verify_action("pharmer", "pharmer")]);
    assert_eq!(setup.created_key, Some(created_key()));
    assert_eq!(setup.step, Step::Run);

    let arn = "arn:aws:iam::123456789012:user/pharmer".to_string();
    let effects = setup.update(Msg::Performed(
        wave[0].0,
        Ok(ActionOutput::Verified { arn: arn.clone() }),
    ));
    assert!(effects.is_empty());
    assert_eq!(setup.step, Step::Done);
    assert_eq!(setup.verified_arn, Some(arn));
    assert_eq!(
        setup.secret().map(Secret::expose),
        Some(SECRET),
        "the done screen can reveal the secret"
    );
    assert!(setup.run.iter().all(|item| item.status == Status::Done));
    assert!(setup.problem.is_none());
}

#[test]
fn a_custom_run_attaches_policies_to_the_user() {
    let mut setup = custom_at_user();
    let (request, user, group) = look_up(&setup.update(Msg::Next));
    assert_eq!((user.as_str(), group), ("alice", None));
    let catalog_request =
        load_catalog(&setup.update(Msg::UserLookedUp(request, Ok(NOTHING_EXISTS))));
    setup.update(Msg::CatalogLoaded(catalog_request, Ok(catalog())));
    // With no policy Next is refused and names --policy.
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(field_error(&setup).0, Field::Policies);
    assert_eq!(Field::Policies.flag(), "--policy");
    setup.update(Msg::TogglePolicy("AmazonS3ReadOnlyAccess".to_string()));
    let (request, arns) = check_policies(&setup.update(Msg::Next));
    assert_eq!(arns, vec![managed("AmazonS3ReadOnlyAccess")]);
    setup.update(Msg::PoliciesChecked(request, Ok(all_exist(&arns))));
    setup.update(Msg::EditProfile("alice-s3".to_string()));
    setup.update(Msg::EditRegion(Some("eu-west-2".to_string())));
    setup.update(Msg::EditOutput(Some("table".to_string())));
    let (request, profile, region, output) = preview_files(&setup.update(Msg::Next));
    assert_eq!(
        (profile.as_str(), region.as_deref(), output.as_deref()),
        ("alice-s3", Some("eu-west-2"), Some("table"))
    );
    setup.update(Msg::Previewed(request, Ok(preview(false))));
    assert_eq!(setup.step, Step::Review);
    assert_eq!(
        setup.plan(),
        vec![
            Action::CreateUser {
                user: "alice".to_string()
            },
            Action::AttachUserPolicy {
                user: "alice".to_string(),
                arn: managed("AmazonS3ReadOnlyAccess"),
            },
            Action::CreateKeyAndWriteProfile {
                user: "alice".to_string(),
                profile: "alice-s3".to_string(),
                region: Some("eu-west-2".to_string()),
                output: Some("table".to_string()),
            },
        ]
    );
}

#[test]
fn toggling_a_policy_twice_removes_it() {
    let mut setup = at_policies(Some("s3-readonly"));
    setup.update(Msg::TogglePolicy("AdministratorAccess".to_string()));
    assert!(
        setup
            .answers
            .policies
            .iter()
            .any(|p| p.arn == managed("AdministratorAccess"))
    );
    assert!(
        setup
            .answers
            .policies
            .iter()
            .any(|p| p.grants_full_control())
    );
    setup.update(Msg::TogglePolicy(managed("AdministratorAccess")));
    let arns: Vec<&str> = setup
        .answers
        .policies
        .iter()
        .map(|p| p.arn.as_str())
        .collect();
    assert_eq!(arns, vec![managed("AmazonS3ReadOnlyAccess").as_str()]);
}

// ---- Account and user steps ------------------------------------------------------------------

#[test]
fn the_account_step_needs_a_source_and_names_the_flag() {
    let mut setup = at_account(Some("s3-readonly"));
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(setup.step, Step::Account);
    let (field, message) = field_error(&setup);
    assert_eq!(field, Field::Source);
    assert_eq!(field.flag(), "--source-profile");
    assert!(message.contains("credentials"), "{message}");
}

#[test]
fn an_unknown_preset_is_refused_and_the_known_ones_listed() {
    let mut setup = wizard();
    setup.update(Msg::PickPreset(Some("no-such-preset".to_string())));
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(setup.step, Step::Preset);
    let (field, message) = field_error(&setup);
    assert_eq!(field, Field::Preset);
    assert_eq!(field.flag(), "--preset");
    for id in [
        "no-such-preset",
        "aimodelshare",
        "pharmer",
        "mturk",
        "s3-readonly",
    ] {
        assert!(message.contains(id), "{message} lacks {id}");
    }
}

#[test]
fn an_existing_user_and_group_are_reported_and_reused() {
    let mut setup = at_user(Some("pharmer"));
    let (request, _, _) = look_up(&setup.update(Msg::Next));
    let both = Existing {
        user: true,
        group: true,
    };
    let effects = setup.update(Msg::UserLookedUp(request, Ok(both)));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(setup.step, Step::User, "stays so that reuse is shown");
    assert_eq!(setup.existing, Some(both));
    // Next accepts the reuse without asking AWS again.
    let catalog_request = load_catalog(&setup.update(Msg::Next));
    assert_eq!(setup.step, Step::Policies);
    setup.update(Msg::CatalogLoaded(catalog_request, Ok(catalog())));
    let (request, arns) = check_policies(&setup.update(Msg::Next));
    setup.update(Msg::PoliciesChecked(request, Ok(all_exist(&arns))));
    let (request, _, _, _) = preview_files(&setup.update(Msg::Next));
    setup.update(Msg::Previewed(request, Ok(preview(false))));
    assert_eq!(setup.step, Step::Review);

    let plan = setup.plan();
    assert_eq!(
        plan,
        pharmer_plan()[2..].to_vec(),
        "no CreateUser, no CreateGroup"
    );
    let wave = start_run(&mut setup);
    assert_eq!(actions(&wave), pharmer_plan()[2..7].to_vec());
}

#[test]
fn an_existing_user_alone_is_reused() {
    let mut setup = at_user(Some("s3-readonly"));
    let (request, _, group) = look_up(&setup.update(Msg::Next));
    assert_eq!(group, None);
    setup.update(Msg::UserLookedUp(
        request,
        Ok(Existing {
            user: true,
            group: false,
        }),
    ));
    assert_eq!(setup.step, Step::User);
    setup.update(Msg::Next);
    assert_eq!(setup.step, Step::Policies);
    assert!(
        !setup
            .plan()
            .iter()
            .any(|a| matches!(a, Action::CreateUser { .. }))
    );
}

#[test]
fn changing_the_user_name_looks_it_up_again() {
    let mut setup = at_user(Some("s3-readonly"));
    let (request, _, _) = look_up(&setup.update(Msg::Next));
    setup.update(Msg::UserLookedUp(
        request,
        Ok(Existing {
            user: true,
            group: false,
        }),
    ));
    setup.update(Msg::EditUserName("someone-else".to_string()));
    assert_eq!(setup.existing, None);
    let (_, user, _) = look_up(&setup.update(Msg::Next));
    assert_eq!(user, "someone-else");
}

// ---- Policies --------------------------------------------------------------------------------

#[test]
fn the_policy_catalog_is_loaded_once() {
    let (mut setup, request) = at_policies_loading(Some("s3-readonly"));
    // Back and forth while it loads: no second request.
    setup.update(Msg::Back);
    assert_eq!(setup.step, Step::User);
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(setup.step, Step::Policies);
    // A catalog answer for another request is dropped; the real one is kept.
    setup.update(Msg::CatalogLoaded(RequestId(9_999), Ok(Vec::new())));
    assert_eq!(setup.catalog, None);
    setup.update(Msg::CatalogLoaded(request, Ok(catalog())));
    assert_eq!(setup.catalog, Some(catalog()));
    // Once loaded, never again.
    setup.update(Msg::Back);
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(setup.step, Step::Policies);
}

#[test]
fn a_missing_required_policy_is_refused_and_nothing_runs() {
    let mut setup = at_policies(Some("pharmer"));
    let (request, arns) = check_policies(&setup.update(Msg::Next));
    let found: Vec<(String, bool)> = arns
        .iter()
        .map(|arn| (arn.clone(), !arn.ends_with("/AmazonRoute53FullAccess")))
        .collect();
    let effects = setup.update(Msg::PoliciesChecked(request, Ok(found)));
    assert!(effects.is_empty());
    assert_eq!(setup.step, Step::Policies);
    let (field, message) = field_error(&setup);
    assert_eq!(field, Field::Policies);
    assert!(message.contains("AmazonRoute53FullAccess"), "{message}");
    assert!(message.contains("nothing has been created"), "{message}");
    assert!(setup.run.is_empty());
    assert!(!setup.has_started_run());
    assert_eq!(setup.answers.policies.len(), 4, "nothing silently dropped");
    assert!(setup.unavailable.is_empty());
    // Next checks again rather than going on.
    let (_, again) = check_policies(&setup.update(Msg::Next));
    assert_eq!(again, arns);
    assert_eq!(setup.step, Step::Policies);
}

#[test]
fn a_missing_optional_policy_is_dropped_and_reported() {
    let mut setup = at_policies(Some("mturk"));
    let crowd = managed("AmazonMechanicalTurkCrowdFullAccess");
    let full = managed("AmazonMechanicalTurkFullAccess");
    let (request, arns) = check_policies(&setup.update(Msg::Next));
    assert_eq!(arns, vec![full.clone(), crowd.clone()]);
    setup.update(Msg::PoliciesChecked(
        request,
        Ok(vec![(crowd.clone(), false), (full.clone(), true)]),
    ));
    assert_eq!(setup.step, Step::Profile);
    assert!(setup.field_error.is_none());
    assert_eq!(
        setup.unavailable,
        vec!["AmazonMechanicalTurkCrowdFullAccess"]
    );
    let kept: Vec<&str> = setup
        .answers
        .policies
        .iter()
        .map(|p| p.arn.as_str())
        .collect();
    assert_eq!(kept, vec![full.as_str()]);
    assert!(!setup.plan().iter().any(|a| {
        a.as_aws_cli()
            .contains("AmazonMechanicalTurkCrowdFullAccess")
    }));
    // The profile defaults come from the preset.
    let (_, profile, region, output) = preview_files(&setup.update(Msg::Next));
    assert_eq!(
        (profile.as_str(), region.as_deref(), output.as_deref()),
        ("mturk", Some("us-east-1"), Some("json"))
    );
}

#[test]
fn changing_the_preset_forgets_policies_reported_unavailable_for_the_old_one() {
    let mut setup = at_policies(Some("mturk"));
    let (request, _) = check_policies(&setup.update(Msg::Next));
    setup.update(Msg::PoliciesChecked(
        request,
        Ok(vec![
            (managed("AmazonMechanicalTurkFullAccess"), true),
            (managed("AmazonMechanicalTurkCrowdFullAccess"), false),
        ]),
    ));
    assert_eq!(setup.unavailable.len(), 1);
    for _ in 0..4 {
        setup.update(Msg::Back);
    }
    assert_eq!(setup.step, Step::Preset);
    setup.update(Msg::PickPreset(Some("s3-readonly".to_string())));
    assert_eq!(setup.answers.user_name, "s3-readonly");
    assert!(
        setup.unavailable.is_empty(),
        "the s3-readonly run would report mturk's policy as skipped: {:?}",
        setup.unavailable
    );
}

// ---- Profile ---------------------------------------------------------------------------------

#[test]
fn an_existing_profile_needs_explicit_replacement() {
    let mut setup = at_profile(Some("pharmer"));
    let (request, _, _, _) = preview_files(&setup.update(Msg::Next));
    setup.update(Msg::Previewed(request, Ok(preview(true))));
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(setup.step, Step::Profile);
    let (field, message) = field_error(&setup);
    assert_eq!(field, Field::ReplaceProfile);
    assert_eq!(field.flag(), "--force");
    assert!(message.contains("`pharmer` already exists"), "{message}");

    setup.update(Msg::ReplaceProfile(true));
    assert!(setup.update(Msg::Next).is_empty());
    assert_eq!(setup.step, Step::Review);
    assert!(setup.field_error.is_none());
}

#[test]
fn editing_the_profile_previews_again() {
    let mut setup = at_review(Some("s3-readonly"));
    setup.update(Msg::Back);
    assert_eq!(setup.step, Step::Profile);
    setup.update(Msg::EditProfile("data".to_string()));
    assert_eq!(setup.preview, None);
    let (_, profile, _, _) = preview_files(&setup.update(Msg::Next));
    assert_eq!(profile, "data");
}

#[test]
fn a_preview_failure_is_a_problem_at_review() {
    let mut setup = at_profile(Some("s3-readonly"));
    let (request, _, _, _) = preview_files(&setup.update(Msg::Next));
    setup.update(Msg::Previewed(
        request,
        Err("/home/u/.aws/credentials, line 3: bad section".to_string()),
    ));
    let problem = setup.problem.clone().expect("a problem");
    assert!(problem.message.contains("line 3"));
    assert!(!problem.way_out.is_empty());
    assert_eq!(setup.step, Step::Profile);
    assert!(setup.run.is_empty());
}

// ---- Back ------------------------------------------------------------------------------------

#[test]
fn back_at_every_step_keeps_earlier_answers() {
    let mut setup = at_review(Some("mturk"));
    setup.update(Msg::EditUserName("mturk-caller".to_string()));
    let answers = answers_of(&setup);
    let mut expected = Step::Review;
    for previous in [
        Step::Profile,
        Step::Policies,
        Step::User,
        Step::Account,
        Step::Preset,
        Step::Preset,
    ] {
        assert_eq!(setup.step, expected);
        assert!(setup.update(Msg::Back).is_empty());
        assert_eq!(setup.step, previous);
        assert_eq!(answers_of(&setup), answers, "Back from {expected:?}");
        expected = previous;
    }
    assert_eq!(setup.account, Some(account()), "the identity is kept too");
}

#[test]
fn after_back_next_walks_forward_without_asking_aws_again() {
    let mut setup = at_review(Some("pharmer"));
    for _ in 0..5 {
        setup.update(Msg::Back);
    }
    assert_eq!(setup.step, Step::Preset);
    let answers = answers_of(&setup);
    for next in [
        Step::Account,
        Step::User,
        Step::Policies,
        Step::Profile,
        Step::Review,
    ] {
        let effects = setup.update(Msg::Next);
        assert!(effects.is_empty(), "at {next:?}: {effects:?}");
        assert_eq!(setup.step, next);
    }
    assert_eq!(answers_of(&setup), answers);
    assert_eq!(setup.plan(), pharmer_plan());
}

#[test]
fn back_during_the_run_is_refused_and_names_resume_and_rollback() {
    let mut setup = at_review(Some("s3-readonly"));
    let wave = start_run(&mut setup);
    assert!(setup.update(Msg::Back).is_empty());
    assert_eq!(setup.step, Step::Run);
    let problem = setup.problem.clone().expect("Back explains itself");
    assert_eq!(problem.step, Step::Run);
    let text = format!("{} {}", problem.message, problem.way_out);
    assert!(text.contains("--resume"), "{text}");
    assert!(text.contains("--rollback"), "{text}");
    // The run carries on when the result arrives.
    let effects = setup.update(Msg::Performed(wave[0].0, Ok(ActionOutput::Completed)));
    assert_eq!(performs(&effects).len(), 1);
}

#[test]
fn answers_are_ignored_once_the_run_started() {
    let mut setup = at_review(Some("s3-readonly"));
    start_run(&mut setup);
    let answers = answers_of(&setup);
    setup.update(Msg::EditUserName("mallory".to_string()));
    setup.update(Msg::EditProfile("other".to_string()));
    setup.update(Msg::TogglePolicy("AdministratorAccess".to_string()));
    setup.update(Msg::PickPreset(Some("pharmer".to_string())));
    assert_eq!(answers_of(&setup), answers);
    assert_eq!(setup.step, Step::Run);
}

// ---- Stale results ---------------------------------------------------------------------------

#[test]
fn results_for_another_request_are_dropped() {
    let wrong = RequestId(424_242);

    let mut setup = at_account(Some("s3-readonly"));
    setup.update(Msg::PickSource(source()));
    let request = identify(&setup.update(Msg::Next));
    setup.update(Msg::Identified(wrong, Ok(account())));
    assert_eq!(setup.account, None);
    assert_eq!(setup.waiting, Some(request));

    let mut setup = at_user(Some("s3-readonly"));
    let (request, _, _) = look_up(&setup.update(Msg::Next));
    assert!(
        setup
            .update(Msg::UserLookedUp(wrong, Ok(NOTHING_EXISTS)))
            .is_empty()
    );
    assert_eq!((setup.step, setup.existing), (Step::User, None));
    assert_eq!(setup.waiting, Some(request));

    let mut setup = at_policies(Some("s3-readonly"));
    let (request, arns) = check_policies(&setup.update(Msg::Next));
    setup.update(Msg::PoliciesChecked(wrong, Ok(all_exist(&arns))));
    assert_eq!(setup.step, Step::Policies);
    assert!(!setup.policies_checked);
    assert_eq!(setup.waiting, Some(request));

    let mut setup = at_profile(Some("s3-readonly"));
    preview_files(&setup.update(Msg::Next));
    setup.update(Msg::Previewed(wrong, Ok(preview(false))));
    assert_eq!(setup.preview, None);

    let mut setup = at_review(Some("s3-readonly"));
    start_run(&mut setup);
    assert!(
        setup
            .update(Msg::Performed(wrong, Ok(ActionOutput::Completed)))
            .is_empty()
    );
    assert!(
        setup
            .run
            .iter()
            .all(|item| matches!(item.status, Status::Running(_) | Status::Pending))
    );
    let errors_dropped = setup.update(Msg::Performed(
        wrong,
        Err(error(AwsErrorKind::Other, "X", "iam:CreateUser", "boom")),
    ));
    assert!(errors_dropped.is_empty());
    assert!(setup.problem.is_none());
}

#[test]
fn results_arriving_after_back_are_dropped() {
    // Identity.
    let mut setup = at_account(Some("s3-readonly"));
    setup.update(Msg::PickSource(source()));
    let request = identify(&setup.update(Msg::Next));
    setup.update(Msg::Back);
    assert_eq!(setup.waiting, None);
    setup.update(Msg::Identified(request, Ok(account())));
    assert_eq!(setup.account, None);
    assert_eq!(setup.step, Step::Preset);
    // Going forward asks again, under a new request id.
    setup.update(Msg::Next);
    let again = identify(&setup.update(Msg::Next));
    assert_ne!(again, request);

    // User lookup.
    let mut setup = at_user(Some("s3-readonly"));
    let (request, _, _) = look_up(&setup.update(Msg::Next));
    setup.update(Msg::Back);
    assert!(
        setup
            .update(Msg::UserLookedUp(request, Ok(NOTHING_EXISTS)))
            .is_empty()
    );
    assert_eq!((setup.step, setup.existing), (Step::Account, None));

    // Policy check.
    let mut setup = at_policies(Some("s3-readonly"));
    let (request, arns) = check_policies(&setup.update(Msg::Next));
    setup.update(Msg::Back);
    setup.update(Msg::PoliciesChecked(request, Ok(all_exist(&arns))));
    assert_eq!(setup.step, Step::User);
    assert!(!setup.policies_checked);

    // Preview, and its error too.
    let mut setup = at_profile(Some("s3-readonly"));
    let (request, _, _, _) = preview_files(&setup.update(Msg::Next));
    setup.update(Msg::Back);
    setup.update(Msg::Previewed(request, Err("late failure".to_string())));
    assert_eq!((setup.step, &setup.preview), (Step::Policies, &None));
    assert!(setup.problem.is_none());
}

#[test]
fn a_user_lookup_answered_after_the_name_changed_is_dropped() {
    let mut setup = at_user(Some("s3-readonly"));
    let (request, user, _) = look_up(&setup.update(Msg::Next));
    assert_eq!(user, "s3-readonly");
    // The user types a new name while the lookup for the old one is in flight.
    setup.update(Msg::EditUserName("brand-new-user".to_string()));
    setup.update(Msg::UserLookedUp(
        request,
        Ok(Existing {
            user: true,
            group: false,
        }),
    ));
    assert_eq!(
        setup.existing, None,
        "the lookup of `s3-readonly` must not be taken as the answer for `brand-new-user`"
    );
    let plan = setup.plan();
    assert!(
        plan.iter()
            .any(|a| matches!(a, Action::CreateUser { user } if user == "brand-new-user")),
        "{plan:?}"
    );
}

#[test]
fn an_identity_answered_after_the_source_changed_is_dropped() {
    let mut setup = at_account(Some("s3-readonly"));
    setup.update(Msg::PickSource(source()));
    let request = identify(&setup.update(Msg::Next));
    setup.update(Msg::PickSource(CredentialSource::Profile(
        "other".to_string(),
    )));
    setup.update(Msg::Identified(request, Ok(account())));
    assert_eq!(
        setup.account, None,
        "the identity of profile `admin` must not be shown for profile `other`"
    );
}

#[test]
fn a_preview_answered_after_the_profile_changed_is_dropped() {
    let mut setup = at_profile(Some("s3-readonly"));
    let (request, profile, _, _) = preview_files(&setup.update(Msg::Next));
    assert_eq!(profile, "s3-readonly");
    setup.update(Msg::EditProfile("existing-profile".to_string()));
    setup.update(Msg::Previewed(request, Ok(preview(false))));
    assert_eq!(
        setup.preview, None,
        "a preview of `s3-readonly` must not stand for `existing-profile` (which may exist)"
    );
}

#[test]
fn a_policy_check_answered_after_the_selection_changed_is_dropped() {
    let mut setup = at_policies(Some("s3-readonly"));
    let (request, arns) = check_policies(&setup.update(Msg::Next));
    assert_eq!(arns, vec![managed("AmazonS3ReadOnlyAccess")]);
    // A policy is added while the check of the old selection is in flight.
    setup.update(Msg::TogglePolicy("NoSuchPolicyXyz".to_string()));
    setup.update(Msg::PoliciesChecked(request, Ok(all_exist(&arns))));
    assert_eq!(
        (setup.step, setup.policies_checked),
        (Step::Policies, false),
        "NoSuchPolicyXyz was never checked, yet the wizard went on to {:?}",
        setup.step
    );
}

// ---- Validation ------------------------------------------------------------------------------

#[test]
fn fields_name_their_flags() {
    let cases = [
        (Field::Preset, "--preset"),
        (Field::Source, "--source-profile"),
        (Field::UserName, "--user-name"),
        (Field::Group, "--group"),
        (Field::Policies, "--policy"),
        (Field::ProfileName, "--profile"),
        (Field::Region, "--region"),
        (Field::Output, "--output"),
        (Field::ReplaceProfile, "--force"),
    ];
    for (field, flag) in cases {
        assert_eq!(field.flag(), flag, "{field:?}");
    }
}

#[test]
fn user_names_follow_iam_rules() {
    let too_long = "u".repeat(65);
    let cases: [(&str, &str); 5] = [
        ("", "enter a name"),
        ("has space", "a space"),
        ("slash/name", "`/`"),
        ("ünïcode", "`ü`"),
        (&too_long, "65 characters"),
    ];
    for (name, expected) in cases {
        let mut setup = custom_at_user();
        setup.update(Msg::EditUserName(name.to_string()));
        let effects = setup.update(Msg::Next);
        assert!(effects.is_empty(), "{name:?}: {effects:?}");
        assert_eq!(setup.step, Step::User);
        let (field, message) = field_error(&setup);
        assert_eq!(field, Field::UserName, "{name:?}");
        assert_eq!(field.flag(), "--user-name");
        assert!(message.contains(expected), "{name:?}: {message}");
        if !name.is_empty() {
            assert!(message.contains("A-Z, a-z, 0-9"), "{name:?}: {message}");
        }
    }
    // Every allowed character, at the limit, passes.
    for name in ["a+b=c,d.e@f_g-h", &"u".repeat(64)] {
        let mut setup = custom_at_user();
        setup.update(Msg::EditUserName(name.to_string()));
        let (_, user, _) = look_up(&setup.update(Msg::Next));
        assert_eq!(user, name);
        assert!(setup.field_error.is_none());
    }
}

#[test]
fn an_edit_clears_the_field_error() {
    let mut setup = custom_at_user();
    setup.update(Msg::EditUserName("bad name".to_string()));
    setup.update(Msg::Next);
    assert!(setup.field_error.is_some());
    setup.update(Msg::EditUserName("good-name".to_string()));
    assert!(setup.field_error.is_none());
    look_up(&setup.update(Msg::Next));
}

#[test]
fn group_names_follow_iam_rules() {
    for group in ["bad group", "a/b", &"g".repeat(129)] {
        let mut setup = custom_at_user();
        setup.update(Msg::EditGroup(Some(group.to_string())));
        assert!(setup.update(Msg::Next).is_empty());
        let (field, message) = field_error(&setup);
        assert_eq!(field, Field::Group, "{group}");
        assert_eq!(field.flag(), "--group");
        assert!(message.contains("group name"), "{message}");
    }
    // An empty group means none.
    let mut setup = custom_at_user();
    setup.update(Msg::EditGroup(Some("  ".to_string())));
    assert_eq!(setup.answers.group, None);
    let (_, _, group) = look_up(&setup.update(Msg::Next));
    assert_eq!(group, None);
}

#[test]
fn profile_region_and_output_are_validated() {
    let cases: Vec<(Msg, Field, &str, &str)> = vec![
        (
            Msg::EditProfile(String::new()),
            Field::ProfileName,
            "--profile",
            "enter the name",
        ),
        (
            Msg::EditProfile("two words".to_string()),
            Field::ProfileName,
            "--profile",
            "two words",
        ),
        (
            Msg::EditProfile("[x]".to_string()),
            Field::ProfileName,
            "--profile",
            "not a valid profile name",
        ),
        (
            Msg::EditRegion(Some("Mars".to_string())),
            Field::Region,
            "--region",
            "`Mars` is not a region",
        ),
        (
            Msg::EditRegion(Some("us_east_1".to_string())),
            Field::Region,
            "--region",
            "us-east-1",
        ),
        (
            Msg::EditRegion(Some("us-east-one".to_string())),
            Field::Region,
            "--region",
            "us-east-one",
        ),
        (
            Msg::EditOutput(Some("xml".to_string())),
            Field::Output,
            "--output",
            "json, yaml, yaml-stream, text, table",
        ),
    ];
    for (msg, field, flag, expected) in cases {
        let shown = format!("{msg:?}");
        let mut setup = at_profile(Some("s3-readonly"));
        setup.update(msg);
        assert!(setup.update(Msg::Next).is_empty(), "{shown}");
        assert_eq!(setup.step, Step::Profile, "{shown}");
        let (got, message) = field_error(&setup);
        assert_eq!(got, field, "{shown}");
        assert_eq!(got.flag(), flag);
        assert!(message.contains(expected), "{shown}: {message}");
    }
    // Plausible regions pass.
    for region in ["us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1"] {
        let mut setup = at_profile(Some("s3-readonly"));
        setup.update(Msg::EditRegion(Some(region.to_string())));
        preview_files(&setup.update(Msg::Next));
    }
}

// ---- AWS errors on every remote step ---------------------------------------------------------

fn error_classes(operation: &'static str) -> Vec<(AwsError, &'static str)> {
    let action = operation.to_string();
    vec![
        (
            error(
                AwsErrorKind::AccessDenied {
                    action: Some(action.clone()),
                },
                "AccessDenied",
                operation,
                &format!("User: {ADMIN_ARN} is not authorized to perform: {action} on resource"),
            ),
            operation,
        ),
        (
            error(
                AwsErrorKind::EntityAlreadyExists,
                "EntityAlreadyExists",
                operation,
                "User with name x already exists.",
            ),
            "Reuse it",
        ),
        (
            error(
                AwsErrorKind::NoSuchEntity,
                "NoSuchEntity",
                operation,
                "The entity cannot be found.",
            ),
            "does not exist",
        ),
        (
            error(
                AwsErrorKind::LimitExceeded,
                "LimitExceeded",
                operation,
                "Cannot exceed quota for AccessKeysPerUser: 2",
            ),
            "two access keys",
        ),
        (
            error(
                AwsErrorKind::Throttling,
                "Throttling",
                operation,
                "Rate exceeded",
            ),
            "throttling",
        ),
        (
            error(
                AwsErrorKind::InvalidCredentials,
                "InvalidClientTokenId",
                operation,
                "The security token included in the request is invalid.",
            ),
            "unknown or was deleted",
        ),
        (
            AwsError::unreachable(operation, "http://127.0.0.1:1", "Connection refused"),
            "could not reach http://127.0.0.1:1",
        ),
    ]
}

fn assert_problem(setup: &Setup, step: Step, error: &AwsError, way_out: &str) {
    let problem = setup
        .problem
        .clone()
        .unwrap_or_else(|| panic!("{error:?} at {step:?} gave no problem"));
    assert_eq!(problem.step, step, "{error:?}");
    assert!(
        problem.message.contains(error.operation),
        "{error:?}: {problem:?}"
    );
    assert!(
        problem.message.contains(&error.message),
        "{error:?}: {problem:?}"
    );
    assert!(
        problem.way_out.contains(way_out),
        "{error:?} at {step:?}: way out {:?} lacks {way_out:?}",
        problem.way_out
    );
}

/// PRODUCT.md: "Every AWS error shows its code, what it means here, and the way out".
#[test]
fn a_problem_shows_the_aws_error_code() {
    let denied = error(
        AwsErrorKind::AccessDenied {
            action: Some("iam:GetUser".to_string()),
        },
        "AccessDenied",
        "iam:GetUser",
        &format!("User: {ADMIN_ARN} is not authorized to perform: iam:GetUser"),
    );
    let mut setup = at_user(Some("s3-readonly"));
    let (request, _, _) = look_up(&setup.update(Msg::Next));
    setup.update(Msg::UserLookedUp(request, Err(denied.clone())));
    let problem = setup.problem.clone().expect("a problem");
    assert!(
        format!("{} {}", problem.message, problem.way_out).contains("AccessDenied"),
        "{problem:?}"
    );

    let mut setup = at_review(Some("s3-readonly"));
    let wave = start_run(&mut setup);
    let quota = error(
        AwsErrorKind::LimitExceeded,
        "LimitExceeded",
        "iam:CreateUser",
        "Cannot exceed quota for UsersPerAccount: 5000",
    );
    setup.update(Msg::Performed(wave[0].0, Err(quota)));
    let problem = setup.problem.clone().expect("a problem");
    assert!(
        format!("{} {}", problem.message, problem.way_out).contains("LimitExceeded"),
        "{problem:?}"
    );
}

#[test]
fn every_error_class_when_identifying_is_a_problem_with_a_way_out() {
    for (error, way_out) in error_classes("sts:GetCallerIdentity") {
        let mut setup = at_account(Some("s3-readonly"));
        setup.update(Msg::PickSource(source()));
        let request = identify(&setup.update(Msg::Next));
        assert!(
            setup
                .update(Msg::Identified(request, Err(error.clone())))
                .is_empty()
        );
        assert_problem(&setup, Step::Account, &error, way_out);
        assert_eq!((setup.step, &setup.account), (Step::Account, &None));
        // Next tries again.
        let again = identify(&setup.update(Msg::Next));
        assert_ne!(again, request);
        assert!(setup.problem.is_none());
    }
}

#[test]
fn every_error_class_when_looking_up_the_user_is_a_problem_with_a_way_out() {
    for (error, way_out) in error_classes("iam:GetUser") {
        let mut setup = at_user(Some("pharmer"));
        let (request, _, _) = look_up(&setup.update(Msg::Next));
        assert!(
            setup
                .update(Msg::UserLookedUp(request, Err(error.clone())))
                .is_empty()
        );
        assert_problem(&setup, Step::User, &error, way_out);
        assert_eq!((setup.step, setup.existing), (Step::User, None));
        look_up(&setup.update(Msg::Next));
    }
}

#[test]
fn every_error_class_when_loading_the_catalog_is_a_problem_with_a_way_out() {
    for (error, way_out) in error_classes("iam:ListPolicies") {
        let (mut setup, request) = at_policies_loading(Some("s3-readonly"));
        setup.update(Msg::CatalogLoaded(request, Err(error.clone())));
        assert_problem(&setup, Step::Policies, &error, way_out);
        assert_eq!(setup.catalog, None);
        // The preset's policies can still be checked and the wizard go on.
        check_policies(&setup.update(Msg::Next));
    }
}

#[test]
fn every_error_class_when_checking_policies_is_a_problem_with_a_way_out() {
    for (error, way_out) in error_classes("iam:GetPolicy") {
        let mut setup = at_policies(Some("pharmer"));
        let (request, _) = check_policies(&setup.update(Msg::Next));
        setup.update(Msg::PoliciesChecked(request, Err(error.clone())));
        assert_problem(&setup, Step::Policies, &error, way_out);
        assert_eq!(setup.step, Step::Policies);
        assert!(!setup.policies_checked);
        check_policies(&setup.update(Msg::Next));
    }
}

#[test]
fn every_error_class_on_every_run_step_is_a_problem_with_resume_and_rollback() {
    let operations: [(usize, &'static str); 5] = [
        (0, "iam:CreateGroup"),
        (1, "iam:CreateUser"),
        (2, "iam:AddUserToGroup"),
        (3, "iam:AttachGroupPolicy"),
        (7, "iam:CreateAccessKey"),
    ];
    for (index, operation) in operations {
        for (error, way_out) in error_classes(operation) {
            let mut setup = at_review(Some("pharmer"));
            let target = pharmer_plan()[index].clone();
            let mut wave = start_run(&mut setup);
            // Complete everything before the target, then fail it.
            let failing = loop {
                if let Some(request) = wave
                    .iter()
                    .find(|(_, action)| *action == target)
                    .map(|(r, _)| *r)
                {
                    break request;
                }
                let mut next = Vec::new();
                for (request, _) in &wave {
                    next = setup.update(Msg::Performed(*request, Ok(ActionOutput::Completed)));
                }
                wave = performs(&next);
            };
            let effects = setup.update(Msg::Performed(failing, Err(error.clone())));
            assert!(effects.is_empty());
            assert_problem(&setup, Step::Run, &error, way_out);
            let problem = setup.problem.clone().unwrap();
            assert!(problem.way_out.contains("--resume"), "{problem:?}");
            assert!(problem.way_out.contains("--rollback"), "{problem:?}");
            let item = setup.run.iter().find(|item| item.action == target).unwrap();
            assert!(matches!(item.status, Status::Failed(_)), "{item:?}");
            assert_eq!(setup.step, Step::Run);
        }
    }
}

#[test]
fn a_failed_verification_is_a_problem_too() {
    let mut setup = at_review(Some("s3-readonly"));
    let mut wave = start_run(&mut setup);
    loop {
        let (request, action) = wave[0].clone();
        let output = match action {
            Action::CreateKeyAndWriteProfile { .. } => ActionOutput::KeyWritten(created_key()),
            _ => ActionOutput::Completed,
        };
        wave = performs(&setup.update(Msg::Performed(request, Ok(output))));
        if matches!(wave[0].1, Action::VerifyKey { .. }) {
            break;
        }
    }
    let failure = error(
        AwsErrorKind::InvalidCredentials,
        "InvalidClientTokenId",
        "sts:GetCallerIdentity",
        "The security token included in the request is invalid.",
    );
    setup.update(Msg::Performed(wave[0].0, Err(failure.clone())));
    assert_problem(&setup, Step::Run, &failure, "--rollback");
    assert_eq!(setup.created_key, Some(created_key()), "the key is kept");
    // Retrying verifies the same key again.
    let retry = performs(&setup.update(Msg::Next));
    assert_eq!(
        actions(&retry),
        vec![verify_action("s3-readonly", "s3-readonly")]
    );
}

// ---- Retry and resume ------------------------------------------------------------------------

#[test]
fn a_failed_run_step_is_retried_on_next() {
    let mut setup = at_review(Some("pharmer"));
    let wave = start_run(&mut setup);
    let create_group = request_for(&wave, &pharmer_plan()[0]);
    let create_user = request_for(&wave, &pharmer_plan()[1]);
    setup.update(Msg::Performed(
        create_user,
        Err(error(
            AwsErrorKind::Throttling,
            "Throttling",
            "iam:CreateUser",
            "Rate exceeded",
        )),
    ));
    // The rest of the wave finishes, but nothing new starts.
    assert!(
        setup
            .update(Msg::Performed(create_group, Ok(ActionOutput::Completed)))
            .is_empty()
    );
    assert!(setup.problem.is_some());

    let retry = performs(&setup.update(Msg::Next));
    assert_eq!(actions(&retry), vec![pharmer_plan()[1].clone()]);
    assert_ne!(retry[0].0, create_user, "a new request id");
    assert!(setup.problem.is_none());
    // The old request's late answer is ignored.
    assert!(
        setup
            .update(Msg::Performed(create_user, Ok(ActionOutput::Completed)))
            .is_empty()
    );
    assert!(matches!(
        setup.run[1].status,
        Status::Running(request) if request == retry[0].0
    ));
    // Next again while it runs does nothing.
    assert!(setup.update(Msg::Next).is_empty());

    let next = performs(&setup.update(Msg::Performed(retry[0].0, Ok(ActionOutput::Completed))));
    assert_eq!(actions(&next), pharmer_plan()[2..7].to_vec());
    assert_eq!(
        setup.run[0].status,
        Status::Done,
        "done steps are not repeated"
    );
}

#[test]
fn resume_marks_done_actions_and_starts_the_rest() {
    let plan = pharmer_plan();
    let mut setup = Setup::new(Vec::new());
    let effects = setup.resume(plan.clone(), &plan[..2], None);
    assert_eq!(setup.step, Step::Run);
    assert_eq!(setup.answers.user_name, "pharmer");
    assert_eq!(setup.answers.profile, "pharmer");
    let wave = performs(&effects);
    assert_eq!(actions(&wave), plan[2..7].to_vec());
    assert_eq!(setup.run[0].status, Status::Done);
    assert_eq!(setup.run[1].status, Status::Done);
    assert_eq!(setup.run[7].status, Status::Pending);

    let mut next = Vec::new();
    for (request, _) in &wave {
        next = setup.update(Msg::Performed(*request, Ok(ActionOutput::Completed)));
    }
    let key = performs(&next);
    assert_eq!(actions(&key), vec![plan[7].clone()]);
    let verify = performs(&setup.update(Msg::Performed(
        key[0].0,
        Ok(ActionOutput::KeyWritten(created_key())),
    )));
    assert_eq!(actions(&verify), vec![verify_action("pharmer", "pharmer")]);
    setup.update(Msg::Performed(
        verify[0].0,
        Ok(ActionOutput::Verified {
            arn: "arn:aws:iam::123456789012:user/pharmer".to_string(),
        }),
    ));
    assert_eq!(setup.step, Step::Done);
}

#[test]
fn resume_with_nothing_done_starts_at_the_first_wave() {
    let plan = pharmer_plan();
    let mut setup = Setup::new(Vec::new());
    let wave = performs(&setup.resume(plan.clone(), &[], None));
    assert_eq!(actions(&wave), plan[..2].to_vec());
}

#[test]
fn resume_verifies_a_key_already_written() {
    let plan = pharmer_plan();
    let mut setup = Setup::new(Vec::new());
    let effects = setup.resume(plan.clone(), &plan, Some(KEY_ID.to_string()));
    let verify = performs(&effects);
    assert_eq!(actions(&verify), vec![verify_action("pharmer", "pharmer")]);
    assert!(
        setup.run[..plan.len()]
            .iter()
            .all(|i| i.status == Status::Done)
    );
    let arn = "arn:aws:iam::123456789012:user/pharmer".to_string();
    setup.update(Msg::Performed(
        verify[0].0,
        Ok(ActionOutput::Verified { arn: arn.clone() }),
    ));
    assert_eq!(setup.step, Step::Done);
    assert_eq!(setup.verified_arn, Some(arn));
}

// ---- The plan as commands --------------------------------------------------------------------

#[test]
fn the_pharmer_plan_attaches_its_four_policies_to_the_group() {
    let setup = at_review(Some("pharmer"));
    assert_eq!(setup.plan(), pharmer_plan());
    let attached: Vec<String> = setup
        .plan()
        .iter()
        .filter_map(|a| match a {
            Action::AttachGroupPolicy { group, arn } if group == "pharmer" => Some(arn.clone()),
            Action::AttachUserPolicy { .. } => panic!("pharmer attaches to its group: {a:?}"),
            _ => None,
        })
        .collect();
    assert_eq!(
        attached,
        [
            "AmazonEC2FullAccess",
            "AmazonRoute53FullAccess",
            "IAMFullAccess",
            "AmazonVPCFullAccess"
        ]
        .map(managed)
    );
    assert!(setup.plan().contains(&Action::AddUserToGroup {
        user: "pharmer".to_string(),
        group: "pharmer".to_string(),
    }));
}

#[test]
fn actions_render_as_the_documented_aws_cli_commands() {
    let arn = managed("AmazonS3ReadOnlyAccess");
    let cases = [
        (
            Action::CreateGroup {
                group: "g".to_string(),
            },
            "aws iam create-group --group-name g".to_string(),
        ),
        (
            Action::CreateUser {
                user: "u".to_string(),
            },
            "aws iam create-user --user-name u".to_string(),
        ),
        (
            Action::AddUserToGroup {
                user: "u".to_string(),
                group: "g".to_string(),
            },
            "aws iam add-user-to-group --user-name u --group-name g".to_string(),
        ),
        (
            Action::AttachUserPolicy {
                user: "u".to_string(),
                arn: arn.clone(),
            },
            format!("aws iam attach-user-policy --user-name u --policy-arn {arn}"),
        ),
        (
            Action::AttachGroupPolicy {
                group: "g".to_string(),
                arn: arn.clone(),
            },
            format!("aws iam attach-group-policy --group-name g --policy-arn {arn}"),
        ),
        (
            Action::VerifyKey {
                user: "u".to_string(),
                profile: "p".to_string(),
                access_key_id: KEY_ID.to_string(),
            },
            "aws sts get-caller-identity --profile p".to_string(),
        ),
    ];
    for (action, expected) in cases {
        assert_eq!(action.as_aws_cli(), expected);
    }
    let key = Action::CreateKeyAndWriteProfile {
        user: "u".to_string(),
        profile: "p".to_string(),
        region: Some("us-east-1".to_string()),
        output: Some("json".to_string()),
    }
    .as_aws_cli();
    assert!(
        key.starts_with("aws iam create-access-key --user-name u"),
        "{key}"
    );
    for part in ["[p]", "us-east-1", "json"] {
        assert!(key.contains(part), "{key} lacks {part}");
    }
}

// ---- Secrets ---------------------------------------------------------------------------------

#[test]
fn the_secret_never_shows_in_debug_output() {
    let mut setup = at_account(Some("s3-readonly"));
    let pasted_secret = "pAsTeDsEcReTvAlUe0123456789abcdefghijKLMN";
    setup.update(Msg::PickSource(CredentialSource::Pasted {
        access_key_id: "AKIAPASTEDEXAMPLE000".to_string(),
        secret_access_key: Secret::new(pasted_secret),
        session_token: Some(Secret::new("pasted-session-token-value")),
    }));
    let request = identify(&setup.update(Msg::Next));
    setup.update(Msg::Identified(request, Ok(account())));
    setup.update(Msg::Next);
    let (request, _, _) = look_up(&setup.update(Msg::Next));
    let catalog_request =
        load_catalog(&setup.update(Msg::UserLookedUp(request, Ok(NOTHING_EXISTS))));
    setup.update(Msg::CatalogLoaded(catalog_request, Ok(catalog())));
    let (request, arns) = check_policies(&setup.update(Msg::Next));
    setup.update(Msg::PoliciesChecked(request, Ok(all_exist(&arns))));
    let (request, _, _, _) = preview_files(&setup.update(Msg::Next));
    setup.update(Msg::Previewed(request, Ok(preview(false))));
    let mut wave = start_run(&mut setup);
    let mut shown = Vec::new();
    while let Some((request, action)) = wave.first().cloned() {
        let msg = Msg::Performed(
            request,
            Ok(match action {
                Action::CreateKeyAndWriteProfile { .. } => ActionOutput::KeyWritten(created_key()),
                Action::VerifyKey { .. } => ActionOutput::Verified {
                    arn: "arn:aws:iam::123456789012:user/s3-readonly".to_string(),
                },
                _ => ActionOutput::Completed,
            }),
        );
        shown.push(format!("{msg:?}"));
        let effects = setup.update(msg);
        shown.push(format!("{effects:?}"));
        wave = performs(&effects);
    }
    assert_eq!(setup.step, Step::Done);
    assert_eq!(setup.secret().map(Secret::expose), Some(SECRET));
    shown.push(format!("{setup:?}"));
    shown.push(format!("{setup:#?}"));
    shown.push(format!("{:?}", setup.created_key));
    for text in shown {
        assert!(!text.contains(SECRET), "the new secret shows in {text}");
        assert!(
            !text.contains(pasted_secret),
            "the pasted secret shows in {text}"
        );
        assert!(!text.contains("pasted-session-token-value"), "{text}");
    }
    assert!(format!("{setup:?}").contains(KEY_ID), "the key id may show");
}
