//! The Preset screen: the built-in and user presets, plus "custom", with the highlighted one
//! described in full.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use super::model::{Intent, WizardModel};
use crate::flows::setup::{Msg, Setup, grants_full_control};
use crate::presets::Preset;
use crate::tui::theme::Theme;
use crate::tui::widgets;

/// The highlighted row: a preset's index, or `presets.len()` for "custom".
#[derive(Clone, Debug, Default)]
pub(crate) struct PresetPicker {
    pub(crate) cursor: usize,
}

impl PresetPicker {
    /// Highlights the preset already chosen; "custom" when answers were given without one.
    pub(crate) fn new(setup: &Setup) -> PresetPicker {
        let custom = setup.presets.len();
        let cursor = match &setup.answers.preset {
            Some(id) => setup.presets.iter().position(|p| &p.id == id).unwrap_or(0),
            None if !setup.answers.user_name.is_empty() || !setup.answers.policies.is_empty() => {
                custom
            }
            None => 0,
        };
        PresetPicker { cursor }
    }

    fn choice<'a>(&self, setup: &'a Setup) -> Option<&'a Preset> {
        setup.presets.get(self.cursor)
    }

    pub(crate) fn on_intent(&mut self, intent: Intent, setup: &Setup) -> Vec<Msg> {
        let rows = setup.presets.len() + 1;
        match intent {
            Intent::Next => {
                let chosen = self.choice(setup).map(|p| p.id.clone());
                let mut messages = Vec::new();
                // Picking the preset again would overwrite answers given by flags.
                if chosen != setup.answers.preset {
                    messages.push(Msg::PickPreset(chosen));
                }
                messages.push(Msg::Next);
                messages
            }
            _ => {
                self.cursor = widgets::move_cursor(self.cursor, rows, intent, 5);
                Vec::new()
            }
        }
    }
}

pub(crate) fn render(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let setup = &model.setup;
    let picker = &model.preset;
    let mut items: Vec<ListItem> = setup
        .presets
        .iter()
        .map(|preset| {
            ListItem::new(Line::from(vec![
                Span::styled(format!("{:<28}", preset.title), theme.text()),
                Span::styled(format!(" {} ", preset.id), theme.muted()),
                Span::styled(format!("({})", preset.source.label()), theme.muted()),
            ]))
        })
        .collect();
    items.push(ListItem::new(Line::from(vec![
        Span::styled(format!("{:<28}", "Custom"), theme.text()),
        Span::styled(" your own answers", theme.muted()),
    ])));
    let list_height = u16::try_from(items.len())
        .unwrap_or(u16::MAX)
        .min(area.height / 2);
    let [intro, list_area, detail] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(list_height),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new("What is the key for? A preset fills in every answer; you can change them.")
            .style(theme.muted())
            .wrap(Wrap { trim: true }),
        intro,
    );
    let mut state = ListState::default().with_selected(Some(picker.cursor));
    frame.render_stateful_widget(
        List::new(items)
            .highlight_style(theme.selected())
            .highlight_symbol("› "),
        list_area,
        &mut state,
    );
    let mut detail_lines = describe(picker.choice(setup), theme);
    if let Some(error) = &setup.field_error {
        detail_lines.push(Line::default());
        detail_lines.push(widgets::field_error_line(&error.message, theme));
    }
    frame.render_widget(
        Paragraph::new(detail_lines).wrap(Wrap { trim: false }),
        detail.inner(Margin::new(0, 1)),
    );
}

/// The highlighted preset in full: what it creates and where the key goes.
fn describe(preset: Option<&Preset>, theme: Theme) -> Vec<Line<'static>> {
    let Some(preset) = preset else {
        return vec![Line::styled(
            "You choose the user, group, policies and profile on the next screens.",
            theme.text(),
        )];
    };
    let policies: Vec<Span> = preset
        .policies
        .iter()
        .enumerate()
        .flat_map(|(index, policy)| {
            let mut spans = Vec::new();
            if index > 0 {
                spans.push(Span::raw(", "));
            }
            spans.push(Span::raw(policy.name().to_string()));
            if policy.optional {
                spans.push(Span::styled(" (optional)", theme.muted()));
            }
            if grants_full_control(&policy.arn()) {
                spans.push(Span::styled(" ⚠ full control", theme.warning()));
            }
            spans
        })
        .collect();
    let mut lines = vec![
        Line::styled(preset.description.clone(), theme.text()),
        Line::default(),
        widgets::label_line("User", &preset.user_name, theme),
    ];
    if let Some(group) = &preset.group {
        lines.push(widgets::label_line("Group", group, theme));
    }
    let mut policy_line = vec![Span::styled(format!("{:<10}", "Policies"), theme.muted())];
    policy_line.extend(policies);
    lines.push(Line::from(policy_line));
    lines.push(widgets::label_line("Profile", &preset.profile, theme));
    if let Some(region) = &preset.region {
        lines.push(widgets::label_line("Region", region, theme));
    }
    lines
}
