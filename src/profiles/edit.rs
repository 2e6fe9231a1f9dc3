//! Edits as operations on the two documents: set key, unset key, remove profile, rename profile.
//!
//! An edit touches only the lines it must. It changes the definition the SDKs read (the last
//! duplicate, in whichever file wins), puts a new key after the last key of its section and a new
//! section at the end of the file, and gives new lines the file's own line ending. Everything else
//! stays byte-identical.

use std::collections::BTreeMap;

use super::document::{Document, LineEnding, LineKind, Property, Section};
use super::reading::{DEFAULT_PROFILE, FileKind, ProfileSet, SectionName, is_valid_identifier};

/// Keys that belong in the credentials file.
pub const CREDENTIAL_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    Set {
        profile: String,
        key: String,
        value: String,
    },
    Unset {
        profile: String,
        key: String,
    },
    Remove {
        profile: String,
    },
    Rename {
        from: String,
        to: String,
    },
    /// Changes nothing; fails if the profile exists. Checked under the write lock, so two
    /// writers adding the same new profile cannot both succeed.
    RequireAbsent {
        profile: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error(
        "`{0}` is not a valid profile name: use only letters, digits and - / . % @ _ : + (no spaces)"
    )]
    InvalidProfileName(String),
    #[error("`{0}` is not a valid key name: use only letters, digits and - / . % @ _ : +")]
    InvalidKey(String),
    #[error("the value for `{key}` {problem}")]
    InvalidValue { key: String, problem: &'static str },
    #[error("profile `{0}` does not exist")]
    NoSuchProfile(String),
    #[error("profile `{0}` already exists")]
    ProfileExists(String),
    #[error(
        "the config file has both [profile default] and an ignored [default]; remove the ignored [default] section first, so that renaming does not bring it back"
    )]
    ShadowedDefault,
}

/// The new text of each file an edit changes (`None`: that file is unchanged).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub config: Option<String>,
    pub credentials: Option<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.config.is_none() && self.credentials.is_none()
    }

    pub fn for_file(&self, file: FileKind) -> Option<&String> {
        match file {
            FileKind::Config => self.config.as_ref(),
            FileKind::Credentials => self.credentials.as_ref(),
        }
    }
}

/// Keys whose values are secrets: masked on screen and in diffs unless revealed.
pub const SECRET_KEYS: &[&str] = &["aws_secret_access_key", "aws_session_token"];

/// The settings of every section the SDKs read, without origins: what an edit must change.
pub type Reading = BTreeMap<String, BTreeMap<String, String>>;

/// Profiles, sso-sessions and other sections as plain values, for comparing readings.
pub fn plain_reading(set: &ProfileSet) -> Reading {
    let sections = set
        .profiles
        .values()
        .map(|p| (format!("profile {}", p.name), p))
        .chain(
            set.sso_sessions
                .values()
                .map(|p| (format!("sso-session {}", p.name), p)),
        )
        .chain(set.other_sections.values().map(|p| (p.name.to_string(), p)));
    sections
        .map(|(name, profile)| {
            let settings = profile
                .settings
                .iter()
                .map(|(k, s)| (k.to_string(), s.value.to_string()))
                .collect();
            (name, settings)
        })
        .collect()
}

impl Edit {
    /// Checks the edit's names and values before anything is written.
    pub fn validate(&self) -> Result<(), EditError> {
        match self {
            Edit::Set {
                profile,
                key,
                value,
            } => {
                validate_profile_name(profile)?;
                validate_key(key)?;
                validate_value(key, value)
            }
            Edit::Unset { profile, key } => {
                validate_profile_name(profile)?;
                validate_key(key)
            }
            Edit::Remove { profile } | Edit::RequireAbsent { profile } => {
                validate_profile_name(profile)
            }
            Edit::Rename { from, to } => {
                validate_profile_name(from)?;
                validate_profile_name(to)
            }
        }
    }

    /// The profiles this edit reads or changes (a rename also changes `source_profile`
    /// references in other profiles, which `references_to` finds).
    pub fn profiles(&self) -> Vec<&str> {
        match self {
            Edit::Set { profile, .. }
            | Edit::Unset { profile, .. }
            | Edit::Remove { profile }
            | Edit::RequireAbsent { profile } => vec![profile],
            Edit::Rename { from, to } => vec![from, to],
        }
    }

    /// Computes the new file texts. `config` and `credentials` are the documents as they are now.
    pub fn apply(&self, config: &Document, credentials: &Document) -> Result<Changes, EditError> {
        self.validate()?;
        let set = ProfileSet::read_profiles(config, credentials, &self.profiles());
        let documents = [
            (FileKind::Config, config),
            (FileKind::Credentials, credentials),
        ];
        let mut changes = Changes::default();
        let mut record = |file: FileKind, text: Option<String>| match file {
            FileKind::Config => changes.config = text,
            FileKind::Credentials => changes.credentials = text,
        };
        match self {
            Edit::Set {
                profile,
                key,
                value,
            } => {
                let key = key.to_ascii_lowercase();
                let file = set
                    .get(profile)
                    .and_then(|p| p.settings.get(&key))
                    .map(|setting| setting.origin.file)
                    .unwrap_or(if CREDENTIAL_KEYS.contains(&key.as_str()) {
                        FileKind::Credentials
                    } else {
                        FileKind::Config
                    });
                let document = if file == FileKind::Config {
                    config
                } else {
                    credentials
                };
                record(file, Some(set_key(document, file, profile, &key, value)));
            }
            Edit::Unset { profile, key } => {
                if set.get(profile).is_none() {
                    return Err(EditError::NoSuchProfile(profile.clone()));
                }
                for (file, document) in documents {
                    record(file, unset_key(document, file, profile, key));
                }
            }
            Edit::Remove { profile } => {
                if set.get(profile).is_none() {
                    return Err(EditError::NoSuchProfile(profile.clone()));
                }
                for (file, document) in documents {
                    record(file, remove_profile(document, file, profile));
                }
            }
            Edit::RequireAbsent { profile } => {
                if set.get(profile).is_some() {
                    return Err(EditError::ProfileExists(profile.clone()));
                }
            }
            Edit::Rename { from, to } => {
                if set.get(from).is_none() {
                    return Err(EditError::NoSuchProfile(from.clone()));
                }
                if from != to && set.get(to).is_some() {
                    return Err(EditError::ProfileExists(to.clone()));
                }
                if sections_of(config, FileKind::Config, from, false).len()
                    != sections_of(config, FileKind::Config, from, true).len()
                {
                    return Err(EditError::ShadowedDefault);
                }
                for (file, document) in documents {
                    record(file, rename_profile(document, file, from, to));
                }
            }
        }
        Ok(changes)
    }

    /// The reading the files must have after this edit, given the reading before it.
    pub fn expected_reading(&self, before: &Reading) -> Reading {
        let mut after = before.clone();
        match self {
            Edit::Set {
                profile,
                key,
                value,
            } => {
                after
                    .entry(format!("profile {profile}"))
                    .or_default()
                    .insert(key.to_ascii_lowercase(), value.clone());
            }
            Edit::Unset { profile, key } => {
                if let Some(settings) = after.get_mut(&format!("profile {profile}")) {
                    settings.remove(&key.to_ascii_lowercase());
                }
            }
            Edit::Remove { profile } => {
                after.remove(&format!("profile {profile}"));
            }
            Edit::RequireAbsent { .. } => {}
            Edit::Rename { from, to } => {
                if let Some(settings) = after.remove(&format!("profile {from}")) {
                    after.insert(format!("profile {to}"), settings);
                }
                for (name, settings) in after.iter_mut() {
                    if !name.starts_with("profile ") {
                        continue;
                    }
                    if let Some(source) = settings.get_mut("source_profile")
                        && source == from
                    {
                        *source = to.clone();
                    }
                }
            }
        }
        after
    }
}

pub fn validate_profile_name(name: &str) -> Result<(), EditError> {
    if name.is_empty() || !is_valid_identifier(name) {
        return Err(EditError::InvalidProfileName(name.to_string()));
    }
    Ok(())
}

fn validate_key(key: &str) -> Result<(), EditError> {
    if key.is_empty() || !is_valid_identifier(key) {
        return Err(EditError::InvalidKey(key.to_string()));
    }
    Ok(())
}

fn validate_value(key: &str, value: &str) -> Result<(), EditError> {
    let problem = if value.contains(['\n', '\r']) {
        Some("contains a line break")
    } else if value.contains('\0') {
        Some("contains a NUL byte")
    } else if value != value.trim_matches([' ', '\t']) {
        Some("starts or ends with whitespace, which the SDKs would drop")
    } else if starts_a_comment(value) {
        Some("has `#` or `;` at its start or after a space, which the SDKs read as a comment")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(EditError::InvalidValue {
            key: key.to_string(),
            problem,
        }),
        None => Ok(()),
    }
}

/// True when the SDKs would cut the value at a `#` or `;`: one at the start, or one after any
/// whitespace character.
fn starts_a_comment(value: &str) -> bool {
    let mut previous: Option<char> = None;
    value.chars().any(|c| {
        let cut = matches!(c, '#' | ';') && previous.is_none_or(char::is_whitespace);
        previous = Some(c);
        cut
    })
}

/// The sections of `document` that define `profile`. With `effective_only`, a config file's
/// `[default]` is left out when `[profile default]` exists, as the SDKs ignore it.
fn sections_of<'a>(
    document: &'a Document,
    file: FileKind,
    profile: &str,
    effective_only: bool,
) -> Vec<&'a Section> {
    let name_of = |section: &Section| SectionName::parse(document.section_name(section));
    let shadows_default = effective_only
        && file == FileKind::Config
        && profile == DEFAULT_PROFILE
        && document
            .sections()
            .iter()
            .any(|s| name_of(s).is_prefixed_default());
    document
        .sections()
        .iter()
        .filter(|section| {
            let name = name_of(section);
            name.profile_name(file) == Some(profile)
                && !(shadows_default && name.is_unprefixed_default())
        })
        .collect()
}

fn header_for(file: FileKind, profile: &str) -> String {
    match file {
        FileKind::Config if profile != DEFAULT_PROFILE => format!("[profile {profile}]"),
        _ => format!("[{profile}]"),
    }
}

/// Replacements of byte ranges of a document's text, applied in one pass.
struct Splices<'a> {
    document: &'a Document,
    ending: LineEnding,
    replacements: Vec<(usize, usize, String)>,
}

impl<'a> Splices<'a> {
    fn new(document: &'a Document) -> Splices<'a> {
        Splices {
            document,
            ending: document.line_ending(),
            replacements: Vec::new(),
        }
    }

    fn replace(&mut self, start: usize, end: usize, text: String) {
        self.replacements.push((start, end, text));
    }

    /// Removes lines `lines` with their endings.
    fn remove_lines(&mut self, lines: std::ops::Range<usize>) {
        let start = self.document.line_start(lines.start);
        let end = self.document.line_start(lines.end);
        self.replace(start, end, String::new());
    }

    /// Inserts new lines before line `index`, terminating the line before them if it had no
    /// ending.
    fn insert_lines(&mut self, index: usize, texts: &[String]) {
        let mut inserted = String::new();
        if index > 0 && self.document.lines()[index - 1].ending == LineEnding::Missing {
            inserted.push_str(self.ending.as_str());
        }
        for text in texts {
            inserted.push_str(text);
            inserted.push_str(self.ending.as_str());
        }
        let at = self.document.line_start(index);
        self.replace(at, at, inserted);
    }

    /// Replaces the value of the property on line `line`, keeping the key and any comment.
    fn replace_value(&mut self, property: &Property, value: &str) {
        let span = property.value.range();
        let before = &self.document.text()[..span.start];
        let spaced = if span.is_empty() && !before.ends_with([' ', '\t']) {
            format!(" {value}")
        } else {
            value.to_string()
        };
        self.replace(span.start, span.end, spaced);
    }

    fn into_text(mut self) -> Option<String> {
        if self.replacements.is_empty() {
            return None;
        }
        self.replacements
            .sort_by_key(|(start, end, _)| (*start, *end));
        let text = self.document.text();
        let mut out = String::with_capacity(text.len() + 256);
        let mut copied = 0;
        for (start, end, replacement) in &self.replacements {
            out.push_str(&text[copied..*start]);
            out.push_str(replacement);
            copied = *end;
        }
        out.push_str(&text[copied..]);
        Some(out)
    }
}

fn set_key(document: &Document, file: FileKind, profile: &str, key: &str, value: &str) -> String {
    let sections = sections_of(document, file, profile, true);
    let mut splices = Splices::new(document);
    let existing = sections
        .iter()
        .flat_map(|s| document.properties_of(s))
        .rfind(|p| document.key_is(p, key));
    match (existing, sections.last()) {
        (Some(property), _) => {
            if property.last_line() > property.line() {
                splices.remove_lines(property.line() + 1..property.last_line() + 1);
            }
            splices.replace_value(property, value);
        }
        (None, Some(section)) => {
            let after = document
                .properties_of(section)
                .last()
                .map_or(section.header(), |p| p.last_line());
            splices.insert_lines(after + 1, &[format!("{key} = {value}")]);
        }
        (None, None) => {
            splices.insert_lines(
                document.lines().len(),
                &[header_for(file, profile), format!("{key} = {value}")],
            );
        }
    }
    splices
        .into_text()
        .expect("a set always changes the document")
}

fn unset_key(document: &Document, file: FileKind, profile: &str, key: &str) -> Option<String> {
    let mut splices = Splices::new(document);
    for section in sections_of(document, file, profile, false) {
        for property in document.properties_of(section) {
            if document.key_is(property, key) {
                splices.remove_lines(property.line()..property.last_line() + 1);
            }
        }
    }
    splices.into_text()
}

fn remove_profile(document: &Document, file: FileKind, profile: &str) -> Option<String> {
    let mut splices = Splices::new(document);
    for section in sections_of(document, file, profile, false) {
        splices.remove_lines(section.start()..removal_end(document, section));
    }
    splices.into_text()
}

/// Where removing a section stops: after its content and trailing blank lines, but before a
/// comment block in its tail, which introduces what follows (`# --- work ---`).
fn removal_end(document: &Document, section: &Section) -> usize {
    let content_end = document
        .properties_of(section)
        .last()
        .map_or(section.header(), |p| p.last_line())
        + 1;
    (content_end..section.end())
        .find(|&i| document.lines()[i].kind == LineKind::Comment)
        .unwrap_or(section.end())
}

/// The text after a header's closing bracket (its comment), kept when the header is rewritten.
fn header_suffix(text: &str) -> &str {
    let comment = text.find(['#', ';']).unwrap_or(text.len());
    text[..comment]
        .rfind(']')
        .map_or("", |bracket| &text[bracket + 1..])
}

fn rename_profile(document: &Document, file: FileKind, from: &str, to: &str) -> Option<String> {
    let mut splices = Splices::new(document);
    for section in sections_of(document, file, from, false) {
        let line = document.lines()[section.header()].span.range();
        let after_bracket = header_suffix(&document.text()[line.clone()]);
        splices.replace(
            line.start,
            line.end,
            format!("{}{after_bracket}", header_for(file, to)),
        );
    }
    for section in document.sections() {
        let name = SectionName::parse(document.section_name(section));
        if name.profile_name(file).is_none() {
            continue;
        }
        for property in document.properties_of(section) {
            if document.key_is(property, "source_profile") && document.value(property) == from {
                splices.replace_value(property, to);
            }
        }
    }
    splices.into_text()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(edit: Edit, config: &str, credentials: &str) -> (String, String) {
        let config_doc = Document::parse(config).unwrap();
        let credentials_doc = Document::parse(credentials).unwrap();
        let changes = edit.apply(&config_doc, &credentials_doc).unwrap();
        (
            changes.config.unwrap_or_else(|| config.to_string()),
            changes
                .credentials
                .unwrap_or_else(|| credentials.to_string()),
        )
    }

    fn set(profile: &str, key: &str, value: &str) -> Edit {
        Edit::Set {
            profile: profile.into(),
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn set_replaces_only_the_value_and_keeps_the_comment() {
        let (config, _) = apply(
            set("a", "region", "eu-west-1"),
            "[profile a]\r\nregion = us-east-1 # home\r\n",
            "",
        );
        assert_eq!(config, "[profile a]\r\nregion = eu-west-1 # home\r\n");
    }

    #[test]
    fn set_goes_to_the_last_duplicate_after_its_last_key() {
        let (config, _) = apply(
            set("a", "output", "json"),
            "[profile a]\nregion = x\n\n[profile a]\nregion = y\n\n# trailing\n",
            "",
        );
        assert_eq!(
            config,
            "[profile a]\nregion = x\n\n[profile a]\nregion = y\noutput = json\n\n# trailing\n"
        );
    }

    #[test]
    fn set_edits_the_file_that_wins() {
        let (config, credentials) = apply(
            set("a", "region", "z"),
            "[profile a]\nregion = x\n",
            "[a]\nregion = y",
        );
        assert_eq!(config, "[profile a]\nregion = x\n");
        assert_eq!(credentials, "[a]\nregion = z");
    }

    #[test]
    fn new_section_goes_at_the_end_after_a_newline() {
        let (_, credentials) = apply(
            set("b", "aws_access_key_id", "AKIAEXAMPLE"),
            "",
            "[a]\nk = v",
        );
        assert_eq!(
            credentials,
            "[a]\nk = v\n[b]\naws_access_key_id = AKIAEXAMPLE\n"
        );
    }

    #[test]
    fn remove_takes_the_attached_comments_and_keeps_the_next_ones() {
        let (config, _) = apply(
            Edit::Remove {
                profile: "a".into(),
            },
            "# top\n\n# about a\n[profile a]\nk = v\n\n# about b\n[profile b]\n",
            "",
        );
        assert_eq!(config, "# top\n\n# about b\n[profile b]\n");
    }

    #[test]
    fn remove_keeps_a_comment_block_that_introduces_what_follows() {
        let (config, _) = apply(
            Edit::Remove {
                profile: "a".into(),
            },
            "[profile a]\nk = v\n\n# --- work ---\n\n[profile b]\n",
            "",
        );
        assert_eq!(config, "# --- work ---\n\n[profile b]\n");
    }

    #[test]
    fn values_that_start_a_comment_are_refused() {
        for value in ["#x", ";x", "a\t;b", "a\u{a0}#b", "a\u{3000};b"] {
            assert!(set("a", "k", value).validate().is_err(), "{value:?}");
        }
        for value in ["a#b", "a;b", "pa$$#word"] {
            assert!(set("a", "k", value).validate().is_ok(), "{value:?}");
        }
    }

    #[test]
    fn rename_updates_headers_and_source_profile() {
        let (config, credentials) = apply(
            Edit::Rename {
                from: "a".into(),
                to: "c".into(),
            },
            "[profile a] ; see [notes]\nregion = x\n[profile b]\nsource_profile = a\n",
            "[a]\nk = v\n",
        );
        assert_eq!(
            config,
            "[profile c] ; see [notes]\nregion = x\n[profile b]\nsource_profile = c\n"
        );
        assert_eq!(credentials, "[c]\nk = v\n");
    }

    #[test]
    fn unset_removes_every_definition_with_its_continuations() {
        let (config, _) = apply(
            Edit::Unset {
                profile: "a".into(),
                key: "s3".into(),
            },
            "[profile a]\ns3 =\n  x = 1\nregion = r\n[profile a]\nS3 = y\n",
            "",
        );
        assert_eq!(config, "[profile a]\nregion = r\n[profile a]\n");
    }

    #[test]
    fn values_that_would_not_read_back_are_refused() {
        for value in ["a\nb", " a", "a #b"] {
            let error = set("a", "k", value).validate().unwrap_err();
            assert!(matches!(error, EditError::InvalidValue { .. }));
        }
        assert!(set("a b", "k", "v").validate().is_err());
    }
}
