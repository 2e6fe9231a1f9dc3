//! Key health: what `credwiz check` learns about each profile (who its credentials resolve to,
//! its key's age, status and last use, and what is wrong with it), and the cache of those results
//! in the state folder (`key-health.json`), which lets Home show key ages without calling AWS.
//!
//! Checks are read-only and run concurrently, at most `jobs` at a time. Profiles holding the same
//! key and secret are checked once.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};

use crate::aws::{AwsError, AwsErrorKind, CredentialSource, Endpoints, connect};
use crate::profiles::{FilePaths, Kind, ProfileSet};
use crate::secret::Secret;

/// Keys older than this many days are flagged.
pub const OLD_KEY_DAYS: i64 = 90;
/// How many profiles `credwiz check` checks at once by default.
pub const DEFAULT_JOBS: usize = 8;
/// The cache's file name in the state folder.
pub const CACHE_FILE: &str = "key-health.json";

/// The result of one profile's check. `Failed` makes `credwiz check` exit non-zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    /// It works, but something deserves attention (an old key, details IAM would not give).
    Warning,
    Failed,
    /// Nothing to check: the profile holds no credentials.
    Skipped,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// AWS does not accept the credentials (unknown, deleted or inactive key, wrong secret).
    DeadKey,
    /// The access key is older than [`OLD_KEY_DAYS`].
    OldKey,
    /// A session token sits beside a long-term key: the SDKs send both, and AWS refuses them.
    SessionTokenWithLongTermKey,
}

impl Flag {
    pub fn name(self) -> &'static str {
        match self {
            Flag::DeadKey => "dead key",
            Flag::OldKey => "old key",
            Flag::SessionTokenWithLongTermKey => "session token beside long-term key",
        }
    }
}

/// What a check found about one profile. Times are RFC 3339 in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyHealth {
    pub profile: String,
    pub kind: String,
    pub verdict: Verdict,
    #[serde(with = "timestamp")]
    pub checked_at: OffsetDateTime,
    pub account: Option<String>,
    pub arn: Option<String>,
    pub access_key_id: Option<String>,
    /// `Active` or `Inactive`, when IAM said.
    pub key_status: Option<String>,
    #[serde(with = "optional_timestamp")]
    pub key_created: Option<OffsetDateTime>,
    /// The key's age in whole days when it was checked.
    pub key_age_days: Option<i64>,
    #[serde(with = "optional_timestamp")]
    pub last_used: Option<OffsetDateTime>,
    pub last_used_service: Option<String>,
    pub flags: Vec<Flag>,
    /// What went wrong, or what IAM would not say.
    pub notes: Vec<String>,
}

impl KeyHealth {
    fn new(target: &Target, now: OffsetDateTime) -> KeyHealth {
        KeyHealth {
            profile: target.name.clone(),
            kind: target.kind.name().to_string(),
            verdict: Verdict::Ok,
            checked_at: now,
            account: None,
            arn: None,
            access_key_id: target.access_key_id.clone(),
            key_status: None,
            key_created: None,
            key_age_days: None,
            last_used: None,
            last_used_service: None,
            flags: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn fail(&mut self, note: String) {
        self.verdict = Verdict::Failed;
        self.notes.push(note);
    }

    fn warn(&mut self, note: String) {
        if self.verdict == Verdict::Ok {
            self.verdict = Verdict::Warning;
        }
        self.notes.push(note);
    }

    /// The key's age in whole days at `now`.
    pub fn age_days_at(&self, now: OffsetDateTime) -> Option<i64> {
        self.key_created.map(|created| (now - created).whole_days())
    }
}

/// A profile to check, as the files hold it.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub kind: Kind,
    pub access_key_id: Option<String>,
    secret: Option<Secret>,
    has_session_token: bool,
}

impl Target {
    /// The profiles named (in that order), all of them when `names` is empty.
    pub fn from_profiles(set: &ProfileSet, names: &[String]) -> Vec<Target> {
        let chosen: Vec<&crate::profiles::Profile> = if names.is_empty() {
            set.profiles.values().collect()
        } else {
            names.iter().filter_map(|n| set.get(n)).collect()
        };
        chosen
            .into_iter()
            .map(|p| Target {
                name: p.name.to_string(),
                kind: Kind::of(p),
                access_key_id: p
                    .get("aws_access_key_id")
                    .filter(|id| !id.is_empty())
                    .map(str::to_string),
                secret: p.get("aws_secret_access_key").map(Secret::new),
                has_session_token: p.get("aws_session_token").is_some_and(|t| !t.is_empty()),
            })
            .collect()
    }

    /// A long-term key (`AKIA...`) with a session token beside it.
    fn token_with_long_term_key(&self) -> bool {
        self.has_session_token
            && self
                .access_key_id
                .as_deref()
                .is_some_and(|id| id.starts_with("AKIA"))
    }

    /// Profiles with the same static key and secret answer alike; others are checked alone.
    fn same_credentials(&self, other: &Target) -> bool {
        self.kind == Kind::Static
            && other.kind == Kind::Static
            && self.access_key_id == other.access_key_id
            && self.secret == other.secret
    }
}

/// Checks every target, at most `jobs` at a time, and returns the results in target order.
pub async fn check_profiles(
    paths: &FilePaths,
    endpoints: &Endpoints,
    targets: &[Target],
    jobs: usize,
) -> Vec<KeyHealth> {
    let now = OffsetDateTime::now_utc();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (index, target) in targets.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|g| targets[g[0]].same_credentials(target))
        {
            Some(group) => group.push(index),
            None => groups.push(vec![index]),
        }
    }
    let checked: Vec<(Vec<usize>, KeyHealth)> = stream::iter(groups)
        .map(|group| async move {
            let health = check_one(paths, endpoints, &targets[group[0]], now).await;
            (group, health)
        })
        .buffer_unordered(jobs.max(1))
        .collect()
        .await;
    let mut results: Vec<Option<KeyHealth>> = vec![None; targets.len()];
    for (group, health) in checked {
        for index in group {
            let mut copy = health.clone();
            copy.profile = targets[index].name.clone();
            results[index] = Some(copy);
        }
    }
    results.into_iter().flatten().collect()
}

async fn check_one(
    paths: &FilePaths,
    endpoints: &Endpoints,
    target: &Target,
    now: OffsetDateTime,
) -> KeyHealth {
    let mut health = KeyHealth::new(target, now);
    if target.kind == Kind::ConfigOnly {
        health.verdict = Verdict::Skipped;
        health
            .notes
            .push("no credentials in this profile".to_string());
        return health;
    }
    if target.token_with_long_term_key() {
        health.flags.push(Flag::SessionTokenWithLongTermKey);
        health.fail(format!(
            "a session token sits beside the long-term key {}; AWS refuses the pair: remove it with `credwiz unset {} aws_session_token`",
            target.access_key_id.clone().unwrap_or_default(),
            target.name
        ));
    }
    let source = CredentialSource::Profile(target.name.clone());
    let identity = match connect(&source, endpoints, paths, None).await {
        Ok(clients) => clients
            .caller_identity()
            .await
            .map(|identity| (clients, identity)),
        Err(error) => Err(error),
    };
    let (clients, identity) = match identity {
        Ok(found) => found,
        Err(error) => {
            if error.kind == AwsErrorKind::InvalidCredentials {
                health.flags.push(Flag::DeadKey);
            }
            health.fail(error.to_string());
            return health;
        }
    };
    health.account = Some(identity.account.clone());
    health.arn = Some(identity.arn.clone());
    let (Kind::Static, Some(key_id), Some(user)) = (
        target.kind,
        target.access_key_id.as_deref(),
        identity.user_name(),
    ) else {
        return health;
    };
    let (keys, used) = tokio::join!(
        clients.list_access_keys(user),
        clients.get_access_key_last_used(key_id)
    );
    match keys {
        Ok(keys) => match keys.into_iter().find(|k| k.access_key_id == key_id) {
            Some(key) => {
                health.key_status = Some(key.status.to_string());
                health.key_created = key.create_date;
                health.key_age_days = health.age_days_at(now);
                if key.status.as_str() == "Inactive" {
                    health.flags.push(Flag::DeadKey);
                    health.fail(format!("the key {key_id} is Inactive"));
                }
            }
            None => health.warn(format!("IAM does not list {key_id} among {user}'s keys")),
        },
        Err(error) => health.warn(iam_note(&error, "its age")),
    }
    match used {
        Ok(used) => {
            health.last_used = used.last_used;
            health.last_used_service = used.service_name;
        }
        Err(error) => health.warn(iam_note(&error, "its last use")),
    }
    if health.key_age_days.is_some_and(|days| days > OLD_KEY_DAYS) {
        health.flags.push(Flag::OldKey);
        health.warn(format!(
            "the key is over {OLD_KEY_DAYS} days old: rotate it with `credwiz rotate {}`",
            target.name
        ));
    }
    health
}

/// Says what IAM would not tell, and why.
fn iam_note(error: &AwsError, what: &str) -> String {
    match &error.kind {
        AwsErrorKind::AccessDenied { action } => format!(
            "IAM does not allow {} with this key, so {what} is unknown",
            action.as_deref().unwrap_or(error.operation)
        ),
        _ => format!("{what} is unknown: {}", error.message),
    }
}

/// The results of earlier checks, by profile, as kept in the state folder.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCache {
    #[serde(default)]
    pub profiles: BTreeMap<String, KeyHealth>,
}

impl HealthCache {
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join(CACHE_FILE)
    }

    /// The cache in `state_dir` (see [`crate::journal::state_dir`]); empty when there is none
    /// or it cannot be read.
    pub fn load(state_dir: &Path) -> HealthCache {
        fs::read(HealthCache::path(state_dir))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn get(&self, profile: &str) -> Option<&KeyHealth> {
        self.profiles.get(profile)
    }

    /// The age in days, at `now`, of the key `profile` holds, if the cache knows that same key.
    /// A cached entry for another key (the profile was rotated or edited since) does not count.
    pub fn key_age_days(
        &self,
        profile: &str,
        access_key_id: &str,
        now: OffsetDateTime,
    ) -> Option<i64> {
        self.get(profile)
            .filter(|h| h.access_key_id.as_deref() == Some(access_key_id))
            .and_then(|h| h.age_days_at(now))
    }

    /// Keeps the newest result for each profile checked.
    pub fn record(&mut self, results: &[KeyHealth]) {
        for health in results {
            self.profiles.insert(health.profile.clone(), health.clone());
        }
    }

    /// After a rotation: `profile` now holds `key_id`, created at `created`.
    pub fn note_new_key(&mut self, profile: &str, key_id: &str, created: OffsetDateTime) {
        let entry = self
            .profiles
            .entry(profile.to_string())
            .or_insert_with(|| KeyHealth {
                profile: profile.to_string(),
                kind: Kind::Static.name().to_string(),
                verdict: Verdict::Ok,
                checked_at: created,
                account: None,
                arn: None,
                access_key_id: None,
                key_status: None,
                key_created: None,
                key_age_days: None,
                last_used: None,
                last_used_service: None,
                flags: Vec::new(),
                notes: Vec::new(),
            });
        entry.verdict = Verdict::Ok;
        entry.checked_at = created;
        entry.access_key_id = Some(key_id.to_string());
        entry.key_status = Some("Active".to_string());
        entry.key_created = Some(created);
        entry.key_age_days = Some(0);
        entry.last_used = None;
        entry.last_used_service = None;
        entry.flags.clear();
        entry.notes.clear();
    }

    /// Writes the cache atomically, 0600 in a 0700 folder.
    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(state_dir)?;
        let mut temporary = tempfile::Builder::new()
            .permissions(fs::Permissions::from_mode(0o600))
            .tempfile_in(state_dir)?;
        temporary.write_all(serde_json::to_string_pretty(self)?.as_bytes())?;
        temporary.as_file().sync_all()?;
        temporary
            .persist(HealthCache::path(state_dir))
            .map_err(|e| e.error)?;
        Ok(())
    }
}

/// `2026-01-31T12:00:00Z`: a time in UTC, to the second.
pub fn rfc3339(time: OffsetDateTime) -> String {
    let t = time.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn parse_rfc3339<E: serde::de::Error>(text: &str) -> Result<OffsetDateTime, E> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| E::custom(format!("`{text}` is not an RFC 3339 time: {e}")))
}

mod timestamp {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(time: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*time))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        super::parse_rfc3339(&String::deserialize(d)?)
    }
}

mod optional_timestamp {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(
        time: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => s.serialize_str(&super::rfc3339(*time)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| super::parse_rfc3339(&text))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    /// 2026-01-01T00:00:00Z.
    fn new_year() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap()
    }

    fn health(key: &str, created: OffsetDateTime) -> KeyHealth {
        let mut cache = HealthCache::default();
        cache.note_new_key("p", key, created);
        cache.profiles.remove("p").unwrap()
    }

    #[test]
    fn the_cache_round_trips_and_ages_only_the_same_key() {
        let folder = tempfile::tempdir().unwrap();
        let created = new_year();
        let mut cache = HealthCache::default();
        cache.record(&[health("AKIAOLD", created)]);
        cache.save(folder.path()).unwrap();
        let mode = fs::metadata(HealthCache::path(folder.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let loaded = HealthCache::load(folder.path());
        assert_eq!(loaded, cache);
        let later = created + Duration::days(100) + Duration::hours(12);
        assert_eq!(loaded.key_age_days("p", "AKIAOLD", later), Some(100));
        assert_eq!(loaded.key_age_days("p", "AKIANEW", later), None);
        assert_eq!(loaded.key_age_days("q", "AKIAOLD", later), None);
    }

    #[test]
    fn a_missing_or_broken_cache_reads_as_empty() {
        let folder = tempfile::tempdir().unwrap();
        assert_eq!(HealthCache::load(folder.path()), HealthCache::default());
        fs::write(HealthCache::path(folder.path()), "{not json").unwrap();
        assert_eq!(HealthCache::load(folder.path()), HealthCache::default());
    }

    #[test]
    fn times_are_rfc3339_in_utc() {
        let two_hours_east = UtcOffset::from_hms(2, 0, 0).unwrap();
        let time = OffsetDateTime::from_unix_timestamp(1_772_593_567).unwrap();
        assert_eq!(
            rfc3339(time.to_offset(two_hours_east)),
            "2026-03-04T03:06:07Z"
        );
        let parsed: OffsetDateTime =
            parse_rfc3339::<serde_json::Error>("2026-03-04T05:06:07+02:00").unwrap();
        assert_eq!(parsed, time);
    }

    #[test]
    fn only_long_term_keys_with_a_token_are_flagged() {
        let config = crate::profiles::Document::parse("").unwrap();
        let credentials = crate::profiles::Document::parse(
            "[bad]\naws_access_key_id = AKIAX\naws_secret_access_key = s\naws_session_token = t\n[sts]\naws_access_key_id = ASIAX\naws_secret_access_key = s\naws_session_token = t\n",
        )
        .unwrap();
        let set = ProfileSet::read(&config, &credentials);
        let targets = Target::from_profiles(&set, &[]);
        assert!(targets[0].token_with_long_term_key());
        assert!(!targets[1].token_with_long_term_key());
    }
}
