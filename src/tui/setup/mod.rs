//! The setup wizard's screens: the model wrapping the `Setup` state machine, one view module
//! per step, and the shell around them (title, step list, problem panel, hint bar, overlays).
//!
//! [`view`] is a pure function of the model: it reads it and draws, nothing more.

mod account;
mod done;
mod model;
mod policies;
mod preset;
mod profile;
mod review;
mod run;
mod user;

pub use model::{
    Focus, Intent, Overlay, PasteField, ProfileField, Quitting, SetupOutcome, UiEffect, UiMsg,
    UserField, WizardModel,
};

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Padding, Paragraph, Wrap};

use super::keymap;
use super::theme::Theme;
use super::widgets::{self, MIN_HEIGHT, MIN_WIDTH, SIDEBAR_WIDTH};
use crate::flows::setup::Step;

/// Below this width the step list becomes one line above the screen.
const SIDEBAR_MIN_WIDTH: u16 = 76;

/// Where the parts of the wizard go on a terminal of `area`'s size.
pub(crate) struct Areas {
    title: Rect,
    steps: Rect,
    /// The steps as a list on the left (wide terminals) or a line on top (narrow ones).
    steps_as_list: bool,
    screen: Rect,
    pub(crate) screen_inner: Rect,
    hints: Rect,
}

fn screen_block(title: Span<'static>, theme: Theme) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border())
        .padding(Padding::horizontal(1))
        .title(title)
}

pub(crate) fn layout(area: Rect) -> Areas {
    let [title, body, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let steps_as_list = area.width >= SIDEBAR_MIN_WIDTH;
    let (steps, screen) = if steps_as_list {
        let [steps, screen] =
            Layout::horizontal([Constraint::Length(SIDEBAR_WIDTH), Constraint::Min(0)]).areas(body);
        (steps, screen)
    } else {
        let [steps, screen] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
        (steps, screen)
    };
    let screen_inner = screen_block(Span::raw(""), Theme::monochrome()).inner(screen);
    Areas {
        title,
        steps,
        steps_as_list,
        screen,
        screen_inner,
        hints,
    }
}

/// Draws the whole wizard.
pub fn view(model: &WizardModel, theme: Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        widgets::render_too_small(frame, area, theme);
        return;
    }
    let areas = layout(area);
    render_title(model, theme, frame, areas.title);
    if areas.steps_as_list {
        render_step_list(model, theme, frame, areas.steps);
    } else {
        render_step_line(model, theme, frame, areas.steps);
    }
    let step = model.setup.step;
    frame.render_widget(
        screen_block(
            Span::styled(format!(" {} ", step.title()), theme.focused()),
            theme,
        ),
        areas.screen,
    );
    let mut content = areas.screen_inner;
    if let Some(problem) = &model.setup.problem {
        let height = widgets::problem_height(problem, content.width).min(content.height * 2 / 3);
        let [rest, panel] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(height)]).areas(content);
        widgets::render_problem(problem, theme, frame, panel);
        content = rest;
    }
    match step {
        Step::Preset => preset::render(model, theme, frame, content),
        Step::Account => account::render(model, theme, frame, content),
        Step::User => user::render(model, theme, frame, content),
        Step::Policies => policies::render(model, theme, frame, content),
        Step::Profile => profile::render(model, theme, frame, content),
        Step::Review => review::render(model, theme, frame, content),
        Step::Run => run::render(model, theme, frame, content),
        Step::Done => done::render(model, theme, frame, content),
    }
    frame.render_widget(
        widgets::hint_line(&keymap::hints(model), theme),
        areas.hints,
    );
    render_overlay(model, theme, frame, areas.screen);
}

fn render_title(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(" credwiz setup", theme.title())];
    if let Some(preset) = model.setup.preset() {
        spans.push(Span::styled(
            format!("  ·  {}", preset.title),
            theme.muted(),
        ));
    }
    frame.render_widget(Line::from(spans), area);
}

/// The marker and style of each step: ✓ behind, › here (✗ if the run failed), blank ahead.
fn step_marker(
    model: &WizardModel,
    step: Step,
    theme: Theme,
) -> (&'static str, ratatui::style::Style) {
    let current = model.setup.step;
    if step < current {
        ("✓", theme.ok())
    } else if step == current && step == Step::Run && model.run_failed() {
        ("✗", theme.error().patch(theme.selected()))
    } else if step == current {
        ("›", theme.selected())
    } else {
        (" ", theme.muted())
    }
}

fn render_step_list(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let rows = Step::ALL.iter().map(|step| {
        let (marker, style) = step_marker(model, *step, theme);
        (marker, style, step.title())
    });
    widgets::render_step_list(rows, theme, frame, area);
}

fn render_step_line(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let current = model.setup.step;
    let position = Step::ALL.iter().position(|s| *s == current).unwrap_or(0) + 1;
    let mut spans = vec![Span::styled(
        format!(" Step {position} of {}  ", Step::ALL.len()),
        theme.muted(),
    )];
    for step in Step::ALL {
        let (marker, style) = step_marker(model, step, theme);
        let marker = if marker == " " { "·" } else { marker };
        spans.push(Span::styled(marker, style));
    }
    spans.push(Span::styled(
        format!("  {}", current.title()),
        theme.focused(),
    ));
    frame.render_widget(Line::from(spans), area);
}

fn render_overlay(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    match (model.overlay(), model.quitting()) {
        (Some(Overlay::Help), _) => render_help(model, theme, frame, area),
        (Some(Overlay::ConfirmQuit), _) => {
            let completed = model.completed_actions();
            let nothing_made = completed.is_empty();
            let mut lines = vec![Line::styled(
                if nothing_made {
                    "The run has started, though nothing was created in AWS yet."
                } else {
                    "Steps of this run were already made in AWS:"
                },
                theme.warning(),
            )];
            for action in completed {
                lines.push(Line::from(vec![
                    Span::styled("  ✓ ", theme.ok()),
                    Span::raw(action.label()),
                ]));
            }
            lines.push(Line::default());
            lines.push(Line::raw(if nothing_made {
                "Finish it later with `credwiz setup --resume`, or drop it with `credwiz setup \
                 --rollback`."
            } else {
                "Quitting keeps them. Finish later with `credwiz setup --resume`, or undo them \
                 with `credwiz setup --rollback`."
            }));
            lines.push(Line::default());
            lines.push(question_keys("quit", "stay", theme));
            render_question(" Quit now? ", lines, theme, frame, area);
        }
        (Some(Overlay::ConfirmHaveIt), _) => {
            let profile = &model.setup.answers.profile;
            let lines = vec![
                Line::raw("Have you stored the secret access key where you need it?"),
                Line::default(),
                Line::styled(
                    format!(
                        "It stays in profile {profile}; the wizard will not show it again \
                         (`credwiz show {profile} --reveal` prints it)."
                    ),
                    theme.muted(),
                ),
                Line::default(),
                question_keys("I have it", "not yet", theme),
            ];
            render_question(" I have it ", lines, theme, frame, area);
        }
        (None, Quitting::WhenSettled) => {
            let lines = vec![
                Line::from(vec![
                    Span::styled(widgets::spinner(model.spinner), theme.focused()),
                    Span::raw(" Letting the steps already sent to AWS finish, so nothing is lost…"),
                ]),
                Line::default(),
                Line::styled("Ctrl-C again quits at once.", theme.muted()),
            ];
            render_question(" Quitting ", lines, theme, frame, area);
        }
        _ => {}
    }
}

fn question_keys(yes: &'static str, no: &'static str, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled("Enter", theme.key()),
        Span::raw(format!(" {yes}    ")),
        Span::styled("Esc", theme.key()),
        Span::raw(format!(" {no}")),
    ])
}

fn render_question(
    title: &'static str,
    lines: Vec<Line<'static>>,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let width = area.width.saturating_sub(4).min(64);
    let text_width = width.saturating_sub(4);
    let height = widgets::lines_height(&lines, text_width) + 2;
    let inner = widgets::popup(
        frame,
        area,
        width,
        height,
        Span::styled(title, theme.focused()),
        theme,
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn render_help(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let rows = keymap::help(model);
    let key_width = rows
        .iter()
        .map(|(keys, _)| keys.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(keys, help)| {
            Line::from(vec![
                Span::styled(format!("{keys:<key_width$}"), theme.key()),
                Span::raw(help),
            ])
        })
        .collect();
    let height = u16::try_from(lines.len()).unwrap_or(u16::MAX) + 2;
    let inner = widgets::popup(
        frame,
        area,
        area.width.saturating_sub(2).min(64),
        height,
        Span::styled(" Keys (Esc closes) ", theme.focused()),
        theme,
    );
    frame.render_widget(Paragraph::new(lines), inner);
}
