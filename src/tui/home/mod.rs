//! Home: the profile browser that `credwiz` with no arguments opens. A list of profiles on the
//! left, the selected profile's settings and warnings on the right, and every action a key away.
//!
//! `model` holds the state and the pure `update`; `keys` is the key table feeding keys, hints and
//! help; `view` draws. This file owns the loop: it reads the terminal, performs the effects
//! (writes go through `store::write_edits`, the CLI's safe-write path) and reports back.

pub mod keys;
pub mod model;
pub mod view;

#[cfg(test)]
mod render_tests;
#[cfg(test)]
mod tests;

use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use futures::StreamExt as _;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    DisableMouseCapture, EnableMouseCapture, Event, EventStream, MouseButton, MouseEventKind,
};
use ratatui::crossterm::execute;
use time::OffsetDateTime;

pub use model::HomeExit;
use model::{Effect, Files, Model, Msg};

use super::TerminalSession;
use super::theme::Theme;
use crate::key_health::HealthCache;
use crate::profiles::FilePaths;
use crate::profiles::formats::{KeyMaterial, parse_key_file};
use crate::profiles::store;
use crate::runner::Runner;
use crate::secret::Secret;

/// Reads both files, each on its own, so that one bad file does not hide the other.
pub fn read_files(paths: &FilePaths) -> Files {
    Files {
        config: store::load(&paths.config),
        credentials: store::load(&paths.credentials),
    }
}

/// The keys in the environment, as `credwiz add --from-env` reads them.
fn environment_keys() -> Option<KeyMaterial> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let id = env("AWS_ACCESS_KEY_ID")?;
    let secret = env("AWS_SECRET_ACCESS_KEY")?;
    Some(KeyMaterial::new(
        &id,
        &secret,
        env("AWS_SESSION_TOKEN").as_deref(),
    ))
}

/// Mouse reporting on while Home runs; off again however it ends.
struct MouseCapture;

impl MouseCapture {
    fn start() -> io::Result<MouseCapture> {
        execute!(io::stdout(), EnableMouseCapture)?;
        Ok(MouseCapture)
    }
}

impl Drop for MouseCapture {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableMouseCapture);
    }
}

/// Runs Home on the terminal until the user quits or asks for something Home hands back to the
/// caller (the setup wizard, a rotation, a check); the caller runs it and calls this again.
///
/// The runner is the caller's: Home itself only reads and writes the two files.
pub async fn run_home(
    paths: FilePaths,
    _runner: Runner,
    no_color: bool,
) -> anyhow::Result<HomeExit> {
    let theme = Theme::new(no_color);
    let health = HealthCache::load(&crate::journal::state_dir());
    let now = OffsetDateTime::now_utc();
    let files = read_files(&paths);
    let mut session = TerminalSession::start().context("could not prepare the terminal")?;
    let mouse = MouseCapture::start().context("could not prepare the terminal")?;
    let size = session.terminal.size()?;
    let mut model = Model::new(&paths, files, health, now, size.width, size.height);
    model.environment_keys = environment_keys();
    let result = event_loop(&mut session.terminal, &mut model, &paths, theme).await;
    drop(mouse);
    drop(session);
    result
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    model: &mut Model,
    paths: &FilePaths,
    theme: Theme,
) -> anyhow::Result<HomeExit> {
    let mut events = EventStream::new();
    let mut signals = super::signals::Signals::new().context("could not listen for signals")?;
    loop {
        terminal.draw(|frame| view::view(model, theme, frame))?;
        if let Some(exit) = model.exit.take() {
            return Ok(exit);
        }
        // Wait for something that means a message; other events cost no redraw.
        let msg = loop {
            let msg = tokio::select! {
                event = events.next() => match event {
                    Some(Ok(event)) => home_msg(event, model),
                    Some(Err(error)) => return Err(error).context("could not read the terminal"),
                    None => return Ok(HomeExit::Quit),
                },
                () = signals.recv() => return Ok(HomeExit::Quit),
            };
            if let Some(msg) = msg {
                break msg;
            }
        };
        let mut queue = vec![msg];
        while let Some(msg) = queue.pop() {
            for effect in model.update(msg) {
                match effect {
                    Effect::Write(edits) => {
                        let written = store::write_edits(paths, &edits)
                            .map(|report| report.written)
                            .map_err(|e| e.to_string());
                        queue.push(Msg::Loaded(Box::new(read_files(paths))));
                        queue.push(Msg::Written(written));
                    }
                    Effect::StripByteOrderMark(path) => {
                        let written = store::strip_byte_order_mark(&path)
                            .map(|(_, report)| report.written)
                            .map_err(|e| e.to_string());
                        queue.push(Msg::Loaded(Box::new(read_files(paths))));
                        queue.push(Msg::Written(written));
                    }
                    Effect::Reload => queue.push(Msg::Loaded(Box::new(read_files(paths)))),
                    Effect::Copy(secret) => copy_to_clipboard(terminal, &secret)?,
                    Effect::ReadKeyFile(path) => {
                        let keys = std::fs::read(&path)
                            .map_err(|e| format!("{}: {e}", path.display()))
                            .and_then(|bytes| parse_key_file(&bytes));
                        queue.push(Msg::KeyFile(keys));
                    }
                    Effect::WriteFile { path, text } => {
                        queue.push(Msg::Exported(write_new_file(&path, &text)));
                    }
                }
            }
        }
    }
}

/// What a terminal event means to Home. Pasted text moves into a `Secret` (no copy), so it is
/// wiped once typed into the focused field.
fn home_msg(event: Event, model: &Model) -> Option<Msg> {
    match event {
        Event::Key(key) => keys::to_msg(&key, model),
        Event::Paste(text) => Some(Msg::Paste(Secret::new(text))),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click {
                column: mouse.column,
                row: mouse.row,
            }),
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => Some(Msg::Scroll {
                down: mouse.kind == MouseEventKind::ScrollDown,
                column: mouse.column,
                row: mouse.row,
            }),
            _ => None,
        },
        _ => None,
    }
}

/// Creates `path` as a new file readable by its owner alone (0600) and writes `text` to it.
/// An existing file is left alone and named in the error; a failed write removes what it made.
fn write_new_file(path: &Path, text: &Secret) -> Result<PathBuf, String> {
    let shown = path.display();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => {
                format!(
                    "{shown} already exists; credwiz does not overwrite it (choose another name)"
                )
            }
            _ => format!("could not create {shown}: {e}"),
        })?;
    let written = file
        .write_all(text.expose().as_bytes())
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(format!("could not write {shown}: {e}"));
    }
    Ok(path.to_path_buf())
}

fn copy_to_clipboard(terminal: &mut DefaultTerminal, secret: &Secret) -> io::Result<()> {
    super::copy_to_clipboard(terminal, secret)
}
