//! Executes the flows' effects (AWS calls, file writes, the journal) and returns the results as
//! messages tagged with the request they answer.
//!
//! The runner is cheap to clone and safe to share between tasks, so the TUI can perform effects
//! concurrently and the CLI can await them in turn.

mod rotate;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;

use crate::aws::{
    AwsClients, AwsError, AwsErrorKind, CallerIdentity, CredentialSource, Endpoints, ManagedPolicy,
    ProfileFilePaths, connect,
};
use crate::flows::setup::{
    Account, Action, ActionOutput, CreatedKey, Effect, Existing, Msg, Preview,
};
use crate::journal::{Completed, Journal};
use crate::profiles::edit::SECRET_KEYS;
use crate::profiles::store::{self, write_edits};
use crate::profiles::{Edit, FilePaths};

pub use rotate::{Call, ROTATE_JOURNAL, RotationRunner, Seam, local_profiles};

/// How long and how often to retry verifying a new key while IAM propagates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub timeout: Duration,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            timeout: Duration::from_secs(60),
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

/// Calls `attempt` until it succeeds, a non-retryable error occurs, or `backoff.timeout` passes,
/// doubling the delay between attempts. Returns the last error on timeout.
pub async fn retry_with_backoff<T, F, Fut>(backoff: Backoff, mut attempt: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AwsError>>,
{
    let started = tokio::time::Instant::now();
    let mut delay = backoff.first_delay;
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) if !is_propagation_delay(&error) => return Err(error),
            Err(error) => {
                if started.elapsed() + delay > backoff.timeout {
                    return Err(error);
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(backoff.max_delay);
            }
        }
    }
}

/// Checks that a verified key belongs to `user`; `what` names the key in the error.
pub fn expect_user(identity: &CallerIdentity, user: &str, what: &str) -> Result<(), AwsError> {
    if identity.user_name() == Some(user) {
        return Ok(());
    }
    Err(local_error(
        "sts:GetCallerIdentity",
        format!("{what} resolves to {}, not to user {user}", identity.arn),
    ))
}

/// Errors a brand-new key gives while IAM has not yet propagated it.
fn is_propagation_delay(error: &AwsError) -> bool {
    matches!(
        error.kind,
        AwsErrorKind::InvalidCredentials | AwsErrorKind::Throttling
    )
}

/// The journal kind of setup runs.
pub const SETUP_JOURNAL: &str = "setup";

struct Inner {
    paths: FilePaths,
    endpoints: Endpoints,
    state_dir: std::path::PathBuf,
    verify: Backoff,
    clients: Mutex<Option<AwsClients>>,
    journal: Mutex<Option<Journal<Action>>>,
    source_profile: Mutex<Option<String>>,
}

#[derive(Clone)]
pub struct Runner {
    inner: Arc<Inner>,
}

/// An error that is not AWS's, phrased like one so the flows show it the same way.
pub fn local_error(operation: &'static str, message: String) -> AwsError {
    AwsError {
        kind: AwsErrorKind::Other,
        code: None,
        message,
        operation,
    }
}

impl Runner {
    pub fn new(
        paths: FilePaths,
        endpoints: Endpoints,
        state_dir: std::path::PathBuf,
        verify: Backoff,
    ) -> Runner {
        Runner {
            inner: Arc::new(Inner {
                paths,
                endpoints,
                state_dir,
                verify,
                clients: Mutex::new(None),
                journal: Mutex::new(None),
                source_profile: Mutex::new(None),
            }),
        }
    }

    /// The files this runner reads and writes.
    pub fn paths(&self) -> &FilePaths {
        &self.inner.paths
    }

    /// Continues an existing journal (for `--resume`).
    pub fn adopt_journal(&self, journal: Journal<Action>) {
        *self.inner.journal.lock().expect("journal lock") = Some(journal);
    }

    fn files(&self) -> ProfileFilePaths {
        ProfileFilePaths {
            config: self.inner.paths.config.clone(),
            credentials: self.inner.paths.credentials.clone(),
        }
    }

    /// Connects with `source` and keeps the clients for the effects that follow.
    pub async fn connect(&self, source: &CredentialSource) -> Result<AwsClients, AwsError> {
        let clients = connect(source, &self.inner.endpoints, &self.files(), None).await?;
        *self.inner.clients.lock().expect("clients lock") = Some(clients.clone());
        *self.inner.source_profile.lock().expect("source lock") = match source {
            CredentialSource::Profile(name) => Some(name.clone()),
            _ => None,
        };
        Ok(clients)
    }

    pub fn clients(&self, operation: &'static str) -> Result<AwsClients, AwsError> {
        self.inner
            .clients
            .lock()
            .expect("clients lock")
            .clone()
            .ok_or_else(|| local_error(operation, "not connected to AWS yet".to_string()))
    }

    /// Performs one effect; returns the message it produces, if any.
    pub async fn perform(&self, effect: Effect) -> Option<Msg> {
        match effect {
            Effect::Identify { request, source } => {
                Some(Msg::Identified(request, self.identify(&source).await))
            }
            Effect::LookUpUser {
                request,
                user,
                group,
            } => Some(Msg::UserLookedUp(
                request,
                self.look_up(&user, group.as_deref()).await,
            )),
            Effect::LoadPolicyCatalog { request } => {
                Some(Msg::CatalogLoaded(request, self.policy_catalog().await))
            }
            Effect::CheckPolicies { request, arns } => Some(Msg::PoliciesChecked(
                request,
                self.check_policies(arns).await,
            )),
            Effect::PreviewFiles {
                request,
                profile,
                region,
                output,
            } => Some(Msg::Previewed(
                request,
                self.preview(&profile, region.as_deref(), output.as_deref()),
            )),
            Effect::BeginJournal { request, plan } => {
                let source = self
                    .inner
                    .source_profile
                    .lock()
                    .expect("source lock")
                    .clone();
                let started = Journal::create(&self.inner.state_dir, SETUP_JOURNAL, source, plan)
                    .map(|journal| {
                        *self.inner.journal.lock().expect("journal lock") = Some(journal);
                    })
                    .map_err(|error| format!("{}: {error}", self.inner.state_dir.display()));
                Some(Msg::JournalStarted(request, started))
            }
            Effect::Perform { request, action } => {
                Some(Msg::Performed(request, self.perform_action(action).await))
            }
        }
    }

    /// Performs effects concurrently and returns their messages in completion order.
    pub async fn perform_all(&self, effects: Vec<Effect>) -> Vec<Msg> {
        let mut tasks = JoinSet::new();
        for effect in effects {
            let runner = self.clone();
            tasks.spawn(async move { runner.perform(effect).await });
        }
        let mut messages = Vec::new();
        while let Some(result) = tasks.join_next().await {
            if let Ok(Some(msg)) = result {
                messages.push(msg);
            }
        }
        messages
    }

    async fn identify(&self, source: &CredentialSource) -> Result<Account, AwsError> {
        let clients = self.connect(source).await?;
        let identity = clients.caller_identity().await?;
        let aliases = clients.list_account_aliases().await.unwrap_or_default();
        Ok(Account { identity, aliases })
    }

    async fn look_up(&self, user: &str, group: Option<&str>) -> Result<Existing, AwsError> {
        let clients = self.clients("iam:GetUser")?;
        let user_exists = clients.get_user(user).await?.is_some();
        let group_exists = match group {
            Some(group) => clients.get_group(group).await?.is_some(),
            None => false,
        };
        Ok(Existing {
            user: user_exists,
            group: group_exists,
        })
    }

    /// The AWS managed policies, from a day-old cache when there is one.
    async fn policy_catalog(&self) -> Result<Vec<ManagedPolicy>, AwsError> {
        let clients = self.clients("iam:ListPolicies")?;
        let cache = self.inner.state_dir.join("cache").join(format!(
            "policies-{}.json",
            cache_key(clients.iam_endpoint())
        ));
        let fresh = std::fs::metadata(&cache)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age < Duration::from_secs(24 * 3600));
        if fresh
            && let Some(policies) = std::fs::read(&cache)
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        {
            return Ok(policies);
        }
        let policies = clients.list_aws_managed_policies().await?;
        if let Some(folder) = cache.parent()
            && std::fs::create_dir_all(folder).is_ok()
            && let Ok(json) = serde_json::to_vec(&policies)
        {
            let _ = std::fs::write(&cache, json);
        }
        Ok(policies)
    }

    async fn check_policies(&self, arns: Vec<String>) -> Result<Vec<(String, bool)>, AwsError> {
        let clients = self.clients("iam:GetPolicy")?;
        let mut tasks = JoinSet::new();
        for arn in arns {
            let clients = clients.clone();
            tasks.spawn(async move {
                let exists = clients.get_policy(&arn).await?.is_some();
                Ok::<_, AwsError>((arn, exists))
            });
        }
        let mut found = Vec::new();
        while let Some(result) = tasks.join_next().await {
            found.push(result.map_err(|e| local_error("iam:GetPolicy", e.to_string()))??);
        }
        Ok(found)
    }

    fn preview(
        &self,
        profile: &str,
        region: Option<&str>,
        output: Option<&str>,
    ) -> Result<Preview, String> {
        let loaded = store::load_both(&self.inner.paths).map_err(|e| e.to_string())?;
        let profile_exists = loaded.reading().get(profile).is_some();
        let edits = profile_edits(
            profile,
            &CreatedKey {
                access_key_id: "<new access key id>".to_string(),
                secret_access_key: crate::secret::Secret::new("<new secret>"),
            },
            region,
            output,
            loaded
                .reading()
                .get(profile)
                .is_some_and(|p| p.get("aws_session_token").is_some()),
        );
        let mut config = loaded.config.document.clone();
        let mut credentials = loaded.credentials.document.clone();
        let mut diff = String::new();
        let before = [
            config.render_masked(SECRET_KEYS),
            credentials.render_masked(SECRET_KEYS),
        ];
        for edit in &edits {
            let changes = edit
                .apply(&config, &credentials)
                .map_err(|e| e.to_string())?;
            if let Some(text) = changes.config {
                config = crate::profiles::Document::parse(&text).map_err(|e| e.to_string())?;
            }
            if let Some(text) = changes.credentials {
                credentials = crate::profiles::Document::parse(&text).map_err(|e| e.to_string())?;
            }
        }
        for ((old, new), path) in before
            .iter()
            .zip([
                config.render_masked(SECRET_KEYS),
                credentials.render_masked(SECRET_KEYS),
            ])
            .zip([&self.inner.paths.config, &self.inner.paths.credentials])
        {
            diff.push_str(&unified_diff(old, &new, &path.display().to_string()));
        }
        Ok(Preview {
            diff,
            profile_exists,
        })
    }

    fn journal_record(&self, completed: Completed<Action>) {
        if let Some(journal) = self.inner.journal.lock().expect("journal lock").as_mut()
            && let Err(error) = journal.record(completed)
        {
            tracing::warn!("could not update the journal: {error}");
        }
    }

    /// Marks the journal finished once the whole run is done.
    pub fn finish_journal(&self) {
        if let Some(journal) = self.inner.journal.lock().expect("journal lock").as_mut() {
            let _ = journal.finish();
        }
    }

    async fn perform_action(&self, action: Action) -> Result<ActionOutput, AwsError> {
        let clients = self.clients("iam")?;
        let mut completed = Completed {
            action: action.clone(),
            created_key_id: None,
            profile_existed: false,
            already_present: false,
        };
        let output = match &action {
            Action::CreateGroup { group } => {
                clients.create_group(group).await?;
                ActionOutput::Completed
            }
            Action::CreateUser { user } => {
                clients.create_user(user).await?;
                ActionOutput::Completed
            }
            Action::AddUserToGroup { user, group } => {
                completed.already_present = clients
                    .get_group(group)
                    .await?
                    .is_some_and(|g| g.members.contains(user));
                clients.add_user_to_group(user, group).await?;
                ActionOutput::Completed
            }
            Action::AttachUserPolicy { user, arn } => {
                completed.already_present = clients
                    .list_attached_user_policies(user)
                    .await?
                    .iter()
                    .any(|p| &p.arn == arn);
                clients.attach_user_policy(user, arn).await?;
                ActionOutput::Completed
            }
            Action::AttachGroupPolicy { group, arn } => {
                completed.already_present = clients
                    .list_attached_group_policies(group)
                    .await?
                    .iter()
                    .any(|p| &p.arn == arn);
                clients.attach_group_policy(group, arn).await?;
                ActionOutput::Completed
            }
            Action::CreateKeyAndWriteProfile {
                user,
                profile,
                region,
                output,
            } => {
                let (key, existed) = self
                    .create_key_and_write(
                        &clients,
                        user,
                        profile,
                        region.as_deref(),
                        output.as_deref(),
                    )
                    .await?;
                completed.created_key_id = Some(key.access_key_id.clone());
                completed.profile_existed = existed;
                ActionOutput::KeyWritten(key)
            }
            Action::VerifyKey {
                user,
                profile,
                access_key_id,
            } => {
                let arn = self.verify_profile(profile, user, access_key_id).await?;
                ActionOutput::Verified { arn }
            }
        };
        self.journal_record(completed);
        Ok(output)
    }

    /// Creates the key and writes it at once. If the write fails the key is deleted again, so
    /// no secret exists that nobody holds.
    async fn create_key_and_write(
        &self,
        clients: &AwsClients,
        user: &str,
        profile: &str,
        region: Option<&str>,
        output: Option<&str>,
    ) -> Result<(CreatedKey, bool), AwsError> {
        let before = store::load_both(&self.inner.paths)
            .map_err(|e| local_error("write profile", e.to_string()))?;
        let existing = before.reading().get(profile).cloned();
        let new_key = clients.create_access_key(user).await?;
        let key = CreatedKey {
            access_key_id: new_key.access_key_id.clone(),
            secret_access_key: new_key.secret_access_key.clone(),
        };
        let had_token = existing
            .as_ref()
            .is_some_and(|p| p.get("aws_session_token").is_some());
        let edits = profile_edits(profile, &key, region, output, had_token);
        if let Err(error) = write_edits(&self.inner.paths, &edits) {
            let cleanup = clients.delete_access_key(user, &key.access_key_id).await;
            let fate = match cleanup {
                Ok(()) => "the new key was deleted again".to_string(),
                Err(e) => format!(
                    "the new key {} could not be deleted ({}); delete it in the IAM console",
                    key.access_key_id, e.message
                ),
            };
            return Err(local_error(
                "write profile",
                format!("could not write the profile: {error}; {fate}"),
            ));
        }
        Ok((key, existing.is_some()))
    }

    /// Checks the written profile with STS until it resolves to `user`.
    async fn verify_profile(
        &self,
        profile: &str,
        user: &str,
        access_key_id: &str,
    ) -> Result<String, AwsError> {
        let files = self.files();
        let endpoints = self.inner.endpoints.clone();
        let source = CredentialSource::Profile(profile.to_string());
        let identity = retry_with_backoff(self.inner.verify, || {
            let (source, endpoints, files) = (source.clone(), endpoints.clone(), files.clone());
            async move {
                let clients = connect(&source, &endpoints, &files, None).await?;
                clients.caller_identity().await
            }
        })
        .await?;
        expect_user(
            &identity,
            user,
            &format!("profile `{profile}` (key {access_key_id})"),
        )?;
        Ok(identity.arn)
    }
}

impl Runner {
    /// Undoes what a journalled run created, newest first: the key and the profile it wrote,
    /// then the memberships and attachments the run added (not those that were there before),
    /// then the user and group. A profile that existed before the run keeps its new key: its old
    /// keys cannot be brought back, so deleting the new one would leave it dead. Returns each undo
    /// step with its result; the journal is closed when all succeed.
    pub async fn rollback(
        &self,
        journal: &mut Journal<Action>,
    ) -> Vec<(String, Result<(), AwsError>)> {
        let clients = match self.clients("rollback") {
            Ok(clients) => clients,
            Err(error) => return vec![("connect".to_string(), Err(error))],
        };
        let mut results = Vec::new();
        for completed in journal.completed.clone().iter().rev() {
            let (label, result) = match &completed.action {
                Action::CreateKeyAndWriteProfile { user, profile, .. } => {
                    let Some(key_id) = &completed.created_key_id else {
                        continue;
                    };
                    if completed.profile_existed {
                        let kept = format!(
                            "profile `{profile}` held other keys before this run and they cannot be restored, so its new key {key_id} was kept; delete it with `aws iam delete-access-key --user-name {user} --access-key-id {key_id}` once nothing needs it"
                        );
                        results.push((
                            format!("Keep access key {key_id} in profile {profile}"),
                            Err(local_error("rollback", kept)),
                        ));
                        continue;
                    }
                    let mut result = clients.delete_access_key(user, key_id).await;
                    if result.is_ok() {
                        result = self.remove_profile_holding(profile, key_id);
                    }
                    (
                        format!("Delete access key {key_id} and profile {profile}"),
                        result,
                    )
                }
                _ if completed.already_present => continue,
                Action::AttachUserPolicy { user, arn } => (
                    format!("Detach {arn} from {user}"),
                    clients.detach_user_policy(user, arn).await,
                ),
                Action::AttachGroupPolicy { group, arn } => (
                    format!("Detach {arn} from group {group}"),
                    clients.detach_group_policy(group, arn).await,
                ),
                Action::AddUserToGroup { user, group } => (
                    format!("Remove {user} from group {group}"),
                    clients.remove_user_from_group(user, group).await,
                ),
                Action::CreateUser { user } => (
                    format!("Delete user {user}"),
                    clients.delete_user(user).await,
                ),
                Action::CreateGroup { group } => (
                    format!("Delete group {group}"),
                    clients.delete_group(group).await,
                ),
                _ => continue,
            };
            results.push((label, result));
        }
        if results.iter().all(|(_, r)| r.is_ok())
            && let Err(error) = journal.finish()
        {
            tracing::warn!("could not close the journal: {error}");
        }
        results
    }

    /// Removes a profile the run wrote, if it still holds the run's key.
    fn remove_profile_holding(&self, profile: &str, key_id: &str) -> Result<(), AwsError> {
        let to_error = |e: store::StoreError| local_error("remove profile", e.to_string());
        let loaded = store::load_both(&self.inner.paths).map_err(to_error)?;
        let holds_key = loaded
            .reading()
            .get(profile)
            .is_some_and(|p| p.get("aws_access_key_id") == Some(key_id));
        if holds_key {
            write_edits(
                &self.inner.paths,
                &[Edit::Remove {
                    profile: profile.to_string(),
                }],
            )
            .map_err(to_error)?;
        }
        Ok(())
    }
}

/// The edits that store a key (and region/output) in a profile.
pub fn profile_edits(
    profile: &str,
    key: &CreatedKey,
    region: Option<&str>,
    output: Option<&str>,
    remove_session_token: bool,
) -> Vec<Edit> {
    let set = |k: &str, v: &str| Edit::Set {
        profile: profile.to_string(),
        key: k.to_string(),
        value: v.to_string(),
    };
    let mut edits = vec![
        set("aws_access_key_id", &key.access_key_id),
        set("aws_secret_access_key", key.secret_access_key.expose()),
    ];
    if remove_session_token {
        edits.push(Edit::Unset {
            profile: profile.to_string(),
            key: "aws_session_token".to_string(),
        });
    }
    if let Some(region) = region {
        edits.push(set("region", region));
    }
    if let Some(output) = output {
        edits.push(set("output", output));
    }
    edits
}

/// A unified diff of one file, empty when nothing changes.
pub fn unified_diff(old: &str, new: &str, path: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(path, path)
        .to_string()
}

fn cache_key(endpoint: &str) -> String {
    endpoint
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(kind: AwsErrorKind) -> AwsError {
        AwsError {
            kind,
            code: None,
            message: "m".to_string(),
            operation: "sts:GetCallerIdentity",
        }
    }

    #[tokio::test(start_paused = true)]
    async fn verification_retries_propagation_errors_until_it_works() {
        let mut attempts = 0;
        let result = retry_with_backoff(Backoff::default(), || {
            attempts += 1;
            let outcome = if attempts < 4 {
                Err(error(AwsErrorKind::InvalidCredentials))
            } else {
                Ok(attempts)
            };
            async move { outcome }
        })
        .await;
        assert_eq!(result.unwrap(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn verification_gives_up_after_the_timeout_and_not_on_other_errors() {
        let backoff = Backoff {
            timeout: Duration::from_secs(5),
            ..Backoff::default()
        };
        let mut attempts = 0;
        let result: Result<(), AwsError> = retry_with_backoff(backoff, || {
            attempts += 1;
            async { Err(error(AwsErrorKind::InvalidCredentials)) }
        })
        .await;
        assert!(result.is_err());
        assert!((3..=5).contains(&attempts), "{attempts} attempts");
        let mut attempts = 0;
        let result: Result<(), AwsError> = retry_with_backoff(backoff, || {
            attempts += 1;
            async { Err(error(AwsErrorKind::Unreachable)) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(attempts, 1);
    }

    #[test]
    fn a_diff_names_the_file_and_shows_the_new_lines() {
        let diff = unified_diff("[a]\n", "[a]\nk = v\n", "/x/credentials");
        assert!(diff.contains("/x/credentials"));
        assert!(diff.contains("+k = v"));
        assert_eq!(unified_diff("same", "same", "p"), "");
    }
}
