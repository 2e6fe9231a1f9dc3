//! IAM helpers for the moto-backed tests: the admin's clients and users with inline policies.

use std::path::{Path, PathBuf};
use std::process::Output;

use credwiz::aws::{
    AwsClients, CredentialSource, Endpoints, NewAccessKey, ProfileFilePaths, connect,
};
use credwiz::profiles::FilePaths;
use credwiz::secret::Secret;

use super::Moto;

/// Profile files that do not exist (`LABEL-absent-config`, `LABEL-absent-credentials` in
/// Cargo's target tmp dir), so that no real `~/.aws` is read.
pub fn absent_files(label: &str) -> ProfileFilePaths {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    ProfileFilePaths {
        config: dir.join(format!("{label}-absent-config")),
        credentials: dir.join(format!("{label}-absent-credentials")),
    }
}

/// Clients signed with moto's admin key; `label` names the absent profile files.
pub async fn admin(moto: &Moto, label: &str) -> AwsClients {
    let source = CredentialSource::Pasted {
        access_key_id: moto.admin_access_key_id.clone(),
        secret_access_key: Secret::new(moto.admin_secret_access_key.clone()),
        session_token: None,
    };
    connect(
        &source,
        &Endpoints::resolve(Some(&moto.endpoint), |_| None),
        &absent_files(label),
        Some(super::REGION),
    )
    .await
    .expect("connect as the admin")
}

/// A new user with one key, allowed `actions` by an inline policy (none: no policy at all).
/// (moto matches these actions against `*` resources; in AWS the resource would be the user's
/// own ARN.)
pub async fn user_allowed(admin: &AwsClients, prefix: &str, actions: &[&str]) -> NewAccessKey {
    let user = super::unique_name(prefix);
    admin.create_user(&user).await.expect("create user");
    if !actions.is_empty() {
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
        });
        admin
            .iam
            .put_user_policy()
            .user_name(&user)
            .policy_name("own-keys")
            .policy_document(policy.to_string())
            .send()
            .await
            .expect("put user policy");
    }
    admin.create_access_key(&user).await.expect("create key")
}

/// A temporary home holding the two profile files (directly or in a subfolder; nothing is
/// created) and a `state` folder, for running credwiz against moto.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    files: PathBuf,
}

impl Sandbox {
    /// The files go in `folder` under the home (`""`: in the home itself).
    pub fn with_files_in(folder: &str) -> Sandbox {
        let dir = super::temp_dir();
        let files = if folder.is_empty() {
            dir.path().to_path_buf()
        } else {
            dir.path().join(folder)
        };
        Sandbox { dir, files }
    }

    pub fn config(&self) -> PathBuf {
        self.files.join("config")
    }

    pub fn credentials(&self) -> PathBuf {
        self.files.join("credentials")
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn paths(&self) -> FilePaths {
        FilePaths {
            config: self.config(),
            credentials: self.credentials(),
        }
    }

    /// `credwiz --endpoint-url MOTO --config-file ... --credentials-file ... ARGS` with this
    /// home and state folder, run to completion.
    pub fn cli(&self, moto: &Moto, args: &[&str]) -> Output {
        super::credwiz_in_home(self.dir.path())
            .env("CREDWIZ_STATE_DIR", self.state())
            .arg("--endpoint-url")
            .arg(&moto.endpoint)
            .arg("--config-file")
            .arg(self.config())
            .arg("--credentials-file")
            .arg(self.credentials())
            .args(args)
            .output()
            .expect("run credwiz")
    }
}
