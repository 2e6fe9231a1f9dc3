//! Who the credentials belong to: STS `GetCallerIdentity` and the account's alias.

use super::client::AwsClients;
use super::errors::AwsError;

/// The identity behind the credentials in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

impl CallerIdentity {
    /// True for the account's root user, whose keys should not be used day to day.
    pub fn is_root(&self) -> bool {
        self.arn.ends_with(":root")
    }

    /// The IAM user name when the caller is an IAM user (`arn:aws:iam::1:user/path/NAME`).
    pub fn user_name(&self) -> Option<&str> {
        let resource = self.arn.split(':').nth(5)?;
        let path_and_name = resource.strip_prefix("user/")?;
        path_and_name.rsplit('/').next()
    }
}

impl AwsClients {
    /// STS `GetCallerIdentity`: the account, ARN and user id the credentials resolve to.
    pub async fn caller_identity(&self) -> Result<CallerIdentity, AwsError> {
        let output = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(self.sts_error("sts:GetCallerIdentity"))?;
        Ok(CallerIdentity {
            account: output.account.unwrap_or_default(),
            arn: output.arn.unwrap_or_default(),
            user_id: output.user_id.unwrap_or_default(),
        })
    }

    /// IAM `ListAccountAliases`, all pages. Most accounts have none or one.
    pub async fn list_account_aliases(&self) -> Result<Vec<String>, AwsError> {
        let operation = "iam:ListAccountAliases";
        self.iam
            .list_account_aliases()
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(self.iam_error(operation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(arn: &str) -> CallerIdentity {
        CallerIdentity {
            account: "123456789012".into(),
            arn: arn.into(),
            user_id: "AIDAEXAMPLE".into(),
        }
    }

    #[test]
    fn root_is_recognised() {
        assert!(identity("arn:aws:iam::123456789012:root").is_root());
        assert!(!identity("arn:aws:iam::123456789012:user/root").is_root());
    }

    #[test]
    fn user_name_comes_from_the_arn() {
        let user = identity("arn:aws:iam::123456789012:user/division/alice");
        assert_eq!(user.user_name(), Some("alice"));
        let role = identity("arn:aws:sts::123456789012:assumed-role/admin/session");
        assert_eq!(role.user_name(), None);
    }
}
