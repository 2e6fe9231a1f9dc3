//! The SDK reading of the two files: which profiles exist and what settings each one has.
//!
//! This follows `aws-runtime`'s `env_config::normalize` rule for rule: `[profile x]` in config and
//! `[x]` in credentials, `[profile default]` over `[default]`, invalid names ignored (with the
//! reason kept for display), duplicates merged with the last key winning, and the credentials
//! file winning over the config file. Every setting remembers the file and line it came from.

use std::collections::BTreeMap;

use serde::Serialize;

use super::document::{Document, Section, WHITESPACE};

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

/// A profile (or an `sso-session`, or another named section) as the SDKs see it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Profile {
    pub name: String,
    pub settings: BTreeMap<String, Setting>,
    /// The header of every section that contributes to it, in reading order.
    pub definitions: Vec<Origin>,
}

impl Profile {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings
            .get(&key.to_ascii_lowercase())
            .map(|setting| setting.value.as_str())
    }

    /// The files that define this profile, in the order `config`, `credentials`.
    pub fn files(&self) -> Vec<FileKind> {
        let mut files: Vec<FileKind> = self.definitions.iter().map(|o| o.file).collect();
        files.sort();
        files.dedup();
        files
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
        let mut set = ProfileSet::default();
        set.merge(config, FileKind::Config);
        set.merge(credentials, FileKind::Credentials);
        set
    }

    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    fn merge(&mut self, document: &Document, file: FileKind) {
        let classified: Vec<(&Section, Result<SectionName, String>)> = document
            .sections()
            .iter()
            .map(|section| {
                (
                    section,
                    SectionName::parse(&section.raw_name).valid_for(file),
                )
            })
            .collect();
        let has_prefixed_default = classified
            .iter()
            .any(|(_, name)| matches!(name, Ok(name) if name.is_prefixed_default()));
        for (section, name) in classified {
            let origin = Origin {
                file,
                line: section.header + 1,
            };
            let name = match name {
                Ok(name) => name,
                Err(reason) => {
                    self.ignored.push(Ignored { origin, reason });
                    continue;
                }
            };
            if has_prefixed_default && name.is_unprefixed_default() {
                self.ignored.push(Ignored {
                    origin,
                    reason: "[default] is ignored because [profile default] takes priority"
                        .to_string(),
                });
                continue;
            }
            let target = match name.prefix.as_deref() {
                None | Some(PROFILE_PREFIX) => &mut self.profiles,
                Some(SSO_SESSION_PREFIX) => &mut self.sso_sessions,
                Some(_) => &mut self.other_sections,
            };
            let key = match name.prefix.as_deref() {
                None | Some(PROFILE_PREFIX) | Some(SSO_SESSION_PREFIX) => name.suffix.clone(),
                Some(prefix) => format!("{prefix} {}", name.suffix),
            };
            let profile = target.entry(key.clone()).or_insert_with(|| Profile {
                name: key,
                ..Profile::default()
            });
            profile.definitions.push(origin);
            for property in &section.properties {
                let origin = Origin {
                    file,
                    line: property.line + 1,
                };
                if !is_valid_identifier(&property.key) {
                    self.ignored.push(Ignored {
                        origin,
                        reason: format!(
                            "key `{}` is ignored because it is not a valid identifier",
                            property.key
                        ),
                    });
                    continue;
                }
                profile.settings.insert(
                    property.key.clone(),
                    Setting {
                        value: property.value.clone(),
                        origin,
                    },
                );
            }
        }
    }
}

pub const PROFILE_PREFIX: &str = "profile";
pub const SSO_SESSION_PREFIX: &str = "sso-session";
pub const DEFAULT_PROFILE: &str = "default";

/// A section header split into its prefix (`profile`, `sso-session`, ...) and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionName {
    pub prefix: Option<String>,
    pub suffix: String,
}

impl SectionName {
    pub fn parse(raw: &str) -> SectionName {
        let raw = raw.trim_matches(WHITESPACE);
        match raw.split_once(WHITESPACE) {
            Some((prefix, suffix)) => SectionName {
                prefix: Some(prefix.trim().to_string()),
                suffix: suffix.trim().to_string(),
            },
            None => SectionName {
                prefix: None,
                suffix: raw.trim().to_string(),
            },
        }
    }

    pub fn is_unprefixed_default(&self) -> bool {
        self.prefix.is_none() && self.suffix == DEFAULT_PROFILE
    }

    pub fn is_prefixed_default(&self) -> bool {
        self.prefix.as_deref() == Some(PROFILE_PREFIX) && self.suffix == DEFAULT_PROFILE
    }

    /// The profile this section defines, if it is a valid profile section in `file`.
    pub fn profile_name(&self, file: FileKind) -> Option<&str> {
        let valid = self.clone().valid_for(file).is_ok();
        match self.prefix.as_deref() {
            None | Some(PROFILE_PREFIX) if valid => Some(&self.suffix),
            _ => None,
        }
    }

    /// Whether the SDKs read this section from `file`, or why not.
    pub fn valid_for(self, file: FileKind) -> Result<SectionName, String> {
        match (file, &self.prefix) {
            (FileKind::Config, Some(prefix)) => {
                if is_valid_identifier(&self.suffix) {
                    Ok(self)
                } else {
                    Err(format!(
                        "[{prefix} {}] is ignored: `{}` is not a valid name (allowed: A-Z a-z 0-9 and - / . % @ _ : +)",
                        self.suffix, self.suffix
                    ))
                }
            }
            (FileKind::Config, None) => {
                if self.is_unprefixed_default() {
                    Ok(self)
                } else {
                    Err(format!(
                        "[{}] is ignored: sections in the config file other than [default] need a prefix, as in [profile {}]",
                        self.suffix, self.suffix
                    ))
                }
            }
            (FileKind::Credentials, Some(prefix)) => {
                if prefix == PROFILE_PREFIX {
                    Err(format!(
                        "[profile {}] is ignored: sections in the credentials file must not start with `profile`",
                        self.suffix
                    ))
                } else {
                    Err(format!(
                        "[{prefix} {}] is ignored: such sections belong in the config file",
                        self.suffix
                    ))
                }
            }
            (FileKind::Credentials, None) => {
                if is_valid_identifier(&self.suffix) {
                    Ok(self)
                } else {
                    Err(format!(
                        "[{}] is ignored: `{}` is not a valid name (allowed: A-Z a-z 0-9 and - / . % @ _ : +)",
                        self.suffix, self.suffix
                    ))
                }
            }
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
            vec![FileKind::Config, FileKind::Credentials]
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
