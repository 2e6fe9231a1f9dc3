//! Reading an error's code and message straight from its XML body, for emulators whose error
//! shape the SDK does not parse (moto wraps `<Error>` in an extra `<Errors>` element).

/// The text of the first `<Code>` and `<Message>` elements, entities decoded.
pub(crate) fn code_and_message(body: &str) -> (Option<String>, Option<String>) {
    (element_text(body, "Code"), element_text(body, "Message"))
}

fn element_text(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = body.find(&open)? + open.len();
    let length = body[start..].find(&close)?;
    let text = decode_entities(body[start..start + length].trim());
    (!text.is_empty()).then_some(text)
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_wrapped_moto_shape() {
        let body = r#"<?xml version="1.0" encoding="utf-8"?>
<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::1:user/a is not authorized to perform: iam:CreateUser on resource: x &amp; y</Message><Type>Sender</Type></Error></Errors></ErrorResponse>"#;
        let (code, message) = code_and_message(body);
        assert_eq!(code.as_deref(), Some("AccessDenied"));
        assert!(message.expect("message").ends_with("x & y"));
    }

    #[test]
    fn missing_elements_are_none() {
        assert_eq!(code_and_message("<html>500</html>"), (None, None));
        assert_eq!(code_and_message("<Code></Code>"), (None, None));
    }
}
