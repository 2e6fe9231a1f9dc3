//! The two AWS files: lossless document, SDK-agreeing reading, safe writing, formats.
