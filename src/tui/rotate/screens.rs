//! The rotation screens' bodies: the key table, the second-key choice, the plan, the run's
//! progress and the summary. The shell around them (title, steps, problem panel, hints, help)
//! is in `mod.rs`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use super::model::RotateModel;
use crate::flows::rotate::{Action, KeyFacts, OldKey, Outcome, Rotation, RunItem};
use crate::flows::setup::Status;
use crate::tui::theme::Theme;
use crate::tui::widgets;

fn date(time: Option<time::OffsetDateTime>) -> String {
    time.map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_else(|| "-".to_string())
}

fn last_use(key: &KeyFacts) -> String {
    match &key.last_used {
        None => "unknown".to_string(),
        Some(used) => match used.last_used {
            None => "never".to_string(),
            Some(when) => date(Some(when)),
        },
    }
}

fn age(rotation: &Rotation, key: &KeyFacts) -> String {
    rotation
        .age_days(key)
        .map(|d| format!("{d}d"))
        .unwrap_or_else(|| "-".to_string())
}

fn holders_text(holders: &[String]) -> String {
    if holders.is_empty() {
        "-".to_string()
    } else {
        holders.join(", ")
    }
}

/// Rows the key table takes: a header and one row per key.
fn table_height(rotation: &Rotation) -> u16 {
    u16::try_from(rotation.keys.len()).unwrap_or(u16::MAX) + 1
}

/// The user's keys: id, status, age, last use, and the local profiles holding each. The key
/// being rotated is marked `›`.
fn render_key_table(rotation: &Rotation, theme: Theme, frame: &mut Frame, area: Rect) {
    let old = rotation.old_key_id.as_deref().unwrap_or_default();
    let header =
        Row::new(["", "KEY", "STATUS", "AGE", "LAST USED", "HELD BY"]).style(theme.muted());
    let rows: Vec<Row> = rotation
        .keys
        .iter()
        .map(|key| {
            let rotating = key.access_key_id == old;
            let style = if rotating {
                theme.focused()
            } else {
                theme.text()
            };
            Row::new(vec![
                Cell::from(if rotating { "›" } else { " " }),
                Cell::from(key.access_key_id.clone()),
                Cell::from(key.status.to_string()),
                Cell::from(age(rotation, key)),
                Cell::from(last_use(key)),
                Cell::from(holders_text(&rotation.holders_of(&key.access_key_id))),
            ])
            .style(style)
        })
        .collect();
    let widths = [
        Constraint::Length(1),
        Constraint::Length(20),
        Constraint::Length(8),
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Min(4),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        area,
    );
}

fn spinner_line(model: &RotateModel, text: &str, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(widgets::spinner(model.spinner), theme.focused()),
        Span::raw(format!(" {text}")),
    ])
}

fn who(rotation: &Rotation, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(old) = &rotation.old_key_id {
        lines.push(widgets::label_line(
            "Profile",
            &format!("{} holds key {old}", rotation.options.profile),
            theme,
        ));
    }
    if let Some(user) = &rotation.user {
        lines.push(widgets::label_line("IAM user", user, theme));
    }
    if let Some(identity) = &rotation.identity {
        lines.push(widgets::label_line("Acting as", &identity.arn, theme));
    }
    lines
}

/// Reading the files, resolving the user, listing the keys; then the key table.
pub(crate) fn render_inspect(model: &RotateModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let rotation = &model.rotation;
    let mut lines = who(rotation, theme);
    if rotation.is_waiting() {
        let doing = if rotation.local.is_empty() {
            "Reading the config and credentials files…"
        } else if rotation.identity.is_none() {
            "Asking STS who the key belongs to…"
        } else {
            "Listing the user's keys and when they were last used…"
        };
        lines.push(Line::default());
        lines.push(spinner_line(model, doing, theme));
    }
    let text_height = widgets::lines_height(&lines, area.width);
    let [text_area, table_area] =
        Layout::vertical([Constraint::Length(text_height), Constraint::Min(0)])
            .spacing(1)
            .areas(area);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);
    if !rotation.keys.is_empty() {
        render_key_table(rotation, theme, frame, table_area);
    }
}

/// The user already has two keys: show the other one and ask.
pub(crate) fn render_other_key(model: &RotateModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let rotation = &model.rotation;
    let user = rotation.user.clone().unwrap_or_default();
    let intro =
        format!("User {user} already has two keys, the most IAM allows: one must go first.");
    let intro_lines = widgets::hanging_lines(&intro, area.width, 0, theme.text());
    let mut lines: Vec<Line> = Vec::new();
    let Some(other) = rotation.other_key() else {
        return;
    };
    let id = other.access_key_id.clone();
    let holders = rotation.holders_of(&id);
    let held = if holders.is_empty() {
        "no local profile holds it".to_string()
    } else {
        format!("held by {}", holders.join(", "))
    };
    lines.push(Line::from(vec![
        Span::styled("Other key ", theme.muted()),
        Span::styled(id.clone(), theme.text()),
        Span::styled(format!(" · {} · {held}", other.status), theme.text()),
    ]));
    if !holders.is_empty() {
        lines.extend(widgets::hanging_lines(
            &format!(
                "⚠ Deleting it cuts off {}.",
                match holders.as_slice() {
                    [one] => format!("profile {one}"),
                    many => format!("profiles {}", many.join(", ")),
                }
            ),
            area.width,
            2,
            theme.warning(),
        ));
    }
    let intro_height = widgets::lines_height(&intro_lines, area.width);
    // The answers stay on screen; the details give way first.
    let fixed = intro_height + table_height(rotation) + 2 + 3;
    let details_height =
        widgets::lines_height(&lines, area.width).min(area.height.saturating_sub(fixed));
    let [intro_area, table_area, details_area, choice_area] = Layout::vertical([
        Constraint::Length(intro_height),
        Constraint::Length(table_height(rotation)),
        Constraint::Length(details_height),
        Constraint::Length(2),
    ])
    .spacing(1)
    .areas(area);
    frame.render_widget(Paragraph::new(intro_lines), intro_area);
    render_key_table(rotation, theme, frame, table_area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }),
        details_area,
    );
    let mut choice_lines = Vec::new();
    let choices = [
        (true, format!("Delete {id}, then rotate")),
        (false, "Stop: keep both keys, change nothing".to_string()),
    ];
    for (answer, text) in choices {
        let chosen = model.delete_other == answer;
        let (marker, style) = if chosen {
            ("› ", theme.selected())
        } else {
            ("  ", theme.text())
        };
        choice_lines.push(Line::from(vec![
            Span::styled(marker, theme.focused()),
            Span::styled(text, style),
        ]));
    }
    frame.render_widget(Paragraph::new(choice_lines), choice_area);
}

/// The plan's lines, numbered, with verification where it happens.
fn plan_lines(rotation: &Rotation, width: u16, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut number = 0;
    let mut push = |text: String, lines: &mut Vec<Line<'static>>| {
        number += 1;
        lines.extend(widgets::hanging_lines(
            &format!("{number}. {text}"),
            width,
            3,
            theme.text(),
        ));
    };
    for action in rotation.plan() {
        let is_create = matches!(action, Action::CreateKey { .. });
        push(action.label(), &mut lines);
        if is_create {
            push(
                "Verify the new key with STS, then use it for what follows".to_string(),
                &mut lines,
            );
        }
    }
    if rotation.options.old_key == OldKey::Keep {
        lines.push(Line::styled(
            "The old key stays active (--old-key keep).",
            theme.muted(),
        ));
    }
    lines
}

/// Everything is known and nothing has changed yet.
pub(crate) fn render_review(model: &RotateModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let rotation = &model.rotation;
    let mut lines = vec![Line::styled("Plan", theme.title())];
    lines.extend(plan_lines(rotation, area.width, theme));
    lines.push(Line::default());
    lines.extend(widgets::hanging_lines(
        "Nothing has changed yet. If the new key never verifies, the old key goes back into \
         the files and the new key is deleted.",
        area.width,
        0,
        theme.muted(),
    ));
    let [table_area, plan_area] = Layout::vertical([
        Constraint::Length(table_height(rotation)),
        Constraint::Min(0),
    ])
    .spacing(1)
    .areas(area);
    render_key_table(rotation, theme, frame, table_area);
    frame.render_widget(Paragraph::new(lines), plan_area);
}

fn item_line(item: &RunItem, spinner: usize, width: u16, theme: Theme) -> Vec<Line<'static>> {
    let (marker, marker_style, style): (String, Style, Style) = match &item.status {
        Status::Pending => ("·".to_string(), theme.muted(), theme.muted()),
        Status::Running(_) => (
            widgets::spinner(spinner).to_string(),
            theme.focused(),
            theme.focused(),
        ),
        Status::Done => ("✓".to_string(), theme.ok(), theme.text()),
        Status::Failed(_) => ("✗".to_string(), theme.error(), theme.error()),
    };
    widgets::wrap_hanging(&format!("{marker} {}", item.action.label()), width, 2)
        .into_iter()
        .enumerate()
        .map(|(index, part)| match part.strip_prefix(marker.as_str()) {
            Some(rest) if index == 0 => Line::from(vec![
                Span::styled(marker.clone(), marker_style),
                Span::styled(rest.to_string(), style),
            ]),
            _ => Line::styled(part, style),
        })
        .collect()
}

/// Progress: one line per step, pending (·), running (spinner), done (✓) or failed (✗).
pub(crate) fn render_run(model: &RotateModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut lines: Vec<Line> = model
        .rotation
        .run
        .iter()
        .flat_map(|item| item_line(item, model.spinner, area.width, theme))
        .collect();
    lines.push(Line::default());
    let note = if model.stopping && model.running() {
        if model.rotation.is_safe_to_stop() {
            "Stopping once the step in flight is done; the files hold a working key."
        } else {
            "Stopping as soon as the files hold a verified key again; the step in flight must \
             finish first."
        }
    } else if model.run_failed() {
        "Steps marked ✓ stay made: nothing is undone by itself."
    } else {
        "Each step is journalled: if this stops, `credwiz rotate --resume` finishes it."
    };
    let style = if model.stopping {
        theme.warning()
    } else {
        theme.muted()
    };
    lines.extend(widgets::hanging_lines(note, area.width, 0, style));
    frame.render_widget(Paragraph::new(lines), area);
}

/// What happened: the new key, the old key's fate, the profiles updated.
pub(crate) fn render_done(model: &RotateModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let rotation = &model.rotation;
    let old = rotation.old_key_id.clone().unwrap_or_default();
    let new = rotation.new_key_id.clone().unwrap_or_default();
    let width = area.width;
    let mut lines = Vec::new();
    let heading = |mark: &str, text: &str, style: Style| {
        Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(text.to_string(), theme.title()),
        ])
    };
    match &rotation.outcome {
        Some(Outcome::Rotated) => {
            lines.push(heading("✓", "Rotated", theme.ok()));
            lines.push(Line::default());
            lines.extend(widgets::label_lines("New key", &new, width, theme));
            let fate = match rotation.options.old_key {
                OldKey::Deactivate => format!("{old} is now Inactive"),
                OldKey::Delete => format!("{old} is deleted"),
                OldKey::Keep => format!("{old} is still Active (--old-key keep)"),
            };
            lines.extend(widgets::label_lines("Old key", &fate, width, theme));
            lines.extend(widgets::label_lines(
                "Profiles",
                &holders_text(&rotation.written),
                width,
                theme,
            ));
            if let Some(arn) = rotation.verified_arn.as_deref().filter(|a| !a.is_empty()) {
                lines.extend(widgets::label_lines("Verified", arn, width, theme));
            }
            lines.push(Line::default());
            lines.extend(widgets::hanging_lines(
                &format!(
                    "The secret is in the credentials file only; `credwiz show {} --reveal` \
                     prints it.",
                    rotation.options.profile
                ),
                width,
                0,
                theme.muted(),
            ));
        }
        Some(Outcome::RolledBack) => {
            lines.push(heading("✗", "Rolled back", theme.error()));
            lines.push(Line::default());
            lines.extend(widgets::label_lines(
                "Old key",
                &format!("{old} is back in {}", holders_text(&rotation.written)),
                width,
                theme,
            ));
            lines.extend(widgets::label_lines(
                "New key",
                &format!("{new} did not verify and is deleted"),
                width,
                theme,
            ));
        }
        Some(Outcome::Skipped { age_days }) => {
            lines.push(heading("•", "Skipped", theme.muted()));
            lines.push(Line::default());
            let age = age_days
                .map(|d| format!("{d} days old"))
                .unwrap_or_else(|| "of unknown age".to_string());
            lines.extend(widgets::hanging_lines(
                &format!(
                    "The key {old} is {age}, not older than --older-than; nothing was changed."
                ),
                width,
                0,
                theme.text(),
            ));
        }
        Some(Outcome::Interrupted) | None => {
            lines.push(heading("⚠", "Stopped", theme.warning()));
            lines.push(Line::default());
            let text = if rotation.has_started_run() {
                let holding = if rotation.verified_arn.is_some() {
                    format!("the verified new key {new}")
                } else {
                    format!("the old key {old}")
                };
                format!(
                    "The files hold {holding}, which works. Finish the rotation with `credwiz \
                     rotate --resume`."
                )
            } else {
                "Nothing was changed: the files still hold the old key.".to_string()
            };
            lines.extend(widgets::hanging_lines(&text, width, 0, theme.text()));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}
