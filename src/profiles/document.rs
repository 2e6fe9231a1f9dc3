//! The lossless document model of one AWS shared file.
//!
//! Every line keeps its exact bytes and its line ending, and is classified the way the AWS SDKs'
//! parser classifies it. Rendering an unedited document gives back the input byte for byte.
//! Parsing follows `aws-runtime`'s `env_config::parse` rule for rule, so a file is refused here
//! exactly when the SDKs refuse it (plus a few inputs credwiz refuses to touch: NUL bytes,
//! invalid UTF-8, huge files and lines, and a byte-order mark, with its line and reason).

use std::ops::Range;

/// Characters the SDK parser treats as whitespace (it is stricter than `char::is_whitespace`).
pub const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// The largest file credwiz reads. A 10,000-profile file is about 1 MiB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The longest line credwiz reads. Session tokens are a few KiB.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

const BYTE_ORDER_MARK: &str = "\u{feff}";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    Lf,
    CrLf,
    /// The last line of a file without a final newline.
    Missing,
}

impl LineEnding {
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::Missing => "",
        }
    }
}

/// What a line is, as the SDK parser sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    Blank,
    Comment,
    /// `[...]`: `raw_name` is the text between the brackets, comments stripped, not yet normalized.
    Header {
        raw_name: String,
    },
    /// `key = value`: `key` is lowercased as the SDKs do; `value_span` is where the value sits in
    /// the line's text, so an edit can replace just the value and keep any trailing comment.
    Property {
        key: String,
        value: String,
        value_span: Range<usize>,
    },
    /// An indented line that continues the previous property's value.
    Continuation {
        text: String,
    },
    /// An indented `name = value` line under a property whose value was empty.
    SubProperty {
        text: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The line's bytes without its line ending.
    pub text: String,
    pub ending: LineEnding,
    pub kind: LineKind,
}

/// A parse failure, with the 1-based line it happened on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
    /// A named repair that would make the file readable, if there is one.
    pub repair: Option<Repair>,
}

/// Repairs credwiz can make to a file it otherwise refuses to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repair {
    /// Remove a UTF-8 byte-order mark from the start of the file.
    StripByteOrderMark,
}

impl Repair {
    pub fn command(self) -> &'static str {
        match self {
            Repair::StripByteOrderMark => "credwiz repair --strip-bom",
        }
    }
}

/// One section as parsed: its header line and the properties under it, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Index of the header line.
    pub header: usize,
    pub raw_name: String,
    pub properties: Vec<Property>,
    /// First line index of the section including the comment block attached directly above the
    /// header.
    pub start: usize,
    /// One past the last line index that belongs to this section (up to the next section's
    /// attached comments, or the end of the file).
    pub end: usize,
}

/// One property of a section, with its continuation or sub-property lines folded into `value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    pub key: String,
    pub value: String,
    /// Index of the `key = value` line.
    pub line: usize,
    /// Index of its last continuation line (equal to `line` when there is none).
    pub last_line: usize,
}

impl Property {
    /// Sub-properties (`s3 =` followed by indented `name = value` lines), if this is such a block.
    pub fn sub_properties(&self) -> Option<Vec<(String, String)>> {
        let rest = self.value.strip_prefix('\n')?;
        Some(
            rest.split('\n')
                .filter_map(|line| {
                    let (name, value) = line.split_once('=')?;
                    Some((
                        name.trim_matches(WHITESPACE).to_string(),
                        value.trim_matches(WHITESPACE).to_string(),
                    ))
                })
                .collect(),
        )
    }
}

/// A whole file: its lines and the sections found in them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Document {
    lines: Vec<Line>,
    sections: Vec<Section>,
}

impl Document {
    /// Parses raw bytes, refusing what the SDKs refuse and what credwiz will not touch.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Document, ParseError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(ParseError {
                line: 1,
                message: format!(
                    "the file is {} bytes; credwiz reads files of at most {} MiB",
                    bytes.len(),
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
                repair: None,
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|error| {
            let valid = &bytes[..error.valid_up_to()];
            ParseError {
                line: line_number_at(valid),
                message: "the file is not valid UTF-8 text (an invalid byte sequence is here)"
                    .to_string(),
                repair: None,
            }
        })?;
        Document::parse(text)
    }

    /// Parses text with the SDK parser's rules.
    pub fn parse(text: &str) -> Result<Document, ParseError> {
        if text.starts_with(BYTE_ORDER_MARK) {
            return Err(ParseError {
                line: 1,
                message: "the file starts with a byte-order mark, which every AWS SDK rejects"
                    .to_string(),
                repair: Some(Repair::StripByteOrderMark),
            });
        }
        if let Some(position) = text.find('\0') {
            return Err(ParseError {
                line: line_number_at(&text.as_bytes()[..position]),
                message: "the file contains a NUL byte; it is not a text file".to_string(),
                repair: None,
            });
        }
        let mut parser = Parser::default();
        for (index, (body, ending)) in split_lines(text).enumerate() {
            if body.len() > MAX_LINE_BYTES {
                return Err(ParseError {
                    line: index + 1,
                    message: format!(
                        "the line is {} bytes long; credwiz reads lines of at most {} KiB",
                        body.len(),
                        MAX_LINE_BYTES / 1024
                    ),
                    repair: None,
                });
            }
            parser.push(body, ending).map_err(|message| ParseError {
                line: index + 1,
                message,
                repair: None,
            })?;
        }
        Ok(parser.finish())
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The file's own line ending: that of its first terminated line, else `\n`.
    pub fn line_ending(&self) -> LineEnding {
        self.lines
            .iter()
            .map(|line| line.ending)
            .find(|ending| *ending != LineEnding::Missing)
            .unwrap_or(LineEnding::Lf)
    }

    /// The document's text with the values of `secret_keys` masked, for showing diffs.
    pub fn render_masked(&self, secret_keys: &[&str]) -> String {
        let mut out = String::new();
        for line in &self.lines {
            match &line.kind {
                LineKind::Property {
                    key, value_span, ..
                } if secret_keys.contains(&key.as_str()) => {
                    let mut text = line.text.clone();
                    text.replace_range(
                        value_span.clone(),
                        &crate::secret::mask(&line.text[value_span.clone()]),
                    );
                    out.push_str(&text);
                }
                _ => out.push_str(&line.text),
            }
            out.push_str(line.ending.as_str());
        }
        out
    }

    /// The document's bytes.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.lines.iter().map(|l| l.text.len() + 2).sum());
        for line in &self.lines {
            out.push_str(&line.text);
            out.push_str(line.ending.as_str());
        }
        out
    }
}

/// Splits text into (line without ending, ending), exactly as `str::lines` does.
fn split_lines(text: &str) -> impl Iterator<Item = (&str, LineEnding)> {
    text.split_inclusive('\n').map(|line| {
        if let Some(body) = line.strip_suffix("\r\n") {
            (body, LineEnding::CrLf)
        } else if let Some(body) = line.strip_suffix('\n') {
            (body, LineEnding::Lf)
        } else {
            (line, LineEnding::Missing)
        }
    })
}

fn line_number_at(prefix: &[u8]) -> usize {
    prefix.iter().filter(|byte| **byte == b'\n').count() + 1
}

/// The SDK parser's state: which section and property a continuation line would extend.
#[derive(Default)]
struct Parser {
    lines: Vec<Line>,
    sections: Vec<Section>,
    /// Whether the current section's last property takes sub-properties (its value was empty).
    in_sub_properties: bool,
}

impl Parser {
    fn push(&mut self, body: &str, ending: LineEnding) -> Result<(), String> {
        let kind = self.classify(body)?;
        let index = self.lines.len();
        match &kind {
            LineKind::Header { raw_name } => self.sections.push(Section {
                header: index,
                raw_name: raw_name.clone(),
                properties: Vec::new(),
                start: index,
                end: index + 1,
            }),
            LineKind::Property { key, value, .. } => {
                self.in_sub_properties = value.is_empty();
                let section = self.sections.last_mut().expect("classify checked");
                section.properties.push(Property {
                    key: key.clone(),
                    value: value.clone(),
                    line: index,
                    last_line: index,
                });
            }
            LineKind::Continuation { text } | LineKind::SubProperty { text } => {
                let section = self.sections.last_mut().expect("classify checked");
                let property = section.properties.last_mut().expect("classify checked");
                property.value.push('\n');
                property.value.push_str(text);
                property.last_line = index;
            }
            LineKind::Blank | LineKind::Comment => {}
        }
        self.lines.push(Line {
            text: body.to_string(),
            ending,
            kind,
        });
        Ok(())
    }

    fn classify(&self, body: &str) -> Result<LineKind, String> {
        if body.trim_matches(WHITESPACE).is_empty() {
            return Ok(LineKind::Blank);
        }
        if body.starts_with(COMMENT) {
            return Ok(LineKind::Comment);
        }
        if body.starts_with('[') {
            let prepared = strip_comment(body, false);
            let raw_name = prepared
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .ok_or_else(|| "Profile definition must end with ']'".to_string())?;
            return Ok(LineKind::Header {
                raw_name: raw_name.to_string(),
            });
        }
        let Some(section) = self.sections.last() else {
            return Err("Expected a profile definition".to_string());
        };
        if body.starts_with(WHITESPACE) {
            if section.properties.is_empty() {
                return Err("Expected a property definition, found continuation".to_string());
            }
            let text = body.trim_matches(WHITESPACE).to_string();
            if self.in_sub_properties {
                split_property(body).map_err(|problem| problem.message("sub-property"))?;
                return Ok(LineKind::SubProperty { text });
            }
            return Ok(LineKind::Continuation { text });
        }
        let (key, value_span) =
            split_property(body).map_err(|problem| problem.message("property"))?;
        Ok(LineKind::Property {
            key: key.to_ascii_lowercase(),
            value: body[value_span.clone()].to_string(),
            value_span,
        })
    }

    fn finish(mut self) -> Document {
        attach_comments_and_ends(&self.lines, &mut self.sections);
        Document {
            lines: self.lines,
            sections: self.sections,
        }
    }
}

/// Sets each section's `start` (its attached comment block) and `end` (the next section's start).
fn attach_comments_and_ends(lines: &[Line], sections: &mut [Section]) {
    for section in sections.iter_mut() {
        let mut start = section.header;
        while start > 0 && lines[start - 1].kind == LineKind::Comment {
            start -= 1;
        }
        section.start = start;
    }
    let starts: Vec<usize> = sections.iter().map(|s| s.start).collect();
    for (i, section) in sections.iter_mut().enumerate() {
        section.end = starts.get(i + 1).copied().unwrap_or(lines.len());
    }
}

enum PropertyProblem {
    NoEquals,
    NoName,
}

impl PropertyProblem {
    fn message(self, what: &str) -> String {
        match self {
            PropertyProblem::NoEquals => format!("Expected an '=' sign defining a {what}"),
            PropertyProblem::NoName => {
                let mut capitalized = what.to_string();
                capitalized[..1].make_ascii_uppercase();
                format!("{capitalized} did not have a name")
            }
        }
    }
}

/// Splits `key = value` the SDK's way; returns the trimmed key and where the value sits in `line`.
fn split_property(line: &str) -> Result<(String, Range<usize>), PropertyProblem> {
    let prepared = strip_comment(line, true);
    let offset = prepared.as_ptr() as usize - line.as_ptr() as usize;
    let equals = prepared.find('=').ok_or(PropertyProblem::NoEquals)?;
    let key = prepared[..equals].trim_matches(WHITESPACE);
    if key.is_empty() {
        return Err(PropertyProblem::NoName);
    }
    let after = &prepared[equals + 1..];
    let leading = after.len() - after.trim_start_matches(WHITESPACE).len();
    let value = after.trim_matches(WHITESPACE);
    let value_start = offset + equals + 1 + leading;
    Ok((key.to_string(), value_start..value_start + value.len()))
}

/// Trims whitespace and removes a trailing comment, as the SDK's `prepare_line` does. Property
/// values need whitespace before `#`/`;` for it to start a comment; headers do not.
fn strip_comment(line: &str, comment_needs_whitespace: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut previous_was_whitespace = false;
    let mut cut = line.len();
    for (index, character) in line.char_indices() {
        if COMMENT.contains(&character) && (previous_was_whitespace || !comment_needs_whitespace) {
            cut = index;
            break;
        }
        previous_was_whitespace = character.is_whitespace();
    }
    line[..cut].trim_matches(WHITESPACE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_gives_back_the_input() {
        for text in [
            "",
            "[default]",
            "[default]\r\nregion = x\r\n",
            "# c\n\n[profile a] ; x\nk = v # c\n  -more\n",
            "[p]\ns3 =\n  a = b\n\n  c = d",
            "[a]\nk = v\r",
        ] {
            assert_eq!(Document::parse(text).unwrap().render(), text);
        }
    }

    #[test]
    fn value_span_excludes_comments() {
        let document = Document::parse("[a]\nregion =  eu-west-1  # home\n").unwrap();
        let line = &document.lines()[1];
        let LineKind::Property {
            value, value_span, ..
        } = &line.kind
        else {
            panic!("expected a property");
        };
        assert_eq!(value, "eu-west-1");
        assert_eq!(&line.text[value_span.clone()], "eu-west-1");
    }

    #[test]
    fn comments_above_a_header_belong_to_its_section() {
        let document = Document::parse("[a]\nk = v\n\n# about b\n[b]\n").unwrap();
        let sections = document.sections();
        assert_eq!((sections[0].start, sections[0].end), (0, 3));
        assert_eq!((sections[1].start, sections[1].end), (3, 5));
    }

    #[test]
    fn refusals_carry_their_line() {
        let error = Document::parse("[a]\nk = v\n\0").unwrap_err();
        assert_eq!(error.line, 3);
        let error = Document::parse_bytes(b"[a]\nk = \xff\n").unwrap_err();
        assert_eq!(error.line, 2);
        let error = Document::parse("\u{feff}[a]\n").unwrap_err();
        assert_eq!(error.repair, Some(Repair::StripByteOrderMark));
        let error = Document::parse("[a]\ns3 =\n  # indented comment\n").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("sub-property"));
    }
}
