//! End to end: the built `credwiz setup` in a pseudo-terminal against moto, driven by key
//! presses and read back through a terminal emulator (vt100). Every wait is for visible text,
//! bounded by a deadline.

mod common;

use std::path::Path;

use common::pty::Terminal;
use credwiz::flows::setup::Action;
use credwiz::journal::{Completed, Journal};
use credwiz::profiles::FilePaths;
use credwiz::profiles::store;
use credwiz::runner::SETUP_JOURNAL;
use portable_pty::CommandBuilder;

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write a test file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .expect("make a test file private");
    }
}

/// A home with an `admin` profile for moto, and `credwiz setup ARGS` in a terminal in it.
struct Session {
    home: tempfile::TempDir,
    paths: FilePaths,
}

impl Session {
    fn new(moto: &common::Moto) -> Session {
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
        Session { home, paths }
    }

    fn state(&self) -> std::path::PathBuf {
        self.home.path().join("state")
    }

    fn setup(&self, moto: &common::Moto, args: &[&str]) -> Terminal {
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_credwiz"));
        command.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command.env("HOME", self.home.path());
        command.env("TERM", "xterm-256color");
        command.env("NO_COLOR", "1");
        command.env("AWS_CONFIG_FILE", &self.paths.config);
        command.env("AWS_SHARED_CREDENTIALS_FILE", &self.paths.credentials);
        command.env("AWS_EC2_METADATA_DISABLED", "true");
        command.env("CREDWIZ_STATE_DIR", self.state());
        command.cwd(self.home.path());
        command.args(["--endpoint-url", moto.endpoint.as_str(), "setup"]);
        command.args(args);
        Terminal::spawn(command)
    }
}

#[test]
fn enter_walks_the_wizard_to_a_verified_profile_and_never_shows_the_secret_unasked() {
    let Some(moto) = common::moto() else { return };
    let session = Session::new(&moto);
    let paths = session.paths.clone();
    let name = common::unique_name("tui-pty");
    let mut terminal = session.setup(
        &moto,
        &[
            "--preset",
            "s3-readonly",
            "--source-profile",
            "admin",
            "--user-name",
            name.as_str(),
            "--profile",
            name.as_str(),
        ],
    );

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
        !terminal.on_alternate_screen(),
        "the terminal was left on the alternate screen"
    );

    let loaded = store::load_both(&paths).expect("read the files");
    let reading = loaded.reading();
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

/// An unfinished run is offered before a new one starts; choosing rollback undoes it.
#[test]
fn an_unfinished_run_is_offered_and_can_be_rolled_back() {
    let Some(moto) = common::moto() else { return };
    let session = Session::new(&moto);
    let user = common::unique_name("tui-unfinished");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let admin = runtime.block_on(common::iam::admin(&moto, "tui-unfinished"));
    runtime
        .block_on(admin.create_user(&user))
        .expect("create the user");
    let created = Action::CreateUser { user: user.clone() };
    let mut journal = Journal::create(
        &session.state(),
        SETUP_JOURNAL,
        Some("admin".to_string()),
        vec![created.clone()],
    )
    .expect("write a journal");
    journal
        .record(Completed {
            action: created,
            created_key_id: None,
            profile_existed: false,
            already_present: false,
        })
        .expect("record the step");

    let mut terminal = session.setup(&moto, &["--source-profile", "admin"]);
    terminal.wait_for("An earlier setup run did not finish: 1 of 1 steps were made.");
    terminal.press("b\r");
    terminal.wait_for(&format!("Delete user {user}"));
    assert!(
        terminal.wait_for_exit().success(),
        "{}",
        terminal.contents()
    );
    let remaining = runtime
        .block_on(admin.get_user(&user))
        .expect("look the user up");
    assert!(remaining.is_none(), "the rollback deleted the user");
}
