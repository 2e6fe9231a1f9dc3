//! IAM access keys: create, list, last use, activate or deactivate, delete.

use super::client::AwsClients;
use super::dates::to_offset_date_time;
use super::errors::AwsError;
use crate::secret::Secret;
use aws_sdk_iam::types::StatusType;
use std::fmt;
use time::OffsetDateTime;

/// A key just created: the only moment its secret is known. `Debug` prints the secret as `****`.
#[derive(Debug, Clone)]
pub struct NewAccessKey {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub user_name: String,
    pub create_date: Option<OffsetDateTime>,
}

/// Whether a key can be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessKeyStatus {
    Active,
    Inactive,
    Expired,
    /// A status this version of credwiz does not know.
    Other(String),
}

impl AccessKeyStatus {
    /// The status as IAM spells it.
    pub fn as_str(&self) -> &str {
        match self {
            AccessKeyStatus::Active => "Active",
            AccessKeyStatus::Inactive => "Inactive",
            AccessKeyStatus::Expired => "Expired",
            AccessKeyStatus::Other(status) => status,
        }
    }

    fn from_sdk(status: &StatusType) -> Self {
        match status.as_str() {
            "Active" => AccessKeyStatus::Active,
            "Inactive" => AccessKeyStatus::Inactive,
            "Expired" => AccessKeyStatus::Expired,
            other => AccessKeyStatus::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for AccessKeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of a user's keys, as `ListAccessKeys` describes it (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyInfo {
    pub access_key_id: String,
    pub status: AccessKeyStatus,
    pub create_date: Option<OffsetDateTime>,
}

/// When and where a key was last used; all `None` for a key never used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLastUsed {
    pub user_name: Option<String>,
    pub last_used: Option<OffsetDateTime>,
    pub service_name: Option<String>,
    pub region: Option<String>,
}

/// IAM answers `N/A` for the service and region of a key never used.
fn known(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.is_empty() && text != "N/A")
}

impl AwsClients {
    /// IAM `CreateAccessKey` for `user_name`. The secret is moved straight into a [`Secret`].
    pub async fn create_access_key(&self, user_name: &str) -> Result<NewAccessKey, AwsError> {
        let operation = "iam:CreateAccessKey";
        let output = self
            .iam
            .create_access_key()
            .user_name(user_name)
            .send()
            .await
            .map_err(self.iam_error(operation))?;
        let key = output
            .access_key
            .ok_or_else(|| AwsError::from_code(operation, None, "the answer held no key"))?;
        Ok(NewAccessKey {
            create_date: key.create_date.as_ref().and_then(to_offset_date_time),
            access_key_id: key.access_key_id,
            secret_access_key: Secret::new(key.secret_access_key),
            user_name: key.user_name,
        })
    }

    /// IAM `ListAccessKeys` for `user_name`, every page.
    pub async fn list_access_keys(&self, user_name: &str) -> Result<Vec<AccessKeyInfo>, AwsError> {
        let keys = self
            .iam
            .list_access_keys()
            .user_name(user_name)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(self.iam_error("iam:ListAccessKeys"))?;
        Ok(keys
            .into_iter()
            .map(|key| AccessKeyInfo {
                create_date: key.create_date.as_ref().and_then(to_offset_date_time),
                status: key
                    .status
                    .as_ref()
                    .map(AccessKeyStatus::from_sdk)
                    .unwrap_or(AccessKeyStatus::Other(String::new())),
                access_key_id: key.access_key_id.unwrap_or_default(),
            })
            .collect())
    }

    /// IAM `GetAccessKeyLastUsed`.
    pub async fn get_access_key_last_used(
        &self,
        access_key_id: &str,
    ) -> Result<KeyLastUsed, AwsError> {
        let output = self
            .iam
            .get_access_key_last_used()
            .access_key_id(access_key_id)
            .send()
            .await
            .map_err(self.iam_error("iam:GetAccessKeyLastUsed"))?;
        let last_used = output.access_key_last_used;
        Ok(KeyLastUsed {
            user_name: output.user_name,
            last_used: last_used
                .as_ref()
                .and_then(|used| used.last_used_date.as_ref())
                .and_then(to_offset_date_time),
            service_name: known(last_used.as_ref().map(|used| used.service_name.clone())),
            region: known(last_used.map(|used| used.region)),
        })
    }

    /// IAM `UpdateAccessKey`: make a key active or inactive.
    pub async fn update_access_key_status(
        &self,
        user_name: &str,
        access_key_id: &str,
        status: &AccessKeyStatus,
    ) -> Result<(), AwsError> {
        self.iam
            .update_access_key()
            .user_name(user_name)
            .access_key_id(access_key_id)
            .status(StatusType::from(status.as_str()))
            .send()
            .await
            .map_err(self.iam_error("iam:UpdateAccessKey"))?;
        Ok(())
    }

    /// IAM `DeleteAccessKey`.
    pub async fn delete_access_key(
        &self,
        user_name: &str,
        access_key_id: &str,
    ) -> Result<(), AwsError> {
        self.iam
            .delete_access_key()
            .user_name(user_name)
            .access_key_id(access_key_id)
            .send()
            .await
            .map_err(self.iam_error("iam:DeleteAccessKey"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_key_debug_hides_the_secret() {
        let key = NewAccessKey {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            user_name: "alice".into(),
            create_date: None,
        };
        let shown = format!("{key:?}");
        assert!(shown.contains("AKIAEXAMPLE"));
        assert!(!shown.contains("wJalr"));
    }

    #[test]
    fn status_round_trips_through_the_sdk_spelling() {
        for status in [AccessKeyStatus::Active, AccessKeyStatus::Inactive] {
            let sdk = StatusType::from(status.as_str());
            assert_eq!(AccessKeyStatus::from_sdk(&sdk), status);
        }
    }

    #[test]
    fn never_used_keys_have_no_service_or_region() {
        assert_eq!(known(Some("N/A".into())), None);
        assert_eq!(known(Some("iam".into())).as_deref(), Some("iam"));
    }
}
