//! Built-in presets (assets/presets.toml) plus the user's own presets file.
//!
//! A preset is a set of answers for the setup wizard: the IAM user (and optional group) to
//! create, the policies to attach, and the profile to write. Both files share one format,
//! described at the top of `assets/presets.toml`. Everything is validated on load, so the
//! wizard can trust a [`Preset`] as it is; errors name the file, the line, the preset and the
//! field at fault.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::json;
use toml::Spanned;

/// Where the built-in presets live in the source tree; used to name them in messages.
const BUILT_IN_PATH: &str = "assets/presets.toml";
const BUILT_IN_TOML: &str = include_str!("../assets/presets.toml");

/// The output formats the AWS CLI accepts for `output =`.
pub const OUTPUT_FORMATS: &[&str] = &["json", "yaml", "yaml-stream", "text", "table"];

/// The placeholder in `next_steps` that stands for the profile's name.
pub const PROFILE_PLACEHOLDER: &str = "{profile}";

const IAM_NAME_EXTRA_CHARS: &str = "+=,.@_-";
const IAM_USER_NAME_MAX: usize = 64;
const IAM_GROUP_NAME_MAX: usize = 128;
const IAM_POLICY_NAME_MAX: usize = 128;
const PROFILE_NAME_EXTRA_CHARS: &str = "_-/.%@:+";

/// One set of wizard answers, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    /// What `--preset` takes: `[a-z0-9-]+`.
    pub id: String,
    /// One line for the picker.
    pub title: String,
    /// One sentence: what the preset sets up and which manual guide it replaces.
    pub description: String,
    /// The IAM user to create or reuse.
    pub user_name: String,
    /// The IAM group to put the user in, if any; the policies then attach to it.
    pub group: Option<String>,
    pub policies: Vec<PresetPolicy>,
    /// The default profile name to write.
    pub profile: String,
    pub region: Option<String>,
    /// One of [`OUTPUT_FORMATS`].
    pub output: Option<String>,
    /// Tool-specific advice for the Done screen; may contain [`PROFILE_PLACEHOLDER`].
    pub next_steps: Option<String>,
    pub source: PresetSource,
}

/// A policy a preset attaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetPolicy {
    /// An AWS managed policy's name, or any policy's ARN.
    pub name_or_arn: String,
    /// When true, an account without this policy is reported but the run goes on.
    pub optional: bool,
    pub attach_to: AttachTo,
}

/// What a preset's policies are attached to: its group when it has one, else its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachTo {
    User,
    Group,
}

/// Where a preset was defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresetSource {
    BuiltIn,
    User(PathBuf),
}

/// Why presets could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    #[error("cannot read presets file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The file is not valid TOML, or not in the presets format.
    #[error("{}: {message}", location(path, *line))]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// A value breaks a rule, e.g. an IAM user name with a space in it.
    #[error("{}: preset `{preset}`, field `{field}`: {reason}", location(path, Some(*line)))]
    Invalid {
        path: PathBuf,
        line: usize,
        preset: String,
        field: &'static str,
        reason: String,
    },
}

fn location(path: &Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}, line {line}", path.display()),
        None => path.display().to_string(),
    }
}

impl PresetPolicy {
    /// The policy's ARN; a bare name is taken to be an AWS managed policy.
    pub fn arn(&self) -> String {
        if is_arn(&self.name_or_arn) {
            self.name_or_arn.clone()
        } else {
            format!("arn:aws:iam::aws:policy/{}", self.name_or_arn)
        }
    }

    /// The policy's name: the last segment of an ARN, or the name itself.
    pub fn name(&self) -> &str {
        policy_name(&self.name_or_arn)
    }
}

impl Preset {
    /// The `next_steps` text with [`PROFILE_PLACEHOLDER`] replaced by `profile`.
    pub fn next_steps_for(&self, profile: &str) -> Option<String> {
        self.next_steps
            .as_ref()
            .map(|text| text.replace(PROFILE_PLACEHOLDER, profile))
    }
}

impl PresetSource {
    /// `built-in` or `user`, as `credwiz presets` shows it.
    pub fn label(&self) -> &'static str {
        match self {
            PresetSource::BuiltIn => "built-in",
            PresetSource::User(_) => "user",
        }
    }
}

/// The presets shipped with credwiz, in file order.
pub fn built_in() -> Vec<Preset> {
    parse(
        BUILT_IN_TOML,
        Path::new(BUILT_IN_PATH),
        &PresetSource::BuiltIn,
    )
    .unwrap_or_else(|err| panic!("the built-in presets are invalid: {err}"))
}

/// Where the user's own presets live: `<config dir>/credwiz/presets.toml`.
pub fn user_presets_path() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join("credwiz").join("presets.toml"))
}

/// The built-in presets followed by the user's, if `user_file` exists.
///
/// A user preset with a built-in's id takes the built-in's place; the others are appended in
/// file order. A missing file is not an error; an unreadable or invalid one is.
pub fn load_all(user_file: Option<&Path>) -> Result<Vec<Preset>, PresetError> {
    let mut presets = built_in();
    let Some(path) = user_file else {
        return Ok(presets);
    };
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(presets),
        Err(source) => {
            return Err(PresetError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    for preset in parse(&text, path, &PresetSource::User(path.to_owned()))? {
        match presets.iter_mut().find(|known| known.id == preset.id) {
            Some(known) => *known = preset,
            None => presets.push(preset),
        }
    }
    Ok(presets)
}

/// The preset with this id.
pub fn find<'a>(presets: &'a [Preset], id: &str) -> Option<&'a Preset> {
    presets.iter().find(|preset| preset.id == id)
}

/// Checks a name against IAM's rules for user names: 1 to 64 characters from
/// `A-Z a-z 0-9 + = , . @ _ -`.
pub fn validate_iam_user_name(name: &str) -> Result<(), String> {
    validate_iam_name("user name", name, IAM_USER_NAME_MAX)
}

/// Checks a name against IAM's rules for group names: 1 to 128 characters from
/// `A-Z a-z 0-9 + = , . @ _ -`.
pub fn validate_iam_group_name(name: &str) -> Result<(), String> {
    validate_iam_name("group name", name, IAM_GROUP_NAME_MAX)
}

fn validate_iam_name(what: &str, name: &str, max: usize) -> Result<(), String> {
    let rule = format!(
        "an IAM {what} is 1 to {max} characters from A-Z, a-z, 0-9 and {}",
        spaced(IAM_NAME_EXTRA_CHARS)
    );
    let length = name.chars().count();
    if length == 0 {
        return Err(format!("the {what} is empty; {rule}"));
    }
    if let Some(bad) = name.chars().find(|&c| !is_iam_name_char(c)) {
        return Err(format!("{} is not allowed; {rule}", describe_char(bad)));
    }
    if length > max {
        return Err(format!("the {what} is {length} characters long; {rule}"));
    }
    Ok(())
}

fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || IAM_NAME_EXTRA_CHARS.contains(c)
}

fn validate_profile_name(name: &str) -> Result<(), String> {
    let rule = format!(
        "a profile name uses only A-Z, a-z, 0-9 and {}",
        spaced(PROFILE_NAME_EXTRA_CHARS)
    );
    if name.is_empty() {
        return Err(format!("the profile name is empty; {rule}"));
    }
    match name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || PROFILE_NAME_EXTRA_CHARS.contains(c)))
    {
        Some(bad) => Err(format!("{} is not allowed; {rule}", describe_char(bad))),
        None => Ok(()),
    }
}

fn validate_id(id: &str) -> Result<(), String> {
    let is_id_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !id.is_empty() && id.chars().all(is_id_char) {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a preset id; use one or more of a-z, 0-9 and -"
        ))
    }
}

fn validate_region(region: &str) -> Result<(), String> {
    let is_region_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !region.is_empty() && region.chars().all(is_region_char) {
        Ok(())
    } else {
        Err(format!(
            "`{region}` is not a region code; use one such as us-east-1 (a-z, 0-9 and -)"
        ))
    }
}

fn validate_output(output: &str) -> Result<(), String> {
    if OUTPUT_FORMATS.contains(&output) {
        Ok(())
    } else {
        Err(format!(
            "`{output}` is not an output format; use one of {}",
            OUTPUT_FORMATS.join(", ")
        ))
    }
}

fn validate_line(what: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        Err(format!("the {what} is empty"))
    } else if text.contains(['\n', '\r']) {
        Err(format!("the {what} must be a single line"))
    } else {
        Ok(())
    }
}

fn validate_policy(name_or_arn: &str) -> Result<(), String> {
    if is_arn(name_or_arn) {
        return validate_policy_arn(name_or_arn);
    }
    let rule = format!(
        "a policy is an ARN or an AWS managed policy's name: 1 to {IAM_POLICY_NAME_MAX} \
         characters from A-Z, a-z, 0-9 and {}",
        spaced(IAM_NAME_EXTRA_CHARS)
    );
    let length = name_or_arn.chars().count();
    if length == 0 {
        return Err(format!("the policy is empty; {rule}"));
    }
    if name_or_arn.contains('/') {
        return Err(format!(
            "`{name_or_arn}` has a path; give the full ARN, \
             e.g. arn:aws:iam::aws:policy/{name_or_arn}"
        ));
    }
    if let Some(bad) = name_or_arn.chars().find(|&c| !is_iam_name_char(c)) {
        return Err(format!("{} is not allowed; {rule}", describe_char(bad)));
    }
    if length > IAM_POLICY_NAME_MAX {
        return Err(format!(
            "the policy name is {length} characters long; {rule}"
        ));
    }
    Ok(())
}

/// Accepts `arn:PARTITION:iam::ACCOUNT:policy/[PATH/]NAME`.
fn validate_policy_arn(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let well_formed = match parts.as_slice() {
        ["arn", partition, "iam", "", account, resource] => {
            !partition.is_empty()
                && (*account == "aws"
                    || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())))
                && resource.strip_prefix("policy/").is_some_and(|path| {
                    let name = policy_name(path);
                    !name.is_empty()
                        && name.len() <= IAM_POLICY_NAME_MAX
                        && name.chars().all(is_iam_name_char)
                        && !path.contains("//")
                })
        }
        _ => false,
    };
    if well_formed {
        Ok(())
    } else {
        Err(format!(
            "`{arn}` is not an IAM policy ARN; one looks like \
             arn:aws:iam::aws:policy/NAME or arn:aws:iam::123456789012:policy/NAME"
        ))
    }
}

fn is_arn(name_or_arn: &str) -> bool {
    name_or_arn.starts_with("arn:")
}

fn policy_name(name_or_arn: &str) -> &str {
    name_or_arn.rsplit('/').next().unwrap_or(name_or_arn)
}

/// `+=,` as `+ = ,` so that a message can list characters readably.
fn spaced(chars: &str) -> String {
    let mut out = String::new();
    for (i, c) in chars.chars().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        '\t' => "a tab".to_owned(),
        '\n' | '\r' => "a line break".to_owned(),
        c if c.is_control() => format!("the control character U+{:04X}", u32::from(c)),
        c => format!("`{c}`"),
    }
}

/// The presets file as written, before validation; spans locate errors.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    preset: Vec<RawPreset>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPreset {
    id: Spanned<String>,
    title: Spanned<String>,
    description: Spanned<String>,
    user: Spanned<String>,
    group: Option<Spanned<String>>,
    #[serde(default)]
    policies: Vec<Spanned<RawPolicy>>,
    profile: Option<Spanned<String>>,
    region: Option<Spanned<String>>,
    output: Option<Spanned<String>>,
    next_steps: Option<Spanned<String>>,
}

/// `"Name"`, or `{ name = "Name", optional = true }`.
enum RawPolicy {
    Required(String),
    Detailed(RawPolicyTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicyTable {
    name: String,
    #[serde(default)]
    optional: bool,
}

impl<'de> Deserialize<'de> for RawPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PolicyVisitor;

        impl<'de> serde::de::Visitor<'de> for PolicyVisitor {
            type Value = RawPolicy;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a policy name or ARN, or a table like \
                     { name = \"NameOrArn\", optional = true }",
                )
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<RawPolicy, E> {
                Ok(RawPolicy::Required(value.to_owned()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawPolicy, A::Error> {
                RawPolicyTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawPolicy::Detailed)
            }
        }

        deserializer.deserialize_any(PolicyVisitor)
    }
}

impl RawPolicy {
    fn into_parts(self) -> (String, bool) {
        match self {
            RawPolicy::Required(name) => (name, false),
            RawPolicy::Detailed(table) => (table.name, table.optional),
        }
    }
}

/// Parses and validates one presets file; `path` is only used to name it in errors.
fn parse(text: &str, path: &Path, source: &PresetSource) -> Result<Vec<Preset>, PresetError> {
    let raw: RawFile = toml::from_str(text).map_err(|err| PresetError::Parse {
        path: path.to_owned(),
        line: err.span().map(|span| line_of(text, span.start)),
        message: err.message().trim_end().to_owned(),
    })?;
    let mut presets: Vec<Preset> = Vec::with_capacity(raw.preset.len());
    let mut id_lines: Vec<usize> = Vec::with_capacity(raw.preset.len());
    for raw_preset in raw.preset {
        let id_line = line_of(text, raw_preset.id.span().start);
        let preset =
            validate_preset(raw_preset, source.clone()).map_err(|bad| PresetError::Invalid {
                path: path.to_owned(),
                line: line_of(text, bad.span.start),
                preset: bad.preset,
                field: bad.field,
                reason: bad.reason,
            })?;
        if let Some(first) = presets.iter().position(|known| known.id == preset.id) {
            return Err(PresetError::Invalid {
                path: path.to_owned(),
                line: id_line,
                reason: format!(
                    "the id `{}` is already used by the preset on line {}",
                    preset.id, id_lines[first]
                ),
                preset: preset.id,
                field: "id",
            });
        }
        presets.push(preset);
        id_lines.push(id_line);
    }
    Ok(presets)
}

/// A rule broken by one field of one preset, located by the field's span.
struct FieldError {
    preset: String,
    field: &'static str,
    span: Range<usize>,
    reason: String,
}

fn validate_preset(raw: RawPreset, source: PresetSource) -> Result<Preset, FieldError> {
    let preset_id = raw.id.get_ref().clone();
    let check = |field: &'static str,
                 value: &Spanned<String>,
                 rule: &dyn Fn(&str) -> Result<(), String>| {
        rule(value.get_ref()).map_err(|reason| FieldError {
            preset: preset_id.clone(),
            field,
            span: value.span(),
            reason,
        })
    };

    check("id", &raw.id, &validate_id)?;
    check("title", &raw.title, &|text| validate_line("title", text))?;
    check("description", &raw.description, &|text| {
        validate_line("description", text)
    })?;
    check("user", &raw.user, &validate_iam_user_name)?;
    if let Some(group) = &raw.group {
        check("group", group, &validate_iam_group_name)?;
    }
    if let Some(profile) = &raw.profile {
        check("profile", profile, &validate_profile_name)?;
    }
    if let Some(region) = &raw.region {
        check("region", region, &validate_region)?;
    }
    if let Some(output) = &raw.output {
        check("output", output, &validate_output)?;
    }
    if let Some(next_steps) = &raw.next_steps {
        check("next_steps", next_steps, &|text| {
            validate_line("next_steps text", text)
        })?;
    }

    let attach_to = if raw.group.is_some() {
        AttachTo::Group
    } else {
        AttachTo::User
    };
    let mut policies: Vec<PresetPolicy> = Vec::with_capacity(raw.policies.len());
    for spanned in raw.policies {
        let span = spanned.span();
        let (name_or_arn, optional) = spanned.into_inner().into_parts();
        let located = Spanned::new(span.clone(), name_or_arn);
        check("policies", &located, &validate_policy)?;
        let policy = PresetPolicy {
            name_or_arn: located.into_inner(),
            optional,
            attach_to,
        };
        if policies.iter().any(|known| known.arn() == policy.arn()) {
            return Err(FieldError {
                preset: preset_id,
                field: "policies",
                span,
                reason: format!("`{}` is listed twice", policy.name_or_arn),
            });
        }
        policies.push(policy);
    }

    let id = raw.id.into_inner();
    Ok(Preset {
        profile: raw.profile.map_or_else(|| id.clone(), Spanned::into_inner),
        id,
        title: raw.title.into_inner(),
        description: raw.description.into_inner(),
        user_name: raw.user.into_inner(),
        group: raw.group.map(Spanned::into_inner),
        policies,
        region: raw.region.map(Spanned::into_inner),
        output: raw.output.map(Spanned::into_inner),
        next_steps: raw.next_steps.map(Spanned::into_inner),
        source,
    })
}

/// The 1-based line holding byte `offset` of `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The presets as `credwiz presets -o json` prints them.
pub fn to_json(presets: &[Preset]) -> serde_json::Value {
    presets
        .iter()
        .map(|preset| {
            let policies: Vec<serde_json::Value> = preset
                .policies
                .iter()
                .map(|policy| {
                    json!({
                        "name": policy.name(),
                        "arn": policy.arn(),
                        "optional": policy.optional,
                    })
                })
                .collect();
            json!({
                "id": preset.id,
                "title": preset.title,
                "description": preset.description,
                "user": preset.user_name,
                "group": preset.group,
                "policies": policies,
                "profile": preset.profile,
                "region": preset.region,
                "output": preset.output,
                "next_steps": preset.next_steps_for(&preset.profile),
                "source": preset.source.label(),
            })
        })
        .collect()
}

/// The presets as `credwiz presets -o table` prints them: aligned columns, no colour.
/// Optional policies carry a `?` suffix; an absent value is `-`.
pub fn to_table(presets: &[Preset]) -> String {
    const HEADER: [&str; 6] = ["ID", "USER", "GROUP", "POLICIES", "REGION", "SOURCE"];
    let rows: Vec<[String; 6]> = presets
        .iter()
        .map(|preset| {
            let policies = preset
                .policies
                .iter()
                .map(|policy| {
                    let suffix = if policy.optional { "?" } else { "" };
                    format!("{}{suffix}", policy.name_or_arn)
                })
                .collect::<Vec<_>>()
                .join(",");
            [
                preset.id.clone(),
                preset.user_name.clone(),
                preset.group.clone().unwrap_or_else(|| "-".to_owned()),
                if policies.is_empty() {
                    "-".to_owned()
                } else {
                    policies
                },
                preset.region.clone().unwrap_or_else(|| "-".to_owned()),
                preset.source.label().to_owned(),
            ]
        })
        .collect();

    let mut widths = HEADER.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }

    let mut out = String::new();
    let header = HEADER.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            let _ = write!(line, "{cell:<width$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn user_file(contents: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(contents.as_bytes()).unwrap();
        file
    }

    fn policy(name: &str, optional: bool, attach_to: AttachTo) -> PresetPolicy {
        PresetPolicy {
            name_or_arn: name.to_owned(),
            optional,
            attach_to,
        }
    }

    fn load_user(contents: &str) -> Result<Vec<Preset>, PresetError> {
        let file = user_file(contents);
        load_all(Some(file.path()))
    }

    fn invalid(contents: &str) -> (usize, String, &'static str, String) {
        match load_user(contents) {
            Err(PresetError::Invalid {
                line,
                preset,
                field,
                reason,
                ..
            }) => (line, preset, field, reason),
            other => panic!("expected an Invalid error, got {other:?}"),
        }
    }

    const MINIMAL: &str = r#"
[[preset]]
id = "mine"
title = "Mine"
description = "Mine."
user = "me"
"#;

    #[test]
    fn built_ins_are_the_four_documented_presets_in_order() {
        let ids: Vec<String> = built_in().into_iter().map(|p| p.id).collect();
        assert_eq!(ids, ["aimodelshare", "pharmer", "mturk", "s3-readonly"]);
    }

    #[test]
    fn aimodelshare_preset() {
        let presets = built_in();
        let p = find(&presets, "aimodelshare").unwrap();
        assert_eq!(p.title, "AI Model Share deployer");
        assert_eq!(p.user_name, "aimodelshareadmin");
        assert_eq!(p.group, None);
        assert_eq!(
            p.policies,
            [policy("AdministratorAccess", false, AttachTo::User)]
        );
        assert_eq!(p.profile, "aimodelshare");
        assert_eq!((p.region.as_deref(), p.output.as_deref()), (None, None));
        assert_eq!(p.source, PresetSource::BuiltIn);
    }

    #[test]
    fn pharmer_preset_attaches_to_its_group() {
        let presets = built_in();
        let p = find(&presets, "pharmer").unwrap();
        assert_eq!(p.user_name, "pharmer");
        assert_eq!(p.group.as_deref(), Some("pharmer"));
        let expected: Vec<PresetPolicy> = [
            "AmazonEC2FullAccess",
            "AmazonRoute53FullAccess",
            "IAMFullAccess",
            "AmazonVPCFullAccess",
        ]
        .into_iter()
        .map(|name| policy(name, false, AttachTo::Group))
        .collect();
        assert_eq!(p.policies, expected);
        assert_eq!(p.profile, "pharmer");
        assert_eq!((p.region.as_deref(), p.output.as_deref()), (None, None));
    }

    #[test]
    fn mturk_preset_has_an_optional_policy_region_and_output() {
        let presets = built_in();
        let p = find(&presets, "mturk").unwrap();
        assert_eq!(p.user_name, "mturk-crowd-caller");
        assert_eq!(p.group, None);
        assert_eq!(
            p.policies,
            [
                policy("AmazonMechanicalTurkFullAccess", false, AttachTo::User),
                policy("AmazonMechanicalTurkCrowdFullAccess", true, AttachTo::User),
            ]
        );
        assert_eq!(p.profile, "mturk");
        assert_eq!(p.region.as_deref(), Some("us-east-1"));
        assert_eq!(p.output.as_deref(), Some("json"));
    }

    #[test]
    fn s3_readonly_preset() {
        let presets = built_in();
        let p = find(&presets, "s3-readonly").unwrap();
        assert_eq!(p.group, None);
        assert_eq!(
            p.policies,
            [policy("AmazonS3ReadOnlyAccess", false, AttachTo::User)]
        );
        assert_eq!(p.profile, "s3-readonly");
        assert_eq!((p.region.as_deref(), p.output.as_deref()), (None, None));
    }

    #[test]
    fn every_built_in_has_text_and_next_steps() {
        for p in built_in() {
            assert!(!p.title.is_empty() && !p.description.is_empty(), "{}", p.id);
            let steps = p.next_steps_for("x").unwrap();
            assert!(!steps.contains(PROFILE_PLACEHOLDER), "{}", p.id);
        }
    }

    #[test]
    fn next_steps_name_the_chosen_profile() {
        let presets = built_in();
        let steps = find(&presets, "pharmer")
            .unwrap()
            .next_steps_for("k8s-admin")
            .unwrap();
        assert!(
            steps.contains("credwiz show k8s-admin -o pharmer"),
            "{steps}"
        );
    }

    #[test]
    fn find_unknown_id_is_none() {
        assert!(find(&built_in(), "nope").is_none());
    }

    #[test]
    fn no_user_file_gives_the_built_ins() {
        assert_eq!(load_all(None).unwrap(), built_in());
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("presets.toml");
        assert_eq!(load_all(Some(&missing)).unwrap(), built_in());
    }

    #[test]
    fn user_file_overrides_in_place_and_adds() {
        let file = user_file(
            r#"
[[preset]]
id = "mine"
title = "Mine"
description = "My own tool."
user = "me"
group = "us"
policies = ["ReadOnlyAccess", { name = "arn:aws:iam::123456789012:policy/Extra", optional = true }]
region = "eu-west-1"
output = "yaml"

[[preset]]
id = "pharmer"
title = "pharmer, my way"
description = "pharmer with a custom user."
user = "pharmer-ci"
policies = ["AmazonEC2FullAccess"]
profile = "pharmer-ci"
"#,
        );
        let presets = load_all(Some(file.path())).unwrap();
        let ids: Vec<&str> = presets.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            ["aimodelshare", "pharmer", "mturk", "s3-readonly", "mine"]
        );

        let pharmer = find(&presets, "pharmer").unwrap();
        assert_eq!(pharmer.user_name, "pharmer-ci");
        assert_eq!(pharmer.group, None);
        assert_eq!(
            pharmer.policies,
            [policy("AmazonEC2FullAccess", false, AttachTo::User)]
        );
        assert_eq!(pharmer.profile, "pharmer-ci");
        assert_eq!(pharmer.source, PresetSource::User(file.path().to_owned()));

        let mine = find(&presets, "mine").unwrap();
        assert_eq!(mine.profile, "mine", "the profile defaults to the id");
        assert_eq!(
            mine.policies,
            [
                policy("ReadOnlyAccess", false, AttachTo::Group),
                policy(
                    "arn:aws:iam::123456789012:policy/Extra",
                    true,
                    AttachTo::Group
                ),
            ]
        );
        assert_eq!(mine.region.as_deref(), Some("eu-west-1"));
        assert_eq!(mine.output.as_deref(), Some("yaml"));
        assert_eq!(mine.next_steps, None);
        assert_eq!(
            find(&presets, "mturk").unwrap().source,
            PresetSource::BuiltIn
        );
    }

    #[test]
    fn malformed_user_file_names_path_and_line() {
        let file = user_file("[[preset]]\nid = \"a\"\ntitle = \"unterminated\n");
        let err = load_all(Some(file.path())).unwrap_err();
        assert!(
            matches!(err, PresetError::Parse { line: Some(3), .. }),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&file.path().display().to_string()),
            "{message}"
        );
        assert!(message.contains("line 3"), "{message}");
    }

    #[test]
    fn unknown_key_is_a_parse_error_on_its_line() {
        let file = user_file(&format!("{MINIMAL}polices = [\"X\"]\n"));
        let err = load_all(Some(file.path())).unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(err, PresetError::Parse { line: Some(7), .. }),
            "{message}"
        );
        assert!(message.contains("polices"), "{message}");
    }

    #[test]
    fn malformed_policy_entries_say_what_a_policy_looks_like() {
        let with_policies = |list: &str| {
            MINIMAL.replace(
                "user = \"me\"",
                &format!("user = \"me\"\npolicies = {list}"),
            )
        };
        let wrong_type = load_user(&with_policies("[3]")).unwrap_err().to_string();
        assert!(wrong_type.contains("line 7"), "{wrong_type}");
        assert!(wrong_type.contains("a policy name or ARN"), "{wrong_type}");
        let typo = load_user(&with_policies("[{ nam = \"X\" }]"))
            .unwrap_err()
            .to_string();
        assert!(typo.contains("`nam`"), "{typo}");
    }

    #[test]
    fn missing_required_field_is_a_parse_error() {
        let file = user_file("[[preset]]\nid = \"a\"\ntitle = \"A\"\ndescription = \"A.\"\n");
        let message = load_all(Some(file.path())).unwrap_err().to_string();
        assert!(message.contains("user"), "{message}");
        assert!(message.contains("line "), "{message}");
    }

    #[test]
    fn unreadable_user_file_is_a_read_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_all(Some(dir.path())).unwrap_err();
        assert!(matches!(err, PresetError::Read { .. }), "{err:?}");
        assert!(err.to_string().contains(&dir.path().display().to_string()));
    }

    #[test]
    fn invalid_user_name_names_preset_field_and_line() {
        let (line, preset, field, reason) =
            invalid(&MINIMAL.replace("user = \"me\"", "user = \"bad user\""));
        assert_eq!((line, preset.as_str(), field), (6, "mine", "user"));
        assert!(reason.contains("a space"), "{reason}");

        let file = user_file(&MINIMAL.replace("user = \"me\"", "user = \"bad user\""));
        let message = load_all(Some(file.path())).unwrap_err().to_string();
        assert!(
            message.contains(&file.path().display().to_string()),
            "{message}"
        );
        assert!(message.contains("line 6"), "{message}");
        assert!(
            message.contains("`mine`") && message.contains("`user`"),
            "{message}"
        );
    }

    #[test]
    fn invalid_fields_are_reported_by_name() {
        let cases = [
            ("id = \"mine\"", "id = \"Mine\"", "id"),
            ("id = \"mine\"", "id = \"\"", "id"),
            ("title = \"Mine\"", "title = \" \"", "title"),
            (
                "description = \"Mine.\"",
                "description = \"a\\nb\"",
                "description",
            ),
            ("user = \"me\"", "user = \"me\"\ngroup = \"a/b\"", "group"),
            (
                "user = \"me\"",
                "user = \"me\"\nprofile = \"my profile\"",
                "profile",
            ),
            ("user = \"me\"", "user = \"me\"\nprofile = \"\"", "profile"),
            ("user = \"me\"", "user = \"me\"\noutput = \"xml\"", "output"),
            (
                "user = \"me\"",
                "user = \"me\"\nregion = \"US East\"",
                "region",
            ),
            (
                "user = \"me\"",
                "user = \"me\"\nnext_steps = \"\"",
                "next_steps",
            ),
            (
                "user = \"me\"",
                "user = \"me\"\npolicies = [\"\"]",
                "policies",
            ),
            (
                "user = \"me\"",
                "user = \"me\"\npolicies = [\"Bad Name\"]",
                "policies",
            ),
            (
                "user = \"me\"",
                "user = \"me\"\npolicies = [\"job-function/ViewOnlyAccess\"]",
                "policies",
            ),
            (
                "user = \"me\"",
                "user = \"me\"\npolicies = [\"arn:aws:s3:::bucket\"]",
                "policies",
            ),
            (
                "user = \"me\"",
                "user = \"me\"\npolicies = [\"A\", \"arn:aws:iam::aws:policy/A\"]",
                "policies",
            ),
        ];
        for (from, to, expected_field) in cases {
            let (_, _, field, reason) = invalid(&MINIMAL.replace(from, to));
            assert_eq!(field, expected_field, "{to}: {reason}");
        }
    }

    #[test]
    fn output_error_lists_the_formats() {
        let (line, _, _, reason) =
            invalid(&MINIMAL.replace("user = \"me\"", "user = \"me\"\noutput = \"xml\""));
        assert_eq!(line, 7);
        assert!(
            reason.contains("json, yaml, yaml-stream, text, table"),
            "{reason}"
        );
    }

    #[test]
    fn duplicate_ids_in_one_file_are_rejected() {
        let (line, preset, field, reason) = invalid(&format!("{MINIMAL}{MINIMAL}"));
        assert_eq!((line, preset.as_str(), field), (9, "mine", "id"));
        assert!(reason.contains("line 3"), "{reason}");
    }

    #[test]
    fn policy_arns_with_paths_and_accounts_are_accepted() {
        let presets = load_user(&MINIMAL.replace(
            "user = \"me\"",
            "user = \"me\"\npolicies = [\"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess\", \
             \"arn:aws-cn:iam::123456789012:policy/Mine\"]",
        ))
        .unwrap();
        let mine = find(&presets, "mine").unwrap();
        let names: Vec<&str> = mine.policies.iter().map(PresetPolicy::name).collect();
        assert_eq!(names, ["ViewOnlyAccess", "Mine"]);
    }

    #[test]
    fn iam_user_name_rules() {
        assert!(validate_iam_user_name("a").is_ok());
        assert!(validate_iam_user_name("A-z_0.9+=,@").is_ok());
        assert!(validate_iam_user_name(&"u".repeat(64)).is_ok());

        let too_long = validate_iam_user_name(&"u".repeat(65)).unwrap_err();
        assert!(
            too_long.contains("65") && too_long.contains("64"),
            "{too_long}"
        );
        let empty = validate_iam_user_name("").unwrap_err();
        assert!(empty.contains("empty"), "{empty}");
        let bad = validate_iam_user_name("jane/doe").unwrap_err();
        assert!(bad.contains("`/`"), "{bad}");
        for message in [too_long, empty, bad] {
            assert!(
                message.contains("1 to 64 characters from A-Z, a-z, 0-9 and + = , . @ _ -"),
                "{message}"
            );
        }
        assert!(validate_iam_user_name("naïve").is_err());
    }

    #[test]
    fn iam_group_name_rules() {
        assert!(validate_iam_group_name(&"g".repeat(128)).is_ok());
        let too_long = validate_iam_group_name(&"g".repeat(129)).unwrap_err();
        assert!(too_long.contains("1 to 128 characters"), "{too_long}");
        assert!(
            validate_iam_group_name("a b")
                .unwrap_err()
                .contains("a space")
        );
    }

    #[test]
    fn policy_arn_and_name() {
        let named = policy("AdministratorAccess", false, AttachTo::User);
        assert_eq!(named.arn(), "arn:aws:iam::aws:policy/AdministratorAccess");
        assert_eq!(named.name(), "AdministratorAccess");
        let arn = policy(
            "arn:aws:iam::123456789012:policy/team/Mine",
            true,
            AttachTo::User,
        );
        assert_eq!(arn.arn(), "arn:aws:iam::123456789012:policy/team/Mine");
        assert_eq!(arn.name(), "Mine");
    }

    #[test]
    fn json_shape() {
        let file = user_file(MINIMAL);
        let presets = load_all(Some(file.path())).unwrap();
        let value = to_json(&presets);
        let entries = value.as_array().unwrap();
        assert_eq!(entries.len(), 5);

        let mturk = &entries[2];
        assert_eq!(mturk["id"], "mturk");
        assert_eq!(mturk["title"], "MTurk requester");
        assert_eq!(mturk["user"], "mturk-crowd-caller");
        assert_eq!(mturk["group"], serde_json::Value::Null);
        assert_eq!(mturk["profile"], "mturk");
        assert_eq!(mturk["region"], "us-east-1");
        assert_eq!(mturk["output"], "json");
        assert_eq!(mturk["source"], "built-in");
        assert!(mturk["description"].as_str().unwrap().ends_with('.'));
        assert_eq!(
            mturk["policies"],
            json!([
                {
                    "name": "AmazonMechanicalTurkFullAccess",
                    "arn": "arn:aws:iam::aws:policy/AmazonMechanicalTurkFullAccess",
                    "optional": false,
                },
                {
                    "name": "AmazonMechanicalTurkCrowdFullAccess",
                    "arn": "arn:aws:iam::aws:policy/AmazonMechanicalTurkCrowdFullAccess",
                    "optional": true,
                },
            ])
        );

        assert_eq!(entries[1]["group"], "pharmer");
        let mine = &entries[4];
        assert_eq!(mine["source"], "user");
        assert_eq!(mine["policies"], json!([]));
        assert_eq!(mine["region"], serde_json::Value::Null);
        assert_eq!(mine["next_steps"], serde_json::Value::Null);
    }

    #[test]
    fn table_lists_every_preset_in_aligned_columns() {
        let file = user_file(MINIMAL);
        let presets = load_all(Some(file.path())).unwrap();
        let table = to_table(&presets);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 1 + presets.len());
        assert!(lines[0].starts_with("ID"), "{table}");
        for preset in &presets {
            assert!(
                lines
                    .iter()
                    .any(|line| line.starts_with(&format!("{} ", preset.id))),
                "{} missing:\n{table}",
                preset.id
            );
        }

        let column = |name: &str| lines[0].find(name).unwrap();
        for heading in ["USER", "GROUP", "POLICIES", "REGION", "SOURCE"] {
            let at = column(heading);
            for line in &lines[1..] {
                assert_ne!(
                    line.as_bytes()[at],
                    b' ',
                    "column {heading} misaligned:\n{table}"
                );
                assert_eq!(
                    &line[at - 2..at],
                    "  ",
                    "column {heading} misaligned:\n{table}"
                );
            }
        }

        let mturk = lines.iter().find(|l| l.starts_with("mturk ")).unwrap();
        assert!(
            mturk.contains("AmazonMechanicalTurkFullAccess,AmazonMechanicalTurkCrowdFullAccess?"),
            "{mturk}"
        );
        assert!(
            mturk.contains("us-east-1") && mturk.ends_with("built-in"),
            "{mturk}"
        );
        let mine = lines.iter().find(|l| l.starts_with("mine ")).unwrap();
        assert!(mine.ends_with("user"), "{mine}");
        assert!(!table.contains('\x1b'), "no colour codes");
        assert!(table.lines().all(|line| line == line.trim_end()));
    }
}
