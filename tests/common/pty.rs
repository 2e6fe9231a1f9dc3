//! A program in a pseudo-terminal, read back through a terminal emulator (vt100): for end-to-end
//! tests that type keys and wait, within a deadline, for visible text (never for fixed sleeps).

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const ROWS: u16 = 30;
const COLS: u16 = 100;
/// Long enough for a slow CI machine; the waits end as soon as the text is there.
const DEADLINE: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(20);

/// The program in the pseudo-terminal and everything it printed.
pub struct Terminal {
    _master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    keyboard: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Every byte the program wrote, to check what was ever shown.
    pub output: Arc<Mutex<Vec<u8>>>,
}

impl Terminal {
    pub fn spawn(command: CommandBuilder) -> Terminal {
        Terminal::spawn_sized(command, ROWS, COLS)
    }

    /// Starts `command` in a terminal of `rows` × `cols`.
    pub fn spawn_sized(command: CommandBuilder, rows: u16, cols: u16) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let child = pair.slave.spawn_command(command).expect("start credwiz");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("read the terminal");
        let keyboard = pair.master.take_writer().expect("write to the terminal");
        let size = |n: u16| NonZeroU16::new(n).expect("a terminal size");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(size(rows), size(cols), 0)));
        let output = Arc::new(Mutex::new(Vec::new()));
        let (screen_in, output_in) = (screen.clone(), output.clone());
        thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(count) = reader.read(&mut buffer) {
                if count == 0 {
                    break;
                }
                screen_in.lock().unwrap().process(&buffer[..count]);
                output_in
                    .lock()
                    .unwrap()
                    .extend_from_slice(&buffer[..count]);
            }
        });
        Terminal {
            _master: pair.master,
            child,
            keyboard,
            screen,
            output,
        }
    }

    /// Whether the program is showing the alternate screen (a full-screen view is open).
    pub fn on_alternate_screen(&self) -> bool {
        self.screen.lock().unwrap().screen().alternate_screen()
    }

    /// Whether the program left mouse reporting switched on.
    pub fn reports_mouse(&self) -> bool {
        self.screen.lock().unwrap().screen().mouse_protocol_mode() != vt100::MouseProtocolMode::None
    }

    /// Everything the program wrote to the terminal, as text.
    pub fn everything_printed(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`, and returns the screen.
    pub fn wait_for(&mut self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let contents = self.contents();
            if contents.contains(text) {
                return contents;
            }
            if let Some(status) = self.child.try_wait().expect("poll credwiz") {
                // Let the reader catch up with the last output before showing it.
                thread::sleep(POLL);
                panic!(
                    "credwiz exited ({status:?}) before `{text}` appeared; the screen shows:\n{}",
                    self.contents()
                );
            }
            assert!(
                started.elapsed() < DEADLINE,
                "`{text}` did not appear within {DEADLINE:?}; the screen shows:\n{contents}"
            );
            thread::sleep(POLL);
        }
    }

    pub fn press(&mut self, keys: &str) {
        self.keyboard.write_all(keys.as_bytes()).expect("type");
        self.keyboard.flush().expect("type");
    }

    pub fn wait_for_exit(&mut self) -> portable_pty::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll credwiz") {
                return status;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "credwiz did not exit within {DEADLINE:?}; the screen shows:\n{}",
                self.contents()
            );
            thread::sleep(POLL);
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}
