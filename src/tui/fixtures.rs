//! Wizard models for tests, built by driving `Setup` with messages and fake results. Nothing
//! here talks to AWS or touches a file.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap;
use super::setup::{Intent, UiEffect, UiMsg, WizardModel};
use crate::aws::{AwsError, AwsErrorKind, CallerIdentity, CredentialSource, ManagedPolicy};
use crate::flows::setup::{
    Account, Action, ActionOutput, CreatedKey, Effect, Existing, Msg, Preview, Setup, Step,
};
use crate::presets;
use crate::secret::Secret;

pub const ACCOUNT_ID: &str = "123456789012";
pub const NEW_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const NEW_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// How the fake AWS answers.
#[derive(Clone, Copy, Debug, Default)]
pub struct FakeAws {
    pub user_exists: bool,
    pub profile_exists: bool,
    /// `CreateUser` is refused with AccessDenied.
    pub deny_create_user: bool,
    /// The caller is the account's root user.
    pub root: bool,
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

pub fn catalog() -> Vec<ManagedPolicy> {
    [
        "AdministratorAccess",
        "AmazonEC2FullAccess",
        "AmazonMechanicalTurkFullAccess",
        "AmazonS3FullAccess",
        "AmazonS3ReadOnlyAccess",
        "AmazonSQSFullAccess",
        "IAMFullAccess",
        "ReadOnlyAccess",
    ]
    .into_iter()
    .map(|name| ManagedPolicy {
        name: name.to_string(),
        arn: format!("arn:aws:iam::aws:policy/{name}"),
        description: None,
        default_version_id: Some("v1".to_string()),
    })
    .collect()
}

fn account(root: bool) -> Account {
    Account {
        identity: CallerIdentity {
            account: ACCOUNT_ID.to_string(),
            arn: if root {
                format!("arn:aws:iam::{ACCOUNT_ID}:root")
            } else {
                format!("arn:aws:iam::{ACCOUNT_ID}:user/admin")
            },
            user_id: "AIDAEXAMPLEADMIN".to_string(),
        },
        aliases: vec!["acme-data".to_string()],
    }
}

pub fn access_denied(operation: &'static str) -> AwsError {
    AwsError::from_code(
        operation,
        Some("AccessDenied"),
        &format!(
            "User: arn:aws:iam::{ACCOUNT_ID}:user/admin is not authorized to perform: {operation}"
        ),
    )
}

pub fn no_credentials() -> AwsError {
    AwsError {
        kind: AwsErrorKind::InvalidCredentials,
        code: Some("NoCredentials".to_string()),
        message: "the profile `admin` has no credentials".to_string(),
        operation: "sts:GetCallerIdentity",
    }
}

fn diff(profile: &str) -> String {
    format!(
        "--- /home/me/.aws/credentials\n+++ /home/me/.aws/credentials\n@@ -1,3 +1,6 @@\n \
         [admin]\n aws_access_key_id = AKIAADMINEXAMPLE\n aws_secret_access_key = ****\n\
         +[{profile}]\n+aws_access_key_id = <new access key id>\n\
         +aws_secret_access_key = <new secret>\n"
    )
}

impl FakeAws {
    /// The message the runner would send back for `effect`.
    pub fn answer(self, effect: &Effect) -> Msg {
        match effect {
            Effect::Identify { request, .. } => Msg::Identified(*request, Ok(account(self.root))),
            Effect::LookUpUser { request, group, .. } => Msg::UserLookedUp(
                *request,
                Ok(Existing {
                    user: self.user_exists,
                    group: self.user_exists && group.is_some(),
                }),
            ),
            Effect::LoadPolicyCatalog { request } => Msg::CatalogLoaded(*request, Ok(catalog())),
            Effect::CheckPolicies { request, arns } => Msg::PoliciesChecked(
                *request,
                Ok(arns
                    .iter()
                    .map(|arn| (arn.clone(), catalog().iter().any(|p| &p.arn == arn)))
                    .collect()),
            ),
            Effect::PreviewFiles {
                request, profile, ..
            } => Msg::Previewed(
                *request,
                Ok(Preview {
                    diff: diff(profile),
                    profile_exists: self.profile_exists,
                }),
            ),
            Effect::BeginJournal { request, .. } => Msg::JournalStarted(*request, Ok(())),
            Effect::Perform { request, action } => Msg::Performed(
                *request,
                match action {
                    Action::CreateUser { .. } if self.deny_create_user => {
                        Err(access_denied("iam:CreateUser"))
                    }
                    Action::CreateKeyAndWriteProfile { .. } => {
                        Ok(ActionOutput::KeyWritten(CreatedKey {
                            access_key_id: NEW_KEY_ID.to_string(),
                            secret_access_key: Secret::new(NEW_SECRET),
                        }))
                    }
                    Action::VerifyKey { user, .. } => Ok(ActionOutput::Verified {
                        arn: format!("arn:aws:iam::{ACCOUNT_ID}:user/{user}"),
                    }),
                    _ => Ok(ActionOutput::Completed),
                },
            ),
        }
    }
}

/// A model and the fake AWS behind it.
pub struct Driver {
    pub model: WizardModel,
    pub aws: FakeAws,
}

impl Driver {
    /// A fresh wizard on the Preset screen, with profiles `admin` and `dev` in the files.
    pub fn new(aws: FakeAws) -> Driver {
        Driver::with_setup(Setup::new(presets::built_in()), aws)
    }

    /// The wizard as `credwiz setup --preset s3-readonly --source-profile admin` starts it.
    pub fn prefilled(aws: FakeAws) -> Driver {
        let mut setup = Setup::new(presets::built_in());
        setup.update(Msg::PickPreset(Some("s3-readonly".to_string())));
        setup.update(Msg::PickSource(CredentialSource::Profile(
            "admin".to_string(),
        )));
        Driver::with_setup(setup, aws)
    }

    pub fn with_setup(setup: Setup, aws: FakeAws) -> Driver {
        Driver {
            model: WizardModel::new(setup, vec!["admin".to_string(), "dev".to_string()], false),
            aws,
        }
    }

    /// Sends a message and answers every effect it causes, and theirs, until none is left.
    pub fn send(&mut self, msg: UiMsg) -> Vec<UiEffect> {
        let mut pending = self.model.update(msg);
        let mut local = Vec::new();
        while !pending.is_empty() {
            let mut next = Vec::new();
            for effect in pending {
                match &effect {
                    UiEffect::Core(core) => {
                        let answer = self.aws.answer(core);
                        next.extend(self.model.update(UiMsg::Result(answer)));
                    }
                    _ => local.push(effect),
                }
            }
            pending = next;
        }
        local
    }

    /// Presses a key through the key map; a key that means nothing here is ignored.
    pub fn press(&mut self, event: KeyEvent) -> Vec<UiEffect> {
        match keymap::to_msg(&event, &self.model) {
            Some(msg) => self.send(msg),
            None => Vec::new(),
        }
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(key(KeyCode::Char(c)));
        }
    }

    /// Presses Enter until the wizard reaches `step` (at most 20 times).
    pub fn enter_until(&mut self, step: Step) -> &mut Driver {
        for _ in 0..20 {
            if self.model.setup.step == step {
                return self;
            }
            self.press(key(KeyCode::Enter));
        }
        panic!(
            "Enter never reached {step:?}; stuck at {:?} ({:?}, {:?})",
            self.model.setup.step, self.model.setup.field_error, self.model.setup.problem
        );
    }

    /// Sends a message without answering the effects it causes (a call still in flight).
    pub fn send_unanswered(&mut self, msg: UiMsg) -> Vec<UiEffect> {
        self.model.update(msg)
    }

    /// From the Review screen: confirms, lets the journal start, and returns the remote steps
    /// of the first wave, still in flight.
    pub fn start_run(&mut self) -> Vec<Effect> {
        assert_eq!(self.model.setup.step, Step::Review);
        let journal = self
            .send_unanswered(UiMsg::Intent(Intent::Next))
            .into_iter()
            .find_map(|effect| match effect {
                UiEffect::Core(effect @ Effect::BeginJournal { .. }) => Some(effect),
                _ => None,
            })
            .expect("the run starts with its journal");
        let started = self.aws.answer(&journal);
        self.send_unanswered(UiMsg::Result(started))
            .into_iter()
            .filter_map(|effect| match effect {
                UiEffect::Core(effect @ Effect::Perform { .. }) => Some(effect),
                _ => None,
            })
            .collect()
    }
}

/// Draws one frame into a `width` × `height` test terminal and returns what it shows.
pub fn render(width: u16, height: u16, draw: impl FnOnce(&mut ratatui::Frame)) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal.draw(draw).expect("drawing works");
    terminal.backend().buffer().clone()
}

/// The buffer as text, one line per row, trailing blanks trimmed.
pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (area.top()..area.bottom())
        .map(|y| {
            let row: String = (area.left()..area.right())
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
