//! A short, redacted window of a plan file for error labels.
//!
//! Two reasons not to hand miette the whole file: `terraform show -json` writes
//! one line of hundreds of megabytes, and plan files hold secrets in clear text
//! (`before`, `after`, `prior_state`, `variables`). So an excerpt is one line cut
//! to a window around the error, with the contents of every string that is not an
//! object key masked by `*` of the same byte length, which keeps offsets exact.

use std::fmt;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Bytes of context kept before and after the offending position.
const BEFORE: usize = 96;
const AFTER: usize = 48;

/// A window of a source file, positioned in the original file's coordinates.
/// Boxed: it travels inside every read error, which should stay small.
#[derive(Clone)]
pub struct Excerpt(Box<Window>);

#[derive(Clone)]
struct Window {
    name: String,
    text: String,
    /// Byte offset in the original file where `text` starts.
    offset: usize,
    /// Zero-based line and column (bytes) of `text`'s start in the original file.
    line: usize,
    column: usize,
}

impl fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The text is already redacted, but keep Debug output short.
        write!(f, "Excerpt({}@{})", self.0.name, self.0.offset)
    }
}

impl Excerpt {
    /// The excerpt of `bytes` around byte `at`, and the label span for `len` bytes there.
    pub fn around(name: &str, bytes: &[u8], at: usize, len: usize) -> (Excerpt, SourceSpan) {
        let at = at.min(bytes.len());
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| at + i);
        // In a file that is not UTF-8 a line can start with a continuation byte:
        // backing up to a char boundary must not leave the line, nor end before
        // the window starts.
        let start = char_floor(bytes, at.saturating_sub(BEFORE).max(line_start)).max(line_start);
        let end = char_floor(bytes, (at + len.max(1) + AFTER).min(line_end)).max(start);
        let line = bytes[..line_start].iter().filter(|&&b| b == b'\n').count();
        let window = redact(bytes, start, end);
        let text = String::from_utf8_lossy(&window).into_owned();
        // Lossy conversion may change lengths on invalid UTF-8; clamp the label.
        let span_len = len.min(text.len().saturating_sub(at - start));
        (
            Excerpt(Box::new(Window {
                name: name.to_owned(),
                text,
                offset: start,
                line,
                column: start - line_start,
            })),
            SourceSpan::new(at.into(), span_len),
        )
    }

    /// The excerpt around the first occurrence of `needle` at or after `from`, if any.
    pub fn find(name: &str, bytes: &[u8], needle: &[u8]) -> Option<(Excerpt, SourceSpan)> {
        let at = memchr::memmem::find(bytes, needle)?;
        Some(Excerpt::around(name, bytes, at, needle.len()))
    }
}

/// Largest char boundary at or before `i` (so a cut never splits a UTF-8 sequence).
fn char_floor(bytes: &[u8], mut i: usize) -> usize {
    while i > 0 && i < bytes.len() && (bytes[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

/// Keys whose values describe a plan's structure and never hold user secrets;
/// every other string value is masked.
const STRUCTURAL_KEYS: &[&[u8]] = &[
    b"format_version",
    b"plan_format_version",
    b"terraform_version",
    b"address",
    b"previous_address",
    b"module_address",
    b"mode",
    b"type",
    b"name",
    b"provider_name",
    b"actions",
    b"action_reason",
    b"deposed",
    b"Action",
    b"LogicalResourceId",
    b"ResourceType",
    b"Replacement",
    b"PolicyAction",
    b"Status",
    b"ExecutionStatus",
    b"Type",
    b"Scope",
    b"Attribute",
    b"Name",
    b"RequiresRecreation",
    b"Evaluation",
    b"ChangeSource",
    b"ChangeSetName",
    b"StackName",
];

/// Keys whose values are the plan's own structure (lists of changes, a change,
/// its details): structural keys count inside them. Everywhere else (`before`,
/// `after`, `prior_state`, `variables`, …) is a user's value, where a key called
/// `name` or `type` is an attribute like any other and its value may be a secret.
const CONTAINER_KEYS: &[&[u8]] = &[
    b"resource_changes",
    b"resource_drift",
    b"deferred_changes",
    b"resource_change",
    b"change",
    b"Changes",
    b"ResourceChange",
    b"Details",
    b"Target",
];

/// One open object or array while scanning.
struct Frame {
    /// Part of the plan's structure, not inside a user's value.
    structure: bool,
    /// May the strings it holds directly be shown? (An object's is the current
    /// key's; an array's is inherited from the key that holds it.)
    shown: bool,
    /// An object's current key is a [`CONTAINER_KEYS`] one (an array: always).
    opens_structure: bool,
}

/// `bytes[start..end]` with the contents of every string masked that is neither
/// an object key nor the value (or array element) of a structural key in the
/// plan's structure.
///
/// The state at `start` is found by scanning from the start of the file: the
/// cost is paid once, on the error path only.
fn redact(bytes: &[u8], start: usize, end: usize) -> Vec<u8> {
    let mut out = bytes[start..end].to_vec();
    let mut frames: Vec<Frame> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut string_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if i >= end && !in_string {
            break;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if is_key(bytes, i + 1) {
                    let key = &bytes[string_start + 1..i];
                    if let Some(top) = frames.last_mut() {
                        top.shown = top.structure && STRUCTURAL_KEYS.contains(&key);
                        top.opens_structure = top.structure && CONTAINER_KEYS.contains(&key);
                    }
                } else if !frames.last().is_some_and(|f| f.shown) {
                    mask(&mut out, start, string_start + 1, i);
                }
                if i >= end {
                    break;
                }
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                string_start = i;
            }
            b'{' | b'[' => {
                let parent = frames.last();
                let structure = parent.is_none_or(|p| p.opens_structure);
                frames.push(Frame {
                    structure,
                    shown: b == b'[' && parent.is_some_and(|p| p.shown),
                    opens_structure: b == b'[' && structure,
                });
            }
            b'}' | b']' => {
                frames.pop();
            }
            _ => {}
        }
    }
    if in_string {
        // A string still open at the end of the file (a truncated value): mask it.
        mask(&mut out, start, string_start + 1, bytes.len());
    }
    out
}

fn is_key(bytes: &[u8], after_quote: usize) -> bool {
    bytes[after_quote.min(bytes.len())..]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        == Some(&b':')
}

/// Mask original positions `from..to` that fall inside the window starting at `start`.
fn mask(out: &mut [u8], start: usize, from: usize, to: usize) {
    let lo = from.max(start) - start;
    let hi = to.saturating_sub(start).min(out.len());
    for b in out.iter_mut().take(hi).skip(lo) {
        *b = b'*';
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let w = &self.0;
        let local_offset = span.offset().saturating_sub(w.offset).min(w.text.len());
        let local_len = span.len().min(w.text.len() - local_offset);
        let local = SourceSpan::new(local_offset.into(), local_len);
        let inner = w
            .text
            .read_span(&local, context_lines_before, context_lines_after)?;
        let line = inner.line() + w.line;
        let column = if inner.line() == 0 {
            inner.column() + w.column
        } else {
            inner.column()
        };
        let shifted = SourceSpan::new(
            (inner.span().offset() + w.offset).into(),
            inner.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            w.name.clone(),
            inner.data(),
            shifted,
            line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(e: &Excerpt) -> &str {
        &e.0.text
    }

    #[test]
    fn values_are_masked_and_keys_kept() {
        let src = br#"{"password": "hunter2", "list": ["a", "b"], "n": 5}"#;
        let (e, _) = Excerpt::around("f", src, 10, 1);
        assert_eq!(
            text(&e),
            r#"{"password": "*******", "list": ["*", "*"], "n": 5}"#
        );
    }

    #[test]
    fn structural_values_are_shown_but_not_what_follows_them_nor_values_under_their_names() {
        let src = br#"{"address": "a.b", "actions": ["delete", {"x": "s1"}, "s2"], "after": {"type": "t", "v": ["s3"]}, "z": "s4"}"#;
        assert_eq!(
            String::from_utf8(redact(src, 0, src.len())).unwrap(),
            r#"{"address": "a.b", "actions": ["delete", {"x": "**"}, "s2"], "after": {"type": "*", "v": ["**"]}, "z": "**"}"#
        );
    }

    #[test]
    fn keys_named_like_structure_inside_values_are_masked() {
        // `name`, `type`, `address` and `actions` are also attributes of
        // resources; under `before`/`after`/`prior_state` their values are the
        // user's and may be secrets.
        let src = br#"{"resource_changes":[{"address":"a.b","type":"t","change":{"actions":["delete"],"before":{"name":"s1","type":"s2","address":"s3","actions":["s4"],"change":{"type":"s5"}}}}],"prior_state":{"values":{"root_module":{"resources":[{"address":"s6","name":"s7"}]}}}}"#;
        let text = String::from_utf8(redact(src, 0, src.len())).unwrap();
        assert!(
            text.contains(r#""address":"a.b","type":"t""#)
                && text.contains(r#""actions":["delete"]"#),
            "{text}"
        );
        for s in ["s1", "s2", "s3", "s4", "s5", "s6", "s7"] {
            assert!(!text.contains(s), "{s} shown: {text}");
        }
    }

    #[test]
    fn change_set_structure_is_shown_and_property_values_masked() {
        let src = br#"{"Changes":[{"Type":"Resource","ResourceChange":{"Action":"Modify","LogicalResourceId":"Db","Details":[{"Target":{"Attribute":"Properties","Name":"MasterUserPassword","BeforeValue":"s1","AfterValue":"s2"}}]}}],"Parameters":[{"ParameterKey":"Name","ParameterValue":"s3"}]}"#;
        let text = String::from_utf8(redact(src, 0, src.len())).unwrap();
        assert!(
            text.contains(r#""LogicalResourceId":"Db""#)
                && text.contains(r#""Name":"MasterUserPassword""#),
            "{text}"
        );
        for s in ["s1", "s2", "s3"] {
            assert!(!text.contains(s), "{s} shown: {text}");
        }
    }

    #[test]
    fn window_starting_inside_a_string_is_masked() {
        let secret = "s".repeat(300);
        let src = format!(r#"{{"k": "{secret}", "x": 1}}"#);
        let at = src.find("\"x\"").unwrap();
        let (e, span) = Excerpt::around("f", src.as_bytes(), at, 3);
        assert!(!text(&e).contains('s'), "secret leaked: {}", text(&e));
        assert!(text(&e).contains(r#""x": 1"#));
        assert_eq!(span.offset(), at);
    }

    #[test]
    fn truncated_string_at_end_of_file_is_masked() {
        let src = br#"{"k": "topsecr"#;
        let (e, _) = Excerpt::around("f", src, src.len(), 0);
        assert_eq!(text(&e), r#"{"k": "*******"#);
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let src = br#"{"k": "a\"b:c", "z": 2}"#;
        let (e, _) = Excerpt::around("f", src, 0, 1);
        assert_eq!(text(&e), r#"{"k": "******", "z": 2}"#);
    }

    #[test]
    fn positions_are_reported_in_original_coordinates() {
        let src = b"{\n  \"a\": [1,\n  2 x\n}";
        let at = src.iter().position(|&b| b == b'x').unwrap();
        let (e, span) = Excerpt::around("f", src, at, 1);
        let contents = e.read_span(&span, 0, 0).unwrap();
        assert_eq!((contents.line(), contents.column()), (2, 4));
        assert_eq!(contents.span().offset(), at);
    }
}
