//! The Run screen: one line per step of the plan, each pending, running (spinner), done (✓) or
//! failed (✗). A failure's problem panel is drawn by the shell; Enter retries.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, Paragraph, Wrap};

use super::model::WizardModel;
use crate::flows::setup::{RunItem, Status};
use crate::tui::theme::Theme;
use crate::tui::widgets;

pub(crate) fn render(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let items: Vec<ListItem> = model
        .setup
        .run
        .iter()
        .map(|item| ListItem::new(item_line(item, model.spinner, theme)))
        .collect();
    let list_height = u16::try_from(items.len()).unwrap_or(u16::MAX);
    let [list_area, note_area] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Min(0)])
            .spacing(1)
            .areas(area);
    frame.render_widget(List::new(items), list_area);
    let note = if model.run_failed() {
        "Steps marked ✓ stay in AWS: nothing is undone by itself."
    } else {
        "Each step is journalled: if this is interrupted, `credwiz setup --resume` finishes it \
         and `credwiz setup --rollback` undoes it."
    };
    let mut lines = Vec::new();
    if model.setup.waiting.is_some() {
        lines.push(Line::from(vec![
            Span::styled(widgets::spinner(model.spinner), theme.focused()),
            Span::raw(" Starting the run's journal…"),
        ]));
    }
    lines.push(Line::styled(note, theme.muted()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), note_area);
}

fn item_line(item: &RunItem, spinner: usize, theme: Theme) -> Line<'static> {
    let label = item.action.label();
    match &item.status {
        Status::Pending => Line::from(vec![
            Span::styled("· ", theme.muted()),
            Span::styled(label, theme.muted()),
        ]),
        Status::Running(_) => Line::from(vec![
            Span::styled(format!("{} ", widgets::spinner(spinner)), theme.focused()),
            Span::styled(label, theme.focused()),
        ]),
        Status::Done => Line::from(vec![Span::styled("✓ ", theme.ok()), Span::raw(label)]),
        Status::Failed(_) => Line::from(vec![
            Span::styled("✗ ", theme.error()),
            Span::styled(label, theme.error()),
        ]),
    }
}
