//! Reading the two files from disk and writing them safely.
//!
//! A write takes an advisory lock on the file's folder, re-reads the file under that lock and
//! applies the edit to what is there now. It writes a temporary file in the same folder, fsyncs
//! it, keeps the previous version as one 0600 backup, renames the new file over the target and
//! fsyncs the folder. A symlinked target stays a symlink. New files are 0600, a new folder 0700,
//! and a looser file is tightened with a warning. Afterwards the file is read back and the SDK
//! reading must be what the edit intended. A file that does not parse is never written.

use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::document::{Document, ParseError, Repair};
use super::edit::{Changes, Edit, EditError, Reading, plain_reading};
use super::reading::{FileKind, ProfileSet};

/// Where the two files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePaths {
    pub config: PathBuf,
    pub credentials: PathBuf,
}

impl FilePaths {
    pub fn path(&self, file: FileKind) -> &Path {
        match file {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        }
    }
}

/// A file problem, naming the file and, where a line is at fault, the line.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}:{line}: {message}{}", repair_hint(*.repair))]
    Unreadable {
        path: PathBuf,
        line: usize,
        message: String,
        repair: Option<Repair>,
    },
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{0}")]
    Edit(#[from] EditError),
    #[error(
        "{paths}: after writing, the files do not read back as intended ({detail}); each file's previous version is beside it as <file>.credwiz-backup"
    )]
    Verification { paths: String, detail: String },
}

fn repair_hint(repair: Option<Repair>) -> String {
    repair
        .map(|r| format!(" (to fix it, run `{}`)", r.command()))
        .unwrap_or_default()
}

impl StoreError {
    fn io(path: &Path, error: io::Error) -> StoreError {
        let message = match error.kind() {
            io::ErrorKind::PermissionDenied => {
                format!("permission denied ({error}); is the file or its folder read-only?")
            }
            io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_string(),
            io::ErrorKind::StorageFull => "the disk is full".to_string(),
            _ => error.to_string(),
        };
        StoreError::Io {
            path: path.to_path_buf(),
            message,
        }
    }

    fn unreadable(path: &Path, error: ParseError) -> StoreError {
        StoreError::Unreadable {
            path: path.to_path_buf(),
            line: error.line,
            message: error.message,
            repair: error.repair,
        }
    }
}

/// One file as read from disk.
#[derive(Clone, Debug)]
pub struct LoadedFile {
    pub path: PathBuf,
    /// False when the file does not exist (it reads as empty, as the SDKs treat it).
    pub exists: bool,
    pub document: Document,
    /// The mode bits, when the file exists.
    pub mode: Option<u32>,
}

impl LoadedFile {
    /// True when users other than the owner may read or write it.
    pub fn is_readable_by_others(&self) -> bool {
        self.mode.is_some_and(|mode| mode & 0o077 != 0)
    }
}

/// Reads one file. A missing file or folder reads as empty.
pub fn load(path: &Path) -> Result<LoadedFile, StoreError> {
    match fs::read(path) {
        Ok(bytes) => {
            let mode = fs::metadata(path).ok().map(|m| m.permissions().mode());
            let document =
                Document::parse_bytes(bytes).map_err(|e| StoreError::unreadable(path, e))?;
            Ok(LoadedFile {
                path: path.to_path_buf(),
                exists: true,
                document,
                mode,
            })
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(LoadedFile {
            path: path.to_path_buf(),
            exists: false,
            document: Document::default(),
            mode: None,
        }),
        Err(error) if error.kind() == io::ErrorKind::IsADirectory => Err(StoreError::Io {
            path: path.to_path_buf(),
            message: "this is a folder, not a file".to_string(),
        }),
        Err(error) => Err(StoreError::io(path, error)),
    }
}

/// Both files, read.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub config: LoadedFile,
    pub credentials: LoadedFile,
}

impl Loaded {
    pub fn reading(&self) -> ProfileSet<'_> {
        ProfileSet::read(&self.config.document, &self.credentials.document)
    }

    /// The reading of just these profiles.
    pub fn reading_of(&self, names: &[&str]) -> ProfileSet<'_> {
        ProfileSet::read_profiles(&self.config.document, &self.credentials.document, names)
    }

    pub fn file(&self, file: FileKind) -> &LoadedFile {
        match file {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        }
    }
}

pub fn load_both(paths: &FilePaths) -> Result<Loaded, StoreError> {
    Ok(Loaded {
        config: load(&paths.config)?,
        credentials: load(&paths.credentials)?,
    })
}

/// What a write did, for the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// The files written (their real paths, after following symlinks).
    pub written: Vec<PathBuf>,
    pub warnings: Vec<String>,
}

/// Applies `edits`, in order, to both files under their locks, writes what changed, and verifies
/// that the files now read as intended. Either every edit is valid or nothing is written.
pub fn write_edits(paths: &FilePaths, edits: &[Edit]) -> Result<WriteReport, StoreError> {
    for edit in edits {
        edit.validate()?;
    }
    let targets = [
        (FileKind::Config, resolve_symlinks(&paths.config)),
        (FileKind::Credentials, resolve_symlinks(&paths.credentials)),
    ];
    let _locks = lock_folders(targets.iter().map(|(_, path)| path.as_path()))?;
    let mut config = load(&targets[0].1)?.document;
    let mut credentials = load(&targets[1].1)?.document;
    let mut expected = scoped_reading(&config, &credentials, edits);
    let mut changed = Changes::default();
    for edit in edits {
        let changes = edit.apply(&config, &credentials)?;
        expected = edit.expected_reading(&expected);
        if let Some(text) = changes.config {
            config = reparse(&targets[0].1, &text)?;
            changed.config = Some(text);
        }
        if let Some(text) = changes.credentials {
            credentials = reparse(&targets[1].1, &text)?;
            changed.credentials = Some(text);
        }
    }
    let intended = scoped_reading(&config, &credentials, edits);
    if intended != expected {
        return Err(verification_error(
            &targets,
            &expected,
            &intended,
            "nothing was written",
        ));
    }
    let mut report = WriteReport::default();
    for (file, target) in &targets {
        if let Some(text) = changed.for_file(*file) {
            write_atomically(target, text.as_bytes(), &mut report)?;
            let on_disk = fs::read(target).map_err(|e| StoreError::io(target, e))?;
            if on_disk != text.as_bytes() {
                return Err(StoreError::Verification {
                    paths: target.display().to_string(),
                    detail: "the file on disk differs from what was written".to_string(),
                });
            }
        }
    }
    Ok(report)
}

/// The SDK reading of the profiles `edits` touch (of everything, for a rename, which also
/// changes `source_profile` references elsewhere).
fn scoped_reading(config: &Document, credentials: &Document, edits: &[Edit]) -> Reading {
    if edits.iter().any(|edit| matches!(edit, Edit::Rename { .. })) {
        return plain_reading(&ProfileSet::read(config, credentials));
    }
    let names: Vec<&str> = edits.iter().flat_map(Edit::profiles).collect();
    plain_reading(&ProfileSet::read_profiles(config, credentials, &names))
}

fn verification_error(
    targets: &[(FileKind, PathBuf); 2],
    expected: &Reading,
    actual: &Reading,
    outcome: &str,
) -> StoreError {
    let differing = expected
        .keys()
        .chain(actual.keys())
        .find(|name| expected.get(*name) != actual.get(*name))
        .cloned()
        .unwrap_or_default();
    let paths: Vec<String> = targets
        .iter()
        .map(|(_, path)| path.display().to_string())
        .collect();
    StoreError::Verification {
        paths: paths.join(" and "),
        detail: format!("[{differing}] would not read as intended; {outcome}"),
    }
}

/// Parses text an edit produced; a failure here is a credwiz bug, reported rather than written.
fn reparse(path: &Path, text: &str) -> Result<Document, StoreError> {
    Document::parse(text).map_err(|e| StoreError::unreadable(path, e))
}

/// Removes a byte-order mark from the start of a file, the one repair credwiz makes to a file it
/// cannot parse. Returns false when there was none.
pub fn strip_byte_order_mark(path: &Path) -> Result<(bool, WriteReport), StoreError> {
    let target = resolve_symlinks(path);
    let _lock = lock_folders([target.as_path()])?;
    let bytes = fs::read(&target).map_err(|e| StoreError::io(&target, e))?;
    let mut report = WriteReport::default();
    let Some(rest) = bytes.strip_prefix("\u{feff}".as_bytes()) else {
        return Ok((false, report));
    };
    write_atomically(&target, rest, &mut report)?;
    Ok((true, report))
}

/// Follows a chain of symlinks to the file that will actually be written.
pub fn resolve_symlinks(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::read_link(&current) {
            Ok(target) => {
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            Err(_) => break,
        }
    }
    current
}

pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".credwiz-backup");
    path.with_file_name(name)
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Creates the folder (0700) if it is missing but its parent exists, as a new `~/.aws` is.
fn ensure_folder(folder: &Path) -> Result<(), StoreError> {
    if folder.is_dir() {
        return Ok(());
    }
    if folder.exists() {
        return Err(StoreError::Io {
            path: folder.to_path_buf(),
            message: "this is a file, not a folder".to_string(),
        });
    }
    let parent_exists = folder
        .parent()
        .is_none_or(|p| p.as_os_str().is_empty() || p.is_dir());
    if !parent_exists {
        return Err(StoreError::Io {
            path: folder.to_path_buf(),
            message: "the folder does not exist, nor does its parent".to_string(),
        });
    }
    fs::DirBuilder::new()
        .mode(0o700)
        .create(folder)
        .map_err(|e| StoreError::io(folder, e))
}

/// Exclusive advisory locks on each distinct folder, taken in a fixed order.
/// Folders are compared by their canonical path, so one folder named two ways (relative and
/// absolute, through `..` or a symlink) is locked once. Under the lock, temporary files left by
/// a writer that was killed are removed: every credwiz writer makes them only while locked.
fn lock_folders<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Result<Vec<File>, StoreError> {
    let mut folders = Vec::new();
    for folder in paths.into_iter().map(folder_of) {
        ensure_folder(&folder)?;
        folders.push(fs::canonicalize(&folder).map_err(|e| StoreError::io(&folder, e))?);
    }
    folders.sort();
    folders.dedup();
    folders
        .into_iter()
        .map(|folder| {
            let handle = File::open(&folder).map_err(|e| StoreError::io(&folder, e))?;
            handle.lock().map_err(|e| StoreError::io(&folder, e))?;
            remove_stale_temporaries(&folder);
            Ok(handle)
        })
        .collect()
}

const TEMPORARY_PREFIX: &str = ".credwiz-";

fn remove_stale_temporaries(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let is_temporary = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(TEMPORARY_PREFIX));
        if is_temporary && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes `bytes` to a 0600 temporary file beside `path`, syncs it and renames it over `path`.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let folder = folder_of(path);
    let mut temporary = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(&folder)
        .map_err(|e| StoreError::io(&folder, e))?;
    temporary
        .write_all(bytes)
        .and_then(|_| temporary.as_file().sync_all())
        .map_err(|e| StoreError::io(path, e))?;
    temporary
        .persist(path)
        .map_err(|e| StoreError::io(path, e.error))?;
    File::open(&folder)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io(&folder, e))
}

/// Keeps the current file as `<file>.credwiz-backup` (0600): a hard link to it when the file
/// system allows, so nothing is read or copied; otherwise a copy.
fn keep_backup(path: &Path) -> Result<(), StoreError> {
    let backup = backup_path(path);
    let link = folder_of(path).join(format!("{TEMPORARY_PREFIX}backup-{}", std::process::id()));
    let _ = fs::remove_file(&link);
    let linked = fs::hard_link(path, &link)
        .and_then(|_| fs::set_permissions(&link, fs::Permissions::from_mode(0o600)))
        .and_then(|_| fs::rename(&link, &backup));
    if linked.is_err() {
        let _ = fs::remove_file(&link);
        let previous = fs::read(path).map_err(|e| StoreError::io(path, e))?;
        replace_file(&backup, &previous)?;
    }
    Ok(())
}

fn write_atomically(path: &Path, bytes: &[u8], report: &mut WriteReport) -> Result<(), StoreError> {
    match fs::metadata(path) {
        Ok(metadata) => {
            let mode = metadata.permissions().mode();
            if mode & 0o077 != 0 {
                report.warnings.push(format!(
                    "{} was readable by others (mode {:o}); it is now 0600",
                    path.display(),
                    mode & 0o777
                ));
            }
            keep_backup(path)?;
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(StoreError::io(path, error)),
    }
    replace_file(path, bytes)?;
    report.written.push(path.to_path_buf());
    Ok(())
}
