//! `credwiz setup`: the setup wizard, answered from flags. On a terminal without `--yes` it opens
//! the wizard screens with the flags pre-filled; otherwise it runs the same state machine
//! non-interactively and names any answer that is missing.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;

use super::{Context, Failure, Outcome, prompt};
use crate::aws::CredentialSource;
use crate::flows::setup::{Action, Effect, Msg, Setup, Status, Step};
use crate::journal::{self, Journal};
use crate::presets;
use crate::runner::{Runner, SETUP_JOURNAL};
use crate::tui::SetupOutcome;

#[derive(Args, Debug, Default)]
pub struct SetupArgs {
    /// A preset from `credwiz presets` (its answers are the defaults)
    #[arg(long)]
    pub preset: Option<String>,
    /// Act with this profile's credentials (default: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)
    #[arg(long, value_name = "PROFILE")]
    pub source_profile: Option<String>,
    /// The IAM user to create (or reuse)
    #[arg(long)]
    pub user_name: Option<String>,
    /// An IAM group to create (or reuse) and put the user in; policies attach to it
    #[arg(long)]
    pub group: Option<String>,
    /// A managed policy name or ARN; repeat for more (replaces the preset's policies)
    #[arg(long = "policy", value_name = "NAME|ARN")]
    pub policies: Vec<String>,
    /// The profile to write
    #[arg(long)]
    pub profile: Option<String>,
    /// The profile's region
    #[arg(long)]
    pub region: Option<String>,
    /// The profile's output format
    #[arg(long)]
    pub output: Option<String>,
    /// Answer yes to the review and run without the interactive screens
    #[arg(long, short)]
    pub yes: bool,
    /// Print the plan as `aws iam` commands and the file diff; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Let the new key replace the keys of an existing profile of the same name
    #[arg(long)]
    pub force: bool,
    /// Finish the last interrupted run
    #[arg(long, conflicts_with = "rollback")]
    pub resume: bool,
    /// Undo what the last interrupted run created
    #[arg(long)]
    pub rollback: bool,
    /// How long to keep retrying the new key while IAM propagates it, in seconds
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub verify_timeout: u64,
}

/// The credentials to act with: `--source-profile`, else the environment if it holds keys.
fn credential_source(source_profile: Option<&str>) -> Option<CredentialSource> {
    match source_profile {
        Some(name) => Some(CredentialSource::Profile(name.to_string())),
        None if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() => {
            Some(CredentialSource::Environment)
        }
        None => None,
    }
}

/// A wizard with the flags' answers given, at its first step.
fn prefilled(args: &SetupArgs) -> Result<Setup, Failure> {
    let all = presets::load_all(presets::user_presets_path().as_deref())?;
    let mut setup = Setup::new(all);
    let mut answers = vec![Msg::PickPreset(args.preset.clone())];
    if let Some(source) = credential_source(args.source_profile.as_deref()) {
        answers.push(Msg::PickSource(source));
    }
    if let Some(name) = &args.user_name {
        answers.push(Msg::EditUserName(name.clone()));
    }
    if args.group.is_some() {
        answers.push(Msg::EditGroup(args.group.clone()));
    }
    for msg in answers {
        setup.update(msg);
    }
    if !args.policies.is_empty() {
        setup.update(Msg::SetPolicies(args.policies.clone()));
    }
    let mut profile_answers = Vec::new();
    if let Some(profile) = &args.profile {
        profile_answers.push(Msg::EditProfile(profile.clone()));
    } else if setup.answers.profile.is_empty()
        && let Some(user) = &args.user_name
    {
        profile_answers.push(Msg::EditProfile(user.clone()));
    }
    if args.region.is_some() {
        profile_answers.push(Msg::EditRegion(args.region.clone()));
    }
    if args.output.is_some() {
        profile_answers.push(Msg::EditOutput(args.output.clone()));
    }
    profile_answers.push(Msg::ReplaceProfile(args.force));
    for msg in profile_answers {
        setup.update(msg);
    }
    Ok(setup)
}

/// Prints run items as they finish, once each.
struct Progress {
    printed: BTreeSet<usize>,
}

impl Progress {
    fn print(&mut self, setup: &Setup) {
        for (index, item) in setup.run.iter().enumerate() {
            let line = match &item.status {
                Status::Done => format!("✓ {}", item.action.label()),
                Status::Failed(_) => format!("✗ {}", item.action.label()),
                _ => continue,
            };
            if self.printed.insert(index) {
                eprintln!("{line}");
            }
        }
    }
}

/// Feeds results back into the machine until no effect is left, or until `interrupted` is set
/// (then the effects not yet started are returned).
async fn settle(
    setup: &mut Setup,
    runner: &Runner,
    mut effects: Vec<Effect>,
    progress: &mut Progress,
    interrupted: Option<&AtomicBool>,
) -> Vec<Effect> {
    while !effects.is_empty() {
        let messages = runner.perform_all(effects).await;
        effects = messages
            .into_iter()
            .flat_map(|msg| setup.update(msg))
            .collect();
        progress.print(setup);
        if interrupted.is_some_and(|flag| flag.load(Ordering::SeqCst)) {
            break;
        }
    }
    effects
}

fn problem_failure(setup: &Setup) -> Option<Failure> {
    setup
        .problem
        .as_ref()
        .map(|p| Failure::Error(format!("{}\n{}", p.message, p.way_out)))
}

/// Walks the machine with Next until it reaches `until`, or fails.
async fn walk_to(
    setup: &mut Setup,
    runner: &Runner,
    until: Step,
    progress: &mut Progress,
) -> Outcome {
    let mut unchanged = 0;
    while setup.step < until {
        let before = (setup.step, setup.account.is_some(), setup.existing);
        let effects = setup.update(Msg::Next);
        if let Some(error) = &setup.field_error {
            return Err(Failure::Usage(format!(
                "{} (set it with {})",
                error.message,
                error.field.flag()
            )));
        }
        let had_effects = !effects.is_empty();
        settle(setup, runner, effects, progress, None).await;
        if let Some(failure) = problem_failure(setup) {
            return Err(failure);
        }
        if let Some(error) = &setup.field_error {
            return Err(Failure::Error(error.message.clone()));
        }
        if let (Step::User, Some(existing)) = (setup.step, setup.existing)
            && had_effects
        {
            if existing.user {
                eprintln!(
                    "• user {} exists; it will be reused",
                    setup.answers.user_name
                );
            }
            if existing.group {
                eprintln!(
                    "• group {} exists; it will be reused",
                    setup.answers.group.clone().unwrap_or_default()
                );
            }
        }
        if (setup.step, setup.account.is_some(), setup.existing) == before {
            unchanged += 1;
            if unchanged > 2 {
                return Err(Failure::Error(format!(
                    "setup is stuck at the {} step",
                    setup.step.title()
                )));
            }
        } else {
            unchanged = 0;
        }
    }
    Ok(())
}

fn print_review(setup: &Setup) {
    if let Some(account) = &setup.account {
        eprintln!(
            "Account {} as {}",
            account.identity.account, account.identity.arn
        );
        if account.identity.is_root() {
            eprintln!(
                "warning: these are the account's root credentials; an IAM admin user is safer"
            );
        }
    }
    for name in &setup.unavailable {
        eprintln!("• {name} is not available in this account; skipped (it is optional)");
    }
    for policy in &setup.answers.policies {
        if policy.grants_full_control() {
            eprintln!(
                "warning: {} grants full control of the account",
                policy.name()
            );
        }
    }
    println!("# Plan");
    for action in setup.plan() {
        println!("{}", action.as_aws_cli());
    }
    println!(
        "{}",
        Action::VerifyKey {
            user: setup.answers.user_name.clone(),
            profile: setup.answers.profile.clone(),
            access_key_id: String::new(),
        }
        .as_aws_cli()
    );
    if let Some(preview) = &setup.preview {
        println!("\n# Changes to the files\n{}", preview.diff);
    }
}

fn print_done(setup: &Setup) {
    let profile = &setup.answers.profile;
    if let Some(key) = &setup.created_key {
        eprintln!(
            "\n✓ Profile `{profile}` holds the new key {} for user {}.",
            key.access_key_id, setup.answers.user_name
        );
    }
    if let Some(arn) = &setup.verified_arn {
        eprintln!("✓ Verified with STS: {arn}");
    }
    eprintln!(
        "The secret was written to the credentials file only; see it with `credwiz show {profile} --reveal`."
    );
    eprintln!("\nNext:\n  export AWS_PROFILE={profile}");
    if let Some(next) = setup.preset().and_then(|p| p.next_steps_for(profile)) {
        eprintln!("  {next}");
    }
}

/// Stops starting new steps after Ctrl-C; the step in flight finishes so no key is lost.
fn watch_interrupt() -> Arc<AtomicBool> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            flag.store(true, Ordering::SeqCst);
            eprintln!("\nInterrupted: finishing the step in flight, then stopping.");
        }
    });
    interrupted
}

async fn run_to_done(setup: &mut Setup, runner: &Runner, effects: Vec<Effect>) -> Outcome {
    let interrupted = watch_interrupt();
    let mut progress = Progress {
        printed: (0..setup.run.len())
            .filter(|&i| setup.run[i].status == Status::Done)
            .collect(),
    };
    let unstarted = settle(setup, runner, effects, &mut progress, Some(&interrupted)).await;
    if !unstarted.is_empty() {
        return Err(Failure::Error(
            "interrupted; finish with `credwiz setup --resume` or undo with `credwiz setup --rollback`"
                .to_string(),
        ));
    }
    if let Some(failure) = problem_failure(setup) {
        return Err(failure);
    }
    if setup.step == Step::Done {
        runner.finish_journal();
        print_done(setup);
        return Ok(());
    }
    Err(Failure::Error(
        "the run stopped before finishing; see `credwiz setup --resume`".to_string(),
    ))
}

pub fn run(context: &Context, args: SetupArgs) -> Outcome {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(run_async(context, args))
}

async fn run_async(context: &Context, args: SetupArgs) -> Outcome {
    let runner = context.runner(args.verify_timeout);
    if args.resume || args.rollback {
        return continue_journal(&runner, &args).await;
    }
    let mut setup = prefilled(&args)?;
    let interactive = !args.yes && !args.dry_run && prompt::can_prompt();
    if interactive {
        if let Some(choice) = offer_unfinished_run()? {
            let args = SetupArgs {
                resume: choice == UnfinishedChoice::Resume,
                rollback: choice == UnfinishedChoice::Rollback,
                ..args
            };
            return continue_journal(&runner, &args).await;
        }
        return run_screens(context, setup, runner).await;
    }
    let mut progress = Progress {
        printed: BTreeSet::new(),
    };
    walk_to(&mut setup, &runner, Step::Review, &mut progress).await?;
    print_review(&setup);
    if args.dry_run {
        eprintln!("Dry run: nothing was changed.");
        return Ok(());
    }
    if !args.yes {
        return Err(Failure::Usage(
            "setup creates AWS resources: pass --yes to confirm the plan above (or --dry-run)"
                .to_string(),
        ));
    }
    let effects = setup.update(Msg::Next);
    run_to_done(&mut setup, &runner, effects).await
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UnfinishedChoice {
    Resume,
    Rollback,
}

/// On a terminal, an unfinished earlier run is offered before a new one starts: finish it, undo
/// it, or leave it (it stays available to `--resume` and `--rollback`).
fn offer_unfinished_run() -> Result<Option<UnfinishedChoice>, Failure> {
    let Some(journal) = Journal::<Action>::latest_unfinished(&journal::state_dir(), SETUP_JOURNAL)
    else {
        return Ok(None);
    };
    eprintln!(
        "An earlier setup run did not finish: {} of {} steps were made.",
        journal.completed.len(),
        journal.plan.len()
    );
    for completed in &journal.completed {
        eprintln!("  ✓ {}", completed.action.label());
    }
    let answer = prompt::ask(
        "[r]esume it, roll it [b]ack, or start a [n]ew run",
        Some("n"),
    )?;
    Ok(match answer.to_ascii_lowercase().as_str() {
        "r" | "resume" => Some(UnfinishedChoice::Resume),
        "b" | "rollback" | "roll back" => Some(UnfinishedChoice::Rollback),
        _ => None,
    })
}

/// The wizard screens, starting from the answers the flags gave.
async fn run_screens(context: &Context, setup: Setup, runner: Runner) -> Outcome {
    let outcome = crate::tui::run_setup(setup, runner, !context.color)
        .await
        .map_err(|e| Failure::Error(e.to_string()))?;
    match outcome {
        SetupOutcome::Done {
            profile,
            access_key_id,
        } => {
            eprintln!("✓ Profile `{profile}` holds the new key {access_key_id}.");
            eprintln!("Next:\n  export AWS_PROFILE={profile}");
            Ok(())
        }
        SetupOutcome::Cancelled => {
            eprintln!("Setup cancelled; nothing was created.");
            Ok(())
        }
        SetupOutcome::Interrupted => Err(Failure::Error(
            "setup stopped after creating resources; finish with `credwiz setup --resume` or undo with `credwiz setup --rollback`".to_string(),
        )),
    }
}

/// `--resume` and `--rollback`: continue or undo the newest unfinished run.
async fn continue_journal(runner: &Runner, args: &SetupArgs) -> Outcome {
    let Some(mut journal) =
        Journal::<Action>::latest_unfinished(&journal::state_dir(), SETUP_JOURNAL)
    else {
        return Err(Failure::Error(
            "there is no unfinished setup run to continue".to_string(),
        ));
    };
    let source = credential_source(
        args.source_profile
            .as_deref()
            .or(journal.source_profile.as_deref()),
    )
    .ok_or_else(|| {
        Failure::Usage("name the credentials to act with: --source-profile".to_string())
    })?;
    runner.connect(&source).await?;
    if args.rollback {
        let results = runner.rollback(&mut journal).await;
        let mut failed = false;
        for (label, result) in results {
            match result {
                Ok(()) => eprintln!("✓ {label}"),
                Err(error) => {
                    failed = true;
                    eprintln!("✗ {label}: {error}");
                }
            }
        }
        return if failed {
            Err(Failure::Error("some steps could not be undone; fix the cause and run `credwiz setup --rollback` again".to_string()))
        } else {
            eprintln!("Rolled back: the account is as it was before the run.");
            Ok(())
        };
    }
    let created_key = journal
        .completed
        .iter()
        .find_map(|c| c.created_key_id.clone())
        .filter(|_| {
            !journal
                .completed
                .iter()
                .any(|c| matches!(c.action, Action::VerifyKey { .. }))
        });
    let mut setup = Setup::new(Vec::new());
    let plan = journal.plan.clone();
    let done = journal.done_actions();
    runner.adopt_journal(journal);
    let effects = setup.resume(plan, &done, created_key);
    run_to_done(&mut setup, runner, effects).await
}
