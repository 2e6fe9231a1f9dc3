//! Entry point: parse the command line and run the chosen surface.

fn main() -> std::process::ExitCode {
    credwiz::cli::main()
}
