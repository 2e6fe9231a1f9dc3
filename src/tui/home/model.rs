//! Home's state and its pure `update`: messages in, effects out. Nothing here touches files or
//! the terminal; the loop in `home/mod.rs` performs the effects and reports back.

use std::cmp::Ordering;
use std::path::PathBuf;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use time::OffsetDateTime;
use tui_input::{Input, InputRequest};

use super::view;
use crate::key_health::{HealthCache, OLD_KEY_DAYS};
use crate::profiles::document::Document;
use crate::profiles::edit::SECRET_KEYS;
use crate::profiles::formats::{
    KeyMaterial, check_access_key_id, check_secret_access_key, to_datarobot, to_env_lines,
    to_pharmer,
};
use crate::profiles::reading::is_valid_identifier;
use crate::profiles::store::LoadedFile;
use crate::profiles::{Edit, FileKind, Kind, ProfileSet, Repair, StoreError};
use crate::runner::unified_diff;
use crate::secret::Secret;
use crate::tui::secret_input::SecretInput;

/// What Home asks its caller to do when it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HomeExit {
    /// The user quit.
    Quit,
    /// Run the setup wizard, then open Home again.
    Setup,
    /// Rotate this profile's key (`credwiz rotate NAME`), then open Home again.
    Rotate { profile: String },
    /// Check these profiles (`credwiz check NAME...`), then open Home again.
    Check { profiles: Vec<String> },
}

/// The two files as the loop read them: each one read, or the reason it could not be.
#[derive(Debug)]
pub struct Files {
    pub config: Result<LoadedFile, StoreError>,
    pub credentials: Result<LoadedFile, StoreError>,
}

/// Everything a key or the mouse can ask of Home.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    /// Scroll the details pane of a long profile.
    DetailsUp,
    DetailsDown,
    StartFilter,
    AcceptFilter,
    ClearFilter,
    Sort,
    Reveal,
    Edit,
    Rename,
    Delete,
    Export,
    Import,
    ImportFromEnvironment,
    ImportFromFile,
    Repair,
    Reload,
    NewSetup,
    Rotate,
    Check,
    Help,
    NextField,
    PreviousField,
    AddRow,
    NextFormat,
    PreviousFormat,
    /// From the export: ask for a file to write it to.
    ExportToFile,
    Submit,
    Confirm,
    Cancel,
    Quit,
}

#[derive(Debug)]
pub enum Msg {
    Intent(Intent),
    /// A key for the focused text field.
    Edit(InputRequest),
    /// Pasted text (perhaps a key), for the focused text field.
    Paste(Secret),
    Click {
        column: u16,
        row: u16,
    },
    Scroll {
        down: bool,
        column: u16,
        row: u16,
    },
    Resize {
        width: u16,
        height: u16,
    },
    /// A write finished: the files written, or the error.
    Written(Result<Vec<PathBuf>, String>),
    /// The files as read again.
    Loaded(Box<Files>),
    /// A key file read for the import form: its keys, or why not.
    KeyFile(Result<KeyMaterial, String>),
    /// An export written to a new file: its path, or why not.
    Exported(Result<PathBuf, String>),
}

/// What the loop must do for the model.
#[derive(Debug)]
pub enum Effect {
    /// Write these edits through `store::write_edits`, then report `Written` and `Loaded`.
    Write(Vec<Edit>),
    /// Strip the byte-order mark of this file, then report `Written` and `Loaded`.
    StripByteOrderMark(PathBuf),
    /// Read both files again and report `Loaded`.
    Reload,
    /// Put this text on the terminal's clipboard (OSC 52).
    Copy(Secret),
    /// Read a key file (`add --from-file` formats) and report `KeyFile`.
    ReadKeyFile(PathBuf),
    /// Create `path` as a new file (mode 0600, never over an existing file), write `text` to it
    /// and report `Exported`.
    WriteFile { path: PathBuf, text: Secret },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Kind,
    Region,
    Age,
}

impl SortKey {
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Kind => "kind",
            SortKey::Region => "region",
            SortKey::Age => "key age",
        }
    }

    fn next(self) -> SortKey {
        match self {
            SortKey::Name => SortKey::Kind,
            SortKey::Kind => SortKey::Region,
            SortKey::Region => SortKey::Age,
            SortKey::Age => SortKey::Name,
        }
    }
}

/// One profile as the list shows it.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    pub kind: Kind,
    pub region: Option<String>,
    pub age_days: Option<i64>,
    /// Anything in the details' warnings: the list marks the row with ⚠.
    pub warned: bool,
}

/// A file that could not be read: where, why, and the repair credwiz offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
    pub repair: Option<Repair>,
}

impl FileProblem {
    fn of(error: &StoreError, fallback: &std::path::Path) -> FileProblem {
        match error {
            StoreError::Unreadable {
                path,
                line,
                message,
                repair,
            } => FileProblem {
                path: path.clone(),
                line: Some(*line),
                message: message.clone(),
                repair: *repair,
            },
            StoreError::Io { path, message } => FileProblem {
                path: path.clone(),
                line: None,
                message: message.clone(),
                repair: None,
            },
            other => FileProblem {
                path: fallback.to_path_buf(),
                line: None,
                message: other.to_string(),
                repair: None,
            },
        }
    }

    /// `path:line: message`.
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// A line of the status bar: what the last action did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub ok: bool,
    pub text: String,
}

/// The edit form: region and output, then free `key = value` rows.
#[derive(Debug)]
pub struct EditForm {
    pub profile: String,
    pub region: Input,
    pub output: Input,
    pub rows: Vec<(Input, Input)>,
    original_region: Option<String>,
    original_output: Option<String>,
    /// The key and value each original row started with.
    original_rows: Vec<(String, String)>,
    /// Which field has focus: 0 region, 1 output, then key and value of each row.
    pub focus: usize,
}

pub const OUTPUT_FORMATS: &[&str] = &["json", "yaml", "yaml-stream", "text", "table"];

impl EditForm {
    fn new(profile: &crate::profiles::Profile) -> EditForm {
        let setting = |key: &str| profile.get(key).map(str::to_string);
        let original_rows: Vec<(String, String)> = profile
            .settings
            .iter()
            .filter(|(key, _)| {
                !matches!(*key, "region" | "output")
                    && !SECRET_KEYS.contains(key)
                    && *key != "aws_access_key_id"
            })
            .map(|(key, setting)| (key.to_string(), setting.value.to_string()))
            .collect();
        let mut rows: Vec<(Input, Input)> = original_rows
            .iter()
            .map(|(k, v)| (Input::new(k.clone()), Input::new(v.clone())))
            .collect();
        rows.push((Input::default(), Input::default()));
        EditForm {
            profile: profile.name.to_string(),
            region: Input::new(setting("region").unwrap_or_default()),
            output: Input::new(setting("output").unwrap_or_default()),
            rows,
            original_region: setting("region"),
            original_output: setting("output"),
            original_rows,
            focus: 0,
        }
    }

    pub fn field_count(&self) -> usize {
        2 + 2 * self.rows.len()
    }

    fn focused_input(&mut self) -> &mut Input {
        match self.focus {
            0 => &mut self.region,
            1 => &mut self.output,
            n => {
                let (key, value) = &mut self.rows[(n - 2) / 2];
                if n % 2 == 0 { key } else { value }
            }
        }
    }

    /// The problem with each field, by field index, for the form to show under it.
    pub fn errors(&self) -> Vec<(usize, String)> {
        let mut errors = Vec::new();
        let region = self.region.value();
        if !region.is_empty() && !looks_like_region(region) {
            errors.push((0, "a region looks like us-east-1".to_string()));
        }
        let output = self.output.value();
        if !output.is_empty() && !OUTPUT_FORMATS.contains(&output) {
            errors.push((1, format!("output is one of {}", OUTPUT_FORMATS.join(", "))));
        }
        let mut seen: Vec<&str> = Vec::new();
        for (index, (key, value)) in self.rows.iter().enumerate() {
            let (key, value) = (key.value(), value.value());
            let field = 2 + 2 * index;
            if key.is_empty() {
                // An original row with its key cleared is a removal.
                if !value.is_empty() && index >= self.original_rows.len() {
                    errors.push((field, "name the key for this value".to_string()));
                }
                continue;
            }
            if !is_valid_identifier(key) {
                errors.push((
                    field,
                    "a key uses only letters, digits and - / . % @ _ : +".to_string(),
                ));
            } else if matches!(key, "region" | "output") {
                errors.push((field, format!("use the {key} field above")));
            } else if key == "aws_access_key_id" || SECRET_KEYS.contains(&key) {
                errors.push((
                    field,
                    "keys are changed by rotate (r), not here".to_string(),
                ));
            } else if seen.contains(&key) {
                errors.push((field, format!("`{key}` appears twice")));
            }
            seen.push(key);
            let set = Edit::Set {
                profile: self.profile.clone(),
                key: key.to_string(),
                value: value.to_string(),
            };
            if let Err(error) = set.validate() {
                errors.push((field + 1, error.to_string()));
            }
        }
        errors
    }

    /// The edits that turn the profile into what the form says.
    pub fn edits(&self) -> Vec<Edit> {
        let profile = &self.profile;
        let set = |key: &str, value: &str| Edit::Set {
            profile: profile.clone(),
            key: key.to_string(),
            value: value.to_string(),
        };
        let unset = |key: &str| Edit::Unset {
            profile: profile.clone(),
            key: key.to_string(),
        };
        let mut edits = Vec::new();
        for (key, input, original) in [
            ("region", &self.region, &self.original_region),
            ("output", &self.output, &self.original_output),
        ] {
            let value = input.value();
            match original {
                Some(_) if value.is_empty() => edits.push(unset(key)),
                Some(old) if old == value => {}
                _ if value.is_empty() => {}
                _ => edits.push(set(key, value)),
            }
        }
        let kept: Vec<&str> = self
            .rows
            .iter()
            .map(|(k, _)| k.value())
            .filter(|k| !k.is_empty())
            .collect();
        for (old_key, _) in &self.original_rows {
            if !kept.contains(&old_key.as_str()) {
                edits.push(unset(old_key));
            }
        }
        for (key, value) in &self.rows {
            let (key, value) = (key.value(), value.value());
            if key.is_empty() {
                continue;
            }
            let original = self
                .original_rows
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str());
            if original != Some(value) {
                edits.push(set(key, value));
            }
        }
        edits
    }
}

fn looks_like_region(region: &str) -> bool {
    region
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && region.contains('-')
        && region
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase())
        && region.bytes().last().is_some_and(|b| b.is_ascii_digit())
}

/// The import form: the `add` sources. Keys are typed or pasted (secrets masked), taken from
/// the environment Home started in, or read from a key file.
pub struct ImportForm {
    /// Name, key id, secret, session token, region, key file (all wiped when dropped: the
    /// secret and token are, and keys are easily pasted into the wrong field).
    pub fields: [SecretInput; 6],
    pub focus: usize,
    pub file_error: Option<String>,
}

impl std::fmt::Debug for ImportForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportForm")
            .field("name", &self.fields[0].value())
            .field("focus", &self.focus)
            .finish_non_exhaustive()
    }
}

pub const IMPORT_LABELS: [&str; 6] = [
    "Profile name",
    "Access key id",
    "Secret key",
    "Session token",
    "Region",
    "Key file",
];

/// Fields of the import form whose values are secrets, shown masked.
pub const IMPORT_SECRET_FIELDS: [usize; 2] = [2, 3];

impl ImportForm {
    fn new() -> ImportForm {
        ImportForm {
            fields: Default::default(),
            focus: 0,
            file_error: None,
        }
    }

    fn fill(&mut self, keys: &KeyMaterial) {
        self.fields[1] = SecretInput::new(&keys.access_key_id);
        self.fields[2] = SecretInput::new(keys.secret_access_key.expose());
        self.fields[3] = SecretInput::new(keys.session_token.as_ref().map_or("", Secret::expose));
    }

    /// The problem with each field, by index.
    pub fn errors(&self, existing: &ProfileSet) -> Vec<(usize, String)> {
        let value = |i: usize| self.fields[i].value().trim();
        let mut errors = Vec::new();
        let name = value(0);
        if name.is_empty() {
            errors.push((0, "name the new profile".to_string()));
        } else if let Err(error) = crate::profiles::edit::validate_profile_name(name) {
            errors.push((0, error.to_string()));
        } else if existing.profiles.contains_key(name) {
            errors.push((0, format!("profile `{name}` already exists")));
        }
        if let Err(error) = check_access_key_id(value(1)) {
            errors.push((1, error));
        }
        if let Err(error) = check_secret_access_key(value(2)) {
            errors.push((2, error));
        }
        if !value(4).is_empty() && !looks_like_region(value(4)) {
            errors.push((4, "a region looks like us-east-1".to_string()));
        }
        if let Some(error) = &self.file_error {
            errors.push((5, error.clone()));
        }
        errors
    }

    fn edits(&self) -> Vec<Edit> {
        let value = |i: usize| self.fields[i].value().trim().to_string();
        let profile = value(0);
        let set = |key: &str, value: String| Edit::Set {
            profile: profile.clone(),
            key: key.to_string(),
            value,
        };
        let mut edits = vec![
            Edit::RequireAbsent {
                profile: profile.clone(),
            },
            set("aws_access_key_id", value(1)),
            set("aws_secret_access_key", value(2)),
        ];
        if !value(3).is_empty() {
            edits.push(set("aws_session_token", value(3)));
        }
        if !value(4).is_empty() {
            edits.push(set("region", value(4)));
        }
        edits
    }
}

/// The rename form: the new name and its problem.
#[derive(Debug)]
pub struct RenameForm {
    pub from: String,
    pub to: Input,
}

/// The `show -o` formats Home can export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Env,
    Pharmer,
    DataRobot,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [
        ExportFormat::Env,
        ExportFormat::Pharmer,
        ExportFormat::DataRobot,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Env => "env",
            ExportFormat::Pharmer => "pharmer",
            ExportFormat::DataRobot => "datarobot",
        }
    }

    /// The file name the export of `profile` is offered under, in the current directory.
    pub fn file_name(self, profile: &str) -> String {
        let stem: String = profile
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let stem = stem.trim_start_matches('.');
        let stem = if stem.is_empty() { "profile" } else { stem };
        match self {
            ExportFormat::Env => format!("{stem}.env"),
            ExportFormat::Pharmer => format!("{stem}-pharmer.json"),
            ExportFormat::DataRobot => format!("{stem}-datarobot.json"),
        }
    }

    fn render(self, keys: &KeyMaterial, region: Option<&str>) -> String {
        match self {
            ExportFormat::Env => to_env_lines(keys, region),
            ExportFormat::Pharmer => to_pharmer(keys).to_string(),
            ExportFormat::DataRobot => to_datarobot(keys).to_string(),
        }
    }
}

#[derive(Debug)]
pub struct Export {
    pub profile: String,
    pub format: ExportFormat,
}

/// The export's file prompt: the path to write to, and the last write's error.
#[derive(Debug)]
pub struct ExportPath {
    pub export: Export,
    pub path: Input,
    /// Why the last write failed (the file exists, the folder is missing...), until edited.
    pub error: Option<String>,
}

impl ExportPath {
    /// The problem with the typed path, if any. Whether the file exists is the loop's to find
    /// out: it creates the file only if it does not.
    pub fn path_error(&self) -> Option<String> {
        let path = self.path.value().trim();
        if path.is_empty() {
            return Some("type the path of a new file".to_string());
        }
        if path.contains('\0') {
            return Some("a path cannot hold a NUL character".to_string());
        }
        if path.starts_with('~') {
            return Some("~ is not expanded here; type the full path".to_string());
        }
        let last = std::path::Path::new(path).file_name();
        if path.ends_with('/') || last.is_none() {
            return Some("name a file, not a folder".to_string());
        }
        None
    }
}

/// What a confirmation does when answered yes.
#[derive(Debug)]
pub enum Pending {
    Write(Vec<Edit>),
    StripByteOrderMark(PathBuf),
    Copy(Secret),
    /// Write `text` to the new file `path`; `prompt` comes back if that fails.
    WriteFile {
        path: PathBuf,
        text: Secret,
        prompt: Box<ExportPath>,
    },
}

/// A question before something irreversible: the title, the text (a masked diff, or what will
/// happen) and the action.
#[derive(Debug)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
    pub pending: Pending,
    /// The profile to select once the write is done (a rename's new name).
    pub select_after: Option<String>,
}

#[derive(Debug)]
pub enum Mode {
    Browse,
    Filter,
    Help,
    Edit(EditForm),
    Rename(RenameForm),
    Import(Box<ImportForm>),
    Export(Export),
    ExportPath(Box<ExportPath>),
    Confirm(Confirm),
}

/// Which mode, without its data: what the key map needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeKind {
    Browse,
    Filter,
    Help,
    Edit,
    Rename,
    Import,
    Export,
    ExportPath,
    Confirm,
}

pub struct Model {
    pub config_path: PathBuf,
    pub credentials_path: PathBuf,
    pub config: Option<LoadedFile>,
    pub credentials: Option<LoadedFile>,
    pub problems: Vec<FileProblem>,
    pub set: ProfileSet<'static>,
    pub rows: Vec<Row>,
    /// Indexes into `rows`, sorted and filtered: what the list shows.
    pub visible: Vec<usize>,
    pub cursor: usize,
    /// The first visible row of the list.
    pub offset: usize,
    /// The profile whose details are scrolled, and how far; the name tells
    /// `keep_cursor_in_view` when another profile has been selected.
    details_scroll: Option<(String, u16)>,
    pub sort: SortKey,
    pub filter: Input,
    pub revealed: bool,
    pub mode: Mode,
    pub status: Option<Status>,
    pub width: u16,
    pub height: u16,
    pub exit: Option<HomeExit>,
    /// Waiting for a write to finish; further writes wait.
    pub busy: bool,
    select_after: Option<String>,
    /// The keys in `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` when Home started, for import.
    pub environment_keys: Option<KeyMaterial>,
    health: HealthCache,
    now: OffsetDateTime,
    matcher: Matcher,
}

impl Model {
    pub fn new(
        paths: &crate::profiles::FilePaths,
        files: Files,
        health: HealthCache,
        now: OffsetDateTime,
        width: u16,
        height: u16,
    ) -> Model {
        let mut model = Model {
            config_path: paths.config.clone(),
            credentials_path: paths.credentials.clone(),
            config: None,
            credentials: None,
            problems: Vec::new(),
            set: ProfileSet::default(),
            rows: Vec::new(),
            visible: Vec::new(),
            cursor: 0,
            offset: 0,
            details_scroll: None,
            sort: SortKey::Name,
            filter: Input::default(),
            revealed: false,
            mode: Mode::Browse,
            status: None,
            width,
            height,
            exit: None,
            busy: false,
            select_after: None,
            environment_keys: None,
            health,
            now,
            matcher: Matcher::new(Config::DEFAULT),
        };
        model.load(files);
        model
    }

    pub fn mode_kind(&self) -> ModeKind {
        match self.mode {
            Mode::Browse => ModeKind::Browse,
            Mode::Filter => ModeKind::Filter,
            Mode::Help => ModeKind::Help,
            Mode::Edit(_) => ModeKind::Edit,
            Mode::Rename(_) => ModeKind::Rename,
            Mode::Import(_) => ModeKind::Import,
            Mode::Export(_) => ModeKind::Export,
            Mode::ExportPath(_) => ModeKind::ExportPath,
            Mode::Confirm(_) => ModeKind::Confirm,
        }
    }

    /// The profile under the cursor.
    pub fn selected(&self) -> Option<&Row> {
        self.visible
            .get(self.cursor)
            .map(|&index| &self.rows[index])
    }

    pub fn selected_name(&self) -> Option<String> {
        self.selected().map(|row| row.name.clone())
    }

    pub fn file(&self, kind: FileKind) -> Option<&LoadedFile> {
        match kind {
            FileKind::Config => self.config.as_ref(),
            FileKind::Credentials => self.credentials.as_ref(),
        }
    }

    pub fn path(&self, kind: FileKind) -> &std::path::Path {
        match kind {
            FileKind::Config => &self.config_path,
            FileKind::Credentials => &self.credentials_path,
        }
    }

    /// The first problem that has a repair credwiz can make.
    pub fn repairable(&self) -> Option<&FileProblem> {
        self.problems.iter().find(|p| p.repair.is_some())
    }

    fn load(&mut self, files: Files) {
        let keep = self.select_after.take().or_else(|| self.selected_name());
        self.problems.clear();
        let config = files
            .config
            .map_err(|e| FileProblem::of(&e, &self.config_path));
        let credentials = files
            .credentials
            .map_err(|e| FileProblem::of(&e, &self.credentials_path));
        self.config = config.map_err(|p| self.problems.push(p)).ok();
        self.credentials = credentials.map_err(|p| self.problems.push(p)).ok();
        let empty = Document::default();
        let config_doc = self.config.as_ref().map_or(&empty, |f| &f.document);
        let credentials_doc = self.credentials.as_ref().map_or(&empty, |f| &f.document);
        self.set = ProfileSet::read(config_doc, credentials_doc).into_owned();
        let rows: Vec<Row> = self
            .set
            .profiles
            .values()
            .map(|profile| {
                let age_days = profile
                    .get("aws_access_key_id")
                    .and_then(|id| self.health.key_age_days(&profile.name, id, self.now));
                let mut row = Row {
                    name: profile.name.to_string(),
                    kind: Kind::of(profile),
                    region: profile.get("region").map(str::to_string),
                    age_days,
                    warned: false,
                };
                row.warned = !self.warnings_for(profile, age_days).is_empty();
                row
            })
            .collect();
        self.rows = rows;
        self.refresh_visible(keep.as_deref());
    }

    /// What is wrong with `profile`, one line each.
    pub fn warnings_for(
        &self,
        profile: &crate::profiles::Profile,
        age_days: Option<i64>,
    ) -> Vec<String> {
        let mut warnings = Vec::new();
        for kind in profile.files() {
            if self
                .file(*kind)
                .is_some_and(LoadedFile::is_readable_by_others)
            {
                warnings.push(format!(
                    "the {} file is readable by other users (run chmod 600 on it)",
                    kind.name()
                ));
            }
        }
        if profile.is_duplicated() {
            let places: Vec<String> = profile
                .definitions
                .iter()
                .map(|o| format!("{}:{}", o.file.name(), o.line))
                .collect();
            warnings.push(format!(
                "defined more than once ({}); the last definition wins",
                places.join(", ")
            ));
        }
        if let Some(age) = age_days.filter(|age| *age > OLD_KEY_DAYS) {
            warnings.push(format!(
                "the access key is {age} days old (over {OLD_KEY_DAYS}); rotate it (r)"
            ));
        }
        let key_id = profile.get("aws_access_key_id").unwrap_or_default();
        if key_id.starts_with("AKIA") && profile.get("aws_session_token").is_some() {
            warnings.push(
                "a session token sits beside a long-term AKIA key; the SDKs will send both and fail"
                    .to_string(),
            );
        }
        if let Some(source) = profile.get("source_profile")
            && !self.set.profiles.contains_key(source)
        {
            warnings.push(format!("source_profile `{source}` does not exist"));
        }
        warnings
    }

    /// Re-sorts and re-filters the rows, keeping `keep` selected when it is still shown.
    fn refresh_visible(&mut self, keep: Option<&str>) {
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        let rows = &self.rows;
        let by_name = |a: &usize, b: &usize| rows[*a].name.cmp(&rows[*b].name);
        match self.sort {
            SortKey::Name => {}
            SortKey::Kind => order.sort_by(|a, b| {
                rows[*a]
                    .kind
                    .name()
                    .cmp(rows[*b].kind.name())
                    .then_with(|| by_name(a, b))
            }),
            SortKey::Region => order.sort_by(|a, b| {
                none_last(&rows[*a].region, &rows[*b].region).then_with(|| by_name(a, b))
            }),
            // Oldest first: the keys that most need attention.
            SortKey::Age => order.sort_by(|a, b| {
                none_last(
                    &rows[*a].age_days.map(std::cmp::Reverse),
                    &rows[*b].age_days.map(std::cmp::Reverse),
                )
                .then_with(|| by_name(a, b))
            }),
        }
        let filter = self.filter.value();
        if !filter.is_empty() {
            let pattern = Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart);
            let mut buffer = Vec::new();
            let matcher = &mut self.matcher;
            order.retain(|&index| {
                let haystack = Utf32Str::new(&rows[index].name, &mut buffer);
                pattern.score(haystack, matcher).is_some()
            });
        }
        self.visible = order;
        self.cursor = keep
            .and_then(|name| {
                self.visible
                    .iter()
                    .position(|&index| self.rows[index].name == name)
            })
            .unwrap_or(0);
        self.offset = 0;
        self.keep_cursor_in_view();
    }

    /// How far the selected profile's details are scrolled (`keep_cursor_in_view` forgets the
    /// scroll when another profile is selected).
    pub fn details_scroll(&self) -> u16 {
        self.details_scroll
            .as_ref()
            .map_or(0, |(_, scroll)| *scroll)
    }

    fn scroll_details(&mut self, lines: i32) {
        let Some(name) = self.selected_name() else {
            return;
        };
        let scroll = i32::from(self.details_scroll()) + lines;
        let scroll = scroll.clamp(0, i32::from(view::details_overflow(self)));
        self.details_scroll = Some((name, u16::try_from(scroll).unwrap_or(0)));
    }

    fn list_height(&self) -> usize {
        usize::from(view::areas(self).list_rows.height).max(1)
    }

    fn keep_cursor_in_view(&mut self) {
        let height = self.list_height();
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        let max_offset = self.visible.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
        // A newly selected profile's details start at the top.
        let selected = self.selected().map(|row| row.name.as_str());
        if self
            .details_scroll
            .as_ref()
            .is_some_and(|(name, _)| Some(name.as_str()) != selected)
        {
            self.details_scroll = None;
        }
    }

    fn move_cursor(&mut self, intent: Intent) {
        let last = self.visible.len().saturating_sub(1);
        let page = self.list_height().saturating_sub(1).max(1);
        self.cursor = match intent {
            Intent::Up => self.cursor.saturating_sub(1),
            Intent::Down => (self.cursor + 1).min(last),
            Intent::PageUp => self.cursor.saturating_sub(page),
            Intent::PageDown => (self.cursor + page).min(last),
            Intent::First => 0,
            Intent::Last => last,
            _ => self.cursor,
        };
        self.keep_cursor_in_view();
    }

    /// The texts both files would have after `edits`, as a masked diff per changed file.
    fn preview(&self, edits: &[Edit]) -> Result<Vec<String>, String> {
        let (Some(config), Some(credentials)) = (&self.config, &self.credentials) else {
            return Err("fix the file problem first; nothing is written meanwhile".to_string());
        };
        let mut documents = [config.document.clone(), credentials.document.clone()];
        for edit in edits {
            let changes = edit
                .apply(&documents[0], &documents[1])
                .map_err(|e| e.to_string())?;
            for (slot, text) in [changes.config, changes.credentials]
                .into_iter()
                .enumerate()
            {
                if let Some(text) = text {
                    documents[slot] = Document::parse_owned(text).map_err(|e| e.to_string())?;
                }
            }
        }
        let mut lines = Vec::new();
        for (index, (before, after)) in [&config.document, &credentials.document]
            .into_iter()
            .zip(&documents)
            .enumerate()
        {
            let path = if index == 0 {
                &self.config_path
            } else {
                &self.credentials_path
            };
            let diff = unified_diff(
                &before.render_masked(SECRET_KEYS),
                &after.render_masked(SECRET_KEYS),
                &path.display().to_string(),
            );
            lines.extend(diff.lines().map(str::to_string));
        }
        Ok(lines)
    }

    fn ask_to_write(&mut self, title: String, edits: Vec<Edit>, select_after: Option<String>) {
        match self.preview(&edits) {
            Ok(lines) if lines.is_empty() => {
                self.mode = Mode::Browse;
                self.status = Some(Status {
                    ok: true,
                    text: "nothing to change".to_string(),
                });
            }
            Ok(lines) => {
                self.mode = Mode::Confirm(Confirm {
                    title,
                    lines,
                    scroll: 0,
                    pending: Pending::Write(edits),
                    select_after,
                });
            }
            Err(message) => {
                self.status = Some(Status {
                    ok: false,
                    text: message,
                })
            }
        }
    }

    /// Refuses a write while a file has a problem, saying so.
    fn writable(&mut self) -> bool {
        if self.busy {
            self.status = Some(Status {
                ok: false,
                text: "a write is still in progress".to_string(),
            });
            return false;
        }
        if let Some(problem) = self.problems.first() {
            self.status = Some(Status {
                ok: false,
                text: format!(
                    "{} cannot be read, so nothing is written until it is fixed",
                    problem.path.display()
                ),
            });
            return false;
        }
        true
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Resize { width, height } => {
                self.width = width;
                self.height = height;
                self.keep_cursor_in_view();
                Vec::new()
            }
            Msg::Loaded(files) => {
                self.load(*files);
                Vec::new()
            }
            Msg::Written(result) => {
                self.busy = false;
                self.status = Some(match result {
                    Ok(paths) => Status {
                        ok: true,
                        text: format!(
                            "saved {}",
                            paths
                                .iter()
                                .map(|p| p.display().to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                    Err(message) => Status {
                        ok: false,
                        text: message,
                    },
                });
                Vec::new()
            }
            Msg::Edit(request) => {
                self.edit_text(request);
                Vec::new()
            }
            Msg::KeyFile(result) => {
                if let Mode::Import(form) = &mut self.mode {
                    match result {
                        Ok(keys) => {
                            form.fill(&keys);
                            form.file_error = None;
                            form.focus = 0;
                        }
                        Err(error) => form.file_error = Some(error),
                    }
                }
                Vec::new()
            }
            Msg::Exported(result) => {
                match result {
                    Ok(path) => {
                        if let Mode::ExportPath(_) = self.mode {
                            self.mode = Mode::Browse;
                        }
                        self.status = Some(Status {
                            ok: true,
                            text: format!(
                                "wrote {} (mode 0600; it holds the secret in clear)",
                                path.display()
                            ),
                        });
                    }
                    Err(message) => {
                        if let Mode::ExportPath(prompt) = &mut self.mode {
                            prompt.error = Some(message.clone());
                        }
                        self.status = Some(Status {
                            ok: false,
                            text: message,
                        });
                    }
                }
                Vec::new()
            }
            Msg::Paste(text) => {
                for c in text.expose().chars().filter(|c| !c.is_control()) {
                    self.edit_text(InputRequest::InsertChar(c));
                }
                Vec::new()
            }
            Msg::Click { column, row } => {
                self.click(column, row);
                Vec::new()
            }
            Msg::Scroll { down, column, row } => {
                let position = (column, row).into();
                if matches!(self.mode, Mode::Browse | Mode::Filter)
                    && view::areas(self).list.contains(position)
                {
                    for _ in 0..3 {
                        self.move_cursor(if down { Intent::Down } else { Intent::Up });
                    }
                } else if matches!(self.mode, Mode::Browse | Mode::Filter)
                    && view::areas(self).details.contains(position)
                {
                    self.scroll_details(if down { 3 } else { -3 });
                } else if let Mode::Confirm(confirm) = &mut self.mode {
                    confirm.scroll = if down {
                        (confirm.scroll + 3).min(confirm.lines.len().saturating_sub(1))
                    } else {
                        confirm.scroll.saturating_sub(3)
                    };
                }
                Vec::new()
            }
            Msg::Intent(intent) => self.intent(intent),
        }
    }

    fn edit_text(&mut self, request: InputRequest) {
        match &mut self.mode {
            Mode::Filter => {
                self.filter.handle(request);
                let keep = self.selected_name();
                self.refresh_visible(keep.as_deref());
            }
            Mode::Edit(form) => {
                form.focused_input().handle(request);
            }
            Mode::Rename(form) => {
                form.to.handle(request);
            }
            Mode::ExportPath(prompt) => {
                prompt.error = None;
                prompt.path.handle(request);
            }
            Mode::Import(form) => {
                if form.focus == 5 {
                    form.file_error = None;
                }
                form.fields[form.focus].handle(request);
            }
            _ => {}
        }
    }

    fn click(&mut self, column: u16, row: u16) {
        if !matches!(self.mode, Mode::Browse | Mode::Filter) {
            return;
        }
        let rows = view::areas(self).list_rows;
        if rows.contains((column, row).into()) {
            let index = self.offset + usize::from(row - rows.y);
            if index < self.visible.len() {
                self.cursor = index;
                self.keep_cursor_in_view();
            }
        }
    }

    fn intent(&mut self, intent: Intent) -> Vec<Effect> {
        if !matches!(
            intent,
            Intent::Up | Intent::Down | Intent::PageUp | Intent::PageDown
        ) {
            self.status = None;
        }
        match std::mem::replace(&mut self.mode, Mode::Browse) {
            Mode::Browse => self.browse(intent),
            Mode::Filter => {
                self.mode = Mode::Filter;
                match intent {
                    Intent::AcceptFilter => self.mode = Mode::Browse,
                    Intent::ClearFilter => {
                        self.mode = Mode::Browse;
                        self.clear_filter();
                    }
                    Intent::Quit => self.exit = Some(HomeExit::Quit),
                    other => self.move_cursor(other),
                }
                Vec::new()
            }
            Mode::Help => {
                if intent == Intent::Quit {
                    self.exit = Some(HomeExit::Quit);
                }
                Vec::new()
            }
            Mode::Edit(form) => self.edit_form(form, intent),
            Mode::Rename(form) => self.rename_form(form, intent),
            Mode::Import(form) => self.import_form(form, intent),
            Mode::Export(export) => self.export(export, intent),
            Mode::ExportPath(prompt) => self.export_path(*prompt, intent),
            Mode::Confirm(confirm) => self.confirm(confirm, intent),
        }
    }

    fn clear_filter(&mut self) {
        let keep = self.selected_name();
        self.filter = Input::default();
        self.refresh_visible(keep.as_deref());
    }

    fn browse(&mut self, intent: Intent) -> Vec<Effect> {
        let selected = self.selected_name();
        match intent {
            Intent::Up
            | Intent::Down
            | Intent::PageUp
            | Intent::PageDown
            | Intent::First
            | Intent::Last => self.move_cursor(intent),
            Intent::DetailsUp => self.scroll_details(-1),
            Intent::DetailsDown => self.scroll_details(1),
            Intent::StartFilter => self.mode = Mode::Filter,
            Intent::ClearFilter => self.clear_filter(),
            Intent::Sort => {
                self.sort = self.sort.next();
                self.refresh_visible(selected.as_deref());
            }
            Intent::Reveal => self.revealed = !self.revealed,
            Intent::Help => self.mode = Mode::Help,
            Intent::Quit => self.exit = Some(HomeExit::Quit),
            Intent::NewSetup => self.exit = Some(HomeExit::Setup),
            Intent::Rotate => {
                if let Some(profile) = selected {
                    self.exit = Some(HomeExit::Rotate { profile });
                }
            }
            Intent::Check => {
                if let Some(profile) = selected {
                    self.exit = Some(HomeExit::Check {
                        profiles: vec![profile],
                    });
                }
            }
            Intent::Reload => return vec![Effect::Reload],
            Intent::Edit => {
                if let Some(name) = selected
                    && self.writable()
                    && let Some(profile) = self.set.get(&name)
                {
                    self.mode = Mode::Edit(EditForm::new(profile));
                }
            }
            Intent::Rename => {
                if let Some(from) = selected
                    && self.writable()
                {
                    self.mode = Mode::Rename(RenameForm {
                        to: Input::new(from.clone()),
                        from,
                    });
                }
            }
            Intent::Delete => {
                if let Some(profile) = selected
                    && self.writable()
                {
                    let title = format!("Delete profile {profile} from both files?");
                    self.ask_to_write(title, vec![Edit::Remove { profile }], None);
                }
            }
            Intent::Export => {
                if let Some(profile) = selected {
                    if self.key_material(&profile).is_some() {
                        self.mode = Mode::Export(Export {
                            profile,
                            format: ExportFormat::Env,
                        });
                    } else {
                        self.status = Some(Status {
                            ok: false,
                            text: format!(
                                "{profile} holds no access key to export (export is for static and session keys)"
                            ),
                        });
                    }
                }
            }
            Intent::Import if self.writable() => {
                self.mode = Mode::Import(Box::new(ImportForm::new()));
            }
            Intent::Repair => {
                if let Some(problem) = self.repairable() {
                    let path = problem.path.clone();
                    self.mode = Mode::Confirm(Confirm {
                        title: "Strip the byte-order mark?".to_string(),
                        lines: vec![
                            format!("{} starts with a byte-order mark (U+FEFF),", path.display()),
                            "which the AWS SDKs do not accept.".to_string(),
                            String::new(),
                            "credwiz will remove those 3 bytes and change nothing else;"
                                .to_string(),
                            "the previous file is kept beside it as <file>.credwiz-backup."
                                .to_string(),
                        ],
                        scroll: 0,
                        pending: Pending::StripByteOrderMark(path),
                        select_after: None,
                    });
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn key_material(&self, profile: &str) -> Option<KeyMaterial> {
        let profile = self.set.profiles.get(profile)?;
        let id = profile.get("aws_access_key_id")?;
        let secret = profile.get("aws_secret_access_key")?;
        Some(KeyMaterial::new(
            id,
            secret,
            profile.get("aws_session_token"),
        ))
    }

    /// The export text of `export`, masked unless `reveal`.
    pub fn export_text(&self, export: &Export, reveal: bool) -> String {
        let Some(mut keys) = self.key_material(&export.profile) else {
            return String::new();
        };
        if !reveal {
            keys.secret_access_key = Secret::new(keys.secret_access_key.masked());
            keys.session_token = keys.session_token.map(|t| Secret::new(t.masked()));
        }
        let region = self.set.get(&export.profile).and_then(|p| p.get("region"));
        export.format.render(&keys, region)
    }

    fn edit_form(&mut self, mut form: EditForm, intent: Intent) -> Vec<Effect> {
        let count = form.field_count();
        match intent {
            Intent::Cancel => return Vec::new(),
            Intent::Quit => {
                self.exit = Some(HomeExit::Quit);
                return Vec::new();
            }
            Intent::NextField | Intent::Down => form.focus = (form.focus + 1) % count,
            Intent::PreviousField | Intent::Up => form.focus = (form.focus + count - 1) % count,
            Intent::AddRow => {
                form.rows.push((Input::default(), Input::default()));
                form.focus = form.field_count() - 2;
            }
            Intent::Submit => {
                if let Some((field, _)) = form.errors().first() {
                    form.focus = *field;
                } else {
                    let edits = form.edits();
                    let title = format!("Save these changes to {}?", form.profile);
                    let name = form.profile.clone();
                    self.mode = Mode::Edit(form);
                    self.ask_to_write(title, edits, Some(name));
                    return Vec::new();
                }
            }
            _ => {}
        }
        self.mode = Mode::Edit(form);
        Vec::new()
    }

    fn import_form(&mut self, mut form: Box<ImportForm>, intent: Intent) -> Vec<Effect> {
        let count = form.fields.len();
        let mut effects = Vec::new();
        match intent {
            Intent::Cancel => return effects,
            Intent::Quit => {
                self.exit = Some(HomeExit::Quit);
                return effects;
            }
            Intent::NextField | Intent::Down => form.focus = (form.focus + 1) % count,
            Intent::PreviousField | Intent::Up => form.focus = (form.focus + count - 1) % count,
            Intent::ImportFromEnvironment => match &self.environment_keys {
                Some(keys) => form.fill(keys),
                None => {
                    self.status = Some(Status {
                        ok: false,
                        text: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY were not set when credwiz started".to_string(),
                    });
                }
            },
            Intent::ImportFromFile => {
                let path = form.fields[5].value().trim();
                if path.is_empty() {
                    form.focus = 5;
                    form.file_error = Some("type the path of the key file first".to_string());
                } else {
                    effects.push(Effect::ReadKeyFile(PathBuf::from(path)));
                }
            }
            Intent::Submit => {
                if let Some((field, _)) = form.errors(&self.set).first() {
                    form.focus = *field;
                } else {
                    let edits = form.edits();
                    let name = form.fields[0].value().trim().to_string();
                    let title = format!("Add profile {name}?");
                    self.mode = Mode::Import(form);
                    self.ask_to_write(title, edits, Some(name));
                    return effects;
                }
            }
            _ => {}
        }
        self.mode = Mode::Import(form);
        effects
    }

    /// The problem with the rename form's new name, if any.
    pub fn rename_error(&self, form: &RenameForm) -> Option<String> {
        let to = form.to.value();
        if to == form.from {
            return Some("type a new name".to_string());
        }
        if let Err(error) = crate::profiles::edit::validate_profile_name(to) {
            return Some(error.to_string());
        }
        if self.set.profiles.contains_key(to) {
            return Some(format!("profile `{to}` already exists"));
        }
        None
    }

    fn rename_form(&mut self, form: RenameForm, intent: Intent) -> Vec<Effect> {
        match intent {
            Intent::Cancel => {}
            Intent::Quit => self.exit = Some(HomeExit::Quit),
            Intent::Submit => {
                if self.rename_error(&form).is_none() {
                    let to = form.to.value().to_string();
                    let title = format!("Rename {} to {to}?", form.from);
                    let edit = Edit::Rename {
                        from: form.from.clone(),
                        to: to.clone(),
                    };
                    self.mode = Mode::Rename(form);
                    self.ask_to_write(title, vec![edit], Some(to));
                } else {
                    self.mode = Mode::Rename(form);
                }
            }
            _ => self.mode = Mode::Rename(form),
        }
        Vec::new()
    }

    fn export(&mut self, mut export: Export, intent: Intent) -> Vec<Effect> {
        let position = ExportFormat::ALL
            .iter()
            .position(|f| *f == export.format)
            .unwrap_or(0);
        let count = ExportFormat::ALL.len();
        match intent {
            Intent::Cancel => return Vec::new(),
            Intent::Quit => {
                self.exit = Some(HomeExit::Quit);
                return Vec::new();
            }
            Intent::NextFormat => export.format = ExportFormat::ALL[(position + 1) % count],
            Intent::PreviousFormat => {
                export.format = ExportFormat::ALL[(position + count - 1) % count];
            }
            Intent::ExportToFile => {
                let path = Input::new(export.format.file_name(&export.profile));
                self.mode = Mode::ExportPath(Box::new(ExportPath {
                    export,
                    path,
                    error: None,
                }));
                return Vec::new();
            }
            Intent::Submit => {
                let text = Secret::new(self.export_text(&export, true));
                self.mode = Mode::Confirm(Confirm {
                    title: "Copy the secret to the clipboard?".to_string(),
                    lines: vec![
                        format!(
                            "This puts the secret access key of {} in clear, as {},",
                            export.profile,
                            export.format.name()
                        ),
                        "on your terminal's clipboard (OSC 52). Anything that can read".to_string(),
                        "the clipboard can then read it. Paste it only where it belongs."
                            .to_string(),
                    ],
                    scroll: 0,
                    pending: Pending::Copy(text),
                    select_after: None,
                });
                return Vec::new();
            }
            _ => {}
        }
        self.mode = Mode::Export(export);
        Vec::new()
    }

    fn export_path(&mut self, mut prompt: ExportPath, intent: Intent) -> Vec<Effect> {
        match intent {
            Intent::Cancel => self.mode = Mode::Export(prompt.export),
            Intent::Quit => self.exit = Some(HomeExit::Quit),
            Intent::Submit => {
                if let Some(error) = prompt.path_error() {
                    prompt.error = Some(error);
                    self.mode = Mode::ExportPath(Box::new(prompt));
                    return Vec::new();
                }
                let path = PathBuf::from(prompt.path.value().trim());
                let mut text = self.export_text(&prompt.export, true);
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                let export = &prompt.export;
                let lines = vec![
                    format!(
                        "{} will be created and will hold, in clear,",
                        path.display()
                    ),
                    format!(
                        "the secret access key of {} as {}.",
                        export.profile,
                        export.format.name()
                    ),
                    "It is made readable by you alone (mode 0600), and an existing".to_string(),
                    "file is never overwritten. Delete it when you are done with it.".to_string(),
                ];
                self.mode = Mode::Confirm(Confirm {
                    title: "Write the secret to a file?".to_string(),
                    lines,
                    scroll: 0,
                    pending: Pending::WriteFile {
                        path,
                        text: Secret::new(text),
                        prompt: Box::new(prompt),
                    },
                    select_after: None,
                });
            }
            _ => self.mode = Mode::ExportPath(Box::new(prompt)),
        }
        Vec::new()
    }

    fn confirm(&mut self, mut confirm: Confirm, intent: Intent) -> Vec<Effect> {
        match intent {
            Intent::Confirm => match confirm.pending {
                Pending::Write(edits) => {
                    self.busy = true;
                    self.select_after = confirm.select_after;
                    vec![Effect::Write(edits)]
                }
                Pending::StripByteOrderMark(path) => {
                    self.busy = true;
                    vec![Effect::StripByteOrderMark(path)]
                }
                Pending::Copy(secret) => {
                    self.status = Some(Status {
                        ok: true,
                        text: "copied to the clipboard (if the terminal allows OSC 52)".to_string(),
                    });
                    vec![Effect::Copy(secret)]
                }
                Pending::WriteFile { path, text, prompt } => {
                    // The prompt stays up while the loop writes, to show an error if any.
                    self.mode = Mode::ExportPath(prompt);
                    vec![Effect::WriteFile { path, text }]
                }
            },
            Intent::Cancel => {
                self.status = Some(Status {
                    ok: true,
                    text: "cancelled; nothing was written".to_string(),
                });
                Vec::new()
            }
            Intent::Quit => {
                self.exit = Some(HomeExit::Quit);
                Vec::new()
            }
            Intent::Up | Intent::Down | Intent::PageUp | Intent::PageDown => {
                let last = confirm.lines.len().saturating_sub(1);
                confirm.scroll = match intent {
                    Intent::Up => confirm.scroll.saturating_sub(1),
                    Intent::Down => (confirm.scroll + 1).min(last),
                    Intent::PageUp => confirm.scroll.saturating_sub(10),
                    _ => (confirm.scroll + 10).min(last),
                };
                self.mode = Mode::Confirm(confirm);
                Vec::new()
            }
            _ => {
                self.mode = Mode::Confirm(confirm);
                Vec::new()
            }
        }
    }
}

fn none_last<T: Ord>(a: &Option<T>, b: &Option<T>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}
