//! The wizard's screen model: the pure [`Setup`] machine plus what only the screens need
//! (text inputs, selection indexes, the policy filter, the reveal flag, overlays, quitting).
//!
//! [`WizardModel::update`] takes a [`UiMsg`] and returns [`UiEffect`]s as data; it never
//! performs I/O. Every answer reaches `Setup` as a `flows::setup::Msg`, so the state machine
//! stays the one source of truth and the screens only add how things are shown.

use ratatui::layout::Rect;
use tui_input::{Input, InputRequest};

use super::account::SourcePicker;
use super::done::DoneState;
use super::policies::PolicyPicker;
use super::preset::PresetPicker;
use super::profile::ProfileForm;
use super::review::ReviewScroll;
use super::user::UserForm;
use crate::flows::setup::{Action, Effect, Field, Msg, Setup, Status, Step};
use crate::secret::Secret;

/// What a key means to the wizard. The key map turns key presses into these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Accept what is shown and go on (Enter).
    Next,
    /// Go back (Esc): leave a form, clear the filter, or return to the previous step.
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    NextField,
    PreviousField,
    /// Tick or untick the highlighted item (Space).
    Toggle,
    ChoicePrevious,
    ChoiceNext,
    /// Show or hide the new secret on the Done screen.
    Reveal,
    /// Copy the new secret to the clipboard (OSC 52).
    Copy,
    Help,
    Quit,
    /// Answer yes to the question on screen (quit, or "I have it").
    Confirm,
    /// Answer no to the question on screen.
    Dismiss,
}

/// Everything the wizard model reacts to.
#[derive(Clone, Debug)]
pub enum UiMsg {
    Intent(Intent),
    /// An edit of the focused text input.
    Edit(InputRequest),
    /// Text pasted into the terminal (bracketed paste); it may be a secret.
    Paste(Secret),
    Resize {
        width: u16,
        height: u16,
    },
    /// The spinner's clock.
    Tick,
    /// The result of an effect the runner performed.
    Result(Msg),
    /// SIGTERM, SIGINT or SIGHUP: leave as soon as it is safe.
    Terminate,
}

/// Work for the event loop.
#[derive(Clone, Debug)]
pub enum UiEffect {
    /// An effect of the setup machine, for the runner.
    Core(Effect),
    /// The run reached Done: mark its journal finished.
    FinishJournal,
    /// Put the secret on the clipboard with an OSC 52 escape sequence.
    CopyToClipboard(Secret),
}

/// A window drawn over the current screen; it takes the keys while it is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// Quit after steps of the run were made in AWS?
    ConfirmQuit,
    /// On Done: has the user stored the secret?
    ConfirmHaveIt,
}

/// The field of the paste form on the Account screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasteField {
    KeyId,
    Secret,
    Token,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserField {
    Name,
    Group,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileField {
    Name,
    Region,
    Output,
    /// Shown when the profile exists: may the new key replace its keys?
    Replace,
}

/// What has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    PresetList,
    SourceList,
    Paste(PasteField),
    User(UserField),
    PolicyFilter,
    Profile(ProfileField),
    Review,
    Run,
    Done,
}

impl Focus {
    /// Whether printable keys edit text here (so `q` types a q instead of quitting).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Focus::Paste(_)
                | Focus::User(_)
                | Focus::PolicyFilter
                | Focus::Profile(ProfileField::Name | ProfileField::Region)
        )
    }
}

/// How the wizard ended, for the CLI to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupOutcome {
    /// The profile was written and verified, and the user confirmed they have the secret.
    Done {
        profile: String,
        access_key_id: String,
    },
    /// The user left before anything was created in AWS.
    Cancelled,
    /// The user left after remote steps were made: the run can be resumed or rolled back.
    Interrupted,
}

/// Whether the wizard is on its way out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quitting {
    No,
    /// Leave once the remote steps in flight have finished (so no key or journal entry is lost).
    WhenSettled,
    /// Leave at once (a second Ctrl-C or signal).
    Now,
}

/// The wizard as the screens see it.
pub struct WizardModel {
    pub setup: Setup,
    pub(crate) preset: PresetPicker,
    pub(crate) account: SourcePicker,
    pub(crate) user: UserForm,
    pub(crate) policies: PolicyPicker,
    pub(crate) profile: ProfileForm,
    pub(crate) review: ReviewScroll,
    pub(crate) done: DoneState,
    pub(crate) overlay: Option<Overlay>,
    pub(crate) spinner: usize,
    pub(crate) size: Rect,
    pub(crate) quitting: Quitting,
}

impl WizardModel {
    /// Wraps `setup` (possibly pre-filled from flags) at whatever step it is on.
    ///
    /// `profiles` are the names in the user's files, offered as sources of credentials;
    /// `environment_has_keys` says whether `AWS_ACCESS_KEY_ID` is set.
    pub fn new(setup: Setup, profiles: Vec<String>, environment_has_keys: bool) -> WizardModel {
        let mut model = WizardModel {
            preset: PresetPicker::new(&setup),
            account: SourcePicker::new(&setup, profiles, environment_has_keys),
            user: UserForm::new(&setup),
            policies: PolicyPicker::default(),
            profile: ProfileForm::new(&setup),
            review: ReviewScroll::default(),
            done: DoneState::default(),
            overlay: None,
            spinner: 0,
            size: Rect::new(0, 0, 80, 24),
            quitting: Quitting::No,
            setup,
        };
        model.policies.refresh(&model.setup);
        model
    }

    pub fn update(&mut self, msg: UiMsg) -> Vec<UiEffect> {
        match msg {
            UiMsg::Intent(intent) => self.on_intent(intent),
            UiMsg::Edit(request) => self.on_edit(request),
            UiMsg::Paste(text) => self.on_paste(&text),
            UiMsg::Resize { width, height } => {
                self.size = Rect::new(0, 0, width, height);
                Vec::new()
            }
            UiMsg::Tick => {
                self.spinner = self.spinner.wrapping_add(1);
                Vec::new()
            }
            UiMsg::Result(msg) => self.on_result(msg),
            UiMsg::Terminate => {
                self.overlay = None;
                self.quitting = match self.quitting {
                    Quitting::No => Quitting::WhenSettled,
                    _ => Quitting::Now,
                };
                Vec::new()
            }
        }
    }

    /// What has the keyboard now, ignoring overlays.
    pub fn focus(&self) -> Focus {
        match self.setup.step {
            Step::Preset => Focus::PresetList,
            Step::Account => self.account.editing.map_or(Focus::SourceList, Focus::Paste),
            Step::User => Focus::User(self.user.focus),
            Step::Policies => Focus::PolicyFilter,
            Step::Profile => Focus::Profile(self.profile.focus),
            Step::Review => Focus::Review,
            Step::Run => Focus::Run,
            Step::Done => Focus::Done,
        }
    }

    /// Whether the screen (not an overlay or the quitting notice) has the keyboard.
    pub fn has_keyboard(&self) -> bool {
        self.overlay.is_none() && self.quitting == Quitting::No
    }

    pub fn overlay(&self) -> Option<Overlay> {
        self.overlay
    }

    pub fn quitting(&self) -> Quitting {
        self.quitting
    }

    /// How the wizard ends if it ends now.
    pub fn outcome(&self) -> SetupOutcome {
        match (&self.setup.step, &self.setup.created_key) {
            (Step::Done, Some(key)) => SetupOutcome::Done {
                profile: self.setup.answers.profile.clone(),
                access_key_id: key.access_key_id.clone(),
            },
            _ if self.setup.has_started_run() => SetupOutcome::Interrupted,
            _ => SetupOutcome::Cancelled,
        }
    }

    /// True while something on screen moves (a spinner), so the clock should redraw.
    pub fn is_animating(&self) -> bool {
        self.setup.waiting.is_some()
            || self.policies.is_loading(&self.setup)
            || self
                .setup
                .run
                .iter()
                .any(|item| matches!(item.status, Status::Running(_)))
            || self.quitting == Quitting::WhenSettled
    }

    /// True when the run has a failed step (Enter retries it).
    pub fn run_failed(&self) -> bool {
        self.setup
            .run
            .iter()
            .any(|item| matches!(item.status, Status::Failed(_)))
    }

    fn on_intent(&mut self, intent: Intent) -> Vec<UiEffect> {
        if let Some(overlay) = self.overlay {
            self.on_overlay_intent(overlay, intent);
            return Vec::new();
        }
        if self.quitting != Quitting::No {
            if intent == Intent::Quit {
                self.quitting = Quitting::Now;
            }
            return Vec::new();
        }
        match intent {
            Intent::Help => {
                self.overlay = Some(Overlay::Help);
                Vec::new()
            }
            Intent::Quit => {
                self.request_quit();
                Vec::new()
            }
            _ => self.on_screen_intent(intent),
        }
    }

    fn on_overlay_intent(&mut self, overlay: Overlay, intent: Intent) {
        match (overlay, intent) {
            (Overlay::Help, Intent::Help | Intent::Dismiss) => self.overlay = None,
            (Overlay::Help, Intent::Quit) => {
                self.overlay = None;
                self.request_quit();
            }
            (Overlay::ConfirmQuit | Overlay::ConfirmHaveIt, Intent::Confirm) => {
                self.overlay = None;
                self.quitting = Quitting::WhenSettled;
            }
            (Overlay::ConfirmQuit | Overlay::ConfirmHaveIt, Intent::Dismiss) => {
                self.overlay = None;
            }
            _ => {}
        }
    }

    /// Quitting before the run is free; after it started it needs a confirmation, and on Done
    /// the user confirms they have the secret.
    fn request_quit(&mut self) {
        if self.setup.step == Step::Done {
            self.overlay = Some(Overlay::ConfirmHaveIt);
        } else if self.setup.has_started_run() {
            self.overlay = Some(Overlay::ConfirmQuit);
        } else {
            self.quitting = Quitting::WhenSettled;
        }
    }

    fn on_screen_intent(&mut self, intent: Intent) -> Vec<UiEffect> {
        let messages = match self.setup.step {
            Step::Preset => self.preset.on_intent(intent, &self.setup),
            Step::Account => self.account.on_intent(intent, &self.setup),
            Step::User => self.user.on_intent(intent),
            Step::Policies => self.policies.on_intent(intent, &self.setup),
            Step::Profile => self.profile.on_intent(intent, &self.setup),
            Step::Review => {
                let area = super::layout(self.size).screen_inner;
                let (total, page) = super::review::measure(&self.setup, area);
                self.review.on_intent(intent, page, total)
            }
            Step::Run => match intent {
                Intent::Next => vec![Msg::Next],
                Intent::Back => vec![Msg::Back],
                _ => Vec::new(),
            },
            Step::Done => return self.on_done_intent(intent),
        };
        self.send(messages)
    }

    fn on_done_intent(&mut self, intent: Intent) -> Vec<UiEffect> {
        match intent {
            Intent::Reveal => self.done.revealed = !self.done.revealed,
            Intent::Copy => {
                if let Some(secret) = self.setup.secret() {
                    self.done.copied = true;
                    return vec![UiEffect::CopyToClipboard(secret.clone())];
                }
            }
            Intent::Next => self.overlay = Some(Overlay::ConfirmHaveIt),
            _ => {}
        }
        Vec::new()
    }

    fn on_edit(&mut self, request: InputRequest) -> Vec<UiEffect> {
        if self.overlay.is_some() || self.quitting != Quitting::No {
            return Vec::new();
        }
        let messages = match self.focus() {
            Focus::Paste(field) => {
                self.account.edit(field, request);
                Vec::new()
            }
            Focus::User(field) => self.user.edit(field, request),
            Focus::PolicyFilter => {
                self.policies.edit_filter(request, &self.setup);
                Vec::new()
            }
            Focus::Profile(field) => self.profile.edit(field, request, &self.setup),
            _ => Vec::new(),
        };
        self.send(messages)
    }

    /// Pasted text goes into the focused text input, trimmed and without line breaks.
    fn on_paste(&mut self, text: &Secret) -> Vec<UiEffect> {
        if !self.focus().is_text() {
            return Vec::new();
        }
        let mut effects = Vec::new();
        for c in text.expose().trim().chars().filter(|c| !c.is_control()) {
            effects.extend(self.on_edit(InputRequest::InsertChar(c)));
        }
        effects
    }

    fn on_result(&mut self, msg: Msg) -> Vec<UiEffect> {
        let catalog_arrived = matches!(msg, Msg::CatalogLoaded(..));
        let preview_arrived = matches!(msg, Msg::Previewed(..));
        let mut effects = self.send(vec![msg]);
        if catalog_arrived {
            self.policies.refresh(&self.setup);
        }
        // The preview is a check, not a question: when it raises nothing, go on to the review as
        // if the user had pressed Enter once more.
        let setup = &self.setup;
        if preview_arrived
            && setup.step == Step::Profile
            && setup.preview.is_some()
            && setup.waiting.is_none()
            && setup.field_error.is_none()
            && setup.problem.is_none()
        {
            effects.extend(self.send(vec![Msg::Next]));
        }
        effects
    }

    /// Feeds messages to the machine in order and keeps the screens in step with it.
    fn send(&mut self, messages: Vec<Msg>) -> Vec<UiEffect> {
        let mut effects = Vec::new();
        for msg in messages {
            let step_before = self.setup.step;
            let error_before = self.setup.field_error.clone();
            let core = self.setup.update(msg);
            if self.quitting == Quitting::No {
                effects.extend(core.into_iter().map(UiEffect::Core));
            }
            self.user.sync(&self.setup);
            self.profile.sync(&self.setup);
            if self.setup.step != step_before {
                self.entered(self.setup.step, &mut effects);
            }
            if self.setup.field_error != error_before
                && let Some(field) = self.setup.field_error.as_ref().map(|e| e.field)
            {
                self.focus_field(field);
            }
        }
        effects
    }

    fn entered(&mut self, step: Step, effects: &mut Vec<UiEffect>) {
        match step {
            Step::Account => self.account.editing = None,
            Step::Policies => self.policies.refresh(&self.setup),
            Step::Review => self.review = ReviewScroll::default(),
            Step::Done => {
                self.overlay = None;
                effects.push(UiEffect::FinishJournal);
            }
            _ => {}
        }
    }

    fn focus_field(&mut self, field: Field) {
        match field {
            Field::UserName => self.user.focus = UserField::Name,
            Field::Group => self.user.focus = UserField::Group,
            Field::ProfileName => self.profile.focus = ProfileField::Name,
            Field::Region => self.profile.focus = ProfileField::Region,
            Field::Output => self.profile.focus = ProfileField::Output,
            Field::ReplaceProfile => self.profile.focus = ProfileField::Replace,
            Field::Preset | Field::Source | Field::Policies => {}
        }
    }

    /// The remote steps of the run made so far, for the quit confirmation.
    pub fn completed_actions(&self) -> Vec<&Action> {
        self.setup
            .run
            .iter()
            .filter(|item| item.status == Status::Done)
            .map(|item| &item.action)
            .collect()
    }
}

/// An input seeded with `value`, cursor at the end.
pub(crate) fn input_with(value: &str) -> Input {
    Input::new(value.to_string())
}

/// Replaces the input's text when the machine's answer no longer matches what is typed (after a
/// preset was picked, say). Trailing spaces being typed are left alone: the machine trims them.
pub(crate) fn sync_input(input: &mut Input, answer: &str) {
    if input.value().trim() != answer {
        *input = input_with(answer);
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;

    use super::*;
    use crate::tui::fixtures::{self, Driver, FakeAws, ctrl, key};

    fn policies_screen() -> Driver {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::Policies);
        driver
    }

    #[test]
    fn enter_alone_walks_a_prefilled_wizard_to_done_and_out() {
        let mut driver = Driver::prefilled(FakeAws::default());
        let mut local = Vec::new();
        for _ in 0..20 {
            if driver.model.setup.step == Step::Done {
                break;
            }
            local.extend(driver.press(key(KeyCode::Enter)));
        }
        assert_eq!(driver.model.setup.step, Step::Done);
        assert!(matches!(local.as_slice(), [UiEffect::FinishJournal]));
        assert_eq!(driver.model.setup.answers.profile, "s3-readonly");
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.overlay(), Some(Overlay::ConfirmHaveIt));
        assert_eq!(driver.model.quitting(), Quitting::No);
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.quitting(), Quitting::WhenSettled);
        assert_eq!(
            driver.model.outcome(),
            SetupOutcome::Done {
                profile: "s3-readonly".to_string(),
                access_key_id: fixtures::NEW_KEY_ID.to_string(),
            }
        );
    }

    #[test]
    fn the_presets_policies_come_first_and_ticked() {
        let driver = policies_screen();
        let rows = &driver.model.policies.rows;
        assert_eq!(rows[0].name, "AmazonS3ReadOnlyAccess");
        assert_eq!(rows.len(), fixtures::catalog().len());
        assert_eq!(driver.model.setup.answers.policies.len(), 1);
    }

    #[test]
    fn typing_filters_fuzzily_and_esc_clears_before_going_back() {
        let mut driver = policies_screen();
        driver.type_text("ec2full");
        let names: Vec<&str> = driver
            .model
            .policies
            .rows
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names, ["AmazonEC2FullAccess"]);
        driver.press(key(KeyCode::Esc));
        assert_eq!(driver.model.setup.step, Step::Policies);
        assert_eq!(driver.model.policies.filter.value(), "");
        assert_eq!(driver.model.policies.rows.len(), fixtures::catalog().len());
        driver.press(key(KeyCode::Esc));
        assert_eq!(driver.model.setup.step, Step::User);
    }

    #[test]
    fn space_toggles_the_highlighted_policy_without_moving_rows() {
        let mut driver = policies_screen();
        let before: Vec<String> = driver
            .model
            .policies
            .rows
            .iter()
            .map(|r| r.arn.clone())
            .collect();
        driver.press(key(KeyCode::Down));
        let highlighted = driver.model.policies.rows[1].arn.clone();
        driver.press(key(KeyCode::Char(' ')));
        assert!(
            driver
                .model
                .setup
                .answers
                .policies
                .iter()
                .any(|p| p.arn == highlighted)
        );
        driver.press(key(KeyCode::Char(' ')));
        assert!(
            !driver
                .model
                .setup
                .answers
                .policies
                .iter()
                .any(|p| p.arn == highlighted)
        );
        let after: Vec<String> = driver
            .model
            .policies
            .rows
            .iter()
            .map(|r| r.arn.clone())
            .collect();
        assert_eq!(before, after);
        assert_eq!(driver.model.policies.cursor, 1);
    }

    #[test]
    fn a_policy_filter_with_no_match_leaves_nothing_to_toggle() {
        let mut driver = policies_screen();
        driver.type_text("zzzzqqq");
        assert!(driver.model.policies.rows.is_empty());
        assert!(driver.press(key(KeyCode::Char(' '))).is_empty());
        assert_eq!(driver.model.setup.answers.policies.len(), 1);
    }

    #[test]
    fn r_reveals_and_hides_and_c_copies_the_secret() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::Done);
        assert!(!driver.model.done.revealed);
        driver.press(key(KeyCode::Char('r')));
        assert!(driver.model.done.revealed);
        driver.press(key(KeyCode::Char('r')));
        assert!(!driver.model.done.revealed);
        let effects = driver.press(key(KeyCode::Char('c')));
        match effects.as_slice() {
            [UiEffect::CopyToClipboard(secret)] => {
                assert_eq!(secret.expose(), fixtures::NEW_SECRET)
            }
            other => panic!("expected one copy effect, got {other:?}"),
        }
        assert!(driver.model.done.copied);
    }

    #[test]
    fn quitting_before_the_run_needs_no_confirmation() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::User);
        driver.press(ctrl('c'));
        assert_eq!(driver.model.overlay(), None);
        assert_eq!(driver.model.quitting(), Quitting::WhenSettled);
        assert_eq!(driver.model.outcome(), SetupOutcome::Cancelled);
    }

    #[test]
    fn quitting_after_the_run_started_asks_and_can_be_declined() {
        let mut driver = Driver::prefilled(FakeAws {
            deny_create_user: true,
            ..FakeAws::default()
        });
        driver.enter_until(Step::Run);
        assert!(driver.model.run_failed());
        assert!(driver.model.setup.problem.is_some());
        driver.press(key(KeyCode::Char('q')));
        assert_eq!(driver.model.overlay(), Some(Overlay::ConfirmQuit));
        driver.press(key(KeyCode::Char('n')));
        assert_eq!(driver.model.overlay(), None);
        assert_eq!(driver.model.quitting(), Quitting::No);
        driver.press(key(KeyCode::Char('q')));
        driver.press(key(KeyCode::Char('y')));
        assert_eq!(driver.model.quitting(), Quitting::WhenSettled);
        assert_eq!(driver.model.outcome(), SetupOutcome::Interrupted);
    }

    #[test]
    fn enter_retries_a_failed_step() {
        let mut driver = Driver::prefilled(FakeAws {
            deny_create_user: true,
            ..FakeAws::default()
        });
        driver.enter_until(Step::Run);
        driver.aws.deny_create_user = false;
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.setup.step, Step::Done);
    }

    #[test]
    fn q_types_in_a_text_field_and_ctrl_c_still_quits() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::User);
        driver.press(key(KeyCode::Char('q')));
        assert_eq!(driver.model.setup.answers.user_name, "s3-readonlyq");
        assert_eq!(driver.model.quitting(), Quitting::No);
        driver.press(ctrl('c'));
        assert_eq!(driver.model.quitting(), Quitting::WhenSettled);
    }

    #[test]
    fn an_invalid_user_name_is_reported_under_the_field_and_blocks_next() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::User);
        driver.press(key(KeyCode::Down));
        assert_eq!(driver.model.focus(), Focus::User(UserField::Group));
        driver.press(key(KeyCode::Up));
        driver.type_text(" x");
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.setup.step, Step::User);
        let error = driver
            .model
            .setup
            .field_error
            .clone()
            .expect("a field error");
        assert_eq!(error.field, Field::UserName);
        assert_eq!(driver.model.focus(), Focus::User(UserField::Name));
        driver.press(ctrl('u'));
        driver.type_text("reader");
        assert_eq!(driver.model.setup.answers.user_name, "reader");
        assert_eq!(driver.model.setup.field_error, None);
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.setup.step, Step::Policies);
    }

    #[test]
    fn an_existing_user_is_announced_and_enter_reuses_it() {
        let mut driver = Driver::prefilled(FakeAws {
            user_exists: true,
            ..FakeAws::default()
        });
        driver.enter_until(Step::User);
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.setup.step, Step::User);
        assert!(driver.model.setup.existing.is_some_and(|e| e.user));
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.setup.step, Step::Policies);
    }

    #[test]
    fn picking_another_preset_refills_the_forms() {
        let mut driver = Driver::prefilled(FakeAws::default());
        let pharmer = driver
            .model
            .setup
            .presets
            .iter()
            .position(|p| p.id == "pharmer")
            .expect("the pharmer preset");
        while driver.model.preset.cursor > pharmer {
            driver.press(key(KeyCode::Up));
        }
        while driver.model.preset.cursor < pharmer {
            driver.press(key(KeyCode::Down));
        }
        driver.press(key(KeyCode::Enter));
        assert_eq!(
            driver.model.setup.answers.preset.as_deref(),
            Some("pharmer")
        );
        assert_eq!(driver.model.user.name.value(), "pharmer");
        assert_eq!(driver.model.user.group.value(), "pharmer");
        assert_eq!(driver.model.profile.name.value(), "pharmer");
    }

    #[test]
    fn pasted_keys_are_identified_and_stay_out_of_debug_output() {
        let mut driver = Driver::new(FakeAws::default());
        driver.enter_until(Step::Account);
        driver.press(key(KeyCode::End));
        assert_eq!(driver.model.focus(), Focus::SourceList);
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.focus(), Focus::Paste(PasteField::KeyId));
        driver.send(UiMsg::Paste(Secret::new("  AKIAPASTEDEXAMPLE\n")));
        driver.press(key(KeyCode::Tab));
        let msg = UiMsg::Paste(Secret::new(fixtures::NEW_SECRET));
        assert!(!format!("{msg:?}").contains(fixtures::NEW_SECRET));
        driver.send(msg);
        assert_eq!(driver.model.account.key_id.value(), "AKIAPASTEDEXAMPLE");
        driver.press(key(KeyCode::Enter));
        assert!(driver.model.setup.account.is_some());
        assert_eq!(driver.model.focus(), Focus::SourceList);
        let source = format!("{:?}", driver.model.setup.answers.source);
        assert!(source.contains("AKIAPASTEDEXAMPLE") && !source.contains(fixtures::NEW_SECRET));
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.setup.step, Step::User);
    }

    #[test]
    fn esc_in_the_paste_form_returns_to_the_list() {
        let mut driver = Driver::new(FakeAws::default());
        driver.enter_until(Step::Account);
        driver.press(key(KeyCode::End));
        driver.press(key(KeyCode::Enter));
        driver.press(key(KeyCode::Esc));
        assert_eq!(driver.model.focus(), Focus::SourceList);
        assert_eq!(driver.model.setup.step, Step::Account);
        driver.press(key(KeyCode::Esc));
        assert_eq!(driver.model.setup.step, Step::Preset);
    }

    #[test]
    fn an_existing_profile_is_replaced_only_after_a_tick() {
        let mut driver = Driver::prefilled(FakeAws {
            profile_exists: true,
            ..FakeAws::default()
        });
        driver.enter_until(Step::Profile);
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.setup.step, Step::Profile);
        assert_eq!(driver.model.focus(), Focus::Profile(ProfileField::Replace));
        driver.press(key(KeyCode::Char(' ')));
        assert!(driver.model.setup.answers.replace_profile);
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.setup.step, Step::Review);
    }

    #[test]
    fn renaming_the_profile_withdraws_the_replace_answer() {
        let mut driver = Driver::prefilled(FakeAws {
            profile_exists: true,
            ..FakeAws::default()
        });
        driver.enter_until(Step::Profile);
        driver.press(key(KeyCode::Enter));
        driver.press(key(KeyCode::Char(' ')));
        driver.press(key(KeyCode::Up));
        driver.press(key(KeyCode::Up));
        driver.press(key(KeyCode::Up));
        assert_eq!(driver.model.focus(), Focus::Profile(ProfileField::Name));
        driver.type_text("2");
        assert_eq!(driver.model.setup.answers.profile, "s3-readonly2");
        assert!(!driver.model.setup.answers.replace_profile);
    }

    #[test]
    fn the_output_format_cycles_with_space_and_arrows() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::Profile);
        driver.press(key(KeyCode::Tab));
        driver.press(key(KeyCode::Tab));
        assert_eq!(driver.model.focus(), Focus::Profile(ProfileField::Output));
        driver.press(key(KeyCode::Char(' ')));
        assert_eq!(driver.model.setup.answers.output.as_deref(), Some("json"));
        driver.press(key(KeyCode::Left));
        assert_eq!(driver.model.setup.answers.output, None);
    }

    #[test]
    fn a_signal_waits_for_remote_steps_in_flight_and_a_second_one_does_not() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::Review);
        let performs = driver.start_run();
        assert_eq!(performs.len(), 1, "CreateUser runs alone in the first wave");
        driver.send_unanswered(UiMsg::Terminate);
        assert_eq!(driver.model.quitting(), Quitting::WhenSettled);
        let answer = driver.aws.answer(&performs[0]);
        let effects = driver.send_unanswered(UiMsg::Result(answer));
        assert!(
            effects.iter().all(|e| !matches!(e, UiEffect::Core(_))),
            "no new remote step starts while quitting"
        );
        assert_eq!(driver.model.outcome(), SetupOutcome::Interrupted);
        driver.send_unanswered(UiMsg::Terminate);
        assert_eq!(driver.model.quitting(), Quitting::Now);
    }

    #[test]
    fn help_opens_and_closes_and_takes_the_keys_meanwhile() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.press(key(KeyCode::Char('?')));
        assert_eq!(driver.model.overlay(), Some(Overlay::Help));
        driver.press(key(KeyCode::Enter));
        assert_eq!(driver.model.setup.step, Step::Preset);
        driver.press(key(KeyCode::Char('?')));
        assert_eq!(driver.model.overlay(), None);
    }

    #[test]
    fn the_spinner_moves_only_on_ticks() {
        let mut driver = Driver::prefilled(FakeAws::default());
        driver.enter_until(Step::Account);
        driver.send_unanswered(UiMsg::Intent(Intent::Next));
        assert!(driver.model.is_animating());
        driver.send(UiMsg::Tick);
        assert_eq!(driver.model.spinner, 1);
    }
}
