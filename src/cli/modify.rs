//! `credwiz set`, `unset`, `rm` and `rename`: edits to existing files through the safe writer.

use clap::Args;

use super::show::find;
use super::{Context, Failure, Outcome, prompt};
use crate::profiles::{Edit, store};

#[derive(Args, Debug)]
pub struct SetArgs {
    /// The profile (created if missing)
    pub name: String,
    /// Settings such as region=eu-west-1
    #[arg(required = true, value_name = "KEY=VALUE")]
    pub assignments: Vec<String>,
}

#[derive(Args, Debug)]
pub struct UnsetArgs {
    pub name: String,
    /// Keys to remove
    #[arg(required = true, value_name = "KEY")]
    pub keys: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    pub name: String,
    /// Do not ask for confirmation
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Args, Debug)]
pub struct RenameArgs {
    pub old: String,
    pub new: String,
}

pub fn set(context: &Context, args: SetArgs) -> Outcome {
    let edits = args
        .assignments
        .iter()
        .map(|assignment| {
            let (key, value) = assignment
                .split_once('=')
                .ok_or_else(|| Failure::Usage(format!("`{assignment}` is not KEY=VALUE")))?;
            Ok(Edit::Set {
                profile: args.name.clone(),
                key: key.trim().to_string(),
                value: value.trim().to_string(),
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    let report = store::write_edits(&context.paths, &edits)?;
    let keys: Vec<&str> = args
        .assignments
        .iter()
        .filter_map(|a| a.split_once('=').map(|(k, _)| k.trim()))
        .collect();
    context.report(
        &format!("set {} in `{}`", keys.join(", "), args.name),
        &report,
    );
    Ok(())
}

pub fn unset(context: &Context, args: UnsetArgs) -> Outcome {
    let loaded = context.load()?;
    let reading = loaded.reading_of(&[&args.name]);
    let profile = find(&reading, &args.name)?;
    for key in &args.keys {
        if profile.get(key).is_none() {
            eprintln!("note: `{key}` is not set in `{}`", args.name);
        }
    }
    let edits: Vec<Edit> = args
        .keys
        .iter()
        .map(|key| Edit::Unset {
            profile: args.name.clone(),
            key: key.clone(),
        })
        .collect();
    let report = store::write_edits(&context.paths, &edits)?;
    context.report(
        &format!("unset {} in `{}`", args.keys.join(", "), args.name),
        &report,
    );
    Ok(())
}

pub fn rm(context: &Context, args: RmArgs) -> Outcome {
    let loaded = context.load()?;
    let reading = loaded.reading_of(&[&args.name]);
    let profile = find(&reading, &args.name)?;
    if !args.yes {
        if !prompt::can_prompt() {
            return Err(Failure::Usage(format!(
                "removing `{}` needs confirmation: pass --yes",
                args.name
            )));
        }
        let files: Vec<&str> = profile.files().iter().map(|f| f.name()).collect();
        let question = format!(
            "Remove profile `{}` ({} settings) from {}?",
            args.name,
            profile.settings.len(),
            files.join(" and ")
        );
        if !prompt::confirm(&question, false)? {
            return Err(Failure::Error("cancelled; nothing was written".to_string()));
        }
    }
    let report = store::write_edits(
        &context.paths,
        &[Edit::Remove {
            profile: args.name.clone(),
        }],
    )?;
    context.report(&format!("removed `{}`", args.name), &report);
    Ok(())
}

pub fn rename(context: &Context, args: RenameArgs) -> Outcome {
    let report = store::write_edits(
        &context.paths,
        &[Edit::Rename {
            from: args.old.clone(),
            to: args.new.clone(),
        }],
    )?;
    context.report(
        &format!("renamed `{}` to `{}`", args.old, args.new),
        &report,
    );
    Ok(())
}
