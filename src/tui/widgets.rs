//! Drawing pieces the screens share: the step list, labelled text fields, the problem panel,
//! the key-hint bar, pop-up windows, the spinner, and the "terminal too small" notice.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Padding, Paragraph, Wrap};
use tui_input::Input;

use super::setup::Intent;
use super::theme::Theme;
use crate::flows::setup::Problem;

/// The width of the step list beside a flow's screens.
pub const SIDEBAR_WIDTH: u16 = 16;

/// The step list beside a flow's screens: one row per step, its marker (✓ › ✗) and title.
pub fn render_step_list<'a>(
    rows: impl Iterator<Item = (&'a str, Style, &'a str)>,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let lines: Vec<Line> = rows
        .map(|(marker, style, title)| {
            let text = format!(
                " {marker} {title:<width$}",
                width = usize::from(SIDEBAR_WIDTH) - 6
            );
            Line::styled(text, style)
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .border_type(BorderType::Rounded)
                .border_style(theme.border())
                .title(Span::styled(" Steps ", theme.muted())),
        ),
        area,
    );
}

/// The smallest terminal the wizard draws in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner's frame for clock tick `tick`.
pub fn spinner(tick: usize) -> &'static str {
    SPINNER[tick % SPINNER.len()]
}

/// Moves a list cursor for a navigation intent; other intents leave it where it is.
pub fn move_cursor(cursor: usize, len: usize, intent: Intent, page: usize) -> usize {
    let last = len.saturating_sub(1);
    match intent {
        Intent::Up => cursor.saturating_sub(1),
        Intent::Down => (cursor + 1).min(last),
        Intent::PageUp => cursor.saturating_sub(page),
        Intent::PageDown => (cursor + page).min(last),
        Intent::First => 0,
        Intent::Last => last,
        _ => cursor.min(last),
    }
}

/// `Label     value`, the label muted, as in a summary.
pub fn label_line(label: &str, value: &str, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<10}"), theme.muted()),
        Span::styled(value.to_string(), theme.text()),
    ])
}

/// Like [`label_line`] for values that may need several lines at `width` columns; the lines
/// after the first are indented to the value.
pub fn label_lines(label: &str, value: &str, width: u16, theme: Theme) -> Vec<Line<'static>> {
    let label_width = 10;
    wrap_text(value, width.saturating_sub(label_width))
        .into_iter()
        .enumerate()
        .map(|(index, part)| {
            let label = if index == 0 { label } else { "" };
            Line::from(vec![
                Span::styled(format!("{label:<10}"), theme.muted()),
                Span::styled(part, theme.text()),
            ])
        })
        .collect()
}

/// A field's error, under the field: `✗ message`.
pub fn field_error_line(message: &str, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled("✗ ", theme.error()),
        Span::styled(message.to_string(), theme.error()),
    ])
}

/// How a text field shows its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Echo {
    Plain,
    /// One bullet per character, for secrets being pasted.
    Masked,
}

/// A one-line labelled text field: `Label      value▏`, reversed when focused; the cursor is
/// placed in it when focused. Shows `placeholder` (muted) when empty.
pub struct TextField<'a> {
    pub label: &'a str,
    pub input: &'a Input,
    pub focused: bool,
    pub echo: Echo,
    pub placeholder: &'a str,
}

/// Width of the label column of forms.
pub const LABEL_WIDTH: u16 = 17;

impl TextField<'_> {
    pub fn render(&self, theme: Theme, frame: &mut Frame, area: Rect) {
        let [label_area, value_area] =
            Layout::horizontal([Constraint::Length(LABEL_WIDTH), Constraint::Min(1)]).areas(area);
        let marker = if self.focused { "› " } else { "  " };
        let label_style = if self.focused {
            theme.focused()
        } else {
            theme.text()
        };
        frame.render_widget(
            Line::from(vec![
                Span::styled(marker, theme.focused()),
                Span::styled(self.label.to_string(), label_style),
            ]),
            label_area,
        );
        let width = usize::from(value_area.width.saturating_sub(1)).max(1);
        let scroll = self.input.visual_scroll(width);
        let shown: String = match self.echo {
            Echo::Plain => self.input.value().chars().skip(scroll).collect(),
            Echo::Masked => "•".repeat(self.input.value().chars().count().saturating_sub(scroll)),
        };
        let value_style = if self.focused {
            theme.focused()
        } else {
            Style::new()
        };
        let line = if self.input.value().is_empty() {
            Line::styled(self.placeholder.to_string(), theme.muted())
        } else {
            Line::styled(shown, value_style)
        };
        frame.render_widget(line, value_area);
        if self.focused {
            let offset = self.input.visual_cursor().saturating_sub(scroll);
            let x = value_area.x + u16::try_from(offset).unwrap_or(u16::MAX);
            frame.set_cursor_position(Position::new(
                x.min(value_area.right().saturating_sub(1)),
                value_area.y,
            ));
        }
    }
}

/// Lines `text` takes when word-wrapped at `width` columns.
pub fn wrapped_height(text: &str, width: u16) -> u16 {
    let lines: usize = text.lines().map(|line| wrap_text(line, width).len()).sum();
    u16::try_from(lines).unwrap_or(u16::MAX)
}

/// Word-wraps one line of text at `width` columns; words longer than a line are split.
pub fn wrap_text(text: &str, width: u16) -> Vec<String> {
    wrap_hanging(text, width, 0)
}

/// Like [`wrap_text`], with every line after the first indented by `hang` spaces.
pub fn wrap_hanging(text: &str, width: u16, hang: u16) -> Vec<String> {
    let width = usize::from(width.max(1));
    let hang = usize::from(hang).min(width - 1);
    let indent = " ".repeat(hang);
    let mut lines: Vec<String> = Vec::new();
    // Leading spaces are part of the text (a diff's context lines, numbered commands).
    let body = text.trim_start_matches(' ');
    let mut current = " ".repeat((text.len() - body.len()).min(width - 1));
    let mut used = current.len();
    let text = body;
    let limit = |lines: &Vec<String>| {
        if lines.is_empty() {
            width
        } else {
            width - hang
        }
    };
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let separated = used > 0 && !current.ends_with(' ');
            let needed = word.len() + usize::from(separated);
            if used + needed <= limit(&lines) {
                if separated {
                    current.push(' ');
                }
                current.extend(&word);
                used += needed;
                break;
            }
            if !current.trim().is_empty() {
                lines.push(std::mem::take(&mut current));
                used = 0;
                continue;
            }
            let take = (limit(&lines) - used).min(word.len());
            current.extend(word.drain(..take));
            lines.push(std::mem::take(&mut current));
            used = 0;
            if word.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    for line in lines.iter_mut().skip(1) {
        line.insert_str(0, &indent);
    }
    lines
}

/// Rows `lines` take in a wrapping paragraph `width` columns wide.
pub fn lines_height(lines: &[Line], width: u16) -> u16 {
    lines
        .iter()
        .map(|line| {
            let text: String = line
                .spans
                .iter()
                .map(|span| span.content.as_ref())
                .collect();
            wrapped_height(&text, width).max(1)
        })
        .sum()
}

/// `text` wrapped at `width` as styled lines, every line after the first indented by `hang`.
pub fn hanging_lines(text: &str, width: u16, hang: u16, style: Style) -> Vec<Line<'static>> {
    wrap_hanging(text, width, hang)
        .into_iter()
        .map(|line| Line::styled(line, style))
        .collect()
}

/// The panel for an error: what went wrong and the way out.
pub fn problem_lines(problem: &Problem, theme: Theme) -> Vec<Line<'static>> {
    vec![
        Line::styled(problem.message.clone(), theme.text()),
        Line::from(vec![
            Span::styled("› ", theme.focused()),
            Span::styled(problem.way_out.clone(), theme.text()),
        ]),
    ]
}

/// Height the problem panel needs at `width` columns, borders included.
pub fn problem_height(problem: &Problem, width: u16) -> u16 {
    let inner = width.saturating_sub(4);
    wrapped_height(&problem.message, inner)
        + wrapped_height(&format!("› {}", problem.way_out), inner)
        + 2
}

pub fn render_problem(problem: &Problem, theme: Theme, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.error())
        .padding(Padding::horizontal(1))
        .title(Span::styled(" ✗ Problem ", theme.error()));
    frame.render_widget(
        Paragraph::new(problem_lines(problem, theme))
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

/// The key-hint bar: `key label` pairs, keys bold.
pub fn hint_line(hints: &[(&'static str, &'static str)], theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (index, (key, label)) in hints.iter().enumerate() {
        if index > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(*key, theme.key()));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(*label, theme.muted()));
    }
    Line::from(spans)
}

/// A centred window of at most `width`×`height` inside `area`, cleared and framed.
pub fn popup(
    frame: &mut Frame,
    area: Rect,
    width: u16,
    height: u16,
    title: Span<'static>,
    theme: Theme,
) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [window] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    frame.render_widget(Clear, window);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.focused())
        .padding(Padding::horizontal(1))
        .title(title);
    let inner = block.inner(window);
    frame.render_widget(block, window);
    inner
}

/// What is drawn instead of the wizard when the terminal is below the minimum size.
pub fn render_too_small(frame: &mut Frame, area: Rect, theme: Theme) {
    let lines = vec![
        Line::styled(
            format!("Terminal too small: need {MIN_WIDTH}×{MIN_HEIGHT}"),
            theme.warning(),
        ),
        Line::styled(format!("now {}×{}", area.width, area.height), theme.muted()),
    ];
    let [row] = Layout::vertical([Constraint::Length(2)])
        .flex(Flex::Center)
        .areas(area);
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(ratatui::layout::Alignment::Center)
            .wrap(Wrap { trim: true }),
        row,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_at_spaces_and_splits_long_words() {
        assert_eq!(wrap_text("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap_text("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap_text("", 3), vec![""]);
        assert_eq!(wrapped_height("aa bb cc\nd", 5), 3);
        assert_eq!(
            wrap_hanging("aa bb cc dd", 5, 2),
            vec!["aa bb", "  cc", "  dd"]
        );
        assert_eq!(wrap_text(" [a] b", 10), vec![" [a] b"]);
        assert_eq!(
            wrap_hanging(" 1. abc def", 7, 4),
            vec![" 1. abc", "    def"]
        );
    }

    #[test]
    fn the_cursor_stays_in_the_list() {
        assert_eq!(move_cursor(0, 3, Intent::Up, 5), 0);
        assert_eq!(move_cursor(2, 3, Intent::Down, 5), 2);
        assert_eq!(move_cursor(0, 30, Intent::PageDown, 5), 5);
        assert_eq!(move_cursor(4, 30, Intent::Last, 5), 29);
        assert_eq!(move_cursor(0, 0, Intent::Down, 5), 0);
    }
}
