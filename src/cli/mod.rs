//! The scriptable command line: clap definitions and one small module per subcommand.

pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
