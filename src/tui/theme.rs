//! The styles every screen draws with, and the switch that turns colour off.
//!
//! Colour only ever repeats what a marker (✓ ✗ ⚠ ›) or a modifier (bold, reversed) already
//! says, so a theme without colour (`NO_COLOR`, `--no-color`) loses no meaning.

use ratatui::style::{Color, Modifier, Style};

/// Styles for one session: with colour, or with modifiers only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Colour is off when `no_color` is set (the `--no-color` flag) or `NO_COLOR` is non-empty.
    pub fn new(no_color: bool) -> Theme {
        let env_says_no = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Theme {
            color: !(no_color || env_says_no),
        }
    }

    pub fn colored() -> Theme {
        Theme { color: true }
    }

    pub fn monochrome() -> Theme {
        Theme { color: false }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Plain text.
    pub fn text(self) -> Style {
        Style::new()
    }

    /// Headings and the wizard's name.
    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Secondary text: hints, placeholders, descriptions.
    pub fn muted(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    /// The highlighted row of a list and the current step.
    pub fn selected(self) -> Style {
        self.fg(Color::Cyan)
            .add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// Borders and labels of the focused field.
    pub fn focused(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Borders of fields without focus.
    pub fn border(self) -> Style {
        self.fg(Color::DarkGray)
    }

    /// Something that worked, next to a ✓.
    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    /// Something that failed, next to a ✗.
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Something to think twice about, next to a ⚠.
    pub fn warning(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// A key in the hint bar and the help.
    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Commands the user can copy, such as `export AWS_PROFILE=...`.
    pub fn command(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// A diff's added line (after its `+`).
    pub fn added(self) -> Style {
        self.fg(Color::Green)
    }

    /// A diff's removed line (after its `-`).
    pub fn removed(self) -> Style {
        self.fg(Color::Red)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_colour_only_modifiers_remain() {
        let theme = Theme::monochrome();
        for style in [
            theme.title(),
            theme.muted(),
            theme.selected(),
            theme.ok(),
            theme.error(),
            theme.warning(),
            theme.key(),
            theme.added(),
            theme.removed(),
        ] {
            assert_eq!(style.fg, None);
            assert_eq!(style.bg, None);
        }
        assert!(theme.selected().add_modifier.contains(Modifier::REVERSED));
        assert!(theme.error().add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn the_flag_turns_colour_off() {
        assert_eq!(Theme::new(true), Theme::monochrome());
    }
}
