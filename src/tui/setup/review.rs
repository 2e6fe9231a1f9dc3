//! The Review screen: the plan as the equivalent `aws iam ...` commands and the diff of both
//! files, scrollable; Enter starts the run. Nothing has been created before this screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

use super::model::{Intent, WizardModel};
use crate::flows::setup::{Action, Msg, Setup};
use crate::tui::theme::Theme;
use crate::tui::widgets;

/// How far the review is scrolled, in lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReviewScroll {
    pub(crate) offset: usize,
}

impl ReviewScroll {
    pub(crate) fn on_intent(&mut self, intent: Intent, page: usize, total: usize) -> Vec<Msg> {
        match intent {
            Intent::Next => return vec![Msg::Next],
            Intent::Back => return vec![Msg::Back],
            _ => {}
        }
        let last = total.saturating_sub(page);
        self.offset = match intent {
            Intent::Up => self.offset.saturating_sub(1),
            Intent::Down => self.offset + 1,
            Intent::PageUp => self.offset.saturating_sub(page),
            Intent::PageDown => self.offset + page,
            Intent::First => 0,
            Intent::Last => last,
            _ => self.offset,
        }
        .min(last);
        Vec::new()
    }
}

/// What a line of the review is, which decides its style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tone {
    Heading,
    Command,
    Note,
    Warning,
    Added,
    Removed,
    Plain,
}

/// The review's text, wrapped at `width` so that scrolling counts real screen lines.
pub(crate) fn content(setup: &Setup, width: u16) -> Vec<(Tone, String)> {
    let mut logical: Vec<(Tone, String)> = vec![(
        Tone::Heading,
        "The plan, as the AWS CLI commands it amounts to".to_string(),
    )];
    let plan = setup.plan();
    let verify = Action::VerifyKey {
        user: setup.answers.user_name.clone(),
        profile: setup.answers.profile.clone(),
        access_key_id: String::new(),
    };
    for (index, action) in plan.iter().chain([&verify]).enumerate() {
        logical.push((
            Tone::Command,
            format!("{:>2}. {}", index + 1, action.as_aws_cli()),
        ));
    }
    for policy in &setup.answers.policies {
        if policy.grants_full_control() {
            logical.push((
                Tone::Warning,
                format!(
                    "⚠ {} grants full control of the account to whoever holds the key.",
                    policy.name()
                ),
            ));
        }
    }
    for name in &setup.unavailable {
        logical.push((
            Tone::Warning,
            format!("⚠ {name} is not in this account; it is skipped (it is optional)."),
        ));
    }
    if setup.answers.replace_profile && setup.preview.as_ref().is_some_and(|p| p.profile_exists) {
        logical.push((
            Tone::Warning,
            format!(
                "⚠ Profile {} exists: the new key replaces its keys.",
                setup.answers.profile
            ),
        ));
    }
    logical.push((Tone::Plain, String::new()));
    logical.push((Tone::Heading, "Changes to your files".to_string()));
    match &setup.preview {
        Some(preview) if !preview.diff.is_empty() => {
            for line in preview.diff.lines() {
                let tone = match line.chars().next() {
                    Some('+') if !line.starts_with("+++") => Tone::Added,
                    Some('-') if !line.starts_with("---") => Tone::Removed,
                    _ => Tone::Note,
                };
                logical.push((tone, line.to_string()));
            }
        }
        _ => logical.push((Tone::Note, "No change to the files.".to_string())),
    }
    logical.push((Tone::Plain, String::new()));
    logical.push((
        Tone::Note,
        "Nothing has been created yet. Enter runs the plan; Esc goes back to change it."
            .to_string(),
    ));
    logical
        .into_iter()
        .flat_map(|(tone, text)| {
            let hang = if tone == Tone::Command { 4 } else { 0 };
            widgets::wrap_hanging(&text, width, hang)
                .into_iter()
                .map(move |line| (tone, line))
        })
        .collect()
}

/// The part of the screen the text takes: all but the scrollbar column.
fn text_area(area: Rect) -> Rect {
    let [text_area, _] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    text_area
}

/// Lines of review text and lines of one page, for a review drawn in `area`.
pub(crate) fn measure(setup: &Setup, area: Rect) -> (usize, usize) {
    let text = text_area(area);
    (
        content(setup, text.width).len(),
        usize::from(text.height).max(1),
    )
}

fn style(tone: Tone, theme: Theme) -> ratatui::style::Style {
    match tone {
        Tone::Heading => theme.title(),
        Tone::Command => theme.command(),
        Tone::Note => theme.muted(),
        Tone::Warning => theme.warning(),
        Tone::Added => theme.added(),
        Tone::Removed => theme.removed(),
        Tone::Plain => theme.text(),
    }
}

pub(crate) fn render(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let [text_area, bar_area] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let content = content(&model.setup, text_area.width);
    let page = usize::from(text_area.height);
    let offset = model.review.offset.min(content.len().saturating_sub(page));
    let lines: Vec<Line> = content
        .iter()
        .skip(offset)
        .take(page)
        .map(|(tone, text)| Line::from(Span::styled(text.clone(), style(*tone, theme))))
        .collect();
    frame.render_widget(Paragraph::new(lines), text_area);
    if content.len() > page {
        let mut state = ScrollbarState::new(content.len().saturating_sub(page)).position(offset);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None),
            bar_area,
            &mut state,
        );
    }
}
