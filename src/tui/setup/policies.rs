//! The Policies screen: a multi-select over the AWS managed policies with a fuzzy filter as
//! you type. The preset's policies come pre-selected; policies that grant full control are
//! flagged; optional preset policies this account lacks are reported.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};
use tui_input::{Input, InputRequest};

use super::model::{Intent, WizardModel};
use crate::flows::setup::{Msg, Setup, Step, grants_full_control};
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, Echo, TextField};

/// One policy the picker can show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PolicyRow {
    pub(crate) name: String,
    pub(crate) arn: String,
}

impl AsRef<str> for PolicyRow {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

/// The filter, the rows it lets through, and the highlighted row.
#[derive(Default)]
pub(crate) struct PolicyPicker {
    pub(crate) filter: Input,
    pub(crate) cursor: usize,
    pub(crate) rows: Vec<PolicyRow>,
    /// How many policies there are before filtering.
    pub(crate) total: usize,
}

impl PolicyPicker {
    /// Rebuilds the rows from the catalog, the selection and the filter. Called when one of
    /// the first and last changes, not on a toggle, so a ticked row stays where it is.
    pub(crate) fn refresh(&mut self, setup: &Setup) {
        let mut candidates: Vec<PolicyRow> = setup
            .answers
            .policies
            .iter()
            .map(|policy| PolicyRow {
                name: policy.name().to_string(),
                arn: policy.arn.clone(),
            })
            .collect();
        let mut catalog: Vec<PolicyRow> = setup
            .catalog
            .iter()
            .flatten()
            .filter(|policy| !candidates.iter().any(|row| row.arn == policy.arn))
            .map(|policy| PolicyRow {
                name: policy.name.clone(),
                arn: policy.arn.clone(),
            })
            .collect();
        catalog.sort_by(|a, b| a.name.cmp(&b.name));
        candidates.extend(catalog);
        self.total = candidates.len();
        let filter = self.filter.value().trim();
        self.rows = if filter.is_empty() {
            candidates
        } else {
            let mut matcher = Matcher::new(Config::DEFAULT);
            Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart)
                .match_list(candidates, &mut matcher)
                .into_iter()
                .map(|(row, _score)| row)
                .collect()
        };
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    /// The catalog is on its way: the step asked for it and neither it nor an error came back.
    pub(crate) fn is_loading(&self, setup: &Setup) -> bool {
        setup.step == Step::Policies && setup.catalog.is_none() && setup.problem.is_none()
    }

    pub(crate) fn on_intent(&mut self, intent: Intent, setup: &Setup) -> Vec<Msg> {
        match intent {
            Intent::Next => vec![Msg::Next],
            Intent::Back if !self.filter.value().is_empty() => {
                self.filter = Input::default();
                self.cursor = 0;
                self.refresh(setup);
                Vec::new()
            }
            Intent::Back => vec![Msg::Back],
            Intent::Toggle => self
                .rows
                .get(self.cursor)
                .map(|row| vec![Msg::TogglePolicy(row.arn.clone())])
                .unwrap_or_default(),
            _ => {
                self.cursor = widgets::move_cursor(self.cursor, self.rows.len(), intent, 10);
                Vec::new()
            }
        }
    }

    pub(crate) fn edit_filter(&mut self, request: InputRequest, setup: &Setup) {
        if self
            .filter
            .handle(request)
            .is_some_and(|changed| changed.value)
        {
            self.cursor = 0;
            self.refresh(setup);
        }
    }
}

pub(crate) fn render(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let setup = &model.setup;
    let picker = &model.policies;
    let footer = footer_lines(model, theme);
    let footer_height = widgets::lines_height(&footer, area.width);
    let [filter_area, list_area, footer_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(footer_height),
    ])
    .areas(area);
    let [filter_row, _] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(filter_area);
    let counts = format!(
        "{} of {} · {} selected",
        picker.rows.len(),
        picker.total,
        setup.answers.policies.len()
    );
    let counts_width = u16::try_from(counts.chars().count()).unwrap_or(u16::MAX);
    let [filter_field, counts_area] =
        Layout::horizontal([Constraint::Min(20), Constraint::Length(counts_width)])
            .spacing(1)
            .areas(filter_row);
    TextField {
        label: "Filter",
        input: &picker.filter,
        focused: model.has_keyboard(),
        echo: Echo::Plain,
        placeholder: "type to filter",
    }
    .render(theme, frame, filter_field);
    frame.render_widget(
        Line::styled(counts, theme.muted()).right_aligned(),
        counts_area,
    );
    let items: Vec<ListItem> = picker
        .rows
        .iter()
        .map(|row| ListItem::new(row_line(row, setup, theme)))
        .collect();
    if items.is_empty() {
        frame.render_widget(
            Line::styled("No policy matches the filter.", theme.muted()),
            list_area,
        );
    } else {
        let mut state = ListState::default().with_selected(Some(picker.cursor));
        frame.render_stateful_widget(
            List::new(items)
                .highlight_style(theme.selected())
                .highlight_symbol("› "),
            list_area,
            &mut state,
        );
    }
    frame.render_widget(
        Paragraph::new(footer).wrap(Wrap { trim: false }),
        footer_area,
    );
}

fn row_line(row: &PolicyRow, setup: &Setup, theme: Theme) -> Line<'static> {
    let selected = setup.answers.policies.iter().any(|p| p.arn == row.arn);
    let mut spans = vec![
        if selected {
            Span::styled("[✓] ", theme.ok())
        } else {
            Span::raw("[ ] ")
        },
        Span::raw(row.name.clone()),
    ];
    if grants_full_control(&row.arn) {
        spans.push(Span::styled("  ⚠ full control", theme.warning()));
    }
    Line::from(spans)
}

/// Under the list: progress, the highlighted policy's ARN, what was skipped, and errors.
fn footer_lines(model: &WizardModel, theme: Theme) -> Vec<Line<'static>> {
    let setup = &model.setup;
    let picker = &model.policies;
    let mut lines = Vec::new();
    if picker.is_loading(setup) {
        lines.push(Line::from(vec![
            Span::styled(widgets::spinner(model.spinner), theme.focused()),
            Span::raw(" Loading the AWS managed policies…"),
        ]));
    } else if setup.waiting.is_some() {
        lines.push(Line::from(vec![
            Span::styled(widgets::spinner(model.spinner), theme.focused()),
            Span::raw(" Checking that the policies exist in this account…"),
        ]));
    } else if let Some(row) = picker.rows.get(picker.cursor) {
        let description = setup
            .catalog
            .iter()
            .flatten()
            .find(|policy| policy.arn == row.arn)
            .and_then(|policy| policy.description.clone());
        lines.push(Line::styled(
            description.unwrap_or_else(|| row.arn.clone()),
            theme.muted(),
        ));
        if grants_full_control(&row.arn) {
            lines.push(Line::from(vec![
                Span::styled("⚠ ", theme.warning()),
                Span::raw(format!(
                    "{} grants full control of the account: anyone with the key can do anything.",
                    row.name
                )),
            ]));
        }
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
    if let Some(error) = &setup.field_error {
        lines.push(widgets::field_error_line(&error.message, theme));
    }
    lines
}
