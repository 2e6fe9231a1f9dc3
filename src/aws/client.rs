//! Connecting: credentials from a profile, the environment or a paste; endpoints, retries, timeouts.

use super::endpoints::Endpoints;
use super::errors::AwsError;
use crate::secret::Secret;
use aws_config::meta::region::ProvideRegion;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use std::error::Error as StdError;
use std::time::Duration;

/// Attempts per call, the first included; throttling and transient failures are retried.
pub const MAX_ATTEMPTS: u32 = 4;
/// How long to wait for a TCP connection before calling the endpoint unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most one call may take, retries included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(60);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
const INITIAL_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The region used when neither the caller nor the profile names one. IAM is global.
const DEFAULT_REGION: &str = "us-east-1";

/// Which credentials to act with.
#[derive(Debug, Clone)]
pub enum CredentialSource {
    /// A named profile in the files credwiz was told to use.
    Profile(String),
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    Environment,
    /// Keys pasted for this run only; they stay in memory and are never written.
    Pasted {
        access_key_id: String,
        secret_access_key: Secret,
        session_token: Option<Secret>,
    },
}

/// The config and credentials files credwiz was told to use (flags, environment or defaults).
pub type ProfileFilePaths = crate::profiles::FilePaths;

/// IAM and STS clients that share one set of credentials, region and endpoints.
#[derive(Debug, Clone)]
pub struct AwsClients {
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    /// The region requests are signed for (and STS is routed to, without an endpoint override).
    pub region: String,
    iam_endpoint: String,
    sts_endpoint: String,
}

impl AwsClients {
    /// Where IAM calls go, for messages: the override, or the AWS endpoint.
    pub fn iam_endpoint(&self) -> &str {
        &self.iam_endpoint
    }

    /// Where STS calls go, for messages: the override, or the AWS endpoint.
    pub fn sts_endpoint(&self) -> &str {
        &self.sts_endpoint
    }

    /// Maps an IAM SDK error for `operation` (such as `iam:CreateUser`) to an [`AwsError`].
    pub(crate) fn iam_error<E>(
        &self,
        operation: &'static str,
    ) -> impl FnOnce(SdkError<E, HttpResponse>) -> AwsError + '_
    where
        E: ProvideErrorMetadata + StdError + 'static,
    {
        move |err| AwsError::from_sdk(operation, &self.iam_endpoint, err)
    }

    /// Maps an STS SDK error for `operation` (such as `sts:GetCallerIdentity`) to an [`AwsError`].
    pub(crate) fn sts_error<E>(
        &self,
        operation: &'static str,
    ) -> impl FnOnce(SdkError<E, HttpResponse>) -> AwsError + '_
    where
        E: ProvideErrorMetadata + StdError + 'static,
    {
        move |err| AwsError::from_sdk(operation, &self.sts_endpoint, err)
    }
}

/// Builds IAM and STS clients acting with `source`.
///
/// The region is `region` if given, else the profile's (or, for the environment,
/// `AWS_REGION`/`AWS_DEFAULT_REGION`), else `us-east-1`. Neither the region nor the credentials
/// are ever looked up on the network by credwiz itself; when an endpoint is overridden, a profile
/// that asks for instance or container metadata credentials is refused rather than obeyed.
pub async fn connect(
    source: &CredentialSource,
    endpoints: &Endpoints,
    files: &ProfileFilePaths,
    region: Option<&str>,
) -> Result<AwsClients, AwsError> {
    let given_region = region.map(str::to_owned);
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .profile_files(profile_files(files))
        .retry_config(retry_config())
        .timeout_config(timeout_config());
    let (loader, region) = match source {
        CredentialSource::Profile(name) => {
            let region = match given_region {
                Some(region) => region,
                None => profile_region(name, files).await.unwrap_or_default(),
            };
            let region = or_default_region(region);
            let provider = profile_credentials(name, files, &region, endpoints);
            let loader = loader.profile_name(name).credentials_provider(provider);
            (loader, region)
        }
        CredentialSource::Environment => {
            let env = |key: &str| std::env::var(key).ok();
            let credentials = environment_credentials(env)?;
            let region = given_region
                .or_else(|| environment_region(env))
                .unwrap_or_default();
            (
                loader.credentials_provider(credentials),
                or_default_region(region),
            )
        }
        CredentialSource::Pasted {
            access_key_id,
            secret_access_key,
            session_token,
        } => {
            let credentials =
                static_credentials(access_key_id, secret_access_key, session_token.as_ref());
            let region = or_default_region(given_region.unwrap_or_default());
            (loader.credentials_provider(credentials), region)
        }
    };
    let sdk_config = loader.region(Region::new(region.clone())).load().await;
    Ok(clients_from(&sdk_config, endpoints, region))
}

/// The same clients (region, endpoints, retries) acting with another static key, such as one
/// just created. Rotation and verification use this.
pub fn clients_with_static_key(
    base: &AwsClients,
    access_key_id: &str,
    secret: &Secret,
) -> AwsClients {
    let credentials = static_credentials(access_key_id, secret, None);
    let iam_config = base
        .iam
        .config()
        .to_builder()
        .credentials_provider(credentials.clone())
        .build();
    let sts_config = base
        .sts
        .config()
        .to_builder()
        .credentials_provider(credentials)
        .build();
    AwsClients {
        iam: aws_sdk_iam::Client::from_conf(iam_config),
        sts: aws_sdk_sts::Client::from_conf(sts_config),
        ..base.clone()
    }
}

fn clients_from(sdk_config: &SdkConfig, endpoints: &Endpoints, region: String) -> AwsClients {
    let mut iam_config = aws_sdk_iam::config::Builder::from(sdk_config);
    if let Some(url) = &endpoints.iam {
        iam_config = iam_config.endpoint_url(url);
    }
    let mut sts_config = aws_sdk_sts::config::Builder::from(sdk_config);
    if let Some(url) = &endpoints.sts {
        sts_config = sts_config.endpoint_url(url);
    }
    AwsClients {
        iam: aws_sdk_iam::Client::from_conf(iam_config.build()),
        sts: aws_sdk_sts::Client::from_conf(sts_config.build()),
        iam_endpoint: endpoints
            .iam
            .clone()
            .unwrap_or_else(|| "https://iam.amazonaws.com".to_owned()),
        sts_endpoint: endpoints
            .sts
            .clone()
            .unwrap_or_else(|| format!("https://sts.{region}.amazonaws.com")),
        region,
    }
}

fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF)
}

fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// Exactly the two files credwiz was told to use. A missing file reads as empty, as the SDKs
/// treat a missing default file, rather than failing the whole load.
#[allow(deprecated)] // aws-config re-exports the type under its old name; aws-runtime owns it now.
fn profile_files(files: &ProfileFilePaths) -> aws_config::profile::profile_file::ProfileFiles {
    use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
    let mut builder = ProfileFiles::builder();
    for (kind, path) in [
        (ProfileFileKind::Config, &files.config),
        (ProfileFileKind::Credentials, &files.credentials),
    ] {
        builder = if path.exists() {
            builder.with_file(kind, path)
        } else {
            builder.with_contents(kind, "")
        };
    }
    builder.build()
}

async fn profile_region(name: &str, files: &ProfileFilePaths) -> Option<String> {
    let provider = ProfileFileRegionProvider::builder()
        .profile_files(profile_files(files))
        .profile_name(name)
        .build();
    provider.region().await.map(|region| region.to_string())
}

/// The profile's credentials as the SDKs resolve them (static keys, roles, processes, SSO).
fn profile_credentials(
    name: &str,
    files: &ProfileFilePaths,
    region: &str,
    endpoints: &Endpoints,
) -> ProfileFileCredentialsProvider {
    let provider_config = ProviderConfig::without_region()
        .with_region(Some(Region::new(region.to_owned())))
        .with_retry_config(retry_config())
        .with_timeout_config(timeout_config());
    let mut builder = ProfileFileCredentialsProvider::builder()
        .configure(&provider_config)
        .profile_files(profile_files(files))
        .profile_name(name);
    if endpoints.any_overridden() {
        for source in ["Ec2InstanceMetadata", "EcsContainer"] {
            builder = builder.with_custom_provider(source, MetadataRefused(source));
        }
    }
    builder.build()
}

/// Stands in for the instance and container metadata providers while an endpoint is
/// overridden, so that no credentials lookup leaves the machine for a link-local address.
#[derive(Debug)]
struct MetadataRefused(&'static str);

impl ProvideCredentials for MetadataRefused {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(format!(
            "credential_source = {} is not used while an endpoint URL is set",
            self.0
        ))))
    }
}

/// The keys in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (optionally) `AWS_SESSION_TOKEN`.
fn environment_credentials(
    env: impl Fn(&str) -> Option<String>,
) -> Result<SharedCredentialsProvider, AwsError> {
    let read = |key: &str| {
        env(key)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    let missing =
        |key: &str| AwsError::no_credentials("load credentials", &format!("{key} is not set"));
    let access_key_id = read("AWS_ACCESS_KEY_ID").ok_or_else(|| missing("AWS_ACCESS_KEY_ID"))?;
    let secret = read("AWS_SECRET_ACCESS_KEY")
        .map(Secret::new)
        .ok_or_else(|| missing("AWS_SECRET_ACCESS_KEY"))?;
    let token = read("AWS_SESSION_TOKEN").map(Secret::new);
    Ok(static_credentials(&access_key_id, &secret, token.as_ref()))
}

fn environment_region(env: impl Fn(&str) -> Option<String>) -> Option<String> {
    env("AWS_REGION")
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .filter(|region| !region.trim().is_empty())
}

fn or_default_region(region: String) -> String {
    if region.trim().is_empty() {
        DEFAULT_REGION.to_owned()
    } else {
        region.trim().to_owned()
    }
}

fn static_credentials(
    access_key_id: &str,
    secret: &Secret,
    session_token: Option<&Secret>,
) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new(
        access_key_id,
        secret.expose(),
        session_token.map(|token| token.expose().to_owned()),
        None,
        "credwiz",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::AwsErrorKind;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn environment_needs_both_halves_of_the_key() {
        let error = environment_credentials(env_of(&[("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")]))
            .expect_err("secret missing");
        assert_eq!(error.kind, AwsErrorKind::InvalidCredentials);
        assert!(error.message.contains("AWS_SECRET_ACCESS_KEY"));
    }

    #[tokio::test]
    async fn environment_keys_are_read_and_trimmed() {
        let provider = environment_credentials(env_of(&[
            ("AWS_ACCESS_KEY_ID", " AKIAEXAMPLE "),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", ""),
        ]))
        .expect("credentials");
        let credentials = provider.provide_credentials().await.expect("static");
        assert_eq!(credentials.access_key_id(), "AKIAEXAMPLE");
        assert_eq!(credentials.session_token(), None);
    }

    #[test]
    fn region_falls_back_to_us_east_1() {
        assert_eq!(or_default_region(String::new()), "us-east-1");
        assert_eq!(or_default_region("eu-west-1".into()), "eu-west-1");
        assert_eq!(
            environment_region(env_of(&[("AWS_DEFAULT_REGION", "ap-south-1")])).as_deref(),
            Some("ap-south-1")
        );
    }
}
