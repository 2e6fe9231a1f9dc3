//! Render snapshots of Home at 120×40, 80×24 and the minimum size, in every mode and in the
//! error state. Secrets and 12-digit account ids are redacted by insta filters, and the tests
//! check that a secret is on screen only when revealed. Snapshots do not record style, so
//! where style carries meaning the tests look at the buffer's cells.

use ratatui::buffer::Buffer;

use crate::tui::fixtures::{buffer_text as text, render};
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Modifier;

use super::model::{Model, Msg};
use super::tests::{SECRET, TOKEN, ctrl, key, model_at, model_with_bom, press, type_text};
use super::view;
use crate::tui::theme::Theme;
use crate::tui::widgets::{MIN_HEIGHT, MIN_WIDTH};

fn draw(model: &Model, theme: Theme) -> Buffer {
    render(model.width, model.height, |frame| {
        view::view(model, theme, frame)
    })
}

fn snapshot(name: &str, model: &Model) {
    let screen = text(&draw(model, Theme::colored()));
    if !model.revealed {
        assert!(
            !screen.contains(SECRET) && !screen.contains(TOKEN),
            "a secret is on screen unrevealed in {name}"
        );
    }
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        filters => vec![
            (r"\b\d{12}\b", "[account-id]"),
            (SECRET, "[secret]"),
            (TOKEN, "[token]"),
        ],
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("home_{name}_{}x{}", model.width, model.height), screen);
    });
}

const SIZES: [(u16, u16); 3] = [(120, 40), (80, 24), (MIN_WIDTH, MIN_HEIGHT)];

fn at_each_size(name: &str, prepare: impl Fn(&mut Model)) {
    for (width, height) in SIZES {
        let mut model = model_at(width, height);
        prepare(&mut model);
        snapshot(name, &model);
    }
}

fn select(model: &mut Model, name: &str) {
    press(model, key(KeyCode::Home));
    while model.selected().map(|r| r.name.as_str()) != Some(name) {
        press(model, key(KeyCode::Down));
    }
}

#[test]
fn browsing() {
    at_each_size("browse", |model| select(model, "default"));
}

#[test]
fn revealed_secrets() {
    let mut model = model_at(120, 40);
    select(&mut model, "ci");
    press(&mut model, key(KeyCode::Char('v')));
    let screen = text(&draw(&model, Theme::colored()));
    assert!(screen.contains(TOKEN), "revealed, the token is shown");
    snapshot("revealed", &model);
}

#[test]
fn filtering() {
    at_each_size("filter", |model| {
        press(model, key(KeyCode::Char('/')));
        type_text(model, "de");
    });
    at_each_size("filter_no_match", |model| {
        press(model, key(KeyCode::Char('/')));
        type_text(model, "zzz");
    });
}

#[test]
fn the_edit_form() {
    at_each_size("edit", |model| {
        select(model, "dev");
        press(model, key(KeyCode::Char('e')));
        press(model, ctrl('u'));
        type_text(model, "Mars");
    });
}

#[test]
fn the_diff_confirmation() {
    at_each_size("confirm_edit", |model| {
        select(model, "default");
        press(model, key(KeyCode::Char('e')));
        press(model, ctrl('u'));
        type_text(model, "eu-central-1");
        press(model, key(KeyCode::Enter));
    });
    at_each_size("confirm_delete", |model| {
        select(model, "ci");
        press(model, key(KeyCode::Char('d')));
    });
}

#[test]
fn rename_and_export() {
    at_each_size("rename", |model| {
        select(model, "dev");
        press(model, key(KeyCode::Char('m')));
        press(model, ctrl('u'));
        type_text(model, "ci");
    });
    at_each_size("export", |model| {
        select(model, "ci");
        press(model, key(KeyCode::Char('x')));
    });
}

#[test]
fn export_to_a_file() {
    let mut model = model_at(80, 24);
    select(&mut model, "ci");
    press(&mut model, key(KeyCode::Char('x')));
    press(&mut model, key(KeyCode::Char('w')));
    snapshot("export_file", &model);
    press(&mut model, key(KeyCode::Enter));
    snapshot("confirm_export_file", &model);
}

#[test]
fn the_import_form() {
    at_each_size("import", |model| {
        model.environment_keys = Some(crate::profiles::formats::KeyMaterial::new(
            "AKIAIOSFODNN7EXAMPLE",
            SECRET,
            None,
        ));
        press(model, key(KeyCode::Char('i')));
        type_text(model, "ci");
        press(model, ctrl('e'));
    });
}

#[test]
fn the_help_overlay() {
    at_each_size("help", |model| {
        press(model, key(KeyCode::Char('?')));
    });
}

#[test]
fn the_error_state() {
    for (width, height) in SIZES {
        let model = model_with_bom(width, height);
        snapshot("bom", &model);
    }
}

#[test]
fn too_small() {
    let mut model = model_at(120, 40);
    model.update(Msg::Resize {
        width: MIN_WIDTH - 1,
        height: MIN_HEIGHT,
    });
    let screen = text(&draw(&model, Theme::colored()));
    assert!(screen.contains("need 60×18"), "{screen}");
    snapshot("too_small", &model);
}

#[test]
fn the_selection_is_reversed_and_markers_carry_meaning_without_colour() {
    let mut model = model_at(80, 24);
    select(&mut model, "default");
    let buffer = draw(&model, Theme::monochrome());
    let rows = view::areas(&model).list_rows;
    let y = rows.y + u16::try_from(model.cursor).unwrap();
    let cell = &buffer[(rows.x, y)];
    assert_eq!(cell.symbol(), "›");
    assert!(cell.modifier.contains(Modifier::REVERSED));
    for x in 0..buffer.area.width {
        for y in 0..buffer.area.height {
            assert_eq!(buffer[(x, y)].fg, ratatui::style::Color::Reset);
        }
    }
    let screen = text(&buffer);
    assert!(
        screen.contains("⚠"),
        "warnings are marked, not only coloured"
    );
    assert!(screen.contains("120d!"), "an old key is marked");
}
