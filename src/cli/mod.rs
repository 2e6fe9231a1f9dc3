//! The scriptable command line: clap definitions and one small module per subcommand.
//!
//! Exit codes: 0 success, 1 failure (the message names the file and line when a file is at
//! fault), 2 usage error (including a missing flag in a run that cannot prompt).

mod add;
mod check;
mod list;
mod modify;
mod output;
mod presets;
mod prompt;
mod repair;
mod rotate;
mod setup;
mod show;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::aws::Endpoints;
use crate::profiles::location::{Platform, locate};
use crate::profiles::store::{self, Loaded};
use crate::profiles::{FilePaths, WriteReport};
use crate::runner::{Backoff, Runner};
use crate::tui::HomeExit;

#[derive(Parser, Debug)]
#[command(
    name = "credwiz",
    version,
    about = "A terminal wizard and manager for AWS access-key profiles",
    long_about = "credwiz sets up, rotates and manages the profiles in ~/.aws/credentials and ~/.aws/config.\n\nRun without a command on a terminal to open the interactive screen. Every action is also a command below; commands that cannot prompt fail and name the flag they need.",
    after_help = "Files are read exactly as the AWS SDKs read them, and edited without touching any other byte."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// The credentials file [env: AWS_SHARED_CREDENTIALS_FILE] [default: ~/.aws/credentials]
    #[arg(long, global = true, value_name = "PATH")]
    pub credentials_file: Option<PathBuf>,
    /// The config file [env: AWS_CONFIG_FILE] [default: ~/.aws/config]
    #[arg(long, global = true, value_name = "PATH")]
    pub config_file: Option<PathBuf>,
    /// Send IAM and STS calls here [env: AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS]
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Never use colour [env: NO_COLOR]
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List every profile the AWS SDKs would see
    List(list::ListArgs),
    /// Show one profile, merged the way the SDKs merge it
    Show(show::ShowArgs),
    /// Store keys you already have (no AWS calls)
    Add(add::AddArgs),
    /// Set keys: credential keys go to the credentials file, all others to the config file
    Set(modify::SetArgs),
    /// Remove keys from a profile
    Unset(modify::UnsetArgs),
    /// Remove a profile from both files
    Rm(modify::RmArgs),
    /// Rename a profile in both files and update source_profile references to it
    Rename(modify::RenameArgs),
    /// Make a named repair to a file the AWS SDKs cannot read
    Repair(repair::RepairArgs),
    /// The setup wizard: create an IAM user, attach policies, create a key, write a profile
    Setup(setup::SetupArgs),
    /// List the built-in and user presets for `setup`
    Presets(presets::PresetsArgs),
    /// Verify profiles against STS; report key age and last use where IAM allows it
    Check(check::CheckArgs),
    /// Rotate the access key behind a profile (and every profile holding the same key)
    Rotate(rotate::RotateArgs),
}

/// Why a command failed, which decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// Exit 2: the command line is wrong or incomplete.
    Usage(String),
    /// Exit 1: the command could not do its job.
    Error(String),
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Failure {
        Failure::Error(error.to_string())
    }
}

pub type Outcome = Result<(), Failure>;

/// What every command needs: where the files are and how to print.
pub struct Context {
    pub paths: FilePaths,
    pub endpoint_url: Option<String>,
    pub color: bool,
}

impl Context {
    fn from_args(global: &GlobalArgs) -> Context {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let found = locate(&env, Platform::current());
        Context {
            paths: FilePaths {
                config: global
                    .config_file
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(found.config)),
                credentials: global
                    .credentials_file
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(found.credentials)),
            },
            endpoint_url: global.endpoint_url.clone(),
            color: !global.no_color && env("NO_COLOR").is_none() && prompt::stdout_is_terminal(),
        }
    }

    /// Where IAM and STS calls go: `--endpoint-url`, else the AWS CLI's environment variables.
    pub fn endpoints(&self) -> Endpoints {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Endpoints::resolve(self.endpoint_url.as_deref(), env)
    }

    /// A runner for the flows, verifying new keys for up to `verify_timeout` seconds.
    pub fn runner(&self, verify_timeout: u64) -> Runner {
        Runner::new(
            self.paths.clone(),
            self.endpoints(),
            crate::journal::state_dir(),
            Backoff {
                timeout: std::time::Duration::from_secs(verify_timeout),
                ..Backoff::default()
            },
        )
    }

    pub fn load(&self) -> Result<Loaded, Failure> {
        Ok(store::load_both(&self.paths)?)
    }

    /// Tells the user what a write did: the files written and any warnings.
    pub fn report(&self, summary: &str, report: &WriteReport) {
        for warning in &report.warnings {
            eprintln!("warning: {warning}");
        }
        let files: Vec<String> = report
            .written
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        if files.is_empty() {
            eprintln!("{summary} (no change needed)");
        } else {
            eprintln!("✓ {summary} ({})", files.join(", "));
        }
    }
}

/// Leaves `value` to the operating system: the command is about to exit, and freeing the
/// reading of 10,000 profiles piece by piece would take longer than printing it.
pub fn exit_without_freeing<T>(value: T) {
    std::mem::forget(value);
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::logging::init();
    let context = Context::from_args(&cli.global);
    let outcome = match cli.command {
        None => home(&context),
        Some(command) => run(&context, command),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("credwiz: {message}");
            eprintln!("Run `credwiz --help` for usage.");
            ExitCode::from(2)
        }
        Err(Failure::Error(message)) => {
            eprintln!("credwiz: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(context: &Context, command: Command) -> Outcome {
    match command {
        Command::List(args) => list::run(context, args),
        Command::Show(args) => show::run(context, args),
        Command::Add(args) => add::run(context, args),
        Command::Set(args) => modify::set(context, args),
        Command::Unset(args) => modify::unset(context, args),
        Command::Rm(args) => modify::rm(context, args),
        Command::Rename(args) => modify::rename(context, args),
        Command::Repair(args) => repair::run(context, args),
        Command::Setup(args) => setup::run(context, args),
        Command::Presets(args) => presets::run(args),
        Command::Check(args) => check::run(context, args),
        Command::Rotate(args) => rotate::run(context, args),
    }
}

/// How long Home's actions keep verifying a new key, as `setup` and `rotate` do by default.
const HOME_VERIFY_TIMEOUT_SECONDS: u64 = 60;

/// `credwiz` alone: Home. Its setup, rotate and check actions run the same commands as the CLI,
/// then Home opens again.
fn home(context: &Context) -> Outcome {
    if !prompt::can_prompt() {
        return Err(Failure::Usage(
            "the interactive screen needs a terminal; name a command instead".to_string(),
        ));
    }
    let runtime = tokio::runtime::Runtime::new()?;
    loop {
        let exit = runtime
            .block_on(crate::tui::run_home(
                context.paths.clone(),
                context.runner(HOME_VERIFY_TIMEOUT_SECONDS),
                !context.color,
            ))
            .map_err(|e| Failure::Error(format!("{e:#}")))?;
        let action: Vec<String> = match exit {
            HomeExit::Quit => return Ok(()),
            HomeExit::Setup => vec!["setup".to_string()],
            HomeExit::Rotate { profile } => vec!["rotate".to_string(), profile],
            HomeExit::Check { profiles } => std::iter::once("check".to_string())
                .chain(profiles)
                .collect(),
        };
        let command = Cli::try_parse_from(std::iter::once("credwiz".to_string()).chain(action))
            .map_err(|e| Failure::Error(e.to_string()))?
            .command
            .expect("Home names a command");
        if let Err(Failure::Usage(message) | Failure::Error(message)) = run(context, command) {
            eprintln!("credwiz: {message}");
        }
        prompt::ask("Press Enter to return to Home", None)?;
    }
}
