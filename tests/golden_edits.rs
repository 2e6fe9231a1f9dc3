//! Byte-exact golden edits: for each edit on a given pair of files, the exact text it produces.
//!
//! The first part runs `Edit::apply` on in-memory documents; every case also checks that the
//! new files read as `Edit::expected_reading` says. The second part goes through
//! `store::write_edits` on real temporary files: permissions, backups, symlinks, refusals of
//! unparseable files and clear I/O errors.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use credwiz::profiles::edit::plain_reading;
use credwiz::profiles::store::{FilePaths, StoreError, backup_path, write_edits};
use credwiz::profiles::{Changes, Document, Edit, EditError, ProfileSet, Repair};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn set(profile: &str, key: &str, value: &str) -> Edit {
    Edit::Set {
        profile: profile.into(),
        key: key.into(),
        value: value.into(),
    }
}

fn unset(profile: &str, key: &str) -> Edit {
    Edit::Unset {
        profile: profile.into(),
        key: key.into(),
    }
}

fn remove(profile: &str) -> Edit {
    Edit::Remove {
        profile: profile.into(),
    }
}

fn rename(from: &str, to: &str) -> Edit {
    Edit::Rename {
        from: from.into(),
        to: to.into(),
    }
}

fn changes(edit: &Edit, config: &str, credentials: &str) -> Changes {
    let config_doc = Document::parse(config).expect("config parses");
    let credentials_doc = Document::parse(credentials).expect("credentials parse");
    edit.apply(&config_doc, &credentials_doc)
        .unwrap_or_else(|e| panic!("{edit:?} failed: {e}"))
}

/// Applies `edit` and returns the new (config, credentials) texts, checking on the way that the
/// result parses and reads as `expected_reading` says.
fn edited(edit: &Edit, config: &str, credentials: &str) -> (String, String) {
    let before = plain_reading(&ProfileSet::read(
        &Document::parse(config).unwrap(),
        &Document::parse(credentials).unwrap(),
    ));
    let changes = changes(edit, config, credentials);
    let new_config = changes.config.unwrap_or_else(|| config.to_string());
    let new_credentials = changes
        .credentials
        .unwrap_or_else(|| credentials.to_string());
    let after = plain_reading(&ProfileSet::read(
        &Document::parse(&new_config).expect("the edited config parses"),
        &Document::parse(&new_credentials).expect("the edited credentials parse"),
    ));
    assert_eq!(
        after,
        edit.expected_reading(&before),
        "{edit:?} does not read back as intended:\n--- config\n{new_config}\n--- credentials\n{new_credentials}"
    );
    (new_config, new_credentials)
}

fn edited_config(edit: &Edit, config: &str) -> String {
    edited(edit, config, "").0
}

fn edited_credentials(edit: &Edit, credentials: &str) -> String {
    edited(edit, "", credentials).1
}

// ---------------------------------------------------------------------------------------------
// Comments
// ---------------------------------------------------------------------------------------------

const COMMENTED: &str = "\
# Work account
# (managed by credwiz)
[profile work] ; main
region = us-east-1 # home region
output = json

# Personal
[profile personal]
region = eu-west-1
";

#[test]
fn set_existing_key_keeps_its_inline_comment() {
    assert_eq!(
        edited_config(&set("work", "region", "eu-central-1"), COMMENTED),
        COMMENTED.replace(
            "region = us-east-1 # home region",
            "region = eu-central-1 # home region"
        )
    );
}

#[test]
fn set_new_key_goes_after_the_last_key_before_blank_and_comments() {
    assert_eq!(
        edited_config(&set("work", "cli_pager", "less"), COMMENTED),
        COMMENTED.replace("output = json\n", "output = json\ncli_pager = less\n")
    );
}

#[test]
fn set_keeps_semicolon_and_tab_comments_and_odd_spacing() {
    assert_eq!(
        edited_config(
            &set("a", "region", "r2"),
            "[profile a]\nregion\t=\tr1\t; why\nk=v\n"
        ),
        "[profile a]\nregion\t=\tr2\t; why\nk=v\n"
    );
}

#[test]
fn set_on_an_empty_value_with_a_comment() {
    assert_eq!(
        edited_config(
            &set("a", "region", "r"),
            "[profile a]\nregion =  ; none yet\n"
        ),
        "[profile a]\nregion = r  ; none yet\n"
    );
    assert_eq!(
        edited_config(&set("a", "region", "r"), "[profile a]\nregion=\n"),
        "[profile a]\nregion= r\n"
    );
}

#[test]
fn remove_takes_its_header_comments_and_keeps_the_next_sections() {
    assert_eq!(
        edited_config(&remove("work"), COMMENTED),
        "# Personal\n[profile personal]\nregion = eu-west-1\n"
    );
}

#[test]
fn remove_keeps_the_comments_attached_above_the_next_section() {
    assert_eq!(
        edited_config(
            &remove("a"),
            "# top\n\n[profile a]\nk = v\n# about b\n# more about b\n[profile b]\nk = v\n"
        ),
        "# top\n\n# about b\n# more about b\n[profile b]\nk = v\n"
    );
}

#[test]
fn remove_the_last_section_keeps_what_precedes_it() {
    assert_eq!(
        edited_config(&remove("personal"), COMMENTED),
        COMMENTED.replace("# Personal\n[profile personal]\nregion = eu-west-1\n", "")
    );
}

// ---------------------------------------------------------------------------------------------
// Line endings
// ---------------------------------------------------------------------------------------------

#[test]
fn crlf_new_key_takes_crlf() {
    assert_eq!(
        edited_credentials(
            &set("default", "aws_session_token", "token"),
            "[default]\r\naws_access_key_id = AKIAEXAMPLE\r\n\r\n[other]\r\nk = v\r\n"
        ),
        "[default]\r\naws_access_key_id = AKIAEXAMPLE\r\naws_session_token = token\r\n\r\n[other]\r\nk = v\r\n"
    );
}

#[test]
fn crlf_new_section_takes_crlf() {
    assert_eq!(
        edited_credentials(
            &set("b", "aws_access_key_id", "AKIAB"),
            "[a]\r\naws_access_key_id = AKIAA\r\n"
        ),
        "[a]\r\naws_access_key_id = AKIAA\r\n[b]\r\naws_access_key_id = AKIAB\r\n"
    );
}

#[test]
fn crlf_replaced_value_keeps_crlf() {
    assert_eq!(
        edited_config(&set("a", "region", "y"), "[profile a]\r\nregion = x\r\n"),
        "[profile a]\r\nregion = y\r\n"
    );
}

#[test]
fn crlf_file_without_final_newline_gets_crlf_first() {
    assert_eq!(
        edited_config(&set("b", "region", "y"), "[profile a]\r\nregion = x"),
        "[profile a]\r\nregion = x\r\n[profile b]\r\nregion = y\r\n"
    );
}

#[test]
fn mixed_endings_keep_each_line_ending() {
    assert_eq!(
        edited_config(
            &set("a", "output", "json"),
            "[profile a]\nregion = x\r\n[profile b]\r\nk = v\n"
        ),
        "[profile a]\nregion = x\r\noutput = json\n[profile b]\r\nk = v\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Missing final newline
// ---------------------------------------------------------------------------------------------

#[test]
fn new_section_in_a_file_without_final_newline_gets_a_newline_first() {
    assert_eq!(
        edited_credentials(
            &set("b", "aws_access_key_id", "AKIAB"),
            "[a]\naws_access_key_id = AKIAA"
        ),
        "[a]\naws_access_key_id = AKIAA\n[b]\naws_access_key_id = AKIAB\n"
    );
}

#[test]
fn new_key_at_the_end_of_a_file_without_final_newline() {
    assert_eq!(
        edited_config(&set("a", "output", "json"), "[profile a]\nregion = x"),
        "[profile a]\nregion = x\noutput = json\n"
    );
}

#[test]
fn replaced_value_on_the_last_line_keeps_the_missing_newline() {
    assert_eq!(
        edited_config(&set("a", "region", "y"), "[profile a]\nregion = x"),
        "[profile a]\nregion = y"
    );
}

#[test]
fn new_key_in_a_middle_section_leaves_the_missing_final_newline() {
    assert_eq!(
        edited_config(
            &set("a", "output", "json"),
            "[profile a]\nregion = x\n[profile b]\nregion = y"
        ),
        "[profile a]\nregion = x\noutput = json\n[profile b]\nregion = y"
    );
}

#[test]
fn new_key_after_a_header_alone_on_the_last_line() {
    assert_eq!(
        edited_config(&set("a", "region", "x"), "[profile a]"),
        "[profile a]\nregion = x\n"
    );
}

#[test]
fn set_in_an_empty_file() {
    assert_eq!(
        edited_config(&set("a", "region", "x"), ""),
        "[profile a]\nregion = x\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Duplicate sections
// ---------------------------------------------------------------------------------------------

const DUPLICATED: &str = "\
[profile a]
region = x
output = text

[profile b]
k = v

[profile a]
output = json
";

#[test]
fn set_existing_key_edits_the_definition_the_sdk_reads() {
    // `output` is read from the second [profile a]; `region` only exists in the first.
    assert_eq!(
        edited_config(&set("a", "output", "yaml"), DUPLICATED),
        DUPLICATED.replace("output = json", "output = yaml")
    );
    assert_eq!(
        edited_config(&set("a", "region", "y"), DUPLICATED),
        DUPLICATED.replace("region = x", "region = y")
    );
}

#[test]
fn set_new_key_goes_to_the_last_duplicate() {
    assert_eq!(
        edited_config(&set("a", "cli_pager", "less"), DUPLICATED),
        format!("{DUPLICATED}cli_pager = less\n")
    );
}

#[test]
fn set_never_creates_a_second_section() {
    let config = "[profile a]\nregion = x\n\n[profile b]\nk = v\n";
    let new = edited_config(&set("a", "output", "json"), config);
    assert_eq!(
        new,
        "[profile a]\nregion = x\noutput = json\n\n[profile b]\nk = v\n"
    );
    assert_eq!(new.matches("[profile a]").count(), 1);
    let credentials = "[a]\naws_access_key_id = K\n[b]\n";
    let new = edited_credentials(&set("b", "aws_secret_access_key", "S"), credentials);
    assert_eq!(
        new,
        "[a]\naws_access_key_id = K\n[b]\naws_secret_access_key = S\n"
    );
}

#[test]
fn set_on_a_profile_with_an_empty_section_fills_that_section() {
    assert_eq!(
        edited_config(
            &set("a", "region", "x"),
            "[profile a]\n\n# keep\n[profile b]\n"
        ),
        "[profile a]\nregion = x\n\n# keep\n[profile b]\n"
    );
}

#[test]
fn unset_removes_every_duplicate_in_both_files() {
    let (config, credentials) = edited(
        &unset("a", "region"),
        "[profile a]\nregion = x\noutput = json\n[profile a]\nregion = y # c\nREGION = z\n",
        "[a]\nregion = w\naws_access_key_id = K\n",
    );
    assert_eq!(config, "[profile a]\noutput = json\n[profile a]\n");
    assert_eq!(credentials, "[a]\naws_access_key_id = K\n");
}

#[test]
fn remove_removes_every_duplicate() {
    assert_eq!(
        edited_config(&remove("a"), DUPLICATED),
        "[profile b]\nk = v\n\n"
    );
}

#[test]
fn rename_renames_every_duplicate() {
    assert_eq!(
        edited_config(&rename("a", "c"), DUPLICATED),
        DUPLICATED.replace("[profile a]", "[profile c]")
    );
}

// ---------------------------------------------------------------------------------------------
// Sub-properties
// ---------------------------------------------------------------------------------------------

const SUB_PROPERTIES: &str = "\
[profile a]
region = x
s3 =
  max_concurrent_requests = 20
  addressing_style = path
# tuned
";

#[test]
fn sub_property_block_is_kept_when_editing_another_key() {
    assert_eq!(
        edited_config(&set("a", "region", "y"), SUB_PROPERTIES),
        SUB_PROPERTIES.replace("region = x", "region = y")
    );
}

#[test]
fn new_key_goes_after_the_sub_property_block() {
    assert_eq!(
        edited_config(&set("a", "output", "json"), SUB_PROPERTIES),
        "\
[profile a]
region = x
s3 =
  max_concurrent_requests = 20
  addressing_style = path
output = json
# tuned
"
    );
}

#[test]
fn setting_the_sub_property_key_replaces_the_block() {
    assert_eq!(
        edited_config(&set("a", "s3", "plain"), SUB_PROPERTIES),
        "[profile a]\nregion = x\ns3 = plain\n# tuned\n"
    );
}

#[test]
fn setting_a_continued_value_replaces_its_continuations() {
    assert_eq!(
        edited_config(
            &set("a", "k", "one"),
            "[profile a]\nk = first\n  second\n\tthird\nj = 1\n"
        ),
        "[profile a]\nk = one\nj = 1\n"
    );
}

#[test]
fn unset_of_the_sub_property_key_removes_the_block() {
    assert_eq!(
        edited_config(&unset("a", "s3"), SUB_PROPERTIES),
        "[profile a]\nregion = x\n# tuned\n"
    );
}

// ---------------------------------------------------------------------------------------------
// sso-session and services sections
// ---------------------------------------------------------------------------------------------

const WITH_SSO: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[services local]
s3 =
  endpoint_url = http://localhost:4566

[profile dev]
sso_session = corp
services = local

[plugins]
x = y
";

#[test]
fn set_leaves_sso_session_and_services_sections_untouched() {
    assert_eq!(
        edited_config(&set("dev", "region", "eu-west-1"), WITH_SSO),
        WITH_SSO.replace(
            "services = local\n",
            "services = local\nregion = eu-west-1\n"
        )
    );
}

#[test]
fn a_profile_named_like_an_sso_session_gets_its_own_section() {
    assert_eq!(
        edited_config(&set("corp", "region", "x"), WITH_SSO),
        format!("{WITH_SSO}[profile corp]\nregion = x\n")
    );
    assert_eq!(
        edited_config(&set("local", "region", "x"), WITH_SSO),
        format!("{WITH_SSO}[profile local]\nregion = x\n")
    );
}

#[test]
fn remove_and_rename_leave_sso_session_and_services_untouched() {
    assert_eq!(
        edited_config(&remove("dev"), WITH_SSO),
        WITH_SSO.replace(
            "[profile dev]\nsso_session = corp\nservices = local\n\n",
            ""
        )
    );
    assert_eq!(
        edited_config(&rename("dev", "corp"), WITH_SSO),
        WITH_SSO.replace("[profile dev]", "[profile corp]")
    );
}

// ---------------------------------------------------------------------------------------------
// Unicode
// ---------------------------------------------------------------------------------------------

#[test]
fn unicode_values_and_comments() {
    let config = "# Grüße ☃\n[profile a] ; 日本\nregion = x # région\n";
    assert_eq!(
        edited_config(&set("a", "region", "y"), config),
        "# Grüße ☃\n[profile a] ; 日本\nregion = y # région\n"
    );
    assert_eq!(
        edited_config(&set("a", "description", "Ångström ✓ 名前"), config),
        "# Grüße ☃\n[profile a] ; 日本\nregion = x # région\ndescription = Ångström ✓ 名前\n"
    );
    assert_eq!(
        edited_config(
            &set("a", "region", "ü"),
            "[profile a]\nregion = ☃☃☃ ; ünï\n"
        ),
        "[profile a]\nregion = ü ; ünï\n"
    );
}

// ---------------------------------------------------------------------------------------------
// [default] and [profile default]
// ---------------------------------------------------------------------------------------------

#[test]
fn default_gets_an_unprefixed_header_in_both_files() {
    let (config, credentials) = edited(&set("default", "region", "x"), "", "");
    assert_eq!(
        (config.as_str(), credentials.as_str()),
        ("[default]\nregion = x\n", "")
    );
    let (config, credentials) = edited(&set("default", "aws_access_key_id", "K"), "", "");
    assert_eq!(
        (config.as_str(), credentials.as_str()),
        ("", "[default]\naws_access_key_id = K\n")
    );
}

#[test]
fn set_default_uses_an_existing_profile_default_section() {
    assert_eq!(
        edited_config(
            &set("default", "output", "json"),
            "[profile default]\nregion = x\n"
        ),
        "[profile default]\nregion = x\noutput = json\n"
    );
}

#[test]
fn set_default_edits_profile_default_when_both_exist() {
    let config = "[default]\nregion = ignored\n\n[profile default]\noutput = json\n";
    // `region` is only in the ignored [default]: it is added to [profile default].
    assert_eq!(
        edited_config(&set("default", "region", "r"), config),
        "[default]\nregion = ignored\n\n[profile default]\noutput = json\nregion = r\n"
    );
    assert_eq!(
        edited_config(&set("default", "output", "text"), config),
        "[default]\nregion = ignored\n\n[profile default]\noutput = text\n"
    );
}

#[test]
fn rename_default_gives_a_prefixed_header_in_config() {
    let (config, credentials) = edited(
        &rename("default", "main"),
        "[default]\nregion = x\n",
        "[default]\naws_access_key_id = K\n",
    );
    assert_eq!(config, "[profile main]\nregion = x\n");
    assert_eq!(credentials, "[main]\naws_access_key_id = K\n");
}

#[test]
fn rename_to_default_gives_an_unprefixed_header() {
    let (config, credentials) = edited(
        &rename("main", "default"),
        "[profile main] # c\nregion = x\n",
        "[main]\naws_access_key_id = K\n",
    );
    assert_eq!(config, "[default] # c\nregion = x\n");
    assert_eq!(credentials, "[default]\naws_access_key_id = K\n");
}

/// The SDKs ignore `[default]` when `[profile default]` exists, so a rename must not bring the
/// ignored section's settings into the renamed profile.
#[test]
fn rename_default_when_both_default_sections_exist_is_refused() {
    let config =
        Document::parse("[default]\nregion = ignored\n\n[profile default]\noutput = json\n")
            .unwrap();
    let error = rename("default", "main")
        .apply(&config, &Document::default())
        .unwrap_err();
    assert_eq!(error, EditError::ShadowedDefault);
}

// ---------------------------------------------------------------------------------------------
// Which file a set edits
// ---------------------------------------------------------------------------------------------

#[test]
fn region_in_the_credentials_file_is_edited_there() {
    let config = "[profile a]\nregion = us-east-1\n";
    let credentials = "[a]\naws_access_key_id = K\nregion = eu-west-1\n";
    let changes = changes(&set("a", "region", "ap-south-1"), config, credentials);
    assert_eq!(changes.config, None);
    assert_eq!(
        changes.credentials.as_deref(),
        Some("[a]\naws_access_key_id = K\nregion = ap-south-1\n")
    );
    edited(&set("a", "region", "ap-south-1"), config, credentials);
}

#[test]
fn new_keys_go_to_their_file() {
    let config = "[profile a]\nregion = x\n";
    let credentials = "[a]\naws_access_key_id = K\n";
    let (new_config, new_credentials) = edited(&set("a", "output", "json"), config, credentials);
    assert_eq!(new_config, "[profile a]\nregion = x\noutput = json\n");
    assert_eq!(new_credentials, credentials);
    let (new_config, new_credentials) =
        edited(&set("a", "AWS_Secret_Access_Key", "S"), config, credentials);
    assert_eq!(new_config, config);
    assert_eq!(
        new_credentials,
        "[a]\naws_access_key_id = K\naws_secret_access_key = S\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Rename
// ---------------------------------------------------------------------------------------------

#[test]
fn rename_updates_source_profile_references() {
    let config = "\
[profile base] # keys
region = x

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base # via base

[profile other]
source_profile = basement
";
    let (new_config, new_credentials) = edited(
        &rename("base", "root"),
        config,
        "[base]\naws_access_key_id = K\n",
    );
    assert_eq!(
        new_config,
        "\
[profile root] # keys
region = x

[profile admin]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = root # via base

[profile other]
source_profile = basement
"
    );
    assert_eq!(new_credentials, "[root]\naws_access_key_id = K\n");
}

#[test]
fn rename_keeps_a_header_comment_that_contains_a_bracket() {
    assert_eq!(
        edited_config(&rename("a", "b"), "[profile a] ; see [notes]\nk = v\n"),
        "[profile b] ; see [notes]\nk = v\n"
    );
}

#[test]
fn rename_keeps_unusual_header_spacing_comments() {
    assert_eq!(
        edited_config(&rename("a", "b"), "[profile a]   # c\nk = v\n"),
        "[profile b]   # c\nk = v\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Values the SDKs would read differently must not be written
// ---------------------------------------------------------------------------------------------

/// Every value `Edit::validate` accepts must read back unchanged after a set, both as a new key
/// and as a replacement of an existing one.
#[test]
fn every_accepted_value_reads_back_unchanged() {
    let values = [
        "#x",
        ";x",
        "a\t;b",
        "a\u{a0}#b",
        "a\u{3000};b",
        "a\u{c}#b",
        "a#b",
        "a;b",
        "",
        "=",
        "a = b",
        "ünï ✓",
    ];
    let mut problems = Vec::new();
    for value in values {
        let edit = set("a", "k", value);
        if edit.validate().is_err() {
            continue;
        }
        for config in [
            "",
            "[profile a]\n",
            "[profile a]\nk = old\n",
            "[profile a]\nk=old # c\n",
        ] {
            let changes = changes(&edit, config, "");
            let text = changes.config.unwrap();
            let (document, empty) = (Document::parse(&text).unwrap(), Document::default());
            let read = ProfileSet::read(&document, &empty);
            let got = read.get("a").and_then(|p| p.get("k")).map(str::to_string);
            if got.as_deref() != Some(value) {
                problems.push(format!(
                    "value {value:?} accepted by validate, written into {config:?} as {text:?}, reads back as {got:?}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Through the store, on real files
// ---------------------------------------------------------------------------------------------

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn paths_in(dir: &Path) -> FilePaths {
    FilePaths {
        config: dir.join("config"),
        credentials: dir.join("credentials"),
    }
}

/// A temporary folder and the two (not yet existing) files in it.
fn temp_files() -> (tempfile::TempDir, FilePaths) {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths_in(dir.path());
    (dir, paths)
}

/// The config file holds exactly `text` and is the only file in `dir`.
#[track_caller]
fn assert_config_alone(dir: &Path, paths: &FilePaths, text: &str) {
    assert_eq!(fs::read_to_string(&paths.config).unwrap(), text);
    assert_eq!(names_in(dir), ["config"]);
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn store_writes_exact_bytes_to_both_files() {
    let (_dir, paths) = temp_files();
    fs::write(
        &paths.config,
        "# mine\r\n[profile a]\r\nregion = x # home\r\n",
    )
    .unwrap();
    fs::write(&paths.credentials, "[a]\naws_access_key_id = K").unwrap();
    for path in [&paths.config, &paths.credentials] {
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
    }
    let report = write_edits(
        &paths,
        &[
            set("a", "region", "y"),
            set("a", "aws_secret_access_key", "S"),
            set("b", "output", "json"),
        ],
    )
    .unwrap();
    assert_eq!(
        fs::read_to_string(&paths.config).unwrap(),
        "# mine\r\n[profile a]\r\nregion = y # home\r\n[profile b]\r\noutput = json\r\n"
    );
    assert_eq!(
        fs::read_to_string(&paths.credentials).unwrap(),
        "[a]\naws_access_key_id = K\naws_secret_access_key = S\n"
    );
    assert_eq!(
        report.written,
        vec![paths.config.clone(), paths.credentials.clone()]
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn store_creates_a_0700_folder_and_0600_files() {
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    let paths = paths_in(&aws);
    let report = write_edits(
        &paths,
        &[
            set("default", "aws_access_key_id", "AKIAEXAMPLE"),
            set("default", "region", "eu-west-1"),
        ],
    )
    .unwrap();
    assert_eq!(mode(&aws), 0o700);
    assert_eq!(mode(&paths.config), 0o600);
    assert_eq!(mode(&paths.credentials), 0o600);
    assert_eq!(
        fs::read_to_string(&paths.credentials).unwrap(),
        "[default]\naws_access_key_id = AKIAEXAMPLE\n"
    );
    assert_eq!(
        fs::read_to_string(&paths.config).unwrap(),
        "[default]\nregion = eu-west-1\n"
    );
    assert!(report.warnings.is_empty());
    // Nothing but the two files: no backup of files that did not exist, no temporary files.
    assert_eq!(names_in(&aws), ["config", "credentials"]);
}

#[test]
fn store_tightens_a_looser_file_with_a_warning() {
    let (_dir, paths) = temp_files();
    fs::write(&paths.credentials, "[a]\naws_access_key_id = K\n").unwrap();
    fs::set_permissions(&paths.credentials, fs::Permissions::from_mode(0o644)).unwrap();
    let report = write_edits(&paths, &[set("a", "aws_secret_access_key", "S")]).unwrap();
    assert_eq!(mode(&paths.credentials), 0o600);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    let warning = &report.warnings[0];
    assert!(
        warning.contains(&paths.credentials.display().to_string())
            && warning.contains("644")
            && warning.contains("0600"),
        "{warning}"
    );
    // A file that is already 0600 gives no warning.
    let report = write_edits(&paths, &[set("a", "aws_session_token", "T")]).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn store_keeps_one_0600_backup_of_the_previous_bytes() {
    let (dir, paths) = temp_files();
    let first = "# v1\n[profile a]\nregion = x";
    fs::write(&paths.config, first).unwrap();
    fs::set_permissions(&paths.config, fs::Permissions::from_mode(0o644)).unwrap();
    write_edits(&paths, &[set("a", "region", "y")]).unwrap();
    let backup = dir.path().join("config.credwiz-backup");
    assert_eq!(backup_path(&paths.config), backup);
    assert_eq!(fs::read_to_string(&backup).unwrap(), first);
    assert_eq!(mode(&backup), 0o600);

    let second = fs::read_to_string(&paths.config).unwrap();
    assert_eq!(second, "# v1\n[profile a]\nregion = y");
    write_edits(&paths, &[set("a", "region", "z")]).unwrap();
    assert_eq!(fs::read_to_string(&backup).unwrap(), second);
    assert_eq!(mode(&backup), 0o600);
    assert_eq!(names_in(dir.path()), ["config", "config.credwiz-backup"]);
}

#[test]
fn store_writes_through_a_symlinked_credentials_file() {
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("dotfiles");
    fs::create_dir(&real_dir).unwrap();
    let target = real_dir.join("aws-credentials");
    fs::write(&target, "[a]\naws_access_key_id = K\n").unwrap();
    let aws = dir.path().join(".aws");
    fs::create_dir(&aws).unwrap();
    let paths = paths_in(&aws);
    symlink("../dotfiles/aws-credentials", &paths.credentials).unwrap();

    let report = write_edits(&paths, &[set("a", "aws_secret_access_key", "S")]).unwrap();
    let link = fs::symlink_metadata(&paths.credentials).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        fs::read_link(&paths.credentials).unwrap(),
        PathBuf::from("../dotfiles/aws-credentials")
    );
    let expected = "[a]\naws_access_key_id = K\naws_secret_access_key = S\n";
    assert_eq!(fs::read_to_string(&target).unwrap(), expected);
    assert_eq!(fs::read_to_string(&paths.credentials).unwrap(), expected);
    assert_eq!(report.written.len(), 1);
    assert_eq!(
        fs::canonicalize(&report.written[0]).unwrap(),
        fs::canonicalize(&target).unwrap()
    );
    assert_eq!(
        fs::read_to_string(real_dir.join("aws-credentials.credwiz-backup")).unwrap(),
        "[a]\naws_access_key_id = K\n"
    );
    assert_eq!(names_in(&aws), ["credentials"]);
}

/// Each unparseable file: its bytes, the line at fault, and whether a repair is offered.
fn unparseable_files() -> Vec<(&'static str, Vec<u8>, usize, Option<Repair>)> {
    let mut huge = b"[a]\n".to_vec();
    while huge.len() < 50 * 1024 * 1024 {
        huge.extend_from_slice(b"aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n");
    }
    let mut long_line = b"[a]\naws_session_token = ".to_vec();
    long_line.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    long_line.push(b'\n');
    vec![
        (
            "byte-order mark",
            b"\xef\xbb\xbf[a]\naws_access_key_id = K\n".to_vec(),
            1,
            Some(Repair::StripByteOrderMark),
        ),
        (
            "NUL byte",
            b"[a]\naws_access_key_id = K\n\0\n".to_vec(),
            3,
            None,
        ),
        (
            "invalid UTF-8",
            b"[a]\naws_access_key_id = K\naws_secret_access_key = \xff\xfe\n".to_vec(),
            3,
            None,
        ),
        (
            "property before any section",
            b"aws_access_key_id = K\n[a]\n".to_vec(),
            1,
            None,
        ),
        (
            "indented comment in a sub-property block",
            b"[a]\ns3 =\n  max_concurrent_requests = 20\n  # tuned\n".to_vec(),
            4,
            None,
        ),
        ("50 MB file", huge, 1, None),
        ("1 MB line", long_line, 2, None),
    ]
}

#[test]
fn store_refuses_unparseable_files_and_leaves_their_bytes() {
    for (label, bytes, line, repair) in unparseable_files() {
        for broken_is_credentials in [true, false] {
            let (dir, paths) = temp_files();
            let (broken, other) = if broken_is_credentials {
                (&paths.credentials, &paths.config)
            } else {
                (&paths.config, &paths.credentials)
            };
            fs::write(broken, &bytes).unwrap();
            let other_bytes = b"[profile a]\nregion = x\n";
            fs::write(other, other_bytes).unwrap();
            let edit = set("a", "aws_secret_access_key", "S");
            let error = write_edits(&paths, &[edit]).unwrap_err();
            let display = error.to_string();
            match &error {
                StoreError::Unreadable {
                    path,
                    line: at,
                    repair: offered,
                    ..
                } => {
                    assert_eq!(path, broken, "{label}: {display}");
                    assert_eq!(*at, line, "{label}: {display}");
                    assert_eq!(*offered, repair, "{label}: {display}");
                }
                other => panic!("{label}: expected Unreadable, got {other:?}"),
            }
            assert!(
                display.contains(&format!("{}:{line}:", broken.display())),
                "{label}: the message should name the path and line: {display}"
            );
            assert!(
                fs::read(broken).unwrap() == bytes,
                "{label}: the broken file changed"
            );
            assert_eq!(fs::read(other).unwrap(), other_bytes, "{label}");
            assert_eq!(
                names_in(dir.path()),
                ["config", "credentials"],
                "{label}: no backup or temporary file"
            );
        }
    }
}

#[test]
fn store_read_only_folder_gives_a_clear_io_error() {
    // Not as root: a real 0500 folder holding an existing file. As root, permission bits do not
    // stop writes, so the folder is `/sys` instead, where nobody, root included, may create files.
    let dir = tempfile::tempdir().unwrap();
    let (paths, folder, guard) = if is_root() {
        let probe = Path::new("/sys/credwiz-write-probe");
        match fs::File::create(probe) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {}
            other => {
                let _ = fs::remove_file(probe);
                eprintln!("skipping: /sys is writable here ({other:?})");
                return;
            }
        }
        let paths = FilePaths {
            config: PathBuf::from("/sys/credwiz-test-config"),
            credentials: dir.path().join("credentials"),
        };
        (paths, PathBuf::from("/sys"), None)
    } else {
        let folder = dir.path().join("ro");
        fs::create_dir(&folder).unwrap();
        let paths = paths_in(&folder);
        fs::write(&paths.config, "[profile a]\nregion = x\n").unwrap();
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o500)).unwrap();
        (paths, folder.clone(), Some(folder))
    };
    let before = fs::read(&paths.config).ok();
    let error = write_edits(&paths, &[set("a", "region", "y")]).unwrap_err();
    if let Some(folder) = guard {
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o700)).unwrap();
    }
    let display = error.to_string();
    match &error {
        StoreError::Io { path, message } => {
            assert!(
                path.starts_with(&folder),
                "the error should name the folder or file: {display}"
            );
            assert!(
                message.contains("permission denied") && message.contains("read-only"),
                "{display}"
            );
        }
        other => panic!("expected Io, got {other:?}"),
    }
    assert_eq!(fs::read(&paths.config).ok(), before);
}

#[test]
fn store_folder_that_is_a_regular_file_gives_a_clear_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("aws");
    fs::write(&not_a_folder, "I am a file\n").unwrap();
    let paths = paths_in(&not_a_folder);
    let error = write_edits(&paths, &[set("a", "region", "y")]).unwrap_err();
    let display = error.to_string();
    match &error {
        StoreError::Io { path, .. } => assert!(path.starts_with(&not_a_folder), "{display}"),
        other => panic!("expected Io, got {other:?}"),
    }
    assert!(
        display.contains(&not_a_folder.display().to_string()),
        "{display}"
    );
    // "File exists (os error 17)" alone does not tell the user what is wrong.
    assert!(
        display.contains("not a folder") || display.contains("not a directory"),
        "the message should say the path is not a folder: {display}"
    );
    assert_eq!(fs::read_to_string(&not_a_folder).unwrap(), "I am a file\n");
}

#[test]
fn store_missing_folder_with_missing_parent_errors_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("no-such-home").join(".aws");
    let paths = paths_in(&folder);
    let error = write_edits(&paths, &[set("a", "region", "y")]).unwrap_err();
    let display = error.to_string();
    match &error {
        StoreError::Io { path, message } => {
            assert_eq!(path, &folder, "{display}");
            assert!(message.contains("does not exist"), "{display}");
        }
        other => panic!("expected Io, got {other:?}"),
    }
    assert!(display.contains(&folder.display().to_string()), "{display}");
    assert!(!dir.path().join("no-such-home").exists());
}

#[test]
fn store_invalid_edit_writes_nothing() {
    let (dir, paths) = temp_files();
    fs::write(&paths.config, "[profile a]\nregion = x\n").unwrap();
    let error = write_edits(
        &paths,
        &[set("a", "region", "y"), set("a b", "region", "z")],
    )
    .unwrap_err();
    assert!(matches!(error, StoreError::Edit(_)), "{error:?}");
    assert_config_alone(dir.path(), &paths, "[profile a]\nregion = x\n");
}

/// A value the SDKs would read differently is refused before anything is written, rather than
/// written and then caught by verification.
#[test]
fn store_refuses_a_value_the_sdk_would_misread_before_writing() {
    let (_dir, paths) = temp_files();
    let original = "[profile a]\nregion = x\n";
    fs::write(&paths.config, original).unwrap();
    fs::set_permissions(&paths.config, fs::Permissions::from_mode(0o600)).unwrap();
    let result = write_edits(&paths, &[set("a", "cli_pager", "#less")]);
    let written = fs::read_to_string(&paths.config).unwrap();
    assert!(
        matches!(result, Err(StoreError::Edit(_))),
        "expected the edit to be refused up front, got {result:?}; the file now holds {written:?}"
    );
    assert_eq!(written, original);
}

#[test]
fn store_edit_that_changes_nothing_writes_nothing() {
    let (dir, paths) = temp_files();
    fs::write(&paths.config, "[profile a]\nregion = x\n").unwrap();
    fs::set_permissions(&paths.config, fs::Permissions::from_mode(0o644)).unwrap();
    let report = write_edits(&paths, &[unset("a", "output")]).unwrap();
    assert!(report.written.is_empty(), "{report:?}");
    assert!(report.warnings.is_empty(), "{report:?}");
    assert_eq!(mode(&paths.config), 0o644);
    assert_eq!(names_in(dir.path()), ["config"]);
}

#[test]
fn store_sequence_with_a_failing_edit_writes_nothing() {
    let (dir, paths) = temp_files();
    fs::write(&paths.config, "[profile a]\nregion = x\n").unwrap();
    let error = write_edits(
        &paths,
        &[set("a", "region", "y"), remove("no-such-profile")],
    )
    .unwrap_err();
    assert!(error.to_string().contains("no-such-profile"), "{error}");
    assert_config_alone(dir.path(), &paths, "[profile a]\nregion = x\n");
}

/// Renaming `default` while config also holds an ignored `[default]` would bring that section
/// back to life under the new name, so it is refused and nothing is written.
#[test]
fn store_refuses_to_rename_default_when_an_ignored_default_exists() {
    let (dir, paths) = temp_files();
    let original = "[default]\nregion = ignored\n\n[profile default]\noutput = json\n";
    fs::write(&paths.config, original).unwrap();
    let error = write_edits(&paths, &[rename("default", "main")]).unwrap_err();
    assert!(
        matches!(error, StoreError::Edit(EditError::ShadowedDefault)),
        "{error:?}"
    );
    assert_config_alone(dir.path(), &paths, original);
}
