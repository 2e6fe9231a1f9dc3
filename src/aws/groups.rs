//! IAM groups: look up, create, delete, and user membership.

use super::client::AwsClients;
use super::dates::to_offset_date_time;
use super::errors::{AwsError, none_if_missing};
use time::OffsetDateTime;

/// An IAM group and the names of its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamGroup {
    pub name: String,
    pub arn: String,
    pub group_id: String,
    pub create_date: Option<OffsetDateTime>,
    pub members: Vec<String>,
}

impl IamGroup {
    fn new(group: aws_sdk_iam::types::Group, members: Vec<String>) -> Self {
        IamGroup {
            create_date: to_offset_date_time(&group.create_date),
            name: group.group_name,
            arn: group.arn,
            group_id: group.group_id,
            members,
        }
    }
}

impl AwsClients {
    /// IAM `GetGroup` with every page of members; `None` when there is no such group.
    pub async fn get_group(&self, group_name: &str) -> Result<Option<IamGroup>, AwsError> {
        let pages = self
            .iam
            .get_group()
            .group_name(group_name)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(self.iam_error("iam:GetGroup"));
        let Some(pages) = none_if_missing(pages)? else {
            return Ok(None);
        };
        let members = pages
            .iter()
            .flat_map(|page| page.users())
            .map(|user| user.user_name.clone())
            .collect();
        let group = pages.into_iter().find_map(|page| page.group);
        Ok(group.map(|group| IamGroup::new(group, members)))
    }

    /// IAM `CreateGroup`.
    pub async fn create_group(&self, group_name: &str) -> Result<IamGroup, AwsError> {
        let operation = "iam:CreateGroup";
        let output = self
            .iam
            .create_group()
            .group_name(group_name)
            .send()
            .await
            .map_err(self.iam_error(operation))?;
        output
            .group
            .map(|group| IamGroup::new(group, Vec::new()))
            .ok_or_else(|| AwsError::from_code(operation, None, "the answer held no group"))
    }

    /// IAM `DeleteGroup`. The group must have no members or attached policies left.
    pub async fn delete_group(&self, group_name: &str) -> Result<(), AwsError> {
        self.iam
            .delete_group()
            .group_name(group_name)
            .send()
            .await
            .map_err(self.iam_error("iam:DeleteGroup"))?;
        Ok(())
    }

    /// IAM `AddUserToGroup`.
    pub async fn add_user_to_group(
        &self,
        user_name: &str,
        group_name: &str,
    ) -> Result<(), AwsError> {
        self.iam
            .add_user_to_group()
            .user_name(user_name)
            .group_name(group_name)
            .send()
            .await
            .map_err(self.iam_error("iam:AddUserToGroup"))?;
        Ok(())
    }

    /// IAM `RemoveUserFromGroup`.
    pub async fn remove_user_from_group(
        &self,
        user_name: &str,
        group_name: &str,
    ) -> Result<(), AwsError> {
        self.iam
            .remove_user_from_group()
            .user_name(user_name)
            .group_name(group_name)
            .send()
            .await
            .map_err(self.iam_error("iam:RemoveUserFromGroup"))?;
        Ok(())
    }
}
