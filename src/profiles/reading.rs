//! The SDK reading of the two files: which profiles exist and what settings each one has.
//!
//! This follows `aws-runtime`'s `env_config::normalize` rule for rule: `[profile x]` in config and
//! `[x]` in credentials, `[profile default]` over `[default]`, invalid names ignored (with the
//! reason kept for display), duplicates merged with the last key winning, and the credentials
//! file winning over the config file. Every setting remembers the file and line it came from.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::document::{Document, is_blank};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Config,
    Credentials,
}

impl FileKind {
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Credentials => "credentials",
        }
    }
}

/// Where something was read from: a file and a 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Origin {
    pub file: FileKind,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub origin: Origin,
}

/// A profile's settings by lowercased key, in key order. Profiles have a handful of settings,
/// so a sorted vector is smaller and faster than a tree at 10,000 profiles.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Settings {
    entries: Vec<(Cow<'static, str>, Setting)>,
}

/// Keys nearly every profile has are shared, not allocated per profile (sorted, for search).
const COMMON_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "cli_pager",
    "credential_process",
    "credential_source",
    "duration_seconds",
    "endpoint_url",
    "external_id",
    "mfa_serial",
    "output",
    "region",
    "role_arn",
    "role_session_name",
    "s3",
    "source_profile",
    "sso_account_id",
    "sso_region",
    "sso_role_name",
    "sso_session",
    "sso_start_url",
    "web_identity_token_file",
];

fn shared_key(key: &str) -> Cow<'static, str> {
    match COMMON_KEYS.binary_search(&key) {
        Ok(index) => Cow::Borrowed(COMMON_KEYS[index]),
        Err(_) => Cow::Owned(key.to_string()),
    }
}

impl Settings {
    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.position(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key` (already lowercased) to `setting`, replacing an earlier definition.
    pub fn insert(&mut self, key: &str, setting: Setting) {
        match self.position(key) {
            Ok(i) => self.entries[i].1 = setting,
            Err(i) => self.entries.insert(i, (shared_key(key), setting)),
        }
    }

    fn reserve(&mut self, additional: usize) {
        self.entries.reserve_exact(additional);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Setting)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }

    pub fn values(&self) -> impl Iterator<Item = &Setting> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<'a> IntoIterator for &'a Settings {
    type Item = (&'a str, &'a Setting);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Cow<'static, str>, Setting)>,
        fn(&'a (Cow<'static, str>, Setting)) -> (&'a str, &'a Setting),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl std::ops::Index<&str> for Settings {
    type Output = Setting;

    fn index(&self, key: &str) -> &Setting {
        self.get(key)
            .unwrap_or_else(|| panic!("no setting `{key}`"))
    }
}

/// A profile (or an `sso-session`, or another named section) as the SDKs see it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Profile {
    pub name: String,
    pub settings: Settings,
    /// The header of every section that contributes to it, in reading order.
    pub definitions: Vec<Origin>,
}

impl Profile {
    pub fn get(&self, key: &str) -> Option<&str> {
        let setting = if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.settings.get(&key.to_ascii_lowercase())
        } else {
            self.settings.get(key)
        };
        setting.map(|setting| setting.value.as_str())
    }

    /// The files that define this profile, in the order `config`, `credentials`.
    pub fn files(&self) -> &'static [FileKind] {
        let defined_in = |file: FileKind| self.definitions.iter().any(|o| o.file == file);
        match (
            defined_in(FileKind::Config),
            defined_in(FileKind::Credentials),
        ) {
            (true, true) => &[FileKind::Config, FileKind::Credentials],
            (true, false) => &[FileKind::Config],
            (false, true) => &[FileKind::Credentials],
            (false, false) => &[],
        }
    }

    /// True when one file defines it in more than one section.
    pub fn is_duplicated(&self) -> bool {
        let mut files: Vec<FileKind> = self.definitions.iter().map(|o| o.file).collect();
        let count = files.len();
        files.dedup();
        files.len() < count
    }
}

/// Something the SDKs ignore, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignored {
    pub origin: Origin,
    pub reason: String,
}

/// The merged reading of the config and credentials files.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ProfileSet {
    pub profiles: BTreeMap<String, Profile>,
    pub sso_sessions: BTreeMap<String, Profile>,
    /// Other prefixed sections of the config file (`services`, `plugins`, unknown ones), by
    /// their full name such as `services my-services`.
    pub other_sections: BTreeMap<String, Profile>,
    pub ignored: Vec<Ignored>,
}

impl ProfileSet {
    /// Reads both files; config first, so that credentials win.
    pub fn read(config: &Document, credentials: &Document) -> ProfileSet {
        ProfileSet::read_matching(config, credentials, &|_| true)
    }

    /// Reads only the profiles named in `names` (plus nothing else): what an edit or `show`
    /// needs, without building the other thousands.
    pub fn read_profiles(config: &Document, credentials: &Document, names: &[&str]) -> ProfileSet {
        ProfileSet::read_matching(config, credentials, &|section: &SectionName| {
            matches!(section.prefix, None | Some(PROFILE_PREFIX)) && names.contains(&section.suffix)
        })
    }

    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    fn read_matching(
        config: &Document,
        credentials: &Document,
        wanted: &dyn Fn(&SectionName) -> bool,
    ) -> ProfileSet {
        let mut merged = Merged::default();
        merged.merge(config, FileKind::Config, wanted);
        merged.merge(credentials, FileKind::Credentials, wanted);
        let sorted = |sections: HashMap<String, Profile>| sections.into_iter().collect();
        ProfileSet {
            profiles: sorted(merged.profiles),
            sso_sessions: sorted(merged.sso_sessions),
            other_sections: sorted(merged.other_sections),
            ignored: merged.ignored,
        }
    }
}

/// Sections gathered by name while both files are read (hashing beats a tree for 10,000
/// lookups); sorted into the `ProfileSet` at the end.
#[derive(Default)]
struct Merged {
    profiles: HashMap<String, Profile>,
    sso_sessions: HashMap<String, Profile>,
    other_sections: HashMap<String, Profile>,
    ignored: Vec<Ignored>,
}

impl Merged {
    fn merge(
        &mut self,
        document: &Document,
        file: FileKind,
        wanted: &dyn Fn(&SectionName) -> bool,
    ) {
        let names: Vec<SectionName> = document
            .sections()
            .iter()
            .map(|section| SectionName::parse(document.section_name(section)))
            .collect();
        let has_prefixed_default =
            file == FileKind::Config && names.iter().any(SectionName::is_prefixed_default);
        for (section, name) in document.sections().iter().zip(&names) {
            if !wanted(name) {
                continue;
            }
            let origin = Origin {
                file,
                line: section.header + 1,
            };
            if let Err(reason) = name.valid_for(file) {
                self.ignored.push(Ignored { origin, reason });
                continue;
            }
            if has_prefixed_default && name.is_unprefixed_default() {
                self.ignored.push(Ignored {
                    origin,
                    reason: "[default] is ignored because [profile default] takes priority"
                        .to_string(),
                });
                continue;
            }
            let (target, key) = match name.prefix {
                None | Some(PROFILE_PREFIX) => (&mut self.profiles, name.suffix),
                Some(SSO_SESSION_PREFIX) => (&mut self.sso_sessions, name.suffix),
                Some(_) => (&mut self.other_sections, name.raw),
            };
            let profile = target.entry(key.to_string()).or_insert_with(|| Profile {
                name: key.to_string(),
                definitions: Vec::with_capacity(2),
                ..Profile::default()
            });
            let properties = document.properties_of(section);
            profile.settings.reserve(properties.len());
            profile.definitions.push(origin);
            for property in properties {
                let key = document.key(property);
                let origin = Origin {
                    file,
                    line: property.line + 1,
                };
                if !is_valid_identifier(key) {
                    self.ignored.push(Ignored {
                        origin,
                        reason: format!(
                            "key `{key}` is ignored because it is not a valid identifier"
                        ),
                    });
                    continue;
                }
                let value = document.value(property).into_owned();
                let setting = Setting { value, origin };
                if key.bytes().any(|b| b.is_ascii_uppercase()) {
                    profile.settings.insert(&key.to_ascii_lowercase(), setting);
                } else {
                    profile.settings.insert(key, setting);
                }
            }
        }
    }
}

pub const PROFILE_PREFIX: &str = "profile";
pub const SSO_SESSION_PREFIX: &str = "sso-session";
pub const DEFAULT_PROFILE: &str = "default";

/// A section header split into its prefix (`profile`, `sso-session`, ...) and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionName<'a> {
    pub prefix: Option<&'a str>,
    pub suffix: &'a str,
    /// The whole trimmed name, as other prefixed sections are keyed (`services my-services`).
    pub raw: &'a str,
}

impl<'a> SectionName<'a> {
    pub fn parse(raw: &'a str) -> SectionName<'a> {
        let raw = raw.trim_matches(is_blank);
        match raw.split_once(is_blank) {
            Some((prefix, suffix)) => SectionName {
                prefix: Some(prefix.trim()),
                suffix: suffix.trim(),
                raw,
            },
            None => SectionName {
                prefix: None,
                suffix: raw.trim(),
                raw,
            },
        }
    }

    pub fn is_unprefixed_default(&self) -> bool {
        self.prefix.is_none() && self.suffix == DEFAULT_PROFILE
    }

    pub fn is_prefixed_default(&self) -> bool {
        self.prefix == Some(PROFILE_PREFIX) && self.suffix == DEFAULT_PROFILE
    }

    /// The profile this section defines, if it is a valid profile section in `file`.
    pub fn profile_name(&self, file: FileKind) -> Option<&'a str> {
        match self.prefix {
            None | Some(PROFILE_PREFIX) if self.valid_for(file).is_ok() => Some(self.suffix),
            _ => None,
        }
    }

    /// Whether the SDKs read this section from `file`, or why not.
    pub fn valid_for(&self, file: FileKind) -> Result<(), String> {
        let suffix = self.suffix;
        let invalid_name = |shown: String| {
            format!(
                "{shown} is ignored: `{suffix}` is not a valid name (allowed: A-Z a-z 0-9 and - / . % @ _ : +)"
            )
        };
        match (file, self.prefix) {
            (FileKind::Config, Some(prefix)) if !is_valid_identifier(suffix) => {
                Err(invalid_name(format!("[{prefix} {suffix}]")))
            }
            (FileKind::Config, None) if !self.is_unprefixed_default() => Err(format!(
                "[{suffix}] is ignored: sections in the config file other than [default] need a prefix, as in [profile {suffix}]"
            )),
            (FileKind::Credentials, Some(PROFILE_PREFIX)) => Err(format!(
                "[profile {suffix}] is ignored: sections in the credentials file must not start with `profile`"
            )),
            (FileKind::Credentials, Some(prefix)) => Err(format!(
                "[{prefix} {suffix}] is ignored: such sections belong in the config file"
            )),
            (FileKind::Credentials, None) if !is_valid_identifier(suffix) => {
                Err(invalid_name(format!("[{suffix}]")))
            }
            _ => Ok(()),
        }
    }
}

/// The SDKs' rule for profile names and keys.
pub fn is_valid_identifier(input: &str) -> bool {
    input
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(config: &str, credentials: &str) -> ProfileSet {
        ProfileSet::read(
            &Document::parse(config).unwrap(),
            &Document::parse(credentials).unwrap(),
        )
    }

    #[test]
    fn settings_remember_file_and_line() {
        let set = read("[profile a]\nregion = x\n", "[a]\n\nregion = y\n");
        let setting = &set.get("a").unwrap().settings["region"];
        assert_eq!(setting.value, "y");
        assert_eq!(
            setting.origin,
            Origin {
                file: FileKind::Credentials,
                line: 3
            }
        );
        assert_eq!(
            set.get("a").unwrap().files(),
            [FileKind::Config, FileKind::Credentials]
        );
    }

    #[test]
    fn ignored_sections_say_why() {
        let set = read("[a]\n[profile b c]\n", "[profile d]\n");
        assert!(set.profiles.is_empty());
        let reasons: Vec<&str> = set.ignored.iter().map(|i| i.reason.as_str()).collect();
        assert!(reasons[0].contains("need a prefix"));
        assert!(reasons[1].contains("not a valid name"));
        assert!(reasons[2].contains("must not start with `profile`"));
    }
}
