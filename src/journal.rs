//! The journal of a run's remote steps (setup or rotation), kept in the state folder.
//!
//! A run writes its plan before the first remote call and records each action as it completes,
//! so an interrupted run (Ctrl-C, crash, failure) can be resumed or rolled back. Journals hold
//! key ids but never secrets. Each update replaces the file atomically. The action type is the
//! flow's own (`setup::Action`, ...), and `kind` keeps each flow's journals apart.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The state folder: `CREDWIZ_STATE_DIR`, else the platform's state (or data) folder.
pub fn state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CREDWIZ_STATE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("credwiz")
}

/// One completed action, with the facts needed to undo it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completed<A> {
    #[serde(flatten)]
    pub action: A,
    /// For a created key: its id (never its secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_key_id: Option<String>,
    /// For a written profile: whether it existed before the run.
    #[serde(default)]
    pub profile_existed: bool,
    /// For an attachment or membership: whether it was already there, so undoing must not
    /// remove it.
    #[serde(default)]
    pub already_present: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal<A> {
    /// Which flow wrote it, such as `setup` or `rotate`; also the file name's prefix.
    pub kind: String,
    /// The profile whose credentials the run acted with, if it was a profile.
    pub source_profile: Option<String>,
    pub plan: Vec<A>,
    pub completed: Vec<Completed<A>>,
    pub finished: bool,
    #[serde(skip)]
    pub path: PathBuf,
}

impl<A: Serialize + DeserializeOwned + Clone> Journal<A> {
    /// Starts a journal for a new run of the `kind` flow.
    pub fn create(
        folder: &Path,
        kind: &str,
        source_profile: Option<String>,
        plan: Vec<A>,
    ) -> std::io::Result<Journal<A>> {
        let name = format!(
            "{kind}-{}-{}.json",
            time::OffsetDateTime::now_utc().unix_timestamp_nanos(),
            std::process::id()
        );
        let journal = Journal {
            kind: kind.to_string(),
            source_profile,
            plan,
            completed: Vec::new(),
            finished: false,
            path: folder.join("journal").join(name),
        };
        journal.save()?;
        Ok(journal)
    }

    pub fn load(path: &Path) -> std::io::Result<Journal<A>> {
        let text = fs::read_to_string(path)?;
        let mut journal: Journal<A> = serde_json::from_str(&text).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })?;
        journal.path = path.to_path_buf();
        Ok(journal)
    }

    /// The newest journal of an unfinished `kind` run, if any.
    pub fn latest_unfinished(folder: &Path, kind: &str) -> Option<Journal<A>> {
        let prefix = format!("{kind}-");
        let mut paths: Vec<PathBuf> = fs::read_dir(folder.join("journal"))
            .ok()?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix))
            })
            .collect();
        paths.sort();
        paths
            .iter()
            .rev()
            .filter_map(|p| Journal::load(p).ok())
            .find(|j| !j.finished)
    }

    pub fn record(&mut self, completed: Completed<A>) -> std::io::Result<()> {
        self.completed.push(completed);
        self.save()
    }

    pub fn finish(&mut self) -> std::io::Result<()> {
        self.finished = true;
        self.save()
    }

    pub fn done_actions(&self) -> Vec<A> {
        self.completed.iter().map(|c| c.action.clone()).collect()
    }

    /// Writes the journal atomically, 0600 in a 0700 folder.
    fn save(&self) -> std::io::Result<()> {
        let folder = self.path.parent().expect("journal paths have a folder");
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)?;
        let mut temporary = tempfile::Builder::new()
            .permissions(fs::Permissions::from_mode(0o600))
            .tempfile_in(folder)?;
        temporary.write_all(serde_json::to_string_pretty(self)?.as_bytes())?;
        temporary.as_file().sync_all()?;
        temporary.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::setup::Action;

    #[test]
    fn a_journal_survives_a_round_trip_and_finds_the_unfinished_run() {
        let folder = tempfile::tempdir().unwrap();
        let plan = vec![Action::CreateUser { user: "u".into() }];
        let mut journal =
            Journal::create(folder.path(), "setup", Some("admin".into()), plan).unwrap();
        journal
            .record(Completed {
                action: Action::CreateUser { user: "u".into() },
                created_key_id: None,
                profile_existed: false,
                already_present: false,
            })
            .unwrap();
        let found = Journal::latest_unfinished(folder.path(), "setup").unwrap();
        assert_eq!(found, journal);
        assert!(Journal::<Action>::latest_unfinished(folder.path(), "rotate").is_none());
        let mode = fs::metadata(&journal.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        journal.finish().unwrap();
        assert!(Journal::<Action>::latest_unfinished(folder.path(), "setup").is_none());
    }
}
