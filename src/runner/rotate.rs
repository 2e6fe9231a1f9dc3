//! Performs the rotation flow's effects with the shared [`Runner`]: the files, the journal (kind
//! `rotate`) and the IAM and STS calls. Secrets live here, never in the machine: a key's secret
//! comes from the files (or their backups) or from `CreateAccessKey`, and stays in memory for the
//! run. Every step passes a seam first, which tests use to fail it, and every AWS call is counted.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;

use super::{Runner, expect_user, local_error, profile_edits, retry_with_backoff};
use crate::aws::{
    AccessKeyStatus, AwsClients, AwsError, AwsErrorKind, CredentialSource, clients_with_static_key,
};
use crate::flows::rotate::{
    Acting, Action, ActionOutput, Effect, KeyFacts, KeyList, LocalProfile, Msg, Rotation,
};
use crate::flows::setup::CreatedKey;
use crate::journal::{Completed, Journal};
use crate::profiles::store::{self, backup_path, resolve_symlinks, write_edits};
use crate::profiles::{Document, Kind, ProfileSet};
use crate::secret::Secret;

/// The journal kind of rotations.
pub const ROTATE_JOURNAL: &str = "rotate";

/// A step the runner takes: every AWS call, and the file write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Call {
    /// STS `GetCallerIdentity` with the acting credentials.
    Identify,
    /// IAM `ListAccessKeys`.
    ListKeys,
    /// IAM `GetAccessKeyLastUsed`.
    LastUsed,
    /// IAM `DeleteAccessKey` (the other key, the old key, or a new key taken out again).
    DeleteKey,
    /// IAM `CreateAccessKey`.
    CreateKey,
    /// Writing keys into the profiles: local, so never counted as a call.
    WriteProfiles,
    /// STS `GetCallerIdentity` with the new key, once per attempt.
    Verify,
    /// IAM `UpdateAccessKey` to Inactive.
    DeactivateKey,
}

impl Call {
    pub fn is_aws_call(self) -> bool {
        self != Call::WriteProfiles
    }
}

/// Consulted before each step; an error it returns stands in for the step's own result. Only
/// tests install one.
pub type Seam = Arc<dyn Fn(Call) -> Result<(), AwsError> + Send + Sync>;

#[derive(Default)]
struct State {
    profile: String,
    source_profile: Option<String>,
    /// The profile the shared runner's clients were connected with.
    connected_as: Option<String>,
    secrets: HashMap<String, Secret>,
    journal: Option<Journal<Action>>,
    calls: Vec<Call>,
}

/// Runs one rotation's effects. Cheap to clone; clones share the rotation's state.
#[derive(Clone)]
pub struct RotationRunner {
    runner: Runner,
    state: Arc<Mutex<State>>,
    seam: Option<Seam>,
}

impl RotationRunner {
    pub fn new(runner: Runner) -> RotationRunner {
        RotationRunner {
            runner,
            state: Arc::new(Mutex::new(State::default())),
            seam: None,
        }
    }

    /// Installs a seam that may fail any step (tests only).
    pub fn with_seam(mut self, seam: Seam) -> RotationRunner {
        self.seam = Some(seam);
        self
    }

    /// The AWS calls made so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// Continues an interrupted run's journal (for `--resume`).
    pub fn adopt_journal(&self, journal: Journal<Action>) {
        self.state().journal = Some(journal);
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("rotation state lock")
    }

    /// Passes the seam, then counts the call.
    fn call(&self, call: Call) -> Result<(), AwsError> {
        if let Some(seam) = &self.seam {
            seam(call)?;
        }
        if call.is_aws_call() {
            self.state().calls.push(call);
        }
        Ok(())
    }

    /// Performs one effect; returns the message it produces, if any.
    pub async fn perform(&self, effect: Effect) -> Option<Msg> {
        match effect {
            Effect::ReadProfiles {
                request,
                profile,
                source_profile,
            } => {
                {
                    let mut state = self.state();
                    state.profile = profile;
                    state.source_profile = source_profile;
                }
                Some(Msg::ProfilesRead(request, self.read_profiles()))
            }
            Effect::Identify { request, acting } => {
                Some(Msg::Identified(request, self.identify(&acting).await))
            }
            Effect::ListKeys {
                request,
                acting,
                user,
                key_id,
            } => Some(Msg::KeysListed(
                request,
                self.list_keys(&acting, user, &key_id).await,
            )),
            Effect::BeginJournal {
                source_profile,
                plan,
            } => {
                match Journal::create(
                    &self.runner.inner.state_dir,
                    ROTATE_JOURNAL,
                    source_profile,
                    plan,
                ) {
                    Ok(journal) => self.state().journal = Some(journal),
                    Err(error) => tracing::warn!("could not start the rotation journal: {error}"),
                }
                None
            }
            Effect::Perform {
                request,
                action,
                acting,
            } => {
                let result = self.perform_action(&action, acting.as_ref()).await;
                if let Ok(output) = &result {
                    self.journal_record(Completed {
                        created_key_id: match output {
                            ActionOutput::KeyCreated { key_id, .. } => Some(key_id.clone()),
                            _ => None,
                        },
                        // Rotation only ever writes profiles that exist.
                        profile_existed: matches!(
                            action,
                            Action::CreateKey { .. }
                                | Action::WriteNewKey { .. }
                                | Action::RestoreOldKey { .. }
                        ),
                        already_present: false,
                        action,
                    });
                }
                Some(Msg::Performed(request, result))
            }
            Effect::FinishJournal => {
                if let Some(journal) = self.state().journal.as_mut()
                    && let Err(error) = journal.finish()
                {
                    tracing::warn!("could not close the rotation journal: {error}");
                }
                None
            }
        }
    }

    /// Performs effects in order and feeds their results back until none is left. `observe`
    /// sees the machine after each result (for progress lines). Once `interrupt` is set the
    /// machine is told, before it sees the next result, and stops at the next safe point.
    pub async fn settle(
        &self,
        rotation: &mut Rotation,
        effects: Vec<Effect>,
        interrupt: &AtomicBool,
        mut observe: impl FnMut(&Rotation),
    ) {
        let mut queue: VecDeque<Effect> = effects.into();
        let mut told = rotation.interrupted;
        while let Some(effect) = queue.pop_front() {
            let msg = self.perform(effect).await;
            if !told && interrupt.load(Ordering::SeqCst) {
                told = true;
                queue.extend(rotation.update(Msg::Interrupt));
            }
            if let Some(msg) = msg {
                queue.extend(rotation.update(msg));
                observe(rotation);
            }
        }
    }

    fn journal_record(&self, completed: Completed<Action>) {
        if let Some(journal) = self.state().journal.as_mut()
            && let Err(error) = journal.record(completed)
        {
            tracing::warn!("could not update the rotation journal: {error}");
        }
    }

    fn read_profiles(&self) -> Result<Vec<LocalProfile>, String> {
        let loaded = store::load_both(&self.runner.inner.paths).map_err(|e| e.to_string())?;
        Ok(local_profiles(&loaded.reading()))
    }

    /// Clients acting as `acting`. A key's clients share the shared runner's connection
    /// (region, endpoints, retries) and carry the key's secret.
    async fn clients_for(&self, acting: &Acting) -> Result<AwsClients, AwsError> {
        let (wanted, connected) = {
            let state = self.state();
            let wanted = match acting {
                Acting::Profile(name) => name.clone(),
                Acting::Key(_) => state.connected_as.clone().unwrap_or_else(|| {
                    state
                        .source_profile
                        .clone()
                        .unwrap_or_else(|| state.profile.clone())
                }),
            };
            (wanted.clone(), state.connected_as.as_ref() == Some(&wanted))
        };
        let base = if connected {
            self.runner.clients("connect")?
        } else {
            let clients = self
                .runner
                .connect(&CredentialSource::Profile(wanted.clone()))
                .await?;
            self.state().connected_as = Some(wanted);
            clients
        };
        match acting {
            Acting::Profile(_) => Ok(base),
            Acting::Key(key_id) => {
                let secret = self.secret_for(key_id)?;
                Ok(clients_with_static_key(&base, key_id, &secret))
            }
        }
    }

    /// The secret of `key_id`: from memory, else the files, else their backups (where the old
    /// key survives a write that an interrupted run made).
    fn secret_for(&self, key_id: &str) -> Result<Secret, AwsError> {
        if let Some(secret) = self.state().secrets.get(key_id) {
            return Ok(secret.clone());
        }
        let profile = self.state().profile.clone();
        let secret = find_secret(&self.runner.inner.paths, &profile, key_id).ok_or_else(|| {
            local_error(
                "read credentials",
                format!(
                    "the secret of key {key_id} is in neither the credentials file nor its backup"
                ),
            )
        })?;
        self.state()
            .secrets
            .insert(key_id.to_string(), secret.clone());
        Ok(secret)
    }

    async fn identify(&self, acting: &Acting) -> Result<crate::aws::CallerIdentity, AwsError> {
        let clients = self.clients_for(acting).await?;
        self.call(Call::Identify)?;
        clients.caller_identity().await
    }

    async fn list_keys(
        &self,
        acting: &Acting,
        user: Option<String>,
        key_id: &str,
    ) -> Result<KeyList, AwsError> {
        let clients = self.clients_for(acting).await?;
        let mut known_use = None;
        let user = match user {
            Some(user) => user,
            None => {
                self.call(Call::LastUsed)?;
                let used = clients.get_access_key_last_used(key_id).await?;
                let user = used.user_name.clone().ok_or_else(|| {
                    local_error(
                        "iam:GetAccessKeyLastUsed",
                        format!("IAM did not say which user owns key {key_id}"),
                    )
                })?;
                known_use = Some(used);
                user
            }
        };
        self.call(Call::ListKeys)?;
        let listed = clients.list_access_keys(&user).await?;
        let lookups = listed.iter().map(|key| {
            let known = (key.access_key_id == key_id)
                .then(|| known_use.clone())
                .flatten();
            let clients = &clients;
            async move {
                if let Some(used) = known {
                    return Ok(Some(used));
                }
                self.call(Call::LastUsed)?;
                match clients.get_access_key_last_used(&key.access_key_id).await {
                    Ok(used) => Ok(Some(used)),
                    Err(error) if matches!(error.kind, AwsErrorKind::AccessDenied { .. }) => {
                        Ok(None)
                    }
                    Err(error) => Err(error),
                }
            }
        });
        let last_used = futures::future::join_all(lookups).await;
        let mut keys = Vec::new();
        for (key, used) in listed.into_iter().zip(last_used) {
            keys.push(KeyFacts {
                access_key_id: key.access_key_id,
                status: key.status,
                created: key.create_date,
                last_used: used?,
            });
        }
        Ok(KeyList {
            user,
            keys,
            now: OffsetDateTime::now_utc(),
        })
    }

    async fn perform_action(
        &self,
        action: &Action,
        acting: Option<&Acting>,
    ) -> Result<ActionOutput, AwsError> {
        let acting = || {
            acting.ok_or_else(|| {
                local_error("rotate", format!("no credentials to {}", action.label()))
            })
        };
        match action {
            Action::DeleteOtherKey { user, key_id }
            | Action::DeleteOldKey { user, key_id }
            | Action::DeleteNewKey { user, key_id } => {
                self.delete_key(acting()?, user, key_id).await?;
                Ok(ActionOutput::Completed)
            }
            Action::CreateKey {
                user, old_key_id, ..
            } => self.create_key(acting()?, user, old_key_id).await,
            Action::WriteNewKey {
                new_key_id,
                old_key_id,
                ..
            } => {
                let secret = self.secret_for(new_key_id)?;
                self.write_key(new_key_id, &secret, old_key_id)?;
                Ok(ActionOutput::Completed)
            }
            Action::VerifyKey { user, key_id } => self.verify(user, key_id).await,
            Action::DeactivateOldKey { user, key_id } => {
                let clients = self.clients_for(acting()?).await?;
                self.call(Call::DeactivateKey)?;
                clients
                    .update_access_key_status(user, key_id, &AccessKeyStatus::Inactive)
                    .await?;
                Ok(ActionOutput::Completed)
            }
            Action::RestoreOldKey {
                old_key_id,
                new_key_id,
                ..
            } => {
                let secret = self.secret_for(old_key_id)?;
                self.write_key(old_key_id, &secret, new_key_id)?;
                Ok(ActionOutput::Completed)
            }
        }
    }

    /// `DeleteAccessKey`; a key already gone counts as deleted (a resumed run may repeat it).
    async fn delete_key(&self, acting: &Acting, user: &str, key_id: &str) -> Result<(), AwsError> {
        let clients = self.clients_for(acting).await?;
        self.call(Call::DeleteKey)?;
        match clients.delete_access_key(user, key_id).await {
            Err(error) if error.is_no_such_entity() => Ok(()),
            other => other,
        }
    }

    /// Creates the key and writes it at once into every profile holding the old key. If the
    /// write fails the key is deleted again, so no secret exists that nobody holds.
    async fn create_key(
        &self,
        acting: &Acting,
        user: &str,
        old_key_id: &str,
    ) -> Result<ActionOutput, AwsError> {
        // Keep the old secret in memory: a failed verification puts it back.
        self.secret_for(old_key_id)?;
        let clients = self.clients_for(acting).await?;
        self.call(Call::CreateKey)?;
        let key = clients.create_access_key(user).await?;
        self.state()
            .secrets
            .insert(key.access_key_id.clone(), key.secret_access_key.clone());
        match self.write_key(&key.access_key_id, &key.secret_access_key, old_key_id) {
            Ok(profiles) => Ok(ActionOutput::KeyCreated {
                key_id: key.access_key_id,
                profiles,
            }),
            Err(error) => {
                let cleanup = match self.call(Call::DeleteKey) {
                    Ok(()) => clients.delete_access_key(user, &key.access_key_id).await,
                    Err(error) => Err(error),
                };
                let fate = match cleanup {
                    Ok(()) => "the new key was deleted again".to_string(),
                    Err(e) => format!(
                        "the new key {} could not be deleted ({}); delete it in the IAM console",
                        key.access_key_id, e.message
                    ),
                };
                Err(local_error(
                    "write profiles",
                    format!("{}; {fate}", error.message),
                ))
            }
        }
    }

    /// Writes `key_id` into every profile that holds `replacing`, in one locked write, and
    /// drops a session token left beside the old key. Returns the profiles written.
    fn write_key(
        &self,
        key_id: &str,
        secret: &Secret,
        replacing: &str,
    ) -> Result<Vec<String>, AwsError> {
        self.call(Call::WriteProfiles)?;
        let to_error = |e: store::StoreError| local_error("write profiles", e.to_string());
        let paths = &self.runner.inner.paths;
        let loaded = store::load_both(paths).map_err(to_error)?;
        let set = loaded.reading();
        let key = CreatedKey {
            access_key_id: key_id.to_string(),
            secret_access_key: secret.clone(),
        };
        let holders: Vec<&crate::profiles::Profile> = set
            .profiles
            .values()
            .filter(|p| p.get("aws_access_key_id") == Some(replacing))
            .collect();
        if holders.is_empty() {
            return Err(local_error(
                "write profiles",
                format!("no profile holds key {replacing} any more"),
            ));
        }
        let edits: Vec<_> = holders
            .iter()
            .flat_map(|p| {
                profile_edits(
                    &p.name,
                    &key,
                    None,
                    None,
                    p.get("aws_session_token").is_some(),
                )
            })
            .collect();
        write_edits(paths, &edits).map_err(to_error)?;
        Ok(holders.iter().map(|p| p.name.to_string()).collect())
    }

    /// STS with the new key until it resolves to `user`, retrying while IAM propagates it.
    async fn verify(&self, user: &str, key_id: &str) -> Result<ActionOutput, AwsError> {
        let clients = self.clients_for(&Acting::Key(key_id.to_string())).await?;
        let identity = retry_with_backoff(self.runner.inner.verify, || {
            let allowed = self.call(Call::Verify);
            let clients = clients.clone();
            async move {
                allowed?;
                clients.caller_identity().await
            }
        })
        .await?;
        expect_user(&identity, user, &format!("the new key {key_id}"))?;
        Ok(ActionOutput::Verified { arn: identity.arn })
    }
}

/// The profiles as rotation sees them: names, kinds and key ids, no secrets.
pub fn local_profiles(set: &ProfileSet) -> Vec<LocalProfile> {
    set.profiles
        .values()
        .map(|p| LocalProfile {
            name: p.name.to_string(),
            kind: Kind::of(p),
            access_key_id: p
                .get("aws_access_key_id")
                .filter(|id| !id.is_empty())
                .map(str::to_string),
            key_file: p.settings.get("aws_access_key_id").map(|s| s.origin.file),
        })
        .collect()
}

/// Looks for `key_id`'s secret in the files as they are, then with either file's backup in its
/// place; `profile` is looked at first.
fn find_secret(paths: &crate::profiles::FilePaths, profile: &str, key_id: &str) -> Option<Secret> {
    let read = |path: &std::path::Path| -> Document {
        store::load(path)
            .map(|loaded| loaded.document)
            .unwrap_or_default()
    };
    let backup = |path: &std::path::Path| read(&backup_path(&resolve_symlinks(path)));
    let (config, credentials) = (read(&paths.config), read(&paths.credentials));
    let (config_backup, credentials_backup) = (backup(&paths.config), backup(&paths.credentials));
    let readings = [
        ProfileSet::read(&config, &credentials),
        ProfileSet::read(&config, &credentials_backup),
        ProfileSet::read(&config_backup, &credentials),
    ];
    readings.iter().find_map(|set| {
        let holds = |p: &&crate::profiles::Profile| p.get("aws_access_key_id") == Some(key_id);
        set.get(profile)
            .filter(holds)
            .into_iter()
            .chain(set.profiles.values().filter(holds))
            .find_map(|p| p.get("aws_secret_access_key").filter(|s| !s.is_empty()))
            .map(Secret::new)
    })
}
