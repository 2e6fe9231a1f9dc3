//! Pure state machines for the interactive flows: messages in, effects out, no I/O.
//!
//! Both flows tag each request with a [`RequestId`] from their own [`RequestIds`], so a result
//! that no longer applies (the user went back, or changed an answer) is recognised and dropped.

pub mod rotate;
pub mod setup;

/// Identifies a request so a result that no longer applies can be dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

/// Hands out request ids, each once.
#[derive(Clone, Debug)]
pub struct RequestIds {
    next: u64,
}

impl Default for RequestIds {
    fn default() -> RequestIds {
        RequestIds { next: 1 }
    }
}

impl RequestIds {
    pub fn issue(&mut self) -> RequestId {
        let id = RequestId(self.next);
        self.next += 1;
        id
    }
}
