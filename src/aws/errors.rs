//! `AwsError`: an AWS failure classified by what it means for credwiz, with the way out.

use super::error_body;
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use std::error::Error as StdError;

/// What kind of failure an AWS call met, as far as the user's next step is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsErrorKind {
    /// The caller lacks a permission; `action` is the IAM action, such as `iam:CreateUser`.
    AccessDenied {
        action: Option<String>,
    },
    EntityAlreadyExists,
    NoSuchEntity,
    /// A quota was hit, most often the two access keys a user may have.
    LimitExceeded,
    /// AWS throttled the call even after the SDK's own retries.
    Throttling,
    /// The key is unknown, deleted, expired, or its secret is wrong; or no credentials loaded.
    InvalidCredentials,
    /// The endpoint could not be reached (connection refused, DNS, timeout).
    Unreachable,
    Other,
}

/// A failed AWS call. `Display` gives the code, the message and the way out.
///
/// `operation` is the IAM or STS action that failed, such as `iam:CreateUser`. Messages never
/// contain secrets: they come from AWS or from the transport, never from credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{operation} failed{code}: {message}. {way_out}",
    code = code_suffix(code),
    message = message.trim_end_matches('.'),
    way_out = self.way_out()
)]
pub struct AwsError {
    pub kind: AwsErrorKind,
    pub code: Option<String>,
    pub message: String,
    pub operation: &'static str,
}

/// The code credwiz gives a failure to load credentials before any call is made.
pub(crate) const NO_CREDENTIALS: &str = "NoCredentials";

/// Messages for unreachable endpoints start with this, followed by the endpoint.
const UNREACHABLE_PREFIX: &str = "could not reach ";

impl AwsError {
    /// The failed operation, its code and AWS's message, without the way out.
    pub fn headline(&self) -> String {
        format!(
            "{} failed{}: {}",
            self.operation,
            code_suffix(&self.code),
            self.message
        )
    }

    /// Classifies an error AWS answered with, from its code and message.
    pub fn from_code(operation: &'static str, code: Option<&str>, message: &str) -> AwsError {
        let kind = match code.unwrap_or_default() {
            "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
                AwsErrorKind::AccessDenied {
                    action: denied_action(message).or_else(|| Some(operation.to_owned())),
                }
            }
            "EntityAlreadyExists" => AwsErrorKind::EntityAlreadyExists,
            "NoSuchEntity" | "NoSuchEntityException" => AwsErrorKind::NoSuchEntity,
            "LimitExceeded" | "LimitExceededException" => AwsErrorKind::LimitExceeded,
            "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "TooManyRequestsException"
            | "RequestLimitExceeded" => AwsErrorKind::Throttling,
            "InvalidClientTokenId"
            | "SignatureDoesNotMatch"
            | "UnrecognizedClientException"
            | "InvalidAccessKeyId"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "InvalidToken"
            | "AuthFailure" => AwsErrorKind::InvalidCredentials,
            _ => AwsErrorKind::Other,
        };
        AwsError {
            kind,
            code: code.map(str::to_owned),
            message: message.trim().to_owned(),
            operation,
        }
    }

    /// The endpoint could not be reached; `cause` is the transport's reason.
    pub fn unreachable(operation: &'static str, endpoint: &str, cause: &str) -> AwsError {
        AwsError {
            kind: AwsErrorKind::Unreachable,
            code: None,
            message: format!("{UNREACHABLE_PREFIX}{endpoint} ({cause})"),
            operation,
        }
    }

    /// No credentials could be loaded from the chosen source.
    pub fn no_credentials(operation: &'static str, reason: &str) -> AwsError {
        AwsError {
            kind: AwsErrorKind::InvalidCredentials,
            code: Some(NO_CREDENTIALS.to_owned()),
            message: reason.to_owned(),
            operation,
        }
    }

    /// Classifies an SDK error: transport failures and timeouts are `Unreachable`, service
    /// errors go by their code, and a credentials provider failure is `InvalidCredentials`.
    pub fn from_sdk<E>(
        operation: &'static str,
        endpoint: &str,
        err: SdkError<E, HttpResponse>,
    ) -> AwsError
    where
        E: ProvideErrorMetadata + StdError + 'static,
    {
        match &err {
            SdkError::ServiceError(service_error) => match err.code() {
                Some(code) => {
                    AwsError::from_code(operation, Some(code), err.message().unwrap_or_default())
                }
                None => AwsError::from_error_body(operation, service_error.raw()),
            },
            SdkError::TimeoutError(_) => {
                AwsError::unreachable(operation, endpoint, "the request timed out")
            }
            SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => {
                AwsError::unreachable(operation, endpoint, &innermost_cause(&err))
            }
            _ => match credentials_failure(&err) {
                Some(reason) => AwsError::no_credentials(operation, &reason),
                None => AwsError {
                    kind: AwsErrorKind::Other,
                    code: err.code().map(str::to_owned),
                    message: error_chain(&err),
                    operation,
                },
            },
        }
    }

    /// Classifies a service error the SDK could not parse by reading its body directly.
    fn from_error_body(operation: &'static str, response: &HttpResponse) -> AwsError {
        let body = String::from_utf8_lossy(response.body().bytes().unwrap_or_default());
        let (code, message) = error_body::code_and_message(&body);
        let message =
            message.unwrap_or_else(|| format!("HTTP status {}", response.status().as_u16()));
        AwsError::from_code(operation, code.as_deref(), &message)
    }

    /// Whether this is the "it does not exist" answer that lookups turn into `None`.
    pub fn is_no_such_entity(&self) -> bool {
        self.kind == AwsErrorKind::NoSuchEntity
    }

    /// What this means for the user and what to do next, in plain language.
    pub fn way_out(&self) -> String {
        match &self.kind {
            AwsErrorKind::AccessDenied { action } => {
                let action = action.as_deref().unwrap_or(self.operation);
                format!(
                    "The credentials in use lack the permission {action}. Act with a profile \
                     that has it, or ask an administrator to grant {action} (for example by \
                     attaching IAMFullAccess)."
                )
            }
            AwsErrorKind::EntityAlreadyExists => {
                "It already exists. Reuse it, or choose another name.".to_owned()
            }
            AwsErrorKind::NoSuchEntity => {
                "It does not exist in this account. Check the name, or create it first.".to_owned()
            }
            AwsErrorKind::LimitExceeded if self.is_access_key_quota() => {
                "An IAM user may have at most two access keys. Delete one the user no longer \
                 uses (ideally one no profile holds), then try again."
                    .to_owned()
            }
            AwsErrorKind::LimitExceeded => {
                "An IAM quota was reached. Remove something no longer needed, or ask AWS for a \
                 higher quota."
                    .to_owned()
            }
            AwsErrorKind::Throttling => {
                "AWS is throttling requests and credwiz's retries ran out. Wait a minute and try \
                 again."
                    .to_owned()
            }
            AwsErrorKind::InvalidCredentials => self.invalid_credentials_way_out(),
            AwsErrorKind::Unreachable => format!(
                "credwiz could not reach {}. Check the network connection, and the endpoint set \
                 with --endpoint-url or AWS_ENDPOINT_URL if you use one.",
                self.unreachable_endpoint().unwrap_or("the AWS endpoint")
            ),
            AwsErrorKind::Other => self.other_way_out(),
        }
    }

    fn invalid_credentials_way_out(&self) -> String {
        match self.code.as_deref() {
            Some("SignatureDoesNotMatch") => {
                "The secret access key does not match the access key id. Check that the secret \
                 was copied in full, with no extra characters."
                    .to_owned()
            }
            Some("ExpiredToken" | "ExpiredTokenException") => {
                "The session token has expired. Get fresh credentials and try again.".to_owned()
            }
            Some(NO_CREDENTIALS) => {
                "No credentials could be loaded. Check the profile or the environment variables, \
                 or choose another source of credentials."
                    .to_owned()
            }
            _ => "AWS does not recognise this access key: it is unknown or was deleted. Use \
                  another profile, or create a new key for the user."
                .to_owned(),
        }
    }

    fn other_way_out(&self) -> String {
        match self.code.as_deref() {
            Some("DeleteConflict") => {
                "It is still in use. Remove its access keys, attached policies and group \
                 memberships first."
                    .to_owned()
            }
            Some("ValidationError" | "InvalidInput" | "MalformedPolicyDocument") => {
                "AWS rejected the request as invalid; the message says which value.".to_owned()
            }
            _ => "AWS answered with an error credwiz does not recognise; the message says what \
                  went wrong. Try again, and check the logs if it persists."
                .to_owned(),
        }
    }

    fn is_access_key_quota(&self) -> bool {
        self.operation == "iam:CreateAccessKey" || self.message.contains("AccessKeysPerUser")
    }

    fn unreachable_endpoint(&self) -> Option<&str> {
        let rest = self.message.strip_prefix(UNREACHABLE_PREFIX)?;
        rest.split_whitespace().next()
    }
}

/// ` [Code]` for the `Display` line, or nothing when there is no code.
fn code_suffix(code: &Option<String>) -> String {
    code.as_deref()
        .map(|code| format!(" [{code}]"))
        .unwrap_or_default()
}

/// The IAM action named in an access-denied message, such as `iam:CreateUser` from
/// "... is not authorized to perform: iam:CreateUser on resource: ...".
fn denied_action(message: &str) -> Option<String> {
    let after = message
        .split_once("perform: ")
        .or_else(|| message.split_once("perform "))?
        .1;
    let token = after.split_whitespace().next()?;
    let token = token.trim_end_matches(['.', ',', ';']);
    looks_like_action(token).then(|| token.to_owned())
}

fn looks_like_action(token: &str) -> bool {
    let Some((service, action)) = token.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && !action.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && action
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '*')
}

/// The last error in the source chain: the transport's own words ("Connection refused").
fn innermost_cause(err: &(dyn StdError + 'static)) -> String {
    let mut current = err;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

/// Every message in the source chain, joined by ": ". Only `Display` is used: `Debug` output
/// of SDK errors can hold raw responses, and a `CreateAccessKey` response holds a secret.
fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(error) = current {
        let text = error.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        current = error.source();
    }
    parts.join(": ")
}

/// If the error chain holds a credentials provider failure, its full reason.
fn credentials_failure(err: &(dyn StdError + 'static)) -> Option<String> {
    let mut current = Some(err);
    while let Some(error) = current {
        if let Some(credentials_error) = error.downcast_ref::<CredentialsError>() {
            return Some(innermost_cause(credentials_error));
        }
        current = error.source();
    }
    None
}

/// Turns a `NoSuchEntity` failure into `Ok(None)`, for lookups where absence is an answer.
pub(crate) fn none_if_missing<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) if error.is_no_such_entity() => Ok(None),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DENIED: &str = "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: \
                          iam:CreateUser on resource: arn:aws:iam::123456789012:user/alice";

    #[test]
    fn access_denied_names_the_action_from_the_message() {
        let error = AwsError::from_code("iam:CreateUser", Some("AccessDenied"), DENIED);
        assert_eq!(
            error.kind,
            AwsErrorKind::AccessDenied {
                action: Some("iam:CreateUser".into())
            }
        );
        assert!(error.way_out().contains("iam:CreateUser"));
    }

    #[test]
    fn access_denied_reads_the_newer_message_shape() {
        let message = "User: arn:aws:iam::1:user/bob is not authorized to perform: \
                       iam:AttachUserPolicy on resource: user alice because no identity-based \
                       policy allows the iam:AttachUserPolicy action";
        assert_eq!(
            denied_action(message).as_deref(),
            Some("iam:AttachUserPolicy")
        );
    }

    #[test]
    fn access_denied_without_a_parsable_action_falls_back_to_the_operation() {
        let error = AwsError::from_code("iam:ListPolicies", Some("AccessDenied"), "Access denied");
        assert_eq!(
            error.kind,
            AwsErrorKind::AccessDenied {
                action: Some("iam:ListPolicies".into())
            }
        );
    }

    #[test]
    fn codes_map_to_kinds() {
        let cases = [
            ("EntityAlreadyExists", AwsErrorKind::EntityAlreadyExists),
            ("NoSuchEntity", AwsErrorKind::NoSuchEntity),
            ("LimitExceeded", AwsErrorKind::LimitExceeded),
            ("Throttling", AwsErrorKind::Throttling),
            ("ThrottlingException", AwsErrorKind::Throttling),
            ("InvalidClientTokenId", AwsErrorKind::InvalidCredentials),
            ("SignatureDoesNotMatch", AwsErrorKind::InvalidCredentials),
            ("ExpiredToken", AwsErrorKind::InvalidCredentials),
            ("DeleteConflict", AwsErrorKind::Other),
        ];
        for (code, kind) in cases {
            assert_eq!(
                AwsError::from_code("iam:X", Some(code), "m").kind,
                kind,
                "{code}"
            );
        }
        assert_eq!(
            AwsError::from_code("iam:X", None, "m").kind,
            AwsErrorKind::Other
        );
    }

    #[test]
    fn key_quota_says_two_keys() {
        let error = AwsError::from_code(
            "iam:CreateAccessKey",
            Some("LimitExceeded"),
            "Cannot exceed quota for AccessKeysPerUser: 2",
        );
        assert!(error.way_out().contains("at most two access keys"));
    }

    #[test]
    fn unknown_key_says_unknown_or_deleted() {
        let error = AwsError::from_code(
            "sts:GetCallerIdentity",
            Some("InvalidClientTokenId"),
            "The security token included in the request is invalid.",
        );
        assert!(error.way_out().contains("unknown or was deleted"));
    }

    #[test]
    fn unreachable_names_the_endpoint() {
        let error =
            AwsError::unreachable("iam:GetUser", "http://127.0.0.1:1", "Connection refused");
        assert_eq!(error.kind, AwsErrorKind::Unreachable);
        assert!(
            error
                .way_out()
                .contains("could not reach http://127.0.0.1:1.")
        );
    }

    #[test]
    fn display_has_code_message_and_way_out() {
        let error = AwsError::from_code("iam:CreateUser", Some("AccessDenied"), DENIED);
        let shown = error.to_string();
        assert!(shown.starts_with("iam:CreateUser failed [AccessDenied]: User: arn:"));
        assert!(shown.ends_with(&error.way_out()));
    }

    #[test]
    fn tokens_that_are_not_actions_are_ignored() {
        assert_eq!(
            denied_action("not authorized to perform this operation"),
            None
        );
        assert_eq!(denied_action("perform: iam:Get*,"), Some("iam:Get*".into()));
    }

    #[derive(Debug, thiserror::Error)]
    #[error("{text}")]
    struct Layer {
        text: &'static str,
        #[source]
        source: Option<Box<Layer>>,
    }

    #[test]
    fn chains_join_distinct_messages() {
        let refused = Layer {
            text: "Connection refused",
            source: None,
        };
        let io = Layer {
            text: "io error",
            source: Some(Box::new(refused)),
        };
        let outer = Layer {
            text: "dispatch failure",
            source: Some(Box::new(io)),
        };
        assert_eq!(innermost_cause(&outer), "Connection refused");
        assert_eq!(
            error_chain(&outer),
            "dispatch failure: io error: Connection refused"
        );
    }

    #[test]
    fn missing_entities_become_none() {
        let missing = AwsError::from_code("iam:GetUser", Some("NoSuchEntity"), "gone");
        assert_eq!(none_if_missing::<()>(Err(missing)), Ok(None));
        let denied = AwsError::from_code("iam:GetUser", Some("AccessDenied"), DENIED);
        assert!(none_if_missing::<()>(Err(denied)).is_err());
    }
}
