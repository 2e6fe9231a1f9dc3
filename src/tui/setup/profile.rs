//! The Profile screen: the profile's name, region and output format, defaulted from the preset,
//! and, when the profile exists already, the confirmation that the new key replaces its keys.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::{Input, InputRequest};

use super::model::{Intent, ProfileField, WizardModel, input_with, sync_input};
use crate::flows::setup::{Field, Msg, Setup};
use crate::presets::OUTPUT_FORMATS;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, Echo, LABEL_WIDTH, TextField};

pub(crate) struct ProfileForm {
    pub(crate) name: Input,
    pub(crate) region: Input,
    pub(crate) focus: ProfileField,
}

/// Whether to ask about replacing: the preview found the profile, or the machine asked.
pub(crate) fn asks_to_replace(setup: &Setup) -> bool {
    setup.preview.as_ref().is_some_and(|p| p.profile_exists)
        || setup
            .field_error
            .as_ref()
            .is_some_and(|e| e.field == Field::ReplaceProfile)
}

impl ProfileForm {
    pub(crate) fn new(setup: &Setup) -> ProfileForm {
        ProfileForm {
            name: input_with(&setup.answers.profile),
            region: input_with(setup.answers.region.as_deref().unwrap_or_default()),
            focus: ProfileField::Name,
        }
    }

    pub(crate) fn sync(&mut self, setup: &Setup) {
        sync_input(&mut self.name, &setup.answers.profile);
        sync_input(
            &mut self.region,
            setup.answers.region.as_deref().unwrap_or_default(),
        );
        if self.focus == ProfileField::Replace && !asks_to_replace(setup) {
            self.focus = ProfileField::Name;
        }
    }

    fn fields(setup: &Setup) -> Vec<ProfileField> {
        let mut fields = vec![
            ProfileField::Name,
            ProfileField::Region,
            ProfileField::Output,
        ];
        if asks_to_replace(setup) {
            fields.push(ProfileField::Replace);
        }
        fields
    }

    pub(crate) fn on_intent(&mut self, intent: Intent, setup: &Setup) -> Vec<Msg> {
        let fields = ProfileForm::fields(setup);
        let index = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        match (intent, self.focus) {
            (Intent::Next, _) => vec![Msg::Next],
            (Intent::Back, _) => vec![Msg::Back],
            (Intent::Down | Intent::NextField, _) => {
                self.focus = fields[(index + 1) % fields.len()];
                Vec::new()
            }
            (Intent::Up | Intent::PreviousField, _) => {
                self.focus = fields[(index + fields.len() - 1) % fields.len()];
                Vec::new()
            }
            (Intent::Toggle | Intent::ChoiceNext, ProfileField::Output) => {
                vec![Msg::EditOutput(cycle_output(
                    setup.answers.output.as_deref(),
                    1,
                ))]
            }
            (Intent::ChoicePrevious, ProfileField::Output) => {
                vec![Msg::EditOutput(cycle_output(
                    setup.answers.output.as_deref(),
                    OUTPUT_FORMATS.len(),
                ))]
            }
            (Intent::Toggle, ProfileField::Replace) => {
                vec![Msg::ReplaceProfile(!setup.answers.replace_profile)]
            }
            _ => Vec::new(),
        }
    }

    pub(crate) fn edit(
        &mut self,
        field: ProfileField,
        request: InputRequest,
        setup: &Setup,
    ) -> Vec<Msg> {
        match field {
            ProfileField::Name => {
                self.name.handle(request);
                let mut messages = vec![Msg::EditProfile(self.name.value().to_string())];
                // A "yes, replace" given for one profile name is no answer for another.
                if setup.answers.replace_profile {
                    messages.push(Msg::ReplaceProfile(false));
                }
                messages
            }
            ProfileField::Region => {
                self.region.handle(request);
                vec![Msg::EditRegion(Some(self.region.value().to_string()))]
            }
            ProfileField::Output | ProfileField::Replace => Vec::new(),
        }
    }
}

/// The output format `step` places after `current` in the cycle none → json → … → table.
fn cycle_output(current: Option<&str>, step: usize) -> Option<String> {
    let choices = OUTPUT_FORMATS.len() + 1;
    let index = current
        .and_then(|c| OUTPUT_FORMATS.iter().position(|f| *f == c))
        .map_or(0, |i| i + 1);
    match (index + step) % choices {
        0 => None,
        i => Some(OUTPUT_FORMATS[i - 1].to_string()),
    }
}

pub(crate) fn render(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let setup = &model.setup;
    let form = &model.profile;
    let width = area.width.saturating_sub(2);
    let error_for = |field: Field| {
        setup
            .field_error
            .as_ref()
            .filter(|error| error.field == field)
            .map(|error| error.message.as_str())
    };
    let error_height =
        |field: Field| error_for(field).map_or(0, |e| widgets::wrapped_height(e, width));
    let replace_height = if asks_to_replace(setup) { 1 } else { 0 };
    let [
        intro,
        name,
        name_error,
        region,
        region_error,
        output,
        output_error,
        replace,
        replace_error,
        status,
    ] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(error_height(Field::ProfileName)),
        Constraint::Length(1),
        Constraint::Length(error_height(Field::Region)),
        Constraint::Length(1),
        Constraint::Length(error_height(Field::Output)),
        Constraint::Length(replace_height),
        Constraint::Length(error_height(Field::ReplaceProfile)),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(
            "The profile your tools will use, in your AWS config and credentials files.",
        )
        .style(theme.muted())
        .wrap(Wrap { trim: true }),
        intro,
    );
    TextField {
        label: "Profile name",
        input: &form.name,
        focused: model.has_keyboard() && form.focus == ProfileField::Name,
        echo: Echo::Plain,
        placeholder: "e.g. s3-reader",
    }
    .render(theme, frame, name);
    TextField {
        label: "Region",
        input: &form.region,
        focused: model.has_keyboard() && form.focus == ProfileField::Region,
        echo: Echo::Plain,
        placeholder: "none: tools use their own default",
    }
    .render(theme, frame, region);
    render_output(model, theme, frame, output);
    if replace_height > 0 {
        render_replace(model, theme, frame, replace);
    }
    for (field, error_area) in [
        (Field::ProfileName, name_error),
        (Field::Region, region_error),
        (Field::Output, output_error),
        (Field::ReplaceProfile, replace_error),
    ] {
        if let Some(message) = error_for(field) {
            frame.render_widget(
                Paragraph::new(widgets::field_error_line(message, theme))
                    .wrap(Wrap { trim: false }),
                error_area,
            );
        }
    }
    let mut lines = vec![Line::default()];
    if setup.waiting.is_some() {
        lines.push(Line::from(vec![
            Span::styled(widgets::spinner(model.spinner), theme.focused()),
            Span::raw(" Working out the change to your files…"),
        ]));
    }
    if !setup.unavailable.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("⚠ ", theme.warning()),
            Span::raw(format!(
                "Not in this account, so skipped (optional): {}",
                setup.unavailable.join(", ")
            )),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), status);
}

fn render_output(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let focused = model.profile.focus == ProfileField::Output;
    let [label, value] =
        Layout::horizontal([Constraint::Length(LABEL_WIDTH), Constraint::Min(1)]).areas(area);
    frame.render_widget(
        Line::from(vec![
            Span::styled(if focused { "› " } else { "  " }, theme.focused()),
            Span::styled(
                "Output",
                if focused {
                    theme.focused()
                } else {
                    theme.text()
                },
            ),
        ]),
        label,
    );
    let current = model.setup.answers.output.as_deref();
    let value_style = if focused {
        theme.selected()
    } else {
        theme.text()
    };
    let mut spans = vec![Span::styled(
        format!("‹ {} ›", current.unwrap_or("none")),
        value_style,
    )];
    if current.is_none() {
        spans.push(Span::styled(" tools use their own default", theme.muted()));
    }
    frame.render_widget(Line::from(spans), value);
}

fn render_replace(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let focused = model.profile.focus == ProfileField::Replace;
    let checked = model.setup.answers.replace_profile;
    frame.render_widget(
        Line::from(vec![
            Span::styled(if focused { "› " } else { "  " }, theme.focused()),
            Span::styled(
                if checked { "[✓]" } else { "[ ]" },
                if focused {
                    theme.selected()
                } else {
                    theme.warning()
                },
            ),
            Span::raw(" Replace its keys (the file is backed up first)"),
        ]),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_cycles_through_none_and_every_format() {
        assert_eq!(cycle_output(None, 1).as_deref(), Some("json"));
        assert_eq!(cycle_output(Some("table"), 1), None);
        assert_eq!(
            cycle_output(None, OUTPUT_FORMATS.len()).as_deref(),
            Some("table")
        );
    }
}
