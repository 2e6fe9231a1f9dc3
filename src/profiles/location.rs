//! Where the two files are, found the way the AWS SDKs find them.
//!
//! `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` (or credwiz's flags) win; otherwise the
//! files live in `.aws` under the home directory, which is `HOME`, then `USERPROFILE`, then
//! `HOMEDRIVE` + `HOMEPATH`. A leading `~` in an override is the home directory too.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    Windows,
    Unix,
}

impl Platform {
    pub fn current() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }

    fn separator(self) -> char {
        match self {
            Platform::Windows => '\\',
            Platform::Unix => '/',
        }
    }
}

/// The resolved locations and the selected profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locations {
    pub config: String,
    pub credentials: String,
    pub profile: String,
}

/// The home directory as the SDKs find it.
pub fn home_directory(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    env("HOME")
        .or_else(|| env("USERPROFILE"))
        .or_else(|| Some(format!("{}{}", env("HOMEDRIVE")?, env("HOMEPATH")?)))
}

/// Resolves both file locations from the environment (or flags passed in as overrides).
pub fn locate(env: &dyn Fn(&str) -> Option<String>, platform: Platform) -> Locations {
    let home = home_directory(env).unwrap_or_else(|| ".".to_string());
    let separator = platform.separator();
    let in_home = |name: &str| format!("{home}{separator}.aws{separator}{name}");
    let expand = |path: String| match path.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with(['/', '\\']) => format!("{home}{rest}"),
        _ => path,
    };
    Locations {
        config: env("AWS_CONFIG_FILE")
            .map(expand)
            .unwrap_or_else(|| in_home("config")),
        credentials: env("AWS_SHARED_CREDENTIALS_FILE")
            .map(expand)
            .unwrap_or_else(|| in_home("credentials")),
        profile: env("AWS_PROFILE").unwrap_or_else(|| "default".to_string()),
    }
}
