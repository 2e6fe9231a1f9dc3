//! What the screens' key tables share: a key, how a key press matches it, and one row of a
//! table, generic over the screen's intents and situations. Each screen keeps its own table
//! (`keymap.rs` for the wizard, `home/keys.rs`, `rotate/keys.rs`); the hint bar and the help are
//! built from the same rows that decide what a key does.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

/// A key pressed without modifiers.
pub const fn plain(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

/// A character key (Shift is part of the character).
pub const fn char_key(c: char) -> Key {
    plain(KeyCode::Char(c))
}

/// Control and a character.
pub const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

impl Key {
    /// Whether a key press is this key. Shift is ignored for characters (it is already in the
    /// character) and for Back-Tab.
    pub fn matches(self, event: &KeyEvent) -> bool {
        let ignore_shift = matches!(event.code, KeyCode::Char(_) | KeyCode::BackTab);
        let modifiers = if ignore_shift {
            event.modifiers - KeyModifiers::SHIFT
        } else {
            event.modifiers
        };
        self.code == event.code && self.modifiers == modifiers
    }

    /// How the key is written in hints and help: `Enter`, `↑`, `Space`, `q`, `^C`.
    pub fn name(self) -> String {
        let name = match self.code {
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "S-Tab".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Delete => "Del".to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            other => other.to_string(),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("^{}", name.to_uppercase())
        } else {
            name
        }
    }
}

/// One row of a key table: the keys, what they mean, where they apply, and how the hint bar
/// and the help describe them.
pub struct Binding<Intent, Situation> {
    pub keys: &'static [Key],
    /// How the keys are written in the hint bar and the help.
    pub key_label: &'static str,
    pub intent: Intent,
    /// Whether the binding is live.
    pub applies: fn(Situation) -> bool,
    /// The hint bar's word for it here, or `None` to keep it out of the bar.
    pub hint: fn(Situation) -> Option<&'static str>,
    /// The help overlay's line for it.
    pub help: &'static str,
}

/// The intent of the first binding that is live in `situation` and claims `event`.
pub fn intent_for<Intent: Copy, Situation: Copy>(
    bindings: &[Binding<Intent, Situation>],
    event: &KeyEvent,
    situation: Situation,
) -> Option<Intent> {
    bindings
        .iter()
        .find(|b| (b.applies)(situation) && b.keys.iter().any(|key| key.matches(event)))
        .map(|b| b.intent)
}

/// The hint bar: `(key, what it does)` for every live binding that has a word for the bar.
pub fn hint_bar<Intent, Situation: Copy>(
    bindings: &[Binding<Intent, Situation>],
    situation: Situation,
) -> Vec<(&'static str, &'static str)> {
    bindings
        .iter()
        .filter(|b| (b.applies)(situation))
        .filter_map(|b| (b.hint)(situation).map(|hint| (b.key_label, hint)))
        .collect()
}
