//! Render snapshots of every screen at 80×24 and at the minimum size, from models driven with
//! fake results (never AWS). Account ids and the secret are redacted by insta filters, and the
//! tests check that the secret is on screen only when revealed. Snapshots do not record style,
//! so where style carries meaning the tests look at the buffer's cells.

use ratatui::buffer::Buffer;

use crate::tui::fixtures::{buffer_text as text, render};
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};

use super::fixtures::{self, Driver, FakeAws, key};
use super::setup::{self, Intent, UiEffect, UiMsg, WizardModel};
use super::theme::Theme;
use super::widgets::{MIN_HEIGHT, MIN_WIDTH};
use crate::flows::setup::{Effect, Msg, Setup, Step};
use crate::presets;
use crate::secret::Secret;

fn draw(model: &WizardModel, width: u16, height: u16, theme: Theme) -> Buffer {
    render(width, height, |frame| setup::view(model, theme, frame))
}

/// Where `needle` starts on screen, in cells.
fn find(buffer: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let area = buffer.area;
    for y in area.top()..area.bottom() {
        let cells: Vec<&str> = (area.left()..area.right())
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        for start in 0..cells.len() {
            let mut candidate = String::new();
            for cell in &cells[start..] {
                candidate.push_str(cell);
                if candidate.len() >= needle.len() {
                    break;
                }
            }
            if candidate.starts_with(needle) {
                return Some((area.left() + start as u16, y));
            }
        }
    }
    None
}

fn assert_snapshot_at(name: &str, model: &WizardModel, width: u16, height: u16) {
    let buffer = draw(model, width, height, Theme::colored());
    let screen = text(&buffer);
    if !model.done.revealed {
        assert!(
            !screen.contains(fixtures::NEW_SECRET),
            "the secret is on screen unrevealed in {name}"
        );
    }
    insta::with_settings!({
        filters => vec![
            (r"\b\d{12}\b", "[account-id]"),
            (fixtures::NEW_SECRET, "[secret]"),
        ],
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), screen);
    });
}

/// Snapshots at the usual 80×24 and at the minimum size.
fn assert_snapshots(name: &str, model: &WizardModel) {
    assert_snapshot_at(name, model, 80, 24);
    assert_snapshot_at(name, model, MIN_WIDTH, MIN_HEIGHT);
}

fn at(step: Step, aws: FakeAws) -> Driver {
    let mut driver = Driver::prefilled(aws);
    driver.enter_until(step);
    driver
}

/// The request id of the effect the machine is waiting on.
fn waiting_request(effects: &[UiEffect]) -> crate::flows::setup::RequestId {
    effects
        .iter()
        .find_map(|effect| match effect {
            UiEffect::Core(Effect::Identify { request, .. }) => Some(*request),
            _ => None,
        })
        .expect("an Identify effect")
}

#[test]
fn preset_screen() {
    assert_snapshots("preset", &Driver::new(FakeAws::default()).model);
    assert_snapshot_at(
        "preset_prefilled",
        &Driver::prefilled(FakeAws::default()).model,
        80,
        24,
    );
}

#[test]
fn account_screen() {
    let mut driver = at(Step::Account, FakeAws::default());
    assert_snapshot_at("account_choosing", &driver.model, 80, 24);
    driver.press(key(KeyCode::Enter));
    assert!(driver.model.setup.account.is_some());
    assert_snapshots("account", &driver.model);
}

#[test]
fn account_screen_warns_about_root() {
    let mut driver = at(
        Step::Account,
        FakeAws {
            root: true,
            ..FakeAws::default()
        },
    );
    driver.press(key(KeyCode::Enter));
    assert_snapshot_at("account_root", &driver.model, 80, 24);
    let buffer = draw(&driver.model, 80, 24, Theme::colored());
    let (x, y) = find(&buffer, "⚠ Root user").expect("the root warning");
    assert_eq!(buffer[(x, y)].fg, Color::Yellow);
}

#[test]
fn account_screen_with_a_problem() {
    let mut driver = at(Step::Account, FakeAws::default());
    let effects = driver.send_unanswered(UiMsg::Intent(Intent::Next));
    assert_snapshot_at("account_checking", &driver.model, 80, 24);
    let request = waiting_request(&effects);
    driver.send(UiMsg::Result(Msg::Identified(
        request,
        Err(fixtures::no_credentials()),
    )));
    assert!(driver.model.setup.problem.is_some());
    assert_snapshots("account_problem", &driver.model);
    let buffer = draw(&driver.model, 80, 24, Theme::colored());
    let (x, y) = find(&buffer, "✗ Problem").expect("the problem panel");
    assert_eq!(buffer[(x, y)].fg, Color::Red);
}

#[test]
fn account_screen_without_any_credentials_says_how_to_get_an_account() {
    let mut setup = Setup::new(presets::built_in());
    setup.update(Msg::PickPreset(Some("s3-readonly".to_string())));
    setup.update(Msg::Next);
    let model = WizardModel::new(setup, Vec::new(), false);
    let screen = text(&draw(&model, 80, 24, Theme::colored()));
    assert!(screen.contains("No AWS credentials found"));
    assert!(screen.contains("portal.aws.amazon.com"));
    assert_snapshot_at("account_no_credentials", &model, 80, 24);
}

#[test]
fn account_screen_masks_pasted_keys() {
    let mut driver = at(Step::Account, FakeAws::default());
    driver.press(key(KeyCode::End));
    driver.press(key(KeyCode::Enter));
    driver.send(UiMsg::Paste(Secret::new("AKIAPASTEDEXAMPLE")));
    driver.press(key(KeyCode::Tab));
    driver.send(UiMsg::Paste(Secret::new(fixtures::NEW_SECRET)));
    let screen = text(&draw(&driver.model, 80, 24, Theme::colored()));
    assert!(screen.contains("AKIAPASTEDEXAMPLE"));
    assert!(!screen.contains(fixtures::NEW_SECRET));
    assert!(screen.contains(&"•".repeat(fixtures::NEW_SECRET.len())));
    assert_snapshot_at("account_paste", &driver.model, 80, 24);
}

#[test]
fn user_screen() {
    let mut driver = at(Step::User, FakeAws::default());
    assert_snapshots("user", &driver.model);
    driver.type_text(" x");
    driver.press(key(KeyCode::Enter));
    assert_snapshots("user_invalid", &driver.model);
}

#[test]
fn user_screen_announces_reuse() {
    let mut driver = at(
        Step::User,
        FakeAws {
            user_exists: true,
            ..FakeAws::default()
        },
    );
    driver.press(key(KeyCode::Enter));
    assert_snapshot_at("user_exists", &driver.model, 80, 24);
}

#[test]
fn policies_screen() {
    let mut driver = at(Step::Policies, FakeAws::default());
    assert_snapshots("policies", &driver.model);
    driver.type_text("full");
    assert_snapshots("policies_filtered", &driver.model);
    let buffer = draw(&driver.model, 80, 24, Theme::colored());
    let (x, y) = find(&buffer, "⚠ full control").expect("a full-control flag");
    assert_eq!(buffer[(x, y)].fg, Color::Yellow);
    let (x, y) = find(&buffer, "› [").expect("the highlighted row");
    assert!(buffer[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn policies_screen_while_the_catalog_loads() {
    let mut setup = Setup::new(presets::built_in());
    setup.update(Msg::PickPreset(Some("mturk".to_string())));
    let mut driver = Driver::with_setup(setup, FakeAws::default());
    driver.enter_until(Step::User);
    let effects = driver.send_unanswered(UiMsg::Intent(Intent::Next));
    let lookup = effects
        .iter()
        .find_map(|e| match e {
            UiEffect::Core(effect @ Effect::LookUpUser { .. }) => Some(driver.aws.answer(effect)),
            _ => None,
        })
        .expect("a user lookup");
    driver.send_unanswered(UiMsg::Result(lookup));
    assert_eq!(driver.model.setup.step, Step::Policies);
    assert_snapshot_at("policies_loading", &driver.model, 80, 24);
}

#[test]
fn policies_screen_reports_an_optional_policy_the_account_lacks() {
    let mut setup = Setup::new(presets::built_in());
    setup.update(Msg::PickPreset(Some("mturk".to_string())));
    let mut driver = Driver::with_setup(setup, FakeAws::default());
    driver.enter_until(Step::Profile);
    assert_eq!(
        driver.model.setup.unavailable,
        ["AmazonMechanicalTurkCrowdFullAccess"]
    );
    driver.press(key(KeyCode::Esc));
    assert_snapshot_at("policies_unavailable", &driver.model, 80, 24);
    driver.enter_until(Step::Done);
    let screen = text(&draw(&driver.model, 80, 24, Theme::colored()));
    assert!(
        screen.contains("Skipped   AmazonMechanicalTurkCrowdFullAccess"),
        "{screen}"
    );
}

#[test]
fn profile_screen() {
    let driver = at(Step::Profile, FakeAws::default());
    assert_snapshots("profile", &driver.model);
}

#[test]
fn profile_screen_asks_before_replacing() {
    let mut driver = at(
        Step::Profile,
        FakeAws {
            profile_exists: true,
            ..FakeAws::default()
        },
    );
    driver.press(key(KeyCode::Enter));
    assert_snapshots("profile_replace", &driver.model);
}

#[test]
fn review_screen() {
    let mut driver = at(Step::Review, FakeAws::default());
    assert_snapshots("review", &driver.model);
    driver.send(UiMsg::Resize {
        width: MIN_WIDTH,
        height: MIN_HEIGHT,
    });
    driver.press(key(KeyCode::PageDown));
    assert_snapshot_at("review_scrolled", &driver.model, MIN_WIDTH, MIN_HEIGHT);
    let buffer = draw(&driver.model, MIN_WIDTH, MIN_HEIGHT, Theme::colored());
    let (x, y) = find(&buffer, "+aws_access_key_id").expect("an added line");
    assert_eq!(buffer[(x, y)].fg, Color::Green);
}

#[test]
fn run_screen() {
    let mut driver = at(Step::Review, FakeAws::default());
    driver.send_unanswered(UiMsg::Intent(Intent::Next));
    assert_snapshot_at("run_starting", &driver.model, 80, 24);
    let mut driver = at(Step::Review, FakeAws::default());
    driver.start_run();
    assert_snapshots("run", &driver.model);
}

#[test]
fn run_screen_after_a_failure() {
    let driver = at(
        Step::Run,
        FakeAws {
            deny_create_user: true,
            ..FakeAws::default()
        },
    );
    assert_snapshots("run_failed", &driver.model);
    let buffer = draw(&driver.model, 80, 24, Theme::colored());
    let (x, y) = find(&buffer, "✗ Create user").expect("the failed step");
    assert_eq!(buffer[(x, y)].fg, Color::Red);
    assert!(buffer[(x, y)].modifier.contains(Modifier::BOLD));
}

#[test]
fn done_screen_masks_the_secret_until_revealed() {
    let mut driver = at(Step::Done, FakeAws::default());
    assert_snapshots("done", &driver.model);
    driver.press(key(KeyCode::Char('r')));
    let screen = text(&draw(&driver.model, 80, 24, Theme::colored()));
    assert!(screen.contains(fixtures::NEW_SECRET));
    assert_snapshot_at("done_revealed", &driver.model, 80, 24);
    driver.press(key(KeyCode::Char('r')));
    driver.press(key(KeyCode::Char('c')));
    assert_snapshot_at("done_copied", &driver.model, 80, 24);
}

#[test]
fn overlays() {
    let mut driver = at(Step::Policies, FakeAws::default());
    driver.press(key(KeyCode::Char('?')));
    assert_snapshots("help_policies", &driver.model);

    let mut driver = at(
        Step::Run,
        FakeAws {
            deny_create_user: true,
            ..FakeAws::default()
        },
    );
    driver.press(key(KeyCode::Char('q')));
    assert_snapshot_at("confirm_quit", &driver.model, 80, 24);

    let mut driver = at(Step::Done, FakeAws::default());
    driver.press(key(KeyCode::Enter));
    assert_snapshots("have_it", &driver.model);

    let mut driver = at(Step::Review, FakeAws::default());
    driver.start_run();
    driver.send_unanswered(UiMsg::Terminate);
    assert_snapshot_at("quitting", &driver.model, 80, 24);
}

#[test]
fn a_small_terminal_says_what_it_needs() {
    let model = Driver::new(FakeAws::default()).model;
    let screen = text(&draw(
        &model,
        MIN_WIDTH - 1,
        MIN_HEIGHT + 5,
        Theme::colored(),
    ));
    assert!(
        screen.contains("Terminal too small: need 60×18"),
        "{screen}"
    );
    let screen = text(&draw(&model, 100, MIN_HEIGHT - 1, Theme::colored()));
    assert!(
        screen.contains("Terminal too small: need 60×18"),
        "{screen}"
    );
    assert_snapshot_at("too_small", &model, 40, 10);
    let screen = text(&draw(&model, MIN_WIDTH, MIN_HEIGHT, Theme::colored()));
    assert!(!screen.contains("too small"));
}

#[test]
fn the_current_step_is_marked_and_reversed_not_only_coloured() {
    let driver = at(Step::User, FakeAws::default());
    for theme in [Theme::colored(), Theme::monochrome()] {
        let buffer = draw(&driver.model, 80, 24, theme);
        let (x, y) = find(&buffer, "› IAM user").expect("the current step");
        assert!(buffer[(x, y)].modifier.contains(Modifier::REVERSED));
        assert!(find(&buffer, "✓ Account").is_some());
    }
}

#[test]
fn without_colour_no_cell_has_one() {
    let mut models = vec![Driver::new(FakeAws::default()).model];
    for step in [Step::Policies, Step::Review, Step::Done] {
        models.push(at(step, FakeAws::default()).model);
    }
    models.push(
        at(
            Step::Run,
            FakeAws {
                deny_create_user: true,
                ..FakeAws::default()
            },
        )
        .model,
    );
    for model in &models {
        let buffer = draw(model, 80, 24, Theme::monochrome());
        for cell in buffer.content() {
            assert_eq!(cell.fg, Color::Reset, "{:?}", model.setup.step);
            assert_eq!(cell.bg, Color::Reset, "{:?}", model.setup.step);
        }
    }
}
