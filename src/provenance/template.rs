//! Was a CloudFormation change set made from the head's template?
//!
//! A change set does not carry its template, but CloudFormation keeps it:
//! `aws cloudformation get-template --stack-name S --change-set-name C` prints
//! `{"TemplateBody": …}`, the body as it was submitted (a string for YAML, an
//! object for JSON). `check --change-set-template FILE` compares that with the
//! head's template: the same text (line endings and trailing blanks aside), or
//! for JSON the same document. Anything else, including a file that is not
//! `get-template` output, is an error (exit 2), never a pass.

use serde_json::Value;

use super::ProvenanceError;

/// What `--change-set-template FILE` is compared with.
pub struct HeadTemplate<'a> {
    /// The template's path in the repository.
    pub path: &'a str,
    /// Its text at the head; `None` when the head has no such file.
    pub text: Option<&'a str>,
    pub rev: &'a str,
}

/// Compare the `get-template` output `submitted` (read from `file`) for the
/// change set `plan` with the head's template.
pub fn check(
    plan: &str,
    file: &str,
    submitted: &str,
    head: &HeadTemplate<'_>,
) -> Result<(), ProvenanceError> {
    let short: String = head.rev.chars().take(12).collect();
    let unknown = |why: String, help: &str| ProvenanceError::Unknown {
        path: plan.to_owned(),
        head: short.clone(),
        why,
        help: help.to_owned(),
    };
    let output: Value = serde_json::from_str(submitted)
        .map_err(|e| unknown(format!("{file} is not JSON ({e})"), GET_TEMPLATE))?;
    let body = output.get("TemplateBody").ok_or_else(|| {
        unknown(
            format!("{file} has no `TemplateBody`: it is not `get-template` output"),
            GET_TEMPLATE,
        )
    })?;
    let Some(text) = head.text else {
        return Err(unknown(
            format!("the head has no {}, the stack's template", head.path),
            "name the stack's template in .plangate.hcl (`stack \"NAME\" { template = \"PATH\" }`) \
             or with --template PATH, as the head has it",
        ));
    };
    let same = match body {
        Value::String(s) => {
            normalized(s) == normalized(text)
                || matches!(
                    (serde_json::from_str::<Value>(s), serde_json::from_str::<Value>(text)),
                    (Ok(a), Ok(b)) if a == b
                )
        }
        Value::Object(_) => serde_json::from_str::<Value>(text).is_ok_and(|t| &t == body),
        _ => {
            return Err(unknown(
                format!("{file}'s `TemplateBody` is neither text nor a JSON template"),
                GET_TEMPLATE,
            ));
        }
    };
    if same {
        return Ok(());
    }
    let submitted_text = match body {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    Err(ProvenanceError::TemplateMismatch {
        path: plan.to_owned(),
        head: short,
        template: head.path.to_owned(),
        file: file.to_owned(),
        difference: first_difference(&submitted_text, text),
    })
}

const GET_TEMPLATE: &str = "give --change-set-template the output of `aws cloudformation \
    get-template --stack-name STACK --change-set-name CHANGE-SET` (JSON with `TemplateBody`)";

fn normalized(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// The first line that differs, for the message.
fn first_difference(submitted: &str, head: &str) -> String {
    let (a, b) = (normalized(submitted), normalized(head));
    let cut = |l: &str| {
        let l = l.trim();
        match l.char_indices().nth(60) {
            Some((i, _)) => format!("{}…", &l[..i]),
            None => l.to_owned(),
        }
    };
    for i in 0..a.len().max(b.len()) {
        match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => {
                return format!(
                    "line {}: the change set's `{}`, the head's `{}`",
                    i + 1,
                    cut(x),
                    cut(y)
                );
            }
            (Some(x), None) => {
                return format!(
                    "line {}: the change set's `{}`, past the head's end",
                    i + 1,
                    cut(x)
                );
            }
            (None, Some(y)) => {
                return format!(
                    "line {}: the head's `{}`, past the change set's end",
                    i + 1,
                    cut(y)
                );
            }
            (None, None) => break,
        }
    }
    "the same lines, another JSON document".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n";

    fn head(text: Option<&str>) -> HeadTemplate<'_> {
        HeadTemplate {
            path: "stack/template.yaml",
            text,
            rev: "1234567890abcdef",
        }
    }

    fn output(body: Value) -> String {
        serde_json::json!({"TemplateBody": body, "StagesAvailable": ["Original", "Processed"]})
            .to_string()
    }

    #[test]
    fn the_heads_own_template_passes_line_endings_aside() {
        let crlf = TEMPLATE.replace('\n', "\r\n") + "\r\n";
        assert!(
            check(
                "cs.json",
                "t.json",
                &output(crlf.into()),
                &head(Some(TEMPLATE))
            )
            .is_ok()
        );
        let json = r#"{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}"#;
        let object: Value = serde_json::from_str(json).unwrap();
        assert!(check("cs.json", "t.json", &output(object), &head(Some(json))).is_ok());
    }

    #[test]
    fn another_template_is_refused_naming_the_first_difference() {
        let other = TEMPLATE.replace("SQS::Queue", "SNS::Topic");
        let err = check(
            "cs.json",
            "t.json",
            &output(other.into()),
            &head(Some(TEMPLATE)),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("stack/template.yaml") && err.contains("line 3"),
            "{err}"
        );
        let object: Value = serde_json::json!({"Resources": {}});
        assert!(check("cs.json", "t.json", &output(object), &head(Some(TEMPLATE))).is_err());
    }

    #[test]
    fn what_cannot_be_compared_is_refused() {
        for (file, why) in [
            ("not json", "is not JSON"),
            (r#"{"Body": "x"}"#, "no `TemplateBody`"),
            (r#"{"TemplateBody": 3}"#, "neither text"),
        ] {
            let err = check("cs.json", "t.json", file, &head(Some(TEMPLATE)))
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{err}");
        }
        let err = check("cs.json", "t.json", &output(TEMPLATE.into()), &head(None))
            .unwrap_err()
            .to_string();
        assert!(err.contains("the head has no stack/template.yaml"), "{err}");
    }
}
