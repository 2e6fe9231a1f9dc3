//! The full-screen terminal interface: terminal set-up and teardown, the event loop, the key
//! map, the theme, and the setup wizard's screens.
//!
//! The loop merges key presses (crossterm's `EventStream`), the results of effects the runner
//! performs in spawned tasks (over an mpsc channel), a spinner clock and termination signals.
//! Every input becomes a [`setup::UiMsg`] for the model; the model answers with effects as data,
//! which the loop hands to the runner. The terminal is restored however the loop ends: on
//! return, on error, on panic (ratatui's hook) and on SIGTERM/SIGINT/SIGHUP.

pub mod home;
pub mod keymap;
pub mod keys;
pub mod rotate;
mod secret_input;
pub mod setup;
pub mod theme;
mod widgets;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod render_tests;

use std::io::{self, Write};
use std::time::Duration;

use anyhow::Context as _;
use futures::{FutureExt as _, StreamExt as _};
use ratatui::DefaultTerminal;
use ratatui::crossterm::clipboard::CopyToClipboard;
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event, EventStream};
use ratatui::crossterm::execute;
use tokio::sync::mpsc;

use crate::flows::setup::{Action, Effect, Setup};
use crate::profiles::FilePaths;
use crate::profiles::location::{Platform, locate};
use crate::profiles::store;
use crate::runner::Runner;
use crate::secret::Secret;
pub use home::{HomeExit, run_home};
pub use rotate::run_rotation;
pub use setup::SetupOutcome;
use setup::{Quitting, UiEffect, UiMsg, WizardModel};
use theme::Theme;

/// How often the spinner moves while something is in flight.
const SPINNER_INTERVAL: Duration = Duration::from_millis(100);

/// Runs the setup wizard on the terminal, starting at `setup.step` with whatever answers the
/// caller pre-filled, and returns how it ended.
pub async fn run_setup(
    setup: Setup,
    runner: Runner,
    no_color: bool,
) -> anyhow::Result<SetupOutcome> {
    let theme = Theme::new(no_color);
    let environment_has_keys = std::env::var_os("AWS_ACCESS_KEY_ID").is_some_and(|v| !v.is_empty());
    let mut model = WizardModel::new(setup, existing_profile_names(), environment_has_keys);
    let mut session = TerminalSession::start().context("could not prepare the terminal")?;
    let result = event_loop(&mut session.terminal, &mut model, &runner, theme).await;
    drop(session);
    result
}

/// The profile names offered as sources of credentials, from the files found the way the SDKs
/// find them (environment, then home). `Runner` keeps the paths given by flags to itself.
fn existing_profile_names() -> Vec<String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let found = locate(&env, Platform::current());
    let paths = FilePaths {
        config: found.config.into(),
        credentials: found.credentials.into(),
    };
    store::load_both(&paths)
        .map(|loaded| loaded.reading().profiles.keys().map(String::from).collect())
        .unwrap_or_default()
}

/// The terminal in raw mode on the alternate screen with bracketed paste; dropping it puts the
/// terminal back as it was.
struct TerminalSession {
    terminal: DefaultTerminal,
}

impl TerminalSession {
    fn start() -> io::Result<TerminalSession> {
        let terminal = ratatui::try_init().inspect_err(|_| ratatui::restore())?;
        // Runs before ratatui's own hook, which then restores raw mode and the screen.
        let restore_terminal = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(io::stdout(), DisableBracketedPaste);
            restore_terminal(info);
        }));
        let session = TerminalSession { terminal };
        execute!(io::stdout(), EnableBracketedPaste)?;
        Ok(session)
    }
}

impl Drop for TerminalSession {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableBracketedPaste);
        ratatui::restore();
    }
}

/// A finished effect task: its message, and whether quitting had to wait for it.
struct TaskDone {
    msg: Option<crate::flows::setup::Msg>,
    must_finish: bool,
    panicked: bool,
}

/// Remote steps whose outcome must be recorded (journal, written key) before the wizard may
/// exit. Verification only reads, so it may be abandoned.
fn must_finish(effect: &Effect) -> bool {
    matches!(effect, Effect::Perform { action, .. } if !matches!(action, Action::VerifyKey { .. }))
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    model: &mut WizardModel,
    runner: &Runner,
    theme: Theme,
) -> anyhow::Result<SetupOutcome> {
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<TaskDone>();
    let mut events = EventStream::new();
    let mut input_open = true;
    let mut clock = tokio::time::interval(SPINNER_INTERVAL);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut signals = signals::Signals::new().context("could not listen for signals")?;
    let mut unfinished = 0usize;
    let size = terminal.size()?;
    model.update(UiMsg::Resize {
        width: size.width,
        height: size.height,
    });
    let mut redraw = true;
    loop {
        if redraw {
            terminal.draw(|frame| setup::view(model, theme, frame))?;
        }
        match model.quitting() {
            Quitting::Now => break,
            Quitting::WhenSettled if unfinished == 0 => break,
            _ => {}
        }
        let msg = tokio::select! {
            event = events.next(), if input_open => match event {
                Some(Ok(event)) => ui_msg(event, model),
                Some(Err(error)) => return Err(error).context("could not read the terminal"),
                None => {
                    input_open = false;
                    Some(UiMsg::Terminate)
                }
            },
            Some(done) = done_rx.recv() => {
                if done.must_finish {
                    unfinished -= 1;
                }
                if done.panicked {
                    anyhow::bail!(
                        "an internal error stopped the wizard{}",
                        if model.setup.has_started_run() {
                            "; finish with `credwiz setup --resume` or undo with `credwiz setup --rollback`"
                        } else {
                            "; nothing was created"
                        }
                    );
                }
                done.msg.map(UiMsg::Result)
            }
            _ = clock.tick() => model.is_animating().then_some(UiMsg::Tick),
            () = signals.recv() => Some(UiMsg::Terminate),
        };
        redraw = msg.is_some();
        let Some(msg) = msg else { continue };
        for effect in model.update(msg) {
            match effect {
                UiEffect::Core(effect) => {
                    let must_finish = must_finish(&effect);
                    if must_finish {
                        unfinished += 1;
                    }
                    let runner = runner.clone();
                    let done_tx = done_tx.clone();
                    tokio::spawn(async move {
                        let outcome = std::panic::AssertUnwindSafe(runner.perform(effect))
                            .catch_unwind()
                            .await;
                        let _ = done_tx.send(TaskDone {
                            panicked: outcome.is_err(),
                            msg: outcome.ok().flatten(),
                            must_finish,
                        });
                    });
                }
                UiEffect::FinishJournal => runner.finish_journal(),
                UiEffect::CopyToClipboard(secret) => copy_to_clipboard(terminal, &secret)?,
            }
        }
    }
    Ok(model.outcome())
}

/// What a terminal event means to the model. Pasted text moves into a `Secret` (no copy), so it
/// is wiped when the model is done with it.
fn ui_msg(event: Event, model: &WizardModel) -> Option<UiMsg> {
    match event {
        Event::Key(key) => keymap::to_msg(&key, model),
        Event::Paste(text) => Some(UiMsg::Paste(Secret::new(text))),
        Event::Resize(width, height) => Some(UiMsg::Resize { width, height }),
        _ => None,
    }
}

/// Sends the secret to the terminal's clipboard with OSC 52; the terminal may ignore it.
fn copy_to_clipboard(terminal: &mut DefaultTerminal, secret: &Secret) -> io::Result<()> {
    let backend = terminal.backend_mut();
    execute!(
        backend,
        CopyToClipboard::to_clipboard_from(secret.expose().as_bytes())
    )?;
    backend.flush()
}

#[cfg(unix)]
mod signals {
    //! SIGTERM, SIGINT and SIGHUP as one stream. Ctrl-C on the keyboard arrives as a key in raw
    //! mode; these come from `kill` or a closed terminal.

    use tokio::signal::unix::{Signal, SignalKind, signal};

    pub struct Signals {
        terminate: Signal,
        interrupt: Signal,
        hang_up: Signal,
    }

    impl Signals {
        pub fn new() -> std::io::Result<Signals> {
            Ok(Signals {
                terminate: signal(SignalKind::terminate())?,
                interrupt: signal(SignalKind::interrupt())?,
                hang_up: signal(SignalKind::hangup())?,
            })
        }

        pub async fn recv(&mut self) {
            tokio::select! {
                _ = self.terminate.recv() => {}
                _ = self.interrupt.recv() => {}
                _ = self.hang_up.recv() => {}
            }
        }
    }
}

#[cfg(not(unix))]
mod signals {
    //! Ctrl-C from outside the terminal, where Unix signals do not exist.

    pub struct Signals;

    impl Signals {
        pub fn new() -> std::io::Result<Signals> {
            Ok(Signals)
        }

        pub async fn recv(&mut self) {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
