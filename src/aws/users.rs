//! IAM users: look up, create and delete.

use super::client::AwsClients;
use super::dates::to_offset_date_time;
use super::errors::{AwsError, none_if_missing};
use time::OffsetDateTime;

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamUser {
    pub name: String,
    pub arn: String,
    pub user_id: String,
    pub create_date: Option<OffsetDateTime>,
}

impl From<aws_sdk_iam::types::User> for IamUser {
    fn from(user: aws_sdk_iam::types::User) -> Self {
        IamUser {
            create_date: to_offset_date_time(&user.create_date),
            name: user.user_name,
            arn: user.arn,
            user_id: user.user_id,
        }
    }
}

impl AwsClients {
    /// IAM `GetUser`; `None` when there is no such user.
    pub async fn get_user(&self, user_name: &str) -> Result<Option<IamUser>, AwsError> {
        let result = self
            .iam
            .get_user()
            .user_name(user_name)
            .send()
            .await
            .map_err(self.iam_error("iam:GetUser"));
        none_if_missing(result.map(|output| output.user.map(IamUser::from))).map(Option::flatten)
    }

    /// IAM `CreateUser`.
    pub async fn create_user(&self, user_name: &str) -> Result<IamUser, AwsError> {
        let operation = "iam:CreateUser";
        let output = self
            .iam
            .create_user()
            .user_name(user_name)
            .send()
            .await
            .map_err(self.iam_error(operation))?;
        output
            .user
            .map(IamUser::from)
            .ok_or_else(|| AwsError::from_code(operation, None, "the answer held no user"))
    }

    /// IAM `DeleteUser`. The user must have no keys, policies or group memberships left.
    pub async fn delete_user(&self, user_name: &str) -> Result<(), AwsError> {
        self.iam
            .delete_user()
            .user_name(user_name)
            .send()
            .await
            .map_err(self.iam_error("iam:DeleteUser"))?;
        Ok(())
    }
}
