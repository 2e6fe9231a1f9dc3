//! End to end: `credwiz add` on a terminal asks for the key, masking the secret as it is typed,
//! and stores what was typed; Ctrl-C while answering writes nothing.

mod common;

use common::pty::Terminal;
use common::sandbox::{ID, SECRET};
use portable_pty::CommandBuilder;

fn add_in_terminal(home: &std::path::Path, profile: &str) -> Terminal {
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_credwiz"));
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command.env("HOME", home);
    command.env("TERM", "xterm-256color");
    command.env("NO_COLOR", "1");
    command.env("CREDWIZ_STATE_DIR", home.join("state"));
    command.cwd(home);
    command.args(["add", profile, "--region", "eu-west-1"]);
    Terminal::spawn(command)
}

#[test]
fn typed_keys_are_stored_and_the_secret_is_never_echoed() {
    let home = common::temp_dir();
    let mut terminal = add_in_terminal(home.path(), "typed");
    terminal.wait_for("AWS Access Key ID:");
    terminal.press(&format!("  {ID}  \r"));
    terminal.wait_for("AWS Secret Access Key:");
    terminal.press(&format!("{SECRET}\r"));
    terminal.wait_for("AWS Session Token (Enter for none):");
    terminal.press("\r");
    let status = terminal.wait_for_exit();
    assert!(status.success(), "{}", terminal.contents());

    let screen = terminal.contents();
    assert!(screen.contains(&"*".repeat(SECRET.len())), "{screen}");
    let output = terminal.output.lock().unwrap();
    assert!(
        !String::from_utf8_lossy(&output).contains(SECRET),
        "the secret was echoed"
    );
    let credentials = std::fs::read_to_string(home.path().join(".aws/credentials")).unwrap();
    assert_eq!(
        credentials,
        format!("[typed]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n"),
        "the pasted id was trimmed"
    );
    let config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    assert_eq!(config, "[profile typed]\nregion = eu-west-1\n");
}

#[test]
fn ctrl_c_while_typing_the_secret_writes_nothing() {
    let home = common::temp_dir();
    let mut terminal = add_in_terminal(home.path(), "abandoned");
    terminal.wait_for("AWS Access Key ID:");
    terminal.press(&format!("{ID}\r"));
    terminal.wait_for("AWS Secret Access Key:");
    terminal.press("wJalr\u{3}");
    let status = terminal.wait_for_exit();
    assert!(!status.success());
    terminal.wait_for("nothing was written");
    assert!(!home.path().join(".aws/credentials").exists());
    assert!(!home.path().join(".aws/config").exists());
}
