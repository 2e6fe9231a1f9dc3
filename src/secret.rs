//! `Secret`: a string that never shows itself in `Debug`/`Display` and is zeroized on drop.

use std::fmt;
use zeroize::Zeroizing;

/// A secret value (secret access key, session token).
///
/// `Debug` prints `****`; the memory is wiped when the value is dropped.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret in clear. Call only where the value is deliberately handed on.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret masked for display: stars and the last four characters, as `aws configure` shows it.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

/// Masks a secret for display: `****************WXYZ` for long values, all stars for short ones.
pub fn mask(value: &str) -> String {
    let count = value.chars().count();
    if count <= 8 {
        return "*".repeat(count.max(4));
    }
    let tail: String = value.chars().skip(count - 4).collect();
    format!("{}{}", "*".repeat(16), tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        assert_eq!(format!("{secret:?}"), "****");
        assert_eq!(secret.masked(), "****************EKEY");
    }

    #[test]
    fn short_values_are_fully_masked() {
        assert_eq!(mask("abc"), "****");
        assert_eq!(mask("abcdefgh"), "********");
    }
}
