//! The key map, as one table: which key means which [`Intent`] in which situation.
//!
//! [`to_msg`] reads the table to turn a key press into a message, [`hints`] reads it to build
//! the hint bar, and [`help`] reads it to build the `?` overlay, so the three never disagree.
//! A key the table does not claim edits the focused text field, if there is one.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use tui_input::backend::crossterm::to_input_request;

use super::keys::{char_key, ctrl, hint_bar, intent_for, plain};

use super::setup::{Focus, Intent, Overlay, ProfileField, Quitting, UiMsg, WizardModel};
use crate::flows::setup::Step;

/// What the key map needs to know about the model to pick a binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Situation {
    pub overlay: Option<Overlay>,
    pub quitting: bool,
    pub focus: Focus,
    pub step: Step,
    pub run_failed: bool,
    pub filter_typed: bool,
    pub revealed: bool,
    pub identified: bool,
}

impl Situation {
    pub fn of(model: &WizardModel) -> Situation {
        Situation {
            overlay: model.overlay(),
            quitting: model.quitting() != Quitting::No,
            focus: model.focus(),
            step: model.setup.step,
            run_failed: model.run_failed(),
            filter_typed: !model.policies.filter.value().is_empty(),
            revealed: model.done.revealed,
            identified: model.setup.account.is_some(),
        }
    }

    /// The situation under any overlay: what the screen itself offers.
    fn on_screen(self) -> Situation {
        Situation {
            overlay: None,
            quitting: false,
            ..self
        }
    }

    fn screen(self) -> bool {
        self.overlay.is_none() && !self.quitting
    }

    fn typing(self) -> bool {
        self.focus.is_text()
    }

    fn in_list(self) -> bool {
        matches!(
            self.focus,
            Focus::PresetList | Focus::SourceList | Focus::PolicyFilter | Focus::Review
        )
    }

    fn in_form(self) -> bool {
        matches!(
            self.focus,
            Focus::Paste(_) | Focus::User(_) | Focus::Profile(_)
        )
    }

    fn can_toggle(self) -> bool {
        matches!(
            self.focus,
            Focus::PolicyFilter | Focus::Profile(ProfileField::Output | ProfileField::Replace)
        )
    }
}

/// A key with its modifiers. Shift is ignored for characters, which carry it in their case.
/// One row of the wizard's key table.
pub type Binding = super::keys::Binding<Intent, Situation>;

/// The wizard's key map. The first live binding that claims a key wins.
pub const BINDINGS: &[Binding] = &[
    // The help overlay.
    Binding {
        keys: &[char_key('?'), plain(KeyCode::Esc), char_key('q')],
        key_label: "Esc",
        intent: Intent::Dismiss,
        applies: |s| s.overlay == Some(Overlay::Help),
        hint: |_| Some("close help"),
        help: "close this help",
    },
    // Questions: quit after the run started, and "I have it" on Done.
    Binding {
        keys: &[plain(KeyCode::Enter), char_key('y'), ctrl('c')],
        key_label: "Enter",
        intent: Intent::Confirm,
        applies: |s| {
            matches!(
                s.overlay,
                Some(Overlay::ConfirmQuit | Overlay::ConfirmHaveIt)
            )
        },
        hint: |s| match s.overlay {
            Some(Overlay::ConfirmHaveIt) => Some("I have it, quit"),
            _ => Some("quit"),
        },
        help: "answer yes",
    },
    Binding {
        keys: &[plain(KeyCode::Esc), char_key('n')],
        key_label: "Esc",
        intent: Intent::Dismiss,
        applies: |s| {
            matches!(
                s.overlay,
                Some(Overlay::ConfirmQuit | Overlay::ConfirmHaveIt)
            )
        },
        hint: |s| match s.overlay {
            Some(Overlay::ConfirmHaveIt) => Some("not yet"),
            _ => Some("stay"),
        },
        help: "answer no",
    },
    // Waiting for steps in flight before quitting.
    Binding {
        keys: &[ctrl('c'), char_key('q')],
        key_label: "^C",
        intent: Intent::Quit,
        applies: |s| s.overlay.is_none() && s.quitting,
        hint: |_| Some("quit without waiting"),
        help: "quit without waiting",
    },
    // The screens.
    Binding {
        keys: &[plain(KeyCode::Enter)],
        key_label: "Enter",
        intent: Intent::Next,
        applies: Situation::screen,
        hint: |s| {
            Some(match (s.step, s.focus) {
                (_, Focus::Paste(_)) => "check keys",
                (Step::Preset, _) => "choose",
                (Step::Account, _) if s.identified => "next",
                (Step::Account, _) => "check",
                (Step::Review, _) => "create",
                (Step::Run, _) if s.run_failed => "retry",
                (Step::Run, _) => return None,
                (Step::Done, _) => "finish",
                _ => "next",
            })
        },
        help: "accept and go on (Review: run it; Run: retry)",
    },
    Binding {
        keys: &[plain(KeyCode::Esc)],
        key_label: "Esc",
        intent: Intent::Back,
        applies: |s| s.screen() && s.step != Step::Done,
        hint: |s| match (s.step, s.focus) {
            (_, Focus::Paste(_)) => Some("back to list"),
            (_, Focus::PolicyFilter) if s.filter_typed => Some("clear filter"),
            (Step::Preset | Step::Run, _) => None,
            _ => Some("back"),
        },
        help: "go back, answers kept; clear the filter",
    },
    Binding {
        keys: &[plain(KeyCode::Up)],
        key_label: "↑↓",
        intent: Intent::Up,
        applies: |s| s.screen() && (s.in_list() || s.in_form()),
        hint: |s| {
            Some(match s.focus {
                Focus::Review => "scroll",
                _ if s.in_form() => "field",
                _ => "move",
            })
        },
        help: "up in a list or the review; the field above",
    },
    Binding {
        keys: &[plain(KeyCode::Down)],
        key_label: "↓",
        intent: Intent::Down,
        applies: |s| s.screen() && (s.in_list() || s.in_form()),
        // The ↑ row stands for both arrows in the bar.
        hint: |_| None,
        help: "down in a list or the review; the field below",
    },
    Binding {
        keys: &[plain(KeyCode::Tab)],
        key_label: "Tab",
        intent: Intent::NextField,
        applies: |s| s.screen() && s.in_form(),
        hint: |_| None,
        help: "next field",
    },
    Binding {
        keys: &[plain(KeyCode::BackTab)],
        key_label: "S-Tab",
        intent: Intent::PreviousField,
        applies: |s| s.screen() && s.in_form(),
        hint: |_| None,
        help: "previous field",
    },
    Binding {
        keys: &[char_key(' ')],
        key_label: "Space",
        intent: Intent::Toggle,
        applies: |s| s.screen() && s.can_toggle(),
        hint: |s| match s.focus {
            Focus::Profile(ProfileField::Output) => Some("change"),
            _ => Some("toggle"),
        },
        help: "tick or untick; change the output format",
    },
    Binding {
        keys: &[plain(KeyCode::Left)],
        key_label: "←",
        intent: Intent::ChoicePrevious,
        applies: |s| s.screen() && s.focus == Focus::Profile(ProfileField::Output),
        hint: |_| None,
        help: "previous output format",
    },
    Binding {
        keys: &[plain(KeyCode::Right)],
        key_label: "→",
        intent: Intent::ChoiceNext,
        applies: |s| s.screen() && s.focus == Focus::Profile(ProfileField::Output),
        hint: |_| None,
        help: "next output format",
    },
    Binding {
        keys: &[plain(KeyCode::PageUp)],
        key_label: "PgUp",
        intent: Intent::PageUp,
        applies: |s| s.screen() && s.in_list(),
        hint: |_| None,
        help: "a page up",
    },
    Binding {
        keys: &[plain(KeyCode::PageDown)],
        key_label: "PgDn",
        intent: Intent::PageDown,
        applies: |s| s.screen() && s.in_list(),
        hint: |_| None,
        help: "a page down",
    },
    Binding {
        keys: &[plain(KeyCode::Home), char_key('g')],
        key_label: "Home",
        intent: Intent::First,
        applies: |s| s.screen() && s.in_list() && !s.typing(),
        hint: |_| None,
        help: "to the top",
    },
    Binding {
        keys: &[plain(KeyCode::End), char_key('G')],
        key_label: "End",
        intent: Intent::Last,
        applies: |s| s.screen() && s.in_list() && !s.typing(),
        hint: |_| None,
        help: "to the bottom",
    },
    Binding {
        keys: &[char_key('k')],
        key_label: "k",
        intent: Intent::Up,
        applies: |s| s.screen() && s.in_list() && !s.typing(),
        hint: |_| None,
        help: "up (as ↑)",
    },
    Binding {
        keys: &[char_key('j')],
        key_label: "j",
        intent: Intent::Down,
        applies: |s| s.screen() && s.in_list() && !s.typing(),
        hint: |_| None,
        help: "down (as ↓)",
    },
    Binding {
        keys: &[char_key('r')],
        key_label: "r",
        intent: Intent::Reveal,
        applies: |s| s.screen() && s.step == Step::Done,
        hint: |s| Some(if s.revealed { "hide" } else { "reveal" }),
        help: "show or hide the new secret",
    },
    Binding {
        keys: &[char_key('c')],
        key_label: "c",
        intent: Intent::Copy,
        applies: |s| s.screen() && s.step == Step::Done,
        hint: |_| Some("copy"),
        help: "copy the new secret to the clipboard (OSC 52)",
    },
    Binding {
        keys: &[char_key('?')],
        key_label: "?",
        intent: Intent::Help,
        applies: Situation::screen,
        hint: |_| Some("help"),
        help: "this help",
    },
    Binding {
        keys: &[char_key('q')],
        key_label: "q",
        intent: Intent::Quit,
        applies: |s| s.screen() && !s.typing(),
        hint: |_| Some("quit"),
        help: "quit (asks first once the run started)",
    },
    Binding {
        keys: &[ctrl('c')],
        key_label: "^C",
        intent: Intent::Quit,
        applies: |s| !s.quitting && matches!(s.overlay, None | Some(Overlay::Help)),
        hint: |s| (s.screen() && s.typing()).then_some("quit"),
        help: "quit, also while typing",
    },
];

/// The message a key press means, or `None` if it means nothing here.
pub fn to_msg(event: &KeyEvent, model: &WizardModel) -> Option<UiMsg> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let situation = Situation::of(model);
    if let Some(intent) = intent_for(BINDINGS, event, situation) {
        return Some(UiMsg::Intent(intent));
    }
    if situation.screen() && situation.typing() {
        return to_input_request(&Event::Key(*event)).map(UiMsg::Edit);
    }
    None
}

/// The hint bar: `(key, what it does)` for every live binding that has a word for the bar.
pub fn hints(model: &WizardModel) -> Vec<(&'static str, &'static str)> {
    hint_bar(BINDINGS, Situation::of(model))
}

/// The help overlay: every binding the current screen offers, with every key that triggers it.
pub fn help(model: &WizardModel) -> Vec<(String, &'static str)> {
    let situation = Situation::of(model).on_screen();
    let mut rows: Vec<(String, &'static str)> = BINDINGS
        .iter()
        .filter(|b| (b.applies)(situation))
        .map(|b| (keys_text(b), b.help))
        .collect();
    if situation.typing() {
        rows.push((
            "←→ ^U ^W".to_string(),
            "edit text: move, clear the line, delete a word",
        ));
    }
    rows
}

fn keys_text(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(|key| key.name())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyEventState, KeyModifiers, ModifierKeyCode};
    use tui_input::InputRequest;

    use super::*;
    use crate::tui::fixtures::{Driver, FakeAws, ctrl, key};

    fn at(step: Step) -> WizardModel {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(step);
        driver.model
    }

    fn intent(model: &WizardModel, event: KeyEvent) -> Option<Intent> {
        match to_msg(&event, model) {
            Some(UiMsg::Intent(intent)) => Some(intent),
            Some(other) => panic!("expected an intent, got {other:?}"),
            None => None,
        }
    }

    fn edit(model: &WizardModel, event: KeyEvent) -> Option<InputRequest> {
        match to_msg(&event, model) {
            Some(UiMsg::Edit(request)) => Some(request),
            _ => None,
        }
    }

    #[test]
    fn keys_on_lists() {
        let model = at(Step::Preset);
        let cases = [
            (key(KeyCode::Enter), Some(Intent::Next)),
            (key(KeyCode::Esc), Some(Intent::Back)),
            (key(KeyCode::Up), Some(Intent::Up)),
            (key(KeyCode::Down), Some(Intent::Down)),
            (key(KeyCode::Char('k')), Some(Intent::Up)),
            (key(KeyCode::Char('j')), Some(Intent::Down)),
            (key(KeyCode::Home), Some(Intent::First)),
            (key(KeyCode::Char('G')), Some(Intent::Last)),
            (key(KeyCode::PageDown), Some(Intent::PageDown)),
            (key(KeyCode::Char('?')), Some(Intent::Help)),
            (key(KeyCode::Char('q')), Some(Intent::Quit)),
            (ctrl('c'), Some(Intent::Quit)),
            (key(KeyCode::Char(' ')), None),
            (key(KeyCode::Char('x')), None),
            (key(KeyCode::Char('r')), None),
        ];
        for (event, expected) in cases {
            assert_eq!(intent(&model, event), expected, "{event:?}");
        }
    }

    #[test]
    fn printable_keys_edit_text_fields_and_q_is_a_letter_there() {
        let model = at(Step::User);
        assert_eq!(
            model.focus(),
            Focus::User(crate::tui::setup::UserField::Name)
        );
        assert_eq!(
            edit(&model, key(KeyCode::Char('q'))),
            Some(InputRequest::InsertChar('q'))
        );
        assert_eq!(
            edit(&model, key(KeyCode::Char(' '))),
            Some(InputRequest::InsertChar(' '))
        );
        assert_eq!(
            edit(&model, key(KeyCode::Left)),
            Some(InputRequest::GoToPrevChar)
        );
        assert_eq!(edit(&model, ctrl('u')), Some(InputRequest::DeleteLine));
        assert_eq!(intent(&model, ctrl('c')), Some(Intent::Quit));
        assert_eq!(intent(&model, key(KeyCode::Tab)), Some(Intent::NextField));
        assert_eq!(
            intent(&model, KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Intent::PreviousField)
        );
        assert_eq!(intent(&model, key(KeyCode::Enter)), Some(Intent::Next));
    }

    #[test]
    fn the_policy_filter_takes_letters_but_space_toggles() {
        let model = at(Step::Policies);
        assert_eq!(
            edit(&model, key(KeyCode::Char('j'))),
            Some(InputRequest::InsertChar('j'))
        );
        assert_eq!(
            intent(&model, key(KeyCode::Char(' '))),
            Some(Intent::Toggle)
        );
        assert_eq!(intent(&model, key(KeyCode::Down)), Some(Intent::Down));
        assert_eq!(intent(&model, key(KeyCode::PageUp)), Some(Intent::PageUp));
        assert_eq!(
            edit(&model, key(KeyCode::Home)),
            Some(InputRequest::GoToStart)
        );
    }

    #[test]
    fn arrows_change_the_output_format_but_move_the_cursor_in_text() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::Profile);
        assert_eq!(
            edit(&driver.model, key(KeyCode::Right)),
            Some(InputRequest::GoToNextChar)
        );
        driver.press(key(KeyCode::Tab));
        driver.press(key(KeyCode::Tab));
        let model = &driver.model;
        assert_eq!(intent(model, key(KeyCode::Right)), Some(Intent::ChoiceNext));
        assert_eq!(
            intent(model, key(KeyCode::Left)),
            Some(Intent::ChoicePrevious)
        );
        assert_eq!(intent(model, key(KeyCode::Char(' '))), Some(Intent::Toggle));
        assert_eq!(intent(model, key(KeyCode::Char('q'))), Some(Intent::Quit));
    }

    #[test]
    fn the_done_screen_reveals_copies_and_has_no_back() {
        let model = at(Step::Done);
        assert_eq!(
            intent(&model, key(KeyCode::Char('r'))),
            Some(Intent::Reveal)
        );
        assert_eq!(intent(&model, key(KeyCode::Char('c'))), Some(Intent::Copy));
        assert_eq!(intent(&model, key(KeyCode::Enter)), Some(Intent::Next));
        assert_eq!(intent(&model, key(KeyCode::Esc)), None);
    }

    #[test]
    fn overlays_take_the_keys() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::Done);
        driver.press(key(KeyCode::Enter));
        let model = &driver.model;
        assert_eq!(model.overlay(), Some(Overlay::ConfirmHaveIt));
        assert_eq!(intent(model, key(KeyCode::Enter)), Some(Intent::Confirm));
        assert_eq!(
            intent(model, key(KeyCode::Char('y'))),
            Some(Intent::Confirm)
        );
        assert_eq!(intent(model, key(KeyCode::Esc)), Some(Intent::Dismiss));
        assert_eq!(intent(model, key(KeyCode::Char('r'))), None);

        let mut driver = Driver::prefilled(FakeAws::default());
        driver.press(key(KeyCode::Char('?')));
        let model = &driver.model;
        assert_eq!(
            intent(model, key(KeyCode::Char('?'))),
            Some(Intent::Dismiss)
        );
        assert_eq!(intent(model, key(KeyCode::Esc)), Some(Intent::Dismiss));
        assert_eq!(intent(model, key(KeyCode::Enter)), None);
        assert_eq!(intent(model, ctrl('c')), Some(Intent::Quit));
    }

    #[test]
    fn key_releases_and_bare_modifiers_mean_nothing() {
        let model = at(Step::User);
        let mut release = key(KeyCode::Enter);
        release.kind = KeyEventKind::Release;
        assert_eq!(to_msg(&release, &model).map(|_| ()), None);
        let shift = KeyEvent {
            code: KeyCode::Modifier(ModifierKeyCode::LeftShift),
            modifiers: KeyModifiers::SHIFT,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        };
        assert_eq!(to_msg(&shift, &model).map(|_| ()), None);
    }

    #[test]
    fn the_hint_bar_comes_from_the_table() {
        assert_eq!(
            hints(&at(Step::Preset)),
            [
                ("Enter", "choose"),
                ("↑↓", "move"),
                ("?", "help"),
                ("q", "quit")
            ]
        );
        assert_eq!(
            hints(&at(Step::User)),
            [
                ("Enter", "next"),
                ("Esc", "back"),
                ("↑↓", "field"),
                ("?", "help"),
                ("^C", "quit")
            ]
        );
        let done = hints(&at(Step::Done));
        assert!(done.contains(&("r", "reveal")) && done.contains(&("c", "copy")));
    }

    /// Every key the bar advertises does what the bar says: no earlier row shadows it.
    #[test]
    fn every_hint_is_honoured_by_its_first_key() {
        for step in Step::ALL {
            let model = if step == Step::Run {
                // A run only stays on screen when a step fails.
                let mut driver = Driver::prefilled(FakeAws {
                    deny_create_user: true,
                    ..FakeAws::default()
                });
                driver.enter_until(Step::Run);
                driver.model
            } else {
                at(step)
            };
            let situation = Situation::of(&model);
            for binding in BINDINGS.iter().filter(|b| (b.applies)(situation)) {
                if (binding.hint)(situation).is_none() {
                    continue;
                }
                let first = binding.keys[0];
                let event = KeyEvent::new(first.code, first.modifiers);
                assert_eq!(
                    intent(&model, event),
                    Some(binding.intent),
                    "{} on {step:?}",
                    binding.key_label
                );
            }
        }
    }

    #[test]
    fn the_help_lists_the_screens_bindings_even_while_open() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::Policies);
        let closed = help(&driver.model);
        driver.press(key(KeyCode::Char('?')));
        assert_eq!(help(&driver.model), closed);
        assert!(closed.iter().any(|(keys, _)| keys == "Space"));
        assert!(closed.iter().any(|(keys, _)| keys == "^C"));
        assert!(!closed.iter().any(|(keys, _)| keys == "q"));
    }
}
