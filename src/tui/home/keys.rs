//! Home's key map, as one table: which key means which [`Intent`] in which mode.
//!
//! [`to_msg`] reads the table to turn a key press into a message, [`hints`] builds the hint bar
//! from it and [`help`] the `?` overlay, so the three never disagree. A key the table does not
//! claim edits the focused text field, if there is one.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use tui_input::backend::crossterm::to_input_request;

use crate::tui::keys::{char_key, ctrl, hint_bar, intent_for, plain};

use super::model::{Intent, ModeKind, Model, Msg};

/// What the key map needs to know about the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Situation {
    pub mode: ModeKind,
    pub selection: bool,
    pub filtered: bool,
    pub repairable: bool,
    pub revealed: bool,
}

impl Situation {
    pub fn of(model: &Model) -> Situation {
        Situation {
            mode: model.mode_kind(),
            selection: model.selected().is_some(),
            filtered: !model.filter.value().is_empty(),
            repairable: model.repairable().is_some(),
            revealed: model.revealed,
        }
    }

    fn browsing(self) -> bool {
        self.mode == ModeKind::Browse
    }

    fn on_profile(self) -> bool {
        self.browsing() && self.selection
    }

    fn in_form(self) -> bool {
        matches!(
            self.mode,
            ModeKind::Edit | ModeKind::Rename | ModeKind::Import
        )
    }

    fn has_fields(self) -> bool {
        matches!(self.mode, ModeKind::Edit | ModeKind::Import)
    }

    fn typing(self) -> bool {
        self.in_form() || matches!(self.mode, ModeKind::Filter | ModeKind::ExportPath)
    }
}

/// One row of Home's key table.
pub type Binding = crate::tui::keys::Binding<Intent, Situation>;

/// Home's key map. The first live binding that claims a key wins.
pub const BINDINGS: &[Binding] = &[
    // Help overlay.
    Binding {
        keys: &[char_key('?'), plain(KeyCode::Esc), char_key('q')],
        key_label: "Esc",
        intent: Intent::Cancel,
        applies: |s| s.mode == ModeKind::Help,
        hint: |_| Some("close help"),
        help: "close this help",
    },
    // Confirmation.
    Binding {
        keys: &[char_key('y'), plain(KeyCode::Enter)],
        key_label: "y",
        intent: Intent::Confirm,
        applies: |s| s.mode == ModeKind::Confirm,
        hint: |_| Some("yes, do it"),
        help: "answer yes",
    },
    Binding {
        keys: &[char_key('n'), plain(KeyCode::Esc)],
        key_label: "n",
        intent: Intent::Cancel,
        applies: |s| s.mode == ModeKind::Confirm,
        hint: |_| Some("no"),
        help: "answer no; nothing is written",
    },
    // Export.
    Binding {
        keys: &[plain(KeyCode::Right), plain(KeyCode::Tab)],
        key_label: "←→",
        intent: Intent::NextFormat,
        applies: |s| s.mode == ModeKind::Export,
        hint: |_| Some("format"),
        help: "next format",
    },
    Binding {
        keys: &[plain(KeyCode::Left), plain(KeyCode::BackTab)],
        key_label: "←",
        intent: Intent::PreviousFormat,
        applies: |s| s.mode == ModeKind::Export,
        hint: |_| None,
        help: "previous format",
    },
    Binding {
        keys: &[plain(KeyCode::Enter)],
        key_label: "Enter",
        intent: Intent::Submit,
        applies: |s| s.mode == ModeKind::Export,
        hint: |_| Some("copy…"),
        help: "copy to the clipboard (asks first)",
    },
    Binding {
        keys: &[char_key('w')],
        key_label: "w",
        intent: Intent::ExportToFile,
        applies: |s| s.mode == ModeKind::Export,
        hint: |_| Some("to file…"),
        help: "write to a new file (asks for the path, then asks first)",
    },
    // The export's file prompt.
    Binding {
        keys: &[plain(KeyCode::Enter)],
        key_label: "Enter",
        intent: Intent::Submit,
        applies: |s| s.mode == ModeKind::ExportPath,
        hint: |_| Some("write…"),
        help: "write the file (asks first; never overwrites)",
    },
    Binding {
        keys: &[plain(KeyCode::Esc)],
        key_label: "Esc",
        intent: Intent::Cancel,
        applies: |s| s.mode == ModeKind::ExportPath,
        hint: |_| Some("back"),
        help: "back to the export; nothing is written",
    },
    // Forms.
    Binding {
        keys: &[plain(KeyCode::Enter)],
        key_label: "Enter",
        intent: Intent::Submit,
        applies: Situation::in_form,
        hint: |_| Some("review"),
        help: "show the diff before saving",
    },
    Binding {
        keys: &[plain(KeyCode::Tab), plain(KeyCode::Down)],
        key_label: "Tab",
        intent: Intent::NextField,
        applies: Situation::has_fields,
        hint: |_| Some("field"),
        help: "next field",
    },
    Binding {
        keys: &[plain(KeyCode::BackTab), plain(KeyCode::Up)],
        key_label: "S-Tab",
        intent: Intent::PreviousField,
        applies: Situation::has_fields,
        hint: |_| None,
        help: "previous field",
    },
    Binding {
        keys: &[ctrl('n')],
        key_label: "^N",
        intent: Intent::AddRow,
        applies: |s| s.mode == ModeKind::Edit,
        hint: |_| Some("add key"),
        help: "add a key = value row (clear a key to remove it)",
    },
    Binding {
        keys: &[ctrl('e')],
        key_label: "^E",
        intent: Intent::ImportFromEnvironment,
        applies: |s| s.mode == ModeKind::Import,
        hint: |_| Some("from env"),
        help: "take the keys from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN",
    },
    Binding {
        keys: &[ctrl('o')],
        key_label: "^O",
        intent: Intent::ImportFromFile,
        applies: |s| s.mode == ModeKind::Import,
        hint: |_| Some("read key file"),
        help: "read the key file named in the last field (create-access-key JSON, CSV, ...)",
    },
    Binding {
        keys: &[plain(KeyCode::Esc)],
        key_label: "Esc",
        intent: Intent::Cancel,
        applies: |s| s.in_form() || s.mode == ModeKind::Export,
        hint: |_| Some("cancel"),
        help: "cancel; nothing is written",
    },
    // The filter.
    Binding {
        keys: &[plain(KeyCode::Enter)],
        key_label: "Enter",
        intent: Intent::AcceptFilter,
        applies: |s| s.mode == ModeKind::Filter,
        hint: |_| Some("keep filter"),
        help: "stop typing, keep the filter",
    },
    Binding {
        keys: &[plain(KeyCode::Esc)],
        key_label: "Esc",
        intent: Intent::ClearFilter,
        applies: |s| s.mode == ModeKind::Filter || (s.browsing() && s.filtered),
        hint: |_| Some("clear filter"),
        help: "clear the filter",
    },
    // Moving in the list (and scrolling a diff).
    Binding {
        keys: &[plain(KeyCode::Up)],
        key_label: "↑↓",
        intent: Intent::Up,
        applies: |s| {
            matches!(
                s.mode,
                ModeKind::Browse | ModeKind::Filter | ModeKind::Confirm
            )
        },
        hint: |s| {
            Some(if s.mode == ModeKind::Confirm {
                "scroll"
            } else {
                "move"
            })
        },
        help: "up",
    },
    Binding {
        keys: &[plain(KeyCode::Down)],
        key_label: "↓",
        intent: Intent::Down,
        applies: |s| {
            matches!(
                s.mode,
                ModeKind::Browse | ModeKind::Filter | ModeKind::Confirm
            )
        },
        hint: |_| None,
        help: "down",
    },
    Binding {
        keys: &[char_key('k')],
        key_label: "k",
        intent: Intent::Up,
        applies: |s| matches!(s.mode, ModeKind::Browse | ModeKind::Confirm),
        hint: |_| None,
        help: "up (as ↑)",
    },
    Binding {
        keys: &[char_key('j')],
        key_label: "j",
        intent: Intent::Down,
        applies: |s| matches!(s.mode, ModeKind::Browse | ModeKind::Confirm),
        hint: |_| None,
        help: "down (as ↓)",
    },
    Binding {
        keys: &[plain(KeyCode::PageUp)],
        key_label: "PgUp",
        intent: Intent::PageUp,
        applies: |s| {
            matches!(
                s.mode,
                ModeKind::Browse | ModeKind::Filter | ModeKind::Confirm
            )
        },
        hint: |_| None,
        help: "a page up",
    },
    Binding {
        keys: &[plain(KeyCode::PageDown)],
        key_label: "PgDn",
        intent: Intent::PageDown,
        applies: |s| {
            matches!(
                s.mode,
                ModeKind::Browse | ModeKind::Filter | ModeKind::Confirm
            )
        },
        hint: |_| None,
        help: "a page down",
    },
    Binding {
        keys: &[char_key('J')],
        key_label: "J",
        intent: Intent::DetailsDown,
        applies: Situation::browsing,
        hint: |_| None,
        help: "scroll the details down",
    },
    Binding {
        keys: &[char_key('K')],
        key_label: "K",
        intent: Intent::DetailsUp,
        applies: Situation::browsing,
        hint: |_| None,
        help: "scroll the details up",
    },
    Binding {
        keys: &[plain(KeyCode::Home), char_key('g')],
        key_label: "Home",
        intent: Intent::First,
        applies: Situation::browsing,
        hint: |_| None,
        help: "to the top",
    },
    Binding {
        keys: &[plain(KeyCode::End), char_key('G')],
        key_label: "End",
        intent: Intent::Last,
        applies: Situation::browsing,
        hint: |_| None,
        help: "to the bottom",
    },
    // Browsing.
    Binding {
        keys: &[char_key('/')],
        key_label: "/",
        intent: Intent::StartFilter,
        applies: Situation::browsing,
        hint: |_| Some("filter"),
        help: "fuzzy filter by name",
    },
    Binding {
        keys: &[char_key('f')],
        key_label: "f",
        intent: Intent::Repair,
        applies: |s| s.browsing() && s.repairable,
        hint: |_| Some("repair"),
        help: "strip the byte-order mark",
    },
    Binding {
        keys: &[char_key('e'), plain(KeyCode::Enter)],
        key_label: "e",
        intent: Intent::Edit,
        applies: Situation::on_profile,
        hint: |_| Some("edit"),
        help: "edit settings",
    },
    Binding {
        keys: &[char_key('m')],
        key_label: "m",
        intent: Intent::Rename,
        applies: Situation::on_profile,
        hint: |_| Some("rename"),
        help: "rename, with references",
    },
    Binding {
        keys: &[char_key('d'), plain(KeyCode::Delete)],
        key_label: "d",
        intent: Intent::Delete,
        applies: Situation::on_profile,
        hint: |_| Some("delete"),
        help: "delete from both files",
    },
    Binding {
        keys: &[char_key('i')],
        key_label: "i",
        intent: Intent::Import,
        applies: Situation::browsing,
        hint: |_| Some("import"),
        help: "import existing keys",
    },
    Binding {
        keys: &[char_key('x')],
        key_label: "x",
        intent: Intent::Export,
        applies: Situation::on_profile,
        hint: |_| Some("export"),
        help: "export keys to the clipboard or a file",
    },
    Binding {
        keys: &[char_key('v')],
        key_label: "v",
        intent: Intent::Reveal,
        applies: Situation::on_profile,
        hint: |s| Some(if s.revealed { "hide" } else { "reveal" }),
        help: "show or hide secrets",
    },
    Binding {
        keys: &[char_key('s')],
        key_label: "s",
        intent: Intent::Sort,
        applies: Situation::browsing,
        hint: |_| Some("sort"),
        help: "cycle the sort order",
    },
    Binding {
        keys: &[char_key('n')],
        key_label: "n",
        intent: Intent::NewSetup,
        applies: Situation::browsing,
        hint: |_| Some("new"),
        help: "new profile (setup wizard)",
    },
    Binding {
        keys: &[char_key('r')],
        key_label: "r",
        intent: Intent::Rotate,
        applies: Situation::on_profile,
        hint: |_| Some("rotate"),
        help: "rotate the access key",
    },
    Binding {
        keys: &[char_key('c')],
        key_label: "c",
        intent: Intent::Check,
        applies: Situation::on_profile,
        hint: |_| Some("check"),
        help: "check against AWS",
    },
    Binding {
        keys: &[ctrl('r'), plain(KeyCode::F(5))],
        key_label: "^R",
        intent: Intent::Reload,
        applies: Situation::browsing,
        hint: |_| None,
        help: "read the files again",
    },
    Binding {
        keys: &[char_key('?')],
        key_label: "?",
        intent: Intent::Help,
        applies: Situation::browsing,
        hint: |_| Some("help"),
        help: "this help",
    },
    Binding {
        keys: &[char_key('q')],
        key_label: "q",
        intent: Intent::Quit,
        applies: Situation::browsing,
        hint: |_| Some("quit"),
        help: "quit",
    },
    Binding {
        keys: &[ctrl('c')],
        key_label: "^C",
        intent: Intent::Quit,
        applies: |_| true,
        hint: |s| s.typing().then_some("quit"),
        help: "quit, also while typing",
    },
];

/// The message a key press means, or `None`.
pub fn to_msg(event: &KeyEvent, model: &Model) -> Option<Msg> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let situation = Situation::of(model);
    if let Some(intent) = intent_for(BINDINGS, event, situation) {
        return Some(Msg::Intent(intent));
    }
    if situation.typing() {
        return to_input_request(&Event::Key(*event)).map(Msg::Edit);
    }
    None
}

/// The hint bar: `(key, what it does)` for every live binding with a word for the bar.
pub fn hints(model: &Model) -> Vec<(&'static str, &'static str)> {
    hint_bar(BINDINGS, Situation::of(model))
}

/// The help overlay: every binding of the screen under it, with all its keys.
pub fn help(model: &Model) -> Vec<(String, &'static str)> {
    let mut situation = Situation::of(model);
    if situation.mode == ModeKind::Help {
        situation.mode = ModeKind::Browse;
    }
    let mut rows: Vec<(Intent, String, &'static str)> = Vec::new();
    for binding in BINDINGS.iter().filter(|b| (b.applies)(situation)) {
        let keys: Vec<String> = binding.keys.iter().map(|k| k.name()).collect();
        // Several rows for one intent (↑ and k) make one line.
        match rows
            .iter_mut()
            .find(|(intent, _, _)| *intent == binding.intent)
        {
            Some((_, existing, _)) => {
                existing.push(' ');
                existing.push_str(&keys.join(" "));
            }
            None => rows.push((binding.intent, keys.join(" "), binding.help)),
        }
    }
    let mut rows: Vec<(String, &'static str)> = rows
        .into_iter()
        .map(|(_, keys, help)| (keys, help))
        .collect();
    if matches!(situation.mode, ModeKind::Browse | ModeKind::Filter) {
        rows.push(("mouse".to_string(), "click selects, wheel scrolls"));
    }
    rows
}
