//! IAM and STS over the AWS SDK: the calls the flows need, and error classification.
//!
//! Connect with [`connect`], then call the methods on [`AwsClients`]. Every call returns plain
//! owned structs (never SDK types) or an [`AwsError`] that says what went wrong and what to do.

mod access_keys;
mod client;
mod dates;
mod endpoints;
mod error_body;
mod errors;
mod groups;
mod identity;
mod policies;
mod users;

pub use access_keys::{AccessKeyInfo, AccessKeyStatus, KeyLastUsed, NewAccessKey};
pub use client::{
    AwsClients, CONNECT_TIMEOUT, CredentialSource, MAX_ATTEMPTS, OPERATION_TIMEOUT,
    ProfileFilePaths, clients_with_static_key, connect,
};
pub use endpoints::Endpoints;
pub use errors::{AwsError, AwsErrorKind};
pub use groups::IamGroup;
pub use identity::CallerIdentity;
pub use policies::{AttachedPolicy, ManagedPolicy, policy_arn_for};
pub use users::IamUser;
