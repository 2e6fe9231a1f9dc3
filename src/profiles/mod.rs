//! The two AWS files: lossless document, SDK-agreeing reading, safe writing, formats.
//!
//! - `document`: one file as lines, byte for byte, classified as the SDK parser does;
//! - `reading`: the merged SDK view of both files, with the origin of every setting;
//! - `edit`: set, unset, remove and rename as minimal changes to the documents;
//! - `store`: locked, atomic, verified writes and reads from disk;
//! - `location`: where the files are;
//! - `kinds`: what sort of credentials a profile holds;
//! - `formats`: key material in and out (JSON, CSV, env).

pub mod document;
pub mod edit;
pub mod formats;
pub mod kinds;
pub mod location;
pub mod reading;
pub mod store;

pub use document::{Document, ParseError, Repair};
pub use edit::{Changes, Edit, EditError};
pub use kinds::Kind;
pub use reading::{FileKind, Origin, Profile, ProfileSet, Setting};
pub use store::{FilePaths, StoreError, WriteReport};
