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

/// The smallest buffer a secret being typed gets: an access key pair fits many times over, and
/// a session token of a few KiB grows it once or twice.
const TYPED_SECRET_ROOM: usize = 256;

/// A copy of `text` in a buffer with room for `needed` bytes (a power of two, at least
/// `TYPED_SECRET_ROOM`), so that typing into it does not reallocate: a reallocating `String`
/// frees its old buffer with the secret still in it. The caller wipes the buffer it replaces.
pub fn with_room(text: &str, needed: usize) -> String {
    let mut buffer = String::with_capacity(needed.next_power_of_two().max(TYPED_SECRET_ROOM));
    buffer.push_str(text);
    buffer
}

/// Appends `c` to a secret being typed. When the buffer is full the text moves to a larger one
/// (`with_room`) and the old one is wiped.
pub fn push_wiping(buffer: &mut Zeroizing<String>, c: char) {
    let needed = buffer.len() + c.len_utf8();
    if needed > buffer.capacity() {
        *buffer = Zeroizing::new(with_room(buffer, needed));
    }
    buffer.push(c);
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
    fn a_typed_secret_keeps_every_character_as_its_buffer_grows() {
        let mut buffer = Zeroizing::new(String::new());
        let typed: String = (0..300)
            .map(|i| if i % 2 == 0 { 'é' } else { 'k' })
            .collect();
        for c in typed.chars() {
            let before = buffer.capacity();
            push_wiping(&mut buffer, c);
            assert!(buffer.capacity() == before || buffer.len() > before);
        }
        assert_eq!(*buffer, typed);
    }

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
