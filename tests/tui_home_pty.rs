//! End to end: the built `credwiz` (no arguments: Home) in a pseudo-terminal, driven by key
//! presses and read back through a terminal emulator (vt100). Every wait is for visible text,
//! bounded by a deadline. Opens two profiles, filters, edits a region (diff, confirm), checks
//! that the AWS CLI reads the new value, deletes a profile, quits, and checks the terminal.

mod common;

use std::path::Path;

use common::pty::Terminal;
use portable_pty::CommandBuilder;

const ROWS: u16 = 30;
const COLS: u16 = 110;
/// A secret that must never reach the terminal unrevealed.
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

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
fn home_filters_edits_a_region_deletes_a_profile_and_restores_the_terminal() {
    let home = common::temp_dir();
    let config = home.path().join("config");
    let credentials = home.path().join("credentials");
    write_private(
        &config,
        "[profile alpha]\nregion = us-east-1\n\n[profile beta]\nregion = eu-west-1\noutput = json\n",
    );
    write_private(
        &credentials,
        &format!(
            "[alpha]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {SECRET}\n\n\
             [beta]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = {SECRET}\n"
        ),
    );

    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_credwiz"));
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command.env("HOME", home.path());
    command.env("TERM", "xterm-256color");
    command.env("NO_COLOR", "1");
    command.env("AWS_EC2_METADATA_DISABLED", "true");
    command.env("CREDWIZ_STATE_DIR", home.path().join("state"));
    command.cwd(home.path());
    command.arg("--config-file");
    command.arg(&config);
    command.arg("--credentials-file");
    command.arg(&credentials);
    let mut terminal = Terminal::spawn_sized(command, ROWS, COLS);
    terminal.wait_for("Home  2 profiles");

    // Filter down to beta, keep the filter, and edit its region.
    terminal.press("/bet");
    terminal.wait_for("1 of 2 profiles");
    terminal.press("\r");
    terminal.wait_for("e edit");
    terminal.press("e");
    terminal.wait_for("Edit beta");
    terminal.press("\x15ap-south-1\r");
    let diff = terminal.wait_for("Save these changes to beta?");
    assert!(diff.contains("+region = ap-south-1"), "{diff}");
    assert!(diff.contains("-region = eu-west-1"), "{diff}");
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("region = eu-west-1"),
        "nothing is written before the confirmation"
    );
    terminal.press("y");
    terminal.wait_for("saved");
    terminal.wait_for("region = ap-south-1");
    let written = std::fs::read_to_string(&config).expect("read the config");
    assert!(written.contains("region = ap-south-1"), "{written}");
    assert!(
        written.contains("[profile alpha]\nregion = us-east-1\n"),
        "{written}"
    );

    if let Some(cli) = common::aws_cli() {
        let output = common::aws_cli_command(&cli, &config, &credentials)
            .args(["configure", "get", "region", "--profile", "beta"])
            .output()
            .expect("run the AWS CLI");
        assert!(output.status.success(), "{output:?}");
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ap-south-1");
    }

    // Clear the filter, go to alpha and delete it.
    terminal.press("\x1b");
    terminal.wait_for("Home  2 profiles");
    terminal.press("g");
    terminal.wait_for("static · in config and credentials");
    terminal.press("d");
    let confirm = terminal.wait_for("Delete profile alpha from both files?");
    assert!(confirm.contains("-[profile alpha]"), "{confirm}");
    assert!(!confirm.contains(SECRET), "the diff masks secrets");
    terminal.press("y");
    terminal.wait_for("Home  1 profile ");
    let config_text = std::fs::read_to_string(&config).unwrap();
    let credentials_text = std::fs::read_to_string(&credentials).unwrap();
    assert!(!config_text.contains("alpha"), "{config_text}");
    assert!(!credentials_text.contains("alpha"), "{credentials_text}");
    assert!(credentials_text.contains("[beta]"), "{credentials_text}");

    terminal.press("q");
    let status = terminal.wait_for_exit();
    assert!(status.success(), "credwiz exited with {status:?}");
    assert!(
        !terminal.on_alternate_screen(),
        "the terminal was left on the alternate screen"
    );
    assert!(!terminal.reports_mouse(), "mouse reporting was left on");
    assert!(
        !terminal.everything_printed().contains(SECRET),
        "a secret was written to the terminal though it was never revealed"
    );
}
