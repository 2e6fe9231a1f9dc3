//! Key material in and out: the files and variables people hand keys over in.
//!
//! In: the AWS CLI's `create-access-key` JSON, `export-credentials` JSON, pharmer's JSON,
//! DataRobot's `s3` credential data, the IAM console's CSV, and the environment.
//! Out: `env` lines, pharmer JSON and DataRobot JSON. Also the sanity checks for key ids and
//! secrets, which warn rather than refuse because emulators use odd formats.

use serde_json::{Value, json};

use crate::secret::Secret;

/// An access key as handed over: id, secret and, for temporary credentials, a session token.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyMaterial {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyMaterial")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .finish()
    }
}

impl KeyMaterial {
    pub fn new(access_key_id: &str, secret: &str, session_token: Option<&str>) -> KeyMaterial {
        KeyMaterial {
            access_key_id: access_key_id.trim().to_string(),
            secret_access_key: Secret::new(secret.trim()),
            session_token: session_token
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(Secret::new),
        }
    }

    /// Problems with the key id or secret that suggest a paste went wrong.
    pub fn doubts(&self) -> Vec<String> {
        let mut doubts = Vec::new();
        if let Err(doubt) = check_access_key_id(&self.access_key_id) {
            doubts.push(doubt);
        }
        if let Err(doubt) = check_secret_access_key(self.secret_access_key.expose()) {
            doubts.push(doubt);
        }
        doubts
    }
}

/// An AWS access key id: 16 to 128 upper-case letters and digits, usually `AKIA` or `ASIA` and 20
/// long. Returns what looks wrong.
pub fn check_access_key_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("the access key id is empty".to_string());
    }
    if !(16..=128).contains(&id.len()) {
        return Err(format!(
            "the access key id is {} characters long; AWS key ids are 20",
            id.len()
        ));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Err(
            "the access key id has characters other than upper-case letters and digits".to_string(),
        );
    }
    if !(id.starts_with("AKIA") || id.starts_with("ASIA")) {
        return Err(
            "the access key id does not start with AKIA (long-term) or ASIA (temporary)"
                .to_string(),
        );
    }
    Ok(())
}

/// An AWS secret access key: 40 characters of base64 letters. Returns what looks wrong, never
/// quoting the secret itself.
pub fn check_secret_access_key(secret: &str) -> Result<(), String> {
    if secret.is_empty() {
        return Err("the secret access key is empty".to_string());
    }
    if secret.len() != 40 {
        return Err(format!(
            "the secret access key is {} characters long; AWS secrets are 40",
            secret.len()
        ));
    }
    if !secret
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
    {
        return Err(
            "the secret access key has characters other than letters, digits, + / and ="
                .to_string(),
        );
    }
    Ok(())
}

/// Recognises a key file by its content.
pub fn parse_key_file(bytes: &[u8]) -> Result<KeyMaterial, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "the file looks like JSON but does not parse (line {}, column {}): {}",
                e.line(),
                e.column(),
                e.classify_name()
            )
        })?;
        return from_json(&value);
    }
    from_console_csv(text)
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Eof => "unexpected end of file",
        }
    }
}

fn text_field<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    value.get(name).and_then(Value::as_str)
}

fn from_json(value: &Value) -> Result<KeyMaterial, String> {
    let shapes: [(&str, Option<&Value>, [&str; 3]); 4] = [
        (
            "create-access-key output",
            value.get("AccessKey"),
            ["AccessKeyId", "SecretAccessKey", "SessionToken"],
        ),
        (
            "export-credentials JSON",
            value.get("Version").map(|_| value),
            ["AccessKeyId", "SecretAccessKey", "SessionToken"],
        ),
        (
            "pharmer credential",
            value.get("accessKeyID").map(|_| value),
            ["accessKeyID", "secretAccessKey", "sessionToken"],
        ),
        (
            "DataRobot s3 credential",
            value.get("awsAccessKeyId").map(|_| value),
            ["awsAccessKeyId", "awsSecretAccessKey", "awsSessionToken"],
        ),
    ];
    for (shape, body, [id, secret, token]) in shapes {
        let Some(body) = body else { continue };
        let (Some(id), Some(secret)) = (text_field(body, id), text_field(body, secret)) else {
            return Err(format!("the {shape} has no `{id}` and `{secret}`"));
        };
        return Ok(KeyMaterial::new(id, secret, text_field(body, token)));
    }
    Err("unrecognised JSON: expected create-access-key output ({\"AccessKey\": ...}), export-credentials JSON ({\"Version\": 1, ...}), pharmer ({\"accessKeyID\", \"secretAccessKey\"}) or DataRobot ({\"credentialType\": \"s3\", ...})".to_string())
}

/// The IAM console's access-key CSV: a header row naming `Access key ID` and `Secret access key`,
/// optionally with `User name` and other columns, then one row.
fn from_console_csv(text: &str) -> Result<KeyMaterial, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| format!("the file is neither JSON nor CSV: {e}"))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!("unrecognised file: expected JSON or the IAM console's CSV with a `{name}` column")
            })
    };
    let id_column = column("Access key ID")?;
    let secret_column = column("Secret access key")?;
    let record = reader
        .records()
        .next()
        .ok_or("the CSV has a header but no key row")?
        .map_err(|e| format!("the CSV does not parse: {e}"))?;
    let field = |i: usize| record.get(i).unwrap_or_default();
    Ok(KeyMaterial::new(
        field(id_column),
        field(secret_column),
        None,
    ))
}

/// `AWS_ACCESS_KEY_ID=...` lines, for `eval` or `.env` files.
pub fn to_env_lines(keys: &KeyMaterial, region: Option<&str>) -> String {
    let mut out = format!(
        "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\n",
        keys.access_key_id,
        keys.secret_access_key.expose()
    );
    if let Some(token) = &keys.session_token {
        out.push_str(&format!("AWS_SESSION_TOKEN={}\n", token.expose()));
    }
    if let Some(region) = region {
        out.push_str(&format!(
            "AWS_REGION={region}\nAWS_DEFAULT_REGION={region}\n"
        ));
    }
    out
}

pub fn to_pharmer(keys: &KeyMaterial) -> Value {
    json!({
        "accessKeyID": keys.access_key_id,
        "secretAccessKey": keys.secret_access_key.expose(),
    })
}

pub fn to_datarobot(keys: &KeyMaterial) -> Value {
    let mut value = json!({
        "credentialType": "s3",
        "awsAccessKeyId": keys.access_key_id,
        "awsSecretAccessKey": keys.secret_access_key.expose(),
    });
    if let Some(token) = &keys.session_token {
        value["awsSessionToken"] = Value::String(token.expose().to_string());
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "AKIAIOSFODNN7EXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    fn parsed(text: &str) -> KeyMaterial {
        parse_key_file(text.as_bytes()).unwrap()
    }

    #[test]
    fn every_import_shape_is_recognised() {
        let create = format!(
            r#"{{"AccessKey": {{"UserName": "u", "AccessKeyId": " {ID} ", "Status": "Active", "SecretAccessKey": "{SECRET}"}}}}"#
        );
        let export = format!(
            r#"{{"Version": 1, "AccessKeyId": "{ID}", "SecretAccessKey": "{SECRET}", "SessionToken": "tok"}}"#
        );
        let pharmer = format!(r#"{{"accessKeyID": "{ID}", "secretAccessKey": "{SECRET}"}}"#);
        let datarobot = format!(
            r#"{{"credentialType": "s3", "awsAccessKeyId": "{ID}", "awsSecretAccessKey": "{SECRET}"}}"#
        );
        let csv_plain = format!("Access key ID,Secret access key\r\n{ID},{SECRET}\r\n");
        let csv_user = format!(
            "\u{feff}User name,Password,Access key ID,Secret access key,Console login link\nbob,,{ID},{SECRET},https://example\n"
        );
        for text in [
            &create, &export, &pharmer, &datarobot, &csv_plain, &csv_user,
        ] {
            let keys = parsed(text);
            assert_eq!(keys.access_key_id, ID, "{text}");
            assert_eq!(keys.secret_access_key.expose(), SECRET);
        }
        assert_eq!(
            parsed(&export)
                .session_token
                .map(|t| t.expose().to_string()),
            Some("tok".to_string())
        );
    }

    #[test]
    fn unknown_files_say_what_was_expected() {
        assert!(
            parse_key_file(b"{\"foo\": 1}")
                .unwrap_err()
                .contains("pharmer")
        );
        assert!(
            parse_key_file(b"a,b\n1,2\n")
                .unwrap_err()
                .contains("Access key ID")
        );
        assert!(
            parse_key_file(b"{\"AccessKey\": ")
                .unwrap_err()
                .contains("line 1")
        );
    }

    #[test]
    fn doubts_name_the_problem_without_the_secret() {
        let keys = KeyMaterial::new("akia123", "short", None);
        let doubts = keys.doubts().join("; ");
        assert!(doubts.contains("20"));
        assert!(doubts.contains("40"));
        assert!(!doubts.contains("short"));
        assert!(KeyMaterial::new(ID, SECRET, None).doubts().is_empty());
    }

    #[test]
    fn export_formats_have_their_documented_shape() {
        let keys = KeyMaterial::new(ID, SECRET, Some("tok"));
        assert_eq!(
            to_pharmer(&keys),
            json!({"accessKeyID": ID, "secretAccessKey": SECRET})
        );
        assert_eq!(to_datarobot(&keys)["awsSessionToken"], "tok");
        assert!(to_env_lines(&keys, Some("us-east-1")).contains("AWS_SESSION_TOKEN=tok\n"));
        assert!(!format!("{keys:?}").contains(SECRET));
    }
}
