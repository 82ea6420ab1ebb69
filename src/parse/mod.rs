//! Plan files → [`Plan`]s. The readers are pure functions over bytes; only
//! [`binary`] runs a program (`terraform show -json`).

mod assemble;
pub mod binary;
pub mod cloudformation;
mod document;
mod error;
mod excerpt;
pub mod terraform;

use serde::de::DeserializeSeed;
use serde_json::error::Category;

pub use assemble::assemble;
pub use error::{ReadError, ReadErrors};
pub use excerpt::Excerpt;

use crate::model::Plan;
use document::{Document, DocumentSeed};

/// What one file held.
#[derive(Debug)]
pub enum Parsed {
    /// A complete plan (Terraform).
    Plan(Plan),
    /// One page of a CloudFormation change set, to be joined by [`assemble`].
    Page(cloudformation::Page),
    /// Valid JSON that is not a plan, with what it is instead.
    NotAPlan(String),
}

/// What plangate reads from one plan file at most. Past a limit, reading
/// stops with an error (exit 2) instead of spending memory on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Changes in one file: Terraform `resource_changes`, CloudFormation
    /// `Changes` (memory grows by about 1 KB per change).
    pub max_changes: usize,
}

impl Limits {
    /// The limits of [`parse_json`]: far above any real plan (a 2 GB plan
    /// holds about 200,000 changes).
    pub const DEFAULT: Limits = Limits {
        max_changes: 1_000_000,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// Read one JSON document. `path` names it in messages.
pub fn parse_json(path: &str, bytes: &[u8]) -> Result<Parsed, ReadError> {
    parse_json_with(path, bytes, &Limits::DEFAULT)
}

/// [`parse_json`] within `limits`.
pub fn parse_json_with(path: &str, bytes: &[u8], limits: &Limits) -> Result<Parsed, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Empty {
            path: path.to_owned(),
        });
    }
    // JSON is UTF-8 (RFC 8259). The parser checks every string it reads, in
    // the one pass it makes; what it skips (values no field of plangate's
    // needs) it does not, and a second pass over the whole input to check
    // those would cost more than the parse (13 % of a 160 MB plan's time).
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let over_limit = std::cell::Cell::new(false);
    let seed = DocumentSeed {
        limits,
        over_limit: &over_limit,
    };
    let document = seed
        .deserialize(&mut de)
        .and_then(|d| de.end().map(|()| d))
        .map_err(|e| match over_limit.get() {
            true => ReadError::TooManyChanges {
                path: path.to_owned(),
                limit: limits.max_changes,
            },
            false => json_error(path, bytes, &e),
        })?;
    let parsed = match document {
        Document::Terraform(raw) => terraform::normalize(path, raw, bytes).map(Parsed::Plan),
        Document::CloudFormation(raw) => {
            cloudformation::read_page(path, raw, bytes).map(Parsed::Page)
        }
        Document::ConsoleExport(changes) => {
            cloudformation::read_console_export(path, changes, bytes).map(Parsed::Page)
        }
        Document::Encrypted => Err(ReadError::EncryptedPlan {
            path: path.to_owned(),
        }),
        Document::Other(what) => Ok(Parsed::NotAPlan(what)),
    }?;
    names_every_resource(path, &parsed)?;
    Ok(parsed)
}

/// A change with an empty address or type names no resource: it can be
/// neither attributed nor approved, so the file is as damaged as one without
/// the field.
fn names_every_resource(path: &str, parsed: &Parsed) -> Result<(), ReadError> {
    let (changes, address, kind) = match parsed {
        Parsed::Plan(plan) => (&plan.changes, "address", "type"),
        Parsed::Page(page) => (&page.changes, "LogicalResourceId", "ResourceType"),
        Parsed::NotAPlan(_) => return Ok(()),
    };
    let what = changes.iter().enumerate().find_map(|(i, c)| {
        if c.address.is_empty() {
            Some(format!("the {address} of change {} (it is empty)", i + 1))
        } else if c.resource_type.is_empty() {
            Some(format!("the {kind} of {} (it is empty)", c.address))
        } else {
            None
        }
    });
    match what {
        Some(what) => Err(ReadError::MissingField {
            path: path.to_owned(),
            what,
        }),
        None => Ok(()),
    }
}

fn not_utf8(path: &str, bytes: &[u8], err: &std::str::Utf8Error) -> ReadError {
    let at = err.valid_up_to();
    let line_start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = 1 + bytes[..line_start].iter().filter(|&&b| b == b'\n').count();
    let (excerpt, span) = Excerpt::around(path, bytes, at, 1);
    ReadError::Syntax {
        path: path.to_owned(),
        line,
        column: at - line_start + 1,
        message: "the file is not UTF-8".into(),
        help: "JSON is UTF-8; this file has bytes that are not (a Latin-1 or binary file?). \
               Write the plan again with the tool that made it"
            .into(),
        excerpt,
        span,
    }
}

/// A serde_json error as a diagnostic pointing at its line and column; an
/// error at bytes that are not UTF-8 says so (only then is the text checked).
fn json_error(path: &str, bytes: &[u8], err: &serde_json::Error) -> ReadError {
    let (line, column) = (err.line(), err.column());
    let at = offset_of(bytes, line, column);
    let upto = bytes.len().min(at.saturating_add(4));
    if let Err(e) = std::str::from_utf8(&bytes[..upto])
        && e.error_len().is_some()
    {
        return not_utf8(path, bytes, &e);
    }
    let (excerpt, span) = Excerpt::around(path, bytes, at, 1);
    // serde_json appends " at line L column C"; the diagnostic says where itself.
    let full = err.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m)
        .to_owned();
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => ReadError::Syntax {
            path: path.to_owned(),
            line,
            column,
            help: syntax_help(bytes, err.classify(), &message),
            message,
            excerpt,
            span,
        },
        Category::Data => ReadError::Shape {
            path: path.to_owned(),
            line,
            column,
            message,
            excerpt,
            span,
        },
    }
}

fn syntax_help(bytes: &[u8], category: Category, message: &str) -> String {
    if bytes.starts_with(b"[command]") {
        return "the file starts with `[command]`: it was captured through the wrapper of \
                hashicorp/setup-terraform or opentofu/setup-opentofu, which adds lines to \
                stdout; set `terraform_wrapper: false` (or `tofu_wrapper: false`) and write it \
                again"
            .into();
    }
    if category == Category::Eof {
        return "the file ends before its JSON does: it was cut short (a killed job, a full \
                disk, an artifact size limit); write it again"
            .into();
    }
    if message.starts_with("trailing characters") {
        return "there is more after the JSON document: were two outputs written to one file?"
            .into();
    }
    if message.starts_with("recursion limit exceeded") {
        return "the JSON is nested deeper than any plan is; this is not a plan".into();
    }
    if bytes.contains(&0) {
        return "the file holds NUL bytes: it is binary or damaged, not plan JSON".into();
    }
    "give plangate the unmodified output of `terraform show -json` or \
     `aws cloudformation describe-change-set`"
        .into()
}

/// Byte offset of serde_json's 1-based line and column (a column counts bytes
/// after the last newline, up to and including the offending byte).
fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', bytes)
            .nth(line - 2)
            .map_or(bytes.len(), |i| i + 1)
    };
    (line_start + column.saturating_sub(1)).min(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_point_at_the_offending_byte() {
        let src = b"{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [x]\n}";
        let Err(ReadError::Syntax {
            line, column, span, ..
        }) = parse_json("p.json", src)
        else {
            panic!("expected a syntax error")
        };
        assert_eq!((line, column), (3, 24));
        assert_eq!(src[span.offset()], b'x');
    }

    #[test]
    fn duplicate_keys_that_decide_are_refused() {
        let src = br#"{"format_version":"1.2","resource_changes":[],"resource_changes":[]}"#;
        assert!(matches!(
            parse_json("p.json", src),
            Err(ReadError::Shape { .. })
        ));
    }

    #[test]
    fn json_that_is_no_plan_says_what_it_is() {
        let Ok(Parsed::NotAPlan(what)) = parse_json("p.json", br#"{"name":"x","version":"1"}"#)
        else {
            panic!()
        };
        assert!(what.contains("`name`, `version`"), "{what}");
        let Ok(Parsed::NotAPlan(what)) =
            parse_json("p.json", br#"{"format_version":"1.0","values":{}}"#)
        else {
            panic!()
        };
        assert!(what.contains("not a plan"), "{what}");
    }
}
