//! `credwiz presets`: the built-in presets and the user's own, as a table or JSON.

use clap::Args;

use super::output::ListFormat;
use super::{Failure, Outcome};
use crate::presets;

#[derive(Args, Debug)]
pub struct PresetsArgs {
    /// Output format
    #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
    pub output: ListFormat,
}

pub fn run(args: PresetsArgs) -> Outcome {
    let user_file = presets::user_presets_path();
    let all = presets::load_all(user_file.as_deref()).map_err(|e| Failure::Error(e.to_string()))?;
    match args.output {
        ListFormat::Table => print!("{}", presets::to_table(&all)),
        ListFormat::Json => println!("{}", serde_json::to_string_pretty(&presets::to_json(&all))?),
        ListFormat::Yaml => print!("{}", serde_yaml_ng::to_string(&presets::to_json(&all))?),
    }
    Ok(())
}
