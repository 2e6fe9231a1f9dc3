//! `credwiz check`: verify profiles against STS and report who they resolve to, plus key age and
//! last use where IAM allows. Dead keys, keys over 90 days old and session tokens left beside
//! long-term keys are flagged; any failed check makes the exit code non-zero. The results go to
//! the key-age cache in the state folder for Home.

use clap::{Args, ValueEnum};

use super::output::{ListFormat, print_structured, table};
use super::{Context, Failure, Outcome};
use crate::journal;
use crate::key_health::{
    DEFAULT_JOBS, HealthCache, KeyHealth, Target, Verdict, check_profiles, rfc3339,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The profiles to check
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Check every profile
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
    /// Output format
    #[arg(short, long, value_enum, default_value_t = CheckFormat::Table)]
    pub output: CheckFormat,
    /// How many profiles to check at once
    #[arg(long, default_value_t = DEFAULT_JOBS, value_name = "N", value_parser = parse_jobs)]
    pub jobs: usize,
}

fn parse_jobs(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(jobs @ 1..=64) => Ok(jobs),
        _ => Err(format!("`{text}` is not a number from 1 to 64")),
    }
}

pub fn run(context: &Context, args: CheckArgs) -> Outcome {
    if args.names.is_empty() && !args.all {
        return Err(Failure::Usage(
            "name the profiles to check, or pass --all".to_string(),
        ));
    }
    let loaded = context.load()?;
    let reading = loaded.reading();
    let missing: Vec<&str> = args
        .names
        .iter()
        .filter(|name| reading.get(name).is_none())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(Failure::Error(format!(
            "no profile named {} ({} profiles exist; see `credwiz list`)",
            missing.join(", "),
            reading.profiles.len()
        )));
    }
    let targets = Target::from_profiles(&reading, &args.names);
    let endpoints = context.endpoints();
    let runtime = tokio::runtime::Runtime::new()?;
    let results = runtime.block_on(check_profiles(
        &context.paths,
        &endpoints,
        &targets,
        args.jobs,
    ));
    let state_dir = journal::state_dir();
    let mut cache = HealthCache::load(&state_dir);
    cache.record(&results);
    if let Err(error) = cache.save(&state_dir) {
        eprintln!("warning: could not update the key-age cache: {error}");
    }
    match args.output {
        CheckFormat::Json => print_structured(&results, ListFormat::Json)?,
        CheckFormat::Table => print_table(&results),
    }
    let failed = results
        .iter()
        .filter(|h| h.verdict == Verdict::Failed)
        .count();
    if failed > 0 {
        return Err(Failure::Error(format!(
            "{failed} of {} checks failed",
            results.len()
        )));
    }
    Ok(())
}

fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ok => "✓ ok",
        Verdict::Warning => "! warning",
        Verdict::Failed => "✗ failed",
        Verdict::Skipped => "- skipped",
    }
}

fn print_table(results: &[KeyHealth]) {
    let mut rows = vec![
        [
            "PROFILE",
            "RESULT",
            "ACCOUNT",
            "ARN",
            "KEY AGE",
            "LAST USED",
            "FLAGS",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let dash = || "-".to_string();
    for health in results {
        rows.push(vec![
            health.profile.clone(),
            mark(health.verdict).to_string(),
            health.account.clone().unwrap_or_else(dash),
            health.arn.clone().unwrap_or_else(dash),
            health
                .key_age_days
                .map(|d| format!("{d}d"))
                .unwrap_or_else(dash),
            health
                .last_used
                .map(|t| rfc3339(t)[..10].to_string())
                .unwrap_or_else(dash),
            if health.flags.is_empty() {
                dash()
            } else {
                health
                    .flags
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ]);
    }
    print!("{}", table(&rows));
    for health in results {
        for note in &health.notes {
            println!("  {}: {note}", health.profile);
        }
    }
}
