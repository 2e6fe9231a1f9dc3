//! What sort of credentials a profile holds, decided in the order the SDKs' provider chain uses.

use serde::Serialize;

use super::reading::Profile;

/// The settings that decide a profile's kind.
const DECIDING_KEYS: [&str; 8] = [
    "role_arn",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "credential_process",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Static,
    Session,
    Sso,
    AssumeRole,
    Process,
    WebIdentity,
    ConfigOnly,
}

impl Kind {
    pub fn of(profile: &Profile) -> Kind {
        let mut present: u16 = 0;
        for (key, setting) in &profile.settings {
            if let Some(bit) = DECIDING_KEYS.iter().position(|k| *k == key)
                && !setting.value.is_empty()
            {
                present |= 1 << bit;
            }
        }
        let has = |key: &str| {
            let bit = DECIDING_KEYS
                .iter()
                .position(|k| *k == key)
                .expect("a deciding key");
            present & (1 << bit) != 0
        };
        if has("role_arn") && has("web_identity_token_file") {
            Kind::WebIdentity
        } else if has("role_arn") {
            Kind::AssumeRole
        } else if has("sso_session") || has("sso_start_url") {
            Kind::Sso
        } else if has("credential_process") {
            Kind::Process
        } else if has("aws_access_key_id") && has("aws_secret_access_key") {
            if has("aws_session_token") {
                Kind::Session
            } else {
                Kind::Static
            }
        } else {
            Kind::ConfigOnly
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Static => "static",
            Kind::Session => "session",
            Kind::Sso => "sso",
            Kind::AssumeRole => "assume-role",
            Kind::Process => "process",
            Kind::WebIdentity => "web-identity",
            Kind::ConfigOnly => "config-only",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::{Document, ProfileSet};

    #[test]
    fn kinds_follow_the_provider_chain_order() {
        let config = Document::parse(
            "[profile r]\nrole_arn = a\nsource_profile = s\n[profile w]\nrole_arn = a\nweb_identity_token_file = f\n[profile o]\nsso_session = x\n[profile p]\ncredential_process = c\n[profile c]\nregion = r\n",
        )
        .unwrap();
        let credentials =
            Document::parse("[s]\naws_access_key_id = A\naws_secret_access_key = B\n[t]\naws_access_key_id = A\naws_secret_access_key = B\naws_session_token = T\n").unwrap();
        let set = ProfileSet::read(&config, &credentials);
        let kind = |name: &str| Kind::of(set.get(name).unwrap()).name();
        assert_eq!(
            ["r", "w", "o", "p", "c", "s", "t"].map(kind),
            [
                "assume-role",
                "web-identity",
                "sso",
                "process",
                "config-only",
                "static",
                "session"
            ]
        );
    }
}
