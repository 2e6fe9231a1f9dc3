//! The rotation screens, driven by fabricated results (never AWS): key map and update tests,
//! and snapshots of every screen at 80×24 and the minimum size, account ids redacted.

use std::collections::VecDeque;

use ratatui::buffer::Buffer;

use crate::tui::fixtures::{buffer_text as text, render};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::OffsetDateTime;

use super::model::{Intent, RotateModel, UiMsg};
use super::{BINDINGS, Situation, help, hints, to_msg, view};
use crate::aws::{AccessKeyStatus, AwsError, AwsErrorKind, CallerIdentity, KeyLastUsed};
use crate::flows::rotate::{
    Action, ActionOutput, Effect, KeyFacts, KeyList, LocalProfile, Msg, Options, Outcome, Rotation,
    Step,
};
use crate::profiles::{FileKind, Kind};
use crate::tui::theme::Theme;
use crate::tui::widgets::{MIN_HEIGHT, MIN_WIDTH};

const OLD: &str = "AKIAOLDKEY0000000001";
const OTHER: &str = "AKIAOTHERKEY00000002";
const NEW: &str = "AKIANEWKEY0000000003";
const ACCOUNT: &str = "123456789012";
/// A secret the fakes never hand to the model: it must never be on screen.
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn day(days_ago: i64) -> OffsetDateTime {
    // 2026-11-26T12:00:00Z, minus whole days.
    OffsetDateTime::from_unix_timestamp(1_795_694_400).expect("a valid time")
        - time::Duration::days(days_ago)
}

fn denied(operation: &'static str) -> AwsError {
    AwsError {
        kind: AwsErrorKind::AccessDenied {
            action: Some(format!("iam:{operation}")),
        },
        code: Some("AccessDenied".to_string()),
        message: format!("not allowed to call {operation}"),
        operation,
    }
}

/// What the fake AWS and files answer.
#[derive(Clone, Default)]
struct Fake {
    two_keys: bool,
    /// A local profile holds the other key.
    other_held: bool,
    verify_fails: bool,
    fail_deactivate: bool,
    /// Steps left unanswered (in flight), by label prefix.
    hold: Option<&'static str>,
}

impl Fake {
    fn profile(name: &str, key: &str) -> LocalProfile {
        LocalProfile {
            name: name.to_string(),
            kind: Kind::Static,
            access_key_id: Some(key.to_string()),
            key_file: Some(FileKind::Credentials),
        }
    }

    fn answer(&self, effect: &Effect) -> Option<Msg> {
        match effect {
            Effect::ReadProfiles { request, .. } => {
                let mut profiles = vec![Self::profile("dev", OLD), Self::profile("ci", OLD)];
                if self.other_held {
                    profiles.push(Self::profile("legacy", OTHER));
                }
                Some(Msg::ProfilesRead(*request, Ok(profiles)))
            }
            Effect::Identify { request, .. } => Some(Msg::Identified(
                *request,
                Ok(CallerIdentity {
                    account: ACCOUNT.to_string(),
                    arn: format!("arn:aws:iam::{ACCOUNT}:user/alice"),
                    user_id: "AIDAEXAMPLEUSER".to_string(),
                }),
            )),
            Effect::ListKeys { request, .. } => {
                let mut keys = vec![KeyFacts {
                    access_key_id: OLD.to_string(),
                    status: AccessKeyStatus::Active,
                    created: Some(day(412)),
                    last_used: Some(KeyLastUsed {
                        user_name: Some("alice".to_string()),
                        last_used: Some(day(1)),
                        service_name: Some("s3".to_string()),
                        region: Some("eu-west-1".to_string()),
                    }),
                }];
                if self.two_keys {
                    keys.push(KeyFacts {
                        access_key_id: OTHER.to_string(),
                        status: AccessKeyStatus::Inactive,
                        created: Some(day(700)),
                        last_used: None,
                    });
                }
                Some(Msg::KeysListed(
                    *request,
                    Ok(KeyList {
                        user: "alice".to_string(),
                        keys,
                        now: day(0),
                    }),
                ))
            }
            Effect::BeginJournal { .. } | Effect::FinishJournal => None,
            Effect::Perform {
                request, action, ..
            } => {
                let result = match action {
                    Action::CreateKey { profiles, .. } => Ok(ActionOutput::KeyCreated {
                        key_id: NEW.to_string(),
                        profiles: profiles.clone(),
                    }),
                    Action::VerifyKey { .. } if self.verify_fails => {
                        Err(denied("GetCallerIdentity"))
                    }
                    Action::VerifyKey { .. } => Ok(ActionOutput::Verified {
                        arn: format!("arn:aws:iam::{ACCOUNT}:user/alice"),
                    }),
                    Action::DeactivateOldKey { .. } if self.fail_deactivate => {
                        Err(denied("UpdateAccessKey"))
                    }
                    _ => Ok(ActionOutput::Completed),
                };
                Some(Msg::Performed(*request, result))
            }
        }
    }
}

/// The model with the fakes answering every effect, except those held in flight.
struct Driver {
    model: RotateModel,
    fake: Fake,
    held: Vec<Effect>,
    /// Every step the runner was asked to perform.
    performed: Vec<Action>,
}

impl Driver {
    fn new(fake: Fake) -> Driver {
        let mut options = Options::new("dev");
        options.interactive = true;
        let mut driver = Driver {
            model: RotateModel::new(Rotation::new(options)),
            fake,
            held: Vec::new(),
            performed: Vec::new(),
        };
        let effects = driver.model.rotation.update(Msg::Next);
        driver.settle(effects);
        driver
    }

    fn settle(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            if let Effect::Perform { action, .. } = &effect {
                if self
                    .fake
                    .hold
                    .is_some_and(|held| action.label().starts_with(held))
                {
                    self.held.push(effect);
                    continue;
                }
                self.performed.push(action.clone());
            }
            if let Some(msg) = self.fake.answer(&effect) {
                queue.extend(self.model.update(UiMsg::Result(msg)));
            }
        }
    }

    /// Answers the steps held in flight.
    fn release(&mut self) {
        self.fake.hold = None;
        let held = std::mem::take(&mut self.held);
        self.settle(held);
    }

    fn intent(&mut self, intent: Intent) {
        let effects = self.model.update(UiMsg::Intent(intent));
        self.settle(effects);
    }

    fn press(&mut self, event: KeyEvent) {
        if let Some(msg) = to_msg(&event, &self.model) {
            let effects = self.model.update(msg);
            self.settle(effects);
        }
    }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl_c() -> KeyEvent {
    KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
}

fn intent_of(model: &RotateModel, event: KeyEvent) -> Option<Intent> {
    match to_msg(&event, model) {
        Some(UiMsg::Intent(intent)) => Some(intent),
        Some(other) => panic!("expected an intent, got {other:?}"),
        None => None,
    }
}

fn two_keys() -> Fake {
    Fake {
        two_keys: true,
        other_held: true,
        ..Fake::default()
    }
}

/// At the review, having chosen to delete the other key.
fn at_review() -> Driver {
    let mut driver = Driver::new(two_keys());
    driver.press(key(KeyCode::Enter));
    assert_eq!(driver.model.rotation.step, Step::Review);
    driver
}

fn draw(model: &RotateModel, width: u16, height: u16) -> Buffer {
    render(width, height, |frame| view(model, Theme::colored(), frame))
}

fn assert_snapshot_at(name: &str, model: &RotateModel, width: u16, height: u16) {
    let screen = text(&draw(model, width, height));
    assert!(!screen.contains(SECRET), "a secret is on screen in {name}");
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        filters => vec![(r"\b\d{12}\b", "[account-id]")],
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("rotate_{name}_{width}x{height}"), screen);
    });
}

fn assert_snapshots(name: &str, model: &RotateModel) {
    assert_snapshot_at(name, model, 80, 24);
    assert_snapshot_at(name, model, MIN_WIDTH, MIN_HEIGHT);
}

// Key map.

#[test]
fn keys_on_the_second_key_screen() {
    let driver = Driver::new(two_keys());
    let model = &driver.model;
    assert_eq!(model.rotation.step, Step::OtherKey);
    let cases = [
        (key(KeyCode::Enter), Some(Intent::Next)),
        (key(KeyCode::Esc), Some(Intent::Back)),
        (key(KeyCode::Up), Some(Intent::Up)),
        (key(KeyCode::Char('k')), Some(Intent::Up)),
        (key(KeyCode::Down), Some(Intent::Down)),
        (key(KeyCode::Char('j')), Some(Intent::Down)),
        (key(KeyCode::Char('?')), Some(Intent::Help)),
        (key(KeyCode::Char('q')), Some(Intent::Quit)),
        (ctrl_c(), Some(Intent::Quit)),
        (key(KeyCode::Char('x')), None),
    ];
    for (event, expected) in cases {
        assert_eq!(intent_of(model, event), expected, "{event:?}");
    }
    assert_eq!(
        hints(model),
        [
            ("Enter", "choose"),
            ("Esc", "back"),
            ("↑↓", "answer"),
            ("?", "help"),
            ("q", "quit")
        ]
    );
}

#[test]
fn the_hint_bar_follows_the_step() {
    let mut driver = Driver::new(Fake::default());
    // Still reading: nothing to continue to, no way back.
    let loading = RotateModel::new(Rotation::new(Options::new("dev")));
    assert_eq!(
        hints(&loading),
        [("Enter", "continue"), ("?", "help"), ("q", "quit")]
    );
    let mut waiting = RotateModel::new(Rotation::new(Options::new("dev")));
    let _ = waiting.rotation.update(Msg::Next);
    assert_eq!(hints(&waiting), [("?", "help"), ("q", "quit")]);
    assert_eq!(intent_of(&waiting, key(KeyCode::Enter)), None);

    assert_eq!(driver.model.rotation.step, Step::Review);
    assert_eq!(
        hints(&driver.model),
        [
            ("Enter", "rotate now"),
            ("Esc", "back"),
            ("?", "help"),
            ("q", "quit")
        ]
    );
    driver.fake.hold = Some("Verify");
    driver.press(key(KeyCode::Enter));
    assert_eq!(hints(&driver.model), [("?", "help"), ("q", "stop safely")]);
    assert_eq!(intent_of(&driver.model, key(KeyCode::Esc)), None);
    driver.release();
    assert_eq!(
        hints(&driver.model),
        [("Enter", "close"), ("?", "help"), ("q", "quit")]
    );
}

/// Every key the bar advertises does what the bar says, on every screen.
#[test]
fn every_hint_is_honoured_by_its_first_key() {
    let mut models = vec![
        RotateModel::new(Rotation::new(Options::new("dev"))),
        Driver::new(two_keys()).model,
        at_review().model,
    ];
    let mut running = at_review();
    running.fake.hold = Some("Verify");
    running.press(key(KeyCode::Enter));
    models.push(running.model);
    let mut failed = at_review();
    failed.fake.fail_deactivate = true;
    failed.press(key(KeyCode::Enter));
    models.push(failed.model);
    let mut done = at_review();
    done.press(key(KeyCode::Enter));
    done.press(key(KeyCode::Char('?')));
    models.push(done.model);
    for model in &models {
        let situation = Situation::of(model);
        for binding in BINDINGS.iter().filter(|b| (b.applies)(situation)) {
            if (binding.hint)(situation).is_none() {
                continue;
            }
            let first = binding.keys[0];
            let event = KeyEvent::new(first.code, first.modifiers);
            assert_eq!(
                intent_of(model, event),
                Some(binding.intent),
                "{} on {:?}",
                binding.key_label,
                model.rotation.step
            );
        }
    }
}

#[test]
fn the_help_takes_the_keys_and_lists_the_screen_under_it() {
    let mut driver = at_review();
    let closed = help(&driver.model);
    driver.press(key(KeyCode::Char('?')));
    assert!(driver.model.help);
    assert_eq!(help(&driver.model), closed);
    assert!(closed.iter().any(|(keys, _)| keys == "Esc"));
    assert_eq!(intent_of(&driver.model, key(KeyCode::Enter)), None);
    assert_eq!(
        intent_of(&driver.model, key(KeyCode::Char('q'))),
        Some(Intent::Dismiss)
    );
    assert_eq!(intent_of(&driver.model, ctrl_c()), Some(Intent::Quit));
    driver.press(key(KeyCode::Esc));
    assert!(!driver.model.help);
    assert_eq!(driver.model.rotation.step, Step::Review);
}

// Updates.

#[test]
fn a_rotation_runs_through_every_screen() {
    let mut driver = Driver::new(two_keys());
    assert_eq!(driver.model.rotation.step, Step::OtherKey);
    driver.press(key(KeyCode::Enter));
    driver.press(key(KeyCode::Enter));
    let rotation = &driver.model.rotation;
    assert_eq!(rotation.step, Step::Done);
    assert_eq!(rotation.outcome, Some(Outcome::Rotated));
    assert_eq!(rotation.written, ["dev", "ci"]);
    assert!(matches!(driver.performed[0], Action::DeleteOtherKey { .. }));
    assert!(!driver.model.quitting());
    driver.press(key(KeyCode::Enter));
    assert!(driver.model.quitting());
}

#[test]
fn choosing_to_stop_keeps_both_keys_and_esc_goes_back() {
    let mut driver = Driver::new(two_keys());
    driver.press(key(KeyCode::Down));
    assert!(!driver.model.delete_other);
    driver.press(key(KeyCode::Enter));
    assert_eq!(driver.model.rotation.step, Step::OtherKey);
    assert!(driver.model.rotation.problem.is_some());
    assert!(driver.performed.is_empty());
    driver.press(key(KeyCode::Up));
    driver.press(key(KeyCode::Enter));
    assert_eq!(driver.model.rotation.step, Step::Review);
    driver.press(key(KeyCode::Esc));
    assert_eq!(driver.model.rotation.step, Step::OtherKey);
    assert!(
        driver.model.delete_other,
        "the cursor is on the answer given"
    );
    driver.press(key(KeyCode::Esc));
    assert_eq!(driver.model.rotation.step, Step::Inspect);
}

#[test]
fn quitting_before_the_run_changes_nothing() {
    let mut driver = at_review();
    driver.press(key(KeyCode::Char('q')));
    assert!(driver.model.quitting());
    assert_eq!(driver.model.rotation.outcome, Some(Outcome::Interrupted));
    assert!(driver.performed.is_empty());
    // The step list ticks only the steps gone through.
    let screen = text(&draw(&driver.model, 80, 24));
    assert!(screen.contains("✓ Second key") && screen.contains("  Review"));
    assert!(!screen.contains("✓ Rotate"));
}

#[test]
fn ctrl_c_during_the_run_waits_for_a_verified_key() {
    let mut driver = at_review();
    driver.fake.hold = Some("Verify");
    driver.press(key(KeyCode::Enter));
    assert_eq!(driver.model.rotation.step, Step::Run);
    assert!(!driver.model.rotation.is_safe_to_stop());
    driver.press(ctrl_c());
    assert!(driver.model.stopping);
    assert!(!driver.model.quitting());
    // Asked again while the files hold an unverified key: the keys do nothing.
    assert_eq!(intent_of(&driver.model, ctrl_c()), None);
    assert_eq!(intent_of(&driver.model, key(KeyCode::Char('q'))), None);
    driver.intent(Intent::Quit);
    assert!(!driver.model.quitting());
    driver.release();
    let rotation = &driver.model.rotation;
    assert_eq!(rotation.step, Step::Done);
    assert_eq!(rotation.outcome, Some(Outcome::Interrupted));
    assert!(
        !driver
            .performed
            .iter()
            .any(|a| matches!(a, Action::DeactivateOldKey { .. })),
        "nothing after the safe point"
    );
    driver.press(key(KeyCode::Enter));
    assert!(driver.model.quitting());
}

#[test]
fn a_signal_during_the_run_ends_the_loop_once_safe() {
    let mut driver = at_review();
    driver.fake.hold = Some("Verify");
    driver.press(key(KeyCode::Enter));
    let effects = driver.model.update(UiMsg::Terminate);
    driver.settle(effects);
    assert!(!driver.model.quitting());
    driver.release();
    assert!(driver.model.quitting());
    assert_eq!(driver.model.rotation.outcome, Some(Outcome::Interrupted));
}

#[test]
fn a_failed_step_is_retried_with_enter_or_left_with_q() {
    let mut driver = at_review();
    driver.fake.fail_deactivate = true;
    driver.press(key(KeyCode::Enter));
    assert!(driver.model.run_failed());
    assert_eq!(
        intent_of(&driver.model, key(KeyCode::Enter)),
        Some(Intent::Next)
    );
    driver.fake.fail_deactivate = false;
    driver.press(key(KeyCode::Enter));
    assert_eq!(driver.model.rotation.outcome, Some(Outcome::Rotated));

    let mut driver = at_review();
    driver.fake.fail_deactivate = true;
    driver.press(key(KeyCode::Enter));
    driver.press(key(KeyCode::Char('q')));
    assert!(driver.model.quitting());
}

#[test]
fn the_spinner_turns_only_while_something_is_in_flight() {
    let mut model = RotateModel::new(Rotation::new(Options::new("dev")));
    assert!(!model.is_animating());
    let _ = model.rotation.update(Msg::Next);
    assert!(model.is_animating());
    model.update(UiMsg::Tick);
    assert_eq!(model.spinner, 1);
}

// Snapshots.

#[test]
fn inspect_screens() {
    let mut loading = RotateModel::new(Rotation::new(Options::new("dev")));
    let _ = loading.rotation.update(Msg::Next);
    assert_snapshots("inspect_loading", &loading);
    let mut driver = Driver::new(two_keys());
    driver.press(key(KeyCode::Esc));
    assert_eq!(driver.model.rotation.step, Step::Inspect);
    assert_snapshots("keys", &driver.model);
}

#[test]
fn second_key_screen() {
    let mut driver = Driver::new(two_keys());
    assert_snapshots("other_key", &driver.model);
    driver.press(key(KeyCode::Down));
    driver.press(key(KeyCode::Enter));
    assert_snapshot_at("other_key_stopped", &driver.model, 80, 24);
}

#[test]
fn review_screen() {
    let mut driver = at_review();
    assert_snapshots("review", &driver.model);
    driver.press(key(KeyCode::Char('?')));
    assert_snapshots("help", &driver.model);
}

#[test]
fn run_screens() {
    let mut driver = at_review();
    driver.fake.hold = Some("Verify");
    driver.press(key(KeyCode::Enter));
    assert_snapshots("run", &driver.model);
    driver.press(ctrl_c());
    assert_snapshot_at("run_stopping", &driver.model, 80, 24);

    let mut failed = at_review();
    failed.fake.fail_deactivate = true;
    failed.press(key(KeyCode::Enter));
    assert_snapshots("run_failed", &failed.model);
}

#[test]
fn summary_screens() {
    let mut driver = Driver::new(Fake::default());
    driver.press(key(KeyCode::Enter));
    assert_snapshots("done", &driver.model);

    let mut rolled_back = Driver::new(Fake {
        verify_fails: true,
        ..Fake::default()
    });
    rolled_back.press(key(KeyCode::Enter));
    assert_eq!(
        rolled_back.model.rotation.outcome,
        Some(Outcome::RolledBack)
    );
    assert_snapshots("rolled_back", &rolled_back.model);

    let mut stopped = at_review();
    stopped.fake.hold = Some("Verify");
    stopped.press(key(KeyCode::Enter));
    stopped.press(key(KeyCode::Char('q')));
    stopped.release();
    assert_snapshot_at("stopped", &stopped.model, 80, 24);
}
