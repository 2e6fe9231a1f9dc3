//! Drawing Home: a function of the model. The layout is computed here, once, and `update` uses
//! the same [`areas`] to turn mouse clicks into rows. Only the visible rows are drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};
use tui_input::Input;

use super::keys;
use super::model::{
    Confirm, EditForm, Export, ExportFormat, ExportPath, IMPORT_LABELS, IMPORT_SECRET_FIELDS,
    ImportForm, Mode, Model, RenameForm,
};
use crate::key_health::OLD_KEY_DAYS;
use crate::profiles::edit::SECRET_KEYS;
use crate::secret::mask;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, Echo, MIN_HEIGHT, MIN_WIDTH, TextField};

/// Where everything goes at the model's size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub title: Rect,
    pub list: Rect,
    /// The list's rows, below its column header.
    pub list_rows: Rect,
    pub details: Rect,
    pub footer: Rect,
    pub hints: Rect,
}

pub fn too_small(model: &Model) -> bool {
    model.width < MIN_WIDTH || model.height < MIN_HEIGHT
}

fn hint_width(hints: &[(&str, &str)]) -> usize {
    hints
        .iter()
        .map(|(k, l)| k.chars().count() + l.chars().count() + 3)
        .sum()
}

/// The hint bar split into as many lines as the width needs (at most three).
fn hint_rows(model: &Model) -> Vec<Vec<(&'static str, &'static str)>> {
    let width = usize::from(model.width);
    let mut rows: Vec<Vec<(&'static str, &'static str)>> = vec![Vec::new()];
    let mut used = 0;
    for hint in keys::hints(model) {
        let w = hint_width(&[hint]);
        if used + w > width + 2 && !rows.last().is_some_and(Vec::is_empty) && rows.len() < 3 {
            rows.push(Vec::new());
            used = 0;
        }
        rows.last_mut().expect("a row").push(hint);
        used += w;
    }
    rows
}

pub fn areas(model: &Model) -> Areas {
    if too_small(model) {
        return Areas::default();
    }
    let area = Rect::new(0, 0, model.width, model.height);
    let hint_height = u16::try_from(hint_rows(model).len()).unwrap_or(1);
    let [title, body, footer, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(1),
        Constraint::Length(hint_height),
    ])
    .areas(area);
    let list_width = if model.width >= 100 {
        model.width * 45 / 100
    } else {
        model.width / 2
    };
    let [list, details] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(10)]).areas(body);
    let inner = Block::bordered().inner(list);
    let list_rows = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    Areas {
        title,
        list,
        list_rows,
        details,
        footer,
        hints,
    }
}

pub fn view(model: &Model, theme: Theme, frame: &mut Frame) {
    let area = frame.area();
    if too_small(model) || area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        widgets::render_too_small(frame, area, theme);
        return;
    }
    let areas = areas(model);
    render_title(model, theme, frame, areas.title);
    render_list(model, theme, frame, areas);
    render_details(model, theme, frame, areas.details);
    render_footer(model, theme, frame, areas.footer);
    let hint_lines: Vec<Line> = hint_rows(model)
        .iter()
        .map(|row| widgets::hint_line(row, theme))
        .collect();
    frame.render_widget(Paragraph::new(hint_lines), areas.hints);
    // Overlays leave the status line and the hint bar visible.
    let area = Rect {
        height: areas.footer.y,
        ..area
    };
    match &model.mode {
        Mode::Help => render_help(model, theme, frame, area),
        Mode::Edit(form) => render_edit(form, theme, frame, area),
        Mode::Rename(form) => render_rename(model, form, theme, frame, area),
        Mode::Import(form) => render_import(model, form, theme, frame, area),
        Mode::Export(export) => render_export(model, export, theme, frame, area),
        Mode::ExportPath(prompt) => render_export_path(prompt, theme, frame, area),
        Mode::Confirm(confirm) => render_confirm(confirm, theme, frame, area),
        Mode::Browse | Mode::Filter => {}
    }
}

fn render_title(model: &Model, theme: Theme, frame: &mut Frame, area: Rect) {
    let noun = if model.rows.len() == 1 {
        "profile"
    } else {
        "profiles"
    };
    let count = if model.visible.len() == model.rows.len() {
        format!("{} {noun}", model.rows.len())
    } else {
        format!("{} of {} {noun}", model.visible.len(), model.rows.len())
    };
    frame.render_widget(
        Line::from(vec![
            Span::styled(" credwiz ", theme.title()),
            Span::styled("Home", theme.title()),
            Span::styled(
                format!("  {count} · sorted by {}", model.sort.name()),
                theme.muted(),
            ),
        ]),
        area,
    );
}

/// Column widths of the list: name, kind, region, age (0: not shown). Narrow lists use short
/// kind names, then drop the region, then the kind, so that the name always has room.
fn columns(width: u16) -> [usize; 4] {
    let width = usize::from(width).saturating_sub(3);
    let (age, mut kind, mut region) = if width >= 45 { (6, 13, 15) } else { (6, 8, 11) };
    const MIN_NAME: usize = 10;
    if width < age + kind + region + MIN_NAME {
        region = 0;
    }
    if width < age + kind + region + MIN_NAME {
        kind = 0;
    }
    [width.saturating_sub(age + kind + region), kind, region, age]
}

/// The kind as the list shows it: in full, or short when the column is narrow.
fn kind_label(kind: crate::profiles::Kind, width: usize) -> &'static str {
    use crate::profiles::Kind;
    if width >= 13 {
        return kind.name();
    }
    match kind {
        Kind::AssumeRole => "role",
        Kind::WebIdentity => "web-id",
        Kind::ConfigOnly => "config",
        other => other.name(),
    }
}

fn cell(text: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let count = text.chars().count();
    if count < width {
        format!("{text:<width$}")
    } else {
        let cut: String = text.chars().take(width.saturating_sub(2)).collect();
        format!("{cut}… ")
    }
}

fn render_list(model: &Model, theme: Theme, frame: &mut Frame, areas: Areas) {
    let focused = matches!(model.mode, Mode::Browse | Mode::Filter);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(if focused {
            theme.focused()
        } else {
            theme.border()
        })
        .title(Span::styled(" Profiles ", theme.title()));
    let block = if model.filter.value().is_empty() {
        block
    } else {
        block.title(Span::styled(
            format!("/{} ", model.filter.value()),
            theme.key(),
        ))
    };
    let inner = block.inner(areas.list);
    frame.render_widget(block, areas.list);
    let [name_w, kind_w, region_w, age_w] = columns(inner.width);
    let header = format!(
        "   {}{}{}{}",
        cell("NAME", name_w),
        cell("KIND", kind_w),
        cell("REGION", region_w),
        cell("AGE", age_w)
    );
    frame.render_widget(
        Line::styled(header, theme.muted()),
        Rect { height: 1, ..inner },
    );
    if model.visible.is_empty() {
        let text = if model.rows.is_empty() {
            "No profiles yet. Press n to set one up."
        } else {
            "No profile matches the filter. Esc clears it."
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, theme.muted())).wrap(Wrap { trim: true }),
            areas.list_rows,
        );
        return;
    }
    let height = usize::from(areas.list_rows.height);
    let lines: Vec<Line> = model
        .visible
        .iter()
        .enumerate()
        .skip(model.offset)
        .take(height)
        .map(|(position, &index)| {
            let row = &model.rows[index];
            let selected = position == model.cursor;
            let age = match row.age_days {
                Some(days) if days > OLD_KEY_DAYS => format!("{days}d!"),
                Some(days) => format!("{days}d"),
                None => "-".to_string(),
            };
            let text = format!(
                "{}{} {}{}{}{}",
                if selected { "›" } else { " " },
                if row.warned { "⚠" } else { " " },
                cell(&row.name, name_w),
                cell(kind_label(row.kind, kind_w), kind_w),
                cell(row.region.as_deref().unwrap_or("-"), region_w),
                cell(&age, age_w),
            );
            let style = if selected {
                theme.selected()
            } else {
                theme.text()
            };
            Line::styled(text, style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), areas.list_rows);
}

fn details_lines(model: &Model, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let Some(row) = model.selected() else {
        lines.push(Line::styled("No profile selected.", theme.muted()));
        return lines;
    };
    let Some(profile) = model.set.get(&row.name) else {
        return lines;
    };
    lines.push(Line::styled(row.name.clone(), theme.title()));
    let files: Vec<&str> = profile.files().iter().map(|f| f.name()).collect();
    lines.push(Line::styled(
        format!("{} · in {}", row.kind.name(), files.join(" and ")),
        theme.muted(),
    ));
    if let Some(days) = row.age_days {
        lines.push(Line::styled(
            format!("key age {days} days (from the last check)"),
            theme.muted(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Settings", theme.title()));
    for (key, setting) in profile.settings.iter() {
        let value = if SECRET_KEYS.contains(&key) && !model.revealed {
            mask(&setting.value)
        } else {
            setting.value.to_string()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{key} = {value}"), theme.text()),
            Span::styled(
                format!("  {}:{}", setting.origin.file.name(), setting.origin.line),
                theme.muted(),
            ),
        ]));
    }
    let warnings = model.warnings_for(profile, row.age_days);
    let ignored = &model.set.ignored;
    if !warnings.is_empty() || !ignored.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Warnings", theme.warning()));
    }
    for warning in warnings {
        lines.push(Line::from(vec![
            Span::styled("⚠ ", theme.warning()),
            Span::styled(warning, theme.text()),
        ]));
    }
    const IGNORED_SHOWN: usize = 5;
    for entry in ignored.iter().take(IGNORED_SHOWN) {
        lines.push(Line::from(vec![
            Span::styled("⚠ ", theme.warning()),
            Span::styled(
                format!(
                    "{}:{} ignored by the SDKs: {}",
                    entry.origin.file.name(),
                    entry.origin.line,
                    entry.reason
                ),
                theme.text(),
            ),
        ]));
    }
    if ignored.len() > IGNORED_SHOWN {
        lines.push(Line::styled(
            format!(
                "  and {} more ignored sections or keys (credwiz list shows them)",
                ignored.len() - IGNORED_SHOWN
            ),
            theme.muted(),
        ));
    }
    lines
}

fn problem_lines(model: &Model, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for problem in &model.problems {
        lines.push(Line::from(vec![
            Span::styled("✗ ", theme.error()),
            Span::styled(
                format!("{}: {}", problem.location(), problem.message),
                theme.text(),
            ),
        ]));
        let way_out = if problem.repair.is_some() {
            "press f to strip the byte-order mark (asks first)".to_string()
        } else {
            "fix the file in an editor, then press ^R to read it again".to_string()
        };
        lines.push(Line::from(vec![
            Span::styled("› ", theme.focused()),
            Span::styled(way_out, theme.text()),
        ]));
    }
    lines.push(Line::styled(
        "Nothing is written until the files read cleanly.",
        theme.muted(),
    ));
    lines
}

/// The details pane's part of `area` (below the box of file problems, if any), and that box.
fn split_details(
    model: &Model,
    theme: Theme,
    area: Rect,
) -> (Rect, Option<(Rect, Vec<Line<'static>>)>) {
    if model.problems.is_empty() {
        return (area, None);
    }
    let lines = problem_lines(model, theme);
    let height = widgets::lines_height(&lines, area.width.saturating_sub(4)) + 2;
    let height = height.min(area.height.saturating_sub(3));
    let [problem, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(3)]).areas(area);
    (rest, Some((problem, lines)))
}

/// How many lines the selected profile's details run past the pane: how far it can scroll.
pub fn details_overflow(model: &Model) -> u16 {
    let theme = Theme::new(true);
    let (area, _) = split_details(model, theme, areas(model).details);
    overflow(&details_lines(model, theme), area)
}

/// How many of `lines`, wrapped, run past the inside of the bordered `area`.
fn overflow(lines: &[Line], area: Rect) -> u16 {
    let inner = Block::bordered().inner(area);
    widgets::lines_height(lines, inner.width).saturating_sub(inner.height)
}

fn render_details(model: &Model, theme: Theme, frame: &mut Frame, area: Rect) {
    let (area, problems) = split_details(model, theme, area);
    if let Some((problem, lines)) = problems {
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme.error())
            .title(Span::styled(" ✗ A file cannot be read ", theme.error()));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block),
            problem,
        );
    }
    let lines = details_lines(model, theme);
    let overflow = overflow(&lines, area);
    // The model clamps its scroll when it scrolls; a resize can shrink the overflow since.
    let scroll = model.details_scroll().min(overflow);
    let mut block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border())
        .title(Span::styled(" Details ", theme.title()));
    if overflow > 0 {
        let more = if scroll < overflow {
            " J ↓ more "
        } else {
            " K ↑ "
        };
        block = block.title_bottom(Line::styled(more, theme.key()).right_aligned());
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        area,
    );
}

fn render_footer(model: &Model, theme: Theme, frame: &mut Frame, area: Rect) {
    let filtering = matches!(model.mode, Mode::Filter);
    let filter_line = || {
        Line::from(vec![
            Span::styled("/ filter: ", theme.key()),
            Span::styled(
                model.filter.value().to_string(),
                if filtering {
                    theme.focused()
                } else {
                    theme.text()
                },
            ),
        ])
    };
    if filtering {
        frame.render_widget(filter_line(), area);
        let offset = "/ filter: ".len() + model.filter.visual_cursor();
        let x = area.x + u16::try_from(offset).unwrap_or(u16::MAX);
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    } else if let Some(status) = &model.status {
        let (marker, style) = if status.ok {
            ("✓ ", theme.ok())
        } else {
            ("✗ ", theme.error())
        };
        frame.render_widget(
            Line::from(vec![
                Span::styled(marker, style),
                Span::styled(status.text.clone(), style),
            ]),
            area,
        );
    } else if !model.filter.value().is_empty() {
        frame.render_widget(filter_line(), area);
    } else {
        frame.render_widget(
            Line::styled(
                format!(
                    "config {}  credentials {}",
                    model.config_path.display(),
                    model.credentials_path.display()
                ),
                theme.muted(),
            ),
            area,
        );
    }
}

/// The help overlay; in two columns when one does not fit the height.
fn render_help(model: &Model, theme: Theme, frame: &mut Frame, area: Rect) {
    let rows = keys::help(model);
    let room = usize::from(area.height.saturating_sub(2)).max(1);
    let columns = rows.len().div_ceil(room).max(1);
    let per_column = rows.len().div_ceil(columns);
    let width = if columns == 1 { 84 } else { area.width };
    let column_width = usize::from(width.saturating_sub(4)) / columns;
    let key_width = 8;
    let lines: Vec<Line> = (0..per_column)
        .map(|line| {
            let mut spans = Vec::new();
            for column in 0..columns {
                let Some((keys, help)) = rows.get(column * per_column + line) else {
                    continue;
                };
                let help_width = column_width.saturating_sub(key_width + 2);
                let help: String = help.chars().take(help_width).collect();
                spans.push(Span::styled(format!("{keys:<key_width$} "), theme.key()));
                spans.push(Span::styled(format!("{help:<help_width$} "), theme.text()));
            }
            Line::from(spans)
        })
        .collect();
    let height = u16::try_from(per_column).unwrap_or(u16::MAX) + 2;
    let inner = widgets::popup(
        frame,
        area,
        width,
        height,
        Span::styled(" Keys ", theme.title()),
        theme,
    );
    frame.render_widget(Paragraph::new(lines), inner);
}

fn field_error(errors: &[(usize, String)], field: usize) -> Option<&str> {
    errors
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, e)| e.as_str())
}

fn render_edit(form: &EditForm, theme: Theme, frame: &mut Frame, area: Rect) {
    let inner = widgets::popup(
        frame,
        area,
        76,
        area.height.saturating_sub(2),
        Span::styled(format!(" Edit {} ", form.profile), theme.title()),
        theme,
    );
    let errors = form.errors();
    let mut y = inner.y;
    let bottom = inner.bottom();
    let line_at = |frame: &mut Frame, y: &mut u16, line: Line| {
        if *y < bottom {
            frame.render_widget(line, Rect::new(inner.x, *y, inner.width, 1));
            *y += 1;
        }
    };
    for (field, label, input, placeholder) in [
        (0, "Region", &form.region, "none (e.g. us-east-1)"),
        (1, "Output", &form.output, "none (json, yaml, text, table)"),
    ] {
        if y < bottom {
            TextField {
                label,
                input,
                focused: form.focus == field,
                echo: Echo::Plain,
                placeholder,
            }
            .render(theme, frame, Rect::new(inner.x, y, inner.width, 1));
            y += 1;
        }
        if let Some(error) = field_error(&errors, field) {
            line_at(frame, &mut y, error_line(error, theme));
        }
    }
    line_at(frame, &mut y, Line::raw(""));
    line_at(
        frame,
        &mut y,
        Line::styled(
            "Other settings: key = value (clear a key to remove it)",
            theme.muted(),
        ),
    );
    // Keep the focused row in view when there are more rows than room.
    let room = usize::from(bottom.saturating_sub(y));
    let focused_row = form.focus.saturating_sub(2) / 2;
    let first = if form.focus >= 2 && focused_row >= room {
        focused_row + 1 - room
    } else {
        0
    };
    let key_width = 24u16.min(inner.width / 3);
    for (index, (key, value)) in form.rows.iter().enumerate().skip(first) {
        if y >= bottom {
            break;
        }
        let key_field = 2 + 2 * index;
        let row = Rect::new(inner.x, y, inner.width, 1);
        let [marker, key_area, equals, value_area] = Layout::horizontal([
            Constraint::Length(2),
            Constraint::Length(key_width),
            Constraint::Length(3),
            Constraint::Min(4),
        ])
        .areas(row);
        let on_row = form.focus == key_field || form.focus == key_field + 1;
        frame.render_widget(
            Span::styled(if on_row { "› " } else { "  " }, theme.focused()),
            marker,
        );
        render_input(
            key,
            form.focus == key_field,
            "new key",
            theme,
            frame,
            key_area,
        );
        frame.render_widget(Span::styled(" = ", theme.muted()), equals);
        render_input(
            value,
            form.focus == key_field + 1,
            "value",
            theme,
            frame,
            value_area,
        );
        y += 1;
        for field in [key_field, key_field + 1] {
            if let Some(error) = field_error(&errors, field) {
                line_at(frame, &mut y, error_line(error, theme));
            }
        }
    }
}

fn error_line(error: &str, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::raw("    "),
        Span::styled(format!("✗ {error}"), theme.error()),
    ])
}

fn render_input(
    input: &Input,
    focused: bool,
    placeholder: &str,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let width = usize::from(area.width.saturating_sub(1)).max(1);
    let scroll = input.visual_scroll(width);
    let style = if focused {
        theme.focused()
    } else {
        Style::new()
    };
    let line = if input.value().is_empty() {
        Line::styled(format!("[{placeholder}]"), theme.muted())
    } else {
        Line::styled(
            input.value().chars().skip(scroll).collect::<String>(),
            style,
        )
    };
    frame.render_widget(line, area);
    if focused {
        let x = area.x + u16::try_from(input.visual_cursor() - scroll).unwrap_or(0);
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    }
}

fn render_rename(model: &Model, form: &RenameForm, theme: Theme, frame: &mut Frame, area: Rect) {
    let inner = widgets::popup(
        frame,
        area,
        70,
        7,
        Span::styled(format!(" Rename {} ", form.from), theme.title()),
        theme,
    );
    TextField {
        label: "New name",
        input: &form.to,
        focused: true,
        echo: Echo::Plain,
        placeholder: "",
    }
    .render(theme, frame, Rect { height: 1, ..inner });
    let below = Rect {
        y: inner.y + 2,
        height: inner.height.saturating_sub(2),
        ..inner
    };
    let line = match model.rename_error(form) {
        Some(error) => Line::styled(format!("✗ {error}"), theme.error()),
        None => Line::styled(
            "source_profile references to it are renamed too",
            theme.muted(),
        ),
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), below);
}

fn render_import(model: &Model, form: &ImportForm, theme: Theme, frame: &mut Frame, area: Rect) {
    let inner = widgets::popup(
        frame,
        area,
        76,
        area.height.saturating_sub(2),
        Span::styled(" Import a profile ", theme.title()),
        theme,
    );
    let errors = form.errors(&model.set);
    let placeholders = [
        "",
        "AKIA...",
        "40 characters, masked",
        "only for temporary keys",
        "none (e.g. us-east-1)",
        "path, then ^O",
    ];
    let mut y = inner.y;
    for (field, input) in form.fields.iter().enumerate() {
        if y >= inner.bottom() {
            break;
        }
        TextField {
            label: IMPORT_LABELS[field],
            input,
            focused: form.focus == field,
            echo: if IMPORT_SECRET_FIELDS.contains(&field) {
                Echo::Masked
            } else {
                Echo::Plain
            },
            placeholder: placeholders[field],
        }
        .render(theme, frame, Rect::new(inner.x, y, inner.width, 1));
        y += 1;
        // Errors show once something was typed, and always for the key file.
        let typed = !input.value().is_empty() || field == 5;
        if let Some(error) = field_error(&errors, field).filter(|_| typed)
            && y < inner.bottom()
        {
            frame.render_widget(
                error_line(error, theme),
                Rect::new(inner.x, y, inner.width, 1),
            );
            y += 1;
        }
    }
    if y + 1 < inner.bottom() {
        let source = if model.environment_keys.is_some() {
            "^E takes the keys from the environment; ^O reads a key file."
        } else {
            "^O reads a key file (create-access-key JSON, pharmer, DataRobot, console CSV)."
        };
        frame.render_widget(
            Paragraph::new(Line::styled(source, theme.muted())).wrap(Wrap { trim: true }),
            Rect::new(inner.x, y + 1, inner.width, inner.bottom() - y - 1),
        );
    }
}

fn render_export(model: &Model, export: &Export, theme: Theme, frame: &mut Frame, area: Rect) {
    let text = model.export_text(export, false);
    let inner_width = area.width.saturating_sub(8).min(72);
    let mut lines = vec![Line::from(
        ExportFormat::ALL
            .iter()
            .flat_map(|format| {
                let chosen = *format == export.format;
                [
                    Span::styled(
                        if chosen {
                            format!("[•] {}", format.name())
                        } else {
                            format!("[ ] {}", format.name())
                        },
                        if chosen {
                            theme.selected()
                        } else {
                            theme.text()
                        },
                    ),
                    Span::raw("  "),
                ]
            })
            .collect::<Vec<_>>(),
    )];
    lines.push(Line::raw(""));
    for line in text.lines() {
        lines.push(Line::styled(line.to_string(), theme.command()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Secrets are masked; Enter copies them, w writes a file; both ask first.",
        theme.muted(),
    ));
    let height = widgets::lines_height(&lines, inner_width) + 2;
    let inner = widgets::popup(
        frame,
        area,
        inner_width + 4,
        height,
        Span::styled(format!(" Export {} ", export.profile), theme.title()),
        theme,
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn render_export_path(prompt: &ExportPath, theme: Theme, frame: &mut Frame, area: Rect) {
    let export = &prompt.export;
    let inner = widgets::popup(
        frame,
        area,
        70,
        8,
        Span::styled(
            format!(
                " Export {} as {} to a file ",
                export.profile,
                export.format.name()
            ),
            theme.title(),
        ),
        theme,
    );
    TextField {
        label: "File",
        input: &prompt.path,
        focused: true,
        echo: Echo::Plain,
        placeholder: "path of a new file",
    }
    .render(theme, frame, Rect { height: 1, ..inner });
    let below = Rect {
        y: inner.y + 2,
        height: inner.height.saturating_sub(2),
        ..inner
    };
    // A failed write's error first, then what the path itself lacks.
    let error = prompt.error.clone().or_else(|| {
        prompt
            .path_error()
            .filter(|_| !prompt.path.value().is_empty())
    });
    let line = match error {
        Some(error) => Line::styled(format!("✗ {error}"), theme.error()),
        None => Line::styled(
            "A new file, relative to the current directory. It will hold the secret in clear \
             (mode 0600); an existing file is never overwritten.",
            theme.muted(),
        ),
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), below);
}

fn render_confirm(confirm: &Confirm, theme: Theme, frame: &mut Frame, area: Rect) {
    let lines: Vec<Line> = confirm
        .lines
        .iter()
        .skip(confirm.scroll)
        .map(|line| {
            let style = if line.starts_with("+++") || line.starts_with("---") {
                theme.title()
            } else if line.starts_with('+') {
                theme.added()
            } else if line.starts_with('-') {
                theme.removed()
            } else if line.starts_with("@@") {
                theme.muted()
            } else {
                theme.text()
            };
            Line::styled(line.clone(), style)
        })
        .collect();
    let width = area.width.saturating_sub(4).min(100);
    let needed = widgets::lines_height(&lines, width.saturating_sub(4)) + 2;
    let height = needed.min(area.height.saturating_sub(2));
    let more = if needed > height { " (↓ more)" } else { "" };
    let inner = widgets::popup(
        frame,
        area,
        width,
        height,
        Span::styled(format!(" {}{more} ", confirm.title), theme.warning()),
        theme,
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
