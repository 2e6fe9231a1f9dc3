//! Edits as operations on the two documents: set key, unset key, remove profile, rename profile.
//!
//! An edit touches only the lines it must. It changes the definition the SDKs read (the last
//! duplicate, in whichever file wins), puts a new key after the last key of its section and a new
//! section at the end of the file, and gives new lines the file's own line ending. Everything else
//! stays byte-identical.

use std::collections::BTreeMap;

use super::document::{Document, LineEnding, LineKind, Section};
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
        .chain(set.other_sections.values().map(|p| (p.name.clone(), p)));
    sections
        .map(|(name, profile)| {
            let settings = profile
                .settings
                .iter()
                .map(|(k, s)| (k.clone(), s.value.clone()))
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
            Edit::Remove { profile } => validate_profile_name(profile),
            Edit::Rename { from, to } => {
                validate_profile_name(from)?;
                validate_profile_name(to)
            }
        }
    }

    /// Computes the new file texts. `config` and `credentials` are the documents as they are now.
    pub fn apply(&self, config: &Document, credentials: &Document) -> Result<Changes, EditError> {
        self.validate()?;
        let set = ProfileSet::read(config, credentials);
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
    let names: Vec<SectionName> = document
        .sections()
        .iter()
        .map(|s| SectionName::parse(&s.raw_name))
        .collect();
    let has_prefixed_default = names.iter().any(SectionName::is_prefixed_default);
    document
        .sections()
        .iter()
        .zip(&names)
        .filter(|(_, name)| name.profile_name(file) == Some(profile))
        .filter(|(_, name)| {
            !(effective_only
                && file == FileKind::Config
                && has_prefixed_default
                && name.is_unprefixed_default())
        })
        .map(|(section, _)| section)
        .collect()
}

fn header_for(file: FileKind, profile: &str) -> String {
    match file {
        FileKind::Config if profile != DEFAULT_PROFILE => format!("[profile {profile}]"),
        _ => format!("[{profile}]"),
    }
}

/// The document's lines as owned text, ready to be spliced.
struct LineBuffer {
    lines: Vec<(String, LineEnding)>,
    ending: LineEnding,
    changed: bool,
}

impl LineBuffer {
    fn new(document: &Document) -> LineBuffer {
        LineBuffer {
            lines: document
                .lines()
                .iter()
                .map(|l| (l.text.clone(), l.ending))
                .collect(),
            ending: document.line_ending(),
            changed: false,
        }
    }

    fn replace_text(&mut self, index: usize, text: String) {
        self.lines[index].0 = text;
        self.changed = true;
    }

    fn remove(&mut self, range: std::ops::Range<usize>) {
        self.lines.drain(range);
        self.changed = true;
    }

    /// Inserts new lines before `index`, terminating the line before them if it had no ending.
    fn insert(&mut self, index: usize, texts: Vec<String>) {
        if index > 0 && self.lines[index - 1].1 == LineEnding::Missing {
            self.lines[index - 1].1 = self.ending;
        }
        let ending = self.ending;
        self.lines
            .splice(index..index, texts.into_iter().map(|t| (t, ending)));
        self.changed = true;
    }

    fn into_text(self) -> Option<String> {
        self.changed.then(|| {
            self.lines
                .iter()
                .flat_map(|(text, ending)| [text.as_str(), ending.as_str()])
                .collect()
        })
    }
}

fn replace_value(buffer: &mut LineBuffer, document: &Document, line: usize, value: &str) {
    let original = &document.lines()[line];
    let LineKind::Property { value_span, .. } = &original.kind else {
        unreachable!("properties point at property lines");
    };
    let mut text = original.text.clone();
    text.replace_range(value_span.clone(), value);
    if value_span.is_empty() && !original.text[..value_span.start].ends_with([' ', '\t']) {
        text.insert(value_span.start, ' ');
    }
    buffer.replace_text(line, text);
}

fn set_key(document: &Document, file: FileKind, profile: &str, key: &str, value: &str) -> String {
    let sections = sections_of(document, file, profile, true);
    let mut buffer = LineBuffer::new(document);
    let existing = sections
        .iter()
        .flat_map(|s| &s.properties)
        .rfind(|p| p.key == key);
    match (existing, sections.last()) {
        (Some(property), _) => {
            if property.last_line > property.line {
                buffer.remove(property.line + 1..property.last_line + 1);
            }
            replace_value(&mut buffer, document, property.line, value);
        }
        (None, Some(section)) => {
            let after = section
                .properties
                .last()
                .map_or(section.header, |p| p.last_line);
            buffer.insert(after + 1, vec![format!("{key} = {value}")]);
        }
        (None, None) => {
            let end = buffer.lines.len();
            buffer.insert(
                end,
                vec![header_for(file, profile), format!("{key} = {value}")],
            );
        }
    }
    buffer
        .into_text()
        .expect("a set always changes the document")
}

fn unset_key(document: &Document, file: FileKind, profile: &str, key: &str) -> Option<String> {
    let key = key.to_ascii_lowercase();
    let mut ranges: Vec<(usize, usize)> = sections_of(document, file, profile, false)
        .iter()
        .flat_map(|s| &s.properties)
        .filter(|p| p.key == key)
        .map(|p| (p.line, p.last_line + 1))
        .collect();
    ranges.sort_unstable();
    let mut buffer = LineBuffer::new(document);
    for (start, end) in ranges.into_iter().rev() {
        buffer.remove(start..end);
    }
    buffer.into_text()
}

fn remove_profile(document: &Document, file: FileKind, profile: &str) -> Option<String> {
    let sections = sections_of(document, file, profile, false);
    let mut buffer = LineBuffer::new(document);
    for section in sections.iter().rev() {
        buffer.remove(section.start..removal_end(document, section));
    }
    buffer.into_text()
}

/// Where removing a section stops: after its content and trailing blank lines, but before a
/// comment block in its tail, which introduces what follows (`# --- work ---`).
fn removal_end(document: &Document, section: &Section) -> usize {
    let content_end = section
        .properties
        .last()
        .map_or(section.header, |p| p.last_line)
        + 1;
    (content_end..section.end)
        .find(|&i| document.lines()[i].kind == LineKind::Comment)
        .unwrap_or(section.end)
}

/// The text after a header's closing bracket (its comment), kept when the header is rewritten.
fn header_suffix(text: &str) -> &str {
    let comment = text.find(['#', ';']).unwrap_or(text.len());
    text[..comment]
        .rfind(']')
        .map_or("", |bracket| &text[bracket + 1..])
}

fn rename_profile(document: &Document, file: FileKind, from: &str, to: &str) -> Option<String> {
    let mut buffer = LineBuffer::new(document);
    for section in sections_of(document, file, from, false) {
        let after_bracket = header_suffix(&document.lines()[section.header].text);
        buffer.replace_text(
            section.header,
            format!("{}{after_bracket}", header_for(file, to)),
        );
    }
    let references = document
        .sections()
        .iter()
        .filter(|s| SectionName::parse(&s.raw_name).profile_name(file).is_some())
        .flat_map(|s| &s.properties)
        .filter(|p| p.key == "source_profile" && p.value == from);
    for property in references {
        replace_value(&mut buffer, document, property.line, to);
    }
    buffer.into_text()
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
