//! The Account screen: choose the credentials to act with (a profile, the environment, or keys
//! pasted for this run only), then see whose they are: account id, caller ARN and alias, with a
//! warning for the root user. With no credentials anywhere it says how to get an AWS account.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};
use tui_input::InputRequest;

use super::model::{Intent, PasteField, WizardModel};
use crate::aws::CredentialSource;
use crate::flows::setup::{Msg, Setup};
use crate::secret::Secret;
use crate::tui::secret_input::SecretInput;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, Echo, TextField};

/// Where a new AWS customer starts.
const SIGN_UP_URL: &str = "https://portal.aws.amazon.com/billing/signup";

/// One row of the source list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SourceChoice {
    Profile(String),
    Environment,
    Paste,
}

/// The source list and the paste form.
pub(crate) struct SourcePicker {
    pub(crate) choices: Vec<SourceChoice>,
    pub(crate) cursor: usize,
    /// The paste field being edited; `None` while the list has the keyboard.
    pub(crate) editing: Option<PasteField>,
    pub(crate) key_id: SecretInput,
    pub(crate) secret: SecretInput,
    pub(crate) token: SecretInput,
    pub(crate) environment_has_keys: bool,
    /// No profile and no keys in the environment: this person may have no AWS account yet.
    pub(crate) nothing_found: bool,
    /// A profile given with `--source-profile` that the files do not define.
    pub(crate) unknown_profile: Option<String>,
}

impl SourcePicker {
    pub(crate) fn new(
        setup: &Setup,
        mut profiles: Vec<String>,
        environment_has_keys: bool,
    ) -> SourcePicker {
        let nothing_found = profiles.is_empty() && !environment_has_keys;
        let mut unknown_profile = None;
        if let Some(CredentialSource::Profile(name)) = &setup.answers.source
            && !profiles.contains(name)
        {
            profiles.push(name.clone());
            profiles.sort();
            unknown_profile = Some(name.clone());
        }
        let mut choices: Vec<SourceChoice> =
            profiles.into_iter().map(SourceChoice::Profile).collect();
        choices.push(SourceChoice::Environment);
        choices.push(SourceChoice::Paste);
        let cursor = match &setup.answers.source {
            Some(CredentialSource::Profile(name)) => choices
                .iter()
                .position(|c| *c == SourceChoice::Profile(name.clone())),
            Some(CredentialSource::Environment) => {
                choices.iter().position(|c| *c == SourceChoice::Environment)
            }
            Some(CredentialSource::Pasted { .. }) => {
                choices.iter().position(|c| *c == SourceChoice::Paste)
            }
            None if environment_has_keys => {
                choices.iter().position(|c| *c == SourceChoice::Environment)
            }
            None => None,
        }
        .unwrap_or(0);
        SourcePicker {
            choices,
            cursor,
            editing: None,
            key_id: SecretInput::default(),
            secret: SecretInput::default(),
            token: SecretInput::default(),
            environment_has_keys,
            nothing_found,
            unknown_profile,
        }
    }

    pub(crate) fn highlighted(&self) -> &SourceChoice {
        &self.choices[self.cursor.min(self.choices.len() - 1)]
    }

    pub(crate) fn on_intent(&mut self, intent: Intent, setup: &Setup) -> Vec<Msg> {
        match (self.editing, intent) {
            (None, Intent::Next) => self.choose(setup),
            (None, Intent::Back) => vec![Msg::Back],
            (None, _) => {
                self.cursor = widgets::move_cursor(self.cursor, self.choices.len(), intent, 5);
                Vec::new()
            }
            (Some(_), Intent::Next) => self.submit_pasted(setup),
            (Some(_), Intent::Back) => {
                self.editing = None;
                Vec::new()
            }
            (Some(field), Intent::Down | Intent::NextField) => {
                self.editing = Some(match field {
                    PasteField::KeyId => PasteField::Secret,
                    PasteField::Secret | PasteField::Token => PasteField::Token,
                });
                Vec::new()
            }
            (Some(field), Intent::Up | Intent::PreviousField) => {
                self.editing = Some(match field {
                    PasteField::KeyId | PasteField::Secret => PasteField::KeyId,
                    PasteField::Token => PasteField::Secret,
                });
                Vec::new()
            }
            (Some(_), _) => Vec::new(),
        }
    }

    pub(crate) fn edit(&mut self, field: PasteField, request: InputRequest) {
        let input = match field {
            PasteField::KeyId => &mut self.key_id,
            PasteField::Secret => &mut self.secret,
            PasteField::Token => &mut self.token,
        };
        input.handle(request);
    }

    /// Enter on the list: the highlighted source, checked with STS. Choosing the source already
    /// identified moves on to the next step.
    fn choose(&mut self, setup: &Setup) -> Vec<Msg> {
        let source = match self.highlighted() {
            SourceChoice::Paste => {
                if self.key_id.value().trim().is_empty() || self.secret.value().trim().is_empty() {
                    self.editing = Some(self.first_empty_paste_field());
                    return Vec::new();
                }
                return self.submit_pasted(setup);
            }
            SourceChoice::Profile(name) => CredentialSource::Profile(name.clone()),
            SourceChoice::Environment => CredentialSource::Environment,
        };
        pick_and_go(source, setup)
    }

    fn first_empty_paste_field(&self) -> PasteField {
        if self.key_id.value().trim().is_empty() {
            PasteField::KeyId
        } else {
            PasteField::Secret
        }
    }

    fn submit_pasted(&mut self, setup: &Setup) -> Vec<Msg> {
        if self.key_id.value().trim().is_empty() || self.secret.value().trim().is_empty() {
            self.editing = Some(self.first_empty_paste_field());
            return Vec::new();
        }
        let token = self.token.value().trim();
        let source = CredentialSource::Pasted {
            access_key_id: self.key_id.value().trim().to_string(),
            secret_access_key: Secret::new(self.secret.value().trim()),
            session_token: (!token.is_empty()).then(|| Secret::new(token)),
        };
        self.editing = None;
        pick_and_go(source, setup)
    }
}

/// Re-picking the source that was already identified would throw its identity away.
fn pick_and_go(source: CredentialSource, setup: &Setup) -> Vec<Msg> {
    if setup
        .answers
        .source
        .as_ref()
        .is_some_and(|current| same_source(current, &source))
    {
        vec![Msg::Next]
    } else {
        vec![Msg::PickSource(source), Msg::Next]
    }
}

fn same_source(a: &CredentialSource, b: &CredentialSource) -> bool {
    match (a, b) {
        (CredentialSource::Profile(a), CredentialSource::Profile(b)) => a == b,
        (CredentialSource::Environment, CredentialSource::Environment) => true,
        (
            CredentialSource::Pasted {
                access_key_id: id_a,
                secret_access_key: secret_a,
                session_token: token_a,
            },
            CredentialSource::Pasted {
                access_key_id: id_b,
                secret_access_key: secret_b,
                session_token: token_b,
            },
        ) => id_a == id_b && secret_a == secret_b && token_a == token_b,
        _ => false,
    }
}

pub(crate) fn render(model: &WizardModel, theme: Theme, frame: &mut Frame, area: Rect) {
    let picker = &model.account;
    let setup = &model.setup;
    let paste_height = if *picker.highlighted() == SourceChoice::Paste {
        3
    } else {
        0
    };
    let status = status_lines(model, theme);
    let status_height =
        widgets::lines_height(&status, area.width) + u16::from(setup.field_error.is_some());
    // The list gets what the status leaves, and at least three rows; it scrolls.
    let spare = area
        .height
        .saturating_sub(1 + 1 + paste_height + u16::from(paste_height > 0) + 1 + status_height);
    let list_height = u16::try_from(picker.choices.len())
        .unwrap_or(u16::MAX)
        .min(spare.max(3));
    let [intro, list_area, paste_area, status_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(list_height),
        Constraint::Length(paste_height),
        Constraint::Min(0),
    ])
    .spacing(1)
    .areas(area);
    frame.render_widget(
        Line::styled("Act with which credentials?", theme.muted()),
        intro,
    );
    let items: Vec<ListItem> = picker
        .choices
        .iter()
        .map(|choice| ListItem::new(choice_line(choice, picker, theme)))
        .collect();
    let mut state = ListState::default().with_selected(Some(picker.cursor));
    let list_style = if picker.editing.is_none() {
        theme.selected()
    } else {
        theme.focused()
    };
    frame.render_stateful_widget(
        List::new(items)
            .highlight_style(list_style)
            .highlight_symbol("› "),
        list_area,
        &mut state,
    );
    if paste_height > 0 {
        render_paste_form(picker, model.has_keyboard(), theme, frame, paste_area);
    }
    frame.render_widget(
        Paragraph::new(status).wrap(Wrap { trim: false }),
        status_area,
    );
    if let Some(error) = &setup.field_error {
        let [_, bottom] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(status_area);
        frame.render_widget(widgets::field_error_line(&error.message, theme), bottom);
    }
}

fn choice_line(choice: &SourceChoice, picker: &SourcePicker, theme: Theme) -> Line<'static> {
    match choice {
        SourceChoice::Profile(name) => {
            let mut spans = vec![
                Span::styled("profile ", theme.muted()),
                Span::raw(name.clone()),
            ];
            if picker.unknown_profile.as_ref() == Some(name) {
                spans.push(Span::styled("  not in your files", theme.warning()));
            }
            Line::from(spans)
        }
        SourceChoice::Environment => Line::from(vec![
            Span::raw("Environment variables"),
            Span::styled(
                if picker.environment_has_keys {
                    "  AWS_ACCESS_KEY_ID is set"
                } else {
                    "  AWS_ACCESS_KEY_ID is not set"
                },
                theme.muted(),
            ),
        ]),
        SourceChoice::Paste => Line::from(vec![
            Span::raw("Paste keys"),
            Span::styled("  for this run only, never written", theme.muted()),
        ]),
    }
}

fn render_paste_form(
    picker: &SourcePicker,
    keyboard: bool,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let rows = Layout::vertical([Constraint::Length(1); 3]).split(area);
    let fields = [
        (
            PasteField::KeyId,
            "Access key id",
            &picker.key_id,
            Echo::Plain,
            "AKIA…",
        ),
        (
            PasteField::Secret,
            "Secret key",
            &picker.secret,
            Echo::Masked,
            "paste it; it stays hidden",
        ),
        (
            PasteField::Token,
            "Session token",
            &picker.token,
            Echo::Masked,
            "only for temporary keys",
        ),
    ];
    for ((field, label, input, echo, placeholder), row) in fields.into_iter().zip(rows.iter()) {
        TextField {
            label,
            input,
            focused: keyboard && picker.editing == Some(field),
            echo,
            placeholder,
        }
        .render(theme, frame, *row);
    }
}

/// Below the list: who the credentials belong to, the wait, or how to get an account.
fn status_lines(model: &WizardModel, theme: Theme) -> Vec<Line<'static>> {
    let setup = &model.setup;
    if setup.waiting.is_some() {
        return vec![Line::from(vec![
            Span::styled(widgets::spinner(model.spinner), theme.focused()),
            Span::raw(" Asking STS who these credentials belong to…"),
        ])];
    }
    if let Some(account) = &setup.account {
        let identity = &account.identity;
        let alias = if account.aliases.is_empty() {
            "none".to_string()
        } else {
            account.aliases.join(", ")
        };
        let mut lines = vec![
            Line::from(vec![
                Span::styled("✓ ", theme.ok()),
                Span::styled("These credentials work", theme.ok()),
            ]),
            widgets::label_line("Account", &identity.account, theme),
            widgets::label_line("Alias", &alias, theme),
            widgets::label_line("Caller", &identity.arn, theme),
        ];
        if identity.is_root() {
            lines.push(Line::from(vec![
                Span::styled("⚠ Root user: ", theme.warning()),
                Span::raw(
                    "these keys can do anything, even close the account. Use them only to create \
                     the IAM user, then delete them in the console.",
                ),
            ]));
        }
        return lines;
    }
    if model.account.nothing_found {
        return vec![
            Line::styled("No AWS credentials found", theme.warning()),
            Line::raw(format!(
                "No profile in your AWS files and no AWS_ACCESS_KEY_ID. If you have no AWS \
                 account yet, create one at {SIGN_UP_URL}, sign in to the console, and create \
                 an access key for an administrator; then paste it here, or press q to quit \
                 and run `credwiz setup` again."
            )),
        ];
    }
    Vec::new()
}
