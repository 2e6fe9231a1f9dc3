//! `credwiz show NAME`: one profile, merged the way the SDKs merge it, secrets masked unless
//! `--reveal`; or its keys handed on as `env`, pharmer or DataRobot.

use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};

use super::output::{ListFormat, print_structured, table};
use super::{Context, Failure, Outcome};
use crate::profiles::edit::SECRET_KEYS;
use crate::profiles::formats::{KeyMaterial, to_datarobot, to_env_lines, to_pharmer};
use crate::profiles::{Kind, Profile, ProfileSet};
use crate::secret::mask;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Table,
    Json,
    Yaml,
    Env,
    Pharmer,
    Datarobot,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The profile
    pub name: String,
    /// Output format; env, pharmer and datarobot hand secrets on, so they need --reveal
    #[arg(short, long, value_enum, default_value_t = ShowFormat::Table)]
    pub output: ShowFormat,
    /// Show secrets in clear
    #[arg(long)]
    pub reveal: bool,
}

/// Finds a profile or says which names exist.
pub fn find<'s, 'a>(reading: &'s ProfileSet<'a>, name: &str) -> Result<&'s Profile<'a>, Failure> {
    reading
        .get(name)
        .ok_or_else(|| Failure::Error(format!("profile `{name}` not found; see `credwiz list`")))
}

/// A setting's value as shown: masked when it is a secret and `reveal` is off.
fn shown_value(key: &str, value: &str, reveal: bool) -> String {
    if SECRET_KEYS.contains(&key) && !reveal {
        mask(value)
    } else {
        value.to_string()
    }
}

/// `settings` as the SDKs read them, sub-properties as nested objects.
fn settings_json(profile: &Profile, reveal: bool) -> Value {
    let mut settings = Map::new();
    for (key, setting) in &profile.settings {
        let value = match setting.value.strip_prefix('\n') {
            Some(block) => Value::Object(
                block
                    .split('\n')
                    .filter_map(|line| line.split_once('='))
                    .map(|(k, v)| (k.trim().to_string(), Value::String(v.trim().to_string())))
                    .collect(),
            ),
            None => Value::String(shown_value(key, &setting.value, reveal)),
        };
        settings.insert(key.to_string(), value);
    }
    Value::Object(settings)
}

fn profile_json(profile: &Profile, reveal: bool) -> Value {
    let origins: Map<String, Value> = profile
        .settings
        .iter()
        .map(|(key, s)| {
            (
                key.to_string(),
                json!({"file": s.origin.file, "line": s.origin.line}),
            )
        })
        .collect();
    json!({
        "name": profile.name,
        "kind": Kind::of(profile),
        "files": profile.files(),
        "settings": settings_json(profile, reveal),
        "origins": origins,
        "duplicated": profile.is_duplicated(),
    })
}

/// The profile's static keys, for the formats that hand them on.
fn key_material(profile: &Profile) -> Result<KeyMaterial, Failure> {
    match (
        profile.get("aws_access_key_id"),
        profile.get("aws_secret_access_key"),
    ) {
        (Some(id), Some(secret)) => Ok(KeyMaterial::new(
            id,
            secret,
            profile.get("aws_session_token"),
        )),
        _ => Err(Failure::Error(format!(
            "profile `{}` holds no access key ({}); only static or session profiles can be exported this way",
            profile.name,
            Kind::of(profile).name()
        ))),
    }
}

pub fn run(context: &Context, args: ShowArgs) -> Outcome {
    let loaded = context.load()?;
    let reading = loaded.reading_of(&[&args.name]);
    let profile = find(&reading, &args.name)?;
    let hands_on_secrets = matches!(
        args.output,
        ShowFormat::Env | ShowFormat::Pharmer | ShowFormat::Datarobot
    );
    if hands_on_secrets && !args.reveal {
        return Err(Failure::Usage(format!(
            "`-o {}` prints secrets; add --reveal to confirm",
            args.output
                .to_possible_value()
                .expect("no skipped values")
                .get_name()
        )));
    }
    match args.output {
        ShowFormat::Json => print_structured(&profile_json(profile, args.reveal), ListFormat::Json),
        ShowFormat::Yaml => print_structured(&profile_json(profile, args.reveal), ListFormat::Yaml),
        ShowFormat::Env => {
            print!(
                "{}",
                to_env_lines(&key_material(profile)?, profile.get("region"))
            );
            Ok(())
        }
        ShowFormat::Pharmer => {
            println!(
                "{}",
                serde_json::to_string_pretty(&to_pharmer(&key_material(profile)?))?
            );
            Ok(())
        }
        ShowFormat::Datarobot => {
            println!(
                "{}",
                serde_json::to_string_pretty(&to_datarobot(&key_material(profile)?))?
            );
            Ok(())
        }
        ShowFormat::Table => {
            println!("{} ({})", profile.name, Kind::of(profile).name());
            let mut rows = vec![["KEY", "VALUE", "FROM"].map(String::from).to_vec()];
            rows.extend(profile.settings.iter().map(|(key, setting)| {
                vec![
                    key.to_string(),
                    shown_value(key, &setting.value, args.reveal).replace('\n', " ↵ "),
                    format!("{}:{}", setting.origin.file.name(), setting.origin.line),
                ]
            }));
            print!("{}", table(&rows));
            Ok(())
        }
    }
}
