//! The Done screen: what was created, the key id, the secret masked until `r` reveals it,
//! `c` to copy it (OSC 52), and the commands to run next. Leaving asks "I have it".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::model::WizardModel;
use crate::flows::setup::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DoneState {
    /// The secret is shown in clear.
    pub(crate) revealed: bool,
    /// The secret was sent to the clipboard at least once.
    pub(crate) copied: bool,
}

pub(crate) fn render(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    frame.render_widget(Paragraph::new(lines(model, theme, area.width)), area);
}

/// Width of the label column; notes under a value are indented to it.
const LABEL: u16 = 10;

fn lines(model: &WizardModel, theme: Theme, width: u16) -> Vec<Line<'static>> {
    let setup = &model.setup;
    let answers = &setup.answers;
    let profile = answers.profile.clone();
    let created_user = setup
        .run
        .iter()
        .any(|item| matches!(item.action, Action::CreateUser { .. }));
    let mut lines = vec![
        Line::from(vec![
            Span::styled("✓ ", theme.ok()),
            Span::styled(format!("Profile {profile} is ready"), theme.ok()),
        ]),
        Line::default(),
        widgets::label_line(
            "User",
            &format!(
                "{} ({})",
                answers.user_name,
                if created_user { "created" } else { "reused" }
            ),
            theme,
        ),
    ];
    if let Some(group) = &answers.group {
        lines.push(widgets::label_line("Group", group, theme));
    }
    let policies: Vec<&str> = answers.policies.iter().map(|p| p.name()).collect();
    lines.extend(widgets::label_lines(
        "Policies",
        &policies.join(", "),
        width,
        theme,
    ));
    if !setup.unavailable.is_empty() {
        lines.extend(widgets::label_lines(
            "Skipped",
            &format!(
                "{} (optional; not in this account)",
                setup.unavailable.join(", ")
            ),
            width,
            theme,
        ));
    }
    if let Some(arn) = &setup.verified_arn {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<10}", "Verified"), theme.muted()),
            Span::styled("✓ ", theme.ok()),
            Span::raw(arn.clone()),
        ]));
    }
    if let Some(key) = &setup.created_key {
        lines.push(widgets::label_line("Key id", &key.access_key_id, theme));
        let shown = if model.done.revealed {
            key.secret_access_key.expose().to_string()
        } else {
            key.secret_access_key.masked()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:<10}", "Secret"), theme.muted()),
            Span::styled(shown, theme.focused()),
        ]));
        let indent = " ".repeat(usize::from(LABEL));
        let (note, style) = if model.done.copied {
            (
                format!("{indent}✓ Sent to the clipboard (OSC 52; some terminals ignore it)."),
                theme.ok(),
            )
        } else {
            (
                format!(
                    "{indent}Saved in the credentials file; this is the one time the wizard \
                     shows it."
                ),
                theme.muted(),
            )
        };
        lines.extend(widgets::hanging_lines(&note, width, LABEL, style));
    }
    lines.push(Line::default());
    lines.push(Line::styled("Next", theme.title()));
    lines.extend(widgets::hanging_lines(
        &format!("  export AWS_PROFILE={profile}"),
        width,
        2,
        theme.command(),
    ));
    if let Some(next) = setup.preset().and_then(|p| p.next_steps_for(&profile)) {
        lines.extend(widgets::hanging_lines(
            &format!("  {next}"),
            width,
            2,
            theme.text(),
        ));
    }
    lines
}
