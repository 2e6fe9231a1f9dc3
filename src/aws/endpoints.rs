//! Which endpoint URL IAM and STS are sent to: `--endpoint-url`, then the AWS environment variables.

/// The endpoint overrides for IAM and STS; `None` means the real AWS endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    pub iam: Option<String>,
    pub sts: Option<String>,
}

impl Endpoints {
    /// Resolves the endpoints the way the AWS CLI does.
    ///
    /// The `--endpoint-url` flag wins for both services. Otherwise `AWS_ENDPOINT_URL_IAM` and
    /// `AWS_ENDPOINT_URL_STS` win for their service over `AWS_ENDPOINT_URL`. Empty values count
    /// as unset.
    pub fn resolve(flag: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Endpoints {
        if let Some(url) = non_empty(flag.map(str::to_owned)) {
            return Endpoints {
                iam: Some(url.clone()),
                sts: Some(url),
            };
        }
        let shared = non_empty(env("AWS_ENDPOINT_URL"));
        Endpoints {
            iam: non_empty(env("AWS_ENDPOINT_URL_IAM")).or_else(|| shared.clone()),
            sts: non_empty(env("AWS_ENDPOINT_URL_STS")).or(shared),
        }
    }

    /// True when either service is sent somewhere other than AWS (an emulator, a proxy).
    pub fn any_overridden(&self) -> bool {
        self.iam.is_some() || self.sts.is_some()
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key| map.get(key).cloned()
    }

    const ALL_SET: &[(&str, &str)] = &[
        ("AWS_ENDPOINT_URL", "http://shared:1"),
        ("AWS_ENDPOINT_URL_IAM", "http://iam:2"),
        ("AWS_ENDPOINT_URL_STS", "http://sts:3"),
    ];

    #[test]
    fn flag_wins_for_both_services() {
        let endpoints = Endpoints::resolve(Some("http://flag:9"), env_of(ALL_SET));
        assert_eq!(endpoints.iam.as_deref(), Some("http://flag:9"));
        assert_eq!(endpoints.sts.as_deref(), Some("http://flag:9"));
    }

    #[test]
    fn service_variables_win_over_the_shared_one() {
        let endpoints = Endpoints::resolve(None, env_of(ALL_SET));
        assert_eq!(endpoints.iam.as_deref(), Some("http://iam:2"));
        assert_eq!(endpoints.sts.as_deref(), Some("http://sts:3"));
    }

    #[test]
    fn shared_variable_fills_the_service_left_unset() {
        let env = env_of(&[
            ("AWS_ENDPOINT_URL", "http://shared:1"),
            ("AWS_ENDPOINT_URL_STS", "http://sts:3"),
        ]);
        let endpoints = Endpoints::resolve(None, env);
        assert_eq!(endpoints.iam.as_deref(), Some("http://shared:1"));
        assert_eq!(endpoints.sts.as_deref(), Some("http://sts:3"));
    }

    #[test]
    fn nothing_set_means_aws() {
        let endpoints = Endpoints::resolve(None, env_of(&[]));
        assert_eq!(endpoints, Endpoints::default());
        assert!(!endpoints.any_overridden());
    }

    #[test]
    fn empty_values_count_as_unset() {
        let env = env_of(&[
            ("AWS_ENDPOINT_URL", "http://shared:1"),
            ("AWS_ENDPOINT_URL_IAM", " "),
        ]);
        let endpoints = Endpoints::resolve(Some(""), env);
        assert_eq!(endpoints.iam.as_deref(), Some("http://shared:1"));
        assert!(endpoints.any_overridden());
    }
}
