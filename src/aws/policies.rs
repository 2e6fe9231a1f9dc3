//! IAM managed policies: look up, list the AWS managed ones, attach and detach.

use super::client::AwsClients;
use super::errors::{AwsError, none_if_missing};
use aws_sdk_iam::types::{Policy, PolicyScopeType};
use serde::{Deserialize, Serialize};

/// A managed policy. `ListPolicies` leaves out descriptions; `GetPolicy` includes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub default_version_id: Option<String>,
}

impl From<Policy> for ManagedPolicy {
    fn from(policy: Policy) -> Self {
        ManagedPolicy {
            name: policy.policy_name.unwrap_or_default(),
            arn: policy.arn.unwrap_or_default(),
            description: policy.description.filter(|text| !text.is_empty()),
            default_version_id: policy.default_version_id,
        }
    }
}

/// A managed policy attached to a user or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

impl From<aws_sdk_iam::types::AttachedPolicy> for AttachedPolicy {
    fn from(policy: aws_sdk_iam::types::AttachedPolicy) -> Self {
        AttachedPolicy {
            name: policy.policy_name.unwrap_or_default(),
            arn: policy.policy_arn.unwrap_or_default(),
        }
    }
}

/// The ARN for a policy name: `arn:aws:iam::aws:policy/NAME` for AWS managed policies.
/// An ARN is returned as it is.
pub fn policy_arn_for(name_or_arn: &str) -> String {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.to_owned()
    } else {
        format!("arn:aws:iam::aws:policy/{name_or_arn}")
    }
}

impl AwsClients {
    /// IAM `GetPolicy`; `None` when the account has no such policy.
    pub async fn get_policy(&self, policy_arn: &str) -> Result<Option<ManagedPolicy>, AwsError> {
        let result = self
            .iam
            .get_policy()
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(self.iam_error("iam:GetPolicy"));
        none_if_missing(result.map(|output| output.policy.map(ManagedPolicy::from)))
            .map(Option::flatten)
    }

    /// IAM `ListPolicies` with scope AWS, every page: all the AWS managed policies.
    pub async fn list_aws_managed_policies(&self) -> Result<Vec<ManagedPolicy>, AwsError> {
        let policies = self
            .iam
            .list_policies()
            .scope(PolicyScopeType::Aws)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(self.iam_error("iam:ListPolicies"))?;
        Ok(policies.into_iter().map(ManagedPolicy::from).collect())
    }

    /// IAM `AttachUserPolicy`.
    pub async fn attach_user_policy(
        &self,
        user_name: &str,
        policy_arn: &str,
    ) -> Result<(), AwsError> {
        self.iam
            .attach_user_policy()
            .user_name(user_name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(self.iam_error("iam:AttachUserPolicy"))?;
        Ok(())
    }

    /// IAM `DetachUserPolicy`.
    pub async fn detach_user_policy(
        &self,
        user_name: &str,
        policy_arn: &str,
    ) -> Result<(), AwsError> {
        self.iam
            .detach_user_policy()
            .user_name(user_name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(self.iam_error("iam:DetachUserPolicy"))?;
        Ok(())
    }

    /// IAM `AttachGroupPolicy`.
    pub async fn attach_group_policy(
        &self,
        group_name: &str,
        policy_arn: &str,
    ) -> Result<(), AwsError> {
        self.iam
            .attach_group_policy()
            .group_name(group_name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(self.iam_error("iam:AttachGroupPolicy"))?;
        Ok(())
    }

    /// IAM `DetachGroupPolicy`.
    pub async fn detach_group_policy(
        &self,
        group_name: &str,
        policy_arn: &str,
    ) -> Result<(), AwsError> {
        self.iam
            .detach_group_policy()
            .group_name(group_name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(self.iam_error("iam:DetachGroupPolicy"))?;
        Ok(())
    }

    /// IAM `ListAttachedUserPolicies`, every page.
    pub async fn list_attached_user_policies(
        &self,
        user_name: &str,
    ) -> Result<Vec<AttachedPolicy>, AwsError> {
        let attached = self
            .iam
            .list_attached_user_policies()
            .user_name(user_name)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(self.iam_error("iam:ListAttachedUserPolicies"))?;
        Ok(attached.into_iter().map(AttachedPolicy::from).collect())
    }

    /// IAM `ListAttachedGroupPolicies`, every page.
    pub async fn list_attached_group_policies(
        &self,
        group_name: &str,
    ) -> Result<Vec<AttachedPolicy>, AwsError> {
        let attached = self
            .iam
            .list_attached_group_policies()
            .group_name(group_name)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(self.iam_error("iam:ListAttachedGroupPolicies"))?;
        Ok(attached.into_iter().map(AttachedPolicy::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_aws_managed_arns() {
        assert_eq!(
            policy_arn_for("AdministratorAccess"),
            "arn:aws:iam::aws:policy/AdministratorAccess"
        );
        assert_eq!(
            policy_arn_for("service-role/AWSLambdaRole"),
            "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
        );
    }

    #[test]
    fn arns_are_kept() {
        let arn = "arn:aws:iam::123456789012:policy/Custom";
        assert_eq!(policy_arn_for(arn), arn);
    }
}
