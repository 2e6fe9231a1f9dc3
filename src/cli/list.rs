//! `credwiz list`: every profile the AWS SDKs would see, sorted by name.

use clap::Args;
use serde::Serialize;

use super::output::{ListFormat, print_structured, table};
use super::{Context, Outcome, exit_without_freeing};
use crate::profiles::{FileKind, Kind, Profile, ProfileSet};

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Output format
    #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
    pub output: ListFormat,
}

#[derive(Serialize)]
struct ListEntry<'a> {
    name: &'a str,
    kind: Kind,
    files: &'static [FileKind],
    region: Option<&'a str>,
}

impl<'a> ListEntry<'a> {
    fn of(profile: &'a Profile) -> ListEntry<'a> {
        ListEntry {
            name: &profile.name,
            kind: Kind::of(profile),
            files: profile.files(),
            region: profile.get("region"),
        }
    }
}

pub fn run(context: &Context, args: ListArgs) -> Outcome {
    let loaded = context.load()?;
    let reading = loaded.reading();
    let outcome = print_list(&reading, args.output);
    exit_without_freeing(reading);
    exit_without_freeing(loaded);
    outcome
}

fn print_list(reading: &ProfileSet, output: ListFormat) -> Outcome {
    let entries: Vec<ListEntry> = reading.profiles.values().map(ListEntry::of).collect();
    if output != ListFormat::Table {
        return print_structured(&entries, output);
    }
    let mut rows = vec![
        ["NAME", "KIND", "REGION", "FILES"]
            .map(String::from)
            .to_vec(),
    ];
    rows.extend(entries.iter().map(|e| {
        vec![
            e.name.to_string(),
            e.kind.name().to_string(),
            e.region.unwrap_or("-").to_string(),
            e.files
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(","),
        ]
    }));
    print!("{}", table(&rows));
    Ok(())
}
