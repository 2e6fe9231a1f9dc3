//! Property tests for the document model and edits, on random but realistic files.
//!
//! Files are generated from a grammar of the lines real `config` / `credentials` files hold:
//! headers for valid, invalid and duplicate names, properties with inline comments, comments,
//! blank lines, continuations, sub-property blocks, LF / CRLF / mixed endings, an optional
//! missing final newline and unicode. Every generated file parses. Properties:
//!
//! - (a) `Document::parse(x).render() == x`;
//! - (b) after each edit of a random sequence, the new files read as `Edit::expected_reading`
//!   says;
//! - (c) lines an edit need not touch stay byte-identical;
//! - (d) our reading of the generated files agrees with the Rust SDK's own parser.

use std::collections::HashMap;

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};
use credwiz::profiles::document::LineKind;
use credwiz::profiles::edit::{Reading, plain_reading};
use credwiz::profiles::reading::SectionName;
use credwiz::profiles::{Document, Edit, EditError, FileKind, ProfileSet};
use proptest::prelude::*;
use proptest::test_runner::Config;

// ---------------------------------------------------------------------------------------------
// The grammar
// ---------------------------------------------------------------------------------------------

const NAMES: &[&str] = &["a", "b", "c", "default", "x.y"];

fn pick(items: &'static [&'static str]) -> impl Strategy<Value = &'static str> + Clone {
    prop::sample::select(items)
}

fn comment() -> impl Strategy<Value = String> + Clone {
    pick(&[
        "# comment",
        "; comment",
        "#",
        "# Grüße ☃ 日本",
        ";;; [profile a]",
        "# a = b",
    ])
    .prop_map(str::to_string)
}

fn blank() -> impl Strategy<Value = String> + Clone {
    pick(&["", "", "  ", "\t"]).prop_map(str::to_string)
}

fn header_comment() -> impl Strategy<Value = &'static str> + Clone {
    pick(&["", "", "", " ; main", "   # ☃", ";x", " # see [notes]"])
}

/// A section header. With `odd_spelling`, also headers spelled differently that name the same
/// profile (the SDK merges those in random order, so they are left out when comparing with it).
fn header(file: FileKind, odd_spelling: bool) -> BoxedStrategy<String> {
    let name = pick(NAMES);
    let base: BoxedStrategy<String> = match file {
        FileKind::Config => prop_oneof![
            6 => name.clone().prop_map(|n| format!("[profile {n}]")),
            2 => Just("[default]".to_string()),
            1 => name.clone().prop_map(|n| format!("[{n}]")),
            1 => pick(&["[sso-session corp]", "[services local]", "[plugins]"])
                .prop_map(str::to_string),
            1 => pick(&["[profile a b]", "[profile bad$]", "[profile ü]"]).prop_map(str::to_string),
        ]
        .boxed(),
        FileKind::Credentials => prop_oneof![
            6 => name.clone().prop_map(|n| format!("[{n}]")),
            1 => name.clone().prop_map(|n| format!("[profile {n}]")),
            1 => pick(&["[bad$]", "[a b]", "[ü]"]).prop_map(str::to_string),
        ]
        .boxed(),
    };
    let spelled: BoxedStrategy<String> = if odd_spelling && file == FileKind::Config {
        prop_oneof![
            8 => base,
            1 => name.clone().prop_map(|n| format!("[ profile  {n} ]")),
            1 => name.prop_map(|n| format!("[profile\t{n}]")),
        ]
        .boxed()
    } else {
        base
    };
    (spelled, header_comment())
        .prop_map(|(h, c)| format!("{h}{c}"))
        .boxed()
}

/// A property line and its continuation or sub-property lines.
fn property() -> impl Strategy<Value = Vec<String>> + Clone {
    let key = prop_oneof![
        4 => pick(&["region", "output", "k", "s3", "aws_access_key_id"]),
        1 => pick(&[
            "aws_secret_access_key",
            "aws_session_token",
            "source_profile",
            "Region",
            "bad key",
            "clé",
        ]),
    ];
    let equals = pick(&[" = ", "=", "  =  ", "\t=\t", " =", "= "]);
    let value = pick(&[
        "us-east-1",
        "json",
        "AKIAIOSFODNN7EXAMPLE",
        "a",
        "b",
        "default",
        "x=y",
        "a#b",
        "v;w",
        "ünï ✓ 名前",
        "",
        "",
    ]);
    let comment = pick(&["", "", "", " # note", " ; ☃", "\t# c"]);
    let continuation = (
        pick(&["  ", "\t", "    "]),
        pick(&["more", "x = y", "# not a comment", "ü ☃"]),
    )
        .prop_map(|(i, t)| format!("{i}{t}"));
    let sub_property = (
        pick(&["  ", "\t"]),
        pick(&[
            "max_concurrent_requests = 20",
            "addressing_style=path",
            "a = b # c",
        ]),
    )
        .prop_map(|(i, t)| format!("{i}{t}"));
    (
        key,
        equals,
        value,
        comment,
        prop::collection::vec(continuation, 0..3),
        prop::collection::vec(sub_property, 0..3),
    )
        .prop_map(|(key, equals, value, comment, continuations, subs)| {
            let mut lines = vec![format!("{key}{equals}{value}{comment}")];
            if value.is_empty() {
                lines.extend(subs);
            } else {
                lines.extend(continuations);
            }
            lines
        })
}

fn body_item() -> impl Strategy<Value = Vec<String>> + Clone {
    prop_oneof![
        1 => comment().prop_map(|c| vec![c]),
        1 => blank().prop_map(|b| vec![b]),
        5 => property(),
    ]
}

#[derive(Clone, Copy, Debug)]
enum Endings {
    Lf,
    CrLf,
    Mixed,
}

/// One file's text.
fn file_text(file: FileKind, odd_spelling: bool) -> impl Strategy<Value = String> {
    let preamble = prop::collection::vec(prop_oneof![comment(), blank()], 0..3);
    let section = (
        header(file, odd_spelling),
        prop::collection::vec(body_item(), 0..5),
    );
    let sections = prop::collection::vec(section, 0..6);
    let endings = prop_oneof![
        3 => Just(Endings::Lf),
        1 => Just(Endings::CrLf),
        1 => Just(Endings::Mixed),
    ];
    (
        preamble,
        sections,
        endings,
        prop::collection::vec(any::<bool>(), 32),
        any::<bool>(),
    )
        .prop_map(|(preamble, sections, endings, mixed, final_newline)| {
            let mut lines = preamble;
            for (header, items) in sections {
                lines.push(header);
                lines.extend(items.into_iter().flatten());
            }
            let count = lines.len();
            let mut text = String::new();
            for (i, line) in lines.into_iter().enumerate() {
                text.push_str(&line);
                if i + 1 == count && !final_newline {
                    break;
                }
                let crlf = match endings {
                    Endings::Lf => false,
                    Endings::CrLf => true,
                    Endings::Mixed => mixed[i % mixed.len()],
                };
                text.push_str(if crlf { "\r\n" } else { "\n" });
            }
            text
        })
}

fn files(odd_spelling: bool) -> impl Strategy<Value = (String, String)> {
    (
        file_text(FileKind::Config, odd_spelling),
        file_text(FileKind::Credentials, odd_spelling),
    )
}

fn edit() -> impl Strategy<Value = Edit> {
    // Mostly names and keys the generated files use, so that edits hit existing definitions.
    let name = prop_oneof![
        4 => pick(&["a", "b", "default"]),
        2 => pick(&["c", "x.y"]),
        1 => pick(&["new", "n/e@w"]),
    ];
    let key = prop_oneof![
        4 => pick(&["region", "output", "k", "s3", "aws_access_key_id"]),
        1 => pick(&["Region", "source_profile", "aws_session_token", "fresh_key"]),
    ];
    let value = pick(&[
        "us-east-1",
        "json",
        "a",
        "b",
        "default",
        "x=y",
        "a#b",
        "ünï ✓",
        "",
        // Values the SDKs read differently from how they are written; `Edit::validate` must
        // refuse them (edits it refuses are skipped).
        "#x",
        ";x",
        "a\t;b",
        "a\u{a0}#b",
    ]);
    prop_oneof![
        5 => (name.clone(), key.clone(), value).prop_map(|(p, k, v)| Edit::Set {
            profile: p.into(),
            key: k.into(),
            value: v.into(),
        }),
        2 => (name.clone(), key).prop_map(|(p, k)| Edit::Unset {
            profile: p.into(),
            key: k.into(),
        }),
        1 => name.clone().prop_map(|p| Edit::Remove { profile: p.into() }),
        1 => (name.clone(), name).prop_map(|(f, t)| Edit::Rename {
            from: f.into(),
            to: t.into(),
        }),
    ]
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The file's lines, each with its own line ending.
fn raw_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn ending_of(line: &str) -> &str {
    if line.ends_with("\r\n") {
        "\r\n"
    } else if line.ends_with('\n') {
        "\n"
    } else {
        ""
    }
}

fn is_subsequence(small: &[&str], large: &[&str]) -> bool {
    let mut rest = large.iter();
    small.iter().all(|line| rest.any(|l| l == line))
}

/// Whether `document` has a section that defines `profile` in `file`.
fn has_section(document: &Document, file: FileKind, profile: &str) -> bool {
    document
        .sections()
        .iter()
        .any(|s| SectionName::parse(document.section_name(s)).profile_name(file) == Some(profile))
}

/// Checks that `new` is `old` with `count` contiguous lines inserted, the last being
/// `expected_last`, and at most the line before them gaining a line ending.
fn check_insertion(
    old: &str,
    new: &str,
    count: usize,
    expected_last: &str,
) -> Result<(), TestCaseError> {
    let old_lines = raw_lines(old);
    let new_lines = raw_lines(new);
    prop_assert_eq!(
        new_lines.len(),
        old_lines.len() + count,
        "expected {} inserted line(s):\nold {:?}\nnew {:?}",
        count,
        old,
        new
    );
    let fits = |at: usize| -> bool {
        let inserted = &new_lines[at..at + count];
        let body = inserted[count - 1].trim_end_matches(['\r', '\n']);
        if body != expected_last || inserted.iter().any(|l| ending_of(l).is_empty()) {
            return false;
        }
        let before_ok = old_lines[..at]
            .iter()
            .zip(&new_lines[..at])
            .enumerate()
            .all(|(i, (o, n))| {
                o == n
                    || (i + 1 == at && at == old_lines.len() && ending_of(o).is_empty() && {
                        let gained = &n[o.len()..];
                        n.starts_with(o) && (gained == "\n" || gained == "\r\n")
                    })
            });
        before_ok && old_lines[at..] == new_lines[at + count..]
    };
    prop_assert!(
        (0..=old_lines.len()).any(fits),
        "not an insertion of {} line(s) ending with {:?}:\nold {:?}\nnew {:?}",
        count,
        expected_last,
        old,
        new
    );
    Ok(())
}

/// Checks that `new` is `old` with the property at `line` (and its continuation lines) replaced
/// by one line that keeps the text around the value.
fn check_replacement(
    old_document: &Document,
    old: &str,
    new: &str,
    line: usize,
    value: &str,
) -> Result<(), TestCaseError> {
    let property = old_document
        .properties()
        .iter()
        .find(|p| p.line() == line)
        .expect("the setting's origin is a property line");
    let old_lines = raw_lines(old);
    let new_lines = raw_lines(new);
    let removed = property.last_line() - property.line();
    prop_assert_eq!(
        new_lines.len() + removed,
        old_lines.len(),
        "{:?} -> {:?}",
        old,
        new
    );
    prop_assert_eq!(
        &old_lines[..line],
        &new_lines[..line],
        "{:?} -> {:?}",
        old,
        new
    );
    prop_assert_eq!(
        &old_lines[property.last_line() + 1..],
        &new_lines[line + 1..],
        "{:?} -> {:?}",
        old,
        new
    );
    let original = &old_document.lines()[line];
    let text = old_document.text();
    let line_span = original.span.range();
    let value_span = property.value.range();
    let replaced = new_lines[line];
    let prefix = text[line_span.start..value_span.start].trim_end_matches([' ', '\t']);
    let suffix = format!(
        "{}{}",
        &text[value_span.end..line_span.end],
        original.ending.as_str()
    );
    prop_assert!(
        replaced.starts_with(prefix) && replaced.ends_with(&suffix) && replaced.contains(value),
        "line {} became {:?} (was {:?})",
        line,
        replaced,
        old_lines[line]
    );
    Ok(())
}

/// Applies `edits` in turn and checks properties (b) and (c) after each.
fn check_edits(config: &str, credentials: &str, edits: &[Edit]) -> Result<(), TestCaseError> {
    let mut texts = [config.to_string(), credentials.to_string()];
    for edit in edits {
        let docs = [
            Document::parse(&texts[0]).expect("parses"),
            Document::parse(&texts[1]).expect("parses"),
        ];
        let before_set = ProfileSet::read(&docs[0], &docs[1]);
        let before: Reading = plain_reading(&before_set);
        let changes = match edit.apply(&docs[0], &docs[1]) {
            Ok(changes) => changes,
            Err(EditError::NoSuchProfile(name)) => {
                prop_assert!(before_set.get(&name).is_none(), "{:?}", edit);
                continue;
            }
            Err(EditError::ProfileExists(name)) => {
                prop_assert!(before_set.get(&name).is_some(), "{:?}", edit);
                continue;
            }
            Err(EditError::ShadowedDefault) => {
                let names: Vec<SectionName> = docs[0]
                    .sections()
                    .iter()
                    .map(|s| SectionName::parse(docs[0].section_name(s)))
                    .collect();
                prop_assert!(
                    names.iter().any(SectionName::is_prefixed_default)
                        && names.iter().any(SectionName::is_unprefixed_default),
                    "{:?}",
                    edit
                );
                continue;
            }
            Err(error) => {
                prop_assert!(edit.validate().is_err(), "{:?}: {}", edit, error);
                continue;
            }
        };
        let new_texts = [
            changes.config.clone().unwrap_or_else(|| texts[0].clone()),
            changes
                .credentials
                .clone()
                .unwrap_or_else(|| texts[1].clone()),
        ];
        let new_docs = [
            Document::parse(&new_texts[0]),
            Document::parse(&new_texts[1]),
        ];
        let (Ok(new_config), Ok(new_credentials)) = (&new_docs[0], &new_docs[1]) else {
            return Err(TestCaseError::fail(format!(
                "{edit:?} produced a file that does not parse: {new_docs:?}\n{new_texts:?}"
            )));
        };
        // (a) on the edited files too.
        prop_assert_eq!(&new_config.render(), &new_texts[0]);
        prop_assert_eq!(&new_credentials.render(), &new_texts[1]);
        // (b)
        let after = plain_reading(&ProfileSet::read(new_config, new_credentials));
        let expected = edit.expected_reading(&before);
        prop_assert_eq!(
            &after,
            &expected,
            "{:?} on\n--- config\n{:?}\n--- credentials\n{:?}\ngave\n--- config\n{:?}\n--- credentials\n{:?}",
            edit,
            texts[0],
            texts[1],
            new_texts[0],
            new_texts[1]
        );
        // (c)
        let index = |file: FileKind| match file {
            FileKind::Config => 0,
            FileKind::Credentials => 1,
        };
        match edit {
            Edit::Set {
                profile,
                key,
                value,
            } => {
                let key = key.to_ascii_lowercase();
                let changed: Vec<FileKind> = [FileKind::Config, FileKind::Credentials]
                    .into_iter()
                    .filter(|f| changes.for_file(*f).is_some())
                    .collect();
                prop_assert_eq!(changed.len(), 1, "{:?} changed {:?}", edit, changed);
                let file = changed[0];
                let i = index(file);
                let existing = before_set.get(profile).and_then(|p| p.settings.get(&key));
                match existing {
                    Some(setting) => {
                        prop_assert_eq!(setting.origin.file, file, "{:?}", edit);
                        check_replacement(
                            &docs[i],
                            &texts[i],
                            &new_texts[i],
                            setting.origin.line as usize - 1,
                            value,
                        )?;
                    }
                    None => {
                        let count = if has_section(&docs[i], file, profile) {
                            1
                        } else {
                            2
                        };
                        check_insertion(
                            &texts[i],
                            &new_texts[i],
                            count,
                            &format!("{key} = {value}"),
                        )?;
                    }
                }
            }
            Edit::Unset { .. } | Edit::Remove { .. } => {
                for i in 0..2 {
                    prop_assert!(
                        is_subsequence(&raw_lines(&new_texts[i]), &raw_lines(&texts[i])),
                        "{:?}: {:?} is not a subsequence of {:?}",
                        edit,
                        new_texts[i],
                        texts[i]
                    );
                }
            }
            Edit::RequireAbsent { .. } => {
                prop_assert_eq!(&new_texts[..], &texts[..], "a precondition changes nothing");
            }
            Edit::Rename { .. } => {
                for i in 0..2 {
                    let old_lines = raw_lines(&texts[i]);
                    let new_lines = raw_lines(&new_texts[i]);
                    prop_assert_eq!(old_lines.len(), new_lines.len());
                    for (n, (o, line)) in old_lines.iter().zip(&new_lines).enumerate() {
                        if o == line {
                            continue;
                        }
                        let is_header = docs[i].lines()[n].kind == LineKind::Header;
                        let is_reference = docs[i].properties().iter().any(|property| {
                            property.line() == n && docs[i].key_is(property, "source_profile")
                        });
                        prop_assert!(
                            is_header || is_reference,
                            "{:?} changed line {} {:?} -> {:?}",
                            edit,
                            n,
                            o,
                            line
                        );
                        prop_assert_eq!(ending_of(o), ending_of(line));
                    }
                }
            }
        }
        texts = new_texts;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The SDK's reading, for (d)
// ---------------------------------------------------------------------------------------------

fn sdk_agrees(config: &str, credentials: &str) -> Result<(), TestCaseError> {
    let home = "/home/props";
    let mut map: HashMap<String, Vec<u8>> = HashMap::new();
    map.insert(format!("{home}/.aws/config"), config.as_bytes().to_vec());
    map.insert(
        format!("{home}/.aws/credentials"),
        credentials.as_bytes().to_vec(),
    );
    let fs = Fs::from_map(map);
    let env = Env::from_slice(&[("HOME", home)]);
    let files = EnvConfigFiles::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let sdk = runtime
        .block_on(aws_config::profile::load(&fs, &env, &files, None))
        .map_err(|e| TestCaseError::fail(format!("the SDK refuses a generated file: {e}")))?;
    let (config, credentials) = (
        Document::parse(config).unwrap(),
        Document::parse(credentials).unwrap(),
    );
    let ours = ProfileSet::read(&config, &credentials);
    let mut sdk_names: Vec<&str> = sdk.profiles().collect();
    sdk_names.sort_unstable();
    let our_names: Vec<&str> = ours.profiles.keys().map(AsRef::as_ref).collect();
    prop_assert_eq!(&our_names, &sdk_names);
    for (name, profile) in &ours.profiles {
        let theirs = sdk.get_profile(name).unwrap();
        for (key, setting) in &profile.settings {
            prop_assert_eq!(
                theirs.get(key),
                Some(setting.value.as_ref()),
                "[{}] {}",
                name,
                key
            );
        }
    }
    let mut sdk_sessions: Vec<&str> = sdk.sso_sessions().collect();
    sdk_sessions.sort_unstable();
    let our_sessions: Vec<&str> = ours.sso_sessions.keys().map(AsRef::as_ref).collect();
    prop_assert_eq!(our_sessions, sdk_sessions);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

fn config() -> Config {
    Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// (a) Rendering an unedited document gives back its input, byte for byte.
    #[test]
    fn parse_then_render_is_identity((config, credentials) in files(true)) {
        for text in [&config, &credentials] {
            let document = Document::parse(text);
            prop_assert!(document.is_ok(), "a generated file does not parse: {:?}: {:?}", text, document);
            prop_assert_eq!(&document.unwrap().render(), text);
        }
    }

    /// (b) and (c) over random edit sequences.
    #[test]
    fn edits_read_as_intended_and_touch_only_their_lines(
        (config, credentials) in files(true),
        edits in prop::collection::vec(edit(), 1..5),
    ) {
        check_edits(&config, &credentials, &edits)?;
    }

    /// (d) The generated files read the same through the SDK's parser.
    #[test]
    fn generated_files_read_as_the_sdk_reads_them((config, credentials) in files(false)) {
        sdk_agrees(&config, &credentials)?;
    }
}
