//! `credwiz rotate`: replace the access key behind a profile. The flags answer the rotation
//! state machine (`flows::rotate`) and the rotation runner performs its effects. On a terminal
//! without `--yes` the rotation screens show the keys and ask before changing anything;
//! elsewhere `--yes` is required. `--all --older-than AGE` rotates every old static key in turn; `--resume` finishes
//! interrupted rotations from their journals.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use time::{Duration, OffsetDateTime};

use super::output::table;
use super::{Context, Failure, Outcome, prompt};
use crate::flows::rotate::{
    Action, KeyFacts, Msg, OldKey, Options, Outcome as Ending, Rotation, Step,
};
use crate::flows::setup::Status;
use crate::journal::{self, Journal};
use crate::key_health::{HealthCache, rfc3339};
use crate::profiles::{FileKind, Kind};
use crate::runner::{ROTATE_JOURNAL, RotationRunner, local_profiles};

#[derive(Args, Debug)]
pub struct RotateArgs {
    /// The profile whose key to replace; every profile holding the same key gets the new one
    #[arg(
        required_unless_present_any = ["all", "resume"],
        conflicts_with_all = ["all", "resume"]
    )]
    pub name: Option<String>,
    /// Act with this profile's credentials instead of the key being rotated
    #[arg(long, value_name = "PROFILE")]
    pub source_profile: Option<String>,
    /// What happens to the old key once the new one is verified
    #[arg(long, value_enum, default_value_t = OldKey::Deactivate)]
    pub old_key: OldKey,
    /// If the user already has two keys, delete the other one first, even if it is active or a
    /// profile holds it
    #[arg(long)]
    pub delete_other_key: bool,
    /// How long to keep retrying the new key while IAM propagates it, in seconds
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub verify_timeout: u64,
    /// Rotate without asking (required when not on a terminal)
    #[arg(long, short)]
    pub yes: bool,
    /// Finish interrupted rotations from their journals
    #[arg(long)]
    pub resume: bool,
    /// Rotate every static-key profile whose key is older than --older-than
    #[arg(long, requires = "older_than", conflicts_with = "resume")]
    pub all: bool,
    /// Rotate only keys older than this: 90d, 12h or 2w (a bare number means days)
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub older_than: Option<Duration>,
}

/// `90d`, `12h`, `2w` or `90` (days).
fn parse_age(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let bad = || format!("`{text}` is not an age such as 90d, 12h or 2w");
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "" | "d" => 86_400,
        "h" => 3_600,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    number
        .checked_mul(seconds)
        .map(Duration::seconds)
        .ok_or_else(bad)
}

/// The endpoints for IAM and STS: `--endpoint-url`, then the AWS environment variables.
fn rotation_runner(context: &Context, verify_timeout: u64) -> RotationRunner {
    RotationRunner::new(context.runner(verify_timeout))
}

/// Ctrl-C, once the run has started: the step in flight finishes, and the rotation stops where
/// the files hold the old key or a verified new key. Before that, Ctrl-C ends credwiz at once,
/// with nothing changed.
struct Interrupt {
    flag: Arc<AtomicBool>,
    armed: bool,
}

impl Interrupt {
    fn new() -> Interrupt {
        Interrupt {
            flag: Arc::new(AtomicBool::new(false)),
            armed: false,
        }
    }

    fn arm(&mut self) {
        if std::mem::replace(&mut self.armed, true) {
            return;
        }
        let flag = self.flag.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, Ordering::SeqCst);
                eprintln!(
                    "\nInterrupted: finishing the step in flight, then stopping where the files hold a working key."
                );
            }
        });
    }

    fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

/// Prints run steps as they finish, once each, with ✓ or ✗.
#[derive(Default)]
struct Progress {
    printed: Vec<Action>,
    indent: &'static str,
}

impl Progress {
    fn print(&mut self, rotation: &Rotation) {
        for item in &rotation.run {
            let mark = match item.status {
                Status::Done => "✓",
                Status::Failed(_) => "✗",
                _ => continue,
            };
            if !self.printed.contains(&item.action) {
                self.printed.push(item.action.clone());
                eprintln!("{}{mark} {}", self.indent, item.action.label());
            }
        }
    }
}

/// How the CLI talks while driving one rotation.
struct Driving<'a> {
    runner: &'a RotationRunner,
    interrupt: &'a mut Interrupt,
    /// Ask on the terminal (the two-key question and the final confirmation).
    /// Show the key table and the plan (single rotations).
    verbose: bool,
    progress: Progress,
}

impl Driving<'_> {
    async fn settle(
        &mut self,
        rotation: &mut Rotation,
        effects: Vec<crate::flows::rotate::Effect>,
    ) {
        let progress = &mut self.progress;
        self.runner
            .settle(rotation, effects, &self.interrupt.flag, |r| {
                progress.print(r)
            })
            .await;
    }

    /// Feeds the machine until it is done (the screens ask a person; this path never does).
    async fn drive(
        &mut self,
        rotation: &mut Rotation,
        effects: Vec<crate::flows::rotate::Effect>,
    ) -> Result<Ending, Failure> {
        self.settle(rotation, effects).await;
        loop {
            if let Some(problem) = &rotation.problem {
                return Err(Failure::Error(format!(
                    "{}\n{}",
                    problem.message, problem.way_out
                )));
            }
            match rotation.step {
                Step::Review => {
                    if self.verbose {
                        print_keys(rotation);
                        print_plan(rotation);
                    }
                    self.interrupt.arm();
                    let effects = rotation.update(Msg::Next);
                    self.settle(rotation, effects).await;
                }
                _ => return ended(rotation),
            }
        }
    }
}

/// How a rotation that needs nothing more from a person ended: its problem, or its outcome.
fn ended(rotation: &Rotation) -> Result<Ending, Failure> {
    if let Some(problem) = &rotation.problem {
        return Err(Failure::Error(format!(
            "{}\n{}",
            problem.message, problem.way_out
        )));
    }
    match (rotation.step, rotation.outcome.clone()) {
        (Step::Done, Some(Ending::Interrupted)) if rotation.has_started_run() => {
            Err(Failure::Error(
                "interrupted; the files hold a working key. Finish with `credwiz rotate --resume`."
                    .to_string(),
            ))
        }
        (Step::Done, Some(Ending::Interrupted)) => Err(Failure::Error(
            "interrupted; nothing was changed".to_string(),
        )),
        (Step::Done, Some(ending)) => Ok(ending),
        (Step::Done, None) => Err(Failure::Error("the rotation ended without a result".into())),
        (step, _) => Err(Failure::Error(format!(
            "the rotation stopped before finishing ({step:?}); see `credwiz rotate --resume`"
        ))),
    }
}

fn date(time: Option<OffsetDateTime>) -> String {
    time.map(|t| rfc3339(t)[..10].to_string())
        .unwrap_or_else(|| "-".to_string())
}

fn last_use(key: &KeyFacts) -> String {
    match &key.last_used {
        None => "unknown (not allowed)".to_string(),
        Some(used) => match used.last_used {
            None => "never".to_string(),
            Some(when) => {
                let place: Vec<&str> = [used.service_name.as_deref(), used.region.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                format!("{} {}", date(Some(when)), place.join(" "))
                    .trim_end()
                    .to_string()
            }
        },
    }
}

/// The user's keys, with age, status, last use and the local profiles holding each.
fn print_keys(rotation: &Rotation) {
    let user = rotation.user.clone().unwrap_or_default();
    match &rotation.identity {
        Some(identity) if rotation.options.source_profile.is_some() => eprintln!(
            "Keys of IAM user {user} (acting as {} in account {})",
            identity.arn, identity.account
        ),
        Some(identity) => eprintln!(
            "Keys of IAM user {user} ({}, account {})",
            identity.arn, identity.account
        ),
        None => eprintln!("Keys of IAM user {user}"),
    }
    let old = rotation.old_key_id.clone().unwrap_or_default();
    let mut rows = vec![
        ["KEY", "STATUS", "CREATED", "AGE", "LAST USED", "PROFILES"]
            .map(String::from)
            .to_vec(),
    ];
    for key in &rotation.keys {
        let holders = rotation.holders_of(&key.access_key_id);
        let marker = if key.access_key_id == old {
            " (rotating)"
        } else {
            ""
        };
        rows.push(vec![
            format!("{}{marker}", key.access_key_id),
            key.status.to_string(),
            date(key.created),
            rotation
                .age_days(key)
                .map(|d| format!("{d}d"))
                .unwrap_or_else(|| "-".to_string()),
            last_use(key),
            if holders.is_empty() {
                "-".to_string()
            } else {
                holders.join(", ")
            },
        ]);
    }
    for line in table(&rows).lines() {
        eprintln!("  {line}");
    }
}

fn print_plan(rotation: &Rotation) {
    eprintln!("Plan:");
    let mut number = 0;
    for action in rotation.plan() {
        number += 1;
        eprintln!("  {number}. {}", action.label());
        if matches!(action, Action::CreateKey { .. }) {
            number += 1;
            eprintln!("  {number}. Verify the new key with STS, then use it for what follows");
        }
    }
    if rotation.options.old_key == OldKey::Keep {
        eprintln!("  The old key stays active (--old-key keep).");
    }
}

fn print_rotated(rotation: &Rotation) {
    let old = rotation.old_key_id.clone().unwrap_or_default();
    let new = rotation.new_key_id.clone().unwrap_or_default();
    let fate = match rotation.options.old_key {
        OldKey::Deactivate => format!("the old key {old} is now inactive"),
        OldKey::Delete => format!("the old key {old} is deleted"),
        OldKey::Keep => format!("the old key {old} is still active (--old-key keep)"),
    };
    eprintln!(
        "✓ {} now hold{} the new key {new} of user {}; {fate}.",
        match rotation.written.as_slice() {
            [one] => format!("Profile {one}"),
            many => format!("Profiles {}", many.join(", ")),
        },
        if rotation.written.len() == 1 { "s" } else { "" },
        rotation.user.clone().unwrap_or_default()
    );
    if let Some(arn) = rotation.verified_arn.as_deref().filter(|a| !a.is_empty()) {
        eprintln!("✓ Verified with STS: {arn}");
    }
    eprintln!(
        "The secret is in the credentials file only; see it with `credwiz show {} --reveal`.",
        rotation.options.profile
    );
}

/// After a rotation, the key-age cache learns the new key, so Home shows it as new.
fn remember_new_key(rotation: &Rotation) {
    let Some(key_id) = &rotation.new_key_id else {
        return;
    };
    let state_dir = journal::state_dir();
    let mut cache = HealthCache::load(&state_dir);
    let now = OffsetDateTime::now_utc();
    for profile in &rotation.written {
        cache.note_new_key(profile, key_id, now);
    }
    if let Err(error) = cache.save(&state_dir) {
        tracing::warn!("could not update the key-age cache: {error}");
    }
}

pub fn run(context: &Context, args: RotateArgs) -> Outcome {
    if !args.yes && !prompt::can_prompt() {
        return Err(Failure::Usage(
            "rotate changes keys in AWS and in your files: pass --yes to run it without a terminal"
                .to_string(),
        ));
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        if args.resume {
            resume(context, &args).await
        } else if args.all {
            rotate_all(context, &args).await
        } else {
            let name = args.name.clone().unwrap_or_default();
            rotate_one(context, &args, &name, &mut Interrupt::new()).await
        }
    })
}

fn options(args: &RotateArgs, profile: &str, interactive: bool) -> Options {
    Options {
        profile: profile.to_string(),
        source_profile: args.source_profile.clone(),
        old_key: args.old_key,
        delete_other_key: args.delete_other_key,
        interactive,
        older_than: args.older_than,
    }
}

/// An interrupted rotation of one of `profiles` must be finished before another starts.
fn refuse_if_unfinished(profiles: &[&str]) -> Outcome {
    let Some(journal) = Journal::<Action>::latest_unfinished(&journal::state_dir(), ROTATE_JOURNAL)
    else {
        return Ok(());
    };
    let concerns = journal.plan.iter().any(|action| match action {
        Action::CreateKey {
            profile,
            profiles: written,
            ..
        } => profiles
            .iter()
            .any(|p| p == profile || written.iter().any(|w| w == p)),
        _ => false,
    });
    if concerns {
        return Err(Failure::Error(format!(
            "an interrupted rotation is unfinished ({}); finish it first with `credwiz rotate --resume`",
            journal.path.display()
        )));
    }
    Ok(())
}

async fn rotate_one(
    context: &Context,
    args: &RotateArgs,
    name: &str,
    interrupt: &mut Interrupt,
) -> Outcome {
    refuse_if_unfinished(&[name])?;
    let ask = !args.yes;
    let runner = rotation_runner(context, args.verify_timeout);
    let mut rotation = Rotation::new(options(args, name, ask));
    if ask {
        // On a terminal: the rotation screens (key table, second-key choice, progress, summary).
        let rotation = crate::tui::run_rotation(rotation, runner.clone(), !context.color)
            .await
            .map_err(|e| Failure::Error(e.to_string()))?;
        return report(&rotation, ended(&rotation)?, &runner);
    }
    let effects = rotation.update(Msg::Next);
    let mut driving = Driving {
        runner: &runner,
        interrupt,
        verbose: true,
        progress: Progress::default(),
    };
    let ending = driving.drive(&mut rotation, effects).await?;
    report(&rotation, ending, &runner)
}

fn report(rotation: &Rotation, ending: Ending, runner: &RotationRunner) -> Outcome {
    tracing::info!(
        "rotation of {}: {:?} in {} AWS calls",
        rotation.options.profile,
        ending,
        runner.calls().len()
    );
    match ending {
        Ending::Rotated => {
            remember_new_key(rotation);
            print_rotated(rotation);
            Ok(())
        }
        Ending::Skipped { age_days } => {
            eprintln!(
                "• {}: skipped, its key is {} (not older than --older-than); nothing was changed",
                rotation.options.profile,
                age_days
                    .map(|d| format!("{d} days old"))
                    .unwrap_or_else(|| "of unknown age".to_string())
            );
            Ok(())
        }
        Ending::RolledBack if rotation.problem.is_none() => {
            // A resumed run that only had its rollback left to finish.
            eprintln!(
                "✓ Rolled back: the files hold the old key {} again, and the unverified new key {} is deleted.",
                rotation.old_key_id.clone().unwrap_or_default(),
                rotation.new_key_id.clone().unwrap_or_default()
            );
            Ok(())
        }
        Ending::RolledBack | Ending::Interrupted => {
            let problem = rotation
                .problem
                .as_ref()
                .map(|p| format!("{}\n{}", p.message, p.way_out))
                .unwrap_or_else(|| "the rotation did not finish".to_string());
            Err(Failure::Error(problem))
        }
    }
}

/// `--all --older-than AGE`: every static-key profile, one key at a time; failures are reported
/// and the rest carry on.
async fn rotate_all(context: &Context, args: &RotateArgs) -> Outcome {
    let loaded = context.load()?;
    let profiles = local_profiles(&loaded.reading());
    // One rotation per key: it reaches every profile holding that key.
    let mut by_key: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for profile in profiles.iter().filter(|p| p.kind == Kind::Static) {
        if let Some(key) = &profile.access_key_id {
            by_key.entry(key.clone()).or_default().push((
                profile.name.clone(),
                profile.key_file == Some(FileKind::Credentials),
            ));
        }
    }
    let mut groups: Vec<Vec<String>> = by_key
        .into_values()
        .map(|mut holders| {
            holders.sort_by_key(|(name, in_credentials)| (!in_credentials, name.clone()));
            holders.into_iter().map(|(name, _)| name).collect()
        })
        .collect();
    groups.sort();
    if groups.is_empty() {
        eprintln!("No profile holds a static key; nothing to rotate.");
        return Ok(());
    }
    let names: Vec<&str> = groups.iter().flatten().map(String::as_str).collect();
    refuse_if_unfinished(&names)?;
    if !args.yes
        && !prompt::confirm(
            &format!(
                "Rotate the keys older than --older-than among {} key{} ({})?",
                groups.len(),
                if groups.len() == 1 { "" } else { "s" },
                names.join(", ")
            ),
            false,
        )?
    {
        return Err(Failure::Error(
            "rotation cancelled; nothing was changed".to_string(),
        ));
    }
    let mut interrupt = Interrupt::new();
    interrupt.arm();
    let total = groups.len();
    let (mut rotated, mut skipped, mut failed) = (0, 0, Vec::new());
    for (index, group) in groups.iter().enumerate() {
        if interrupt.is_set() {
            eprintln!("Interrupted: {} key(s) not looked at.", total - index);
            failed.push(format!("{}: not looked at (interrupted)", group.join(", ")));
            break;
        }
        let also = if group.len() > 1 {
            format!(" (also {})", group[1..].join(", "))
        } else {
            String::new()
        };
        eprintln!("[{}/{total}] {}{also}", index + 1, group[0]);
        let runner = rotation_runner(context, args.verify_timeout);
        let mut rotation = Rotation::new(options(args, &group[0], false));
        let effects = rotation.update(Msg::Next);
        let mut driving = Driving {
            runner: &runner,
            interrupt: &mut interrupt,
            verbose: false,
            progress: Progress {
                printed: Vec::new(),
                indent: "  ",
            },
        };
        let result = driving
            .drive(&mut rotation, effects)
            .await
            .and_then(|ending| {
                let was_rotated = ending == Ending::Rotated;
                report(&rotation, ending, &runner).map(|()| was_rotated)
            });
        match result {
            Ok(true) => rotated += 1,
            Ok(false) => skipped += 1,
            Err(Failure::Error(message) | Failure::Usage(message)) => {
                eprintln!("  ✗ {message}");
                failed.push(format!("{}: {}", group[0], first_line(&message)));
            }
        }
    }
    eprintln!(
        "\n{rotated} rotated, {skipped} skipped, {} failed (of {total}).",
        failed.len()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Error(format!(
            "some rotations failed:\n  {}",
            failed.join("\n  ")
        )))
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// `--resume`: finishes interrupted rotations, newest first, until none is left.
async fn resume(context: &Context, args: &RotateArgs) -> Outcome {
    let state_dir = journal::state_dir();
    let mut interrupt = Interrupt::new();
    let mut finished = Vec::new();
    while let Some(journal) = Journal::<Action>::latest_unfinished(&state_dir, ROTATE_JOURNAL) {
        if finished.contains(&journal.path) {
            return Err(Failure::Error(format!(
                "the rotation in {} is still unfinished",
                journal.path.display()
            )));
        }
        finished.push(journal.path.clone());
        let profile = journal
            .plan
            .iter()
            .find_map(|a| match a {
                Action::CreateKey { profile, .. } => Some(profile.clone()),
                _ => None,
            })
            .unwrap_or_default();
        if !args.yes
            && !prompt::confirm(
                &format!("Finish the interrupted rotation of profile {profile}?"),
                false,
            )?
        {
            return Err(Failure::Error("nothing was changed".to_string()));
        }
        eprintln!("Resuming the rotation of profile {profile}");
        let runner = rotation_runner(context, args.verify_timeout);
        let mut options = options(args, &profile, false);
        options.source_profile = args
            .source_profile
            .clone()
            .or_else(|| journal.source_profile.clone());
        options.older_than = None;
        let mut rotation = Rotation::new(options);
        let plan = journal.plan.clone();
        let completed = journal.completed.clone();
        runner.adopt_journal(journal);
        let effects = rotation.resume(plan, completed);
        interrupt.arm();
        let mut driving = Driving {
            runner: &runner,
            interrupt: &mut interrupt,
            verbose: false,
            progress: Progress::default(),
        };
        let ending = driving.drive(&mut rotation, effects).await?;
        report(&rotation, ending, &runner)?;
    }
    if finished.is_empty() {
        return Err(Failure::Error(
            "there is no unfinished rotation to resume".to_string(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_take_days_hours_and_weeks() {
        assert_eq!(parse_age("90d"), Ok(Duration::days(90)));
        assert_eq!(parse_age("90"), Ok(Duration::days(90)));
        assert_eq!(parse_age("0d"), Ok(Duration::ZERO));
        assert_eq!(parse_age("12h"), Ok(Duration::hours(12)));
        assert_eq!(parse_age("2w"), Ok(Duration::weeks(2)));
        for bad in ["", "d", "-1d", "3m", "1.5d", "99999999999999999999d"] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }
}
