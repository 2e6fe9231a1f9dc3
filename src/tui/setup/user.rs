//! The IAM user screen: the user's name and an optional group, each with its error under it,
//! and a notice when either exists already (it will be reused, not created).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::{Input, InputRequest};

use super::model::{Intent, UserField, WizardModel, input_with, sync_input};
use crate::flows::setup::{Field, Msg, Setup};
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, Echo, TextField};

pub(crate) struct UserForm {
    pub(crate) name: Input,
    pub(crate) group: Input,
    pub(crate) focus: UserField,
}

impl UserForm {
    pub(crate) fn new(setup: &Setup) -> UserForm {
        UserForm {
            name: input_with(&setup.answers.user_name),
            group: input_with(setup.answers.group.as_deref().unwrap_or_default()),
            focus: UserField::Name,
        }
    }

    pub(crate) fn sync(&mut self, setup: &Setup) {
        sync_input(&mut self.name, &setup.answers.user_name);
        sync_input(
            &mut self.group,
            setup.answers.group.as_deref().unwrap_or_default(),
        );
    }

    pub(crate) fn on_intent(&mut self, intent: Intent) -> Vec<Msg> {
        match intent {
            Intent::Next => vec![Msg::Next],
            Intent::Back => vec![Msg::Back],
            Intent::Up | Intent::Down | Intent::NextField | Intent::PreviousField => {
                self.focus = match self.focus {
                    UserField::Name => UserField::Group,
                    UserField::Group => UserField::Name,
                };
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    pub(crate) fn edit(&mut self, field: UserField, request: InputRequest) -> Vec<Msg> {
        match field {
            UserField::Name => {
                self.name.handle(request);
                vec![Msg::EditUserName(self.name.value().to_string())]
            }
            UserField::Group => {
                self.group.handle(request);
                vec![Msg::EditGroup(Some(self.group.value().to_string()))]
            }
        }
    }
}

pub(crate) fn render(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let setup = &model.setup;
    let form = &model.user;
    let error_for = |field: Field| {
        setup
            .field_error
            .as_ref()
            .filter(|error| error.field == field)
            .map(|error| error.message.as_str())
    };
    let name_error = error_for(Field::UserName);
    let group_error = error_for(Field::Group);
    let width = area.width.saturating_sub(2);
    let error_height = |error: Option<&str>| error.map_or(0, |e| widgets::wrapped_height(e, width));
    let [
        intro,
        name,
        name_error_area,
        group,
        group_error_area,
        notice,
    ] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(error_height(name_error) + 1),
        Constraint::Length(1),
        Constraint::Length(error_height(group_error) + 1),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(
            "The IAM user that will own the new access key. A group is optional; the policies \
             then attach to the group.",
        )
        .style(theme.muted())
        .wrap(Wrap { trim: true }),
        intro,
    );
    TextField {
        label: "User name",
        input: &form.name,
        focused: model.has_keyboard() && form.focus == UserField::Name,
        echo: Echo::Plain,
        placeholder: "e.g. s3-reader",
    }
    .render(theme, frame, name);
    TextField {
        label: "Group",
        input: &form.group,
        focused: model.has_keyboard() && form.focus == UserField::Group,
        echo: Echo::Plain,
        placeholder: "none (optional)",
    }
    .render(theme, frame, group);
    for (error, error_area) in [
        (name_error, name_error_area),
        (group_error, group_error_area),
    ] {
        if let Some(message) = error {
            frame.render_widget(
                Paragraph::new(widgets::field_error_line(message, theme))
                    .wrap(Wrap { trim: false }),
                error_area,
            );
        }
    }
    frame.render_widget(
        Paragraph::new(notice_lines(model, theme)).wrap(Wrap { trim: false }),
        notice,
    );
}

fn notice_lines(model: &WizardModel, theme: Theme) -> Vec<Line<'static>> {
    let setup = &model.setup;
    if setup.waiting.is_some() {
        return vec![Line::from(vec![
            Span::styled(widgets::spinner(model.spinner), theme.focused()),
            Span::raw(" Checking whether they exist…"),
        ])];
    }
    let Some(existing) = setup.existing else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    if existing.user {
        lines.push(Line::from(vec![
            Span::styled("• ", theme.warning()),
            Span::raw(format!(
                "User {} exists: it will be reused, and gets a new access key.",
                setup.answers.user_name
            )),
        ]));
    }
    if existing.group
        && let Some(group) = &setup.answers.group
    {
        lines.push(Line::from(vec![
            Span::styled("• ", theme.warning()),
            Span::raw(format!("Group {group} exists: it will be reused.")),
        ]));
    }
    if !lines.is_empty() {
        lines.push(Line::styled(
            "Enter goes on with what exists; or change the name above.",
            theme.muted(),
        ));
    }
    lines
}
