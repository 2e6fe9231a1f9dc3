//! Questions asked on a terminal: plain answers, masked secrets and confirmations.
//!
//! Only called when stdin and stdout are terminals; a run that cannot prompt fails earlier and
//! names the flag it needs. Ctrl-C while answering aborts the command with nothing written.

use std::io::{self, BufRead, IsTerminal, Write};

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::terminal;

use super::Failure;
use crate::secret::Secret;

pub fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// True when the command may ask questions.
pub fn can_prompt() -> bool {
    stdin_is_terminal() && stdout_is_terminal()
}

fn interrupted() -> Failure {
    Failure::Error("interrupted; nothing was written".to_string())
}

/// Asks for a line; Enter alone accepts `default` when there is one.
pub fn ask(question: &str, default: Option<&str>) -> Result<String, Failure> {
    match default {
        Some(default) => eprint!("{question} [{default}]: "),
        None => eprint!("{question}: "),
    }
    io::stderr().flush()?;
    let mut answer = String::new();
    if io::stdin().lock().read_line(&mut answer)? == 0 {
        return Err(interrupted());
    }
    let answer = answer.trim();
    Ok(match (answer.is_empty(), default) {
        (true, Some(default)) => default.to_string(),
        _ => answer.to_string(),
    })
}

/// Asks a yes/no question; Enter alone gives `default`.
pub fn confirm(question: &str, default: bool) -> Result<bool, Failure> {
    let hint = if default { "Y/n" } else { "y/N" };
    let answer = ask(&format!("{question} [{hint}]"), None)?;
    Ok(match answer.to_ascii_lowercase().as_str() {
        "" => default,
        "y" | "yes" => true,
        _ => false,
    })
}

/// Restores cooked mode however the masked read ends.
struct RawModeGuard;

impl Drop for RawModeGuard {
    fn drop(&mut self) {
        let _ = terminal::disable_raw_mode();
    }
}

/// Asks for a secret, echoing `*` for each character. The answer is trimmed.
pub fn ask_secret(question: &str) -> Result<Secret, Failure> {
    eprint!("{question}: ");
    io::stderr().flush()?;
    terminal::enable_raw_mode()?;
    let guard = RawModeGuard;
    let mut buffer = zeroize::Zeroizing::new(String::new());
    loop {
        let Event::Key(KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            ..
        }) = event::read()?
        else {
            continue;
        };
        match code {
            KeyCode::Enter => break,
            KeyCode::Char('c') | KeyCode::Char('d')
                if modifiers.contains(KeyModifiers::CONTROL) =>
            {
                drop(guard);
                eprintln!();
                return Err(interrupted());
            }
            KeyCode::Backspace if buffer.pop().is_some() => eprint!("\u{8} \u{8}"),
            KeyCode::Char(c) => {
                crate::secret::push_wiping(&mut buffer, c);
                eprint!("*");
            }
            _ => {}
        }
        io::stderr().flush()?;
    }
    drop(guard);
    eprintln!();
    Ok(Secret::new(buffer.trim()))
}
