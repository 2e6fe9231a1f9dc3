//! The rotation screens for `credwiz rotate NAME` on a terminal, in the setup wizard's look: a
//! step list, the key table, the choice about a second key, the plan, progress per step with
//! the problem panel, and a summary.
//!
//! The model wraps the pure [`Rotation`] machine; the loop reuses the wizard's terminal session
//! and signal handling, and hands the machine's effects to the [`RotationRunner`] in order.
//! q and Ctrl-C leave at once before the run; during it they tell the machine, which stops
//! where the files hold the old key or a verified new key (`Rotation::is_safe_to_stop`).

mod keys;
mod model;
mod screens;

#[cfg(test)]
mod tests;

pub use keys::{BINDINGS, Binding, Situation, help, hints, to_msg};
pub use model::{Intent, RotateModel, UiMsg};

use anyhow::Context as _;
use futures::{FutureExt as _, StreamExt as _};
use ratatui::crossterm::event::{Event, EventStream};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Padding, Paragraph, Wrap};
use ratatui::{DefaultTerminal, Frame};
use tokio::sync::mpsc;

use super::theme::Theme;
use super::widgets::{self, MIN_HEIGHT, MIN_WIDTH, SIDEBAR_WIDTH};
use super::{SPINNER_INTERVAL, TerminalSession, signals};
use crate::flows::rotate::{Msg, Problem, Rotation, Step};
use crate::runner::RotationRunner;

const SIDEBAR_MIN_WIDTH: u16 = 76;

/// Runs one rotation on the terminal, from its first `Msg::Next`, and returns the machine as it
/// ended (its `step`, `outcome` and `problem` say how).
pub async fn run_rotation(
    rotation: Rotation,
    runner: RotationRunner,
    no_color: bool,
) -> anyhow::Result<Rotation> {
    let theme = Theme::new(no_color);
    let mut model = RotateModel::new(rotation);
    let mut session = TerminalSession::start().context("could not prepare the terminal")?;
    let result = event_loop(&mut session.terminal, &mut model, &runner, theme).await;
    drop(session);
    result.map(|()| model.rotation)
}

/// A batch of effects performed: a message, or the batch's end (`None`), or a panic.
enum Done {
    Msg(Msg),
    BatchEnd,
    Panicked,
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    model: &mut RotateModel,
    runner: &RotationRunner,
    theme: Theme,
) -> anyhow::Result<()> {
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let mut events = EventStream::new();
    let mut input_open = true;
    let mut clock = tokio::time::interval(SPINNER_INTERVAL);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut signals = signals::Signals::new().context("could not listen for signals")?;
    let mut pending = model.rotation.update(Msg::Next);
    loop {
        if !pending.is_empty() {
            // One task per batch, in order: a batch's journal starts before its first step.
            let batch = std::mem::take(&mut pending);
            let runner = runner.clone();
            let done_tx = done_tx.clone();
            tokio::spawn(async move {
                for effect in batch {
                    let outcome = std::panic::AssertUnwindSafe(runner.perform(effect))
                        .catch_unwind()
                        .await;
                    match outcome {
                        Ok(Some(msg)) => {
                            let _ = done_tx.send(Done::Msg(msg));
                        }
                        Ok(None) => {}
                        Err(_) => {
                            let _ = done_tx.send(Done::Panicked);
                            return;
                        }
                    }
                }
                let _ = done_tx.send(Done::BatchEnd);
            });
        }
        if model.quitting() {
            return Ok(());
        }
        terminal.draw(|frame| view(model, theme, frame))?;
        let msg = tokio::select! {
            event = events.next(), if input_open => match event {
                Some(Ok(event)) => ui_msg(&event, model),
                Some(Err(error)) => return Err(error).context("could not read the terminal"),
                None => {
                    input_open = false;
                    Some(UiMsg::Terminate)
                }
            },
            Some(done) = done_rx.recv() => match done {
                Done::Msg(msg) => Some(UiMsg::Result(msg)),
                Done::BatchEnd => None,
                Done::Panicked => anyhow::bail!(
                    "an internal error stopped the rotation{}",
                    if model.rotation.has_started_run() {
                        "; finish it with `credwiz rotate --resume`"
                    } else {
                        "; nothing was changed"
                    }
                ),
            },
            _ = clock.tick() => model.is_animating().then_some(UiMsg::Tick),
            () = signals.recv() => Some(UiMsg::Terminate),
        };
        if let Some(msg) = msg {
            pending = model.update(msg);
        }
    }
}

/// What a terminal event means to the model.
fn ui_msg(event: &Event, model: &RotateModel) -> Option<UiMsg> {
    match event {
        Event::Key(key) => to_msg(key, model),
        Event::Resize(..) => Some(UiMsg::Resize),
        _ => None,
    }
}

/// The steps shown in the step list; the second-key step only when there is a second key.
fn steps(model: &RotateModel) -> Vec<Step> {
    let mut steps = vec![Step::Inspect];
    if model.rotation.other_key().is_some() {
        steps.push(Step::OtherKey);
    }
    steps.extend([Step::Review, Step::Run, Step::Done]);
    steps
}

fn title(step: Step) -> &'static str {
    match step {
        Step::Inspect => "Keys",
        Step::OtherKey => "Second key",
        Step::Review => "Review",
        Step::Run => "Rotate",
        Step::Done => "Summary",
    }
}

fn screen_block(title: Span<'static>, theme: Theme) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border())
        .padding(Padding::horizontal(1))
        .title(title)
}

/// Draws the rotation screens: title, steps, the current screen, its problem, the hint bar and
/// the help overlay.
pub fn view(model: &RotateModel, theme: Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        widgets::render_too_small(frame, area, theme);
        return;
    }
    let [title_area, body, hints_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let rotation = &model.rotation;
    frame.render_widget(
        Line::from(vec![
            Span::styled(" credwiz rotate", theme.title()),
            Span::styled(
                format!("  ·  profile {}", rotation.options.profile),
                theme.muted(),
            ),
        ]),
        title_area,
    );
    let screen = if area.width >= SIDEBAR_MIN_WIDTH {
        let [steps_area, screen] =
            Layout::horizontal([Constraint::Length(SIDEBAR_WIDTH), Constraint::Min(0)]).areas(body);
        render_step_list(model, theme, frame, steps_area);
        screen
    } else {
        let [steps_area, screen] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
        render_step_line(model, theme, frame, steps_area);
        screen
    };
    let block = screen_block(
        Span::styled(format!(" {} ", title(rotation.step)), theme.focused()),
        theme,
    );
    let mut content = block.inner(screen);
    frame.render_widget(block, screen);
    if let Some(problem) = &rotation.problem {
        let height = problem_height(problem, content.width).min(content.height * 2 / 3);
        let [rest, panel] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(height)]).areas(content);
        render_problem(problem, theme, frame, panel);
        content = rest;
    }
    match rotation.step {
        Step::Inspect => screens::render_inspect(model, theme, frame, content),
        Step::OtherKey => screens::render_other_key(model, theme, frame, content),
        Step::Review => screens::render_review(model, theme, frame, content),
        Step::Run => screens::render_run(model, theme, frame, content),
        Step::Done => screens::render_done(model, theme, frame, content),
    }
    frame.render_widget(widgets::hint_line(&hints(model), theme), hints_area);
    if model.help {
        render_help(model, theme, frame, screen);
    }
}

fn step_marker(
    model: &RotateModel,
    step: Step,
    theme: Theme,
) -> (&'static str, ratatui::style::Style) {
    let rotation = &model.rotation;
    let current = rotation.step;
    // Only steps actually gone through are ticked: a rotation stopped early skips the rest.
    let gone_through = match step {
        Step::Inspect => rotation.now.is_some(),
        Step::OtherKey => rotation.delete_other.is_some(),
        Step::Review | Step::Run => rotation.has_started_run(),
        Step::Done => false,
    };
    if step < current && gone_through {
        ("✓", theme.ok())
    } else if step == current && step == Step::Run && model.run_failed() {
        ("✗", theme.error().patch(theme.selected()))
    } else if step == current {
        ("›", theme.selected())
    } else {
        (" ", theme.muted())
    }
}

fn render_step_list(model: &RotateModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let rows = steps(model).into_iter().map(|step| {
        let (marker, style) = step_marker(model, step, theme);
        (marker, style, title(step))
    });
    widgets::render_step_list(rows, theme, frame, area);
}

fn render_step_line(model: &RotateModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let steps = steps(model);
    let current = model.rotation.step;
    let position = steps.iter().position(|s| *s == current).unwrap_or(0) + 1;
    let mut spans = vec![Span::styled(
        format!(" Step {position} of {}  ", steps.len()),
        theme.muted(),
    )];
    for step in &steps {
        let (marker, style) = step_marker(model, *step, theme);
        spans.push(Span::styled(
            if marker == " " { "·" } else { marker },
            style,
        ));
    }
    spans.push(Span::styled(
        format!("  {}", title(current)),
        theme.focused(),
    ));
    frame.render_widget(Line::from(spans), area);
}

/// The problem panel: what went wrong and the way out.
fn problem_height(problem: &Problem, width: u16) -> u16 {
    let inner = width.saturating_sub(4);
    widgets::wrapped_height(&problem.message, inner)
        + widgets::wrapped_height(&format!("› {}", problem.way_out), inner)
        + 2
}

fn render_problem(problem: &Problem, theme: Theme, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.error())
        .padding(Padding::horizontal(1))
        .title(Span::styled(" ✗ Problem ", theme.error()));
    let lines = vec![
        Line::styled(problem.message.clone(), theme.text()),
        Line::from(vec![
            Span::styled("› ", theme.focused()),
            Span::styled(problem.way_out.clone(), theme.text()),
        ]),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

fn render_help(model: &RotateModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let rows = help(model);
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
    let width = area.width.saturating_sub(4).min(72);
    let height = widgets::lines_height(&lines, width.saturating_sub(4)) + 2;
    let inner = widgets::popup(
        frame,
        area,
        width,
        height,
        Span::styled(" Keys ", theme.focused()),
        theme,
    );
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
