//! The rotation screens' key map, as one table: [`to_msg`] turns key presses into intents,
//! [`hints`] builds the hint bar and [`help`] the `?` overlay from the same rows, so the three
//! never disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::model::{Intent, RotateModel, UiMsg};
use crate::flows::rotate::Step;
use crate::tui::keys::{Key, char_key, ctrl, hint_bar, intent_for, plain};

/// What the key map needs to know about the model to pick a binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Situation {
    pub help: bool,
    pub step: Step,
    pub waiting: bool,
    pub problem: bool,
    pub running: bool,
    pub stopping: bool,
    /// Stopping now leaves the files holding the old key or a verified new key.
    pub safe: bool,
}

impl Situation {
    pub fn of(model: &RotateModel) -> Situation {
        Situation {
            help: model.help,
            step: model.rotation.step,
            waiting: model.rotation.is_waiting(),
            problem: model.rotation.problem.is_some(),
            running: model.running(),
            stopping: model.stopping,
            safe: model.rotation.is_safe_to_stop(),
        }
    }

    fn screen(self) -> bool {
        !self.help
    }

    /// Whether q and Ctrl-C do anything: not while stopping with an unverified key in the files.
    fn can_quit(self) -> bool {
        !(self.stopping && self.running && !self.safe)
    }

    fn can_continue(self) -> bool {
        match self.step {
            Step::Inspect => !self.waiting,
            Step::OtherKey | Step::Review | Step::Done => true,
            Step::Run => self.problem && !self.running && !self.stopping,
        }
    }
}

/// A key with its modifiers; Shift is ignored for characters, which carry it in their case.
const CTRL_C: Key = ctrl('c');

/// One row of the rotation screens' key table.
pub type Binding = crate::tui::keys::Binding<Intent, Situation>;

/// The first live binding that claims a key wins.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[char_key('?'), plain(KeyCode::Esc), char_key('q')],
        key_label: "Esc",
        intent: Intent::Dismiss,
        applies: |s| s.help,
        hint: |_| Some("close help"),
        help: "close this help",
    },
    Binding {
        keys: &[plain(KeyCode::Enter)],
        key_label: "Enter",
        intent: Intent::Next,
        applies: |s| s.screen() && s.can_continue(),
        hint: |s| {
            Some(match s.step {
                Step::Inspect if s.problem => "try again",
                Step::Inspect => "continue",
                Step::OtherKey => "choose",
                Step::Review => "rotate now",
                Step::Run => "retry",
                Step::Done => "close",
            })
        },
        help: "continue: choose, rotate, retry a failed step, close",
    },
    Binding {
        keys: &[plain(KeyCode::Esc)],
        key_label: "Esc",
        intent: Intent::Back,
        applies: |s| s.screen() && matches!(s.step, Step::OtherKey | Step::Review),
        hint: |_| Some("back"),
        help: "back, while nothing has changed",
    },
    Binding {
        keys: &[plain(KeyCode::Up), char_key('k')],
        key_label: "↑↓",
        intent: Intent::Up,
        applies: |s| s.screen() && s.step == Step::OtherKey,
        hint: |_| Some("answer"),
        help: "delete the other key",
    },
    Binding {
        keys: &[plain(KeyCode::Down), char_key('j')],
        key_label: "↓",
        intent: Intent::Down,
        applies: |s| s.screen() && s.step == Step::OtherKey,
        hint: |_| None,
        help: "stop, keeping both keys",
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
        applies: |s| s.screen() && s.can_quit(),
        hint: |s| {
            Some(match s.step {
                Step::Run if s.running && !s.stopping => "stop safely",
                Step::Run if s.stopping => "stop now",
                _ => "quit",
            })
        },
        help: "quit; during the run, stop where the files hold a working key",
    },
    Binding {
        keys: &[CTRL_C],
        key_label: "^C",
        intent: Intent::Quit,
        applies: Situation::can_quit,
        hint: |_| None,
        help: "as q, also in the help",
    },
];

/// The message a key press means, or `None` if it means nothing here.
pub fn to_msg(event: &KeyEvent, model: &RotateModel) -> Option<UiMsg> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    intent_for(BINDINGS, event, Situation::of(model)).map(UiMsg::Intent)
}

/// The hint bar: `(key, what it does)` for every live binding that has a word for the bar.
pub fn hints(model: &RotateModel) -> Vec<(&'static str, &'static str)> {
    hint_bar(BINDINGS, Situation::of(model))
}

/// The help overlay: every binding the screen under it offers, with every key.
pub fn help(model: &RotateModel) -> Vec<(String, &'static str)> {
    let situation = Situation {
        help: false,
        ..Situation::of(model)
    };
    BINDINGS
        .iter()
        .filter(|b| (b.applies)(situation))
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(|k| k.name()).collect();
            (keys.join(" "), b.help)
        })
        .collect()
}
