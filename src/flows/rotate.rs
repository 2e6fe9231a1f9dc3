//! Key rotation as a pure state machine: `Msg` in, `Vec<Effect>` out, no I/O.
//!
//! The sequence is PRODUCT.md's "Rotation": read the files (the profile must hold static keys in
//! the credentials file), resolve the IAM user with STS, list the user's keys, free a slot when
//! the user already has two, create the new key and write it at once into every profile holding
//! the old one, verify it with STS as the same user, then deactivate, delete or keep the old key
//! with the new key's credentials. A new key that never verifies is taken out again: the old key
//! goes back into the files and the new key is deleted. The machine only stops (Ctrl-C, failure)
//! where the files hold either the old key or a verified new key, and the journal (kind `rotate`)
//! lets `credwiz rotate --resume` finish. Effects name keys by id; secrets stay in the runner.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{RequestId, RequestIds};
use crate::aws::{AccessKeyStatus, AwsError, AwsErrorKind, CallerIdentity, KeyLastUsed};
use crate::flows::setup::Status;
use crate::journal::Completed;
use crate::profiles::{FileKind, Kind};

/// What happens to the old key once the new one is verified (`--old-key`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum OldKey {
    /// Make it Inactive: it stops working but can be re-activated.
    #[default]
    Deactivate,
    /// Delete it for good.
    Delete,
    /// Leave it Active (both keys work until you act).
    Keep,
}

/// The choices made before the rotation starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The profile whose key is rotated.
    pub profile: String,
    /// Act with this profile's credentials instead of the key being rotated.
    pub source_profile: Option<String>,
    pub old_key: OldKey,
    /// Delete the user's other key when there are two, whoever holds it (`--delete-other-key`).
    pub delete_other_key: bool,
    /// A person answers the two-key question; otherwise the rules decide (or the run stops).
    pub interactive: bool,
    /// Rotate only a key older than this; a younger one is skipped (`--older-than`).
    pub older_than: Option<Duration>,
}

impl Options {
    pub fn new(profile: impl Into<String>) -> Options {
        Options {
            profile: profile.into(),
            source_profile: None,
            old_key: OldKey::Deactivate,
            delete_other_key: false,
            interactive: false,
            older_than: None,
        }
    }
}

/// A profile as rotation needs to see it: no secrets, only which key it holds and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalProfile {
    pub name: String,
    pub kind: Kind,
    pub access_key_id: Option<String>,
    /// The file the SDKs read `aws_access_key_id` from.
    pub key_file: Option<FileKind>,
}

/// One of the user's keys, as `ListAccessKeys` and `GetAccessKeyLastUsed` describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyFacts {
    pub access_key_id: String,
    pub status: AccessKeyStatus,
    pub created: Option<OffsetDateTime>,
    /// `None` when IAM would not say (no `iam:GetAccessKeyLastUsed` permission).
    pub last_used: Option<KeyLastUsed>,
}

/// The user's keys, and the time they were listed (the reference for ages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyList {
    pub user: String,
    pub keys: Vec<KeyFacts>,
    pub now: OffsetDateTime,
}

/// Whose credentials a call is made with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Acting {
    /// A profile named with `--source-profile`.
    Profile(String),
    /// One of the user's own keys, by id; the runner holds its secret.
    Key(String),
}

/// One step of the run, as journalled. The journal flattens it into its `Completed` record, so
/// field names stay clear of that record's own (`created_key_id`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Free a slot: the user already has two keys.
    DeleteOtherKey {
        user: String,
        key_id: String,
    },
    /// Create the new key and write it at once into `profiles`, which hold `old_key_id`.
    CreateKey {
        user: String,
        profile: String,
        old_key_id: String,
        profiles: Vec<String>,
    },
    /// Write the new key into profiles an interrupted write did not reach (resume only).
    WriteNewKey {
        new_key_id: String,
        old_key_id: String,
        profiles: Vec<String>,
    },
    /// STS `GetCallerIdentity` with the new key until it resolves to the user.
    VerifyKey {
        user: String,
        key_id: String,
    },
    DeactivateOldKey {
        user: String,
        key_id: String,
    },
    DeleteOldKey {
        user: String,
        key_id: String,
    },
    /// The new key never verified: put the old key back into the profiles holding the new one.
    RestoreOldKey {
        old_key_id: String,
        new_key_id: String,
        profiles: Vec<String>,
    },
    /// Then delete the new key, which nothing holds any more.
    DeleteNewKey {
        user: String,
        key_id: String,
    },
}

impl Action {
    /// A short line for progress and plans.
    pub fn label(&self) -> String {
        match self {
            Action::DeleteOtherKey { key_id, .. } => format!("Delete the other key {key_id}"),
            Action::CreateKey { user, profiles, .. } => format!(
                "Create a new key for {user} and write it to {}",
                profile_list(profiles)
            ),
            Action::WriteNewKey {
                new_key_id,
                profiles,
                ..
            } => format!(
                "Write the new key {new_key_id} to {}",
                profile_list(profiles)
            ),
            Action::VerifyKey { user, key_id } => {
                format!("Verify the new key {key_id} with STS as {user}")
            }
            Action::DeactivateOldKey { key_id, .. } => format!("Deactivate the old key {key_id}"),
            Action::DeleteOldKey { key_id, .. } => format!("Delete the old key {key_id}"),
            Action::RestoreOldKey {
                old_key_id,
                profiles,
                ..
            } => format!(
                "Put the old key {old_key_id} back in {}",
                profile_list(profiles)
            ),
            Action::DeleteNewKey { key_id, .. } => {
                format!("Delete the unverified new key {key_id}")
            }
        }
    }

    /// True for the steps that handle the old key after verification.
    fn handles_old_key(&self) -> bool {
        matches!(
            self,
            Action::DeactivateOldKey { .. } | Action::DeleteOldKey { .. }
        )
    }
}

fn profile_list(profiles: &[String]) -> String {
    match profiles {
        [one] => format!("profile {one}"),
        many => format!("profiles {}", many.join(", ")),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunItem {
    pub action: Action,
    pub status: Status,
}

/// What a step produced, when it succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionOutput {
    Completed,
    /// The new key exists and `profiles` hold it.
    KeyCreated {
        key_id: String,
        profiles: Vec<String>,
    },
    Verified {
        arn: String,
    },
}

/// Work for the runner. Effects are data: the machine never performs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Read both files (the runner also remembers which profiles to act with).
    ReadProfiles {
        request: RequestId,
        profile: String,
        source_profile: Option<String>,
    },
    /// STS `GetCallerIdentity`.
    Identify { request: RequestId, acting: Acting },
    /// `ListAccessKeys` for the user and `GetAccessKeyLastUsed` for each key. Without a user, the
    /// user is found from `key_id` by `GetAccessKeyLastUsed` (acting with another profile).
    ListKeys {
        request: RequestId,
        acting: Acting,
        user: Option<String>,
        key_id: String,
    },
    /// Start the journal, holding the plan, before the first change.
    BeginJournal {
        source_profile: Option<String>,
        plan: Vec<Action>,
    },
    /// Perform one step (the runner journals it once done). File-only steps act with no one.
    Perform {
        request: RequestId,
        action: Action,
        acting: Option<Acting>,
    },
    /// The run needs nothing more: close the journal.
    FinishJournal,
}

/// Input: answers, navigation, and results tagged with their request.
#[derive(Clone, Debug)]
pub enum Msg {
    /// Act with this profile instead of the key being rotated (`None`: the key itself).
    PickSource(Option<String>),
    /// The answer to "delete the other key first?".
    DeleteOtherKey(bool),
    Next,
    Back,
    /// Ctrl-C: stop at the next point where the files hold the old or a verified new key.
    Interrupt,
    ProfilesRead(RequestId, Result<Vec<LocalProfile>, String>),
    Identified(RequestId, Result<CallerIdentity, AwsError>),
    KeysListed(RequestId, Result<KeyList, AwsError>),
    Performed(RequestId, Result<ActionOutput, AwsError>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Reading the files, resolving the user, listing the keys.
    Inspect,
    /// The user has two keys: the other one must go first.
    OtherKey,
    /// Everything is known; nothing has changed yet.
    Review,
    Run,
    Done,
}

/// How a rotation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The new key is in the files and verified; the old key was handled as asked.
    Rotated,
    /// `--older-than`: the key is younger (or its age unknown); nothing was changed.
    Skipped { age_days: Option<i64> },
    /// The new key never verified: the old key is back in the files and the new key is deleted.
    RolledBack,
    /// Stopped after Ctrl-C where the files hold the old or a verified new key.
    Interrupted,
}

/// An error, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub way_out: String,
}

/// What the journal of an interrupted run says.
#[derive(Clone, Debug)]
struct Resuming {
    plan: Vec<Action>,
    completed: Vec<Completed<Action>>,
}

/// The rotation.
#[derive(Clone, Debug)]
pub struct Rotation {
    pub options: Options,
    pub step: Step,
    pub local: Vec<LocalProfile>,
    pub old_key_id: Option<String>,
    /// Who the acting credentials belong to.
    pub identity: Option<CallerIdentity>,
    /// The IAM user whose key is rotated.
    pub user: Option<String>,
    pub keys: Vec<KeyFacts>,
    /// When the keys were listed.
    pub now: Option<OffsetDateTime>,
    /// The answer about the other key, given or decided by the rules.
    pub delete_other: Option<bool>,
    pub run: Vec<RunItem>,
    pub new_key_id: Option<String>,
    /// The profiles that received the new key.
    pub written: Vec<String>,
    pub verified_arn: Option<String>,
    pub outcome: Option<Outcome>,
    pub problem: Option<Problem>,
    pub interrupted: bool,
    verified: bool,
    restored: bool,
    journal_open: bool,
    resuming: Option<Resuming>,
    waiting: Option<RequestId>,
    request_ids: RequestIds,
}

impl Rotation {
    pub fn new(options: Options) -> Rotation {
        Rotation {
            options,
            step: Step::Inspect,
            local: Vec::new(),
            old_key_id: None,
            identity: None,
            user: None,
            keys: Vec::new(),
            now: None,
            delete_other: None,
            run: Vec::new(),
            new_key_id: None,
            written: Vec::new(),
            verified_arn: None,
            outcome: None,
            problem: None,
            interrupted: false,
            verified: false,
            restored: false,
            journal_open: false,
            resuming: None,
            waiting: None,
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

    /// Takes the answer to `request` if it is the one awaited; stale answers are dropped.
    fn answers(&mut self, request: RequestId) -> bool {
        if self.waiting == Some(request) {
            self.waiting = None;
            true
        } else {
            false
        }
    }

    fn stop_with(&mut self, message: impl Into<String>, way_out: impl Into<String>) {
        self.problem = Some(Problem {
            message: message.into(),
            way_out: way_out.into(),
        });
    }

    /// Whether a read-only request is in flight.
    pub fn is_waiting(&self) -> bool {
        self.waiting.is_some()
    }

    /// The profiles that hold `key_id`, by name.
    pub fn holders_of(&self, key_id: &str) -> Vec<String> {
        self.local
            .iter()
            .filter(|p| p.access_key_id.as_deref() == Some(key_id))
            .map(|p| p.name.clone())
            .collect()
    }

    /// The key being rotated, once listed.
    pub fn old_key(&self) -> Option<&KeyFacts> {
        let old = self.old_key_id.as_deref()?;
        self.keys.iter().find(|k| k.access_key_id == old)
    }

    /// The user's other key, when there are two.
    pub fn other_key(&self) -> Option<&KeyFacts> {
        let old = self.old_key_id.as_deref()?;
        self.keys.iter().find(|k| k.access_key_id != old)
    }

    /// Whole days between `created` and the listing.
    pub fn age_days(&self, key: &KeyFacts) -> Option<i64> {
        Some((self.now? - key.created?).whole_days())
    }

    /// The key the acting credentials use, when it is known locally.
    fn acting_key_id(&self) -> Option<String> {
        match &self.options.source_profile {
            Some(source) => self
                .local
                .iter()
                .find(|p| &p.name == source)
                .and_then(|p| p.access_key_id.clone()),
            None => self.old_key_id.clone(),
        }
    }

    /// The credentials that act before the new key is verified (and to take it out again).
    fn old_acting(&self) -> Acting {
        match &self.options.source_profile {
            Some(source) => Acting::Profile(source.clone()),
            None => Acting::Key(self.old_key_id.clone().unwrap_or_default()),
        }
    }

    fn acting_for(&self, action: &Action) -> Option<Acting> {
        match action {
            Action::DeleteOtherKey { .. }
            | Action::CreateKey { .. }
            | Action::DeleteNewKey { .. } => Some(self.old_acting()),
            Action::VerifyKey { key_id, .. } => Some(Acting::Key(key_id.clone())),
            Action::DeactivateOldKey { .. } | Action::DeleteOldKey { .. } => {
                self.new_key_id.clone().map(Acting::Key)
            }
            Action::WriteNewKey { .. } | Action::RestoreOldKey { .. } => None,
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Next => self.next(),
            Msg::Back => self.back(),
            Msg::PickSource(source) => {
                if self.step < Step::Run {
                    self.options.source_profile = source;
                    self.forget_inspection();
                }
                Vec::new()
            }
            Msg::DeleteOtherKey(answer) => {
                if self.step == Step::OtherKey {
                    self.problem = None;
                    self.delete_other = Some(answer);
                    self.after_inspection();
                }
                Vec::new()
            }
            Msg::Interrupt => self.interrupt(),
            Msg::ProfilesRead(request, result) => {
                if !self.answers(request) {
                    return Vec::new();
                }
                match result {
                    Ok(profiles) => {
                        self.local = profiles;
                        if self.resuming.is_some() {
                            self.continue_resume()
                        } else {
                            self.check_profile()
                        }
                    }
                    Err(message) => {
                        self.stop_with(message, "Fix the file named above, then try again.");
                        Vec::new()
                    }
                }
            }
            Msg::Identified(request, result) => {
                if !self.answers(request) {
                    return Vec::new();
                }
                match result {
                    Ok(identity) => self.identified(identity),
                    Err(error) => {
                        self.fail_inspection(&error);
                        Vec::new()
                    }
                }
            }
            Msg::KeysListed(request, result) => {
                if !self.answers(request) {
                    return Vec::new();
                }
                match result {
                    Ok(list) => self.keys_listed(list),
                    Err(error) => {
                        self.fail_inspection(&error);
                        Vec::new()
                    }
                }
            }
            Msg::Performed(request, result) => self.performed(request, result),
        }
    }

    /// Forgets what the inspection found (the source changed, or Back to the start).
    fn forget_inspection(&mut self) {
        self.step = Step::Inspect;
        self.waiting = None;
        self.problem = None;
        self.identity = None;
        self.user = None;
        self.keys.clear();
        self.now = None;
        self.delete_other = None;
    }

    fn next(&mut self) -> Vec<Effect> {
        if self.waiting.is_some() {
            return Vec::new();
        }
        match self.step {
            Step::Inspect if self.now.is_some() => {
                self.problem = None;
                self.after_inspection();
                Vec::new()
            }
            Step::Inspect => {
                self.problem = None;
                let request = self.wait();
                vec![Effect::ReadProfiles {
                    request,
                    profile: self.options.profile.clone(),
                    source_profile: self.options.source_profile.clone(),
                }]
            }
            Step::OtherKey => {
                self.after_inspection();
                Vec::new()
            }
            Step::Review => self.start_run(),
            Step::Run => self.retry_failed(),
            Step::Done => Vec::new(),
        }
    }

    fn back(&mut self) -> Vec<Effect> {
        match self.step {
            Step::Inspect => {
                self.waiting = None;
            }
            Step::OtherKey => self.step = Step::Inspect,
            Step::Review if self.other_key().is_some() => {
                self.delete_other = None;
                self.step = Step::OtherKey;
            }
            Step::Review => self.step = Step::Inspect,
            Step::Run if self.has_started_run() => self.stop_with(
                "Steps of this rotation have already been made.",
                "Going back would not undo them: let the run finish, or finish it later with `credwiz rotate --resume`.",
            ),
            Step::Run | Step::Done => {}
        }
        Vec::new()
    }

    /// Whether the run has changed anything yet.
    pub fn has_started_run(&self) -> bool {
        self.run.iter().any(|i| i.status != Status::Pending)
    }

    fn interrupt(&mut self) -> Vec<Effect> {
        if self.waiting.take().is_some() && self.step == Step::Run {
            // Resuming, before anything was done: the journal stays for the next `--resume`.
            self.outcome = Some(Outcome::Interrupted);
            self.step = Step::Done;
            return Vec::new();
        }
        match self.step {
            Step::Done => Vec::new(),
            Step::Run => {
                self.interrupted = true;
                let running = self
                    .run
                    .iter()
                    .any(|i| matches!(i.status, Status::Running(_)));
                if running {
                    return Vec::new();
                }
                self.start_next()
            }
            _ => {
                self.waiting = None;
                self.outcome = Some(Outcome::Interrupted);
                self.step = Step::Done;
                Vec::new()
            }
        }
    }

    /// Checks the profile and the source against the files, then identifies the caller.
    fn check_profile(&mut self) -> Vec<Effect> {
        let name = self.options.profile.clone();
        let Some(profile) = self.local.iter().find(|p| p.name == name).cloned() else {
            self.stop_with(
                format!("profile `{name}` not found"),
                "See `credwiz list` for the profiles that exist.",
            );
            return Vec::new();
        };
        match profile.kind {
            Kind::Static => {}
            Kind::Session => {
                self.stop_with(
                    format!("profile `{name}` holds a session token: its keys are temporary"),
                    "Only long-term access keys can be rotated. Temporary credentials expire on their own; renew them where they came from.",
                );
                return Vec::new();
            }
            kind => {
                self.stop_with(
                    format!(
                        "profile `{name}` is a {} profile, not one with static keys",
                        kind.name()
                    ),
                    "Only profiles holding an access key id and secret can be rotated.",
                );
                return Vec::new();
            }
        }
        if profile.key_file != Some(FileKind::Credentials) {
            self.stop_with(
                format!("profile `{name}` keeps its keys in the config file"),
                "Rotation writes keys to the credentials file only: move aws_access_key_id and aws_secret_access_key there, then rotate.",
            );
            return Vec::new();
        }
        let old = profile.access_key_id.clone().unwrap_or_default();
        self.old_key_id = Some(old.clone());
        if let Some(source) = self.options.source_profile.clone() {
            match self.local.iter().find(|p| p.name == source) {
                None => {
                    self.stop_with(
                        format!("source profile `{source}` not found"),
                        "Name an existing profile with --source-profile, or leave it out to act with the key being rotated.",
                    );
                    return Vec::new();
                }
                Some(p) if p.access_key_id.as_deref() == Some(old.as_str()) => {
                    // It holds the very key being rotated: acting with it is acting with the key.
                    self.options.source_profile = None;
                }
                Some(_) => {}
            }
        }
        let request = self.wait();
        vec![Effect::Identify {
            request,
            acting: self.old_acting(),
        }]
    }

    fn identified(&mut self, identity: CallerIdentity) -> Vec<Effect> {
        let user = match (&self.options.source_profile, identity.user_name()) {
            (Some(_), _) => None,
            (None, Some(user)) => Some(user.to_string()),
            (None, None) if identity.is_root() => {
                self.stop_with(
                    format!(
                        "profile `{}` holds the root user's key of account {}",
                        self.options.profile, identity.account
                    ),
                    "Root keys belong to no IAM user and cannot be rotated here. Replace them in the console (Security credentials), or better, delete them and use an IAM user.",
                );
                return Vec::new();
            }
            (None, None) => {
                self.stop_with(
                    format!("the key resolves to {}, not to an IAM user", identity.arn),
                    "Only IAM users' access keys can be rotated.",
                );
                return Vec::new();
            }
        };
        self.identity = Some(identity);
        let request = self.wait();
        vec![Effect::ListKeys {
            request,
            acting: self.old_acting(),
            user,
            key_id: self.old_key_id.clone().unwrap_or_default(),
        }]
    }

    fn keys_listed(&mut self, list: KeyList) -> Vec<Effect> {
        let old = self.old_key_id.clone().unwrap_or_default();
        self.user = Some(list.user.clone());
        self.keys = list.keys;
        self.now = Some(list.now);
        let Some(old_key) = self.old_key().cloned() else {
            self.stop_with(
                format!("key {old} is not one of user {}'s keys", list.user),
                "The profile's key belongs to another user or was deleted; check the profile with `credwiz check`.",
            );
            return Vec::new();
        };
        if let Some(threshold) = self.options.older_than {
            let age = old_key.created.map(|created| list.now - created);
            if age.is_none_or(|age| age < threshold) {
                self.outcome = Some(Outcome::Skipped {
                    age_days: age.map(|a| a.whole_days()),
                });
                self.step = Step::Done;
                return Vec::new();
            }
        }
        self.after_inspection();
        Vec::new()
    }

    /// Decides the two-key question (or asks it), then moves to the review.
    fn after_inspection(&mut self) {
        let Some(other) = self.other_key().cloned() else {
            self.step = Step::Review;
            return;
        };
        let id = &other.access_key_id;
        let holders = self.holders_of(id);
        self.step = Step::OtherKey;
        if self.acting_key_id().as_deref() == Some(id.as_str()) {
            self.stop_with(
                format!(
                    "the user already has two keys, and the other one, {id}, is the key credwiz acts with (profile `{}`)",
                    self.options.source_profile.clone().unwrap_or_default()
                ),
                "It must be deleted to make room, which would cut off the credentials in use. Act with the key being rotated (leave out --source-profile), or with another profile.",
            );
            return;
        }
        if self.delete_other.is_none()
            && ((other.status == AccessKeyStatus::Inactive && holders.is_empty())
                || self.options.delete_other_key)
        {
            self.delete_other = Some(true);
        }
        match self.delete_other {
            Some(true) => {
                self.problem = None;
                self.step = Step::Review;
            }
            Some(false) => self.stop_with(
                format!("the user already has two keys; {id} stays, so there is no room for a new one"),
                "IAM allows two keys per user. Delete one (here, or with --delete-other-key), then rotate.",
            ),
            None if self.options.interactive => {}
            None => {
                let why = if holders.is_empty() {
                    format!("it is {}", other.status)
                } else {
                    format!(
                        "it is {} and {} hold{} it",
                        other.status,
                        profile_list(&holders),
                        if holders.len() == 1 { "s" } else { "" }
                    )
                };
                self.stop_with(
                    format!(
                        "user {} already has two keys, and the other key {id} must be deleted first; {why}",
                        self.user.clone().unwrap_or_default()
                    ),
                    "credwiz deletes it on its own only when it is Inactive and no local profile holds it. Pass --delete-other-key to delete it anyway; nothing has been changed.",
                );
            }
        }
    }

    fn fail_inspection(&mut self, error: &AwsError) {
        let mut way_out = error.way_out();
        if self.options.source_profile.is_none() {
            match error.kind {
                AwsErrorKind::InvalidCredentials => way_out.push_str(
                    " A key AWS does not accept cannot authorise its own rotation; create a new key with `credwiz setup`, or act with a profile that may manage this user's keys (--source-profile).",
                ),
                AwsErrorKind::AccessDenied { .. } => way_out.push_str(
                    " A user needs rights over its own keys to rotate them; or act with a profile that has them (--source-profile).",
                ),
                _ => {}
            }
        }
        self.stop_with(format!("{}: {}", error.operation, error.message), way_out);
    }

    /// The steps the run will take, in order.
    pub fn plan(&self) -> Vec<Action> {
        let user = self.user.clone().unwrap_or_default();
        let old = self.old_key_id.clone().unwrap_or_default();
        let mut plan = Vec::new();
        if let (Some(true), Some(other)) = (self.delete_other, self.other_key()) {
            plan.push(Action::DeleteOtherKey {
                user: user.clone(),
                key_id: other.access_key_id.clone(),
            });
        }
        plan.push(Action::CreateKey {
            user: user.clone(),
            profile: self.options.profile.clone(),
            old_key_id: old.clone(),
            profiles: self.holders_of(&old),
        });
        match self.options.old_key {
            OldKey::Deactivate => plan.push(Action::DeactivateOldKey { user, key_id: old }),
            OldKey::Delete => plan.push(Action::DeleteOldKey { user, key_id: old }),
            OldKey::Keep => {}
        }
        plan
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
        self.journal_open = true;
        let mut effects = vec![Effect::BeginJournal {
            source_profile: self.options.source_profile.clone(),
            plan,
        }];
        effects.extend(self.start_next());
        effects
    }

    /// True when stopping now leaves the files holding the old key or a verified new key.
    pub fn is_safe_to_stop(&self) -> bool {
        self.new_key_id.is_none() || self.verified || self.restored
    }

    /// Starts the next pending step, one at a time; or stops, or finishes.
    fn start_next(&mut self) -> Vec<Effect> {
        let blocked = self.run.iter().any(|i| {
            matches!(i.status, Status::Running(_))
                || (matches!(i.status, Status::Failed(_))
                    && !matches!(i.action, Action::VerifyKey { .. }))
        });
        if blocked {
            return Vec::new();
        }
        let Some(index) = self.run.iter().position(|i| i.status == Status::Pending) else {
            self.step = Step::Done;
            self.outcome = Some(if self.restored {
                Outcome::RolledBack
            } else {
                Outcome::Rotated
            });
            return self.close_journal();
        };
        if self.interrupted && self.is_safe_to_stop() {
            self.step = Step::Done;
            self.outcome = Some(Outcome::Interrupted);
            if self.has_started_run() {
                return Vec::new();
            }
            return self.close_journal();
        }
        let request = self.request();
        self.run[index].status = Status::Running(request);
        let action = self.run[index].action.clone();
        vec![Effect::Perform {
            request,
            acting: self.acting_for(&action),
            action,
        }]
    }

    fn close_journal(&mut self) -> Vec<Effect> {
        if std::mem::take(&mut self.journal_open) {
            vec![Effect::FinishJournal]
        } else {
            Vec::new()
        }
    }

    fn retry_failed(&mut self) -> Vec<Effect> {
        let mut retried = false;
        for item in &mut self.run {
            if matches!(item.status, Status::Failed(_))
                && !matches!(item.action, Action::VerifyKey { .. })
            {
                item.status = Status::Pending;
                retried = true;
            }
        }
        if !retried {
            return Vec::new();
        }
        self.problem = None;
        let mut effects = Vec::new();
        if !self.journal_open {
            self.journal_open = true;
            effects.push(Effect::BeginJournal {
                source_profile: self.options.source_profile.clone(),
                plan: self
                    .run
                    .iter()
                    .filter(|i| i.status == Status::Pending)
                    .map(|i| i.action.clone())
                    .collect(),
            });
        }
        effects.extend(self.start_next());
        effects
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
        let action = self.run[index].action.clone();
        match result {
            Ok(output) => {
                self.run[index].status = Status::Done;
                match output {
                    ActionOutput::KeyCreated { key_id, profiles } => {
                        self.run.insert(
                            index + 1,
                            RunItem {
                                action: Action::VerifyKey {
                                    user: self.user.clone().unwrap_or_default(),
                                    key_id: key_id.clone(),
                                },
                                status: Status::Pending,
                            },
                        );
                        self.new_key_id = Some(key_id);
                        self.written = profiles;
                    }
                    ActionOutput::Verified { arn } => {
                        self.verified = true;
                        self.verified_arn = Some(arn);
                    }
                    ActionOutput::Completed => {
                        if matches!(action, Action::RestoreOldKey { .. }) {
                            self.restored = true;
                        }
                    }
                }
                self.start_next()
            }
            Err(error) => {
                self.run[index].status = Status::Failed(error.to_string());
                if let Action::VerifyKey { user, key_id } = &action {
                    return self.roll_back(user.clone(), key_id.clone(), &error);
                }
                self.stop_with(
                    format!("{}: {}", error.operation, error.message),
                    self.way_out_of(&action, &error),
                );
                // Before a key exists there is nothing for `--resume` to finish.
                if self.new_key_id.is_some() {
                    Vec::new()
                } else {
                    self.close_journal()
                }
            }
        }
    }

    /// The new key never verified: the old key goes back, the new key goes away.
    fn roll_back(&mut self, user: String, new_key_id: String, error: &AwsError) -> Vec<Effect> {
        self.run
            .retain(|i| !(i.action.handles_old_key() && i.status == Status::Pending));
        let old_key_id = self.old_key_id.clone().unwrap_or_default();
        self.run.push(RunItem {
            action: Action::RestoreOldKey {
                old_key_id: old_key_id.clone(),
                new_key_id: new_key_id.clone(),
                profiles: self.written.clone(),
            },
            status: Status::Pending,
        });
        self.run.push(RunItem {
            action: Action::DeleteNewKey {
                user: user.clone(),
                key_id: new_key_id.clone(),
            },
            status: Status::Pending,
        });
        self.stop_with(
            format!(
                "the new key {new_key_id} did not verify as user {user}: {}",
                error.message
            ),
            format!(
                "The old key {old_key_id} goes back into the files and the new key is deleted; nothing else changed. {} Try again later, or allow more time with --verify-timeout.",
                error.way_out()
            ),
        );
        self.start_next()
    }

    fn way_out_of(&self, action: &Action, error: &AwsError) -> String {
        let old = self.old_key_id.clone().unwrap_or_default();
        let new = self.new_key_id.clone().unwrap_or_default();
        let resume = "Fix the cause and run `credwiz rotate --resume`";
        let context = match action {
            Action::DeleteOtherKey { .. } => {
                "Nothing was changed: the files still hold the old key.".to_string()
            }
            Action::CreateKey { .. } => {
                let deleted = self.run.iter().any(|i| {
                    i.status == Status::Done && matches!(i.action, Action::DeleteOtherKey { .. })
                });
                if deleted {
                    "The other key was deleted; the files still hold the old key, which still works."
                        .to_string()
                } else {
                    "Nothing was changed: the files still hold the old key.".to_string()
                }
            }
            Action::WriteNewKey { .. } => format!(
                "Some profiles hold the new key {new}, others the old key {old}; both keys work. {resume}."
            ),
            Action::VerifyKey { .. } => String::new(),
            Action::DeactivateOldKey { .. } | Action::DeleteOldKey { .. } => format!(
                "The new key {new} is in the files and verified; the old key {old} is still active. {resume}, or deactivate it in the IAM console."
            ),
            Action::RestoreOldKey { .. } => format!(
                "The files still hold the new key {new}, which did not verify, and the old key {old} is still active in AWS. {resume}, or copy the old key back from the backup file (credentials.credwiz-backup)."
            ),
            Action::DeleteNewKey { .. } => format!(
                "The old key is back in the files; the unverified new key {new} still exists in AWS. {resume} to delete it, or delete it in the IAM console."
            ),
        };
        format!("{} {context}", error.way_out()).trim().to_string()
    }

    /// Continues an interrupted run from its journal: `plan` as begun, `completed` as recorded.
    /// The files are read first, to see which key each profile holds now.
    pub fn resume(&mut self, plan: Vec<Action>, completed: Vec<Completed<Action>>) -> Vec<Effect> {
        if let Some(Action::CreateKey { profile, .. }) =
            plan.iter().find(|a| matches!(a, Action::CreateKey { .. }))
        {
            self.options.profile = profile.clone();
        }
        self.options.old_key = if plan
            .iter()
            .any(|a| matches!(a, Action::DeleteOldKey { .. }))
        {
            OldKey::Delete
        } else if plan
            .iter()
            .any(|a| matches!(a, Action::DeactivateOldKey { .. }))
        {
            OldKey::Deactivate
        } else {
            OldKey::Keep
        };
        self.resuming = Some(Resuming { plan, completed });
        self.journal_open = true;
        self.step = Step::Run;
        let request = self.wait();
        vec![Effect::ReadProfiles {
            request,
            profile: self.options.profile.clone(),
            source_profile: self.options.source_profile.clone(),
        }]
    }

    fn continue_resume(&mut self) -> Vec<Effect> {
        let Some(Resuming { plan, completed }) = self.resuming.take() else {
            return Vec::new();
        };
        let Some(Action::CreateKey {
            user,
            old_key_id,
            profiles,
            ..
        }) = plan
            .iter()
            .find(|a| matches!(a, Action::CreateKey { .. }))
            .cloned()
        else {
            self.stop_with(
                "the journal holds no key creation to finish",
                "Start a new rotation with `credwiz rotate NAME`.",
            );
            return self.close_journal();
        };
        self.user = Some(user.clone());
        self.old_key_id = Some(old_key_id.clone());
        let done = |wanted: &dyn Fn(&Action) -> bool| completed.iter().any(|c| wanted(&c.action));
        let created = completed
            .iter()
            .find(|c| matches!(c.action, Action::CreateKey { .. }))
            .and_then(|c| c.created_key_id.clone());
        // A key written but not yet journalled is found in the files.
        let new_key_id = created.or_else(|| {
            profiles.iter().find_map(|name| {
                self.local
                    .iter()
                    .find(|p| &p.name == name)
                    .and_then(|p| p.access_key_id.clone())
                    .filter(|id| id != &old_key_id)
            })
        });
        let Some(new_key_id) = new_key_id else {
            // Nothing new reached the files: start again from the inspection, under a new journal.
            let mut effects = self.close_journal();
            self.step = Step::Inspect;
            effects.extend(self.check_profile());
            return effects;
        };
        self.new_key_id = Some(new_key_id.clone());
        let holding = |key: &str| -> Vec<String> {
            profiles
                .iter()
                .filter(|name| {
                    self.local
                        .iter()
                        .any(|p| &p.name == *name && p.access_key_id.as_deref() == Some(key))
                })
                .cloned()
                .collect()
        };
        self.written = holding(&new_key_id);
        let mut remaining = Vec::new();
        if done(&|a| matches!(a, Action::RestoreOldKey { .. })) {
            self.restored = true;
            if !done(&|a| matches!(a, Action::DeleteNewKey { .. })) {
                remaining.push(Action::DeleteNewKey {
                    user,
                    key_id: new_key_id,
                });
            }
        } else {
            let stale = holding(&old_key_id);
            if !stale.is_empty() {
                self.written.extend(stale.iter().cloned());
                remaining.push(Action::WriteNewKey {
                    new_key_id: new_key_id.clone(),
                    old_key_id: old_key_id.clone(),
                    profiles: stale,
                });
            }
            if done(&|a| matches!(a, Action::VerifyKey { .. })) {
                self.verified = true;
            } else {
                remaining.push(Action::VerifyKey {
                    user,
                    key_id: new_key_id,
                });
            }
            remaining.extend(
                plan.iter()
                    .filter(|a| a.handles_old_key() && !done(&|d| d == *a))
                    .cloned(),
            );
        }
        self.run = remaining
            .into_iter()
            .map(|action| RunItem {
                action,
                status: Status::Pending,
            })
            .collect();
        self.start_next()
    }
}
