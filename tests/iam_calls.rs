//! The `credwiz::aws` calls against moto, with IAM permissions enforced.

mod common;

use common::Moto;
use credwiz::aws::{
    AccessKeyStatus, AwsClients, AwsErrorKind, CredentialSource, Endpoints, NewAccessKey,
    ProfileFilePaths, clients_with_static_key, connect, policy_arn_for,
};
use credwiz::secret::Secret;
use std::path::Path;
use std::time::Duration;

fn endpoints(moto: &Moto) -> Endpoints {
    Endpoints::resolve(Some(&moto.endpoint), |_| None)
}

/// Profile files that do not exist, so that no real `~/.aws` is read.
fn absent_files() -> ProfileFilePaths {
    common::iam::absent_files("iam-calls")
}

fn pasted(access_key_id: &str, secret: &str) -> CredentialSource {
    CredentialSource::Pasted {
        access_key_id: access_key_id.to_owned(),
        secret_access_key: Secret::new(secret),
        session_token: None,
    }
}

async fn admin(moto: &Moto) -> AwsClients {
    common::iam::admin(moto, "iam-calls").await
}

/// A new user with one key and no policies.
async fn user_with_key(admin: &AwsClients, prefix: &str) -> NewAccessKey {
    let name = common::unique_name(prefix);
    admin.create_user(&name).await.expect("create user");
    admin.create_access_key(&name).await.expect("create key")
}

async fn delete_user_and_keys(admin: &AwsClients, user_name: &str) {
    for key in admin.list_access_keys(user_name).await.expect("list keys") {
        admin
            .delete_access_key(user_name, &key.access_key_id)
            .await
            .expect("delete key");
    }
    admin.delete_user(user_name).await.expect("delete user");
}

#[tokio::test]
async fn caller_identity_of_the_admin() {
    let Some(moto) = common::moto() else { return };
    let identity = admin(&moto)
        .await
        .caller_identity()
        .await
        .expect("identity");
    assert_eq!(identity.account, "123456789012");
    assert!(identity.arn.contains(":user/"), "{}", identity.arn);
    assert!(!identity.is_root());
    assert!(identity.user_name().is_some());
}

#[tokio::test]
async fn a_new_key_acts_as_its_user() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let key = user_with_key(&admin, "iam-calls-key").await;
    let user = admin
        .get_user(&key.user_name)
        .await
        .expect("get user")
        .expect("user exists");
    assert_eq!(user.name, key.user_name);
    assert!(key.access_key_id.starts_with("AKIA"));
    assert!(key.create_date.is_some());

    let as_user = clients_with_static_key(&admin, &key.access_key_id, &key.secret_access_key);
    let identity = as_user
        .caller_identity()
        .await
        .expect("identity as the user");
    assert_eq!(identity.arn, user.arn);
    assert_eq!(identity.user_name(), Some(key.user_name.as_str()));

    let keys = admin.list_access_keys(&key.user_name).await.expect("list");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].access_key_id, key.access_key_id);
    assert_eq!(keys[0].status, AccessKeyStatus::Active);
    let last_used = admin
        .get_access_key_last_used(&key.access_key_id)
        .await
        .expect("last used");
    assert_eq!(last_used.user_name.as_deref(), Some(key.user_name.as_str()));

    delete_user_and_keys(&admin, &key.user_name).await;
    assert_eq!(
        admin.get_user(&key.user_name).await.expect("get user"),
        None
    );
}

#[tokio::test]
async fn deactivation_shows_in_the_key_list() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let key = user_with_key(&admin, "iam-calls-inactive").await;
    admin
        .update_access_key_status(
            &key.user_name,
            &key.access_key_id,
            &AccessKeyStatus::Inactive,
        )
        .await
        .expect("deactivate");
    let keys = admin.list_access_keys(&key.user_name).await.expect("list");
    assert_eq!(keys[0].status, AccessKeyStatus::Inactive);
    delete_user_and_keys(&admin, &key.user_name).await;
}

#[tokio::test]
async fn a_deleted_key_is_invalid_credentials() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let key = user_with_key(&admin, "iam-calls-deleted").await;
    admin
        .delete_access_key(&key.user_name, &key.access_key_id)
        .await
        .expect("delete key");
    let as_user = clients_with_static_key(&admin, &key.access_key_id, &key.secret_access_key);
    let error = as_user.caller_identity().await.expect_err("deleted key");
    assert_eq!(error.kind, AwsErrorKind::InvalidCredentials, "{error}");
    assert!(error.way_out().contains("unknown or was deleted"));
    assert!(!error.to_string().contains(key.secret_access_key.expose()));
    delete_user_and_keys(&admin, &key.user_name).await;
}

#[tokio::test]
async fn access_denied_names_the_missing_permission() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let key = user_with_key(&admin, "iam-calls-denied").await;
    let as_user = clients_with_static_key(&admin, &key.access_key_id, &key.secret_access_key);
    let victim = common::unique_name("iam-calls-never");
    let error = as_user
        .create_user(&victim)
        .await
        .expect_err("no permission");
    assert_eq!(
        error.kind,
        AwsErrorKind::AccessDenied {
            action: Some("iam:CreateUser".into())
        },
        "{error}"
    );
    assert_eq!(error.operation, "iam:CreateUser");
    assert!(error.way_out().contains("iam:CreateUser"));
    delete_user_and_keys(&admin, &key.user_name).await;
}

#[tokio::test]
async fn creating_an_existing_user_is_entity_already_exists() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let name = common::unique_name("iam-calls-twice");
    admin.create_user(&name).await.expect("first");
    let error = admin.create_user(&name).await.expect_err("second");
    assert_eq!(error.kind, AwsErrorKind::EntityAlreadyExists, "{error}");
    admin.delete_user(&name).await.expect("delete user");
}

#[tokio::test]
async fn a_third_key_is_limit_exceeded() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let first = user_with_key(&admin, "iam-calls-limit").await;
    admin
        .create_access_key(&first.user_name)
        .await
        .expect("second key");
    let error = admin
        .create_access_key(&first.user_name)
        .await
        .expect_err("third key");
    assert_eq!(error.kind, AwsErrorKind::LimitExceeded, "{error}");
    assert!(error.way_out().contains("at most two access keys"));
    delete_user_and_keys(&admin, &first.user_name).await;
}

#[tokio::test]
async fn a_missing_policy_is_none() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let missing = admin
        .get_policy(&policy_arn_for("AmazonMechanicalTurkCrowdFullAccess"))
        .await
        .expect("lookup");
    assert_eq!(missing, None);
    let present = admin
        .get_policy(&policy_arn_for("AmazonMechanicalTurkFullAccess"))
        .await
        .expect("lookup")
        .expect("policy exists");
    assert_eq!(present.name, "AmazonMechanicalTurkFullAccess");
    assert!(present.default_version_id.is_some());
}

#[tokio::test]
async fn every_aws_managed_policy_is_listed() {
    let Some(moto) = common::moto() else { return };
    let policies = admin(&moto)
        .await
        .list_aws_managed_policies()
        .await
        .expect("list");
    assert!(policies.len() > 1000, "only {} policies", policies.len());
    let administrator = policies
        .iter()
        .find(|policy| policy.name == "AdministratorAccess")
        .expect("AdministratorAccess listed");
    assert_eq!(administrator.arn, policy_arn_for("AdministratorAccess"));
}

#[tokio::test]
async fn user_policies_attach_and_detach() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let name = common::unique_name("iam-calls-policy");
    admin.create_user(&name).await.expect("create user");
    let arn = policy_arn_for("AmazonS3ReadOnlyAccess");
    admin.attach_user_policy(&name, &arn).await.expect("attach");
    let attached = admin
        .list_attached_user_policies(&name)
        .await
        .expect("list");
    assert_eq!(attached.len(), 1);
    assert_eq!(attached[0].name, "AmazonS3ReadOnlyAccess");
    assert_eq!(attached[0].arn, arn);
    admin.detach_user_policy(&name, &arn).await.expect("detach");
    assert!(
        admin
            .list_attached_user_policies(&name)
            .await
            .expect("list")
            .is_empty()
    );
    admin.delete_user(&name).await.expect("delete user");
}

#[tokio::test]
async fn groups_hold_users_and_policies() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let group = common::unique_name("iam-calls-group");
    let user = common::unique_name("iam-calls-member");
    assert_eq!(admin.get_group(&group).await.expect("lookup"), None);
    let created = admin.create_group(&group).await.expect("create group");
    assert_eq!(created.name, group);
    admin.create_user(&user).await.expect("create user");
    admin.add_user_to_group(&user, &group).await.expect("add");
    let arn = policy_arn_for("AmazonEC2FullAccess");
    admin
        .attach_group_policy(&group, &arn)
        .await
        .expect("attach");

    let found = admin
        .get_group(&group)
        .await
        .expect("lookup")
        .expect("group exists");
    assert_eq!(found.members, vec![user.clone()]);
    assert_eq!(found.arn, created.arn);

    admin
        .detach_group_policy(&group, &arn)
        .await
        .expect("detach");
    admin
        .remove_user_from_group(&user, &group)
        .await
        .expect("remove");
    admin.delete_user(&user).await.expect("delete user");
    admin.delete_group(&group).await.expect("delete group");
    assert_eq!(admin.get_group(&group).await.expect("lookup"), None);
}

/// Config and credentials files holding one profile, in a fresh directory.
fn profile_files(dir: &Path, profile: &str, moto: &Moto) -> ProfileFilePaths {
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(
        &config,
        format!("[profile {profile}]\nregion = eu-west-1\n"),
    )
    .expect("write config");
    std::fs::write(
        &credentials,
        format!(
            "[{profile}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            moto.admin_access_key_id, moto.admin_secret_access_key
        ),
    )
    .expect("write credentials");
    ProfileFilePaths {
        config,
        credentials,
    }
}

#[tokio::test]
async fn a_profile_in_the_given_files_is_used() {
    let Some(moto) = common::moto() else { return };
    let dir = common::temp_dir();
    let files = profile_files(dir.path(), "work", &moto);
    let source = CredentialSource::Profile("work".into());
    let clients = connect(&source, &endpoints(&moto), &files, None)
        .await
        .expect("connect");
    assert_eq!(clients.region, "eu-west-1");
    let identity = clients.caller_identity().await.expect("identity");
    assert_eq!(identity.account, "123456789012");
}

#[tokio::test]
async fn a_missing_profile_is_invalid_credentials() {
    let Some(moto) = common::moto() else { return };
    let dir = common::temp_dir();
    let files = profile_files(dir.path(), "work", &moto);
    let source = CredentialSource::Profile("absent".into());
    let clients = connect(&source, &endpoints(&moto), &files, None)
        .await
        .expect("connect");
    assert_eq!(clients.region, "us-east-1");
    let error = clients
        .caller_identity()
        .await
        .expect_err("no such profile");
    assert_eq!(error.kind, AwsErrorKind::InvalidCredentials, "{error}");
    assert_eq!(error.code.as_deref(), Some("NoCredentials"));
}

#[tokio::test]
async fn an_unreachable_endpoint_is_named() {
    let endpoint = "http://127.0.0.1:1";
    let source = pasted(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let endpoints = Endpoints::resolve(Some(endpoint), |_| None);
    let clients = connect(&source, &endpoints, &absent_files(), None)
        .await
        .expect("connect makes no call");
    // A guard against hanging, not a timing assertion: retries and backoff take a few seconds.
    let error = tokio::time::timeout(Duration::from_secs(120), clients.caller_identity())
        .await
        .expect("gave up within the timeouts")
        .expect_err("nothing listens on port 1");
    assert_eq!(error.kind, AwsErrorKind::Unreachable, "{error}");
    assert!(error.way_out().contains(endpoint), "{}", error.way_out());
    assert!(!error.to_string().contains("wJalr"));
    let iam_error = clients.get_user("anyone").await.expect_err("unreachable");
    assert_eq!(iam_error.kind, AwsErrorKind::Unreachable, "{iam_error}");
}

#[tokio::test]
async fn instance_metadata_is_never_asked_while_an_endpoint_is_set() {
    let dir = common::temp_dir();
    let files = ProfileFilePaths {
        config: dir.path().join("config"),
        credentials: dir.path().join("credentials"),
    };
    std::fs::write(
        &files.config,
        "[profile on-ec2]\nrole_arn = arn:aws:iam::123456789012:role/admin\n\
         credential_source = Ec2InstanceMetadata\n",
    )
    .expect("write config");
    let endpoints = Endpoints::resolve(Some("http://127.0.0.1:1"), |_| None);
    let source = CredentialSource::Profile("on-ec2".into());
    let clients = connect(&source, &endpoints, &files, None)
        .await
        .expect("connect makes no call");
    let error = tokio::time::timeout(Duration::from_secs(120), clients.caller_identity())
        .await
        .expect("gave up within the timeouts")
        .expect_err("metadata is refused");
    assert_eq!(error.kind, AwsErrorKind::InvalidCredentials, "{error}");
    assert!(error.message.contains("Ec2InstanceMetadata"), "{error}");
}
