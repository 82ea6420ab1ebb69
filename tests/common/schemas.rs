//! The JSON Schemas of plangate's version-1 documents (schemas/*.v1.schema.json),
//! compiled once, offline: every `$ref` in them is local.

use std::sync::OnceLock;

use serde_json::Value;

/// Which document a JSON text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `plangate check --format json` (and `--report FILE`).
    Check,
    /// `plangate changes --format json`.
    Changes,
    /// `plangate commits --format json`.
    Commits,
    /// What any of them prints on exit 2 with `--format json`.
    Error,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Check, Kind::Changes, Kind::Commits, Kind::Error];

    pub fn file(self) -> &'static str {
        match self {
            Kind::Check => "check.v1.schema.json",
            Kind::Changes => "changes.v1.schema.json",
            Kind::Commits => "commits.v1.schema.json",
            Kind::Error => "error.v1.schema.json",
        }
    }

    /// The document's kind, told by its shape: an error document says
    /// `"result": "error"`; of the others, only a check report has
    /// `findings`, only a changes document has `plans` without them, and a
    /// commits document has `commits` with neither.
    pub fn of(doc: &Value) -> Kind {
        let has = |key: &str| doc.get(key).is_some();
        match () {
            _ if doc.get("result").and_then(Value::as_str) == Some("error") => Kind::Error,
            _ if has("findings") => Kind::Check,
            _ if has("plans") => Kind::Changes,
            _ if has("commits") => Kind::Commits,
            _ => panic!(
                "not a plangate document (no error result, findings, plans or commits):\n{}",
                pretty(doc)
            ),
        }
    }
}

/// The schema of `kind`, as written.
pub fn schema(kind: Kind) -> Value {
    let path = format!("{}/schemas/{}", env!("CARGO_MANIFEST_DIR"), kind.file());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

fn compile(kind: Kind) -> jsonschema::Validator {
    let schema = schema(kind);
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema",
        "{}: the schemas are draft 2020-12; a changed draft needs a changed validator",
        kind.file()
    );
    jsonschema::draft202012::new(&schema)
        .unwrap_or_else(|e| panic!("{} does not compile: {e}", kind.file()))
}

fn validator(kind: Kind) -> &'static jsonschema::Validator {
    static VALIDATORS: [OnceLock<jsonschema::Validator>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let i = Kind::ALL.iter().position(|k| *k == kind).unwrap();
    VALIDATORS[i].get_or_init(|| compile(kind))
}

/// Every way `doc` breaks the schema of `kind`, one line each (empty: valid).
pub fn errors(kind: Kind, doc: &Value) -> Vec<String> {
    validator(kind)
        .iter_errors(doc)
        .map(|e| format!("at {} (schema {}): {e}", e.instance_path(), e.schema_path()))
        .collect()
}

/// Panics, with every validation error and the document, unless `doc` is a
/// valid document of `kind`.
#[track_caller]
pub fn validate(kind: Kind, doc: &Value) {
    let errors = errors(kind, doc);
    assert!(
        errors.is_empty(),
        "the document breaks schemas/{}:\n{}\n--- the document:\n{}",
        kind.file(),
        errors.join("\n"),
        pretty(doc)
    );
}

/// [`validate`] against the schema its shape picks ([`Kind::of`]); returns that kind.
#[track_caller]
pub fn validate_doc(doc: &Value) -> Kind {
    let kind = Kind::of(doc);
    validate(kind, doc);
    kind
}

/// `text` must be one JSON document (as plangate prints it on stdout), valid
/// against the schema its shape picks; returns that kind.
#[track_caller]
pub fn validate_text(text: &str) -> Kind {
    let doc: Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{text}"));
    validate_doc(&doc)
}

fn pretty(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_default()
}
