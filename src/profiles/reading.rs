//! The SDK reading of the two files: which profiles exist and what settings each one has.
//!
//! This follows `aws-runtime`'s `env_config::normalize` rule for rule: `[profile x]` in config and
//! `[x]` in credentials, `[profile default]` over `[default]`, invalid names ignored (with the
//! reason kept for display), duplicates merged with the last key winning, and the credentials
//! file winning over the config file. Every setting remembers the file and line it came from.

use std::borrow::Cow;

use serde::Serialize;

use super::document::{Document, trim_blank};

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

/// Where something was read from: a file and a 1-based line (a `u32`, as files are at most
/// 10 MiB: it keeps every setting of a large reading 8 bytes smaller).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Origin {
    pub file: FileKind,
    pub line: u32,
}

impl Origin {
    /// The origin of the line at 0-based `index` of `file`.
    fn of_line(file: FileKind, index: usize) -> Origin {
        Origin {
            file,
            line: index as u32 + 1,
        }
    }
}

/// One setting as the SDKs read it. The value borrows from the document it was read from unless
/// it had to be joined from continuation lines; `ProfileSet::into_owned` detaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<'a> {
    pub value: Cow<'a, str>,
    pub origin: Origin,
}

impl Setting<'_> {
    pub fn into_owned(self) -> Setting<'static> {
        Setting {
            value: Cow::Owned(self.value.into_owned()),
            origin: self.origin,
        }
    }
}

/// A profile's settings by lowercased key, in key order. Profiles have a handful of settings,
/// so a sorted vector is smaller and faster than a tree at 10,000 profiles. Keys borrow from the
/// document unless they had to be lowercased.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Settings<'a> {
    entries: Vec<(Cow<'a, str>, Setting<'a>)>,
}

impl<'a> Settings<'a> {
    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Setting<'a>> {
        self.position(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key` (already lowercased) to `setting`, replacing an earlier definition.
    pub fn insert(&mut self, key: Cow<'a, str>, setting: Setting<'a>) {
        match self.position(&key) {
            Ok(i) => self.entries[i].1 = setting,
            Err(i) => self.entries.insert(i, (key, setting)),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> <&Self as IntoIterator>::IntoIter {
        self.into_iter()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }

    pub fn values(&self) -> impl Iterator<Item = &Setting<'a>> {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn into_owned(self) -> Settings<'static> {
        Settings {
            entries: self
                .entries
                .into_iter()
                .map(|(key, setting)| (Cow::Owned(key.into_owned()), setting.into_owned()))
                .collect(),
        }
    }
}

impl<'s, 'a> IntoIterator for &'s Settings<'a> {
    type Item = (&'s str, &'s Setting<'a>);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'s, (Cow<'a, str>, Setting<'a>)>,
        fn(&'s (Cow<'a, str>, Setting<'a>)) -> (&'s str, &'s Setting<'a>),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl<'a> std::ops::Index<&str> for Settings<'a> {
    type Output = Setting<'a>;

    fn index(&self, key: &str) -> &Setting<'a> {
        self.get(key)
            .unwrap_or_else(|| panic!("no setting `{key}`"))
    }
}

/// A profile (or an `sso-session`, or another named section) as the SDKs see it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Profile<'a> {
    pub name: Cow<'a, str>,
    pub settings: Settings<'a>,
    /// The header of every section that contributes to it, in reading order.
    pub definitions: Vec<Origin>,
}

impl<'a> Profile<'a> {
    pub fn get(&self, key: &str) -> Option<&str> {
        let setting = if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.settings.get(&key.to_ascii_lowercase())
        } else {
            self.settings.get(key)
        };
        setting.map(|setting| setting.value.as_ref())
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

    /// The same profile, owning its text (no longer borrowing the documents).
    pub fn into_owned(self) -> Profile<'static> {
        Profile {
            name: Cow::Owned(self.name.into_owned()),
            settings: self.settings.into_owned(),
            definitions: self.definitions,
        }
    }
}

/// Something the SDKs ignore, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignored {
    pub origin: Origin,
    pub reason: String,
}

/// Sections of one kind (profiles, sso-sessions or others), sorted by name: a vector searched
/// by halving, which a reading builds in order and which holds each name once.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Sections<'a> {
    sorted: Vec<Profile<'a>>,
}

impl<'a> Sections<'a> {
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.sorted
            .binary_search_by(|profile| profile.name.as_ref().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&Profile<'a>> {
        self.position(name).ok().map(|i| &self.sorted[i])
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.sorted.iter().map(|profile| profile.name.as_ref())
    }

    /// The sections, in name order.
    pub fn values(&self) -> std::slice::Iter<'_, Profile<'a>> {
        self.sorted.iter()
    }

    /// (name, section) pairs, in name order.
    pub fn iter(&self) -> <&Self as IntoIterator>::IntoIter {
        self.into_iter()
    }

    pub fn into_owned(self) -> Sections<'static> {
        Sections {
            sorted: self.sorted.into_iter().map(Profile::into_owned).collect(),
        }
    }
}

impl<'s, 'a> IntoIterator for &'s Sections<'a> {
    type Item = (&'s str, &'s Profile<'a>);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'s, Profile<'a>>,
        fn(&'s Profile<'a>) -> (&'s str, &'s Profile<'a>),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.sorted
            .iter()
            .map(|profile| (profile.name.as_ref(), profile))
    }
}

impl<'a> std::ops::Index<&str> for Sections<'a> {
    type Output = Profile<'a>;

    fn index(&self, name: &str) -> &Profile<'a> {
        self.get(name)
            .unwrap_or_else(|| panic!("no section `{name}`"))
    }
}

/// The merged reading of the config and credentials files. It borrows names and values from the
/// two documents; `into_owned` makes a reading that outlives them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ProfileSet<'a> {
    pub profiles: Sections<'a>,
    pub sso_sessions: Sections<'a>,
    /// Other prefixed sections of the config file (`services`, `plugins`, unknown ones), by
    /// their full name such as `services my-services`.
    pub other_sections: Sections<'a>,
    /// What the SDKs ignore, in file order (config first).
    pub ignored: Vec<Ignored>,
}

impl<'a> ProfileSet<'a> {
    /// Reads both files; config first, so that credentials win.
    pub fn read(config: &'a Document, credentials: &'a Document) -> ProfileSet<'a> {
        ProfileSet::read_matching(config, credentials, &|_| true)
    }

    /// Reads only the profiles named in `names` (plus nothing else): what an edit or `show`
    /// needs, without building the other thousands.
    pub fn read_profiles(
        config: &'a Document,
        credentials: &'a Document,
        names: &[&str],
    ) -> ProfileSet<'a> {
        ProfileSet::read_matching(config, credentials, &|section: &SectionName| {
            matches!(section.prefix, None | Some(PROFILE_PREFIX)) && names.contains(&section.suffix)
        })
    }

    pub fn get(&self, name: &str) -> Option<&Profile<'a>> {
        self.profiles.get(name)
    }

    /// The same reading, owning its text.
    pub fn into_owned(self) -> ProfileSet<'static> {
        ProfileSet {
            profiles: self.profiles.into_owned(),
            sso_sessions: self.sso_sessions.into_owned(),
            other_sections: self.other_sections.into_owned(),
            ignored: self.ignored,
        }
    }

    /// Gathers every section the SDKs read, groups them by name and merges each group's
    /// properties once, so a reading of 10,000 profiles allocates little beyond one settings
    /// vector per profile.
    fn read_matching(
        config: &'a Document,
        credentials: &'a Document,
        wanted: &dyn Fn(&SectionName) -> bool,
    ) -> ProfileSet<'a> {
        let mut ignored = Vec::new();
        let mut definitions =
            Vec::with_capacity(config.sections().len() + credentials.sections().len());
        for (file, document) in [
            (FileKind::Config, config),
            (FileKind::Credentials, credentials),
        ] {
            collect_definitions(document, file, wanted, &mut definitions, &mut ignored);
        }
        // Sorted by category and name; the sort is stable, so each name's definitions stay in
        // reading order (config first, then file order). Files are often already in name order
        // in runs, which a stable sort merges cheaply.
        definitions.sort_by(|a, b| (a.category, a.name).cmp(&(b.category, b.name)));
        let documents = [config, credentials];
        let mut merged = definitions
            .chunk_by(|a, b| (a.category, a.name) == (b.category, b.name))
            .map(|group| {
                let profile = merge_definitions(documents, group, &mut ignored);
                (group[0].category, profile)
            })
            .peekable();
        // The groups come sorted by category and name, so each kind is built in one pass.
        let mut category = |wanted: Category| Sections {
            sorted: std::iter::from_fn(|| merged.next_if(|(category, _)| *category == wanted))
                .map(|(_, profile)| profile)
                .collect(),
        };
        let (profiles, sso_sessions, other_sections) = (
            category(Category::Profile),
            category(Category::SsoSession),
            category(Category::Other),
        );
        // Both passes report in file order within a file; sorting by origin restores the order
        // a single pass over config and then credentials gives.
        ignored.sort_by_key(|entry| entry.origin);
        ProfileSet {
            profiles,
            sso_sessions,
            other_sections,
            ignored,
        }
    }
}

/// Which map of the reading a section belongs to (the sort order groups them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Category {
    Profile,
    SsoSession,
    Other,
}

/// One section the SDKs read: what it defines, and where.
struct Definition<'a> {
    /// The profile or sso-session name, or the whole name of another section.
    name: &'a str,
    /// Its index in its document's sections.
    section: u32,
    category: Category,
    file: FileKind,
}

/// Adds the sections of `document` that the SDKs read (and `wanted` keeps) to `definitions`, in
/// file order, and the ones they ignore to `ignored`.
fn collect_definitions<'a>(
    document: &'a Document,
    file: FileKind,
    wanted: &dyn Fn(&SectionName) -> bool,
    definitions: &mut Vec<Definition<'a>>,
    ignored: &mut Vec<Ignored>,
) {
    let name_of = |section| SectionName::parse(document.section_name(section));
    // Looked for only when an unprefixed [default] turns up in the config file.
    let mut has_prefixed_default = None;
    for (index, section) in document.sections().iter().enumerate() {
        let name = name_of(section);
        if !wanted(&name) {
            continue;
        }
        let origin = Origin::of_line(file, section.header());
        if let Err(reason) = name.valid_for(file) {
            ignored.push(Ignored { origin, reason });
            continue;
        }
        if file == FileKind::Config
            && name.is_unprefixed_default()
            && *has_prefixed_default.get_or_insert_with(|| {
                let mut names = document.sections().iter().map(name_of);
                names.any(|name| name.is_prefixed_default())
            })
        {
            ignored.push(Ignored {
                origin,
                reason: "[default] is ignored because [profile default] takes priority".to_string(),
            });
            continue;
        }
        let (category, name) = match name.prefix {
            None | Some(PROFILE_PREFIX) => (Category::Profile, name.suffix),
            Some(SSO_SESSION_PREFIX) => (Category::SsoSession, name.suffix),
            Some(_) => (Category::Other, name.raw),
        };
        definitions.push(Definition {
            name,
            section: index as u32,
            category,
            file,
        });
    }
}

/// One profile from all its definitions, in reading order: the last definition of a key wins.
fn merge_definitions<'a>(
    documents: [&'a Document; 2],
    group: &[Definition<'a>],
    ignored: &mut Vec<Ignored>,
) -> Profile<'a> {
    let section_of = |definition: &Definition| {
        let document = match definition.file {
            FileKind::Config => documents[0],
            FileKind::Credentials => documents[1],
        };
        (document, &document.sections()[definition.section as usize])
    };
    let capacity = group
        .iter()
        .map(|definition| {
            let (document, section) = section_of(definition);
            document.properties_of(section).len()
        })
        .sum();
    let mut profile = Profile {
        name: Cow::Borrowed(group[0].name),
        settings: Settings {
            entries: Vec::with_capacity(capacity),
        },
        definitions: Vec::with_capacity(group.len()),
    };
    for definition in group {
        let file = definition.file;
        let (document, section) = section_of(definition);
        profile
            .definitions
            .push(Origin::of_line(file, section.header()));
        for property in document.properties_of(section) {
            let key = document.key(property);
            let origin = Origin::of_line(file, property.line());
            if !is_valid_identifier(key) {
                ignored.push(Ignored {
                    origin,
                    reason: format!("key `{key}` is ignored because it is not a valid identifier"),
                });
                continue;
            }
            let key = if key.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(key.to_ascii_lowercase())
            } else {
                Cow::Borrowed(key)
            };
            let value = document.value(property);
            profile.settings.insert(key, Setting { value, origin });
        }
    }
    profile
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
        let raw = trim_blank(raw);
        match raw.bytes().position(|b| b == b' ' || b == b'\t') {
            Some(blank) => SectionName {
                prefix: Some(raw[..blank].trim()),
                suffix: raw[blank + 1..].trim(),
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
    input.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(b, b'_' | b'-' | b'/' | b'.' | b'%' | b'@' | b':' | b'+')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(config: &str, credentials: &str) -> ProfileSet<'static> {
        ProfileSet::read(
            &Document::parse(config).unwrap(),
            &Document::parse(credentials).unwrap(),
        )
        .into_owned()
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

    #[test]
    fn ignored_entries_are_listed_in_file_order() {
        let set = read(
            "[profile z]\nbad key = 1\n[a]\n[profile b]\nk!ey = 2\n",
            "[profile d]\n[z]\nsp ace = 3\n",
        );
        let origins: Vec<(FileKind, u32)> = set
            .ignored
            .iter()
            .map(|i| (i.origin.file, i.origin.line))
            .collect();
        assert_eq!(
            origins,
            [
                (FileKind::Config, 2),
                (FileKind::Config, 3),
                (FileKind::Config, 5),
                (FileKind::Credentials, 1),
                (FileKind::Credentials, 3),
            ]
        );
    }

    #[test]
    fn definitions_merge_in_reading_order_whatever_the_names_between() {
        let config =
            "[profile b]\nregion = 1\nout = x\n[profile a]\nregion = 2\n[profile b]\nregion = 3\n";
        let set = read(config, "[c]\nk = v\n[b]\nout = y\n");
        let b = set.get("b").unwrap();
        assert_eq!((b.get("region"), b.get("out")), (Some("3"), Some("y")));
        let lines: Vec<(FileKind, u32)> = b.definitions.iter().map(|o| (o.file, o.line)).collect();
        assert_eq!(
            lines,
            [
                (FileKind::Config, 1),
                (FileKind::Config, 6),
                (FileKind::Credentials, 3)
            ]
        );
        assert_eq!(set.profiles.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn an_unprefixed_default_is_ignored_only_beside_a_prefixed_one() {
        let set = read("[default]\nregion = 1\n[profile default]\noutput = j\n", "");
        assert_eq!(set.get("default").unwrap().get("region"), None);
        assert!(
            set.ignored[0]
                .reason
                .contains("[profile default] takes priority")
        );
        let set = read("[default]\nregion = 1\n", "");
        assert_eq!(set.get("default").unwrap().get("region"), Some("1"));
        assert!(set.ignored.is_empty());
    }
}
