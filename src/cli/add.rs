//! `credwiz add NAME`: store keys you already have, from the environment, a key file, or typed
//! in with the secret masked. Makes no AWS calls.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{Context, Failure, Outcome, prompt};
use crate::profiles::edit::validate_profile_name;
use crate::profiles::formats::{KeyMaterial, parse_key_file};
use crate::profiles::{Edit, store};

/// The output formats the AWS CLI accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CliOutput {
    Json,
    Yaml,
    YamlStream,
    Text,
    Table,
}

impl CliOutput {
    pub fn name(self) -> &'static str {
        match self {
            CliOutput::Json => "json",
            CliOutput::Yaml => "yaml",
            CliOutput::YamlStream => "yaml-stream",
            CliOutput::Text => "text",
            CliOutput::Table => "table",
        }
    }
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The profile to create
    pub name: String,
    /// Read AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
    #[arg(long, conflicts_with = "from_file")]
    pub from_env: bool,
    /// Read a key file: create-access-key or export-credentials JSON, pharmer or DataRobot JSON,
    /// or the IAM console's CSV
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    /// The profile's region (config file)
    #[arg(long)]
    pub region: Option<String>,
    /// The profile's output format (config file)
    #[arg(long, value_enum)]
    pub output: Option<CliOutput>,
    /// Replace an existing profile's keys, and store keys that do not look like AWS keys
    #[arg(long)]
    pub force: bool,
}

fn keys_from_env() -> Result<KeyMaterial, Failure> {
    let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match (read("AWS_ACCESS_KEY_ID"), read("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => Ok(KeyMaterial::new(
            &id,
            &secret,
            read("AWS_SESSION_TOKEN").as_deref(),
        )),
        _ => Err(Failure::Error(
            "--from-env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to be set".to_string(),
        )),
    }
}

fn keys_from_file(path: &PathBuf) -> Result<KeyMaterial, Failure> {
    let bytes =
        std::fs::read(path).map_err(|e| Failure::Error(format!("{}: {e}", path.display())))?;
    parse_key_file(&bytes).map_err(|e| Failure::Error(format!("{}: {e}", path.display())))
}

fn keys_from_prompts() -> Result<KeyMaterial, Failure> {
    let id = prompt::ask("AWS Access Key ID", None)?;
    let secret = prompt::ask_secret("AWS Secret Access Key")?;
    let token = prompt::ask_secret("AWS Session Token (Enter for none)")?;
    let token = Some(token.expose()).filter(|t| !t.is_empty());
    Ok(KeyMaterial::new(&id, secret.expose(), token))
}

/// Warns about keys that do not look like AWS keys; asks on a terminal, else needs --force.
fn accept_doubts(keys: &KeyMaterial, force: bool) -> Outcome {
    let doubts = keys.doubts();
    if doubts.is_empty() || force {
        return Ok(());
    }
    for doubt in &doubts {
        eprintln!("warning: {doubt}");
    }
    if prompt::can_prompt() {
        if prompt::confirm("These do not look like AWS keys. Store them anyway?", false)? {
            return Ok(());
        }
        return Err(Failure::Error("nothing was written".to_string()));
    }
    Err(Failure::Usage(format!(
        "{}; pass --force to store them anyway (emulators use other formats)",
        doubts.join("; ")
    )))
}

pub fn run(context: &Context, args: AddArgs) -> Outcome {
    validate_profile_name(&args.name)?;
    let loaded = context.load()?;
    let existing = loaded.reading_of(&[&args.name]).get(&args.name).cloned();
    if existing.is_some() && !args.force {
        return Err(Failure::Error(format!(
            "profile `{}` already exists; pass --force to replace its keys, or use `credwiz set`",
            args.name
        )));
    }
    let keys = if args.from_env {
        keys_from_env()?
    } else if let Some(path) = &args.from_file {
        keys_from_file(path)?
    } else if prompt::can_prompt() {
        keys_from_prompts()?
    } else {
        return Err(Failure::Usage(
            "no key source: pass --from-env or --from-file FILE (stdin is not a terminal, so credwiz cannot ask)".to_string(),
        ));
    };
    accept_doubts(&keys, args.force)?;
    let set = |key: &str, value: &str| Edit::Set {
        profile: args.name.clone(),
        key: key.to_string(),
        value: value.to_string(),
    };
    let mut edits = Vec::new();
    if !args.force {
        edits.push(Edit::RequireAbsent {
            profile: args.name.clone(),
        });
    }
    edits.extend([
        set("aws_access_key_id", &keys.access_key_id),
        set("aws_secret_access_key", keys.secret_access_key.expose()),
    ]);
    match &keys.session_token {
        Some(token) => edits.push(set("aws_session_token", token.expose())),
        None if existing
            .as_ref()
            .is_some_and(|p| p.get("aws_session_token").is_some()) =>
        {
            edits.push(Edit::Unset {
                profile: args.name.clone(),
                key: "aws_session_token".to_string(),
            })
        }
        None => {}
    }
    if let Some(region) = &args.region {
        edits.push(set("region", region.trim()));
    }
    if let Some(output) = args.output {
        edits.push(set("output", output.name()));
    }
    let report = store::write_edits(&context.paths, &edits)?;
    context.report(
        &format!(
            "stored key {} as profile `{}`",
            keys.access_key_id, args.name
        ),
        &report,
    );
    Ok(())
}
