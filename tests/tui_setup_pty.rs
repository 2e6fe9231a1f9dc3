//! End to end: the built `credwiz setup` in a pseudo-terminal against moto, driven by key
//! presses and read back through a terminal emulator (vt100). Every wait is for visible text,
//! bounded by a deadline.

mod common;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use credwiz::profiles::FilePaths;
use credwiz::profiles::store;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const ROWS: u16 = 30;
const COLS: u16 = 100;
/// Long enough for a slow CI machine; the waits end as soon as the text is there.
const DEADLINE: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(20);

/// The program in the pseudo-terminal and everything it printed.
struct Terminal {
    _master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    keyboard: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Every byte the program wrote, to check what was ever shown.
    output: Arc<Mutex<Vec<u8>>>,
}

impl Terminal {
    fn spawn(command: CommandBuilder) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let child = pair.slave.spawn_command(command).expect("start credwiz");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("read the terminal");
        let keyboard = pair.master.take_writer().expect("write to the terminal");
        let size = |n: u16| NonZeroU16::new(n).expect("a terminal size");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(size(ROWS), size(COLS), 0)));
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

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`, and returns the screen.
    fn wait_for(&mut self, text: &str) -> String {
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

    fn press(&mut self, keys: &str) {
        self.keyboard.write_all(keys.as_bytes()).expect("type");
        self.keyboard.flush().expect("type");
    }

    fn wait_for_exit(&mut self) -> portable_pty::ExitStatus {
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

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write a test file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .expect("make a test file private");
    }
}

#[test]
fn enter_walks_the_wizard_to_a_verified_profile_and_never_shows_the_secret_unasked() {
    let Some(moto) = common::moto() else { return };
    let home = common::temp_dir();
    let aws = home.path().join(".aws");
    std::fs::create_dir(&aws).expect("create .aws");
    let paths = FilePaths {
        config: aws.join("config"),
        credentials: aws.join("credentials"),
    };
    write_private(
        &paths.credentials,
        &format!(
            "[admin]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            moto.admin_access_key_id, moto.admin_secret_access_key
        ),
    );
    write_private(
        &paths.config,
        &format!("[profile admin]\nregion = {}\n", common::REGION),
    );
    let name = common::unique_name("tui-pty");

    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_credwiz"));
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command.env("HOME", home.path());
    command.env("TERM", "xterm-256color");
    command.env("NO_COLOR", "1");
    command.env("AWS_CONFIG_FILE", &paths.config);
    command.env("AWS_SHARED_CREDENTIALS_FILE", &paths.credentials);
    command.env("AWS_EC2_METADATA_DISABLED", "true");
    command.env("CREDWIZ_STATE_DIR", home.path().join("state"));
    command.cwd(home.path());
    command.args([
        "--endpoint-url",
        moto.endpoint.as_str(),
        "setup",
        "--preset",
        "s3-readonly",
        "--source-profile",
        "admin",
        "--user-name",
        name.as_str(),
        "--profile",
        name.as_str(),
    ]);
    let mut terminal = Terminal::spawn(command);

    terminal.wait_for("S3 read-only data access");
    terminal.wait_for("Enter choose");
    terminal.press("\r");
    terminal.wait_for("Enter check");
    terminal.press("\r");
    terminal.wait_for("These credentials work");
    terminal.press("\r");
    terminal.wait_for("User name");
    terminal.press("\r");
    terminal.wait_for("[✓] AmazonS3ReadOnlyAccess");
    terminal.press("\r");
    terminal.wait_for("Profile name");
    terminal.press("\r");
    terminal.wait_for("Enter create");
    terminal.press("\r");
    let done = terminal.wait_for("is ready");
    assert!(
        done.contains(&format!("export AWS_PROFILE={name}")),
        "{done}"
    );
    terminal.press("\r");
    terminal.wait_for("Have you stored the secret");
    terminal.press("\r");
    let status = terminal.wait_for_exit();
    assert!(status.success(), "credwiz exited with {status:?}");
    assert!(
        !terminal.screen.lock().unwrap().screen().alternate_screen(),
        "the terminal was left on the alternate screen"
    );

    let reading = store::load_both(&paths).expect("read the files").reading();
    let profile = reading.get(&name).expect("the new profile");
    let key_id = profile.get("aws_access_key_id").expect("a key id");
    let secret = profile
        .get("aws_secret_access_key")
        .expect("a secret")
        .to_string();
    assert!(
        key_id.starts_with("AKIA") || key_id.starts_with("ASIA"),
        "{key_id}"
    );
    assert!(done.contains(key_id), "the Done screen shows the key id");
    let output = terminal.output.lock().unwrap();
    assert!(
        !String::from_utf8_lossy(&output).contains(&secret),
        "the secret was written to the terminal though it was never revealed"
    );
    assert!(reading.get("admin").is_some(), "the admin profile is kept");
}
