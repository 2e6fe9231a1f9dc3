//! The setup wizard as a pure state machine: `Msg` in, `Vec<Effect>` out, no I/O.
//!
//! The TUI feeds it key presses turned into messages; `credwiz setup --yes` feeds it flags. The
//! steps mirror the console guides: preset, account, IAM user, policies, profile, review, run and
//! done. Nothing is created before the preflight (caller identity, user and group existence, every
//! policy) has passed, and a remote step that was taken is never silently undone: once the run has
//! started, Back is refused and the way out is resume or rollback.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::aws::{AwsError, AwsErrorKind, CallerIdentity, CredentialSource, ManagedPolicy};
use crate::presets::{self, AttachTo, Preset};
use crate::profiles::edit::validate_profile_name;
use crate::secret::Secret;

pub use super::RequestId;
use super::RequestIds;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Preset,
    Account,
    User,
    Policies,
    Profile,
    Review,
    Run,
    Done,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Preset,
        Step::Account,
        Step::User,
        Step::Policies,
        Step::Profile,
        Step::Review,
        Step::Run,
        Step::Done,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Preset => "Preset",
            Step::Account => "Account",
            Step::User => "IAM user",
            Step::Policies => "Policies",
            Step::Profile => "Profile",
            Step::Review => "Review",
            Step::Run => "Run",
            Step::Done => "Done",
        }
    }

    fn previous(self) -> Option<Step> {
        let index = Step::ALL.iter().position(|s| *s == self)?;
        index.checked_sub(1).map(|i| Step::ALL[i])
    }
}

/// An answer the wizard needs, with the flag that gives it in a non-interactive run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Preset,
    Source,
    UserName,
    Group,
    Policies,
    ProfileName,
    Region,
    Output,
    ReplaceProfile,
}

impl Field {
    pub fn flag(self) -> &'static str {
        match self {
            Field::Preset => "--preset",
            Field::Source => "--source-profile",
            Field::UserName => "--user-name",
            Field::Group => "--group",
            Field::Policies => "--policy",
            Field::ProfileName => "--profile",
            Field::Region => "--region",
            Field::Output => "--output",
            Field::ReplaceProfile => "--force",
        }
    }
}

/// A specific problem with one answer, shown under its field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// A policy in the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedPolicy {
    pub arn: String,
    pub optional: bool,
}

impl PlannedPolicy {
    pub fn name(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }

    /// Policies that give control over the whole account deserve a warning.
    pub fn grants_full_control(&self) -> bool {
        grants_full_control(&self.arn)
    }
}

/// True for policies that grant full control of the account (or of IAM, which amounts to it).
pub fn grants_full_control(arn: &str) -> bool {
    let name = arn.rsplit('/').next().unwrap_or(arn);
    matches!(name, "AdministratorAccess" | "IAMFullAccess")
}

/// Everything the user has answered so far. Back keeps it.
#[derive(Clone, Debug, Default)]
pub struct Answers {
    pub preset: Option<String>,
    pub source: Option<CredentialSource>,
    pub user_name: String,
    pub group: Option<String>,
    pub policies: Vec<PlannedPolicy>,
    pub profile: String,
    pub region: Option<String>,
    pub output: Option<String>,
    /// The user agreed that an existing profile of this name gets the new key.
    pub replace_profile: bool,
}

/// What the account step found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub identity: CallerIdentity,
    pub aliases: Vec<String>,
}

/// Whether the user and group already exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Existing {
    pub user: bool,
    pub group: bool,
}

/// One remote or file step of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    CreateGroup {
        group: String,
    },
    CreateUser {
        user: String,
    },
    AddUserToGroup {
        user: String,
        group: String,
    },
    AttachUserPolicy {
        user: String,
        arn: String,
    },
    AttachGroupPolicy {
        group: String,
        arn: String,
    },
    /// Create the key and write it to the files before anything else can fail.
    CreateKeyAndWriteProfile {
        user: String,
        profile: String,
        region: Option<String>,
        output: Option<String>,
    },
    /// Check the new key with STS until it resolves to the user (IAM propagation takes seconds).
    VerifyKey {
        user: String,
        profile: String,
        access_key_id: String,
    },
}

impl Action {
    /// The equivalent AWS CLI command, for the review and `--dry-run`.
    pub fn as_aws_cli(&self) -> String {
        match self {
            Action::CreateGroup { group } => format!("aws iam create-group --group-name {group}"),
            Action::CreateUser { user } => format!("aws iam create-user --user-name {user}"),
            Action::AddUserToGroup { user, group } => {
                format!("aws iam add-user-to-group --user-name {user} --group-name {group}")
            }
            Action::AttachUserPolicy { user, arn } => {
                format!("aws iam attach-user-policy --user-name {user} --policy-arn {arn}")
            }
            Action::AttachGroupPolicy { group, arn } => {
                format!("aws iam attach-group-policy --group-name {group} --policy-arn {arn}")
            }
            Action::CreateKeyAndWriteProfile {
                user,
                profile,
                region,
                output,
            } => {
                let mut command = format!(
                    "aws iam create-access-key --user-name {user}   # then written to profile [{profile}]"
                );
                if let Some(region) = region {
                    command.push_str(&format!(" with region {region}"));
                }
                if let Some(output) = output {
                    command.push_str(&format!(", output {output}"));
                }
                command
            }
            Action::VerifyKey { profile, .. } => {
                format!("aws sts get-caller-identity --profile {profile}")
            }
        }
    }

    /// A short label for the run screen.
    pub fn label(&self) -> String {
        match self {
            Action::CreateGroup { group } => format!("Create group {group}"),
            Action::CreateUser { user } => format!("Create user {user}"),
            Action::AddUserToGroup { user, group } => format!("Add {user} to group {group}"),
            Action::AttachUserPolicy { arn, .. } | Action::AttachGroupPolicy { arn, .. } => {
                format!("Attach {}", arn.rsplit('/').next().unwrap_or(arn))
            }
            Action::CreateKeyAndWriteProfile { profile, .. } => {
                format!("Create access key and write profile {profile}")
            }
            Action::VerifyKey { .. } => "Verify the new key with STS".to_string(),
        }
    }

    /// Actions in the same wave run concurrently; a wave starts when the one before is done.
    fn wave(&self) -> u8 {
        match self {
            Action::CreateGroup { .. } | Action::CreateUser { .. } => 0,
            Action::AddUserToGroup { .. }
            | Action::AttachUserPolicy { .. }
            | Action::AttachGroupPolicy { .. } => 1,
            Action::CreateKeyAndWriteProfile { .. } => 2,
            Action::VerifyKey { .. } => 3,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Running(RequestId),
    Done,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunItem {
    pub action: Action,
    pub status: Status,
}

/// The key the run created. `Debug` never shows the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedKey {
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

/// What an action produced, when it succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionOutput {
    Completed,
    KeyWritten(CreatedKey),
    Verified { arn: String },
}

/// Work for the runner. Effects are data: the machine never performs them.
#[derive(Clone, Debug)]
pub enum Effect {
    /// STS `GetCallerIdentity` and IAM `ListAccountAliases` with the chosen credentials.
    Identify {
        request: RequestId,
        source: CredentialSource,
    },
    /// `GetUser` and, if a group is named, `GetGroup`.
    LookUpUser {
        request: RequestId,
        user: String,
        group: Option<String>,
    },
    /// The AWS managed policies for the picker (cached on disk by the runner).
    LoadPolicyCatalog { request: RequestId },
    /// `GetPolicy` for each ARN; answers which exist.
    CheckPolicies {
        request: RequestId,
        arns: Vec<String>,
    },
    /// The diff of both files if the profile were written, for the review.
    PreviewFiles {
        request: RequestId,
        profile: String,
        region: Option<String>,
        output: Option<String>,
    },
    /// Start a journal for this run, holding the plan; the first remote step waits for it.
    BeginJournal {
        request: RequestId,
        plan: Vec<Action>,
    },
    /// Perform one action of the run (the runner journals it once done).
    Perform { request: RequestId, action: Action },
}

/// Input to the machine: answers, navigation, and results tagged with their request.
#[derive(Clone, Debug)]
pub enum Msg {
    PickPreset(Option<String>),
    PickSource(CredentialSource),
    EditUserName(String),
    EditGroup(Option<String>),
    /// Adds the policy if absent, removes it if present.
    TogglePolicy(String),
    /// Replaces the selection (names or ARNs; duplicates count once).
    SetPolicies(Vec<String>),
    EditProfile(String),
    EditRegion(Option<String>),
    EditOutput(Option<String>),
    ReplaceProfile(bool),
    Next,
    Back,
    /// Stops waiting for the current read-only request and stays on the step.
    Cancel,
    Identified(RequestId, Result<Account, AwsError>),
    UserLookedUp(RequestId, Result<Existing, AwsError>),
    CatalogLoaded(RequestId, Result<Vec<ManagedPolicy>, AwsError>),
    PoliciesChecked(RequestId, Result<Vec<(String, bool)>, AwsError>),
    Previewed(RequestId, Result<Preview, String>),
    JournalStarted(RequestId, Result<(), String>),
    Performed(RequestId, Result<ActionOutput, AwsError>),
}

/// What writing the profile would change, for the review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    pub diff: String,
    /// The profile exists already, so its keys would be replaced.
    pub profile_exists: bool,
}

/// An error from AWS or the files, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub step: Step,
    pub message: String,
    pub way_out: String,
}

/// The wizard.
#[derive(Clone, Debug)]
pub struct Setup {
    pub step: Step,
    pub answers: Answers,
    pub presets: Vec<Preset>,
    pub account: Option<Account>,
    pub existing: Option<Existing>,
    pub catalog: Option<Vec<ManagedPolicy>>,
    /// Optional preset policies this account does not have; dropped from the plan and reported.
    pub unavailable: Vec<String>,
    pub policies_checked: bool,
    pub preview: Option<Preview>,
    pub run: Vec<RunItem>,
    pub created_key: Option<CreatedKey>,
    pub verified_arn: Option<String>,
    pub field_error: Option<FieldError>,
    pub problem: Option<Problem>,
    /// The read-only request the current step waits for, if any.
    pub waiting: Option<RequestId>,
    catalog_request: Option<RequestId>,
    request_ids: RequestIds,
}

impl Setup {
    pub fn new(presets: Vec<Preset>) -> Setup {
        Setup {
            step: Step::Preset,
            answers: Answers::default(),
            presets,
            account: None,
            existing: None,
            catalog: None,
            unavailable: Vec::new(),
            policies_checked: false,
            preview: None,
            run: Vec::new(),
            created_key: None,
            verified_arn: None,
            field_error: None,
            problem: None,
            waiting: None,
            catalog_request: None,
            request_ids: RequestIds::default(),
        }
    }

    fn request(&mut self) -> RequestId {
        self.request_ids.issue()
    }

    fn wait(&mut self) -> RequestId {
        let id = self.request();
        self.waiting = Some(id);
        id
    }

    fn is_current(&self, request: RequestId) -> bool {
        self.waiting == Some(request)
    }

    fn reject(&mut self, field: Field, message: impl Into<String>) -> Vec<Effect> {
        self.field_error = Some(FieldError {
            field,
            message: message.into(),
        });
        Vec::new()
    }

    fn fail(&mut self, error: &AwsError) {
        self.problem = Some(Problem {
            step: self.step,
            message: error.headline(),
            way_out: error.way_out(),
        });
    }

    pub fn preset(&self) -> Option<&Preset> {
        self.answers
            .preset
            .as_deref()
            .and_then(|id| presets::find(&self.presets, id))
    }

    /// Whether the run has started a step (quitting now needs a confirmation).
    pub fn has_started_run(&self) -> bool {
        self.run
            .iter()
            .any(|item| !matches!(item.status, Status::Pending))
    }

    /// Whether the run has made remote changes (Back can no longer undo them silently).
    pub fn has_made_remote_changes(&self) -> bool {
        self.run.iter().any(|item| item.status == Status::Done)
    }

    /// Whether the policy catalog for the picker is being loaded.
    pub fn catalog_loading(&self) -> bool {
        self.catalog_request.is_some()
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Next => {
                self.field_error = None;
                self.problem = None;
                self.next()
            }
            Msg::Back => self.back(),
            Msg::Cancel => {
                if self.step < Step::Run {
                    self.waiting = None;
                }
                Vec::new()
            }
            Msg::Identified(request, result) => self.identified(request, result),
            Msg::UserLookedUp(request, result) => self.user_looked_up(request, result),
            Msg::CatalogLoaded(request, result) => {
                if self.catalog_request == Some(request) {
                    self.catalog_request = None;
                    match result {
                        Ok(catalog) => self.catalog = Some(catalog),
                        Err(error) => self.fail(&error),
                    }
                }
                Vec::new()
            }
            Msg::PoliciesChecked(request, result) => self.policies_checked_result(request, result),
            Msg::Previewed(request, result) => {
                if self.is_current(request) {
                    self.waiting = None;
                    match result {
                        Ok(preview) => {
                            let blocked = preview.profile_exists && !self.answers.replace_profile;
                            self.preview = Some(preview);
                            if !blocked {
                                self.step = Step::Review;
                            }
                        }
                        Err(message) => {
                            self.problem = Some(Problem {
                                step: Step::Review,
                                message,
                                way_out: "Fix the file named above, then try again.".to_string(),
                            })
                        }
                    }
                }
                Vec::new()
            }
            Msg::JournalStarted(request, result) => {
                if !self.is_current(request) {
                    return Vec::new();
                }
                self.waiting = None;
                match result {
                    Ok(()) => self.start_next_wave(),
                    Err(message) => {
                        self.run.clear();
                        self.step = Step::Review;
                        self.problem = Some(Problem {
                            step: Step::Review,
                            message: format!("could not start the run's journal: {message}"),
                            way_out: "Nothing was created. Check that the state folder is writable (or set CREDWIZ_STATE_DIR), then confirm again.".to_string(),
                        });
                        Vec::new()
                    }
                }
            }
            Msg::Performed(request, result) => self.performed(request, result),
            answer => {
                if self.step >= Step::Run {
                    return Vec::new();
                }
                self.field_error = None;
                self.answer(answer);
                Vec::new()
            }
        }
    }

    /// Records an answer and forgets whatever depended on the old one, including a request in
    /// flight: its result would answer the old question.
    fn answer(&mut self, msg: Msg) {
        self.waiting = None;
        match msg {
            Msg::PickPreset(id) => {
                self.answers.preset = id;
                if let Some(preset) = self.preset().cloned() {
                    self.apply_preset(&preset);
                }
            }
            Msg::PickSource(source) => {
                self.answers.source = Some(source);
                self.account = None;
                self.existing = None;
                self.policies_checked = false;
            }
            Msg::EditUserName(name) => {
                self.answers.user_name = name.trim().to_string();
                self.existing = None;
            }
            Msg::EditGroup(group) => {
                self.answers.group = group
                    .map(|g| g.trim().to_string())
                    .filter(|g| !g.is_empty());
                self.existing = None;
            }
            Msg::TogglePolicy(name_or_arn) => {
                let arn = crate::aws::policy_arn_for(name_or_arn.trim());
                match self.answers.policies.iter().position(|p| p.arn == arn) {
                    Some(index) => {
                        self.answers.policies.remove(index);
                    }
                    None => self.answers.policies.push(PlannedPolicy {
                        arn,
                        optional: false,
                    }),
                }
                self.policies_checked = false;
            }
            Msg::SetPolicies(names_or_arns) => {
                self.answers.policies.clear();
                for name_or_arn in names_or_arns {
                    let arn = crate::aws::policy_arn_for(name_or_arn.trim());
                    if !self.answers.policies.iter().any(|p| p.arn == arn) {
                        self.answers.policies.push(PlannedPolicy {
                            arn,
                            optional: false,
                        });
                    }
                }
                self.policies_checked = false;
            }
            Msg::EditProfile(name) => {
                self.answers.profile = name.trim().to_string();
                self.answers.replace_profile = false;
                self.preview = None;
            }
            Msg::EditRegion(region) => {
                self.answers.region = region
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty());
                self.preview = None;
            }
            Msg::EditOutput(output) => {
                self.answers.output = output
                    .map(|o| o.trim().to_string())
                    .filter(|o| !o.is_empty());
                self.preview = None;
            }
            Msg::ReplaceProfile(replace) => self.answers.replace_profile = replace,
            _ => unreachable!("update routes only answers here"),
        }
    }

    fn apply_preset(&mut self, preset: &Preset) {
        self.answers.user_name = preset.user_name.clone();
        self.answers.group = preset.group.clone();
        self.answers.policies = preset
            .policies
            .iter()
            .map(|p| PlannedPolicy {
                arn: p.arn(),
                optional: p.optional,
            })
            .collect();
        self.answers.profile = preset.profile.clone();
        self.answers.region = preset.region.clone();
        self.answers.output = preset.output.clone();
        self.existing = None;
        self.policies_checked = false;
        self.unavailable.clear();
        self.preview = None;
    }

    fn back(&mut self) -> Vec<Effect> {
        let running = self
            .run
            .iter()
            .any(|item| matches!(item.status, Status::Running(_)));
        if self.step == Step::Run && !self.has_made_remote_changes() && !running {
            self.run.clear();
            self.waiting = None;
            self.problem = None;
            self.step = Step::Review;
            return Vec::new();
        }
        if self.step >= Step::Run {
            if self.has_made_remote_changes() || running {
                self.problem = Some(Problem {
                    step: self.step,
                    message: "Steps of this run have already been made in AWS.".to_string(),
                    way_out: "Going back would not undo them: finish with `credwiz setup --resume`, or undo them with `credwiz setup --rollback`.".to_string(),
                });
            }
            return Vec::new();
        }
        self.waiting = None;
        self.field_error = None;
        self.problem = None;
        if let Some(previous) = self.step.previous() {
            self.step = previous;
        }
        Vec::new()
    }

    fn next(&mut self) -> Vec<Effect> {
        if self.waiting.is_some() {
            return Vec::new();
        }
        match self.step {
            Step::Preset => {
                if let Some(id) = &self.answers.preset
                    && self.preset().is_none()
                {
                    let known: Vec<&str> = self.presets.iter().map(|p| p.id.as_str()).collect();
                    let message = format!("no preset `{id}`; known: {}", known.join(", "));
                    return self.reject(Field::Preset, message);
                }
                self.step = Step::Account;
                Vec::new()
            }
            Step::Account => {
                let Some(source) = self.answers.source.clone() else {
                    return self.reject(
                        Field::Source,
                        "choose the credentials to act with: a profile, the environment, or keys pasted for this run",
                    );
                };
                if self.account.is_some() {
                    self.step = Step::User;
                    return Vec::new();
                }
                let request = self.wait();
                vec![Effect::Identify { request, source }]
            }
            Step::User => self.next_from_user(),
            Step::Policies => self.next_from_policies(),
            Step::Profile => self.next_from_profile(),
            Step::Review => self.start_run(),
            Step::Run => {
                if self
                    .run
                    .iter()
                    .any(|i| matches!(i.status, Status::Failed(_)))
                {
                    return self.retry_failed();
                }
                Vec::new()
            }
            Step::Done => Vec::new(),
        }
    }

    fn next_from_user(&mut self) -> Vec<Effect> {
        if self.answers.user_name.is_empty() {
            return self.reject(Field::UserName, "enter a name for the IAM user");
        }
        if let Err(message) = presets::validate_iam_user_name(&self.answers.user_name) {
            return self.reject(Field::UserName, message);
        }
        if let Some(group) = &self.answers.group
            && let Err(message) = presets::validate_iam_group_name(group)
        {
            return self.reject(Field::Group, message);
        }
        match self.existing {
            Some(_) => {
                self.step = Step::Policies;
                self.load_catalog_if_needed()
            }
            None => {
                let request = self.wait();
                vec![Effect::LookUpUser {
                    request,
                    user: self.answers.user_name.clone(),
                    group: self.answers.group.clone(),
                }]
            }
        }
    }

    fn load_catalog_if_needed(&mut self) -> Vec<Effect> {
        if self.catalog.is_some() || self.catalog_request.is_some() {
            return Vec::new();
        }
        let request = self.request();
        self.catalog_request = Some(request);
        vec![Effect::LoadPolicyCatalog { request }]
    }

    fn next_from_policies(&mut self) -> Vec<Effect> {
        if self.answers.policies.is_empty() {
            return self.reject(
                Field::Policies,
                "select at least one policy; without one the new key can do nothing",
            );
        }
        if self.policies_checked {
            self.step = Step::Profile;
            return Vec::new();
        }
        let request = self.wait();
        vec![Effect::CheckPolicies {
            request,
            arns: self
                .answers
                .policies
                .iter()
                .map(|p| p.arn.clone())
                .collect(),
        }]
    }

    fn next_from_profile(&mut self) -> Vec<Effect> {
        if self.answers.profile.is_empty() {
            return self.reject(Field::ProfileName, "enter the name of the profile to write");
        }
        if let Err(error) = validate_profile_name(&self.answers.profile) {
            return self.reject(Field::ProfileName, error.to_string());
        }
        if let Some(region) = &self.answers.region
            && !is_plausible_region(region)
        {
            return self.reject(
                Field::Region,
                format!("`{region}` is not a region name such as us-east-1 or eu-west-2"),
            );
        }
        if let Some(output) = &self.answers.output
            && !presets::OUTPUT_FORMATS.contains(&output.as_str())
        {
            return self.reject(
                Field::Output,
                format!(
                    "output must be one of {}",
                    presets::OUTPUT_FORMATS.join(", ")
                ),
            );
        }
        match &self.preview {
            Some(preview) if preview.profile_exists && !self.answers.replace_profile => self
                .reject(
                    Field::ReplaceProfile,
                    format!(
                        "profile `{}` already exists; confirm that the new key replaces its keys",
                        self.answers.profile
                    ),
                ),
            Some(_) => {
                self.step = Step::Review;
                Vec::new()
            }
            None => {
                let request = self.wait();
                vec![Effect::PreviewFiles {
                    request,
                    profile: self.answers.profile.clone(),
                    region: self.answers.region.clone(),
                    output: self.answers.output.clone(),
                }]
            }
        }
    }

    fn identified(&mut self, request: RequestId, result: Result<Account, AwsError>) -> Vec<Effect> {
        if !self.is_current(request) {
            return Vec::new();
        }
        self.waiting = None;
        match result {
            Ok(account) => self.account = Some(account),
            Err(error) => self.fail(&error),
        }
        Vec::new()
    }

    fn user_looked_up(
        &mut self,
        request: RequestId,
        result: Result<Existing, AwsError>,
    ) -> Vec<Effect> {
        if !self.is_current(request) {
            return Vec::new();
        }
        self.waiting = None;
        match result {
            Ok(existing) => {
                self.existing = Some(existing);
                if !existing.user && !existing.group {
                    self.step = Step::Policies;
                    return self.load_catalog_if_needed();
                }
                Vec::new()
            }
            Err(error) => {
                self.fail(&error);
                Vec::new()
            }
        }
    }

    fn policies_checked_result(
        &mut self,
        request: RequestId,
        result: Result<Vec<(String, bool)>, AwsError>,
    ) -> Vec<Effect> {
        if !self.is_current(request) {
            return Vec::new();
        }
        self.waiting = None;
        let found = match result {
            Ok(found) => found,
            Err(error) => {
                self.fail(&error);
                return Vec::new();
            }
        };
        let missing: BTreeSet<&str> = found
            .iter()
            .filter(|(_, exists)| !exists)
            .map(|(arn, _)| arn.as_str())
            .collect();
        let missing_required: Vec<&str> = self
            .answers
            .policies
            .iter()
            .filter(|p| !p.optional && missing.contains(p.arn.as_str()))
            .map(|p| p.name())
            .collect();
        if !missing_required.is_empty() {
            let message = format!(
                "{} not exist in this account; nothing has been created",
                match missing_required.as_slice() {
                    [one] => format!("policy {one} does"),
                    many => format!("policies {} do", many.join(", ")),
                }
            );
            return self.reject(Field::Policies, message);
        }
        let (unavailable, kept): (Vec<PlannedPolicy>, Vec<PlannedPolicy>) = self
            .answers
            .policies
            .drain(..)
            .partition(|p| missing.contains(p.arn.as_str()));
        self.answers.policies = kept;
        self.unavailable
            .extend(unavailable.iter().map(|p| p.name().to_string()));
        self.unavailable.sort();
        self.unavailable.dedup();
        self.policies_checked = true;
        self.step = Step::Profile;
        Vec::new()
    }

    /// The actions the run will take, in order.
    pub fn plan(&self) -> Vec<Action> {
        let answers = &self.answers;
        let existing = self.existing.unwrap_or(Existing {
            user: false,
            group: false,
        });
        let user = answers.user_name.clone();
        let mut plan = Vec::new();
        if let Some(group) = &answers.group
            && !existing.group
        {
            plan.push(Action::CreateGroup {
                group: group.clone(),
            });
        }
        if !existing.user {
            plan.push(Action::CreateUser { user: user.clone() });
        }
        if let Some(group) = &answers.group {
            plan.push(Action::AddUserToGroup {
                user: user.clone(),
                group: group.clone(),
            });
        }
        let attach_to = self.attach_target();
        for policy in &answers.policies {
            plan.push(match (&answers.group, attach_to) {
                (Some(group), AttachTo::Group) => Action::AttachGroupPolicy {
                    group: group.clone(),
                    arn: policy.arn.clone(),
                },
                _ => Action::AttachUserPolicy {
                    user: user.clone(),
                    arn: policy.arn.clone(),
                },
            });
        }
        plan.push(Action::CreateKeyAndWriteProfile {
            user: user.clone(),
            profile: answers.profile.clone(),
            region: answers.region.clone(),
            output: answers.output.clone(),
        });
        plan
    }

    /// Policies go to the group when there is one, as the preset guides do.
    fn attach_target(&self) -> AttachTo {
        if self.answers.group.is_some() {
            AttachTo::Group
        } else {
            AttachTo::User
        }
    }

    fn start_run(&mut self) -> Vec<Effect> {
        let plan = self.plan();
        self.run = plan
            .iter()
            .cloned()
            .map(|action| RunItem {
                action,
                status: Status::Pending,
            })
            .collect();
        self.step = Step::Run;
        let request = self.wait();
        vec![Effect::BeginJournal { request, plan }]
    }

    /// Resumes a journalled run: the actions already done are marked so and the rest are started.
    /// `created_key_id` is the key an earlier attempt created and wrote, which still needs verifying.
    pub fn resume(
        &mut self,
        plan: Vec<Action>,
        done: &[Action],
        created_key_id: Option<String>,
    ) -> Vec<Effect> {
        if let Some(Action::CreateKeyAndWriteProfile {
            user,
            profile,
            region,
            output,
        }) = plan.last()
        {
            self.answers.user_name = user.clone();
            self.answers.profile = profile.clone();
            self.answers.region = region.clone();
            self.answers.output = output.clone();
        }
        self.run = plan
            .into_iter()
            .map(|action| RunItem {
                status: if done.contains(&action) {
                    Status::Done
                } else {
                    Status::Pending
                },
                action,
            })
            .collect();
        if let Some(access_key_id) = created_key_id {
            self.run.push(RunItem {
                action: Action::VerifyKey {
                    user: self.answers.user_name.clone(),
                    profile: self.answers.profile.clone(),
                    access_key_id,
                },
                status: Status::Pending,
            });
        }
        self.step = Step::Run;
        self.start_next_wave()
    }

    /// Starts every pending action of the earliest unfinished wave, if nothing is running.
    fn start_next_wave(&mut self) -> Vec<Effect> {
        let busy = self
            .run
            .iter()
            .any(|i| matches!(i.status, Status::Running(_) | Status::Failed(_)));
        if busy {
            return Vec::new();
        }
        let Some(wave) = self
            .run
            .iter()
            .filter(|i| i.status == Status::Pending)
            .map(|i| i.action.wave())
            .min()
        else {
            if self.run.iter().all(|i| i.status == Status::Done) {
                self.step = Step::Done;
            }
            return Vec::new();
        };
        let mut effects = Vec::new();
        for index in 0..self.run.len() {
            if self.run[index].status == Status::Pending && self.run[index].action.wave() == wave {
                let request = self.request();
                self.run[index].status = Status::Running(request);
                effects.push(Effect::Perform {
                    request,
                    action: self.run[index].action.clone(),
                });
            }
        }
        effects
    }

    fn retry_failed(&mut self) -> Vec<Effect> {
        for item in &mut self.run {
            if matches!(item.status, Status::Failed(_)) {
                item.status = Status::Pending;
            }
        }
        self.problem = None;
        self.start_next_wave()
    }

    fn performed(
        &mut self,
        request: RequestId,
        result: Result<ActionOutput, AwsError>,
    ) -> Vec<Effect> {
        let Some(index) = self
            .run
            .iter()
            .position(|i| i.status == Status::Running(request))
        else {
            return Vec::new();
        };
        match result {
            Ok(output) => {
                self.run[index].status = Status::Done;
                match output {
                    ActionOutput::KeyWritten(key) => {
                        self.run.push(RunItem {
                            action: Action::VerifyKey {
                                user: self.answers.user_name.clone(),
                                profile: self.answers.profile.clone(),
                                access_key_id: key.access_key_id.clone(),
                            },
                            status: Status::Pending,
                        });
                        self.created_key = Some(key);
                    }
                    ActionOutput::Verified { arn } => self.verified_arn = Some(arn),
                    ActionOutput::Completed => {}
                }
                self.start_next_wave()
            }
            Err(error) => {
                self.run[index].status = Status::Failed(error.to_string());
                self.problem = Some(Problem {
                    step: Step::Run,
                    message: error.headline(),
                    way_out: run_way_out(&error),
                });
                Vec::new()
            }
        }
    }

    /// The key the run created, for the done screen's reveal.
    pub fn secret(&self) -> Option<&Secret> {
        self.created_key.as_ref().map(|k| &k.secret_access_key)
    }
}

fn run_way_out(error: &AwsError) -> String {
    let retry = "Press Enter (or run `credwiz setup --resume`) to retry, or `credwiz setup --rollback` to undo what was created.";
    match error.kind {
        AwsErrorKind::Unreachable | AwsErrorKind::Throttling => {
            format!("{} {retry}", error.way_out())
        }
        _ => format!("{} {retry}", error.way_out()),
    }
}

/// A loose check for region names (`us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`).
pub fn is_plausible_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}
