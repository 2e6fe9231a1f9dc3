//! `SecretInput`: tui-input's line editing for fields that may hold a secret, with the text
//! wiped from memory whenever it is dropped or outgrows its buffer.
//!
//! tui-input edits one `String` in place, but frees it without wiping it and keeps cut text in a
//! yank buffer of its own. This wrapper keeps every secret byte in buffers it wipes: the text
//! lives in a buffer with room to spare (`secret::with_room`; grown by copying into a larger one
//! and wiping the old),
//! cuts are done as single-character deletions so nothing reaches the yank buffer, and the text
//! is taken back out of the input and wiped on drop.

use std::ops::Deref;

use tui_input::{Input, InputRequest, InputResponse};
use zeroize::Zeroize;

use crate::secret::with_room;

pub struct SecretInput {
    input: Input,
    /// The capacity of the input's text buffer, which it fills without reallocating.
    capacity: usize,
}

impl SecretInput {
    /// A field holding a copy of `value`, with the cursor at its end.
    pub fn new(value: &str) -> SecretInput {
        SecretInput::holding(with_room(value, value.len()), value.chars().count())
    }

    /// A field taking over `text` (made by `with_room`), with the cursor at `cursor`.
    fn holding(text: String, cursor: usize) -> SecretInput {
        let capacity = text.capacity();
        SecretInput {
            input: Input::new(text).with_cursor(cursor),
            capacity,
        }
    }

    /// Applies one editing request, as `Input::handle` does.
    pub fn handle(&mut self, request: InputRequest) -> InputResponse {
        match request {
            InputRequest::InsertChar(c) => {
                let needed = self.input.value().len() + c.len_utf8();
                if needed > self.capacity {
                    self.grow(needed);
                }
                self.input.handle(request)
            }
            InputRequest::DeleteLine => {
                let changed = !self.input.value().is_empty();
                self.replace(SecretInput::new(""));
                changed.then_some(tui_input::StateChanged {
                    value: true,
                    cursor: true,
                })
            }
            InputRequest::DeleteFromStart
            | InputRequest::DeleteTillEnd
            | InputRequest::DeletePrevWord
            | InputRequest::DeleteNextWord => {
                let from = self.input.cursor();
                self.input.handle(match request {
                    InputRequest::DeleteFromStart => InputRequest::GoToStart,
                    InputRequest::DeleteTillEnd => InputRequest::GoToEnd,
                    InputRequest::DeletePrevWord => InputRequest::GoToPrevWord,
                    _ => InputRequest::GoToNextWord,
                });
                let to = self.input.cursor();
                self.move_to(from.max(to));
                self.delete_back_to(from.min(to))
            }
            _ => self.input.handle(request),
        }
    }

    /// Moves the text into a buffer with room for `needed` bytes, wiping the old one.
    fn grow(&mut self, needed: usize) {
        let text = with_room(self.input.value(), needed);
        let grown = SecretInput::holding(text, self.input.cursor());
        self.replace(grown);
    }

    /// Puts `other` in this field's place; the old text is wiped as it is dropped.
    fn replace(&mut self, other: SecretInput) {
        drop(std::mem::replace(self, other));
    }

    fn move_to(&mut self, cursor: usize) {
        while self.input.cursor() < cursor
            && self.input.handle(InputRequest::GoToNextChar).is_some()
        {}
        while self.input.cursor() > cursor
            && self.input.handle(InputRequest::GoToPrevChar).is_some()
        {}
    }

    /// Deletes from `start` to the cursor, a character at a time (no copy in the yank buffer).
    fn delete_back_to(&mut self, start: usize) -> InputResponse {
        let mut response = None;
        while self.input.cursor() > start {
            match self.input.handle(InputRequest::DeletePrevChar) {
                Some(changed) => response = Some(changed),
                None => break,
            }
        }
        response
    }
}

impl Default for SecretInput {
    fn default() -> SecretInput {
        SecretInput::new("")
    }
}

/// Read access for rendering (`TextField`) and for taking the value.
impl Deref for SecretInput {
    type Target = Input;

    fn deref(&self) -> &Input {
        &self.input
    }
}

impl Drop for SecretInput {
    fn drop(&mut self) {
        let mut text: String = std::mem::take(&mut self.input).into();
        text.zeroize();
    }
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretInput(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> SecretInput {
        let mut input = SecretInput::default();
        for c in text.chars() {
            input.handle(InputRequest::InsertChar(c));
        }
        input
    }

    #[test]
    fn typing_past_the_reserved_room_keeps_every_character_and_the_cursor() {
        let long: String = (0..1000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let mut input = typed(&long);
        assert_eq!(input.value(), long);
        assert!(input.capacity >= 1000);
        input.handle(InputRequest::GoToStart);
        input.handle(InputRequest::GoToNextChar);
        input.grow(5000);
        assert_eq!((input.value(), input.cursor()), (long.as_str(), 1));
    }

    #[test]
    fn cuts_delete_what_tui_input_would() {
        let cases = [
            (InputRequest::DeleteLine, 3, ""),
            (InputRequest::DeleteFromStart, 8, "y"),
            (InputRequest::DeleteTillEnd, 8, "ab cd/ke"),
            (InputRequest::DeletePrevWord, 8, "ab cd/y"),
            (InputRequest::DeleteNextWord, 3, "ab key"),
        ];
        for (request, cursor, expected) in cases {
            let mut ours = typed("ab cd/key");
            let mut theirs = Input::new("ab cd/key".to_string());
            for input in [&mut ours.input, &mut theirs] {
                input.handle(InputRequest::GoToStart);
                for _ in 0..cursor {
                    input.handle(InputRequest::GoToNextChar);
                }
            }
            ours.handle(request);
            theirs.handle(request);
            assert_eq!(ours.value(), theirs.value(), "{request:?}");
            assert_eq!(ours.cursor(), theirs.cursor(), "{request:?}");
            assert_eq!(ours.value(), expected, "{request:?}");
        }
    }

    #[test]
    fn nothing_is_yanked_back() {
        let mut input = typed("secret");
        input.handle(InputRequest::DeleteLine);
        input.handle(InputRequest::Yank);
        assert_eq!(input.value(), "");
    }

    #[test]
    fn debug_hides_the_text() {
        assert_eq!(format!("{:?}", typed("wJalrXUtnFEMI")), "SecretInput(****)");
    }
}
