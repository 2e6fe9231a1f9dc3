//! The lossless document model of one AWS shared file.
//!
//! Every line keeps its exact bytes and its line ending, and is classified the way the AWS SDKs'
//! parser classifies it. Rendering an unedited document gives back the input byte for byte.
//! Parsing follows `aws-runtime`'s `env_config::parse` rule for rule, so a file is refused here
//! exactly when the SDKs refuse it (plus a few inputs credwiz refuses to touch: NUL bytes,
//! invalid UTF-8, huge files and lines, and a byte-order mark, with its line and reason).

use std::borrow::Cow;
use std::ops::Range;

/// `text` without leading and trailing spaces and tabs (byte-wise: both are ASCII).
pub fn trim_blank(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|b| *b != b' ' && *b != b'\t')
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| *b != b' ' && *b != b'\t')
        .map_or(start, |i| i + 1);
    &text[start..end]
}

/// The characters the SDK parser treats as whitespace (it is stricter than
/// `char::is_whitespace`): space and tab.
fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}
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

/// A byte range of the document's text. Offsets are `u32`: files are at most 10 MiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// What a line is, as the SDK parser sees it. A header's name and a property's key and value
/// are kept by its `Section` and `Property`; a line itself is 12 bytes, so a 10,000-profile file's
/// line table stays around a megabyte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Blank,
    Comment,
    /// `[...]`.
    Header,
    /// `key = value`.
    Property,
    /// An indented line that continues the previous property's value.
    Continuation,
    /// An indented `name = value` line under a property whose value was empty.
    SubProperty,
}

/// One line: where it is in the text, its ending and its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// The line's bytes without its ending.
    pub span: Span,
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

/// One section as parsed: its header line and the properties under it, in file order. Line
/// indexes are `u32` (a file has at most 10 MiB); the accessors give them as `usize`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    header: u32,
    /// The text between the brackets, comments stripped, not yet normalized.
    pub name: Span,
    /// Its properties, as a range of `Document::properties`.
    properties: Range<u32>,
    start: u32,
    end: u32,
}

impl Section {
    /// Index of the header line.
    pub fn header(&self) -> usize {
        self.header as usize
    }

    /// First line index of the section, including the comment block attached directly above
    /// the header.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// One past the last line index that belongs to this section (up to the next section's
    /// attached comments, or the end of the file).
    pub fn end(&self) -> usize {
        self.end as usize
    }
}

/// One property of a section; continuation or sub-property lines follow it up to `last_line`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Property {
    /// The key as written (the SDKs compare it case-insensitively).
    pub key: Span,
    /// The value on the property's own line, without surrounding whitespace or a trailing
    /// comment, so an edit can replace just it.
    pub value: Span,
    line: u32,
    last_line: u32,
}

impl Property {
    /// Index of the `key = value` line.
    pub fn line(&self) -> usize {
        self.line as usize
    }

    /// Index of its last continuation line (equal to `line` when there is none).
    pub fn last_line(&self) -> usize {
        self.last_line as usize
    }
}

/// A whole file: its text once, and the lines, sections and properties found in it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Document {
    text: String,
    lines: Vec<Line>,
    sections: Vec<Section>,
    properties: Vec<Property>,
}

impl Document {
    /// Parses a file's bytes (taking them, so the text is not copied), refusing what the SDKs
    /// refuse and what credwiz will not touch.
    pub fn parse_bytes(bytes: Vec<u8>) -> Result<Document, ParseError> {
        Document::check_size(bytes.len())?;
        let text = String::from_utf8(bytes).map_err(|error| {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            ParseError {
                line: line_number_at(valid),
                message: "the file is not valid UTF-8 text (an invalid byte sequence is here)"
                    .to_string(),
                repair: None,
            }
        })?;
        Document::parse_owned(text)
    }

    fn check_size(len: usize) -> Result<(), ParseError> {
        if len > MAX_FILE_BYTES {
            return Err(ParseError {
                line: 1,
                message: format!(
                    "the file is {len} bytes; credwiz reads files of at most {} MiB",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
                repair: None,
            });
        }
        Ok(())
    }

    /// Parses text with the SDK parser's rules.
    pub fn parse(text: &str) -> Result<Document, ParseError> {
        Document::parse_owned(text.to_string())
    }

    /// Parses text with the SDK parser's rules, keeping `text` as the document's own.
    pub fn parse_owned(text: String) -> Result<Document, ParseError> {
        Document::check_size(text.len())?;
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
        let line_count = text.bytes().filter(|b| *b == b'\n').count() + 1;
        let mut parser = Parser {
            lines: Vec::with_capacity(line_count),
            ..Parser::default()
        };
        let mut offset = 0;
        for (index, (body, ending)) in split_lines(&text).enumerate() {
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
            parser
                .push(body, offset, ending)
                .map_err(|message| ParseError {
                    line: index + 1,
                    message,
                    repair: None,
                })?;
            offset += body.len() + ending.as_str().len();
        }
        Ok(parser.finish(text))
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.range()]
    }

    /// A line's text without its ending.
    pub fn line_text(&self, index: usize) -> &str {
        self.slice(self.lines[index].span)
    }

    /// The text between a section header's brackets.
    pub fn section_name(&self, section: &Section) -> &str {
        self.slice(section.name)
    }

    pub fn properties_of(&self, section: &Section) -> &[Property] {
        &self.properties[section.properties.start as usize..section.properties.end as usize]
    }

    /// Every property of the file, in order.
    pub fn properties(&self) -> &[Property] {
        &self.properties
    }

    /// A property's key as written.
    pub fn key(&self, property: &Property) -> &str {
        self.slice(property.key)
    }

    /// Whether a property's key is `key`, compared as the SDKs do (ASCII case-insensitively).
    pub fn key_is(&self, property: &Property, key: &str) -> bool {
        self.key(property).eq_ignore_ascii_case(key)
    }

    /// A property's whole value: continuation and sub-property lines are joined with `\n`.
    pub fn value(&self, property: &Property) -> Cow<'_, str> {
        let first = self.slice(property.value);
        if property.last_line == property.line {
            return Cow::Borrowed(first);
        }
        let mut value = first.to_string();
        for line in &self.lines[property.line() + 1..=property.last_line()] {
            if matches!(line.kind, LineKind::Continuation | LineKind::SubProperty) {
                value.push('\n');
                value.push_str(trim_blank(self.slice(line.span)));
            }
        }
        Cow::Owned(value)
    }

    /// The byte offset where line `index` starts (the text's length past the last line).
    pub fn line_start(&self, index: usize) -> usize {
        self.lines
            .get(index)
            .map_or(self.text.len(), |line| line.span.start as usize)
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
        let mut out = String::with_capacity(self.text.len());
        let mut copied = 0;
        for property in &self.properties {
            if secret_keys.iter().any(|key| self.key_is(property, key)) {
                let value = property.value.range();
                out.push_str(&self.text[copied..value.start]);
                out.push_str(&crate::secret::mask(&self.text[value.clone()]));
                copied = value.end;
            }
        }
        out.push_str(&self.text[copied..]);
        out
    }

    /// The document's bytes.
    pub fn render(&self) -> String {
        self.text.clone()
    }
}

/// Splits text into (line without ending, ending), exactly as `str::lines` does.
fn split_lines(text: &str) -> impl Iterator<Item = (&str, LineEnding)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (line, after) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(newline) => rest.split_at(newline + 1),
            None => (rest, ""),
        };
        rest = after;
        Some(line)
    })
    .map(|line| {
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
    properties: Vec<Property>,
    /// Whether the current section's last property takes sub-properties (its value was empty).
    in_sub_properties: bool,
}

/// The span of `inner`, a slice of `line`, in the document whose line starts at `offset`.
fn span_in(line: &str, offset: usize, inner: &str) -> Span {
    let start = offset + (inner.as_ptr() as usize - line.as_ptr() as usize);
    Span::new(start, start + inner.len())
}

impl Parser {
    /// Classifies one line and records the section or property it starts or continues.
    fn push(&mut self, body: &str, offset: usize, ending: LineEnding) -> Result<(), String> {
        let kind = self.classify(body, offset)?;
        self.lines.push(Line {
            span: Span::new(offset, offset + body.len()),
            ending,
            kind,
        });
        Ok(())
    }

    fn classify(&mut self, body: &str, offset: usize) -> Result<LineKind, String> {
        let index = self.lines.len() as u32;
        if trim_blank(body).is_empty() {
            return Ok(LineKind::Blank);
        }
        if body.starts_with(COMMENT) {
            return Ok(LineKind::Comment);
        }
        if body.starts_with('[') {
            let prepared = strip_comment(body, false);
            let name = prepared
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .ok_or_else(|| "Profile definition must end with ']'".to_string())?;
            let first_property = self.properties.len() as u32;
            self.sections.push(Section {
                header: index,
                name: span_in(body, offset, name),
                properties: first_property..first_property,
                start: index,
                end: index + 1,
            });
            return Ok(LineKind::Header);
        }
        let Some(section) = self.sections.last_mut() else {
            return Err("Expected a profile definition".to_string());
        };
        if body.starts_with(is_blank) {
            if section.properties.is_empty() {
                return Err("Expected a property definition, found continuation".to_string());
            }
            let kind = if self.in_sub_properties {
                split_property(body).map_err(|problem| problem.message("sub-property"))?;
                LineKind::SubProperty
            } else {
                LineKind::Continuation
            };
            self.properties
                .last_mut()
                .expect("the section has properties")
                .last_line = index;
            return Ok(kind);
        }
        let (key, value) = split_property(body).map_err(|problem| problem.message("property"))?;
        self.in_sub_properties = value.is_empty();
        section.properties.end += 1;
        self.properties.push(Property {
            key: span_in(body, offset, key),
            value: span_in(body, offset, value),
            line: index,
            last_line: index,
        });
        Ok(LineKind::Property)
    }

    fn finish(mut self, text: String) -> Document {
        attach_comments_and_ends(&self.lines, &mut self.sections);
        Document {
            text,
            lines: self.lines,
            sections: self.sections,
            properties: self.properties,
        }
    }
}

/// Sets each section's `start` (its attached comment block) and `end` (the next section's start).
fn attach_comments_and_ends(lines: &[Line], sections: &mut [Section]) {
    for section in sections.iter_mut() {
        let mut start = section.header;
        while start > 0 && lines[start as usize - 1].kind == LineKind::Comment {
            start -= 1;
        }
        section.start = start;
    }
    let file_end = lines.len() as u32;
    for i in 0..sections.len() {
        sections[i].end = sections.get(i + 1).map_or(file_end, |next| next.start);
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

/// Splits `key = value` the SDK's way into the trimmed key and value, as slices of `line`.
fn split_property(line: &str) -> Result<(&str, &str), PropertyProblem> {
    let prepared = strip_comment(line, true);
    let equals = prepared
        .bytes()
        .position(|b| b == b'=')
        .ok_or(PropertyProblem::NoEquals)?;
    let (key, value) = (&prepared[..equals], &prepared[equals + 1..]);
    let key = trim_blank(key);
    if key.is_empty() {
        return Err(PropertyProblem::NoName);
    }
    Ok((key, trim_blank(value)))
}

/// Trims whitespace and removes a trailing comment, as the SDK's `prepare_line` does. Property
/// values need whitespace before `#`/`;` for it to start a comment; headers do not.
fn strip_comment(line: &str, comment_needs_whitespace: bool) -> &str {
    let line = trim_blank(line);
    let cut = if memchr::memchr2(b'#', b';', line.as_bytes()).is_none() {
        line.len()
    } else {
        let mut previous_was_whitespace = false;
        let mut cut = line.len();
        for (index, character) in line.char_indices() {
            if COMMENT.contains(&character)
                && (previous_was_whitespace || !comment_needs_whitespace)
            {
                cut = index;
                break;
            }
            previous_was_whitespace = character.is_whitespace();
        }
        cut
    };
    trim_blank(&line[..cut])
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
        let property = document.properties_of(&document.sections()[0])[0];
        assert_eq!(document.key(&property), "region");
        assert_eq!(document.value(&property), "eu-west-1");
    }

    #[test]
    fn continuation_values_are_joined() {
        let document = Document::parse("[a]\ns3 =\n  x = 1\n\n  y = 2\nk = v\n  more\n").unwrap();
        let values: Vec<String> = document
            .properties()
            .iter()
            .map(|p| document.value(p).into_owned())
            .collect();
        assert_eq!(values, ["\nx = 1\ny = 2", "v\nmore"]);
    }

    #[test]
    fn masked_rendering_hides_only_secret_values() {
        let document = Document::parse(
            "[a]\naws_access_key_id = AKIA\nAWS_Secret_Access_Key = abcdefghijklmnopWXYZ # c\n",
        )
        .unwrap();
        assert_eq!(
            document.render_masked(&["aws_secret_access_key"]),
            "[a]\naws_access_key_id = AKIA\nAWS_Secret_Access_Key = ****************WXYZ # c\n"
        );
    }

    #[test]
    fn comments_above_a_header_belong_to_its_section() {
        let document = Document::parse("[a]\nk = v\n\n# about b\n[b]\n").unwrap();
        let sections = document.sections();
        assert_eq!((sections[0].start(), sections[0].end()), (0, 3));
        assert_eq!((sections[1].start(), sections[1].end()), (3, 5));
    }

    #[test]
    fn refusals_carry_their_line() {
        let error = Document::parse("[a]\nk = v\n\0").unwrap_err();
        assert_eq!(error.line, 3);
        let error = Document::parse_bytes(b"[a]\nk = \xff\n".to_vec()).unwrap_err();
        assert_eq!(error.line, 2);
        let error = Document::parse("\u{feff}[a]\n").unwrap_err();
        assert_eq!(error.repair, Some(Repair::StripByteOrderMark));
        let error = Document::parse("[a]\ns3 =\n  # indented comment\n").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(error.message.contains("sub-property"));
    }
}
