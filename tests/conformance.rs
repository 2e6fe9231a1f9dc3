//! Conformance of the profile engine with the AWS SDKs.
//!
//! - Every case of the SDK team's shared test suite (`../shared/aws-profile-suite/`, read in
//!   place) runs against `Document::parse` + `ProfileSet::read` and against `location::locate`.
//! - The same inputs, plus a set of extra tricky ones, are also read by the Rust SDK's own parser
//!   (`aws_config::profile::load`), and the two readings must agree: same profile names, same
//!   values for every key we report, same sso-sessions, and a parse error exactly when the SDK
//!   has one (on the same line).

use std::collections::{BTreeMap, HashMap};
use std::error::Error as _;
use std::path::PathBuf;

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};
use credwiz::profiles::location::{Platform, locate};
use credwiz::profiles::{Document, ProfileSet};
use serde::Deserialize;

type Sections = BTreeMap<String, BTreeMap<String, String>>;

fn suite_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/aws-profile-suite")
        .join(name)
}

fn read_suite<T: for<'de> Deserialize<'de>>(name: &str) -> T {
    let path = suite_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

#[derive(Deserialize)]
struct ParserSuite {
    tests: Vec<ParserCase>,
}

#[derive(Deserialize)]
struct ParserCase {
    name: String,
    input: ParserInput,
    output: ParserOutput,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
struct ParserInput {
    config_file: Option<String>,
    credentials_file: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum ParserOutput {
    Config {
        profiles: Sections,
        #[serde(default)]
        sso_sessions: Sections,
    },
    ErrorContaining(String),
}

#[derive(Deserialize)]
struct LocationSuite {
    tests: Vec<LocationCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LocationCase {
    name: String,
    environment: HashMap<String, String>,
    platform: String,
    profile: Option<String>,
    config_location: String,
    credentials_location: String,
}

/// Our reading of both files: profiles and sso-sessions, or the first parse error.
#[derive(Debug, PartialEq)]
struct OurReading {
    profiles: Sections,
    sso_sessions: Sections,
}

#[derive(Debug)]
struct OurError {
    file: &'static str,
    line: usize,
    message: String,
}

fn our_read(config: &str, credentials: &str) -> Result<OurReading, OurError> {
    let parse = |file: &'static str, text: &str| {
        Document::parse(text).map_err(|e| OurError {
            file,
            line: e.line,
            message: e.to_string(),
        })
    };
    let config = parse("config", config)?;
    let credentials = parse("credentials", credentials)?;
    let set = ProfileSet::read(&config, &credentials);
    let plain = |map: &credwiz::profiles::reading::Sections| -> Sections {
        map.iter()
            .map(|(name, profile)| {
                let settings = profile
                    .settings
                    .iter()
                    .map(|(k, s)| (k.to_string(), s.value.to_string()))
                    .collect();
                (name.to_string(), settings)
            })
            .collect()
    };
    Ok(OurReading {
        profiles: plain(&set.profiles),
        sso_sessions: plain(&set.sso_sessions),
    })
}

#[test]
fn every_profile_parser_case_passes() {
    let suite: ParserSuite = read_suite("profile-parser-tests.json");
    let mut ran = 0;
    let mut failures = Vec::new();
    for case in &suite.tests {
        ran += 1;
        let config = case.input.config_file.as_deref().unwrap_or("");
        let credentials = case.input.credentials_file.as_deref().unwrap_or("");
        let result = our_read(config, credentials);
        match (&case.output, result) {
            (
                ParserOutput::Config {
                    profiles,
                    sso_sessions,
                },
                Ok(reading),
            ) => {
                if &reading.profiles != profiles {
                    failures.push(format!(
                        "{}: profiles differ\nexpected {profiles:#?}\nactual {:#?}",
                        case.name, reading.profiles
                    ));
                }
                if &reading.sso_sessions != sso_sessions {
                    failures.push(format!(
                        "{}: sso_sessions differ\nexpected {sso_sessions:#?}\nactual {:#?}",
                        case.name, reading.sso_sessions
                    ));
                }
            }
            (ParserOutput::Config { .. }, Err(error)) => {
                failures.push(format!("{}: unexpected parse error {error:?}", case.name));
            }
            (ParserOutput::ErrorContaining(expected), Err(error)) => {
                if !error.message.contains(expected) {
                    failures.push(format!(
                        "{}: error {:?} does not contain {expected:?}",
                        case.name, error.message
                    ));
                }
            }
            (ParserOutput::ErrorContaining(expected), Ok(reading)) => {
                failures.push(format!(
                    "{}: expected an error containing {expected:?}, got {reading:?}",
                    case.name
                ));
            }
        }
    }
    assert_eq!(ran, 65, "the suite should have 65 parser cases");
    assert_eq!(ran, suite.tests.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_file_location_case_passes() {
    let suite: LocationSuite = read_suite("file-location-tests.json");
    let mut ran = 0;
    let mut failures = Vec::new();
    for case in &suite.tests {
        ran += 1;
        let platform = match case.platform.as_str() {
            "windows" => Platform::Windows,
            "linux" | "macos" => Platform::Unix,
            other => panic!("{}: unknown platform {other}", case.name),
        };
        let env = |name: &str| case.environment.get(name).cloned();
        let located = locate(&env, platform);
        if located.config != case.config_location {
            failures.push(format!(
                "{}: config {:?} != {:?}",
                case.name, located.config, case.config_location
            ));
        }
        if located.credentials != case.credentials_location {
            failures.push(format!(
                "{}: credentials {:?} != {:?}",
                case.name, located.credentials, case.credentials_location
            ));
        }
        if let Some(profile) = &case.profile
            && &located.profile != profile
        {
            failures.push(format!(
                "{}: profile {:?} != {profile:?}",
                case.name, located.profile
            ));
        }
    }
    assert_eq!(ran, 9, "the suite should have 9 file-location cases");
    assert_eq!(ran, suite.tests.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Cross-check with the Rust SDK's own parser.
// ---------------------------------------------------------------------------------------------

const HOME: &str = "/home/conformance";

/// What the SDK read: its profile names, and a handle to look values up.
#[derive(Debug)]
struct SdkReading {
    set: aws_config::profile::ProfileSet,
}

#[derive(Debug)]
struct SdkError {
    /// The line number in the SDK's parse error, when it names one.
    line: Option<usize>,
    message: String,
}

fn sdk_read(config: Option<&str>, credentials: Option<&str>) -> Result<SdkReading, SdkError> {
    let mut files: HashMap<String, Vec<u8>> = HashMap::new();
    if let Some(config) = config {
        files.insert(format!("{HOME}/.aws/config"), config.as_bytes().to_vec());
    }
    if let Some(credentials) = credentials {
        files.insert(
            format!("{HOME}/.aws/credentials"),
            credentials.as_bytes().to_vec(),
        );
    }
    let fs = Fs::from_map(files);
    let env = Env::from_slice(&[("HOME", HOME)]);
    let profile_files = EnvConfigFiles::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime
        .block_on(aws_config::profile::load(&fs, &env, &profile_files, None))
        .map(|set| SdkReading { set })
        .map_err(|error| {
            let mut message = error.to_string();
            let mut source = error.source();
            while let Some(inner) = source {
                message.push_str(": ");
                message.push_str(&inner.to_string());
                source = inner.source();
            }
            let line = message.split(" on line ").nth(1).and_then(|rest| {
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|n| n.parse().ok())
            });
            SdkError { line, message }
        })
}

/// Compares our reading of the inputs with the SDK's; returns a description of each difference.
fn compare_with_sdk(label: &str, config: Option<&str>, credentials: Option<&str>) -> Vec<String> {
    let ours = our_read(config.unwrap_or(""), credentials.unwrap_or(""));
    let sdk = sdk_read(config, credentials);
    let mut problems = Vec::new();
    match (ours, sdk) {
        (Ok(ours), Ok(sdk)) => {
            let mut sdk_names: Vec<&str> = sdk.set.profiles().collect();
            sdk_names.sort_unstable();
            let our_names: Vec<&str> = ours.profiles.keys().map(String::as_str).collect();
            if our_names != sdk_names {
                problems.push(format!(
                    "{label}: profile names differ: ours {our_names:?}, SDK {sdk_names:?}"
                ));
            }
            for (name, settings) in &ours.profiles {
                let Some(profile) = sdk.set.get_profile(name) else {
                    continue;
                };
                for (key, value) in settings {
                    if profile.get(key) != Some(value.as_str()) {
                        problems.push(format!(
                            "{label}: [{name}] {key}: ours {value:?}, SDK {:?}",
                            profile.get(key)
                        ));
                    }
                }
            }
            let mut sdk_sessions: Vec<&str> = sdk.set.sso_sessions().collect();
            sdk_sessions.sort_unstable();
            let our_sessions: Vec<&str> = ours.sso_sessions.keys().map(String::as_str).collect();
            if our_sessions != sdk_sessions {
                problems.push(format!(
                    "{label}: sso-session names differ: ours {our_sessions:?}, SDK {sdk_sessions:?}"
                ));
            }
            for (name, settings) in &ours.sso_sessions {
                let Some(session) = sdk.set.sso_session(name) else {
                    continue;
                };
                for (key, value) in settings {
                    if session.get(key) != Some(value.as_str()) {
                        problems.push(format!(
                            "{label}: [sso-session {name}] {key}: ours {value:?}, SDK {:?}",
                            session.get(key)
                        ));
                    }
                }
            }
        }
        (Err(ours), Err(sdk)) => {
            // Both refuse; the SDK names the file-relative line, as we do.
            if let Some(line) = sdk.line
                && line != ours.line
            {
                problems.push(format!(
                    "{label}: both refuse, but on different lines: ours {} line {} ({}), SDK line {line} ({})",
                    ours.file, ours.line, ours.message, sdk.message
                ));
            }
        }
        (Ok(ours), Err(sdk)) => problems.push(format!(
            "{label}: the SDK refuses ({}) but we read {ours:?}",
            sdk.message
        )),
        (Err(ours), Ok(_)) => problems.push(format!(
            "{label}: we refuse ({} line {}: {}) but the SDK reads it",
            ours.file, ours.line, ours.message
        )),
    }
    problems
}

#[test]
fn the_sdk_parser_agrees_on_every_suite_case() {
    let suite: ParserSuite = read_suite("profile-parser-tests.json");
    let mut problems = Vec::new();
    for case in &suite.tests {
        problems.extend(compare_with_sdk(
            &case.name,
            case.input.config_file.as_deref(),
            case.input.credentials_file.as_deref(),
        ));
    }
    assert_eq!(suite.tests.len(), 65);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Inputs beyond the suite, as (label, config, credentials).
fn tricky_inputs() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        // Comments.
        (
            "comment characters",
            "# top\n; top\n[profile a] # c\nk1 = v # c\nk2 = v;c\nk3 = v#c\nk4 = v ;c\nk5 = v\t#c\nk6 = v\t;c\nk7 =# c\nk8 = ;\n",
            "",
        ),
        (
            "comments after headers",
            "[profile a];c\n[profile b]#c\n[profile c] ; x ] y\n[ profile  d ]   # c\nk = v\n",
            "[e];c\nk = v\n[f] # [g]\nk = v\n",
        ),
        (
            "unicode whitespace before a comment character",
            "[profile a]\nk1 = v\u{a0}#c\nk2 = v\u{3000};c\nk3 = v\u{2003}x\nk4 = v\u{c}#c\n",
            "",
        ),
        (
            "indented comments are continuations",
            "[profile a]\nk = v\n  # not a comment\n\t; nor this\n",
            "",
        ),
        ("comment-only files", "# a\n; b\n", "# c\n"),
        // Continuations.
        (
            "continuations",
            "[profile a]\nk = v\n  more\n\tstill\n\n  after blank\n# comment\n  after comment\nj = 1\n",
            "[a]\nx = y\n    z = w\n",
        ),
        (
            "continuations with comment-like text",
            "[profile a]\nk = v\n  text # kept\n  ; kept too\n",
            "",
        ),
        (
            "continuation of a duplicate key",
            "[profile a]\nk = 1\n  one\nk = 2\n  two\n",
            "",
        ),
        (
            "continuation after a header",
            "[profile a]\nk = v\n[profile b]\n  c\n",
            "",
        ),
        ("continuation before any section", "  c\n[profile a]\n", ""),
        // Sub-properties.
        (
            "sub-properties",
            "[profile a]\ns3 =\n  max_concurrent_requests = 20\n  addressing_style=path\n\n  x = y # z\nregion = r\n",
            "",
        ),
        (
            "sub-properties with a comment after the empty value",
            "[profile a]\ns3 = # c\n  a = b\n",
            "",
        ),
        (
            "sub-property block with a column-0 comment",
            "[profile a]\ns3 =\n  a = b\n# comment\n  c = d\n",
            "",
        ),
        (
            "sub-property block with an indented comment",
            "[profile a]\ns3 =\n  # comment\n",
            "",
        ),
        (
            "sub-property block with a commented name",
            "[profile a]\ns3 =\n  # a = b\n",
            "",
        ),
        (
            "sub-property without a value",
            "[profile a]\ns3 =\n  a =\n",
            "",
        ),
        (
            "services section",
            "[services my-services]\ns3 =\n  endpoint_url = http://localhost\n[profile a]\nservices = my-services\n",
            "",
        ),
        // Duplicates.
        (
            "duplicate sections and keys",
            "[profile a]\nk = 1\nj = 1\n[profile b]\nk = b\n[profile a]\nk = 2\nK = 3\n",
            "[a]\nx = 1\n[a]\nx = 2\n",
        ),
        (
            "duplicate sections with different spelling, different keys",
            "[profile a]\nk = 1\n[profile  a]\nj = 2\n[ profile a ]\ni = 3\n",
            "",
        ),
        (
            "credentials win over config",
            "[profile a]\nregion = config\noutput = json\n",
            "[a]\nregion = credentials\n",
        ),
        // Line endings.
        (
            "CRLF",
            "[profile a]\r\nk = v\r\ns3 =\r\n  a = b\r\n\r\nj = w # c\r\n",
            "[a]\r\nx = y\r\n  more\r\n",
        ),
        (
            "mixed line endings and a missing final newline",
            "[profile a]\nk = v\r\nj = w",
            "[a]\r\nx = y\ny = z",
        ),
        (
            "lone carriage returns",
            "[profile a]\nk = a\rb\nj = v\r",
            "",
        ),
        (
            "a line that is only a carriage return",
            "[profile a]\n\r\n",
            "",
        ),
        // Default.
        (
            "default and profile default in config",
            "[default]\nk = 1\nj = 1\n[profile default]\nk = 2\n",
            "[default]\nx = 3\n",
        ),
        (
            "profile default before default",
            "[profile default]\nk = 2\n[default]\nk = 1\n",
            "",
        ),
        (
            "profile default in credentials",
            "",
            "[profile default]\nk = 1\n[default]\nj = 2\n",
        ),
        // Unicode.
        (
            "unicode values and comments",
            "# комментарий ☃\n[profile a] ; ☃\nk = värde ✓ # 注释\nj = 日本語\n",
            "[a]\nk = ünïcödé\n",
        ),
        (
            "unicode names and keys",
            "[profile ünï]\nk = v\n[profile a]\nkéy = v\nk = v\n",
            "[ünï]\nk = v\n",
        ),
        // Invalid names and keys.
        (
            "invalid profile names",
            "[profile a b]\nk = v\n[profile a$]\nk = v\n[a]\nk = v\n[profile]\nk = v\n[]\nk = v\n[profile ok-_/.%@:+]\nk = v\n",
            "[profile c]\nk = v\n[c d]\nk = v\n[sso-session s]\nk = v\n[ok-_/.%@:+]\nk = v\n",
        ),
        (
            "invalid keys",
            "[profile a]\nk k = v\nk$ = v\nok-_/.%@:+ = v\n",
            "",
        ),
        (
            "sso sessions",
            "[sso-session s]\nsso_region = r\n[sso-session bad name]\nk = v\n[profile a]\nsso_session = s\n",
            "",
        ),
        (
            "unknown prefixes and tabs in headers",
            "[plugins x]\nk = v\n[profile\ta]\nk = v\n[sso-session\ts]\nk = v\n",
            "",
        ),
        // Whitespace and equals signs.
        (
            "whitespace and equals signs",
            "[profile a]\nk=v\n  j  =  w  \nx = a=b\ny =\t\tz\t\nz = \n",
            "",
        ),
        // Errors.
        ("header without a closing bracket", "[profile a\n", ""),
        (
            "header closed only inside a comment",
            "[profile a ; ]\n",
            "",
        ),
        ("property without an equals sign", "[profile a]\nk\n", ""),
        ("property without a name", "[profile a]\n = v\n", ""),
        ("property before any section", "k = v\n[profile a]\n", ""),
        (
            "error in the credentials file",
            "[profile a]\n",
            "[a]\nk = v\nbad\n",
        ),
        (
            "sub-property without an equals sign",
            "[profile a]\ns3 =\n  x\n",
            "",
        ),
        (
            "sub-property without a name",
            "[profile a]\ns3 =\n  = x\n",
            "",
        ),
        ("byte-order mark", "\u{feff}[profile a]\nk = v\n", ""),
        (
            "byte-order mark on a comment",
            "\u{feff}# c\n[profile a]\n",
            "",
        ),
        ("header indented", "[profile a]\nk = v\n [profile b]\n", ""),
    ]
}

#[test]
fn the_sdk_parser_agrees_on_tricky_inputs() {
    let inputs = tricky_inputs();
    let mut problems = Vec::new();
    for (label, config, credentials) in &inputs {
        problems.extend(compare_with_sdk(label, Some(config), Some(credentials)));
        // The same text as the other file kind, where the rules differ.
        problems.extend(compare_with_sdk(
            &format!("{label} (swapped)"),
            Some(credentials),
            Some(config),
        ));
    }
    assert!(inputs.len() >= 40);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn missing_files_read_as_empty_as_the_sdk_does() {
    for (config, credentials) in [
        (None, None),
        (Some("[profile a]\nk = v\n"), None),
        (None, Some("[a]\nk = v\n")),
    ] {
        let problems = compare_with_sdk("missing files", config, credentials);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// Inputs credwiz refuses on purpose although the SDKs read them: NUL bytes and oversized files.
#[test]
fn credwiz_refuses_some_inputs_the_sdk_reads() {
    let nul = "[profile a]\nk = a\0b\n";
    assert!(sdk_read(Some(nul), None).is_ok());
    let error = Document::parse(nul).unwrap_err();
    assert_eq!(error.line, 2);
    assert!(error.message.contains("NUL"), "{}", error.message);

    let long_line = format!("[profile a]\nk = {}\n", "x".repeat(1024 * 1024));
    assert!(sdk_read(Some(&long_line), None).is_ok());
    let error = Document::parse(&long_line).unwrap_err();
    assert_eq!(error.line, 2);
}

/// The cross-check is not vacuous: the SDK sees the files and reports lines.
#[test]
fn the_sdk_cross_check_sees_the_files() {
    let reading = sdk_read(Some("[profile a]\nk = v\n"), Some("[b]\nj = w\n")).unwrap();
    let mut names: Vec<&str> = reading.set.profiles().collect();
    names.sort_unstable();
    assert_eq!(names, ["a", "b"]);
    let error = sdk_read(Some("[profile a]\nk = v\nbad\n"), None).unwrap_err();
    assert_eq!(error.line, Some(3), "{}", error.message);
}
