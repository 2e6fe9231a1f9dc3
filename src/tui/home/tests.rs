//! Home's key map and `update`, driven without a terminal or files: every action, the filter,
//! the forms, the confirmations and the effects they ask for.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use time::{Duration, OffsetDateTime};
use tui_input::InputRequest;

use super::keys::{self, BINDINGS, Situation};
use super::model::{
    Effect, ExportFormat, Files, HomeExit, Intent, Mode, ModeKind, Model, Msg, Pending, SortKey,
};
use crate::key_health::HealthCache;
use crate::profiles::formats::KeyMaterial;
use crate::profiles::store::LoadedFile;
use crate::profiles::{Document, Edit, FilePaths, StoreError};

pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const TOKEN: &str = "FwoGZXIvYXdzEXAMPLETOKENabcdefghij1234567890";

pub const CONFIG: &str = "\
[default]
region = us-east-1
output = json

[profile dev]
region = eu-west-1
source_profile = missing

[profile ci]
region = us-west-2

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = default

[dev]
region = ignored-1
";

pub fn credentials() -> String {
    format!(
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {SECRET}\n\n\
         [ci]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"
    )
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_790_000_000).expect("a time")
}

pub fn paths() -> FilePaths {
    FilePaths {
        config: PathBuf::from("/home/me/.aws/config"),
        credentials: PathBuf::from("/home/me/.aws/credentials"),
    }
}

fn loaded(path: PathBuf, text: &str, mode: u32) -> Result<LoadedFile, StoreError> {
    Ok(LoadedFile {
        path,
        exists: true,
        document: Document::parse(text).expect("a test document"),
        mode: Some(mode),
    })
}

pub fn files(config: &str, credentials: &str) -> Files {
    let paths = paths();
    Files {
        config: loaded(paths.config, config, 0o600),
        credentials: loaded(paths.credentials, credentials, 0o644),
    }
}

pub fn health() -> HealthCache {
    let mut cache = HealthCache::default();
    cache.note_new_key(
        "default",
        "AKIAIOSFODNN7EXAMPLE",
        now() - Duration::days(120),
    );
    cache.note_new_key("ci", "AKIAI44QH8DHBEXAMPLE", now() - Duration::days(12));
    cache
}

pub fn model_at(width: u16, height: u16) -> Model {
    Model::new(
        &paths(),
        files(CONFIG, &credentials()),
        health(),
        now(),
        width,
        height,
    )
}

pub fn model() -> Model {
    model_at(120, 40)
}

/// A model whose config file starts with a byte-order mark, as `store::load` reports it.
pub fn model_with_bom(width: u16, height: u16) -> Model {
    let paths = paths();
    let error = Document::parse_bytes(b"\xef\xbb\xbf[default]\nregion = x\n".to_vec())
        .expect_err("a BOM does not parse");
    let files = Files {
        config: Err(StoreError::Unreadable {
            path: paths.config.clone(),
            line: error.line,
            message: error.message,
            repair: error.repair,
        }),
        credentials: loaded(paths.credentials.clone(), &credentials(), 0o600),
    };
    Model::new(&paths, files, HealthCache::default(), now(), width, height)
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Presses a key as the loop would: through the key map into `update`.
pub fn press(model: &mut Model, event: KeyEvent) -> Vec<Effect> {
    match keys::to_msg(&event, model) {
        Some(msg) => model.update(msg),
        None => Vec::new(),
    }
}

pub fn type_text(model: &mut Model, text: &str) {
    for c in text.chars() {
        press(model, key(KeyCode::Char(c)));
    }
}

fn intent(model: &Model, event: KeyEvent) -> Option<Intent> {
    match keys::to_msg(&event, model) {
        Some(Msg::Intent(intent)) => Some(intent),
        _ => None,
    }
}

fn names(model: &Model) -> Vec<&str> {
    model
        .visible
        .iter()
        .map(|&i| model.rows[i].name.as_str())
        .collect()
}

fn select(model: &mut Model, name: &str) {
    press(model, key(KeyCode::Home));
    while model.selected().map(|r| r.name.as_str()) != Some(name) {
        let before = model.cursor;
        press(model, key(KeyCode::Down));
        assert_ne!(before, model.cursor, "{name} is not in the list");
    }
}

#[test]
fn the_list_reads_kinds_regions_and_ages() {
    let model = model();
    assert_eq!(names(&model), ["admin", "ci", "default", "dev"]);
    let default = &model.rows[2];
    assert_eq!(default.kind.name(), "static");
    assert_eq!(default.region.as_deref(), Some("us-east-1"));
    assert_eq!(default.age_days, Some(120));
    assert_eq!(model.rows[1].kind.name(), "session");
    assert_eq!(model.rows[0].kind.name(), "assume-role");
}

#[test]
fn warnings_cover_every_named_problem() {
    let model = model();
    let warnings = |name: &str| {
        let row = model.rows.iter().find(|r| r.name == name).unwrap();
        model.warnings_for(&model.set.profiles[name], row.age_days)
    };
    let default = warnings("default").join("\n");
    assert!(default.contains("120 days old"), "{default}");
    assert!(default.contains("credentials file is readable by other users"));
    let ci = warnings("ci").join("\n");
    assert!(
        ci.contains("session token sits beside a long-term AKIA key"),
        "{ci}"
    );
    let dev = warnings("dev").join("\n");
    assert!(
        dev.contains("source_profile `missing` does not exist"),
        "{dev}"
    );
    assert!(
        !model.set.ignored.is_empty(),
        "the [dev] section is ignored"
    );
    let duplicated = Model::new(
        &paths(),
        files(
            "[profile a]\nregion = x-1\n[profile a]\noutput = json\n",
            "",
        ),
        HealthCache::default(),
        now(),
        120,
        40,
    );
    let a = duplicated.warnings_for(&duplicated.set.profiles["a"], None);
    assert!(a[0].contains("defined more than once"), "{a:?}");
    assert!(duplicated.rows[0].warned);
}

#[test]
fn moving_stays_in_the_list_and_scrolls() {
    let mut model = model_at(80, 24);
    press(&mut model, key(KeyCode::Up));
    assert_eq!(model.cursor, 0);
    press(&mut model, key(KeyCode::Char('j')));
    assert_eq!(model.cursor, 1);
    press(&mut model, key(KeyCode::End));
    assert_eq!(model.cursor, 3);
    press(&mut model, key(KeyCode::Down));
    assert_eq!(model.cursor, 3);
    press(&mut model, key(KeyCode::Char('g')));
    assert_eq!(model.cursor, 0);
    press(&mut model, key(KeyCode::PageDown));
    assert_eq!(model.cursor, 3);
    press(&mut model, key(KeyCode::PageUp));
    assert_eq!(model.cursor, 0);

    let many: String = (0..500).map(|i| format!("[profile p{i:04}]\n")).collect();
    let mut big = Model::new(
        &paths(),
        files(&many, ""),
        HealthCache::default(),
        now(),
        80,
        24,
    );
    press(&mut big, key(KeyCode::End));
    assert_eq!(big.cursor, 499);
    assert!(big.offset > 400 && big.offset <= 499);
}

#[test]
fn sorting_cycles_through_name_kind_region_and_age() {
    let mut model = model();
    select(&mut model, "dev");
    press(&mut model, key(KeyCode::Char('s')));
    assert_eq!(model.sort, SortKey::Kind);
    assert_eq!(names(&model), ["admin", "dev", "ci", "default"]);
    assert_eq!(
        model.selected().unwrap().name,
        "dev",
        "the selection follows"
    );
    press(&mut model, key(KeyCode::Char('s')));
    assert_eq!(model.sort, SortKey::Region);
    assert_eq!(names(&model), ["dev", "default", "ci", "admin"]);
    press(&mut model, key(KeyCode::Char('s')));
    assert_eq!(model.sort, SortKey::Age);
    assert_eq!(names(&model), ["default", "ci", "admin", "dev"]);
    press(&mut model, key(KeyCode::Char('s')));
    assert_eq!(model.sort, SortKey::Name);
}

#[test]
fn the_filter_narrows_as_you_type_and_esc_clears_it() {
    let mut model = model();
    press(&mut model, key(KeyCode::Char('/')));
    assert_eq!(model.mode_kind(), ModeKind::Filter);
    // Letters that are keys elsewhere are text here.
    type_text(&mut model, "d");
    assert_eq!(names(&model), ["admin", "default", "dev"]);
    type_text(&mut model, "v");
    assert_eq!(names(&model), ["dev"]);
    press(&mut model, key(KeyCode::Backspace));
    assert_eq!(names(&model).len(), 3);
    press(&mut model, key(KeyCode::Enter));
    assert_eq!(model.mode_kind(), ModeKind::Browse);
    assert_eq!(model.filter.value(), "d");
    press(&mut model, key(KeyCode::Esc));
    assert_eq!(model.filter.value(), "");
    assert_eq!(names(&model).len(), 4);

    press(&mut model, key(KeyCode::Char('/')));
    type_text(&mut model, "zzz");
    assert!(names(&model).is_empty());
    assert!(model.selected().is_none());
    press(&mut model, key(KeyCode::Esc));
    assert_eq!(model.mode_kind(), ModeKind::Browse);
    assert_eq!(names(&model).len(), 4);
}

#[test]
fn reveal_toggles_and_help_opens_and_closes() {
    let mut model = model();
    press(&mut model, key(KeyCode::Char('v')));
    assert!(model.revealed);
    press(&mut model, key(KeyCode::Char('v')));
    assert!(!model.revealed);
    press(&mut model, key(KeyCode::Char('?')));
    assert_eq!(model.mode_kind(), ModeKind::Help);
    press(&mut model, key(KeyCode::Esc));
    assert_eq!(model.mode_kind(), ModeKind::Browse);
    press(&mut model, key(KeyCode::Char('?')));
    press(&mut model, key(KeyCode::Char('q')));
    assert_eq!(model.mode_kind(), ModeKind::Browse);
    assert!(model.exit.is_none(), "q closes help, it does not quit");
}

#[test]
fn new_rotate_check_and_quit_hand_back_to_the_caller() {
    let mut model = model();
    select(&mut model, "default");
    press(&mut model, key(KeyCode::Char('r')));
    assert_eq!(
        model.exit.take(),
        Some(HomeExit::Rotate {
            profile: "default".to_string()
        })
    );
    press(&mut model, key(KeyCode::Char('c')));
    assert_eq!(
        model.exit.take(),
        Some(HomeExit::Check {
            profiles: vec!["default".to_string()]
        })
    );
    press(&mut model, key(KeyCode::Char('n')));
    assert_eq!(model.exit.take(), Some(HomeExit::Setup));
    press(&mut model, key(KeyCode::Char('q')));
    assert_eq!(model.exit.take(), Some(HomeExit::Quit));
    press(&mut model, ctrl('c'));
    assert_eq!(model.exit.take(), Some(HomeExit::Quit));
    let effects = press(&mut model, ctrl('r'));
    assert!(matches!(effects[..], [Effect::Reload]));
}

#[test]
fn editing_shows_a_masked_diff_and_writes_only_when_confirmed() {
    let mut model = model();
    select(&mut model, "default");
    press(&mut model, key(KeyCode::Char('e')));
    let Mode::Edit(form) = &model.mode else {
        panic!("the edit form")
    };
    assert_eq!(form.region.value(), "us-east-1");
    assert_eq!(form.output.value(), "json");
    // Region: invalid, then valid.
    press(&mut model, ctrl('u'));
    type_text(&mut model, "Mars");
    press(&mut model, key(KeyCode::Enter));
    let Mode::Edit(form) = &model.mode else {
        panic!("still the form: the region is invalid")
    };
    assert_eq!(form.errors()[0].0, 0);
    press(&mut model, ctrl('u'));
    type_text(&mut model, "eu-central-1");
    // A free row: key and value.
    press(&mut model, key(KeyCode::Tab));
    press(&mut model, key(KeyCode::Tab));
    type_text(&mut model, "cli_pager");
    press(&mut model, key(KeyCode::Tab));
    type_text(&mut model, "less");
    let effects = press(&mut model, key(KeyCode::Enter));
    assert!(effects.is_empty());
    let Mode::Confirm(confirm) = &model.mode else {
        panic!("the diff confirmation, not {:?}", model.mode_kind())
    };
    let diff = confirm.lines.join("\n");
    assert!(diff.contains("-region = us-east-1"), "{diff}");
    assert!(diff.contains("+region = eu-central-1"), "{diff}");
    assert!(diff.contains("+cli_pager = less"), "{diff}");
    assert!(!diff.contains(SECRET));
    let Pending::Write(edits) = &confirm.pending else {
        panic!("a write")
    };
    assert_eq!(edits.len(), 2);
    let effects = press(&mut model, key(KeyCode::Char('y')));
    let [Effect::Write(edits)] = &effects[..] else {
        panic!("one write, got {effects:?}")
    };
    assert!(edits.contains(&Edit::Set {
        profile: "default".into(),
        key: "region".into(),
        value: "eu-central-1".into()
    }));
    assert!(model.busy);
    model.update(Msg::Written(Ok(vec![PathBuf::from(
        "/home/me/.aws/config",
    )])));
    assert!(model.status.as_ref().unwrap().ok);
    assert!(!model.busy);
}

#[test]
fn the_edit_form_validates_keys_and_values_inline_and_cancels() {
    let mut model = model();
    select(&mut model, "dev");
    press(&mut model, key(KeyCode::Enter));
    press(&mut model, key(KeyCode::Tab));
    press(&mut model, ctrl('u'));
    type_text(&mut model, "xml");
    let Mode::Edit(form) = &model.mode else {
        panic!("the form")
    };
    assert!(
        form.errors()
            .iter()
            .any(|(f, e)| *f == 1 && e.contains("json"))
    );
    press(&mut model, ctrl('u'));
    press(&mut model, ctrl('n'));
    type_text(&mut model, "aws_secret_access_key");
    press(&mut model, key(KeyCode::Tab));
    type_text(&mut model, " padded");
    let Mode::Edit(form) = &model.mode else {
        panic!("the form")
    };
    let errors = form.errors();
    assert!(
        errors.iter().any(|(_, e)| e.contains("rotate")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|(_, e)| e.contains("whitespace")),
        "{errors:?}"
    );
    press(&mut model, key(KeyCode::Enter));
    assert_eq!(model.mode_kind(), ModeKind::Edit, "blocked while invalid");
    press(&mut model, key(KeyCode::Esc));
    assert_eq!(model.mode_kind(), ModeKind::Browse);
}

#[test]
fn clearing_a_key_unsets_it_and_an_unchanged_form_writes_nothing() {
    let mut model = model();
    select(&mut model, "dev");
    press(&mut model, key(KeyCode::Char('e')));
    press(&mut model, key(KeyCode::Enter));
    assert_eq!(model.mode_kind(), ModeKind::Browse);
    assert_eq!(model.status.as_ref().unwrap().text, "nothing to change");

    press(&mut model, key(KeyCode::Char('e')));
    // region, output, then source_profile's key.
    press(&mut model, key(KeyCode::Tab));
    press(&mut model, key(KeyCode::Tab));
    press(&mut model, ctrl('u'));
    press(&mut model, key(KeyCode::Enter));
    let Mode::Confirm(confirm) = &model.mode else {
        panic!("the diff")
    };
    let Pending::Write(edits) = &confirm.pending else {
        panic!("a write")
    };
    assert_eq!(
        edits,
        &[Edit::Unset {
            profile: "dev".into(),
            key: "source_profile".into()
        }]
    );
    press(&mut model, key(KeyCode::Char('n')));
    assert_eq!(model.mode_kind(), ModeKind::Browse);
    assert!(
        model
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("nothing was written")
    );
}

#[test]
fn rename_validates_then_confirms_with_a_diff() {
    let mut model = model();
    select(&mut model, "dev");
    press(&mut model, key(KeyCode::Char('m')));
    let Mode::Rename(form) = &model.mode else {
        panic!("the rename form")
    };
    assert!(model.rename_error(form).is_some(), "the same name");
    press(&mut model, ctrl('u'));
    type_text(&mut model, "ci");
    let Mode::Rename(form) = &model.mode else {
        panic!("the rename form")
    };
    assert!(model.rename_error(form).unwrap().contains("already exists"));
    press(&mut model, key(KeyCode::Enter));
    assert_eq!(model.mode_kind(), ModeKind::Rename);
    press(&mut model, ctrl('u'));
    type_text(&mut model, "bad name");
    press(&mut model, key(KeyCode::Enter));
    assert_eq!(model.mode_kind(), ModeKind::Rename);
    press(&mut model, ctrl('u'));
    type_text(&mut model, "staging");
    press(&mut model, key(KeyCode::Enter));
    let Mode::Confirm(confirm) = &model.mode else {
        panic!("the diff")
    };
    assert!(confirm.lines.iter().any(|l| l == "+[profile staging]"));
    let effects = press(&mut model, key(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::Write(edits)] if edits == &[Edit::Rename { from: "dev".into(), to: "staging".into() }])
    );
    // After the write, the loop reports the new files; the new name stays selected.
    let renamed = CONFIG.replace("[profile dev]", "[profile staging]");
    model.update(Msg::Loaded(Box::new(files(&renamed, &credentials()))));
    assert_eq!(model.selected().unwrap().name, "staging");
}

#[test]
fn delete_asks_with_the_diff_of_both_files() {
    let mut model = model();
    select(&mut model, "ci");
    press(&mut model, key(KeyCode::Char('d')));
    let Mode::Confirm(confirm) = &model.mode else {
        panic!("the diff")
    };
    let diff = confirm.lines.join("\n");
    assert!(
        diff.contains("-[profile ci]") && diff.contains("-[ci]"),
        "{diff}"
    );
    assert!(!diff.contains(SECRET) && !diff.contains(TOKEN));
    assert!(diff.contains("-aws_secret_access_key = ****************EKEY"));
    press(&mut model, key(KeyCode::Down));
    let Mode::Confirm(confirm) = &model.mode else {
        panic!("the diff")
    };
    assert_eq!(confirm.scroll, 1);
    let effects = press(&mut model, key(KeyCode::Char('y')));
    assert!(
        matches!(&effects[..], [Effect::Write(edits)] if edits == &[Edit::Remove { profile: "ci".into() }])
    );
}

#[test]
fn export_previews_masked_and_copies_only_after_confirmation() {
    let mut model = model();
    select(&mut model, "dev");
    press(&mut model, key(KeyCode::Char('x')));
    assert_eq!(model.mode_kind(), ModeKind::Browse, "dev holds no key");
    assert!(!model.status.as_ref().unwrap().ok);
    select(&mut model, "ci");
    press(&mut model, key(KeyCode::Char('x')));
    let Mode::Export(export) = &model.mode else {
        panic!("the export")
    };
    assert_eq!(export.format, ExportFormat::Env);
    let preview = model.export_text(export, false);
    assert!(preview.contains("AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE"));
    assert!(
        !preview.contains(SECRET) && !preview.contains(TOKEN),
        "{preview}"
    );
    press(&mut model, key(KeyCode::Right));
    press(&mut model, key(KeyCode::Right));
    press(&mut model, key(KeyCode::Left));
    let Mode::Export(export) = &model.mode else {
        panic!("the export")
    };
    assert_eq!(export.format, ExportFormat::Pharmer);
    assert!(press(&mut model, key(KeyCode::Enter)).is_empty());
    assert_eq!(model.mode_kind(), ModeKind::Confirm);
    let effects = press(&mut model, key(KeyCode::Char('y')));
    let [Effect::Copy(secret)] = &effects[..] else {
        panic!("a copy")
    };
    assert!(secret.expose().contains(SECRET));
    assert!(secret.expose().contains("accessKeyID"));
    assert!(!format!("{effects:?}").contains(SECRET));
}

fn export_path(model: &Model) -> &super::model::ExportPath {
    match &model.mode {
        Mode::ExportPath(prompt) => prompt,
        other => panic!("the export's file prompt, not {other:?}"),
    }
}

#[test]
fn export_to_a_file_offers_a_name_per_format_and_validates_the_path() {
    let mut model = model();
    select(&mut model, "ci");
    press(&mut model, key(KeyCode::Char('x')));
    assert!(keys::hints(&model).contains(&("w", "to file…")));
    assert!(keys::help(&model).iter().any(|(k, _)| k == "w"));
    press(&mut model, key(KeyCode::Char('w')));
    assert_eq!(model.mode_kind(), ModeKind::ExportPath);
    assert_eq!(export_path(&model).path.value(), "ci.env");
    assert!(export_path(&model).path_error().is_none());
    // Esc goes back to the export, keeping the format; another format offers another name.
    press(&mut model, key(KeyCode::Esc));
    assert_eq!(model.mode_kind(), ModeKind::Export);
    press(&mut model, key(KeyCode::Right));
    press(&mut model, key(KeyCode::Char('w')));
    assert_eq!(export_path(&model).path.value(), "ci-pharmer.json");
    press(&mut model, key(KeyCode::Esc));
    press(&mut model, key(KeyCode::Right));
    press(&mut model, key(KeyCode::Char('w')));
    assert_eq!(export_path(&model).path.value(), "ci-datarobot.json");
    assert_eq!(ExportFormat::Env.file_name("team/a b"), "team_a_b.env");
    assert_eq!(
        ExportFormat::Pharmer.file_name(".."),
        "profile-pharmer.json"
    );
    // Keys type into the path, `q` included.
    assert!(matches!(
        keys::to_msg(&key(KeyCode::Char('q')), &model),
        Some(Msg::Edit(InputRequest::InsertChar('q')))
    ));
    for (typed, problem) in [
        ("", "type the path"),
        ("   ", "type the path"),
        ("out/", "not a folder"),
        ("..", "not a folder"),
        ("~/ci.json", "full path"),
    ] {
        press(&mut model, ctrl('u'));
        type_text(&mut model, typed);
        assert!(press(&mut model, key(KeyCode::Enter)).is_empty());
        let prompt = export_path(&model);
        let error = prompt.error.as_deref().expect("an error");
        assert!(error.contains(problem), "{typed:?}: {error}");
        assert_eq!(prompt.path_error().as_deref(), Some(error));
    }
    // Typing clears the error.
    press(&mut model, ctrl('u'));
    assert!(export_path(&model).error.is_none());
}

#[test]
fn export_to_a_file_writes_only_after_a_confirmation_that_says_in_clear() {
    let mut model = model();
    select(&mut model, "ci");
    type_text(&mut model, "xw");
    press(&mut model, ctrl('u'));
    type_text(&mut model, "/tmp/keys/ci.env");
    assert!(press(&mut model, key(KeyCode::Enter)).is_empty());
    let Mode::Confirm(confirm) = &model.mode else {
        panic!("a confirmation")
    };
    let said = confirm.lines.join(" ");
    assert!(said.contains("/tmp/keys/ci.env") && said.contains("in clear"));
    assert!(said.contains("0600") && said.contains("never overwritten"));
    assert!(!said.contains(SECRET));
    // No: nothing is written.
    assert!(press(&mut model, key(KeyCode::Char('n'))).is_empty());
    assert_eq!(model.mode_kind(), ModeKind::Browse);
    // Yes: the effect carries the clear export, and the prompt waits for the result.
    type_text(&mut model, "xw");
    press(&mut model, key(KeyCode::Enter));
    let effects = press(&mut model, key(KeyCode::Char('y')));
    let [Effect::WriteFile { path, text }] = &effects[..] else {
        panic!("a file write, not {effects:?}")
    };
    assert_eq!(path, &PathBuf::from("ci.env"));
    let text = text.expose();
    assert!(text.starts_with("AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE\n"));
    assert!(text.contains(&format!("AWS_SECRET_ACCESS_KEY={SECRET}\n")));
    assert!(text.contains(&format!("AWS_SESSION_TOKEN={TOKEN}\n")));
    assert!(text.ends_with('\n'));
    assert!(!format!("{effects:?}").contains(SECRET));
    assert_eq!(model.mode_kind(), ModeKind::ExportPath);
    // A refusal from the loop shows in the prompt, to choose another name.
    model.update(Msg::Exported(Err(
        "ci.env already exists; credwiz does not overwrite it (choose another name)".into(),
    )));
    assert!(
        export_path(&model)
            .error
            .as_deref()
            .unwrap()
            .contains("already exists")
    );
    assert!(!model.status.as_ref().unwrap().ok);
    // The JSON formats end with a newline too, and success closes the prompt.
    press(&mut model, key(KeyCode::Esc));
    press(&mut model, key(KeyCode::Right));
    type_text(&mut model, "w");
    press(&mut model, key(KeyCode::Enter));
    let effects = press(&mut model, key(KeyCode::Enter));
    let [Effect::WriteFile { path, text }] = &effects[..] else {
        panic!("a file write")
    };
    assert_eq!(path, &PathBuf::from("ci-pharmer.json"));
    let json: serde_json::Value = serde_json::from_str(text.expose()).expect("JSON");
    assert_eq!(json["secretAccessKey"], SECRET);
    assert!(text.expose().ends_with("}\n"));
    model.update(Msg::Exported(Ok(path.clone())));
    assert_eq!(model.mode_kind(), ModeKind::Browse);
    let status = model.status.as_ref().unwrap();
    assert!(
        status.ok && status.text.contains("ci-pharmer.json"),
        "{status:?}"
    );
}

#[test]
fn the_loop_writes_a_new_file_0600_and_never_overwrites() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("ci.env");
    let text = crate::secret::Secret::new(format!("AWS_SECRET_ACCESS_KEY={SECRET}\n"));
    assert_eq!(super::write_new_file(&path, &text), Ok(path.clone()));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text.expose());
    let other = crate::secret::Secret::new("other\n".to_string());
    let error = super::write_new_file(&path, &other).expect_err("refused");
    assert!(
        error.contains("already exists") && error.contains("does not overwrite"),
        "{error}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text.expose());
    let missing = dir.path().join("missing").join("ci.env");
    let error = super::write_new_file(&missing, &other).expect_err("no folder");
    assert!(error.starts_with("could not create"), "{error}");
    assert!(!error.contains(SECRET));
}

#[test]
fn a_file_that_does_not_parse_still_opens_and_offers_its_repair() {
    let mut model = model_with_bom(120, 40);
    assert_eq!(model.problems.len(), 1);
    let problem = &model.problems[0];
    assert_eq!(problem.line, Some(1));
    assert!(problem.repair.is_some());
    // The other file still reads.
    assert_eq!(names(&model), ["ci", "default"]);
    // Writes are refused, saying why.
    press(&mut model, key(KeyCode::Char('e')));
    assert_eq!(model.mode_kind(), ModeKind::Browse);
    assert!(
        model
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("cannot be read")
    );
    press(&mut model, key(KeyCode::Char('f')));
    let Mode::Confirm(confirm) = &model.mode else {
        panic!("the repair confirmation")
    };
    assert!(confirm.lines[0].contains("byte-order mark"));
    let effects = press(&mut model, key(KeyCode::Enter));
    assert!(matches!(&effects[..], [Effect::StripByteOrderMark(path)] if path == &paths().config));
    model.update(Msg::Loaded(Box::new(files(CONFIG, &credentials()))));
    assert!(model.problems.is_empty());
    assert_eq!(names(&model).len(), 4);
    assert_eq!(intent(&model, key(KeyCode::Char('f'))), None);
}

#[test]
fn the_mouse_selects_and_scrolls_and_resize_keeps_the_cursor_in_view() {
    let mut model = model_at(80, 24);
    let rows = super::view::areas(&model).list_rows;
    model.update(Msg::Click {
        column: rows.x + 2,
        row: rows.y + 2,
    });
    assert_eq!(model.cursor, 2);
    // A click below the last row changes nothing.
    model.update(Msg::Click {
        column: rows.x + 2,
        row: rows.y + 10,
    });
    assert_eq!(model.cursor, 2);
    model.update(Msg::Scroll {
        down: false,
        column: rows.x,
        row: rows.y,
    });
    assert_eq!(model.cursor, 0);
    model.update(Msg::Scroll {
        down: true,
        column: rows.x,
        row: rows.y,
    });
    assert_eq!(model.cursor, 3);

    let many: String = (0..100).map(|i| format!("[profile p{i:03}]\n")).collect();
    let mut big = Model::new(
        &paths(),
        files(&many, ""),
        HealthCache::default(),
        now(),
        120,
        40,
    );
    press(&mut big, key(KeyCode::End));
    big.update(Msg::Resize {
        width: 80,
        height: 20,
    });
    let height = usize::from(super::view::areas(&big).list_rows.height);
    assert!(big.cursor >= big.offset && big.cursor < big.offset + height);
}

#[test]
fn a_long_profile_scrolls_in_the_details_pane_and_each_profile_starts_at_the_top() {
    let settings: String = (0..40)
        .map(|i| format!("key_{i:02} = value {i}\n"))
        .collect();
    let config = format!("[profile long]\n{settings}\n[profile short]\nregion = x\n");
    let mut model = Model::new(
        &paths(),
        files(&config, ""),
        HealthCache::default(),
        now(),
        80,
        24,
    );
    select(&mut model, "long");
    let overflow = super::view::details_overflow(&model);
    assert!(overflow > 20, "40 settings overflow a 24-line screen");
    let screen = |model: &Model| {
        let theme = crate::tui::theme::Theme::new(true);
        let buffer = crate::tui::fixtures::render(80, 24, |frame| {
            super::view::view(model, theme, frame);
        });
        crate::tui::fixtures::buffer_text(&buffer)
    };
    assert!(screen(&model).contains("key_00") && screen(&model).contains("J ↓ more"));

    // The name, kind, a blank line and "Settings" come first.
    for _ in 0..5 {
        press(&mut model, key(KeyCode::Char('J')));
    }
    assert_eq!(model.details_scroll(), 5);
    assert!(!screen(&model).contains("key_00") && screen(&model).contains("key_01"));
    for _ in 0..100 {
        press(&mut model, key(KeyCode::Char('J')));
    }
    assert_eq!(model.details_scroll(), overflow, "stops at the last line");
    assert!(screen(&model).contains("key_39") && screen(&model).contains("K ↑"));

    let details = super::view::areas(&model).details;
    model.update(Msg::Scroll {
        down: false,
        column: details.x + 2,
        row: details.y + 2,
    });
    assert_eq!(
        model.details_scroll(),
        overflow - 3,
        "the wheel scrolls the details too"
    );

    press(&mut model, key(KeyCode::Down));
    assert_eq!(model.selected().map(|r| r.name.as_str()), Some("short"));
    assert_eq!(model.details_scroll(), 0);
    press(&mut model, key(KeyCode::Up));
    assert_eq!(model.details_scroll(), 0, "coming back starts at the top");
    press(&mut model, key(KeyCode::Down));
    press(&mut model, key(KeyCode::Char('J')));
    assert_eq!(model.details_scroll(), 0, "a short profile does not scroll");
}

#[test]
fn pasting_types_into_the_filter() {
    let mut model = model();
    press(&mut model, key(KeyCode::Char('/')));
    model.update(Msg::Paste(crate::secret::Secret::new("dev\n")));
    assert_eq!(model.filter.value(), "dev");
}

#[test]
fn keys_per_mode() {
    let mut model = model();
    let cases = [
        (key(KeyCode::Char('/')), Some(Intent::StartFilter)),
        (key(KeyCode::Char('e')), Some(Intent::Edit)),
        (key(KeyCode::Enter), Some(Intent::Edit)),
        (key(KeyCode::Char('m')), Some(Intent::Rename)),
        (key(KeyCode::Char('d')), Some(Intent::Delete)),
        (key(KeyCode::Delete), Some(Intent::Delete)),
        (key(KeyCode::Char('x')), Some(Intent::Export)),
        (key(KeyCode::Char('v')), Some(Intent::Reveal)),
        (key(KeyCode::Char('s')), Some(Intent::Sort)),
        (key(KeyCode::Char('n')), Some(Intent::NewSetup)),
        (key(KeyCode::Char('r')), Some(Intent::Rotate)),
        (key(KeyCode::Char('c')), Some(Intent::Check)),
        (key(KeyCode::Char('?')), Some(Intent::Help)),
        (key(KeyCode::Char('q')), Some(Intent::Quit)),
        (key(KeyCode::F(5)), Some(Intent::Reload)),
        (key(KeyCode::Char('f')), None),
        (key(KeyCode::Esc), None),
        (key(KeyCode::Char('z')), None),
    ];
    for (event, expected) in cases {
        assert_eq!(intent(&model, event), expected, "{event:?}");
    }
    press(&mut model, key(KeyCode::Char('/')));
    assert_eq!(intent(&model, key(KeyCode::Char('q'))), None);
    assert!(matches!(
        keys::to_msg(&key(KeyCode::Char('q')), &model),
        Some(Msg::Edit(InputRequest::InsertChar('q')))
    ));
    assert_eq!(intent(&model, key(KeyCode::Down)), Some(Intent::Down));
    assert_eq!(intent(&model, ctrl('c')), Some(Intent::Quit));
    let mut release = key(KeyCode::Enter);
    release.kind = KeyEventKind::Release;
    assert!(keys::to_msg(&release, &model).is_none());
}

/// Every key the hint bar advertises does what it says, in every mode.
#[test]
fn every_hint_is_honoured_by_its_first_key() {
    let mut models = vec![model(), model_with_bom(120, 40)];
    for keys_pressed in ["/", "?", "e", "m", "x", "xw", "d", "i"] {
        let mut m = model();
        select(&mut m, "ci");
        type_text(&mut m, keys_pressed);
        models.push(m);
    }
    let mut modes = Vec::new();
    for model in &models {
        modes.push(model.mode_kind());
        let situation = Situation::of(model);
        for binding in BINDINGS.iter().filter(|b| (b.applies)(situation)) {
            if (binding.hint)(situation).is_none() {
                continue;
            }
            let first = binding.keys[0];
            let event = KeyEvent::new(first.code, first.modifiers);
            assert_eq!(
                intent(model, event),
                Some(binding.intent),
                "{} in {:?}",
                binding.key_label,
                model.mode_kind()
            );
        }
    }
    for mode in [
        ModeKind::Browse,
        ModeKind::Filter,
        ModeKind::Help,
        ModeKind::Edit,
        ModeKind::Rename,
        ModeKind::Import,
        ModeKind::Export,
        ModeKind::ExportPath,
        ModeKind::Confirm,
    ] {
        assert!(modes.contains(&mode), "{mode:?} was not covered");
    }
}

#[test]
fn hints_and_help_come_from_the_table() {
    let mut model = model();
    let hints = keys::hints(&model);
    assert_eq!(hints.first(), Some(&("↑↓", "move")));
    assert!(hints.contains(&("e", "edit")) && hints.contains(&("q", "quit")));
    assert!(
        !hints.iter().any(|(k, _)| *k == "f"),
        "no repair without a problem"
    );
    let help = keys::help(&model);
    press(&mut model, key(KeyCode::Char('?')));
    assert_eq!(keys::help(&model), help, "help shows the screen under it");
    assert!(help.iter().any(|(k, _)| k == "^R F5"));
}

#[test]
fn ten_thousand_profiles_filter_by_name() {
    let config: String = (0..10_000)
        .map(|i| format!("[profile team-{i:05}]\nregion = us-east-1\n"))
        .collect();
    let mut model = Model::new(
        &paths(),
        files(&config, ""),
        HealthCache::default(),
        now(),
        120,
        40,
    );
    assert_eq!(model.rows.len(), 10_000);
    press(&mut model, key(KeyCode::Char('/')));
    type_text(&mut model, "09999");
    assert_eq!(names(&model), ["team-09999"]);
}

#[test]
fn import_takes_keys_from_the_environment_and_asks_with_a_masked_diff() {
    let mut model = model();
    press(&mut model, key(KeyCode::Char('i')));
    assert_eq!(model.mode_kind(), ModeKind::Import);
    press(&mut model, ctrl('e'));
    assert!(
        !model.status.as_ref().unwrap().ok,
        "no keys in the environment"
    );
    model.environment_keys = Some(KeyMaterial::new("AKIAIOSFODNN7EXAMPLE", SECRET, None));
    type_text(&mut model, "ci");
    press(&mut model, ctrl('e'));
    press(&mut model, key(KeyCode::Enter));
    let Mode::Import(form) = &model.mode else {
        panic!("still the form: the name is taken")
    };
    assert!(form.errors(&model.set)[0].1.contains("already exists"));
    assert!(!format!("{:?}", model.mode).contains(SECRET));
    type_text(&mut model, "-new");
    press(&mut model, key(KeyCode::Enter));
    let Mode::Confirm(confirm) = &model.mode else {
        panic!("the diff, not {:?}", model.mode_kind())
    };
    let diff = confirm.lines.join("\n");
    assert!(diff.contains("+[ci-new]"), "{diff}");
    assert!(
        diff.contains("+aws_secret_access_key = ****************EKEY"),
        "{diff}"
    );
    assert!(!diff.contains(SECRET));
    let effects = press(&mut model, key(KeyCode::Char('y')));
    let [Effect::Write(edits)] = &effects[..] else {
        panic!("a write")
    };
    assert_eq!(
        edits[0],
        Edit::RequireAbsent {
            profile: "ci-new".into()
        }
    );
    assert_eq!(edits.len(), 3);
}

#[test]
fn import_reads_a_key_file_through_the_loop_and_validates_typed_keys() {
    let mut model = model();
    press(&mut model, key(KeyCode::Char('i')));
    type_text(&mut model, "typed");
    press(&mut model, key(KeyCode::Tab));
    type_text(&mut model, "not-a-key");
    let Mode::Import(form) = &model.mode else {
        panic!("the form")
    };
    let errors = form.errors(&model.set);
    assert!(errors.iter().any(|(f, _)| *f == 1), "{errors:?}");
    assert!(errors.iter().any(|(f, _)| *f == 2), "{errors:?}");
    assert!(press(&mut model, ctrl('o')).is_empty());
    let Mode::Import(form) = &model.mode else {
        panic!("the form")
    };
    assert_eq!(form.focus, 5, "asks for the path first");
    type_text(&mut model, "/tmp/keys.csv");
    let effects = press(&mut model, ctrl('o'));
    assert!(
        matches!(&effects[..], [Effect::ReadKeyFile(path)] if path == &PathBuf::from("/tmp/keys.csv"))
    );
    model.update(Msg::KeyFile(Err("not a key file".to_string())));
    let Mode::Import(form) = &model.mode else {
        panic!("the form")
    };
    assert_eq!(form.file_error.as_deref(), Some("not a key file"));
    model.update(Msg::KeyFile(Ok(KeyMaterial::new(
        "AKIAIOSFODNN7EXAMPLE",
        SECRET,
        Some(TOKEN),
    ))));
    let Mode::Import(form) = &model.mode else {
        panic!("the form")
    };
    assert!(
        form.errors(&model.set).is_empty(),
        "{:?}",
        form.errors(&model.set)
    );
    assert_eq!(form.fields[3].value(), TOKEN);
    press(&mut model, key(KeyCode::Esc));
    assert_eq!(model.mode_kind(), ModeKind::Browse);
}
